// Verification (issue 10): the job of Sentry's validate/compare step. The database is compared with
// an export through the import chunks of one import_uuid: every entry the chunks map (Inserted,
// Existing, Overwrite) is rebuilt as the import builds it (export reader, row builder: references
// remapped through the chunks' maps, values converted for their columns), and the row the chunks
// name is read back, in batches, and compared field by field. Not compared: what the import is
// meant to change (the new id, the columns Sentry's rules write, RuleColumn), and what the export
// does not give (defaults). The fields of an Existing row are not compared: the import did not
// write them (it used the row that was there).
//
// Each difference is a finding; the conventions of the findings without a field:
//   - the chunks map the entry but its row is gone:
//       field NULL, expected "row (<kind>)" (kind as Sentry spells it: Inserted, Existing, Overwrite),
//       found NULL
//   - an entry of a model the chunks have chunks of, at ordinals no chunk covers:
//       new_pk NULL, field NULL, expected "imported", found "not in the import chunks"
//   - an entry the chunks map that the export does not hold (at the end):
//       field NULL, expected "not in the export", found "row (<kind>)"
//   - an entry the chunks map whose row cannot be rebuilt (a reference the chunks do not map):
//       field NULL, expected "row (<kind>)", found what is not mapped
// An entry that a chunk covers but does not map was skipped by the import (filter, rule, reference)
// and is not a finding. Nothing is written: the verification only reads.
//
// PostgreSQL-free.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>

#include "core/byte_source.hpp"
#include "core/import_options.hpp"
#include "core/target.hpp"

namespace relocate {

inline constexpr const char *kVerifyImported = "imported";
inline constexpr const char *kVerifyNotInChunks = "not in the import chunks";
inline constexpr const char *kVerifyNotInExport = "not in the export";

struct VerifyFinding {
	std::string model;
	std::int64_t old_pk = 0;
	std::optional<std::int64_t> new_pk;
	std::optional<std::string> field; // the export's field name (a relation field as in the export)
	std::optional<std::string> expected;
	std::optional<std::string> found;
};

using FindingSink = std::function<void(const VerifyFinding &)>;

// Compares the database `target` reads with the export `source` holds, through the import chunks
// of options.import_uuid, and hands every finding to `sink` as it is found (in export order, then
// the chunks' entries the export lacks). Reads `source` once, as a stream; rows are read back in
// batches of options.batch_rows at most. Throws ImportError 22023 when the import_uuid has no
// chunks, and whatever the import would throw for the export itself.
void run_verify(ByteSource &source, const ImportOptions &options, Target &target, const FindingSink &sink);

} // namespace relocate

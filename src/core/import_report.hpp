// What an import did, as the SQL function reports it: one summary per model (every entry of the
// file is counted exactly once: inserted, existing, overwritten or skipped), and the things it
// dropped or skipped on purpose, for the NOTICEs.
//
// PostgreSQL-free.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "core/target.hpp"
#include "core/timeline.hpp"

namespace relocate {

// Why an entry was skipped (the summary's skipped_reasons, relocate_report's detail).
enum class SkipReason : std::uint8_t {
	Scope,        // its model (or this instance) is outside the import scope, or Excluded
	Filter,       // org_filter / user_filter (and the filters derived from them) leave it out
	Reference,    // a non-null foreign key refers to a row that was not imported
	RemovedModel, // its model was removed from Sentry
	Rule,         // one of Sentry's per-model rules skips it
	Count
};
const char *skip_reason_name(SkipReason r); // "scope", "filter", "reference", "removed_model", "rule"

struct ModelSummary {
	std::string model;
	std::int64_t inserted = 0;
	std::int64_t existing = 0;
	std::int64_t overwritten = 0;
	std::int64_t skipped = 0;
	// Entries an earlier, committed run with the same import_uuid wrote: mapped from its import
	// chunks, written by nobody this time.
	std::int64_t reused = 0;
	std::array<std::int64_t, static_cast<std::size_t>(SkipReason::Count)> skipped_by{};

	void skip(SkipReason why) {
		++skipped;
		++skipped_by[static_cast<std::size_t>(why)];
	}

	// Counts one entry written (or mapped) as `kind`.
	void add(ImportKind kind) {
		switch (kind) {
		case ImportKind::Inserted:
			++inserted;
			break;
		case ImportKind::Existing:
			++existing;
			break;
		case ImportKind::Overwrite:
			++overwritten;
			break;
		}
	}
};

// A field dropped on purpose (removed from Sentry, or unknown with ignore_unknown_fields on).
struct DroppedField {
	std::string model;
	std::string field;
	std::string why;
	std::int64_t rows = 0;
	// For an unmapped reference: kept as it is (a NOT NULL column) rather than set to NULL; its rows
	// are `reference_kept` in relocate_report.
	bool kept = false;
};

struct ImportReport {
	std::vector<ModelSummary> models; // in the order models first appear in the file
	std::vector<DroppedField> dropped_fields;
	std::vector<DroppedField> removed_models; // entries of models Sentry deleted; `field` is empty
	// References to rows that were not imported, set to NULL (or, where the column is NOT NULL, kept):
	// Sentry's inviter rule, and the ids Sentry copies verbatim that relocate remaps. `why` says which.
	std::vector<DroppedField> unmapped_references;
	std::int64_t entries = 0;
	std::string import_uuid;       // the one given, or the one minted (32 hex digits, as Sentry's uuid4().hex)
	std::int64_t rows_updated = 0; // entries written onto an existing row (Sentry's get-or-create, upserts)
	std::int64_t rows_reused = 0;  // entries mapped to an existing row without writing (merged users, ...)
	std::int64_t derived_rows = 0; // rows created as Sentry's signals do (primary UserEmail, Email, ...)
	// OrgAuthTokens skipped because a new token had to be minted and there was no url prefix
	// (Sentry skips them too), or no organization to name in it.
	std::int64_t org_auth_tokens_without_url = 0;
	std::int64_t org_auth_tokens_without_org = 0;
	// The values of org_filter and user_filter that name no organization or user of the export
	// (ImportFilters::unmatched_slugs, unmatched_usernames).
	std::vector<std::string> org_filter_unmatched, user_filter_unmatched;
	// Their NULL elements, which match nothing (ImportFilters::null_slugs, null_usernames).
	std::int64_t org_filter_nulls = 0, user_filter_nulls = 0;
	// Entries written under another slug or username than the export's (listed in relocate_report).
	std::int64_t slugs_renamed = 0;
	std::int64_t usernames_renamed = 0;
	// Tokens and keys of written rows minted anew (empty in the export, or taken on this install),
	// and invitation tokens cleared (listed in relocate_report as regenerated, cleared).
	std::int64_t tokens_regenerated = 0;
	std::int64_t tokens_cleared = 0;
	std::int64_t chunks_written = 0;
	std::int64_t chunks_reused = 0; // chunks of an earlier run with the same import_uuid
	// The pk map at the end: its entries and the bytes its tables take (what the import's memory
	// grows with).
	std::int64_t pk_map_entries = 0;
	std::int64_t pk_map_bytes = 0;
	// Wall-clock seconds of each phase (timeline.hpp), adding up to the whole import.
	std::array<double, static_cast<std::size_t>(Phase::Count)> phase_seconds{};
};

} // namespace relocate

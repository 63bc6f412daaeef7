// What an import did, as the SQL function reports it: one summary per model (every entry of the
// file is counted exactly once: inserted, existing, overwritten or skipped), and the things it
// dropped or skipped on purpose, for the NOTICEs.
//
// PostgreSQL-free.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/target.hpp"

namespace relocate {

struct ModelSummary {
	std::string model;
	std::int64_t inserted = 0;
	std::int64_t existing = 0;
	std::int64_t overwritten = 0;
	std::int64_t skipped = 0;

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
	std::int64_t chunks_written = 0;
	std::int64_t chunks_reused = 0; // chunks of an earlier run with the same import_uuid
};

} // namespace relocate

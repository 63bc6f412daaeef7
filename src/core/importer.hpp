// The import engine: Sentry's import_by_model loop, streamed.
//
// Entries are processed in file order, one model run at a time. For each entry: admit it by
// scope (else count it skipped), remap its foreign keys through the pk map (a non-null FK to a
// row that was not imported skips the row, counted), convert every field to its live column,
// fill Sentry's Python-side defaults for missing fields, and queue the row. Queued rows go to the
// Target in batches: ids allocated from the table's sequence, one INSERT per batch, the old->new
// pairs recorded in the pk map. Nothing is ever dropped without being counted in the report.
//
// PostgreSQL-free.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/catalogue.hpp"
#include "core/target.hpp"

namespace relocate {

struct ImportOptions {
	std::uint8_t admitted_scopes = 0; // ScopeBits admitted by the import scope
	bool ignore_unknown_fields = false;
	// Sentry's ImportFlags.hide_organizations: every imported organization gets status 3
	// (RELOCATION_PENDING_APPROVAL) instead of the status in the file (spec §3).
	bool hide_organizations = false;
	// Sentry's ImportFlags.merge_users: a user whose username exactly matches an existing one is
	// that user (Existing), and its UserEmail/UserIP/UserOption/UserPermission rows are skipped.
	bool merge_users = false;
	// Sentry's ImportFlags.overwrite_configs: an Option, ControlOption, Relay, RelayUsage or UserRole
	// whose unique key (key; relay_id; relay_id and version; name) matches an existing row is written
	// onto that row (Overwrite); without it the existing row is kept as it is (Existing).
	bool overwrite_configs = false;
	// PBKDF2 iterations of the password hashes written for users outside Global scope (Django 5.0).
	unsigned password_hash_iterations = 720000;
	// region_name of the organization slug reservations written (Sentry's SENTRY_MONOLITH_REGION).
	std::string region_name = "--monolith--";
	// Sentry's system.url-prefix for minting OrgAuthTokens when the database has no such option
	// (self-hosted installs set it in config.yml). Empty: tokens that need minting are skipped.
	std::string url_prefix;
	// Sentry's import_uuid: the key of every import chunk written. A run with the uuid of an
	// earlier, committed run rebuilds its pk map from that run's chunks and writes nothing again.
	std::string import_uuid;
	// Sentry's filters (spec §2.2); nullopt = no filter, an empty list = import nothing of that
	// model. org_filter needs the Organization scope, user_filter the User or Config scope.
	std::optional<std::vector<std::optional<std::string>>> org_filter;
	std::optional<std::vector<std::optional<std::string>>> user_filter;
	std::size_t batch_rows = 1000;          // rows per INSERT at most
	std::size_t batch_bytes = 8u << 20;     // bytes of cell text per INSERT at most
};

// The import scopes of Sentry's ImportScope, as admitted RelocationScopes (spec §2.1). Throws
// ImportError (22023) for an unknown name; case-insensitive.
std::uint8_t admitted_scopes_for(std::string_view import_scope);

struct ModelSummary {
	std::string model;
	std::int64_t inserted = 0;
	std::int64_t existing = 0;
	std::int64_t overwritten = 0;
	std::int64_t skipped = 0;
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
	std::int64_t entries = 0;
	std::string import_uuid; // the one given, or the one minted (32 hex digits, as Sentry's uuid4().hex)
	std::int64_t rows_updated = 0;  // entries written onto an existing row (Sentry's get-or-create, upserts)
	std::int64_t rows_reused = 0;   // entries mapped to an existing row without writing (merged users, ...)
	std::int64_t derived_rows = 0;  // rows created as Sentry's signals do (primary UserEmail, Email, ...)
	// OrgAuthTokens skipped because a new token had to be minted and there was no url prefix
	// (Sentry skips them too), or no organization to name in it.
	std::int64_t org_auth_tokens_without_url = 0;
	std::int64_t org_auth_tokens_without_org = 0;
	std::int64_t chunks_written = 0;
	std::int64_t chunks_reused = 0; // chunks of an earlier run with the same import_uuid
};

// Runs the whole import of `data` (the export JSON) into `target`: filters' pre-pass, the
// import_uuid lock and chunk lookup, then one streaming pass. Throws ImportError for any problem
// the input causes; whatever the Target throws passes through.
ImportReport run_import(const char *data, std::size_t length, const ImportOptions &options, Target &target);

} // namespace relocate

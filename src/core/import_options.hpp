// What one import is asked to do: Sentry's import scope, ImportFlags and filters, plus relocate's
// own settings. Read by every stage of the engine and by Sentry's per-model rules.
//
// PostgreSQL-free.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/catalogue.hpp"
#include "core/text.hpp"

namespace relocate {

struct ImportOptions {
	std::uint8_t admitted_scopes = 0; // ScopeBits admitted by the import scope
	bool ignore_unknown_fields = false;
	// Sentry's ImportFlags.hide_organizations: every imported organization gets status 3
	// (RELOCATION_PENDING_APPROVAL) instead of the status in the file.
	bool hide_organizations = false;
	// Sentry's ImportFlags.merge_users: a user whose username exactly matches an existing one is
	// that user (Existing), and its UserEmail/UserIP/UserOption/UserPermission rows are skipped.
	bool merge_users = false;
	// Sentry's ImportFlags.overwrite_configs: an Option, ControlOption, Relay, RelayUsage or UserRole
	// whose unique key (key; relay_id; relay_id and version; name) matches an existing row is written
	// onto that row (Overwrite); without it the existing row is kept as it is (Existing).
	bool overwrite_configs = false;
	// PBKDF2 iterations of the replacement password hashes written for users outside Global scope
	// (password_hashes.hpp: the secret is random, so a small count suffices).
	unsigned password_hash_iterations = 100;
	// region_name of the organization slug reservations written (Sentry's SENTRY_MONOLITH_REGION).
	std::string region_name = "--monolith--";
	// Sentry's system.url-prefix for minting OrgAuthTokens when the database has no such option
	// (self-hosted installs set it in config.yml). Empty: tokens that need minting are skipped.
	std::string url_prefix;
	// Sentry's import_uuid: the key of every import chunk written. A run with the uuid of an
	// earlier, committed run rebuilds its pk map from that run's chunks and writes nothing again.
	std::string import_uuid;
	// Sentry's Global-scope reset (reset => true): every catalogue table is emptied first, in the
	// import's transaction, once the import holds its lock.
	bool reset = false;
	// Sentry's filters; nullopt = no filter, an empty list = import nothing of that model.
	// org_filter needs the Organization scope, user_filter the User or Config scope.
	std::optional<TextArray> org_filter;
	std::optional<TextArray> user_filter;
	// Sentry's MAX_MONITORS_PER_ORG: a monitor inserted while its organization has exactly this many
	// fails the import (check_organization_monitor_limits).
	std::int64_t max_monitors_per_org = 1500;
	// The export was decrypted: no error message quotes a value of it (WithheldValues, README).
	bool withhold_values = false;
	std::size_t batch_rows = 1000;      // rows per INSERT at most
	std::size_t batch_bytes = 8u << 20; // bytes of cell text per INSERT at most

	bool global_scope() const { return (admitted_scopes & kScopeGlobal) != 0; }
	bool config_or_global_scope() const { return (admitted_scopes & (kScopeConfig | kScopeGlobal)) != 0; }
};

// The import scopes of Sentry's ImportScope, as admitted RelocationScopes. Throws ImportError
// (22023) for an unknown name; case-insensitive.
std::uint8_t admitted_scopes_for(std::string_view import_scope);

} // namespace relocate

// Sentry's import filters (import-spec §2.2): org_filter (organization slugs, Organization scope) and
// user_filter (usernames, User and Config scopes). A pre-pass over the export derives the
// secondary filters: the users who are members of the chosen organizations, and the emails of the
// chosen users (Sentry's org-filtered import derives an always-empty email filter and so never
// imports sentry.email rows; relocate derives it from the chosen users). Everything else is filtered
// transitively by the pk map: a row referring to a row that was not imported is skipped.
//
// PostgreSQL-free.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <unordered_set>
#include <vector>

#include "core/export_reader.hpp"
#include "core/model_hooks.hpp"
#include "core/text.hpp"

namespace relocate {

struct ImportFilters {
	// nullopt: no filter on that model. An empty set admits nothing (Sentry's empty filter).
	std::optional<std::unordered_set<std::string>> usernames; // sentry.user, by username
	std::optional<std::unordered_set<std::int64_t>> user_pks; // sentry.user, by pk (members of org_filter's orgs)
	std::optional<std::unordered_set<std::string>> org_slugs; // sentry.organization, by slug
	std::optional<std::unordered_set<std::string>> emails;    // sentry.email, by email

	// The values of org_filter and user_filter that no organization (by slug) or user (by username)
	// of the export has, sorted: a filter that names one admits nothing for it, which Sentry does
	// without a word; the import warns (a misspelt slug or a slug in another case, say).
	std::vector<std::string> unmatched_slugs, unmatched_usernames;
	// The NULL elements of org_filter and user_filter: each matches nothing (SQL's NULL equals no
	// value), and the import warns about them as about an unmatched value.
	std::int64_t null_slugs = 0, null_usernames = 0;

	bool active() const { return usernames || user_pks || org_slugs || emails; }
	// False if `entry`, of a model with filter role `role`, is filtered out. Comparisons are exact,
	// on the values in the file (before any renaming), as in Sentry.
	bool admits(FilterRole role, const ExportEntry &entry) const { return exclusion(role, entry) == nullptr; }
	// Why the filters leave `entry` out (for the report), or nullptr if they admit it.
	const char *exclusion(FilterRole role, const ExportEntry &entry) const;
};

// Builds the filters, reading `source` once (from its start) for the derived ones when there is a
// filter. Null elements of the filter arrays are ignored, as Sentry drops None from a filter's values.
ImportFilters build_filters(ByteSource &source, const std::optional<TextArray> &org_filter,
                            const std::optional<TextArray> &user_filter, const CheckInterrupts &check);

} // namespace relocate

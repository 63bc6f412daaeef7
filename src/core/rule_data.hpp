// Rule.data, the JSON object of an issue alert rule (src/sentry/models/rule.py): what Sentry's
// pre_save does to it (the "name" of every condition and action removed), and the ids inside it
// that relocate remaps (the team or member an email action or an assignee filter names, the
// integration an integration action sends through).
// RapidJSON's SAX reader and writer, no DOM: rule data is untrusted and may nest deeply; numbers
// keep their text.
//
// PostgreSQL-free.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace relocate {

// Rule.data (JSON object text): remove the key "name" from every object in "conditions" and
// "actions" (Rule's pre_save). Returns the input unchanged if it has neither. Throws FieldError
// (22P02) for text that is not a JSON object, 22023 for a "conditions" or "actions" that is not a
// list of objects.
std::string strip_rule_names(std::string_view rule_data_json);

// The new pk of `old_pk` of `model` ("sentry.team", "sentry.user", "sentry.integration"), or nullopt
// when it was not imported.
using MapRuleTarget = std::function<std::optional<std::int64_t>(const char *model, std::int64_t old_pk)>;
// Called for an element's `field` ("targetIdentifier", "workspace", ...) set to null because the row
// of `model` it named was not imported.
using RuleTargetNulled = std::function<void(const char *model, const char *field)>;

// Rule.data's targets: in every object of its top-level "actions", "filters" and "conditions"
// lists whose "targetType" is "Team" (a team id) or "Member" (a user id: Sentry's
// get_send_to_member and AssignedToFilter read it so), the "targetIdentifier" (an integer, or an
// integer's text) is mapped through `map`, keeping its JSON type, or set to null (and `nulled`
// called) when `map` knows no new pk. Other targets (IssueOwners, Unassigned, null or non-integer
// identifiers) are kept. So is, in each object of "actions" whose "id" is one of Sentry's
// integration actions (Slack, Microsoft Teams, Discord, PagerDuty, Opsgenie, and the Jira, Jira
// Server, GitHub, GitHub Enterprise and Azure DevOps ticket actions), the field holding the
// sentry.integration id (the action's `integration_key`: "workspace", "team", "server", "account"
// or "integration"), mapped the same way. Returns the input unchanged when nothing changes. Throws
// FieldError (22P02) for text that is not a JSON object.
std::string remap_rule_targets(std::string_view rule_data_json, const MapRuleTarget &map,
                               const RuleTargetNulled &nulled);

} // namespace relocate

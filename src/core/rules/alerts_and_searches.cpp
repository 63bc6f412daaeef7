// Sentry's import rules for monitors, incidents, issue alert rules, notification actions and
// searches: the values their normalize_before_relocation_import / pre_save regenerate or drop
// (src/sentry/monitors/models.py Monitor, src/sentry/incidents/models/incident.py Incident and
// IncidentActivity, src/sentry/models/rule.py, src/sentry/models/savedsearch.py,
// src/sentry/models/recentsearch.py), and the per-instance scope of NotificationAction
// (src/sentry/notifications/models/notificationaction.py get_relocation_scope).
#include "core/generated_values.hpp"
#include "core/rules/rules.hpp"

namespace relocate::rules {

ScopeBits scope_by_integration(const ExportEntry &entry) {
	// A NotificationAction is Global when it belongs to an integration or a Sentry app, else
	// Organization. (Its NotificationActionProject links follow through their foreign key: a link to
	// an action that was not imported is skipped.)
	auto non_null = [&](const char *field) {
		const FieldValue *v = entry.find(field);
		return v != nullptr && !v->is_null();
	};
	return non_null("integration_id") || non_null("sentry_app_id") ? kScopeGlobal : kScopeOrganization;
}

bool normalize_monitor(RuleContext &, RowEdit &row, const RowReferences &) {
	row.set("guid", random_uuid4());
	return true;
}

bool normalize_incident(RuleContext &, RowEdit &row, const RowReferences &) {
	if (row.get("detection_uuid"))
		row.set("detection_uuid", random_uuid4());
	return true;
}

bool normalize_incident_activity(RuleContext &, RowEdit &row, const RowReferences &) {
	if (row.get("notification_uuid"))
		row.set("notification_uuid", random_uuid4());
	return true;
}

bool normalize_rule(RuleContext &, RowEdit &row, const RowReferences &) {
	// Rule's pre_save drops the "name" of every condition and action.
	if (auto data = row.get("data"))
		row.set("data", strip_rule_names(*data));
	return true;
}

bool normalize_saved_search(RuleContext &ctx, RowEdit &row, const RowReferences &) {
	// Global saved searches are only for Global imports.
	return ctx.global_scope() || row.get("is_global") != std::optional<std::string>("true");
}

bool normalize_recent_search(RuleContext &, RowEdit &row, const RowReferences &) {
	// RecentSearch's pre_save fills an empty query_hash.
	std::optional<std::string> hash = row.get("query_hash");
	if (!hash || hash->empty())
		if (auto query = row.get("query"))
			row.set("query_hash", md5_hex(*query));
	return true;
}

} // namespace relocate::rules

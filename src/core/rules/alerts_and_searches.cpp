// Sentry's import rules for monitors, incidents, issue alert rules, notification actions and
// searches: the values their normalize_before_relocation_import / pre_save regenerate or drop
// (src/sentry/monitors/models.py Monitor, src/sentry/incidents/models/incident.py Incident and
// IncidentActivity, src/sentry/models/rule.py, src/sentry/models/savedsearch.py,
// src/sentry/models/recentsearch.py), and the per-instance scope of NotificationAction
// (src/sentry/notifications/models/notificationaction.py get_relocation_scope).
#include "core/error.hpp"
#include "core/generated_values.hpp"
#include "core/rule_data.hpp"
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

bool normalize_monitor(RuleContext &ctx, RowEdit &row, const RowReferences &) {
	row.set("guid", random_uuid4());
	// Sentry copies owner_team_id as it is (its dependency graph does not know it as a foreign key:
	// it looks for a model "sentry.ownerteam"), so the monitor would belong to whatever team has that
	// id here, maybe another organization's. relocate remaps it through the team pk map, or nulls it
	// (a deliberate difference). owner_user_id is a known foreign key, nulled when the user was not
	// imported (ModelHooks::null_if_unmapped) instead of skipping the monitor.
	remap_id_or_null(ctx, row, "sentry.monitor", "owner_team_id", "sentry.team");
	return true;
}

void resolve_monitors(RuleContext &ctx, BatchEdit &batch) {
	// Monitor.save (src/sentry/monitors/models.py): an empty slug from the name, slugify_instance(
	// self, self.name, organization_id=..., max_length=MAX_SLUG_LENGTH (50)). Monitor slugs are unique
	// per project in the database, so a slug from the file is left to PostgreSQL's unique constraint.
	slugs_from_names(ctx, batch, 50, {}, false);
	// The pre_save receiver check_organization_monitor_limits: inserting a monitor while its
	// organization has exactly MAX_MONITORS_PER_ORG monitors (any status) raises
	// MonitorLimitsExceeded, which fails Sentry's import. Sentry compares with ==, so an organization
	// already above the limit passes; reproduced.
	std::vector<std::string> organizations;
	for (std::size_t r = 0; r < batch.rows(); ++r)
		organizations.push_back(batch.get(r, "organization_id").value_or(""));
	auto &by_organization = ctx.scoped_unique(batch.table(), "slug", "organization_id", organizations);
	const std::int64_t limit = ctx.options().max_monitors_per_org;
	for (std::size_t r = 0; r < batch.rows(); ++r) {
		if (batch.fate(r).action != RowFate::Action::Insert)
			continue;
		ScopedUnique &monitors = by_organization[organizations[r]];
		if (monitors.rows == limit)
			throw ImportError(sqlstate::kProgramLimitExceeded,
			                  std::string("relocate: ") + batch.model() + " pk " + std::to_string(batch.source_pk(r)) +
			                      ": its organization has " + std::to_string(limit) + " monitors already",
			                  "Sentry's check_organization_monitor_limits says: You may not exceed " +
			                      std::to_string(limit) + " monitors per organization. Sentry's import fails too.",
			                  "relocate.max_monitors_per_org is Sentry's MAX_MONITORS_PER_ORG (1500 by default); set "
			                  "it to the target install's value.");
		++monitors.rows;
	}
}

bool normalize_incident_trigger(RuleContext &, RowEdit &row, const RowReferences &) {
	// The pre_save receiver pre_save_incident_trigger (src/sentry/incidents/receivers.py).
	row.set("date_modified", "now");
	return true;
}

bool normalize_query_subscription(RuleContext &, RowEdit &row, const RowReferences &) {
	// QuerySubscription.write_relocation_import does not copy the row: it creates a new subscription
	// with create_snuba_subscription(project, type, snuba_query), i.e. status CREATING (1), no
	// subscription_id and no query_extra, date_updated now, and puts the file's date_added back.
	// Sentry then creates it in Snuba (a task, and its subscription checker for those still CREATING).
	row.set("status", "1");
	row.set_null("subscription_id");
	row.set_null("query_extra");
	row.set("date_updated", "now");
	return true;
}

namespace {

// Sentry's ActionTarget (src/sentry/notifications/models/notificationaction.py), which
// AlertRuleTriggerAction.TargetType is too: the row a target_identifier names, by target_type.
const char *action_target_model(const std::optional<std::string> &target_type) {
	if (target_type == std::optional<std::string>("1"))
		return "sentry.user"; // USER
	if (target_type == std::optional<std::string>("2"))
		return "sentry.team"; // TEAM
	if (target_type == std::optional<std::string>("3"))
		return "sentry.sentryapp"; // SENTRY_APP
	return nullptr;                // SPECIFIC: free text (a channel, an address)
}

} // namespace

bool normalize_alert_rule_trigger_action(RuleContext &ctx, RowEdit &row, const RowReferences &) {
	// Sentry copies target_identifier (text) as it is; relocate remaps the user, team or Sentry app id
	// it holds, or nulls it (a deliberate difference).
	if (const char *target = action_target_model(row.get("target_type")))
		remap_id_or_null(ctx, row, "sentry.alertruletriggeraction", "target_identifier", target);
	return true;
}

bool normalize_notification_action(RuleContext &ctx, RowEdit &row, const RowReferences &) {
	if (const char *target = action_target_model(row.get("target_type")))
		remap_id_or_null(ctx, row, "sentry.notificationaction", "target_identifier", target);
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

bool normalize_rule(RuleContext &ctx, RowEdit &row, const RowReferences &) {
	std::optional<std::string> data = row.get("data");
	if (!data)
		return true;
	// Rule's pre_save drops the "name" of every condition and action.
	std::string stripped = strip_rule_names(*data);
	// Sentry copies the team or member an email action or an assignee filter names
	// (targetIdentifier) and the integration an integration action uses ("workspace", ...);
	// relocate remaps them, or nulls them when they were not imported (a deliberate difference, as
	// for the ids Sentry's dependency graph misses).
	row.set("data", remap_rule_targets(
	                    stripped, [&](const char *model, std::int64_t pk) { return ctx.mapped_pk(model, pk); },
	                    [&](const char *model, const char *field) {
		                    ctx.null_reference(row, "sentry.rule", "data",
		                                       std::string("has \"") + field + "\" set to null: the " + model +
		                                           " it named was not imported");
	                    }));
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

// Sentry's import rules for the integration platform: Sentry apps and their installations
// (src/sentry/sentry_apps/models/sentry_app.py SentryApp.save, sentry_app_installation.py
// SentryAppInstallation.save) and service hooks (src/sentry/sentry_apps/models/servicehook.py, and
// who creates them: src/sentry/sentry_apps/installations.py for an installation's hook,
// src/sentry/api/endpoints/project_servicehooks.py for a project's).
#include "core/export_reader.hpp"
#include "core/rules/rules.hpp"

namespace relocate::rules {

bool normalize_sentry_app(RuleContext &, RowEdit &row, const RowReferences &) {
	// SentryApp.save: `self.date_updated = timezone.now()` on every save.
	row.set("date_updated", "now");
	return true;
}

bool normalize_sentry_app_installation(RuleContext &, RowEdit &row, const RowReferences &) {
	// SentryAppInstallation.save: `self.date_updated = timezone.now()` on every save.
	row.set("date_updated", "now");
	return true;
}

bool normalize_service_hook(RuleContext &ctx, RowEdit &row, const RowReferences &) {
	// Sentry copies actor_id as it is: its dependency graph leaves out every field named actor_id.
	// What it names depends on the hook: an installation's hook is created with actor_id =
	// installation.id (installation_id is a known foreign key, remapped already), a project's hook
	// with the creating user's id. relocate remaps both (a deliberate difference). actor_id is NOT
	// NULL: a user that was not imported leaves it as it is (as Sentry does), counted.
	if (auto installation = row.get("installation_id")) {
		row.set("actor_id", *installation);
		return true;
	}
	const std::optional<std::string> actor = row.get("actor_id");
	std::int64_t old_pk = 0;
	if (!actor || !parse_int64(*actor, old_pk))
		return true;
	if (const std::optional<std::int64_t> user = ctx.mapped_pk("sentry.user", old_pk))
		row.set("actor_id", std::to_string(*user));
	else
		ctx.keep_unmapped_reference(row, "sentry.servicehook", "actor_id", "sentry.user");
	return true;
}

} // namespace relocate::rules

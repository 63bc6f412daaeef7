// Sentry's per-model import rules, by Sentry area. model_hooks.cpp says which model each one is
// for; model_rules.hpp is the toolkit they use. Each rule cites the Sentry code it follows.
//
// PostgreSQL-free.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/export_reader.hpp"
#include "core/model_rules.hpp"

namespace relocate::rules {

using Written = std::vector<WrittenRow>;

// --- users.cpp: users, their emails, options, permissions and IPs ------------------------------
bool normalize_user(RuleContext &ctx, RowEdit &row, const RowReferences &refs);
void resolve_users(RuleContext &ctx, BatchEdit &batch);
void after_write_users(RuleContext &ctx, const BatchEdit &batch, const Written &written);
bool normalize_user_email(RuleContext &ctx, RowEdit &row, const RowReferences &refs);
void after_write_user_emails(RuleContext &ctx, const BatchEdit &batch, const Written &written);
bool normalize_row_of_user(RuleContext &ctx, RowEdit &row, const RowReferences &refs);
bool normalize_user_ip(RuleContext &ctx, RowEdit &row, const RowReferences &refs);
void resolve_user_options(RuleContext &ctx, BatchEdit &batch);

// --- organizations.cpp: organizations and their slugs, members, projects -------------------------
void resolve_organizations(RuleContext &ctx, BatchEdit &batch);
void after_write_organizations(RuleContext &ctx, const BatchEdit &batch, const Written &written);
bool normalize_organization_member(RuleContext &ctx, RowEdit &row, const RowReferences &refs);
void resolve_organization_members(RuleContext &ctx, BatchEdit &batch);
void after_write_projects(RuleContext &ctx, const BatchEdit &batch, const Written &written);
// An empty slug made from the name, as Team.save / Project.save / Monitor.save do (slugify_instance
// with `max_len` and `reserved`, unique case-insensitively per organization); with
// `unique_per_organization`, a slug from the file that the organization has is an error.
void slugs_from_names(RuleContext &ctx, BatchEdit &batch, std::size_t max_len,
                      const std::vector<std::string_view> &reserved, bool unique_per_organization);
void resolve_teams(RuleContext &ctx, BatchEdit &batch);
void resolve_projects(RuleContext &ctx, BatchEdit &batch);

// --- keys_tokens.cpp: project keys, API keys and tokens, org auth tokens --------------------------
ScopeBits scope_by_application(const ExportEntry &entry);
bool normalize_project_key(RuleContext &ctx, RowEdit &row, const RowReferences &refs);
void resolve_project_keys(RuleContext &ctx, BatchEdit &batch);
bool normalize_api_key(RuleContext &ctx, RowEdit &row, const RowReferences &refs);
bool normalize_api_token(RuleContext &ctx, RowEdit &row, const RowReferences &refs);
void resolve_api_tokens(RuleContext &ctx, BatchEdit &batch);
bool normalize_org_auth_token(RuleContext &ctx, RowEdit &row, const RowReferences &refs);
void resolve_org_auth_tokens(RuleContext &ctx, BatchEdit &batch);

// --- config.cpp: Sentry's options -----------------------------------------------------------------
// An option's value (JSON text, as jsonb or a JSON text column prints it) as Sentry's options.get
// returns it for a string: the string itself. JSON null is unset (nullopt); any other JSON value is
// kept as its text.
std::optional<std::string> option_text(std::string_view json);
// Sentry's option system.url-prefix, from sentry_option, else relocate.url_prefix (nullopt if
// neither is set).
std::optional<std::string> system_url_prefix(RuleContext &ctx);

// --- alerts_and_searches.cpp: monitors, incidents, rules, notification actions, searches ---------
ScopeBits scope_by_integration(const ExportEntry &entry);
bool normalize_monitor(RuleContext &ctx, RowEdit &row, const RowReferences &refs);
void resolve_monitors(RuleContext &ctx, BatchEdit &batch);
bool normalize_incident_trigger(RuleContext &ctx, RowEdit &row, const RowReferences &refs);
bool normalize_query_subscription(RuleContext &ctx, RowEdit &row, const RowReferences &refs);
bool normalize_alert_rule_trigger_action(RuleContext &ctx, RowEdit &row, const RowReferences &refs);
bool normalize_notification_action(RuleContext &ctx, RowEdit &row, const RowReferences &refs);
bool normalize_incident(RuleContext &ctx, RowEdit &row, const RowReferences &refs);
bool normalize_incident_activity(RuleContext &ctx, RowEdit &row, const RowReferences &refs);
bool normalize_rule(RuleContext &ctx, RowEdit &row, const RowReferences &refs);
bool normalize_saved_search(RuleContext &ctx, RowEdit &row, const RowReferences &refs);
bool normalize_recent_search(RuleContext &ctx, RowEdit &row, const RowReferences &refs);

// --- integrations.cpp: Sentry apps, their installations and service hooks ----------------------------
bool normalize_sentry_app(RuleContext &ctx, RowEdit &row, const RowReferences &refs);
bool normalize_sentry_app_installation(RuleContext &ctx, RowEdit &row, const RowReferences &refs);
bool normalize_service_hook(RuleContext &ctx, RowEdit &row, const RowReferences &refs);

} // namespace relocate::rules

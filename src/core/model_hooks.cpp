// The table of Sentry's per-model import rules: one row per model that has any, sorted by model
// name. To see everything relocate does to a model, read its row here, then the functions it
// names in rules/.
#include "core/model_hooks.hpp"

#include <algorithm>
#include <iterator>

#include "core/rules/rules.hpp"

namespace relocate {

namespace {

using Action = RowFate::Action;
using Key = std::array<const char *, 3>;

// Sentry's get-or-create by `key` in write_relocation_import: a match takes `action` and `kind`.
constexpr KeyRule get_or_create(Key key, Action action, ImportKind kind, bool fold_case = false) {
	KeyRule rule;
	rule.columns = key;
	rule.fold_case = fold_case;
	rule.action = action;
	rule.kind = kind;
	return rule;
}

// Sentry's OverwritableConfigMixin on the model's unique `key`: a match is kept (Existing), or with
// overwrite_configs written onto (Overwrite).
constexpr KeyRule overwritable_config(Key key) {
	KeyRule rule;
	rule.columns = key;
	rule.overwritable = true;
	return rule;
}

using namespace rules;

// The columns each model's rules write (relocate_model_columns lists them).
constexpr RuleColumn kUserColumns[] = {
    {"username",
     "User.write_relocation_import: when an existing user (or one imported earlier) has the username exactly, "
     "merged into it with merge_users, else renamed by unique_db_instance (stripped; kept if free "
     "case-insensitively and not all digits, else a random suffix); relocate also renames one taken "
     "case-insensitively (Sentry's serializer refuses it)"},
    {"is_staff", "false outside Config and Global scope (User.normalize_before_relocation_import)"},
    {"is_superuser", "false outside Config and Global scope (User.normalize_before_relocation_import)"},
    {"is_managed", "false outside Config and Global scope (User.normalize_before_relocation_import)"},
    {"is_unclaimed", "true outside Global scope (User.normalize_before_relocation_import)"},
    {"password", "outside Global scope, or for an unclaimed user: the pbkdf2_sha256 hash of a random password "
                 "(User.normalize_before_relocation_import)"},
    {"last_password_change", "now, when the password is replaced"},
    {"is_password_expired", "false, when the password is replaced"},
};
constexpr RuleColumn kUserEmailColumns[] = {
    {"is_verified", "false outside Global scope (UserEmail.normalize_before_relocation_import)"},
    {"validation_hash", "32 random characters outside Global scope (UserEmail.normalize_before_relocation_import)"},
    {"date_hash_added", "now outside Global scope (UserEmail.normalize_before_relocation_import)"},
};
constexpr RuleColumn kUserIpColumns[] = {
    {"country_code", "NULL (Sentry looks it up in its GeoIP data; relocate has none)"},
    {"region_code", "NULL (Sentry looks it up in its GeoIP data; relocate has none)"},
};
constexpr RuleColumn kOrganizationColumns[] = {
    {"slug",
     "Organization.save: the slug, or the name when the slug is empty or null, normalised (lower case, slugify, "
     "30 characters; reserved slugs become 12 random hex digits) and made unique case-insensitively among "
     "organizations and slug reservations with Sentry's random suffix",
     true},
    {"status",
     "3 (RELOCATION_PENDING_APPROVAL) with hide_organizations (Organization.normalize_before_relocation_import)"},
};
constexpr RuleColumn kTeamColumns[] = {
    {"slug",
     "Team.save: when empty or null, made from the name (slugify, 30 characters) unique case-insensitively within "
     "the organization; a slug from the export is kept as it is",
     true},
};
constexpr RuleColumn kProjectColumns[] = {
    {"slug",
     "Project.save: when empty or null, made from the name (slugify, 50 characters, RESERVED_PROJECT_SLUGS become "
     "12 random hex digits) unique case-insensitively within the organization; a slug from the export is kept",
     true},
    {"id", "the export's pk in Global scope (Project.normalize_before_relocation_import), else a new id"},
};
constexpr RuleColumn kMonitorColumns[] = {
    {"guid", "a new UUID4 (Monitor.normalize_before_relocation_import)", true},
    {"owner_team_id",
     "remapped through the team pk map (relocate; Sentry copies it, its dependency graph does not know it), NULL "
     "when the team was not imported"},
    {"slug",
     "Monitor.save: when empty or null, made from the name (slugify, 50 characters) unique case-insensitively "
     "within the organization; a slug from the export is kept",
     true},
};

constexpr RuleColumn kMemberColumns[] = {
    {"token", "NULL when another member has it (OrganizationMember.normalize_before_relocation_import), with its "
              "token_expires_at"},
    {"token_expires_at",
     "now + 30 days for a kept token without one (OrganizationMember.save); NULL with a dropped token, and for a "
     "member without a token when some member has none (Sentry's filter(token=None) quirk)"},
};
constexpr RuleColumn kProjectKeyColumns[] = {
    {"label", "when empty or null, petname.generate(2, \" \", letters=10).title() (ProjectKey.save), e.g. \"Able Ox\""},
    {"public_key", "32 random hex digits when empty or taken by any project key (ProjectKey.write_relocation_import)",
     true},
    {"secret_key", "32 random hex digits when empty or taken by any project key (ProjectKey.write_relocation_import)",
     true},
};
constexpr RuleColumn kApiKeyColumns[] = {
    {"key", "32 random hex digits when empty (ApiKey.save)", true},
    {"scope_list", "Sentry's scope hierarchy added, sorted (add_scope_hierarchy)"},
};
constexpr RuleColumn kApiTokenColumns[] = {
    {"scope_list", "Sentry's scope hierarchy added, sorted (add_scope_hierarchy)"},
    {"token", "a new token of its type when taken (ApiToken.write_relocation_import)"},
    {"refresh_token", "a new one when the token or the refresh token is taken (ApiToken.write_relocation_import)"},
    {"hashed_token", "SHA-256 of the token (ApiToken.save)"},
    {"hashed_refresh_token", "SHA-256 of the refresh token (ApiToken.save)"},
    {"token_last_characters", "the token's last 4 characters (ApiToken.save)"},
    {"expires_at", "now + 30 days for a regenerated token that had an expiry"},
};
constexpr RuleColumn kOrgAuthTokenColumns[] = {
    {"token_hashed",
     "when empty or taken, SHA-256 of a newly minted token for the organization's final slug "
     "(OrgAuthToken.normalize_before_relocation_import); without system.url-prefix the token is skipped"},
    {"token_last_characters", "the minted token's last 4 characters"},
};
constexpr RuleColumn kIncidentColumns[] = {
    {"detection_uuid", "a new UUID4 when set (Incident.normalize_before_relocation_import)"},
};
constexpr RuleColumn kIncidentActivityColumns[] = {
    {"notification_uuid", "a new UUID4 when set (IncidentActivity.normalize_before_relocation_import)"},
};
constexpr RuleColumn kIncidentTriggerColumns[] = {
    {"date_modified", "now (the pre_save receiver pre_save_incident_trigger)", true},
};
constexpr RuleColumn kQuerySubscriptionColumns[] = {
    {"status", "1, CREATING: QuerySubscription.write_relocation_import creates a new subscription", true},
    {"subscription_id", "NULL: the new subscription is not in Snuba yet (create_snuba_subscription)"},
    {"query_extra", "NULL: create_snuba_subscription does not take it"},
    {"date_updated", "now (a new subscription); date_added is the export's"},
};
constexpr RuleColumn kRuleColumns[] = {
    {"data", "the \"name\" of every condition and action removed (Rule's pre_save); the targetIdentifier of a Team or "
             "Member target and the integration of an integration action (Slack's workspace, ...) remapped "
             "(relocate; Sentry copies them), null when not imported"},
};
constexpr RuleColumn kRecentSearchColumns[] = {
    {"query_hash", "MD5 of the query when empty (RecentSearch's pre_save)"},
};
constexpr RuleColumn kSentryAppColumns[] = {
    {"date_updated", "now (SentryApp.save)", true},
};
constexpr RuleColumn kSentryAppInstallationColumns[] = {
    {"date_updated", "now (SentryAppInstallation.save)", true},
};
constexpr RuleColumn kServiceHookColumns[] = {
    {"actor_id",
     "remapped (relocate; Sentry copies it): the hook's installation when it has one, else the user who made "
     "it; kept as it is when that user was not imported (NOT NULL)"},
};
constexpr RuleColumn kTargetIdentifierColumns[] = {
    {"target_identifier",
     "remapped (relocate; Sentry copies it) when target_type is USER, TEAM or SENTRY_APP: the id of the user, team "
     "or Sentry app that was imported, else NULL"},
};

constexpr ModelHooks kHooks[] = {
    // Sentry copies target_identifier; relocate remaps the user, team or Sentry app it names.
    ModelHooks("sentry.alertruletriggeraction")
        .normalizing(normalize_alert_rule_trigger_action)
        .writing(kTargetIdentifierColumns),
    ModelHooks("sentry.apiauthorization").scoped_by(scope_by_application),
    ModelHooks("sentry.apikey").normalizing(normalize_api_key).writing(kApiKeyColumns),
    ModelHooks("sentry.apitoken")
        .scoped_by(scope_by_application)
        .normalizing(normalize_api_token)
        .resolving(resolve_api_tokens)
        .settling_unique({"token", "refresh_token"})
        .writing(kApiTokenColumns),
    ModelHooks("sentry.controloption").keyed(overwritable_config({"key"})),
    // Get-or-create by address (citext: case-insensitive); an existing row takes the file's values.
    ModelHooks("sentry.email")
        .keyed(get_or_create({"email"}, Action::Update, ImportKind::Existing, true))
        .filtered_as(FilterRole::Email),
    ModelHooks("sentry.incident").normalizing(normalize_incident).writing(kIncidentColumns),
    ModelHooks("sentry.incidentactivity").normalizing(normalize_incident_activity).writing(kIncidentActivityColumns),
    ModelHooks("sentry.incidenttrigger").normalizing(normalize_incident_trigger).writing(kIncidentTriggerColumns),
    // relocate's choice: an owner that was not imported is nulled (reported), not the monitor skipped.
    ModelHooks("sentry.monitor")
        .normalizing(normalize_monitor)
        .resolving(resolve_monitors)
        .nulling_unmapped("owner_user_id")
        .writing(kMonitorColumns),
    ModelHooks("sentry.notificationaction")
        .scoped_by(scope_by_integration)
        .normalizing(normalize_notification_action)
        .writing(kTargetIdentifierColumns),
    ModelHooks("sentry.option").keyed(overwritable_config({"key"})),
    ModelHooks("sentry.organization")
        .resolving(resolve_organizations)
        .settling_unique({"slug"})
        .after_writing(after_write_organizations, {"slug"})
        .filtered_as(FilterRole::Organization)
        .hiding_status()
        .writing(kOrganizationColumns),
    // Sentry's one exception to "an unmapped reference skips the row": a member whose inviter was
    // not imported keeps its membership and loses the inviter.
    ModelHooks("sentry.organizationmember")
        .normalizing(normalize_organization_member)
        .resolving(resolve_organization_members)
        .settling_unique({"token"})
        .filtered_as(FilterRole::Member)
        .nulling_unmapped("inviter_id")
        .writing(kMemberColumns),
    ModelHooks("sentry.orgauthtoken")
        .normalizing(normalize_org_auth_token)
        .resolving(resolve_org_auth_tokens)
        .settling_unique({"token_hashed"})
        .writing(kOrgAuthTokenColumns),
    // Global scope restores projects with their own ids, so that DSNs keep working.
    ModelHooks("sentry.project")
        .resolving(resolve_projects)
        .settling_unique({"slug"})
        .after_writing(after_write_projects)
        .keeping_ids_in_global()
        .writing(kProjectColumns),
    ModelHooks("sentry.projectkey")
        .normalizing(normalize_project_key)
        .resolving(resolve_project_keys)
        .settling_unique({"public_key", "secret_key"})
        .writing(kProjectKeyColumns),
    // Get-or-create by (project, key), then the file's values are saved into it; reported Inserted
    // (the row is typically the sentry:option-epoch option created with the project).
    ModelHooks("sentry.projectoption")
        .keyed(get_or_create({"project_id", "key"}, Action::Update, ImportKind::Inserted)),
    ModelHooks("sentry.querysubscription").normalizing(normalize_query_subscription).writing(kQuerySubscriptionColumns),
    ModelHooks("sentry.recentsearch").normalizing(normalize_recent_search).writing(kRecentSearchColumns),
    ModelHooks("sentry.relay").keyed(overwritable_config({"relay_id"})),
    ModelHooks("sentry.relayusage").keyed(overwritable_config({"relay_id", "version"})),
    ModelHooks("sentry.rule").normalizing(normalize_rule).writing(kRuleColumns),
    ModelHooks("sentry.savedsearch").normalizing(normalize_saved_search),
    ModelHooks("sentry.sentryapp").normalizing(normalize_sentry_app).writing(kSentryAppColumns),
    ModelHooks("sentry.sentryappinstallation")
        .normalizing(normalize_sentry_app_installation)
        .writing(kSentryAppInstallationColumns),
    ModelHooks("sentry.servicehook").normalizing(normalize_service_hook).writing(kServiceHookColumns),
    ModelHooks("sentry.team").resolving(resolve_teams).settling_unique({"slug"}).writing(kTeamColumns),
    ModelHooks("sentry.user")
        .named_by("username")
        .normalizing(normalize_user)
        .resolving(resolve_users)
        .settling_unique({"username"})
        .after_writing(after_write_users, {"email"})
        .filtered_as(FilterRole::User)
        .writing(kUserColumns),
    // The user's primary address already exists (created with the user): it takes the file's values,
    // and Sentry reports it as Inserted.
    ModelHooks("sentry.useremail")
        .normalizing(normalize_user_email)
        .keyed(get_or_create({"user_id", "email"}, Action::Update, ImportKind::Inserted))
        .after_writing(after_write_user_emails, {"email"})
        .writing(kUserEmailColumns),
    // UserIP.write_relocation_import: get-or-create by (user, ip_address); the later entry's
    // first_seen/last_seen are saved into the row, reported Inserted.
    ModelHooks("sentry.userip")
        .normalizing(normalize_user_ip)
        .keyed(get_or_create({"user_id", "ip_address"}, Action::Update, ImportKind::Inserted))
        .writing(kUserIpColumns),
    ModelHooks("sentry.useroption").normalizing(normalize_row_of_user).resolving(resolve_user_options),
    // The mixin's only unique set (user, permission) holds a foreign key, so Sentry always inserts.
    ModelHooks("sentry.userpermission").normalizing(normalize_row_of_user),
    ModelHooks("sentry.userrole").keyed(overwritable_config({"name"})),
};

constexpr bool less(const char *a, const char *b) {
	return std::string_view(a) < std::string_view(b);
}

constexpr bool sorted_by_model() {
	for (std::size_t i = 1; i < std::size(kHooks); ++i)
		if (!less(kHooks[i - 1].model, kHooks[i].model))
			return false;
	return true;
}
static_assert(sorted_by_model(), "kHooks must be sorted by model name, each model once");

const ModelHooks kNoHooks{};

} // namespace

const ModelHooks &hooks_for(std::string_view model) {
	const ModelHooks *it = std::lower_bound(std::begin(kHooks), std::end(kHooks), model,
	                                        [](const ModelHooks &h, std::string_view m) { return h.model < m; });
	if (it == std::end(kHooks) || it->model != model)
		return kNoHooks;
	return *it;
}

bool ModelHooks::collision_is_race(const std::string &columns) const {
	std::vector<std::string_view> names;
	for (std::size_t from = 0; from <= columns.size();) {
		const std::size_t to = std::min(columns.find(", ", from), columns.size());
		names.emplace_back(std::string_view(columns).substr(from, to - from));
		from = to + 2;
	}
	if (!key_rule.empty()) {
		std::size_t n = 0;
		while (n < key_rule.columns.size() && key_rule.columns[n] != nullptr)
			++n;
		if (n == names.size() && std::equal(names.begin(), names.end(), key_rule.columns.begin()))
			return true;
	}
	for (const char *settled : settles_unique)
		if (settled != nullptr && std::find(names.begin(), names.end(), settled) != names.end())
			return true;
	return false;
}

const ModelHooks *model_hooks_begin() {
	return std::begin(kHooks);
}
const ModelHooks *model_hooks_end() {
	return std::end(kHooks);
}

} // namespace relocate

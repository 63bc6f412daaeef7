// Rule.data's targets (core/rule_data.hpp): the team or member an issue alert's email action or
// assignee filter names, and the integration an integration action sends through, are remapped
// through the pk map, or nulled when they were not imported.
// Sentry copies them (src/sentry/models/rule.py has no normalize_before_relocation_import); the
// ids are read as Sentry's get_send_to_team / get_send_to_member read them (int(target_identifier)).
#include "core/rule_data.hpp"

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "core/error.hpp"

namespace relocate {
namespace {

struct Mapper {
	std::map<std::pair<std::string, std::int64_t>, std::int64_t> map;
	std::vector<std::string> nulled, fields;

	std::string run(const std::string &data) {
		return remap_rule_targets(
		    data,
		    [&](const char *model, std::int64_t pk) -> std::optional<std::int64_t> {
			    auto it = map.find({model, pk});
			    return it == map.end() ? std::nullopt : std::optional<std::int64_t>(it->second);
		    },
		    [&](const char *model, const char *field) {
			    nulled.emplace_back(model);
			    fields.emplace_back(field);
		    });
	}
};

TEST(RuleTargets, TeamAndMemberTargetsAreRemappedKeepingTheirJsonType) {
	Mapper m;
	m.map[{"sentry.team", 3}] = 103;
	m.map[{"sentry.user", 7}] = 207;
	EXPECT_EQ(m.run(R"({"match":"all","actions":[{"id":"sentry.mail.actions.NotifyEmailAction","targetType":"Team",)"
	                R"("targetIdentifier":3,"fallthroughType":"ActiveMembers"},)"
	                R"({"id":"sentry.mail.actions.NotifyEmailAction","targetType":"Member","targetIdentifier":"7"}],)"
	                R"("filters":[{"id":"sentry.rules.filters.assigned_to.AssignedToFilter","targetType":"Team",)"
	                R"("targetIdentifier":"3"}],"frequency":30.50})"),
	          R"({"match":"all","actions":[{"id":"sentry.mail.actions.NotifyEmailAction","targetType":"Team",)"
	          R"("targetIdentifier":103,"fallthroughType":"ActiveMembers"},)"
	          R"({"id":"sentry.mail.actions.NotifyEmailAction","targetType":"Member","targetIdentifier":"207"}],)"
	          R"("filters":[{"id":"sentry.rules.filters.assigned_to.AssignedToFilter","targetType":"Team",)"
	          R"("targetIdentifier":"103"}],"frequency":30.50})");
	EXPECT_TRUE(m.nulled.empty());
}

TEST(RuleTargets, ATargetThatWasNotImportedIsNulledAndCounted) {
	Mapper m;
	m.map[{"sentry.team", 3}] = 103;
	EXPECT_EQ(m.run(R"({"actions":[{"targetType":"Member","targetIdentifier":9},)"
	                R"({"targetType":"Team","targetIdentifier":3}],"conditions":[{"targetType":"Team",)"
	                R"("targetIdentifier":"4"}]})"),
	          R"({"actions":[{"targetType":"Member","targetIdentifier":null},)"
	          R"({"targetType":"Team","targetIdentifier":103}],"conditions":[{"targetType":"Team",)"
	          R"("targetIdentifier":null}]})");
	EXPECT_EQ(m.nulled, (std::vector<std::string>{"sentry.user", "sentry.team"}));
}

TEST(RuleTargets, OtherTargetsAndShapesAreKeptAsTheyCame) {
	Mapper m;
	m.map[{"sentry.team", 3}] = 103;
	for (const std::string &data : {
	         // The fresh install's default rule: IssueOwners has no identifier.
	         std::string(R"({"match":"all","conditions":[{"id":"sentry.rules.conditions.first_seen_event.)"
	                     R"(FirstSeenEventCondition"}],"actions":[{"id":"sentry.mail.actions.NotifyEmailAction",)"
	                     R"("targetType":"IssueOwners","targetIdentifier":null,"fallthroughType":"ActiveMembers"}]})"),
	         // Unassigned, an identifier that is not an integer, a target outside the three lists, a
	         // nested object, and a mapping to the same pk: nothing changes, not even the spacing.
	         std::string(R"({ "filters": [ {"targetType": "Unassigned", "targetIdentifier": 3} ],)"
	                     R"( "actions": [ {"targetType": "Team", "targetIdentifier": "three"},)"
	                     R"( {"targetType": "Team", "targetIdentifier": -3}, {"targetType": "Team",)"
	                     R"( "targetIdentifier": 3.0}, {"data": {"targetType": "Team", "targetIdentifier": 3}} ],)"
	                     R"( "other": [ {"targetType": "Team", "targetIdentifier": 3} ] })"),
	     })
		EXPECT_EQ(m.run(data), data);
	Mapper same;
	same.map[{"sentry.team", 3}] = 3;
	const std::string data = R"({ "actions": [ {"targetType": "Team", "targetIdentifier": 3} ] })";
	EXPECT_EQ(same.run(data), data);
	EXPECT_TRUE(m.nulled.empty());
}

TEST(RuleTargets, TheLastOfDuplicateKeysDecidesAsInPython) {
	Mapper m;
	m.map[{"sentry.user", 7}] = 207;
	// json.loads keeps the last "targetType": Member; both identifier members are rewritten.
	EXPECT_EQ(m.run(R"({"actions":[{"targetType":"Team","targetType":"Member","targetIdentifier":7}]})"),
	          R"({"actions":[{"targetType":"Team","targetType":"Member","targetIdentifier":207}]})");
}

// The integration of each integration action: the field its IntegrationEventAction's
// `integration_key` names (src/sentry/rules/actions/integrations/base.py get_integration_id reads
// it with int()); Slack "workspace", Microsoft Teams "team", Discord "server", PagerDuty and
// Opsgenie "account", the ticket actions (create_ticket/base.py TicketEventAction) "integration".
TEST(RuleTargets, TheIntegrationOfAnIntegrationActionIsRemapped) {
	Mapper m;
	m.map[{"sentry.integration", 5}] = 505;
	m.map[{"sentry.integration", 6}] = 606;
	EXPECT_EQ(
	    m.run(
	        R"({"actions":[)"
	        R"({"id":"sentry.integrations.slack.notify_action.SlackNotifyServiceAction","workspace":5,"channel":"#a"},)"
	        R"({"id":"sentry.integrations.msteams.notify_action.MsTeamsNotifyServiceAction","team":"6"},)"
	        R"({"id":"sentry.integrations.discord.notify_action.DiscordNotifyServiceAction","server":"5",)"
	        R"("channel_id":5},)"
	        R"({"account":6,"service":5,"id":"sentry.integrations.pagerduty.notify_action.PagerDutyNotifyServiceAction"},)"
	        R"({"id":"sentry.integrations.opsgenie.notify_action.OpsgenieNotifyTeamAction","account":5,"team":"5"},)"
	        R"({"id":"sentry.integrations.jira.notify_action.JiraCreateTicketAction","integration":6,"project":"5"},)"
	        R"({"id":"sentry.integrations.vsts.notify_action.AzureDevopsCreateTicketAction","integration":"5"}]})"),
	    R"({"actions":[)"
	    R"({"id":"sentry.integrations.slack.notify_action.SlackNotifyServiceAction","workspace":505,"channel":"#a"},)"
	    R"({"id":"sentry.integrations.msteams.notify_action.MsTeamsNotifyServiceAction","team":"606"},)"
	    R"({"id":"sentry.integrations.discord.notify_action.DiscordNotifyServiceAction","server":"505",)"
	    R"("channel_id":5},)"
	    R"({"account":606,"service":5,"id":"sentry.integrations.pagerduty.notify_action.PagerDutyNotifyServiceAction"},)"
	    R"({"id":"sentry.integrations.opsgenie.notify_action.OpsgenieNotifyTeamAction","account":505,"team":"5"},)"
	    R"({"id":"sentry.integrations.jira.notify_action.JiraCreateTicketAction","integration":606,"project":"5"},)"
	    R"({"id":"sentry.integrations.vsts.notify_action.AzureDevopsCreateTicketAction","integration":"505"}]})");
	EXPECT_TRUE(m.nulled.empty());
}

TEST(RuleTargets, AnIntegrationThatWasNotImportedIsNulledAndCounted) {
	Mapper m; // Organization scope: no integration is imported
	EXPECT_EQ(m.run(R"({"actions":[{"id":"sentry.integrations.slack.notify_action.SlackNotifyServiceAction",)"
	                R"("workspace":"5","channel":"#a"},{"id":"sentry.integrations.github.notify_action.)"
	                R"(GitHubCreateTicketAction","integration":7,"repo":"r"}]})"),
	          R"({"actions":[{"id":"sentry.integrations.slack.notify_action.SlackNotifyServiceAction",)"
	          R"("workspace":null,"channel":"#a"},{"id":"sentry.integrations.github.notify_action.)"
	          R"(GitHubCreateTicketAction","integration":null,"repo":"r"}]})");
	EXPECT_EQ(m.nulled, (std::vector<std::string>{"sentry.integration", "sentry.integration"}));
	EXPECT_EQ(m.fields, (std::vector<std::string>{"workspace", "integration"}));
}

TEST(RuleTargets, IntegrationFieldsOfOtherElementsAreKept) {
	Mapper m;
	m.map[{"sentry.integration", 5}] = 505;
	for (const std::string &data : {
	         // An action Sentry does not know as an integration action, a filter or condition with an
	         // "integration" field, Opsgenie's "team" (an Opsgenie team, not an integration), an
	         // action whose last "id" is not Slack's, and a workspace that is an object.
	         std::string(R"({"actions":[{"id":"sentry.rules.actions.notify_event.NotifyEventAction","integration":5},)"
	                     R"({"id":"sentry.integrations.opsgenie.notify_action.OpsgenieNotifyTeamAction","team":"5"},)"
	                     R"({"id":"sentry.integrations.slack.notify_action.SlackNotifyServiceAction","id":"x",)"
	                     R"("workspace":5},{"id":"sentry.integrations.slack.notify_action.SlackNotifyServiceAction",)"
	                     R"("workspace":5,"workspace":{"id":5}}],)"
	                     R"("filters":[{"id":"sentry.integrations.slack.notify_action.SlackNotifyServiceAction",)"
	                     R"("workspace":5}],"conditions":[{"integration":5}]})"),
	     })
		EXPECT_EQ(m.run(data), data);
	EXPECT_TRUE(m.nulled.empty());
}

TEST(RuleTargets, TextThatIsNotAJsonObjectIs22P02) {
	Mapper m;
	m.map[{"sentry.team", 3}] = 103;
	// A lone surrogate escape in data that is rewritten: the writer refuses it, as pre_save's does.
	try {
		m.run(R"({"actions":[{"targetType":"Team","targetIdentifier":3,"x":"\udc00"}]})");
		ADD_FAILURE() << "a lone surrogate was written";
	} catch (const ImportError &e) {
		EXPECT_STREQ(e.code(), "22P02");
		EXPECT_NE(std::string(e.what()).find("not valid Unicode"), std::string::npos) << e.what();
	}
	for (const char *data : {"[1]", "3", "{\"actions\":[", "not json"}) {
		try {
			m.run(data);
			ADD_FAILURE() << data;
		} catch (const FieldError &e) {
			// The importer adds the rule's pk and the entry's position to a FieldError.
			EXPECT_STREQ(e.code(), "22P02") << data;
			EXPECT_EQ(std::string(e.what()).rfind("field \"data\"", 0), 0u) << e.what();
		}
	}
}

} // namespace
} // namespace relocate

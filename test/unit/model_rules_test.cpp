// Tests of Sentry's per-model import rules (src/core/model_rules.cpp, import-spec §5.5, §6, appendix A.1, B)
// through the import engine and an in-memory Target with table shapes declared here (several of
// these tables are not in test/schema/sentry.sql). Rows the database already holds are declared in
// FakeTarget::existing; lookups also see every row the import wrote.
#include "core/model_hooks.hpp"
#include "core/model_rules.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <ctime>
#include <map>
#include <memory>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "core/catalogue.hpp"
#include "core/error.hpp"
#include "core/generated_values.hpp"
#include "core/importer.hpp"
#include "core/sentry_lists.hpp"
#include "fake_target.hpp"

namespace relocate {
namespace {

using testing::ColSpec;
using testing::FakeTarget;
using testing::make_table;
using Row = FakeTarget::Row;

// --- table shapes ------------------------------------------------------------------------------

std::map<std::string, TableShape> rule_tables() {
	std::map<std::string, TableShape> t;
	auto add = [&](const std::string &name, const std::vector<ColSpec> &cols) { t[name] = make_table(name, cols); };
	add("auth_user", {{"username", "varchar(128)", true}, {"email", "varchar(200)", true}, {"is_active", "boolean"}});
	add("sentry_email", {{"email", "citext", true}, {"date_added", "timestamptz", true}});
	add("sentry_useremail", {{"user_id", "bigint", true},
	                         {"email", "varchar(200)", true},
	                         {"validation_hash", "varchar(32)", true},
	                         {"date_hash_added", "timestamptz", true},
	                         {"is_verified", "boolean", true}});
	add("sentry_lostpasswordhash",
	    {{"user_id", "bigint", true}, {"hash", "varchar(32)", true}, {"date_added", "timestamptz", true}});
	add("sentry_organization", {{"name", "varchar(64)", true}, {"slug", "varchar(50)", true}, {"status", "integer"}});
	add("sentry_organizationslugreservation", {{"slug", "varchar(50)", true},
	                                           {"organization_id", "bigint", true},
	                                           {"user_id", "bigint"},
	                                           {"region_name", "varchar(48)", true},
	                                           {"reservation_type", "bigint", true},
	                                           {"date_added", "timestamptz", true}});
	add("sentry_option", {{"key", "varchar(128)", true}, {"last_updated", "timestamptz"}, {"value", "jsonb"}});
	add("sentry_controloption", {{"key", "varchar(128)", true}, {"last_updated", "timestamptz"}, {"value", "jsonb"}});
	add("sentry_relay", {{"relay_id", "varchar(64)", true}, {"public_key", "varchar(200)", true}});
	add("sentry_relayusage",
	    {{"relay_id", "varchar(64)", true}, {"version", "varchar(32)", true}, {"public_key", "varchar(200)"}});
	add("sentry_userrole", {{"name", "varchar(32)", true}, {"permissions", "text[]"}});
	add("sentry_userpermission", {{"user_id", "bigint", true}, {"permission", "varchar(32)", true}});
	add("sentry_useroption", {{"user_id", "bigint", true},
	                          {"project_id", "bigint"},
	                          {"organization_id", "bigint"},
	                          {"key", "varchar(64)", true},
	                          {"value", "jsonb"}});
	add("sentry_project",
	    {{"slug", "varchar(100)", true}, {"name", "varchar(200)", true}, {"organization_id", "bigint", true}});
	add("sentry_team",
	    {{"organization_id", "bigint", true}, {"slug", "varchar(50)", true}, {"name", "varchar(64)", true}});
	add("sentry_projectoptions", {{"project_id", "bigint", true}, {"key", "varchar(64)", true}, {"value", "text"}});
	add("sentry_projectkey", {{"project_id", "bigint", true},
	                          {"label", "varchar(64)"},
	                          {"public_key", "varchar(32)"},
	                          {"secret_key", "varchar(32)"},
	                          {"data", "text"}});
	add("sentry_apitoken", {{"application_id", "bigint"},
	                        {"user_id", "bigint", true},
	                        {"scope_list", "text[]", true},
	                        {"token", "varchar(71)", true},
	                        {"hashed_token", "varchar(128)"},
	                        {"token_type", "varchar(7)"},
	                        {"token_last_characters", "varchar(4)"},
	                        {"refresh_token", "varchar(71)"},
	                        {"hashed_refresh_token", "varchar(128)"},
	                        {"expires_at", "timestamptz"}});
	add("sentry_apikey", {{"organization_id", "bigint", true},
	                      {"label", "varchar(64)"},
	                      {"key", "varchar(32)", true},
	                      {"scope_list", "text[]", true}});
	add("sentry_orgauthtoken", {{"organization_id", "bigint", true},
	                            {"token_hashed", "text", true},
	                            {"token_last_characters", "varchar(4)"},
	                            {"name", "varchar(255)", true},
	                            {"scope_list", "text[]"}});
	add("sentry_organizationmember", {{"organization_id", "bigint", true},
	                                  {"user_id", "bigint"},
	                                  {"email", "varchar(75)"},
	                                  {"role", "varchar(32)"},
	                                  {"token", "varchar(64)"},
	                                  {"token_expires_at", "timestamptz"}});
	add("sentry_savedsearch", {{"organization_id", "bigint"},
	                           {"name", "varchar(128)", true},
	                           {"query", "text", true},
	                           {"is_global", "boolean"}});
	add("sentry_rule", {{"project_id", "bigint", true}, {"label", "varchar(256)", true}, {"data", "text", true}});
	add("sentry_recentsearch", {{"organization_id", "bigint", true},
	                            {"user_id", "bigint", true},
	                            {"type", "smallint"},
	                            {"query", "text", true},
	                            {"query_hash", "varchar(32)"}});
	// Not in test/schema/sentry.sql.
	add("sentry_monitor", {{"organization_id", "bigint", true},
	                       {"project_id", "bigint", true},
	                       {"guid", "uuid", true},
	                       {"slug", "varchar(50)", true},
	                       {"name", "varchar(128)", true},
	                       {"owner_user_id", "bigint"},
	                       {"owner_team_id", "bigint"}});
	add("sentry_userip", {{"user_id", "bigint", true},
	                      {"ip_address", "inet", true},
	                      {"country_code", "varchar(16)"},
	                      {"region_code", "varchar(16)"},
	                      {"first_seen", "timestamptz", true},
	                      {"last_seen", "timestamptz", true}});
	add("sentry_incident",
	    {{"organization_id", "bigint", true}, {"identifier", "integer", true}, {"detection_uuid", "uuid"}});
	add("sentry_incidentactivity",
	    {{"incident_id", "bigint", true}, {"type", "integer", true}, {"notification_uuid", "uuid"}});
	return t;
}

// --- export entries ------------------------------------------------------------------------------

std::string entry(const std::string &model, int pk, const std::string &fields) {
	return R"({"model": ")" + model + R"(", "pk": )" + std::to_string(pk) + R"(, "fields": {)" + fields + "}}";
}

std::string arr(const std::vector<std::string> &entries) {
	std::string s = "[\n";
	for (std::size_t i = 0; i < entries.size(); ++i)
		s += entries[i] + (i + 1 < entries.size() ? ",\n" : "\n");
	return s + "]";
}

const std::string kOrg = entry("sentry.organization", 1, R"("name": "Acme", "slug": "acme", "status": 0)");
const std::string kUser = entry("sentry.user", 1, R"("username": "u1", "email": "", "is_active": true)");
std::string project(int pk, const std::string &slug) {
	return entry("sentry.project", pk, R"("slug": ")" + slug + R"(", "name": "P", "organization": 1)");
}

// --- running imports -----------------------------------------------------------------------------

struct RulesRun {
	FakeTarget target{rule_tables()};
	ImportReport report;
};

void run(RulesRun &r, const std::string &json, const std::string &scope = "global", ImportOptions options = {}) {
	options.admitted_scopes = admitted_scopes_for(scope);
	try {
		r.report = run_import(json.data(), json.size(), options, r.target);
	} catch (const ImportError &e) {
		ADD_FAILURE() << "ImportError " << e.code() << ": " << e.what() << " / " << e.detail();
	}
}

const ModelSummary &summary(const ImportReport &report, const std::string &model) {
	for (const ModelSummary &m : report.models)
		if (m.model == model)
			return m;
	static const ModelSummary none{"<none>", -1, -1, -1, -1};
	ADD_FAILURE() << "no summary for " << model;
	return none;
}

const FakeTarget::PkRow *pk_row(const FakeTarget &t, const std::string &model, std::int64_t old_pk) {
	for (const FakeTarget::PkRow &p : t.pk_rows)
		if (p.model == model && p.old_pk == old_pk)
			return &p;
	return nullptr;
}

std::string cell(const Row &row, const std::string &column) {
	auto it = row.find(column);
	if (it == row.end())
		return "<absent>";
	return it->second ? *it->second : "<NULL>";
}

// The written row with this id (inserted by the import, or declared existing).
Row row_by_id(const FakeTarget &t, const std::string &table, std::int64_t id) {
	for (const Row &row : t.rows_of(table))
		if (cell(row, "id") == std::to_string(id))
			return row;
	auto it = t.existing.find(table);
	if (it != t.existing.end())
		for (const Row &row : it->second)
			if (cell(row, "id") == std::to_string(id))
				return row;
	ADD_FAILURE() << "no row " << id << " in " << table;
	return {};
}

// The row the pk map says `model` pk `old_pk` became.
Row row_for(const FakeTarget &t, const std::string &model, const std::string &table, std::int64_t old_pk) {
	const FakeTarget::PkRow *p = pk_row(t, model, old_pk);
	if (p == nullptr) {
		ADD_FAILURE() << model << " pk " << old_pk << " is not in the pk map";
		return {};
	}
	return row_by_id(t, table, p->new_pk);
}

bool is_hex(const std::string &s, std::size_t length) {
	return s.size() == length && s.find_first_not_of("0123456789abcdef") == std::string::npos;
}

// unique_db_instance's base for an empty or reserved value: 12 random hex digits, suffixed like any
// base when they happen to be all digits (one time in 280).
bool is_random_base(const std::string &s) {
	return is_hex(s, 12) || std::regex_match(s, std::regex("[0-9]{12}-[a-z0-9]{2,12}"));
}

const std::regex kUuid4("^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$");

// Seconds from now to a timestamp written as "YYYY-MM-DDTHH:MM:SS.ffffff+00:00".
double seconds_from_now(const std::string &ts) {
	std::tm tm{};
	int frac = 0;
	if (std::sscanf(ts.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d.%6d+00:00", &tm.tm_year, &tm.tm_mon, &tm.tm_mday, &tm.tm_hour,
	                &tm.tm_min, &tm.tm_sec, &frac) != 7) {
		ADD_FAILURE() << "not an ISO 8601 UTC timestamp: " << ts;
		return 0;
	}
	tm.tm_year -= 1900;
	tm.tm_mon -= 1;
	const double then = static_cast<double>(timegm(&tm)) + frac / 1e6;
	const double now = std::chrono::duration<double>(std::chrono::system_clock::now().time_since_epoch()).count();
	return then - now;
}

constexpr double kThirtyDays = 30 * 24 * 3600.0;

// A FakeTarget that records, per find_rows call, the table, the fetched column and the probes.
class RecordingTarget : public FakeTarget {
public:
	struct Lookup {
		std::string table;
		std::string fetch; // "" if none
		std::vector<std::vector<std::string>> probes;
	};
	using FakeTarget::FakeTarget;
	std::vector<Lookup> lookups;
	std::vector<std::optional<FoundRow>> find_rows(const KeyLookup &lookup) override {
		lookups.push_back(Lookup{lookup.table->name,
		                         lookup.fetch_column >= 0
		                             ? lookup.table->columns[static_cast<std::size_t>(lookup.fetch_column)].name
		                             : std::string(),
		                         lookup.probes});
		return FakeTarget::find_rows(lookup);
	}
};

// --- 1. overwrite_configs (import-spec §5.5) ---------------------------------------------------------------

std::string config_export() {
	return arr({
	    kUser,
	    entry("sentry.option", 1, R"("key": "system.admin-email", "value": "\"new@example.com\"")"),
	    entry("sentry.option", 2, R"("key": "other", "value": "1")"),
	    entry("sentry.controloption", 1, R"("key": "k", "value": "2")"),
	    entry("sentry.relay", 1, R"("relay_id": "r-1", "public_key": "new-key")"),
	    entry("sentry.relay", 2, R"("relay_id": "r-2", "public_key": "pk2")"),
	    entry("sentry.relayusage", 1, R"("relay_id": "r-1", "version": "1.0", "public_key": "new-key")"),
	    entry("sentry.relayusage", 2, R"("relay_id": "r-1", "version": "2.0", "public_key": "new-key")"),
	    entry("sentry.userrole", 1, R"("name": "Super Admin", "permissions": "['users.admin']")"),
	    entry("sentry.userrole", 2, R"("name": "Other", "permissions": "[]")"),
	    entry("sentry.userpermission", 1, R"("user": 1, "permission": "broadcasts.admin")"),
	});
}

void declare_existing_configs(FakeTarget &t) {
	t.existing["sentry_option"] = {{{"id", "7"}, {"key", "system.admin-email"}, {"value", "\"old@example.com\""}}};
	t.existing["sentry_controloption"] = {{{"id", "11"}, {"key", "k"}, {"value", "0"}}};
	t.existing["sentry_relay"] = {{{"id", "8"}, {"relay_id", "r-1"}, {"public_key", "old-key"}}};
	t.existing["sentry_relayusage"] = {{{"id", "9"}, {"relay_id", "r-1"}, {"version", "1.0"}}};
	t.existing["sentry_userrole"] = {{{"id", "10"}, {"name", "Super Admin"}, {"permissions", "{}"}}};
	// The same permission for the same (new) user: UserPermission has no collision check.
	t.existing["sentry_userpermission"] = {{{"id", "5"}, {"user_id", "100"}, {"permission", "broadcasts.admin"}}};
}

struct ConfigCase {
	const char *model;
	const char *table;
	std::int64_t colliding_pk;
	std::int64_t existing_id;
};
const ConfigCase kConfigCases[] = {
    {"sentry.option", "sentry_option", 1, 7},      {"sentry.controloption", "sentry_controloption", 1, 11},
    {"sentry.relay", "sentry_relay", 1, 8},        {"sentry.relayusage", "sentry_relayusage", 1, 9},
    {"sentry.userrole", "sentry_userrole", 1, 10},
};

TEST(ModelRules, ConfigCollisionWithoutOverwriteReusesTheExistingRow) {
	RulesRun r;
	declare_existing_configs(r.target);
	run(r, config_export(), "global");
	for (const ConfigCase &c : kConfigCases) {
		SCOPED_TRACE(c.model);
		const FakeTarget::PkRow *p = pk_row(r.target, c.model, c.colliding_pk);
		ASSERT_NE(p, nullptr);
		EXPECT_EQ(p->new_pk, c.existing_id);
		EXPECT_EQ(p->kind, ImportKind::Existing);
		EXPECT_EQ(summary(r.report, c.model).existing, 1);
		EXPECT_EQ(summary(r.report, c.model).overwritten, 0);
		EXPECT_EQ(summary(r.report, c.model).inserted, std::string(c.model) == "sentry.controloption" ? 0 : 1);
	}
	// Nothing is written onto the existing rows.
	EXPECT_TRUE(r.target.updates.empty());
	EXPECT_EQ(cell(r.target.existing["sentry_option"][0], "value"), "\"old@example.com\"");
	// The rows that do not collide are inserted; relayusage's key is (relay_id, version).
	auto options = r.target.rows_of("sentry_option");
	ASSERT_EQ(options.size(), 1u);
	EXPECT_EQ(cell(options[0], "key"), "other");
	auto usages = r.target.rows_of("sentry_relayusage");
	ASSERT_EQ(usages.size(), 1u);
	EXPECT_EQ(cell(usages[0], "version"), "2.0");
	EXPECT_EQ(r.report.rows_reused, 5);
	// UserPermission always inserts, even over an identical (user, permission).
	EXPECT_EQ(summary(r.report, "sentry.userpermission").inserted, 1);
	EXPECT_EQ(r.target.rows_of("sentry_userpermission").size(), 1u);
}

// A key repeated within one batch (the same UserRole twice, as in Sentry's four-users file): the
// later rows find the row the batch inserts, as Sentry finds the row it has just written.
TEST(ModelRules, KeyRepeatedWithinOneBatchFindsTheRowItInserts) {
	for (bool overwrite : {false, true}) {
		SCOPED_TRACE(overwrite ? "overwrite_configs" : "default");
		RulesRun r;
		ImportOptions options;
		options.overwrite_configs = overwrite;
		run(r,
		    arr({entry("sentry.userrole", 1, R"("name": "Super Admin", "permissions": "['a']")"),
		         entry("sentry.userrole", 3, R"("name": "Super Admin", "permissions": "['b']")")}),
		    "config", options);
		auto roles = r.target.rows_of("sentry_userrole");
		ASSERT_EQ(roles.size(), 1u);
		const FakeTarget::PkRow *first = pk_row(r.target, "sentry.userrole", 1);
		const FakeTarget::PkRow *second = pk_row(r.target, "sentry.userrole", 3);
		ASSERT_TRUE(first && second);
		EXPECT_EQ(second->new_pk, first->new_pk);
		EXPECT_EQ(first->kind, ImportKind::Inserted);
		EXPECT_EQ(second->kind, overwrite ? ImportKind::Overwrite : ImportKind::Existing);
		// With overwrite_configs the second row's values are written onto the first.
		EXPECT_EQ(cell(roles[0], "permissions"), overwrite ? "{\"b\"}" : "{\"a\"}");
	}
}

TEST(ModelRules, ConfigCollisionWithOverwriteWritesOntoTheExistingRow) {
	RulesRun r;
	declare_existing_configs(r.target);
	ImportOptions o;
	o.overwrite_configs = true;
	run(r, config_export(), "global", o);
	for (const ConfigCase &c : kConfigCases) {
		SCOPED_TRACE(c.model);
		const FakeTarget::PkRow *p = pk_row(r.target, c.model, c.colliding_pk);
		ASSERT_NE(p, nullptr);
		EXPECT_EQ(p->new_pk, c.existing_id);
		EXPECT_EQ(p->kind, ImportKind::Overwrite);
		EXPECT_EQ(summary(r.report, c.model).overwritten, 1);
		EXPECT_EQ(summary(r.report, c.model).existing, 0);
		// One UPDATE of the existing row with every column of the batch.
		int updates = 0;
		for (const FakeTarget::Batch &b : r.target.updates) {
			if (b.table != c.table)
				continue;
			++updates;
			EXPECT_EQ(b.ids, std::vector<std::int64_t>{c.existing_id});
		}
		EXPECT_EQ(updates, 1);
	}
	EXPECT_EQ(r.report.rows_updated, 5);
	EXPECT_EQ(cell(r.target.existing["sentry_option"][0], "value"), "\"new@example.com\"");
	EXPECT_EQ(cell(r.target.existing["sentry_relay"][0], "public_key"), "new-key");
	EXPECT_EQ(cell(r.target.existing["sentry_relayusage"][0], "public_key"), "new-key");
	EXPECT_EQ(cell(r.target.existing["sentry_userrole"][0], "permissions"), "{\"users.admin\"}");
	EXPECT_EQ(summary(r.report, "sentry.option").inserted, 1);
	EXPECT_EQ(summary(r.report, "sentry.userpermission").inserted, 1);
}

TEST(ModelRules, LargeValuesOfAnUpdatedAndAnInsertedRowReachTheirStatementsWhole) {
	// One batch: an overwritten option and a new one, each with a value of more than 1 MiB. The
	// batch's rows are split into an UPDATE and an INSERT, their large values moved there, not copied:
	// each statement gets its row's value whole, and the rest of the batch (the report) still works.
	RulesRun r;
	declare_existing_configs(r.target);
	ImportOptions o;
	o.overwrite_configs = true;
	const std::string big1(1500000, 'a'), big2(1200000, 'b');
	run(r,
	    arr({entry("sentry.option", 1, R"("key": "system.admin-email", "value": ")" + big1 + "\""),
	         entry("sentry.option", 2, R"("key": "other", "value": ")" + big2 + "\"")}),
	    "global", o);
	EXPECT_EQ(cell(r.target.existing["sentry_option"][0], "value"), "\"" + big1 + "\"");
	auto inserted = r.target.rows_of("sentry_option");
	ASSERT_EQ(inserted.size(), 1u);
	EXPECT_EQ(cell(inserted[0], "key"), "other");
	EXPECT_EQ(cell(inserted[0], "value"), "\"" + big2 + "\"");
	EXPECT_EQ(summary(r.report, "sentry.option").overwritten, 1);
	EXPECT_EQ(summary(r.report, "sentry.option").inserted, 1);
}

// --- 2. sentry.useroption ----------------------------------------------------------------------------

std::string user_option(int pk, const std::string &key, const std::string &org = "null") {
	// A value Sentry's user-options validation accepts for the key.
	const std::string value = key == "clock24Hours" ? "true"
	                          : key == "theme"      ? R"("\"dark\"")"
	                          : key == "timezone"   ? R"("\"UTC\"")"
	                          : key == "language"   ? R"("\"pt-br\"")"
	                                                : R"("\"x\"")";
	return entry("sentry.useroption", pk,
	             R"("user": 1, "organization_id": )" + org + R"(, "project_id": null, "key": ")" + key +
	                 R"(", "value": )" + value);
}

// Sentry's user-options validation (test_bad_invalid_user_option; UserOption.write_relocation_import
// runs UserOptionsSerializer): a value it refuses fails the import, naming the entry and the option.
std::string option_entry(int pk, const std::string &key, const std::string &value) {
	return entry("sentry.useroption", pk,
	             R"("user": 1, "organization_id": null, "project_id": null, "key": ")" + key + R"(", "value": )" +
	                 value);
}

TEST(ModelRules, InvalidUserOptionValuesFailTheImport) {
	struct Case {
		const char *key;
		const char *value;
	} cases[] = {{"timezone", R"("\"MiddleEarth/Gondor\"")"},
	             {"timezone", R"("\"utc\"")"},                 // case-sensitive
	             {"timezone", R"("\"posix/Europe/Vienna\"")"}, // zoneinfo leaves out posix/ and right/
	             {"timezone", R"("\"Factory\"")"},             // Sentry removes it
	             {"timezone", R"("\"\"")"},
	             {"timezone", "null"},           // This field may not be null.
	             {"language", R"("\"nl\"")"},    // its catalog is nl_NL, which LANGUAGES lacks
	             {"language", R"("\"pt-BR\"")"}, // the code is pt-br
	             {"language", "null"},
	             {"stacktraceOrder", R"("\"3\"")"},
	             {"stacktraceOrder", "1.0"}, // str(1.0) is "1.0"
	             {"clock24Hours", R"("\"maybe\"")"},
	             {"clock24Hours", "2"},
	             {"clock24Hours", "null"},
	             {"prefersChonkUI", R"("\"null\"")"},
	             {"theme", R"("\"pink\"")"},
	             {"theme", "null"},
	             {"defaultIssueEvent", R"("\"newest\"")"}};
	for (const Case &c : cases) {
		SCOPED_TRACE(std::string(c.key) + " = " + c.value);
		FakeTarget target{rule_tables()};
		ImportOptions options;
		options.admitted_scopes = admitted_scopes_for("user");
		const std::string json = arr({kUser, option_entry(7, c.key, c.value)});
		try {
			run_import(json.data(), json.size(), options, target);
			ADD_FAILURE() << "accepted";
		} catch (const ImportError &e) {
			EXPECT_STREQ(e.code(), "22023");
			EXPECT_NE(std::string(e.what()).find("sentry.useroption pk 7"), std::string::npos) << e.what();
			EXPECT_NE(std::string(e.what()).find(c.key), std::string::npos) << e.what();
			EXPECT_NE(e.detail().find("Sentry's UserOptionsSerializer says: "), std::string::npos) << e.detail();
		}
	}
	// Valid values pass, and keys that are no field of the serializer are not checked at all.
	const char *valid[][2] = {
	    {"timezone", R"("\"UTC\"")"},
	    {"timezone", R"("\"America/Argentina/Buenos_Aires\"")"},
	    {"language", R"("\"pt-br\"")"},
	    {"language", R"("\"zh-tw\"")"},
	    {"theme", R"("\"system\"")"},
	    {"stacktraceOrder", R"("\"-1\"")"},
	    {"stacktraceOrder", "2"}, // str(2) is "2"
	    {"clock24Hours", R"("\"yes\"")"},
	    {"clock24Hours", R"("\"OFF\"")"},
	    {"clock24Hours", "0"},
	    {"clock24Hours", "1.0"}, // 1.0 == 1: in TRUE_VALUES
	    {"prefersIssueDetailsStreamlinedUI", "false"},
	    {"defaultIssueEvent", R"("\"oldest\"")"},
	    {"clock_24_hours", R"("\"garbage\"")"},
	    {"stacktrace_order", "null"},
	};
	int pk = 10;
	std::vector<std::string> entries{kUser};
	for (const auto &v : valid)
		entries.push_back(option_entry(pk++, v[0], v[1]));
	FakeTarget target{rule_tables()};
	ImportOptions options;
	options.admitted_scopes = admitted_scopes_for("user");
	const std::string ok = arr(entries);
	EXPECT_NO_THROW(run_import(ok.data(), ok.size(), options, target));
}

// A row's dropped fields are counted once it is written: a user option that UserOption's
// write_relocation_import skips (the second of two with one (user, key)) adds no "field_dropped"
// row to the report and no row to the WARNING's count.
TEST(ModelRules, DroppedFieldsOfARowTheRulesSkipAreNotCounted) {
	RulesRun r;
	ImportOptions o;
	o.ignore_unknown_fields = true;
	auto with_unknown = [](std::string e) { return e.insert(e.rfind("}}"), R"(, "doesnotexist": 1)"), e; };
	run(r, arr({kOrg, kUser, with_unknown(user_option(5, "theme")), with_unknown(user_option(6, "theme"))}), "global",
	    o);
	const ModelSummary &options = summary(r.report, "sentry.useroption");
	EXPECT_EQ(options.inserted, 1);
	EXPECT_EQ(options.skipped, 1);
	ASSERT_EQ(r.report.dropped_fields.size(), 1u);
	EXPECT_EQ(r.report.dropped_fields[0].field, "doesnotexist");
	EXPECT_EQ(r.report.dropped_fields[0].rows, 1);
	std::vector<std::int64_t> dropped;
	for (const FakeTarget::ReportRow &row : r.target.report_rows)
		if (row.action == "field_dropped")
			dropped.push_back(row.old_pk);
	EXPECT_EQ(dropped, std::vector<std::int64_t>{5});
}

// Issue #10, honest replays: an entry the first run skipped by one of Sentry's rules (here a user
// option that exists, UserOption's write_relocation_import) is not in the first run's chunk; the
// replay runs the rules again, which skip it again, so the replay is no error and writes nothing.
TEST(ModelRules, AReplaySkipsAgainWhatTheRulesSkipped) {
	RulesRun r;
	r.target.existing["sentry_useroption"] = {{{"id", "1"}, {"user_id", "100"}, {"key", "timezone"}}};
	ImportOptions o;
	o.import_uuid = "0d9c8b7a-6f5e-4d3c-9b2a-1f0e9d8c7b6a";
	const std::string json =
	    arr({kOrg, kUser, user_option(1, "timezone"), user_option(5, "theme"), user_option(6, "theme")});
	run(r, json, "global", o);
	const ModelSummary first = summary(r.report, "sentry.useroption");
	ASSERT_EQ(first.inserted, 1);
	ASSERT_EQ(first.skipped, 2);
	const std::size_t rows = r.target.rows_inserted;
	run(r, json, "global", o);
	const ModelSummary &second = summary(r.report, "sentry.useroption");
	EXPECT_EQ(second.inserted, 0);
	EXPECT_EQ(second.reused, 1);
	EXPECT_EQ(second.skipped, 2);
	EXPECT_EQ(second.skipped_by[static_cast<std::size_t>(SkipReason::Rule)], 2);
	EXPECT_EQ(r.target.rows_inserted, rows);
}

TEST(SentryLists, TimeZonesAndLanguages) {
	EXPECT_EQ(sentry_time_zone_count(), 598u);
	EXPECT_TRUE(is_sentry_time_zone("UTC"));
	EXPECT_TRUE(is_sentry_time_zone("Europe/Vienna"));
	EXPECT_TRUE(is_sentry_time_zone("US/Pacific")); // a backward link: a file of the zoneinfo tree
	EXPECT_FALSE(is_sentry_time_zone("Factory"));
	EXPECT_FALSE(is_sentry_time_zone("posixrules"));
	EXPECT_FALSE(is_sentry_time_zone("posix/UTC"));
	EXPECT_FALSE(is_sentry_time_zone("right/UTC"));
	EXPECT_FALSE(is_sentry_time_zone("Europe/vienna"));
	EXPECT_EQ(sentry_languages().size, 38u);
	for (const char *code : {"af", "en", "pt", "pt-br", "sv-se", "zh-cn", "zh-tw"})
		EXPECT_TRUE(is_sentry_language(code)) << code;
	for (const char *code : {"nl", "nl-nl", "no", "nb", "ach", "si", "pl-pl", "ro-ro", "ru-ru", "pt-BR", "EN", ""})
		EXPECT_FALSE(is_sentry_language(code)) << code;
}

TEST(ModelRules, GlobalUserOptionThatExistsIsSkipped) {
	for (std::size_t batch_rows : {std::size_t(1000), std::size_t(1)}) {
		SCOPED_TRACE(batch_rows);
		RulesRun r;
		// The user becomes auth_user 100.
		r.target.existing["sentry_useroption"] = {
		    {{"id", "1"}, {"user_id", "100"}, {"key", "timezone"}},                               // global
		    {{"id", "2"}, {"user_id", "100"}, {"key", "clock24Hours"}, {"organization_id", "5"}}, // not global
		    {{"id", "3"}, {"user_id", "999"}, {"key", "language"}},                               // another user
		};
		ImportOptions o;
		o.batch_rows = batch_rows;
		run(r,
		    arr({kOrg, kUser, user_option(1, "timezone"), user_option(2, "clock24Hours"), user_option(3, "language"),
		         user_option(4, "timezone", "1"), user_option(5, "theme"), user_option(6, "theme")}),
		    "global", o);
		const ModelSummary &s = summary(r.report, "sentry.useroption");
		EXPECT_EQ(s.inserted, 4);
		EXPECT_EQ(s.skipped, 2);
		EXPECT_EQ(pk_row(r.target, "sentry.useroption", 1), nullptr); // the user has a global timezone
		EXPECT_EQ(pk_row(r.target, "sentry.useroption", 6), nullptr); // theme came earlier in the import
		for (int pk : {2, 3, 4, 5})
			EXPECT_NE(pk_row(r.target, "sentry.useroption", pk), nullptr) << pk;
		EXPECT_EQ(cell(row_for(r.target, "sentry.useroption", "sentry_useroption", 4), "organization_id"),
		          std::to_string(*r.target.new_pk("sentry.organization", 1)));
		std::multiset<std::string> keys;
		for (const Row &row : r.target.rows_of("sentry_useroption"))
			keys.insert(cell(row, "key"));
		EXPECT_EQ(keys, (std::multiset<std::string>{"clock24Hours", "language", "timezone", "theme"}));
	}
}

// --- 3. sentry.projectoption and the project's sentry:option-epoch ---------------------------------

TEST(ModelRules, ProjectOptionsGetOrCreateAndTheOptionEpochSignal) {
	RulesRun r;
	// In Global scope projects keep their ids (1, 2, 3); project 2 already has an origins option in
	// the database.
	r.target.existing["sentry_projectoptions"] = {
	    {{"id", "50"}, {"project_id", "2"}, {"key", "sentry:origins"}, {"value", "[]"}}};
	run(r, arr({kOrg, project(1, "p1"), project(2, "p2"), project(3, "p3"),
	            entry("sentry.projectoption", 1, R"("project": 1, "key": "sentry:option-epoch", "value": 11)"),
	            entry("sentry.projectoption", 2, R"("project": 2, "key": "sentry:origins", "value": "[\"*\"]")"),
	            entry("sentry.projectoption", 3, R"("project": 1, "key": "sentry:token", "value": "\"abc\"")")}));
	const std::int64_t p1 = *r.target.new_pk("sentry.project", 1), p2 = *r.target.new_pk("sentry.project", 2),
	                   p3 = *r.target.new_pk("sentry.project", 3);
	// Each new project got its option-epoch 13, in one derived batch that ignores conflicts.
	std::map<std::string, std::string> epoch; // project_id -> value
	std::map<std::string, std::int64_t> epoch_id;
	for (const Row &row : r.target.rows_of("sentry_projectoptions"))
		if (cell(row, "key") == "sentry:option-epoch") {
			epoch[cell(row, "project_id")] = cell(row, "value");
			epoch_id[cell(row, "project_id")] = std::stoll(cell(row, "id"));
		}
	ASSERT_EQ(epoch.size(), 3u);
	EXPECT_EQ(epoch[std::to_string(p1)], "11"); // the file's option was written onto it
	EXPECT_EQ(epoch[std::to_string(p2)], "13");
	EXPECT_EQ(epoch[std::to_string(p3)], "13");
	// The derived epochs are held back until the file's own options have been written: project 1's
	// own epoch option takes the place of its derived one (one INSERT, no UPDATE), and the derived
	// batch holds the other two projects' epochs.
	std::vector<const FakeTarget::Batch *> derived;
	for (const FakeTarget::Batch *b : r.target.batches_of("sentry_projectoptions"))
		if (b->model == "sentry_projectoptions")
			derived.push_back(b);
	ASSERT_EQ(derived.size(), 1u);
	EXPECT_EQ(derived[0]->rows.size(), 2u);
	// Get-or-create: the existing rows are updated, and Sentry reports every one as Inserted.
	const FakeTarget::PkRow *o1 = pk_row(r.target, "sentry.projectoption", 1);
	const FakeTarget::PkRow *o2 = pk_row(r.target, "sentry.projectoption", 2);
	const FakeTarget::PkRow *o3 = pk_row(r.target, "sentry.projectoption", 3);
	ASSERT_TRUE(o1 && o2 && o3);
	EXPECT_EQ(o1->new_pk, epoch_id[std::to_string(p1)]);
	EXPECT_EQ(o1->kind, ImportKind::Inserted);
	EXPECT_EQ(o2->new_pk, 50);
	EXPECT_EQ(o2->kind, ImportKind::Inserted);
	EXPECT_EQ(cell(r.target.existing["sentry_projectoptions"][0], "value"), "[\"*\"]");
	EXPECT_EQ(o3->kind, ImportKind::Inserted);
	EXPECT_EQ(cell(row_by_id(r.target, "sentry_projectoptions", o3->new_pk), "key"), "sentry:token");
	EXPECT_EQ(summary(r.report, "sentry.projectoption").inserted, 3);
	EXPECT_EQ(r.report.rows_updated, 1);     // only the option that was in the database
	EXPECT_EQ(r.report.derived_rows, 1 + 2); // the organization's slug reservation and two epochs
}

// --- 4. sentry.projectkey ----------------------------------------------------------------------------

std::string project_key(int pk, const std::string &keys) {
	return entry("sentry.projectkey", pk, R"("project": 1, "label": "Default", )" + keys + R"(, "data": {})");
}

TEST(ModelRules, ProjectKeysThatAreEmptyOrTakenAreReplaced) {
	const std::string a(32, 'a'), b(32, 'b'), c(32, 'c'), d(32, 'd'), e(32, 'e'), s(32, '5');
	RulesRun r;
	r.target.existing["sentry_projectkey"] = {{{"id", "7"}, {"project_id", "1"}, {"public_key", a}, {"secret_key", s}}};
	run(r, arr({kOrg, project(1, "p1"),
	            project_key(1, R"("public_key": ")" + a + R"(", "secret_key": ")" + b + "\""), // public taken in the DB
	            project_key(2, R"("public_key": "", "secret_key": ")" + s + "\""),             // empty; secret taken
	            project_key(3, R"("public_key": ")" + c + R"(", "secret_key": ")" + d + "\""), // kept
	            project_key(4, R"("public_key": ")" + c + R"(", "secret_key": ")" + e + "\""), // public taken by pk 3
	            project_key(5, R"("secret_key": null)")}));                                    // missing / NULL
	// Every key is kept (Sentry would keep one per project), each a row of its own.
	EXPECT_EQ(summary(r.report, "sentry.projectkey").inserted, 5);
	auto rows = r.target.rows_of("sentry_projectkey");
	ASSERT_EQ(rows.size(), 5u);
	ASSERT_EQ(r.target.batches_of("sentry_projectkey").size(), 1u); // one column set: one batch
	std::set<std::string> publics, secrets;
	for (const Row &row : rows) {
		EXPECT_TRUE(is_hex(cell(row, "public_key"), 32)) << cell(row, "public_key");
		EXPECT_TRUE(is_hex(cell(row, "secret_key"), 32)) << cell(row, "secret_key");
		publics.insert(cell(row, "public_key"));
		secrets.insert(cell(row, "secret_key"));
		EXPECT_EQ(cell(row, "project_id"), std::to_string(*r.target.new_pk("sentry.project", 1)));
	}
	EXPECT_EQ(publics.size(), 5u);
	EXPECT_EQ(secrets.size(), 5u);
	EXPECT_EQ(publics.count(a), 0u);
	EXPECT_EQ(secrets.count(s), 0u);
	auto key = [&](int pk) { return row_for(r.target, "sentry.projectkey", "sentry_projectkey", pk); };
	EXPECT_EQ(cell(key(1), "secret_key"), b);
	EXPECT_EQ(cell(key(3), "public_key"), c);
	EXPECT_EQ(cell(key(3), "secret_key"), d);
	EXPECT_NE(cell(key(4), "public_key"), c);
	EXPECT_EQ(cell(key(4), "secret_key"), e);
}

// --- 5. sentry.apitoken ------------------------------------------------------------------------------

std::string api_token_entry(int pk, const std::string &fields) {
	return entry("sentry.apitoken", pk,
	             R"("user": 1, "application": null, "scope_list": ["org:admin"], "hashed_token": "stale",
	                "hashed_refresh_token": "stale", "token_last_characters": "zzzz", )" +
	                 fields);
}

TEST(ModelRules, ApiTokensCollisionsHashesAndScopes) {
	RulesRun r;
	r.target.existing["sentry_apitoken"] = {
	    {{"id", "3"}, {"user_id", "1"}, {"token", "tok-existing"}, {"refresh_token", "ref-existing"}}};
	run(r, arr({kUser,
	            // The token is taken: a new one of its type; no refresh token or expiry to renew.
	            api_token_entry(1, R"("token": "tok-existing", "token_type": "sntryu_", "refresh_token": null,
	                                  "expires_at": null)"),
	            // The refresh token is taken: both are renewed (no type: no prefix), and the expiry.
	            api_token_entry(2, R"("token": "tok-b", "token_type": null, "refresh_token": "ref-existing",
	                                  "expires_at": "2020-01-01T00:00:00Z")"),
	            // Nothing taken: kept; hashes and last characters recomputed from the file's values.
	            api_token_entry(3, R"("token": "tok-c", "token_type": null, "refresh_token": "ref-c",
	                                  "expires_at": "2020-01-01T00:00:00Z")"),
	            // The token is taken by the previous entry of the same batch.
	            api_token_entry(4, R"("token": "tok-c", "token_type": "sntrya_", "refresh_token": null,
	                                  "expires_at": "2021-01-01T00:00:00Z")")}));
	EXPECT_EQ(summary(r.report, "sentry.apitoken").inserted, 4);
	auto token = [&](int pk) { return row_for(r.target, "sentry.apitoken", "sentry_apitoken", pk); };
	auto expect_hashes = [&](const Row &row) {
		const std::string t = cell(row, "token");
		EXPECT_EQ(cell(row, "hashed_token"), sha256_hex(t));
		EXPECT_EQ(cell(row, "token_last_characters"), t.substr(t.size() - 4));
		const std::string rt = cell(row, "refresh_token");
		EXPECT_EQ(cell(row, "hashed_refresh_token"), rt == "<NULL>" ? "<NULL>" : sha256_hex(rt));
		EXPECT_EQ(cell(row, "scope_list"), R"({"org:admin","org:integrations","org:read","org:write"})");
	};

	Row t1 = token(1);
	EXPECT_EQ(cell(t1, "token").substr(0, 7), "sntryu_");
	EXPECT_TRUE(is_hex(cell(t1, "token").substr(7), 64)) << cell(t1, "token");
	EXPECT_EQ(cell(t1, "refresh_token"), "<NULL>");
	EXPECT_EQ(cell(t1, "expires_at"), "<NULL>");
	expect_hashes(t1);

	Row t2 = token(2);
	EXPECT_TRUE(is_hex(cell(t2, "token"), 64)) << cell(t2, "token");
	EXPECT_TRUE(is_hex(cell(t2, "refresh_token"), 64)) << cell(t2, "refresh_token");
	EXPECT_NEAR(seconds_from_now(cell(t2, "expires_at")), kThirtyDays, 120);
	expect_hashes(t2);

	Row t3 = token(3);
	EXPECT_EQ(cell(t3, "token"), "tok-c");
	EXPECT_EQ(cell(t3, "hashed_token"), "1236183d37679658f9f22e86d74ca3bad0a8125f5d057d60e0337565f3ae4f89");
	EXPECT_EQ(cell(t3, "refresh_token"), "ref-c");
	EXPECT_EQ(cell(t3, "hashed_refresh_token"), "694713712239cd8bcb1a671d0d152deaa63a6241d3a669f1199feca47efe18f8");
	EXPECT_EQ(cell(t3, "token_last_characters"), "ok-c");
	EXPECT_EQ(cell(t3, "expires_at"), "2020-01-01T00:00:00Z");
	expect_hashes(t3);

	Row t4 = token(4);
	EXPECT_EQ(cell(t4, "token").substr(0, 7), "sntrya_");
	EXPECT_TRUE(is_hex(cell(t4, "token").substr(7), 64)) << cell(t4, "token");
	EXPECT_NEAR(seconds_from_now(cell(t4, "expires_at")), kThirtyDays, 120);
	expect_hashes(t4);
}

// ApiToken.save (src/sentry/models/apitoken.py): `if self.refresh_token:` hashes it, else
// hashed_refresh_token = None. An empty refresh token is falsy: no hash (not sha256 of "").
TEST(ModelRules, ApiTokenEmptyRefreshTokenHasNoHash) {
	RulesRun r;
	run(r, arr({kUser, api_token_entry(1, R"("token": "tok-e", "token_type": null, "refresh_token": "",
	                                         "expires_at": null)")}));
	EXPECT_EQ(summary(r.report, "sentry.apitoken").inserted, 1);
	const Row t = row_for(r.target, "sentry.apitoken", "sentry_apitoken", 1);
	EXPECT_EQ(cell(t, "refresh_token"), "");
	EXPECT_EQ(cell(t, "hashed_refresh_token"), "<NULL>");
	EXPECT_EQ(cell(t, "hashed_token"), sha256_hex("tok-e"));
}

// --- 6. sentry.apikey --------------------------------------------------------------------------------

TEST(ModelRules, ApiKeysGetAKeyWhenEmptyAndExpandedScopes) {
	const std::string given = "0123456789abcdef0123456789abcdef";
	RulesRun r;
	run(r, arr({kOrg,
	            entry("sentry.apikey", 1,
	                  R"("organization_id": 1, "label": "a", "key": "", "scope_list": ["project:admin"])"),
	            entry("sentry.apikey", 2,
	                  R"("organization_id": 1, "label": "b", "key": ")" + given +
	                      R"(", "scope_list": "{ org:write , \"team:admin\"}")"),
	            entry("sentry.apikey", 3,
	                  R"("organization_id": 1, "label": "c", "key": "k3", "scope_list": "{\"a\\\"b\",NULL}")")}));
	EXPECT_EQ(summary(r.report, "sentry.apikey").inserted, 3);
	auto key = [&](int pk) { return row_for(r.target, "sentry.apikey", "sentry_apikey", pk); };
	EXPECT_TRUE(is_hex(cell(key(1), "key"), 32)) << cell(key(1), "key");
	EXPECT_EQ(cell(key(1), "scope_list"), R"({"project:admin","project:read","project:write"})");
	EXPECT_EQ(cell(key(2), "key"), given);
	EXPECT_EQ(cell(key(2), "scope_list"), R"({"org:read","org:write","team:admin","team:read","team:write"})");
	// A list with a NULL is left for PostgreSQL to judge, unchanged.
	EXPECT_EQ(cell(key(3), "scope_list"), R"({"a\"b",NULL})");
}

// --- 7. sentry.orgauthtoken --------------------------------------------------------------------------

std::string org_auth_token_entry(int pk, const std::string &token_hashed, const std::string &org = "1") {
	return entry("sentry.orgauthtoken", pk,
	             R"("organization_id": )" + org + R"(, "token_hashed": ")" + token_hashed +
	                 R"(", "token_last_characters": "abcd", "name": "ci", "scope_list": ["org:ci"])");
}

std::string org_auth_token_export() {
	return arr({kOrg, org_auth_token_entry(1, "h-existing"), org_auth_token_entry(2, ""),
	            org_auth_token_entry(3, "h-fresh"), org_auth_token_entry(4, "h-fresh")});
}

TEST(ModelRules, OrgAuthTokensThatAreEmptyOrTakenAreMinted) {
	auto target = std::make_unique<RecordingTarget>(rule_tables());
	target->existing["sentry_option"] = {
	    {{"id", "1"}, {"key", "system.url-prefix"}, {"value", "\"https://sentry.example.com\""}}};
	target->existing["sentry_orgauthtoken"] = {{{"id", "9"}, {"organization_id", "1"}, {"token_hashed", "h-existing"}}};
	const std::string json = org_auth_token_export();
	ImportOptions o;
	o.admitted_scopes = admitted_scopes_for("organization");
	ImportReport rep = run_import(json.data(), json.size(), o, *target);
	EXPECT_EQ(summary(rep, "sentry.orgauthtoken").inserted, 4);
	EXPECT_EQ(summary(rep, "sentry.orgauthtoken").skipped, 0);
	auto token = [&](int pk) { return row_for(*target, "sentry.orgauthtoken", "sentry_orgauthtoken", pk); };
	std::set<std::string> hashes;
	for (int pk : {1, 2, 4}) {
		Row row = token(pk);
		EXPECT_TRUE(is_hex(cell(row, "token_hashed"), 64)) << pk << " " << cell(row, "token_hashed");
		EXPECT_EQ(cell(row, "token_last_characters").size(), 4u);
		EXPECT_NE(cell(row, "token_last_characters"), "abcd");
		hashes.insert(cell(row, "token_hashed"));
	}
	EXPECT_EQ(hashes.size(), 3u);
	EXPECT_EQ(cell(token(3), "token_hashed"), "h-fresh");
	EXPECT_EQ(cell(token(3), "token_last_characters"), "abcd");
	EXPECT_EQ(cell(token(1), "organization_id"), std::to_string(*target->new_pk("sentry.organization", 1)));
	// The batch asked three questions: which hashes are taken, the organizations' slugs by their new
	// ids, and system.url-prefix.
	std::vector<RecordingTarget::Lookup> asked;
	bool after_orgs = false;
	for (const RecordingTarget::Lookup &l : target->lookups) {
		if (l.table == "sentry_orgauthtoken")
			after_orgs = true;
		if (after_orgs)
			asked.push_back(l);
	}
	ASSERT_EQ(asked.size(), 3u);
	EXPECT_EQ(asked[0].table, "sentry_orgauthtoken");
	// h-existing, "", h-fresh (the second h-fresh is caught in the batch).
	EXPECT_EQ(asked[0].probes, (std::vector<std::vector<std::string>>{{"h-existing"}, {""}, {"h-fresh"}}));
	EXPECT_EQ(asked[1].table, "sentry_organization");
	EXPECT_EQ(asked[1].fetch, "slug");
	const std::string org_id = std::to_string(*target->new_pk("sentry.organization", 1));
	EXPECT_EQ(asked[1].probes, (std::vector<std::vector<std::string>>{{org_id}, {org_id}, {org_id}}));
	EXPECT_EQ(asked[2].table, "sentry_option");
	EXPECT_EQ(asked[2].fetch, "value");
	EXPECT_EQ(asked[2].probes, (std::vector<std::vector<std::string>>{{"system.url-prefix"}}));
}

TEST(ModelRules, OrgAuthTokensThatNeedMintingAreSkippedWithoutUrlPrefix) {
	RulesRun r;
	r.target.existing["sentry_orgauthtoken"] = {
	    {{"id", "9"}, {"organization_id", "1"}, {"token_hashed", "h-existing"}}};
	// An option row with a JSON null is unset too.
	r.target.existing["sentry_option"] = {{{"id", "1"}, {"key", "system.url-prefix"}, {"value", "null"}}};
	run(r, org_auth_token_export(), "organization");
	EXPECT_EQ(summary(r.report, "sentry.orgauthtoken").inserted, 1);
	EXPECT_EQ(summary(r.report, "sentry.orgauthtoken").skipped, 3);
	EXPECT_NE(pk_row(r.target, "sentry.orgauthtoken", 3), nullptr);
	for (int pk : {1, 2, 4})
		EXPECT_EQ(pk_row(r.target, "sentry.orgauthtoken", pk), nullptr) << pk;
}

// The org auth tokens' resolve rule directly: the counters of skipped OrgAuthTokens and their reasons.
TEST(ModelRules, OrgAuthTokenSkipCounters) {
	std::map<std::string, TableShape> tables = rule_tables();
	const TableShape &shape = tables.at("sentry_orgauthtoken");
	auto batch_of = [&](const std::vector<std::pair<std::string, std::string>> &rows) {
		RowBatch b;
		b.table = &shape;
		b.model = "sentry.orgauthtoken";
		b.columns = {shape.find("organization_id"), shape.find("token_hashed"), shape.find("token_last_characters")};
		std::int64_t pk = 1;
		for (const auto &[org, hashed] : rows) {
			b.source_pks.push_back(pk++);
			for (const std::string &v : {org, hashed, std::string("abcd")})
				b.push_value(v);
		}
		return b;
	};
	const ModelHooks &hooks = hooks_for("sentry.orgauthtoken");
	ASSERT_NE(hooks.resolve, nullptr);

	FakeTarget target(tables);
	target.existing["sentry_organization"] = {{{"id", "100"}, {"slug", "acme"}}};
	ImportOptions options;
	options.admitted_scopes = admitted_scopes_for("organization");
	ImportReport report;
	RuleContext rules(options, target, report);
	// No system.url-prefix: the tokens that need a new one are skipped.
	RowBatch b = batch_of({{"100", ""}, {"100", "kept"}, {"999", ""}});
	std::vector<RowFate> fates(b.rows());
	BatchEdit edit(b, fates);
	hooks.resolve(rules, edit);
	EXPECT_EQ(fates[0].action, RowFate::Action::Skip);
	EXPECT_EQ(fates[1].action, RowFate::Action::Insert);
	EXPECT_EQ(fates[2].action, RowFate::Action::Skip); // organization 999 does not exist
	EXPECT_EQ(report.org_auth_tokens_without_url, 1);
	EXPECT_EQ(report.org_auth_tokens_without_org, 1);
	EXPECT_EQ(*edit.get(1, "token_hashed"), "kept");

	// With it, the token is minted for the organization's slug and url.
	target.existing["sentry_option"] = {
	    {{"id", "1"}, {"key", "system.url-prefix"}, {"value", "\"https://s.example\""}}};
	RowBatch b2 = batch_of({{"100", ""}});
	std::vector<RowFate> fates2(b2.rows());
	BatchEdit edit2(b2, fates2);
	hooks.resolve(rules, edit2);
	EXPECT_EQ(fates2[0].action, RowFate::Action::Insert);
	EXPECT_TRUE(is_hex(*edit2.get(0, "token_hashed"), 64));
	EXPECT_EQ(edit2.get(0, "token_last_characters")->size(), 4u);
	EXPECT_EQ(report.org_auth_tokens_without_url, 1);
}

// --- 8. generated uuids ------------------------------------------------------------------------------

TEST(ModelRules, MonitorIncidentAndActivityUuidsAreRegenerated) {
	const std::string fixed = "00000000-0000-4000-8000-000000000001";
	RulesRun r;
	run(r,
	    arr({kOrg, project(1, "p1"),
	         entry("sentry.monitor", 1,
	               R"("organization_id": 1, "project_id": 1, "guid": ")" + fixed + R"(", "slug": "m", "name": "M")"),
	         entry("sentry.monitor", 2,
	               R"("organization_id": 1, "project_id": 1, "guid": ")" + fixed + R"(", "slug": "n", "name": "N")"),
	         entry("sentry.incident", 1, R"("organization": 1, "identifier": 1, "detection_uuid": ")" + fixed + "\""),
	         entry("sentry.incident", 2, R"("organization": 1, "identifier": 2, "detection_uuid": null)"),
	         entry("sentry.incidentactivity", 1, R"("incident": 1, "type": 1, "notification_uuid": ")" + fixed + "\""),
	         entry("sentry.incidentactivity", 2, R"("incident": 2, "type": 1, "notification_uuid": null)")}));
	std::set<std::string> guids;
	for (int pk : {1, 2}) {
		std::string guid = cell(row_for(r.target, "sentry.monitor", "sentry_monitor", pk), "guid");
		EXPECT_TRUE(std::regex_match(guid, kUuid4)) << guid;
		EXPECT_NE(guid, fixed);
		guids.insert(guid);
	}
	EXPECT_EQ(guids.size(), 2u);
	std::string detection = cell(row_for(r.target, "sentry.incident", "sentry_incident", 1), "detection_uuid");
	EXPECT_TRUE(std::regex_match(detection, kUuid4)) << detection;
	EXPECT_NE(detection, fixed);
	EXPECT_EQ(cell(row_for(r.target, "sentry.incident", "sentry_incident", 2), "detection_uuid"), "<NULL>");
	std::string notification =
	    cell(row_for(r.target, "sentry.incidentactivity", "sentry_incidentactivity", 1), "notification_uuid");
	EXPECT_TRUE(std::regex_match(notification, kUuid4)) << notification;
	EXPECT_NE(notification, fixed);
	EXPECT_EQ(cell(row_for(r.target, "sentry.incidentactivity", "sentry_incidentactivity", 2), "notification_uuid"),
	          "<NULL>");
}

// --- 9. sentry.savedsearch ---------------------------------------------------------------------------

TEST(ModelRules, GlobalSavedSearchesOnlyInGlobalScope) {
	const std::string json = arr(
	    {kOrg, entry("sentry.savedsearch", 1, R"("organization": null, "name": "g", "query": "q", "is_global": true)"),
	     entry("sentry.savedsearch", 2, R"("organization": 1, "name": "o", "query": "q", "is_global": false)")});
	RulesRun org_scope;
	run(org_scope, json, "organization");
	EXPECT_EQ(summary(org_scope.report, "sentry.savedsearch").inserted, 1);
	EXPECT_EQ(summary(org_scope.report, "sentry.savedsearch").skipped, 1);
	EXPECT_EQ(pk_row(org_scope.target, "sentry.savedsearch", 1), nullptr);
	EXPECT_EQ(cell(row_for(org_scope.target, "sentry.savedsearch", "sentry_savedsearch", 2), "name"), "o");
	RulesRun global;
	run(global, json, "global");
	EXPECT_EQ(summary(global.report, "sentry.savedsearch").inserted, 2);
	EXPECT_EQ(cell(row_for(global.target, "sentry.savedsearch", "sentry_savedsearch", 1), "is_global"), "true");
}

// --- 10. sentry.organizationmember -------------------------------------------------------------------

std::string member_entry(int pk, const std::string &email, const std::string &token_fields) {
	return entry("sentry.organizationmember", pk,
	             R"("organization": 1, "user_id": null, "email": ")" + email + R"(", "role": "member")" + token_fields);
}

TEST(ModelRules, MemberTokensTakenAreDroppedAndKeptOnesExpire) {
	RulesRun r;
	r.target.existing["sentry_organizationmember"] = {{{"id", "3"}, {"organization_id", "1"}, {"token", "tok-dup"}}};
	run(r, arr({kOrg, member_entry(1, "a@x", R"(, "token": "tok-dup", "token_expires_at": "2030-01-01T00:00:00Z")"),
	            member_entry(2, "b@x", R"(, "token": "tok-new", "token_expires_at": null)"),
	            member_entry(3, "c@x", R"(, "token": "tok-new", "token_expires_at": "2030-01-01T00:00:00Z")"),
	            member_entry(4, "d@x", R"(, "token": null, "token_expires_at": null)"),
	            member_entry(5, "e@x", R"(, "token": "tok-x", "token_expires_at": "2031-01-01T00:00:00Z")"),
	            member_entry(6, "f@x", R"(, "token": "tok-y")"), // no expiry in the file at all
	            member_entry(7, "g@x", "")}));
	EXPECT_EQ(summary(r.report, "sentry.organizationmember").inserted, 7);
	auto member = [&](int pk) {
		return row_for(r.target, "sentry.organizationmember", "sentry_organizationmember", pk);
	};
	EXPECT_EQ(cell(member(1), "token"), "<NULL>"); // taken in the database
	EXPECT_EQ(cell(member(1), "token_expires_at"), "<NULL>");
	EXPECT_EQ(cell(member(2), "token"), "tok-new");
	EXPECT_NEAR(seconds_from_now(cell(member(2), "token_expires_at")), kThirtyDays, 120);
	EXPECT_EQ(cell(member(3), "token"), "<NULL>"); // taken by member 2, earlier in the batch
	EXPECT_EQ(cell(member(3), "token_expires_at"), "<NULL>");
	EXPECT_EQ(cell(member(4), "token"), "<NULL>");
	EXPECT_EQ(cell(member(4), "token_expires_at"), "<NULL>");
	EXPECT_EQ(cell(member(5), "token"), "tok-x");
	EXPECT_EQ(cell(member(5), "token_expires_at"), "2031-01-01T00:00:00Z");
	EXPECT_EQ(cell(member(6), "token"), "tok-y");
	EXPECT_NEAR(seconds_from_now(cell(member(6), "token_expires_at")), kThirtyDays, 120);
	EXPECT_EQ(cell(member(7), "token"), "<absent>");
}

// OrganizationMember.save (src/sentry/models/organizationmember.py): `if self.token and not
// self.token_expires_at:` an empty token, falsy, gets no expiry; normalize_before_relocation_import's
// `filter(token=self.token).first()` finds an earlier empty one (cleared with its expiry) and, for a
// member without a token, any member without one (its expiry is dropped).
TEST(ModelRules, MemberEmptyTokensAndTheTokenlessQuirk) {
	RulesRun r;
	run(r, arr({kOrg, member_entry(1, "a@x", R"(, "token": "", "token_expires_at": null)"),
	            member_entry(2, "b@x", R"(, "token": "", "token_expires_at": "2030-01-01T00:00:00Z")"),
	            // No member without a token yet: its expiry is kept.
	            member_entry(3, "c@x", R"(, "token": null, "token_expires_at": "2030-01-01T00:00:00Z")"),
	            // Member 3 has no token: this one's expiry is dropped, as Sentry's query matches it.
	            member_entry(4, "d@x", R"(, "token": null, "token_expires_at": "2031-01-01T00:00:00Z")")}));
	EXPECT_EQ(summary(r.report, "sentry.organizationmember").inserted, 4);
	auto member = [&](int pk) {
		return row_for(r.target, "sentry.organizationmember", "sentry_organizationmember", pk);
	};
	EXPECT_EQ(cell(member(1), "token"), "");
	EXPECT_EQ(cell(member(1), "token_expires_at"), "<NULL>");
	EXPECT_EQ(cell(member(2), "token"), "<NULL>"); // member 1 has the empty token
	EXPECT_EQ(cell(member(2), "token_expires_at"), "<NULL>");
	EXPECT_EQ(cell(member(3), "token"), "<NULL>");
	EXPECT_EQ(cell(member(3), "token_expires_at"), "2030-01-01T00:00:00Z");
	EXPECT_EQ(cell(member(4), "token"), "<NULL>");
	EXPECT_EQ(cell(member(4), "token_expires_at"), "<NULL>");
}

// --- 11. sentry.rule and sentry.recentsearch ---------------------------------------------------------

TEST(ModelRules, RuleDataLosesConditionAndActionNames) {
	RulesRun r;
	run(r,
	    arr({kOrg, project(1, "p1"),
	         entry(
	             "sentry.rule", 1,
	             R"("project": 1, "label": "L", "data": "{\"match\":\"all\",\"conditions\":[{\"id\":\"c1\",\"name\":\"A seen\"}],\"actions\":[{\"id\":\"a1\",\"name\":\"Send\",\"targetType\":\"IssueOwners\"}]}")")}));
	EXPECT_EQ(summary(r.report, "sentry.rule").inserted, 1);
	const std::string data = cell(row_for(r.target, "sentry.rule", "sentry_rule", 1), "data");
	EXPECT_EQ(data.find("\"name\""), std::string::npos) << data;
	EXPECT_NE(data.find("\"id\":\"c1\""), std::string::npos) << data;
	EXPECT_NE(data.find("\"targetType\":\"IssueOwners\""), std::string::npos) << data;
	EXPECT_NE(data.find("\"match\":\"all\""), std::string::npos) << data;
}

TEST(ModelRules, RecentSearchQueryHashIsFilledWhenEmpty) {
	const std::string md5_of_query = "ce281b2e16c758eb5e33ab722ba33e5c"; // md5("is:unresolved")
	RulesRun r;
	run(r, arr({kOrg, kUser,
	            entry("sentry.recentsearch", 1,
	                  R"("organization": 1, "user_id": 1, "type": 0, "query": "is:unresolved", "query_hash": "")"),
	            entry("sentry.recentsearch", 2,
	                  R"("organization": 1, "user_id": 1, "type": 1, "query": "is:unresolved", "query_hash": "0123")"),
	            entry("sentry.recentsearch", 3,
	                  R"("organization": 1, "user_id": 1, "type": 2, "query": "is:unresolved")")}));
	EXPECT_EQ(summary(r.report, "sentry.recentsearch").inserted, 3);
	auto search = [&](int pk) { return row_for(r.target, "sentry.recentsearch", "sentry_recentsearch", pk); };
	EXPECT_EQ(cell(search(1), "query_hash"), md5_of_query);
	EXPECT_EQ(cell(search(2), "query_hash"), "0123");
	EXPECT_EQ(cell(search(3), "query_hash"), md5_of_query);
}

// --- the lookup extensions of the Target ---------------------------------------------------------------

TEST(ModelRules, FakeLookupHonoursNullColumnsAndFetchColumn) {
	FakeTarget t(rule_tables());
	t.existing["sentry_useroption"] = {
	    {{"id", "1"}, {"user_id", "5"}, {"key", "k"}, {"organization_id", "9"}},
	    {{"id", "2"}, {"user_id", "5"}, {"key", "k"}, {"organization_id", std::nullopt}, {"value", "\"v\""}},
	};
	const TableShape &shape = t.tables.at("sentry_useroption");
	KeyLookup lookup;
	lookup.table = &shape;
	lookup.columns = {shape.find("user_id"), shape.find("key")};
	lookup.probes = {{"5", "k"}, {"6", "k"}};
	auto found = t.find_rows(lookup);
	ASSERT_TRUE(found[0].has_value());
	EXPECT_EQ(found[0]->id, 1);
	EXPECT_EQ(found[0]->key, "5");
	EXPECT_FALSE(found[1].has_value());
	lookup.null_columns = {shape.find("organization_id"), shape.find("project_id")};
	lookup.fetch_column = shape.find("value");
	found = t.find_rows(lookup);
	ASSERT_TRUE(found[0].has_value());
	EXPECT_EQ(found[0]->id, 2);
	EXPECT_EQ(found[0]->key, "\"v\"");
	EXPECT_FALSE(found[0]->key_null);
	lookup.fetch_column = shape.find("project_id");
	found = t.find_rows(lookup);
	ASSERT_TRUE(found[0].has_value());
	EXPECT_TRUE(found[0]->key_null);
}

// --- usernames: User.write_relocation_import and unique_db_instance -----------------------------------

std::string user_named(int pk, const std::string &username) {
	return entry("sentry.user", pk, R"("username": )" + username + R"(, "email": "", "is_active": true)");
}

std::vector<std::string> usernames_of(const FakeTarget &t) {
	std::vector<std::string> out;
	for (const Row &row : t.rows_of("auth_user"))
		out.push_back(cell(row, "username"));
	return out;
}

// Only a username an existing user has exactly takes the collision path; digits only and spaces
// around are kept when nobody has it exactly (Sentry's test_generate_suffix_for_already_taken_username
// and the isdecimal rule of unique_db_instance apply on that path only).
TEST(ModelRules, UsernamesAreKeptUnlessAnExistingUserHasThemExactly) {
	RulesRun r;
	run(r, arr({user_named(1, R"("12345")"), user_named(2, R"(" padded ")"), user_named(3, R"("\u0661\u0662")")}));
	EXPECT_EQ(usernames_of(r.target), (std::vector<std::string>{"12345", " padded ", "\u0661\u0662"}));
	// Imported again, each collides exactly: stripped, then kept if free (case-insensitively) and not
	// all digits, else suffixed.
	RulesRun again;
	again.target.existing["auth_user"] = {{{"id", "7"}, {"username", "12345"}},
	                                      {{"id", "8"}, {"username", " padded "}},
	                                      {{"id", "9"}, {"username", "\u0661\u0662"}}};
	run(again, arr({user_named(1, R"("12345")"), user_named(2, R"(" padded ")"), user_named(3, R"("\u0661\u0662")")}));
	const std::vector<std::string> names = usernames_of(again.target);
	ASSERT_EQ(names.size(), 3u);
	EXPECT_TRUE(std::regex_match(names[0], std::regex("12345-[a-z0-9]{2}"))) << names[0];
	EXPECT_EQ(names[1], "padded"); // the stripped name is free: " PADDED " is not "PADDED"
	EXPECT_EQ(names[2].rfind("\u0661\u0662-", 0), 0u) << names[2];
}

TEST(ModelRules, UsernameCollisionsInTheDatabaseAndInTheFile) {
	RulesRun r;
	r.target.existing["auth_user"] = {{{"id", "7"}, {"username", "Taken"}}, {{"id", "8"}, {"username", ""}}};
	ImportOptions one_per_batch;
	one_per_batch.batch_rows = 1;
	run(r,
	    arr({user_named(1, R"("taken")"),  // case-insensitively taken: renamed (Sentry's serializer refuses it)
	         user_named(2, R"("taken ")"), // the serializer strips: taken too
	         user_named(3, R"("fresh")"),  // kept
	         user_named(4, R"("fresh")"),  // the same as an earlier row of the file: renamed
	         user_named(5, R"("")")}),     // an existing user has "" exactly: 12 hex digits
	    "global", one_per_batch);
	const std::vector<std::string> names = usernames_of(r.target);
	ASSERT_EQ(names.size(), 5u);
	EXPECT_TRUE(std::regex_match(names[0], std::regex("taken-[a-z0-9]{2}"))) << names[0];
	EXPECT_TRUE(std::regex_match(names[1], std::regex("taken-[a-z0-9]{2,3}"))) << names[1];
	EXPECT_EQ(names[2], "fresh");
	EXPECT_TRUE(std::regex_match(names[3], std::regex("fresh-[a-z0-9]{2,3}"))) << names[3];
	EXPECT_TRUE(is_random_base(names[4])) << names[4];
	// ASCII names need no query for their UPPER(): one for the ASCII table of the import, no more.
	EXPECT_EQ(r.target.upper_calls, 1);
}

TEST(ModelRules, MergeUsersFindsTheExactUsernameInTheFileToo) {
	RulesRun r;
	ImportOptions merge;
	merge.merge_users = true;
	run(r, arr({user_named(1, R"("twin")"), user_named(2, R"("twin")"), user_named(3, R"("Twin")")}), "global", merge);
	EXPECT_EQ(summary(r.report, "sentry.user").inserted, 2);
	EXPECT_EQ(summary(r.report, "sentry.user").existing, 1);
	EXPECT_EQ(r.target.new_pk("sentry.user", 1), r.target.new_pk("sentry.user", 2));
	EXPECT_NE(r.target.new_pk("sentry.user", 1), r.target.new_pk("sentry.user", 3));
}

// Sentry's UserSerializer: a blank username (after stripping) fails the import.
TEST(ModelRules, BlankUsernameFailsTheImport) {
	for (const char *blank : {R"("")", R"("   ")", R"("\u3000")"}) {
		SCOPED_TRACE(blank);
		FakeTarget target{rule_tables()};
		ImportOptions options;
		options.admitted_scopes = admitted_scopes_for("user");
		const std::string json = arr({user_named(4, blank)});
		try {
			run_import(json.data(), json.size(), options, target);
			ADD_FAILURE() << "accepted";
		} catch (const ImportError &e) {
			EXPECT_STREQ(e.code(), "22023");
			EXPECT_NE(std::string(e.what()).find("sentry.user pk 4, field \"username\""), std::string::npos)
			    << e.what();
			EXPECT_NE(e.detail().find("This field may not be blank."), std::string::npos) << e.detail();
		}
	}
}

// --- slugs made from names: Organization.save, Team.save, Project.save, Monitor.save -------------------

std::string org_with(int pk, const std::string &name, const std::string &slug) {
	return entry("sentry.organization", pk, R"("name": ")" + name + R"(", "slug": )" + slug + R"(, "status": 0)");
}

TEST(ModelRules, OrganizationWithoutSlugGetsTheSlugOfItsName) {
	RulesRun r;
	run(r, arr({org_with(1, "Acme Corp", R"("")"), org_with(2, "Acme Corp", "null"), org_with(3, "!!!", R"("")"),
	            org_with(4, "API", R"("")"), org_with(5, "Other", R"("Kept_Slug")")}));
	auto slug = [&](int pk) {
		return cell(row_for(r.target, "sentry.organization", "sentry_organization", pk), "slug");
	};
	EXPECT_EQ(slug(1), "acme-corp");
	EXPECT_TRUE(std::regex_match(slug(2), std::regex("acme-corp-[a-z0-9]{2}"))) << slug(2);
	EXPECT_TRUE(is_random_base(slug(3))) << slug(3); // the name slugifies to nothing
	EXPECT_TRUE(is_random_base(slug(4))) << slug(4); // "api" is reserved
	EXPECT_EQ(slug(5), "kept-slug");                 // a slug is normalised as always
}

TEST(ModelRules, TeamAndProjectSlugsFromTheirNamesOnlyWhenEmpty) {
	RulesRun r;
	r.target.existing["sentry_team"] = {{{"id", "50"}, {"organization_id", "999"}, {"slug", "back-end"}}};
	auto team = [](int pk, const std::string &slug, const std::string &name) {
		return entry("sentry.team", pk, R"("organization": 1, "slug": )" + slug + R"(, "name": ")" + name + "\"");
	};
	auto proj = [](int pk, const std::string &slug, const std::string &name) {
		return entry("sentry.project", pk, R"("organization": 1, "slug": )" + slug + R"(, "name": ")" + name + "\"");
	};
	run(r, arr({kOrg, team(1, R"("")", "Back End"), team(2, "null", "Back_End"), team(3, R"("Keep_Me Exactly")", "x"),
	            team(4, R"("")", "12345"), proj(1, R"("")", "Settings"), proj(2, R"("")", "My Project"),
	            proj(3, R"("MY-PROJECT")", "y"), proj(4, R"("")", "my project")}));
	auto team_slug = [&](int pk) { return cell(row_for(r.target, "sentry.team", "sentry_team", pk), "slug"); };
	auto project_slug = [&](int pk) { return cell(row_for(r.target, "sentry.project", "sentry_project", pk), "slug"); };
	EXPECT_EQ(team_slug(1), "back-end"); // another organization's back-end does not count
	EXPECT_EQ(team_slug(2), "back_end"); // slugify keeps '_'
	EXPECT_EQ(team_slug(3), "Keep_Me Exactly");
	EXPECT_TRUE(std::regex_match(team_slug(4), std::regex("12345-[a-z0-9]{2}"))) << team_slug(4);
	EXPECT_TRUE(is_random_base(project_slug(1))) << project_slug(1); // "settings" is a reserved project slug
	EXPECT_EQ(project_slug(2), "my-project");
	EXPECT_EQ(project_slug(3), "MY-PROJECT");
	EXPECT_TRUE(std::regex_match(project_slug(4), std::regex("my-project-[a-z0-9]{2,3}"))) << project_slug(4);
	// One lookup of the organization's slugs per model, not per batch or row.
	EXPECT_EQ(r.target.scoped_value_calls, 2);
}

TEST(ModelRules, TeamSlugRepeatedWithinAnOrganizationFailsNamingTheEntry) {
	FakeTarget target{rule_tables()};
	ImportOptions options;
	options.admitted_scopes = admitted_scopes_for("organization");
	const std::string json = arr({kOrg, entry("sentry.team", 1, R"("organization": 1, "slug": "ops", "name": "Ops")"),
	                              entry("sentry.team", 2, R"("organization": 1, "slug": "ops", "name": "Ops again")")});
	try {
		run_import(json.data(), json.size(), options, target);
		ADD_FAILURE() << "accepted";
	} catch (const ImportError &e) {
		EXPECT_STREQ(e.code(), "23505");
		EXPECT_NE(std::string(e.what()).find("sentry.team pk 2, field \"slug\""), std::string::npos) << e.what();
	}
}

// --- ids Sentry copies verbatim; the monitor limit; UserIP; project key labels; members --------------

TEST(ModelRules, MonitorOwnersAreRemappedOrNulledAndCounted) {
	RulesRun r;
	run(r,
	    arr({kOrg, kUser, entry("sentry.team", 5, R"("organization": 1, "slug": "t", "name": "T")"), project(1, "p1"),
	         entry("sentry.monitor", 1,
	               R"("organization_id": 1, "project_id": 1, "slug": "a", "name": "A", "owner_team_id": 5)"),
	         entry("sentry.monitor", 2,
	               R"("organization_id": 1, "project_id": 1, "slug": "b", "name": "B", "owner_team_id": 77)"),
	         entry("sentry.monitor", 3,
	               R"("organization_id": 1, "project_id": 1, "slug": "c", "name": "C", "owner_user_id": 88)"),
	         entry("sentry.monitor", 4,
	               R"("organization_id": 1, "project_id": 1, "slug": "d", "name": "D", "owner_user_id": 1)")}));
	EXPECT_EQ(summary(r.report, "sentry.monitor").inserted, 4);
	auto monitor = [&](int pk) { return row_for(r.target, "sentry.monitor", "sentry_monitor", pk); };
	EXPECT_EQ(cell(monitor(1), "owner_team_id"), std::to_string(*r.target.new_pk("sentry.team", 5)));
	EXPECT_EQ(cell(monitor(2), "owner_team_id"), "<NULL>");
	EXPECT_EQ(cell(monitor(3), "owner_user_id"), "<NULL>");
	EXPECT_EQ(cell(monitor(4), "owner_user_id"), std::to_string(*r.target.new_pk("sentry.user", 1)));
	std::map<std::string, std::int64_t> counted;
	for (const DroppedField &d : r.report.unmapped_references)
		counted[d.model + "." + d.field] += d.rows;
	EXPECT_EQ(counted, (std::map<std::string, std::int64_t>{{"sentry.monitor.owner_team_id", 1},
	                                                        {"sentry.monitor.owner_user_id", 1}}));
}

TEST(ModelRules, MonitorLimitPerOrganizationAsSentryCountsIt) {
	auto monitors = [](int n) {
		std::vector<std::string> e{kOrg, project(1, "p1")};
		for (int i = 1; i <= n; ++i)
			e.push_back(entry("sentry.monitor", i,
			                  R"("organization_id": 1, "project_id": 1, "slug": "m)" + std::to_string(i) +
			                      R"(", "name": "M")"));
		return arr(e);
	};
	ImportOptions options;
	options.max_monitors_per_org = 3;
	RulesRun fits;
	run(fits, monitors(3), "global", options);
	EXPECT_EQ(summary(fits.report, "sentry.monitor").inserted, 3);
	FakeTarget target{rule_tables()};
	options.admitted_scopes = admitted_scopes_for("global");
	const std::string json = monitors(4);
	try {
		run_import(json.data(), json.size(), options, target);
		ADD_FAILURE() << "accepted";
	} catch (const ImportError &e) {
		EXPECT_STREQ(e.code(), "54000");
		EXPECT_NE(std::string(e.what()).find("sentry.monitor pk 4"), std::string::npos) << e.what();
	}
}

TEST(ModelRules, UserIpIsGetOrCreateByUserAndNormalisedAddress) {
	RulesRun r;
	auto ip = [](int pk, const std::string &address, const std::string &seen) {
		return entry("sentry.userip", pk,
		             R"("user": 1, "ip_address": ")" + address + R"(", "first_seen": ")" + seen +
		                 R"(", "last_seen": ")" + seen + "\"");
	};
	run(r, arr({kUser, ip(1, "2001:DB8:0:0::1", "2023-01-01T00:00:00Z"), ip(2, "2001:db8::1", "2023-02-01T00:00:00Z"),
	            ip(3, "10.0.0.1", "2023-03-01T00:00:00Z")}));
	EXPECT_EQ(summary(r.report, "sentry.userip").inserted, 3);
	EXPECT_EQ(r.target.new_pk("sentry.userip", 1), r.target.new_pk("sentry.userip", 2));
	const Row first = row_for(r.target, "sentry.userip", "sentry_userip", 1);
	EXPECT_EQ(cell(first, "ip_address"), "2001:db8::1");
	EXPECT_EQ(cell(first, "first_seen").substr(0, 10), "2023-02-01"); // the later entry's
	EXPECT_EQ(r.target.rows_of("sentry_userip").size(), 2u);
}

TEST(ModelRules, ProjectKeyWithoutLabelGetsAPetname) {
	RulesRun r;
	auto key = [](int pk, const std::string &label) {
		return entry("sentry.projectkey", pk,
		             R"("project": 1, "label": )" + label + R"(, "public_key": "", "data": {})");
	};
	run(r, arr({kOrg, project(1, "p1"), key(1, R"("")"), key(2, "null"), key(3, R"("Mine")")}));
	const std::regex petname("([A-Z][a-z]+) ([A-Z][a-z]+)");
	for (int pk : {1, 2}) {
		const std::string label = cell(row_for(r.target, "sentry.projectkey", "sentry_projectkey", pk), "label");
		std::smatch m;
		ASSERT_TRUE(std::regex_match(label, m, petname)) << label;
		std::string adjective = m[1].str(), name = m[2].str();
		adjective[0] = static_cast<char>(adjective[0] - 'A' + 'a');
		name[0] = static_cast<char>(name[0] - 'A' + 'a');
		EXPECT_NE(std::find(petname_adjectives().begin(), petname_adjectives().end(), adjective),
		          petname_adjectives().end())
		    << label;
		EXPECT_NE(std::find(petname_names().begin(), petname_names().end(), name), petname_names().end()) << label;
	}
	EXPECT_EQ(cell(row_for(r.target, "sentry.projectkey", "sentry_projectkey", 3), "label"), "Mine");
}

TEST(ModelRules, MemberNeedsExactlyOneOfUserAndEmail) {
	struct Case {
		const char *fields;
		bool valid;
	} cases[] = {{R"("user_id": 1, "email": null)", true},     {R"("user_id": null, "email": "a@b.c")", true},
	             {R"("user_id": 1, "email": "a@b.c")", false}, {R"("user_id": 1, "email": "")", false},
	             {R"("user_id": null, "email": "")", false},   {R"("user_id": null, "email": null)", false}};
	for (const Case &c : cases) {
		SCOPED_TRACE(c.fields);
		FakeTarget target{rule_tables()};
		ImportOptions options;
		options.admitted_scopes = admitted_scopes_for("organization");
		const std::string json = arr({kOrg, kUser,
		                              entry("sentry.organizationmember", 9,
		                                    R"("organization": 1, "role": "member", )" + std::string(c.fields))});
		try {
			run_import(json.data(), json.size(), options, target);
			EXPECT_TRUE(c.valid);
		} catch (const ImportError &e) {
			EXPECT_FALSE(c.valid) << e.what();
			EXPECT_STREQ(e.code(), "22023");
			EXPECT_NE(std::string(e.what()).find("sentry.organizationmember pk 9"), std::string::npos) << e.what();
		}
	}
}

// Every column a model's rules name (model_hooks.cpp, RuleColumn) is a column of that model's table
// in the current schema, or of Sentry 24.8's (a misspelt one would silently lose its NOT NULL
// exemption and its line in relocate_model_columns).
TEST(ModelHooks, RuleColumnsAreColumnsOfTheModelsTables) {
	const std::string dir = std::string(RELOCATE_SOURCE_DIR) + "/test/schema/";
	const std::map<std::string, TableShape> current = testing::load_schema_file(dir + "sentry.sql");
	const std::map<std::string, TableShape> older = testing::load_schema_file(dir + "sentry-2024.sql");
	int checked = 0;
	for (const ModelHooks *h = model_hooks_begin(); h != model_hooks_end(); ++h) {
		const ModelDef *def = find_model(h->model);
		ASSERT_NE(def, nullptr) << h->model;
		for (std::size_t k = 0; k < h->rule_column_count; ++k) {
			const RuleColumn &rc = h->rule_columns[k];
			bool found = false;
			for (const auto *schema : {&current, &older}) {
				auto t = schema->find(def->table);
				found = found || (t != schema->end() && t->second.find(rc.column) >= 0);
			}
			EXPECT_TRUE(found) << h->model << "." << rc.column;
			EXPECT_NE(std::string(rc.rule), "") << h->model << "." << rc.column;
			++checked;
		}
	}
	EXPECT_GT(checked, 40);
}

// Which unique violations at the write are races (40001) rather than duplicates of the export
// (23505): the get-or-create's own key, or a key holding a column the model's resolve settles.
TEST(ModelHooks, CollisionIsARaceOnlyOnKeysARuleSettles) {
	EXPECT_TRUE(hooks_for("sentry.email").collision_is_race("email"));
	EXPECT_TRUE(hooks_for("sentry.projectoption").collision_is_race("project_id, key"));
	EXPECT_FALSE(hooks_for("sentry.projectoption").collision_is_race("project_id"));
	EXPECT_TRUE(hooks_for("sentry.user").collision_is_race("username"));
	EXPECT_TRUE(hooks_for("sentry.team").collision_is_race("organization_id, slug"));
	EXPECT_TRUE(hooks_for("sentry.projectkey").collision_is_race("secret_key"));
	EXPECT_TRUE(hooks_for("sentry.organizationmember").collision_is_race("token"));
	EXPECT_FALSE(hooks_for("sentry.organizationmember").collision_is_race("organization_id, user_id"));
	// Monitor slugs from the file are left to PostgreSQL on purpose; a model without rules has none.
	EXPECT_FALSE(hooks_for("sentry.monitor").collision_is_race("organization_id, slug"));
	EXPECT_FALSE(hooks_for("sentry.environment").collision_is_race("organization_id, name"));
}

} // namespace
} // namespace relocate

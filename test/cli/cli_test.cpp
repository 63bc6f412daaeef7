// Unit tests of relocate-import's parts that need no server: the command line, the statements it
// sends, the findings, the formatting, the progress line, and --list (test/cli/run tests the whole
// program against a server).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "cli/calls.hpp"
#include "cli/export_list.hpp"
#include "cli/findings.hpp"
#include "cli/format.hpp"
#include "cli/options.hpp"
#include "cli/progress.hpp"
#include "core/error.hpp"

namespace relocate::cli {
namespace {

ParsedOptions parse(std::vector<const char *> args) {
	args.insert(args.begin(), "relocate-import");
	return parse_options(static_cast<int>(args.size()), args.data());
}

TEST(CliOptions, ConnectionAndImportOptions) {
	const ParsedOptions p = parse({"-d",
	                               "host=db dbname=sentry",
	                               "-hdb2",
	                               "-p",
	                               "5433",
	                               "-U",
	                               "ops",
	                               "-w",
	                               "--file",
	                               "export.json",
	                               "--scope=ORGANIZATION",
	                               "--org",
	                               "acme",
	                               "--org=beta",
	                               "--merge-users",
	                               "-nv",
	                               "--set",
	                               "relocate.timing=on",
	                               "--findings-file",
	                               "f.json"});
	ASSERT_EQ(p.error, "");
	const Options &o = p.options;
	EXPECT_EQ(o.dbname, "host=db dbname=sentry");
	EXPECT_EQ(o.host, "db2");
	EXPECT_EQ(o.port, "5433");
	EXPECT_EQ(o.username, "ops");
	EXPECT_EQ(o.password, PasswordPrompt::kNever);
	EXPECT_EQ(o.file, "export.json");
	EXPECT_EQ(o.scope, "organization");
	EXPECT_EQ(o.orgs, (std::vector<std::string>{"acme", "beta"}));
	EXPECT_TRUE(o.merge_users);
	EXPECT_TRUE(o.dry_run);
	EXPECT_EQ(o.verbosity, Verbosity::kVerbose);
	ASSERT_EQ(o.settings.size(), 1u);
	EXPECT_EQ(o.settings[0].first, "relocate.timing");
	EXPECT_EQ(o.settings[0].second, "on");
	EXPECT_EQ(o.findings_file, "f.json");
}

TEST(CliOptions, ThePositionalFileAndDoubleDash) {
	EXPECT_EQ(parse({"export.json"}).options.file, "export.json");
	EXPECT_EQ(parse({"--", "-odd-name.json"}).options.file, "-odd-name.json");
	EXPECT_NE(parse({"--file", "a.json", "b.json"}).error, "");
	EXPECT_NE(parse({"a.json", "b.json"}).error, "");
}

TEST(CliOptions, HelpAndVersionWinOverErrors) {
	EXPECT_TRUE(parse({"--scope", "bogus", "--help"}).options.help);
	EXPECT_EQ(parse({"--scope", "bogus", "--help"}).error, "");
	EXPECT_TRUE(parse({"-V"}).options.version);
	EXPECT_TRUE(parse({"-?"}).options.help);
}

TEST(CliOptions, UsageErrors) {
	const std::vector<std::vector<const char *>> bad = {
	    {},
	    {"--bogus", "x.json"},
	    {"-Z", "x.json"},
	    {"--file"},
	    {"--merge-users=yes", "x.json"},
	    {"--file", "x.json", "--server-file", "/x.json"},
	    {"--server-file", "relative.json"},
	    {"--server-key-file", "key.pem", "x.json"},
	    {"--key-file", "k.pem", "--server-key-file", "/k.pem", "x.json"},
	    {"--list", "--server-file", "/x.json"},
	    {"--scope", "galaxy", "x.json"},
	    {"--scope", "global", "--org", "acme", "x.json"},
	    {"--scope", "organization", "--user", "u", "x.json"},
	    {"--reset", "x.json"},
	    {"--verify", "--dry-run", "x.json"},
	    {"-q", "-v", "x.json"},
	    {"--import-uuid", "12345", "x.json"},
	    {"--set", "=x", "x.json"},
	    {"--set", "novalue", "x.json"},
	};
	for (const auto &args : bad)
		EXPECT_NE(parse(args).error, "") << (args.empty() ? "(none)" : args[0]);
	EXPECT_EQ(parse({"--scope", "config", "--user", "u", "x.json"}).error, "");
	EXPECT_EQ(parse({"--scope", "Global", "--reset", "--yes", "x.json"}).error, "");
}

TEST(CliOptions, Uuids) {
	EXPECT_TRUE(looks_like_uuid("4b6f0f34-2f48-4f2c-9a8e-2b7c1d9a6e10"));
	EXPECT_TRUE(looks_like_uuid("4B6F0F342F484F2C9A8E2B7C1D9A6E10"));
	EXPECT_TRUE(looks_like_uuid("{4b6f0f34-2f48-4f2c-9a8e-2b7c1d9a6e10}"));
	EXPECT_FALSE(looks_like_uuid("4b6f0f34-2f48-4f2c-9a8e-2b7c1d9a6e1"));
	EXPECT_FALSE(looks_like_uuid("4b6f0f342-f48-4f2c-9a8e-2b7c1d9a6e10"));
	EXPECT_FALSE(looks_like_uuid("zb6f0f34-2f48-4f2c-9a8e-2b7c1d9a6e10"));
}

TEST(CliCalls, TheKeyIsABoundParameterNeverText) {
	Options o = parse({"--scope", "user", "--user", "a\"b", "x.json"}).options;
	ServerFeatures f;
	f.schema = "\"my schema\"";
	const std::string key = "-----BEGIN PRIVATE KEY-----\nMIIEvQ...\n-----END PRIVATE KEY-----\n";
	const Call c = import_call(o, f, "16384", key);
	EXPECT_EQ(c.sql.find("PRIVATE"), std::string::npos);
	EXPECT_EQ(c.sql.rfind("SELECT * FROM \"my schema\".relocate_import_large_object($1::pg_catalog.oid, ", 0), 0u);
	EXPECT_NE(c.sql.find("private_key => $9::pg_catalog.text"), std::string::npos);
	EXPECT_EQ(c.sql.find("dry_run"), std::string::npos);
	ASSERT_EQ(c.params.size(), 10u);
	EXPECT_EQ(*c.params[0], "16384");
	EXPECT_EQ(*c.params[1], "user");
	EXPECT_FALSE(c.params[2].has_value());
	EXPECT_EQ(*c.params[3], "{\"a\\\"b\"}");
	EXPECT_FALSE(c.params[7].has_value());
	EXPECT_EQ(*c.params[8], key);
}

TEST(CliCalls, DryRunAndServerFiles) {
	Options o = parse({"--server-file", "/srv/x.json", "-n"}).options;
	ServerFeatures f;
	f.schema = "public";
	f.dry_run = true;
	const Call c = import_call(o, f, "/srv/x.json", std::nullopt);
	EXPECT_NE(c.sql.find("public.relocate_import_file($1::pg_catalog.text"), std::string::npos);
	EXPECT_NE(c.sql.find(", dry_run => $11::pg_catalog.bool)"), std::string::npos);
	ASSERT_EQ(c.params.size(), 11u);
	EXPECT_EQ(*c.params[10], "true");
	EXPECT_FALSE(c.params[8].has_value());
	const Call v = verify_call(o, f, "/srv/x.json", "4b6f0f34-2f48-4f2c-9a8e-2b7c1d9a6e10", std::nullopt);
	EXPECT_EQ(v.sql, "SELECT * FROM public.relocate_verify_file($1::pg_catalog.text, $2::pg_catalog.uuid, "
	                 "$3::pg_catalog.text)");
	EXPECT_EQ(import_function(o), "relocate_import_file");
}

TEST(CliFindings, ErrorsNameTheirEntry) {
	Finding f = finding_from_error("import_error", "22001",
	                               "relocate: sentry.user pk 2, field \"username\": the value is too long");
	EXPECT_EQ(f.model, "sentry.user");
	EXPECT_EQ(f.pk, 2);
	EXPECT_EQ(f.field, "username");
	f = finding_from_error(
	    "import_error", "22023",
	    "relocate: export entry 1 (sentry.option pk -7) at line 1, byte offset 1: the entry has no \"fields\"");
	EXPECT_EQ(f.model, "sentry.option");
	EXPECT_EQ(f.pk, -7);
	EXPECT_EQ(f.field, "");
	f = finding_from_error("import_error", "42704", "relocate: unknown model \"sites.site\" (export entry 1 ...)");
	EXPECT_EQ(f.model, "sites.site");
	EXPECT_FALSE(f.pk.has_value());
	f = finding_from_error("import_error", "22P02",
	                       "relocate: malformed JSON at line 1, byte offset 46: Missing a name");
	EXPECT_EQ(f.model, "");
	EXPECT_FALSE(f.pk.has_value());
}

TEST(CliFindings, Json) {
	EXPECT_EQ(findings_json({}), "[]\n");
	Finding f = finding_from_error("import_error", "22P02", "bad \"quote\"\n", "detail");
	EXPECT_EQ(findings_json({f}), "[\n  {\"kind\":\"import_error\",\"model\":null,\"pk\":null,\"field\":null,"
	                              "\"message\":\"bad \\\"quote\\\"\\n\",\"sqlstate\":\"22P02\",\"detail\":\"detail\","
	                              "\"hint\":null}\n]\n");
	Finding v;
	v.kind = "verify";
	v.model = "sentry.team";
	v.pk = 1;
	v.new_pk = 9;
	v.field = "name";
	v.expected = "a";
	v.has_values = true;
	const std::string json = findings_json({v, v});
	EXPECT_NE(json.find("\"new_pk\":9,\"field\":\"name\""), std::string::npos);
	EXPECT_NE(json.find("\"expected\":\"a\",\"found\":null"), std::string::npos);
	EXPECT_NE(json.find("},\n  {"), std::string::npos);
}

TEST(CliFormat, NumbersSizesTimes) {
	EXPECT_EQ(format_count(0), "0");
	EXPECT_EQ(format_count(999), "999");
	EXPECT_EQ(format_count(1234567), "1,234,567");
	EXPECT_EQ(format_count(-1234), "-1,234");
	EXPECT_EQ(format_bytes(512), "512 B");
	EXPECT_EQ(format_bytes(1536), "1.5 KiB");
	EXPECT_EQ(format_bytes(245ULL * 1024 * 1024), "245 MiB");
	EXPECT_EQ(format_elapsed(0), "0:00");
	EXPECT_EQ(format_elapsed(62.9), "1:02");
	EXPECT_EQ(format_elapsed(3723), "1:02:03");
	EXPECT_EQ(format_rate(3210.4), "3,210");
	EXPECT_EQ(fit_width("añb", 2), "añ");
	EXPECT_EQ(fit_width("ab", 5), "ab");
}

TEST(CliFormat, TablesAsPsql) {
	TextTable t({"model", "inserted"});
	t.add_row({"sentry.user", "3"});
	t.add_row({"sentry.organization", "12"});
	EXPECT_EQ(t.render(), " model               | inserted\n"
	                      "---------------------+----------\n"
	                      " sentry.user         |        3\n"
	                      " sentry.organization |       12\n");
}

TEST(CliProgress, Describe) {
	ServerProgress p;
	p.text = "raw notice text";
	EXPECT_EQ(describe(p), "raw notice text");
	p.phase = "writes";
	p.model = "sentry.user";
	p.entries_read = 12345;
	p.bytes_read = 50;
	p.bytes_total = 200;
	p.rows_per_second = 3210.4;
	EXPECT_EQ(describe(p), "writes: sentry.user, 12,345 entries read, 25% of 200 B, 3,210 rows/s");
}

// The console against a fake clock, writing into a temporary file.
struct ConsoleFixture : ::testing::Test {
	double now = 100;
	std::FILE *out = std::tmpfile();
	~ConsoleFixture() override { std::fclose(out); }
	std::string written() {
		std::fflush(out);
		std::rewind(out);
		std::string s;
		for (int c; (c = std::fgetc(out)) != EOF;)
			s += static_cast<char>(c);
		return s;
	}
};

TEST_F(ConsoleFixture, LineModeRewritesOneLine) {
	Console c(out, ProgressMode::kLine, [this] { return now; });
	c.set_width(40);
	c.phase("importing");
	now += 0.05;
	c.tick(); // too soon: not drawn again
	now += 1;
	c.detail("sentry.user, 12,345 entries read, 11,000 rows written");
	c.tick();
	c.print("WARNING:  something\n");
	now += 1;
	c.watched("waiting for a lock (relation)");
	c.tick();
	now += 1;
	c.watched("");
	c.tick();
	c.finish();
	EXPECT_EQ(written(), "\r\033[K| 0:00 importing"
	                     "\r\033[K/ 0:01 importing: sentry.user, 12,345 e"
	                     "\r\033[KWARNING:  something\n"
	                     "\r\033[K- 0:02 importing: waiting for a lock (r"
	                     "\r\033[K\\ 0:03 importing: sentry.user, 12,345 e"
	                     "\r\033[K");
}

TEST_F(ConsoleFixture, PeriodicModePrintsPlainLines) {
	Console c(out, ProgressMode::kPeriodic, [this] { return now; });
	c.phase("importing");
	now += 4;
	c.tick();
	now += 1.5;
	c.tick();
	now += 1;
	c.tick();
	c.finish();
	EXPECT_EQ(written(), "relocate-import: 0:05 importing\n");
}

TEST_F(ConsoleFixture, QuietPrintsOnlyMessages) {
	Console c(out, ProgressMode::kNone, [this] { return now; });
	c.phase("importing");
	now += 60;
	c.tick();
	c.print("WARNING:  w\n");
	EXPECT_EQ(written(), "WARNING:  w\n");
}

std::string fixture(const std::string &name) {
	return std::string(RELOCATE_SOURCE_DIR) + "/test/fixtures/" + name;
}

TEST(CliList, PlainExport) {
	FileSource file(fixture("sentry/fresh-install.json"));
	const ExportListing l = list_export(file, nullptr, {});
	EXPECT_EQ(l.format, ExportFormat::kJson);
	EXPECT_EQ(l.entries, 34);
	EXPECT_EQ(l.models.size(), 19u);
	EXPECT_EQ(l.models[0].name, "sentry.option");
	EXPECT_EQ(l.models[0].entries, 4);
	ASSERT_EQ(l.organizations.size(), 1u);
	EXPECT_EQ(l.organizations[0].slug, "testing");
	EXPECT_EQ(l.usernames.size(), 3u);
	const std::string text = render_listing(l, "fresh-install.json", false);
	EXPECT_NE(text.find(" sentry.option                 |       4 | Config\n"), std::string::npos);
	EXPECT_NE(text.find("Users: 3\n"), std::string::npos);
}

TEST(CliList, EncryptedExportWithAndWithoutItsKey) {
	FileSource key_file(fixture("encrypted/test-key.pem"));
	std::string key(static_cast<std::size_t>(key_file.size_hint()), '\0');
	key.resize(key_file.read(key.data(), key.size()));
	FileSource file(fixture("encrypted/fresh-install.tar"));
	const ExportListing l = list_export(file, &key, {});
	EXPECT_EQ(l.format, ExportFormat::kEncrypted);
	EXPECT_EQ(l.entries, 34);
	FileSource again(fixture("encrypted/fresh-install.tar"));
	try {
		list_export(again, nullptr, {});
		FAIL() << "an encrypted export was listed without its key";
	} catch (const ImportError &e) {
		EXPECT_STREQ(e.code(), "22004");
	}
}

TEST(CliList, FilesThatCannotBeRead) {
	EXPECT_THROW(FileSource(fixture("no-such-file.json")), std::runtime_error);
	EXPECT_THROW(FileSource(fixture("sentry")), std::runtime_error);
}

} // namespace
} // namespace relocate::cli

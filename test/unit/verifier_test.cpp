// Tests of the verification (src/core/verifier.cpp) through the in-memory Target: an import of a
// fixture verifies clean; a changed cell, a lost row, a different export and an unknown import_uuid
// are each reported as the conventions of verifier.hpp say; rows are read back in batches.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/importer.hpp"
#include "core/verifier.hpp"
#include "fake_target.hpp"
#include "source_files.hpp"

namespace relocate {
namespace {

std::string fixture(const std::string &name) {
	return test::source_file("test/fixtures/sentry/" + name);
}

constexpr const char *kUuid = "0000000000004000800000000000a001";

struct Imported {
	testing::FakeTarget target{testing::sentry_schema()};
	std::string json = fixture("fresh-install.json");

	Imported() {
		ImportOptions o;
		o.admitted_scopes = admitted_scopes_for("global");
		o.password_hash_iterations = 1;
		o.import_uuid = kUuid;
		run_import(json.data(), json.size(), o, target);
	}

	std::vector<VerifyFinding> verify(const std::string &export_json, const std::string &uuid = kUuid) {
		ImportOptions o;
		o.import_uuid = uuid;
		o.batch_rows = 2;
		std::vector<VerifyFinding> out;
		MemorySource source(export_json.data(), export_json.size());
		run_verify(source, o, target, [&](const VerifyFinding &f) { out.push_back(f); });
		return out;
	}

	// The cell of `column` in the written row of `table` with new pk `id`.
	std::optional<std::string> *cell(const std::string &table, std::int64_t id, const std::string &column) {
		for (testing::FakeTarget::Batch &b : target.batches) {
			if (b.table != table)
				continue;
			for (std::size_t r = 0; r < b.ids.size(); ++r)
				for (std::size_t k = 0; k < b.columns.size(); ++k)
					if (b.ids[r] == id && b.columns[k] == column)
						return &b.rows[r][k];
		}
		return nullptr;
	}
};

TEST(Verifier, AnImportMatchesItsExport) {
	Imported i;
	EXPECT_TRUE(i.verify(i.json).empty());
	// Batches of at most batch_rows (2) rows, one read per batch, never one per row.
	std::size_t rows = 0;
	for (std::size_t n : i.target.read_rows_calls) {
		EXPECT_LE(n, 2u);
		rows += n;
	}
	EXPECT_EQ(rows, 34u);
	EXPECT_LT(i.target.read_rows_calls.size(), rows);
}

TEST(Verifier, AChangedCellIsNamedAndRuleColumnsAreNot) {
	Imported i;
	const std::int64_t project = *i.target.new_pk("sentry.project", 1);
	std::optional<std::string> *name = i.cell("sentry_project", project, "name");
	ASSERT_NE(name, nullptr);
	*name = "Renamed";
	const std::int64_t user = *i.target.new_pk("sentry.user", 1);
	std::optional<std::string> *password = i.cell("auth_user", user, "password");
	ASSERT_NE(password, nullptr);
	*password = "changed"; // a column Sentry's rules write: not compared
	const std::vector<VerifyFinding> f = i.verify(i.json);
	ASSERT_EQ(f.size(), 1u);
	EXPECT_EQ(f[0].model, "sentry.project");
	EXPECT_EQ(f[0].old_pk, 1);
	EXPECT_EQ(f[0].new_pk, project);
	EXPECT_EQ(f[0].field, std::optional<std::string>("name"));
	EXPECT_EQ(f[0].expected, std::optional<std::string>("Internal"));
	EXPECT_EQ(f[0].found, std::optional<std::string>("Renamed"));
}

TEST(Verifier, AReferenceIsComparedAfterMapping) {
	Imported i;
	const std::int64_t projectteam = *i.target.new_pk("sentry.projectteam", 1);
	std::optional<std::string> *team = i.cell("sentry_projectteam", projectteam, "team_id");
	ASSERT_NE(team, nullptr);
	const std::string mapped = **team;
	*team = "999";
	const std::vector<VerifyFinding> f = i.verify(i.json);
	ASSERT_EQ(f.size(), 1u);
	EXPECT_EQ(f[0].field, std::optional<std::string>("team"));
	EXPECT_EQ(f[0].expected, std::optional<std::string>(mapped));
	EXPECT_EQ(f[0].found, std::optional<std::string>("999"));
}

TEST(Verifier, ALostRowAndADifferentExport) {
	Imported i;
	const std::int64_t option = *i.target.new_pk("sentry.option", 4);
	for (testing::FakeTarget::Batch &b : i.target.batches)
		for (std::int64_t &id : b.ids)
			if (b.table == "sentry_option" && id == option)
				id = -1; // the row is gone
	std::vector<VerifyFinding> f = i.verify(i.json);
	ASSERT_EQ(f.size(), 1u);
	EXPECT_EQ(f[0].model, "sentry.option");
	EXPECT_EQ(f[0].old_pk, 4);
	EXPECT_EQ(f[0].new_pk, option);
	EXPECT_EQ(f[0].field, std::nullopt);
	EXPECT_EQ(f[0].expected, std::optional<std::string>("row (Inserted)"));
	EXPECT_EQ(f[0].found, std::nullopt);

	// An export without the options: each entry the chunks map is "not in the export".
	f = i.verify(R"([{"model": "sentry.option", "pk": 1, "fields": {"key": "sentry:last_worker_ping",
	                 "last_updated": "2023-06-22T00:00:00.000Z", "last_updated_by": "unknown", "value": 1}}])");
	std::size_t not_in_export = 0;
	for (const VerifyFinding &x : f)
		not_in_export += x.expected == std::optional<std::string>(kVerifyNotInExport);
	EXPECT_EQ(not_in_export, 33u);
}

TEST(Verifier, EntriesNoChunkCoversAreNotCovered) {
	Imported i;
	// 21 options: the 21st is at ordinals no chunk of sentry.option covers.
	std::string json = "[";
	for (int pk = 1; pk <= 21; ++pk)
		json += std::string(pk > 1 ? "," : "") + R"({"model": "sentry.option", "pk": )" + std::to_string(pk + 100) +
		        R"(, "fields": {"key": "k)" + std::to_string(pk) + R"(", "value": 1}})";
	json += "]";
	const std::vector<VerifyFinding> f = i.verify(json);
	std::vector<std::int64_t> not_covered;
	for (const VerifyFinding &x : f)
		if (x.found == std::optional<std::string>(kVerifyNotInChunks)) {
			EXPECT_EQ(x.new_pk, std::nullopt);
			EXPECT_EQ(x.expected, std::optional<std::string>(kVerifyImported));
			not_covered.push_back(x.old_pk);
		}
	EXPECT_EQ(not_covered, std::vector<std::int64_t>{121});
}

TEST(Verifier, AnUnknownImportUuidIsAnError) {
	Imported i;
	try {
		i.verify(i.json, "00000000000040008000000000000fff");
		FAIL() << "no error";
	} catch (const ImportError &e) {
		EXPECT_STREQ(e.code(), "22023");
		EXPECT_NE(std::string(e.what()).find("no import chunks"), std::string::npos);
		EXPECT_FALSE(e.hint().empty());
	}
}

} // namespace
} // namespace relocate

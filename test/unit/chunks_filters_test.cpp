// Tests of import chunks (src/core/import_chunks.cpp), filters (src/core/filters.cpp) and their use
// by the engine through the in-memory Target (import-spec §2.2, §7).
#include <gtest/gtest.h>

#include <limits>
#include <string>
#include <unordered_map>

#include "core/error.hpp"
#include "core/filters.hpp"
#include "core/import_chunks.hpp"
#include "core/import_state.hpp"
#include "core/importer.hpp"
#include "fake_target.hpp"

namespace relocate {
namespace {

TEST(ChunkBuilder, GroupsOfTwentyWithSentrysBounds) {
	ChunkBuilder b;
	b.start("sentry.organization", false);
	// Group 0: two rows (first written old pk 7, though 3 is smaller); group 1: one row.
	b.add({0, 7, 100, ImportKind::Inserted, std::string("acme")});
	b.add({0, 3, 101, ImportKind::Existing, std::nullopt});
	b.add({1, 30, 102, ImportKind::Inserted, std::nullopt});
	auto first = b.take(std::optional<std::int64_t>(1)); // group 1 may still grow
	ASSERT_EQ(first.size(), 1u);
	const ImportChunk &c = first[0];
	EXPECT_EQ(c.model, "sentry.organization");
	EXPECT_FALSE(c.control);
	EXPECT_EQ(c.min_ordinal, 1);
	EXPECT_EQ(c.max_ordinal, 2);
	EXPECT_EQ(c.min_source_pk, 7); // Sentry: the first written instance's pk, not the minimum
	EXPECT_EQ(c.max_source_pk, 7);
	EXPECT_EQ(c.min_inserted_pk, 100);
	EXPECT_EQ(c.max_inserted_pk, 100);
	EXPECT_EQ(c.inserted_map, R"({"7":100})");
	EXPECT_EQ(c.existing_map, R"({"3":101})");
	EXPECT_EQ(c.overwrite_map, "{}");
	EXPECT_EQ(c.inserted_identifiers, R"({"7":"acme"})");
	auto rest = b.take(std::nullopt);
	ASSERT_EQ(rest.size(), 1u);
	EXPECT_EQ(rest[0].min_ordinal, 21);
	EXPECT_EQ(rest[0].max_ordinal, 21);
	EXPECT_TRUE(b.take(std::nullopt).empty());
}

TEST(IndexChunks, RoundTripsTheMaps) {
	ChunkBuilder b;
	b.start("sentry.team", false);
	b.add({0, 1, 11, ImportKind::Inserted, std::string("a \"quoted\" slug")});
	b.add({0, 2, 12, ImportKind::Overwrite, std::nullopt});
	auto index = index_chunks(b.take(std::nullopt));
	ASSERT_EQ(index.size(), 1u);
	const RestoredChunk &r = index.at({"sentry.team", 1});
	ASSERT_EQ(r.entries.size(), 2u);
	EXPECT_EQ(r.entries.at(1).new_pk, 11);
	EXPECT_EQ(r.entries.at(1).kind, ImportKind::Inserted);
	EXPECT_EQ(r.entries.at(1).slug, std::optional<std::string>("a \"quoted\" slug"));
	EXPECT_EQ(r.entries.at(2).kind, ImportKind::Overwrite);
	EXPECT_FALSE(r.entries.at(2).slug.has_value());
}

TEST(IndexChunks, MalformedMapsAreDataExceptions) {
	for (const char *bad : {R"({"x": 1})", R"({"1": "2"})", R"([1])", R"({"1": {"a": 1}})", "{"}) {
		SCOPED_TRACE(bad);
		ImportChunk c;
		c.model = "sentry.team";
		c.min_ordinal = 1;
		c.inserted_map = bad;
		try {
			index_chunks({c});
			FAIL() << "accepted";
		} catch (const ImportError &e) {
			EXPECT_STREQ(e.code(), "22000");
		}
	}
}

const char *kUsers = R"([
 {"model": "sentry.user", "pk": 1, "fields": {"username": "a", "email": "x@example.com"}},
 {"model": "sentry.user", "pk": 2, "fields": {"username": "b", "email": "y@example.com"}},
 {"model": "sentry.organization", "pk": 5, "fields": {"slug": "org"}},
 {"model": "sentry.organizationmember", "pk": 9, "fields": {"organization": 5, "user_id": 2}},
 {"model": "sentry.organizationmember", "pk": 10, "fields": {"organization": 5, "user_id": null}}])";

TEST(Filters, UserFilterDerivesEmails) {
	std::string json = kUsers;
	MemorySource source(json.data(), json.size());
	ImportFilters f = build_filters(source, std::nullopt,
	                                std::vector<std::optional<std::string>>{std::string("a"), std::nullopt}, {});
	ASSERT_TRUE(f.usernames && f.emails);
	EXPECT_EQ(*f.usernames, (std::unordered_set<std::string>{"a"}));
	EXPECT_EQ(*f.emails, (std::unordered_set<std::string>{"x@example.com"}));
	EXPECT_FALSE(f.user_pks.has_value());
	// The NULL element matches nothing and is counted, for the import's WARNING.
	EXPECT_EQ(f.null_usernames, 1);
	EXPECT_EQ(f.null_slugs, 0);
	EXPECT_TRUE(f.unmatched_usernames.empty());
}

TEST(Filters, OrgFilterDerivesMembersAndTheirEmails) {
	std::string json = kUsers;
	MemorySource source(json.data(), json.size());
	ImportFilters f =
	    build_filters(source, std::vector<std::optional<std::string>>{std::nullopt, std::string("org"), std::nullopt},
	                  std::nullopt, {});
	ASSERT_TRUE(f.user_pks && f.emails && f.org_slugs);
	EXPECT_EQ(f.null_slugs, 2);
	EXPECT_EQ(*f.user_pks, (std::unordered_set<std::int64_t>{2}));
	EXPECT_EQ(*f.emails, (std::unordered_set<std::string>{"y@example.com"}));
	ImportFilters none = build_filters(source, std::vector<std::optional<std::string>>{}, std::nullopt, {});
	EXPECT_TRUE(none.user_pks->empty());
	EXPECT_TRUE(none.emails->empty());
	EXPECT_EQ(none.null_slugs, 0);
}

// A replay says so: what the first run wrote is counted as reused, not inserted, and reported.
TEST(ImporterChunks, ASecondRunWithTheSameUuidWritesNothingAndCountsItsEntriesAsReused) {
	testing::FakeTarget target(testing::sentry_schema());
	const std::string json = R"([
	 {"model": "sentry.organization", "pk": 4, "fields": {"name": "A", "slug": "a", "date_added": "2023-06-22T22:54:28Z"}},
	 {"model": "sentry.team", "pk": 8, "fields": {"organization": 4, "slug": "t", "name": "T"}},
	 {"model": "sentry.team", "pk": 9, "fields": {"organization": 99, "slug": "u", "name": "U"}}])";
	ImportOptions options;
	options.admitted_scopes = admitted_scopes_for("organization");
	options.import_uuid = "0b1d2c3e-4f50-4617-8829-3a4b5c6d7e8f";
	ImportReport first = run_import(json.data(), json.size(), options, target);
	const std::size_t rows = target.rows_inserted;
	ASSERT_EQ(first.chunks_written, 2);
	ImportReport second = run_import(json.data(), json.size(), options, target);
	EXPECT_EQ(target.rows_inserted, rows);
	EXPECT_EQ(second.chunks_written, 0);
	EXPECT_EQ(second.chunks_reused, 2);
	ASSERT_EQ(second.models.size(), first.models.size());
	for (std::size_t i = 0; i < first.models.size(); ++i) {
		EXPECT_EQ(second.models[i].model, first.models[i].model);
		EXPECT_EQ(second.models[i].inserted, 0);
		EXPECT_EQ(second.models[i].reused, first.models[i].inserted);
		EXPECT_EQ(second.models[i].skipped, first.models[i].skipped);
	}
	EXPECT_EQ(first.models[1].inserted, 1); // team 8; team 9's organization is not in the export
	EXPECT_EQ(second.models[1].skipped_by[static_cast<std::size_t>(SkipReason::Reference)], 1);
	std::size_t reused_rows = 0;
	for (const auto &r : target.report_rows)
		reused_rows += r.action == "reused";
	EXPECT_EQ(reused_rows, 2u); // the organization and team 8
	EXPECT_EQ(target.locked_imports.size(), 2u);
	// A minted uuid when none is given: 32 hex digits, like Sentry's uuid4().hex.
	options.import_uuid.clear();
	ImportReport minted = run_import(json.data(), json.size(), options, target);
	EXPECT_EQ(minted.import_uuid.size(), 32u);
	EXPECT_EQ(minted.chunks_written, 2);
}

// --- the pk map's hash table -------------------------------------------------------------------

TEST(PkTable, AgreesWithAStandardMapUnderInsertsSetsAndErases) {
	PkTable table;
	std::unordered_map<std::int64_t, PkEntry> reference;
	std::uint64_t x = 42;
	auto next = [&] {
		x ^= x << 13;
		x ^= x >> 7;
		x ^= x << 17;
		return x;
	};
	for (int step = 0; step < 200000; ++step) {
		// Keys from a small range, so that probing runs collide and erases shift entries back.
		const std::int64_t key = static_cast<std::int64_t>(next() % 5000) - 2500;
		const int op = static_cast<int>(next() % 4);
		if (op <= 1) {
			const PkEntry e{static_cast<std::int64_t>(next() % 1000), static_cast<ImportKind>(next() % 3)};
			EXPECT_EQ(table.insert(key, e), reference.emplace(key, e).second);
		} else if (op == 2 && reference.count(key)) {
			const PkEntry e{-static_cast<std::int64_t>(step), ImportKind::Existing};
			table.set(key, e);
			reference[key] = e;
		} else {
			table.erase(key);
			reference.erase(key);
		}
		if (step % 997 == 0) {
			ASSERT_EQ(table.size(), reference.size());
			for (std::int64_t k = -2500; k < 2500; ++k) {
				auto got = table.find(k);
				auto want = reference.find(k);
				ASSERT_EQ(got.has_value(), want != reference.end()) << k;
				if (got) {
					EXPECT_EQ(got->new_pk, want->second.new_pk);
					EXPECT_EQ(got->kind, want->second.kind);
				}
			}
		}
	}
}

TEST(PkTable, ExtremeKeysAndItsSize) {
	PkTable table;
	const std::int64_t lo = std::numeric_limits<std::int64_t>::min(), hi = std::numeric_limits<std::int64_t>::max();
	EXPECT_FALSE(table.find(0).has_value());
	EXPECT_TRUE(table.insert(lo, PkEntry{1, ImportKind::Inserted}));
	EXPECT_TRUE(table.insert(hi, PkEntry{2, ImportKind::Overwrite}));
	EXPECT_TRUE(table.insert(0, PkEntry{3, ImportKind::Existing}));
	EXPECT_FALSE(table.insert(0, PkEntry{4, ImportKind::Existing}));
	EXPECT_EQ(table.find(lo)->new_pk, 1);
	EXPECT_EQ(table.find(hi)->kind, ImportKind::Overwrite);
	EXPECT_EQ(table.find(0)->new_pk, 3);
	for (std::int64_t k = 1; k <= 100000; ++k)
		ASSERT_TRUE(table.insert(k, PkEntry{k, ImportKind::Inserted}));
	EXPECT_EQ(table.size(), 100003u);
	// 17 bytes a slot, at most 3/4 full.
	EXPECT_LE(table.bytes(), 100003u * 17 * 2 * 4 / 3 + 17 * 16);
}

ImportOptions replay_options() {
	ImportOptions options;
	options.admitted_scopes = admitted_scopes_for("organization");
	options.import_uuid = "5c4d3e2f-1a0b-4c9d-8e7f-6a5b4c3d2e1f";
	return options;
}

std::string team_export(const std::vector<int> &team_pks) {
	std::string json = R"([{"model": "sentry.organization", "pk": 4, "fields": {"name": "A", "slug": "a",)"
	                   R"( "date_added": "2023-06-22T22:54:28Z"}})";
	for (int pk : team_pks)
		json += R"(, {"model": "sentry.team", "pk": )" + std::to_string(pk) +
		        R"(, "fields": {"organization": 4, "slug": "t)" + std::to_string(pk) + R"(", "name": "T"}})";
	return json + "]";
}

// Issue #10: another export under a used import_uuid is an error naming the model and the
// ordinals, never a silent skip of its new rows.
TEST(ImporterChunks, AnotherExportUnderAUsedUuidIsAnErrorNotASilentSkip) {
	testing::FakeTarget target(testing::sentry_schema());
	const std::string first = team_export({8, 9});
	run_import(first.data(), first.size(), replay_options(), target);
	// A new team at the ordinals the first run's team chunk covers.
	const std::string more = team_export({8, 9, 10});
	try {
		run_import(more.data(), more.size(), replay_options(), target);
		FAIL() << "expected an ImportError";
	} catch (const ImportError &e) {
		EXPECT_EQ(std::string(e.code()), sqlstate::kInvalidParameterValue);
		EXPECT_NE(std::string(e.what()).find("sentry.team pk 10 is among ordinals 1 to 20"), std::string::npos)
		    << e.what();
	}
	// A team the first run wrote is missing from this export.
	const std::string fewer = team_export({8});
	try {
		run_import(fewer.data(), fewer.size(), replay_options(), target);
		FAIL() << "expected an ImportError";
	} catch (const ImportError &e) {
		EXPECT_EQ(std::string(e.code()), sqlstate::kInvalidParameterValue);
		EXPECT_NE(std::string(e.what()).find("sentry.team pk 9, written by the earlier run at ordinals 1 to 2"),
		          std::string::npos)
		    << e.what();
	}
	// The same export again is a replay.
	ImportReport again = run_import(first.data(), first.size(), replay_options(), target);
	EXPECT_EQ(again.models[1].reused, 2);
}

} // namespace
} // namespace relocate

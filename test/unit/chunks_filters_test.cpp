// Tests of import chunks (src/core/import_chunks.cpp), filters (src/core/filters.cpp) and their use
// by the engine through the in-memory Target (import-spec §2.2, §7).
#include <gtest/gtest.h>

#include <string>

#include "core/error.hpp"
#include "core/filters.hpp"
#include "core/import_chunks.hpp"
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
}

TEST(Filters, OrgFilterDerivesMembersAndTheirEmails) {
	std::string json = kUsers;
	MemorySource source(json.data(), json.size());
	ImportFilters f =
	    build_filters(source, std::vector<std::optional<std::string>>{std::string("org")}, std::nullopt, {});
	ASSERT_TRUE(f.user_pks && f.emails && f.org_slugs);
	EXPECT_EQ(*f.user_pks, (std::unordered_set<std::int64_t>{2}));
	EXPECT_EQ(*f.emails, (std::unordered_set<std::string>{"y@example.com"}));
	ImportFilters none = build_filters(source, std::vector<std::optional<std::string>>{}, std::nullopt, {});
	EXPECT_TRUE(none.user_pks->empty());
	EXPECT_TRUE(none.emails->empty());
}

TEST(ImporterChunks, ASecondRunWithTheSameUuidWritesNothingAndReturnsTheSameSummary) {
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
		EXPECT_EQ(second.models[i].inserted, first.models[i].inserted);
		EXPECT_EQ(second.models[i].skipped, first.models[i].skipped);
	}
	EXPECT_EQ(target.locked_imports.size(), 2u);
	// A minted uuid when none is given: 32 hex digits, like Sentry's uuid4().hex.
	options.import_uuid.clear();
	ImportReport minted = run_import(json.data(), json.size(), options, target);
	EXPECT_EQ(minted.import_uuid.size(), 32u);
	EXPECT_EQ(minted.chunks_written, 2);
}

} // namespace
} // namespace relocate

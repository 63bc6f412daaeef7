// copy_text: a batch's rows in COPY's text format, as the COPY path hands them to COPY FROM.
#include "core/copy_text.hpp"

#include <gtest/gtest.h>

namespace relocate {
namespace {

RowBatch two_column_batch() {
	RowBatch batch;
	batch.columns = {1, 2};
	return batch;
}

TEST(CopyText, WritesTheIdThenEachColumnTabSeparatedOneLinePerRow) {
	RowBatch batch = two_column_batch();
	batch.ids = {100, -7};
	batch.source_pks = {1, 2};
	batch.push_value("acme");
	batch.push_value("");
	batch.push_null();
	batch.push_value("2023-06-22T00:00:00Z");
	std::string out = "left over";
	ASSERT_TRUE(copy_text(batch, out));
	// An empty string is a value; NULL is \N.
	EXPECT_EQ(out, "100\tacme\t\n-7\t\\N\t2023-06-22T00:00:00Z\n");
}

TEST(CopyText, EscapesBackslashTabNewlineAndCarriageReturnOnly) {
	RowBatch batch = two_column_batch();
	batch.ids = {1};
	batch.source_pks = {1};
	batch.push_value("a\\b\tc\nd\re");
	batch.push_value("\\N \\. \x01 \xc3\xa9 ,;\"'");
	std::string out;
	ASSERT_TRUE(copy_text(batch, out));
	// "\\N" in a value is a backslash and an N, not NULL; "\\." is not the end-of-data marker.
	EXPECT_EQ(out, "1\ta\\\\b\\tc\\nd\\re\t\\\\N \\\\. \x01 \xc3\xa9 ,;\"'\n");
}

TEST(CopyText, RefusesANulByte) {
	RowBatch batch = two_column_batch();
	batch.ids = {1};
	batch.source_pks = {1};
	batch.push_value("ok");
	batch.push_value(std::string("a\0b", 3));
	std::string out;
	EXPECT_FALSE(copy_text(batch, out));
}

TEST(CopyText, AnEmptyBatchIsEmptyText) {
	RowBatch batch = two_column_batch();
	std::string out = "x";
	ASSERT_TRUE(copy_text(batch, out));
	EXPECT_EQ(out, "");
}

} // namespace
} // namespace relocate

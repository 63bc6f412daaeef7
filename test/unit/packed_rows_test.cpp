// PackedRows (src/core/packed_rows.hpp): the rows come back exactly as pushed, NULL and empty
// strings apart, and they take far less memory than the TextArrays they replace.
#include "core/packed_rows.hpp"

#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

namespace relocate {
namespace {

TEST(PackedRows, RowsComeBackAsPushed) {
	PackedRows rows(3);
	EXPECT_TRUE(rows.empty());
	const std::vector<TextArray> in = {
	    {std::string("42"), std::string("a@example.com"), std::string("now")},
	    {std::nullopt, std::string(), std::string("x")},               // NULL and '' are not the same
	    {std::string(), std::nullopt, std::nullopt},                   // trailing NULLs
	    {std::string("\0b", 2), std::string(300, 'z'), std::string()}, // a NUL byte, a long value
	};
	for (const TextArray &r : in)
		rows.push_back(r);
	ASSERT_EQ(rows.size(), in.size());
	for (std::size_t r = 0; r < in.size(); ++r)
		EXPECT_EQ(rows.row(r), in[r]) << "row " << r;
}

TEST(PackedRows, RefusesARowOfAnotherWidth) {
	PackedRows rows(2);
	EXPECT_THROW(rows.push_back({std::string("only one")}), std::invalid_argument);
	EXPECT_TRUE(rows.empty());
	PackedRows none(0);
	none.push_back({});
	none.push_back({});
	EXPECT_EQ(none.size(), 2U);
	EXPECT_EQ(none.row(1), TextArray());
}

// A new user's held-back UserEmail row (user id, email, validation hash, "now", "false"): its values'
// bytes plus 8 per value, under a third of what the TextArray took (40 bytes per value, a heap
// block for each value over 15 bytes).
TEST(PackedRows, TakesTheValuesBytesPlusEightPerValue) {
	PackedRows rows(5);
	const TextArray user_email = {std::string("1234567"), std::string("someone.else@example.com"), std::string(32, 'h'),
	                              std::string("now"), std::string("false")};
	std::size_t value_bytes = 0;
	for (const auto &v : user_email)
		value_bytes += v->size();
	const std::size_t n = 10000;
	for (std::size_t i = 0; i < n; ++i)
		rows.push_back(user_email);
	const double per_row = static_cast<double>(rows.bytes()) / n;
	EXPECT_LE(per_row, 2.0 * static_cast<double>(value_bytes + 5 * 8)); // vector growth: at most 2x
	EXPECT_LT(per_row, (sizeof(TextArray) + 5 * sizeof(std::optional<std::string>) + 2 * 48) / 2.0);
	EXPECT_EQ(rows.row(n - 1), user_email);
}

// RowKeyIndex: the first row under a key stays; every key is found after the index has grown many
// times, and a key never added is not (also one whose hash lands on a taken slot).
TEST(RowKeyIndex, FindsEveryKeyAndKeepsTheFirstRow) {
	std::vector<std::string> keys;
	const RowKeyIndex::KeyOf key_of = [&](std::uint32_t r) { return keys[r]; };
	RowKeyIndex index;
	EXPECT_FALSE(index.find("absent", key_of));
	for (std::uint32_t r = 0; r < 10000; ++r) {
		keys.push_back("user" + std::to_string(r % 7000) + "@example.com"); // rows 7000.. repeat keys
		const std::uint32_t under = index.insert(keys.back(), r, key_of);
		EXPECT_EQ(under, r < 7000 ? r : r - 7000) << r;
	}
	EXPECT_EQ(index.size(), 7000U);
	EXPECT_LE(index.bytes(), 4 * 8 * 7000U); // 8-byte slots, at least a quarter full
	for (std::uint32_t r = 0; r < 7000; ++r)
		EXPECT_EQ(index.find(keys[r], key_of), std::optional<std::uint32_t>(r));
	for (int i = 0; i < 1000; ++i)
		EXPECT_FALSE(index.find("other" + std::to_string(i), key_of));
}

} // namespace
} // namespace relocate

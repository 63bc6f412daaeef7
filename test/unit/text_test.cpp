// Tests of the UTF-8 helpers of src/core/text.cpp that guard what reaches the database and the
// error messages: invalid_utf8_at (PostgreSQL's UTF8 rules), describe_invalid_utf8, utf8_prefix.
#include "core/text.hpp"

#include <gtest/gtest.h>

#include <string>

namespace relocate {
namespace {

constexpr std::size_t npos = std::string_view::npos;

TEST(InvalidUtf8At, AcceptsEveryCharacter) {
	EXPECT_EQ(invalid_utf8_at(""), npos);
	EXPECT_EQ(invalid_utf8_at("plain ascii"), npos);
	EXPECT_EQ(invalid_utf8_at("h\xc3\xa9llo"), npos);              // U+00E9
	EXPECT_EQ(invalid_utf8_at("\xe2\x82\xac"), npos);              // U+20AC
	EXPECT_EQ(invalid_utf8_at("\xed\x9f\xbf"), npos);              // U+D7FF, the last before the surrogates
	EXPECT_EQ(invalid_utf8_at("\xee\x80\x80"), npos);              // U+E000, the first after them
	EXPECT_EQ(invalid_utf8_at("\xef\xbf\xbf"), npos);              // U+FFFF (a noncharacter, but valid)
	EXPECT_EQ(invalid_utf8_at("\xf0\x9f\x98\x80"), npos);          // U+1F600
	EXPECT_EQ(invalid_utf8_at("\xf4\x8f\xbf\xbf"), npos);          // U+10FFFF
	EXPECT_EQ(invalid_utf8_at(std::string_view("a\0b", 3)), npos); // NUL is UTF-8 (text refuses it elsewhere)
}

TEST(InvalidUtf8At, RefusesSurrogatesAndEverythingElse) {
	EXPECT_EQ(invalid_utf8_at("ab\xed\xb0\x80"), 2u);   // U+DC00, a lone low surrogate
	EXPECT_EQ(invalid_utf8_at("\xed\xa0\x80"), 0u);     // U+D800
	EXPECT_EQ(invalid_utf8_at("\xed\xbf\xbf"), 0u);     // U+DFFF
	EXPECT_EQ(invalid_utf8_at("\xc0\xaf"), 0u);         // overlong '/'
	EXPECT_EQ(invalid_utf8_at("\xe0\x80\xaf"), 0u);     // overlong
	EXPECT_EQ(invalid_utf8_at("\xf0\x80\x80\xaf"), 0u); // overlong
	EXPECT_EQ(invalid_utf8_at("\xf4\x90\x80\x80"), 0u); // above U+10FFFF
	EXPECT_EQ(invalid_utf8_at("\xf5\x80\x80\x80"), 0u);
	EXPECT_EQ(invalid_utf8_at("x\x80"), 1u);    // a stray continuation byte
	EXPECT_EQ(invalid_utf8_at("x\xc3"), 1u);    // cut short
	EXPECT_EQ(invalid_utf8_at("\xc3\x28"), 0u); // not a continuation
	EXPECT_EQ(invalid_utf8_at("\xe2\x82"), 0u);
}

TEST(DescribeInvalidUtf8, NamesTheSurrogateOrTheBytes) {
	EXPECT_EQ(describe_invalid_utf8("ab\xed\xb0\x80", 2), "\\udc00, a lone UTF-16 surrogate, which is not a character");
	EXPECT_EQ(describe_invalid_utf8("\xed\xbf\xbf", 0), "\\udfff, a lone UTF-16 surrogate, which is not a character");
	EXPECT_EQ(describe_invalid_utf8("\xc3\x28z", 0), "the bytes \\xc3 \\x28, which are not UTF-8");
	EXPECT_EQ(describe_invalid_utf8("x\xc3", 1), "the bytes \\xc3, which are not UTF-8");
}

TEST(Utf8Prefix, CutsAtCharacterBoundaries) {
	const std::string s = "ab\xc3\xa9\xe2\x82\xac"; // a b é €: bytes 0 1 | 2 3 | 4 5 6
	EXPECT_EQ(utf8_prefix(s, 100), s);
	EXPECT_EQ(utf8_prefix(s, 7), s);
	EXPECT_EQ(utf8_prefix(s, 6), "ab\xc3\xa9");
	EXPECT_EQ(utf8_prefix(s, 5), "ab\xc3\xa9");
	EXPECT_EQ(utf8_prefix(s, 4), "ab\xc3\xa9");
	EXPECT_EQ(utf8_prefix(s, 3), "ab");
	EXPECT_EQ(utf8_prefix(s, 2), "ab");
	EXPECT_EQ(utf8_prefix(s, 0), "");
	EXPECT_EQ(utf8_prefix("\xf0\x9f\x98\x80z", 3), "");
	// Bytes that are no character are cut where the limit is.
	EXPECT_EQ(utf8_prefix("a\x80\x80\x80", 2), "a\x80");
}

} // namespace
} // namespace relocate

// Tests of value conversion (src/core/value.cpp): every ColumnType, the Sentry encodings of
// docs/sentry/import-spec.md §1.3 and docs/sentry/schema-facts.md §4, and the error SQLSTATEs.
#include "core/text.hpp"
#include "core/value.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "core/error.hpp"

namespace relocate {
namespace {

using T = FieldValue::Type;
using Status = Conversion::Status;

FieldValue val(T type, std::string text = {}, bool b = false) {
	FieldValue v;
	v.type = type;
	v.text = std::move(text);
	v.boolean = b;
	return v;
}
FieldValue S(std::string s) {
	return val(T::String, std::move(s));
}
FieldValue N(std::string s) {
	return val(T::Number, std::move(s));
}
FieldValue B(bool b) {
	return val(T::Bool, {}, b);
}
FieldValue O(std::string s) {
	return val(T::Object, std::move(s));
}
FieldValue A(std::string s) {
	return val(T::Array, std::move(s));
}
FieldValue Null() {
	return val(T::Null);
}

Column col(ColumnType type, std::string sql_type, int max_chars = -1, bool json_text = false) {
	Column c;
	c.name = "c";
	c.sql_type = std::move(sql_type);
	c.type = type;
	c.max_chars = max_chars;
	c.json_text = json_text;
	return c;
}

const Column kBool = col(ColumnType::Bool, "boolean");
const Column kInt2 = col(ColumnType::Int2, "smallint");
const Column kInt4 = col(ColumnType::Int4, "integer");
const Column kInt8 = col(ColumnType::Int8, "bigint");
const Column kFloat = col(ColumnType::Float, "double precision");
const Column kNumeric = col(ColumnType::Numeric, "numeric");
const Column kText = col(ColumnType::Text, "text");
const Column kJson = col(ColumnType::Json, "json");
const Column kJsonb = col(ColumnType::Jsonb, "jsonb");
const Column kJsonText = col(ColumnType::Text, "text", -1, true);
const Column kTimestampTz = col(ColumnType::TimestampTz, "timestamp with time zone");
const Column kTimestamp = col(ColumnType::Timestamp, "timestamp without time zone");
const Column kDate = col(ColumnType::Date, "date");
const Column kUuid = col(ColumnType::Uuid, "uuid");
const Column kInet = col(ColumnType::Inet, "inet");
const Column kTextArray = col(ColumnType::TextArray, "text[]");
const Column kOther = col(ColumnType::Other, "interval");

// Expects success and returns the output text.
std::string ok(const FieldValue &v, const Column &c) {
	std::string out = "<untouched>";
	Conversion r = convert_value(v, c, out);
	EXPECT_EQ(r.status, Status::Ok) << "input [" << v.text << "] into " << c.sql_type << ": "
	                                << (r.sqlstate ? r.sqlstate : "") << " " << r.reason;
	return out;
}

// Expects an error and returns its SQLSTATE.
std::string err(const FieldValue &v, const Column &c) {
	std::string out;
	Conversion r = convert_value(v, c, out);
	EXPECT_EQ(r.status, Status::Error) << "input [" << v.text << "] into " << c.sql_type << " gave [" << out << "]";
	if (r.status != Status::Error)
		return "<ok>";
	EXPECT_NE(r.sqlstate, nullptr);
	EXPECT_FALSE(r.reason.empty());
	return r.sqlstate ? r.sqlstate : "<null>";
}

bool valid_utf8(const std::string &s) {
	std::size_t i = 0;
	while (i < s.size()) {
		unsigned char c = static_cast<unsigned char>(s[i]);
		std::size_t n;
		unsigned cp;
		if (c < 0x80) {
			++i;
			continue;
		} else if ((c & 0xE0) == 0xC0) {
			n = 1;
			cp = c & 0x1F;
		} else if ((c & 0xF0) == 0xE0) {
			n = 2;
			cp = c & 0x0F;
		} else if ((c & 0xF8) == 0xF0) {
			n = 3;
			cp = c & 0x07;
		} else {
			return false;
		}
		if (i + n >= s.size())
			return false;
		for (std::size_t k = 1; k <= n; ++k) {
			unsigned char d = static_cast<unsigned char>(s[i + k]);
			if ((d & 0xC0) != 0x80)
				return false;
			cp = (cp << 6) | (d & 0x3F);
		}
		if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10FFFF ||
		    (cp >= 0xD800 && cp <= 0xDFFF))
			return false;
		i += n + 1;
	}
	return true;
}

TEST(ValueTestHelpers, ValidUtf8) {
	EXPECT_TRUE(valid_utf8("abc\xc3\xa9\xf0\x9f\x98\x80"));
	EXPECT_FALSE(valid_utf8("\xed\xa0\x80"));
	EXPECT_FALSE(valid_utf8("\xc3"));
	EXPECT_FALSE(valid_utf8("\xc0\xaf"));
}

// --- null -----------------------------------------------------------------------------------------

TEST(ConvertValue, NullIsNullForEveryType) {
	for (const Column *c : {&kBool, &kInt2, &kInt4, &kInt8, &kFloat, &kNumeric, &kText, &kJson, &kJsonb, &kJsonText,
	                        &kTimestampTz, &kTimestamp, &kDate, &kUuid, &kInet, &kTextArray, &kOther}) {
		std::string out;
		EXPECT_EQ(convert_value(Null(), *c, out).status, Status::Null) << c->sql_type;
	}
}

// --- integers -------------------------------------------------------------------------------------

TEST(ConvertValue, Integers) {
	EXPECT_EQ(ok(N("42"), kInt4), "42");
	EXPECT_EQ(ok(N("-42"), kInt4), "-42");
	EXPECT_EQ(ok(N("4554016097501184"), kInt8), "4554016097501184");
	EXPECT_EQ(ok(N("9223372036854775807"), kInt8), "9223372036854775807");
	EXPECT_EQ(ok(N("-9223372036854775808"), kInt8), "-9223372036854775808");
	EXPECT_EQ(ok(N("-0"), kInt8), "0");
}

TEST(ConvertValue, BitFlagStringsIntoIntegerColumns) {
	// Sentry's BitFields are exported as decimal strings ("flags": "0", "roles": "1", project "10").
	EXPECT_EQ(ok(S("0"), kInt8), "0");
	EXPECT_EQ(ok(S("1"), kInt8), "1");
	EXPECT_EQ(ok(S("10"), kInt8), "10");
	EXPECT_EQ(ok(S("-1"), kInt8), "-1");
	EXPECT_EQ(ok(S("4554016097501184"), kInt8), "4554016097501184");
	EXPECT_EQ(ok(S("7"), kInt2), "7");
	// Leading zeros are normalised away.
	EXPECT_EQ(ok(S("007"), kInt4), "7");
}

TEST(ConvertValue, IntegerRanges) {
	EXPECT_EQ(ok(N("32767"), kInt2), "32767");
	EXPECT_EQ(ok(N("-32768"), kInt2), "-32768");
	EXPECT_EQ(err(N("32768"), kInt2), "22003");
	EXPECT_EQ(err(N("-32769"), kInt2), "22003");
	EXPECT_EQ(err(S("65536"), kInt2), "22003");
	EXPECT_EQ(ok(N("2147483647"), kInt4), "2147483647");
	EXPECT_EQ(ok(N("-2147483648"), kInt4), "-2147483648");
	EXPECT_EQ(err(N("2147483648"), kInt4), "22003");
	EXPECT_EQ(err(N("-2147483649"), kInt4), "22003");
	EXPECT_EQ(err(N("4554016097501184"), kInt4), "22003");
	EXPECT_EQ(err(N("9223372036854775808"), kInt8), "22003");
	EXPECT_EQ(err(N("-9223372036854775809"), kInt8), "22003");
	EXPECT_EQ(err(N("123456789012345678901234567890"), kInt8), "22003");
	EXPECT_EQ(err(N("123456789012345678901234567890"), kInt2), "22003");
}

TEST(ConvertValue, IntegerSyntaxAndTypeErrors) {
	for (const char *bad : {"1.0", "1.5", "1e3", "-1E2"})
		EXPECT_EQ(err(N(bad), kInt8), "22P02") << bad;
	for (const char *bad : {"", "-", "abc", " 1", "1 ", "0x10", "+1", "1_000", "--1"})
		EXPECT_EQ(err(S(bad), kInt4), "22P02") << bad;
	EXPECT_EQ(err(B(true), kInt8), "42804");
	EXPECT_EQ(err(O("{}"), kInt8), "42804");
	EXPECT_EQ(err(A("[1]"), kInt4), "42804");
}

TEST(ConvertValue, IntegerErrorReasonsNameTheValueAndType) {
	std::string out;
	Conversion r = convert_value(N("40000"), kInt2, out);
	ASSERT_EQ(r.status, Status::Error);
	EXPECT_NE(r.reason.find("40000"), std::string::npos) << r.reason;
	EXPECT_NE(r.reason.find("smallint"), std::string::npos) << r.reason;
	r = convert_value(S("abc"), kInt4, out);
	EXPECT_NE(r.reason.find("\"abc\""), std::string::npos) << r.reason;
	// Long values are shortened in the message.
	r = convert_value(S(std::string(500, 'x')), kInt4, out);
	ASSERT_EQ(r.status, Status::Error);
	EXPECT_LT(r.reason.size(), 200u);
	EXPECT_NE(r.reason.find("..."), std::string::npos);
	// ... never inside a UTF-8 character (a client in LATIN1 would get 22021 instead of the error):
	// "x" then two-byte characters, so that the cut at 60 bytes falls inside one of them.
	std::string multibyte = "x";
	for (int i = 0; i < 100; ++i)
		multibyte += "\xc3\xa9"; // é
	r = convert_value(S(multibyte), kInt4, out);
	ASSERT_EQ(r.status, Status::Error);
	EXPECT_EQ(invalid_utf8_at(r.reason), std::string::npos) << r.reason;
	EXPECT_NE(r.reason.find("\xc3\xa9...\""), std::string::npos) << r.reason;
}

// --- floats, numeric ------------------------------------------------------------------------------

TEST(ConvertValue, FloatsKeepTheirLiteral) {
	EXPECT_EQ(ok(N("1687902001.2623305"), kFloat), "1687902001.2623305");
	EXPECT_EQ(ok(N("-1.5e-7"), kFloat), "-1.5e-7");
	EXPECT_EQ(ok(N("1E+10"), kNumeric), "1E+10");
	EXPECT_EQ(ok(N("123456789012345678901234567890"), kNumeric), "123456789012345678901234567890");
	EXPECT_EQ(ok(S("2.5"), kFloat), "2.5");
	EXPECT_EQ(ok(S("NaN"), kFloat), "NaN");
	EXPECT_EQ(ok(S("-Infinity"), kFloat), "-Infinity");
	for (const char *bad : {"", "abc", "1.", ".5", "1e", "1e+", "--1", "1.2.3", "inf", " 1"})
		EXPECT_EQ(err(S(bad), kFloat), "22P02") << bad;
	EXPECT_EQ(err(B(false), kNumeric), "42804");
	EXPECT_EQ(err(O("{}"), kFloat), "42804");
}

// --- booleans -------------------------------------------------------------------------------------

TEST(ConvertValue, Booleans) {
	EXPECT_EQ(ok(B(true), kBool), "true");
	EXPECT_EQ(ok(B(false), kBool), "false");
	for (const char *t : {"1", "t", "true", "True"})
		EXPECT_EQ(ok(S(t), kBool), "true") << t;
	for (const char *f : {"0", "f", "false", "False"})
		EXPECT_EQ(ok(S(f), kBool), "false") << f;
	EXPECT_EQ(ok(N("1"), kBool), "true");
	EXPECT_EQ(ok(N("0"), kBool), "false");
	for (const char *bad : {"TRUE", "yes", "no", "on", "2", "", " true", "tru"})
		EXPECT_EQ(err(S(bad), kBool), "22P02") << bad;
	EXPECT_EQ(err(N("2"), kBool), "22P02");
	EXPECT_EQ(err(N("1.0"), kBool), "22P02");
	EXPECT_EQ(err(O("{}"), kBool), "42804");
	EXPECT_EQ(err(A("[]"), kBool), "42804");
}

// --- text -----------------------------------------------------------------------------------------

TEST(ConvertValue, Text) {
	EXPECT_EQ(ok(S("hello"), kText), "hello");
	EXPECT_EQ(ok(S(""), kText), "");
	EXPECT_EQ(ok(S("quote \" backslash \\ newline \n"), kText), "quote \" backslash \\ newline \n");
	EXPECT_EQ(ok(N("4554016097501184"), kText), "4554016097501184");
	EXPECT_EQ(ok(N("1.50"), kText), "1.50");
	EXPECT_EQ(err(B(true), kText), "42804");
	EXPECT_EQ(err(O("{\"a\":1}"), kText), "42804");
	EXPECT_EQ(err(A("[]"), kText), "42804");
}

TEST(ConvertValue, VarcharLengthCountsUtf8Characters) {
	const Column v5 = col(ColumnType::Text, "character varying", 5);
	EXPECT_EQ(ok(S("hello"), v5), "hello");
	EXPECT_EQ(ok(S("h\xc3\xa9llo"), v5), "h\xc3\xa9llo");                                // 5 characters, 6 bytes
	EXPECT_EQ(ok(S("\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe6\x97\xa5\xe6\x9c\xac"), v5), // 5 CJK, 15 bytes
	          "\xe6\x97\xa5\xe6\x9c\xac\xe8\xaa\x9e\xe6\x97\xa5\xe6\x9c\xac");
	EXPECT_EQ(ok(S("\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80"), v5),
	          "\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80\xf0\x9f\x98\x80"); // 5 emoji
	EXPECT_EQ(err(S("hello!"), v5), "22001");
	EXPECT_EQ(err(S("h\xc3\xa9llo!"), v5), "22001");
	EXPECT_EQ(err(N("123456"), v5), "22001");
	const Column v0 = col(ColumnType::Text, "character varying", 0);
	EXPECT_EQ(ok(S(""), v0), "");
	EXPECT_EQ(err(S("x"), v0), "22001");

	std::string out;
	Conversion r = convert_value(S("h\xc3\xa9llo world"), v5, out);
	ASSERT_EQ(r.status, Status::Error);
	EXPECT_NE(r.reason.find("(5)"), std::string::npos) << r.reason;
	EXPECT_NE(r.reason.find("11 characters"), std::string::npos) << r.reason;
}

TEST(ConvertValue, NulCharacterIsRejected) {
	const std::string nul("a\0b", 3);
	EXPECT_EQ(err(S(nul), kText), "22P05");
	EXPECT_EQ(err(S(nul), col(ColumnType::Text, "character varying", 10)), "22P05");
	EXPECT_EQ(err(S(nul), kOther), "22P05");
	EXPECT_EQ(err(S(nul), kJsonb), "22P05");
	EXPECT_EQ(err(S(nul), kJson), "22P05");
	EXPECT_EQ(err(S(nul), kJsonText), "22P05");
	EXPECT_EQ(err(S("{" + nul + "}"), kTextArray), "22P05");
	EXPECT_EQ(err(S(std::string("\0", 1)), kText), "22P05");
}

TEST(Utf8Length, CountsCodePoints) {
	EXPECT_EQ(utf8_length(""), 0u);
	EXPECT_EQ(utf8_length("abc"), 3u);
	EXPECT_EQ(utf8_length("h\xc3\xa9llo"), 5u);
	EXPECT_EQ(utf8_length("\xe6\x97\xa5\xe6\x9c\xac"), 2u);
	EXPECT_EQ(utf8_length("\xf0\x9f\x98\x80"), 1u);
}

// --- JSON -----------------------------------------------------------------------------------------

TEST(ConvertValue, JsonInAStringIsDecoded) {
	for (const Column *c : {&kJsonb, &kJson, &kJsonText}) {
		SCOPED_TRACE(c->sql_type + (c->json_text ? " (json_text)" : ""));
		// A string holding JSON text: the JSON value is stored (Sentry's PickledObjectField).
		EXPECT_EQ(ok(S("\"23.6.1\""), *c), "\"23.6.1\"");
		EXPECT_EQ(ok(S("\"\""), *c), "\"\"");
		EXPECT_EQ(ok(S("[\"*\"]"), *c), "[\"*\"]");
		EXPECT_EQ(ok(S("{\"a\": [1, 2]}"), *c), "{\"a\": [1, 2]}");
		EXPECT_EQ(ok(S("true"), *c), "true");
		// Ambiguity shared with Sentry: a numeric string is a JSON number.
		EXPECT_EQ(ok(S("123"), *c), "123");
		// A bare string that is not JSON: stored as a JSON string.
		EXPECT_EQ(ok(S("23.6.1"), *c), "\"23.6.1\"");
		EXPECT_EQ(ok(S(""), *c), "\"\"");
		EXPECT_EQ(ok(S("Europe/Vienna"), *c), "\"Europe/Vienna\"");
		EXPECT_EQ(ok(S("say \"hi\"\\\n\x01"), *c), "\"say \\\"hi\\\"\\\\\\n\\u0001\"");
		EXPECT_EQ(ok(S("[1, 2"), *c), "\"[1, 2\"");
		EXPECT_EQ(ok(S("h\xc3\xa9"), *c), "\"h\xc3\xa9\"");
		// Native JSON values are stored verbatim.
		EXPECT_EQ(ok(N("11"), *c), "11");
		EXPECT_EQ(ok(N("1687902001.2623305"), *c), "1687902001.2623305");
		EXPECT_EQ(ok(O("{\"dynamicSdkLoaderOptions\":{\"hasReplay\":true}}"), *c),
		          "{\"dynamicSdkLoaderOptions\":{\"hasReplay\":true}}");
		EXPECT_EQ(ok(A("[1,\"a\",null]"), *c), "[1,\"a\",null]");
		EXPECT_EQ(ok(B(true), *c), "true");
		EXPECT_EQ(ok(B(false), *c), "false");
	}
}

TEST(ConvertValue, JsonEscapedNulIsRejected) {
	// PostgreSQL's jsonb cannot hold \u0000.
	EXPECT_EQ(err(S("\"a\\u0000b\""), kJsonb), "22P05");
	EXPECT_EQ(err(O("{\"k\":\"\\u0000\"}"), kJsonb), "22P05");
	EXPECT_EQ(err(A("[\"\\u0000\"]"), kJsonText), "22P05");
}

TEST(ConvertValue, JsonLiteralBackslashUIsNotANul) {
	// The text  C:\u0000x  (a backslash, then "u0000") is not JSON, so it is stored as the JSON string
	// "C:\\u0000x", which holds no NUL and which jsonb accepts (checked on PostgreSQL 15:
	// SELECT '"C:\\u0000x"'::jsonb). The check for "\u0000" in value.cpp (json_text_for) is a
	// substring search that also matches the escaped backslash.
	std::string out;
	Conversion r = convert_value(S("C:\\u0000x"), kJsonb, out);
	EXPECT_EQ(r.status, Status::Ok) << "BUG: " << (r.sqlstate ? r.sqlstate : "") << " " << r.reason;
	if (r.status == Status::Ok) {
		EXPECT_EQ(out, "\"C:\\\\u0000x\"");
	}
	// The same for a JSON-in-a-string value holding an escaped backslash.
	r = convert_value(S("\"C:\\\\u0000x\""), kJsonText, out);
	EXPECT_EQ(r.status, Status::Ok) << "BUG: " << (r.sqlstate ? r.sqlstate : "") << " " << r.reason;
}

TEST(ConvertValue, JsonTextColumnsRespectVarcharLimits) {
	const Column c = col(ColumnType::Text, "character varying", 4, true);
	EXPECT_EQ(ok(S("ab"), c), "\"ab\"");
	EXPECT_EQ(err(S("abc"), c), "22001"); // "abc" with quotes is 5 characters
}

// Sentry 24.8 keeps option values (PickledObjectField) and other JSON in text NOT NULL columns, and
// writes json.dumps(None), "null", for None; a nullable one takes NULL.
TEST(ConvertValue, NullIntoANotNullJsonTextColumnIsJsonNull) {
	Column c = col(ColumnType::Text, "text", -1, true);
	c.not_null = true;
	EXPECT_EQ(ok(Null(), c), "null");
	c.not_null = false;
	std::string out;
	EXPECT_EQ(convert_value(Null(), c, out).status, Status::Null);
	Column jsonb = col(ColumnType::Jsonb, "jsonb", -1, true);
	jsonb.not_null = true;
	EXPECT_EQ(convert_value(Null(), jsonb, out).status, Status::Null);
}

TEST(IsValidJson, Basics) {
	for (const char *good :
	     {"1", "-1.5e3", "\"x\"", "[1]", " {} ", "null", "true", "[\"\\u00e9\"]", "{\"a\":{\"b\":[]}}"})
		EXPECT_TRUE(is_valid_json(good)) << good;
	for (const char *bad : {"", " ", "x", "[1", "1 2", "{'a':1}", "NaN", "[1,]", "01", "\"\xff\""})
		EXPECT_FALSE(is_valid_json(bad)) << bad;
	EXPECT_FALSE(is_valid_json(std::string("1\0", 2)));
	EXPECT_FALSE(is_valid_json(std::string("\"a\0b\"", 5)));
}

TEST(AppendJsonString, EscapesAndAppends) {
	std::string out = "x";
	append_json_string(out, "a\"b\\c\n\x01\xc3\xa9/");
	EXPECT_EQ(out, "x\"a\\\"b\\\\c\\n\\u0001\xc3\xa9/\"");
	out.clear();
	append_json_string(out, std::string("\0", 1));
	EXPECT_EQ(out, "\"\\u0000\"");
}

// --- datetimes ------------------------------------------------------------------------------------

TEST(ConvertValue, TimestampTz) {
	EXPECT_EQ(ok(S("2023-06-22T22:59:55.531Z"), kTimestampTz), "2023-06-22T22:59:55.531Z");
	EXPECT_EQ(ok(S("2023-06-22T00:00:00Z"), kTimestampTz), "2023-06-22T00:00:00Z");
	EXPECT_EQ(ok(S("2023-06-22T00:00:00z"), kTimestampTz), "2023-06-22T00:00:00z");
	EXPECT_EQ(ok(S("2023-06-22T22:59:55.060271Z"), kTimestampTz), "2023-06-22T22:59:55.060271Z");
	EXPECT_EQ(ok(S("2023-06-22T22:59:55+05:30"), kTimestampTz), "2023-06-22T22:59:55+05:30");
	EXPECT_EQ(ok(S("2023-06-22T22:59:55-0800"), kTimestampTz), "2023-06-22T22:59:55-0800");
	EXPECT_EQ(ok(S("2023-06-22T22:59:55+05"), kTimestampTz), "2023-06-22T22:59:55+05");
	EXPECT_EQ(ok(S("2023-06-22T22:59Z"), kTimestampTz), "2023-06-22T22:59Z");
	// No offset: Sentry's datetimes are UTC.
	EXPECT_EQ(ok(S("2023-06-22T22:59:55"), kTimestampTz), "2023-06-22T22:59:55+00");
	EXPECT_EQ(ok(S("2023-06-22T22:59:55.123"), kTimestampTz), "2023-06-22T22:59:55.123+00");
	EXPECT_EQ(ok(S("2023-06-22 22:59"), kTimestampTz), "2023-06-22 22:59+00");
	EXPECT_EQ(ok(S("2023-06-22"), kTimestampTz), "2023-06-22 00:00:00+00");
	// Leap days.
	EXPECT_EQ(ok(S("2024-02-29T00:00:00Z"), kTimestampTz), "2024-02-29T00:00:00Z");
	EXPECT_EQ(ok(S("2000-02-29"), kDate), "2000-02-29");
	EXPECT_EQ(ok(S("2023-12-31T23:59:59.999999999Z"), kTimestampTz), "2023-12-31T23:59:59.999999999Z");
}

TEST(ConvertValue, TimestampAndDate) {
	// timestamp without time zone and date get no offset appended.
	EXPECT_EQ(ok(S("2023-06-22T22:59:55"), kTimestamp), "2023-06-22T22:59:55");
	EXPECT_EQ(ok(S("2023-06-22T22:59:55.531Z"), kTimestamp), "2023-06-22T22:59:55.531Z");
	EXPECT_EQ(ok(S("2023-06-22"), kTimestamp), "2023-06-22");
	EXPECT_EQ(ok(S("2023-06-22"), kDate), "2023-06-22");
	EXPECT_EQ(ok(S("2023-06-22T10:00:00Z"), kDate), "2023-06-22T10:00:00Z");
}

TEST(ConvertValue, InvalidDatetimes) {
	for (const char *bad : {"2023-02-30",
	                        "2023-02-29",
	                        "1900-02-29",
	                        "2023-04-31",
	                        "2023-13-01",
	                        "2023-00-10",
	                        "2023-06-00",
	                        "2023-06-32",
	                        "2023-06-22T25:00:00Z",
	                        "2023-06-22T24:00:00Z",
	                        "2023-06-22T23:60:00Z",
	                        "2023-06-22T23:59:60Z",
	                        "2023-06-22T10",
	                        "2023-06-22T10:",
	                        "2023-06-22T10:0",
	                        "2023-6-22",
	                        "23-06-22",
	                        "22/06/2023",
	                        "",
	                        "now",
	                        "2023-06-22T10:00:00.Z",
	                        "2023-06-22T10:00:00ZZ",
	                        "2023-06-22T10:00:00Z ",
	                        " 2023-06-22",
	                        "2023-06-22T10:00:00+24:00",
	                        "2023-06-22T10:00:00+05:60",
	                        "2023-06-22T10:00:00+5",
	                        "2023-06-22T10:00:00+05:3",
	                        "2023-06-22X10:00",
	                        "2023-06-22T10:00:00.1234567890Z",
	                        "2023-06-22T10:00:00 UTC",
	                        "2023-06-22T1a:00",
	                        "abcd-06-22"}) {
		SCOPED_TRACE(bad);
		EXPECT_EQ(err(S(bad), kTimestampTz), "22007");
	}
	EXPECT_EQ(err(S("2023-02-30"), kDate), "22007");
	EXPECT_EQ(err(S("2023-02-30"), kTimestamp), "22007");
	EXPECT_EQ(err(N("1687902001"), kTimestampTz), "42804");
	EXPECT_EQ(err(B(true), kDate), "42804");
	std::string out;
	Conversion r = convert_value(S("2023-02-30"), kDate, out);
	EXPECT_NE(r.reason.find("invalid ISO 8601 date"), std::string::npos) << r.reason;
	r = convert_value(S("2023-02-30"), kTimestampTz, out);
	EXPECT_NE(r.reason.find("invalid ISO 8601 datetime"), std::string::npos) << r.reason;
}

TEST(ConvertValue, DatetimesPostgresqlRejects) {
	// Every datetime the converter accepts should be one PostgreSQL accepts: the converter exists to
	// report a misfit with model/pk/field instead of a bare error in the middle of a batch. These pass
	// the converter unchanged but fail in PostgreSQL 15 (checked with SELECT '...'::timestamptz):
	//   year 0000               -> ERROR: date/time field value out of range (Django rejects year 0 too)
	//   a comma decimal mark    -> ERROR: invalid input syntax (Django accepts it: parse_datetime's [\.,])
	//   an offset beyond 15:59  -> ERROR: time zone displacement out of range (Django accepts < 24h)
	for (const char *s : {"0000-01-01T00:00:00Z", "2023-06-22T22:59:55,5Z", "2023-06-22T22:59:55+16:00"}) {
		SCOPED_TRACE(s);
		std::string out;
		Conversion r = convert_value(S(s), kTimestampTz, out);
		if (r.status == Status::Ok) {
			// Acceptable only if normalised into something PostgreSQL takes.
			EXPECT_NE(out, std::string(s)) << "BUG: passed through unchanged; PostgreSQL rejects it";
			EXPECT_EQ(out.find(','), std::string::npos) << out;
			EXPECT_NE(out.rfind("0000-", 0), 0u) << out;
		} else {
			EXPECT_STREQ(r.sqlstate, "22007");
		}
	}
}

// --- uuid, inet -----------------------------------------------------------------------------------

TEST(ConvertValue, Uuid) {
	EXPECT_EQ(ok(S("0f2e6e0cd4e54b6f8c0c2b0e5b6f1a2b"), kUuid), "0f2e6e0cd4e54b6f8c0c2b0e5b6f1a2b");
	EXPECT_EQ(ok(S("541d8473-0a90-4a4e-b536-704f223521b0"), kUuid), "541d8473-0a90-4a4e-b536-704f223521b0");
	EXPECT_EQ(ok(S("541D8473-0A90-4A4E-B536-704F223521B0"), kUuid), "541D8473-0A90-4A4E-B536-704F223521B0");
	for (const char *bad : {"", "0f2e6e0cd4e54b6f8c0c2b0e5b6f1a2", "0f2e6e0cd4e54b6f8c0c2b0e5b6f1a2bc",
	                        "0f2e6e0cd4e54b6f8c0c2b0e5b6f1a2g", "541d8473-0a90-4a4e-b536-704f223521b",
	                        "541d84730-a90-4a4e-b536-704f223521b0", "541d8473_0a90_4a4e_b536_704f223521b0",
	                        "{541d8473-0a90-4a4e-b536-704f223521b0}", "not-a-uuid"})
		EXPECT_EQ(err(S(bad), kUuid), "22P02") << bad;
	EXPECT_EQ(err(N("1"), kUuid), "42804");
}

TEST(ConvertValue, Inet) {
	for (const char *good : {"192.168.0.1", "127.0.0.1", "10.0.0.0/8", "1.2.3.4/32", "1.2.3.4/0", "::1", "2001:db8::1",
	                         "2001:db8::/64", "::ffff:1.2.3.4", "fe80::1/128"})
		EXPECT_EQ(ok(S(good), kInet), good);
	for (const char *bad : {"", "localhost", "256.1.1.1", "1.2.3", "1.2.3.4/33", "::1/129", "1.2.3.4/", "1.2.3.4/-1",
	                        "1.2.3.4/a", "1.2.3.4/8/8", "::g", "1.2.3.4 ", "fe80::1%eth0"})
		EXPECT_EQ(err(S(bad), kInet), "22P02") << bad;
	EXPECT_EQ(err(N("1"), kInet), "42804");
}

// --- text arrays ----------------------------------------------------------------------------------

TEST(ConvertValue, TextArrayFromPythonRepr) {
	EXPECT_EQ(ok(S("['broadcasts.admin', 'users.admin']"), kTextArray), "{\"broadcasts.admin\",\"users.admin\"}");
	EXPECT_EQ(ok(S("['broadcasts.admin', 'users.admin', 'options.admin']"), kTextArray),
	          "{\"broadcasts.admin\",\"users.admin\",\"options.admin\"}");
	EXPECT_EQ(ok(S("['org:ci']"), kTextArray), "{\"org:ci\"}");
	// repr() switches to double quotes when the element holds a single quote.
	EXPECT_EQ(ok(S("['x', \"it's\"]"), kTextArray), "{\"x\",\"it's\"}");
	// Escapes as repr() writes them.
	EXPECT_EQ(ok(S("['a\\'b', 'c\\\\d', 'tab\\there', 'nl\\n', 'cr\\r', '\\\"q']"), kTextArray),
	          "{\"a'b\",\"c\\\\d\",\"tab\there\",\"nl\n\",\"cr\r\",\"\\\"q\"}");
	EXPECT_EQ(ok(S("['\\x41\\u00e9\\U0001F600']"), kTextArray), "{\"A\xc3\xa9\xf0\x9f\x98\x80\"}");
	EXPECT_EQ(ok(S("['h\xc3\xa9']"), kTextArray), "{\"h\xc3\xa9\"}");
	EXPECT_EQ(ok(S("[None, 'x', None]"), kTextArray), "{NULL,\"x\",NULL}");
	EXPECT_EQ(ok(S("['a',]"), kTextArray), "{\"a\"}");
	EXPECT_EQ(ok(S("['a', 'b' , ]"), kTextArray), "{\"a\",\"b\"}");
	EXPECT_EQ(ok(S("[]"), kTextArray), "{}");
	EXPECT_EQ(ok(S("[ ]"), kTextArray), "{}");
	EXPECT_EQ(ok(S("  [ 'a' ]\n"), kTextArray), "{\"a\"}");
	EXPECT_EQ(ok(S("['']"), kTextArray), "{\"\"}");
	// The string "NULL" is an element, not a null.
	EXPECT_EQ(ok(S("['NULL']"), kTextArray), "{\"NULL\"}");
}

TEST(ConvertValue, TextArrayFromJson) {
	EXPECT_EQ(ok(S("[\"a\", \"b\"]"), kTextArray), "{\"a\",\"b\"}");
	EXPECT_EQ(ok(S("[\"a\", null]"), kTextArray), "{\"a\",NULL}");
	EXPECT_EQ(ok(S("[\"\\u00e9\\n\"]"), kTextArray), "{\"\xc3\xa9\n\"}");
	EXPECT_EQ(ok(S("[]"), kTextArray), "{}");
	// Mixed quotes: not JSON, but a Python list.
	EXPECT_EQ(ok(S("[\"a\", 'b']"), kTextArray), "{\"a\",\"b\"}");
	// Native JSON arrays.
	EXPECT_EQ(ok(A("[\"org:read\",\"project:read\"]"), kTextArray), "{\"org:read\",\"project:read\"}");
	EXPECT_EQ(ok(A("[null,\"x\"]"), kTextArray), "{NULL,\"x\"}");
	EXPECT_EQ(ok(A("[]"), kTextArray), "{}");
}

TEST(ConvertValue, TextArrayPostgresLiteralPassesThrough) {
	EXPECT_EQ(ok(S("{a,b}"), kTextArray), "{a,b}");
	EXPECT_EQ(ok(S("{}"), kTextArray), "{}");
	EXPECT_EQ(ok(S("  {\"x y\",NULL}"), kTextArray), "  {\"x y\",NULL}");
	// Its syntax is PostgreSQL's to check.
	EXPECT_EQ(ok(S("{a,b"), kTextArray), "{a,b");
}

TEST(ConvertValue, TextArrayOutputQuoting) {
	EXPECT_EQ(ok(A("[\"he said \\\"hi\\\"\"]"), kTextArray), "{\"he said \\\"hi\\\"\"}");
	EXPECT_EQ(ok(A("[\"back\\\\slash\"]"), kTextArray), "{\"back\\\\slash\"}");
	EXPECT_EQ(ok(A("[\"a,b\",\"{c}\",\" d \"]"), kTextArray), "{\"a,b\",\"{c}\",\" d \"}");
	EXPECT_EQ(ok(S("['\\\\\\\\']"), kTextArray), "{\"\\\\\\\\\"}"); // two backslashes
}

TEST(ConvertValue, TextArrayNumbersBecomeTheirLiteral) {
	// JSON numbers in a list are taken as their literal text (as Django's ArrayField(TextField) would
	// store str(1)), although value.cpp's comment and error message say "strings and nulls" only.
	EXPECT_EQ(ok(S("[1, 2]"), kTextArray), "{\"1\",\"2\"}");
	EXPECT_EQ(ok(S("[\"a\", 1.5]"), kTextArray), "{\"a\",\"1.5\"}");
	EXPECT_EQ(ok(A("[1]"), kTextArray), "{\"1\"}");
}

TEST(ConvertValue, TextArrayErrors) {
	for (const char *bad :
	     {"", "a,b", "x", "['a'", "['a' 'b']", "[,]", "['a',,]", "['\\q']", "['\\x4']", "['\\x4g']", "['\\U00110000']",
	      "['a'] x", "[None None]", "[Nonex]", "['a\\", "[[\"a\"]]", "('a',)", "[1, 'a']", "[true]"}) {
		SCOPED_TRACE(bad);
		EXPECT_EQ(err(S(bad), kTextArray), "22P02");
	}
	EXPECT_EQ(err(A("[[\"a\"]]"), kTextArray), "22P02");
	EXPECT_EQ(err(A("[{}]"), kTextArray), "22P02");
	EXPECT_EQ(err(A("[true]"), kTextArray), "22P02");
	EXPECT_EQ(err(B(true), kTextArray), "42804");
	EXPECT_EQ(err(N("1"), kTextArray), "42804");
	EXPECT_EQ(err(O("{}"), kTextArray), "42804");
	// U+0000 in an element.
	EXPECT_EQ(err(A("[\"a\\u0000\"]"), kTextArray), "22P05");
	EXPECT_EQ(err(S("[\"a\\u0000\"]"), kTextArray), "22P05");
	EXPECT_EQ(err(S("['\\x00']"), kTextArray), "22P05");
}

TEST(ConvertValue, TextArrayLoneSurrogateEscape) {
	// repr() writes a lone surrogate as '\ud800'. parse_python_list encodes it as the 3 bytes
	// ED A0 80, which is not UTF-8: PostgreSQL rejects the whole INSERT with "invalid byte sequence
	// for encoding UTF8" instead of the converter reporting the field.
	std::string out;
	Conversion r = convert_value(S("['\\ud800']"), kTextArray, out);
	if (r.status == Status::Ok)
		EXPECT_TRUE(valid_utf8(out)) << "BUG: the converter produced invalid UTF-8 for ['\\ud800']";
	else
		EXPECT_STREQ(r.sqlstate, "22P02");
}

// JSON held in a string is decoded for the first time by the converter: a lone surrogate escape in
// it is refused there (issue 8, point 2), in JSON columns, JSON-holding text columns and lists.
TEST(ConvertValue, LoneSurrogatesInJsonHeldInAString) {
	for (const Column *c : {&kJson, &kJsonb, &kJsonText}) {
		std::string out;
		Conversion r = convert_value(S(R"({"a": "\udc00"})"), *c, out);
		EXPECT_EQ(r.status, Status::Error) << c->sql_type;
		EXPECT_STREQ(r.sqlstate, "22P02");
		EXPECT_EQ(r.reason, "the JSON in the string holds \\udc00, a lone UTF-16 surrogate, which is not a character");
		EXPECT_EQ(err(S(R"(["\udfff"])"), *c), "22P02");
		EXPECT_EQ(err(S(R"({"\udc00": 1})"), *c), "22P02");
		EXPECT_EQ(ok(S(R"({"a": "\ud83d\ude00"})"), *c), R"({"a": "\ud83d\ude00"})");
	}
	std::string out;
	Conversion r = convert_value(S(R"(["a", "\udc00"])"), kTextArray, out);
	EXPECT_EQ(r.status, Status::Error);
	EXPECT_STREQ(r.sqlstate, "22P02");
	EXPECT_EQ(r.reason, "an element of the JSON list in the string holds \\udc00, a lone UTF-16 surrogate, which is "
	                    "not a character");
	EXPECT_EQ(ok(S(R"(["\ud83d\ude00"])"), kTextArray), "{\"\xf0\x9f\x98\x80\"}");
}

// --- other ----------------------------------------------------------------------------------------

TEST(ConvertValue, OtherPassesTextThrough) {
	EXPECT_EQ(ok(S("1 day"), kOther), "1 day");
	EXPECT_EQ(ok(N("5"), kOther), "5");
	EXPECT_EQ(ok(B(true), kOther), "true");
	EXPECT_EQ(ok(B(false), kOther), "false");
	EXPECT_EQ(ok(O("{\"a\":1}"), kOther), "{\"a\":1}");
	EXPECT_EQ(ok(A("[1]"), kOther), "[1]");
}

// --- column types -------------------------------------------------------------------------------

TEST(ColumnTypeFor, MapsPgTypes) {
	struct Case {
		const char *typname;
		char category;
		const char *elem;
		ColumnType type;
	} cases[] = {
	    {"bool", 'B', "", ColumnType::Bool},
	    {"int2", 'N', "", ColumnType::Int2},
	    {"int4", 'N', "", ColumnType::Int4},
	    {"int8", 'N', "", ColumnType::Int8},
	    {"float4", 'N', "", ColumnType::Float},
	    {"float8", 'N', "", ColumnType::Float},
	    {"numeric", 'N', "", ColumnType::Numeric},
	    {"text", 'S', "", ColumnType::Text},
	    {"varchar", 'S', "", ColumnType::Text},
	    {"bpchar", 'S', "", ColumnType::Text},
	    {"citext", 'S', "", ColumnType::Text},
	    {"name", 'S', "", ColumnType::Text},
	    {"json", 'U', "", ColumnType::Json},
	    {"jsonb", 'U', "", ColumnType::Jsonb},
	    {"timestamptz", 'D', "", ColumnType::TimestampTz},
	    {"timestamp", 'D', "", ColumnType::Timestamp},
	    {"date", 'D', "", ColumnType::Date},
	    {"uuid", 'U', "", ColumnType::Uuid},
	    {"inet", 'I', "", ColumnType::Inet},
	    {"cidr", 'I', "", ColumnType::Inet},
	    {"_text", 'A', "text", ColumnType::TextArray},
	    {"_varchar", 'A', "varchar", ColumnType::TextArray},
	    {"_citext", 'A', "citext", ColumnType::TextArray},
	    {"_int4", 'A', "int4", ColumnType::Other},
	    {"_jsonb", 'A', "jsonb", ColumnType::Other},
	    {"bytea", 'U', "", ColumnType::Other},
	    {"interval", 'T', "", ColumnType::Other},
	    {"time", 'D', "", ColumnType::Other},
	    {"", 'X', "", ColumnType::Other},
	    // The element name only matters for arrays.
	    {"mytext", 'S', "text", ColumnType::Other},
	};
	for (const Case &c : cases)
		EXPECT_EQ(column_type_for(c.typname, c.category, c.elem), c.type) << c.typname;
}

TEST(MaxCharsFor, VarcharAndBpcharTypmods) {
	EXPECT_EQ(max_chars_for("varchar", 68), 64);
	EXPECT_EQ(max_chars_for("varchar", 204), 200);
	EXPECT_EQ(max_chars_for("bpchar", 5), 1);
	EXPECT_EQ(max_chars_for("varchar", 4), 0);
	EXPECT_EQ(max_chars_for("varchar", 3), -1);
	EXPECT_EQ(max_chars_for("varchar", -1), -1);
	EXPECT_EQ(max_chars_for("text", 100), -1);
	EXPECT_EQ(max_chars_for("citext", 100), -1);
	EXPECT_EQ(max_chars_for("numeric", 655366), -1);
}

// --- deep nesting ---------------------------------------------------------------------------------

// RapidJSON's Reader and Document are recursive: is_valid_json (every string into a JSON column)
// and parse_json_array (every array string and native array into text[]) overflow the stack on a
// deeply nested value. A 2 MB string field is enough.
TEST(ConvertValueDeathTest, DeepNestingDoesNotOverflowTheStack) {
	GTEST_FLAG_SET(death_test_style, "threadsafe");
	const std::size_t depth = 1000000;
	const std::string nested = std::string(depth, '[') + std::string(depth, ']');
	EXPECT_EXIT(
	    {
		    (void)is_valid_json(nested);
		    std::exit(0);
	    },
	    ::testing::ExitedWithCode(0), "")
	    << "BUG: is_valid_json crashes on a string nested " << depth << " levels deep";
	EXPECT_EXIT(
	    {
		    std::string out;
		    (void)convert_value(S(nested), kJsonb, out);
		    std::exit(0);
	    },
	    ::testing::ExitedWithCode(0), "")
	    << "BUG: convert_value (jsonb) crashes on a string nested " << depth << " levels deep";
	EXPECT_EXIT(
	    {
		    std::string out;
		    (void)convert_value(S(nested), kTextArray, out);
		    std::exit(0);
	    },
	    ::testing::ExitedWithCode(0), "")
	    << "BUG: convert_value (text[]) crashes on a string nested " << depth << " levels deep";
}

// A value the caller gives up (convert_value(FieldValue &&), as the row builder does) reaches its
// cell without a copy wherever the cell is the value's text as it is: one large string is then in
// memory once, not twice. The const overload leaves the value alone; both give the same text.
TEST(ConvertValue, AGivenUpValueIsMovedIntoItsCell) {
	const std::string big(2u << 20, 'x');
	const std::string object = "{\"blob\":\"" + big + "\"}";
	const struct {
		FieldValue value;
		const Column &column;
	} cases[] = {{S(big), kText}, {O(object), kJsonb}, {O(object), kJsonText}, {S(object), kJson}, {S(big), kOther}};
	for (const auto &c : cases) {
		const std::string copied = ok(c.value, c.column);
		FieldValue given = c.value;
		const char *data = given.text.data();
		std::string out;
		ASSERT_EQ(convert_value(std::move(given), c.column, out).status, Status::Ok) << c.column.sql_type;
		EXPECT_EQ(out, copied) << c.column.sql_type;
		EXPECT_EQ(static_cast<const void *>(out.data()), static_cast<const void *>(data)) << c.column.sql_type;
	}
	// A string that is not JSON becomes a JSON string: new text, and the given-up value is released.
	FieldValue given = S(big);
	std::string out;
	ASSERT_EQ(convert_value(std::move(given), kJsonb, out).status, Status::Ok);
	EXPECT_EQ(out, "\"" + big + "\"");
	EXPECT_EQ(given.text.capacity() < big.size(), true); // NOLINT(bugprone-use-after-move): checks the release
}

// While values are withheld (an export relocate decrypted), no conversion error quotes the value.
TEST(ConvertValue, WithheldValuesAreQuotedInNoError) {
	const FieldValue bad[] = {S("secret-date"), S("secret-uuid"), N("99999999999"), S("secret-bool"), S("[secret")};
	const Column *columns[] = {&kTimestampTz, &kUuid, &kInt4, &kBool, &kTextArray};
	for (std::size_t i = 0; i < 5; ++i) {
		std::string out;
		const Conversion plain = convert_value(bad[i], *columns[i], out);
		ASSERT_EQ(plain.status, Status::Error);
		EXPECT_NE(plain.reason.find(bad[i].text), std::string::npos) << plain.reason;
		const WithheldValues withheld(true);
		const Conversion secret = convert_value(bad[i], *columns[i], out);
		ASSERT_EQ(secret.status, Status::Error);
		EXPECT_EQ(secret.reason.find(bad[i].text), std::string::npos) << secret.reason;
		EXPECT_NE(secret.reason.find(kWithheldValue), std::string::npos) << secret.reason;
		EXPECT_STREQ(secret.sqlstate, plain.sqlstate);
	}
	EXPECT_FALSE(WithheldValues::active());
	{
		const WithheldValues outer(true);
		const WithheldValues inner(false); // a nested import of a plain export does not lift it
		EXPECT_TRUE(WithheldValues::active());
	}
	EXPECT_FALSE(WithheldValues::active());
}

} // namespace
} // namespace relocate

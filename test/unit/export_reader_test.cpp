// Tests of the streaming export reader (src/core/export_reader.cpp): entry delivery, field values of
// every JSON type, storage reuse, the fixtures, every shape/syntax error with its SQLSTATE and byte
// offset, and parse_int64.
#include "core/export_reader.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <limits>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "source_files.hpp"

namespace relocate {
namespace {

// A deep copy of one delivered entry (the reader reuses its storage).
struct Seen {
	std::string model;
	std::int64_t pk;
	std::size_t index;
	std::size_t offset;
	std::size_t line;
	std::vector<ExportField> fields;

	const FieldValue &field(const std::string &name) const {
		for (const ExportField &f : fields)
			if (f.name == name)
				return f.value;
		throw std::runtime_error("no field " + name);
	}
};

class Recorder : public EntryConsumer {
public:
	std::vector<Seen> entries;
	std::function<void(const ExportEntry &)> hook;

	void consume(ExportEntry &e) override {
		if (hook)
			hook(e);
		Seen s{e.model, e.pk, e.index, e.offset, e.line, {}};
		for (const ExportField &f : e)
			s.fields.push_back(f);
		// begin()/end() and field_count must agree.
		EXPECT_EQ(static_cast<std::size_t>(e.end() - e.begin()), e.field_count);
		EXPECT_LE(e.field_count, e.fields.size());
		entries.push_back(std::move(s));
	}
};

std::vector<Seen> read(const std::string &json) {
	Recorder r;
	read_export(json.data(), json.size(), r);
	return r.entries;
}

// Runs read_export and returns the ImportError it throws; fails the test if it does not throw one.
ImportError read_error(const std::string &json) {
	Recorder r;
	try {
		read_export(json.data(), json.size(), r);
	} catch (const ImportError &e) {
		return e;
	}
	ADD_FAILURE() << "no ImportError for: " << json;
	return ImportError("00000", "none");
}

std::string fixture(const std::string &name) {
	return test::source_file("test/fixtures/sentry/" + name);
}

using T = FieldValue::Type;

// --- delivery -----------------------------------------------------------------------------------

TEST(ExportReader, DeliversEntriesInOrderWithModelPkIndexOffset) {
	const std::string json = "[\n  {\"model\": \"Sentry.User\", \"pk\": 7, \"fields\": {\"a\": 1}},\n"
	                         "  {\"pk\": 4554016097501184, \"fields\": {}, \"model\": \"SENTRY.ORGANIZATION\"},\n"
	                         "  {\"model\": \"sentry.email\", \"pk\": -3, \"fields\": {\"x\": null}}\n]";
	std::vector<Seen> e = read(json);
	ASSERT_EQ(e.size(), 3u);
	EXPECT_EQ(e[0].model, "sentry.user");
	EXPECT_EQ(e[0].pk, 7);
	EXPECT_EQ(e[0].index, 0u);
	EXPECT_EQ(e[0].offset, json.find("{\"model\": \"Sentry.User\""));
	EXPECT_EQ(e[1].model, "sentry.organization");
	EXPECT_EQ(e[1].pk, 4554016097501184);
	EXPECT_EQ(e[1].index, 1u);
	EXPECT_EQ(e[1].offset, json.find("{\"pk\""));
	EXPECT_TRUE(e[1].fields.empty());
	EXPECT_EQ(e[2].model, "sentry.email");
	EXPECT_EQ(e[2].pk, -3);
	EXPECT_EQ(e[2].index, 2u);
	EXPECT_EQ(e[2].offset, json.find("{\"model\": \"sentry.email\""));
	EXPECT_EQ(json[e[2].offset], '{');
	// Lines are 1-based: the array opens on line 1, one entry per line after it.
	EXPECT_EQ(e[0].line, 2u);
	EXPECT_EQ(e[1].line, 3u);
	EXPECT_EQ(e[2].line, 4u);
}

// A number beyond a double's range is well-formed JSON that no column can hold: 22003 "number out
// of range" at its position, not "malformed JSON".
TEST(ExportReader, NumberBeyondADoubleIsOutOfRangeNotMalformed) {
	ImportError e = read_error(R"([{"model": "sentry.option", "pk": 1, "fields": {"value": 1e400}}])");
	EXPECT_STREQ(e.code(), "22003");
	EXPECT_NE(std::string(e.what()).find("number out of range at"), std::string::npos) << e.what();
	EXPECT_NE(std::string(e.what()).find("(inside export entry 1 (sentry.option pk 1), at or after field \"value\")"),
	          std::string::npos)
	    << e.what();
	EXPECT_EQ(std::string(e.what()).find("malformed"), std::string::npos) << e.what();
}

TEST(ExportReader, EmptyArrayHasNoEntries) {
	EXPECT_TRUE(read("[]").empty());
	EXPECT_TRUE(read(" \n\t[ \r\n ] \n").empty());
}

TEST(ExportReader, FieldValuesOfEveryJsonType) {
	const std::string json = R"([{"model": "m.x", "pk": 1, "fields": {
		"null": null,
		"yes": true,
		"no": false,
		"int": 42,
		"neg": -17,
		"big": 4554016097501184,
		"huge": 123456789012345678901234567890,
		"float": 1687902001.2623305,
		"exp": 1.5E+10,
		"zero": -0,
		"str": "a\"b\\c\/d\u00e9\n\t\ud83d\ude00",
		"utf8": "héllo",
		"empty": "",
		"obj": { "a" : [ "1" , { "b" : null } ], "c" : "x\ny", "d": false },
		"arr": [ "one" , "two" , null , true , false , [ ] , { } ],
		"eobj": {},
		"earr": []
	}}])";
	std::vector<Seen> e = read(json);
	ASSERT_EQ(e.size(), 1u);
	const Seen &s = e[0];
	ASSERT_EQ(s.fields.size(), 17u);
	// Fields keep file order.
	EXPECT_EQ(s.fields[0].name, "null");
	EXPECT_EQ(s.fields[16].name, "earr");

	EXPECT_EQ(s.field("null").type, T::Null);
	EXPECT_TRUE(s.field("null").is_null());
	EXPECT_TRUE(s.field("null").text.empty());
	EXPECT_EQ(s.field("yes").type, T::Bool);
	EXPECT_TRUE(s.field("yes").boolean);
	EXPECT_EQ(s.field("no").type, T::Bool);
	EXPECT_FALSE(s.field("no").boolean);
	EXPECT_FALSE(s.field("no").is_null());

	EXPECT_EQ(s.field("int").type, T::Number);
	EXPECT_EQ(s.field("int").text, "42");
	EXPECT_EQ(s.field("neg").text, "-17");
	EXPECT_EQ(s.field("big").text, "4554016097501184");
	EXPECT_EQ(s.field("huge").text, "123456789012345678901234567890");
	EXPECT_EQ(s.field("float").text, "1687902001.2623305");
	EXPECT_EQ(s.field("exp").text, "1.5E+10");
	EXPECT_EQ(s.field("zero").text, "-0");

	EXPECT_EQ(s.field("str").type, T::String);
	EXPECT_EQ(s.field("str").text, "a\"b\\c/d\xc3\xa9\n\t\xf0\x9f\x98\x80");
	EXPECT_EQ(s.field("utf8").text, "h\xc3\xa9llo");
	EXPECT_EQ(s.field("empty").type, T::String);
	EXPECT_EQ(s.field("empty").text, "");

	EXPECT_EQ(s.field("obj").type, T::Object);
	EXPECT_EQ(s.field("obj").text, R"({"a":["1",{"b":null}],"c":"x\ny","d":false})");
	EXPECT_EQ(s.field("arr").type, T::Array);
	EXPECT_EQ(s.field("arr").text, R"(["one","two",null,true,false,[],{}])");
	EXPECT_EQ(s.field("eobj").type, T::Object);
	EXPECT_EQ(s.field("eobj").text, "{}");
	EXPECT_EQ(s.field("earr").type, T::Array);
	EXPECT_EQ(s.field("earr").text, "[]");
}

TEST(ExportReader, NumbersInsideNestedValuesStayNumbers) {
	// Object and array field values are re-serialised as compact JSON; their numbers must stay JSON
	// numbers with their literal text. export_reader.cpp (Handler::scalar, while capturing) calls
	// rapidjson::Writer::RawNumber, which in RapidJSON 1.1.0 writes the literal as a quoted string
	// (Tencent/rapidjson#852, #704): {"rate": 1} becomes {"rate":"1"}.
	std::vector<Seen> e = read(R"([{"model":"m.x","pk":1,"fields":{
		"obj": {"a": [1, {"b": -2}], "d": 1.50, "big": 4554016097501184, "f": 1687902001.2623305, "e": 1E+2},
		"arr": [1, "two", 3.0]}}])");
	ASSERT_EQ(e.size(), 1u);
	EXPECT_EQ(e[0].field("obj").text,
	          R"({"a":[1,{"b":-2}],"d":1.50,"big":4554016097501184,"f":1687902001.2623305,"e":1E+2})")
	    << "BUG: numbers inside an object field value are written as strings";
	EXPECT_EQ(e[0].field("arr").text, R"([1,"two",3.0])")
	    << "BUG: numbers inside an array field value are written as strings";
}

TEST(ExportReader, CompactJsonOfNestedValuesIsReEscaped) {
	// Non-ASCII is written as UTF-8, control characters and quotes are escaped again.
	std::vector<Seen> e = read(R"([{"model":"m.x","pk":1,"fields":{"o":{"k\"":"\u00e9\u0001\/\\"}}}])");
	ASSERT_EQ(e.size(), 1u);
	EXPECT_EQ(e[0].field("o").text, "{\"k\\\"\":\"\xc3\xa9\\u0001/\\\\\"}");
}

TEST(ExportReader, EscapedNulReachesTheStringValue) {
	// "\u0000" is valid JSON; the reader keeps it (value conversion rejects it for PostgreSQL).
	std::vector<Seen> e = read(R"([{"model":"m.x","pk":1,"fields":{"s":"a\u0000b"}}])");
	ASSERT_EQ(e.size(), 1u);
	EXPECT_EQ(e[0].field("s").text, std::string("a\0b", 3));
}

TEST(ExportReader, StorageReuseDoesNotLeakFieldsOfPreviousEntries) {
	class Checker : public EntryConsumer {
	public:
		int n = 0;
		void consume(ExportEntry &e) override {
			switch (n++) {
			case 0:
				EXPECT_EQ(e.field_count, 4u);
				ASSERT_NE(e.find("c"), nullptr);
				EXPECT_EQ(e.find("c")->text, "3");
				EXPECT_EQ(e.find("b")->type, T::Object);
				break;
			case 1:
				// Only "b", and it is null with no leftover text or boolean.
				EXPECT_EQ(e.field_count, 1u);
				EXPECT_EQ(e.find("a"), nullptr);
				EXPECT_EQ(e.find("c"), nullptr);
				EXPECT_EQ(e.find("d"), nullptr);
				ASSERT_NE(e.find("b"), nullptr);
				EXPECT_EQ(e.find("b")->type, T::Null);
				EXPECT_TRUE(e.find("b")->text.empty());
				break;
			case 2:
				// Slot 0 was "a" (a string), now "d" (a bool false); slot 1 was "b" (an object).
				EXPECT_EQ(e.field_count, 2u);
				ASSERT_NE(e.find("d"), nullptr);
				EXPECT_EQ(e.find("d")->type, T::Bool);
				EXPECT_FALSE(e.find("d")->boolean);
				EXPECT_TRUE(e.find("d")->text.empty());
				ASSERT_NE(e.find("e"), nullptr);
				EXPECT_EQ(e.find("e")->type, T::Number);
				EXPECT_EQ(e.find("e")->text, "5");
				EXPECT_EQ(e.find("a"), nullptr);
				break;
			case 3:
				EXPECT_EQ(e.field_count, 0u);
				EXPECT_EQ(e.begin(), e.end());
				EXPECT_EQ(e.find("d"), nullptr);
				break;
			case 4:
				// An object value after an entry whose same slot held a long string.
				EXPECT_EQ(e.field_count, 1u);
				EXPECT_EQ(e.find("x")->type, T::Array);
				EXPECT_EQ(e.find("x")->text, "[]");
				break;
			}
		}
	} checker;
	const std::string json = R"([
		{"model":"m.a","pk":1,"fields":{"a":"long string value","b":{"k":[1,2]},"c":3,"d":true}},
		{"model":"m.a","pk":2,"fields":{"b":null}},
		{"model":"m.a","pk":3,"fields":{"d":false,"e":5}},
		{"model":"m.a","pk":4,"fields":{}},
		{"model":"m.a","pk":5,"fields":{"x":[]}}
	])";
	read_export(json.data(), json.size(), checker);
	EXPECT_EQ(checker.n, 5);
}

TEST(ExportReader, FindLooksOnlyAtValidFields) {
	std::vector<Seen> e = read(R"([{"model":"m.a","pk":1,"fields":{"x":1,"y":"z"}}])");
	ASSERT_EQ(e.size(), 1u);
	EXPECT_EQ(e[0].field("y").text, "z");
}

// --- fixtures -------------------------------------------------------------------------------------

TEST(ExportReader, EveryFixtureParsesWithTheRightEntryCount) {
	const std::map<std::string, std::size_t> expected = {
	    {"app-user-with-empty-email.json", 3},
	    {"datetime-millis.json", 2},
	    {"datetime-with-unzeroed-millis.json", 1},
	    {"datetime-with-zeroed-millis.json", 1},
	    {"duplicate-username-and-organization-slug.json", 11},
	    {"fresh-install.json", 34},
	    {"invalid-user.json", 1},
	    {"org-and-project.json", 4},
	    {"single-integration.json", 1},
	    {"single-option.json", 1},
	    {"user-pk-mapping.json", 5},
	    {"user-with-maximum-privileges.json", 9},
	    {"user-with-minimum-privileges.json", 5},
	    {"user-with-roles-no-superadmin.json", 8},
	    {"user-with-superadmin-no-roles.json", 6},
	};
	for (const auto &[name, count] : expected) {
		SCOPED_TRACE(name);
		std::vector<Seen> e = read(fixture(name));
		ASSERT_EQ(e.size(), count);
		for (std::size_t i = 0; i < e.size(); ++i) {
			EXPECT_EQ(e[i].index, i);
			EXPECT_EQ(e[i].model.rfind("sentry.", 0), 0u) << e[i].model;
			EXPECT_GE(e[i].pk, 1);
			if (i > 0) {
				EXPECT_GT(e[i].offset, e[i - 1].offset);
			}
		}
	}
}

TEST(ExportReader, FreshInstallValues) {
	std::vector<Seen> e = read(fixture("fresh-install.json"));
	ASSERT_EQ(e.size(), 34u);
	EXPECT_EQ(e[0].model, "sentry.option");
	EXPECT_EQ(e[0].field("value").type, T::Number);
	EXPECT_EQ(e[0].field("value").text, "1687902001.2623305");
	EXPECT_EQ(e[1].field("value").type, T::String);
	EXPECT_EQ(e[1].field("value").text, "\"23.7.0.dev0\"");
	const Seen *key = nullptr, *rule = nullptr;
	for (const Seen &s : e) {
		if (s.model == "sentry.projectkey")
			key = &s;
		if (s.model == "sentry.rule")
			rule = &s;
	}
	ASSERT_NE(key, nullptr);
	EXPECT_EQ(key->field("data").type, T::Object);
	EXPECT_EQ(key->field("data").text, R"({"dynamicSdkLoaderOptions":{"hasPerformance":true,"hasReplay":true}})");
	EXPECT_EQ(key->field("roles").text, "1");
	EXPECT_EQ(key->field("project").text, "1");
	ASSERT_NE(rule, nullptr);
	EXPECT_EQ(rule->field("data").type, T::String);
	EXPECT_EQ(rule->field("data").text.rfind("{\"match\":\"all\"", 0), 0u);
}

// --- errors ---------------------------------------------------------------------------------------

// Inside an entry, a syntax error names the entry and the field it is in (or just after).
TEST(ExportReaderErrors, MalformedJsonNamesTheEntryAndField) {
	const std::string json = R"([{"model":"a","pk":1,"fields":{}},)"
	                         "\n"
	                         R"({"model":"sentry.user","pk":7,"fields":{"username":"u","email":"a@b" "x"}}])";
	ImportError e = read_error(json);
	EXPECT_STREQ(e.code(), "22P02");
	EXPECT_EQ(std::string(e.what()), "relocate: malformed JSON at line 2, byte offset " +
	                                     std::to_string(json.find(" \"x\"") + 1) +
	                                     " (inside export entry 2 (sentry.user pk 7), at or after field \"email\"): "
	                                     "Missing a comma or '}' after an object member");
	// Between entries, only the position.
	ImportError between = read_error(R"([{"model":"a","pk":1,"fields":{}} {"model":"b"}])");
	EXPECT_EQ(std::string(between.what()).find("inside"), std::string::npos) << between.what();
}

TEST(ExportReaderErrors, MalformedJsonReportsTheByteOffset) {
	{
		const std::string json = R"([{"model": }])";
		ImportError e = read_error(json);
		EXPECT_STREQ(e.code(), "22P02");
		EXPECT_EQ(std::string(e.what()),
		          "relocate: malformed JSON at line 1, byte offset 11 (inside export entry 1): Invalid value");
		EXPECT_EQ(json[11], '}');
	}
	{
		// The line is counted: the error is on line 3.
		const std::string json = "[\n{\"model\":\"a\",\"pk\":1,\"fields\":{}},\n{\"model\": }]";
		ImportError e = read_error(json);
		EXPECT_STREQ(e.code(), "22P02");
		EXPECT_NE(
		    std::string(e.what()).find("malformed JSON at line 3, byte offset " + std::to_string(json.rfind('}'))),
		    std::string::npos)
		    << e.what();
	}
	{
		// A missing comma between entries, after a valid first entry.
		const std::string json =
		    "[{\"model\":\"a\",\"pk\":1,\"fields\":{}}\n {\"model\":\"a\",\"pk\":2,\"fields\":{}}]";
		ImportError e = read_error(json);
		EXPECT_STREQ(e.code(), "22P02");
		EXPECT_NE(std::string(e.what()).find("at line 2, byte offset " +
		                                     std::to_string(json.find("{\"model\":\"a\",\"pk\":2"))),
		          std::string::npos)
		    << e.what();
	}
	for (const char *bad :
	     {"[{\"model\":\"a\",}]", "[1.]", "[-]", "[tru]", "['x']", "[{\"model\":\"a\",\"pk\":1,\"fields\":{\"x\":01}}]",
	      "[{\"model\":\"a\",\"pk\":1,\"fields\":{\"x\" 1}}]", "[{\"model\":\"a\",\"pk\":1,\"fields\":{\"x\":[1,]}}]",
	      "[NaN]", "[Infinity]", "[\"\\x\"]", "[\"tab\there\"]"}) {
		SCOPED_TRACE(bad);
		ImportError e = read_error(bad);
		EXPECT_STREQ(e.code(), "22P02") << e.what();
		EXPECT_NE(std::string(e.what()).find("malformed JSON at line 1, byte offset"), std::string::npos) << e.what();
	}
}

// A source that hands out at most `step` bytes per read (libarchive and files may return short reads).
class TrickleSource final : public ByteSource {
public:
	TrickleSource(const std::string &data, std::size_t step) : data_(data), step_(step) {}
	std::size_t read(char *buf, std::size_t n) override {
		const std::size_t take = std::min({n, step_, data_.size() - at_});
		data_.copy(buf, take, at_);
		at_ += take;
		return take;
	}
	void rewind() override { at_ = 0; }

private:
	const std::string &data_;
	std::size_t step_;
	std::size_t at_ = 0;
};

// One entry per line: "[\n" then `n` entries "{"model":"sentry.option","pk":<i>,"fields":{"key":"<pad>"}},\n".
std::string entries_per_line(std::size_t n, std::size_t pad) {
	std::string json = "[\n";
	for (std::size_t i = 1; i <= n; ++i)
		json += "{\"model\":\"sentry.option\",\"pk\":" + std::to_string(i) + ",\"fields\":{\"key\":\"" +
		        std::string(pad, 'x') + "\"}}" + (i < n ? ",\n" : "\n");
	return json + "]\n";
}

TEST(ExportReaderErrors, TruncatedBetweenEntriesSaysWhereTheArrayEnds) {
	const std::string entry = R"({"model":"a","pk":1,"fields":{}})";
	struct Case {
		std::string json;
		std::string message;
	} cases[] = {
	    // Cut after a comma: RapidJSON alone says "Invalid value".
	    {"[" + entry + ", " + entry + ",",
	     "relocate: the export ends inside the array at line 1, byte offset 68 (after entry 2): truncated?"},
	    // Cut after a complete entry, without the closing ']'.
	    {"[" + entry,
	     "relocate: the export ends inside the array at line 1, byte offset 33 (after entry 1): truncated?"},
	    // Trailing whitespace does not hide it; the line is where the file ends.
	    {"[\n" + entry + ",\n" + entry + "\n\n",
	     "relocate: the export ends inside the array at line 5, byte offset 70 (after entry 2): truncated?"},
	    {"[",
	     "relocate: the export ends inside the array at line 1, byte offset 1 (before its first entry): truncated?"},
	    {"[\n  ",
	     "relocate: the export ends inside the array at line 2, byte offset 4 (before its first entry): truncated?"},
	};
	for (const Case &c : cases) {
		SCOPED_TRACE(c.json);
		ImportError e = read_error(c.json);
		EXPECT_STREQ(e.code(), "22P02");
		EXPECT_EQ(std::string(e.what()), c.message);
		EXPECT_NE(e.hint().find("cut short"), std::string::npos) << e.hint();
	}
	// The entries before the cut were delivered (the import rolls back: nothing is half-imported).
	Recorder r;
	const std::string json = "[" + entry + ", " + entry + ",";
	EXPECT_THROW(read_export(json.data(), json.size(), r), ImportError);
	EXPECT_EQ(r.entries.size(), 2u);
}

TEST(ExportReaderErrors, TruncatedInsideAnEntryNamesTheEntry) {
	const std::string first = "[{\"model\":\"a\",\"pk\":1,\"fields\":{}},\n ";
	struct Case {
		std::string json;
		std::string message;
		std::string detail;
	} cases[] = {
	    {first + R"({"model":"sentry.user","pk":3,"fields":{"username":"ab)",
	     "relocate: the export ends inside export entry 2 (sentry.user pk 3) at line 2, byte offset 90: truncated?",
	     "The entry starts at line 2, byte offset 36; the last complete entry is entry 1."},
	    // In a nested value, in a number, before the pk: the entry is named with what is known.
	    {first + R"({"model":"sentry.user","pk":3,"fields":{"data":{"x":[1,)",
	     "relocate: the export ends inside export entry 2 (sentry.user pk 3) at line 2, byte offset 91: truncated?",
	     "The entry starts at line 2, byte offset 36; the last complete entry is entry 1."},
	    {first + R"({"model":"sentry.user","pk":3)",
	     "relocate: the export ends inside export entry 2 (sentry.user pk 3) at line 2, byte offset 65: truncated?",
	     "The entry starts at line 2, byte offset 36; the last complete entry is entry 1."},
	    {first + R"({"model":"sentry.user","pk")",
	     "relocate: the export ends inside export entry 2 (sentry.user) at line 2, byte offset 63: truncated?",
	     "The entry starts at line 2, byte offset 36; the last complete entry is entry 1."},
	    {"[{\"mod", "relocate: the export ends inside export entry 1 at line 1, byte offset 6: truncated?",
	     "The entry starts at line 1, byte offset 1; it is the first entry."},
	    {"[{", "relocate: the export ends inside export entry 1 at line 1, byte offset 2: truncated?",
	     "The entry starts at line 1, byte offset 1; it is the first entry."},
	};
	for (const Case &c : cases) {
		SCOPED_TRACE(c.json);
		ImportError e = read_error(c.json);
		EXPECT_STREQ(e.code(), "22P02");
		EXPECT_EQ(std::string(e.what()), c.message);
		EXPECT_EQ(e.detail(), c.detail);
		EXPECT_FALSE(e.hint().empty());
	}
}

TEST(ExportReaderErrors, NotTruncatedWhenTheErrorIsBeforeTheEnd) {
	// A syntax error followed by more bytes is malformed JSON, not a cut file.
	ImportError e = read_error("[{\"model\":\"a\",}]\n");
	EXPECT_NE(std::string(e.what()).find("malformed JSON at line 1, byte offset 14"), std::string::npos) << e.what();
	// An embedded NUL reads as the end to the parser, but bytes follow it.
	const std::string nul("[{\"model\":\0\"a\"}]", 16);
	e = read_error(nul);
	EXPECT_STREQ(e.code(), "22P02");
	EXPECT_EQ(std::string(e.what()).find("truncated"), std::string::npos) << e.what();
	EXPECT_NE(std::string(e.what()).find("malformed JSON at line 1, byte offset 10"), std::string::npos) << e.what();
}

TEST(ExportReaderErrors, TruncatedLargeExportCountsLinesAndEntriesAcrossChunks) {
	// About 1.3 MB: several of the reader's 256 KiB chunks. Cut in the middle of entry 9001.
	const std::string full = entries_per_line(10000, 100);
	const std::size_t start = full.find("{\"model\":\"sentry.option\",\"pk\":9001,");
	ASSERT_NE(start, std::string::npos);
	const std::string cut = full.substr(0, start + 50);
	for (std::size_t step : {std::size_t(1) << 30, std::size_t(4093)}) {
		SCOPED_TRACE(step);
		TrickleSource source(cut, step);
		Recorder r;
		try {
			read_export(source, r, {});
			ADD_FAILURE() << "no error";
		} catch (const ImportError &e) {
			EXPECT_EQ(std::string(e.what()),
			          "relocate: the export ends inside export entry 9001 (sentry.option pk 9001) at line 9002, "
			          "byte offset " +
			              std::to_string(cut.size()) + ": truncated?");
			EXPECT_EQ(e.detail(), "The entry starts at line 9002, byte offset " + std::to_string(start) +
			                          "; the last complete entry is entry 9000.");
		}
		EXPECT_EQ(r.entries.size(), 9000u);
	}
	// Cut between two entries, far in.
	const std::size_t comma = full.find(",\n", start);
	const std::string cut2 = full.substr(0, comma + 2);
	ImportError e = read_error(cut2);
	EXPECT_EQ(std::string(e.what()), "relocate: the export ends inside the array at line 9003, byte offset " +
	                                     std::to_string(cut2.size()) + " (after entry 9001): truncated?");
}

TEST(ExportReader, LinesAreCountedAcrossChunks) {
	const std::string json = entries_per_line(6000, 90); // about 700 KB
	for (std::size_t step : {std::size_t(1) << 30, std::size_t(1), std::size_t(65537)}) {
		if (step == 1) {
			// Byte by byte is slow: only the start of the file.
			const std::string part = entries_per_line(50, 10);
			TrickleSource source(part, step);
			Recorder r;
			read_export(source, r, {});
			ASSERT_EQ(r.entries.size(), 50u);
			for (const Seen &s : r.entries)
				EXPECT_EQ(s.line, s.index + 2);
			continue;
		}
		TrickleSource source(json, step);
		Recorder r;
		read_export(source, r, {});
		ASSERT_EQ(r.entries.size(), 6000u);
		for (const Seen &s : r.entries) {
			ASSERT_EQ(s.line, s.index + 2) << "entry " << s.index + 1;
			ASSERT_EQ(json[s.offset], '{');
		}
	}
	// A syntax error deep in the file names its line.
	std::string bad = json;
	const std::size_t at = bad.find("\"pk\":5000,");
	bad[at + 5] = 'x';
	ImportError e = read_error(bad);
	EXPECT_EQ(std::string(e.what()), "relocate: malformed JSON at line 5001, byte offset " + std::to_string(at + 5) +
	                                     " (inside export entry 5000 (sentry.option)): Invalid value");
}

TEST(ExportReader, Utf8ByteOrderMarkIsSkipped) {
	const std::string bom = "\xEF\xBB\xBF";
	const std::string json = bom + "[\n{\"model\":\"sentry.option\",\"pk\":1,\"fields\":{}}]";
	for (std::size_t step : {std::size_t(1) << 30, std::size_t(1), std::size_t(2)}) {
		SCOPED_TRACE(step);
		TrickleSource source(json, step);
		Recorder r;
		read_export(source, r, {});
		ASSERT_EQ(r.entries.size(), 1u);
		EXPECT_EQ(r.entries[0].model, "sentry.option");
		// Offsets still count the byte order mark, as the file holds it.
		EXPECT_EQ(r.entries[0].offset, 5u);
		EXPECT_EQ(r.entries[0].line, 2u);
	}
	// Only at the very start, and only once: anywhere else it is not JSON.
	for (const std::string &bad : {" " + bom + "[]", bom + bom + "[]", "[" + bom + "]"}) {
		SCOPED_TRACE(bad);
		ImportError e = read_error(bad);
		EXPECT_STREQ(e.code(), "22P02");
		EXPECT_NE(std::string(e.what()).find("malformed JSON"), std::string::npos) << e.what();
	}
	// A byte order mark alone is an empty document, after it.
	ImportError e = read_error(bom);
	EXPECT_EQ(std::string(e.what()), "relocate: malformed JSON at line 1, byte offset 3: The document is empty");
	// Part of one is not one.
	e = read_error("\xEF\xBB[]");
	EXPECT_STREQ(e.code(), "22P02");
}

TEST(ExportReaderErrors, EmptyInput) {
	// The offset is where the document was found missing: after any whitespace.
	for (const auto &[s, offset] : std::vector<std::pair<std::string, int>>{{std::string(), 0},
	                                                                        {std::string("   \n\t "), 6},
	                                                                        {std::string("\0", 1), 0},
	                                                                        {std::string(" \0[]", 4), 1}}) {
		ImportError e = read_error(s);
		EXPECT_STREQ(e.code(), "22P02");
		EXPECT_NE(std::string(e.what()).find("byte offset " + std::to_string(offset) + ": The document is empty"),
		          std::string::npos)
		    << e.what();
	}
	// read_export with a null pointer and zero length behaves like empty input.
	Recorder r;
	try {
		read_export(nullptr, 0, r);
		ADD_FAILURE() << "no error for empty input";
	} catch (const ImportError &e) {
		EXPECT_STREQ(e.code(), "22P02");
	}
}

TEST(ExportReaderErrors, TrailingGarbageAfterTheArray) {
	for (const char *bad : {"[] x", "[][]", "[]{}", "[] 1", "[],", "[{\"model\":\"a\",\"pk\":1,\"fields\":{}}] ]"}) {
		SCOPED_TRACE(bad);
		ImportError e = read_error(bad);
		EXPECT_STREQ(e.code(), "22P02");
		EXPECT_NE(std::string(e.what()).find("must not be followed by other values"), std::string::npos) << e.what();
	}
	// Trailing whitespace is fine.
	EXPECT_TRUE(read("[]\n\n \t").empty());
}

TEST(ExportReaderErrors, TrailingGarbageAfterAnEmbeddedNulByte) {
	// The export arrives as bytea, so it may contain NUL bytes. RapidJSON's MemoryStream returns '\0'
	// at the end of the buffer, and the reader cannot tell an embedded NUL from the end: everything
	// after it is ignored and the import succeeds on a corrupt file.
	const std::string json("[{\"model\":\"a\",\"pk\":1,\"fields\":{}}]\0garbage [{", 44);
	ASSERT_EQ(json.size(), 44u);
	Recorder r;
	try {
		read_export(json.data(), json.size(), r);
		ADD_FAILURE() << "BUG: trailing bytes after an embedded NUL are silently ignored (" << r.entries.size()
		              << " entries delivered, no error)";
	} catch (const ImportError &e) {
		EXPECT_STREQ(e.code(), "22P02") << e.what();
	}
}

TEST(ExportReaderErrors, TopLevelNotAnArray) {
	for (const char *bad : {"{}", "{\"model\":\"a\",\"pk\":1,\"fields\":{}}", "42", "\"x\"", "null", "true", "-1.5"}) {
		SCOPED_TRACE(bad);
		ImportError e = read_error(bad);
		EXPECT_STREQ(e.code(), "22023") << e.what();
		EXPECT_NE(std::string(e.what()).find("not a JSON array of model entries"), std::string::npos) << e.what();
		EXPECT_FALSE(e.detail().empty());
	}
}

TEST(ExportReaderErrors, ElementNotAnObject) {
	for (const char *bad :
	     {"[1]", "[\"x\"]", "[null]", "[true]", "[[]]", "[[{\"model\":\"a\",\"pk\":1,\"fields\":{}}]]"}) {
		SCOPED_TRACE(bad);
		ImportError e = read_error(bad);
		EXPECT_STREQ(e.code(), "22023") << e.what();
		EXPECT_NE(std::string(e.what()).find("export entry 1 "), std::string::npos) << e.what();
	}
	// The number (1-based) names the offending element.
	ImportError e = read_error(R"([{"model":"a","pk":1,"fields":{}}, {"model":"a","pk":2,"fields":{}}, 7])");
	EXPECT_STREQ(e.code(), "22023");
	EXPECT_NE(std::string(e.what()).find("export entry 3 is a scalar"), std::string::npos) << e.what();
}

TEST(ExportReaderErrors, ShapeErrorOffsetsPointAtTheToken) {
	// Objects and arrays are reported at their opening bracket.
	struct Case {
		const char *json;
		const char *offset;
	} brackets[] = {{"{}", "(line 1, byte offset 0)"},
	                {"  {\"a\":1}", "(line 1, byte offset 2)"},
	                {"[[]]", "(line 1, byte offset 1)"},
	                {"[ {\"model\":\"a\",\"pk\":1,\"fields\":{}}, [1]]", "(line 1, byte offset 36)"},
	                {"[\n{\"model\":\"a\",\"pk\":1,\"fields\":{}},\n\n[1]]", "(line 4, byte offset 37)"}};
	for (const Case &c : brackets) {
		SCOPED_TRACE(c.json);
		ImportError e = read_error(c.json);
		EXPECT_NE(std::string(e.what()).find(c.offset), std::string::npos) << e.what();
	}
	// Scalars too: RapidJSON reports a scalar after reading it, so the reader finds its first byte.
	Case scalars[] = {{"42", "(line 1, byte offset 0)"},
	                  {"[1]", "(line 1, byte offset 1)"},
	                  {"[\"abc\"]", "(line 1, byte offset 1)"},
	                  {"[\n\"a\\nb\"]", "(line 2, byte offset 2)"}};
	for (const Case &c : scalars) {
		SCOPED_TRACE(c.json);
		ImportError e = read_error(c.json);
		EXPECT_NE(std::string(e.what()).find(c.offset), std::string::npos)
		    << "BUG (cosmetic): scalar shape errors point after the token: " << e.what();
	}
}

TEST(ExportReaderErrors, ElementsBeforeTheBadOneAreDelivered) {
	Recorder r;
	const std::string json = R"([{"model":"a","pk":1,"fields":{}}, {"model":"a","pk":2}])";
	EXPECT_THROW(read_export(json.data(), json.size(), r), ImportError);
	ASSERT_EQ(r.entries.size(), 1u);
	EXPECT_EQ(r.entries[0].pk, 1);
}

TEST(ExportReaderErrors, MissingModelPkOrFields) {
	struct Case {
		const char *json;
		const char *message;
	} cases[] = {
	    {R"([{"pk":1,"fields":{}}])", "the entry has no \"model\""},
	    {R"([{"model":"a","fields":{}}])", "the entry has no \"pk\""},
	    {R"([{"model":"a","pk":1}])", "the entry has no \"fields\""},
	    {R"([{}])", "the entry has no \"model\""},
	};
	for (const Case &c : cases) {
		SCOPED_TRACE(c.json);
		ImportError e = read_error(c.json);
		EXPECT_STREQ(e.code(), "22023");
		EXPECT_NE(std::string(e.what()).find(c.message), std::string::npos) << e.what();
		EXPECT_NE(std::string(e.what()).find("export entry 1"), std::string::npos) << e.what();
		EXPECT_NE(std::string(e.what()).find("at line 1, byte offset 1:"), std::string::npos) << e.what();
	}
}

TEST(ExportReaderErrors, EntryErrorsNameTheEntryModelPkAndOffset) {
	const std::string json =
	    R"([{"model":"a","pk":1,"fields":{}},  {"model":"Sentry.Team","pk":12,"fields":{},"x":1}])";
	ImportError e = read_error(json);
	EXPECT_STREQ(e.code(), "22023");
	const std::string what = e.what();
	EXPECT_NE(what.find("export entry 2 (sentry.team pk 12) at line 1, byte offset " +
	                    std::to_string(json.find("{\"model\":\"Sentry.Team\""))),
	          std::string::npos)
	    << what;
	EXPECT_NE(what.find("unexpected key \"x\""), std::string::npos) << what;
}

// An integer beyond bigint is out of range (22003), not "not an integer"; INT64_MIN still parses.
TEST(ExportReaderErrors, PkOutOfRange) {
	for (const char *pk : {"9223372036854775808", "-9223372036854775809", "99999999999999999999"}) {
		SCOPED_TRACE(pk);
		ImportError e = read_error(std::string(R"([{"model":"a","pk":)") + pk + R"(,"fields":{}}])");
		EXPECT_STREQ(e.code(), "22003") << e.what();
		EXPECT_NE(std::string(e.what()).find(std::string("\"pk\" ") + pk + " is out of range for bigint"),
		          std::string::npos)
		    << e.what();
	}
	std::int64_t n = 0;
	EXPECT_TRUE(parse_int64("-9223372036854775808", n));
	EXPECT_EQ(n, std::numeric_limits<std::int64_t>::min());
	EXPECT_TRUE(is_integer_literal("-12"));
	EXPECT_FALSE(is_integer_literal("-"));
	EXPECT_FALSE(is_integer_literal("1e3"));
}

TEST(ExportReaderErrors, PkNotAnInteger) {
	for (const char *pk : {"\"1\"", "1.5", "1.0", "1e3", "true", "null"}) {
		SCOPED_TRACE(pk);
		ImportError e = read_error(std::string(R"([{"model":"a","pk":)") + pk + R"(,"fields":{}}])");
		EXPECT_STREQ(e.code(), "22023") << e.what();
		EXPECT_NE(std::string(e.what()).find("\"pk\" must be an integer"), std::string::npos) << e.what();
	}
	for (const char *pk : {"{}", "[]", "[1]"}) {
		SCOPED_TRACE(pk);
		ImportError e = read_error(std::string(R"([{"model":"a","pk":)") + pk + R"(,"fields":{}}])");
		EXPECT_STREQ(e.code(), "22023") << e.what();
		EXPECT_NE(std::string(e.what()).find("\"pk\" must not be"), std::string::npos) << e.what();
	}
}

TEST(ExportReader, PkExtremes) {
	std::vector<Seen> e = read(R"([{"model":"a","pk":9223372036854775807,"fields":{}},
	                               {"model":"a","pk":-9223372036854775808,"fields":{}},
	                               {"model":"a","pk":0,"fields":{}},
	                               {"model":"a","pk":-0,"fields":{}}])");
	ASSERT_EQ(e.size(), 4u);
	EXPECT_EQ(e[0].pk, std::numeric_limits<std::int64_t>::max());
	EXPECT_EQ(e[1].pk, std::numeric_limits<std::int64_t>::min());
	EXPECT_EQ(e[2].pk, 0);
	EXPECT_EQ(e[3].pk, 0);
}

TEST(ExportReaderErrors, ModelNotAString) {
	for (const char *model : {"1", "null", "true"}) {
		SCOPED_TRACE(model);
		ImportError e = read_error(std::string(R"([{"model":)") + model + R"(,"pk":1,"fields":{}}])");
		EXPECT_STREQ(e.code(), "22023");
		EXPECT_NE(std::string(e.what()).find("\"model\" must be a string"), std::string::npos) << e.what();
	}
	ImportError e = read_error(R"([{"model":{"a":1},"pk":1,"fields":{}}])");
	EXPECT_STREQ(e.code(), "22023");
	EXPECT_NE(std::string(e.what()).find("\"model\" must not be an object"), std::string::npos) << e.what();
	e = read_error(R"([{"model":["a"],"pk":1,"fields":{}}])");
	EXPECT_STREQ(e.code(), "22023");
	EXPECT_NE(std::string(e.what()).find("\"model\" must not be an array"), std::string::npos) << e.what();
}

TEST(ExportReaderErrors, FieldsNotAnObject) {
	for (const char *fields : {"null", "1", "\"x\"", "true"}) {
		SCOPED_TRACE(fields);
		ImportError e = read_error(std::string(R"([{"model":"a","pk":1,"fields":)") + fields + "}]");
		EXPECT_STREQ(e.code(), "22023");
		EXPECT_NE(std::string(e.what()).find("\"fields\" must be an object"), std::string::npos) << e.what();
	}
	ImportError e = read_error(R"([{"model":"a","pk":1,"fields":[]}])");
	EXPECT_STREQ(e.code(), "22023");
	EXPECT_NE(std::string(e.what()).find("\"fields\" must not be an array"), std::string::npos) << e.what();
}

TEST(ExportReaderErrors, UnexpectedKey) {
	for (const char *key : {"extra", "Model", "PK", ""}) {
		SCOPED_TRACE(key);
		ImportError e = read_error(std::string(R"([{"model":"a","pk":1,")") + key + R"(":1,"fields":{}}])");
		EXPECT_STREQ(e.code(), "22023");
		EXPECT_NE(std::string(e.what()).find(std::string("unexpected key \"") + key + "\""), std::string::npos)
		    << e.what();
	}
	// Even when its value is an object or array.
	ImportError e = read_error(R"([{"model":"a","pk":1,"fields":{},"x":{"y":1}}])");
	EXPECT_STREQ(e.code(), "22023");
}

TEST(ExportReaderErrors, DuplicateKeys) {
	struct Case {
		const char *json;
		const char *message;
	} cases[] = {
	    {R"([{"model":"a","pk":1,"fields":{"f":1,"f":2}}])", "field \"f\" appears twice"},
	    {R"([{"model":"a","pk":1,"fields":{"f":1,"g":{},"f":{}}}])", "field \"f\" appears twice"},
	    {R"([{"model":"a","model":"b","pk":1,"fields":{}}])", "\"model\" appears twice"},
	    {R"([{"model":"a","pk":1,"pk":2,"fields":{}}])", "\"pk\" appears twice"},
	    {R"([{"model":"a","pk":1,"fields":{},"fields":{}}])", "\"fields\" appears twice"},
	};
	for (const Case &c : cases) {
		SCOPED_TRACE(c.json);
		ImportError e = read_error(c.json);
		EXPECT_STREQ(e.code(), "22023");
		EXPECT_NE(std::string(e.what()).find(c.message), std::string::npos) << e.what();
	}
	// The same name in different entries, and inside a nested object, is fine.
	std::vector<Seen> ok =
	    read(R"([{"model":"a","pk":1,"fields":{"f":{"f":"x","f":"y"}}},{"model":"a","pk":2,"fields":{"f":1}}])");
	ASSERT_EQ(ok.size(), 2u);
	EXPECT_EQ(ok[0].field("f").text, R"({"f":"x","f":"y"})");
}

TEST(ExportReaderErrors, InvalidUtf8) {
	struct Case {
		std::string json;
		std::size_t offset; // of the bad byte
	} cases[] = {
	    {"[{\"model\":\"a\",\"pk\":1,\"fields\":{\"x\":\"ab\xff\"}}]", 38},
	    {"[{\"model\":\"a\",\"pk\":1,\"fields\":{\"x\":\"\xc0\xaf\"}}]", 36},     // overlong '/'
	    {"[{\"model\":\"a\",\"pk\":1,\"fields\":{\"x\":\"\xed\xa0\x80\"}}]", 36}, // UTF-8 encoded surrogate
	    {"[{\"model\":\"a\",\"pk\":1,\"fields\":{\"\xff\":1}}]", 32},             // in a field name
	    {"[{\"model\":\"a\xe9\",\"pk\":1,\"fields\":{}}]", 12},                   // Latin-1 in the model
	    {"[{\"model\":\"a\",\"pk\":1,\"fields\":{\"x\":{\"k\":\"\xe9\"}}}]", 41}, // inside a nested value
	};
	for (const Case &c : cases) {
		SCOPED_TRACE(c.json);
		ImportError e = read_error(c.json);
		EXPECT_STREQ(e.code(), "22P02");
		const std::string what = e.what();
		EXPECT_NE(what.find(", byte offset " + std::to_string(c.offset) + " (inside export entry 1"), std::string::npos)
		    << what;
		EXPECT_NE(what.find("): Invalid encoding"), std::string::npos) << what;
	}
	// An escaped lone surrogate is invalid too.
	ImportError e = read_error(R"([{"model":"a","pk":1,"fields":{"x":"\ud800"}}])");
	EXPECT_STREQ(e.code(), "22P02");
}

class ThrowingConsumer : public EntryConsumer {
public:
	struct Stop {
		std::int64_t pk;
	};
	int calls = 0;
	void consume(ExportEntry &e) override {
		++calls;
		if (e.pk == 2)
			throw Stop{e.pk};
	}
};

TEST(ExportReaderErrors, ConsumerExceptionPropagates) {
	const std::string json =
	    R"([{"model":"a","pk":1,"fields":{}},{"model":"a","pk":2,"fields":{}},{"model":"a","pk":3,"fields":{}}])";
	ThrowingConsumer c;
	try {
		read_export(json.data(), json.size(), c);
		ADD_FAILURE() << "the consumer's exception was swallowed";
	} catch (const ThrowingConsumer::Stop &s) {
		EXPECT_EQ(s.pk, 2);
	}
	EXPECT_EQ(c.calls, 2);

	// An ImportError from the consumer keeps its code.
	Recorder r;
	r.hook = [](const ExportEntry &) { throw ImportError("42704", "from the consumer"); };
	try {
		read_export(json.data(), json.size(), r);
		ADD_FAILURE() << "no exception";
	} catch (const ImportError &e) {
		EXPECT_STREQ(e.code(), "42704");
		EXPECT_STREQ(e.what(), "from the consumer");
	}
}

// Deeply nested field values: RapidJSON's Reader is recursive, so nesting depth turns into C++ stack
// depth. Inside a PostgreSQL backend a stack overflow is a SIGSEGV that restarts the whole cluster.
// The reader must reject (or accept) such a document without crashing. Run in a child process.
TEST(ExportReaderDeathTest, DeepNestingDoesNotOverflowTheStack) {
	GTEST_FLAG_SET(death_test_style, "threadsafe");
	const std::size_t depth = 1000000; // a 2 MB export
	const std::string json =
	    R"([{"model":"a","pk":1,"fields":{"x":)" + std::string(depth, '[') + std::string(depth, ']') + "}}]";
	EXPECT_EXIT(
	    {
		    Recorder r;
		    try {
			    read_export(json.data(), json.size(), r);
		    } catch (const ImportError &) {
		    }
		    std::exit(0);
	    },
	    ::testing::ExitedWithCode(0), "")
	    << "BUG: read_export crashes (stack overflow) on a field value nested " << depth << " levels deep";
}

// --- parse_int64 ----------------------------------------------------------------------------------

TEST(ParseInt64, Accepts) {
	struct Case {
		const char *text;
		std::int64_t value;
	} cases[] = {
	    {"0", 0},
	    {"-0", 0},
	    {"7", 7},
	    {"-7", -7},
	    {"4554016097501184", 4554016097501184},
	    {"9223372036854775807", std::numeric_limits<std::int64_t>::max()},
	    {"-9223372036854775808", std::numeric_limits<std::int64_t>::min()},
	    {"-9223372036854775807", -9223372036854775807},
	    // Leading zeros are accepted (JSON never produces them; bit-flag strings might).
	    {"01", 1},
	    {"-007", -7},
	    {"00000000000000000000009223372036854775807", std::numeric_limits<std::int64_t>::max()},
	};
	for (const Case &c : cases) {
		std::int64_t out = 12345;
		EXPECT_TRUE(parse_int64(c.text, out)) << c.text;
		EXPECT_EQ(out, c.value) << c.text;
	}
}

// A \\uXXXX escape of a lone UTF-16 surrogate decodes to bytes that are not UTF-8: every place a
// string is decoded refuses it with 22P02, naming the model, pk and field (issue 8, point 2).
TEST(ExportReader, LoneSurrogatesAreRefusedWhereTheyAreDecoded) {
	struct Case {
		std::string json;
		std::string message;
	};
	const std::string head = R"([{"model": "sentry.user", "pk": 7, "fields": )";
	const std::vector<Case> cases = {
	    {head + R"({"name": "a\udc00b"}}])",
	     "relocate: sentry.user pk 7, field \"name\" holds \\udc00, a lone UTF-16 surrogate, which is not a "
	     "character"},
	    {head + R"({"name": "\udfff"}}])", "relocate: sentry.user pk 7, field \"name\" holds \\udfff"},
	    {head + R"({"config": {"k": ["x", "\udc00"]}}}])",
	     "relocate: sentry.user pk 7, field \"config\": a string in its JSON value holds \\udc00"},
	    {head + R"({"config": {"\udc01": 1}}}])",
	     "relocate: sentry.user pk 7, field \"config\": a key in its JSON value holds \\udc01"},
	    {head + R"({"\udc02": 1}}])", "relocate: sentry.user pk 7, a field name holds \\udc02"},
	    // Before the pk is known: reported when the entry ends, still naming both.
	    {R"([{"model": "sentry.user", "fields": {"name": "\udc03"}, "pk": 8}])",
	     "relocate: sentry.user pk 8, field \"name\" holds \\udc03"},
	    {R"([{"pk": 1, "model": "sentry.\udc04", "fields": {}}])",
	     "relocate: export entry 1 at line 1, byte offset 1: \"model\" holds \\udc04"},
	    {R"([{"model": "sentry.user", "\udc05": 1}])",
	     "relocate: export entry 1 at line 1, byte offset 1: a key holds "},
	    {R"(["\udc06"])", "relocate: a string holds \\udc06"},
	};
	for (const Case &c : cases) {
		ImportError e = read_error(c.json);
		EXPECT_STREQ(e.code(), "22P02") << c.json;
		EXPECT_EQ(std::string(e.what()).rfind(c.message, 0), 0u) << c.json << "\n" << e.what();
	}
	// A surrogate pair is one character, and is kept.
	std::vector<Seen> ok = read(head + R"({"name": "\ud83d\ude00"}}])");
	ASSERT_EQ(ok.size(), 1u);
	EXPECT_EQ(ok[0].field("name").text, "\xf0\x9f\x98\x80");
}

TEST(ParseInt64, Rejects) {
	for (const char *text : {"", "-", "+1", "+", "--1", " 1", "1 ", "1.0", "1e3", "0x10", "a", "1a",
	                         "9223372036854775808", "-9223372036854775809", "18446744073709551615",
	                         "18446744073709551616", "99999999999999999999", "-99999999999999999999"}) {
		std::int64_t out = 12345;
		EXPECT_FALSE(parse_int64(text, out)) << text;
		EXPECT_EQ(out, 12345) << "out is left alone on failure: " << text;
	}
	std::int64_t out = 1;
	EXPECT_FALSE(parse_int64(std::string_view("1\0", 2), out));
}

} // namespace
} // namespace relocate

#include "core/json.hpp"

#include "core/value.hpp"

#include <arpa/inet.h>
#include <cstring>
#include <limits>
#include <vector>

#include "core/error.hpp"
#include "core/text.hpp"

namespace relocate {

namespace {

Conversion error(const char *code, std::string reason) {
	Conversion c;
	c.status = Conversion::Status::Error;
	c.sqlstate = code;
	c.reason = std::move(reason);
	return c;
}

Conversion ok() {
	return Conversion{};
}

Conversion null_value() {
	Conversion c;
	c.status = Conversion::Status::Null;
	return c;
}

const char *json_type_name(FieldValue::Type t) {
	switch (t) {
	case FieldValue::Type::Null:
		return "null";
	case FieldValue::Type::Bool:
		return "a boolean";
	case FieldValue::Type::Number:
		return "a number";
	case FieldValue::Type::String:
		return "a string";
	case FieldValue::Type::Object:
		return "an object";
	case FieldValue::Type::Array:
		return "an array";
	}
	return "a value";
}

Conversion mismatch(const FieldValue &v, const Column &col) {
	return error(sqlstate::kDatatypeMismatch,
	             std::string("JSON ") + json_type_name(v.type) + " does not fit column type " + col.sql_type);
}

bool values_withheld = false; // while a WithheldValues with `withhold` set is alive

std::string quoted(std::string_view s) {
	if (values_withheld)
		return kWithheldValue;
	constexpr std::size_t kMax = 60;
	std::string out = "\"";
	if (s.size() > kMax) {
		out.append(utf8_prefix(s, kMax)); // never inside a character: a LATIN1 client could not take it
		out += "...";
	} else {
		out.append(s);
	}
	out += '"';
	return out;
}

// `v.text` into `out`: moved when the caller gave the value up (convert_value(FieldValue &&), `take`),
// so that a large string is never copied on its way to its column; else copied.
void give_text(const FieldValue &v, std::string &out, bool take) {
	if (take && v.text.size() >= kMoveTextAtLeast)
		out = std::move(
		    const_cast<std::string &>(v.text)); // NOLINT(cppcoreguidelines-pro-type-const-cast): v is not const
	else
		out = v.text;
}

bool has_nul(std::string_view s) {
	return s.find('\0') != std::string_view::npos;
}

// JSON text with an escaped U+0000 (`\u0000`, not `\\u0000`), which PostgreSQL's json types reject.
bool has_escaped_nul(std::string_view json) {
	for (std::size_t at = json.find("u0000"); at != std::string_view::npos; at = json.find("u0000", at + 1)) {
		std::size_t backslashes = 0;
		while (backslashes < at && json[at - 1 - backslashes] == '\\')
			++backslashes;
		if (backslashes % 2 == 1)
			return true;
	}
	return false;
}

// --- integers -------------------------------------------------------------------------------

Conversion convert_integer(const FieldValue &v, const Column &col, std::string &out) {
	std::string_view text;
	if (v.type == FieldValue::Type::Number || v.type == FieldValue::Type::String)
		text = v.text; // strings: Sentry's BitFields ("flags": "0")
	else
		return mismatch(v, col);
	std::int64_t n;
	if (!parse_int64(text, n)) {
		bool digits = !text.empty();
		std::size_t start = (!text.empty() && text[0] == '-') ? 1 : 0;
		for (std::size_t i = start; i < text.size(); ++i)
			digits = digits && text[i] >= '0' && text[i] <= '9';
		if (digits && text.size() > start)
			return error(sqlstate::kNumericValueOutOfRange,
			             "value " + quoted(text) + " is out of range for type " + col.sql_type);
		return error(sqlstate::kInvalidTextRepresentation,
		             "invalid input syntax for type " + col.sql_type + ": " + quoted(text));
	}
	std::int64_t lo = std::numeric_limits<std::int64_t>::min(), hi = std::numeric_limits<std::int64_t>::max();
	if (col.type == ColumnType::Int2) {
		lo = std::numeric_limits<std::int16_t>::min();
		hi = std::numeric_limits<std::int16_t>::max();
	} else if (col.type == ColumnType::Int4) {
		lo = std::numeric_limits<std::int32_t>::min();
		hi = std::numeric_limits<std::int32_t>::max();
	}
	if (n < lo || n > hi)
		return error(sqlstate::kNumericValueOutOfRange,
		             "value " + shown_value(text) + " is out of range for type " + col.sql_type);
	out = std::to_string(n);
	return ok();
}

bool is_number_literal(std::string_view s) {
	// JSON number grammar, plus PostgreSQL's special float spellings.
	if (s == "NaN" || s == "Infinity" || s == "-Infinity")
		return true;
	std::size_t i = 0, n = s.size();
	if (i < n && s[i] == '-')
		++i;
	std::size_t d = i;
	while (i < n && s[i] >= '0' && s[i] <= '9')
		++i;
	if (i == d)
		return false;
	if (i < n && s[i] == '.') {
		++i;
		std::size_t f = i;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			++i;
		if (i == f)
			return false;
	}
	if (i < n && (s[i] == 'e' || s[i] == 'E')) {
		++i;
		if (i < n && (s[i] == '+' || s[i] == '-'))
			++i;
		std::size_t e = i;
		while (i < n && s[i] >= '0' && s[i] <= '9')
			++i;
		if (i == e)
			return false;
	}
	return i == n;
}

Conversion convert_float(const FieldValue &v, const Column &col, std::string &out) {
	if (v.type != FieldValue::Type::Number && v.type != FieldValue::Type::String)
		return mismatch(v, col);
	if (!is_number_literal(v.text))
		return error(sqlstate::kInvalidTextRepresentation,
		             "invalid input syntax for type " + col.sql_type + ": " + quoted(v.text));
	out = v.text;
	return ok();
}

// --- booleans (Django BooleanField.to_python) -----------------------------------------------

Conversion convert_bool(const FieldValue &v, const Column &col, std::string &out) {
	if (v.type == FieldValue::Type::Bool) {
		out = v.boolean ? "true" : "false";
		return ok();
	}
	if (v.type == FieldValue::Type::Number || v.type == FieldValue::Type::String) {
		const std::string &t = v.text;
		if (t == "1" || t == "t" || t == "true" || t == "True") {
			out = "true";
			return ok();
		}
		if (t == "0" || t == "f" || t == "false" || t == "False") {
			out = "false";
			return ok();
		}
		return error(sqlstate::kInvalidTextRepresentation, "invalid input syntax for type boolean: " + quoted(t));
	}
	return mismatch(v, col);
}

// --- text -----------------------------------------------------------------------------------

Conversion check_text(std::string_view s, const Column &col) {
	if (has_nul(s))
		return error(sqlstate::kUntranslatableCharacter, "a string contains the character U+0000, which PostgreSQL "
		                                                 "text cannot hold");
	if (col.max_chars >= 0) {
		std::size_t n = utf8_length(s);
		if (n > static_cast<std::size_t>(col.max_chars))
			return error(sqlstate::kStringDataRightTruncation, "value too long for type " + col.sql_type + "(" +
			                                                       std::to_string(col.max_chars) +
			                                                       "): " + std::to_string(n) + " characters");
	}
	return ok();
}

// The JSON text a JSON-holding column stores for `v` (Sentry decodes strings that hold JSON).
Conversion json_text_for(const FieldValue &v, std::string &out, bool take) {
	switch (v.type) {
	case FieldValue::Type::Null:
		return null_value();
	case FieldValue::Type::Bool:
		out = v.boolean ? "true" : "false";
		break;
	case FieldValue::Type::Number:
	case FieldValue::Type::Object:
	case FieldValue::Type::Array:
		give_text(v, out, take);
		break;
	case FieldValue::Type::String:
		if (std::string bad; is_valid_json(v.text, &bad)) {
			// Sentry's JSON held in a string: its own strings are decoded here for the first time.
			if (!bad.empty())
				return error(sqlstate::kInvalidTextRepresentation, "the JSON in the string holds " + bad);
			give_text(v, out, take);
		} else {
			out.clear();
			append_json_string(out, v.text);
			if (take && v.text.size() >= kMoveTextAtLeast)             // given up: not kept beside its JSON text
				std::string().swap(const_cast<std::string &>(v.text)); // NOLINT(cppcoreguidelines-pro-type-const-cast)
		}
		break;
	}
	if (has_escaped_nul(out) || has_nul(out))
		return error(sqlstate::kUntranslatableCharacter, "the JSON value contains \\u0000, which PostgreSQL cannot "
		                                                 "store");
	return ok();
}

Conversion convert_text(const FieldValue &v, const Column &col, std::string &out, bool take) {
	if (col.json_text) {
		Conversion c = json_text_for(v, out, take);
		if (c.status != Conversion::Status::Ok)
			return c;
		return check_text(out, col);
	}
	switch (v.type) {
	case FieldValue::Type::String:
	case FieldValue::Type::Number:
		give_text(v, out, take);
		return check_text(out, col);
	default:
		return mismatch(v, col);
	}
}

// --- datetimes ------------------------------------------------------------------------------

bool digits(std::string_view s, std::size_t pos, std::size_t n, int &value) {
	if (pos + n > s.size())
		return false;
	value = 0;
	for (std::size_t i = pos; i < pos + n; ++i) {
		if (s[i] < '0' || s[i] > '9')
			return false;
		value = value * 10 + (s[i] - '0');
	}
	return true;
}

int days_in_month(int year, int month) {
	static const int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
	if (month == 2 && ((year % 4 == 0 && year % 100 != 0) || year % 400 == 0))
		return 29;
	return kDays[month - 1];
}

// ISO 8601 as Django accepts it: YYYY-MM-DD[(T| )HH:MM[:SS[.ffffff]]][Z|(+|-)HH[:]MM]. Sets
// has_time / has_offset. Returns false if `s` is not such a value.
bool parse_iso8601(std::string_view s, bool &has_time, bool &has_offset) {
	int year, month, day;
	if (!digits(s, 0, 4, year) || s.size() < 10 || s[4] != '-' || !digits(s, 5, 2, month) || s[7] != '-' ||
	    !digits(s, 8, 2, day))
		return false;
	// Year 0 does not exist in PostgreSQL's (and Django's) calendar.
	if (year < 1 || month < 1 || month > 12 || day < 1 || day > days_in_month(year, month))
		return false;
	has_time = has_offset = false;
	std::size_t i = 10;
	if (i == s.size())
		return true;
	if (s[i] != 'T' && s[i] != ' ')
		return false;
	int hour, minute, second = 0;
	if (!digits(s, i + 1, 2, hour) || i + 3 >= s.size() || s[i + 3] != ':' || !digits(s, i + 4, 2, minute))
		return false;
	if (hour > 23 || minute > 59)
		return false;
	has_time = true;
	i += 6;
	if (i < s.size() && s[i] == ':') {
		if (!digits(s, i + 1, 2, second) || second > 59)
			return false;
		i += 3;
		if (i < s.size() && s[i] == '.') {
			std::size_t f = ++i;
			while (i < s.size() && s[i] >= '0' && s[i] <= '9')
				++i;
			if (i == f || i - f > 9)
				return false;
		}
	}
	if (i == s.size())
		return true;
	if ((s[i] == 'Z' || s[i] == 'z') && i + 1 == s.size()) {
		has_offset = true;
		return true;
	}
	if (s[i] != '+' && s[i] != '-')
		return false;
	int oh, om = 0;
	if (!digits(s, i + 1, 2, oh) || oh > 15) // PostgreSQL's limit: UTC offsets within +-15:59
		return false;
	i += 3;
	if (i < s.size() && s[i] == ':')
		++i;
	if (i < s.size()) {
		if (!digits(s, i, 2, om) || om > 59)
			return false;
		i += 2;
	}
	has_offset = true;
	return i == s.size();
}

Conversion convert_datetime(const FieldValue &v, const Column &col, std::string &out) {
	if (v.type != FieldValue::Type::String)
		return mismatch(v, col);
	bool has_time, has_offset;
	if (!parse_iso8601(v.text, has_time, has_offset))
		return error(sqlstate::kInvalidDatetimeFormat,
		             "invalid ISO 8601 " + std::string(col.type == ColumnType::Date ? "date" : "datetime") + ": " +
		                 quoted(v.text));
	out = v.text;
	if (col.type == ColumnType::TimestampTz && !has_offset)
		out += has_time ? "+00" : " 00:00:00+00"; // Sentry's datetimes are UTC
	return ok();
}

// --- uuid, inet -----------------------------------------------------------------------------

bool is_hex(char c) {
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

Conversion convert_uuid(const FieldValue &v, const Column &col, std::string &out) {
	if (v.type != FieldValue::Type::String)
		return mismatch(v, col);
	std::string_view s = v.text;
	bool valid = false;
	if (s.size() == 32) {
		valid = true;
		for (char c : s)
			valid = valid && is_hex(c);
	} else if (s.size() == 36) {
		valid = true;
		for (std::size_t i = 0; i < s.size(); ++i)
			valid = valid && ((i == 8 || i == 13 || i == 18 || i == 23) ? s[i] == '-' : is_hex(s[i]));
	}
	if (!valid)
		return error(sqlstate::kInvalidTextRepresentation, "invalid input syntax for type uuid: " + quoted(s));
	out = v.text;
	return ok();
}

Conversion convert_inet(const FieldValue &v, const Column &col, std::string &out) {
	if (v.type != FieldValue::Type::String)
		return mismatch(v, col);
	std::string addr = v.text;
	std::size_t slash = addr.find('/');
	int max_prefix = 128;
	std::string prefix;
	if (slash != std::string::npos) {
		prefix = addr.substr(slash + 1);
		addr.resize(slash);
	}
	unsigned char buf[16];
	bool valid = false;
	if (inet_pton(AF_INET, addr.c_str(), buf) == 1) {
		valid = true;
		max_prefix = 32;
	} else if (inet_pton(AF_INET6, addr.c_str(), buf) == 1) {
		valid = true;
	}
	if (valid && slash != std::string::npos) {
		std::int64_t p;
		valid = parse_int64(prefix, p) && p >= 0 && p <= max_prefix && prefix[0] != '-';
	}
	if (!valid)
		return error(sqlstate::kInvalidTextRepresentation, "invalid IP address: " + quoted(v.text));
	out = v.text;
	return ok();
}

// --- arrays ---------------------------------------------------------------------------------

constexpr unsigned kJsonFlags =
    rapidjson::kParseValidateEncodingFlag | rapidjson::kParseNumbersAsStringsFlag | rapidjson::kParseIterativeFlag;

// SAX handler accepting exactly a flat JSON array of strings, numbers (kept as their text, as
// Python's str() of a list element would be) and nulls. No DOM: a DOM's recursive destructor is as
// dangerous as recursive parsing on deeply nested input.
class FlatArrayHandler : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, FlatArrayHandler> {
public:
	explicit FlatArrayHandler(TextArray &elems) : elems_(elems) {}
	bool Default() { return false; }
	bool StartArray() { return depth_++ == 0; }
	bool EndArray(rapidjson::SizeType) { return --depth_ == 0; }
	bool Null() {
		if (depth_ != 1)
			return false;
		elems_.emplace_back(std::nullopt);
		return true;
	}
	bool String(const char *s, rapidjson::SizeType n, bool) {
		if (depth_ != 1)
			return false;
		const std::string_view text(s, n);
		const std::size_t at = invalid_utf8_at(text);
		if (at != std::string_view::npos && bad_text_.empty())
			bad_text_ = describe_invalid_utf8(text, at);
		elems_.emplace_back(std::string(s, n));
		return true;
	}
	// What the first element that is not UTF-8 holds (a lone surrogate escape), or empty.
	const std::string &bad_text() const { return bad_text_; }

private:
	TextArray &elems_;
	int depth_ = 0;
	std::string bad_text_;
};

// A flat JSON array of strings, numbers and nulls. `bad_text` (if given) is set to what the first
// element that is not UTF-8 holds.
bool parse_json_array(std::string_view s, TextArray &elems, std::string *bad_text = nullptr) {
	rapidjson::MemoryStream stream(s.data(), s.size());
	FlatArrayHandler handler(elems);
	rapidjson::Reader reader;
	const bool ok = !reader.Parse<kJsonFlags>(stream, handler).IsError();
	if (bad_text != nullptr)
		*bad_text = handler.bad_text();
	return ok;
}

void append_utf8(std::string &out, unsigned long cp) {
	if (cp < 0x80) {
		out += static_cast<char>(cp);
	} else if (cp < 0x800) {
		out += static_cast<char>(0xC0 | (cp >> 6));
		out += static_cast<char>(0x80 | (cp & 0x3F));
	} else if (cp < 0x10000) {
		out += static_cast<char>(0xE0 | (cp >> 12));
		out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
		out += static_cast<char>(0x80 | (cp & 0x3F));
	} else {
		out += static_cast<char>(0xF0 | (cp >> 18));
		out += static_cast<char>(0x80 | ((cp >> 12) & 0x3F));
		out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
		out += static_cast<char>(0x80 | (cp & 0x3F));
	}
}

// A Python list literal of str (as repr() writes it): ['a', "b's", None].
class PythonListReader {
public:
	explicit PythonListReader(std::string_view s) : s_(s) {}

	bool read(TextArray &elems) {
		skip_space();
		if (!take('['))
			return false;
		skip_space();
		if (take(']'))
			return end();
		for (;;) {
			skip_space();
			if (s_.substr(i_, 4) == "None") {
				i_ += 4;
				elems.emplace_back(std::nullopt);
			} else {
				std::string text;
				if (!string_literal(text))
					return false;
				elems.emplace_back(std::move(text));
			}
			skip_space();
			if (take(',')) {
				skip_space();
				if (take(']')) // trailing comma
					return end();
				continue;
			}
			return take(']') && end();
		}
	}

private:
	bool at_end() const { return i_ >= s_.size(); }
	bool take(char c) {
		if (at_end() || s_[i_] != c)
			return false;
		++i_;
		return true;
	}
	void skip_space() {
		while (!at_end() && (s_[i_] == ' ' || s_[i_] == '\t' || s_[i_] == '\n' || s_[i_] == '\r'))
			++i_;
	}
	bool end() {
		skip_space();
		return at_end();
	}

	// '...' or "...", with Python's escapes.
	bool string_literal(std::string &text) {
		if (at_end() || (s_[i_] != '\'' && s_[i_] != '"'))
			return false;
		const char quote = s_[i_++];
		while (!at_end()) {
			char c = s_[i_++];
			if (c == quote)
				return true;
			if (c != '\\')
				text += c;
			else if (!escape(text))
				return false;
		}
		return false; // not closed
	}

	bool escape(std::string &text) {
		if (at_end())
			return false;
		const char e = s_[i_++];
		switch (e) {
		case 'n':
			text += '\n';
			return true;
		case 't':
			text += '\t';
			return true;
		case 'r':
			text += '\r';
			return true;
		case '\\':
		case '\'':
		case '"':
			text += e;
			return true;
		case 'x':
			return code_point(2, text);
		case 'u':
			return code_point(4, text);
		case 'U':
			return code_point(8, text);
		default:
			return false;
		}
	}

	// `width` hex digits: a code point, appended as UTF-8.
	bool code_point(std::size_t width, std::string &text) {
		if (i_ + width > s_.size())
			return false;
		unsigned long cp = 0;
		for (std::size_t k = 0; k < width; ++k) {
			char h = s_[i_++];
			if (!is_hex(h))
				return false;
			cp = cp * 16 + static_cast<unsigned long>(h <= '9' ? h - '0' : (h | 0x20) - 'a' + 10);
		}
		if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) // not encodable in UTF-8
			return false;
		append_utf8(text, cp);
		return true;
	}

	std::string_view s_;
	std::size_t i_ = 0;
};

bool parse_python_list(std::string_view s, TextArray &elems) {
	return PythonListReader(s).read(elems);
}

Conversion convert_array(const FieldValue &v, const Column &col, std::string &out, bool take) {
	TextArray elems;
	if (v.type == FieldValue::Type::Array) {
		if (!parse_json_array(v.text, elems))
			return error(sqlstate::kInvalidTextRepresentation,
			             "a JSON array for column type " + col.sql_type + " must hold only strings, numbers and nulls");
	} else if (v.type == FieldValue::Type::String) {
		std::string_view s = v.text;
		std::size_t first = s.find_first_not_of(" \t\r\n");
		if (first != std::string_view::npos && s[first] == '{') {
			// Already a PostgreSQL array literal; its syntax is PostgreSQL's to check.
			if (has_nul(s))
				return error(sqlstate::kUntranslatableCharacter, "a string contains the character U+0000");
			give_text(v, out, take);
			return ok();
		}
		std::string bad_text;
		if (!parse_json_array(s, elems, &bad_text) && (elems.clear(), !parse_python_list(s, elems)))
			return error(sqlstate::kInvalidTextRepresentation,
			             "not a list (expected a JSON array, a Python list or a PostgreSQL array literal): " +
			                 quoted(s));
		if (!bad_text.empty())
			return error(sqlstate::kInvalidTextRepresentation,
			             "an element of the JSON list in the string holds " + bad_text);
	} else {
		return mismatch(v, col);
	}
	for (const auto &e : elems)
		if (e && has_nul(*e))
			return error(sqlstate::kUntranslatableCharacter, "a list element contains the character U+0000");
	out = pg_text_array_literal(elems);
	return ok();
}

Conversion convert_other(const FieldValue &v, std::string &out, bool take) {
	switch (v.type) {
	case FieldValue::Type::Bool:
		out = v.boolean ? "true" : "false";
		break;
	default:
		give_text(v, out, take);
		break;
	}
	if (has_nul(out))
		return error(sqlstate::kUntranslatableCharacter, "a string contains the character U+0000");
	return ok();
}

} // namespace

namespace {

// Checks the strings and keys of a valid JSON text for bytes that are not UTF-8 (a lone surrogate).
class Utf8CheckHandler : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, Utf8CheckHandler> {
public:
	bool String(const char *s, rapidjson::SizeType n, bool) { return check(s, n); }
	bool Key(const char *s, rapidjson::SizeType n, bool) { return check(s, n); }
	const std::string &bad_text() const { return bad_text_; }

private:
	bool check(const char *s, rapidjson::SizeType n) {
		const std::string_view text(s, n);
		const std::size_t at = invalid_utf8_at(text);
		if (at != std::string_view::npos && bad_text_.empty())
			bad_text_ = describe_invalid_utf8(text, at);
		return true;
	}
	std::string bad_text_;
};

} // namespace

bool is_valid_json(std::string_view text, std::string *bad_text) {
	rapidjson::MemoryStream stream(text.data(), text.size());
	Utf8CheckHandler handler;
	rapidjson::Reader reader;
	const bool valid =
	    !reader.Parse<kJsonFlags>(stream, handler).IsError() && text.find('\0') == std::string_view::npos;
	if (bad_text != nullptr)
		*bad_text = handler.bad_text();
	return valid;
}

void append_json_string(std::string &out, std::string_view s) {
	out.reserve(out.size() + s.size() + 2); // escapes aside, the string and its quotes: written in place
	StringOutput output(out);
	rapidjson::Writer<StringOutput> writer(output);
	writer.String(s.data(), static_cast<rapidjson::SizeType>(s.size()));
}

ColumnType column_type_for(std::string_view typname, char typcategory, std::string_view elemname) {
	if (typname == "bool")
		return ColumnType::Bool;
	if (typname == "int2")
		return ColumnType::Int2;
	if (typname == "int4")
		return ColumnType::Int4;
	if (typname == "int8")
		return ColumnType::Int8;
	if (typname == "float4" || typname == "float8")
		return ColumnType::Float;
	if (typname == "numeric")
		return ColumnType::Numeric;
	if (typname == "text" || typname == "varchar" || typname == "bpchar" || typname == "citext" || typname == "name")
		return ColumnType::Text;
	if (typname == "json")
		return ColumnType::Json;
	if (typname == "jsonb")
		return ColumnType::Jsonb;
	if (typname == "timestamptz")
		return ColumnType::TimestampTz;
	if (typname == "timestamp")
		return ColumnType::Timestamp;
	if (typname == "date")
		return ColumnType::Date;
	if (typname == "uuid")
		return ColumnType::Uuid;
	if (typname == "inet" || typname == "cidr")
		return ColumnType::Inet;
	if (typcategory == 'A' && (elemname == "text" || elemname == "varchar" || elemname == "citext"))
		return ColumnType::TextArray;
	return ColumnType::Other;
}

int max_chars_for(std::string_view typname, int typmod) {
	if ((typname == "varchar" || typname == "bpchar") && typmod >= 4)
		return typmod - 4; // VARHDRSZ
	return -1;
}

namespace {

Conversion convert(const FieldValue &v, const Column &col, std::string &out, bool take) {
	if (v.type == FieldValue::Type::Null && col.type == ColumnType::Text && col.json_text && col.not_null) {
		// A text column that holds JSON and is NOT NULL (Sentry 24.8's option values, ...): Sentry's
		// PickledObjectField / legacy JSONField writes json.dumps(None) for None.
		out = "null";
		return ok();
	}
	if (v.type == FieldValue::Type::Null)
		return null_value();
	switch (col.type) {
	case ColumnType::Bool:
		return convert_bool(v, col, out);
	case ColumnType::Int2:
	case ColumnType::Int4:
	case ColumnType::Int8:
		return convert_integer(v, col, out);
	case ColumnType::Float:
	case ColumnType::Numeric:
		return convert_float(v, col, out);
	case ColumnType::Text:
		return convert_text(v, col, out, take);
	case ColumnType::Json:
	case ColumnType::Jsonb:
		return json_text_for(v, out, take);
	case ColumnType::TimestampTz:
	case ColumnType::Timestamp:
	case ColumnType::Date:
		return convert_datetime(v, col, out);
	case ColumnType::Uuid:
		return convert_uuid(v, col, out);
	case ColumnType::Inet:
		return convert_inet(v, col, out);
	case ColumnType::TextArray:
		return convert_array(v, col, out, take);
	case ColumnType::Other:
		return convert_other(v, out, take);
	}
	return convert_other(v, out, take);
}

} // namespace

Conversion convert_value(const FieldValue &v, const Column &col, std::string &out) {
	return convert(v, col, out, false);
}

WithheldValues::WithheldValues(bool withhold) : previous_(values_withheld) {
	values_withheld = values_withheld || withhold;
}

WithheldValues::~WithheldValues() {
	values_withheld = previous_;
}

bool WithheldValues::active() {
	return values_withheld;
}

std::string quoted_value(std::string_view s) {
	return quoted(s);
}

std::string shown_value(std::string_view s) {
	return values_withheld ? std::string(kWithheldValue) : std::string(s);
}

Conversion convert_value(FieldValue &&v, const Column &col, std::string &out) {
	return convert(v, col, out, true);
}

} // namespace relocate

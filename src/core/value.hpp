// Value conversion: one export field value -> the text that the target column's PostgreSQL input
// function accepts, validated here so that a misfit is reported with the model, source pk and
// field instead of a bare PostgreSQL error in the middle of a batch.
//
// Encodings handled (import-spec §1.3, schema-facts §4): bit-flag strings ("0") into integer columns;
// Sentry's JSON-in-a-string values into json/jsonb and JSON-holding text columns; Python-repr,
// JSON and PostgreSQL "{a,b}" array strings (and native JSON arrays) into text[]; ISO-8601
// datetimes with or without fraction and offset (no offset = UTC) into timestamptz; uuid; inet.
//
// PostgreSQL-free.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "core/export_reader.hpp"
#include "core/text.hpp"

namespace relocate {

enum class ColumnType : std::uint8_t {
	Bool,
	Int2,
	Int4,
	Int8,
	Float, // float4, float8
	Numeric,
	Text, // text, varchar, bpchar, citext, name
	Json,
	Jsonb,
	TimestampTz,
	Timestamp,
	Date,
	Uuid,
	Inet, // inet, cidr
	TextArray,
	Other, // passed through as text; PostgreSQL validates
};

// One column of a live target table, as read from pg_catalog.
struct Column {
	std::string name;
	std::string sql_type; // the type's name for messages, without typmod (e.g. "timestamp with time zone")
	// For SQL: the base type qualified with its schema and quoted (e.g. "pg_catalog"."timestamptz"),
	// so that a cast means the same whatever the search_path, and that schema (e.g. "public" for
	// citext), whose operators belong to the type. Empty where there is no database (unit tests).
	std::string cast_type;
	std::string type_schema;
	std::string type_name; // pg_type.typname of the base type (e.g. "citext")
	ColumnType type = ColumnType::Other;
	int max_chars = -1; // varchar(n)/char(n) limit, -1 if unbounded
	bool not_null = false;
	bool has_default = false;
	// The column holds JSON in a text column (Sentry's PickledObjectField, LegacyTextJSONField,
	// GzippedDictField): strings are decoded as JSON first, like json/jsonb columns.
	bool json_text = false;
};

// Maps a PostgreSQL base type name (pg_type.typname), its category (pg_type.typcategory) and the
// element type name for arrays to a ColumnType.
ColumnType column_type_for(std::string_view typname, char typcategory, std::string_view elemname);
// varchar(n)/bpchar(n) limit from atttypmod; -1 if none.
int max_chars_for(std::string_view typname, int typmod);

struct Conversion {
	enum class Status : std::uint8_t { Ok, Null, Error };
	Status status = Status::Ok;
	const char *sqlstate = nullptr; // on Error
	std::string reason;             // on Error: what is wrong, without the model/pk/field context
};

// Converts `v` for `col` into `out` (PostgreSQL input text). Null -> Status::Null (the caller
// checks NOT NULL). On Error, `out` is unspecified.
Conversion convert_value(const FieldValue &v, const Column &col, std::string &out);
// The same for a value the caller gives up: where `out` is the value's text as it is, a text of
// kMoveTextAtLeast bytes or more is moved, not copied (a large string then exists once), and a
// shorter one is copied, so that the reader reuses the entry's storage for the next entry (the
// parse-ahead thread's strings then stay on its own heap); `v.text` is left unspecified.
Conversion convert_value(FieldValue &&v, const Column &col, std::string &out);
inline constexpr std::size_t kMoveTextAtLeast = 1024;

// The plaintext of an export relocate decrypted never appears in an error message (README): while
// a WithheldValues made with `withhold` set is alive, every message that would quote a value of the
// export (a conversion error, a value that already exists, PostgreSQL's own message about a row)
// shows kWithheldValue instead. Models, source pks, field and column names and positions are still
// named. The import sets it for its length (ImportOptions::withhold_values); one import at a time.
class WithheldValues {
public:
	explicit WithheldValues(bool withhold);
	~WithheldValues();
	WithheldValues(const WithheldValues &) = delete;
	WithheldValues &operator=(const WithheldValues &) = delete;
	static bool active();

private:
	bool previous_;
};
inline constexpr const char *kWithheldValue = "(a value withheld: the export was encrypted)";
// `s` for a message: quoted ("...", cut after 60 bytes at a character boundary), or kWithheldValue.
std::string quoted_value(std::string_view s);
// `s` as it is, or kWithheldValue.
std::string shown_value(std::string_view s);

// Helpers exposed for tests.
// Whether `text` is one JSON value. `bad_text` (if given) is set to what its first string or key
// holds that is not UTF-8 (describe_invalid_utf8: a lone surrogate escape), or emptied: a JSON
// text held in a string has its escapes decoded only here.
bool is_valid_json(std::string_view text, std::string *bad_text = nullptr);
void append_json_string(std::string &out, std::string_view s); // "..." with JSON escapes

} // namespace relocate

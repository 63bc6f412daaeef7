// Streaming reader of a Sentry export: a JSON array of {"model", "pk", "fields"} objects.
//
// The document is parsed with RapidJSON's SAX Reader, never into a DOM: each entry is built in a
// reusable ExportEntry and handed to an EntryConsumer as soon as its closing brace is read, so
// memory does not grow with the file. Object and array field values (e.g. ProjectKey.data) are
// kept as compact JSON text; numbers keep their literal text so that 64-bit ids and floats reach
// their columns unchanged.
//
// PostgreSQL-free.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "core/byte_source.hpp"

namespace relocate {

struct FieldValue {
	enum class Type : std::uint8_t { Null, Bool, Number, String, Object, Array };
	Type type = Type::Null;
	bool boolean = false;
	// Number: the literal as written; String: the decoded UTF-8 text; Object/Array: compact JSON.
	std::string text;

	bool is_null() const { return type == Type::Null; }
};

struct ExportField {
	std::string name;
	FieldValue value;
};

struct ExportEntry {
	std::string model; // normalized: lower case
	std::int64_t pk = 0;
	std::size_t index = 0;           // 0-based position in the top-level array (messages say index + 1)
	std::size_t offset = 0;          // byte offset of the entry's opening brace (0-based)
	std::size_t line = 0;            // 1-based line of that brace
	std::vector<ExportField> fields; // only the first field_count are valid (storage is reused)
	std::size_t field_count = 0;

	const ExportField *begin() const { return fields.data(); }
	const ExportField *end() const { return fields.data() + field_count; }
	ExportField *begin() { return fields.data(); }
	ExportField *end() { return fields.data() + field_count; }
	const FieldValue *find(std::string_view name) const;
};

class EntryConsumer {
public:
	virtual ~EntryConsumer() = default;
	// Called once per complete entry, in file order. May throw; the exception leaves read_export.
	// The entry is the reader's scratch storage, reset before the next one: the consumer may move
	// the text out of its field values (a large string is then never copied).
	virtual void consume(ExportEntry &entry) = 0;
};

// Parses the export `source` holds (UTF-8 JSON, validated; a UTF-8 byte order mark at the start is
// skipped), as a stream, and feeds every entry to `consumer`; `check` (if set) is called before
// every chunk is read. Throws ImportError: 22P02 for malformed JSON (with the line and byte offset)
// and for a document that ends before its closing ']' (where it ends: in the array, after entry K,
// or inside entry K), 22023 for a document that is not an array of well-formed entries (with the
// entry's 1-based number, line and byte offset).
void read_export(ByteSource &source, EntryConsumer &consumer, const CheckInterrupts &check);
// The same for an export in memory.
void read_export(const char *data, std::size_t length, EntryConsumer &consumer);

// Parses a whole integer literal (optional '-', digits only) into int64; false if it is not one
// or does not fit.
bool parse_int64(std::string_view text, std::int64_t &out);
// True if `text` is an integer literal (optional '-', digits only), whether or not it fits int64:
// tells "not an integer" from "out of range" when parse_int64 fails.
bool is_integer_literal(std::string_view text);

} // namespace relocate

#include "core/json.hpp"

#include "core/export_reader.hpp"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstring>
#include <limits>
#include <vector>

#if defined(__linux__)
#include <sys/mman.h>
#include <unistd.h>
#endif

#include "core/error.hpp"
#include "core/text.hpp"

namespace relocate {

const FieldValue *ExportEntry::find(std::string_view name) const {
	for (const ExportField &f : *this)
		if (f.name == name)
			return &f.value;
	return nullptr;
}

bool is_integer_literal(std::string_view text) {
	if (!text.empty() && text[0] == '-')
		text.remove_prefix(1);
	return !text.empty() && std::all_of(text.begin(), text.end(), [](char c) { return c >= '0' && c <= '9'; });
}

bool parse_int64(std::string_view text, std::int64_t &out) {
	if (text.empty())
		return false;
	std::size_t i = 0;
	bool negative = false;
	if (text[0] == '-') {
		negative = true;
		i = 1;
		if (text.size() == 1)
			return false;
	}
	// Magnitude accumulated as unsigned so that INT64_MIN parses.
	std::uint64_t magnitude = 0;
	const std::uint64_t limit = negative ? static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()) + 1
	                                     : static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max());
	for (; i < text.size(); ++i) {
		char c = text[i];
		if (c < '0' || c > '9')
			return false;
		unsigned digit = static_cast<unsigned>(c - '0');
		if (magnitude > (limit - digit) / 10)
			return false;
		magnitude = magnitude * 10 + digit;
	}
	out = negative ? static_cast<std::int64_t>(0 - magnitude) : static_cast<std::int64_t>(magnitude);
	if (negative && magnitude == 0)
		out = 0;
	return true;
}

namespace {

// A string at least this long is not kept twice: the reader gives its decoding buffer's pages back
// (release_pages) and the entry's storage for it is freed rather than reused.
constexpr std::size_t kLargeString = 1024 * 1024;

// Gives the whole pages of [data, data + size) back to the kernel: their contents become
// unspecified, the block stays allocated to its owner. RapidJSON's Reader decodes every string into
// a stack it keeps for the whole parse and never shrinks, so after one large string its pages would
// stay resident to the end of the import; the decoded string is garbage once the handler has taken
// it. A no-op where madvise(MADV_DONTNEED) is not available.
void release_pages(const char *data, std::size_t size) {
#if defined(__linux__) && defined(MADV_DONTNEED)
	static const auto page = static_cast<std::uintptr_t>(sysconf(_SC_PAGESIZE));
	const auto from = reinterpret_cast<std::uintptr_t>(data);
	const std::uintptr_t begin = (from + page - 1) / page * page;
	const std::uintptr_t end = (from + size) / page * page;
	if (end > begin)
		madvise(reinterpret_cast<void *>(begin), end - begin, MADV_DONTNEED); // advice: a failure changes nothing
#else
	(void)data;
	(void)size;
#endif
}

// The size of `s` written as a JSON string, quotes included, at most (RapidJSON's Writer escapes
// '"', '\\' and the control characters, a control character as \u00XX at most).
std::size_t json_string_size(const char *s, std::size_t n) {
	std::size_t size = n + 2;
	for (std::size_t i = 0; i < n; ++i) {
		const auto c = static_cast<unsigned char>(s[i]);
		size += c == '"' || c == '\\' ? 1 : c < 0x20 ? 5 : 0;
	}
	return size;
}

// Room left in a captured value after a large string in it, for the rest of the value (closing
// brackets, further small members) without a reallocation.
constexpr std::size_t kCaptureSlack = 64 * 1024;

// "line L, byte offset N": where an error is, for messages (lines 1-based, offsets 0-based).
std::string line_and_offset(std::size_t line, std::size_t offset) {
	return "line " + std::to_string(line) + ", byte offset " + std::to_string(offset);
}

// RapidJSON's input stream over a ByteSource: the source is read in chunks into one buffer, which
// keeps the last kLookback bytes of the previous chunk (so an error can point at the start of a
// short token that straddles two chunks). Tell() is the absolute byte offset; Peek() is '\0' at
// the end, as RapidJSON expects (a NUL byte in the data reads the same; read_export tells them
// apart afterwards).
//
// A UTF-8 byte order mark at the very start is skipped (offsets still count its three bytes, as a
// file viewer does). Lines are counted lazily: line_at() counts the '\n' bytes from where it last
// counted up to the offset asked for, and refill() counts what leaves the buffer, so every byte is
// counted once, in bulk, and Take() stays untouched.
class SourceStream {
public:
	typedef char Ch;

	SourceStream(ByteSource &source, const CheckInterrupts &check) : source_(source), check_(check) {
		buffer_.resize(kLookback + kChunk);
		if (check_)
			check_();
		// The first bytes, until there are enough to see a byte order mark (a source may return short reads).
		while (len_ < kBom.size()) {
			const std::size_t n = source_.read(buffer_.data() + len_, kChunk - len_);
			if (n == 0) {
				exhausted_ = true;
				break;
			}
			len_ += n;
		}
		if (len_ >= kBom.size() && std::string_view(buffer_.data(), kBom.size()) == kBom) {
			pos_ = kBom.size();
		}
		if (pos_ == len_)
			refill();
	}

	Ch Peek() const { return pos_ < len_ ? buffer_[pos_] : '\0'; }
	Ch Take() {
		if (pos_ >= len_)
			return '\0';
		const Ch c = buffer_[pos_++];
		if (pos_ == len_)
			refill();
		return c;
	}
	std::size_t Tell() const { return base_ + pos_; }
	// True once every byte of the source has been taken.
	bool at_end() const { return pos_ >= len_ && exhausted_; }
	// The bytes from absolute offset `from` to the current position, if still in the buffer.
	const char *window(std::size_t from) const { return from >= base_ ? buffer_.data() + (from - base_) : nullptr; }
	std::size_t window_start() const { return base_; }

	// The 1-based line of absolute offset `offset` (at most Tell()): 1 + the '\n' bytes before it.
	// Exact for every offset the stream still holds; an offset before that (only the start of a
	// string longer than the lookback) gets the line of the oldest byte held.
	std::size_t line_at(std::size_t offset) const {
		if (offset >= counted_to_) {
			const std::size_t to = offset < base_ + len_ ? offset : base_ + len_;
			lines_ += count_newlines(counted_to_, to);
			counted_to_ = to;
			return 1 + lines_;
		}
		const std::size_t from = offset > base_ ? offset : base_;
		return 1 + lines_ - count_newlines(from, counted_to_);
	}

	// Unused by the Reader (no in-situ parsing), but part of RapidJSON's stream concept.
	Ch *PutBegin() { return nullptr; }
	void Put(Ch) {}
	void Flush() {}
	std::size_t PutEnd(Ch *) { return 0; }

private:
	static constexpr std::size_t kChunk = 256 * 1024;
	static constexpr std::size_t kLookback = 4096;
	static constexpr std::string_view kBom{"\xEF\xBB\xBF"};

	// The '\n' bytes between absolute offsets `from` and `to`, both in the buffer.
	std::size_t count_newlines(std::size_t from, std::size_t to) const {
		const char *data = buffer_.data();
		return static_cast<std::size_t>(std::count(data + (from - base_), data + (to - base_), '\n'));
	}

	void refill() {
		if (exhausted_)
			return;
		// Keep the tail of what was read for window(); then read the next chunk after it.
		const std::size_t keep = len_ < kLookback ? len_ : kLookback;
		line_at(base_ + len_ - keep); // count the lines of what leaves the buffer
		std::memmove(buffer_.data(), buffer_.data() + len_ - keep, keep);
		base_ += len_ - keep;
		pos_ = keep;
		len_ = keep;
		if (check_)
			check_();
		const std::size_t n = source_.read(buffer_.data() + keep, kChunk);
		len_ += n;
		exhausted_ = n == 0;
	}

	ByteSource &source_;
	const CheckInterrupts &check_;
	std::vector<char> buffer_;
	std::size_t base_ = 0; // offset of buffer_[0]
	std::size_t pos_ = 0;
	std::size_t len_ = 0;
	bool exhausted_ = false;
	mutable std::size_t counted_to_ = 0; // lines_ counts the '\n' bytes before this absolute offset
	mutable std::size_t lines_ = 0;
};

// Iterative: RapidJSON's default recursive descent would overflow the stack on deeply nested
// input, which in a backend means a crash and a cluster restart.
constexpr unsigned kParseFlags =
    rapidjson::kParseValidateEncodingFlag | rapidjson::kParseNumbersAsStringsFlag | rapidjson::kParseIterativeFlag;

// SAX handler: a small state machine over the nesting depth.
//   depth 0: before the top-level array
//   depth 1: inside the array, between entries
//   depth 2: inside an entry object ("model", "pk", "fields")
//   depth 3: inside "fields"
//   deeper: inside an object/array field value, captured as JSON text by `raw_`
class Handler : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, Handler> {
public:
	Handler(const SourceStream &stream, EntryConsumer &consumer)
	    : stream_(stream), consumer_(consumer), raw_output_(raw_text_) {}

	bool Null() { return scalar(FieldValue::Type::Null, false, nullptr, 0); }
	bool Bool(bool b) { return scalar(FieldValue::Type::Bool, b, nullptr, 0); }
	bool RawNumber(const char *s, rapidjson::SizeType n, bool) { return scalar(FieldValue::Type::Number, false, s, n); }
	bool String(const char *s, rapidjson::SizeType n, bool) {
		const bool ok = scalar(FieldValue::Type::String, false, s, n);
		if (n >= kLargeString)
			release_pages(s, n); // taken (copied once) above
		return ok;
	}
	// Unused with kParseNumbersAsStringsFlag, but keep every number path explicit.
	bool Int(int) { return unexpected_number(); }
	bool Uint(unsigned) { return unexpected_number(); }
	bool Int64(std::int64_t) { return unexpected_number(); }
	bool Uint64(std::uint64_t) { return unexpected_number(); }
	bool Double(double) { return unexpected_number(); }

	bool StartObject() {
		if (capturing_)
			return capture_open(true);
		switch (depth_) {
		case 0:
			fail_shape("the export is not a JSON array of model entries: the top level is an object");
		case 1:
			begin_entry();
			depth_ = 2;
			return true;
		case 2:
			if (key_ != EntryKey::Fields)
				fail_entry("\"" + key_name_ + "\" must not be an object");
			if (seen_fields_)
				fail_entry("\"fields\" appears twice");
			seen_fields_ = true;
			depth_ = 3;
			return true;
		default: // depth 3: an object-valued field
			start_capture(FieldValue::Type::Object);
			return capture_open(true);
		}
	}

	bool EndObject(rapidjson::SizeType) {
		if (capturing_)
			return capture_close(true);
		if (depth_ == 3) {
			depth_ = 2;
			return true;
		}
		// depth 2: the entry is complete
		if (!bad_utf8_.empty())
			fail_utf8();
		if (!seen_model_)
			fail_entry("the entry has no \"model\"");
		if (!seen_pk_)
			fail_entry("the entry has no \"pk\"");
		if (!seen_fields_)
			fail_entry("the entry has no \"fields\"");
		depth_ = 1;
		consumer_.consume(entry_);
		++index_;
		return true;
	}

	bool StartArray() {
		if (capturing_)
			return capture_open(false);
		switch (depth_) {
		case 0:
			depth_ = 1;
			return true;
		case 1:
			fail_element("is an array, not a model entry object");
		case 2:
			fail_entry("\"" + key_name_ + "\" must not be an array");
		default:
			start_capture(FieldValue::Type::Array);
			return capture_open(false);
		}
	}

	bool EndArray(rapidjson::SizeType) {
		if (capturing_)
			return capture_close(false);
		depth_ = 0; // end of the top-level array
		return true;
	}

	bool Key(const char *s, rapidjson::SizeType n, bool) {
		if (capturing_) {
			check_utf8(s, n, Where::KeyInValue);
			raw_writer_.Key(s, n);
			return true;
		}
		check_utf8(s, n, depth_ == 2 ? Where::EntryKey : Where::FieldName);
		if (depth_ == 2) {
			key_name_.assign(s, n);
			if (key_name_ == "model")
				key_ = EntryKey::Model;
			else if (key_name_ == "pk")
				key_ = EntryKey::Pk;
			else if (key_name_ == "fields")
				key_ = EntryKey::Fields;
			else
				fail_entry("unexpected key \"" + key_name_ + "\" (an entry has only \"model\", \"pk\" and \"fields\")");
			return true;
		}
		// depth 3: a field name
		std::string_view name(s, n);
		for (const ExportField &f : entry_)
			if (f.name == name)
				fail_entry("field \"" + std::string(name) + "\" appears twice");
		if (entry_.field_count == entry_.fields.size())
			entry_.fields.emplace_back();
		ExportField &f = entry_.fields[entry_.field_count++];
		f.name.assign(s, n);
		f.value.type = FieldValue::Type::Null;
		f.value.boolean = false;
		f.value.text.clear();
		return true;
	}

	std::size_t entries() const { return index_; }
	int depth() const { return depth_; }
	// "line L, byte offset N" of absolute offset `offset`.
	std::string position(std::size_t offset) const { return line_and_offset(stream_.line_at(offset), offset); }
	// Where in the document the parser is, for an error RapidJSON reports: "" between entries, else
	// " (inside export entry N (model pk P), at or after field "f")".
	std::string where_in_entry() const {
		if (depth_ < 2)
			return {};
		std::string where = " (inside " + entry_name();
		if (depth_ >= 3 && entry_.field_count > 0) {
			const std::string &field = entry_.fields[entry_.field_count - 1].name;
			if (invalid_utf8_at(field) == std::string::npos)
				where += ", at or after field \"" + field + "\"";
		}
		return where + ")";
	}

	// The error for an export that ends before its closing ']' (RapidJSON only says what token it
	// missed): where it ends, and in what, so that a cut file reads as one.
	[[noreturn]] void fail_truncated(std::size_t offset) const {
		const char *hint = "A complete export ends with the \"]\" that closes its array. The file was cut short "
		                   "(an interrupted download or copy, a full disk): copy or export it again.";
		if (depth_ <= 1) {
			const std::string after = index_ == 0 ? "before its first entry" : "after entry " + std::to_string(index_);
			throw ImportError(sqlstate::kInvalidTextRepresentation,
			                  "relocate: the export ends inside the array at " + position(offset) + " (" + after +
			                      "): truncated?",
			                  {}, hint);
		}
		throw ImportError(sqlstate::kInvalidTextRepresentation,
		                  "relocate: the export ends inside " + entry_name() + " at " + position(offset) +
		                      ": truncated?",
		                  "The entry starts at " + line_and_offset(entry_.line, entry_.offset) + "; " +
		                      (index_ == 0 ? std::string("it is the first entry.")
		                                   : "the last complete entry is entry " + std::to_string(index_) + "."),
		                  hint);
	}

private:
	enum class EntryKey { None, Model, Pk, Fields };

	[[noreturn]] void fail_shape(const std::string &what) const { fail_shape(what, stream_.Tell()); }
	[[noreturn]] void fail_shape(const std::string &what, std::size_t offset) const {
		throw ImportError(sqlstate::kInvalidParameterValue, "relocate: " + what + " (" + position(offset) + ")",
		                  "A Sentry export is a JSON array of objects with the keys \"model\", \"pk\" and \"fields\".");
	}
	[[noreturn]] void fail_element(const std::string &what) const { fail_element(what, stream_.Tell()); }
	[[noreturn]] void fail_element(const std::string &what, std::size_t offset) const {
		fail_shape("export entry " + std::to_string(index_ + 1) + " " + what, offset);
	}

	// The parser reports a scalar after reading it; its first byte is found from its length (or,
	// for a string, by scanning back to the unescaped opening quote).
	std::size_t scalar_start(FieldValue::Type type, bool b, rapidjson::SizeType n) const {
		const std::size_t end = stream_.Tell();
		switch (type) {
		case FieldValue::Type::Null:
			return end - 4;
		case FieldValue::Type::Bool:
			return end - (b ? 4 : 5);
		case FieldValue::Type::Number:
			return end - n;
		default: {
			// Scan back from the closing quote to the unescaped opening one, within what the stream
			// still holds; a string that started earlier than that is placed by its length (exact
			// when it has no escapes).
			const std::size_t from = stream_.window_start();
			const char *data = stream_.window(from);
			for (std::size_t i = end - 1; i-- > from;) {
				if (data[i - from] != '"')
					continue;
				std::size_t backslashes = 0;
				while (backslashes < i - from && data[i - from - 1 - backslashes] == '\\')
					++backslashes;
				if (backslashes % 2 == 0)
					return i;
			}
			return end >= n + 2 ? end - n - 2 : 0;
		}
		}
	}
	// "export entry N (model pk P)": the entry being read, with what is known of it.
	std::string entry_name() const {
		std::string name = "export entry " + std::to_string(index_ + 1);
		if (seen_model_ && invalid_utf8_at(entry_.model) == std::string::npos)
			name += " (" + entry_.model + (seen_pk_ ? " pk " + std::to_string(entry_.pk) : std::string()) + ")";
		return name;
	}
	[[noreturn]] void fail_entry(const std::string &what, const char *code = sqlstate::kInvalidParameterValue) const {
		throw ImportError(
		    code, "relocate: " + entry_name() + " at " + line_and_offset(entry_.line, entry_.offset) + ": " + what,
		    "A Sentry export is a JSON array of objects with the keys \"model\", \"pk\" and \"fields\".");
	}
	bool unexpected_number() { throw ImportError(sqlstate::kInternalError, "relocate: unexpected parser event"); }

	// Where a decoded string is, for the error about one that is not UTF-8.
	enum class Where { EntryKey, EntryValue, FieldName, Field, KeyInValue, StringInValue };

	// Every decoded string must be text the database can store: a \\uXXXX escape of a lone UTF-16
	// surrogate decodes to bytes that are not UTF-8 (RapidJSON writes them as they are), which the
	// database would store and pg_dump copy into a dump that cannot be restored. The first such
	// string of an entry fails the import, naming the model, pk and field: at once when they are
	// known, else when the entry ends.
	void check_utf8(const char *s, rapidjson::SizeType n, Where where) {
		const std::string_view text(s, n);
		const std::size_t at = invalid_utf8_at(text);
		if (at == std::string_view::npos || !bad_utf8_.empty())
			return;
		const std::string field =
		    entry_.field_count > 0 ? "field \"" + entry_.fields[entry_.field_count - 1].name + "\"" : "a field";
		switch (where) {
		case Where::EntryKey:
			bad_utf8_ = "a key";
			break;
		case Where::EntryValue:
			bad_utf8_ = key_ == EntryKey::Model ? "\"model\"" : "\"" + key_name_ + "\"";
			break;
		case Where::FieldName:
			bad_utf8_ = "a field name";
			break;
		case Where::Field:
			bad_utf8_ = field;
			break;
		case Where::KeyInValue:
			bad_utf8_ = field + ": a key in its JSON value";
			break;
		case Where::StringInValue:
			bad_utf8_ = field + ": a string in its JSON value";
			break;
		}
		bad_utf8_ += " holds " + describe_invalid_utf8(text, at);
		if (depth_ < 2)
			throw ImportError(sqlstate::kInvalidTextRepresentation, "relocate: a string holds " +
			                                                            describe_invalid_utf8(text, at) + " (" +
			                                                            position(stream_.Tell()) + ")");
		// A key is quoted by the errors that may follow (an unexpected key, a field given twice).
		if ((seen_model_ && seen_pk_) || where == Where::EntryKey || where == Where::FieldName)
			fail_utf8();
	}
	[[noreturn]] void fail_utf8() const {
		const char *hint = "Sentry's exporter writes valid UTF-8 only (a lone surrogate comes from a file that was "
		                   "altered or written by something else); PostgreSQL cannot store it. Fix the entry and "
		                   "import again.";
		const std::string where =
		    "export entry " + std::to_string(index_ + 1) + " at " + line_and_offset(entry_.line, entry_.offset);
		if (seen_model_ && seen_pk_ && invalid_utf8_at(entry_.model) == std::string::npos)
			throw ImportError(sqlstate::kInvalidTextRepresentation,
			                  "relocate: " + entry_.model + " pk " + std::to_string(entry_.pk) + ", " + bad_utf8_,
			                  "At " + where + ".", hint);
		throw ImportError(sqlstate::kInvalidTextRepresentation, "relocate: " + where + ": " + bad_utf8_, {}, hint);
	}

	void begin_entry() {
		bad_utf8_.clear();
		// The last entry's large values (those its consumer did not take) are freed, not kept for reuse.
		for (ExportField &f : entry_.fields)
			if (f.value.text.capacity() >= kLargeString)
				std::string().swap(f.value.text);
		entry_.index = index_;
		entry_.offset = stream_.Tell(); // the iterative parser reports events at the token's first byte
		entry_.line = stream_.line_at(entry_.offset);
		entry_.model.clear();
		entry_.pk = 0;
		entry_.field_count = 0;
		seen_model_ = seen_pk_ = seen_fields_ = false;
		key_ = EntryKey::None;
	}

	bool scalar(FieldValue::Type type, bool b, const char *s, rapidjson::SizeType n) {
		if (type == FieldValue::Type::String)
			check_utf8(s, n, capturing_ ? Where::StringInValue : depth_ == 2 ? Where::EntryValue : Where::Field);
		if (capturing_) {
			switch (type) {
			case FieldValue::Type::Null:
				raw_writer_.Null();
				break;
			case FieldValue::Type::Bool:
				raw_writer_.Bool(b);
				break;
			case FieldValue::Type::Number:
				raw_writer_.RawValue(s, n, rapidjson::kNumberType); // Writer::RawNumber would quote it
				break;
			default:
				// One allocation for a large string and the rest of the value after it: a doubling
				// copies the text, and the first would come while the reader still holds the decoded
				// string (three copies of it at once).
				if (n >= kLargeString)
					raw_text_.reserve(raw_text_.size() + json_string_size(s, n) + kCaptureSlack);
				raw_writer_.String(s, n);
				break;
			}
			return true;
		}
		switch (depth_) {
		case 0:
			fail_shape("the export is not a JSON array of model entries: the top level is a scalar",
			           scalar_start(type, b, n));
		case 1:
			fail_element("is a scalar, not a model entry object", scalar_start(type, b, n));
		case 2:
			entry_value(type, s, n);
			return true;
		default: {
			FieldValue &v = entry_.fields[entry_.field_count - 1].value;
			v.type = type;
			v.boolean = b;
			if (s != nullptr)
				v.text.assign(s, n);
			return true;
		}
		}
	}

	void entry_value(FieldValue::Type type, const char *s, rapidjson::SizeType n) {
		switch (key_) {
		case EntryKey::Model:
			if (type != FieldValue::Type::String)
				fail_entry("\"model\" must be a string");
			if (seen_model_)
				fail_entry("\"model\" appears twice");
			entry_.model.assign(s, n);
			ascii_lower_in_place(entry_.model);
			seen_model_ = true;
			break;
		case EntryKey::Pk:
			if (seen_pk_)
				fail_entry("\"pk\" appears twice");
			if (type != FieldValue::Type::Number || !parse_int64(std::string_view(s, n), entry_.pk)) {
				if (type == FieldValue::Type::Number && is_integer_literal(std::string_view(s, n)))
					fail_entry("\"pk\" " + std::string(s, n) + " is out of range for bigint",
					           sqlstate::kNumericValueOutOfRange);
				fail_entry("\"pk\" must be an integer");
			}
			seen_pk_ = true;
			break;
		default:
			fail_entry("\"fields\" must be an object");
		}
	}

	void start_capture(FieldValue::Type type) {
		capturing_ = true;
		raw_depth_ = 0;
		raw_text_.clear();
		if (raw_text_.capacity() >= kLargeString)
			std::string().swap(raw_text_);
		raw_writer_.Reset(raw_output_);
		entry_.fields[entry_.field_count - 1].value.type = type;
	}
	bool capture_open(bool object) {
		++raw_depth_;
		if (object)
			raw_writer_.StartObject();
		else
			raw_writer_.StartArray();
		return true;
	}
	bool capture_close(bool object) {
		if (object)
			raw_writer_.EndObject();
		else
			raw_writer_.EndArray();
		if (--raw_depth_ == 0) {
			capturing_ = false;
			// The captured text becomes the value (moved, not copied); raw_text_ is cleared at the next capture.
			entry_.fields[entry_.field_count - 1].value.text.swap(raw_text_);
		}
		return true;
	}

	const SourceStream &stream_;
	EntryConsumer &consumer_;
	ExportEntry entry_;
	std::size_t index_ = 0;
	int depth_ = 0;
	EntryKey key_ = EntryKey::None;
	std::string key_name_;
	bool seen_model_ = false, seen_pk_ = false, seen_fields_ = false;
	std::string bad_utf8_; // the entry's first string that is not UTF-8, as the error names it
	bool capturing_ = false;
	int raw_depth_ = 0;
	std::string raw_text_; // the JSON text of the value being captured
	StringOutput raw_output_;
	rapidjson::Writer<StringOutput> raw_writer_;
};

} // namespace

void read_export(ByteSource &source, EntryConsumer &consumer, const CheckInterrupts &check) {
	SourceStream stream(source, check);
	Handler handler(stream, consumer);
	rapidjson::Reader reader;
	rapidjson::ParseResult ok = reader.Parse<kParseFlags>(stream, handler);
	// The stream reads a NUL byte as the end of input: a document followed by a NUL and anything
	// else would pass as complete.
	if (ok && !stream.at_end())
		throw ImportError(sqlstate::kInvalidTextRepresentation,
		                  "relocate: malformed JSON at " + handler.position(stream.Tell()) +
		                      ": a NUL byte, which JSON text cannot contain",
		                  "The export must be a complete, valid UTF-8 JSON document.");
	if (!ok) {
		// The parser stopped at the real end of the input, inside the document: it is cut short.
		// (An embedded NUL reads as the end too, but leaves bytes after it; an empty document has
		// its own message.)
		if (ok.Code() != rapidjson::kParseErrorDocumentEmpty && stream.at_end() && ok.Offset() == stream.Tell())
			handler.fail_truncated(ok.Offset());
		if (ok.Code() == rapidjson::kParseErrorNumberTooBig)
			throw ImportError(sqlstate::kNumericValueOutOfRange,
			                  "relocate: number out of range at " + handler.position(ok.Offset()) +
			                      handler.where_in_entry() +
			                      ": it is too large for any column (beyond a double's range, as 1e400)",
			                  "The JSON is well formed, but no Sentry field holds such a number: the export is "
			                  "damaged.");
		std::string what = rapidjson::GetParseError_En(ok.Code());
		if (!what.empty() && what.back() == '.')
			what.pop_back();
		throw ImportError(sqlstate::kInvalidTextRepresentation,
		                  "relocate: malformed JSON at " + handler.position(ok.Offset()) + handler.where_in_entry() +
		                      ": " + what,
		                  "The export must be a complete, valid UTF-8 JSON document.");
	}
}

void read_export(const char *data, std::size_t length, EntryConsumer &consumer) {
	MemorySource source(data, length);
	read_export(source, consumer, {});
}

} // namespace relocate

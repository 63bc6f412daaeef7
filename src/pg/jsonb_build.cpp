#include "core/json.hpp"

#include "pg/jsonb_build.hpp"

#include <cstdint>
#include <vector>

extern "C" {
#include "miscadmin.h" // CHECK_FOR_INTERRUPTS
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"
}

namespace relocate::pg {

namespace {

// Tokens between interrupt checks: a value of millions of them is parsed and built in well under a
// second between two checks.
constexpr std::size_t kInterruptEvery = 1 << 16;

// One event of the parse: a scalar, a key, or the start or end of a container. Strings, keys and
// numbers point into the text parsed in place.
struct JsonToken {
	enum class Kind : std::uint8_t {
		Null,
		False,
		True,
		Number,
		String,
		Key,
		BeginObject,
		EndObject,
		BeginArray,
		EndArray
	};
	Kind kind;
	const char *text;
	std::size_t length;
};

// Records the parse's events, in order. No PostgreSQL call: the tree is built afterwards, under
// pg_guard, from the tokens.
class TokenHandler : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, TokenHandler> {
public:
	explicit TokenHandler(std::vector<JsonToken> &tokens) : tokens_(tokens) {}
	bool Null() { return add(JsonToken::Kind::Null); }
	bool Bool(bool b) { return add(b ? JsonToken::Kind::True : JsonToken::Kind::False); }
	// In place, RapidJSON 1.1.0 hands a number a pointer just past its literal (later versions, the
	// literal's start): the literal is the `n` bytes before `s` unless `s` starts it. What follows a
	// number is never a digit or '-' in valid JSON, and a literal always starts with one.
	bool RawNumber(const char *s, rapidjson::SizeType n, bool) {
		const bool at_start = *s == '-' || (*s >= '0' && *s <= '9');
		return add(JsonToken::Kind::Number, at_start ? s : s - n, n);
	}
	bool String(const char *s, rapidjson::SizeType n, bool) { return add(JsonToken::Kind::String, s, n); }
	bool Key(const char *s, rapidjson::SizeType n, bool) { return add(JsonToken::Kind::Key, s, n); }
	bool StartObject() { return add(JsonToken::Kind::BeginObject); }
	bool EndObject(rapidjson::SizeType) { return add(JsonToken::Kind::EndObject); }
	bool StartArray() { return add(JsonToken::Kind::BeginArray); }
	bool EndArray(rapidjson::SizeType) { return add(JsonToken::Kind::EndArray); }

private:
	// Every kInterruptEvery tokens, the boundary's interrupt check: a cancel request becomes a PgError
	// that unwinds the parse (RapidJSON's frames are C++, no longjmp crosses them).
	bool add(JsonToken::Kind kind, const char *text = nullptr, std::size_t length = 0) {
		tokens_.push_back(JsonToken{kind, text, length});
		if (tokens_.size() % kInterruptEvery == 0)
			check_for_interrupts();
		return true;
	}
	std::vector<JsonToken> &tokens_;
};

// jsonb.c's checkStringLen: a jsonb string (or key) holds at most JENTRY_OFFLENMASK bytes.
void check_string_length(std::size_t length) {
	if (length > JENTRY_OFFLENMASK)
		ereport(ERROR, (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED), errmsg("string too long to represent as jsonb string"),
		                errdetail("Due to an implementation restriction, jsonb strings cannot exceed %d bytes.",
		                          JENTRY_OFFLENMASK)));
}

// jsonb_in's tree, from the tokens: the same pushJsonbValue calls as its callbacks make (jsonb.c's
// jsonb_in_object_start, jsonb_in_object_field_start, jsonb_in_scalar, ...). Called under pg_guard.
JsonbValue *jsonb_tree(const std::vector<JsonToken> &tokens) {
	JsonbParseState *state = nullptr;
	JsonbValue *result = nullptr;
	for (std::size_t i = 0; i < tokens.size(); ++i) {
		const JsonToken &t = tokens[i];
		if (i % kInterruptEvery == kInterruptEvery - 1)
			CHECK_FOR_INTERRUPTS();
		JsonbValue v;
		switch (t.kind) {
		case JsonToken::Kind::BeginObject:
			result = pushJsonbValue(&state, WJB_BEGIN_OBJECT, nullptr);
			continue;
		case JsonToken::Kind::EndObject:
			result = pushJsonbValue(&state, WJB_END_OBJECT, nullptr);
			continue;
		case JsonToken::Kind::BeginArray:
			result = pushJsonbValue(&state, WJB_BEGIN_ARRAY, nullptr);
			continue;
		case JsonToken::Kind::EndArray:
			result = pushJsonbValue(&state, WJB_END_ARRAY, nullptr);
			continue;
		case JsonToken::Kind::Key:
			check_string_length(t.length);
			v.type = jbvString;
			v.val.string.len = static_cast<int>(t.length);
			v.val.string.val = const_cast<char *>(t.text);
			result = pushJsonbValue(&state, WJB_KEY, &v);
			continue;
		case JsonToken::Kind::Null:
			v.type = jbvNull;
			break;
		case JsonToken::Kind::False:
		case JsonToken::Kind::True:
			v.type = jbvBool;
			v.val.boolean = t.kind == JsonToken::Kind::True;
			break;
		case JsonToken::Kind::String:
			check_string_length(t.length);
			v.type = jbvString;
			v.val.string.len = static_cast<int>(t.length);
			v.val.string.val = const_cast<char *>(t.text);
			break;
		case JsonToken::Kind::Number:
			v.type = jbvNumeric;
			v.val.numeric = DatumGetNumeric(DirectFunctionCall3(numeric_in, CStringGetDatum(pnstrdup(t.text, t.length)),
			                                                    ObjectIdGetDatum(InvalidOid), Int32GetDatum(-1)));
			break;
		}
		if (state == nullptr) {
			// A scalar alone: a raw scalar array of one element, as jsonb_in_scalar makes it.
			JsonbValue array;
			array.type = jbvArray;
			array.val.array.rawScalar = true;
			array.val.array.nElems = 1;
			pushJsonbValue(&state, WJB_BEGIN_ARRAY, &array);
			pushJsonbValue(&state, WJB_ELEM, &v);
			result = pushJsonbValue(&state, WJB_END_ARRAY, nullptr);
		} else {
			result = pushJsonbValue(&state, state->contVal.type == jbvArray ? WJB_ELEM : WJB_VALUE, &v);
		}
	}
	return result;
}

} // namespace

Datum jsonb_from_json(std::string &json, MemoryContext into, void (*context)(void *), void *arg) {
	Datum result = 0;
	ErrorContextCallback callback;
	callback.callback = context;
	callback.arg = arg;
	auto push_context = [&] {
		if (context == nullptr)
			return;
		callback.previous = error_context_stack;
		error_context_stack = &callback;
	};
	if (json.find("\\u0000") != std::string::npos) {
		// jsonb refuses it: its own error, from its own input function (pg_guard restores the stack).
		pg_guard([&] {
			push_context();
			MemoryContext old = MemoryContextSwitchTo(into);
			result = DirectFunctionCall1(jsonb_in, CStringGetDatum(json.c_str()));
			MemoryContextSwitchTo(old);
		});
		return result;
	}
	std::vector<JsonToken> tokens;
	rapidjson::InsituStringStream stream(json.data());
	TokenHandler handler(tokens);
	rapidjson::Reader reader;
	constexpr unsigned kFlags = rapidjson::kParseInsituFlag | rapidjson::kParseValidateEncodingFlag |
	                            rapidjson::kParseNumbersAsStringsFlag | rapidjson::kParseIterativeFlag;
	const rapidjson::ParseResult parsed = reader.Parse<kFlags>(stream, handler);
	pg_guard([&] {
		push_context();
		if (parsed.IsError())
			ereport(ERROR,
			        (errcode(ERRCODE_INVALID_TEXT_REPRESENTATION), errmsg("invalid input syntax for type json"),
			         errdetail("%s (byte offset %zu).", rapidjson::GetParseError_En(parsed.Code()), parsed.Offset())));
		// The tree (pairs, numerics, the parse state) in a context of its own, dropped once the
		// jsonb is built; its strings point into `json`.
		MemoryContext tree = AllocSetContextCreate(into, "relocate jsonb tree", ALLOCSET_DEFAULT_SIZES);
		MemoryContext old = MemoryContextSwitchTo(tree);
		JsonbValue *value = jsonb_tree(tokens);
		MemoryContextSwitchTo(into);
		result = PointerGetDatum(JsonbValueToJsonb(value));
		MemoryContextSwitchTo(old);
		MemoryContextDelete(tree);
	});
	return result;
}

} // namespace relocate::pg

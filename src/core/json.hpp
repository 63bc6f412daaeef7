// The only way this project includes RapidJSON.
//
// RapidJSON's default RAPIDJSON_ASSERT is assert(): inside a PostgreSQL backend a failed assertion
// aborts the process, and the postmaster then restarts the whole cluster, dropping every session.
// Here a violated RapidJSON precondition throws JsonAssertion instead, which reaches the user as an
// ordinary ERROR. RapidJSON 1.1.0 also asserts inside functions it marks noexcept, so noexcept is
// switched off for it. Every translation unit must see the same definitions (one-definition rule):
// never include <rapidjson/...> directly.
//
// PostgreSQL-free.
#pragma once

#include <cstddef>
#include <stdexcept>
#include <string>

namespace relocate {
struct JsonAssertion : std::logic_error {
	using std::logic_error::logic_error;
};
} // namespace relocate

#ifdef RAPIDJSON_ASSERT
#error "include src/core/json.hpp before any other RapidJSON header"
#endif
#define RAPIDJSON_ASSERT(x)                                                                                            \
	do {                                                                                                               \
		if (!(x))                                                                                                      \
			throw ::relocate::JsonAssertion("RapidJSON assertion failed: " #x);                                        \
	} while (0)
#define RAPIDJSON_HAS_CXX11_NOEXCEPT 0
#define RAPIDJSON_HAS_STDSTRING 1

#include <rapidjson/error/en.h>
#include <rapidjson/memorystream.h>
#include <rapidjson/reader.h>
#include <rapidjson/stringbuffer.h>
#include <rapidjson/writer.h>

namespace relocate {

// A RapidJSON output stream that appends to a std::string, so that a Writer's output is the string
// the caller keeps (moved on, never copied out of a StringBuffer, which also reserves six times a
// string's length before writing it).
class StringOutput {
public:
	typedef char Ch;
	explicit StringOutput(std::string &out) : out_(&out) {}
	void Put(Ch c) { out_->push_back(c); }
	void Flush() {}
	std::string &string() { return *out_; }

private:
	std::string *out_;
};

} // namespace relocate

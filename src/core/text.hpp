// Small text helpers the whole core shares: ASCII case folding, UTF-8 character counts, and
// PostgreSQL's text-array literal syntax (written and read in one place).
//
// PostgreSQL-free.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace relocate {

// `s` with A-Z folded to a-z; every other byte unchanged.
std::string ascii_lower(std::string_view s);
void ascii_lower_in_place(std::string &s);

// Characters (code points) of UTF-8 text: bytes that are not continuation bytes.
std::size_t utf8_length(std::string_view s);

// The last `n` characters of UTF-8 text, as Python's s[-n:].
std::string last_characters(std::string_view s, std::size_t n);

// The byte offset of the first sequence of `s` that is not a character of UTF-8 as PostgreSQL's
// UTF8 encoding accepts it (a UTF-16 surrogate U+D800..U+DFFF, anything above U+10FFFF, an overlong
// form, a stray or missing continuation byte), or npos when all of `s` is valid.
std::size_t invalid_utf8_at(std::string_view s);
// What is wrong at that offset, for a message: "\\udc00, a lone UTF-16 surrogate, which is not a
// character" or "the bytes \\xc3 \\x28, which are not UTF-8". Pure ASCII.
std::string describe_invalid_utf8(std::string_view s, std::size_t at);

// The longest prefix of `s` of at most `max_bytes` bytes that does not end inside a UTF-8 character.
std::string_view utf8_prefix(std::string_view s, std::size_t max_bytes);

// `bytes` as a message shows them: printable ASCII as is, quotes and backslashes escaped, anything
// else as \xNN.
std::string escaped_bytes(std::string_view bytes);

// The elements of a one-dimensional text array; nullopt is SQL NULL.
using TextArray = std::vector<std::optional<std::string>>;

// A PostgreSQL array literal with every element double-quoted (NULL unquoted): {"a","b\"c",NULL}.
std::string pg_text_array_literal(const TextArray &elements);

// Parses a one-dimensional PostgreSQL array literal of text ({a,"b c",NULL}; an unquoted NULL is a
// NULL element) into `out`. False for anything else: dimension decorations, nested arrays, bad
// syntax.
bool parse_pg_text_array(std::string_view literal, TextArray &out);

} // namespace relocate

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

// The elements of a one-dimensional text array; nullopt is SQL NULL.
using TextArray = std::vector<std::optional<std::string>>;

// A PostgreSQL array literal with every element double-quoted (NULL unquoted): {"a","b\"c",NULL}.
std::string pg_text_array_literal(const TextArray &elements);

// Parses a one-dimensional PostgreSQL array literal of text ({a,"b c",NULL}; an unquoted NULL is a
// NULL element) into `out`. False for anything else: dimension decorations, nested arrays, bad
// syntax.
bool parse_pg_text_array(std::string_view literal, TextArray &out);

} // namespace relocate

// Numbers, sizes, durations and tables as relocate-import prints them.
//
// libpq-free and PostgreSQL-free (unit-tested in test/cli/).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace relocate::cli {

std::string format_count(std::int64_t n);   // 1234567 -> "1,234,567"
std::string format_bytes(std::uint64_t n);  // 1536 -> "1.5 KiB"; below 1 KiB: "512 B"
std::string format_elapsed(double seconds); // 62.4 -> "1:02"; 3723 -> "1:02:03"
std::string format_rate(double per_second); // 3210.4 -> "3,210"

// A text table as psql's aligned format: a header, a rule, the rows; columns whose every cell is a
// number are right-aligned.
class TextTable {
public:
	explicit TextTable(std::vector<std::string> headers) : headers_(std::move(headers)) {}
	void add_row(std::vector<std::string> cells) { rows_.push_back(std::move(cells)); }
	std::string render() const;
	bool empty() const { return rows_.empty(); }

private:
	std::vector<std::string> headers_;
	std::vector<std::vector<std::string>> rows_;
};

// The characters `text` takes on a terminal (UTF-8 code points).
std::size_t display_width(const std::string &text);

// `text` cut to at most `width` characters (at a UTF-8 character boundary).
std::string fit_width(const std::string &text, std::size_t width);

} // namespace relocate::cli

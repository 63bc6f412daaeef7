#include "cli/format.hpp"

#include <cmath>
#include <cstdio>

#include "core/text.hpp"

namespace relocate::cli {

std::string format_count(std::int64_t n) {
	const bool negative = n < 0;
	std::string digits = std::to_string(negative ? -(n + 1) + 1ULL : static_cast<unsigned long long>(n));
	std::string out;
	for (std::size_t i = 0; i < digits.size(); ++i) {
		if (i > 0 && (digits.size() - i) % 3 == 0)
			out += ',';
		out += digits[i];
	}
	return negative ? "-" + out : out;
}

std::string format_bytes(std::uint64_t n) {
	if (n < 1024)
		return std::to_string(n) + " B";
	const char *units[] = {"KiB", "MiB", "GiB", "TiB"};
	double value = static_cast<double>(n) / 1024.0;
	std::size_t unit = 0;
	while (value >= 1024.0 && unit + 1 < sizeof units / sizeof units[0]) {
		value /= 1024.0;
		++unit;
	}
	char buf[32];
	std::snprintf(buf, sizeof buf, value < 10.0 ? "%.1f %s" : "%.0f %s", value, units[unit]);
	return buf;
}

std::string format_elapsed(double seconds) {
	const long total = seconds <= 0 ? 0 : static_cast<long>(seconds);
	char buf[32];
	if (total >= 3600)
		std::snprintf(buf, sizeof buf, "%ld:%02ld:%02ld", total / 3600, total / 60 % 60, total % 60);
	else
		std::snprintf(buf, sizeof buf, "%ld:%02ld", total / 60, total % 60);
	return buf;
}

std::string format_rate(double per_second) {
	if (!(per_second > 0) || !std::isfinite(per_second))
		return "0";
	return format_count(static_cast<std::int64_t>(std::llround(per_second)));
}

std::size_t display_width(const std::string &text) {
	return utf8_length(text);
}

std::string fit_width(const std::string &text, std::size_t width) {
	std::size_t chars = 0;
	for (std::size_t i = 0; i < text.size(); ++i) {
		if ((static_cast<unsigned char>(text[i]) & 0xC0) == 0x80)
			continue;
		if (chars == width)
			return text.substr(0, i);
		++chars;
	}
	return text;
}

namespace {

bool is_number(const std::string &cell) {
	if (cell.empty())
		return false;
	for (char c : cell)
		if (!((c >= '0' && c <= '9') || c == ',' || c == '-' || c == '.'))
			return false;
	return true;
}

std::string pad(const std::string &cell, std::size_t width, bool right) {
	const std::size_t w = display_width(cell);
	const std::string fill(w < width ? width - w : 0, ' ');
	return right ? fill + cell : cell + fill;
}

} // namespace

std::string TextTable::render() const {
	const std::size_t columns = headers_.size();
	std::vector<std::size_t> width(columns);
	std::vector<bool> numeric(columns, !rows_.empty());
	for (std::size_t c = 0; c < columns; ++c)
		width[c] = display_width(headers_[c]);
	for (const auto &row : rows_)
		for (std::size_t c = 0; c < columns && c < row.size(); ++c) {
			width[c] = std::max(width[c], display_width(row[c]));
			numeric[c] = numeric[c] && (is_number(row[c]) || row[c].empty());
		}
	auto line = [&](const std::vector<std::string> &cells, bool header) {
		std::string out;
		for (std::size_t c = 0; c < columns; ++c) {
			const std::string cell = c < cells.size() ? cells[c] : std::string();
			out += (c ? " | " : " ") + pad(cell, width[c], !header && numeric[c]);
		}
		while (!out.empty() && out.back() == ' ')
			out.pop_back();
		return out + "\n";
	};
	std::string out = line(headers_, true);
	for (std::size_t c = 0; c < columns; ++c)
		out += (c ? "-+-" : "-") + std::string(width[c], '-');
	out += "-\n";
	for (const auto &row : rows_)
		out += line(row, false);
	return out;
}

} // namespace relocate::cli

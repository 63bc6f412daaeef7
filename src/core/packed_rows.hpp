// Rows of text values held for a while (the derived rows a later model of the export may replace):
// packed into one buffer instead of a vector of TextArray.
//
// A TextArray costs 40 bytes per value (a std::optional<std::string>) plus a heap block for every
// value longer than 15 bytes, and 24 bytes per row for the vector; a new user's held-back
// UserEmail and Email rows came to about 400 bytes per user that way (40 MB at 92,580 users, the
// import's largest transient at 1,000,000 entries). Packed, a row costs its values' bytes plus 8
// per value.
//
// PostgreSQL-free.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include "core/text.hpp"

namespace relocate {

class PackedRows {
public:
	explicit PackedRows(std::size_t columns = 0) : columns_(columns) {}

	std::size_t columns() const { return columns_; }
	std::size_t size() const { return columns_ == 0 ? rows_ : ends_.size() / columns_; }
	bool empty() const { return size() == 0; }

	// Appends a row; it must have columns() values (std::invalid_argument otherwise).
	void push_back(const TextArray &row);
	// Row r as a TextArray.
	TextArray row(std::size_t r) const;
	// The bytes held (values and offsets), for the memory figures.
	std::size_t bytes() const { return bytes_.capacity() + ends_.capacity() * sizeof(std::uint64_t); }

private:
	static constexpr std::uint64_t kNull = std::uint64_t{1} << 63; // set in the end of a NULL value

	std::size_t columns_;
	std::size_t rows_ = 0; // only for rows of no columns
	std::string bytes_;
	std::vector<std::uint64_t> ends_; // per value: where it ends in bytes_, kNull set for NULL
};

} // namespace relocate

// Rows of text values held for a while (the derived rows a later model of the export may replace):
// packed into one buffer instead of a vector of TextArray, and an index of them by key.
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
#include <functional>
#include <optional>
#include <string>
#include <string_view>
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
	// Value c of row r, without a copy (valid until the next push_back); nullopt for NULL.
	std::optional<std::string_view> value(std::size_t r, std::size_t c) const;
	// The bytes held (values and offsets), for the memory figures.
	std::size_t bytes() const { return bytes_.capacity() + ends_.capacity() * sizeof(std::uint64_t); }

private:
	static constexpr std::uint64_t kNull = std::uint64_t{1} << 63; // set in the end of a NULL value

	std::size_t columns_;
	std::size_t rows_ = 0; // only for rows of no columns
	std::string bytes_;
	std::vector<std::uint64_t> ends_; // per value: where it ends in bytes_, kNull set for NULL
};

// Row numbers by a key the caller computes from the row (key_of): open addressing over 8-byte
// slots (the row and 32 bits of its key's hash), at most half full, so 16 to 32 bytes per row where
// an unordered_map<std::string, std::size_t> cost ~90. The keys are not stored: key_of(row) is
// computed only for a slot whose hash matches the probe's.
class RowKeyIndex {
public:
	using KeyOf = std::function<std::string(std::uint32_t row)>;

	// Adds `row` under `key`, unless a row with an equal key is there; returns the row now under
	// the key (`row`, or the one found).
	std::uint32_t insert(const std::string &key, std::uint32_t row, const KeyOf &key_of);
	// The row under `key`, or nothing.
	std::optional<std::uint32_t> find(const std::string &key, const KeyOf &key_of) const;
	std::size_t size() const { return count_; }
	std::size_t bytes() const { return slots_.capacity() * sizeof(Slot); }

private:
	struct Slot {
		std::uint32_t row = 0; // row + 1; 0 is an empty slot
		std::uint32_t hash = 0;
	};
	static std::uint32_t hash_of(const std::string &key);
	// The slot of `key`: the one holding it, or the empty one where it would go.
	std::size_t slot_of(const std::string &key, std::uint32_t hash, const KeyOf &key_of) const;
	void grow();

	std::vector<Slot> slots_;
	std::size_t count_ = 0;
};

} // namespace relocate

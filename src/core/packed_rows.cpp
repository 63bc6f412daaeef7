#include "core/packed_rows.hpp"

#include <stdexcept>

namespace relocate {

void PackedRows::push_back(const TextArray &row) {
	if (row.size() != columns_)
		throw std::invalid_argument("PackedRows: a row of " + std::to_string(row.size()) + " values, not " +
		                            std::to_string(columns_));
	if (columns_ == 0)
		++rows_;
	for (const std::optional<std::string> &value : row) {
		if (value)
			bytes_.append(*value);
		ends_.push_back(static_cast<std::uint64_t>(bytes_.size()) | (value ? 0 : kNull));
	}
}

TextArray PackedRows::row(std::size_t r) const {
	TextArray out;
	out.reserve(columns_);
	const std::size_t first = r * columns_;
	std::uint64_t begin = first == 0 ? 0 : ends_[first - 1] & ~kNull;
	for (std::size_t c = 0; c < columns_; ++c) {
		const std::uint64_t end = ends_[first + c];
		if (end & kNull) {
			out.emplace_back(std::nullopt);
			continue;
		}
		out.emplace_back(bytes_.substr(begin, end - begin));
		begin = end;
	}
	return out;
}

std::optional<std::string_view> PackedRows::value(std::size_t r, std::size_t c) const {
	const std::size_t i = r * columns_ + c;
	const std::uint64_t end = ends_[i];
	if (end & kNull)
		return std::nullopt;
	const std::uint64_t begin = i == 0 ? 0 : ends_[i - 1] & ~kNull;
	return std::string_view(bytes_).substr(begin, end - begin);
}

std::uint32_t RowKeyIndex::hash_of(const std::string &key) {
	const std::size_t h = std::hash<std::string>{}(key);
	return static_cast<std::uint32_t>(h ^ (h >> 32));
}

std::size_t RowKeyIndex::slot_of(const std::string &key, std::uint32_t hash, const KeyOf &key_of) const {
	const std::size_t mask = slots_.size() - 1; // a power of two
	for (std::size_t i = hash & mask;; i = (i + 1) & mask) {
		const Slot &s = slots_[i];
		if (s.row == 0 || (s.hash == hash && key_of(s.row - 1) == key))
			return i;
	}
}

void RowKeyIndex::grow() {
	std::vector<Slot> old = std::move(slots_);
	slots_.assign(old.empty() ? 64 : 2 * old.size(), Slot{});
	const std::size_t mask = slots_.size() - 1;
	for (const Slot &s : old) {
		if (s.row == 0)
			continue;
		std::size_t i = s.hash & mask;
		while (slots_[i].row != 0)
			i = (i + 1) & mask;
		slots_[i] = s;
	}
}

std::uint32_t RowKeyIndex::insert(const std::string &key, std::uint32_t row, const KeyOf &key_of) {
	if (2 * (count_ + 1) > slots_.size())
		grow();
	const std::uint32_t hash = hash_of(key);
	Slot &s = slots_[slot_of(key, hash, key_of)];
	if (s.row != 0)
		return s.row - 1;
	s = Slot{row + 1, hash};
	++count_;
	return row;
}

std::optional<std::uint32_t> RowKeyIndex::find(const std::string &key, const KeyOf &key_of) const {
	if (slots_.empty())
		return std::nullopt;
	const Slot &s = slots_[slot_of(key, hash_of(key), key_of)];
	if (s.row == 0)
		return std::nullopt;
	return s.row - 1;
}

} // namespace relocate

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

std::size_t RowKeyIndex::slot_of(const std::string &key, const KeyOf &key_of) const {
	const std::size_t mask = slots_.size() - 1; // a power of two
	for (std::size_t i = std::hash<std::string>{}(key)&mask;; i = (i + 1) & mask)
		if (slots_[i] == 0 || key_of(slots_[i] - 1) == key)
			return i;
}

void RowKeyIndex::grow(const KeyOf &key_of) {
	std::vector<std::uint32_t> old = std::move(slots_);
	slots_.assign(old.empty() ? 64 : 2 * old.size(), 0);
	const std::size_t mask = slots_.size() - 1;
	for (std::uint32_t s : old) {
		if (s == 0)
			continue;
		std::size_t i = std::hash<std::string>{}(key_of(s - 1)) & mask;
		while (slots_[i] != 0)
			i = (i + 1) & mask;
		slots_[i] = s;
	}
}

std::uint32_t RowKeyIndex::insert(const std::string &key, std::uint32_t row, const KeyOf &key_of) {
	if (2 * (count_ + 1) > slots_.size())
		grow(key_of);
	const std::size_t i = slot_of(key, key_of);
	if (slots_[i] != 0)
		return slots_[i] - 1;
	slots_[i] = row + 1;
	++count_;
	return row;
}

std::optional<std::uint32_t> RowKeyIndex::find(const std::string &key, const KeyOf &key_of) const {
	if (slots_.empty())
		return std::nullopt;
	const std::size_t i = slot_of(key, key_of);
	if (slots_[i] == 0)
		return std::nullopt;
	return slots_[i] - 1;
}

} // namespace relocate

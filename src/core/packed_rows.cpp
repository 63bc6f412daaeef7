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

} // namespace relocate

#include "core/copy_text.hpp"

namespace relocate {

namespace {

// Appends `value` escaped for COPY's text format; false if it holds a NUL byte.
bool append_escaped(std::string &out, const std::string &value) {
	const char *p = value.data();
	const char *const end = p + value.size();
	while (p < end) {
		// The run of bytes that need no escape, copied at once.
		const char *q = p;
		while (q < end && *q != '\\' && *q != '\t' && *q != '\n' && *q != '\r' && *q != '\0')
			++q;
		out.append(p, static_cast<std::size_t>(q - p));
		if (q == end)
			break;
		switch (*q) {
		case '\\':
			out += "\\\\";
			break;
		case '\t':
			out += "\\t";
			break;
		case '\n':
			out += "\\n";
			break;
		case '\r':
			out += "\\r";
			break;
		default: // NUL
			return false;
		}
		p = q + 1;
	}
	return true;
}

} // namespace

bool copy_text(const RowBatch &batch, std::string &out) {
	out.clear();
	// The values, a separator or line end after each, and ids of up to 20 digits: escapes aside,
	// the text fits in this.
	out.reserve(batch.bytes + batch.rows() * (batch.width() * 3 + 22));
	for (std::size_t r = 0; r < batch.rows(); ++r) {
		out += std::to_string(batch.ids[r]);
		for (std::size_t k = 0; k < batch.width(); ++k) {
			out += '\t';
			if (batch.is_null(r, k))
				out += "\\N";
			else if (!append_escaped(out, batch.cell(r, k)))
				return false;
		}
		out += '\n';
	}
	return true;
}

} // namespace relocate

#include "core/text.hpp"

namespace relocate {

void ascii_lower_in_place(std::string &s) {
	for (char &c : s)
		if (c >= 'A' && c <= 'Z')
			c = static_cast<char>(c - 'A' + 'a');
}

std::string ascii_lower(std::string_view s) {
	std::string out(s);
	ascii_lower_in_place(out);
	return out;
}

std::size_t utf8_length(std::string_view s) {
	std::size_t n = 0;
	for (unsigned char c : s)
		n += (c & 0xC0) != 0x80;
	return n;
}

std::string last_characters(std::string_view s, std::size_t n) {
	std::size_t i = s.size();
	for (std::size_t count = 0; i > 0 && count < n; ++count) {
		--i;
		while (i > 0 && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80)
			--i;
	}
	return std::string(s.substr(i));
}

std::string pg_text_array_literal(const TextArray &elements) {
	std::string out = "{";
	for (std::size_t k = 0; k < elements.size(); ++k) {
		if (k)
			out += ',';
		if (!elements[k]) {
			out += "NULL";
			continue;
		}
		out += '"';
		for (char c : *elements[k]) {
			if (c == '"' || c == '\\')
				out += '\\';
			out += c;
		}
		out += '"';
	}
	out += '}';
	return out;
}

namespace {

bool array_space(char c) {
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

// Reads the literal one element at a time (PostgreSQL's array_in rules for one dimension).
class ArrayLiteralReader {
public:
	explicit ArrayLiteralReader(std::string_view s) : s_(s) {}

	bool read(TextArray &out) {
		skip_space();
		if (!take('{'))
			return false;
		skip_space();
		if (!take('}')) {
			do {
				skip_space();
				if (at_end() || peek() == '{')
					return false;
				if (!(peek() == '"' ? quoted(out) : unquoted(out)))
					return false;
			} while (take(','));
			if (!take('}'))
				return false;
		}
		skip_space();
		return at_end();
	}

private:
	bool at_end() const { return i_ >= s_.size(); }
	char peek() const { return s_[i_]; }
	bool take(char c) {
		if (at_end() || s_[i_] != c)
			return false;
		++i_;
		return true;
	}
	void skip_space() {
		while (!at_end() && array_space(s_[i_]))
			++i_;
	}

	bool quoted(TextArray &out) {
		++i_; // the opening quote
		std::string e;
		for (;;) {
			if (at_end())
				return false;
			char c = s_[i_++];
			if (c == '"')
				break;
			if (c == '\\') {
				if (at_end())
					return false;
				c = s_[i_++];
			}
			e += c;
		}
		out.emplace_back(std::move(e));
		skip_space();
		return !at_end();
	}

	// Up to the next delimiter; trailing unescaped white space is not part of the element.
	bool unquoted(TextArray &out) {
		std::string e;
		std::size_t keep = 0;
		bool escaped = false;
		while (!at_end() && peek() != ',' && peek() != '}') {
			char c = s_[i_++];
			if (c == '"' || c == '{')
				return false;
			if (c == '\\') {
				if (at_end())
					return false;
				e += s_[i_++];
				escaped = true;
				keep = e.size();
			} else {
				e += c;
				if (!array_space(c))
					keep = e.size();
			}
		}
		e.resize(keep);
		if (e.empty() || at_end())
			return false;
		if (!escaped && ascii_lower(e) == "null")
			out.emplace_back(std::nullopt);
		else
			out.emplace_back(std::move(e));
		return true;
	}

	std::string_view s_;
	std::size_t i_ = 0;
};

} // namespace

bool parse_pg_text_array(std::string_view literal, TextArray &out) {
	return ArrayLiteralReader(literal).read(out);
}

} // namespace relocate

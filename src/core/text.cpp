#include "core/text.hpp"

#include <cstdio>

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

namespace {

// The length of the valid UTF-8 sequence at s[i], or 0 if there is none (RFC 3629, Table 3-7 of the
// Unicode standard: the second byte's range depends on the first).
std::size_t utf8_sequence_length(std::string_view s, std::size_t i) {
	const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
	const unsigned char c = byte(i);
	std::size_t n;
	unsigned char lo = 0x80, hi = 0xBF;
	if (c < 0x80)
		return 1;
	if (c >= 0xC2 && c <= 0xDF) {
		n = 2;
	} else if (c >= 0xE0 && c <= 0xEF) {
		n = 3;
		if (c == 0xE0)
			lo = 0xA0; // no overlong forms
		else if (c == 0xED)
			hi = 0x9F; // no surrogates
	} else if (c >= 0xF0 && c <= 0xF4) {
		n = 4;
		if (c == 0xF0)
			lo = 0x90;
		else if (c == 0xF4)
			hi = 0x8F; // nothing above U+10FFFF
	} else {
		return 0;
	}
	if (i + n > s.size() || byte(i + 1) < lo || byte(i + 1) > hi)
		return 0;
	for (std::size_t k = 2; k < n; ++k)
		if ((byte(i + k) & 0xC0) != 0x80)
			return 0;
	return n;
}

} // namespace

std::size_t invalid_utf8_at(std::string_view s) {
	std::size_t i = 0;
	while (i < s.size()) {
		if (static_cast<unsigned char>(s[i]) < 0x80) {
			++i;
			continue;
		}
		const std::size_t n = utf8_sequence_length(s, i);
		if (n == 0)
			return i;
		i += n;
	}
	return std::string_view::npos;
}

std::string describe_invalid_utf8(std::string_view s, std::size_t at) {
	const auto byte = [&](std::size_t k) { return static_cast<unsigned char>(s[k]); };
	char buf[64];
	// A surrogate as RapidJSON writes one for a \uXXXX escape without its pair: ED A0..BF 80..BF.
	if (at + 2 < s.size() && byte(at) == 0xED && byte(at + 1) >= 0xA0 && byte(at + 1) <= 0xBF &&
	    (byte(at + 2) & 0xC0) == 0x80) {
		const unsigned cp = ((byte(at) & 0x0Fu) << 12) | ((byte(at + 1) & 0x3Fu) << 6) | (byte(at + 2) & 0x3Fu);
		std::snprintf(buf, sizeof buf, "\\u%04x, a lone UTF-16 surrogate, which is not a character", cp);
		return buf;
	}
	std::string out = "the bytes";
	for (std::size_t k = at; k < s.size() && k < at + 4; ++k) {
		std::snprintf(buf, sizeof buf, " \\x%02x", byte(k));
		out += buf;
		if (k > at && (byte(k) & 0xC0) != 0x80)
			break;
	}
	return out + ", which are not UTF-8";
}

std::string_view utf8_prefix(std::string_view s, std::size_t max_bytes) {
	if (s.size() <= max_bytes)
		return s;
	// s[max_bytes] is the first byte left out: if it continues a character, that character starts
	// at `lead` and is left out whole (a sequence that is invalid anyway is cut where the limit is).
	std::size_t lead = max_bytes;
	while (lead > 0 && (static_cast<unsigned char>(s[lead]) & 0xC0) == 0x80)
		--lead;
	if (lead < max_bytes && lead + utf8_sequence_length(s, lead) > max_bytes)
		return s.substr(0, lead);
	return s.substr(0, max_bytes);
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

std::string escaped_bytes(std::string_view bytes) {
	std::string out;
	for (const char ch : bytes) {
		const unsigned char c = static_cast<unsigned char>(ch);
		if (c == '"' || c == '\\') {
			out += '\\';
			out += ch;
		} else if (c < 0x20 || c >= 0x7f) {
			char hex[5];
			std::snprintf(hex, sizeof hex, "\\x%02x", c);
			out += hex;
		} else {
			out += ch;
		}
	}
	return out;
}

} // namespace relocate

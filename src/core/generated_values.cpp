// Sentry's generated values (docs/sentry/import-spec.md appendix B and §6): random
// strings, collision suffixes, organization slugs, Django password hashes, tokens, the scope
// hierarchy. Cryptography, randomness and base64 are OpenSSL's (Rule.data is rule_data.cpp's).
#include "core/generated_values.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>
#include <unistd.h>

#include <algorithm>
#include <charconv>
#include <climits>
#include <iterator>
#include <cmath>
#include <cstring>
#include <system_error>
#include <utility>

#include "core/error.hpp"
#include "core/sentry_lists.hpp"

namespace relocate {

namespace {

constexpr char kHexDigits[] = "0123456789abcdef";

// Django's RANDOM_STRING_CHARS (django/utils/crypto.py).
constexpr std::string_view kAlnum = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
// The alphabet of unique_db_instance's suffixes (appendix B): 36 characters, no '8', '0' twice (so '0' is
// twice as likely as any other character, as in Sentry).
constexpr std::string_view kSuffixAlphabet = "abcdefghijklmnopqrstuvwxyz0123456790";

[[noreturn]] void throw_openssl(const char *what) {
	throw ImportError(sqlstate::kInternalError, std::string("relocate: ") + what);
}

// `length` characters drawn uniformly (like Python's secrets.choice) from `alphabet` (at most 256
// characters): bytes at or above the largest multiple of the alphabet size are rejected, so every
// index is equally likely.
std::string random_from(std::string_view alphabet, std::size_t length) {
	const unsigned n = static_cast<unsigned>(alphabet.size());
	const unsigned limit = 256 - 256 % n;
	std::string out;
	out.reserve(length);
	unsigned char buf[64];
	while (out.size() < length) {
		random_bytes(buf, sizeof buf);
		for (unsigned char b : buf) {
			if (b >= limit)
				continue;
			out.push_back(alphabet[b % n]);
			if (out.size() == length)
				break;
		}
	}
	OPENSSL_cleanse(buf, sizeof buf);
	return out;
}

// An index below `n` (at most 2^16), uniform like Python's random.choice: 16-bit draws at or above the
// largest multiple of `n` are rejected.
std::size_t random_index(std::size_t n) {
	const unsigned limit = 65536 - 65536 % static_cast<unsigned>(n);
	for (;;) {
		unsigned char b[2];
		random_bytes(b, sizeof b);
		const unsigned v = (static_cast<unsigned>(b[0]) << 8) | b[1];
		if (v < limit)
			return v % n;
	}
}

std::string to_hex(const unsigned char *p, std::size_t n) {
	std::string out(2 * n, '\0');
	for (std::size_t i = 0; i < n; ++i) {
		out[2 * i] = kHexDigits[p[i] >> 4];
		out[2 * i + 1] = kHexDigits[p[i] & 0x0f];
	}
	return out;
}

// Standard base64 with '=' padding (Python's base64.b64encode), by OpenSSL.
std::string base64(const unsigned char *p, std::size_t n) {
	if (n > static_cast<std::size_t>(INT_MAX) / 4 * 3 - 3)
		throw ImportError(sqlstate::kProgramLimitExceeded, "relocate: value too large to base64-encode");
	std::string out(4 * ((n + 2) / 3) + 1, '\0');
	const int len = EVP_EncodeBlock(reinterpret_cast<unsigned char *>(out.data()), p, static_cast<int>(n));
	out.resize(static_cast<std::size_t>(len));
	return out;
}

std::string digest_hex(std::string_view data, const EVP_MD *md, const char *name) {
	unsigned char out[EVP_MAX_MD_SIZE];
	unsigned int len = 0;
	if (md == nullptr || EVP_Digest(data.data(), data.size(), out, &len, md, nullptr) != 1)
		throw_openssl(name);
	return to_hex(out, len);
}

// --- UTF-8 -----------------------------------------------------------------------------------------

constexpr char32_t kInvalid = 0xFFFFFFFF;

// Decodes the code point at s[i] and advances i; kInvalid (advancing one byte) for a malformed,
// overlong or surrogate sequence. Input from PostgreSQL is valid UTF-8; this only keeps bad input harmless.
char32_t next_code_point(std::string_view s, std::size_t &i) {
	const auto b0 = static_cast<unsigned char>(s[i]);
	if (b0 < 0x80) {
		++i;
		return b0;
	}
	std::size_t len;
	char32_t cp;
	char32_t min;
	if ((b0 & 0xE0) == 0xC0) {
		len = 2, cp = b0 & 0x1F, min = 0x80;
	} else if ((b0 & 0xF0) == 0xE0) {
		len = 3, cp = b0 & 0x0F, min = 0x800;
	} else if ((b0 & 0xF8) == 0xF0) {
		len = 4, cp = b0 & 0x07, min = 0x10000;
	} else {
		++i;
		return kInvalid;
	}
	if (s.size() - i < len) {
		++i;
		return kInvalid;
	}
	for (std::size_t k = 1; k < len; ++k) {
		const auto b = static_cast<unsigned char>(s[i + k]);
		if ((b & 0xC0) != 0x80) {
			++i;
			return kInvalid;
		}
		cp = (cp << 6) | (b & 0x3F);
	}
	if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) {
		++i;
		return kInvalid;
	}
	i += len;
	return cp;
}

// Python's str.isspace() (the characters str.strip() removes by default): Unicode White_Space plus
// the ASCII separators U+001C..U+001F, as listed by CPython 3.11's `[c for c in ... if chr(c).isspace()]`.
bool python_isspace(char32_t c) {
	return (c >= 0x09 && c <= 0x0D) || (c >= 0x1C && c <= 0x20) || c == 0x85 || c == 0xA0 || c == 0x1680 ||
	       (c >= 0x2000 && c <= 0x200A) || c == 0x2028 || c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

// Python's str.isdecimal() per character: Unicode general category Nd. Unicode 15.0/15.1 (Python
// 3.12/3.13; Python 3.11's Unicode 14 lacks the Kawi and Nag Mundari rows), every range a run of ten digits.
bool python_isdecimal_char(char32_t c) {
	static constexpr std::pair<char32_t, char32_t> kNd[] = {
	    {0x30, 0x39},       {0x660, 0x669},     {0x6F0, 0x6F9},     {0x7C0, 0x7C9},     {0x966, 0x96F},
	    {0x9E6, 0x9EF},     {0xA66, 0xA6F},     {0xAE6, 0xAEF},     {0xB66, 0xB6F},     {0xBE6, 0xBEF},
	    {0xC66, 0xC6F},     {0xCE6, 0xCEF},     {0xD66, 0xD6F},     {0xDE6, 0xDEF},     {0xE50, 0xE59},
	    {0xED0, 0xED9},     {0xF20, 0xF29},     {0x1040, 0x1049},   {0x1090, 0x1099},   {0x17E0, 0x17E9},
	    {0x1810, 0x1819},   {0x1946, 0x194F},   {0x19D0, 0x19D9},   {0x1A80, 0x1A89},   {0x1A90, 0x1A99},
	    {0x1B50, 0x1B59},   {0x1BB0, 0x1BB9},   {0x1C40, 0x1C49},   {0x1C50, 0x1C59},   {0xA620, 0xA629},
	    {0xA8D0, 0xA8D9},   {0xA900, 0xA909},   {0xA9D0, 0xA9D9},   {0xA9F0, 0xA9F9},   {0xAA50, 0xAA59},
	    {0xABF0, 0xABF9},   {0xFF10, 0xFF19},   {0x104A0, 0x104A9}, {0x10D30, 0x10D39}, {0x11066, 0x1106F},
	    {0x110F0, 0x110F9}, {0x11136, 0x1113F}, {0x111D0, 0x111D9}, {0x112F0, 0x112F9}, {0x11450, 0x11459},
	    {0x114D0, 0x114D9}, {0x11650, 0x11659}, {0x116C0, 0x116C9}, {0x11730, 0x11739}, {0x118E0, 0x118E9},
	    {0x11950, 0x11959}, {0x11C50, 0x11C59}, {0x11D50, 0x11D59}, {0x11DA0, 0x11DA9}, {0x11F50, 0x11F59},
	    {0x16A60, 0x16A69}, {0x16AC0, 0x16AC9}, {0x16B50, 0x16B59}, {0x1D7CE, 0x1D7FF}, {0x1E140, 0x1E149},
	    {0x1E2F0, 0x1E2F9}, {0x1E4F0, 0x1E4F9}, {0x1E950, 0x1E959}, {0x1FBF0, 0x1FBF9},
	};
	for (const auto &[lo, hi] : kNd) {
		if (c < lo)
			return false;
		if (c <= hi)
			return true;
	}
	return false;
}

// Python's str.strip() with no argument, on UTF-8 text.
std::string_view python_strip_impl(std::string_view s) {
	std::size_t begin = 0;
	while (begin < s.size()) {
		std::size_t next = begin;
		if (!python_isspace(next_code_point(s, next)))
			break;
		begin = next;
	}
	std::size_t end = begin;
	for (std::size_t i = begin; i < s.size();) {
		if (!python_isspace(next_code_point(s, i)))
			end = i;
	}
	return s.substr(begin, end - begin);
}

// Python's s[:stop] on a str (code points), including negative `stop` (counted from the end).
std::string_view python_prefix(std::string_view s, long long stop) {
	long long count = 0;
	for (std::size_t i = 0; i < s.size(); ++i)
		if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80)
			++count;
	if (stop < 0)
		stop = std::max(0LL, count + stop);
	if (stop >= count)
		return s;
	std::size_t i = 0;
	for (long long seen = 0; i < s.size(); ++i) {
		if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) {
			if (seen == stop)
				break;
			++seen;
		}
	}
	return s.substr(0, i);
}

// --- JSON as Python's json.dumps / simplejson (ensure_ascii=True) writes it ------------------------

// Python's json.dumps of a str with ensure_ascii: '"', '\\', \b \f \n \r \t as two-character escapes, every
// other character outside ' '..'~' (including DEL) as \uXXXX in lowercase hex, astral characters as a
// UTF-16 surrogate pair.
void append_python_json_string(std::string &out, std::string_view s) {
	auto u = [&out](unsigned v) {
		out += "\\u";
		for (int shift = 12; shift >= 0; shift -= 4)
			out += kHexDigits[(v >> shift) & 0xF];
	};
	out += '"';
	for (std::size_t i = 0; i < s.size();) {
		const char32_t c = next_code_point(s, i);
		if (c == kInvalid)
			throw ImportError(sqlstate::kInvalidParameterValue, "relocate: invalid UTF-8 in a token field");
		switch (c) {
		case '"':
			out += "\\\"";
			break;
		case '\\':
			out += "\\\\";
			break;
		case '\b':
			out += "\\b";
			break;
		case '\f':
			out += "\\f";
			break;
		case '\n':
			out += "\\n";
			break;
		case '\r':
			out += "\\r";
			break;
		case '\t':
			out += "\\t";
			break;
		default:
			if (c >= 0x20 && c <= 0x7E) {
				out += static_cast<char>(c);
			} else if (c >= 0x10000) {
				const char32_t v = c - 0x10000;
				u(0xD800 | static_cast<unsigned>(v >> 10));
				u(0xDC00 | static_cast<unsigned>(v & 0x3FF));
			} else {
				u(static_cast<unsigned>(c));
			}
		}
	}
	out += '"';
}

// Python's repr(float) (what json.dumps writes for a float): the shortest digits that round-trip
// (std::to_chars is shortest round-trip too), positional if -4 < decpt <= 16 (always with a fractional
// part: "1700000000.0"), else d.ddde±XX with at least two exponent digits; NaN/Infinity as json.dumps writes them.
std::string python_float_repr(double v) {
	if (std::isnan(v))
		return "NaN";
	if (std::isinf(v))
		return v > 0 ? "Infinity" : "-Infinity";
	char buf[64];
	const auto r = std::to_chars(buf, buf + sizeof buf, v, std::chars_format::scientific);
	std::string_view s(buf, static_cast<std::size_t>(r.ptr - buf));
	std::string out;
	if (!s.empty() && s.front() == '-') {
		out += '-';
		s.remove_prefix(1);
	}
	const std::size_t e = s.find('e');
	std::string digits;
	for (char c : s.substr(0, e))
		if (c != '.')
			digits += c;
	int exp = 0;
	std::string_view es = s.substr(e + 1);
	if (!es.empty() && es.front() == '+')
		es.remove_prefix(1);
	std::from_chars(es.data(), es.data() + es.size(), exp);
	while (digits.size() > 1 && digits.back() == '0')
		digits.pop_back();
	const int n = static_cast<int>(digits.size());
	const int decpt = exp + 1;
	if (decpt > -4 && decpt <= 16) {
		if (decpt <= 0)
			out += "0." + std::string(static_cast<std::size_t>(-decpt), '0') + digits;
		else if (decpt >= n)
			out += digits + std::string(static_cast<std::size_t>(decpt - n), '0') + ".0";
		else
			out += digits.substr(0, static_cast<std::size_t>(decpt)) + "." +
			       digits.substr(static_cast<std::size_t>(decpt));
	} else {
		out += digits[0];
		if (n > 1)
			out += "." + digits.substr(1);
		out += exp < 0 ? "e-" : "e+";
		const int a = exp < 0 ? -exp : exp;
		if (a < 10)
			out += '0';
		out += std::to_string(a);
	}
	return out;
}

} // namespace

// --- randomness ----------------------------------------------------------------------------------

namespace {

// OpenSSL's RAND_bytes costs about as much for 4 KiB as for 64 bytes (0.6 against 1.2 µs here: its
// DRBG's work per call), and an import asks for tens of thousands of small strings (a hash, a salt,
// a token per user). So small requests are served from a pool of RAND_bytes output, one per thread
// (the password hash workers draw too); each byte is handed out once and wiped from the pool as it
// leaves, and the pool is refilled after a fork (getpid changes) so that no two processes share it.
class RandomPool {
public:
	static constexpr std::size_t kSize = 4096;
	~RandomPool() { OPENSSL_cleanse(buf_, sizeof buf_); }

	void take(unsigned char *out, std::size_t n) {
		while (n > 0) {
			if (pos_ == kSize || pid_ != getpid())
				refill();
			const std::size_t k = std::min(n, kSize - pos_);
			std::memcpy(out, buf_ + pos_, k);
			OPENSSL_cleanse(buf_ + pos_, k);
			pos_ += k;
			out += k;
			n -= k;
		}
	}

private:
	void refill() {
		if (RAND_bytes(buf_, static_cast<int>(kSize)) != 1)
			throw_openssl("OpenSSL's random number generator failed");
		pos_ = 0;
		pid_ = getpid();
	}
	unsigned char buf_[kSize];
	std::size_t pos_ = kSize;
	pid_t pid_ = 0;
};

thread_local RandomPool random_pool;

} // namespace

void random_bytes(unsigned char *out, std::size_t n) {
	if (n < RandomPool::kSize / 4) {
		random_pool.take(out, n);
		return;
	}
	while (n > 0) {
		const int chunk = static_cast<int>(std::min<std::size_t>(n, 1 << 20));
		if (RAND_bytes(out, chunk) != 1)
			throw_openssl("OpenSSL's random number generator failed");
		out += chunk;
		n -= static_cast<std::size_t>(chunk);
	}
}

std::string random_hex(std::size_t length) {
	std::vector<unsigned char> bytes((length + 1) / 2);
	random_bytes(bytes.data(), bytes.size());
	std::string out = to_hex(bytes.data(), bytes.size());
	out.resize(length);
	return out;
}

std::string random_alnum(std::size_t length) {
	return random_from(kAlnum, length);
}

std::string random_uuid4() {
	const std::string hex = random_uuid4_hex();
	return hex.substr(0, 8) + "-" + hex.substr(8, 4) + "-" + hex.substr(12, 4) + "-" + hex.substr(16, 4) + "-" +
	       hex.substr(20);
}

std::string random_uuid4_hex() {
	unsigned char b[16];
	random_bytes(b, sizeof b);
	b[6] = static_cast<unsigned char>((b[6] & 0x0F) | 0x40); // version 4 (RFC 4122 §4.4)
	b[8] = static_cast<unsigned char>((b[8] & 0x3F) | 0x80); // variant 10xx
	return to_hex(b, sizeof b);
}

// --- collision suffixes (appendix B; Sentry's unique_db_instance, sentry/db/models/utils.py) -------

std::string_view python_strip(std::string_view s) {
	return python_strip_impl(s);
}

std::string suffix_base(std::string_view value, const std::vector<std::string_view> &reserved) {
	const std::string_view base = python_strip(value);
	if (base.empty() || std::find(reserved.begin(), reserved.end(), base) != reserved.end())
		return random_hex(12); // uuid4().hex[:12]: the first 12 hex digits of a UUID4 are all random
	return std::string(base);
}

bool base_usable_without_suffix(std::string_view base) {
	// `not base.isdecimal()`; "".isdecimal() is False. Undecodable bytes are not digits.
	if (base.empty())
		return true;
	for (std::size_t i = 0; i < base.size();)
		if (!python_isdecimal_char(next_code_point(base, i)))
			return true;
	return false;
}

std::vector<std::string> suffix_candidates(std::string_view base, std::size_t max_len) {
	// Sentry's table is `sizes = ((1, 2), (5, 3), (20, 5), (1, 12))` read as (attempts, size): 1 candidate with a
	// 2-character suffix, 5 with 3, 20 with 5 and 1 with 12, 27 in all ("At most, we have 27 attempts"). Its
	// inline comment "2 attempts" on the first row is wrong, and appendix B (and the header) copied it.
	static constexpr std::pair<int, std::size_t> kSizes[] = {{1, 2}, {5, 3}, {20, 5}, {1, 12}};
	static_assert(std::size(kSizes) == std::size(kSuffixSizes));
	std::vector<std::string> out;
	for (const auto &[attempts, size] : kSizes) {
		const std::string_view prefix = suffix_candidate_prefix(base, max_len, size);
		for (int i = 0; i < attempts; ++i)
			out.push_back(std::string(prefix) + "-" + random_from(kSuffixAlphabet, size));
	}
	return out;
}

std::string_view suffix_candidate_prefix(std::string_view base, std::size_t max_len, std::size_t size) {
	const long long stop =
	    static_cast<long long>(std::min<std::size_t>(max_len, LLONG_MAX / 2)) - static_cast<long long>(size) - 1;
	return python_prefix(base, stop);
}

// --- organization slugs (§6 sentry.organization, appendix B) ------------------------------------

const std::vector<std::string_view> &reserved_organization_slugs() {
	// RESERVED_ORGANIZATION_SLUGS, appendix B (107 entries, sorted).
	// clang-format off
	static const std::vector<std::string_view> kReserved = {
	    "404", "500", "_admin", "_experiment", "_static", "about", "accept", "access", "account", "accountspayable",
	    "acl", "admin", "answers", "ap", "api", "app", "at", "au1", "auth", "authentication", "avatar", "billing",
	    "blog", "branding", "careers", "client", "clients", "community", "contact", "corp", "customers", "de",
	    "debug", "devinfra", "docs", "enterprise", "eu", "events", "expenses", "ext", "extension", "extensions",
	    "features", "finance", "for", "from", "get-cli", "github-deployment-gate", "guide", "help", "ingest",
	    "ingest-beta", "integration-platform", "integrations", "invoice", "invoices", "ja", "jobs", "legal", "login",
	    "logout", "lp", "mail", "manage", "my", "onboarding", "organization-avatar", "organizations", "out",
	    "payment", "payments", "platforms", "plugins", "policy", "pricing", "privacy", "project-avatar", "projects",
	    "receipt", "receipts", "referrals", "register", "remote", "resources", "sa1", "sales", "security",
	    "sentry-apps", "settings", "signup", "sponsorship", "ssh", "sso", "staff", "subscribe", "support", "syntax",
	    "syntaxfm", "team-avatar", "teams", "terms", "thanks", "themonitor", "trust", "us", "vs", "welcome",
	};
	// clang-format on
	return kReserved;
}

const std::vector<std::string_view> &reserved_project_slugs() {
	// RESERVED_PROJECT_SLUGS (src/sentry/constants.py, the same at 24.9 and in the newest version read).
	static const std::vector<std::string_view> kReserved = {
	    "$all",         "api-keys",           "audit-log", "auth",         "members",
	    "projects",     "rate-limits",        "repos",     "settings",     "teams",
	    "billing",      "payments",           "legal",     "subscription", "support",
	    "integrations", "developer-settings", "usage",
	};
	return kReserved;
}

bool is_ascii(std::string_view text) {
	return std::all_of(text.begin(), text.end(), [](char c) { return static_cast<unsigned char>(c) < 0x80; });
}

namespace {

void strip_chars(std::string &s, std::string_view chars) {
	const std::size_t b = s.find_first_not_of(chars);
	if (b == std::string::npos) {
		s.clear();
		return;
	}
	s = s.substr(b, s.find_last_not_of(chars) - b + 1);
}

} // namespace

std::string slugify_instance_value(std::string_view nfkd, std::size_t max_len) {
	// slugify_instance: value = django.utils.text.slugify(label)[:max_length].strip("-"), where slugify(v)
	// (Django 5.0) is
	//     v = unicodedata.normalize("NFKD", v).encode("ascii", "ignore").decode("ascii")
	//     v = re.sub(r"[^\w\s-]", "", v.lower())
	//     return re.sub(r"[-\s]+", "-", v).strip("-_")
	// The caller has already applied NFKD. Python's \w and \s on the ASCII that is left: [A-Za-z0-9_] and
	// [\t\n\v\f\r\x1c-\x1f ].
	auto is_space = [](char c) { return (c >= '\t' && c <= '\r') || (c >= '\x1c' && c <= '\x1f') || c == ' '; };
	auto is_word = [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; };
	// encode("ascii", "ignore"), lower(), re.sub(r"[^\w\s-]", ""), then re.sub(r"[-\s]+", "-").
	std::string v;
	v.reserve(nfkd.size());
	bool in_run = false;
	for (char c : nfkd) {
		if (static_cast<unsigned char>(c) >= 0x80)
			continue;
		if (c >= 'A' && c <= 'Z')
			c = static_cast<char>(c - 'A' + 'a');
		if (c == '-' || is_space(c)) {
			if (!in_run)
				v += '-';
			in_run = true;
		} else if (is_word(c)) {
			v += c;
			in_run = false;
		}
		// other characters are deleted; a run of separators continues across them, exactly as removing them
		// first and collapsing afterwards would.
	}
	strip_chars(v, "-_"); // slugify's .strip("-_")
	if (v.size() > max_len)
		v.resize(max_len); // [:max_length] (ASCII: characters are bytes)
	strip_chars(v, "-");
	return v;
}

std::string normalize_organization_slug(std::string_view nfkd) {
	// Sentry (Organization.save + slugify_instance): t = slug.lower().replace("_", "-").strip("-"), then
	// slugify_instance_value(t, 30) (see above).
	// Here the caller has already applied NFKD to the original text, so the order differs from Sentry's in two
	// ways, both verified over every code point (alone and between ASCII letters) with CPython 3.11:
	// * lower() runs after NFKD and only on ASCII. Unicode case mappings that yield ASCII are covered by NFKD:
	//   e.g. U+212A KELVIN SIGN lower-cases to 'k' in Sentry, and NFKD maps it to 'K', lower-cased here; U+0130
	//   gives "i" + U+0307 either way. No code point gives a different result.
	// * '_' -> '-' runs after NFKD, so it also hits the '_' that NFKD produces from U+FE33, U+FE34, U+FE4D..U+FE4F
	//   and U+FF3F (compatibility low lines): Sentry keeps those as '_' inside the slug ("a\uFF3Fb" -> "a_b"),
	//   this gives "a-b". Those are the only differences; exported slugs are ASCII in practice.
	std::string t;
	t.reserve(nfkd.size());
	for (char c : nfkd) {
		if (static_cast<unsigned char>(c) >= 0x80)
			continue; // encode("ascii", "ignore")
		if (c >= 'A' && c <= 'Z')
			c = static_cast<char>(c - 'A' + 'a');
		t += c == '_' ? '-' : c;
	}
	strip_chars(t, "-"); // .strip("-") (before slugify)
	return slugify_instance_value(t, 30);
}

std::string project_key_petname() {
	// ProjectKey.save: label = petname.generate(2, " ", letters=10).title(): an adjective and a name, each
	// drawn uniformly (petname uses random.SystemRandom), title-cased ("Able Ox").
	auto pick = [](Words words) {
		std::string w(words[random_index(words.size)]);
		w[0] = static_cast<char>(w[0] - 'a' + 'A'); // the words are lower-case ASCII
		return w;
	};
	return pick(petname_adjectives()) + " " + pick(petname_names());
}

// --- Django password hashes (§6 sentry.user, appendix B) -----------------------------------------

std::string django_pbkdf2_sha256(std::string_view password, std::string_view salt, unsigned iterations) {
	// django.contrib.auth.hashers.PBKDF2PasswordHasher.encode: asserts a non-empty salt without '$'.
	if (salt.empty() || salt.find('$') != std::string_view::npos)
		throw ImportError(sqlstate::kInvalidParameterValue, "relocate: a password salt must be non-empty without '$'");
	if (iterations == 0 || iterations > static_cast<unsigned>(INT_MAX))
		throw ImportError(sqlstate::kInvalidParameterValue, "relocate: invalid PBKDF2 iteration count");
	if (password.size() > static_cast<std::size_t>(INT_MAX) || salt.size() > static_cast<std::size_t>(INT_MAX))
		throw ImportError(sqlstate::kProgramLimitExceeded, "relocate: password or salt too long");
	unsigned char key[32];
	if (PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()),
	                      reinterpret_cast<const unsigned char *>(salt.data()), static_cast<int>(salt.size()),
	                      static_cast<int>(iterations), EVP_sha256(), sizeof key, key) != 1)
		throw_openssl("PBKDF2-HMAC-SHA256 failed");
	std::string out =
	    "pbkdf2_sha256$" + std::to_string(iterations) + "$" + std::string(salt) + "$" + base64(key, sizeof key);
	OPENSSL_cleanse(key, sizeof key);
	return out;
}

std::string random_password_hash(unsigned iterations) {
	// User.set_password(get_random_string(32)) with Django's salt(): 22 characters of RANDOM_STRING_CHARS
	// (ceil(128 bits / log2(62))).
	std::string password = random_alnum(32);
	std::string out = django_pbkdf2_sha256(password, random_alnum(22), iterations);
	OPENSSL_cleanse(password.data(), password.size());
	return out;
}

// --- tokens (appendix B) -------------------------------------------------------------------------

std::string sha256_hex(std::string_view data) {
	return digest_hex(data, EVP_sha256(), "SHA-256 failed");
}

std::string md5_hex(std::string_view data) {
	return digest_hex(data, EVP_md5(), "MD5 failed");
}

std::string api_token(std::string_view token_type_prefix) {
	// generate_token: f"{token_type}{secrets.token_hex(nbytes=32)}".
	return std::string(token_type_prefix) + random_hex(64);
}

std::string org_auth_token(double iat, std::string_view url, std::string_view region_url, std::string_view org_slug) {
	// sentry/utils/security/orgauthtoken_token.py generate_token: payload {"iat", "url", "region_url", "org"} in
	// that order, sentry.utils.json.dumps (separators "," and ":", ensure_ascii), base64_encode_str (standard
	// base64, padding kept); secret = b64encode(secrets.token_bytes(32)).rstrip("=").
	std::string json = "{\"iat\":" + python_float_repr(iat) + ",\"url\":";
	append_python_json_string(json, url);
	json += ",\"region_url\":";
	append_python_json_string(json, region_url);
	json += ",\"org\":";
	append_python_json_string(json, org_slug);
	json += '}';

	unsigned char secret[32];
	random_bytes(secret, sizeof secret);
	std::string secret_b64 = base64(secret, sizeof secret);
	OPENSSL_cleanse(secret, sizeof secret);
	while (!secret_b64.empty() && secret_b64.back() == '=')
		secret_b64.pop_back();
	return "sntrys_" + base64(reinterpret_cast<const unsigned char *>(json.data()), json.size()) + "_" + secret_b64;
}

// --- scope hierarchy (appendix B; add_scope_hierarchy, SENTRY_SCOPE_HIERARCHY_MAPPING) -------------

std::vector<std::string> expand_scopes(const std::vector<std::string> &scopes) {
	// Only the scopes that imply others; every other scope of SENTRY_SCOPES maps to itself, and unknown
	// scopes are kept as they are.
	struct Implied {
		std::string_view scope;
		std::vector<std::string_view> implies;
	};
	static const Implied kHierarchy[] = {
	    {"org:write", {"org:read"}},
	    {"org:admin", {"org:read", "org:write", "org:integrations"}},
	    {"member:invite", {"member:read"}},
	    {"member:write", {"member:read", "member:invite"}},
	    {"member:admin", {"member:read", "member:invite", "member:write"}},
	    {"team:write", {"team:read"}},
	    {"team:admin", {"team:read", "team:write"}},
	    {"project:write", {"project:read"}},
	    {"project:admin", {"project:read", "project:write"}},
	    {"event:write", {"event:read"}},
	    {"event:admin", {"event:read", "event:write"}},
	    {"alerts:write", {"alerts:read"}},
	};
	std::vector<std::string> out(scopes);
	for (const std::string &s : scopes)
		for (const Implied &h : kHierarchy)
			if (h.scope == s)
				out.insert(out.end(), h.implies.begin(), h.implies.end());
	// sorted(set(...)): Python compares str by code point, which for UTF-8 is byte order.
	std::sort(out.begin(), out.end());
	out.erase(std::unique(out.begin(), out.end()), out.end());
	return out;
}

} // namespace relocate

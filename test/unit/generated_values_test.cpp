// Tests of Sentry's generated values (src/core/generated_values.cpp): the exact formats of
// docs/sentry/import-spec.md appendix B and §6, with reference values computed by CPython 3.11 (the
// one-liners are next to the constants), plus the distributions of the random strings.
#include "core/generated_values.hpp"
#include "core/rule_data.hpp"

#include <gtest/gtest.h>

#include <openssl/evp.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstring>
#include <map>
#include <regex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "core/error.hpp"
#include "core/export_reader.hpp"
#include "source_files.hpp"

namespace relocate {
namespace {

bool matches(const std::string &s, const char *pattern) {
	return std::regex_match(s, std::regex(pattern));
}

// Runs f and returns the SQLSTATE of the ImportError it throws ("none" if it throws none).
template <class F> std::string sqlstate_of(F f) {
	try {
		f();
	} catch (const ImportError &e) {
		return e.code();
	}
	return "none";
}

// Standard base64 decoding (with padding) for checking tokens; OpenSSL's, so not the code under test.
std::string unbase64(const std::string &b64) {
	std::string out(b64.size() / 4 * 3 + 3, '\0');
	const int n = EVP_DecodeBlock(reinterpret_cast<unsigned char *>(out.data()),
	                              reinterpret_cast<const unsigned char *>(b64.data()), static_cast<int>(b64.size()));
	if (n < 0)
		throw std::runtime_error("bad base64: " + b64);
	out.resize(static_cast<std::size_t>(n));
	for (auto it = b64.rbegin(); it != b64.rend() && *it == '='; ++it)
		out.pop_back(); // EVP_DecodeBlock counts the padding as zero bytes
	return out;
}

std::size_t code_points(const std::string &s) {
	return static_cast<std::size_t>(
	    std::count_if(s.begin(), s.end(), [](char c) { return (static_cast<unsigned char>(c) & 0xC0) != 0x80; }));
}

// --- random strings ------------------------------------------------------------------------------

TEST(GeneratedValuesRandom, RandomBytesFillTheBuffer) {
	unsigned char buf[64] = {};
	random_bytes(buf, sizeof buf);
	EXPECT_TRUE(std::any_of(buf, buf + sizeof buf, [](unsigned char b) { return b != 0; }));
	random_bytes(buf, 0); // allowed
	std::vector<unsigned char> big(3 << 20);
	random_bytes(big.data(), big.size()); // more than one RAND_bytes chunk
	EXPECT_TRUE(std::any_of(big.end() - 64, big.end(), [](unsigned char b) { return b != 0; }));
}

// Small draws come from a per-thread pool of RAND_bytes output (generated_values.cpp): no byte is
// handed out twice, across the pool's refills too, and every byte value turns up.
TEST(GeneratedValuesRandom, SmallDrawsNeverRepeatAcrossRefills) {
	std::set<std::string> draws;
	std::set<unsigned char> values;
	for (int i = 0; i < 1000; ++i) { // 1000 x 61 bytes: about 15 refills of a 4 KiB pool
		unsigned char buf[61];
		random_bytes(buf, sizeof buf);
		draws.emplace(reinterpret_cast<const char *>(buf), sizeof buf);
		values.insert(buf, buf + sizeof buf);
	}
	EXPECT_EQ(draws.size(), 1000U);
	EXPECT_EQ(values.size(), 256U);
	// Each thread has a pool of its own: two threads draw different bytes.
	unsigned char here[32], there[32];
	random_bytes(here, sizeof here);
	std::thread([&] { random_bytes(there, sizeof there); }).join();
	EXPECT_NE(std::memcmp(here, there, sizeof here), 0);
	// After a fork the child does not draw what is left in the parent's pool.
	int fds[2];
	ASSERT_EQ(pipe(fds), 0);
	const pid_t child = fork();
	ASSERT_GE(child, 0);
	if (child == 0) {
		unsigned char b[32];
		random_bytes(b, sizeof b);
		_exit(write(fds[1], b, sizeof b) == static_cast<ssize_t>(sizeof b) ? 0 : 1);
	}
	unsigned char parent[32], in_child[32];
	random_bytes(parent, sizeof parent);
	ASSERT_EQ(read(fds[0], in_child, sizeof in_child), static_cast<ssize_t>(sizeof in_child));
	int status = 0;
	waitpid(child, &status, 0);
	close(fds[0]);
	close(fds[1]);
	EXPECT_EQ(status, 0);
	EXPECT_NE(std::memcmp(parent, in_child, sizeof parent), 0);
}

TEST(GeneratedValuesRandom, RandomHexLengthsAndAlphabet) {
	for (std::size_t n : {0, 1, 11, 12, 32, 64}) {
		const std::string h = random_hex(n);
		EXPECT_EQ(h.size(), n);
		EXPECT_TRUE(matches(h, "[0-9a-f]*")) << h;
	}
	EXPECT_NE(random_hex(32), random_hex(32));
	std::set<char> seen;
	for (char c : random_hex(4000))
		seen.insert(c);
	EXPECT_EQ(seen.size(), 16u);
}

TEST(GeneratedValuesRandom, RandomAlnumIsUniformOverTheAlphabet) {
	for (std::size_t n : {0, 1, 22, 32}) {
		const std::string s = random_alnum(n);
		EXPECT_EQ(s.size(), n);
		EXPECT_TRUE(matches(s, "[A-Za-z0-9]*")) << s;
	}
	// 620 000 draws: 10 000 expected per character, standard deviation ~99. A modulo-biased draw (byte % 62)
	// would give the first 8 characters ~12 300 each and the others ~9 840.
	std::map<char, int> counts;
	for (char c : random_alnum(620000))
		++counts[c];
	EXPECT_EQ(counts.size(), 62u);
	for (const auto &[c, n] : counts) {
		EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(c))) << c;
		EXPECT_GT(n, 9500) << c;
		EXPECT_LT(n, 10500) << c;
	}
}

TEST(GeneratedValuesRandom, Uuid4HasVersionAndVariant) {
	std::set<char> variants;
	std::set<std::string> all;
	for (int i = 0; i < 300; ++i) {
		const std::string u = random_uuid4();
		EXPECT_TRUE(matches(u, "[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}")) << u;
		variants.insert(u[19]);
		all.insert(u);
		const std::string h = random_uuid4_hex();
		EXPECT_TRUE(matches(h, "[0-9a-f]{12}4[0-9a-f]{3}[89ab][0-9a-f]{15}")) << h;
		all.insert(h);
	}
	EXPECT_EQ(variants, (std::set<char>{'8', '9', 'a', 'b'})); // the two low variant bits are random
	EXPECT_EQ(all.size(), 600u);
}

// --- collision suffixes (appendix B) ---------------------------------------------------------------

TEST(Suffix, BaseIsStrippedValueOrTwelveHex) {
	const std::vector<std::string_view> none;
	EXPECT_EQ(suffix_base("  api  ", none), "api");
	EXPECT_EQ(suffix_base("foo", none), "foo");
	// Python's str.strip(): Unicode whitespace and U+001C..U+001F too, but not U+200B (not whitespace).
	EXPECT_EQ(suffix_base("\t\n\x1c\u3000\u00a0 f o\u2003 ", none), "f o");
	EXPECT_EQ(suffix_base("\u200bx", none), "\u200bx");
	for (std::string_view v : {"", "   ", "\u3000\u2028"})
		EXPECT_TRUE(matches(suffix_base(v, none), "[0-9a-f]{12}")) << v;
	// In the reserved list (after stripping) -> 12 random hex; the test is case-sensitive, as Python's `in`.
	const auto &reserved = reserved_organization_slugs();
	const std::string r = suffix_base("  api  ", reserved);
	EXPECT_TRUE(matches(r, "[0-9a-f]{12}")) << r;
	EXPECT_NE(r, suffix_base("api", reserved));
	EXPECT_EQ(suffix_base("API", reserved), "API");
	EXPECT_EQ(suffix_base("apis", reserved), "apis");
}

TEST(Suffix, AllDecimalBaseAlwaysGetsASuffix) {
	// `not base.isdecimal()`: Unicode Nd digits count, other numerics do not.
	EXPECT_FALSE(base_usable_without_suffix("123"));
	EXPECT_FALSE(base_usable_without_suffix("0"));
	EXPECT_FALSE(base_usable_without_suffix("\u0661\u0662\u0663")); // ARABIC-INDIC DIGITs
	EXPECT_FALSE(base_usable_without_suffix("\uff11\uff12"));       // FULLWIDTH DIGITs
	EXPECT_FALSE(base_usable_without_suffix("\U0001D7CE9"));        // MATHEMATICAL BOLD DIGIT ZERO
	EXPECT_TRUE(base_usable_without_suffix("12a"));
	EXPECT_TRUE(base_usable_without_suffix("1.5"));
	EXPECT_TRUE(base_usable_without_suffix("-1"));
	EXPECT_TRUE(base_usable_without_suffix(" 1"));
	EXPECT_TRUE(base_usable_without_suffix("\u00b2")); // SUPERSCRIPT TWO: isdigit() but not isdecimal()
	EXPECT_TRUE(base_usable_without_suffix("\u2160")); // ROMAN NUMERAL ONE: isnumeric() only
	EXPECT_TRUE(base_usable_without_suffix("some-org"));
	EXPECT_TRUE(base_usable_without_suffix("")); // "".isdecimal() is False (never a base in practice)
}

// The suffix lengths, in order, of Sentry's sizes table ((1, 2), (5, 3), (20, 5), (1, 12)) read as
// (attempts, size).
std::vector<std::size_t> expected_suffix_lengths() {
	std::vector<std::size_t> v{2};
	v.insert(v.end(), 5, 3);
	v.insert(v.end(), 20, 5);
	v.push_back(12);
	return v;
}

TEST(Suffix, CandidatesFollowSentrysSizesTable) {
	const std::vector<std::string> c = suffix_candidates("some-org", 30);
	ASSERT_EQ(c.size(), 27u);
	const std::vector<std::size_t> lengths = expected_suffix_lengths();
	for (std::size_t i = 0; i < c.size(); ++i) {
		EXPECT_EQ(c[i].substr(0, 9), "some-org-") << c[i];
		EXPECT_EQ(c[i].size(), 9 + lengths[i]) << i << ": " << c[i];
		EXPECT_TRUE(matches(c[i].substr(9), "[a-z0-79]+")) << c[i]; // no '8'
	}
	EXPECT_EQ(std::set<std::string>(c.begin(), c.end()).size(), 27u);
}

TEST(Suffix, CandidatesTruncateTheBaseInCodePoints) {
	const std::vector<std::size_t> lengths = expected_suffix_lengths();
	// max_len 30 (organization slugs): base[:30 - k - 1] + "-" + k characters = exactly 30.
	const std::string x40(40, 'x');
	std::vector<std::string> c = suffix_candidates(x40, 30);
	ASSERT_EQ(c.size(), 27u);
	for (std::size_t i = 0; i < c.size(); ++i) {
		EXPECT_EQ(c[i].size(), 30u) << c[i];
		EXPECT_EQ(c[i].substr(0, 29 - lengths[i]), std::string(29 - lengths[i], 'x'));
		EXPECT_EQ(c[i][29 - lengths[i]], '-') << c[i];
	}
	// max_len 128 (usernames).
	c = suffix_candidates(std::string(200, 'u'), 128);
	for (std::size_t i = 0; i < c.size(); ++i) {
		EXPECT_EQ(c[i].size(), 128u);
		EXPECT_EQ(c[i].rfind('-'), 127 - lengths[i]);
	}
	// A base shorter than the cut is kept whole.
	for (const std::string &s : suffix_candidates("bob", 128))
		EXPECT_TRUE(matches(s, "bob-[a-z0-79]{2,12}")) << s;
	// Characters, not bytes: 40 x U+00E9 cut to 30 - k - 1 code points.
	std::string e40;
	for (int i = 0; i < 40; ++i)
		e40 += "\u00e9";
	c = suffix_candidates(e40, 30);
	for (std::size_t i = 0; i < c.size(); ++i) {
		EXPECT_EQ(code_points(c[i]), 30u) << c[i];
		EXPECT_EQ(c[i].substr(0, 2 * (29 - lengths[i])), e40.substr(0, 2 * (29 - lengths[i])));
	}
	// Python slicing with a negative stop counts from the end: max_len 5 on "abcdefghij" gives
	// [:2], [:1], [:-1] and [:-8].
	c = suffix_candidates("abcdefghij", 5);
	EXPECT_TRUE(matches(c[0], "ab-[a-z0-79]{2}")) << c[0];
	EXPECT_TRUE(matches(c[1], "a-[a-z0-79]{3}")) << c[1];
	EXPECT_TRUE(matches(c[6], "abcdefghi-[a-z0-79]{5}")) << c[6];
	EXPECT_TRUE(matches(c[26], "ab-[a-z0-79]{12}")) << c[26];
	c = suffix_candidates("abc", 5);
	EXPECT_TRUE(matches(c[26], "-[a-z0-79]{12}")) << c[26]; // "abc"[:-8] == ""
	// ... counted in code points too: "\u00e9" * 10 [:-8] keeps two of them.
	std::string e10;
	for (int i = 0; i < 10; ++i)
		e10 += "\u00e9";
	c = suffix_candidates(e10, 5);
	EXPECT_EQ(c[26].substr(0, 5), "\u00e9\u00e9-") << c[26];
	EXPECT_EQ(c[6].substr(0, 19), e10.substr(0, 18) + "-") << c[6];
}

TEST(Suffix, SuffixCharactersAreUniformOverSentrysAlphabet) {
	// "abcdefghijklmnopqrstuvwxyz0123456790": 35 distinct characters, '0' twice as likely, never '8'.
	std::map<char, int> counts;
	int total = 0;
	while (total < 360000) {
		for (const std::string &s : suffix_candidates("b", 128)) {
			for (char c : s.substr(2)) {
				++counts[c];
				++total;
			}
		}
	}
	EXPECT_EQ(counts.count('8'), 0u);
	EXPECT_EQ(counts.size(), 35u);
	const double unit = total / 36.0; // ~10 000, standard deviation ~98
	for (const auto &[c, n] : counts) {
		const double expected = c == '0' ? 2 * unit : unit;
		EXPECT_NEAR(n, expected, c == '0' ? 1000 : 600) << c;
	}
}

// --- organization slugs (§6 sentry.organization, appendix B) -----------------------------------

TEST(Slug, ReservedOrganizationSlugs) {
	const auto &r = reserved_organization_slugs();
	EXPECT_EQ(r.size(), 107u);
	EXPECT_EQ(std::set<std::string_view>(r.begin(), r.end()).size(), 107u);
	EXPECT_TRUE(std::is_sorted(r.begin(), r.end()));
	for (std::string_view s : {"api", "sentry-apps", "404", "500", "_admin", "_experiment", "_static",
	                           "github-deployment-gate", "welcome", "syntaxfm", "accountspayable"})
		EXPECT_NE(std::find(r.begin(), r.end(), s), r.end()) << s;
	for (std::string_view s : {"sentry", "API", "", "org"})
		EXPECT_EQ(std::find(r.begin(), r.end(), s), r.end()) << s;
}

TEST(Slug, IsAscii) {
	EXPECT_TRUE(is_ascii(""));
	EXPECT_TRUE(is_ascii("Some_Org \x7f"));
	EXPECT_FALSE(is_ascii("Caf\u00e9"));
	EXPECT_FALSE(is_ascii("\xff"));
}

TEST(Slug, NormalizeLikeOrganizationSave) {
	// Expected values: python3 -c 'import re,unicodedata as u
	// def slugify(v): v=u.normalize("NFKD",v).encode("ascii","ignore").decode("ascii");
	//     v=re.sub(r"[^\w\s-]","",v.lower()); return re.sub(r"[-\s]+","-",v).strip("-_")
	// print(slugify(S.lower().replace("_","-").strip("-"))[:30].strip("-"))'
	struct Case {
		std::string in;
		std::string out;
	};
	const std::vector<Case> cases = {
	    {"Some_Org", "some-org"},
	    {"some-org", "some-org"},
	    {"--a--", "a"},
	    {"__a__", "a"},
	    {"-_a_-", "a"},
	    {"Hello   World", "hello-world"},
	    {" a b ", "a-b"},
	    {"a - b", "a-b"},
	    {"a--__--b", "a-b"},
	    {"ab_ _cd", "ab-cd"},
	    {"a\tb", "a-b"},
	    {"a\034b", "a-b"}, // Python's \s includes U+001C..U+001F
	    {"a\177b", "ab"},  // DEL
	    {"a.b!c", "abc"},
	    {"x.-.y", "x-y"},
	    {std::string(40, 'x'), std::string(30, 'x')},
	    {"a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-a-", "a-a-a-a-a-a-a-a-a-a-a-a-a-a-a"}, // "a-" * 20
	    {"abcdefghijklmnopqrstuvwxyz123-x", "abcdefghijklmnopqrstuvwxyz123"},          // cut leaves '-'
	    {"abcdefghijklmnopqrstuvwxyz123_x", "abcdefghijklmnopqrstuvwxyz123"},
	    {"", ""},
	    {"---", ""},
	    {"!!!", ""},
	    {"API", "api"}, // reserved, but that is the caller's step (suffix_base)
	    // Already-NFKD text (what the caller passes): combining marks and other non-ASCII are dropped.
	    {"Cafe\u0301", "cafe"},                         // NFKD("Café")
	    {"U\u0308ni\u0308co\u0308de\u0301", "unicode"}, // NFKD("Ünïcödé")
	    {"fi", "fi"},                                   // NFKD("\ufb01") (LATIN SMALL LIGATURE FI)
	    {"Kelvin", "kelvin"},                           // NFKD("\u212aelvin"): KELVIN SIGN -> 'K'
	    {"I\u0307stanbul", "istanbul"},                 // NFKD("\u0130stanbul")
	    {"a b", "a-b"},                                 // NFKD("a\u00a0b")
	    {"\u65e5\u672c", ""},                           // CJK has no decomposition: everything dropped
	    {"x\u65e5-\u672cy", "x-y"},
	};
	for (const Case &c : cases)
		EXPECT_EQ(normalize_organization_slug(c.in), c.out) << "input: " << c.in;
	// Text that is not NFKD-normalised loses its compatibility characters: the caller must normalise first.
	EXPECT_EQ(normalize_organization_slug("\ufb01"), "");
	EXPECT_EQ(normalize_organization_slug("Caf\u00e9"), "caf");
}

// --- Django password hashes ------------------------------------------------------------------------

TEST(Password, DjangoPbkdf2KnownVectors) {
	// python3 -c 'import hashlib,base64; print(base64.b64encode(hashlib.pbkdf2_hmac("sha256", b"password",
	//     b"saltsaltsaltsaltsaltsa", 1000)).decode())'  (Django's PBKDF2PasswordHasher.encode is exactly this)
	EXPECT_EQ(django_pbkdf2_sha256("password", "saltsaltsaltsaltsaltsa", 1000),
	          "pbkdf2_sha256$1000$saltsaltsaltsaltsaltsa$WlbmMZwWedS8lQa1UxI/KD+bwajbt3rbVLNWFVZTmc4=");
	// ... 720000 (Django 5.0's default)
	EXPECT_EQ(django_pbkdf2_sha256("password", "saltsaltsaltsaltsaltsa", 720000),
	          "pbkdf2_sha256$720000$saltsaltsaltsaltsaltsa$ctIX9IZkmQhHi7odgBg0rOm2XMM0DkyEg6AzfKsk7Yw=");
	// ... "pässwörd".encode() with b"abcDEF0123456789xyzXYZ", 1000 (Django hashes the UTF-8 bytes)
	EXPECT_EQ(django_pbkdf2_sha256("p\u00e4ssw\u00f6rd", "abcDEF0123456789xyzXYZ", 1000),
	          "pbkdf2_sha256$1000$abcDEF0123456789xyzXYZ$Ispv4heJ9biT5xBJJsyzRqw0ecGOdFoVZJSBkHl9wig=");
	// ... b"" with b"saltsaltsaltsaltsaltsa", 1
	EXPECT_EQ(django_pbkdf2_sha256("", "saltsaltsaltsaltsaltsa", 1),
	          "pbkdf2_sha256$1$saltsaltsaltsaltsaltsa$BJg9hGTWmJJMNiinrLXEGW7t3X/hXtX+QhQf4/zlRL4=");
	// A password longer than SHA-256's block is hashed into HMAC's key; one of exactly a block is not;
	// a salt longer than a block.
	EXPECT_EQ(django_pbkdf2_sha256(std::string(100, 'x'), "saltsaltsaltsaltsaltsa", 1000),
	          "pbkdf2_sha256$1000$saltsaltsaltsaltsaltsa$AR94Uxk9HeOIagYD2HDpzL0MlGfyARO1fKmn9hPR1oQ=");
	EXPECT_EQ(django_pbkdf2_sha256(std::string(64, 'y'), std::string(110, 'a'), 3),
	          "pbkdf2_sha256$3$" + std::string(110, 'a') + "$8UbCd6VS+DguLPGplXhsLrSStuwoGS9fn0IHwkw1Dl4=");
}

TEST(Password, DjangoPbkdf2RejectsWhatDjangoAsserts) {
	EXPECT_EQ(sqlstate_of([] { django_pbkdf2_sha256("pw", "", 1000); }), "22023");
	EXPECT_EQ(sqlstate_of([] { django_pbkdf2_sha256("pw", "a$b", 1000); }), "22023");
	EXPECT_EQ(sqlstate_of([] { django_pbkdf2_sha256("pw", "salt", 0); }), "22023");
}

TEST(Password, RandomPasswordHashFormat) {
	const std::string a = random_password_hash(1000);
	const std::string b = random_password_hash(1000);
	EXPECT_TRUE(matches(a, R"(pbkdf2_sha256\$1000\$[A-Za-z0-9]{22}\$[A-Za-z0-9+/]{43}=)")) << a;
	EXPECT_TRUE(matches(b, R"(pbkdf2_sha256\$1000\$[A-Za-z0-9]{22}\$[A-Za-z0-9+/]{43}=)")) << b;
	EXPECT_NE(a.substr(19, 22), b.substr(19, 22)); // fresh salts
	EXPECT_NE(a, b);
	EXPECT_TRUE(matches(random_password_hash(720000), R"(pbkdf2_sha256\$720000\$[A-Za-z0-9]{22}\$.{44})"));
}

// --- tokens (appendix B) -----------------------------------------------------------------------------

TEST(Token, DigestKnownVectors) {
	EXPECT_EQ(sha256_hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	EXPECT_EQ(sha256_hex("abc"), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
	EXPECT_EQ(md5_hex(""), "d41d8cd98f00b204e9800998ecf8427e");
	EXPECT_EQ(md5_hex("abc"), "900150983cd24fb0d6963f7d28e17f72");
	// python3 -c 'import hashlib; s="Grüße".encode(); print(hashlib.sha256(s).hexdigest(), hashlib.md5(s).hexdigest())'
	EXPECT_EQ(sha256_hex("Gr\u00fc\u00dfe"), "f83e039796c6453a10f5519e39fd113901572316a1a8ea07cb525d2801dfd074");
	EXPECT_EQ(md5_hex("Gr\u00fc\u00dfe"), "49c5f675b49037b6044b803ac9d1a6d7");
	// Embedded NUL bytes are hashed: python3 -c 'import hashlib; print(hashlib.sha256(b"a\0b").hexdigest())'
	EXPECT_EQ(sha256_hex(std::string("a\0b", 3)), "59b271ae1bbcb1d31d41929817f4b16fb439eb4f31520b5ad1d5ce98920a7138");
}

TEST(Token, ApiTokenPrefixAndLength) {
	for (const char *prefix : {"sntryu_", "sntrys_", "sntrya_", "sntryi_"}) {
		const std::string t = api_token(prefix);
		EXPECT_EQ(t.size(), 71u) << t;
		EXPECT_EQ(t.substr(0, 7), prefix);
		EXPECT_TRUE(matches(t.substr(7), "[0-9a-f]{64}")) << t;
	}
	const std::string bare = api_token("");
	EXPECT_TRUE(matches(bare, "[0-9a-f]{64}")) << bare;
	EXPECT_NE(api_token("sntryu_"), api_token("sntryu_"));
}

struct OrgToken {
	std::string payload_b64;
	std::string json;
	std::string secret;
};

OrgToken split_org_token(const std::string &token) {
	EXPECT_EQ(token.substr(0, 7), "sntrys_");
	const std::size_t sep = token.find('_', 7); // standard base64 has no '_'
	EXPECT_NE(sep, std::string::npos) << token;
	EXPECT_EQ(token.find('_', sep + 1), std::string::npos) << token;
	OrgToken t;
	t.payload_b64 = token.substr(7, sep - 7);
	t.json = unbase64(t.payload_b64);
	t.secret = token.substr(sep + 1);
	return t;
}

TEST(Token, OrgAuthTokenFormat) {
	const std::string token =
	    org_auth_token(1700000000.123456, "https://sentry.example.com", "https://us.sentry.example.com", "some-org");
	const OrgToken t = split_org_token(token);
	// python3 -c 'import json; print(json.dumps({"iat": 1700000000.123456, "url": "https://sentry.example.com",
	//     "region_url": "https://us.sentry.example.com", "org": "some-org"}, separators=(",", ":")))'
	EXPECT_EQ(t.json, R"({"iat":1700000000.123456,"url":"https://sentry.example.com",)"
	                  R"("region_url":"https://us.sentry.example.com","org":"some-org"})");
	EXPECT_EQ(t.payload_b64.size() % 4, 0u); // padding kept (base64.b64encode)
	EXPECT_TRUE(matches(t.payload_b64, "[A-Za-z0-9+/]+=*"));
	EXPECT_EQ(t.secret.size(), 43u); // 32 bytes, '=' stripped
	EXPECT_TRUE(matches(t.secret, "[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]")) << t.secret;
	EXPECT_EQ(unbase64(t.secret + "=").size(), 32u);
	EXPECT_NE(split_org_token(org_auth_token(1, "u", "r", "o")).secret,
	          split_org_token(org_auth_token(1, "u", "r", "o")).secret);
}

TEST(Token, OrgAuthTokenIatIsPythonFloatRepr) {
	auto iat = [](double v) {
		const std::string json = split_org_token(org_auth_token(v, "u", "r", "o")).json;
		const std::string prefix = "{\"iat\":";
		EXPECT_EQ(json.substr(0, prefix.size()), prefix);
		return json.substr(prefix.size(), json.find(',') - prefix.size());
	};
	// python3 -c 'print(repr(1700000000.0), repr(1700000000.5), ...)'
	EXPECT_EQ(iat(1700000000.0), "1700000000.0");
	EXPECT_EQ(iat(1700000000.5), "1700000000.5");
	EXPECT_EQ(iat(1700000000.123456), "1700000000.123456");
	EXPECT_EQ(iat(1762182224.686496), "1762182224.686496");
	EXPECT_EQ(iat(1700000000.1), "1700000000.1");
	EXPECT_EQ(iat(0.1 + 0.2), "0.30000000000000004");
	EXPECT_EQ(iat(0.0), "0.0");
	EXPECT_EQ(iat(-0.0), "-0.0");
	EXPECT_EQ(iat(1e15), "1000000000000000.0");
	EXPECT_EQ(iat(1e16), "1e+16");
	EXPECT_EQ(iat(1.5e16), "1.5e+16");
	EXPECT_EQ(iat(0.0001), "0.0001");
	EXPECT_EQ(iat(0.00001), "1e-05");
	EXPECT_EQ(iat(1.5e-7), "1.5e-07");
	EXPECT_EQ(iat(1e100), "1e+100");
	EXPECT_EQ(iat(5e-324), "5e-324");
	EXPECT_EQ(iat(std::nan("")), "NaN"); // json.dumps(allow_nan=True)
	EXPECT_EQ(iat(-INFINITY), "-Infinity");
}

TEST(Token, OrgAuthTokenEscapesLikePythonJson) {
	// python3 -c 'import json; print(json.dumps({"iat": 1700000000.0, "url": "a\"b\\\u00e9\U0001F600\x7f\n",
	//     "region_url": "", "org": "x"}, separators=(",", ":")))'
	const std::string t = split_org_token(org_auth_token(1700000000.0, "a\"b\\\u00e9\U0001F600\x7f\n", "", "x")).json;
	EXPECT_EQ(t, R"({"iat":1700000000.0,"url":"a\"b\\\u00e9\ud83d\ude00\u007f\n","region_url":"","org":"x"})");
	const std::string c = split_org_token(org_auth_token(1, "\x01\b\f\r\t/", "r", "o")).json;
	EXPECT_EQ(c, R"({"iat":1.0,"url":"\u0001\b\f\r\t/","region_url":"r","org":"o"})");
	EXPECT_EQ(sqlstate_of([] { org_auth_token(1, "\xff", "r", "o"); }), "22023");
}

// --- scope hierarchy (appendix B) --------------------------------------------------------------------

using Scopes = std::vector<std::string>;

TEST(Scopes, ExpandsTheHierarchyAndSorts) {
	EXPECT_EQ(expand_scopes({"org:admin"}), (Scopes{"org:admin", "org:integrations", "org:read", "org:write"}));
	EXPECT_EQ(expand_scopes({"org:write"}), (Scopes{"org:read", "org:write"}));
	EXPECT_EQ(expand_scopes({"member:admin"}),
	          (Scopes{"member:admin", "member:invite", "member:read", "member:write"}));
	EXPECT_EQ(expand_scopes({"member:write"}), (Scopes{"member:invite", "member:read", "member:write"}));
	EXPECT_EQ(expand_scopes({"member:invite"}), (Scopes{"member:invite", "member:read"}));
	EXPECT_EQ(expand_scopes({"team:admin"}), (Scopes{"team:admin", "team:read", "team:write"}));
	EXPECT_EQ(expand_scopes({"project:admin"}), (Scopes{"project:admin", "project:read", "project:write"}));
	EXPECT_EQ(expand_scopes({"event:admin"}), (Scopes{"event:admin", "event:read", "event:write"}));
	EXPECT_EQ(expand_scopes({"event:write"}), (Scopes{"event:read", "event:write"}));
	EXPECT_EQ(expand_scopes({"alerts:write"}), (Scopes{"alerts:read", "alerts:write"}));
	// Scopes that imply nothing else stay alone.
	for (const char *s : {"org:read", "org:integrations", "org:ci", "project:releases", "alerts:read", "openid"})
		EXPECT_EQ(expand_scopes({s}), (Scopes{s}));
}

TEST(Scopes, KeepsUnknownScopesAndDeduplicates) {
	EXPECT_EQ(expand_scopes({}), Scopes{});
	EXPECT_EQ(expand_scopes({"zzz:custom", "org:read"}), (Scopes{"org:read", "zzz:custom"}));
	EXPECT_EQ(expand_scopes({"team:write", "team:read", "team:write"}), (Scopes{"team:read", "team:write"}));
	// Case-sensitive: "Org:admin" is unknown; byte order puts upper case first.
	EXPECT_EQ(expand_scopes({"project:write", "Org:admin"}), (Scopes{"Org:admin", "project:read", "project:write"}));
	EXPECT_EQ(expand_scopes({"event:admin", "org:admin", "alerts:write"}),
	          (Scopes{"alerts:read", "alerts:write", "event:admin", "event:read", "event:write", "org:admin",
	                  "org:integrations", "org:read", "org:write"}));
}

// --- Rule.data (§6 sentry.rule) ----------------------------------------------------------------------

class RuleData : public EntryConsumer {
public:
	std::vector<std::string> data;
	void consume(ExportEntry &e) override {
		if (e.model != "sentry.rule")
			return;
		const FieldValue *v = e.find("data");
		ASSERT_NE(v, nullptr);
		ASSERT_EQ(v->type, FieldValue::Type::String);
		data.push_back(v->text);
	}
};

TEST(RuleNames, FreshInstallRuleDataIsUnchanged) {
	const std::string json = test::source_file("test/fixtures/sentry/fresh-install.json");
	RuleData rules;
	read_export(json.data(), json.size(), rules);
	ASSERT_EQ(rules.data.size(), 1u);
	const std::string &d = rules.data[0];
	EXPECT_NE(d.find("\"conditions\":[{\"id\":\"sentry.rules.conditions.first_seen_event"), std::string::npos) << d;
	EXPECT_EQ(strip_rule_names(d), d); // no "name" in its conditions and actions
	// With names added (as older Sentry versions stored them), they are removed.
	std::string named = d;
	named.replace(named.find("{\"id\":\"sentry.rules"), 1, "{\"name\":\"A new issue is created\",");
	named.replace(named.find("{\"id\":\"sentry.mail"), 1, "{\"name\":\"Send a notification to IssueOwners\",");
	ASSERT_NE(named, d);
	EXPECT_EQ(strip_rule_names(named), d);
}

TEST(RuleNames, RemovesTruthyNamesFromConditionsAndActions) {
	EXPECT_EQ(strip_rule_names(R"({"match":"all","conditions":[{"id":"c1","name":"A new issue is created"}],)"
	                           R"("actions":[{"id":"a1","name":"Send a notification","targetType":"IssueOwners"}],)"
	                           R"("frequency":30})"),
	          R"({"match":"all","conditions":[{"id":"c1"}],"actions":[{"id":"a1","targetType":"IssueOwners"}],)"
	          R"("frequency":30})");
	// Truthy compound, number and boolean names go too, whatever their depth.
	EXPECT_EQ(strip_rule_names(R"({"actions":[{"name":{"a":[1,{"b":2}]},"id":1},{"id":2,"name":[0]},)"
	                           R"({"name":1000e306},{"name":-0.5},{"name":true},{"name":"0"},{"name":12}]})"),
	          R"({"actions":[{"id":1},{"id":2},{},{},{},{},{}]})");
	// Pretty-printed input comes back compact.
	EXPECT_EQ(strip_rule_names("{\n  \"conditions\" : [ { \"name\" : \"x\" , \"id\" : \"y\" } ]\n}\n"),
	          R"({"conditions":[{"id":"y"}]})");
}

TEST(RuleNames, KeepsFalsyNames) {
	// `if datum.get("name"): del datum["name"]`: "", null, 0, 0.0, false, [], {} and floats that underflow to
	// 0.0 stay.
	const std::string falsy = R"({"conditions":[{"name":""},{"name":null},{"name":0},{"name":-0},{"name":false},)"
	                          R"({"name":[]},{"name":{}},{"name":0.0},{"name":0e5},{"name":1e-400},{"name":2e-324},)"
	                          R"({"name":0.0001e-330}]})";
	EXPECT_EQ(strip_rule_names(falsy), falsy); // nothing removed: returned as it came
	EXPECT_EQ(strip_rule_names(R"({"conditions":[{"name":""},{"name":"x"}], "actions" : [{"name":null}]})"),
	          R"({"conditions":[{"name":""},{}],"actions":[{"name":null}]})");
	// Tiny but representable floats are truthy (3e-324 rounds to 5e-324); huge ones overflow to inf (truthy).
	EXPECT_EQ(strip_rule_names(R"({"actions":[{"name":5e-324},{"name":3e-324},{"name":100000e-328},)"
	                           R"({"name":1000e306},{"name":-99999999999999999999e300},{"name":1e308}]})"),
	          R"({"actions":[{},{},{},{},{},{}]})");
}

TEST(RuleNames, TouchesOnlyElementsOfTopLevelConditionsAndActions) {
	const std::string ok =
	    R"({"name":"top","conditions":[{"id":"x","name":"drop me","filters":[{"name":"nested"}],)"
	    R"("nested":{"name":"deep"}}],"filters":[{"name":"f"}],"other":{"conditions":[{"name":"n"}]}})";
	EXPECT_EQ(strip_rule_names(ok),
	          R"({"name":"top","conditions":[{"id":"x","filters":[{"name":"nested"}],"nested":{"name":"deep"}}],)"
	          R"("filters":[{"name":"f"}],"other":{"conditions":[{"name":"n"}]}})");
	// No "name" in any element: unchanged, byte for byte.
	const std::string none = R"({"name":"top", "filters":[{"name":"f"}], "conditions":[{"id":1,"x":{"name":"n"}}]})";
	EXPECT_EQ(strip_rule_names(none), none);
	EXPECT_EQ(strip_rule_names("{}"), "{}");
	EXPECT_EQ(strip_rule_names(" {\"match\":\"all\"} "), " {\"match\":\"all\"} ");
}

TEST(RuleNames, KeepsNumbersStringsAndOrder) {
	// Numbers keep their literal text (no float conversion, no quoting); strings are re-escaped as needed.
	EXPECT_EQ(strip_rule_names(R"({"conditions":[{"name":"n","value":12345678901234567890123,"f":1.50,"e":1E+2,)"
	                           R"("neg":-0,"i":-7}],"actions":[],"interval":"1h"})"),
	          R"({"conditions":[{"value":12345678901234567890123,"f":1.50,"e":1E+2,"neg":-0,"i":-7}],"actions":[],)"
	          R"("interval":"1h"})");
	EXPECT_EQ(strip_rule_names(R"({"conditions":[{"name":"x","v":"caf\u00e9 \"q\" \ud83d\ude00 \u0001 \/ é"}]})"),
	          "{\"conditions\":[{\"v\":\"caf\u00e9 \\\"q\\\" \U0001F600 \\u0001 / \u00e9\"}]}");
	// Escaped keys are compared decoded.
	EXPECT_EQ(strip_rule_names(R"({"conditions":[{"na\u006de":"x","id":1}]})"), R"({"conditions":[{"id":1}]})");
}

TEST(RuleNames, DuplicateKeysLastOneDecides) {
	// json.loads keeps the last of duplicate keys, so the last "name" decides whether "name" is removed.
	EXPECT_EQ(strip_rule_names(R"({"conditions":[{"name":"","id":1,"name":"x"},{"name":"x","name":""}]})"),
	          R"({"conditions":[{"id":1},{"name":"x","name":""}]})");
	// And only the last "conditions" counts for the failure check.
	EXPECT_EQ(strip_rule_names(R"({"conditions":null,"conditions":[]})"), R"({"conditions":null,"conditions":[]})");
}

TEST(RuleNames, RejectsTextThatIsNotAJsonObject) {
	for (const std::string &bad :
	     std::vector<std::string>{"", "[]", "[{\"conditions\":[]}]", "\"x\"", "1", "null", "true", "{", "{\"a\":1} x",
	                              "{\"a\":1}{}", "{'a':1}", "{\"a\":NaN}", "{\"a\":\"\xff\"}"})
		EXPECT_EQ(sqlstate_of([&] { strip_rule_names(bad); }), "22P02") << bad;
	// RapidJSON 1.1.0 rejects an exponent beyond double's range ("Number too big"); Python reads it as inf.
	EXPECT_EQ(sqlstate_of([] { strip_rule_names(R"({"actions":[{"name":1e400}]})"); }), "22P02");
	// A lone surrogate escape cannot be written back as UTF-8.
	EXPECT_EQ(sqlstate_of([] { strip_rule_names(R"({"conditions":[{"name":"x","v":"\udc00"}]})"); }), "22P02");
	EXPECT_EQ(sqlstate_of([] { strip_rule_names(R"({"conditions":[{"name":"x","v":"\ud800"}]})"); }), "22P02");
}

TEST(RuleNames, FailsWhereSentrysPreSaveFails) {
	// for datum in data.get("conditions", []): datum.get("name") -> TypeError / AttributeError.
	for (const std::string &bad : std::vector<std::string>{
	         R"({"conditions":null})", R"({"actions":5})", R"({"actions":true})", R"({"conditions":"abc"})",
	         R"({"conditions":{"a":1}})", R"({"conditions":[{"id":1},"x"]})", R"({"actions":[[]]})",
	         R"({"conditions":[null]})", R"({"actions":[{"name":"x"},7]})"})
		EXPECT_EQ(sqlstate_of([&] { strip_rule_names(bad); }), "22023") << bad;
	// Iterating "" or {} does nothing.
	for (const std::string &ok :
	     std::vector<std::string>{R"({"conditions":""})", R"({"conditions":{}})", R"({"conditions":[]})",
	                              R"({"conditions":[{}],"actions":[{"id":null}]})", R"({"other":null})"})
		EXPECT_EQ(strip_rule_names(ok), ok);
}

TEST(RuleNames, DeepNestingNeedsNoRecursion) {
	const std::size_t depth = 200000;
	const std::string deep = std::string(depth, '[') + "1" + std::string(depth, ']');
	// Deep value kept beside a removed name.
	EXPECT_EQ(strip_rule_names(R"({"conditions":[{"name":"x","deep":)" + deep + "}]}"),
	          R"({"conditions":[{"deep":)" + deep + "}]}");
	// Deep value as the removed name.
	EXPECT_EQ(strip_rule_names(R"({"conditions":[{"name":)" + deep + R"(,"id":1}]})"), R"({"conditions":[{"id":1}]})");
	// Deep object with nothing to remove.
	std::string objects;
	for (std::size_t i = 0; i < depth; ++i)
		objects += "{\"a\":";
	objects += "0" + std::string(depth, '}');
	EXPECT_EQ(strip_rule_names(objects), objects);
}

} // namespace
} // namespace relocate

// Sentry's generated values, in their exact formats (docs/sentry/import-spec.md
// appendix B and §6): collision suffixes, organization slug normalisation, Django password hashes,
// API and org-auth tokens, scope hierarchy expansion, and the small per-model value rewrites. Pure
// functions of their inputs and a random source; no database access: callers look candidates up
// in batches and pick the first free one.
//
// PostgreSQL-free.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace relocate {

// Random bytes from OpenSSL's CSPRNG; throws ImportError (XX000) if it fails.
void random_bytes(unsigned char *out, std::size_t n);
std::string random_hex(std::size_t length);   // lowercase hex characters
std::string random_alnum(std::size_t length); // [A-Za-z0-9], uniform
std::string random_uuid4();                   // canonical hyphenated form
std::string random_uuid4_hex();               // 32 lowercase hex, no dashes (uuid4().hex)

// --- collision suffixes (appendix B) ---------------------------------------------------------

// Python's str.strip() with no argument (Unicode whitespace, as str.isspace() says), on UTF-8 text.
std::string_view python_strip(std::string_view s);
// The base a collision search starts from: `value` stripped of surrounding whitespace; if that is
// empty or in `reserved`, 12 random hex characters instead.
std::string suffix_base(std::string_view value, const std::vector<std::string_view> &reserved);
// True if `base` may be used as is when no existing row matches it case-insensitively: it is not
// all decimal digits.
bool base_usable_without_suffix(std::string_view base);
// The 27 candidates Sentry tries, in order: 1 with a 2-character suffix, 5 with 3, 20 with 5 and 1
// with 12; each `base[:max_len - k - 1] + "-" + k characters` drawn from Sentry's alphabet
// "abcdefghijklmnopqrstuvwxyz0123456790" (no '8'; '0' twice).
std::vector<std::string> suffix_candidates(std::string_view base, std::size_t max_len);
// The suffix lengths of those candidates.
constexpr std::size_t kSuffixSizes[] = {2, 3, 5, 12};
// The part of `base` a candidate with a `size`-character suffix keeps: Python's base[:max_len - size - 1].
std::string_view suffix_candidate_prefix(std::string_view base, std::size_t max_len, std::size_t size);

// --- organization slugs (§6 sentry.organization, appendix B) ---------------------------------

// Sentry's RESERVED_ORGANIZATION_SLUGS (107 entries).
const std::vector<std::string_view> &reserved_organization_slugs();
// True if `text` is all ASCII (then it needs no Unicode normalisation before slugify).
bool is_ascii(std::string_view text);
// The slug Sentry's Organization.save derives from the file's slug, before uniqueness: lower-case,
// '_' -> '-', strip '-', Django slugify (of the NFKD-normalised text: `nfkd` is that text, which
// the caller obtains from the database's normalize(); non-ASCII characters left after it are
// dropped), first 30 characters, strip '-'. May return "" (then the caller uses the base rules).
std::string normalize_organization_slug(std::string_view nfkd);
// Sentry's slugify_instance before uniqueness: Django's slugify of the label (`nfkd` is its NFKD form:
// ASCII only, lower case, [^\w\s-] removed, runs of spaces and '-' as one '-', stripped of '-' and
// '_'), its first `max_len` characters, stripped of '-'. May return "".
std::string slugify_instance_value(std::string_view nfkd, std::size_t max_len);
// Sentry's RESERVED_PROJECT_SLUGS (18 entries).
const std::vector<std::string_view> &reserved_project_slugs();

// --- project keys ------------------------------------------------------------------------------

// ProjectKey.save's label for a key without one: petname.generate(2, " ", letters=10).title(), e.g.
// "Able Ox" (petname 2.6's word lists, sentry_lists.hpp).
std::string project_key_petname();

// --- Django password hashes ------------------------------------------------------------------

// Django's PBKDF2PasswordHasher: "pbkdf2_sha256$<iterations>$<salt>$<base64 of the 32-byte
// PBKDF2-HMAC-SHA256 of password with salt>", salt 22 characters of [A-Za-z0-9].
std::string django_pbkdf2_sha256(std::string_view password, std::string_view salt, unsigned iterations);
// A random 32-character [A-Za-z0-9] password hashed as above with a fresh salt.
std::string random_password_hash(unsigned iterations);

// --- tokens (appendix B) ---------------------------------------------------------------------

std::string sha256_hex(std::string_view data);
std::string md5_hex(std::string_view data);
// ApiToken.token / refresh_token: the token_type prefix (may be empty) + 64 lowercase hex.
std::string api_token(std::string_view token_type_prefix);
// OrgAuthToken: "sntrys_" + base64(JSON {"iat":<epoch seconds float>,"url":..,"region_url":..,
// "org":<slug>}, separators "," ":") + "_" + base64(32 random bytes) without '=' padding.
std::string org_auth_token(double iat, std::string_view url, std::string_view region_url, std::string_view org_slug);

// ApiToken/ApiKey scope_list: add the implied scopes of Sentry's hierarchy, then sort (unknown
// scopes are kept).
std::vector<std::string> expand_scopes(const std::vector<std::string> &scopes);

} // namespace relocate

// Sentry's preprocessing_scan (src/sentry/relocation/tasks/process.py @ 0751a0d7): the checks a
// relocation's export must pass before anything is imported. The file is unwrapped and decrypted
// (an encrypted export), scanned for its organizations' slugs, its members' user ids and its
// users' usernames, and checked: every wanted slug valid and present, at least one user, at most
// 20 matching organizations and 2,000 users who are members of them. The result is Sentry's
// failure_reason text, or the sorted usernames Sentry records as want_usernames.
//
// The scan streams the export (read_export), so memory does not grow with the file beyond the
// three maps Sentry keeps too.
//
// PostgreSQL-free.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/byte_source.hpp"

namespace relocate::relocation {

inline constexpr std::size_t kMaxOrgsPerRelocation = 20;
inline constexpr std::size_t kMaxUsersPerRelocation = 2000;

// Sentry's ERR_PREPROCESSING_* texts, exactly (the decryption text is a triple-quoted literal
// that spans two lines of process.py: its newline and the 34 spaces of indentation are part of it).
inline constexpr const char *kErrPreprocessingDecryption =
    "Could not decrypt the imported JSON - are you sure you used the\n"
    "                                  correct public key?";
inline constexpr const char *kErrPreprocessingInvalidJson = "Invalid input JSON.";
inline constexpr const char *kErrPreprocessingInvalidTarball = "The import tarball you provided was invalid.";
inline constexpr const char *kErrPreprocessingNoUsers = "The provided JSON must contain at least one user.";
std::string invalid_org_slug_reason(std::string_view slug);
std::string missing_orgs_reason(const std::vector<std::string> &sorted_slugs);
std::string too_many_orgs_reason(std::size_t count);
std::string too_many_users_reason(std::size_t count);

// Sentry's validate_sentry_slug: MIXED_SLUG_PATTERN r"^(?![0-9]+$)[a-z0-9_\-]+$" as Django's
// RegexValidator applies it (re.search, so `$` also matches before one final "\n").
bool valid_sentry_slug(std::string_view slug);

struct ScanResult {
	// Sentry's failure_reason when a check fails; nullopt when every check passes.
	std::optional<std::string> failure_reason;
	// relocate's own account of the cause (the error of the tarball, decryption or JSON reader),
	// for a NOTICE; empty when Sentry's text says it all. May quote the export.
	std::string detail;
	// The sorted usernames of the users who are members of a wanted organization (when passed).
	std::vector<std::string> want_usernames;
};

// The scan and checks over a plain JSON export.
ScanResult scan_export(std::string_view json, const std::vector<std::string> &want_org_slugs);
// The same over a JSON export read as a stream (from its start); `check` between chunks.
ScanResult scan_export(ByteSource &json, const std::vector<std::string> &want_org_slugs, const CheckInterrupts &check);

// The same over an encrypted export (a tarball): unwrapped ("The import tarball you provided was
// invalid." when that fails) and decrypted with `private_key_pem` (Sentry's decryption text when
// that fails). The plaintext is left in `plaintext`, for the caller to wipe.
ScanResult scan_encrypted_export(const char *data, std::size_t length, std::string_view private_key_pem,
                                 const std::vector<std::string> &want_org_slugs, std::string &plaintext);
// The same over an encrypted export read as a stream (the tarball `tarball` holds), decrypted on
// the fly: nothing of it is held in memory.
ScanResult scan_encrypted_export(ByteSource &tarball, std::string_view private_key_pem,
                                 const std::vector<std::string> &want_org_slugs, const CheckInterrupts &check);

} // namespace relocate::relocation

// ImportError: every error a user can cause, as it will reach them: a SQLSTATE, a message
// naming the model, source pk and field, and optional detail and hint. The boundary layer turns
// it into ereport(ERROR) after all C++ frames are gone.
//
// PostgreSQL-free.
#pragma once

#include <stdexcept>
#include <string>
#include <string_view>

namespace relocate {

// The SQLSTATEs the core raises (PostgreSQL's codes, spelled out so the core needs no PG header).
namespace sqlstate {
inline constexpr const char *kInvalidTextRepresentation = "22P02"; // malformed JSON
inline constexpr const char *kInvalidParameterValue = "22023";     // bad argument / export shape
inline constexpr const char *kDataException = "22000";
inline constexpr const char *kStringDataRightTruncation = "22001"; // value too long
inline constexpr const char *kNumericValueOutOfRange = "22003";
inline constexpr const char *kNullValueNotAllowed = "22004"; // a required argument is missing
inline constexpr const char *kInvalidDatetimeFormat = "22007";
inline constexpr const char *kUntranslatableCharacter = "22P05"; // \u0000 in a string
inline constexpr const char *kDatatypeMismatch = "42804";        // JSON type does not fit column
inline constexpr const char *kNotNullViolation = "23502";
inline constexpr const char *kUniqueViolation = "23505";
inline constexpr const char *kSerializationFailure = "40001";  // a row changed by another session
inline constexpr const char *kLockNotAvailable = "55P03";      // a lock taken with NOWAIT is held elsewhere
inline constexpr const char *kObjectInUse = "55006";           // e.g. TRUNCATE of a table with pending trigger events
inline constexpr const char *kInsufficientPrivilege = "42501"; // a privilege the call needs
inline constexpr const char *kWrongObjectType = "42809";       // e.g. a temporary table where Sentry's is expected
inline constexpr const char *kUndefinedObject = "42704";       // unknown model
inline constexpr const char *kUndefinedColumn = "42703";       // unknown field
inline constexpr const char *kUndefinedTable = "42P01";        // target table missing
inline constexpr const char *kFeatureNotSupported = "0A000";
inline constexpr const char *kObjectNotInPrerequisiteState = "55000";
inline constexpr const char *kProgramLimitExceeded = "54000";
inline constexpr const char *kIoError = "58030";
inline constexpr const char *kInternalError = "XX000";
} // namespace sqlstate

class ImportError : public std::runtime_error {
public:
	ImportError(const char *code, std::string message, std::string detail = {}, std::string hint = {})
	    : std::runtime_error(message), code_(code), detail_(std::move(detail)), hint_(std::move(hint)) {}

	const char *code() const noexcept { return code_; }
	const std::string &detail() const noexcept { return detail_; }
	const std::string &hint() const noexcept { return hint_; }

private:
	const char *code_;
	std::string detail_;
	std::string hint_;
};

// An error in one field of the row a model's rule is normalizing: the rule knows the field and
// what is wrong with it ("field \"data\" is not valid JSON"), not the entry it came from. The
// importer turns it into the entry's error (fail_entry): model, source pk and the entry's position.
class FieldError : public ImportError {
public:
	using ImportError::ImportError;
};

// The error for a Sentry table the database does not have (or cannot see): "relocate: table
// "<table>"<what> does not exist<why>", with the one hint every such error carries.
inline ImportError missing_table_error(std::string_view table, std::string_view what = {}, std::string_view why = {}) {
	return ImportError(sqlstate::kUndefinedTable,
	                   "relocate: table \"" + std::string(table) + "\"" + std::string(what) + " does not exist" +
	                       std::string(why),
	                   {}, "Create Sentry's schema first, and check that its schema is in the search_path.");
}

// The error for a missing import-chunk table (sentry_regionimportchunk, sentry_controlimportchunk,
// sentry_controlimportchunkreplica): a database whose Sentry predates them, in most cases. Sentry
// added the three tables with its *ImportChunk models (src/sentry/models/importchunk.py) in
// getsentry/sentry pull request #59737, "feat(backup): Add `*ImportChunk` models" (opened
// 2023-11-09, reviewed 2023-11-14, merged in November 2023, with #59879 "Support import chunking"
// on top of it): from then on every Sentry import records its chunks there, and the self-hosted
// releases from 23.12.0 on have the tables. An older schema has nowhere to put them.
inline ImportError missing_chunk_table_error(std::string_view table, std::string_view what = {}) {
	return ImportError(sqlstate::kUndefinedTable,
	                   "relocate: table \"" + std::string(table) + "\"" + std::string(what) + " does not exist",
	                   "Sentry added its import-chunk tables (sentry_regionimportchunk, sentry_controlimportchunk, "
	                   "sentry_controlimportchunkreplica) in November 2023 (getsentry/sentry#59737): this database's "
	                   "Sentry schema is older than that, or not in the search_path.",
	                   "Upgrade Sentry to self-hosted 23.12.0 or later and run its migrations (sentry upgrade), then "
	                   "import again; if Sentry is that recent, put its schema in the search_path.");
}

} // namespace relocate

// The findings relocate-import writes with --findings-file: a JSON array, like Sentry's
// `sentry import ... --findings-file`, of what went wrong (the import's error) or what
// verification found different; `[]` when there is nothing.
//
// libpq-free and PostgreSQL-free (unit-tested in test/cli/).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace relocate::cli {

struct Finding {
	std::string kind;                   // import_error, connection_error, cancelled, verify
	std::string model;                  // "" when the error names no model
	std::optional<std::int64_t> pk;     // the export's (source) pk
	std::optional<std::int64_t> new_pk; // verify: the row's pk in the database
	std::string field;                  // "" when the error names no field
	std::string message;
	std::string sqlstate;
	std::string detail;
	std::string hint;
	std::optional<std::string> expected; // verify: the export's value
	std::optional<std::string> found;    // verify: the database's value
	bool has_values = false;             // verify: write expected and found (null when absent)
};

// An error as a finding: the model, source pk and field are read from relocate's message
// ("relocate: sentry.user pk 3, field "username": ...", "export entry 1 (sentry.option pk 1) ...").
Finding finding_from_error(std::string kind, std::string sqlstate, std::string message, std::string detail = {},
                           std::string hint = {});

// The findings as a JSON array, one finding per line.
std::string findings_json(const std::vector<Finding> &findings);

// A JSON string literal of `text` (quoted and escaped).
std::string json_string(const std::string &text);

// Writes `content` to `path` through a temporary file renamed over it, so a reader never sees half
// a file. False, with `error` set, when it cannot.
bool write_file_atomically(const std::string &path, const std::string &content, std::string &error);

} // namespace relocate::cli

// relocate-import's command line: what the operator asked for, parsed and checked before anything
// touches a file or a server.
//
// libpq-free and PostgreSQL-free (unit-tested in test/cli/).
#pragma once

#include <string>
#include <utility>
#include <vector>

namespace relocate::cli {

// Exit codes (the man page's EXIT STATUS).
inline constexpr int kExitOk = 0;     // imported (or listed, or a dry run that passed)
inline constexpr int kExitFailed = 1; // the import failed, was cancelled, or verification found differences
inline constexpr int kExitUsage = 2;  // a usage error, an unreadable option file, or no connection

enum class PasswordPrompt { kAuto, kNever, kAlways }; // libpq/psql's default, -w, -W
enum class Verbosity { kQuiet, kNormal, kVerbose };

struct Options {
	// Connection, as psql takes it; libpq reads the PG* variables for whatever is left empty.
	std::string dbname; // a database name, or a conninfo string or URI
	std::string host;
	std::string port;
	std::string username;
	PasswordPrompt password = PasswordPrompt::kAuto;

	// The export: a file on this machine (streamed to the server as a large object) or on the server.
	std::string file;
	std::string server_file;
	std::string key_file;        // read here, sent as a bound parameter
	std::string server_key_file; // a path the server reads

	// The import: relocate_import's arguments.
	std::string scope = "organization"; // lower case
	std::vector<std::string> orgs;      // org_filter
	std::vector<std::string> users;     // user_filter
	bool merge_users = false;
	bool overwrite_configs = false;
	bool hide_organizations = false;
	std::string import_uuid;
	bool reset = false;
	bool yes = false;
	std::vector<std::pair<std::string, std::string>> settings; // --set NAME=VALUE

	// What to do around it.
	bool dry_run = false;
	bool verify = false;
	bool list = false;
	std::string findings_file;
	std::string report_file;
	Verbosity verbosity = Verbosity::kNormal;
	bool help = false;
	bool version = false;
};

// The outcome of parsing: the options, or the usage error to print (exit 2).
struct ParsedOptions {
	Options options;
	std::string error; // empty when the command line is valid
};

// Parses argv (argv[0] is the program) and checks the combination of options. --help and
// --version win over every other error.
ParsedOptions parse_options(int argc, const char *const *argv);

// The --help text.
std::string usage_text();

// Whether `text` is a UUID as PostgreSQL reads one in its canonical forms (32 hex digits, with or
// without the hyphens of 8-4-4-4-12, optionally in braces).
bool looks_like_uuid(const std::string &text);

} // namespace relocate::cli

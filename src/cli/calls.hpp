// The statements relocate-import sends: what it asks the server about relocate's features, and the
// calls of the import and verification functions. Every value is a bound parameter (the private key
// above all: it never appears in the statement's text, so not in pg_stat_activity.query nor in a
// logged statement); only the extension's schema, quoted, is part of the text.
//
// libpq-free and PostgreSQL-free (unit-tested in test/cli/).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "cli/options.hpp"

namespace relocate::cli {

// What the connected database's relocate has, found in its catalogs (pg_extension, pg_proc,
// pg_class) rather than by its version, so a build between versions is judged by what it has.
struct ServerFeatures {
	std::string schema;         // the extension's schema, as a quoted identifier
	std::string version;        // pg_extension.extversion
	bool dry_run = false;       // the import functions take dry_run
	bool progress_view = false; // the view relocate_progress
	bool verify_large_object = false;
	bool verify_file = false;
};

// The query that reads ServerFeatures: one row (none when relocate is not installed) of schema,
// version, dry_run, progress_view, verify_large_object, verify_file. $1: the import function's name.
std::string features_query();

struct Call {
	std::string sql;
	std::vector<std::optional<std::string>> params;
};

// The import function the export's place calls for.
std::string import_function(const Options &o);

// SELECT * FROM <schema>.relocate_import_large_object($1 ...) (or relocate_import_file), every
// argument named and bound; `source` is the large object's oid or the server path; `key` the PEM
// text or the server path of the key (nullopt: none). dry_run is passed when the server has it.
Call import_call(const Options &o, const ServerFeatures &f, const std::string &source,
                 const std::optional<std::string> &key);

// SELECT * FROM <schema>.relocate_verify_large_object($1, $2, $3) (or relocate_verify_file).
Call verify_call(const Options &o, const ServerFeatures &f, const std::string &source, const std::string &import_uuid,
                 const std::optional<std::string> &key);

// The progress of backend $1, from relocate_progress (every column the view has).
std::string progress_query(const ServerFeatures &f);

} // namespace relocate::cli

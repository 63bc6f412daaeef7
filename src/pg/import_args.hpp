// The SQL arguments of relocate_import, read once into named C++ values.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include "core/import_options.hpp"
#include "pg/boundary.hpp"

namespace relocate::pg {

// What the first argument of an import function is.
enum class ExportArg {
	kBytes,       // relocate_import(export bytea | text, ...)
	kPath,        // relocate_import_file(path text, ...)
	kLargeObject, // relocate_import_large_object(export oid, ...)
};

struct ImportArgs {
	bool export_given = false; // the first argument is not NULL
	// kBytes: the bytes of the `export` argument, not copied; valid for the call.
	const char *export_data = nullptr;
	std::size_t export_length = 0;
	std::string export_path; // kPath
	Oid export_oid = 0;      // kLargeObject
	std::optional<std::string> scope;
	std::optional<TextArray> org_filter;
	std::optional<TextArray> user_filter;
	bool merge_users = false;
	bool overwrite_configs = false;
	bool hide_organizations = false;
	std::optional<std::string> import_uuid;
	// The private_key argument: a palloc'd copy (PEM text or a path), wiped once the key is read.
	char *private_key = nullptr;
	bool reset = false;
	bool dry_run = false; // run the whole import, then roll it back (a subtransaction)
	// The first flag (merge_users, overwrite_configs, hide_organizations, reset, dry_run) passed as
	// NULL, which import_options refuses: a NULL dry_run read as false would write.
	const char *null_flag = nullptr;
};

// Reads the arguments (in the order the import functions declare them; the first is `kind`).
ImportArgs read_import_args(FunctionCallInfo fcinfo, ExportArg kind);

// The import's options from the arguments and the relocate.* settings. Throws ImportError for a
// NULL export or scope (22004), an unknown scope (22023), and reset outside Global scope (22023).
ImportOptions import_options(const ImportArgs &args);

} // namespace relocate::pg

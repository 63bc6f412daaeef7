#include "pg/import_args.hpp"

#include <utility>

#include "core/error.hpp"
#include "pg/settings.hpp"

extern "C" {
#include "catalog/pg_type.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/uuid.h"
}

namespace relocate::pg {

namespace {

// Argument positions, as relocate_import declares them.
enum ImportArg {
	kExport,
	kScope,
	kOrgFilter,
	kUserFilter,
	kMergeUsers,
	kOverwriteConfigs,
	kHideOrganizations,
	kImportUuid,
	kPrivateKey,
	kReset,
	kDryRun,
	kArgCount
};

// A text[] argument's elements as C strings (NULL elements as nullptr), palloc'd.
struct CStringArray {
	char **values = nullptr;
	int count = 0;
};

CStringArray read_text_array(ArrayType *array) {
	Datum *elems;
	bool *nulls;
	int n;
	deconstruct_array(array, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &n);
	CStringArray out{static_cast<char **>(palloc(sizeof(char *) * (n + 1))), n};
	for (int i = 0; i < n; ++i)
		out.values[i] = nulls[i] ? nullptr : text_to_cstring(DatumGetTextPP(elems[i]));
	return out;
}

TextArray to_text_array(const CStringArray &a) {
	TextArray out;
	for (int i = 0; i < a.count; ++i)
		out.push_back(a.values[i] != nullptr ? std::optional<std::string>(a.values[i]) : std::nullopt);
	return out;
}

} // namespace

ImportArgs read_import_args(FunctionCallInfo fcinfo, ExportArg kind) {
	ImportArgs args;
	bool given[kArgCount] = {};
	const char *scope = nullptr, *import_uuid = nullptr, *path = nullptr;
	CStringArray filters[2];
	pg_guard([&] {
		for (int i = 0; i < kArgCount; ++i)
			given[i] = i < PG_NARGS() && !PG_ARGISNULL(i);
		args.export_given = given[kExport];
		if (given[kExport] && kind == ExportArg::kBytes) {
			bytea *export_data = PG_GETARG_BYTEA_PP(kExport);
			args.export_data = VARDATA_ANY(export_data);
			args.export_length = VARSIZE_ANY_EXHDR(export_data);
		} else if (given[kExport] && kind == ExportArg::kPath) {
			path = text_to_cstring(PG_GETARG_TEXT_PP(kExport));
		} else if (given[kExport]) {
			args.export_oid = PG_GETARG_OID(kExport);
		}
		if (given[kScope])
			scope = text_to_cstring(PG_GETARG_TEXT_PP(kScope));
		if (given[kPrivateKey])
			args.private_key = text_to_cstring(PG_GETARG_TEXT_PP(kPrivateKey));
		if (given[kImportUuid])
			import_uuid = DatumGetCString(DirectFunctionCall1(uuid_out, PG_GETARG_DATUM(kImportUuid)));
		if (given[kOrgFilter])
			filters[0] = read_text_array(PG_GETARG_ARRAYTYPE_P(kOrgFilter));
		if (given[kUserFilter])
			filters[1] = read_text_array(PG_GETARG_ARRAYTYPE_P(kUserFilter));
		args.merge_users = given[kMergeUsers] && PG_GETARG_BOOL(kMergeUsers);
		args.overwrite_configs = given[kOverwriteConfigs] && PG_GETARG_BOOL(kOverwriteConfigs);
		args.hide_organizations = given[kHideOrganizations] && PG_GETARG_BOOL(kHideOrganizations);
		args.reset = given[kReset] && PG_GETARG_BOOL(kReset);
		args.dry_run = given[kDryRun] && PG_GETARG_BOOL(kDryRun);
		const std::pair<int, const char *> flags[] = {{kMergeUsers, "merge_users"},
		                                              {kOverwriteConfigs, "overwrite_configs"},
		                                              {kHideOrganizations, "hide_organizations"},
		                                              {kReset, "reset"},
		                                              {kDryRun, "dry_run"}};
		for (const auto &[index, name] : flags)
			if (args.null_flag == nullptr && index < PG_NARGS() && PG_ARGISNULL(index))
				args.null_flag = name;
	});
	// C++ values from here on (no PostgreSQL call).
	if (path != nullptr)
		args.export_path = path;
	if (scope != nullptr)
		args.scope = scope;
	if (import_uuid != nullptr)
		args.import_uuid = import_uuid;
	if (given[kOrgFilter])
		args.org_filter = to_text_array(filters[0]);
	if (given[kUserFilter])
		args.user_filter = to_text_array(filters[1]);
	return args;
}

ImportOptions import_options(const ImportArgs &args) {
	if (!args.export_given)
		throw ImportError(relocate::sqlstate::kNullValueNotAllowed, "relocate: the export must not be NULL");
	if (!args.scope)
		throw ImportError(relocate::sqlstate::kNullValueNotAllowed, "relocate: the scope must not be NULL", {},
		                  "The scope is one of 'user', 'organization', 'config' or 'global'.");
	if (args.null_flag != nullptr)
		throw ImportError(relocate::sqlstate::kNullValueNotAllowed,
		                  std::string("relocate: ") + args.null_flag + " must not be NULL", {},
		                  std::string("Pass true or false, or leave ") + args.null_flag + " out (false).");
	ImportOptions options;
	options.admitted_scopes = admitted_scopes_for(*args.scope);
	options.org_filter = args.org_filter;
	options.user_filter = args.user_filter;
	options.merge_users = args.merge_users;
	options.overwrite_configs = args.overwrite_configs;
	options.hide_organizations = args.hide_organizations;
	if (args.import_uuid)
		options.import_uuid = *args.import_uuid;
	options.reset = args.reset;
	apply_settings(options);
	if (args.reset && options.admitted_scopes != admitted_scopes_for("global"))
		throw ImportError(sqlstate::kInvalidParameterValue, "relocate: reset needs the global scope", {},
		                  "Only a Global-scope import restores a whole install; Sentry wipes nothing in other scopes.");
	return options;
}

} // namespace relocate::pg

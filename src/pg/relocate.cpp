// SQL-callable entry points of the relocate extension. Each C entry point is one line that hands
// its C++ body to call_entry (the error boundary); the bodies reach PostgreSQL only via pg_guard.

#include <cinttypes>
#include <string>

#include <openssl/crypto.h>

#include "core/catalogue.hpp"
#include "core/decrypt.hpp"
#include "core/error.hpp"
#include "core/importer.hpp"
#include "pg/boundary.hpp"
#include "pg/spi_target.hpp"

extern "C" {
#include "catalog/pg_authid_d.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "storage/fd.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/guc.h"
#include "utils/uuid.h"
#include "utils/tuplestore.h"

PG_MODULE_MAGIC;

void _PG_init(void);
PG_FUNCTION_INFO_V1(relocate_import);
PG_FUNCTION_INFO_V1(relocate_catalogue_models);
PG_FUNCTION_INFO_V1(relocate_catalogue_foreign_keys);
}

namespace {

using relocate::ImportError;
using relocate::pg::pg_guard;
namespace sqlstate = relocate::sqlstate;

// GUCs (see _PG_init).
bool ignore_unknown_fields = false;
int batch_size = 1000;
char *last_import_uuid = nullptr;
int password_hash_iterations = 720000;
char *region_name = nullptr;
char *url_prefix = nullptr;

// --- relocate_import --------------------------------------------------------------------------

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
};

// Overwrites a secret (a key, a decrypted export) when it goes out of scope, also while an
// exception unwinds. Calls no PostgreSQL function.
struct SecretWipe {
	explicit SecretWipe(std::string &secret) : secret_(secret) {}
	~SecretWipe() { OPENSSL_cleanse(secret_.data(), secret_.size()); }
	SecretWipe(const SecretWipe &) = delete;
	SecretWipe &operator=(const SecretWipe &) = delete;
	std::string &secret_;
};

// The private key argument: PEM text, or the absolute path of a PEM file the server can read.
// Reading a server file needs what pg_read_file needs: superuser or pg_read_server_files.
std::string private_key_pem(const char *argument) {
	std::string_view arg(argument);
	std::size_t first = arg.find_first_not_of(" \t\r\n");
	if (first != std::string_view::npos && arg.compare(first, 10, "-----BEGIN") == 0)
		return std::string(arg);
	if (arg.empty() || arg[0] != '/')
		throw ImportError(sqlstate::kInvalidParameterValue,
		                  "relocate: private_key is neither a PEM private key nor an absolute file path", {},
		                  "Pass the key's PEM text (-----BEGIN PRIVATE KEY----- ...) or the absolute path of a PEM "
		                  "file that the database server can read.");
	bool allowed = false;
	pg_guard([&] { allowed = has_privs_of_role(GetUserId(), ROLE_PG_READ_SERVER_FILES); });
	if (!allowed)
		throw ImportError("42501", "relocate: reading the private key from a server file requires the "
		                           "pg_read_server_files role",
		                  {}, "Ask an administrator to GRANT pg_read_server_files, or pass the key's PEM text.");
	constexpr long kMaxKeyFile = 1 << 20;
	char *buffer = nullptr;
	std::size_t size = 0;
	pg_guard([&] {
		FILE *file = AllocateFile(argument, PG_BINARY_R);
		if (file == nullptr)
			ereport(ERROR, (errcode_for_file_access(),
			                errmsg("relocate: could not open private key file \"%s\": %m", argument)));
		buffer = static_cast<char *>(palloc(kMaxKeyFile + 1));
		size = fread(buffer, 1, kMaxKeyFile + 1, file);
		bool failed = ferror(file) != 0;
		FreeFile(file);
		if (failed)
			ereport(ERROR, (errcode_for_file_access(),
			                errmsg("relocate: could not read private key file \"%s\": %m", argument)));
		if (size > static_cast<std::size_t>(kMaxKeyFile))
			ereport(ERROR, (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			                errmsg("relocate: private key file \"%s\" is larger than 1 MB", argument)));
	});
	std::string pem(buffer, size);
	pg_guard([&] {
		explicit_bzero(buffer, size);
		pfree(buffer);
	});
	return pem;
}

// Sentry's Global-scope reset (spec §5.9), only when asked for: every table of the catalogue that
// exists is emptied and its sequences restarted, in one TRUNCATE (in the caller's transaction).
void reset_sentry_tables() {
	std::string tables; // comma-separated table names (none contains a comma)
	const relocate::ModelDef *models = relocate::catalogue_models();
	for (std::size_t i = 0; i < relocate::catalogue_size(); ++i)
		tables += std::string(i ? "," : "") + models[i].table;
	pg_guard([&] {
		Oid argtypes[1] = {TEXTOID};
		Datum args[1] = {CStringGetTextDatum(tables.c_str())};
		int rc = SPI_execute_with_args(
		    "SELECT pg_catalog.count(*), pg_catalog.string_agg(c.oid::pg_catalog.regclass::pg_catalog.text, ', ')"
		    "  FROM pg_catalog.unnest(pg_catalog.string_to_array($1, ',')) AS t(name)"
		    "  JOIN pg_catalog.pg_class c ON c.oid = pg_catalog.to_regclass(pg_catalog.quote_ident(t.name))"
		    " WHERE c.relkind IN ('r', 'p')",
		    1, argtypes, args, nullptr, false, 0);
		if (rc != SPI_OK_SELECT || SPI_processed != 1)
			elog(ERROR, "relocate: listing Sentry's tables failed: %s", SPI_result_code_string(rc));
		bool isnull;
		int64 count = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
		char *list = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2);
		if (list != nullptr) {
			char *sql = psprintf("TRUNCATE %s RESTART IDENTITY", list);
			rc = SPI_execute(sql, false, 0);
			if (rc != SPI_OK_UTILITY)
				elog(ERROR, "relocate: the reset failed: %s", SPI_result_code_string(rc));
		}
		ereport(NOTICE, (errmsg("relocate: reset: emptied %lld Sentry tables and restarted their sequences",
		                        static_cast<long long>(count))));
	});
}

Datum relocate_import_impl(FunctionCallInfo fcinfo) {
	const char *data = nullptr;
	std::size_t length = 0;
	const char *scope = nullptr;
	char *private_key = nullptr;
	bool given[kReset + 1] = {};
	bool reset = false;
	bool merge_users = false, overwrite_configs = false, hide_organizations = false;
	const char *import_uuid = nullptr;
	Datum *filter_values[2] = {nullptr, nullptr}; // org_filter, user_filter elements
	bool *filter_nulls[2] = {nullptr, nullptr};
	int filter_counts[2] = {0, 0};
	relocate::ImportOptions options;
	pg_guard([&] {
		for (int i = 0; i <= kReset; ++i)
			given[i] = i < PG_NARGS() && !PG_ARGISNULL(i);
		reset = given[kReset] && PG_GETARG_BOOL(kReset);
		if (given[kExport]) {
			bytea *export_data = PG_GETARG_BYTEA_PP(kExport);
			data = VARDATA_ANY(export_data);
			length = VARSIZE_ANY_EXHDR(export_data);
		}
		if (given[kScope])
			scope = text_to_cstring(PG_GETARG_TEXT_PP(kScope));
		if (given[kPrivateKey])
			private_key = text_to_cstring(PG_GETARG_TEXT_PP(kPrivateKey));
		merge_users = given[kMergeUsers] && PG_GETARG_BOOL(kMergeUsers);
		overwrite_configs = given[kOverwriteConfigs] && PG_GETARG_BOOL(kOverwriteConfigs);
		hide_organizations = given[kHideOrganizations] && PG_GETARG_BOOL(kHideOrganizations);
		if (given[kImportUuid])
			import_uuid = DatumGetCString(DirectFunctionCall1(uuid_out, PG_GETARG_DATUM(kImportUuid)));
		for (int which : {kOrgFilter, kUserFilter}) {
			if (!given[which])
				continue;
			Datum *elems;
			bool *nulls;
			int n;
			deconstruct_array(PG_GETARG_ARRAYTYPE_P(which), TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &n);
			filter_values[which == kOrgFilter ? 0 : 1] = elems;
			filter_nulls[which == kOrgFilter ? 0 : 1] = nulls;
			filter_counts[which == kOrgFilter ? 0 : 1] = n;
			for (int i = 0; i < n; ++i)
				if (!nulls[i])
					elems[i] = CStringGetDatum(text_to_cstring(DatumGetTextPP(elems[i])));
		}
	});
	// The filters as C++ values (text_to_cstring above made each element a C string).
	for (int f = 0; f < 2; ++f) {
		if (filter_values[f] == nullptr && !given[f == 0 ? kOrgFilter : kUserFilter])
			continue;
		std::vector<std::optional<std::string>> values;
		for (int i = 0; i < filter_counts[f]; ++i)
			values.push_back(filter_nulls[f][i] ? std::nullopt
			                                    : std::optional<std::string>(DatumGetCString(filter_values[f][i])));
		(f == 0 ? options.org_filter : options.user_filter) = std::move(values);
	}
	if (data == nullptr)
		throw ImportError("22004", "relocate: the export must not be NULL");
	if (scope == nullptr)
		throw ImportError("22004", "relocate: the scope must not be NULL", {},
		                  "The scope is one of 'user', 'organization', 'config' or 'global'.");

	options.admitted_scopes = relocate::admitted_scopes_for(scope);
	if (import_uuid != nullptr)
		options.import_uuid = import_uuid;
	options.ignore_unknown_fields = ignore_unknown_fields;
	options.hide_organizations = hide_organizations;
	options.merge_users = merge_users;
	options.overwrite_configs = overwrite_configs;
	options.url_prefix = url_prefix != nullptr ? url_prefix : "";
	options.password_hash_iterations = static_cast<unsigned>(password_hash_iterations);
	options.region_name = region_name != nullptr ? region_name : "--monolith--";
	options.batch_rows = static_cast<std::size_t>(batch_size);

	// An encrypted export (a tarball) is decrypted in memory; its plaintext replaces the input.
	// Key and plaintext are wiped when they go out of scope, on success and on error alike.
	std::string plaintext;
	SecretWipe wipe_plaintext(plaintext);
	if (relocate::looks_like_tarball(data, length)) {
		if (!given[kPrivateKey])
			throw ImportError("22004", "relocate: the export is encrypted (a tarball), but no private_key was given",
			                  {}, "Pass the private key matching the key.pub the export was encrypted with.");
		std::string key = private_key_pem(private_key);
		SecretWipe wipe_key(key);
		explicit_bzero(private_key, strlen(private_key)); // our palloc'd copy of the argument
		plaintext = relocate::decrypt_export(relocate::unwrap_tarball(data, length), key);
		data = plaintext.data();
		length = plaintext.size();
	} else if (given[kPrivateKey]) {
		pg_guard([] {
			ereport(NOTICE, (errmsg("relocate: private_key is ignored: the export is plain JSON, not encrypted")));
		});
	}

	if (reset && options.admitted_scopes != relocate::admitted_scopes_for("global"))
		throw ImportError(sqlstate::kInvalidParameterValue, "relocate: reset needs the global scope", {},
		                  "Only a Global-scope import restores a whole install; Sentry wipes nothing in other scopes.");

	relocate::pg::SpiTarget target;
	target.begin();
	if (reset)
		reset_sentry_tables();
	relocate::ImportReport report = relocate::run_import(data, length, options, target);
	target.end();

	pg_guard([&] {
		SetConfigOption("relocate.last_import_uuid", report.import_uuid.c_str(), PGC_USERSET, PGC_S_SESSION);
	});
	if (!given[kImportUuid]) {
		pg_guard([&] {
			ereport(NOTICE, (errmsg("relocate: import_uuid %s", report.import_uuid.c_str()),
			                 errhint("Run the same import again with import_uuid => '%s' to reuse what this one "
			                         "wrote (its import chunks) instead of writing it twice.",
			                         report.import_uuid.c_str())));
		});
	}
	if (report.org_auth_tokens_without_url > 0 || report.org_auth_tokens_without_org > 0) {
		pg_guard([&] {
			ereport(NOTICE,
			        (errmsg("relocate: skipped %" PRId64 " org auth token(s) that needed a new token: %" PRId64
			                " without Sentry's system.url-prefix, %" PRId64 " without their organization",
			                report.org_auth_tokens_without_url + report.org_auth_tokens_without_org,
			                report.org_auth_tokens_without_url, report.org_auth_tokens_without_org),
			         errhint("Set relocate.url_prefix to the install's system.url-prefix (as in config.yml) to "
			                 "mint them, as Sentry does.")));
		});
	}
	for (const relocate::DroppedField &d : report.dropped_fields) {
		pg_guard([&] {
			ereport(NOTICE, (errmsg("relocate: dropped field \"%s\" of %s in %" PRId64 " row(s): %s", d.field.c_str(),
			                        d.model.c_str(), d.rows, d.why.c_str())));
		});
	}
	for (const relocate::DroppedField &d : report.removed_models) {
		pg_guard([&] {
			ereport(NOTICE, (errmsg("relocate: skipped %" PRId64 " entries of %s: %s", d.rows, d.model.c_str(),
			                        d.why.c_str())));
		});
	}
	pg_guard([&] {
		InitMaterializedSRF(fcinfo, 0);
		ReturnSetInfo *rsinfo = reinterpret_cast<ReturnSetInfo *>(fcinfo->resultinfo);
		for (const relocate::ModelSummary &m : report.models) {
			Datum values[5] = {CStringGetTextDatum(m.model.c_str()), Int64GetDatum(m.inserted),
			                   Int64GetDatum(m.existing), Int64GetDatum(m.overwritten), Int64GetDatum(m.skipped)};
			bool nulls[5] = {false, false, false, false, false};
			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		}
	});
	return (Datum)0;
}

// --- the catalogue ----------------------------------------------------------------------------

std::string scopes_literal(std::uint8_t scopes) {
	std::string out = "{";
	for (std::uint8_t bit = 1; bit != 0 && bit <= relocate::kScopeGlobal; bit = static_cast<std::uint8_t>(bit << 1)) {
		if (scopes & bit) {
			if (out.size() > 1)
				out += ',';
			out += relocate::scope_name(static_cast<relocate::ScopeBits>(bit));
		}
	}
	return out + "}";
}

std::string silos_literal(std::uint8_t silos) {
	std::string out = "{";
	const std::pair<std::uint8_t, const char *> names[] = {
	    {relocate::kSiloControl, "Control"}, {relocate::kSiloRegion, "Region"}, {relocate::kSiloMonolith, "Monolith"}};
	for (const auto &n : names) {
		if (silos & n.first) {
			if (out.size() > 1)
				out += ',';
			out += n.second;
		}
	}
	return out + "}";
}

// Rows of a materialized SRF from C strings, through the declared result types' input functions.
void put_row(FunctionCallInfo fcinfo, AttInMetadata *meta, char **values) {
	pg_guard([&] {
		ReturnSetInfo *rsinfo = reinterpret_cast<ReturnSetInfo *>(fcinfo->resultinfo);
		tuplestore_puttuple(rsinfo->setResult, BuildTupleFromCStrings(meta, values));
	});
}

AttInMetadata *begin_srf(FunctionCallInfo fcinfo) {
	AttInMetadata *meta = nullptr;
	pg_guard([&] {
		InitMaterializedSRF(fcinfo, 0);
		meta = TupleDescGetAttInMetadata(reinterpret_cast<ReturnSetInfo *>(fcinfo->resultinfo)->setDesc);
	});
	return meta;
}

Datum relocate_catalogue_models_impl(FunctionCallInfo fcinfo) {
	AttInMetadata *meta = begin_srf(fcinfo);
	const relocate::ModelDef *models = relocate::catalogue_models();
	for (std::size_t i = 0; i < relocate::catalogue_size(); ++i) {
		const relocate::ModelDef &m = models[i];
		std::string deps = "{";
		for (std::size_t k = 0; k < m.relocation_dependency_count; ++k)
			deps += std::string(k ? "," : "") + m.relocation_dependencies[k];
		deps += "}";
		std::string uniques = "[";
		for (std::size_t k = 0; k < m.unique_count; ++k) {
			uniques += k ? ",[" : "[";
			std::string set = m.uniques[k];
			std::size_t start = 0;
			for (bool first = true;; first = false) {
				std::size_t comma = set.find(',', start);
				uniques += (first ? "\"" : ",\"") + set.substr(start, comma - start) + "\"";
				if (comma == std::string::npos)
					break;
				start = comma + 1;
			}
			uniques += "]";
		}
		uniques += "]";
		std::string scopes = scopes_literal(m.scopes), silos = silos_literal(m.silos);
		std::string sort_order = std::to_string(m.sort_order);
		char *values[] = {const_cast<char *>(m.name),
		                  const_cast<char *>(m.table),
		                  scopes.data(),
		                  silos.data(),
		                  sort_order.data(),
		                  const_cast<char *>(m.exportable() ? "true" : "false"),
		                  const_cast<char *>(m.dangling ? "true" : "false"),
		                  deps.data(),
		                  uniques.data()};
		put_row(fcinfo, meta, values);
	}
	return (Datum)0;
}

Datum relocate_catalogue_foreign_keys_impl(FunctionCallInfo fcinfo) {
	AttInMetadata *meta = begin_srf(fcinfo);
	const relocate::ModelDef *models = relocate::catalogue_models();
	for (std::size_t i = 0; i < relocate::catalogue_size(); ++i) {
		const relocate::ModelDef &m = models[i];
		for (std::size_t k = 0; k < m.foreign_key_count; ++k) {
			const relocate::ForeignKeyDef &fk = m.foreign_keys[k];
			std::string column = relocate::column_for_field(m, fk.field);
			char *values[] = {const_cast<char *>(m.name),
			                  const_cast<char *>(fk.field),
			                  column.data(),
			                  const_cast<char *>(fk.target),
			                  const_cast<char *>(relocate::fk_kind_name(fk.kind)),
			                  const_cast<char *>(fk.nullable ? "true" : "false")};
			put_row(fcinfo, meta, values);
		}
	}
	return (Datum)0;
}

} // namespace

extern "C" {

void _PG_init(void) {
	DefineCustomBoolVariable("relocate.ignore_unknown_fields",
	                         "Drop export fields that the target table has no column for, instead of failing.",
	                         "Dropped fields are reported in a NOTICE with their row counts.", &ignore_unknown_fields,
	                         false, PGC_USERSET, 0, nullptr, nullptr, nullptr);
	DefineCustomIntVariable("relocate.batch_size", "Rows per INSERT statement written by relocate_import.", nullptr,
	                        &batch_size, 1000, 1, 100000, PGC_USERSET, 0, nullptr, nullptr, nullptr);
	DefineCustomIntVariable("relocate.password_hash_iterations",
	                        "PBKDF2-SHA256 iterations of the password hashes written outside Global scope.",
	                        "Django 5.0 uses 720000; each hash then costs about half a second of CPU. Django rehashes "
	                        "with its own count at the user's next login.",
	                        &password_hash_iterations, 720000, 1, 100000000, PGC_USERSET, 0, nullptr, nullptr, nullptr);
	DefineCustomStringVariable("relocate.region_name",
	                           "region_name of the organization slug reservations written (Sentry's monolith region).",
	                           nullptr, &region_name, "--monolith--", PGC_USERSET, 0, nullptr, nullptr, nullptr);
	DefineCustomStringVariable("relocate.url_prefix",
	                           "Sentry's system.url-prefix, for OrgAuthTokens minted when the database has no such option.",
	                           "Self-hosted installs usually set it in config.yml; without it such tokens are skipped.",
	                           &url_prefix, "", PGC_USERSET, 0, nullptr, nullptr, nullptr);
	DefineCustomStringVariable("relocate.last_import_uuid",
	                           "The import_uuid of the last relocate_import in this session (given or minted).",
	                           "Pass it as import_uuid to run the same import again without writing it twice.",
	                           &last_import_uuid, "", PGC_USERSET, 0, nullptr, nullptr, nullptr);
	MarkGUCPrefixReserved("relocate");
}

Datum relocate_import(PG_FUNCTION_ARGS) { return relocate::pg::call_entry(relocate_import_impl, fcinfo); }

Datum relocate_catalogue_models(PG_FUNCTION_ARGS) {
	return relocate::pg::call_entry(relocate_catalogue_models_impl, fcinfo);
}

Datum relocate_catalogue_foreign_keys(PG_FUNCTION_ARGS) {
	return relocate::pg::call_entry(relocate_catalogue_foreign_keys_impl, fcinfo);
}
}

// SQL-callable entry points of the relocate extension. Each C entry point is one line that hands
// its C++ body to call_entry (the error boundary); the bodies reach PostgreSQL only via pg_guard.

#include <cinttypes>
#include <string>

#include "core/catalogue.hpp"
#include "core/error.hpp"
#include "core/importer.hpp"
#include "pg/boundary.hpp"
#include "pg/spi_target.hpp"

extern "C" {
#include "funcapi.h"
#include "miscadmin.h"
#include "utils/builtins.h"
#include "utils/guc.h"
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
};

void reject_unsupported(bool given, const char *argument, const char *issue_text) {
	if (given)
		throw ImportError(sqlstate::kFeatureNotSupported,
		                  std::string("relocate: ") + argument + " is not supported yet",
		                  std::string("This version of relocate implements the import engine only; ") + issue_text +
		                      " comes with a later version.",
		                  std::string("Call relocate_import without ") + argument + ".");
}

// A gzip/bzip2/xz stream or a tar archive: what `sentry export --encrypt-with` writes.
bool looks_like_tarball(const char *data, std::size_t n) {
	const unsigned char *p = reinterpret_cast<const unsigned char *>(data);
	if (n >= 2 && p[0] == 0x1f && p[1] == 0x8b)
		return true;
	if (n >= 3 && p[0] == 'B' && p[1] == 'Z' && p[2] == 'h')
		return true;
	if (n >= 6 && p[0] == 0xfd && p[1] == '7' && p[2] == 'z' && p[3] == 'X' && p[4] == 'Z' && p[5] == 0)
		return true;
	return n >= 262 && std::string(data + 257, 5) == "ustar";
}

Datum relocate_import_impl(FunctionCallInfo fcinfo) {
	const char *data = nullptr;
	std::size_t length = 0;
	const char *scope = nullptr;
	bool given[kPrivateKey + 1] = {};
	bool merge_users = false, overwrite_configs = false, hide_organizations = false;
	pg_guard([&] {
		for (int i = 0; i <= kPrivateKey; ++i)
			given[i] = !PG_ARGISNULL(i);
		if (given[kExport]) {
			bytea *export_data = PG_GETARG_BYTEA_PP(kExport);
			data = VARDATA_ANY(export_data);
			length = VARSIZE_ANY_EXHDR(export_data);
		}
		if (given[kScope])
			scope = text_to_cstring(PG_GETARG_TEXT_PP(kScope));
		merge_users = given[kMergeUsers] && PG_GETARG_BOOL(kMergeUsers);
		overwrite_configs = given[kOverwriteConfigs] && PG_GETARG_BOOL(kOverwriteConfigs);
		hide_organizations = given[kHideOrganizations] && PG_GETARG_BOOL(kHideOrganizations);
	});
	if (data == nullptr)
		throw ImportError("22004", "relocate: the export must not be NULL");
	if (scope == nullptr)
		throw ImportError("22004", "relocate: the scope must not be NULL", {},
		                  "The scope is one of 'user', 'organization', 'config' or 'global'.");

	relocate::ImportOptions options;
	options.admitted_scopes = relocate::admitted_scopes_for(scope);
	options.ignore_unknown_fields = ignore_unknown_fields;
	options.batch_rows = static_cast<std::size_t>(batch_size);

	reject_unsupported(given[kOrgFilter], "org_filter", "filtering by organization slug");
	reject_unsupported(given[kUserFilter], "user_filter", "filtering by username");
	reject_unsupported(merge_users, "merge_users", "merging users");
	reject_unsupported(overwrite_configs, "overwrite_configs", "overwriting configuration");
	reject_unsupported(hide_organizations, "hide_organizations", "hiding organizations");
	reject_unsupported(given[kImportUuid], "import_uuid", "resumable imports with import chunks");
	reject_unsupported(given[kPrivateKey], "private_key", "decrypting encrypted exports");
	if (looks_like_tarball(data, length))
		throw ImportError(sqlstate::kFeatureNotSupported,
		                  "relocate: the export is a tarball (an encrypted Sentry export), which is not supported yet",
		                  {}, "Pass the plain JSON export (sentry export without --encrypt-with).");

	relocate::pg::SpiTarget target;
	target.begin();
	relocate::ImportReport report = relocate::run_import(data, length, options, target);
	target.end();

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

// relocate_import(export, scope, ...): the SQL entry point of the import. Reads its arguments,
// decrypts an encrypted export in memory, runs the engine through the SPI target in the caller's
// transaction, reports what was skipped or dropped in NOTICEs, and returns the per-model summary.

#include <cinttypes>
#include <cstring>
#include <string>

#include "core/decrypt.hpp"
#include "core/error.hpp"
#include "core/importer.hpp"
#include "pg/boundary.hpp"
#include "pg/import_args.hpp"
#include "pg/private_key.hpp"
#include "pg/settings.hpp"
#include "pg/spi_target.hpp"

extern "C" {
#include "executor/spi.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/tuplestore.h"
}

namespace {

using relocate::ImportError;
using relocate::pg::pg_guard;
namespace sqlstate = relocate::sqlstate;

// The export's bytes to import: the argument itself, or, for an encrypted export (a tarball), its
// plaintext decrypted in memory into `plaintext` (which the caller wipes). The key is wiped here.
std::string_view export_json(relocate::pg::ImportArgs &args, std::string &plaintext) {
	if (!relocate::looks_like_tarball(args.export_data, args.export_length)) {
		if (args.private_key != nullptr)
			pg_guard([] {
				ereport(NOTICE, (errmsg("relocate: private_key is ignored: the export is plain JSON, not encrypted")));
			});
		return {args.export_data, args.export_length};
	}
	if (args.private_key == nullptr)
		throw ImportError("22004", "relocate: the export is encrypted (a tarball), but no private_key was given", {},
		                  "Pass the private key matching the key.pub the export was encrypted with.");
	std::string key = relocate::pg::private_key_pem(args.private_key);
	relocate::pg::SecretWipe wipe_key(key);
	explicit_bzero(args.private_key, strlen(args.private_key)); // our palloc'd copy of the argument
	plaintext = relocate::decrypt_export(relocate::unwrap_tarball(args.export_data, args.export_length), key);
	return plaintext;
}

// Sentry's Global-scope reset, only when asked for: every table of the catalogue that exists is
// emptied and its sequences restarted, in one TRUNCATE (in the caller's transaction).
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

// The NOTICEs after an import: the minted import_uuid, and everything skipped or dropped on purpose.
void report_notices(const relocate::ImportReport &report, bool uuid_given) {
	pg_guard([&] {
		if (!uuid_given)
			ereport(NOTICE, (errmsg("relocate: import_uuid %s", report.import_uuid.c_str()),
			                 errhint("Run the same import again with import_uuid => '%s' to reuse what this one "
			                         "wrote (its import chunks) instead of writing it twice.",
			                         report.import_uuid.c_str())));
		if (report.org_auth_tokens_without_url > 0 || report.org_auth_tokens_without_org > 0)
			ereport(NOTICE, (errmsg("relocate: skipped %" PRId64 " org auth token(s) that needed a new token: %" PRId64
			                        " without Sentry's system.url-prefix, %" PRId64 " without their organization",
			                        report.org_auth_tokens_without_url + report.org_auth_tokens_without_org,
			                        report.org_auth_tokens_without_url, report.org_auth_tokens_without_org),
			                 errhint("Set relocate.url_prefix to the install's system.url-prefix (as in config.yml) to "
			                         "mint them, as Sentry does.")));
		for (const relocate::DroppedField &d : report.dropped_fields)
			ereport(NOTICE, (errmsg("relocate: dropped field \"%s\" of %s in %" PRId64 " row(s): %s", d.field.c_str(),
			                        d.model.c_str(), d.rows, d.why.c_str())));
		for (const relocate::DroppedField &d : report.unmapped_references)
			if (d.rows > 0)
				ereport(NOTICE, (errmsg("relocate: field \"%s\" of %s in %" PRId64 " row(s) %s", d.field.c_str(),
				                        d.model.c_str(), d.rows, d.why.c_str())));
		for (const relocate::DroppedField &d : report.removed_models)
			ereport(NOTICE, (errmsg("relocate: skipped %" PRId64 " entries of %s: %s", d.rows, d.model.c_str(),
			                        d.why.c_str())));
	});
}

// The result set: one row per model, in the order the models first appear in the file.
void return_summary(FunctionCallInfo fcinfo, const relocate::ImportReport &report) {
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
}

} // namespace

RELOCATE_SQL_FUNCTION(relocate_import) {
	relocate::pg::ImportArgs args = relocate::pg::read_import_args(fcinfo);
	const relocate::ImportOptions options = relocate::pg::import_options(args);
	// The plaintext of an encrypted export is wiped when it goes out of scope, on success and on
	// error alike.
	std::string plaintext;
	relocate::pg::SecretWipe wipe_plaintext(plaintext);
	const std::string_view json = export_json(args, plaintext);

	relocate::pg::SpiTarget target;
	target.begin();
	if (args.reset)
		reset_sentry_tables();
	const relocate::ImportReport report = relocate::run_import(json.data(), json.size(), options, target);
	target.end();

	pg_guard([&] { relocate::pg::set_last_import_uuid(report.import_uuid); });
	report_notices(report, args.import_uuid.has_value());
	return_summary(fcinfo, report);
	return (Datum)0;
}

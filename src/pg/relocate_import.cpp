// The SQL entry points of the import: relocate_import(export bytea | text, ...),
// relocate_import_file(path, ...) and relocate_import_large_object(oid, ...). Each reads its
// arguments, opens the export as a stream (decompressed or decrypted on the fly), runs the engine
// through the SPI target in the caller's transaction, reports what was skipped or dropped in
// NOTICEs, and returns the per-model summary.

#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <string>

#include "core/decrypt.hpp"
#include "core/export_input.hpp"
#include "core/error.hpp"
#include "core/importer.hpp"
#include "pg/boundary.hpp"
#include "pg/export_sources.hpp"
#include "pg/import_args.hpp"
#include "pg/private_key.hpp"
#include "pg/settings.hpp"
#include "pg/spi_target.hpp"

extern "C" {
#include "executor/spi.h"
#include "funcapi.h"
#include "access/xact.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/tuplestore.h"
}

namespace {

using relocate::ImportError;
using relocate::pg::pg_guard;
namespace sqlstate = relocate::sqlstate;

// The export's raw bytes, from wherever the first argument says.
std::unique_ptr<relocate::ByteSource> raw_export(const relocate::pg::ImportArgs &args, relocate::pg::ExportArg kind) {
	switch (kind) {
	case relocate::pg::ExportArg::kBytes:
		return std::make_unique<relocate::MemorySource>(args.export_data, args.export_length);
	case relocate::pg::ExportArg::kPath:
		return std::make_unique<relocate::pg::ServerFile>(args.export_path);
	case relocate::pg::ExportArg::kLargeObject:
		break;
	}
	return std::make_unique<relocate::pg::LargeObject>(args.export_oid);
}

// The export as JSON: plain, decompressed, or (with the private key, which is wiped here) decrypted.
std::unique_ptr<relocate::ExportInput> open_input(relocate::ByteSource &raw, relocate::pg::ImportArgs &args,
                                                  const relocate::CheckInterrupts &check) {
	if (args.private_key == nullptr)
		return std::make_unique<relocate::ExportInput>(raw, nullptr, check);
	std::string key = relocate::pg::private_key_pem(args.private_key);
	relocate::pg::SecretWipe wipe_key(key);
	explicit_bzero(args.private_key, strlen(args.private_key)); // our palloc'd copy of the argument
	const std::string_view pem = key;
	auto input = std::make_unique<relocate::ExportInput>(raw, &pem, check);
	if (input->format() != relocate::ExportFormat::kEncrypted)
		pg_guard([] {
			ereport(NOTICE, (errmsg("relocate: private_key is ignored: the export is plain JSON, not encrypted")));
		});
	return input;
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
		for (const relocate::DroppedField &d : report.removed_models)
			ereport(NOTICE, (errmsg("relocate: skipped %" PRId64 " entries of %s: %s", d.rows, d.model.c_str(),
			                        d.why.c_str())));
	});
}

// With relocate.timing on: where the import's time went, by phase.
void report_timing(const relocate::ImportReport &report) {
	if (!relocate::pg::timing_enabled())
		return;
	std::string text;
	double total = 0;
	for (std::size_t p = 0; p < report.phase_seconds.size(); ++p) {
		const double s = report.phase_seconds[p];
		total += s;
		char part[96];
		snprintf(part, sizeof part, "%s%s %.3f s", text.empty() ? "" : ", ",
		         relocate::phase_name(static_cast<relocate::Phase>(p)), s);
		text += part;
	}
	char sum[64];
	snprintf(sum, sizeof sum, "%.3f s", total);
	pg_guard([&] { ereport(NOTICE, (errmsg("relocate: timing: %s in all: %s", sum, text.c_str()))); });
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

// relocate hands the export's decoded text to the database as it is (it is checked to be UTF-8
// where it is decoded): a database of another encoding would store it wrongly, or refuse it row
// by row. Refused up front.
void require_utf8_database() {
	bool utf8 = false;
	const char *name = nullptr;
	pg_guard([&] {
		utf8 = GetDatabaseEncoding() == PG_UTF8;
		name = GetDatabaseEncodingName();
	});
	if (!utf8)
		throw ImportError(sqlstate::kFeatureNotSupported,
		                  std::string("relocate: the database encoding is ") + name +
		                      "; relocate imports into UTF8 databases only",
		                  "A Sentry export is UTF-8 JSON, and relocate writes its text as it is.",
		                  "Import into a database created with ENCODING 'UTF8', as Sentry's databases are.");
}

// Concurrent imports take turns on the import lock (SpiTarget::lock_import), and each must see
// what the one before it committed: the usernames, slugs and emails it took, the chunks of its
// import_uuid. A REPEATABLE READ or SERIALIZABLE transaction sees the database as it was when its
// snapshot was taken, before the lock, so it would collide with what it cannot see (23505) or
// write the same import twice. Refused up front.
void require_read_committed() {
	bool snapshot_isolation = false;
	pg_guard([&] { snapshot_isolation = IsolationUsesXactSnapshot(); });
	if (snapshot_isolation)
		throw ImportError(sqlstate::kFeatureNotSupported,
		                  "relocate: relocate_import cannot run in a REPEATABLE READ or SERIALIZABLE transaction",
		                  "Imports take turns on a lock, and each must see what the one before it committed; a "
		                  "transaction snapshot taken before the lock does not.",
		                  "Import in a READ COMMITTED transaction (the default): BEGIN ISOLATION LEVEL READ COMMITTED.");
}

// The body of every import function: `kind` says what the first argument is.
Datum run_import_function(FunctionCallInfo fcinfo, relocate::pg::ExportArg kind) {
	require_utf8_database();
	require_read_committed();
	relocate::pg::ImportArgs args = relocate::pg::read_import_args(fcinfo, kind);
	const relocate::ImportOptions options = relocate::pg::import_options(args);
	const relocate::CheckInterrupts check = [] { relocate::pg::check_for_interrupts(); };
	std::unique_ptr<relocate::ByteSource> raw = raw_export(args, kind);
	std::unique_ptr<relocate::ExportInput> input = open_input(*raw, args, check);

	relocate::pg::SpiTarget target;
	target.begin();
	const relocate::ImportReport report = relocate::run_import(input->json(), options, target);
	target.end();

	pg_guard([&] { relocate::pg::set_last_import_uuid(report.import_uuid); });
	report_notices(report, args.import_uuid.has_value());
	report_timing(report);
	return_summary(fcinfo, report);
	return (Datum)0;
}

} // namespace

RELOCATE_SQL_FUNCTION(relocate_import) {
	return run_import_function(fcinfo, relocate::pg::ExportArg::kBytes);
}

RELOCATE_SQL_FUNCTION(relocate_import_file) {
	return run_import_function(fcinfo, relocate::pg::ExportArg::kPath);
}

RELOCATE_SQL_FUNCTION(relocate_import_large_object) {
	return run_import_function(fcinfo, relocate::pg::ExportArg::kLargeObject);
}

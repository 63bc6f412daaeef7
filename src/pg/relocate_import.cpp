// The SQL entry points of the import: relocate_import(export bytea | text, ...),
// relocate_import_file(path, ...) and relocate_import_large_object(oid, ...). Each reads its
// arguments, opens the export as a stream (decompressed or decrypted on the fly), runs the engine
// through the SPI target in the caller's transaction, reports what was skipped or dropped in
// NOTICEs, and returns the per-model summary.

#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "core/decrypt.hpp"
#include "core/export_input.hpp"
#include "core/error.hpp"
#include "core/importer.hpp"
#include "pg/boundary.hpp"
#include "pg/export_sources.hpp"
#include "pg/import_args.hpp"
#include "pg/import_run.hpp"
#include "pg/private_key.hpp"
#include "pg/settings.hpp"
#include "pg/spi_target.hpp"

extern "C" {
#include "access/xact.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "mb/pg_wchar.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/resowner.h"
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

// "org_filter: no organization of the export has the slug \"TESTING\"" (or "any of the slugs", at
// most ten of them, then how many more), then "; 1 NULL element matches no organization" for the
// filter's NULL elements; empty if the filter names no such value.
std::string unmatched_filter(const char *filter, const char *who, const char *what,
                             const std::vector<std::string> &values, std::int64_t nulls) {
	if (values.empty() && nulls == 0)
		return std::string();
	std::string out = std::string(filter) + ": ";
	if (!values.empty()) {
		out += "no " + std::string(who) + " of the export has " +
		       (values.size() == 1 ? "the " + std::string(what) : "any of the " + std::string(what) + "s");
		for (std::size_t i = 0; i < values.size() && i < 10; ++i)
			out += (i ? ", \"" : " \"") + values[i] + "\"";
		if (values.size() > 10)
			out += " and " + std::to_string(values.size() - 10) + " more";
		if (nulls > 0)
			out += "; ";
	}
	if (nulls > 0)
		out += std::to_string(nulls) + (nulls == 1 ? " NULL element matches no " : " NULL elements match no ") + who;
	return out;
}

// The messages after an import: the minted import_uuid, a replay, renamed slugs and usernames
// (NOTICEs); everything skipped or dropped on purpose (WARNINGs: data the import leaves out).
void report_notices(const relocate::ImportReport &report, const relocate::pg::SpiRun &run) {
	std::int64_t reused = 0;
	for (const relocate::ModelSummary &m : report.models)
		reused += m.reused;
	std::string renamed; // "2 usernames and 1 slug"
	auto count = [](std::int64_t n, const char *what) { return std::to_string(n) + " " + what + (n == 1 ? "" : "s"); };
	if (report.usernames_renamed > 0)
		renamed = count(report.usernames_renamed, "username");
	if (report.slugs_renamed > 0)
		renamed += (renamed.empty() ? "" : " and ") + count(report.slugs_renamed, "slug");
	// "regenerated 3 keys or tokens (empty in the export, or taken on this install) and cleared 1
	// invitation token (another member's)"
	std::string minted;
	if (report.tokens_regenerated > 0)
		minted = "regenerated " + std::to_string(report.tokens_regenerated) +
		         (report.tokens_regenerated == 1 ? " key or token" : " keys or tokens") +
		         " (empty in the export, or taken on this install)";
	if (report.tokens_cleared > 0)
		minted += (minted.empty() ? "cleared " : " and cleared ") + count(report.tokens_cleared, "invitation token") +
		          " (another member's)";
	const std::string unmatched_filters[] = {
	    unmatched_filter("org_filter", "organization", "slug", report.org_filter_unmatched, report.org_filter_nulls),
	    unmatched_filter("user_filter", "user", "username", report.user_filter_unmatched, report.user_filter_nulls)};
	pg_guard([&] {
		if (!run.uuid_given)
			ereport(NOTICE, (errmsg("relocate: import_uuid %s", report.import_uuid.c_str()),
			                 errhint("Run the same import again with import_uuid => '%s' to reuse what this one "
			                         "wrote (its import chunks) instead of writing it twice.",
			                         report.import_uuid.c_str())));
		if (report.chunks_reused > 0)
			ereport(NOTICE, (errmsg("relocate: replay: %" PRId64 " entries were written by an earlier run with "
			                        "import_uuid %s (%" PRId64 " import chunks) and are reused, not written again",
			                        reused, report.import_uuid.c_str(), report.chunks_reused),
			                 errdetail("The summary counts them as reused, not inserted.")));
		if (!renamed.empty())
			ereport(NOTICE,
			        (errmsg("relocate: renamed %s", renamed.c_str()),
			         errdetail("Each was taken (on this install, or by an earlier entry of the export) or, for a "
			                   "slug, normalized, reserved by Sentry, digits only or empty in the export; "
			                   "relocate_report says which."),
			         errhint("List them with SELECT * FROM pg_temp.relocate_report WHERE action = 'renamed'%s",
			                 report.usernames_renamed > 0 ? "; users who were renamed log in with their new username."
			                                              : ".")));
		if (!minted.empty())
			ereport(NOTICE,
			        (errmsg("relocate: %s", minted.c_str()),
			         errhint("List them with SELECT * FROM pg_temp.relocate_report WHERE action IN ('regenerated', "
			                 "'cleared'); a project whose key was regenerated has a new DSN, and its SDKs must be "
			                 "given it.")));
		if (report.org_auth_tokens_without_url > 0 || report.org_auth_tokens_without_org > 0)
			ereport(WARNING,
			        (errmsg("relocate: skipped %" PRId64 " org auth token(s) that needed a new token: %" PRId64
			                " without Sentry's system.url-prefix, %" PRId64 " without their organization",
			                report.org_auth_tokens_without_url + report.org_auth_tokens_without_org,
			                report.org_auth_tokens_without_url, report.org_auth_tokens_without_org),
			         errhint("Set relocate.url_prefix to the install's system.url-prefix (as in config.yml) to "
			                 "mint them, as Sentry does.")));
		for (const std::string &message : unmatched_filters)
			if (!message.empty())
				ereport(WARNING,
				        (errmsg("relocate: %s", message.c_str()),
				         errdetail("The filter admits nothing for it: filters compare exactly, letter case included, "
				                   "with the values in the export (before any renaming), as Sentry's do, and a NULL "
				                   "element equals no value."),
				         errhint("List the export's organizations and users with relocate-import --list.")));
		for (const relocate::DroppedField &d : report.dropped_fields)
			ereport(WARNING, (errmsg("relocate: dropped field \"%s\" of %s in %" PRId64 " row(s): %s", d.field.c_str(),
			                         d.model.c_str(), d.rows, d.why.c_str())));
		for (const relocate::DroppedField &d : report.unmapped_references)
			if (d.rows > 0)
				ereport(WARNING, (errmsg("relocate: field \"%s\" of %s in %" PRId64 " row(s) %s", d.field.c_str(),
				                         d.model.c_str(), d.rows, d.why.c_str())));
		for (const relocate::DroppedField &d : report.removed_models)
			ereport(WARNING, (errmsg("relocate: skipped %" PRId64 " entries of %s: %s", d.rows, d.model.c_str(),
			                         d.why.c_str())));
		if (run.dry_run)
			ereport(NOTICE, (errmsg("relocate: dry run: everything above was done and rolled back; nothing was "
			                        "written but the session tables relocate_pk_map and relocate_report"),
			                 errdetail("The new pks are those the import would have used; the ids it took from "
			                           "the tables' sequences are not given back, as in any rolled-back "
			                           "transaction.")));
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
	pg_guard([&] {
		ereport(NOTICE, (errmsg("relocate: timing: %s in all: %s", sum, text.c_str()),
		                 errdetail("The pk map holds %lld entries in %lld bytes.",
		                           static_cast<long long>(report.pk_map_entries),
		                           static_cast<long long>(report.pk_map_bytes))));
	});
}

// The summary's skipped_reasons: {"<reason>": n, ...} for the nonzero counts, in SkipReason order.
std::string skipped_reasons_json(const relocate::ModelSummary &m) {
	std::string json = "{";
	for (std::size_t r = 0; r < m.skipped_by.size(); ++r) {
		if (m.skipped_by[r] == 0)
			continue;
		json += json.size() > 1 ? ", \"" : "\"";
		json += relocate::skip_reason_name(static_cast<relocate::SkipReason>(r));
		json += "\": " + std::to_string(m.skipped_by[r]);
	}
	return json + "}";
}

// The result set: one row per model, in the order the models first appear in the file.
void return_summary(FunctionCallInfo fcinfo, const relocate::ImportReport &report) {
	std::vector<std::string> reasons;
	for (const relocate::ModelSummary &m : report.models)
		reasons.push_back(skipped_reasons_json(m));
	pg_guard([&] {
		InitMaterializedSRF(fcinfo, 0);
		ReturnSetInfo *rsinfo = reinterpret_cast<ReturnSetInfo *>(fcinfo->resultinfo);
		for (std::size_t i = 0; i < report.models.size(); ++i) {
			const relocate::ModelSummary &m = report.models[i];
			Datum values[7] = {CStringGetTextDatum(m.model.c_str()),
			                   Int64GetDatum(m.inserted),
			                   Int64GetDatum(m.existing),
			                   Int64GetDatum(m.overwritten),
			                   Int64GetDatum(m.skipped),
			                   Int64GetDatum(m.reused),
			                   DirectFunctionCall1(jsonb_in, CStringGetDatum(reasons[i].c_str()))};
			bool nulls[7] = {false, false, false, false, false, false, false};
			tuplestore_putvalues(rsinfo->setResult, rsinfo->setDesc, values, nulls);
		}
	});
}

// The subtransaction of a dry run: begun, then rolled back (also when the import fails, so that a
// caller's own subtransaction, e.g. a PL/pgSQL exception block, is the one left to handle it).
class DryRunSubtransaction {
public:
	void begin() {
		pg_guard([&] {
			context_ = CurrentMemoryContext;
			owner_ = CurrentResourceOwner;
			BeginInternalSubTransaction(nullptr);
			MemoryContextSwitchTo(context_);
		});
		open_ = true;
	}
	void roll_back() {
		if (!open_)
			return;
		open_ = false;
		pg_guard([&] {
			RollbackAndReleaseCurrentSubTransaction();
			MemoryContextSwitchTo(context_);
			CurrentResourceOwner = owner_;
		});
	}

private:
	bool open_ = false;
	MemoryContext context_ = nullptr;
	ResourceOwner owner_ = nullptr;
};

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

} // namespace

namespace relocate::pg {

// Concurrent imports take turns on the import lock (SpiTarget::lock_import), and each must see
// what the one before it committed: the usernames, slugs and emails it took, the chunks of its
// import_uuid. A REPEATABLE READ or SERIALIZABLE transaction sees the database as it was when its
// snapshot was taken, before the lock, so it would collide with what it cannot see (23505) or
// write the same import twice. Refused up front.
void require_read_committed() {
	bool snapshot_isolation = false;
	pg_guard([&] { snapshot_isolation = IsolationUsesXactSnapshot(); });
	if (snapshot_isolation)
		throw ImportError(
		    sqlstate::kFeatureNotSupported,
		    "relocate: an import cannot run in a REPEATABLE READ or SERIALIZABLE transaction",
		    "Imports take turns on a lock, and each must see what the one before it committed; a "
		    "transaction snapshot taken before the lock does not.",
		    "Import in a READ COMMITTED transaction (the default): BEGIN ISOLATION LEVEL READ COMMITTED.");
}

std::unique_ptr<ExportInput> open_export_input(ByteSource &raw, char *private_key, const CheckInterrupts &check) {
	if (private_key == nullptr)
		return std::make_unique<ExportInput>(raw, nullptr, check);
	std::string key;
	try {
		key = private_key_pem(private_key);
	} catch (...) {
		explicit_bzero(private_key, strlen(private_key)); // our palloc'd copy of the argument, also on error
		throw;
	}
	SecretWipe wipe_key(key);
	explicit_bzero(private_key, strlen(private_key)); // our palloc'd copy of the argument
	const std::string_view pem = key;
	auto input = std::make_unique<ExportInput>(raw, &pem, check);
	if (input->format() != ExportFormat::kEncrypted)
		pg_guard([] {
			ereport(NOTICE, (errmsg("relocate: private_key is ignored: the export is plain JSON, not encrypted")));
		});
	return input;
}

namespace {
const char *running_import = nullptr; // the SQL function whose import runs in this session
} // namespace

OneImportAtATime::OneImportAtATime(const char *function) {
	if (running_import != nullptr)
		throw ImportError(sqlstate::kFeatureNotSupported,
		                  std::string("relocate: ") + function + " cannot run while " + running_import +
		                      " is running in this session",
		                  std::string("It was called from a trigger or function that ") + running_import +
		                      "'s import fired; the two imports would share the session's pk map and report.",
		                  "Import the exports one after the other, or the second one from another session.");
	running_import = function;
}

OneImportAtATime::~OneImportAtATime() {
	running_import = nullptr;
}

// The wall-clock seconds `f` takes.
template <typename F> double seconds_of(F &&f) {
	const auto start = std::chrono::steady_clock::now();
	f();
	return std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
}

ImportReport run_spi_import(ByteSource &json, const ImportOptions &options, const SpiRun &run) {
	require_utf8_database();
	require_read_committed();
	SpiTarget target;
	DryRunSubtransaction dry_run;
	if (run.dry_run) {
		target.spool_session_rows();
		dry_run.begin();
	}
	ImportReport report;
	std::optional<ProgressReport> own_progress;
	ProgressReport &progress = run.progress != nullptr ? *run.progress : own_progress.emplace();
	progress.import_begun();
	target.set_progress_report(&progress);
	// The session tables' reset before the import and the pk map's primary key built after it
	// (SpiTarget::begin, end) run outside run_import's timeline: charged to its phases here, so
	// that relocate.timing accounts for the whole call.
	double begin_seconds = 0;
	double end_seconds = 0;
	try {
		begin_seconds = seconds_of([&] { target.begin(); });
		report = run_import(json, options, target);
		end_seconds = seconds_of([&] { target.end(); });
	} catch (...) {
		dry_run.roll_back();
		throw;
	}
	if (run.dry_run) {
		dry_run.roll_back();
		end_seconds += seconds_of([&] { target.write_spooled_rows(); });
	}
	report.phase_seconds[static_cast<std::size_t>(Phase::Setup)] += begin_seconds;
	report.phase_seconds[static_cast<std::size_t>(Phase::PkMap)] += end_seconds;

	pg_guard([&] { set_last_import_uuid(report.import_uuid); });
	report_notices(report, run);
	report_timing(report);
	return report;
}

ImportReport run_spi_import(std::string_view json, const ImportOptions &options, const SpiRun &run) {
	MemorySource source(json.data(), json.size());
	return run_spi_import(source, options, run);
}

} // namespace relocate::pg

namespace {

// The body of every import function: `kind` says what the first argument is.
Datum run_import_function(FunctionCallInfo fcinfo, relocate::pg::ExportArg kind) {
	const relocate::pg::OneImportAtATime one_import(kind == relocate::pg::ExportArg::kBytes ? "relocate_import"
	                                                : kind == relocate::pg::ExportArg::kPath
	                                                    ? "relocate_import_file"
	                                                    : "relocate_import_large_object");
	relocate::pg::ImportArgs args = relocate::pg::read_import_args(fcinfo, kind);
	relocate::ImportOptions options = relocate::pg::import_options(args);
	// The progress report starts here, so that the passes over the export before the import's own
	// (format detection, an encrypted export's HMAC check) show in relocate_progress too.
	relocate::pg::ProgressReport progress;
	const relocate::CheckInterrupts check = [&progress] { progress.check_before_import(); };
	std::unique_ptr<relocate::ByteSource> raw = raw_export(args, kind);
	relocate::CountingSource counted(*raw);
	progress.count_bytes(&counted);
	std::unique_ptr<relocate::ExportInput> input = relocate::pg::open_export_input(counted, args.private_key, check);
	options.withhold_values = input->format() == relocate::ExportFormat::kEncrypted;
	const relocate::ImportReport report = relocate::pg::run_spi_import(
	    input->json(), options,
	    relocate::pg::SpiRun{args.reset, args.import_uuid.has_value(), args.dry_run, &progress});
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

// The tasks of Sentry's relocation pipeline from importing on, as SQL functions (their database
// half: Sentry's e-mails are the caller's to send): relocate_importing, relocate_postprocessing,
// relocate_notifying_unhide, relocate_notifying_users, relocate_notifying_owner,
// relocate_completed, the whole chain relocate_relocation_run, and relocate_relocation_users.
// Each task passes Sentry's gate (run_task) and mirrors its task in
// src/sentry/relocation/tasks/process.py @ 0751a0d7.

#include <algorithm>
#include <cstring>
#include <string>
#include <vector>

#include "core/decrypt.hpp"
#include "core/error.hpp"
#include "core/export_input.hpp"
#include "core/generated_values.hpp"
#include "core/preprocessing.hpp"
#include "core/text.hpp"
#include "pg/boundary.hpp"
#include "pg/export_sources.hpp"
#include "pg/import_run.hpp"
#include "pg/private_key.hpp"
#include "pg/relocation_store.hpp"
#include "pg/relocation_task.hpp"
#include "pg/settings.hpp"
#include "pg/spi_query.hpp"

extern "C" {
#include "utils/builtins.h"
#include "utils/uuid.h"
}

namespace {

using relocate::ImportError;
using relocate::pg::pg_guard;
using relocate::pg::SqlRow;
using relocate::pg::TaskOutcome;
using relocate::pg::text_param;
using relocate::relocation::Relocation;
using relocate::relocation::Task;
namespace rel = relocate::relocation;
namespace pg = relocate::pg;

// The relocation_uuid argument, as text.
std::string uuid_arg(FunctionCallInfo fcinfo, int n) {
	const char *text = nullptr;
	pg_guard([&] {
		if (!PG_ARGISNULL(n))
			text = DatumGetCString(DirectFunctionCall1(uuid_out, PG_GETARG_DATUM(n)));
	});
	if (text == nullptr)
		throw ImportError(relocate::sqlstate::kNullValueNotAllowed, "relocate: relocation_uuid must not be NULL");
	return text;
}

// A text argument as a palloc'd C string (nullptr for NULL).
char *text_arg(FunctionCallInfo fcinfo, int n) {
	char *value = nullptr;
	pg_guard([&] {
		if (n < PG_NARGS() && !PG_ARGISNULL(n))
			value = text_to_cstring(PG_GETARG_TEXT_PP(n));
	});
	return value;
}

std::string int8_array_literal(const std::vector<std::string> &ids) {
	std::string out = "{";
	for (std::size_t i = 0; i < ids.size(); ++i)
		out += (i ? "," : "") + ids[i];
	return out + "}";
}

// The ids of the organizations the relocation's import inserted, as SQL over its region chunks.
std::string imported_org_ids_sql(const std::string &region_chunks) {
	return "SELECT m.value::pg_catalog.int8 FROM " + region_chunks +
	       " AS c CROSS JOIN LATERAL pg_catalog.jsonb_each_text(c.inserted_map) AS m "
	       "WHERE c.import_uuid OPERATOR(pg_catalog.=) $1::pg_catalog.uuid "
	       "AND c.model OPERATOR(pg_catalog.=) 'sentry.organization'";
}

std::string region_chunks() {
	const std::string table = pg::resolve_table("sentry_regionimportchunk");
	if (table.empty())
		throw relocate::missing_chunk_table_error("sentry_regionimportchunk", " (Sentry's import chunks)");
	return table;
}

// The imported organizations' slugs as a text[] literal (Sentry takes them from the region chunks'
// inserted_identifiers), sorted.
std::string imported_slugs_literal(const std::string &uuid) {
	relocate::TextArray slugs;
	for (const SqlRow &row : pg::imported_organizations(region_chunks(), uuid))
		if (row[1])
			slugs.emplace_back(*row[1]);
	std::sort(slugs.begin(), slugs.end());
	return relocate::pg_text_array_literal(slugs);
}

// ---- importing ---------------------------------------------------------------------------------

// Sentry's preprocessing_scan, when relocate_relocation_create could not run it (an encrypted
// export and no private_key then): the file must pass it before anything is imported. The export
// is read as a stream.
void deferred_preprocessing(Relocation &r, relocate::ByteSource &export_file, const std::string_view *pem,
                            const relocate::CheckInterrupts &check) {
	rel::ScanResult scan;
	if (relocate::detect_export_format(export_file, check) == relocate::ExportFormat::kEncrypted) {
		if (pem == nullptr)
			throw ImportError(relocate::sqlstate::kNullValueNotAllowed,
			                  "relocate: the export is encrypted (a tarball), but no private_key was given");
		scan = rel::scan_encrypted_export(export_file, *pem, r.want_org_slugs, check);
	} else {
		relocate::ExportInput input(export_file, nullptr, check);
		scan = rel::scan_export(input.json(), r.want_org_slugs, check);
	}
	if (scan.failure_reason)
		throw pg::ReasonedFailure{*scan.failure_reason, scan.detail};
	r.want_usernames = scan.want_usernames;
	r.latest_notified = static_cast<int>(rel::EmailKind::Started);
}

// importing's body: Sentry's import_in_organization_scope of the RAW_USER_DATA file with the
// relocation's flags (process.py, importing). The file is read from its large object as a stream.
void importing_body(Relocation &r, char *private_key, pg::ProgressReport &progress) {
	const std::string files = pg::require_table("sentry_relocationfile", " (Sentry's relocation files)");
	const std::string oid = pg::relocation_export_oid(files, r);
	pg::LargeObject export_file(atooid(oid.c_str()));
	relocate::CountingSource counted(export_file);
	progress.count_bytes(&counted);
	const relocate::CheckInterrupts check = [&progress] { progress.check_before_import(); };
	// The large object is the caller's, who may have changed it since the relocation's checks
	// passed: it must still be what relocate_relocation_file recorded (its size and SHA-1), read
	// through the descriptor the import reads (one snapshot for both).
	const auto [size, checksum] = pg::relocation_export_recorded(oid);
	const std::string size_now = std::to_string(export_file.size_hint());
	const std::string checksum_now = rel::sha1_hex(counted, check);
	counted.rewind();
	if (size_now != size || checksum_now != checksum)
		throw ImportError(
		    relocate::sqlstate::kObjectNotInPrerequisiteState,
		    "relocate: relocation " + r.uuid + ": its export is not the file the relocation was created with",
		    "relocate_relocation_file recorded for large object " + oid + " " +
		        (size.empty() ? "no size" : size + " bytes") + " with SHA-1 " +
		        (checksum.empty() ? "(none)" : checksum) + "; the large object has " + size_now + " bytes with SHA-1 " +
		        checksum_now + ". It was changed after relocate_relocation_create checked it.",
		    "Create the relocation again from the export (relocate_relocation_create), from a large "
		    "object no other role can write.");
	// The key is read once, for the deferred checks and the import; it is wiped when done.
	std::string pem;
	pg::SecretWipe wipe_key(pem);
	if (private_key != nullptr) {
		pem = pg::private_key_pem(private_key);
		explicit_bzero(private_key, strlen(private_key));
	}
	const std::string_view key = pem;
	const std::string_view *key_given = private_key != nullptr ? &key : nullptr;
	if (!r.want_usernames)
		deferred_preprocessing(r, counted, key_given, check);
	relocate::ExportInput input(counted, key_given, check);
	if (key_given != nullptr && input.format() != relocate::ExportFormat::kEncrypted)
		pg::notice("relocate: private_key is ignored: the export is plain JSON, not encrypted");
	relocate::ImportOptions options;
	options.admitted_scopes = relocate::admitted_scopes_for("organization");
	relocate::TextArray org_filter;
	for (const std::string &slug : r.want_org_slugs)
		org_filter.emplace_back(slug);
	options.org_filter = org_filter;
	options.import_uuid = r.uuid;
	options.hide_organizations = true;
	options.merge_users = r.provenance == static_cast<int>(rel::Provenance::SaasToSaas);
	options.overwrite_configs = false;
	options.withhold_values = input.format() == relocate::ExportFormat::kEncrypted;
	pg::apply_settings(options);
	pg::run_spi_import(input.json(), options, pg::SpiRun{false, true, false, &progress});
}

// An encrypted export without private_key, or with one that cannot be read (neither PEM nor an
// absolute path, a key file that is missing or that the role may not read), is the caller's
// mistake, not the relocation's: ERROR before the gate writes anything (an attempt would be spent
// for nothing). A key that is read but does not fit is the relocation's failure (the body's).
void check_key_argument(const Relocation &r, const char *private_key) {
	std::string head;
	try {
		pg::in_subtransaction([&] {
			const std::string files = pg::require_table("sentry_relocationfile", "");
			pg::spi_append_bytea("SELECT pg_catalog.lo_get($1::pg_catalog.oid, 0, 512)",
			                     {text_param(pg::relocation_export_oid(files, r))}, head);
		});
	} catch (const pg::SubtransactionFailed &) {
		throw;
	} catch (const pg::PgError &e) {
		if (e.edata()->sqlerrcode == ERRCODE_QUERY_CANCELED)
			throw;
		return; // the body reports a missing or unreadable file
	} catch (const ImportError &) {
		return;
	}
	if (!relocate::looks_like_tarball(head.data(), head.size()))
		return;
	if (private_key == nullptr)
		throw ImportError(relocate::sqlstate::kNullValueNotAllowed,
		                  "relocate: the export of relocation " + r.uuid +
		                      " is encrypted (a tarball), but no "
		                      "private_key was given",
		                  "Nothing was changed: the relocation and its attempts are as they were.",
		                  "Pass the private key matching the export's key.pub: private_key => PEM text or the path of "
		                  "a PEM file the server can read.");
	std::string pem = pg::private_key_pem(private_key); // its errors are ERRORs here
	pg::SecretWipe wipe(pem);
}

TaskOutcome importing(const std::string &uuid, char *private_key, std::vector<SqlRow> *rows) {
	// The task shows in relocate_progress from its start: waiting for the import lock, checking the
	// export's SHA-1, Sentry's preprocessing scan, then the import.
	const pg::OneImportAtATime one_import("relocate_importing");
	pg::ProgressReport progress;
	TaskOutcome outcome = pg::run_task(
	    uuid, {Task::Importing, rel::kMaxSlowTaskAttempts, rel::kErrImportingInternal},
	    [&](Relocation &r) { importing_body(r, private_key, progress); },
	    [&](const Relocation &r) { check_key_argument(r, private_key); });
	if (outcome.kind == TaskOutcome::Kind::Done && rows != nullptr)
		*rows = pg::imported_organizations(region_chunks(), uuid);
	return outcome;
}

// ---- postprocessing ----------------------------------------------------------------------------

// postprocessing's body (process.py, postprocessing; organization_service.add_organization_member
// at 24.9's organizations/services/organization/impl.py): the owner becomes an owner member of
// every imported organization that does not have them as a member yet (an existing membership is
// left as it is); the signals and analytics write nothing in the database.
void postprocessing_body(Relocation &r, std::vector<SqlRow> &rows) {
	const std::string orgs = pg::require_table("sentry_organization", " (Sentry's organizations)");
	const std::string members = pg::require_table("sentry_organizationmember", " (Sentry's members)");
	std::vector<SqlRow> imported = pg::spi_query("SELECT o.id::pg_catalog.text, o.slug::pg_catalog.text FROM " + orgs +
	                                                 " AS o WHERE o.id OPERATOR(pg_catalog.=) ANY (ARRAY(" +
	                                                 imported_org_ids_sql(region_chunks()) + ")) ORDER BY o.id",
	                                             {text_param(r.uuid)});
	std::vector<std::string> ids;
	for (const SqlRow &org : imported) {
		// Sentry asserts that every organization the chunks name is plausibly one that was asked for.
		if (!rel::starts_with_any(org[1].value_or(""), r.want_org_slugs))
			throw ImportError(relocate::sqlstate::kInternalError, "relocate: organization id " + *org[0] +
			                                                          " was imported, but its slug starts with none of "
			                                                          "want_org_slugs");
		ids.push_back(*org[0]);
	}
	const std::string owner = std::to_string(r.owner_id), id_list = int8_array_literal(ids);
	std::vector<SqlRow> added = pg::spi_query(
	    "INSERT INTO " + members +
	        " (organization_id, user_id, email, role, flags, date_added, has_global_access, inviter_id, invite_status, "
	        "type, token) SELECT o.id, $2::pg_catalog.int8, NULL, 'owner', 0, pg_catalog.now(), true, NULL, 0, 50, "
	        "NULL FROM pg_catalog.unnest($1::pg_catalog.int8[]) AS o(id) WHERE NOT EXISTS (SELECT FROM " +
	        members +
	        " AS x WHERE x.organization_id OPERATOR(pg_catalog.=) o.id AND x.user_id OPERATOR(pg_catalog.=) "
	        "$2::pg_catalog.int8) RETURNING organization_id::pg_catalog.text",
	    {text_param(id_list), text_param(owner)});
	rows = pg::spi_query(
	    "SELECT o.id, o.slug, x.id, x.organization_id OPERATOR(pg_catalog.=) ANY ($3::pg_catalog.int8[]) FROM " + orgs +
	        " AS o JOIN " + members +
	        " AS x ON x.organization_id OPERATOR(pg_catalog.=) o.id AND x.user_id OPERATOR(pg_catalog.=) "
	        "$2::pg_catalog.int8 WHERE o.id OPERATOR(pg_catalog.=) ANY ($1::pg_catalog.int8[]) ORDER BY o.id",
	    {text_param(id_list), text_param(owner), text_param([&] {
		     std::vector<std::string> v;
		     for (const SqlRow &a : added)
			     v.push_back(*a[0]);
		     return int8_array_literal(v);
	     }())});
}

// ---- notifying_unhide, notifying_users, notifying_owner, completed ----------------------------------

// notifying_unhide's body: every imported organization still pending approval (status 3,
// RELOCATION_PENDING_APPROVAL) becomes ACTIVE (0).
void notifying_unhide_body(Relocation &r, std::vector<SqlRow> &rows) {
	const std::string orgs = pg::require_table("sentry_organization", " (Sentry's organizations)");
	const std::string ids = "ARRAY(" + imported_org_ids_sql(region_chunks()) + ")";
	pg::spi_query("UPDATE " + orgs + " AS o SET status = 0 WHERE o.id OPERATOR(pg_catalog.=) ANY (" + ids +
	                  ") AND o.status OPERATOR(pg_catalog.=) 3",
	              {text_param(r.uuid)});
	rows = pg::spi_query("SELECT o.id, o.slug, o.status FROM " + orgs +
	                         " AS o WHERE o.id OPERATOR(pg_catalog.=) ANY (" + ids + ") ORDER BY o.id",
	                     {text_param(r.uuid)});
}

// The imported, unclaimed users of the relocation with their claim hash (LostPasswordHash) and
// the organizations they were imported with: whom Sentry's notifying_users e-mails.
std::vector<SqlRow> unclaimed_users(const std::string &uuid) {
	const std::string replica = pg::require_table("sentry_controlimportchunkreplica",
	                                              " (Sentry finds a relocation's imported users only through it)");
	const std::string users = pg::require_table("auth_user", " (Sentry's users)");
	const std::string hashes = pg::require_table("sentry_lostpasswordhash", " (Sentry's claim hashes)");
	const std::string ids = int8_array_literal(pg::imported_user_ids(replica, uuid));
	return pg::spi_query("SELECT u.id, u.username, u.email, h.hash, $2::pg_catalog.text[] FROM " + users +
	                         " AS u LEFT JOIN " + hashes +
	                         " AS h ON h.user_id OPERATOR(pg_catalog.=) u.id "
	                         "WHERE u.id OPERATOR(pg_catalog.=) ANY ($1::pg_catalog.int8[]) AND u.is_unclaimed "
	                         "ORDER BY u.id",
	                     {text_param(ids), text_param(imported_slugs_literal(uuid))});
}

// notifying_users' body: the sanity check on the imported usernames, then a claim hash for every
// unclaimed one (LostPasswordHash.get_or_create: a hash older than an hour is renewed), and
// latest_unclaimed_emails_sent_at. The e-mails themselves are the caller's: the rows are whom to
// send them to.
void notifying_users_body(Relocation &r, std::vector<SqlRow> &rows) {
	const std::string replica = pg::require_table("sentry_controlimportchunkreplica",
	                                              " (Sentry finds a relocation's imported users only through it)");
	const std::string users = pg::require_table("auth_user", " (Sentry's users)");
	const std::string hashes = pg::require_table("sentry_lostpasswordhash", " (Sentry's claim hashes)");
	const std::string relocations = pg::require_table("sentry_relocation", " (Sentry's relocations)");
	const std::vector<std::string> want = r.want_usernames.value_or(std::vector<std::string>{});
	std::vector<std::string> unclaimed;
	for (const SqlRow &u : pg::spi_query("SELECT u.id, u.username, u.is_unclaimed FROM " + users +
	                                         " AS u WHERE u.id OPERATOR(pg_catalog.=) ANY ($1::pg_catalog.int8[]) "
	                                         "ORDER BY u.id",
	                                     {text_param(int8_array_literal(pg::imported_user_ids(replica, r.uuid)))})) {
		if (!rel::starts_with_any(u[1].value_or(""), want))
			throw ImportError(relocate::sqlstate::kInternalError,
			                  "relocate: user id " + *u[0] +
			                      " was imported, but its username starts with none of "
			                      "want_usernames");
		if (u[2] == std::optional<std::string>("t"))
			unclaimed.push_back(*u[0]);
	}
	relocate::TextArray new_hashes;
	for (std::size_t i = 0; i < unclaimed.size(); ++i)
		new_hashes.emplace_back(relocate::random_alnum(32)); // Django's get_random_string(32)
	const std::vector<relocate::pg::SqlParam> params = {text_param(int8_array_literal(unclaimed)),
	                                                    text_param(relocate::pg_text_array_literal(new_hashes))};
	const std::string pairs = " FROM ROWS FROM (pg_catalog.unnest($1::pg_catalog.int8[]), "
	                          "pg_catalog.unnest($2::pg_catalog.text[])) AS n(user_id, hash)";
	pg::spi_query("UPDATE " + hashes + " AS h SET hash = n.hash, date_added = pg_catalog.now()" + pairs +
	                  " WHERE h.user_id OPERATOR(pg_catalog.=) n.user_id AND h.date_added OPERATOR(pg_catalog.<) "
	                  "(pg_catalog.now() OPERATOR(pg_catalog.-) '1 hour'::pg_catalog.interval)",
	              params);
	pg::spi_query("INSERT INTO " + hashes + " (user_id, hash, date_added) SELECT n.user_id, n.hash, pg_catalog.now()" +
	                  pairs + " WHERE NOT EXISTS (SELECT FROM " + hashes +
	                  " AS h WHERE h.user_id OPERATOR(pg_catalog.=) n.user_id)",
	              params);
	pg::spi_query("UPDATE " + relocations +
	                  " SET latest_unclaimed_emails_sent_at = pg_catalog.now() WHERE id OPERATOR(pg_catalog.=) "
	                  "$1::pg_catalog.int8",
	              {text_param(std::to_string(r.id))});
	rows = unclaimed_users(r.uuid);
}

// notifying_owner's body: whom Sentry sends the SUCCEEDED e-mail (the owner, and the creator when
// another user), with the imported organizations' slugs; latest_notified SUCCEEDED.
void notifying_owner_body(Relocation &r, std::vector<SqlRow> &rows) {
	const std::string users = pg::require_table("auth_user", " (Sentry's users)");
	rows =
	    pg::spi_query("SELECT u.id, u.email, $3::pg_catalog.text[] FROM " + users +
	                      " AS u WHERE u.id OPERATOR(pg_catalog.=) $1::pg_catalog.int8 OR (u.id OPERATOR(pg_catalog.=) "
	                      "$2::pg_catalog.int8 AND $2::pg_catalog.int8 OPERATOR(pg_catalog.<>) $1::pg_catalog.int8) "
	                      "ORDER BY u.id OPERATOR(pg_catalog.<>) $1::pg_catalog.int8",
	                  {text_param(std::to_string(r.owner_id)), text_param(std::to_string(r.creator_id)),
	                   text_param(imported_slugs_literal(r.uuid))});
	r.latest_notified = static_cast<int>(rel::EmailKind::Succeeded);
}

using Body = void (*)(Relocation &, std::vector<SqlRow> &);

struct StepDef {
	Task task;
	const char *sentry_error;
	Body body;
};

constexpr StepDef kPostprocessing{Task::Postprocessing, rel::kErrPostprocessingInternal, postprocessing_body};
constexpr StepDef kNotifyingUnhide{Task::NotifyingUnhide, rel::kErrNotifyingInternal, notifying_unhide_body};
constexpr StepDef kNotifyingUsers{Task::NotifyingUsers, rel::kErrNotifyingInternal, notifying_users_body};
constexpr StepDef kNotifyingOwner{Task::NotifyingOwner, rel::kErrNotifyingInternal, notifying_owner_body};
constexpr StepDef kCompleted{Task::Completed, rel::kErrCompletedInternal, [](Relocation &r, std::vector<SqlRow> &) {
	                             r.status = static_cast<int>(rel::Status::Success); // completed: SUCCESS
                             }};

// A fast task after importing (4 attempts), its rows left in `rows` when it ran.
TaskOutcome run_step(const StepDef &step, const std::string &uuid, std::vector<SqlRow> &rows) {
	std::vector<SqlRow> produced;
	TaskOutcome outcome = pg::run_task(uuid, {step.task, rel::kMaxFastTaskAttempts, step.sentry_error},
	                                   [&](Relocation &r) { step.body(r, produced); });
	if (outcome.kind == TaskOutcome::Kind::Done)
		rows = std::move(produced);
	return outcome;
}

Datum step_function(FunctionCallInfo fcinfo, const StepDef &step) {
	const std::string uuid = uuid_arg(fcinfo, 0);
	pg::SpiConnection spi;
	std::vector<SqlRow> rows;
	run_step(step, uuid, rows);
	spi.finish();
	pg::return_rows(fcinfo, rows);
	return (Datum)0;
}

} // namespace

RELOCATE_SQL_FUNCTION(relocate_importing) {
	const std::string uuid = uuid_arg(fcinfo, 0);
	char *private_key = text_arg(fcinfo, 1);
	pg::require_read_committed(); // before the gate: a refused call changes nothing, spends no attempt
	pg::SpiConnection spi;
	std::vector<SqlRow> rows;
	importing(uuid, private_key, &rows);
	spi.finish();
	pg::return_rows(fcinfo, rows);
	return (Datum)0;
}

RELOCATE_SQL_FUNCTION(relocate_postprocessing) {
	return step_function(fcinfo, kPostprocessing);
}

RELOCATE_SQL_FUNCTION(relocate_notifying_unhide) {
	return step_function(fcinfo, kNotifyingUnhide);
}

RELOCATE_SQL_FUNCTION(relocate_notifying_users) {
	return step_function(fcinfo, kNotifyingUsers);
}

RELOCATE_SQL_FUNCTION(relocate_notifying_owner) {
	return step_function(fcinfo, kNotifyingOwner);
}

RELOCATE_SQL_FUNCTION(relocate_completed) {
	const std::string uuid = uuid_arg(fcinfo, 0);
	pg::SpiConnection spi;
	std::vector<SqlRow> rows;
	run_step(kCompleted, uuid, rows);
	const std::string table = pg::require_table("sentry_relocation", " (Sentry's relocations)");
	std::optional<std::string> status = pg::spi_value("SELECT status::pg_catalog.text FROM " + table +
	                                                      " WHERE uuid OPERATOR(pg_catalog.=) $1::pg_catalog.uuid",
	                                                  {text_param(uuid)});
	spi.finish();
	if (!status) {
		fcinfo->isnull = true;
		return (Datum)0;
	}
	Datum result = (Datum)0;
	const char *name = rel::status_name(std::stoi(*status));
	pg_guard([&] { result = CStringGetTextDatum(name); });
	return result;
}

RELOCATE_SQL_FUNCTION(relocate_relocation_run) {
	const std::string uuid = uuid_arg(fcinfo, 0);
	char *private_key = text_arg(fcinfo, 1);
	pg::require_read_committed(); // before the gate: a refused call changes nothing, spends no attempt
	pg::SpiConnection spi;
	std::vector<SqlRow> report;
	auto record = [&](Task task, const TaskOutcome &o) {
		report.push_back({std::string(rel::task_name(task)), std::string(pg::outcome_name(o.kind)),
		                  o.message.empty() ? std::nullopt : std::optional<std::string>(o.message)});
		// The chain goes on after a task that ran, or one that an earlier run already did.
		return o.kind == TaskOutcome::Kind::Done || o.gate == rel::GateOutcome::Redundant;
	};
	if (record(Task::Importing, importing(uuid, private_key, nullptr))) {
		std::vector<SqlRow> ignored;
		for (const StepDef *step :
		     {&kPostprocessing, &kNotifyingUnhide, &kNotifyingUsers, &kNotifyingOwner, &kCompleted})
			if (!record(step->task, run_step(*step, uuid, ignored)))
				break;
	}
	spi.finish();
	pg::return_rows(fcinfo, report);
	return (Datum)0;
}

RELOCATE_SQL_FUNCTION(relocate_relocation_users) {
	const std::string uuid = uuid_arg(fcinfo, 0);
	pg::SpiConnection spi;
	std::vector<SqlRow> rows = unclaimed_users(uuid);
	spi.finish();
	pg::return_rows(fcinfo, rows);
	return (Datum)0;
}

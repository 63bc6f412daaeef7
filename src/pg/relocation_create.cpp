// relocate_relocation_create: a Relocation as Sentry's relocation pipeline leaves it when its
// validation passed, from an export given as bytea, as a large object, or as a server file. The
// export is kept in a large object named by relocate_relocation_file (Sentry keeps it in its
// filestore through RelocationFile -> File -> FileBlobIndex -> FileBlob, which the database cannot
// read). Sentry's preprocessing_scan checks run here when they can (a plain export, or an
// encrypted one with its private_key); a check that fails records the relocation as FAILURE at
// PREPROCESSING_SCAN with Sentry's reason, as Sentry does.

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

#include "core/decrypt.hpp"
#include "core/error.hpp"
#include "core/export_input.hpp"
#include "core/preprocessing.hpp"
#include "core/relocation.hpp"
#include "core/text.hpp"
#include "pg/boundary.hpp"
#include "pg/export_sources.hpp"
#include "pg/private_key.hpp"
#include "pg/relocation_store.hpp"
#include "pg/spi_query.hpp"

extern "C" {
#include "catalog/pg_authid_d.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "storage/fd.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
}

namespace {

using relocate::ImportError;
using relocate::pg::pg_guard;
using relocate::pg::text_param;
namespace rel = relocate::relocation;
namespace pg = relocate::pg;

// The arguments after the export, as every variant declares them.
struct CreateArgs {
	std::vector<std::string> want_org_slugs;
	std::int64_t owner_id = 0;
	std::int64_t creator_id = 0;
	int provenance = 0;
	char *private_key = nullptr; // palloc'd; wiped once read
};

CreateArgs read_create_args(FunctionCallInfo fcinfo) {
	CreateArgs a;
	bool null[5] = {};
	char **slugs = nullptr;
	bool *slug_nulls = nullptr;
	int nslugs = 0;
	const char *provenance = nullptr;
	pg_guard([&] {
		for (int i = 0; i < 5; ++i)
			null[i] = PG_ARGISNULL(i + 1);
		if (!null[0]) {
			Datum *elems;
			deconstruct_array(PG_GETARG_ARRAYTYPE_P(1), TEXTOID, -1, false, TYPALIGN_INT, &elems, &slug_nulls, &nslugs);
			slugs = static_cast<char **>(palloc(sizeof(char *) * (nslugs + 1)));
			for (int i = 0; i < nslugs; ++i)
				slugs[i] = slug_nulls[i] ? nullptr : text_to_cstring(DatumGetTextPP(elems[i]));
		}
		a.owner_id = null[1] ? 0 : PG_GETARG_INT64(2);
		a.creator_id = null[2] ? a.owner_id : PG_GETARG_INT64(3);
		if (!null[3])
			provenance = text_to_cstring(PG_GETARG_TEXT_PP(4));
		if (!null[4])
			a.private_key = text_to_cstring(PG_GETARG_TEXT_PP(5));
	});
	if (null[0] || null[1] || null[3])
		throw ImportError(relocate::sqlstate::kNullValueNotAllowed,
		                  "relocate: want_org_slugs, owner_id and provenance must not be NULL");
	for (int i = 0; i < nslugs; ++i) {
		if (slugs[i] == nullptr)
			throw ImportError(relocate::sqlstate::kNullValueNotAllowed,
			                  "relocate: want_org_slugs must not contain NULL");
		a.want_org_slugs.emplace_back(slugs[i]);
	}
	const std::optional<rel::Provenance> p = rel::provenance_named(provenance != nullptr ? provenance : "");
	if (!p)
		throw ImportError(relocate::sqlstate::kInvalidParameterValue,
		                  std::string("relocate: unknown provenance \"") + (provenance != nullptr ? provenance : "") +
		                      "\"",
		                  {}, "The provenance is 'self-hosted' or 'saas-to-saas' (Sentry's Relocation.Provenance).");
	a.provenance = static_cast<int>(*p);
	return a;
}

// The owner and the creator must be users: postprocessing makes the owner a member.
void check_users(const CreateArgs &a) {
	const std::string users = pg::require_table("auth_user", " (Sentry's users)");
	for (std::int64_t id : {a.owner_id, a.creator_id})
		if (!pg::spi_value("SELECT 1 FROM " + users + " WHERE id OPERATOR(pg_catalog.=) $1::pg_catalog.int8",
		                   {text_param(std::to_string(id))}))
			throw ImportError(relocate::sqlstate::kInvalidParameterValue,
			                  "relocate: there is no user with id " + std::to_string(id) + " (owner_id, creator_id)",
			                  {},
			                  "The owner becomes an owner of the imported organizations: give the id of an auth_user "
			                  "row.");
}

// What relocate_relocation_create records: the state Sentry's pipeline leaves the relocation in.
struct Outcome {
	enum class Kind { Passed, Failed, Deferred } kind = Kind::Passed;
	rel::ScanResult scan;
};

// Sentry's preprocessing_scan over the export (read as a stream from its large object), when it can
// run now.
Outcome preprocess(relocate::ByteSource &export_file, CreateArgs &a) {
	Outcome out;
	const relocate::CheckInterrupts check = [] { pg::check_for_interrupts(); };
	const relocate::ExportFormat format = relocate::detect_export_format(export_file, check);
	if (format != relocate::ExportFormat::kEncrypted) {
		if (a.private_key != nullptr)
			pg::notice("relocate: private_key is ignored: the export is plain JSON, not encrypted");
		relocate::ExportInput input(export_file, nullptr, check);
		out.scan = rel::scan_export(input.json(), a.want_org_slugs, check);
	} else if (a.private_key == nullptr) {
		out.kind = Outcome::Kind::Deferred;
		return out;
	} else {
		std::string pem = pg::private_key_pem(a.private_key);
		pg::SecretWipe wipe_key(pem);
		explicit_bzero(a.private_key, strlen(a.private_key));
		out.scan = rel::scan_encrypted_export(export_file, pem, a.want_org_slugs, check);
	}
	out.kind = out.scan.failure_reason ? Outcome::Kind::Failed : Outcome::Kind::Passed;
	return out;
}

std::optional<std::string> list_param(const std::optional<std::vector<std::string>> &list) {
	if (!list)
		return std::nullopt;
	relocate::TextArray elements(list->begin(), list->end());
	return relocate::pg_text_array_literal(elements);
}

// Writes the Relocation, its File and RAW_USER_DATA RelocationFile, and relocate's row naming the
// large object; returns the relocation's uuid.
std::string insert_relocation(const CreateArgs &a, const Outcome &o, const std::string &oid,
                              relocate::ByteSource &data) {
	const bool failed = o.kind == Outcome::Kind::Failed;
	rel::Relocation r;
	r.step = static_cast<int>(failed ? rel::Step::Preprocessing : rel::Step::Importing);
	r.status = static_cast<int>(failed ? rel::Status::Failure : rel::Status::InProgress);
	r.latest_task = rel::task_name(failed ? rel::Task::PreprocessingScan : rel::Task::ValidatingComplete);
	if (failed)
		r.latest_notified = static_cast<int>(rel::EmailKind::Failed);
	else if (o.kind == Outcome::Kind::Passed) {
		r.want_usernames = o.scan.want_usernames;
		r.latest_notified = static_cast<int>(rel::EmailKind::Started);
	}
	const std::string relocations = pg::require_table("sentry_relocation", " (Sentry's relocations)");
	const std::string files = pg::require_table("sentry_file", " (Sentry's files)");
	const std::string relocation_files = pg::require_table("sentry_relocationfile", " (Sentry's relocation files)");
	const std::vector<pg::SqlRow> inserted = pg::spi_query(
	    "INSERT INTO " + relocations +
	        " (date_added, date_updated, creator_id, owner_id, uuid, step, provenance, status, want_org_slugs, "
	        "want_usernames, latest_notified, latest_task, latest_task_attempts, failure_reason) SELECT "
	        "pg_catalog.now(), pg_catalog.now(), $1::pg_catalog.int8, $2::pg_catalog.int8, "
	        "pg_catalog.gen_random_uuid(), "
	        "$3::pg_catalog.int4, $4::pg_catalog.int4, $5::pg_catalog.int4, "
	        "pg_catalog.to_jsonb($6::pg_catalog.text[]), "
	        "pg_catalog.to_jsonb($7::pg_catalog.text[]), $8::pg_catalog.int4, $9, 1, $10 "
	        "RETURNING id::pg_catalog.text, uuid::pg_catalog.text",
	    {text_param(std::to_string(a.creator_id)),
	     text_param(std::to_string(a.owner_id)),
	     text_param(std::to_string(r.step)),
	     text_param(std::to_string(a.provenance)),
	     text_param(std::to_string(r.status)),
	     {list_param(a.want_org_slugs), false},
	     {list_param(r.want_usernames), false},
	     {r.latest_notified ? std::optional<std::string>(std::to_string(*r.latest_notified)) : std::nullopt, false},
	     text_param(r.latest_task),
	     {o.scan.failure_reason, false}});
	const std::string id = *inserted[0][0], uuid = *inserted[0][1];
	// Sentry's upload: File(name="raw-relocation-data.tar", type=RELOCATION_FILE_TYPE) and putfile,
	// which records the size (a u32 in an integer column: left NULL beyond 2 GiB) and the SHA-1.
	const std::string size = std::to_string(data.size_hint()),
	                  checksum = rel::sha1_hex(data, [] { pg::check_for_interrupts(); });
	const std::string file_id = *pg::spi_value(
	    "INSERT INTO " + files +
	        " (name, type, timestamp, headers, size, checksum) VALUES ('raw-relocation-data.tar', 'relocation.file', "
	        "pg_catalog.now(), '{}', CASE WHEN $1::pg_catalog.int8 OPERATOR(pg_catalog.<=) 2147483647 THEN "
	        "$1::pg_catalog.int8 END, $2) RETURNING id::pg_catalog.text",
	    {text_param(size), text_param(checksum)});
	pg::spi_query("INSERT INTO " + relocation_files +
	                  " (date_added, date_updated, kind, file_id, relocation_id) VALUES (pg_catalog.now(), "
	                  "pg_catalog.now(), $1::pg_catalog.int4, $2::pg_catalog.int8, $3::pg_catalog.int8)",
	              {text_param(std::to_string(rel::kRawUserData)), text_param(file_id), text_param(id)});
	pg::spi_query("INSERT INTO " + pg::extension_table("relocate_relocation_file") +
	                  " (file_id, relocation_uuid, data, size, checksum) VALUES ($1::pg_catalog.int8, "
	                  "$2::pg_catalog.uuid, $3::pg_catalog.oid, $4::pg_catalog.int8, $5)",
	              {text_param(file_id), text_param(uuid), text_param(oid), text_param(size), text_param(checksum)});
	return uuid;
}

// The NOTICE of what was created (the uuid is the function's result).
void report(const Outcome &o, const CreateArgs &a) {
	switch (o.kind) {
	case Outcome::Kind::Passed:
		pg::notice("relocate: the relocation is ready to import: " + std::to_string(a.want_org_slugs.size()) +
		           " organization slug(s) wanted, " + std::to_string(o.scan.want_usernames.size()) +
		           " user(s) are their members");
		break;
	case Outcome::Kind::Failed:
		pg::notice("relocate: the relocation failed Sentry's preprocessing checks: " + *o.scan.failure_reason,
		           o.scan.detail);
		break;
	case Outcome::Kind::Deferred:
		pg::notice("relocate: the relocation is ready to import; its export is encrypted and no private_key was "
		           "given, so Sentry's preprocessing checks run at importing",
		           {}, "Pass the private key to relocate_importing, or here to check the export now.");
		break;
	}
}

// The common part of every variant, once the export is in the large object `oid`: returns the
// relocation's uuid.
std::string create_from_large_object(CreateArgs &a, const std::string &oid) {
	if (pg::spi_value("SELECT 1 FROM " + pg::extension_table("relocate_relocation_file") +
	                      " WHERE data OPERATOR(pg_catalog.=) $1::pg_catalog.oid",
	                  {text_param(oid)}))
		throw ImportError(relocate::sqlstate::kObjectNotInPrerequisiteState,
		                  "relocate: large object " + oid + " already holds the export of another relocation", {},
		                  "Import the file again (\\lo_import) for a new relocation.");
	pg::LargeObject data(atooid(oid.c_str()));
	const Outcome outcome = preprocess(data, a);
	const std::string uuid = insert_relocation(a, outcome, oid, data);
	report(outcome, a);
	return uuid;
}

// The uuid as the function's result, made in the caller's memory context (after SPI_finish, which
// frees what was allocated while SPI was connected).
Datum uuid_result(const std::string &uuid) {
	Datum result = (Datum)0;
	pg_guard([&] { result = DirectFunctionCall1(uuid_in, CStringGetDatum(uuid.c_str())); });
	return result;
}

bool may_read_server_files() {
	bool allowed = false;
	pg_guard([&] { allowed = has_privs_of_role(GetUserId(), ROLE_PG_READ_SERVER_FILES); });
	return allowed;
}

// The checks before reading the server file `path` (as for relocate's key files).
void check_server_file(const char *path) {
	if (path[0] != '/')
		throw ImportError(relocate::sqlstate::kInvalidParameterValue, "relocate: the export path must be absolute");
	if (!may_read_server_files())
		throw ImportError("42501",
		                  "relocate: reading an export from a server file requires the pg_read_server_files "
		                  "role",
		                  {}, "Ask an administrator to GRANT pg_read_server_files, or \\lo_import the file from psql.");
}

// A new large object with the contents of the server file `path`, copied 16 MiB at a time.
std::string large_object_from_file(const char *path) {
	const std::string oid = *pg::spi_value("SELECT pg_catalog.lo_create(0)::pg_catalog.text");
	pg_guard([&] {
		constexpr size_t kChunk = 16u << 20;
		FILE *file = AllocateFile(path, PG_BINARY_R);
		if (file == nullptr) {
			const int open_errno = errno;
			ereport(ERROR, (errcode_for_file_access(),
			                errmsg("relocate: could not open export file \"%s\": %s", path, strerror(open_errno))));
		}
		bytea *chunk = static_cast<bytea *>(palloc(VARHDRSZ + kChunk));
		Oid types[3] = {OIDOID, INT8OID, BYTEAOID};
		for (int64 offset = 0;; offset += kChunk) {
			CHECK_FOR_INTERRUPTS(); // a file of any size: a cancel stops it between chunks
			size_t n = fread(VARDATA(chunk), 1, kChunk, file);
			if (ferror(file)) {
				const int read_errno = errno;
				ereport(ERROR, (errcode_for_file_access(),
				                errmsg("relocate: could not read export file \"%s\": %s", path, strerror(read_errno))));
			}
			if (n == 0)
				break;
			SET_VARSIZE(chunk, VARHDRSZ + n);
			Datum args[3] = {ObjectIdGetDatum(atooid(oid.c_str())), Int64GetDatum(offset), PointerGetDatum(chunk)};
			if (SPI_execute_with_args("SELECT pg_catalog.lo_put($1, $2, $3)", 3, types, args, nullptr, false, 0) !=
			    SPI_OK_SELECT)
				elog(ERROR, "relocate: lo_put failed");
			if (n < kChunk)
				break;
		}
		FreeFile(file);
	});
	return oid;
}

} // namespace

RELOCATE_SQL_FUNCTION(relocate_relocation_create) {
	CreateArgs a = read_create_args(fcinfo);
	pg::SpiConnection spi;
	check_users(a);
	Oid oid = InvalidOid;
	pg_guard([&] {
		if (PG_ARGISNULL(0))
			return;
		Oid types[1] = {BYTEAOID};
		Datum args[1] = {PG_GETARG_DATUM(0)};
		if (SPI_execute_with_args("SELECT pg_catalog.lo_from_bytea(0, $1)", 1, types, args, nullptr, false, 1) !=
		    SPI_OK_SELECT)
			elog(ERROR, "relocate: lo_from_bytea failed");
		bool isnull;
		oid = DatumGetObjectId(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	});
	if (oid == InvalidOid)
		throw ImportError(relocate::sqlstate::kNullValueNotAllowed, "relocate: the export must not be NULL");
	const std::string uuid = create_from_large_object(a, std::to_string(oid));
	spi.finish();
	return uuid_result(uuid);
}

RELOCATE_SQL_FUNCTION(relocate_relocation_create_lo) {
	CreateArgs a = read_create_args(fcinfo);
	pg::SpiConnection spi;
	check_users(a);
	Oid oid = InvalidOid;
	pg_guard([&] { oid = PG_ARGISNULL(0) ? InvalidOid : PG_GETARG_OID(0); });
	if (oid == InvalidOid)
		throw ImportError(relocate::sqlstate::kNullValueNotAllowed,
		                  "relocate: the export's large object must not be NULL");
	const std::string uuid = create_from_large_object(a, std::to_string(oid));
	spi.finish();
	return uuid_result(uuid);
}

RELOCATE_SQL_FUNCTION(relocate_relocation_create_from_file) {
	CreateArgs a = read_create_args(fcinfo);
	char *path = nullptr;
	pg_guard([&] {
		if (!PG_ARGISNULL(0))
			path = text_to_cstring(PG_GETARG_TEXT_PP(0));
	});
	if (path == nullptr)
		throw ImportError(relocate::sqlstate::kNullValueNotAllowed, "relocate: the export path must not be NULL");
	check_server_file(path);
	pg::SpiConnection spi;
	check_users(a);
	const std::string uuid = create_from_large_object(a, large_object_from_file(path));
	spi.finish();
	return uuid_result(uuid);
}

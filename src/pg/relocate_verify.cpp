// The SQL entry points of the verification: relocate_verify(export bytea | text, import_uuid,
// private_key), relocate_verify_file(path, ...) and relocate_verify_large_object(oid, ...). Each
// opens the export as relocate_import does (a stream; plain, compressed or encrypted), runs the
// core's verifier (src/core/verifier.hpp) through a read-only SPI target, and returns one row per
// finding: (model, old_pk, new_pk, field, expected, found). Nothing is written.

#include <cstring>
#include <memory>
#include <optional>
#include <string>

#include "core/error.hpp"
#include "core/verifier.hpp"
#include "pg/boundary.hpp"
#include "pg/export_sources.hpp"
#include "pg/import_args.hpp"
#include "pg/import_run.hpp"
#include "pg/settings.hpp"
#include "pg/spi_target.hpp"

extern "C" {
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/tuplestore.h"
#include "utils/uuid.h"
}

namespace {

using relocate::ImportError;
using relocate::pg::ExportArg;
using relocate::pg::pg_guard;

struct VerifyArgs {
	bool export_given = false;
	const char *export_data = nullptr; // kBytes: the argument's bytes, valid for the call
	std::size_t export_length = 0;
	std::string export_path; // kPath
	Oid export_oid = 0;      // kLargeObject
	std::optional<std::string> import_uuid;
	char *private_key = nullptr; // palloc'd copy, wiped once the key is read
};

VerifyArgs read_verify_args(FunctionCallInfo fcinfo, ExportArg kind) {
	VerifyArgs args;
	const char *path = nullptr, *uuid = nullptr;
	pg_guard([&] {
		args.export_given = !PG_ARGISNULL(0);
		if (args.export_given && kind == ExportArg::kBytes) {
			bytea *data = PG_GETARG_BYTEA_PP(0);
			args.export_data = VARDATA_ANY(data);
			args.export_length = VARSIZE_ANY_EXHDR(data);
		} else if (args.export_given && kind == ExportArg::kPath) {
			path = text_to_cstring(PG_GETARG_TEXT_PP(0));
		} else if (args.export_given) {
			args.export_oid = PG_GETARG_OID(0);
		}
		if (!PG_ARGISNULL(1))
			uuid = DatumGetCString(DirectFunctionCall1(uuid_out, PG_GETARG_DATUM(1)));
		if (PG_NARGS() > 2 && !PG_ARGISNULL(2))
			args.private_key = text_to_cstring(PG_GETARG_TEXT_PP(2));
	});
	if (path != nullptr)
		args.export_path = path;
	if (uuid != nullptr)
		args.import_uuid = uuid;
	if (!args.export_given)
		throw ImportError(relocate::sqlstate::kNullValueNotAllowed, "relocate: the export must not be NULL");
	if (!args.import_uuid)
		throw ImportError(relocate::sqlstate::kNullValueNotAllowed, "relocate: the import_uuid must not be NULL", {},
		                  "Give the import_uuid of the import to verify (relocate.last_import_uuid holds the "
		                  "session's last).");
	return args;
}

std::unique_ptr<relocate::ByteSource> raw_export(const VerifyArgs &args, ExportArg kind) {
	switch (kind) {
	case ExportArg::kBytes:
		return std::make_unique<relocate::MemorySource>(args.export_data, args.export_length);
	case ExportArg::kPath:
		return std::make_unique<relocate::pg::ServerFile>(args.export_path);
	case ExportArg::kLargeObject:
		break;
	}
	return std::make_unique<relocate::pg::LargeObject>(args.export_oid);
}

// The result set, filled as the findings come (a tuplestore spills to disk: memory stays bounded).
class FindingRows {
public:
	explicit FindingRows(FunctionCallInfo fcinfo) {
		pg_guard([&] {
			InitMaterializedSRF(fcinfo, 0);
			rsinfo_ = reinterpret_cast<ReturnSetInfo *>(fcinfo->resultinfo);
			context_ = AllocSetContextCreate(CurrentMemoryContext, "relocate verify row", ALLOCSET_SMALL_SIZES);
		});
	}

	void add(const relocate::VerifyFinding &f) {
		const std::optional<std::string> *texts[3] = {&f.field, &f.expected, &f.found};
		pg_guard([&] {
			MemoryContext old = MemoryContextSwitchTo(context_);
			Datum values[6];
			bool nulls[6] = {false, false, !f.new_pk.has_value(), false, false, false};
			values[0] = PointerGetDatum(cstring_to_text_with_len(f.model.data(), static_cast<int>(f.model.size())));
			values[1] = Int64GetDatum(f.old_pk);
			values[2] = f.new_pk ? Int64GetDatum(*f.new_pk) : (Datum)0;
			for (int k = 0; k < 3; ++k) {
				nulls[3 + k] = !texts[k]->has_value();
				values[3 + k] = nulls[3 + k]
				                    ? (Datum)0
				                    : PointerGetDatum(cstring_to_text_with_len(
				                          texts[k]->value().data(), static_cast<int>(texts[k]->value().size())));
			}
			tuplestore_putvalues(rsinfo_->setResult, rsinfo_->setDesc, values, nulls);
			MemoryContextSwitchTo(old);
			MemoryContextReset(context_);
		});
	}

private:
	ReturnSetInfo *rsinfo_ = nullptr;
	MemoryContext context_ = nullptr;
};

Datum run_verify_function(FunctionCallInfo fcinfo, ExportArg kind) {
	VerifyArgs args = read_verify_args(fcinfo, kind);
	relocate::ImportOptions options;
	relocate::pg::apply_settings(options); // relocate.ignore_unknown_fields reads the export as the import did
	options.import_uuid = *args.import_uuid;
	options.batch_rows = std::min<std::size_t>(options.batch_rows, 500);
	FindingRows rows(fcinfo);
	const relocate::CheckInterrupts check = [] { relocate::pg::check_for_interrupts(); };
	std::unique_ptr<relocate::ByteSource> raw = raw_export(args, kind);
	std::unique_ptr<relocate::ExportInput> input = relocate::pg::open_export_input(*raw, args.private_key, check);
	options.withhold_values = input->format() == relocate::ExportFormat::kEncrypted;
	relocate::pg::SpiTarget target;
	target.begin_read_only();
	relocate::run_verify(input->json(), options, target, [&](const relocate::VerifyFinding &f) { rows.add(f); });
	target.end();
	return (Datum)0;
}

} // namespace

RELOCATE_SQL_FUNCTION(relocate_verify) {
	return run_verify_function(fcinfo, ExportArg::kBytes);
}

RELOCATE_SQL_FUNCTION(relocate_verify_file) {
	return run_verify_function(fcinfo, ExportArg::kPath);
}

RELOCATE_SQL_FUNCTION(relocate_verify_large_object) {
	return run_verify_function(fcinfo, ExportArg::kLargeObject);
}

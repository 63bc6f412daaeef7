#include "pg/spi_query.hpp"

#include <cstring>

extern "C" {
#include "access/xact.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "funcapi.h"
#include "utils/builtins.h"
#include "utils/resowner.h"
#include "utils/tuplestore.h"
}

namespace relocate::pg {

std::vector<SqlRow> spi_query(const std::string &sql, const std::vector<SqlParam> &params) {
	const int nargs = static_cast<int>(params.size());
	char ***cells = nullptr; // rows of column values (palloc'd by SPI_getvalue), read after the call
	uint64 nrows = 0;
	int ncols = 0;
	pg_guard([&] {
		Oid *types = static_cast<Oid *>(palloc(sizeof(Oid) * (nargs + 1)));
		Datum *values = static_cast<Datum *>(palloc(sizeof(Datum) * (nargs + 1)));
		char *nulls = static_cast<char *>(palloc(nargs + 1));
		for (int i = 0; i < nargs; ++i) {
			const SqlParam &p = params[static_cast<std::size_t>(i)];
			types[i] = p.bytea ? BYTEAOID : TEXTOID;
			nulls[i] = p.value ? ' ' : 'n';
			if (!p.value)
				values[i] = (Datum)0;
			else if (p.bytea) {
				bytea *b = static_cast<bytea *>(palloc(VARHDRSZ + p.value->size()));
				SET_VARSIZE(b, VARHDRSZ + p.value->size());
				memcpy(VARDATA(b), p.value->data(), p.value->size());
				values[i] = PointerGetDatum(b);
			} else
				values[i] =
				    PointerGetDatum(cstring_to_text_with_len(p.value->data(), static_cast<int>(p.value->size())));
		}
		int rc = SPI_execute_with_args(sql.c_str(), nargs, types, values, nulls, false, 0);
		if (rc < 0)
			elog(ERROR, "relocate: SPI_execute_with_args failed: %s (%s)", SPI_result_code_string(rc), sql.c_str());
		if (SPI_tuptable == nullptr)
			return;
		nrows = SPI_processed;
		ncols = SPI_tuptable->tupdesc->natts;
		cells = static_cast<char ***>(palloc(sizeof(char **) * (nrows + 1)));
		for (uint64 r = 0; r < nrows; ++r) {
			cells[r] = static_cast<char **>(palloc(sizeof(char *) * (ncols + 1)));
			for (int c = 0; c < ncols; ++c)
				cells[r][c] = SPI_getvalue(SPI_tuptable->vals[r], SPI_tuptable->tupdesc, c + 1);
		}
	});
	// C++ values from here on (no PostgreSQL call).
	std::vector<SqlRow> rows;
	rows.reserve(nrows);
	for (uint64 r = 0; r < nrows; ++r) {
		SqlRow row;
		for (int c = 0; c < ncols; ++c)
			row.push_back(cells[r][c] != nullptr ? std::optional<std::string>(cells[r][c]) : std::nullopt);
		rows.push_back(std::move(row));
	}
	return rows;
}

std::optional<std::string> spi_value(const std::string &sql, const std::vector<SqlParam> &params) {
	std::vector<SqlRow> rows = spi_query(sql, params);
	if (rows.empty() || rows[0].empty())
		return std::nullopt;
	return rows[0][0];
}

long long spi_append_bytea(const std::string &sql, const std::vector<SqlParam> &params, std::string &out) {
	const int nargs = static_cast<int>(params.size());
	const char *bytes = nullptr;
	long long length = -1;
	pg_guard([&] {
		Oid *types = static_cast<Oid *>(palloc(sizeof(Oid) * (nargs + 1)));
		Datum *values = static_cast<Datum *>(palloc(sizeof(Datum) * (nargs + 1)));
		char *nulls = static_cast<char *>(palloc(nargs + 1));
		for (int i = 0; i < nargs; ++i) {
			const SqlParam &p = params[static_cast<std::size_t>(i)];
			types[i] = TEXTOID;
			nulls[i] = p.value ? ' ' : 'n';
			values[i] = p.value ? PointerGetDatum(cstring_to_text(p.value->c_str())) : (Datum)0;
		}
		int rc = SPI_execute_with_args(sql.c_str(), nargs, types, values, nulls, false, 1);
		if (rc != SPI_OK_SELECT)
			elog(ERROR, "relocate: SPI_execute_with_args failed: %s (%s)", SPI_result_code_string(rc), sql.c_str());
		if (SPI_processed == 0)
			return;
		bool isnull = false;
		Datum d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
		if (isnull)
			return;
		bytea *b = DatumGetByteaPP(d);
		bytes = VARDATA_ANY(b);
		length = static_cast<long long>(VARSIZE_ANY_EXHDR(b));
	});
	if (length > 0)
		out.append(bytes, static_cast<std::size_t>(length)); // C++ only: after the PostgreSQL calls
	pg_guard([&] { SPI_freetuptable(SPI_tuptable); });
	return length;
}

void notice(const std::string &message, const std::string &detail, const std::string &hint) {
	pg_guard([&] {
		ereport(NOTICE, (errmsg("%s", message.c_str()), !detail.empty() ? errdetail("%s", detail.c_str()) : 0,
		                 !hint.empty() ? errhint("%s", hint.c_str()) : 0));
	});
}

void return_rows(FunctionCallInfo fcinfo, const std::vector<SqlRow> &rows) {
	pg_guard([&] {
		InitMaterializedSRF(fcinfo, 0);
		ReturnSetInfo *rsinfo = reinterpret_cast<ReturnSetInfo *>(fcinfo->resultinfo);
		AttInMetadata *meta = TupleDescGetAttInMetadata(rsinfo->setDesc);
		const int natts = rsinfo->setDesc->natts;
		char **values = static_cast<char **>(palloc(sizeof(char *) * (natts + 1)));
		for (const SqlRow &row : rows) {
			for (int c = 0; c < natts; ++c) {
				const std::optional<std::string> &v = row[static_cast<std::size_t>(c)];
				values[c] = v ? const_cast<char *>(v->c_str()) : nullptr;
			}
			tuplestore_puttuple(rsinfo->setResult, BuildTupleFromCStrings(meta, values));
		}
	});
}

SpiConnection::SpiConnection() {
	pg_guard([&] {
		if (SPI_connect() != SPI_OK_CONNECT)
			elog(ERROR, "relocate: SPI_connect failed");
	});
	connected_ = true;
}

void SpiConnection::finish() {
	if (!connected_)
		return;
	pg_guard([&] { SPI_finish(); });
	connected_ = false;
}

namespace {

// The subtransaction calls, each in a pg_guard of its own, out of line: inlined into
// in_subtransaction, whose try/catch shares the frame, g++ warns that pg_guard's locals might be
// clobbered by the longjmp (-Wclobbered).
[[gnu::noinline]] void begin_subtransaction(MemoryContext context) {
	pg_guard([&] {
		BeginInternalSubTransaction(nullptr);
		MemoryContextSwitchTo(context); // run the body in the caller's context, as PL/pgSQL does
	});
}

[[gnu::noinline]] void end_subtransaction(bool commit, MemoryContext context, ResourceOwner owner) {
	pg_guard([&] {
		if (commit)
			ReleaseCurrentSubTransaction();
		else
			RollbackAndReleaseCurrentSubTransaction();
		MemoryContextSwitchTo(context);
		CurrentResourceOwner = owner;
	});
}

} // namespace

void in_subtransaction(const std::function<void()> &body) {
	MemoryContext context = CurrentMemoryContext;
	ResourceOwner owner = CurrentResourceOwner;
	const auto step = [](const auto &fn) {
		try {
			fn();
		} catch (const PgError &e) {
			throw SubtransactionFailed(e.edata());
		}
	};
	step([&] { begin_subtransaction(context); });
	try {
		body();
	} catch (...) {
		// The error (a PgError is already copied out of ErrorContext and the error state flushed by
		// pg_guard) is about to leave: undo everything the body wrote, then let it go on.
		step([&] { end_subtransaction(false, context, owner); });
		throw;
	}
	step([&] { end_subtransaction(true, context, owner); });
}

} // namespace relocate::pg

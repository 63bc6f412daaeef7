// SpiTarget::read_rows, the one statement per batch of a verification (relocate_verify): the rows
// of a batch's ids, each column as text next to the batch's value cast to the column's type and
// back to text, so that both sides are in the column type's canonical output form.

#include "core/error.hpp"
#include "pg/spi_target.hpp"
#include "pg/sql_builder.hpp"

extern "C" {
#include "catalog/pg_type.h"
#include "utils/memutils.h"
}

namespace relocate::pg {

namespace {

// SELECT t."id" IS NOT NULL, (u.c1::<type>)::text, t."<col>"::text, ...
//   FROM ROWS FROM (unnest($1), unnest($2), ...) WITH ORDINALITY AS u(c0, c1, ..., ord)
//   LEFT JOIN <table> t ON t."id" = u.c0 ORDER BY u.ord
std::string read_rows_sql(const RowBatch &batch) {
	const TableShape &table = *batch.table;
	const std::string id = quote_identifier("id");
	std::string select = "t." + id + " IS NOT NULL";
	std::string unnest = "pg_catalog.unnest($1::pg_catalog.int8[])";
	std::string columns = "c0";
	for (std::size_t k = 0; k < batch.width(); ++k) {
		const Column &col = table.columns[static_cast<std::size_t>(batch.columns[k])];
		const std::string u = "u.c" + std::to_string(k + 1);
		select += ", (" + as_column_type(col, u) + ")::pg_catalog.text, t." + quote_identifier(col.name) +
		          "::pg_catalog.text";
		unnest += ", pg_catalog.unnest($" + std::to_string(k + 2) + "::pg_catalog.text[])";
		columns += ", c" + std::to_string(k + 1);
	}
	return "SELECT " + select + " FROM ROWS FROM (" + unnest + ") WITH ORDINALITY AS u(" + columns +
	       ", ord) LEFT JOIN " + table.qualified_name + " t ON t." + id + " OPERATOR(pg_catalog.=) u.c0 ORDER BY u.ord";
}

} // namespace

StoredRows SpiTarget::read_rows(const RowBatch &batch) {
	const std::string sql = read_rows_sql(batch);
	const std::size_t width = batch.width();
	const std::size_t nargs = width + 1;
	char **cells = nullptr; // row-major: present, then expected and found per column (palloc'd)
	std::size_t rows = 0;
	pg_guard([&] {
		MemoryContext old = MemoryContextSwitchTo(batch_context_);
		Oid *argtypes = static_cast<Oid *>(palloc(sizeof(Oid) * nargs));
		Datum *args = static_cast<Datum *>(palloc(sizeof(Datum) * nargs));
		argtypes[0] = INT8ARRAYOID;
		args[0] = int8_array(batch.ids);
		for (std::size_t k = 0; k < width; ++k) {
			argtypes[k + 1] = TEXTARRAYOID;
			args[k + 1] = text_array(batch, k);
		}
		MemoryContextSwitchTo(old);
		// Read-only: the statement sees the caller's snapshot, and writes nothing.
		BatchErrorContext context{"verifying", "of", &batch};
		ErrorContextCallback callback;
		callback.callback = batch_error_context;
		callback.arg = &context;
		callback.previous = error_context_stack;
		error_context_stack = &callback;
		const int rc = SPI_execute_with_args(sql.c_str(), static_cast<int>(nargs), argtypes, args, nullptr, true, 0);
		error_context_stack = callback.previous;
		if (rc != SPI_OK_SELECT)
			elog(ERROR, "relocate: reading rows back failed: %s", SPI_result_code_string(rc));
		old = MemoryContextSwitchTo(batch_context_);
		rows = SPI_processed;
		const int ncols = SPI_tuptable->tupdesc->natts;
		cells = static_cast<char **>(palloc(sizeof(char *) * (rows * static_cast<std::size_t>(ncols) + 1)));
		for (std::size_t r = 0; r < rows; ++r)
			for (int c = 0; c < ncols; ++c)
				cells[r * static_cast<std::size_t>(ncols) + static_cast<std::size_t>(c)] =
				    SPI_getvalue(SPI_tuptable->vals[r], SPI_tuptable->tupdesc, c + 1);
		MemoryContextSwitchTo(old);
		SPI_freetuptable(SPI_tuptable);
	});
	// C++ values from here on.
	StoredRows out;
	const std::size_t ncols = 1 + 2 * width;
	auto cell = [&](std::size_t r, std::size_t c) {
		const char *v = cells[r * ncols + c];
		return v != nullptr ? std::optional<std::string>(v) : std::nullopt;
	};
	for (std::size_t r = 0; r < rows; ++r) {
		const std::optional<std::string> present = cell(r, 0);
		out.present.push_back(present && *present == "t");
		for (std::size_t k = 0; k < width; ++k) {
			out.expected.push_back(cell(r, 1 + 2 * k));
			out.found.push_back(cell(r, 2 + 2 * k));
		}
	}
	pg_guard([&] { MemoryContextReset(batch_context_); });
	return out;
}

} // namespace relocate::pg

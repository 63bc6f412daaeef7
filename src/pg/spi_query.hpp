// Small SPI helpers for the relocation functions (src/pg/relocation_*.cpp): one statement with
// text or bytea parameters and text results, and a C++ body run in a subtransaction. Statements
// must follow CONTRIBUTING's rule (qualified functions, operators, types and casts; quoted
// identifiers; every value a parameter).
//
// Every PostgreSQL call goes through pg_guard.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "pg/boundary.hpp"

namespace relocate::pg {

// A statement parameter: text (the SQL casts it, e.g. $1::pg_catalog.uuid) or bytea; nullopt is
// NULL.
struct SqlParam {
	std::optional<std::string> value;
	bool bytea = false;
};
inline SqlParam text_param(std::string value) {
	return {std::move(value), false};
}
inline SqlParam null_param() {
	return {std::nullopt, false};
}

// One result row: each column as text (its output function), nullopt for NULL.
using SqlRow = std::vector<std::optional<std::string>>;

// Runs `sql` through SPI (connected by the caller) and returns its rows. Not read-only: the
// statements see the rows written earlier in the call.
std::vector<SqlRow> spi_query(const std::string &sql, const std::vector<SqlParam> &params = {});

// The single value of the single row `sql` returns (nullopt for no row or NULL).
std::optional<std::string> spi_value(const std::string &sql, const std::vector<SqlParam> &params = {});

// Runs `sql`, whose single row has a single bytea column, and appends its bytes to `out`. Returns
// how many bytes were appended (-1 for no row or NULL).
long long spi_append_bytea(const std::string &sql, const std::vector<SqlParam> &params, std::string &out);

// A NOTICE (message, and detail and hint when not empty).
void notice(const std::string &message, const std::string &detail = {}, const std::string &hint = {});

// The rows of a set-returning function (InitMaterializedSRF), each column given as its text form
// (nullopt: NULL) and converted by the column type's input function.
void return_rows(FunctionCallInfo fcinfo, const std::vector<SqlRow> &rows);

// SPI_connect / SPI_finish for one SQL function call (not finished on error: the abort cleans up).
class SpiConnection {
public:
	SpiConnection();
	~SpiConnection() = default;
	SpiConnection(const SpiConnection &) = delete;
	SpiConnection &operator=(const SpiConnection &) = delete;
	void finish();

private:
	bool connected_ = false;
};

// Runs `body` in an internal subtransaction (BeginInternalSubTransaction), as a PL/pgSQL
// BEGIN ... EXCEPTION block does: committed (released) when it returns, rolled back when it throws,
// and the exception then rethrown to the caller with the subtransaction already gone (so the
// caller can still write in the outer transaction). The memory context and resource owner are
// restored either way. When starting, releasing or rolling back the subtransaction fails itself,
// the error is a SubtransactionFailed: nothing was rolled back then, and the caller must not go on
// writing (catch it before PgError, and rethrow it: call_entry raises it as the ERROR it was).
void in_subtransaction(const std::function<void()> &body);

class SubtransactionFailed : public PgError {
public:
	using PgError::PgError;
};

} // namespace relocate::pg

// The pieces every SQL statement of the SpiTarget is built from: quoted identifiers, the
// set-based FROM item over array parameters (one statement per batch, never one per row), the cast
// of a text value to its column's type, and the array arguments themselves.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "core/target.hpp"
#include "core/text.hpp"
#include "pg/boundary.hpp"

namespace relocate::pg {

// "name" -> "\"name\"" (always quoted, embedded quotes doubled): identifiers for generated SQL.
std::string quote_identifier(std::string_view name);

// ROWS FROM (pg_catalog.unnest($1), ..., pg_catalog.unnest($n)) AS <alias>(c0, ..., c<n-1>): one
// row per array element, each parameter an array. Parameters are numbered in the order added.
class UnnestRows {
public:
	explicit UnnestRows(std::string alias) : alias_(std::move(alias)) {}
	// Adds an array parameter of type `array_type`; returns its column ("<alias>.c<k>").
	std::string add(Oid array_type);
	// Adds an array parameter of type `array_type` for a select list without from(): returns
	// "pg_catalog.unnest($k)". Set-returning functions in a select list run in lockstep, as those of
	// ROWS FROM do, but hand their rows on one at a time (ProjectSet), where a FROM item first
	// copies every row into a tuplestore (and beyond work_mem to disk and back).
	std::string add_element(Oid array_type);
	std::string from() const;
	int nargs() const { return static_cast<int>(types_.size()); }
	Oid *argtypes() { return types_.data(); }

private:
	std::string alias_;
	std::vector<Oid> types_;
};

// `expr` (text) as a value of `col`: as it is for string columns (assignment checks varchar
// lengths), else cast to the column's base type, named by its schema (Column::cast_type), i.e.
// through the type's own input function.
std::string as_column_type(const Column &col, const std::string &expr);

// Array arguments, built in the current memory context: call them inside pg_guard.
Datum int8_array(const std::vector<std::int64_t> &values);
Datum text_array(const TextArray &values);
// Column `k` of the batch's rows.
Datum text_array(const RowBatch &batch, std::size_t k);
// A one-dimensional array of `elemtype` (a varlena type aligned as int: jsonb) of `elements`, each a
// palloc'd varlena with a 4-byte header and not toasted (0 for NULL), each freed as soon as it is
// copied into the array (one element more than the array at most).
Datum varlena_array(Oid elemtype, const std::vector<Datum> &elements);

} // namespace relocate::pg

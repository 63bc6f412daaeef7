#include "pg/sql_builder.hpp"

extern "C" {
#include "catalog/pg_type.h"
#include "utils/array.h"
#include "utils/builtins.h"
}

namespace relocate::pg {

std::string quote_identifier(std::string_view name) {
	std::string out = "\"";
	for (char c : name) {
		if (c == '"')
			out += '"';
		out += c;
	}
	out += '"';
	return out;
}

std::string UnnestRows::add(Oid array_type) {
	types_.push_back(array_type);
	return alias_ + ".c" + std::to_string(types_.size() - 1);
}

std::string UnnestRows::from() const {
	std::string unnest, columns;
	for (std::size_t k = 0; k < types_.size(); ++k) {
		unnest += std::string(k ? ", " : "") + "pg_catalog.unnest($" + std::to_string(k + 1) + ")";
		columns += std::string(k ? ", " : "") + "c" + std::to_string(k);
	}
	return "ROWS FROM (" + unnest + ") AS " + alias_ + "(" + columns + ")";
}

std::string as_column_type(const Column &col, const std::string &expr) {
	return col.type == ColumnType::Text ? expr : expr + "::" + col.cast_type;
}

Datum int8_array(const std::vector<std::int64_t> &values) {
	Datum *elems = static_cast<Datum *>(palloc(sizeof(Datum) * (values.size() + 1)));
	for (std::size_t i = 0; i < values.size(); ++i)
		elems[i] = Int64GetDatum(values[i]);
	return PointerGetDatum(construct_array(elems, static_cast<int>(values.size()), INT8OID, sizeof(int64),
	                                       FLOAT8PASSBYVAL, TYPALIGN_DOUBLE));
}

namespace {

// A text[] of `n` elements; `element(i, null)` gives element i's text (or sets null).
template <typename Element> Datum build_text_array(std::size_t n, Element element) {
	int dims[1] = {static_cast<int>(n)};
	int lbs[1] = {1};
	Datum *elems = static_cast<Datum *>(palloc(sizeof(Datum) * (n + 1)));
	bool *nulls = static_cast<bool *>(palloc(sizeof(bool) * (n + 1)));
	for (std::size_t i = 0; i < n; ++i) {
		const std::string *text = element(i);
		nulls[i] = text == nullptr;
		elems[i] = nulls[i] ? (Datum)0
		                    : PointerGetDatum(cstring_to_text_with_len(text->data(), static_cast<int>(text->size())));
	}
	return PointerGetDatum(construct_md_array(elems, nulls, 1, dims, lbs, TEXTOID, -1, false, TYPALIGN_INT));
}

} // namespace

Datum text_array(const TextArray &values) {
	return build_text_array(values.size(), [&](std::size_t i) { return values[i] ? &*values[i] : nullptr; });
}

Datum text_array(const RowBatch &batch, std::size_t k) {
	return build_text_array(batch.rows(),
	                        [&](std::size_t r) { return batch.is_null(r, k) ? nullptr : &batch.cell(r, k); });
}

} // namespace relocate::pg

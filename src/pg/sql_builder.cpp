#include "pg/sql_builder.hpp"

#include <cstring>
#include <optional>
#include <string_view>

extern "C" {
#include "access/tupmacs.h"
#include "catalog/pg_type.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
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

std::string UnnestRows::add_element(Oid array_type) {
	types_.push_back(array_type);
	return "pg_catalog.unnest($" + std::to_string(types_.size()) + ")";
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

// The error construct_md_array raises for an array beyond MaxAllocSize.
[[noreturn]] void array_too_large() {
	ereport(ERROR, (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
	                errmsg("array size exceeds the maximum allowed (%d)", static_cast<int>(MaxAllocSize))));
	pg_unreachable();
}

// A one-dimensional array of `n` elements of the varlena type `elemtype` (int-aligned, as text
// and jsonb are); `element(i)` gives element i's payload (the bytes after its varlena header), or
// nullopt for NULL, and `copied(i)` is called once element i is in place. The array is built in one
// allocation, each element copied once into its place: the same bytes as construct_md_array over
// the element datums, without a datum per element first (one large value would be in memory three
// times, not twice, while the array is built).
template <typename Element, typename Copied>
Datum build_array(Oid elemtype, std::size_t n, Element element, Copied copied) {
	if (n == 0)
		return PointerGetDatum(construct_empty_array(elemtype));
	bool has_nulls = false;
	Size data_size = 0;
	for (std::size_t i = 0; i < n; ++i) {
		const std::optional<std::string_view> payload = element(i);
		if (!payload) {
			has_nulls = true;
			continue;
		}
		const Size size = VARHDRSZ + payload->size();
		if (!AllocSizeIsValid(size)) // as cstring_to_text_with_len's palloc would
			elog(ERROR, "invalid memory alloc request size %zu", size);
		data_size = att_align_nominal(data_size + size, TYPALIGN_INT);
		if (!AllocSizeIsValid(data_size))
			array_too_large();
	}
	const int count = static_cast<int>(n);
	const Size header = has_nulls ? ARR_OVERHEAD_WITHNULLS(1, count) : ARR_OVERHEAD_NONULLS(1);
	if (!AllocSizeIsValid(header + data_size))
		array_too_large();
	ArrayType *array = static_cast<ArrayType *>(palloc(header + data_size));
	std::memset(array, 0, header);
	SET_VARSIZE(array, header + data_size);
	array->ndim = 1;
	array->dataoffset = has_nulls ? static_cast<int32>(header) : 0;
	array->elemtype = elemtype;
	ARR_DIMS(array)[0] = count;
	ARR_LBOUND(array)[0] = 1;
	bits8 *bitmap = ARR_NULLBITMAP(array); // nullptr without NULLs; a set bit is a value
	char *p = ARR_DATA_PTR(array);
	for (std::size_t i = 0; i < n; ++i) {
		const std::optional<std::string_view> payload = element(i);
		if (!payload)
			continue;
		if (bitmap != nullptr)
			bitmap[i / 8] = static_cast<bits8>(bitmap[i / 8] | (1 << (i % 8)));
		const Size size = VARHDRSZ + payload->size();
		SET_VARSIZE(p, size);
		std::memcpy(VARDATA(p), payload->data(), payload->size());
		const Size aligned = att_align_nominal(size, TYPALIGN_INT);
		std::memset(p + size, 0, aligned - size);
		p += aligned;
		copied(i);
	}
	return PointerGetDatum(array);
}

template <typename Element> Datum build_text_array(std::size_t n, Element element) {
	return build_array(
	    TEXTOID, n,
	    [&](std::size_t i) -> std::optional<std::string_view> {
		    const std::string *text = element(i);
		    if (text == nullptr)
			    return std::nullopt;
		    return std::string_view(*text);
	    },
	    [](std::size_t) {});
}

} // namespace

Datum text_array(const TextArray &values) {
	return build_text_array(values.size(), [&](std::size_t i) { return values[i] ? &*values[i] : nullptr; });
}

Datum text_array(const RowBatch &batch, std::size_t k) {
	return build_text_array(batch.rows(),
	                        [&](std::size_t r) { return batch.is_null(r, k) ? nullptr : &batch.cell(r, k); });
}

Datum varlena_array(Oid elemtype, const std::vector<Datum> &elements) {
	return build_array(
	    elemtype, elements.size(),
	    [&](std::size_t i) -> std::optional<std::string_view> {
		    if (elements[i] == 0)
			    return std::nullopt;
		    const struct varlena *v = reinterpret_cast<const struct varlena *>(DatumGetPointer(elements[i]));
		    return std::string_view(VARDATA(v), VARSIZE(v) - VARHDRSZ);
	    },
	    [&](std::size_t i) { pfree(DatumGetPointer(elements[i])); });
}

} // namespace relocate::pg

// relocate_catalogue_models() and relocate_catalogue_foreign_keys(): the model catalogue as rows,
// behind the views relocate_models and relocate_model_foreign_keys.

#include <string>

#include "core/catalogue.hpp"
#include "core/text.hpp"
#include "core/value.hpp"
#include "pg/boundary.hpp"

extern "C" {
#include "funcapi.h"
#include "utils/tuplestore.h"
}

namespace {

using relocate::pg::pg_guard;

std::string scopes_literal(std::uint8_t scopes) {
	relocate::TextArray names;
	for (std::uint8_t bit = 1; bit != 0 && bit <= relocate::kScopeGlobal; bit = static_cast<std::uint8_t>(bit << 1))
		if (scopes & bit)
			names.emplace_back(relocate::scope_name(static_cast<relocate::ScopeBits>(bit)));
	return relocate::pg_text_array_literal(names);
}

std::string silos_literal(std::uint8_t silos) {
	relocate::TextArray names;
	const std::pair<std::uint8_t, const char *> kSilos[] = {
	    {relocate::kSiloControl, "Control"}, {relocate::kSiloRegion, "Region"}, {relocate::kSiloMonolith, "Monolith"}};
	for (const auto &[bit, name] : kSilos)
		if (silos & bit)
			names.emplace_back(name);
	return relocate::pg_text_array_literal(names);
}

std::string dependencies_literal(const relocate::ModelDef &m) {
	relocate::TextArray names;
	for (std::size_t k = 0; k < m.relocation_dependency_count; ++k)
		names.emplace_back(m.relocation_dependencies[k]);
	return relocate::pg_text_array_literal(names);
}

// The unique sets as a JSON array of arrays of field names.
std::string uniques_json(const relocate::ModelDef &m) {
	std::string out = "[";
	for (std::size_t k = 0; k < m.unique_count; ++k) {
		out += k ? ",[" : "[";
		const std::string_view set = m.uniques[k];
		std::size_t start = 0;
		for (bool first = true;; first = false) {
			const std::size_t comma = set.find(',', start);
			if (!first)
				out += ',';
			relocate::append_json_string(out, set.substr(start, comma - start));
			if (comma == std::string_view::npos)
				break;
			start = comma + 1;
		}
		out += "]";
	}
	return out + "]";
}

// Rows of a materialized SRF from C strings, through the declared result types' input functions.
AttInMetadata *begin_srf(FunctionCallInfo fcinfo) {
	AttInMetadata *meta = nullptr;
	pg_guard([&] {
		InitMaterializedSRF(fcinfo, 0);
		meta = TupleDescGetAttInMetadata(reinterpret_cast<ReturnSetInfo *>(fcinfo->resultinfo)->setDesc);
	});
	return meta;
}

void put_row(FunctionCallInfo fcinfo, AttInMetadata *meta, char **values) {
	pg_guard([&] {
		ReturnSetInfo *rsinfo = reinterpret_cast<ReturnSetInfo *>(fcinfo->resultinfo);
		tuplestore_puttuple(rsinfo->setResult, BuildTupleFromCStrings(meta, values));
	});
}

char *c(const char *s) {
	return const_cast<char *>(s);
}

} // namespace

RELOCATE_SQL_FUNCTION(relocate_catalogue_models) {
	AttInMetadata *meta = begin_srf(fcinfo);
	const relocate::ModelDef *models = relocate::catalogue_models();
	for (std::size_t i = 0; i < relocate::catalogue_size(); ++i) {
		const relocate::ModelDef &m = models[i];
		std::string scopes = scopes_literal(m.scopes), silos = silos_literal(m.silos);
		std::string sort_order = std::to_string(m.sort_order), deps = dependencies_literal(m),
		            uniques = uniques_json(m);
		char *values[] = {c(m.name),
		                  c(m.table),
		                  scopes.data(),
		                  silos.data(),
		                  sort_order.data(),
		                  c(m.exportable() ? "true" : "false"),
		                  c(m.dangling ? "true" : "false"),
		                  deps.data(),
		                  uniques.data()};
		put_row(fcinfo, meta, values);
	}
	return (Datum)0;
}

RELOCATE_SQL_FUNCTION(relocate_catalogue_foreign_keys) {
	AttInMetadata *meta = begin_srf(fcinfo);
	const relocate::ModelDef *models = relocate::catalogue_models();
	for (std::size_t i = 0; i < relocate::catalogue_size(); ++i) {
		const relocate::ModelDef &m = models[i];
		for (std::size_t k = 0; k < m.foreign_key_count; ++k) {
			const relocate::ForeignKeyDef &fk = m.foreign_keys[k];
			std::string column = relocate::column_for_field(m, fk.field);
			char *values[] = {c(m.name),
			                  c(fk.field),
			                  column.data(),
			                  c(fk.target),
			                  c(relocate::fk_kind_name(fk.kind)),
			                  c(fk.nullable ? "true" : "false")};
			put_row(fcinfo, meta, values);
		}
	}
	return (Datum)0;
}

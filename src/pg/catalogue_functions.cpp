// relocate_catalogue_models(), relocate_catalogue_foreign_keys() and relocate_catalogue_columns():
// the model catalogue as rows, behind the views relocate_models, relocate_model_foreign_keys and
// relocate_model_columns.

#include <string>

#include "core/catalogue.hpp"
#include "core/model_hooks.hpp"
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
		                  uniques.data(),
		                  const_cast<char *>(m.table_removed)}; // NULL when Sentry has the table
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

namespace {

// What a Python-side default gives, for relocate_catalogue_columns.
std::string default_detail(const relocate::FieldDefault &d) {
	switch (d.kind) {
	case relocate::DefaultKind::Json:
		return std::string("when the export lacks the field: ") + d.value;
	case relocate::DefaultKind::Now:
		return "when the export lacks the field: now (the import's transaction time)";
	case relocate::DefaultKind::RandomHex:
		return "when the export lacks the field: " + std::to_string(d.length) + " random hex digits";
	case relocate::DefaultKind::RandomAlnum:
		return "when the export lacks the field: " + std::to_string(d.length) + " random characters of [A-Za-z0-9]";
	case relocate::DefaultKind::Uuid4:
		return "when the export lacks the field: a random UUID4";
	}
	return {};
}

std::string foreign_key_detail(const relocate::ModelDef &m, const relocate::ForeignKeyDef &fk) {
	const relocate::ModelHooks &hooks = relocate::hooks_for(m.name);
	const bool nulled = hooks.null_if_unmapped != nullptr && std::string_view(fk.field) == hooks.null_if_unmapped;
	return std::string("the new pk of the ") + fk.target + " row it names (the pk map); " +
	       (nulled ? "NULL (reported) when that row was not imported"
	               : "the row is skipped when that row was not imported");
}

} // namespace

// What the catalogue knows of each model's columns (relocate_model_columns adds the live ones): the
// foreign keys remapped, the Python-side defaults, the columns Sentry's rules write, and the export
// fields whose column has another name.
RELOCATE_SQL_FUNCTION(relocate_catalogue_columns) {
	AttInMetadata *meta = begin_srf(fcinfo);
	const relocate::ModelDef *models = relocate::catalogue_models();
	for (std::size_t i = 0; i < relocate::catalogue_size(); ++i) {
		const relocate::ModelDef &m = models[i];
		auto put = [&](const std::string &column, const std::string &field, const char *source,
		               const std::string &detail) {
			std::string col = column, fld = field, det = detail;
			char *values[] = {c(m.name), col.data(), fld.data(), c(source), det.data()};
			put_row(fcinfo, meta, values);
		};
		for (std::size_t k = 0; k < m.foreign_key_count; ++k) {
			const relocate::ForeignKeyDef &fk = m.foreign_keys[k];
			put(relocate::column_for_field(m, fk.field), fk.field, "foreign key", foreign_key_detail(m, fk));
		}
		for (const relocate::ColumnOverride &o : relocate::column_overrides(m))
			put(o.column, o.field, "export field", std::string("the field \"") + o.field + "\" (Django's db_column)");
		for (std::size_t k = 0; k < m.default_count; ++k) {
			const relocate::FieldDefault &d = m.defaults[k];
			put(relocate::column_for_field(m, d.field), d.field, "python default", default_detail(d));
		}
		const relocate::ModelHooks &hooks = relocate::hooks_for(m.name);
		for (std::size_t k = 0; k < hooks.rule_column_count; ++k) {
			const relocate::RuleColumn &rc = hooks.rule_columns[k];
			put(rc.column, relocate::field_for_column(m, rc.column), "rule", rc.rule);
		}
	}
	return (Datum)0;
}

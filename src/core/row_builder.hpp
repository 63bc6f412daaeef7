// Row building: one export entry into one row of its live table. The fields are mapped to columns
// (a relation field `x` is column `x_id`; a field the table lacks is dropped and counted, or an
// error), every foreign key is remapped through the pk map, every value converted and validated
// for its column, Sentry's Python-side defaults filled in, and NOT NULL checked, so that an error
// names the model, the source pk and the field.
//
// PostgreSQL-free.
#pragma once

#include <string>
#include <vector>

#include "core/import_state.hpp"
#include "core/model_rules.hpp"

namespace relocate {

// One row being built: its cells in the table's column order.
struct Row {
	std::vector<std::string> values;
	std::vector<CellState> states;
	std::vector<std::size_t> dropped;  // dropped_fields indexes of the fields the row drops
	std::vector<std::size_t> nulled;   // unmapped_references indexes of the references the row nulls
	RowReferences references;          // remapped FK field -> referenced row's kind
	std::string unmapped;              // when build() returns false: the reference that was not imported
	const char *skip_reason = nullptr; // when a normalize rule skips the row: why
	RowNotes notes;                    // what the normalize rule did to the row, for the report

	RowEdit edit(const TableShape &table) { return RowEdit(table, values, states, &skip_reason, &notes, &nulled); }
};

class RowBuilder {
public:
	explicit RowBuilder(ImportState &state) : state_(state) {}

	// Reads the model's live table (at its first admitted entry, which the errors name) and plans
	// its defaults. False if the table does not exist because Sentry dropped it (the catalogue's
	// table_removed); throws ImportError (42P01) if it does not exist for any other reason.
	bool describe(ModelState &st, const ExportEntry &entry);
	// Builds `row` from `entry`. False if a non-null foreign key points at a row that was not
	// imported (the row is skipped); throws ImportError for any value that does not fit. The text of
	// the values that become cells is moved out of `entry` (its field values are left unspecified).
	bool build(ModelState &st, ExportEntry &entry, Row &row);

private:
	const FieldPlan &plan_for(ModelState &st, const ExportEntry &entry, const ExportField &field);
	FieldPlan plan_reference(const ModelState &st, const ExportField &field) const;
	// Remaps a foreign key into `row`; false if the referenced row was not imported.
	bool remap(const ExportEntry &entry, const ExportField &field, const FieldPlan &plan, Row &row);
	void fill_defaults(ModelState &st, const ExportEntry &entry, Row &row);
	void check_not_null(const ModelState &st, const ExportEntry &entry, const Row &row) const;
	void set_cell(const ModelState &st, const ExportEntry &entry, const std::string &field, FieldValue &&value,
	              std::size_t column, Row &row);

	ImportState &state_;
};

} // namespace relocate

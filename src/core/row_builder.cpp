#include "core/row_builder.hpp"

#include "core/error.hpp"
#include "core/generated_values.hpp"
#include "core/model_rules.hpp"
#include "core/value.hpp"

namespace relocate {

namespace {

constexpr const char *kRelocationPendingApproval = "3"; // Sentry's OrganizationStatus

// A FieldValue from a JSON literal recorded in the catalogue ("0", "\"\"", "{}", "true", ...).
FieldValue value_from_literal(const char *literal) {
	FieldValue v;
	std::string_view s(literal);
	if (s == "null") {
		v.type = FieldValue::Type::Null;
	} else if (s == "true" || s == "false") {
		v.type = FieldValue::Type::Bool;
		v.boolean = s == "true";
	} else if (!s.empty() && s[0] == '"') {
		v.type = FieldValue::Type::String;
		v.text = std::string(s.substr(1, s.size() - 2)); // catalogue literals hold no escapes
	} else if (!s.empty() && s[0] == '{') {
		v.type = FieldValue::Type::Object;
		v.text = std::string(s);
	} else if (!s.empty() && s[0] == '[') {
		v.type = FieldValue::Type::Array;
		v.text = std::string(s);
	} else {
		v.type = FieldValue::Type::Number;
		v.text = std::string(s);
	}
	return v;
}

// The value a default of kind other than Json gives (Now is PostgreSQL's input for the
// transaction's start time).
FieldValue generated_default(const FieldDefault &d) {
	FieldValue v;
	v.type = FieldValue::Type::String;
	switch (d.kind) {
	case DefaultKind::Json:
		return value_from_literal(d.value);
	case DefaultKind::Now:
		v.text = "now";
		break;
	case DefaultKind::RandomHex:
		v.text = random_hex(static_cast<std::size_t>(d.length));
		break;
	case DefaultKind::RandomAlnum:
		v.text = random_alnum(static_cast<std::size_t>(d.length));
		break;
	case DefaultKind::Uuid4:
		v.text = random_uuid4();
		break;
	}
	return v;
}

bool is_time_column(const Column &col) {
	return col.type == ColumnType::TimestampTz || col.type == ColumnType::Timestamp || col.type == ColumnType::Date;
}

} // namespace

bool RowBuilder::describe(ModelState &st, const ExportEntry &entry) {
	std::optional<TableShape> shape = state_.target.describe_table(st.def->table);
	if (!shape && st.def->table_removed != nullptr)
		return false; // Sentry dropped the table: the caller skips the model's entries
	if (!shape)
		throw missing_table_error(st.def->table, std::string(" for model ") + st.def->name,
		                          " (" + describe_entry(entry) + ")");
	st.table = std::move(*shape);
	st.described = true;
	if (st.table.id_column < 0)
		throw ImportError(sqlstate::kObjectNotInPrerequisiteState, "relocate: table \"" + std::string(st.def->table) +
		                                                               "\" for model " + st.def->name +
		                                                               " has no column \"id\"");
	for (std::size_t k = 0; k < st.def->default_count; ++k) {
		const FieldDefault &d = st.def->defaults[k];
		int col = st.table.find(column_for_field(*st.def, d.field));
		if (col >= 0)
			st.defaults.push_back(DefaultPlan{col, &d});
	}
	for (std::size_t k = 0; k < st.def->json_field_count; ++k) {
		int col = st.table.find(column_for_field(*st.def, st.def->json_fields[k]));
		if (col >= 0)
			st.table.columns[static_cast<std::size_t>(col)].json_text = true;
	}
	st.slug_column = st.table.find("slug");
	st.name_column = st.slug_column >= 0                ? st.slug_column
	                 : st.hooks->name_column != nullptr ? st.table.find(st.hooks->name_column)
	                                                    : -1;
	if (state_.options.hide_organizations && st.hooks->hidden_by_hide_organizations)
		st.hidden_status_column = st.table.find("status");
	return true;
}

FieldPlan RowBuilder::plan_reference(const ModelState &st, const ExportField &field) const {
	FieldPlan plan;
	const ForeignKeyDef *fk = find_foreign_key(*st.def, field.name);
	// Django also accepts a relation field under its column name ("organization_id" for
	// "organization"): it is the same reference, remapped the same way.
	for (std::size_t k = 0; k < st.def->foreign_key_count && fk == nullptr; ++k)
		if (column_for_field(*st.def, st.def->foreign_keys[k].field) == field.name)
			fk = &st.def->foreign_keys[k];
	if (fk == nullptr)
		return plan;
	plan.fk = fk;
	const ModelDef *target = find_model(fk->target);
	if (target == nullptr)
		throw ImportError(sqlstate::kInternalError,
		                  "relocate: catalogue error: unknown target " + std::string(fk->target));
	plan.fk_target = model_index(target);
	plan.null_if_unmapped =
	    st.hooks->null_if_unmapped != nullptr && std::string_view(fk->field) == st.hooks->null_if_unmapped;
	return plan;
}

const FieldPlan &RowBuilder::plan_for(ModelState &st, const ExportEntry &entry, const ExportField &field) {
	auto it = st.plans.find(field.name);
	if (it != st.plans.end())
		return it->second;
	FieldPlan plan = plan_reference(st, field);
	std::string column = column_for_field(*st.def, field.name);
	plan.column = st.table.find(column);
	if (plan.column == st.table.id_column)
		fail_entry(entry, sqlstate::kInvalidParameterValue, "field \"" + field.name + "\" would overwrite the row's id",
		           {});
	if (plan.column < 0) {
		const RemovedField *removed = find_removed_field(*st.def, field.name);
		if (removed == nullptr && !state_.options.ignore_unknown_fields)
			fail_entry(
			    entry, sqlstate::kUndefinedColumn, "unknown field \"" + field.name + "\"",
			    "If the export comes from a newer Sentry than this database, upgrade Sentry first; to drop "
			    "unknown fields instead, SET relocate.ignore_unknown_fields = on (they are counted in a WARNING).",
			    "Table " + st.table.name + " has no column \"" + column + "\".");
		plan.kind = FieldPlan::Kind::Dropped;
		plan.dropped = state_.report.dropped_fields.size();
		state_.report.dropped_fields.push_back(DroppedField{
		    st.def->name, field.name,
		    removed ? removed->why : "unknown to this database (relocate.ignore_unknown_fields is on)", 0});
	}
	return st.plans.emplace(field.name, plan).first->second;
}

bool RowBuilder::build(ModelState &st, ExportEntry &entry, Row &row) {
	const std::size_t ncols = st.table.columns.size();
	row.values.resize(ncols);
	row.states.assign(ncols, CellState::Absent);
	row.dropped.clear();
	row.nulled.clear();
	row.references.clear();
	row.skip_reason = nullptr;
	row.notes.clear();
	for (ExportField &field : entry) {
		const FieldPlan &plan = plan_for(st, entry, field);
		if (plan.kind == FieldPlan::Kind::Dropped) {
			row.dropped.push_back(plan.dropped); // counted once the row is known to be written
			continue;
		}
		const std::size_t c = static_cast<std::size_t>(plan.column);
		if (row.states[c] != CellState::Absent)
			fail_entry(entry, sqlstate::kInvalidParameterValue,
			           "field \"" + field.name + "\" gives column " + st.table.columns[c].name + " a second time",
			           "A relation field and its column name (e.g. \"organization\" and \"organization_id\") are the "
			           "same field; give it once.");
		if (plan.fk != nullptr) {
			if (!remap(entry, field, plan, row))
				return false;
			continue;
		}
		set_cell(st, entry, field.name, std::move(field.value), c, row);
	}
	if (st.hidden_status_column >= 0) {
		row.values[static_cast<std::size_t>(st.hidden_status_column)] = kRelocationPendingApproval;
		row.states[static_cast<std::size_t>(st.hidden_status_column)] = CellState::Value;
	}
	fill_defaults(st, entry, row);
	// A column a rule fills even without a value is in every row (as NULL until the rule writes it),
	// so that the rules of the batch can set it.
	for (std::size_t k = 0; k < st.hooks->rule_column_count; ++k) {
		const RuleColumn &rc = st.hooks->rule_columns[k];
		const int c = rc.fills_null ? st.table.find(rc.column) : -1;
		if (c >= 0 && row.states[static_cast<std::size_t>(c)] == CellState::Absent)
			row.states[static_cast<std::size_t>(c)] = CellState::Null;
	}
	check_not_null(st, entry, row);
	return true;
}

bool RowBuilder::remap(const ExportEntry &entry, const ExportField &field, const FieldPlan &plan, Row &row) {
	const std::size_t c = static_cast<std::size_t>(plan.column);
	if (field.value.is_null()) {
		row.states[c] = CellState::Null;
		return true;
	}
	std::int64_t old_pk;
	if (field.value.type == FieldValue::Type::Number && !parse_int64(field.value.text, old_pk) &&
	    is_integer_literal(field.value.text))
		fail_entry(entry, sqlstate::kNumericValueOutOfRange,
		           "field \"" + field.name + "\": the reference to " + plan.fk->target + " " + field.value.text +
		               " is out of range for bigint",
		           {});
	if (field.value.type != FieldValue::Type::Number || !parse_int64(field.value.text, old_pk))
		fail_entry(entry, sqlstate::kDatatypeMismatch,
		           "field \"" + field.name + "\": a reference to " + plan.fk->target + " must be an integer", {});
	const std::optional<PkEntry> mapped = state_.pk_map.find(plan.fk_target, old_pk);
	if (!mapped && plan.null_if_unmapped) {
		row.states[c] = CellState::Null;
		// Counted once the row is known to be written (reported in a NOTICE).
		const std::vector<DroppedField> &all = state_.report.unmapped_references;
		const DroppedField &n =
		    unmapped_reference(state_.report, entry.model, plan.fk->field, nulled_because(plan.fk->target));
		row.nulled.push_back(static_cast<std::size_t>(&n - all.data()));
		return true;
	}
	if (!mapped) {
		row.unmapped = "refers through field \"" + field.name + "\" to " + plan.fk->target + " pk " +
		               std::to_string(old_pk) + ", which was not imported";
		return false;
	}
	row.references.emplace_back(plan.fk->field, mapped->kind);
	row.values[c] = std::to_string(mapped->new_pk);
	row.states[c] = CellState::Value;
	return true;
}

void RowBuilder::fill_defaults(ModelState &st, const ExportEntry &entry, Row &row) {
	for (const DefaultPlan &d : st.defaults) {
		const std::size_t c = static_cast<std::size_t>(d.column);
		if (row.states[c] != CellState::Absent)
			continue;
		const Column &col = st.table.columns[c];
		if (d.def->kind == DefaultKind::Now && is_time_column(col)) {
			row.values[c] = "now";
			row.states[c] = CellState::Value;
			continue;
		}
		set_cell(st, entry, d.def->field, generated_default(*d.def), c, row);
	}
}

void RowBuilder::check_not_null(const ModelState &st, const ExportEntry &entry, const Row &row) const {
	for (std::size_t c = 0; c < st.table.columns.size(); ++c) {
		const Column &col = st.table.columns[c];
		if (static_cast<int>(c) == st.table.id_column)
			continue;
		const bool absent = row.states[c] == CellState::Absent;
		if (st.hooks->rule_fills_null(col.name))
			continue; // one of Sentry's rules fills it (e.g. a slug made from the name)
		if ((absent && col.not_null && !col.has_default) || (row.states[c] == CellState::Null && col.not_null))
			fail_entry(entry, sqlstate::kNotNullViolation,
			           "field \"" + field_for_column(*st.def, col.name) + "\" is " + (absent ? "missing" : "null") +
			               ", but column " + st.table.name + "." + col.name + " is NOT NULL" +
			               (absent ? " and has no default" : ""),
			           {});
	}
}

void RowBuilder::set_cell(const ModelState &st, const ExportEntry &entry, const std::string &field, FieldValue &&value,
                          std::size_t column, Row &row) {
	const Column &col = st.table.columns[column];
	Conversion conv = convert_value(std::move(value), col, row.values[column]);
	switch (conv.status) {
	case Conversion::Status::Ok:
		row.states[column] = CellState::Value;
		break;
	case Conversion::Status::Null:
		row.states[column] = CellState::Null;
		break;
	case Conversion::Status::Error:
		fail_entry(entry, conv.sqlstate, "field \"" + field + "\": " + conv.reason, {},
		           "Column " + st.table.name + "." + col.name + " is of type " + col.sql_type +
		               (col.max_chars >= 0 ? "(" + std::to_string(col.max_chars) + ")" : std::string()) + ".");
	}
}

} // namespace relocate

#include "core/importer.hpp"

#include <algorithm>
#include <cctype>
#include <map>
#include <memory>
#include <unordered_map>

#include "core/error.hpp"
#include "core/export_reader.hpp"
#include "core/filters.hpp"
#include "core/generated_values.hpp"
#include "core/import_chunks.hpp"
#include "core/model_rules.hpp"
#include "core/value.hpp"

namespace relocate {

const char *import_kind_name(ImportKind k) {
	switch (k) {
	case ImportKind::Inserted:
		return "Inserted";
	case ImportKind::Existing:
		return "Existing";
	case ImportKind::Overwrite:
		return "Overwrite";
	}
	return "Inserted";
}

std::uint8_t admitted_scopes_for(std::string_view import_scope) {
	std::string s(import_scope);
	for (char &c : s)
		c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
	if (s == "user")
		return kScopeUser;
	if (s == "organization")
		return kScopeUser | kScopeOrganization;
	if (s == "config")
		return kScopeUser | kScopeConfig;
	if (s == "global")
		return kScopeUser | kScopeOrganization | kScopeConfig | kScopeGlobal;
	throw ImportError(sqlstate::kInvalidParameterValue, "relocate: unknown import scope \"" + std::string(import_scope) + "\"",
	                  {}, "The scope is one of 'user', 'organization', 'config' or 'global', as in `sentry import`.");
}

namespace {

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

// --- the pk map ---------------------------------------------------------------------------------

struct PkEntry {
	std::int64_t new_pk;
	ImportKind kind;
};

class PkMap {
public:
	explicit PkMap(std::size_t models) : maps_(models) {}
	PkEntry *find(std::size_t model, std::int64_t old_pk) {
		auto &m = maps_[model];
		auto it = m.find(old_pk);
		return it == m.end() ? nullptr : &it->second;
	}
	bool insert(std::size_t model, std::int64_t old_pk, PkEntry e) { return maps_[model].emplace(old_pk, e).second; }
	void erase(std::size_t model, std::int64_t old_pk) { maps_[model].erase(old_pk); }

private:
	std::vector<std::unordered_map<std::int64_t, PkEntry>> maps_;
};

// --- per-model state ------------------------------------------------------------------------

struct FieldPlan {
	enum class Kind : std::uint8_t { Column, Dropped } kind = Kind::Column;
	int column = -1;                         // for Column
	const ForeignKeyDef *fk = nullptr;       // for a relation field
	std::size_t fk_target = 0;               // model index of fk->target
	bool null_if_unmapped = false;           // an unmapped reference is nulled instead of skipping the row
	std::size_t dropped = 0;                 // index into the report's dropped_fields
};

struct DefaultPlan {
	int column;
	const FieldDefault *def;
};

struct ModelState {
	const ModelDef *def = nullptr;
	std::size_t summary = 0;
	bool admitted = false;
	bool described = false;
	TableShape table;
	std::unordered_map<std::string, FieldPlan> plans;
	std::vector<DefaultPlan> defaults;
	int slug_column = -1;
	int hidden_status_column = -1; // sentry_organization.status, when hide_organizations is on
	std::int64_t rows_seen = 0;
};

void count(ModelSummary &summary, ImportKind kind) {
	switch (kind) {
	case ImportKind::Inserted:
		++summary.inserted;
		break;
	case ImportKind::Existing:
		++summary.existing;
		break;
	case ImportKind::Overwrite:
		++summary.overwritten;
		break;
	}
}

std::string describe_entry(const ExportEntry &e) {
	return "export entry " + std::to_string(e.index) + " at byte offset " + std::to_string(e.offset);
}

class Importer : public EntryConsumer {
public:
	Importer(const ImportOptions &options, Target &target, ImportFilters filters,
	         std::map<std::pair<std::string, std::int64_t>, RestoredChunk> restored)
	    : options_(options), target_(target), filters_(std::move(filters)), restored_(std::move(restored)),
	      rules_(options, target), states_(catalogue_size()), seen_(catalogue_size(), false),
	      pk_map_(catalogue_size()) {}

	void consume(const ExportEntry &entry) override {
		if (++report_.entries % 1024 == 0)
			target_.check_for_interrupts();
		if (!in_run_ || entry.model != current_name_)
			switch_model(entry);
		if (current_ == nullptr) { // a model Sentry has deleted
			++report_.models[removed_summary_].skipped;
			++report_.removed_models[removed_index_].rows;
			return;
		}
		ModelState &st = *current_;
		// Sentry's ordinals count every entry of the model, skipped ones too; chunks group 20 of them.
		current_group_ = chunk_group(st.rows_seen++);
		ModelSummary &summary = report_.models[st.summary];
		if (!restored_.empty()) {
			auto chunk = restored_.find({st.def->name, chunk_min_ordinal(current_group_)});
			if (chunk != restored_.end()) {
				restore(st, entry, chunk->second);
				return;
			}
		}
		if (!st.admitted || !instance_admitted(st, entry) || !filters_.admits(entry.model, entry)) {
			++summary.skipped;
			return;
		}
		if (!build_row(st, entry)) {
			++summary.skipped; // a foreign key points at a row that was not imported
			return;
		}
		RowEdit edit(st.table, row_value_, row_state_);
		if (!rules_.normalize(*st.def, edit, row_references_)) {
			++summary.skipped; // Sentry's normalize skips it (e.g. a merged user's own rows)
			return;
		}
		// Reserve the pk map slot now (its new pk is set when the batch is written), so that a pk
		// given twice for one model is caught here.
		if (!pk_map_.insert(model_index(st.def), entry.pk, PkEntry{0, ImportKind::Inserted}))
			fail(entry, sqlstate::kInvalidParameterValue,
			     "the same pk appears twice for this model",
			     "A Sentry export holds each row once; a repeated pk would make its references ambiguous.");
		for (std::size_t d : row_dropped_)
			++report_.dropped_fields[d].rows;
		queue_row(st, entry);
	}

	ImportReport finish() {
		flush(true);
		report_.derived_rows = rules_.derived_rows();
		report_.org_auth_tokens_without_url = rules_.skipped_org_auth_tokens();
		report_.org_auth_tokens_without_org = rules_.skipped_org_auth_tokens_without_org();
		return std::move(report_);
	}

private:
	// ----- model runs ------------------------------------------------------------------------

	void switch_model(const ExportEntry &entry) {
		flush(true);
		in_run_ = true;
		current_name_ = entry.model;
		current_ = nullptr;
		const ModelDef *def = find_model(entry.model);
		if (def == nullptr && start_removed_model_run(entry))
			return;
		if (def == nullptr)
			throw ImportError(sqlstate::kUndefinedObject,
			                  "relocate: unknown model \"" + entry.model + "\" (" + describe_entry(entry) + ")", {},
			                  "relocate knows the models of Sentry's backup catalogue (SELECT * FROM relocate_models).");
		std::size_t idx = model_index(def);
		check_dependency_order(entry, *def);
		ModelState &st = states_[idx];
		if (st.def == nullptr) {
			st.def = def;
			st.summary = report_.models.size();
			report_.models.push_back(ModelSummary{def->name});
			st.admitted = (def->scopes & options_.admitted_scopes) != 0;
		}
		seen_[idx] = true;
		current_ = &st;
		chunks_.start(def->name, (def->silos & kSiloControl) != 0);
		if (st.admitted && !st.described)
			describe(st, entry);
	}

	// Entries of a model Sentry has deleted (sentry.actor) are skipped, as Sentry's DELETED_MODELS
	// shim does, but counted in the summary and reported in a NOTICE.
	bool start_removed_model_run(const ExportEntry &entry) {
		const RemovedModel *removed = find_removed_model(entry.model);
		if (removed == nullptr)
			return false;
		for (removed_index_ = 0; removed_index_ < report_.removed_models.size(); ++removed_index_)
			if (report_.removed_models[removed_index_].model == entry.model)
				break;
		if (removed_index_ == report_.removed_models.size())
			report_.removed_models.push_back(DroppedField{entry.model, {}, removed->why, 0});
		for (removed_summary_ = 0; removed_summary_ < report_.models.size(); ++removed_summary_)
			if (report_.models[removed_summary_].model == entry.model)
				break;
		if (removed_summary_ == report_.models.size())
			report_.models.push_back(ModelSummary{entry.model});
		return true;
	}

	// A model must come after every model it refers to (spec §1.4: Sentry silently drops the
	// dependents otherwise). Starting a run of `def` after a model that has a foreign key to it
	// means some of those references were looked up too early.
	void check_dependency_order(const ExportEntry &entry, const ModelDef &def) {
		const ModelDef *models = catalogue_models();
		for (std::size_t i = 0; i < catalogue_size(); ++i) {
			if (!seen_[i] || &models[i] == &def)
				continue;
			const ModelDef &dependent = models[i];
			for (std::size_t k = 0; k < dependent.foreign_key_count; ++k) {
				const ForeignKeyDef &fk = dependent.foreign_keys[k];
				if (def.name == std::string_view(fk.target))
					throw ImportError(
					    sqlstate::kInvalidParameterValue,
					    "relocate: " + std::string(def.name) + " appears after " + dependent.name +
					        ", which refers to it through field \"" + fk.field + "\" (" + describe_entry(entry) + ")",
					    "Sentry's exporter writes every model after the models it depends on; this file does not.",
					    "Reorder the export so that each model's entries come before its dependents' "
					    "(SELECT model FROM relocate_models ORDER BY sort_order).");
			}
		}
	}

	void describe(ModelState &st, const ExportEntry &entry) {
		std::optional<TableShape> shape = target_.describe_table(st.def->table);
		if (!shape)
			throw ImportError(sqlstate::kUndefinedTable,
			                  "relocate: table \"" + std::string(st.def->table) + "\" for model " + st.def->name +
			                      " does not exist (" + describe_entry(entry) + ")",
			                  {}, "Create Sentry's schema first, and check that its schema is in the search_path.");
		st.table = std::move(*shape);
		st.described = true;
		if (st.table.id_column < 0)
			throw ImportError(sqlstate::kObjectNotInPrerequisiteState,
			                  "relocate: table \"" + std::string(st.def->table) + "\" for model " + st.def->name +
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
		if (options_.hide_organizations && std::string_view(st.def->name) == "sentry.organization")
			st.hidden_status_column = st.table.find("status");
	}

	// Models whose RelocationScope is chosen per instance (spec §2.1, §6).
	bool instance_admitted(const ModelState &st, const ExportEntry &entry) const {
		const std::uint8_t scopes = st.def->scopes;
		if ((scopes & (scopes - 1)) == 0)
			return true; // a single scope, already admitted
		auto non_null = [&](const char *field) {
			const FieldValue *v = entry.find(field);
			return v != nullptr && !v->is_null();
		};
		std::string_view name = st.def->name;
		std::uint8_t scope;
		if (name == "sentry.apitoken" || name == "sentry.apiauthorization")
			scope = non_null("application") ? kScopeGlobal : kScopeConfig;
		else if (name == "sentry.notificationaction")
			scope = (non_null("integration_id") || non_null("sentry_app_id")) ? kScopeGlobal : kScopeOrganization;
		else
			// sentry.notificationactionproject takes its action's scope: an action that was not
			// admitted is not in the pk map, so the link is skipped by its foreign key.
			scope = scopes;
		return (scope & options_.admitted_scopes) != 0;
	}

	// ----- rows ------------------------------------------------------------------------------

	const FieldPlan &plan_for(ModelState &st, const ExportEntry &entry, const ExportField &field) {
		auto it = st.plans.find(field.name);
		if (it != st.plans.end())
			return it->second;
		FieldPlan plan;
		const ForeignKeyDef *fk = find_foreign_key(*st.def, field.name);
		if (fk == nullptr) {
			// Django also accepts a relation field under its column name ("organization_id" for
			// "organization"): it is the same reference, remapped the same way.
			for (std::size_t k = 0; k < st.def->foreign_key_count && fk == nullptr; ++k)
				if (column_for_field(*st.def, st.def->foreign_keys[k].field) == field.name)
					fk = &st.def->foreign_keys[k];
		}
		if (fk != nullptr) {
			plan.fk = fk;
			const ModelDef *target = find_model(fk->target);
			if (target == nullptr)
				throw ImportError(sqlstate::kInternalError,
				                  "relocate: catalogue error: unknown target " + std::string(fk->target));
			plan.fk_target = model_index(target);
			// Sentry's one exception to "an unmapped reference skips the row" (spec §6): a member
			// whose inviter was not imported keeps its membership and loses the inviter.
			plan.null_if_unmapped =
			    std::string_view(st.def->name) == "sentry.organizationmember" && std::string_view(fk->field) == "inviter_id";
		}
		std::string column = column_for_field(*st.def, field.name);
		plan.column = st.table.find(column);
		if (plan.column == st.table.id_column)
			fail(entry, sqlstate::kInvalidParameterValue, "field \"" + field.name + "\" would overwrite the row's id",
			     {});
		if (plan.column < 0) {
			const RemovedField *removed = find_removed_field(*st.def, field.name);
			if (removed == nullptr && !options_.ignore_unknown_fields)
				fail(entry, sqlstate::kUndefinedColumn, "unknown field \"" + field.name + "\"",
				     "If the export comes from a newer Sentry than this database, upgrade Sentry first; to drop "
				     "unknown fields instead, SET relocate.ignore_unknown_fields = on (they are counted in a NOTICE).",
				     "Table " + st.table.name + " has no column \"" + column + "\".");
			plan.kind = FieldPlan::Kind::Dropped;
			plan.dropped = report_.dropped_fields.size();
			report_.dropped_fields.push_back(DroppedField{
			    st.def->name, field.name,
			    removed ? removed->why : "unknown to this database (relocate.ignore_unknown_fields is on)", 0});
		}
		return st.plans.emplace(field.name, plan).first->second;
	}

	// Fills row_value_/row_state_ for one entry. Returns false if a foreign key cannot be mapped.
	bool build_row(ModelState &st, const ExportEntry &entry) {
		const std::size_t ncols = st.table.columns.size();
		row_value_.resize(ncols);
		row_state_.assign(ncols, kAbsent);
		row_dropped_.clear();
		row_references_.clear();
		for (const ExportField &field : entry) {
			const FieldPlan &plan = plan_for(st, entry, field);
			if (plan.kind == FieldPlan::Kind::Dropped) {
				row_dropped_.push_back(plan.dropped); // counted once the row is known to be written
				continue;
			}
			if (row_state_[static_cast<std::size_t>(plan.column)] != kAbsent)
				fail(entry, sqlstate::kInvalidParameterValue,
				     "field \"" + field.name + "\" gives column " + st.table.columns[static_cast<std::size_t>(plan.column)].name +
				         " a second time",
				     "A relation field and its column name (e.g. \"organization\" and \"organization_id\") are the same "
				     "field; give it once.");
			const Column &col = st.table.columns[static_cast<std::size_t>(plan.column)];
			std::string &out = row_value_[static_cast<std::size_t>(plan.column)];
			if (plan.fk != nullptr) {
				if (field.value.is_null()) {
					row_state_[static_cast<std::size_t>(plan.column)] = kNull;
					continue;
				}
				std::int64_t old_pk;
				if (field.value.type != FieldValue::Type::Number || !parse_int64(field.value.text, old_pk))
					fail(entry, sqlstate::kDatatypeMismatch,
					     "field \"" + field.name + "\": a reference to " + plan.fk->target + " must be an integer",
					     {});
				const PkEntry *mapped = pk_map_.find(plan.fk_target, old_pk);
				if (mapped == nullptr && plan.null_if_unmapped) {
					row_state_[static_cast<std::size_t>(plan.column)] = kNull;
					continue;
				}
				if (mapped == nullptr)
					return false;
				row_references_.emplace_back(plan.fk->field, mapped->kind);
				out = std::to_string(mapped->new_pk);
				row_state_[static_cast<std::size_t>(plan.column)] = kValue;
				continue;
			}
			set_cell(st, entry, field.name, field.value, col, static_cast<std::size_t>(plan.column));
		}
		if (st.hidden_status_column >= 0) {
			row_value_[static_cast<std::size_t>(st.hidden_status_column)] = kRelocationPendingApproval;
			row_state_[static_cast<std::size_t>(st.hidden_status_column)] = kValue;
		}
		for (const DefaultPlan &d : st.defaults) {
			std::size_t c = static_cast<std::size_t>(d.column);
			if (row_state_[c] != kAbsent)
				continue;
			FieldValue v;
			switch (d.def->kind) {
			case DefaultKind::Json:
				v = value_from_literal(d.def->value);
				break;
			case DefaultKind::Now:
				v.type = FieldValue::Type::String;
				v.text = "now"; // PostgreSQL's input for the transaction's start time
				break;
			case DefaultKind::RandomHex:
				v.type = FieldValue::Type::String;
				v.text = random_hex(static_cast<std::size_t>(d.def->length));
				break;
			case DefaultKind::RandomAlnum:
				v.type = FieldValue::Type::String;
				v.text = random_alnum(static_cast<std::size_t>(d.def->length));
				break;
			case DefaultKind::Uuid4:
				v.type = FieldValue::Type::String;
				v.text = random_uuid4();
				break;
			}
			const Column &col = st.table.columns[c];
			if (d.def->kind == DefaultKind::Now &&
			    (col.type == ColumnType::TimestampTz || col.type == ColumnType::Timestamp || col.type == ColumnType::Date)) {
				row_value_[c] = "now";
				row_state_[c] = kValue;
				continue;
			}
			set_cell(st, entry, d.def->field, v, col, c);
		}
		for (std::size_t c = 0; c < ncols; ++c) {
			const Column &col = st.table.columns[c];
			if (static_cast<int>(c) == st.table.id_column)
				continue;
			if ((row_state_[c] == kAbsent && col.not_null && !col.has_default) || (row_state_[c] == kNull && col.not_null))
				fail(entry, sqlstate::kNotNullViolation,
				     "field \"" + field_name_for(st, col.name) + "\" is " +
				         (row_state_[c] == kAbsent ? "missing" : "null") + ", but column " + st.table.name + "." +
				         col.name + " is NOT NULL" + (row_state_[c] == kAbsent ? " and has no default" : ""),
				     {});
		}
		return true;
	}

	void set_cell(ModelState &st, const ExportEntry &entry, const std::string &field, const FieldValue &value,
	              const Column &col, std::size_t c) {
		Conversion conv = convert_value(value, col, row_value_[c]);
		switch (conv.status) {
		case Conversion::Status::Ok:
			row_state_[c] = kValue;
			break;
		case Conversion::Status::Null:
			row_state_[c] = kNull;
			break;
		case Conversion::Status::Error:
			fail(entry, conv.sqlstate, "field \"" + field + "\": " + conv.reason, {},
			     "Column " + st.table.name + "." + col.name + " is of type " + col.sql_type +
			         (col.max_chars >= 0 ? "(" + std::to_string(col.max_chars) + ")" : std::string()) + ".");
		}
	}

	// The export field name for a column, for messages (the reverse of column_for_field).
	std::string field_name_for(const ModelState &st, const std::string &column) const {
		for (std::size_t k = 0; k < st.def->foreign_key_count; ++k)
			if (column_for_field(*st.def, st.def->foreign_keys[k].field) == column)
				return st.def->foreign_keys[k].field;
		if (column == "first_name" && std::string_view(st.def->name) == "sentry.user")
			return "name";
		return column;
	}

	void queue_row(ModelState &st, const ExportEntry &entry) {
		const std::size_t ncols = st.table.columns.size();
		// The batch's columns are those this row provides; a row with another set starts a batch.
		bool same = batch_state_ == &st && batch_.rows() > 0;
		if (same) {
			std::size_t k = 0;
			for (std::size_t c = 0; c < ncols && same; ++c) {
				bool provided = row_state_[c] != kAbsent;
				bool in_batch = k < batch_.columns.size() && batch_.columns[k] == static_cast<int>(c);
				same = provided == in_batch;
				k += in_batch;
			}
			same = same && k == batch_.columns.size();
		}
		if (!same) {
			flush(false);
			batch_state_ = &st;
			batch_.table = &st.table;
			batch_.model = st.def->name;
			for (std::size_t c = 0; c < ncols; ++c)
				if (row_state_[c] != kAbsent)
					batch_.columns.push_back(static_cast<int>(c));
		}
		batch_.source_pks.push_back(entry.pk);
		batch_groups_.push_back(current_group_);
		for (int c : batch_.columns) {
			std::size_t uc = static_cast<std::size_t>(c);
			bool null = row_state_[uc] == kNull;
			batch_.is_null.push_back(null ? 1 : 0);
			if (null) {
				batch_.cells.emplace_back();
			} else {
				batch_.bytes += row_value_[uc].size();
				batch_.cells.push_back(std::move(row_value_[uc]));
			}
		}
		if (batch_.rows() >= options_.batch_rows || batch_.bytes >= options_.batch_bytes)
			flush(false);
	}

	// Writes the queued rows, records them in the pk map, and writes the import chunks of every
	// group that is complete: all of them when `all` (the model run ended), else those before the
	// group of the entry being processed.
	void flush(bool all) {
		write_restored_pk_rows();
		if (batch_state_ != nullptr && batch_.rows() > 0)
			write_batch(*batch_state_);
		batch_.clear();
		batch_groups_.clear();
		batch_state_ = nullptr;
		std::vector<ImportChunk> complete = chunks_.take(all ? std::nullopt : std::optional<std::int64_t>(current_group_));
		if (!complete.empty()) {
			target_.write_chunks(options_.import_uuid, complete);
			report_.chunks_written += static_cast<std::int64_t>(complete.size());
		}
	}

	// Writes the queued batch: Sentry's per-model write rules decide each row's fate (insert, update
	// or reuse an existing row, or skip), then inserts get fresh ids, the pk map and chunks record
	// every row, and the rows Sentry's signals would create follow.
	void write_batch(ModelState &st) {
		target_.check_for_interrupts();
		const std::size_t rows = batch_.rows();
		std::vector<RowFate> fates(rows);
		BatchEdit edit(batch_, fates);
		rules_.resolve(*st.def, edit);
		bool all_inserts = true;
		for (const RowFate &f : fates)
			all_inserts = all_inserts && f.action == RowFate::Action::Insert;
		std::vector<std::int64_t> new_pks(rows, 0);
		if (all_inserts && keeps_source_ids(st)) {
			// Global scope restores projects with their own ids, so DSNs keep working (spec §4.4).
			batch_.ids = batch_.source_pks;
			target_.insert_rows(batch_);
			target_.advance_sequence(st.table, *std::max_element(batch_.ids.begin(), batch_.ids.end()));
			new_pks = batch_.ids;
		} else if (all_inserts) {
			target_.allocate_ids(st.table, rows, batch_.ids);
			if (batch_.ids.size() != rows)
				throw ImportError(sqlstate::kInternalError, "relocate: id allocation returned the wrong number of ids");
			target_.insert_rows(batch_);
			new_pks = batch_.ids;
		} else {
			write_mixed_batch(st, fates, new_pks);
		}
		const std::size_t idx = model_index(st.def);
		ModelSummary &summary = report_.models[st.summary];
		pk_rows_.clear();
		pk_rows_.model = st.def->name;
		std::vector<WrittenRow> written;
		for (std::size_t r = 0; r < rows; ++r) {
			const RowFate &f = fates[r];
			if (f.action == RowFate::Action::Skip) {
				pk_map_.erase(idx, batch_.source_pks[r]);
				++summary.skipped;
				continue;
			}
			PkEntry *entry = pk_map_.find(idx, batch_.source_pks[r]);
			entry->new_pk = new_pks[r];
			entry->kind = f.kind;
			std::optional<std::string> slug;
			if (st.slug_column >= 0)
				slug = edit.get(r, "slug"); // after resolve: the final slug
			pk_rows_.old_pks.push_back(batch_.source_pks[r]);
			pk_rows_.new_pks.push_back(new_pks[r]);
			pk_rows_.kinds.push_back(f.kind);
			pk_rows_.slugs.push_back(slug);
			chunks_.add(ChunkBuilder::Entry{batch_groups_[r], batch_.source_pks[r], new_pks[r], f.kind, slug});
			count(summary, f.kind);
			written.push_back(WrittenRow{r, batch_.source_pks[r], new_pks[r], f.action});
			report_.rows_updated += f.action == RowFate::Action::Update;
			report_.rows_reused += f.action == RowFate::Action::Reuse;
		}
		if (pk_rows_.size() > 0)
			target_.record_pk_map(pk_rows_);
		rules_.after_write(*st.def, edit, written);
	}

	bool keeps_source_ids(const ModelState &st) const {
		return (options_.admitted_scopes & kScopeGlobal) != 0 && std::string_view(st.def->name) == "sentry.project";
	}

	// A batch whose rows do not all become inserts: inserts and updates go as two statements.
	void write_mixed_batch(ModelState &st, const std::vector<RowFate> &fates, std::vector<std::int64_t> &new_pks) {
		const std::size_t ncols = batch_.columns.size();
		RowBatch inserts, updates;
		for (RowBatch *b : {&inserts, &updates}) {
			b->table = batch_.table;
			b->model = batch_.model;
			b->columns = batch_.columns;
		}
		std::vector<std::size_t> insert_rows, update_rows;
		for (std::size_t r = 0; r < batch_.rows(); ++r) {
			RowBatch *b = nullptr;
			if (fates[r].action == RowFate::Action::Insert) {
				b = &inserts;
				insert_rows.push_back(r);
			} else if (fates[r].action == RowFate::Action::Update) {
				b = &updates;
				update_rows.push_back(r);
			}
			if (b == nullptr)
				continue;
			b->source_pks.push_back(batch_.source_pks[r]);
			for (std::size_t k = 0; k < ncols; ++k) {
				b->is_null.push_back(batch_.is_null[r * ncols + k]);
				b->cells.push_back(std::move(batch_.cells[r * ncols + k]));
				b->bytes += b->is_null.back() ? 0 : b->cells.back().size();
			}
		}
		if (inserts.rows() > 0) {
			target_.allocate_ids(st.table, inserts.rows(), inserts.ids);
			target_.insert_rows(inserts);
			for (std::size_t i = 0; i < insert_rows.size(); ++i)
				new_pks[insert_rows[i]] = inserts.ids[i];
		}
		// Updated and reused rows: an existing row's id, or that of a row inserted just above.
		for (std::size_t r = 0; r < batch_.rows(); ++r) {
			const RowFate &f = fates[r];
			if (f.action == RowFate::Action::Update || f.action == RowFate::Action::Reuse)
				new_pks[r] = f.same_as_row >= 0 ? new_pks[static_cast<std::size_t>(f.same_as_row)] : f.id;
		}
		for (std::size_t r : update_rows)
			updates.ids.push_back(new_pks[r]);
		if (updates.rows() > 0)
			target_.update_rows(updates);
		// The moved-from cells are gone; put them back for after_write (which reads the batch).
		std::size_t ii = 0, ui = 0;
		for (std::size_t r = 0; r < batch_.rows(); ++r) {
			const RowBatch *b = nullptr;
			std::size_t at = 0;
			if (fates[r].action == RowFate::Action::Insert) {
				b = &inserts;
				at = ii++;
			} else if (fates[r].action == RowFate::Action::Update) {
				b = &updates;
				at = ui++;
			}
			if (b == nullptr)
				continue;
			for (std::size_t k = 0; k < ncols; ++k)
				batch_.cells[r * ncols + k] = b->cells[at * ncols + k];
		}
	}

	// An entry whose group an earlier run with this import_uuid already wrote: its mapping comes
	// back from that run's chunk (and the summary counts it as that run did); nothing is written.
	void restore(ModelState &st, const ExportEntry &entry, const RestoredChunk &chunk) {
		if (chunk_min_ordinal(current_group_) != last_restored_group_start_ || &st != last_restored_state_) {
			++report_.chunks_reused;
			last_restored_group_start_ = chunk_min_ordinal(current_group_);
			last_restored_state_ = &st;
		}
		ModelSummary &summary = report_.models[st.summary];
		auto it = chunk.entries.find(entry.pk);
		if (it == chunk.entries.end()) {
			++summary.skipped;
			return;
		}
		const RestoredChunk::Mapped &m = it->second;
		if (!pk_map_.insert(model_index(st.def), entry.pk, PkEntry{m.new_pk, m.kind}))
			fail(entry, sqlstate::kInvalidParameterValue, "the same pk appears twice for this model",
			     "A Sentry export holds each row once; a repeated pk would make its references ambiguous.");
		count(summary, m.kind);
		if (restored_rows_.model != nullptr && restored_rows_.model != st.def->name)
			write_restored_pk_rows();
		restored_rows_.model = st.def->name;
		restored_rows_.old_pks.push_back(entry.pk);
		restored_rows_.new_pks.push_back(m.new_pk);
		restored_rows_.kinds.push_back(m.kind);
		restored_rows_.slugs.push_back(m.slug);
		if (restored_rows_.size() >= options_.batch_rows)
			write_restored_pk_rows();
	}

	void write_restored_pk_rows() {
		if (restored_rows_.size() > 0)
			target_.record_pk_map(restored_rows_);
		restored_rows_.clear();
		restored_rows_.model = nullptr;
	}

	[[noreturn]] void fail(const ExportEntry &entry, const char *code, const std::string &what, const std::string &hint,
	                       const std::string &detail = {}) const {
		throw ImportError(code, "relocate: " + entry.model + " pk " + std::to_string(entry.pk) + ", " + what,
		                  (detail.empty() ? std::string() : detail + " ") + "At " + describe_entry(entry) + ".", hint);
	}

	static constexpr unsigned char kAbsent = 0, kValue = 1, kNull = 2;
	static constexpr const char *kRelocationPendingApproval = "3"; // Sentry's OrganizationStatus

	const ImportOptions &options_;
	Target &target_;
	ImportFilters filters_;
	std::map<std::pair<std::string, std::int64_t>, RestoredChunk> restored_;
	ModelRules rules_;
	ImportReport report_;
	std::vector<ModelState> states_;
	std::vector<bool> seen_;
	PkMap pk_map_;
	ModelState *current_ = nullptr; // nullptr during a run of a removed model
	std::string current_name_;
	bool in_run_ = false; // false until the first entry
	std::size_t removed_summary_ = 0, removed_index_ = 0;

	std::vector<std::string> row_value_;
	std::vector<unsigned char> row_state_;
	std::vector<std::size_t> row_dropped_; // dropped_fields indexes of the row being built
	RowReferences row_references_; // remapped FK field -> referenced row's kind

	ModelState *batch_state_ = nullptr;
	RowBatch batch_;
	std::vector<std::int64_t> batch_groups_; // each queued row's chunk group
	PkMapRows pk_rows_;

	std::int64_t current_group_ = 0; // chunk group of the entry being processed
	ChunkBuilder chunks_;
	PkMapRows restored_rows_;
	std::int64_t last_restored_group_start_ = -1;
	const ModelState *last_restored_state_ = nullptr;
};

} // namespace

ImportReport run_import(const char *data, std::size_t length, const ImportOptions &options, Target &target) {
	// Sentry mints uuid4().hex when no import_uuid is given (spec §3).
	ImportOptions opts = options;
	if (opts.import_uuid.empty()) {
		opts.import_uuid = random_uuid4_hex();
	}
	const std::uint8_t org_scope = kScopeUser | kScopeOrganization;
	if (options.org_filter && options.admitted_scopes != org_scope)
		throw ImportError(sqlstate::kInvalidParameterValue, "relocate: org_filter needs the organization scope", {},
		                  "Sentry filters by organization slug only in `sentry import organizations`.");
	if (options.user_filter && options.admitted_scopes != kScopeUser &&
	    options.admitted_scopes != (kScopeUser | kScopeConfig))
		throw ImportError(sqlstate::kInvalidParameterValue, "relocate: user_filter needs the user or config scope", {},
		                  "Sentry filters by username only in `sentry import users` and `sentry import config`.");
	ImportFilters filters = build_filters(data, length, opts.org_filter, opts.user_filter);
	target.lock_import(opts.import_uuid);
	auto restored = index_chunks(target.load_chunks(opts.import_uuid));
	auto importer = std::make_unique<Importer>(opts, target, std::move(filters), std::move(restored));
	read_export(data, length, *importer);
	ImportReport report = importer->finish();
	report.import_uuid = opts.import_uuid;
	return report;
}

} // namespace relocate

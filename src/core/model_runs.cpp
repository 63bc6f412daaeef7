#include "core/model_runs.hpp"

#include "core/error.hpp"

namespace relocate {

namespace {

// The index of the item of `items` for `model`, added with make() if there is none.
template <typename T, typename Make>
std::size_t find_or_add(std::vector<T> &items, const std::string &model, Make make) {
	for (std::size_t i = 0; i < items.size(); ++i)
		if (items[i].model == model)
			return i;
	items.push_back(make());
	return items.size() - 1;
}

// A model must come after every model it refers to (Sentry silently drops the dependents
// otherwise). Starting a run of `def` after a model (`seen`, by catalogue index) that has a
// foreign key to it means some of those references were looked up too early.
void check_dependency_order(const ExportEntry &entry, const ModelDef &def, const std::vector<bool> &seen) {
	const ModelDef *models = catalogue_models();
	for (std::size_t i = 0; i < catalogue_size(); ++i) {
		if (!seen[i] || &models[i] == &def)
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

// The names of the scopes in `bits`, joined with ", ".
std::string scope_names(std::uint8_t bits) {
	std::string out;
	for (std::uint8_t bit = 1; bit != 0 && bit <= kScopeGlobal; bit = static_cast<std::uint8_t>(bit << 1))
		if (bits & bit)
			out += (out.empty() ? "" : ", ") + std::string(scope_name(static_cast<ScopeBits>(bit)));
	return out;
}

// The report's detail for an entry of a model the import scope does not admit.
std::string out_of_scope_detail(const ModelDef &def, std::uint8_t admitted) {
	if (def.scopes & kScopeExcluded)
		return "out of scope: Sentry never imports this model (relocation scope Excluded)";
	return "out of scope: the model's relocation scope is " + scope_names(def.scopes) +
	       ", and the import scope admits " + scope_names(admitted);
}

} // namespace

void fail_unknown_model(const ExportEntry &entry) {
	throw ImportError(sqlstate::kUndefinedObject,
	                  "relocate: unknown model \"" + entry.model + "\" (" + describe_entry(entry) + ")", {},
	                  "relocate knows the models of Sentry's backup catalogue (SELECT * FROM relocate_models).");
}

void ModelRuns::start(const ExportEntry &entry, RowBuilder &rows, ChunkBuilder &chunks) {
	in_run_ = true;
	name_ = entry.model;
	current_ = nullptr;
	const ModelDef *def = find_model(entry.model);
	if (def == nullptr) {
		start_removed_model(entry);
		return;
	}
	const std::size_t idx = model_index(def);
	check_dependency_order(entry, *def, seen_);
	ModelState &st = state_.models[idx];
	if (st.def == nullptr) {
		st.def = def;
		st.hooks = &hooks_for(def->name);
		st.summary = state_.report.models.size();
		state_.report.models.push_back(ModelSummary{def->name});
		st.admitted = (def->scopes & state_.options.admitted_scopes) != 0;
		if (!st.admitted)
			st.out_of_scope = out_of_scope_detail(*def, state_.options.admitted_scopes);
	}
	seen_[idx] = true;
	current_ = &st;
	chunks.start(def->name, (def->silos & kSiloControl) != 0);
	if (st.admitted && !st.described) {
		InPhase phase(&state_.timeline, Phase::Setup);
		if (!rows.describe(st, entry))
			start_removed_table(*def);
	}
}

void ModelRuns::skip_removed(const ExportEntry &entry) {
	state_.report.models[removed_summary_].skip(SkipReason::RemovedModel);
	++state_.report.removed_models[removed_index_].rows;
	const DroppedField &removed = state_.report.removed_models[removed_index_];
	state_.log.add(removed.model.c_str(), entry.pk, std::nullopt, "skipped", removed.why);
}

void ModelRuns::describe(ImportProgress &p) const {
	if (!in_run_)
		return;
	p.model = name_.c_str();
	p.model_index = current_ != nullptr ? static_cast<std::int64_t>(model_index(current_->def)) : -1;
}

// Entries of a model whose table Sentry has dropped, imported into a database without it: skipped
// as Sentry's importer of such a version skips them (it no longer knows the model), counted and
// reported in a WARNING.
void ModelRuns::start_removed_table(const ModelDef &def) {
	current_ = nullptr;
	ImportReport &report = state_.report;
	removed_index_ = find_or_add(report.removed_models, def.name, [&] {
		return DroppedField{def.name,
		                    {},
		                    std::string("its table ") + def.table +
		                        " is not in this database: Sentry removed the model " + def.table_removed +
		                        ", and Sentry's importer of such a version skips its entries",
		                    0};
	});
	removed_summary_ = find_or_add(report.models, def.name, [&] { return ModelSummary{def.name}; });
}

// Entries of a model Sentry has deleted (sentry.actor) are skipped, as Sentry's DELETED_MODELS
// shim does, but counted in the summary and reported in a NOTICE. An unknown model is an error.
void ModelRuns::start_removed_model(const ExportEntry &entry) {
	const RemovedModel *removed = find_removed_model(entry.model);
	if (removed == nullptr)
		fail_unknown_model(entry);
	ImportReport &report = state_.report;
	removed_index_ = find_or_add(report.removed_models, entry.model, [&] {
		return DroppedField{entry.model, {}, removed->why, 0};
	});
	removed_summary_ = find_or_add(report.models, entry.model, [&] { return ModelSummary{entry.model}; });
}

} // namespace relocate

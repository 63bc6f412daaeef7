#include "core/importer.hpp"

#include <memory>

#include "core/batch_writer.hpp"
#include "core/error.hpp"
#include "core/export_reader.hpp"
#include "core/filters.hpp"
#include "core/generated_values.hpp"
#include "core/import_chunks.hpp"
#include "core/import_state.hpp"
#include "core/row_builder.hpp"
#include "core/text.hpp"

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

const char *skip_reason_name(SkipReason r) {
	switch (r) {
	case SkipReason::Scope:
		return "scope";
	case SkipReason::Filter:
		return "filter";
	case SkipReason::Reference:
		return "reference";
	case SkipReason::RemovedModel:
		return "removed_model";
	case SkipReason::Rule:
		return "rule";
	case SkipReason::Count:
		break;
	}
	return "?";
}

std::uint8_t admitted_scopes_for(std::string_view import_scope) {
	const std::string s = ascii_lower(import_scope);
	if (s == "user")
		return kScopeUser;
	if (s == "organization")
		return kScopeUser | kScopeOrganization;
	if (s == "config")
		return kScopeUser | kScopeConfig;
	if (s == "global")
		return kScopeUser | kScopeOrganization | kScopeConfig | kScopeGlobal;
	throw ImportError(sqlstate::kInvalidParameterValue,
	                  "relocate: unknown import scope \"" + std::string(import_scope) + "\"", {},
	                  "The scope is one of 'user', 'organization', 'config' or 'global', as in `sentry import`.");
}

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

// Every table of the catalogue (Sentry's Global-scope reset empties them all).
std::vector<std::string> catalogue_tables() {
	std::vector<std::string> tables;
	const ModelDef *models = catalogue_models();
	for (std::size_t i = 0; i < catalogue_size(); ++i)
		tables.emplace_back(models[i].table);
	return tables;
}

// The state machine over model runs: each entry goes to the run of its model (a new run flushes
// the previous one), and through restore, admission, row building, normalize and the batch writer.
class Importer : public EntryConsumer, public ProgressSource {
public:
	Importer(const ImportOptions &options, Target &target)
	    : state_(options, target), rules_(options, target, state_.report, &state_.timeline, &state_.pk_map),
	      rows_(state_), writer_(state_, rules_, chunks_), restorer_(state_), seen_(catalogue_size(), false),
	      check_([&target] { target.check_for_interrupts(); }) {}

	// What the reader calls between chunks of the export.
	const CheckInterrupts &check() const { return check_; }

	// What the target reads when it shows progress (at its own pace, from check_for_interrupts).
	ImportProgress progress() const override {
		ImportProgress p;
		p.phase = state_.timeline.current();
		if (in_run_) {
			p.model = current_name_.c_str();
			p.model_index = current_ != nullptr ? static_cast<std::int64_t>(model_index(current_->def)) : -1;
		}
		p.entries = state_.report.entries;
		for (const ModelSummary &m : state_.report.models) {
			p.written += m.inserted + m.existing + m.overwritten;
			p.skipped += m.skipped;
			p.reused += m.reused;
		}
		return p;
	}

	// Before the first entry: the filters (their pre-pass reads the export once more), then every
	// lock the import needs, before anything is written; then the reset if asked for, and the chunks
	// an earlier run with the import_uuid wrote (committed: the lock waited for it).
	void prepare(ByteSource &source) {
		{
			InPhase phase(&state_.timeline, Phase::Parse);
			filters_ = build_filters(source, state_.options.org_filter, state_.options.user_filter, check_);
		}
		{
			InPhase phase(&state_.timeline, Phase::Setup);
			state_.target.lock_import(state_.options.import_uuid);
			rules_.hold_import_lock();
			if (state_.options.reset)
				state_.target.reset_tables(catalogue_tables());
		}
		InPhase phase(&state_.timeline, Phase::Chunks);
		restorer_.set_restored(index_chunks(state_.target.load_chunks(state_.options.import_uuid), check_));
	}

	void consume(ExportEntry &entry) override {
		InPhase phase(&state_.timeline, Phase::Rows);
		if (++state_.report.entries % 1024 == 0)
			state_.target.check_for_interrupts();
		if (!in_run_ || entry.model != current_name_)
			start_run(entry);
		if (current_ == nullptr) { // a model Sentry has deleted
			state_.report.models[removed_summary_].skip(SkipReason::RemovedModel);
			++state_.report.removed_models[removed_index_].rows;
			const DroppedField &removed = state_.report.removed_models[removed_index_];
			state_.log.add(removed.model.c_str(), entry.pk, std::nullopt, "skipped", removed.why);
			return;
		}
		ModelState &st = *current_;
		// Sentry's ordinals count every entry of the model, skipped ones too; chunks group 20 of them.
		current_group_ = chunk_group(st.rows_seen++);
		const ChunkRestorer::Outcome restored = restore(st, entry);
		if (restored == ChunkRestorer::Outcome::Reused)
			return;
		if (auto why = excluded(st, entry)) {
			state_.summary(st).skip(why->first);
			state_.log.add(st.def->name, entry.pk, std::nullopt, "skipped", std::move(why->second));
			return;
		}
		// Reserve the pk map slot now (its new pk is set when the batch is written), so that a pk
		// given twice for one model is caught here.
		if (!state_.pk_map.insert(model_index(st.def), entry.pk, PkEntry{0, ImportKind::Inserted}))
			fail_entry(entry, sqlstate::kInvalidParameterValue, "the same pk appears twice for this model",
			           "A Sentry export holds each row once; a repeated pk would make its references ambiguous.");
		for (std::size_t d : row_.dropped)
			++state_.report.dropped_fields[d].rows;
		for (std::size_t n : row_.nulled)
			++state_.report.unmapped_references[n].rows;
		writer_.queue(st, entry, row_, current_group_, restored == ChunkRestorer::Outcome::Unmapped);
	}

	ImportReport finish() {
		flush(true);
		restorer_.check_all_seen();
		{
			InPhase phase(&state_.timeline, Phase::Derived);
			rules_.flush_derived(nullptr);
		}
		{
			InPhase phase(&state_.timeline, Phase::PkMap);
			state_.log.flush();
		}
		state_.timeline.settle();
		state_.report.pk_map_entries = static_cast<std::int64_t>(state_.pk_map.entries());
		state_.report.pk_map_bytes = static_cast<std::int64_t>(state_.pk_map.bytes());
		for (std::size_t p = 0; p < state_.report.phase_seconds.size(); ++p)
			state_.report.phase_seconds[p] = state_.timeline.seconds(static_cast<Phase>(p));
		return std::move(state_.report);
	}

	Timeline &timeline() { return state_.timeline; }

private:
	ChunkRestorer::Outcome restore(ModelState &st, const ExportEntry &entry) {
		InPhase phase(&state_.timeline, Phase::Chunks);
		return restorer_.restore(st, entry, current_group_);
	}

	// Sentry's normalize rule of the model, on the built row; false to skip the row.
	bool normalized(ModelState &st) {
		if (st.hooks->normalize == nullptr)
			return true;
		InPhase phase(&state_.timeline, Phase::Normalize);
		RowEdit edit = row_.edit(st.table);
		return st.hooks->normalize(rules_, edit, row_.references);
	}

	// Why `entry` is not imported (and the report's detail), or nothing: it is admitted, and its
	// row is built (row_) and normalized.
	std::optional<std::pair<SkipReason, std::string>> excluded(ModelState &st, ExportEntry &entry) {
		if (!st.admitted)
			return std::make_pair(SkipReason::Scope, st.out_of_scope);
		// Models whose RelocationScope Sentry picks per instance.
		if (st.hooks->instance_scope != nullptr) {
			const ScopeBits scope = st.hooks->instance_scope(entry);
			if ((scope & state_.options.admitted_scopes) == 0)
				return std::make_pair(SkipReason::Scope,
				                      std::string("out of scope: this entry's relocation scope is ") +
				                          scope_name(scope));
		}
		if (const char *why = filters_.exclusion(st.hooks->filter, entry))
			return std::make_pair(SkipReason::Filter, std::string(why));
		if (!rows_.build(st, entry, row_))
			return std::make_pair(SkipReason::Reference, row_.unmapped);
		if (!normalized(st))
			return std::make_pair(SkipReason::Rule, std::string(row_.skip_reason != nullptr
			                                                        ? row_.skip_reason
			                                                        : "Sentry's import rule for this model skips it"));
		return std::nullopt;
	}

	// Writes what is queued and restored, and the import chunks of every group that is complete:
	// all of them when `all` (the model run ended), else those before the current entry's group.
	void flush(bool all) {
		{
			InPhase phase(&state_.timeline, Phase::Chunks);
			restorer_.flush();
		}
		writer_.flush();
		InPhase phase(&state_.timeline, Phase::Chunks);
		state_.report.chunks_written += chunks_.write(state_.target, state_.options.import_uuid,
		                                              all ? std::nullopt : std::optional<std::int64_t>(current_group_));
	}

	void start_run(const ExportEntry &entry) {
		flush(true);
		if (in_run_) {
			// The derived rows the model that ends here would have found are written now.
			InPhase phase(&state_.timeline, Phase::Derived);
			rules_.flush_derived(current_name_.c_str());
		}
		in_run_ = true;
		current_name_ = entry.model;
		current_ = nullptr;
		const ModelDef *def = find_model(entry.model);
		if (def == nullptr) {
			start_removed_model_run(entry);
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
		chunks_.start(def->name, (def->silos & kSiloControl) != 0);
		if (st.admitted && !st.described) {
			InPhase phase(&state_.timeline, Phase::Setup);
			if (!rows_.describe(st, entry))
				start_removed_table_run(*def);
		}
	}

	// Entries of a model whose table Sentry has dropped, imported into a database without it: skipped
	// as Sentry's importer of such a version skips them (it no longer knows the model), counted and
	// reported in a WARNING.
	void start_removed_table_run(const ModelDef &def) {
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
	void start_removed_model_run(const ExportEntry &entry) {
		const RemovedModel *removed = find_removed_model(entry.model);
		if (removed == nullptr)
			throw ImportError(
			    sqlstate::kUndefinedObject,
			    "relocate: unknown model \"" + entry.model + "\" (" + describe_entry(entry) + ")", {},
			    "relocate knows the models of Sentry's backup catalogue (SELECT * FROM relocate_models).");
		ImportReport &report = state_.report;
		removed_index_ = find_or_add(report.removed_models, entry.model, [&] {
			return DroppedField{entry.model, {}, removed->why, 0};
		});
		removed_summary_ = find_or_add(report.models, entry.model, [&] { return ModelSummary{entry.model}; });
	}

	ImportState state_;
	RuleContext rules_;
	RowBuilder rows_;
	ChunkBuilder chunks_;
	BatchWriter writer_;
	ChunkRestorer restorer_;
	ImportFilters filters_;
	std::vector<bool> seen_;        // models (by catalogue index) whose runs have started
	ModelState *current_ = nullptr; // nullptr during a run of a removed model, or of a removed table
	std::string current_name_;
	bool in_run_ = false; // false until the first entry
	std::size_t removed_summary_ = 0, removed_index_ = 0;
	std::int64_t current_group_ = 0; // chunk group of the entry being processed
	Row row_;
	CheckInterrupts check_;
};

} // namespace

ImportReport run_import(ByteSource &source, const ImportOptions &options, Target &target) {
	const WithheldValues withheld(options.withhold_values);
	// Sentry mints uuid4().hex when no import_uuid is given.
	ImportOptions opts = options;
	if (opts.import_uuid.empty())
		opts.import_uuid = random_uuid4_hex();
	const std::uint8_t org_scope = kScopeUser | kScopeOrganization;
	if (options.org_filter && options.admitted_scopes != org_scope)
		throw ImportError(sqlstate::kInvalidParameterValue, "relocate: org_filter needs the organization scope", {},
		                  "Sentry filters by organization slug only in `sentry import organizations`.");
	if (options.user_filter && options.admitted_scopes != kScopeUser &&
	    options.admitted_scopes != (kScopeUser | kScopeConfig))
		throw ImportError(sqlstate::kInvalidParameterValue, "relocate: user_filter needs the user or config scope", {},
		                  "Sentry filters by username only in `sentry import users` and `sentry import config`.");
	auto importer = std::make_unique<Importer>(opts, target);
	// The target may read the importer's progress until the importer is gone, and not after.
	struct ProgressScope {
		Target &target;
		~ProgressScope() { target.set_progress_source(nullptr); }
	} progress_scope{target};
	target.set_progress_source(importer.get());
	importer->prepare(source);
	{
		InPhase phase(&importer->timeline(), Phase::Parse);
		source.rewind();
		read_export(source, *importer, importer->check());
	}
	ImportReport report = importer->finish();
	report.import_uuid = opts.import_uuid;
	return report;
}

ImportReport run_import(const char *data, std::size_t length, const ImportOptions &options, Target &target) {
	MemorySource source(data, length);
	return run_import(source, options, target);
}

} // namespace relocate

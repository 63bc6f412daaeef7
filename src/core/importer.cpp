#include "core/importer.hpp"

#include <memory>

#if defined(__GLIBC__)
#include <malloc.h>
#endif

#include "core/batch_writer.hpp"
#include "core/error.hpp"
#include "core/export_reader.hpp"
#include "core/filters.hpp"
#include "core/generated_values.hpp"
#include "core/import_chunks.hpp"
#include "core/import_state.hpp"
#include "core/model_runs.hpp"
#include "core/parse_ahead.hpp"
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

// Every table of the catalogue (Sentry's Global-scope reset empties them all).
std::vector<std::string> catalogue_tables() {
	std::vector<std::string> tables;
	const ModelDef *models = catalogue_models();
	for (std::size_t i = 0; i < catalogue_size(); ++i)
		tables.emplace_back(models[i].table);
	return tables;
}

// What the previous model run's batches freed goes back to the system: glibc keeps freed heap
// otherwise, and the fragments of many runs' batches, not the pk map, would set the peak memory.
void release_freed_memory() {
#if defined(__GLIBC__)
	malloc_trim(0);
#endif
}

// The state machine over model runs: each entry goes to the run of its model (a new run flushes
// the previous one), and through restore, admission, row building, normalize and the batch writer.
class Importer : public EntryConsumer, public ProgressSource {
public:
	Importer(const ImportOptions &options, Target &target)
	    : state_(options, target), rules_(options, target, state_.report, &state_.timeline, &state_.pk_map),
	      rows_(state_), writer_(state_, rules_, chunks_), restorer_(state_), runs_(state_),
	      check_([&target] { target.check_for_interrupts(); }) {}

	// What the reader calls between chunks of the export.
	const CheckInterrupts &check() const { return check_; }

	// What the target reads when it shows progress (at its own pace, from check_for_interrupts).
	ImportProgress progress() const override {
		ImportProgress p = progress_of(state_);
		runs_.describe(p);
		return p;
	}

	// Before the first entry: the filters (their pre-pass reads the export once more), then every
	// lock the import needs, before anything is written; then the reset if asked for, and the chunks
	// an earlier run with the import_uuid wrote (committed: the lock waited for it).
	void prepare(ByteSource &source) {
		{
			InPhase phase(&state_.timeline, Phase::Parse);
			filters_ = build_filters(source, state_.options.org_filter, state_.options.user_filter, check_);
			state_.report.org_filter_unmatched = filters_.unmatched_slugs;
			state_.report.user_filter_unmatched = filters_.unmatched_usernames;
			state_.report.org_filter_nulls = filters_.null_slugs;
			state_.report.user_filter_nulls = filters_.null_usernames;
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
		if (runs_.starts_run(entry))
			start_run(entry);
		if (runs_.current() == nullptr) // a model Sentry has deleted, or a table it has dropped
			return runs_.skip_removed(entry);
		ModelState &st = *runs_.current();
		// Sentry's ordinals count every entry of the model, skipped ones too; chunks group 20 of them.
		current_group_ = chunk_group(st.rows_seen++);
		ChunkRestorer::Outcome restored;
		{
			InPhase chunks(&state_.timeline, Phase::Chunks);
			restored = restorer_.restore(st, entry, current_group_);
		}
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
		writer_.queue(st, entry, row_, current_group_, restored == ChunkRestorer::Outcome::Unmapped);
		if (!writer_.pending()) // a batch was written: so are the chunks of the groups it completed
			write_chunks(current_group_);
	}

	ImportReport finish() {
		flush();
		restorer_.check_all_seen();
		{
			InPhase phase(&state_.timeline, Phase::Derived);
			rules_.flush_derived(nullptr);
		}
		{
			InPhase phase(&state_.timeline, Phase::ForeignKeys);
			state_.target.check_foreign_keys();
		}
		{
			InPhase phase(&state_.timeline, Phase::PkMap);
			state_.log.flush();
		}
		settle_report(state_);
		return std::move(state_.report);
	}

	Timeline &timeline() { return state_.timeline; }

private:
	// Sentry's normalize rule of the model, on the built row of `entry`; false to skip the row. A
	// field the rule refuses is the entry's error: model, source pk and where it is in the file.
	bool normalized(ModelState &st, const ExportEntry &entry) {
		if (st.hooks->normalize == nullptr)
			return true;
		InPhase phase(&state_.timeline, Phase::Normalize);
		RowEdit edit = row_.edit(st.table);
		try {
			return st.hooks->normalize(rules_, edit, row_.references);
		} catch (const FieldError &e) {
			fail_entry(entry, e.code(), e.what(), e.hint(), e.detail());
		}
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
		if (!normalized(st, entry))
			return std::make_pair(SkipReason::Rule, std::string(row_.skip_reason != nullptr
			                                                        ? row_.skip_reason
			                                                        : "Sentry's import rule for this model skips it"));
		return std::nullopt;
	}

	// The import chunks of the model run's groups before `before_group` (all when nullopt): their
	// entries are written.
	void write_chunks(std::optional<std::int64_t> before_group) {
		InPhase phase(&state_.timeline, Phase::Chunks);
		state_.report.chunks_written += chunks_.write(state_.target, state_.options.import_uuid, before_group);
	}

	// Writes what is queued and restored, and the import chunks of the model run.
	void flush() {
		{
			InPhase phase(&state_.timeline, Phase::Chunks);
			restorer_.flush();
		}
		writer_.flush();
		write_chunks(std::nullopt);
	}

	void start_run(const ExportEntry &entry) {
		flush();
		if (runs_.in_run()) {
			// The derived rows the model that ends here would have found are written now.
			InPhase phase(&state_.timeline, Phase::Derived);
			rules_.flush_derived(runs_.model_name().c_str());
		}
		runs_.start(entry, rows_, chunks_);
		release_freed_memory();
	}

	ImportState state_;
	RuleContext rules_;
	RowBuilder rows_;
	ChunkBuilder chunks_;
	BatchWriter writer_;
	ChunkRestorer restorer_;
	ModelRuns runs_;
	ImportFilters filters_;
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
		// The JSON is parsed on a thread of its own while this one imports what was parsed before.
		read_export_ahead(source, *importer, importer->check());
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

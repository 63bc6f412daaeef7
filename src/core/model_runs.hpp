// Model runs: Sentry's exporter writes each model's entries together, every model after the models
// it depends on, and the importer takes one run at a time. ModelRuns knows whose run the current
// entry is in; when a model's first run starts it sets the model up (its hooks, its summary, whether
// the import scope admits it, its live table) and checks the dependency order; and it accounts for
// the entries of models Sentry has deleted or whose table this database no longer has.
//
// PostgreSQL-free.
#pragma once

#include <cstddef>
#include <string>
#include <vector>

#include "core/export_reader.hpp"
#include "core/import_chunks.hpp"
#include "core/import_state.hpp"
#include "core/progress.hpp"
#include "core/row_builder.hpp"

namespace relocate {

// The error (42704) for an entry of a model that is neither in Sentry's backup catalogue nor one
// Sentry deleted.
[[noreturn]] void fail_unknown_model(const ExportEntry &entry);

class ModelRuns {
public:
	explicit ModelRuns(ImportState &state) : state_(state), seen_(catalogue_size(), false) {}

	// True if `entry` starts a run: it is the first entry, or of another model than the run's.
	bool starts_run(const ExportEntry &entry) const { return !in_run_ || entry.model != name_; }
	// Starts the run of `entry`'s model: its state is set up once (`rows` describes its table, and
	// finds it missing for a model Sentry removed), and `chunks` collects for it. Throws ImportError
	// for an unknown model (42704) or one that comes after a model referring to it (22023).
	void start(const ExportEntry &entry, RowBuilder &rows, ChunkBuilder &chunks);
	bool in_run() const { return in_run_; }
	const std::string &model_name() const { return name_; }
	// The run's model; nullptr during a run of a model Sentry deleted, or of a removed table.
	ModelState *current() const { return current_; }
	// Counts and reports an entry of a run whose current() is nullptr: it is skipped.
	void skip_removed(const ExportEntry &entry);
	// The run's model, for progress.
	void describe(ImportProgress &p) const;

private:
	void start_removed_table(const ModelDef &def);
	void start_removed_model(const ExportEntry &entry);

	ImportState &state_;
	std::vector<bool> seen_;        // models (by catalogue index) whose runs have started
	ModelState *current_ = nullptr; // nullptr during a run of a removed model, or of a removed table
	std::string name_;              // the run's model name, as the export writes it
	bool in_run_ = false;           // false until the first entry
	std::size_t removed_summary_ = 0, removed_index_ = 0;
};

} // namespace relocate

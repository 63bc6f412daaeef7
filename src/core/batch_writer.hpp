// Batch writing: queued rows of one model go to the Target in batches (one INSERT, and for a batch
// with collisions one UPDATE, per batch, never a statement per row). Before a batch is written,
// Sentry's rules for the model decide each row's fate (its key rule and resolve hook); inserted
// rows get fresh ids from the table's sequence (or keep their own, in Global scope, for the models
// that do); then the pk map, the session's pk map table and the import chunks record every row,
// and the model's after_write hook writes the rows Sentry's signals create.
//
// PostgreSQL-free.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "core/import_chunks.hpp"
#include "core/import_state.hpp"
#include "core/model_rules.hpp"
#include "core/row_builder.hpp"

namespace relocate {

class BatchWriter {
public:
	BatchWriter(ImportState &state, RuleContext &rules, ChunkBuilder &chunks)
	    : state_(state), rules_(rules), chunks_(chunks) {}

	// Queues `row` (the row of `entry`, in chunk group `group`); its cells are moved out. A row with
	// another column set than the queued ones starts a new batch; a full batch is written.
	// `must_skip`: the group's chunk from an earlier run with this import_uuid does not map the
	// entry, so Sentry's rules must skip it again; if they would write it, the export is not the
	// one the chunks came from (ImportError 22023).
	void queue(ModelState &st, const ExportEntry &entry, Row &row, std::int64_t group, bool must_skip);
	// Writes the queued rows, if any.
	void flush();
	// True while rows are queued (not written yet).
	bool pending() const { return batch_.rows() > 0; }

private:
	bool same_columns(const ModelState &st, const Row &row) const;
	void check_must_skip(const ModelState &st, const std::vector<RowFate> &fates) const;
	void write(ModelState &st);
	// Writes a batch whose rows are all inserts; returns the new pks.
	// Ids kept from the file (Global scope) must be positive and leave the sequence room.
	void check_kept_ids(const ModelState &st) const;
	std::vector<std::int64_t> write_inserts(ModelState &st);
	// Writes a batch of inserts, updates and reused rows (inserts and updates as two statements);
	// returns each row's pk (0 for a skipped row).
	std::vector<std::int64_t> write_mixed(ModelState &st, const std::vector<RowFate> &fates);
	// Records each written row in the pk map, the report, the pk map table and the chunks.
	std::vector<WrittenRow> record(ModelState &st, BatchEdit &edit, const std::vector<RowFate> &fates,
	                               const std::vector<std::int64_t> &new_pks);
	// Adds the row's account to relocate_report: renamed, merged, existing, overwritten, rules' notes.
	void report_row(const ModelState &st, const BatchEdit &edit, std::size_t r, const RowFate &f, std::int64_t new_pk);

	ImportState &state_;
	RuleContext &rules_;
	ChunkBuilder &chunks_;
	ModelState *batch_state_ = nullptr;
	RowBatch batch_;
	std::vector<std::int64_t> batch_groups_;              // each queued row's chunk group
	std::vector<std::vector<std::size_t>> batch_dropped_; // each queued row's dropped fields (Row::dropped)
	std::vector<std::vector<std::size_t>> batch_nulled_;  // each queued row's nulled references (Row::nulled)
	std::vector<RowNotes> batch_notes_;                   // each queued row's normalize notes (Row::notes)
	std::vector<std::string> batch_must_skip_; // per queued row: where its entry is if queue()'s must_skip, else ""
	PkMapRows pk_rows_;
	std::vector<std::optional<std::string>> names_before_; // the batch's name_column before its rules ran
};

} // namespace relocate

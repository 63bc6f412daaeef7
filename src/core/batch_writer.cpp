#include "core/batch_writer.hpp"

#include <algorithm>
#include <cstring>
#include <limits>

#include "core/error.hpp"

namespace relocate {

bool BatchWriter::same_columns(const ModelState &st, const Row &row) const {
	if (batch_state_ != &st || batch_.rows() == 0)
		return false;
	std::size_t k = 0;
	for (std::size_t c = 0; c < row.states.size(); ++c) {
		const bool provided = row.states[c] != CellState::Absent;
		const bool in_batch = k < batch_.columns.size() && batch_.columns[k] == static_cast<int>(c);
		if (provided != in_batch)
			return false;
		k += in_batch;
	}
	return k == batch_.columns.size();
}

void BatchWriter::queue(ModelState &st, const ExportEntry &entry, Row &row, std::int64_t group, bool must_skip) {
	// The batch's columns are those this row provides; a row with another set starts a batch.
	if (!same_columns(st, row)) {
		flush();
		batch_state_ = &st;
		std::vector<int> columns;
		for (std::size_t c = 0; c < row.states.size(); ++c)
			if (row.states[c] != CellState::Absent)
				columns.push_back(static_cast<int>(c));
		batch_.reset(&st.table, st.def->name, std::move(columns));
		// What is read after the write: the report's name (username, slug) and the columns of the
		// rules after it; a large value of any other column need not outlive the statement's arguments.
		for (int c : batch_.columns)
			batch_.releasable.push_back(
			    c != st.name_column && c != st.slug_column &&
			    !st.hooks->reads_after_write(st.table.columns[static_cast<std::size_t>(c)].name));
	}
	batch_.source_pks.push_back(entry.pk);
	batch_groups_.push_back(group);
	batch_dropped_.push_back(row.dropped);
	batch_nulled_.push_back(row.nulled);
	batch_notes_.push_back(std::move(row.notes));
	batch_must_skip_.push_back(must_skip ? describe_entry(entry) : std::string());
	for (int c : batch_.columns) {
		const std::size_t uc = static_cast<std::size_t>(c);
		if (row.states[uc] == CellState::Null)
			batch_.push_null();
		else
			batch_.push_value(std::move(row.values[uc]));
	}
	if (batch_.rows() >= state_.options.batch_rows || batch_.bytes >= state_.options.batch_bytes)
		flush();
}

void BatchWriter::flush() {
	if (batch_state_ != nullptr && batch_.rows() > 0)
		write(*batch_state_);
	batch_.clear();
	batch_groups_.clear();
	batch_dropped_.clear();
	batch_nulled_.clear();
	batch_notes_.clear();
	batch_must_skip_.clear();
	batch_state_ = nullptr;
}

void BatchWriter::write(ModelState &st) {
	state_.target.check_for_interrupts();
	std::vector<RowFate> fates(batch_.rows());
	for (std::size_t r = 0; r < fates.size(); ++r)
		fates[r].notes = std::move(batch_notes_[r]);
	BatchEdit edit(batch_, fates);
	const ModelHooks &hooks = *st.hooks;
	Timeline *timeline = &state_.timeline;
	names_before_.clear();
	if (st.name_column >= 0) {
		const char *column = st.table.columns[static_cast<std::size_t>(st.name_column)].name.c_str();
		for (std::size_t r = 0; r < batch_.rows(); ++r)
			names_before_.push_back(edit.get(r, column));
	}
	{
		InPhase phase(timeline, Phase::Collisions);
		if (!hooks.key_rule.empty())
			rules_.apply_key_rule(edit, hooks.key_rule);
		if (hooks.resolve != nullptr)
			hooks.resolve(rules_, edit);
	}
	check_must_skip(st, fates);
	const bool all_inserts =
	    std::all_of(fates.begin(), fates.end(), [](const RowFate &f) { return f.action == RowFate::Action::Insert; });
	std::vector<std::int64_t> new_pks;
	{
		InPhase phase(timeline, Phase::Writes);
		new_pks = all_inserts ? write_inserts(st) : write_mixed(st, fates);
	}
	std::vector<WrittenRow> written;
	{
		InPhase phase(timeline, Phase::PkMap);
		written = record(st, edit, fates, new_pks);
	}
	if (hooks.after_write != nullptr) {
		InPhase phase(timeline, Phase::Derived);
		hooks.after_write(rules_, edit, written);
	}
}

void BatchWriter::check_must_skip(const ModelState &st, const std::vector<RowFate> &fates) const {
	for (std::size_t r = 0; r < fates.size(); ++r) {
		if (batch_must_skip_[r].empty() || fates[r].action == RowFate::Action::Skip)
			continue;
		const std::int64_t first = chunk_min_ordinal(batch_groups_[r]);
		fail_chunk_mismatch(state_.options.import_uuid,
		                    std::string(st.def->name) + " pk " + std::to_string(batch_.source_pks[r]) +
		                        " is among ordinals " + std::to_string(first) + " to " +
		                        std::to_string(first + kChunkSize - 1) + ", which the earlier run wrote without it (" +
		                        batch_must_skip_[r] + ")");
	}
}

// The largest id a row may keep from the file (Global scope): the table's sequence is moved past
// it, and setval is not undone by a rollback, so a kept id must leave the sequence room for the
// rows the install creates afterwards (a billion ids), even when the import is rolled back.
constexpr std::int64_t kMaxKeptId = std::numeric_limits<std::int64_t>::max() - 1'000'000'000;

void BatchWriter::check_kept_ids(const ModelState &st) const {
	for (std::int64_t pk : batch_.source_pks) {
		if (pk >= 1 && pk <= kMaxKeptId)
			continue;
		throw ImportError(sqlstate::kInvalidParameterValue,
		                  std::string("relocate: ") + st.def->name + " pk " + std::to_string(pk) +
		                      ": in Global scope this model keeps its ids, and this one is " +
		                      (pk < 1 ? "not positive" : "too close to the end of the id sequence"),
		                  "The row would be written with id " + std::to_string(pk) +
		                      " and the table's sequence moved past it; setval is not undone by a rollback.",
		                  "Sentry's ids are positive and far from 2^63: the export is damaged. Ids kept from the file "
		                  "must be between 1 and " +
		                      std::to_string(kMaxKeptId) + ".");
	}
}

std::vector<std::int64_t> BatchWriter::write_inserts(ModelState &st) {
	if (st.hooks->keeps_ids_in_global && state_.options.global_scope()) {
		check_kept_ids(st);
		batch_.ids = batch_.source_pks;
		state_.target.insert_rows(batch_);
		state_.target.advance_sequence(st.table, *std::max_element(batch_.ids.begin(), batch_.ids.end()));
		return batch_.ids;
	}
	state_.target.allocate_ids(st.table, batch_.rows(), batch_.ids);
	if (batch_.ids.size() != batch_.rows())
		throw ImportError(sqlstate::kInternalError, "relocate: id allocation returned the wrong number of ids");
	state_.target.insert_rows(batch_);
	return batch_.ids;
}

namespace {

// The rows of `batch` whose fate is `action`, as a batch of their own (RowBatch::take_row), and
// their indexes in `batch`.
RowBatch rows_to(RowBatch &batch, const std::vector<RowFate> &fates, RowFate::Action action,
                 std::vector<std::size_t> &indexes) {
	RowBatch out;
	out.reset(batch.table, batch.model, batch.columns);
	out.releasable = batch.releasable;
	for (std::size_t r = 0; r < batch.rows(); ++r) {
		if (fates[r].action != action)
			continue;
		indexes.push_back(r);
		out.take_row(batch, r);
	}
	return out;
}

} // namespace

std::vector<std::int64_t> BatchWriter::write_mixed(ModelState &st, const std::vector<RowFate> &fates) {
	std::vector<std::int64_t> new_pks(batch_.rows(), 0);
	std::vector<std::size_t> insert_rows, update_rows;
	RowBatch inserts = rows_to(batch_, fates, RowFate::Action::Insert, insert_rows);
	if (inserts.rows() > 0) {
		state_.target.allocate_ids(st.table, inserts.rows(), inserts.ids);
		state_.target.insert_rows(inserts);
		for (std::size_t i = 0; i < insert_rows.size(); ++i)
			new_pks[insert_rows[i]] = inserts.ids[i];
	}
	// Updated and reused rows: an existing row's id, or that of a row inserted just above.
	for (std::size_t r = 0; r < batch_.rows(); ++r) {
		const RowFate &f = fates[r];
		if (f.action == RowFate::Action::Update || f.action == RowFate::Action::Reuse)
			new_pks[r] = f.same_as_row >= 0 ? new_pks[static_cast<std::size_t>(f.same_as_row)] : f.id;
	}
	RowBatch updates = rows_to(batch_, fates, RowFate::Action::Update, update_rows);
	for (std::size_t r : update_rows)
		updates.ids.push_back(new_pks[r]);
	if (updates.rows() > 0)
		state_.target.update_rows(updates);
	return new_pks;
}

namespace {

std::string quoted(const std::optional<std::string> &v) {
	return v ? "\"" + *v + "\"" : std::string("NULL");
}

} // namespace

void BatchWriter::report_row(const ModelState &st, const BatchEdit &edit, std::size_t r, const RowFate &f,
                             std::int64_t new_pk) {
	const std::int64_t old_pk = batch_.source_pks[r];
	const char *model = st.def->name;
	if (f.kind == ImportKind::Inserted && st.name_column >= 0) {
		const std::string &column = st.table.columns[static_cast<std::size_t>(st.name_column)].name;
		std::optional<std::string> after = edit.get(r, column.c_str());
		if (after != names_before_[r]) {
			++(st.slug_column >= 0 ? state_.report.slugs_renamed : state_.report.usernames_renamed);
			const bool had_name = names_before_[r] && !names_before_[r]->empty();
			state_.log.add(model, old_pk, new_pk, "renamed",
			               column + " " + quoted(names_before_[r]) + " -> " + quoted(after) + ": " +
			                   (!f.renamed_because.empty() ? f.renamed_because
			                    : had_name                 ? "taken on this install"
			                                               : "made from the name"));
		}
	}
	const bool user = st.name_column >= 0 && st.slug_column < 0;
	if (f.kind == ImportKind::Existing)
		state_.log.add(model, old_pk, new_pk, user ? "merged" : "existing",
		               user ? "merged into the existing user id " + std::to_string(new_pk)
		                    : "an existing row (id " + std::to_string(new_pk) + ") is used instead; nothing written");
	else if (f.kind == ImportKind::Overwrite)
		state_.log.add(model, old_pk, new_pk, "overwritten",
		               "the existing row id " + std::to_string(new_pk) + " is overwritten with the export's fields");
	// A row's dropped fields and nulled references count once it is written (not when a rule
	// skips it), so that the WARNING's counts are the report's rows.
	for (std::size_t d : batch_dropped_[r]) {
		DroppedField &dropped = state_.report.dropped_fields[d];
		++dropped.rows;
		state_.log.add(model, old_pk, new_pk, "field_dropped", "field \"" + dropped.field + "\": " + dropped.why);
	}
	for (std::size_t n : batch_nulled_[r]) {
		DroppedField &nulled = state_.report.unmapped_references[n];
		++nulled.rows;
		state_.log.add(model, old_pk, new_pk, nulled.kept ? "reference_kept" : "reference_nulled",
		               "field \"" + nulled.field + "\" " + nulled.why);
	}
	for (const auto &[action, detail] : f.notes) {
		if (std::strcmp(action, "regenerated") == 0)
			++state_.report.tokens_regenerated;
		else if (std::strcmp(action, "cleared") == 0)
			++state_.report.tokens_cleared;
		state_.log.add(model, old_pk, new_pk, action, detail);
	}
}

std::vector<WrittenRow> BatchWriter::record(ModelState &st, BatchEdit &edit, const std::vector<RowFate> &fates,
                                            const std::vector<std::int64_t> &new_pks) {
	const std::size_t idx = model_index(st.def);
	ModelSummary &summary = state_.summary(st);
	pk_rows_.clear();
	pk_rows_.model = st.def->name;
	std::vector<WrittenRow> written;
	for (std::size_t r = 0; r < batch_.rows(); ++r) {
		const RowFate &f = fates[r];
		const std::int64_t old_pk = batch_.source_pks[r];
		if (f.action == RowFate::Action::Skip) {
			state_.pk_map.erase(idx, old_pk);
			summary.skip(SkipReason::Rule);
			state_.log.add(st.def->name, old_pk, std::nullopt, "skipped",
			               f.why != nullptr ? f.why : "Sentry's import rule for this model skips it");
			continue;
		}
		state_.pk_map.set(idx, old_pk, PkEntry{new_pks[r], f.kind});
		report_row(st, edit, r, f, new_pks[r]);
		std::optional<std::string> slug;
		if (st.slug_column >= 0)
			slug = edit.get(r, "slug"); // after resolve: the final slug
		pk_rows_.add(old_pk, new_pks[r], f.kind, slug);
		chunks_.add(ChunkBuilder::Entry{batch_groups_[r], old_pk, new_pks[r], f.kind, std::move(slug)});
		summary.add(f.kind);
		written.push_back(WrittenRow{r, old_pk, new_pks[r], f.action});
		state_.report.rows_updated += f.action == RowFate::Action::Update;
		state_.report.rows_reused += f.action == RowFate::Action::Reuse;
	}
	if (pk_rows_.size() > 0)
		state_.target.record_pk_map(pk_rows_);
	return written;
}

} // namespace relocate

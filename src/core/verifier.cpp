#include "core/verifier.hpp"

#include <algorithm>
#include <set>
#include <utility>
#include <vector>

#include "core/error.hpp"
#include "core/export_reader.hpp"
#include "core/import_chunks.hpp"
#include "core/import_state.hpp"
#include "core/model_runs.hpp"
#include "core/row_builder.hpp"

namespace relocate {

StoredRows Target::read_rows(const RowBatch &) {
	throw ImportError(sqlstate::kFeatureNotSupported, "relocate: this target cannot read rows back");
}

namespace {

std::string row_of(ImportKind kind) {
	return std::string("row (") + import_kind_name(kind) + ")";
}

// What the verification knows of a model beyond its ModelState.
struct VerifyModel {
	std::vector<int> compared; // the columns compared: all but the id and the rule columns
	std::vector<int> position; // by table column: its index in `compared`, or -1
	bool no_table = false;     // Sentry dropped its table and this database does not have it
};

class Verifier : public EntryConsumer {
public:
	Verifier(const ImportOptions &options, Target &target, const FindingSink &sink)
	    : state_(options, target), rows_(state_), sink_(sink), models_(catalogue_size()),
	      check_([&target] { target.check_for_interrupts(); }) {}

	const CheckInterrupts &check() const { return check_; }

	// The chunks of the import_uuid: their maps are the pk map the rows are rebuilt with.
	void prepare() {
		std::vector<ImportChunk> loaded = state_.target.load_chunks(state_.options.import_uuid);
		if (loaded.empty())
			throw ImportError(sqlstate::kInvalidParameterValue,
			                  "relocate: no import chunks for import_uuid " + state_.options.import_uuid, {},
			                  "relocate_verify compares the database with an export through the import chunks "
			                  "an import wrote; give the import_uuid of a committed import (relocate_import "
			                  "names it in a NOTICE, and relocate.last_import_uuid holds the session's last).");
		chunks_ = index_chunks(loaded, check_);
		loaded.clear();
		std::size_t n = 0;
		for (const auto &[key, chunk] : chunks_) {
			if (++n % 256 == 0)
				check_();
			const ModelDef *def = find_model(key.first);
			if (def == nullptr)
				continue;
			chunked_models_.insert(key.first);
			for (const auto &[old_pk, m] : chunk.entries)
				state_.pk_map.insert(model_index(def), old_pk, PkEntry{m.new_pk, m.kind});
		}
	}

	void consume(ExportEntry &entry) override {
		if (++entries_ % 1024 == 0)
			check_();
		if (!in_run_ || entry.model != current_name_)
			start_run(entry);
		if (current_ == nullptr)
			return; // a model Sentry has deleted: the import skips it too
		ModelState &st = *current_;
		const std::int64_t group = chunk_group(st.rows_seen++);
		if (chunked_models_.count(st.def->name) == 0)
			return; // not in the import's scope (or all of it skipped): nothing to compare
		auto chunk = chunks_.find({st.def->name, chunk_min_ordinal(group)});
		if (chunk == chunks_.end()) {
			sink_(VerifyFinding{st.def->name, entry.pk, std::nullopt, std::nullopt, std::string(kVerifyImported),
			                    std::string(kVerifyNotInChunks)});
			return;
		}
		auto it = chunk->second.entries.find(entry.pk);
		if (it == chunk->second.entries.end())
			return; // the import skipped it (filter, rule or reference)
		RestoredChunk::Mapped &m = it->second;
		m.seen = true;
		compare(st, entry, m);
	}

	void finish() {
		flush();
		// The entries the chunks map that the export does not hold, by model, ordinal and old pk.
		std::size_t n = 0;
		for (const auto &[key, chunk] : chunks_) {
			if (++n % 256 == 0)
				check_();
			std::vector<std::pair<std::int64_t, const RestoredChunk::Mapped *>> unseen;
			for (const auto &[old_pk, m] : chunk.entries)
				if (!m.seen)
					unseen.emplace_back(old_pk, &m);
			std::sort(unseen.begin(), unseen.end(), [](const auto &a, const auto &b) { return a.first < b.first; });
			for (const auto &[old_pk, m] : unseen)
				sink_(VerifyFinding{key.first, old_pk, m->new_pk, std::nullopt, std::string(kVerifyNotInExport),
				                    row_of(m->kind)});
		}
	}

private:
	void start_run(const ExportEntry &entry) {
		flush();
		in_run_ = true;
		current_name_ = entry.model;
		current_ = nullptr;
		const ModelDef *def = find_model(entry.model);
		if (def == nullptr) {
			if (find_removed_model(entry.model) == nullptr)
				fail_unknown_model(entry);
			return;
		}
		ModelState &st = state_.models[model_index(def)];
		if (st.def == nullptr) {
			st.def = def;
			st.hooks = &hooks_for(def->name);
		}
		current_ = &st;
	}

	// Describes the model's table at its first compared entry, and picks the compared columns.
	VerifyModel &model(ModelState &st, const ExportEntry &entry) {
		VerifyModel &vm = models_[model_index(st.def)];
		if (st.described || vm.no_table)
			return vm;
		if (!rows_.describe(st, entry)) {
			vm.no_table = true;
			return vm;
		}
		vm.position.assign(st.table.columns.size(), -1);
		for (std::size_t c = 0; c < st.table.columns.size(); ++c) {
			if (static_cast<int>(c) == st.table.id_column || st.hooks->writes(st.table.columns[c].name))
				continue;
			vm.position[c] = static_cast<int>(vm.compared.size());
			vm.compared.push_back(static_cast<int>(c));
		}
		return vm;
	}

	// Rebuilds the entry's row and queues it for reading back.
	void compare(ModelState &st, ExportEntry &entry, const RestoredChunk::Mapped &m) {
		VerifyModel &vm = model(st, entry);
		if (vm.no_table) {
			sink_(VerifyFinding{st.def->name, entry.pk, m.new_pk, std::nullopt, row_of(m.kind), std::nullopt});
			return;
		}
		if (!rows_.build(st, entry, row_)) {
			sink_(VerifyFinding{st.def->name, entry.pk, m.new_pk, std::nullopt, row_of(m.kind), row_.unmapped});
			return;
		}
		if (batch_state_ != &st) {
			flush();
			batch_state_ = &st;
			batch_.reset(&st.table, st.def->name, vm.compared);
		}
		// Compared: the cells the export's own fields give (not the defaults), unless the row is an
		// Existing one, which the import did not write.
		const std::size_t first = compare_.size();
		compare_.resize(first + vm.compared.size(), 0);
		if (m.kind != ImportKind::Existing) {
			for (const ExportField &field : entry) {
				const FieldPlan &plan = st.plans.at(field.name);
				if (plan.kind == FieldPlan::Kind::Column && vm.position[static_cast<std::size_t>(plan.column)] >= 0)
					compare_[first + static_cast<std::size_t>(vm.position[static_cast<std::size_t>(plan.column)])] = 1;
			}
		}
		batch_.ids.push_back(m.new_pk);
		batch_.source_pks.push_back(entry.pk);
		kinds_.push_back(m.kind);
		for (std::size_t k = 0; k < vm.compared.size(); ++k) {
			const std::size_t c = static_cast<std::size_t>(vm.compared[k]);
			if (compare_[first + k] && row_.states[c] == CellState::Value)
				batch_.push_value(std::move(row_.values[c]));
			else
				batch_.push_null();
		}
		if (batch_.rows() >= state_.options.batch_rows || batch_.bytes >= state_.options.batch_bytes)
			flush();
	}

	// Reads the queued rows back and reports what differs.
	void flush() {
		if (batch_state_ == nullptr || batch_.rows() == 0) {
			batch_state_ = nullptr;
			return;
		}
		check_();
		const StoredRows stored = state_.target.read_rows(batch_);
		const ModelState &st = *batch_state_;
		const std::size_t width = batch_.width();
		if (stored.present.size() != batch_.rows() || stored.expected.size() != batch_.rows() * width ||
		    stored.found.size() != batch_.rows() * width)
			throw ImportError(sqlstate::kInternalError, "relocate: reading rows back returned the wrong shape");
		for (std::size_t r = 0; r < batch_.rows(); ++r) {
			if (!stored.present[r]) {
				sink_(VerifyFinding{st.def->name, batch_.source_pks[r], batch_.ids[r], std::nullopt, row_of(kinds_[r]),
				                    std::nullopt});
				continue;
			}
			for (std::size_t k = 0; k < width; ++k) {
				const std::size_t i = r * width + k;
				if (!compare_[i] || stored.expected[i] == stored.found[i])
					continue;
				const std::string &column = st.table.columns[static_cast<std::size_t>(batch_.columns[k])].name;
				sink_(VerifyFinding{st.def->name, batch_.source_pks[r], batch_.ids[r],
				                    field_for_column(*st.def, column), stored.expected[i], stored.found[i]});
			}
		}
		batch_.clear();
		compare_.clear();
		kinds_.clear();
		batch_state_ = nullptr;
	}

	ImportState state_;
	RowBuilder rows_;
	const FindingSink &sink_;
	std::vector<VerifyModel> models_; // by catalogue index
	ChunkIndex chunks_;
	std::set<std::string> chunked_models_;
	ModelState *current_ = nullptr;
	std::string current_name_;
	bool in_run_ = false;
	std::size_t entries_ = 0;
	Row row_;
	ModelState *batch_state_ = nullptr;
	RowBatch batch_;
	std::vector<char> compare_; // per queued cell: compared (1) or not (0)
	std::vector<ImportKind> kinds_;
	CheckInterrupts check_;
};

} // namespace

void run_verify(ByteSource &source, const ImportOptions &options, Target &target, const FindingSink &sink) {
	if (options.import_uuid.empty())
		throw ImportError(sqlstate::kInvalidParameterValue, "relocate: the import_uuid must not be NULL");
	const WithheldValues withheld(options.withhold_values);
	Verifier verifier(options, target, sink);
	verifier.prepare();
	read_export(source, verifier, verifier.check());
	verifier.finish();
}

} // namespace relocate

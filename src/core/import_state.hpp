// The state every stage of one import shares: the options, the target, the report, the pk map
// (old pk -> new pk and ImportKind, per model) and, per model, what its run has learnt (the live
// table, how each field maps to it, its rules). Row building, batch writing and chunk restoring
// all read and update it; the importer drives them over the model runs.
//
// PostgreSQL-free.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/catalogue.hpp"
#include "core/export_reader.hpp"
#include "core/import_options.hpp"
#include "core/import_report.hpp"
#include "core/model_hooks.hpp"
#include "core/progress.hpp"
#include "core/target.hpp"
#include "core/timeline.hpp"

namespace relocate {

struct PkEntry {
	std::int64_t new_pk;
	ImportKind kind;
};

// One model's old pk -> new pk and kind: an open-addressing hash table (linear probing, at most 3/4
// full, backward-shift deletion) of 17 bytes a slot, so that an entry costs 23 to 34 bytes (the
// import's memory is this map's).
class PkTable {
public:
	std::optional<PkEntry> find(std::int64_t old_pk) const;
	// False if `old_pk` is already there.
	bool insert(std::int64_t old_pk, PkEntry e);
	// Sets the entry of an `old_pk` that is there.
	void set(std::int64_t old_pk, PkEntry e);
	void erase(std::int64_t old_pk);
	std::size_t size() const { return size_; }
	std::size_t bytes() const { return keys_.capacity() * 8 + values_.capacity() * 8 + kinds_.capacity(); }

private:
	static constexpr std::uint8_t kEmpty = 0xff;
	std::size_t slot_of(std::int64_t old_pk) const; // where it is, or the empty slot it would go to
	void grow();

	std::vector<std::int64_t> keys_;
	std::vector<std::int64_t> values_;
	std::vector<std::uint8_t> kinds_; // ImportKind, or kEmpty
	std::size_t size_ = 0;
};

// Sentry's PrimaryKeyMap: for each model (by catalogue index), old pk -> new pk and kind.
class PkMap {
public:
	explicit PkMap(std::size_t models) : tables_(models) {}
	std::optional<PkEntry> find(std::size_t model, std::int64_t old_pk) const { return tables_[model].find(old_pk); }
	// False if the model already maps `old_pk`.
	bool insert(std::size_t model, std::int64_t old_pk, PkEntry e) { return tables_[model].insert(old_pk, e); }
	void set(std::size_t model, std::int64_t old_pk, PkEntry e) { tables_[model].set(old_pk, e); }
	void erase(std::size_t model, std::int64_t old_pk) { tables_[model].erase(old_pk); }
	std::size_t entries() const;
	std::size_t bytes() const;

private:
	std::vector<PkTable> tables_;
};

// How one export field of a model reaches its table.
struct FieldPlan {
	enum class Kind : std::uint8_t { Column, Dropped } kind = Kind::Column;
	int column = -1;                   // for Column
	const ForeignKeyDef *fk = nullptr; // for a relation field
	std::size_t fk_target = 0;         // model index of fk->target
	bool null_if_unmapped = false;     // an unmapped reference is nulled instead of skipping the row
	std::size_t dropped = 0;           // index into the report's dropped_fields
};

// A Python-side default of the model for a column the row does not give.
struct DefaultPlan {
	int column;
	const FieldDefault *def;
};

// What a model's runs have learnt about it.
struct ModelState {
	const ModelDef *def = nullptr;
	const ModelHooks *hooks = nullptr;
	std::size_t summary = 0; // index into the report's models
	bool admitted = false;   // its relocation scope is in the import scope
	bool described = false;  // `table` and the plans are set up
	TableShape table;
	std::unordered_map<std::string, FieldPlan> plans; // by export field name, filled as fields appear
	std::vector<DefaultPlan> defaults;
	int slug_column = -1;
	// The column people know the row by, whose changes the report lists as "renamed": the slug, or
	// a user's username.
	int name_column = -1;
	int hidden_status_column = -1; // "status", when hide_organizations hides this model's rows
	std::int64_t rows_seen = 0;    // entries of the model so far (Sentry's ordinals, skipped ones too)
	std::string out_of_scope;      // the report's detail for an entry skipped by scope
};

// The per-row report (relocate_report), buffered and written to the target in batches.
class ReportLog {
public:
	ReportLog(Target &target, std::size_t batch_rows) : target_(target), batch_rows_(batch_rows) {}
	void add(const char *model, std::int64_t old_pk, std::optional<std::int64_t> new_pk, const char *action,
	         std::string detail);
	void flush();

private:
	Target &target_;
	std::size_t batch_rows_;
	std::string model_; // of the rows being collected (the caller's string may not outlive them)
	ReportRows rows_;
};

struct ImportState {
	ImportState(const ImportOptions &opts, Target &tgt)
	    : options(opts), target(tgt), log(tgt, opts.batch_rows), pk_map(catalogue_size()), models(catalogue_size()) {}

	ModelSummary &summary(const ModelState &st) { return report.models[st.summary]; }

	const ImportOptions &options;
	Target &target;
	ImportReport report;
	Timeline timeline;
	ReportLog log;
	PkMap pk_map;
	std::vector<ModelState> models; // by catalogue index
};

// What the import has done so far (phase, entries read, rows written, skipped and reused), for
// progress; the model is the model runs' to say.
ImportProgress progress_of(const ImportState &state);

// At the end: the pk map's size and each phase's seconds go into the report.
void settle_report(ImportState &state);

// "export entry N at line L, byte offset M" (N and L 1-based, M 0-based), for messages.
std::string describe_entry(const ExportEntry &e);

// The error for an entry: "relocate: <model> pk <pk>, <what>", the detail ending with where the
// entry is in the file.
[[noreturn]] void fail_entry(const ExportEntry &entry, const char *code, const std::string &what,
                             const std::string &hint, const std::string &detail = {});

} // namespace relocate

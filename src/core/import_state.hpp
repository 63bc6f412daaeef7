// The state every stage of one import shares: the options, the target, the report, the pk map
// (old pk -> new pk and ImportKind, per model) and, per model, what its run has learnt (the live
// table, how each field maps to it, its rules). Row building, batch writing and chunk restoring
// all read and update it; the importer drives them over the model runs.
//
// PostgreSQL-free.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "core/catalogue.hpp"
#include "core/export_reader.hpp"
#include "core/import_options.hpp"
#include "core/import_report.hpp"
#include "core/model_hooks.hpp"
#include "core/target.hpp"
#include "core/timeline.hpp"

namespace relocate {

struct PkEntry {
	std::int64_t new_pk;
	ImportKind kind;
};

// Sentry's PrimaryKeyMap: for each model (by catalogue index), old pk -> new pk and kind.
class PkMap {
public:
	explicit PkMap(std::size_t models) : maps_(models) {}
	const PkEntry *find(std::size_t model, std::int64_t old_pk) const {
		const auto &m = maps_[model];
		auto it = m.find(old_pk);
		return it == m.end() ? nullptr : &it->second;
	}
	PkEntry *find(std::size_t model, std::int64_t old_pk) {
		auto &m = maps_[model];
		auto it = m.find(old_pk);
		return it == m.end() ? nullptr : &it->second;
	}
	// False if the model already maps `old_pk`.
	bool insert(std::size_t model, std::int64_t old_pk, PkEntry e) { return maps_[model].emplace(old_pk, e).second; }
	void erase(std::size_t model, std::int64_t old_pk) { maps_[model].erase(old_pk); }

private:
	std::vector<std::unordered_map<std::int64_t, PkEntry>> maps_;
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
	int hidden_status_column = -1; // "status", when hide_organizations hides this model's rows
	std::int64_t rows_seen = 0;    // entries of the model so far (Sentry's ordinals, skipped ones too)
};

struct ImportState {
	ImportState(const ImportOptions &opts, Target &tgt)
	    : options(opts), target(tgt), pk_map(catalogue_size()), models(catalogue_size()) {}

	ModelSummary &summary(const ModelState &st) { return report.models[st.summary]; }

	const ImportOptions &options;
	Target &target;
	ImportReport report;
	Timeline timeline;
	PkMap pk_map;
	std::vector<ModelState> models; // by catalogue index
};

// "export entry N at byte offset M", for messages.
std::string describe_entry(const ExportEntry &e);

// The error for an entry: "relocate: <model> pk <pk>, <what>", the detail ending with where the
// entry is in the file.
[[noreturn]] void fail_entry(const ExportEntry &entry, const char *code, const std::string &what,
                             const std::string &hint, const std::string &detail = {});

} // namespace relocate

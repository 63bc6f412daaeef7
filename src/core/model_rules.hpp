// The toolkit Sentry's per-model rules share (the rules themselves are in rules/, one file per
// Sentry area, and the table that says which rule applies to which model is model_hooks.cpp):
//
//   RowEdit      one row being built, by column name (normalize hooks)
//   BatchEdit    one queued batch at write time, by row and column name, with each row's fate
//                (resolve and after_write hooks)
//   KeyRule      a get-or-create by key, as data
//   RuleContext  what a rule may use: the options, the target, per-import caches (table shapes,
//                values already taken), lookups with a fixed number of queries per batch (never
//                one per row), unique-value picking with Sentry's suffixes, and the rows Sentry's
//                signals create
//
// PostgreSQL-free.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "core/import_options.hpp"
#include "core/import_report.hpp"
#include "core/target.hpp"
#include "core/timeline.hpp"

namespace relocate {

// For each foreign-key field of a row that was remapped: the field (the catalogue's string) and the
// kind of the row it refers to. A handful per row, so a vector, rebuilt without allocating.
using RowReferences = std::vector<std::pair<std::string_view, ImportKind>>;

// One row being built: its cells by column name.
class RowEdit {
public:
	RowEdit(const TableShape &table, std::vector<std::string> &values, std::vector<CellState> &states)
	    : table_(table), values_(values), states_(states) {}
	bool has_column(const char *column) const { return table_.find(column) >= 0; }
	// The cell's value, or nullopt if it is NULL or absent.
	std::optional<std::string> get(const char *column) const;
	// Sets the cell (ignored if the table has no such column).
	void set(const char *column, std::string value);
	void set_null(const char *column);

private:
	const TableShape &table_;
	std::vector<std::string> &values_;
	std::vector<CellState> &states_;
};

// What happens to a queued row when its batch is written.
struct RowFate {
	enum class Action : std::uint8_t { Insert, Update, Reuse, Skip } action = Action::Insert;
	ImportKind kind = ImportKind::Inserted; // what the pk map records
	std::int64_t id = 0;                    // the existing row, for Update and Reuse
	// For Update and Reuse of a row this same batch inserts (a key repeated within the batch): that
	// row's index; its id is known once it is written.
	long same_as_row = -1;

	void becomes(Action a, ImportKind k) {
		action = a;
		kind = k;
	}
};

// A batch at write time: its rows' cells by column name, and their fates.
class BatchEdit {
public:
	BatchEdit(RowBatch &batch, std::vector<RowFate> &fates) : batch_(batch), fates_(fates) {}
	std::size_t rows() const { return batch_.rows(); }
	const char *model() const { return batch_.model; }
	const TableShape &table() const { return *batch_.table; }
	std::int64_t source_pk(std::size_t row) const { return batch_.source_pks[row]; }
	std::optional<std::string> get(std::size_t row, const char *column) const;
	// Sets a cell of a column the batch has; false if the batch has no such column.
	bool set(std::size_t row, const char *column, std::string value);
	// Sets a cell of a column the batch has to NULL; false if the batch has no such column.
	bool set_null(std::size_t row, const char *column);
	RowFate &fate(std::size_t row) { return fates_[row]; }

private:
	int position(const char *column) const;
	RowBatch &batch_;
	std::vector<RowFate> &fates_;
};

// The rows one written batch produced, for after_write.
struct WrittenRow {
	std::size_t row; // in the batch
	std::int64_t source_pk;
	std::int64_t new_pk;
	RowFate::Action action;
};

// A get-or-create by key, as Sentry's write_relocation_import does it for a model: a row whose key
// columns match an existing row (or an earlier row of the same batch) takes `action` and `kind`
// instead of being inserted. `overwritable` rows follow Sentry's OverwritableConfigMixin instead:
// Reuse (Existing), or with overwrite_configs Update (Overwrite).
struct KeyRule {
	std::array<const char *, 3> columns{}; // the key columns, nullptr after the last
	bool fold_case = false;                // compare case-insensitively (citext emails)
	RowFate::Action action = RowFate::Action::Insert;
	ImportKind kind = ImportKind::Inserted;
	bool overwritable = false;

	bool empty() const { return columns[0] == nullptr; }
};

// Values that must stay unique, case-insensitively, across the tables that hold them (usernames;
// organization slugs and slug reservations). The values already in those tables are read once per
// import; the values picked by this import are added as it goes.
struct UniqueValues {
	std::vector<std::pair<std::string, const char *>> sources; // (table, column)
	std::unordered_set<std::string> taken;                     // lower-cased
	bool loaded = false;
};

class RuleContext {
public:
	RuleContext(const ImportOptions &options, Target &target, ImportReport &report, Timeline *timeline = nullptr)
	    : options_(options), target_(target), report_(report), timeline_(timeline) {}

	const ImportOptions &options() const { return options_; }
	Target &target() { return target_; }
	ImportReport &report() { return report_; }
	// Where the import's time goes (may be null).
	Timeline *timeline() { return timeline_; }
	bool global_scope() const { return options_.global_scope(); }
	bool config_or_global_scope() const { return options_.config_or_global_scope(); }

	// The table's shape, read once per import; nullopt if the database has no such table.
	const std::optional<TableShape> &shape(const std::string &table);
	// The same, for a table the rule cannot do without: a missing one is an error, whose message
	// ends with `why`.
	const TableShape &required_shape(const std::string &table, std::string_view why = {});
	// A rule that needs the import's lock for `name` (usernames, organization slugs): every import
	// holds one lock from its start (Target::lock_import, in the fixed order that keeps imports from
	// deadlocking), which covers every name. Checks that it is held.
	void lock_once(const std::string &name);
	// The importer took the import's lock.
	void hold_import_lock() { import_locked_ = true; }

	// For each row of the batch, whether its non-NULL `column` value is already taken: by a row of the
	// table (one lookup for the batch) or by an earlier row of the batch. False for NULL and for a
	// column the batch does not have.
	std::vector<bool> taken_values(BatchEdit &batch, const char *column);
	// Applies a get-or-create rule to every row still to be inserted (one lookup for the batch).
	void apply_key_rule(BatchEdit &batch, const KeyRule &rule);
	// The set of unique values named `name`, kept in `sources`; created on first use.
	UniqueValues &unique_values(const std::string &name, std::vector<std::pair<std::string, const char *>> sources);
	// Picks, for each base, the base itself or the first of Sentry's suffixed candidates that is free
	// (case-insensitively) in `values`; the values picked are taken for the rest of the import.
	std::vector<std::string> pick_unique(UniqueValues &values, const std::vector<std::string> &bases,
	                                     std::size_t max_len);
	// Inserts derived rows (all with the same columns) into `table`, ignoring conflicts if asked.
	void insert_derived(const std::string &table, const std::vector<std::string> &columns,
	                    const std::vector<TextArray> &rows, const std::vector<std::int64_t> &source_pks,
	                    bool ignore_conflicts);
	// The same for derived rows that a later model of the export, `consumer`, gets or creates by the
	// columns `key` (a user's primary Email and UserEmail, a project's option epoch): they are held
	// back until the end of that model's run (flush_derived), and a row of that model with the same
	// key takes the place of its derived row, so that it is written once instead of inserted and
	// then updated. Rows whose key is not ASCII are written at once (their case folding is the
	// database's).
	void insert_derived_later(const char *consumer, const std::string &table, const std::vector<std::string> &columns,
	                          const std::vector<std::string> &key, bool fold_case, const std::vector<TextArray> &rows,
	                          const std::vector<std::int64_t> &source_pks, bool ignore_conflicts);
	// Writes the derived rows held back for `consumer` (for every model: nullptr).
	void flush_derived(const char *consumer);

private:
	// Derived rows held back for one consumer model (insert_derived_later).
	struct PendingDerived {
		std::string table;
		std::vector<std::string> columns;
		std::vector<std::string> key; // column names
		std::vector<std::size_t> at;  // their positions in `columns`
		bool fold_case = false;
		bool ignore_conflicts = false;
		std::vector<TextArray> rows;
		std::vector<std::int64_t> source_pks;
		std::vector<bool> replaced;                          // by a row of the consumer
		std::unordered_map<std::string, std::size_t> by_key; // joined key -> row
	};
	void load(UniqueValues &values);
	// The held-back derived row of `consumer` with this key, marked replaced; false if none.
	bool replace_pending(const char *consumer, const KeyRule &rule, const std::vector<std::string> &key_values);

	const ImportOptions &options_;
	Target &target_;
	ImportReport &report_;
	Timeline *timeline_;
	std::unordered_map<std::string, std::optional<TableShape>> shapes_;
	bool import_locked_ = false;
	std::map<std::string, UniqueValues> unique_values_;
	std::map<std::string, std::vector<PendingDerived>> pending_; // by consumer model
};

// now + `days` days, as PostgreSQL timestamptz input in UTC with microseconds ("now" cannot add).
std::string utc_now_plus_days(int days);
// Seconds since the epoch, with fractions (OrgAuthToken's iat).
double epoch_seconds();

} // namespace relocate

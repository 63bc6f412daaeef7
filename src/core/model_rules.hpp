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

#include <algorithm>
#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "core/import_options.hpp"
#include "core/import_report.hpp"
#include "core/packed_rows.hpp"
#include "core/password_hashes.hpp"
#include "core/target.hpp"
#include "core/timeline.hpp"

namespace relocate {

class PkMap;

// For each foreign-key field of a row that was remapped: the field (the catalogue's string) and the
// kind of the row it refers to. A handful per row, so a vector, rebuilt without allocating.
using RowReferences = std::vector<std::pair<std::string_view, ImportKind>>;

// What else a rule did to a row, for its account in relocate_report: (action, detail), e.g.
// ("regenerated", "public_key: taken on this install"); `action` a string literal. Never a secret.
using RowNotes = std::vector<std::pair<const char *, std::string>>;

// One row being built: its cells by column name.
class RowEdit {
public:
	RowEdit(const TableShape &table, std::vector<std::string> &values, std::vector<CellState> &states,
	        const char **skip_reason = nullptr, RowNotes *notes = nullptr, std::vector<std::size_t> *nulled = nullptr)
	    : table_(table), values_(values), states_(states), skip_reason_(skip_reason), notes_(notes), nulled_(nulled) {}
	bool has_column(const char *column) const { return table_.find(column) >= 0; }
	// The cell's value, or nullopt if it is NULL or absent.
	std::optional<std::string> get(const char *column) const;
	// Sets the cell (ignored if the table has no such column).
	void set(const char *column, std::string value);
	void set_null(const char *column);
	// Says why the normalize rule skips the row (for the report); returns false, for `return
	// row.skip("...")`. `why` must be a string literal.
	bool skip(const char *why) {
		if (skip_reason_ != nullptr)
			*skip_reason_ = why;
		return false;
	}
	// Adds a line to the row's account in relocate_report, once the row is written.
	void note(const char *action, std::string detail) {
		if (notes_ != nullptr)
			notes_->emplace_back(action, std::move(detail));
	}
	// A reference the rule set to NULL (`index` into the report's unmapped_references): counted and
	// reported (reference_nulled) once the row is written, as the row builder's own.
	void nulled_reference(std::size_t index) {
		// Once per row: "in N row(s)" counts rows (two targets of one rule with the same reason are one).
		if (nulled_ != nullptr && std::find(nulled_->begin(), nulled_->end(), index) == nulled_->end())
			nulled_->push_back(index);
	}

private:
	const TableShape &table_;
	std::vector<std::string> &values_;
	std::vector<CellState> &states_;
	const char **skip_reason_;
	RowNotes *notes_;
	std::vector<std::size_t> *nulled_;
};

// What happens to a queued row when its batch is written.
struct RowFate {
	enum class Action : std::uint8_t { Insert, Update, Reuse, Skip } action = Action::Insert;
	ImportKind kind = ImportKind::Inserted; // what the pk map records
	std::int64_t id = 0;                    // the existing row, for Update and Reuse
	// For Update and Reuse of a row this same batch inserts (a key repeated within the batch): that
	// row's index; its id is known once it is written.
	long same_as_row = -1;
	// For Skip: why (for the report; a string literal).
	const char *why = nullptr;
	// What else a rule did to the row (at normalize, then at resolve), for the report.
	RowNotes notes;
	// Why the row's name column (slug, username) is not the export's, if the rule knows better than
	// the default ("taken on this install", or "made from the name" for a NULL one).
	std::string renamed_because;

	void skip(const char *reason) {
		action = Action::Skip;
		why = reason;
	}

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
	// Adds a line to the row's account in relocate_report (`action` a string literal).
	void note(std::size_t row, const char *action, std::string detail) {
		fates_[row].notes.emplace_back(action, std::move(detail));
	}

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

// Case-insensitive uniqueness, as Sentry's unique_db_instance checks it: Django's __iexact, which on
// PostgreSQL is UPPER("t"."col"::text) = UPPER(%s). Both sides are folded by the database: the values
// already stored by UPPER() in their column's collation (read once per import), a candidate by
// UPPER() of a text parameter, in the database's default collation (CaseFolds).

// Values that must stay unique case-insensitively across the tables that hold them (usernames;
// organization slugs and slug reservations): UPPER() of the values already in those tables (read
// once per import), and of the values this import has picked since.
struct UniqueValues {
	std::vector<std::pair<std::string, const char *>> sources; // (table, column)
	// UPPER() of each value taken: true for those this import wrote or picked, false for the
	// install's (one entry a value, not a second set of this import's: a username each user).
	std::unordered_map<std::string, bool> taken;
	bool picked(const std::string &upper) const {
		auto it = taken.find(upper);
		return it != taken.end() && it->second;
	}
};

// UPPER() of texts as the database computes it for a parameter. Collect the texts a batch needs
// (add, add_base), let RuleContext::fold compute them (one query at most), then read them.
class CaseFolds {
public:
	void add(const std::string &text);
	// What pick_unique needs to check `base` and its suffixed candidates: the base, and the prefixes
	// of it that the candidates keep (a candidate is prefix + "-" + an ASCII suffix).
	void add_base(const std::string &base, std::size_t max_len);
	// UPPER(text) of a text added (and folded).
	const std::string &upper(const std::string &text) const;
	// UPPER() of a candidate of a base added with add_base: UPPER(prefix) followed by UPPER() of the
	// ASCII "-suffix", character by character.
	std::string upper_candidate(const std::string &candidate) const;
	// UPPER() of ASCII text, character by character from the table (after fold).
	std::string upper_ascii(std::string_view ascii) const;

private:
	friend class RuleContext;
	std::unordered_map<std::string, std::string> upper_; // text -> UPPER(text), once folded
	std::vector<std::string> pending_;                   // texts added since the last fold
	const std::vector<std::string> *ascii_ = nullptr;    // UPPER() of each ASCII character
};

// The values of a column in one scope (e.g. one organization's team slugs), exactly and UPPER()ed.
struct ScopedUnique {
	std::unordered_set<std::string> exact;
	std::unordered_set<std::string> upper;
	std::int64_t rows = 0; // rows of the scope (the database's, and those this import added since)
};

class RuleContext {
public:
	RuleContext(const ImportOptions &options, Target &target, ImportReport &report, Timeline *timeline = nullptr,
	            const PkMap *pk_map = nullptr)
	    : options_(options), target_(target), report_(report), timeline_(timeline), pk_map_(pk_map) {}

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
	// The new pk of `model`'s row `old_pk` if this import wrote or mapped it (the pk map), else nullopt.
	std::optional<std::int64_t> mapped_pk(const char *model, std::int64_t old_pk) const;
	// Counts one reference of `model`.`field` set to NULL because the `target` row it named was not
	// imported (reported in a NOTICE).
	// A reference of `row` a rule set to NULL, as the report's unmapped_references entry (model,
	// field, why) says: counted, and a reference_nulled row of relocate_report, once it is written.
	void null_reference(RowEdit &row, const std::string &model, const std::string &field, const std::string &why);
	// The same for a reference kept as it is because its column is NOT NULL.
	// A reference of `row` to a `target` row that was not imported, kept as it is (the column is NOT
	// NULL): counted, and a reference_kept row of relocate_report, once the row is written.
	void keep_unmapped_reference(RowEdit &row, const char *model, const char *field, const char *target);
	// True if `model`'s table is not in the database because Sentry dropped it (the catalogue's
	// table_removed): then the rows Sentry's signals created there are not written either.
	bool table_removed_by_sentry(const char *model);
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
	// The set of unique values named `name`, kept in `sources`; created on first use, and the values
	// of those tables read on first use (one query per table per import).
	UniqueValues &unique_values(const std::string &name, std::vector<std::pair<std::string, const char *>> sources);
	// Computes UPPER() of the texts added to `folds` since: ASCII text from a table of UPPER() of
	// every ASCII character (read once per import: upper() maps ASCII one character at a time in
	// every collation), the rest in one query.
	void fold(CaseFolds &folds);
	// Sentry's unique_db_instance for each base (already stripped, reserved words replaced: see
	// suffix_base): the base itself if no value in `values` matches it case-insensitively and it is
	// not all decimal digits, else the first of Sentry's 27 suffixed candidates that is free (the last
	// one if none is). `folds` must hold each base (CaseFolds::add_base, then fold). The values picked
	// are taken for the rest of the import.
	std::vector<std::string> pick_unique(UniqueValues &values, const std::vector<std::string> &bases,
	                                     std::size_t max_len, const CaseFolds &folds);
	// The same within a set of taken values the caller holds (e.g. one organization's team slugs).
	std::vector<std::string> pick_unique(std::unordered_set<std::string> &taken, const std::vector<std::string> &bases,
	                                     std::size_t max_len, const CaseFolds &folds);
	// The values of table.column of each of `scopes` (e.g. the slugs of each organization's teams), by
	// scope: the scopes not seen before in this import are read (one query), the others are as the
	// import left them (the caller adds what it writes).
	std::unordered_map<std::string, ScopedUnique> &scoped_unique(const TableShape &table, const char *column,
	                                                             const char *scope_column,
	                                                             const std::vector<std::string> &scopes);
	// Inserts derived rows (all with the same columns) into `table`, ignoring conflicts if asked.
	void insert_derived(const std::string &table, const std::vector<std::string> &columns,
	                    const std::vector<TextArray> &rows, const std::vector<std::int64_t> &source_pks,
	                    bool ignore_conflicts);
	// The same for derived rows that a later model of the export, `consumer`, gets or creates by the
	// columns `key` (a user's primary Email and UserEmail, a project's option epoch): they are held
	// back until the end of that model's run (flush_derived), and a row of that model with the same
	// key takes the place of its derived row, so that it is written once instead of inserted and
	// then updated. Rows whose key is not ASCII are written at once (their case folding is the
	// database's), and so are all rows once a run of `consumer` has ended (its entries came before
	// the rows' source model, as sentry.email's come before sentry.useremail's in Sentry's export
	// order): holding them until the end of the import would keep one row per source row in memory
	// for nothing. In an export that has another run of `consumer` later, its entries find them
	// written, as Sentry's get-or-create finds the rows its signals created.
	// `source_model` is the model of the rows in `source_pks` (the ones the rows are derived from).
	void insert_derived_later(const char *consumer, const std::string &table, const std::vector<std::string> &columns,
	                          const std::vector<std::string> &key, bool fold_case, const std::vector<TextArray> &rows,
	                          const char *source_model, const std::vector<std::int64_t> &source_pks,
	                          bool ignore_conflicts);
	// Writes the derived rows held back for `consumer` (for every model: nullptr).
	void flush_derived(const char *consumer);

	// Starts making the replacement password hashes ahead of the users' batches (once; outside
	// Global scope, at the first user), on a thread of its own (PasswordHashesAhead).
	void start_password_hashes_ahead();
	// `count` replacement password hashes: made ahead where they were, the rest now.
	std::vector<std::string> replacement_password_hashes(std::size_t count);

private:
	// Derived rows held back for one consumer model (insert_derived_later).
	struct PendingDerived {
		std::string table;
		std::vector<std::string> columns;
		std::vector<std::string> key; // column names
		std::vector<std::size_t> at;  // their positions in `columns`
		bool fold_case = false;
		bool ignore_conflicts = false;
		PackedRows rows; // held for a whole model's run: packed (packed_rows.hpp)
		std::vector<std::int64_t> source_pks;
		std::vector<bool> replaced; // by a row of the consumer
		RowKeyIndex by_key;         // joined key (key_of) -> row
		// The joined key of held-back row r: its key columns, ASCII-lowercased if fold_case.
		std::string key_of(std::uint32_t r) const;
	};
	void load(UniqueValues &values);
	// The held-back derived row of `consumer` with this key, marked replaced; false if none.
	bool replace_pending(const char *consumer, const KeyRule &rule, const std::vector<std::string> &key_values);
	const std::vector<std::string> &ascii_upper();

	const ImportOptions &options_;
	Target &target_;
	ImportReport &report_;
	Timeline *timeline_;
	const PkMap *pk_map_;
	std::unordered_map<std::string, std::optional<TableShape>> shapes_;
	bool import_locked_ = false;
	std::map<std::string, UniqueValues> unique_values_;
	std::map<std::string, std::vector<PendingDerived>> pending_; // by consumer model
	std::set<std::string> consumer_runs_ended_;                  // consumers whose run flush_derived ended
	// By "table.column": the scopes read so far.
	std::map<std::string, std::unordered_map<std::string, ScopedUnique>> scoped_unique_;
	std::vector<std::string> ascii_upper_; // UPPER() of each ASCII character, read on first use
	std::unique_ptr<PasswordHashesAhead> hashes_ahead_;
};

// The id in `column` of the row (an id of `target`'s rows that Sentry's dependency graph does not
// know as a foreign key), remapped through the pk map: the new pk when that row was imported, else
// NULL, counted as a nulled reference of `model`. A value that is not an integer is left as it is.
void remap_id_or_null(RuleContext &ctx, RowEdit &row, const char *model, const char *column, const char *target);

// The report's entry for references of `model`.`field` to rows that were not imported (created with
// 0 rows), with what was done about them.
DroppedField &unmapped_reference(ImportReport &report, const std::string &model, const std::string &field,
                                 const std::string &why);
// What unmapped_reference says of a reference set to NULL.
std::string nulled_because(const std::string &target);

// now + `days` days, as PostgreSQL timestamptz input in UTC with microseconds ("now" cannot add).
std::string utc_now_plus_days(int days);
// Seconds since the epoch, with fractions (OrgAuthToken's iat).
double epoch_seconds();

} // namespace relocate

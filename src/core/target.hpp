// The target database as the import engine sees it. The engine (importer.cpp) decides what to
// write; a Target writes it. The PostgreSQL implementation (src/pg/spi_target.cpp) does this
// through SPI with prepared, batched statements; unit tests use an in-memory fake.
//
// PostgreSQL-free.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <optional>
#include <string>
#include <vector>

#include "core/progress.hpp"
#include "core/value.hpp"

namespace relocate {

// A live table, as read from pg_catalog at import time.
struct TableShape {
	std::string name;            // unqualified, as in the catalogue (e.g. "auth_user")
	std::string qualified_name;  // schema-qualified and quoted, for SQL
	std::vector<Column> columns; // in attnum order; includes "id"
	int id_column = -1;          // index of "id" in columns

	int find(const std::string &column) const {
		for (std::size_t i = 0; i < columns.size(); ++i)
			if (columns[i].name == column)
				return static_cast<int>(i);
		return -1;
	}
};

// The state of one cell of a row being built or queued: not given (the column's default applies),
// a value (PostgreSQL input text), or SQL NULL. A queued batch holds only Value and Null cells.
enum class CellState : std::uint8_t { Absent, Value, Null };

// A cell of this many bytes or more is a large value: the target writes a batch that has one so
// that the value is held as few times as it can (see insert_rows).
constexpr std::size_t kLargeValue = std::size_t{1} << 20;

// Rows for one INSERT: the same columns for every row, ids already allocated. Cells are row-major
// PostgreSQL input text, each with its state (Value or Null).
struct RowBatch {
	const TableShape *table = nullptr;
	// The Sentry model ("sentry.x"), or for the rows Sentry's signals create (RuleContext::
	// insert_derived) the table's name, their source pks then being their entries'.
	const char *model = nullptr;
	std::vector<int> columns; // indexes into table->columns, never the id column
	std::vector<std::int64_t> ids;
	std::vector<std::int64_t> source_pks;
	std::vector<std::string> cells;
	std::vector<CellState> states;
	std::size_t bytes = 0; // of the Value cells' text
	// INSERT ... ON CONFLICT DO NOTHING (Sentry's get-or-create for rows its signals would create).
	bool ignore_conflicts = false;
	// Per column (as `columns`; empty: none): whether nothing reads the column's cells once the batch
	// is written (no rule after the write, not the report's names), so that the target may free a
	// large value of it as soon as it holds the value in its own form (release_cell): one copy of it
	// less while the database writes it.
	std::vector<bool> releasable;

	std::size_t rows() const { return source_pks.size(); }
	std::size_t width() const { return columns.size(); }
	std::size_t at(std::size_t row, std::size_t k) const { return row * columns.size() + k; }
	const std::string &cell(std::size_t row, std::size_t k) const { return cells[at(row, k)]; }
	bool is_null(std::size_t row, std::size_t k) const { return states[at(row, k)] == CellState::Null; }
	// Appends the next cell of the row being appended (after its source pk).
	void push_value(std::string value) {
		bytes += value.size();
		cells.push_back(std::move(value));
		states.push_back(CellState::Value);
	}
	void push_null() {
		cells.emplace_back();
		states.push_back(CellState::Null);
	}
	void set_value(std::size_t row, std::size_t k, std::string value) {
		std::size_t i = at(row, k);
		bytes = bytes - (states[i] == CellState::Null ? 0 : cells[i].size()) + value.size();
		cells[i] = std::move(value);
		states[i] = CellState::Value;
	}
	// Appends row `r` of `from` (a batch of the same table and columns) after its source pk, ids
	// aside: its cells copied, except the large values of releasable columns, which are moved
	// (nothing reads them in `from` after the write).
	void take_row(RowBatch &from, std::size_t r) {
		source_pks.push_back(from.source_pks[r]);
		for (std::size_t k = 0; k < from.width(); ++k) {
			if (from.is_null(r, k))
				push_null();
			else if (from.may_release(k) && from.cell(r, k).size() >= kLargeValue)
				push_value(std::move(from.cells[from.at(r, k)]));
			else
				push_value(from.cell(r, k));
		}
	}
	// Whether the target may free the cells of column `k` (see `releasable`).
	bool may_release(std::size_t k) const { return k < releasable.size() && releasable[k]; }
	// Frees cell (row, k)'s text, which the target holds in its own form; the cell stays a Value (an
	// empty one): for a releasable column only, once its statement's arguments are built.
	void release_cell(std::size_t row, std::size_t k) { std::string().swap(cells[at(row, k)]); }
	void set_null(std::size_t row, std::size_t k) {
		std::size_t i = at(row, k);
		if (states[i] != CellState::Null)
			bytes -= cells[i].size();
		cells[i].clear();
		states[i] = CellState::Null;
	}
	// True for rows Sentry's signals create (a batch named by its table, not a model).
	bool derived() const { return model != nullptr && std::strchr(model, '.') == nullptr; }
	// Empties the batch and makes it one of `of_table` with the given columns.
	void reset(const TableShape *of_table, const char *of_model, std::vector<int> with_columns = {}) {
		clear();
		table = of_table;
		model = of_model;
		columns = std::move(with_columns);
	}
	void clear() {
		columns.clear();
		ids.clear();
		source_pks.clear();
		cells.clear();
		states.clear();
		bytes = 0;
		ignore_conflicts = false;
		releasable.clear();
	}
};

// Probes for existing rows by a key: per probe, one text value per key column.
struct KeyLookup {
	const TableShape *table = nullptr;
	std::vector<int> columns; // key columns (indexes into table->columns)
	bool fold_case = false;   // compare lower(column) = lower(value) (text keys: usernames, slugs)
	std::vector<std::vector<std::string>> probes;
	// Columns that must be NULL on a matching row (t.col IS NULL), for every probe: e.g. a user's
	// global options have neither organization_id nor project_id. With no key columns, these alone
	// select (each probe is then an empty list; give a fetch_column).
	std::vector<int> null_columns;
	// When >= 0, FoundRow::key holds this column of the matching row (as text) instead of the first
	// key column: e.g. an option's value by its key, an organization's slug by its id.
	int fetch_column = -1;
};

// What a lookup found for one probe: the matching row's id and its first key column as stored (or
// KeyLookup::fetch_column; key_null when that column is NULL, key is then empty).
struct FoundRow {
	std::int64_t id;
	std::string key;
	bool key_null = false;
};

// A value of a column in the rows of one scope (Target::scoped_values): the scope column's value,
// the value and its UPPER(value::text), all as text.
struct ScopedValue {
	std::string scope;
	std::string value;
	std::string upper;
};

enum class ImportKind : std::uint8_t { Inserted, Existing, Overwrite };
const char *import_kind_name(ImportKind k); // "Inserted", "Existing", "Overwrite" (Sentry's spelling)

// Rows for the session's pk map table relocate_pk_map(model, old_pk, new_pk, kind, slug).
struct PkMapRows {
	const char *model = nullptr;
	std::vector<std::int64_t> old_pks;
	std::vector<std::int64_t> new_pks;
	std::vector<ImportKind> kinds;
	std::vector<std::optional<std::string>> slugs;
	bool restored = false; // from an earlier run's import chunks (ChunkRestorer), not looked up now

	std::size_t size() const { return old_pks.size(); }
	void add(std::int64_t old_pk, std::int64_t new_pk, ImportKind kind, std::optional<std::string> slug) {
		old_pks.push_back(old_pk);
		new_pks.push_back(new_pk);
		kinds.push_back(kind);
		slugs.push_back(std::move(slug));
	}
	void clear() {
		old_pks.clear();
		new_pks.clear();
		kinds.clear();
		slugs.clear();
	}
};

// Rows of the session's report table relocate_report(model, old_pk, new_pk, action, detail): the
// per-row account of every entry not inserted as it is in the file.
struct ReportRows {
	const char *model = nullptr;
	std::vector<std::int64_t> old_pks;
	std::vector<std::optional<std::int64_t>> new_pks;
	std::vector<const char *> actions; // "skipped", "existing", "merged", "overwritten", "reused", "renamed", ...
	std::vector<std::string> details;

	std::size_t size() const { return old_pks.size(); }
	void add(std::int64_t old_pk, std::optional<std::int64_t> new_pk, const char *action, std::string detail) {
		old_pks.push_back(old_pk);
		new_pks.push_back(new_pk);
		actions.push_back(action);
		details.push_back(std::move(detail));
	}
	void clear() {
		old_pks.clear();
		new_pks.clear();
		actions.clear();
		details.clear();
	}
};

// One row of sentry_regionimportchunk / sentry_controlimportchunk (import-spec §7): what one batch of up
// to 20 consecutive entries of a model wrote. Maps are JSON objects keyed by the old pk as a string.
struct ImportChunk {
	std::string model;
	bool control = false; // written to sentry_controlimportchunk (the model lives in the control silo)
	std::int64_t min_ordinal = 0;
	std::int64_t max_ordinal = 0;
	std::int64_t min_source_pk = 0;
	std::int64_t max_source_pk = 0;
	std::optional<std::int64_t> min_inserted_pk;
	std::optional<std::int64_t> max_inserted_pk;
	std::string inserted_map = "{}";         // {"<old pk>": <new pk>} for Inserted
	std::string existing_map = "{}";         // ... for Existing
	std::string overwrite_map = "{}";        // ... for Overwrite
	std::string inserted_identifiers = "{}"; // {"<old pk>": "<slug>"} for Inserted with a slug
};

// What the database holds for the rows of a batch (Target::read_rows): per row, whether a row with
// its id exists, and per column of the batch the batch's value and the stored one, both in the
// column type's text form (the batch's value cast to the column's type and back to text; NULL stays
// NULL). Row-major, batch.width() cells a row.
struct StoredRows {
	std::vector<bool> present;
	std::vector<std::optional<std::string>> expected;
	std::vector<std::optional<std::string>> found;
};

class Target {
public:
	virtual ~Target() = default;
	// The table's shape, or nullopt if no such table is visible.
	virtual std::optional<TableShape> describe_table(const std::string &table) = 0;
	// `count` fresh ids from the table's id sequence, appended to `out`.
	virtual void allocate_ids(const TableShape &table, std::size_t count, std::vector<std::int64_t> &out) = 0;
	// INSERT the batch's rows. The target may free the large values (kLargeValue bytes or more) of the
	// batch's releasable columns once it holds them in its own form (RowBatch::release_cell).
	virtual void insert_rows(RowBatch &batch) = 0;
	// UPDATE the rows whose ids are batch.ids with the batch's columns (large values as insert_rows).
	virtual void update_rows(RowBatch &batch) = 0;
	// For each probe, the existing row it matches (the lowest id if several), if any.
	virtual std::vector<std::optional<FoundRow>> find_rows(const KeyLookup &lookup) = 0;
	// Unicode NFKD normalisation of each text (the database's normalize()).
	virtual std::vector<std::string> nfkd(const std::vector<std::string> &texts) = 0;
	// Case-insensitive uniqueness is Django's __iexact as it runs on PostgreSQL:
	// UPPER("t"."col"::text) = UPPER(%s). These three give both sides.
	// UPPER() of each text as a text parameter has it (the database's default collation).
	virtual std::vector<std::string> upper(const std::vector<std::string> &texts) = 0;
	// UPPER(column::text) of every non-NULL value of table.column (in the column's collation); read
	// once per import, so that candidates are checked in memory (no index serves UPPER()).
	virtual std::vector<std::string> upper_values(const TableShape &table, const std::string &column) = 0;
	// The non-NULL values of table.column in the rows whose `scope_column` is one of `scopes` (e.g.
	// the slugs of the teams of some organizations), with their UPPER(column::text). One query.
	virtual std::vector<ScopedValue> scoped_values(const TableShape &table, const std::string &column,
	                                               const std::string &scope_column,
	                                               const std::vector<std::string> &scopes) = 0;
	// Moves the table's id sequence past `max_id` (for rows inserted with ids of their own).
	virtual void advance_sequence(const TableShape &table, std::int64_t max_id) = 0;
	virtual void record_pk_map(const PkMapRows &rows) = 0;
	virtual void record_report(const ReportRows &rows) = 0;
	// Lets the server cancel a long import (statement_timeout, pg_cancel_backend). A target that
	// shows progress also reads the import's progress here (see set_progress_source).
	virtual void check_for_interrupts() = 0;
	// The importer's progress, set by run_import for its duration (nullptr outside it).
	void set_progress_source(const ProgressSource *source) { progress_source_ = source; }

	// Takes every lock the import needs, at its start, before its first write, and holds it to the
	// end of the transaction: imports take turns from here on, so that what one reads (existing
	// usernames, slugs and emails, the chunks of its import_uuid) cannot change until it commits, and
	// no two imports ever wait for each other's locks in opposite orders.
	virtual void lock_import(const std::string &import_uuid) = 0;
	// Sentry's Global-scope reset: empties every table of `tables` that exists and restarts its
	// sequences, in the import's transaction (called after lock_import).
	virtual void reset_tables(const std::vector<std::string> &tables) = 0;
	// Import chunks: load_chunks returns the chunks already written for the import_uuid (committed,
	// as the import lock makes sure), from both chunk tables; write_chunks appends rows.
	virtual std::vector<ImportChunk> load_chunks(const std::string &import_uuid) = 0;
	virtual void write_chunks(const std::string &import_uuid, const std::vector<ImportChunk> &chunks) = 0;
	// After the import's last write: the checks of the foreign keys the target made itself rather
	// than per row (none by default). Throws ImportError for a row that refers to nothing.
	virtual void check_foreign_keys() {}

	// Verification (verifier.hpp): the rows of batch.table whose ids are batch.ids, compared with
	// the batch's cells, in one read-only statement. A Target that cannot read rows back throws
	// ImportError (0A000).
	virtual StoredRows read_rows(const RowBatch &batch);

protected:
	const ProgressSource *progress_source_ = nullptr;
};

} // namespace relocate

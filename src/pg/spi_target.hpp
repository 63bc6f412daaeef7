// The Target of the import engine, written through SPI: table shapes from pg_catalog, ids from
// each table's own sequence, one COPY FROM of the batch through the server's COPY machinery per
// batch where COPY writes it as the INSERT would (copy_insert.hpp), else one prepared
// `INSERT ... SELECT FROM unnest($1, $2, ...)` per batch (never a statement per row), and the
// session's pk map table pg_temp.relocate_pk_map.
//
// Every PostgreSQL call goes through pg_guard.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <unordered_map>

#include "core/row_spool.hpp"
#include "core/target.hpp"
#include "pg/boundary.hpp"
#include "pg/copy_insert.hpp"
#include "pg/foreign_key_checks.hpp"
#include "pg/progress.hpp"

extern "C" {
#include "executor/spi.h"
}

namespace relocate::pg {

// Takes the one lock of every import and of every relocation task, held to the end of the
// transaction: a heavyweight lock on the extension's table relocate_import_lock (see
// SpiTarget::lock_import). A relocation task takes it before it locks its relocation's row, as an
// import takes it before anything else: one order for every caller.
void lock_relocate_import();

class SpiTarget final : public Target {
public:
	SpiTarget() = default;
	SpiTarget(const SpiTarget &) = delete;
	SpiTarget &operator=(const SpiTarget &) = delete;

	// SPI_connect, and empty session tables pg_temp.relocate_pk_map and pg_temp.relocate_report
	// (created on first use in the session).
	void begin();
	// SPI_connect for a verification (relocate_verify): nothing is written, the session tables
	// included, and load_chunks copies no chunk into its replica.
	void begin_read_only();
	// SPI_finish. Not called on error: transaction abort cleans SPI up.
	void end();
	// For a dry run, before its subtransaction: empties the session tables, and from now on keeps
	// their rows in a spool (a temporary file) instead of writing them.
	void spool_session_rows();
	// For a dry run, after its subtransaction was rolled back: writes the spooled rows to the
	// session tables.
	void write_spooled_rows();

	std::optional<TableShape> describe_table(const std::string &table) override;
	void allocate_ids(const TableShape &table, std::size_t count, std::vector<std::int64_t> &out) override;
	void insert_rows(RowBatch &batch) override;
	void update_rows(RowBatch &batch) override;
	std::vector<std::optional<FoundRow>> find_rows(const KeyLookup &lookup) override;
	std::vector<std::string> nfkd(const std::vector<std::string> &texts) override;
	void advance_sequence(const TableShape &table, std::int64_t max_id) override;
	std::vector<std::string> upper(const std::vector<std::string> &texts) override;
	std::vector<std::string> upper_values(const TableShape &table, const std::string &column) override;
	std::vector<ScopedValue> scoped_values(const TableShape &table, const std::string &column,
	                                       const std::string &scope_column,
	                                       const std::vector<std::string> &scopes) override;
	void record_pk_map(const PkMapRows &rows) override;
	void record_report(const ReportRows &rows) override;
	void check_for_interrupts() override;
	void check_foreign_keys() override { foreign_keys_.check_all(); }
	// Where check_for_interrupts publishes the import's progress (nullptr: nowhere).
	void set_progress_report(ProgressReport *report) { progress_report_ = report; }
	void lock_import(const std::string &import_uuid) override;
	void reset_tables(const std::vector<std::string> &tables) override;
	std::vector<ImportChunk> load_chunks(const std::string &import_uuid) override;
	void write_chunks(const std::string &import_uuid, const std::vector<ImportChunk> &chunks) override;
	StoredRows read_rows(const RowBatch &batch) override;

private:
	ProgressReport *progress_report_ = nullptr;
	struct TableExtra {
		Oid relid = InvalidOid;
		Oid sequence = InvalidOid;
		bool identity_always = false;
	};

	// `generic`: always the generic plan. A custom plan (the plan cache's choice for a statement's
	// first five runs) holds the parameters as constants, copied into the plan twice: a statement
	// that writes a large value must not plan with it.
	SPIPlanPtr prepare(const std::string &sql, int nargs, Oid *argtypes, bool generic = false);
	std::optional<TableShape> read_table(const std::string &table);
	// A WARNING when a later schema of the search_path has a table of the same name.
	void warn_if_shadowing(const std::string &table, Oid relid, const std::string &qualified);
	// The schema-qualified name of Sentry's chunk table for the control or region silo.
	void reset_session_tables();
	void drop_pk_map_index();
	bool reset_session_table(const char *name, const char *columns);
	const std::string &chunk_table(bool control);
	// Writes chunk rows (the columns of chunk_insert, as text) through the COPY path; false if it
	// cannot (then the INSERT writes them).
	bool copy_chunks(bool control, const std::vector<TextArray> &columns);
	// The same for sentry_controlimportchunkreplica, or "" (and one NOTICE) when there is none.
	const std::string &replica_table();
	SPIPlanPtr insert_plan(const RowBatch &batch);
	// Inserts the batch without the INSERT: written by relocate (multi_insert_rows, its foreign keys
	// checked at the end of the import) where the table fires no trigger but their RI checks, else
	// through COPY FROM (copy_insert_rows) if COPY writes it as the INSERT would; false when the
	// INSERT must write it.
	bool insert_by_copy(const RowBatch &batch);
	SPIPlanPtr update_plan(const RowBatch &batch);
	// Runs `plan` with an int8[] of the batch's ids and a text[] per batch column.
	void execute_batch(SPIPlanPtr plan, RowBatch &batch, int expected, const char *what);
	// The tables a reset empties: how many of `list` (comma-separated names) exist, and their
	// qualified names joined by ", "; lock_reset_tables locks them (NOWAIT), truncate_reset_tables
	// empties them (both under pg_guard).
	struct ResetTables {
		std::int64_t count = 0;
		std::string names;
	};
	ResetTables lock_reset_tables(const std::string &list);
	void truncate_reset_tables(const ResetTables &found, std::int64_t relocation_files);
	void execute_batch_guarded(SPIPlanPtr plan, RowBatch &batch, int expected, const char *what);
	// The UPDATE of a one-row batch with a large value (arguments: large_batch_arguments).
	SPIPlanPtr large_update_plan(const RowBatch &batch);
	// execute_batch_guarded for a batch with a large value (its arguments: large_batch_arguments).
	void execute_large_batch_guarded(SPIPlanPtr plan, RowBatch &batch, int expected, const char *what);
	// The arguments of a batch with a large value (in batch_context_), freeing the batch's large
	// values of releasable columns as it goes.
	Datum *large_batch_arguments(RowBatch &batch);
	// `function_call` (an expression of u.t, qualified) of each of `texts`, in their order, in one
	// read-only statement.
	std::vector<std::string> per_text(const char *function_call, const std::vector<std::string> &texts);
	// Runs `sql` with text[] arguments built from `columns` (column-major; nullopt = NULL).
	void execute_text_arrays(const std::string &sql, const std::vector<TextArray> &columns, bool read_only);
	// The plan of such a statement, prepared on first use.
	SPIPlanPtr text_arrays_plan(const std::string &sql, std::size_t ncols);
	// find_rows' statement for the lookup's shape.
	static std::string find_rows_sql(const KeyLookup &lookup);

	bool connected_ = false;
	bool read_only_ = false;                // begin_read_only()
	MemoryContext batch_context_ = nullptr; // per-batch arrays, reset after each statement
	std::map<std::string, TableExtra> extras_;
	std::map<std::string, std::optional<TableShape>> shapes_; // by table name, resolved once
	std::map<std::string, SPIPlanPtr> insert_plans_;          // plans live in SPI's procedure context
	std::map<std::string, SPIPlanPtr> text_plans_;            // execute_text_arrays', by statement
	std::unordered_map<std::string, Oid> relid_of_table_;     // a Sentry table's name -> the one read_table found
	ForeignKeyChecks foreign_keys_;                           // of the rows multi_insert_rows wrote
	std::string copy_text_;                                   // insert_by_copy's batch text, reused
	SPIPlanPtr pk_map_plan_ = nullptr;
	SPIPlanPtr report_plan_ = nullptr;
	std::unique_ptr<RowSpool> spool_; // a dry run's session-table rows, while its subtransaction is open
	std::string chunk_tables_[2];     // region, control; resolved on first use
	std::optional<TableShape> chunk_shapes_[2];
	std::string replica_table_;
	bool replica_resolved_ = false;
};

} // namespace relocate::pg

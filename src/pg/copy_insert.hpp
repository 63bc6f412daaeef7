// A batch of Sentry's rows written through the server's own COPY FROM machinery (BeginCopyFrom,
// CopyFrom, EndCopyFrom), fed from memory with the batch in COPY's text format: heap multi-insert,
// index insertion, constraints, defaults and triggers (the foreign keys' RI triggers among them)
// exactly as COPY applies them, without the executor's row-at-a-time INSERT. Only where COPY does
// what the batch's INSERT would do (see copy_insert_rows); otherwise the caller's INSERT runs.
#pragma once

#include <string>

#include "core/target.hpp"
#include "pg/boundary.hpp"

extern "C" {
#include "pg_config_manual.h"
#include "parser/parse_node.h"
#include "utils/relcache.h"
}

namespace relocate::pg {

// The error context of a statement over a batch of rows, pushed while it runs: "relocate: <doing>
// N <model> row(s) <where> <table> (source pks A to B)", and ", at <model> pk P, column "c"" when the
// writer knows which row (and column) it was at: multi_insert_rows sets them as it goes, and for
// COPY FROM the callback reads COPY's line and column. write_naming_errors names them in the error.
struct BatchErrorContext {
	const char *doing; // "inserting", "verifying"
	const char *where; // "into", "of"
	const RowBatch *batch;
	long row = -1;                   // the batch's row being written, if known
	const char *attribute = nullptr; // the column being converted, while the writer runs
	char column[NAMEDATALEN]{};      // `attribute` (or COPY's) as the error found it, else ""
};
// The ErrorContextCallback's function; `arg` is a BatchErrorContext. Records COPY's position in it.
void batch_error_context(void *arg);
// In an error context callback: whether a COPY FROM of c->batch is running, and if so the row (and
// column) it was at when the message was raised, into `c` (-1 and "" if unknown).
bool copy_position(BatchErrorContext *c);

// Whether COPY into `rel` of the batch's columns (the id and `batch.columns`) does what the
// batch's INSERT would, and the role may do it: a plain table without rules or row-level security
// for the current role, INSERT granted on it or on each column. If so, `pstate` holds the range
// table entry the executor checks against, and `attnames` (unless null) the column names. Called
// under pg_guard.
bool copy_allowed(Relation rel, const RowBatch &batch, ParseState *pstate, List **attnames);

// The table a batch is written to, opened (RowExclusiveLock) by the oid it was resolved to once per
// import, never by name again, with the parse state its range table entry goes into; `memory` is
// the current context until close_batch_table, which resets it. open_batch_table is false, having
// opened nothing, in a read-only transaction or in parallel mode (where the INSERT raises the
// error). Called under pg_guard.
struct BatchTable {
	Relation rel = nullptr;
	ParseState *pstate = nullptr;
	MemoryContext old = nullptr;
};
bool open_batch_table(Oid relid, MemoryContext memory, BatchTable *t);
void close_batch_table(BatchTable *t, MemoryContext memory);

// The command a batch is written in, as SPI runs a statement that writes: the command counter
// advanced before and after (so that the next statement sees the rows), a new snapshot while it
// runs, and `context` (the batch's) pushed as the error context. Called under pg_guard (which
// restores the error context stack on an ERROR; the snapshot goes with the transaction's abort).
void begin_batch_command(ErrorContextCallback *context);
void end_batch_command(ErrorContextCallback *context);

// Inserts `batch` into the table `relid` through COPY FROM of `text` (copy_text of the batch), in a
// command of its own, as the INSERT through SPI would run: the command counter advanced before and
// after, a fresh snapshot while it runs. Returns false, having written nothing, when COPY could
// behave otherwise than the INSERT, or fail where the INSERT's own checks raise their errors: the
// table is not a plain table, has rules or row-level security for the current role, the role lacks
// INSERT on it or on a column, or the transaction is read-only. COPY's own error context line (which
// may quote a value) is left out of an error: `context` (the batch's, pushed while COPY runs) is
// the error's context, as it is for the INSERT. Allocates in `memory`, which it resets. Reaches
// PostgreSQL through pg_guard (an ERROR is a PgError).
bool copy_insert_rows(Oid relid, const RowBatch &batch, const std::string &text, MemoryContext memory,
                      ErrorContextCallback *context);

} // namespace relocate::pg

// A batch of Sentry's rows written by relocate itself through the executor's own pieces, as COPY
// FROM writes them but without its text: each cell through its column's input function (as COPY
// and the INSERT's casts read it), the columns the batch has not through their defaults, stored
// generated columns computed, NOT NULL, CHECK and partition constraints checked (ExecConstraints),
// the table access method's multi-insert, then the index entries (unique and exclusion constraints
// checked as they are made).
//
// The foreign keys are not left to PostgreSQL's RI trigger per row and per key, queued until the
// commit: relocate checks them itself, once per import (ForeignKeyChecks). That is why this path
// takes only a table whose INSERT fires no trigger but those RI checks, and RI checks it can make:
// any other trigger (a user's, a deferred unique constraint's), a foreign key of several columns or
// not between integers or onto a partitioned table, a volatile default, and the batch goes to COPY
// FROM (src/pg/copy_insert), which fires every trigger; rules, row-level security or a missing
// privilege, and it goes to the INSERT.
#pragma once

#include "core/target.hpp"
#include "pg/boundary.hpp"
#include "pg/foreign_key_checks.hpp"

namespace relocate::pg {

// Inserts `batch` into the table `relid` in a command of its own, as the INSERT through SPI would
// run (the command counter advanced before and after, a fresh snapshot while it runs), and notes
// its references and its ids in `checks`. Returns false, having written nothing, when the table is
// not one this path writes as the INSERT would (see above), the role lacks INSERT on it or on a
// column, the transaction is read-only, or a value holds a NUL byte. `context` (the batch's) is
// the context of an error. Allocates in `memory`, which it resets. Reaches PostgreSQL through
// pg_guard (an ERROR is a PgError).
bool multi_insert_rows(Oid relid, const RowBatch &batch, MemoryContext memory, ErrorContextCallback *context,
                       ForeignKeyChecks &checks);

} // namespace relocate::pg

// The session's pk map table pg_temp.relocate_pk_map, written the way COPY writes a table: rows
// straight into the heap with table_multi_insert, in the import's command, instead of an INSERT per
// batch through the executor. Only while the table is exactly the plain temporary table relocate
// created (see plain_pk_map_table); otherwise the caller's INSERT keeps every semantic.
//
// Both functions call PostgreSQL: call them inside pg_guard.
#pragma once

#include "core/target.hpp"
#include "pg/boundary.hpp"

namespace relocate::pg {

// The oid of pg_temp.relocate_pk_map if rows may go straight into it: a temporary table of
// relocate's five columns, not a partition, with no index (its primary key is built at the end of
// the import), trigger, rule, row-level security, CHECK or generated column, into which the current
// role may insert. InvalidOid otherwise (also when there is no such table).
Oid plain_pk_map_table();

// Appends `rows` to the table `relid` (from plain_pk_map_table) in one multi-insert per 1,000 rows,
// allocating in `context`, which it resets.
void insert_pk_map_rows(Oid relid, const PkMapRows &rows, MemoryContext context);

} // namespace relocate::pg

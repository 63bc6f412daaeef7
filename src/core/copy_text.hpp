// A batch's rows in the text format of PostgreSQL's COPY, as the target's COPY path feeds them to
// the server's own COPY FROM (src/pg/copy_insert): one line per row, the id first and then the
// batch's columns, separated by tabs; in a value a backslash, tab, newline and carriage return are
// escaped (\\, \t, \n, \r), every other byte is itself; NULL is \N.
//
// PostgreSQL-free.
#pragma once

#include <string>

#include "core/target.hpp"

namespace relocate {

// `batch`'s rows in COPY's text format into `out` (replacing what it held). False when a value
// holds a NUL byte, which COPY's text cannot carry (then `out` holds only part of the batch).
bool copy_text(const RowBatch &batch, std::string &out);

} // namespace relocate

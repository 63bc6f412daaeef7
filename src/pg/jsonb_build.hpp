// jsonb values built from JSON text without jsonb_in's copies of it, for large values.
//
// `'...'::jsonb` (jsonb_in) holds a large string four times at its peak: the text the cast hands
// over as a C string, the lexer's de-escaped copy, that copy's copy in the JsonbValue, and the
// jsonb. jsonb_from_json parses the text in place (RapidJSON's in-situ mode: each string is
// de-escaped where it lies), points a JsonbValue tree into it and builds the jsonb from that tree
// with PostgreSQL's own pushJsonbValue and JsonbValueToJsonb, as jsonb_in does: the same value, with
// the text and the jsonb as the only copies. Numbers go through numeric_in, as in jsonb_in.
#pragma once

#include <string>

#include "pg/boundary.hpp"

namespace relocate::pg {

// The jsonb of the JSON text `json`, allocated in `into`. `json` is parsed in place: its text is
// garbage afterwards (a text with a \u0000 escape, which jsonb refuses, goes to jsonb_in as it is,
// for its error). `context` (if set) is pushed on PostgreSQL's error context stack while the value is
// built, with `arg`. Called outside pg_guard: it guards its own PostgreSQL calls (an ERROR becomes a
// PgError); not JSON text raises 22P02.
Datum jsonb_from_json(std::string &json, MemoryContext into, void (*context)(void *), void *arg);

} // namespace relocate::pg

// The import engine: Sentry's import_by_model loop, streamed.
//
// Entries are processed in file order, one model run at a time. For each entry: admit it by
// scope and filter (else count it skipped), build its row (row_builder: remapped foreign keys,
// converted values, defaults; a non-null FK to a row that was not imported skips the row, counted),
// apply the model's normalize rule, and queue it (batch_writer: Sentry's write rules per batch, one
// INSERT per batch, the pk map and import chunks recorded). Nothing is ever dropped without being
// counted in the report.
//
// PostgreSQL-free.
#pragma once

#include <cstddef>

#include "core/byte_source.hpp"
#include "core/import_options.hpp"
#include "core/import_report.hpp"
#include "core/target.hpp"

namespace relocate {

// Runs the whole import of the JSON export `source` holds into `target`: the filters' pre-pass (a
// pass over the source of its own), the import_uuid lock and chunk lookup, then one streaming pass.
// Throws ImportError for any problem the input causes; whatever the Target or the source throws
// (a cancel request included) passes through.
ImportReport run_import(ByteSource &source, const ImportOptions &options, Target &target);
// The same for an export in memory.
ImportReport run_import(const char *data, std::size_t length, const ImportOptions &options, Target &target);

} // namespace relocate

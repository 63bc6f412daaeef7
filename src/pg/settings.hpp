// The relocate.* settings (GUCs) and the library's _PG_init, which defines them.
#pragma once

#include <string>

#include "core/import_options.hpp"

namespace relocate::pg {

// Copies the settings that shape an import into `options`: relocate.ignore_unknown_fields,
// batch_size, password_hash_iterations, region_name, url_prefix.
void apply_settings(ImportOptions &options);

// relocate.timing: report where an import's time went, by phase, in a NOTICE.
bool timing_enabled();

// relocate.progress_interval in milliseconds: how often a running import's progress NOTICE comes
// (0: never).
int progress_interval_ms();

// Sets relocate.last_import_uuid for the session. Calls PostgreSQL: use inside pg_guard.
void set_last_import_uuid(const std::string &import_uuid);

} // namespace relocate::pg

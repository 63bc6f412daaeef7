// The database side of a relocation: Sentry's relocation tables, found through the caller's
// search_path and each resolved once to its qualified name; the relocation row, read under a row
// lock and written back; its export file (RelocationFile -> File -> the large object relocate
// keeps in relocate_relocation_file); and what the import chunks of its uuid say was imported.
//
// Every statement is search_path-proof (CONTRIBUTING: "SQL the extension runs").
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "core/relocation.hpp"
#include "pg/spi_query.hpp"

namespace relocate::pg {

// The schema-qualified, quoted name of the table `name` finds through the search_path
// (pg_catalog.to_regclass), or "" when there is none.
std::string resolve_table(const std::string &name);
// The same, or ImportError 42P01 naming the table and `why` it is needed.
std::string require_table(const std::string &name, const std::string &why);
// relocate's own table `name`, qualified with the extension's schema.
std::string extension_table(const std::string &name);

// Reads the relocation with this uuid and locks its row (SELECT ... FOR UPDATE: a second session
// waits for the first to commit, then reads what it committed). nullopt if there is none.
std::optional<relocation::Relocation> lock_relocation(const std::string &table, const std::string &uuid);

// Writes back what the gate and the tasks change: step, status, scheduled_*, latest_notified,
// latest_task, latest_task_attempts, failure_reason (and want_usernames when asked), with
// date_updated = now() as Django's save does.
void save_relocation(const std::string &table, const relocation::Relocation &r, bool with_want_usernames = false);

// The large object holding the relocation's export: its RAW_USER_DATA RelocationFile, that file's
// row of relocate_relocation_file. Throws ImportError (55000) when either is missing.
std::string relocation_export_oid(const std::string &relocation_file_table, const relocation::Relocation &r);
// The size (bytes) and SHA-1 (hex) recorded for the large object `oid` in relocate_relocation_file
// when the relocation was created (what its checks passed).
std::pair<std::string, std::string> relocation_export_recorded(const std::string &oid);

// The organizations the import with this uuid inserted: (id, slug) from the inserted_map and
// inserted_identifiers of its sentry.organization region import chunks, ordered by id.
std::vector<SqlRow> imported_organizations(const std::string &region_chunk_table, const std::string &uuid);

// The ids of the users it inserted: the inserted_map values of its sentry.user replica chunks.
std::vector<std::string> imported_user_ids(const std::string &replica_table, const std::string &uuid);

} // namespace relocate::pg

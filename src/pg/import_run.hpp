// The two halves of relocate_import that relocate_importing shares: the export's JSON (decrypted
// in memory when it is encrypted) and one run of the engine through SPI.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "core/import_options.hpp"
#include "core/import_report.hpp"

namespace relocate::pg {

// The JSON to import: `data` itself, or for an encrypted export (a tarball) its plaintext,
// decrypted into `plaintext` (which the caller wipes) with the key `private_key` gives (PEM text
// or a server file path; this palloc'd copy of the argument is wiped). Throws ImportError 22004 for
// an encrypted export without a key, and the errors of unwrap_tarball and decrypt_export.
std::string_view export_json(const char *data, std::size_t length, char *private_key, std::string &plaintext);

// Runs the engine through SPI in the current transaction (after Sentry's Global-scope reset when
// `reset`), sets relocate.last_import_uuid, and reports in NOTICEs what was skipped or dropped
// (and the minted import_uuid unless `uuid_given`).
ImportReport run_spi_import(std::string_view json, const ImportOptions &options, bool reset, bool uuid_given);

} // namespace relocate::pg

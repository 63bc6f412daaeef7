// What relocate_import's entry points share with the relocation steps (relocate_importing): the
// export opened as JSON, and one run of the engine through SPI.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "core/byte_source.hpp"
#include "core/export_input.hpp"
#include "core/import_options.hpp"
#include "core/import_report.hpp"

namespace relocate::pg {

// The export `raw` holds, as JSON: plain, decompressed, or decrypted on the fly with the key
// `private_key` gives (PEM text or a server file path; this palloc'd copy of the argument is wiped;
// nullptr for none). A NOTICE says when a key was given for an export that is not encrypted.
// Throws ImportError 22004 for an encrypted export without a key, and the decryption errors.
std::unique_ptr<ExportInput> open_export_input(ByteSource &raw, char *private_key, const CheckInterrupts &check);

// Runs the engine over `json` through SPI in the current transaction (after Sentry's Global-scope
// reset when `reset`), sets relocate.last_import_uuid, and reports in NOTICEs what was skipped or
// dropped (and the minted import_uuid unless `uuid_given`).
ImportReport run_spi_import(ByteSource &json, const ImportOptions &options, bool reset, bool uuid_given);
ImportReport run_spi_import(std::string_view json, const ImportOptions &options, bool reset, bool uuid_given);

} // namespace relocate::pg

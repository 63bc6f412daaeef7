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
#include "pg/progress.hpp"

namespace relocate::pg {

// The export `raw` holds, as JSON: plain, decompressed, or decrypted on the fly with the key
// `private_key` gives (PEM text or a server file path; this palloc'd copy of the argument is wiped;
// nullptr for none). A NOTICE says when a key was given for an export that is not encrypted.
// Throws ImportError 22004 for an encrypted export without a key, and the decryption errors.
std::unique_ptr<ExportInput> open_export_input(ByteSource &raw, char *private_key, const CheckInterrupts &check);

// One import at a time in a session, held by each import function (relocate_import and its file
// and large-object variants, relocate_importing) from its first step to its return. An import
// started while another runs, from a trigger or function the running one fired, would share its
// session tables (the pk map, the report) and its progress: it is refused (0A000) before it reads
// or writes anything. `function` is the SQL name of the function starting the import.
class OneImportAtATime {
public:
	explicit OneImportAtATime(const char *function);
	~OneImportAtATime();
	OneImportAtATime(const OneImportAtATime &) = delete;
	OneImportAtATime &operator=(const OneImportAtATime &) = delete;
};

// How one run of the engine goes, besides its options.
// Refuses (0A000) a REPEATABLE READ or SERIALIZABLE transaction: imports take turns on a lock and
// must see what the one before committed, which a snapshot taken before the lock does not.
void require_read_committed();

struct SpiRun {
	bool reset = false;      // Sentry's Global-scope reset first
	bool uuid_given = false; // else a NOTICE names the minted import_uuid
	bool dry_run = false;    // everything in a subtransaction that is rolled back
	// The call's progress report, started before the passes over the export that precede the
	// import's (nullptr: the import starts its own, the export's bytes unknown).
	ProgressReport *progress = nullptr;
};

// Runs the engine over `json` through SPI in the current transaction (after Sentry's Global-scope
// reset when `run.reset`), sets relocate.last_import_uuid, leaves the pk map and the report in the
// session tables, and reports in NOTICEs and WARNINGs what was skipped, dropped, renamed or reused.
// A dry run does all of it in a subtransaction and rolls the subtransaction back, keeping the
// session tables' rows.
ImportReport run_spi_import(ByteSource &json, const ImportOptions &options, const SpiRun &run);
ImportReport run_spi_import(std::string_view json, const ImportOptions &options, const SpiRun &run);

} // namespace relocate::pg

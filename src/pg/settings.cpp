#include "pg/settings.hpp"

#include <climits>

#include "pg/boundary.hpp"

extern "C" {
#include "utils/guc.h"

PG_MODULE_MAGIC;

void _PG_init(void);
}

namespace relocate::pg {

namespace {

// A new user's replacement password is ~190 random bits that nobody ever sees: stretching adds
// nothing, so the default costs microseconds (docs/password-hashes.md). Django's own counts: 720000
// (Django 5.0), 870000 (5.1), 1000000 (5.2), 1200000 (6.0).
constexpr int kDefaultPasswordHashIterations = 100;
constexpr int kMaxPasswordHashIterations = 2000000;

bool ignore_unknown_fields = false;
bool timing = false;
int batch_size = 1000;
char *last_import_uuid = nullptr;
int password_hash_iterations = kDefaultPasswordHashIterations;
char *region_name = nullptr;
char *url_prefix = nullptr;
int max_monitors_per_org = 1500;
int progress_interval = 10000; // ms

} // namespace

void apply_settings(ImportOptions &options) {
	options.ignore_unknown_fields = ignore_unknown_fields;
	options.batch_rows = static_cast<std::size_t>(batch_size);
	options.password_hash_iterations = static_cast<unsigned>(password_hash_iterations);
	options.region_name = region_name != nullptr ? region_name : "--monolith--";
	options.url_prefix = url_prefix != nullptr ? url_prefix : "";
	options.max_monitors_per_org = max_monitors_per_org;
}

bool timing_enabled() {
	return timing;
}

int progress_interval_ms() {
	return progress_interval;
}

void set_last_import_uuid(const std::string &import_uuid) {
	SetConfigOption("relocate.last_import_uuid", import_uuid.c_str(), PGC_USERSET, PGC_S_SESSION);
}

} // namespace relocate::pg

extern "C" void _PG_init(void) {
	using namespace relocate::pg;
	DefineCustomBoolVariable("relocate.ignore_unknown_fields",
	                         "Drop export fields that the target table has no column for, instead of failing.",
	                         "Dropped fields are reported in a NOTICE with their row counts.", &ignore_unknown_fields,
	                         false, PGC_USERSET, 0, nullptr, nullptr, nullptr);
	DefineCustomIntVariable("relocate.batch_size", "Rows per INSERT statement written by relocate_import.", nullptr,
	                        &batch_size, 1000, 1, 100000, PGC_USERSET, 0, nullptr, nullptr, nullptr);
	DefineCustomIntVariable("relocate.password_hash_iterations",
	                        "PBKDF2-SHA256 iterations of the replacement password hashes written outside Global scope.",
	                        "The replaced password is a random secret nobody sees, so the default is small; Django's "
	                        "own count (720000 in Django 5.0, 1200000 in 6.0) costs about 0.3 s of CPU per hash, "
	                        "spread over the machine's cores.",
	                        &password_hash_iterations, kDefaultPasswordHashIterations, 1, kMaxPasswordHashIterations,
	                        PGC_USERSET, 0, nullptr, nullptr, nullptr);
	DefineCustomStringVariable("relocate.region_name",
	                           "region_name of the organization slug reservations written (Sentry's monolith region).",
	                           nullptr, &region_name, "--monolith--", PGC_USERSET, 0, nullptr, nullptr, nullptr);
	DefineCustomStringVariable(
	    "relocate.url_prefix",
	    "Sentry's system.url-prefix, for OrgAuthTokens minted when the database has no such option.",
	    "Self-hosted installs usually set it in config.yml; without it such tokens are skipped.", &url_prefix, "",
	    PGC_USERSET, 0, nullptr, nullptr, nullptr);
	DefineCustomBoolVariable("relocate.timing", "Report where an import's time went, by phase, in a NOTICE.",
	                         "The phases: setup, parse, rows, normalize, collisions, hashing, writes, pk map, derived "
	                         "rows, chunks; they add up to the call (the commit's deferred checks come after it).",
	                         &timing, false, PGC_USERSET, 0, nullptr, nullptr, nullptr);
	DefineCustomIntVariable("relocate.progress_interval",
	                        "How often a running import reports its progress in a NOTICE; 0 turns the NOTICEs off.",
	                        "The view relocate_progress shows every running import's progress whatever this is.",
	                        &progress_interval, 10000, 0, INT_MAX, PGC_USERSET, GUC_UNIT_MS, nullptr, nullptr, nullptr);
	DefineCustomIntVariable("relocate.max_monitors_per_org",
	                        "Sentry's MAX_MONITORS_PER_ORG: a monitor imported into an organization that has this many "
	                        "fails the import.",
	                        "Set it to the target install's value (Sentry's default is 1500).", &max_monitors_per_org,
	                        1500, 0, INT_MAX, PGC_USERSET, 0, nullptr, nullptr, nullptr);
	DefineCustomStringVariable("relocate.last_import_uuid",
	                           "The import_uuid of the last relocate_import in this session (given or minted).",
	                           "Pass it as import_uuid to run the same import again without writing it twice.",
	                           &last_import_uuid, "", PGC_USERSET, 0, nullptr, nullptr, nullptr);
	MarkGUCPrefixReserved("relocate");
}

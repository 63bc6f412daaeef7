#include "pg/progress.hpp"

#include <cstdio>
#include <string>

#include "pg/boundary.hpp"
#include "pg/settings.hpp"

extern "C" {
#include "commands/progress.h"
#include "pgstat.h"
#include "utils/backend_progress.h"
}

namespace relocate::pg {

namespace {

// The backend's progress parameters, as the view relocate_progress reads them (relocate--0.2.0.sql).
// The first six are pg_stat_progress_copy's (commands/progress.h), so that view shows the import too.
enum ProgressParam : int {
	kBytesProcessed = PROGRESS_COPY_BYTES_PROCESSED, // of the export's raw bytes, in this pass
	kBytesTotal = PROGRESS_COPY_BYTES_TOTAL,         // the export's size (0: unknown)
	kRowsWritten = PROGRESS_COPY_TUPLES_PROCESSED,   // inserted + existing + overwritten
	kSkipped = PROGRESS_COPY_TUPLES_EXCLUDED,        // entries skipped on purpose
	kCommand = PROGRESS_COPY_COMMAND,                // COPY FROM, for pg_stat_progress_copy
	kType = PROGRESS_COPY_TYPE,                      // CALLBACK, likewise
	kEntries = 6,                                    // export entries read by the import pass
	kPhase = 7,                                      // Phase (core/timeline.hpp) + 1
	kModel = 8,                                      // the model's catalogue sort_order + 1; 0: none yet
	kReused = 9,                                     // entries a replay reused
	kMarker = 19,                                    // kMarkerValue: this COPY progress is relocate's
};
constexpr std::int64_t kMarkerValue = 0x52454C4F; // "RELO"

// How often the progress parameters are refreshed (a shared-memory write; cheap, but not per row).
constexpr std::chrono::milliseconds kPublishEvery{100};

std::string megabytes(std::uint64_t bytes) {
	char buf[32];
	snprintf(buf, sizeof buf, "%.1f MB", static_cast<double>(bytes) / (1024.0 * 1024.0));
	return buf;
}

} // namespace

ProgressReport::ProgressReport() : started_(Clock::now()), last_publish_(started_), last_notice_(started_) {
	pg_guard([&] {
		pgstat_progress_start_command(PROGRESS_COMMAND_COPY, InvalidOid);
		const int index[] = {kCommand, kType, kMarker, kPhase};
		const std::int64_t value[] = {PROGRESS_COPY_COMMAND_FROM, PROGRESS_COPY_TYPE_CALLBACK, kMarkerValue,
		                              static_cast<std::int64_t>(Phase::Setup) + 1};
		pgstat_progress_update_multi_param(static_cast<int>(sizeof index / sizeof index[0]), index, value);
	});
	active_ = true;
}

void ProgressReport::count_bytes(const CountingSource *bytes) {
	bytes_ = bytes;
	const std::int64_t total = bytes_ != nullptr ? static_cast<std::int64_t>(bytes_->size_hint()) : 0;
	pg_guard([&] { pgstat_progress_update_param(kBytesTotal, total); });
}

void ProgressReport::check_before_import() {
	check_for_interrupts();
	if (import_begun_)
		return;
	static const struct BeforeImport final : ProgressSource {
		ImportProgress progress() const override { return {}; } // phase setup, nothing read or written
	} before_import;
	update(&before_import);
}

ProgressReport::~ProgressReport() {
	if (!active_)
		return;
	try {
		pg_guard([] { pgstat_progress_end_command(); });
	} catch (...) { // a destructor throws nothing; ending the progress command cannot fail anyway
	}
}

void ProgressReport::update(const ProgressSource *source) {
	if (source == nullptr)
		return;
	const Clock::time_point now = Clock::now();
	const int interval_ms = progress_interval_ms();
	// A NOTICE interval shorter than the publishing pace sets the pace (tests watch small imports).
	const std::chrono::milliseconds every = interval_ms > 0 && std::chrono::milliseconds(interval_ms) < kPublishEvery
	                                            ? std::chrono::milliseconds(interval_ms)
	                                            : kPublishEvery;
	if (now - last_publish_ < every)
		return;
	last_publish_ = now;
	const bool notice = interval_ms > 0 && now - last_notice_ >= std::chrono::milliseconds(interval_ms);
	if (notice)
		last_notice_ = now;
	publish(source->progress(), notice);
}

void ProgressReport::publish(const ImportProgress &p, bool notice) {
	const std::int64_t bytes = bytes_ != nullptr ? static_cast<std::int64_t>(bytes_->bytes()) : 0;
	const double elapsed = std::chrono::duration<double>(Clock::now() - started_).count();
	std::string message;
	if (notice) {
		// C++ only: the message is built before PostgreSQL is called.
		char rate[64];
		snprintf(rate, sizeof rate, "%.0f rows/s, %.1f s elapsed", elapsed > 0 ? p.written / elapsed : 0.0, elapsed);
		message = std::string("relocate: progress: ") + phase_name(p.phase) +
		          (p.model != nullptr ? std::string(", ") + p.model : std::string()) + ", " +
		          std::to_string(p.entries) + " entries read, " + std::to_string(p.written) + " rows written, " +
		          std::to_string(p.skipped) + " skipped";
		if (p.reused > 0)
			message += ", " + std::to_string(p.reused) + " reused";
		if (bytes_ != nullptr) {
			message += ", " + megabytes(bytes_->bytes());
			if (bytes_->size_hint() > 0)
				message += " of " + megabytes(bytes_->size_hint());
			message += " read";
		}
		message += ", " + std::string(rate);
	}
	pg_guard([&] {
		const int index[] = {kBytesProcessed, kRowsWritten, kSkipped, kEntries, kPhase, kModel, kReused};
		const std::int64_t value[] = {
		    bytes,   p.written, p.skipped, p.entries, static_cast<std::int64_t>(p.phase) + 1, p.model_index + 1,
		    p.reused};
		pgstat_progress_update_multi_param(static_cast<int>(sizeof index / sizeof index[0]), index, value);
		if (notice)
			ereport(NOTICE, (errmsg_internal("%s", message.c_str())));
	});
}

} // namespace relocate::pg

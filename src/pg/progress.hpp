// An import's progress, shown while it runs: in the backend's progress parameters (the views
// relocate_progress and pg_stat_progress_copy, which another session can watch) and, every
// relocate.progress_interval, in a NOTICE that reaches the client at once.
#pragma once

#include <chrono>
#include <cstdint>

#include "core/byte_source.hpp"
#include "core/progress.hpp"

namespace relocate::pg {

class ProgressReport {
public:
	// Starts the backend's progress command, in phase setup; the export is not known yet.
	ProgressReport();
	~ProgressReport(); // ends the backend's progress command (no PostgreSQL error can escape)
	ProgressReport(const ProgressReport &) = delete;
	ProgressReport &operator=(const ProgressReport &) = delete;

	// `bytes` counts what is read of the export's raw bytes in each pass; its size is bytes_total.
	void count_bytes(const CountingSource *bytes);

	// The interrupt check of the passes over the export that come before the import's own (format
	// detection, an encrypted export's HMAC check, relocate_importing's SHA-1 check and Sentry's
	// preprocessing scan): they show as phase setup with the bytes they read. Once the import has
	// begun (import_begun), whose checks publish its own progress, it only checks for interrupts.
	void check_before_import();
	void import_begun() { import_begun_ = true; }

	// Called from every interrupt check of the import: cheap unless it is time to publish.
	void update(const ProgressSource *source);

private:
	using Clock = std::chrono::steady_clock;
	void publish(const ImportProgress &p, bool notice);

	const CountingSource *bytes_ = nullptr;
	bool import_begun_ = false;
	Clock::time_point started_;
	Clock::time_point last_publish_;
	Clock::time_point last_notice_;
	bool active_ = false;
};

} // namespace relocate::pg

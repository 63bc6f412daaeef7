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
	// `bytes` counts what is read of the export's raw bytes (nullptr: unknown).
	explicit ProgressReport(const CountingSource *bytes);
	~ProgressReport(); // ends the backend's progress command (no PostgreSQL error can escape)
	ProgressReport(const ProgressReport &) = delete;
	ProgressReport &operator=(const ProgressReport &) = delete;

	// Called from every interrupt check of the import: cheap unless it is time to publish.
	void update(const ProgressSource *source);

private:
	using Clock = std::chrono::steady_clock;
	void publish(const ImportProgress &p, bool notice);

	const CountingSource *bytes_;
	Clock::time_point started_;
	Clock::time_point last_publish_;
	Clock::time_point last_notice_;
	bool active_ = false;
};

} // namespace relocate::pg

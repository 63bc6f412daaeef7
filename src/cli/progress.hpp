// What relocate-import shows while it works: on a terminal, one line rewritten in place (a spinner,
// the phase, what the server says of its progress, the elapsed time); elsewhere, a plain line every
// few seconds; with --quiet, nothing. Every other message goes through Console::print, which takes
// the live line away first and lets the next tick draw it again.
//
// libpq-free and PostgreSQL-free (unit-tested in test/cli/ with a fake clock).
#pragma once

#include <cstdint>
#include <cstdio>
#include <functional>
#include <string>

namespace relocate::cli {

enum class ProgressMode {
	kNone,     // --quiet
	kLine,     // a terminal: one line rewritten in place
	kPeriodic, // not a terminal: a plain line every `plain_interval` seconds
};

// What the server reported of an import's progress (relocate_progress, or a progress NOTICE).
struct ServerProgress {
	std::string phase;
	std::string model;
	std::int64_t entries_read = -1; // -1: not reported
	std::int64_t rows_written = -1;
	std::int64_t bytes_read = -1;
	std::int64_t bytes_total = -1;
	double rows_per_second = -1;
	std::string text; // a progress NOTICE's text, when that is all there is
};

// The progress in words: "sentry.user, 12,345 entries read, 11,000 rows written, 34% of 245 MiB,
// 3,210 rows/s".
std::string describe(const ServerProgress &p);

class Console {
public:
	using Clock = std::function<double()>; // seconds, monotonic

	Console(std::FILE *out, ProgressMode mode, Clock clock = {});
	ProgressMode mode() const { return mode_; }

	// Starts a phase ("uploading", "importing", "verifying", ...), with its elapsed time from now.
	void phase(const std::string &name);
	// What the phase is at: `detail` from the server's progress notices (or the upload's bytes),
	// `watched` from a second connection; the line shows `watched` while it is not empty.
	void detail(const std::string &text);
	void watched(const std::string &text);
	// Redraws the line when due (at most ten times a second), or prints the periodic line.
	void tick();
	// Prints `text` (one or more whole lines) without mixing it with the live line.
	void print(const std::string &text);
	// Takes the live line away for good (before the summary).
	void finish();

	double phase_elapsed() const { return now() - phase_started_; }
	double total_elapsed() const { return now() - started_; }
	void set_width(std::size_t columns) { width_ = columns; }
	void set_plain_interval(double seconds) { plain_interval_ = seconds; }

private:
	double now() const;
	std::string line() const;
	void clear_line();

	std::FILE *out_;
	ProgressMode mode_;
	Clock clock_;
	std::string phase_;
	std::string detail_;
	std::string watched_;
	double started_ = 0;
	double phase_started_ = 0;
	double last_draw_ = -1;
	double last_plain_ = 0;
	double plain_interval_ = 5;
	std::size_t width_ = 80;
	unsigned spin_ = 0;
	bool drawn_ = false;
};

} // namespace relocate::cli

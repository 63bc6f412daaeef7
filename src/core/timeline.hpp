// Where an import's time goes, by phase: wall-clock time charged to the innermost phase running,
// so the phases add up to the whole import. Cheap enough for every row (two clock reads per phase
// change). Reported when relocate.timing is on, and by the benchmark.
//
// PostgreSQL-free.
#pragma once

#include <array>
#include <chrono>
#include <cstddef>

namespace relocate {

enum class Phase : std::uint8_t {
	Setup,       // filters' pre-pass, locks, loading import chunks, describing tables
	Parse,       // reading the export: JSON parsing, decompression, decryption
	Rows,        // building rows: field plans, foreign keys through the pk map, value conversion
	Normalize,   // Sentry's per-row rules (normalize hooks)
	Collisions,  // Sentry's per-batch write rules: key rules, collision lookups, unique values
	Hashing,     // replacement password hashes
	Writes,      // the batches' INSERT and UPDATE statements (and their ids)
	PkMap,       // the pk map and the session's relocate_pk_map table
	Derived,     // the rows Sentry's signals create
	Chunks,      // import chunks, written and restored
	ForeignKeys, // the foreign keys of the rows relocate wrote itself, checked at the end
	Count
};

const char *phase_name(Phase p);

class Timeline {
public:
	using Clock = std::chrono::steady_clock;

	Timeline() : since_(Clock::now()) {}

	// Charges the time since the last change to the current phase and makes `p` current; returns
	// the phase that was current.
	Phase enter(Phase p) {
		const Clock::time_point now = Clock::now();
		seconds_[static_cast<std::size_t>(current_)] += std::chrono::duration<double>(now - since_).count();
		since_ = now;
		const Phase previous = current_;
		current_ = p;
		return previous;
	}
	double seconds(Phase p) const { return seconds_[static_cast<std::size_t>(p)]; }
	Phase current() const { return current_; }
	// Charges the time up to now, so that seconds() is complete.
	void settle() { enter(current_); }

private:
	std::array<double, static_cast<std::size_t>(Phase::Count)> seconds_{};
	Phase current_ = Phase::Setup;
	Clock::time_point since_;
};

// Runs a scope in phase `p` (of `timeline`, which may be null), then returns to the enclosing one.
class InPhase {
public:
	InPhase(Timeline *timeline, Phase p) : timeline_(timeline) {
		if (timeline_ != nullptr)
			previous_ = timeline_->enter(p);
	}
	~InPhase() {
		if (timeline_ != nullptr)
			timeline_->enter(previous_);
	}
	InPhase(const InPhase &) = delete;
	InPhase &operator=(const InPhase &) = delete;

private:
	Timeline *timeline_;
	Phase previous_ = Phase::Setup;
};

} // namespace relocate

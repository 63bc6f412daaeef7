#include "cli/progress.hpp"

#include <chrono>

#include "cli/format.hpp"

namespace relocate::cli {

std::string describe(const ServerProgress &p) {
	std::string out;
	auto add = [&out](const std::string &part) {
		if (!part.empty())
			out += (out.empty() ? "" : ", ") + part;
	};
	add(p.model);
	if (p.entries_read >= 0)
		add(format_count(p.entries_read) + " entries read");
	if (p.rows_written >= 0)
		add(format_count(p.rows_written) + " rows written");
	if (p.bytes_total > 0 && p.bytes_read >= 0)
		add(std::to_string(p.bytes_read * 100 / p.bytes_total) + "% of " +
		    format_bytes(static_cast<std::uint64_t>(p.bytes_total)));
	else if (p.bytes_read >= 0)
		add(format_bytes(static_cast<std::uint64_t>(p.bytes_read)) + " read");
	if (p.rows_per_second >= 0)
		add(format_rate(p.rows_per_second) + " rows/s");
	if (out.empty())
		out = p.text;
	if (!p.phase.empty())
		out = out.empty() ? p.phase : p.phase + ": " + out;
	return out;
}

Console::Console(std::FILE *out, ProgressMode mode, Clock clock) : out_(out), mode_(mode), clock_(std::move(clock)) {
	started_ = phase_started_ = last_plain_ = now();
}

double Console::now() const {
	if (clock_)
		return clock_();
	using namespace std::chrono;
	return duration<double>(steady_clock::now().time_since_epoch()).count();
}

void Console::phase(const std::string &name) {
	phase_ = name;
	detail_.clear();
	watched_.clear();
	phase_started_ = last_plain_ = now();
	last_draw_ = -1;
	tick();
}

void Console::detail(const std::string &text) {
	detail_ = text;
}

void Console::watched(const std::string &text) {
	watched_ = text;
}

std::string Console::line() const {
	std::string out = format_elapsed(phase_elapsed()) + " " + phase_;
	const std::string &detail = watched_.empty() ? detail_ : watched_;
	if (!detail.empty())
		out += ": " + detail;
	return out;
}

void Console::clear_line() {
	if (drawn_) {
		std::fputs("\r\033[K", out_);
		drawn_ = false;
	}
}

void Console::tick() {
	if (mode_ == ProgressMode::kNone || phase_.empty())
		return;
	const double t = now();
	if (mode_ == ProgressMode::kPeriodic) {
		if (t - last_plain_ >= plain_interval_) {
			std::fprintf(out_, "relocate-import: %s\n", line().c_str());
			std::fflush(out_);
			last_plain_ = t;
		}
		return;
	}
	if (last_draw_ >= 0 && t - last_draw_ < 0.1)
		return;
	static const char spinner[] = {'|', '/', '-', '\\'};
	const std::string text = std::string(1, spinner[spin_++ % 4]) + " " + line();
	std::fputs("\r\033[K", out_);
	std::fputs(fit_width(text, width_ > 1 ? width_ - 1 : 1).c_str(), out_);
	std::fflush(out_);
	drawn_ = true;
	last_draw_ = t;
}

void Console::print(const std::string &text) {
	clear_line();
	std::fputs(text.c_str(), out_);
	std::fflush(out_);
	last_draw_ = -1;
}

void Console::finish() {
	clear_line();
	std::fflush(out_);
	phase_.clear();
}

} // namespace relocate::cli

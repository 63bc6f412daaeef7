#include "core/threads.hpp"

namespace relocate {

namespace {

StopThreadsAtExit *registered = nullptr; // the most recent first

} // namespace

void StopThreadsAtExit::link() noexcept {
	next_ = registered;
	if (registered != nullptr)
		registered->prev_ = this;
	registered = this;
}

void StopThreadsAtExit::unlink() noexcept {
	if (prev_ != nullptr)
		prev_->next_ = next_;
	else if (registered == this)
		registered = next_;
	if (next_ != nullptr)
		next_->prev_ = prev_;
	next_ = prev_ = nullptr;
}

void stop_all_threads() noexcept {
	for (StopThreadsAtExit *s = registered; s != nullptr; s = s->next_) {
		try {
			s->stop_(s->target_);
		} catch (...) { // on the way out of the process: nothing to report to
		}
	}
}

} // namespace relocate

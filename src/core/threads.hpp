// Threads of relocate's own inside a backend (the parser of parse_ahead, the password hash
// workers): plain C++ and OpenSSL work that never calls PostgreSQL.
//
// PostgreSQL-free.
#pragma once

#include <pthread.h>
#include <signal.h>

#include <thread>
#include <utility>

namespace relocate {

// Starts `body` on a thread of its own with every signal blocked, so that PostgreSQL's handlers
// (cancel, timeout, termination, latches) keep running on the calling thread only; the calling
// thread's mask is restored at once. Throws std::system_error when no thread can be had.
template <typename F> std::thread start_thread_without_signals(F &&body) {
	sigset_t all, saved;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &saved);
	try {
		std::thread thread(std::forward<F>(body));
		pthread_sigmask(SIG_SETMASK, &saved, nullptr);
		return thread;
	} catch (...) {
		pthread_sigmask(SIG_SETMASK, &saved, nullptr);
		throw;
	}
}

} // namespace relocate

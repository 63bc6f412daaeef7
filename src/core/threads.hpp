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

// Stopping relocate's threads when the backend exits without unwinding its stack. A FATAL error
// (pg_terminate_backend, a shutdown, a lost client) calls proc_exit from inside whatever PostgreSQL
// call the import was making: no C++ frame unwinds, so no owner of a thread gets to stop and join
// it, and exit() would run the library's static destructors and OpenSSL's atexit cleanup while the
// parser or a password hash worker still runs. Every owner of threads keeps one of these alive for as
// long as its threads may run; the boundary layer calls stop_all_threads() from a before_shmem_exit
// callback (src/pg/boundary.cpp). Registration allocates nothing and cannot fail; it belongs to the
// backend's own thread (the only one that starts relocate's threads).
class StopThreadsAtExit {
public:
	// `stop_and_join` (a callable that stops and joins the owner's threads, and does nothing when they
	// are joined already) must outlive this object.
	template <typename F>
	explicit StopThreadsAtExit(F &stop_and_join) noexcept : stop_(&call<F>), target_(&stop_and_join) {
		link();
	}
	~StopThreadsAtExit() { unlink(); }
	StopThreadsAtExit(const StopThreadsAtExit &) = delete;
	StopThreadsAtExit &operator=(const StopThreadsAtExit &) = delete;

private:
	template <typename F> static void call(void *f) { (*static_cast<F *>(f))(); }
	void link() noexcept;
	void unlink() noexcept;
	friend void stop_all_threads() noexcept;

	void (*stop_)(void *);
	void *target_;
	StopThreadsAtExit *next_ = nullptr;
	StopThreadsAtExit *prev_ = nullptr;
};

// Stops and joins the threads of every live StopThreadsAtExit, the most recent first. The owners'
// destructors then find them joined (if they ever run).
void stop_all_threads() noexcept;

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

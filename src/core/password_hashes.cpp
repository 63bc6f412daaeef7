#include "core/password_hashes.hpp"

#if defined(__linux__)
#include <sys/resource.h>
#include <sys/syscall.h>
#include <unistd.h>
#endif

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>

#include "core/generated_values.hpp"
#include "core/threads.hpp"

namespace relocate {

namespace {

// Below this many PBKDF2 iterations in all (about 10 ms of CPU), threads cost more than they save.
constexpr unsigned long long kInlineWork = 20000;

// The hashes of the rows [next, count), shared by the workers.
struct HashJob {
	HashJob(std::size_t n, unsigned iter) : count(n), iterations(iter), hashes(n) {}
	const std::size_t count;
	const unsigned iterations;
	std::vector<std::string> hashes;
	std::atomic<std::size_t> next{0};
	std::atomic<bool> stop{false};
	std::mutex mutex;
	std::condition_variable finished; // a worker ended
	std::exception_ptr error;         // guarded by mutex
	unsigned workers_running = 0;     // guarded by mutex

	void work() {
		for (std::size_t i; !stop.load() && (i = next.fetch_add(1)) < count;) {
			try {
				hashes[i] = random_password_hash(iterations);
			} catch (...) {
				std::lock_guard<std::mutex> lock(mutex);
				if (!error)
					error = std::current_exception();
				stop = true;
			}
		}
		// Only the end of a worker wakes the calling thread, not every hash: on a machine with as
		// many workers as cores, a wake-up per hash (about 26 us at 100 iterations) took a core's
		// time from the workers.
		std::lock_guard<std::mutex> lock(mutex);
		--workers_running;
		finished.notify_one();
	}
};

// Starts the workers (every signal blocked: threads.hpp).
std::vector<std::thread> start_workers(HashJob &job, unsigned threads) {
	std::vector<std::thread> workers;
	workers.reserve(threads); // a push_back that throws would destroy a running std::thread: terminate
	try {
		for (unsigned t = 0; t < threads; ++t) {
			{
				std::lock_guard<std::mutex> lock(job.mutex);
				++job.workers_running;
			}
			try {
				workers.push_back(start_thread_without_signals([&job] { job.work(); }));
			} catch (...) {
				std::lock_guard<std::mutex> lock(job.mutex);
				--job.workers_running;
				throw;
			}
		}
	} catch (...) {
		job.stop = true;
		for (std::thread &w : workers)
			w.join();
		throw;
	}
	return workers;
}

} // namespace

std::vector<std::string> random_password_hashes(std::size_t count, unsigned iterations, unsigned threads,
                                                const CheckInterrupts &check) {
	if (count == 0)
		return {};
	if (static_cast<unsigned long long>(count) * iterations <= kInlineWork) {
		std::vector<std::string> hashes;
		hashes.reserve(count);
		for (std::size_t i = 0; i < count; ++i) {
			if (check)
				check();
			hashes.push_back(random_password_hash(iterations));
		}
		return hashes;
	}
	if (threads == 0)
		threads = std::max(1u, std::thread::hardware_concurrency());
	if (threads > count)
		threads = static_cast<unsigned>(count);
	HashJob job(count, iterations);
	std::vector<std::thread> workers;
	auto join_all = [&] {
		job.stop = true;
		for (std::thread &w : workers)
			if (w.joinable())
				w.join();
	};
	const StopThreadsAtExit at_exit(join_all);
	workers = start_workers(job, threads);
	try {
		std::unique_lock<std::mutex> lock(job.mutex);
		while (job.workers_running > 0) {
			job.finished.wait_for(lock, std::chrono::milliseconds(50));
			lock.unlock();
			if (check)
				check(); // may throw: the workers are stopped below
			lock.lock();
		}
	} catch (...) {
		join_all();
		throw;
	}
	join_all();
	if (job.error)
		std::rethrow_exception(job.error);
	return std::move(job.hashes);
}

std::size_t PasswordHashesAhead::capacity_for(unsigned iterations, std::size_t batch_rows) {
	constexpr unsigned long long kAheadWork = 2000000; // iterations: ~0.5 s of one core
	const unsigned long long by_work = kAheadWork / std::max(1u, iterations);
	return static_cast<std::size_t>(std::min<unsigned long long>(by_work, 2ULL * batch_rows));
}

PasswordHashesAhead::PasswordHashesAhead(unsigned iterations, std::size_t capacity)
    : iterations_(iterations), capacity_(capacity) {
	if (capacity_ > 0) {
		at_exit_.emplace(stopper_);
		thread_ = start_thread_without_signals([this] { run(); });
	}
}

PasswordHashesAhead::~PasswordHashesAhead() {
	stop_and_join();
}

void PasswordHashesAhead::stop_and_join() {
	if (!thread_.joinable())
		return;
	{
		std::lock_guard<std::mutex> lock(mutex_);
		stop_ = true;
	}
	wake_.notify_all();
	thread_.join();
}

void PasswordHashesAhead::run() {
#if defined(__linux__)
	// Work ahead of need yields to the import's own threads (the backend, the parser): a lower
	// priority for this thread only (Linux's per-thread nice value); a failure changes nothing.
	(void)setpriority(PRIO_PROCESS, static_cast<id_t>(syscall(SYS_gettid)), 10);
#endif
	std::unique_lock<std::mutex> lock(mutex_);
	for (;;) {
		wake_.wait(lock, [&] { return stop_ || ready_.size() < capacity_; });
		if (stop_)
			return;
		lock.unlock();
		std::string hash;
		try {
			hash = random_password_hash(iterations_);
		} catch (...) {
			lock.lock();
			error_ = std::current_exception();
			return;
		}
		lock.lock();
		try { // no exception may leave a thread's function (std::terminate)
			ready_.push_back(std::move(hash));
		} catch (...) {
			error_ = std::current_exception();
			return;
		}
	}
}

std::size_t PasswordHashesAhead::ready() const {
	std::lock_guard<std::mutex> lock(mutex_);
	return ready_.size();
}

std::vector<std::string> PasswordHashesAhead::take(std::size_t count, const CheckInterrupts &check) {
	std::vector<std::string> hashes;
	hashes.reserve(count);
	{
		std::lock_guard<std::mutex> lock(mutex_);
		if (error_)
			std::rethrow_exception(error_);
		while (hashes.size() < count && !ready_.empty()) {
			hashes.push_back(std::move(ready_.front()));
			ready_.pop_front();
		}
	}
	wake_.notify_one();
	if (hashes.size() < count)
		for (std::string &h : random_password_hashes(count - hashes.size(), iterations_, 0, check))
			hashes.push_back(std::move(h));
	return hashes;
}

} // namespace relocate

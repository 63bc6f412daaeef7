#include "core/password_hashes.hpp"

#include <pthread.h>
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <exception>
#include <mutex>
#include <thread>

#include "core/generated_values.hpp"

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

// Starts the workers with every signal blocked, so that PostgreSQL's handlers (cancel, timeout,
// termination, latches) keep running on the calling thread only; the calling thread's mask is
// restored at once.
std::vector<std::thread> start_workers(HashJob &job, unsigned threads) {
	sigset_t all, saved;
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &saved);
	std::vector<std::thread> workers;
	try {
		for (unsigned t = 0; t < threads; ++t) {
			{
				std::lock_guard<std::mutex> lock(job.mutex);
				++job.workers_running;
			}
			workers.emplace_back([&job] { job.work(); });
		}
	} catch (...) {
		pthread_sigmask(SIG_SETMASK, &saved, nullptr);
		job.stop = true;
		for (std::thread &w : workers)
			w.join();
		throw;
	}
	pthread_sigmask(SIG_SETMASK, &saved, nullptr);
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
	std::vector<std::thread> workers = start_workers(job, threads);
	auto join_all = [&] {
		job.stop = true;
		for (std::thread &w : workers)
			w.join();
	};
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

} // namespace relocate

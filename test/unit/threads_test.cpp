// Tests of StopThreadsAtExit (src/core/threads.hpp): what the backend's exit callback calls when a
// FATAL error exits the process from inside an import, with no C++ frame unwinding. stop_all_threads()
// must leave none of relocate's threads running: the parser of read_export_ahead, the workers of
// random_password_hashes, the thread of PasswordHashesAhead. Each test calls it from where a FATAL
// would come from (the consumer or the interrupt check, on the calling thread), counts the process's
// threads, and then unwinds as an ERROR would: the owners find their threads joined already.
#include "core/threads.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <stdexcept>
#include <string>
#include <thread>

#include "core/byte_source.hpp"
#include "core/parse_ahead.hpp"
#include "core/password_hashes.hpp"

namespace relocate {
namespace {

// The process's threads, from /proc/self/status.
int thread_count() {
	std::ifstream status("/proc/self/status");
	for (std::string line; std::getline(status, line);)
		if (line.rfind("Threads:", 0) == 0)
			return std::stoi(line.substr(8));
	return -1;
}

// The thread count once it has come down to `want` (a joined thread leaves the kernel's list a
// moment after pthread_join returns), or what it is after a second.
int thread_count_settled(int want) {
	const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(1);
	int n = thread_count();
	while (n != want && std::chrono::steady_clock::now() < deadline) {
		std::this_thread::sleep_for(std::chrono::milliseconds(5));
		n = thread_count();
	}
	return n;
}

struct Exited : std::runtime_error {
	Exited() : std::runtime_error("the backend exited") {}
};

TEST(StopThreadsAtExit, NothingRegisteredNothingHappens) {
	stop_all_threads();
	int calls = 0;
	auto count = [&calls] { ++calls; };
	{
		const StopThreadsAtExit outer(count);
		{
			const StopThreadsAtExit inner(count);
			stop_all_threads();
			EXPECT_EQ(calls, 2);
		}
		stop_all_threads(); // inner is gone
		EXPECT_EQ(calls, 3);
	}
	stop_all_threads(); // both are gone
	EXPECT_EQ(calls, 3);
}

TEST(StopThreadsAtExit, StopsThePasswordHashWorkers) {
	const int before = thread_count();
	int running = -1, after_stop = -1;
	const CheckInterrupts exit_here = [&] {
		if (running >= 0)
			return;
		running = thread_count();
		stop_all_threads();
		after_stop = thread_count_settled(before);
		throw Exited();
	};
	// 64 hashes of 200,000 iterations on two workers: seconds of work, stopped after the first hash.
	EXPECT_THROW(random_password_hashes(64, 200000, 2, exit_here), Exited);
	EXPECT_EQ(running, before + 2);
	EXPECT_EQ(after_stop, before);
}

TEST(StopThreadsAtExit, StopsTheHashesMadeAhead) {
	const int before = thread_count();
	PasswordHashesAhead ahead(1000, 8);
	EXPECT_EQ(thread_count(), before + 1);
	stop_all_threads();
	EXPECT_EQ(thread_count_settled(before), before);
	// The object still answers, and its destructor finds the thread joined.
	EXPECT_LE(ahead.ready(), 8u);
}

class ExitOnFirstEntry : public EntryConsumer {
public:
	explicit ExitOnFirstEntry(int before) : before_(before) {}
	int running = -1, after_stop = -1;
	void consume(ExportEntry &) override {
		running = thread_count();
		stop_all_threads();
		after_stop = thread_count_settled(before_);
		throw Exited();
	}

private:
	int before_;
};

TEST(StopThreadsAtExit, StopsTheParser) {
	std::string json = "[";
	for (int pk = 1; pk <= 20000; ++pk)
		json += std::string(pk > 1 ? "," : "") + "{\"model\":\"sentry.option\",\"pk\":" + std::to_string(pk) +
		        ",\"fields\":{\"key\":\"k" + std::to_string(pk) + "\",\"value\":\"v\"}}";
	json += "]";
	MemorySource source(json.data(), json.size());
	const int before = thread_count();
	ExitOnFirstEntry consumer(before);
	EXPECT_THROW(read_export_ahead(source, consumer, {}), Exited);
	EXPECT_EQ(consumer.running, before + 1);
	EXPECT_EQ(consumer.after_stop, before);
}

} // namespace
} // namespace relocate

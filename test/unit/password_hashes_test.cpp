// Tests of the replacement password hashes (src/core/password_hashes.cpp): Django's format on the
// calling thread and on worker threads, and a cancel request that stops the workers promptly.
#include "core/password_hashes.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <regex>
#include <set>
#include <stdexcept>
#include <string>
#include <thread>

namespace relocate {
namespace {

bool django_hash(const std::string &h, unsigned iterations) {
	static const std::regex kForm(R"(pbkdf2_sha256\$(\d+)\$[A-Za-z0-9]{22}\$[A-Za-z0-9+/]{43}=)");
	std::smatch m;
	return std::regex_match(h, m, kForm) && m[1] == std::to_string(iterations);
}

TEST(PasswordHashes, FewIterationsOnTheCallingThread) {
	int checks = 0;
	std::vector<std::string> hashes = random_password_hashes(50, 100, 0, [&] { ++checks; });
	ASSERT_EQ(hashes.size(), 50u);
	std::set<std::string> distinct(hashes.begin(), hashes.end());
	EXPECT_EQ(distinct.size(), 50u);
	for (const std::string &h : hashes)
		EXPECT_TRUE(django_hash(h, 100)) << h;
	EXPECT_EQ(checks, 50); // between hashes
}

TEST(PasswordHashes, ManyIterationsOnWorkerThreads) {
	int checks = 0;
	std::vector<std::string> hashes = random_password_hashes(12, 20000, 3, [&] { ++checks; });
	ASSERT_EQ(hashes.size(), 12u);
	std::set<std::string> distinct(hashes.begin(), hashes.end());
	EXPECT_EQ(distinct.size(), 12u);
	for (const std::string &h : hashes)
		EXPECT_TRUE(django_hash(h, 20000)) << h;
	EXPECT_GE(checks, 1); // the calling thread polls while it waits
	EXPECT_TRUE(random_password_hashes(0, 720000, 0, {}).empty());
}

TEST(PasswordHashes, ACancelStopsTheWorkersAfterTheirCurrentHash) {
	// 64 hashes at Django's full count would take tens of seconds; the cancel comes at the first poll.
	const auto start = std::chrono::steady_clock::now();
	int checks = 0;
	EXPECT_THROW(random_password_hashes(64, 720000, 2,
	                                    [&] {
		                                    if (++checks >= 2)
			                                    throw std::runtime_error("cancelled");
	                                    }),
	             std::runtime_error);
	const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
	// One hash per worker at most after the cancel (~0.3 s each here); generous for a loaded machine.
	EXPECT_LT(seconds, 5.0);
}

// Waits (at most 10 s) until `ahead` holds `n` hashes; false if it never does.
bool wait_for_ready(const PasswordHashesAhead &ahead, std::size_t n) {
	for (int i = 0; i < 1000 && ahead.ready() < n; ++i)
		std::this_thread::sleep_for(std::chrono::milliseconds(10));
	return ahead.ready() == n;
}

TEST(PasswordHashesAhead, MakesAtMostItsCapacityAheadAndTheRestOnDemand) {
	PasswordHashesAhead ahead(100, 5);
	ASSERT_TRUE(wait_for_ready(ahead, 5));
	std::this_thread::sleep_for(std::chrono::milliseconds(50));
	EXPECT_EQ(ahead.ready(), 5u); // it stops at its capacity
	int checks = 0;
	std::vector<std::string> hashes = ahead.take(12, [&] { ++checks; });
	ASSERT_EQ(hashes.size(), 12u);
	EXPECT_EQ(checks, 7); // the 7 it did not have were made on the calling thread
	std::set<std::string> distinct(hashes.begin(), hashes.end());
	EXPECT_EQ(distinct.size(), 12u);
	for (const std::string &h : hashes)
		EXPECT_TRUE(django_hash(h, 100)) << h;
	// It makes up what was taken.
	EXPECT_TRUE(wait_for_ready(ahead, 5));
	std::vector<std::string> more = ahead.take(3, {});
	for (const std::string &h : more)
		EXPECT_EQ(distinct.count(h), 0u) << "a hash was handed out twice";
}

TEST(PasswordHashesAhead, WithoutCapacityEveryHashIsMadeOnDemand) {
	PasswordHashesAhead ahead(100, 0);
	EXPECT_EQ(ahead.ready(), 0u);
	std::vector<std::string> hashes = ahead.take(4, {});
	ASSERT_EQ(hashes.size(), 4u);
	for (const std::string &h : hashes)
		EXPECT_TRUE(django_hash(h, 100)) << h;
	EXPECT_EQ(ahead.ready(), 0u);
}

TEST(PasswordHashesAhead, CapacityIsBoundedByWorkAndBatches) {
	EXPECT_EQ(PasswordHashesAhead::capacity_for(100, 1000), 2000u);
	EXPECT_EQ(PasswordHashesAhead::capacity_for(100000, 1000), 20u);
	EXPECT_EQ(PasswordHashesAhead::capacity_for(720000, 1000), 2u);
	EXPECT_EQ(PasswordHashesAhead::capacity_for(2000000, 1000), 1u);
	EXPECT_EQ(PasswordHashesAhead::capacity_for(1, 10), 20u);
}

TEST(PasswordHashesAhead, TheDestructorStopsItAfterItsCurrentHash) {
	const auto start = std::chrono::steady_clock::now();
	{
		PasswordHashesAhead ahead(720000, 64); // ~0.3 s a hash here: 64 would take about 20 s
		std::this_thread::sleep_for(std::chrono::milliseconds(20));
	}
	const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
	EXPECT_LT(seconds, 5.0); // the one hash it was computing; generous for a loaded machine
}

} // namespace
} // namespace relocate

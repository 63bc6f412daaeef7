// Tests of the replacement password hashes (src/core/password_hashes.cpp): Django's format on the
// calling thread and on worker threads, and a cancel request that stops the workers promptly.
#include "core/password_hashes.hpp"

#include <gtest/gtest.h>

#include <chrono>
#include <regex>
#include <set>
#include <stdexcept>
#include <string>

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

} // namespace
} // namespace relocate

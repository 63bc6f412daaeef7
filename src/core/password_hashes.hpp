// The replacement password hashes of new users outside Global scope, many at a time.
//
// Sentry replaces each such user's password with the hash of a fresh random 32-character password
// that nobody ever sees: the user claims the account through its LostPasswordHash and sets a real
// password, which Django hashes with its own count. The secret is ~190 random bits, so key
// stretching adds nothing (it protects guessable human passwords); the hash only has to be a valid
// Django pbkdf2_sha256 hash of an unknown secret. relocate.password_hash_iterations sets the count
// (small by default, docs/password-hashes.md); at Django's full count the hashing is spread over the
// machine's cores, on threads of our own that run OpenSSL only and never call PostgreSQL.
//
// PostgreSQL-free.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <exception>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "core/byte_source.hpp"
#include "core/threads.hpp"

namespace relocate {

// Django pbkdf2_sha256 hashes of `count` fresh random passwords, `iterations` iterations each. When
// the work is small it is done on the calling thread, calling `check` between hashes; otherwise on up
// to `threads` worker threads (0: one per core) that block every signal (the server's signals stay
// with the calling thread), while the calling thread calls `check` at least every 50 ms. If `check`
// throws (a cancel request), the workers stop after the hash each is computing and the exception
// propagates; an error in a worker propagates likewise.
std::vector<std::string> random_password_hashes(std::size_t count, unsigned iterations, unsigned threads,
                                                const CheckInterrupts &check);

// Replacement password hashes made ahead of need: one thread of our own (every signal blocked, OpenSSL
// only) hashes fresh random passwords into a store of at most `capacity` hashes while the import does
// its other work (parsing, row building, writing the users), so that the users' batches find them
// ready. The destructor stops and joins the thread (after the hash it is computing).
class PasswordHashesAhead {
public:
	PasswordHashesAhead(unsigned iterations, std::size_t capacity);
	~PasswordHashesAhead();
	PasswordHashesAhead(const PasswordHashesAhead &) = delete;
	PasswordHashesAhead &operator=(const PasswordHashesAhead &) = delete;

	// `count` hashes: those made ahead, and the rest made now as random_password_hashes makes them.
	// An error of the thread (OpenSSL's) propagates here.
	std::vector<std::string> take(std::size_t count, const CheckInterrupts &check);
	// How many hashes are kept ahead at `iterations` (0: none): about 0.5 s of one core's work at most
	// (2,000,000 iterations), and never more than two batches of users.
	static std::size_t capacity_for(unsigned iterations, std::size_t batch_rows);
	// How many are ready now.
	std::size_t ready() const;

private:
	void run();
	void stop_and_join(); // the destructor's, and the backend's exit's (StopThreadsAtExit)
	struct Stopper {
		PasswordHashesAhead *self;
		void operator()() const { self->stop_and_join(); }
	};

	const unsigned iterations_;
	const std::size_t capacity_;
	mutable std::mutex mutex_;
	std::condition_variable wake_; // a hash was taken, or stop
	std::deque<std::string> ready_;
	std::exception_ptr error_;
	bool stop_ = false;
	std::thread thread_;
	Stopper stopper_{this};
	std::optional<StopThreadsAtExit> at_exit_; // while thread_ may run
};

} // namespace relocate

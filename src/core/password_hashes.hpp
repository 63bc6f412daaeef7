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

#include <cstddef>
#include <string>
#include <vector>

#include "core/byte_source.hpp"

namespace relocate {

// Django pbkdf2_sha256 hashes of `count` fresh random passwords, `iterations` iterations each. When
// the work is small it is done on the calling thread, calling `check` between hashes; otherwise on up
// to `threads` worker threads (0: one per core) that block every signal (the server's signals stay
// with the calling thread), while the calling thread calls `check` at least every 50 ms. If `check`
// throws (a cancel request), the workers stop after the hash each is computing and the exception
// propagates; an error in a worker propagates likewise.
std::vector<std::string> random_password_hashes(std::size_t count, unsigned iterations, unsigned threads,
                                                const CheckInterrupts &check);

} // namespace relocate

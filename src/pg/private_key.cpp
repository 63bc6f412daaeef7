#include "pg/private_key.hpp"

#include <cerrno>
#include <cstring>
#include <string_view>

#include <openssl/crypto.h>

#include "core/error.hpp"
#include "pg/boundary.hpp"

extern "C" {
#include "catalog/pg_authid_d.h"
#include "miscadmin.h"
#include "storage/fd.h"
#include "utils/acl.h"
}

namespace relocate::pg {

SecretWipe::~SecretWipe() {
	OPENSSL_cleanse(secret_.data(), secret_.size());
}

namespace {

constexpr long kMaxKeyFile = 1 << 20;

bool may_read_server_files() {
	bool allowed = false;
	pg_guard([&] { allowed = has_privs_of_role(GetUserId(), ROLE_PG_READ_SERVER_FILES); });
	return allowed;
}

} // namespace

std::string private_key_pem(const char *argument) {
	std::string_view arg(argument);
	std::size_t first = arg.find_first_not_of(" \t\r\n");
	if (first != std::string_view::npos && arg.compare(first, 10, "-----BEGIN") == 0)
		return std::string(arg);
	if (arg.empty() || arg[0] != '/')
		throw ImportError(sqlstate::kInvalidParameterValue,
		                  "relocate: private_key is neither a PEM private key nor an absolute file path", {},
		                  "Pass the key's PEM text (-----BEGIN PRIVATE KEY----- ...) or the absolute path of a PEM "
		                  "file that the database server can read.");
	if (!may_read_server_files())
		throw ImportError("42501",
		                  "relocate: reading the private key from a server file requires the "
		                  "pg_read_server_files role",
		                  {}, "Ask an administrator to GRANT pg_read_server_files, or pass the key's PEM text.");
	char *buffer = nullptr;
	std::size_t size = 0;
	pg_guard([&] {
		FILE *file = AllocateFile(argument, PG_BINARY_R);
		// strerror rather than %m, which ISO C++ printf formats (-Wpedantic) do not know; the SQLSTATE
		// still comes from errno (errcode_for_file_access).
		if (file == nullptr) {
			const int open_errno = errno;
			ereport(ERROR, (errcode_for_file_access(), errmsg("relocate: could not open private key file \"%s\": %s",
			                                                  argument, strerror(open_errno))));
		}
		buffer = static_cast<char *>(palloc(kMaxKeyFile + 1));
		size = fread(buffer, 1, kMaxKeyFile + 1, file);
		bool failed = ferror(file) != 0;
		int read_errno = errno;
		FreeFile(file);
		errno = read_errno;
		if (failed || size > static_cast<std::size_t>(kMaxKeyFile))
			explicit_bzero(buffer, size); // what was read of a key goes before the error is raised
		if (failed)
			ereport(ERROR, (errcode_for_file_access(), errmsg("relocate: could not read private key file \"%s\": %s",
			                                                  argument, strerror(read_errno))));
		if (size > static_cast<std::size_t>(kMaxKeyFile))
			ereport(ERROR, (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			                errmsg("relocate: private key file \"%s\" is larger than 1 MB", argument)));
	});
	const auto wipe = [&] {
		pg_guard([&] {
			explicit_bzero(buffer, size);
			pfree(buffer);
		});
	};
	std::string pem;
	try {
		pem.assign(buffer, size);
	} catch (...) {
		wipe();
		throw;
	}
	wipe();
	return pem;
}

} // namespace relocate::pg

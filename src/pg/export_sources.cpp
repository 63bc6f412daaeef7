#include "pg/export_sources.hpp"

#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>

#include "core/error.hpp"

extern "C" {
#include "catalog/pg_authid_d.h"
#include "access/xact.h"
#include "libpq/be-fsstubs.h"
#include "libpq/libpq-fs.h"
#include "miscadmin.h"
#include "storage/fd.h"
#include "utils/acl.h"
#include "utils/fmgrprotos.h"
#include "utils/snapmgr.h"
}

namespace relocate::pg {

namespace {

bool may_read_server_files() {
	bool allowed = false;
	pg_guard([&] { allowed = has_privs_of_role(GetUserId(), ROLE_PG_READ_SERVER_FILES); });
	return allowed;
}

} // namespace

ServerFile::ServerFile(std::string file_path) : path_(std::move(file_path)) {
	if (path_.empty() || path_[0] != '/')
		throw ImportError(sqlstate::kInvalidParameterValue, "relocate: the export file's path must be absolute", {},
		                  "Give the full path of a file the database server can read.");
	if (!may_read_server_files())
		throw ImportError("42501",
		                  "relocate: reading an export from a server file requires the pg_read_server_files role", {},
		                  "Ask an administrator to GRANT pg_read_server_files, or upload the file as a large "
		                  "object (\\lo_import) and use relocate_import_large_object.");
	const char *path = path_.c_str();
	pg_guard([&] {
		file_ = AllocateFile(path, PG_BINARY_R);
		if (file_ == nullptr) {
			const int open_errno = errno;
			ereport(ERROR, (errcode_for_file_access(),
			                errmsg("relocate: could not open export file \"%s\": %s", path, strerror(open_errno))));
		}
		struct stat st;
		if (fstat(fileno(file_), &st) != 0) {
			const int stat_errno = errno;
			ereport(ERROR, (errcode_for_file_access(),
			                errmsg("relocate: could not stat export file \"%s\": %s", path, strerror(stat_errno))));
		}
		if (S_ISDIR(st.st_mode))
			ereport(ERROR, (errcode(ERRCODE_WRONG_OBJECT_TYPE), errmsg("relocate: \"%s\" is a directory", path),
			                errhint("Give the path of the export file itself.")));
		size_ = static_cast<std::uint64_t>(st.st_size);
	});
}

ServerFile::~ServerFile() {
	// While an error unwinds, no PostgreSQL call: the (sub)transaction's abort, which must come
	// first, closes the file (AllocateFile's files are the transaction's).
	if (file_ == nullptr || std::uncaught_exceptions() > 0)
		return;
	// Never throws: an error here (which transaction abort would clean up anyway) is dropped.
	try {
		pg_guard([&] { FreeFile(file_); });
	} catch (...) {
	}
}

std::size_t ServerFile::read(char *buf, std::size_t n) {
	std::size_t got = 0;
	bool failed = false;
	int read_errno = 0;
	pg_guard([&] {
		got = fread(buf, 1, n, file_);
		failed = ferror(file_) != 0;
		read_errno = errno;
	});
	if (failed)
		pg_guard([&] {
			errno = read_errno;
			ereport(ERROR, (errcode_for_file_access(), errmsg("relocate: could not read export file \"%s\": %s",
			                                                  path_.c_str(), strerror(read_errno))));
		});
	read_ += got;
	if (got == 0)
		check_unchanged();
	return got;
}

void ServerFile::check_unchanged() {
	struct stat st;
	bool stat_ok = false;
	pg_guard([&] { stat_ok = fstat(fileno(file_), &st) == 0; });
	const std::uint64_t now = stat_ok ? static_cast<std::uint64_t>(st.st_size) : read_;
	if (read_ != size_ || now != size_)
		throw ImportError(sqlstate::kObjectNotInPrerequisiteState,
		                  "relocate: export file \"" + path_ + "\" changed while it was read",
		                  "It had " + std::to_string(size_) + " bytes when opened; " + std::to_string(read_) +
		                      " were read, and it has " + std::to_string(now) + " now.",
		                  "Import a file nothing writes to (copy it first), and run the import again.");
}

void ServerFile::rewind() {
	pg_guard([&] {
		if (fseeko(file_, 0, SEEK_SET) != 0) {
			const int seek_errno = errno;
			ereport(ERROR, (errcode_for_file_access(), errmsg("relocate: could not seek in export file \"%s\": %s",
			                                                  path_.c_str(), strerror(seek_errno))));
		}
	});
	read_ = 0;
}

LargeObject::LargeObject(Oid oid) {
	pg_guard([&] {
		// Read with a snapshot taken now, as a new statement would: it sees a large object this
		// transaction has just created (relocate_relocation_create does), which the calling
		// statement's snapshot does not.
		CommandCounterIncrement();
		PushActiveSnapshot(GetTransactionSnapshot());
		fd_ = DatumGetInt32(DirectFunctionCall2(be_lo_open, ObjectIdGetDatum(oid), Int32GetDatum(INV_READ)));
		PopActiveSnapshot();
		size_ = static_cast<std::uint64_t>(DatumGetInt64(
		    DirectFunctionCall3(be_lo_lseek64, Int32GetDatum(fd_), Int64GetDatum(0), Int32GetDatum(SEEK_END))));
		DirectFunctionCall3(be_lo_lseek64, Int32GetDatum(fd_), Int64GetDatum(0), Int32GetDatum(SEEK_SET));
	});
}

LargeObject::~LargeObject() {
	// While an error unwinds, no PostgreSQL call: the (sub)transaction's abort closes it.
	if (fd_ < 0 || std::uncaught_exceptions() > 0)
		return;
	// Never throws; transaction (or subtransaction) end closes it anyway.
	try {
		pg_guard([&] { DirectFunctionCall1(be_lo_close, Int32GetDatum(fd_)); });
	} catch (...) {
	}
}

std::size_t LargeObject::read(char *buf, std::size_t n) {
	int got = 0;
	const int want = static_cast<int>(n > (1u << 30) ? (1u << 30) : n);
	pg_guard([&] { got = lo_read(fd_, buf, want); });
	return got > 0 ? static_cast<std::size_t>(got) : 0;
}

void LargeObject::rewind() {
	pg_guard(
	    [&] { DirectFunctionCall3(be_lo_lseek64, Int32GetDatum(fd_), Int64GetDatum(0), Int32GetDatum(SEEK_SET)); });
}

} // namespace relocate::pg

// The export sources the server reads: a server file (relocate_import_file) and a large object
// (relocate_import_large_object), each read as a stream in chunks, through pg_guard.
#pragma once

#include <cstdint>
#include <string>

#include "core/byte_source.hpp"
#include "pg/boundary.hpp"

namespace relocate::pg {

// A file on the server, by absolute path. Reading one needs what COPY FROM a file needs: superuser
// or pg_read_server_files (42501 otherwise). A missing or unreadable file keeps PostgreSQL's file
// SQLSTATE (58P01, 42501, ...); a directory is 42809; a file that changes size while it is read, 55000.
class ServerFile final : public ByteSource {
public:
	explicit ServerFile(std::string file_path);
	~ServerFile() override;
	ServerFile(const ServerFile &) = delete;
	ServerFile &operator=(const ServerFile &) = delete;

	std::size_t read(char *buf, std::size_t n) override;
	void rewind() override;
	std::uint64_t size_hint() const override { return size_; }

private:
	void check_unchanged();

	std::string path_;
	FILE *file_ = nullptr;
	std::uint64_t size_ = 0; // when opened
	std::uint64_t read_ = 0; // in this pass
};

// A large object, by oid (the client uploads it with \lo_import or lo_from_bytea). Reading one needs
// SELECT on it (PostgreSQL's own check; 42501); a missing one is 42704.
class LargeObject final : public ByteSource {
public:
	explicit LargeObject(Oid oid);
	~LargeObject() override;
	LargeObject(const LargeObject &) = delete;
	LargeObject &operator=(const LargeObject &) = delete;

	std::size_t read(char *buf, std::size_t n) override;
	void rewind() override;
	std::uint64_t size_hint() const override { return size_; }

private:
	int fd_ = -1;
	std::uint64_t size_ = 0;
};

} // namespace relocate::pg

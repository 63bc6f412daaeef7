// Reading archives and compressed streams with libarchive, from a ByteSource, as a stream: an
// encrypted export's tarball (plain, or gzip, bzip2 or xz compressed) and a compressed plain JSON
// export. A gzip stream is decompressed with zlib (core/gunzip.hpp), the others by libarchive's
// filters. libarchive pulls the bytes through a callback; an error of the source (a file that cannot
// be read, a cancel request) is carried across libarchive's C frames and rethrown here.
//
// PostgreSQL-free.
#pragma once

#include <cstddef>
#include <cstdint>
#include <exception>
#include <memory>
#include <string>

#include "core/byte_source.hpp"
#include "core/gunzip.hpp"

struct archive;
struct archive_entry;

namespace relocate {

enum class Compression { kNone, kGzip, kBzip2, kXz, kZstd };

// The compression `p` (the first `n` bytes of a stream) starts with.
Compression compression_of(const unsigned char *p, std::size_t n);
// "gzip", "bzip2", "xz", "zstd", or "" for none.
const char *compression_name(Compression c);

// A member name as it may appear in a message: at most 100 bytes, printable ASCII only (anything
// else as \xNN), quotes and backslashes escaped.
std::string printable_name(const char *name);

class ArchiveReader {
public:
	enum class Format { kTar, kRaw }; // raw: one compressed stream, not an archive

	// Opens `source` (from its start) as a tar archive, or with `allow_raw` also as a compressed
	// stream that is not an archive. `compression` must be what the source starts with. Throws
	// ImportError (22000) when libarchive cannot read it.
	ArchiveReader(ByteSource &source, Compression compression, bool allow_raw, const CheckInterrupts &check);
	~ArchiveReader();
	ArchiveReader(const ArchiveReader &) = delete;
	ArchiveReader &operator=(const ArchiveReader &) = delete;

	// The next entry's header, or nullptr at the end of the archive. Throws for a damaged header.
	archive_entry *next();
	Format format() const;
	// Reads up to `n` bytes of the current entry's data; 0 at its end. Throws for damaged data.
	std::size_t read(char *buf, std::size_t n);
	// Reads the current entry's data whole, refusing more than `limit` bytes (54000, naming the member
	// and `what_it_is`); a member shorter than its header says is truncated (22000).
	std::string read_whole(archive_entry *entry, std::size_t limit, const char *what_it_is);

private:
	static long read_callback(struct archive *a, void *self, const void **buffer);
	[[noreturn]] void fail();

	struct Free {
		void operator()(struct archive *a) const;
	};

	ByteSource &source_;
	std::unique_ptr<GunzipSource> gunzip_; // a gzip stream is decompressed by zlib, which checks its CRC-32
	const CheckInterrupts &check_;
	Compression compression_;
	bool allow_raw_;
	bool header_read_ = false; // whether next() read a header (format() is known)
	// Owned, so that it is freed when the constructor throws too.
	std::unique_ptr<struct archive, Free> owned_;
	struct archive *archive_ = nullptr;
	std::unique_ptr<char[]> buffer_;
	std::exception_ptr source_error_; // what the source threw inside libarchive's callback
};

} // namespace relocate

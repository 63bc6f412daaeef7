#include "core/archive.hpp"

#include <archive.h>
#include <archive_entry.h>

#include <cstdio>
#include <cstring>

#include "core/error.hpp"
#include "core/text.hpp"

namespace relocate {

namespace {

constexpr std::size_t kReadChunk = 64 * 1024;

// The decompression filter the data needs, and only that one: libarchive registers a filter it was
// built without as an external program (ARCHIVE_WARN), which would fork a process in a database
// backend, so that is refused. An uncompressed tar needs no filter.
void support_compression(struct archive *a, Compression c) {
	int r = ARCHIVE_OK;
	switch (c) {
	case Compression::kNone:
		return;
	case Compression::kGzip:
		r = archive_read_support_filter_gzip(a);
		break;
	case Compression::kBzip2:
		r = archive_read_support_filter_bzip2(a);
		break;
	case Compression::kXz:
		r = archive_read_support_filter_xz(a);
		break;
	case Compression::kZstd:
		r = archive_read_support_filter_zstd(a);
		break;
	}
	if (r != ARCHIVE_OK)
		throw ImportError(sqlstate::kFeatureNotSupported,
		                  std::string("relocate: this server's libarchive cannot decompress ") + compression_name(c) +
		                      " by itself",
		                  {}, "Decompress the export first and pass the plain file.");
}

} // namespace

Compression compression_of(const unsigned char *p, std::size_t n) {
	if (n >= 2 && p[0] == 0x1f && p[1] == 0x8b)
		return Compression::kGzip;
	if (n >= 3 && std::memcmp(p, "BZh", 3) == 0)
		return Compression::kBzip2;
	static const unsigned char kXzMagic[6] = {0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00};
	if (n >= 6 && std::memcmp(p, kXzMagic, 6) == 0)
		return Compression::kXz;
	static const unsigned char kZstdMagic[4] = {0x28, 0xb5, 0x2f, 0xfd}; // RFC 8878 §3.1.1
	if (n >= 4 && std::memcmp(p, kZstdMagic, 4) == 0)
		return Compression::kZstd;
	return Compression::kNone;
}

const char *compression_name(Compression c) {
	switch (c) {
	case Compression::kNone:
		return "";
	case Compression::kGzip:
		return "gzip";
	case Compression::kBzip2:
		return "bzip2";
	case Compression::kXz:
		return "xz";
	case Compression::kZstd:
		return "zstd";
	}
	return "";
}

std::string printable_name(const char *name) {
	if (name == nullptr)
		return "<unreadable name>";
	const std::string_view whole(name);
	return escaped_bytes(whole.substr(0, 100)) + (whole.size() > 100 ? "..." : "");
}

ArchiveReader::ArchiveReader(ByteSource &source, Compression compression, bool allow_raw, const CheckInterrupts &check)
    : source_(source), check_(check), compression_(compression), allow_raw_(allow_raw), buffer_(new char[kReadChunk]) {
	source_.rewind();
	owned_.reset(archive_read_new());
	archive_ = owned_.get();
	if (archive_ == nullptr)
		throw ImportError(sqlstate::kInternalError, "relocate: could not allocate a libarchive reader");
	if (compression == Compression::kGzip)
		gunzip_ = std::make_unique<GunzipSource>(source_);
	support_compression(archive_, gunzip_ ? Compression::kNone : compression);
	// Tar formats only (ustar, pax, GNU, v7: Python's tarfile reads them all), and for a compressed
	// plain export the raw "format" (the decompressed stream itself).
	if (archive_read_support_format_tar(archive_) != ARCHIVE_OK ||
	    (allow_raw && archive_read_support_format_raw(archive_) != ARCHIVE_OK))
		throw ImportError(sqlstate::kInternalError, "relocate: libarchive lacks tar support");
	if (archive_read_open(archive_, this, nullptr, &ArchiveReader::read_callback, nullptr) != ARCHIVE_OK)
		fail();
}

ArchiveReader::~ArchiveReader() = default;

void ArchiveReader::Free::operator()(struct archive *a) const {
	archive_read_free(a);
}

long ArchiveReader::read_callback(struct archive *, void *self, const void **buffer) {
	auto *reader = static_cast<ArchiveReader *>(self);
	// No exception may cross libarchive's C frames: keep it, report an error, rethrow in fail().
	try {
		if (reader->check_)
			reader->check_();
		ByteSource &input = reader->gunzip_ ? *reader->gunzip_ : reader->source_;
		const std::size_t n = input.read(reader->buffer_.get(), kReadChunk);
		*buffer = reader->buffer_.get();
		return static_cast<long>(n);
	} catch (...) {
		reader->source_error_ = std::current_exception();
		archive_set_error(reinterpret_cast<struct archive *>(reader->archive_), EIO, "the export could not be read");
		return -1;
	}
}

// libarchive's own reason ("Truncated tar archive", "truncated gzip input", "Unrecognized archive
// format", ...) becomes the DETAIL; it names no member content. The message says "truncated" when
// the reason does: libarchive's tar reader and its gzip/bzip2 filters say so, and liblzma's "No
// progress is possible" (LZMA_BUF_ERROR) means the same thing when the input has ended.
//
// A compressed stream is an encrypted export's tarball or a compressed plain export: until the
// first header says which (or when it says raw), the error is about the compressed export, not a
// tarball.
//
// zlib's reason for a gzip stream (GunzipSource's GzipError: "incorrect data check" for a wrong
// CRC-32, ...) is named the same way; any other error of the source is rethrown as it is.
void ArchiveReader::fail() {
	std::string detail;
	bool truncated = false;
	if (source_error_) {
		try {
			std::rethrow_exception(source_error_);
		} catch (const GzipError &e) {
			detail = e.what();
			truncated = e.truncated();
		}
	} else {
		const char *reason = archive_error_string(archive_);
		detail = reason != nullptr ? reason : "libarchive gave no reason";
		const std::string lower = ascii_lower(detail);
		truncated =
		    lower.find("truncated") != std::string::npos || lower.find("no progress is possible") != std::string::npos;
	}
	if (allow_raw_ && compression_ != Compression::kNone && (!header_read_ || format() == Format::kRaw)) {
		const std::string what = std::string("relocate: the ") + compression_name(compression_) + "-compressed export";
		if (truncated)
			throw ImportError(sqlstate::kDataException, what + " is truncated", detail,
			                  "The file ends early (cut short in transfer or storage); use the complete file.");
		throw ImportError(sqlstate::kDataException, what + " cannot be decompressed: its data is damaged", detail,
		                  "The file was damaged in transfer or storage; copy or export it again.");
	}
	if (truncated)
		throw ImportError(sqlstate::kDataException, "relocate: the encrypted export is truncated", detail,
		                  "The file ends early (cut short in transfer or storage); use the complete file.");
	throw ImportError(sqlstate::kDataException, "relocate: the encrypted export is not a readable tar archive", detail,
	                  "An encrypted Sentry export is a tar (optionally gzip, bzip2 or xz compressed) of export.json, "
	                  "data.key and key.pub.");
}

archive_entry *ArchiveReader::next() {
	archive_entry *entry = nullptr;
	const int r = archive_read_next_header(archive_, &entry);
	if (r == ARCHIVE_EOF)
		return nullptr;
	// Only ARCHIVE_OK goes on. ARCHIVE_FATAL is a truncated or unreadable header, ARCHIVE_RETRY a
	// damaged one (bad checksum). ARCHIVE_WARN is an error too: libarchive returns it for an entry it
	// could only partly interpret (a name it cannot convert, too many nested special headers, a
	// malformed sparse map or ACL), so the entry's name or data may be wrong; an export Sentry writes
	// never draws one. (Truncation itself is always ARCHIVE_FATAL in libarchive 3.6.)
	if (r != ARCHIVE_OK)
		fail();
	header_read_ = true;
	return entry;
}

ArchiveReader::Format ArchiveReader::format() const {
	return archive_format(archive_) == ARCHIVE_FORMAT_RAW ? Format::kRaw : Format::kTar;
}

std::size_t ArchiveReader::read(char *buf, std::size_t n) {
	const la_ssize_t got = archive_read_data(archive_, buf, n);
	if (got < 0)
		fail();
	return static_cast<std::size_t>(got);
}

std::string ArchiveReader::read_whole(archive_entry *entry, std::size_t limit, const char *what_it_is) {
	std::string out;
	const bool size_known = archive_entry_size_is_set(entry) != 0;
	const la_int64_t expected = archive_entry_size(entry);
	// The header's size is untrusted: reserve no more than the limit.
	if (size_known && expected > 0)
		out.reserve(static_cast<std::size_t>(std::min<std::uint64_t>(static_cast<std::uint64_t>(expected), limit)));
	char buf[16384];
	for (;;) {
		const std::size_t n = read(buf, sizeof buf);
		if (n == 0)
			break;
		if (out.size() + n > limit)
			throw ImportError(sqlstate::kProgramLimitExceeded,
			                  "relocate: member \"" + printable_name(archive_entry_pathname(entry)) +
			                      "\" of the encrypted export is larger than " + what_it_is,
			                  "A compressed archive can expand without bound; relocate stops reading here.");
		out.append(buf, n);
	}
	// A second guard: libarchive reports a short member itself (ARCHIVE_FATAL, "Truncated tar archive").
	if (size_known && (expected < 0 || out.size() != static_cast<std::uint64_t>(expected)))
		throw ImportError(sqlstate::kDataException, "relocate: the encrypted export is truncated",
		                  "Member \"" + printable_name(archive_entry_pathname(entry)) + "\" holds " +
		                      std::to_string(out.size()) + " bytes; its header announces " + std::to_string(expected) +
		                      ".");
	return out;
}

} // namespace relocate

#include "core/gunzip.hpp"

#include <zlib.h>

#include <climits>
#include <cstring>
#include <new>

namespace relocate {

namespace {

constexpr std::size_t kInputChunk = 64 * 1024;
constexpr int kGzipOnly = 15 + 16; // inflateInit2: a 32 KiB window, a gzip header and trailer

} // namespace

struct GunzipSource::Stream {
	z_stream z{};
	bool open = false;
};

GunzipSource::GunzipSource(ByteSource &compressed)
    : compressed_(compressed), z_(std::make_unique<Stream>()), input_(new unsigned char[kInputChunk]) {
	if (inflateInit2(&z_->z, kGzipOnly) != Z_OK)
		throw std::bad_alloc();
	z_->open = true;
	rewind();
}

GunzipSource::~GunzipSource() {
	if (z_->open)
		inflateEnd(&z_->z);
}

void GunzipSource::rewind() {
	compressed_.rewind();
	inflateReset(&z_->z);
	z_->z.next_in = input_.get();
	z_->z.avail_in = 0;
	input_ended_ = false;
	ended_ = false;
}

// More compressed bytes after those not consumed yet (moved to the buffer's start).
void GunzipSource::refill() {
	z_stream &z = z_->z;
	if (z.avail_in > 0 && z.next_in != input_.get())
		std::memmove(input_.get(), z.next_in, z.avail_in);
	const std::size_t got =
	    compressed_.read(reinterpret_cast<char *>(input_.get()) + z.avail_in, kInputChunk - z.avail_in);
	if (got == 0)
		input_ended_ = true;
	z.next_in = input_.get();
	z.avail_in += static_cast<uInt>(got);
}

// After a member's end (zlib has checked its CRC-32 and length): true if another member follows,
// false at the end of the stream; other bytes after the member are an error, as gzip -t says.
bool GunzipSource::next_member() {
	z_stream &z = z_->z;
	while (z.avail_in < 2 && !input_ended_)
		refill();
	if (z.avail_in == 0)
		return false;
	if (z.avail_in < 2 || z.next_in[0] != 0x1f || z.next_in[1] != 0x8b)
		throw GzipError("trailing data after the end of the gzip stream", false);
	inflateReset(&z);
	return true;
}

std::size_t GunzipSource::read(char *buf, std::size_t n) {
	z_stream &z = z_->z;
	if (ended_ || n == 0)
		return 0;
	z.next_out = reinterpret_cast<unsigned char *>(buf);
	z.avail_out = static_cast<uInt>(n < UINT_MAX ? n : UINT_MAX);
	const uInt asked = z.avail_out;
	while (z.avail_out > 0) {
		if (z.avail_in == 0 && !input_ended_)
			refill();
		if (z.avail_in == 0 && input_ended_)
			throw GzipError("unexpected end of file: the gzip stream is truncated", true);
		const int r = inflate(&z, Z_NO_FLUSH);
		if (r == Z_STREAM_END) {
			if (!next_member()) {
				ended_ = true;
				break;
			}
			continue;
		}
		if (r == Z_BUF_ERROR && z.avail_in == 0)
			continue; // more input needed
		if (r != Z_OK)
			throw GzipError(z.msg != nullptr ? z.msg : "zlib could not decompress it", false);
	}
	return asked - z.avail_out;
}

} // namespace relocate

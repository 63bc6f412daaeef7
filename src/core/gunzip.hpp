// A gzip-compressed stream decompressed with zlib, as a ByteSource: every member of the stream
// (RFC 1952: gzip -c a b > ab writes two, and gunzip reads both), each checked against its
// trailer's CRC-32 and length. libarchive's gzip filter does not check the trailer, so a damaged
// byte went unnoticed; ArchiveReader reads a gzip stream through this source instead.
//
// PostgreSQL-free.
#pragma once

#include <cstddef>
#include <memory>
#include <stdexcept>
#include <string>

#include "core/byte_source.hpp"

namespace relocate {

// What GunzipSource throws for a stream that is not valid gzip: zlib's reason, and whether the
// stream ends inside a member. ArchiveReader names it for what the stream holds.
class GzipError : public std::runtime_error {
public:
	GzipError(const std::string &reason, bool truncated) : std::runtime_error(reason), truncated_(truncated) {}
	bool truncated() const { return truncated_; }

private:
	bool truncated_;
};

class GunzipSource final : public ByteSource {
public:
	// `compressed` must start with a gzip member; it is read from its start.
	explicit GunzipSource(ByteSource &compressed);
	~GunzipSource() override;
	GunzipSource(const GunzipSource &) = delete;
	GunzipSource &operator=(const GunzipSource &) = delete;

	// Throws GzipError for damaged data, a wrong CRC-32 or length, data after the last member that
	// is not another member, or a stream that ends inside a member.
	std::size_t read(char *buf, std::size_t n) override;
	void rewind() override;

private:
	struct Stream;
	void refill();
	bool next_member();

	ByteSource &compressed_;
	std::unique_ptr<Stream> z_;
	std::unique_ptr<unsigned char[]> input_;
	bool input_ended_ = false;
	bool ended_ = false; // the last member was read whole
};

} // namespace relocate

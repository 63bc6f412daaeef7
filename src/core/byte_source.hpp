// Where an export's bytes come from: memory (a bytea or text argument), a server file, a large
// object, or another source decompressed or decrypted on the fly. The engine reads every source as
// a stream, in chunks, and may read it more than once (the filters' pre-pass, then the import), so
// memory does not grow with the file.
//
// PostgreSQL-free: the PostgreSQL sources live in src/pg.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>

namespace relocate {

// Lets a long loop of the core be cancelled: called at least every few hundred milliseconds of
// work; it throws (the server's cancel or timeout, as a C++ exception) to stop the import.
using CheckInterrupts = std::function<void()>;

class ByteSource {
public:
	virtual ~ByteSource() = default;
	// Reads up to `n` bytes into `buf`; returns 0 at the end (and only there). Throws on an error.
	virtual std::size_t read(char *buf, std::size_t n) = 0;
	// Starts again at the first byte, for another pass.
	virtual void rewind() = 0;
	// The size in bytes, when known before reading (for progress); 0 if not.
	virtual std::uint64_t size_hint() const { return 0; }
};

// Bytes in memory (not copied: they must outlive the source).
class MemorySource final : public ByteSource {
public:
	MemorySource(const char *data, std::size_t length) : data_(data), length_(length) {}
	std::size_t read(char *buf, std::size_t n) override {
		const std::size_t take = n < length_ - at_ ? n : length_ - at_;
		if (take > 0)
			std::memcpy(buf, data_ + at_, take);
		at_ += take;
		return take;
	}
	void rewind() override { at_ = 0; }
	std::uint64_t size_hint() const override { return length_; }

private:
	const char *data_;
	std::size_t length_;
	std::size_t at_ = 0;
};

// Another source, counting what is read of it in the current pass (the export is read more than
// once: format detection, the filters' pre-pass, the HMAC pass of an encrypted export, the
// import), for progress reports.
class CountingSource final : public ByteSource {
public:
	explicit CountingSource(ByteSource &inner) : inner_(inner) {}
	std::size_t read(char *buf, std::size_t n) override {
		const std::size_t got = inner_.read(buf, n);
		bytes_ += got;
		return got;
	}
	void rewind() override {
		inner_.rewind();
		bytes_ = 0;
	}
	std::uint64_t size_hint() const override { return inner_.size_hint(); }
	std::uint64_t bytes() const { return bytes_; }

private:
	ByteSource &inner_;
	std::uint64_t bytes_ = 0;
};

} // namespace relocate

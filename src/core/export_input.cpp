#include "core/export_input.hpp"

#include <string>

#include "core/archive.hpp"
#include "core/decrypt.hpp"
#include "core/error.hpp"

namespace relocate {

namespace {

// A compressed JSON export, decompressed as it is read (libarchive's raw format).
class DecompressedSource final : public ByteSource {
public:
	DecompressedSource(ByteSource &raw, Compression compression, const CheckInterrupts &check)
	    : raw_(raw), compression_(compression), check_(check) {
		rewind();
	}
	std::size_t read(char *buf, std::size_t n) override { return reader_->read(buf, n); }
	void rewind() override {
		reader_.reset();
		reader_ = std::make_unique<ArchiveReader>(raw_, compression_, true, check_);
		if (reader_->next() == nullptr)
			throw ImportError(sqlstate::kDataException, std::string("relocate: the ") + compression_name(compression_) +
			                                                "-compressed export holds no data");
	}

private:
	ByteSource &raw_;
	Compression compression_;
	const CheckInterrupts &check_;
	std::unique_ptr<ArchiveReader> reader_;
};

// The first bytes of `raw` (up to sizeof head), and `raw` rewound.
std::size_t read_head(ByteSource &raw, unsigned char *head, std::size_t size) {
	raw.rewind();
	std::size_t n = 0;
	for (std::size_t got; n < size && (got = raw.read(reinterpret_cast<char *>(head) + n, size - n)) > 0;)
		n += got;
	raw.rewind();
	return n;
}

} // namespace

const char *export_format_name(ExportFormat f) {
	switch (f) {
	case ExportFormat::kJson:
		return "plain JSON";
	case ExportFormat::kCompressedJson:
		return "compressed JSON";
	case ExportFormat::kEncrypted:
		return "encrypted (a tarball)";
	}
	return "";
}

ExportFormat detect_export_format(ByteSource &raw, const CheckInterrupts &check) {
	unsigned char head[512];
	const std::size_t n = read_head(raw, head, sizeof head);
	const Compression compression = compression_of(head, n);
	if (compression != Compression::kNone) {
		// Compressed: a tarball (an encrypted export) or a plain JSON export; libarchive tells.
		ArchiveReader probe(raw, compression, true, check);
		const bool is_tar = probe.next() != nullptr && probe.format() == ArchiveReader::Format::kTar;
		raw.rewind();
		return is_tar ? ExportFormat::kEncrypted : ExportFormat::kCompressedJson;
	}
	return looks_like_tarball(reinterpret_cast<const char *>(head), n) ? ExportFormat::kEncrypted : ExportFormat::kJson;
}

ExportInput::ExportInput(ByteSource &raw, const std::string_view *private_key_pem, const CheckInterrupts &check)
    : raw_(raw), format_(detect_export_format(raw, check)) {
	unsigned char head[8];
	const Compression compression = compression_of(head, read_head(raw, head, sizeof head));
	switch (format_) {
	case ExportFormat::kJson:
		break;
	case ExportFormat::kCompressedJson:
		json_ = std::make_unique<DecompressedSource>(raw, compression, check);
		break;
	case ExportFormat::kEncrypted:
		if (private_key_pem == nullptr)
			throw ImportError("22004", "relocate: the export is encrypted (a tarball), but no private_key was given",
			                  {}, "Pass the private key matching the key.pub the export was encrypted with.");
		json_ = open_encrypted_export(raw, *private_key_pem, check);
		break;
	}
}

ExportInput::~ExportInput() = default;

} // namespace relocate

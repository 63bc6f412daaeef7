#include "core/export_input.hpp"

#include <cstdio>
#include <cstring>
#include <string>

#include "core/archive.hpp"
#include "core/decrypt.hpp"
#include "core/error.hpp"
#include "core/text.hpp"

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

// A compressed stream that is not a tarball was taken for a compressed JSON export: check that it
// starts like JSON (after a byte order mark and whitespace), so that, say, a zip file or a SQL dump
// that was gzipped is named for what it is rather than reported as malformed JSON at byte 0.
void require_json_inside(ByteSource &json, Compression compression) {
	unsigned char head[16];
	const std::size_t n = read_head(json, head, sizeof head);
	std::size_t i = n >= 3 && head[0] == 0xef && head[1] == 0xbb && head[2] == 0xbf ? 3 : 0;
	while (i < n && (head[i] == ' ' || head[i] == '\t' || head[i] == '\n' || head[i] == '\r'))
		++i;
	if (i == n || (head[i] != 0 && std::strchr("[{\"-0123456789tfn", head[i]) != nullptr))
		return; // JSON (or empty, or blank so far): the reader says what is wrong with it, if anything
	const std::string name = compression_name(compression);
	const Compression inner = compression_of(head, n);
	const std::string what = inner != Compression::kNone ? std::string("another ") + compression_name(inner) +
	                                                           "-compressed stream (compressed twice?)"
	                                                     : "neither a JSON export nor a tarball";
	throw ImportError(sqlstate::kInvalidTextRepresentation,
	                  "relocate: the export is " + name + "-compressed, and what it holds is " + what +
	                      ": it starts with \"" +
	                      escaped_bytes(std::string_view(reinterpret_cast<const char *>(head), n)) + "\"",
	                  {},
	                  "A compressed export holds a JSON export (an array of model entries) or an encrypted export's "
	                  "tarball. Decompress the file and check what it is.");
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
		require_json_inside(*json_, compression);
		break;
	case ExportFormat::kEncrypted:
		if (private_key_pem == nullptr)
			throw ImportError(sqlstate::kNullValueNotAllowed,
			                  "relocate: the export is encrypted (a tarball), but no private_key was given", {},
			                  "Pass the private key matching the key.pub the export was encrypted with.");
		json_ = open_encrypted_export(raw, *private_key_pem, check);
		break;
	}
}

ExportInput::~ExportInput() = default;

} // namespace relocate

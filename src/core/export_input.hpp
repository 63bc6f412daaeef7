// An export source as the engine reads it: plain JSON as it is; a gzip, bzip2 or xz compressed JSON
// export decompressed on the fly; an encrypted export (a tarball, plain or compressed) decrypted on
// the fly with the private key. Every form is read as a stream, any number of times.
//
// PostgreSQL-free.
#pragma once

#include <memory>
#include <string_view>

#include "core/byte_source.hpp"

namespace relocate {

enum class ExportFormat {
	kJson,           // a plain JSON export
	kCompressedJson, // a gzip, bzip2 or xz compressed JSON export
	kEncrypted,      // Sentry's encrypted export: a tar (possibly compressed) of export.json, data.key, key.pub
};
const char *export_format_name(ExportFormat f); // "plain JSON", "gzip-compressed JSON", "encrypted (a tarball)"

// What `raw` holds, from its first bytes (a compressed stream is opened to see whether it holds a
// tarball). `raw` is left at its start.
ExportFormat detect_export_format(ByteSource &raw, const CheckInterrupts &check);

// The export `raw` holds, ready to be read as JSON. `raw` must outlive it; `private_key_pem` (null
// for none) is needed for an encrypted export: without it, ImportError 22004. `check` is called
// between chunks.
class ExportInput {
public:
	ExportInput(ByteSource &raw, const std::string_view *private_key_pem, const CheckInterrupts &check);
	~ExportInput();
	ExportInput(const ExportInput &) = delete;
	ExportInput &operator=(const ExportInput &) = delete;

	ExportFormat format() const { return format_; }
	// The JSON export, as a stream.
	ByteSource &json() { return json_ != nullptr ? *json_ : raw_; }

private:
	ByteSource &raw_;
	ExportFormat format_ = ExportFormat::kJson;
	std::unique_ptr<ByteSource> json_; // when `raw` is not itself the JSON
};

} // namespace relocate

// Encrypted Sentry exports: `sentry export ... --encrypt-with key.pub` writes a tar (possibly
// compressed: gzip, bzip2 or xz, which Sentry's reader also accepts) of exactly three members:
//   export.json  a Fernet token of the export JSON (urlsafe base64 text)
//   data.key     the 44-character Fernet key, wrapped with RSA-OAEP (SHA-256, MGF1-SHA-256, no label)
//   key.pub      the SubjectPublicKeyInfo PEM of the key that wrapped it
// (docs/sentry/encryption-and-relocation.md §A). Decryption follows Sentry's
// LocalFileDecryptor: the private key's public half must equal key.pub byte for byte, then the
// Fernet key is unwrapped and the token verified (HMAC-SHA256, constant time) before AES-128-CBC.
//
// libarchive reads the container, OpenSSL's EVP API does base64 and the cryptography; everything
// stays in memory: nothing is written to disk, and no error message carries key material or
// plaintext.
//
// PostgreSQL-free.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "core/byte_source.hpp"

namespace relocate {

// True if `data` starts like a tar archive or a gzip/bzip2/xz stream (what an encrypted export
// is), false for anything else (a plain JSON export starts with '[' or whitespace).
bool looks_like_tarball(const char *data, std::size_t length);

// The three members of an encrypted export.
struct EncryptedExport {
	std::string export_token; // export.json
	std::string data_key;     // data.key
	std::string key_pub;      // key.pub
};

// Reads the tarball. Throws ImportError (SQLSTATE 22000 unless noted) for: empty input; an archive
// libarchive cannot read or that is truncated (any libarchive warning counts as an error); a
// regular-file member with any other name (including "./export.json", as Sentry rejects it); a
// missing member; a member that decompresses to more than 1 GB (54000); a compression this
// libarchive cannot undo in-process (0A000). Non-regular entries (directories, links) are skipped
// and a repeated name keeps the later member, as in Sentry.
EncryptedExport unwrap_tarball(const char *data, std::size_t length);

// Decrypts export.json with a PEM private key (PKCS#8 or traditional RSA, unencrypted) and
// returns the plaintext export JSON. Throws ImportError with its own message for each failure:
// a key that is not PEM or cannot be parsed (22023), a passphrase-protected key (22023), a key
// that is not RSA (22023), a private key whose public half differs from key.pub (22023), data.key
// that RSA-OAEP cannot unwrap (22000), a Fernet key that is not 32 bytes (22000), a token that is
// not padded urlsafe base64 (22P02), a token too short to be one (22000), a wrong version byte
// (22000), an HMAC mismatch (22000), a ciphertext that is not whole AES blocks (22000), bad PKCS#7
// padding (22000); a failure inside OpenSSL itself is XX000. Base64 is decoded exactly as Python's
// lenient decoder does (Sentry's): both alphabets, characters outside them skipped, '=' padding
// required, input after the completing '=' ignored. The OpenSSL error queue is left empty.
std::string decrypt_export(const EncryptedExport &encrypted, std::string_view private_key_pem);

// The plaintext export of the encrypted export `tarball` holds (a tar, possibly gzip, bzip2 or xz compressed),
// as a stream that never holds the export in memory. Opening it reads the tarball once for its keys (data.key and
// key.pub, at most 64 KiB each), checks the key and unwraps the data key (the errors of decrypt_export), and reads
// export.json once to verify its HMAC; each pass of the returned source (read, then rewind) decrypts it again.
// `tarball` must outlive the result; `check` is called between chunks.
std::unique_ptr<ByteSource> open_encrypted_export(ByteSource &tarball, std::string_view private_key_pem,
                                                  const CheckInterrupts &check);

// Fernet decryption alone (exposed for tests): `key` is the 44-character urlsafe-base64 key. Throws
// the token and key errors decrypt_export does.
std::string fernet_decrypt(std::string_view token, std::string_view key);

} // namespace relocate

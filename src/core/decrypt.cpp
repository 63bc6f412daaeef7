// Encrypted Sentry exports (decrypt.hpp): the tarball is read with libarchive, the key checks, RSA-OAEP, base64,
// HMAC-SHA256 and AES-128-CBC are OpenSSL 3's EVP API. Section numbers (§A.n) refer to
// docs/sentry/encryption-and-relocation.md.
//
// Three rules hold on every path, including every throw:
//   - the OpenSSL error queue is left empty (it is thread-local and shared with PostgreSQL's own SSL code, which
//     would otherwise report our leftovers as its own errors): every entry point holds a ClearOpenSslErrors;
//   - key material (the unwrapped data key, the decoded Fernet key) lives in SecretBuffers, wiped when released;
//   - no error message, detail or hint carries key material, token bytes or plaintext: only names and lengths.

// The deprecated OpenSSL API (RSA_*, HMAC_CTX, ...) is not even declared here.
#define OPENSSL_NO_DEPRECATED

#include "core/decrypt.hpp"

#include <archive.h>
#include <archive_entry.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <algorithm>
#include <cctype>
#include <climits>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <memory>
#include <vector>

#include "core/error.hpp"
#include "core/text.hpp"

namespace relocate {
namespace {

// --- Resources ----------------------------------------------------------------------------------

struct ArchiveReadFree {
	void operator()(archive *a) const { archive_read_free(a); }
};
struct BioFree {
	void operator()(BIO *b) const { BIO_free_all(b); }
};
struct PkeyFree {
	void operator()(EVP_PKEY *k) const { EVP_PKEY_free(k); }
};
struct PkeyCtxFree {
	void operator()(EVP_PKEY_CTX *c) const { EVP_PKEY_CTX_free(c); }
};
struct CipherCtxFree {
	void operator()(EVP_CIPHER_CTX *c) const { EVP_CIPHER_CTX_free(c); }
};
using ArchivePtr = std::unique_ptr<archive, ArchiveReadFree>;
using BioPtr = std::unique_ptr<BIO, BioFree>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree>;
using CipherCtxPtr = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree>;

// Empties OpenSSL's thread-local error queue when the entry point returns or throws.
struct ClearOpenSslErrors {
	ClearOpenSslErrors() = default;
	ClearOpenSslErrors(const ClearOpenSslErrors &) = delete;
	ClearOpenSslErrors &operator=(const ClearOpenSslErrors &) = delete;
	~ClearOpenSslErrors() { ERR_clear_error(); }
};

// A buffer for key material: allocated once at its largest size (so no copy is left behind by a reallocation)
// and wiped with OPENSSL_cleanse when destroyed. size() is the used part, at most the capacity.
class SecretBuffer {
public:
	explicit SecretBuffer(std::size_t capacity) : bytes_(capacity), size_(capacity) {}
	SecretBuffer(const SecretBuffer &) = delete;
	SecretBuffer &operator=(const SecretBuffer &) = delete;
	~SecretBuffer() {
		if (!bytes_.empty())
			OPENSSL_cleanse(bytes_.data(), bytes_.size());
	}

	unsigned char *data() { return bytes_.data(); }
	const unsigned char *data() const { return bytes_.data(); }
	std::size_t size() const { return size_; }
	std::size_t capacity() const { return bytes_.size(); }
	void set_size(std::size_t n) { size_ = std::min(n, bytes_.size()); }
	std::string_view view() const { return {reinterpret_cast<const char *>(bytes_.data()), size_}; }

private:
	std::vector<unsigned char> bytes_;
	std::size_t size_;
};

// An error that is our fault or the library's, not the user's; OpenSSL's reason (never key material) as detail.
[[noreturn]] void throw_internal(const std::string &what) {
	unsigned long e = ERR_peek_last_error();
	std::string detail;
	if (e != 0) {
		char buf[256];
		ERR_error_string_n(e, buf, sizeof buf);
		detail = std::string("OpenSSL: ") + buf;
	}
	throw ImportError(sqlstate::kInternalError, "relocate: " + what, detail);
}

// --- Container detection (looks_like_tarball, §A.1) ----------------------------------------------

enum class Compression { kNone, kGzip, kBzip2, kXz };

Compression compression_of(const unsigned char *p, std::size_t n) {
	if (n >= 2 && p[0] == 0x1f && p[1] == 0x8b)
		return Compression::kGzip;
	if (n >= 3 && std::memcmp(p, "BZh", 3) == 0)
		return Compression::kBzip2;
	static const unsigned char kXzMagic[6] = {0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00};
	if (n >= 6 && std::memcmp(p, kXzMagic, 6) == 0)
		return Compression::kXz;
	return Compression::kNone;
}

// --- Tar reading (unwrap_tarball, §A.1) ----------------------------------------------------------

// A member name as it may appear in a message: at most 100 bytes, printable ASCII only (anything else as \xNN),
// quotes and backslashes escaped, so that the message stays valid text whatever the archive holds.
std::string printable_name(const char *name) {
	if (name == nullptr)
		return "<unreadable name>";
	std::string out;
	std::size_t n = 0;
	for (const char *p = name; *p != '\0'; ++p, ++n) {
		if (n == 100) {
			out += "...";
			break;
		}
		unsigned char c = static_cast<unsigned char>(*p);
		if (c == '"' || c == '\\') {
			out += '\\';
			out += static_cast<char>(c);
		} else if (c < 0x20 || c >= 0x7f) {
			char hex[5];
			std::snprintf(hex, sizeof hex, "\\x%02x", c);
			out += hex;
		} else {
			out += static_cast<char>(c);
		}
	}
	return out;
}

// libarchive's own reason ("Truncated tar archive", "truncated gzip input", "Unrecognized archive format", ...)
// becomes the DETAIL; it names no member content. The message says "truncated" when the reason does: libarchive's
// tar reader and its gzip/bzip2 filters say so, and liblzma's "No progress is possible" (LZMA_BUF_ERROR) means the
// same thing here, where the whole input is in memory.
[[noreturn]] void throw_archive_error(archive *a) {
	const char *reason = archive_error_string(a);
	std::string detail = reason != nullptr ? reason : "libarchive gave no reason";
	const std::string lower = ascii_lower(detail);
	if (lower.find("truncated") != std::string::npos || lower.find("no progress is possible") != std::string::npos)
		throw ImportError(sqlstate::kDataException, "relocate: the encrypted export is truncated", detail,
		                  "The file ends early (cut short in transfer or storage); use the complete file.");
	throw ImportError(sqlstate::kDataException, "relocate: the encrypted export is not a readable tar archive", detail,
	                  "An encrypted Sentry export is a tar (optionally gzip, bzip2 or xz compressed) of export.json, "
	                  "data.key and key.pub.");
}

// The decompression filter the data needs, and only that one: libarchive registers a filter it was built without
// as an external program (ARCHIVE_WARN), which would fork a process in a database backend, so that is refused.
// An uncompressed tar needs no filter.
void support_compression(archive *a, Compression c) {
	int r = ARCHIVE_OK;
	const char *name = nullptr;
	switch (c) {
	case Compression::kNone:
		return;
	case Compression::kGzip:
		r = archive_read_support_filter_gzip(a);
		name = "gzip";
		break;
	case Compression::kBzip2:
		r = archive_read_support_filter_bzip2(a);
		name = "bzip2";
		break;
	case Compression::kXz:
		r = archive_read_support_filter_xz(a);
		name = "xz";
		break;
	}
	if (r != ARCHIVE_OK)
		throw ImportError(sqlstate::kFeatureNotSupported,
		                  std::string("relocate: this server's libarchive cannot decompress ") + name + " by itself",
		                  {}, "Decompress the export first and pass the plain tar archive.");
}

// No member may decompress to more than PostgreSQL's own limit for a value (a gzip bomb would otherwise exhaust the
// backend's memory).
constexpr std::size_t kMaxMemberSize = std::size_t{1} << 30;

// Reads the current member's data whole. Every libarchive return is checked: a negative one (ARCHIVE_WARN included)
// is an error, and a member that yields fewer bytes than its header announced is truncated.
std::string read_member(archive *a, archive_entry *entry, std::size_t archive_length) {
	std::string out;
	const bool size_known = archive_entry_size_is_set(entry) != 0;
	const la_int64_t expected = archive_entry_size(entry);
	// The header's size is untrusted: reserve no more than the input's length.
	if (size_known && expected > 0)
		out.reserve(std::min(static_cast<std::uint64_t>(expected), static_cast<std::uint64_t>(archive_length)));
	char buf[16384];
	for (;;) {
		la_ssize_t n = archive_read_data(a, buf, sizeof buf);
		if (n == 0)
			break;
		if (n < 0)
			throw_archive_error(a);
		if (out.size() + static_cast<std::size_t>(n) > kMaxMemberSize)
			throw ImportError(sqlstate::kProgramLimitExceeded,
			                  "relocate: member \"" + printable_name(archive_entry_pathname(entry)) +
			                      "\" of the encrypted export is larger than 1 GB",
			                  "PostgreSQL values are limited to 1 GB, and a compressed archive can expand without "
			                  "bound; relocate stops reading here.");
		out.append(buf, static_cast<std::size_t>(n));
	}
	// A second guard: libarchive reports a short member itself (ARCHIVE_FATAL, "Truncated tar archive").
	if (size_known && (expected < 0 || out.size() != static_cast<std::uint64_t>(expected)))
		throw ImportError(sqlstate::kDataException, "relocate: the encrypted export is truncated",
		                  "Member \"" + printable_name(archive_entry_pathname(entry)) + "\" holds " +
		                      std::to_string(out.size()) + " bytes; its header announces " + std::to_string(expected) +
		                      ".");
	return out;
}

const char *const kMemberNames[3] = {"export.json", "data.key", "key.pub"};

// --- Base64 (§A.4 rule 1, §A.2) ------------------------------------------------------------------

bool is_base64_char(unsigned char c) {
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
}

struct Base64Result {
	bool ok = false;
	std::size_t data_chars = 0; // alphabet characters read (for the error detail)
};

// Decodes url-safe or standard base64 exactly as Python's base64.urlsafe_b64decode (binascii.a2b_base64,
// non-strict), which Sentry's Fernet uses:
//   - '-' and '_' are read as '+' and '/', and both spellings are accepted;
//   - characters outside the alphabet (a trailing newline, ...) are discarded;
//   - '=' ends the input once it completes a quad (what follows is ignored); a '=' that cannot (at the first or
//     second position of a quad) is discarded;
//   - input that ends in the middle of a quad, i.e. without its '=' padding, is rejected.
// OpenSSL's EVP_DecodeBlock does the 6-bit arithmetic on the kept characters, a chunk of whole quads at a time;
// a final padded quad is completed with 'A' (zero bits) and the extra bytes dropped. `out` must have room for
// 3 * (text.size() / 4 + 1) bytes; `out_len` is set to the decoded length. The scratch chunk, which may hold key
// text, is wiped.
Base64Result base64_decode_lenient(std::string_view text, unsigned char *out, std::size_t &out_len) {
	constexpr std::size_t kChunk = 4096; // a multiple of 4
	unsigned char chunk[kChunk];
	std::size_t in_chunk = 0;
	int quad_pos = 0; // characters of the current quad seen
	int pads = 0;     // consecutive '=' seen at quad positions 2 and 3
	bool padded_end = false;
	Base64Result result;
	out_len = 0;
	auto flush = [&](std::size_t count) {
		int n = EVP_DecodeBlock(out + out_len, chunk, static_cast<int>(count));
		// Cannot fail: every character is in the alphabet and count is a multiple of 4.
		out_len += n > 0 ? static_cast<std::size_t>(n) : 0;
	};
	for (char ch : text) {
		unsigned char c = static_cast<unsigned char>(ch);
		if (c == '-')
			c = '+';
		else if (c == '_')
			c = '/';
		if (c == '=') {
			if (quad_pos >= 2 && quad_pos + ++pads >= 4) {
				padded_end = true;
				break;
			}
			continue;
		}
		if (!is_base64_char(c))
			continue;
		pads = 0;
		chunk[in_chunk++] = c;
		++result.data_chars;
		quad_pos = (quad_pos + 1) % 4;
		if (in_chunk == kChunk) {
			flush(in_chunk);
			in_chunk = 0;
		}
	}
	if (quad_pos != 0 && !padded_end) {
		OPENSSL_cleanse(chunk, sizeof chunk);
		return result;
	}
	std::size_t dropped = 0;
	if (quad_pos != 0) {
		dropped = static_cast<std::size_t>(4 - quad_pos);
		for (std::size_t i = 0; i < dropped; ++i)
			chunk[in_chunk++] = 'A';
	}
	if (in_chunk > 0)
		flush(in_chunk);
	out_len -= dropped;
	OPENSSL_cleanse(chunk, sizeof chunk);
	result.ok = true;
	return result;
}

std::size_t base64_capacity(std::size_t text_length) {
	return 3 * (text_length / 4 + 1);
}

// --- Fernet (§A.2, §A.4) -------------------------------------------------------------------------

constexpr std::size_t kFernetKeyBytes = 32; // 16 signing + 16 encryption (§A.2)
constexpr std::size_t kVersionBytes = 1;    // 0x80
constexpr std::size_t kTimestampBytes = 8;  // never checked (§A.4 rule 5)
constexpr std::size_t kIvBytes = 16;
constexpr std::size_t kAesBlock = 16;
constexpr std::size_t kHmacBytes = 32;
constexpr std::size_t kHeaderBytes = kVersionBytes + kTimestampBytes + kIvBytes; // 25
constexpr std::size_t kMinTokenBytes = kHeaderBytes + kAesBlock + kHmacBytes;    // 73: one block of ciphertext
constexpr unsigned char kFernetVersion = 0x80;

// The 32-byte Fernet key from its 44-character url-safe base64 text (§A.2): Fernet's constructor decodes it with
// the same lenient decoder and requires exactly 32 bytes. The result is wiped when released.
std::unique_ptr<SecretBuffer> decode_fernet_key(std::string_view key_text) {
	auto key = std::make_unique<SecretBuffer>(base64_capacity(key_text.size()));
	std::size_t n = 0;
	Base64Result r = base64_decode_lenient(key_text, key->data(), n);
	key->set_size(n);
	if (!r.ok || n != kFernetKeyBytes)
		throw ImportError(sqlstate::kDataException,
		                  "relocate: the data key unwrapped from data.key is not a Fernet key (32 url-safe "
		                  "base64-encoded bytes)",
		                  r.ok ? "It is " + std::to_string(key_text.size()) + " characters that decode to " +
		                             std::to_string(n) + " bytes; a Fernet key is 44 characters that decode to 32."
		                       : "It is " + std::to_string(key_text.size()) +
		                             " characters that are not padded base64; a Fernet key is 44 characters that "
		                             "decode to 32 bytes.",
		                  "The export was not written by Sentry's `sentry export --encrypt-with`, or data.key was "
		                  "replaced.");
	return key;
}

// §A.4 decryption rules 1-5, in Fernet's order: decode, version byte, HMAC (constant time, before anything is
// decrypted), then AES-128-CBC with PKCS#7 padding. `key` is the decoded 32-byte Fernet key.
std::string fernet_decrypt_with_key(std::string_view token, const SecretBuffer &key) {
	// Rule 1: lenient url-safe base64 with mandatory padding.
	std::string data(base64_capacity(token.size()), '\0');
	std::size_t n = 0;
	Base64Result decoded = base64_decode_lenient(token, reinterpret_cast<unsigned char *>(&data[0]), n);
	if (!decoded.ok)
		throw ImportError(sqlstate::kInvalidTextRepresentation,
		                  "relocate: export.json is not a Fernet token: its url-safe base64 is not padded",
		                  "After discarding characters outside the base64 alphabet, " +
		                      std::to_string(decoded.data_chars) +
		                      " characters remain, which is not a multiple of 4, and no '=' padding completes them.",
		                  "Sentry rejects a token whose '=' padding was stripped, too.");
	data.resize(n);
	const auto *bytes = reinterpret_cast<const unsigned char *>(data.data());

	// Rule 2: the version byte, and room for the header, one AES block and the HMAC.
	const std::string too_short_detail = "It decodes to " + std::to_string(n) + " bytes; a Fernet token has at least " +
	                                     std::to_string(kMinTokenBytes) +
	                                     " (version, timestamp, IV, one AES block, HMAC-SHA256).";
	if (n == 0)
		throw ImportError(sqlstate::kDataException, "relocate: export.json is too short to be a Fernet token",
		                  too_short_detail);
	if (bytes[0] != kFernetVersion)
		throw ImportError(sqlstate::kDataException,
		                  "relocate: export.json is not a Fernet token: its version byte is not 0x80",
		                  "Sentry writes Fernet version 0x80 tokens only.");
	if (n < kMinTokenBytes)
		throw ImportError(sqlstate::kDataException, "relocate: export.json is too short to be a Fernet token",
		                  too_short_detail);

	// Rule 3: HMAC-SHA256 with the signing half of the key over everything but the last 32 bytes, compared in
	// constant time with those 32 bytes. Nothing is decrypted before it matches.
	const std::size_t signed_len = n - kHmacBytes;
	unsigned char mac[EVP_MAX_MD_SIZE];
	unsigned int mac_len = 0;
	if (HMAC(EVP_sha256(), key.data(), 16, bytes, signed_len, mac, &mac_len) == nullptr || mac_len != kHmacBytes)
		throw_internal("HMAC-SHA256 failed");
	const bool mac_ok = CRYPTO_memcmp(mac, bytes + signed_len, kHmacBytes) == 0;
	OPENSSL_cleanse(mac, sizeof mac);
	if (!mac_ok)
		throw ImportError(sqlstate::kDataException,
		                  "relocate: export.json failed its integrity check (HMAC-SHA256): the token was altered or is "
		                  "corrupt",
		                  {},
		                  "Use export.json, data.key and key.pub exactly as written by one `sentry export "
		                  "--encrypt-with` run.");

	// Rule 4: AES-128-CBC with the encryption half, IV = bytes 9..24, ciphertext between the IV and the HMAC;
	// padding on, so EVP_DecryptFinal_ex checks and strips PKCS#7.
	const unsigned char *iv = bytes + kVersionBytes + kTimestampBytes;
	const unsigned char *ciphertext = bytes + kHeaderBytes;
	const std::size_t ciphertext_len = signed_len - kHeaderBytes;
	if (ciphertext_len % kAesBlock != 0)
		throw ImportError(sqlstate::kDataException,
		                  "relocate: export.json could not be decrypted: its ciphertext is not a whole number of AES "
		                  "blocks",
		                  "The token's HMAC is valid, so it was written this way: not by Sentry's Fernet.");
	CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
	if (!ctx)
		throw_internal("could not allocate an AES context");
	if (EVP_DecryptInit_ex(ctx.get(), EVP_aes_128_cbc(), nullptr, key.data() + 16, iv) != 1)
		throw_internal("AES-128-CBC initialisation failed");
	std::string plaintext(ciphertext_len + kAesBlock, '\0');
	auto *out = reinterpret_cast<unsigned char *>(&plaintext[0]);
	std::size_t produced = 0;
	constexpr std::size_t kStep = std::size_t(1) << 30; // EVP takes int lengths
	for (std::size_t done = 0; done < ciphertext_len;) {
		const std::size_t step = std::min(kStep, ciphertext_len - done);
		int len = 0;
		if (EVP_DecryptUpdate(ctx.get(), out + produced, &len, ciphertext + done, static_cast<int>(step)) != 1)
			throw_internal("AES-128-CBC decryption failed");
		produced += static_cast<std::size_t>(len);
		done += step;
	}
	int final_len = 0;
	if (EVP_DecryptFinal_ex(ctx.get(), out + produced, &final_len) != 1)
		throw ImportError(sqlstate::kDataException,
		                  "relocate: export.json could not be decrypted: its PKCS#7 padding is invalid",
		                  "The token's HMAC is valid, so it was written this way: not by Sentry's Fernet.");
	produced += static_cast<std::size_t>(final_len);
	plaintext.resize(produced);
	// Rule 5: the timestamp (bytes 1..8) is not checked.
	return plaintext;
}

// --- The private key (§A.5 LocalFileDecryptor, §A.6) ---------------------------------------------

// The passphrase callback: notes that a passphrase was asked for and refuses (-1), so an encrypted key fails at
// once, never with a guessed or empty passphrase.
int refuse_passphrase(char *, int, int, void *asked) {
	*static_cast<bool *>(asked) = true;
	return -1;
}

bool contains(std::string_view haystack, std::string_view needle) {
	return haystack.find(needle) != std::string_view::npos;
}

PkeyPtr load_private_key(std::string_view pem) {
	const char *hint = "Pass the unencrypted PEM private key (\"-----BEGIN PRIVATE KEY-----\" or \"-----BEGIN RSA "
	                   "PRIVATE KEY-----\") whose public half is the export's key.pub.";
	if (pem.size() > static_cast<std::size_t>(INT_MAX))
		throw ImportError(sqlstate::kInvalidParameterValue, "relocate: the private key is not a PEM private key",
		                  "It is larger than 2 GB.", hint);
	BioPtr bio(BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size())));
	if (!bio)
		throw_internal("could not allocate a BIO for the private key");
	bool asked = false;
	PkeyPtr key(PEM_read_bio_PrivateKey(bio.get(), nullptr, refuse_passphrase, &asked));
	if (key)
		return key;
	// A passphrase-protected key: PKCS#8 "ENCRYPTED PRIVATE KEY" or a traditional key with "Proc-Type: 4,ENCRYPTED".
	if (asked || contains(pem, "ENCRYPTED PRIVATE KEY-----") || contains(pem, "Proc-Type: 4,ENCRYPTED"))
		throw ImportError(sqlstate::kInvalidParameterValue,
		                  "relocate: the private key is protected by a passphrase; relocate_import needs an "
		                  "unencrypted key",
		                  {}, "Write an unencrypted copy with: openssl pkey -in key.pem -out key-plain.pem");
	std::string detail;
	if (!contains(pem, "-----BEGIN "))
		detail = "It holds no PEM block.";
	else if (contains(pem, "PUBLIC KEY-----") && !contains(pem, "PRIVATE KEY-----"))
		detail = "It is a public key; relocate_import needs the private key.";
	else
		detail = "OpenSSL could not read a PKCS#8 or traditional private key from it.";
	throw ImportError(sqlstate::kInvalidParameterValue, "relocate: the private key is not a PEM private key", detail,
	                  hint);
}

// The private key's public half must equal key.pub byte for byte (§A.5): PEM_write_bio_PUBKEY writes the same
// SubjectPublicKeyInfo PEM as Sentry's cryptography library (§A.3).
void check_public_key(EVP_PKEY *key, std::string_view key_pub) {
	BioPtr mem(BIO_new(BIO_s_mem()));
	if (!mem || PEM_write_bio_PUBKEY(mem.get(), key) != 1)
		throw_internal("could not derive the public key from the private key");
	char *derived = nullptr;
	long derived_len = BIO_get_mem_data(mem.get(), &derived);
	if (derived_len >= 0 && static_cast<std::size_t>(derived_len) == key_pub.size() &&
	    std::memcmp(derived, key_pub.data(), key_pub.size()) == 0)
		return;

	// Mismatch. Say whether key.pub is another key or this key written differently (CRLF line endings, a missing
	// final newline): Sentry rejects both, but the remedy differs.
	bool same_key = false;
	if (key_pub.size() <= static_cast<std::size_t>(INT_MAX)) {
		BioPtr pub_bio(BIO_new_mem_buf(key_pub.data(), static_cast<int>(key_pub.size())));
		bool asked = false; // never prompt: OpenSSL's default callback would read the terminal
		PkeyPtr pub(pub_bio ? PEM_read_bio_PUBKEY(pub_bio.get(), nullptr, refuse_passphrase, &asked) : nullptr);
		same_key = pub && EVP_PKEY_eq(pub.get(), key) == 1;
	}
	const char *message = "relocate: the private key does not match the public key the export was encrypted for "
	                      "(key.pub)";
	if (same_key)
		throw ImportError(sqlstate::kInvalidParameterValue, message,
		                  std::string("key.pub holds this key's public half, but not byte for byte as a "
		                              "SubjectPublicKeyInfo PEM with LF line endings and a final newline") +
		                      (contains(key_pub, "\r\n") ? " (it has CRLF line endings)" : "") +
		                      "; Sentry compares the bytes and rejects it too.",
		                  "Rewrite key.pub with: openssl pkey -in key.pem -pubout -out key.pub");
	throw ImportError(sqlstate::kInvalidParameterValue, message,
	                  "key.pub is the public key the export's data key was wrapped with; the private key given belongs "
	                  "to another key pair.",
	                  "Pass the private key whose public half was given to `sentry export --encrypt-with`.");
}

// Unwraps data.key: RSA-OAEP with SHA-256, MGF1-SHA-256 and no label (§A.3). The result is the 44-character
// url-safe base64 text of the Fernet key (§A.2), in a buffer wiped when released.
std::unique_ptr<SecretBuffer> unwrap_data_key(EVP_PKEY *key, const std::string &data_key) {
	PkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key, nullptr));
	if (!ctx)
		throw_internal("could not allocate an RSA context");
	if (EVP_PKEY_decrypt_init(ctx.get()) <= 0 || EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_OAEP_PADDING) <= 0 ||
	    EVP_PKEY_CTX_set_rsa_oaep_md(ctx.get(), EVP_sha256()) <= 0 ||
	    EVP_PKEY_CTX_set_rsa_mgf1_md(ctx.get(), EVP_sha256()) <= 0)
		throw_internal("could not set up RSA-OAEP (SHA-256) decryption");
	const int modulus_bytes = EVP_PKEY_get_size(key);
	if (modulus_bytes <= 0)
		throw_internal("could not read the RSA key's size");
	auto dek = std::make_unique<SecretBuffer>(static_cast<std::size_t>(modulus_bytes));
	std::size_t dek_len = dek->capacity();
	if (EVP_PKEY_decrypt(ctx.get(), dek->data(), &dek_len, reinterpret_cast<const unsigned char *>(data_key.data()),
	                     data_key.size()) <= 0)
		throw ImportError(sqlstate::kDataException,
		                  "relocate: data.key could not be decrypted with the private key (RSA-OAEP with SHA-256)",
		                  "data.key is " + std::to_string(data_key.size()) + " bytes; for this " +
		                      std::to_string(modulus_bytes * 8) + "-bit key it must be " +
		                      std::to_string(modulus_bytes) +
		                      " bytes of RSA-OAEP (SHA-256, MGF1-SHA-256, no label) ciphertext. It is corrupt or was "
		                      "not written for this key.");
	dek->set_size(dek_len);
	return dek;
}

} // namespace

bool looks_like_tarball(const char *data, std::size_t length) {
	const auto *p = reinterpret_cast<const unsigned char *>(data);
	if (p == nullptr)
		return false;
	if (compression_of(p, length) != Compression::kNone)
		return true;
	// ustar magic at offset 257: "ustar\0" (POSIX, Python's tarfile) or "ustar " (GNU tar). A tar starts with its
	// first member's name; a JSON export starts with '[', JSON whitespace or a UTF-8 byte order mark, so a JSON
	// text that happens to hold "ustar" at offset 257 is still JSON.
	if (length < 262 || std::memcmp(p + 257, "ustar", 5) != 0)
		return false;
	switch (p[0]) {
	case '[':
	case ' ':
	case '\t':
	case '\r':
	case '\n':
	case 0xef:
		return false;
	default:
		return true;
	}
}

EncryptedExport unwrap_tarball(const char *data, std::size_t length) {
	ClearOpenSslErrors clear; // libarchive may use libcrypto
	if (data == nullptr || length == 0)
		throw ImportError(sqlstate::kDataException, "relocate: the encrypted export is empty");

	// Tar formats only (ustar, pax, GNU, v7: tarfile reads them all), and the one decompression filter the data
	// starts with (Python's tarfile mode "r" auto-detects gzip, bzip2 and xz, §A.1).
	ArchivePtr a(archive_read_new());
	if (!a)
		throw_internal("could not allocate a libarchive reader");
	support_compression(a.get(), compression_of(reinterpret_cast<const unsigned char *>(data), length));
	if (archive_read_support_format_tar(a.get()) != ARCHIVE_OK)
		throw_internal("libarchive has no tar support");
	if (archive_read_open_memory(a.get(), data, length) != ARCHIVE_OK)
		throw_archive_error(a.get());

	EncryptedExport out;
	std::string *slots[3] = {&out.export_token, &out.data_key, &out.key_pub};
	bool seen[3] = {false, false, false};
	for (;;) {
		archive_entry *entry = nullptr;
		const int r = archive_read_next_header(a.get(), &entry);
		if (r == ARCHIVE_EOF)
			break;
		// Only ARCHIVE_OK goes on. ARCHIVE_FATAL is a truncated or unreadable header, ARCHIVE_RETRY a damaged one
		// (bad checksum). ARCHIVE_WARN is an error too: libarchive returns it for an entry it could only partly
		// interpret (a name it cannot convert, too many nested special headers, a malformed sparse map or ACL), so
		// the entry's name or data may be wrong; an export Sentry writes never draws one. (Truncation itself is
		// always ARCHIVE_FATAL in libarchive 3.6, on a header and on data alike.)
		if (r != ARCHIVE_OK)
			throw_archive_error(a.get());
		// Only regular files count; directories, symlinks and hard links (which libarchive reports as regular
		// files with a link target) are skipped, as tarfile's isfile() does.
		if (archive_entry_filetype(entry) != AE_IFREG || archive_entry_hardlink(entry) != nullptr)
			continue;
		const char *name = archive_entry_pathname(entry);
		int slot = -1;
		for (int i = 0; i < 3 && name != nullptr; ++i)
			if (std::strcmp(name, kMemberNames[i]) == 0)
				slot = i;
		// Any other regular file is an error, including "./export.json" (Sentry: "Unknown tarball entity").
		if (slot < 0) {
			const char *shown = name != nullptr ? name : archive_entry_pathname_utf8(entry);
			const bool dot_slash = shown != nullptr && std::strncmp(shown, "./", 2) == 0;
			throw ImportError(sqlstate::kDataException,
			                  "relocate: the encrypted export has an unknown member \"" + printable_name(shown) + "\"",
			                  "An encrypted Sentry export holds exactly export.json, data.key and key.pub, with no "
			                  "\"./\" prefix; Sentry rejects any other file too.",
			                  dot_slash ? "Re-create the archive with bare names: tar -cf export.tar export.json "
			                              "data.key key.pub"
			                            : "");
		}
		// A repeated name: the later member wins.
		*slots[slot] = read_member(a.get(), entry, length);
		seen[slot] = true;
	}

	// All three are required (Sentry: "A required file was missing").
	std::vector<std::string> missing;
	for (int i = 0; i < 3; ++i)
		if (!seen[i])
			missing.push_back(std::string("\"") + kMemberNames[i] + "\"");
	if (!missing.empty()) {
		std::string list = missing[0];
		for (std::size_t i = 1; i < missing.size(); ++i)
			list += (i + 1 == missing.size() ? " and " : ", ") + missing[i];
		throw ImportError(sqlstate::kDataException, "relocate: the encrypted export is missing " + list,
		                  "An encrypted Sentry export holds export.json (the Fernet token), data.key (the wrapped "
		                  "data key) and key.pub (the public key it was wrapped with).");
	}
	return out;
}

std::string decrypt_export(const EncryptedExport &encrypted, std::string_view private_key_pem) {
	ClearOpenSslErrors clear;
	// §A.5: load the private key (unencrypted, PKCS#8 or traditional), require RSA, require its public half to
	// equal key.pub byte for byte, unwrap the data key with RSA-OAEP, then Fernet-decrypt export.json with it.
	PkeyPtr key = load_private_key(private_key_pem);
	if (EVP_PKEY_get_base_id(key.get()) != EVP_PKEY_RSA) {
		const char *type = EVP_PKEY_get0_type_name(key.get());
		throw ImportError(sqlstate::kInvalidParameterValue,
		                  std::string("relocate: the private key is not an RSA key (it is ") +
		                      (type != nullptr ? type : "another type") + ")",
		                  "Sentry wraps the export's data key with RSA-OAEP, so only an RSA key can unwrap it.");
	}
	check_public_key(key.get(), encrypted.key_pub);
	std::unique_ptr<SecretBuffer> dek = unwrap_data_key(key.get(), encrypted.data_key);
	std::unique_ptr<SecretBuffer> fernet_key = decode_fernet_key(dek->view());
	return fernet_decrypt_with_key(encrypted.export_token, *fernet_key);
}

std::string fernet_decrypt(std::string_view token, std::string_view key) {
	ClearOpenSslErrors clear;
	std::unique_ptr<SecretBuffer> fernet_key = decode_fernet_key(key);
	return fernet_decrypt_with_key(token, *fernet_key);
}

} // namespace relocate

// Encrypted Sentry exports (decrypt.hpp): the tarball is read with libarchive (archive.hpp); the key checks,
// RSA-OAEP, base64, HMAC-SHA256 and AES-128-CBC are OpenSSL 3's EVP API. Section numbers (§A.n) refer to
// docs/sentry/encryption-and-relocation.md. export.json is decrypted as a stream: one pass checks its HMAC, the
// next ones decrypt it, so an export of any size is never held in memory.
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
#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/params.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

#include <algorithm>
#include <climits>
#include <cstdint>
#include <cstring>
#include <memory>
#include <vector>

#include "core/archive.hpp"
#include "core/error.hpp"

namespace relocate {
namespace {

// --- Resources ----------------------------------------------------------------------------------

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
using BioPtr = std::unique_ptr<BIO, BioFree>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;
using PkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, PkeyCtxFree>;
using CipherCtxPtr = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxFree>;
struct MacFree {
	void operator()(EVP_MAC *m) const { EVP_MAC_free(m); }
};
struct MacCtxFree {
	void operator()(EVP_MAC_CTX *c) const { EVP_MAC_CTX_free(c); }
};
using MacPtr = std::unique_ptr<EVP_MAC, MacFree>;
using MacCtxPtr = std::unique_ptr<EVP_MAC_CTX, MacCtxFree>;

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

// --- The tarball's members (§A.1) ----------------------------------------------------------------

const char *const kMemberNames[3] = {"export.json", "data.key", "key.pub"};
enum Member { kExportJson, kDataKey, kKeyPub };

// What an encrypted export's tarball holds, from one pass over it: data.key and key.pub whole (a real one is a
// few hundred bytes), and where export.json is, to be read again as a stream.
struct TarballIndex {
	std::string data_key;
	std::string key_pub;
	long export_entry = -1; // the ordinal of the export.json member (the last one, if repeated)
};

// No key member may be larger than this (a 16384-bit RSA key's data.key is 2 KiB, its key.pub 3 KiB): a gzip bomb
// in data.key or key.pub stops here.
constexpr std::size_t kMaxKeyMember = 64 * 1024;
// export.json read whole (the in-memory API only) is held to PostgreSQL's own limit for a value.
constexpr std::size_t kMaxMemberSize = std::size_t{1} << 30;

// The member an entry is, or -1 for a non-regular entry (skipped, as tarfile's isfile() does: directories,
// symlinks and hard links, which libarchive reports as regular files with a link target). Any other regular file
// is an error, including "./export.json" (Sentry: "Unknown tarball entity").
int member_index(const char *name) {
	for (int i = 0; i < 3 && name != nullptr; ++i)
		if (std::strcmp(name, kMemberNames[i]) == 0)
			return i;
	return -1;
}

// What a non-regular entry is, for the error that names it.
const char *entry_kind(archive_entry *entry) {
	if (archive_entry_hardlink(entry) != nullptr)
		return "a hard link";
	switch (archive_entry_filetype(entry)) {
	case AE_IFDIR:
		return "a directory";
	case AE_IFLNK:
		return "a symbolic link";
	default:
		return "a special file";
	}
}

int member_of(archive_entry *entry) {
	if (archive_entry_filetype(entry) != AE_IFREG || archive_entry_hardlink(entry) != nullptr)
		return -1;
	const char *name = archive_entry_pathname(entry);
	if (const int i = member_index(name); i >= 0)
		return i;
	const char *shown = name != nullptr ? name : archive_entry_pathname_utf8(entry);
	const bool dot_slash = shown != nullptr && std::strncmp(shown, "./", 2) == 0;
	throw ImportError(
	    sqlstate::kDataException,
	    "relocate: the encrypted export has an unknown member \"" + printable_name(shown) + "\"",
	    "An encrypted Sentry export holds exactly export.json, data.key and key.pub, with no \"./\" "
	    "prefix; Sentry rejects any other file too.",
	    dot_slash ? "Re-create the archive with bare names: tar -cf export.tar export.json data.key key.pub" : "");
}

// All three are required (Sentry: "A required file was missing"). `skipped[i]` says what a
// non-regular entry with member i's name was (nullptr: none), which the detail names.
void require_members(const bool seen[3], const char *const skipped[3]) {
	std::vector<std::string> missing;
	for (int i = 0; i < 3; ++i)
		if (!seen[i])
			missing.push_back(std::string("\"") + kMemberNames[i] + "\"");
	if (missing.empty())
		return;
	std::string list = missing[0];
	for (std::size_t i = 1; i < missing.size(); ++i)
		list += (i + 1 == missing.size() ? " and " : ", ") + missing[i];
	std::string detail = "An encrypted Sentry export holds export.json (the Fernet token), data.key (the wrapped "
	                     "data key) and key.pub (the public key it was wrapped with).";
	for (int i = 0; i < 3; ++i)
		if (!seen[i] && skipped[i] != nullptr)
			detail += std::string(" Its \"") + kMemberNames[i] + "\" is " + skipped[i] +
			          ", not a regular file: Sentry's tarball reader skips it too.";
	throw ImportError(sqlstate::kDataException, "relocate: the encrypted export is missing " + list, detail);
}

void require_content(std::size_t length) {
	if (length == 0)
		throw ImportError(sqlstate::kDataException, "relocate: the encrypted export is empty");
}

// One pass over the tarball: the keys, and where export.json is (`export_token`, if given, receives it whole).
TarballIndex index_tarball(ArchiveReader &archive, std::string *export_token) {
	TarballIndex index;
	bool seen[3] = {false, false, false};
	const char *skipped[3] = {nullptr, nullptr, nullptr};
	long ordinal = 0;
	for (archive_entry *entry; (entry = archive.next()) != nullptr; ++ordinal) {
		const int member = member_of(entry);
		if (member < 0) {
			// A directory's name may end in "/" (tarfile drops it: the member is named so).
			std::string name = archive_entry_pathname(entry) != nullptr ? archive_entry_pathname(entry) : "";
			while (name.size() > 1 && name.back() == '/')
				name.pop_back();
			if (const int named = member_index(name.c_str()); named >= 0)
				skipped[named] = entry_kind(entry);
			continue;
		}
		// A repeated name: the later member wins.
		seen[member] = true;
		if (member == kExportJson) {
			index.export_entry = ordinal;
			if (export_token != nullptr)
				*export_token = archive.read_whole(entry, kMaxMemberSize, "1 GB");
		} else {
			(member == kDataKey ? index.data_key : index.key_pub) =
			    archive.read_whole(entry, kMaxKeyMember, "64 KiB, more than any key can be");
		}
	}
	require_members(seen, skipped);
	return index;
}

// --- Base64 (§A.4 rule 1, §A.2) ------------------------------------------------------------------

bool is_base64_char(unsigned char c) {
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '+' || c == '/';
}

// Decodes url-safe or standard base64, fed in pieces, exactly as Python's base64.urlsafe_b64decode
// (binascii.a2b_base64, non-strict), which Sentry's Fernet uses:
//   - '-' and '_' are read as '+' and '/', and both spellings are accepted;
//   - characters outside the alphabet (a trailing newline, ...) are discarded;
//   - '=' ends the input once it completes a quad (what follows is ignored); a '=' that cannot (at the first or
//     second position of a quad) is discarded;
//   - input that ends in the middle of a quad, i.e. without its '=' padding, is rejected.
// OpenSSL's EVP_DecodeBlock does the 6-bit arithmetic on the kept characters, a chunk of whole quads at a time; a
// final padded quad is completed with 'A' (zero bits) and the extra bytes dropped. The decoded bytes go to
// `sink(const unsigned char *, std::size_t)`. The scratch chunk, which may hold key text, is wiped.
class Base64Decoder {
public:
	Base64Decoder() = default;
	Base64Decoder(const Base64Decoder &) = delete;
	Base64Decoder &operator=(const Base64Decoder &) = delete;
	~Base64Decoder() { OPENSSL_cleanse(chunk_, sizeof chunk_); }

	template <typename Sink> void feed(std::string_view text, Sink &&sink) {
		for (char ch : text) {
			if (padded_end_)
				return;
			unsigned char c = static_cast<unsigned char>(ch);
			if (c == '-')
				c = '+';
			else if (c == '_')
				c = '/';
			if (c == '=') {
				if (quad_pos_ >= 2 && quad_pos_ + ++pads_ >= 4)
					padded_end_ = true;
				continue;
			}
			if (!is_base64_char(c))
				continue;
			pads_ = 0;
			chunk_[in_chunk_++] = c;
			++data_chars_;
			quad_pos_ = (quad_pos_ + 1) % 4;
			if (in_chunk_ == kChunk)
				flush(in_chunk_, 0, sink);
		}
	}

	// Decodes what is left; false if the input ended inside a quad without its '=' padding.
	template <typename Sink> bool finish(Sink &&sink) {
		if (quad_pos_ != 0 && !padded_end_)
			return false;
		std::size_t dropped = 0;
		if (quad_pos_ != 0) {
			dropped = static_cast<std::size_t>(4 - quad_pos_);
			for (std::size_t i = 0; i < dropped; ++i)
				chunk_[in_chunk_++] = 'A';
		}
		if (in_chunk_ > 0)
			flush(in_chunk_, dropped, sink);
		return true;
	}

	// Alphabet characters read so far (for the error detail).
	std::size_t data_chars() const { return data_chars_; }

private:
	static constexpr std::size_t kChunk = 4096; // a multiple of 4

	template <typename Sink> void flush(std::size_t count, std::size_t dropped, Sink &&sink) {
		unsigned char out[kChunk / 4 * 3];
		const int n = EVP_DecodeBlock(out, chunk_, static_cast<int>(count));
		// Cannot fail: every character is in the alphabet and count is a multiple of 4.
		if (n > 0 && static_cast<std::size_t>(n) > dropped)
			sink(out, static_cast<std::size_t>(n) - dropped);
		OPENSSL_cleanse(out, sizeof out);
		in_chunk_ = 0;
	}

	unsigned char chunk_[kChunk];
	std::size_t in_chunk_ = 0;
	int quad_pos_ = 0; // characters of the current quad seen
	int pads_ = 0;     // consecutive '=' seen at quad positions 2 and 3
	bool padded_end_ = false;
	std::size_t data_chars_ = 0;
};

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
	auto key = std::make_unique<SecretBuffer>(3 * (key_text.size() / 4 + 1));
	std::size_t n = 0;
	auto into_key = [&](const unsigned char *bytes, std::size_t len) {
		std::memcpy(key->data() + n, bytes, len);
		n += len;
	};
	Base64Decoder decoder;
	decoder.feed(key_text, into_key);
	const bool ok = decoder.finish(into_key);
	key->set_size(n);
	if (!ok || n != kFernetKeyBytes)
		throw ImportError(sqlstate::kDataException,
		                  "relocate: the data key unwrapped from data.key is not a Fernet key (32 url-safe "
		                  "base64-encoded bytes)",
		                  ok ? "It is " + std::to_string(key_text.size()) + " characters that decode to " +
		                           std::to_string(n) + " bytes; a Fernet key is 44 characters that decode to 32."
		                     : "It is " + std::to_string(key_text.size()) +
		                           " characters that are not padded base64; a Fernet key is 44 characters that decode "
		                           "to 32 bytes.",
		                  "The export was not written by Sentry's `sentry export --encrypt-with`, or data.key was "
		                  "replaced.");
	return key;
}

// The token's text, read in pieces: an export.json member of the tarball, or text in memory.
class TokenText {
public:
	virtual ~TokenText() = default;
	// Starts at the token's first character.
	virtual void restart() = 0;
	// The next piece of the token's text; empty at its end.
	virtual std::string_view next() = 0;
};

class TokenInMemory final : public TokenText {
public:
	explicit TokenInMemory(std::string_view token) : token_(token) {}
	void restart() override { done_ = false; }
	std::string_view next() override {
		if (done_)
			return {};
		done_ = true;
		return token_;
	}

private:
	std::string_view token_;
	bool done_ = false;
};

class TokenInTarball final : public TokenText {
public:
	TokenInTarball(ByteSource &tarball, Compression compression, long entry, const CheckInterrupts &check)
	    : tarball_(tarball), compression_(compression), entry_(entry), check_(check), buffer_(64 * 1024) {}
	void restart() override {
		reader_.reset(); // the previous pass's reader goes before the source is read again
		reader_ = std::make_unique<ArchiveReader>(tarball_, compression_, false, check_);
		for (long ordinal = 0; ordinal <= entry_; ++ordinal)
			if (reader_->next() == nullptr)
				throw ImportError(sqlstate::kDataException, "relocate: the encrypted export changed while it was read");
	}
	std::string_view next() override {
		const std::size_t n = reader_->read(buffer_.data(), buffer_.size());
		return {buffer_.data(), n};
	}

private:
	ByteSource &tarball_;
	Compression compression_;
	long entry_;
	const CheckInterrupts &check_;
	std::vector<char> buffer_;
	std::unique_ptr<ArchiveReader> reader_;
};

// What the HMAC pass learnt: the token's decoded length.
struct VerifiedToken {
	std::size_t length = 0;
};

// §A.4 decryption rules 1-3, in Fernet's order, over the whole token: decode, version byte, HMAC (constant time,
// before anything is decrypted), and that the ciphertext is whole AES blocks. `key` is the decoded Fernet key.
VerifiedToken verify_token(TokenText &token, const SecretBuffer &key, const CheckInterrupts &check) {
	MacPtr mac(EVP_MAC_fetch(nullptr, "HMAC", nullptr));
	MacCtxPtr ctx(mac ? EVP_MAC_CTX_new(mac.get()) : nullptr);
	char digest[] = "SHA256";
	OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string(OSSL_MAC_PARAM_DIGEST, digest, 0), OSSL_PARAM_END};
	if (!ctx || EVP_MAC_init(ctx.get(), key.data(), 16, params) != 1)
		throw_internal("HMAC-SHA256 initialisation failed");
	// Everything but the last 32 bytes is signed: hold the last 32 back until more arrives.
	unsigned char tail[kHmacBytes];
	std::size_t in_tail = 0, total = 0;
	unsigned char first = 0;
	bool mac_ok_so_far = true;
	auto signed_bytes = [&](const unsigned char *bytes, std::size_t len) {
		if (len == 0)
			return;
		if (total == 0)
			first = bytes[0];
		total += len;
		// tail + bytes: all but the last kHmacBytes are signed.
		const std::size_t all = in_tail + len;
		if (all <= kHmacBytes) {
			std::memcpy(tail + in_tail, bytes, len);
			in_tail = all;
			return;
		}
		const std::size_t release = all - kHmacBytes; // leading bytes that are surely signed
		const std::size_t from_tail = std::min(release, in_tail);
		mac_ok_so_far = mac_ok_so_far && EVP_MAC_update(ctx.get(), tail, from_tail) == 1;
		mac_ok_so_far = mac_ok_so_far && EVP_MAC_update(ctx.get(), bytes, release - from_tail) == 1;
		// The new tail: what was left of the old one, then the end of `bytes`.
		unsigned char next_tail[kHmacBytes];
		const std::size_t keep_old = in_tail - from_tail;
		std::memcpy(next_tail, tail + from_tail, keep_old);
		std::memcpy(next_tail + keep_old, bytes + (release - from_tail), kHmacBytes - keep_old);
		std::memcpy(tail, next_tail, kHmacBytes);
		in_tail = kHmacBytes;
	};
	Base64Decoder decoder;
	token.restart();
	for (std::string_view piece; !(piece = token.next()).empty();) {
		if (check)
			check();
		decoder.feed(piece, signed_bytes);
	}
	// Rule 1: lenient url-safe base64 with mandatory padding.
	if (!decoder.finish(signed_bytes))
		throw ImportError(sqlstate::kInvalidTextRepresentation,
		                  "relocate: export.json is not a Fernet token: its url-safe base64 is not padded",
		                  "After discarding characters outside the base64 alphabet, " +
		                      std::to_string(decoder.data_chars()) +
		                      " characters remain, which is not a multiple of 4, and no '=' padding completes them.",
		                  "Sentry rejects a token whose '=' padding was stripped, too.");
	// Rule 2: the version byte, and room for the header, one AES block and the HMAC.
	const std::string too_short_detail = "It decodes to " + std::to_string(total) +
	                                     " bytes; a Fernet token has at least " + std::to_string(kMinTokenBytes) +
	                                     " (version, timestamp, IV, one AES block, HMAC-SHA256).";
	if (total == 0)
		throw ImportError(sqlstate::kDataException, "relocate: export.json is too short to be a Fernet token",
		                  too_short_detail);
	if (first != kFernetVersion)
		throw ImportError(sqlstate::kDataException,
		                  "relocate: export.json is not a Fernet token: its version byte is not 0x80",
		                  "Sentry writes Fernet version 0x80 tokens only.");
	if (total < kMinTokenBytes)
		throw ImportError(sqlstate::kDataException, "relocate: export.json is too short to be a Fernet token",
		                  too_short_detail);
	// Rule 3: HMAC-SHA256 with the signing half of the key over everything but the last 32 bytes, compared in
	// constant time with those 32 bytes.
	unsigned char computed[EVP_MAX_MD_SIZE];
	std::size_t computed_len = 0;
	if (!mac_ok_so_far || EVP_MAC_final(ctx.get(), computed, &computed_len, sizeof computed) != 1 ||
	    computed_len != kHmacBytes)
		throw_internal("HMAC-SHA256 failed");
	const bool mac_ok = CRYPTO_memcmp(computed, tail, kHmacBytes) == 0;
	OPENSSL_cleanse(computed, sizeof computed);
	if (!mac_ok)
		throw ImportError(sqlstate::kDataException,
		                  "relocate: export.json failed its integrity check (HMAC-SHA256): the token was altered or is "
		                  "corrupt",
		                  {},
		                  "Use export.json, data.key and key.pub exactly as written by one `sentry export "
		                  "--encrypt-with` run.");
	if ((total - kHmacBytes - kHeaderBytes) % kAesBlock != 0)
		throw ImportError(sqlstate::kDataException,
		                  "relocate: export.json could not be decrypted: its ciphertext is not a whole number of AES "
		                  "blocks",
		                  "The token's HMAC is valid, so it was written this way: not by Sentry's Fernet.");
	return VerifiedToken{total};
}

// §A.4 rule 4, as a stream: AES-128-CBC with the encryption half of the key, IV = bytes 9..24, ciphertext
// between the IV and the HMAC, PKCS#7 padding checked at the end. Rule 5: the timestamp is not checked.
class TokenDecryptor {
public:
	TokenDecryptor(TokenText &token, const SecretBuffer &key, VerifiedToken verified, const CheckInterrupts &check)
	    : token_(token), key_(key), verified_(verified), check_(check) {
		restart();
	}

	void restart() {
		ctx_.reset(EVP_CIPHER_CTX_new());
		if (!ctx_)
			throw_internal("could not allocate an AES context");
		decoder_ = std::make_unique<Base64Decoder>();
		position_ = 0;
		in_iv_ = 0;
		finished_ = false;
		plaintext_.clear();
		taken_ = 0;
		token_.restart();
	}

	// Up to `n` bytes of plaintext into `buf`; 0 at the end.
	std::size_t read(char *buf, std::size_t n) {
		while (taken_ == plaintext_.size() && !finished_)
			decrypt_more();
		const std::size_t give = std::min(n, plaintext_.size() - taken_);
		std::memcpy(buf, plaintext_.data() + taken_, give);
		taken_ += give;
		return give;
	}

private:
	void decrypt_more() {
		plaintext_.clear();
		taken_ = 0;
		if (check_)
			check_();
		const std::string_view piece = token_.next();
		auto bytes = [this](const unsigned char *data, std::size_t len) { ciphertext(data, len); };
		if (!piece.empty()) {
			decoder_->feed(piece, bytes);
			return;
		}
		if (!decoder_->finish(bytes) || position_ != verified_.length)
			throw ImportError(sqlstate::kDataException, "relocate: the encrypted export changed while it was read");
		finish();
	}

	// The decoded token's bytes, in order: the header (the IV), then the ciphertext, then the HMAC.
	void ciphertext(const unsigned char *data, std::size_t len) {
		const std::size_t end_of_ciphertext = verified_.length - kHmacBytes;
		for (std::size_t i = 0; i < len;) {
			if (position_ < kHeaderBytes) {
				if (position_ >= kVersionBytes + kTimestampBytes)
					iv_[in_iv_++] = data[i];
				++position_;
				++i;
				if (position_ == kHeaderBytes &&
				    EVP_DecryptInit_ex(ctx_.get(), EVP_aes_128_cbc(), nullptr, key_.data() + 16, iv_) != 1)
					throw_internal("AES-128-CBC initialisation failed");
				continue;
			}
			const std::size_t take =
			    std::min(len - i, end_of_ciphertext > position_ ? end_of_ciphertext - position_ : 0);
			if (take > 0) {
				const std::size_t at = plaintext_.size();
				plaintext_.resize(at + take + kAesBlock);
				int out = 0;
				if (EVP_DecryptUpdate(ctx_.get(), reinterpret_cast<unsigned char *>(&plaintext_[at]), &out, data + i,
				                      static_cast<int>(take)) != 1)
					throw_internal("AES-128-CBC decryption failed");
				plaintext_.resize(at + static_cast<std::size_t>(out));
			}
			position_ += len - i; // the HMAC bytes after the ciphertext are skipped
			i = len;
		}
	}

	void finish() {
		const std::size_t at = plaintext_.size();
		plaintext_.resize(at + kAesBlock);
		int out = 0;
		if (EVP_DecryptFinal_ex(ctx_.get(), reinterpret_cast<unsigned char *>(&plaintext_[at]), &out) != 1)
			throw ImportError(sqlstate::kDataException,
			                  "relocate: export.json could not be decrypted: its PKCS#7 padding is invalid",
			                  "The token's HMAC is valid, so it was written this way: not by Sentry's Fernet.");
		plaintext_.resize(at + static_cast<std::size_t>(out));
		finished_ = true;
	}

	TokenText &token_;
	const SecretBuffer &key_;
	VerifiedToken verified_;
	const CheckInterrupts &check_;
	CipherCtxPtr ctx_;
	std::unique_ptr<Base64Decoder> decoder_;
	std::size_t position_ = 0; // decoded bytes of the token seen
	unsigned char iv_[kIvBytes] = {};
	std::size_t in_iv_ = 0;
	bool finished_ = false;
	std::string plaintext_; // decrypted, not yet read
	std::size_t taken_ = 0;
};

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

// The Fernet key of an encrypted export: §A.5, load the private key (unencrypted, PKCS#8 or traditional), require
// RSA, require its public half to equal key.pub byte for byte, unwrap the data key with RSA-OAEP, decode it.
std::unique_ptr<SecretBuffer> fernet_key_of(const std::string &data_key, std::string_view key_pub,
                                            std::string_view private_key_pem) {
	PkeyPtr key = load_private_key(private_key_pem);
	if (EVP_PKEY_get_base_id(key.get()) != EVP_PKEY_RSA) {
		const char *type = EVP_PKEY_get0_type_name(key.get());
		throw ImportError(sqlstate::kInvalidParameterValue,
		                  std::string("relocate: the private key is not an RSA key (it is ") +
		                      (type != nullptr ? type : "another type") + ")",
		                  "Sentry wraps the export's data key with RSA-OAEP, so only an RSA key can unwrap it.");
	}
	check_public_key(key.get(), key_pub);
	std::unique_ptr<SecretBuffer> dek = unwrap_data_key(key.get(), data_key);
	return decode_fernet_key(dek->view());
}

// A whole token in memory, verified and decrypted.
std::string decrypt_token(std::string_view token, const SecretBuffer &key) {
	TokenInMemory text(token);
	const CheckInterrupts none;
	const VerifiedToken verified = verify_token(text, key, none);
	TokenDecryptor decryptor(text, key, verified, none);
	std::string plaintext;
	char buf[65536];
	for (std::size_t n; (n = decryptor.read(buf, sizeof buf)) > 0;)
		plaintext.append(buf, n);
	return plaintext;
}

// The plaintext of an encrypted export in a tarball, as a stream (decrypt.hpp open_encrypted_export).
class EncryptedSource final : public ByteSource {
public:
	EncryptedSource(ByteSource &tarball, Compression compression, std::string_view private_key_pem,
	                const CheckInterrupts &check)
	    : check_(check) {
		ClearOpenSslErrors clear;
		TarballIndex index;
		{
			ArchiveReader archive(tarball, compression, false, check_);
			index = index_tarball(archive, nullptr);
		}
		key_ = fernet_key_of(index.data_key, index.key_pub, private_key_pem);
		token_ = std::make_unique<TokenInTarball>(tarball, compression, index.export_entry, check_);
		const VerifiedToken verified = verify_token(*token_, *key_, check_);
		decryptor_ = std::make_unique<TokenDecryptor>(*token_, *key_, verified, check_);
	}
	std::size_t read(char *buf, std::size_t n) override {
		ClearOpenSslErrors clear;
		return decryptor_->read(buf, n);
	}
	void rewind() override {
		ClearOpenSslErrors clear;
		decryptor_->restart();
	}

private:
	const CheckInterrupts &check_;
	std::unique_ptr<SecretBuffer> key_;
	std::unique_ptr<TokenInTarball> token_;
	std::unique_ptr<TokenDecryptor> decryptor_;
};

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
	if (data == nullptr)
		require_content(0);
	require_content(length);
	MemorySource source(data, length);
	const CheckInterrupts none;
	ArchiveReader archive(source, compression_of(reinterpret_cast<const unsigned char *>(data), length), false, none);
	EncryptedExport out;
	TarballIndex index = index_tarball(archive, &out.export_token);
	out.data_key = std::move(index.data_key);
	out.key_pub = std::move(index.key_pub);
	return out;
}

std::string decrypt_export(const EncryptedExport &encrypted, std::string_view private_key_pem) {
	ClearOpenSslErrors clear;
	std::unique_ptr<SecretBuffer> fernet_key = fernet_key_of(encrypted.data_key, encrypted.key_pub, private_key_pem);
	return decrypt_token(encrypted.export_token, *fernet_key);
}

std::string fernet_decrypt(std::string_view token, std::string_view key) {
	ClearOpenSslErrors clear;
	std::unique_ptr<SecretBuffer> fernet_key = decode_fernet_key(key);
	return decrypt_token(token, *fernet_key);
}

std::unique_ptr<ByteSource> open_encrypted_export(ByteSource &tarball, std::string_view private_key_pem,
                                                  const CheckInterrupts &check) {
	tarball.rewind();
	unsigned char head[8];
	std::size_t n = 0;
	for (std::size_t got;
	     n < sizeof head && (got = tarball.read(reinterpret_cast<char *>(head) + n, sizeof head - n)) > 0;)
		n += got;
	require_content(n);
	return std::make_unique<EncryptedSource>(tarball, compression_of(head, n), private_key_pem, check);
}

} // namespace relocate

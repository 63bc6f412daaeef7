// Tests of encrypted-export decryption (src/core/decrypt.cpp) against vectors built here, in memory, the way
// Sentry builds them (docs/sentry/encryption-and-relocation.md §A): RSA-2048 keys, the Fernet key
// wrapped with RSA-OAEP (SHA-256), Fernet tokens (AES-128-CBC + HMAC-SHA256), tar archives written with
// libarchive (plain, gzip, bzip2, xz). Every failure is checked for its SQLSTATE, its message, an empty OpenSSL
// error queue, and the absence of plaintext and key material from the message, detail and hint.
#define OPENSSL_NO_DEPRECATED

#include "core/decrypt.hpp"

#include <gtest/gtest.h>

#include <archive.h>
#include <archive_entry.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/rsa.h>
#include <zlib.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <ctime>
#include <functional>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "core/error.hpp"
#include "core/export_input.hpp"
#include "core/export_reader.hpp"

namespace relocate {
namespace {

// --- OpenSSL helpers ------------------------------------------------------------------------------

struct PkeyFree {
	void operator()(EVP_PKEY *k) const { EVP_PKEY_free(k); }
};
struct BioFree {
	void operator()(BIO *b) const { BIO_free_all(b); }
};
using Pkey = std::unique_ptr<EVP_PKEY, PkeyFree>;
using Bio = std::unique_ptr<BIO, BioFree>;

void check(bool ok, const char *what) {
	if (!ok)
		throw std::runtime_error(std::string("test vector construction failed: ") + what);
}

Pkey rsa_key() {
	Pkey k(EVP_PKEY_Q_keygen(nullptr, nullptr, "RSA", static_cast<size_t>(2048)));
	check(k != nullptr, "RSA keygen");
	return k;
}

// Two RSA-2048 keys and an EC key, generated once.
EVP_PKEY *key_a() {
	static Pkey k = rsa_key();
	return k.get();
}
EVP_PKEY *key_b() {
	static Pkey k = rsa_key();
	return k.get();
}
EVP_PKEY *ec_key() {
	static Pkey k(EVP_PKEY_Q_keygen(nullptr, nullptr, "EC", "P-256"));
	check(k != nullptr, "EC keygen");
	return k.get();
}

std::string bio_text(BIO *b) {
	char *p = nullptr;
	long n = BIO_get_mem_data(b, &p);
	return std::string(p, static_cast<std::size_t>(n));
}

// PKCS#8 "BEGIN PRIVATE KEY", as Sentry's generate_rsa_key_pair writes it.
std::string private_pem(EVP_PKEY *k) {
	Bio b(BIO_new(BIO_s_mem()));
	check(PEM_write_bio_PrivateKey(b.get(), k, nullptr, nullptr, 0, nullptr, nullptr) == 1, "private PEM");
	return bio_text(b.get());
}
// Traditional "BEGIN RSA PRIVATE KEY".
std::string traditional_pem(EVP_PKEY *k, const EVP_CIPHER *cipher = nullptr) {
	Bio b(BIO_new(BIO_s_mem()));
	unsigned char pass[] = "correct horse";
	check(PEM_write_bio_PrivateKey_traditional(b.get(), k, cipher, cipher ? pass : nullptr, cipher ? 13 : 0, nullptr,
	                                           nullptr) == 1,
	      "traditional PEM");
	return bio_text(b.get());
}
// PKCS#8 "BEGIN ENCRYPTED PRIVATE KEY".
std::string encrypted_pkcs8_pem(EVP_PKEY *k) {
	Bio b(BIO_new(BIO_s_mem()));
	char pass[] = "correct horse";
	check(PEM_write_bio_PKCS8PrivateKey(b.get(), k, EVP_aes_256_cbc(), pass, 13, nullptr, nullptr) == 1,
	      "encrypted PKCS#8");
	return bio_text(b.get());
}
// SubjectPublicKeyInfo "BEGIN PUBLIC KEY" (what key.pub holds, §A.3).
std::string public_pem(EVP_PKEY *k) {
	Bio b(BIO_new(BIO_s_mem()));
	check(PEM_write_bio_PUBKEY(b.get(), k) == 1, "public PEM");
	return bio_text(b.get());
}

std::string oaep_encrypt(EVP_PKEY *k, const std::string &in) {
	std::unique_ptr<EVP_PKEY_CTX, void (*)(EVP_PKEY_CTX *)> ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, k, nullptr),
	                                                            EVP_PKEY_CTX_free);
	check(ctx && EVP_PKEY_encrypt_init(ctx.get()) == 1 &&
	          EVP_PKEY_CTX_set_rsa_padding(ctx.get(), RSA_PKCS1_OAEP_PADDING) == 1 &&
	          EVP_PKEY_CTX_set_rsa_oaep_md(ctx.get(), EVP_sha256()) == 1 &&
	          EVP_PKEY_CTX_set_rsa_mgf1_md(ctx.get(), EVP_sha256()) == 1,
	      "OAEP setup");
	std::size_t n = 0;
	auto *p = reinterpret_cast<const unsigned char *>(in.data());
	check(EVP_PKEY_encrypt(ctx.get(), nullptr, &n, p, in.size()) == 1, "OAEP size");
	std::string out(n, '\0');
	check(EVP_PKEY_encrypt(ctx.get(), reinterpret_cast<unsigned char *>(&out[0]), &n, p, in.size()) == 1, "OAEP");
	out.resize(n);
	return out;
}

std::string random_bytes(std::size_t n) {
	std::string out(n, '\0');
	check(RAND_bytes(reinterpret_cast<unsigned char *>(&out[0]), static_cast<int>(n)) == 1, "RAND_bytes");
	return out;
}

// url-safe base64 with '=' padding, as Python's base64.urlsafe_b64encode.
std::string b64url(const std::string &in) {
	std::string out(4 * ((in.size() + 2) / 3) + 1, '\0');
	int n = EVP_EncodeBlock(reinterpret_cast<unsigned char *>(&out[0]),
	                        reinterpret_cast<const unsigned char *>(in.data()), static_cast<int>(in.size()));
	out.resize(static_cast<std::size_t>(n));
	for (char &c : out)
		c = c == '+' ? '-' : c == '/' ? '_' : c;
	return out;
}

// --- Fernet (§A.4) --------------------------------------------------------------------------------

struct TokenOptions {
	unsigned char version = 0x80;
	bool bad_padding = false;        // last plaintext block's padding byte set to 0 (invalid PKCS#7)
	std::size_t drop_ciphertext = 0; // bytes cut from the end of the ciphertext (before the HMAC)
};

std::string hmac_sha256(const std::string &key16, const std::string &data) {
	unsigned char mac[32];
	unsigned int n = 0;
	check(HMAC(EVP_sha256(), key16.data(), 16, reinterpret_cast<const unsigned char *>(data.data()), data.size(), mac,
	           &n) != nullptr &&
	          n == 32,
	      "HMAC");
	return std::string(reinterpret_cast<char *>(mac), 32);
}

// The raw token bytes: version | timestamp | IV | AES-128-CBC(PKCS#7) | HMAC-SHA256 over all of that.
std::string fernet_token_bytes(const std::string &key32, const std::string &plaintext, TokenOptions o = {}) {
	const std::string iv = random_bytes(16);
	std::string padded = plaintext;
	const std::size_t pad = 16 - plaintext.size() % 16;
	padded.append(pad, static_cast<char>(pad));
	if (o.bad_padding)
		padded.back() = '\0';
	std::unique_ptr<EVP_CIPHER_CTX, void (*)(EVP_CIPHER_CTX *)> ctx(EVP_CIPHER_CTX_new(), EVP_CIPHER_CTX_free);
	std::string ct(padded.size() + 16, '\0');
	int n1 = 0, n2 = 0;
	check(ctx &&
	          EVP_EncryptInit_ex(ctx.get(), EVP_aes_128_cbc(), nullptr,
	                             reinterpret_cast<const unsigned char *>(key32.data()) + 16,
	                             reinterpret_cast<const unsigned char *>(iv.data())) == 1 &&
	          EVP_CIPHER_CTX_set_padding(ctx.get(), 0) == 1 &&
	          EVP_EncryptUpdate(ctx.get(), reinterpret_cast<unsigned char *>(&ct[0]), &n1,
	                            reinterpret_cast<const unsigned char *>(padded.data()),
	                            static_cast<int>(padded.size())) == 1 &&
	          EVP_EncryptFinal_ex(ctx.get(), reinterpret_cast<unsigned char *>(&ct[0]) + n1, &n2) == 1,
	      "AES-128-CBC");
	ct.resize(static_cast<std::size_t>(n1 + n2) - o.drop_ciphertext);
	std::string token(1, static_cast<char>(o.version));
	std::uint64_t ts = static_cast<std::uint64_t>(std::time(nullptr));
	for (int i = 7; i >= 0; --i)
		token += static_cast<char>((ts >> (8 * i)) & 0xff);
	token += iv + ct;
	token += hmac_sha256(key32.substr(0, 16), token);
	return token;
}

// --- A whole encrypted export (§A.1-A.4) ----------------------------------------------------------

const char kMarker[] = "SECRET-MARKER-7f3a";

struct Vector {
	std::string plaintext;
	std::string key32;    // the Fernet key
	std::string dek;      // its 44-character text: what data.key wraps
	std::string token;    // export.json
	std::string data_key; // data.key
	std::string key_pub;  // key.pub
	std::string private_key;

	EncryptedExport encrypted() const { return {token, data_key, key_pub}; }
	// What must never appear in an error: the plaintext marker, the Fernet key's text (both alphabets), and a line
	// of the private key's PEM body.
	std::vector<std::string> secrets() const {
		std::string standard = dek;
		for (char &c : standard)
			c = c == '-' ? '+' : c == '_' ? '/' : c;
		std::size_t line = private_key.find('\n') + 1;
		return {kMarker, dek, standard, dek.substr(0, 20), private_key.substr(line, 64)};
	}
};

std::string sample_plaintext() {
	return std::string(R"([{"model":"sentry.user","pk":1,"fields":{"username":"zoë ✓ 名前","name":")") + kMarker +
	       R"("}}])";
}

Vector make_vector(const std::string &plaintext = sample_plaintext(), EVP_PKEY *key = key_a()) {
	Vector v;
	v.plaintext = plaintext;
	v.key32 = random_bytes(32);
	v.dek = b64url(v.key32);
	v.token = b64url(fernet_token_bytes(v.key32, plaintext));
	v.data_key = oaep_encrypt(key, v.dek);
	v.key_pub = public_pem(key);
	v.private_key = private_pem(key);
	return v;
}

// --- Tar archives (§A.1) --------------------------------------------------------------------------

enum class Filter { kNone, kGzip, kBzip2, kXz, kZstd };

// Adds libarchive's write filter for `filter` (none for kNone).
void add_filter(archive *a, Filter filter) {
	switch (filter) {
	case Filter::kNone:
		break;
	case Filter::kGzip:
		check(archive_write_add_filter_gzip(a) == ARCHIVE_OK, "gzip");
		break;
	case Filter::kBzip2:
		check(archive_write_add_filter_bzip2(a) == ARCHIVE_OK, "bzip2");
		break;
	case Filter::kXz:
		check(archive_write_add_filter_xz(a) == ARCHIVE_OK, "xz");
		break;
	case Filter::kZstd:
		check(archive_write_add_filter_zstd(a) == ARCHIVE_OK, "zstd");
		break;
	}
}

struct Member {
	std::string name = {};
	std::string data = {};
	unsigned type = AE_IFREG;
	std::string link = {};     // symlink target
	std::string hardlink = {}; // hard link target
};

std::string make_tar(const std::vector<Member> &members, Filter filter = Filter::kNone) {
	std::size_t capacity = 1 << 20;
	for (const Member &m : members)
		capacity += 2 * m.data.size() + 2048;
	std::string buf(capacity, '\0');
	std::size_t used = 0;
	std::unique_ptr<archive, int (*)(archive *)> a(archive_write_new(), archive_write_free);
	check(a && archive_write_set_format_ustar(a.get()) == ARCHIVE_OK, "ustar");
	add_filter(a.get(), filter);
	check(archive_write_open_memory(a.get(), &buf[0], capacity, &used) == ARCHIVE_OK, "open_memory");
	for (const Member &m : members) {
		std::unique_ptr<archive_entry, void (*)(archive_entry *)> e(archive_entry_new(), archive_entry_free);
		archive_entry_set_pathname(e.get(), m.name.c_str());
		archive_entry_set_filetype(e.get(), m.type);
		archive_entry_set_perm(e.get(), m.type == AE_IFDIR ? 0755 : 0644);
		archive_entry_set_mtime(e.get(), 0, 0);
		const bool has_data = m.type == AE_IFREG && m.hardlink.empty();
		archive_entry_set_size(e.get(), has_data ? static_cast<la_int64_t>(m.data.size()) : 0);
		if (!m.link.empty())
			archive_entry_set_symlink(e.get(), m.link.c_str());
		if (!m.hardlink.empty())
			archive_entry_set_hardlink(e.get(), m.hardlink.c_str());
		check(archive_write_header(a.get(), e.get()) == ARCHIVE_OK, "write_header");
		if (has_data && !m.data.empty())
			check(archive_write_data(a.get(), m.data.data(), m.data.size()) == static_cast<la_ssize_t>(m.data.size()),
			      "write_data");
	}
	check(archive_write_close(a.get()) == ARCHIVE_OK, "close");
	buf.resize(used);
	return buf;
}

// One hand-made ustar header block (no data): for entries libarchive's writer does not produce.
std::string raw_header(const std::string &name, char typeflag, std::size_t size, const std::string &linkname = {}) {
	std::string h(512, '\0');
	h.replace(0, name.size(), name);
	h.replace(100, 7, "0000644");
	h.replace(108, 7, "0000000");
	h.replace(116, 7, "0000000");
	char octal[12];
	std::snprintf(octal, sizeof octal, "%011zo", size);
	h.replace(124, 11, octal);
	h.replace(136, 11, "00000000000");
	h[156] = typeflag;
	h.replace(157, linkname.size(), linkname);
	h.replace(257, 8,
	          std::string("ustar\0"
	                      "00",
	                      8));
	h.replace(148, 8, "        ");
	unsigned sum = 0;
	for (char c : h)
		sum += static_cast<unsigned char>(c);
	std::snprintf(octal, sizeof octal, "%06o", sum);
	h.replace(148, 7, std::string(octal, 6) + '\0');
	return h;
}

std::vector<Member> members_of(const Vector &v) {
	return {{"export.json", v.token}, {"data.key", v.data_key}, {"key.pub", v.key_pub}};
}

std::string tar_of(const Vector &v, Filter filter = Filter::kNone) {
	return make_tar(members_of(v), filter);
}

std::string decrypt_tar(const std::string &tar, const std::string &private_key) {
	return decrypt_export(unwrap_tarball(tar.data(), tar.size()), private_key);
}

// --- Error assertions -----------------------------------------------------------------------------

bool mentions(const ImportError &e, const std::string &s) {
	return std::string(e.what()).find(s) != std::string::npos || e.detail().find(s) != std::string::npos ||
	       e.hint().find(s) != std::string::npos;
}

// Runs f, which must throw ImportError with `code` and a message containing `message_part` (or equal to it when
// `exact`); the OpenSSL error queue must be empty afterwards and no secret may appear in message, detail or hint.
ImportError expect_error(const std::function<void()> &f, const char *code, const std::string &message_part,
                         const std::vector<std::string> &secrets = {}, bool exact = false) {
	ERR_clear_error(); // start clean, so that the check below is about f alone
	try {
		f();
	} catch (const ImportError &e) {
		EXPECT_STREQ(e.code(), code) << e.what();
		if (exact)
			EXPECT_EQ(std::string(e.what()), message_part);
		else
			EXPECT_NE(std::string(e.what()).find(message_part), std::string::npos) << e.what();
		EXPECT_EQ(std::string(e.what()).rfind("relocate: ", 0), 0u) << e.what();
		EXPECT_EQ(ERR_peek_error(), 0ul) << "OpenSSL error queue left non-empty after: " << e.what();
		for (const std::string &s : secrets)
			EXPECT_FALSE(!s.empty() && mentions(e, s))
			    << "secret \"" << s << "\" in: " << e.what() << " / " << e.detail() << " / " << e.hint();
		return e;
	}
	ADD_FAILURE() << "expected ImportError " << code << " (" << message_part << "), nothing was thrown";
	return ImportError("", "");
}

// --- looks_like_tarball ---------------------------------------------------------------------------

TEST(LooksLikeTarball, RecognisesTarAndCompressedStreams) {
	Vector v = make_vector();
	for (Filter f : {Filter::kNone, Filter::kGzip, Filter::kBzip2, Filter::kXz, Filter::kZstd}) {
		std::string tar = tar_of(v, f);
		EXPECT_TRUE(looks_like_tarball(tar.data(), tar.size())) << static_cast<int>(f);
	}
	const unsigned char xz[] = {0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00};
	EXPECT_TRUE(looks_like_tarball(reinterpret_cast<const char *>(xz), 6));
	EXPECT_TRUE(looks_like_tarball("\x1f\x8b", 2));
	EXPECT_TRUE(looks_like_tarball("BZh9", 4));
	std::string gnu(512, '\0');
	gnu.replace(257, 8, "ustar  \0", 8);
	EXPECT_TRUE(looks_like_tarball(gnu.data(), gnu.size()));
}

TEST(LooksLikeTarball, PlainJsonAndShortInputDoNot) {
	for (std::string s : {"", "[]", " [", "\n[{\"model\": \"sentry.user\"}]", "\x1f", "BZ", "\xfd\x37\x7a\x58\x5a"})
		EXPECT_FALSE(looks_like_tarball(s.data(), s.size())) << s;
	std::string json = "[" + std::string(600, ' ') + "]";
	EXPECT_FALSE(looks_like_tarball(json.data(), json.size()));
	// "ustar" at offset 257 of a JSON text does not make it a tar.
	for (std::string start : {"[", " ", "\n", "\t", "\r", "\xef\xbb\xbf["}) {
		std::string text = start + std::string(300, ' ');
		text.replace(257, 5, "ustar");
		EXPECT_FALSE(looks_like_tarball(text.data(), text.size())) << start;
	}
	std::string almost(261, '\0');
	almost.replace(257, 4, "usta");
	EXPECT_FALSE(looks_like_tarball(almost.data(), almost.size()));
	EXPECT_FALSE(looks_like_tarball(nullptr, 0));
}

// --- Round trips ----------------------------------------------------------------------------------

TEST(DecryptExport, RoundTripsExactly) {
	Vector v = make_vector();
	std::string tar = tar_of(v);
	ERR_clear_error();
	EXPECT_EQ(decrypt_tar(tar, v.private_key), v.plaintext);
	EXPECT_EQ(ERR_peek_error(), 0ul);
}

TEST(DecryptExport, ReadsTheThreeMembers) {
	Vector v = make_vector();
	std::string tar = tar_of(v);
	EncryptedExport e = unwrap_tarball(tar.data(), tar.size());
	EXPECT_EQ(e.export_token, v.token);
	EXPECT_EQ(e.data_key, v.data_key);
	EXPECT_EQ(e.key_pub, v.key_pub);
}

TEST(DecryptExport, TraditionalRsaKeyWorks) {
	Vector v = make_vector();
	std::string pem = traditional_pem(key_a());
	ASSERT_NE(pem.find("BEGIN RSA PRIVATE KEY"), std::string::npos);
	EXPECT_EQ(decrypt_tar(tar_of(v), pem), v.plaintext);
}

TEST(DecryptExport, EmptyPlaintextAndMultiMegabytePayload) {
	Vector empty = make_vector("");
	EXPECT_EQ(decrypt_tar(tar_of(empty), empty.private_key), "");

	// About 3 MB of JSON with non-ASCII text, through gzip as well.
	std::string big = "[";
	for (int i = 0; i < 30000; ++i) {
		if (i > 0)
			big += ",";
		big += R"({"model":"sentry.option","pk":)" + std::to_string(i) + R"(,"fields":{"key":"k)" + std::to_string(i) +
		       R"(","value":"ünïcødé — 日本語 )" + kMarker + R"("}})";
	}
	big += "]";
	ASSERT_GT(big.size(), 3000000u);
	Vector v = make_vector(big);
	for (Filter f : {Filter::kNone, Filter::kGzip}) {
		std::string got = decrypt_tar(tar_of(v, f), v.private_key);
		EXPECT_EQ(got.size(), big.size());
		EXPECT_TRUE(got == big) << "multi-MB plaintext differs";
	}
}

TEST(DecryptExport, MemberOrderIsIrrelevant) {
	Vector v = make_vector();
	std::vector<Member> m = members_of(v);
	std::vector<int> order = {0, 1, 2};
	int permutations = 0;
	do {
		std::vector<Member> shuffled;
		for (int i : order)
			shuffled.push_back(m[static_cast<std::size_t>(i)]);
		EXPECT_EQ(decrypt_tar(make_tar(shuffled), v.private_key), v.plaintext) << order[0] << order[1] << order[2];
		++permutations;
	} while (std::next_permutation(order.begin(), order.end()));
	EXPECT_EQ(permutations, 6);
}

TEST(DecryptExport, CompressedTarballs) {
	Vector v = make_vector();
	for (Filter f : {Filter::kGzip, Filter::kBzip2, Filter::kXz, Filter::kZstd}) {
		std::string tar = tar_of(v, f);
		ASSERT_NE(tar.substr(257, 5), "ustar") << "not compressed: " << static_cast<int>(f);
		EXPECT_EQ(decrypt_tar(tar, v.private_key), v.plaintext) << static_cast<int>(f);
	}
}

TEST(UnwrapTarball, NonRegularEntriesAreSkipped) {
	Vector v = make_vector();
	std::vector<Member> m;
	m.push_back({"some-dir", "", AE_IFDIR});
	m.push_back({"export.json", "", AE_IFDIR}); // a directory with a member's name is skipped too
	m.push_back({"export.json", v.token});
	m.push_back({"link-to-export", "", AE_IFLNK, "export.json"});
	m.push_back({"data.key", v.data_key});
	m.push_back({"key.pub", "", AE_IFLNK, "data.key"}); // a symlink named key.pub: skipped, not a member
	m.push_back({"hard-link-to-export", "", AE_IFREG, "", "export.json"});
	m.push_back({"key.pub", v.key_pub});
	m.push_back({"trailing-dir", "", AE_IFDIR});
	EXPECT_EQ(decrypt_tar(make_tar(m), v.private_key), v.plaintext);
}

TEST(UnwrapTarball, HardLinkWithASizeIsSkipped) {
	// A hard link header ('1') with a non-zero size: libarchive reports it as a regular file (with a link target
	// and no data); tarfile's isfile() is false for it, so Sentry skips it.
	Vector v = make_vector();
	std::string tar = raw_header("hard-link", '1', 3, "export.json") + tar_of(v);
	EncryptedExport e = unwrap_tarball(tar.data(), tar.size());
	EXPECT_EQ(e.export_token, v.token);
	EXPECT_EQ(decrypt_export(e, v.private_key), v.plaintext);
}

TEST(UnwrapTarball, ArchiveWarningIsAnError) {
	// 40 GNU volume headers ('V') before the members: libarchive gives up after 32 nested special headers with
	// ARCHIVE_WARN ("Too many special headers"), and reading on would be guesswork.
	Vector v = make_vector();
	std::string tar;
	for (int i = 0; i < 40; ++i)
		tar += raw_header("volume", 'V', 0);
	tar += tar_of(v);
	ImportError e = expect_error([&] { unwrap_tarball(tar.data(), tar.size()); }, "22000",
	                             "relocate: the encrypted export is not a readable tar archive", v.secrets(), true);
	EXPECT_NE(e.detail().find("Too many special headers"), std::string::npos) << e.detail();
	// Five of them are fine (libarchive skips volume headers).
	tar.clear();
	for (int i = 0; i < 5; ++i)
		tar += raw_header("volume", 'V', 0);
	tar += tar_of(v);
	EXPECT_EQ(unwrap_tarball(tar.data(), tar.size()).key_pub, v.key_pub);
}

TEST(UnwrapTarball, DamagedHeaderIsAnError) {
	// A header whose checksum is wrong: libarchive returns ARCHIVE_RETRY ("Damaged tar archive").
	Vector v = make_vector();
	std::string tar = tar_of(v);
	tar[512 + (v.token.size() + 511) / 512 * 512 + 1] ^= 0x20; // "data.key" -> "dAta.key", checksum now wrong
	ImportError e = expect_error([&] { unwrap_tarball(tar.data(), tar.size()); }, "22000",
	                             "relocate: the encrypted export is not a readable tar archive", v.secrets(), true);
	EXPECT_NE(e.detail().find("Damaged"), std::string::npos) << e.detail();
}

// data.key and key.pub are read whole before the key check: each is capped at 64 KiB (an RSA-OAEP
// block and a PEM public key are a few KiB at most), so that a small compressed tarball cannot make
// the backend decompress a huge member into memory (issue #8: a 3.1 MB .tar.gz drove it to 3.6 GB).
TEST(UnwrapTarball, KeyMembersAreCappedAtSizesARealKeyCanHave) {
	const Vector v = make_vector();
	const std::string huge(4u << 20, 'A'); // compresses to a few KiB
	for (const char *member : {"data.key", "key.pub"}) {
		std::vector<Member> m = members_of(v);
		for (Member &x : m)
			if (x.name == member)
				x.data = huge;
		const std::string tar = make_tar(m, Filter::kGzip);
		EXPECT_LT(tar.size(), std::size_t{64} << 10) << member;
		const ImportError e = expect_error([&] { decrypt_tar(tar, v.private_key); }, "54000",
		                                   std::string("relocate: member \"") + member +
		                                       "\" of the encrypted export is larger than 64 KiB");
		EXPECT_TRUE(mentions(e, "expand without bound")) << e.what();
	}
	// A data.key of exactly the cap is read whole (and then fails as the wrapped key it is not).
	std::vector<Member> m = members_of(v);
	m[1].data = std::string(64u << 10, 'A');
	expect_error([&] { decrypt_tar(make_tar(m, Filter::kGzip), v.private_key); }, "22000",
	             "relocate: data.key could not be decrypted with the private key");
}

TEST(UnwrapTarball, RepeatedNameKeepsTheLater) {
	Vector v = make_vector();
	Vector other = make_vector();
	std::vector<Member> m = {
	    {"export.json", "garbage"}, {"data.key", other.data_key}, {"key.pub", public_pem(key_b())}};
	for (const Member &x : members_of(v))
		m.push_back(x);
	EXPECT_EQ(decrypt_tar(make_tar(m), v.private_key), v.plaintext);

	// And the other way round: a bad later key.pub replaces the good one.
	std::vector<Member> later = members_of(v);
	later.push_back({"key.pub", public_pem(key_b())});
	expect_error([&] { decrypt_tar(make_tar(later), v.private_key); }, "22023",
	             "does not match the public key the export was encrypted for", v.secrets());
}

TEST(UnwrapTarball, EndWithoutEndOfArchiveBlocksIsAccepted) {
	// Cut right after the last member's padded data: no end-of-archive blocks, as some writers do. Python's
	// tarfile accepts this too.
	Vector v = make_vector();
	std::string tar = tar_of(v);
	std::size_t end = 0;
	for (const Member &m : members_of(v))
		end += 512 + (m.data.size() + 511) / 512 * 512;
	ASSERT_LT(end, tar.size());
	ASSERT_EQ(tar.substr(end, 1024), std::string(1024, '\0'));
	EXPECT_EQ(decrypt_tar(tar.substr(0, end), v.private_key), v.plaintext);
}

// --- Fernet token leniency (§A.4 rule 1) ----------------------------------------------------------

TEST(FernetDecrypt, TrailingNewlineAndLineBreaksAreIgnored) {
	Vector v = make_vector();
	EXPECT_EQ(fernet_decrypt(v.token + "\n", v.dek), v.plaintext);
	std::string wrapped;
	for (std::size_t i = 0; i < v.token.size(); i += 76)
		wrapped += v.token.substr(i, 76) + "\r\n";
	EXPECT_EQ(fernet_decrypt(" " + wrapped, v.dek), v.plaintext);
	// And through the tarball.
	Vector t = v;
	t.token += "\n";
	EXPECT_EQ(decrypt_tar(tar_of(t), v.private_key), v.plaintext);
}

TEST(FernetDecrypt, StandardAlphabetIsAccepted) {
	// Regenerate until the token and the key use '-' or '_', so that the test means something.
	Vector v;
	for (int i = 0; i < 50; ++i) {
		v = make_vector();
		if (v.token.find_first_of("-_") != std::string::npos && v.dek.find_first_of("-_") != std::string::npos)
			break;
	}
	ASSERT_NE(v.token.find_first_of("-_"), std::string::npos);
	ASSERT_NE(v.dek.find_first_of("-_"), std::string::npos);
	auto standard = [](std::string s) {
		for (char &c : s)
			c = c == '-' ? '+' : c == '_' ? '/' : c;
		return s;
	};
	EXPECT_EQ(fernet_decrypt(standard(v.token), v.dek), v.plaintext);
	EXPECT_EQ(fernet_decrypt(v.token, standard(v.dek)), v.plaintext);
	Vector t = v;
	t.token = standard(v.token);
	EXPECT_EQ(decrypt_tar(tar_of(t), v.private_key), v.plaintext);
}

TEST(FernetDecrypt, InputAfterThePaddingIsIgnoredAsInPython) {
	Vector v = make_vector("[]"); // 73 bytes: the token ends in "=="
	ASSERT_EQ(v.token.size(), 100u);
	ASSERT_EQ(v.token.substr(98), "==");
	EXPECT_EQ(fernet_decrypt(v.token + "QUJD", v.dek), "[]");
	// A '=' that cannot be padding (first or second position of a quad) is skipped.
	EXPECT_EQ(fernet_decrypt("=" + v.token, v.dek), "[]");
}

// --- Token failures -------------------------------------------------------------------------------

TEST(FernetDecrypt, StrippedPaddingIsRejected) {
	Vector v = make_vector("[]");
	ASSERT_EQ(v.token.substr(98), "==");
	for (std::size_t strip : {1u, 2u}) {
		std::string token = v.token.substr(0, v.token.size() - strip);
		ImportError e = expect_error([&] { fernet_decrypt(token, v.dek); }, "22P02",
		                             "relocate: export.json is not a Fernet token: its url-safe base64 is not padded",
		                             v.secrets(), true);
		EXPECT_NE(e.detail().find("98 characters"), std::string::npos) << e.detail();
		Vector t = v;
		t.token = token;
		expect_error([&] { decrypt_tar(tar_of(t), v.private_key); }, "22P02", "is not padded", v.secrets());
	}
	// One character more than a multiple of 4 cannot be padded at all.
	expect_error([&] { fernet_decrypt(v.token.substr(0, 97), v.dek); }, "22P02", "is not padded", v.secrets());
}

TEST(FernetDecrypt, FlippedBitFailsTheHmac) {
	Vector v = make_vector();
	std::string bytes = fernet_token_bytes(v.key32, v.plaintext);
	for (std::size_t at : {std::size_t(0) + 3, std::size_t(30), bytes.size() - 40, bytes.size() - 1}) {
		std::string flipped = bytes;
		flipped[at] = static_cast<char>(flipped[at] ^ 0x04);
		Vector t = v;
		t.token = b64url(flipped);
		ImportError e = expect_error(
		    [&] { decrypt_tar(tar_of(t), v.private_key); }, "22000",
		    "relocate: export.json failed its integrity check (HMAC-SHA256): the token was altered or is corrupt",
		    v.secrets(), true);
		EXPECT_FALSE(e.hint().empty());
	}
	// A flipped bit in the token's text (a different alphabet character) as well.
	std::string text = v.token;
	text[60] = text[60] == 'A' ? 'B' : 'A';
	expect_error([&] { fernet_decrypt(text, v.dek); }, "22000", "failed its integrity check", v.secrets());
}

TEST(FernetDecrypt, WrongKeyFailsTheHmac) {
	Vector v = make_vector();
	Vector other = make_vector();
	expect_error([&] { fernet_decrypt(v.token, other.dek); }, "22000", "failed its integrity check", v.secrets());
}

TEST(FernetDecrypt, WrongVersionWithValidHmac) {
	Vector v = make_vector();
	TokenOptions o;
	o.version = 0x81;
	std::string token = b64url(fernet_token_bytes(v.key32, v.plaintext, o));
	expect_error([&] { fernet_decrypt(token, v.dek); }, "22000",
	             "relocate: export.json is not a Fernet token: its version byte is not 0x80", v.secrets(), true);
	Vector t = v;
	t.token = token;
	expect_error([&] { decrypt_tar(tar_of(t), v.private_key); }, "22000", "version byte", v.secrets());
}

TEST(FernetDecrypt, BadPaddingWithValidHmac) {
	Vector v = make_vector();
	TokenOptions o;
	o.bad_padding = true;
	std::string token = b64url(fernet_token_bytes(v.key32, v.plaintext, o));
	ImportError e =
	    expect_error([&] { fernet_decrypt(token, v.dek); }, "22000",
	                 "relocate: export.json could not be decrypted: its PKCS#7 padding is invalid", v.secrets(), true);
	EXPECT_NE(e.detail().find("HMAC is valid"), std::string::npos);
	Vector t = v;
	t.token = token;
	expect_error([&] { decrypt_tar(tar_of(t), v.private_key); }, "22000", "PKCS#7 padding", v.secrets());
}

TEST(FernetDecrypt, CiphertextNotWholeBlocksWithValidHmac) {
	Vector v = make_vector();
	TokenOptions o;
	o.drop_ciphertext = 5;
	std::string token = b64url(fernet_token_bytes(v.key32, v.plaintext, o));
	expect_error([&] { fernet_decrypt(token, v.dek); }, "22000", "not a whole number of AES blocks", v.secrets());
}

TEST(FernetDecrypt, TooShortAndEmptyTokens) {
	Vector v = make_vector();
	std::string bytes = fernet_token_bytes(v.key32, v.plaintext);
	// 72 bytes: no room for one AES block between the IV and the HMAC.
	ImportError e = expect_error([&] { fernet_decrypt(b64url(bytes.substr(0, 72)), v.dek); }, "22000",
	                             "relocate: export.json is too short to be a Fernet token", v.secrets(), true);
	EXPECT_NE(e.detail().find("72 bytes"), std::string::npos) << e.detail();
	expect_error([&] { fernet_decrypt("", v.dek); }, "22000", "too short to be a Fernet token", v.secrets());
	expect_error([&] { fernet_decrypt("\n", v.dek); }, "22000", "too short to be a Fernet token", v.secrets());
	// The version byte is checked before the length.
	expect_error([&] { fernet_decrypt(b64url(std::string(72, 'x')), v.dek); }, "22000", "version byte", v.secrets());
}

// --- Fernet key failures (§A.2) -------------------------------------------------------------------

TEST(FernetDecrypt, KeyThatIsNot32Bytes) {
	Vector v = make_vector();
	const std::string key31 = b64url(random_bytes(31));
	ASSERT_EQ(key31.size(), 44u);
	for (const std::string &key : {key31, b64url(random_bytes(33)), v.dek.substr(0, 43), std::string()}) {
		ImportError e = expect_error([&] { fernet_decrypt(v.token, key); }, "22000",
		                             "relocate: the data key unwrapped from data.key is not a Fernet key (32 url-safe "
		                             "base64-encoded bytes)",
		                             {key.substr(0, 20), kMarker}, true);
		EXPECT_FALSE(e.detail().empty());
	}
}

TEST(DecryptExport, DataKeyThatDecodesTo31Bytes) {
	Vector v = make_vector();
	const std::string dek31 = b64url(random_bytes(31));
	ASSERT_EQ(dek31.size(), 44u);
	Vector t = v;
	t.dek = dek31;
	t.data_key = oaep_encrypt(key_a(), dek31);
	ImportError e =
	    expect_error([&] { decrypt_tar(tar_of(t), v.private_key); }, "22000", "is not a Fernet key", t.secrets());
	EXPECT_NE(e.detail().find("decode to 31 bytes"), std::string::npos) << e.detail();
	EXPECT_FALSE(mentions(e, dek31.substr(0, 43)));
}

// --- Key failures (§A.5) --------------------------------------------------------------------------

TEST(DecryptExport, WrongPrivateKey) {
	Vector v = make_vector();
	ImportError e =
	    expect_error([&] { decrypt_tar(tar_of(v), private_pem(key_b())); }, "22023",
	                 "relocate: the private key does not match the public key the export was encrypted for (key.pub)",
	                 v.secrets(), true);
	EXPECT_NE(e.detail().find("another key pair"), std::string::npos) << e.detail();
}

TEST(DecryptExport, KeyPubWithCrlfOrWithoutFinalNewlineIsAMismatch) {
	Vector v = make_vector();
	std::string crlf;
	for (char c : v.key_pub)
		crlf += c == '\n' ? std::string("\r\n") : std::string(1, c);
	Vector t = v;
	t.key_pub = crlf;
	ImportError e = expect_error([&] { decrypt_tar(tar_of(t), v.private_key); }, "22023",
	                             "does not match the public key the export was encrypted for (key.pub)", v.secrets());
	EXPECT_NE(e.detail().find("CRLF"), std::string::npos) << e.detail();
	EXPECT_NE(e.hint().find("openssl pkey"), std::string::npos) << e.hint();

	t.key_pub = v.key_pub.substr(0, v.key_pub.size() - 1);
	e = expect_error([&] { decrypt_tar(tar_of(t), v.private_key); }, "22023", "does not match the public key",
	                 v.secrets());
	EXPECT_NE(e.detail().find("this key's public half"), std::string::npos) << e.detail();
	EXPECT_EQ(e.detail().find("CRLF"), std::string::npos) << e.detail();

	t.key_pub = "not a key";
	expect_error([&] { decrypt_tar(tar_of(t), v.private_key); }, "22023", "does not match the public key", v.secrets());
}

TEST(DecryptExport, FlippedBitInDataKeyFailsOaep) {
	Vector v = make_vector();
	for (std::size_t at : {std::size_t(0), std::size_t(100), v.data_key.size() - 1}) {
		Vector t = v;
		t.data_key[at] = static_cast<char>(t.data_key[at] ^ 0x01);
		ImportError e =
		    expect_error([&] { decrypt_tar(tar_of(t), v.private_key); }, "22000",
		                 "relocate: data.key could not be decrypted with the private key (RSA-OAEP with SHA-256)",
		                 v.secrets(), true);
		EXPECT_NE(e.detail().find("256 bytes"), std::string::npos) << e.detail();
	}
	Vector t = v;
	t.data_key = "";
	expect_error([&] { decrypt_tar(tar_of(t), v.private_key); }, "22000", "data.key could not be decrypted",
	             v.secrets());
}

TEST(DecryptExport, NonPemKey) {
	Vector v = make_vector();
	EncryptedExport enc = v.encrypted();
	ImportError e = expect_error([&] { decrypt_export(enc, "not a key at all"); }, "22023",
	                             "relocate: the private key is not a PEM private key", v.secrets(), true);
	EXPECT_NE(e.detail().find("no PEM block"), std::string::npos);
	e = expect_error([&] { decrypt_export(enc, ""); }, "22023", "is not a PEM private key", v.secrets());
	e = expect_error([&] { decrypt_export(enc, v.key_pub); }, "22023", "is not a PEM private key", v.secrets());
	EXPECT_NE(e.detail().find("public key"), std::string::npos) << e.detail();
	// A PEM private key whose body is damaged.
	std::string damaged = v.private_key;
	damaged.replace(damaged.find('\n') + 10, 8, "!!!!!!!!");
	expect_error([&] { decrypt_export(enc, damaged); }, "22023", "is not a PEM private key", v.secrets());
}

TEST(DecryptExport, PassphraseProtectedKey) {
	Vector v = make_vector();
	const std::string message =
	    "relocate: the private key is protected by a passphrase; relocate_import needs an unencrypted key";
	std::string pkcs8 = encrypted_pkcs8_pem(key_a());
	ASSERT_NE(pkcs8.find("BEGIN ENCRYPTED PRIVATE KEY"), std::string::npos);
	ImportError e = expect_error([&] { decrypt_export(v.encrypted(), pkcs8); }, "22023", message, v.secrets(), true);
	EXPECT_FALSE(e.hint().empty());
	std::string traditional = traditional_pem(key_a(), EVP_aes_256_cbc());
	ASSERT_NE(traditional.find("Proc-Type: 4,ENCRYPTED"), std::string::npos);
	expect_error([&] { decrypt_export(v.encrypted(), traditional); }, "22023", message, v.secrets(), true);
}

TEST(DecryptExport, EcKeyIsNotRsa) {
	Vector v = make_vector();
	expect_error([&] { decrypt_export(v.encrypted(), private_pem(ec_key())); }, "22023",
	             "relocate: the private key is not an RSA key (it is EC)", v.secrets(), true);
}

// --- Tarball failures (§A.1) ----------------------------------------------------------------------

TEST(UnwrapTarball, EmptyAndNonTarInput) {
	expect_error([] { unwrap_tarball("", 0); }, "22000", "relocate: the encrypted export is empty", {}, true);
	expect_error([] { unwrap_tarball(nullptr, 0); }, "22000", "is empty");
	std::string json = R"([{"model":"sentry.user","pk":1,"fields":{}}])";
	ImportError e = expect_error([&] { unwrap_tarball(json.data(), json.size()); }, "22000",
	                             "relocate: the encrypted export is not a readable tar archive", {}, true);
	EXPECT_FALSE(e.detail().empty());
	// gzip magic followed by garbage.
	std::string bad_gzip = "\x1f\x8b" + std::string(100, 'x');
	expect_error([&] { unwrap_tarball(bad_gzip.data(), bad_gzip.size()); }, "22000", "relocate: the encrypted export");
	// A zip archive is not accepted.
	std::string zip = "PK\x03\x04" + std::string(200, '\0');
	expect_error([&] { unwrap_tarball(zip.data(), zip.size()); }, "22000", "not a readable tar archive");
}

TEST(UnwrapTarball, TruncatedInTheMiddleOfAMembersData) {
	Vector v = make_vector();
	std::string tar = tar_of(v);
	ASSERT_GT(v.token.size(), 100u);
	std::string cut = tar.substr(0, 512 + v.token.size() / 2);
	ImportError e = expect_error([&] { unwrap_tarball(cut.data(), cut.size()); }, "22000",
	                             "relocate: the encrypted export is truncated", v.secrets(), true);
	EXPECT_NE(e.detail().find("runcated"), std::string::npos) << e.detail();
	// The last member's data cut short.
	const std::size_t key_pub_data =
	    512 + (v.token.size() + 511) / 512 * 512 + 512 + (v.data_key.size() + 511) / 512 * 512 + 512;
	ASSERT_EQ(tar.substr(key_pub_data, 10), v.key_pub.substr(0, 10));
	cut = tar.substr(0, key_pub_data + 20);
	expect_error([&] { unwrap_tarball(cut.data(), cut.size()); }, "22000", "is truncated", v.secrets());
	// In the zero padding after a member's data.
	ASSERT_NE(v.token.size() % 512, 0u);
	cut = tar.substr(0, 512 + v.token.size() + 1);
	expect_error([&] { unwrap_tarball(cut.data(), cut.size()); }, "22000", "is truncated", v.secrets());
}

TEST(UnwrapTarball, TruncatedInTheMiddleOfAHeader) {
	Vector v = make_vector();
	std::string tar = tar_of(v);
	const std::size_t second_header = 512 + (v.token.size() + 511) / 512 * 512;
	ASSERT_EQ(tar.substr(second_header, 8), std::string("data.key"));
	std::string cut = tar.substr(0, second_header + 100);
	ImportError e = expect_error([&] { unwrap_tarball(cut.data(), cut.size()); }, "22000",
	                             "relocate: the encrypted export is truncated", v.secrets(), true);
	EXPECT_NE(e.detail().find("runcated"), std::string::npos) << e.detail();
	// The first header cut short.
	cut = tar.substr(0, 300);
	expect_error([&] { unwrap_tarball(cut.data(), cut.size()); }, "22000", "relocate: the encrypted export",
	             v.secrets());
}

TEST(UnwrapTarball, TruncatedCompressedStream) {
	Vector v = make_vector(std::string(20000, 'x') + kMarker);
	for (Filter f : {Filter::kGzip, Filter::kBzip2, Filter::kXz, Filter::kZstd}) {
		std::string tar = tar_of(v, f);
		std::string cut = tar.substr(0, tar.size() / 2);
		expect_error([&] { unwrap_tarball(cut.data(), cut.size()); }, "22000",
		             "relocate: the encrypted export is truncated", v.secrets(), true);
	}
}

TEST(UnwrapTarball, MissingMembers) {
	Vector v = make_vector();
	const std::vector<Member> all = members_of(v);
	for (std::size_t drop = 0; drop < 3; ++drop) {
		std::vector<Member> m;
		for (std::size_t i = 0; i < 3; ++i)
			if (i != drop)
				m.push_back(all[i]);
		std::string tar = make_tar(m);
		expect_error([&] { unwrap_tarball(tar.data(), tar.size()); }, "22000",
		             "relocate: the encrypted export is missing \"" + all[drop].name + "\"", v.secrets(), true);
	}
	// A directory or link with a member's name is not that member (tarfile's isfile() is false): the detail
	// says what it is.
	std::string only_dirs = make_tar({{"export.json", "", AE_IFDIR}, {"key.pub", "", AE_IFLNK, "export.json"}});
	ImportError e = expect_error(
	    [&] { unwrap_tarball(only_dirs.data(), only_dirs.size()); }, "22000",
	    "relocate: the encrypted export is missing \"export.json\", \"data.key\" and \"key.pub\"", {}, true);
	EXPECT_NE(e.detail().find("Its \"export.json\" is a directory, not a regular file"), std::string::npos)
	    << e.detail();
	EXPECT_NE(e.detail().find("Its \"key.pub\" is a symbolic link, not a regular file"), std::string::npos)
	    << e.detail();
	EXPECT_EQ(e.detail().find("\"data.key\" is"), std::string::npos) << e.detail();
}

TEST(UnwrapTarball, ExtraMember) {
	Vector v = make_vector();
	std::vector<Member> m = members_of(v);
	m.push_back({"notes.txt", kMarker});
	std::string tar = make_tar(m);
	ImportError e =
	    expect_error([&] { unwrap_tarball(tar.data(), tar.size()); }, "22000",
	                 "relocate: the encrypted export has an unknown member \"notes.txt\"", v.secrets(), true);
	EXPECT_TRUE(e.hint().empty());
}

TEST(UnwrapTarball, DotSlashNamesAreUnknownMembers) {
	Vector v = make_vector();
	std::string tar = make_tar({{"./export.json", v.token}, {"./data.key", v.data_key}, {"./key.pub", v.key_pub}});
	ImportError e =
	    expect_error([&] { unwrap_tarball(tar.data(), tar.size()); }, "22000",
	                 "relocate: the encrypted export has an unknown member \"./export.json\"", v.secrets(), true);
	EXPECT_NE(e.hint().find("tar -cf"), std::string::npos) << e.hint();
}

TEST(UnwrapTarball, UnprintableMemberNameIsEscaped) {
	std::string tar = make_tar({{"bad\x01name\"\xff", "x"}});
	expect_error([&] { unwrap_tarball(tar.data(), tar.size()); }, "22000",
	             "relocate: the encrypted export has an unknown member \"bad\\x01name\\\"\\xff\"", {}, true);
}

// --- The OpenSSL error queue ----------------------------------------------------------------------

TEST(DecryptExport, ErrorQueueIsEmptyAfterSuccessToo) {
	Vector v = make_vector();
	std::string tar = tar_of(v);
	ERR_clear_error();
	EXPECT_EQ(decrypt_tar(tar, v.private_key), v.plaintext);
	EXPECT_EQ(ERR_peek_error(), 0ul);
	EXPECT_EQ(fernet_decrypt(v.token, v.dek), v.plaintext);
	EXPECT_EQ(ERR_peek_error(), 0ul);
}

// --- Compressed plain exports (export_input) ------------------------------------------------------

// `data` as one compressed stream (no archive), as `gzip -c` writes it.
std::string compress_raw(const std::string &data, Filter filter) {
	std::string buf(data.size() * 2 + 4096, '\0');
	std::size_t used = 0;
	std::unique_ptr<archive, int (*)(archive *)> a(archive_write_new(), archive_write_free);
	check(a && archive_write_set_format_raw(a.get()) == ARCHIVE_OK, "raw");
	add_filter(a.get(), filter);
	check(archive_write_open_memory(a.get(), &buf[0], buf.size(), &used) == ARCHIVE_OK, "open_memory");
	std::unique_ptr<archive_entry, void (*)(archive_entry *)> e(archive_entry_new(), archive_entry_free);
	archive_entry_set_pathname(e.get(), "export.json");
	archive_entry_set_filetype(e.get(), AE_IFREG);
	archive_entry_set_size(e.get(), static_cast<la_int64_t>(data.size()));
	check(archive_write_header(a.get(), e.get()) == ARCHIVE_OK, "write_header");
	if (!data.empty())
		check(archive_write_data(a.get(), data.data(), data.size()) == static_cast<la_ssize_t>(data.size()),
		      "write_data");
	check(archive_write_close(a.get()) == ARCHIVE_OK, "close");
	buf.resize(used);
	return buf;
}

class CountEntries : public EntryConsumer {
public:
	std::vector<std::string> models;
	void consume(ExportEntry &e) override { models.push_back(e.model); }
};

TEST(ExportInput, CompressedPlainExportIsRecognizedAndRead) {
	const std::string json =
	    "[{\"model\": \"sentry.option\", \"pk\": 1, \"fields\": {\"key\": \"a\", \"value\": 1}},\n"
	    " {\"model\": \"sentry.option\", \"pk\": 2, \"fields\": {\"key\": \"b\", \"value\": 2}}]\n";
	const CheckInterrupts none;
	for (Filter f : {Filter::kGzip, Filter::kBzip2, Filter::kXz, Filter::kZstd}) {
		for (const std::string &plain : {json, "\xEF\xBB\xBF" + json}) {
			SCOPED_TRACE(static_cast<int>(f));
			const std::string packed = compress_raw(plain, f);
			ASSERT_NE(packed.substr(0, 1), "[");
			MemorySource raw(packed.data(), packed.size());
			EXPECT_EQ(detect_export_format(raw, none), ExportFormat::kCompressedJson);
			ExportInput input(raw, nullptr, none);
			EXPECT_EQ(input.format(), ExportFormat::kCompressedJson);
			CountEntries entries;
			read_export(input.json(), entries, none);
			EXPECT_EQ(entries.models, (std::vector<std::string>{"sentry.option", "sentry.option"}));
			// A second pass (the filters' pre-pass, then the import) reads the same.
			input.json().rewind();
			CountEntries again;
			read_export(input.json(), again, none);
			EXPECT_EQ(again.models.size(), 2u);
		}
	}
}

TEST(ExportInput, CompressedStreamHoldingNeitherJsonNorATarballIsNamed) {
	const CheckInterrupts none;
	struct Case {
		Filter filter;
		std::string inside;
		std::string message;
	} cases[] = {
	    {Filter::kGzip, std::string("PK\x03\x04\x14\x00\x00\x00", 8) + "export.json",
	     "relocate: the export is gzip-compressed, and what it holds is neither a JSON export nor a tarball: it "
	     "starts with \"PK\\x03\\x04\\x14\\x00\\x00\\x00export.j\""},
	    {Filter::kXz, "-- PostgreSQL database dump\n",
	     // '-' could start a JSON number: the reader reports it (malformed JSON), not this check.
	     ""},
	    {Filter::kBzip2, "COPY public.sentry_option (id, key) FROM stdin;\n",
	     "relocate: the export is bzip2-compressed, and what it holds is neither a JSON export nor a tarball: it "
	     "starts with \"COPY public.sent\""},
	    // (gzip inside gzip is unwrapped by libarchive, which tries the same filter again.)
	    {Filter::kXz, compress_raw("[]", Filter::kGzip),
	     "relocate: the export is xz-compressed, and what it holds is another gzip-compressed stream "
	     "(compressed twice?): it starts with \"\\x1f\\x8b"},
	};
	for (const Case &c : cases) {
		SCOPED_TRACE(c.inside);
		const std::string packed = compress_raw(c.inside, c.filter);
		MemorySource raw(packed.data(), packed.size());
		try {
			ExportInput input(raw, nullptr, none);
			CountEntries entries;
			read_export(input.json(), entries, none);
			ADD_FAILURE() << "no error";
		} catch (const ImportError &e) {
			EXPECT_STREQ(e.code(), "22P02") << e.what();
			if (c.message.empty()) {
				EXPECT_NE(std::string(e.what()).find("malformed JSON at line 1, byte offset 1"), std::string::npos)
				    << e.what();
				continue;
			}
			EXPECT_EQ(std::string(e.what()).substr(0, c.message.size()), c.message);
			EXPECT_NE(e.hint().find("Decompress the file"), std::string::npos) << e.hint();
		}
	}
}

// A compressed plain export that is damaged or cut short is named for what it is, not reported as a
// tarball: while the first header is unread (or says raw), libarchive's error is the compressed
// export's.
TEST(ExportInput, DamagedOrTruncatedCompressedPlainExportIsNamed) {
	const CheckInterrupts none;
	std::string json = "[";
	for (int i = 1; i <= 2000; ++i)
		json += std::string(i > 1 ? "," : "") + "{\"model\": \"sentry.option\", \"pk\": " + std::to_string(i) +
		        ", \"fields\": {\"key\": \"k" + std::to_string(i * 7919) + "\", \"value\": " + std::to_string(i) + "}}";
	json += "]";
	const auto error_of = [&](const std::string &packed) {
		MemorySource raw(packed.data(), packed.size());
		try {
			ExportInput input(raw, nullptr, none);
			CountEntries entries;
			read_export(input.json(), entries, none);
		} catch (const ImportError &e) {
			return e;
		}
		ADD_FAILURE() << "no error";
		return ImportError("", "");
	};
	for (Filter f : {Filter::kGzip, Filter::kBzip2, Filter::kXz}) {
		SCOPED_TRACE(static_cast<int>(f));
		const std::string packed = compress_raw(json, f);
		const std::string name = f == Filter::kGzip ? "gzip" : f == Filter::kBzip2 ? "bzip2" : "xz";
		ImportError cut = error_of(packed.substr(0, packed.size() / 2));
		EXPECT_STREQ(cut.code(), "22000") << cut.what();
		EXPECT_EQ(std::string(cut.what()), "relocate: the " + name + "-compressed export is truncated") << cut.detail();
	}
	// A gzip header, then deflate data overwritten in its middle.
	std::string garbage = compress_raw(json, Filter::kGzip);
	ASSERT_GT(garbage.size(), 200u);
	for (std::size_t k = 40; k < 120; ++k)
		garbage[k] = '\xff';
	ImportError damaged = error_of(garbage);
	EXPECT_STREQ(damaged.code(), "22000") << damaged.what();
	EXPECT_EQ(std::string(damaged.what()).find("tar"), std::string::npos) << damaged.what();
	EXPECT_NE(std::string(damaged.what()).find("relocate: the gzip-compressed export"), std::string::npos)
	    << damaged.what();
}

// `data` as one gzip member written by zlib at `level` (0: stored, so that a changed byte of the
// data still decompresses, to different bytes).
std::string gzip_member(const std::string &data, int level) {
	z_stream z{};
	check(deflateInit2(&z, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) == Z_OK, "deflateInit2");
	std::string out(deflateBound(&z, static_cast<uLong>(data.size())), '\0');
	z.next_in = reinterpret_cast<Bytef *>(const_cast<char *>(data.data()));
	z.avail_in = static_cast<uInt>(data.size());
	z.next_out = reinterpret_cast<Bytef *>(&out[0]);
	z.avail_out = static_cast<uInt>(out.size());
	check(deflate(&z, Z_FINISH) == Z_STREAM_END, "deflate");
	out.resize(z.total_out);
	deflateEnd(&z);
	return out;
}

// libarchive's gzip filter does not check a member's trailer: relocate decompresses gzip with zlib
// (src/core/gunzip.cpp), so a changed byte, a wrong CRC-32 or length, or bytes after the last
// member are errors, as gzip -t reports them; several members are read one after another, as
// gunzip does.
TEST(ExportInput, GzipTrailerIsChecked) {
	const CheckInterrupts none;
	const std::string json = "[{\"model\": \"sentry.option\", \"pk\": 1, \"fields\": {\"key\": \"kk\", \"value\": 1}}]";
	const auto keys_of = [&](const std::string &packed) {
		MemorySource raw(packed.data(), packed.size());
		ExportInput input(raw, nullptr, none);
		std::string all;
		char buf[7]; // small reads: members and trailers cross them
		for (std::size_t n; (n = input.json().read(buf, sizeof buf)) > 0;)
			all.append(buf, n);
		return all;
	};
	const auto error_of = [&](const std::string &packed) -> ImportError {
		try {
			keys_of(packed);
		} catch (const ImportError &e) {
			return e;
		}
		ADD_FAILURE() << "no error";
		return ImportError("", "");
	};
	const std::string stored = gzip_member(json, 0);
	EXPECT_EQ(keys_of(stored), json);

	std::string changed = stored;
	const std::size_t at = changed.find("\"kk\"");
	ASSERT_NE(at, std::string::npos);
	changed[at + 1] = 'Z'; // still a valid stored block: only the CRC-32 can tell
	ImportError crc = error_of(changed);
	EXPECT_STREQ(crc.code(), "22000");
	EXPECT_EQ(std::string(crc.what()),
	          "relocate: the gzip-compressed export cannot be decompressed: its data is damaged");
	EXPECT_EQ(crc.detail(), "incorrect data check");

	std::string length = gzip_member(json, 9);
	length[length.size() - 1] ^= 0x01; // ISIZE's high byte
	EXPECT_EQ(error_of(length).detail(), "incorrect length check");

	ImportError trailing = error_of(gzip_member(json, 9) + "GARBAGE");
	EXPECT_STREQ(trailing.code(), "22000");
	EXPECT_EQ(trailing.detail(), "trailing data after the end of the gzip stream");
	EXPECT_EQ(error_of(gzip_member(json, 9) + "\x1f").detail(), "trailing data after the end of the gzip stream");

	ImportError cut = error_of(gzip_member(json, 9).substr(0, 30));
	EXPECT_EQ(std::string(cut.what()), "relocate: the gzip-compressed export is truncated");

	// Two members (gzip -c a b), split inside an entry: read as one stream, on every pass.
	const std::string two = gzip_member(json.substr(0, 20), 9) + gzip_member(json.substr(20), 1);
	EXPECT_EQ(keys_of(two), json);
	MemorySource raw(two.data(), two.size());
	ExportInput input(raw, nullptr, none);
	CountEntries entries;
	read_export(input.json(), entries, none);
	input.json().rewind();
	read_export(input.json(), entries, none);
	EXPECT_EQ(entries.models, (std::vector<std::string>{"sentry.option", "sentry.option"}));
}

} // namespace
} // namespace relocate

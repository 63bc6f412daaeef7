// relocate-import --list: what an export holds (its models with their entry counts, its
// organizations with their slugs, its users), read on this machine with relocate's own core, so
// it needs no server, and decrypted with the private key when the export is encrypted.
//
// libpq-free and PostgreSQL-free (unit-tested in test/cli/).
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

#include "core/byte_source.hpp"
#include "core/export_input.hpp"

namespace relocate::cli {

// A file on this machine as a ByteSource (read in chunks, rewound for another pass). Throws
// std::runtime_error when it cannot be read.
class FileSource final : public ByteSource {
public:
	explicit FileSource(const std::string &path);
	~FileSource() override;
	FileSource(const FileSource &) = delete;
	FileSource &operator=(const FileSource &) = delete;
	std::size_t read(char *buf, std::size_t n) override;
	void rewind() override;
	std::uint64_t size_hint() const override { return size_; }

private:
	std::string path_;
	std::FILE *file_ = nullptr;
	std::uint64_t size_ = 0;
};

struct ExportListing {
	struct Model {
		std::string name;
		std::int64_t entries = 0;
	};
	struct Organization {
		std::int64_t pk = 0;
		std::string slug;
		std::string name;
	};
	ExportFormat format = ExportFormat::kJson;
	std::uint64_t bytes = 0;
	std::int64_t entries = 0;
	std::vector<Model> models; // in the order they first appear
	std::vector<Organization> organizations;
	std::vector<std::string> usernames;
};

// Reads the export `raw` holds (with `private_key_pem`, or null, for an encrypted one). Throws
// ImportError for an export that cannot be read, as the server would.
ExportListing list_export(ByteSource &raw, const std::string *private_key_pem, const CheckInterrupts &check);

// The listing as relocate-import --list prints it (`verbose`: the usernames too).
std::string render_listing(const ExportListing &listing, const std::string &path, bool verbose);

} // namespace relocate::cli

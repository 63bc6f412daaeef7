#include "cli/export_list.hpp"

#include <cerrno>
#include <cstring>
#include <stdexcept>
#include <sys/stat.h>
#include <unordered_map>

#include "cli/format.hpp"
#include "core/catalogue.hpp"
#include "core/export_reader.hpp"
#include "core/model_hooks.hpp"

namespace relocate::cli {

FileSource::FileSource(const std::string &path) : path_(path) {
	file_ = std::fopen(path.c_str(), "rb");
	if (file_ == nullptr)
		throw std::runtime_error("could not open \"" + path + "\": " + std::strerror(errno));
	struct stat st {};
	if (fstat(fileno(file_), &st) != 0 || !S_ISREG(st.st_mode)) {
		std::fclose(file_);
		file_ = nullptr;
		throw std::runtime_error("\"" + path + "\" is not a regular file");
	}
	size_ = static_cast<std::uint64_t>(st.st_size);
}

FileSource::~FileSource() {
	if (file_ != nullptr)
		std::fclose(file_);
}

std::size_t FileSource::read(char *buf, std::size_t n) {
	const std::size_t got = std::fread(buf, 1, n, file_);
	if (got == 0 && std::ferror(file_))
		throw std::runtime_error("could not read \"" + path_ + "\": " + std::strerror(errno));
	return got;
}

void FileSource::rewind() {
	if (std::fseek(file_, 0, SEEK_SET) != 0)
		throw std::runtime_error("could not rewind \"" + path_ + "\": " + std::strerror(errno));
	std::clearerr(file_);
}

namespace {

class Lister final : public EntryConsumer {
public:
	explicit Lister(ExportListing &out) : out_(out) {}
	void consume(ExportEntry &entry) override {
		++out_.entries;
		auto [it, added] = index_.emplace(entry.model, out_.models.size());
		if (added)
			out_.models.push_back({entry.model, 0});
		++out_.models[it->second].entries;
		if (entry.model != model_) { // once per model run: the model's part, from its hooks
			model_ = entry.model;
			role_ = relocate::hooks_for(model_).filter;
		}
		if (role_ == relocate::FilterRole::Organization)
			out_.organizations.push_back({entry.pk, text(entry, "slug"), text(entry, "name")});
		else if (role_ == relocate::FilterRole::User)
			out_.usernames.push_back(text(entry, "username"));
	}

private:
	static std::string text(const ExportEntry &entry, std::string_view field) {
		const FieldValue *v = entry.find(field);
		return v == nullptr || v->is_null() ? std::string() : v->text;
	}

	ExportListing &out_;
	std::unordered_map<std::string, std::size_t> index_;
	std::string model_;
	relocate::FilterRole role_ = relocate::FilterRole::None;
};

// The relocation scope(s) of a model as the catalogue has them: "Organization", "Config or Global";
// "unknown model", or "removed from Sentry" for a model Sentry deleted.
std::string scope_text(const std::string &model) {
	const ModelDef *m = find_model(model);
	if (m == nullptr)
		return find_removed_model(model) != nullptr ? "removed from Sentry" : "unknown model";
	std::string out;
	for (ScopeBits bit : {kScopeExcluded, kScopeUser, kScopeOrganization, kScopeConfig, kScopeGlobal})
		if ((m->scopes & bit) != 0)
			out += (out.empty() ? "" : " or ") + std::string(scope_name(bit));
	return out;
}

} // namespace

ExportListing list_export(ByteSource &raw, const std::string *private_key_pem, const CheckInterrupts &check) {
	ExportListing listing;
	listing.bytes = raw.size_hint();
	std::string_view pem;
	if (private_key_pem != nullptr)
		pem = *private_key_pem;
	ExportInput input(raw, private_key_pem != nullptr ? &pem : nullptr, check);
	listing.format = input.format();
	Lister lister(listing);
	input.json().rewind();
	read_export(input.json(), lister, check);
	return listing;
}

std::string render_listing(const ExportListing &listing, const std::string &path, bool verbose) {
	std::string out =
	    "Export: " + path + " (" + export_format_name(listing.format) + ", " + format_bytes(listing.bytes) + ")\n";
	out += "Entries: " + format_count(listing.entries) + " in " + format_count(listing.models.size()) + " models\n\n";
	TextTable models({"model", "entries", "relocation scope"});
	for (const auto &m : listing.models)
		models.add_row({m.name, format_count(m.entries), scope_text(m.name)});
	if (!models.empty())
		out += models.render() + "\n";
	out += "Organizations: " + format_count(listing.organizations.size()) + "\n";
	TextTable orgs({"pk", "slug", "name"});
	for (const auto &o : listing.organizations)
		orgs.add_row({std::to_string(o.pk), o.slug, o.name});
	if (!orgs.empty())
		out += orgs.render();
	out += "\nUsers: " + format_count(listing.usernames.size()) + "\n";
	if (verbose) {
		TextTable users({"username"});
		for (const auto &u : listing.usernames)
			users.add_row({u});
		if (!users.empty())
			out += users.render();
	}
	return out;
}

} // namespace relocate::cli

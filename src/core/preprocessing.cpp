#include "core/preprocessing.hpp"

#include <algorithm>
#include <map>
#include <memory>
#include <set>
#include <unordered_map>

#include "core/decrypt.hpp"
#include "core/error.hpp"
#include "core/export_reader.hpp"
#include "core/model_hooks.hpp"
#include "core/relocation.hpp"

namespace relocate::relocation {

std::string invalid_org_slug_reason(std::string_view slug) {
	return "You asked to import an organization with the slug " + std::string(slug) +
	       ", which is not formatted correctly.";
}

std::string missing_orgs_reason(const std::vector<std::string> &sorted_slugs) {
	std::string joined;
	for (std::size_t i = 0; i < sorted_slugs.size(); ++i)
		joined += (i ? "," : "") + sorted_slugs[i];
	return "The following organization slug imports were requested, but could not be found in your submitted JSON: " +
	       joined + ".";
}

std::string too_many_orgs_reason(std::size_t count) {
	return "The provided JSON contains " + std::to_string(count) +
	       " organizations matching one of the slugs you specified, but must not exceed the limit of " +
	       std::to_string(kMaxOrgsPerRelocation) + ".";
}

std::string too_many_users_reason(std::size_t count) {
	return "The provided JSON contains " + std::to_string(count) +
	       " users who are members of at least one of the organizations you specified, but must not exceed the limit "
	       "of " +
	       std::to_string(kMaxUsersPerRelocation) + ".";
}

bool valid_sentry_slug(std::string_view slug) {
	// `$` matches at the end and before a final "\n": the body is the slug without that newline.
	std::string_view body = slug;
	if (!body.empty() && body.back() == '\n')
		body.remove_suffix(1);
	if (body.empty())
		return false;
	bool all_digits = true;
	for (char c : body) {
		const bool digit = c >= '0' && c <= '9';
		if (!(digit || (c >= 'a' && c <= 'z') || c == '_' || c == '-'))
			return false;
		all_digits = all_digits && digit;
	}
	return !all_digits; // (?![0-9]+$)
}

namespace {

// Python's KeyError in Sentry's scan: an entry without a key the scan reads.
struct MissingKey {};

// A JSON value as a key of Sentry's dicts: integers by value (1 and 1 are the same pk), anything
// else by its type and text (so it matches no integer pk).
std::string key_of(const FieldValue &v) {
	std::int64_t n = 0;
	if (v.type == FieldValue::Type::Number && parse_int64(v.text, n))
		return std::to_string(n);
	return "\x01" + std::to_string(static_cast<int>(v.type)) + ":" + v.text;
}

// What Sentry's scan collects: organization pk -> slug, user id -> the organizations of its
// memberships, user pk -> username (process.py, preprocessing_scan).
class Scan final : public EntryConsumer {
public:
	void consume(ExportEntry &entry) override {
		if (entry.model != model_) { // once per model run: the model's part, from its hooks
			model_ = entry.model;
			role_ = hooks_for(model_).filter;
		}
		switch (role_) {
		case FilterRole::Organization: {
			const FieldValue *slug = need(entry, "slug");
			org_slugs_[std::to_string(entry.pk)] = slug->type == FieldValue::Type::String ? slug->text : std::string();
			org_slug_is_text_[std::to_string(entry.pk)] = slug->type == FieldValue::Type::String;
			break;
		}
		case FilterRole::Member: {
			const FieldValue *user_id = need(entry, "user_id");
			if (!user_id->is_null())
				memberships_[key_of(*user_id)].push_back(key_of(*need(entry, "organization")));
			break;
		}
		case FilterRole::User: {
			const FieldValue *username = need(entry, "username");
			if (username->type != FieldValue::Type::String)
				throw MissingKey{}; // not a username Sentry could record
			usernames_[std::to_string(entry.pk)] = username->text;
			break;
		}
		case FilterRole::Email:
		case FilterRole::None:
			break;
		}
	}

	ScanResult check(const std::vector<std::string> &want) const;

private:
	static const FieldValue *need(const ExportEntry &entry, std::string_view field) {
		const FieldValue *v = entry.find(field);
		if (v == nullptr)
			throw MissingKey{};
		return v;
	}

	std::unordered_map<std::string, std::string> org_slugs_;
	std::unordered_map<std::string, bool> org_slug_is_text_;
	std::unordered_map<std::string, std::vector<std::string>> memberships_;
	std::map<std::string, std::string> usernames_;
	std::string model_;
	FilterRole role_ = FilterRole::None;
};

ScanResult Scan::check(const std::vector<std::string> &want) const {
	const std::set<std::string> wanted(want.begin(), want.end());
	std::set<std::string> found_ids, found_slugs;
	for (const auto &[pk, slug] : org_slugs_)
		if (org_slug_is_text_.at(pk) && wanted.count(slug) != 0) {
			found_ids.insert(pk);
			found_slugs.insert(slug);
		}
	ScanResult result;
	for (const std::string &slug : want)
		if (!valid_sentry_slug(slug)) {
			result.failure_reason = invalid_org_slug_reason(slug);
			return result;
		}
	std::set<std::string> want_usernames;
	for (const auto &[pk, username] : usernames_) {
		auto member = memberships_.find(pk);
		if (member == memberships_.end())
			continue;
		for (const std::string &org : member->second)
			if (found_ids.count(org) != 0) {
				want_usernames.insert(username);
				break;
			}
	}
	std::vector<std::string> missing;
	std::set_difference(wanted.begin(), wanted.end(), found_slugs.begin(), found_slugs.end(),
	                    std::back_inserter(missing));
	if (usernames_.empty())
		result.failure_reason = kErrPreprocessingNoUsers;
	else if (!missing.empty())
		result.failure_reason = missing_orgs_reason(missing);
	else if (found_ids.size() > kMaxOrgsPerRelocation)
		result.failure_reason = too_many_orgs_reason(found_ids.size());
	else if (want_usernames.size() > kMaxUsersPerRelocation)
		result.failure_reason = too_many_users_reason(want_usernames.size());
	else
		result.want_usernames.assign(want_usernames.begin(), want_usernames.end());
	return result;
}

} // namespace

ScanResult scan_export(ByteSource &json, const std::vector<std::string> &want_org_slugs, const CheckInterrupts &check) {
	Scan scan;
	try {
		json.rewind();
		read_export(json, scan, check);
	} catch (const MissingKey &) {
		return {kErrPreprocessingInvalidJson,
		        "an organization, member or user entry lacks a field Sentry's scan reads",
		        {}};
	} catch (const ImportError &e) {
		// The reader's 22023 is an entry without "model", "pk" or "fields": Sentry's KeyError.
		// Malformed JSON is not caught by Sentry's scan: it fails the task with its internal error.
		if (std::string_view(e.code()) == sqlstate::kInvalidParameterValue)
			return {kErrPreprocessingInvalidJson, e.what(), {}};
		return {error_reason(kErrPreprocessingInternal, e.code(), e.what()), e.what(), {}};
	}
	return scan.check(want_org_slugs);
}

ScanResult scan_export(std::string_view json, const std::vector<std::string> &want_org_slugs) {
	MemorySource source(json.data(), json.size());
	return scan_export(source, want_org_slugs, {});
}

ScanResult scan_encrypted_export(const char *data, std::size_t length, std::string_view private_key_pem,
                                 const std::vector<std::string> &want_org_slugs, std::string &plaintext) {
	EncryptedExport encrypted;
	try {
		encrypted = unwrap_tarball(data, length);
	} catch (const ImportError &e) {
		return {kErrPreprocessingInvalidTarball, e.what(), {}};
	}
	try {
		plaintext = decrypt_export(encrypted, private_key_pem);
	} catch (const ImportError &e) {
		return {kErrPreprocessingDecryption, e.what(), {}};
	}
	return scan_export(plaintext, want_org_slugs);
}

namespace {

// Whether an error of opening an encrypted export is the tarball's (unreadable, truncated, members
// missing, unknown or too large) or the decryption's (the key, data.key, the Fernet token).
bool tarball_error(const ImportError &e) {
	const std::string_view m = e.what();
	return m.rfind("relocate: the encrypted export", 0) == 0 || m.rfind("relocate: member \"", 0) == 0;
}

} // namespace

ScanResult scan_encrypted_export(ByteSource &tarball, std::string_view private_key_pem,
                                 const std::vector<std::string> &want_org_slugs, const CheckInterrupts &check) {
	std::unique_ptr<ByteSource> json;
	try {
		json = open_encrypted_export(tarball, private_key_pem, check);
	} catch (const ImportError &e) {
		return {tarball_error(e) ? kErrPreprocessingInvalidTarball : kErrPreprocessingDecryption, e.what(), {}};
	}
	return scan_export(*json, want_org_slugs, check);
}

} // namespace relocate::relocation

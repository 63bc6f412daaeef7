#include "core/filters.hpp"

#include <algorithm>
#include <unordered_map>

namespace relocate {

namespace {

std::optional<std::string> string_field(const ExportEntry &entry, const char *name) {
	const FieldValue *v = entry.find(name);
	if (v == nullptr || v->type != FieldValue::Type::String)
		return std::nullopt;
	return v->text;
}

std::optional<std::int64_t> int_field(const ExportEntry &entry, const char *name) {
	const FieldValue *v = entry.find(name);
	std::int64_t n;
	if (v == nullptr || v->type != FieldValue::Type::Number || !parse_int64(v->text, n))
		return std::nullopt;
	return n;
}

// The pre-pass: what the derived filters need from users, organizations and memberships.
class Prepass : public EntryConsumer {
public:
	struct User {
		std::int64_t pk;
		std::optional<std::string> username;
		std::optional<std::string> email;
	};
	std::vector<User> users;
	std::unordered_map<std::int64_t, std::string> org_slugs;        // org pk -> slug
	std::vector<std::pair<std::int64_t, std::int64_t>> memberships; // (org pk, user pk)

	void consume(ExportEntry &entry) override {
		if (entry.model != model_) { // once per model run
			model_ = entry.model;
			role_ = hooks_for(model_).filter;
		}
		switch (role_) {
		case FilterRole::User:
			users.push_back(User{entry.pk, string_field(entry, "username"), string_field(entry, "email")});
			break;
		case FilterRole::Organization:
			if (auto slug = string_field(entry, "slug"))
				org_slugs[entry.pk] = *slug;
			break;
		case FilterRole::Member: {
			auto org = int_field(entry, "organization");
			auto user = int_field(entry, "user_id");
			if (org && user)
				memberships.emplace_back(*org, *user);
			break;
		}
		case FilterRole::Email:
		case FilterRole::None:
			break;
		}
	}

private:
	std::string model_;
	FilterRole role_ = FilterRole::None;
};

// The filter's non-NULL values; `nulls` counts the NULL elements, which match nothing.
std::unordered_set<std::string> to_set(const TextArray &values, std::int64_t &nulls) {
	std::unordered_set<std::string> out;
	for (const auto &v : values) {
		if (v)
			out.insert(*v);
		else
			++nulls;
	}
	return out;
}

// The values of `filter` not in `seen`, sorted.
std::vector<std::string> unmatched(const std::unordered_set<std::string> &filter,
                                   const std::unordered_set<std::string> &seen) {
	std::vector<std::string> out;
	for (const std::string &v : filter)
		if (seen.count(v) == 0)
			out.push_back(v);
	std::sort(out.begin(), out.end());
	return out;
}

} // namespace

namespace {

// False if the entry's string `field` is not in `allowed` (nullopt: no filter).
bool in_filter(const std::optional<std::unordered_set<std::string>> &allowed, const ExportEntry &entry,
               const char *field) {
	if (!allowed)
		return true;
	auto value = string_field(entry, field);
	return value && allowed->count(*value) != 0;
}

} // namespace

const char *ImportFilters::exclusion(FilterRole role, const ExportEntry &entry) const {
	switch (role) {
	case FilterRole::User:
		if (!in_filter(usernames, entry, "username"))
			return "filtered out: its username is not in user_filter";
		if (user_pks && user_pks->count(entry.pk) == 0)
			return "filtered out: not a member of an organization in org_filter";
		return nullptr;
	case FilterRole::Organization:
		return in_filter(org_slugs, entry, "slug") ? nullptr : "filtered out: its slug is not in org_filter";
	case FilterRole::Email:
		return in_filter(emails, entry, "email") ? nullptr : "filtered out: not an address of a user the filters admit";
	case FilterRole::Member:
	case FilterRole::None:
		break;
	}
	return nullptr;
}

ImportFilters build_filters(ByteSource &source, const std::optional<TextArray> &org_filter,
                            const std::optional<TextArray> &user_filter, const CheckInterrupts &check) {
	ImportFilters f;
	if (!org_filter && !user_filter)
		return f;
	Prepass pre;
	source.rewind();
	read_export(source, pre, check);
	f.emails.emplace();
	if (user_filter) {
		f.usernames = to_set(*user_filter, f.null_usernames);
		std::unordered_set<std::string> seen;
		for (const auto &u : pre.users) {
			if (u.username && u.email && f.usernames->count(*u.username))
				f.emails->insert(*u.email);
			if (u.username && f.usernames->count(*u.username))
				seen.insert(*u.username);
		}
		f.unmatched_usernames = unmatched(*f.usernames, seen);
	}
	if (org_filter) {
		f.org_slugs = to_set(*org_filter, f.null_slugs);
		std::unordered_set<std::int64_t> org_pks;
		std::unordered_set<std::string> seen;
		for (const auto &[pk, slug] : pre.org_slugs)
			if (f.org_slugs->count(slug)) {
				org_pks.insert(pk);
				seen.insert(slug);
			}
		f.unmatched_slugs = unmatched(*f.org_slugs, seen);
		f.user_pks.emplace();
		for (const auto &[org, user] : pre.memberships)
			if (org_pks.count(org))
				f.user_pks->insert(user);
		for (const auto &u : pre.users)
			if (u.email && f.user_pks->count(u.pk))
				f.emails->insert(*u.email);
	}
	return f;
}

} // namespace relocate

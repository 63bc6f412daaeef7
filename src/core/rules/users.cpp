// Sentry's import rules for users and what belongs to them (sentry.user, useremail, useroption,
// userpermission, userip): src/sentry/users/models/user.py (User.normalize_before_relocation_import,
// User.write_relocation_import), useremail.py, user_option.py, userip.py, and the signals that
// create a new user's primary UserEmail (and its Email) and, outside Global scope, a
// LostPasswordHash.
#include <initializer_list>
#include <unordered_set>

#include "core/error.hpp"
#include "core/generated_values.hpp"
#include "core/password_hashes.hpp"
#include "core/rules/rules.hpp"

namespace relocate::rules {

namespace {

// True if the row's "user" reference is a user that was not inserted by this import (a merged user).
bool refers_to_merged_user(const RowReferences &refs) {
	for (const auto &[field, kind] : refs)
		if (field == "user")
			return kind != ImportKind::Inserted;
	return false;
}

} // namespace

bool normalize_user(RuleContext &ctx, RowEdit &row, const RowReferences &) {
	// Outside Config and Global scope nobody keeps administrative privileges.
	if (!ctx.config_or_global_scope()) {
		row.set("is_staff", "false");
		row.set("is_superuser", "false");
		row.set("is_managed", "false");
	}
	// Outside Global scope (or for a user already unclaimed) the password is replaced by an unknown
	// one and the user must claim the account (LostPasswordHash, see after_write_users). The hash is
	// computed for the whole batch in resolve_users (replacement_passwords): is_unclaimed marks the
	// rows that need one.
	if (!ctx.global_scope() || row.get("is_unclaimed") == std::optional<std::string>("true")) {
		row.set("is_unclaimed", "true");
		row.set("password", std::string());
		row.set("last_password_change", "now");
		row.set("is_password_expired", "false");
	}
	return true;
}

namespace {

// The replacement passwords normalize_user asked for: a Django hash of a fresh random password for
// every unclaimed user the batch inserts (a merged user keeps its own), all at once, on as many
// cores as there are when the iteration count is high.
void replacement_passwords(RuleContext &ctx, BatchEdit &batch) {
	std::vector<std::size_t> rows;
	for (std::size_t r = 0; r < batch.rows(); ++r)
		if (batch.fate(r).action == RowFate::Action::Insert &&
		    batch.get(r, "is_unclaimed") == std::optional<std::string>("true"))
			rows.push_back(r);
	InPhase phase(ctx.timeline(), Phase::Hashing);
	std::vector<std::string> hashes = random_password_hashes(rows.size(), ctx.options().password_hash_iterations, 0,
	                                                         [&ctx] { ctx.target().check_for_interrupts(); });
	for (std::size_t i = 0; i < rows.size(); ++i)
		batch.set(rows[i], "password", std::move(hashes[i]));
}

// The usernames of the batch: merged with an existing user (merge_users), kept, or given Sentry's suffix.
void place_usernames(RuleContext &ctx, BatchEdit &batch) {
	const int username_col = batch.table().find("username");
	if (username_col < 0)
		return;
	std::vector<std::size_t> rows;
	std::vector<std::string> usernames;
	for (std::size_t r = 0; r < batch.rows(); ++r) {
		if (auto u = batch.get(r, "username")) {
			rows.push_back(r);
			usernames.push_back(*u);
		}
	}
	if (rows.empty())
		return;
	// Usernames are unique across concurrent imports too: they take turns (held to commit).
	ctx.lock_once("relocate usernames");
	// merge_users: an exact (case-sensitive) username match reuses the existing user.
	std::vector<std::optional<FoundRow>> exact(rows.size());
	if (ctx.options().merge_users) {
		KeyLookup lookup;
		lookup.table = &batch.table();
		lookup.columns = {username_col};
		for (const std::string &u : usernames)
			lookup.probes.push_back({u});
		exact = ctx.target().find_rows(lookup);
	}
	std::vector<std::size_t> to_place;
	std::vector<std::string> bases;
	for (std::size_t i = 0; i < rows.size(); ++i) {
		if (exact[i]) {
			RowFate &fate = batch.fate(rows[i]);
			fate.becomes(RowFate::Action::Reuse, ImportKind::Existing);
			fate.id = exact[i]->id;
			continue;
		}
		to_place.push_back(i);
		bases.push_back(suffix_base(usernames[i], {}));
	}
	// Otherwise the username must be free (case-insensitively, and not all digits), else it gets a
	// random suffix (usernames are at most 128 characters).
	UniqueValues &taken = ctx.unique_values("usernames", {{batch.table().name, "username"}});
	std::vector<std::string> names = ctx.pick_unique(taken, bases, 128);
	for (std::size_t j = 0; j < to_place.size(); ++j)
		batch.set(rows[to_place[j]], "username", names[j]);
}

} // namespace

void resolve_users(RuleContext &ctx, BatchEdit &batch) {
	place_usernames(ctx, batch);
	replacement_passwords(ctx, batch);
}

void after_write_users(RuleContext &ctx, const BatchEdit &batch, const Written &written) {
	std::vector<TextArray> useremails, emails, lost;
	std::vector<std::int64_t> useremail_pks, email_pks, lost_pks;
	for (const WrittenRow &w : written) {
		if (w.action != RowFate::Action::Insert)
			continue;
		// Saving a new user creates its primary UserEmail, which creates the Email row.
		std::optional<std::string> email = batch.get(w.row, "email");
		if (email && !email->empty()) {
			useremails.push_back(
			    {std::to_string(w.new_pk), *email, random_alnum(32), std::string("now"), std::string("false")});
			useremail_pks.push_back(w.source_pk);
			emails.push_back({*email, std::string("now")});
			email_pks.push_back(w.source_pk);
		}
		// Outside Global scope every new user must claim the account: a LostPasswordHash.
		if (!ctx.global_scope()) {
			lost.push_back({std::to_string(w.new_pk), random_alnum(32), std::string("now")});
			lost_pks.push_back(w.source_pk);
		}
	}
	// The export's own UserEmail and Email rows come later and get-or-create these: they are held back
	// until then, and a file row takes the place of its derived row (one write instead of two).
	ctx.insert_derived_later("sentry.useremail", "sentry_useremail",
	                         {"user_id", "email", "validation_hash", "date_hash_added", "is_verified"},
	                         {"user_id", "email"}, false, useremails, useremail_pks, true);
	if (ctx.shape("sentry_email"))
		ctx.insert_derived_later("sentry.email", "sentry_email", {"email", "date_added"}, {"email"}, true, emails,
		                         email_pks, true);
	ctx.insert_derived("sentry_lostpasswordhash", {"user_id", "hash", "date_added"}, lost, lost_pks, false);
}

bool normalize_user_email(RuleContext &ctx, RowEdit &row, const RowReferences &refs) {
	if (refers_to_merged_user(refs))
		return false; // the merged user keeps its own addresses
	if (!ctx.global_scope()) {
		row.set("is_verified", "false");
		row.set("validation_hash", random_alnum(32));
		row.set("date_hash_added", "now");
	}
	return true;
}

bool normalize_row_of_user(RuleContext &, RowEdit &, const RowReferences &refs) {
	return !refers_to_merged_user(refs);
}

bool normalize_user_ip(RuleContext &, RowEdit &row, const RowReferences &refs) {
	if (refers_to_merged_user(refs))
		return false;
	// Sentry recomputes the location from its GeoIP data; without it the codes are unknown.
	row.set_null("country_code");
	row.set_null("region_code");
	return true;
}

namespace {

// Sentry validates {key: value} of a user option with its user-options serializer; a value it
// refuses fails the import. Checked here: timezone (a time zone the database knows),
// stacktraceOrder, clock24Hours, theme, defaultIssueEvent, prefersIssueDetailsStreamlinedUI.
// (language needs Sentry's list of languages and is not checked.)
void validate_user_options(RuleContext &ctx, BatchEdit &batch) {
	auto fail = [&](std::size_t r, const std::string &key, const std::string &why) {
		throw ImportError(sqlstate::kInvalidParameterValue,
		                  std::string("relocate: ") + batch.model() + " pk " + std::to_string(batch.source_pk(r)) +
		                      ", field \"value\": " + why + " for the option \"" + key + "\"",
		                  "Sentry's user-options validation refuses it, and Sentry's import fails too.");
	};
	std::vector<std::size_t> tz_rows;
	std::vector<std::string> zones;
	for (std::size_t r = 0; r < batch.rows(); ++r) {
		std::optional<std::string> key = batch.get(r, "key"), json = batch.get(r, "value");
		if (!key || !json)
			continue;
		std::string_view j = *json;
		std::optional<std::string> text = option_text(j); // the JSON string's text, or the literal
		bool is_string = !j.empty() && j.front() == '"';
		bool is_bool = j == "true" || j == "false";
		auto one_of = [&](std::initializer_list<const char *> allowed) {
			for (const char *a : allowed)
				if (text && *text == a)
					return true;
			return false;
		};
		if (*key == "timezone") {
			if (!is_string)
				fail(r, *key, "not a time zone name");
			tz_rows.push_back(r);
			zones.push_back(*text);
		} else if (*key == "stacktraceOrder") {
			if (!one_of({"-1", "1", "2"}))
				fail(r, *key, "\"" + text.value_or("null") + "\" is not one of -1, 1, 2");
		} else if (*key == "clock24Hours" || *key == "prefersIssueDetailsStreamlinedUI") {
			if (!is_bool && !one_of({"true", "false"}))
				fail(r, *key, "not a boolean");
		} else if (*key == "theme") {
			if (!is_string || !one_of({"light", "dark", "system"}))
				fail(r, *key, "\"" + text.value_or("null") + "\" is not one of light, dark, system");
		} else if (*key == "defaultIssueEvent") {
			if (!is_string || !one_of({"recommended", "latest", "oldest"}))
				fail(r, *key, "\"" + text.value_or("null") + "\" is not one of recommended, latest, oldest");
		}
	}
	if (zones.empty())
		return;
	std::vector<bool> known = ctx.target().known_time_zones(zones);
	for (std::size_t i = 0; i < zones.size(); ++i)
		if (!known[i])
			fail(tz_rows[i], "timezone", "\"" + zones[i] + "\" is not a known time zone");
}

// A global option (neither organization nor project) whose user already has a global option with
// that key is skipped. The database does not stop duplicate global options (NULLs never collide),
// so earlier rows of this batch count too.
void skip_duplicate_global_options(RuleContext &ctx, BatchEdit &batch) {
	const TableShape &table = batch.table();
	const int user_col = table.find("user_id"), key_col = table.find("key");
	if (user_col < 0 || key_col < 0)
		return;
	KeyLookup lookup;
	lookup.table = &table;
	lookup.columns = {user_col, key_col};
	for (const char *column : {"organization_id", "project_id"})
		if (int c = table.find(column); c >= 0)
			lookup.null_columns.push_back(c);
	std::unordered_set<std::string> in_batch;
	std::vector<std::size_t> rows;
	for (std::size_t r = 0; r < batch.rows(); ++r) {
		if (batch.get(r, "organization_id") || batch.get(r, "project_id"))
			continue;
		std::optional<std::string> user = batch.get(r, "user_id"), key = batch.get(r, "key");
		if (!user || !key)
			continue;
		if (!in_batch.insert(*user + '\0' + *key).second) {
			batch.fate(r).action = RowFate::Action::Skip;
			continue;
		}
		lookup.probes.push_back({*user, *key});
		rows.push_back(r);
	}
	if (rows.empty())
		return;
	std::vector<std::optional<FoundRow>> found = ctx.target().find_rows(lookup);
	for (std::size_t i = 0; i < rows.size(); ++i)
		if (found[i])
			batch.fate(rows[i]).action = RowFate::Action::Skip;
}

} // namespace

void resolve_user_options(RuleContext &ctx, BatchEdit &batch) {
	validate_user_options(ctx, batch);
	skip_duplicate_global_options(ctx, batch);
}

} // namespace relocate::rules

// Sentry's import rules for users and what belongs to them (sentry.user, useremail, useroption,
// userpermission, userip): src/sentry/users/models/user.py (User.normalize_before_relocation_import,
// User.write_relocation_import), useremail.py, user_option.py, userip.py, and the signals that
// create a new user's primary UserEmail (and its Email) and, outside Global scope, a
// LostPasswordHash.
#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstdlib>
#include <initializer_list>
#include <unordered_map>
#include <unordered_set>

#include "core/error.hpp"
#include "core/generated_values.hpp"
#include "core/password_hashes.hpp"
#include "core/rules/rules.hpp"
#include "core/sentry_lists.hpp"
#include "core/text.hpp"
#include "core/value.hpp"

namespace relocate::rules {

namespace {

// Why a row of a merged user is skipped: the normalize_before_relocation_import of UserEmail, UserIP,
// UserOption and UserPermission (src/sentry/users/models/) returns None for a user whose pk map kind
// is not Inserted.
constexpr const char *kOfMergedUser =
    "its user was merged into an existing user (merge_users), who keeps their own (Sentry's "
    "normalize_before_relocation_import)";

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
		if (!ctx.global_scope())
			ctx.start_password_hashes_ahead(); // every user of the scope will need one
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
	std::vector<std::string> hashes = ctx.replacement_password_hashes(rows.size());
	for (std::size_t i = 0; i < rows.size(); ++i)
		batch.set(rows[i], "password", std::move(hashes[i]));
}

[[noreturn]] void fail_user(const BatchEdit &batch, std::size_t r, const char *field, const std::string &what,
                            const std::string &sentry_says) {
	throw ImportError(sqlstate::kInvalidParameterValue,
	                  std::string("relocate: ") + batch.model() + " pk " + std::to_string(batch.source_pk(r)) +
	                      ", field \"" + field + "\": " + what,
	                  "Sentry's UserSerializer says: " + sentry_says,
	                  "Sentry's import fails on it too (a ValidationError); correct the user in the export.");
}

// Sentry's user serializer as User.write_relocation_import runs it before writing (UserSerializer,
// or in Config and Global scope SuperuserUserSerializer, StaffSerializer in newer Sentry), on the
// row as it is about to be written, i.e. after a collision rename. Its fields are DRF CharFields
// that trim whitespace, so the checks see the stripped values; the row keeps its own.
void validate_user(RuleContext &ctx, const BatchEdit &batch, std::size_t r, const std::string &username) {
	const std::string_view trimmed = python_strip(username);
	if (trimmed.empty())
		fail_user(batch, r, "username", "the username is blank", "This field may not be blank.");
	if (utf8_length(trimmed) > 128)
		fail_user(batch, r, "username", "the username is longer than 128 characters",
		          "Ensure this field has no more than 128 characters.");
	if (batch.table().find("first_name") >= 0) {
		const std::optional<std::string> name = batch.get(r, "first_name");
		if (!name)
			fail_user(batch, r, "name", "the name is null", "This field may not be null.");
		if (utf8_length(python_strip(*name)) > 200)
			fail_user(batch, r, "name", "the name is longer than 200 characters",
			          "Ensure this field has no more than 200 characters.");
	}
	if (ctx.config_or_global_scope() && batch.table().find("is_active") >= 0 && !batch.get(r, "is_active"))
		fail_user(batch, r, "is_active", "is_active is null", "This field may not be null.");
}

// The usernames of the batch: merged with an existing user (merge_users), kept, or given Sentry's
// suffix, then validated.
void place_usernames(RuleContext &ctx, BatchEdit &batch) {
	// User.write_relocation_import (src/sentry/users/models/user.py): only a user whose username an
	// existing user has exactly takes the collision path: merged into that user with merge_users,
	// else renamed by unique_db_instance (stripped, then kept if free case-insensitively and not all
	// digits, else Sentry's random suffix). Any other username is written exactly as it is (digits,
	// spaces and all). Sentry's serializer then refuses a username that another user has
	// case-insensitively; relocate renames it on the collision path instead (a deliberate
	// difference). "Existing" includes the users this import wrote earlier, as in Sentry.
	const int username_col = batch.table().find("username");
	if (username_col < 0)
		return;
	std::vector<std::size_t> rows;
	std::vector<std::string> usernames;
	for (std::size_t r = 0; r < batch.rows(); ++r) {
		if (auto u = batch.get(r, "username")) { // never NULL: auth_user.username is NOT NULL
			rows.push_back(r);
			usernames.push_back(*u);
		}
	}
	if (rows.empty())
		return;
	// Usernames are unique across concurrent imports too: they take turns (held to commit).
	ctx.lock_once("relocate usernames");
	// The exact matches: one lookup for the batch (the unique index on username serves it), and the
	// earlier rows of this batch.
	KeyLookup lookup;
	lookup.table = &batch.table();
	lookup.columns = {username_col};
	for (const std::string &u : usernames)
		lookup.probes.push_back({u});
	const std::vector<std::optional<FoundRow>> exact = ctx.target().find_rows(lookup);
	UniqueValues &taken = ctx.unique_values("usernames", {{batch.table().name, "username"}});
	CaseFolds folds;
	std::vector<std::string> bases(rows.size());
	for (std::size_t i = 0; i < rows.size(); ++i) {
		bases[i] = suffix_base(usernames[i], {});
		folds.add(usernames[i]);
		folds.add(std::string(python_strip(usernames[i])));
		folds.add_base(bases[i], 128);
	}
	ctx.fold(folds);                                       // at most one query, only for non-ASCII usernames
	std::unordered_map<std::string, std::size_t> in_batch; // username -> first row of this batch with it
	for (std::size_t i = 0; i < rows.size(); ++i) {
		const std::size_t r = rows[i];
		RowFate &fate = batch.fate(r);
		auto earlier = in_batch.find(usernames[i]);
		const bool exact_match = exact[i] || earlier != in_batch.end();
		if (exact_match && ctx.options().merge_users) {
			fate.becomes(RowFate::Action::Reuse, ImportKind::Existing);
			if (exact[i])
				fate.id = exact[i]->id;
			else
				fate.same_as_row = static_cast<long>(earlier->second);
			continue;
		}
		// The serializer's case-insensitive check compares the stripped username.
		const std::string stripped(python_strip(usernames[i]));
		const bool taken_case_insensitively = !stripped.empty() && taken.taken.count(folds.upper(stripped)) > 0;
		std::string username = usernames[i];
		if (exact_match || taken_case_insensitively) {
			// Whose username it is, for the report's `renamed` row: a user this import wrote (an
			// earlier entry of the export) or one the install had.
			const bool by_export =
			    earlier != in_batch.end() || taken.picked(folds.upper(exact_match ? usernames[i] : stripped));
			fate.renamed_because = by_export ? "taken by an earlier entry of the export" : "taken on this install";
			username = ctx.pick_unique(taken, {bases[i]}, 128, folds).front();
			batch.set(r, "username", username);
		} else {
			taken.taken[folds.upper(username)] = true;
		}
		validate_user(ctx, batch, r, username);
		in_batch.emplace(std::move(username), r); // what later rows of the batch find exactly
	}
}

} // namespace

void resolve_users(RuleContext &ctx, BatchEdit &batch) {
	place_usernames(ctx, batch);
	replacement_passwords(ctx, batch);
}

namespace {

// The Email rows Sentry's create_email signal (receivers/email.py) makes for the UserEmails just
// created, an IntegrityError ignored: held back for the export's own Email entries, as
// get-or-create by address. Sentry dropped the Email model (and its table) in 2026: no signal
// creates its rows any more.
void create_email_rows(RuleContext &ctx, const std::vector<TextArray> &emails, const char *source_model,
                       const std::vector<std::int64_t> &source_pks) {
	if (!ctx.table_removed_by_sentry("sentry.email"))
		ctx.insert_derived_later("sentry.email", "sentry_email", {"email", "date_added"}, {"email"}, true, emails,
		                         source_model, source_pks, true);
}

} // namespace

// Every UserEmail created (an address other than the primary one, which the user's own save
// created: that row is updated) creates its Email row. In an import filtered by users or
// organizations Sentry's email filter keeps only the primary addresses' Email rows
// (backup/imports.py _import, user_to_email): the other addresses' rows come from this signal,
// dated now. An empty address gets none, as for a user (docs/differences-from-sentry.md).
void after_write_user_emails(RuleContext &ctx, const BatchEdit &batch, const Written &written) {
	std::vector<TextArray> emails;
	std::vector<std::int64_t> email_pks;
	for (const WrittenRow &w : written) {
		if (w.action != RowFate::Action::Insert)
			continue;
		std::optional<std::string> email = batch.get(w.row, "email");
		if (email && !email->empty()) {
			emails.push_back({*email, std::string("now")});
			email_pks.push_back(w.source_pk);
		}
	}
	create_email_rows(ctx, emails, "sentry.useremail", email_pks);
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
	                         {"user_id", "email"}, false, useremails, "sentry.user", useremail_pks, true);
	create_email_rows(ctx, emails, "sentry.user", email_pks);
	ctx.insert_derived("sentry_lostpasswordhash", {"user_id", "hash", "date_added"}, lost, lost_pks, false);
}

bool normalize_user_email(RuleContext &ctx, RowEdit &row, const RowReferences &refs) {
	if (refers_to_merged_user(refs))
		return row.skip(kOfMergedUser); // the merged user keeps its own addresses
	if (!ctx.global_scope()) {
		row.set("is_verified", "false");
		row.set("validation_hash", random_alnum(32));
		row.set("date_hash_added", "now");
	}
	return true;
}

bool normalize_row_of_user(RuleContext &, RowEdit &row, const RowReferences &refs) {
	return !refers_to_merged_user(refs) || row.skip(kOfMergedUser);
}

bool normalize_user_ip(RuleContext &, RowEdit &row, const RowReferences &refs) {
	if (refers_to_merged_user(refs))
		return row.skip(kOfMergedUser);
	// Sentry recomputes the location from its GeoIP data; without it the codes are unknown.
	row.set_null("country_code");
	row.set_null("region_code");
	// UserIP.write_relocation_import runs full_clean, which normalises an IPv6 address (compressed,
	// lower case, as inet prints it too), before its get-or-create by (user, ip_address): the same
	// address written two ways is one row.
	if (auto ip = row.get("ip_address")) {
		unsigned char bin[sizeof(in6_addr)];
		char text[INET6_ADDRSTRLEN];
		if (ip->find(':') != std::string::npos && inet_pton(AF_INET6, ip->c_str(), bin) == 1 &&
		    inet_ntop(AF_INET6, bin, text, sizeof text) != nullptr)
			row.set("ip_address", text);
	}
	return true;
}

namespace {

// Sentry's UserOption.write_relocation_import validates {key: value} with UserOptionsSerializer
// (src/sentry/users/api/endpoints/user_details.py) before writing; a value it refuses fails the
// import. Only keys that are one of the serializer's field names are checked (DRF ignores any other
// key): in real exports only language, timezone and theme, since Sentry stores the others under
// snake_case keys (clock_24_hours, stacktrace_order, ...). The fields, as DRF 3.14 checks them:
//   ChoiceField  language (LANGUAGES), timezone (AVAILABLE_TIMEZONES), theme, stacktraceOrder,
//                defaultIssueEvent: str(value) must be one of the choices, exactly
//   BooleanField clock24Hours and the prefers* flags: one of DRF's TRUE_VALUES / FALSE_VALUES
// and null is refused by every field ("This field may not be null.").
struct OptionField {
	const char *key;
	enum class Kind : std::uint8_t { Language, TimeZone, Choice, Boolean } kind;
	std::initializer_list<const char *> choices;
};

const OptionField kOptionFields[] = {
    {"language", OptionField::Kind::Language, {}},
    {"stacktraceOrder", OptionField::Kind::Choice, {"-1", "1", "2"}},
    {"timezone", OptionField::Kind::TimeZone, {}},
    {"clock24Hours", OptionField::Kind::Boolean, {}},
    {"theme", OptionField::Kind::Choice, {"light", "dark", "system"}},
    {"defaultIssueEvent", OptionField::Kind::Choice, {"recommended", "latest", "oldest"}},
    {"prefersIssueDetailsStreamlinedUI", OptionField::Kind::Boolean, {}},
    {"prefersNextjsInsightsOverview", OptionField::Kind::Boolean, {}},
    {"prefersChonkUI", OptionField::Kind::Boolean, {}},
};

const OptionField *option_field(std::string_view key) {
	for (const OptionField &f : kOptionFields)
		if (key == f.key)
			return &f;
	return nullptr;
}

bool is_json_integer(std::string_view j) {
	std::size_t i = !j.empty() && j.front() == '-' ? 1 : 0;
	return i < j.size() && j.find_first_not_of("0123456789", i) == std::string_view::npos;
}

// DRF's BooleanField: the JSON value (text) is in TRUE_VALUES or FALSE_VALUES. Python's set
// membership compares numbers by value, so 1.0 and 0.0 are booleans too.
bool drf_boolean(std::string_view json, const std::optional<std::string> &text) {
	static const std::unordered_set<std::string_view> kStrings = {
	    "t", "T", "y", "Y", "yes", "Yes", "YES", "true",  "True",  "TRUE",  "on",  "On",  "ON",  "1",
	    "f", "F", "n", "N", "no",  "No",  "NO",  "false", "False", "FALSE", "off", "Off", "OFF", "0"};
	if (json == "true" || json == "false")
		return true;
	if (!json.empty() && json.front() == '"')
		return text && kStrings.count(*text) > 0;
	if (json.empty() || (json.front() != '-' && (json.front() < '0' || json.front() > '9')))
		return false; // null, a list or an object
	char *end = nullptr;
	const std::string number(json);
	const double v = std::strtod(number.c_str(), &end);
	return end == number.c_str() + number.size() && (v == 1.0 || v == 0.0);
}

// The reason DRF gives for refusing `json` as the value of `field`, or "" if it accepts it.
std::string option_error(const OptionField &field, std::string_view json) {
	std::optional<std::string> text = option_text(json); // the JSON string's text, or the literal
	if (!text)
		return "This field may not be null.";
	if (field.kind == OptionField::Kind::Boolean)
		return drf_boolean(json, text) ? "" : "Must be a valid boolean.";
	// ChoiceField: str(value). A string is itself and an integer its digits; str() of anything else
	// (True, 1.0, a list) is no choice of any of these fields.
	const bool is_string = !json.empty() && json.front() == '"';
	bool valid = false;
	if (is_string || is_json_integer(json)) {
		switch (field.kind) {
		case OptionField::Kind::Language:
			valid = is_sentry_language(*text);
			break;
		case OptionField::Kind::TimeZone:
			valid = is_sentry_time_zone(*text);
			break;
		default:
			for (const char *choice : field.choices)
				valid = valid || *text == choice;
		}
	}
	if (valid)
		return "";
	return (WithheldValues::active() ? std::string(kWithheldValue) : "\"" + *text + "\"") + " is not a valid choice.";
}

void validate_user_options(BatchEdit &batch) {
	for (std::size_t r = 0; r < batch.rows(); ++r) {
		const std::optional<std::string> key = batch.get(r, "key");
		const OptionField *field = key ? option_field(*key) : nullptr;
		if (field == nullptr)
			continue;
		// A NULL cell is JSON null (jsonb columns hold JSON null as NULL).
		const std::string why = option_error(*field, batch.get(r, "value").value_or("null"));
		if (!why.empty())
			throw ImportError(sqlstate::kInvalidParameterValue,
			                  std::string("relocate: ") + batch.model() + " pk " + std::to_string(batch.source_pk(r)) +
			                      ", field \"value\": Sentry refuses this value for the option \"" + *key + "\"",
			                  "Sentry's UserOptionsSerializer says: " + why,
			                  "Sentry's import fails on it too; correct or remove the option in the export.");
	}
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
			batch.fate(r).skip("an earlier entry of the export gives the user a global option with this key");
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
			batch.fate(rows[i]).skip(
			    "the user already has a global option with this key (UserOption.write_relocation_import)");
}

} // namespace

void resolve_user_options(RuleContext &ctx, BatchEdit &batch) {
	validate_user_options(batch);
	skip_duplicate_global_options(ctx, batch);
}

} // namespace relocate::rules

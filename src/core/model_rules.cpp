#include "core/model_rules.hpp"

#include <algorithm>
#include <map>
#include <cctype>
#include <chrono>
#include <cstdio>
#include <ctime>

#include "core/json.hpp" // first RapidJSON include (see json.hpp)

#include "core/error.hpp"
#include "core/generated_values.hpp"
#include "core/importer.hpp"

namespace relocate {

// --- RowEdit, BatchEdit -------------------------------------------------------------------------

std::optional<std::string> RowEdit::get(const char *column) const {
	int c = table_.find(column);
	if (c < 0 || states_[static_cast<std::size_t>(c)] != kValue)
		return std::nullopt;
	return values_[static_cast<std::size_t>(c)];
}

void RowEdit::set(const char *column, std::string value) {
	int c = table_.find(column);
	if (c < 0)
		return;
	values_[static_cast<std::size_t>(c)] = std::move(value);
	states_[static_cast<std::size_t>(c)] = kValue;
}

void RowEdit::set_null(const char *column) {
	int c = table_.find(column);
	if (c >= 0)
		states_[static_cast<std::size_t>(c)] = kNull;
}

int BatchEdit::position(const char *column) const {
	int c = batch_.table->find(column);
	for (std::size_t k = 0; k < batch_.columns.size(); ++k)
		if (batch_.columns[k] == c)
			return static_cast<int>(k);
	return -1;
}

std::optional<std::string> BatchEdit::get(std::size_t row, const char *column) const {
	int k = position(column);
	if (k < 0)
		return std::nullopt;
	std::size_t cell = row * batch_.columns.size() + static_cast<std::size_t>(k);
	if (batch_.is_null[cell])
		return std::nullopt;
	return batch_.cells[cell];
}

bool BatchEdit::set(std::size_t row, const char *column, std::string value) {
	int k = position(column);
	if (k < 0)
		return false;
	std::size_t cell = row * batch_.columns.size() + static_cast<std::size_t>(k);
	batch_.bytes = batch_.bytes - (batch_.is_null[cell] ? 0 : batch_.cells[cell].size()) + value.size();
	batch_.cells[cell] = std::move(value);
	batch_.is_null[cell] = 0;
	return true;
}

bool BatchEdit::set_null(std::size_t row, const char *column) {
	int k = position(column);
	if (k < 0)
		return false;
	std::size_t cell = row * batch_.columns.size() + static_cast<std::size_t>(k);
	if (!batch_.is_null[cell])
		batch_.bytes -= batch_.cells[cell].size();
	batch_.cells[cell].clear();
	batch_.is_null[cell] = 1;
	return true;
}

// --- scopes ---------------------------------------------------------------------------------------

bool ModelRules::global_scope() const { return (options_.admitted_scopes & kScopeGlobal) != 0; }

bool ModelRules::config_or_global_scope() const {
	return (options_.admitted_scopes & (kScopeConfig | kScopeGlobal)) != 0;
}

namespace {

std::string ascii_lower(std::string s) {
	for (char &c : s)
		c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
	return s;
}

bool is(const ModelDef &m, const char *name) { return std::string_view(m.name) == name; }

bool array_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f'; }

// Parses a one-dimensional PostgreSQL array literal of text ("{a,\"b c\",NULL}"; an unquoted NULL
// is a NULL element). False for anything else: dimension decorations, nested arrays, bad syntax.
bool parse_text_array(std::string_view s, std::vector<std::optional<std::string>> &out) {
	std::size_t i = 0;
	const std::size_t n = s.size();
	auto skip_space = [&] {
		while (i < n && array_space(s[i]))
			++i;
	};
	skip_space();
	if (i >= n || s[i] != '{')
		return false;
	++i;
	skip_space();
	if (i < n && s[i] == '}') {
		++i;
	} else {
		for (;;) {
			skip_space();
			if (i >= n || s[i] == '{')
				return false;
			if (s[i] == '"') {
				++i;
				std::string e;
				for (;;) {
					if (i >= n)
						return false;
					char c = s[i++];
					if (c == '\\') {
						if (i >= n)
							return false;
						e += s[i++];
					} else if (c == '"') {
						break;
					} else {
						e += c;
					}
				}
				out.emplace_back(std::move(e));
				skip_space();
			} else {
				// Unquoted: up to the next delimiter; trailing unescaped white space is not part of it.
				std::string e;
				std::size_t keep = 0;
				bool escaped = false;
				while (i < n && s[i] != ',' && s[i] != '}') {
					char c = s[i++];
					if (c == '"' || c == '{')
						return false;
					if (c == '\\') {
						if (i >= n)
							return false;
						e += s[i++];
						escaped = true;
						keep = e.size();
					} else {
						e += c;
						if (!array_space(c))
							keep = e.size();
					}
				}
				e.resize(keep);
				if (e.empty())
					return false;
				if (!escaped && ascii_lower(e) == "null")
					out.emplace_back(std::nullopt);
				else
					out.emplace_back(std::move(e));
			}
			if (i >= n)
				return false;
			if (s[i] == ',') {
				++i;
				continue;
			}
			if (s[i] == '}') {
				++i;
				break;
			}
			return false;
		}
	}
	skip_space();
	return i == n;
}

// A PostgreSQL array literal of text with every element quoted: {"a","b"}.
std::string text_array_literal(const std::vector<std::string> &elems) {
	std::string out = "{";
	for (std::size_t k = 0; k < elems.size(); ++k) {
		if (k)
			out += ',';
		out += '"';
		for (char c : elems[k]) {
			if (c == '"' || c == '\\')
				out += '\\';
			out += c;
		}
		out += '"';
	}
	out += '}';
	return out;
}

// ApiToken/ApiKey scope_list (an array literal) with Sentry's scope hierarchy expanded and sorted;
// nullopt if the literal is not a flat list of non-NULL scopes (then PostgreSQL judges it as is).
std::optional<std::string> expanded_scope_list(const std::string &literal) {
	std::vector<std::optional<std::string>> elems;
	if (!parse_text_array(literal, elems))
		return std::nullopt;
	std::vector<std::string> scopes;
	for (const auto &e : elems) {
		if (!e)
			return std::nullopt;
		scopes.push_back(*e);
	}
	return text_array_literal(expand_scopes(scopes));
}

// The last `n` characters (code points) of UTF-8 text, as Python's s[-n:].
std::string last_characters(std::string_view s, std::size_t n) {
	std::size_t i = s.size();
	for (std::size_t count = 0; i > 0 && count < n; ++count) {
		--i;
		while (i > 0 && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80)
			--i;
	}
	return std::string(s.substr(i));
}

// now + `days` days, as PostgreSQL timestamptz input in UTC with microseconds ("now" cannot add).
std::string utc_now_plus_days(int days) {
	using namespace std::chrono;
	const auto t = system_clock::now() + hours(24 * days);
	const long long us = duration_cast<microseconds>(t.time_since_epoch()).count();
	std::time_t secs = static_cast<std::time_t>(us / 1000000);
	const long long frac = us % 1000000;
	std::tm tm{};
	gmtime_r(&secs, &tm);
	char buf[64];
	std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%06lld+00:00", tm.tm_year + 1900, tm.tm_mon + 1,
	              tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, frac);
	return buf;
}

// Seconds since the epoch, with fractions (OrgAuthToken's iat).
double epoch_seconds() {
	using namespace std::chrono;
	return duration_cast<duration<double>>(system_clock::now().time_since_epoch()).count();
}

// The text a JSON string holds.
class JsonStringHandler : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, JsonStringHandler> {
public:
	bool String(const char *s, rapidjson::SizeType n, bool) {
		text.assign(s, n);
		return true;
	}
	bool Default() { return false; }
	std::string text;
};

// An option's value (JSON text, as jsonb or a JSON text column prints it) as Sentry's options.get
// returns it for a string: the string itself. JSON null is unset (nullopt); any other JSON value is
// kept as its text.
std::optional<std::string> option_text(std::string_view json) {
	std::size_t first = json.find_first_not_of(" \t\r\n");
	if (first == std::string_view::npos)
		return std::nullopt;
	std::string_view v = json.substr(first);
	while (!v.empty() && (v.back() == ' ' || v.back() == '\t' || v.back() == '\r' || v.back() == '\n'))
		v.remove_suffix(1);
	if (v == "null")
		return std::nullopt;
	if (v.front() == '"') {
		std::string copy(v);
		rapidjson::StringStream in(copy.c_str());
		rapidjson::Reader reader;
		JsonStringHandler handler;
		if (reader.Parse(in, handler))
			return handler.text;
	}
	return std::string(v);
}

} // namespace

// --- normalize (spec §6 "Normalize") ---------------------------------------------------------------

bool ModelRules::normalize(const ModelDef &model, RowEdit &row,
                           const RowReferences &references) {
	auto merged_user = [&] {
		for (const auto &[field, kind] : references)
			if (field == "user")
				return kind != ImportKind::Inserted;
		return false;
	};
	if (is(model, "sentry.user")) {
		// Outside Config and Global scope nobody keeps administrative privileges.
		if (!config_or_global_scope()) {
			row.set("is_staff", "false");
			row.set("is_superuser", "false");
			row.set("is_managed", "false");
		}
		// Outside Global scope (or for a user already unclaimed) the password is replaced by an
		// unknown one and the user must claim the account (LostPasswordHash, see after_write).
		if (!global_scope() || row.get("is_unclaimed") == std::optional<std::string>("true")) {
			row.set("is_unclaimed", "true");
			row.set("password", random_password_hash(options_.password_hash_iterations));
			row.set("last_password_change", "now");
			row.set("is_password_expired", "false");
		}
		return true;
	}
	if (is(model, "sentry.useremail")) {
		if (merged_user())
			return false; // the merged user keeps its own addresses
		if (!global_scope()) {
			row.set("is_verified", "false");
			row.set("validation_hash", random_alnum(32));
			row.set("date_hash_added", "now");
		}
		return true;
	}
	if (is(model, "sentry.useroption") || is(model, "sentry.userpermission"))
		return !merged_user();
	if (is(model, "sentry.userip")) {
		if (merged_user())
			return false;
		// Sentry recomputes the location from its GeoIP data; without it the codes are unknown.
		row.set_null("country_code");
		row.set_null("region_code");
		return true;
	}
	if (is(model, "sentry.savedsearch"))
		// Global saved searches are only for Global imports.
		return global_scope() || row.get("is_global") != std::optional<std::string>("true");
	if (is(model, "sentry.projectkey")) {
		// Sentry replaces an empty key (write_relocation_import); taken keys are replaced in resolve.
		for (const char *column : {"public_key", "secret_key"}) {
			std::optional<std::string> key = row.get(column);
			if (!key || key->empty())
				row.set(column, random_hex(32));
		}
		return true;
	}
	if (is(model, "sentry.apikey")) {
		std::optional<std::string> key = row.get("key");
		if (!key || key->empty())
			row.set("key", random_hex(32));
		if (auto scopes = row.get("scope_list"))
			if (auto expanded = expanded_scope_list(*scopes))
				row.set("scope_list", std::move(*expanded));
		return true;
	}
	if (is(model, "sentry.apitoken")) {
		// ApiToken.save recomputes what the file's hashes say; resolve redoes it for a regenerated token.
		if (auto scopes = row.get("scope_list"))
			if (auto expanded = expanded_scope_list(*scopes))
				row.set("scope_list", std::move(*expanded));
		if (auto token = row.get("token")) {
			row.set("hashed_token", sha256_hex(*token));
			row.set("token_last_characters", last_characters(*token, 4));
		}
		if (auto refresh = row.get("refresh_token"))
			row.set("hashed_refresh_token", sha256_hex(*refresh));
		else
			row.set_null("hashed_refresh_token");
		return true;
	}
	if (is(model, "sentry.orgauthtoken")) {
		// Present in every row (NULL if the file has none), so that resolve can set it for a minted
		// token and the batch keeps one column set.
		if (!row.get("token_last_characters"))
			row.set_null("token_last_characters");
		return true;
	}
	if (is(model, "sentry.organizationmember")) {
		// Present in every row, so that resolve can set it (see sentry.orgauthtoken).
		if (!row.get("token_expires_at"))
			row.set_null("token_expires_at");
		return true;
	}
	if (is(model, "sentry.monitor")) {
		row.set("guid", random_uuid4());
		return true;
	}
	if (is(model, "sentry.incident")) {
		if (row.get("detection_uuid"))
			row.set("detection_uuid", random_uuid4());
		return true;
	}
	if (is(model, "sentry.incidentactivity")) {
		if (row.get("notification_uuid"))
			row.set("notification_uuid", random_uuid4());
		return true;
	}
	if (is(model, "sentry.rule")) {
		// Rule's pre_save drops the "name" of every condition and action.
		if (auto data = row.get("data"))
			row.set("data", strip_rule_names(*data));
		return true;
	}
	if (is(model, "sentry.recentsearch")) {
		// RecentSearch's pre_save fills an empty query_hash.
		std::optional<std::string> hash = row.get("query_hash");
		if (!hash || hash->empty())
			if (auto query = row.get("query"))
				row.set("query_hash", md5_hex(*query));
		return true;
	}
	return true;
}

// --- resolve (spec §6 "Write") -----------------------------------------------------------------------

void ModelRules::resolve(const ModelDef &model, BatchEdit &batch) {
	if (is(model, "sentry.user"))
		resolve_users(batch);
	else if (is(model, "sentry.organization"))
		resolve_organizations(batch);
	else if (is(model, "sentry.email"))
		// Get-or-create by email (citext: case-insensitive); an existing row takes the file's values.
		resolve_by_key(batch, {"email"}, true, RowFate::Action::Update, ImportKind::Existing);
	else if (is(model, "sentry.useremail"))
		// The user's primary address already exists (created with the user): it takes the file's
		// values, and Sentry reports it as Inserted.
		resolve_by_key(batch, {"user_id", "email"}, false, RowFate::Action::Update, ImportKind::Inserted);
	else if (is(model, "sentry.option") || is(model, "sentry.controloption"))
		resolve_config(batch, {"key"});
	else if (is(model, "sentry.relay"))
		resolve_config(batch, {"relay_id"});
	else if (is(model, "sentry.relayusage"))
		resolve_config(batch, {"relay_id", "version"});
	else if (is(model, "sentry.userrole"))
		resolve_config(batch, {"name"});
	// sentry.userpermission: the mixin's only unique set (user, permission) holds a foreign key, so
	// Sentry always inserts.
	else if (is(model, "sentry.useroption")) {
		validate_user_options(model, batch);
		resolve_user_options(batch);
	}
	else if (is(model, "sentry.projectoption"))
		// Get-or-create by (project, key), then the file's values are saved into it; reported Inserted
		// (the row is typically the sentry:option-epoch option created with the project).
		resolve_by_key(batch, {"project_id", "key"}, false, RowFate::Action::Update, ImportKind::Inserted);
	else if (is(model, "sentry.projectkey"))
		resolve_project_keys(batch);
	else if (is(model, "sentry.apitoken"))
		resolve_api_tokens(batch);
	else if (is(model, "sentry.orgauthtoken"))
		resolve_org_auth_tokens(batch);
	else if (is(model, "sentry.organizationmember"))
		resolve_organization_members(batch);
}

void ModelRules::resolve_config(BatchEdit &batch, const std::vector<const char *> &key) {
	// Two rows of one batch with the same key are not matched with each other (the second would be
	// an INSERT that the table's unique constraint rejects); exports hold each key once.
	if (options_.overwrite_configs)
		resolve_by_key(batch, key, false, RowFate::Action::Update, ImportKind::Overwrite);
	else
		resolve_by_key(batch, key, false, RowFate::Action::Reuse, ImportKind::Existing);
}

// Sentry validates {key: value} of a user option with its user-options serializer (spec §6
// sentry.useroption); a value it refuses fails the import. Checked here: timezone (a time zone the
// database knows), stacktraceOrder, clock24Hours, theme, defaultIssueEvent,
// prefersIssueDetailsStreamlinedUI. (language needs Sentry's list of languages and is not checked.)
void ModelRules::validate_user_options(const ModelDef &model, BatchEdit &batch) {
	auto fail = [&](std::size_t r, const std::string &key, const std::string &why) {
		throw ImportError(sqlstate::kInvalidParameterValue,
		                  std::string("relocate: ") + model.name + " pk " + std::to_string(batch.source_pk(r)) +
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
	std::vector<bool> known = target_.known_time_zones(zones);
	for (std::size_t i = 0; i < zones.size(); ++i)
		if (!known[i])
			fail(tz_rows[i], "timezone", "\"" + zones[i] + "\" is not a known time zone");
}

void ModelRules::resolve_user_options(BatchEdit &batch) {
	// A global option (neither organization nor project) whose user already has a global option with
	// that key is skipped. The database does not stop duplicate global options (NULLs never
	// collide), so earlier rows of this batch count too.
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
	std::vector<std::optional<FoundRow>> found = target_.find_rows(lookup);
	for (std::size_t i = 0; i < rows.size(); ++i)
		if (found[i])
			batch.fate(rows[i]).action = RowFate::Action::Skip;
}

std::vector<bool> ModelRules::taken_values(BatchEdit &batch, const char *column) {
	std::vector<bool> taken(batch.rows(), false);
	const int c = batch.table().find(column);
	if (c < 0)
		return taken;
	KeyLookup lookup;
	lookup.table = &batch.table();
	lookup.columns = {c};
	std::unordered_set<std::string> in_batch;
	std::vector<std::size_t> rows;
	for (std::size_t r = 0; r < batch.rows(); ++r) {
		std::optional<std::string> v = batch.get(r, column);
		if (!v)
			continue;
		if (!in_batch.insert(*v).second) {
			taken[r] = true; // an earlier row of the batch has it
			continue;
		}
		lookup.probes.push_back({*v});
		rows.push_back(r);
	}
	if (rows.empty())
		return taken;
	std::vector<std::optional<FoundRow>> found = target_.find_rows(lookup);
	for (std::size_t i = 0; i < rows.size(); ++i)
		if (found[i])
			taken[rows[i]] = true;
	return taken;
}

void ModelRules::resolve_project_keys(BatchEdit &batch) {
	// A key already used by any ProjectKey (in the database, which holds the earlier batches of this
	// import, or earlier in this batch) is replaced by a fresh one; empty keys were replaced in
	// normalize. Unlike Sentry, every key is kept: Sentry's get-or-create by project only would keep
	// one key per project (the last one of the file).
	for (const char *column : {"public_key", "secret_key"}) {
		std::vector<bool> taken = taken_values(batch, column);
		for (std::size_t r = 0; r < batch.rows(); ++r) {
			std::optional<std::string> key = batch.get(r, column);
			if (taken[r] || (key && key->empty()))
				batch.set(r, column, random_hex(32));
		}
	}
}

void ModelRules::resolve_api_tokens(BatchEdit &batch) {
	// A token that is already used, or a non-null refresh token that is (Sentry compares each with the
	// same column), gets new ones of the same type, and a new expiry if it had one.
	std::vector<bool> token_taken = taken_values(batch, "token");
	std::vector<bool> refresh_taken = taken_values(batch, "refresh_token");
	std::string expiry;
	for (std::size_t r = 0; r < batch.rows(); ++r) {
		if (!token_taken[r] && !refresh_taken[r])
			continue;
		const std::string prefix = batch.get(r, "token_type").value_or("");
		std::string token = api_token(prefix);
		batch.set(r, "hashed_token", sha256_hex(token));
		batch.set(r, "token_last_characters", last_characters(token, 4));
		batch.set(r, "token", std::move(token));
		if (batch.get(r, "refresh_token")) {
			std::string refresh = api_token(prefix);
			batch.set(r, "hashed_refresh_token", sha256_hex(refresh));
			batch.set(r, "refresh_token", std::move(refresh));
		}
		if (batch.get(r, "expires_at")) {
			if (expiry.empty())
				expiry = utc_now_plus_days(30);
			batch.set(r, "expires_at", expiry);
		}
	}
}

std::optional<std::string> ModelRules::url_prefix() {
	std::optional<TableShape> &options = shape("sentry_option");
	if (!options)
		return std::nullopt;
	const int key_col = options->find("key"), value_col = options->find("value");
	if (key_col < 0 || value_col < 0)
		return std::nullopt;
	KeyLookup lookup;
	lookup.table = &*options;
	lookup.columns = {key_col};
	lookup.fetch_column = value_col;
	lookup.probes.push_back({"system.url-prefix"});
	std::vector<std::optional<FoundRow>> found = target_.find_rows(lookup);
	if (found.empty() || !found[0] || found[0]->key_null) {
		// Self-hosted installs usually set system.url-prefix in config.yml, not in the database.
		if (!options_.url_prefix.empty())
			return options_.url_prefix;
		return std::nullopt;
	}
	return option_text(found[0]->key);
}

void ModelRules::resolve_org_auth_tokens(BatchEdit &batch) {
	// A token whose token_hashed is empty or already taken is replaced by a newly minted token for
	// its organization's slug (Sentry: normalize_before_relocation_import). Sentry skips the token if
	// the organization is unknown or the option system.url-prefix is unset.
	std::vector<bool> taken = taken_values(batch, "token_hashed");
	std::vector<std::size_t> mint;
	for (std::size_t r = 0; r < batch.rows(); ++r) {
		std::optional<std::string> hashed = batch.get(r, "token_hashed");
		if (taken[r] || !hashed || hashed->empty())
			mint.push_back(r);
	}
	if (mint.empty())
		return;
	std::optional<TableShape> &orgs = shape("sentry_organization");
	if (!orgs)
		throw ImportError(sqlstate::kUndefinedTable, "relocate: table \"sentry_organization\" does not exist", {},
		                  "Create Sentry's schema first, and check that its schema is in the search_path.");
	// The organizations' final slugs, by their new ids.
	KeyLookup lookup;
	lookup.table = &*orgs;
	lookup.columns = {orgs->id_column};
	lookup.fetch_column = orgs->find("slug");
	std::vector<std::size_t> probed(mint.size(), SIZE_MAX);
	for (std::size_t i = 0; i < mint.size(); ++i) {
		if (auto org = batch.get(mint[i], "organization_id")) {
			probed[i] = lookup.probes.size();
			lookup.probes.push_back({*org});
		}
	}
	std::vector<std::optional<FoundRow>> slugs;
	if (lookup.fetch_column >= 0 && !lookup.probes.empty())
		slugs = target_.find_rows(lookup);
	std::optional<std::optional<std::string>> url; // looked up once, when first needed
	for (std::size_t i = 0; i < mint.size(); ++i) {
		const std::size_t r = mint[i];
		const std::optional<FoundRow> *org = probed[i] < slugs.size() ? &slugs[probed[i]] : nullptr;
		if (org == nullptr || !*org || (*org)->key_null) {
			batch.fate(r).action = RowFate::Action::Skip;
			++skipped_org_auth_tokens_without_org_;
			continue;
		}
		if (!url)
			url = url_prefix();
		if (!*url) {
			batch.fate(r).action = RowFate::Action::Skip;
			++skipped_org_auth_tokens_;
			continue;
		}
		std::string token = org_auth_token(epoch_seconds(), **url, **url, (*org)->key);
		batch.set(r, "token_hashed", sha256_hex(token));
		batch.set(r, "token_last_characters", last_characters(token, 4));
	}
}

void ModelRules::resolve_organization_members(BatchEdit &batch) {
	// An invitation token that another member (in the database or earlier in this batch) already has
	// is dropped with its expiry; a kept token without expiry expires in 30 days (Sentry's save).
	std::vector<bool> taken = taken_values(batch, "token");
	std::string expiry;
	for (std::size_t r = 0; r < batch.rows(); ++r) {
		if (!batch.get(r, "token"))
			continue;
		if (taken[r]) {
			batch.set_null(r, "token");
			batch.set_null(r, "token_expires_at");
		} else if (!batch.get(r, "token_expires_at")) {
			if (expiry.empty())
				expiry = utc_now_plus_days(30);
			batch.set(r, "token_expires_at", expiry);
		}
	}
}

void ModelRules::resolve_by_key(BatchEdit &batch, const std::vector<const char *> &key, bool fold_case,
                                RowFate::Action action, ImportKind kind) {
	KeyLookup lookup;
	lookup.table = &batch.table();
	lookup.fold_case = fold_case;
	for (const char *column : key) {
		int c = batch.table().find(column);
		if (c < 0)
			return;
		lookup.columns.push_back(c);
	}
	std::vector<std::size_t> rows;
	for (std::size_t r = 0; r < batch.rows(); ++r) {
		std::vector<std::string> probe;
		for (const char *column : key) {
			auto v = batch.get(r, column);
			if (!v)
				break;
			probe.push_back(*v);
		}
		if (probe.size() != key.size())
			continue; // a NULL key matches nothing
		lookup.probes.push_back(std::move(probe));
		rows.push_back(r);
	}
	if (rows.empty())
		return;
	std::vector<std::optional<FoundRow>> found = target_.find_rows(lookup);
	// A key not in the database but repeated within the batch: the later rows find the first one,
	// as Sentry (writing one row at a time) finds the row it has just written.
	std::map<std::vector<std::string>, std::size_t> first_in_batch;
	for (std::size_t i = 0; i < rows.size(); ++i) {
		RowFate &fate = batch.fate(rows[i]);
		if (fate.action != RowFate::Action::Insert)
			continue; // an earlier rule decided already
		if (found[i]) {
			fate.action = action;
			fate.kind = kind;
			fate.id = found[i]->id;
			continue;
		}
		std::vector<std::string> k = lookup.probes[i];
		if (fold_case)
			for (std::string &v : k)
				v = ascii_lower(v);
		auto [it, first] = first_in_batch.emplace(std::move(k), rows[i]);
		if (!first) {
			fate.action = action;
			fate.kind = kind;
			fate.same_as_row = static_cast<long>(it->second);
		}
	}
}

std::optional<TableShape> &ModelRules::shape(const std::string &table) {
	auto it = shapes_.find(table);
	if (it == shapes_.end())
		it = shapes_.emplace(table, target_.describe_table(table)).first;
	return it->second;
}

std::vector<std::string> ModelRules::pick_unique(const std::vector<std::string> &bases, std::size_t max_len,
                                                 const std::string &table, const char *column,
                                                 const std::optional<std::pair<std::string, const char *>> &also_in,
                                                 std::unordered_set<std::string> &taken) {
	// Which of `values` exist, case-insensitively, in table.column or in also_in.
	// The values already in the table(s) are read once per import into `taken` (lower-cased), so
	// that no candidate needs a query: a case-insensitive lookup has no index to use, and one per
	// batch would scan the table again and again. Concurrent imports are serialized by the caller's
	// advisory lock, so the values cannot change underneath.
	std::vector<std::pair<std::string, const char *>> where = {{table, column}};
	if (also_in)
		where.push_back(*also_in);
	for (const auto &[t, col] : where) {
		if (!values_loaded_.insert(t + "." + col).second)
			continue;
		std::optional<TableShape> &s = shape(t);
		if (!s)
			throw ImportError(sqlstate::kUndefinedTable, "relocate: table \"" + t + "\" does not exist", {},
			                  "Create Sentry's schema first, and check that its schema is in the search_path.");
		for (std::string &v : target_.column_values(*s, col))
			taken.insert(ascii_lower(std::move(v)));
	}
	// Each base as it is if free (and not all digits), else the first of Sentry's 27 suffixed
	// candidates that is free, in order; the values picked are taken for the rest of the import.
	std::vector<std::string> result(bases.size());
	for (std::size_t i = 0; i < bases.size(); ++i) {
		std::string lower = ascii_lower(bases[i]);
		if (taken.count(lower) == 0 && base_usable_without_suffix(bases[i])) {
			result[i] = bases[i];
			taken.insert(lower);
			continue;
		}
		std::vector<std::string> candidates = suffix_candidates(bases[i], max_len);
		std::string chosen = candidates.back(); // Sentry keeps the last one if all are taken
		for (const std::string &c : candidates) {
			if (taken.count(ascii_lower(c)) == 0) {
				chosen = c;
				break;
			}
		}
		taken.insert(ascii_lower(chosen));
		result[i] = chosen;
	}
	return result;
}

void ModelRules::resolve_users(BatchEdit &batch) {
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
	if (!username_lock_taken_) {
		target_.lock("relocate usernames");
		username_lock_taken_ = true;
	}
	// merge_users: an exact (case-sensitive) username match reuses the existing user.
	std::vector<std::size_t> to_place;
	std::vector<std::string> bases;
	std::vector<std::optional<FoundRow>> exact(rows.size());
	if (options_.merge_users) {
		KeyLookup lookup;
		lookup.table = &batch.table();
		lookup.columns = {username_col};
		for (const std::string &u : usernames)
			lookup.probes.push_back({u});
		exact = target_.find_rows(lookup);
	}
	for (std::size_t i = 0; i < rows.size(); ++i) {
		if (exact[i]) {
			RowFate &fate = batch.fate(rows[i]);
			fate.action = RowFate::Action::Reuse;
			fate.kind = ImportKind::Existing;
			fate.id = exact[i]->id;
			continue;
		}
		to_place.push_back(i);
		bases.push_back(suffix_base(usernames[i], {}));
	}
	// Otherwise the username must be free (case-insensitively, and not all digits), else it gets a
	// random suffix (appendix B; usernames are at most 128 characters).
	std::vector<std::string> names = pick_unique(bases, 128, batch.table().name, "username", std::nullopt,
	                                             usernames_taken_);
	for (std::size_t j = 0; j < to_place.size(); ++j)
		batch.set(rows[to_place[j]], "username", names[j]);
}

void ModelRules::resolve_organizations(BatchEdit &batch) {
	if (batch.table().find("slug") < 0)
		return;
	// Slugs are unique across organizations and slug reservations; concurrent imports take turns.
	if (!slug_lock_taken_) {
		target_.lock("relocate organization slugs");
		slug_lock_taken_ = true;
	}
	std::vector<std::size_t> rows;
	std::vector<std::string> slugs;
	for (std::size_t r = 0; r < batch.rows(); ++r) {
		if (auto s = batch.get(r, "slug")) {
			rows.push_back(r);
			slugs.push_back(*s);
		}
	}
	if (rows.empty())
		return;
	// Django's slugify works on the NFKD form of the text; the database normalises non-ASCII slugs.
	std::vector<std::string> non_ascii;
	for (const std::string &s : slugs)
		if (!is_ascii(s))
			non_ascii.push_back(s);
	std::vector<std::string> normalized_non_ascii = non_ascii.empty() ? non_ascii : target_.nfkd(non_ascii);
	std::vector<std::string> bases;
	std::size_t n = 0;
	for (const std::string &s : slugs) {
		std::string nfkd = is_ascii(s) ? s : normalized_non_ascii[n++];
		bases.push_back(suffix_base(normalize_organization_slug(nfkd), reserved_organization_slugs()));
	}
	std::vector<std::string> final_slugs =
	    pick_unique(bases, 30, batch.table().name, "slug",
	                std::make_pair(std::string("sentry_organizationslugreservation"), "slug"), slugs_taken_);
	for (std::size_t i = 0; i < rows.size(); ++i)
		batch.set(rows[i], "slug", final_slugs[i]);
}

// --- after_write (appendix A.1: what Sentry's signals create) --------------------------------------

void ModelRules::insert_derived(const std::string &table, const std::vector<std::string> &columns,
                                const std::vector<std::vector<std::optional<std::string>>> &rows,
                                const std::vector<std::int64_t> &source_pks, bool ignore_conflicts) {
	if (rows.empty())
		return;
	std::optional<TableShape> &s = shape(table);
	if (!s)
		throw ImportError(sqlstate::kUndefinedTable,
		                  "relocate: table \"" + table + "\" does not exist (relocate writes the rows Sentry's "
		                  "signals create there)",
		                  {}, "Create Sentry's schema first, and check that its schema is in the search_path.");
	RowBatch batch;
	batch.table = &*s;
	batch.model = table.c_str();
	batch.ignore_conflicts = ignore_conflicts;
	for (const std::string &c : columns) {
		int i = s->find(c);
		if (i < 0)
			throw ImportError(sqlstate::kUndefinedColumn, "relocate: table \"" + table + "\" has no column \"" + c + "\"");
		batch.columns.push_back(i);
	}
	for (std::size_t r = 0; r < rows.size(); ++r) {
		batch.source_pks.push_back(source_pks[r]);
		for (const auto &cell : rows[r]) {
			batch.is_null.push_back(cell ? 0 : 1);
			batch.cells.push_back(cell.value_or(""));
			batch.bytes += batch.cells.back().size();
		}
	}
	target_.allocate_ids(*s, rows.size(), batch.ids);
	target_.insert_rows(batch);
	derived_rows_ += static_cast<std::int64_t>(rows.size());
}

void ModelRules::after_write(const ModelDef &model, const BatchEdit &batch, const std::vector<WrittenRow> &written) {
	if (is(model, "sentry.user")) {
		std::vector<std::vector<std::optional<std::string>>> useremails, emails, lost;
		std::vector<std::int64_t> useremail_pks, email_pks, lost_pks;
		for (const WrittenRow &w : written) {
			if (w.action != RowFate::Action::Insert)
				continue;
			// Saving a new user creates its primary UserEmail, which creates the Email row.
			std::optional<std::string> email = batch.get(w.row, "email");
			if (email && !email->empty()) {
				useremails.push_back({std::to_string(w.new_pk), *email, random_alnum(32), std::string("now"),
				                      std::string("false")});
				useremail_pks.push_back(w.source_pk);
				emails.push_back({*email, std::string("now")});
				email_pks.push_back(w.source_pk);
			}
			// Outside Global scope every new user must claim the account: a LostPasswordHash.
			if (!global_scope()) {
				lost.push_back({std::to_string(w.new_pk), random_alnum(32), std::string("now")});
				lost_pks.push_back(w.source_pk);
			}
		}
		insert_derived("sentry_useremail", {"user_id", "email", "validation_hash", "date_hash_added", "is_verified"},
		               useremails, useremail_pks, true);
		if (shape("sentry_email"))
			insert_derived("sentry_email", {"email", "date_added"}, emails, email_pks, true);
		insert_derived("sentry_lostpasswordhash", {"user_id", "hash", "date_added"}, lost, lost_pks, false);
		return;
	}
	if (is(model, "sentry.organization")) {
		// The organization's PRIMARY slug reservation (type 0, user_id -1 for imports), in the same
		// transaction: the net effect of Sentry's post-commit slug settlement (spec §8.2).
		std::vector<std::vector<std::optional<std::string>>> reservations;
		std::vector<std::int64_t> pks;
		for (const WrittenRow &w : written) {
			if (w.action != RowFate::Action::Insert)
				continue;
			reservations.push_back({batch.get(w.row, "slug"), std::to_string(w.new_pk), std::string("-1"),
			                        options_.region_name, std::string("0"), std::string("now")});
			pks.push_back(w.source_pk);
		}
		insert_derived("sentry_organizationslugreservation",
		               {"slug", "organization_id", "user_id", "region_name", "reservation_type", "date_added"},
		               reservations, pks, false);
		return;
	}
	if (is(model, "sentry.project")) {
		// A new project gets the option sentry:option-epoch = 13 (LATEST_EPOCH) unless it has one.
		// (Sentry's signal also creates a Default ProjectKey when the project has none: not done, the
		// file's keys are all imported.)
		if (!shape("sentry_projectoptions"))
			return;
		std::vector<std::vector<std::optional<std::string>>> options;
		std::vector<std::int64_t> pks;
		for (const WrittenRow &w : written) {
			if (w.action != RowFate::Action::Insert)
				continue;
			options.push_back({std::to_string(w.new_pk), std::string("sentry:option-epoch"), std::string("13")});
			pks.push_back(w.source_pk);
		}
		insert_derived("sentry_projectoptions", {"project_id", "key", "value"}, options, pks, true);
	}
}

} // namespace relocate

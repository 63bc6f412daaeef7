// Sentry's import rules for keys and tokens: project keys (src/sentry/models/projectkey.py
// ProjectKey.write_relocation_import), API keys and tokens (apikey.py, apitoken.py:
// normalize_before_relocation_import, write_relocation_import, save), org auth tokens
// (orgauthtoken.py, and the minting of src/sentry/utils/security/orgauthtoken_token.py), and the
// per-instance scope of tokens and authorizations (get_relocation_scope).
#include "core/generated_values.hpp"
#include "core/rules/rules.hpp"
#include "core/text.hpp"

namespace relocate::rules {

namespace {

// ApiToken/ApiKey scope_list (an array literal) with Sentry's scope hierarchy expanded and sorted;
// nullopt if the literal is not a flat list of non-NULL scopes (then PostgreSQL judges it as is).
std::optional<std::string> expanded_scope_list(const std::string &literal) {
	TextArray elems;
	if (!parse_pg_text_array(literal, elems))
		return std::nullopt;
	std::vector<std::string> scopes;
	for (const auto &e : elems) {
		if (!e)
			return std::nullopt;
		scopes.push_back(*e);
	}
	std::vector<std::string> expanded = expand_scopes(scopes);
	return pg_text_array_literal(TextArray(expanded.begin(), expanded.end()));
}

void expand_scope_list(RowEdit &row) {
	if (auto scopes = row.get("scope_list"))
		if (auto expanded = expanded_scope_list(*scopes))
			row.set("scope_list", std::move(*expanded));
}

} // namespace

ScopeBits scope_by_application(const ExportEntry &entry) {
	// ApiToken and ApiAuthorization: Global when they belong to an application, else Config.
	const FieldValue *application = entry.find("application");
	return application != nullptr && !application->is_null() ? kScopeGlobal : kScopeConfig;
}

bool normalize_project_key(RuleContext &, RowEdit &row, const RowReferences &) {
	// ProjectKey.save: `if not self.label: self.label = petname.generate(2, " ", letters=10).title()`.
	std::optional<std::string> label = row.get("label");
	if (!label || label->empty())
		row.set("label", project_key_petname());
	// Sentry replaces an empty key (write_relocation_import); taken keys are replaced in resolve.
	for (const char *column : {"public_key", "secret_key"}) {
		std::optional<std::string> key = row.get(column);
		if (!key || key->empty()) {
			row.set(column, random_hex(32));
			row.note("regenerated", std::string(column) + ": empty in the export; a new key is minted");
		}
	}
	return true;
}

void resolve_project_keys(RuleContext &ctx, BatchEdit &batch) {
	// A key already used by any ProjectKey (in the database, which holds the earlier batches of this
	// import, or earlier in this batch) is replaced by a fresh one; empty keys were replaced in
	// normalize. Unlike Sentry, every key is kept: Sentry's get-or-create by project only would keep
	// one key per project (the last one of the file).
	for (const char *column : {"public_key", "secret_key"}) {
		std::vector<bool> taken = ctx.taken_values(batch, column);
		for (std::size_t r = 0; r < batch.rows(); ++r) {
			if (!taken[r])
				continue;
			batch.set(r, column, random_hex(32));
			batch.note(r, "regenerated",
			           std::string(column) +
			               ": taken on this install (or earlier in the export); a new key is minted, so the "
			               "project's DSN changes");
		}
	}
}

bool normalize_api_key(RuleContext &, RowEdit &row, const RowReferences &) {
	std::optional<std::string> key = row.get("key");
	if (!key || key->empty()) {
		row.set("key", random_hex(32));
		row.note("regenerated", "key: empty in the export; a new key is minted");
	}
	expand_scope_list(row);
	return true;
}

bool normalize_api_token(RuleContext &, RowEdit &row, const RowReferences &) {
	// ApiToken.save recomputes what the file's hashes say; resolve redoes it for a regenerated token.
	expand_scope_list(row);
	if (auto token = row.get("token")) {
		row.set("hashed_token", sha256_hex(*token));
		row.set("token_last_characters", last_characters(*token, 4));
	}
	// `if self.refresh_token:` (ApiToken.save, src/sentry/models/apitoken.py): an empty one is no
	// refresh token, and has no hash.
	if (auto refresh = row.get("refresh_token"); refresh && !refresh->empty())
		row.set("hashed_refresh_token", sha256_hex(*refresh));
	else
		row.set_null("hashed_refresh_token");
	return true;
}

void resolve_api_tokens(RuleContext &ctx, BatchEdit &batch) {
	// A token that is already used, or a non-null refresh token that is (Sentry compares each with the
	// same column), gets new ones of the same type, and a new expiry if it had one.
	std::vector<bool> token_taken = ctx.taken_values(batch, "token");
	std::vector<bool> refresh_taken = ctx.taken_values(batch, "refresh_token");
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
		const bool expires = batch.get(r, "expires_at").has_value();
		if (expires) {
			if (expiry.empty())
				expiry = utc_now_plus_days(30);
			batch.set(r, "expires_at", expiry);
		}
		batch.note(r, "regenerated",
		           std::string(token_taken[r] ? "token" : "refresh_token") +
		               ": taken on this install (or earlier in the export); a new token" +
		               (batch.get(r, "refresh_token") ? " and refresh token are" : " is") + " minted" +
		               (expires ? ", expiring in 30 days" : ""));
	}
}

bool normalize_org_auth_token(RuleContext &, RowEdit &row, const RowReferences &) {
	// Present in every row (NULL if the file has none), so that resolve can set it for a minted
	// token and the batch keeps one column set.
	if (!row.get("token_last_characters"))
		row.set_null("token_last_characters");
	return true;
}

namespace {

// The final slugs of the organizations the rows `mint` of the batch belong to (by their new ids):
// for each of those rows, the lookup's result, or nullptr if the row has no organization.
std::vector<std::optional<FoundRow>> organization_slugs(RuleContext &ctx, BatchEdit &batch,
                                                        const std::vector<std::size_t> &mint) {
	const TableShape &orgs = ctx.required_shape("sentry_organization");
	KeyLookup lookup;
	lookup.table = &orgs;
	lookup.columns = {orgs.id_column};
	lookup.fetch_column = orgs.find("slug");
	std::vector<std::size_t> probed(mint.size(), SIZE_MAX);
	for (std::size_t i = 0; i < mint.size(); ++i) {
		if (auto org = batch.get(mint[i], "organization_id")) {
			probed[i] = lookup.probes.size();
			lookup.probes.push_back({*org});
		}
	}
	std::vector<std::optional<FoundRow>> found;
	if (lookup.fetch_column >= 0 && !lookup.probes.empty())
		found = ctx.target().find_rows(lookup);
	std::vector<std::optional<FoundRow>> slugs(mint.size());
	for (std::size_t i = 0; i < mint.size(); ++i)
		if (probed[i] < found.size())
			slugs[i] = found[probed[i]];
	return slugs;
}

} // namespace

void resolve_org_auth_tokens(RuleContext &ctx, BatchEdit &batch) {
	// A token whose token_hashed is empty or already taken is replaced by a newly minted token for
	// its organization's slug (Sentry: normalize_before_relocation_import). Sentry skips the token if
	// the organization is unknown or the option system.url-prefix is unset.
	std::vector<bool> taken = ctx.taken_values(batch, "token_hashed");
	std::vector<std::size_t> mint;
	std::vector<bool> empty(batch.rows());
	for (std::size_t r = 0; r < batch.rows(); ++r) {
		std::optional<std::string> hashed = batch.get(r, "token_hashed");
		empty[r] = !hashed || hashed->empty();
		if (taken[r] || empty[r])
			mint.push_back(r);
	}
	if (mint.empty())
		return;
	std::vector<std::optional<FoundRow>> slugs = organization_slugs(ctx, batch, mint);
	std::optional<std::optional<std::string>> url; // looked up once, when first needed
	for (std::size_t i = 0; i < mint.size(); ++i) {
		const std::size_t r = mint[i];
		if (!slugs[i] || slugs[i]->key_null) {
			batch.fate(r).skip("a new token is needed (its token is empty or taken) and its organization is unknown");
			++ctx.report().org_auth_tokens_without_org;
			continue;
		}
		if (!url)
			url = system_url_prefix(ctx);
		if (!*url) {
			batch.fate(r).skip("a new token is needed (its token is empty or taken) and Sentry's system.url-prefix "
			                   "is not set (relocate.url_prefix)");
			++ctx.report().org_auth_tokens_without_url;
			continue;
		}
		std::string token = org_auth_token(epoch_seconds(), **url, **url, slugs[i]->key);
		batch.set(r, "token_hashed", sha256_hex(token));
		batch.set(r, "token_last_characters", last_characters(token, 4));
		batch.note(r, "regenerated",
		           std::string("token_hashed: ") +
		               (empty[r] ? "empty in the export" : "taken on this install (or earlier in the export)") +
		               "; a new token is minted for the organization \"" + slugs[i]->key + "\"");
	}
}

} // namespace relocate::rules

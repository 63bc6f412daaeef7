// Sentry's import rules for organizations and what hangs off them: slugs and slug reservations
// (src/sentry/models/organization.py Organization.save / write_relocation_import,
// organizationslugreservation.py), members' invitations (organizationmember.py
// OrganizationMember.save), and the option a new project gets (the project's post-save signal).
#include "core/error.hpp"
#include "core/generated_values.hpp"
#include "core/rules/rules.hpp"
#include "core/text.hpp"

namespace relocate::rules {

namespace {

// Django's slugify works on the NFKD form of the text: the database normalises the non-ASCII ones
// (one query for all of them).
std::vector<std::string> nfkd(RuleContext &ctx, const std::vector<std::string> &texts) {
	std::vector<std::string> non_ascii;
	for (const std::string &t : texts)
		if (!is_ascii(t))
			non_ascii.push_back(t);
	if (non_ascii.empty())
		return texts;
	const std::vector<std::string> normalized = ctx.target().nfkd(non_ascii);
	std::vector<std::string> out;
	std::size_t n = 0;
	for (const std::string &t : texts)
		out.push_back(is_ascii(t) ? t : normalized[n++]);
	return out;
}

} // namespace

void resolve_organizations(RuleContext &ctx, BatchEdit &batch) {
	// Organization.save (src/sentry/models/organization.py) on a new row: the slug, or the name when
	// the slug is empty or null, lower-cased, '_' -> '-', stripped of '-', then slugify_instance
	// (slugify, 30 characters) and unique_db_instance with RESERVED_ORGANIZATION_SLUGS, unique
	// case-insensitively among organizations (and, relocate's addition, slug reservations).
	if (batch.table().find("slug") < 0)
		return;
	// Slugs are unique across organizations and slug reservations; concurrent imports take turns.
	ctx.lock_once("relocate organization slugs");
	std::vector<std::size_t> rows;
	std::vector<std::string> sources;
	std::vector<bool> from_name;
	for (std::size_t r = 0; r < batch.rows(); ++r) {
		std::optional<std::string> source = batch.get(r, "slug");
		from_name.push_back(!source || source->empty());
		if (from_name.back())
			source = batch.get(r, "name"); // `if not self.slug: target = self.name`
		rows.push_back(r);
		sources.push_back(source.value_or(""));
	}
	if (rows.empty())
		return;
	std::vector<std::string> normalized, bases;
	CaseFolds folds;
	for (const std::string &s : nfkd(ctx, sources)) {
		normalized.push_back(normalize_organization_slug(s));
		bases.push_back(suffix_base(normalized.back(), reserved_organization_slugs()));
		folds.add_base(bases.back(), 30);
	}
	ctx.fold(folds); // slugs are ASCII: no query
	UniqueValues &taken = ctx.unique_values(
	    "organization slugs", {{batch.table().name, "slug"}, {"sentry_organizationslugreservation", "slug"}});
	std::vector<std::string> final_slugs = ctx.pick_unique(taken, bases, 30, folds);
	for (std::size_t i = 0; i < rows.size(); ++i) {
		// Why the slug is not the export's, for the report's `renamed` row.
		std::string why;
		const auto because = [&why](const char *reason) { why += (why.empty() ? "" : "; ") + std::string(reason); };
		if (from_name[i])
			because("made from the name");
		else if (normalized[i] != sources[i])
			because("normalized as Organization.save does (lower case, '-' for '_', slugify)");
		if (bases[i] != python_strip(normalized[i]))
			because(python_strip(normalized[i]).empty() ? "nothing is left of it after slugify: a random one"
			                                            : "reserved by Sentry (RESERVED_ORGANIZATION_SLUGS)");
		else if (final_slugs[i] != bases[i])
			because(!base_usable_without_suffix(bases[i]) ? "digits only, which Sentry always suffixes"
			        : taken.picked(folds.upper(bases[i])) ? "taken by an earlier entry of the export"
			                                              : "taken on this install");
		batch.fate(rows[i]).renamed_because = std::move(why);
		batch.set(rows[i], "slug", final_slugs[i]);
	}
}

namespace {

[[noreturn]] void fail_duplicate_slug(const BatchEdit &batch, std::size_t r, const std::string &slug) {
	throw ImportError(sqlstate::kUniqueViolation,
	                  std::string("relocate: ") + batch.model() + " pk " + std::to_string(batch.source_pk(r)) +
	                      ", field \"slug\": another " + batch.model() + " of the organization has the slug \"" + slug +
	                      "\"",
	                  "Sentry keeps a slug from the export as it is; the table's unique (organization, slug) refuses "
	                  "the second one, and Sentry's import fails too (an IntegrityError).",
	                  "Give one of them another slug in the export, or an empty one (then it is made from the name).");
}

} // namespace

// Team.save, Project.save, Monitor.save: `if not self.slug:` the slug is made from the name
// (slugify_instance: slugify, the first max_len characters, then unique_db_instance unique
// case-insensitively among the organization's rows, with the reserved words); a non-empty slug is
// kept exactly as it is. Sentry writes the rows one at a time, so earlier rows of the file count.
void slugs_from_names(RuleContext &ctx, BatchEdit &batch, std::size_t max_len,
                      const std::vector<std::string_view> &reserved, bool unique_per_organization) {
	if (batch.table().find("slug") < 0 || batch.table().find("organization_id") < 0)
		return;
	std::vector<std::string> organizations, names, bases;
	std::vector<std::size_t> rows;
	std::vector<bool> generate;
	for (std::size_t r = 0; r < batch.rows(); ++r) {
		std::optional<std::string> org = batch.get(r, "organization_id");
		if (!org)
			continue; // NOT NULL: PostgreSQL refuses the row
		std::optional<std::string> slug = batch.get(r, "slug");
		rows.push_back(r);
		organizations.push_back(*org);
		generate.push_back(!slug || slug->empty());
		if (generate.back())
			names.push_back(batch.get(r, "name").value_or(""));
	}
	if (rows.empty() || (names.empty() && !unique_per_organization))
		return;
	auto &by_organization = ctx.scoped_unique(batch.table(), "slug", "organization_id", organizations);
	CaseFolds folds;
	for (const std::string &name : nfkd(ctx, names)) {
		bases.push_back(suffix_base(slugify_instance_value(name, max_len), reserved));
		folds.add_base(bases.back(), max_len);
	}
	for (std::size_t i = 0; i < rows.size(); ++i)
		if (!generate[i])
			folds.add(*batch.get(rows[i], "slug"));
	ctx.fold(folds); // a query only for non-ASCII slugs from the file
	std::size_t next_base = 0;
	for (std::size_t i = 0; i < rows.size(); ++i) {
		ScopedUnique &taken = by_organization[organizations[i]];
		if (generate[i]) {
			std::string slug = ctx.pick_unique(taken.upper, {bases[next_base++]}, max_len, folds).front();
			batch.set(rows[i], "slug", slug);
			taken.exact.insert(std::move(slug));
			continue;
		}
		const std::string slug = *batch.get(rows[i], "slug");
		if (!taken.exact.insert(slug).second && unique_per_organization)
			fail_duplicate_slug(batch, rows[i], slug);
		taken.upper.insert(folds.upper(slug));
	}
}

void resolve_teams(RuleContext &ctx, BatchEdit &batch) {
	// Team.save (src/sentry/models/team.py): slugify_instance(self, self.name, organization=...), max 30.
	slugs_from_names(ctx, batch, 30, {}, true);
}

void resolve_projects(RuleContext &ctx, BatchEdit &batch) {
	// Project.save (src/sentry/models/project.py): slugify_instance(self, self.name, organization=...,
	// reserved=RESERVED_PROJECT_SLUGS, max_length=50).
	slugs_from_names(ctx, batch, 50, reserved_project_slugs(), true);
}

void after_write_organizations(RuleContext &ctx, const BatchEdit &batch, const Written &written) {
	// The organization's PRIMARY slug reservation (type 0, user_id -1 for imports), in the same
	// transaction: the net effect of Sentry's post-commit slug settlement.
	std::vector<TextArray> reservations;
	std::vector<std::int64_t> pks;
	for (const WrittenRow &w : written) {
		if (w.action != RowFate::Action::Insert)
			continue;
		reservations.push_back({batch.get(w.row, "slug"), std::to_string(w.new_pk), std::string("-1"),
		                        ctx.options().region_name, std::string("0"), std::string("now")});
		pks.push_back(w.source_pk);
	}
	ctx.insert_derived("sentry_organizationslugreservation",
	                   {"slug", "organization_id", "user_id", "region_name", "reservation_type", "date_added"},
	                   reservations, pks, false);
}

bool normalize_organization_member(RuleContext &, RowEdit &row, const RowReferences &) {
	// Present in every row, so that resolve can set it (see normalize_org_auth_token).
	if (!row.get("token_expires_at"))
		row.set_null("token_expires_at");
	return true;
}

namespace {

// OrganizationMember.save asserts that a member has a user or an email, exactly one of them:
// `(self.user_id is None and self.email) or (self.user_id and self.email is None)`. The assertion
// fails Sentry's import (an AssertionError, reported as an unknown error).
void check_user_or_email(const BatchEdit &batch) {
	for (std::size_t r = 0; r < batch.rows(); ++r) {
		const std::optional<std::string> user = batch.get(r, "user_id"), email = batch.get(r, "email");
		const bool has_user = user && *user != "0";
		if ((!user && email && !email->empty()) || (has_user && !email))
			continue;
		auto state = [](const std::optional<std::string> &v) {
			return !v ? std::string("null") : v->empty() ? std::string("empty") : std::string("set");
		};
		throw ImportError(sqlstate::kInvalidParameterValue,
		                  std::string("relocate: ") + batch.model() + " pk " + std::to_string(batch.source_pk(r)) +
		                      ": a member needs either a user or an email, exactly one of them",
		                  "Its user is " + state(user) + " and its email " + state(email) +
		                      ". Sentry's OrganizationMember.save asserts \"Must set either user or email\", which "
		                      "fails its import too.",
		                  "An invited member has an email and no user; a member who joined has a user and a null "
		                  "email.");
	}
}

// Whether any member the database holds has no invite token (Sentry's quirk below).
bool some_member_without_token(RuleContext &ctx, const BatchEdit &batch) {
	const int token = batch.table().find("token");
	if (token < 0)
		return false;
	KeyLookup lookup;
	lookup.table = &batch.table();
	lookup.null_columns = {token};
	lookup.fetch_column = batch.table().id_column;
	lookup.probes.push_back({});
	return ctx.target().find_rows(lookup).front().has_value();
}

} // namespace

void resolve_organization_members(RuleContext &ctx, BatchEdit &batch) {
	check_user_or_email(batch);
	// OrganizationMember.normalize_before_relocation_import: an invitation token that another member
	// (in the database or earlier in this batch) already has is dropped with its expiry; a kept token
	// without expiry expires in 30 days (Sentry's save). Sentry's check is `filter(token=self.token)`,
	// so a member without a token matches any member without one (almost every install has one) and
	// loses its token_expires_at too: reproduced, it changes nothing that matters.
	std::vector<bool> taken = ctx.taken_values(batch, "token");
	std::string expiry;
	std::optional<bool> tokenless_exists; // looked up once, when first needed
	bool tokenless_in_batch = false;
	for (std::size_t r = 0; r < batch.rows(); ++r) {
		if (!batch.get(r, "token")) {
			if (batch.get(r, "token_expires_at")) {
				if (!tokenless_exists)
					tokenless_exists = some_member_without_token(ctx, batch);
				if (*tokenless_exists || tokenless_in_batch)
					batch.set_null(r, "token_expires_at");
			}
			tokenless_in_batch = true;
			continue;
		}
		if (taken[r]) {
			batch.set_null(r, "token");
			batch.set_null(r, "token_expires_at");
			batch.note(r, "cleared",
			           "token, token_expires_at: the invitation token is another member's on this install (or "
			           "earlier in the export); cleared, as Sentry does");
		} else if (!batch.get(r, "token_expires_at") && !batch.get(r, "token")->empty()) {
			// `if self.token and not self.token_expires_at:` (OrganizationMember.save): an empty
			// token, falsy, gets no expiry.
			if (expiry.empty())
				expiry = utc_now_plus_days(30);
			batch.set(r, "token_expires_at", expiry);
		}
	}
}

void after_write_projects(RuleContext &ctx, const BatchEdit &, const Written &written) {
	// A new project gets the option sentry:option-epoch = 13 (LATEST_EPOCH) unless it has one.
	// (Sentry's signal also creates a Default ProjectKey when the project has none: not done, the
	// file's keys are all imported.)
	if (!ctx.shape("sentry_projectoptions"))
		return;
	std::vector<TextArray> options;
	std::vector<std::int64_t> pks;
	for (const WrittenRow &w : written) {
		if (w.action != RowFate::Action::Insert)
			continue;
		options.push_back({std::to_string(w.new_pk), std::string("sentry:option-epoch"), std::string("13")});
		pks.push_back(w.source_pk);
	}
	// The export's own ProjectOption rows come later and get-or-create this one (see after_write_users).
	ctx.insert_derived_later("sentry.projectoption", "sentry_projectoptions", {"project_id", "key", "value"},
	                         {"project_id", "key"}, false, options, "sentry.project", pks, true);
}

} // namespace relocate::rules

// Sentry's import rules for organizations and what hangs off them: slugs and slug reservations
// (src/sentry/models/organization.py Organization.save / write_relocation_import,
// organizationslugreservation.py), members' invitations (organizationmember.py
// OrganizationMember.save), and the option a new project gets (the project's post-save signal).
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
	// Organization.save (src/sentry/models/organization.py) on a new row: the slug lower-cased,
	// '_' -> '-', stripped of '-', then slugify_instance (slugify, 30 characters) and
	// unique_db_instance with RESERVED_ORGANIZATION_SLUGS, unique case-insensitively among
	// organizations (and, relocate's addition, slug reservations).
	if (batch.table().find("slug") < 0)
		return;
	// Slugs are unique across organizations and slug reservations; concurrent imports take turns.
	ctx.lock_once("relocate organization slugs");
	std::vector<std::size_t> rows;
	std::vector<std::string> sources;
	for (std::size_t r = 0; r < batch.rows(); ++r) {
		if (auto s = batch.get(r, "slug")) {
			rows.push_back(r);
			sources.push_back(*s);
		}
	}
	if (rows.empty())
		return;
	std::vector<std::string> bases;
	CaseFolds folds;
	for (const std::string &s : nfkd(ctx, sources)) {
		bases.push_back(suffix_base(normalize_organization_slug(s), reserved_organization_slugs()));
		folds.add_base(bases.back(), 30);
	}
	ctx.fold(folds); // slugs are ASCII: no query
	UniqueValues &taken = ctx.unique_values(
	    "organization slugs", {{batch.table().name, "slug"}, {"sentry_organizationslugreservation", "slug"}});
	std::vector<std::string> final_slugs = ctx.pick_unique(taken, bases, 30, folds);
	for (std::size_t i = 0; i < rows.size(); ++i)
		batch.set(rows[i], "slug", final_slugs[i]);
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

void resolve_organization_members(RuleContext &ctx, BatchEdit &batch) {
	// An invitation token that another member (in the database or earlier in this batch) already has
	// is dropped with its expiry; a kept token without expiry expires in 30 days (Sentry's save).
	std::vector<bool> taken = ctx.taken_values(batch, "token");
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
	ctx.insert_derived("sentry_projectoptions", {"project_id", "key", "value"}, options, pks, true);
}

} // namespace relocate::rules

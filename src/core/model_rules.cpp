#include "core/model_rules.hpp"

#include <algorithm>
#include <cctype>

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

} // namespace

// --- normalize (spec §6 "Normalize") ---------------------------------------------------------------

bool ModelRules::normalize(const ModelDef &model, RowEdit &row,
                           const std::unordered_map<std::string, ImportKind> &references) {
	auto merged_user = [&] {
		auto it = references.find("user");
		return it != references.end() && it->second != ImportKind::Inserted;
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
	for (std::size_t i = 0; i < rows.size(); ++i) {
		if (!found[i])
			continue;
		RowFate &fate = batch.fate(rows[i]);
		fate.action = action;
		fate.kind = kind;
		fate.id = found[i]->id;
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
	auto exists = [&](const std::vector<std::string> &values) {
		std::vector<bool> hit(values.size(), false);
		std::vector<std::pair<std::string, const char *>> where = {{table, column}};
		if (also_in)
			where.push_back(*also_in);
		for (const auto &[t, col] : where) {
			std::optional<TableShape> &s = shape(t);
			if (!s)
				throw ImportError(sqlstate::kUndefinedTable, "relocate: table \"" + t + "\" does not exist", {},
				                  "Create Sentry's schema first, and check that its schema is in the search_path.");
			KeyLookup lookup;
			lookup.table = &*s;
			lookup.columns = {s->find(col)};
			lookup.fold_case = true;
			for (const std::string &v : values)
				lookup.probes.push_back({v});
			std::vector<std::optional<FoundRow>> found = target_.find_rows(lookup);
			for (std::size_t i = 0; i < values.size(); ++i)
				hit[i] = hit[i] || found[i].has_value();
		}
		return hit;
	};
	std::vector<std::string> result(bases.size());
	std::vector<bool> base_exists = exists(bases);
	std::vector<std::size_t> colliding;
	for (std::size_t i = 0; i < bases.size(); ++i) {
		std::string lower = ascii_lower(bases[i]);
		if (!base_exists[i] && taken.count(lower) == 0 && base_usable_without_suffix(bases[i])) {
			result[i] = bases[i];
			taken.insert(lower);
		} else {
			colliding.push_back(i);
		}
	}
	if (colliding.empty())
		return result;
	// Sentry tries its 27 suffixed candidates one by one; all of them are looked up at once here.
	std::vector<std::vector<std::string>> candidates;
	std::vector<std::string> all;
	for (std::size_t i : colliding) {
		candidates.push_back(suffix_candidates(bases[i], max_len));
		all.insert(all.end(), candidates.back().begin(), candidates.back().end());
	}
	std::vector<bool> candidate_exists = exists(all);
	std::size_t at = 0;
	for (std::size_t j = 0; j < colliding.size(); ++j) {
		const std::vector<std::string> &cands = candidates[j];
		std::string chosen = cands.back(); // Sentry keeps the last one if all are taken
		for (std::size_t k = 0; k < cands.size(); ++k) {
			if (!candidate_exists[at + k] && taken.count(ascii_lower(cands[k])) == 0) {
				chosen = cands[k];
				break;
			}
		}
		at += cands.size();
		taken.insert(ascii_lower(chosen));
		result[colliding[j]] = chosen;
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
	}
}

} // namespace relocate

#include "core/model_rules.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <limits>
#include <system_error>

#include "core/error.hpp"
#include "core/generated_values.hpp"
#include "core/import_state.hpp"
#include "core/export_reader.hpp"
#include "core/text.hpp"

namespace relocate {

// --- RowEdit, BatchEdit -------------------------------------------------------------------------

std::optional<std::string> RowEdit::get(const char *column) const {
	int c = table_.find(column);
	if (c < 0 || states_[static_cast<std::size_t>(c)] != CellState::Value)
		return std::nullopt;
	return values_[static_cast<std::size_t>(c)];
}

void RowEdit::set(const char *column, std::string value) {
	int c = table_.find(column);
	if (c < 0)
		return;
	values_[static_cast<std::size_t>(c)] = std::move(value);
	states_[static_cast<std::size_t>(c)] = CellState::Value;
}

void RowEdit::set_null(const char *column) {
	int c = table_.find(column);
	if (c >= 0)
		states_[static_cast<std::size_t>(c)] = CellState::Null;
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
	if (k < 0 || batch_.is_null(row, static_cast<std::size_t>(k)))
		return std::nullopt;
	return batch_.cell(row, static_cast<std::size_t>(k));
}

bool BatchEdit::set(std::size_t row, const char *column, std::string value) {
	int k = position(column);
	if (k < 0)
		return false;
	batch_.set_value(row, static_cast<std::size_t>(k), std::move(value));
	return true;
}

bool BatchEdit::set_null(std::size_t row, const char *column) {
	int k = position(column);
	if (k < 0)
		return false;
	batch_.set_null(row, static_cast<std::size_t>(k));
	return true;
}

void remap_id_or_null(RuleContext &ctx, RowEdit &row, const char *model, const char *column, const char *target) {
	const std::optional<std::string> value = row.get(column);
	std::int64_t old_pk = 0;
	if (!value || !parse_int64(*value, old_pk))
		return;
	if (const std::optional<std::int64_t> new_pk = ctx.mapped_pk(target, old_pk)) {
		row.set(column, std::to_string(*new_pk));
		return;
	}
	row.set_null(column);
	ctx.null_reference(row, model, column, nulled_because(target));
}

DroppedField &unmapped_reference(ImportReport &report, const std::string &model, const std::string &field,
                                 const std::string &why) {
	for (DroppedField &d : report.unmapped_references)
		if (d.model == model && d.field == field && d.why == why)
			return d;
	report.unmapped_references.push_back(DroppedField{model, field, why, 0});
	return report.unmapped_references.back();
}

std::string nulled_because(const std::string &target) {
	return "set to NULL: the " + target + " it named was not imported";
}

// --- RuleContext --------------------------------------------------------------------------------

const std::optional<TableShape> &RuleContext::shape(const std::string &table) {
	auto it = shapes_.find(table);
	if (it == shapes_.end())
		it = shapes_.emplace(table, target_.describe_table(table)).first;
	return it->second;
}

const TableShape &RuleContext::required_shape(const std::string &table, std::string_view why) {
	const std::optional<TableShape> &s = shape(table);
	if (!s)
		throw missing_table_error(table, {}, why);
	return *s;
}

std::optional<std::int64_t> RuleContext::mapped_pk(const char *model, std::int64_t old_pk) const {
	const ModelDef *def = find_model(model);
	if (pk_map_ == nullptr || def == nullptr)
		return std::nullopt;
	const std::optional<PkEntry> entry = pk_map_->find(model_index(def), old_pk);
	// A slot reserved for a row of a batch not written yet has no pk (0): only rows of other models
	// are looked up, and those are written.
	if (!entry || entry->new_pk == 0)
		return std::nullopt;
	return entry->new_pk;
}

void RuleContext::null_reference(RowEdit &row, const std::string &model, const std::string &field,
                                 const std::string &why) {
	const DroppedField &d = unmapped_reference(report_, model, field, why);
	row.nulled_reference(static_cast<std::size_t>(&d - report_.unmapped_references.data()));
}

void RuleContext::keep_unmapped_reference(RowEdit &row, const char *model, const char *field, const char *target) {
	DroppedField &d =
	    unmapped_reference(report_, model, field,
	                       std::string("kept as it is (the column is NOT NULL), as Sentry keeps it: the ") + target +
	                           " it names was not imported");
	d.kept = true;
	row.nulled_reference(static_cast<std::size_t>(&d - report_.unmapped_references.data()));
}

bool RuleContext::table_removed_by_sentry(const char *model) {
	const ModelDef *def = find_model(model);
	return def != nullptr && def->table_removed != nullptr && !shape(def->table);
}

void RuleContext::lock_once(const std::string &name) {
	// A lock taken in the middle of an import, in whatever order its models come, is how two
	// imports deadlocked (issue 8): there is no such lock any more.
	if (!import_locked_)
		throw ImportError(sqlstate::kInternalError,
		                  "relocate: internal error: \"" + name + "\" is needed before the import's lock is taken");
}

std::vector<bool> RuleContext::taken_values(BatchEdit &batch, const char *column) {
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

void RuleContext::apply_key_rule(BatchEdit &batch, const KeyRule &rule) {
	RowFate::Action action = rule.action;
	ImportKind kind = rule.kind;
	if (rule.overwritable) {
		// Two rows of one batch with the same key are not matched with each other in Sentry (the
		// second would be an INSERT that the table's unique constraint rejects); exports hold each
		// key once, and relocate matches them like any other key.
		action = options_.overwrite_configs ? RowFate::Action::Update : RowFate::Action::Reuse;
		kind = options_.overwrite_configs ? ImportKind::Overwrite : ImportKind::Existing;
	}
	KeyLookup lookup;
	lookup.table = &batch.table();
	lookup.fold_case = rule.fold_case;
	std::vector<const char *> key;
	for (const char *column : rule.columns) {
		if (column == nullptr)
			break;
		int c = batch.table().find(column);
		if (c < 0)
			return;
		lookup.columns.push_back(c);
		key.push_back(column);
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
			fate.becomes(action, kind);
			fate.id = found[i]->id;
			continue;
		}
		std::vector<std::string> k = lookup.probes[i];
		if (rule.fold_case)
			for (std::string &v : k)
				v = ascii_lower(v);
		auto [it, first] = first_in_batch.emplace(k, rows[i]);
		if (!first) {
			fate.becomes(action, kind);
			fate.same_as_row = static_cast<long>(it->second);
		} else if (replace_pending(batch.model(), rule, k)) {
			// The row a signal would have created, still held back: this row is written in its place,
			// as the row Sentry's get-or-create finds (and reports as it does).
			fate.kind = kind;
		}
	}
}

namespace {

bool all_ascii(const std::vector<std::string> &values) {
	for (const std::string &v : values)
		for (unsigned char c : v)
			if (c >= 0x80)
				return false;
	return true;
}

std::string joined_key(const std::vector<std::string> &values) {
	std::string k;
	for (const std::string &v : values)
		k.append(v).push_back('\0');
	return k;
}

} // namespace

std::string RuleContext::PendingDerived::key_of(std::uint32_t r) const {
	std::string k; // as joined_key of the values (lowercased as insert_derived_later does)
	for (std::size_t c : at)
		k.append(rows.value(r, c).value_or(std::string_view())).push_back('\0');
	if (fold_case)
		ascii_lower_in_place(k);
	return k;
}

void RuleContext::insert_derived_later(const char *consumer, const std::string &table,
                                       const std::vector<std::string> &columns, const std::vector<std::string> &key,
                                       bool fold_case, const std::vector<TextArray> &rows, const char *source_model,
                                       const std::vector<std::int64_t> &source_pks, bool ignore_conflicts) {
	if (consumer_runs_ended_.count(consumer) != 0)
		return insert_derived(table, columns, rows, source_pks, ignore_conflicts);
	std::vector<PendingDerived> &all = pending_[consumer];
	auto it = std::find_if(all.begin(), all.end(), [&](const PendingDerived &p) { return p.table == table; });
	if (it == all.end()) {
		PendingDerived p;
		p.table = table;
		p.columns = columns;
		p.key = key;
		for (const std::string &k : key)
			p.at.push_back(static_cast<std::size_t>(std::find(columns.begin(), columns.end(), k) - columns.begin()));
		p.fold_case = fold_case;
		p.ignore_conflicts = ignore_conflicts;
		p.rows = PackedRows(columns.size());
		all.push_back(std::move(p));
		it = all.end() - 1;
	}
	std::vector<TextArray> now;
	std::vector<std::int64_t> now_pks;
	for (std::size_t r = 0; r < rows.size(); ++r) {
		std::vector<std::string> values;
		for (std::size_t at : it->at)
			values.push_back(rows[r][at].value_or(std::string()));
		if (!all_ascii(values)) {
			now.push_back(rows[r]);
			now_pks.push_back(source_pks[r]);
			continue;
		}
		if (fold_case)
			for (std::string &v : values)
				ascii_lower_in_place(v);
		// The first of equal keys is the one a get-or-create would find (conflicts are ignored).
		if (it->rows.size() >= std::numeric_limits<std::uint32_t>::max())
			throw ImportError(sqlstate::kProgramLimitExceeded,
			                  std::string("relocate: ") + source_model + " pk " + std::to_string(source_pks[r]) +
			                      ": more than 4294967294 rows of " + table + " held back for " + consumer,
			                  "Sentry's signals create these rows for the imported rows; relocate holds them back "
			                  "until the export's own " +
			                      std::string(consumer) + " entries have been read.",
			                  "Import the export in parts: by organizations (org_filter) or by users (user_filter).");
		const auto row = static_cast<std::uint32_t>(it->rows.size());
		const PendingDerived &p = *it;
		if (it->by_key.insert(joined_key(values), row, [&p](std::uint32_t r) { return p.key_of(r); }) != row &&
		    ignore_conflicts)
			continue;
		it->rows.push_back(rows[r]);
		it->source_pks.push_back(source_pks[r]);
		it->replaced.push_back(false);
	}
	insert_derived(table, columns, now, now_pks, ignore_conflicts);
}

bool RuleContext::replace_pending(const char *consumer, const KeyRule &rule,
                                  const std::vector<std::string> &key_values) {
	auto found = pending_.find(consumer);
	if (found == pending_.end())
		return false;
	for (PendingDerived &p : found->second) {
		if (p.key.size() != key_values.size() || p.fold_case != rule.fold_case ||
		    !std::equal(p.key.begin(), p.key.end(), rule.columns.begin()))
			continue;
		const std::optional<std::uint32_t> row =
		    p.by_key.find(joined_key(key_values), [&p](std::uint32_t r) { return p.key_of(r); });
		if (!row || p.replaced[*row])
			return false;
		p.replaced[*row] = true;
		return true;
	}
	return false;
}

void RuleContext::flush_derived(const char *consumer) {
	if (consumer != nullptr)
		consumer_runs_ended_.insert(consumer);
	for (auto it = pending_.begin(); it != pending_.end();) {
		if (consumer != nullptr && it->first != consumer) {
			++it;
			continue;
		}
		for (PendingDerived &p : it->second) {
			// In batches, so that the rows are never all unpacked at once.
			std::vector<TextArray> rows;
			std::vector<std::int64_t> pks;
			for (std::size_t r = 0; r < p.rows.size(); ++r) {
				if (!p.replaced[r]) {
					rows.push_back(p.rows.row(r));
					pks.push_back(p.source_pks[r]);
				}
				if (rows.size() >= std::max<std::size_t>(options_.batch_rows, 1) ||
				    (r + 1 == p.rows.size() && !rows.empty())) {
					insert_derived(p.table, p.columns, rows, pks, p.ignore_conflicts);
					rows.clear();
					pks.clear();
				}
			}
		}
		it = pending_.erase(it);
	}
}

UniqueValues &RuleContext::unique_values(const std::string &name,
                                         std::vector<std::pair<std::string, const char *>> sources) {
	auto [it, created] = unique_values_.try_emplace(name);
	if (created) {
		it->second.sources = std::move(sources);
		load(it->second);
	}
	return it->second;
}

void RuleContext::load(UniqueValues &values) {
	// The values already in the tables are read once per import, so that no candidate needs a
	// query: UPPER(column) has no index to use, and a lookup per batch would scan the table again
	// and again. Concurrent imports take turns on the import's lock, held since its start, so the
	// values cannot change underneath.
	for (const auto &[table, column] : values.sources)
		for (std::string &v : target_.upper_values(required_shape(table), column))
			values.taken.emplace(std::move(v), false);
}

const std::vector<std::string> &RuleContext::ascii_upper() {
	if (ascii_upper_.empty()) {
		std::vector<std::string> chars;
		for (int c = 1; c < 128; ++c)
			chars.emplace_back(1, static_cast<char>(c));
		ascii_upper_.emplace_back(); // U+0000 is never in a text value
		for (std::string &u : target_.upper(chars))
			ascii_upper_.push_back(std::move(u));
		if (ascii_upper_.size() != 128)
			throw ImportError(sqlstate::kInternalError, "relocate: upper() of the ASCII characters failed");
	}
	return ascii_upper_;
}

void RuleContext::fold(CaseFolds &folds) {
	folds.ascii_ = &ascii_upper();
	std::vector<std::string> others;
	for (std::string &text : folds.pending_) {
		if (folds.upper_.count(text))
			continue;
		if (is_ascii(text))
			folds.upper_.emplace(text, folds.upper_ascii(text));
		else if (folds.upper_.emplace(text, std::string()).second)
			others.push_back(text);
	}
	folds.pending_.clear();
	if (others.empty())
		return;
	std::vector<std::string> upper = target_.upper(others);
	for (std::size_t i = 0; i < others.size(); ++i)
		folds.upper_[others[i]] = std::move(upper[i]);
}

namespace {

// unique_db_instance: the base as it is if free (and not all digits), else the first of Sentry's
// 27 suffixed candidates that is free, in order; the last one if none is. `is_taken(upper)` tells a
// taken value, `take(upper)` takes the one picked.
template <typename IsTaken, typename Take>
std::vector<std::string> pick_unique_in(const IsTaken &is_taken, const Take &take,
                                        const std::vector<std::string> &bases, std::size_t max_len,
                                        const CaseFolds &folds) {
	std::vector<std::string> result(bases.size());
	for (std::size_t i = 0; i < bases.size(); ++i) {
		std::string upper = folds.upper(bases[i]);
		if (!is_taken(upper) && base_usable_without_suffix(bases[i])) {
			result[i] = bases[i];
		} else {
			std::vector<std::string> candidates = suffix_candidates(bases[i], max_len);
			result[i] = candidates.back();
			upper = folds.upper_candidate(result[i]);
			for (const std::string &c : candidates) {
				std::string u = folds.upper_candidate(c);
				if (!is_taken(u)) {
					result[i] = c;
					upper = std::move(u);
					break;
				}
			}
		}
		take(std::move(upper));
	}
	return result;
}

} // namespace

std::vector<std::string> RuleContext::pick_unique(UniqueValues &values, const std::vector<std::string> &bases,
                                                  std::size_t max_len, const CaseFolds &folds) {
	return pick_unique_in([&](const std::string &u) { return values.taken.count(u) != 0; },
	                      [&](std::string &&u) { values.taken[std::move(u)] = true; }, bases, max_len, folds);
}

std::vector<std::string> RuleContext::pick_unique(std::unordered_set<std::string> &taken,
                                                  const std::vector<std::string> &bases, std::size_t max_len,
                                                  const CaseFolds &folds) {
	return pick_unique_in([&](const std::string &u) { return taken.count(u) != 0; },
	                      [&](std::string &&u) { taken.insert(std::move(u)); }, bases, max_len, folds);
}

std::unordered_map<std::string, ScopedUnique> &RuleContext::scoped_unique(const TableShape &table, const char *column,
                                                                          const char *scope_column,
                                                                          const std::vector<std::string> &scopes) {
	std::unordered_map<std::string, ScopedUnique> &by_scope = scoped_unique_[table.name + "." + column];
	std::vector<std::string> unseen;
	for (const std::string &scope : scopes)
		if (by_scope.try_emplace(scope).second)
			unseen.push_back(scope);
	if (!unseen.empty())
		for (ScopedValue &v : target_.scoped_values(table, column, scope_column, unseen)) {
			ScopedUnique &u = by_scope[v.scope];
			++u.rows;
			u.exact.insert(std::move(v.value));
			u.upper.insert(std::move(v.upper));
		}
	return by_scope;
}

// --- CaseFolds ----------------------------------------------------------------------------------

void CaseFolds::add(const std::string &text) {
	if (upper_.count(text) == 0)
		pending_.push_back(text);
}

void CaseFolds::add_base(const std::string &base, std::size_t max_len) {
	add(base);
	for (std::size_t size : kSuffixSizes)
		add(std::string(suffix_candidate_prefix(base, max_len, size)));
}

const std::string &CaseFolds::upper(const std::string &text) const {
	auto it = upper_.find(text);
	if (it == upper_.end())
		throw ImportError(sqlstate::kInternalError, "relocate: a text was compared before it was folded");
	return it->second;
}

std::string CaseFolds::upper_ascii(std::string_view ascii) const {
	std::string out;
	for (char c : ascii)
		out += (*ascii_)[static_cast<unsigned char>(c) & 0x7f];
	return out;
}

std::string CaseFolds::upper_candidate(const std::string &candidate) const {
	// prefix + "-" + suffix, the suffix from Sentry's alphabet (no '-' in it).
	const std::size_t dash = candidate.rfind('-');
	if (dash == std::string::npos)
		return upper(candidate);
	return upper(candidate.substr(0, dash)) + upper_ascii(std::string_view(candidate).substr(dash));
}

void RuleContext::insert_derived(const std::string &table, const std::vector<std::string> &columns,
                                 const std::vector<TextArray> &rows, const std::vector<std::int64_t> &source_pks,
                                 bool ignore_conflicts) {
	if (rows.empty())
		return;
	const TableShape &s = required_shape(table, " (relocate writes the rows Sentry's signals create there)");
	RowBatch batch;
	batch.table = &s;
	batch.model = table.c_str();
	batch.ignore_conflicts = ignore_conflicts;
	for (const std::string &c : columns) {
		int i = s.find(c);
		if (i < 0)
			throw ImportError(sqlstate::kUndefinedColumn,
			                  "relocate: table \"" + table + "\" has no column \"" + c + "\"");
		batch.columns.push_back(i);
	}
	for (std::size_t r = 0; r < rows.size(); ++r) {
		batch.source_pks.push_back(source_pks[r]);
		for (const auto &cell : rows[r]) {
			if (cell)
				batch.push_value(*cell);
			else
				batch.push_null();
		}
	}
	target_.allocate_ids(s, rows.size(), batch.ids);
	target_.insert_rows(batch);
	report_.derived_rows += static_cast<std::int64_t>(rows.size());
}

// --- time ---------------------------------------------------------------------------------------

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

double epoch_seconds() {
	using namespace std::chrono;
	return duration_cast<duration<double>>(system_clock::now().time_since_epoch()).count();
}

void RuleContext::start_password_hashes_ahead() {
	if (hashes_ahead_ != nullptr)
		return;
	const std::size_t capacity =
	    PasswordHashesAhead::capacity_for(options_.password_hash_iterations, options_.batch_rows);
	try {
		hashes_ahead_ = std::make_unique<PasswordHashesAhead>(options_.password_hash_iterations, capacity);
	} catch (const std::system_error &) {
		// No thread to be had: the batches hash their users themselves.
		hashes_ahead_ = std::make_unique<PasswordHashesAhead>(options_.password_hash_iterations, 0);
	}
}

std::vector<std::string> RuleContext::replacement_password_hashes(std::size_t count) {
	const CheckInterrupts check = [this] { target_.check_for_interrupts(); };
	if (hashes_ahead_ != nullptr)
		return hashes_ahead_->take(count, check);
	return random_password_hashes(count, options_.password_hash_iterations, 0, check);
}

} // namespace relocate

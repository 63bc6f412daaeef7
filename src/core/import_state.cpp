#include "core/import_state.hpp"

#include "core/error.hpp"

namespace relocate {

namespace {

// splitmix64's finalizer: pks are often consecutive, and linear probing wants them spread.
std::size_t hash_pk(std::int64_t pk) {
	std::uint64_t x = static_cast<std::uint64_t>(pk);
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
	return static_cast<std::size_t>(x ^ (x >> 31));
}

} // namespace

std::size_t PkTable::slot_of(std::int64_t old_pk) const {
	const std::size_t mask = keys_.size() - 1;
	std::size_t i = hash_pk(old_pk) & mask;
	while (kinds_[i] != kEmpty && keys_[i] != old_pk)
		i = (i + 1) & mask;
	return i;
}

std::optional<PkEntry> PkTable::find(std::int64_t old_pk) const {
	if (size_ == 0)
		return std::nullopt;
	const std::size_t i = slot_of(old_pk);
	if (kinds_[i] == kEmpty)
		return std::nullopt;
	return PkEntry{values_[i], static_cast<ImportKind>(kinds_[i])};
}

void PkTable::grow() {
	std::vector<std::int64_t> keys = std::move(keys_), values = std::move(values_);
	std::vector<std::uint8_t> kinds = std::move(kinds_);
	const std::size_t capacity = keys.empty() ? 16 : keys.size() * 2;
	keys_.assign(capacity, 0);
	values_.assign(capacity, 0);
	kinds_.assign(capacity, kEmpty);
	for (std::size_t i = 0; i < keys.size(); ++i) {
		if (kinds[i] == kEmpty)
			continue;
		const std::size_t j = slot_of(keys[i]);
		keys_[j] = keys[i];
		values_[j] = values[i];
		kinds_[j] = kinds[i];
	}
}

bool PkTable::insert(std::int64_t old_pk, PkEntry e) {
	if ((size_ + 1) * 4 > keys_.size() * 3)
		grow();
	const std::size_t i = slot_of(old_pk);
	if (kinds_[i] != kEmpty)
		return false;
	keys_[i] = old_pk;
	values_[i] = e.new_pk;
	kinds_[i] = static_cast<std::uint8_t>(e.kind);
	++size_;
	return true;
}

void PkTable::set(std::int64_t old_pk, PkEntry e) {
	const std::size_t i = slot_of(old_pk);
	values_[i] = e.new_pk;
	kinds_[i] = static_cast<std::uint8_t>(e.kind);
}

void PkTable::erase(std::int64_t old_pk) {
	if (size_ == 0)
		return;
	const std::size_t mask = keys_.size() - 1;
	std::size_t hole = slot_of(old_pk);
	if (kinds_[hole] == kEmpty)
		return;
	kinds_[hole] = kEmpty;
	--size_;
	// Backward shift: move later entries of the probe run into the hole when that shortens their probe.
	for (std::size_t i = (hole + 1) & mask; kinds_[i] != kEmpty; i = (i + 1) & mask) {
		const std::size_t home = hash_pk(keys_[i]) & mask;
		// The entry at i may move to the hole if its home is not in (hole, i] (cyclically).
		const bool home_after_hole = hole <= i ? (home > hole && home <= i) : (home > hole || home <= i);
		if (home_after_hole)
			continue;
		keys_[hole] = keys_[i];
		values_[hole] = values_[i];
		kinds_[hole] = kinds_[i];
		kinds_[i] = kEmpty;
		hole = i;
	}
}

void ReportLog::add(const char *model, std::int64_t old_pk, std::optional<std::int64_t> new_pk, const char *action,
                    std::string detail) {
	if (!model_.empty() && model_ != model)
		flush();
	if (model_.empty())
		model_ = model;
	rows_.model = model_.c_str();
	rows_.add(old_pk, new_pk, action, std::move(detail));
	if (rows_.size() >= batch_rows_)
		flush();
}

void ReportLog::flush() {
	if (rows_.size() > 0)
		target_.record_report(rows_);
	rows_.clear();
	rows_.model = nullptr;
	model_.clear();
}

std::size_t PkMap::entries() const {
	std::size_t n = 0;
	for (const PkTable &t : tables_)
		n += t.size();
	return n;
}

std::size_t PkMap::bytes() const {
	std::size_t n = 0;
	for (const PkTable &t : tables_)
		n += t.bytes();
	return n;
}

ImportProgress progress_of(const ImportState &state) {
	ImportProgress p;
	p.phase = state.timeline.current();
	p.entries = state.report.entries;
	for (const ModelSummary &m : state.report.models) {
		p.written += m.inserted + m.existing + m.overwritten;
		p.skipped += m.skipped;
		p.reused += m.reused;
	}
	return p;
}

void settle_report(ImportState &state) {
	state.timeline.settle();
	state.report.pk_map_entries = static_cast<std::int64_t>(state.pk_map.entries());
	state.report.pk_map_bytes = static_cast<std::int64_t>(state.pk_map.bytes());
	for (std::size_t p = 0; p < state.report.phase_seconds.size(); ++p)
		state.report.phase_seconds[p] = state.timeline.seconds(static_cast<Phase>(p));
}

std::string describe_entry(const ExportEntry &e) {
	return "export entry " + std::to_string(e.index + 1) + " at line " + std::to_string(e.line) + ", byte offset " +
	       std::to_string(e.offset);
}

void fail_entry(const ExportEntry &entry, const char *code, const std::string &what, const std::string &hint,
                const std::string &detail) {
	throw ImportError(code, "relocate: " + entry.model + " pk " + std::to_string(entry.pk) + ", " + what,
	                  (detail.empty() ? std::string() : detail + " ") + "At " + describe_entry(entry) + ".", hint);
}

} // namespace relocate

#include "core/json.hpp"

#include "core/import_chunks.hpp"

#include <algorithm>

#include "core/error.hpp"
#include "core/export_reader.hpp"
#include "core/value.hpp"

namespace relocate {

void ChunkBuilder::start(const std::string &model, bool control) {
	model_ = model;
	control_ = control;
	entries_.clear();
}

std::vector<ImportChunk> ChunkBuilder::take(std::optional<std::int64_t> before_group) {
	std::vector<ImportChunk> chunks;
	std::size_t i = 0;
	while (i < entries_.size() && (!before_group || entries_[i].group < *before_group)) {
		const std::int64_t group = entries_[i].group;
		ImportChunk c;
		c.model = model_;
		c.control = control_;
		c.min_ordinal = chunk_min_ordinal(group);
		c.min_source_pk = entries_[i].old_pk; // Sentry: the first written instance's, not a minimum
		c.max_source_pk = entries_[i].old_pk;
		std::string maps[3]; // Inserted, Existing, Overwrite
		std::string identifiers;
		std::int64_t counted = 0;
		for (; i < entries_.size() && entries_[i].group == group; ++i) {
			const Entry &e = entries_[i];
			++counted;
			c.max_source_pk = std::max(c.max_source_pk, e.old_pk);
			std::string &map = maps[static_cast<int>(e.kind)];
			map += map.empty() ? "{" : ",";
			map += "\"" + std::to_string(e.old_pk) + "\":" + std::to_string(e.new_pk);
			if (e.kind == ImportKind::Inserted) {
				if (!c.min_inserted_pk)
					c.min_inserted_pk = e.new_pk;
				c.max_inserted_pk = std::max(c.max_inserted_pk.value_or(e.new_pk), e.new_pk);
				if (e.slug) {
					identifiers += identifiers.empty() ? "{" : ",";
					identifiers += "\"" + std::to_string(e.old_pk) + "\":";
					append_json_string(identifiers, *e.slug);
				}
			}
		}
		c.max_ordinal = c.min_ordinal - 1 + counted;
		c.inserted_map = maps[0].empty() ? "{}" : maps[0] + "}";
		c.existing_map = maps[1].empty() ? "{}" : maps[1] + "}";
		c.overwrite_map = maps[2].empty() ? "{}" : maps[2] + "}";
		c.inserted_identifiers = identifiers.empty() ? "{}" : identifiers + "}";
		chunks.push_back(std::move(c));
	}
	entries_.erase(entries_.begin(), entries_.begin() + static_cast<std::ptrdiff_t>(i));
	return chunks;
}

std::int64_t ChunkBuilder::write(Target &target, const std::string &import_uuid,
                                 std::optional<std::int64_t> before_group) {
	std::vector<ImportChunk> complete = take(before_group);
	if (!complete.empty())
		target.write_chunks(import_uuid, complete);
	return static_cast<std::int64_t>(complete.size());
}

namespace {

// SAX handler for a flat JSON object {"<int>": <int or string>, ...}: what Sentry writes in a
// chunk's maps (values are new pks) and inserted_identifiers (values are slugs).
class FlatObjectHandler : public rapidjson::BaseReaderHandler<rapidjson::UTF8<>, FlatObjectHandler> {
public:
	FlatObjectHandler(bool string_values, std::vector<std::pair<std::int64_t, std::string>> &out)
	    : string_values_(string_values), out_(out) {}
	bool Default() { return false; }
	bool StartObject() { return depth_++ == 0; }
	bool EndObject(rapidjson::SizeType) { return --depth_ == 0; }
	bool Key(const char *s, rapidjson::SizeType n, bool) {
		std::int64_t k;
		if (depth_ != 1 || !parse_int64(std::string_view(s, n), k))
			return false;
		key_ = k;
		return true;
	}
	bool RawNumber(const char *s, rapidjson::SizeType n, bool) {
		if (depth_ != 1 || string_values_)
			return false;
		out_.emplace_back(key_, std::string(s, n));
		return true;
	}
	bool String(const char *s, rapidjson::SizeType n, bool) {
		if (depth_ != 1 || !string_values_)
			return false;
		out_.emplace_back(key_, std::string(s, n));
		return true;
	}

private:
	bool string_values_;
	std::vector<std::pair<std::int64_t, std::string>> &out_;
	int depth_ = 0;
	std::int64_t key_ = 0;
};

std::vector<std::pair<std::int64_t, std::string>> parse_flat_object(const ImportChunk &c, const std::string &json,
                                                                    bool string_values, const char *column) {
	std::vector<std::pair<std::int64_t, std::string>> out;
	FlatObjectHandler handler(string_values, out);
	rapidjson::Reader reader;
	rapidjson::MemoryStream stream(json.data(), json.size());
	constexpr unsigned kFlags =
	    rapidjson::kParseValidateEncodingFlag | rapidjson::kParseNumbersAsStringsFlag | rapidjson::kParseIterativeFlag;
	if (reader.Parse<kFlags>(stream, handler).IsError())
		throw ImportError(sqlstate::kDataException,
		                  "relocate: the import chunk of " + c.model + " at ordinal " + std::to_string(c.min_ordinal) +
		                      " has a malformed " + column,
		                  "Its maps must be JSON objects from old pk to new pk, as Sentry writes them.");
	return out;
}

} // namespace

void fail_chunk_mismatch(const std::string &import_uuid, const std::string &what) {
	throw ImportError(sqlstate::kInvalidParameterValue,
	                  "relocate: the export does not match the import chunks of import_uuid " + import_uuid + ": " +
	                      what,
	                  "The import chunks of the earlier, committed run say which entries it wrote at which "
	                  "ordinals of each model; nothing of this export was written.",
	                  "A re-run with a used import_uuid must import the same export with the same options. To "
	                  "import another export, use a new import_uuid (or none).");
}

ChunkIndex index_chunks(const std::vector<ImportChunk> &chunks, const CheckInterrupts &check) {
	ChunkIndex index;
	std::size_t seen = 0;
	for (const ImportChunk &c : chunks) {
		if (check && ++seen % 256 == 0)
			check();
		RestoredChunk &r = index[{c.model, c.min_ordinal}];
		r.max_ordinal = c.max_ordinal;
		const std::pair<const std::string *, ImportKind> maps[] = {{&c.inserted_map, ImportKind::Inserted},
		                                                           {&c.existing_map, ImportKind::Existing},
		                                                           {&c.overwrite_map, ImportKind::Overwrite}};
		const char *const names[] = {"inserted_map", "existing_map", "overwrite_map"};
		for (int m = 0; m < 3; ++m) {
			for (const auto &[old_pk, value] : parse_flat_object(c, *maps[m].first, false, names[m])) {
				std::int64_t new_pk;
				if (!parse_int64(value, new_pk))
					throw ImportError(sqlstate::kDataException, "relocate: the import chunk of " + c.model +
					                                                " at ordinal " + std::to_string(c.min_ordinal) +
					                                                " maps pk " + std::to_string(old_pk) +
					                                                " to a value that is not an integer pk");
				r.entries[old_pk] = RestoredChunk::Mapped{new_pk, maps[m].second, std::nullopt};
			}
		}
		for (const auto &[old_pk, slug] : parse_flat_object(c, c.inserted_identifiers, true, "inserted_identifiers")) {
			auto it = r.entries.find(old_pk);
			if (it != r.entries.end() && it->second.kind == ImportKind::Inserted)
				it->second.slug = slug;
		}
	}
	return index;
}

ChunkRestorer::Outcome ChunkRestorer::restore(ModelState &st, const ExportEntry &entry, std::int64_t group) {
	if (restored_.empty())
		return Outcome::None;
	const std::int64_t group_start = chunk_min_ordinal(group);
	auto chunk = restored_.find({st.def->name, group_start});
	if (chunk == restored_.end())
		return Outcome::None;
	if (group_start != last_group_start_ || &st != last_state_) {
		++state_.report.chunks_reused;
		last_group_start_ = group_start;
		last_state_ = &st;
	}
	auto it = chunk->second.entries.find(entry.pk);
	if (it == chunk->second.entries.end())
		return Outcome::Unmapped;
	RestoredChunk::Mapped &m = it->second;
	if (!state_.pk_map.insert(model_index(st.def), entry.pk, PkEntry{m.new_pk, m.kind}))
		fail_entry(entry, sqlstate::kInvalidParameterValue, "the same pk appears twice for this model",
		           "A Sentry export holds each row once; a repeated pk would make its references ambiguous.");
	m.seen = true;
	++chunk->second.seen;
	++state_.summary(st).reused;
	state_.log.add(st.def->name, entry.pk, m.new_pk, "reused",
	               std::string("written by the earlier run with this import_uuid (as ") + import_kind_name(m.kind) +
	                   "); nothing written now");
	if (rows_.model != nullptr && rows_.model != st.def->name)
		flush();
	rows_.model = st.def->name;
	rows_.add(entry.pk, m.new_pk, m.kind, m.slug);
	if (rows_.size() >= state_.options.batch_rows)
		flush();
	return Outcome::Reused;
}

void ChunkRestorer::check_all_seen() const {
	for (const auto &[key, chunk] : restored_) {
		if (chunk.seen == chunk.entries.size())
			continue;
		// The smallest pk the export lacks (pks may be 0 or negative: no sentinel value).
		std::optional<std::int64_t> missing;
		for (const auto &[old_pk, m] : chunk.entries)
			if (!m.seen && (!missing || old_pk < *missing))
				missing = old_pk;
		fail_chunk_mismatch(state_.options.import_uuid,
		                    key.first + " pk " + std::to_string(*missing) +
		                        ", written by the earlier run at ordinals " + std::to_string(key.second) + " to " +
		                        std::to_string(chunk.max_ordinal) + ", is not at those ordinals in this export");
	}
}

void ChunkRestorer::flush() {
	rows_.restored = true;
	if (rows_.size() > 0)
		state_.target.record_pk_map(rows_);
	rows_.clear();
	rows_.model = nullptr;
}

} // namespace relocate

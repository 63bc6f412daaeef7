// Import chunks (import-spec §7): Sentry records what each batch of up to 20 consecutive entries of a
// model wrote (ordinals, source and inserted pk bounds, old->new maps per ImportKind) in
// sentry_regionimportchunk / sentry_controlimportchunk, keyed by (import_uuid, model,
// min_ordinal). A re-run with the same import_uuid finds the chunks and rebuilds the pk map from
// them instead of writing again. relocate keeps Sentry's 20-entry grouping (ordinals count every
// entry of the model, skipped ones too), independent of its own, larger INSERT batches.
//
// PostgreSQL-free.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "core/import_state.hpp"
#include "core/target.hpp"

namespace relocate {

inline constexpr std::int64_t kChunkSize = 20; // Sentry's MAX_BATCH_SIZE

// The 0-based group of the entry with 0-based ordinal index `index` within its model, and the
// group's min_ordinal (1-based, as Sentry stores it).
inline std::int64_t chunk_group(std::int64_t index) {
	return index / kChunkSize;
}
inline std::int64_t chunk_min_ordinal(std::int64_t group) {
	return group * kChunkSize + 1;
}

// Collects what one model's groups wrote and turns complete groups into chunk rows.
class ChunkBuilder {
public:
	struct Entry {
		std::int64_t group;
		std::int64_t old_pk;
		std::int64_t new_pk;
		ImportKind kind;
		std::optional<std::string> slug;
	};

	// Starts collecting for `model` (any entries of a previous model must have been taken).
	void start(const std::string &model, bool control);
	void add(Entry entry) { entries_.push_back(std::move(entry)); }
	// Chunk rows for every collected group below `before_group` (all groups if nullopt); those
	// entries are removed.
	std::vector<ImportChunk> take(std::optional<std::int64_t> before_group);
	// Writes the chunks take(before_group) returns for `import_uuid`; returns how many.
	std::int64_t write(Target &target, const std::string &import_uuid, std::optional<std::int64_t> before_group);

private:
	std::string model_;
	bool control_ = false;
	std::vector<Entry> entries_; // in entry order, so groups ascend
};

// A chunk loaded from the database, parsed back into pk-map entries (old pk -> new pk, kind, slug).
struct RestoredChunk {
	struct Mapped {
		std::int64_t new_pk;
		ImportKind kind;
		std::optional<std::string> slug;
		bool seen = false; // this run's export holds the entry at the chunk's ordinals
	};
	std::int64_t max_ordinal = 0;
	std::unordered_map<std::int64_t, Mapped> entries;
	std::size_t seen = 0; // entries seen
};

using ChunkIndex = std::map<std::pair<std::string, std::int64_t>, RestoredChunk>;

// The error (22023) for an export that is not the one an earlier run with the import_uuid
// imported: `what` says which entry does not fit which chunk.
[[noreturn]] void fail_chunk_mismatch(const std::string &import_uuid, const std::string &what);

// Parses loaded chunks into an index by (model, min_ordinal). Throws ImportError (22000) for a
// chunk whose maps are not the JSON Sentry writes.
// `check` (if set) is called every 256 chunks.
ChunkIndex index_chunks(const std::vector<ImportChunk> &chunks, const CheckInterrupts &check = {});

// A run with the import_uuid of an earlier, committed run: every entry whose group that run wrote
// gets its mapping back from that run's chunk (and the summary counts it as that run did), and
// nothing of it is written again.
class ChunkRestorer {
public:
	explicit ChunkRestorer(ImportState &state) : state_(state) {}

	// The chunks of the earlier run (none: nothing is restored).
	void set_restored(ChunkIndex restored) { restored_ = std::move(restored); }

	enum class Outcome {
		None,     // no chunk of the earlier run covers the entry: it is imported
		Reused,   // the entry's mapping comes from the chunk: nothing is written
		Unmapped, // the chunk covers the entry but does not map it: the earlier run skipped it, and
		          // so must this one (else the export is not the one the chunks came from)
	};
	Outcome restore(ModelState &st, const ExportEntry &entry, std::int64_t group);
	// Writes the restored entries' rows of the session's pk map table.
	void flush();
	// Throws ImportError (22023) unless every entry the restored chunks map was found at their
	// ordinals in this run's export.
	void check_all_seen() const;

private:
	ImportState &state_;
	ChunkIndex restored_;
	PkMapRows rows_;
	std::int64_t last_group_start_ = -1;
	const ModelState *last_state_ = nullptr;
};

} // namespace relocate

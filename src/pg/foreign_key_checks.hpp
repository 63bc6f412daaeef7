// The foreign key checks of the rows relocate writes itself (src/pg/multi_insert): instead of
// PostgreSQL's RI trigger per row and per foreign key (one SPI query each, queued until the commit
// when the constraint is deferred, as Django's are), one set-based check per foreign key at the
// end of the import, with the same outcome:
//
// - a reference to a row this import inserted itself (through the same path, into a table without
//   triggers) needs no check: the row exists, nothing else can see it before the commit, and a
//   later DELETE of it in this transaction meets the referenced table's own RI triggers;
// - every other referenced row (one the import found, or one written another way) is looked up and
//   locked FOR KEY SHARE, as RI_FKey_check does, as the referenced table's owner, without row-level
//   security, in one statement per 8192 keys; a key that is not there is an ERROR naming
//   the model, the source pk and the column that refer to it: 40001 for an existing row the import
//   found and mapped an entry to (deleted since by another transaction), else 23503.
//
// Only single-column foreign keys between integer columns of plain tables are checked this way;
// a table with any other RI trigger keeps PostgreSQL's (multi_insert_rows declines it).
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <unordered_map>
#include <utility>
#include <vector>

#include "pg/boundary.hpp"

extern "C" {
#include "access/attnum.h"
}

namespace relocate::pg {

class ForeignKeyChecks {
public:
	// A row's reference, as the error names it.
	struct Reference {
		std::int64_t key;
		std::int64_t source_pk;
		const char *model; // the catalogue's (static) name
	};

	// One foreign key constraint of a table relocate writes.
	struct Constraint {
		Oid constraint = InvalidOid;
		Oid referencing = InvalidOid; // the table written
		AttrNumber column = 0;        // its column
		Oid referenced = InvalidOid;
		AttrNumber referenced_column = 0;
		std::vector<Reference> pending; // not yet known to exist
		std::size_t compacted = 0;      // pending's size after its last compaction
	};

	// The constraint `constraint` of the table being written (created on first use). Called under
	// pg_guard (allocates C++ memory only).
	Constraint &constraint(Oid constraint, Oid referencing, AttrNumber column, Oid referenced,
	                       AttrNumber referenced_column);

	// A row of `c` refers to `key`. Called under pg_guard (C++ only, no PostgreSQL call).
	void note(Constraint &c, std::int64_t key, std::int64_t source_pk, const char *model) {
		c.pending.push_back(Reference{key, source_pk, model});
		if (c.pending.size() >= std::max<std::size_t>(kCompactAt, 2 * c.compacted))
			compact(c);
	}

	// `ids` were inserted into `table` by this import, through the path whose references are
	// noted here (a table without triggers: every row is there).
	void inserted(Oid table, const std::vector<std::int64_t> &ids);

	// `ids` of `table` are existing rows the import found and mapped entries to (a merged user, a
	// get-or-create): if one of them is missing at the check, another transaction deleted it since.
	void found(Oid table, const std::vector<std::int64_t> &ids);

	// Checks and locks what is pending, every constraint in the order of its oid; then forgets it.
	// Reaches PostgreSQL through pg_guard; throws ImportError for a missing key: 40001 for a row the
	// import found (deleted under it: a retry looks again), else 23503.
	void check_all();

	// Forgets everything (a new import).
	void clear() {
		constraints_.clear();
		inserted_.clear();
		found_.clear();
	}

private:
	// A constraint's pending references are compacted when they reach max(kCompactAt, twice what
	// the last compaction left). Small, because the vector keeps its capacity: at 65,536 every
	// constraint of a large import held 1.5 MB of references long dropped (24 MB at 1,000,000
	// entries); compacting 4,096 references onto the import's own rows costs microseconds.
	static constexpr std::size_t kCompactAt = 4096;

	// Sorted [first, last] ranges of ids, merged when `sorted` is false.
	struct IdRanges {
		std::vector<std::pair<std::int64_t, std::int64_t>> ranges;
		bool sorted = true;
	};

	// Drops from `c.pending` what this import inserted and what repeats (the first reference to a
	// key stays, the one with the lowest source pk).
	void compact(Constraint &c);
	// Whether `key` is in `table`'s ranges (sorting and merging them first if needed).
	static bool in_ranges(IdRanges &table, std::int64_t key);
	static void add_ranges(IdRanges &table, const std::vector<std::int64_t> &ids);
	void check(Constraint &c);

	std::unordered_map<Oid, Constraint> constraints_;
	std::unordered_map<Oid, IdRanges> inserted_;
	std::unordered_map<Oid, IdRanges> found_; // existing rows the import mapped entries to
};

} // namespace relocate::pg

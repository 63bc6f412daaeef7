#include "pg/foreign_key_checks.hpp"

#include <algorithm>
#include <limits>

#include "core/catalogue.hpp"
#include "core/error.hpp"
#include "pg/sql_builder.hpp"

extern "C" {
#include "access/table.h"
#include "catalog/pg_type.h"
#include "executor/spi.h"
#include "miscadmin.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
}

namespace relocate::pg {

namespace {

// Keys per statement: one array argument of 64 KiB.
constexpr std::size_t kKeysPerStatement = 8192;

// What the error names of a constraint, read from the catalogue.
struct ConstraintNames {
	std::string constraint, table, table_qualified, column, referenced, referenced_qualified, referenced_column;
};

ConstraintNames names_of(const ForeignKeyChecks::Constraint &c) {
	const char *parts[7] = {};
	pg_guard([&] {
		parts[0] = get_constraint_name(c.constraint);
		parts[1] = get_rel_name(c.referencing);
		parts[2] = get_namespace_name(get_rel_namespace(c.referencing));
		parts[3] = get_attname(c.referencing, c.column, true);
		parts[4] = get_rel_name(c.referenced);
		parts[5] = get_namespace_name(get_rel_namespace(c.referenced));
		parts[6] = get_attname(c.referenced, c.referenced_column, true);
	});
	for (const char *&p : parts)
		if (p == nullptr)
			p = "?"; // dropped while the import ran: it holds locks on the tables it writes, not on these
	ConstraintNames n;
	n.constraint = parts[0];
	n.table = parts[1];
	n.table_qualified = quote_identifier(parts[2]) + "." + quote_identifier(parts[1]);
	n.column = parts[3];
	n.referenced = parts[4];
	n.referenced_qualified = quote_identifier(parts[5]) + "." + quote_identifier(parts[4]);
	n.referenced_column = parts[6];
	return n;
}

// Where the error points: the Sentry field when the column is one of the model's foreign keys
// (`field "user" (column "user_id" of T)`), else the column (one the export need not hold).
std::string referring_place(const ForeignKeyChecks::Reference &r, const ConstraintNames &n) {
	if (const ModelDef *m = find_model(r.model)) {
		const std::string field = field_for_column(*m, n.column);
		if (find_foreign_key(*m, field) != nullptr)
			return field == n.column
			           ? "field \"" + field + "\" of " + n.table_qualified
			           : "field \"" + field + "\" (column \"" + n.column + "\" of " + n.table_qualified + ")";
	}
	return "column \"" + n.column + "\" of " + n.table_qualified;
}

// `found`: the row is one the import found and mapped an entry to, so another transaction deleted
// it after the import's lookup: a serialization failure, which a retry resolves.
[[noreturn]] void missing_key(const ForeignKeyChecks::Reference &r, const ConstraintNames &n, bool found) {
	const std::string key = std::to_string(r.key);
	if (found)
		throw ImportError(
		    relocate::sqlstate::kSerializationFailure,
		    std::string("relocate: ") + r.model + " pk " + std::to_string(r.source_pk) + ", " + referring_place(r, n) +
		        ": the row it refers to (" + n.referenced_qualified + "." + quote_identifier(n.referenced_column) +
		        " = " + key + "), which the import found and used, was deleted by another transaction since",
		    "insert or update on table \"" + n.table + "\" violates foreign key constraint \"" + n.constraint +
		        "\": Key (" + n.column + ")=(" + key + ") is not present in table \"" + n.referenced + "\".",
		    "Run the import again: it looks the rows up afresh. Nothing was written.");
	throw ImportError(
	    "23503",
	    std::string("relocate: ") + r.model + " pk " + std::to_string(r.source_pk) + ", " + referring_place(r, n) +
	        ": the row it refers to (" + n.referenced_qualified + "." + quote_identifier(n.referenced_column) + " = " +
	        key + ") does not exist",
	    "insert or update on table \"" + n.table + "\" violates foreign key constraint \"" + n.constraint +
	        "\": Key (" + n.column + ")=(" + key + ") is not present in table \"" + n.referenced + "\".",
	    "Another transaction deleted the row after the import found it, or a column relocate copies as the export "
	    "has it refers to a row this database does not have. Nothing was written.");
}

} // namespace

ForeignKeyChecks::Constraint &ForeignKeyChecks::constraint(Oid constraint, Oid referencing, AttrNumber column,
                                                           Oid referenced, AttrNumber referenced_column) {
	Constraint &c = constraints_[constraint];
	c.constraint = constraint;
	c.referencing = referencing;
	c.column = column;
	c.referenced = referenced;
	c.referenced_column = referenced_column;
	return c;
}

void ForeignKeyChecks::inserted(Oid table, const std::vector<std::int64_t> &ids) {
	add_ranges(inserted_[table], ids);
}

void ForeignKeyChecks::found(Oid table, const std::vector<std::int64_t> &ids) {
	add_ranges(found_[table], ids);
}

void ForeignKeyChecks::add_ranges(IdRanges &r, const std::vector<std::int64_t> &ids) {
	for (const std::int64_t id : ids) {
		if (!r.ranges.empty() && r.ranges.back().second != std::numeric_limits<std::int64_t>::max() &&
		    r.ranges.back().second + 1 == id) {
			r.ranges.back().second = id;
			continue;
		}
		if (!r.ranges.empty() && id <= r.ranges.back().second)
			r.sorted = false;
		r.ranges.emplace_back(id, id);
	}
}

bool ForeignKeyChecks::in_ranges(IdRanges &table, std::int64_t key) {
	if (!table.sorted) {
		std::sort(table.ranges.begin(), table.ranges.end());
		std::size_t out = 0;
		for (std::size_t i = 1; i < table.ranges.size(); ++i) {
			auto &last = table.ranges[out];
			if (table.ranges[i].first <= last.second ||
			    (last.second != std::numeric_limits<std::int64_t>::max() && table.ranges[i].first == last.second + 1))
				last.second = std::max(last.second, table.ranges[i].second);
			else
				table.ranges[++out] = table.ranges[i];
		}
		table.ranges.resize(table.ranges.empty() ? 0 : out + 1);
		table.sorted = true;
	}
	// The last range starting at or before `key`.
	auto it =
	    std::upper_bound(table.ranges.begin(), table.ranges.end(), key,
	                     [](std::int64_t k, const std::pair<std::int64_t, std::int64_t> &r) { return k < r.first; });
	return it != table.ranges.begin() && key <= std::prev(it)->second;
}

void ForeignKeyChecks::compact(Constraint &c) {
	auto own = inserted_.find(c.referenced);
	if (own != inserted_.end())
		c.pending.erase(std::remove_if(c.pending.begin(), c.pending.end(),
		                               [&](const Reference &r) { return in_ranges(own->second, r.key); }),
		                c.pending.end());
	std::sort(c.pending.begin(), c.pending.end(), [](const Reference &a, const Reference &b) {
		return a.key != b.key ? a.key < b.key : a.source_pk < b.source_pk;
	});
	c.pending.erase(std::unique(c.pending.begin(), c.pending.end(),
	                            [](const Reference &a, const Reference &b) { return a.key == b.key; }),
	                c.pending.end());
	c.compacted = c.pending.size();
}

void ForeignKeyChecks::check(Constraint &c) {
	compact(c);
	if (c.pending.empty())
		return;
	const ConstraintNames names = names_of(c);
	// RI_FKey_check's query, over an array of keys: the referenced rows, locked FOR KEY SHARE (no
	// other transaction may delete them or change their key before this one ends).
	const std::string column = "x." + quote_identifier(names.referenced_column);
	const std::string sql = "SELECT " + column + " FROM ONLY " + names.referenced_qualified + " x WHERE " + column +
	                        " OPERATOR(pg_catalog.=) ANY ($1) FOR KEY SHARE OF x";
	std::vector<std::int64_t> keys;
	std::vector<std::int64_t> found;
	for (std::size_t from = 0; from < c.pending.size(); from += kKeysPerStatement) {
		const std::size_t to = std::min(c.pending.size(), from + kKeysPerStatement);
		keys.clear();
		for (std::size_t i = from; i < to; ++i)
			keys.push_back(c.pending[i].key);
		found.clear();
		found.reserve(keys.size());
		pg_guard([&] {
			CHECK_FOR_INTERRUPTS();
			// As RI_FKey_check queries: as the referenced table's owner, row-level security off (a
			// foreign key sees every row), the locks RI takes.
			Relation referenced = table_open(c.referenced, RowShareLock);
			const Oid owner = referenced->rd_rel->relowner;
			table_close(referenced, NoLock);
			Oid user;
			int security;
			GetUserIdAndSecContext(&user, &security);
			Oid argtype = INT8ARRAYOID;
			Datum arg = int8_array(keys);
			int rc = 0;
			SetUserIdAndSecContext(owner, security | SECURITY_LOCAL_USERID_CHANGE | SECURITY_NOFORCE_RLS);
			PG_TRY();
			{ rc = SPI_execute_with_args(sql.c_str(), 1, &argtype, &arg, nullptr, false, 0); }
			PG_FINALLY();
			{ SetUserIdAndSecContext(user, security); }
			PG_END_TRY();
			if (rc != SPI_OK_SELECT)
				elog(ERROR, "relocate: checking a foreign key failed: %s", SPI_result_code_string(rc));
			const bool int4 = SPI_gettypeid(SPI_tuptable->tupdesc, 1) == INT4OID;
			for (uint64 i = 0; i < SPI_processed; ++i) {
				bool isnull;
				const Datum d = SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1, &isnull);
				found.push_back(int4 ? DatumGetInt32(d) : DatumGetInt64(d));
			}
			SPI_freetuptable(SPI_tuptable);
		});
		if (found.size() == keys.size())
			continue;
		std::sort(found.begin(), found.end());
		for (std::size_t i = from; i < to; ++i)
			if (!std::binary_search(found.begin(), found.end(), c.pending[i].key)) {
				auto mapped = found_.find(c.referenced);
				missing_key(c.pending[i], names, mapped != found_.end() && in_ranges(mapped->second, c.pending[i].key));
			}
	}
	std::vector<Reference>().swap(c.pending);
	c.compacted = 0;
}

void ForeignKeyChecks::check_all() {
	std::vector<Oid> order;
	for (const auto &entry : constraints_)
		order.push_back(entry.first);
	std::sort(order.begin(), order.end());
	for (const Oid oid : order)
		check(constraints_[oid]);
}

} // namespace relocate::pg

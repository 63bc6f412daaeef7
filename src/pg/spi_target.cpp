#include "pg/spi_target.hpp"

#include <algorithm>
#include <cinttypes>
#include <cstdio>
#include <cstring>

#include "core/catalogue.hpp"
#include "core/copy_text.hpp"
#include "core/error.hpp"
#include "core/model_hooks.hpp"
#include "pg/jsonb_build.hpp"
#include "pg/copy_insert.hpp"
#include "pg/multi_insert.hpp"
#include "pg/pk_map_insert.hpp"
#include "pg/relocation_store.hpp"
#include "pg/sql_builder.hpp"

extern "C" {
#include "catalog/dependency.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "commands/extension.h"
#include "commands/sequence.h"
#include "miscadmin.h"
#include "utils/guc.h"
#include "utils/lsyscache.h"
#include "storage/lmgr.h"
#include "utils/acl.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
}

namespace relocate::pg {

namespace {

void expect(int rc, int wanted, const char *what) {
	if (rc != wanted)
		elog(ERROR, "relocate: %s failed: %s", what, SPI_result_code_string(rc));
}

} // namespace

void batch_error_context(void *arg) {
	BatchErrorContext *c = static_cast<BatchErrorContext *>(arg);
	const RowBatch &b = *c->batch;
	// Outside COPY the writer keeps row and attribute up to date; the column is copied for the
	// error's message, which is built after the attribute's relation is closed.
	if (!copy_position(c)) {
		if (c->attribute != nullptr)
			strlcpy(c->column, c->attribute, sizeof c->column);
		else
			c->column[0] = '\0';
	}
	// Rows Sentry's signals create are batches named by their table; their pks are their entries'.
	const bool derived = b.derived();
	if (c->row >= 0 && static_cast<std::size_t>(c->row) < b.rows())
		errcontext("relocate: %s %zu %s row(s) %s %s (source pks %" PRId64 " to %" PRId64 "), at %s pk %" PRId64
		           "%s%s%s",
		           c->doing, b.rows(), b.model, c->where, b.table->qualified_name.c_str(), b.source_pks.front(),
		           b.source_pks.back(), derived ? "the row made for export entry" : b.model,
		           b.source_pks[static_cast<std::size_t>(c->row)], c->column[0] != '\0' ? ", column \"" : "", c->column,
		           c->column[0] != '\0' ? "\"" : "");
	else
		errcontext("relocate: %s %zu %s row(s) %s %s (source pks %" PRId64 " to %" PRId64 ")", c->doing, b.rows(),
		           b.model, c->where, b.table->qualified_name.c_str(), b.rows() > 0 ? b.source_pks.front() : 0,
		           b.rows() > 0 ? b.source_pks.back() : 0);
}

void SpiTarget::begin() {
	pg_guard([&] {
		expect(SPI_connect(), SPI_OK_CONNECT, "SPI_connect");
		batch_context_ = AllocSetContextCreate(CurrentMemoryContext, "relocate batch", ALLOCSET_DEFAULT_SIZES);
	});
	connected_ = true;
	foreign_keys_.clear();
	if (!spool_)
		reset_session_tables();
}

void SpiTarget::begin_read_only() {
	pg_guard([&] {
		expect(SPI_connect(), SPI_OK_CONNECT, "SPI_connect");
		batch_context_ = AllocSetContextCreate(CurrentMemoryContext, "relocate batch", ALLOCSET_DEFAULT_SIZES);
	});
	connected_ = true;
	read_only_ = true;
}

void SpiTarget::reset_session_tables() {
	pg_guard([&] {
		// The primary key is built once the import has filled the table (end()): one index build
		// instead of an index insertion per row.
		if (reset_session_table("relocate_pk_map", " model pg_catalog.text NOT NULL,"
		                                           " old_pk pg_catalog.int8 NOT NULL,"
		                                           " new_pk pg_catalog.int8 NOT NULL,"
		                                           " kind pg_catalog.text NOT NULL,"
		                                           " slug pg_catalog.text"))
			drop_pk_map_index();
		reset_session_table("relocate_report", " model pg_catalog.text NOT NULL,"
		                                       " old_pk pg_catalog.int8 NOT NULL,"
		                                       " new_pk pg_catalog.int8,"
		                                       " action pg_catalog.text NOT NULL,"
		                                       " detail pg_catalog.text NOT NULL");
	});
}

// Drops relocate_pk_map's primary key if it has one (an earlier import's). Called under pg_guard.
void SpiTarget::drop_pk_map_index() {
	expect(SPI_execute("SELECT pg_catalog.to_regclass('pg_temp.relocate_pk_map_pkey') IS NOT NULL", true, 1),
	       SPI_OK_SELECT, "looking up relocate_pk_map's index");
	bool isnull;
	if (DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull)))
		expect(SPI_execute("ALTER TABLE pg_temp.relocate_pk_map DROP CONSTRAINT relocate_pk_map_pkey", false, 0),
		       SPI_OK_UTILITY, "emptying relocate_pk_map");
}

// Empties the session's temporary table `name`, creating it with `columns` on first use; true if
// it existed. Called under pg_guard.
bool SpiTarget::reset_session_table(const char *name, const char *columns) {
	// palloc'd statements, not std::string: this runs under pg_guard, where an ERROR longjmps past
	// the frame and would skip a destructor.
	expect(SPI_execute(psprintf("SELECT pg_catalog.to_regclass('pg_temp.%s') IS NOT NULL", name), true, 1),
	       SPI_OK_SELECT, "looking up a session table");
	bool isnull;
	bool exists = DatumGetBool(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
	const char *sql =
	    exists ? psprintf("TRUNCATE pg_temp.%s", name) : psprintf("CREATE TEMPORARY TABLE %s (%s)", name, columns);
	expect(SPI_execute(sql, false, 0), SPI_OK_UTILITY,
	       exists ? "emptying a session table" : "creating a session table");
	return exists;
}

// maintenance_work_mem (kB) of the pk map's index build at most.
constexpr int kPkMapSortKb = 8 * 1024;

void SpiTarget::end() {
	if (!connected_)
		return;
	pg_guard([&] {
		if (!spool_ && !read_only_) {
			// The index build sorts in maintenance_work_mem, when the import holds the most memory
			// (the whole pk map): its sort gets at most kPkMapSortKb and spills to a temporary
			// file beyond that, for this statement only.
			const int nest = NewGUCNestLevel();
			if (maintenance_work_mem > kPkMapSortKb)
				(void)set_config_option("maintenance_work_mem", psprintf("%d", kPkMapSortKb), PGC_USERSET,
				                        PGC_S_SESSION, GUC_ACTION_SAVE, true, 0, false);
			expect(SPI_execute("ALTER TABLE pg_temp.relocate_pk_map ADD CONSTRAINT relocate_pk_map_pkey"
			                   " PRIMARY KEY (model, old_pk)",
			                   false, 0),
			       SPI_OK_UTILITY, "indexing relocate_pk_map");
			AtEOXact_GUC(true, nest);
		}
		expect(SPI_finish(), SPI_OK_FINISH, "SPI_finish");
	});
	connected_ = false;
	// The plans lived in SPI's procedure context.
	insert_plans_.clear();
	text_plans_.clear();
	std::string().swap(copy_text_);
	pk_map_plan_ = report_plan_ = nullptr;
}

void SpiTarget::spool_session_rows() {
	begin(); // empties the session tables, outside the dry run's subtransaction
	spool_ = std::make_unique<RowSpool>();
	end();
}

void SpiTarget::write_spooled_rows() {
	std::unique_ptr<RowSpool> spool = std::move(spool_);
	begin();
	// One batch per callback: an interrupt check between batches lets a long replay be cancelled.
	spool->replay(
	    [&](const PkMapRows &rows) {
		    check_for_interrupts();
		    record_pk_map(rows);
	    },
	    [&](const ReportRows &rows) {
		    check_for_interrupts();
		    record_report(rows);
	    });
	end();
}

SPIPlanPtr SpiTarget::prepare(const std::string &sql, int nargs, Oid *argtypes, bool generic) {
	SPIPlanPtr plan = nullptr;
	pg_guard([&] {
		plan = SPI_prepare_cursor(sql.c_str(), nargs, argtypes, generic ? CURSOR_OPT_GENERIC_PLAN : 0);
		if (plan == nullptr)
			elog(ERROR, "relocate: SPI_prepare failed: %s (%s)", SPI_result_code_string(SPI_result), sql.c_str());
	});
	return plan;
}

std::optional<TableShape> SpiTarget::describe_table(const std::string &table) {
	// Each table is resolved once per import (through the caller's search_path, by design), and
	// every statement after that names it by the schema-qualified name found here.
	auto cached = shapes_.find(table);
	if (cached != shapes_.end())
		return cached->second;
	std::optional<TableShape> shape = read_table(table);
	shapes_.emplace(table, shape);
	return shape;
}

std::optional<TableShape> SpiTarget::read_table(const std::string &table) {
	// Every operator is pg_catalog's and every type is named by its schema: a schema ahead of
	// pg_catalog in the search_path cannot put its own in (CONTRIBUTING.md, "SQL the extension runs").
	static const char *const kSql =
	    "SELECT pg_catalog.quote_ident(n.nspname) OPERATOR(pg_catalog.||) '.' OPERATOR(pg_catalog.||) "
	    "       pg_catalog.quote_ident(c.relname),"
	    "       a.attname::pg_catalog.text,"
	    "       a.attnotnull,"
	    "       a.atthasdef OR a.attidentity OPERATOR(pg_catalog.<>) '',"
	    "       pg_catalog.format_type(bt.oid, NULL),"
	    "       bt.typname::pg_catalog.text,"
	    "       bt.typcategory::pg_catalog.text,"
	    "       et.typname::pg_catalog.text,"
	    "       CASE WHEN t.typtype OPERATOR(pg_catalog.=) 'd' THEN t.typtypmod ELSE a.atttypmod END,"
	    "       a.attidentity OPERATOR(pg_catalog.=) 'a',"
	    "       pg_catalog.pg_get_serial_sequence(pg_catalog.quote_ident(n.nspname) OPERATOR(pg_catalog.||) '.' "
	    "           OPERATOR(pg_catalog.||) pg_catalog.quote_ident(c.relname), a.attname)::pg_catalog.regclass"
	    "           ::pg_catalog.oid,"
	    "       pg_catalog.quote_ident(btn.nspname),"
	    "       pg_catalog.quote_ident(btn.nspname) OPERATOR(pg_catalog.||) '.' OPERATOR(pg_catalog.||)"
	    "           pg_catalog.quote_ident(bt.typname),"
	    "       c.oid"
	    "  FROM pg_catalog.pg_class c"
	    "  JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace"
	    "  JOIN pg_catalog.pg_attribute a ON a.attrelid OPERATOR(pg_catalog.=) c.oid"
	    "                                AND a.attnum OPERATOR(pg_catalog.>) 0 AND NOT a.attisdropped"
	    "                                AND a.attgenerated OPERATOR(pg_catalog.=) ''"
	    "  JOIN pg_catalog.pg_type t ON t.oid OPERATOR(pg_catalog.=) a.atttypid"
	    "  JOIN pg_catalog.pg_type bt ON bt.oid OPERATOR(pg_catalog.=)"
	    "                              CASE WHEN t.typtype OPERATOR(pg_catalog.=) 'd' THEN t.typbasetype ELSE t.oid END"
	    "  JOIN pg_catalog.pg_namespace btn ON btn.oid OPERATOR(pg_catalog.=) bt.typnamespace"
	    "  LEFT JOIN pg_catalog.pg_type et ON et.oid OPERATOR(pg_catalog.=) bt.typelem"
	    "                                 AND bt.typcategory OPERATOR(pg_catalog.=) 'A'"
	    " WHERE c.oid OPERATOR(pg_catalog.=) pg_catalog.to_regclass(pg_catalog.quote_ident($1))"
	    "   AND (c.relkind OPERATOR(pg_catalog.=) 'r' OR c.relkind OPERATOR(pg_catalog.=) 'p')"
	    " ORDER BY a.attnum";
	TableShape shape;
	shape.name = table;
	TableExtra extra;
	Oid relid = InvalidOid;
	pg_guard([&] {
		Oid argtypes[1] = {TEXTOID};
		Datum args[1] = {CStringGetTextDatum(table.c_str())};
		expect(SPI_execute_with_args(kSql, 1, argtypes, args, nullptr, true, 0), SPI_OK_SELECT,
		       "reading the table's columns");
		for (uint64 i = 0; i < SPI_processed; ++i) {
			HeapTuple tuple = SPI_tuptable->vals[i];
			TupleDesc desc = SPI_tuptable->tupdesc;
			bool isnull;
			char *qualified = SPI_getvalue(tuple, desc, 1);
			char *name = SPI_getvalue(tuple, desc, 2);
			bool not_null = DatumGetBool(SPI_getbinval(tuple, desc, 3, &isnull));
			bool has_default = DatumGetBool(SPI_getbinval(tuple, desc, 4, &isnull));
			char *sql_type = SPI_getvalue(tuple, desc, 5);
			char *typname = SPI_getvalue(tuple, desc, 6);
			char *typcategory = SPI_getvalue(tuple, desc, 7);
			char *elemname = SPI_getvalue(tuple, desc, 8);
			int32 typmod = DatumGetInt32(SPI_getbinval(tuple, desc, 9, &isnull));
			bool identity_always = DatumGetBool(SPI_getbinval(tuple, desc, 10, &isnull));
			Datum sequence = SPI_getbinval(tuple, desc, 11, &isnull);
			Oid sequence_oid = isnull ? InvalidOid : DatumGetObjectId(sequence);
			char *type_schema = SPI_getvalue(tuple, desc, 12);
			char *cast_type = SPI_getvalue(tuple, desc, 13);
			relid = DatumGetObjectId(SPI_getbinval(tuple, desc, 14, &isnull));
			extra.relid = relid;
			// C++ only from here to the end of the iteration: no PostgreSQL call.
			shape.qualified_name = qualified;
			Column col;
			col.name = name;
			col.sql_type = sql_type;
			col.type_name = typname;
			col.type_schema = type_schema;
			col.cast_type = cast_type;
			col.type = column_type_for(typname, typcategory[0], elemname != nullptr ? elemname : "");
			col.max_chars = max_chars_for(typname, typmod);
			col.not_null = not_null;
			col.has_default = has_default;
			if (col.name == "id") {
				shape.id_column = static_cast<int>(shape.columns.size());
				extra.sequence = sequence_oid;
				extra.identity_always = identity_always;
			}
			shape.columns.push_back(std::move(col));
		}
	});
	if (shape.columns.empty())
		return std::nullopt;
	warn_if_shadowing(table, relid, shape.qualified_name);
	extras_[shape.qualified_name] = extra;
	relid_of_table_[table] = relid;
	return shape;
}

void SpiTarget::warn_if_shadowing(const std::string &table, Oid relid, const std::string &qualified) {
	// The first table of that name in the search_path is the one written; a table of the same name
	// in a later schema of the path is probably the real one (e.g. a "$user" schema another role
	// created in front of Sentry's): say so, before any row is written.
	static const char *const kSql =
	    "SELECT pg_catalog.string_agg(pg_catalog.quote_ident(n.nspname), ', ' ORDER BY s.o)"
	    "  FROM pg_catalog.unnest(pg_catalog.current_schemas(false)) WITH ORDINALITY AS s(nsp, o)"
	    "  JOIN pg_catalog.pg_namespace n ON n.nspname OPERATOR(pg_catalog.=) s.nsp"
	    "  JOIN pg_catalog.pg_class c ON c.relnamespace OPERATOR(pg_catalog.=) n.oid"
	    "                            AND c.relname OPERATOR(pg_catalog.=) $1"
	    " WHERE c.oid OPERATOR(pg_catalog.<>) $2";
	pg_guard([&] {
		Oid argtypes[2] = {TEXTOID, OIDOID};
		Datum args[2] = {CStringGetTextDatum(table.c_str()), ObjectIdGetDatum(relid)};
		expect(SPI_execute_with_args(kSql, 2, argtypes, args, nullptr, true, 1), SPI_OK_SELECT,
		       "looking for tables of the same name");
		char *others = SPI_processed == 1 ? SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1) : nullptr;
		if (others != nullptr)
			ereport(WARNING,
			        (errmsg("relocate: table \"%s\" is written as %s, the first of its name in the search_path; "
			                "schema %s has a table \"%s\" too",
			                table.c_str(), qualified.c_str(), others, table.c_str()),
			         errhint("relocate writes Sentry's tables where the search_path finds them first. If that "
			                 "schema is not Sentry's (e.g. a \"$user\" schema another role created), roll back and "
			                 "SET search_path to Sentry's schema alone.")));
	});
}

void SpiTarget::allocate_ids(const TableShape &table, std::size_t count, std::vector<std::int64_t> &out) {
	const TableExtra &extra = extras_[table.qualified_name];
	if (extra.sequence == InvalidOid)
		throw ImportError(sqlstate::kObjectNotInPrerequisiteState,
		                  "relocate: column \"id\" of table " + table.qualified_name + " has no sequence",
		                  "relocate takes new ids from the table's own sequence, as Sentry does.",
		                  "Give the id column a sequence (bigserial or an identity column).");
	// nextval() itself (nextval_internal, with its privilege check: USAGE or UPDATE on the sequence),
	// once per id, without a statement around it: a SELECT nextval() FROM generate_series() per batch
	// cost about 1 us per id in the executor.
	out.resize(out.size() + count);
	std::int64_t *ids = out.data() + (out.size() - count);
	pg_guard([&] {
		for (std::size_t i = 0; i < count; ++i)
			ids[i] = nextval_internal(extra.sequence, true);
	});
}

namespace {

// Whether a cell of the batch holds a large value (kLargeValue bytes or more).
bool has_large_value(const RowBatch &batch) {
	for (const std::string &cell : batch.cells)
		if (cell.size() >= kLargeValue)
			return true;
	return false;
}

// A batch with a large value gives a jsonb column its values as jsonb[] (built by jsonb_from_json),
// every other column as text[] cast to its type.
bool large_as_jsonb(const Column &col) {
	return col.type == ColumnType::Jsonb;
}

// The plan of a batch statement: `key` (what the statement is, with its table) and the batch's
// columns name it; `build` prepares it the first time. The plans live in SPI's procedure context,
// until end().
template <typename Build>
SPIPlanPtr batch_plan(std::map<std::string, SPIPlanPtr> &plans, std::string key, const RowBatch &batch, Build &&build) {
	for (int c : batch.columns)
		key += "," + std::to_string(c);
	auto found = plans.find(key);
	if (found != plans.end())
		return found->second;
	SPIPlanPtr plan = build();
	plans.emplace(std::move(key), plan);
	return plan;
}

} // namespace

SPIPlanPtr SpiTarget::insert_plan(const RowBatch &batch) {
	const TableShape &table = *batch.table;
	// A batch with a large value is inserted by INSERT ... SELECT unnest($1), unnest($2)::type, without
	// ROWS FROM, whose tuplestore would hold one more copy of the value (UnnestRows::add_element).
	const bool large = has_large_value(batch);
	const std::string key = table.qualified_name + (batch.ignore_conflicts ? " ignore" : "") + (large ? " large" : "");
	return batch_plan(insert_plans_, key, batch, [&] {
		// INSERT INTO t (id, a, b) SELECT u.c0, u.c1, u.c2::type FROM ROWS FROM (unnest($1), ...) AS u(c0, ...)
		UnnestRows rows("u");
		std::string columns = quote_identifier("id"),
		            select = large ? rows.add_element(INT8ARRAYOID) : rows.add(INT8ARRAYOID);
		for (int c : batch.columns) {
			const Column &col = table.columns[static_cast<std::size_t>(c)];
			columns += ", " + quote_identifier(col.name);
			if (large && large_as_jsonb(col))
				select += ", " + rows.add_element(JSONBARRAYOID);
			else
				select += ", " + as_column_type(col, large ? rows.add_element(TEXTARRAYOID) : rows.add(TEXTARRAYOID));
		}
		std::string sql = "INSERT INTO " + table.qualified_name + " (" + columns + ")";
		if (extras_[table.qualified_name].identity_always)
			sql += " OVERRIDING SYSTEM VALUE";
		sql += " SELECT " + select + (large ? std::string() : " FROM " + rows.from());
		if (batch.ignore_conflicts)
			sql += " ON CONFLICT DO NOTHING";
		return prepare(sql, rows.nargs(), rows.argtypes(), true);
	});
}

void SpiTarget::insert_rows(RowBatch &batch) {
	if (insert_by_copy(batch))
		return;
	execute_batch(insert_plan(batch), batch, SPI_OK_INSERT, "inserting a batch");
}

namespace {

// An existing row the import overwrites was found by the batch's lookup, in this transaction; an
// UPDATE that meets fewer rows than the batch's distinct ids means another session deleted some
// since (or a trigger skipped the update): the pk map would name rows that are not there.
void check_all_updated(const RowBatch &batch, std::uint64_t updated) {
	std::vector<std::int64_t> distinct(batch.ids);
	std::sort(distinct.begin(), distinct.end());
	distinct.erase(std::unique(distinct.begin(), distinct.end()), distinct.end());
	if (updated == distinct.size())
		return;
	std::string pks;
	for (std::size_t r = 0; r < batch.rows() && r < 10; ++r)
		pks += (r ? ", " : "") + std::to_string(batch.source_pks[r]);
	if (batch.rows() > 10)
		pks += ", ...";
	throw ImportError(sqlstate::kSerializationFailure,
	                  std::string("relocate: ") + batch.model + ": " + std::to_string(distinct.size() - updated) +
	                      " of the " + std::to_string(distinct.size()) + " existing rows to overwrite were not updated",
	                  "The export's pks of the batch: " + pks +
	                      ". The rows were there when the import looked them up; since then another session "
	                      "deleted them, or a trigger on " +
	                      batch.table->qualified_name + " skipped the update.",
	                  "Run the import again: it looks the rows up afresh.");
}

} // namespace

void SpiTarget::update_rows(RowBatch &batch) {
	if (!has_large_value(batch)) {
		execute_batch(update_plan(batch), batch, SPI_OK_UPDATE, "updating a batch");
		check_all_updated(batch, SPI_processed);
		return;
	}
	// A batch with a large value: each row with a large value in a batch of its own, through
	// large_update_plan (its large values of releasable columns moved there, the rest copied), and
	// each run of rows between them in one batch through update_plan, so that a large value costs
	// one statement more, not one per row. The runs are updated in the export's order (within one
	// UPDATE, two rows with the same id leave either one, as on the path without a large value).
	RowBatch part;
	const auto update_part = [&](bool large) {
		if (part.rows() == 0)
			return;
		execute_batch(large ? large_update_plan(part) : update_plan(part), part, SPI_OK_UPDATE, "updating a batch");
		check_all_updated(part, SPI_processed);
		part.reset(batch.table, batch.model, batch.columns);
		part.releasable = batch.releasable;
	};
	part.reset(batch.table, batch.model, batch.columns);
	part.releasable = batch.releasable;
	for (std::size_t r = 0; r < batch.rows(); ++r) {
		bool large = false;
		for (std::size_t k = 0; k < batch.width() && !large; ++k)
			large = !batch.is_null(r, k) && batch.cell(r, k).size() >= kLargeValue;
		if (large)
			update_part(false); // the run of rows before it
		part.ids.push_back(batch.ids[r]);
		part.take_row(batch, r);
		if (large)
			update_part(true);
	}
	update_part(false);
}

SPIPlanPtr SpiTarget::large_update_plan(const RowBatch &batch) {
	const TableShape &table = *batch.table;
	return batch_plan(insert_plans_, "update large " + table.qualified_name, batch, [&] {
		// UPDATE t SET (a, b) = ROW(($2)[1], ($3)[1]::type) WHERE t.id = ($1)[1]: one row, whose values are
		// the one-element arrays' elements themselves (a subscript does not copy its element), with no
		// FROM item to hold them again (ROWS FROM's tuplestore, a join's hash table).
		std::vector<Oid> types{INT8ARRAYOID};
		std::string targets, values;
		for (std::size_t k = 0; k < batch.columns.size(); ++k) {
			const Column &col = table.columns[static_cast<std::size_t>(batch.columns[k])];
			const std::string element = "($" + std::to_string(k + 2) + ")[1]";
			targets += std::string(k ? ", " : "") + quote_identifier(col.name);
			values += std::string(k ? ", " : "") + (large_as_jsonb(col) ? element : as_column_type(col, element));
			types.push_back(large_as_jsonb(col) ? JSONBARRAYOID : TEXTARRAYOID);
		}
		const std::string sql = "UPDATE " + table.qualified_name + " AS t SET (" + targets + ") = ROW(" + values +
		                        ") WHERE t.id OPERATOR(pg_catalog.=) ($1)[1]";
		return prepare(sql, static_cast<int>(types.size()), types.data(), true);
	});
}

SPIPlanPtr SpiTarget::update_plan(const RowBatch &batch) {
	const TableShape &table = *batch.table;
	return batch_plan(insert_plans_, "update " + table.qualified_name, batch, [&] {
		// UPDATE t SET (a, b) = ROW(u.c1, u.c2::type) FROM ROWS FROM (unnest($1), ...) AS u(c0, ...) WHERE t.id = u.c0
		UnnestRows rows("u");
		const std::string id = rows.add(INT8ARRAYOID);
		std::string targets, values;
		for (std::size_t k = 0; k < batch.columns.size(); ++k) {
			const Column &col = table.columns[static_cast<std::size_t>(batch.columns[k])];
			targets += std::string(k ? ", " : "") + quote_identifier(col.name);
			values += std::string(k ? ", " : "") + as_column_type(col, rows.add(TEXTARRAYOID));
		}
		// A one-column SET needs ROW() on the right-hand side.
		std::string sql = "UPDATE " + table.qualified_name + " AS t SET (" + targets + ") = ROW(" + values + ") FROM " +
		                  rows.from() + " WHERE t.id OPERATOR(pg_catalog.=) " + id;
		return prepare(sql, rows.nargs(), rows.argtypes(), true);
	});
}

namespace {

// For a unique violation PostgreSQL reports "Key (col, ...)=(value, ...) already exists.": the
// one batch row whose cells of those columns, joined as PostgreSQL joins them, are that text, or -1
// (an expression key, a column the batch does not give, or no single row that matches).
long colliding_row(const RowBatch &batch, const char *detail, std::string &columns, std::string &values) {
	if (detail == nullptr)
		return -1;
	std::string d(detail);
	const std::string key = "Key (", sep = ")=(", tail = ") already exists.";
	std::size_t a = d.find(key), b = d.find(sep), c = d.rfind(tail);
	if (a != 0 || b == std::string::npos || c == std::string::npos || c < b)
		return -1;
	columns = d.substr(key.size(), b - key.size());
	values = d.substr(b + sep.size(), c - b - sep.size());
	// Each key column's position in the batch (-1: the id).
	std::vector<int> positions;
	for (std::size_t from = 0; from <= columns.size();) {
		std::size_t to = columns.find(", ", from);
		if (to == std::string::npos)
			to = columns.size();
		const std::string name = columns.substr(from, to - from);
		int position = name == "id" ? -1 : -2;
		for (std::size_t k = 0; k < batch.width() && position == -2; ++k)
			if (batch.table->columns[static_cast<std::size_t>(batch.columns[k])].name == name)
				position = static_cast<int>(k);
		if (position == -2)
			return -1; // an expression, or a column the batch leaves to its default
		positions.push_back(position);
		from = to + 2;
	}
	long found = -1;
	for (std::size_t r = 0; r < batch.rows(); ++r) {
		std::string joined;
		bool null = false;
		for (std::size_t i = 0; i < positions.size() && !null; ++i) {
			const int k = positions[i];
			null = k >= 0 && batch.is_null(r, static_cast<std::size_t>(k));
			joined +=
			    (i ? ", " : "") + (k < 0 ? std::to_string(batch.ids[r]) : batch.cell(r, static_cast<std::size_t>(k)));
		}
		if (null || joined != values)
			continue;
		if (found >= 0)
			return -1; // two rows match: which one collided cannot be told
		found = static_cast<long>(r);
	}
	return found;
}

} // namespace

namespace {

// "<model> pk P" of the batch's row, or for a row Sentry's signals create (a batch named by its
// table) "the <table> row made for export entry pk P".
std::string row_name(const RowBatch &batch, std::size_t row) {
	return (batch.derived() ? std::string("the ") + batch.model + " row made for export entry pk "
	                        : std::string(batch.model) + " pk ") +
	       std::to_string(batch.source_pks[row]);
}

// Puts `prefix` before the message of a copied error (in the error's own memory).
void prefix_message(ErrorData *edata, const std::string &prefix) {
	pg_guard([&] {
		MemoryContext old = MemoryContextSwitchTo(GetMemoryChunkContext(edata));
		edata->message = psprintf("%s%s", prefix.c_str(), edata->message);
		MemoryContextSwitchTo(old);
	});
}

// PostgreSQL's error about a batch, as it is, or (while the export's values are withheld: it was
// decrypted) its SQLSTATE with the rows and the table, and not its message, detail or context,
// which may quote the rows' values (a failing row, an input function's complaint).
//
// When the writer knew the row it was at (`context`, if given), the message names its entry and the
// column first: "relocate: <model> pk P, column "c": <PostgreSQL's message>" (SQLSTATE, detail,
// hint and the rest of the error as PostgreSQL raised them).
[[noreturn]] void withheld_or_rethrow(const RowBatch &batch, const BatchErrorContext *context, const PgError &e) {
	const bool at_row =
	    context != nullptr && context->row >= 0 && static_cast<std::size_t>(context->row) < batch.rows();
	const std::string row =
	    at_row ? row_name(batch, static_cast<std::size_t>(context->row)) +
	                 (context->column[0] != '\0' ? std::string(", column \"") + context->column + "\"" : std::string())
	           : std::string();
	if (!WithheldValues::active()) {
		if (at_row)
			prefix_message(e.edata(), "relocate: " + row + ": ");
		throw e;
	}
	static char code[6]; // ImportError keeps the pointer; one error at a time
	const char *unpacked = unpack_sql_state(e.edata()->sqlerrcode);
	std::memcpy(code, unpacked, sizeof code);
	throw ImportError(code,
	                  std::string("relocate: PostgreSQL refused ") + std::to_string(batch.rows()) + " " + batch.model +
	                      " row(s) (source pks " + std::to_string(batch.source_pks.front()) + " to " +
	                      std::to_string(batch.source_pks.back()) + ") for " + batch.table->qualified_name +
	                      (at_row ? ", at " + row : std::string()) + " with SQLSTATE " + code,
	                  "PostgreSQL's message is withheld: it may quote values of the export, which was encrypted.",
	                  "To see it, import the decrypted export in a transaction that you roll back.");
}

// Runs `write`, which writes `batch`; PostgreSQL's error about it as withheld_or_rethrow gives it, or
// for a unique violation by one row of the batch, an error naming that row's entry.
template <typename Write>
void write_naming_errors(const RowBatch &batch, const BatchErrorContext *context, Write &&write) {
	try {
		write();
	} catch (const PgError &e) {
		// A value that already exists where Sentry has no collision rule (e.g. a Global import onto
		// a database that has the row): name the entry, as the rest of relocate's errors do.
		if (e.edata()->sqlerrcode != ERRCODE_UNIQUE_VIOLATION)
			withheld_or_rethrow(batch, context, e);
		std::string column, value;
		long row = colliding_row(batch, e.edata()->detail, column, value);
		if (row < 0)
			withheld_or_rethrow(batch, context, e);
		// A model with a collision rule (a get-or-create, unique values with suffixes) looked for the
		// value first; imports take turns, so another writer added it since. No rule covers the
		// primary key: an id kept from the file (Global scope) that the table has is the caller's.
		// Rows Sentry's signals create (a batch named by its table: a slug reservation, an email) have
		// values relocate's rules picked, or get-or-create: a collision is the same race.
		const bool derived = batch.derived();
		const ModelHooks &hooks = hooks_for(batch.model);
		const bool has_rule = column != "id" && (derived || hooks.collision_is_race(column));
		const bool several = column.find(", ") != std::string::npos;
		// The race is a serialization failure (40001, which clients and relocate_importing retry); a
		// value the import itself brings twice, or finds in place without a rule, stays 23505.
		throw ImportError(
		    has_rule ? relocate::sqlstate::kSerializationFailure : relocate::sqlstate::kUniqueViolation,
		    "relocate: " + row_name(batch, static_cast<std::size_t>(row)) +
		        (several ? ", columns (" + column + "): the values " +
		                       (WithheldValues::active() ? std::string(kWithheldValue) : "(" + value + ")") +
		                       " already exist in "
		                 : ", column \"" + column + "\": the value " +
		                       (WithheldValues::active() ? std::string(kWithheldValue) : "\"" + value + "\"") +
		                       " already exists in ") +
		        batch.table->qualified_name,
		    std::string(e.edata()->message) + ".",
		    has_rule ? "relocate applies Sentry's collision rule for this model, but another transaction (not an "
		               "import: imports take turns) wrote this value after relocate looked for it. Run the import "
		               "again."
		             : "Sentry has no collision rule for this value: the export holds it twice, or the database has "
		               "it already (import onto a database without this row; in Global scope, reset => true empties "
		               "it first).");
	}
}

} // namespace

void SpiTarget::execute_batch(SPIPlanPtr plan, RowBatch &batch, int expected, const char *what) {
	write_naming_errors(batch, nullptr, [&] { execute_batch_guarded(plan, batch, expected, what); });
}

bool SpiTarget::insert_by_copy(const RowBatch &batch) {
	// COPY has no ON CONFLICT; a batch with a large value is inserted value by value (insert_plan).
	if (batch.ignore_conflicts || batch.rows() == 0 || has_large_value(batch))
		return false;
	const Oid relid = extras_[batch.table->qualified_name].relid;
	if (relid == InvalidOid)
		return false;
	BatchErrorContext context{"inserting", "into", &batch};
	ErrorContextCallback callback;
	callback.callback = batch_error_context;
	callback.arg = &context;
	callback.previous = nullptr;
	// Written by relocate itself, its foreign keys checked once at the end of the import, where the
	// table fires no trigger of its own; else through COPY FROM, which fires them all.
	bool written = false;
	write_naming_errors(batch, &context,
	                    [&] { written = multi_insert_rows(relid, batch, batch_context_, &callback, foreign_keys_); });
	if (written)
		return true;
	if (!copy_text(batch, copy_text_))
		return false; // a NUL byte, which COPY's text cannot carry (the core refuses them in values)
	write_naming_errors(batch, &context,
	                    [&] { written = copy_insert_rows(relid, batch, copy_text_, batch_context_, &callback); });
	return written;
}

namespace {

// The error context of a large value being built: "relocate: building the value of <model> pk P,
// column "c" of <table>".
struct LargeValueContext {
	const RowBatch *batch;
	std::size_t row, k;
};

void large_value_context(void *arg) {
	const LargeValueContext *c = static_cast<const LargeValueContext *>(arg);
	const RowBatch &b = *c->batch;
	errcontext("relocate: building the value of %s pk %" PRId64 ", column \"%s\" of %s", b.model, b.source_pks[c->row],
	           b.table->columns[static_cast<std::size_t>(b.columns[c->k])].name.c_str(),
	           b.table->qualified_name.c_str());
}

} // namespace

Datum *SpiTarget::large_batch_arguments(RowBatch &batch) {
	Datum *values = nullptr;
	pg_guard([&] {
		MemoryContext old = MemoryContextSwitchTo(batch_context_);
		values = static_cast<Datum *>(palloc(sizeof(Datum) * (batch.width() + 1)));
		values[0] = int8_array(batch.ids);
		MemoryContextSwitchTo(old);
	});
	// Column by column, each large value freed in the batch as soon as the argument holds it (if
	// nothing reads it after the write): the value is in memory twice at most while its argument is
	// built, once while PostgreSQL writes it.
	std::vector<Datum> elements;
	std::string scratch;
	for (std::size_t k = 0; k < batch.width(); ++k) {
		const Column &col = batch.table->columns[static_cast<std::size_t>(batch.columns[k])];
		if (large_as_jsonb(col)) {
			// Each value's jsonb, then the jsonb[]: a large value of a releasable column is parsed
			// in place and freed; any other is parsed in a copy.
			elements.assign(batch.rows(), 0);
			for (std::size_t r = 0; r < batch.rows(); ++r) {
				if (batch.is_null(r, k))
					continue;
				const bool release = batch.may_release(k) && batch.cell(r, k).size() >= kLargeValue;
				if (!release)
					scratch = batch.cell(r, k);
				LargeValueContext context{&batch, r, k};
				elements[r] = jsonb_from_json(release ? batch.cells[batch.at(r, k)] : scratch, batch_context_,
				                              large_value_context, &context);
				if (release)
					batch.release_cell(r, k);
			}
			pg_guard([&] {
				MemoryContext old = MemoryContextSwitchTo(batch_context_);
				values[k + 1] = varlena_array(JSONBOID, elements);
				MemoryContextSwitchTo(old);
			});
			continue;
		}
		pg_guard([&] {
			MemoryContext old = MemoryContextSwitchTo(batch_context_);
			values[k + 1] = text_array(batch, k);
			MemoryContextSwitchTo(old);
		});
		if (batch.may_release(k))
			for (std::size_t r = 0; r < batch.rows(); ++r)
				if (batch.cell(r, k).size() >= kLargeValue)
					batch.release_cell(r, k);
	}
	return values;
}

namespace {

// Runs `plan` with `values`, with `context` as the error context line of anything it raises (a
// batch's "relocate: inserting N <model> row(s) into ..."). Under pg_guard.
void execute_in_context(SPIPlanPtr plan, Datum *values, int expected, const char *what, BatchErrorContext &context) {
	ErrorContextCallback callback;
	callback.callback = batch_error_context;
	callback.arg = &context;
	callback.previous = error_context_stack;
	error_context_stack = &callback;
	expect(SPI_execute_plan(plan, values, nullptr, false, 0), expected, what);
	error_context_stack = callback.previous;
}

} // namespace

void SpiTarget::execute_large_batch_guarded(SPIPlanPtr plan, RowBatch &batch, int expected, const char *what) {
	BatchErrorContext context{"inserting", "into", &batch};
	Datum *values = large_batch_arguments(batch);
	pg_guard([&] {
		execute_in_context(plan, values, expected, what, context);
		MemoryContextReset(batch_context_);
	});
}

void SpiTarget::execute_batch_guarded(SPIPlanPtr plan, RowBatch &batch, int expected, const char *what) {
	if (has_large_value(batch)) {
		execute_large_batch_guarded(plan, batch, expected, what);
		return;
	}
	BatchErrorContext context{"inserting", "into", &batch};
	pg_guard([&] {
		MemoryContext old = MemoryContextSwitchTo(batch_context_);
		Datum *values = static_cast<Datum *>(palloc(sizeof(Datum) * (batch.width() + 1)));
		values[0] = int8_array(batch.ids);
		for (std::size_t k = 0; k < batch.width(); ++k)
			values[k + 1] = text_array(batch, k);
		MemoryContextSwitchTo(old);

		execute_in_context(plan, values, expected, what, context);
		MemoryContextReset(batch_context_);
	});
}

SPIPlanPtr SpiTarget::text_arrays_plan(const std::string &sql, std::size_t ncols) {
	// Prepared once per import and statement text (the statements are built from the lookup's
	// shape, so there are a handful), instead of parsed and planned again for every batch.
	auto found = text_plans_.find(sql);
	if (found != text_plans_.end())
		return found->second;
	std::vector<Oid> argtypes(ncols + 1, TEXTARRAYOID);
	SPIPlanPtr plan = prepare(sql, static_cast<int>(ncols), argtypes.data());
	text_plans_.emplace(sql, plan);
	return plan;
}

void SpiTarget::execute_text_arrays(const std::string &sql, const std::vector<TextArray> &columns, bool read_only) {
	const std::size_t ncols = columns.size();
	SPIPlanPtr plan = text_arrays_plan(sql, ncols);
	pg_guard([&] {
		MemoryContext old = MemoryContextSwitchTo(batch_context_);
		Datum *args = static_cast<Datum *>(palloc(sizeof(Datum) * (ncols + 1)));
		for (std::size_t k = 0; k < ncols; ++k)
			args[k] = text_array(columns[k]);
		MemoryContextSwitchTo(old);
		int rc = SPI_execute_plan(plan, args, nullptr, read_only, 0);
		if (rc < 0)
			elog(ERROR, "relocate: %s failed: %s", sql.c_str(), SPI_result_code_string(rc));
	});
}

std::string SpiTarget::find_rows_sql(const KeyLookup &lookup) {
	const TableShape &table = *lookup.table;
	UnnestRows keys("k");
	const std::string ord = keys.add(TEXTARRAYOID);
	std::string on;
	bool indexable = true; // every key comparison is one an index of the column can serve
	for (std::size_t k = 0; k < lookup.columns.size(); ++k) {
		const Column &col = table.columns[static_cast<std::size_t>(lookup.columns[k])];
		const std::string v = keys.add(TEXTARRAYOID), column = "t." + quote_identifier(col.name);
		on += std::string(k ? " AND " : "");
		if (lookup.fold_case && col.type_name == "citext")
			// citext compares case-insensitively and its unique index serves the lookup: its = is the
			// one in the schema of the column's type (where the citext extension is installed), named
			// so that no other schema's = (citext, citext) can be picked.
			on += column + " OPERATOR(" + col.type_schema + ".=) CAST(" + v + " AS " + col.cast_type + ")";
		else if (lookup.fold_case) {
			on +=
			    "pg_catalog.lower(" + column + "::pg_catalog.text) OPERATOR(pg_catalog.=) pg_catalog.lower(" + v + ")";
			indexable = false;
		} else
			on += column + " OPERATOR(pg_catalog.=) " + as_column_type(col, v);
	}
	// Columns the matching row must have NULL (constants of the statement, not parameters).
	if (lookup.columns.empty())
		on = "TRUE"; // only the NULL columns select (e.g. any member without an invite token)
	for (int c : lookup.null_columns)
		on += " AND t." + quote_identifier(table.columns[static_cast<std::size_t>(c)].name) + " IS NULL";
	const Column &first =
	    table.columns[static_cast<std::size_t>(lookup.fetch_column >= 0 ? lookup.fetch_column : lookup.columns[0])];
	const std::string columns = "t.id::pg_catalog.int8, t." + quote_identifier(first.name) + "::pg_catalog.text";
	if (!indexable)
		// lower(column) has no index to serve it: one join of the probes with the table (a hash join).
		// SELECT DISTINCT ON (k.c0) k.c0, t.id, t.<first key>::text FROM ROWS FROM (unnest($1), ...) AS k(c0, c1, ...)
		//   JOIN t ON lower(t.key1::text) = lower(k.c1) AND ... ORDER BY k.c0, t.id   (k.c0: the probe's ordinal)
		return "SELECT DISTINCT ON (" + ord + ") " + ord + "::pg_catalog.int8, " + columns + " FROM " + keys.from() +
		       " JOIN " + table.qualified_name + " AS t ON " + on + " ORDER BY " + ord + ", t.id";
	// Each probe looks its key up in the table's index: the lateral subquery (kept from being pulled
	// up into a join by OFFSET 0, or LIMIT 1 when nothing but NULL columns select) can only run as a
	// nested loop over the probes, where a join of the probes with the table would be planned as a
	// hash join over a sequential scan of the whole table, again for every batch, as the table grows.
	//   SELECT DISTINCT ON (k.c0) k.c0, t.id, t.key FROM ROWS FROM (unnest($1), ...) AS k(c0, c1, ...)
	//   CROSS JOIN LATERAL (SELECT t.id, t.<first key>::text AS key FROM t WHERE t.key1 = k.c1::type AND ...
	//   OFFSET 0) AS t ORDER BY k.c0, t.id   (k.c0: the probe's ordinal)
	return "SELECT DISTINCT ON (" + ord + ") " + ord + "::pg_catalog.int8, t.id, t.key FROM " + keys.from() +
	       " CROSS JOIN LATERAL (SELECT " + columns + " FROM " + table.qualified_name + " AS t WHERE " + on +
	       (lookup.columns.empty() ? " ORDER BY t.id LIMIT 1" : " OFFSET 0") + ") AS t(id, key) ORDER BY " + ord +
	       ", t.id";
}

std::vector<std::optional<FoundRow>> SpiTarget::find_rows(const KeyLookup &lookup) {
	const std::size_t n = lookup.probes.size();
	std::vector<std::optional<FoundRow>> found(n);
	if (n == 0)
		return found;
	const std::string sql = find_rows_sql(lookup);
	std::vector<TextArray> columns(lookup.columns.size() + 1);
	for (std::size_t r = 0; r < n; ++r) {
		columns[0].emplace_back(std::to_string(r));
		for (std::size_t k = 0; k < lookup.columns.size(); ++k)
			columns[k + 1].emplace_back(lookup.probes[r][k]);
	}
	// The probe ordinal travels as text like the keys; the select list casts it back.
	// Not read-only: a read-only SPI query runs with the statement's snapshot, which does not see the
	// rows this import has written since (e.g. the UserEmail rows created with their users).
	execute_text_arrays(sql, columns, false);
	pg_guard([&] {
		for (uint64 i = 0; i < SPI_processed; ++i) {
			HeapTuple tuple = SPI_tuptable->vals[i];
			TupleDesc desc = SPI_tuptable->tupdesc;
			bool isnull;
			int64 ord = DatumGetInt64(SPI_getbinval(tuple, desc, 1, &isnull));
			int64 id = DatumGetInt64(SPI_getbinval(tuple, desc, 2, &isnull));
			char *key = SPI_getvalue(tuple, desc, 3);
			// C++ only from here to the end of the iteration.
			found[static_cast<std::size_t>(ord)] = FoundRow{id, key != nullptr ? key : "", key == nullptr};
			if (key != nullptr)
				pfree(key);
		}
		SPI_freetuptable(SPI_tuptable); // the result goes now, not with the import's SPI connection
	});
	return found;
}

std::vector<std::string> SpiTarget::per_text(const char *function_call, const std::vector<std::string> &texts) {
	std::vector<std::string> out(texts.size());
	std::vector<TextArray> columns(1);
	for (const std::string &t : texts)
		columns[0].emplace_back(t);
	execute_text_arrays(std::string("SELECT u.o::pg_catalog.int8, ") + function_call +
	                        " FROM ROWS FROM (pg_catalog.unnest($1)) WITH ORDINALITY AS u(t, o)",
	                    columns, true);
	pg_guard([&] {
		for (uint64 i = 0; i < SPI_processed; ++i) {
			bool isnull;
			int64 ord = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1, &isnull));
			char *text = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 2);
			out[static_cast<std::size_t>(ord - 1)] = text != nullptr ? text : ""; // C++ after the PostgreSQL calls
			if (text != nullptr)
				pfree(text);
		}
		SPI_freetuptable(SPI_tuptable);
	});
	return out;
}

std::vector<std::string> SpiTarget::nfkd(const std::vector<std::string> &texts) {
	return per_text("pg_catalog.normalize(u.t, 'NFKD')", texts);
}

std::vector<std::string> SpiTarget::upper(const std::vector<std::string> &texts) {
	// Django's UPPER(%s): the parameter is text, so upper() runs in the database's default collation.
	return per_text("pg_catalog.upper(u.t)", texts);
}

std::vector<std::string> SpiTarget::upper_values(const TableShape &table, const std::string &column) {
	// Django's UPPER("t"."col"::text): the cast keeps the column's collation. Read through a cursor,
	// 10,000 rows at a time, so that a large table is never held twice.
	std::vector<std::string> values;
	const std::string c = quote_identifier(column);
	const std::string sql = "SELECT pg_catalog.upper(" + c + "::pg_catalog.text) FROM " + table.qualified_name +
	                        " WHERE " + c + " IS NOT NULL";
	Portal portal = nullptr;
	pg_guard([&] {
		// Not read-only: the cursor must see the rows this import has written (see find_rows).
		portal = SPI_cursor_open_with_args(nullptr, sql.c_str(), 0, nullptr, nullptr, nullptr, false, 0);
	});
	for (bool more = true; more;) {
		pg_guard([&] {
			SPI_cursor_fetch(portal, true, 10000);
			more = SPI_processed > 0;
			values.reserve(values.size() + SPI_processed);
			for (uint64 i = 0; i < SPI_processed; ++i) {
				char *v = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, 1);
				values.emplace_back(v != nullptr ? v : ""); // C++ only after the PostgreSQL call
			}
			SPI_freetuptable(SPI_tuptable);
		});
	}
	pg_guard([&] { SPI_cursor_close(portal); });
	return values;
}

std::vector<ScopedValue> SpiTarget::scoped_values(const TableShape &table, const std::string &column,
                                                  const std::string &scope_column,
                                                  const std::vector<std::string> &scopes) {
	std::vector<ScopedValue> out;
	const int scope_index = table.find(scope_column);
	if (scopes.empty() || scope_index < 0 || table.find(column) < 0)
		return out;
	// SELECT t.* FROM unnest($1) AS s(c0) CROSS JOIN LATERAL (SELECT t.scope::text, t.col::text,
	//   upper(t.col::text) FROM t WHERE t.scope = s.c0::type AND t.col IS NOT NULL OFFSET 0) AS t
	// Each scope is looked up in the index of the scope column (see find_rows_sql): a join would be a
	// hash join over the whole table, again for every batch.
	UnnestRows keys("s");
	const std::string v = keys.add(TEXTARRAYOID);
	const std::string c = "t." + quote_identifier(column), sc = "t." + quote_identifier(scope_column);
	const std::string sql = "SELECT t.* FROM " + keys.from() + " CROSS JOIN LATERAL (SELECT " + sc +
	                        "::pg_catalog.text, " + c + "::pg_catalog.text, pg_catalog.upper(" + c +
	                        "::pg_catalog.text) FROM " + table.qualified_name + " AS t WHERE " + sc +
	                        " OPERATOR(pg_catalog.=) " +
	                        as_column_type(table.columns[static_cast<std::size_t>(scope_index)], v) + " AND " + c +
	                        " IS NOT NULL OFFSET 0) AS t";
	std::vector<TextArray> columns(1);
	for (const std::string &scope : scopes)
		columns[0].emplace_back(scope);
	execute_text_arrays(sql, columns, false);
	pg_guard([&] {
		out.reserve(SPI_processed);
		for (uint64 i = 0; i < SPI_processed; ++i) {
			char *cells[3];
			for (int k = 0; k < 3; ++k)
				cells[k] = SPI_getvalue(SPI_tuptable->vals[i], SPI_tuptable->tupdesc, k + 1);
			// C++ only after the PostgreSQL calls (no cell is NULL: the join and the WHERE see to it).
			auto text = [](const char *p) { return p != nullptr ? std::string(p) : std::string(); };
			out.push_back(ScopedValue{text(cells[0]), text(cells[1]), text(cells[2])});
			for (char *cell : cells)
				if (cell != nullptr)
					pfree(cell);
		}
		SPI_freetuptable(SPI_tuptable);
	});
	return out;
}

void SpiTarget::advance_sequence(const TableShape &table, std::int64_t max_id) {
	const TableExtra &extra = extras_[table.qualified_name];
	if (extra.sequence == InvalidOid)
		return;
	pg_guard([&] {
		Oid argtypes[2] = {REGCLASSOID, INT8OID};
		Datum args[2] = {ObjectIdGetDatum(extra.sequence), Int64GetDatum(max_id)};
		expect(SPI_execute_with_args("SELECT pg_catalog.setval($1, GREATEST($2, "
		                             "COALESCE(pg_catalog.pg_sequence_last_value($1), 0)))",
		                             2, argtypes, args, nullptr, false, 0),
		       SPI_OK_SELECT, "advancing a sequence");
	});
}

void SpiTarget::record_pk_map(const PkMapRows &rows) {
	if (rows.size() == 0)
		return;
	// The existing rows entries were mapped to: the foreign key checks tell one deleted since (40001)
	// from a reference to a row the database never had (23503).
	// (Not those an earlier run found, restored from its chunks: a retry would not look them up again.)
	const ModelDef *def = rows.model != nullptr && !rows.restored ? find_model(rows.model) : nullptr;
	const auto table = def != nullptr ? relid_of_table_.find(def->table) : relid_of_table_.end();
	if (table != relid_of_table_.end()) {
		std::vector<std::int64_t> existing;
		for (std::size_t i = 0; i < rows.size(); ++i)
			if (rows.kinds[i] != ImportKind::Inserted)
				existing.push_back(rows.new_pks[i]);
		if (!existing.empty())
			foreign_keys_.found(table->second, existing);
	}
	if (spool_) {
		spool_->add(rows);
		return;
	}
	// Straight into the heap when the table is relocate's plain one (pk_map_insert.hpp): about a
	// microsecond a row less than the INSERT through the executor, a million rows in a large import.
	bool direct = false;
	pg_guard([&] {
		const Oid relid = plain_pk_map_table();
		direct = OidIsValid(relid);
		if (direct)
			insert_pk_map_rows(relid, rows, batch_context_);
	});
	if (direct)
		return;
	if (pk_map_plan_ == nullptr) {
		Oid argtypes[5] = {TEXTOID, INT8ARRAYOID, INT8ARRAYOID, TEXTARRAYOID, TEXTARRAYOID};
		pk_map_plan_ =
		    prepare("INSERT INTO pg_temp.relocate_pk_map (model, old_pk, new_pk, kind, slug)"
		            " SELECT $1, u.o, u.n, u.k, u.s FROM ROWS FROM (pg_catalog.unnest($2), pg_catalog.unnest($3),"
		            " pg_catalog.unnest($4), pg_catalog.unnest($5)) AS u(o, n, k, s)",
		            5, argtypes);
	}
	TextArray kinds;
	for (ImportKind k : rows.kinds)
		kinds.emplace_back(import_kind_name(k));
	pg_guard([&] {
		MemoryContext old = MemoryContextSwitchTo(batch_context_);
		Datum args[5] = {CStringGetTextDatum(rows.model), int8_array(rows.old_pks), int8_array(rows.new_pks),
		                 text_array(kinds), text_array(rows.slugs)};
		MemoryContextSwitchTo(old);
		expect(SPI_execute_plan(pk_map_plan_, args, nullptr, false, 0), SPI_OK_INSERT, "recording the pk map");
		MemoryContextReset(batch_context_);
	});
}

void SpiTarget::record_report(const ReportRows &rows) {
	if (rows.size() == 0)
		return;
	if (spool_) {
		spool_->add(rows);
		return;
	}
	if (report_plan_ == nullptr) {
		Oid argtypes[5] = {TEXTOID, INT8ARRAYOID, TEXTARRAYOID, TEXTARRAYOID, TEXTARRAYOID};
		report_plan_ = prepare("INSERT INTO pg_temp.relocate_report (model, old_pk, new_pk, action, detail)"
		                       " SELECT $1, u.o, CAST(u.n AS pg_catalog.int8), u.a, u.d FROM ROWS FROM"
		                       " (pg_catalog.unnest($2), pg_catalog.unnest($3), pg_catalog.unnest($4),"
		                       " pg_catalog.unnest($5)) AS u(o, n, a, d)",
		                       5, argtypes);
	}
	TextArray new_pks, actions, details;
	new_pks.reserve(rows.size());
	for (std::size_t i = 0; i < rows.size(); ++i) {
		new_pks.push_back(rows.new_pks[i] ? std::optional<std::string>(std::to_string(*rows.new_pks[i]))
		                                  : std::nullopt);
		actions.emplace_back(rows.actions[i]);
		details.emplace_back(rows.details[i]);
	}
	pg_guard([&] {
		MemoryContext old = MemoryContextSwitchTo(batch_context_);
		Datum args[5] = {CStringGetTextDatum(rows.model), int8_array(rows.old_pks), text_array(new_pks),
		                 text_array(actions), text_array(details)};
		MemoryContextSwitchTo(old);
		expect(SPI_execute_plan(report_plan_, args, nullptr, false, 0), SPI_OK_INSERT, "recording the report");
		MemoryContextReset(batch_context_);
	});
}

const std::string &SpiTarget::chunk_table(bool control) {
	std::string &name = chunk_tables_[control ? 1 : 0];
	if (name.empty()) {
		const char *table = control ? "sentry_controlimportchunk" : "sentry_regionimportchunk";
		std::optional<TableShape> shape = describe_table(table);
		if (!shape)
			throw missing_chunk_table_error(table, " (Sentry's import chunks)");
		name = shape->qualified_name;
		chunk_shapes_[control ? 1 : 0] = std::move(shape);
	}
	return name;
}

namespace {

// The columns of a chunk row, and how each is cast from the text[] it is sent in (every column of
// the three chunk tables is the same: BaseImportChunk in Sentry's models/importchunk.py).
constexpr const char *kChunkColumns[][2] = {
    {"import_uuid", "pg_catalog.uuid"},     {"model", nullptr},
    {"min_ordinal", "pg_catalog.int8"},     {"max_ordinal", "pg_catalog.int8"},
    {"min_source_pk", "pg_catalog.int8"},   {"max_source_pk", "pg_catalog.int8"},
    {"min_inserted_pk", "pg_catalog.int8"}, {"max_inserted_pk", "pg_catalog.int8"},
    {"inserted_map", "pg_catalog.jsonb"},   {"existing_map", "pg_catalog.jsonb"},
    {"overwrite_map", "pg_catalog.jsonb"},  {"inserted_identifiers", "pg_catalog.jsonb"}};

// INSERT INTO <table> (<chunk columns>, date_added, date_updated) SELECT ... FROM unnest($1, ...).
std::string chunk_insert(const std::string &table) {
	UnnestRows rows("u");
	std::string names, values;
	for (const auto &[name, type] : kChunkColumns) {
		const std::string v = rows.add(TEXTARRAYOID);
		names += quote_identifier(name) + ", ";
		values += (type != nullptr ? v + "::" + type : v) + ", ";
	}
	return "INSERT INTO " + table + " (" + names + "date_added, date_updated) SELECT " + values +
	       "pg_catalog.now(), pg_catalog.now() FROM " + rows.from();
}

} // namespace

void SpiTarget::lock_import(const std::string &) {
	// Every import writes Sentry's import chunks (and the control chunks' replica): a role that may
	// not is refused here, before it can hold the lock that every other import waits for.
	std::vector<std::string> chunk_tables = {chunk_table(false), chunk_table(true)};
	if (!replica_table().empty())
		chunk_tables.push_back(replica_table());
	for (const std::string &table : chunk_tables) {
		// Sentry's own tables: a temporary table of that name (any role may create one, and the
		// session's temporary schema comes first in the search_path) would let a role without a
		// privilege on Sentry's tables hold the lock.
		bool temporary = false;
		pg_guard([&] { temporary = get_rel_persistence(extras_[table].relid) == RELPERSISTENCE_TEMP; });
		if (temporary)
			throw ImportError(relocate::sqlstate::kWrongObjectType,
			                  "relocate: " + table + " is a temporary table, not Sentry's import chunks", {},
			                  "An import writes Sentry's own tables: drop the temporary tables named like them.");
		bool allowed = false;
		pg_guard([&] { allowed = pg_class_aclcheck(extras_[table].relid, GetUserId(), ACL_INSERT) == ACLCHECK_OK; });
		if (!allowed)
			throw ImportError(
			    relocate::sqlstate::kInsufficientPrivilege, "relocate: permission denied for table " + table, {},
			    "An import writes Sentry's import chunks; grant INSERT on the chunk tables and their replica (and on "
			    "the tables of the models it imports) to the importing role.");
	}
	// The one lock of every import, held to the end of the transaction: a heavyweight lock on the
	// extension's table relocate_import_lock, which no role can take by hand without a privilege on
	// it (unlike an advisory lock, which any role can take on any key). Imports take turns on it
	// from their start, so they never wait for each other's locks in opposite orders (issue 8), and
	// each sees, with the fresh snapshot of each of its statements, what the one before committed.
	lock_relocate_import();
}

void lock_relocate_import() {
	pg_guard([&] {
		expect(SPI_execute("SELECT c.oid FROM pg_catalog.pg_extension e JOIN pg_catalog.pg_class c"
		                   "    ON c.relnamespace OPERATOR(pg_catalog.=) e.extnamespace"
		                   "   AND c.relname OPERATOR(pg_catalog.=) 'relocate_import_lock'"
		                   " WHERE e.extname OPERATOR(pg_catalog.=) 'relocate'",
		                   true, 1),
		       SPI_OK_SELECT, "finding relocate_import_lock");
		bool isnull = true;
		Oid relid = SPI_processed == 1
		                ? DatumGetObjectId(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull))
		                : InvalidOid;
		if (!OidIsValid(relid) ||
		    getExtensionOfObject(RelationRelationId, relid) != get_extension_oid("relocate", false))
			ereport(ERROR, (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
			                errmsg("relocate: the extension's table relocate_import_lock is missing"),
			                errhint("Update the extension: ALTER EXTENSION relocate UPDATE.")));
		LockRelationOid(relid, ShareUpdateExclusiveLock);
	});
}

void SpiTarget::reset_tables(const std::vector<std::string> &tables) {
	std::string list; // comma-separated table names (none contains a comma)
	for (const std::string &t : tables)
		list += (list.empty() ? "" : ",") + t;
	ResetTables found;
	try {
		found = lock_reset_tables(list);
	} catch (const PgError &e) {
		if (e.edata()->sqlerrcode != ERRCODE_LOCK_NOT_AVAILABLE)
			throw;
		throw ImportError(relocate::sqlstate::kLockNotAvailable,
		                  std::string("relocate: reset: ") + e.edata()->message + ": another session is using it",
		                  "A reset empties every Sentry table: it locks them all at once without waiting (NOWAIT), "
		                  "since a TRUNCATE waiting for its lock would hold up every query of Sentry queued "
		                  "behind it. Nothing was emptied.",
		                  "Stop Sentry (web, workers, cron) and the sessions using its tables (pg_stat_activity), then "
		                  "run the import again.");
	}
	// The relocations the reset deletes take their export files, which relocate keeps in its own
	// table and large objects (relocate_relocation_create): they would stay behind, naming sentry_file
	// ids that the reset's restarted sequence hands out again.
	std::int64_t relocation_files = 0;
	const std::string relocations = resolve_table("sentry_relocation");
	if (!relocations.empty() && (", " + found.names + ", ").find(", " + relocations + ", ") != std::string::npos &&
	    spi_value("SELECT 'x' FROM " + relocations + " LIMIT 1")) {
		const std::string files = extension_table("relocate_relocation_file");
		if (spi_value("SELECT (pg_catalog.has_table_privilege($1, 'SELECT') AND "
		              "pg_catalog.has_table_privilege($1, 'DELETE'))::pg_catalog.text",
		              {text_param(files)}) != std::optional<std::string>("true"))
			throw ImportError(relocate::sqlstate::kInsufficientPrivilege,
			                  "relocate: reset: the relocations in " + relocations +
			                      " would be deleted, but this role may not delete their export files from " + files,
			                  "relocate keeps each relocation's export file in relocate_relocation_file and a large "
			                  "object; a reset that left them would leave files naming sentry_file ids that the "
			                  "restarted sequence hands out again. Nothing was emptied.",
			                  "Run the reset as a superuser, or as a role with SELECT and DELETE on " + files +
			                      " that owns the files' large objects.");
		relocation_files =
		    std::stoll(spi_value("WITH gone AS (DELETE FROM " + files + " AS f USING " + relocations +
		                         " AS r WHERE f.relocation_uuid OPERATOR(pg_catalog.=) r.uuid RETURNING f.data) "
		                         // A large object its owner has unlinked already is not unlinked again.
		                         "SELECT pg_catalog.count(*) FILTER (WHERE CASE WHEN EXISTS (SELECT FROM "
		                         "pg_catalog.pg_largeobject_metadata m WHERE m.oid OPERATOR(pg_catalog.=) gone.data) "
		                         "THEN pg_catalog.lo_unlink(gone.data) OPERATOR(pg_catalog.=) 1 ELSE true END)"
		                         "::pg_catalog.text FROM gone")
		                   .value_or("0"));
	}
	try {
		truncate_reset_tables(found, relocation_files);
	} catch (const PgError &e) {
		if (e.edata()->sqlerrcode != ERRCODE_OBJECT_IN_USE)
			throw;
		throw ImportError(relocate::sqlstate::kObjectInUse, std::string("relocate: reset: ") + e.edata()->message,
		                  "This transaction wrote to Sentry's tables before the reset (relocate_relocation_create, "
		                  "say), and their foreign key checks are still pending: PostgreSQL cannot TRUNCATE them. "
		                  "Nothing was emptied.",
		                  "Run the import with reset => true first, in a transaction of its own, or commit what came "
		                  "before it.");
	}
}

SpiTarget::ResetTables SpiTarget::lock_reset_tables(const std::string &list) {
	ResetTables found;
	pg_guard([&] {
		Oid argtypes[1] = {TEXTOID};
		Datum args[1] = {CStringGetTextDatum(list.c_str())};
		int rc = SPI_execute_with_args(
		    "SELECT pg_catalog.count(*), pg_catalog.string_agg(pg_catalog.quote_ident(n.nspname)"
		    "       OPERATOR(pg_catalog.||) '.' OPERATOR(pg_catalog.||) pg_catalog.quote_ident(c.relname), ', ')"
		    "  FROM pg_catalog.unnest(pg_catalog.string_to_array($1, ',')) AS t(name)"
		    "  JOIN pg_catalog.pg_class c"
		    "    ON c.oid OPERATOR(pg_catalog.=) pg_catalog.to_regclass(pg_catalog.quote_ident(t.name))"
		    "  JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) c.relnamespace"
		    " WHERE c.relkind OPERATOR(pg_catalog.=) 'r' OR c.relkind OPERATOR(pg_catalog.=) 'p'",
		    1, argtypes, args, nullptr, false, 0);
		if (rc != SPI_OK_SELECT || SPI_processed != 1)
			elog(ERROR, "relocate: listing Sentry's tables failed: %s", SPI_result_code_string(rc));
		bool isnull;
		found.count = DatumGetInt64(SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull));
		char *names = SPI_getvalue(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 2);
		if (names != nullptr) {
			found.names = names;
			rc = SPI_execute(psprintf("LOCK TABLE %s IN ACCESS EXCLUSIVE MODE NOWAIT", names), false, 0);
			if (rc != SPI_OK_UTILITY)
				elog(ERROR, "relocate: locking Sentry's tables for the reset failed: %s", SPI_result_code_string(rc));
		}
	});
	return found;
}

void SpiTarget::truncate_reset_tables(const ResetTables &found, std::int64_t relocation_files) {
	pg_guard([&] {
		if (!found.names.empty()) {
			int rc = SPI_execute(psprintf("TRUNCATE %s RESTART IDENTITY", found.names.c_str()), false, 0);
			if (rc != SPI_OK_UTILITY)
				elog(ERROR, "relocate: the reset failed: %s", SPI_result_code_string(rc));
		}
		if (relocation_files > 0)
			ereport(NOTICE, (errmsg("relocate: reset: emptied %lld Sentry tables and restarted their sequences; "
			                        "removed the %lld export files of the deleted relocations "
			                        "(relocate_relocation_file and their large objects)",
			                        static_cast<long long>(found.count), static_cast<long long>(relocation_files))));
		else
			ereport(NOTICE, (errmsg("relocate: reset: emptied %lld Sentry tables and restarted their sequences",
			                        static_cast<long long>(found.count))));
	});
}

std::vector<ImportChunk> SpiTarget::load_chunks(const std::string &import_uuid) {
	std::vector<ImportChunk> chunks;
	for (bool control : {false, true}) {
		const std::string sql =
		    "SELECT model::pg_catalog.text, min_ordinal, max_ordinal, min_source_pk, max_source_pk, min_inserted_pk, "
		    "max_inserted_pk, inserted_map::pg_catalog.text, existing_map::pg_catalog.text, "
		    "overwrite_map::pg_catalog.text, inserted_identifiers::pg_catalog.text FROM " +
		    chunk_table(control) +
		    " WHERE import_uuid OPERATOR(pg_catalog.=) $1::pg_catalog.uuid ORDER BY model, min_ordinal";
		// Not read-only: a read-only SPI query runs with the statement's snapshot, taken before this
		// import waited for lock_import, so it would miss the chunks of the import it waited for.
		pg_guard([&] {
			Oid argtypes[1] = {TEXTOID};
			Datum args[1] = {CStringGetTextDatum(import_uuid.c_str())};
			// A verify (read-only, no lock) reads the chunks with the same snapshot as the rows.
			expect(SPI_execute_with_args(sql.c_str(), 1, argtypes, args, nullptr, read_only_, 0), SPI_OK_SELECT,
			       "reading import chunks");
			for (uint64 i = 0; i < SPI_processed; ++i) {
				HeapTuple tuple = SPI_tuptable->vals[i];
				TupleDesc desc = SPI_tuptable->tupdesc;
				char *v[11];
				for (int k = 0; k < 11; ++k)
					v[k] = SPI_getvalue(tuple, desc, k + 1);
				// C++ only from here to the end of the iteration.
				ImportChunk c;
				c.control = control;
				c.model = v[0];
				c.min_ordinal = std::stoll(v[1]);
				c.max_ordinal = std::stoll(v[2]);
				c.min_source_pk = std::stoll(v[3]);
				c.max_source_pk = std::stoll(v[4]);
				if (v[5] != nullptr)
					c.min_inserted_pk = std::stoll(v[5]);
				if (v[6] != nullptr)
					c.max_inserted_pk = std::stoll(v[6]);
				c.inserted_map = v[7];
				c.existing_map = v[8];
				c.overwrite_map = v[9];
				c.inserted_identifiers = v[10];
				chunks.push_back(std::move(c));
			}
		});
	}
	// A re-run replays the control chunks of the earlier run, and Sentry then writes the replica of
	// each one that has none (e.g. chunks of an import by relocate 0.1.0, which wrote no replicas).
	bool any_control = false;
	for (const ImportChunk &c : chunks)
		any_control = any_control || c.control;
	if (any_control && !read_only_ && !replica_table().empty()) {
		std::string names;
		for (const auto &column : kChunkColumns)
			names += quote_identifier(column[0]) + ", ";
		const std::string sql = "INSERT INTO " + replica_table() + " (" + names + "date_added, date_updated) SELECT " +
		                        names + "pg_catalog.now(), pg_catalog.now() FROM " + chunk_table(true) +
		                        " WHERE import_uuid OPERATOR(pg_catalog.=) $1::pg_catalog.uuid ON CONFLICT DO NOTHING";
		pg_guard([&] {
			Oid argtypes[1] = {TEXTOID};
			Datum args[1] = {CStringGetTextDatum(import_uuid.c_str())};
			expect(SPI_execute_with_args(sql.c_str(), 1, argtypes, args, nullptr, false, 0), SPI_OK_INSERT,
			       "copying import chunks into their replica");
		});
	}
	return chunks;
}

const std::string &SpiTarget::replica_table() {
	if (!replica_resolved_) {
		replica_resolved_ = true;
		std::optional<TableShape> shape = describe_table("sentry_controlimportchunkreplica");
		if (shape)
			replica_table_ = shape->qualified_name;
		else
			pg_guard([] {
				ereport(NOTICE,
				        (errmsg("relocate: table \"sentry_controlimportchunkreplica\" does not exist: the control "
				                "silo's import chunks are written without their replica"),
				         errdetail("Sentry copies every control import chunk into it; its "
				                   "relocation steps find the imported users only there.")));
			});
	}
	return replica_table_;
}

bool SpiTarget::copy_chunks(bool control, const std::vector<TextArray> &columns) {
	(void)chunk_table(control);
	const std::optional<TableShape> &shape = chunk_shapes_[control ? 1 : 0];
	RowBatch batch;
	batch.reset(&*shape, control ? "sentry.controlimportchunk" : "sentry.regionimportchunk");
	for (const auto &[name, type] : kChunkColumns)
		batch.columns.push_back(shape->find(name));
	// chunk_insert's pg_catalog.now(): "now" is the transaction's start too, as the columns' input.
	batch.columns.push_back(shape->find("date_added"));
	batch.columns.push_back(shape->find("date_updated"));
	if (std::find(batch.columns.begin(), batch.columns.end(), -1) != batch.columns.end() || shape->find("id") < 0 ||
	    extras_[shape->qualified_name].sequence == InvalidOid)
		return false; // not Sentry's table: the INSERT names what is wrong
	const std::size_t rows = columns[0].size();
	for (std::size_t r = 0; r < rows; ++r) {
		batch.source_pks.push_back(std::stoll(*columns[4][r])); // min_source_pk: what an error names
		for (const TextArray &column : columns) {
			if (column[r])
				batch.push_value(*column[r]);
			else
				batch.push_null();
		}
		batch.push_value("now");
		batch.push_value("now");
	}
	allocate_ids(*shape, rows, batch.ids);
	return insert_by_copy(batch);
}

void SpiTarget::write_chunks(const std::string &import_uuid, const std::vector<ImportChunk> &chunks) {
	for (bool control : {false, true}) {
		std::vector<TextArray> columns(12); // the uuid repeats in every row

		auto text = [](std::int64_t v) { return std::optional<std::string>(std::to_string(v)); };
		auto maybe = [&](const std::optional<std::int64_t> &v) { return v ? text(*v) : std::nullopt; };
		for (const ImportChunk &c : chunks) {
			if (c.control != control)
				continue;
			columns[0].emplace_back(import_uuid);
			columns[1].emplace_back(c.model);
			columns[2].push_back(text(c.min_ordinal));
			columns[3].push_back(text(c.max_ordinal));
			columns[4].push_back(text(c.min_source_pk));
			columns[5].push_back(text(c.max_source_pk));
			columns[6].push_back(maybe(c.min_inserted_pk));
			columns[7].push_back(maybe(c.max_inserted_pk));
			columns[8].emplace_back(c.inserted_map);
			columns[9].emplace_back(c.existing_map);
			columns[10].emplace_back(c.overwrite_map);
			columns[11].emplace_back(c.inserted_identifiers);
		}
		if (columns[0].empty())
			continue;
		// As a batch of Sentry's rows (insert_by_copy: multi_insert or COPY FROM) where it can;
		// otherwise every column goes in as a text[] and is cast by its own input function.
		if (!copy_chunks(control, columns))
			execute_text_arrays(chunk_insert(chunk_table(control)), columns, false);
		// Sentry's _import writes a ControlImportChunkReplica of every control chunk, with the same
		// content, unless one exists (backup/imports.py, do_write); on a single server too.
		if (control && !replica_table().empty())
			execute_text_arrays(chunk_insert(replica_table()) + " ON CONFLICT DO NOTHING", columns, false);
	}
}

void SpiTarget::check_for_interrupts() {
	relocate::pg::check_for_interrupts();
	if (progress_report_ != nullptr)
		progress_report_->update(progress_source_);
}

} // namespace relocate::pg

#include "pg/multi_insert.hpp"

#include <algorithm>
#include <cinttypes>
#include <cstring>

#include "pg/copy_insert.hpp"

extern "C" {
#include "access/heapam.h"
#include "access/htup_details.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/pg_class.h"
#include "catalog/pg_constraint.h"
#include "catalog/pg_trigger.h"
#include "catalog/pg_type.h"
#include "commands/trigger.h"
#include "executor/executor.h"
#include "executor/nodeModifyTable.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "optimizer/optimizer.h"
#include "parser/parse_node.h"
#include "parser/parse_relation.h"
#include "rewrite/rewriteHandler.h"
#include "utils/fmgroids.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
#include "utils/syscache.h"
}

namespace relocate::pg {

namespace {

// Rows per call of the table access method's multi-insert (COPY's MAX_BUFFERED_TUPLES).
constexpr std::size_t kRowsPerMultiInsert = 1000;

// A foreign key this path checks: the column of the table written, its type, and the constraint's
// pending references.
struct CheckedKey {
	AttrNumber column;
	bool int4;
	ForeignKeyChecks::Constraint *constraint;
};

// Whether `trigger` fires now (TriggerEnabled, for a trigger without WHEN and column list).
bool fires(const Trigger &trigger) {
	if (SessionReplicationRole == SESSION_REPLICATION_ROLE_REPLICA)
		return trigger.tgenabled == TRIGGER_FIRES_ON_REPLICA || trigger.tgenabled == TRIGGER_FIRES_ALWAYS;
	return trigger.tgenabled == TRIGGER_FIRES_ON_ORIGIN || trigger.tgenabled == TRIGGER_FIRES_ALWAYS;
}

bool integer_equality(Oid opr) {
	const RegProcedure f = get_opcode(opr);
	return f == F_INT8EQ || f == F_INT4EQ || f == F_INT48EQ || f == F_INT84EQ;
}

// The foreign key `constraint` of `rel`, if it is one ForeignKeyChecks checks (one column, integers
// on both sides, the referenced table a plain table): noted in `keys`. Under pg_guard.
bool checkable_key(Relation rel, Oid constraint, ForeignKeyChecks &checks, CheckedKey *keys, int *nkeys) {
	HeapTuple tuple = SearchSysCache1(CONSTROID, ObjectIdGetDatum(constraint));
	if (!HeapTupleIsValid(tuple))
		return false;
	const Form_pg_constraint con = reinterpret_cast<Form_pg_constraint>(GETSTRUCT(tuple));
	int n = 0;
	AttrNumber conkey[INDEX_MAX_KEYS];
	AttrNumber confkey[INDEX_MAX_KEYS];
	Oid pf_eq[INDEX_MAX_KEYS];
	Oid pp_eq[INDEX_MAX_KEYS];
	Oid ff_eq[INDEX_MAX_KEYS];
	int nset = 0;
	AttrNumber set_columns[INDEX_MAX_KEYS];
	bool ok = con->contype == CONSTRAINT_FOREIGN && con->conrelid == RelationGetRelid(rel);
	const Oid referenced = con->confrelid;
	if (ok)
		DeconstructFkConstraintRow(tuple, &n, conkey, confkey, pf_eq, pp_eq, ff_eq, &nset, set_columns);
	ReleaseSysCache(tuple);
	if (!ok || n != 1 || conkey[0] <= 0 || !integer_equality(pf_eq[0]) ||
	    get_rel_relkind(referenced) != RELKIND_RELATION)
		return false;
	const Oid type = TupleDescAttr(RelationGetDescr(rel), conkey[0] - 1)->atttypid;
	if (type != INT8OID && type != INT4OID)
		return false;
	keys[*nkeys] = CheckedKey{conkey[0], type == INT4OID,
	                          &checks.constraint(constraint, RelationGetRelid(rel), conkey[0], referenced, confkey[0])};
	++*nkeys;
	return true;
}

// Whether `rel`'s INSERT fires no trigger but RI checks ForeignKeyChecks makes (noted in `keys`,
// palloc'd). Under pg_guard.
bool only_checked_triggers(Relation rel, ForeignKeyChecks &checks, CheckedKey **keys, int *nkeys) {
	const TriggerDesc *td = rel->trigdesc;
	*nkeys = 0;
	*keys =
	    static_cast<CheckedKey *>(palloc(sizeof(CheckedKey) * static_cast<std::size_t>(td ? td->numtriggers + 1 : 1)));
	if (td == nullptr)
		return true;
	for (int i = 0; i < td->numtriggers; ++i) {
		const Trigger &t = td->triggers[i];
		if (!TRIGGER_FOR_INSERT(t.tgtype) || !fires(t))
			continue;
		if (t.tgfoid != F_RI_FKEY_CHECK_INS || !t.tgisinternal || !OidIsValid(t.tgconstraint) || t.tgqual != nullptr ||
		    t.tgnewtable != nullptr || !TRIGGER_FOR_ROW(t.tgtype) ||
		    !checkable_key(rel, t.tgconstraint, checks, *keys, nkeys))
			return false;
	}
	return true;
}

// How each attribute of the table gets its value: from the batch's column k (the id is -1), from
// its default, or neither (NULL; a stored generated column is computed).
struct Attribute {
	int from = -2; // batch column, -1 the id, -2 none
	ExprState *default_value = nullptr;
	FmgrInfo input;
	Oid ioparam = InvalidOid;
	int32 typmod = -1;
	bool int8_id = false;
};

bool has_nul(const RowBatch &batch) {
	for (std::size_t i = 0; i < batch.cells.size(); ++i)
		if (batch.states[i] != CellState::Null && std::memchr(batch.cells[i].data(), '\0', batch.cells[i].size()))
			return true;
	return false;
}

// The attributes' sources, or null if a default is volatile (it might read the table: COPY inserts
// row by row then). Under pg_guard.
Attribute *plan_attributes(Relation rel, const RowBatch &batch) {
	TupleDesc desc = RelationGetDescr(rel);
	Attribute *atts = static_cast<Attribute *>(palloc0(sizeof(Attribute) * static_cast<std::size_t>(desc->natts)));
	for (int a = 0; a < desc->natts; ++a)
		atts[a].from = -2;
	const TableShape &table = *batch.table;
	for (std::size_t k = 0; k <= batch.width(); ++k) {
		const char *name = k == 0 ? "id" : table.columns[static_cast<std::size_t>(batch.columns[k - 1])].name.c_str();
		const int attnum = attnameAttNum(rel, name, false);
		Attribute &att = atts[attnum - 1];
		att.from = static_cast<int>(k) - 1;
		const Form_pg_attribute form = TupleDescAttr(desc, attnum - 1);
		Oid input = InvalidOid;
		getTypeInputInfo(form->atttypid, &input, &att.ioparam);
		fmgr_info(input, &att.input);
		att.typmod = form->atttypmod;
		att.int8_id = k == 0 && form->atttypid == INT8OID;
	}
	for (int a = 0; a < desc->natts; ++a) {
		const Form_pg_attribute form = TupleDescAttr(desc, a);
		if (atts[a].from != -2 || form->attisdropped || form->attgenerated != '\0')
			continue;
		Node *value = build_column_default(rel, a + 1);
		if (value == nullptr)
			continue;
		if (contain_volatile_functions_not_nextval(value))
			return nullptr;
		atts[a].default_value = ExecInitExpr(expression_planner(reinterpret_cast<Expr *>(value)), nullptr);
	}
	return atts;
}

// Fills `slot` with row `row` of the batch, naming in `at` the column whose value is being
// converted. Under pg_guard, in the batch's memory.
void fill_slot(TupleTableSlot *slot, const RowBatch &batch, std::size_t row, const Attribute *atts, int natts,
               ExprContext *defaults, BatchErrorContext *at) {
	ExecClearTuple(slot);
	for (int a = 0; a < natts; ++a) {
		const Attribute &att = atts[a];
		at->attribute = NameStr(TupleDescAttr(slot->tts_tupleDescriptor, a)->attname);
		Datum &value = slot->tts_values[a];
		bool &isnull = slot->tts_isnull[a];
		value = 0;
		isnull = true;
		if (att.from == -1) {
			isnull = false;
			if (att.int8_id) {
				value = Int64GetDatum(batch.ids[row]);
			} else {
				char id[32];
				snprintf(id, sizeof id, "%" PRId64, batch.ids[row]);
				value = InputFunctionCall(const_cast<FmgrInfo *>(&att.input), id, att.ioparam, att.typmod);
			}
		} else if (att.from >= 0) {
			const std::size_t k = static_cast<std::size_t>(att.from);
			// As COPY: the input function sees NULL too (a domain's NOT NULL is checked there).
			isnull = batch.is_null(row, k);
			value = InputFunctionCall(const_cast<FmgrInfo *>(&att.input),
			                          isnull ? nullptr : const_cast<char *>(batch.cell(row, k).c_str()), att.ioparam,
			                          att.typmod);
		} else if (att.default_value != nullptr) {
			value = ExecEvalExpr(att.default_value, defaults, &isnull);
		}
	}
	at->attribute = nullptr;
	ExecStoreVirtualTuple(slot);
}

bool multi_insert_in_guard(Oid relid, const RowBatch &batch, MemoryContext memory, ErrorContextCallback *context,
                           ForeignKeyChecks &checks) {
	BatchTable t;
	if (!open_batch_table(relid, memory, &t))
		return false;
	Relation rel = t.rel;
	ParseState *pstate = t.pstate;
	CheckedKey *keys = nullptr;
	int nkeys = 0;
	Attribute *atts = nullptr;
	if (!only_checked_triggers(rel, checks, &keys, &nkeys) || !copy_allowed(rel, batch, pstate, nullptr) ||
	    (atts = plan_attributes(rel, batch)) == nullptr) {
		close_batch_table(&t, memory);
		return false;
	}
	begin_batch_command(context);

	EState *estate = CreateExecutorState();
	ExecInitRangeTable(estate, pstate->p_rtable);
	ResultRelInfo *rri = makeNode(ResultRelInfo);
	ExecInitResultRelation(estate, rri, 1);
	CheckValidResultRel(rri, CMD_INSERT);
	ExecOpenIndices(rri, false);
	ExprContext *defaults = CreateExprContext(estate);
	const CommandId cid = GetCurrentCommandId(true);
	BulkInsertState bistate = GetBulkInsertState();
	TupleDesc desc = RelationGetDescr(rel);
	const bool constrained = desc->constr != nullptr;
	const bool generated = constrained && desc->constr->has_generated_stored;
	const bool partition = rel->rd_rel->relispartition;

	const std::size_t rows = batch.rows();
	const std::size_t nslots = std::min(rows, kRowsPerMultiInsert);
	TupleTableSlot **slots = static_cast<TupleTableSlot **>(palloc(sizeof(TupleTableSlot *) * nslots));
	// The slots share a copy of the descriptor that is not reference-counted: the relation's would be
	// pinned by each slot, and the resource owner's lookup of one pointer remembered a thousand
	// times grows with every pin (2 % of an import's time).
	TupleDesc slot_desc = CreateTupleDescCopy(desc);
	for (std::size_t i = 0; i < nslots; ++i)
		slots[i] = MakeSingleTupleTableSlot(slot_desc, table_slot_callbacks(rel));
	// The row being converted, checked or indexed, for the error context (and the error's message).
	BatchErrorContext *at = static_cast<BatchErrorContext *>(context->arg);
	for (std::size_t first = 0; first < rows; first += nslots) {
		const std::size_t n = std::min(nslots, rows - first);
		for (std::size_t i = 0; i < n; ++i) {
			at->row = -1; // a cancel is no row's
			CHECK_FOR_INTERRUPTS();
			const std::size_t row = first + i;
			at->row = static_cast<long>(row);
			TupleTableSlot *slot = slots[i];
			ResetPerTupleExprContext(estate);
			fill_slot(slot, batch, row, atts, desc->natts, defaults, at);
			if (generated)
				ExecComputeStoredGenerated(rri, estate, slot, CMD_INSERT);
			if (constrained)
				ExecConstraints(rri, slot, estate);
			if (partition)
				ExecPartitionCheck(rri, slot, estate, true);
			for (int k = 0; k < nkeys; ++k) {
				bool isnull;
				const Datum key = slot_getattr(slot, keys[k].column, &isnull);
				if (!isnull)
					checks.note(*keys[k].constraint, keys[k].int4 ? DatumGetInt32(key) : DatumGetInt64(key),
					            batch.source_pks[row], batch.model);
			}
		}
		at->row = -1;
		table_multi_insert(rel, slots, static_cast<int>(n), cid, 0, bistate);
		if (rri->ri_NumIndices > 0)
			for (std::size_t i = 0; i < n; ++i) {
				at->row = static_cast<long>(first + i);
				ResetPerTupleExprContext(estate);
				// The recheck list of a deferrable unique or exclusion constraint: its recheck is a
				// trigger, so such a table takes COPY FROM, unless the trigger is disabled, when COPY
				// would not recheck either.
				list_free(ExecInsertIndexTuples(rri, slots[i], estate, false, false, nullptr, NIL));
			}
		at->row = -1;
		for (std::size_t i = 0; i < n; ++i)
			ExecClearTuple(slots[i]);
	}
	for (std::size_t i = 0; i < nslots; ++i)
		ExecDropSingleTupleTableSlot(slots[i]);
	FreeBulkInsertState(bistate);
	table_finish_bulk_insert(rel, 0);
	ExecCloseResultRelations(estate);
	ExecCloseRangeTableRelations(estate);
	FreeExecutorState(estate);

	end_batch_command(context);
	close_batch_table(&t, memory);
	return true;
}

} // namespace

bool multi_insert_rows(Oid relid, const RowBatch &batch, MemoryContext memory, ErrorContextCallback *context,
                       ForeignKeyChecks &checks) {
	if (batch.rows() == 0 || has_nul(batch))
		return false;
	bool written = false;
	pg_guard([&] { written = multi_insert_in_guard(relid, batch, memory, context, checks); });
	if (written)
		checks.inserted(relid, batch.ids);
	return written;
}

} // namespace relocate::pg

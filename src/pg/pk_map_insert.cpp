#include "pg/pk_map_insert.hpp"

#include <algorithm>

extern "C" {
#include "access/heapam.h"
#include "access/table.h"
#include "access/tableam.h"
#include "catalog/namespace.h"
#include "catalog/pg_class.h"
#include "catalog/pg_type.h"
#include "executor/tuptable.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "utils/acl.h"
#include "utils/builtins.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/relcache.h"
}

namespace relocate::pg {

namespace {

// COPY's MAX_BUFFERED_TUPLES: rows per table_multi_insert.
constexpr std::size_t kRowsPerInsert = 1000;

// Whether `rel` is still relocate's own table (reset_session_tables): nothing a plain heap insert
// would skip that an INSERT would do.
bool is_plain(Relation rel) {
	static const Oid kTypes[5] = {TEXTOID, INT8OID, INT8OID, TEXTOID, TEXTOID};
	const Form_pg_class form = rel->rd_rel;
	if (form->relkind != RELKIND_RELATION || form->relpersistence != RELPERSISTENCE_TEMP || form->relispartition ||
	    form->relrowsecurity || rel->trigdesc != nullptr || rel->rd_rules != nullptr)
		return false;
	List *indexes = RelationGetIndexList(rel);
	const bool indexed = indexes != NIL;
	list_free(indexes);
	if (indexed)
		return false;
	TupleDesc desc = RelationGetDescr(rel);
	if (desc->natts != 5 ||
	    (desc->constr != nullptr && (desc->constr->num_check > 0 || desc->constr->has_generated_stored)))
		return false;
	for (int i = 0; i < 5; ++i) {
		const Form_pg_attribute att = TupleDescAttr(desc, i);
		// slug (the fifth) may be NULL; the others are always given.
		if (att->attisdropped || att->atttypid != kTypes[i] || att->attgenerated != '\0' || (i == 4 && att->attnotnull))
			return false;
	}
	return pg_class_aclcheck(RelationGetRelid(rel), GetUserId(), ACL_INSERT) == ACLCHECK_OK;
}

} // namespace

Oid plain_pk_map_table() {
	Oid relid =
	    RangeVarGetRelid(makeRangeVar(pstrdup("pg_temp"), pstrdup("relocate_pk_map"), -1), RowExclusiveLock, true);
	if (!OidIsValid(relid))
		return InvalidOid;
	Relation rel = table_open(relid, NoLock);
	const bool plain = is_plain(rel);
	table_close(rel, NoLock);
	return plain ? relid : InvalidOid;
}

void insert_pk_map_rows(Oid relid, const PkMapRows &rows, MemoryContext context) {
	MemoryContext old = MemoryContextSwitchTo(context);
	Relation rel = table_open(relid, RowExclusiveLock);
	const Datum model = CStringGetTextDatum(rows.model);
	const Datum kinds[3] = {CStringGetTextDatum(import_kind_name(ImportKind::Inserted)),
	                        CStringGetTextDatum(import_kind_name(ImportKind::Existing)),
	                        CStringGetTextDatum(import_kind_name(ImportKind::Overwrite))};
	const CommandId cid = GetCurrentCommandId(true);
	BulkInsertState bistate = GetBulkInsertState();
	// The slots are made once a call, over a copy of the table's descriptor: a copy is not
	// reference-counted, so a slot does not pin it in the resource owner (table_slot_create's
	// slots do, one pin per slot), and `context`'s reset frees them.
	TupleDesc desc = CreateTupleDescCopy(RelationGetDescr(rel));
	const std::size_t nslots = std::min(kRowsPerInsert, rows.size());
	TupleTableSlot **slots = static_cast<TupleTableSlot **>(palloc(sizeof(TupleTableSlot *) * nslots));
	for (std::size_t k = 0; k < nslots; ++k)
		slots[k] = MakeSingleTupleTableSlot(desc, &TTSOpsHeapTuple);
	for (std::size_t first = 0; first < rows.size(); first += kRowsPerInsert) {
		const std::size_t n = std::min(kRowsPerInsert, rows.size() - first);
		CHECK_FOR_INTERRUPTS(); // a batch may be relocate.batch_size rows (up to 100,000)
		for (std::size_t k = 0; k < n; ++k) {
			const std::size_t i = first + k;
			TupleTableSlot *slot = slots[k];
			ExecClearTuple(slot);
			slot->tts_values[0] = model;
			slot->tts_values[1] = Int64GetDatum(rows.old_pks[i]);
			slot->tts_values[2] = Int64GetDatum(rows.new_pks[i]);
			slot->tts_values[3] = kinds[static_cast<std::size_t>(rows.kinds[i])];
			const std::optional<std::string> &slug = rows.slugs[i];
			slot->tts_values[4] =
			    slug ? PointerGetDatum(cstring_to_text_with_len(slug->data(), static_cast<int>(slug->size()))) : 0;
			for (int c = 0; c < 5; ++c)
				slot->tts_isnull[c] = c == 4 && !slug;
			ExecStoreVirtualTuple(slot);
		}
		table_multi_insert(rel, slots, static_cast<int>(n), cid, 0, bistate);
	}
	FreeBulkInsertState(bistate);
	table_finish_bulk_insert(rel, 0);
	table_close(rel, NoLock);
	MemoryContextSwitchTo(old);
	MemoryContextReset(context);
}

} // namespace relocate::pg

#include "pg/copy_insert.hpp"

#include <algorithm>
#include <cstring>

extern "C" {
#include "access/table.h"
#include "access/xact.h"
#include "catalog/pg_class.h"
#include "commands/copy.h"
#include "commands/copyfrom_internal.h"
#include "utils/fmgrprotos.h"
#include "executor/executor.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "nodes/makefuncs.h"
#include "parser/parse_node.h"
#include "parser/parse_relation.h"
#include "utils/backend_status.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/rls.h"
#include "utils/snapmgr.h"
}

namespace relocate::pg {

namespace {

// What COPY reads, handed over by read_feed: COPY's data source callback takes no argument of its
// own, so the batch being copied is this one (one at a time: a backend runs one import).
struct Feed {
	const char *data;
	std::size_t size;
	std::size_t at;
	CopyFromState cstate;
	bool context_muted;
	const RowBatch *batch;
	int trigger_depth; // trigger_depth() when the COPY began
	const Feed *outer; // the COPY this one runs inside (an import in a trigger), if any
};
Feed *current_feed = nullptr;

void no_context(void *) {}

// How deep in triggers the backend is (trigger.c's MyTriggerDepth, which only pg_trigger_depth()
// reads). Nothing that can fail.
int trigger_depth() {
	LOCAL_FCINFO(fcinfo, 0);
	InitFunctionCallInfoData(*fcinfo, nullptr, 0, InvalidOid, nullptr, nullptr);
	return DatumGetInt32(pg_trigger_depth(fcinfo));
}

// COPY's data source callback (called by CopyFrom, in PostgreSQL): the next bytes of the batch's
// text, 0 at its end. No PostgreSQL call, nothing that can fail.
int read_feed(void *outbuf, int /*minread*/, int maxread) {
	Feed *feed = current_feed;
	if (!feed->context_muted) {
		// CopyFrom pushes its error context callback ("COPY sentry_x, line 3, column name: "value"",
		// which quotes a value, even while the export's values are withheld) before it reads the
		// first line: silence it, so that an error of the batch has the context the INSERT's has
		// (the batch's: model, source pks, table). It runs only during this batch's CopyFrom.
		for (ErrorContextCallback *e = error_context_stack; e != nullptr; e = e->previous)
			if (e->callback == CopyFromErrorCallback && e->arg == feed->cstate)
				e->callback = no_context;
		feed->context_muted = true;
	}
	const std::size_t n = std::min(static_cast<std::size_t>(std::max(maxread, 0)), feed->size - feed->at);
	std::memcpy(outbuf, feed->data + feed->at, n);
	feed->at += n;
	return static_cast<int>(n);
}

bool copy_in_guard(Oid relid, const RowBatch &batch, const std::string &text, MemoryContext memory,
                   ErrorContextCallback *context) {
	BatchTable t;
	if (!open_batch_table(relid, memory, &t))
		return false;
	Relation rel = t.rel;
	ParseState *pstate = t.pstate;
	List *attnames = NIL;
	if (!copy_allowed(rel, batch, pstate, &attnames)) {
		close_batch_table(&t, memory);
		return false;
	}
	// The export is UTF-8, as the database is (relocate refuses another encoding): no conversion
	// from the client's encoding.
	List *options = list_make1(
	    makeDefElem(pstrdup("encoding"), reinterpret_cast<Node *>(makeString(pstrdup(GetDatabaseEncodingName()))), -1));
	Feed *const outer_feed = current_feed; // an import in a trigger of this COPY's table has its own
	Feed feed{text.data(), text.size(), 0, nullptr, false, &batch, trigger_depth(), outer_feed};
	current_feed = &feed;
	begin_batch_command(context);
	// COPY reports its own progress in the backend's COPY progress parameters, where relocate
	// shows the import's (relocate_progress, pg_stat_progress_copy): it must not start, overwrite or
	// end them. Those calls do nothing while activity tracking is off; copy_insert_rows turns it
	// back on, on error too.
	pgstat_track_activities = false;
	CopyFromState cstate = BeginCopyFrom(pstate, rel, nullptr, nullptr, false, read_feed, attnames, options);
	feed.cstate = cstate;
	(void)CopyFrom(cstate);
	EndCopyFrom(cstate);
	end_batch_command(context);
	current_feed = outer_feed;
	close_batch_table(&t, memory);
	return true;
}

} // namespace

bool copy_position(BatchErrorContext *c) {
	const Feed *feed = current_feed;
	while (feed != nullptr && feed->batch != c->batch)
		feed = feed->outer;
	if (feed == nullptr)
		return false;
	// Each message (a NOTICE of a trigger too) is placed afresh: nothing of an earlier one stays.
	c->row = -1;
	c->column[0] = '\0';
	// A COPY of an import inside this one's trigger is at its own line, not this batch's.
	if (feed != current_feed || feed->cstate == nullptr || feed->cstate->cur_lineno == 0)
		return true;
	// COPY's line is the row it is at while it converts a value (cur_attname set) or checks a row's
	// constraints. Not inside a trigger: the AFTER triggers (the foreign keys' among them) fire at
	// the end of the statement, when the line is the last one, whatever row they were queued for.
	const int code = geterrcode();
	if (trigger_depth() != feed->trigger_depth ||
	    (feed->cstate->cur_attname == nullptr && code != ERRCODE_CHECK_VIOLATION && code != ERRCODE_NOT_NULL_VIOLATION))
		return true;
	const uint64 line = feed->cstate->cur_lineno; // one row per line, from 1
	if (line > c->batch->rows())
		return true;
	c->row = static_cast<long>(line - 1);
	if (feed->cstate->cur_attname != nullptr)
		strlcpy(c->column, feed->cstate->cur_attname, sizeof c->column);
	return true;
}

bool open_batch_table(Oid relid, MemoryContext memory, BatchTable *t) {
	if (XactReadOnly || IsInParallelMode())
		return false; // the INSERT raises the error
	t->old = MemoryContextSwitchTo(memory);
	// By the oid the table was resolved to once per import, never by name again.
	t->rel = table_open(relid, RowExclusiveLock);
	t->pstate = make_parsestate(nullptr);
	return true;
}

void close_batch_table(BatchTable *t, MemoryContext memory) {
	table_close(t->rel, NoLock);
	MemoryContextSwitchTo(t->old);
	MemoryContextReset(memory);
}

void begin_batch_command(ErrorContextCallback *context) {
	CommandCounterIncrement();
	PushActiveSnapshot(GetTransactionSnapshot());
	context->previous = error_context_stack;
	error_context_stack = context;
}

void end_batch_command(ErrorContextCallback *context) {
	error_context_stack = context->previous;
	PopActiveSnapshot();
	CommandCounterIncrement();
}

bool copy_allowed(Relation rel, const RowBatch &batch, ParseState *pstate, List **attnames) {
	// COPY applies no rules (an INSERT rule rewrites the INSERT), and refuses row-level security
	// (the INSERT applies its policies); a partitioned table keeps the INSERT.
	if (rel->rd_rel->relkind != RELKIND_RELATION || rel->rd_rules != nullptr ||
	    check_enable_rls(RelationGetRelid(rel), InvalidOid, true) == RLS_ENABLED)
		return false;
	// DoCopy's privilege check (COPY FROM: INSERT on the table or on each column written), which
	// CopyFrom leaves to its caller. Without the privilege the INSERT runs and raises its error.
	ParseNamespaceItem *nsitem = addRangeTableEntryForRelation(pstate, rel, RowExclusiveLock, nullptr, false, false);
	RangeTblEntry *rte = nsitem->p_rte;
	rte->requiredPerms = ACL_INSERT;
	const TableShape &table = *batch.table;
	for (std::size_t k = 0; k <= batch.width(); ++k) {
		const char *name = k == 0 ? "id" : table.columns[static_cast<std::size_t>(batch.columns[k - 1])].name.c_str();
		const int attnum = attnameAttNum(rel, name, false);
		if (attnum == InvalidAttrNumber)
			return false;
		rte->insertedCols = bms_add_member(rte->insertedCols, attnum - FirstLowInvalidHeapAttributeNumber);
		if (attnames != nullptr)
			*attnames = lappend(*attnames, makeString(pstrdup(name)));
	}
	return ExecCheckRTPerms(pstate->p_rtable, false);
}

bool copy_insert_rows(Oid relid, const RowBatch &batch, const std::string &text, MemoryContext memory,
                      ErrorContextCallback *context) {
	const bool track_activities = pgstat_track_activities;
	Feed *const outer_feed = current_feed;
	bool copied = false;
	try {
		pg_guard([&] { copied = copy_in_guard(relid, batch, text, memory, context); });
	} catch (...) {
		pgstat_track_activities = track_activities;
		current_feed = outer_feed;
		throw;
	}
	pgstat_track_activities = track_activities;
	return copied;
}

} // namespace relocate::pg

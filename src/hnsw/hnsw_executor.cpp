/*
 * hnsw_executor.cpp: tells an hnsw scan whether the executor filters its rows.
 *
 * An index scan sees only its own scan keys; a condition the index cannot take (a
 * row-level security policy on a column the index does not have, a WHERE clause on
 * another column) is a Filter that the executor applies to the rows the scan
 * returns. A scan that stops after its first window (pgvector's default, with
 * hnsw.iterative_scan off) then leaves LIMIT short and the result wrong. So, after
 * ExecutorStart has built the plan's state, this hook records every hnsw index scan
 * node that carries a Filter; the scan looks itself up (by its scan descriptor,
 * which the executor creates lazily, at the node's first row) and then keeps
 * producing rows for as long as the executor asks, as an iterative scan does, and
 * reads the rest of the index exactly once its walk is spent: never short.
 *
 * The records live in the statement's executor memory (es_query_cxt); a reset
 * callback unlinks each one when that memory goes away, at ExecutorEnd or when an
 * error aborts the statement, so the list never holds a node that no longer exists.
 */
#include "hnsw/hnsw.h"

extern "C"
{
#include "executor/executor.h"
#include "nodes/execnodes.h"
#include "nodes/nodeFuncs.h"
#include "utils/memutils.h"
#include "utils/rel.h"
}

namespace
{

/* A doubly linked list (ilist.h's macros do not compile as C++). */
typedef struct FilteredScan
{
	struct FilteredScan *prev;
	struct FilteredScan *next;
	IndexScanState *state;
	MemoryContextCallback unlink;
} FilteredScan;

FilteredScan *filtered_scans = nullptr;
ExecutorStart_hook_type previous_executor_start = nullptr;

void unlink_filtered_scan(void *arg)
{
	FilteredScan *f = (FilteredScan *)arg;
	if (f->prev)
		f->prev->next = f->next;
	else
		filtered_scans = f->next;
	if (f->next)
		f->next->prev = f->prev;
}

bool is_hnsw(Relation index)
{
	return index != NULL && index->rd_indam != NULL && index->rd_indam->amgettuple == hnsw_gettuple;
}

/* Records the hnsw index scans of a plan state tree that carry a Filter. */
bool record_filtered_scans(PlanState *ps, void *context)
{
	if (ps == NULL)
		return false;
	if (IsA(ps, IndexScanState) && ps->plan->qual != NIL)
	{
		IndexScanState *iss = (IndexScanState *)ps;
		if (is_hnsw(iss->iss_RelationDesc))
		{
			MemoryContext cxt = (MemoryContext)context;
			FilteredScan *f = (FilteredScan *)MemoryContextAllocZero(cxt, sizeof(FilteredScan));
			f->state = iss;
			f->unlink.func = unlink_filtered_scan;
			f->unlink.arg = f;
			f->next = filtered_scans;
			if (filtered_scans)
				filtered_scans->prev = f;
			filtered_scans = f;
			MemoryContextRegisterResetCallback(cxt, &f->unlink);
		}
	}
	return planstate_tree_walker(ps, (bool (*)())(void (*)(void))record_filtered_scans, context);
}

void hnsw_executor_start(QueryDesc *query, int eflags)
{
	if (previous_executor_start)
		previous_executor_start(query, eflags);
	else
		standard_ExecutorStart(query, eflags);
	if (!(eflags & EXEC_FLAG_EXPLAIN_ONLY) && query->planstate != NULL)
		record_filtered_scans(query->planstate, query->estate->es_query_cxt);
}

} // namespace

void HnswInstallExecutorHook(void)
{
	previous_executor_start = ExecutorStart_hook;
	ExecutorStart_hook = hnsw_executor_start;
}

bool HnswScanIsFiltered(IndexScanDesc scan)
{
	for (const FilteredScan *f = filtered_scans; f != nullptr; f = f->next)
		if (f->state->iss_ScanDesc == scan)
			return true;
	return false;
}

/*
 * hnsw_executor.cpp: tells an hnsw scan whether the executor filters its rows, and
 * whether its node projects the scan's distances (hnsw_projection.cpp).
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
typedef struct RecordedScan
{
	struct RecordedScan *prev;
	struct RecordedScan *next;
	IndexScanState *state;
	bool filtered;          /* the executor applies a Filter to its rows */
	bool projects_distance; /* its projection takes the ORDER BY distance from the scan */
	MemoryContextCallback unlink;
} RecordedScan;

RecordedScan *recorded_scans = nullptr;
ExecutorStart_hook_type previous_executor_start = nullptr;

void unlink_recorded_scan(void *arg)
{
	RecordedScan *f = (RecordedScan *)arg;
	if (f->prev)
		f->prev->next = f->next;
	else
		recorded_scans = f->next;
	if (f->next)
		f->next->prev = f->prev;
}

bool is_hnsw(Relation index)
{
	return index != NULL && index->rd_indam != NULL && index->rd_indam->amgettuple == hnsw_gettuple;
}

/*
 * Records the hnsw index scans of a plan state tree that carry a Filter or whose
 * projection takes their distances (patched here).
 */
bool record_scans(PlanState *ps, void *context)
{
	if (ps == NULL)
		return false;
	if (IsA(ps, IndexScanState) && is_hnsw(((IndexScanState *)ps)->iss_RelationDesc))
	{
		IndexScanState *iss = (IndexScanState *)ps;
		bool filtered = ps->plan->qual != NIL;
		bool projects = HnswProjectRowDistance(iss, ps->state);
		if (filtered || projects)
		{
			MemoryContext cxt = ps->state->es_query_cxt;
			RecordedScan *f = (RecordedScan *)MemoryContextAllocZero(cxt, sizeof(RecordedScan));
			f->state = iss;
			f->filtered = filtered;
			f->projects_distance = projects;
			f->unlink.func = unlink_recorded_scan;
			f->unlink.arg = f;
			f->next = recorded_scans;
			if (recorded_scans)
				recorded_scans->prev = f;
			recorded_scans = f;
			MemoryContextRegisterResetCallback(cxt, &f->unlink);
		}
	}
	return planstate_tree_walker(ps, (bool (*)())(void (*)(void))record_scans, context);
}

const RecordedScan *find_scan(IndexScanDesc scan)
{
	for (const RecordedScan *f = recorded_scans; f != nullptr; f = f->next)
		if (f->state->iss_ScanDesc == scan)
			return f;
	return nullptr;
}

void hnsw_executor_start(QueryDesc *query, int eflags)
{
	if (previous_executor_start)
		previous_executor_start(query, eflags);
	else
		standard_ExecutorStart(query, eflags);
	if (!(eflags & EXEC_FLAG_EXPLAIN_ONLY) && query->planstate != NULL)
		record_scans(query->planstate, nullptr);
}

} // namespace

void HnswInstallExecutorHook(void)
{
	previous_executor_start = ExecutorStart_hook;
	ExecutorStart_hook = hnsw_executor_start;
}

bool HnswScanIsFiltered(IndexScanDesc scan)
{
	const RecordedScan *f = find_scan(scan);
	return f != nullptr && f->filtered;
}

bool HnswScanProjectsDistance(IndexScanDesc scan)
{
	const RecordedScan *f = find_scan(scan);
	return f != nullptr && f->projects_distance;
}

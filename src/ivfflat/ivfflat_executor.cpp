/*
 * ivfflat_executor.cpp: tells an ivfflat scan whether the executor filters its rows.
 *
 * A condition the index cannot take (`tenant = ANY (...)`, which the planner keeps as
 * a Filter on an ordered scan; a policy on a column the index does not have; a WHERE
 * clause on another column) is applied by the executor to the rows the scan returns.
 * A scan that stops after its first `probes` lists (pgvector's default) then leaves
 * LIMIT short. So, after ExecutorStart, this hook records every ivfflat index scan
 * node that carries a Filter; such a scan reads further lists for as long as the
 * executor asks (ivfflat_scan.cpp), as an iterative scan does.
 *
 * This is hnsw_executor.cpp's mechanism for ivfflat scans (that file recognises hnsw
 * scans only and is not ours to change); the two can become one hook that knows both
 * access methods. The records live in the statement's executor memory; a reset
 * callback unlinks each one when that memory goes away (ExecutorEnd, or an error).
 */
#include "ivfflat/ivfflat.h"

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

bool is_ivfflat(Relation index)
{
	return index != NULL && index->rd_indam != NULL &&
	       index->rd_indam->amgettuple == ivfflat_gettuple;
}

bool record_filtered_scans(PlanState *ps, void *context)
{
	if (ps == NULL)
		return false;
	if (IsA(ps, IndexScanState) && ps->plan->qual != NIL &&
	    is_ivfflat(((IndexScanState *)ps)->iss_RelationDesc))
	{
		MemoryContext cxt = (MemoryContext)context;
		FilteredScan *f = (FilteredScan *)MemoryContextAllocZero(cxt, sizeof(FilteredScan));
		f->state = (IndexScanState *)ps;
		f->unlink.func = unlink_filtered_scan;
		f->unlink.arg = f;
		f->next = filtered_scans;
		if (filtered_scans)
			filtered_scans->prev = f;
		filtered_scans = f;
		MemoryContextRegisterResetCallback(cxt, &f->unlink);
	}
	return planstate_tree_walker(ps, (bool (*)())(void (*)(void))record_filtered_scans, context);
}

void ivfflat_executor_start(QueryDesc *query, int eflags)
{
	if (previous_executor_start)
		previous_executor_start(query, eflags);
	else
		standard_ExecutorStart(query, eflags);
	if (!(eflags & EXEC_FLAG_EXPLAIN_ONLY) && query->planstate != NULL)
		record_filtered_scans(query->planstate, query->estate->es_query_cxt);
}

} // namespace

void IvfInstallExecutorHook(void)
{
	previous_executor_start = ExecutorStart_hook;
	ExecutorStart_hook = ivfflat_executor_start;
}

bool IvfScanIsFiltered(IndexScanDesc scan)
{
	for (const FilteredScan *f = filtered_scans; f != nullptr; f = f->next)
		if (f->state->iss_ScanDesc == scan)
			return true;
	return false;
}

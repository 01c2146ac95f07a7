/*
 * ivfflat_build_parallel.cpp: the assignment phase of CREATE INDEX with parallel
 * workers.
 *
 * Once the leader has written the lists (centers and one empty entry page each), the
 * leader and its workers scan the table in parallel (a parallel table scan hands out
 * blocks) and each appends its rows to the lists' chains. Participants share nothing
 * but the pages: each reads the centers from the list pages, keeps its own idea of
 * each list's last page and follows the chain when another participant extended it
 * (IvfAppendEntry locks one page at a time; the relation extension lock covers new
 * pages, as in parallel mode it always does). The leader then points every list at
 * its chain's end (ivfflat_build.cpp). Pages are still not WAL-logged: the build logs
 * them all at its end, after the workers are gone.
 */
#include "ivfflat/ivfflat_build.h"

extern "C"
{
#include "access/parallel.h"
#include "access/relation.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "catalog/index.h"
#include "optimizer/optimizer.h"
#include "optimizer/plancat.h"
#include "pgstat.h"
#include "storage/spin.h"
#include "tcop/tcopprot.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
}

namespace
{

#define IVFFLAT_KEY_BUILD UINT64CONST(0xA000000000000011)
#define IVFFLAT_KEY_QUERY_TEXT UINT64CONST(0xA000000000000012)

typedef struct IvfParallelBuild
{
	Oid heap_oid;
	Oid index_oid;
	bool concurrent;
	slock_t mutex;
	double heap_tuples; /* summed by the participants */
	double index_tuples;
	/* then, BUFFERALIGN'd, the parallel table scan */
} IvfParallelBuild;

inline ParallelTableScanDesc parallel_scan_of(IvfParallelBuild *pb)
{
	return (ParallelTableScanDesc)((char *)pb + BUFFERALIGN(sizeof(IvfParallelBuild)));
}

/* One participant's share of the table. */
void participate(IvfParallelBuild *pb, Relation heap, Relation index, bool is_leader,
                 IvfBuildState *leader_state)
{
	IvfBuildState local;
	IvfBuildState *bs = leader_state;
	if (bs == NULL)
	{
		/* a worker: the lists as the leader wrote them */
		bs = &local;
		memset(bs, 0, sizeof(*bs));
		bs->index = index;
		bs->fork = MAIN_FORKNUM;
		IvfInitDistance(&bs->dist, index);
		HnswInitColumns(&bs->cols, index);
		bs->lists = IvfReadLists(index, &bs->dist, &bs->list);
		bs->quarter_gaps = IvfCenterQuarterGaps(&bs->dist, bs->list, bs->lists);
		bs->insert_page = (BlockNumber *)palloc(sizeof(BlockNumber) * Max(bs->lists, 1));
		bs->key_insert_page = (BlockNumber *)palloc(sizeof(BlockNumber) * Max(bs->lists, 1));
		for (int i = 0; i < bs->lists; i++)
		{
			bs->insert_page[i] = bs->list[i].insert_page;
			bs->key_insert_page[i] = bs->list[i].key_page;
		}
		bs->tuple_context = AllocSetContextCreate(CurrentMemoryContext, "ivfflat build tuple",
		                                          ALLOCSET_DEFAULT_SIZES);
	}
	double before = bs->index_tuples;

	IndexInfo *info = BuildIndexInfo(index);
	info->ii_Concurrent = pb->concurrent;
	TableScanDesc scan = table_beginscan_parallel(heap, parallel_scan_of(pb));
	double heap_tuples = table_index_build_scan(heap, index, info, true, is_leader,
	                                            IvfAssignCallback, (void *)bs, scan);

	SpinLockAcquire(&pb->mutex);
	pb->heap_tuples += heap_tuples;
	pb->index_tuples += bs->index_tuples - before;
	SpinLockRelease(&pb->mutex);
}

} // namespace

int IvfPlanWorkers(Relation heap, Relation index, double rows)
{
	int planned = plan_create_index_workers(RelationGetRelid(heap), RelationGetRelid(index));
	if (planned > 0 || !IsUnderPostmaster || max_parallel_maintenance_workers == 0 ||
	    RelationGetParallelWorkers(heap, -1) >= 0 ||
	    heap->rd_rel->relpersistence == RELPERSISTENCE_TEMP ||
	    RelationGetIndexExpressions(index) != NIL || RelationGetIndexPredicate(index) != NIL)
		return planned;

	/* The heap's pages undercount a table whose vectors live in TOAST: the rows decide. */
	int workers = 0;
	for (double threshold = 10000; rows >= threshold; threshold *= 3)
		workers++;
	return Min(workers, max_parallel_maintenance_workers);
}

bool IvfAssignParallel(IvfBuildState *bs, Relation heap, IndexInfo *info, int workers,
                       double *heap_tuples)
{
	EnterParallelMode();
	ParallelContext *pcxt =
	    CreateParallelContext("vecrbac", "vecrbac_ivfflat_parallel_build_main", workers);

	Snapshot snapshot =
	    info->ii_Concurrent ? RegisterSnapshot(GetTransactionSnapshot()) : SnapshotAny;
	Size build_size =
	    BUFFERALIGN(sizeof(IvfParallelBuild)) + table_parallelscan_estimate(heap, snapshot);
	Size query_len = debug_query_string ? strlen(debug_query_string) : 0;
	shm_toc_estimate_chunk(&pcxt->estimator, build_size);
	shm_toc_estimate_chunk(&pcxt->estimator, query_len + 1);
	shm_toc_estimate_keys(&pcxt->estimator, 2);
	InitializeParallelDSM(pcxt);

	bool launched = false;
	if (pcxt->seg != NULL)
	{
		IvfParallelBuild *pb = (IvfParallelBuild *)shm_toc_allocate(pcxt->toc, build_size);
		pb->heap_oid = RelationGetRelid(heap);
		pb->index_oid = RelationGetRelid(bs->index);
		pb->concurrent = info->ii_Concurrent;
		SpinLockInit(&pb->mutex);
		pb->heap_tuples = 0;
		pb->index_tuples = 0;
		table_parallelscan_initialize(heap, parallel_scan_of(pb), snapshot);
		shm_toc_insert(pcxt->toc, IVFFLAT_KEY_BUILD, pb);

		char *query = (char *)shm_toc_allocate(pcxt->toc, query_len + 1);
		if (query_len > 0)
			memcpy(query, debug_query_string, query_len);
		query[query_len] = '\0';
		shm_toc_insert(pcxt->toc, IVFFLAT_KEY_QUERY_TEXT, query);

		LaunchParallelWorkers(pcxt);
		if (pcxt->nworkers_launched > 0)
		{
			ereport(DEBUG1, (errmsg("using %d parallel workers", pcxt->nworkers_launched)));
			participate(pb, heap, bs->index, true, bs);
			launched = true;
		}
		WaitForParallelWorkersToFinish(pcxt);
		if (launched)
		{
			*heap_tuples = pb->heap_tuples;
			bs->index_tuples = pb->index_tuples;
		}
	}

	if (IsMVCCSnapshot(snapshot))
		UnregisterSnapshot(snapshot);
	DestroyParallelContext(pcxt);
	ExitParallelMode();
	return launched;
}

/* Entry point of a parallel build worker, found by name in the library. */
VECRBAC_EXPORT void vecrbac_ivfflat_parallel_build_main(dsm_segment *seg, shm_toc *toc);

void vecrbac_ivfflat_parallel_build_main(dsm_segment *seg, shm_toc *toc)
{
	IvfParallelBuild *pb = (IvfParallelBuild *)shm_toc_lookup(toc, IVFFLAT_KEY_BUILD, false);
	char *query = (char *)shm_toc_lookup(toc, IVFFLAT_KEY_QUERY_TEXT, true);

	debug_query_string = query;
	pgstat_report_activity(STATE_RUNNING, debug_query_string);

	/* The locks btree's workers take; group locking makes them compatible with the leader's. */
	LOCKMODE heap_mode = pb->concurrent ? ShareUpdateExclusiveLock : ShareLock;
	LOCKMODE index_mode = pb->concurrent ? RowExclusiveLock : AccessExclusiveLock;
	Relation heap = table_open(pb->heap_oid, heap_mode);
	Relation index = index_open(pb->index_oid, index_mode);

	participate(pb, heap, index, false, NULL);

	index_close(index, index_mode);
	table_close(heap, heap_mode);
}

/*
 * ivfflat_build_parallel.cpp: the assignment phase of CREATE INDEX with parallel
 * workers.
 *
 * Once the leader has written the lists (centers and one empty entry page each), the
 * leader and its workers scan the table in parallel (a parallel table scan hands out
 * blocks) and each appends its rows to chains of its own: the leader to the lists'
 * chains, each worker to chains it starts for each list at its first row there. No
 * two participants write to one page (only the relation extension lock, which covers
 * new pages, is shared): appending to shared chains, each participant locked and
 * followed the pages the others had just filled, and the three participants of a
 * 2-worker build used 1.6 times the CPU of a serial assignment. New pages come from a
 * reserve each participant fills 32 at a time (IvfNewBuffer). Each worker leaves
 * its chains' first and last pages in shared memory; the leader links them after its
 * own, list by list, and then points every list at its chain's end
 * (ivfflat_build.cpp). Pages are still not WAL-logged: the build logs them all at its
 * end, after the workers are gone.
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
#define IVFFLAT_KEY_CHAINS UINT64CONST(0xA000000000000013)

/* A worker's chains of one list, for the leader to link. */
typedef struct IvfWorkerChains
{
	BlockNumber entry_head;
	BlockNumber entry_tail;
	BlockNumber key_head;
	BlockNumber key_tail;
} IvfWorkerChains;

typedef struct IvfParallelBuild
{
	Oid heap_oid;
	Oid index_oid;
	bool concurrent;
	slock_t mutex;
	double heap_tuples; /* summed by the participants */
	double index_tuples;
	int lists;
	int workers; /* planned: the chains array has this many rows of `lists` */
	             /* then, BUFFERALIGN'd, the parallel table scan */
} IvfParallelBuild;

inline ParallelTableScanDesc parallel_scan_of(IvfParallelBuild *pb)
{
	return (ParallelTableScanDesc)((char *)pb + BUFFERALIGN(sizeof(IvfParallelBuild)));
}

/* One participant's share of the table; a worker leaves its chains in `chains`. */
void participate(IvfParallelBuild *pb, IvfWorkerChains *chains, Relation heap, Relation index,
                 bool is_leader, IvfBuildState *leader_state)
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
		if (bs->lists != pb->lists)
			elog(ERROR, "ivfflat parallel build: %d lists, the leader wrote %d", bs->lists,
			     pb->lists);
		Size n = sizeof(BlockNumber) * Max(bs->lists, 1);
		bs->insert_page = (BlockNumber *)palloc(n);
		bs->key_insert_page = (BlockNumber *)palloc(n);
		bs->own_entry_head = (BlockNumber *)palloc(n);
		bs->own_key_head = (BlockNumber *)palloc(n);
		for (int i = 0; i < bs->lists; i++)
			bs->insert_page[i] = bs->key_insert_page[i] = bs->own_entry_head[i] =
			    bs->own_key_head[i] = InvalidBlockNumber;
		bs->tuple_context = AllocSetContextCreate(CurrentMemoryContext, "ivfflat build tuple",
		                                          ALLOCSET_DEFAULT_SIZES);
	}
	double before = bs->index_tuples;
	IvfPageReserve reserve;
	reserve.next = reserve.count = 0;
	bs->reserve = &reserve;

	IndexInfo *info = BuildIndexInfo(index);
	info->ii_Concurrent = pb->concurrent;
	TableScanDesc scan = table_beginscan_parallel(heap, parallel_scan_of(pb));
	double heap_tuples = table_index_build_scan(heap, index, info, true, is_leader,
	                                            IvfAssignCallback, (void *)bs, scan);

	if (!is_leader)
	{
		IvfWorkerChains *mine = chains + (Size)ParallelWorkerNumber * pb->lists;
		for (int i = 0; i < bs->lists; i++)
		{
			mine[i].entry_head = bs->own_entry_head[i];
			mine[i].entry_tail = bs->insert_page[i];
			mine[i].key_head = bs->own_key_head[i];
			mine[i].key_tail = bs->key_insert_page[i];
		}
	}

	bs->reserve = NULL; /* the leader's state outlives this frame */

	SpinLockAcquire(&pb->mutex);
	pb->heap_tuples += heap_tuples;
	pb->index_tuples += bs->index_tuples - before;
	SpinLockRelease(&pb->mutex);
}

/* Points page `tail` of the build's fork at `head`, the next chain's first page. */
void link_chain(IvfBuildState *bs, BlockNumber tail, BlockNumber head)
{
	Buffer buf = ReadBufferExtended(bs->index, bs->fork, tail, RBM_NORMAL, NULL);
	LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
	IvfPageOpaque op = IvfPageGetOpaque(BufferGetPage(buf));
	if (BlockNumberIsValid(op->nextblkno))
		elog(ERROR, "ivfflat index \"%s\": chain page %u is not the last of its chain",
		     RelationGetRelationName(bs->index), tail);
	op->nextblkno = head;
	MarkBufferDirty(buf);
	UnlockReleaseBuffer(buf);
}

/* Appends each worker's chains to the leader's, list by list. */
void link_worker_chains(IvfBuildState *bs, const IvfWorkerChains *chains, int workers)
{
	for (int w = 0; w < workers; w++)
		for (int i = 0; i < bs->lists; i++)
		{
			const IvfWorkerChains *c = chains + (Size)w * bs->lists + i;
			if (!BlockNumberIsValid(c->entry_head))
				continue; /* no row of this worker went to this list, or not launched */
			link_chain(bs, bs->insert_page[i], c->entry_head);
			bs->insert_page[i] = c->entry_tail;
			if (BlockNumberIsValid(c->key_head))
			{
				link_chain(bs, bs->key_insert_page[i], c->key_head);
				bs->key_insert_page[i] = c->key_tail;
			}
		}
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

	/*
	 * The heap's pages undercount a table whose vectors live in TOAST: the rows decide
	 * (pgvector's planner-only count gives such a table of 60,000 rows no worker; here
	 * 2 workers build it faster than none: docs/performance.md).
	 */
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
	Size chains_size = sizeof(IvfWorkerChains) * (Size)workers * Max(bs->lists, 1);
	shm_toc_estimate_chunk(&pcxt->estimator, chains_size);
	shm_toc_estimate_keys(&pcxt->estimator, 3);
	InitializeParallelDSM(pcxt);

	bool launched = false;
	IvfWorkerChains *chains = NULL;
	if (pcxt->seg != NULL)
	{
		IvfParallelBuild *pb = (IvfParallelBuild *)shm_toc_allocate(pcxt->toc, build_size);
		pb->heap_oid = RelationGetRelid(heap);
		pb->index_oid = RelationGetRelid(bs->index);
		pb->concurrent = info->ii_Concurrent;
		SpinLockInit(&pb->mutex);
		pb->heap_tuples = 0;
		pb->index_tuples = 0;
		pb->lists = bs->lists;
		pb->workers = workers;
		table_parallelscan_initialize(heap, parallel_scan_of(pb), snapshot);
		shm_toc_insert(pcxt->toc, IVFFLAT_KEY_BUILD, pb);

		char *query = (char *)shm_toc_allocate(pcxt->toc, query_len + 1);
		if (query_len > 0)
			memcpy(query, debug_query_string, query_len);
		query[query_len] = '\0';
		shm_toc_insert(pcxt->toc, IVFFLAT_KEY_QUERY_TEXT, query);

		chains = (IvfWorkerChains *)shm_toc_allocate(pcxt->toc, chains_size);
		for (Size i = 0; i < (Size)workers * bs->lists; i++)
			chains[i].entry_head = chains[i].entry_tail = chains[i].key_head = chains[i].key_tail =
			    InvalidBlockNumber;
		shm_toc_insert(pcxt->toc, IVFFLAT_KEY_CHAINS, chains);

		LaunchParallelWorkers(pcxt);
		if (pcxt->nworkers_launched > 0)
		{
			ereport(DEBUG1, (errmsg("using %d parallel workers", pcxt->nworkers_launched)));
			participate(pb, chains, heap, bs->index, true, bs);
			launched = true;
		}
		WaitForParallelWorkersToFinish(pcxt);
		if (launched)
		{
			*heap_tuples = pb->heap_tuples;
			bs->index_tuples = pb->index_tuples;
			link_worker_chains(bs, chains, workers);
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
	IvfWorkerChains *chains = (IvfWorkerChains *)shm_toc_lookup(toc, IVFFLAT_KEY_CHAINS, false);

	debug_query_string = query;
	pgstat_report_activity(STATE_RUNNING, debug_query_string);

	/* The locks btree's workers take; group locking makes them compatible with the leader's. */
	LOCKMODE heap_mode = pb->concurrent ? ShareUpdateExclusiveLock : ShareLock;
	LOCKMODE index_mode = pb->concurrent ? RowExclusiveLock : AccessExclusiveLock;
	Relation heap = table_open(pb->heap_oid, heap_mode);
	Relation index = index_open(pb->index_oid, index_mode);

	if (ParallelWorkerNumber < 0 || ParallelWorkerNumber >= pb->workers)
		elog(ERROR, "ivfflat parallel build: worker number %d of %d", ParallelWorkerNumber,
		     pb->workers);
	participate(pb, chains, heap, index, false, NULL);

	index_close(index, index_mode);
	table_close(heap, heap_mode);
}

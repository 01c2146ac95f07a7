/*
 * hnsw_build.cpp: CREATE INDEX for hnsw.
 *
 * Phases (shown in pg_stat_progress_create_index):
 *   loading tuples       the heap is scanned and every vector inserted into an
 *                        in-memory graph (hnsw_memgraph.cpp), within
 *                        maintenance_work_mem;
 *   writing index pages  element and neighbor tuples are laid out page by page in
 *                        insertion order, links translated from arena offsets to TIDs.
 * If the graph outgrows maintenance_work_mem, what is built so far is written out
 * and the remaining tuples are inserted on disk one by one (slower; a NOTICE says so).
 *
 * Parallel build: when the planner grants workers (max_parallel_maintenance_workers,
 * table size) and the graph is expected to fit in maintenance_work_mem, the arena
 * lives in dynamic shared memory and the leader and its workers scan the table in
 * parallel, each inserting into the one shared graph (locking in hnsw_memgraph.h).
 * If the shared arena fills up anyway, the leader says so and builds serially.
 *
 * WAL: nothing is logged page by page during the build. At the end, if the relation
 * needs WAL, every page is logged as a full image (log_newpage_range), so crash
 * recovery and standbys get the finished index in one piece.
 */
#include "hnsw/hnsw.h"
#include "hnsw/hnsw_directory.h"
#include "hnsw/hnsw_filter.h"
#include "hnsw/hnsw_memgraph.h"
#include "pg/wait_point.h"

extern "C"
{
#include "access/parallel.h"
#include "access/relation.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "access/xloginsert.h"
#include "catalog/index.h"
#include "commands/progress.h"
#include "optimizer/optimizer.h"
#include "storage/spin.h"
#include "tcop/tcopprot.h"
#include "utils/snapmgr.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "storage/bufmgr.h"
#include "utils/memutils.h"
#include "utils/rel.h"
}

#include <cstring>

namespace
{

struct BuildState
{
	Relation heap;
	Relation index;
	ForkNumber fork;
	HnswDistance dist;
	HnswColumns cols;
	HnswMemGraph graph;
	bool on_disk;  /* the arena filled up: inserting page by page now */
	bool parallel; /* a participant of a parallel build: never goes on disk */
	bool is_leader;
	int m;
	int ef_construction;
	int dimensions;
	double index_tuples;
	MemoryContext tuple_context;
};

/* Page space an item of `size` bytes consumes, as PageAddItem counts it. */
inline Size item_cost(Size size)
{
	return MAXALIGN(size) + sizeof(ItemIdData);
}

const Size kEmptyPageSpace = BLCKSZ - SizeOfPageHeaderData - MAXALIGN(sizeof(HnswPageOpaqueData));

/* Lays out elements page by page: decides each tuple's TID before any page is written. */
struct Placer
{
	BlockNumber block;
	Size free;
	OffsetNumber next_offset;

	void start_page()
	{
		block++;
		free = kEmptyPageSpace;
		next_offset = FirstOffsetNumber;
	}

	void place(Size cost, ItemPointer tid)
	{
		if (free < cost)
			start_page();
		ItemPointerSet(tid, block, next_offset);
		next_offset++;
		free -= cost;
	}
};

/* Writes one finished page image as the next block of the index. */
void write_page(BuildState *bs, Page image, BlockNumber expected)
{
	Buffer buf = HnswNewBuffer(bs->index, bs->fork);
	if (BufferGetBlockNumber(buf) != expected)
		elog(ERROR, "hnsw build: expected block %u, got %u", expected, BufferGetBlockNumber(buf));
	memcpy(BufferGetPage(buf), image, BLCKSZ);
	MarkBufferDirty(buf);
	UnlockReleaseBuffer(buf);
}

void add_item(Page page, const void *item, Size size, ItemPointer expected)
{
	OffsetNumber off = PageAddItem(page, (Item)item, size, InvalidOffsetNumber, false, false);
	if (off != ItemPointerGetOffsetNumber(expected))
		elog(ERROR, "hnsw build: tuple landed at offset %u, expected %u", off,
		     ItemPointerGetOffsetNumber(expected));
}

/* Per partition value while laying out pages: the directory entry being built. */
struct PartitionSlot
{
	int64 key; /* hash key: must be first */
	HnswDirEntryData entry;
};

/* Writes the in-memory graph to pages after block 0, then the partition directory. */
void flush_graph(BuildState *bs)
{
	HnswMemGraph *g = &bs->graph;
	const HnswColumns *cols = &bs->cols;

	pgstat_progress_update_param(PROGRESS_CREATEIDX_SUBPHASE, HNSW_PHASE_WRITE);
	VECRBAC_WAIT_POINT("build-write");

	/* Pass 1: decide where every tuple goes, and chain each partition value's elements. */
	HTAB *partitions = NULL;
	if (cols->partition >= 0)
	{
		HASHCTL ctl;
		ctl.keysize = sizeof(int64);
		ctl.entrysize = sizeof(PartitionSlot);
		ctl.hcxt = CurrentMemoryContext;
		partitions =
		    hash_create("hnsw build partitions", 1024, &ctl, HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	}
	Placer placer = {0, 0, FirstOffsetNumber};
	placer.start_page();
	for (HnswMemRef ref = HnswMemNext(g, 0); ref != 0; ref = HnswMemNext(g, ref))
	{
		HnswMemElement *e = HnswMemGet(g, ref);
		Size ecost = item_cost(HnswElementTupleSize(bs->dimensions, e->filter_bytes));
		Size ncost = item_cost(HnswNeighborTupleSize(e->level, bs->m, g->value_slots));

		if (placer.free < ecost + ncost && ecost + ncost <= kEmptyPageSpace)
			placer.start_page(); /* keep an element and its links on one page */
		placer.place(ecost, &e->etid);
		placer.place(ncost, &e->ntid);

		int64 key;
		if (partitions != NULL && HnswPartitionKey(cols, HnswMemFilters(e), &key))
		{
			bool found;
			PartitionSlot *p = (PartitionSlot *)hash_search(partitions, &key, HASH_ENTER, &found);
			if (!found)
			{
				memset(&p->entry, 0, sizeof(p->entry));
				p->entry.key = key;
				ItemPointerSetInvalid(&p->entry.head);
				ItemPointerSetInvalid(&p->entry.entry);
			}
			e->chain_next = p->entry.head;
			p->entry.head = e->etid;
			p->entry.count++;
			HnswDirOfferSeed(&p->entry, &e->etid, e->level);
		}
	}

	/* Pass 2: fill the pages in the same order. */
	PGAlignedBlock image;
	Page page = (Page)image.data;
	BlockNumber current = 1;
	HnswInitPage(page, HNSW_PAGE_DATA);
	HnswElementTuple etup = (HnswElementTuple)palloc0(BLCKSZ);
	HnswNeighborTuple ntup =
	    (HnswNeighborTuple)palloc0(HnswNeighborTupleSize(g->max_level, bs->m, g->value_slots));
	uint64 written = 0;
	bool any = false;

	for (HnswMemRef ref = HnswMemNext(g, 0); ref != 0; ref = HnswMemNext(g, ref))
	{
		HnswMemElement *e = HnswMemGet(g, ref);
		Size esize = HnswElementTupleSize(bs->dimensions, e->filter_bytes);
		any = true;

		memset(etup, 0, esize);
		etup->type = HNSW_ELEMENT_TUPLE;
		etup->level = e->level;
		etup->filter_bytes = (uint16)e->filter_bytes;
		for (int i = 0; i < HNSW_HEAPTIDS; i++)
		{
			if (i < e->nheaptids)
				etup->heaptids[i] = e->heaptids[i];
			else
				ItemPointerSetInvalid(&etup->heaptids[i]);
		}
		etup->neighbortid = e->ntid;
		etup->chain_next = e->chain_next;
		memcpy(etup->data, HnswMemVector(e), VECTOR_SIZE(bs->dimensions));
		if (e->filter_bytes > 0)
			memcpy(HnswElementFilters(etup, bs->dimensions), HnswMemFilters(e), e->filter_bytes);

		Size nsize = HnswNeighborTupleSize(e->level, bs->m, g->value_slots);
		memset(ntup, 0, nsize);
		ntup->type = HNSW_NEIGHBOR_TUPLE;
		ntup->level = e->level;
		ntup->slots = (uint16)((e->level + 2) * bs->m + g->value_slots);
		ntup->element = e->etid;
		for (int i = 0; i < ntup->slots; i++)
			ItemPointerSetInvalid(&ntup->links[i]);
		for (int l = (g->value_slots > 0 ? HNSW_VALUE_LEVEL : 0); l <= e->level; l++)
		{
			int start, slots;
			HnswLinkRange(e->level, l, bs->m, g->value_slots, &start, &slots);
			const HnswMemRef *links = HnswMemLinks(e, l, bs->m);
			for (int i = 0; i < *HnswMemCount(e, l); i++)
				ntup->links[start + i] = HnswMemGet(g, links[i])->etid;
		}

		const ItemPointerData *tids[2] = {&e->etid, &e->ntid};
		const void *items[2] = {etup, ntup};
		Size sizes[2] = {esize, nsize};
		for (int t = 0; t < 2; t++)
		{
			BlockNumber blk = ItemPointerGetBlockNumber(tids[t]);
			if (blk != current)
			{
				write_page(bs, page, current);
				current = blk;
				HnswInitPage(page, HNSW_PAGE_DATA);
			}
			add_item(page, items[t], sizes[t], (ItemPointer)tids[t]);
		}
		if (++written % 1000 == 0)
			CHECK_FOR_INTERRUPTS();
	}
	if (any)
		write_page(bs, page, current);
	pfree(etup);
	pfree(ntup);

	/* The partition directory, sized for the values there are. */
	BlockNumber dir_start = InvalidBlockNumber;
	uint32 dir_pages = 0;
	if (partitions != NULL)
	{
		long n = hash_get_num_entries(partitions);
		HnswDirEntryData *entries =
		    (HnswDirEntryData *)palloc(sizeof(HnswDirEntryData) * Max(n, 1));
		HASH_SEQ_STATUS seq;
		hash_seq_init(&seq, partitions);
		int i = 0;
		for (PartitionSlot *p; (p = (PartitionSlot *)hash_seq_search(&seq)) != NULL;)
			entries[i++] = p->entry;
		dir_pages = HnswDirPagesFor((double)n);
		dir_start = HnswDirWrite(bs->index, bs->fork, entries, (int)n, dir_pages);
		pfree(entries);
		hash_destroy(partitions);
	}

	/* Point the metapage at the entry point and the directory. */
	Buffer metabuf = ReadBufferExtended(bs->index, bs->fork, HNSW_METAPAGE_BLKNO, RBM_NORMAL, NULL);
	LockBuffer(metabuf, BUFFER_LOCK_EXCLUSIVE);
	HnswMetaPage meta = HnswPageGetMeta(BufferGetPage(metabuf));
	if (any)
	{
		meta->entry = HnswMemGet(g, g->shared->entry)->etid;
		meta->entry_level = (int16)g->shared->entry_level;
	}
	meta->dir_start = dir_start;
	meta->dir_pages = dir_pages;
	meta->value_slots = (uint16)g->value_slots;
	MarkBufferDirty(metabuf);
	UnlockReleaseBuffer(metabuf);
}

void build_callback(Relation index, ItemPointer tid, Datum *values, bool *isnull, bool alive,
                    void *state)
{
	BuildState *bs = (BuildState *)state;
	int vcol = bs->cols.vector_column;

	if (isnull[vcol])
		return;

	MemoryContext old = MemoryContextSwitchTo(bs->tuple_context);
	Vector *value = HnswPrepareValue(&bs->dist, values[vcol], false);

	if (value != NULL)
	{
		Size filter_bytes = HnswEncodeFilters(&bs->cols, values, isnull, NULL);
		char *filters = (char *)palloc(Max(filter_bytes, 1));
		HnswEncodeFilters(&bs->cols, values, isnull, filters);

		if (!bs->on_disk)
		{
			HnswMemInsertResult r = HnswMemInsert(&bs->graph, value, filters, filter_bytes, tid);
			if (r == HNSW_MEM_FULL && !bs->parallel)
			{
				ereport(
				    NOTICE,
				    (errmsg("hnsw graph no longer fits into maintenance_work_mem after %.0f tuples",
				            bs->index_tuples),
				     errdetail("Building will take significantly more time."),
				     errhint("Increase maintenance_work_mem to speed up builds.")));
				MemoryContextSwitchTo(old);
				HnswMemBuildValueLinks(&bs->graph);
				HnswMemConnectUnreachable(&bs->graph);
				flush_graph(bs);
				pfree(bs->graph.base);
				bs->graph.base = NULL;
				bs->on_disk = true;
				pgstat_progress_update_param(PROGRESS_CREATEIDX_SUBPHASE, HNSW_PHASE_LOAD);
				MemoryContextSwitchTo(bs->tuple_context);
			}
		}
		/* In a parallel build a full arena just stops insertion; the leader starts over. */
		if (bs->on_disk)
		{
			HnswInsertOnDisk(bs->index, &bs->dist, &bs->cols, value, filters, filter_bytes, tid,
			                 true);
			VECRBAC_WAIT_POINT("build-insert-on-disk");
		}
		bs->index_tuples++;
		if (bs->is_leader)
			pgstat_progress_update_param(
			    PROGRESS_CREATEIDX_TUPLES_DONE,
			    bs->on_disk ? (int64)bs->index_tuples
			                : (int64)pg_atomic_read_u64(&bs->graph.shared->inserted));
	}

	MemoryContextSwitchTo(old);
	MemoryContextReset(bs->tuple_context);
}

/* Checks the indexed columns and the options, with pgvector's messages. */
void check_index_definition(Relation index, HnswColumns *cols, int *dimensions, int *m,
                            int *ef_construction)
{
	HnswInitColumns(cols, index);
	*dimensions = TupleDescAttr(RelationGetDescr(index), cols->vector_column)->atttypmod;
	if (*dimensions < 0)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
		                errmsg("column does not have dimensions")));
	if (*dimensions > HNSW_MAX_DIM)
		ereport(ERROR, (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
		                errmsg("column cannot have more than %d dimensions for hnsw index",
		                       HNSW_MAX_DIM)));
	*m = HnswGetM(index);
	*ef_construction = HnswGetEfConstruction(index);
	if (*ef_construction < 2 * *m)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
		                errmsg("ef_construction must be greater than or equal to 2 * m")));
}

/* Writes an empty metapage as block 0 of the given fork. */
void write_metapage(Relation index, ForkNumber fork, const HnswColumns *cols, int dimensions, int m,
                    int ef_construction, bool log)
{
	Buffer buf = HnswNewBuffer(index, fork);
	Assert(BufferGetBlockNumber(buf) == HNSW_METAPAGE_BLKNO);
	START_CRIT_SECTION();
	HnswInitMetaPage(BufferGetPage(buf), dimensions, m, ef_construction);
	HnswMetaPage meta = HnswPageGetMeta(BufferGetPage(buf));
	meta->vector_column = (uint16)cols->vector_column;
	meta->filter_columns = (uint16)cols->nfilters;
	meta->value_slots = (uint16)HnswValueSlots(m, cols->partition >= 0);
	MarkBufferDirty(buf);
	if (log)
		log_newpage_buffer(buf, true);
	END_CRIT_SECTION();
	UnlockReleaseBuffer(buf);
}

/* ---- parallel build ------------------------------------------------------------------ */

/*
 * How many workers to ask for. PostgreSQL sizes parallel index builds by the
 * table's heap pages, but vectors of more than ~500 dimensions live in TOAST, so
 * the heap of a large vector table is tiny (60,000 x 784 dimensions: 442 pages)
 * while the graph is the expensive part. So: the planner's answer when it allows
 * workers or when the index has expressions or a predicate (its safety checks
 * decide), else one worker from 10,000 rows and one more each time the row count
 * triples, within max_parallel_maintenance_workers and 32 MB of
 * maintenance_work_mem per participant, as the planner would cap it.
 */
int build_workers(Relation heap, Relation index, double expected)
{
	int planned = plan_create_index_workers(RelationGetRelid(heap), RelationGetRelid(index));
	if (planned > 0 || max_parallel_maintenance_workers == 0 ||
	    heap->rd_rel->relpersistence == RELPERSISTENCE_TEMP ||
	    RelationGetIndexExpressions(index) != NIL || RelationGetIndexPredicate(index) != NIL)
		return planned;
	if (heap->rd_options != NULL && ((StdRdOptions *)heap->rd_options)->parallel_workers >= 0)
		return Min(((StdRdOptions *)heap->rd_options)->parallel_workers,
		           max_parallel_maintenance_workers);

	int workers = 0;
	for (double threshold = 10000; expected >= threshold; threshold *= 3)
		workers++;
	workers = Min(workers, max_parallel_maintenance_workers);
	while (workers > 0 && maintenance_work_mem / (workers + 1) < 32768L)
		workers--;
	return workers;
}

#define HNSW_KEY_BUILD UINT64CONST(0xA000000000000001)
#define HNSW_KEY_GRAPH UINT64CONST(0xA000000000000002)
#define HNSW_KEY_QUERY_TEXT UINT64CONST(0xA000000000000003)

/* What the leader tells its workers; the table's parallel scan state follows it. */
typedef struct HnswParallelBuild
{
	Oid heap_oid;
	Oid index_oid;
	bool concurrent;
	slock_t mutex;
	double heap_tuples; /* summed by the participants */
	double index_tuples;
} HnswParallelBuild;

inline ParallelTableScanDesc parallel_scan_of(HnswParallelBuild *pb)
{
	return (ParallelTableScanDesc)((char *)pb + BUFFERALIGN(sizeof(HnswParallelBuild)));
}

inline char *arena_of(HnswMemShared *shared)
{
	return (char *)shared + MAXALIGN(sizeof(HnswMemShared));
}

/* One participant's share: attach to the shared graph, scan its part of the table. */
void participate(HnswParallelBuild *pb, HnswMemShared *graph_shared, Relation heap, Relation index,
                 bool is_leader)
{
	BuildState bs;
	memset(&bs, 0, sizeof(bs));
	bs.heap = heap;
	bs.index = index;
	bs.fork = MAIN_FORKNUM;
	bs.parallel = true;
	bs.is_leader = is_leader;
	check_index_definition(index, &bs.cols, &bs.dimensions, &bs.m, &bs.ef_construction);
	HnswInitDistance(&bs.dist, index);
	bs.tuple_context =
	    AllocSetContextCreate(CurrentMemoryContext, "hnsw build tuple", ALLOCSET_DEFAULT_SIZES);
	HnswMemAttach(&bs.graph, graph_shared, arena_of(graph_shared), &bs.dist, &bs.cols, bs.m,
	              bs.ef_construction, bs.dimensions);

	IndexInfo *info = BuildIndexInfo(index);
	info->ii_Concurrent = pb->concurrent;
	TableScanDesc scan = table_beginscan_parallel(heap, parallel_scan_of(pb));
	double heap_tuples = table_index_build_scan(heap, index, info, true, is_leader, build_callback,
	                                            (void *)&bs, scan);

	SpinLockAcquire(&pb->mutex);
	pb->heap_tuples += heap_tuples;
	pb->index_tuples += bs.index_tuples;
	SpinLockRelease(&pb->mutex);
	MemoryContextDelete(bs.tuple_context);
}

/*
 * Builds the graph with parallel workers into a shared arena, then copies it into
 * local memory for the write phase (bs->graph). Returns false if the arena filled
 * up or no shared memory was to be had; nothing is kept then.
 */
bool build_parallel(BuildState *bs, IndexInfo *info, int workers, Size arena_bytes,
                    double *heap_tuples)
{
	EnterParallelMode();
	ParallelContext *pcxt =
	    CreateParallelContext("vecrbac", "vecrbac_hnsw_parallel_build_main", workers);

	Snapshot snapshot =
	    info->ii_Concurrent ? RegisterSnapshot(GetTransactionSnapshot()) : SnapshotAny;
	Size build_size =
	    BUFFERALIGN(sizeof(HnswParallelBuild)) + table_parallelscan_estimate(bs->heap, snapshot);
	Size graph_size = MAXALIGN(sizeof(HnswMemShared)) + arena_bytes;
	Size query_len = debug_query_string ? strlen(debug_query_string) : 0;
	shm_toc_estimate_chunk(&pcxt->estimator, build_size);
	shm_toc_estimate_chunk(&pcxt->estimator, graph_size);
	shm_toc_estimate_chunk(&pcxt->estimator, query_len + 1);
	shm_toc_estimate_keys(&pcxt->estimator, 3);
	InitializeParallelDSM(pcxt);
	if (pcxt->seg == NULL)
	{
		if (IsMVCCSnapshot(snapshot))
			UnregisterSnapshot(snapshot);
		DestroyParallelContext(pcxt);
		ExitParallelMode();
		return false;
	}

	HnswParallelBuild *pb = (HnswParallelBuild *)shm_toc_allocate(pcxt->toc, build_size);
	pb->heap_oid = RelationGetRelid(bs->heap);
	pb->index_oid = RelationGetRelid(bs->index);
	pb->concurrent = info->ii_Concurrent;
	SpinLockInit(&pb->mutex);
	pb->heap_tuples = 0;
	pb->index_tuples = 0;
	table_parallelscan_initialize(bs->heap, parallel_scan_of(pb), snapshot);
	shm_toc_insert(pcxt->toc, HNSW_KEY_BUILD, pb);

	HnswMemShared *graph_shared = (HnswMemShared *)shm_toc_allocate(pcxt->toc, graph_size);
	HnswMemInitShared(graph_shared, arena_of(graph_shared), arena_bytes);
	shm_toc_insert(pcxt->toc, HNSW_KEY_GRAPH, graph_shared);

	char *query = (char *)shm_toc_allocate(pcxt->toc, query_len + 1);
	if (query_len > 0)
		memcpy(query, debug_query_string, query_len);
	query[query_len] = '\0';
	shm_toc_insert(pcxt->toc, HNSW_KEY_QUERY_TEXT, query);

	LaunchParallelWorkers(pcxt);
	participate(pb, graph_shared, bs->heap, bs->index, true);
	WaitForParallelWorkersToFinish(pcxt);

	bool full = pg_atomic_read_u32(&graph_shared->full) != 0;
	if (!full)
	{
		/* The write phase runs in the leader alone: the graph moves to local memory. */
		Size used = pg_atomic_read_u64(&graph_shared->used);
		HnswMemInitLocal(&bs->graph, &bs->dist, &bs->cols, bs->m, bs->ef_construction,
		                 bs->dimensions, used, 1);
		pfree(bs->graph.base);
		bs->graph.base = (char *)MemoryContextAllocHuge(CurrentMemoryContext, used);
		memcpy(bs->graph.base, arena_of(graph_shared), used);
		HnswMemShared *local = bs->graph.shared;
		pg_atomic_write_u64(&local->used, used);
		pg_atomic_write_u32(&local->next_id, pg_atomic_read_u32(&graph_shared->next_id));
		pg_atomic_write_u64(&local->inserted, pg_atomic_read_u64(&graph_shared->inserted));
		pg_atomic_write_u64(&local->duplicates, pg_atomic_read_u64(&graph_shared->duplicates));
		local->entry = graph_shared->entry;
		local->entry_level = graph_shared->entry_level;
		local->capacity = used;
		bs->graph.can_grow = false;
		bs->index_tuples = pb->index_tuples;
		*heap_tuples = pb->heap_tuples;
	}

	if (IsMVCCSnapshot(snapshot))
		UnregisterSnapshot(snapshot);
	DestroyParallelContext(pcxt);
	ExitParallelMode();
	return !full;
}

} // namespace

IndexBuildResult *hnsw_build(Relation heap, Relation index, IndexInfo *info)
{
	BuildState bs;
	memset(&bs, 0, sizeof(bs));

	if (RelationGetNumberOfBlocks(index) != 0)
		elog(ERROR, "index \"%s\" already contains data", RelationGetRelationName(index));

	bs.heap = heap;
	bs.index = index;
	bs.fork = MAIN_FORKNUM;
	bs.is_leader = true;
	check_index_definition(index, &bs.cols, &bs.dimensions, &bs.m, &bs.ef_construction);
	HnswInitDistance(&bs.dist, index);

	MemoryContext build_context =
	    AllocSetContextCreate(CurrentMemoryContext, "hnsw build", ALLOCSET_DEFAULT_SIZES);
	MemoryContext old = MemoryContextSwitchTo(build_context);
	bs.tuple_context =
	    AllocSetContextCreate(build_context, "hnsw build tuple", ALLOCSET_DEFAULT_SIZES);

	write_metapage(index, bs.fork, &bs.cols, bs.dimensions, bs.m, bs.ef_construction, false);

	double expected = heap->rd_rel->reltuples > 0 ? heap->rd_rel->reltuples : 0;
	Size limit = (Size)maintenance_work_mem * 1024;
	pgstat_progress_update_param(PROGRESS_CREATEIDX_SUBPHASE, HNSW_PHASE_LOAD);
	if (expected > 0)
		pgstat_progress_update_param(PROGRESS_CREATEIDX_TUPLES_TOTAL, (int64)expected);

	/* Workers only when the planner grants them and the shared graph should fit. */
	double heap_tuples = 0;
	bool built = false;
	Size arena_bytes =
	    (Size)((double)HnswMemExpectedBytes(expected, bs.m, bs.dimensions,
	                                        HnswValueSlots(bs.m, bs.cols.partition >= 0),
	                                        32 * bs.cols.nfilters) *
	           1.25) +
	    (1 << 20);
	int workers = 0;
	if (expected > 0 && arena_bytes <= limit)
		workers = build_workers(heap, index, expected);
	ereport(DEBUG1,
	        (errmsg("hnsw build: %d parallel workers planned for %.0f rows", workers, expected)));
	if (workers > 0)
	{
		built = build_parallel(&bs, info, workers, arena_bytes, &heap_tuples);
		if (!built)
			ereport(
			    NOTICE,
			    (errmsg(
			        "hnsw parallel build did not fit in its shared memory; building serially")));
	}
	if (!built)
	{
		bs.index_tuples = 0;
		HnswMemInitLocal(&bs.graph, &bs.dist, &bs.cols, bs.m, bs.ef_construction, bs.dimensions,
		                 limit, expected);
		heap_tuples = table_index_build_scan(heap, index, info, true, true, build_callback,
		                                     (void *)&bs, NULL);
	}

	if (!bs.on_disk)
	{
		HnswMemBuildValueLinks(&bs.graph);
		HnswMemConnectUnreachable(&bs.graph);
		flush_graph(&bs);
	}

	if (RelationNeedsWAL(index))
		log_newpage_range(index, MAIN_FORKNUM, 0, RelationGetNumberOfBlocks(index), true);

	MemoryContextSwitchTo(old);
	MemoryContextDelete(build_context);

	IndexBuildResult *result = (IndexBuildResult *)palloc(sizeof(IndexBuildResult));
	result->heap_tuples = heap_tuples;
	result->index_tuples = bs.index_tuples;
	return result;
}

void hnsw_buildempty(Relation index)
{
	HnswColumns cols;
	int dimensions, m, ef_construction;

	/* The init fork of an unlogged index: an empty metapage and an empty directory. */
	check_index_definition(index, &cols, &dimensions, &m, &ef_construction);
	write_metapage(index, INIT_FORKNUM, &cols, dimensions, m, ef_construction, false);
	if (cols.partition >= 0)
	{
		uint32 pages = HnswDirPagesFor(0);
		BlockNumber start = HnswDirWrite(index, INIT_FORKNUM, NULL, 0, pages);
		Buffer metabuf =
		    ReadBufferExtended(index, INIT_FORKNUM, HNSW_METAPAGE_BLKNO, RBM_NORMAL, NULL);
		LockBuffer(metabuf, BUFFER_LOCK_EXCLUSIVE);
		HnswMetaPage meta = HnswPageGetMeta(BufferGetPage(metabuf));
		meta->dir_start = start;
		meta->dir_pages = pages;
		MarkBufferDirty(metabuf);
		UnlockReleaseBuffer(metabuf);
	}
	log_newpage_range(index, INIT_FORKNUM, 0, RelationGetNumberOfBlocksInFork(index, INIT_FORKNUM),
	                  true);
}

/* Entry point of a parallel build worker, found by name in the library. */
VECRBAC_EXPORT void vecrbac_hnsw_parallel_build_main(dsm_segment *seg, shm_toc *toc);

void vecrbac_hnsw_parallel_build_main(dsm_segment *seg, shm_toc *toc)
{
	HnswParallelBuild *pb = (HnswParallelBuild *)shm_toc_lookup(toc, HNSW_KEY_BUILD, false);
	HnswMemShared *graph_shared = (HnswMemShared *)shm_toc_lookup(toc, HNSW_KEY_GRAPH, false);
	char *query = (char *)shm_toc_lookup(toc, HNSW_KEY_QUERY_TEXT, true);

	debug_query_string = query;
	pgstat_report_activity(STATE_RUNNING, debug_query_string);

	/* The locks btree's workers take; group locking makes them compatible with the leader's. */
	LOCKMODE heap_mode = pb->concurrent ? ShareUpdateExclusiveLock : ShareLock;
	LOCKMODE index_mode = pb->concurrent ? RowExclusiveLock : AccessExclusiveLock;
	Relation heap = table_open(pb->heap_oid, heap_mode);
	Relation index = index_open(pb->index_oid, index_mode);

	participate(pb, graph_shared, heap, index, false);

	index_close(index, index_mode);
	table_close(heap, heap_mode);
}

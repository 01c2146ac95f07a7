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
 * WAL: nothing is logged page by page during the build. At the end, if the relation
 * needs WAL, every page is logged as a full image (log_newpage_range), so crash
 * recovery and standbys get the finished index in one piece.
 */
#include "hnsw/hnsw.h"
#include "hnsw/hnsw_memgraph.h"

extern "C" {
#include "access/tableam.h"
#include "access/xloginsert.h"
#include "catalog/index.h"
#include "commands/progress.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "storage/bufmgr.h"
#include "utils/memutils.h"
#include "utils/rel.h"
}

#include <cstring>

namespace {

struct BuildState
{
	Relation heap;
	Relation index;
	ForkNumber fork;
	HnswDistance dist;
	HnswMemGraph graph;
	bool on_disk; /* the arena filled up: inserting page by page now */
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
	OffsetNumber off = PageAddItem(page, (Item) item, size, InvalidOffsetNumber, false, false);
	if (off != ItemPointerGetOffsetNumber(expected))
		elog(ERROR, "hnsw build: tuple landed at offset %u, expected %u", off,
			 ItemPointerGetOffsetNumber(expected));
}

/* Writes the in-memory graph to pages after block 0 and points the metapage at it. */
void flush_graph(BuildState *bs)
{
	HnswMemGraph *g = &bs->graph;
	Size esize = HnswElementTupleSize(bs->dimensions, 0);

	pgstat_progress_update_param(PROGRESS_CREATEIDX_SUBPHASE, HNSW_PHASE_WRITE);
	if (g->count == 0)
		return;

	/* Pass 1: decide where every tuple goes. */
	Placer placer = {0, 0, FirstOffsetNumber};
	placer.start_page();
	for (HnswMemRef ref = HnswMemNext(g, 0); ref != 0; ref = HnswMemNext(g, ref))
	{
		HnswMemElement *e = HnswMemGet(g, ref);
		Size ecost = item_cost(esize);
		Size ncost = item_cost(HnswNeighborTupleSize(e->level, bs->m));

		if (placer.free < ecost + ncost && ecost + ncost <= kEmptyPageSpace)
			placer.start_page(); /* keep an element and its links on one page */
		placer.place(ecost, &e->etid);
		placer.place(ncost, &e->ntid);
	}

	/* Pass 2: fill the pages in the same order. */
	PGAlignedBlock image;
	Page page = (Page) image.data;
	BlockNumber current = 1;
	HnswInitPage(page, HNSW_PAGE_DATA);

	HnswElementTuple etup = (HnswElementTuple) palloc0(esize);
	HnswNeighborTuple ntup = (HnswNeighborTuple) palloc0(HnswNeighborTupleSize(g->max_level, bs->m));
	double written = 0;

	for (HnswMemRef ref = HnswMemNext(g, 0); ref != 0; ref = HnswMemNext(g, ref))
	{
		HnswMemElement *e = HnswMemGet(g, ref);

		memset(etup, 0, esize);
		etup->type = HNSW_ELEMENT_TUPLE;
		etup->level = e->level;
		for (int i = 0; i < HNSW_HEAPTIDS; i++)
		{
			if (i < e->nheaptids)
				etup->heaptids[i] = e->heaptids[i];
			else
				ItemPointerSetInvalid(&etup->heaptids[i]);
		}
		etup->neighbortid = e->ntid;
		memcpy(etup->data, HnswMemVector(e), VECTOR_SIZE(bs->dimensions));

		Size nsize = HnswNeighborTupleSize(e->level, bs->m);
		memset(ntup, 0, nsize);
		ntup->type = HNSW_NEIGHBOR_TUPLE;
		ntup->level = e->level;
		ntup->slots = (uint16) ((e->level + 2) * bs->m);
		ntup->element = e->etid;
		for (int i = 0; i < ntup->slots; i++)
			ItemPointerSetInvalid(&ntup->links[i]);
		for (int l = 0; l <= e->level; l++)
		{
			const HnswMemRef *links = HnswMemLinks(e, l, bs->m);
			int start = HnswLevelStart(l, bs->m);
			for (int i = 0; i < HnswMemCounts(e)[l]; i++)
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
			add_item(page, items[t], sizes[t], (ItemPointer) tids[t]);
		}
		if (++written >= 1000 && ((uint64) written % 1000) == 0)
			CHECK_FOR_INTERRUPTS();
	}
	write_page(bs, page, current);
	pfree(etup);
	pfree(ntup);

	/* Point the metapage at the entry point. */
	Buffer metabuf = ReadBufferExtended(bs->index, bs->fork, HNSW_METAPAGE_BLKNO, RBM_NORMAL, NULL);
	LockBuffer(metabuf, BUFFER_LOCK_EXCLUSIVE);
	HnswMetaPage meta = HnswPageGetMeta(BufferGetPage(metabuf));
	meta->entry = HnswMemGet(g, g->entry)->etid;
	meta->entry_level = (int16) g->entry_level;
	meta->insert_page = current;
	MarkBufferDirty(metabuf);
	UnlockReleaseBuffer(metabuf);
}

void build_callback(Relation index, ItemPointer tid, Datum *values, bool *isnull, bool alive,
					void *state)
{
	BuildState *bs = (BuildState *) state;

	if (isnull[0])
		return;

	MemoryContext old = MemoryContextSwitchTo(bs->tuple_context);
	Vector *value = HnswPrepareValue(&bs->dist, values[0], false);

	if (value != NULL)
	{
		if (!bs->on_disk)
		{
			MemoryContextSwitchTo(old);
			HnswMemInsertResult r = HnswMemInsert(&bs->graph, value, tid);
			MemoryContextSwitchTo(bs->tuple_context);
			if (r == HNSW_MEM_FULL)
			{
				ereport(NOTICE,
						(errmsg("hnsw graph no longer fits into maintenance_work_mem after %.0f tuples",
								bs->index_tuples),
						 errdetail("Building will take significantly more time."),
						 errhint("Increase maintenance_work_mem to speed up builds.")));
				MemoryContextSwitchTo(old);
				HnswMemConnectUnreachable(&bs->graph);
				flush_graph(bs);
				pfree(bs->graph.base);
				bs->graph.base = NULL;
				bs->on_disk = true;
				pgstat_progress_update_param(PROGRESS_CREATEIDX_SUBPHASE, HNSW_PHASE_LOAD);
				MemoryContextSwitchTo(bs->tuple_context);
			}
		}
		if (bs->on_disk)
			HnswInsertOnDisk(bs->index, &bs->dist, value, tid, true);
		bs->index_tuples++;
		pgstat_progress_update_param(PROGRESS_CREATEIDX_TUPLES_DONE, (int64) bs->index_tuples);
	}

	MemoryContextSwitchTo(old);
	MemoryContextReset(bs->tuple_context);
}

/* Checks the indexed column and the options, with pgvector's messages. */
void check_index_definition(Relation index, int *dimensions, int *m, int *ef_construction)
{
	*dimensions = TupleDescAttr(RelationGetDescr(index), 0)->atttypmod;
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
void write_metapage(Relation index, ForkNumber fork, int dimensions, int m, int ef_construction,
					bool log)
{
	Buffer buf = HnswNewBuffer(index, fork);
	Assert(BufferGetBlockNumber(buf) == HNSW_METAPAGE_BLKNO);
	START_CRIT_SECTION();
	HnswInitMetaPage(BufferGetPage(buf), dimensions, m, ef_construction);
	MarkBufferDirty(buf);
	if (log)
		log_newpage_buffer(buf, true);
	END_CRIT_SECTION();
	UnlockReleaseBuffer(buf);
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
	check_index_definition(index, &bs.dimensions, &bs.m, &bs.ef_construction);
	HnswInitDistance(&bs.dist, index);

	MemoryContext build_context =
		AllocSetContextCreate(CurrentMemoryContext, "hnsw build", ALLOCSET_DEFAULT_SIZES);
	MemoryContext old = MemoryContextSwitchTo(build_context);
	bs.tuple_context = AllocSetContextCreate(build_context, "hnsw build tuple", ALLOCSET_DEFAULT_SIZES);

	write_metapage(index, bs.fork, bs.dimensions, bs.m, bs.ef_construction, false);

	double expected = heap->rd_rel->reltuples > 0 ? heap->rd_rel->reltuples : 0;
	HnswMemInit(&bs.graph, &bs.dist, bs.m, bs.ef_construction, bs.dimensions,
				(Size) maintenance_work_mem * 1024, expected);

	pgstat_progress_update_param(PROGRESS_CREATEIDX_SUBPHASE, HNSW_PHASE_LOAD);
	if (expected > 0)
		pgstat_progress_update_param(PROGRESS_CREATEIDX_TUPLES_TOTAL, (int64) expected);

	double heap_tuples =
		table_index_build_scan(heap, index, info, true, true, build_callback, (void *) &bs, NULL);

	if (!bs.on_disk)
	{
		HnswMemConnectUnreachable(&bs.graph);
		flush_graph(&bs);
	}

	if (RelationNeedsWAL(index))
		log_newpage_range(index, MAIN_FORKNUM, 0, RelationGetNumberOfBlocks(index), true);

	MemoryContextSwitchTo(old);
	MemoryContextDelete(build_context);

	IndexBuildResult *result = (IndexBuildResult *) palloc(sizeof(IndexBuildResult));
	result->heap_tuples = heap_tuples;
	result->index_tuples = bs.index_tuples;
	return result;
}

void hnsw_buildempty(Relation index)
{
	int dimensions, m, ef_construction;

	check_index_definition(index, &dimensions, &m, &ef_construction);
	write_metapage(index, INIT_FORKNUM, dimensions, m, ef_construction, true);
}

/*
 * ivfflat_build.cpp: CREATE INDEX ... USING ivfflat.
 *
 * Phases (shown in pg_stat_progress_create_index with pgvector's names):
 *   performing k-means   one pass over the table keeps a uniform sample of the rows
 *                        (reservoir sampling: 50 per list, at least 10000, within
 *                        maintenance_work_mem); k-means finds the lists' centers;
 *                        the metapage, the list pages and one empty entry page per
 *                        list are written
 *   assigning tuples     a second pass sends each row to its nearest center and
 *                        appends its entry to that list's chain; with parallel
 *                        workers (ivfflat_build_parallel.cpp) when the table is large
 *   loading tuples       the lists' insert pages are recorded, each list's pages
 *                        moved onto consecutive blocks (cluster_chains), the pages
 *                        WAL-logged
 *
 * WAL: nothing is logged page by page during the build; every page is logged once
 * as a full image at the end (log_newpage_range), as hnsw does (hnsw.h), so a standby
 * or a crash recovery sees the finished index or none. Rows with a NULL vector and,
 * under cosine, zero vectors are not indexed (they have no distance to order by).
 */
#include "ivfflat/ivfflat_build.h"
#include "pg/wait_point.h"

extern "C"
{
#include "access/tableam.h"
#include "access/xloginsert.h"
#include "commands/progress.h"
#include "common/pg_prng.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "utils/memutils.h"
#include "utils/rel.h"
}

#include <algorithm>
#include <cmath>

namespace
{

#define IVF_SAMPLES_PER_LIST 50
#define IVF_MIN_SAMPLES 10000

/* Reservoir sampling (algorithm R): each row seen so far is in the sample alike. */
void sample_callback(Relation index, ItemPointer tid, Datum *values, bool *isnull, bool alive,
                     void *state)
{
	IvfBuildState *bs = (IvfBuildState *)state;
	if (isnull[bs->dist.column])
		return;
	/*
	 * Without a norm (not cosine) every value counts: once the sample is full, a row
	 * the draw leaves out is not even detoasted (most rows, in a large table). The
	 * assignment reads every row, and raises any error a value has.
	 */
	int slot = -1;
	bool drawn = false;
	if (bs->dist.normproc == NULL && bs->samples.count >= bs->samples.capacity)
	{
		double j = pg_prng_double(&bs->rng) * (bs->seen + 1);
		drawn = true;
		if (j >= bs->samples.capacity)
		{
			bs->seen += 1;
			return;
		}
		slot = (int)j;
	}
	MemoryContext old = MemoryContextSwitchTo(bs->tuple_context);
	HnswValue *value = HnswPrepareValue(&bs->dist, values[bs->dist.column], false);
	if (value != NULL)
	{
		if (!drawn)
		{
			slot = bs->samples.count;
			if (slot >= bs->samples.capacity)
			{
				double j = pg_prng_double(&bs->rng) * (bs->seen + 1);
				slot = j < bs->samples.capacity ? (int)j : -1;
			}
			else
				bs->samples.count++;
		}
		if (slot >= 0)
			IvfValueToFloats(&bs->dist, value, bs->samples.x + (Size)slot * bs->samples.dimensions);
		bs->seen += 1;
	}
	MemoryContextSwitchTo(old);
	MemoryContextReset(bs->tuple_context);
}

} // namespace

void IvfAssignCallback(Relation index, ItemPointer tid, Datum *values, bool *isnull, bool alive,
                       void *state)
{
	IvfBuildState *bs = (IvfBuildState *)state;
	if (isnull[bs->dist.column])
		return;
	MemoryContext old = MemoryContextSwitchTo(bs->tuple_context);
	HnswValue *value = HnswPrepareValue(&bs->dist, values[bs->dist.column], false);
	if (value != NULL)
	{
		int list = IvfNearestList(&bs->dist, bs->list, bs->lists, value, bs->quarter_gaps);
		if (bs->own_entry_head != NULL && !BlockNumberIsValid(bs->insert_page[list]))
		{
			/* a worker's first row for this list: its own chains begin */
			bs->own_entry_head[list] = bs->insert_page[list] =
			    IvfNewChainPage(index, bs->fork, IVFFLAT_PAGE_ENTRY, bs->reserve);
			if (BlockNumberIsValid(bs->list[list].key_page))
				bs->own_key_head[list] = bs->key_insert_page[list] =
				    IvfNewChainPage(index, bs->fork, IVFFLAT_PAGE_KEY, bs->reserve);
		}
		Size size;
		IvfEntryTuple entry = IvfFormEntry(&bs->cols, value, values, isnull, tid, &size);
		ItemPointerData where;
		IvfAppendItem(index, bs->fork, IVFFLAT_PAGE_ENTRY, &bs->insert_page[list], entry, size,
		              true, &where, bs->reserve);
		if (BlockNumberIsValid(bs->list[list].key_page))
		{
			IvfKeyTuple key = IvfFormKey(entry, &where, &size);
			IvfAppendItem(index, bs->fork, IVFFLAT_PAGE_KEY, &bs->key_insert_page[list], key, size,
			              true, NULL, bs->reserve);
		}
		bs->index_tuples += 1;
		if ((int64)bs->index_tuples % 1000 == 0)
			pgstat_progress_update_param(PROGRESS_CREATEIDX_TUPLES_DONE, (int64)bs->index_tuples);
	}
	MemoryContextSwitchTo(old);
	MemoryContextReset(bs->tuple_context);
}

BlockNumber IvfNewChainPage(Relation index, ForkNumber fork, uint16 flags, IvfPageReserve *reserve)
{
	Buffer buf = IvfNewBuffer(index, fork, reserve);
	IvfInitPage(BufferGetPage(buf), flags);
	MarkBufferDirty(buf);
	BlockNumber blkno = BufferGetBlockNumber(buf);
	UnlockReleaseBuffer(buf);
	return blkno;
}

namespace
{

/* A new page of the fork, initialized, still locked. */
Buffer new_page(IvfBuildState *bs, uint16 flags)
{
	Buffer buf = HnswNewBuffer(bs->index, bs->fork);
	IvfInitPage(BufferGetPage(buf), flags);
	MarkBufferDirty(buf);
	return buf;
}

/*
 * Writes the metapage, the list pages (blocks 1..) and an empty entry page per list,
 * and fills bs->list with where each list is.
 */
void write_lists(IvfBuildState *bs, HnswValue **centers)
{
	Buffer meta = new_page(bs, IVFFLAT_PAGE_META);
	IvfMetaPage m = IvfPageGetMeta(BufferGetPage(meta));
	m->magic = IVFFLAT_MAGIC;
	m->version = IVFFLAT_VERSION;
	m->dimensions = (uint32)bs->dist.dimensions;
	m->lists = (uint32)bs->lists;
	m->value_type = (uint16)bs->dist.type;
	m->vector_column = (uint16)bs->dist.column;
	m->filter_columns = (uint16)bs->cols.nfilters;
	/* filter columns: a key chain per list, for scans under filter keys */
	bool key_chains = bs->cols.nfilters > 0;
	m->flags = key_chains ? IVFFLAT_META_KEY_CHAINS : 0;
	((PageHeader)BufferGetPage(meta))->pd_lower =
	    (char *)m + sizeof(IvfMetaPageData) - (char *)BufferGetPage(meta);
	UnlockReleaseBuffer(meta);

	/* List pages first, so they are blocks 1..k and a scan reads them in order. */
	Size size = IvfListTupleSize(bs->dist.value_size);
	IvfListTuple lt = (IvfListTuple)palloc0(size);
	Buffer buf = new_page(bs, IVFFLAT_PAGE_LIST);
	for (int i = 0; i < bs->lists; i++)
	{
		if (PageGetFreeSpace(BufferGetPage(buf)) < size)
		{
			Buffer next = new_page(bs, IVFFLAT_PAGE_LIST);
			IvfPageGetOpaque(BufferGetPage(buf))->nextblkno = BufferGetBlockNumber(next);
			UnlockReleaseBuffer(buf);
			buf = next;
		}
		memset(lt, 0, size);
		lt->start_page = InvalidBlockNumber;
		lt->insert_page = InvalidBlockNumber;
		memcpy(lt->center, centers[i], VARSIZE(centers[i]));
		Page page = BufferGetPage(buf);
		OffsetNumber off = PageAddItem(page, (Item)lt, size, InvalidOffsetNumber, false, false);
		if (off == InvalidOffsetNumber)
			elog(ERROR, "failed to add a list to ivfflat index \"%s\"",
			     RelationGetRelationName(bs->index));
		ItemPointerSet(&bs->list[i].tid, BufferGetBlockNumber(buf), off);
		bs->list[i].center = centers[i];
	}
	UnlockReleaseBuffer(buf);

	for (int i = 0; i < bs->lists; i++)
	{
		bs->list[i].key_page = InvalidBlockNumber;
		if (key_chains)
		{
			Buffer keys = new_page(bs, IVFFLAT_PAGE_KEY);
			bs->list[i].key_page = BufferGetBlockNumber(keys);
			UnlockReleaseBuffer(keys);
		}
		bs->key_insert_page[i] = bs->list[i].key_page;
		Buffer entries = new_page(bs, IVFFLAT_PAGE_ENTRY);
		bs->list[i].start_page = bs->list[i].insert_page = BufferGetBlockNumber(entries);
		bs->insert_page[i] = bs->list[i].start_page;
		UnlockReleaseBuffer(entries);
	}
	/* the list tuples learn their pages in place: nothing is logged yet */
	for (int i = 0; i < bs->lists; i++)
	{
		Buffer b = ReadBufferExtended(
		    bs->index, bs->fork, ItemPointerGetBlockNumber(&bs->list[i].tid), RBM_NORMAL, NULL);
		LockBuffer(b, BUFFER_LOCK_EXCLUSIVE);
		Page page = BufferGetPage(b);
		IvfListTuple t = (IvfListTuple)PageGetItem(
		    page, PageGetItemId(page, ItemPointerGetOffsetNumber(&bs->list[i].tid)));
		t->start_page = t->insert_page = bs->list[i].start_page;
		t->key_page = key_chains ? bs->list[i].key_page : 0;
		MarkBufferDirty(b);
		UnlockReleaseBuffer(b);
	}
}

/* Reads the definition, the lists and the memory the sample may take. */
void init_state(IvfBuildState *bs, Relation index, ForkNumber fork)
{
	memset(bs, 0, sizeof(*bs));
	bs->index = index;
	bs->fork = fork;
	IvfInitDistance(&bs->dist, index);
	IvfCheckDefinition(index, &bs->dist);
	HnswInitColumns(&bs->cols, index);
	bs->lists = IvfGetLists(index);
	pg_prng_seed(&bs->rng, 0x1F5A);
	bs->tuple_context =
	    AllocSetContextCreate(CurrentMemoryContext, "ivfflat build tuple", ALLOCSET_DEFAULT_SIZES);
	bs->list = (IvfList *)palloc0(sizeof(IvfList) * bs->lists);
	bs->insert_page = (BlockNumber *)palloc(sizeof(BlockNumber) * bs->lists);
	bs->key_insert_page = (BlockNumber *)palloc(sizeof(BlockNumber) * bs->lists);

	/* the centers and the sample must fit in maintenance_work_mem, as pgvector requires */
	double row_bytes = sizeof(float) * (double)Max(bs->dist.dimensions, 1);
	double centers = (double)bs->lists * (row_bytes + bs->dist.value_size);
	double limit = (double)maintenance_work_mem * 1024.0;
	if (centers > limit)
		ereport(ERROR,
		        (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
		         errmsg("memory required is %.0f MB, maintenance_work_mem is %d MB",
		                std::ceil(centers / (1024.0 * 1024.0)), maintenance_work_mem / 1024)));
	int wanted = Max(bs->lists * IVF_SAMPLES_PER_LIST, IVF_MIN_SAMPLES);
	double fit = (limit - centers) / row_bytes;
	int capacity = (int)Max(Min((double)wanted, fit), (double)Min(bs->lists, wanted));
	IvfSamplesInit(&bs->samples, capacity, bs->dist.dimensions);
}

/*
 * Points each list's insert page at the last page of its chain (parallel workers
 * appended beyond the pages the leader saw: the chain is followed to its end).
 */
void finish_lists(IvfBuildState *bs)
{
	for (int i = 0; i < bs->lists; i++)
	{
		BlockNumber last = bs->insert_page[i];
		for (;;)
		{
			Buffer buf = ReadBufferExtended(bs->index, bs->fork, last, RBM_NORMAL, NULL);
			LockBuffer(buf, BUFFER_LOCK_SHARE);
			BlockNumber next = IvfPageGetOpaque(BufferGetPage(buf))->nextblkno;
			UnlockReleaseBuffer(buf);
			if (!BlockNumberIsValid(next))
				break;
			last = next;
		}
		if (last != bs->list[i].start_page)
			IvfSetInsertPage(bs->index, bs->fork, &bs->list[i].tid, last, true);
	}
}

/* Reads block blkno of the build's fork, exclusively locked. */
Buffer lock_block(IvfBuildState *bs, BlockNumber blkno)
{
	Buffer buf = ReadBufferExtended(bs->index, bs->fork, blkno, RBM_NORMAL, NULL);
	LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
	return buf;
}

/* Appends the blocks of the chain from blkno to order; false if it does not end. */
bool collect_chain(IvfBuildState *bs, BlockNumber blkno, BlockNumber *order, BlockNumber *n,
                   BlockNumber nblocks)
{
	while (BlockNumberIsValid(blkno))
	{
		if (*n >= nblocks)
			return false;
		order[(*n)++] = blkno;
		Buffer buf = ReadBufferExtended(bs->index, bs->fork, blkno, RBM_NORMAL, NULL);
		LockBuffer(buf, BUFFER_LOCK_SHARE);
		blkno = IvfPageGetOpaque(BufferGetPage(buf))->nextblkno;
		UnlockReleaseBuffer(buf);
	}
	return true;
}

/*
 * Lays each list's chains (its keys, then its entries) out on consecutive blocks,
 * lists in order, as a sorted build (pgvector's) writes them. Rows arrive in table order, so the
 * assignment interleaves the lists' pages across the whole index: a scan then touches every page of
 * a list in a different part of memory, which costs a scan more than its distances do (measured:
 * docs/performance.md). The entry pages keep their set of block numbers and are permuted in place,
 * cycle by cycle; then every chain link and every list tuple is renumbered, and so is every key's
 * entry block. Nothing else refers to these pages' numbers (entries hold heap TIDs), and nothing is
 * logged yet: the build logs every page after this.
 */
void cluster_chains(IvfBuildState *bs)
{
	BlockNumber nblocks = RelationGetNumberOfBlocksInFork(bs->index, bs->fork);
	BlockNumber *chain_order =
	    (BlockNumber *)palloc_extended(sizeof(BlockNumber) * (Size)nblocks, MCXT_ALLOC_HUGE);
	BlockNumber npages = 0;
	for (int i = 0; i < bs->lists; i++)
		if (!collect_chain(bs, bs->list[i].key_page, chain_order, &npages, nblocks) ||
		    !collect_chain(bs, bs->list[i].start_page, chain_order, &npages, nblocks))
			elog(ERROR, "ivfflat index \"%s\" has a chain that loops",
			     RelationGetRelationName(bs->index));

	/* where each block goes: the k-th page in chain order to the k-th smallest entry block */
	BlockNumber *slots =
	    (BlockNumber *)palloc_extended(sizeof(BlockNumber) * (Size)Max(npages, 1), MCXT_ALLOC_HUGE);
	memcpy(slots, chain_order, sizeof(BlockNumber) * npages);
	std::sort(slots, slots + npages);
	BlockNumber *moved_to =
	    (BlockNumber *)palloc_extended(sizeof(BlockNumber) * (Size)nblocks, MCXT_ALLOC_HUGE);
	for (BlockNumber b = 0; b < nblocks; b++)
		moved_to[b] = b;
	for (BlockNumber k = 0; k < npages; k++)
		moved_to[chain_order[k]] = slots[k];

	/* follow each cycle of the permutation, carrying one page in local memory */
	bool *done =
	    (bool *)palloc_extended(sizeof(bool) * (Size)nblocks, MCXT_ALLOC_HUGE | MCXT_ALLOC_ZERO);
	PGAlignedBlock carried, displaced;
	for (BlockNumber start = 0; start < nblocks; start++)
	{
		if (done[start] || moved_to[start] == start)
			continue;
		CHECK_FOR_INTERRUPTS();
		Buffer buf = lock_block(bs, start);
		memcpy(carried.data, BufferGetPage(buf), BLCKSZ);
		UnlockReleaseBuffer(buf);
		for (BlockNumber cur = start; !done[cur];)
		{
			BlockNumber dst = moved_to[cur];
			buf = lock_block(bs, dst);
			Page page = BufferGetPage(buf);
			memcpy(displaced.data, page, BLCKSZ);
			memcpy(page, carried.data, BLCKSZ);
			MarkBufferDirty(buf);
			UnlockReleaseBuffer(buf);
			memcpy(carried.data, displaced.data, BLCKSZ);
			done[cur] = true;
			cur = dst;
		}
	}

	/* renumber the links, then the lists */
	for (BlockNumber k = 0; k < npages; k++)
	{
		Buffer buf = lock_block(bs, slots[k]);
		Page page = BufferGetPage(buf);
		IvfPageOpaque op = IvfPageGetOpaque(page);
		if (BlockNumberIsValid(op->nextblkno))
			op->nextblkno = moved_to[op->nextblkno];
		if (op->flags & IVFFLAT_PAGE_KEY)
		{
			OffsetNumber max = PageGetMaxOffsetNumber(page);
			for (OffsetNumber off = FirstOffsetNumber; off <= max; off = OffsetNumberNext(off))
			{
				ItemId iid = PageGetItemId(page, off);
				if (!ItemIdIsUsed(iid))
					continue;
				IvfKeyTuple key = (IvfKeyTuple)PageGetItem(page, iid);
				BlockNumber entry_block = ItemPointerGetBlockNumber(&key->entry);
				ItemPointerSetBlockNumber(&key->entry, moved_to[entry_block]);
			}
		}
		MarkBufferDirty(buf);
		UnlockReleaseBuffer(buf);
	}
	for (int i = 0; i < bs->lists; i++)
	{
		Buffer buf = lock_block(bs, ItemPointerGetBlockNumber(&bs->list[i].tid));
		Page page = BufferGetPage(buf);
		IvfListTuple lt = (IvfListTuple)PageGetItem(
		    page, PageGetItemId(page, ItemPointerGetOffsetNumber(&bs->list[i].tid)));
		lt->start_page = moved_to[lt->start_page];
		lt->insert_page = moved_to[lt->insert_page];
		if (BlockNumberIsValid(bs->list[i].key_page))
			lt->key_page = bs->list[i].key_page = moved_to[lt->key_page];
		bs->list[i].start_page = lt->start_page;
		bs->list[i].insert_page = lt->insert_page;
		MarkBufferDirty(buf);
		UnlockReleaseBuffer(buf);
	}
	pfree(done);
	pfree(moved_to);
	pfree(slots);
	pfree(chain_order);
}

} // namespace

IndexBuildResult *ivfflat_build(Relation heap, Relation index, IndexInfo *info)
{
	if (RelationGetNumberOfBlocks(index) != 0)
		elog(ERROR, "index \"%s\" already contains data", RelationGetRelationName(index));

	MemoryContext build_context =
	    AllocSetContextCreate(CurrentMemoryContext, "ivfflat build", ALLOCSET_DEFAULT_SIZES);
	MemoryContext old = MemoryContextSwitchTo(build_context);
	IvfBuildState bs;
	init_state(&bs, index, MAIN_FORKNUM);

	pgstat_progress_update_param(PROGRESS_CREATEIDX_SUBPHASE, IVFFLAT_PHASE_KMEANS);
	double heap_tuples =
	    table_index_build_scan(heap, index, info, true, true, sample_callback, (void *)&bs, NULL);
	/* the sample pass counted the rows: the total is known before the assignment */
	pgstat_progress_update_param(PROGRESS_CREATEIDX_TUPLES_TOTAL, (int64)bs.seen);
	if (bs.samples.count < bs.lists)
		ereport(NOTICE, (errmsg("ivfflat index created with little data"),
		                 errdetail("This will cause low recall."),
		                 errhint("Drop the index until the table has more data.")));

	HnswValue **centers = (HnswValue **)palloc(sizeof(HnswValue *) * bs.lists);
	bool spherical =
	    OidIsValid(index_getprocid(index, bs.dist.column + 1, IVFFLAT_KMEANS_NORM_PROC));
	IvfKmeans(&bs.dist, &bs.samples, bs.lists, spherical, centers);
	pfree(bs.samples.x);
	write_lists(&bs, centers);

	pgstat_progress_update_param(PROGRESS_CREATEIDX_SUBPHASE, IVFFLAT_PHASE_ASSIGN);
	bs.quarter_gaps = IvfCenterQuarterGaps(&bs.dist, bs.list, bs.lists);
	/* the lists are written, no row assigned yet (tests watch the progress here) */
	VECRBAC_WAIT_POINT("ivfflat-build-assign");
	int workers = IvfPlanWorkers(heap, index, bs.seen);
	double assigned_heap_tuples;
	if (workers == 0 || !IvfAssignParallel(&bs, heap, info, workers, &assigned_heap_tuples))
		table_index_build_scan(heap, index, info, true, true, IvfAssignCallback, (void *)&bs, NULL);

	pgstat_progress_update_param(PROGRESS_CREATEIDX_SUBPHASE, IVFFLAT_PHASE_LOAD);
	pgstat_progress_update_param(PROGRESS_CREATEIDX_TUPLES_DONE, (int64)bs.index_tuples);
	finish_lists(&bs);
	cluster_chains(&bs);
	if (RelationNeedsWAL(index))
		log_newpage_range(index, MAIN_FORKNUM, 0, RelationGetNumberOfBlocks(index), true);

	IndexBuildResult *result = (IndexBuildResult *)palloc(sizeof(IndexBuildResult));
	result->heap_tuples = heap_tuples;
	result->index_tuples = bs.index_tuples;
	MemoryContextSwitchTo(old);
	IndexBuildResult *copy = (IndexBuildResult *)palloc(sizeof(IndexBuildResult));
	*copy = *result;
	MemoryContextDelete(build_context);
	return copy;
}

/* The init fork of an unlogged index: lists with random centers, no entries. */
void ivfflat_buildempty(Relation index)
{
	IvfBuildState bs;
	init_state(&bs, index, INIT_FORKNUM);
	HnswValue **centers = (HnswValue **)palloc(sizeof(HnswValue *) * bs.lists);
	bool spherical =
	    OidIsValid(index_getprocid(index, bs.dist.column + 1, IVFFLAT_KMEANS_NORM_PROC));
	IvfKmeans(&bs.dist, &bs.samples, bs.lists, spherical, centers);
	write_lists(&bs, centers);
	log_newpage_range(index, INIT_FORKNUM, 0, RelationGetNumberOfBlocksInFork(index, INIT_FORKNUM),
	                  true);
	MemoryContextDelete(bs.tuple_context);
}

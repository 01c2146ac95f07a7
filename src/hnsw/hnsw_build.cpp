/*
 * hnsw_build.cpp: CREATE INDEX for hnsw.
 *
 * Phases (shown in pg_stat_progress_create_index, named as pgvector names its own):
 *   initializing         (set by PostgreSQL before the build starts);
 *   loading tuples       the heap is scanned and every vector inserted into an
 *                        in-memory graph (hnsw_memgraph.cpp), within
 *                        maintenance_work_mem;
 *   writing index pages  element and neighbor tuples are laid out page by page in
 *                        insertion order, links translated from arena offsets to TIDs.
 * tuples_total is the heap's estimated row count, known before any ANALYZE (below).
 * If the graph outgrows maintenance_work_mem, what is built so far is written out
 * and the remaining tuples are inserted on disk one by one (slower; a NOTICE with
 * pgvector's wording says so).
 *
 * Planning, from what is true when the build starts: the heap's rows are estimated
 * as the planner estimates them (a table loaded by COPY and never analyzed has
 * reltuples = -1, so its size and column widths decide), the workers as PostgreSQL
 * plans them for btree, including the table's parallel_workers option (see
 * plan_workers), and the shared graph is sized from the estimate, within
 * maintenance_work_mem.
 *
 * Parallel build: the arena lives in dynamic shared memory and the leader and its
 * workers scan the table in parallel, each inserting into the one shared graph
 * (locking in hnsw_memgraph.h). If the arena fills up, the participant that finds
 * it full writes the graph out while the others wait (flush_lock), and from then
 * on every participant inserts on disk, concurrently, as pgvector does.
 *
 * WAL: nothing is logged page by page during the build. At the end, if the relation
 * needs WAL, every page is logged as a full image (log_newpage_range), so crash
 * recovery and standbys get the finished index in one piece.
 */
#include "hnsw/hnsw.h"
#include "hnsw/hnsw_build_batch.h"
#include "hnsw/hnsw_directory.h"
#include "hnsw/hnsw_filter.h"
#include "hnsw/hnsw_memgraph.h"
#include "hnsw/hnsw_reach.h"
#include "hnsw/hnsw_rerank.h"
#include "pg/wait_point.h"

extern "C"
{
#include "access/detoast.h"
#include "access/heaptoast.h"
#include "access/parallel.h"
#include "access/relation.h"
#include "access/table.h"
#include "access/tableam.h"
#include "access/xact.h"
#include "access/xloginsert.h"
#include "catalog/index.h"
#include "catalog/pg_type_d.h"
#include "commands/progress.h"
#include "optimizer/optimizer.h"
#include "optimizer/plancat.h"
#include "storage/spin.h"
#include "tcop/tcopprot.h"
#include "utils/snapmgr.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "storage/bufmgr.h"
#include "portability/instr_time.h"
#include "utils/memutils.h"
#include "utils/rel.h"
}

#include <algorithm>
#include <cmath>
#include <cstring>

namespace
{

/*
 * What the leader tells its workers, and what they share besides the graph; the
 * table's parallel scan state follows it. Every in-memory insertion holds
 * flush_lock in shared mode; the participant that finds the arena full takes it
 * exclusively, so that it writes the graph out while no insertion is under way,
 * and sets `flushed` under it.
 */
struct HnswParallelBuild
{
	Oid heap_oid;
	Oid index_oid;
	bool concurrent;
	bool arena_is_limit;
	double rows_estimated;
	Size batch_bytes; /* each participant's batch of rows (hnsw_build_batch.h) */
	slock_t mutex;
	double heap_tuples; /* summed by the participants */
	double index_tuples;
	LWLock flush_lock;
	bool flushed; /* the graph is on disk: insert there */
};

struct BuildState
{
	Relation heap;
	Relation index;
	ForkNumber fork;
	HnswDistance dist;       /* what the elements store */
	HnswDistance graph_dist; /* what the graph in memory holds (dist but for binary) */
	HnswColumns cols;
	HnswMemGraph graph;
	bool on_disk;          /* the arena filled up: inserting page by page now */
	bool parallel;         /* a participant of a parallel build */
	HnswParallelBuild *pb; /* its shared state, in a parallel build */
	bool arena_is_limit;   /* the graph may use all of maintenance_work_mem */
	double rows_estimated; /* what the arena was sized for */
	bool is_leader;
	int m;
	int ef_construction;
	int value_slots; /* per element, as the metapage says (2m per linked column) */
	int dimensions;
	double index_tuples;
	double rows_inserted; /* by this process, into the graph or on disk */
	MemoryContext tuple_context;
	HnswBuildBatch *batch;     /* rows waiting to go into the graph in memory */
	MemoryContext row_context; /* what inserting one row of the batch allocates */
};

/*
 * The distances of the index and of its graph in memory. A binary index's graph is
 * built on the column's own values, as an unquantized index's is: bits would choose
 * its links poorly (on Fashion-MNIST at rerank factor 4, recall@10 0.910 against 0.949
 * at ef_search 40, 0.692 against 0.735 at 10), and the build has the values at hand.
 * Its pages get the bits.
 */
void init_distances(BuildState *bs)
{
	HnswQuantization quantization = HnswGetQuantization(bs->index);
	HnswInitDistance(&bs->dist, bs->index, quantization);
	if (quantization == HNSW_QUANTIZATION_BINARY)
		HnswInitDistance(&bs->graph_dist, bs->index, HNSW_QUANTIZATION_NONE);
	else
		bs->graph_dist = bs->dist;
}

/* The value an element stores, from the graph's (palloc'd when they differ). */
const HnswValue *stored_value(const BuildState *bs, const HnswValue *graph_value)
{
	if (bs->graph_dist.quantization == bs->dist.quantization)
		return graph_value;
	return HnswPrepareValue(&bs->dist, PointerGetDatum(graph_value), false);
}

/* What an insert on disk searches with: a binary index's query form of the row's values. */
const HnswValue *search_value(const BuildState *bs, const HnswValue *graph_value)
{
	if (bs->dist.quantization != HNSW_QUANTIZATION_BINARY)
		return NULL;
	HnswQueryBound unused;
	return HnswPrepareQuantizedQuery(&bs->dist, PointerGetDatum(graph_value), &unused);
}

/* Its size: the graph's value's, or the stored type's (fixed: a binary value's). */
Size stored_value_size(const BuildState *bs, const HnswValue *graph_value)
{
	if (bs->graph_dist.quantization == bs->dist.quantization)
		return VARSIZE(graph_value);
	return bs->dist.value_size;
}

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

/* An element in the order the build lays elements out. */
struct LayoutSlot
{
	/* Its partition value, then its value of the next chained column; unset ones last. */
	bool keyed[2];
	int64 key[2];
	uint64 position; /* as built, to keep that order within a value */
	HnswMemRef ref;

	bool operator<(const LayoutSlot &o) const
	{
		for (int k = 0; k < 2; k++)
		{
			if (keyed[k] != o.keyed[k])
				return keyed[k];
			if (key[k] != o.key[k])
				return key[k] < o.key[k];
		}
		return position < o.position;
	}
};

/*
 * The order the elements go to pages in: by partition value, then by the value of the
 * next key column with a chain directory, so that the elements a scope reads (along
 * its chains, or walking its value links) lie on consecutive pages; as built when the
 * index has no partition column. *count is set.
 */
LayoutSlot *layout_order(const HnswMemGraph *g, const HnswColumns *cols, uint32 version,
                         uint64 *count)
{
	int sort_by[2] = {cols->partition, -1};
	for (int f = 0; f < cols->nfilters && sort_by[1] < 0; f++)
		if (HnswFilterIsChained(version, cols, f))
			sort_by[1] = f;
	uint64 n = 0;
	for (HnswMemRef ref = HnswMemNext(g, 0); ref != 0; ref = HnswMemNext(g, ref))
		n++;
	LayoutSlot *order =
	    (LayoutSlot *)palloc_extended(sizeof(LayoutSlot) * Max(n, 1), MCXT_ALLOC_HUGE);
	uint64 i = 0;
	for (HnswMemRef ref = HnswMemNext(g, 0); ref != 0; ref = HnswMemNext(g, ref), i++)
	{
		LayoutSlot &slot = order[i];
		const HnswMemElement *e = HnswMemGet(g, ref);
		slot.ref = ref;
		slot.position = i;
		for (int k = 0; k < 2; k++)
		{
			slot.key[k] = 0;
			slot.keyed[k] =
			    sort_by[k] >= 0 && HnswFilterKey(cols, HnswMemFilters(e), sort_by[k], &slot.key[k]);
		}
	}
	if (cols->partition >= 0)
		std::sort(order, order + n);
	*count = n;
	return order;
}

/*
 * Writing an element turns each of its links (an arena reference) into the TID of the
 * target, read from the target itself: at a million rows a cache miss per link, some
 * forty per element, each waited for in turn. flush_graph starts them early, in three
 * steps kWriteAhead elements apart: an element's header, then its link lists, then its
 * targets' TIDs, so that by the time it is written they are all in the caches.
 */
constexpr uint64 kWriteAhead = 4;

/* Prefetches every 64-byte line of [start, start + bytes). */
void prefetch_lines(const void *start, Size bytes)
{
	uintptr_t first = (uintptr_t)start & ~(uintptr_t)63;
	for (uintptr_t line = first; line < (uintptr_t)start + bytes; line += 64)
		__builtin_prefetch((const void *)line);
}

/* Bytes of an element's link counts and links, from its links_offset. */
Size link_bytes(const HnswMemElement *e, int m, int value_slots)
{
	return MAXALIGN(sizeof(uint16) * HnswMemListCount(e->level, e->linked)) +
	       sizeof(HnswMemRef) * ((e->level + 2) * m + value_slots);
}

/* The first level to write: the lowest value level in use, or level 0. */
inline int lowest_level(const HnswMemGraph *g, int m)
{
	return HnswValueLevel(g->value_slots / (2 * m) - 1);
}

void prefetch_targets(const HnswMemGraph *g, const HnswMemElement *e, int m)
{
	for (int l = lowest_level(g, m); l <= e->level; l++)
	{
		const HnswMemRef *links = HnswMemLinks(e, l, m);
		for (int i = 0; i < *HnswMemCount(e, l); i++)
			__builtin_prefetch(&HnswMemGet(g, links[i])->etid);
	}
}

/* Writes the in-memory graph to pages after block 0, then the partition directory. */
void flush_graph(BuildState *bs)
{
	HnswMemGraph *g = &bs->graph;
	const HnswColumns *cols = &bs->cols;

	if (bs->is_leader)
		pgstat_progress_update_param(PROGRESS_CREATEIDX_SUBPHASE, HNSW_PHASE_WRITE);
	VECRBAC_WAIT_POINT("build-write");

	/*
	 * Pass 1: decide where every tuple goes, and chain the elements of each value of
	 * the partition column and of the chained columns (directories[f]).
	 */
	HnswMetaPageData on_disk;
	HnswReadMeta(bs->index, &on_disk);
	HTAB *directories[HNSW_MAX_FILTERS] = {};
	for (int f = 0; f < cols->nfilters; f++)
	{
		if (f != cols->partition && !HnswFilterIsChained(on_disk.version, cols, f))
			continue;
		HASHCTL ctl;
		ctl.keysize = sizeof(int64);
		ctl.entrysize = sizeof(PartitionSlot);
		ctl.hcxt = CurrentMemoryContext;
		directories[f] =
		    hash_create("hnsw build directory", 1024, &ctl, HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	}

	const bool compact = HnswMetaCompact(on_disk.version, on_disk.filter_columns);
	uint64 nelements;
	LayoutSlot *order = layout_order(g, cols, on_disk.version, &nelements);
	Placer placer = {0, 0, FirstOffsetNumber};
	placer.start_page();
	for (uint64 i = 0; i < nelements; i++)
	{
		HnswMemElement *e = HnswMemGet(g, order[i].ref);
		Size ecost = item_cost(
		    HnswElementTupleSize(stored_value_size(bs, HnswMemValue(e)), e->filter_bytes, compact));
		Size ncost = item_cost(HnswNeighborTupleSize(e->level, bs->m, g->value_slots, compact));

		if (placer.free < ecost + ncost && ecost + ncost <= kEmptyPageSpace)
			placer.start_page(); /* keep an element and its links on one page */
		placer.place(ecost, &e->etid);
		placer.place(ncost, &e->ntid);

		for (int f = 0; f < cols->nfilters; f++)
		{
			int64 key;
			if (directories[f] == NULL || !HnswFilterKey(cols, HnswMemFilters(e), f, &key))
				continue;
			bool found;
			PartitionSlot *p =
			    (PartitionSlot *)hash_search(directories[f], &key, HASH_ENTER, &found);
			if (!found)
			{
				memset(&p->entry, 0, sizeof(p->entry));
				p->entry.key = key;
				ItemPointerSetInvalid(&p->entry.head);
				ItemPointerSetInvalid(&p->entry.entry);
				ItemPointerSetInvalid(&p->entry.prev_head);
			}
			if (f == cols->partition)
				e->chain_next = p->entry.head;
			else
				*HnswFilterChainLink(cols, HnswMemFilters(e), f) = p->entry.head;
			if (HnswHasValueLinks(cols, f, bs->m, g->value_slots))
				HnswDirOfferSeed(&p->entry, &e->etid, e->level);
			p->entry.head = e->etid;
			p->entry.count++;
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

	for (uint64 i = 0; i < nelements; i++)
	{
		if (i + 3 * kWriteAhead < nelements)
			prefetch_lines(HnswMemGet(g, order[i + 3 * kWriteAhead].ref), sizeof(HnswMemElement));
		if (i + 2 * kWriteAhead < nelements)
		{
			const HnswMemElement *ahead = HnswMemGet(g, order[i + 2 * kWriteAhead].ref);
			prefetch_lines((const char *)ahead + ahead->links_offset,
			               link_bytes(ahead, bs->m, g->value_slots));
		}
		if (i + kWriteAhead < nelements)
			prefetch_targets(g, HnswMemGet(g, order[i + kWriteAhead].ref), bs->m);

		HnswMemElement *e = HnswMemGet(g, order[i].ref);
		const HnswValue *value = stored_value(bs, HnswMemValue(e));
		Size esize = HnswElementTupleSize(VARSIZE(value), e->filter_bytes, compact);
		any = true;

		memset(etup, 0, esize);
		etup->type = HNSW_ELEMENT_TUPLE;
		etup->level = e->level;
		etup->flags = compact ? HNSW_ELEMENT_COMPACT : 0;
		etup->filter_bytes = (uint16)e->filter_bytes;
		for (int i = 0; i < HNSW_HEAPTIDS; i++)
		{
			if (i < e->nheaptids)
				etup->heaptids[i] = e->heaptids[i];
			else
				ItemPointerSetInvalid(&etup->heaptids[i]);
		}
		etup->neighbortid = e->ntid;
		if (!compact)
			etup->chain_next = e->chain_next;
		memcpy(HnswElementValue(etup), value, VARSIZE(value));
		if (value != HnswMemValue(e))
			pfree((void *)value);
		if (e->filter_bytes > 0)
			memcpy(HnswElementFilters(etup), HnswMemFilters(e), e->filter_bytes);

		Size nsize = HnswNeighborTupleSize(e->level, bs->m, g->value_slots, compact);
		memset(ntup, 0, nsize);
		ntup->type = compact ? HNSW_COMPACT_NEIGHBOR_TUPLE : HNSW_NEIGHBOR_TUPLE;
		ntup->level = e->level;
		if (!compact)
			ntup->slots = (uint16)((e->level + 2) * bs->m + g->value_slots);
		*HnswNeighborOwner(ntup) = e->etid;
		ItemPointerData *nlinks = HnswNeighborLinks(ntup);
		for (int i = 0; i < HnswNeighborSlots(ntup, bs->m); i++)
			ItemPointerSetInvalid(&nlinks[i]);
		for (int l = lowest_level(g, bs->m); l <= e->level; l++)
		{
			int start, slots;
			HnswLinkRange(e->level, l, bs->m, g->value_slots, &start, &slots);
			const HnswMemRef *links = HnswMemLinks(e, l, bs->m);
			for (int i = 0; i < *HnswMemCount(e, l); i++)
				nlinks[start + i] = HnswMemGet(g, links[i])->etid;
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
	pfree(order);

	/* The directories, sized for the values there are. */
	HnswDirRef written_dirs[HNSW_MAX_FILTERS];
	for (int f = 0; f < cols->nfilters; f++)
	{
		written_dirs[f] = HnswDirRef{InvalidBlockNumber, 0};
		if (directories[f] == NULL)
			continue;
		HTAB *value_entries =
		    HnswHasValueLinks(cols, f, bs->m, g->value_slots) ? HnswMemValueEntries(g, f) : NULL;
		long n = hash_get_num_entries(directories[f]);
		HnswDirEntryData *entries =
		    (HnswDirEntryData *)palloc(sizeof(HnswDirEntryData) * Max(n, 1));
		HASH_SEQ_STATUS seq;
		hash_seq_init(&seq, directories[f]);
		int i = 0;
		for (PartitionSlot *p; (p = (PartitionSlot *)hash_seq_search(&seq)) != NULL;)
		{
			/*
			 * The sorted layout changes which element of a value the pass above met
			 * first: the entry is the one the value repairs reached the value from.
			 */
			HnswMemValueEntry *ve =
			    value_entries != NULL
			        ? (HnswMemValueEntry *)hash_search(value_entries, &p->key, HASH_FIND, NULL)
			        : NULL;
			if (ve != NULL)
			{
				const HnswMemElement *e = HnswMemGet(g, ve->entry);
				p->entry.entry = e->etid;
				p->entry.entry_level = (uint8)e->level;
			}
			entries[i++] = p->entry;
		}
		written_dirs[f].pages = HnswDirPagesFor((double)n);
		written_dirs[f].start =
		    HnswDirWrite(bs->index, bs->fork, entries, (int)n, written_dirs[f].pages);
		pfree(entries);
		hash_destroy(directories[f]);
		if (value_entries != NULL)
			hash_destroy(value_entries);
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
	HnswSetDirectories(meta, cols, written_dirs);
	meta->value_slots = (uint16)g->value_slots;
	MarkBufferDirty(metabuf);
	UnlockReleaseBuffer(metabuf);
}

/*
 * Says that the build goes on disk, with pgvector's message when the graph had all
 * of maintenance_work_mem. A parallel arena sized from a row estimate that fell
 * short says so instead, since more memory was to be had.
 */
void report_spill(const BuildState *bs, double tuples)
{
	if (bs->arena_is_limit)
		ereport(NOTICE,
		        (errmsg("hnsw graph no longer fits into maintenance_work_mem after %.0f tuples",
		                tuples),
		         errdetail("Building will take significantly more time."),
		         errhint("Increase maintenance_work_mem to speed up builds.")));
	else
		ereport(NOTICE,
		        (errmsg("hnsw graph no longer fits into the shared memory sized for %.0f rows "
		                "after %.0f tuples",
		                bs->rows_estimated, tuples),
		         errdetail("Building will take significantly more time."),
		         errhint("ANALYZE the table before CREATE INDEX so that the build can size its "
		                 "shared memory.")));
}

/* Seconds since *start, and *start moved to now: one phase of the build after another. */
double lap_seconds(instr_time *start)
{
	instr_time now;
	INSTR_TIME_SET_CURRENT(now);
	instr_time elapsed = now;
	INSTR_TIME_SUBTRACT(elapsed, *start);
	*start = now;
	return INSTR_TIME_GET_DOUBLE(elapsed);
}

/*
 * The graph in memory is complete (or full): link each filter value's elements, make
 * every element reachable, and write the pages. DEBUG2 reports each phase's time, for
 * the build benchmark's per-phase curve (bench/build_scale).
 */
void finish_graph(BuildState *bs)
{
	instr_time clock;
	INSTR_TIME_SET_CURRENT(clock);
	HnswMemBuildValueLinks(&bs->graph);
	double value_links = lap_seconds(&clock);
	uint32 repaired = HnswMemConnectUnreachable(&bs->graph);
	double repair = lap_seconds(&clock);
	flush_graph(bs);
	ereport(DEBUG2, (errmsg("hnsw build: value links %.3f s, reachability repair %.3f s (%u "
	                        "elements linked), pages written %.3f s",
	                        value_links, repair, repaired, lap_seconds(&clock))));
}

/* Serial build: the graph is full, so write it out and go on disk. */
void spill_local(BuildState *bs, MemoryContext build_context)
{
	report_spill(bs, (double)pg_atomic_read_u64(&bs->graph.shared->inserted));
	MemoryContext old = MemoryContextSwitchTo(build_context);
	finish_graph(bs);
	pfree(bs->graph.base);
	bs->graph.base = NULL;
	bs->on_disk = true;
	if (bs->is_leader)
		pgstat_progress_update_param(PROGRESS_CREATEIDX_SUBPHASE, HNSW_PHASE_LOAD);
	MemoryContextSwitchTo(old);
}

/*
 * Parallel build: the shared graph is full. The first participant to get here
 * writes it out, with every other insertion held off by flush_lock; everyone then
 * inserts on disk.
 */
void spill_shared(BuildState *bs)
{
	HnswParallelBuild *pb = bs->pb;

	LWLockAcquire(&pb->flush_lock, LW_EXCLUSIVE);
	if (!pb->flushed)
	{
		report_spill(bs, (double)pg_atomic_read_u64(&bs->graph.shared->inserted));
		finish_graph(bs);
		pb->flushed = true;
		if (bs->is_leader)
			pgstat_progress_update_param(PROGRESS_CREATEIDX_SUBPHASE, HNSW_PHASE_LOAD);
	}
	LWLockRelease(&pb->flush_lock);
	bs->on_disk = true;
}

/* Inserts one value into the graph in memory while it has room, else into the index on disk. */
void insert_value(BuildState *bs, HnswValue *value, const char *filters, Size filter_bytes,
                  ItemPointer tid, MemoryContext build_context)
{
	if (!bs->on_disk && !bs->parallel)
	{
		if (HnswMemInsert(&bs->graph, value, filters, filter_bytes, tid) == HNSW_MEM_FULL)
			spill_local(bs, build_context);
	}
	else if (!bs->on_disk)
	{
		LWLockAcquire(&bs->pb->flush_lock, LW_SHARED);
		HnswMemInsertResult r = bs->pb->flushed
		                            ? HNSW_MEM_FULL
		                            : HnswMemInsert(&bs->graph, value, filters, filter_bytes, tid);
		LWLockRelease(&bs->pb->flush_lock);
		if (r == HNSW_MEM_FULL)
			spill_shared(bs);
	}
	if (bs->on_disk)
	{
		HnswInsertOnDisk(bs->index, &bs->dist, &bs->cols, (HnswValue *)stored_value(bs, value),
		                 filters, filter_bytes, tid, true, search_value(bs, value));
		VECRBAC_WAIT_POINT("build-insert-on-disk");
		if (bs->parallel)
			pg_atomic_fetch_add_u64(&bs->graph.shared->inserted, 1); /* progress */
	}
	bs->rows_inserted++;
	/* The leader reports for everyone: the graph counts every participant's tuples. */
	if (bs->is_leader)
		pgstat_progress_update_param(PROGRESS_CREATEIDX_TUPLES_DONE,
		                             bs->parallel
		                                 ? (int64)pg_atomic_read_u64(&bs->graph.shared->inserted)
		                                 : (int64)bs->rows_inserted);
}

void start_batch(BuildState *bs, MemoryContext parent, Size batch_bytes)
{
	bs->batch = HnswBatchCreate(parent, batch_bytes);
	bs->row_context = AllocSetContextCreate(parent, "hnsw build row", ALLOCSET_DEFAULT_SIZES);
}

/* Inserts the batch's rows, in locality order while the graph is in memory, and empties it. */
void insert_batch(BuildState *bs, MemoryContext build_context)
{
	HnswBuildBatch *b = bs->batch;
	if (b->count == 0)
		return;
	if (!bs->parallel && !bs->on_disk)
		HnswBatchOrder(b, &bs->graph);
	else if (!bs->on_disk)
	{
		/* No participant writes the graph out while the keys are read. */
		LWLockAcquire(&bs->pb->flush_lock, LW_SHARED);
		if (!bs->pb->flushed)
			HnswBatchOrder(b, &bs->graph);
		LWLockRelease(&bs->pb->flush_lock);
	}
	MemoryContext old = MemoryContextSwitchTo(bs->row_context);
	for (int i = 0; i < b->count; i++)
	{
		CHECK_FOR_INTERRUPTS(); /* a batch can take seconds; nothing here needs unwinding */
		HnswBatchRow &r = b->rows[i];
		insert_value(bs, r.value, r.filters, r.filter_bytes, &r.tid, build_context);
		MemoryContextReset(bs->row_context);
	}
	MemoryContextSwitchTo(old);
	HnswBatchReset(b);
}

/* Adds one value: to the batch while the graph is in memory, else straight to the disk. */
void add_value(BuildState *bs, HnswValue *value, const char *filters, Size filter_bytes,
               ItemPointer tid, MemoryContext build_context)
{
	if (bs->on_disk)
		insert_value(bs, value, filters, filter_bytes, tid, build_context);
	else if (HnswBatchAdd(bs->batch, value, filters, filter_bytes, tid,
	                      HnswMemElements(&bs->graph)))
		insert_batch(bs, build_context);
}

void build_callback(Relation index, ItemPointer tid, Datum *values, bool *isnull, bool alive,
                    void *state)
{
	BuildState *bs = (BuildState *)state;
	int vcol = bs->cols.vector_column;

	if (isnull[vcol])
		return;

	MemoryContext old = MemoryContextSwitchTo(bs->tuple_context);
	HnswValue *value = HnswPrepareValue(&bs->graph_dist, values[vcol], false);

	if (value != NULL)
	{
		Size filter_bytes = HnswEncodeFilters(&bs->cols, values, isnull, NULL);
		char *filters = (char *)palloc(Max(filter_bytes, 1));
		HnswEncodeFilters(&bs->cols, values, isnull, filters);
		add_value(bs, value, filters, filter_bytes, tid, old);
		bs->index_tuples++;
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
	/* What elements store decides: as halves or bytes up to 4,000 dimensions, as bits 16,000.
	 */
	HnswQuantization quantization = HnswGetQuantization(index);
	HnswValueType stored = quantization == HNSW_QUANTIZATION_HALF   ? HNSW_VALUE_HALFVEC
	                       : quantization == HNSW_QUANTIZATION_INT8 ? HNSW_VALUE_INT8
	                       : quantization == HNSW_QUANTIZATION_BINARY
	                           ? HNSW_VALUE_BINARY
	                           : HnswColumnValueType(index, cols->vector_column);
	if (quantization == HNSW_QUANTIZATION_BINARY)
		HnswRerankColumn(index, true); /* re-ranked from the table's column */
	int max_dimensions = HnswMaxDimensions(stored);
	if (*dimensions < 0)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
		                errmsg("column does not have dimensions")));
	if (*dimensions > max_dimensions)
		ereport(
		    ERROR,
		    (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
		     errmsg("column cannot have more than %d dimensions for hnsw index", max_dimensions),
		     stored == HNSW_VALUE_VECTOR && *dimensions <= HnswMaxDimensions(HNSW_VALUE_HALFVEC)
		         ? errhint("WITH (quantization = 'half') or WITH (quantization = 'int8') indexes "
		                   "vector columns of up to %d dimensions.",
		                   HnswMaxDimensions(HNSW_VALUE_HALFVEC))
		     : stored == HNSW_VALUE_VECTOR
		         ? errhint("WITH (quantization = 'binary') indexes vector columns of up to %d "
		                   "dimensions.",
		                   HnswMaxDimensions(HNSW_VALUE_BINARY))
		         : 0));
	*m = HnswGetM(index);
	*ef_construction = HnswGetEfConstruction(index);
	if (*ef_construction < 2 * *m)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
		                errmsg("ef_construction must be greater than or equal to 2 * m")));
}

/* Writes an empty metapage as block 0 of the given fork; returns its value_slots. */
int write_metapage(Relation index, ForkNumber fork, const HnswColumns *cols, int dimensions, int m,
                   int ef_construction, bool log)
{
	Buffer buf = HnswNewBuffer(index, fork);
	Assert(BufferGetBlockNumber(buf) == HNSW_METAPAGE_BLKNO);
	START_CRIT_SECTION();
	HnswInitMetaPage(BufferGetPage(buf), dimensions, m, ef_construction);
	HnswMetaPage meta = HnswPageGetMeta(BufferGetPage(buf));
	meta->vector_column = (uint16)cols->vector_column;
	meta->filter_columns = (uint16)cols->nfilters;
	meta->value_slots = (uint16)HnswValueSlots(m, HnswLinkedColumns(meta->version, cols));
	int value_slots = meta->value_slots;
	meta->value_type = (uint16)HnswColumnValueType(index, cols->vector_column);
	meta->quantization = (uint16)HnswGetQuantization(index);
	MarkBufferDirty(buf);
	if (log)
		log_newpage_buffer(buf, true);
	END_CRIT_SECTION();
	UnlockReleaseBuffer(buf);
	return value_slots;
}

/* ---- parallel build ------------------------------------------------------------------ */

/* ---- planning ------------------------------------------------------------------------ */

/*
 * The heap's rows now, as the planner estimates a relation (estimate_rel_size): the
 * density ANALYZE or VACUUM recorded, scaled to the pages there are now; for a table
 * never analyzed (reltuples = -1, as right after COPY), a density from the column
 * widths. The planner guesses 32 bytes for a vector; the width a vector takes in
 * the heap follows from its dimensions and the column's storage (a TOAST pointer
 * when it is moved out of line), and it decides the density, so it is supplied.
 * The planner's floor of 10 pages for an unanalyzed table (planning for growth) is
 * undone: the build reads the pages there are. *analyzed says whether the density
 * came from statistics.
 */
double estimate_heap_rows(Relation heap, const IndexInfo *info, int vector_column, Size value_size,
                          bool *analyzed)
{
	BlockNumber nblocks = RelationGetNumberOfBlocks(heap);
	*analyzed = heap->rd_rel->reltuples >= 0 && heap->rd_rel->relpages > 0;
	if (nblocks == 0)
		return 0;

	int natts = RelationGetNumberOfAttributes(heap);
	int32 *widths = (int32 *)palloc0(sizeof(int32) * (natts + 1)); /* by attribute number */
	AttrNumber attno = info->ii_IndexAttrNumbers[vector_column];
	if (attno > 0)
	{
		Form_pg_attribute att = TupleDescAttr(RelationGetDescr(heap), attno - 1);
		Size size = value_size;
		bool out_of_line = att->attstorage != TYPSTORAGE_PLAIN &&
		                   MAXALIGN(SizeofHeapTupleHeader) + size > TOAST_TUPLE_THRESHOLD;
		widths[attno] = (int32)(out_of_line ? TOAST_POINTER_SIZE : size);
	}
	BlockNumber pages;
	double tuples, allvisfrac;
	estimate_rel_size(heap, widths, &pages, &tuples, &allvisfrac);
	pfree(widths);
	return pages > 0 ? std::rint(tuples / pages * nblocks) : 0;
}

/*
 * Workers for the build. PostgreSQL 15 plans workers only for btree (index_build
 * leaves ii_ParallelWorkers at 0 for other access methods), so the build asks the
 * planner itself, as pgvector does: plan_create_index_workers gives none in a
 * standalone backend, for a temporary table or for expressions or a predicate that
 * are not parallel safe; the table's parallel_workers option when set (within
 * max_parallel_maintenance_workers, whatever the memory, as for btree); otherwise a
 * count from the heap's pages, cut until each participant keeps 32 MB of
 * maintenance_work_mem. The heap's pages undercount a table whose vectors live in
 * TOAST (60,000 x 784 dimensions: 442 pages), while the graph is the costly part:
 * so when the planner finds the heap too small and nothing else rules workers out,
 * the rows decide: one worker from 10,000, one more each time they triple, within
 * the same limits.
 */
int plan_workers(Relation heap, Relation index, double rows)
{
	int planned = plan_create_index_workers(RelationGetRelid(heap), RelationGetRelid(index));
	if (planned > 0 || !IsUnderPostmaster || max_parallel_maintenance_workers == 0 ||
	    RelationGetParallelWorkers(heap, -1) >= 0 ||
	    heap->rd_rel->relpersistence == RELPERSISTENCE_TEMP ||
	    RelationGetIndexExpressions(index) != NIL || RelationGetIndexPredicate(index) != NIL)
		return planned;

	int workers = 0;
	for (double threshold = 10000; rows >= threshold; threshold *= 3)
		workers++;
	workers = Min(workers, max_parallel_maintenance_workers);
	while (workers > 0 && maintenance_work_mem / (workers + 1) < 32768L)
		workers--;
	return workers;
}

#define HNSW_KEY_BUILD UINT64CONST(0xA000000000000001)
#define HNSW_KEY_GRAPH UINT64CONST(0xA000000000000002)
#define HNSW_KEY_QUERY_TEXT UINT64CONST(0xA000000000000003)

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
	bs.pb = pb;
	bs.arena_is_limit = pb->arena_is_limit;
	bs.rows_estimated = pb->rows_estimated;
	bs.is_leader = is_leader;
	check_index_definition(index, &bs.cols, &bs.dimensions, &bs.m, &bs.ef_construction);
	init_distances(&bs);
	bs.tuple_context =
	    AllocSetContextCreate(CurrentMemoryContext, "hnsw build tuple", ALLOCSET_DEFAULT_SIZES);
	HnswMemAttach(&bs.graph, graph_shared, arena_of(graph_shared), &bs.graph_dist, &bs.cols, bs.m,
	              bs.ef_construction);
	bs.value_slots = graph_shared->value_slots;

	MemoryContext context = CurrentMemoryContext;
	start_batch(&bs, context, pb->batch_bytes);

	IndexInfo *info = BuildIndexInfo(index);
	info->ii_Concurrent = pb->concurrent;
	TableScanDesc scan = table_beginscan_parallel(heap, parallel_scan_of(pb));
	double heap_tuples = table_index_build_scan(heap, index, info, true, is_leader, build_callback,
	                                            (void *)&bs, scan);
	insert_batch(&bs, context);
	HnswBatchDestroy(bs.batch);
	MemoryContextDelete(bs.row_context);

	SpinLockAcquire(&pb->mutex);
	pb->heap_tuples += heap_tuples;
	pb->index_tuples += bs.index_tuples;
	SpinLockRelease(&pb->mutex);
	MemoryContextDelete(bs.tuple_context);
}

/* How a parallel build ended. */
enum ParallelOutcome
{
	PARALLEL_NOT_RUN,   /* no shared memory or no worker to be had: build serially */
	PARALLEL_IN_MEMORY, /* the whole graph is in bs->graph, to be written out */
	PARALLEL_ON_DISK    /* the graph was written out and the rest inserted on disk */
};

/*
 * Builds the graph with parallel workers into a shared arena of arena_bytes. If it
 * stayed in memory, the graph is copied into local memory for the write phase
 * (bs->graph).
 */
ParallelOutcome build_parallel(BuildState *bs, IndexInfo *info, int workers, Size arena_bytes,
                               Size batch_bytes, double *heap_tuples)
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
		return PARALLEL_NOT_RUN;
	}

	HnswParallelBuild *pb = (HnswParallelBuild *)shm_toc_allocate(pcxt->toc, build_size);
	pb->heap_oid = RelationGetRelid(bs->heap);
	pb->index_oid = RelationGetRelid(bs->index);
	pb->concurrent = info->ii_Concurrent;
	pb->arena_is_limit = bs->arena_is_limit;
	pb->rows_estimated = bs->rows_estimated;
	pb->batch_bytes = batch_bytes;
	SpinLockInit(&pb->mutex);
	pb->heap_tuples = 0;
	pb->index_tuples = 0;
	pb->flushed = false;
	table_parallelscan_initialize(bs->heap, parallel_scan_of(pb), snapshot);
	shm_toc_insert(pcxt->toc, HNSW_KEY_BUILD, pb);

	HnswMemShared *graph_shared = (HnswMemShared *)shm_toc_allocate(pcxt->toc, graph_size);
	HnswMemInitShared(graph_shared, arena_bytes, bs->value_slots);
	LWLockInitialize(&pb->flush_lock, graph_shared->lock_tranche);
	shm_toc_insert(pcxt->toc, HNSW_KEY_GRAPH, graph_shared);

	char *query = (char *)shm_toc_allocate(pcxt->toc, query_len + 1);
	if (query_len > 0)
		memcpy(query, debug_query_string, query_len);
	query[query_len] = '\0';
	shm_toc_insert(pcxt->toc, HNSW_KEY_QUERY_TEXT, query);

	LaunchParallelWorkers(pcxt);
	if (pcxt->nworkers_launched == 0)
	{
		/* No worker slot free: a serial build in local memory does better than a lone leader.
		 */
		WaitForParallelWorkersToFinish(pcxt);
		if (IsMVCCSnapshot(snapshot))
			UnregisterSnapshot(snapshot);
		DestroyParallelContext(pcxt);
		ExitParallelMode();
		return PARALLEL_NOT_RUN;
	}
	ereport(DEBUG1, (errmsg("using %d parallel workers", pcxt->nworkers_launched)));
	participate(pb, graph_shared, bs->heap, bs->index, true);
	WaitForParallelWorkersToFinish(pcxt);

	ParallelOutcome outcome = pb->flushed ? PARALLEL_ON_DISK : PARALLEL_IN_MEMORY;
	if (outcome == PARALLEL_IN_MEMORY)
	{
		/* The write phase runs in the leader alone: the graph moves to local memory. */
		HnswMemCopyLocal(&bs->graph, graph_shared, arena_of(graph_shared), &bs->graph_dist,
		                 &bs->cols, bs->m, bs->ef_construction);
	}
	else
		bs->on_disk = true;
	bs->index_tuples = pb->index_tuples;
	*heap_tuples = pb->heap_tuples;

	if (IsMVCCSnapshot(snapshot))
		UnregisterSnapshot(snapshot);
	DestroyParallelContext(pcxt);
	ExitParallelMode();
	return outcome;
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
	init_distances(&bs);

	MemoryContext build_context =
	    AllocSetContextCreate(CurrentMemoryContext, "hnsw build", ALLOCSET_DEFAULT_SIZES);
	MemoryContext old = MemoryContextSwitchTo(build_context);
	bs.tuple_context =
	    AllocSetContextCreate(build_context, "hnsw build tuple", ALLOCSET_DEFAULT_SIZES);

	bs.value_slots =
	    write_metapage(index, bs.fork, &bs.cols, bs.dimensions, bs.m, bs.ef_construction, false);

	bool analyzed;
	double rows =
	    estimate_heap_rows(heap, info, bs.cols.vector_column, bs.graph_dist.value_size, &analyzed);
	/* The batches of rows waiting to be inserted take a sixteenth, the graph the rest. */
	Size batch_bytes = (Size)maintenance_work_mem * 1024 / 16;
	Size limit = (Size)maintenance_work_mem * 1024 - batch_bytes;
	pgstat_progress_update_param(PROGRESS_CREATEIDX_SUBPHASE, HNSW_PHASE_LOAD);
	pgstat_progress_update_param(PROGRESS_CREATEIDX_TUPLES_TOTAL, (int64)rows);

	/*
	 * The shared graph gets what the estimate says it needs, with a margin (wider
	 * when the density is a guess from column widths), within maintenance_work_mem;
	 * the memory is committed when the segment is created, so a small table does not
	 * take all of a large maintenance_work_mem.
	 */
	double graph_bytes = (double)HnswMemExpectedBytes(rows, bs.m, bs.graph_dist.value_size,
	                                                  bs.value_slots, 32 * bs.cols.nfilters);
	double wanted = graph_bytes * (analyzed ? 1.25 : 2.0) + (1 << 20);
	Size arena_bytes = wanted >= (double)limit ? limit : (Size)wanted;
	bs.arena_is_limit = arena_bytes == limit;
	bs.rows_estimated = rows;

	int workers = plan_workers(heap, index, rows);
	ereport(DEBUG1, (errmsg("hnsw build: %.0f rows estimated (%s), %d parallel workers planned",
	                        rows, analyzed ? "from statistics" : "from the heap's size", workers)));

	instr_time clock;
	INSTR_TIME_SET_CURRENT(clock);
	double heap_tuples = 0;
	ParallelOutcome outcome = PARALLEL_NOT_RUN;
	if (workers > 0)
		outcome = build_parallel(&bs, info, workers, arena_bytes, batch_bytes / (workers + 1),
		                         &heap_tuples);
	if (outcome == PARALLEL_NOT_RUN)
	{
		bs.index_tuples = 0;
		bs.arena_is_limit = true; /* a local arena grows up to maintenance_work_mem */
		HnswMemInitLocal(&bs.graph, &bs.graph_dist, &bs.cols, bs.m, bs.ef_construction,
		                 bs.value_slots, bs.graph_dist.value_size, limit, rows);
		start_batch(&bs, build_context, batch_bytes);
		heap_tuples = table_index_build_scan(heap, index, info, true, true, build_callback,
		                                     (void *)&bs, NULL);
		insert_batch(&bs, build_context);
	}
	/* The estimate has served; from here on the count is known (workers may have added
	 * tuples after the leader's last report). */
	const int progress_index[] = {PROGRESS_CREATEIDX_TUPLES_TOTAL, PROGRESS_CREATEIDX_TUPLES_DONE};
	const int64 progress_value[] = {(int64)bs.index_tuples, (int64)bs.index_tuples};
	pgstat_progress_update_multi_param(2, progress_index, progress_value);

	ereport(DEBUG2, (errmsg("hnsw build: %.0f tuples inserted in %.3f s%s", bs.index_tuples,
	                        lap_seconds(&clock), bs.on_disk ? " (spilled to disk)" : "")));
	if (!bs.on_disk)
		finish_graph(&bs);
	else
	{
		/*
		 * The rows inserted page by page after the spill cut some elements off, as inserts
		 * do (Fashion-MNIST at 64 MB: 239 of 60,000 floats, 516 in bits): the repair
		 * VACUUM runs links them back before anyone searches.
		 */
		HnswReachStats reach;
		HnswRepairReachability(index, &reach, true);
		ereport(DEBUG2, (errmsg("hnsw build: reachability repair after the spill %.3f s (%llu "
		                        "elements linked, %llu left)",
		                        lap_seconds(&clock), (unsigned long long)reach.linked,
		                        (unsigned long long)reach.left)));
	}

	if (RelationNeedsWAL(index))
	{
		lap_seconds(&clock);
		log_newpage_range(index, MAIN_FORKNUM, 0, RelationGetNumberOfBlocks(index), true);
		ereport(DEBUG2, (errmsg("hnsw build: WAL written in %.3f s", lap_seconds(&clock))));
	}

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
		Buffer metabuf =
		    ReadBufferExtended(index, INIT_FORKNUM, HNSW_METAPAGE_BLKNO, RBM_NORMAL, NULL);
		LockBuffer(metabuf, BUFFER_LOCK_EXCLUSIVE);
		HnswMetaPage meta = HnswPageGetMeta(BufferGetPage(metabuf));
		HnswDirRef dirs[HNSW_MAX_FILTERS];
		for (int f = 0; f < cols.nfilters; f++)
		{
			dirs[f] = HnswDirRef{InvalidBlockNumber, 0};
			if (f != cols.partition && !HnswFilterIsChained(meta->version, &cols, f))
				continue;
			dirs[f].pages = HnswDirPagesFor(0);
			dirs[f].start = HnswDirWrite(index, INIT_FORKNUM, NULL, 0, dirs[f].pages);
		}
		HnswSetDirectories(meta, &cols, dirs);
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

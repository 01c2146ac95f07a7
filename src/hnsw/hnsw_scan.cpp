/*
 * hnsw_scan.cpp: ordered index scans, streamed for as long as the executor asks,
 * with filters on the index's filter columns applied inside the index.
 *
 * Without a filter, the scan descends the upper levels greedily, then walks level
 * 0 best-first. It keeps a window of the ef_search nearest results not yet
 * returned; when the walk converges (the nearest unexpanded node is farther than the
 * window's farthest), the window is returned in distance order. With
 * hnsw.iterative_scan on, the next window is refilled from the results seen but not
 * returned, the walk resumes from the nodes not yet expanded, and so on until the
 * graph is exhausted, hnsw.max_scan_tuples elements have been examined, or the
 * scan's memory passes work_mem * hnsw.scan_mem_multiplier.
 *
 * With scan keys on filter columns (a WHERE clause, or a row-level security policy
 * `col <@ scope`), the scan chooses by the size of the scope, which the partition
 * directory knows before anything is read:
 *   exact   a scope of at most hnsw.exact_scan_limit elements is read whole by
 *           walking its partition chains: every match, in exact order (recall 1);
 *   graph   a larger scope is walked through its own elements only, starting both
 *           near the query (the unfiltered descent) and inside the scope (the
 *           directory's entry per value). If that walk runs dry before the executor
 *           has enough rows, the rest of the scope is read exactly: a filtered scan
 *           never comes back short while matching rows remain.
 * Filters that do not restrict the partition column (a jsonb payload, another
 * column) walk the whole graph, returning only matches, up to
 * hnsw.max_filtered_scan_tuples elements, then read the rest of the index exactly.
 * Filtered scans always continue past the first window, whatever
 * hnsw.iterative_scan says.
 *
 * Conditions the index does not take. A policy's scope on a column this index does
 * not have, or a WHERE clause on another column, is a Filter that the executor
 * applies above the scan (hnsw_executor.cpp tells the scan so). Such a scan streams
 * like an iterative scan, whatever hnsw.iterative_scan says, until the executor
 * stops asking; once its walk has examined a tenth of the index or
 * hnsw.max_scan_tuples elements, whichever is fewer (or its memory passes the
 * iterative scans' limit), it reads the rest of the index exactly,
 * page by page, into the overflow, and returns everything left in exact order. So
 * no layout of indexes makes a token's result short: the worst case is one exact
 * read of the index. The cost estimate (hnsw_am.cpp) charges this stream, so the
 * planner prefers an index that takes the condition, or an exact plan.
 *
 * Order: within a window results are exact; across windows relaxed_order may return
 * a closer row after a farther one, strict_order drops such rows instead.
 *
 * Concurrency: pages are read one at a time; heap TIDs are read again when an
 * element is returned, so TIDs removed by vacuum in between are not returned. TIDs
 * vacuum removes after that are safe because the scan's snapshot is MVCC: a reused
 * heap slot holds a tuple the snapshot cannot see. Chain walks hold HNSW_SCAN_LOCK.
 */
#include "hnsw/hnsw.h"
#include "hnsw/hnsw_directory.h"
#include "hnsw/hnsw_disk.h"
#include "hnsw/hnsw_filter.h"
#include "hnsw/hnsw_rerank.h"

extern "C"
{
#include "access/relscan.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "storage/bufmgr.h"
#include "storage/lmgr.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
}

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstring>

namespace
{

/* Flags kept per visited element. */
#define VISITED_RESULT 0x01 /* added to the results (window or overflow) */

/*
 * How much wider than ef_search a walk confined to a scope keeps its window: for one
 * partition value, and for several (whose walk shares one window among the values).
 * Measured on Fashion-MNIST (docs/performance.md, "0.9.1: scopes of several values").
 */
#define HNSW_SCOPE_EF_FACTOR 4
#define HNSW_SCOPES_EF_FACTOR 8

/*
 * A filter the walk cannot stay inside (no partition scope) is walked through the
 * whole graph, each element a random page and a distance; reading the index exactly
 * costs a sequential page per two elements and a distance per match. Once the walk's
 * pass rate, measured over at least HNSW_PASS_SAMPLE elements, says that filling its
 * first window would walk more than HNSW_WALK_SHARE of the index, the scan reads the
 * index exactly instead (measured in docs/hnsw.md).
 */
#define HNSW_PASS_SAMPLE 500
#define HNSW_WALK_SHARE 0.25

/* The share of the index a stream under an executor's Filter walks before it reads the rest. */
#define HNSW_STREAM_SHARE 0.1

/* At most this many partition values are looked up in the directory. */
#define MAX_SCOPE_VALUES 1024

typedef enum ScanMode
{
	MODE_GRAPH,
	MODE_EXACT,
	MODE_UNORDERED
} ScanMode;

typedef struct HnswScanState
{
	MemoryContext context; /* reset by every rescan */
	HnswDistance dist;
	HnswColumns cols;
	HnswMetaPageData meta;
	HnswFilter filter;
	HnswReadFilter read_filter;
	bool filtered;
	bool stream;       /* the executor filters the rows: keep producing them, never short */
	bool measure_rows; /* the node projects each returned row's distance from the scan */
	HnswValue *query;  /* NULL: no ordering (NULL or zero query) */
	HnswQueryBound query_bound; /* a quantized index's: for the executor's re-check */
	bool started;
	bool exhausted;
	ScanMode mode;

	/* level-0 walk */
	HnswMinHeap frontier;      /* discovered, not yet expanded */
	HnswMinHeap overflow;      /* results beyond the window, not yet returned */
	HnswDiskCandidate *window; /* the nearest results not yet returned, sorted */
	int window_capacity;
	int window_count;
	int window_next; /* next window entry to return */
	/*
	 * A quantized index's window, ranked by what each row's exact distance cannot be
	 * below (its lower bound, window_lower[i]): the executor releases rows in exact
	 * order only if those bounds never decrease.
	 */
	bool window_ranked;
	double *window_lower;
	/*
	 * A binary index's window is ranked by its rows' exact distances instead, measured
	 * from the table (hnsw_rerank.cpp), in a context reset after each row.
	 */
	bool reranked;
	HnswReranker reranker;
	MemoryContext rerank_context;
	int ef;
	HnswTidSet visited;
	ItemPointerData *links;
	int64 examined; /* elements whose distance was computed on level 0 */
	int64 passing;  /* of those, the ones the filter accepts */
	double index_tuples;
	Size memory_limit;
	bool memory_exceeded;
	bool passing_only; /* expand only elements the filter accepts (or of the walked scope) */
	int scope_links;   /* the links a walk confined to a scope follows (HnswReadLinks' level) */
	bool narrowed;     /* the filter keeps only some of the walked scope's elements */
	HnswFilter scope_filter; /* the walked scope alone, which a narrowed walk goes through */
	bool read_rest;          /* the rest of the scope (or index) was read exactly already */

	/*
	 * The scope a walk stays in: the partition column's when the filter restricts it, or
	 * the smallest scope of another column with value links (version 4) when smaller.
	 */
	int scope_filter_column; /* its filter number */
	int nscope;
	HnswDirEntryData *scope;
	int64 scope_count;
	/* the smallest scope of another restricted column with a chain directory (version 3) */
	int chain_filter; /* its filter number, or -1 */
	int nchain;
	HnswDirEntryData *chain;
	int64 chain_count;

	/* results being returned */
	ItemPointerData heaptids[HNSW_HEAPTIDS];
	int nheaptids;
	int next_heaptid;
	float last_distance;
	double last_lower_bound; /* a quantized index's: what the element's rows cannot beat */
	bool returned_any;
	float row_distance; /* the current row's exact distance, when measure_rows */
	bool row_measured;

	/* no-ordering walk over the pages */
	BlockNumber walk_block;
	OffsetNumber walk_offset;
	int64 walk_elements;
} HnswScanState;

bool iterative(const HnswScanState *so)
{
	return so->filtered || so->stream || hnsw_iterative_scan != HNSW_ITERATIVE_SCAN_OFF;
}

/*
 * Whether the scan must return every match before it ends: with scan keys of its
 * own, or under a Filter of the executor's. Such a scan reads the rest of its
 * scope, or of the index, exactly once its walk runs dry or is spent.
 */
bool complete(const HnswScanState *so)
{
	return so->filtered || so->stream;
}

Size scan_memory(const HnswScanState *so)
{
	return so->frontier.items.bytes() + so->overflow.items.bytes() + HnswTidSetBytes(&so->visited);
}

/* Adds a result: into the window if it is among the ef nearest, else to the overflow. */
void add_result(HnswScanState *so, const HnswDiskCandidate &c)
{
	HnswDiskCandidate *w = so->window;

	if (!c.exact)
	{
		/* A lower bound beyond the window: its exact distance waits until it is needed. */
		so->overflow.push(c);
		return;
	}
	if (so->window_count == so->ef)
	{
		if (c.distance >= w[so->ef - 1].distance)
		{
			so->overflow.push(c);
			return;
		}
		so->overflow.push(w[so->ef - 1]);
		so->window_count--;
	}
	int i = so->window_count;
	while (i > 0 && w[i - 1].distance > c.distance)
	{
		w[i] = w[i - 1];
		i--;
	}
	w[i] = c;
	so->window_count++;
}

/* Takes in an element met during the walk (read with the scan's filter). */
void found_element(HnswScanState *so, const ItemPointerData *tid, const HnswElementInfo *info)
{
	so->examined++;
	if (info->passes)
		so->passing++;
	if (!info->in_scope && so->passing_only)
		return; /* outside the scope: not a result, not a way through */
	HnswDiskCandidate c;
	c.distance = info->distance;
	c.element = *tid;
	c.neighbors = info->neighbors;
	c.exact = info->exact;
	/*
	 * A scan of one window never expands a node farther than the window's farthest,
	 * which only comes closer, nor returns it: keeping it would only grow the heaps.
	 */
	if (!iterative(so) && so->window_count == so->ef &&
	    c.distance > so->window[so->ef - 1].distance)
		return;
	so->frontier.push(c);
	if (info->passes && !info->deleted)
	{
		if (complete(so))
		{
			/* Only the exact reads of a complete scan ask whether a node was returned. */
			bool added;
			*HnswTidSetAdd(&so->visited, HnswTidKey(tid), &added) |= VISITED_RESULT;
		}
		add_result(so, c);
	}
}

/* Reads elements not seen yet and takes them in. */
void read_and_take(HnswScanState *so, Relation index, ItemPointerData *tids, int n, float bound)
{
	bool added;
	int fresh = 0;
	for (int i = 0; i < n; i++)
	{
		HnswTidSetAdd(&so->visited, HnswTidKey(&tids[i]), &added);
		if (added)
			tids[fresh++] = tids[i];
	}
	HnswElementInfo infos[2 * HNSW_MAX_M];
	bool found[2 * HNSW_MAX_M];
	for (int start = 0; start < fresh; start += 2 * HNSW_MAX_M)
	{
		int count = Min(fresh - start, 2 * HNSW_MAX_M);
		HnswReadElements(index, &so->dist, so->query, tids + start, count, infos, found, bound,
		                 so->filtered ? &so->read_filter : NULL);
		for (int i = 0; i < count; i++)
			if (found[i])
				found_element(so, &tids[start + i], &infos[i]);
	}
}

bool over_budget(HnswScanState *so)
{
	if (so->filtered)
	{
		if (so->examined >= hnsw_max_filtered_scan_tuples)
			return true;
		if ((so->passing_only && !so->narrowed) || so->read_rest || so->returned_any ||
		    so->examined < HNSW_PASS_SAMPLE || so->window_count >= so->ef)
			return false;
		/*
		 * The walk meets matches too seldom: filling its first window would walk more
		 * than a share of what an exact read reads (the scope's chains, or the index).
		 */
		double to_fill = (double)so->examined * so->ef / (double)Max(so->passing, 1);
		double exact = so->passing_only ? (double)so->scope_count : so->index_tuples;
		if (so->chain_filter >= 0)
			exact = Min(exact, (double)so->chain_count);
		return to_fill > exact * HNSW_WALK_SHARE;
	}
	if (iterative(so) && scan_memory(so) > so->memory_limit)
	{
		so->memory_exceeded = true;
		return true;
	}
	/*
	 * A stream the executor keeps asking for has met few rows its filter passes near
	 * the query: past a tenth of the index (or hnsw.max_scan_tuples) the walk costs
	 * more than reading the rest exactly (measured in docs/hnsw.md).
	 */
	double budget = Min((double)hnsw_max_scan_tuples, so->index_tuples * HNSW_STREAM_SHARE);
	/* a binary index's walk keeps hnsw.rerank_factor times the window: so much more budget */
	if (so->reranked)
		budget *= hnsw_rerank_factor;
	return so->stream && so->examined >= budget;
}

/* Walks level 0 until the nearest unexpanded node is farther than the window. */
void converge(HnswScanState *so, Relation index)
{
	while (!so->frontier.empty())
	{
		const HnswDiskCandidate &top = so->frontier.top();
		if (so->window_count == so->ef && top.distance > so->window[so->ef - 1].distance)
			break;
		HnswDiskCandidate c = so->frontier.pop();

		int n = HnswReadLinks(index, &c.neighbors, so->passing_only ? so->scope_links : 0,
		                      so->meta.m, so->links);
		float bound = so->window_count == so->ef ? so->window[so->ef - 1].distance : INFINITY;
		read_and_take(so, index, so->links, n, bound);
		CHECK_FOR_INTERRUPTS();
		if (over_budget(so))
			break;
	}
}

/* Adds an element read from its page to the overflow with its exact distance, as a result. */
void add_exact(HnswScanState *so, HnswElementTuple etup, ItemPointerData tid, uint8 *flags)
{
	HnswDiskCandidate c;
	if (so->query)
	{
		HnswCheckElementValue(&so->dist, HnswElementValue(etup));
		c.distance = HnswValueDistance(&so->dist, so->query, HnswElementValue(etup));
	}
	else
		c.distance = 0;
	c.element = tid;
	c.neighbors = etup->neighbortid;
	c.exact = true;
	*flags |= VISITED_RESULT;
	so->overflow.push(c);
	so->examined++;
}

/*
 * Reads every element of a scope (the chains of filter f's values, entries[]) that
 * the walk has not already taken, with its exact distance, into the overflow. Used
 * for a small scope up front (exact mode), and for what a graph walk left behind.
 * Any restricted column's scope holds every match, so the smallest one is read.
 */
void read_chains(HnswScanState *so, Relation index, int f, HnswDirEntryData *entries, int n)
{
	bool added;
	HnswDirRef dir = HnswDirOf(&so->meta, &so->cols, f);

	LockPage(index, HNSW_SCAN_LOCK, ShareLock);
	for (int v = 0; v < n; v++)
	{
		/* The head as it is now, under the lock: vacuum may have moved it since the lookup. */
		HnswDirEntryData fresh;
		if (!HnswDirLookup(index, dir, entries[v].key, &fresh))
			continue;
		if (f != so->cols.partition)
			HnswDirSettleHead(index, &so->cols, f, &fresh);
		entries[v] = fresh;
		ItemPointerData tid = fresh.head;
		int64 steps = 0;
		/* A chain is as long as its count, and a damaged one is cut short, never followed forever.
		 */
		int64 limit = (int64)fresh.count * 2 + 1000;
		while (ItemPointerIsValid(&tid) && steps++ < limit)
		{
			Buffer buf = HnswReadBufferRecent(index, ItemPointerGetBlockNumber(&tid));
			LockBuffer(buf, BUFFER_LOCK_SHARE);
			HnswElementTuple etup =
			    HnswElementAt(BufferGetPage(buf), ItemPointerGetOffsetNumber(&tid));
			if (etup == NULL)
			{
				UnlockReleaseBuffer(buf);
				break;
			}
			const char *filters = HnswElementFilters(etup);
			int64 key;
			if (!HnswFilterKey(&so->cols, filters, f, &key) || key != fresh.key)
			{
				UnlockReleaseBuffer(buf);
				break; /* the chain leads elsewhere: stop rather than read another value */
			}
			uint8 *flags = HnswTidSetAdd(&so->visited, HnswTidKey(&tid), &added);
			if (!(*flags & VISITED_RESULT) && !(etup->flags & HNSW_ELEMENT_DELETED) &&
			    HnswFilterMatches(&so->filter, &so->cols, filters))
				add_exact(so, etup, tid, flags);
			ItemPointerData next = HnswChainNext(etup, &so->cols, f);
			UnlockReleaseBuffer(buf);
			tid = next;
			if ((steps & 255) == 0)
				CHECK_FOR_INTERRUPTS();
		}
	}
	UnlockPage(index, HNSW_SCAN_LOCK, ShareLock);
	so->read_rest = true;
}

/* Whether the smallest scope to read exactly is another column's rather than the partition's. */
bool chain_is_smaller(const HnswScanState *so)
{
	return so->chain_filter >= 0 && (so->scope == NULL || so->chain_count < so->scope_count);
}

/* Reads the smallest scope whole (see read_chains). */
void read_scope(HnswScanState *so, Relation index)
{
	if (chain_is_smaller(so))
		read_chains(so, index, so->chain_filter, so->chain, so->nchain);
	else
		read_chains(so, index, so->scope_filter_column, so->scope, so->nscope);
}

/*
 * Reads every element of the index that the filter accepts and that is not a
 * result yet, with its exact distance, into the overflow: what a scan that must be
 * complete does when its walk ran dry or was spent (an exact scan of the index,
 * page by page; the elements no link reaches are among them).
 */
void read_all(HnswScanState *so, Relation index)
{
	BlockNumber nblocks = RelationGetNumberOfBlocks(index);
	bool added;

	for (BlockNumber blk = HNSW_METAPAGE_BLKNO + 1; blk < nblocks; blk++)
	{
		Buffer buf = HnswReadBufferRecent(index, blk);
		LockBuffer(buf, BUFFER_LOCK_SHARE);
		Page page = BufferGetPage(buf);
		OffsetNumber max =
		    HnswIsDataPage(page) ? PageGetMaxOffsetNumber(page) : InvalidOffsetNumber;
		for (OffsetNumber off = FirstOffsetNumber; off <= max; off++)
		{
			HnswElementTuple etup = HnswElementAt(page, off);
			if (etup == NULL || (etup->flags & HNSW_ELEMENT_DELETED))
				continue;
			if (so->filtered &&
			    !HnswFilterMatches(&so->filter, &so->cols, HnswElementFilters(etup)))
				continue;
			ItemPointerData tid;
			ItemPointerSet(&tid, blk, off);
			uint8 *flags = HnswTidSetAdd(&so->visited, HnswTidKey(&tid), &added);
			if (!(*flags & VISITED_RESULT))
				add_exact(so, etup, tid, flags);
		}
		UnlockReleaseBuffer(buf);
		CHECK_FOR_INTERRUPTS();
	}
	so->read_rest = true;
}

/*
 * Reads what the walk left behind: the rest of the smallest scope when there is one
 * (its chains cost a random page per element, so not when it is most of the index),
 * else of the index.
 */
void read_rest(HnswScanState *so, Relation index)
{
	if (so->passing_only ||
	    (so->chain_filter >= 0 && so->chain_count <= so->index_tuples * HNSW_WALK_SHARE))
		read_scope(so, index);
	else
		read_all(so, index);
}

/* Looks the partition values of the filter up in the directory. */
void load_scope(HnswScanState *so, Relation index)
{
	so->nscope = 0;
	so->scope_count = 0;
	so->scope = NULL;
	so->scope_filter_column = so->cols.partition;
	if (!so->filter.partitioned || so->filter.npartition_keys > MAX_SCOPE_VALUES ||
	    so->meta.dir_pages == 0)
		return;
	so->scope =
	    (HnswDirEntryData *)palloc(sizeof(HnswDirEntryData) * Max(so->filter.npartition_keys, 1));
	for (int i = 0; i < so->filter.npartition_keys; i++)
	{
		HnswDirEntryData e;
		if (HnswDirLookup(index, HnswPartitionDir(&so->meta), so->filter.partition_keys[i], &e) &&
		    e.count > 0)
		{
			so->scope[so->nscope++] = e;
			so->scope_count += e.count;
		}
	}
}

/*
 * Looks the keys of every other restricted column with a chain directory up, and
 * keeps the smallest scope (chain_filter -1 when there is none). A column none of
 * whose keys any element has makes the scan empty (chain_count 0).
 */
void load_chain_scope(HnswScanState *so, Relation index)
{
	so->chain_filter = -1;
	HnswDirEntryData *entries = NULL;
	for (int f = 0; f < so->cols.nfilters; f++)
	{
		HnswDirRef dir = HnswDirOf(&so->meta, &so->cols, f);
		if (f == so->cols.partition || dir.pages == 0 || !so->filter.restricted[f] ||
		    so->filter.nkeys_of[f] > MAX_SCOPE_VALUES)
			continue;
		if (entries == NULL)
			entries = (HnswDirEntryData *)palloc(sizeof(HnswDirEntryData) * MAX_SCOPE_VALUES);
		int n = 0;
		int64 count = 0;
		for (int i = 0; i < so->filter.nkeys_of[f]; i++)
		{
			HnswDirEntryData e;
			/*
			 * Not settled here: an interrupted insert's head counts one too many, which
			 * only sizes the choice; read_chains settles the head it walks from.
			 */
			if (!HnswDirLookup(index, dir, so->filter.keys_of[f][i], &e))
				continue;
			if (e.count == 0)
				continue;
			entries[n++] = e;
			count += e.count;
		}
		if (so->chain_filter >= 0 && count >= so->chain_count)
			continue;
		so->chain_filter = f;
		so->chain_count = count;
		so->nchain = n;
		std::swap(so->chain, entries);
	}
	if (entries != NULL)
		pfree(entries);
}

/* Whether the walk has nothing left to expand. */
bool dry(const HnswScanState *so)
{
	return so->frontier.empty();
}

/* A window of n candidates (the scan's memory context is current). */
void widen_window(HnswScanState *so, int n)
{
	so->ef = n;
	so->window = (HnswDiskCandidate *)palloc(sizeof(HnswDiskCandidate) * n);
	so->window_capacity = n;
}

/*
 * After an exact read (a small scope up front, or what a walk left behind) the overflow
 * holds what was read. A binary index measured it by its bits: its next window takes all
 * of it, so that the re-ranking orders the whole read exactly, as an exact read promises
 * (windows cut in the bits' order would each be exact, not the whole).
 */
void rerank_exact_read_whole(HnswScanState *so)
{
	if (so->reranked && so->overflow.size() > so->ef)
		widen_window(so, so->overflow.size());
}

/* First call: pick the mode, then take the first window. */
void start_scan(HnswScanState *so, Relation index)
{
	/* Never counted (-1): take the index as too large to read whole. */
	so->index_tuples =
	    index->rd_rel->reltuples >= 0 ? Max((double)index->rd_rel->reltuples, 1.0) : DBL_MAX;
	if (so->filtered)
	{
		load_scope(so, index);
		load_chain_scope(so, index);
		bool scoped = so->filter.partitioned && so->filter.npartition_keys <= MAX_SCOPE_VALUES &&
		              so->meta.dir_pages > 0;
		if ((scoped && so->nscope == 0) || (so->chain_filter >= 0 && so->nchain == 0))
		{
			so->exhausted = true; /* no element has any of the values */
			return;
		}
		if (chain_is_smaller(so) &&
		    HnswHasValueLinks(&so->cols, so->chain_filter, so->meta.m, so->meta.value_slots))
		{
			/* The smaller scope has value links: the walk stays in it (it is the scope now). */
			so->scope_filter_column = so->chain_filter;
			so->scope = so->chain;
			so->nscope = so->nchain;
			so->scope_count = so->chain_count;
			scoped = true;
		}
		bool chain = chain_is_smaller(so);
		int64 smallest = chain ? so->chain_count : so->scope_count;
		if ((scoped || so->chain_filter >= 0) &&
		    HnswReadScopeWhole((double)smallest, Min(so->ef, HNSW_MAX_EF_SEARCH),
		                       chain || so->nscope > 1, so->reranked))
		{
			if (smallest > hnsw_exact_scan_limit)
				elog(DEBUG2,
				     "hnsw scan of \"%s\": a scope of %lld elements is read whole, cheaper than "
				     "a walk at ef_search %d",
				     RelationGetRelationName(index), (long long)smallest, so->ef);
			so->mode = MODE_EXACT;
			read_scope(so, index);
			rerank_exact_read_whole(so);
			return; /* the windows come from the overflow, in exact order */
		}
		so->passing_only = scoped;
		so->read_filter.measure_rejected = !scoped;
		if (scoped && HnswFilterNarrowerThan(&so->filter, so->scope_filter_column))
		{
			/*
			 * Another clause keeps only part of the scope (a token scoped by both the
			 * partition column and another): the walk goes through the whole scope, whose
			 * value links connect it, and returns the matches; a walk through the matches
			 * alone loses its way between them (recall 0.95 on Fashion-MNIST, 10 % of a
			 * scope), and reads the scope exactly when they are rare (over_budget).
			 */
			HnswFilterColumnScope(&so->scope_filter, &so->cols, &so->filter,
			                      so->scope_filter_column);
			so->read_filter.scope = &so->scope_filter;
			so->narrowed = true;
		}
		if (scoped)
		{
			/*
			 * Within one value, value links lead to more of it than level 0's links
			 * alone. They never leave their value, though, so a walk of several values
			 * would go through each on its own, from its seeds, and the values nearest
			 * the query would fill the shared window before the walks of the others
			 * came near it (recall 0.87 for five labels of Fashion-MNIST): level 0's
			 * links among the scope's elements join the values where the query is.
			 */
			int slot = so->cols.value_slot[so->scope_filter_column];
			so->scope_links = so->nscope > 1 ? HnswScopeLevel(slot) : HnswValueLevel(slot);
			/*
			 * A query is seldom near the scope it searches (a tenant's rows are not the
			 * query's neighbors), and a walk confined to the scope converges short of
			 * the scope's nearest: a wider window restores the recall an unfiltered
			 * search has at ef_search.
			 */
			int factor = so->nscope > 1 ? HNSW_SCOPES_EF_FACTOR : HNSW_SCOPE_EF_FACTOR;
			widen_window(so, Min(so->ef, HNSW_MAX_EF_SEARCH) * factor);
		}
	}

	HnswDiskCandidate entry;
	if (!HnswEntryCandidate(index, &so->dist, so->query, &so->meta, &entry))
	{
		so->exhausted = true;
		return;
	}
	HnswSearchScratch scratch;
	scratch.links = so->links;
	ItemPointerData entry_point = entry.element;
	for (int l = so->meta.entry_level; l >= 1; l--)
		entry = HnswGreedyLevel(index, &so->dist, so->query, entry, l, so->meta.m, &scratch);

	/*
	 * Level 0 starts from where the descent ended, and from the entry point itself:
	 * level-0 links go one way, so what the descent's end reaches can be less than what
	 * the entry point reaches, which is what the checker and VACUUM's repair make whole.
	 * A walk that runs until the graph is exhausted (an iterative scan) then returns
	 * every element they count as reachable; a short one leaves the far entry point in
	 * its frontier, unexpanded (one element read more)...
	 */
	ItemPointerData seeds[2 * HNSW_MAX_M];
	seeds[0] = entry.element;
	int nstart = 1;
	if (!ItemPointerEquals(&entry_point, &entry.element))
		seeds[nstart++] = entry_point;
	read_and_take(so, index, seeds, nstart, INFINITY);
	if (so->passing_only)
	{
		/* ...from its neighbors inside the scope... */
		int n = HnswReadLinks(index, &entry.neighbors, 0, so->meta.m, so->links);
		read_and_take(so, index, so->links, n, INFINITY);
		/* ...and from inside the scope: every value's seeds, a sample spread over it. */
		int nseeds = 0;
		for (int v = 0; v < so->nscope && nseeds + HNSW_DIR_SEEDS <= 2 * HNSW_MAX_M; v++)
			for (int i = 0; i < so->scope[v].nseeds; i++)
				seeds[nseeds++] = so->scope[v].seeds[i];
		read_and_take(so, index, seeds, nseeds, INFINITY);
	}
	converge(so, index);
	if (complete(so) && so->window_count < so->ef && (dry(so) || over_budget(so)))
	{
		/* The walk found fewer matches than a window holds: the first window waits for the rest. */
		for (int i = 0; i < so->window_count; i++)
			so->overflow.push(so->window[i]);
		so->window_count = 0;
	}
}

/* Refills the window from the overflow and walks on; false when nothing is left. */
bool next_window(HnswScanState *so, Relation index)
{
	if (so->mode == MODE_GRAPH && !complete(so))
	{
		if (!iterative(so) || so->memory_exceeded || so->examined >= hnsw_max_scan_tuples)
			return false;
	}
	so->window_count = 0;
	so->window_next = 0;
	so->window_ranked = false;
	for (;;)
	{
		while (so->window_count < so->ef && !so->overflow.empty())
		{
			HnswDiskCandidate c = so->overflow.pop();
			if (!c.exact)
			{
				/* Only a lower bound so far: measure it and let it find its place. */
				HnswElementInfo info;
				if (HnswReadElement(index, &so->dist, so->query, &c.element, &info, NULL) &&
				    !info.deleted)
				{
					c.distance = info.distance;
					c.exact = true;
					so->overflow.push(c);
				}
				continue;
			}
			so->window[so->window_count++] = c;
		}
		if (so->mode == MODE_GRAPH && !so->read_rest && !over_budget(so))
			converge(so, index);
		/*
		 * A complete scan whose walk ran dry before it filled the window, or was spent,
		 * reads what no link led to (the rest of its scope, or of the index), and
		 * rebuilds the window from everything, in order: it is never short.
		 */
		bool walk_over = so->mode == MODE_GRAPH && !so->read_rest &&
		                 ((so->window_count < so->ef && dry(so)) || over_budget(so));
		if (complete(so) && walk_over)
		{
			read_rest(so, index);
			for (int i = so->window_next; i < so->window_count; i++)
				so->overflow.push(so->window[i]);
			so->window_count = 0;
			so->window_next = 0;
			rerank_exact_read_whole(so);
			continue;
		}
		if (so->window_count == so->ef)
			return true;
		return so->window_count > 0;
	}
}

/* The lower bound of an element's rows, from its page; -infinity when it is gone. */
double element_lower_bound(HnswScanState *so, Relation index, const HnswDiskCandidate *c)
{
	double lower = -INFINITY;
	Buffer buf = HnswReadBufferRecent(index, ItemPointerGetBlockNumber(&c->element));
	LockBuffer(buf, BUFFER_LOCK_SHARE);
	HnswElementTuple etup =
	    HnswElementAt(BufferGetPage(buf), ItemPointerGetOffsetNumber(&c->element));
	if (etup != NULL && !(etup->flags & HNSW_ELEMENT_DELETED))
	{
		HnswCheckElementValue(&so->dist, HnswElementValue(etup));
		lower = HnswQuantizedLowerBound(&so->dist, &so->query_bound, so->query, c->distance,
		                                HnswElementValue(etup));
	}
	UnlockReleaseBuffer(buf);
	return lower;
}

/*
 * Orders a quantized index's window by its rows' lower bounds. Bounds differ from the
 * walk's distances by what each element's stored value lost (int8 keeps a residual
 * per element; inner product's bound depends on the element's norm), so the walk's
 * order would hand the executor bounds that go down, and it would release a row before
 * a closer one.
 */
void rank_window(HnswScanState *so, Relation index)
{
	int n = so->window_count - so->window_next;
	if (so->window_lower == NULL)
		so->window_lower = (double *)palloc(sizeof(double) * so->window_capacity);
	struct Ranked
	{
		double lower;
		HnswDiskCandidate c;
	};
	Ranked *ranked = (Ranked *)palloc(sizeof(Ranked) * Max(n, 1));
	for (int i = 0; i < n; i++)
	{
		ranked[i].c = so->window[so->window_next + i];
		ranked[i].lower = element_lower_bound(so, index, &ranked[i].c);
	}
	/* ties in the walk's order: a deterministic answer, and no buffer to allocate */
	std::sort(ranked, ranked + n,
	          [](const Ranked &a, const Ranked &b)
	          {
		          if (a.lower != b.lower)
			          return a.lower < b.lower;
		          return HnswCloserFirst()(a.c, b.c);
	          });
	for (int i = 0; i < n; i++)
	{
		so->window[so->window_next + i] = ranked[i].c;
		so->window_lower[so->window_next + i] = ranked[i].lower;
	}
	pfree(ranked);
	so->window_ranked = true;
}

/*
 * Orders a binary index's window by its rows' exact distances, which replace the walk's
 * estimates; elements gone, or whose rows the snapshot does not see, leave the window.
 */
void rerank_window(HnswScanState *so, IndexScanDesc scan)
{
	Relation index = scan->indexRelation;
	int kept = so->window_next;
	for (int i = so->window_next; i < so->window_count; i++)
	{
		HnswDiskCandidate c = so->window[i];
		ItemPointerData heaptids[HNSW_HEAPTIDS];
		int nheaptids = 0;
		Buffer buf = HnswReadBufferRecent(index, ItemPointerGetBlockNumber(&c.element));
		LockBuffer(buf, BUFFER_LOCK_SHARE);
		HnswElementTuple etup =
		    HnswElementAt(BufferGetPage(buf), ItemPointerGetOffsetNumber(&c.element));
		if (etup != NULL && !(etup->flags & HNSW_ELEMENT_DELETED))
			for (int t = 0; t < HNSW_HEAPTIDS && ItemPointerIsValid(&etup->heaptids[t]); t++)
				heaptids[nheaptids++] = etup->heaptids[t];
		UnlockReleaseBuffer(buf);

		MemoryContext old = MemoryContextSwitchTo(so->rerank_context);
		bool seen = HnswRerankDistance(&so->reranker, scan, &so->dist, so->query, heaptids,
		                               nheaptids, &c.distance);
		MemoryContextSwitchTo(old);
		MemoryContextReset(so->rerank_context);
		if (seen)
			so->window[kept++] = c;
		CHECK_FOR_INTERRUPTS();
	}
	so->window_count = kept;
	/* ties in TID order: a deterministic answer */
	std::sort(so->window + so->window_next, so->window + so->window_count,
	          [](const HnswDiskCandidate &a, const HnswDiskCandidate &b)
	          {
		          if (a.distance != b.distance)
			          return a.distance < b.distance;
		          return ItemPointerCompare(const_cast<ItemPointer>(&a.element),
		                                    const_cast<ItemPointer>(&b.element)) < 0;
	          });
	so->window_ranked = true;
}

/* Loads the heap TIDs of the next element to return; false at the end of the scan. */
bool next_element(HnswScanState *so, IndexScanDesc scan)
{
	Relation index = scan->indexRelation;
	/* half and int8: bounds for the executor's re-check; binary: exact distances */
	bool quantized = so->dist.quantization != HNSW_QUANTIZATION_NONE && !so->reranked;
	for (;;)
	{
		if (so->window_next >= so->window_count)
		{
			if (!next_window(so, index))
				return false;
		}
		if (quantized && !so->window_ranked)
			rank_window(so, index);
		if (so->reranked && !so->window_ranked)
		{
			rerank_window(so, scan);
			if (so->window_next >= so->window_count)
				continue; /* no row of this window is visible: the next one */
		}
		double lower = quantized ? so->window_lower[so->window_next] : 0;
		HnswDiskCandidate c = so->window[so->window_next++];

		/* strict order: a row closer than one already returned is dropped */
		if (hnsw_iterative_scan == HNSW_ITERATIVE_SCAN_STRICT && so->returned_any &&
		    (quantized ? lower < so->last_lower_bound : c.distance < so->last_distance))
			continue;

		Buffer buf = HnswReadBufferRecent(index, ItemPointerGetBlockNumber(&c.element));
		LockBuffer(buf, BUFFER_LOCK_SHARE);
		HnswElementTuple etup =
		    HnswElementAt(BufferGetPage(buf), ItemPointerGetOffsetNumber(&c.element));
		so->nheaptids = 0;
		so->row_measured = false;
		if (etup != NULL && !(etup->flags & HNSW_ELEMENT_DELETED))
		{
			for (int i = 0; i < HNSW_HEAPTIDS && ItemPointerIsValid(&etup->heaptids[i]); i++)
				so->heaptids[so->nheaptids++] = etup->heaptids[i];
			/*
			 * Measured again, unbounded, from the element the heap TIDs were read from:
			 * the projection returns it as the operator's result (hnsw_projection.cpp),
			 * so it is the distance the operator would compute, not the walk's.
			 */
			if (so->measure_rows)
			{
				HnswCheckElementValue(&so->dist, HnswElementValue(etup));
				so->row_distance = HnswValueDistance(&so->dist, so->query, HnswElementValue(etup));
				so->row_measured = true;
			}
			if (so->nheaptids > 0 && quantized)
				so->last_lower_bound = HnswQuantizedLowerBound(
				    &so->dist, &so->query_bound, so->query, c.distance, HnswElementValue(etup));
		}
		UnlockReleaseBuffer(buf);

		if (so->nheaptids == 0)
			continue;
		so->next_heaptid = 0;
		so->last_distance = c.distance;
		so->returned_any = true;
		return true;
	}
}

/* Without a query vector there is no order: walk the pages, as pgvector's scan would. */
bool next_element_unordered(HnswScanState *so, Relation index)
{
	BlockNumber nblocks = RelationGetNumberOfBlocks(index);
	int64 limit = complete(so)    ? PG_INT64_MAX
	              : iterative(so) ? (int64)hnsw_max_scan_tuples
	                              : (int64)hnsw_ef_search;

	while (so->walk_block < nblocks && so->walk_elements < limit)
	{
		Buffer buf = ReadBuffer(index, so->walk_block);
		LockBuffer(buf, BUFFER_LOCK_SHARE);
		Page page = BufferGetPage(buf);
		bool data = !PageIsNew(page) && (HnswPageGetOpaque(page)->flags & HNSW_PAGE_DATA);
		OffsetNumber max = data ? PageGetMaxOffsetNumber(page) : InvalidOffsetNumber;
		so->nheaptids = 0;
		so->row_measured = false;
		while (so->walk_offset <= max && so->nheaptids == 0)
		{
			HnswElementTuple etup = HnswElementAt(page, so->walk_offset);
			so->walk_offset++;
			if (etup == NULL || (etup->flags & HNSW_ELEMENT_DELETED))
				continue;
			if (so->filtered &&
			    !HnswFilterMatches(&so->filter, &so->cols, HnswElementFilters(etup)))
				continue;
			for (int i = 0; i < HNSW_HEAPTIDS && ItemPointerIsValid(&etup->heaptids[i]); i++)
				so->heaptids[so->nheaptids++] = etup->heaptids[i];
		}
		UnlockReleaseBuffer(buf);
		if (so->nheaptids > 0)
		{
			so->walk_elements++;
			so->next_heaptid = 0;
			return true;
		}
		so->walk_block++;
		so->walk_offset = FirstOffsetNumber;
		CHECK_FOR_INTERRUPTS();
	}
	return false;
}

void reset_state(HnswScanState *so, ScanKey keys, int nkeys)
{
	MemoryContextReset(so->context);
	MemoryContext old = MemoryContextSwitchTo(so->context);
	so->query = NULL;
	so->started = false;
	so->exhausted = false;
	so->mode = MODE_GRAPH;
	HnswFilterInit(&so->filter, &so->cols, keys, nkeys);
	so->filtered = HnswFilterActive(&so->filter);
	so->stream = false;
	so->read_filter.filter = &so->filter;
	so->read_filter.cols = &so->cols;
	so->read_filter.measure_rejected = true;
	so->read_filter.scope = NULL;
	so->narrowed = false;
	so->frontier.init(512);
	so->overflow.init(512);
	/* a binary index walks wider: its candidates are re-ranked exactly */
	so->reranked = so->dist.quantization == HNSW_QUANTIZATION_BINARY;
	so->ef = hnsw_ef_search * (so->reranked ? hnsw_rerank_factor : 1);
	so->rerank_context =
	    so->reranked ? AllocSetContextCreate(so->context, "hnsw rerank", ALLOCSET_SMALL_SIZES)
	                 : NULL;
	so->window_capacity = so->ef;
	so->window = (HnswDiskCandidate *)palloc(sizeof(HnswDiskCandidate) * so->ef);
	so->window_count = 0;
	so->window_next = 0;
	so->window_ranked = false;
	so->window_lower = NULL;
	HnswTidSetInit(&so->visited, 512);
	so->links = (ItemPointerData *)palloc(sizeof(ItemPointerData) * 4 * HNSW_MAX_M);
	so->examined = 0;
	so->passing = 0;
	so->memory_limit = (Size)((double)work_mem * 1024.0 * hnsw_scan_mem_multiplier);
	so->memory_exceeded = false;
	so->passing_only = false;
	so->scope_links = HNSW_VALUE_LEVEL;
	so->read_rest = false;
	so->nscope = 0;
	so->scope = NULL;
	so->scope_count = 0;
	so->scope_filter_column = -1;
	so->chain_filter = -1;
	so->nchain = 0;
	so->chain = NULL;
	so->chain_count = 0;
	so->nheaptids = 0;
	so->next_heaptid = 0;
	so->returned_any = false;
	so->row_measured = false;
	so->walk_block = HNSW_METAPAGE_BLKNO + 1;
	so->walk_offset = FirstOffsetNumber;
	so->walk_elements = 0;
	MemoryContextSwitchTo(old);
}

} // namespace

IndexScanDesc hnsw_beginscan(Relation index, int nkeys, int norderbys)
{
	IndexScanDesc scan = RelationGetIndexScan(index, nkeys, norderbys);
	HnswScanState *so = (HnswScanState *)palloc0(sizeof(HnswScanState));

	so->context = AllocSetContextCreate(CurrentMemoryContext, "hnsw scan", ALLOCSET_DEFAULT_SIZES);
	HnswInitDistance(&so->dist, index, HnswIndexQuantization(index));
	HnswInitColumns(&so->cols, index);
	if (norderbys > 0) /* the AM's to provide, like GiST's: a quantized index fills them */
	{
		scan->xs_orderbyvals = (Datum *)palloc0(sizeof(Datum) * norderbys);
		scan->xs_orderbynulls = (bool *)palloc(sizeof(bool) * norderbys);
		memset(scan->xs_orderbynulls, true, sizeof(bool) * norderbys);
	}
	scan->opaque = so;
	return scan;
}

void hnsw_rescan(IndexScanDesc scan, ScanKey keys, int nkeys, ScanKey orderbys, int norderbys)
{
	HnswScanState *so = (HnswScanState *)scan->opaque;

	if (keys && scan->numberOfKeys > 0)
		memmove(scan->keyData, keys, scan->numberOfKeys * sizeof(ScanKeyData));
	if (orderbys && scan->numberOfOrderBys > 0)
		memmove(scan->orderByData, orderbys, scan->numberOfOrderBys * sizeof(ScanKeyData));
	reset_state(so, scan->keyData, scan->numberOfKeys);
	HnswReadMeta(scan->indexRelation, &so->meta); /* the entry point may have moved */
}

bool hnsw_gettuple(IndexScanDesc scan, ScanDirection dir)
{
	HnswScanState *so = (HnswScanState *)scan->opaque;
	Relation index = scan->indexRelation;

	if (!so->started)
	{
		if (scan->orderByData == NULL || scan->numberOfOrderBys == 0)
			ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			                errmsg("cannot scan hnsw index without order")));
		if (!IsMVCCSnapshot(scan->xs_snapshot))
			ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			                errmsg("non-MVCC snapshots are not supported with hnsw")));
		pgstat_count_index_scan(index);

		MemoryContext old = MemoryContextSwitchTo(so->context);
		so->started = true;
		so->stream = HnswScanIsFiltered(scan);
		/*
		 * Not for a quantized index: its distances are not the operator's, and the
		 * executor re-checks and may queue rows, so the row it projects need not be the
		 * scan's current one (HnswScanRowDistance refuses other kinds anyway).
		 */
		so->measure_rows =
		    HnswScanProjectsDistance(scan) && so->dist.quantization == HNSW_QUANTIZATION_NONE;
		if (so->filter.empty)
			so->exhausted = true;
		else
		{
			if (!(scan->orderByData[0].sk_flags & SK_ISNULL))
				so->query =
				    so->dist.quantization == HNSW_QUANTIZATION_NONE
				        ? HnswPrepareValue(&so->dist, scan->orderByData[0].sk_argument, true)
				        : HnswPrepareQuantizedQuery(&so->dist, scan->orderByData[0].sk_argument,
				                                    &so->query_bound);
			if (so->query != NULL)
				start_scan(so, index);
			else
				so->mode = MODE_UNORDERED;
		}
		MemoryContextSwitchTo(old);
	}

	while (so->next_heaptid >= so->nheaptids)
	{
		if (so->exhausted)
			return false;
		MemoryContext old = MemoryContextSwitchTo(so->context);
		bool more =
		    so->mode == MODE_UNORDERED ? next_element_unordered(so, index) : next_element(so, scan);
		MemoryContextSwitchTo(old);
		if (!more)
		{
			so->exhausted = true;
			return false;
		}
	}

	scan->xs_heaptid = so->heaptids[so->next_heaptid++];
	scan->xs_recheck = so->filter.lossy; /* hashed filter keys: the executor checks the row */
	/* Halves steer the walk; the executor orders the rows by their exact distances. */
	scan->xs_recheckorderby = so->dist.quantization != HNSW_QUANTIZATION_NONE && !so->reranked &&
	                          so->mode != MODE_UNORDERED;
	if (scan->xs_recheckorderby)
	{
		scan->xs_orderbyvals[0] = Float8GetDatum(so->last_lower_bound);
		scan->xs_orderbynulls[0] = false;
	}
	return true;
}

void hnsw_endscan(IndexScanDesc scan)
{
	HnswScanState *so = (HnswScanState *)scan->opaque;

	HnswRerankEnd(&so->reranker);
	MemoryContextDelete(so->context);
	pfree(so);
	scan->opaque = NULL;
}

bool HnswScanRowDistance(IndexScanDesc scan, HnswDistanceKind kind, float *distance)
{
	const HnswScanState *so = (const HnswScanState *)scan->opaque;

	if (so == NULL || !so->row_measured || so->dist.kind != kind || so->dist.normproc != NULL)
		return false;
	*distance = so->row_distance;
	return true;
}

/*
 * hnsw_scan.cpp: ordered index scans, streamed for as long as the executor asks.
 *
 * The scan descends the upper levels greedily, then walks level 0 best-first. It
 * keeps a window of the ef_search nearest results not yet returned; when the walk
 * converges (the nearest unexpanded node is farther than the window's farthest),
 * the window is returned in distance order. With hnsw.iterative_scan on, the next
 * window is refilled from the results seen but not returned, the walk resumes from
 * the nodes not yet expanded, and so on until the graph is exhausted,
 * hnsw.max_scan_tuples elements have been examined, or the scan's memory passes
 * work_mem * hnsw.scan_mem_multiplier. So a WHERE clause (or a row-level security
 * policy) that rejects most rows still gets its LIMIT filled when enough rows exist.
 *
 * Order: within a window results are exact; across windows relaxed_order may return
 * a closer row after a farther one, strict_order drops such rows instead.
 *
 * Concurrency: pages are read one at a time under share locks; heap TIDs are read
 * again when an element is returned, so TIDs removed by vacuum in between are not
 * returned. TIDs vacuum removes after that are safe because the scan's snapshot is
 * MVCC: a reused heap slot holds a tuple the snapshot cannot see.
 */
#include "hnsw/hnsw.h"
#include "hnsw/hnsw_disk.h"

extern "C" {
#include "access/relscan.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "storage/bufmgr.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/snapmgr.h"
}

#include <cstring>
#include <cmath>

namespace {

typedef struct HnswScanState
{
	MemoryContext context; /* reset by every rescan */
	HnswDistance dist;
	HnswMetaPageData meta;
	Vector *query; /* NULL: no ordering (NULL or zero query) */
	bool started;
	bool exhausted;

	/* level-0 walk */
	HnswMinHeap frontier; /* discovered, not yet expanded */
	HnswMinHeap overflow; /* results beyond the window, not yet returned */
	HnswDiskCandidate *window; /* the nearest results not yet returned, sorted */
	int window_count;
	int window_next; /* next window entry to return */
	int ef;
	HnswTidSet visited;
	ItemPointerData *links;
	int64 examined;   /* elements whose distance was computed on level 0 */
	Size memory_limit;
	bool memory_exceeded;

	/* results being returned */
	ItemPointerData heaptids[HNSW_HEAPTIDS];
	int nheaptids;
	int next_heaptid;
	float last_distance;
	bool returned_any;

	/* no-ordering walk over the pages */
	BlockNumber walk_block;
	OffsetNumber walk_offset;
	int64 walk_elements;
} HnswScanState;

bool iterative(void)
{
	return hnsw_iterative_scan != HNSW_ITERATIVE_SCAN_OFF;
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

/* Takes in an element met during the walk. */
void found_element(HnswScanState *so, const ItemPointerData *tid, const HnswElementInfo *e)
{
	const HnswElementInfo &info = *e;
	so->examined++;
	HnswDiskCandidate c;
	c.distance = info.distance;
	c.element = *tid;
	c.neighbors = info.neighbors;
	c.exact = info.exact;
	so->frontier.push(c);
	if (!info.deleted)
		add_result(so, c);
}

/* Examines one element met during the walk; returns false if it is gone. */
bool discover(HnswScanState *so, Relation index, ItemPointer tid)
{
	HnswElementInfo info;

	if (!HnswReadElement(index, &so->dist, so->query, tid, &info, NULL))
		return false;
	found_element(so, tid, &info);
	return true;
}

/* Walks level 0 until the nearest unexpanded node is farther than the window. */
void converge(HnswScanState *so, Relation index)
{
	bool added;

	while (!so->frontier.empty())
	{
		const HnswDiskCandidate &top = so->frontier.top();
		if (so->window_count == so->ef && top.distance > so->window[so->ef - 1].distance)
			break;
		HnswDiskCandidate c = so->frontier.pop();

		int n = HnswReadLinks(index, &c.neighbors, 0, so->meta.m, so->links);
		int fresh = 0;
		for (int i = 0; i < n; i++)
		{
			HnswTidSetAdd(&so->visited, HnswTidKey(&so->links[i]), &added);
			if (added)
				so->links[fresh++] = so->links[i];
		}
		HnswElementInfo infos[2 * HNSW_MAX_M];
		bool found[2 * HNSW_MAX_M];
		float bound = so->window_count == so->ef ? so->window[so->ef - 1].distance : INFINITY;
		HnswReadElements(index, &so->dist, so->query, so->links, fresh, infos, found, bound);
		for (int i = 0; i < fresh; i++)
			if (found[i])
				found_element(so, &so->links[i], &infos[i]);
		CHECK_FOR_INTERRUPTS();
		if (iterative() && scan_memory(so) > so->memory_limit)
		{
			so->memory_exceeded = true;
			break;
		}
	}
}

/* First call: descend to level 0 and take the first window. */
void start_walk(HnswScanState *so, Relation index)
{
	HnswDiskCandidate entry;

	if (!HnswEntryCandidate(index, &so->dist, so->query, &so->meta, &entry))
	{
		so->exhausted = true;
		return;
	}
	HnswSearchScratch scratch;
	scratch.links = so->links;
	for (int l = so->meta.entry_level; l >= 1; l--)
		entry = HnswGreedyLevel(index, &so->dist, so->query, entry, l, so->meta.m, &scratch);

	bool added;
	HnswTidSetAdd(&so->visited, HnswTidKey(&entry.element), &added);
	discover(so, index, &entry.element);
	converge(so, index);
}

/* Refills the window from the overflow and walks on; false when nothing is left. */
bool next_window(HnswScanState *so, Relation index)
{
	if (!iterative() || so->memory_exceeded || so->examined >= hnsw_max_scan_tuples)
		return false;
	so->window_count = 0;
	so->window_next = 0;
	while (so->window_count < so->ef && !so->overflow.empty())
	{
		HnswDiskCandidate c = so->overflow.pop();
		if (!c.exact)
		{
			/* Only a lower bound so far: measure it and let it find its place. */
			HnswElementInfo info;
			if (HnswReadElement(index, &so->dist, so->query, &c.element, &info, NULL) && !info.deleted)
			{
				c.distance = info.distance;
				c.exact = true;
				so->overflow.push(c);
			}
			continue;
		}
		so->window[so->window_count++] = c;
	}
	converge(so, index);
	return so->window_count > 0;
}

/* Loads the heap TIDs of the next element to return; false at the end of the scan. */
bool next_element(HnswScanState *so, Relation index)
{
	for (;;)
	{
		if (so->window_next >= so->window_count)
		{
			if (!next_window(so, index))
				return false;
		}
		HnswDiskCandidate c = so->window[so->window_next++];

		if (hnsw_iterative_scan == HNSW_ITERATIVE_SCAN_STRICT && so->returned_any &&
			c.distance < so->last_distance)
			continue; /* strict order: a row closer than one already returned is dropped */

		Buffer buf = HnswReadBufferRecent(index, ItemPointerGetBlockNumber(&c.element));
		LockBuffer(buf, BUFFER_LOCK_SHARE);
		HnswElementTuple etup = HnswElementAt(BufferGetPage(buf), ItemPointerGetOffsetNumber(&c.element));
		so->nheaptids = 0;
		if (etup != NULL && !(etup->flags & HNSW_ELEMENT_DELETED))
			for (int i = 0; i < HNSW_HEAPTIDS && ItemPointerIsValid(&etup->heaptids[i]); i++)
				so->heaptids[so->nheaptids++] = etup->heaptids[i];
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
	int64 limit = iterative() ? (int64) hnsw_max_scan_tuples : (int64) hnsw_ef_search;

	while (so->walk_block < nblocks && so->walk_elements < limit)
	{
		Buffer buf = ReadBuffer(index, so->walk_block);
		LockBuffer(buf, BUFFER_LOCK_SHARE);
		Page page = BufferGetPage(buf);
		OffsetNumber max = PageIsNew(page) ? InvalidOffsetNumber : PageGetMaxOffsetNumber(page);
		so->nheaptids = 0;
		while (so->walk_offset <= max && so->nheaptids == 0)
		{
			HnswElementTuple etup = HnswElementAt(page, so->walk_offset);
			so->walk_offset++;
			if (etup == NULL || (etup->flags & HNSW_ELEMENT_DELETED))
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

void reset_state(HnswScanState *so)
{
	MemoryContextReset(so->context);
	MemoryContext old = MemoryContextSwitchTo(so->context);
	so->query = NULL;
	so->started = false;
	so->exhausted = false;
	so->frontier.init(512);
	so->overflow.init(512);
	so->ef = hnsw_ef_search;
	so->window = (HnswDiskCandidate *) palloc(sizeof(HnswDiskCandidate) * so->ef);
	so->window_count = 0;
	so->window_next = 0;
	HnswTidSetInit(&so->visited, 2048);
	so->links = (ItemPointerData *) palloc(sizeof(ItemPointerData) * 2 * HNSW_MAX_M);
	so->examined = 0;
	so->memory_limit = (Size) ((double) work_mem * 1024.0 * hnsw_scan_mem_multiplier);
	so->memory_exceeded = false;
	so->nheaptids = 0;
	so->next_heaptid = 0;
	so->returned_any = false;
	so->walk_block = HNSW_METAPAGE_BLKNO + 1;
	so->walk_offset = FirstOffsetNumber;
	so->walk_elements = 0;
	MemoryContextSwitchTo(old);
}

} // namespace

IndexScanDesc hnsw_beginscan(Relation index, int nkeys, int norderbys)
{
	IndexScanDesc scan = RelationGetIndexScan(index, nkeys, norderbys);
	HnswScanState *so = (HnswScanState *) palloc0(sizeof(HnswScanState));

	so->context = AllocSetContextCreate(CurrentMemoryContext, "hnsw scan", ALLOCSET_DEFAULT_SIZES);
	HnswInitDistance(&so->dist, index);
	HnswReadMeta(index, &so->meta);
	scan->opaque = so;
	return scan;
}

void hnsw_rescan(IndexScanDesc scan, ScanKey keys, int nkeys, ScanKey orderbys, int norderbys)
{
	HnswScanState *so = (HnswScanState *) scan->opaque;

	if (keys && scan->numberOfKeys > 0)
		memmove(scan->keyData, keys, scan->numberOfKeys * sizeof(ScanKeyData));
	if (orderbys && scan->numberOfOrderBys > 0)
		memmove(scan->orderByData, orderbys, scan->numberOfOrderBys * sizeof(ScanKeyData));
	reset_state(so);
	/* The entry point may have moved since beginscan. */
	HnswReadMeta(scan->indexRelation, &so->meta);
}

bool hnsw_gettuple(IndexScanDesc scan, ScanDirection dir)
{
	HnswScanState *so = (HnswScanState *) scan->opaque;
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
		if (!(scan->orderByData[0].sk_flags & SK_ISNULL))
			so->query = HnswPrepareValue(&so->dist, scan->orderByData[0].sk_argument, true);
		so->started = true;
		if (so->query != NULL)
			start_walk(so, index);
		MemoryContextSwitchTo(old);
	}

	while (so->next_heaptid >= so->nheaptids)
	{
		if (so->exhausted)
			return false;
		MemoryContext old = MemoryContextSwitchTo(so->context);
		bool more = so->query != NULL ? next_element(so, index) : next_element_unordered(so, index);
		MemoryContextSwitchTo(old);
		if (!more)
		{
			so->exhausted = true;
			return false;
		}
	}

	scan->xs_heaptid = so->heaptids[so->next_heaptid++];
	scan->xs_recheck = false;
	scan->xs_recheckorderby = false;
	return true;
}

void hnsw_endscan(IndexScanDesc scan)
{
	HnswScanState *so = (HnswScanState *) scan->opaque;

	MemoryContextDelete(so->context);
	pfree(so);
	scan->opaque = NULL;
}

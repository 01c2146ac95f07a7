/*
 * ivfflat_scan.cpp: ORDER BY distance over an ivfflat index.
 *
 * A scan measures the query against every center, orders the lists by that distance
 * and reads the nearest `ivfflat.probes` lists whole: each entry that passes the
 * scan's filter keys (filter columns, token scopes: hnsw_filter.h) is measured, and
 * the batch is returned sorted by distance.
 *
 * When a batch is spent and rows are still wanted, the scan reads the next `probes`
 * lists, up to ivfflat.max_probes lists in all, if ivfflat.iterative_scan is
 * relaxed_order (rows of a later batch may be nearer than the last row of an earlier
 * one: pgvector's relaxed order), and always when the scan has filter keys or the
 * executor filters its rows (ivfflat_executor.cpp): a tenant's search must not come
 * back short because its rows sit in other lists. An
 * unordered scan (the query is NULL, or a zero vector under cosine) returns every
 * entry that passes the filter.
 *
 * Under filter keys, a list with a key chain (ivfflat.h) is read through its keys: the
 * keys that pass the filter name the entries to measure, and only their pages are
 * read. An entry that no longer holds its key's heap TID was removed by VACUUM after
 * the key was read (its row was dead) and is passed over.
 *
 * Locks: one entry or key page at a time, share-locked while its entries are copied;
 * no pin is held between batches. Entries are read whole, so a concurrent insert that adds
 * to a page already read is simply not seen, as for any snapshot-later row.
 */
#include "ivfflat/ivfflat.h"

extern "C"
{
#include "access/relscan.h"
#include "miscadmin.h"
#include "pgstat.h"
#include "utils/memutils.h"
#include "utils/rel.h"
}

#include <algorithm>

namespace
{

typedef struct IvfResult
{
	float distance;
	ItemPointerData tid;
} IvfResult;

/* A key that passed the filter: the entry to measure. */
typedef struct IvfCandidate
{
	ItemPointerData entry;
	ItemPointerData heaptid;
} IvfCandidate;

typedef struct IvfScanState
{
	HnswDistance dist;
	HnswColumns cols;
	HnswFilter filter;
	MemoryContext context;       /* reset by every rescan */
	MemoryContext batch_context; /* reset by every batch */
	bool started;
	bool exhausted;
	HnswValue *query; /* NULL: unordered */
	int nlists;
	IvfListOrder *order;
	int next_list;            /* the next list (position in order) to read */
	int probes;               /* lists per batch */
	int max_probes;           /* lists in all */
	IvfCandidate *candidates; /* of the list being read through its keys */
	int ncandidates;
	int candidate_capacity;
	IvfResult *results;
	int nresults;
	int capacity;
	int next_result;
} IvfScanState;

void add_result(IvfScanState *so, float distance, ItemPointer tid)
{
	if (so->nresults == so->capacity)
	{
		so->capacity *= 2;
		so->results =
		    (IvfResult *)repalloc_huge(so->results, sizeof(IvfResult) * (Size)so->capacity);
	}
	so->results[so->nresults].distance = distance;
	so->results[so->nresults].tid = *tid;
	so->nresults++;
}

/* Reads one list's chain into the batch; counts the entries it examined. */
void read_list(IvfScanState *so, Relation index, BlockNumber start_page, double *examined)
{
	BlockNumber blkno = start_page;
	bool filtered = HnswFilterActive(&so->filter);
	while (BlockNumberIsValid(blkno))
	{
		CHECK_FOR_INTERRUPTS();
		Buffer buf = ReadBuffer(index, blkno);
		LockBuffer(buf, BUFFER_LOCK_SHARE);
		Page page = BufferGetPage(buf);
		if (PageIsNew(page) || !(IvfPageGetOpaque(page)->flags & IVFFLAT_PAGE_ENTRY))
			ereport(ERROR, (errcode(ERRCODE_INDEX_CORRUPTED),
			                errmsg("ivfflat index \"%s\" has no entry page at block %u",
			                       RelationGetRelationName(index), blkno)));
		OffsetNumber max = PageGetMaxOffsetNumber(page);
		for (OffsetNumber off = FirstOffsetNumber; off <= max; off = OffsetNumberNext(off))
		{
			ItemId iid = PageGetItemId(page, off);
			if (!ItemIdIsUsed(iid))
				continue;
			IvfEntryTuple e = (IvfEntryTuple)PageGetItem(page, iid);
			HnswValue *value = IvfEntryValue(e);
			*examined += 1;
			HnswCheckElementValue(&so->dist, value);
			if (filtered && !HnswFilterMatches(&so->filter, &so->cols, IvfEntryFilters(e)))
				continue;
			float d = so->query ? HnswValueDistance(&so->dist, so->query, value) : 0;
			add_result(so, d, &e->heaptid);
		}
		blkno = IvfPageGetOpaque(page)->nextblkno;
		UnlockReleaseBuffer(buf);
	}
}

/* Reads one list through its key chain: the keys, then the entries they name. */
void read_list_keys(IvfScanState *so, Relation index, BlockNumber key_page, double *examined)
{
	so->ncandidates = 0;
	for (BlockNumber blkno = key_page; BlockNumberIsValid(blkno);)
	{
		CHECK_FOR_INTERRUPTS();
		Buffer buf = ReadBuffer(index, blkno);
		LockBuffer(buf, BUFFER_LOCK_SHARE);
		Page page = BufferGetPage(buf);
		if (PageIsNew(page) || !(IvfPageGetOpaque(page)->flags & IVFFLAT_PAGE_KEY))
			ereport(ERROR, (errcode(ERRCODE_INDEX_CORRUPTED),
			                errmsg("ivfflat index \"%s\" has no key page at block %u",
			                       RelationGetRelationName(index), blkno)));
		OffsetNumber max = PageGetMaxOffsetNumber(page);
		for (OffsetNumber off = FirstOffsetNumber; off <= max; off = OffsetNumberNext(off))
		{
			ItemId iid = PageGetItemId(page, off);
			if (!ItemIdIsUsed(iid))
				continue;
			IvfKeyTuple k = (IvfKeyTuple)PageGetItem(page, iid);
			*examined += 1;
			if (!HnswFilterMatches(&so->filter, &so->cols, IvfKeyFilters(k)))
				continue;
			if (so->ncandidates == so->candidate_capacity)
			{
				so->candidate_capacity = Max(so->candidate_capacity * 2, 256);
				so->candidates =
				    so->candidates == NULL
				        ? (IvfCandidate *)palloc(sizeof(IvfCandidate) * so->candidate_capacity)
				        : (IvfCandidate *)repalloc_huge(
				              so->candidates, sizeof(IvfCandidate) * (Size)so->candidate_capacity);
			}
			so->candidates[so->ncandidates].entry = k->entry;
			so->candidates[so->ncandidates].heaptid = k->heaptid;
			so->ncandidates++;
		}
		blkno = IvfPageGetOpaque(page)->nextblkno;
		UnlockReleaseBuffer(buf);
	}

	/* each entry page once, in block order */
	std::sort(so->candidates, so->candidates + so->ncandidates,
	          [](const IvfCandidate &a, const IvfCandidate &b)
	          {
		          BlockNumber ba = ItemPointerGetBlockNumber(&a.entry);
		          BlockNumber bb = ItemPointerGetBlockNumber(&b.entry);
		          return ba != bb ? ba < bb
		                          : ItemPointerGetOffsetNumber(&a.entry) <
		                                ItemPointerGetOffsetNumber(&b.entry);
	          });
	for (int i = 0; i < so->ncandidates;)
	{
		CHECK_FOR_INTERRUPTS();
		BlockNumber blkno = ItemPointerGetBlockNumber(&so->candidates[i].entry);
		Buffer buf = ReadBuffer(index, blkno);
		LockBuffer(buf, BUFFER_LOCK_SHARE);
		Page page = BufferGetPage(buf);
		if (PageIsNew(page) || !(IvfPageGetOpaque(page)->flags & IVFFLAT_PAGE_ENTRY))
			ereport(ERROR, (errcode(ERRCODE_INDEX_CORRUPTED),
			                errmsg("ivfflat index \"%s\" has no entry page at block %u",
			                       RelationGetRelationName(index), blkno)));
		OffsetNumber max = PageGetMaxOffsetNumber(page);
		for (; i < so->ncandidates && ItemPointerGetBlockNumber(&so->candidates[i].entry) == blkno;
		     i++)
		{
			OffsetNumber off = ItemPointerGetOffsetNumber(&so->candidates[i].entry);
			if (off < FirstOffsetNumber || off > max)
				continue;
			ItemId iid = PageGetItemId(page, off);
			if (!ItemIdIsUsed(iid))
				continue;
			IvfEntryTuple e = (IvfEntryTuple)PageGetItem(page, iid);
			if (!ItemPointerEquals(&e->heaptid, &so->candidates[i].heaptid))
				continue; /* removed by VACUUM since the key was read */
			HnswValue *value = IvfEntryValue(e);
			HnswCheckElementValue(&so->dist, value);
			float d = so->query ? HnswValueDistance(&so->dist, so->query, value) : 0;
			add_result(so, d, &e->heaptid);
		}
		UnlockReleaseBuffer(buf);
	}
}

/*
 * Reads the next batch of lists; false when no list is left to read.
 *
 * A batch is `probes` lists; under filter keys it goes on until it holds as many
 * matching entries as `probes` lists hold entries on average (lists read x matching
 * >= probes x examined), so a scoped search measures about as many candidates as an
 * unscoped one and has about its recall: a scope of 1% reads 100 times the lists, and
 * a small scope is read whole (exactly). Testing the filter is cheap next to reading a
 * distance; the cost estimate (ivfflat_cost.cpp) charges probes / selectivity lists.
 */
bool next_batch(IvfScanState *so, Relation index)
{
	if (so->next_list >= so->max_probes)
		return false;
	MemoryContextReset(so->batch_context);
	MemoryContext old = MemoryContextSwitchTo(so->batch_context);
	so->capacity = 1024;
	so->results = (IvfResult *)palloc(sizeof(IvfResult) * so->capacity);
	so->candidates = NULL;
	so->candidate_capacity = 0;
	so->nresults = 0;
	so->next_result = 0;
	bool filtered = HnswFilterActive(&so->filter);
	double examined = 0;
	for (int read = 0; so->next_list < so->max_probes; so->next_list++)
	{
		if (read >= so->probes &&
		    (!filtered || (double)so->nresults * read >= (double)so->probes * examined))
			break;
		const IvfListOrder *list = &so->order[so->next_list];
		if (filtered && BlockNumberIsValid(list->key_page))
			read_list_keys(so, index, list->key_page, &examined);
		else
			read_list(so, index, list->start_page, &examined);
		read++;
	}
	if (so->query)
		std::sort(so->results, so->results + so->nresults,
		          [](const IvfResult &a, const IvfResult &b) { return a.distance < b.distance; });
	MemoryContextSwitchTo(old);
	return true;
}

/* Reads the lists, orders them by distance to the query, and sets the batch sizes. */
void start_scan(IvfScanState *so, Relation index, bool executor_filters)
{
	so->nlists = IvfMeasureLists(index, &so->dist, so->query, &so->order);
	if (so->query)
		std::stable_sort(so->order, so->order + so->nlists,
		                 [](const IvfListOrder &a, const IvfListOrder &b)
		                 { return a.distance < b.distance; });

	so->probes = Min(ivfflat_probes, Max(so->nlists, 1));
	bool continues = ivfflat_iterative_scan != IVFFLAT_ITERATIVE_SCAN_OFF ||
	                 HnswFilterActive(&so->filter) || executor_filters;
	so->max_probes = continues ? Max(ivfflat_max_probes, so->probes) : so->probes;
	if (so->query == NULL)
		so->probes = so->max_probes = so->nlists; /* unordered: every entry */
	so->max_probes = Min(so->max_probes, so->nlists);
	so->next_list = 0;
}

} // namespace

IndexScanDesc ivfflat_beginscan(Relation index, int nkeys, int norderbys)
{
	IndexScanDesc scan = RelationGetIndexScan(index, nkeys, norderbys);
	IvfScanState *so = (IvfScanState *)palloc0(sizeof(IvfScanState));

	so->context =
	    AllocSetContextCreate(CurrentMemoryContext, "ivfflat scan", ALLOCSET_DEFAULT_SIZES);
	so->batch_context =
	    AllocSetContextCreate(so->context, "ivfflat scan batch", ALLOCSET_DEFAULT_SIZES);
	IvfInitDistance(&so->dist, index);
	HnswInitColumns(&so->cols, index);
	scan->opaque = so;
	return scan;
}

void ivfflat_rescan(IndexScanDesc scan, ScanKey keys, int nkeys, ScanKey orderbys, int norderbys)
{
	IvfScanState *so = (IvfScanState *)scan->opaque;

	if (keys && scan->numberOfKeys > 0)
		memmove(scan->keyData, keys, scan->numberOfKeys * sizeof(ScanKeyData));
	if (orderbys && scan->numberOfOrderBys > 0)
		memmove(scan->orderByData, orderbys, scan->numberOfOrderBys * sizeof(ScanKeyData));

	MemoryContextReset(so->context);
	so->batch_context =
	    AllocSetContextCreate(so->context, "ivfflat scan batch", ALLOCSET_DEFAULT_SIZES);
	MemoryContext old = MemoryContextSwitchTo(so->context);
	HnswFilterInit(&so->filter, &so->cols, scan->keyData, scan->numberOfKeys);
	MemoryContextSwitchTo(old);
	so->started = false;
	so->exhausted = false;
	so->query = NULL;
	so->nresults = 0;
	so->next_result = 0;
}

bool ivfflat_gettuple(IndexScanDesc scan, ScanDirection dir)
{
	IvfScanState *so = (IvfScanState *)scan->opaque;
	Relation index = scan->indexRelation;

	if (!so->started)
	{
		if (scan->orderByData == NULL || scan->numberOfOrderBys == 0)
			ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			                errmsg("cannot scan ivfflat index without order")));
		if (!IsMVCCSnapshot(scan->xs_snapshot))
			ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			                errmsg("non-MVCC snapshots are not supported with ivfflat")));
		pgstat_count_index_scan(index);

		MemoryContext old = MemoryContextSwitchTo(so->context);
		so->started = true;
		if (so->filter.empty)
			so->exhausted = true;
		else
		{
			if (!(scan->orderByData[0].sk_flags & SK_ISNULL))
				so->query = HnswPrepareValue(&so->dist, scan->orderByData[0].sk_argument, true);
			start_scan(so, index, IvfScanIsFiltered(scan));
		}
		MemoryContextSwitchTo(old);
	}

	while (so->next_result >= so->nresults)
	{
		if (so->exhausted || !next_batch(so, index))
		{
			so->exhausted = true;
			return false;
		}
	}

	scan->xs_heaptid = so->results[so->next_result++].tid;
	scan->xs_recheck = so->filter.lossy; /* hashed filter keys: the executor checks the row */
	scan->xs_recheckorderby = false;
	return true;
}

void ivfflat_endscan(IndexScanDesc scan)
{
	IvfScanState *so = (IvfScanState *)scan->opaque;

	MemoryContextDelete(so->context);
	pfree(so);
	scan->opaque = NULL;
}

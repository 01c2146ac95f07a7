/*
 * hnsw_rerank.cpp: exact distances for a binary index (WITH (quantization = 'binary')).
 *
 * A bit per element steers a walk but bounds nothing, so the executor's re-check (which
 * half and int8 indexes use) cannot order the rows: it would need a lower bound it can
 * trust. Instead the scan fetches each candidate's row as the executor would (the same
 * snapshot, HOT chains followed), reads the indexed column, and measures the exact
 * distance with the kernels of an unquantized index: the windows it hands over are in
 * exact order with exact distances, as an index storing floats gives them. The rows
 * the snapshot does not see are dropped here; the executor would drop them anyway.
 *
 * The cost is a heap fetch per candidate (hnsw.rerank_factor times ef_search per
 * window), the price of an index a tenth of the floats' size; the vector read from the
 * table is the one the executor reads again for its own output.
 */
#include "hnsw/hnsw_rerank.h"

extern "C"
{
#include "access/tableam.h"
#include "executor/executor.h"
#include "utils/rel.h"
}

AttrNumber HnswRerankColumn(Relation index, bool for_build)
{
	int col = HnswVectorColumn(index);
	AttrNumber attno = index->rd_index->indkey.values[col];
	if (attno == 0 && for_build)
		ereport(
		    ERROR,
		    (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
		     errmsg("quantization \"binary\" needs a table column, not an expression"),
		     errdetail("A binary index re-ranks its candidates with the vectors of their rows."),
		     errhint("Index the column itself, or choose quantization \"int8\".")));
	if (attno == 0)
		ereport(ERROR, (errcode(ERRCODE_INDEX_CORRUPTED),
		                errmsg("binary hnsw index \"%s\" is on an expression",
		                       RelationGetRelationName(index))));
	return attno;
}

namespace
{

void open_fetch(HnswReranker *r, IndexScanDesc scan)
{
	if (scan->heapRelation == NULL || scan->xs_snapshot == NULL)
		ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
		                errmsg("a scan of binary hnsw index \"%s\" needs its table and a snapshot",
		                       RelationGetRelationName(scan->indexRelation))));
	/* the scan's own memory: it outlives the per-rescan context */
	MemoryContext old = MemoryContextSwitchTo(GetMemoryChunkContext(scan));
	r->attno = HnswRerankColumn(scan->indexRelation, false);
	r->slot = table_slot_create(scan->heapRelation, NULL);
	r->fetch = table_index_fetch_begin(scan->heapRelation);
	MemoryContextSwitchTo(old);
}

/* The exact distance between two prepared float vectors, as an unquantized index measures. */
float exact_distance(const HnswDistance *d, const float *q, const float *x)
{
	switch (d->kind)
	{
	case HNSW_DIST_BINARY_L2_SQUARED:
		return d->kernels->l2_squared(q, x, d->dimensions);
	case HNSW_DIST_BINARY_NEG_INNER_PRODUCT:
		return -d->kernels->inner_product(q, x, d->dimensions);
	case HNSW_DIST_BINARY_L1:
		return d->kernels->l1(q, x, d->dimensions);
	default:
		elog(ERROR, "hnsw: distance kind %d is not re-ranked", (int)d->kind);
	}
	return 0;
}

} // namespace

bool HnswRerankDistance(HnswReranker *r, IndexScanDesc scan, const HnswDistance *d,
                        const HnswValue *query, const ItemPointerData *heaptids, int nheaptids,
                        float *distance)
{
	if (r->fetch == NULL)
		open_fetch(r, scan);
	const HnswBinaryQueryTail *q = HnswBinaryQuery(HnswBinary(query));
	for (int i = 0; i < nheaptids; i++)
	{
		ItemPointerData tid = heaptids[i];
		bool call_again = false, all_dead = false;
		if (!table_index_fetch_tuple(r->fetch, &tid, scan->xs_snapshot, r->slot, &call_again,
		                             &all_dead))
			continue;
		bool isnull;
		Datum value = slot_getattr(r->slot, r->attno, &isnull);
		bool measured = false;
		if (!isnull)
		{
			/* widened, normalized for cosine: as the query was, and as the bits were coded */
			const Vector *x = (const Vector *)HnswPrepareColumnValue(d, value, false);
			if (x != NULL)
			{
				*distance = exact_distance(d, q->x, x->x);
				measured = true;
			}
		}
		ExecClearTuple(r->slot);
		if (measured)
			return true;
	}
	return false;
}

void HnswRerankEnd(HnswReranker *r)
{
	if (r->fetch == NULL)
		return;
	table_index_fetch_end(r->fetch);
	ExecDropSingleTupleTableSlot(r->slot);
	r->fetch = NULL;
	r->slot = NULL;
}

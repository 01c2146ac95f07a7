/*
 * hnsw_rerank.h: exact distances of a binary index's candidates, from their rows'
 * own vectors (hnsw_rerank.cpp).
 */
#pragma once

#include "hnsw/hnsw.h"

extern "C"
{
#include "access/relscan.h"
#include "executor/tuptable.h"
}

/*
 * A scan's way into its table, opened at the first candidate and closed with the scan;
 * rows are read under the scan's snapshot.
 */
typedef struct HnswReranker
{
	IndexFetchTableData *fetch; /* NULL until opened */
	TupleTableSlot *slot;
	AttrNumber attno; /* the table column the index's vector column is */
} HnswReranker;

/*
 * The table column an index's vector column is; an error, at build, for an expression
 * (a binary index re-ranks from the row's column: it cannot evaluate an expression).
 */
AttrNumber HnswRerankColumn(Relation index, bool for_build);

/*
 * The exact distance, in the kind of an unquantized index (squared L2, negative inner
 * product, L1), between the query (a binary index's query form) and the vector of the
 * first of the element's rows that the scan's snapshot sees; false when it sees none.
 */
bool HnswRerankDistance(HnswReranker *r, IndexScanDesc scan, const HnswDistance *d,
                        const HnswValue *query, const ItemPointerData *heaptids, int nheaptids,
                        float *distance);

/* Releases the table fetch and its slot (a rescan and the scan's end). */
void HnswRerankEnd(HnswReranker *r);

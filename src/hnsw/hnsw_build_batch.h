/*
 * hnsw_build_batch.h: rows an index build holds back to insert in locality order.
 *
 * Rows in a table's order each search a different part of the graph, so an insertion
 * waits on memory for most elements it meets once the graph outgrows the CPU's
 * caches. A build instead copies rows into a batch, sorts the batch by where each row
 * falls in the graph (HnswMemLocalityKey) and inserts it in that order: consecutive
 * insertions then search the same part of the graph while it is still cached. A
 * batch is an eighth of the graph's elements (at least HNSW_BATCH_ROWS_MIN), so that
 * every part of the graph grows in every batch, as with a random order, and holds at
 * most byte_limit bytes of copied rows.
 */
#pragma once

#include "hnsw/hnsw_memgraph.h"

#define HNSW_BATCH_ROWS_MIN 1024

typedef struct HnswBatchRow
{
	uint64 key;
	uint32 seq; /* arrival order: the tie-break that keeps the order deterministic */
	HnswValue *value;
	char *filters;
	Size filter_bytes;
	ItemPointerData tid;
} HnswBatchRow;

typedef struct HnswBuildBatch
{
	MemoryContext context; /* the rows' copies, reset with the batch */
	HnswBatchRow *rows;
	int count;
	int capacity;
	Size bytes;
	Size byte_limit;
} HnswBuildBatch;

HnswBuildBatch *HnswBatchCreate(MemoryContext parent, Size byte_limit);

/* Copies a row in. Returns true when the batch is full for a graph of graph_elements. */
bool HnswBatchAdd(HnswBuildBatch *b, const HnswValue *value, const char *filters, Size filter_bytes,
                  ItemPointer tid, uint32 graph_elements);

/* Sorts the rows by their locality keys in graph g (which may be empty). */
void HnswBatchOrder(HnswBuildBatch *b, HnswMemGraph *g);

/* Forgets the rows and frees their copies. */
void HnswBatchReset(HnswBuildBatch *b);

/* Frees the batch and everything in it. */
void HnswBatchDestroy(HnswBuildBatch *b);

/*
 * hnsw_build_batch.cpp: rows an index build holds back to insert in locality order
 * (see hnsw_build_batch.h).
 */
#include "hnsw/hnsw_build_batch.h"

extern "C"
{
#include "miscadmin.h"
#include "utils/memutils.h"
}

#include <algorithm>
#include <cstring>

HnswBuildBatch *HnswBatchCreate(MemoryContext parent, Size byte_limit)
{
	HnswBuildBatch *b = (HnswBuildBatch *)MemoryContextAllocZero(parent, sizeof(HnswBuildBatch));
	b->context = AllocSetContextCreate(parent, "hnsw build batch", ALLOCSET_DEFAULT_SIZES);
	b->byte_limit = byte_limit;
	b->capacity = HNSW_BATCH_ROWS_MIN;
	b->rows = (HnswBatchRow *)MemoryContextAllocHuge(parent, sizeof(HnswBatchRow) * b->capacity);
	return b;
}

bool HnswBatchAdd(HnswBuildBatch *b, const HnswValue *value, const char *filters, Size filter_bytes,
                  ItemPointer tid, uint32 graph_elements)
{
	if (b->count == b->capacity)
	{
		b->capacity *= 2;
		b->rows = (HnswBatchRow *)repalloc_huge(b->rows, sizeof(HnswBatchRow) * b->capacity);
	}
	HnswBatchRow &r = b->rows[b->count];
	r.key = 0;
	r.seq = (uint32)b->count;
	r.value = (HnswValue *)MemoryContextAlloc(b->context, VARSIZE(value));
	memcpy(r.value, value, VARSIZE(value));
	r.filters = (char *)MemoryContextAlloc(b->context, Max(filter_bytes, 1));
	memcpy(r.filters, filters, filter_bytes);
	r.filter_bytes = filter_bytes;
	r.tid = *tid;
	b->count++;
	b->bytes += VARSIZE(value) + filter_bytes + sizeof(HnswBatchRow);
	uint32 rows_wanted = Max((uint32)HNSW_BATCH_ROWS_MIN, graph_elements / 8);
	return (uint32)b->count >= rows_wanted || b->bytes >= b->byte_limit;
}

void HnswBatchOrder(HnswBuildBatch *b, HnswMemGraph *g)
{
	for (int i = 0; i < b->count; i++)
	{
		CHECK_FOR_INTERRUPTS();
		b->rows[i].key = HnswMemLocalityKey(g, b->rows[i].value);
	}
	std::sort(b->rows, b->rows + b->count,
	          [](const HnswBatchRow &x, const HnswBatchRow &y)
	          { return x.key != y.key ? x.key < y.key : x.seq < y.seq; });
}

void HnswBatchReset(HnswBuildBatch *b)
{
	MemoryContextReset(b->context);
	b->count = 0;
	b->bytes = 0;
}

void HnswBatchDestroy(HnswBuildBatch *b)
{
	MemoryContextDelete(b->context);
	pfree(b->rows);
	pfree(b);
}

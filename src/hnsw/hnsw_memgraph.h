/*
 * hnsw_memgraph.h: the HNSW graph held in memory during CREATE INDEX.
 *
 * One contiguous arena, addressed by offsets rather than pointers so that the same
 * layout can live in dynamic shared memory for a parallel build. Elements are
 * appended in insertion order; each records its vector, heap TIDs and, per level,
 * a count and a fixed array of links (targets as arena offsets in 8-byte units).
 * Insertion is the algorithm of the HNSW paper with the neighbor heuristic and
 * hnswlib's link budget: m links chosen per level, up to 2m kept on level 0.
 */
#pragma once

#include "hnsw/hnsw.h"

#include "pg/containers.h"

typedef uint32 HnswMemRef; /* arena offset / 8; 0 is never an element */

typedef struct HnswMemElement
{
	uint32 id;      /* insertion sequence number, 0-based */
	uint8 level;
	uint8 nheaptids;
	uint16 unused;
	ItemPointerData heaptids[HNSW_HEAPTIDS];
	ItemPointerData etid; /* where the build writes the element tuple */
	ItemPointerData ntid; /* and its neighbor tuple */
	uint32 links_offset;  /* bytes from the element start to the link counts */
	/* Vector (varlena) follows at a MAXALIGN'd offset, then uint16 counts[level + 1],
	 * then links for each level (2m slots on level 0, m above). */
} HnswMemElement;

#define HNSW_MEM_VECTOR_OFFSET MAXALIGN(sizeof(HnswMemElement))

typedef struct HnswMemGraph
{
	char *base;          /* arena start */
	Size used;           /* bytes used, starts at 8 so that ref 0 is invalid */
	Size capacity;       /* bytes available */
	Size limit;          /* the most the arena may grow to (maintenance_work_mem) */
	uint32 count;        /* elements */
	HnswMemRef entry;    /* entry point, 0 when empty */
	int entry_level;
	int m;
	int ef_construction;
	int max_level;
	int dimensions;
	const HnswDistance *dist;
	uint64 duplicates; /* heap TIDs folded into an existing element */

	/* Search scratch, reused by every insertion. */
	uint32 *visited;     /* per element id: the epoch that last visited it */
	uint32 visited_size;
	uint32 epoch;
	void *scratch; /* heaps and arrays reused by every insertion */
} HnswMemGraph;

static inline HnswMemElement *
HnswMemGet(const HnswMemGraph *g, HnswMemRef ref)
{
	return (HnswMemElement *) (g->base + (Size) ref * 8);
}

static inline Vector *
HnswMemVector(const HnswMemElement *e)
{
	return (Vector *) ((char *) e + HNSW_MEM_VECTOR_OFFSET);
}

static inline uint16 *
HnswMemCounts(const HnswMemElement *e)
{
	return (uint16 *) ((char *) e + e->links_offset);
}

/* Links of level `level` (capacity HnswLevelSlots(level, m)). */
static inline HnswMemRef *
HnswMemLinks(const HnswMemElement *e, int level, int m)
{
	char *after_counts = (char *) e + e->links_offset + MAXALIGN(sizeof(uint16) * (e->level + 1));
	return (HnswMemRef *) after_counts + HnswLevelStart(level, m);
}

/* Bytes an element of this level takes in the arena. */
Size HnswMemElementSize(int level, int m, int dimensions);

void HnswMemInit(HnswMemGraph *g, const HnswDistance *dist, int m, int ef_construction,
				 int dimensions, Size limit, double expected_tuples);

typedef enum HnswMemInsertResult
{
	HNSW_MEM_INSERTED,
	HNSW_MEM_DUPLICATE, /* heap TID added to an identical vector's element */
	HNSW_MEM_FULL       /* the arena reached its limit; nothing was changed */
} HnswMemInsertResult;

HnswMemInsertResult HnswMemInsert(HnswMemGraph *g, const Vector *value, ItemPointer heaptid);

/* Iterates elements in insertion order: start with ref = 0. Returns 0 at the end. */
HnswMemRef HnswMemNext(const HnswMemGraph *g, HnswMemRef ref);

/*
 * Links every element that no search can reach. Pruning during insertion can
 * leave an element with no incoming link on level 0 (hnswlib's graphs have the
 * same flaw: a few per thousand); such an element is never returned. For each,
 * a reachable neighbor (its own nearest, else the nearest a search finds) gets a
 * link to it, replacing that neighbor's farthest link whose target has other
 * incoming links. Returns how many elements were reconnected.
 */
uint32 HnswMemConnectUnreachable(HnswMemGraph *g);

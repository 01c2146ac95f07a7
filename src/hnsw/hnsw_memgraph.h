/*
 * hnsw_memgraph.h: the HNSW graph held in memory during CREATE INDEX.
 *
 * One contiguous arena, addressed by offsets rather than pointers, so that the same
 * graph can live in dynamic shared memory and be built by several processes at
 * once (parallel CREATE INDEX). Elements are appended; each records its vector,
 * heap TIDs and, per level, a count and a fixed array of links (targets as arena
 * offsets in 8-byte units). Insertion is the algorithm of the HNSW paper with the
 * neighbor heuristic and hnswlib's link budget: m links chosen per level, up to 2m
 * kept on level 0.
 *
 * Concurrency (parallel build only; a serial build takes no locks): each element
 * has an LWLock guarding its links and heap TIDs; the entry point has one too.
 * Vectors never change once written. An element is published (linked from another
 * element, or made the entry point) only after its vector and links are written,
 * and publishing happens under a lock whose release orders those writes.
 */
#pragma once

#include "hnsw/hnsw.h"

#include "pg/containers.h"

extern "C"
{
#include "port/atomics.h"
#include "storage/lwlock.h"
}

typedef uint32 HnswMemRef; /* arena offset / 8; 0 is never an element */

typedef struct HnswMemElement
{
	LWLock lock; /* links and heap TIDs, in a parallel build */
	uint8 level;
	uint8 nheaptids;
	uint16 linked; /* linked columns: value link lists, each 2m slots */
	ItemPointerData heaptids[HNSW_HEAPTIDS];
	ItemPointerData etid;       /* where the build writes the element tuple */
	ItemPointerData ntid;       /* and its neighbor tuple */
	ItemPointerData chain_next; /* the previous element of its partition value */
	uint32 links_offset;        /* bytes from the element start to the link counts */
	uint32 filter_offset;       /* bytes from the element start to the filter section */
	uint32 filter_bytes;
	uint32 size; /* bytes of the whole element */
	/* Dense sequence number, for visited arrays. Last, right before the value: a search
	 * reads both for each element it meets, mostly from one cache line instead of two. */
	uint32 id;
	/* HnswValue (varlena) follows at a MAXALIGN'd offset, then uint16 counts (one per
	 * level, then one per linked column, at least one: HnswMemListCount), then links for
	 * each level (2m slots on level 0, m above), then 2m value links per linked column,
	 * then the link cache (a float distance and a closer flag per link slot, a known
	 * flag per list: hnsw_memgraph.cpp, LinkCache), then the filter section. */
} HnswMemElement;

#define HNSW_MEM_VALUE_OFFSET MAXALIGN(sizeof(HnswMemElement))
static_assert(offsetof(HnswMemElement, id) + sizeof(uint32) == HNSW_MEM_VALUE_OFFSET,
              "an element's id is right before its value");

/* What every process building the graph shares; in DSM for a parallel build. */
typedef struct HnswMemShared
{
	pg_atomic_uint64 used;     /* bytes used; starts at 8 so that ref 0 is invalid */
	pg_atomic_uint32 next_id;  /* ids handed out */
	pg_atomic_uint64 inserted; /* heap tuples added (progress) */
	pg_atomic_uint64 duplicates;
	pg_atomic_uint32 full; /* set once an insertion found no room */
	LWLock entry_lock;
	HnswMemRef entry; /* entry point, 0 when empty */
	int entry_level;
	Size capacity; /* arena bytes */
	int lock_tranche;
	int value_slots; /* every element's value link slots */
} HnswMemShared;

/* One process's view of the graph. */
typedef struct HnswMemGraph
{
	HnswMemShared *shared;
	char *base;    /* this process's mapping of the arena */
	bool parallel; /* take locks */
	bool can_grow; /* serial build: the arena may be reallocated up to limit */
	Size limit;
	int m;
	int ef_construction;
	int max_level;
	int value_slots; /* 2m per linked column (HnswLinkedColumns) */
	const HnswDistance *dist;
	const struct HnswColumns *cols;

	/* Search scratch of this process. */
	uint32 *visited; /* per element id: the epoch that last visited it */
	uint32 visited_size;
	uint32 epoch;
	void *scratch; /* heaps and arrays reused by every insertion */
} HnswMemGraph;

static inline HnswMemElement *HnswMemGet(const HnswMemGraph *g, HnswMemRef ref)
{
	return (HnswMemElement *)(g->base + (Size)ref * 8);
}

static inline HnswValue *HnswMemValue(const HnswMemElement *e)
{
	return (HnswValue *)((char *)e + HNSW_MEM_VALUE_OFFSET);
}

/* Link lists of an element: one per level, then one per linked column (at least one). */
static inline int HnswMemListCount(int level, int linked)
{
	return level + 1 + Max(linked, 1);
}

/* Where a list's count and flag are: its level, or for HnswValueLevel(slot), after the levels. */
static inline int HnswMemListIndex(int element_level, int level)
{
	return HnswIsValueLevel(level) ? element_level + 1 + HnswValueLevelSlot(level) : level;
}

/* Link counts, one per list (HnswMemListIndex). */
static inline uint16 *HnswMemCounts(const HnswMemElement *e)
{
	return (uint16 *)((char *)e + e->links_offset);
}

static inline uint16 *HnswMemCount(const HnswMemElement *e, int level)
{
	return &HnswMemCounts(e)[HnswMemListIndex(e->level, level)];
}

/* Links of level `level` (capacity HnswLevelSlots(level, m)), or of a slot's value links (2m). */
static inline HnswMemRef *HnswMemLinks(const HnswMemElement *e, int level, int m)
{
	char *after_counts = (char *)e + e->links_offset +
	                     MAXALIGN(sizeof(uint16) * HnswMemListCount(e->level, e->linked));
	if (HnswIsValueLevel(level))
		return (HnswMemRef *)after_counts + (e->level + 2) * m + HnswValueLevelSlot(level) * 2 * m;
	return (HnswMemRef *)after_counts + HnswLevelStart(level, m);
}

/* Bytes an element of this level and filter section takes in the arena. */
Size HnswMemElementSize(int level, int m, Size value_size, int value_slots, Size filter_bytes);

static inline char *HnswMemFilters(const HnswMemElement *e)
{
	return (char *)e + e->filter_offset;
}

/* Arena bytes a build of `tuples` elements is expected to need. */
Size HnswMemExpectedBytes(double tuples, int m, Size value_size, int value_slots,
                          Size filter_bytes);

/* Serial build: the arena in local memory, grown on demand up to limit. */
void HnswMemInitLocal(HnswMemGraph *g, const HnswDistance *dist, const struct HnswColumns *cols,
                      int m, int ef_construction, int value_slots, Size value_size, Size limit,
                      double expected_tuples);

/* Parallel build, in the leader once the workers are done: a copy of the shared graph
 * in local memory (on huge pages, as a serial build's arena), for the write phase. */
void HnswMemCopyLocal(HnswMemGraph *g, HnswMemShared *shared, const char *arena,
                      const HnswDistance *dist, const struct HnswColumns *cols, int m,
                      int ef_construction);

/* Parallel build: `shared` followed by `arena_bytes` of arena, set up once by the leader. */
void HnswMemInitShared(HnswMemShared *shared, Size arena_bytes, int value_slots);
/* Each participant attaches its view (the leader too). */
void HnswMemAttach(HnswMemGraph *g, HnswMemShared *shared, char *arena, const HnswDistance *dist,
                   const struct HnswColumns *cols, int m, int ef_construction);

typedef enum HnswMemInsertResult
{
	HNSW_MEM_INSERTED,
	HNSW_MEM_DUPLICATE, /* heap TID added to an identical vector's element */
	HNSW_MEM_FULL       /* the arena reached its limit; nothing was changed */
} HnswMemInsertResult;

/*
 * Inserts a vector with its filter section. A duplicate (same vector and filter
 * values) shares the existing element.
 */
HnswMemInsertResult HnswMemInsert(HnswMemGraph *g, const HnswValue *value, const char *filters,
                                  Size filter_bytes, ItemPointer heaptid);

/*
 * Where a value falls in the graph: the elements a greedy descent from the entry point
 * reaches on levels 3 and 2, as one sortable key (the entry point stands for a level the
 * graph does not have yet). A build inserts a batch of rows in this order, so that
 * consecutive insertions search the same part of the graph while it is in the CPU's
 * caches (hnsw_build_batch.h). 0 for an empty graph.
 */
uint64 HnswMemLocalityKey(HnswMemGraph *g, const HnswValue *value);

/* Elements inserted so far. */
static inline uint32 HnswMemElements(const HnswMemGraph *g)
{
	return pg_atomic_read_u32(&g->shared->next_id);
}

/* Iterates elements in arena order: start with ref = 0. Returns 0 at the end. */
HnswMemRef HnswMemNext(const HnswMemGraph *g, HnswMemRef ref);

/*
 * Links every element that no search can reach. Pruning during insertion can
 * leave an element with no incoming link on level 0 (hnswlib's graphs have the
 * same flaw: a few per thousand); such an element is never returned. For each,
 * a reachable neighbor (its own nearest, else the nearest a search finds) gets a
 * link to it, replacing that neighbor's farthest link whose target has other
 * incoming links. Serial only. Returns how many elements were reconnected.
 */
uint32 HnswMemConnectUnreachable(HnswMemGraph *g);

/*
 * Links the elements of each value of each linked column among themselves (value
 * links): in insertion order, each element's nearest elements of its own value, found
 * by a search through the value links built so far, with the insertion heuristic and
 * pruned backlinks, as level 0 of a small HNSW per value. Serial, after the graph.
 */
void HnswMemBuildValueLinks(HnswMemGraph *g);

/* A value of a linked column and an element of it, in a dynahash keyed by the value. */
typedef struct HnswMemValueEntry
{
	int64 key; /* hash key: must be first */
	HnswMemRef entry;
} HnswMemValueEntry;

/*
 * Each value's entry, for scalar filter f: its first element (in graph order) of its
 * highest level. The value repairs make every element of the value reachable from it
 * through f's value links, so f's directory records it, whatever order the build lays
 * the pages out in. A dynahash of HnswMemValueEntry in the current memory context.
 */
HTAB *HnswMemValueEntries(const HnswMemGraph *g, int f);

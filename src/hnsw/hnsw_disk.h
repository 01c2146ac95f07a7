/*
 * hnsw_disk.h: reading and searching the graph as it is on disk, for inserts,
 * scans and vacuum.
 *
 * Every page access pins the buffer, takes a share lock, reads what is needed
 * (a distance, a copy of some links) and lets go before touching another page, so a
 * search never holds two buffer locks and cannot deadlock with writers, which also
 * lock one page at a time (or two, in block order, to place a new element).
 */
#pragma once

#include "hnsw/hnsw.h"

#include "pg/containers.h"

/* A graph node met during a search. */
typedef struct HnswDiskCandidate
{
	float distance;            /* the distance, or a lower bound of it when !exact */
	ItemPointerData element;   /* element tuple */
	ItemPointerData neighbors; /* its neighbor tuple */
	bool exact;
} HnswDiskCandidate;

typedef vecrbac::pg::PgHeap<HnswDiskCandidate, HnswCloserFirst> HnswMinHeap;
typedef vecrbac::pg::PgHeap<HnswDiskCandidate, HnswFartherFirst> HnswMaxHeap;

static inline uint64 HnswTidKey(const ItemPointerData *tid)
{
	return ((uint64)ItemPointerGetBlockNumberNoCheck(tid) << 16) |
	       ItemPointerGetOffsetNumberNoCheck(tid);
}

/*
 * A set of element TIDs (open addressing; key 0 is never a data page's TID since
 * block 0 is the metapage). Each member carries a byte of flags for the caller.
 */
typedef struct HnswTidSet
{
	uint64 *keys;
	uint8 *flags;
	uint32 mask; /* capacity - 1, capacity a power of two */
	uint32 count;
	MemoryContext context; /* where it grows, whatever context is current then */
} HnswTidSet;

void HnswTidSetInit(HnswTidSet *set, uint32 expected);
/* Adds key; returns its flags slot, and sets *added when it was not there yet. */
uint8 *HnswTidSetAdd(HnswTidSet *set, uint64 key, bool *added);
uint8 *HnswTidSetFind(const HnswTidSet *set, uint64 key);
void HnswTidSetClear(HnswTidSet *set);
Size HnswTidSetBytes(const HnswTidSet *set);

/* What reading an element yields. */
typedef struct HnswElementInfo
{
	float distance; /* or a lower bound above the caller's bound, when !exact */
	bool exact;
	bool passes;   /* the scan's filter accepts it (true without a filter) */
	bool in_scope; /* a walk confined to a scope may go through it (as passes, without one) */
	ItemPointerData neighbors;
	uint8 level;
	bool deleted;
} HnswElementInfo;

/*
 * Reads the element at tid: its distance to q (0 when q is NULL), its neighbor
 * tuple, level and deleted flag. When vector_out is not NULL, copies the vector
 * there (the caller provides dist->value_size bytes). Returns false if tid
 * holds no element any more (vacuum freed it).
 */
bool HnswReadElement(Relation index, const HnswDistance *dist, const HnswValue *q, ItemPointer tid,
                     HnswElementInfo *info, HnswValue *vector_out);

/*
 * The same, returning a palloc'd copy of the element's value in its own size, or NULL
 * if tid holds no element. For the candidates an insert or vacuum compares: a sparsevec's
 * dist->value_size is that of the largest one indexable, 8 kB for values of a few bytes.
 */
HnswValue *HnswReadElementValue(Relation index, const HnswDistance *dist, const HnswValue *q,
                                ItemPointer tid, HnswElementInfo *info);

/*
 * Copies the links of one level from a neighbor tuple into out (room for
 * HnswLevelSlots(level, m)); returns how many, or -1 if the tuple is gone.
 * HnswValueLevel(slot) reads a slot's value links (2m), HnswScopeLevel(slot) level 0's
 * links then the slot's value links (4m).
 */
int HnswReadLinks(Relation index, ItemPointer neighbors, int level, int m, ItemPointerData *out);

/* Scratch reused across the searches of one insert or vacuum pass. */
typedef struct HnswSearchScratch
{
	HnswMinHeap candidates;
	HnswMaxHeap nearest;
	HnswTidSet visited;
	ItemPointerData *links; /* room for 4m: level 0 and value links */
} HnswSearchScratch;

void HnswSearchScratchInit(HnswSearchScratch *s, int m);

/*
 * Algorithm 2 of the paper on disk: best-first search of one level from the
 * entries, keeping the ef nearest that are not deleted; deleted elements are still
 * walked through. Results sorted by increasing distance into out. With a filter,
 * only elements it accepts are walked or kept (a scope level then follows
 * value links too).
 */
void HnswSearchLevel(Relation index, const HnswDistance *dist, const HnswValue *q,
                     const HnswDiskCandidate *entries, int nentries, int ef, int level, int m,
                     HnswSearchScratch *s, vecrbac::pg::PgVec<HnswDiskCandidate> *out,
                     const struct HnswReadFilter *filter = NULL);

/* Greedy descent of one level (ef = 1). */
HnswDiskCandidate HnswGreedyLevel(Relation index, const HnswDistance *dist, const HnswValue *q,
                                  HnswDiskCandidate cur, int level, int m, HnswSearchScratch *s);

/* A candidate for the entry point; false if the index is empty. */
bool HnswEntryCandidate(Relation index, const HnswDistance *dist, const HnswValue *q,
                        const HnswMetaPageData *meta, HnswDiskCandidate *out);

/*
 * Pins block blk of the index's main fork. Remembers which shared buffer held each
 * block (in rd_amcache, a per-backend cache that a relcache reset simply drops) and
 * tries ReadRecentBuffer first, which skips the buffer mapping hash lookup: a third
 * of the cost of reading a page that is already in shared buffers.
 */
Buffer HnswReadBufferRecent(Relation index, BlockNumber blk);

/*
 * Reads n elements at once: pins every page first, prefetches their line pointers
 * and tuples into the CPU cache, then computes each distance under its share lock.
 * Overlapping the memory latency of the n elements is what makes a graph walk over
 * shared buffers fast. found[i] is false when tids[i] holds no element any more.
 * Distances above bound may be lower bounds (info[i].exact false); pass INFINITY
 * for exact distances.
 */
struct HnswFilter;
struct HnswColumns;

/* A filter to test while reading: elements it rejects get no distance unless asked. */
typedef struct HnswReadFilter
{
	const struct HnswFilter *filter;
	const struct HnswColumns *cols;
	bool measure_rejected;
	/* The elements a confined walk goes through, when wider than filter's matches; or NULL. */
	const struct HnswFilter *scope;
} HnswReadFilter;

void HnswReadElements(Relation index, const HnswDistance *dist, const HnswValue *q,
                      const ItemPointerData *tids, int n, HnswElementInfo *info, bool *found,
                      float bound, const HnswReadFilter *filter = NULL);

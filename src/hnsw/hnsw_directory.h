/*
 * hnsw_directory.h: the partition directory of an hnsw index.
 *
 * For the partition column (the first scalar filter column), the index keeps, per
 * value: how many elements have it, the newest one (head of a chain through every
 * element of the value, linked by their chain_next), and a high-level one to start
 * graph searches from. A scan restricted to a few values thus knows the size of its
 * scope before it reads anything, reads a small scope exactly by walking the
 * chains, and starts a large one inside the scope.
 *
 * Layout: dir_pages bucket pages from dir_start, a value's bucket its key's hash
 * modulo dir_pages, each bucket a chain of pages (HnswPageOpaque.nextblkno) of
 * HnswDirEntry items. Buckets are sized at build time from the number of distinct
 * values; REINDEX resizes them.
 *
 * Locks: a bucket's pages are locked before any data page (inserts update a
 * bucket and place an element in one WAL record); the metapage comes first of all.
 */
#pragma once

#include "hnsw/hnsw.h"

/* Starting points kept per value: its highest elements, a sample spread over it. */
#define HNSW_DIR_SEEDS 8

typedef struct HnswDirEntryData
{
	int64 key;
	uint32 count;          /* live elements with this value */
	ItemPointerData head;  /* the newest element; the chain follows chain_next */
	ItemPointerData entry; /* the highest seed: where a walk within the value starts */
	uint8 entry_level;
	uint8 nseeds;
	uint8 seed_levels[HNSW_DIR_SEEDS];
	ItemPointerData seeds[HNSW_DIR_SEEDS];
} HnswDirEntryData;
typedef HnswDirEntryData *HnswDirEntry;

/*
 * Offers an element as a seed of its value: kept while there is room, or in place
 * of a seed of lower level (the levels are random, so the seeds are a random
 * sample of the value, which a scan compares with the query to start near it).
 * Keeps entry at the highest seed.
 */
void HnswDirOfferSeed(HnswDirEntryData *e, const ItemPointerData *tid, int level);

/* Bucket pages for an index expected to hold this many distinct values. */
uint32 HnswDirPagesFor(double distinct_values);

/* The bucket page of a key. */
BlockNumber HnswDirBucket(const HnswMetaPageData *meta, int64 key);

/* Looks a value up; false if the index has no element with it. */
bool HnswDirLookup(Relation index, const HnswMetaPageData *meta, int64 key, HnswDirEntryData *out);

/*
 * Where a value is, or would go, in its bucket. The bucket's first page is locked
 * exclusively first (so updaters of a bucket take turns), then the chain is walked.
 * found: `page` holds the entry at `off`. Not found: `page` is a page of the chain
 * with room for a new entry, or the last page when none has room (`full`).
 * Pages are locked exclusively; HnswDirRelease unlocks what is held.
 */
typedef struct HnswDirSlot
{
	Buffer first;
	Buffer page;
	OffsetNumber off;
	bool found;
	bool full;
} HnswDirSlot;

void HnswDirLocate(Relation index, const HnswMetaPageData *meta, int64 key, HnswDirSlot *slot);
void HnswDirRelease(HnswDirSlot *slot);

/* Appends an empty overflow page to the bucket chain whose last page is last (locked). */
void HnswDirExtend(Relation index, Buffer last, bool building);

/* Writes n entries (any order) into freshly allocated bucket pages; returns dir_start. */
BlockNumber HnswDirWrite(Relation index, ForkNumber fork, const HnswDirEntryData *entries, int n,
                         uint32 dir_pages);

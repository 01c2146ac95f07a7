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
 * Chain directories (version 3): every other scalar filter column has a directory of
 * the same layout (counts and chains), its chain links in the elements' keys
 * (HnswScalarKey.chain_next), so that a scope on any key column is counted and read
 * exactly like the partition column's; from version 4, with seeds and an entry too, for
 * walks along the column's value links. An insert writes the chain directories in a WAL
 * record of their own, before the one that places the element (a record takes at most
 * four pages): each entry keeps the head it replaced (prev_head), so a head left naming
 * no element of its key, by a crash or an error between the two records, is set back by
 * whoever reads it next (HnswDirSettleHead). Seeds are offered in a third record, after
 * the element's, so that none names an element a crash left unwritten.
 *
 * Locks: a bucket's pages are locked before any data page (inserts update a
 * bucket and place an element in one WAL record); the metapage comes first of all;
 * the partition directory's bucket before the chain directories', in filter order.
 */
#pragma once

#include "hnsw/hnsw.h"
#include "hnsw/hnsw_filter.h"

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
	ItemPointerData prev_head; /* chain directories: the head before the last insert */
} HnswDirEntryData;
typedef HnswDirEntryData *HnswDirEntry;
static_assert(sizeof(HnswDirEntryData) == 88, "the on-disk layout of directory entries");

/* A directory's bucket pages. */
typedef struct HnswDirRef
{
	BlockNumber start;
	uint32 pages; /* 0: no directory */
} HnswDirRef;

static inline HnswDirRef HnswPartitionDir(const HnswMetaPageData *meta)
{
	return HnswDirRef{meta->dir_start, meta->dir_pages};
}

/* Whether filter f has a chain directory in an index of this version. */
static inline bool HnswFilterIsChained(uint32 version, const HnswColumns *cols, int f)
{
	return version >= HNSW_VERSION_3 && f != cols->partition && cols->kind[f] != HNSW_FILTER_JSONB;
}

/* The directory of scalar filter f: the partition directory, a chain directory, or none. */
static inline HnswDirRef HnswDirOf(const HnswMetaPageData *meta, const HnswColumns *cols, int f)
{
	if (f == cols->partition)
		return HnswPartitionDir(meta);
	if (!HnswFilterIsChained(meta->version, cols, f))
		return HnswDirRef{InvalidBlockNumber, 0};
	return HnswDirRef{meta->chain_dir_start[f], meta->chain_dir_pages[f]};
}

/* Points the metapage at the directories, per filter number (pages 0: none). */
static inline void HnswSetDirectories(HnswMetaPageData *meta, const HnswColumns *cols,
                                      const HnswDirRef *dirs)
{
	meta->dir_start = InvalidBlockNumber;
	meta->dir_pages = 0;
	for (int f = 0; f < HNSW_CHAIN_FILTERS; f++)
	{
		meta->chain_dir_start[f] = InvalidBlockNumber;
		meta->chain_dir_pages[f] = 0;
	}
	for (int f = 0; f < cols->nfilters; f++)
	{
		if (dirs[f].pages == 0)
			continue;
		if (f == cols->partition)
		{
			meta->dir_start = dirs[f].start;
			meta->dir_pages = dirs[f].pages;
		}
		else
		{
			meta->chain_dir_start[f] = dirs[f].start;
			meta->chain_dir_pages[f] = dirs[f].pages;
		}
	}
}

/* The next element of f's chain after this one. */
static inline ItemPointerData HnswChainNext(HnswElementTuple etup, const HnswColumns *cols, int f)
{
	if (f == cols->partition)
		return etup->chain_next;
	return *HnswFilterChainLink(cols, HnswElementFilters(etup), f);
}

/*
 * Sets a chain directory's entry right when its head names no element with its key
 * (an insert stopped between its two records): back to prev_head, one fewer. Reads
 * the head's page (share lock). Returns whether the entry changed.
 */
bool HnswDirSettleHead(Relation index, const HnswColumns *cols, int f, HnswDirEntryData *e);

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
BlockNumber HnswDirBucket(HnswDirRef dir, int64 key);

/* Looks a value up; false if the index has no element with it. */
bool HnswDirLookup(Relation index, HnswDirRef dir, int64 key, HnswDirEntryData *out);

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

void HnswDirLocate(Relation index, HnswDirRef dir, int64 key, HnswDirSlot *slot);
void HnswDirRelease(HnswDirSlot *slot);

/* Appends an empty overflow page to the bucket chain whose last page is last (locked). */
void HnswDirExtend(Relation index, Buffer last, bool building);

/* Writes n entries (any order) into freshly allocated bucket pages; returns dir_start. */
BlockNumber HnswDirWrite(Relation index, ForkNumber fork, const HnswDirEntryData *entries, int n,
                         uint32 dir_pages);

/*
 * hnsw_disk.cpp: element reads, link reads and level searches on the on-disk graph.
 */
#include "hnsw/hnsw_disk.h"
#include "hnsw/hnsw_best_first.h"
#include "hnsw/hnsw_filter.h"

extern "C"
{
#include "miscadmin.h"
#include "storage/buf_internals.h"
#include "storage/bufmgr.h"
#include "utils/memutils.h"
}

#include <cmath>
#include <cstring>

using vecrbac::pg::PgVec;

/* ---- TID set ------------------------------------------------------------------ */

static inline uint32 tid_hash(uint64 key)
{
	key ^= key >> 33;
	key *= UINT64CONST(0xff51afd7ed558ccd);
	key ^= key >> 33;
	return (uint32)key;
}

static void tid_set_allocate(HnswTidSet *set, uint32 expected)
{
	uint32 capacity = 64;
	while (capacity < expected * 2)
		capacity *= 2;
	set->keys = (uint64 *)MemoryContextAllocHuge(set->context, sizeof(uint64) * capacity);
	set->flags = (uint8 *)MemoryContextAllocHuge(set->context, capacity);
	memset(set->keys, 0, sizeof(uint64) * capacity);
	set->mask = capacity - 1;
	set->count = 0;
}

void HnswTidSetInit(HnswTidSet *set, uint32 expected)
{
	set->context = CurrentMemoryContext;
	tid_set_allocate(set, expected);
}

static void tid_set_grow(HnswTidSet *set)
{
	uint32 old_capacity = set->mask + 1;
	uint64 *old_keys = set->keys;
	uint8 *old_flags = set->flags;

	tid_set_allocate(set, old_capacity); /* doubles: capacity >= 2 * expected */
	for (uint32 i = 0; i < old_capacity; i++)
	{
		if (old_keys[i] == 0)
			continue;
		bool added;
		*HnswTidSetAdd(set, old_keys[i], &added) = old_flags[i];
	}
	pfree(old_keys);
	pfree(old_flags);
}

uint8 *HnswTidSetAdd(HnswTidSet *set, uint64 key, bool *added)
{
	Assert(key != 0);
	if ((set->count + 1) * 2 > set->mask + 1)
		tid_set_grow(set);
	for (uint32 i = tid_hash(key) & set->mask;; i = (i + 1) & set->mask)
	{
		if (set->keys[i] == key)
		{
			*added = false;
			return &set->flags[i];
		}
		if (set->keys[i] == 0)
		{
			set->keys[i] = key;
			set->flags[i] = 0;
			set->count++;
			*added = true;
			return &set->flags[i];
		}
	}
}

uint8 *HnswTidSetFind(const HnswTidSet *set, uint64 key)
{
	for (uint32 i = tid_hash(key) & set->mask;; i = (i + 1) & set->mask)
	{
		if (set->keys[i] == key)
			return &set->flags[i];
		if (set->keys[i] == 0)
			return NULL;
	}
}

void HnswTidSetClear(HnswTidSet *set)
{
	memset(set->keys, 0, sizeof(uint64) * (Size)(set->mask + 1));
	set->count = 0;
}

Size HnswTidSetBytes(const HnswTidSet *set)
{
	return (Size)(set->mask + 1) * (sizeof(uint64) + 1);
}

/* ---- reading ---------------------------------------------------------------------- */

namespace
{
/* HnswReadElement: the value copied into vector_out, or into a palloc'd *copy_out. */
bool read_element(Relation index, const HnswDistance *dist, const HnswValue *q, ItemPointer tid,
                  HnswElementInfo *info, HnswValue *vector_out, HnswValue **copy_out)
{
	Buffer buf = HnswReadBufferRecent(index, ItemPointerGetBlockNumber(tid));
	LockBuffer(buf, BUFFER_LOCK_SHARE);
	HnswElementTuple etup = HnswElementAt(BufferGetPage(buf), ItemPointerGetOffsetNumber(tid));

	if (etup == NULL)
	{
		UnlockReleaseBuffer(buf);
		return false;
	}
	const HnswValue *v = HnswElementValue(etup);
	HnswCheckElementValue(dist, v);
	info->distance = q ? HnswValueDistance(dist, q, v) : 0.0f;
	info->exact = true;
	info->passes = true;
	info->in_scope = true;
	info->neighbors = etup->neighbortid;
	info->level = etup->level;
	info->deleted = (etup->flags & HNSW_ELEMENT_DELETED) != 0;
	if (vector_out)
		memcpy(vector_out, v, VARSIZE(v));
	if (copy_out)
	{
		*copy_out = (HnswValue *)palloc(VARSIZE(v));
		memcpy(*copy_out, v, VARSIZE(v));
	}
	UnlockReleaseBuffer(buf);
	return true;
}
} // namespace

bool HnswReadElement(Relation index, const HnswDistance *dist, const HnswValue *q, ItemPointer tid,
                     HnswElementInfo *info, HnswValue *vector_out)
{
	return read_element(index, dist, q, tid, info, vector_out, NULL);
}

HnswValue *HnswReadElementValue(Relation index, const HnswDistance *dist, const HnswValue *q,
                                ItemPointer tid, HnswElementInfo *info)
{
	HnswValue *copy = NULL;
	return read_element(index, dist, q, tid, info, NULL, &copy) ? copy : NULL;
}

int HnswReadLinks(Relation index, ItemPointer neighbors, int level, int m, ItemPointerData *out)
{
	Buffer buf = HnswReadBufferRecent(index, ItemPointerGetBlockNumber(neighbors));
	LockBuffer(buf, BUFFER_LOCK_SHARE);
	HnswNeighborTuple ntup =
	    HnswNeighborAt(BufferGetPage(buf), ItemPointerGetOffsetNumber(neighbors), m);
	int count = -1;

	if (ntup != NULL && ntup->level >= level)
	{
		count = 0;
		/* A scope level: level 0's links, then the value links of its slot. */
		bool scope = HnswIsScopeLevel(level);
		int levels[2] = {scope ? 0 : level, HnswValueLevel(scope ? HNSW_SCOPE_LEVEL - level : 0)};
		int nlevels = scope ? 2 : 1;
		for (int r = 0; r < nlevels; r++)
		{
			int start, slots;
			int value_slots = HnswNeighborSlots(ntup, m) - (ntup->level + 2) * m;
			HnswLinkRange(ntup->level, levels[r], m, Max(value_slots, 0), &start, &slots);
			const ItemPointerData *links = HnswNeighborLinks(ntup) + start;
			for (int i = 0; i < slots && ItemPointerIsValid(&links[i]); i++)
				out[count++] = links[i];
		}
	}
	UnlockReleaseBuffer(buf);
	return count;
}

/* ---- searching -------------------------------------------------------------------- */

void HnswSearchScratchInit(HnswSearchScratch *s, int m)
{
	s->candidates.init(256);
	s->nearest.init(256);
	HnswTidSetInit(&s->visited, 1024);
	s->links = (ItemPointerData *)palloc(sizeof(ItemPointerData) * 4 * m);
}

bool HnswEntryCandidate(Relation index, const HnswDistance *dist, const HnswValue *q,
                        const HnswMetaPageData *meta, HnswDiskCandidate *out)
{
	if (!ItemPointerIsValid(&meta->entry))
		return false;
	HnswElementInfo info;
	ItemPointerData entry = meta->entry;
	if (!HnswReadElement(index, dist, q, &entry, &info, NULL))
		return false;
	out->distance = info.distance;
	out->element = entry;
	out->neighbors = info.neighbors;
	out->exact = true;
	return true;
}

namespace
{

/*
 * A small set of element keys on the stack, for a greedy descent of one level (a few
 * hops of up to 2m links). When half full it stops recording, and everything counts
 * as met for the first time: the descent then measures as it did without it.
 */
class SeenSet
{
  public:
	bool first_time(uint64 key)
	{
		if (count_ >= kSlots / 2)
			return true;
		for (uint32 i = tid_hash(key) % kSlots;; i = (i + 1) % kSlots)
		{
			if (slots_[i] == key + 1)
				return false;
			if (slots_[i] == 0)
			{
				slots_[i] = key + 1;
				count_++;
				return true;
			}
		}
	}

  private:
	static constexpr uint32 kSlots = 256;
	uint64 slots_[kSlots] = {};
	uint32 count_ = 0;
};

} // namespace

HnswDiskCandidate HnswGreedyLevel(Relation index, const HnswDistance *dist, const HnswValue *q,
                                  HnswDiskCandidate cur, int level, int m, HnswSearchScratch *s)
{
	/*
	 * The elements measured at this level already: each hop's neighbors overlap the
	 * last hop's, and none of them can be nearer than the current element, whose
	 * distance only falls. Skipping them leaves the descent's path as it was.
	 */
	SeenSet seen;
	seen.first_time(HnswTidKey(&cur.element));
	bool changed = true;

	while (changed)
	{
		changed = false;
		int n = HnswReadLinks(index, &cur.neighbors, level, m, s->links);
		int fresh = 0;
		for (int i = 0; i < n; i++)
			if (seen.first_time(HnswTidKey(&s->links[i])))
				s->links[fresh++] = s->links[i];
		n = fresh;
		HnswElementInfo infos[2 * HNSW_MAX_M];
		bool found[2 * HNSW_MAX_M];
		HnswReadElements(index, dist, q, s->links, n, infos, found, cur.distance);
		for (int i = 0; i < n; i++)
		{
			if (found[i] && infos[i].exact && infos[i].distance < cur.distance)
			{
				cur.distance = infos[i].distance;
				cur.element = s->links[i];
				cur.neighbors = infos[i].neighbors;
				changed = true;
			}
		}
		CHECK_FOR_INTERRUPTS();
	}
	return cur;
}

void HnswSearchLevel(Relation index, const HnswDistance *dist, const HnswValue *q,
                     const HnswDiskCandidate *entries, int nentries, int ef, int level, int m,
                     HnswSearchScratch *s, PgVec<HnswDiskCandidate> *out,
                     const HnswReadFilter *filter)
{
	HnswBestFirst<HnswDiskCandidate> search{s->candidates, s->nearest, ef};
	bool added;

	search.begin();
	HnswTidSetClear(&s->visited);

	for (int i = 0; i < nentries; i++)
	{
		HnswTidSetAdd(&s->visited, HnswTidKey(&entries[i].element), &added);
		HnswElementInfo info;
		/* Entries come from the level above, already known not deleted... unless vacuum raced. */
		bool live =
		    HnswReadElement(index, dist, NULL, (ItemPointer)&entries[i].element, &info, NULL) &&
		    !info.deleted;
		search.enter(entries[i], live);
	}

	search.run(
	    [&](const HnswDiskCandidate &c)
	    {
		    HnswDiskCandidate from = c;
		    int n = HnswReadLinks(index, &from.neighbors, level, m, s->links);
		    int fresh = 0;
		    for (int i = 0; i < n; i++)
		    {
			    HnswTidSetAdd(&s->visited, HnswTidKey(&s->links[i]), &added);
			    if (added)
				    s->links[fresh++] = s->links[i];
		    }
		    HnswElementInfo infos[4 * HNSW_MAX_M];
		    bool found[4 * HNSW_MAX_M];
		    HnswReadElements(index, dist, q, s->links, fresh, infos, found, search.bound(), filter);
		    for (int i = 0; i < fresh; i++)
		    {
			    if (!found[i] || !infos[i].exact || !infos[i].passes)
				    continue;
			    HnswDiskCandidate nc;
			    nc.distance = infos[i].distance;
			    nc.element = s->links[i];
			    nc.neighbors = infos[i].neighbors;
			    nc.exact = true;
			    search.offer(nc, !infos[i].deleted);
		    }
		    CHECK_FOR_INTERRUPTS();
	    },
	    out);
}

/* ---- batched reads ----------------------------------------------------------------- */

typedef struct HnswRecentBuffers
{
	BlockNumber nblocks;
	Buffer buffers[FLEXIBLE_ARRAY_MEMBER];
} HnswRecentBuffers;

Buffer HnswReadBufferRecent(Relation index, BlockNumber blk)
{
	HnswRecentBuffers *cache = (HnswRecentBuffers *)index->rd_amcache;

	if (cache != NULL && blk < cache->nblocks && cache->buffers[blk] != InvalidBuffer &&
	    ReadRecentBuffer(index->rd_node, MAIN_FORKNUM, blk, cache->buffers[blk]))
		return cache->buffers[blk];

	Buffer buf = ReadBuffer(index, blk);
	if (cache == NULL || blk >= cache->nblocks)
	{
		/* rd_amcache must be one chunk in rd_indexcxt: grow by replacing it. */
		BlockNumber want = Max(RelationGetNumberOfBlocks(index), blk + 1) + 64;
		HnswRecentBuffers *grown = (HnswRecentBuffers *)MemoryContextAllocZero(
		    index->rd_indexcxt, offsetof(HnswRecentBuffers, buffers) + sizeof(Buffer) * (Size)want);
		grown->nblocks = want;
		if (cache != NULL)
		{
			memcpy(grown->buffers, cache->buffers, sizeof(Buffer) * (Size)cache->nblocks);
			pfree(cache);
		}
		index->rd_amcache = grown;
		cache = grown;
	}
	cache->buffers[blk] = buf;
	return buf;
}

void HnswReadElements(Relation index, const HnswDistance *dist, const HnswValue *q,
                      const ItemPointerData *tids, int n, HnswElementInfo *info, bool *found,
                      float bound, const HnswReadFilter *filter)
{
	/*
	 * At most this many pins at once: a backend tracks its first 8 pins in a small
	 * array and the rest in a hash table, which would cost more than the batching saves.
	 */
	const int kBatch = 7;
	const OffsetNumber max_offset = (BLCKSZ - SizeOfPageHeaderData) / sizeof(ItemIdData);
	Size span = HNSW_ELEMENT_HEADER_SIZE + dist->value_size;
	Buffer buffers[kBatch];

	/*
	 * Pinning touches each buffer's descriptor, reading an element its line pointer then
	 * its tuple: three dependent cache misses. Started for all n at once, from the
	 * buffers the blocks were last seen in, they overlap instead of adding up. The page
	 * may have left that buffer since: these are hints, read without a pin, and a wrong
	 * one only prefetches a line of some other page.
	 */
	HnswRecentBuffers *cache = (HnswRecentBuffers *)index->rd_amcache;
	if (cache != NULL)
	{
		auto recent_page = [&](int i) -> const char *
		{
			BlockNumber blk = ItemPointerGetBlockNumber(&tids[i]);
			Buffer recent = blk < cache->nblocks ? cache->buffers[blk] : InvalidBuffer;
			return recent > 0 ? (const char *)BufferGetBlock(recent) : nullptr;
		};
		for (int i = 0; i < n; i++)
		{
			BlockNumber blk = ItemPointerGetBlockNumber(&tids[i]);
			Buffer recent = blk < cache->nblocks ? cache->buffers[blk] : InvalidBuffer;
			if (recent <= 0)
				continue;
			__builtin_prefetch(GetBufferDescriptor(recent - 1));
			if (ItemPointerGetOffsetNumber(&tids[i]) <= max_offset)
				__builtin_prefetch(
				    PageGetItemId((Page)recent_page(i), ItemPointerGetOffsetNumber(&tids[i])));
		}
		for (int i = 0; i < n; i++)
		{
			const char *page = recent_page(i);
			OffsetNumber off = ItemPointerGetOffsetNumber(&tids[i]);
			if (page == nullptr || off < FirstOffsetNumber || off > max_offset)
				continue;
			uint32 word = *(const volatile uint32 *)PageGetItemId((Page)page, off);
			ItemIdData iid;
			memcpy(&iid, &word, sizeof(iid));
			/*
			 * A small element whole; of a large one the header only (measured: more lines
			 * for all n at once cost a 784-dimension search more than they save), the
			 * rest comes per batch.
			 */
			Size bytes = span <= 256 ? span : 128;
			if (iid.lp_off > 0 && iid.lp_off + bytes <= BLCKSZ)
				for (uintptr_t line = (uintptr_t)(page + iid.lp_off) & ~(uintptr_t)63;
				     line < (uintptr_t)(page + iid.lp_off + bytes); line += 64)
					__builtin_prefetch((const void *)line);
		}
	}

	for (int start = 0; start < n; start += kBatch)
	{
		int count = Min(kBatch, n - start);
		const ItemPointerData *batch = tids + start;

		for (int i = 0; i < count; i++)
			buffers[i] = HnswReadBufferRecent(index, ItemPointerGetBlockNumber(&batch[i]));

		/* Prefetch hints only, read without the lock; the real reads below are locked. */
		for (int i = 0; i < count; i++)
			if (ItemPointerGetOffsetNumber(&batch[i]) <= max_offset)
				__builtin_prefetch(PageGetItemId(BufferGetPage(buffers[i]),
				                                 ItemPointerGetOffsetNumber(&batch[i])));
		auto prefetch_tuple = [&](int i, Size bytes)
		{
			Page page = BufferGetPage(buffers[i]);
			if (ItemPointerGetOffsetNumber(&batch[i]) > max_offset)
				return;
			unsigned off = PageGetItemId(page, ItemPointerGetOffsetNumber(&batch[i]))->lp_off;
			if (off > 0 && off + bytes <= BLCKSZ)
				for (Size b = 0; b < bytes; b += 64)
					__builtin_prefetch((const char *)page + off + b);
		};
		/* Headers of all, whole tuples of the first two; later ones two steps ahead. */
		for (int i = 0; i < count; i++)
			prefetch_tuple(i, 128);
		for (int i = 0; i < count && i < 2; i++)
			prefetch_tuple(i, span);

		for (int i = 0; i < count; i++)
		{
			if (i + 2 < count)
				prefetch_tuple(i + 2, span);
			HnswElementInfo *out = &info[start + i];
			LockBuffer(buffers[i], BUFFER_LOCK_SHARE);
			HnswElementTuple etup =
			    HnswElementAt(BufferGetPage(buffers[i]), ItemPointerGetOffsetNumber(&batch[i]));
			found[start + i] = etup != NULL;
			if (etup != NULL)
			{
				const HnswValue *v = HnswElementValue(etup);
				HnswCheckElementValue(dist, v);
				out->exact = true;
				out->passes = filter == NULL || HnswFilterMatches(filter->filter, filter->cols,
				                                                  HnswElementFilters(etup));
				out->in_scope =
				    filter == NULL || filter->scope == NULL
				        ? out->passes
				        : HnswFilterMatches(filter->scope, filter->cols, HnswElementFilters(etup));
				if (out->passes || out->in_scope || filter->measure_rejected)
					out->distance =
					    q ? HnswValueDistanceBounded(dist, q, v, bound, &out->exact) : 0.0f;
				else
					out->distance = INFINITY;
				out->neighbors = etup->neighbortid;
				out->level = etup->level;
				out->deleted = (etup->flags & HNSW_ELEMENT_DELETED) != 0;
			}
			UnlockReleaseBuffer(buffers[i]);
		}
	}
}

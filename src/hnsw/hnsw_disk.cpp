/*
 * hnsw_disk.cpp: element reads, link reads and level searches on the on-disk graph.
 */
#include "hnsw/hnsw_disk.h"

extern "C" {
#include "miscadmin.h"
#include "storage/bufmgr.h"
#include "utils/memutils.h"
}

#include <cstring>

using vecrbac::pg::PgVec;

/* ---- TID set ------------------------------------------------------------------ */

static inline uint32 tid_hash(uint64 key)
{
	key ^= key >> 33;
	key *= UINT64CONST(0xff51afd7ed558ccd);
	key ^= key >> 33;
	return (uint32) key;
}

void HnswTidSetInit(HnswTidSet *set, uint32 expected)
{
	uint32 capacity = 64;
	while (capacity < expected * 2)
		capacity *= 2;
	set->keys = (uint64 *) MemoryContextAllocHuge(CurrentMemoryContext, sizeof(uint64) * capacity);
	set->flags = (uint8 *) MemoryContextAllocHuge(CurrentMemoryContext, capacity);
	memset(set->keys, 0, sizeof(uint64) * capacity);
	set->mask = capacity - 1;
	set->count = 0;
}

static void tid_set_grow(HnswTidSet *set)
{
	uint32 old_capacity = set->mask + 1;
	uint64 *old_keys = set->keys;
	uint8 *old_flags = set->flags;

	/*
	 * Grow in the memory context the set already lives in, not the current one: a
	 * set that outlives a short-lived context current while it grows (vacuum's
	 * per-element context, reset after each element, around the search scratch)
	 * would otherwise be freed under its owner.
	 */
	MemoryContext old_context = MemoryContextSwitchTo(GetMemoryChunkContext(old_keys));
	HnswTidSetInit(set, old_capacity); /* doubles: capacity >= 2 * expected */
	MemoryContextSwitchTo(old_context);
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
	memset(set->keys, 0, sizeof(uint64) * (Size) (set->mask + 1));
	set->count = 0;
}

Size HnswTidSetBytes(const HnswTidSet *set)
{
	return (Size) (set->mask + 1) * (sizeof(uint64) + 1);
}

/* ---- reading ---------------------------------------------------------------------- */

bool HnswReadElement(Relation index, const HnswDistance *dist, const Vector *q, ItemPointer tid,
					 HnswElementInfo *info, Vector *vector_out)
{
	Buffer buf = ReadBuffer(index, ItemPointerGetBlockNumber(tid));
	LockBuffer(buf, BUFFER_LOCK_SHARE);
	HnswElementTuple etup = HnswElementAt(BufferGetPage(buf), ItemPointerGetOffsetNumber(tid));

	if (etup == NULL)
	{
		UnlockReleaseBuffer(buf);
		return false;
	}
	const Vector *v = HnswElementVector(etup);
	info->distance = q ? HnswVectorDistance(dist, q, v) : 0.0f;
	info->neighbors = etup->neighbortid;
	info->level = etup->level;
	info->deleted = (etup->flags & HNSW_ELEMENT_DELETED) != 0;
	if (vector_out)
		memcpy(vector_out, v, VARSIZE(v));
	UnlockReleaseBuffer(buf);
	return true;
}

int HnswReadLinks(Relation index, ItemPointer neighbors, int level, int m, ItemPointerData *out)
{
	Buffer buf = ReadBuffer(index, ItemPointerGetBlockNumber(neighbors));
	LockBuffer(buf, BUFFER_LOCK_SHARE);
	HnswNeighborTuple ntup = HnswNeighborAt(BufferGetPage(buf), ItemPointerGetOffsetNumber(neighbors));
	int count = -1;

	if (ntup != NULL && ntup->level >= level)
	{
		const ItemPointerData *links = ntup->links + HnswLevelStart(level, m);
		int slots = HnswLevelSlots(level, m);
		count = 0;
		while (count < slots && ItemPointerIsValid(&links[count]))
		{
			out[count] = links[count];
			count++;
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
	s->links = (ItemPointerData *) palloc(sizeof(ItemPointerData) * 2 * m);
}

bool HnswEntryCandidate(Relation index, const HnswDistance *dist, const Vector *q,
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
	return true;
}

HnswDiskCandidate HnswGreedyLevel(Relation index, const HnswDistance *dist, const Vector *q,
								  HnswDiskCandidate cur, int level, int m, HnswSearchScratch *s)
{
	bool changed = true;

	while (changed)
	{
		changed = false;
		int n = HnswReadLinks(index, &cur.neighbors, level, m, s->links);
		for (int i = 0; i < n; i++)
		{
			HnswElementInfo info;
			if (!HnswReadElement(index, dist, q, &s->links[i], &info, NULL))
				continue;
			if (info.distance < cur.distance)
			{
				cur.distance = info.distance;
				cur.element = s->links[i];
				cur.neighbors = info.neighbors;
				changed = true;
			}
		}
		CHECK_FOR_INTERRUPTS();
	}
	return cur;
}

void HnswSearchLevel(Relation index, const HnswDistance *dist, const Vector *q,
					 const HnswDiskCandidate *entries, int nentries, int ef, int level, int m,
					 HnswSearchScratch *s, PgVec<HnswDiskCandidate> *out)
{
	HnswMinHeap &candidates = s->candidates;
	HnswMaxHeap &nearest = s->nearest;
	bool added;

	candidates.clear();
	nearest.clear();
	HnswTidSetClear(&s->visited);

	for (int i = 0; i < nentries; i++)
	{
		HnswTidSetAdd(&s->visited, HnswTidKey(&entries[i].element), &added);
		candidates.push(entries[i]);
		HnswElementInfo info;
		/* Entries come from the level above, already known not deleted... unless vacuum raced. */
		if (HnswReadElement(index, dist, NULL, (ItemPointer) &entries[i].element, &info, NULL) &&
			!info.deleted)
		{
			nearest.push(entries[i]);
			if (nearest.size() > ef)
				nearest.pop();
		}
	}

	while (!candidates.empty())
	{
		HnswDiskCandidate c = candidates.top();
		if (nearest.size() >= ef && c.distance > nearest.top().distance)
			break;
		candidates.pop();

		int n = HnswReadLinks(index, &c.neighbors, level, m, s->links);
		for (int i = 0; i < n; i++)
		{
			HnswTidSetAdd(&s->visited, HnswTidKey(&s->links[i]), &added);
			if (!added)
				continue;
			HnswElementInfo info;
			if (!HnswReadElement(index, dist, q, &s->links[i], &info, NULL))
				continue;
			if (nearest.size() < ef || info.distance < nearest.top().distance)
			{
				HnswDiskCandidate nc;
				nc.distance = info.distance;
				nc.element = s->links[i];
				nc.neighbors = info.neighbors;
				candidates.push(nc);
				if (!info.deleted)
				{
					nearest.push(nc);
					if (nearest.size() > ef)
						nearest.pop();
				}
			}
		}
		CHECK_FOR_INTERRUPTS();
	}

	out->clear();
	out->reserve(nearest.size());
	out->size = nearest.size();
	for (int i = nearest.size() - 1; i >= 0; i--)
		out->data[i] = nearest.pop();
}

/*
 * hnsw_directory.cpp: the partition directory's pages.
 */
#include "hnsw/hnsw_directory.h"
#include "hnsw/hnsw_disk.h"

extern "C"
{
#include "common/hashfn.h"
#include "miscadmin.h"
#include "storage/bufmgr.h"
}

#include <cmath>

namespace
{

/* Entries a directory page holds. */
const int kEntriesPerPage =
    (int)((BLCKSZ - SizeOfPageHeaderData - MAXALIGN(sizeof(HnswPageOpaqueData))) /
          (MAXALIGN(sizeof(HnswDirEntryData)) + sizeof(ItemIdData)));

uint32 bucket_of(int64 key, uint32 pages)
{
	uint64 h =
	    hash_bytes_uint32((uint32)key) ^ ((uint64)hash_bytes_uint32((uint32)(key >> 32)) << 1);
	return (uint32)(h % pages);
}

bool page_has_room(Page page)
{
	return PageGetFreeSpace(page) >= MAXALIGN(sizeof(HnswDirEntryData));
}

} // namespace

void HnswDirOfferSeed(HnswDirEntryData *e, const ItemPointerData *tid, int level)
{
	int slot = -1;
	if (e->nseeds < HNSW_DIR_SEEDS)
		slot = e->nseeds++;
	else
	{
		int lowest = 0;
		for (int i = 1; i < e->nseeds; i++)
			if (e->seed_levels[i] < e->seed_levels[lowest])
				lowest = i;
		if (level > e->seed_levels[lowest])
			slot = lowest;
	}
	if (slot >= 0)
	{
		e->seeds[slot] = *tid;
		e->seed_levels[slot] = (uint8)level;
	}
	if (!ItemPointerIsValid(&e->entry) || level > e->entry_level || e->count <= 1)
	{
		e->entry = *tid;
		e->entry_level = (uint8)level;
	}
}

uint32 HnswDirPagesFor(double distinct_values)
{
	/* Half-full pages leave room for new values before a bucket needs overflow pages. */
	double pages = std::ceil(distinct_values / (kEntriesPerPage / 2.0));
	return (uint32)Min(Max(pages, 16.0), 8192.0);
}

BlockNumber HnswDirBucket(HnswDirRef dir, int64 key)
{
	return dir.start + bucket_of(key, dir.pages);
}

bool HnswDirLookup(Relation index, HnswDirRef dir, int64 key, HnswDirEntryData *out)
{
	if (dir.pages == 0)
		return false;
	BlockNumber blk = HnswDirBucket(dir, key);
	while (blk != InvalidBlockNumber)
	{
		Buffer buf = HnswReadBufferRecent(index, blk);
		LockBuffer(buf, BUFFER_LOCK_SHARE);
		Page page = BufferGetPage(buf);
		OffsetNumber max = PageGetMaxOffsetNumber(page);
		for (OffsetNumber off = FirstOffsetNumber; off <= max; off++)
		{
			ItemId iid = PageGetItemId(page, off);
			if (!ItemIdHasStorage(iid))
				continue;
			HnswDirEntry e = (HnswDirEntry)PageGetItem(page, iid);
			if (e->key == key)
			{
				*out = *e;
				UnlockReleaseBuffer(buf);
				return true;
			}
		}
		blk = HnswPageGetOpaque(page)->nextblkno;
		UnlockReleaseBuffer(buf);
	}
	return false;
}

void HnswDirLocate(Relation index, HnswDirRef dir, int64 key, HnswDirSlot *slot)
{
	slot->first = ReadBuffer(index, HnswDirBucket(dir, key));
	LockBuffer(slot->first, BUFFER_LOCK_EXCLUSIVE);
	slot->page = InvalidBuffer;
	slot->found = false;
	slot->full = false;

	Buffer cur = slot->first;
	Buffer room = InvalidBuffer;
	for (;;)
	{
		Page page = BufferGetPage(cur);
		OffsetNumber max = PageGetMaxOffsetNumber(page);
		for (OffsetNumber o = FirstOffsetNumber; o <= max; o++)
		{
			ItemId iid = PageGetItemId(page, o);
			if (ItemIdHasStorage(iid) && ((HnswDirEntry)PageGetItem(page, iid))->key == key)
			{
				if (BufferIsValid(room) && room != cur && room != slot->first)
					UnlockReleaseBuffer(room);
				slot->page = cur;
				slot->off = o;
				slot->found = true;
				return;
			}
		}
		if (!BufferIsValid(room) && page_has_room(page))
			room = cur;
		BlockNumber next = HnswPageGetOpaque(page)->nextblkno;
		if (next == InvalidBlockNumber)
		{
			if (!BufferIsValid(room))
			{
				room = cur; /* the last page: the chain must grow from here */
				slot->full = true;
			}
			else if (cur != room && cur != slot->first)
				UnlockReleaseBuffer(cur);
			slot->page = room;
			return;
		}
		if (cur != room && cur != slot->first)
			UnlockReleaseBuffer(cur);
		cur = ReadBuffer(index, next);
		LockBuffer(cur, BUFFER_LOCK_EXCLUSIVE);
	}
}

namespace
{

/* Whether tid is an element whose key in filter f is key. */
bool element_has_key(Relation index, const HnswColumns *cols, int f, ItemPointerData tid, int64 key)
{
	/* The page of a head that was never written may be past the end (its extension was lost). */
	if (ItemPointerGetBlockNumber(&tid) >= RelationGetNumberOfBlocks(index))
		return false;
	Buffer buf = HnswReadBufferRecent(index, ItemPointerGetBlockNumber(&tid));
	LockBuffer(buf, BUFFER_LOCK_SHARE);
	Page page = BufferGetPage(buf);
	bool has = false;
	if (HnswIsDataPage(page))
	{
		HnswElementTuple etup = HnswElementAt(page, ItemPointerGetOffsetNumber(&tid));
		int64 k;
		has = etup != NULL && !HnswElementIsCompact(etup) &&
		      HnswFilterKey(cols, HnswElementFilters(etup), f, &k) && k == key;
	}
	UnlockReleaseBuffer(buf);
	return has;
}

} // namespace

bool HnswDirSettleHead(Relation index, const HnswColumns *cols, int f, HnswDirEntryData *e)
{
	if (!ItemPointerIsValid(&e->head) || element_has_key(index, cols, f, e->head, e->key))
		return false;
	e->head = e->prev_head;
	ItemPointerSetInvalid(&e->prev_head);
	if (e->count > 0)
		e->count--;
	return true;
}

void HnswDirRelease(HnswDirSlot *slot)
{
	if (BufferIsValid(slot->page) && slot->page != slot->first)
		UnlockReleaseBuffer(slot->page);
	UnlockReleaseBuffer(slot->first);
	slot->page = slot->first = InvalidBuffer;
}

void HnswDirExtend(Relation index, Buffer last, bool building)
{
	Buffer fresh = HnswNewBuffer(index, MAIN_FORKNUM);
	HnswEdit edit;
	HnswEditStart(&edit, index, building);
	Page lastpage = HnswEditPage(&edit, last, false);
	Page page = HnswEditPage(&edit, fresh, true);
	HnswInitPage(page, HNSW_PAGE_DIRECTORY);
	HnswPageGetOpaque(lastpage)->nextblkno = BufferGetBlockNumber(fresh);
	HnswEditFinish(&edit);
	UnlockReleaseBuffer(fresh);
}

BlockNumber HnswDirWrite(Relation index, ForkNumber fork, const HnswDirEntryData *entries, int n,
                         uint32 dir_pages)
{
	/* Each bucket's entries, then its pages: the buckets first, overflow pages after. */
	int *counts = (int *)palloc0(sizeof(int) * dir_pages);
	for (int i = 0; i < n; i++)
		counts[bucket_of(entries[i].key, dir_pages)]++;
	int **members = (int **)palloc(sizeof(int *) * dir_pages);
	int *filled = (int *)palloc0(sizeof(int) * dir_pages);
	for (uint32 b = 0; b < dir_pages; b++)
		members[b] = (int *)palloc(sizeof(int) * Max(counts[b], 1));
	for (int i = 0; i < n; i++)
	{
		uint32 b = bucket_of(entries[i].key, dir_pages);
		members[b][filled[b]++] = i;
	}

	BlockNumber start = RelationGetNumberOfBlocksInFork(index, fork);
	BlockNumber next_overflow = start + dir_pages;
	PGAlignedBlock image;
	Page page = (Page)image.data;

	/* Pass 1: the bucket pages, each pointing at its first overflow page if any. */
	for (uint32 b = 0; b < dir_pages; b++)
	{
		HnswInitPage(page, HNSW_PAGE_DIRECTORY);
		int overflow_pages = counts[b] > kEntriesPerPage ? (counts[b] - 1) / kEntriesPerPage : 0;
		for (int i = 0; i < Min(counts[b], kEntriesPerPage); i++)
			if (PageAddItem(page, (Item)&entries[members[b][i]], sizeof(HnswDirEntryData),
			                InvalidOffsetNumber, false, false) == InvalidOffsetNumber)
				elog(ERROR, "hnsw directory page overflowed");
		if (overflow_pages > 0)
		{
			HnswPageGetOpaque(page)->nextblkno = next_overflow;
			next_overflow += overflow_pages;
		}
		Buffer buf = HnswNewBuffer(index, fork);
		if (BufferGetBlockNumber(buf) != start + b)
			elog(ERROR, "hnsw directory: expected block %u, got %u", start + b,
			     BufferGetBlockNumber(buf));
		memcpy(BufferGetPage(buf), page, BLCKSZ);
		MarkBufferDirty(buf);
		UnlockReleaseBuffer(buf);
	}
	/* Pass 2: overflow pages in the same order. */
	for (uint32 b = 0; b < dir_pages; b++)
	{
		int done = Min(counts[b], kEntriesPerPage);
		while (done < counts[b])
		{
			HnswInitPage(page, HNSW_PAGE_DIRECTORY);
			int take = Min(counts[b] - done, kEntriesPerPage);
			for (int i = 0; i < take; i++)
				PageAddItem(page, (Item)&entries[members[b][done + i]], sizeof(HnswDirEntryData),
				            InvalidOffsetNumber, false, false);
			done += take;
			Buffer buf = HnswNewBuffer(index, fork);
			if (done < counts[b])
				HnswPageGetOpaque(page)->nextblkno = BufferGetBlockNumber(buf) + 1;
			memcpy(BufferGetPage(buf), page, BLCKSZ);
			MarkBufferDirty(buf);
			UnlockReleaseBuffer(buf);
		}
	}
	return start;
}

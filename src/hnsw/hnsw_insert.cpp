/*
 * hnsw_insert.cpp: adding one heap tuple to an existing on-disk graph.
 *
 * Steps: search the graph for the new element's neighbors (no locks held but
 * one buffer at a time); place the element and neighbor tuples on a page with room
 * (one WAL record); add backlinks to each chosen neighbor (one WAL record per
 * neighbor, optimistic: the pruned list is computed without a lock and written only
 * if the neighbor's links did not change meanwhile); finally raise the entry point
 * if the new element is higher than it. Searches walk through elements vacuum has
 * flagged deleted but never return them; an insert that finds no live element at all
 * (everything reachable from a flagged entry point is deleted: between vacuum's pass
 * 1 and its entry point repair, or after a crash there) becomes the entry point,
 * placed with the metapage in one WAL record, instead of being linked to nothing.
 *
 * Locks: inserts hold the heavyweight lock HNSW_UPDATE_LOCK in ShareLock mode for
 * their whole duration, so they run concurrently with each other; vacuum takes it
 * in ExclusiveLock mode briefly, as a barrier, so that no insert that could still
 * link to an element vacuum is retiring outlives the retirement (hnsw_vacuum.cpp).
 * Buffer locks are taken one at a time, except when a new element spans two pages,
 * where they are taken in block order; the metapage (block 0) always comes first.
 */
#include "hnsw/hnsw.h"
#include "hnsw/hnsw_directory.h"
#include "hnsw/hnsw_disk.h"
#include "hnsw/hnsw_filter.h"
#include "pg/wait_point.h"

extern "C"
{
#include "miscadmin.h"
#include "storage/freespace.h"
#include "storage/lmgr.h"
#include "utils/memutils.h"
#include "utils/rel.h"
}

#include <algorithm>
#include <cmath>
#include <cstring>

using vecrbac::pg::PgVec;

namespace
{

/* Room in a page for an item of this size, as PageAddItem counts it. */
inline Size item_cost(Size size)
{
	return MAXALIGN(size) + sizeof(ItemIdData);
}

/*
 * Returns a pinned, exclusively locked page with at least `needed` bytes of room for
 * `items` tuples (HnswPageRoom; directory pages and new pages have none): the
 * page this backend last placed an element on (the relation's target block, else the
 * last page), then the pages the free space map offers, else a new page (*is_new).
 *
 * With `preferred` (the page of a large partition value's newest element: see
 * place_element) that page is tried first and the target block is skipped: so rows
 * inserted after the build, tenant after tenant or interleaved, still fill pages value
 * by value, and a scope read along its chain reads few pages (as the build lays them
 * out). The map's pages (room that VACUUM freed) still come before a new page.
 *
 * A page left because it is too full has its true room recorded in the map on the way
 * (RecordAndGetPageWithFreeSpace, as heap inserts do): inserts never update the map as
 * they fill a page, so after VACUUM has freed pages the map still shows them empty
 * once they are full. Giving up after a few such pages and extending the relation
 * instead grew the index by 23 % when Fashion-MNIST's rows were deleted, vacuumed and
 * inserted again: every full page met cost a new one.
 *
 * The map keeps room in steps of BLCKSZ / 256 bytes, rounded down, and offers a page
 * only if its step is at least the request rounded up: a page with room for exactly
 * one more element (12 level-0 elements of 96 dimensions fill a page to the byte) is
 * never offered for it. So the request is rounded down to its step, which also offers
 * pages a few bytes short; those near misses are recorded unchanged and may come back,
 * so after kNearMisses of them the exact request takes over. Every other miss lowers
 * a map entry below the request, so the loop ends, with a page that has room or with
 * none left.
 *
 * The first page tried is only a guess, and is locked only if no one holds it: the
 * last page may be a partition directory page, which place_element already holds
 * locked when the new element's value is in it (right after a build the directory
 * pages come last), and waiting for it there waited for ourselves, for ever. The map
 * never offers a directory page (their room is 0).
 */
Buffer page_with_room(Relation index, Size needed, int items, bool *is_new,
                      BlockNumber preferred = InvalidBlockNumber)
{
	const Size step = BLCKSZ / 256; /* freespace.c's FSM_CAT_STEP */
	const int kNearMisses = 8;
	BlockNumber nblocks = RelationGetNumberOfBlocks(index);
	BlockNumber blk = RelationGetTargetBlock(index);
	Size request = needed - needed % step;
	int near_misses = 0;

	*is_new = false;
	if (preferred != InvalidBlockNumber && preferred != HNSW_METAPAGE_BLKNO && preferred < nblocks)
		blk = preferred;
	else if (blk == InvalidBlockNumber || blk >= nblocks)
		blk = nblocks > 1 ? nblocks - 1 : InvalidBlockNumber;
	bool guess = true;
	while (blk != InvalidBlockNumber && blk != HNSW_METAPAGE_BLKNO)
	{
		CHECK_FOR_INTERRUPTS();
		Buffer buf = ReadBuffer(index, blk);
		if (guess)
		{
			guess = false;
			if (!ConditionalLockBuffer(buf))
			{
				ReleaseBuffer(buf);
				blk = GetPageWithFreeSpace(index, request);
				continue;
			}
		}
		else
			LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
		Size room = HnswPageRoom(BufferGetPage(buf), items);
		if (room >= needed)
		{
			RelationSetTargetBlock(index, blk);
			return buf;
		}
		UnlockReleaseBuffer(buf);
		if (room >= request && ++near_misses >= kNearMisses)
			request = needed;
		/* (Directory pages and the metapage have no room for elements: 0, never offered.) */
		blk = RecordAndGetPageWithFreeSpace(index, blk, room, request);
	}
	*is_new = true;
	Buffer buf = HnswNewBuffer(index, MAIN_FORKNUM);
	RelationSetTargetBlock(index, BufferGetBlockNumber(buf));
	return buf;
}

struct NewElement
{
	HnswElementTuple etup;
	Size esize;
	HnswNeighborTuple ntup;
	Size nsize;
	ItemPointerData etid;
	ItemPointerData ntid;
};

void fill_element(NewElement *ne, const HnswValue *value, const char *filters, Size filter_bytes,
                  ItemPointer heaptid, int level, int m, int value_slots, bool compact)
{
	Assert(!compact || (filter_bytes == 0 && value_slots == 0));
	ne->esize = HnswElementTupleSize(VARSIZE(value), filter_bytes, compact);
	ne->etup = (HnswElementTuple)palloc0(ne->esize);
	ne->etup->type = HNSW_ELEMENT_TUPLE;
	ne->etup->level = (uint8)level;
	ne->etup->flags = compact ? HNSW_ELEMENT_COMPACT : 0;
	ne->etup->filter_bytes = (uint16)filter_bytes;
	if (!compact)
		ItemPointerSetInvalid(&ne->etup->chain_next);
	ne->etup->heaptids[0] = *heaptid;
	for (int i = 1; i < HNSW_HEAPTIDS; i++)
		ItemPointerSetInvalid(&ne->etup->heaptids[i]);
	memcpy(HnswElementValue(ne->etup), value, VARSIZE(value));
	if (filter_bytes > 0) /* after the value, whose size places the filter section */
		memcpy(HnswElementFilters(ne->etup), filters, filter_bytes);

	ne->nsize = HnswNeighborTupleSize(level, m, value_slots, compact);
	ne->ntup = (HnswNeighborTuple)palloc0(ne->nsize);
	ne->ntup->type = compact ? HNSW_COMPACT_NEIGHBOR_TUPLE : HNSW_NEIGHBOR_TUPLE;
	ne->ntup->level = (uint8)level;
	if (!compact)
		ne->ntup->slots = (uint16)((level + 2) * m + value_slots);
	for (int i = 0; i < HnswNeighborSlots(ne->ntup, m); i++)
		ItemPointerSetInvalid(&HnswNeighborLinks(ne->ntup)[i]);
}

void add_tuple(Page page, const void *tup, Size size, ItemPointer tid, BlockNumber blk)
{
	OffsetNumber off = PageAddItem(page, (Item)tup, size, InvalidOffsetNumber, false, false);
	if (off == InvalidOffsetNumber)
		elog(ERROR, "failed to add hnsw tuple to page %u", blk);
	ItemPointerSet(tid, blk, off);
}

/*
 * Locks room for the new element's two tuples: one page when they fit together
 * (the usual case), else two pages locked in block order. Returns false if a page
 * filled up in between; the caller then tries again.
 */
bool lock_room(Relation index, const NewElement *ne, BlockNumber preferred, Buffer *buf,
               bool *is_new, Buffer *buf2, bool *is_new2)
{
	const Size empty_page = BLCKSZ - SizeOfPageHeaderData - MAXALIGN(sizeof(HnswPageOpaqueData));
	Size ecost = item_cost(ne->esize), ncost = item_cost(ne->nsize);

	*buf2 = InvalidBuffer;
	*is_new2 = false;
	if (ecost + ncost <= empty_page)
	{
		*buf = page_with_room(index, ecost + ncost, 2, is_new, preferred);
		return true;
	}

	/* Only a huge element (many dimensions, high level) cannot share a page. */
	*buf = page_with_room(index, ecost, 1, is_new);
	BlockNumber first = BufferGetBlockNumber(*buf);
	LockBuffer(*buf, BUFFER_LOCK_UNLOCK); /* keep the pin; relock in block order */
	*buf2 = page_with_room(index, ncost, 1, is_new2);
	if (BufferGetBlockNumber(*buf2) == first)
	{
		UnlockReleaseBuffer(*buf2);
		*buf2 = HnswNewBuffer(index, MAIN_FORKNUM);
		*is_new2 = true;
	}
	if (BufferGetBlockNumber(*buf2) < first)
		LockBuffer(*buf, BUFFER_LOCK_EXCLUSIVE);
	else
	{
		LockBuffer(*buf2, BUFFER_LOCK_UNLOCK);
		LockBuffer(*buf, BUFFER_LOCK_EXCLUSIVE);
		LockBuffer(*buf2, BUFFER_LOCK_EXCLUSIVE);
	}
	Size room = *is_new ? empty_page : HnswPageRoom(BufferGetPage(*buf), 1);
	Size room2 = *is_new2 ? empty_page : HnswPageRoom(BufferGetPage(*buf2), 1);
	if (room >= ecost && room2 >= ncost)
		return true;
	UnlockReleaseBuffer(*buf);
	UnlockReleaseBuffer(*buf2);
	return false;
}

/*
 * The offset PageAddItem gives the next item on a page: the first unused line
 * pointer when the page says it has some, else the next one.
 */
OffsetNumber next_offset(Page page, bool is_new)
{
	if (is_new)
		return FirstOffsetNumber;
	OffsetNumber max = PageGetMaxOffsetNumber(page);
	if (PageHasFreeLinePointers(page))
		for (OffsetNumber off = FirstOffsetNumber; off <= max; off++)
		{
			ItemId iid = PageGetItemId(page, off);
			if (!ItemIdIsUsed(iid) && !ItemIdHasStorage(iid))
				return off;
		}
	return OffsetNumberNext(max);
}

/* Locates key in a directory, growing its bucket until there is room for a new entry. */
void locate_growing(Relation index, HnswDirRef dir, int64 key, bool building, HnswDirSlot *slot)
{
	for (;;)
	{
		HnswDirLocate(index, dir, key, slot);
		if (slot->found || !slot->full)
			return;
		/* No page of the bucket has room for a new value: grow the bucket, look again. */
		HnswDirExtend(index, slot->page, building);
		HnswDirRelease(slot);
	}
}

static inline HnswDirEntry slot_entry(Page page, const HnswDirSlot *slot)
{
	return (HnswDirEntry)PageGetItem(page, PageGetItemId(page, slot->off));
}

/*
 * Adds a value's entry to a directory page, its chain the one element at tid; with
 * a level (the partition directory), the element is also its first seed. Returns
 * where the entry went.
 */
OffsetNumber add_dir_entry(Page page, int64 key, ItemPointerData tid, int level)
{
	HnswDirEntryData e;
	memset(&e, 0, sizeof(e));
	e.key = key;
	e.count = 1;
	e.head = tid;
	ItemPointerSetInvalid(&e.entry);
	ItemPointerSetInvalid(&e.prev_head);
	if (level >= 0)
		HnswDirOfferSeed(&e, &tid, level);
	OffsetNumber off = PageAddItem(page, (Item)&e, sizeof(e), InvalidOffsetNumber, false, false);
	if (off == InvalidOffsetNumber)
		elog(ERROR, "hnsw directory page has no room");
	return off;
}

/* The new element's chain directories (columns other than the partition column). */
struct ChainSlots
{
	int n;
	int filter[HNSW_MAX_FILTERS];
	int64 key[HNSW_MAX_FILTERS];
	HnswDirSlot slot[HNSW_MAX_FILTERS];
	HnswDirEntryData settled[HNSW_MAX_FILTERS]; /* the entry with its head settled (if found) */
};

/*
 * Locks the chain directories' entries for the element's keys (after the partition
 * bucket, in filter order), settles their heads and links the element to them.
 */
void lock_chains(Relation index, const HnswColumns *cols, const HnswMetaPageData *meta,
                 NewElement *ne, bool building, ChainSlots *cs)
{
	cs->n = 0;
	if (ne->etup->filter_bytes == 0)
		return;
	char *filters = HnswElementFilters(ne->etup);
	for (int f = 0; f < cols->nfilters; f++)
	{
		HnswDirRef dir = HnswDirOf(meta, cols, f);
		int64 key;
		if (f == cols->partition || dir.pages == 0 || !HnswFilterKey(cols, filters, f, &key))
			continue;
		int i = cs->n++;
		cs->filter[i] = f;
		cs->key[i] = key;
		locate_growing(index, dir, key, building, &cs->slot[i]);
		ItemPointerData head;
		ItemPointerSetInvalid(&head);
		if (cs->slot[i].found)
		{
			cs->settled[i] = *slot_entry(BufferGetPage(cs->slot[i].page), &cs->slot[i]);
			HnswDirSettleHead(index, cols, f, &cs->settled[i]);
			head = cs->settled[i].head;
		}
		*HnswFilterChainLink(cols, filters, f) = head;
	}
}

/*
 * The chain directories' record, written before the element's: each entry's head
 * becomes the element to be placed at etid, its old head kept as prev_head.
 */
void write_chains(Relation index, ChainSlots *cs, ItemPointerData etid, bool building)
{
	if (cs->n == 0)
		return;
	HnswEdit edit;
	HnswEditStart(&edit, index, building);
	for (int i = 0; i < cs->n; i++)
	{
		Page page = HnswEditPage(&edit, cs->slot[i].page, false);
		if (cs->slot[i].found)
		{
			HnswDirEntry e = slot_entry(page, &cs->slot[i]);
			*e = cs->settled[i];
			e->prev_head = e->head;
			e->head = etid;
			e->count++;
		}
		else
			cs->slot[i].off = add_dir_entry(page, cs->key[i], etid, -1);
	}
	HnswEditFinish(&edit);
}

/*
 * Offers the placed element as a seed of its values in the chain directories of the
 * columns with value links (still locked from lock_chains), in a record of its own
 * after the element's, and only where the seeds change (while a value has fewer than
 * HNSW_DIR_SEEDS, or for an element above a seed's level): a seed never names an
 * element that a crash between the records left unwritten.
 */
void offer_chain_seeds(Relation index, const HnswColumns *cols, const HnswMetaPageData *meta,
                       ChainSlots *cs, const NewElement *ne, bool building)
{
	HnswEdit edit;
	bool started = false;
	for (int i = 0; i < cs->n; i++)
	{
		if (!HnswHasValueLinks(cols, cs->filter[i], meta->m, meta->value_slots))
			continue;
		HnswDirEntryData offered = *slot_entry(BufferGetPage(cs->slot[i].page), &cs->slot[i]);
		HnswDirEntryData before = offered;
		HnswDirOfferSeed(&offered, &ne->etid, ne->etup->level);
		if (memcmp(&offered, &before, sizeof(offered)) == 0)
			continue;
		if (!started)
			HnswEditStart(&edit, index, building);
		started = true;
		*slot_entry(HnswEditPage(&edit, cs->slot[i].page, false), &cs->slot[i]) = offered;
	}
	if (started)
		HnswEditFinish(&edit);
}

/*
 * Writes the new element and its neighbor tuple in a single WAL record, together
 * with the partition directory's entry for its value (count, chain head) when the
 * index has a partition column, and the metapage when metabuf is valid (locked by
 * the caller: the first element of an empty index becomes the entry point). The
 * chain directories' entries go in a record of their own just before
 * (hnsw_directory.h), naming the element's TID, which is decided once its page is
 * locked. Lock order: metapage, directory buckets, data pages.
 */
void place_element(Relation index, const HnswColumns *cols, NewElement *ne, bool building,
                   Buffer metabuf, const HnswMetaPageData *meta, bool has_key, int64 key)
{
	Buffer buf, buf2;
	bool is_new, is_new2;
	HnswDirSlot slot;
	bool use_dir = has_key && meta->dir_pages > 0;

	if (use_dir)
		locate_growing(index, HnswPartitionDir(meta), key, building, &slot);
	if (use_dir && slot.found)
		ne->etup->chain_next = slot_entry(BufferGetPage(slot.page), &slot)->head;
	ChainSlots chains;
	lock_chains(index, cols, meta, ne, building, &chains);

	/*
	 * Beside the value's newest element (page_with_room), for a value of at least
	 * kOwnPages pages of elements: it then opens pages of its own when that one is full,
	 * so about one page per such value is partly empty (more only when another backend
	 * holds the value's page at that moment), an eighth of its pages or less.
	 * Smaller values share pages as before (a million tenants of a few rows each must
	 * not take a page each).
	 */
	const double kOwnPages = 8;
	const Size empty_page = BLCKSZ - SizeOfPageHeaderData - MAXALIGN(sizeof(HnswPageOpaqueData));
	BlockNumber preferred = InvalidBlockNumber;
	if (use_dir && slot.found && ItemPointerIsValid(&ne->etup->chain_next))
	{
		double pages = (double)slot_entry(BufferGetPage(slot.page), &slot)->count *
		               (double)(item_cost(ne->esize) + item_cost(ne->nsize)) / (double)empty_page;
		if (pages >= kOwnPages)
			preferred = ItemPointerGetBlockNumber(&ne->etup->chain_next);
	}
	while (!lock_room(index, ne, preferred, &buf, &is_new, &buf2, &is_new2))
		CHECK_FOR_INTERRUPTS();

	/* Where the element goes: the chain directories name it before it is written. */
	BlockNumber blk = BufferGetBlockNumber(buf);
	OffsetNumber eoff = next_offset(BufferGetPage(buf), is_new);
	ItemPointerSet(&ne->etid, blk, eoff);
	write_chains(index, &chains, ne->etid, building);
	if (chains.n > 0)
		VECRBAC_ERROR_POINT("hnsw-insert-between-records");

	HnswEdit edit;
	HnswEditStart(&edit, index, building);
	Page meta_page = BufferIsValid(metabuf) ? HnswEditPage(&edit, metabuf, false) : NULL;
	Page dir_page = use_dir ? HnswEditPage(&edit, slot.page, false) : NULL;
	Page page = HnswEditPage(&edit, buf, is_new);
	if (is_new)
		HnswInitPage(page, HNSW_PAGE_DATA);
	Page page2 = page;
	if (BufferIsValid(buf2))
	{
		page2 = HnswEditPage(&edit, buf2, is_new2);
		if (is_new2)
			HnswInitPage(page2, HNSW_PAGE_DATA);
	}

	/* Each tuple names the other: place the element, then its links, then patch. */
	ItemPointerSetInvalid(&ne->etup->neighbortid);
	if (PageAddItem(page, (Item)ne->etup, ne->esize, eoff, true, false) != eoff)
		elog(ERROR, "failed to add hnsw element to page %u at offset %u", blk, eoff);
	*HnswNeighborOwner(ne->ntup) = ne->etid;
	add_tuple(page2, ne->ntup, ne->nsize, &ne->ntid,
	          BufferIsValid(buf2) ? BufferGetBlockNumber(buf2) : blk);
	HnswElementAt(page, eoff)->neighbortid = ne->ntid;

	if (dir_page != NULL)
	{
		if (slot.found)
		{
			HnswDirEntry e = slot_entry(dir_page, &slot);
			e->count++;
			e->head = ne->etid;
			HnswDirOfferSeed(e, &ne->etid, ne->etup->level);
		}
		else
			add_dir_entry(dir_page, key, ne->etid, ne->etup->level);
	}
	if (meta_page != NULL)
	{
		HnswMetaPage m = HnswPageGetMeta(meta_page);
		m->entry = ne->etid;
		m->entry_level = ne->etup->level;
	}
	HnswEditFinish(&edit);
	if (chains.n > 0)
		VECRBAC_ERROR_POINT("hnsw-insert-before-seeds");
	offer_chain_seeds(index, cols, meta, &chains, ne, building);

	UnlockReleaseBuffer(buf);
	if (BufferIsValid(buf2))
		UnlockReleaseBuffer(buf2);
	for (int i = chains.n - 1; i >= 0; i--)
		HnswDirRelease(&chains.slot[i]);
	if (use_dir)
		HnswDirRelease(&slot);
}

/*
 * Adds `added` to the links of element `target` on `level`. If the level is full,
 * the heuristic chooses among the current links and the new one; the new list is
 * written only if the links did not change while it was computed (else retry).
 */
void add_backlink(Relation index, const HnswDistance *dist, int m, const HnswDiskCandidate *target,
                  ItemPointer added, float distance, int level, bool building, HnswSearchScratch *s)
{
	int slots = HnswIsValueLevel(level) ? 2 * m : HnswLevelSlots(level, m);
	ItemPointerData *current = (ItemPointerData *)palloc(sizeof(ItemPointerData) * slots);
	ItemPointerData *chosen = (ItemPointerData *)palloc(sizeof(ItemPointerData) * slots);
	HnswValue *target_vector = NULL;

	for (int attempt = 0; attempt < 4; attempt++)
	{
		ItemPointerData ntid = target->neighbors;
		int count = HnswReadLinks(index, &ntid, level, m, current);
		if (count < 0)
			return; /* the target was retired by vacuum */
		for (int i = 0; i < count; i++)
			if (ItemPointerEquals(&current[i], added))
				return;

		int nchosen = 0;
		if (count >= slots)
		{
			/* Full: choose among the current links plus the new one (unlocked). */
			if (target_vector == NULL)
			{
				HnswElementInfo info;
				ItemPointerData etid = target->element;
				target_vector = HnswReadElementValue(index, dist, NULL, &etid, &info);
				if (target_vector == NULL || info.deleted)
					return;
			}
			HnswCandidate *cands = (HnswCandidate *)palloc(sizeof(HnswCandidate) * (count + 1));
			const HnswValue **vectors =
			    (const HnswValue **)palloc(sizeof(HnswValue *) * (count + 1));
			HnswCandidate *kept = (HnswCandidate *)palloc(sizeof(HnswCandidate) * slots);
			int n = 0;
			for (int i = 0; i < count; i++)
			{
				HnswElementInfo info;
				HnswValue *v = HnswReadElementValue(index, dist, target_vector, &current[i], &info);
				if (v == NULL || info.deleted)
					continue; /* a link to a retired element is dropped for free */
				cands[n].distance = info.distance;
				cands[n].index = i;
				vectors[i] = v;
				n++;
			}
			cands[n].distance = distance;
			cands[n].index = count; /* the new one */
			n++;
			HnswValue *added_vector;
			{
				HnswElementInfo info;
				added_vector = HnswReadElementValue(index, dist, NULL, added, &info);
				if (added_vector == NULL)
					return;
			}
			vectors[count] = added_vector;
			std::sort(cands, cands + n,
			          [](const HnswCandidate &a, const HnswCandidate &b)
			          { return a.distance < b.distance; });
			int nkept = HnswSelectNeighbors(dist, cands, n, vectors, slots, kept);
			bool added_kept = false;
			for (int i = 0; i < nkept; i++)
			{
				if (kept[i].index == count)
				{
					chosen[nchosen++] = *added;
					added_kept = true;
				}
				else
					chosen[nchosen++] = current[kept[i].index];
			}
			if (!added_kept)
				return; /* the target is better off without the new link */
		}

		/* Write under an exclusive lock, if nothing changed since we read. */
		Buffer buf = ReadBuffer(index, ItemPointerGetBlockNumber(&ntid));
		LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
		HnswNeighborTuple ntup =
		    HnswNeighborAt(BufferGetPage(buf), ItemPointerGetOffsetNumber(&ntid), m);
		if (ntup == NULL || ntup->level < level)
		{
			UnlockReleaseBuffer(buf);
			return;
		}
		int start, have;
		HnswLinkRange(ntup->level, level, m, HnswNeighborSlots(ntup, m) - (ntup->level + 2) * m,
		              &start, &have);
		if (have != slots)
		{
			UnlockReleaseBuffer(buf);
			return; /* no value links in this tuple (or a damaged one): nothing to add to */
		}
		const ItemPointerData *links = HnswNeighborLinks(ntup) + start;
		int now = 0;
		while (now < slots && ItemPointerIsValid(&links[now]))
			now++;
		bool unchanged =
		    now == count && memcmp(links, current, sizeof(ItemPointerData) * count) == 0;

		if (count < slots && now < slots)
		{
			/* Room left: append, whatever else changed. */
			bool present = false;
			for (int i = 0; i < now; i++)
				present |= ItemPointerEquals((ItemPointer)&links[i], added);
			if (!present)
			{
				HnswEdit edit;
				HnswEditStart(&edit, index, building);
				Page page = HnswEditPage(&edit, buf, false);
				ntup = HnswNeighborAt(page, ItemPointerGetOffsetNumber(&ntid), m);
				HnswNeighborLinks(ntup)[start + now] = *added;
				HnswEditFinish(&edit);
			}
			UnlockReleaseBuffer(buf);
			return;
		}
		if (unchanged && count >= slots)
		{
			HnswEdit edit;
			HnswEditStart(&edit, index, building);
			Page page = HnswEditPage(&edit, buf, false);
			ntup = HnswNeighborAt(page, ItemPointerGetOffsetNumber(&ntid), m);
			for (int i = 0; i < slots; i++)
			{
				if (i < nchosen)
					HnswNeighborLinks(ntup)[start + i] = chosen[i];
				else
					ItemPointerSetInvalid(&HnswNeighborLinks(ntup)[start + i]);
			}
			HnswEditFinish(&edit);
			UnlockReleaseBuffer(buf);
			return;
		}
		UnlockReleaseBuffer(buf); /* changed under us: read again */
	}
}

/*
 * The new element's value links for filter f: the nearest elements with its value of
 * f, found by a search that stays within the value, starting from f's directory entry
 * for it (its seeds) and from the level-0 candidates that share the value; chosen by
 * the heuristic.
 */
void choose_value_links(Relation index, const HnswDistance *dist, const HnswColumns *cols,
                        const HnswMetaPageData *meta, const HnswValue *value, int f, int64 key,
                        const PgVec<HnswDiskCandidate> *level0, HnswSearchScratch *s,
                        NewElement *ne, PgVec<HnswDiskCandidate> *out)
{
	int m = meta->m;
	int slot = cols->value_slot[f];
	HnswFilter filter;
	HnswFilterForValue(&filter, cols, f, key);
	HnswReadFilter rf = {&filter, cols, false, NULL};

	PgVec<ItemPointerData> tids;
	tids.init(level0->size + HNSW_DIR_SEEDS + 1);
	HnswDirEntryData entry;
	HnswDirRef dir = HnswDirOf(meta, cols, f);
	if (dir.pages > 0 && HnswDirLookup(index, dir, key, &entry) && entry.count > 0)
		for (int i = 0; i < entry.nseeds; i++)
			tids.push(entry.seeds[i]);
	for (int i = 0; i < level0->size; i++)
		tids.push((*level0)[i].element);

	PgVec<HnswDiskCandidate> seeds;
	seeds.init(tids.size + 1);
	HnswElementInfo *infos = (HnswElementInfo *)palloc(sizeof(HnswElementInfo) * Max(tids.size, 1));
	bool *found = (bool *)palloc(sizeof(bool) * Max(tids.size, 1));
	HnswReadElements(index, dist, value, tids.data, tids.size, infos, found, INFINITY, &rf);
	for (int i = 0; i < tids.size; i++)
	{
		if (!found[i] || !infos[i].passes || infos[i].deleted)
			continue;
		bool dup = false;
		for (int j = 0; j < seeds.size && !dup; j++)
			dup = ItemPointerEquals(&seeds[j].element, &tids[i]);
		if (dup)
			continue;
		HnswDiskCandidate c = {infos[i].distance, tids[i], infos[i].neighbors, true};
		seeds.push(c);
	}
	if (seeds.size == 0)
		return; /* the first element of its value */

	PgVec<HnswDiskCandidate> near;
	near.init(meta->ef_construction + 1);
	HnswSearchLevel(index, dist, value, seeds.data, seeds.size, meta->ef_construction,
	                HnswScopeLevel(slot), m, s, &near, &rf);

	const HnswValue **vectors = (const HnswValue **)palloc(sizeof(HnswValue *) * Max(near.size, 1));
	HnswCandidate *cands = (HnswCandidate *)palloc(sizeof(HnswCandidate) * Max(near.size, 1));
	int n = 0;
	for (int i = 0; i < near.size; i++)
	{
		HnswElementInfo info;
		HnswValue *v = HnswReadElementValue(index, dist, NULL, &near[i].element, &info);
		if (v == NULL || info.deleted)
			continue;
		vectors[i] = v;
		cands[n].distance = near[i].distance;
		cands[n].index = i;
		n++;
	}
	HnswCandidate *kept = (HnswCandidate *)palloc(sizeof(HnswCandidate) * m);
	int nkept = HnswSelectNeighbors(dist, cands, n, vectors, m, kept);
	int start = (ne->etup->level + 2) * m + slot * 2 * m;
	for (int i = 0; i < nkept; i++)
	{
		HnswNeighborLinks(ne->ntup)[start + i] = near[kept[i].index].element;
		out->push(near[kept[i].index]);
	}
}

/* The new element's value links, per linked column it has a value in (each into links[f]). */
struct ValueLinks
{
	PgVec<HnswDiskCandidate> links[HNSW_MAX_FILTERS];
};

void choose_all_value_links(Relation index, const HnswDistance *dist, const HnswColumns *cols,
                            const HnswMetaPageData *meta, const HnswValue *value,
                            const char *filters, const PgVec<HnswDiskCandidate> *level0,
                            HnswSearchScratch *s, NewElement *ne, ValueLinks *out)
{
	for (int f = 0; f < cols->nfilters; f++)
	{
		out->links[f].init(2 * meta->m);
		int64 key;
		if (ne->etup->filter_bytes > 0 && HnswHasValueLinks(cols, f, meta->m, meta->value_slots) &&
		    HnswFilterKey(cols, filters, f, &key))
			choose_value_links(index, dist, cols, meta, value, f, key, level0, s, ne,
			                   &out->links[f]);
	}
}

/* Links the chosen value links back to the new element. */
void add_value_backlinks(Relation index, const HnswDistance *dist, const HnswColumns *cols, int m,
                         ValueLinks *vl, ItemPointer etid, bool building, HnswSearchScratch *s)
{
	for (int f = 0; f < cols->nfilters; f++)
		for (int i = 0; i < vl->links[f].size; i++)
			add_backlink(index, dist, m, &vl->links[f].data[i], etid, vl->links[f].data[i].distance,
			             HnswValueLevel(cols->value_slot[f]), building, s);
}

} // namespace

void HnswInsertOnDisk(Relation index, const HnswDistance *dist, const HnswColumns *cols,
                      HnswValue *value, const char *filters, Size filter_bytes, ItemPointer heaptid,
                      bool building, const HnswValue *search)
{
	/* what the searches measure: the query form of a binary value, else the value */
	const HnswValue *walk = search != NULL ? search : value;
	HnswMetaPageData meta;
	HnswReadMeta(index, &meta);
	int m = meta.m;
	int level = HnswLevelFor(heaptid, m, HnswMaxLevelForM(m, meta.value_slots));
	NewElement ne;
	fill_element(&ne, value, filters, filter_bytes, heaptid, level, m, meta.value_slots,
	             HnswMetaCompact(meta.version, meta.filter_columns));
	int64 key = 0;
	bool has_key = filter_bytes > 0 && HnswPartitionKey(cols, filters, &key);

	HnswSearchScratch s;
	HnswSearchScratchInit(&s, m);
	PgVec<HnswDiskCandidate> found[HNSW_MAX_LEVEL + 1];
	int top;

	for (;;)
	{
		CHECK_FOR_INTERRUPTS();
		HnswDiskCandidate entry;
		if (!HnswEntryCandidate(index, dist, walk, &meta, &entry))
		{
			/* Empty index: the first element becomes the entry point, unless someone beat us. */
			Buffer metabuf = ReadBuffer(index, HNSW_METAPAGE_BLKNO);
			LockBuffer(metabuf, BUFFER_LOCK_EXCLUSIVE);
			HnswMetaPage live = HnswPageGetMeta(BufferGetPage(metabuf));
			if (!ItemPointerIsValid(&live->entry))
			{
				place_element(index, cols, &ne, building, metabuf, &meta, has_key, key);
				UnlockReleaseBuffer(metabuf);
				return;
			}
			UnlockReleaseBuffer(metabuf);
			HnswReadMeta(index, &meta);
			if (!HnswEntryCandidate(index, dist, walk, &meta, &entry))
				elog(ERROR, "hnsw insert: entry point vanished");
		}

		for (int l = meta.entry_level; l > level; l--)
			entry = HnswGreedyLevel(index, dist, walk, entry, l, m, &s);

		top = Min(level, (int)meta.entry_level);
		const HnswDiskCandidate *entries = &entry;
		int nentries = 1;
		for (int l = top; l >= 0; l--)
		{
			found[l].init(meta.ef_construction + 1);
			HnswSearchLevel(index, dist, walk, entries, nentries, meta.ef_construction, l, m, &s,
			                &found[l]);
			/*
			 * Searches walk through deleted elements but never return them: a level
			 * whose elements around the seeds are all deleted (vacuum flagged them and
			 * has not repaired the graph yet, or a crash stopped it there) returns
			 * nothing, and the level below is searched from the same seeds, which
			 * are on it too. (Searching it from no seed left the element unlinked.)
			 */
			if (found[l].size > 0)
			{
				entries = found[l].data;
				nentries = found[l].size;
			}
		}
		if (found[0].size > 0)
			break;

		/*
		 * No live element on level 0 near the seeds. That search ran until it had
		 * visited every element reachable from them (with no result it never stops
		 * early); one more from the entry point itself covers what the descent left
		 * behind. If that finds none either, everything reachable from the entry point
		 * is deleted: the entry point is a deleted element that vacuum has not moved
		 * yet (a search from a live entry point returns at least that element). Linked
		 * to nothing, the new element would be reachable from nowhere and stay so (the
		 * next vacuum frees the old graph and repairs only lists that point at deleted
		 * elements; this one points nowhere), so it becomes the entry point itself:
		 * nothing live is cut off, since nothing live was reachable from the old one.
		 */
		if (!HnswEntryCandidate(index, dist, walk, &meta, &entry))
			continue; /* the entry point was freed or cleared meanwhile: start over */
		HnswSearchLevel(index, dist, walk, &entry, 1, meta.ef_construction, 0, m, &s, &found[0]);
		if (found[0].size > 0)
			break; /* (the levels above found none: their live elements are on level 0 too) */

		ValueLinks value_links;
		choose_all_value_links(index, dist, cols, &meta, walk, filters, &found[0], &s, &ne,
		                       &value_links);

		/*
		 * The take-over is one WAL record with the element's placement, under the
		 * metapage's lock (taken first, as everywhere), and only if the entry point
		 * is still the one searched from: another insert may have taken over (then
		 * search again, from it), and vacuum moves a deleted entry point only under
		 * that lock too. So an element becomes the entry point only while the entry
		 * point is a flagged element, which vacuum's pass 2 has not started on yet:
		 * the element holds no link to a deleted element, so it needs no repair, and
		 * vacuum's repair_entry, seeing a live entry point, leaves it.
		 */
		Buffer metabuf = ReadBuffer(index, HNSW_METAPAGE_BLKNO);
		LockBuffer(metabuf, BUFFER_LOCK_EXCLUSIVE);
		HnswMetaPage live = HnswPageGetMeta(BufferGetPage(metabuf));
		if (ItemPointerEquals(&live->entry, &meta.entry))
		{
			place_element(index, cols, &ne, building, metabuf, &meta, has_key, key);
			UnlockReleaseBuffer(metabuf);
			add_value_backlinks(index, dist, cols, m, &value_links, &ne.etid, building, &s);
			return;
		}
		UnlockReleaseBuffer(metabuf);
		/* Value links chosen above are in ne.ntup: clear them before searching again. */
		for (int i = 0; i < HnswNeighborSlots(ne.ntup, m); i++)
			ItemPointerSetInvalid(&HnswNeighborLinks(ne.ntup)[i]);
		HnswReadMeta(index, &meta);
	}

	/* Level 0's candidates also seed the search for value links below. */
	PgVec<HnswDiskCandidate> level0;
	level0.init(found[0].size + 1);
	for (int i = 0; i < found[0].size; i++)
		level0.push(found[0][i]);

	/*
	 * Load the vectors of the candidates, for the heuristic and the duplicate check.
	 * Equal bits do not make equal vectors (a binary value keeps too little of its
	 * vector), and a binary scan measures an element's rows by one row's vector: in a
	 * binary index every row inserted on disk gets an element of its own.
	 */
	bool merge_duplicates = dist->quantization != HNSW_QUANTIZATION_BINARY;
	float self = HnswValueDistance(dist, value, value);
	for (int l = top; l >= 0; l--)
	{
		PgVec<HnswDiskCandidate> &f = found[l];
		const HnswValue **vectors =
		    (const HnswValue **)palloc(sizeof(HnswValue *) * Max(f.size, 1));
		HnswCandidate *cands = (HnswCandidate *)palloc(sizeof(HnswCandidate) * Max(f.size, 1));
		int n = 0;
		for (int i = 0; i < f.size; i++)
		{
			HnswElementInfo info;
			HnswValue *v = HnswReadElementValue(index, dist, NULL, &f.data[i].element, &info);
			if (v == NULL || info.deleted)
				continue;
			if (l == 0 && merge_duplicates && f.data[i].distance <= self &&
			    HnswValueEquals(v, value))
			{
				/* An identical vector: add our heap TID to it if it has room and the same filter
				 * values. */
				Buffer buf = ReadBuffer(index, ItemPointerGetBlockNumber(&f.data[i].element));
				LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
				HnswElementTuple etup = HnswElementAt(
				    BufferGetPage(buf), ItemPointerGetOffsetNumber(&f.data[i].element));
				if (etup != NULL && !(etup->flags & HNSW_ELEMENT_DELETED) &&
				    !ItemPointerIsValid(&etup->heaptids[HNSW_HEAPTIDS - 1]) &&
				    HnswValueEquals(HnswElementValue(etup), value) &&
				    etup->filter_bytes == filter_bytes &&
				    (filter_bytes == 0 || HnswFilterSectionsEqual(cols, HnswElementFilters(etup),
				                                                  filters, filter_bytes)))
				{
					HnswEdit edit;
					HnswEditStart(&edit, index, building);
					Page page = HnswEditPage(&edit, buf, false);
					etup = HnswElementAt(page, ItemPointerGetOffsetNumber(&f.data[i].element));
					int slot = 0;
					while (ItemPointerIsValid(&etup->heaptids[slot]))
						slot++;
					etup->heaptids[slot] = *heaptid;
					HnswEditFinish(&edit);
					UnlockReleaseBuffer(buf);
					return;
				}
				UnlockReleaseBuffer(buf);
			}
			vectors[i] = v;
			cands[n].distance = f.data[i].distance;
			cands[n].index = i;
			n++;
		}
		/*
		 * m on every level, even where the build gives 2m (HnswNewElementSlots): each
		 * link here costs a backlink on disk, read, pruned, WAL-logged; with 2m a build
		 * spilling at m = 100 took 150 s instead of 34 (test/sql/hnsw_types.sql).
		 */
		HnswCandidate *kept = (HnswCandidate *)palloc(sizeof(HnswCandidate) * m);
		int nkept = HnswSelectNeighbors(dist, cands, n, vectors, m, kept);
		ItemPointerData *links = HnswNeighborLinks(ne.ntup) + HnswLevelStart(l, m);
		PgVec<HnswDiskCandidate> chosen;
		chosen.init(nkept + 1);
		for (int i = 0; i < nkept; i++)
		{
			links[i] = f.data[kept[i].index].element;
			chosen.push(f.data[kept[i].index]);
		}
		f.free_memory();
		f = chosen; /* from now on, found[l] holds the chosen neighbors */
	}

	ValueLinks value_links;
	choose_all_value_links(index, dist, cols, &meta, walk, filters, &level0, &s, &ne, &value_links);

	place_element(index, cols, &ne, building, InvalidBuffer, &meta, has_key, key);
	add_value_backlinks(index, dist, cols, m, &value_links, &ne.etid, building, &s);

	for (int l = top; l >= 0; l--)
		for (int i = 0; i < found[l].size; i++)
			add_backlink(index, dist, m, &found[l].data[i], &ne.etid, found[l].data[i].distance, l,
			             building, &s);

	if (level > meta.entry_level)
	{
		Buffer metabuf = ReadBuffer(index, HNSW_METAPAGE_BLKNO);
		LockBuffer(metabuf, BUFFER_LOCK_EXCLUSIVE);
		HnswMetaPage live = HnswPageGetMeta(BufferGetPage(metabuf));
		if (level > live->entry_level)
		{
			HnswEdit edit;
			HnswEditStart(&edit, index, building);
			HnswMetaPage m2 = HnswPageGetMeta(HnswEditPage(&edit, metabuf, false));
			m2->entry = ne.etid;
			m2->entry_level = (int16)level;
			HnswEditFinish(&edit);
		}
		UnlockReleaseBuffer(metabuf);
	}
}

bool hnsw_insert(Relation index, Datum *values, bool *isnull, ItemPointer heap_tid, Relation heap,
                 IndexUniqueCheck check_unique, bool index_unchanged, IndexInfo *info)
{
	int vcol = HnswVectorColumn(index);
	if (isnull[vcol])
		return false;

	/* Everything an insert allocates dies with this context. */
	MemoryContext context =
	    AllocSetContextCreate(CurrentMemoryContext, "hnsw insert", ALLOCSET_DEFAULT_SIZES);
	MemoryContext old = MemoryContextSwitchTo(context);

	HnswDistance dist;
	HnswInitDistance(&dist, index, HnswIndexQuantization(index));
	HnswColumns cols;
	HnswInitColumns(&cols, index);
	HnswValue *value = HnswPrepareValue(&dist, values[vcol], false);
	if (value != NULL)
	{
		/* a binary index's searches measure the row's own floats against the bits */
		HnswQueryBound unused;
		const HnswValue *search = dist.quantization == HNSW_QUANTIZATION_BINARY
		                              ? HnswPrepareQuantizedQuery(&dist, values[vcol], &unused)
		                              : NULL;
		Size filter_bytes = HnswEncodeFilters(&cols, values, isnull, NULL);
		char *filters = (char *)palloc(Max(filter_bytes, 1));
		HnswEncodeFilters(&cols, values, isnull, filters);
		LockPage(index, HNSW_UPDATE_LOCK, ShareLock);
		HnswInsertOnDisk(index, &dist, &cols, value, filters, filter_bytes, heap_tid, false,
		                 search);
		UnlockPage(index, HNSW_UPDATE_LOCK, ShareLock);
	}

	MemoryContextSwitchTo(old);
	MemoryContextDelete(context);
	return false;
}

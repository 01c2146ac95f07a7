/*
 * hnsw_vacuum.cpp: VACUUM for hnsw: remove dead heap TIDs, repair the graph around
 * retired elements, and free their space for reuse.
 *
 * Pass 1 (remove) visits every page, drops heap TIDs that the table's vacuum says
 *   are dead, and flags elements left without TIDs as deleted. Flagged elements are
 *   still walked through by searches but never returned or chosen as neighbors.
 * Barrier: taking HNSW_UPDATE_LOCK in ExclusiveLock mode waits for every insert that
 *   began before the flags were set (and so might link to a flagged element) to end.
 * Pass 2 (repair) rewrites every link list that points at a deleted element: the
 *   replacements come from the deleted neighbors' own links (two hops), and from a
 *   fresh search when those are too few, chosen with the insertion heuristic. The
 *   entry point moves to the highest remaining element if it was deleted.
 * Partitions: with inserts held off (HNSW_UPDATE_LOCK exclusively, from here to the
 *   end), every partition chain is routed around the deleted elements and the
 *   directory's counts, heads and entries are recomputed from the live elements.
 * Pass 3 (free), after waiting out scans that walk chains (HNSW_SCAN_LOCK), removes
 *   the deleted elements' tuples and records the room in the free space map, where
 *   inserts find it.
 * Cleanup (once per VACUUM, after every bulk delete, or alone when no row was removed)
 *   sets back the chain heads that an interrupted insert left, and links back the live
 *   elements that no search from the entry point reaches any more (hnsw_reach.cpp):
 *   pruning by inserts and the link repair above can cut them off.
 * Each page change is one GenericXLog record; a crash between passes leaves flags
 * and links that the next VACUUM finishes, and searches tolerate either state. Inserts
 * meanwhile walk through flagged elements too; one that finds nothing live from a
 * flagged entry point takes the entry point over (hnsw_insert.cpp), under the
 * metapage lock, so repair_entry below sees a live entry point and leaves it; after
 * repair_entry, the entry point is live (or unset) and no insert takes over.
 */
#include "hnsw/hnsw.h"
#include "hnsw/hnsw_directory.h"
#include "hnsw/hnsw_disk.h"
#include "hnsw/hnsw_filter.h"
#include "hnsw/hnsw_reach.h"
#include "pg/wait_point.h"

extern "C"
{
#include "access/genam.h"
#include "commands/vacuum.h"
#include "miscadmin.h"
#include "storage/bufmgr.h"
#include "storage/freespace.h"
#include "storage/indexfsm.h"
#include "storage/lmgr.h"
#include "utils/memutils.h"
#include "utils/rel.h"
}

#include <algorithm>
#include <cstring>

using vecrbac::pg::PgVec;

namespace
{

/* A deleted element's place in its chains, per filter, to route chains around it. */
struct DeletedLink
{
	uint64 key; /* HnswTidKey of the deleted element: must be first */
	ItemPointerData chain_next[HNSW_MAX_FILTERS];
};

/* Per value of a chained column while recounting: live elements and the best entry. */
struct LiveValue
{
	int64 key;              /* must be first */
	HnswDirEntryData seeds; /* count, entry and seeds recomputed from the live elements */
};

struct VacuumState
{
	Relation index;
	HnswDistance dist;
	HnswColumns cols;
	HTAB *deleted_links; /* DeletedLink by element, when the index has a partition column */
	int nchained;        /* filters with a directory (the partition column first) */
	int chained[HNSW_MAX_FILTERS];
	HnswMetaPageData meta;
	IndexBulkDeleteResult *stats;
	IndexBulkDeleteCallback callback;
	void *callback_state;
	HnswTidSet deleted;      /* elements flagged deleted */
	ItemPointerData highest; /* a remaining element of the highest level */
	int highest_level;
	MemoryContext tmp;
	HnswSearchScratch scratch;
};

/*
 * The walk of passes 1 and 3 and of the partition repair: every data page after the
 * metapage, exclusively locked while visit(blk, buf, page) runs (visit keeps the
 * lock and the pin); visit returns whether it changed the page, and after(blk, changed)
 * runs once the page is unlocked (free space map updates, wait points). Both callables
 * are lambdas capturing by reference: trivially destructible, so vacuum_delay_point
 * and the buffer calls may raise around them.
 */
template <typename Visit, typename After>
void for_each_data_page(Relation index, BufferAccessStrategy strategy, Visit visit, After after)
{
	BlockNumber nblocks = RelationGetNumberOfBlocks(index);
	for (BlockNumber blk = HNSW_METAPAGE_BLKNO + 1; blk < nblocks; blk++)
	{
		vacuum_delay_point();
		Buffer buf = ReadBufferExtended(index, MAIN_FORKNUM, blk, RBM_NORMAL, strategy);
		LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
		Page page = BufferGetPage(buf);
		if (!HnswIsDataPage(page))
		{
			UnlockReleaseBuffer(buf);
			continue;
		}
		bool changed = visit(blk, buf, page);
		UnlockReleaseBuffer(buf);
		after(blk, changed);
	}
}

/*
 * A locked page made writable (and WAL-logged) at its first change only, so that
 * pages a pass leaves alone cost no WAL. Trivially destructible.
 */
struct LazyEdit
{
	Relation index;
	Buffer buf;
	Page writable;
	HnswEdit edit;

	Page page()
	{
		if (writable == NULL)
		{
			HnswEditStart(&edit, index, false);
			writable = HnswEditPage(&edit, buf, false);
		}
		return writable;
	}
	/* Logs the changes, if any; whether there were. */
	bool finish()
	{
		if (writable != NULL)
			HnswEditFinish(&edit);
		return writable != NULL;
	}
};

/* Pass 1: drop dead heap TIDs and flag emptied elements, page by page. */
void remove_dead_tids(VacuumState *vs)
{
	BufferAccessStrategy strategy = GetAccessStrategy(BAS_BULKREAD);
	Size room = 0;

	for_each_data_page(
	    vs->index, strategy,
	    [&](BlockNumber blk, Buffer buf, Page page)
	    {
		    LazyEdit edit = {vs->index, buf};
		    OffsetNumber max = PageGetMaxOffsetNumber(page);
		    for (OffsetNumber off = FirstOffsetNumber; off <= max; off++)
		    {
			    HnswElementTuple etup = HnswElementAt(page, off);
			    if (etup == NULL)
				    continue;
			    ItemPointerData tid;
			    ItemPointerSet(&tid, blk, off);

			    if (!(etup->flags & HNSW_ELEMENT_DELETED))
			    {
				    ItemPointerData keep[HNSW_HEAPTIDS];
				    int nkeep = 0, nhad = 0;
				    for (int i = 0; i < HNSW_HEAPTIDS && ItemPointerIsValid(&etup->heaptids[i]);
				         i++)
				    {
					    nhad++;
					    if (vs->callback(&etup->heaptids[i], vs->callback_state))
						    vs->stats->tuples_removed++;
					    else
						    keep[nkeep++] = etup->heaptids[i];
				    }
				    vs->stats->num_index_tuples += nkeep;
				    if (nkeep != nhad)
				    {
					    HnswElementTuple w = HnswElementAt(edit.page(), off);
					    for (int i = 0; i < HNSW_HEAPTIDS; i++)
					    {
						    if (i < nkeep)
							    w->heaptids[i] = keep[i];
						    else
							    ItemPointerSetInvalid(&w->heaptids[i]);
					    }
					    if (nkeep == 0)
						    w->flags |= HNSW_ELEMENT_DELETED;
				    }
			    }
			    if (HnswElementAt(edit.writable ? edit.writable : page, off)->flags &
			        HNSW_ELEMENT_DELETED)
			    {
				    bool added;
				    HnswTidSetAdd(&vs->deleted, HnswTidKey(&tid), &added);
				    if (vs->deleted_links != NULL)
				    {
					    uint64 key = HnswTidKey(&tid);
					    DeletedLink *d =
					        (DeletedLink *)hash_search(vs->deleted_links, &key, HASH_ENTER, NULL);
					    for (int i = 0; i < vs->nchained; i++)
						    d->chain_next[vs->chained[i]] =
						        HnswChainNext(etup, &vs->cols, vs->chained[i]);
				    }
			    }
			    else if (etup->level > vs->highest_level)
			    {
				    vs->highest_level = etup->level;
				    vs->highest = tid;
			    }
		    }
		    room = HnswPageRoom(page, 2);
		    return edit.finish();
	    },
	    [&](BlockNumber blk, bool changed)
	    {
		    /*
		     * Every page's room, while we pass: the map is not WAL-logged, so after a
		     * crash it can hide room that pass 3 of an earlier VACUUM recorded.
		     */
		    RecordPageWithFreeSpace(vs->index, blk, room);
		    if (changed)
			    VECRBAC_WAIT_POINT("vacuum-removing");
	    });
	FreeAccessStrategy(strategy);
	FreeSpaceMapVacuum(vs->index); /* the map's upper levels, which searches start from */
}

inline bool is_deleted(const VacuumState *vs, const ItemPointerData *tid)
{
	return HnswTidSetFind(&vs->deleted, HnswTidKey(tid)) != NULL;
}

/*
 * New links for one level of an element whose links point at deleted elements:
 * its remaining links, the remaining links of its deleted neighbors, and, if that
 * is not enough, the result of a search; then the heuristic picks. Returns the
 * count written to out (room for `slots`).
 */
int repair_links(VacuumState *vs, const ItemPointerData *owner, const HnswValue *owner_vector,
                 const ItemPointerData *links, int count, int level, ItemPointerData *out)
{
	int m = vs->meta.m;
	int slots = HnswIsValueLevel(level) ? 2 * m : HnswLevelSlots(level, m);
	HnswTidSet seen;
	HnswTidSetInit(&seen, 4 * slots);
	PgVec<ItemPointerData> pool;
	pool.init(4 * slots);
	bool added;
	ItemPointerData *hop = (ItemPointerData *)palloc(sizeof(ItemPointerData) * slots);

	HnswTidSetAdd(&seen, HnswTidKey(owner), &added);
	for (int i = 0; i < count; i++)
	{
		HnswTidSetAdd(&seen, HnswTidKey(&links[i]), &added);
		if (!is_deleted(vs, &links[i]))
		{
			/* Not if a deleted neighbor's links, read above, brought it in already. */
			if (added)
				pool.push(links[i]);
			continue;
		}
		HnswElementInfo info;
		ItemPointerData dead = links[i];
		if (!HnswReadElement(vs->index, &vs->dist, NULL, &dead, &info, NULL))
			continue;
		int n = HnswReadLinks(vs->index, &info.neighbors, level, m, hop);
		for (int j = 0; j < n; j++)
		{
			HnswTidSetAdd(&seen, HnswTidKey(&hop[j]), &added);
			if (added && !is_deleted(vs, &hop[j]))
				pool.push(hop[j]);
		}
	}

	/* Score the pool by distance to the owner; keep vectors for the heuristic. */
	PgVec<HnswCandidate> cands;
	cands.init(pool.size + 1);
	PgVec<const HnswValue *> vectors;
	vectors.init(pool.size + 1);
	PgVec<ItemPointerData> tids;
	tids.init(pool.size + 1);
	for (int i = 0; i < pool.size; i++)
	{
		HnswElementInfo info;
		HnswValue *v = HnswReadElementValue(vs->index, &vs->dist, owner_vector, &pool[i], &info);
		if (v == NULL || info.deleted)
			continue;
		HnswCandidate c = {info.distance, tids.size};
		cands.push(c);
		vectors.push(v);
		tids.push(pool[i]);
	}

	/* (Value links keep to what their deleted neighbors offer: a search would leave the value.) */
	if (!HnswIsValueLevel(level) && cands.size < slots / 2 && ItemPointerIsValid(&vs->meta.entry))
	{
		/* Too few left around it: search the graph for more, as an insert would. */
		HnswDiskCandidate entry;
		if (HnswEntryCandidate(vs->index, &vs->dist, owner_vector, &vs->meta, &entry))
		{
			for (int l = vs->meta.entry_level; l > level; l--)
				entry =
				    HnswGreedyLevel(vs->index, &vs->dist, owner_vector, entry, l, m, &vs->scratch);
			PgVec<HnswDiskCandidate> found;
			found.init(vs->meta.ef_construction + 1);
			if (vs->meta.entry_level >= level)
				HnswSearchLevel(vs->index, &vs->dist, owner_vector, &entry, 1,
				                vs->meta.ef_construction, level, m, &vs->scratch, &found);
			for (int i = 0; i < found.size; i++)
			{
				HnswTidSetAdd(&seen, HnswTidKey(&found[i].element), &added);
				if (!added || is_deleted(vs, &found[i].element))
					continue;
				HnswElementInfo info;
				HnswValue *v =
				    HnswReadElementValue(vs->index, &vs->dist, NULL, &found[i].element, &info);
				if (v == NULL || info.deleted)
					continue;
				HnswCandidate c = {found[i].distance, tids.size};
				cands.push(c);
				vectors.push(v);
				tids.push(found[i].element);
			}
		}
	}

	std::sort(cands.data, cands.data + cands.size,
	          [](const HnswCandidate &a, const HnswCandidate &b)
	          { return a.distance < b.distance; });
	HnswCandidate *kept = (HnswCandidate *)palloc(sizeof(HnswCandidate) * slots);
	int nkept = HnswSelectNeighbors(&vs->dist, cands.data, cands.size, vectors.data, slots, kept);
	for (int i = 0; i < nkept; i++)
		out[i] = tids[kept[i].index];
	return nkept;
}

/* Pass 2: rewrite every link list that points at a deleted element. */
void repair_graph(VacuumState *vs)
{
	BlockNumber nblocks = RelationGetNumberOfBlocks(vs->index);
	int m = vs->meta.m;
	ItemPointerData *links = (ItemPointerData *)palloc(sizeof(ItemPointerData) * 2 * m);
	ItemPointerData *fresh = (ItemPointerData *)palloc(sizeof(ItemPointerData) * 2 * m);
	HnswValue *owner_vector = (HnswValue *)palloc(vs->dist.value_size);

	for (BlockNumber blk = HNSW_METAPAGE_BLKNO + 1; blk < nblocks; blk++)
	{
		vacuum_delay_point();
		/* Collect this page's neighbor tuples that need work, then work without the lock. */
		Buffer buf = ReadBuffer(vs->index, blk);
		LockBuffer(buf, BUFFER_LOCK_SHARE);
		Page page = BufferGetPage(buf);
		PgVec<OffsetNumber> todo;
		todo.init(8);
		OffsetNumber max =
		    HnswIsDataPage(page) ? PageGetMaxOffsetNumber(page) : InvalidOffsetNumber;
		for (OffsetNumber off = FirstOffsetNumber; off <= max; off++)
		{
			HnswNeighborTuple ntup = HnswNeighborAt(page, off, m);
			if (ntup == NULL || is_deleted(vs, HnswNeighborOwner(ntup)))
				continue;
			for (int i = 0; i < HnswNeighborSlots(ntup, m); i++)
			{
				if (ItemPointerIsValid(&HnswNeighborLinks(ntup)[i]) &&
				    is_deleted(vs, &HnswNeighborLinks(ntup)[i]))
				{
					todo.push(off);
					break;
				}
			}
		}
		UnlockReleaseBuffer(buf);

		for (int t = 0; t < todo.size; t++)
		{
			MemoryContext old = MemoryContextSwitchTo(vs->tmp);
			ItemPointerData ntid;
			ItemPointerSet(&ntid, blk, todo[t]);

			/* The owner's vector, for distances. */
			buf = ReadBuffer(vs->index, blk);
			LockBuffer(buf, BUFFER_LOCK_SHARE);
			HnswNeighborTuple ntup = HnswNeighborAt(BufferGetPage(buf), todo[t], m);
			ItemPointerData owner;
			int level = -1;
			if (ntup != NULL)
			{
				owner = *HnswNeighborOwner(ntup);
				level = ntup->level;
			}
			UnlockReleaseBuffer(buf);
			HnswElementInfo info;
			if (level < 0 ||
			    !HnswReadElement(vs->index, &vs->dist, NULL, &owner, &info, owner_vector))
			{
				MemoryContextSwitchTo(old);
				MemoryContextReset(vs->tmp);
				continue;
			}

			for (int l = HnswValueLevel(vs->meta.value_slots / (2 * m) - 1); l <= level; l++)
			{
				for (int attempt = 0; attempt < 3; attempt++)
				{
					int count = HnswReadLinks(vs->index, &ntid, l, m, links);
					bool needed = false;
					for (int i = 0; i < count; i++)
						needed |= is_deleted(vs, &links[i]);
					if (!needed)
						break;
					int nfresh = repair_links(vs, &owner, owner_vector, links, count, l, fresh);

					buf = ReadBuffer(vs->index, blk);
					LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
					ntup = HnswNeighborAt(BufferGetPage(buf), todo[t], m);
					int start = 0, slots = 0;
					if (ntup != NULL)
						HnswLinkRange(ntup->level, l, m,
						              HnswNeighborSlots(ntup, m) - (ntup->level + 2) * m, &start,
						              &slots);
					const ItemPointerData *now = ntup ? HnswNeighborLinks(ntup) + start : NULL;
					int nnow = 0;
					while (now && nnow < slots && ItemPointerIsValid(&now[nnow]))
						nnow++;
					if (ntup != NULL && nnow == count &&
					    memcmp(now, links, sizeof(ItemPointerData) * count) == 0)
					{
						HnswEdit edit;
						HnswEditStart(&edit, vs->index, false);
						HnswNeighborTuple w =
						    HnswNeighborAt(HnswEditPage(&edit, buf, false), todo[t], m);
						ItemPointerData *dst = HnswNeighborLinks(w) + start;
						for (int i = 0; i < slots; i++)
						{
							if (i < nfresh)
								dst[i] = fresh[i];
							else
								ItemPointerSetInvalid(&dst[i]);
						}
						HnswEditFinish(&edit);
						UnlockReleaseBuffer(buf);
						break;
					}
					UnlockReleaseBuffer(buf); /* an insert changed it: redo */
				}
			}
			MemoryContextSwitchTo(old);
			MemoryContextReset(vs->tmp);
		}
		if (todo.size > 0)
			VECRBAC_WAIT_POINT("vacuum-repairing");
		todo.free_memory();
	}
}

/* Moves the entry point off a deleted element. */
void repair_entry(VacuumState *vs)
{
	if (!ItemPointerIsValid(&vs->meta.entry) || !is_deleted(vs, &vs->meta.entry))
		return;

	Buffer metabuf = ReadBuffer(vs->index, HNSW_METAPAGE_BLKNO);
	LockBuffer(metabuf, BUFFER_LOCK_EXCLUSIVE);
	HnswEdit edit;
	HnswEditStart(&edit, vs->index, false);
	HnswMetaPage meta = HnswPageGetMeta(HnswEditPage(&edit, metabuf, false));
	bool moved = ItemPointerEquals(&meta->entry, &vs->meta.entry);
	if (moved)
	{
		if (vs->highest_level >= 0)
		{
			meta->entry = vs->highest;
			meta->entry_level = (int16)vs->highest_level;
		}
		else
		{
			ItemPointerSetInvalid(&meta->entry);
			meta->entry_level = -1;
		}
	}
	vs->meta = *meta;
	/* An insert raised the entry point meanwhile: nothing to log. */
	if (moved)
		HnswEditFinish(&edit);
	else
		HnswEditAbort(&edit);
	UnlockReleaseBuffer(metabuf);
}

/* Where a link of filter f's chain leads once deleted elements are skipped. */
ItemPointerData skip_deleted(VacuumState *vs, int f, ItemPointerData tid)
{
	for (int steps = 0; ItemPointerIsValid(&tid) && is_deleted(vs, &tid) && steps < 1000000;
	     steps++)
	{
		uint64 key = HnswTidKey(&tid);
		DeletedLink *d = (DeletedLink *)hash_search(vs->deleted_links, &key, HASH_FIND, NULL);
		if (d == NULL)
		{
			ItemPointerSetInvalid(&tid);
			break;
		}
		tid = d->chain_next[f];
	}
	return tid;
}

/*
 * Visits every page of a directory (its buckets, then each bucket's overflow pages)
 * exclusively locked, through a GenericXLog edit of its own: visit(page) changes the
 * edit's copy, and a page that comes out unchanged is not logged (most do).
 */
template <typename Visit> void edit_directory(Relation index, HnswDirRef dir, Visit visit)
{
	for (uint32 b = 0; b < dir.pages; b++)
	{
		for (BlockNumber blk = dir.start + b; blk != InvalidBlockNumber;)
		{
			Buffer buf = ReadBuffer(index, blk);
			LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
			HnswEdit edit;
			HnswEditStart(&edit, index, false);
			Page page = HnswEditPage(&edit, buf, false);
			visit(page);
			if (memcmp(page, BufferGetPage(buf), BLCKSZ) == 0)
				HnswEditAbort(&edit);
			else
				HnswEditFinish(&edit);
			blk = HnswPageGetOpaque(BufferGetPage(buf))->nextblkno;
			UnlockReleaseBuffer(buf);
		}
	}
}

/* Each directory entry of a page, with its offset. */
template <typename Visit> void each_entry(Page page, Visit visit)
{
	OffsetNumber max = PageGetMaxOffsetNumber(page);
	for (OffsetNumber off = FirstOffsetNumber; off <= max; off++)
	{
		ItemId iid = PageGetItemId(page, off);
		if (ItemIdHasStorage(iid))
			visit(off, (HnswDirEntry)PageGetItem(page, iid));
	}
}

/*
 * Routes every chain (the partition column's, and from version 3 the other scalar
 * columns') around deleted elements and recomputes the directories from the live
 * elements (idempotent: a vacuum interrupted anywhere leaves nothing the next one
 * cannot set right). Inserts are held off meanwhile.
 */
void repair_partitions(VacuumState *vs)
{
	HTAB *live[HNSW_MAX_FILTERS] = {};
	for (int i = 0; i < vs->nchained; i++)
	{
		HASHCTL ctl;
		ctl.keysize = sizeof(int64);
		ctl.entrysize = sizeof(LiveValue);
		ctl.hcxt = CurrentMemoryContext;
		live[vs->chained[i]] = hash_create("hnsw vacuum live values", 1024, &ctl,
		                                   HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	}

	/* Elements: fix chain links, count the live ones per value. */
	for_each_data_page(
	    vs->index, NULL,
	    [&](BlockNumber blk, Buffer buf, Page page)
	    {
		    LazyEdit edit = {vs->index, buf};
		    OffsetNumber max = PageGetMaxOffsetNumber(page);
		    for (OffsetNumber off = FirstOffsetNumber; off <= max; off++)
		    {
			    HnswElementTuple etup = HnswElementAt(page, off);
			    if (etup == NULL || (etup->flags & HNSW_ELEMENT_DELETED))
				    continue;
			    ItemPointerData tid;
			    ItemPointerSet(&tid, blk, off);
			    for (int i = 0; i < vs->nchained; i++)
			    {
				    int f = vs->chained[i];
				    ItemPointerData link = HnswChainNext(etup, &vs->cols, f);
				    ItemPointerData next = skip_deleted(vs, f, link);
				    if (!ItemPointerEquals(&next, &link))
				    {
					    HnswElementTuple w = HnswElementAt(edit.page(), off);
					    if (f == vs->cols.partition)
						    w->chain_next = next;
					    else
						    *HnswFilterChainLink(&vs->cols, HnswElementFilters(w), f) = next;
				    }
				    int64 key;
				    if (!HnswFilterKey(&vs->cols, HnswElementFilters(etup), f, &key))
					    continue;
				    bool found;
				    LiveValue *v = (LiveValue *)hash_search(live[f], &key, HASH_ENTER, &found);
				    if (!found)
				    {
					    memset(&v->seeds, 0, sizeof(v->seeds));
					    ItemPointerSetInvalid(&v->seeds.entry);
				    }
				    v->seeds.count++;
				    if (HnswHasValueLinks(&vs->cols, f, vs->meta.m, vs->meta.value_slots))
					    HnswDirOfferSeed(&v->seeds, &tid, etup->level);
			    }
		    }
		    return edit.finish();
	    },
	    [](BlockNumber, bool) {});

	/* The directories: counts, heads and entries of the live elements; empty values go. */
	for (int i = 0; i < vs->nchained; i++)
	{
		int f = vs->chained[i];
		auto recount = [&](Page page)
		{
			PgVec<OffsetNumber> empty;
			empty.init(4);
			each_entry(page,
			           [&](OffsetNumber off, HnswDirEntry e)
			           {
				           LiveValue *v =
				               (LiveValue *)hash_search(live[f], &e->key, HASH_FIND, NULL);
				           if (v == NULL)
				           {
					           empty.push(off);
					           return;
				           }
				           if (f != vs->cols.partition)
				           {
					           /* A head an interrupted insert left: back to the one before. */
					           HnswDirSettleHead(vs->index, &vs->cols, f, e);
					           ItemPointerSetInvalid(&e->prev_head);
				           }
				           e->count = v->seeds.count;
				           e->head = skip_deleted(vs, f, e->head);
				           e->entry = v->seeds.entry;
				           e->entry_level = v->seeds.entry_level;
				           e->nseeds = v->seeds.nseeds;
				           memcpy(e->seeds, v->seeds.seeds, sizeof(e->seeds));
				           memcpy(e->seed_levels, v->seeds.seed_levels, sizeof(e->seed_levels));
			           });
			for (int j = empty.size - 1; j >= 0; j--)
				PageIndexTupleDeleteNoCompact(page, empty[j]);
			empty.free_memory();
		};
		edit_directory(vs->index, HnswDirOf(&vs->meta, &vs->cols, f), recount);
		hash_destroy(live[f]);
	}
}

/* Pass 3: remove deleted elements and their neighbor tuples; report the room. */
void free_deleted(VacuumState *vs)
{
	Size room = 0;
	for_each_data_page(
	    vs->index, NULL,
	    [&](BlockNumber blk, Buffer buf, Page page)
	    {
		    OffsetNumber max = PageGetMaxOffsetNumber(page);
		    PgVec<OffsetNumber> dead;
		    dead.init(8);
		    for (OffsetNumber off = FirstOffsetNumber; off <= max; off++)
		    {
			    ItemPointerData tid;
			    ItemPointerSet(&tid, blk, off);
			    HnswElementTuple etup = HnswElementAt(page, off);
			    HnswNeighborTuple ntup = etup ? NULL : HnswNeighborAt(page, off, vs->meta.m);
			    if ((etup && is_deleted(vs, &tid)) ||
			        (ntup && is_deleted(vs, HnswNeighborOwner(ntup))))
				    dead.push(off);
		    }
		    if (dead.size > 0)
		    {
			    HnswEdit edit;
			    HnswEditStart(&edit, vs->index, false);
			    Page w = HnswEditPage(&edit, buf, false);
			    for (int i = 0; i < dead.size; i++)
				    PageIndexTupleDeleteNoCompact(w, dead[i]);
			    /*
			     * The freed line pointers stay (element TIDs must not move), but
			     * PageAddItem reuses unused ones only when this hint is set, and
			     * PageIndexTupleDeleteNoCompact does not set it. Those at the end of
			     * the array go (it removes only the last), so that a page VACUUM
			     * emptied is as empty as a new one: element and neighbor tuples fill
			     * some pages to the byte, and one line pointer too many kept a page
			     * one element short.
			     */
			    HnswTrimLinePointers(w);
			    PageSetHasFreeLinePointers(w);
			    HnswEditFinish(&edit);
		    }
		    room = HnswPageRoom(page, 2);
		    bool freed = dead.size > 0;
		    dead.free_memory();
		    return freed;
	    },
	    [&](BlockNumber blk, bool freed)
	    {
		    if (!freed)
			    return;
		    /* The free space map is updated with the page unlocked, as nbtree does. */
		    RecordPageWithFreeSpace(vs->index, blk, room);
		    VECRBAC_WAIT_POINT("vacuum-freeing");
	    });
	FreeSpaceMapVacuum(vs->index);
}

/*
 * Sets back the chain directories' heads that an insert stopped between its two records
 * (an error or a crash there) left naming no element of their value. An insert of the
 * value sets its head right itself, and a VACUUM that removed elements does it in
 * repair_partitions; this reaches the values nothing has touched since. Only entries an
 * insert changed since (a head before it still recorded) are looked at, one element read
 * each, and they are marked settled. Inserts wait meanwhile (HNSW_UPDATE_LOCK), so no
 * head an insert is writing is taken for an interrupted one.
 */
void settle_heads(Relation index)
{
	HnswMetaPageData meta;
	HnswColumns cols;
	HnswReadMeta(index, &meta);
	HnswInitColumns(&cols, index);
	bool locked = false;

	for (int f = 0; f < cols.nfilters; f++)
	{
		HnswDirRef dir = HnswDirOf(&meta, &cols, f);
		if (f == cols.partition || cols.kind[f] == HNSW_FILTER_JSONB || dir.pages == 0)
			continue;
		if (!locked)
			LockPage(index, HNSW_UPDATE_LOCK, ExclusiveLock);
		locked = true;
		auto settle = [&](Page page)
		{
			each_entry(page,
			           [&](OffsetNumber, HnswDirEntry e)
			           {
				           if (!ItemPointerIsValid(&e->prev_head))
					           return;
				           HnswDirSettleHead(index, &cols, f, e);
				           ItemPointerSetInvalid(&e->prev_head);
			           });
		};
		edit_directory(index, dir, settle);
	}
	if (locked)
		UnlockPage(index, HNSW_UPDATE_LOCK, ExclusiveLock);
}

} // namespace

IndexBulkDeleteResult *hnsw_bulkdelete(IndexVacuumInfo *info, IndexBulkDeleteResult *stats,
                                       IndexBulkDeleteCallback callback, void *callback_state)
{
	if (stats == NULL)
		stats = (IndexBulkDeleteResult *)palloc0(sizeof(IndexBulkDeleteResult));

	MemoryContext context =
	    AllocSetContextCreate(CurrentMemoryContext, "hnsw vacuum", ALLOCSET_DEFAULT_SIZES);
	MemoryContext old = MemoryContextSwitchTo(context);

	VacuumState vs;
	vs.index = info->index;
	HnswInitDistance(&vs.dist, info->index, HnswIndexQuantization(info->index));
	HnswReadMeta(info->index, &vs.meta);
	vs.stats = stats;
	vs.stats->num_index_tuples = 0;
	vs.callback = callback;
	vs.callback_state = callback_state;
	HnswTidSetInit(&vs.deleted, 1024);
	ItemPointerSetInvalid(&vs.highest);
	vs.highest_level = -1;
	vs.tmp = AllocSetContextCreate(context, "hnsw vacuum element", ALLOCSET_DEFAULT_SIZES);
	HnswSearchScratchInit(&vs.scratch, vs.meta.m);
	HnswInitColumns(&vs.cols, info->index);
	vs.deleted_links = NULL;
	vs.nchained = 0;
	for (int f = 0; f < vs.cols.nfilters; f++)
		if (vs.cols.kind[f] != HNSW_FILTER_JSONB && HnswDirOf(&vs.meta, &vs.cols, f).pages > 0)
			vs.chained[vs.nchained++] = f;
	if (vs.nchained > 0)
	{
		HASHCTL ctl;
		ctl.keysize = sizeof(uint64);
		ctl.entrysize = sizeof(DeletedLink);
		ctl.hcxt = context;
		vs.deleted_links = hash_create("hnsw vacuum deleted links", 1024, &ctl,
		                               HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	}

	remove_dead_tids(&vs);

	if (vs.deleted.count > 0)
	{
		VECRBAC_WAIT_POINT("vacuum-after-flag");
		/* Wait out inserts that may have chosen a now-deleted element as a neighbor. */
		LockPage(info->index, HNSW_UPDATE_LOCK, ExclusiveLock);
		UnlockPage(info->index, HNSW_UPDATE_LOCK, ExclusiveLock);

		HnswReadMeta(info->index, &vs.meta);
		repair_entry(&vs);
		repair_graph(&vs);

		/* From here inserts wait: they would link to chains being rerouted. */
		LockPage(info->index, HNSW_UPDATE_LOCK, ExclusiveLock);
		if (vs.deleted_links != NULL)
			repair_partitions(&vs);
		/* No scan may be walking a chain onto an element about to be freed. */
		LockPage(info->index, HNSW_SCAN_LOCK, ExclusiveLock);
		UnlockPage(info->index, HNSW_SCAN_LOCK, ExclusiveLock);
		VECRBAC_WAIT_POINT("vacuum-before-free");
		free_deleted(&vs);
		UnlockPage(info->index, HNSW_UPDATE_LOCK, ExclusiveLock);
	}
	stats->num_pages = RelationGetNumberOfBlocks(info->index);

	MemoryContextSwitchTo(old);
	MemoryContextDelete(context);
	return stats;
}

IndexBulkDeleteResult *hnsw_vacuumcleanup(IndexVacuumInfo *info, IndexBulkDeleteResult *stats)
{
	if (info->analyze_only)
		return stats;
	if (stats == NULL)
	{
		/* No bulk delete ran: count what the index holds, for the planner's statistics. */
		stats = (IndexBulkDeleteResult *)palloc0(sizeof(IndexBulkDeleteResult));
		BlockNumber nblocks = RelationGetNumberOfBlocks(info->index);
		BufferAccessStrategy strategy = GetAccessStrategy(BAS_BULKREAD);
		for (BlockNumber blk = HNSW_METAPAGE_BLKNO + 1; blk < nblocks; blk++)
		{
			vacuum_delay_point();
			Buffer buf = ReadBufferExtended(info->index, MAIN_FORKNUM, blk, RBM_NORMAL, strategy);
			LockBuffer(buf, BUFFER_LOCK_SHARE);
			Page page = BufferGetPage(buf);
			bool data = HnswIsDataPage(page);
			OffsetNumber max = data ? PageGetMaxOffsetNumber(page) : InvalidOffsetNumber;
			for (OffsetNumber off = FirstOffsetNumber; off <= max; off++)
			{
				HnswElementTuple etup = HnswElementAt(page, off);
				for (int i = 0; etup && i < HNSW_HEAPTIDS && ItemPointerIsValid(&etup->heaptids[i]);
				     i++)
					stats->num_index_tuples++;
			}
			Size room = HnswPageRoom(page, 2);
			UnlockReleaseBuffer(buf);
			/* As in bulk delete's first pass: the map learns every page's room again. */
			if (data)
				RecordPageWithFreeSpace(info->index, blk, room);
		}
		FreeAccessStrategy(strategy);
		FreeSpaceMapVacuum(info->index);
	}

	settle_heads(info->index);

	HnswReachStats reach;
	HnswRepairReachability(info->index, &reach);
	ereport(
	    info->message_level,
	    (errmsg("index \"%s\": %llu of %llu elements were unreachable from the entry point, "
	            "%llu links added to reach them (%llu displaced), %llu left; %llu unreachable "
	            "within their value on a key column, %llu value links added, %llu left; in %.0f ms",
	            RelationGetRelationName(info->index), (unsigned long long)reach.found,
	            (unsigned long long)reach.elements, (unsigned long long)reach.linked,
	            (unsigned long long)reach.displaced, (unsigned long long)reach.left,
	            (unsigned long long)reach.value_found, (unsigned long long)reach.value_linked,
	            (unsigned long long)reach.value_left, reach.ms)));
	stats->num_pages = RelationGetNumberOfBlocks(info->index);
	return stats;
}

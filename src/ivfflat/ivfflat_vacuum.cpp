/*
 * ivfflat_vacuum.cpp: VACUUM of an ivfflat index.
 *
 * ambulkdelete walks each list's chain and removes the entries whose heap rows are
 * dead; pages are never unlinked (a chain only grows), and a list's insert page moves
 * back to the first page that gained room, so inserts fill the holes first.
 *
 * Locks and WAL: each entry page is taken with a cleanup lock (no other backend pins
 * it) before its entries are removed, one GenericXLog record per page; the insert page
 * of a list is moved in a record of its own, which is safe in any order with inserts
 * (ivfflat_insert.cpp): any page of the chain is a valid place to start.
 *
 * Under key chains (ivfflat.h) a list's keys go first, then its entries, so that no key
 * outlives its entry if VACUUM stops between the two; and entries are removed without
 * compacting the line pointers, since keys address the entries that stay by offset.
 * (A key whose entry went with it cannot be reached by a later scan: the heap rows of
 * both were dead, and the heap's line pointers are freed only after every index's pass.)
 */
#include "ivfflat/ivfflat.h"
#include "pg/wait_point.h"

extern "C"
{
#include "access/genam.h"
#include "commands/vacuum.h"
#include "miscadmin.h"
#include "storage/bufmgr.h"
#include "utils/memutils.h"
}

namespace
{

/*
 * Removes dead items from one chain of pages of kind page_flag (entries and keys both
 * begin with their heap TID); returns the first page that gained room, if any. Entries
 * are counted in stats, keys not; `compact` moves the remaining items together (on a
 * page without unused line pointers: those an index had when it lost its key chains).
 */
BlockNumber vacuum_chain(IndexVacuumInfo *info, IndexBulkDeleteResult *stats,
                         IndexBulkDeleteCallback callback, void *callback_state, BlockNumber start,
                         uint16 page_flag, bool compact)
{
	Relation index = info->index;
	BufferAccessStrategy bas = GetAccessStrategy(BAS_BULKREAD);
	BlockNumber first_freed = InvalidBlockNumber;
	OffsetNumber dead[MaxOffsetNumber];

	for (BlockNumber blkno = start; BlockNumberIsValid(blkno);)
	{
		vacuum_delay_point();
		Buffer buf = ReadBufferExtended(index, MAIN_FORKNUM, blkno, RBM_NORMAL, bas);
		LockBufferForCleanup(buf);
		Page page = BufferGetPage(buf);
		if (PageIsNew(page) || !(IvfPageGetOpaque(page)->flags & page_flag))
			ereport(ERROR, (errcode(ERRCODE_INDEX_CORRUPTED),
			                errmsg("ivfflat index \"%s\" has no %s page at block %u",
			                       RelationGetRelationName(index),
			                       page_flag == IVFFLAT_PAGE_KEY ? "key" : "entry", blkno)));
		bool entries = page_flag == IVFFLAT_PAGE_ENTRY;
		int ndead = 0;
		bool holes = false; /* unused line pointers, which PageIndexMultiDelete refuses */
		OffsetNumber max = PageGetMaxOffsetNumber(page);
		for (OffsetNumber off = FirstOffsetNumber; off <= max; off = OffsetNumberNext(off))
		{
			ItemId iid = PageGetItemId(page, off);
			if (!ItemIdIsUsed(iid))
			{
				holes = true;
				continue;
			}
			ItemPointer heaptid = (ItemPointer)PageGetItem(page, iid);
			if (callback(heaptid, callback_state))
			{
				dead[ndead++] = off;
				stats->tuples_removed += entries;
			}
			else
				stats->num_index_tuples += entries;
		}
		if (ndead > 0)
		{
			GenericXLogState *state = GenericXLogStart(index);
			Page p = GenericXLogRegisterBuffer(state, buf, 0);
			if (compact && !holes)
				PageIndexMultiDelete(p, dead, ndead);
			else
			{
				for (int i = ndead - 1; i >= 0; i--)
					PageIndexTupleDeleteNoCompact(p, dead[i]);
				/* inserts reuse the freed line pointers rather than adding more */
				if (PageGetMaxOffsetNumber(p) >= FirstOffsetNumber)
					PageSetHasFreeLinePointers(p);
			}
			GenericXLogFinish(state);
			if (!BlockNumberIsValid(first_freed))
				first_freed = blkno;
		}
		BlockNumber next = IvfPageGetOpaque(page)->nextblkno;
		UnlockReleaseBuffer(buf);
		blkno = next;
	}
	FreeAccessStrategy(bas);
	return first_freed;
}

} // namespace

IndexBulkDeleteResult *ivfflat_bulkdelete(IndexVacuumInfo *info, IndexBulkDeleteResult *stats,
                                          IndexBulkDeleteCallback callback, void *callback_state)
{
	if (stats == NULL)
		stats = (IndexBulkDeleteResult *)palloc0(sizeof(IndexBulkDeleteResult));
	stats->num_index_tuples = 0; /* counted afresh by this pass */

	MemoryContext cxt =
	    AllocSetContextCreate(CurrentMemoryContext, "ivfflat vacuum", ALLOCSET_DEFAULT_SIZES);
	MemoryContext old = MemoryContextSwitchTo(cxt);
	HnswDistance dist;
	IvfInitDistance(&dist, info->index);
	IvfList *lists;
	int nlists = IvfReadLists(info->index, &dist, &lists);
	for (int i = 0; i < nlists; i++)
	{
		bool keys = BlockNumberIsValid(lists[i].key_page);
		if (keys)
		{
			vacuum_chain(info, stats, callback, callback_state, lists[i].key_page, IVFFLAT_PAGE_KEY,
			             true);
			/* the list's dead keys are gone, its dead entries not yet */
			VECRBAC_WAIT_POINT("ivfflat-vacuum-keys");
		}
		BlockNumber freed = vacuum_chain(info, stats, callback, callback_state, lists[i].start_page,
		                                 IVFFLAT_PAGE_ENTRY, !keys);
		/* a list's dead entries are gone, its insert page not yet moved back */
		VECRBAC_WAIT_POINT("ivfflat-vacuum-list");
		if (BlockNumberIsValid(freed) && freed != lists[i].insert_page)
			IvfSetInsertPage(info->index, MAIN_FORKNUM, &lists[i].tid, freed, false);
	}
	MemoryContextSwitchTo(old);
	MemoryContextDelete(cxt);
	return stats;
}

IndexBulkDeleteResult *ivfflat_vacuumcleanup(IndexVacuumInfo *info, IndexBulkDeleteResult *stats)
{
	if (info->analyze_only)
		return stats;
	if (stats == NULL)
	{
		/* no bulk delete ran (nothing to remove): the table's count stands for the index's */
		stats = (IndexBulkDeleteResult *)palloc0(sizeof(IndexBulkDeleteResult));
		stats->num_index_tuples = info->num_heap_tuples;
		stats->num_pages = RelationGetNumberOfBlocks(info->index);
		stats->estimated_count = info->estimated_count;
		return stats;
	}
	stats->num_pages = RelationGetNumberOfBlocks(info->index);
	stats->estimated_count = false;
	return stats;
}

/*
 * ivfflat_insert.cpp: aminsert, a row added after the build.
 *
 * The row's value goes to the list of the nearest center; the centers never move
 * after the build (pgvector's behaviour: rebuild the index once the data has drifted).
 *
 * Locks and WAL: the list pages are read under share locks, one page at a time; the
 * entry is appended by IvfAppendEntry (ivfflat_pages.cpp), one GenericXLog record per
 * page change. If the chain grew, the list tuple's insert page is moved forward in a
 * record of its own: a crash between the two leaves the pointer on an earlier page of
 * the same chain, which the next insert follows to its end.
 *
 * Under key chains (ivfflat.h) the entry's key is appended to the list's key chain
 * afterwards, in a record of its own, starting from the chain's first page so that it
 * fills the room VACUUM made. A crash between the entry and its key loses nothing: the
 * inserting transaction had not committed (its commit record follows both), so the
 * entry without a key belongs to a row no one will see, and VACUUM removes it.
 */
#include "ivfflat/ivfflat.h"
#include "pg/wait_point.h"

extern "C"
{
#include "utils/memutils.h"
}

bool ivfflat_insert(Relation index, Datum *values, bool *isnull, ItemPointer heap_tid,
                    Relation heap, IndexUniqueCheck check_unique, bool index_unchanged,
                    IndexInfo *info)
{
	MemoryContext cxt =
	    AllocSetContextCreate(CurrentMemoryContext, "ivfflat insert", ALLOCSET_DEFAULT_SIZES);
	MemoryContext old = MemoryContextSwitchTo(cxt);

	HnswDistance dist;
	HnswColumns cols;
	IvfInitDistance(&dist, index);
	HnswInitColumns(&cols, index);

	HnswValue *value =
	    isnull[dist.column] ? NULL : HnswPrepareValue(&dist, values[dist.column], false);
	if (value != NULL) /* NULL, or a zero vector under cosine: not indexed */
	{
		IvfList *lists;
		int nlists = IvfReadLists(index, &dist, &lists);
		if (nlists == 0)
			ereport(ERROR,
			        (errcode(ERRCODE_INDEX_CORRUPTED),
			         errmsg("ivfflat index \"%s\" has no lists", RelationGetRelationName(index))));
		IvfList *list = &lists[IvfNearestList(&dist, lists, nlists, value)];
		Size size;
		IvfEntryTuple entry = IvfFormEntry(&cols, value, values, isnull, heap_tid, &size);
		BlockNumber insert_page = list->insert_page;
		ItemPointerData where;
		IvfAppendItem(index, MAIN_FORKNUM, IVFFLAT_PAGE_ENTRY, &insert_page, entry, size, false,
		              &where);
		if (insert_page != list->insert_page)
		{
			/* the entry is on a later page of the chain; the list does not say so yet */
			VECRBAC_WAIT_POINT("ivfflat-insert-moved");
			IvfSetInsertPage(index, MAIN_FORKNUM, &list->tid, insert_page, false);
		}
		if (BlockNumberIsValid(list->key_page))
		{
			/* the entry is in; its key not yet */
			VECRBAC_WAIT_POINT("ivfflat-insert-key");
			IvfKeyTuple key = IvfFormKey(entry, &where, &size);
			BlockNumber key_page = list->key_page;
			IvfAppendItem(index, MAIN_FORKNUM, IVFFLAT_PAGE_KEY, &key_page, key, size, false, NULL);
		}
	}

	MemoryContextSwitchTo(old);
	MemoryContextDelete(cxt);
	return false;
}

/*
 * ivfflat_pages.cpp: pages and tuples of an ivfflat index: the metapage, reading the
 * lists, forming entries and appending them to a list's chain.
 */
#include "ivfflat/ivfflat.h"

extern "C"
{
#include "access/genam.h"
#include "catalog/pg_type_d.h"
#include "miscadmin.h"
#include "storage/bufmgr.h"
#include "storage/lmgr.h"
#include "utils/rel.h"
}

void IvfInitPage(Page page, uint16 flags)
{
	PageInit(page, BLCKSZ, sizeof(IvfPageOpaqueData));
	IvfPageOpaque op = IvfPageGetOpaque(page);
	op->nextblkno = InvalidBlockNumber;
	op->flags = flags;
	op->page_id = IVFFLAT_PAGE_ID;
}

void IvfReadMeta(Relation index, IvfMetaPageData *out)
{
	Buffer buf = ReadBuffer(index, IVFFLAT_METAPAGE_BLKNO);
	LockBuffer(buf, BUFFER_LOCK_SHARE);
	IvfMetaPage meta = IvfPageGetMeta(BufferGetPage(buf));
	*out = *meta;
	UnlockReleaseBuffer(buf);

	if (out->magic != IVFFLAT_MAGIC)
		ereport(ERROR,
		        (errcode(ERRCODE_INDEX_CORRUPTED),
		         errmsg("index \"%s\" is not an ivfflat index", RelationGetRelationName(index))));
	if (out->version != IVFFLAT_VERSION)
		ereport(ERROR, (errcode(ERRCODE_INDEX_CORRUPTED),
		                errmsg("ivfflat index \"%s\" has version %u, expected %u",
		                       RelationGetRelationName(index), out->version, IVFFLAT_VERSION)));
}

void IvfInitDistance(HnswDistance *dist, Relation index)
{
	int natts = IndexRelationGetNumberOfKeyAttributes(index);
	int vectors = 0;
	for (int i = 0; i < natts; i++)
		if (OidIsValid(index_getprocid(index, i + 1, IVFFLAT_DISTANCE_PROC)))
			vectors++;
	if (vectors != 1)
		ereport(ERROR,
		        (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
		         errmsg("an ivfflat index needs exactly one vector column with a distance operator "
		                "class")));
	HnswInitDistance(dist, index, HNSW_QUANTIZATION_NONE);
}

void IvfCheckDefinition(Relation index, const HnswDistance *dist)
{
	Oid type = TupleDescAttr(RelationGetDescr(index), dist->column)->atttypid;

	/* pgvector's checks and messages: bit needs fixed dimensions, which varbit has not */
	if (type == VARBITOID)
		ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
		                errmsg("type not supported for ivfflat index")));
	if (dist->dimensions < 0)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
		                errmsg("column does not have dimensions")));
	if (dist->dimensions > HnswMaxDimensions(dist->type))
		ereport(ERROR, (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
		                errmsg("column cannot have more than %d dimensions for ivfflat index",
		                       HnswMaxDimensions(dist->type))));
	if (OidIsValid(index_getprocid(index, dist->column + 1, IVFFLAT_KMEANS_NORM_PROC)) &&
	    dist->dimensions == 1)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
		                errmsg("dimensions must be greater than one for this opclass")));
}

int IvfReadLists(Relation index, const HnswDistance *dist, IvfList **lists)
{
	IvfMetaPageData meta;
	IvfReadMeta(index, &meta);

	IvfList *out = (IvfList *)palloc(sizeof(IvfList) * Max(meta.lists, 1u));
	int n = 0;
	BlockNumber blkno = IVFFLAT_HEAD_BLKNO;
	while (BlockNumberIsValid(blkno))
	{
		Buffer buf = ReadBuffer(index, blkno);
		LockBuffer(buf, BUFFER_LOCK_SHARE);
		Page page = BufferGetPage(buf);
		if (PageIsNew(page) || !(IvfPageGetOpaque(page)->flags & IVFFLAT_PAGE_LIST))
			ereport(ERROR, (errcode(ERRCODE_INDEX_CORRUPTED),
			                errmsg("ivfflat index \"%s\" has no list page at block %u",
			                       RelationGetRelationName(index), blkno)));
		OffsetNumber max = PageGetMaxOffsetNumber(page);
		for (OffsetNumber off = FirstOffsetNumber; off <= max; off = OffsetNumberNext(off))
		{
			if (n >= (int)meta.lists)
				ereport(ERROR, (errcode(ERRCODE_INDEX_CORRUPTED),
				                errmsg("ivfflat index \"%s\" has more lists than its metapage says",
				                       RelationGetRelationName(index))));
			IvfListTuple lt = (IvfListTuple)PageGetItem(page, PageGetItemId(page, off));
			HnswValue *center = (HnswValue *)lt->center;
			HnswCheckElementValue(dist, center);
			ItemPointerSet(&out[n].tid, blkno, off);
			out[n].start_page = lt->start_page;
			out[n].insert_page = lt->insert_page;
			out[n].key_page =
			    (meta.flags & IVFFLAT_META_KEY_CHAINS) ? lt->key_page : InvalidBlockNumber;
			out[n].center = (HnswValue *)palloc(VARSIZE(center));
			memcpy(out[n].center, center, VARSIZE(center));
			n++;
		}
		blkno = IvfPageGetOpaque(page)->nextblkno;
		UnlockReleaseBuffer(buf);
	}
	*lists = out;
	return n;
}

int IvfMeasureLists(Relation index, const HnswDistance *dist, const HnswValue *query,
                    IvfListOrder **lists)
{
	IvfMetaPageData meta;
	IvfReadMeta(index, &meta);
	bool keys = (meta.flags & IVFFLAT_META_KEY_CHAINS) != 0;

	IvfListOrder *out = (IvfListOrder *)palloc(sizeof(IvfListOrder) * Max(meta.lists, 1u));
	int n = 0;
	for (BlockNumber blkno = IVFFLAT_HEAD_BLKNO; BlockNumberIsValid(blkno);)
	{
		Buffer buf = ReadBuffer(index, blkno);
		LockBuffer(buf, BUFFER_LOCK_SHARE);
		Page page = BufferGetPage(buf);
		if (PageIsNew(page) || !(IvfPageGetOpaque(page)->flags & IVFFLAT_PAGE_LIST))
			ereport(ERROR, (errcode(ERRCODE_INDEX_CORRUPTED),
			                errmsg("ivfflat index \"%s\" has no list page at block %u",
			                       RelationGetRelationName(index), blkno)));
		OffsetNumber max = PageGetMaxOffsetNumber(page);
		for (OffsetNumber off = FirstOffsetNumber; off <= max; off = OffsetNumberNext(off))
		{
			if (n >= (int)meta.lists)
				ereport(ERROR, (errcode(ERRCODE_INDEX_CORRUPTED),
				                errmsg("ivfflat index \"%s\" has more lists than its metapage says",
				                       RelationGetRelationName(index))));
			IvfListTuple lt = (IvfListTuple)PageGetItem(page, PageGetItemId(page, off));
			HnswValue *center = (HnswValue *)lt->center;
			HnswCheckElementValue(dist, center);
			out[n].start_page = lt->start_page;
			out[n].key_page = keys ? lt->key_page : InvalidBlockNumber;
			out[n].distance = query ? HnswValueDistance(dist, query, center) : 0;
			n++;
		}
		blkno = IvfPageGetOpaque(page)->nextblkno;
		UnlockReleaseBuffer(buf);
	}
	*lists = out;
	return n;
}

void IvfSetInsertPage(Relation index, ForkNumber fork, ItemPointer tid, BlockNumber insert_page,
                      bool building)
{
	Buffer buf = ReadBufferExtended(index, fork, ItemPointerGetBlockNumber(tid), RBM_NORMAL, NULL);
	LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
	HnswEdit edit;
	HnswEditStart(&edit, index, building);
	Page page = HnswEditPage(&edit, buf, false);
	IvfListTuple lt =
	    (IvfListTuple)PageGetItem(page, PageGetItemId(page, ItemPointerGetOffsetNumber(tid)));
	lt->insert_page = insert_page;
	HnswEditFinish(&edit);
	UnlockReleaseBuffer(buf);
}

#define IVF_MAX_GAP_LISTS 2048 /* a table of 16 MB */

float *IvfCenterQuarterGaps(const HnswDistance *dist, const IvfList *lists, int nlists)
{
	if ((dist->kind != HNSW_DIST_L2_SQUARED && dist->kind != HNSW_DIST_HALF_L2_SQUARED) ||
	    nlists < 2 || nlists > IVF_MAX_GAP_LISTS)
		return NULL;
	float *gaps = (float *)palloc(sizeof(float) * (Size)nlists * nlists);
	for (int b = 0; b < nlists; b++)
	{
		CHECK_FOR_INTERRUPTS();
		gaps[(Size)b * nlists + b] = 0;
		for (int c = 0; c < b; c++)
			gaps[(Size)b * nlists + c] = gaps[(Size)c * nlists + b] =
			    HnswValueDistance(dist, lists[b].center, lists[c].center) / 4;
	}
	return gaps;
}

int IvfNearestList(const HnswDistance *dist, const IvfList *lists, int nlists,
                   const HnswValue *value, const float *quarter_gaps)
{
	int best = 0;
	float best_distance = 0;
	for (int i = 0; i < nlists; i++)
	{
		/* no nearer than the best so far (a margin for rounding) */
		if (i > 0 && quarter_gaps != NULL &&
		    quarter_gaps[(Size)best * nlists + i] > best_distance * 1.001f)
			continue;
		/* under L2 a distance stops early once it exceeds the best so far */
		bool exact;
		float d =
		    i == 0 ? HnswValueDistance(dist, value, lists[i].center)
		           : HnswValueDistanceBounded(dist, value, lists[i].center, best_distance, &exact);
		if (i == 0 || d < best_distance)
		{
			best = i;
			best_distance = d;
		}
	}
	return best;
}

IvfEntryTuple IvfFormEntry(const HnswColumns *cols, const HnswValue *value, const Datum *values,
                           const bool *isnull, ItemPointer heap_tid, Size *size)
{
	Size filter_bytes = HnswEncodeFilters(cols, values, isnull, NULL);
	Size total = IvfEntryTupleSize(VARSIZE(value), filter_bytes);
	if (total > IVF_MAX_ITEM_SIZE)
		ereport(ERROR, (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
		                errmsg("index row size %zu exceeds ivfflat maximum, %zu", total,
		                       (Size)IVF_MAX_ITEM_SIZE)));
	IvfEntryTuple e = (IvfEntryTuple)palloc0(total);
	e->heaptid = *heap_tid;
	e->filter_bytes = (uint16)filter_bytes;
	memcpy(e->data, value, VARSIZE(value));
	HnswEncodeFilters(cols, values, isnull, IvfEntryFilters(e));
	*size = total;
	return e;
}

/*
 * Locks: one entry page at a time, exclusively, except when the chain grows: then the
 * last page stays locked while the new page is added (the relation extension lock is
 * taken and released inside HnswNewBuffer), and both change in one WAL record, so a
 * crash leaves either the old chain or the longer one. Two inserters that find the same
 * last page full serialize on its lock; the second sees the link the first made and
 * follows it.
 */
IvfKeyTuple IvfFormKey(const IvfEntryTuple entry, ItemPointer where, Size *size)
{
	Size total = MAXALIGN(IVF_KEY_FILTER_OFFSET + entry->filter_bytes);
	IvfKeyTuple k = (IvfKeyTuple)palloc0(total);
	k->heaptid = entry->heaptid;
	k->entry = *where;
	k->filter_bytes = entry->filter_bytes;
	memcpy(IvfKeyFilters(k), IvfEntryFilters(entry), entry->filter_bytes);
	*size = total;
	return k;
}

Buffer IvfNewBuffer(Relation index, ForkNumber fork, IvfPageReserve *reserve)
{
	if (reserve == NULL)
		return HnswNewBuffer(index, fork);
	if (reserve->next >= reserve->count)
	{
		LockRelationForExtension(index, ExclusiveLock);
		for (int i = 0; i < IVF_EXTEND_BATCH; i++)
		{
			Buffer buf = ReadBufferExtended(index, fork, P_NEW, RBM_NORMAL, NULL);
			reserve->blocks[i] = BufferGetBlockNumber(buf);
			ReleaseBuffer(buf);
		}
		UnlockRelationForExtension(index, ExclusiveLock);
		reserve->next = 0;
		reserve->count = IVF_EXTEND_BATCH;
	}
	Buffer buf =
	    ReadBufferExtended(index, fork, reserve->blocks[reserve->next++], RBM_NORMAL, NULL);
	LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
	return buf;
}

void IvfAppendItem(Relation index, ForkNumber fork, uint16 page_flag, BlockNumber *insert_page,
                   const void *item, Size size, bool building, ItemPointer where,
                   IvfPageReserve *reserve)
{
	BlockNumber blkno = *insert_page;
	for (;;)
	{
		Buffer buf = ReadBufferExtended(index, fork, blkno, RBM_NORMAL, NULL);
		LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
		Page page = BufferGetPage(buf);
		if (PageIsNew(page) || !(IvfPageGetOpaque(page)->flags & page_flag))
			ereport(ERROR, (errcode(ERRCODE_INDEX_CORRUPTED),
			                errmsg("ivfflat index \"%s\" has no %s page at block %u",
			                       RelationGetRelationName(index),
			                       page_flag == IVFFLAT_PAGE_KEY ? "key" : "entry", blkno)));

		HnswEdit edit;
		if (PageGetFreeSpace(page) >= size)
		{
			HnswEditStart(&edit, index, building);
			Page p = HnswEditPage(&edit, buf, false);
			OffsetNumber off = PageAddItem(p, (Item)item, size, InvalidOffsetNumber, false, false);
			if (off == InvalidOffsetNumber)
				elog(ERROR, "failed to add an entry to ivfflat index \"%s\"",
				     RelationGetRelationName(index));
			HnswEditFinish(&edit);
			UnlockReleaseBuffer(buf);
			*insert_page = blkno;
			if (where)
				ItemPointerSet(where, blkno, off);
			return;
		}

		BlockNumber next = IvfPageGetOpaque(page)->nextblkno;
		if (BlockNumberIsValid(next))
		{
			UnlockReleaseBuffer(buf);
			blkno = next;
			continue;
		}

		Buffer newbuf = IvfNewBuffer(index, fork, reserve);
		HnswEditStart(&edit, index, building);
		Page p = HnswEditPage(&edit, buf, false);
		Page np = HnswEditPage(&edit, newbuf, true);
		IvfInitPage(np, page_flag);
		OffsetNumber off = PageAddItem(np, (Item)item, size, InvalidOffsetNumber, false, false);
		if (off == InvalidOffsetNumber)
			elog(ERROR, "failed to add an entry to ivfflat index \"%s\"",
			     RelationGetRelationName(index));
		IvfPageGetOpaque(p)->nextblkno = BufferGetBlockNumber(newbuf);
		HnswEditFinish(&edit);
		*insert_page = BufferGetBlockNumber(newbuf);
		if (where)
			ItemPointerSet(where, *insert_page, off);
		UnlockReleaseBuffer(newbuf);
		UnlockReleaseBuffer(buf);
		return;
	}
}

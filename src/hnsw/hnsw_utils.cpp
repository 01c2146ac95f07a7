/*
 * hnsw_utils.cpp: pages, the metapage, tuple access and neighbor selection
 * shared by build, insert, scan and vacuum.
 */
#include "hnsw/hnsw.h"

extern "C"
{
#include "access/genam.h"
#include "access/xact.h"
#include "miscadmin.h"
#include "storage/lmgr.h"
#include "utils/rel.h"
}

#include <cmath>

int HnswMaxLevelForM(int m, int value_slots)
{
	/* A neighbor tuple must fit on an otherwise empty page. */
	Size usable = BLCKSZ - MAXALIGN(SizeOfPageHeaderData) - MAXALIGN(sizeof(HnswPageOpaqueData)) -
	              sizeof(ItemIdData);
	int level = HNSW_MAX_LEVEL;

	while (level > 0 && HnswNeighborTupleSize(level, m, Max(value_slots, 2 * m)) > usable)
		level--;
	return level;
}

void HnswInitPage(Page page, uint16 flags)
{
	PageInit(page, BLCKSZ, sizeof(HnswPageOpaqueData));
	HnswPageOpaque opaque = HnswPageGetOpaque(page);
	opaque->nextblkno = InvalidBlockNumber;
	opaque->flags = flags;
	opaque->page_id = HNSW_PAGE_ID;
}

Size HnswPageRoom(Page page, int items)
{
	if (!HnswIsDataPage(page))
		return 0;
	PageHeader ph = (PageHeader)page;
	Size room = ph->pd_upper > ph->pd_lower ? (Size)(ph->pd_upper - ph->pd_lower) : 0;
	if (PageHasFreeLinePointers(page))
	{
		/* PageAddItem takes the first unused ones it finds, one per tuple */
		OffsetNumber max = PageGetMaxOffsetNumber(page);
		int unused = 0;
		for (OffsetNumber off = FirstOffsetNumber; off <= max && unused < items; off++)
		{
			ItemId iid = PageGetItemId(page, off);
			if (!ItemIdIsUsed(iid) && !ItemIdHasStorage(iid))
				unused++;
		}
		room += unused * sizeof(ItemIdData);
	}
	return room;
}

void HnswTrimLinePointers(Page page)
{
	PageHeader ph = (PageHeader)page;
	OffsetNumber max = PageGetMaxOffsetNumber(page);
	while (max >= FirstOffsetNumber && !ItemIdIsUsed(PageGetItemId(page, max)))
	{
		ph->pd_lower -= sizeof(ItemIdData);
		max--;
	}
}

void HnswInitMetaPage(Page page, int dimensions, int m, int ef_construction)
{
	HnswInitPage(page, HNSW_PAGE_META);
	HnswMetaPage meta = HnswPageGetMeta(page);
	meta->magic = HNSW_MAGIC;
	meta->version = (uint32)hnsw_test_version; /* HNSW_VERSION unless a test asks for 1 */
	meta->dimensions = dimensions;
	meta->m = m;
	meta->ef_construction = ef_construction;
	ItemPointerSetInvalid(&meta->entry);
	meta->entry_level = -1;
	meta->reserved = InvalidBlockNumber;
	meta->vector_column = 0;
	meta->filter_columns = 0;
	meta->dir_start = InvalidBlockNumber;
	meta->dir_pages = 0;
	meta->value_slots = 0;
	meta->value_type = HNSW_VALUE_VECTOR; /* the build sets the column's */
	meta->quantization = HNSW_QUANTIZATION_NONE;
	for (int f = 0; f < HNSW_CHAIN_FILTERS; f++)
	{
		meta->chain_dir_start[f] = InvalidBlockNumber;
		meta->chain_dir_pages[f] = 0;
	}
	/* pd_lower past the metadata, so that GenericXLog and full-page images keep it. */
	((PageHeader)page)->pd_lower = ((char *)meta + sizeof(HnswMetaPageData)) - (char *)page;
}

/*
 * Extends the index by one page and returns it pinned and exclusively locked.
 * The relation extension lock serialises concurrent extenders. A relation created
 * in this transaction needs none, except in a parallel build: its workers extend
 * it too (and extension locks conflict within a lock group).
 */
Buffer HnswNewBuffer(Relation index, ForkNumber fork)
{
	bool needs_lock = !RELATION_IS_LOCAL(index) || IsInParallelMode();

	if (needs_lock)
		LockRelationForExtension(index, ExclusiveLock);
	Buffer buf = ReadBufferExtended(index, fork, P_NEW, RBM_NORMAL, NULL);
	LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
	if (needs_lock)
		UnlockRelationForExtension(index, ExclusiveLock);
	return buf;
}

void HnswReadMeta(Relation index, HnswMetaPageData *out)
{
	Buffer buf = ReadBuffer(index, HNSW_METAPAGE_BLKNO);
	LockBuffer(buf, BUFFER_LOCK_SHARE);
	Page page = BufferGetPage(buf);
	HnswMetaPage meta = HnswPageGetMeta(page);

	if (meta->magic != HNSW_MAGIC)
		ereport(ERROR,
		        (errcode(ERRCODE_INDEX_CORRUPTED),
		         errmsg("index \"%s\" is not an hnsw index", RelationGetRelationName(index))));
	if (meta->version < HNSW_VERSION_1 || meta->version > HNSW_VERSION)
		ereport(ERROR, (errcode(ERRCODE_INDEX_CORRUPTED),
		                errmsg("hnsw index \"%s\" has version %u, expected %u to %u",
		                       RelationGetRelationName(index), meta->version, HNSW_VERSION_1,
		                       HNSW_VERSION),
		                errhint("REINDEX the index.")));
	*out = *meta;
	UnlockReleaseBuffer(buf);
}

HnswElementTuple HnswElementAt(Page page, OffsetNumber off)
{
	if (off < FirstOffsetNumber || off > PageGetMaxOffsetNumber(page))
		return NULL;
	ItemId iid = PageGetItemId(page, off);
	if (!ItemIdHasStorage(iid))
		return NULL;
	HnswElementTuple etup = (HnswElementTuple)PageGetItem(page, iid);
	if (etup->type != HNSW_ELEMENT_TUPLE)
		return NULL;
	/* Never read past the item: a damaged page must not send a read off the page. */
	Size len = ItemIdGetLength(iid);
	bool compact = HnswElementIsCompact(etup);
	Size header = HnswElementHeaderSize(compact);
	if (len < header + VARHDRSZ || VARSIZE(HnswElementValue(etup)) < VARHDRSZ + sizeof(int32) ||
	    VARSIZE(HnswElementValue(etup)) > len - header || (compact && etup->filter_bytes != 0) ||
	    HnswElementFilterOffset(VARSIZE(HnswElementValue(etup)), compact) + etup->filter_bytes >
	        len)
		ereport(ERROR, (errcode(ERRCODE_INDEX_CORRUPTED),
		                errmsg("hnsw element tuple at offset %u is damaged", off)));
	return etup;
}

HnswNeighborTuple HnswNeighborAt(Page page, OffsetNumber off, int m)
{
	if (off < FirstOffsetNumber || off > PageGetMaxOffsetNumber(page))
		return NULL;
	ItemId iid = PageGetItemId(page, off);
	if (!ItemIdHasStorage(iid))
		return NULL;
	HnswNeighborTuple ntup = (HnswNeighborTuple)PageGetItem(page, iid);
	if (ntup->type != HNSW_NEIGHBOR_TUPLE && ntup->type != HNSW_COMPACT_NEIGHBOR_TUPLE)
		return NULL;
	if (ItemIdGetLength(iid) < (Size)((char *)HnswNeighborLinks(ntup) - (char *)ntup) +
	                               sizeof(ItemPointerData) * HnswNeighborSlots(ntup, m))
		ereport(ERROR, (errcode(ERRCODE_INDEX_CORRUPTED),
		                errmsg("hnsw neighbor tuple at offset %u is damaged", off)));
	return ntup;
}

int HnswLevelFor(ItemPointer heaptid, int m, int max_level)
{
	/*
	 * splitmix64 of the row's address: uniform and independent of the vector, like a
	 * random draw, but the same for the same row, so a table builds the same graph each
	 * time (hnswlib seeds its level generator for the same reason).
	 */
	uint64 h = ((uint64)ItemPointerGetBlockNumberNoCheck(heaptid) << 16) |
	           ItemPointerGetOffsetNumberNoCheck(heaptid);
	h += UINT64CONST(0x9E3779B97F4A7C15);
	h = (h ^ (h >> 30)) * UINT64CONST(0xBF58476D1CE4E5B9);
	h = (h ^ (h >> 27)) * UINT64CONST(0x94D049BB133111EB);
	h ^= h >> 31;
	double u = (double)((h >> 11) + 1) * (1.0 / 9007199254740992.0); /* (0, 1] */
	double ml = 1.0 / std::log((double)m);
	int level = (int)std::floor(-std::log(u) * ml);

	return level > max_level ? max_level : level;
}

int HnswSelectNeighbors(const HnswDistance *d, const HnswCandidate *sorted, int n,
                        const HnswValue *const *vectors, int max_keep, HnswCandidate *out)
{
	int kept = 0;

	for (int i = 0; i < n && kept < max_keep; i++)
	{
		const HnswCandidate &c = sorted[i];
		bool diverse = true;

		for (int j = 0; j < kept; j++)
		{
			float between = HnswValueDistance(d, vectors[c.index], vectors[out[j].index]);
			if (between < c.distance)
			{
				diverse = false;
				break;
			}
		}
		if (diverse)
			out[kept++] = c;
	}
	if (kept == max_keep || kept == n)
		return kept;

	/*
	 * Fill the free slots with the nearest pruned candidates, in distance order with
	 * the kept ones. All n were examined (kept < max_keep), so a candidate is either
	 * one of out[] (in the same order) or pruned.
	 */
	HnswCandidate merged[2 * HNSW_MAX_M];
	int extra = Min(max_keep, (int)lengthof(merged)) - kept, total = 0;
	for (int i = 0, j = 0; i < n && total < (int)lengthof(merged); i++)
	{
		if (j < kept && sorted[i].index == out[j].index)
			merged[total++] = out[j++];
		else if (extra > 0)
		{
			merged[total++] = sorted[i];
			extra--;
		}
	}
	memcpy(out, merged, sizeof(HnswCandidate) * total);
	return total;
}

void HnswEditStart(HnswEdit *edit, Relation index, bool building)
{
	edit->state = building ? NULL : GenericXLogStart(index);
	edit->count = 0;
}

Page HnswEditPage(HnswEdit *edit, Buffer buf, bool new_page)
{
	Assert(edit->count < MAX_GENERIC_XLOG_PAGES);
	edit->buffers[edit->count++] = buf;
	if (edit->state == NULL)
		return BufferGetPage(buf);
	return GenericXLogRegisterBuffer(edit->state, buf, new_page ? GENERIC_XLOG_FULL_IMAGE : 0);
}

void HnswEditFinish(HnswEdit *edit)
{
	if (edit->state != NULL)
		GenericXLogFinish(edit->state); /* also marks the buffers dirty */
	else
		for (int i = 0; i < edit->count; i++)
			MarkBufferDirty(edit->buffers[i]);
	edit->state = NULL;
	edit->count = 0;
}

void HnswEditAbort(HnswEdit *edit)
{
	if (edit->state != NULL)
		GenericXLogAbort(edit->state);
	edit->state = NULL;
	edit->count = 0;
}

/*
 * hnsw_check.cpp: vecrbac.hnsw_check(index regclass), a consistency checker.
 *
 * Reads the whole index and reports, one row each, what is wrong:
 *   error    the page format, a tuple, a link or the entry point is inconsistent
 *   warning  elements that cannot be reached from the entry point (searches miss them),
 *            or an entry point that is deleted (a VACUUM interrupted by a crash leaves
 *            it; searches still walk its links, the next VACUUM that removes rows moves it)
 *   info     a summary: elements, heap tuples, pages, levels, deleted elements
 * A healthy index yields only the info rows. The table is locked in SHARE mode
 * while checking, so inserts and VACUUM wait and the picture is consistent.
 */
#include "hnsw/hnsw.h"
#include "hnsw/hnsw_directory.h"
#include "hnsw/hnsw_disk.h"
#include "hnsw/hnsw_filter.h"

extern "C"
{
#include "access/relation.h"
#include "access/xlog.h"
#include "access/xlogrecovery.h"
#include "access/table.h"
#include "catalog/index.h"
#include "catalog/pg_am.h"
#include "commands/defrem.h"
#include "funcapi.h"
#include "miscadmin.h"
#include "storage/lmgr.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/rel.h"
#include "utils/tuplestore.h"
}

#include <cmath>

using vecrbac::pg::PgVec;

namespace
{

struct CheckedElement
{
	ItemPointerData tid;
	ItemPointerData neighbors;
	int level;
	bool deleted;
	int nheaptids;
	int links_start; /* into CheckState::links, (level + 2) * m entries; -1 if none */
	bool reached;
	ItemPointerData chain_next;
	bool chained; /* reached by its value's chain (in the directory being checked) */
	/* Per scalar filter: its key (when non-NULL) and its chain link. */
	bool fhas[HNSW_MAX_FILTERS];
	int64 fkey[HNSW_MAX_FILTERS];
	ItemPointerData fnext[HNSW_MAX_FILTERS];
};

/* A neighbor tuple as collected, paired with its element afterwards. */
struct NeighborRecord
{
	ItemPointerData tid;
	ItemPointerData owner;
	int level;
	int links_start;
};

struct CheckState
{
	Tuplestorestate *store;
	TupleDesc desc;
	int errors;
	int reported;
	PgVec<CheckedElement> elements;
	PgVec<ItemPointerData> links;
	PgVec<uint64> keys; /* parallel to elements, ascending, for lookups */
	/* What the checks share: the metapage, the columns, and what the page pass found. */
	HnswMetaPageData meta;
	int m;
	int dimensions;
	HnswValueType value_type;
	BlockNumber nblocks;
	HnswColumns cols;
	PgVec<NeighborRecord> neighbor_tuples;
	PgVec<HnswDirEntryData> directory; /* the entries of the directory being checked */
	int64 heap_tuples;
	int64 deleted;
};

void report(CheckState *cs, const char *severity, const char *fmt, ...) pg_attribute_printf(3, 4);

void report(CheckState *cs, const char *severity, const char *fmt, ...)
{
	if (strcmp(severity, "error") == 0)
	{
		cs->errors++;
		if (cs->errors > 100)
			return; /* enough to act on; the summary still says how many */
	}
	char message[512];
	va_list args;
	va_start(args, fmt);
	vsnprintf(message, sizeof(message), fmt, args);
	va_end(args);

	Datum values[2] = {CStringGetTextDatum(severity), CStringGetTextDatum(message)};
	bool nulls[2] = {false, false};
	tuplestore_putvalues(cs->store, cs->desc, values, nulls);
}

/* Position of the element at tid, or -1. Elements are collected in block and offset
 * order, so their keys are sorted and a binary search finds them. */
int find_element(const CheckState *cs, const ItemPointerData *tid)
{
	uint64 want = HnswTidKey(tid);
	for (int lo = 0, hi = cs->keys.size - 1; lo <= hi;)
	{
		int mid = (lo + hi) / 2;
		if (cs->keys[mid] == want)
			return mid;
		if (cs->keys[mid] < want)
			lo = mid + 1;
		else
			hi = mid - 1;
	}
	return -1;
}

/* The metapage: format, version, m, and the vector column it describes. False: stop here. */
bool check_metapage(Relation index, CheckState *cs)
{
	HnswMetaPageData meta;
	int m, dimensions;
	BlockNumber nblocks = cs->nblocks;

	if (nblocks == 0)
	{
		report(cs, "error", "index has no metapage");
		return false;
	}
	{
		Buffer buf = ReadBuffer(index, HNSW_METAPAGE_BLKNO);
		LockBuffer(buf, BUFFER_LOCK_SHARE);
		Page page = BufferGetPage(buf);
		meta = *HnswPageGetMeta(page);
		HnswPageOpaque op = HnswPageGetOpaque(page);
		if (op->page_id != HNSW_PAGE_ID || !(op->flags & HNSW_PAGE_META))
			report(cs, "error", "block 0 is not an hnsw metapage");
		UnlockReleaseBuffer(buf);
	}
	if (meta.magic != HNSW_MAGIC || meta.version < HNSW_VERSION_1 || meta.version > HNSW_VERSION)
	{
		report(cs, "error", "metapage magic %08x version %u, expected %08x version %u to %u",
		       meta.magic, meta.version, HNSW_MAGIC, HNSW_VERSION_1, HNSW_VERSION);
		return false;
	}
	m = meta.m;
	dimensions = meta.dimensions;
	if (m < HNSW_MIN_M || m > HNSW_MAX_M)
	{
		report(cs, "error", "metapage m = %d is out of range", m);
		return false;
	}
	int vcol = HnswVectorColumn(index);
	if (meta.vector_column != vcol)
		report(cs, "error", "metapage says the vector is column %u, it is column %d",
		       meta.vector_column, vcol);
	if ((int)dimensions != TupleDescAttr(RelationGetDescr(index), vcol)->atttypmod)
		report(cs, "error", "metapage has %u dimensions, the indexed column %d", dimensions,
		       TupleDescAttr(RelationGetDescr(index), vcol)->atttypmod);
	HnswValueType type = HnswColumnValueType(index, vcol);
	if (meta.value_type != type)
		report(cs, "error", "metapage says the value type is %u, the indexed column's is %d",
		       meta.value_type, (int)type);
	cs->meta = meta;
	cs->m = m;
	cs->dimensions = (int)dimensions;
	cs->value_type = type;
	if (meta.quantization == HNSW_QUANTIZATION_HALF && type == HNSW_VALUE_VECTOR)
		cs->value_type = HNSW_VALUE_HALFVEC; /* elements hold the vectors as halves */
	else if (meta.quantization == HNSW_QUANTIZATION_INT8 &&
	         (type == HNSW_VALUE_VECTOR || type == HNSW_VALUE_HALFVEC))
		cs->value_type = HNSW_VALUE_INT8; /* elements hold the vectors as bytes */
	else if (meta.quantization == HNSW_QUANTIZATION_BINARY &&
	         (type == HNSW_VALUE_VECTOR || type == HNSW_VALUE_HALFVEC))
		cs->value_type = HNSW_VALUE_BINARY; /* elements hold the vectors as bits */
	else if (meta.quantization != HNSW_QUANTIZATION_NONE)
		report(cs, "error", "metapage says quantization %u, which a %s column cannot have",
		       meta.quantization, type == HNSW_VALUE_VECTOR ? "vector" : "non-vector");
	return true;
}

/*
 * An int8 value's stored sums are its codes' and its error is not negative: the
 * distances and the bounds handed to the executor rely on both.
 */
bool int8_sums_hold(const HnswInt8Value *x)
{
	int64 sum = 0, sum_square = 0;
	for (int i = 0; i < x->dim; i++)
	{
		sum += x->codes[i];
		sum_square += (int64)x->codes[i] * x->codes[i];
	}
	return sum == x->sum && sum_square == x->sum_square && x->residual >= 0 && x->scale >= 0;
}

/*
 * A binary value's count of set bits is its bits', its padding bits are zero and its
 * scales are not negative: the walk's estimates rely on them.
 */
bool binary_bits_hold(const HnswBinaryValue *x)
{
	Size nbytes = vecrbac::binary::bytes((Size)x->dim);
	int64 ones = 0;
	for (Size i = 0; i < nbytes; i++)
		ones += __builtin_popcount(x->bits[i]);
	bool padding_clear = x->dim % 8 == 0 || (x->bits[nbytes - 1] >> (x->dim % 8)) == 0;
	return ones == x->ones && padding_clear && x->scale >= 0 && x->abs_mean >= 0 &&
	       x->norm_squared >= 0;
}

/* A directory page: its entries, checked against the elements by check_directory. */
void collect_directory_page(CheckState *cs, Page page, BlockNumber blk)
{
	PgVec<HnswDirEntryData> &directory = cs->directory;
	OffsetNumber dmax = PageGetMaxOffsetNumber(page);
	for (OffsetNumber off = FirstOffsetNumber; off <= dmax; off++)
	{
		ItemId iid = PageGetItemId(page, off);
		if (!ItemIdHasStorage(iid))
			continue;
		if (ItemIdGetLength(iid) != sizeof(HnswDirEntryData))
		{
			report(cs, "error", "directory item (%u,%u) has the wrong size", blk, off);
			continue;
		}
		directory.push(*(HnswDirEntry)PageGetItem(page, iid));
	}
}

/* An element tuple: filters, heap TIDs, flags, level, vector; recorded for the links. */
void check_element_tuple(CheckState *cs, Page page, BlockNumber blk, OffsetNumber off,
                         const ItemPointerData &tid)
{
	int m = cs->m;
	int dimensions = cs->dimensions;
	int max_level = HnswMaxLevelForM(m, cs->meta.value_slots);
	HnswColumns &cols = cs->cols;
	HnswElementTuple etup = HnswElementAt(page, off); /* validates the length */
	const HnswValue *v = HnswElementValue(etup);
	CheckedElement e;
	e.tid = tid;
	e.neighbors = etup->neighbortid;
	e.level = etup->level;
	e.deleted = (etup->flags & HNSW_ELEMENT_DELETED) != 0;
	e.nheaptids = 0;
	e.links_start = -1;
	e.reached = false;
	if (HnswElementIsCompact(etup))
		ItemPointerSetInvalid(&e.chain_next);
	else
		e.chain_next = etup->chain_next;
	e.chained = false;
	if (HnswElementIsCompact(etup) != HnswMetaCompact(cs->meta.version, cs->meta.filter_columns))
		report(cs, "error",
		       "element (%u,%u) is %s, the metapage says version %u with %u filter columns", blk,
		       off, HnswElementIsCompact(etup) ? "compact" : "not compact", cs->meta.version,
		       cs->meta.filter_columns);
	long section = HnswFilterSectionSize(&cols, HnswElementFilters(etup), etup->filter_bytes);
	for (int f = 0; f < cols.nfilters; f++)
	{
		e.fhas[f] = section == (long)etup->filter_bytes && cols.kind[f] != HNSW_FILTER_JSONB &&
		            HnswFilterKey(&cols, HnswElementFilters(etup), f, &e.fkey[f]);
		if (e.fhas[f])
			e.fnext[f] = HnswChainNext(etup, &cols, f);
		else
			ItemPointerSetInvalid(&e.fnext[f]);
	}
	if (section != (long)etup->filter_bytes)
		report(cs, "error",
		       "element (%u,%u) has a filter section of %u bytes, its contents say %ld", blk, off,
		       etup->filter_bytes, section);
	bool gap = false;
	for (int i = 0; i < HNSW_HEAPTIDS; i++)
	{
		if (ItemPointerIsValid(&etup->heaptids[i]))
		{
			if (gap)
				report(cs, "error", "element (%u,%u) has a valid heap TID after an empty slot", blk,
				       off);
			e.nheaptids++;
		}
		else
			gap = true;
	}
	if (e.deleted && e.nheaptids > 0)
		report(cs, "error", "element (%u,%u) is marked deleted but has %d heap TIDs", blk, off,
		       e.nheaptids);
	if (!e.deleted && e.nheaptids == 0)
		report(cs, "error", "element (%u,%u) has no heap TID and is not marked deleted", blk, off);
	if (e.level > max_level)
		report(cs, "error", "element (%u,%u) has level %d, above the limit %d for m = %d", blk, off,
		       e.level, max_level, m);
	int value_dimensions = HnswValueDimensions(cs->value_type, v);
	if (value_dimensions != dimensions)
		report(cs, "error", "element (%u,%u) has %d dimensions, the index %d", blk, off,
		       value_dimensions, dimensions);
	else if (VARSIZE(v) != HnswValueSizeOf(cs->value_type, v))
		report(cs, "error", "element (%u,%u) has a value of %u bytes, expected %zu", blk, off,
		       (unsigned)VARSIZE(v), HnswValueSizeOf(cs->value_type, v));
	else if (!HnswValueIsFinite(cs->value_type, v))
		report(cs, "error", "element (%u,%u) holds a NaN or infinite value", blk, off);
	else if (cs->value_type == HNSW_VALUE_INT8 && !int8_sums_hold(HnswInt8(v)))
		report(cs, "error", "element (%u,%u) has bytes whose sums or error are not the stored ones",
		       blk, off);
	else if (cs->value_type == HNSW_VALUE_BINARY && !binary_bits_hold(HnswBinary(v)))
		report(cs, "error", "element (%u,%u) has bits whose count or padding is not the stored one",
		       blk, off);
	cs->heap_tuples += e.nheaptids;
	cs->deleted += e.deleted;
	cs->elements.push(e);
	cs->keys.push(HnswTidKey(&tid));
}

/* A neighbor tuple: its slot count; its links are kept for the link checks. */
void collect_neighbor_tuple(CheckState *cs, Page page, BlockNumber blk, OffsetNumber off,
                            const ItemPointerData &tid)
{
	int m = cs->m;
	const HnswMetaPageData &meta = cs->meta;
	PgVec<NeighborRecord> &neighbor_tuples = cs->neighbor_tuples;
	HnswNeighborTuple ntup = HnswNeighborAt(page, off, m);
	NeighborRecord r;
	r.tid = tid;
	r.owner = *HnswNeighborOwner(ntup);
	r.level = ntup->level;
	r.links_start = cs->links.size;
	int expected_slots = (ntup->level + 2) * m + meta.value_slots;
	if (HnswNeighborIsCompact(ntup) != HnswMetaCompact(meta.version, meta.filter_columns))
		report(cs, "error",
		       "neighbor tuple (%u,%u) is %s, the metapage says version %u with %u filter columns",
		       blk, off, HnswNeighborIsCompact(ntup) ? "compact" : "not compact", meta.version,
		       meta.filter_columns);
	if (HnswNeighborSlots(ntup, m) != expected_slots)
		report(cs, "error", "neighbor tuple (%u,%u) has %u slots, expected %d", blk, off,
		       HnswNeighborSlots(ntup, m), expected_slots);
	for (int i = 0; i < expected_slots; i++)
	{
		ItemPointerData link;
		if (i < HnswNeighborSlots(ntup, m))
			link = HnswNeighborLinks(ntup)[i];
		else
			ItemPointerSetInvalid(&link);
		cs->links.push(link);
	}
	neighbor_tuples.push(r);
}

/* Pass 1: every page is a data or directory page; collect elements and links. */
void collect_pages(Relation index, CheckState *cs)
{
	for (BlockNumber blk = HNSW_METAPAGE_BLKNO + 1; blk < cs->nblocks; blk++)
	{
		CHECK_FOR_INTERRUPTS();
		Buffer buf = ReadBuffer(index, blk);
		LockBuffer(buf, BUFFER_LOCK_SHARE);
		Page page = BufferGetPage(buf);
		if (PageIsNew(page))
		{
			UnlockReleaseBuffer(buf);
			continue;
		}
		HnswPageOpaque op = HnswPageGetOpaque(page);
		if (PageGetSpecialSize(page) != MAXALIGN(sizeof(HnswPageOpaqueData)) ||
		    op->page_id != HNSW_PAGE_ID || !(op->flags & (HNSW_PAGE_DATA | HNSW_PAGE_DIRECTORY)))
			report(cs, "error", "block %u is not an hnsw data or directory page", blk);
		else if (op->flags & HNSW_PAGE_DIRECTORY)
			; /* read by check_directory, directory by directory */
		else
		{
			OffsetNumber max = PageGetMaxOffsetNumber(page);
			for (OffsetNumber off = FirstOffsetNumber; off <= max; off++)
			{
				ItemId iid = PageGetItemId(page, off);
				if (!ItemIdIsUsed(iid))
					continue;
				ItemPointerData tid;
				ItemPointerSet(&tid, blk, off);
				uint8 type = *(uint8 *)PageGetItem(page, iid);
				if (type == HNSW_ELEMENT_TUPLE)
					check_element_tuple(cs, page, blk, off, tid);
				else if (type == HNSW_NEIGHBOR_TUPLE || type == HNSW_COMPACT_NEIGHBOR_TUPLE)
					collect_neighbor_tuple(cs, page, blk, off, tid);
				else
					report(cs, "error", "item (%u,%u) has unknown type %u", blk, off, type);
			}
		}
		UnlockReleaseBuffer(buf);
	}
}

/* Pass 2: each neighbor tuple belongs to the element that points at it, at its level. */
void pair_neighbor_tuples(CheckState *cs)
{
	PgVec<NeighborRecord> &neighbor_tuples = cs->neighbor_tuples;
	for (int i = 0; i < neighbor_tuples.size; i++)
	{
		NeighborRecord &r = neighbor_tuples[i];
		int e = find_element(cs, &r.owner);
		if (e < 0)
		{
			report(cs, "error",
			       "neighbor tuple (%u,%u) belongs to (%u,%u), which is not an element",
			       ItemPointerGetBlockNumber(&r.tid), ItemPointerGetOffsetNumber(&r.tid),
			       ItemPointerGetBlockNumberNoCheck(&r.owner),
			       ItemPointerGetOffsetNumberNoCheck(&r.owner));
			continue;
		}
		CheckedElement &el = cs->elements[e];
		if (!ItemPointerEquals(&el.neighbors, &r.tid))
		{
			report(cs, "error",
			       "neighbor tuple (%u,%u) names element (%u,%u), which points elsewhere",
			       ItemPointerGetBlockNumber(&r.tid), ItemPointerGetOffsetNumber(&r.tid),
			       ItemPointerGetBlockNumber(&el.tid), ItemPointerGetOffsetNumber(&el.tid));
			continue;
		}
		if (r.level != el.level)
			report(cs, "error", "element (%u,%u) has level %d, its neighbor tuple level %d",
			       ItemPointerGetBlockNumber(&el.tid), ItemPointerGetOffsetNumber(&el.tid),
			       el.level, r.level);
		el.links_start = r.links_start;
	}
}

/* An element's value links: to other live-or-retired elements of its value, per linked column. */
void check_value_links(CheckState *cs, int e)
{
	int m = cs->m;
	const HnswMetaPageData &meta = cs->meta;
	const CheckedElement &el = cs->elements[e];
	unsigned blk = ItemPointerGetBlockNumber(&el.tid), off = ItemPointerGetOffsetNumber(&el.tid);
	for (int f = 0; f < cs->cols.nfilters; f++)
	{
		if (!HnswHasValueLinks(&cs->cols, f, m, meta.value_slots))
			continue;
		const ItemPointerData *links =
		    &cs->links[el.links_start + (el.level + 2) * m + cs->cols.value_slot[f] * 2 * m];
		for (int i = 0; i < 2 * m && ItemPointerIsValid(&links[i]); i++)
		{
			int t = find_element(cs, &links[i]);
			if (t < 0)
			{
				if (!el.deleted)
					report(cs, "error",
					       "element (%u,%u) has a value link to (%u,%u), which is not an element",
					       blk, off, ItemPointerGetBlockNumberNoCheck(&links[i]),
					       ItemPointerGetOffsetNumberNoCheck(&links[i]));
			}
			else if (!el.fhas[f] || !cs->elements[t].fhas[f] ||
			         cs->elements[t].fkey[f] != el.fkey[f])
				report(cs, "error",
				       "element (%u,%u) has a value link of column %d to an element of another "
				       "value",
				       blk, off, cs->cols.filter_column[f] + 1);
			else if (t == e)
				report(cs, "error", "element (%u,%u) has a value link to itself", blk, off);
		}
	}
}

/*
 * Pass 3: every element's links: no gap, no self link, no duplicate, only to elements
 * (a deleted element may keep links to freed ones) of at least the link's level;
 * value links stay within the element's partition value. Returns the highest level
 * of a live element.
 */
int check_links(CheckState *cs)
{
	int m = cs->m;
	int top_level = -1;
	for (int e = 0; e < cs->elements.size; e++)
	{
		CheckedElement &el = cs->elements[e];
		unsigned blk = ItemPointerGetBlockNumber(&el.tid),
		         off = ItemPointerGetOffsetNumber(&el.tid);
		if (!el.deleted)
			top_level = Max(top_level, el.level);
		if (el.links_start < 0)
		{
			report(cs, "error", "element (%u,%u) has no neighbor tuple", blk, off);
			continue;
		}
		for (int l = 0; l <= el.level; l++)
		{
			const ItemPointerData *links = &cs->links[el.links_start + HnswLevelStart(l, m)];
			int slots = HnswLevelSlots(l, m);
			bool gap = false;
			for (int i = 0; i < slots; i++)
			{
				if (!ItemPointerIsValid(&links[i]))
				{
					gap = true;
					continue;
				}
				if (gap)
					report(cs, "error", "element (%u,%u) level %d has a link after an empty slot",
					       blk, off, l);
				if (ItemPointerEquals((ItemPointer)&links[i], &el.tid))
					report(cs, "error", "element (%u,%u) links to itself on level %d", blk, off, l);
				for (int j = 0; j < i; j++)
					if (ItemPointerEquals((ItemPointer)&links[j], (ItemPointer)&links[i]))
						report(cs, "error", "element (%u,%u) has a duplicate link on level %d", blk,
						       off, l);
				int t = find_element(cs, &links[i]);
				if (t < 0)
				{
					if (!el.deleted)
						report(cs, "error",
						       "element (%u,%u) level %d links to (%u,%u), which is not an element",
						       blk, off, l, ItemPointerGetBlockNumberNoCheck(&links[i]),
						       ItemPointerGetOffsetNumberNoCheck(&links[i]));
				}
				else if (cs->elements[t].level < l)
					report(cs, "error", "element (%u,%u) level %d links to (%u,%u) of level %d",
					       blk, off, l, ItemPointerGetBlockNumber(&links[i]),
					       ItemPointerGetOffsetNumber(&links[i]), cs->elements[t].level);
			}
		}
		check_value_links(cs, e);
	}
	return top_level;
}

/* The entry point: an element on the highest level, live unless a VACUUM was cut short. */
int check_entry_point(CheckState *cs, int top_level)
{
	const HnswMetaPageData &meta = cs->meta;
	int64 deleted = cs->deleted;
	int entry = -1;
	if (ItemPointerIsValid(&meta.entry))
	{
		entry = find_element(cs, &meta.entry);
		if (entry < 0)
			report(cs, "error", "the entry point (%u,%u) is not an element",
			       ItemPointerGetBlockNumberNoCheck(&meta.entry),
			       ItemPointerGetOffsetNumberNoCheck(&meta.entry));
		else
		{
			if (cs->elements[entry].level != meta.entry_level)
				report(cs, "error", "the entry point has level %d, the metapage says %d",
				       cs->elements[entry].level, meta.entry_level);
			if (cs->elements[entry].deleted)
				report(cs, "warning", "the entry point is a deleted element");
			if (top_level > cs->elements[entry].level)
				report(cs, "error", "an element has level %d, above the entry point's %d",
				       top_level, cs->elements[entry].level);
		}
	}
	else if (cs->elements.size - deleted > 0)
		report(cs, "error", "the index has %d elements but no entry point",
		       (int)(cs->elements.size - deleted));

	return entry;
}

/* Reachability on level 0 from the entry point, through any element. */
void check_reachability(CheckState *cs, int entry)
{
	int m = cs->m;
	int64 deleted = cs->deleted;
	int64 unreachable = 0;
	if (entry >= 0 && cs->elements[entry].links_start >= 0)
	{
		PgVec<int> stack;
		stack.init(1024);
		cs->elements[entry].reached = true;
		stack.push(entry);
		while (stack.size > 0)
		{
			CheckedElement &el = cs->elements[stack.data[--stack.size]];
			if (el.links_start < 0)
				continue;
			for (int l = 0; l <= el.level; l++)
			{
				const ItemPointerData *links = &cs->links[el.links_start + HnswLevelStart(l, m)];
				for (int i = 0; i < HnswLevelSlots(l, m) && ItemPointerIsValid(&links[i]); i++)
				{
					int t = find_element(cs, &links[i]);
					if (t >= 0 && !cs->elements[t].reached)
					{
						cs->elements[t].reached = true;
						stack.push(t);
					}
				}
			}
		}
		for (int e = 0; e < cs->elements.size; e++)
			if (!cs->elements[e].deleted && !cs->elements[e].reached)
				unreachable++;
	}
	if (unreachable > 0)
		report(cs, "warning", "%lld of %lld elements cannot be reached from the entry point",
		       (long long)unreachable, (long long)(cs->elements.size - deleted));
}

/*
 * Within each value of filter f (with value links): what a search restricted to it can
 * reach from the value's entry, through f's value links and level-0 links that stay in
 * the value.
 */
void check_value_reachability(CheckState *cs, int f)
{
	int m = cs->m;
	PgVec<HnswDirEntryData> &directory = cs->directory;
	int64 stranded = 0;
	PgVec<int> stack;
	stack.init(256);
	for (int e = 0; e < cs->elements.size; e++)
		cs->elements[e].reached = false;
	for (int d = 0; d < directory.size; d++)
	{
		/* No entry yet (an insert stopped before offering seeds): walks start from the head. */
		const ItemPointerData *from =
		    ItemPointerIsValid(&directory[d].entry) ? &directory[d].entry : &directory[d].head;
		int start = find_element(cs, from);
		if (start < 0 || directory[d].count == 0 || !cs->elements[start].fhas[f] ||
		    cs->elements[start].fkey[f] != directory[d].key)
			continue;
		int64 key = directory[d].key;
		cs->elements[start].reached = true;
		stack.clear();
		stack.push(start);
		while (stack.size > 0)
		{
			CheckedElement &el = cs->elements[stack.data[--stack.size]];
			if (el.links_start < 0)
				continue;
			const ItemPointerData *level0 = &cs->links[el.links_start];
			const ItemPointerData *values =
			    &cs->links[el.links_start + (el.level + 2) * m + cs->cols.value_slot[f] * 2 * m];
			for (int i = 0; i < 4 * m; i++)
			{
				const ItemPointerData *t = i < 2 * m ? &level0[i] : &values[i - 2 * m];
				if (!ItemPointerIsValid(t))
					continue;
				int x = find_element(cs, t);
				if (x >= 0 && !cs->elements[x].reached && cs->elements[x].fhas[f] &&
				    cs->elements[x].fkey[f] == key)
				{
					cs->elements[x].reached = true;
					stack.push(x);
				}
			}
		}
	}
	for (int e = 0; e < cs->elements.size; e++)
		if (!cs->elements[e].deleted && cs->elements[e].fhas[f] && !cs->elements[e].reached)
			stranded++;
	if (stranded > 0 && f == cs->cols.partition)
		report(cs, "warning",
		       "%lld elements cannot be reached from their partition value's entry by a search "
		       "within the value",
		       (long long)stranded);
	else if (stranded > 0)
		report(cs, "warning",
		       "%lld elements cannot be reached from their value's entry in column %d by a "
		       "search within the value",
		       (long long)stranded, cs->cols.filter_column[f] + 1);
}

/*
 * One entry of filter f's directory: its count and its chain, and for a column with
 * value links (the partition column's directory before version 4) its search entry and
 * seeds.
 */
void check_directory_entry(CheckState *cs, int f, HnswDirEntryData de)
{
	bool partition = f == cs->cols.partition;
	bool linked = HnswHasValueLinks(&cs->cols, f, cs->m, cs->meta.value_slots);
	int64 live = 0;
	for (int e = 0; e < cs->elements.size; e++)
		if (!cs->elements[e].deleted && cs->elements[e].fhas[f] &&
		    cs->elements[e].fkey[f] == de.key)
			live++;
	if (!partition && ItemPointerIsValid(&de.head))
	{
		int h = find_element(cs, &de.head);
		if (h < 0 || !cs->elements[h].fhas[f] || cs->elements[h].fkey[f] != de.key)
		{
			/* An insert stopped between its two records: readers go back to prev_head. */
			report(cs, "info",
			       "the head of value key %lld in column %d's chain names no element of it: "
			       "an interrupted insert, read past",
			       (long long)de.key, cs->cols.filter_column[f] + 1);
			de.head = de.prev_head;
			de.count = de.count > 0 ? de.count - 1 : 0;
		}
	}
	if (live != (int64)de.count)
		report(cs, "error", "directory counts %u elements of value key %lld, the index has %lld",
		       de.count, (long long)de.key, (long long)live);
	int64 walked = 0, steps = 0;
	for (ItemPointerData t = de.head; ItemPointerIsValid(&t) && steps <= cs->elements.size; steps++)
	{
		int e = find_element(cs, &t);
		if (e < 0)
		{
			report(cs, "error",
			       "the chain of value key %lld reaches (%u,%u), which is not an element",
			       (long long)de.key, ItemPointerGetBlockNumberNoCheck(&t),
			       ItemPointerGetOffsetNumberNoCheck(&t));
			break;
		}
		CheckedElement &el = cs->elements[e];
		if (!el.fhas[f] || el.fkey[f] != de.key)
		{
			report(cs, "error", "the chain of value key %lld reaches an element of another value",
			       (long long)de.key);
			break;
		}
		if (el.chained)
		{
			report(cs, "error", "the chain of value key %lld has a cycle", (long long)de.key);
			break;
		}
		el.chained = true;
		walked += !el.deleted;
		t = el.fnext[f];
	}
	if (walked != live)
		report(cs, "error", "the chain of value key %lld reaches %lld of its %lld elements",
		       (long long)de.key, (long long)walked, (long long)live);
	if (!linked)
		return;
	if (!partition && de.count > 0 && de.nseeds == 0)
	{
		/* Seeds come in a record after the element's (hnsw_directory.h): a crash between. */
		report(cs, "info",
		       "value key %lld in column %d has no seeds: an interrupted insert, the value's "
		       "next insert offers its own",
		       (long long)de.key, cs->cols.filter_column[f] + 1);
		return;
	}
	int entry = find_element(cs, &de.entry);
	if (de.count > 0 && (entry < 0 || cs->elements[entry].deleted || !cs->elements[entry].fhas[f] ||
	                     cs->elements[entry].fkey[f] != de.key))
		report(cs, "error", "the search entry of value key %lld is not one of its elements",
		       (long long)de.key);
	if (de.nseeds > HNSW_DIR_SEEDS || (de.count > 0 && de.nseeds == 0))
		report(cs, "error", "value key %lld has %u seeds", (long long)de.key, de.nseeds);
	for (int i = 0; i < Min((int)de.nseeds, HNSW_DIR_SEEDS); i++)
	{
		int seed = find_element(cs, &de.seeds[i]);
		if (seed < 0 || cs->elements[seed].deleted || !cs->elements[seed].fhas[f] ||
		    cs->elements[seed].fkey[f] != de.key)
			report(cs, "error", "a seed of value key %lld is not one of its elements",
			       (long long)de.key);
	}
}

/* Reads a directory's entries into cs->directory, bucket by bucket. */
void collect_directory(Relation index, CheckState *cs, HnswDirRef dir)
{
	cs->directory.clear();
	for (uint32 b = 0; b < dir.pages; b++)
	{
		int64 pages = 0;
		for (BlockNumber blk = dir.start + b; blk != InvalidBlockNumber && pages++ <= cs->nblocks;)
		{
			if (blk >= cs->nblocks)
			{
				report(cs, "error", "a directory bucket leads to block %u, past the end", blk);
				break;
			}
			Buffer buf = ReadBuffer(index, blk);
			LockBuffer(buf, BUFFER_LOCK_SHARE);
			Page page = BufferGetPage(buf);
			BlockNumber next = InvalidBlockNumber;
			if (PageIsNew(page) || !(HnswPageGetOpaque(page)->flags & HNSW_PAGE_DIRECTORY))
				report(cs, "error", "directory block %u is not a directory page", blk);
			else
			{
				collect_directory_page(cs, page, blk);
				next = HnswPageGetOpaque(page)->nextblkno;
			}
			UnlockReleaseBuffer(buf);
			blk = next;
		}
	}
}

/*
 * Every directory: every value's count and chain (and in the partition directory
 * its entry and seeds); every live element with a value is on its value's chain;
 * and what a search restricted to a partition value can reach from its entry.
 */
void check_directories(Relation index, CheckState *cs)
{
	const HnswMetaPageData &meta = cs->meta;
	for (int f = 0; f < cs->cols.nfilters; f++)
	{
		if (cs->cols.kind[f] == HNSW_FILTER_JSONB)
			continue;
		bool partition = f == cs->cols.partition;
		HnswDirRef dir = HnswDirOf(&meta, &cs->cols, f);
		if (dir.pages == 0)
		{
			if (partition || HnswFilterIsChained(meta.version, &cs->cols, f))
				report(cs, "error", "column %d of the index has no directory",
				       cs->cols.filter_column[f] + 1);
			continue;
		}
		collect_directory(index, cs, dir);
		for (int e = 0; e < cs->elements.size; e++)
			cs->elements[e].chained = false;
		for (int d = 0; d < cs->directory.size; d++)
			check_directory_entry(cs, f, cs->directory[d]);
		for (int e = 0; e < cs->elements.size; e++)
			if (!cs->elements[e].deleted && cs->elements[e].fhas[f] && !cs->elements[e].chained)
			{
				report(cs, "error", "element (%u,%u) is in no chain of column %d",
				       ItemPointerGetBlockNumber(&cs->elements[e].tid),
				       ItemPointerGetOffsetNumber(&cs->elements[e].tid),
				       cs->cols.filter_column[f] + 1);
				break;
			}
		if (HnswHasValueLinks(&cs->cols, f, cs->m, meta.value_slots))
			check_value_reachability(cs, f);
		if (partition)
			report(cs, "info", "%d partition values in %u directory buckets", cs->directory.size,
			       dir.pages);
		else
			report(cs, "info", "%d values of column %d in %u directory buckets", cs->directory.size,
			       cs->cols.filter_column[f] + 1, dir.pages);
	}
}

void check_index(Relation index, CheckState *cs)
{
	cs->nblocks = RelationGetNumberOfBlocks(index);
	cs->neighbor_tuples.init(1024);
	cs->directory.init(64);
	HnswInitColumns(&cs->cols, index);
	cs->heap_tuples = 0;
	cs->deleted = 0;

	if (!check_metapage(index, cs))
		return;
	collect_pages(index, cs);
	pair_neighbor_tuples(cs);
	int top_level = check_links(cs);
	int entry = check_entry_point(cs, top_level);
	check_reachability(cs, entry);
	if (cs->cols.partition >= 0)
		check_directories(index, cs);

	const HnswMetaPageData &meta = cs->meta;
	report(cs, "info",
	       "%d elements (%lld deleted), %lld heap tuples, %u pages, entry level %d, m %d, %u "
	       "dimensions",
	       cs->elements.size, (long long)cs->deleted, (long long)cs->heap_tuples, cs->nblocks,
	       meta.entry_level, cs->m, cs->dimensions);
	if (cs->errors > 100)
		report(cs, "info", "%d errors in all; the first 100 are listed", cs->errors);
}

} // namespace

VECRBAC_FUNCTION(vecrbac_hnsw_check)
{
	Oid index_oid = PG_GETARG_OID(0);

	InitMaterializedSRF(fcinfo, 0);
	ReturnSetInfo *rsinfo = (ReturnSetInfo *)fcinfo->resultinfo;

	/*
	 * Lock the table first, as every other index operation does, then the index.
	 * SHARE holds off every writer on a primary. On a standby only WAL replay
	 * changes the index and no lock holds it off (recovery allows no lock above
	 * ROW EXCLUSIVE): the check runs only while replay is paused.
	 */
	bool standby = RecoveryInProgress();
	LOCKMODE heap_lock = standby ? AccessShareLock : ShareLock;
	if (standby && GetRecoveryPauseState() != RECOVERY_PAUSED)
		ereport(
		    ERROR,
		    (errcode(ERRCODE_OBJECT_NOT_IN_PREREQUISITE_STATE),
		     errmsg("cannot check an hnsw index on a standby while WAL replay runs"),
		     errhint("Pause replay with pg_wal_replay_pause(), wait until "
		             "pg_get_wal_replay_pause_state() "
		             "returns 'paused', and resume it with pg_wal_replay_resume() afterwards.")));
	Oid heap_oid = IndexGetRelation(index_oid, true);
	if (!OidIsValid(heap_oid))
		ereport(ERROR, (errcode(ERRCODE_WRONG_OBJECT_TYPE),
		                errmsg("\"%s\" is not an index",
		                       get_rel_name(index_oid) ? get_rel_name(index_oid) : "?")));
	Relation heap = table_open(heap_oid, heap_lock);
	Relation index = index_open(index_oid, AccessShareLock);
	if (index->rd_rel->relam != get_index_am_oid("hnsw", false))
		ereport(ERROR, (errcode(ERRCODE_WRONG_OBJECT_TYPE),
		                errmsg("\"%s\" is not an hnsw index", RelationGetRelationName(index))));
	if (RELATION_IS_OTHER_TEMP(index))
		ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
		                errmsg("cannot check temporary indexes of other sessions")));

	CheckState cs;
	memset(&cs, 0, sizeof(cs));
	cs.store = rsinfo->setResult;
	cs.desc = rsinfo->setDesc;
	cs.elements.init(1024);
	cs.links.init(4096);
	cs.keys.init(1024);
	check_index(index, &cs);
	if (standby && GetRecoveryPauseState() != RECOVERY_PAUSED)
		report(&cs, "warning",
		       "WAL replay was resumed during the check: a problem reported above may be a change "
		       "replayed meanwhile");

	index_close(index, AccessShareLock);
	table_close(heap, heap_lock);
	return (Datum)0;
}

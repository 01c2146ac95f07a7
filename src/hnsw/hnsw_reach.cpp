/*
 * hnsw_reach.cpp: VACUUM's reachability repair: links back the live elements that no
 * search from the entry point reaches on level 0.
 *
 * Inserts prune a full neighbor's list with the heuristic, and VACUUM's link repair
 * rewrites lists that pointed at deleted elements; either can drop an element's last
 * incoming link. Such an element stays in the index but no search returns it, until a
 * rebuild. The build repairs its in-memory graph (hnsw_memgraph.cpp); this is the same
 * repair for the graph on disk, run by every VACUUM that cleans up the index:
 *
 * Layout: a pass over the data pages sizes a map of one byte per line pointer (live
 *   element, reached, and the count of level-0 links from reached elements to it).
 * Mark: a depth-first walk of level-0 links from the entry point marks what it reaches
 *   (walking through deleted elements, as searches do) and counts incoming links.
 * Link: each live element left unmarked gets an incoming link from the nearest reached
 *   element that takes one: first among its own level-0 neighbors, else among what an
 *   insert's search for it finds. A list with a free slot takes the link; a full one,
 *   under a metric or cosine, gives up the slot of its farthest link, handed to the
 *   element linked back (or, without room there, a link whose element keeps another
 *   incoming link from a reached element, as the build's repair does).
 *   Inner product: the nearest elements are those of large norm, whose lists are full
 *   and are the ways every search takes; VACUUM's link repair fills the lists it
 *   rewrites too. So a free slot is looked for further, nearest first: in what the
 *   lists of the 8 nearest candidates lead to, then in a sample of 32 of the reached
 *   elements whose lists have room (noted by the walk; the elements linked back join
 *   them). Before that, an unreached element with a full list gives up its link to the
 *   reached element with the most incoming links (no search reaches it yet, so its
 *   list matters to none): once linked back it has room for the next, and the elements
 *   linked back form chains. Only when nothing has room does a list give up a link:
 *   the farthest candidate's list first, at most one per list and round, the link
 *   whose element keeps the most other incoming links, handed over as above.
 *   Measured on 10,000 vectors after deleting half (docs/hnsw.md): free slots among
 *   the nearest only left 1,600 of 5,000 (8-d, m = 4) and 4,300 (3-d, m = 16)
 *   unreachable; displacing without limit at the nearest lists reached them all but
 *   cost up to 0.35 of recall@10 at ef_search 10, one per list 0.02, and keeping free
 *   slots in the lists VACUUM rewrites 0.02; this reaches all without a measurable loss.
 *   What the new link reaches is marked at once.
 * Values (each column with value links, one after the other): the same within each of
 *   its values, as a search scoped to it walks (the column's value links, and level-0
 *   links that stay in the value, from the column's directory entry for the value;
 *   hnsw_check's second warning); what it
 *   misses gets a value link from the nearest marked element of its value among its
 *   own links and what a search within the value from the directory's seeds finds. A
 *   second byte per line pointer flags the elements with a value and holds 6 bits of a
 *   hash of it, so that the walk reads the value only of elements likely to share it.
 * A displaced level-0 link handed over keeps what it reached, but an element displaced
 *   without a hand-over (x had no free slot) may lose its way in, so the whole repeats
 *   (at most kRounds) while a round displaced links.
 *
 * Memory: the map takes a byte per line pointer (an element and its neighbor tuple: 2
 * bytes per element; 4 with a partition column) and 4 bytes per page; the walk's stack
 * at most 8 bytes per element; under inner product the list of elements with room at
 * most 6 more. So at most about 18 MB per million elements, whatever the vectors' size.
 *
 * Concurrency: inserts and scans run meanwhile; no other VACUUM does, and only VACUUM
 * frees elements, so element TIDs stay put. Each link written is one GenericXLog record
 * (crash-safe: a list is always whole) under the page's exclusive lock, and only if the
 * list did not change since it was read (else read again), as VACUUM's link repair
 * and inserts' backlinks do. Elements inserted meanwhile are not in the map: they are
 * neither walked nor repaired (their insert linked them).
 */
#include "hnsw/hnsw_reach.h"

#include "hnsw/hnsw_directory.h"
#include "hnsw/hnsw_disk.h"
#include "hnsw/hnsw_filter.h"
#include "pg/wait_point.h"

extern "C"
{
#include "commands/vacuum.h"
#include "miscadmin.h"
#include "portability/instr_time.h"
#include "storage/bufmgr.h"
#include "utils/memutils.h"
#include "utils/rel.h"
}

#include <algorithm>
#include <cmath>
#include <cstring>

using vecrbac::pg::PgVec;

namespace
{

constexpr int kRounds = 3;
constexpr int kSecondHopFrom = 8; /* inner product: candidates whose lists are candidates too */
constexpr int kRoomySample = 32;  /* inner product: lists with room tried when none near has */

/* A line pointer's byte in the map. */
constexpr uint8 kLive = 1 << 0;    /* a live (not deleted) element at layout time */
constexpr uint8 kReached = 1 << 1; /* marked from the entry point */
constexpr int kIndegreeShift = 2;  /* level-0 links from reached elements, saturating */
constexpr uint8 kIndegreeMax = 63;

/* A line pointer's byte in the value map (indexes with a partition column). */
constexpr uint8 kHasKey = 1 << 0;       /* a live element with a partition value */
constexpr uint8 kValueReached = 1 << 1; /* marked from its value's entry */
constexpr int kKeyHashShift = 2;        /* 6 bits of a hash of the value, to skip others */

inline uint8 key_hash(int64 key)
{
	return (uint8)(((uint64)key * UINT64CONST(0x9E3779B97F4A7C15)) >> 58);
}

inline bool same_hash(uint8 b, int64 key)
{
	return (b >> kKeyHashShift) == key_hash(key);
}

inline int indegree(uint8 b)
{
	return b >> kIndegreeShift;
}

inline void add_indegree(uint8 *b, int delta)
{
	int n = indegree(*b);
	if (n == kIndegreeMax)
		return; /* saturated: many enough, never counted down */
	n = Max(0, Min((int)kIndegreeMax, n + delta));
	*b = (uint8)((*b & ((1 << kIndegreeShift) - 1)) | (n << kIndegreeShift));
}

struct ReachState
{
	Relation index;
	bool building; /* at the end of a build: pages are logged whole afterwards, not link by link */
	const HnswDistance *dist;
	HnswMetaPageData meta;
	int m;
	BlockNumber nblocks;
	uint32 *first; /* per block: its first line pointer's byte in bytes; [nblocks] = total */
	PgVec<uint8> bytes;
	HnswColumns cols;
	int vf;                      /* the column whose value links are being repaired */
	PgVec<uint8> vbytes;         /* its value map, parallel to bytes */
	PgVec<HnswDirEntryData> dir; /* its directory's entries */
	PgVec<uint64> stack;
	HnswTidSet displaced_at;      /* inner product: lists that gave up a link in this round */
	PgVec<ItemPointerData> roomy; /* inner product: reached elements whose list had room */
	int roomy_next;               /* where the next sample of roomy starts */
	HnswSearchScratch scratch;
	MemoryContext tmp; /* reset after each element linked */
	HnswReachStats *stats;
	uint64 unreached;       /* this round: live elements found unmarked */
	uint64 linked;          /* this round: of them, linked back */
	uint64 displaced;       /* this round: links given up */
	uint64 value_unreached; /* this round: elements a search within their value misses */
	uint64 value_linked;    /* this round: of them, linked back by a value link */

	/* The element's byte, or NULL when the map does not know the TID. */
	uint8 *at(const ItemPointerData *tid)
	{
		BlockNumber blk = ItemPointerGetBlockNumberNoCheck(tid);
		OffsetNumber off = ItemPointerGetOffsetNumberNoCheck(tid);
		if (blk >= nblocks || off < FirstOffsetNumber || first[blk] + off - 1 >= first[blk + 1])
			return NULL;
		return &bytes.data[first[blk] + off - 1];
	}
	/* The element's byte in the value map, or NULL. */
	uint8 *vat(const ItemPointerData *tid)
	{
		uint8 *b = at(tid);
		return b == NULL ? NULL : &vbytes.data[b - bytes.data];
	}
};

/* The map of every data page's line pointers, live elements flagged. */
void lay_out(ReachState *rs)
{
	BufferAccessStrategy strategy = GetAccessStrategy(BAS_BULKREAD);
	rs->nblocks = RelationGetNumberOfBlocks(rs->index);
	rs->first = (uint32 *)palloc(sizeof(uint32) * (rs->nblocks + 1));
	rs->bytes.init(1024);
	for (BlockNumber blk = 0; blk < rs->nblocks; blk++)
	{
		rs->first[blk] = (uint32)rs->bytes.size;
		if (blk == HNSW_METAPAGE_BLKNO)
			continue;
		vacuum_delay_point();
		Buffer buf = ReadBufferExtended(rs->index, MAIN_FORKNUM, blk, RBM_NORMAL, strategy);
		LockBuffer(buf, BUFFER_LOCK_SHARE);
		Page page = BufferGetPage(buf);
		if (HnswIsDataPage(page))
		{
			OffsetNumber max = PageGetMaxOffsetNumber(page);
			rs->bytes.reserve(rs->bytes.size + max);
			for (OffsetNumber off = FirstOffsetNumber; off <= max; off++)
			{
				HnswElementTuple etup = HnswElementAt(page, off);
				bool live = etup != NULL && !(etup->flags & HNSW_ELEMENT_DELETED);
				rs->bytes.push(live ? kLive : 0);
				rs->stats->elements += live;
			}
		}
		UnlockReleaseBuffer(buf);
	}
	rs->first[rs->nblocks] = (uint32)rs->bytes.size;
	FreeAccessStrategy(strategy);
}

/*
 * The value map of column f, parallel to the map of line pointers (elements laid out
 * after it are left out: their inserts linked them), and f's directory entries.
 */
void lay_out_values(ReachState *rs, int f)
{
	rs->vf = f;
	rs->vbytes.init(rs->bytes.size + 1);
	rs->vbytes.size = rs->bytes.size;
	memset(rs->vbytes.data, 0, rs->bytes.size);
	rs->dir.init(64);
	BufferAccessStrategy strategy = GetAccessStrategy(BAS_BULKREAD);
	for (BlockNumber blk = HNSW_METAPAGE_BLKNO + 1; blk < rs->nblocks; blk++)
	{
		if (rs->first[blk] == rs->first[blk + 1])
			continue;
		vacuum_delay_point();
		Buffer buf = ReadBufferExtended(rs->index, MAIN_FORKNUM, blk, RBM_NORMAL, strategy);
		LockBuffer(buf, BUFFER_LOCK_SHARE);
		Page page = BufferGetPage(buf);
		OffsetNumber max = HnswIsDataPage(page) ? PageGetMaxOffsetNumber(page) : 0;
		for (OffsetNumber off = FirstOffsetNumber;
		     off <= max && rs->first[blk] + off - 1 < rs->first[blk + 1]; off++)
		{
			HnswElementTuple etup = HnswElementAt(page, off);
			int64 key;
			if (etup != NULL && !(etup->flags & HNSW_ELEMENT_DELETED) &&
			    HnswFilterKey(&rs->cols, HnswElementFilters(etup), f, &key))
				rs->vbytes.data[rs->first[blk] + off - 1] =
				    (uint8)(kHasKey | (key_hash(key) << kKeyHashShift));
		}
		UnlockReleaseBuffer(buf);
	}
	FreeAccessStrategy(strategy);

	/* The directory: its buckets and their chains of overflow pages. */
	HnswDirRef dir = HnswDirOf(&rs->meta, &rs->cols, f);
	for (uint32 b = 0; b < dir.pages; b++)
	{
		/* A bucket's chain is at most every page long: a damaged one is cut short, never looped. */
		BlockNumber pages = 0;
		for (BlockNumber blk = dir.start + b; blk < rs->nblocks && pages++ < rs->nblocks;)
		{
			Buffer buf = ReadBuffer(rs->index, blk);
			LockBuffer(buf, BUFFER_LOCK_SHARE);
			Page page = BufferGetPage(buf);
			if (PageIsNew(page) || !(HnswPageGetOpaque(page)->flags & HNSW_PAGE_DIRECTORY))
			{
				UnlockReleaseBuffer(buf);
				break;
			}
			OffsetNumber max = PageGetMaxOffsetNumber(page);
			for (OffsetNumber off = FirstOffsetNumber; off <= max; off++)
			{
				ItemId iid = PageGetItemId(page, off);
				if (ItemIdHasStorage(iid) && ItemIdGetLength(iid) == sizeof(HnswDirEntryData))
					rs->dir.push(*(HnswDirEntry)PageGetItem(page, iid));
			}
			blk = HnswPageGetOpaque(page)->nextblkno;
			UnlockReleaseBuffer(buf);
		}
	}
}

/*
 * Marks what a walk of level-0 links reaches from start, counting the links it follows
 * into each element's indegree.
 */
void mark_from(ReachState *rs, const ItemPointerData *start)
{
	uint8 *sb = rs->at(start);
	if (sb == NULL || (*sb & kReached))
		return;
	*sb |= kReached;
	ItemPointerData *links = rs->scratch.links;
	rs->stack.clear();
	rs->stack.push(HnswTidKey(start));
	uint64 steps = 0;
	while (rs->stack.size > 0)
	{
		uint64 key = rs->stack.data[--rs->stack.size];
		ItemPointerData tid;
		ItemPointerSet(&tid, (BlockNumber)(key >> 16), (OffsetNumber)(key & 0xFFFF));
		if (++steps % 1024 == 0)
			vacuum_delay_point();
		HnswElementInfo info;
		if (!HnswReadElement(rs->index, rs->dist, NULL, &tid, &info, NULL))
			continue;
		int n = HnswReadLinks(rs->index, &info.neighbors, 0, rs->m, links);
		if (n >= 0 && n < HnswLevelSlots(0, rs->m) && !info.deleted &&
		    !HnswOrdersAsMetric(rs->dist))
			rs->roomy.push(tid);
		for (int i = 0; i < n; i++)
		{
			uint8 *b = rs->at(&links[i]);
			if (b == NULL)
				continue; /* inserted after the layout: its insert linked it */
			add_indegree(b, 1);
			if (!(*b & kReached))
			{
				*b |= kReached;
				rs->stack.push(HnswTidKey(&links[i]));
			}
		}
	}
}

/* Where the links of `level` (0 or a value level) are in a neighbor tuple. */
void link_range(const ReachState *rs, HnswNeighborTuple ntup, int level, int *start, int *slots)
{
	HnswLinkRange(ntup->level, level, rs->m,
	              Max(HnswNeighborSlots(ntup, rs->m) - (ntup->level + 2) * rs->m, 0), start, slots);
}

/* How many links of `level` a list of an element holds at most. */
int level_slots(const ReachState *rs, int level)
{
	return HnswIsValueLevel(level) ? 2 * rs->m : HnswLevelSlots(level, rs->m);
}

/*
 * Appends target to the links of `level` of the neighbor tuple at ntid if it has a free
 * slot, whatever else changed meanwhile; whether target is among them now.
 */
bool append_link(ReachState *rs, const ItemPointerData *ntid, const ItemPointerData *target,
                 int level)
{
	Buffer buf = ReadBuffer(rs->index, ItemPointerGetBlockNumber(ntid));
	LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
	HnswNeighborTuple ntup =
	    HnswNeighborAt(BufferGetPage(buf), ItemPointerGetOffsetNumber(ntid), rs->m);
	bool there = false;
	int start = 0, slots = 0;
	if (ntup != NULL)
		link_range(rs, ntup, level, &start, &slots);
	if (ntup != NULL && slots == level_slots(rs, level))
	{
		const ItemPointerData *links = HnswNeighborLinks(ntup) + start;
		int now = 0;
		while (now < slots && ItemPointerIsValid(&links[now]))
			there |= ItemPointerEquals((ItemPointer)&links[now++], (ItemPointer)target);
		if (!there && now < slots)
		{
			HnswEdit edit;
			HnswEditStart(&edit, rs->index, rs->building);
			ntup = HnswNeighborAt(HnswEditPage(&edit, buf, false), ItemPointerGetOffsetNumber(ntid),
			                      rs->m);
			HnswNeighborLinks(ntup)[start + now] = *target;
			HnswEditFinish(&edit);
			there = true;
		}
	}
	UnlockReleaseBuffer(buf);
	return there;
}

/* A reached element that may take a link to the one being repaired. */
struct LinkCandidate
{
	float distance; /* to the element being repaired */
	ItemPointerData element;
	ItemPointerData neighbors;
};

/* The element being repaired. */
struct Orphan
{
	ItemPointerData element;
	ItemPointerData neighbors;
	const HnswValue *vector;
};

/*
 * Gives x an incoming level-0 link from `from`: a free slot; or, when `displace`, the
 * slot of one of from's links, handed to x: x links to the element displaced (a free
 * slot of x's: an insert gave x m links of 2m), so whatever from reached through it, it
 * reaches through x. Under a metric (and cosine) the farthest link goes; when x has no
 * free slot, only a link to an element with another incoming link from a reached
 * element may go, as in the build's repair. Under inner product "farthest" says nothing
 * about what a search needs, so the link that goes is the one whose element keeps the
 * most other incoming links from reached elements (at least one), and a list gives up
 * at most one link per round: the lists of elements of large norm, which every search
 * passes through, keep their ways. From's list is rewritten only if it did not change
 * since it was read.
 */
bool link_into(ReachState *rs, const LinkCandidate *from, const Orphan *x, bool displace,
               int level = 0)
{
	int m = rs->m;
	int slots = level_slots(rs, level);
	ItemPointerData *cur = (ItemPointerData *)palloc(sizeof(ItemPointerData) * slots);
	ItemPointerData *own = (ItemPointerData *)palloc(sizeof(ItemPointerData) * slots);
	HnswValue *from_vector = NULL;

	for (int attempt = 0; attempt < 3; attempt++)
	{
		ItemPointerData ntid = from->neighbors;
		int count = HnswReadLinks(rs->index, &ntid, level, m, cur);
		if (count < 0)
			return false;
		for (int i = 0; i < count; i++)
			if (ItemPointerEquals(&cur[i], (ItemPointer)&x->element))
				return true; /* an insert linked it meanwhile */
		if (count < slots)
		{
			if (append_link(rs, &from->neighbors, &x->element, level))
			{
				uint8 *xb = rs->at(&x->element);
				if (xb != NULL && level == 0)
					add_indegree(xb, 1);
				return true;
			}
			continue; /* filled meanwhile */
		}
		if (!displace)
			return false;
		bool by_distance = HnswOrdersAsMetric(rs->dist);
		if (!by_distance && level == 0 &&
		    HnswTidSetFind(&rs->displaced_at, HnswTidKey(&from->element)) != NULL)
			return false; /* one link per list and round */

		ItemPointerData xn = x->neighbors;
		int nown = HnswReadLinks(rs->index, &xn, level, m, own);
		bool x_has_room = nown >= 0 && nown < slots;
		if (from_vector == NULL)
		{
			HnswElementInfo info;
			ItemPointerData etid = from->element;
			from_vector = HnswReadElementValue(rs->index, rs->dist, NULL, &etid, &info);
			if (from_vector == NULL)
				return false;
		}
		int victim = -1;
		int most = 0;
		float worst = -INFINITY;
		for (int i = 0; i < count; i++)
		{
			uint8 *b = rs->at(&cur[i]);
			/* (Value links: only with a hand-over; their incoming links are not counted.) */
			bool spare = level == 0 && b != NULL && indegree(*b) >= 2;
			HnswElementInfo info;
			if ((!spare && !(x_has_room && by_distance)) ||
			    !HnswReadElement(rs->index, rs->dist, from_vector, &cur[i], &info, NULL))
				continue;
			/* Inner product: the link whose element keeps the most other ways in. */
			int in = by_distance ? 0 : indegree(*b);
			if (in > most || (in == most && info.distance > worst))
			{
				most = in;
				worst = info.distance;
				victim = i;
			}
		}
		if (victim < 0)
			return false;
		/* The hand-over first: a crash or a changed list leaves only an extra link. */
		if (x_has_room && !append_link(rs, &x->neighbors, &cur[victim], level))
		{
			uint8 *b = rs->at(&cur[victim]);
			if (level != 0 || b == NULL || indegree(*b) < 2)
				return false;
		}

		Buffer buf = ReadBuffer(rs->index, ItemPointerGetBlockNumber(&ntid));
		LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
		HnswNeighborTuple ntup =
		    HnswNeighborAt(BufferGetPage(buf), ItemPointerGetOffsetNumber(&ntid), m);
		if (ntup == NULL)
		{
			UnlockReleaseBuffer(buf);
			return false;
		}
		int start, have;
		link_range(rs, ntup, level, &start, &have);
		const ItemPointerData *links = HnswNeighborLinks(ntup) + start;
		int now = 0;
		while (now < have && ItemPointerIsValid(&links[now]))
			now++;
		if (have == slots && now == count &&
		    memcmp(links, cur, sizeof(ItemPointerData) * count) == 0)
		{
			HnswEdit edit;
			HnswEditStart(&edit, rs->index, rs->building);
			ntup = HnswNeighborAt(HnswEditPage(&edit, buf, false),
			                      ItemPointerGetOffsetNumber(&ntid), m);
			HnswNeighborLinks(ntup)[start + victim] = x->element;
			HnswEditFinish(&edit);
			UnlockReleaseBuffer(buf);
			uint8 *vb = rs->at(&cur[victim]);
			if (vb != NULL && level == 0)
				add_indegree(vb, -1);
			uint8 *xb = rs->at(&x->element);
			if (xb != NULL && level == 0)
				add_indegree(xb, 1);
			rs->displaced++;
			if (!by_distance && level == 0)
			{
				bool added;
				HnswTidSetAdd(&rs->displaced_at, HnswTidKey(&from->element), &added);
			}
			return true;
		}
		UnlockReleaseBuffer(buf); /* an insert changed the list: read it again */
	}
	return false;
}

/*
 * Inner product: the nearest candidates are elements of large norm whose lists are full;
 * the reached elements their lists lead to (among them the elements linked back before
 * x, whose lists have room) are candidates too, after them, nearest first.
 */
void add_second_hop(ReachState *rs, const Orphan *x, PgVec<LinkCandidate> *cands, HnswTidSet *seen)
{
	int first = cands->size;
	int hubs = Min(cands->size, kSecondHopFrom);
	ItemPointerData links[2 * HNSW_MAX_M];
	for (int h = 0; h < hubs; h++)
	{
		ItemPointerData ntid = cands->data[h].neighbors;
		int n = HnswReadLinks(rs->index, &ntid, 0, rs->m, links);
		for (int i = 0; i < n; i++)
		{
			uint8 *b = rs->at(&links[i]);
			bool added;
			HnswElementInfo info;
			if (b == NULL || !(*b & kReached))
				continue;
			HnswTidSetAdd(seen, HnswTidKey(&links[i]), &added);
			if (!added ||
			    !HnswReadElement(rs->index, rs->dist, x->vector, &links[i], &info, NULL) ||
			    info.deleted)
				continue;
			cands->push({info.distance, links[i], info.neighbors});
		}
	}
	std::sort(cands->data + first, cands->data + cands->size, HnswCloserFirst());
}

/*
 * Inner product: frees a slot of x's own level-0 list when it is full, so that x can
 * take over a displaced link and, once linked back, take a link to the next element
 * linked back (VACUUM's link repair fills the lists it rewrites). No search reaches x
 * on level 0 yet, so its list matters little (a search starts its level-0 walk at x
 * only if x, on upper levels, is nearer the query than its neighbors there, and it
 * keeps 2m - 1 links): the link that goes is the one to the reached element with the
 * most incoming links from reached elements. (Sparing elements of upper levels this
 * left 760 links displaced instead, of 4,326 linked back.) Only if the list did not
 * change since it was read; one WAL record.
 */
void make_room(ReachState *rs, const Orphan *x)
{
	int slots = HnswLevelSlots(0, rs->m);
	ItemPointerData cur[2 * HNSW_MAX_M];
	ItemPointerData ntid = x->neighbors;
	int count = HnswReadLinks(rs->index, &ntid, 0, rs->m, cur);
	if (count < slots)
		return;
	int victim = -1, most = 0;
	for (int i = 0; i < count; i++)
	{
		uint8 *b = rs->at(&cur[i]);
		if (b != NULL && (*b & kReached) && indegree(*b) > most)
		{
			most = indegree(*b);
			victim = i;
		}
	}
	if (victim < 0)
		return;
	Buffer buf = ReadBuffer(rs->index, ItemPointerGetBlockNumber(&ntid));
	LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
	HnswNeighborTuple ntup =
	    HnswNeighborAt(BufferGetPage(buf), ItemPointerGetOffsetNumber(&ntid), rs->m);
	int start = 0, have = 0;
	if (ntup != NULL)
		link_range(rs, ntup, 0, &start, &have);
	if (ntup != NULL && have == slots &&
	    memcmp(HnswNeighborLinks(ntup) + start, cur, sizeof(ItemPointerData) * count) == 0)
	{
		HnswEdit edit;
		HnswEditStart(&edit, rs->index, rs->building);
		ntup = HnswNeighborAt(HnswEditPage(&edit, buf, false), ItemPointerGetOffsetNumber(&ntid),
		                      rs->m);
		ItemPointerData *links = HnswNeighborLinks(ntup) + start;
		memmove(&links[victim], &links[victim + 1], sizeof(ItemPointerData) * (count - victim - 1));
		ItemPointerSetInvalid(&links[count - 1]);
		HnswEditFinish(&edit);
	}
	UnlockReleaseBuffer(buf);
}

/*
 * Inner product, when no candidate near x has room: the nearest of a sample of the
 * reached elements whose lists have room (the next kRoomySample of them, in turn;
 * those found full meanwhile leave the list).
 */
bool link_from_roomy(ReachState *rs, const Orphan *x)
{
	PgVec<LinkCandidate> sample;
	sample.init(kRoomySample);
	ItemPointerData links[2 * HNSW_MAX_M];
	int slots = HnswLevelSlots(0, rs->m);
	for (int tries = 0;
	     tries < 4 * kRoomySample && sample.size < kRoomySample && rs->roomy.size > 0; tries++)
	{
		int at = rs->roomy_next % rs->roomy.size;
		ItemPointerData tid = rs->roomy[at];
		HnswElementInfo info;
		bool read = HnswReadElement(rs->index, rs->dist, x->vector, &tid, &info, NULL);
		ItemPointerData ntid;
		int n = -1;
		if (read && !info.deleted)
		{
			ntid = info.neighbors;
			n = HnswReadLinks(rs->index, &ntid, 0, rs->m, links);
		}
		if (n < 0 || n >= slots)
		{
			rs->roomy[at] = rs->roomy[rs->roomy.size - 1];
			rs->roomy.size--;
			continue;
		}
		rs->roomy_next = at + 1;
		if (!ItemPointerEquals(&tid, (ItemPointer)&x->element))
			sample.push({info.distance, tid, info.neighbors});
	}
	std::sort(sample.data, sample.data + sample.size, HnswCloserFirst());
	for (int i = 0; i < sample.size; i++)
		if (link_into(rs, &sample.data[i], x, false))
			return true;
	return false;
}

/*
 * Links x back from the nearest reached element that takes it, among its own level-0
 * neighbors and what an insert's search for it finds (under inner product also where
 * the nearest lists lead, then a sample of the lists with room): a free slot anywhere
 * first, then a displaced link.
 */
bool link_back(ReachState *rs, const Orphan *x)
{
	int m = rs->m;
	PgVec<LinkCandidate> cands;
	cands.init(rs->meta.ef_construction + 2 * m);
	HnswTidSet seen;
	HnswTidSetInit(&seen, rs->meta.ef_construction + 2 * m);
	bool added;
	HnswTidSetAdd(&seen, HnswTidKey(&x->element), &added);

	ItemPointerData own[2 * HNSW_MAX_M];
	ItemPointerData ntid = x->neighbors;
	int n = HnswReadLinks(rs->index, &ntid, 0, m, own);
	for (int i = 0; i < n; i++)
	{
		uint8 *b = rs->at(&own[i]);
		HnswElementInfo info;
		HnswTidSetAdd(&seen, HnswTidKey(&own[i]), &added);
		if (!added || b == NULL || !(*b & kReached) ||
		    !HnswReadElement(rs->index, rs->dist, x->vector, &own[i], &info, NULL) || info.deleted)
			continue;
		cands.push({info.distance, own[i], info.neighbors});
	}

	/* What an insert of x would find, from the entry point down. */
	HnswDiskCandidate entry;
	if (HnswEntryCandidate(rs->index, rs->dist, x->vector, &rs->meta, &entry))
	{
		for (int l = rs->meta.entry_level; l > 0; l--)
			entry = HnswGreedyLevel(rs->index, rs->dist, x->vector, entry, l, m, &rs->scratch);
		PgVec<HnswDiskCandidate> found;
		found.init(rs->meta.ef_construction + 1);
		HnswSearchLevel(rs->index, rs->dist, x->vector, &entry, 1, rs->meta.ef_construction, 0, m,
		                &rs->scratch, &found);
		for (int i = 0; i < found.size; i++)
		{
			uint8 *b = rs->at(&found[i].element);
			HnswTidSetAdd(&seen, HnswTidKey(&found[i].element), &added);
			if (added && b != NULL && (*b & kReached))
				cands.push({found[i].distance, found[i].element, found[i].neighbors});
		}
	}

	std::sort(cands.data, cands.data + cands.size, HnswCloserFirst());
	if (!HnswOrdersAsMetric(rs->dist))
		add_second_hop(rs, x, &cands, &seen);
	for (int i = 0; i < cands.size; i++)
		if (link_into(rs, &cands.data[i], x, false))
			return true;
	if (!HnswOrdersAsMetric(rs->dist))
	{
		make_room(rs, x);
		if (link_from_roomy(rs, x))
			return true;
	}
	/*
	 * A displaced link: the nearest list first under a metric; under inner product the
	 * farthest first, whose links matter least to searches near x (recall@10 at
	 * ef_search 10 lost 0.006-0.013 so, 0.022 nearest first).
	 */
	bool farthest_first = !HnswOrdersAsMetric(rs->dist);
	for (int j = 0; j < cands.size; j++)
		if (link_into(rs, &cands.data[farthest_first ? cands.size - 1 - j : j], x, true))
			return true;
	return false;
}

/* ---- value links: every element reached from its value's entry ---------------------- */

/* The element's value of the column being repaired; false if it has none or is gone. */
bool read_key(ReachState *rs, const ItemPointerData *tid, int64 *key)
{
	Buffer buf = HnswReadBufferRecent(rs->index, ItemPointerGetBlockNumber(tid));
	LockBuffer(buf, BUFFER_LOCK_SHARE);
	HnswElementTuple etup = HnswElementAt(BufferGetPage(buf), ItemPointerGetOffsetNumber(tid));
	bool has = etup != NULL && HnswFilterKey(&rs->cols, HnswElementFilters(etup), rs->vf, key);
	UnlockReleaseBuffer(buf);
	return has;
}

/* Whether the element at tid (in the value map, not marked yet) has the value key. */
bool unmarked_of_value(ReachState *rs, const ItemPointerData *tid, int64 key)
{
	uint8 *vb = rs->vat(tid);
	int64 k;
	return vb != NULL && (*vb & kHasKey) && !(*vb & kValueReached) && same_hash(*vb, key) &&
	       read_key(rs, tid, &k) && k == key;
}

/*
 * Marks what a search restricted to the value key reaches from start (of that value):
 * value links and level-0 links that stay within the value, as hnsw_check walks them.
 */
void mark_value_from(ReachState *rs, const ItemPointerData *start, int64 key)
{
	uint8 *sb = rs->vat(start);
	if (sb == NULL || (*sb & kValueReached))
		return;
	*sb |= kValueReached;
	ItemPointerData *links = rs->scratch.links; /* room for 4m */
	rs->stack.clear();
	rs->stack.push(HnswTidKey(start));
	uint64 steps = 0;
	while (rs->stack.size > 0)
	{
		uint64 k = rs->stack.data[--rs->stack.size];
		ItemPointerData tid;
		ItemPointerSet(&tid, (BlockNumber)(k >> 16), (OffsetNumber)(k & 0xFFFF));
		if (++steps % 1024 == 0)
			vacuum_delay_point();
		HnswElementInfo info;
		if (!HnswReadElement(rs->index, rs->dist, NULL, &tid, &info, NULL))
			continue;
		int n = HnswReadLinks(rs->index, &info.neighbors,
		                      HnswScopeLevel(rs->cols.value_slot[rs->vf]), rs->m, links);
		for (int i = 0; i < n; i++)
		{
			if (!unmarked_of_value(rs, &links[i], key))
				continue;
			*rs->vat(&links[i]) |= kValueReached;
			rs->stack.push(HnswTidKey(&links[i]));
		}
	}
}

/*
 * Links x back by a value link from the nearest element of its value that a search
 * within the value reaches: among its own links, and what a search within the value
 * from the directory's seeds finds (as an insert chooses value links).
 */
bool link_back_value(ReachState *rs, const Orphan *x, int64 key, const HnswDirEntryData *entry)
{
	int m = rs->m;
	PgVec<LinkCandidate> cands;
	cands.init(rs->meta.ef_construction + 4 * m);
	HnswTidSet seen;
	HnswTidSetInit(&seen, rs->meta.ef_construction + 4 * m);
	bool added;
	HnswTidSetAdd(&seen, HnswTidKey(&x->element), &added);

	/* Its own links of the same value, and the value's seeds, that a search reaches. */
	PgVec<HnswDiskCandidate> seeds;
	seeds.init(HNSW_DIR_SEEDS + 4 * m);
	ItemPointerData own[4 * HNSW_MAX_M + HNSW_DIR_SEEDS];
	ItemPointerData ntid = x->neighbors;
	int slot = rs->cols.value_slot[rs->vf];
	int n = Max(HnswReadLinks(rs->index, &ntid, HnswScopeLevel(slot), m, own), 0);
	for (int i = 0; i < Min((int)entry->nseeds, HNSW_DIR_SEEDS); i++)
		own[n++] = entry->seeds[i];
	for (int i = 0; i < n; i++)
	{
		uint8 *vb = rs->vat(&own[i]);
		int64 k;
		HnswElementInfo info;
		HnswTidSetAdd(&seen, HnswTidKey(&own[i]), &added);
		if (!added || vb == NULL || !(*vb & kValueReached) || !same_hash(*vb, key) ||
		    !read_key(rs, &own[i], &k) || k != key ||
		    !HnswReadElement(rs->index, rs->dist, x->vector, &own[i], &info, NULL) || info.deleted)
			continue;
		cands.push({info.distance, own[i], info.neighbors});
		seeds.push({info.distance, own[i], info.neighbors, true});
	}
	if (seeds.size > 0)
	{
		HnswFilter filter;
		HnswFilterForValue(&filter, &rs->cols, rs->vf, key);
		HnswReadFilter rf = {&filter, &rs->cols, false};
		PgVec<HnswDiskCandidate> found;
		found.init(rs->meta.ef_construction + 1);
		HnswSearchLevel(rs->index, rs->dist, x->vector, seeds.data, seeds.size,
		                rs->meta.ef_construction, HnswScopeLevel(slot), m, &rs->scratch, &found,
		                &rf);
		for (int i = 0; i < found.size; i++)
		{
			uint8 *vb = rs->vat(&found[i].element);
			HnswTidSetAdd(&seen, HnswTidKey(&found[i].element), &added);
			if (added && vb != NULL && (*vb & kValueReached))
				cands.push({found[i].distance, found[i].element, found[i].neighbors});
		}
	}

	std::sort(cands.data, cands.data + cands.size, HnswCloserFirst());
	for (bool displace : {false, true})
		for (int i = 0; i < cands.size; i++)
			if (link_into(rs, &cands.data[i], x, displace, HnswValueLevel(slot)))
				return true;
	return false;
}

/* Marks every value from its entry, then links back the elements left unmarked. */
void repair_values(ReachState *rs)
{
	HASHCTL ctl;
	ctl.keysize = sizeof(int64);
	ctl.entrysize = sizeof(int64) + sizeof(int);
	ctl.hcxt = CurrentMemoryContext;
	HTAB *by_key = hash_create("hnsw reachability values", Max(rs->dir.size, 16), &ctl,
	                           HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
	for (int d = 0; d < rs->dir.size; d++)
	{
		HnswDirEntryData &e = rs->dir[d];
		char *slot = (char *)hash_search(by_key, &e.key, HASH_ENTER, NULL);
		*(int *)(slot + sizeof(int64)) = d;
		/* No entry yet (an insert stopped before offering seeds): start from the head. */
		const ItemPointerData *from = ItemPointerIsValid(&e.entry) ? &e.entry : &e.head;
		if (e.count > 0 && unmarked_of_value(rs, from, e.key))
			mark_value_from(rs, from, e.key);
	}

	HnswValue *xv = (HnswValue *)palloc(rs->dist->value_size);
	for (BlockNumber blk = HNSW_METAPAGE_BLKNO + 1; blk < rs->nblocks; blk++)
	{
		for (uint32 i = rs->first[blk]; i < rs->first[blk + 1]; i++)
		{
			uint8 b = rs->vbytes.data[i];
			if (!(b & kHasKey) || (b & kValueReached))
				continue;
			ItemPointerData x;
			ItemPointerSet(&x, blk, (OffsetNumber)(i - rs->first[blk] + 1));
			HnswElementInfo info;
			int64 key;
			if (!HnswReadElement(rs->index, rs->dist, NULL, &x, &info, xv) || info.deleted ||
			    !read_key(rs, &x, &key))
				continue;
			char *slot = (char *)hash_search(by_key, &key, HASH_FIND, NULL);
			if (slot == NULL)
				continue; /* inserted after the layout */
			rs->value_unreached++;
			MemoryContext old = MemoryContextSwitchTo(rs->tmp);
			Orphan orphan = {x, info.neighbors, xv};
			bool linked =
			    link_back_value(rs, &orphan, key, &rs->dir[*(int *)(slot + sizeof(int64))]);
			MemoryContextSwitchTo(old);
			MemoryContextReset(rs->tmp);
			if (linked)
			{
				rs->value_linked++;
				mark_value_from(rs, &x, key);
				VECRBAC_WAIT_POINT("vacuum-reaching");
			}
		}
		vacuum_delay_point();
	}
	pfree(xv);
	hash_destroy(by_key);
}

/* One round: map, mark, link back what is left unmarked. */
void repair_round(ReachState *rs)
{
	lay_out(rs);
	rs->stack.init(1024);
	rs->roomy.init(64);
	rs->roomy_next = 0;
	mark_from(rs, &rs->meta.entry);
	/*
	 * The entry point was read before the layout, so the map has it; were it not
	 * there, nothing would be marked and every element would look cut off.
	 */
	uint8 *eb = rs->at(&rs->meta.entry);
	bool walked = eb != NULL && (*eb & kReached);

	HnswValue *xv = (HnswValue *)palloc(rs->dist->value_size);
	for (BlockNumber blk = HNSW_METAPAGE_BLKNO + 1; walked && blk < rs->nblocks; blk++)
	{
		for (uint32 i = rs->first[blk]; i < rs->first[blk + 1]; i++)
		{
			uint8 b = rs->bytes.data[i];
			if (!(b & kLive) || (b & kReached))
				continue;
			ItemPointerData x;
			ItemPointerSet(&x, blk, (OffsetNumber)(i - rs->first[blk] + 1));
			HnswElementInfo info;
			if (!HnswReadElement(rs->index, rs->dist, NULL, &x, &info, xv) || info.deleted)
				continue;
			rs->unreached++;
			MemoryContext old = MemoryContextSwitchTo(rs->tmp);
			Orphan orphan = {x, info.neighbors, xv};
			bool linked = link_back(rs, &orphan);
			MemoryContextSwitchTo(old);
			MemoryContextReset(rs->tmp);
			if (linked)
			{
				rs->linked++;
				mark_from(rs, &x);
				VECRBAC_WAIT_POINT("vacuum-reaching");
			}
		}
		vacuum_delay_point();
	}
	pfree(xv);
	for (int f = 0; f < rs->cols.nfilters; f++)
	{
		if (!HnswHasValueLinks(&rs->cols, f, rs->m, rs->meta.value_slots) ||
		    HnswDirOf(&rs->meta, &rs->cols, f).pages == 0)
			continue;
		lay_out_values(rs, f);
		repair_values(rs);
		rs->vbytes.free_memory();
		rs->dir.free_memory();
	}
	pfree(rs->first);
	rs->bytes.free_memory();
	rs->stack.free_memory();
	rs->roomy.free_memory();
}

} // namespace

void HnswRepairReachability(Relation index, HnswReachStats *stats, bool building)
{
	memset(stats, 0, sizeof(*stats));
	instr_time start, end;
	INSTR_TIME_SET_CURRENT(start);
	MemoryContext context =
	    AllocSetContextCreate(CurrentMemoryContext, "hnsw reachability", ALLOCSET_DEFAULT_SIZES);
	MemoryContext old = MemoryContextSwitchTo(context);

	HnswDistance dist;
	HnswInitDistance(&dist, index, HnswIndexQuantization(index));
	ReachState rs;
	rs.index = index;
	rs.building = building;
	rs.dist = &dist;
	rs.stats = stats;
	rs.tmp = AllocSetContextCreate(context, "hnsw reachability element", ALLOCSET_DEFAULT_SIZES);
	HnswInitColumns(&rs.cols, index);

	for (int round = 0; round < kRounds; round++)
	{
		HnswReadMeta(index, &rs.meta);
		if (!ItemPointerIsValid(&rs.meta.entry))
			break;
		rs.m = rs.meta.m;
		HnswSearchScratchInit(&rs.scratch, rs.m);
		HnswTidSetInit(&rs.displaced_at, 64);
		rs.unreached = rs.linked = rs.displaced = rs.value_unreached = rs.value_linked = 0;
		stats->rounds++;
		stats->elements = 0;
		repair_round(&rs);
		if (round == 0)
		{
			stats->found = rs.unreached;
			stats->value_found = rs.value_unreached;
		}
		stats->value_linked += rs.value_linked;
		stats->value_left = rs.value_unreached - rs.value_linked;
		stats->linked += rs.linked;
		stats->displaced += rs.displaced;
		/* What the last round leaves unreached is what the index keeps. */
		stats->left = rs.unreached - rs.linked;
		if (rs.displaced == 0)
			break;
	}

	MemoryContextSwitchTo(old);
	MemoryContextDelete(context);
	INSTR_TIME_SET_CURRENT(end);
	INSTR_TIME_SUBTRACT(end, start);
	stats->ms = INSTR_TIME_GET_MILLISEC(end);
}

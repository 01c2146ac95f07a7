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
 *   under a metric, gives up the slot of its farthest link whose element keeps another
 *   incoming link from a reached element (as the build's repair does). Inner product
 *   takes only free slots: displacing a link there costs more recall than it gives
 *   (hnsw_memgraph.cpp, link_into). What the new link reaches is marked at once.
 * A displaced link can cut off an element whose other incoming link came through the
 *   element displaced from, so the whole repeats (at most kRounds) while a round
 *   displaced links.
 *
 * Memory: the map takes a byte per line pointer (an element and its neighbor tuple: 2
 * bytes per element) and 4 bytes per page; the walk's stack at most 8 bytes per element.
 * So at most about 10 MB per million elements, whatever the vectors' size.
 *
 * Concurrency: inserts and scans run meanwhile; no other VACUUM does, and only VACUUM
 * frees elements, so element TIDs stay put. Each link written is one GenericXLog record
 * (crash-safe: a list is always whole) under the page's exclusive lock, and only if the
 * list did not change since it was read (else read again), as VACUUM's link repair
 * and inserts' backlinks do. Elements inserted meanwhile are not in the map: they are
 * neither walked nor repaired (their insert linked them).
 */
#include "hnsw/hnsw_reach.h"

#include "hnsw/hnsw_disk.h"
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

/* A line pointer's byte in the map. */
constexpr uint8 kLive = 1 << 0;    /* a live (not deleted) element at layout time */
constexpr uint8 kReached = 1 << 1; /* marked from the entry point */
constexpr int kIndegreeShift = 2;  /* level-0 links from reached elements, saturating */
constexpr uint8 kIndegreeMax = 63;

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
	const HnswDistance *dist;
	HnswMetaPageData meta;
	int m;
	BlockNumber nblocks;
	uint32 *first; /* per block: its first line pointer's byte in bytes; [nblocks] = total */
	PgVec<uint8> bytes;
	PgVec<uint64> stack;
	HnswSearchScratch scratch;
	MemoryContext tmp; /* reset after each element linked */
	HnswReachStats *stats;
	uint64 unreached; /* this round: live elements found unmarked */
	uint64 linked;    /* this round: of them, linked back */
	uint64 displaced; /* this round: links given up */

	/* The element's byte, or NULL when the map does not know the TID. */
	uint8 *at(const ItemPointerData *tid)
	{
		BlockNumber blk = ItemPointerGetBlockNumberNoCheck(tid);
		OffsetNumber off = ItemPointerGetOffsetNumberNoCheck(tid);
		if (blk >= nblocks || off < FirstOffsetNumber || first[blk] + off - 1 >= first[blk + 1])
			return NULL;
		return &bytes.data[first[blk] + off - 1];
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

/*
 * Appends target to the level-0 links of the neighbor tuple at ntid if it has a free
 * slot, whatever else changed meanwhile; whether target is among them now.
 */
bool append_link(ReachState *rs, const ItemPointerData *ntid, const ItemPointerData *target)
{
	int slots = HnswLevelSlots(0, rs->m);
	Buffer buf = ReadBuffer(rs->index, ItemPointerGetBlockNumber(ntid));
	LockBuffer(buf, BUFFER_LOCK_EXCLUSIVE);
	HnswNeighborTuple ntup =
	    HnswNeighborAt(BufferGetPage(buf), ItemPointerGetOffsetNumber(ntid), rs->m);
	bool there = false;
	if (ntup != NULL)
	{
		const ItemPointerData *links = HnswNeighborLinks(ntup);
		int now = 0;
		while (now < slots && ItemPointerIsValid(&links[now]))
			there |= ItemPointerEquals((ItemPointer)&links[now++], (ItemPointer)target);
		if (!there && now < slots)
		{
			HnswEdit edit;
			HnswEditStart(&edit, rs->index, false);
			ntup = HnswNeighborAt(HnswEditPage(&edit, buf, false), ItemPointerGetOffsetNumber(ntid),
			                      rs->m);
			HnswNeighborLinks(ntup)[now] = *target;
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
 * Gives x an incoming level-0 link from `from`: a free slot; or, when `displace` and
 * under a metric, the slot of from's farthest link, handed to x: x links to the
 * element displaced (a free slot of x's: an insert gave x m links of 2m), so whatever
 * from reached through it, it reaches through x. When x has no free slot, only a link
 * to an element with another incoming link from a reached element may go, as in the
 * build's repair. From's list is rewritten only if it did not change since it was read.
 */
bool link_into(ReachState *rs, const LinkCandidate *from, const Orphan *x, bool displace)
{
	int m = rs->m;
	int slots = HnswLevelSlots(0, m);
	ItemPointerData *cur = (ItemPointerData *)palloc(sizeof(ItemPointerData) * slots);
	ItemPointerData *own = (ItemPointerData *)palloc(sizeof(ItemPointerData) * slots);
	HnswValue *from_vector = NULL;

	for (int attempt = 0; attempt < 3; attempt++)
	{
		ItemPointerData ntid = from->neighbors;
		int count = HnswReadLinks(rs->index, &ntid, 0, m, cur);
		if (count < 0)
			return false;
		for (int i = 0; i < count; i++)
			if (ItemPointerEquals(&cur[i], (ItemPointer)&x->element))
				return true; /* an insert linked it meanwhile */
		if (count < slots)
		{
			if (append_link(rs, &from->neighbors, &x->element))
			{
				uint8 *xb = rs->at(&x->element);
				if (xb != NULL)
					add_indegree(xb, 1);
				return true;
			}
			continue; /* filled meanwhile */
		}
		if (!displace || !rs->dist->metric)
			return false;

		ItemPointerData xn = x->neighbors;
		int nown = HnswReadLinks(rs->index, &xn, 0, m, own);
		bool x_has_room = nown >= 0 && nown < slots;
		if (from_vector == NULL)
		{
			from_vector = (HnswValue *)palloc(rs->dist->value_size);
			HnswElementInfo info;
			ItemPointerData etid = from->element;
			if (!HnswReadElement(rs->index, rs->dist, NULL, &etid, &info, from_vector))
				return false;
		}
		int victim = -1;
		float worst = -INFINITY;
		for (int i = 0; i < count; i++)
		{
			uint8 *b = rs->at(&cur[i]);
			bool spare = b != NULL && indegree(*b) >= 2;
			HnswElementInfo info;
			if ((!spare && !x_has_room) ||
			    !HnswReadElement(rs->index, rs->dist, from_vector, &cur[i], &info, NULL))
				continue;
			if (info.distance > worst)
			{
				worst = info.distance;
				victim = i;
			}
		}
		if (victim < 0)
			return false;
		/* The hand-over first: a crash or a changed list leaves only an extra link. */
		if (x_has_room && !append_link(rs, &x->neighbors, &cur[victim]))
		{
			uint8 *b = rs->at(&cur[victim]);
			if (b == NULL || indegree(*b) < 2)
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
		const ItemPointerData *links = HnswNeighborLinks(ntup);
		int now = 0;
		while (now < slots && ItemPointerIsValid(&links[now]))
			now++;
		if (now == count && memcmp(links, cur, sizeof(ItemPointerData) * count) == 0)
		{
			HnswEdit edit;
			HnswEditStart(&edit, rs->index, false);
			ntup = HnswNeighborAt(HnswEditPage(&edit, buf, false),
			                      ItemPointerGetOffsetNumber(&ntid), m);
			HnswNeighborLinks(ntup)[victim] = x->element;
			HnswEditFinish(&edit);
			UnlockReleaseBuffer(buf);
			uint8 *vb = rs->at(&cur[victim]);
			if (vb != NULL)
				add_indegree(vb, -1);
			uint8 *xb = rs->at(&x->element);
			if (xb != NULL)
				add_indegree(xb, 1);
			rs->displaced++;
			return true;
		}
		UnlockReleaseBuffer(buf); /* an insert changed the list: read it again */
	}
	return false;
}

/*
 * Links x back from the nearest reached element that takes it, among its own level-0
 * neighbors and what an insert's search for it finds: a free slot anywhere first, then
 * a displaced link.
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
	for (bool displace : {false, true})
		for (int i = 0; i < cands.size; i++)
			if (link_into(rs, &cands.data[i], x, displace))
				return true;
	return false;
}

/* One round: map, mark, link back what is left unmarked. */
void repair_round(ReachState *rs)
{
	lay_out(rs);
	rs->stack.init(1024);
	mark_from(rs, &rs->meta.entry);

	HnswValue *xv = (HnswValue *)palloc(rs->dist->value_size);
	for (BlockNumber blk = HNSW_METAPAGE_BLKNO + 1; blk < rs->nblocks; blk++)
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
	pfree(rs->first);
	rs->bytes.free_memory();
	rs->stack.free_memory();
}

} // namespace

void HnswRepairReachability(Relation index, HnswReachStats *stats)
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
	rs.dist = &dist;
	rs.stats = stats;
	rs.tmp = AllocSetContextCreate(context, "hnsw reachability element", ALLOCSET_DEFAULT_SIZES);

	for (int round = 0; round < kRounds; round++)
	{
		HnswReadMeta(index, &rs.meta);
		if (!ItemPointerIsValid(&rs.meta.entry))
			break;
		rs.m = rs.meta.m;
		HnswSearchScratchInit(&rs.scratch, rs.m);
		rs.unreached = rs.linked = rs.displaced = 0;
		stats->rounds++;
		stats->elements = 0;
		repair_round(&rs);
		if (round == 0)
			stats->found = rs.unreached;
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

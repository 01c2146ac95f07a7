/*
 * hnsw_memgraph.cpp: building the HNSW graph in memory (CREATE INDEX).
 *
 * This is where build time goes, so it stays close to the metal: distances on raw
 * floats through the SIMD kernels (stopping early once a neighbor cannot make the
 * cut), a visited set that is an epoch array indexed by element id (cleared in
 * O(1)), neighbor vectors prefetched before they are used, a serial build's arena
 * on huge pages, and no allocation per insertion beyond the element itself.
 */
#include "hnsw/hnsw_memgraph.h"
#include "hnsw/hnsw_best_first.h"
#include "hnsw/hnsw_filter.h"

extern "C"
{
#include "miscadmin.h"
#include "utils/memutils.h"
}

#include <algorithm>
#include <cmath>
#include <cstring>
#include <sys/mman.h>
#include <xmmintrin.h>

using vecrbac::pg::PgHeap;
using vecrbac::pg::PgVec;

namespace
{

/* How many backlink lists ahead an insertion prefetches. */
#define HNSW_MEM_LINK_PREFETCH 4

struct MemCandidate
{
	float distance;
	HnswMemRef ref;
};

/* Scratch space reused by every insertion of one process. */
struct MemScratch
{
	PgHeap<MemCandidate, HnswCloserFirst> candidates;
	PgHeap<MemCandidate, HnswFartherFirst> nearest;
	/* Per level, the ef_construction nearest found (sorted), kept until linking. */
	PgVec<MemCandidate> found[HNSW_MAX_LEVEL + 1];
	PgVec<MemCandidate> pool; /* a full link list plus the new link, being pruned */
	PgVec<HnswCandidate> sorted;
	PgVec<HnswCandidate> kept;
	PgVec<const HnswValue *> vectors;
	HnswMemRef links[2 * HNSW_MAX_M]; /* a copy of one element's links */
};

inline MemScratch *scratch_of(HnswMemGraph *g)
{
	return (MemScratch *)g->scratch;
}

inline float distance_between(const HnswMemGraph *g, const HnswValue *a, const HnswValue *b)
{
	return HnswValueDistance(g->dist, a, b);
}

/* Prefetches what a search reads first of an element it meets: its id (the visited
 * check), then its value. */
inline void prefetch_vector(const HnswMemGraph *g, HnswMemRef ref)
{
	const char *p = (const char *)&HnswMemGet(g, ref)->id;
	_mm_prefetch(p, _MM_HINT_T0);
	_mm_prefetch(p + 64, _MM_HINT_T0);
}

/* Copies the links of one level of e (under its lock in a parallel build). */
int copy_links(const HnswMemGraph *g, HnswMemElement *e, int level, HnswMemRef *out)
{
	if (g->parallel)
		LWLockAcquire(&e->lock, LW_SHARED);
	int count = *HnswMemCount(e, level);
	memcpy(out, HnswMemLinks(e, level, g->m), sizeof(HnswMemRef) * count);
	if (g->parallel)
		LWLockRelease(&e->lock);
	return count;
}

void grow_visited(HnswMemGraph *g, uint32 needed)
{
	uint32 grown = Max(g->visited_size * 2, needed + 1024);
	g->visited = (uint32 *)repalloc_huge(g->visited, sizeof(uint32) * (Size)grown);
	memset(g->visited + g->visited_size, 0, sizeof(uint32) * (Size)(grown - g->visited_size));
	g->visited_size = grown;
}

/* Starts a new visit generation; every element is unvisited again. */
void new_visit(HnswMemGraph *g)
{
	uint32 count = HnswMemElements(g);
	if (g->visited_size < count + 1)
		grow_visited(g, count + 1);
	if (++g->epoch == 0)
	{
		memset(g->visited, 0, sizeof(uint32) * (Size)g->visited_size);
		g->epoch = 1;
	}
}

/* Marks e visited; returns false if it already was in this generation. */
inline bool visit(HnswMemGraph *g, const HnswMemElement *e)
{
	if (unlikely(e->id >= g->visited_size)) /* inserted by another process meanwhile */
		grow_visited(g, e->id + 1);
	if (g->visited[e->id] == g->epoch)
		return false;
	g->visited[e->id] = g->epoch;
	return true;
}

/*
 * Algorithm 2 of the paper: best-first search from the entry candidates, keeping
 * the ef nearest; neighbors(e, out) lists the elements to consider next to e. Leaves
 * the nearest sorted by distance in out.
 */
template <typename Neighbors>
void best_first(HnswMemGraph *g, MemScratch *s, const HnswValue *q, const MemCandidate *entries,
                int nentries, int ef, PgVec<MemCandidate> *out, Neighbors neighbors)
{
	HnswBestFirst<MemCandidate> search{s->candidates, s->nearest, ef};
	HnswMemRef next[4 * HNSW_MAX_M];

	new_visit(g);
	search.begin();
	for (int i = 0; i < nentries; i++)
		if (visit(g, HnswMemGet(g, entries[i].ref)))
			search.enter(entries[i], true);

	search.run(
	    [&](const MemCandidate &c)
	    {
		    int count = neighbors(HnswMemGet(g, c.ref), next);
		    for (int i = 0; i < count; i++)
			    prefetch_vector(g, next[i]);
		    for (int i = 0; i < count; i++)
		    {
			    const HnswMemElement *ne = HnswMemGet(g, next[i]);
			    if (!visit(g, ne))
				    continue;
			    bool exact;
			    float d =
			        HnswValueDistanceBounded(g->dist, q, HnswMemValue(ne), search.bound(), &exact);
			    if (exact)
				    search.offer(MemCandidate{d, next[i]}, true);
		    }
	    },
	    out);
}

/* Best-first search of one level of the graph. */
void search_level(HnswMemGraph *g, MemScratch *s, const HnswValue *q, const MemCandidate *entries,
                  int nentries, int ef, int level, PgVec<MemCandidate> *out)
{
	best_first(g, s, q, entries, nentries, ef, out,
	           [&](HnswMemElement *e, HnswMemRef *next) { return copy_links(g, e, level, next); });
}

/* Greedy descent on one level (ef = 1), as in the upper layers of algorithm 1. */
MemCandidate greedy_level(HnswMemGraph *g, MemScratch *s, const HnswValue *q, MemCandidate cur,
                          int level)
{
	bool changed = true;

	while (changed)
	{
		changed = false;
		int count = copy_links(g, HnswMemGet(g, cur.ref), level, s->links);
		for (int i = 0; i < count; i++)
			prefetch_vector(g, s->links[i]);
		for (int i = 0; i < count; i++)
		{
			float d = distance_between(g, q, HnswMemValue(HnswMemGet(g, s->links[i])));
			if (d < cur.distance)
			{
				cur.distance = d;
				cur.ref = s->links[i];
				changed = true;
			}
		}
	}
	return cur;
}

/* Chooses up to max_keep of the sorted candidates with the paper's heuristic; their
 * distances go to out_distance. */
int select_links(HnswMemGraph *g, MemScratch *s, const MemCandidate *sorted, int n, int max_keep,
                 HnswMemRef *out, float *out_distance)
{
	s->sorted.clear();
	s->vectors.clear();
	for (int i = 0; i < n; i++)
	{
		HnswCandidate c = {sorted[i].distance, i};
		s->sorted.push(c);
		s->vectors.push(HnswMemValue(HnswMemGet(g, sorted[i].ref)));
	}
	s->kept.reserve(max_keep);
	int kept =
	    HnswSelectNeighbors(g->dist, s->sorted.data, n, s->vectors.data, max_keep, s->kept.data);
	for (int i = 0; i < kept; i++)
	{
		out[i] = sorted[s->kept.data[i].index].ref;
		out_distance[i] = sorted[s->kept.data[i].index].distance;
	}
	return kept;
}

/*
 * The link cache of one level of an element (pgvector keeps the same): each link's
 * distance to the element, and whether the selection heuristic last found the link
 * closer to the element than to every nearer link it kept. A full list then takes a
 * new link by checking the newcomer, and only what the newcomer can change, instead
 * of measuring every link against every other: the build's largest cost before.
 */
struct LinkCache
{
	float *distance;
	uint8 *closer;
	uint8 *known; /* the closer flags are valid (the list was pruned since it last grew) */
};

LinkCache link_cache(const HnswMemGraph *g, const HnswMemElement *e, int level)
{
	int levels = e->level + 2;
	int total = levels * g->m + g->value_slots;
	int start = HnswIsValueLevel(level) ? levels * g->m + HnswValueLevelSlot(level) * 2 * g->m
	                                    : HnswLevelStart(level, g->m);
	float *distances = (float *)(HnswMemLinks(e, 0, g->m) + total);
	uint8 *closer = (uint8 *)(distances + total);
	return {distances + start, closer + start, closer + total + HnswMemListIndex(e->level, level)};
}

/* A link being chosen again when a full list takes one more. */
struct PoolLink
{
	float distance;
	HnswMemRef ref;
	bool closer;
	bool newcomer;
};

/* True if no element of set[] (nearer to the base than c) is nearer to c than the base is. */
bool closer_than_all(const HnswMemGraph *g, const PoolLink &c, const PoolLink *const *set, int n)
{
	const HnswValue *cv = HnswMemValue(HnswMemGet(g, c.ref));
	for (int i = 0; i < n; i++)
		if (distance_between(g, cv, HnswMemValue(HnswMemGet(g, set[i]->ref))) < c.distance)
			return false;
	return true;
}

/*
 * The heuristic of select_links over a full list plus one newcomer, with the cached
 * closer flags: a link's flag changes only if the newcomer is kept before it (then
 * a closer link is checked against what was added) or a closer link stops being
 * closer (then the others are checked again). Without valid flags every link is
 * checked, as select_links does. Keeps the nearest not-closer links in free slots.
 * Writes the chosen links back with their distances and flags; returns their count.
 */
int prune_cached(HnswMemGraph *g, PoolLink *pool, int n, int capacity, bool known,
                 HnswMemRef *links, const LinkCache &cache)
{
	/* Insertion sort: a list written back by an earlier pruning is two sorted runs (the
	 * links kept by the heuristic, then those kept to fill it), so this costs a pass and
	 * a few moves (std::sort was 4 % of a build). */
	for (int i = 1; i < n; i++)
	{
		PoolLink c = pool[i];
		int j = i;
		for (; j > 0 && (c.distance < pool[j - 1].distance ||
		                 (c.distance == pool[j - 1].distance && c.ref < pool[j - 1].ref));
		     j--)
			pool[j] = pool[j - 1];
		pool[j] = c;
	}
	const PoolLink *kept[2 * HNSW_MAX_M + 1], *pruned[2 * HNSW_MAX_M + 1],
	    *added[2 * HNSW_MAX_M + 1];
	int nkept = 0, npruned = 0, nadded = 0;
	bool removed_any = false;

	for (int i = 0; i < n && nkept < capacity; i++)
	{
		PoolLink &c = pool[i];
		if (!known)
			c.closer = closer_than_all(g, c, kept, nkept);
		else if (nadded > 0)
		{
			if (c.closer)
				removed_any |= !(c.closer = closer_than_all(g, c, added, nadded));
			else if (removed_any && (c.closer = closer_than_all(g, c, kept, nkept)))
				added[nadded++] = &c;
		}
		else if (c.newcomer && (c.closer = closer_than_all(g, c, kept, nkept)))
			added[nadded++] = &c;
		if (c.closer)
			kept[nkept++] = &c;
		else
			pruned[npruned++] = &c;
	}
	for (int i = 0; i < npruned && nkept < capacity; i++)
		kept[nkept++] = pruned[i];

	for (int i = 0; i < nkept; i++)
	{
		links[i] = kept[i]->ref;
		cache.distance[i] = kept[i]->distance;
		cache.closer[i] = kept[i]->closer;
	}
	*cache.known = 1;
	return nkept;
}

/* Prefetches what add_link reads of an element's links on a level: the counts, the
 * links and their cached distances and flags (a cache miss each, the element's own
 * header being warm from the search that found it). */
void prefetch_links(const HnswMemGraph *g, HnswMemRef ref, int level)
{
	const HnswMemElement *e = HnswMemGet(g, ref);
	LinkCache cache = link_cache(g, e, level);
	int slots = HnswLevelSlots(level, g->m);
	const char *ranges[][2] = {
	    {(const char *)HnswMemCounts(e), (const char *)(HnswMemLinks(e, level, g->m) + slots)},
	    {(const char *)cache.distance, (const char *)(cache.distance + slots)},
	    {(const char *)cache.closer, (const char *)(cache.closer + slots)},
	    {(const char *)cache.known, (const char *)cache.known + 1}};
	for (const auto &r : ranges)
		for (uintptr_t line = (uintptr_t)r[0] & ~(uintptr_t)63; line < (uintptr_t)r[1]; line += 64)
			__builtin_prefetch((const char *)line);
}

/* Adds a link from element `from` to `to` on a level, pruning when the list is full. */
void add_link(HnswMemGraph *g, MemScratch *s, HnswMemRef from, HnswMemRef to, float distance,
              int level)
{
	HnswMemElement *fe = HnswMemGet(g, from);
	int capacity = HnswIsValueLevel(level) ? 2 * g->m : HnswLevelSlots(level, g->m);

	/* Pruning reads only immutable vectors, so holding the lock through it is cheap. */
	if (g->parallel)
		LWLockAcquire(&fe->lock, LW_EXCLUSIVE);
	HnswMemRef *links = HnswMemLinks(fe, level, g->m);
	uint16 *count = HnswMemCount(fe, level);
	LinkCache cache = link_cache(g, fe, level);
	bool present = false;
	for (int i = 0; i < *count; i++)
		present |= links[i] == to;
	if (!present && *count < capacity)
	{
		cache.distance[*count] = distance;
		*cache.known = 0;
		links[(*count)++] = to;
	}
	else if (!present)
	{
		PoolLink pool[2 * HNSW_MAX_M + 1];
		int n = *count;
		for (int i = 0; i < n; i++)
			pool[i] = {cache.distance[i], links[i], cache.closer[i] != 0, false};
		pool[n++] = {distance, to, false, true};
		*count = (uint16)prune_cached(g, pool, n, capacity, *cache.known != 0, links, cache);
	}
	if (g->parallel)
		LWLockRelease(&fe->lock);
}

void init_scratch(HnswMemGraph *g)
{
	MemScratch *s = (MemScratch *)palloc0(sizeof(MemScratch));
	s->candidates.init(256);
	s->nearest.init(256);
	for (auto &f : s->found)
		f.init(g->ef_construction + 1);
	s->sorted.init(4 * g->m);
	s->kept.init(4 * g->m);
	s->vectors.init(4 * g->m);
	s->pool.init(2 * g->m + 1);
	g->scratch = s;

	g->visited_size = Max(HnswMemElements(g) + 1024, 1024);
	g->visited =
	    (uint32 *)MemoryContextAllocHuge(CurrentMemoryContext, sizeof(uint32) * g->visited_size);
	memset(g->visited, 0, sizeof(uint32) * g->visited_size);
	g->epoch = 0;
}

void init_view(HnswMemGraph *g, const HnswDistance *dist, const HnswColumns *cols, int m,
               int ef_construction, int value_slots)
{
	g->cols = cols;
	g->value_slots = value_slots;
	g->m = m;
	g->ef_construction = ef_construction;
	g->dist = dist;
	g->max_level = HnswMaxLevelForM(m, value_slots);
}

} // namespace

/* Bytes from an element's start to its filter section. */
static Size filter_section_offset(int level, int m, Size value_size, int value_slots)
{
	int lists = HnswMemListCount(level, value_slots / (2 * m));
	Size size = HNSW_MEM_VALUE_OFFSET + MAXALIGN(value_size);
	size += MAXALIGN(sizeof(uint16) * lists);
	Size slots = (Size)(level + 2) * m + value_slots;
	/* each link's ref, then the link cache: distances, closer flags, a known flag per list */
	size += (sizeof(HnswMemRef) + sizeof(float) + sizeof(uint8)) * slots + lists;
	return MAXALIGN(size);
}

Size HnswMemElementSize(int level, int m, Size value_size, int value_slots, Size filter_bytes)
{
	return filter_section_offset(level, m, value_size, value_slots) + MAXALIGN(filter_bytes);
}

Size HnswMemExpectedBytes(double tuples, int m, Size value_size, int value_slots, Size filter_bytes)
{
	/* Level 0 always, plus on average 1/(m-1) upper levels of m links each. */
	double per_element = (double)HnswMemElementSize(0, m, value_size, value_slots, filter_bytes) +
	                     sizeof(HnswMemRef) * (double)m / Max(m - 1, 1) + 8;
	return (Size)(Max(tuples, 1.0) * per_element) + 8;
}

/*
 * Asks the kernel to back a serial build's arena with 2 MB pages (transparent huge
 * pages in "madvise" mode, Debian's default). Insertion touches elements at random
 * all over the arena; with 4 kB pages a first touch also misses the TLB, and at a
 * million rows that cost 9 % of the insertion (docs/performance.md). A parallel
 * build's arena is shared memory, which that mode leaves on 4 kB pages.
 */
static void advise_huge_pages(char *base, Size bytes)
{
#ifdef MADV_HUGEPAGE
	const uintptr_t huge = (uintptr_t)2 << 20;
	uintptr_t start = ((uintptr_t)base + huge - 1) & ~(huge - 1);
	uintptr_t end = ((uintptr_t)base + bytes) & ~(huge - 1);
	if (end > start)
		(void)madvise((void *)start, end - start, MADV_HUGEPAGE);
#else
	(void)base;
	(void)bytes;
#endif
}

/* The counters and entry point of an empty graph with `capacity` bytes of arena. */
static void init_shared(HnswMemShared *sh, Size capacity, int value_slots)
{
	pg_atomic_init_u64(&sh->used, 8);
	pg_atomic_init_u32(&sh->next_id, 0);
	pg_atomic_init_u64(&sh->inserted, 0);
	pg_atomic_init_u64(&sh->duplicates, 0);
	pg_atomic_init_u32(&sh->full, 0);
	sh->entry = 0;
	sh->entry_level = -1;
	sh->capacity = capacity;
	sh->value_slots = value_slots;
}

/* A serial view with `capacity` bytes of local arena, on huge pages. */
static void init_local(HnswMemGraph *g, const HnswDistance *dist, const HnswColumns *cols, int m,
                       int ef_construction, int value_slots, Size capacity)
{
	memset(g, 0, sizeof(*g));
	init_view(g, dist, cols, m, ef_construction, value_slots);
	g->parallel = false;
	g->shared = (HnswMemShared *)palloc0(sizeof(HnswMemShared));
	init_shared(g->shared, capacity, value_slots);
	g->base = (char *)MemoryContextAllocHuge(CurrentMemoryContext, capacity);
	advise_huge_pages(g->base, capacity);
}

void HnswMemInitLocal(HnswMemGraph *g, const HnswDistance *dist, const HnswColumns *cols, int m,
                      int ef_construction, int value_slots, Size value_size, Size limit,
                      double expected_tuples)
{
	Size wanted = (Size)((double)HnswMemExpectedBytes(Max(expected_tuples, 1000.0), m, value_size,
	                                                  value_slots, 32 * cols->nfilters) *
	                     1.1);
	init_local(g, dist, cols, m, ef_construction, value_slots,
	           Min(limit, Max(wanted, (Size)(1 << 20))));
	g->limit = limit;
	g->can_grow = true;
	init_scratch(g);
}

void HnswMemCopyLocal(HnswMemGraph *g, HnswMemShared *shared, const char *arena,
                      const HnswDistance *dist, const HnswColumns *cols, int m, int ef_construction)
{
	Size used = pg_atomic_read_u64(&shared->used);
	/* The write phase reads each link's target: on 4 kB pages, as the shared arena is,
	 * writing a million rows' pages took 2.5 s against 1.4-1.5 s on huge pages. */
	init_local(g, dist, cols, m, ef_construction, shared->value_slots, used);
	g->limit = used;
	g->can_grow = false;
	memcpy(g->base, arena, used);
	HnswMemShared *local = g->shared;
	pg_atomic_write_u64(&local->used, used);
	pg_atomic_write_u32(&local->next_id, pg_atomic_read_u32(&shared->next_id));
	pg_atomic_write_u64(&local->inserted, pg_atomic_read_u64(&shared->inserted));
	pg_atomic_write_u64(&local->duplicates, pg_atomic_read_u64(&shared->duplicates));
	local->entry = shared->entry;
	local->entry_level = shared->entry_level;
	init_scratch(g);
}

void HnswMemInitShared(HnswMemShared *shared, Size arena_bytes, int value_slots)
{
	memset(shared, 0, sizeof(*shared));
	init_shared(shared, arena_bytes, value_slots);
	shared->lock_tranche = LWLockNewTrancheId();
	LWLockInitialize(&shared->entry_lock, shared->lock_tranche);
}

void HnswMemAttach(HnswMemGraph *g, HnswMemShared *shared, char *arena, const HnswDistance *dist,
                   const HnswColumns *cols, int m, int ef_construction)
{
	memset(g, 0, sizeof(*g));
	init_view(g, dist, cols, m, ef_construction, shared->value_slots);
	g->shared = shared;
	g->base = arena;
	g->parallel = true;
	g->can_grow = false;
	g->limit = shared->capacity;
	LWLockRegisterTranche(shared->lock_tranche, "vecrbac hnsw build");
	init_scratch(g);
}

/* Takes `size` bytes of arena; 0 when it is full. */
static HnswMemRef allocate_element(HnswMemGraph *g, Size size)
{
	HnswMemShared *sh = g->shared;

	if (!g->parallel)
	{
		Size used = pg_atomic_read_u64(&sh->used);
		if (used + size > sh->capacity)
		{
			if (!g->can_grow || used + size > g->limit)
				return 0;
			Size grown = Min(g->limit, Max(sh->capacity * 2, used + size));
			g->base = (char *)repalloc_huge(g->base, grown);
			advise_huge_pages(g->base, grown);
			sh->capacity = grown;
		}
		pg_atomic_write_u64(&sh->used, used + size);
		return (HnswMemRef)(used / 8);
	}
	uint64 start = pg_atomic_fetch_add_u64(&sh->used, size);
	if (start + size > sh->capacity)
	{
		/*
		 * The one allocation that straddles the end ends the arena where it starts, so
		 * that HnswMemNext never walks into bytes no element was written to (the graph
		 * is written out when the arena is full). Allocations are ordered by the
		 * fetch-add: every earlier one ends at or before `start`, every later one fails.
		 */
		if (start < sh->capacity)
			sh->capacity = start;
		pg_atomic_write_u32(&sh->full, 1);
		return 0;
	}
	return (HnswMemRef)(start / 8);
}

/* Fills a freshly allocated element; its links are empty. */
static HnswMemElement *init_element(HnswMemGraph *g, HnswMemRef ref, Size size, int level,
                                    const HnswValue *value, const char *filters, Size filter_bytes,
                                    ItemPointer heaptid)
{
	HnswMemElement *e = HnswMemGet(g, ref);
	memset((char *)e, 0, size);
	if (g->parallel)
		LWLockInitialize(&e->lock, g->shared->lock_tranche);
	e->id = pg_atomic_fetch_add_u32(&g->shared->next_id, 1);
	e->level = (uint8)level;
	e->nheaptids = 1;
	e->heaptids[0] = *heaptid;
	e->linked = (uint16)(g->value_slots / (2 * g->m));
	e->links_offset = (uint32)(HNSW_MEM_VALUE_OFFSET + MAXALIGN(VARSIZE(value)));
	e->filter_offset = (uint32)filter_section_offset(level, g->m, VARSIZE(value), g->value_slots);
	e->filter_bytes = (uint32)filter_bytes;
	e->size = (uint32)size;
	ItemPointerSetInvalid(&e->chain_next);
	memcpy(HnswMemValue(e), value, VARSIZE(value));
	if (filter_bytes > 0)
		memcpy(HnswMemFilters(e), filters, filter_bytes);
	return e;
}

HnswMemInsertResult HnswMemInsert(HnswMemGraph *g, const HnswValue *value, const char *filters,
                                  Size filter_bytes, ItemPointer heaptid)
{
	MemScratch *s = scratch_of(g);
	HnswMemShared *sh = g->shared;
	int level = HnswLevelFor(heaptid, g->m, g->max_level);
	Size size = HnswMemElementSize(level, g->m, VARSIZE(value), g->value_slots, filter_bytes);

	if (pg_atomic_read_u32(&sh->full))
		return HNSW_MEM_FULL;

	/* The entry point as it is now; the very first element becomes it, under the lock. */
	if (g->parallel)
		LWLockAcquire(&sh->entry_lock, LW_EXCLUSIVE);
	HnswMemRef entry = sh->entry;
	int entry_level = sh->entry_level;
	if (entry == 0)
	{
		HnswMemRef ref = allocate_element(g, size);
		if (ref != 0)
		{
			init_element(g, ref, size, level, value, filters, filter_bytes, heaptid);
			sh->entry = ref;
			sh->entry_level = level;
			pg_atomic_fetch_add_u64(&sh->inserted, 1);
		}
		if (g->parallel)
			LWLockRelease(&sh->entry_lock);
		return ref != 0 ? HNSW_MEM_INSERTED : HNSW_MEM_FULL;
	}
	if (g->parallel)
		LWLockRelease(&sh->entry_lock);

	int top;
	{
		/* Descend the levels above the new element's own, then search each of its levels. */
		MemCandidate cur = {distance_between(g, value, HnswMemValue(HnswMemGet(g, entry))), entry};
		for (int l = entry_level; l > level; l--)
			cur = greedy_level(g, s, value, cur, l);
		top = Min(level, entry_level);
		const MemCandidate *entries = &cur;
		int nentries = 1;
		for (int l = top; l >= 0; l--)
		{
			search_level(g, s, value, entries, nentries, g->ef_construction, l, &s->found[l]);
			entries = s->found[l].data;
			nentries = s->found[l].size;
		}

		/* An identical vector already in the graph takes the heap TID instead. */
		float self = distance_between(g, value, value);
		for (int i = 0; i < s->found[0].size && s->found[0][i].distance <= self; i++)
		{
			HnswMemElement *same = HnswMemGet(g, s->found[0][i].ref);
			/* The same vector with other filter values is another element. */
			if (!HnswValueEquals(HnswMemValue(same), value) || same->filter_bytes != filter_bytes ||
			    (filter_bytes > 0 && memcmp(HnswMemFilters(same), filters, filter_bytes) != 0))
				continue;
			if (g->parallel)
				LWLockAcquire(&same->lock, LW_EXCLUSIVE);
			bool room = same->nheaptids < HNSW_HEAPTIDS;
			if (room)
				same->heaptids[same->nheaptids++] = *heaptid;
			if (g->parallel)
				LWLockRelease(&same->lock);
			if (room)
			{
				pg_atomic_fetch_add_u64(&sh->duplicates, 1);
				pg_atomic_fetch_add_u64(&sh->inserted, 1);
				return HNSW_MEM_DUPLICATE;
			}
		}
	}

	HnswMemRef ref = allocate_element(g, size);
	if (ref == 0)
		return HNSW_MEM_FULL;
	HnswMemElement *e = init_element(g, ref, size, level, value, filters, filter_bytes, heaptid);

	/* Its own links first: nobody can reach it until a backlink publishes it. */
	for (int l = top; l >= 0; l--)
		HnswMemCounts(e)[l] = (uint16)select_links(
		    g, s, s->found[l].data, s->found[l].size, HnswNewElementSlots(g->dist, l, g->m),
		    HnswMemLinks(e, l, g->m), link_cache(g, e, l).distance);
	for (int l = top; l >= 0; l--)
	{
		const HnswMemRef *links = HnswMemLinks(e, l, g->m);
		const float *distances = link_cache(g, e, l).distance;
		int count = HnswMemCounts(e)[l];
		/* The backlinks' lists are scattered: fetch a few ahead of the one being changed. */
		for (int i = 0; i < Min(count, HNSW_MEM_LINK_PREFETCH); i++)
			prefetch_links(g, links[i], l);
		for (int i = 0; i < count; i++)
		{
			if (i + HNSW_MEM_LINK_PREFETCH < count)
				prefetch_links(g, links[i + HNSW_MEM_LINK_PREFETCH], l);
			add_link(g, s, links[i], ref, distances[i], l);
		}
	}

	/* A new top level, or the very first element, becomes the entry point. */
	if (level > entry_level)
	{
		if (g->parallel)
			LWLockAcquire(&sh->entry_lock, LW_EXCLUSIVE);
		if (level > sh->entry_level)
		{
			sh->entry = ref;
			sh->entry_level = level;
		}
		if (g->parallel)
			LWLockRelease(&sh->entry_lock);
	}
	pg_atomic_fetch_add_u64(&sh->inserted, 1);
	return HNSW_MEM_INSERTED;
}

uint64 HnswMemLocalityKey(HnswMemGraph *g, const HnswValue *value)
{
	HnswMemShared *sh = g->shared;
	if (g->parallel)
		LWLockAcquire(&sh->entry_lock, LW_SHARED);
	HnswMemRef entry = sh->entry;
	int entry_level = sh->entry_level;
	if (g->parallel)
		LWLockRelease(&sh->entry_lock);
	if (entry == 0)
		return 0;
	MemCandidate cur = {distance_between(g, value, HnswMemValue(HnswMemGet(g, entry))), entry};
	HnswMemRef coarse = cur.ref;
	for (int l = entry_level; l >= 2; l--)
	{
		cur = greedy_level(g, scratch_of(g), value, cur, l);
		if (l == 3)
			coarse = cur.ref;
	}
	return ((uint64)coarse << 32) | cur.ref;
}

HnswMemRef HnswMemNext(const HnswMemGraph *g, HnswMemRef ref)
{
	Size offset;
	Size used = Min(pg_atomic_read_u64(&g->shared->used), g->shared->capacity);

	if (ref == 0)
		offset = 8;
	else
		offset = (Size)ref * 8 + HnswMemGet(g, ref)->size;
	return offset < used ? (HnswMemRef)(offset / 8) : 0;
}

/* ---- reachability repair --------------------------------------------------------------- */

namespace
{

constexpr int kRoomySample = 32; /* inner product: lists with room tried when none near has */

/*
 * Marks everything reachable from start, following the links follow(e, visit) offers
 * (it calls visit(ref) for each); depth first, on an explicit stack.
 */
template <typename Follow>
void mark_reachable_by(HnswMemGraph *g, HnswMemRef start, bool *reached, PgVec<HnswMemRef> *stack,
                       Follow &&follow)
{
	HnswMemElement *se = HnswMemGet(g, start);
	if (reached[se->id])
		return;
	reached[se->id] = true;
	stack->clear();
	stack->push(start);
	while (stack->size > 0)
	{
		const HnswMemElement *e = HnswMemGet(g, stack->data[--stack->size]);
		follow(e,
		       [&](HnswMemRef ref)
		       {
			       const HnswMemElement *t = HnswMemGet(g, ref);
			       if (!reached[t->id])
			       {
				       reached[t->id] = true;
				       stack->push(ref);
			       }
		       });
	}
}

/*
 * Marks everything reachable on level 0 from start, and counts in indegree the level-0
 * links of each element it marks: incoming links from reached elements, the ones a
 * repair may take away from an element that has two without cutting it off.
 */
void mark_reachable(HnswMemGraph *g, HnswMemRef start, bool *reached, PgVec<HnswMemRef> *stack,
                    uint16 *indegree)
{
	mark_reachable_by(g, start, reached, stack,
	                  [&](const HnswMemElement *e, auto &&visit)
	                  {
		                  const HnswMemRef *links = HnswMemLinks(e, 0, g->m);
		                  int n = HnswMemCounts(e)[0];
		                  /* Each target is a cache miss in a large graph: start them all. */
		                  for (int i = 0; i < n; i++)
			                  __builtin_prefetch(&HnswMemGet(g, links[i])->id);
		                  for (int i = 0; i < n; i++)
		                  {
			                  indegree[HnswMemGet(g, links[i])->id]++;
			                  visit(links[i]);
		                  }
	                  });
}

/*
 * Gives `target` an incoming link from `from` on level 0 (or among the value links):
 * a free slot, or under a metric the slot of from's farthest link whose element keeps
 * another incoming link there. Without a metric (inner product) only a free slot: the
 * links from elements of large norm are the searches' only ways, and taking any back
 * costs more than the link gives (measured on pgvector's recall data: recall@20 1.000
 * without, 0.58 to 0.72 with, whichever link is taken); link_from_roomy finds the free
 * slots there.
 */
bool link_into(HnswMemGraph *g, HnswMemRef from, HnswMemRef target, uint16 *indegree, int level = 0)
{
	HnswMemElement *fe = HnswMemGet(g, from);
	HnswMemRef *links = HnswMemLinks(fe, level, g->m);
	uint16 *count = HnswMemCount(fe, level);
	int capacity = HnswIsValueLevel(level) ? 2 * g->m : HnswLevelSlots(level, g->m);

	for (int i = 0; i < *count; i++)
		if (links[i] == target)
			return false;
	LinkCache cache = link_cache(g, fe, level);
	*cache.known = 0;
	if (*count < capacity)
	{
		cache.distance[*count] =
		    distance_between(g, HnswMemValue(fe), HnswMemValue(HnswMemGet(g, target)));
		links[(*count)++] = target;
		indegree[HnswMemGet(g, target)->id]++;
		return true;
	}
	if (!g->dist->metric)
		return false;
	int worst = -1;
	float worst_score = -INFINITY;
	for (int i = 0; i < *count; i++)
	{
		const HnswMemElement *t = HnswMemGet(g, links[i]);
		if (indegree[t->id] < 2)
			continue;
		float score = cache.distance[i];
		if (score > worst_score)
		{
			worst_score = score;
			worst = i;
		}
	}
	if (worst < 0)
		return false;
	indegree[HnswMemGet(g, links[worst])->id]--;
	links[worst] = target;
	cache.distance[worst] =
	    distance_between(g, HnswMemValue(fe), HnswMemValue(HnswMemGet(g, target)));
	indegree[HnswMemGet(g, target)->id]++;
	return true;
}

/* What a round of repairs tracks per element id, in the current memory context. */
struct RepairState
{
	uint32 count;
	uint16 *indegree; /* links from reached elements, on the level being repaired */
	HnswMemRef *refs; /* element by id */
	bool *reached;    /* reached from the entry (or the value's entry) */
	PgVec<HnswMemRef> stack;
	PgVec<HnswMemRef> roomy; /* inner product: reached elements whose level-0 list has room */
	int roomy_next = 0;      /* where the next sample of roomy starts */
	explicit RepairState(const HnswMemGraph *g) : count(HnswMemElements(g))
	{
		indegree = (uint16 *)palloc0(sizeof(uint16) * count);
		refs = (HnswMemRef *)palloc0(sizeof(HnswMemRef) * count);
		reached = (bool *)palloc0(sizeof(bool) * count);
		stack.init(1024);
		roomy.init(64);
	}
	void release()
	{
		pfree(reached);
		pfree(indegree);
		pfree(refs);
		stack.free_memory();
		roomy.free_memory();
	}
};

/*
 * Inner product, when neither x's own neighbors nor what a search for x finds have
 * room (elements of large norm, whose lists are full): a link from the nearest of a
 * sample of the reached elements whose level-0 lists have room (the next kRoomySample
 * of them, in turn; those found full leave the list), as VACUUM's repair does
 * (hnsw_reach.cpp). On pgvector's recall data (10,000 3-d vectors) the build had left
 * 5,100-5,300 elements unreachable.
 */
bool link_from_roomy(HnswMemGraph *g, RepairState &rs, HnswMemRef x, PgVec<MemCandidate> *near)
{
	const HnswValue *q = HnswMemValue(HnswMemGet(g, x));
	int slots = HnswLevelSlots(0, g->m);
	near->clear();
	for (int tries = 0; tries < 4 * kRoomySample && near->size < kRoomySample && rs.roomy.size > 0;
	     tries++)
	{
		int at = rs.roomy_next % rs.roomy.size;
		HnswMemRef ref = rs.roomy[at];
		const HnswMemElement *e = HnswMemGet(g, ref);
		if (HnswMemCounts(e)[0] >= slots)
		{
			rs.roomy[at] = rs.roomy[rs.roomy.size - 1];
			rs.roomy.size--;
			continue;
		}
		rs.roomy_next = at + 1;
		if (ref != x)
			near->push({distance_between(g, q, HnswMemValue(e)), ref});
	}
	std::sort(near->data, near->data + near->size, HnswCloserFirst());
	for (int i = 0; i < near->size; i++)
		if (link_into(g, near->data[i].ref, x, rs.indegree, 0))
			return true;
	return false;
}

/*
 * Links back every element that is not reached yet and that `repair` applies to: from
 * its own nearest reached neighbors (repair.own_links) if one of them takes a link to
 * it, else from the nearest reached elements a search finds (repair.search, into
 * s->pool); each element linked is marked with what it reaches (repair.mark). The
 * links go on `level` (0, or the value links). Returns how many were linked.
 */
template <typename Repair>
uint32 link_unreached(HnswMemGraph *g, RepairState &rs, int level, Repair &&repair)
{
	const bool *reached = rs.reached;
	MemScratch *s = scratch_of(g);
	uint32 reconnected = 0;
	PgVec<MemCandidate> near;
	near.init(4 * g->m);
	for (uint32 id = 0; id < rs.count; id++)
	{
		HnswMemRef x = rs.refs[id];
		int64 key = 0;
		if (reached[id] || x == 0)
			continue;
		const HnswMemElement *xe = HnswMemGet(g, x);
		if (!repair.applies(xe, &key))
			continue;
		const HnswValue *q = HnswMemValue(xe);
		bool linked = false;

		near.clear();
		repair.own_links(xe, key,
		                 [&](HnswMemRef ref)
		                 {
			                 const HnswMemElement *t = HnswMemGet(g, ref);
			                 if (reached[t->id])
				                 near.push({distance_between(g, q, HnswMemValue(t)), ref});
		                 });
		std::sort(near.data, near.data + near.size, HnswCloserFirst());
		for (int i = 0; i < near.size && !linked; i++)
			linked = link_into(g, near[i].ref, x, rs.indegree, level);

		if (!linked)
		{
			repair.search(s, q, key);
			for (int i = 0; i < s->pool.size && !linked; i++)
				if (s->pool[i].ref != x && reached[HnswMemGet(g, s->pool[i].ref)->id])
					linked = link_into(g, s->pool[i].ref, x, rs.indegree, level);
		}
		if (!linked && level == 0 && !HnswOrdersAsMetric(g->dist))
			linked = link_from_roomy(g, rs, x, &near);
		if (linked)
		{
			reconnected++;
			repair.mark(x, key);
			if (level == 0 && !HnswOrdersAsMetric(g->dist) &&
			    HnswMemCounts(xe)[0] < HnswLevelSlots(0, g->m))
				rs.roomy.push(x);
		}
	}
	near.free_memory();
	return reconnected;
}

/* The repair of level 0: every element should be reached from the entry point. */
struct LevelZeroRepair
{
	HnswMemGraph *g;
	bool *reached;
	PgVec<HnswMemRef> *stack;
	uint16 *indegree;
	bool applies(const HnswMemElement *, int64 *) { return true; }
	void own_links(const HnswMemElement *xe, int64, auto &&offer)
	{
		const HnswMemRef *links = HnswMemLinks(xe, 0, g->m);
		for (int i = 0; i < HnswMemCounts(xe)[0]; i++)
			offer(links[i]);
	}
	void search(MemScratch *s, const HnswValue *q, int64)
	{
		HnswMemRef entry = g->shared->entry;
		MemCandidate cur = {distance_between(g, q, HnswMemValue(HnswMemGet(g, entry))), entry};
		for (int l = g->shared->entry_level; l > 0; l--)
			cur = greedy_level(g, s, q, cur, l);
		search_level(g, s, q, &cur, 1, g->ef_construction, 0, &s->pool);
	}
	void mark(HnswMemRef x, int64) { mark_reachable(g, x, reached, stack, indegree); }
};

/* One round of repairs; a replaced link can orphan another element, hence rounds. */
uint32 connect_round(HnswMemGraph *g)
{
	RepairState rs(g);

	for (HnswMemRef ref = HnswMemNext(g, 0); ref != 0; ref = HnswMemNext(g, ref))
		rs.refs[HnswMemGet(g, ref)->id] = ref;
	mark_reachable(g, g->shared->entry, rs.reached, &rs.stack, rs.indegree);
	if (!HnswOrdersAsMetric(g->dist))
		for (uint32 id = 0; id < rs.count; id++)
			if (rs.reached[id] && rs.refs[id] != 0 &&
			    HnswMemCounts(HnswMemGet(g, rs.refs[id]))[0] < HnswLevelSlots(0, g->m))
				rs.roomy.push(rs.refs[id]);

	uint32 reconnected =
	    link_unreached(g, rs, 0, LevelZeroRepair{g, rs.reached, &rs.stack, rs.indegree});
	rs.release();
	return reconnected;
}

} // namespace

uint32 HnswMemConnectUnreachable(HnswMemGraph *g)
{
	uint32 total = 0;

	if (HnswMemElements(g) < 2)
		return 0;
	g->parallel = false; /* the workers are gone; the leader alone edits now */
	for (int round = 0; round < 4; round++)
	{
		uint32 reconnected = connect_round(g);
		total += reconnected;
		if (reconnected == 0)
			break;
	}
	return total;
}

/* ---- value links ------------------------------------------------------------------------ */

namespace
{

typedef HnswMemValueEntry ValueEntry;

HTAB *value_table(const char *name)
{
	HASHCTL ctl;
	ctl.keysize = sizeof(int64);
	ctl.entrysize = sizeof(ValueEntry);
	ctl.hcxt = CurrentMemoryContext;
	return hash_create(name, 1024, &ctl, HASH_ELEM | HASH_BLOBS | HASH_CONTEXT);
}

/* Whether e's value of scalar filter f is key. */
inline bool same_value(const HnswMemGraph *g, const HnswMemElement *e, int f, int64 key)
{
	int64 k;
	return HnswFilterKey(g->cols, HnswMemFilters(e), f, &k) && k == key;
}

/*
 * Best-first search among the elements with one value of filter f, through f's value
 * links and through level-0 links that stay within the value; the ef nearest, sorted.
 */
void search_value(HnswMemGraph *g, MemScratch *s, const HnswValue *q, int f, int64 key,
                  const MemCandidate *entries, int nentries, int ef, PgVec<MemCandidate> *out)
{
	int vlevel = HnswValueLevel(g->cols->value_slot[f]);
	best_first(g, s, q, entries, nentries, ef, out,
	           [&](HnswMemElement *e, HnswMemRef *next)
	           {
		           int n = copy_links(g, e, vlevel, next);
		           HnswMemRef regular[2 * HNSW_MAX_M];
		           int r = copy_links(g, e, 0, regular);
		           for (int i = 0; i < r; i++)
			           if (same_value(g, HnswMemGet(g, regular[i]), f, key))
				           next[n++] = regular[i];
		           return n;
	           });
}

/* Marks what a search within start's value of f reaches from start: f's value links, and
 * level-0 links that stay within the value. */
void mark_value_reachable(HnswMemGraph *g, HnswMemRef start, int f, int64 key, bool *reached,
                          PgVec<HnswMemRef> *stack, uint16 *indegree)
{
	int vlevel = HnswValueLevel(g->cols->value_slot[f]);
	mark_reachable_by(g, start, reached, stack,
	                  [&](const HnswMemElement *e, auto &&visit)
	                  {
		                  const HnswMemRef *values = HnswMemLinks(e, vlevel, g->m);
		                  for (int i = 0; i < *HnswMemCount(e, vlevel); i++)
		                  {
			                  indegree[HnswMemGet(g, values[i])->id]++;
			                  visit(values[i]);
		                  }
		                  const HnswMemRef *links = HnswMemLinks(e, 0, g->m);
		                  for (int i = 0; i < *HnswMemCount(e, 0); i++)
			                  if (same_value(g, HnswMemGet(g, links[i]), f, key))
				                  visit(links[i]);
	                  });
}

/* The repair of f's value links: every element should be reached from its value's entry. */
struct ValueRepair
{
	HnswMemGraph *g;
	int f;
	bool *reached;
	PgVec<HnswMemRef> *stack;
	HTAB *entries; /* ValueEntry by key */
	uint16 *indegree;
	bool applies(const HnswMemElement *xe, int64 *key)
	{
		return HnswFilterKey(g->cols, HnswMemFilters(xe), f, key);
	}
	void own_links(const HnswMemElement *xe, int64 key, auto &&offer)
	{
		for (int level : {HnswValueLevel(g->cols->value_slot[f]), 0})
		{
			const HnswMemRef *links = HnswMemLinks(xe, level, g->m);
			for (int i = 0; i < *HnswMemCount(xe, level); i++)
				if (same_value(g, HnswMemGet(g, links[i]), f, key))
					offer(links[i]);
		}
	}
	void search(MemScratch *s, const HnswValue *q, int64 key)
	{
		ValueEntry *ve = (ValueEntry *)hash_search(entries, &key, HASH_FIND, NULL);
		MemCandidate first = {distance_between(g, q, HnswMemValue(HnswMemGet(g, ve->entry))),
		                      ve->entry};
		search_value(g, s, q, f, key, &first, 1, g->ef_construction, &s->pool);
	}
	void mark(HnswMemRef x, int64 key)
	{
		mark_value_reachable(g, x, f, key, reached, stack, indegree);
	}
};

/*
 * One round of linking back the elements that a search within their value of f cannot
 * reach from the value's entry (its highest element, as the directory records it).
 */
uint32 connect_values_round(HnswMemGraph *g, int f)
{
	RepairState rs(g);
	for (HnswMemRef ref = HnswMemNext(g, 0); ref != 0; ref = HnswMemNext(g, ref))
		rs.refs[HnswMemGet(g, ref)->id] = ref;
	HTAB *entries = HnswMemValueEntries(g, f);
	HASH_SEQ_STATUS seq;
	hash_seq_init(&seq, entries);
	for (ValueEntry *ve; (ve = (ValueEntry *)hash_seq_search(&seq)) != NULL;)
		mark_value_reachable(g, ve->entry, f, ve->key, rs.reached, &rs.stack, rs.indegree);

	uint32 reconnected =
	    link_unreached(g, rs, HnswValueLevel(g->cols->value_slot[f]),
	                   ValueRepair{g, f, rs.reached, &rs.stack, entries, rs.indegree});
	hash_destroy(entries);
	rs.release();
	return reconnected;
}

/* Builds the value links of scalar filter f (see HnswMemBuildValueLinks). */
void build_value_links(HnswMemGraph *g, int f)
{
	MemScratch *s = scratch_of(g);
	HTAB *values = value_table("hnsw value link entries");
	PgVec<MemCandidate> seeds;
	seeds.init(2 * g->m + 1);
	PgVec<MemCandidate> &found = s->found[0];
	const int vlevel = HnswValueLevel(g->cols->value_slot[f]);
	uint64 done = 0;

	for (HnswMemRef ref = HnswMemNext(g, 0); ref != 0; ref = HnswMemNext(g, ref))
	{
		HnswMemElement *e = HnswMemGet(g, ref);
		int64 key;
		if (!HnswFilterKey(g->cols, HnswMemFilters(e), f, &key))
			continue;
		bool present;
		ValueEntry *ve = (ValueEntry *)hash_search(values, &key, HASH_ENTER, &present);
		if (!present)
		{
			ve->entry = ref; /* the first element of a value starts its searches */
			continue;
		}

		/* Start from the value's entry and from e's own neighbors of the same value. */
		const HnswValue *q = HnswMemValue(e);
		seeds.clear();
		MemCandidate first = {distance_between(g, q, HnswMemValue(HnswMemGet(g, ve->entry))),
		                      ve->entry};
		seeds.push(first);
		const HnswMemRef *links = HnswMemLinks(e, 0, g->m);
		for (int i = 0; i < *HnswMemCount(e, 0); i++)
		{
			const HnswMemElement *ne = HnswMemGet(g, links[i]);
			if (same_value(g, ne, f, key))
			{
				MemCandidate c = {distance_between(g, q, HnswMemValue(ne)), links[i]};
				seeds.push(c);
			}
		}
		/* e is not linked by value yet, so no search reaches it, but it must not pick itself. */
		search_value(g, s, q, f, key, seeds.data, seeds.size, g->ef_construction, &found);
		int kept = 0;
		for (int i = 0; i < found.size; i++)
			if (found[i].ref != ref)
				found[kept++] = found[i];
		found.size = kept;

		HnswMemRef *vlinks = HnswMemLinks(e, vlevel, g->m);
		const float *vdistances = link_cache(g, e, vlevel).distance;
		uint16 n = (uint16)select_links(g, s, found.data, found.size, g->m, vlinks,
		                                link_cache(g, e, vlevel).distance);
		*HnswMemCount(e, vlevel) = n;
		for (int i = 0; i < n; i++)
			add_link(g, s, vlinks[i], ref, vdistances[i], vlevel);
		if (++done % 1000 == 0)
			CHECK_FOR_INTERRUPTS();
	}
	hash_destroy(values);
	seeds.free_memory();

	/* Pruned backlinks can strand elements of a value: link them back, as for level 0. */
	for (int round = 0; round < 4; round++)
		if (connect_values_round(g, f) == 0)
			break;
}

} // namespace

void HnswMemBuildValueLinks(HnswMemGraph *g)
{
	if (g->value_slots == 0 || HnswMemElements(g) < 2)
		return;
	g->parallel = false;
	for (int f = 0; f < g->cols->nfilters; f++)
		if (HnswHasValueLinks(g->cols, f, g->m, g->value_slots))
			build_value_links(g, f);
}

HTAB *HnswMemValueEntries(const HnswMemGraph *g, int f)
{
	HTAB *entries = value_table("hnsw value entries");
	for (HnswMemRef ref = HnswMemNext(g, 0); ref != 0; ref = HnswMemNext(g, ref))
	{
		const HnswMemElement *e = HnswMemGet(g, ref);
		int64 key;
		if (!HnswFilterKey(g->cols, HnswMemFilters(e), f, &key))
			continue;
		bool present;
		ValueEntry *ve = (ValueEntry *)hash_search(entries, &key, HASH_ENTER, &present);
		if (!present || e->level > HnswMemGet(g, ve->entry)->level)
			ve->entry = ref;
	}
	return entries;
}

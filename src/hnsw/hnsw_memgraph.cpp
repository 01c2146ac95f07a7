/*
 * hnsw_memgraph.cpp: building the HNSW graph in memory (CREATE INDEX).
 *
 * This is where build time goes, so it stays close to the metal: distances on raw
 * floats through the SIMD kernels, a visited set that is an epoch array indexed by
 * element id (cleared in O(1)), neighbor vectors prefetched before they are used,
 * and no allocation per insertion beyond the element itself.
 */
#include "hnsw/hnsw_memgraph.h"

extern "C" {
#include "miscadmin.h"
#include "utils/memutils.h"
}

#include <algorithm>
#include <cmath>
#include <cstring>
#include <xmmintrin.h>

using vecrbac::pg::PgHeap;
using vecrbac::pg::PgVec;

namespace {

struct MemCandidate
{
	float distance;
	HnswMemRef ref;
};

struct CloserFirst
{
	bool operator()(const MemCandidate &a, const MemCandidate &b) const
	{
		return a.distance < b.distance;
	}
};

struct FartherFirst
{
	bool operator()(const MemCandidate &a, const MemCandidate &b) const
	{
		return a.distance > b.distance;
	}
};

/* Scratch space reused by every insertion. */
struct MemScratch
{
	PgHeap<MemCandidate, CloserFirst> candidates;
	PgHeap<MemCandidate, FartherFirst> nearest;
	/* Per level, the ef_construction nearest found (sorted), kept until linking. */
	PgVec<MemCandidate> found[HNSW_MAX_LEVEL + 1];
	PgVec<MemCandidate> pool; /* a full link list plus the new link, being pruned */
	PgVec<HnswCandidate> sorted;
	PgVec<HnswCandidate> kept;
	PgVec<const Vector *> vectors;
};

inline float distance_between(const HnswMemGraph *g, const Vector *a, const Vector *b)
{
	return HnswVectorDistance(g->dist, a, b);
}

inline void prefetch_vector(const HnswMemGraph *g, HnswMemRef ref)
{
	const char *p = (const char *) HnswMemVector(HnswMemGet(g, ref));
	_mm_prefetch(p, _MM_HINT_T0);
	_mm_prefetch(p + 64, _MM_HINT_T0);
}

/* Starts a new visit generation; every element is unvisited again. */
void new_visit(HnswMemGraph *g)
{
	if (g->visited_size < g->count + 1)
	{
		uint32 grown = Max(g->visited_size * 2, g->count + 1024);
		g->visited = (uint32 *) repalloc_huge(g->visited, sizeof(uint32) * (Size) grown);
		memset(g->visited + g->visited_size, 0, sizeof(uint32) * (Size) (grown - g->visited_size));
		g->visited_size = grown;
	}
	if (++g->epoch == 0)
	{
		memset(g->visited, 0, sizeof(uint32) * (Size) g->visited_size);
		g->epoch = 1;
	}
}

/* Marks ref visited; returns false if it already was in this generation. */
inline bool visit(HnswMemGraph *g, const HnswMemElement *e)
{
	if (g->visited[e->id] == g->epoch)
		return false;
	g->visited[e->id] = g->epoch;
	return true;
}

/*
 * Algorithm 2 of the paper: best-first search of one level from the entry
 * candidates, keeping the ef nearest. Leaves them sorted by distance in out.
 */
void search_level(HnswMemGraph *g, MemScratch *s, const Vector *q, const MemCandidate *entries,
				  int nentries, int ef, int level, PgVec<MemCandidate> *out)
{
	auto &candidates = s->candidates;
	auto &nearest = s->nearest;

	new_visit(g);
	candidates.clear();
	nearest.clear();
	for (int i = 0; i < nentries; i++)
	{
		visit(g, HnswMemGet(g, entries[i].ref));
		candidates.push(entries[i]);
		nearest.push(entries[i]);
		if (nearest.size() > ef)
			nearest.pop();
	}

	while (!candidates.empty())
	{
		MemCandidate c = candidates.top();
		if (nearest.size() >= ef && c.distance > nearest.top().distance)
			break;
		candidates.pop();

		const HnswMemElement *ce = HnswMemGet(g, c.ref);
		const HnswMemRef *links = HnswMemLinks(ce, level, g->m);
		int count = HnswMemCounts(ce)[level];

		for (int i = 0; i < count; i++)
			prefetch_vector(g, links[i]);
		for (int i = 0; i < count; i++)
		{
			const HnswMemElement *ne = HnswMemGet(g, links[i]);
			if (!visit(g, ne))
				continue;
			bool exact;
			float bound = nearest.size() < ef ? INFINITY : nearest.top().distance;
			float d = HnswVectorDistanceBounded(g->dist, q, HnswMemVector(ne), bound, &exact);
			if (exact && (nearest.size() < ef || d < nearest.top().distance))
			{
				MemCandidate nc = {d, links[i]};
				candidates.push(nc);
				nearest.push(nc);
				if (nearest.size() > ef)
					nearest.pop();
			}
		}
	}

	out->clear();
	out->reserve(nearest.size());
	out->size = nearest.size();
	for (int i = nearest.size() - 1; i >= 0; i--)
		out->data[i] = nearest.pop();
}

/* Greedy descent on one level (ef = 1), as in the upper layers of algorithm 1. */
MemCandidate greedy_level(HnswMemGraph *g, const Vector *q, MemCandidate cur, int level)
{
	bool changed = true;

	while (changed)
	{
		changed = false;
		const HnswMemElement *ce = HnswMemGet(g, cur.ref);
		const HnswMemRef *links = HnswMemLinks(ce, level, g->m);
		int count = HnswMemCounts(ce)[level];

		for (int i = 0; i < count; i++)
			prefetch_vector(g, links[i]);
		for (int i = 0; i < count; i++)
		{
			float d = distance_between(g, q, HnswMemVector(HnswMemGet(g, links[i])));
			if (d < cur.distance)
			{
				cur.distance = d;
				cur.ref = links[i];
				changed = true;
			}
		}
	}
	return cur;
}

/* Chooses up to max_keep of the sorted candidates with the paper's heuristic. */
int select_links(HnswMemGraph *g, MemScratch *s, const MemCandidate *sorted, int n, int max_keep,
				 HnswMemRef *out)
{
	s->sorted.clear();
	s->vectors.clear();
	for (int i = 0; i < n; i++)
	{
		HnswCandidate c = {sorted[i].distance, i};
		s->sorted.push(c);
		s->vectors.push(HnswMemVector(HnswMemGet(g, sorted[i].ref)));
	}
	s->kept.reserve(max_keep);
	int kept = HnswSelectNeighbors(g->dist, s->sorted.data, n, s->vectors.data, max_keep,
								   s->kept.data);
	for (int i = 0; i < kept; i++)
		out[i] = sorted[s->kept.data[i].index].ref;
	return kept;
}

/* Adds a link from element `from` to `to` on a level, pruning when the list is full. */
void add_link(HnswMemGraph *g, MemScratch *s, HnswMemRef from, HnswMemRef to, float distance,
			  int level)
{
	HnswMemElement *fe = HnswMemGet(g, from);
	HnswMemRef *links = HnswMemLinks(fe, level, g->m);
	uint16 *count = &HnswMemCounts(fe)[level];
	int capacity = HnswLevelSlots(level, g->m);

	for (int i = 0; i < *count; i++)
		if (links[i] == to)
			return;
	if (*count < capacity)
	{
		links[(*count)++] = to;
		return;
	}

	/* Full: keep the most useful of the old links and the new one. */
	PgVec<MemCandidate> &pool = s->pool;
	pool.clear();
	const Vector *fv = HnswMemVector(fe);
	for (int i = 0; i < *count; i++)
		prefetch_vector(g, links[i]);
	for (int i = 0; i < *count; i++)
	{
		MemCandidate c = {distance_between(g, fv, HnswMemVector(HnswMemGet(g, links[i]))), links[i]};
		pool.push(c);
	}
	MemCandidate added = {distance, to};
	pool.push(added);
	std::sort(pool.data, pool.data + pool.size, CloserFirst());
	*count = (uint16) select_links(g, s, pool.data, pool.size, capacity, links);
}

inline MemScratch *scratch_of(HnswMemGraph *g)
{
	return (MemScratch *) g->scratch;
}

} // namespace

Size HnswMemElementSize(int level, int m, int dimensions)
{
	Size size = HNSW_MEM_VECTOR_OFFSET + MAXALIGN(VECTOR_SIZE(dimensions));
	size += MAXALIGN(sizeof(uint16) * (level + 1));
	size += sizeof(HnswMemRef) * (Size) (level + 2) * m;
	return MAXALIGN(size);
}

void HnswMemInit(HnswMemGraph *g, const HnswDistance *dist, int m, int ef_construction,
				 int dimensions, Size limit, double expected_tuples)
{
	memset(g, 0, sizeof(*g));
	g->m = m;
	g->ef_construction = ef_construction;
	g->dimensions = dimensions;
	g->dist = dist;
	g->max_level = HnswMaxLevelForM(m);
	g->entry_level = -1;
	g->limit = limit;

	/* Start near the expected need (average element is about level 0 plus 1/(m-1) levels). */
	double per_element = (double) HnswMemElementSize(0, m, dimensions) + 8.0 * m;
	double wanted = Max(expected_tuples, 1000.0) * per_element * 1.1;
	g->capacity = (Size) Min((double) limit, Max(wanted, (double) (1 << 20)));
	g->base = (char *) MemoryContextAllocHuge(CurrentMemoryContext, g->capacity);
	g->used = 8;

	g->visited_size = 1024;
	g->visited = (uint32 *) MemoryContextAllocHuge(CurrentMemoryContext, sizeof(uint32) * 1024);
	memset(g->visited, 0, sizeof(uint32) * 1024);
	g->epoch = 0;

	MemScratch *s = (MemScratch *) palloc0(sizeof(MemScratch));
	s->candidates.init(256);
	s->nearest.init(256);
	for (auto &f : s->found)
		f.init(ef_construction + 1);
	s->sorted.init(4 * m);
	s->kept.init(4 * m);
	s->vectors.init(4 * m);
	s->pool.init(2 * m + 1);
	g->scratch = s;
}

/* Makes room for `size` more bytes, growing the arena up to its limit. */
static bool reserve_arena(HnswMemGraph *g, Size size)
{
	if (g->used + size <= g->capacity)
		return true;
	if (g->used + size > g->limit)
		return false;
	Size grown = Min(g->limit, Max(g->capacity * 2, g->used + size));
	g->base = (char *) repalloc_huge(g->base, grown);
	g->capacity = grown;
	return true;
}

HnswMemInsertResult HnswMemInsert(HnswMemGraph *g, const Vector *value, ItemPointer heaptid)
{
	MemScratch *s = scratch_of(g);
	int level = HnswRandomLevel(g->m, g->max_level);
	Size size = HnswMemElementSize(level, g->m, g->dimensions);

	if (!reserve_arena(g, size))
		return HNSW_MEM_FULL;

	HnswMemRef ref = (HnswMemRef) (g->used / 8);
	HnswMemElement *e = HnswMemGet(g, ref);
	memset(e, 0, size);
	e->id = g->count;
	e->level = (uint8) level;
	e->nheaptids = 1;
	e->heaptids[0] = *heaptid;
	e->links_offset = (uint32) (HNSW_MEM_VECTOR_OFFSET + MAXALIGN(VECTOR_SIZE(g->dimensions)));
	memcpy(HnswMemVector(e), value, VECTOR_SIZE(g->dimensions));
	const Vector *q = HnswMemVector(e);

	if (g->entry == 0)
	{
		g->used += size;
		g->count++;
		g->entry = ref;
		g->entry_level = level;
		return HNSW_MEM_INSERTED;
	}

	/* Descend the levels above the new element's own. */
	MemCandidate cur = {distance_between(g, q, HnswMemVector(HnswMemGet(g, g->entry))), g->entry};
	for (int l = g->entry_level; l > level; l--)
		cur = greedy_level(g, q, cur, l);

	/* Search each of its levels; the nearest found seed the level below. */
	int top = Min(level, g->entry_level);
	const MemCandidate *entries = &cur;
	int nentries = 1;
	for (int l = top; l >= 0; l--)
	{
		/* The new element is not linked yet, so no search can reach it: ids stay valid. */
		search_level(g, s, q, entries, nentries, g->ef_construction, l, &s->found[l]);
		entries = s->found[l].data;
		nentries = s->found[l].size;
	}

	/* An identical vector already in the graph takes the heap TID instead. */
	float self = distance_between(g, q, q);
	for (int i = 0; i < s->found[0].size && s->found[0][i].distance <= self; i++)
	{
		HnswMemElement *same = HnswMemGet(g, s->found[0][i].ref);
		if (same->nheaptids < HNSW_HEAPTIDS &&
			memcmp(HnswMemVector(same), q, VECTOR_SIZE(g->dimensions)) == 0)
		{
			same->heaptids[same->nheaptids++] = *heaptid;
			g->duplicates++;
			return HNSW_MEM_DUPLICATE;
		}
	}

	g->used += size;
	g->count++;
	for (int l = top; l >= 0; l--)
	{
		const PgVec<MemCandidate> &found = s->found[l];
		HnswMemRef *links = HnswMemLinks(e, l, g->m);
		int n = select_links(g, s, found.data, found.size, g->m, links);
		HnswMemCounts(e)[l] = (uint16) n;
		for (int i = 0; i < n; i++)
		{
			float d = 0;
			for (int j = 0; j < found.size; j++)
				if (found.data[j].ref == links[i])
				{
					d = found.data[j].distance;
					break;
				}
			add_link(g, s, links[i], ref, d, l);
		}
	}
	if (level > g->entry_level)
	{
		g->entry = ref;
		g->entry_level = level;
	}
	return HNSW_MEM_INSERTED;
}

HnswMemRef HnswMemNext(const HnswMemGraph *g, HnswMemRef ref)
{
	Size offset;

	if (ref == 0)
		offset = 8;
	else
	{
		const HnswMemElement *e = HnswMemGet(g, ref);
		offset = (Size) ref * 8 + HnswMemElementSize(e->level, g->m, g->dimensions);
	}
	return offset < g->used ? (HnswMemRef) (offset / 8) : 0;
}

namespace {

/* Marks everything reachable on level 0 from start. */
void mark_reachable(HnswMemGraph *g, HnswMemRef start, bool *reached, PgVec<HnswMemRef> *stack)
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
		const HnswMemRef *links = HnswMemLinks(e, 0, g->m);
		for (int i = 0; i < HnswMemCounts(e)[0]; i++)
		{
			const HnswMemElement *t = HnswMemGet(g, links[i]);
			if (!reached[t->id])
			{
				reached[t->id] = true;
				stack->push(links[i]);
			}
		}
	}
}

/*
 * Gives `target` an incoming level-0 link from `from`: a free slot, or the slot of
 * from's farthest link whose element keeps another incoming link.
 */
bool link_into(HnswMemGraph *g, HnswMemRef from, HnswMemRef target, uint16 *indegree)
{
	HnswMemElement *fe = HnswMemGet(g, from);
	HnswMemRef *links = HnswMemLinks(fe, 0, g->m);
	uint16 *count = &HnswMemCounts(fe)[0];

	for (int i = 0; i < *count; i++)
		if (links[i] == target)
			return false;
	if (*count < HnswLevelSlots(0, g->m))
	{
		links[(*count)++] = target;
		indegree[HnswMemGet(g, target)->id]++;
		return true;
	}
	int worst = -1;
	float worst_distance = -1;
	for (int i = 0; i < *count; i++)
	{
		const HnswMemElement *t = HnswMemGet(g, links[i]);
		if (indegree[t->id] < 2)
			continue;
		float d = distance_between(g, HnswMemVector(fe), HnswMemVector(t));
		if (d > worst_distance)
		{
			worst_distance = d;
			worst = i;
		}
	}
	if (worst < 0)
		return false;
	indegree[HnswMemGet(g, links[worst])->id]--;
	links[worst] = target;
	indegree[HnswMemGet(g, target)->id]++;
	return true;
}

} // namespace

/* One round of repairs; a replaced link can orphan another element, hence rounds. */
static uint32 connect_round(HnswMemGraph *g)
{
	MemScratch *s = scratch_of(g);
	uint16 *indegree = (uint16 *) palloc0(sizeof(uint16) * g->count);
	HnswMemRef *refs = (HnswMemRef *) palloc(sizeof(HnswMemRef) * g->count);
	PgVec<HnswMemRef> stack;
	stack.init(1024);

	for (HnswMemRef ref = HnswMemNext(g, 0); ref != 0; ref = HnswMemNext(g, ref))
	{
		const HnswMemElement *e = HnswMemGet(g, ref);
		refs[e->id] = ref;
		const HnswMemRef *links = HnswMemLinks(e, 0, g->m);
		for (int i = 0; i < HnswMemCounts(e)[0]; i++)
			indegree[HnswMemGet(g, links[i])->id]++;
	}

	bool *reached = (bool *) palloc0(sizeof(bool) * g->count);
	mark_reachable(g, g->entry, reached, &stack);

	uint32 reconnected = 0;
	PgVec<MemCandidate> near;
	near.init(2 * g->m);
	for (uint32 id = 0; id < g->count; id++)
	{
		if (reached[id])
			continue;
		HnswMemRef x = refs[id];
		const HnswMemElement *xe = HnswMemGet(g, x);
		bool linked = false;

		/* First choice: x's own nearest neighbors that are reachable. */
		near.clear();
		const HnswMemRef *links = HnswMemLinks(xe, 0, g->m);
		for (int i = 0; i < HnswMemCounts(xe)[0]; i++)
		{
			const HnswMemElement *t = HnswMemGet(g, links[i]);
			if (reached[t->id])
			{
				MemCandidate c = {distance_between(g, HnswMemVector(xe), HnswMemVector(t)), links[i]};
				near.push(c);
			}
		}
		std::sort(near.data, near.data + near.size, CloserFirst());
		for (int i = 0; i < near.size && !linked; i++)
			linked = link_into(g, near[i].ref, x, indegree);

		/* Else: the nearest reachable elements a search finds. */
		if (!linked)
		{
			const Vector *q = HnswMemVector(xe);
			MemCandidate cur = {distance_between(g, q, HnswMemVector(HnswMemGet(g, g->entry))), g->entry};
			for (int l = g->entry_level; l > 0; l--)
				cur = greedy_level(g, q, cur, l);
			search_level(g, s, q, &cur, 1, g->ef_construction, 0, &s->pool);
			for (int i = 0; i < s->pool.size && !linked; i++)
				if (s->pool[i].ref != x && reached[HnswMemGet(g, s->pool[i].ref)->id])
					linked = link_into(g, s->pool[i].ref, x, indegree);
		}
		if (linked)
		{
			reconnected++;
			mark_reachable(g, x, reached, &stack);
		}
	}
	pfree(reached);
	pfree(indegree);
	pfree(refs);
	stack.free_memory();
	near.free_memory();
	return reconnected;
}

uint32 HnswMemConnectUnreachable(HnswMemGraph *g)
{
	uint32 total = 0;

	if (g->count < 2)
		return 0;
	for (int round = 0; round < 4; round++)
	{
		uint32 reconnected = connect_round(g);
		total += reconnected;
		if (reconnected == 0)
			break;
	}
	return total;
}

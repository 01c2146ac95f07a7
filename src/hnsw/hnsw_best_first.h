/*
 * hnsw_best_first.h: the best-first search of one graph level (algorithm 2 of the
 * HNSW paper), shared by the search on disk (hnsw_disk.cpp: scans, inserts, vacuum)
 * and the in-memory build graph (hnsw_memgraph.cpp).
 *
 * The two differ only in how a candidate's neighbors are found and measured (pages
 * under share locks, read in batches, versus raw memory with prefetches), so that part
 * is the caller's `expand` callback; the heaps, the ef bound, the stop rule and the
 * sorted result are here, once. Candidate is any POD with a float `distance`; the
 * heaps are the caller's, reused across searches, in its memory context.
 */
#pragma once

#include "hnsw/hnsw.h"

#include "pg/containers.h"

#include <cmath>

template <typename Candidate> struct HnswBestFirst
{
	vecrbac::pg::PgHeap<Candidate, HnswCloserFirst> &candidates; /* to expand, closest first */
	vecrbac::pg::PgHeap<Candidate, HnswFartherFirst> &nearest; /* the ef nearest, farthest first */
	int ef;

	/* Empties both heaps for a new search. */
	void begin()
	{
		candidates.clear();
		nearest.clear();
	}

	/* An entry point: always expanded; kept among the results when `keep`. */
	void enter(const Candidate &c, bool keep)
	{
		candidates.push(c);
		if (keep)
			keep_nearest(c);
	}

	/* The distance a new neighbor must beat (infinite until ef are kept). */
	float bound() const { return nearest.size() < ef ? INFINITY : nearest.top().distance; }

	/*
	 * A measured neighbor: expanded later if it could improve the results, and kept
	 * among them when `keep` (a deleted element is walked through, never returned).
	 */
	void offer(const Candidate &c, bool keep)
	{
		if (nearest.size() < ef || c.distance < nearest.top().distance)
		{
			candidates.push(c);
			if (keep)
				keep_nearest(c);
		}
	}

	/*
	 * Expands the closest candidate until none is closer than the farthest result;
	 * expand(c) measures c's unvisited neighbors and offers them. Leaves the results
	 * sorted by increasing distance in out.
	 */
	template <typename Expand> void run(Expand &&expand, vecrbac::pg::PgVec<Candidate> *out)
	{
		while (!candidates.empty())
		{
			Candidate c = candidates.top();
			if (nearest.size() >= ef && c.distance > nearest.top().distance)
				break;
			candidates.pop();
			expand(c);
		}
		out->clear();
		out->reserve(nearest.size());
		out->size = nearest.size();
		for (int i = nearest.size() - 1; i >= 0; i--)
			out->data[i] = nearest.pop();
	}

  private:
	void keep_nearest(const Candidate &c)
	{
		nearest.push(c);
		if (nearest.size() > ef)
			nearest.pop();
	}
};

/*
 * ivfflat_build.h: the state a build shares between its serial part
 * (ivfflat_build.cpp) and the participants of a parallel assignment
 * (ivfflat_build_parallel.cpp). Internal to the build.
 */
#pragma once

#include "ivfflat/ivfflat.h"

extern "C"
{
#include "common/pg_prng.h"
}

typedef struct IvfBuildState
{
	Relation index;
	ForkNumber fork;
	HnswDistance dist;
	HnswColumns cols;
	int lists;
	/* sampling */
	IvfSamples samples;
	double seen;
	pg_prng_state rng;
	/* assigning */
	IvfList *list;
	float *quarter_gaps; /* IvfCenterQuarterGaps of the lists, or NULL */
	BlockNumber *insert_page;
	BlockNumber *key_insert_page; /* each list's key chain, where appends start */
	/*
	 * A parallel worker's own chains (NULL for the leader, which appends to the lists'
	 * chains): each list's first entry and key page, InvalidBlockNumber until a row
	 * goes there. insert_page and key_insert_page are then the chains' last pages.
	 */
	BlockNumber *own_entry_head;
	BlockNumber *own_key_head;
	/* a parallel participant's new pages (NULL when serial: one page at a time) */
	IvfPageReserve *reserve;
	double index_tuples;
	MemoryContext tuple_context;
} IvfBuildState;

/* A new empty page of a chain (entry or key), unlocked; not WAL-logged (building). */
BlockNumber IvfNewChainPage(Relation index, ForkNumber fork, uint16 flags, IvfPageReserve *reserve);

/* table_index_build_scan callback of the assignment: a row to its nearest list. */
void IvfAssignCallback(Relation index, ItemPointer tid, Datum *values, bool *isnull, bool alive,
                       void *state);

/*
 * Workers for the assignment (0: none), from the planner, or from the rows the sample
 * pass counted when the planner finds the heap too small (vectors in TOAST).
 */
int IvfPlanWorkers(Relation heap, Relation index, double rows);

/*
 * Assigns the rows with `workers` parallel workers and the leader; false (nothing
 * done) when no worker could be launched. Sets *heap_tuples and bs->index_tuples.
 */
bool IvfAssignParallel(IvfBuildState *bs, Relation heap, IndexInfo *info, int workers,
                       double *heap_tuples);

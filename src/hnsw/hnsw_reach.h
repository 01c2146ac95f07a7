/*
 * hnsw_reach.h: VACUUM's repair of elements that no search reaches (hnsw_reach.cpp).
 */
#pragma once

#include "hnsw/hnsw.h"

/* What a repair found and did, for VACUUM VERBOSE. */
typedef struct HnswReachStats
{
	uint64 elements;     /* live elements in the map of the last round */
	uint64 found;        /* live elements the first round found unreached */
	uint64 linked;       /* incoming links added, every round */
	uint64 left;         /* unreached after the last round */
	uint64 displaced;    /* links given up for them (metric indexes only) */
	uint64 value_found;  /* elements a search within their value missed (per key column) */
	uint64 value_linked; /* value links added for them */
	uint64 value_left;
	int rounds;
	double ms; /* wall-clock time of the repair */
} HnswReachStats;

/*
 * Links back every live element that no search from the entry point reaches on level
 * 0; concurrent inserts and scans may run. WAL-logged link by link, unless building
 * (the end of a build that spilled to disk: its pages are logged whole afterwards).
 */
void HnswRepairReachability(Relation index, HnswReachStats *stats, bool building = false);

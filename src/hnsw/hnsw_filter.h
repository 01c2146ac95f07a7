/*
 * hnsw_filter.h: filter columns of an hnsw index, and the filters scans apply.
 *
 * An hnsw index has one vector column and up to HNSW_MAX_FILTERS filter columns
 * (integer, boolean, text, uuid, jsonb), in any order:
 *   CREATE INDEX ... USING hnsw (tenant_id, embedding vector_l2_ops)
 * Each element stores a key per filter column in its filter section, so a scan
 * tests a filter without visiting the table:
 *   integer, boolean   the value itself: exact
 *   text, uuid         a 64-bit hash: the executor rechecks matches
 *   jsonb              hashes of the (path, scalar) pairs of the document, up to
 *                      HNSW_JSONB_MAX_PAIRS (more: always a candidate): rechecked
 * Scan keys on filter columns: `=` (and `= ANY (array)`), `vecrbac.<@ scope` (the
 * operator row-level security policies use), and `@>` on jsonb. They are ANDed.
 *
 * The first scalar filter column is the partition column: the index counts its
 * values and chains the elements of each value (hnsw_directory.h), which lets a scan
 * read a small scope exactly and start a large one from inside it. Every other scalar
 * filter column has a directory too (version 3), and value links (version 4).
 */
#pragma once

#include "hnsw/hnsw.h"

#define HNSW_MAX_FILTERS 4
#define HNSW_JSONB_MAX_PAIRS 64

/* Strategy numbers of the filter operator classes. */
#define HNSW_STRATEGY_EQUAL 1    /* = ; on jsonb: @> */
#define HNSW_STRATEGY_IN_SCOPE 2 /* vecrbac.<@ */

typedef enum HnswFilterKind
{
	HNSW_FILTER_INTEGER,
	HNSW_FILTER_BOOL,
	HNSW_FILTER_TEXT,
	HNSW_FILTER_UUID,
	HNSW_FILTER_JSONB
} HnswFilterKind;

/* Which index column is which. */
typedef struct HnswColumns
{
	int vector_column; /* 0-based index column of the vector */
	int nfilters;
	int filter_column[HNSW_MAX_FILTERS]; /* 0-based index columns */
	HnswFilterKind kind[HNSW_MAX_FILTERS];
	Oid type[HNSW_MAX_FILTERS];
	int partition; /* filter number of the partition column, or -1 */
	/* Per filter: its value links' slot (its rank among the scalar filters), or -1 (jsonb). */
	int value_slot[HNSW_MAX_FILTERS];
	int nscalar; /* scalar filters */
} HnswColumns;

/* Reads the index's columns; errors for unsupported definitions. */
void HnswInitColumns(HnswColumns *cols, Relation index);

/* How many columns have value links in an index of this version (hnsw.h, HnswValueLevel). */
static inline int HnswLinkedColumns(uint32 version, const HnswColumns *cols)
{
	if (version >= HNSW_VERSION_4)
		return cols->nscalar;
	return cols->partition >= 0 ? 1 : 0;
}

/* Whether filter f has value links in an index whose elements have value_slots of them. */
static inline bool HnswHasValueLinks(const HnswColumns *cols, int f, int m, int value_slots)
{
	return cols->value_slot[f] >= 0 && (cols->value_slot[f] + 1) * 2 * m <= value_slots;
}

static_assert(HNSW_MAX_FILTERS == HNSW_CHAIN_FILTERS, "the metapage keeps a chain per filter");

/*
 * Stored per scalar filter column. chain_next links the element to the previous one
 * with the same key in the column's chain directory (version 3, columns other than the
 * partition column, whose chain is the element's chain_next); zeros (invalid) before.
 */
typedef struct HnswScalarKey
{
	int64 key;
	uint8 isnull;
	uint8 unused;
	ItemPointerData chain_next;
} HnswScalarKey;
static_assert(sizeof(HnswScalarKey) == 16, "the on-disk layout of filter keys");

/* Stored per jsonb filter column, followed by npairs uint32 hashes (sorted). */
typedef struct HnswPairsHeader
{
	uint16 npairs;
	uint8 isnull;
	uint8 overflow; /* more pairs than stored: treat as matching anything */
	uint32 pairs[FLEXIBLE_ARRAY_MEMBER];
} HnswPairsHeader;

/*
 * Encodes the filter values of one row into out (NULL to only measure) and
 * returns the section's size. values and isnull are the index tuple's, by column.
 */
Size HnswEncodeFilters(const HnswColumns *cols, const Datum *values, const bool *isnull, char *out);

/* The size a section's contents say it has, or -1 if that exceeds `available` bytes. */
long HnswFilterSectionSize(const HnswColumns *cols, const char *section, Size available);

/* The partition key of a filter section (the first scalar filter); false if NULL. */
bool HnswPartitionKey(const HnswColumns *cols, const char *section, int64 *key);

/* The key of scalar filter f in a filter section; false if NULL. */
bool HnswFilterKey(const HnswColumns *cols, const char *section, int f, int64 *key);

/*
 * Whether two filter sections of `bytes` bytes hold the same values (chain links
 * aside: an element's are set when it is placed, a new row's are not yet).
 */
bool HnswFilterSectionsEqual(const HnswColumns *cols, const char *a, const char *b, Size bytes);

/* Where scalar filter f keeps its chain link in a filter section. */
ItemPointerData *HnswFilterChainLink(const HnswColumns *cols, char *section, int f);

/* One scan key, compiled. */
typedef struct HnswFilterClause
{
	int filter; /* filter number */
	bool all;   /* no constraint */
	int nkeys;  /* scalar: any of these keys (sorted) */
	int64 *keys;
	int nconjunctions; /* jsonb: any conjunction whose pairs are all present */
	int *conjunction_sizes;
	uint32 **conjunctions;
} HnswFilterClause;

typedef struct HnswFilter
{
	int nclauses;
	HnswFilterClause *clauses;
	bool empty; /* some clause matches nothing: the scan returns no rows */
	bool lossy; /* hashes were compared: the executor must recheck */
	/* The partition keys every match has (intersection of its clauses), when restricted. */
	bool partitioned;
	int npartition_keys;
	int64 *partition_keys;
	/* Per scalar filter: the keys every match has (intersection of its clauses), when restricted.
	 */
	bool restricted[HNSW_MAX_FILTERS];
	int nkeys_of[HNSW_MAX_FILTERS];
	int64 *keys_of[HNSW_MAX_FILTERS];
} HnswFilter;

/* Compiles the scan keys on filter columns (others are ignored). */
void HnswFilterInit(HnswFilter *filter, const HnswColumns *cols, ScanKey keys, int nkeys);

/* A filter that accepts exactly the elements with one value of scalar filter f. */
void HnswFilterForValue(HnswFilter *filter, const HnswColumns *cols, int f, int64 key);

/* A filter that accepts exactly the elements of a filter's scope on scalar filter f (restricted).
 */
void HnswFilterColumnScope(HnswFilter *scope, const HnswColumns *cols, const HnswFilter *filter,
                           int f);

/* Whether some clause of the filter restricts a column other than f. */
bool HnswFilterNarrowerThan(const HnswFilter *filter, int f);

/* Whether the element's filter section passes every clause. */
bool HnswFilterMatches(const HnswFilter *filter, const HnswColumns *cols, const char *section);

static inline bool HnswFilterActive(const HnswFilter *filter)
{
	return filter->nclauses > 0;
}

/*
 * hnsw.h: the hnsw index access method: page format, options, settings and the
 * functions shared by build, insert, scan, vacuum and the checker.
 *
 * Page format (8 kB pages, WAL-logged with GenericXLog after the build):
 *   block 0        metapage: dimensions, m, ef_construction, entry point, insert hint
 *   blocks 1..n    element tuples and neighbor tuples, any mix
 *
 * An element tuple holds up to HNSW_HEAPTIDS heap TIDs (duplicate vectors share
 * one graph node), the TID of its neighbor tuple, its level, the vector itself
 * and the values of the index's filter columns. A neighbor tuple holds the
 * element's links, (level + 2) * m slots: 2m for level 0, then m per upper level,
 * then 2m value links per linked column (hnsw_filter.h: every scalar filter column from
 * version 4, the partition column alone before) to near elements with the same value
 * in that column; unused slots invalid. Links are element TIDs. Keeping links
 * in their own fixed-size tuple lets them be rewritten in place, and a 2000-dimension element still
 * fits on a page; the build places both tuples of an element on the same page whenever they fit, so
 * reading either costs one buffer access.
 */
#pragma once

#include "pg/pg.h"

#include <cmath>

extern "C"
{
#include "access/amapi.h"
#include "access/generic_xlog.h"
#include "access/reloptions.h"
#include "nodes/pathnodes.h"
#include "storage/block.h"
#include "storage/bufmgr.h"
#include "storage/itemptr.h"
#include "utils/relcache.h"
}

#include "vector/binary.h"
#include "vector/bits.h"
#include "vector/distance.h"
#include "vector/half.h"
#include "vector/int8.h"
#include "vector/sparse.h"
#include "vector_sql/halfvec.h"
#include "vector_sql/sparsevec.h"
#include "vector_sql/vector.h"

extern "C"
{
#include "utils/varbit.h"
}

/*
 * What an element stores: the indexed type's own varlena, detoasted, whose size
 * follows from the type and the column's dimensions (hnsw_value.cpp).
 */
typedef struct varlena HnswValue;

typedef enum HnswValueType
{
	HNSW_VALUE_VECTOR = 0, /* vector: float4 elements */
	HNSW_VALUE_HALFVEC,    /* halfvec: IEEE half elements */
	HNSW_VALUE_BIT,        /* bit: packed bits, typmod is the length */
	HNSW_VALUE_SPARSEVEC,  /* sparsevec: indices and values of the non-zero elements */
	HNSW_VALUE_INT8,       /* a vector coded in bytes (quantization 'int8'): never a column's */
	HNSW_VALUE_BINARY      /* a vector coded in bits (quantization 'binary'): never a column's */
} HnswValueType;

/*
 * How elements store a vector column's values (WITH (quantization = ...)): as the
 * column's floats, as IEEE halves, or as a byte per element with the vector's own range
 * (a quarter of the floats); the executor re-checks the distances of a quantized index
 * exactly (hnsw_quantize.cpp).
 */
typedef enum HnswQuantization
{
	HNSW_QUANTIZATION_NONE = 0,
	HNSW_QUANTIZATION_HALF = 1,
	HNSW_QUANTIZATION_INT8 = 2,
	HNSW_QUANTIZATION_BINARY = 3
} HnswQuantization;

/*
 * A vector as an index with quantization 'int8' stores it (src/vector/int8.h): element i
 * is offset + scale * codes[i]. The header starts as vector's does (varlena, int16 dim).
 */
typedef struct HnswInt8Value
{
	int32 vl_len_;
	int16 dim;
	int16 unused;
	float offset;
	float scale;
	float residual; /* |vector - decoded|, rounded up: L1 in an L1 index, else L2 */
	int32 sum;      /* of the codes */
	int32 sum_square;
	uint8 codes[FLEXIBLE_ARRAY_MEMBER];
} HnswInt8Value;

#define HNSW_INT8_SIZE(dim) (offsetof(HnswInt8Value, codes) + (Size)(dim))

/*
 * A scan's query against an int8 index: an int8 header (dim set, no codes) whose
 * `unused` is HNSW_INT8_QUERY, followed (MAXALIGNed) by this tail: the query coded in
 * 16 bits (src/vector/int8.h, WideCoding), which the walk measures against each
 * element's codes, so that almost only the element's coding error remains in a distance.
 */
#define HNSW_INT8_QUERY 1
typedef struct HnswInt8QueryTail
{
	double norm_squared; /* of the decoded query */
	int64 sum;           /* of the codes */
	float offset;
	float scale;
	int16 codes[FLEXIBLE_ARRAY_MEMBER];
} HnswInt8QueryTail;

/*
 * A vector as an index with quantization 'binary' stores it (src/vector/binary.h): a bit
 * per element, set when the element is above the vector's mean. The header starts as
 * vector's does (varlena, int16 dim).
 */
typedef struct HnswBinaryValue
{
	int32 vl_len_;
	int16 dim;
	int16 unused;
	float mean;
	float scale;
	float abs_mean;
	float norm_squared;
	int32 ones;
	uint8 bits[FLEXIBLE_ARRAY_MEMBER];
} HnswBinaryValue;

#define HNSW_BINARY_SIZE(dim) (offsetof(HnswBinaryValue, bits) + (Size)((dim) + 7) / 8)

/*
 * A scan's query against a binary index: a binary header (dim set, no bits) whose
 * `unused` is HNSW_BINARY_QUERY, followed (MAXALIGNed) by this tail: the query's own
 * floats, which the walk measures against each element's bits.
 */
#define HNSW_BINARY_QUERY 1
typedef struct HnswBinaryQueryTail
{
	double sum;          /* of the elements */
	double norm_squared; /* |q|^2 */
	float x[FLEXIBLE_ARRAY_MEMBER];
} HnswBinaryQueryTail;

/* What support function 3 of an opclass returns. */
typedef struct HnswTypeSupport
{
	HnswValueType type;
} HnswTypeSupport;

/* ---- limits and defaults (pgvector's, so that DDL and settings carry over) -------- */
/* Dimensions an index takes: 2000 vector, 4000 halfvec, 64000 bit (HnswMaxDimensions). */
#define HNSW_DEFAULT_M 16
#define HNSW_MIN_M 2
#define HNSW_MAX_M 100
#define HNSW_DEFAULT_EF_CONSTRUCTION 64
#define HNSW_MIN_EF_CONSTRUCTION 4
#define HNSW_MAX_EF_CONSTRUCTION 1000
#define HNSW_DEFAULT_EF_SEARCH 40
#define HNSW_MIN_EF_SEARCH 1
#define HNSW_MAX_EF_SEARCH 1000
#define HNSW_HEAPTIDS 10
#define HNSW_MAX_LEVEL 15

/*
 * Support functions of the opclasses: 1 distance, 2 norm (cosine: normalize first),
 * 3 the indexed type (pgvector's hnsw_<type>_support(internal); vector when absent).
 */
#define HNSW_DISTANCE_PROC 1
#define HNSW_NORM_PROC 2
#define HNSW_TYPE_SUPPORT_PROC 3
#define HNSW_SUPPORT_PROCS 3

/* Build phases shown in pg_stat_progress_create_index (subphase numbers). */
#define HNSW_PHASE_LOAD 2
#define HNSW_PHASE_WRITE 3

/* ---- pages ------------------------------------------------------------------- */
#define HNSW_MAGIC 0x76524857 /* "WHRv" */
/*
 * Version 1 (0.1.0 to 0.3.0): every element tuple has the filter-column fields and
 * every neighbor tuple its slot count. Version 2 (0.4.0): in an index without filter
 * columns, elements and neighbor tuples are compact (HNSW_ELEMENT_COMPACT,
 * HNSW_COMPACT_NEIGHBOR_TUPLE), 8 bytes smaller each. Both versions are read; inserts
 * into a version 1 index keep its layout. Tuples say which layout they have, so a
 * reader needs no metapage. Version 3 (0.9.0): every scalar filter column besides
 * the partition column has a chain directory too (chain_dir_*, hnsw_directory.h), its
 * chain links in the spare bytes of the elements' keys; older indexes have none and
 * are read as before. Version 4 (0.9.1): every scalar filter column has value links
 * (2m per element each, in filter order after the partition column's), and its chain
 * directory keeps an entry and seeds per value, so that a scope on any key column is
 * walked through links that stay in it; older indexes keep walking level 0's links.
 */
#define HNSW_VERSION_1 1
#define HNSW_VERSION_3 3
#define HNSW_VERSION_4 4
#define HNSW_VERSION 4
#define HNSW_METAPAGE_BLKNO 0
/*
 * Heavyweight lock tags (pseudo page numbers). HNSW_UPDATE_LOCK: inserts hold it in
 * share mode, vacuum takes it exclusively (hnsw_vacuum.cpp). HNSW_SCAN_LOCK: scans
 * hold it in share mode while they walk partition chains, vacuum takes it
 * exclusively before it frees elements, so no walk steps onto a freed slot.
 */
#define HNSW_UPDATE_LOCK 0
#define HNSW_SCAN_LOCK 1
#define HNSW_PAGE_ID 0xFF91

#define HNSW_PAGE_META (1 << 0)
#define HNSW_PAGE_DATA (1 << 1)
#define HNSW_PAGE_DIRECTORY (1 << 2)

typedef struct HnswPageOpaqueData
{
	BlockNumber nextblkno; /* directory pages: the next page of the bucket's chain */
	uint16 flags;          /* HNSW_PAGE_META, HNSW_PAGE_DATA or HNSW_PAGE_DIRECTORY */
	uint16 page_id;        /* HNSW_PAGE_ID, lets tools recognise our pages */
} HnswPageOpaqueData;
typedef HnswPageOpaqueData *HnswPageOpaque;

#define HnswPageGetOpaque(page) ((HnswPageOpaque)PageGetSpecialPointer(page))

/* Filter numbers a metapage keeps chain directories for: HNSW_MAX_FILTERS (hnsw_filter.h). */
#define HNSW_CHAIN_FILTERS 4

typedef struct HnswMetaPageData
{
	uint32 magic;
	uint32 version;
	uint32 dimensions;
	uint16 m;
	uint16 ef_construction;
	ItemPointerData entry; /* element tuple of the entry point; invalid when empty */
	int16 entry_level;     /* -1 when empty */
	BlockNumber reserved;  /* always InvalidBlockNumber, never read: kept for the layout */
	uint16 vector_column;  /* 0-based index column of the vector */
	uint16 filter_columns; /* how many filter columns (hnsw_filter.h) */
	BlockNumber dir_start; /* the partition directory's buckets (hnsw_directory.h) */
	uint32 dir_pages;      /* 0 when the index has no partition column */
	uint16 value_slots;    /* value links per element: 2m per linked column (HnswLinkedColumns) */
	uint16 value_type;     /* HnswValueType (0, vector, in indexes older than 0.3.0) */
	uint16 quantization;   /* HnswQuantization (0, none, in indexes older than 0.5.0) */
	/*
	 * From version 3, per filter number: the chain directory of a scalar filter column
	 * other than the partition column (0 pages: none). Read only from version 3.
	 */
	BlockNumber chain_dir_start[HNSW_CHAIN_FILTERS];
	uint32 chain_dir_pages[HNSW_CHAIN_FILTERS];
} HnswMetaPageData;
typedef HnswMetaPageData *HnswMetaPage;

#define HnswPageGetMeta(page) ((HnswMetaPage)PageGetContents(page))

#define HNSW_ELEMENT_TUPLE 1
#define HNSW_NEIGHBOR_TUPLE 2
#define HNSW_COMPACT_NEIGHBOR_TUPLE 3 /* no slot count; the owner at offset 2 */

/* Element tuple flags. */
#define HNSW_ELEMENT_DELETED (1 << 0) /* no heap TIDs left; vacuum is retiring it */
/*
 * No chain_next and no filter section: the value starts at byte 76, the first 4-byte
 * boundary after neighbortid (filter_bytes is 0). Only in indexes without filter
 * columns, from version 2.
 */
#define HNSW_ELEMENT_COMPACT (1 << 1)

typedef struct HnswElementTupleData
{
	uint8 type; /* HNSW_ELEMENT_TUPLE */
	uint8 level;
	uint8 flags;
	uint8 unused;
	uint16 filter_bytes; /* bytes of the filter section after the vector */
	uint16 unused2;
	ItemPointerData heaptids[HNSW_HEAPTIDS]; /* valid ones first */
	ItemPointerData neighbortid;
	ItemPointerData chain_next; /* the previous element of the same partition value */
	char
	    data[FLEXIBLE_ARRAY_MEMBER]; /* HnswValue (varlena), then, MAXALIGN'd, the filter section */
} HnswElementTupleData;
typedef HnswElementTupleData *HnswElementTuple;

/*
 * Where a compact element's value starts: its header ends with neighbortid (byte 74),
 * and the value's varlena header and elements need 4-byte alignment. Elements are
 * MAXALIGN'd in size, so the 2 bytes rarely cost any.
 */
#define HNSW_COMPACT_ELEMENT_HEADER_SIZE (offsetof(HnswElementTupleData, chain_next) + 2)
static_assert(HNSW_COMPACT_ELEMENT_HEADER_SIZE == 76, "the on-disk layout of compact elements");
static_assert(offsetof(HnswElementTupleData, data) == 80, "the on-disk layout of elements");

typedef struct HnswNeighborTupleData
{
	uint8 type;              /* HNSW_NEIGHBOR_TUPLE */
	uint8 level;             /* the owner's level */
	uint16 slots;            /* (level + 2) * m, plus value_slots */
	ItemPointerData element; /* the owner, for the checker */
	ItemPointerData links[FLEXIBLE_ARRAY_MEMBER];
} HnswNeighborTupleData;
typedef HnswNeighborTupleData *HnswNeighborTuple;

/* A neighbor tuple of an index without filter columns, from version 2: links at offset 8. */
typedef struct HnswCompactNeighborTupleData
{
	uint8 type;              /* HNSW_COMPACT_NEIGHBOR_TUPLE */
	uint8 level;             /* the owner's level; its (level + 2) * m slots follow */
	ItemPointerData element; /* the owner, for the checker and vacuum */
	ItemPointerData links[FLEXIBLE_ARRAY_MEMBER];
} HnswCompactNeighborTupleData;

#define HNSW_ELEMENT_HEADER_SIZE offsetof(HnswElementTupleData, data)

static inline bool HnswElementIsCompact(const HnswElementTupleData *etup)
{
	return (etup->flags & HNSW_ELEMENT_COMPACT) != 0;
}

/* Bytes before the element's value. */
static inline Size HnswElementHeaderSize(bool compact)
{
	return compact ? HNSW_COMPACT_ELEMENT_HEADER_SIZE : HNSW_ELEMENT_HEADER_SIZE;
}

static inline HnswValue *HnswElementValue(HnswElementTupleData *etup)
{
	return (HnswValue *)((char *)etup + HnswElementHeaderSize(HnswElementIsCompact(etup)));
}

static inline Size HnswElementFilterOffset(Size value_size, bool compact = false)
{
	return MAXALIGN(HnswElementHeaderSize(compact) + value_size);
}

static inline Size HnswElementTupleSize(Size value_size, Size filter_bytes, bool compact = false)
{
	return MAXALIGN(HnswElementFilterOffset(value_size, compact) + filter_bytes);
}

/* The element's filter section (hnsw_filter.h), after its value; empty in a compact one. */
static inline char *HnswElementFilters(HnswElementTuple etup)
{
	return (char *)etup +
	       HnswElementFilterOffset(VARSIZE(HnswElementValue(etup)), HnswElementIsCompact(etup));
}

/* ---- neighbor tuples of either layout ---- */

static inline bool HnswNeighborIsCompact(const HnswNeighborTupleData *ntup)
{
	return ntup->type == HNSW_COMPACT_NEIGHBOR_TUPLE;
}

static inline ItemPointerData *HnswNeighborLinks(HnswNeighborTupleData *ntup)
{
	return HnswNeighborIsCompact(ntup) ? ((HnswCompactNeighborTupleData *)ntup)->links
	                                   : ntup->links;
}

/* The owner element's TID. */
static inline ItemPointerData *HnswNeighborOwner(HnswNeighborTupleData *ntup)
{
	return HnswNeighborIsCompact(ntup) ? &((HnswCompactNeighborTupleData *)ntup)->element
	                                   : &ntup->element;
}

/* Link slots: (level + 2) * m, plus the value slots in a version 1 tuple. */
static inline int HnswNeighborSlots(const HnswNeighborTupleData *ntup, int m)
{
	return HnswNeighborIsCompact(ntup) ? (ntup->level + 2) * m : ntup->slots;
}

static inline int HnswLevelSlots(int level, int m)
{
	return level == 0 ? 2 * m : m;
}

/* First slot of a level inside a neighbor tuple. */
static inline int HnswLevelStart(int level, int m)
{
	return level == 0 ? 0 : 2 * m + (level - 1) * m;
}

/*
 * Pseudo levels of value links: HnswValueLevel(slot) are the links of the linked
 * column with that slot (HnswColumns.value_slot: 0 for the partition column), to
 * elements with the same value in that column. HNSW_VALUE_LEVEL is slot 0's.
 */
#define HNSW_MAX_LINKED_COLUMNS 4
#define HNSW_VALUE_LEVEL (-1)
static inline int HnswValueLevel(int slot)
{
	return HNSW_VALUE_LEVEL - slot;
}
static inline bool HnswIsValueLevel(int level)
{
	return level <= HNSW_VALUE_LEVEL && level > HNSW_VALUE_LEVEL - HNSW_MAX_LINKED_COLUMNS;
}
static inline int HnswValueLevelSlot(int level)
{
	return HNSW_VALUE_LEVEL - level;
}
/* For reading: level 0's links followed by the value links of one slot (HnswScopeLevel). */
#define HNSW_SCOPE_LEVEL (-8)
static inline int HnswScopeLevel(int slot)
{
	return HNSW_SCOPE_LEVEL - slot;
}
static inline bool HnswIsScopeLevel(int level)
{
	return level <= HNSW_SCOPE_LEVEL && level > HNSW_SCOPE_LEVEL - HNSW_MAX_LINKED_COLUMNS;
}

/* Value link slots of an element with `linked` linked columns. */
static inline int HnswValueSlots(int m, int linked)
{
	return 2 * m * linked;
}

static inline Size HnswNeighborTupleSize(int level, int m, int value_slots, bool compact = false)
{
	return MAXALIGN((compact ? offsetof(HnswCompactNeighborTupleData, links)
	                         : offsetof(HnswNeighborTupleData, links)) +
	                sizeof(ItemPointerData) * ((level + 2) * m + value_slots));
}

/*
 * Whether new tuples of this index are compact: version 2 without filter columns
 * (never with a value slot, which only filter columns bring). The test-only
 * setting vecrbac.test_hnsw_version = 1 builds version 1 indexes.
 */
static inline bool HnswMetaCompact(uint32 version, int filter_columns)
{
	return version >= 2 && filter_columns == 0;
}

/*
 * Where a level's links (or a slot's value links) sit in the links of an element of
 * owner_level whose tuple has value_slots value link slots; no slots for value links
 * the tuple lacks (an index older than the links of that column).
 */
static inline void HnswLinkRange(int owner_level, int level, int m, int value_slots, int *start,
                                 int *slots)
{
	if (HnswIsValueLevel(level))
	{
		int slot = HnswValueLevelSlot(level);
		*start = (owner_level + 2) * m + slot * 2 * m;
		*slots = (slot + 1) * 2 * m <= value_slots ? 2 * m : 0;
	}
	else
	{
		*start = HnswLevelStart(level, m);
		*slots = HnswLevelSlots(level, m);
	}
}

/*
 * The highest level whose neighbor tuple fits on a page together with nothing else,
 * with value_slots value links (taken as at least 2m, as before version 4, so that
 * indexes with fewer keep the levels they had).
 */
int HnswMaxLevelForM(int m, int value_slots);

/* ---- options and settings ---------------------------------------------------- */
typedef struct HnswOptions
{
	int32 vl_len_; /* varlena header (do not touch directly) */
	int m;
	int ef_construction;
	int quantization; /* offset of the option's string, 0 when absent */
} HnswOptions;

typedef enum HnswIterativeScanMode
{
	HNSW_ITERATIVE_SCAN_OFF,
	HNSW_ITERATIVE_SCAN_RELAXED,
	HNSW_ITERATIVE_SCAN_STRICT
} HnswIterativeScanMode;

extern int hnsw_ef_search;
extern int hnsw_iterative_scan;
extern int hnsw_max_scan_tuples;
extern double hnsw_scan_mem_multiplier;
extern int hnsw_exact_scan_limit;
/*
 * Whether a filtered scan reads a scope of count elements whole rather than walking it
 * at ef_search (several: a scope of several values, or on a key column after the
 * first, whose walk keeps a wider window; reranked: a binary index, which re-ranks
 * what it reads whole by the rows' exact distances). hnsw_settings.cpp.
 */
bool HnswReadScopeWhole(double count, int ef_search, bool several, bool reranked);
extern int hnsw_max_filtered_scan_tuples;
extern int hnsw_rerank_factor;
#define HNSW_DEFAULT_RERANK_FACTOR 4
extern int hnsw_test_version;
void HnswDefineSettings(void); /* hnsw_settings.cpp */

int HnswGetM(Relation index);
int HnswGetEfConstruction(Relation index);
/* The quantization the index's options ask for (what a build uses). */
HnswQuantization HnswGetQuantization(Relation index);
/* The quantization the index was built with (its metapage: what everything but a build uses). */
HnswQuantization HnswIndexQuantization(Relation index);

/* ---- distance ---------------------------------------------------------------- */
typedef enum HnswDistanceKind
{
	HNSW_DIST_L2_SQUARED,
	HNSW_DIST_NEG_INNER_PRODUCT,
	HNSW_DIST_L1,
	HNSW_DIST_HALF_L2_SQUARED,
	HNSW_DIST_HALF_NEG_INNER_PRODUCT,
	HNSW_DIST_HALF_L1,
	HNSW_DIST_INT8_L2_SQUARED,
	HNSW_DIST_INT8_NEG_INNER_PRODUCT,
	HNSW_DIST_INT8_L1,
	HNSW_DIST_BINARY_L2_SQUARED,
	HNSW_DIST_BINARY_NEG_INNER_PRODUCT,
	HNSW_DIST_BINARY_L1,
	HNSW_DIST_HAMMING,
	HNSW_DIST_JACCARD,
	HNSW_DIST_SPARSE_L2_SQUARED,
	HNSW_DIST_SPARSE_NEG_INNER_PRODUCT,
	HNSW_DIST_SPARSE_L1,
	HNSW_DIST_GENERIC /* an opclass of someone else's: called through fmgr */
} HnswDistanceKind;

/*
 * How an index measures distance. The built-in opclasses map to SIMD kernels
 * called on the values' elements; any other support function is called through fmgr.
 */
typedef struct HnswDistance
{
	HnswDistanceKind kind;
	const vecrbac::distance::Kernels *kernels;
	const vecrbac::half::Kernels *half_kernels;
	const vecrbac::int8::Kernels *int8_kernels;
	const vecrbac::binary::Kernels *binary_kernels;
	const vecrbac::bits::Kernels *bit_kernels;
	FmgrInfo *proc;     /* support function 1 */
	FmgrInfo *normproc; /* support function 2, or NULL */
	Oid collation;
	int dimensions;            /* the column's typmod: dimensions, or bits for bit */
	bool metric;               /* a true metric (not inner product): the repair may take links */
	HnswValueType type;        /* what elements store */
	HnswValueType column_type; /* what the column holds: type unless quantized */
	HnswQuantization quantization;
	Size value_size; /* bytes of a value: every value's for a fixed-size type, else the most */
	int column;      /* 0-based index column of the vector */
} HnswDistance;

/*
 * Links a new element of the build's in-memory graph chooses on a level (an insert on
 * disk keeps m: hnsw_insert.cpp). Level 0 takes up to 2m under a metric, as pgvector
 * gives: with m, recall@10 on 100,000 clustered 96-d rows was 0.79 at
 * ef_search 10 against 0.84, for the same CPU per query, and a build takes about 30 %
 * longer (docs/performance.md, "Level-0 links"). Inner product (and cosine, measured as
 * one) keeps m: its lists must keep room for the reachability repair, which cannot
 * displace a link under a distance that is not a metric (with 2m, 552 of 3,000
 * elements of test/sql/hnsw_recall.sql were left unreachable).
 */
static inline int HnswNewElementSlots(const HnswDistance *d, int level, int m)
{
	return level == 0 && d->metric ? 2 * m : m;
}

/*
 * Whether nearer first by the index's distance is nearer first by a metric: L2, L1,
 * Hamming, Jaccard, and cosine (stored normalized: its negative inner product orders as
 * the L2 distance of unit vectors does). Not inner product, where an element of small
 * norm is nobody's near neighbor.
 */
static inline bool HnswOrdersAsMetric(const HnswDistance *d)
{
	return d->metric || (d->normproc != NULL && d->kind != HNSW_DIST_GENERIC);
}

/* ---- values (hnsw_value.cpp) ---------------------------------------------------- */
/* Bytes of a value of the type and dimensions; for sparsevec, the most the index takes. */
Size HnswValueSize(HnswValueType type, int dimensions);
/* Bytes a value should have, from its own header (its dimensions, or its non-zero count). */
Size HnswValueSizeOf(HnswValueType type, const HnswValue *value);
int HnswValueDimensions(HnswValueType type, const HnswValue *value);
/* Whether every element is a finite number (always for bit). */
bool HnswValueIsFinite(HnswValueType type, const HnswValue *value);
/* The most dimensions an index of the type takes (pgvector's limits). */
int HnswMaxDimensions(HnswValueType type);
/*
 * The value type of an index column: what its opclass's support function 3 says,
 * else vector; an error when the column's type is not that type.
 */
HnswValueType HnswColumnValueType(Relation index, int column);

/* An element read from a page must hold a value of the index's type and dimensions. */
void HnswReportElementValue(const HnswDistance *dist, const HnswValue *value)
    pg_attribute_noreturn();
static inline void HnswCheckElementValue(const HnswDistance *dist, const HnswValue *value)
{
	if (unlikely(VARSIZE(value) > dist->value_size ||
	             VARSIZE(value) != HnswValueSizeOf(dist->type, value) ||
	             HnswValueDimensions(dist->type, value) != dist->dimensions))
		HnswReportElementValue(dist, value);
}

/* Whether two values of one type are the same value. */
static inline bool HnswValueEquals(const HnswValue *a, const HnswValue *b)
{
	return VARSIZE(a) == VARSIZE(b) && memcmp(a, b, VARSIZE(a)) == 0;
}

/* The index column holding the vector (the one whose opclass has a distance function). */
int HnswVectorColumn(Relation index);
/*
 * The distance of an index: its vector column, opclass and the quantization it was
 * built with (HnswIndexQuantization; a build passes HnswGetQuantization's).
 */
void HnswInitDistance(HnswDistance *d, Relation index, HnswQuantization quantization);

static inline const float *HnswFloats(const HnswValue *v)
{
	return ((const Vector *)v)->x;
}

static inline const vecrbac::half::Half *HnswHalfs(const HnswValue *v)
{
	return ((const HalfVector *)v)->x;
}

static inline const uint8 *HnswBits(const HnswValue *v)
{
	return VARBITS((const VarBit *)v);
}

static inline vecrbac::sparse::View HnswSparse(const HnswValue *v)
{
	/* the view only reads; sparsevec.h's accessors take a mutable vector */
	return SparseVectorView((SparseVector *)v);
}

/* pgvector's Jaccard distance from population counts: 1 when nothing is in common. */
static inline float HnswJaccard(vecrbac::bits::JaccardParts p)
{
	if (p.common == 0)
		return 1.0f;
	return (float)(1.0 - (double)p.common / (double)p.either);
}

static inline const HnswInt8Value *HnswInt8(const HnswValue *v)
{
	return (const HnswInt8Value *)v;
}

static inline vecrbac::int8::Coding HnswInt8Coding(const HnswValue *v)
{
	const HnswInt8Value *x = HnswInt8(v);
	return {x->offset, x->scale, 0, 0, x->sum, x->sum_square};
}

static inline const HnswInt8QueryTail *HnswInt8Query(const HnswInt8Value *v)
{
	return (const HnswInt8QueryTail *)((const char *)v + MAXALIGN(HNSW_INT8_SIZE(0)));
}

static inline vecrbac::int8::WideCoding HnswInt8QueryCoding(const HnswInt8QueryTail *q)
{
	return {q->offset, q->scale, 0, 0, q->sum, q->norm_squared};
}

/* <decoded query, decoded x>, from the exact dot product of their codes. */
static inline vecrbac::int8::DotParts
HnswInt8QueryDot(const HnswDistance *d, const HnswInt8QueryTail *q, const HnswInt8Value *x)
{
	Size n = (Size)d->dimensions;
	return vecrbac::int8::wide_inner_product(HnswInt8QueryCoding(q),
	                                         HnswInt8Coding((const HnswValue *)x),
	                                         d->int8_kernels->dot_wide(q->codes, x->codes, n), n);
}

/* sum |decoded q[i] - decoded x[i]| */
static inline double HnswInt8QueryL1(const HnswDistance *d, const HnswInt8QueryTail *q,
                                     const HnswInt8Value *x)
{
	double qo = q->offset, qs = q->scale, o = x->offset, s = x->scale, sum = 0;
	for (int i = 0; i < d->dimensions; i++)
		sum += std::fabs(qo + qs * q->codes[i] - (o + s * x->codes[i]));
	return sum;
}

/* The distance between a scan's query and an element's codes. */
static inline float HnswInt8QueryDistance(const HnswDistance *d, const HnswInt8QueryTail *q,
                                          const HnswInt8Value *x)
{
	if (d->kind == HNSW_DIST_INT8_L1)
		return (float)HnswInt8QueryL1(d, q, x);
	double ip = HnswInt8QueryDot(d, q, x).value;
	if (d->kind == HNSW_DIST_INT8_NEG_INNER_PRODUCT)
		return (float)-ip;
	double l2 =
	    q->norm_squared - 2 * ip +
	    vecrbac::int8::norm_squared(HnswInt8Coding((const HnswValue *)x), (Size)d->dimensions);
	return (float)(l2 > 0 ? l2 : 0);
}

/*
 * Distances between two int8 values, from their codes' dot product (src/vector/int8.h),
 * or between a scan's query and a value.
 */
static inline float HnswInt8Distance(const HnswDistance *d, const HnswValue *a, const HnswValue *b)
{
	const HnswInt8Value *x = HnswInt8(a), *y = HnswInt8(b);
	if (x->unused == HNSW_INT8_QUERY)
		return HnswInt8QueryDistance(d, HnswInt8Query(x), y);
	if (y->unused == HNSW_INT8_QUERY)
		return HnswInt8QueryDistance(d, HnswInt8Query(y), x);
	Size n = (Size)d->dimensions;
	if (d->kind == HNSW_DIST_INT8_L1)
		return (float)vecrbac::int8::l1(x->offset, x->scale, x->codes, y->offset, y->scale,
		                                y->codes, n);
	vecrbac::int8::Coding cx = HnswInt8Coding(a), cy = HnswInt8Coding(b);
	double ip =
	    vecrbac::int8::inner_product(cx, cy, d->int8_kernels->dot(x->codes, y->codes, n), n).value;
	if (d->kind == HNSW_DIST_INT8_NEG_INNER_PRODUCT)
		return (float)-ip;
	double l2 = vecrbac::int8::norm_squared(cx, n) + vecrbac::int8::norm_squared(cy, n) - 2 * ip;
	return (float)(l2 > 0 ? l2 : 0);
}

static inline const HnswBinaryValue *HnswBinary(const HnswValue *v)
{
	return (const HnswBinaryValue *)v;
}

static inline vecrbac::binary::Coding HnswBinaryCoding(const HnswBinaryValue *x)
{
	return {x->mean, x->scale, x->abs_mean, x->norm_squared, x->ones};
}

static inline const HnswBinaryQueryTail *HnswBinaryQuery(const HnswBinaryValue *v)
{
	return (const HnswBinaryQueryTail *)((const char *)v + MAXALIGN(HNSW_BINARY_SIZE(0)));
}

/* The estimated distance between a scan's (or an insert's) query and an element's bits. */
static inline float HnswBinaryQueryDistance(const HnswDistance *d, const HnswBinaryQueryTail *q,
                                            const HnswBinaryValue *x)
{
	Size n = (Size)d->dimensions;
	vecrbac::binary::Coding c = HnswBinaryCoding(x);
	if (d->kind == HNSW_DIST_BINARY_L1)
		return (float)vecrbac::binary::query_l1(q->x, c, x->bits, n);
	double ip = vecrbac::binary::query_inner_product(
	    c, q->sum, d->binary_kernels->masked_sum(q->x, x->bits, n), n);
	if (d->kind == HNSW_DIST_BINARY_NEG_INNER_PRODUCT)
		return (float)-ip;
	double l2 = q->norm_squared - 2 * ip + c.norm_squared;
	return (float)(l2 > 0 ? l2 : 0);
}

/*
 * Estimated distances between two binary values, from the Hamming distance of their
 * bits (src/vector/binary.h), or between a query and a value.
 */
static inline float HnswBinaryDistance(const HnswDistance *d, const HnswValue *a,
                                       const HnswValue *b)
{
	const HnswBinaryValue *x = HnswBinary(a), *y = HnswBinary(b);
	if (x->unused == HNSW_BINARY_QUERY)
		return HnswBinaryQueryDistance(d, HnswBinaryQuery(x), y);
	if (y->unused == HNSW_BINARY_QUERY)
		return HnswBinaryQueryDistance(d, HnswBinaryQuery(y), x);
	Size n = (Size)d->dimensions;
	vecrbac::binary::Coding cx = HnswBinaryCoding(x), cy = HnswBinaryCoding(y);
	if (d->kind == HNSW_DIST_BINARY_L1)
		return (float)vecrbac::binary::l1(cx, x->bits, cy, y->bits, n);
	double ip = vecrbac::binary::inner_product(
	    cx, cy, d->bit_kernels->hamming(x->bits, y->bits, vecrbac::binary::bytes(n)), n);
	if (d->kind == HNSW_DIST_BINARY_NEG_INNER_PRODUCT)
		return (float)-ip;
	double l2 = (double)cx.norm_squared + cy.norm_squared - 2 * ip;
	return (float)(l2 > 0 ? l2 : 0);
}

/* Distance between two values of the index's type and dimensions. */
static inline float HnswValueDistance(const HnswDistance *d, const HnswValue *a, const HnswValue *b)
{
	switch (d->kind)
	{
	case HNSW_DIST_L2_SQUARED:
		return d->kernels->l2_squared(HnswFloats(a), HnswFloats(b), d->dimensions);
	case HNSW_DIST_NEG_INNER_PRODUCT:
		return -d->kernels->inner_product(HnswFloats(a), HnswFloats(b), d->dimensions);
	case HNSW_DIST_L1:
		return d->kernels->l1(HnswFloats(a), HnswFloats(b), d->dimensions);
	case HNSW_DIST_HALF_L2_SQUARED:
		return d->half_kernels->l2_squared(HnswHalfs(a), HnswHalfs(b), d->dimensions);
	case HNSW_DIST_HALF_NEG_INNER_PRODUCT:
		return -d->half_kernels->inner_product(HnswHalfs(a), HnswHalfs(b), d->dimensions);
	case HNSW_DIST_HALF_L1:
		return d->half_kernels->l1(HnswHalfs(a), HnswHalfs(b), d->dimensions);
	case HNSW_DIST_INT8_L2_SQUARED:
	case HNSW_DIST_INT8_NEG_INNER_PRODUCT:
	case HNSW_DIST_INT8_L1:
		return HnswInt8Distance(d, a, b);
	case HNSW_DIST_BINARY_L2_SQUARED:
	case HNSW_DIST_BINARY_NEG_INNER_PRODUCT:
	case HNSW_DIST_BINARY_L1:
		return HnswBinaryDistance(d, a, b);
	case HNSW_DIST_HAMMING:
		return (float)d->bit_kernels->hamming(HnswBits(a), HnswBits(b),
		                                      VARBITBYTES((const VarBit *)a));
	case HNSW_DIST_JACCARD:
		return HnswJaccard(d->bit_kernels->jaccard_parts(HnswBits(a), HnswBits(b),
		                                                 VARBITBYTES((const VarBit *)a)));
	case HNSW_DIST_SPARSE_L2_SQUARED:
		return vecrbac::sparse::l2_squared(HnswSparse(a), HnswSparse(b));
	case HNSW_DIST_SPARSE_NEG_INNER_PRODUCT:
		return -vecrbac::sparse::inner_product(HnswSparse(a), HnswSparse(b));
	case HNSW_DIST_SPARSE_L1:
		return vecrbac::sparse::l1(HnswSparse(a), HnswSparse(b));
	default:
		return (float)DatumGetFloat8(
		    FunctionCall2Coll(d->proc, d->collation, PointerGetDatum(a), PointerGetDatum(b)));
	}
}

/*
 * Distance that may stop early once it exceeds bound (squared L2 only, whose
 * partial sums only grow); *exact tells whether the result is the distance or a
 * lower bound of it greater than bound.
 */
static inline float HnswValueDistanceBounded(const HnswDistance *d, const HnswValue *a,
                                             const HnswValue *b, float bound, bool *exact)
{
	if (d->kind == HNSW_DIST_L2_SQUARED)
	{
		float r =
		    d->kernels->l2_squared_bounded(HnswFloats(a), HnswFloats(b), d->dimensions, bound);
		*exact = r <= bound;
		return r;
	}
	*exact = true;
	return HnswValueDistance(d, a, b);
}

/*
 * Prepares a value for the index: detoasts, checks dimensions, normalizes for
 * cosine. Returns NULL when the value is not indexed (zero vector under cosine).
 * The result is palloc'd in the current context.
 */
HnswValue *HnswPrepareValue(const HnswDistance *d, Datum value, bool for_query);
/* The same, as the column's type: before a quantized index converts it. */
HnswValue *HnswPrepareColumnValue(const HnswDistance *d, Datum value, bool for_query);

/* ---- quantized elements (hnsw_quantize.cpp) ------------------------------------------ */
/*
 * What a scan of a quantized index knows of its query, to turn the distance between
 * the stored (half) query and an element into a lower bound of the exact distance
 * between the query and the row's vector, which the executor then computes itself.
 */
typedef struct HnswQueryBound
{
	double error; /* between the query and its stored value: L2 norm, or L1 for L1 distance */
	double norm;  /* of the stored query: L2 norm (L1 for L1 distance under halves) */
} HnswQueryBound;

/*
 * A prepared vector as a quantized index stores it. A value out of the half range is an
 * error (pgvector's, as the cast to halfvec raises), unless clamp: a query's elements
 * are clamped to the range.
 */
HnswValue *HnswQuantizeValue(const HnswDistance *d, const HnswValue *value, bool clamp);
/*
 * The query as the index stores values, for a quantized index: prepared as the
 * column's type, then as halves, clamped to the half range (the bound carries the
 * difference). NULL as HnswPrepareValue.
 */
HnswValue *HnswPrepareQuantizedQuery(const HnswDistance *d, Datum query, HnswQueryBound *bound);
/*
 * The order-by operator's value that the row of an element cannot beat, given the
 * stored query (HnswPrepareQuantizedQuery's) and the distance the walk measured to it.
 */
double HnswQuantizedLowerBound(const HnswDistance *d, const HnswQueryBound *bound,
                               const HnswValue *query, float distance, const HnswValue *element);

/* ---- pages and tuples -------------------------------------------------------- */
void HnswInitPage(Page page, uint16 flags);

/* Whether a page holds elements and neighbor tuples (not the metapage, the directory, or new). */
static inline bool HnswIsDataPage(Page page)
{
	return !PageIsNew(page) &&
	       (((HnswPageOpaque)PageGetSpecialPointer(page))->flags & HNSW_PAGE_DATA);
}
void HnswInitMetaPage(Page page, int dimensions, int m, int ef_construction);
/*
 * Bytes a data page has for `items` new tuples, each with its line pointer, as
 * PageAddItem finds them: the free gap, plus the size of a line pointer per unused one
 * it will reuse (VACUUM frees elements without moving the others, so it leaves unused
 * line pointers behind). 0 for any other page. What inserts compare with the tuples'
 * MAXALIGN'd sizes plus a line pointer each, and what the free space map records.
 */
Size HnswPageRoom(Page page, int items);
/* Drops the unused line pointers at the end of a page's array (VACUUM, after freeing). */
void HnswTrimLinePointers(Page page);
Buffer HnswNewBuffer(Relation index, ForkNumber fork);
void HnswReadMeta(Relation index, HnswMetaPageData *out);

/* Reads the tuple at tid if it is a live element; returns it (valid while the buffer is locked). */
HnswElementTuple HnswElementAt(Page page, OffsetNumber off);
/* The neighbor tuple at off (either layout; m sizes a compact one), or NULL; ERROR if damaged. */
HnswNeighborTuple HnswNeighborAt(Page page, OffsetNumber off, int m);

/*
 * An element's level, from the geometric distribution of the HNSW paper (capped),
 * drawn from a hash of its heap TID: the same row always gets the same level.
 */
int HnswLevelFor(ItemPointer heaptid, int m, int max_level);

/* ---- neighbor selection (shared by build, insert and vacuum) --------------------- */
typedef struct HnswCandidate
{
	float distance;
	int index; /* caller's handle: position in its own arrays */
} HnswCandidate;

/*
 * The heuristic of the HNSW paper (algorithm 4): from candidates sorted by
 * increasing distance to the base, keeps a candidate only if it is closer to the
 * base than to every candidate kept so far, up to max_keep; then the nearest pruned
 * candidates fill the free slots, as pgvector does (hnswlib leaves them free). On
 * Fashion-MNIST the fuller lists cost 65 % more build time and gave recall@10 at
 * ef_search 10 of 0.969 instead of 0.925 (pgvector 0.971) at 1.95 times pgvector's
 * queries per second (bench/halfvec); under inner product, whose lack of a triangle
 * inequality the heuristic ignores, they are what keeps recall (pgvector's recall
 * data: 0.9675 without, 1.000 with). vectors[c.index] gives each candidate's
 * vector. Returns the number kept, written to out in increasing distance.
 */
int HnswSelectNeighbors(const HnswDistance *d, const HnswCandidate *sorted, int n,
                        const HnswValue *const *vectors, int max_keep, HnswCandidate *out);

/* ---- AM callbacks ------------------------------------------------------------ */
IndexBuildResult *hnsw_build(Relation heap, Relation index, IndexInfo *info);
void hnsw_buildempty(Relation index);
bool hnsw_validate(Oid opclassoid); /* hnsw_validate.cpp */
bool hnsw_insert(Relation index, Datum *values, bool *isnull, ItemPointer heap_tid, Relation heap,
                 IndexUniqueCheck check_unique, bool index_unchanged, IndexInfo *info);
IndexBulkDeleteResult *hnsw_bulkdelete(IndexVacuumInfo *info, IndexBulkDeleteResult *stats,
                                       IndexBulkDeleteCallback callback, void *callback_state);
IndexBulkDeleteResult *hnsw_vacuumcleanup(IndexVacuumInfo *info, IndexBulkDeleteResult *stats);
IndexScanDesc hnsw_beginscan(Relation index, int nkeys, int norderbys);
void hnsw_rescan(IndexScanDesc scan, ScanKey keys, int nkeys, ScanKey orderbys, int norderbys);
bool hnsw_gettuple(IndexScanDesc scan, ScanDirection dir);
void hnsw_endscan(IndexScanDesc scan);
/*
 * Whether the executor applies a Filter to this scan's rows (hnsw_executor.cpp):
 * such a scan must keep producing rows until the executor stops.
 */
bool HnswScanIsFiltered(IndexScanDesc scan);
/*
 * Whether the scan's node projects its ORDER BY distance from the scan
 * (hnsw_projection.cpp): the scan then measures each row it returns.
 */
bool HnswScanProjectsDistance(IndexScanDesc scan);
void HnswInstallExecutorHook(void);
/* Patches the node's projection to take its ORDER BY distance from the scan; true if it did. */
bool HnswProjectRowDistance(struct IndexScanState *node, struct EState *estate);
/* The distance of the row the scan returned last, when it measured one of this kind. */
bool HnswScanRowDistance(IndexScanDesc scan, HnswDistanceKind kind, float *distance);
void hnsw_costestimate(PlannerInfo *root, IndexPath *path, double loop_count, Cost *startup,
                       Cost *total, Selectivity *selectivity, double *correlation, double *pages);

struct HnswColumns;

/*
 * Inserts one value with its heap TID into an existing on-disk graph (insert and build
 * fallback). search, when not NULL, is what the searches for its neighbors measure
 * (a binary index's query form of the row's vector: finer than its bits).
 */
void HnswInsertOnDisk(Relation index, const HnswDistance *d, const struct HnswColumns *cols,
                      HnswValue *value, const char *filters, Size filter_bytes,
                      ItemPointer heap_tid, bool building, const HnswValue *search = NULL);

/* ---- page edits: GenericXLog after the build, plain dirty buffers during it ------- */
/*
 * During CREATE INDEX nothing is WAL-logged page by page: the whole index is logged
 * once at the end (log_newpage_range), so a standby never sees a delta for a page
 * it does not have. Afterwards every change goes through GenericXLog.
 */
typedef struct HnswEdit
{
	GenericXLogState *state; /* NULL while building */
	int count;
	Buffer buffers[MAX_GENERIC_XLOG_PAGES];
} HnswEdit;

void HnswEditStart(HnswEdit *edit, Relation index, bool building);
/* The page to modify for buf (locked exclusively by the caller). */
Page HnswEditPage(HnswEdit *edit, Buffer buf, bool new_page);
void HnswEditFinish(HnswEdit *edit);
void HnswEditAbort(HnswEdit *edit);

/*
 * Orders search candidates (any struct with a float distance: the disk search's and the
 * in-memory build's) for heaps and sorts.
 */
struct HnswCloserFirst
{
	template <typename C> bool operator()(const C &a, const C &b) const
	{
		return a.distance < b.distance;
	}
};

struct HnswFartherFirst
{
	template <typename C> bool operator()(const C &a, const C &b) const
	{
		return a.distance > b.distance;
	}
};

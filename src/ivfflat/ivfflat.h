/*
 * ivfflat.h: the ivfflat index access method (pgvector's names and behaviour):
 * page format, options, settings and the functions shared by build, insert, scan
 * and vacuum.
 *
 * An ivfflat index partitions the vectors into `lists` clusters found by k-means;
 * a scan measures the query against every cluster's center and reads the entries
 * of the `ivfflat.probes` nearest lists.
 *
 * Page format (8 kB pages, WAL-logged with GenericXLog after the build):
 *   block 0        metapage: dimensions, lists, value type, where the list pages start
 *   blocks 1..k    list pages: one list tuple per list (center, first and insert page)
 *   then           entry pages: each list a chain of pages linked by nextblkno;
 *                  and, in an index with filter columns built by 0.4.0 or later
 *                  (IVFFLAT_META_KEY_CHAINS), each list's chain of key pages
 *   after a build  each list's key pages, then its entry pages, on consecutive blocks
 *
 * An entry holds one heap TID, the indexed value (HnswValue: the indexed type's own
 * varlena, sized by type and dimensions, hnsw_value.cpp) and, MAXALIGN'd after it,
 * the filter section of the index's filter columns (hnsw_filter.h), so filter keys and
 * token scopes are tested on the entry without visiting the table.
 *
 * A key holds an entry's heap TID, where the entry is (block, offset) and its filter
 * section again: a scan under filter keys reads a list's keys (hundreds per page) and
 * then only the entries that match, instead of every 3 kB vector of the list. An
 * entry never moves while its key exists (VACUUM removes entries without compacting
 * line pointers, and removes the keys first); a scan still checks that the entry it
 * reaches holds the key's heap TID, since VACUUM may have removed both in between.
 * Indexes built by 0.3.0 have no key chains and are scanned as before.
 *
 * Values, distances and filter columns are hnsw's (hnsw.h, hnsw_filter.h): a type
 * hnsw learns to index (halfvec, bit) needs here only the conversion of its values
 * to and from the floats k-means averages (ivfflat_kmeans.cpp).
 */
#pragma once

#include "hnsw/hnsw.h"
#include "hnsw/hnsw_filter.h"

/* ---- limits and defaults (pgvector's) -------------------------------------------- */
#define IVFFLAT_DEFAULT_LISTS 100
#define IVFFLAT_MIN_LISTS 1
#define IVFFLAT_MAX_LISTS 32768
#define IVFFLAT_DEFAULT_PROBES 1

/*
 * Support functions: 1 distance, 2 norm of values (cosine), 3 the value type (hnsw's
 * type support functions: halfvec, bit; none for vector), 4 norm of centers (spherical).
 */
#define IVFFLAT_DISTANCE_PROC HNSW_DISTANCE_PROC
#define IVFFLAT_NORM_PROC HNSW_NORM_PROC
#define IVFFLAT_TYPE_SUPPORT_PROC HNSW_TYPE_SUPPORT_PROC
#define IVFFLAT_KMEANS_NORM_PROC 4
/*
 * pgvector's ivfflat has 5 slots (its halfvec and bit opclasses fill slot 5): the
 * in-place migration points pgvector's handler at ours before dropping its indexes,
 * and opening such an index fails ("invalid amproc number 5") unless slot 5 exists.
 * vecrbac's opclasses never fill it.
 */
#define IVFFLAT_SUPPORT_PROCS 5

/* Build phases shown in pg_stat_progress_create_index (subphase numbers, pgvector's names). */
#define IVFFLAT_PHASE_KMEANS 2
#define IVFFLAT_PHASE_ASSIGN 3
#define IVFFLAT_PHASE_LOAD 4

/* ---- pages --------------------------------------------------------------------------- */
#define IVFFLAT_MAGIC 0x76524649 /* "IFRv" */
#define IVFFLAT_VERSION 1
#define IVFFLAT_METAPAGE_BLKNO 0
#define IVFFLAT_HEAD_BLKNO 1 /* first list page */
#define IVFFLAT_PAGE_ID 0xFF92

#define IVFFLAT_PAGE_META (1 << 0)
#define IVFFLAT_PAGE_LIST (1 << 1)
#define IVFFLAT_PAGE_ENTRY (1 << 2)
#define IVFFLAT_PAGE_KEY (1 << 3)

/* Metapage flags (0 in indexes built by 0.3.0). */
#define IVFFLAT_META_KEY_CHAINS (1 << 0)

typedef struct IvfPageOpaqueData
{
	BlockNumber nextblkno; /* list and entry pages: the next page of the chain */
	uint16 flags;
	uint16 page_id; /* IVFFLAT_PAGE_ID */
} IvfPageOpaqueData;
typedef IvfPageOpaqueData *IvfPageOpaque;

#define IvfPageGetOpaque(page) ((IvfPageOpaque)PageGetSpecialPointer(page))

typedef struct IvfMetaPageData
{
	uint32 magic;
	uint32 version;
	uint32 dimensions;
	uint32 lists;
	uint16 value_type;     /* HnswValueType */
	uint16 vector_column;  /* 0-based index column of the vector */
	uint16 filter_columns; /* how many filter columns */
	uint16 flags;          /* IVFFLAT_META_*; was always 0 (unused) in 0.3.0 */
} IvfMetaPageData;
typedef IvfMetaPageData *IvfMetaPage;

#define IvfPageGetMeta(page) ((IvfMetaPage)PageGetContents(page))

/* One list: its center and its chain of entry pages. */
typedef struct IvfListTupleData
{
	BlockNumber start_page;             /* first entry page */
	BlockNumber insert_page;            /* the page inserts try first (free space from there on) */
	BlockNumber key_page;               /* first key page under IVFFLAT_META_KEY_CHAINS; else 0 */
	char center[FLEXIBLE_ARRAY_MEMBER]; /* HnswValue of the index's type */
} IvfListTupleData;
typedef IvfListTupleData *IvfListTuple;

#define IVF_LIST_HEADER_SIZE offsetof(IvfListTupleData, center)

static inline Size IvfListTupleSize(Size value_size)
{
	return MAXALIGN(IVF_LIST_HEADER_SIZE + value_size);
}

typedef struct IvfEntryTupleData
{
	ItemPointerData heaptid;
	uint16 filter_bytes;              /* bytes of the filter section after the value */
	char data[FLEXIBLE_ARRAY_MEMBER]; /* HnswValue, then, MAXALIGN'd, the filter section */
} IvfEntryTupleData;
typedef IvfEntryTupleData *IvfEntryTuple;

#define IVF_ENTRY_HEADER_SIZE offsetof(IvfEntryTupleData, data)
#define IvfEntryValue(etup) ((HnswValue *)(etup)->data)

static inline Size IvfEntryFilterOffset(Size value_size)
{
	return MAXALIGN(IVF_ENTRY_HEADER_SIZE + value_size);
}

static inline Size IvfEntryTupleSize(Size value_size, Size filter_bytes)
{
	return MAXALIGN(IvfEntryFilterOffset(value_size) + filter_bytes);
}

static inline char *IvfEntryFilters(IvfEntryTuple etup)
{
	return (char *)etup + IvfEntryFilterOffset(VARSIZE(etup->data));
}

/* A key: an entry's heap TID, where the entry is, and its filter section. */
typedef struct IvfKeyTupleData
{
	ItemPointerData heaptid;
	ItemPointerData entry; /* block and offset of the entry in the list's entry chain */
	uint16 filter_bytes;
} IvfKeyTupleData;
typedef IvfKeyTupleData *IvfKeyTuple;

#define IVF_KEY_FILTER_OFFSET MAXALIGN(sizeof(IvfKeyTupleData))
#define IvfKeyFilters(ktup) ((char *)(ktup) + IVF_KEY_FILTER_OFFSET)

/* ---- options and settings ------------------------------------------------------------ */
typedef struct IvfOptions
{
	int32 vl_len_; /* varlena header (do not touch directly) */
	int lists;
} IvfOptions;

typedef enum IvfIterativeScanMode
{
	IVFFLAT_ITERATIVE_SCAN_OFF,
	IVFFLAT_ITERATIVE_SCAN_RELAXED
} IvfIterativeScanMode;

extern int ivfflat_probes;
extern int ivfflat_iterative_scan;
extern int ivfflat_max_probes;
void IvfDefineSettings(void); /* ivfflat_settings.cpp */

int IvfGetLists(Relation index);

/* ---- pages (ivfflat_pages.cpp) --------------------------------------------------------- */
void IvfInitPage(Page page, uint16 flags);
void IvfReadMeta(Relation index, IvfMetaPageData *out);

/* A list as a scan or an insert sees it: where it is, and its center. */
typedef struct IvfList
{
	ItemPointerData tid; /* the list tuple */
	BlockNumber start_page;
	BlockNumber insert_page;
	BlockNumber key_page; /* InvalidBlockNumber without key chains */
	HnswValue *center;    /* palloc'd copy */
} IvfList;

/* Reads every list tuple (palloc'd in the current context); returns how many. */
int IvfReadLists(Relation index, const HnswDistance *dist, IvfList **lists);

/* A list as a scan orders it. */
typedef struct IvfListOrder
{
	float distance; /* of its center to the query */
	BlockNumber start_page;
	BlockNumber key_page; /* InvalidBlockNumber without key chains */
} IvfListOrder;

/*
 * For a scan: each list's first pages and its center's distance to query (0 for
 * every list when query is NULL), read in place without copying the centers; a
 * palloc'd array in the current context. Returns how many lists.
 */
int IvfMeasureLists(Relation index, const HnswDistance *dist, const HnswValue *query,
                    IvfListOrder **lists);

/* Sets the insert page of the list tuple at tid (GenericXLog unless building). */
void IvfSetInsertPage(Relation index, ForkNumber fork, ItemPointer tid, BlockNumber insert_page,
                      bool building);

/*
 * The nearest list to a value among lists (by the index's distance). quarter_gaps, when
 * not NULL, is IvfCenterQuarterGaps' table: it lets most centers go unmeasured.
 */
int IvfNearestList(const HnswDistance *dist, const IvfList *lists, int nlists,
                   const HnswValue *value, const float *quarter_gaps = NULL);

/*
 * |b - c|^2 / 4 for every two centers (nlists * nlists, palloc'd), or NULL when the
 * distance is not squared L2 or the table would be too big. A value x whose nearest
 * center so far is b is no nearer to c when |b - c|^2 / 4 >= |x - b|^2 (triangle
 * inequality): a build, which assigns every row, measures the centers once for all.
 */
float *IvfCenterQuarterGaps(const HnswDistance *dist, const IvfList *lists, int nlists);

/*
 * New pages reserved by a participant of a parallel build, IVF_EXTEND_BATCH at a time
 * under one relation extension lock: three participants taking that lock for every
 * page (two 784-dimension entries fill one) queued on it. The pages left unused at
 * the end stay new (all zero): in no chain, not WAL-logged, as PostgreSQL leaves the
 * pages a heap extends by ahead.
 */
#define IVF_EXTEND_BATCH 32
typedef struct IvfPageReserve
{
	BlockNumber blocks[IVF_EXTEND_BATCH];
	int next;
	int count;
} IvfPageReserve;

/*
 * A new page at the end of the fork, locked exclusively (HnswNewBuffer), or, with a
 * reserve, the reserve's next page (not initialized).
 */
Buffer IvfNewBuffer(Relation index, ForkNumber fork, IvfPageReserve *reserve);

/*
 * Appends an item to a chain of pages of kind page_flag (IVFFLAT_PAGE_ENTRY or
 * IVFFLAT_PAGE_KEY), starting at *insert_page and following the chain (extending it
 * at its end, from reserve if not NULL) until a page has room; sets *insert_page to
 * that page and *where (if not NULL) to the item's place. In place during the build
 * (nothing WAL-logged; the build logs every page at the end), through GenericXLog
 * after it.
 */
void IvfAppendItem(Relation index, ForkNumber fork, uint16 page_flag, BlockNumber *insert_page,
                   const void *item, Size size, bool building, ItemPointer where,
                   IvfPageReserve *reserve = NULL);

/* Builds the key of an entry placed at `where` (palloc'd). */
IvfKeyTuple IvfFormKey(const IvfEntryTuple entry, ItemPointer where, Size *size);

/* The most bytes an entry or a list tuple may take on a page. */
#define IVF_MAX_ITEM_SIZE                                                                          \
	(BLCKSZ - MAXALIGN(SizeOfPageHeaderData) - MAXALIGN(sizeof(IvfPageOpaqueData)) -               \
	 sizeof(ItemIdData))

/* HnswInitDistance for an ivfflat index, after checking it has one vector column. */
void IvfInitDistance(HnswDistance *dist, Relation index);

/* Builds an entry (palloc'd) from a prepared value, the index tuple's values and a heap TID. */
IvfEntryTuple IvfFormEntry(const HnswColumns *cols, const HnswValue *value, const Datum *values,
                           const bool *isnull, ItemPointer heap_tid, Size *size);

/* Checks the index's definition (dimensions, lists) as pgvector does; errors otherwise. */
void IvfCheckDefinition(Relation index, const HnswDistance *dist);

/* ---- k-means (ivfflat_kmeans.cpp) ------------------------------------------------------ */
/*
 * Samples, as float arrays of `dimensions` each; centers receive k values of the index's
 * type. Spherical (centers normalized) when `spherical`.
 */
typedef struct IvfSamples
{
	int count;
	int capacity;
	int dimensions;
	float *x; /* count * dimensions */
} IvfSamples;

void IvfSamplesInit(IvfSamples *s, int capacity, int dimensions);
/* Converts a value of the index's type to floats (the one per-type step of k-means). */
void IvfValueToFloats(const HnswDistance *dist, const HnswValue *value, float *out);
HnswValue *IvfFloatsToValue(const HnswDistance *dist, const float *x);
/* k centers (k >= 1) from the samples; fewer samples than k: the rest are random points. */
void IvfKmeans(const HnswDistance *dist, const IvfSamples *samples, int k, bool spherical,
               HnswValue **centers);

/*
 * Whether the executor applies a Filter to this scan's rows (ivfflat_executor.cpp):
 * such a scan reads further lists until the executor stops.
 */
bool IvfScanIsFiltered(IndexScanDesc scan);
void IvfInstallExecutorHook(void);

/* ---- AM callbacks ------------------------------------------------------------------------ */
IndexBuildResult *ivfflat_build(Relation heap, Relation index, IndexInfo *info);
void ivfflat_buildempty(Relation index);
bool ivfflat_validate(Oid opclassoid);
bool ivfflat_insert(Relation index, Datum *values, bool *isnull, ItemPointer heap_tid,
                    Relation heap, IndexUniqueCheck check_unique, bool index_unchanged,
                    IndexInfo *info);
IndexBulkDeleteResult *ivfflat_bulkdelete(IndexVacuumInfo *info, IndexBulkDeleteResult *stats,
                                          IndexBulkDeleteCallback callback, void *callback_state);
IndexBulkDeleteResult *ivfflat_vacuumcleanup(IndexVacuumInfo *info, IndexBulkDeleteResult *stats);
IndexScanDesc ivfflat_beginscan(Relation index, int nkeys, int norderbys);
void ivfflat_rescan(IndexScanDesc scan, ScanKey keys, int nkeys, ScanKey orderbys, int norderbys);
bool ivfflat_gettuple(IndexScanDesc scan, ScanDirection dir);
void ivfflat_endscan(IndexScanDesc scan);
void ivfflat_costestimate(PlannerInfo *root, IndexPath *path, double loop_count, Cost *startup,
                          Cost *total, Selectivity *selectivity, double *correlation,
                          double *pages);

/*
 * hnsw_settings.cpp: the seven hnsw.* settings, defined and registered in one place
 * (pgvector's names and defaults, plus the two of filtered scans and the one of binary
 * indexes).
 *
 *   hnsw.ef_search                  candidates kept by a search (1..1000, 40)
 *   hnsw.iterative_scan             off, relaxed_order, strict_order
 *   hnsw.max_scan_tuples            elements an iterative scan may visit (20000)
 *   hnsw.scan_mem_multiplier        multiple of work_mem an iterative scan may use (1)
 *   hnsw.exact_scan_limit           largest filtered scope always read exactly (2000)
 *   hnsw.max_filtered_scan_tuples   elements a filtered scan without partition
 *                                   values may examine (1000000)
 *   hnsw.rerank_factor              a binary index's candidates re-ranked exactly, as a
 *                                   multiple of ef_search (1..100, 4)
 *
 * and, for tests only, vecrbac.test_hnsw_version (the version new indexes get).
 */
#include "hnsw/hnsw.h"

extern "C"
{
#include "utils/guc.h"
}

#include <climits>

int hnsw_ef_search = HNSW_DEFAULT_EF_SEARCH;
int hnsw_iterative_scan = HNSW_ITERATIVE_SCAN_OFF;
int hnsw_max_scan_tuples = 20000;
double hnsw_scan_mem_multiplier = 1.0;
int hnsw_exact_scan_limit = 2000;
int hnsw_max_filtered_scan_tuples = 1000000;
int hnsw_rerank_factor = HNSW_DEFAULT_RERANK_FACTOR;
int hnsw_test_version = HNSW_VERSION;

static const struct config_enum_entry iterative_scan_options[] = {
    {"off", HNSW_ITERATIVE_SCAN_OFF, false},
    {"relaxed_order", HNSW_ITERATIVE_SCAN_RELAXED, false},
    {"strict_order", HNSW_ITERATIVE_SCAN_STRICT, false},
    {NULL, 0, false}};

/* Registers the settings and reserves the hnsw prefix; called from vecrbac_hnsw_init. */
void HnswDefineSettings(void)
{
	DefineCustomIntVariable(
	    "hnsw.ef_search", "Sets the size of the dynamic candidate list for search",
	    "Valid range is 1..1000.", &hnsw_ef_search, HNSW_DEFAULT_EF_SEARCH, HNSW_MIN_EF_SEARCH,
	    HNSW_MAX_EF_SEARCH, PGC_USERSET, 0, NULL, NULL, NULL);
	DefineCustomEnumVariable("hnsw.iterative_scan", "Sets the mode for iterative scans", NULL,
	                         &hnsw_iterative_scan, HNSW_ITERATIVE_SCAN_OFF, iterative_scan_options,
	                         PGC_USERSET, 0, NULL, NULL, NULL);
	DefineCustomIntVariable(
	    "hnsw.max_scan_tuples", "Sets the max number of tuples to visit for iterative scans", NULL,
	    &hnsw_max_scan_tuples, 20000, 1, INT_MAX, PGC_USERSET, 0, NULL, NULL, NULL);
	DefineCustomRealVariable(
	    "hnsw.scan_mem_multiplier", "Sets the multiple of work_mem to use for iterative scans",
	    NULL, &hnsw_scan_mem_multiplier, 1, 1, 1000, PGC_USERSET, 0, NULL, NULL, NULL);
	DefineCustomIntVariable(
	    "hnsw.exact_scan_limit",
	    "Sets the largest filtered scope an hnsw scan always reads exactly instead of walking the "
	    "graph",
	    "A scope is the elements whose key column (one with a directory) matches the scan's "
	    "filter. A larger scope is read exactly when walking it at hnsw.ef_search would cost more; "
	    "0 walks every scope.",
	    &hnsw_exact_scan_limit, 2000, 0, INT_MAX, PGC_USERSET, 0, NULL, NULL, NULL);
	DefineCustomIntVariable("hnsw.max_filtered_scan_tuples",
	                        "Sets the max number of elements a filtered hnsw scan examines when "
	                        "its filter does not name partition values",
	                        NULL, &hnsw_max_filtered_scan_tuples, 1000000, 1, INT_MAX, PGC_USERSET,
	                        0, NULL, NULL, NULL);
	DefineCustomIntVariable(
	    "hnsw.rerank_factor",
	    "Sets how many candidates a scan of a binary index re-ranks, as a multiple of ef_search",
	    "A binary index walks its graph on estimated distances, then ranks ef_search times this "
	    "many candidates by their rows' exact distances.",
	    &hnsw_rerank_factor, HNSW_DEFAULT_RERANK_FACTOR, 1, 100, PGC_USERSET, 0, NULL, NULL, NULL);
	DefineCustomIntVariable(
	    "vecrbac.test_hnsw_version",
	    "For tests only: the on-disk version of hnsw indexes built from now on.",
	    "1 builds the layout of vecrbac 0.3.0 and earlier, to test that such indexes keep working.",
	    &hnsw_test_version, HNSW_VERSION, HNSW_VERSION_1, HNSW_VERSION, PGC_SUSET,
	    GUC_NO_SHOW_ALL | GUC_NOT_IN_SAMPLE, NULL, NULL, NULL);
	MarkGUCPrefixReserved("hnsw");
}

/*
 * A walk reads a few elements per slot of its window, each a random page and a
 * distance; reading a scope whole reads each of its elements once, along its chains,
 * on consecutive pages. Measured on Fashion-MNIST (docs/performance.md, "Walk or read
 * whole"): a walk of one value cost 2.2-3.1 us per window slot (a window of 4x
 * ef_search), of several values 3.6-4.9 us (8x), an exact read 0.7-0.8 us per element.
 * So a scope is read whole below about 12 (one value) or 40 (several) elements per
 * unit of ef_search. Only where the user leaves exact reads on (a limit of 0 walks
 * every scope), and not for a binary index, whose exact read fetches every row.
 */
bool HnswReadScopeWhole(double count, int ef_search, bool several, bool reranked)
{
	const double kElementsPerEf = 12, kElementsPerEfSeveral = 40;
	if (count <= hnsw_exact_scan_limit)
		return true;
	if (hnsw_exact_scan_limit == 0 || reranked)
		return false;
	return count <= (several ? kElementsPerEfSeveral : kElementsPerEf) * (double)ef_search;
}

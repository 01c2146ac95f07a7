/*
 * ivfflat_cost.cpp: the cost estimate the planner compares with an exact scan.
 */
#include "ivfflat/ivfflat.h"

extern "C"
{
#include "optimizer/cost.h"
#include "optimizer/optimizer.h"
#include "optimizer/pathnode.h"
#include "utils/selfuncs.h"
#include "utils/spccache.h"
}

#include <cfloat>

/*
 * The index only answers ORDER BY distance; without one it must never be chosen.
 * With one, a scan measures every center, then reads `probes` lists whole: their pages
 * in chain order (sequential reads) and a distance per entry. Under filter keys the
 * scan reads further lists until rows pass, about probes / selectivity lists; so does
 * a scan under conditions of the table that the index does not take (a Filter above
 * it, ivfflat_executor.cpp), which also evaluates them on each row it returns. The
 * planner thus prefers the index that takes a tenant as a filter key.
 *
 * Under key chains (ivfflat.h: filter columns, built by 0.4.0 or later) a scan under
 * filter keys reads the keys of those lists, then the pages of the entries that pass
 * only, and measures only those: the pages charged are the lists' key pages (the keys'
 * share of the index, from the sizes of a key and an entry) plus one page per matching
 * entry, at most the lists' entry pages. A scope of 1% then costs about a hundredth of
 * the index's entries, where it would cost the whole index without keys.
 *
 * As for hnsw (hnsw_am.cpp), the planner's exact scan counts the table's pages but not
 * the TOAST pages where long vectors live, while the index holds every vector inline:
 * so while the scan reads less than half of the index, its page reads are charged at
 * most the table's own pages.
 */
void ivfflat_costestimate(PlannerInfo *root, IndexPath *path, double loop_count, Cost *startup,
                          Cost *total, Selectivity *selectivity, double *correlation, double *pages)
{
	if (path->indexorderbys == NIL)
	{
		*startup = DBL_MAX;
		*total = DBL_MAX;
		*selectivity = 0;
		*correlation = 0;
		*pages = 0;
		return;
	}

	IndexOptInfo *info = path->indexinfo;
	int lists = IVFFLAT_DEFAULT_LISTS;
	bool key_chains = false;
	double value_bytes = 0;
	{
		Relation index = index_open(info->indexoid, NoLock);
		IvfMetaPageData meta;
		IvfReadMeta(index, &meta);
		lists = (int)Max(meta.lists, 1u);
		key_chains = (meta.flags & IVFFLAT_META_KEY_CHAINS) != 0;
		value_bytes = (double)HnswValueSize((HnswValueType)meta.value_type, (int)meta.dimensions);
		index_close(index, NoLock);
	}

	GenericCosts costs;
	MemSet(&costs, 0, sizeof(costs));
	costs.numIndexTuples = 1;
	genericcostestimate(root, path, loop_count, &costs);

	double ratio = Min(1.0, (double)ivfflat_probes / lists);
	bool through_keys = key_chains && path->indexclauses != NIL;
	if (path->indexclauses != NIL)
		ratio = Min(1.0, ratio / Max(costs.indexSelectivity, 1e-6));

	/* conditions with columns of the table that are not index clauses */
	List *other = NIL;
	ListCell *lc;
	foreach (lc, info->rel->baserestrictinfo)
	{
		RestrictInfo *rinfo = (RestrictInfo *)lfirst(lc);
		bool taken = false;
		ListCell *ic;
		foreach (ic, path->indexclauses)
			taken |= ((IndexClause *)lfirst(ic))->rinfo == rinfo;
		if (!taken && !rinfo->pseudoconstant && contain_var_clause((Node *)rinfo->clause))
			other = lappend(other, rinfo);
	}
	double filter_cost = 0;
	if (other != NIL)
	{
		Selectivity rest = clauselist_selectivity(root, other, info->rel->relid, JOIN_INNER, NULL);
		ratio = Min(1.0, ratio / Max(rest, 1e-6));
		filter_cost = cpu_operator_cost * list_length(other);
	}

	double random_page_cost, seq_page_cost;
	get_tablespace_page_costs(info->reltablespace, &random_page_cost, &seq_page_cost);
	double tuples = Max(info->tuples, 1.0);
	double index_pages = Max((double)info->pages, 1.0);
	double read_pages = ratio * index_pages;
	double measured = ratio * tuples; /* entries whose distance is taken */
	if (through_keys)
	{
		/* a key: its header and a filter section of a few words; an entry: that and the value */
		double key_bytes = 48;
		double key_share = key_bytes / (key_bytes + value_bytes + key_bytes);
		double key_pages = key_share * index_pages;
		measured = ratio * tuples * Min(1.0, costs.indexSelectivity);
		read_pages = ratio * key_pages + Min(measured, ratio * (index_pages - key_pages));
	}
	double page_cost = read_pages * seq_page_cost;
	if (ratio < 0.5 || through_keys)
		page_cost = Min(page_cost, (double)info->rel->pages * seq_page_cost);

	Cost cost = lists * cpu_operator_cost * 4 + page_cost + ratio * tuples * cpu_index_tuple_cost +
	            measured * (cpu_operator_cost + filter_cost) + costs.indexStartupCost;

	*startup = cost;
	*total = cost + costs.indexSelectivity * tuples * cpu_index_tuple_cost;
	*selectivity = costs.indexSelectivity;
	*correlation = 0;
	*pages = read_pages;
}

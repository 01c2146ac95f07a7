/*
 * hnsw_projection.cpp: the distance of a row an hnsw scan returns, projected from
 * the scan instead of measured again from the heap.
 *
 * `SELECT id FROM t ORDER BY embedding <-> $1 LIMIT 10` projects `embedding <-> $1`
 * for every row the index scan returns (a resjunk column that the Limit passes up):
 * the executor reads the row's vector, from TOAST for a 784-dimension one (an index
 * lookup and a heap page per chunk), and measures it again, although the scan has just
 * read the element. On Fashion-MNIST at ef_search 10 that was a fifth of the server's
 * CPU per query (docs/performance.md).
 *
 * After ExecutorStart (hnsw_executor.cpp calls in here), each hnsw index scan's
 * projection is searched for calls of the ORDER BY operator on the ORDER BY expression
 * itself (equal() to the scan's ORDER BY, with no volatile function in it), and the
 * function the interpreter calls for them is replaced by a wrapper that returns the
 * distance the scan measured for its current row. The scan measures that row on the
 * element's page when it returns it (hnsw_scan.cpp), with the same kernel, on the
 * same two values, as the operator's function: the value is the operator's, bit for
 * bit (the kernels give the same result with their arguments swapped). Only the
 * operator and opclass pairs of the table below are taken, where that holds; a cosine
 * index (its elements are normalized), another operator, JIT-compiled expressions
 * and a scan without a current row call the original function.
 *
 * Safety: a projection step of an index scan node only ever evaluates the row that
 * node's scan has just returned (an EvalPlanQual recheck builds its own plan state,
 * which is never patched), and the ORDER BY expression's query argument is evaluated
 * once per scan or rescan, as the scan's key was.
 */
#include "hnsw/hnsw.h"

extern "C"
{
#include "executor/execExpr.h"
#include "nodes/execnodes.h"
#include "nodes/plannodes.h"
#include "optimizer/optimizer.h"
#include "utils/memutils.h"
}

#include <cmath>

extern "C"
{
	Datum vecrbac_l2_distance(PG_FUNCTION_ARGS);
	Datum vecrbac_vector_negative_inner_product(PG_FUNCTION_ARGS);
	Datum vecrbac_l1_distance(PG_FUNCTION_ARGS);
	Datum vecrbac_halfvec_l2_distance(PG_FUNCTION_ARGS);
	Datum vecrbac_halfvec_negative_inner_product(PG_FUNCTION_ARGS);
	Datum vecrbac_halfvec_l1_distance(PG_FUNCTION_ARGS);
}

namespace
{

/* Operator functions whose result follows exactly from the scan's distance of that kind. */
struct ExactOperator
{
	PGFunction function;
	HnswDistanceKind kind;
	bool root; /* the operator returns the square root of the index's distance */
};

const ExactOperator exact_operators[] = {
    {vecrbac_l2_distance, HNSW_DIST_L2_SQUARED, true},
    {vecrbac_vector_negative_inner_product, HNSW_DIST_NEG_INNER_PRODUCT, false},
    {vecrbac_l1_distance, HNSW_DIST_L1, false},
    {vecrbac_halfvec_l2_distance, HNSW_DIST_HALF_L2_SQUARED, true},
    {vecrbac_halfvec_negative_inner_product, HNSW_DIST_HALF_NEG_INNER_PRODUCT, false},
    {vecrbac_halfvec_l1_distance, HNSW_DIST_HALF_L1, false},
};

/*
 * A patched call. The call's FmgrInfo is copied into the first member, and the call's
 * fcinfo points to the copy, so the wrapper finds the rest from fcinfo->flinfo and
 * the original function still sees an FmgrInfo of its own (fn_extra and all).
 */
typedef struct ProjectedDistance
{
	FmgrInfo flinfo; /* first: fcinfo->flinfo points here */
	PGFunction original;
	IndexScanState *node;
	HnswDistanceKind kind;
	bool root;
} ProjectedDistance;

Datum projected_distance(PG_FUNCTION_ARGS)
{
	const ProjectedDistance *p = (const ProjectedDistance *)fcinfo->flinfo;
	IndexScanDesc scan = p->node->iss_ScanDesc;
	float distance;

	if (scan != NULL && HnswScanRowDistance(scan, p->kind, &distance))
		return Float8GetDatum(p->root ? std::sqrt((double)distance) : (double)distance);
	return p->original(fcinfo);
}

const ExactOperator *exact_operator(PGFunction f)
{
	for (const ExactOperator &e : exact_operators)
		if (e.function == f)
			return &e;
	return nullptr;
}

} // namespace

bool HnswProjectRowDistance(IndexScanState *node, EState *estate)
{
	ProjectionInfo *proj = node->ss.ps.ps_ProjInfo;
	const IndexScan *plan = (const IndexScan *)node->ss.ps.plan;

	/* Only the interpreter's steps are patched: JIT-compiled code has the original call built in.
	 */
	if (proj == NULL || !(proj->pi_state.flags & EEO_FLAG_INTERPRETER_INITIALIZED) ||
	    list_length(plan->indexorderbyorig) != 1)
		return false;
	Node *order = (Node *)linitial(plan->indexorderbyorig);
	if (contain_volatile_functions(order))
		return false;

	bool patched = false;
	ExprState *state = &proj->pi_state;
	for (int i = 0; i < state->steps_len; i++)
	{
		ExprEvalStep *op = &state->steps[i];
		ExprEvalOp code = ExecEvalStepOp(state, op);
		if (code != EEOP_FUNCEXPR && code != EEOP_FUNCEXPR_STRICT)
			continue;
		const ExactOperator *e = exact_operator(op->d.func.fn_addr);
		FmgrInfo *f = op->d.func.finfo;
		if (e == nullptr || f->fn_expr == NULL || !equal(f->fn_expr, order))
			continue;
		ProjectedDistance *p = (ProjectedDistance *)MemoryContextAllocZero(
		    estate->es_query_cxt, sizeof(ProjectedDistance));
		p->flinfo = *f;
		p->original = op->d.func.fn_addr;
		p->node = node;
		p->kind = e->kind;
		p->root = e->root;
		op->d.func.finfo = &p->flinfo;
		op->d.func.fcinfo_data->flinfo = &p->flinfo;
		op->d.func.fn_addr = projected_distance;
		patched = true;
	}
	return patched;
}

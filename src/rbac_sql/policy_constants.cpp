/*
 * policy_constants.cpp: the token policies of a scan that tests every row of a table,
 * with the claim accessors' answers as constants (declared in policy_constants.h).
 *
 * A policy calls its accessors (authorize, key_scope, payload_scope, row_scope,
 * scope_is_exact) with constants, and each call site keeps its first answer for the
 * rest of its statement (rbac_sql.cpp). A sequential or bitmap heap scan still makes
 * every one of those calls for every row it tests: about 25 ns a row, which made a
 * token's exact scan of a table half as slow again as the same scan with a plain
 * WHERE. So, once ExecutorStart has built the plan's state, each such scan whose
 * Filter calls an accessor with constants gets its Filter built again for this
 * execution: every such call replaced by its answer, computed here once through the
 * same function (so with the same token, checks and errors), and the result
 * simplified by the planner's constant folding, after dropping each scope test of a
 * scope that admits everything (a global grant's, true for every value, NULL too).
 * `authorize(...) AND (label <@ key_scope(...)) AND (t1 <@ key_scope(...)) AND CASE
 * WHEN scope_is_exact(...) THEN true ELSE ... END` under a token scoped by t1 alone
 * becomes `t1 <@ '<scope>'`. The plan is not changed: EXPLAIN shows the policies as written.
 *
 * Answering at executor start is what the call sites do already: the first call of
 * each keeps its answer for the statement, whatever the token becomes meanwhile, and
 * the executor-start check (executor_check.cpp) has already refused a statement whose
 * token may not read the table. Index scans keep their Filters as they are: they test
 * few rows (the scan takes the scopes as index conditions), and rebuilding a Filter
 * costs a few microseconds per statement that a top-k search would pay for nothing.
 */
#include "pg/pg.h"

#include "rbac_sql/policy_constants.h"
#include "rbac_sql/statement_token.h"
#include "scope_sql/scope.h"

extern "C"
{
#include "executor/executor.h"
#include "nodes/execnodes.h"
#include "nodes/makefuncs.h"
#include "nodes/nodeFuncs.h"
#include "optimizer/clauses.h"
#include "optimizer/optimizer.h"
#include "utils/datum.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/memutils.h"
#include "storage/bufmgr.h"
#include "utils/rel.h"

	Datum vecrbac_rbac_authorize(PG_FUNCTION_ARGS);
	Datum vecrbac_rbac_key_scope(PG_FUNCTION_ARGS);
	Datum vecrbac_rbac_payload_scope(PG_FUNCTION_ARGS);
	Datum vecrbac_rbac_row_scope(PG_FUNCTION_ARGS);
	Datum vecrbac_rbac_scope_is_exact(PG_FUNCTION_ARGS);
	Datum vecrbac_scope_contains_int8(PG_FUNCTION_ARGS);
	Datum vecrbac_scope_contains_int4(PG_FUNCTION_ARGS);
	Datum vecrbac_scope_contains_int2(PG_FUNCTION_ARGS);
	Datum vecrbac_scope_contains_bool(PG_FUNCTION_ARGS);
	Datum vecrbac_scope_contains_text(PG_FUNCTION_ARGS);
	Datum vecrbac_scope_contains_uuid(PG_FUNCTION_ARGS);
	Datum vecrbac_scope_contains_payload(PG_FUNCTION_ARGS);
	Datum vecrbac_scope_holds_payload(PG_FUNCTION_ARGS);
}

namespace
{

ExecutorStart_hook_type previous_executor_start = nullptr;

/* A claim accessor, known by the C function behind it (no name resolved). */
bool is_accessor(Oid funcid)
{
	FmgrInfo f;
	fmgr_info(funcid, &f);
	return f.fn_addr == vecrbac_rbac_authorize || f.fn_addr == vecrbac_rbac_key_scope ||
	       f.fn_addr == vecrbac_rbac_payload_scope || f.fn_addr == vecrbac_rbac_row_scope ||
	       f.fn_addr == vecrbac_rbac_scope_is_exact;
}

/* A scope test (`value <@ scope`, `payload <<@ scope`), known by its C function. */
bool is_scope_test(Oid funcid)
{
	FmgrInfo f;
	fmgr_info(funcid, &f);
	return f.fn_addr == vecrbac_scope_contains_int8 || f.fn_addr == vecrbac_scope_contains_int4 ||
	       f.fn_addr == vecrbac_scope_contains_int2 || f.fn_addr == vecrbac_scope_contains_bool ||
	       f.fn_addr == vecrbac_scope_contains_text || f.fn_addr == vecrbac_scope_contains_uuid ||
	       f.fn_addr == vecrbac_scope_contains_payload || f.fn_addr == vecrbac_scope_holds_payload;
}

/*
 * Whether a scope test's scope is a constant that admits everything ({"all": true}, a
 * global grant's): every scope test is then true, a NULL value included (scope.cpp's
 * NULL rules), so the test can go.
 */
bool tests_whole_scope(const OpExpr *op)
{
	if (list_length(op->args) != 2 || !IsA(lsecond(op->args), Const))
		return false;
	const Const *scope = (const Const *)lsecond(op->args);
	return !scope->constisnull && is_scope_test(op->opfuncid) &&
	       ScopeParse(DatumGetJsonbP(scope->constvalue))->kind == SCOPE_ALL;
}

bool args_are_constants(List *args)
{
	ListCell *lc;
	foreach (lc, args)
		if (!IsA(lfirst(lc), Const))
			return false;
	return true;
}

/* Whether an expression calls an accessor with constants. */
bool calls_accessor(Node *node, void *context)
{
	if (node == nullptr)
		return false;
	if (IsA(node, FuncExpr))
	{
		FuncExpr *f = (FuncExpr *)node;
		if (args_are_constants(f->args) && is_accessor(f->funcid))
			return true;
	}
	return expression_tree_walker(node, (bool (*)())(void (*)(void))calls_accessor, context);
}

struct Answering
{
	PlanState *scan;
	int answered; /* accessor calls replaced by their answers */
	int whole;    /* scope tests of a whole scope, replaced by true */
};

/* A copy of an expression with each accessor call (with constants) replaced by its answer. */
Node *answer_accessors(Node *node, void *context)
{
	if (node == nullptr)
		return nullptr;
	if (IsA(node, FuncExpr))
	{
		FuncExpr *f = (FuncExpr *)node;
		if (args_are_constants(f->args) && is_accessor(f->funcid))
		{
			Answering *a = (Answering *)context;
			ExprState *call = ExecInitExpr((Expr *)f, a->scan);
			bool isnull;
			Datum answer = ExecEvalExprSwitchContext(call, a->scan->ps_ExprContext, &isnull);
			int16 typlen;
			bool byval;
			get_typlenbyval(f->funcresulttype, &typlen, &byval);
			a->answered++;
			return (Node *)makeConst(f->funcresulttype, -1, f->funccollid, typlen,
			                         isnull ? (Datum)0 : datumCopy(answer, byval, typlen), isnull,
			                         byval);
		}
	}
	Node *copy =
	    expression_tree_mutator(node, (Node * (*)())(void (*)(void))answer_accessors, context);
	if (IsA(copy, OpExpr) && tests_whole_scope((OpExpr *)copy))
	{
		((Answering *)context)->whole++;
		return makeBoolConst(true, false);
	}
	return copy;
}

/*
 * Scans that test every row of their table (or of a bitmap's pages), on more than one
 * page: rebuilding a Filter costs about 4 us per statement, more than the calls it
 * saves on a table of a few rows.
 */
bool tests_many_rows(PlanState *ps)
{
	if (!IsA(ps, SeqScanState) && !IsA(ps, BitmapHeapScanState) && !IsA(ps, SampleScanState))
		return false;
	Relation rel = ((ScanState *)ps)->ss_currentRelation;
	return rel != nullptr && RelationGetNumberOfBlocks(rel) > 1;
}

bool answer_scans(PlanState *ps, void *context)
{
	if (ps == nullptr)
		return false;
	List *qual = ps->plan->qual;
	/* (a Filter with subqueries keeps its own: their states belong to this node) */
	if (tests_many_rows(ps) && ps->qual != nullptr && ps->ps_ExprContext != nullptr &&
	    calls_accessor((Node *)qual, nullptr) && !contain_subplans((Node *)qual))
	{
		Answering a = {ps, 0, 0};
		List *answered = (List *)answer_accessors((Node *)qual, &a);
		answered = (List *)eval_const_expressions(nullptr, (Node *)answered);
		ps->qual = ExecInitQual(answered, ps);
		elog(DEBUG2,
		     "vecrbac: the filter of the scan of %s takes %d policy accessor answers as constants, "
		     "and drops %d tests of a whole scope",
		     RelationGetRelationName(((ScanState *)ps)->ss_currentRelation), a.answered, a.whole);
	}
	return planstate_tree_walker(ps, (bool (*)())(void (*)(void))answer_scans, context);
}

void policy_constants_executor_start(QueryDesc *query, int eflags)
{
	if (previous_executor_start)
		previous_executor_start(query, eflags);
	else
		standard_ExecutorStart(query, eflags);
	/* only statements on protected tables under row-level security (executor_check.cpp) */
	if ((eflags & EXEC_FLAG_EXPLAIN_ONLY) || query->planstate == nullptr ||
	    RbacStatementIn(query->estate->es_query_cxt) == nullptr)
		return;
	MemoryContext old = MemoryContextSwitchTo(query->estate->es_query_cxt);
	answer_scans(query->planstate, nullptr);
	MemoryContextSwitchTo(old);
}

} // namespace

void RbacInstallPolicyConstants(void)
{
	previous_executor_start = ExecutorStart_hook;
	ExecutorStart_hook = policy_constants_executor_start;
}

/*
 * scope_selectivity.cpp: the planner's estimate for `column <@ scope`.
 *
 * A known scope (a constant) is estimated as an equality would be (eqsel, which
 * tests the column's most common values, payloads included, with the operator
 * itself). A policy's scope is not known when the statement is
 * planned: it comes from the session's token through an accessor call (or, before
 * 0.3.0, an InitPlan), and a plan may serve many tokens. Such a call is never
 * evaluated here: the planner would fold it into a constant with the token of the
 * planning session (estimate_expression_value folds stable functions), call the
 * accessor, and estimate one token's scope as if it were an equality. It is replaced
 * by a stand-in parameter, as an InitPlan's was. Most tokens leave most key columns unscoped
 * ({"all": true}), a few scope them to one value; the estimate takes the geometric mean of the two,
 * sqrt(selectivity of one value), half-way in orders of magnitude. With eqsel alone
 * a policy over three key columns looked a million times more selective than any
 * token makes it, and the planner never chose an index that leaves one of them to
 * the executor, even for a token that scopes nothing.
 */
#include "pg/pg.h"
#include "module.h"

extern "C"
{
#include "nodes/nodeFuncs.h"
#include "utils/fmgrprotos.h"
#include "utils/selfuncs.h"
}

#include <cmath>

/*
 * The operator's arguments with a scope computed at run time (anything but a constant
 * or a parameter) replaced by an executor parameter of its type, which no estimate
 * evaluates.
 */
static List *runtime_scope_as_param(List *args)
{
	if (list_length(args) != 2)
		return args;
	Node *scope = (Node *)lsecond(args);
	if (IsA(scope, Const) || IsA(scope, Param))
		return args;
	Param *p = makeNode(Param);
	p->paramkind = PARAM_EXEC;
	p->paramid = 0;
	p->paramtype = exprType(scope);
	p->paramtypmod = exprTypmod(scope);
	p->paramcollid = exprCollation(scope);
	p->location = -1;
	return list_make2(linitial(args), p);
}

VECRBAC_FUNCTION(vecrbac_scope_restrict_sel)
{
	PlannerInfo *root = (PlannerInfo *)PG_GETARG_POINTER(0);
	List *args = runtime_scope_as_param((List *)PG_GETARG_POINTER(2));
	int var_relid = PG_GETARG_INT32(3);
	VariableStatData vardata;
	Node *other;
	bool varonleft;

	if (!get_restriction_variable(root, args, var_relid, &vardata, &other, &varonleft))
		PG_RETURN_FLOAT8(DEFAULT_EQ_SEL);
	bool known = IsA(other, Const);
	ReleaseVariableStats(vardata);
	if (known && ((Const *)other)->constisnull)
		PG_RETURN_FLOAT8(0.0);

	double sel = DatumGetFloat8(DirectFunctionCall4Coll(eqsel, PG_GET_COLLATION(),
	                                                    PG_GETARG_DATUM(0), PG_GETARG_DATUM(1),
	                                                    PointerGetDatum(args), PG_GETARG_DATUM(3)));
	if (!known)
		sel = std::sqrt(Max(sel, 0.0));
	CLAMP_PROBABILITY(sel);
	PG_RETURN_FLOAT8(sel);
}

/*
 * scope_selectivity.cpp: the planner's estimate for `column <@ scope`.
 *
 * A known scope (a constant, or a policy's accessor call peeked at with the planning
 * session's token, rbac_sql/planning_scope.cpp) is estimated from the column's
 * statistics: {"all": true} passes every row that is not null; a list of values, the
 * most common values it holds (tested with the operator itself) plus its share of the
 * others; payload conditions likewise, with the histogram for the rest.
 *
 * An unknown scope (no token while planning, or an expression computed at run time)
 * is replaced by a stand-in parameter, which no estimate evaluates. Most tokens leave
 * most key columns unscoped ({"all": true}), a few scope them to one value; the
 * estimate takes the geometric mean of the two, sqrt(selectivity of one value),
 * half-way in orders of magnitude. With eqsel alone a policy over three key columns
 * looked a million times more selective than any token makes it.
 */
#include "pg/pg.h"
#include "module.h"
#include "rbac_sql/planning_scope.h"
#include "scope_sql/scope.h"

extern "C"
{
#include "access/htup_details.h"
#include "catalog/pg_statistic.h"
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

/* The share of rows a known scope passes (other: its Const, not null). */
static double known_scope_sel(PlannerInfo *root, Oid op, Oid collation, List *args, int var_relid,
                              VariableStatData *vardata, Const *other)
{
	ScopeParsed *scope = ScopeParse(DatumGetJsonbP(other->constvalue));
	double nullfrac = 0.0;
	if (HeapTupleIsValid(vardata->statsTuple))
		nullfrac = ((Form_pg_statistic)GETSTRUCT(vardata->statsTuple))->stanullfrac;
	if (scope->kind == SCOPE_ALL)
		return 1.0 - nullfrac;

	/* What the statistics cannot tell: one value's share per value, or a default per condition. */
	double fallback;
	if (scope->kind == SCOPE_VALUES)
	{
		bool isdefault;
		double ndistinct = get_variable_numdistinct(vardata, &isdefault);
		int nvalues = scope->nintegers + scope->nstrings + scope->has_true + scope->has_false;
		fallback = nvalues / Max(ndistinct, 1.0);
	}
	else
		fallback = scope->nconjunctions * DEFAULT_EQ_SEL;
	CLAMP_PROBABILITY(fallback);
	return generic_restriction_selectivity(root, op, collation, args, var_relid, fallback);
}

VECRBAC_FUNCTION(vecrbac_scope_restrict_sel)
{
	PlannerInfo *root = (PlannerInfo *)PG_GETARG_POINTER(0);
	Oid op = PG_GETARG_OID(1);
	List *args = (List *)PG_GETARG_POINTER(2);
	int var_relid = PG_GETARG_INT32(3);
	VariableStatData vardata;
	Node *other;
	bool varonleft;

	Const *peeked = list_length(args) == 2 ? RbacPlanningScope((Node *)lsecond(args)) : nullptr;
	args = peeked != nullptr ? list_make2(linitial(args), peeked) : runtime_scope_as_param(args);

	if (!get_restriction_variable(root, args, var_relid, &vardata, &other, &varonleft))
		PG_RETURN_FLOAT8(DEFAULT_EQ_SEL);
	double sel;
	if (IsA(other, Const) && ((Const *)other)->constisnull)
		sel = 0.0;
	else if (IsA(other, Const) && varonleft)
		sel = known_scope_sel(root, op, PG_GET_COLLATION(), args, var_relid, &vardata,
		                      (Const *)other);
	else
	{
		sel = DatumGetFloat8(DirectFunctionCall4Coll(eqsel, PG_GET_COLLATION(), PG_GETARG_DATUM(0),
		                                             PG_GETARG_DATUM(1), PointerGetDatum(args),
		                                             PG_GETARG_DATUM(3)));
		sel = std::sqrt(Max(sel, 0.0));
	}
	ReleaseVariableStats(vardata);
	CLAMP_PROBABILITY(sel);
	PG_RETURN_FLOAT8(sel);
}

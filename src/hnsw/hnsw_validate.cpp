/*
 * hnsw_validate.cpp: amvalidate for hnsw, as contrib/bloom's blvalidate.c and the
 * core AMs do it: check one operator class and its family, report each problem as an
 * INFO message, return false if there was any.
 *
 * hnsw has two kinds of operator classes:
 *   vector classes (vector_l2_ops...): support function 1, the distance
 *     (type, type) -> float8; optional support function 2, the norm (type) -> float8
 *     (cosine); optional support function 3, the type's support (internal) -> internal
 *     (halfvec, bit, sparsevec; vector when absent); one ordering operator, strategy 1, (type,
 * type) -> float8, sorted by a btree family; filter classes (int4_ops, text_ops...): no support
 * function; search operators returning bool: strategy 1 (=, or @> on jsonb) and strategy 2,
 *     vecrbac.<@ (type, vecrbac.scope).
 * A class is a vector class when its family has support function 1 for its type;
 * that is also how the index tells its vector column from its filter columns.
 */
#include "hnsw/hnsw.h"
#include "hnsw/hnsw_filter.h"

extern "C"
{
#include "access/amvalidate.h"
#include "access/htup_details.h"
#include "catalog/pg_amop.h"
#include "catalog/pg_amproc.h"
#include "catalog/pg_opclass.h"
#include "catalog/pg_opfamily.h"
#include "catalog/pg_type.h"
#include "utils/builtins.h"
#include "utils/lsyscache.h"
#include "utils/regproc.h"
#include "utils/syscache.h"
}

#include <cstring>

namespace
{

/* True when type is vecrbac.scope, the right-hand side of strategy 2. */
bool is_scope_type(Oid type)
{
	HeapTuple tup = SearchSysCache1(TYPEOID, ObjectIdGetDatum(type));
	if (!HeapTupleIsValid(tup))
		return false;
	Form_pg_type form = (Form_pg_type)GETSTRUCT(tup);
	char *nsp = get_namespace_name(form->typnamespace);
	bool result =
	    strcmp(NameStr(form->typname), "scope") == 0 && nsp != NULL && strcmp(nsp, "vecrbac") == 0;
	ReleaseSysCache(tup);
	return result;
}

} // namespace

bool hnsw_validate(Oid opclassoid)
{
	bool result = true;

	HeapTuple classtup = SearchSysCache1(CLAOID, ObjectIdGetDatum(opclassoid));
	if (!HeapTupleIsValid(classtup))
		elog(ERROR, "cache lookup failed for operator class %u", opclassoid);
	Form_pg_opclass classform = (Form_pg_opclass)GETSTRUCT(classtup);
	Oid opfamilyoid = classform->opcfamily;
	Oid opcintype = classform->opcintype;
	char *opclassname = NameStr(classform->opcname);

	HeapTuple familytup = SearchSysCache1(OPFAMILYOID, ObjectIdGetDatum(opfamilyoid));
	if (!HeapTupleIsValid(familytup))
		elog(ERROR, "cache lookup failed for operator family %u", opfamilyoid);
	char *opfamilyname = NameStr(((Form_pg_opfamily)GETSTRUCT(familytup))->opfname);

	CatCList *oprlist = SearchSysCacheList1(AMOPSTRATEGY, ObjectIdGetDatum(opfamilyoid));
	CatCList *proclist = SearchSysCacheList1(AMPROCNUM, ObjectIdGetDatum(opfamilyoid));

	/* Support functions: numbers and signatures. */
	bool has_distance = false;
	for (int i = 0; i < proclist->n_members; i++)
	{
		Form_pg_amproc procform = (Form_pg_amproc)GETSTRUCT(&proclist->members[i]->tuple);
		bool ok;
		switch (procform->amprocnum)
		{
		case HNSW_DISTANCE_PROC:
			ok = check_amproc_signature(procform->amproc, FLOAT8OID, true, 2, 2,
			                            procform->amproclefttype, procform->amprocrighttype);
			if (procform->amproclefttype == opcintype && procform->amprocrighttype == opcintype)
				has_distance = true;
			break;
		case HNSW_NORM_PROC:
			ok = check_amproc_signature(procform->amproc, FLOAT8OID, true, 1, 1,
			                            procform->amproclefttype);
			break;
		case HNSW_TYPE_SUPPORT_PROC:
			ok = check_amproc_signature(procform->amproc, INTERNALOID, true, 1, 1, INTERNALOID);
			break;
		default:
			ereport(INFO, (errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
			               errmsg("operator family \"%s\" of access method %s contains function %s "
			                      "with invalid support number %d",
			                      opfamilyname, "hnsw", format_procedure(procform->amproc),
			                      procform->amprocnum)));
			result = false;
			continue;
		}
		if (!ok)
		{
			ereport(INFO, (errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
			               errmsg("operator family \"%s\" of access method %s contains function %s "
			                      "with wrong signature for support number %d",
			                      opfamilyname, "hnsw", format_procedure(procform->amproc),
			                      procform->amprocnum)));
			result = false;
		}
	}

	/* Operators: strategies, purposes and signatures. */
	bool has_order = false, has_equal = false, has_scope = false, has_search = false;
	for (int i = 0; i < oprlist->n_members; i++)
	{
		Form_pg_amop oprform = (Form_pg_amop)GETSTRUCT(&oprlist->members[i]->tuple);
		bool mine = oprform->amoplefttype == opcintype;
		const char *problem = NULL;

		if (oprform->amoppurpose == AMOP_ORDER)
		{
			if (oprform->amopstrategy != 1)
				problem = "an ordering operator must be strategy 1";
			else if (!OidIsValid(oprform->amopsortfamily) ||
			         !opfamily_can_sort_type(oprform->amopsortfamily, FLOAT8OID))
				problem = "its sort family is not a btree family that sorts float8";
			else if (!check_amop_signature(oprform->amopopr, FLOAT8OID, oprform->amoplefttype,
			                               oprform->amoprighttype))
				problem = "wrong signature for an ordering operator (float8 result)";
			else if (mine && oprform->amoprighttype == opcintype)
				has_order = true;
		}
		else
		{
			if (oprform->amopstrategy != HNSW_STRATEGY_EQUAL &&
			    oprform->amopstrategy != HNSW_STRATEGY_IN_SCOPE)
				problem = "a search operator must be strategy 1 or 2";
			else if (!check_amop_signature(oprform->amopopr, BOOLOID, oprform->amoplefttype,
			                               oprform->amoprighttype))
				problem = "wrong signature for a search operator (boolean result)";
			else if (oprform->amopstrategy == HNSW_STRATEGY_IN_SCOPE &&
			         !is_scope_type(oprform->amoprighttype))
				problem = "strategy 2 must take vecrbac.scope on its right";
			else if (mine)
			{
				has_search = true;
				if (oprform->amopstrategy == HNSW_STRATEGY_EQUAL &&
				    oprform->amoprighttype == opcintype)
					has_equal = true;
				if (oprform->amopstrategy == HNSW_STRATEGY_IN_SCOPE)
					has_scope = true;
			}
		}
		if (problem != NULL)
		{
			ereport(INFO, (errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
			               errmsg("operator family \"%s\" of access method %s contains operator %s "
			                      "of strategy %d: %s",
			                      opfamilyname, "hnsw", format_operator(oprform->amopopr),
			                      oprform->amopstrategy, problem)));
			result = false;
		}
	}

	/* The class as a whole: a vector class or a filter class, not a mixture. */
	const char *missing = NULL;
	if (has_distance)
	{
		if (!has_order)
			missing = "an ordering operator of strategy 1 for its type";
		else if (has_search)
			missing = "no search operator for its type (a vector class only orders)";
	}
	else if (!has_equal)
		missing = "support function 1 (a vector class) or a search operator of strategy 1";
	else if (!has_scope)
		missing = "a search operator of strategy 2 (vecrbac.<@ scope)";
	else if (has_order)
		missing = "no ordering operator for its type (a filter class only filters)";
	if (missing != NULL)
	{
		ereport(INFO, (errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
		               errmsg("operator class \"%s\" of access method %s needs %s", opclassname,
		                      "hnsw", missing)));
		result = false;
	}

	ReleaseCatCacheList(proclist);
	ReleaseCatCacheList(oprlist);
	ReleaseSysCache(familytup);
	ReleaseSysCache(classtup);
	return result;
}

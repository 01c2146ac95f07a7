/*
 * ivfflat_validate.cpp: amvalidate for ivfflat: check one operator class and its
 * family, report each problem as an INFO message, return false if there was any.
 *
 * The classes are hnsw's two kinds (hnsw_validate.cpp):
 *   vector classes: support function 1, the distance (type, type) -> float8; optional
 *     2, the norm of values (cosine), and 4, the norm of centers (spherical k-means),
 *     both (type) -> float8; one ordering operator of strategy 1 sorted as float8;
 *   filter classes: search operators returning bool, strategy 1 (= or @>) and
 *     strategy 2 (vecrbac.<@ scope).
 */
#include "ivfflat/ivfflat.h"

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

namespace
{

void report(const char *what, const char *family, const char *object, int number,
            const char *problem)
{
	ereport(INFO, (errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
	               errmsg("operator family \"%s\" of access method ivfflat contains %s %s of "
	                      "number %d: %s",
	                      family, what, object, number, problem)));
}

/* Checks the support functions; sets *has_distance when function 1 takes the class's type. */
bool check_procs(CatCList *procs, Oid type, const char *family, bool *has_distance)
{
	bool ok = true;
	for (int i = 0; i < procs->n_members; i++)
	{
		Form_pg_amproc p = (Form_pg_amproc)GETSTRUCT(&procs->members[i]->tuple);
		const char *problem = NULL;
		if (p->amprocnum == IVFFLAT_DISTANCE_PROC)
		{
			if (!check_amproc_signature(p->amproc, FLOAT8OID, true, 2, 2, p->amproclefttype,
			                            p->amprocrighttype))
				problem = "wrong signature for a distance (float8 result)";
			else if (p->amproclefttype == type && p->amprocrighttype == type)
				*has_distance = true;
		}
		else if (p->amprocnum == IVFFLAT_NORM_PROC || p->amprocnum == IVFFLAT_KMEANS_NORM_PROC)
		{
			if (!check_amproc_signature(p->amproc, FLOAT8OID, true, 1, 1, p->amproclefttype))
				problem = "wrong signature for a norm (float8 result)";
		}
		else if (p->amprocnum == IVFFLAT_TYPE_SUPPORT_PROC)
		{
			if (!check_amproc_signature(p->amproc, INTERNALOID, true, 1, 1, INTERNALOID))
				problem = "wrong signature for a type support function (internal result)";
		}
		else
			problem = "invalid support number";
		if (problem != NULL)
		{
			report("function", family, format_procedure(p->amproc), p->amprocnum, problem);
			ok = false;
		}
	}
	return ok;
}

} // namespace

bool ivfflat_validate(Oid opclassoid)
{
	HeapTuple classtup = SearchSysCache1(CLAOID, ObjectIdGetDatum(opclassoid));
	if (!HeapTupleIsValid(classtup))
		elog(ERROR, "cache lookup failed for operator class %u", opclassoid);
	Form_pg_opclass classform = (Form_pg_opclass)GETSTRUCT(classtup);
	Oid type = classform->opcintype;
	char *classname = NameStr(classform->opcname);
	HeapTuple familytup = SearchSysCache1(OPFAMILYOID, ObjectIdGetDatum(classform->opcfamily));
	if (!HeapTupleIsValid(familytup))
		elog(ERROR, "cache lookup failed for operator family %u", classform->opcfamily);
	char *family = NameStr(((Form_pg_opfamily)GETSTRUCT(familytup))->opfname);
	CatCList *oprs = SearchSysCacheList1(AMOPSTRATEGY, ObjectIdGetDatum(classform->opcfamily));
	CatCList *procs = SearchSysCacheList1(AMPROCNUM, ObjectIdGetDatum(classform->opcfamily));

	bool has_distance = false;
	bool result = check_procs(procs, type, family, &has_distance);

	bool has_order = false, has_equal = false, has_scope = false;
	for (int i = 0; i < oprs->n_members; i++)
	{
		Form_pg_amop o = (Form_pg_amop)GETSTRUCT(&oprs->members[i]->tuple);
		const char *problem = NULL;
		if (o->amoppurpose == AMOP_ORDER)
		{
			if (o->amopstrategy != 1)
				problem = "an ordering operator must be strategy 1";
			else if (!OidIsValid(o->amopsortfamily) ||
			         !opfamily_can_sort_type(o->amopsortfamily, FLOAT8OID))
				problem = "its sort family is not a btree family that sorts float8";
			else if (!check_amop_signature(o->amopopr, FLOAT8OID, o->amoplefttype,
			                               o->amoprighttype))
				problem = "wrong signature for an ordering operator (float8 result)";
			else if (o->amoplefttype == type && o->amoprighttype == type)
				has_order = true;
		}
		else if (o->amopstrategy != HNSW_STRATEGY_EQUAL &&
		         o->amopstrategy != HNSW_STRATEGY_IN_SCOPE)
			problem = "a search operator must be strategy 1 or 2";
		else if (!check_amop_signature(o->amopopr, BOOLOID, o->amoplefttype, o->amoprighttype))
			problem = "wrong signature for a search operator (boolean result)";
		else if (o->amoplefttype == type)
		{
			has_equal |= o->amopstrategy == HNSW_STRATEGY_EQUAL && o->amoprighttype == type;
			has_scope |= o->amopstrategy == HNSW_STRATEGY_IN_SCOPE;
		}
		if (problem != NULL)
		{
			report("operator", family, format_operator(o->amopopr), o->amopstrategy, problem);
			result = false;
		}
	}

	const char *missing = NULL;
	if (has_distance && !has_order)
		missing = "an ordering operator of strategy 1 for its type";
	else if (!has_distance && !has_equal)
		missing = "support function 1 (a vector class) or a search operator of strategy 1";
	else if (!has_distance && !has_scope)
		missing = "a search operator of strategy 2 (vecrbac.<@ scope)";
	if (missing != NULL)
	{
		ereport(INFO, (errcode(ERRCODE_INVALID_OBJECT_DEFINITION),
		               errmsg("operator class \"%s\" of access method ivfflat needs %s", classname,
		                      missing)));
		result = false;
	}

	ReleaseCatCacheList(procs);
	ReleaseCatCacheList(oprs);
	ReleaseSysCache(familytup);
	ReleaseSysCache(classtup);
	return result;
}

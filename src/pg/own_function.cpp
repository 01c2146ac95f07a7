/*
 * own_function.cpp: see own_function.h. Catalog lookups only (the planner's caches).
 */
#include "pg/own_function.h"

extern "C"
{
#include "catalog/namespace.h"
#include "utils/lsyscache.h"
}

#include <cstring>

bool VecrbacFunctionIs(Oid funcid, const char *name)
{
	Oid schema = get_namespace_oid("vecrbac", true);
	if (!OidIsValid(schema) || get_func_namespace(funcid) != schema)
		return false;
	char *found = get_func_name(funcid);
	bool same = found != nullptr && std::strcmp(found, name) == 0;
	if (found != nullptr)
		pfree(found);
	return same;
}

/*
 * own_function.h: whether a function of a plan is one of the extension's own, by its
 * schema (vecrbac, which the extension creates and owns) and name, not by search_path.
 */
#pragma once

#include "pg/pg.h"

/* True when funcid is the function `name` of schema vecrbac. */
bool VecrbacFunctionIs(Oid funcid, const char *name);

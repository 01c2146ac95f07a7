/*
 * planning_scope.h: the session token's scopes, for the planner's estimates only
 * (PostgreSQL-style glue; planning_scope.cpp says why and how plans stay fitting).
 */
#pragma once

#include "pg/pg.h"

extern "C"
{
#include "nodes/primnodes.h"
}

/*
 * For a policy's accessor call with constant arguments (vecrbac.key_scope or
 * vecrbac.payload_scope): the scope the session's token gives it now, as a Const of the
 * call's type; nullptr when there is none (another expression, no token, a refused
 * token, no read access). Never raises for the token's sake; the answer decides an
 * estimate, never which rows a statement sees.
 */
Const *RbacPlanningScope(Node *call);

/* vecrbac.token's assign hook: replans cached plans whose estimates no longer fit. */
void RbacPlanningTokenAssigned(const char *newval, void *extra);

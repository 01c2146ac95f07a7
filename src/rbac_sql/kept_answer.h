/*
 * kept_answer.h: whether an operator's argument is a policy accessor's kept answer
 * (PostgreSQL-style glue; rbac_sql.cpp keeps the answers).
 */
#pragma once

#include "pg/pg.h"

extern "C"
{
#include "fmgr.h"
}

/*
 * True when argument argno of this call site is a scope accessor (key_scope,
 * payload_scope, row_scope) called with constants inside a statement that keeps its
 * answers: then every call of the call site passes the very same value, which lives
 * as long as the call site does. Its callers compare the pointer, not the bytes.
 */
bool RbacArgIsKeptAnswer(FunctionCallInfo fcinfo, int argno);

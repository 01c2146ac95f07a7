/*
 * statement_token.h: per-statement token records (PostgreSQL-style glue).
 *
 * A statement on a protected table keeps the token it started with to its last row,
 * and its value_exists lookup is made once; statement_token.cpp says how statements
 * are told apart.
 */
#pragma once

#include "pg/pg.h"

extern "C"
{
#include "fmgr.h"
#include "utils/palloc.h"
}

/* A running statement on a protected table, in its executor memory context. */
typedef struct RbacStatement
{
	MemoryContext cxt;
	char *token;               /* in cxt */
	bool value_exists_checked; /* its token's value_exists lookup passed */
	struct RbacStatement *next;
	MemoryContextCallback forget;
} RbacStatement;

/* The record of the statement starting now (executor start), in the current context. */
RbacStatement *RbacStartStatement(void);
/* The statement whose plan made this call, or NULL. */
RbacStatement *RbacStatementOf(FunctionCallInfo fcinfo);
/* The statement whose executor memory this is, or NULL. */
RbacStatement *RbacStatementIn(MemoryContext cxt);
/* The token a call answers for: its statement's, else the session's. */
const char *RbacTokenOf(RbacStatement *statement);

/*
 * The session's token (vecrbac.token) as calls may use it: with vecrbac.token_lifetime
 * = 'transaction', only a value set for the transaction (SET LOCAL, set_config(...,
 * true), login(..., local => true), a function's SET clause) counts; a session-level
 * value raises 28000. Empty or NULL: no token.
 */
const char *RbacSessionToken(void);
/* Raises the error of a session-level token under vecrbac.token_lifetime = 'transaction'. */
[[noreturn]] void RbacRefuseSessionToken(void);

/* Whether this client statement already passed its value_exists lookup with this token. */
bool RbacCheckedThisStatement(const char *token);
/* Records that it did. */
void RbacMarkChecked(const char *token);

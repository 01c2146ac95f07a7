/*
 * statement_token.cpp: which token a statement on a protected table answers with, and
 * whether its value_exists lookup was made (declarations in statement_token.h).
 */
#include "rbac_sql/statement_token.h"

extern "C"
{
#include "access/xact.h"
#include "storage/proc.h"
#include "tcop/pquery.h"
#include "utils/memutils.h"
#include "access/parallel.h"
#include "utils/guc_tables.h"
#include "utils/timestamp.h"
}

#include "rbac_sql/rbac_settings.h"

#include <cstring>

/*
 * The top-level statement whose value_exists check passed, and for which token. A
 * statement is told apart by its transaction, its start time and the portal that
 * runs it (ActivePortal: the client's statement; statements that functions run
 * inside it share it, so a loop in a function does not look up once per row). The
 * start time alone is not enough: the statements of one multi-statement query share
 * it, each in its own portal. A callback on the portal's memory context forgets the
 * check when the portal is dropped, so a later portal at the same address is a new
 * statement.
 */
namespace
{
struct Checked
{
	bool valid;
	Portal portal; /* ActivePortal at the check (NULL outside any portal) */
	LocalTransactionId lxid;
	TimestampTz statement;
	std::uint64_t generation;
	char *token; /* in TopMemoryContext */
};
} // namespace
static Checked checked = {false, nullptr, InvalidLocalTransactionId, 0, 0, nullptr};
/* The portal whose context has a callback that clears `checked`. */
static Portal checked_watched = nullptr;

static void forget_checked_portal(void *arg)
{
	if (checked.portal == arg)
		checked.valid = false;
	if (checked_watched == arg)
		checked_watched = nullptr;
}

bool RbacCheckedThisStatement(const char *token)
{
	return checked.valid && checked.portal == ActivePortal && checked.lxid == MyProc->lxid &&
	       checked.statement == GetCurrentStatementStartTimestamp() &&
	       checked.generation == vecrbac::rbac::settings::generation &&
	       std::strcmp(checked.token, token) == 0;
}

void RbacMarkChecked(const char *token)
{
	if (checked.token != nullptr)
		pfree(checked.token);
	checked.token = MemoryContextStrdup(TopMemoryContext, token);
	checked.portal = ActivePortal;
	checked.lxid = MyProc->lxid;
	checked.statement = GetCurrentStatementStartTimestamp();
	checked.generation = vecrbac::rbac::settings::generation;
	checked.valid = true;
	if (ActivePortal != nullptr && checked_watched != ActivePortal)
	{
		MemoryContextCallback *cb = static_cast<MemoryContextCallback *>(
		    MemoryContextAlloc(ActivePortal->portalContext, sizeof(MemoryContextCallback)));
		cb->func = forget_checked_portal;
		cb->arg = ActivePortal;
		MemoryContextRegisterResetCallback(ActivePortal->portalContext, cb);
		checked_watched = ActivePortal;
	}
}

/*
 * Statements on protected tables, while they run, and the token each started with.
 *
 * The executor-start check (check_perms) runs inside standard_ExecutorStart while
 * the statement's executor memory context (es_query_cxt) is current, and records
 * the session's token in it. The accessors that the statement's policies call are
 * expressions of the same plan (index conditions, filters), and their FmgrInfo
 * lives in that context (fn_mcxt): they find the record and use its token, not the
 * session's current one (and keep their answers for it, rbac_sql.cpp). So a
 * statement answers with the token it started with to its last row, whatever
 * happens to vecrbac.token meanwhile: a cursor whose scan only starts at its first
 * FETCH, a statement that calls set_config itself, a loop over a query in a
 * function. The record also says whether the statement's value_exists lookup was
 * made. A reset callback unlinks the record when the context goes (ExecutorEnd,
 * or the abort of the statement's transaction). Accessors called outside such a
 * statement (directly, or by a plan made elsewhere) use the session's token.
 */
static RbacStatement *statements = nullptr;

static void forget_statement(void *arg)
{
	for (RbacStatement **p = &statements; *p != nullptr; p = &(*p)->next)
		if (*p == arg)
		{
			*p = (*p)->next;
			return;
		}
}

/* The record of the statement starting now, in the current (executor) context. */
RbacStatement *RbacStartStatement(void)
{
	MemoryContext cxt = CurrentMemoryContext;
	RbacStatement *s =
	    static_cast<RbacStatement *>(MemoryContextAllocZero(cxt, sizeof(RbacStatement)));
	s->cxt = cxt;
	s->token = MemoryContextStrdup(cxt, RbacSessionToken() != nullptr ? RbacSessionToken() : "");
	s->forget.func = forget_statement;
	s->forget.arg = s;
	MemoryContextRegisterResetCallback(cxt, &s->forget);
	s->next = statements;
	statements = s;
	return s;
}

/* The statement whose plan made this call, or nullptr. */
RbacStatement *RbacStatementOf(FunctionCallInfo fcinfo)
{
	return fcinfo->flinfo == nullptr ? nullptr : RbacStatementIn(fcinfo->flinfo->fn_mcxt);
}

RbacStatement *RbacStatementIn(MemoryContext cxt)
{
	for (RbacStatement *s = statements; s != nullptr; s = s->next)
		if (s->cxt == cxt)
			return s;
	return nullptr;
}

/* The token a call answers for: its statement's, else the session's. */
const char *RbacTokenOf(RbacStatement *statement)
{
	return statement != nullptr ? statement->token : RbacSessionToken();
}

/*
 * vecrbac.token's entry in the GUC table, found once (PostgreSQL 15 does not export
 * find_option; the entries themselves never move).
 */
static struct config_generic *token_setting(void)
{
	static struct config_generic *found = NULL;
	if (found == NULL)
	{
		struct config_generic **vars = get_guc_variables();
		int n = GetNumConfigOptions();
		for (int i = 0; i < n && found == NULL; i++)
			if (strcmp(vars[i]->name, "vecrbac.token") == 0)
				found = vars[i];
		if (found == NULL)
			elog(ERROR, "vecrbac.token is not defined");
	}
	return found;
}

/*
 * Whether the current value of vecrbac.token ends with the transaction at the latest:
 * the top of its GUC stack is a SET LOCAL (GUC_LOCAL, GUC_SET_LOCAL) or a function's
 * SET clause (GUC_SAVE). A plain SET leaves GUC_SET until commit, then no entry.
 */
static bool token_is_transactional(void)
{
	GucStack *top = token_setting()->stack;
	return top != NULL &&
	       (top->state == GUC_LOCAL || top->state == GUC_SET_LOCAL || top->state == GUC_SAVE);
}

const char *RbacSessionToken(void)
{
	const char *token = vecrbac::rbac::settings::token;
	/* A parallel worker gets the leader's values without their stack: the leader checked. */
	if (token == NULL || token[0] == '\0' || IsParallelWorker() ||
	    vecrbac::rbac::settings::token_lifetime != vecrbac::rbac::settings::kLifetimeTransaction ||
	    token_is_transactional())
		return token;
	RbacRefuseSessionToken();
}

void RbacRefuseSessionToken(void)
{
	ereport(
	    ERROR,
	    (errcode(ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION),
	     errmsg("a token set for the session is not accepted"),
	     errdetail("vecrbac.token_lifetime is \"transaction\": a session-level token would stay "
	               "with the connection after the client is gone, as behind a "
	               "transaction-pooling pooler."),
	     errhint("Set it inside each transaction: SET LOCAL vecrbac.token, "
	             "set_config('vecrbac.token', $1, true) or vecrbac.login($1, local => true).")));
	pg_unreachable();
}

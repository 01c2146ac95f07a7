/*
 * rbac_sql.cpp: the session functions and the claim accessors that policies call.
 *
 *   vecrbac.authorize(collection, operation)      true, or 42501 / 28000
 *   vecrbac.key_scope(collection, key)            vecrbac.scope of a key column
 *   vecrbac.payload_scope(collection, keys[])     vecrbac.scope of the payload column
 *   vecrbac.row_scope(collection, keys[])         the exact grant over {"k":..,"p":..}
 *   vecrbac.scope_is_exact(collection, keys[])    whether the column scopes are exact
 *   vecrbac.claims(), vecrbac.login(token, local), vecrbac.logout()
 *
 * Policies call the accessors inside scalar subqueries, so each runs once per
 * statement (an InitPlan). Every call goes through current_session(): the token of
 * vecrbac.token, verified once per backend (rbac/session.h) and checked again for
 * expiry; a token with value_exists is looked up in its collection once per statement.
 *
 * PostgreSQL-style glue around pure C++ (rbac/claims.h, rbac/session.h): arguments
 * are read first, the C++ work runs inside guarded() and leaves its results in
 * palloc'd buffers (palloc_extended with MCXT_ALLOC_NO_OOM, which cannot raise), and
 * errors and results are built after every C++ object is gone.
 */
#include "pg/guard.h"

extern "C"
{
#include "access/genam.h"
#include "access/htup_details.h"
#include "access/parallel.h"
#include "access/relation.h"
#include "access/table.h"
#include "access/xact.h"
#include "catalog/indexing.h"
#include "catalog/pg_extension.h"
#include "catalog/pg_type.h"
#include "commands/extension.h"
#include "executor/executor.h"
#include "executor/spi.h"
#include "mb/pg_wchar.h"
#include "miscadmin.h"
#include "storage/proc.h"
#include "storage/procarray.h"
#include "tcop/pquery.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgroids.h"
#include "utils/fmgrprotos.h"
#include "utils/guc.h"
#include "utils/jsonb.h"
#include "utils/memutils.h"
#include "utils/rel.h"
#include "utils/rls.h"
#include "utils/snapmgr.h"
#include "utils/timestamp.h"
}

#include "module.h"

#include "jwt_sql/jwt_settings.h"
#include "rbac/claims.h"
#include "rbac/rbac_settings.h"
#include "rbac/session.h"

#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace
{

namespace rbac = vecrbac::rbac;
namespace settings = vecrbac::rbac::settings;

constexpr int kMaxKeyNames = 8;

/* Bytes owned by PostgreSQL. */
struct Bytes
{
	const char *data;
	size_t len;
	std::string_view view() const { return std::string_view(data, len); }
};

Bytes text_bytes(text *t)
{
	return Bytes{VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t)};
}

struct KeyNames
{
	int count;
	Bytes names[kMaxKeyNames];
};

void read_key_names(ArrayType *arr, KeyNames *out)
{
	Datum *elems;
	bool *nulls;
	int n;
	deconstruct_array(arr, TEXTOID, -1, false, TYPALIGN_INT, &elems, &nulls, &n);
	if (n > kMaxKeyNames)
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
		                errmsg("at most %d key columns are supported", kMaxKeyNames)));
	for (int i = 0; i < n; i++)
	{
		if (nulls[i])
			ereport(ERROR, (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED),
			                errmsg("key column names must not be null")));
		out->names[i] = text_bytes(DatumGetTextPP(elems[i]));
	}
	out->count = n;
}

/* A copy of s in the current memory context; nullptr when out of memory (never raises). */
char *copy_no_raise(std::string_view s)
{
	char *p = static_cast<char *>(palloc_extended(s.size() + 1, MCXT_ALLOC_NO_OOM));
	if (p == nullptr)
		throw std::bad_alloc();
	std::memcpy(p, s.data(), s.size());
	p[s.size()] = '\0';
	return p;
}

/* ---- the session -------------------------------------------------------------------- */

rbac::TokenCache *token_cache = nullptr;

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
struct Checked
{
	bool valid;
	Portal portal; /* ActivePortal at the check (NULL outside any portal) */
	LocalTransactionId lxid;
	TimestampTz statement;
	std::uint64_t generation;
	char *token; /* in TopMemoryContext */
};
Checked checked = {false, nullptr, InvalidLocalTransactionId, 0, 0, nullptr};
/* The portal whose context has a callback that clears `checked`. */
Portal checked_watched = nullptr;

void forget_checked_portal(void *arg)
{
	if (checked.portal == arg)
		checked.valid = false;
	if (checked_watched == arg)
		checked_watched = nullptr;
}

bool checked_this_statement(const char *token)
{
	return checked.valid && checked.portal == ActivePortal && checked.lxid == MyProc->lxid &&
	       checked.statement == GetCurrentStatementStartTimestamp() &&
	       checked.generation == settings::generation && std::strcmp(checked.token, token) == 0;
}

void mark_checked(const char *token)
{
	if (checked.token != nullptr)
		pfree(checked.token);
	checked.token = MemoryContextStrdup(TopMemoryContext, token);
	checked.portal = ActivePortal;
	checked.lxid = MyProc->lxid;
	checked.statement = GetCurrentStatementStartTimestamp();
	checked.generation = settings::generation;
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
 * InitPlans of the same plan, and their FmgrInfo lives in that context (fn_mcxt):
 * they find the record and use its token, not the session's current one. So a
 * statement answers with the token it started with to its last row, whatever
 * happens to vecrbac.token meanwhile: a cursor whose InitPlans only run at its
 * first FETCH, a statement that calls set_config itself, a loop over a query in a
 * function. The record also says whether the statement's value_exists lookup was
 * made. A reset callback unlinks the record when the context goes (ExecutorEnd,
 * or the abort of the statement's transaction). Accessors called outside such a
 * statement (directly, or by a plan made elsewhere) use the session's token.
 */
struct Statement
{
	MemoryContext cxt;
	char *token;               /* in cxt */
	bool value_exists_checked; /* its token's value_exists lookup passed */
	Statement *next;
	MemoryContextCallback forget;
};
Statement *statements = nullptr;

void forget_statement(void *arg)
{
	for (Statement **p = &statements; *p != nullptr; p = &(*p)->next)
		if (*p == arg)
		{
			*p = (*p)->next;
			return;
		}
}

/* The record of the statement starting now, in the current (executor) context. */
Statement *start_statement()
{
	MemoryContext cxt = CurrentMemoryContext;
	Statement *s = static_cast<Statement *>(MemoryContextAllocZero(cxt, sizeof(Statement)));
	s->cxt = cxt;
	s->token = MemoryContextStrdup(cxt, settings::token != nullptr ? settings::token : "");
	s->forget.func = forget_statement;
	s->forget.arg = s;
	MemoryContextRegisterResetCallback(cxt, &s->forget);
	s->next = statements;
	statements = s;
	return s;
}

/* The statement whose plan made this call, or nullptr. */
Statement *statement_of(FunctionCallInfo fcinfo)
{
	if (fcinfo->flinfo == nullptr)
		return nullptr;
	for (Statement *s = statements; s != nullptr; s = s->next)
		if (s->cxt == fcinfo->flinfo->fn_mcxt)
			return s;
	return nullptr;
}

/* The token a call answers for: its statement's, else the session's. */
const char *token_of(Statement *statement)
{
	return statement != nullptr ? statement->token : settings::token;
}

rbac::SessionConfig session_config()
{
	rbac::SessionConfig c;
	c.secret = settings::secret ? settings::secret : "";
	c.secret_alt = settings::secret_alt ? settings::secret_alt : "";
	c.leeway_seconds = settings::leeway;
	c.require_exp = settings::require_exp;
	c.missing_access =
	    settings::missing_access == 1 ? rbac::MissingAccess::Manage : rbac::MissingAccess::Nothing;
	c.max_token_bytes = static_cast<size_t>(vecrbac::jwt::settings::max_token_bytes);
	return c;
}

/* The extension's owner (the superuser who created it): value_exists runs as this role. */
Oid extension_owner()
{
	Oid ext = get_extension_oid("vecrbac", false);
	Relation rel = table_open(ExtensionRelationId, AccessShareLock);
	ScanKeyData key;
	ScanKeyInit(&key, Anum_pg_extension_oid, BTEqualStrategyNumber, F_OIDEQ, ObjectIdGetDatum(ext));
	SysScanDesc scan = systable_beginscan(rel, ExtensionOidIndexId, true, NULL, 1, &key);
	HeapTuple tup = systable_getnext(scan);
	if (!HeapTupleIsValid(tup))
		elog(ERROR, "extension vecrbac has no catalog entry");
	Oid owner = ((Form_pg_extension)GETSTRUCT(tup))->extowner;
	systable_endscan(scan);
	table_close(rel, AccessShareLock);
	return owner;
}

/*
 * Whether one row of the collection matches every pair, read with the extension
 * owner's privileges (the caller may not see the row, or the table at all).
 *
 * The lookup reads the latest committed state, not the statement's snapshot: in a
 * REPEATABLE READ or SERIALIZABLE transaction that snapshot is the transaction's,
 * and a revocation committed after it would otherwise go unseen until the
 * transaction ends. This is how PostgreSQL's own privilege checks behave (catalog
 * lookups use fresh snapshots): a REVOKE applies at the next statement. The
 * snapshot is taken with GetSnapshotData into a private SnapshotData (what
 * GetLatestSnapshot does, minus its refusal in parallel mode, which the leader of a
 * parallel plan is in at executor start; the snapshot is used by this read only and
 * never shared with workers). In READ COMMITTED it is at least as new as the
 * statement's.
 */
bool value_exists(const char *collection, const char *matches)
{
	static bool running = false;
	static SnapshotData latest = {SNAPSHOT_MVCC};
	if (running) /* the lookup itself bypasses row-level security; never recurse */
		return true;

	Oid save_user;
	int save_sec;
	GetUserIdAndSecContext(&save_user, &save_sec);
	bool found = false;
	running = true;
	PG_TRY();
	{
		SetUserIdAndSecContext(extension_owner(), save_sec | SECURITY_LOCAL_USERID_CHANGE |
		                                              SECURITY_RESTRICTED_OPERATION);
		/* Copied by PushActiveSnapshot; popped by (sub)transaction abort on error. */
		PushActiveSnapshot(GetSnapshotData(&latest));
		if (SPI_connect() != SPI_OK_CONNECT)
			elog(ERROR, "SPI_connect failed");
		Oid types[2] = {TEXTOID, TEXTOID};
		Datum values[2] = {CStringGetTextDatum(collection), CStringGetTextDatum(matches)};
		/* read_only: the whole lookup runs with the active snapshot pushed above */
		int rc = SPI_execute_with_args("SELECT vecrbac._value_exists($1, $2::jsonb)", 2, types,
		                               values, NULL, true, 1);
		if (rc != SPI_OK_SELECT || SPI_processed != 1)
			elog(ERROR, "value_exists lookup failed");
		bool isnull;
		Datum d = SPI_getbinval(SPI_tuptable->vals[0], SPI_tuptable->tupdesc, 1, &isnull);
		found = !isnull && DatumGetBool(d);
		SPI_finish();
		PopActiveSnapshot();
	}
	PG_FINALLY();
	{
		running = false;
		SetUserIdAndSecContext(save_user, save_sec);
	}
	PG_END_TRY();
	return found;
}

[[noreturn]] void no_token()
{
	ereport(ERROR, (errcode(ERRCODE_INSUFFICIENT_PRIVILEGE), errmsg("no token is set"),
	                errhint("SET vecrbac.token = '<jwt>' or call vecrbac.login(token) first.")));
	pg_unreachable();
}

/*
 * Verifies token (from the cache when it can), checks its expiry and, once per
 * statement, its value_exists condition; then runs use(session), pure C++, inside
 * guarded(). Raises 42501 without a token, 28000 for a refused one. With a
 * statement record, its token is used, and the lookup is not repeated once made
 * for it (a cursor's FETCHes).
 */
template <typename Use>
void with_session(const char *token, Statement *statement, bool force_value_exists, Use &&use)
{
	if (statement != nullptr)
		token = statement->token;
	if (token == nullptr || token[0] == '\0')
		no_token();

	rbac::SessionConfig config = session_config();
	std::uint64_t generation = settings::generation;
	std::int64_t now = vecrbac::jwt::settings::now_seconds();
	bool check_ve =
	    !IsParallelWorker() &&
	    (force_value_exists || !((statement != nullptr && statement->value_exists_checked) ||
	                             checked_this_statement(token)));
	char *ve_collection = nullptr;
	char *ve_matches = nullptr;

	vecrbac::pg::guarded(
	    [&]
	    {
		    if (token_cache == nullptr)
			    token_cache = new rbac::TokenCache();
		    auto session = token_cache->get(token, config, generation, now);
		    rbac::check_live(*session, now, config.leeway_seconds);
		    if (check_ve && session->grants.value_exists)
		    {
			    ve_collection = copy_no_raise(session->grants.value_exists->collection);
			    ve_matches =
			        copy_no_raise(rbac::value_exists_matches(*session->grants.value_exists));
		    }
	    });
	if (ve_collection != nullptr)
	{
		if (!value_exists(ve_collection, ve_matches))
			ereport(ERROR,
			        (errcode(ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION),
			         errmsg("token is not valid: its value_exists condition matches no row")));
		if (statement != nullptr)
			statement->value_exists_checked = true;
		mark_checked(token);
	}
	vecrbac::pg::guarded(
	    [&]
	    {
		    auto session = token_cache->get(token, config, generation, now);
		    use(*session);
	    });
}

const char *operation_name(rbac::Operation op)
{
	switch (op)
	{
	case rbac::Operation::Read:
		return "read";
	case rbac::Operation::Write:
		return "write";
	case rbac::Operation::Truncate:
		return "truncate";
	case rbac::Operation::Index:
		return "index";
	case rbac::Operation::Manage:
		return "manage";
	}
	return "?";
}

[[noreturn]] void denied(const char *collection, rbac::Operation op)
{
	if (op == rbac::Operation::Manage)
		ereport(ERROR, (errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
		                errmsg("permission denied: the token does not grant manage access"),
		                errhint("Manage operations need a token with \"access\": \"m\".")));
	ereport(ERROR, (errcode(ERRCODE_INSUFFICIENT_PRIVILEGE),
	                errmsg("permission denied for collection \"%s\"", collection),
	                errdetail("The token does not grant %s access to it.", operation_name(op))));
	pg_unreachable();
}

rbac::Operation read_operation(text *t)
{
	rbac::Operation op;
	Bytes b = text_bytes(t);
	if (!rbac::parse_operation(b.view(), &op))
		ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE),
		                errmsg("unknown operation \"%s\"", text_to_cstring(t)),
		                errhint("Operations are read, write, truncate, index and manage.")));
	return op;
}

Datum json_to_jsonb(const char *utf8)
{
	char *server = pg_any_to_server(utf8, static_cast<int>(std::strlen(utf8)), PG_UTF8);
	return DirectFunctionCall1(jsonb_in, CStringGetDatum(server));
}

enum class ScopeKind
{
	Key,
	Payload,
	Row,
	Exact,
};

/* The shared body of the scope accessors: needs read access to the collection. */
Datum scope_accessor(FunctionCallInfo fcinfo, ScopeKind kind)
{
	text *collection_text = PG_GETARG_TEXT_PP(0);
	Bytes collection = text_bytes(collection_text);
	Bytes key{nullptr, 0};
	KeyNames keys{0, {}};
	if (kind == ScopeKind::Key)
		key = text_bytes(PG_GETARG_TEXT_PP(1));
	else
		read_key_names(PG_GETARG_ARRAYTYPE_P(1), &keys);

	char *result = nullptr;
	bool exact = false;
	bool allowed = false;
	with_session(
	    settings::token, statement_of(fcinfo), false,
	    [&](const rbac::Session &s)
	    {
		    allowed = rbac::allows(s.grants, collection.view(), rbac::Operation::Read);
		    if (!allowed)
			    return;
		    std::vector<std::string> names;
		    for (int i = 0; i < keys.count; i++)
			    names.emplace_back(keys.names[i].view());
		    switch (kind)
		    {
		    case ScopeKind::Key:
			    result = copy_no_raise(rbac::key_scope(s.grants, collection.view(), key.view()));
			    break;
		    case ScopeKind::Payload:
			    result = copy_no_raise(rbac::payload_scope(s.grants, collection.view(), names));
			    break;
		    case ScopeKind::Row:
			    result = copy_no_raise(rbac::row_scope(s.grants, collection.view(), names));
			    break;
		    case ScopeKind::Exact:
			    exact = rbac::scope_is_exact(s.grants, collection.view(), names);
			    break;
		    }
	    });
	if (!allowed)
		denied(text_to_cstring(collection_text), rbac::Operation::Read);
	if (kind == ScopeKind::Exact)
		PG_RETURN_BOOL(exact);
	return json_to_jsonb(result);
}

/* Sets vecrbac.token as SET or SET LOCAL would. */
void set_token(const char *value, bool local)
{
	(void)set_config_option("vecrbac.token", value, PGC_USERSET, PGC_S_SESSION,
	                        local ? GUC_ACTION_LOCAL : GUC_ACTION_SET, true, 0, false);
}

/* Raises unless the statement's token allows op on the collection. */
void check_access(const char *collection, rbac::Operation op, Statement *statement)
{
	std::string_view name(collection);
	bool allowed = false;
	with_session(settings::token, statement, false,
	             [&](const rbac::Session &s) { allowed = rbac::allows(s.grants, name, op); });
	if (!allowed)
		denied(collection, op);
}

/*
 * The collection a protected table belongs to: the argument of its vecrbac_truncate
 * trigger (vecrbac.protect creates both), read from the relcache. NULL if none.
 */
const char *collection_of(Relation rel)
{
	TriggerDesc *td = rel->trigdesc;
	if (td == nullptr)
		return nullptr;
	for (int i = 0; i < td->numtriggers; i++)
	{
		const Trigger *t = &td->triggers[i];
		if (t->tgnargs == 1 && std::strcmp(t->tgname, "vecrbac_truncate") == 0)
			return t->tgargs[0];
	}
	return nullptr;
}

ExecutorCheckPerms_hook_type previous_check_perms = nullptr;

/*
 * Statement-level authorization, at executor start. Policies test the token on rows,
 * and PostgreSQL keeps a policy's variable-free clauses (the authorize() call) at the
 * scan instead of making them one-time filters, so a statement on an empty table
 * would never ask. Here every protected table a statement reads or writes is checked
 * once, before any row: read for SELECT rights, write for INSERT, UPDATE, DELETE.
 * Only where row-level security applies (not for owners without FORCE, superusers
 * or BYPASSRLS roles), exactly as for the policies. The statement's record (its
 * token, see start_statement) is made here, on its first protected table.
 */
bool check_perms(List *range_table, bool ereport_on_violation)
{
	if (previous_check_perms != nullptr && !previous_check_perms(range_table, ereport_on_violation))
		return false;
	Statement *statement = nullptr;
	ListCell *lc;
	foreach (lc, range_table)
	{
		RangeTblEntry *rte = (RangeTblEntry *)lfirst(lc);
		if (rte->rtekind != RTE_RELATION || rte->requiredPerms == 0 ||
		    (rte->relkind != RELKIND_RELATION && rte->relkind != RELKIND_PARTITIONED_TABLE))
			continue;
		if (check_enable_rls(rte->relid, rte->checkAsUser, true) != RLS_ENABLED)
			continue;
		Relation rel = relation_open(rte->relid, AccessShareLock);
		const char *found = collection_of(rel);
		char *collection = found ? pstrdup(found) : nullptr;
		relation_close(rel, NoLock);
		if (collection == nullptr)
			continue;
		if (statement == nullptr)
			statement = start_statement();
		if (rte->requiredPerms & ACL_SELECT)
			check_access(collection, rbac::Operation::Read, statement);
		if (rte->requiredPerms & (ACL_INSERT | ACL_UPDATE | ACL_DELETE))
			check_access(collection, rbac::Operation::Write, statement);
	}
	return true;
}

} // namespace

void vecrbac_rbac_install_hooks(void)
{
	previous_check_perms = ExecutorCheckPerms_hook;
	ExecutorCheckPerms_hook = check_perms;
}

namespace
{
} // namespace

/* vecrbac.authorize(collection text, operation text) RETURNS boolean */
VECRBAC_FUNCTION(vecrbac_rbac_authorize)
{
	text *collection_text = PG_GETARG_TEXT_PP(0);
	Bytes collection = text_bytes(collection_text);
	rbac::Operation op = read_operation(PG_GETARG_TEXT_PP(1));
	bool allowed = false;
	with_session(settings::token, statement_of(fcinfo), false,
	             [&](const rbac::Session &s)
	             { allowed = rbac::allows(s.grants, collection.view(), op); });
	if (!allowed)
		denied(text_to_cstring(collection_text), op);
	PG_RETURN_BOOL(true);
}

VECRBAC_FUNCTION(vecrbac_rbac_key_scope)
{
	return scope_accessor(fcinfo, ScopeKind::Key);
}

VECRBAC_FUNCTION(vecrbac_rbac_payload_scope)
{
	return scope_accessor(fcinfo, ScopeKind::Payload);
}

VECRBAC_FUNCTION(vecrbac_rbac_row_scope)
{
	return scope_accessor(fcinfo, ScopeKind::Row);
}

VECRBAC_FUNCTION(vecrbac_rbac_scope_is_exact)
{
	return scope_accessor(fcinfo, ScopeKind::Exact);
}

/* vecrbac.claims() RETURNS jsonb: the session token's claims; NULL without a token. */
VECRBAC_FUNCTION(vecrbac_rbac_claims)
{
	Statement *statement = statement_of(fcinfo);
	const char *token = token_of(statement);
	if (token == nullptr || token[0] == '\0')
		PG_RETURN_NULL();
	char *claims = nullptr;
	with_session(token, statement, false,
	             [&](const rbac::Session &s) { claims = copy_no_raise(s.claims_json); });
	return json_to_jsonb(claims);
}

/*
 * vecrbac.login(token text, local boolean) RETURNS jsonb: verifies the token now
 * (value_exists included) and makes it the session's, like SET [LOCAL] vecrbac.token.
 */
VECRBAC_FUNCTION(vecrbac_rbac_login)
{
	char *token = text_to_cstring(PG_GETARG_TEXT_PP(0));
	bool local = PG_GETARG_BOOL(1);
	if (token[0] == '\0')
		no_token();
	char *claims = nullptr;
	with_session(token, nullptr, true,
	             [&](const rbac::Session &s) { claims = copy_no_raise(s.claims_json); });
	set_token(token, local);
	return json_to_jsonb(claims);
}

/* vecrbac.logout(): no token from now on (undone, like SET, if the transaction rolls back). */
VECRBAC_FUNCTION(vecrbac_rbac_logout)
{
	set_token("", false);
	PG_RETURN_VOID();
}

/* vecrbac._load(): true. Immutable, so the planner calls it: see 40_rbac.sql. */
VECRBAC_FUNCTION(vecrbac_rbac_load)
{
	PG_RETURN_BOOL(true);
}

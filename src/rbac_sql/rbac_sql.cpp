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
 * Policies call the accessors directly (no subqueries: Citus refuses policies with
 * them), so the planner puts a key column's scope into an index condition, evaluated
 * once per scan, and the rest into the scan's filter, evaluated per row. Within a
 * statement on a protected table (whose token is pinned, statement_token.h) each
 * call site answers from its first answer, kept with its FmgrInfo (see
 * cached_answer): a row costs a function call, not a token check and a JSON parse.
 * Every first call goes through with_session() (token_check.h):
 * the statement's token (statement_token.h), verified once per backend
 * (rbac/session.h) and checked again for expiry; a token with value_exists is looked
 * up in its collection once per statement (value_exists.h). The executor-start check
 * is executor_check.cpp.
 *
 * PostgreSQL-style glue around pure C++ (rbac/claims.h, rbac/session.h): arguments
 * are read first, the C++ work runs inside guarded() and leaves its results in
 * palloc'd buffers (palloc_extended with MCXT_ALLOC_NO_OOM, which cannot raise), and
 * errors and results are built after every C++ object is gone.
 */
#include "rbac_sql/token_check.h"
#include "rbac_sql/kept_answer.h"

extern "C"
{
#include "catalog/pg_type.h"
#include "commands/extension.h"
#include "executor/spi.h"
#include "mb/pg_wchar.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/guc.h"
#include "utils/jsonb.h"
}

#include <cctype>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace
{

namespace rbac = vecrbac::rbac;
namespace settings = vecrbac::rbac::settings;
using namespace vecrbac::rbac_pg;

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

/* ---- the session -------------------------------------------------------------------- */

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

/*
 * A call site's first answer within its statement: kept in fn_extra, in the FmgrInfo's
 * context, which is the statement's executor context when the executor-start check
 * made a record for it (RbacStatementOf finds the record by that context). Outside
 * such a statement nothing is kept: the session's token may change between calls.
 * The arguments are kept too and compared, as a query may call an accessor with
 * arguments that vary per row.
 */
struct CachedAnswer
{
	RbacStatement *statement;
	struct varlena *arg0;
	struct varlena *arg1;
	/* Both arguments are constants of the plan (a policy's): no need to compare them. */
	bool constant_args;
	Datum answer;
};

bool same_varlena(const struct varlena *a, const struct varlena *b)
{
	return VARSIZE_ANY_EXHDR(a) == VARSIZE_ANY_EXHDR(b) &&
	       std::memcmp(VARDATA_ANY(a), VARDATA_ANY(b), VARSIZE_ANY_EXHDR(a)) == 0;
}

/*
 * Whether an argument of the call site is a constant of its plan (a policy's accessors
 * are called with constants): then every call has the same value, and a row costs no
 * comparison (it was most of a sequential scan's policy cost).
 */
bool is_constant(FmgrInfo *flinfo, int argnum)
{
	if (flinfo->fn_expr == nullptr || !IsA(flinfo->fn_expr, FuncExpr))
		return false;
	List *args = ((FuncExpr *)flinfo->fn_expr)->args;
	return argnum < list_length(args) && IsA(list_nth(args, argnum), Const);
}

/*
 * The answer kept for a call site with constant arguments (a policy's), without finding
 * its statement: keep_answer kept it only in the memory of its statement, which is
 * that of the call site too, so the two end together and the answer is this statement's.
 */
bool constant_answer(FunctionCallInfo fcinfo, Datum *answer)
{
	const CachedAnswer *c = static_cast<const CachedAnswer *>(fcinfo->flinfo->fn_extra);
	if (c == nullptr || !c->constant_args)
		return false;
	*answer = c->answer;
	return true;
}

/* The answer kept for this call site, statement and arguments, if any. */
bool cached_answer(FunctionCallInfo fcinfo, RbacStatement *statement, Datum *answer)
{
	const CachedAnswer *c = static_cast<const CachedAnswer *>(fcinfo->flinfo->fn_extra);
	if (statement == nullptr || c == nullptr || c->statement != statement)
		return false;
	if (!c->constant_args && (!same_varlena(c->arg0, PG_DETOAST_DATUM_PACKED(PG_GETARG_DATUM(0))) ||
	                          !same_varlena(c->arg1, PG_DETOAST_DATUM_PACKED(PG_GETARG_DATUM(1)))))
		return false;
	*answer = c->answer;
	return true;
}

/* Keeps this call's answer for the rest of its statement (by_value: a boolean). */
Datum keep_answer(FunctionCallInfo fcinfo, RbacStatement *statement, Datum answer, bool by_value)
{
	if (statement == nullptr || fcinfo->flinfo->fn_mcxt != statement->cxt)
		return answer;
	MemoryContext old = MemoryContextSwitchTo(statement->cxt);
	CachedAnswer *c = static_cast<CachedAnswer *>(fcinfo->flinfo->fn_extra);
	if (c == nullptr)
		c = static_cast<CachedAnswer *>(palloc0(sizeof(CachedAnswer)));
	else
	{
		pfree(c->arg0);
		pfree(c->arg1);
		if (!by_value)
			pfree(DatumGetPointer(c->answer));
	}
	c->statement = statement;
	c->constant_args = is_constant(fcinfo->flinfo, 0) && is_constant(fcinfo->flinfo, 1);
	c->arg0 = PG_DETOAST_DATUM_COPY(PG_GETARG_DATUM(0));
	c->arg1 = PG_DETOAST_DATUM_COPY(PG_GETARG_DATUM(1));
	c->answer = by_value ? answer : PointerGetDatum(PG_DETOAST_DATUM_COPY(answer));
	fcinfo->flinfo->fn_extra = c;
	MemoryContextSwitchTo(old);
	return c->answer;
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
	Datum kept;
	if (constant_answer(fcinfo, &kept))
		return kept;
	RbacStatement *statement = RbacStatementOf(fcinfo);
	if (cached_answer(fcinfo, statement, &kept))
		return kept;
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
	    RbacSessionToken(), statement, false,
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
		return keep_answer(fcinfo, statement, BoolGetDatum(exact), true);
	return keep_answer(fcinfo, statement, json_to_jsonb(result), false);
}

/* Sets vecrbac.token as SET or SET LOCAL would. */
void set_token(const char *value, bool local)
{
	(void)set_config_option("vecrbac.token", value, PGC_USERSET, PGC_S_SESSION,
	                        local ? GUC_ACTION_LOCAL : GUC_ACTION_SET, true, 0, false);
}

/*
 * With Citus in the database, a transaction's token is set by running SET LOCAL as a
 * statement: Citus sends a SET LOCAL statement (only a statement) on to the workers of
 * the transaction when citus.propagate_set_commands = 'local', as it does for a
 * client's own SET LOCAL (docs/scaling.md). Otherwise the workers would have no token
 * and refuse every shard query (42501).
 */
void set_token_as_statement(const char *value)
{
	/*
	 * Only a verified token comes here, and a JWT is base64url segments and dots: the
	 * statement is built from nothing else (fail closed on anything that is not).
	 */
	for (const char *p = value; *p != '\0'; p++)
		if (!std::isalnum((unsigned char)*p) && *p != '-' && *p != '_' && *p != '.')
			ereport(ERROR, (errcode(ERRCODE_INVALID_AUTHORIZATION_SPECIFICATION),
			                errmsg("the token has a character no JWT has")));
	StringInfoData sql;
	initStringInfo(&sql);
	appendStringInfo(&sql, "SET LOCAL vecrbac.token = %s", quote_literal_cstr(value));
	if (SPI_connect() != SPI_OK_CONNECT)
		elog(ERROR, "SPI_connect failed");
	if (SPI_execute(sql.data, false, 0) != SPI_OK_UTILITY)
		elog(ERROR, "setting vecrbac.token failed");
	SPI_finish();
	pfree(sql.data);
}

} // namespace

/* vecrbac.authorize(collection text, operation text) RETURNS boolean */
VECRBAC_FUNCTION(vecrbac_rbac_authorize)
{
	Datum kept;
	if (constant_answer(fcinfo, &kept))
		return kept;
	RbacStatement *statement = RbacStatementOf(fcinfo);
	if (cached_answer(fcinfo, statement, &kept))
		return kept;
	text *collection_text = PG_GETARG_TEXT_PP(0);
	Bytes collection = text_bytes(collection_text);
	rbac::Operation op = read_operation(PG_GETARG_TEXT_PP(1));
	bool allowed = false;
	with_session(RbacSessionToken(), statement, false,
	             [&](const rbac::Session &s)
	             { allowed = rbac::allows(s.grants, collection.view(), op); });
	if (!allowed)
		denied(text_to_cstring(collection_text), op);
	return keep_answer(fcinfo, statement, BoolGetDatum(true), true);
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

bool RbacArgIsKeptAnswer(FunctionCallInfo fcinfo, int argno)
{
	FmgrInfo *flinfo = fcinfo->flinfo;
	if (flinfo == nullptr || flinfo->fn_expr == nullptr || !IsA(flinfo->fn_expr, OpExpr))
		return false;
	List *args = ((OpExpr *)flinfo->fn_expr)->args;
	if (argno >= list_length(args) || !IsA(list_nth(args, argno), FuncExpr))
		return false;
	FuncExpr *call = (FuncExpr *)list_nth(args, argno);
	ListCell *lc;
	foreach (lc, call->args)
		if (!IsA(lfirst(lc), Const))
			return false;
	/* By the C function itself: no other function can pass for it. */
	FmgrInfo callee;
	fmgr_info(call->funcid, &callee);
	if (callee.fn_addr != vecrbac_rbac_key_scope && callee.fn_addr != vecrbac_rbac_payload_scope &&
	    callee.fn_addr != vecrbac_rbac_row_scope)
		return false;
	/* The accessor keeps its answer when its statement is this call site's (keep_answer). */
	RbacStatement *statement = RbacStatementOf(fcinfo);
	return statement != nullptr && statement->cxt == flinfo->fn_mcxt;
}

/* vecrbac.claims() RETURNS jsonb: the session token's claims; NULL without a token. */
VECRBAC_FUNCTION(vecrbac_rbac_claims)
{
	RbacStatement *statement = RbacStatementOf(fcinfo);
	const char *token = RbacTokenOf(statement);
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
	if (!local && settings::token_lifetime == settings::kLifetimeTransaction)
		RbacRefuseSessionToken();
	char *claims = nullptr;
	with_session(token, nullptr, true,
	             [&](const rbac::Session &s) { claims = copy_no_raise(s.claims_json); });
	if (local && OidIsValid(get_extension_oid("citus", true)))
		set_token_as_statement(token);
	else
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

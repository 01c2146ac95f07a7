/*
 * planning_scope.cpp: the session token's scopes, for the planner's estimates.
 *
 * A policy's scope comes from the token through an accessor call, evaluated when the
 * statement runs. Without knowing it, the planner must guess how much of each key
 * column a token leaves, and one guess fits no token: with one hnsw index per key
 * column, a token scoped by `label` was planned on the `t1` index (its guess looked
 * more selective), which then read the whole index under a Filter: 57 ms a query
 * where the label index answers in 1.5 ms. Statements are planned right before they
 * run, in the session whose token they will answer with, so the estimate peeks at
 * that token: the scope the accessor will return is computed (pure C++, from the
 * session cache of verified tokens) and given to the estimate as a constant. What the
 * statement may see is still decided only by the accessor at run time.
 *
 * A plan can outlive its token (a prepared statement, a PL/pgSQL query). Each peek is
 * recorded with its shape: whether the token left the column whole or restricted it
 * (or gave nothing to peek at). When vecrbac.token is set to another token, the shapes
 * are computed again for it; if one differs, the cached plans that call a peeked
 * accessor are marked for replanning (RbacPlanningTokenAssigned). Tokens of the same
 * shape (tenant after tenant of one key column, as behind a pool) keep their plans, so
 * a prepared statement is not replanned per tenant.
 */
#include "rbac_sql/planning_scope.h"

#include "pg/own_function.h"
#include "rbac_sql/token_check.h"
#include "scope/scope.h"

extern "C"
{
#include "access/parallel.h"
#include "catalog/pg_type.h"
#include "mb/pg_wchar.h"
#include "nodes/makefuncs.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/inval.h"
#include "utils/memutils.h"
#include "utils/plancache.h"
#include "utils/syscache.h"
}

#include <optional>
#include <string>
#include <vector>

namespace
{

namespace rbac = vecrbac::rbac;
using vecrbac::rbac_pg::token_cache;

enum class Shape : std::uint8_t
{
	None, /* no scope to peek at: no token, a refused one, no read access */
	All,
	Restricted,
};

/* One accessor call that an estimate peeked at. */
struct Peek
{
	Oid accessor; /* the function: plans that call it are the ones to make again */
	bool payload; /* payload_scope(collection, keys) rather than key_scope(collection, key) */
	std::string collection;
	std::vector<std::string> keys;
	Shape shape;
};

/* The peeks since plans were last reset; more than kMaxPeeks: any new token resets. */
constexpr std::size_t kMaxPeeks = 64;
std::vector<Peek> *peeks = nullptr;
bool peeks_overflowed = false;

/* The scope JSON the token gives the call, or none. Pure C++: throws, never raises. */
std::optional<std::string> scope_json(const char *token, const Peek &p)
{
	if (token == nullptr || token[0] == '\0')
		return std::nullopt;
	if (token_cache == nullptr)
		token_cache = new rbac::TokenCache();
	auto session =
	    token_cache->get(token, vecrbac::rbac_pg::session_config(), rbac::settings::generation,
	                     vecrbac::jwt::settings::now_seconds());
	if (!rbac::allows(session->grants, p.collection, rbac::Operation::Read))
		return std::nullopt;
	if (p.payload)
		return rbac::payload_scope(session->grants, p.collection, p.keys);
	return rbac::key_scope(session->grants, p.collection, p.keys.front());
}

Shape shape_of(const std::optional<std::string> &json)
{
	vecrbac::scope::Scope parsed;
	std::string error;
	if (!json || !vecrbac::scope::parse(*json, &parsed, &error))
		return Shape::None;
	return parsed.kind == vecrbac::scope::Scope::Kind::All ? Shape::All : Shape::Restricted;
}

/* The scope for the session's token, recorded as a peek; nullopt when there is none. */
std::optional<std::string> peek(Peek &&p) noexcept
{
	try
	{
		std::optional<std::string> json;
		try
		{
			json = scope_json(vecrbac::rbac::settings::token, p);
		}
		catch (...)
		{
			json.reset(); /* a refused token: the statement will say why when it runs */
		}
		p.shape = shape_of(json);
		if (peeks == nullptr)
			peeks = new std::vector<Peek>();
		for (const Peek &q : *peeks)
			if (q.payload == p.payload && q.collection == p.collection && q.keys == p.keys)
				return json; /* the same call, seen under a token of the same shapes */
		if (peeks->size() < kMaxPeeks)
			peeks->push_back(std::move(p));
		else
			peeks_overflowed = true;
		return json;
	}
	catch (...)
	{
		peeks_overflowed = true; /* out of memory: replan at the next token */
		return std::nullopt;
	}
}

/*
 * Whether some recorded peek would now see another shape (or cannot be told). Where a
 * token gives no scope (refused, no read access) nothing changes: statements under it
 * fail when they start, whatever their plan.
 */
bool shapes_change(const char *token) noexcept
{
	if (peeks_overflowed)
		return true;
	try
	{
		for (const Peek &p : *peeks)
		{
			std::optional<std::string> json;
			try
			{
				json = scope_json(token, p);
			}
			catch (const std::bad_alloc &)
			{
				throw;
			}
			catch (...)
			{
				json.reset();
			}
			Shape now = shape_of(json);
			if (now == Shape::None)
				continue;
			if (now != p.shape)
				return true;
		}
		return false;
	}
	catch (...)
	{
		return true;
	}
}

/* key_scope or payload_scope of schema vecrbac, or Other. */
enum class Accessor
{
	Other,
	Key,
	Payload,
};

Accessor accessor_of(Oid funcid)
{
	if (VecrbacFunctionIs(funcid, "key_scope"))
		return Accessor::Key;
	if (VecrbacFunctionIs(funcid, "payload_scope"))
		return Accessor::Payload;
	return Accessor::Other;
}

} // namespace

Const *RbacPlanningScope(Node *call)
{
	if (call == nullptr || !IsA(call, FuncExpr))
		return nullptr;
	FuncExpr *f = (FuncExpr *)call;
	if (list_length(f->args) != 2)
		return nullptr;
	Const *collection = (Const *)linitial(f->args);
	Const *keys = (Const *)lsecond(f->args);
	if (!IsA(collection, Const) || !IsA(keys, Const) || collection->constisnull ||
	    keys->constisnull)
		return nullptr;
	Accessor a = accessor_of(f->funcid);
	if (a == Accessor::Other)
		return nullptr;

	/* The arguments as C strings, before any C++ object exists. */
	char *collection_name = TextDatumGetCString(collection->constvalue);
	Datum *names = nullptr;
	int nnames = 0;
	if (a == Accessor::Key)
	{
		names = (Datum *)palloc(sizeof(Datum));
		names[0] = CStringGetDatum(TextDatumGetCString(keys->constvalue));
		nnames = 1;
	}
	else
	{
		ArrayType *arr = DatumGetArrayTypeP(keys->constvalue);
		bool *nulls;
		deconstruct_array(arr, TEXTOID, -1, false, TYPALIGN_INT, &names, &nulls, &nnames);
		for (int i = 0; i < nnames; i++)
			names[i] =
			    nulls[i] ? CStringGetDatum("") : CStringGetDatum(TextDatumGetCString(names[i]));
	}

	char *json = nullptr;
	{
		std::optional<std::string> scope;
		try
		{
			Peek p{f->funcid, a == Accessor::Payload, collection_name, {}, Shape::None};
			for (int i = 0; i < nnames; i++)
				p.keys.emplace_back(DatumGetCString(names[i]));
			scope = peek(std::move(p));
		}
		catch (...)
		{
			scope.reset();
		}
		if (scope && scope->size() < MaxAllocSize)
		{
			/* palloc that cannot raise (out of memory, or too large), as the string dies at the
			 * end of this block */
			json = (char *)palloc_extended(scope->size() + 1, MCXT_ALLOC_NO_OOM);
			if (json != nullptr)
				memcpy(json, scope->c_str(), scope->size() + 1);
		}
	}
	if (json == nullptr)
		return nullptr;
	char *server = pg_any_to_server(json, (int)strlen(json), PG_UTF8);
	Datum value = DirectFunctionCall1(jsonb_in, CStringGetDatum(server));
	return makeConst(f->funcresulttype, -1, InvalidOid, -1, value, false, false);
}

void RbacPlanningTokenAssigned(const char *newval, void *extra)
{
	(void)extra;
	/* A token only for the transaction is reset to '' at its end: nothing to plan for. */
	if (newval == nullptr || newval[0] == '\0' || IsParallelWorker())
		return;
	if (peeks == nullptr || (peeks->empty() && !peeks_overflowed))
		return;
	if (!shapes_change(newval))
		return;
	/*
	 * Only the plans that call a peeked accessor: a plan records the functions it calls,
	 * and an invalidation of a function's pg_proc row marks those plans for replanning.
	 * ResetPlanCache() would also replan every PL/pgSQL expression of the session, whose
	 * states a transaction keeps until it ends (a loop that switches tokens grew by 1.4 kB
	 * a turn). Flags only: safe at any point a setting is assigned, an abort included.
	 */
	Oid done[kMaxPeeks];
	int ndone = 0;
	bool all = peeks_overflowed;
	for (const Peek &p : *peeks)
	{
		bool seen = false;
		for (int i = 0; i < ndone; i++)
			seen |= done[i] == p.accessor;
		if (!seen && ndone < (int)kMaxPeeks)
			done[ndone++] = p.accessor;
	}
	peeks->clear();
	peeks_overflowed = false;
	if (all)
	{
		ResetPlanCache();
		return;
	}
	for (int i = 0; i < ndone; i++)
		CallSyscacheCallbacks(PROCOID, GetSysCacheHashValue1(PROCOID, ObjectIdGetDatum(done[i])));
}

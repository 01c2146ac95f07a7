/*
 * scope.cpp: the vecrbac.scope type's SQL glue: its I/O (validated by the format's one
 * contract, src/scope/scope.h), the palloc'd form scans and policies match rows with,
 * and the SQL functions behind `column <@ scope`.
 */
#include "scope_sql/scope.h"

#include "pg/guard.h"
#include "rbac_sql/kept_answer.h"
#include "scope/scope.h"

extern "C"
{
#include "catalog/pg_type.h"
#include "utils/builtins.h"
#include "utils/fmgrprotos.h"
#include "utils/numeric.h"
#include "utils/uuid.h"
}

#include <algorithm>
#include <cstring>
#include <new>
#include <string>
#include <vector>

namespace
{

void invalid(const char *detail)
{
	ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("invalid scope"),
	                errdetail("%s", detail)));
}

/* Memory for the parsed scope, taken inside guarded(): out of memory throws, never raises. */
void *alloc_no_raise(Size size)
{
	void *p = MemoryContextAllocExtended(CurrentMemoryContext, Max(size, 1),
	                                     MCXT_ALLOC_NO_OOM | MCXT_ALLOC_ZERO);
	if (p == NULL)
		throw std::bad_alloc();
	return p;
}

template <typename T> T *alloc_array(std::size_t n)
{
	return (T *)alloc_no_raise(sizeof(T) * n);
}

char *copy_string(std::string_view s)
{
	char *out = alloc_array<char>(s.size() + 1);
	memcpy(out, s.data(), s.size());
	return out;
}

/* A scope's jsonb as JSON text: the text scope::parse() reads (members in jsonb's order). */
char *scope_text(Jsonb *scope)
{
	return JsonbToCString(NULL, &scope->root, VARSIZE(scope));
}

/*
 * The palloc'd form of a parsed scope (pure C++: runs inside guarded()). Integer
 * conditions of "any" get their Numeric afterwards, outside it (that may raise).
 */
ScopeParsed *to_parsed(const vecrbac::scope::Scope &m)
{
	using vecrbac::scope::Value;
	ScopeParsed *s = alloc_array<ScopeParsed>(1);
	switch (m.kind)
	{
	case vecrbac::scope::Scope::Kind::All:
		s->kind = SCOPE_ALL;
		return s;
	case vecrbac::scope::Scope::Kind::Values:
		s->kind = SCOPE_VALUES;
		s->integers = alloc_array<int64>(m.values.size());
		s->strings = alloc_array<char *>(m.values.size());
		s->string_lengths = alloc_array<int>(m.values.size());
		for (const Value &v : m.values)
			if (v.type == Value::Type::String)
			{
				s->strings[s->nstrings] = copy_string(v.string);
				s->string_lengths[s->nstrings++] = (int)v.string.size();
			}
			else if (v.type == Value::Type::Boolean)
				(v.boolean ? s->has_true : s->has_false) = true;
			else
				s->integers[s->nintegers++] = v.integer;
		std::sort(s->integers, s->integers + s->nintegers);
		return s;
	case vecrbac::scope::Scope::Kind::Any:
		break;
	}
	s->kind = SCOPE_ANY;
	s->conjunctions = alloc_array<ScopeConjunction>(m.any.size());
	for (const vecrbac::scope::Conjunction &cj : m.any)
	{
		ScopeConjunction *cur = &s->conjunctions[s->nconjunctions++];
		cur->conditions = alloc_array<ScopeCondition>(cj.size());
		for (const vecrbac::scope::Condition &x : cj)
		{
			ScopeCondition *c = &cur->conditions[cur->nconditions++];
			std::vector<std::string_view> names = vecrbac::scope::path_names(x.path);
			c->segments = alloc_array<char *>(names.size());
			c->segment_lengths = alloc_array<int>(names.size());
			for (std::string_view name : names)
			{
				c->segments[c->nsegments] = copy_string(name);
				c->segment_lengths[c->nsegments++] = (int)name.size();
			}
			c->path = copy_string(x.path);
			c->path_length = (int)x.path.size();
			switch (x.value.type)
			{
			case Value::Type::String:
				c->value.type = jbvString;
				c->value.val.string.val = copy_string(x.value.string);
				c->value.val.string.len = (int)x.value.string.size();
				break;
			case Value::Type::Boolean:
				c->value.type = jbvBool;
				c->value.val.boolean = x.value.boolean;
				break;
			case Value::Type::Integer:
				c->value.type = jbvNumeric;
				c->integer = x.value.integer;
				break;
			}
		}
	}
	return s;
}

} // namespace

void ScopeValidate(Jsonb *scope)
{
	char *text = scope_text(scope);
	char detail[256];
	bool valid = vecrbac::pg::guarded(
	    [&]
	    {
		    vecrbac::scope::Scope parsed;
		    std::string error;
		    if (vecrbac::scope::parse(text, &parsed, &error))
			    return true;
		    strlcpy(detail, error.c_str(), sizeof(detail));
		    return false;
	    });
	pfree(text);
	if (!valid)
		invalid(detail);
}

ScopeParsed *ScopeParse(Jsonb *scope)
{
	char *text = scope_text(scope);
	ScopeParsed *s = vecrbac::pg::guarded(
	    [&]() -> ScopeParsed *
	    {
		    vecrbac::scope::Scope parsed;
		    std::string error;
		    if (!vecrbac::scope::parse(text, &parsed, &error))
			    throw vecrbac::SqlError("22023", "invalid scope: " + error);
		    return to_parsed(parsed);
	    });
	pfree(text);
	for (int i = 0; i < s->nconjunctions; i++)
		for (int j = 0; j < s->conjunctions[i].nconditions; j++)
		{
			ScopeCondition *c = &s->conjunctions[i].conditions[j];
			if (c->value.type == jbvNumeric)
				c->value.val.numeric = int64_to_numeric(c->integer);
		}
	return s;
}

bool ScopeMatchesInt(const ScopeParsed *s, int64 value)
{
	if (s->kind == SCOPE_ALL)
		return true;
	return s->kind == SCOPE_VALUES &&
	       std::binary_search(s->integers, s->integers + s->nintegers, value);
}

bool ScopeMatchesText(const ScopeParsed *s, const char *data, int len)
{
	if (s->kind == SCOPE_ALL)
		return true;
	if (s->kind != SCOPE_VALUES)
		return false;
	for (int i = 0; i < s->nstrings; i++)
		if (s->string_lengths[i] == len && memcmp(s->strings[i], data, len) == 0)
			return true;
	return false;
}

bool ScopeMatchesBool(const ScopeParsed *s, bool value)
{
	if (s->kind == SCOPE_ALL)
		return true;
	return s->kind == SCOPE_VALUES && (value ? s->has_true : s->has_false);
}

/* Type-strict equality of a payload scalar and a scope value. */
static bool scalar_equal(const JsonbValue *row, const JsonbValue *want)
{
	if (row->type != want->type)
		return false;
	switch (row->type)
	{
	case jbvString:
		return row->val.string.len == want->val.string.len &&
		       memcmp(row->val.string.val, want->val.string.val, row->val.string.len) == 0;
	case jbvBool:
		return row->val.boolean == want->val.boolean;
	case jbvNumeric:
		return DatumGetBool(DirectFunctionCall2(numeric_eq, NumericGetDatum(row->val.numeric),
		                                        NumericGetDatum(want->val.numeric)));
	default:
		return false;
	}
}

/*
 * Whether a payload satisfies one condition. The value found at the path matches if
 * it equals the condition's value or, as an array, if one element does; with
 * `wholly`, an array must also have no element that differs (used for writes, so that
 * a row cannot carry another tenant's value beside its own).
 */
static bool condition_holds(const ScopeCondition *c, Jsonb *payload, bool wholly)
{
	JsonbContainer *container = &payload->root;
	JsonbValue found;

	for (int i = 0; i < c->nsegments; i++)
	{
		if (!JsonContainerIsObject(container))
			return false;
		JsonbValue *v =
		    getKeyJsonValueFromContainer(container, c->segments[i], c->segment_lengths[i], &found);
		if (v == NULL)
			return false;
		if (i == c->nsegments - 1)
		{
			if (v->type != jbvBinary)
				return scalar_equal(v, &c->value);
			if (!JsonContainerIsArray(v->val.binary.data))
				return false;
			JsonbIterator *it = JsonbIteratorInit(v->val.binary.data);
			JsonbValue e;
			JsonbIteratorToken tok;
			bool one = false;
			while ((tok = JsonbIteratorNext(&it, &e, true)) != WJB_DONE)
			{
				if (tok != WJB_ELEM)
					continue;
				if (scalar_equal(&e, &c->value))
					one = true;
				else if (wholly)
					return false;
				if (one && !wholly)
					return true;
			}
			return one;
		}
		if (v->type != jbvBinary)
			return false;
		container = v->val.binary.data;
	}
	return false;
}

static bool payload_matches(const ScopeParsed *s, Jsonb *payload, bool wholly)
{
	if (s->kind == SCOPE_ALL)
		return true;
	if (s->kind != SCOPE_ANY)
		return false;
	for (int i = 0; i < s->nconjunctions; i++)
	{
		const ScopeConjunction *cj = &s->conjunctions[i];
		bool all = true;
		for (int j = 0; j < cj->nconditions && all; j++)
			all = condition_holds(&cj->conditions[j], payload, wholly);
		if (all)
			return true;
	}
	return false;
}

bool ScopeMatchesPayload(const ScopeParsed *s, Jsonb *payload)
{
	return payload_matches(s, payload, false);
}

bool ScopeHoldsPayload(const ScopeParsed *s, Jsonb *payload)
{
	return payload_matches(s, payload, true);
}

/* ---- SQL -------------------------------------------------------------------------- */

VECRBAC_FUNCTION(vecrbac_scope_in)
{
	Datum jsonb = DirectFunctionCall1(jsonb_in, PG_GETARG_DATUM(0));
	ScopeValidate(DatumGetJsonbP(jsonb));
	PG_RETURN_DATUM(jsonb);
}

VECRBAC_FUNCTION(vecrbac_scope_out)
{
	return jsonb_out(fcinfo);
}

VECRBAC_FUNCTION(vecrbac_scope_recv)
{
	Datum jsonb = jsonb_recv(fcinfo);
	ScopeValidate(DatumGetJsonbP(jsonb));
	PG_RETURN_DATUM(jsonb);
}

VECRBAC_FUNCTION(vecrbac_scope_send)
{
	return jsonb_send(fcinfo);
}

/* A scope document from jsonb, validated (for policies built from claims). */
VECRBAC_FUNCTION(vecrbac_scope_from_jsonb)
{
	Jsonb *j = PG_GETARG_JSONB_P(0);
	ScopeValidate(j);
	PG_RETURN_JSONB_P(j);
}

/*
 * Whether argument argno of this call site is a constant: the executor then passes
 * the Const's own value to every call, the same pointer each time (policies whose
 * accessors policy_constants.cpp answered at executor start have such scopes).
 */
static bool arg_is_constant(FunctionCallInfo fcinfo, int argno)
{
	Node *call = fcinfo->flinfo->fn_expr;
	if (call == NULL || !IsA(call, OpExpr))
		return false;
	List *args = ((OpExpr *)call)->args;
	return argno < list_length(args) && IsA(list_nth(args, argno), Const);
}

/*
 * The parsed scope of the second argument, cached across calls of one call site: a
 * policy compares every row against the same scope, computed once per statement.
 * When that scope is a policy accessor's kept answer (kept_answer.h), every call
 * passes the same pointer, and a row costs a pointer comparison, not a memcmp; so
 * too when the scope is a constant.
 */
static const ScopeParsed *cached_scope(FunctionCallInfo fcinfo)
{
	struct Cache
	{
		Size length;
		char *bytes;
		ScopeParsed *parsed;
		const void *kept; /* the kept answer's pointer, or NULL */
	};
	Cache *cache = (Cache *)fcinfo->flinfo->fn_extra;
	const void *raw = DatumGetPointer(PG_GETARG_DATUM(1));
	if (cache != NULL && cache->kept != NULL && cache->kept == raw)
		return cache->parsed;

	Jsonb *scope = PG_GETARG_JSONB_P(1);
	Size length = VARSIZE(scope);
	if (cache != NULL && cache->length == length && memcmp(cache->bytes, scope, length) == 0)
		return cache->parsed;

	MemoryContext old = MemoryContextSwitchTo(fcinfo->flinfo->fn_mcxt);
	if (cache == NULL)
		cache = (Cache *)palloc0(sizeof(Cache));
	/* The old parse stays until the call site goes: scopes rarely change within one. */
	cache->length = length;
	cache->bytes = (char *)palloc(length);
	memcpy(cache->bytes, scope, length);
	cache->parsed = ScopeParse((Jsonb *)cache->bytes);
	cache->kept = RbacArgIsKeptAnswer(fcinfo, 1) || arg_is_constant(fcinfo, 1) ? raw : NULL;
	MemoryContextSwitchTo(old);
	fcinfo->flinfo->fn_extra = cache;
	return cache->parsed;
}

/*
 * NULL rules that strictness cannot express: a NULL scope admits nothing (fail closed),
 * and a NULL value lies only within the scope of every value, so a global reader still
 * sees rows whose key is unset. The hnsw index agrees: it drops such a scope entirely.
 */
#define SCOPE_CONTAINS_NULL_RULES(fcinfo)                                                          \
	do                                                                                             \
	{                                                                                              \
		if (PG_ARGISNULL(1))                                                                       \
			PG_RETURN_BOOL(false);                                                                 \
		if (PG_ARGISNULL(0))                                                                       \
			PG_RETURN_BOOL(cached_scope(fcinfo)->kind == SCOPE_ALL);                               \
	} while (0)

VECRBAC_FUNCTION(vecrbac_scope_contains_int8)
{
	SCOPE_CONTAINS_NULL_RULES(fcinfo);
	PG_RETURN_BOOL(ScopeMatchesInt(cached_scope(fcinfo), PG_GETARG_INT64(0)));
}

VECRBAC_FUNCTION(vecrbac_scope_contains_int4)
{
	SCOPE_CONTAINS_NULL_RULES(fcinfo);
	PG_RETURN_BOOL(ScopeMatchesInt(cached_scope(fcinfo), PG_GETARG_INT32(0)));
}

VECRBAC_FUNCTION(vecrbac_scope_contains_int2)
{
	SCOPE_CONTAINS_NULL_RULES(fcinfo);
	PG_RETURN_BOOL(ScopeMatchesInt(cached_scope(fcinfo), PG_GETARG_INT16(0)));
}

VECRBAC_FUNCTION(vecrbac_scope_contains_bool)
{
	SCOPE_CONTAINS_NULL_RULES(fcinfo);
	PG_RETURN_BOOL(ScopeMatchesBool(cached_scope(fcinfo), PG_GETARG_BOOL(0)));
}

VECRBAC_FUNCTION(vecrbac_scope_contains_text)
{
	SCOPE_CONTAINS_NULL_RULES(fcinfo);
	text *t = PG_GETARG_TEXT_PP(0);
	PG_RETURN_BOOL(ScopeMatchesText(cached_scope(fcinfo), VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t)));
}

VECRBAC_FUNCTION(vecrbac_scope_contains_uuid)
{
	SCOPE_CONTAINS_NULL_RULES(fcinfo);
	/* A uuid matches a scope string that spells the same uuid. */
	const ScopeParsed *s = cached_scope(fcinfo);
	pg_uuid_t *u = PG_GETARG_UUID_P(0);
	if (s->kind == SCOPE_ALL)
		PG_RETURN_BOOL(true);
	for (int i = 0; i < s->nstrings; i++)
	{
		unsigned char theirs[UUID_LEN];
		if (vecrbac::scope::uuid_bytes(std::string_view(s->strings[i], s->string_lengths[i]),
		                               theirs) &&
		    memcmp(u->data, theirs, UUID_LEN) == 0)
			PG_RETURN_BOOL(true);
	}
	PG_RETURN_BOOL(false);
}

/* The whole scope passes every payload: no need to detoast (copy) the row's. */
VECRBAC_FUNCTION(vecrbac_scope_contains_payload)
{
	SCOPE_CONTAINS_NULL_RULES(fcinfo);
	const ScopeParsed *s = cached_scope(fcinfo);
	if (s->kind == SCOPE_ALL)
		PG_RETURN_BOOL(true);
	PG_RETURN_BOOL(ScopeMatchesPayload(s, PG_GETARG_JSONB_P(0)));
}

/* jsonb <<@ scope: every value the payload carries for a scoped path lies within the scope. */
VECRBAC_FUNCTION(vecrbac_scope_holds_payload)
{
	SCOPE_CONTAINS_NULL_RULES(fcinfo);
	const ScopeParsed *s = cached_scope(fcinfo);
	if (s->kind == SCOPE_ALL)
		PG_RETURN_BOOL(true);
	PG_RETURN_BOOL(ScopeHoldsPayload(s, PG_GETARG_JSONB_P(0)));
}

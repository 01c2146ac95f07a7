/*
 * scope.cpp: the vecrbac.scope type: validation, parsing, matching, and the SQL
 * functions behind `column <@ scope`.
 */
#include "filter/scope.h"

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

namespace
{

void invalid(const char *detail)
{
	ereport(ERROR, (errcode(ERRCODE_INVALID_PARAMETER_VALUE), errmsg("invalid scope"),
	                errdetail("%s", detail)));
}

/* An integer JSON number as int64; false if it has a fraction or is out of range. */
bool numeric_as_int64(Numeric n, int64 *out)
{
	const char *text = numeric_normalize(n);
	const char *p = text;
	if (*p == '-')
		p++;
	if (*p == '\0')
		return false;
	for (const char *c = p; *c; c++)
		if (*c < '0' || *c > '9')
			return false;
	errno = 0;
	char *end;
	long long v = strtoll(text, &end, 10);
	if (errno != 0 || *end != '\0')
		return false;
	*out = v;
	return true;
}

/* A scope value must be a string, an integer or a boolean. */
void check_scalar(const JsonbValue *v, const char *where)
{
	int64 ignored;
	if (v->type == jbvString || v->type == jbvBool)
		return;
	if (v->type == jbvNumeric && numeric_as_int64(v->val.numeric, &ignored))
		return;
	char detail[160];
	snprintf(detail, sizeof(detail), "%s must be a string, an integer or a boolean", where);
	invalid(detail);
}

bool valid_path(const char *key, int len)
{
	if (len == 0 || key[0] == '.' || key[len - 1] == '.')
		return false;
	for (int i = 1; i < len; i++)
		if (key[i] == '.' && key[i - 1] == '.')
			return false;
	return true;
}

} // namespace

void ScopeValidate(Jsonb *scope)
{
	if (!JB_ROOT_IS_OBJECT(scope) || JB_ROOT_COUNT(scope) != 1)
		invalid("A scope is an object with exactly one of \"all\", \"values\" or \"any\".");

	JsonbValue *all = getKeyJsonValueFromContainer(&scope->root, "all", 3, NULL);
	JsonbValue *values = getKeyJsonValueFromContainer(&scope->root, "values", 6, NULL);
	JsonbValue *any = getKeyJsonValueFromContainer(&scope->root, "any", 3, NULL);
	if (all != NULL)
	{
		if (all->type != jbvBool || !all->val.boolean)
			invalid("\"all\" must be true.");
		return;
	}
	JsonbValue *list = values ? values : any;
	if (list == NULL)
		invalid("A scope is an object with exactly one of \"all\", \"values\" or \"any\".");
	if (list->type != jbvBinary || !JsonContainerIsArray(list->val.binary.data))
		invalid(values ? "\"values\" must be an array." : "\"any\" must be an array.");

	JsonbIterator *it = JsonbIteratorInit(list->val.binary.data);
	JsonbValue v;
	JsonbIteratorToken tok;
	int depth = 0;
	while ((tok = JsonbIteratorNext(&it, &v, false)) != WJB_DONE)
	{
		if (tok == WJB_BEGIN_ARRAY || tok == WJB_BEGIN_OBJECT)
		{
			depth++;
			if (values && depth > 1)
				invalid("\"values\" must hold strings, integers or booleans.");
			if (any && depth == 2 && tok != WJB_BEGIN_OBJECT)
				invalid("\"any\" must hold objects.");
			if (any && depth > 2)
				invalid("a condition in \"any\" must be a string, an integer or a boolean");
		}
		else if (tok == WJB_END_ARRAY || tok == WJB_END_OBJECT)
			depth--;
		else if (tok == WJB_ELEM)
		{
			if (any)
				invalid("\"any\" must hold objects.");
			check_scalar(&v, "a value in \"values\"");
		}
		else if (tok == WJB_KEY)
		{
			if (!valid_path(v.val.string.val, v.val.string.len))
				invalid("a path in \"any\" must be dot-separated, non-empty keys");
		}
		else if (tok == WJB_VALUE)
			check_scalar(&v, "a condition in \"any\"");
	}
}

ScopeParsed *ScopeParse(Jsonb *scope)
{
	ScopeParsed *s = (ScopeParsed *)palloc0(sizeof(ScopeParsed));
	JsonbValue *values = getKeyJsonValueFromContainer(&scope->root, "values", 6, NULL);
	JsonbValue *any = getKeyJsonValueFromContainer(&scope->root, "any", 3, NULL);

	if (values == NULL && any == NULL)
	{
		s->kind = SCOPE_ALL;
		return s;
	}
	JsonbValue *list = values ? values : any;
	int n = JsonContainerSize(list->val.binary.data);
	JsonbIterator *it = JsonbIteratorInit(list->val.binary.data);
	JsonbValue v;
	JsonbIteratorToken tok;

	if (values)
	{
		s->kind = SCOPE_VALUES;
		s->integers = (int64 *)palloc(sizeof(int64) * Max(n, 1));
		s->strings = (char **)palloc(sizeof(char *) * Max(n, 1));
		s->string_lengths = (int *)palloc(sizeof(int) * Max(n, 1));
		while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
		{
			if (tok != WJB_ELEM)
				continue;
			int64 i;
			if (v.type == jbvString)
			{
				s->strings[s->nstrings] = pnstrdup(v.val.string.val, v.val.string.len);
				s->string_lengths[s->nstrings++] = v.val.string.len;
			}
			else if (v.type == jbvBool)
				(v.val.boolean ? s->has_true : s->has_false) = true;
			else if (v.type == jbvNumeric && numeric_as_int64(v.val.numeric, &i))
				s->integers[s->nintegers++] = i;
		}
		std::sort(s->integers, s->integers + s->nintegers);
		return s;
	}

	s->kind = SCOPE_ANY;
	s->conjunctions = (ScopeConjunction *)palloc0(sizeof(ScopeConjunction) * Max(n, 1));
	ScopeConjunction *cur = NULL;
	char *key = NULL;
	int key_len = 0;
	while ((tok = JsonbIteratorNext(&it, &v, false)) != WJB_DONE)
	{
		if (tok == WJB_BEGIN_OBJECT)
		{
			cur = &s->conjunctions[s->nconjunctions++];
			cur->conditions = (ScopeCondition *)palloc0(sizeof(ScopeCondition) *
			                                            Max((int)v.val.object.nPairs, 1));
		}
		else if (tok == WJB_KEY)
		{
			key = v.val.string.val;
			key_len = v.val.string.len;
		}
		else if (tok == WJB_VALUE && cur != NULL)
		{
			ScopeCondition *c = &cur->conditions[cur->nconditions++];
			int segments = 1;
			for (int i = 0; i < key_len; i++)
				segments += key[i] == '.';
			c->segments = (char **)palloc(sizeof(char *) * segments);
			c->segment_lengths = (int *)palloc(sizeof(int) * segments);
			int start = 0;
			for (int i = 0; i <= key_len; i++)
				if (i == key_len || key[i] == '.')
				{
					c->segments[c->nsegments] = pnstrdup(key + start, i - start);
					c->segment_lengths[c->nsegments++] = i - start;
					start = i + 1;
				}
			c->value = v;
			if (v.type == jbvString)
				c->value.val.string.val = pnstrdup(v.val.string.val, v.val.string.len);
		}
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
 * The parsed scope of the second argument, cached across calls of one call site: a
 * policy compares every row against the same scope, computed once per statement.
 */
static const ScopeParsed *cached_scope(FunctionCallInfo fcinfo)
{
	struct Cache
	{
		Size length;
		char *bytes;
		ScopeParsed *parsed;
	};
	Jsonb *scope = PG_GETARG_JSONB_P(1);
	Size length = VARSIZE(scope);
	Cache *cache = (Cache *)fcinfo->flinfo->fn_extra;

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

/* The 32 lower-case hex digits of a uuid spelling (braces and hyphens dropped); false if not one.
 */
static bool uuid_hex(const char *text, int len, char out[32])
{
	int n = 0;
	for (int i = 0; i < len; i++)
	{
		char c = text[i];
		if (c == '{' || c == '}' || c == '-')
			continue;
		if (c >= 'A' && c <= 'F')
			c = (char)(c - 'A' + 'a');
		if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f')) || n == 32)
			return false;
		out[n++] = c;
	}
	return n == 32;
}

VECRBAC_FUNCTION(vecrbac_scope_contains_uuid)
{
	SCOPE_CONTAINS_NULL_RULES(fcinfo);
	/* A uuid matches a scope string that spells the same uuid. */
	const ScopeParsed *s = cached_scope(fcinfo);
	pg_uuid_t *u = PG_GETARG_UUID_P(0);
	if (s->kind == SCOPE_ALL)
		PG_RETURN_BOOL(true);
	static const char digits[] = "0123456789abcdef";
	char mine[32];
	for (int i = 0; i < UUID_LEN; i++)
	{
		mine[2 * i] = digits[u->data[i] >> 4];
		mine[2 * i + 1] = digits[u->data[i] & 15];
	}
	for (int i = 0; i < s->nstrings; i++)
	{
		char theirs[32];
		if (uuid_hex(s->strings[i], s->string_lengths[i], theirs) && memcmp(mine, theirs, 32) == 0)
			PG_RETURN_BOOL(true);
	}
	PG_RETURN_BOOL(false);
}

VECRBAC_FUNCTION(vecrbac_scope_contains_payload)
{
	SCOPE_CONTAINS_NULL_RULES(fcinfo);
	PG_RETURN_BOOL(ScopeMatchesPayload(cached_scope(fcinfo), PG_GETARG_JSONB_P(0)));
}

/* jsonb <<@ scope: every value the payload carries for a scoped path lies within the scope. */
VECRBAC_FUNCTION(vecrbac_scope_holds_payload)
{
	SCOPE_CONTAINS_NULL_RULES(fcinfo);
	PG_RETURN_BOOL(ScopeHoldsPayload(cached_scope(fcinfo), PG_GETARG_JSONB_P(0)));
}

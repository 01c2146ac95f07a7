/*
 * scope.h: vecrbac.scope, the set of rows a token may see in one column.
 *
 * A scope is written as JSON and stored as jsonb:
 *   {"all": true}                          every value
 *   {"values": [42, "sales", true]}        any of these values (scalar columns)
 *   {"any": [{"dept": "x", "team.id": 7}]} payload objects: any one conjunction of
 *                                          dotted paths and values must hold
 * Values are strings, integers or booleans, matched type-strictly: an integer
 * column matches only JSON integers, a text or uuid column only JSON strings, a
 * boolean column only JSON booleans. In a payload, a path names nested object keys;
 * the value found there matches if it equals the scope's value, or is an array with
 * an element equal to it; a missing key never matches. An empty list matches nothing.
 *
 * `column <@ scope` (schema vecrbac) tests a row; row-level security policies use
 * it, and the hnsw index accepts it as a scan key on a filter column.
 */
#pragma once

#include "pg/pg.h"

extern "C"
{
#include "utils/jsonb.h"
}

typedef enum ScopeKind
{
	SCOPE_ALL,
	SCOPE_VALUES,
	SCOPE_ANY
} ScopeKind;

/* One condition of a payload conjunction: a path of object keys and a scalar. */
typedef struct ScopeCondition
{
	int nsegments;
	char **segments;
	int *segment_lengths;
	JsonbValue value; /* string, numeric or bool */
} ScopeCondition;

typedef struct ScopeConjunction
{
	int nconditions;
	ScopeCondition *conditions;
} ScopeConjunction;

/* A scope taken apart for matching; palloc'd in one memory context. */
typedef struct ScopeParsed
{
	ScopeKind kind;
	/* SCOPE_VALUES, by type, each sorted (integers, booleans) or as given (strings) */
	int nintegers;
	int64 *integers;
	int nstrings;
	char **strings;
	int *string_lengths;
	bool has_true;
	bool has_false;
	/* SCOPE_ANY */
	int nconjunctions;
	ScopeConjunction *conjunctions;
} ScopeParsed;

/* Validates a scope document; raises 22023 with the problem otherwise. */
void ScopeValidate(Jsonb *scope);

/* Parses a (valid) scope in the current memory context. */
ScopeParsed *ScopeParse(Jsonb *scope);

bool ScopeMatchesInt(const ScopeParsed *s, int64 value);
bool ScopeMatchesText(const ScopeParsed *s, const char *data, int len);
bool ScopeMatchesBool(const ScopeParsed *s, bool value);
bool ScopeMatchesPayload(const ScopeParsed *s, Jsonb *payload);
/* For writes: matches, and no array at a scoped path holds a value outside the scope. */
bool ScopeHoldsPayload(const ScopeParsed *s, Jsonb *payload);

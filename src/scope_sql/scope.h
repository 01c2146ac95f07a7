/*
 * scope.h: the vecrbac.scope SQL type (glue): a scope document stored as jsonb, and
 * the palloc'd form that policies and scans match rows with.
 *
 * The format itself (what a scope may say, how it is written and read) is the pure
 * contract of src/scope/scope.h; this is how its values match rows. Values are matched
 * type-strictly: an integer column matches only JSON integers, a text or uuid column
 * only JSON strings (a uuid column: strings that spell the same uuid), a boolean column
 * only JSON booleans. In a payload, a path names nested object keys; the value found
 * there matches if it equals the scope's value (numbers by numeric equality), or is an
 * array with an element equal to it; a missing key never matches.
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
	char *path; /* the dotted path, as written */
	int path_length;
	JsonbValue value; /* string, numeric or bool */
	int64 integer;    /* a numeric value's integer */
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

/* Validates a scope document (scope::parse); raises 22023 with the problem otherwise. */
void ScopeValidate(Jsonb *scope);

/* Parses a scope in the current memory context; raises 22023 if it is not valid. */
ScopeParsed *ScopeParse(Jsonb *scope);

bool ScopeMatchesInt(const ScopeParsed *s, int64 value);
bool ScopeMatchesText(const ScopeParsed *s, const char *data, int len);
bool ScopeMatchesBool(const ScopeParsed *s, bool value);
bool ScopeMatchesPayload(const ScopeParsed *s, Jsonb *payload);
/* For writes: matches, and no array at a scoped path holds a value outside the scope. */
bool ScopeHoldsPayload(const ScopeParsed *s, Jsonb *payload);

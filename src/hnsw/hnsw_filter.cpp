/*
 * hnsw_filter.cpp: filter columns: what elements store, and how scan keys test it.
 */
#include "hnsw/hnsw_filter.h"

#include "scope/scope.h"
#include "scope_sql/scope.h"

extern "C"
{
#include "access/genam.h"
#include "catalog/pg_type.h"
#include "common/hashfn.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/jsonb.h"
#include "utils/lsyscache.h"
#include "utils/numeric.h"
#include "utils/rel.h"
#include "utils/uuid.h"
}

#include <algorithm>
#include <cstring>

namespace
{

const uint64 kSeed = UINT64CONST(0x9E3779B97F4A7C15);

int64 hash_bytes64(const void *data, Size len)
{
	return (int64)hash_bytes_extended((const unsigned char *)data, (int)len, kSeed);
}

/* ---- jsonb (path, scalar) pairs ------------------------------------------------------- */

struct PairSink
{
	uint32 *pairs;
	int count;
	int capacity;
	bool overflow;
};

void add_pair(PairSink *sink, const char *path, int path_len, const JsonbValue *v)
{
	/* path, then a type tag, then the scalar's canonical bytes */
	char tag;
	const char *bytes;
	int len;
	char *normalized = NULL;
	switch (v->type)
	{
	case jbvString:
		tag = 's';
		bytes = v->val.string.val;
		len = v->val.string.len;
		break;
	case jbvNumeric:
		tag = 'n';
		normalized = numeric_normalize(v->val.numeric);
		bytes = normalized;
		len = (int)strlen(normalized);
		break;
	case jbvBool:
		tag = 'b';
		bytes = v->val.boolean ? "t" : "f";
		len = 1;
		break;
	default:
		return; /* null: no scope value is null, nothing to match */
	}
	if (sink->count == sink->capacity)
	{
		sink->overflow = true;
		return;
	}
	uint64 h = hash_bytes_extended((const unsigned char *)path, path_len, kSeed);
	h = hash_bytes_extended((const unsigned char *)&tag, 1, h);
	h = hash_bytes_extended((const unsigned char *)bytes, len, h);
	sink->pairs[sink->count++] = (uint32)(h ^ (h >> 32));
	if (normalized)
		pfree(normalized);
}

/* Walks nested objects; arrays at a leaf contribute one pair per scalar element. */
void collect_pairs(JsonbContainer *container, StringInfo path, PairSink *sink)
{
	JsonbIterator *it = JsonbIteratorInit(container);
	JsonbValue v;
	JsonbIteratorToken tok;
	int base = path->len;

	if (!JsonContainerIsObject(container))
		return;
	while ((tok = JsonbIteratorNext(&it, &v, true)) != WJB_DONE)
	{
		if (tok == WJB_KEY)
		{
			path->len = base;
			path->data[base] = '\0';
			if (base > 0)
				appendStringInfoChar(path, '.');
			appendBinaryStringInfo(path, v.val.string.val, v.val.string.len);
		}
		else if (tok == WJB_VALUE)
		{
			if (v.type != jbvBinary)
				add_pair(sink, path->data, path->len, &v);
			else if (JsonContainerIsObject(v.val.binary.data))
			{
				int here = path->len;
				collect_pairs(v.val.binary.data, path, sink);
				path->len = here;
			}
			else if (JsonContainerIsArray(v.val.binary.data))
			{
				JsonbIterator *ait = JsonbIteratorInit(v.val.binary.data);
				JsonbValue e;
				JsonbIteratorToken at;
				while ((at = JsonbIteratorNext(&ait, &e, true)) != WJB_DONE)
					if (at == WJB_ELEM && e.type != jbvBinary)
						add_pair(sink, path->data, path->len, &e);
			}
		}
	}
	path->len = base;
}

/* Sorted, de-duplicated pairs of a document, at most `capacity` of them. */
int document_pairs(Jsonb *doc, uint32 *out, int capacity, bool *overflow)
{
	PairSink sink = {out, 0, capacity, false};
	StringInfoData path;
	initStringInfo(&path);
	collect_pairs(&doc->root, &path, &sink);
	pfree(path.data);
	std::sort(out, out + sink.count);
	int n = (int)(std::unique(out, out + sink.count) - out);
	*overflow = sink.overflow;
	return n;
}

/* The pair hash of one scope condition (a dotted path and a scalar). */
uint32 condition_pair(const ScopeCondition *c)
{
	uint32 pair = 0;
	PairSink sink = {&pair, 0, 1, false};
	add_pair(&sink, c->path, c->path_length, &c->value);
	return pair;
}

/* Key of a value of the given type in a column of the given kind. */
int64 key_of(HnswFilterKind kind, Oid type, Datum value)
{
	switch (kind)
	{
	case HNSW_FILTER_INTEGER:
		if (type == INT2OID)
			return DatumGetInt16(value);
		if (type == INT4OID)
			return DatumGetInt32(value);
		return DatumGetInt64(value);
	case HNSW_FILTER_BOOL:
		return DatumGetBool(value) ? 1 : 0;
	case HNSW_FILTER_TEXT:
	{
		text *t = DatumGetTextPP(value);
		return hash_bytes64(VARDATA_ANY(t), VARSIZE_ANY_EXHDR(t));
	}
	case HNSW_FILTER_UUID:
		return hash_bytes64(DatumGetUUIDP(value)->data, UUID_LEN);
	default:
		return 0;
	}
}

HnswFilterKind kind_of_type(Oid type, bool *ok)
{
	*ok = true;
	switch (type)
	{
	case INT2OID:
	case INT4OID:
	case INT8OID:
		return HNSW_FILTER_INTEGER;
	case BOOLOID:
		return HNSW_FILTER_BOOL;
	case TEXTOID:
	case VARCHAROID:
		return HNSW_FILTER_TEXT;
	case UUIDOID:
		return HNSW_FILTER_UUID;
	case JSONBOID:
		return HNSW_FILTER_JSONB;
	default:
		*ok = false;
		return HNSW_FILTER_INTEGER;
	}
}

/* Byte offset of filter number f in a section. */
Size filter_offset(const HnswColumns *cols, const char *section, int f)
{
	Size off = 0;
	for (int i = 0; i < f; i++)
	{
		if (cols->kind[i] == HNSW_FILTER_JSONB)
		{
			const HnswPairsHeader *h = (const HnswPairsHeader *)(section + off);
			off += MAXALIGN(offsetof(HnswPairsHeader, pairs) + sizeof(uint32) * h->npairs);
		}
		else
			off += sizeof(HnswScalarKey);
	}
	return off;
}

/* A uuid spelled in a scope, as the index key of the uuid it spells. */
bool uuid_key_of_text(const char *text, int len, int64 *key)
{
	unsigned char bytes[UUID_LEN];
	if (!vecrbac::scope::uuid_bytes(std::string_view(text, len), bytes))
		return false;
	*key = hash_bytes64(bytes, UUID_LEN);
	return true;
}

} // namespace

void HnswInitColumns(HnswColumns *cols, Relation index)
{
	int natts = IndexRelationGetNumberOfKeyAttributes(index);

	memset(cols, 0, sizeof(*cols));
	cols->vector_column = -1;
	cols->partition = -1;
	for (int i = 0; i < natts; i++)
	{
		if (OidIsValid(index_getprocid(index, i + 1, HNSW_DISTANCE_PROC)))
		{
			if (cols->vector_column >= 0)
				ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
				                errmsg("an hnsw index has exactly one vector column")));
			cols->vector_column = i;
			continue;
		}
		Oid type = TupleDescAttr(RelationGetDescr(index), i)->atttypid;
		bool ok;
		HnswFilterKind kind = kind_of_type(type, &ok);
		if (!ok)
			ereport(ERROR, (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
			                errmsg("hnsw filter columns cannot have type %s", format_type_be(type)),
			                errhint("Filter columns may be smallint, integer, bigint, boolean, "
			                        "text, varchar, uuid or jsonb.")));
		if (cols->nfilters == HNSW_MAX_FILTERS)
			ereport(ERROR,
			        (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
			         errmsg("an hnsw index has at most %d filter columns", HNSW_MAX_FILTERS)));
		if (cols->partition < 0 && kind != HNSW_FILTER_JSONB)
			cols->partition = cols->nfilters;
		cols->value_slot[cols->nfilters] = kind != HNSW_FILTER_JSONB ? cols->nscalar++ : -1;
		cols->filter_column[cols->nfilters] = i;
		cols->kind[cols->nfilters] = kind;
		cols->type[cols->nfilters] = type;
		cols->nfilters++;
	}
	if (cols->vector_column < 0)
		ereport(ERROR,
		        (errcode(ERRCODE_FEATURE_NOT_SUPPORTED),
		         errmsg("an hnsw index needs a vector column with a distance operator class")));
}

Size HnswEncodeFilters(const HnswColumns *cols, const Datum *values, const bool *isnull, char *out)
{
	Size off = 0;

	for (int f = 0; f < cols->nfilters; f++)
	{
		int col = cols->filter_column[f];
		if (cols->kind[f] != HNSW_FILTER_JSONB)
		{
			if (out)
			{
				HnswScalarKey *k = (HnswScalarKey *)(out + off);
				memset(k, 0, sizeof(*k));
				k->isnull = isnull[col];
				if (!isnull[col])
					k->key = key_of(cols->kind[f], cols->type[f], values[col]);
			}
			off += sizeof(HnswScalarKey);
			continue;
		}
		uint32 pairs[HNSW_JSONB_MAX_PAIRS + 1];
		int n = 0;
		bool overflow = false;
		if (!isnull[col])
			n = document_pairs(DatumGetJsonbP(values[col]), pairs, HNSW_JSONB_MAX_PAIRS, &overflow);
		Size size = MAXALIGN(offsetof(HnswPairsHeader, pairs) + sizeof(uint32) * n);
		if (out)
		{
			HnswPairsHeader *h = (HnswPairsHeader *)(out + off);
			memset(h, 0, size);
			h->npairs = (uint16)n;
			h->isnull = isnull[col];
			h->overflow = overflow;
			memcpy(h->pairs, pairs, sizeof(uint32) * n);
		}
		off += size;
	}
	return off;
}

long HnswFilterSectionSize(const HnswColumns *cols, const char *section, Size available)
{
	Size off = 0;
	for (int f = 0; f < cols->nfilters; f++)
	{
		if (cols->kind[f] != HNSW_FILTER_JSONB)
			off += sizeof(HnswScalarKey);
		else
		{
			if (off + offsetof(HnswPairsHeader, pairs) > available)
				return -1;
			const HnswPairsHeader *h = (const HnswPairsHeader *)(section + off);
			off += MAXALIGN(offsetof(HnswPairsHeader, pairs) + sizeof(uint32) * h->npairs);
		}
		if (off > available)
			return -1;
	}
	return (long)off;
}

bool HnswPartitionKey(const HnswColumns *cols, const char *section, int64 *key)
{
	return cols->partition >= 0 && HnswFilterKey(cols, section, cols->partition, key);
}

bool HnswFilterKey(const HnswColumns *cols, const char *section, int f, int64 *key)
{
	Assert(cols->kind[f] != HNSW_FILTER_JSONB);
	const HnswScalarKey *k = (const HnswScalarKey *)(section + filter_offset(cols, section, f));
	if (k->isnull)
		return false;
	*key = k->key;
	return true;
}

bool HnswFilterSectionsEqual(const HnswColumns *cols, const char *a, const char *b, Size bytes)
{
	Size off = 0;
	for (int f = 0; f < cols->nfilters && off < bytes; f++)
	{
		if (cols->kind[f] != HNSW_FILTER_JSONB)
		{
			const HnswScalarKey *ka = (const HnswScalarKey *)(a + off);
			const HnswScalarKey *kb = (const HnswScalarKey *)(b + off);
			if (ka->isnull != kb->isnull || (!ka->isnull && ka->key != kb->key))
				return false;
			off += sizeof(HnswScalarKey);
			continue;
		}
		const HnswPairsHeader *h = (const HnswPairsHeader *)(a + off);
		Size size = MAXALIGN(offsetof(HnswPairsHeader, pairs) + sizeof(uint32) * h->npairs);
		if (off + size > bytes || memcmp(a + off, b + off, size) != 0)
			return false;
		off += size;
	}
	return off == bytes;
}

ItemPointerData *HnswFilterChainLink(const HnswColumns *cols, char *section, int f)
{
	Assert(cols->kind[f] != HNSW_FILTER_JSONB);
	return &((HnswScalarKey *)(section + filter_offset(cols, section, f)))->chain_next;
}

namespace
{

/* Keys of a scope's values for a scalar column of this kind. */
void scope_keys(const ScopeParsed *scope, HnswFilterKind kind, HnswFilterClause *c)
{
	int capacity = scope->nintegers + scope->nstrings + 2;
	c->keys = (int64 *)palloc(sizeof(int64) * capacity);
	switch (kind)
	{
	case HNSW_FILTER_INTEGER:
		for (int i = 0; i < scope->nintegers; i++)
			c->keys[c->nkeys++] = scope->integers[i];
		break;
	case HNSW_FILTER_BOOL:
		if (scope->has_false)
			c->keys[c->nkeys++] = 0;
		if (scope->has_true)
			c->keys[c->nkeys++] = 1;
		break;
	case HNSW_FILTER_TEXT:
		for (int i = 0; i < scope->nstrings; i++)
			c->keys[c->nkeys++] = hash_bytes64(scope->strings[i], scope->string_lengths[i]);
		break;
	case HNSW_FILTER_UUID:
		for (int i = 0; i < scope->nstrings; i++)
		{
			int64 key;
			if (uuid_key_of_text(scope->strings[i], scope->string_lengths[i], &key))
				c->keys[c->nkeys++] = key;
		}
		break;
	default:
		break;
	}
}

void sort_keys(HnswFilterClause *c)
{
	std::sort(c->keys, c->keys + c->nkeys);
	c->nkeys = (int)(std::unique(c->keys, c->keys + c->nkeys) - c->keys);
}

bool has_key(const int64 *keys, int n, int64 key)
{
	return std::binary_search(keys, keys + n, key);
}

} // namespace

void HnswFilterInit(HnswFilter *filter, const HnswColumns *cols, ScanKey keys, int nkeys)
{
	memset(filter, 0, sizeof(*filter));
	filter->clauses = (HnswFilterClause *)palloc0(sizeof(HnswFilterClause) * Max(nkeys, 1));

	for (int i = 0; i < nkeys; i++)
	{
		ScanKey sk = &keys[i];
		int f = -1;
		for (int j = 0; j < cols->nfilters; j++)
			if (cols->filter_column[j] == sk->sk_attno - 1)
				f = j;
		if (f < 0)
			continue;
		HnswFilterKind kind = cols->kind[f];
		if (sk->sk_flags & SK_ISNULL)
		{
			filter->empty = true; /* a NULL scope admits nothing */
			continue;
		}
		ScopeParsed *scope = NULL;
		if (sk->sk_strategy == HNSW_STRATEGY_IN_SCOPE)
		{
			scope = ScopeParse(DatumGetJsonbP(sk->sk_argument));
			if (scope->kind == SCOPE_ALL)
				continue; /* every value: no filter at all, and the scan stays an unfiltered one */
		}
		HnswFilterClause *c = &filter->clauses[filter->nclauses++];
		c->filter = f;
		if (kind == HNSW_FILTER_TEXT || kind == HNSW_FILTER_UUID || kind == HNSW_FILTER_JSONB)
			filter->lossy = true;

		if (scope != NULL)
		{
			if (kind == HNSW_FILTER_JSONB)
			{
				c->nconjunctions = scope->kind == SCOPE_ANY ? scope->nconjunctions : 0;
				c->conjunction_sizes = (int *)palloc(sizeof(int) * Max(c->nconjunctions, 1));
				c->conjunctions = (uint32 **)palloc(sizeof(uint32 *) * Max(c->nconjunctions, 1));
				for (int j = 0; j < c->nconjunctions; j++)
				{
					const ScopeConjunction *cj = &scope->conjunctions[j];
					c->conjunction_sizes[j] = cj->nconditions;
					c->conjunctions[j] = (uint32 *)palloc(sizeof(uint32) * Max(cj->nconditions, 1));
					for (int k = 0; k < cj->nconditions; k++)
						c->conjunctions[j][k] = condition_pair(&cj->conditions[k]);
					std::sort(c->conjunctions[j], c->conjunctions[j] + cj->nconditions);
				}
				if (c->nconjunctions == 0)
					filter->empty = true;
			}
			else
			{
				if (scope->kind == SCOPE_VALUES)
					scope_keys(scope, kind, c);
				sort_keys(c);
				if (c->nkeys == 0)
					filter->empty = true;
			}
			continue;
		}

		/* = (with = ANY when searching an array); on jsonb, @> */
		if (kind == HNSW_FILTER_JSONB)
		{
			uint32 *pairs = (uint32 *)palloc(sizeof(uint32) * (HNSW_JSONB_MAX_PAIRS + 1));
			bool overflow;
			int n = document_pairs(DatumGetJsonbP(sk->sk_argument), pairs, HNSW_JSONB_MAX_PAIRS,
			                       &overflow);
			c->nconjunctions = 1;
			c->conjunction_sizes = (int *)palloc(sizeof(int));
			c->conjunctions = (uint32 **)palloc(sizeof(uint32 *));
			c->conjunction_sizes[0] = n; /* with overflow: a subset of the pairs, still necessary */
			c->conjunctions[0] = pairs;
			continue;
		}
		Oid arg_type = OidIsValid(sk->sk_subtype) ? sk->sk_subtype : cols->type[f];
		if (sk->sk_flags & SK_SEARCHARRAY)
		{
			ArrayType *array = DatumGetArrayTypeP(sk->sk_argument);
			int16 typlen;
			bool typbyval;
			char typalign;
			get_typlenbyvalalign(ARR_ELEMTYPE(array), &typlen, &typbyval, &typalign);
			Datum *elems;
			bool *nulls;
			int n;
			deconstruct_array(array, ARR_ELEMTYPE(array), typlen, typbyval, typalign, &elems,
			                  &nulls, &n);
			c->keys = (int64 *)palloc(sizeof(int64) * Max(n, 1));
			for (int j = 0; j < n; j++)
				if (!nulls[j])
					c->keys[c->nkeys++] = key_of(kind, ARR_ELEMTYPE(array), elems[j]);
		}
		else
		{
			c->keys = (int64 *)palloc(sizeof(int64));
			c->keys[c->nkeys++] = key_of(kind, arg_type, sk->sk_argument);
		}
		sort_keys(c);
		if (c->nkeys == 0)
			filter->empty = true;
	}

	/* What every match's key must be, per scalar column: the intersection of its clauses. */
	for (int i = 0; i < filter->nclauses; i++)
	{
		HnswFilterClause *c = &filter->clauses[i];
		int f = c->filter;
		if (c->all || cols->kind[f] == HNSW_FILTER_JSONB)
			continue;
		if (!filter->restricted[f])
		{
			filter->restricted[f] = true;
			filter->nkeys_of[f] = c->nkeys;
			filter->keys_of[f] = (int64 *)palloc(sizeof(int64) * Max(c->nkeys, 1));
			memcpy(filter->keys_of[f], c->keys, sizeof(int64) * c->nkeys);
			continue;
		}
		int kept = 0;
		for (int j = 0; j < filter->nkeys_of[f]; j++)
			if (has_key(c->keys, c->nkeys, filter->keys_of[f][j]))
				filter->keys_of[f][kept++] = filter->keys_of[f][j];
		filter->nkeys_of[f] = kept;
		if (kept == 0)
			filter->empty = true;
	}
	if (cols->partition >= 0 && filter->restricted[cols->partition])
	{
		filter->partitioned = true;
		filter->npartition_keys = filter->nkeys_of[cols->partition];
		filter->partition_keys = filter->keys_of[cols->partition];
	}
	if (filter->partitioned && filter->npartition_keys == 0)
		filter->empty = true;
}

void HnswFilterForValue(HnswFilter *filter, const HnswColumns *cols, int f, int64 key)
{
	memset(filter, 0, sizeof(*filter));
	filter->nclauses = 1;
	filter->clauses = (HnswFilterClause *)palloc0(sizeof(HnswFilterClause));
	filter->clauses[0].filter = f;
	filter->clauses[0].nkeys = 1;
	filter->clauses[0].keys = (int64 *)palloc(sizeof(int64));
	filter->clauses[0].keys[0] = key;
	filter->restricted[f] = true;
	filter->nkeys_of[f] = 1;
	filter->keys_of[f] = filter->clauses[0].keys;
	if (f == cols->partition)
	{
		filter->partitioned = true;
		filter->npartition_keys = 1;
		filter->partition_keys = filter->clauses[0].keys;
	}
}

void HnswFilterColumnScope(HnswFilter *scope, const HnswColumns *cols, const HnswFilter *filter,
                           int f)
{
	Assert(filter->restricted[f]);
	memset(scope, 0, sizeof(*scope));
	scope->nclauses = 1;
	scope->clauses = (HnswFilterClause *)palloc0(sizeof(HnswFilterClause));
	scope->clauses[0].filter = f;
	scope->clauses[0].nkeys = filter->nkeys_of[f];
	scope->clauses[0].keys = filter->keys_of[f]; /* sorted: a subset of a clause's sorted keys */
	scope->restricted[f] = true;
	scope->nkeys_of[f] = filter->nkeys_of[f];
	scope->keys_of[f] = filter->keys_of[f];
	if (f == cols->partition)
	{
		scope->partitioned = true;
		scope->npartition_keys = filter->nkeys_of[f];
		scope->partition_keys = filter->keys_of[f];
	}
}

bool HnswFilterNarrowerThan(const HnswFilter *filter, int f)
{
	for (int i = 0; i < filter->nclauses; i++)
		if (!filter->clauses[i].all && filter->clauses[i].filter != f)
			return true;
	return false;
}

bool HnswFilterMatches(const HnswFilter *filter, const HnswColumns *cols, const char *section)
{
	for (int i = 0; i < filter->nclauses; i++)
	{
		const HnswFilterClause *c = &filter->clauses[i];
		if (c->all)
			continue;
		const char *at = section + filter_offset(cols, section, c->filter);
		if (cols->kind[c->filter] != HNSW_FILTER_JSONB)
		{
			const HnswScalarKey *k = (const HnswScalarKey *)at;
			if (k->isnull || !has_key(c->keys, c->nkeys, k->key))
				return false;
			continue;
		}
		const HnswPairsHeader *h = (const HnswPairsHeader *)at;
		if (h->isnull)
			return false;
		if (h->overflow)
			continue; /* not all pairs stored: a candidate, the recheck decides */
		bool any = false;
		for (int j = 0; j < c->nconjunctions && !any; j++)
		{
			bool all = true;
			for (int p = 0; p < c->conjunction_sizes[j] && all; p++)
				all = std::binary_search(h->pairs, h->pairs + h->npairs, c->conjunctions[j][p]);
			any = all;
		}
		if (!any)
			return false;
	}
	return true;
}

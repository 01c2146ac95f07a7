/*
 * vector_cast.cpp: the casts of vector: the length coercion vector(n), arrays of
 * integer, real, double precision and numeric to vector, and vector to real[].
 *
 * Every cast applies the same checks as text input: 1-D, no NULL, 1..16000
 * elements, the target's dimensions, finite elements (a double beyond the float
 * range becomes infinity and is refused as such, as in pgvector).
 */
#include "vector_sql/vector_internal.h"

extern "C"
{
#include "catalog/pg_type.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/numeric.h"
}

using namespace vecrbac::vec;

/*
 * vector(vector, integer, boolean): the length-coercion cast that PostgreSQL
 * applies on assignment to vector(n) and on explicit casts; it checks, never pads
 * or truncates.
 */
VECRBAC_FUNCTION(vecrbac_vector)
{
	Vector *vec = PG_GETARG_VECTOR_P(0);
	int32 typmod = PG_GETARG_INT32(1);

	check_expected_dim(typmod, vec->dim);
	PG_RETURN_VECTOR_P(vec);
}

/* array_to_vector(integer[] | real[] | double precision[] | numeric[], integer, boolean). */
VECRBAC_FUNCTION(vecrbac_array_to_vector)
{
	ArrayType *array = PG_GETARG_ARRAYTYPE_P(0);
	int32 typmod = PG_GETARG_INT32(1);
	Oid elemtype = ARR_ELEMTYPE(array);
	int count;
	Vector *result;

	if (ARR_NDIM(array) > 1)
		ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION), errmsg("array must be 1-D")));
	if (ARR_HASNULL(array) && array_contains_nulls(array))
		ereport(ERROR,
		        (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("array must not contain nulls")));

	count = ArrayGetNItems(ARR_NDIM(array), ARR_DIMS(array));
	check_dim(count);
	check_expected_dim(typmod, count);
	result = InitVector(count);

	/* Fixed-width elements without NULLs lie contiguous after the header. */
	if (elemtype == INT4OID)
	{
		const int32 *values = (const int32 *)ARR_DATA_PTR(array);

		for (int i = 0; i < count; i++)
			result->x[i] = (float)values[i];
	}
	else if (elemtype == FLOAT4OID)
		memcpy(result->x, ARR_DATA_PTR(array), sizeof(float) * count);
	else if (elemtype == FLOAT8OID)
	{
		const float8 *values = (const float8 *)ARR_DATA_PTR(array);

		for (int i = 0; i < count; i++)
			result->x[i] = (float)values[i];
	}
	else if (elemtype == NUMERICOID)
	{
		Datum *elems;
		int nelems;

		/* numeric is a varlena: walk it with its own layout (len -1, int align). */
		deconstruct_array(array, NUMERICOID, -1, false, TYPALIGN_INT, &elems, NULL, &nelems);
		for (int i = 0; i < nelems; i++)
			result->x[i] = DatumGetFloat4(DirectFunctionCall1(numeric_float4, elems[i]));
		pfree(elems);
	}
	else
		ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION), errmsg("unsupported array type")));

	for (int i = 0; i < count; i++)
		check_element(result->x[i]);
	PG_RETURN_VECTOR_P(result);
}

/* vector_to_float4(vector, integer, boolean): the implicit cast to real[]. */
VECRBAC_FUNCTION(vecrbac_vector_to_float4)
{
	Vector *vec = PG_GETARG_VECTOR_P(0);
	Datum *datums = (Datum *)palloc(sizeof(Datum) * vec->dim);
	ArrayType *result;

	for (int i = 0; i < vec->dim; i++)
		datums[i] = Float4GetDatum(vec->x[i]);
	result = construct_array(datums, vec->dim, FLOAT4OID, sizeof(float4), true, TYPALIGN_INT);
	pfree(datums);
	PG_RETURN_ARRAYTYPE_P(result);
}

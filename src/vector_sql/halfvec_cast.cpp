/*
 * halfvec_cast.cpp: the casts of halfvec: the length coercion halfvec(n), arrays of
 * integer, real, double precision and numeric to halfvec, halfvec to real[], and
 * between vector and halfvec.
 *
 * Every way in applies the checks of text input: 1-D, no NULL, 1..16000 elements,
 * the target's dimensions, finite elements. A finite value beyond half range
 * (|x| >= 65520 once rounded) is "out of range for type halfvec", a double beyond the
 * float range becomes infinity first and is refused as infinite, both as pgvector.
 */
#include "vector_sql/halfvec_internal.h"
#include "vector_sql/vector_internal.h"

extern "C"
{
#include "catalog/pg_type.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/numeric.h"
}

using namespace vecrbac::halfvec;
namespace hf = vecrbac::half;

/*
 * halfvec(halfvec, integer, boolean): the length-coercion cast that PostgreSQL
 * applies on assignment to halfvec(n) and on explicit casts; it checks, never pads
 * or truncates.
 */
VECRBAC_FUNCTION(vecrbac_halfvec)
{
	HalfVector *vec = PG_GETARG_HALFVEC_P(0);
	int32 typmod = PG_GETARG_INT32(1);

	check_expected_dim(typmod, vec->dim);
	PG_RETURN_HALFVEC_P(vec);
}

/* array_to_halfvec(integer[] | real[] | double precision[] | numeric[], integer, boolean). */
VECRBAC_FUNCTION(vecrbac_array_to_halfvec)
{
	ArrayType *array = PG_GETARG_ARRAYTYPE_P(0);
	int32 typmod = PG_GETARG_INT32(1);
	Oid elemtype = ARR_ELEMTYPE(array);
	int count;
	HalfVector *result;

	if (ARR_NDIM(array) > 1)
		ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION), errmsg("array must be 1-D")));
	if (ARR_HASNULL(array) && array_contains_nulls(array))
		ereport(ERROR,
		        (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("array must not contain nulls")));

	count = ArrayGetNItems(ARR_NDIM(array), ARR_DIMS(array));
	check_dim(count);
	check_expected_dim(typmod, count);
	result = InitHalfVector(count);

	/* Fixed-width elements without NULLs lie contiguous after the header. */
	if (elemtype == INT4OID)
	{
		const int32 *values = (const int32 *)ARR_DATA_PTR(array);

		for (int i = 0; i < count; i++)
			result->x[i] = to_half_checked((float)values[i]);
	}
	else if (elemtype == FLOAT4OID)
	{
		const float4 *values = (const float4 *)ARR_DATA_PTR(array);

		for (int i = 0; i < count; i++)
			result->x[i] = to_half_checked(values[i]);
	}
	else if (elemtype == FLOAT8OID)
	{
		const float8 *values = (const float8 *)ARR_DATA_PTR(array);

		/* Through float, as pgvector: one rounding to float, then one to half. */
		for (int i = 0; i < count; i++)
			result->x[i] = to_half_checked((float)values[i]);
	}
	else if (elemtype == NUMERICOID)
	{
		Datum *elems;
		int nelems;

		/* numeric is a varlena: walk it with its own layout (len -1, int align). */
		deconstruct_array(array, NUMERICOID, -1, false, TYPALIGN_INT, &elems, NULL, &nelems);
		for (int i = 0; i < nelems; i++)
			result->x[i] =
			    to_half_checked(DatumGetFloat4(DirectFunctionCall1(numeric_float4, elems[i])));
		pfree(elems);
	}
	else
		ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION), errmsg("unsupported array type")));

	for (int i = 0; i < count; i++)
		check_element(result->x[i]);
	PG_RETURN_HALFVEC_P(result);
}

/* halfvec_to_float4(halfvec, integer, boolean): the assignment cast to real[]. */
VECRBAC_FUNCTION(vecrbac_halfvec_to_float4)
{
	HalfVector *vec = PG_GETARG_HALFVEC_P(0);
	Datum *datums = (Datum *)palloc(sizeof(Datum) * vec->dim);
	ArrayType *result;

	for (int i = 0; i < vec->dim; i++)
		datums[i] = Float4GetDatum(hf::to_float(vec->x[i]));
	result = construct_array(datums, vec->dim, FLOAT4OID, sizeof(float4), true, TYPALIGN_INT);
	pfree(datums);
	PG_RETURN_ARRAYTYPE_P(result);
}

/* vector_to_halfvec(vector, integer, boolean): the implicit cast, rounding each element. */
VECRBAC_FUNCTION(vecrbac_vector_to_halfvec)
{
	Vector *vec = PG_GETARG_VECTOR_P(0);
	int32 typmod = PG_GETARG_INT32(1);
	HalfVector *result;

	check_dim(vec->dim);
	check_expected_dim(typmod, vec->dim);
	result = InitHalfVector(vec->dim);
	for (int i = 0; i < vec->dim; i++)
		result->x[i] = to_half_checked(vec->x[i]);
	PG_RETURN_HALFVEC_P(result);
}

/* halfvec_to_vector(halfvec, integer, boolean): the assignment cast, exact. */
VECRBAC_FUNCTION(vecrbac_halfvec_to_vector)
{
	HalfVector *vec = PG_GETARG_HALFVEC_P(0);
	int32 typmod = PG_GETARG_INT32(1);
	Vector *result;

	/* vector's checks and messages, as pgvector (the target is a vector). */
	vecrbac::vec::check_dim(vec->dim);
	vecrbac::vec::check_expected_dim(typmod, vec->dim);
	result = InitVector(vec->dim);
	for (int i = 0; i < vec->dim; i++)
		result->x[i] = hf::to_float(vec->x[i]);
	PG_RETURN_VECTOR_P(result);
}

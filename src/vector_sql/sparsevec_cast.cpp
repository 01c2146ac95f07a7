/*
 * sparsevec_cast.cpp: the casts of sparsevec: the length coercion sparsevec(n),
 * vector to sparsevec (implicit) and back (assignment), and arrays of integer,
 * real, double precision and numeric to sparsevec (assignment), as pgvector.
 *
 * Zero elements are not stored. A sparsevec becomes a vector only within the
 * vector type's 16,000 dimensions, with the vector type's messages.
 */
#include "vector_sql/sparsevec_internal.h"
#include "vector_sql/vector_internal.h"

extern "C"
{
#include "catalog/pg_type.h"
#include "utils/array.h"
#include "utils/builtins.h"
#include "utils/numeric.h"
}

namespace svec = vecrbac::sparsevec;

namespace
{

/* Stores the non-zero entries of dense[0..dim) into a new sparsevec. */
SparseVector *sparsevec_from_dense(const float *dense, int dim)
{
	int nnz = 0;
	SparseVector *result;
	float *values;

	for (int i = 0; i < dim; i++)
		nnz += dense[i] != 0;
	svec::check_nnz(nnz, dim);

	result = InitSparseVector(dim, nnz);
	values = SPARSEVEC_VALUES(result);
	for (int i = 0, j = 0; i < dim; i++)
		if (dense[i] != 0)
		{
			result->indices[j] = i;
			values[j++] = dense[i];
		}
	return result;
}

} // namespace

/*
 * sparsevec(sparsevec, integer, boolean): the length-coercion cast applied on
 * assignment to sparsevec(n); it checks, never pads or truncates.
 */
VECRBAC_FUNCTION(vecrbac_sparsevec)
{
	SparseVector *sv = PG_GETARG_SPARSEVEC_P(0);
	int32 typmod = PG_GETARG_INT32(1);

	svec::check_expected_dim(typmod, sv->dim);
	PG_RETURN_SPARSEVEC_P(sv);
}

/* vector_to_sparsevec(vector, integer, boolean): keeps the non-zero elements. */
VECRBAC_FUNCTION(vecrbac_vector_to_sparsevec)
{
	Vector *vec = PG_GETARG_VECTOR_P(0);
	int32 typmod = PG_GETARG_INT32(1);

	svec::check_dim(vec->dim);
	svec::check_expected_dim(typmod, vec->dim);
	PG_RETURN_SPARSEVEC_P(sparsevec_from_dense(vec->x, vec->dim));
}

/* sparsevec_to_vector(sparsevec, integer, boolean): the dense vector, zeros filled in. */
VECRBAC_FUNCTION(vecrbac_sparsevec_to_vector)
{
	SparseVector *sv = PG_GETARG_SPARSEVEC_P(0);
	int32 typmod = PG_GETARG_INT32(1);
	const float *values = SPARSEVEC_VALUES(sv);
	Vector *result;

	vecrbac::vec::check_dim(sv->dim);
	vecrbac::vec::check_expected_dim(typmod, sv->dim);
	result = InitVector(sv->dim);
	for (int i = 0; i < sv->nnz; i++)
	{
		/* Every way in validates indices; this guards the write against a corrupt datum. */
		if (sv->indices[i] < 0 || sv->indices[i] >= sv->dim)
			elog(ERROR, "sparsevec index out of bounds");
		result->x[sv->indices[i]] = values[i];
	}
	PG_RETURN_VECTOR_P(result);
}

/*
 * array_to_sparsevec(integer[] | real[] | double precision[] | numeric[], integer,
 * boolean): the non-zero elements of a 1-D array without NULLs. The elements are
 * converted to float first, so a double beyond the float range becomes infinity
 * and is refused as such, and one below it becomes 0 and is dropped, as pgvector.
 */
VECRBAC_FUNCTION(vecrbac_array_to_sparsevec)
{
	ArrayType *array = PG_GETARG_ARRAYTYPE_P(0);
	int32 typmod = PG_GETARG_INT32(1);
	Oid elemtype = ARR_ELEMTYPE(array);
	int count;
	float *dense;
	SparseVector *result;

	if (ARR_NDIM(array) > 1)
		ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION), errmsg("array must be 1-D")));
	if (ARR_HASNULL(array) && array_contains_nulls(array))
		ereport(ERROR,
		        (errcode(ERRCODE_NULL_VALUE_NOT_ALLOWED), errmsg("array must not contain nulls")));
	count = ArrayGetNItems(ARR_NDIM(array), ARR_DIMS(array));
	svec::check_dim(count);
	svec::check_expected_dim(typmod, count);
	if (elemtype != INT4OID && elemtype != FLOAT4OID && elemtype != FLOAT8OID &&
	    elemtype != NUMERICOID)
		ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION), errmsg("unsupported array type")));

	/* Arrays hold at most 134M elements (MaxArraySize), so this fits a palloc. */
	dense = (float *)palloc(sizeof(float) * (Size)count);
	if (elemtype == INT4OID)
	{
		const int32 *src = (const int32 *)ARR_DATA_PTR(array);

		for (int i = 0; i < count; i++)
			dense[i] = (float)src[i];
	}
	else if (elemtype == FLOAT4OID)
		memcpy(dense, ARR_DATA_PTR(array), sizeof(float) * (Size)count);
	else if (elemtype == FLOAT8OID)
	{
		const float8 *src = (const float8 *)ARR_DATA_PTR(array);

		for (int i = 0; i < count; i++)
			dense[i] = (float)src[i];
	}
	else
	{
		Datum *elems;
		int nelems;

		deconstruct_array(array, NUMERICOID, -1, false, TYPALIGN_INT, &elems, NULL, &nelems);
		for (int i = 0; i < nelems; i++)
			dense[i] = DatumGetFloat4(DirectFunctionCall1(numeric_float4, elems[i]));
		pfree(elems);
	}

	result = sparsevec_from_dense(dense, count);
	pfree(dense);
	{
		const float *values = SPARSEVEC_VALUES(result);

		for (int i = 0; i < result->nnz; i++)
			svec::check_element(values[i]);
	}
	PG_RETURN_SPARSEVEC_P(result);
}

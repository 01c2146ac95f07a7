/*
 * vector_agg.cpp: avg(vector), with a double precision[] state as pgvector.
 *
 * The state is {n, s1, ..., sd}: the count of vectors seen, then the element sums
 * in double. The initial state is {0}, so d = 0 means "nothing seen yet". sum()
 * needs no code here: its transition and combine function is vector_add.
 *
 * Parallel aggregation starts the leader from the initial state and combines each
 * worker's partial state into it; a worker that saw no rows hands back {0}. So the
 * combine function accepts two empty states (and returns one); a pgvector release
 * rejected that by mistake and the fix followed (pgvector pull request 1012).
 */
#include "vector_sql/agg_state.h"
#include "vector_sql/vector_internal.h"

extern "C"
{
#include "catalog/pg_type.h"
#include "utils/array.h"
#include "utils/float.h"
}

using namespace vecrbac::vec;

/* The helpers of agg_state.h, shared with avg(halfvec). */
const float8 *vecrbac::vec::check_state_array(ArrayType *state, const char *caller)
{
	if (ARR_NDIM(state) != 1 || ARR_DIMS(state)[0] < 1 || ARR_HASNULL(state) ||
	    ARR_ELEMTYPE(state) != FLOAT8OID)
		elog(ERROR, "%s: expected state array", caller);
	return (const float8 *)ARR_DATA_PTR(state);
}

ArrayType *vecrbac::vec::make_state(float8 n, const float8 *sums, int dim)
{
	Datum *datums = (Datum *)palloc(sizeof(Datum) * (dim + 1));
	ArrayType *result;

	datums[0] = Float8GetDatum(n);
	for (int i = 0; i < dim; i++)
		datums[i + 1] = Float8GetDatum(sums[i]);
	result = construct_array(datums, dim + 1, FLOAT8OID, sizeof(float8), FLOAT8PASSBYVAL,
	                         TYPALIGN_DOUBLE);
	pfree(datums);
	return result;
}

/* vector_accum(double precision[], vector): adds one vector to the state. */
VECRBAC_FUNCTION(vecrbac_vector_accum)
{
	ArrayType *state = PG_GETARG_ARRAYTYPE_P(0);
	Vector *value = PG_GETARG_VECTOR_P(1);
	const float8 *old = check_state_array(state, "vector_accum");
	int dim = state_dims(state);
	float8 *sums;

	/* The first vector fixes the dimensions; every later one must match. */
	if (dim == 0)
		dim = value->dim;
	else
		check_expected_dim(dim, value->dim);

	sums = (float8 *)palloc(sizeof(float8) * dim);
	if (state_dims(state) == 0)
	{
		for (int i = 0; i < dim; i++)
			sums[i] = (double)value->x[i];
	}
	else
	{
		for (int i = 0; i < dim; i++)
		{
			sums[i] = old[i + 1] + (double)value->x[i];
			if (std::isinf(sums[i]))
				float_overflow_error();
		}
	}
	PG_RETURN_ARRAYTYPE_P(make_state(old[0] + 1.0, sums, dim));
}

/* vector_combine(double precision[], double precision[]): merges two partial states. */
VECRBAC_FUNCTION(vecrbac_vector_combine)
{
	ArrayType *state1 = PG_GETARG_ARRAYTYPE_P(0);
	ArrayType *state2 = PG_GETARG_ARRAYTYPE_P(1);
	const float8 *values1 = check_state_array(state1, "vector_combine");
	const float8 *values2 = check_state_array(state2, "vector_combine");
	float8 n1 = values1[0];
	float8 n2 = values2[0];
	float8 *sums;
	int dim;

	/* Nothing seen on either side: still the initial state. */
	if (n1 == 0.0 && n2 == 0.0)
		PG_RETURN_ARRAYTYPE_P(make_state(0.0, NULL, 0));

	if (n1 == 0.0 || n2 == 0.0)
	{
		/* One side is empty: the other is the result. */
		const float8 *values = n1 == 0.0 ? values2 : values1;

		dim = state_dims(n1 == 0.0 ? state2 : state1);
		check_dim(dim);
		PG_RETURN_ARRAYTYPE_P(make_state(n1 + n2, values + 1, dim));
	}

	dim = state_dims(state1);
	check_dim(dim);
	check_expected_dim(dim, state_dims(state2));
	sums = (float8 *)palloc(sizeof(float8) * dim);
	for (int i = 0; i < dim; i++)
	{
		sums[i] = values1[i + 1] + values2[i + 1];
		if (std::isinf(sums[i]))
			float_overflow_error();
	}
	PG_RETURN_ARRAYTYPE_P(make_state(n1 + n2, sums, dim));
}

/* vector_avg(double precision[]): the final function; NULL when no vector was seen. */
VECRBAC_FUNCTION(vecrbac_vector_avg)
{
	ArrayType *state = PG_GETARG_ARRAYTYPE_P(0);
	const float8 *values = check_state_array(state, "vector_avg");
	float8 n = values[0];
	int dim;
	Vector *result;

	/* SQL defines the average of no values as NULL. */
	if (n == 0.0)
		PG_RETURN_NULL();

	dim = state_dims(state);
	check_dim(dim);
	result = InitVector(dim);
	for (int i = 0; i < dim; i++)
	{
		result->x[i] = (float)(values[i + 1] / n);
		check_element(result->x[i]);
	}
	PG_RETURN_VECTOR_P(result);
}

/*
 * halfvec_agg.cpp: avg(halfvec), with vector's double precision[] state (agg_state.h).
 *
 * Elements are summed in double, so the average of many halves is exact before its
 * single rounding to half. The combine function is vector_combine's C function (the
 * states are alike), and sum() is halfvec_add, as in pgvector.
 */
#include "vector_sql/agg_state.h"
#include "vector_sql/halfvec_internal.h"

extern "C"
{
#include "utils/float.h"
}

using namespace vecrbac::halfvec;
using vecrbac::vec::check_state_array;
using vecrbac::vec::make_state;
using vecrbac::vec::state_dims;
namespace hf = vecrbac::half;

/* halfvec_accum(double precision[], halfvec): adds one halfvec to the state. */
VECRBAC_FUNCTION(vecrbac_halfvec_accum)
{
	ArrayType *state = PG_GETARG_ARRAYTYPE_P(0);
	HalfVector *value = PG_GETARG_HALFVEC_P(1);
	const float8 *old = check_state_array(state, "halfvec_accum");
	int dim = state_dims(state);
	float8 *sums;

	/* The first value fixes the dimensions; every later one must match. */
	if (dim == 0)
		dim = value->dim;
	else
		check_expected_dim(dim, value->dim);

	sums = (float8 *)palloc(sizeof(float8) * dim);
	if (state_dims(state) == 0)
	{
		for (int i = 0; i < dim; i++)
			sums[i] = (double)hf::to_float(value->x[i]);
	}
	else
	{
		for (int i = 0; i < dim; i++)
		{
			sums[i] = old[i + 1] + (double)hf::to_float(value->x[i]);
			if (std::isinf(sums[i]))
				float_overflow_error();
		}
	}
	PG_RETURN_ARRAYTYPE_P(make_state(old[0] + 1.0, sums, dim));
}

/* halfvec_avg(double precision[]): the final function; NULL when nothing was seen. */
VECRBAC_FUNCTION(vecrbac_halfvec_avg)
{
	ArrayType *state = PG_GETARG_ARRAYTYPE_P(0);
	const float8 *values = check_state_array(state, "halfvec_avg");
	float8 n = values[0];
	int dim;
	HalfVector *result;

	/* SQL defines the average of no values as NULL. */
	if (n == 0.0)
		PG_RETURN_NULL();

	dim = state_dims(state);
	check_dim(dim);
	result = InitHalfVector(dim);
	for (int i = 0; i < dim; i++)
	{
		result->x[i] = to_half_checked((float)(values[i + 1] / n));
		check_element(result->x[i]);
	}
	PG_RETURN_HALFVEC_P(result);
}

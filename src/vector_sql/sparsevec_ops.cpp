/*
 * sparsevec_ops.cpp: distances, norms and comparisons of sparsevec.
 *
 * The distances run the merge-join kernels of vector/sparse.h, which add terms in
 * pgvector's order, so results are bit-identical to pgvector's; SQL results widen
 * to double before sqrt and division, as pgvector.
 */
#include "vector_sql/sparsevec_internal.h"

extern "C"
{
#include "utils/float.h"
}

using namespace vecrbac::sparsevec;
namespace sp = vecrbac::sparse;

/* ---- distances ---------------------------------------------------------------- */

/* l2_distance(sparsevec, sparsevec): Euclidean distance, the <-> operator. */
VECRBAC_FUNCTION(vecrbac_sparsevec_l2_distance)
{
	SparseVector *a = PG_GETARG_SPARSEVEC_P(0);
	SparseVector *b = PG_GETARG_SPARSEVEC_P(1);

	check_same_dims(a, b);
	PG_RETURN_FLOAT8(std::sqrt((double)sp::l2_squared(SparseVectorView(a), SparseVectorView(b))));
}

/* sparsevec_l2_squared_distance(sparsevec, sparsevec): L2 without the sqrt (index support). */
VECRBAC_FUNCTION(vecrbac_sparsevec_l2_squared_distance)
{
	SparseVector *a = PG_GETARG_SPARSEVEC_P(0);
	SparseVector *b = PG_GETARG_SPARSEVEC_P(1);

	check_same_dims(a, b);
	PG_RETURN_FLOAT8((double)sp::l2_squared(SparseVectorView(a), SparseVectorView(b)));
}

/* inner_product(sparsevec, sparsevec). */
VECRBAC_FUNCTION(vecrbac_sparsevec_inner_product)
{
	SparseVector *a = PG_GETARG_SPARSEVEC_P(0);
	SparseVector *b = PG_GETARG_SPARSEVEC_P(1);

	check_same_dims(a, b);
	PG_RETURN_FLOAT8((double)sp::inner_product(SparseVectorView(a), SparseVectorView(b)));
}

/* sparsevec_negative_inner_product(sparsevec, sparsevec): the <#> operator. */
VECRBAC_FUNCTION(vecrbac_sparsevec_negative_inner_product)
{
	SparseVector *a = PG_GETARG_SPARSEVEC_P(0);
	SparseVector *b = PG_GETARG_SPARSEVEC_P(1);

	check_same_dims(a, b);
	PG_RETURN_FLOAT8((double)-sp::inner_product(SparseVectorView(a), SparseVectorView(b)));
}

/*
 * cosine_distance(sparsevec, sparsevec): 1 - cos, the <=> operator; NaN when either
 * vector is zero, and the cosine clamped to [-1, 1] against rounding.
 */
VECRBAC_FUNCTION(vecrbac_sparsevec_cosine_distance)
{
	SparseVector *a = PG_GETARG_SPARSEVEC_P(0);
	SparseVector *b = PG_GETARG_SPARSEVEC_P(1);
	double similarity;

	check_same_dims(a, b);
	sp::View va = SparseVectorView(a), vb = SparseVectorView(b);
	similarity = (double)sp::inner_product(va, vb);
	/* sqrt(na * nb) rather than sqrt(na) * sqrt(nb), as pgvector: one rounding less. */
	similarity /= std::sqrt((double)sp::norm_squared(va) * (double)sp::norm_squared(vb));
	if (similarity > 1.0)
		similarity = 1.0;
	else if (similarity < -1.0)
		similarity = -1.0;
	PG_RETURN_FLOAT8(1.0 - similarity);
}

/* l1_distance(sparsevec, sparsevec): taxicab distance, the <+> operator. */
VECRBAC_FUNCTION(vecrbac_sparsevec_l1_distance)
{
	SparseVector *a = PG_GETARG_SPARSEVEC_P(0);
	SparseVector *b = PG_GETARG_SPARSEVEC_P(1);

	check_same_dims(a, b);
	PG_RETURN_FLOAT8((double)sp::l1(SparseVectorView(a), SparseVectorView(b)));
}

/* ---- norms -------------------------------------------------------------------- */

/* l2_norm(sparsevec): the Euclidean norm, summed in double. */
VECRBAC_FUNCTION(vecrbac_sparsevec_l2_norm)
{
	SparseVector *a = PG_GETARG_SPARSEVEC_P(0);

	PG_RETURN_FLOAT8(std::sqrt(sp::norm_squared_double(SparseVectorView(a))));
}

/*
 * l2_normalize(sparsevec): a / |a|; the zero vector stays zero. A value that
 * underflows to 0 is dropped (sparsevec stores no zeros); one that overflows (a
 * subnormal norm) is an error.
 */
VECRBAC_FUNCTION(vecrbac_sparsevec_l2_normalize)
{
	SparseVector *a = PG_GETARG_SPARSEVEC_P(0);
	const float *ax = SPARSEVEC_VALUES(a);
	double norm = std::sqrt(sp::norm_squared_double(SparseVectorView(a)));
	float *scaled;
	int nnz = 0;
	SparseVector *result;
	float *rx;

	if (norm <= 0)
		PG_RETURN_SPARSEVEC_P(InitSparseVector(a->dim, 0)); /* only when nnz is 0 */

	scaled = (float *)palloc(sizeof(float) * (Size)a->nnz);
	for (int i = 0; i < a->nnz; i++)
	{
		scaled[i] = (float)(ax[i] / norm);
		if (std::isinf(scaled[i]))
			float_overflow_error();
		nnz += scaled[i] != 0;
	}
	result = InitSparseVector(a->dim, nnz);
	rx = SPARSEVEC_VALUES(result);
	for (int i = 0, j = 0; i < a->nnz; i++)
		if (scaled[i] != 0)
		{
			result->indices[j] = a->indices[i];
			rx[j++] = scaled[i];
		}
	pfree(scaled);
	PG_RETURN_SPARSEVEC_P(result);
}

/* ---- comparisons (the btree opclass) ---------------------------------------------- */

namespace
{

int compare_args(FunctionCallInfo fcinfo)
{
	SparseVector *a = PG_GETARG_SPARSEVEC_P(0);
	SparseVector *b = PG_GETARG_SPARSEVEC_P(1);

	return sp::compare(SparseVectorView(a), SparseVectorView(b));
}

} // namespace

VECRBAC_FUNCTION(vecrbac_sparsevec_lt)
{
	PG_RETURN_BOOL(compare_args(fcinfo) < 0);
}

VECRBAC_FUNCTION(vecrbac_sparsevec_le)
{
	PG_RETURN_BOOL(compare_args(fcinfo) <= 0);
}

VECRBAC_FUNCTION(vecrbac_sparsevec_eq)
{
	PG_RETURN_BOOL(compare_args(fcinfo) == 0);
}

VECRBAC_FUNCTION(vecrbac_sparsevec_ne)
{
	PG_RETURN_BOOL(compare_args(fcinfo) != 0);
}

VECRBAC_FUNCTION(vecrbac_sparsevec_ge)
{
	PG_RETURN_BOOL(compare_args(fcinfo) >= 0);
}

VECRBAC_FUNCTION(vecrbac_sparsevec_gt)
{
	PG_RETURN_BOOL(compare_args(fcinfo) > 0);
}

/* sparsevec_cmp(sparsevec, sparsevec): the btree support function. */
VECRBAC_FUNCTION(vecrbac_sparsevec_cmp)
{
	PG_RETURN_INT32(compare_args(fcinfo));
}

/*
 * vector_ops.cpp: distances, norms, element-wise arithmetic, comparisons and the
 * small functions (subvector, binary_quantize, concatenation) of vector.
 *
 * Distances run the SIMD kernels of distance.h, which accumulate in float as
 * pgvector does; the SQL results widen to double before sqrt and division. The
 * summation order of the SIMD kernels differs from a sequential loop, so the last
 * bits of a float sum over many elements can differ from pgvector's; results on
 * exactly representable sums are identical.
 */
#include "vector/distance.h"
#include "vector_sql/vector_internal.h"

extern "C"
{
#include "utils/float.h"
#include "utils/varbit.h"
}

#include <cmath>

using namespace vecrbac::vec;
namespace dist = vecrbac::distance;

/* ---- distances ---------------------------------------------------------------- */

/* l2_distance(vector, vector): Euclidean distance, the <-> operator. */
VECRBAC_FUNCTION(vecrbac_l2_distance)
{
	Vector *a = PG_GETARG_VECTOR_P(0);
	Vector *b = PG_GETARG_VECTOR_P(1);

	check_same_dims(a, b);
	PG_RETURN_FLOAT8(std::sqrt((double)dist::l2_squared(a->x, b->x, a->dim)));
}

/* vector_l2_squared_distance(vector, vector): L2 without the sqrt (index support). */
VECRBAC_FUNCTION(vecrbac_vector_l2_squared_distance)
{
	Vector *a = PG_GETARG_VECTOR_P(0);
	Vector *b = PG_GETARG_VECTOR_P(1);

	check_same_dims(a, b);
	PG_RETURN_FLOAT8((double)dist::l2_squared(a->x, b->x, a->dim));
}

/* inner_product(vector, vector). */
VECRBAC_FUNCTION(vecrbac_inner_product)
{
	Vector *a = PG_GETARG_VECTOR_P(0);
	Vector *b = PG_GETARG_VECTOR_P(1);

	check_same_dims(a, b);
	PG_RETURN_FLOAT8((double)dist::inner_product(a->x, b->x, a->dim));
}

/* vector_negative_inner_product(vector, vector): the <#> operator (smaller is closer). */
VECRBAC_FUNCTION(vecrbac_vector_negative_inner_product)
{
	Vector *a = PG_GETARG_VECTOR_P(0);
	Vector *b = PG_GETARG_VECTOR_P(1);

	check_same_dims(a, b);
	PG_RETURN_FLOAT8((double)-dist::inner_product(a->x, b->x, a->dim));
}

/*
 * cosine_distance(vector, vector): 1 - cos, the <=> operator. A zero vector has no
 * direction, so the result is NaN; rounding can push the cosine past +-1, so it
 * is clamped to keep the distance within [0, 2].
 */
VECRBAC_FUNCTION(vecrbac_cosine_distance)
{
	Vector *a = PG_GETARG_VECTOR_P(0);
	Vector *b = PG_GETARG_VECTOR_P(1);
	dist::CosineParts parts;
	double similarity;

	check_same_dims(a, b);
	parts = dist::cosine_parts(a->x, b->x, a->dim);
	/* sqrt(na * nb) rather than sqrt(na) * sqrt(nb), as pgvector: one rounding less. */
	similarity = (double)parts.dot / std::sqrt((double)parts.norm_a * (double)parts.norm_b);
	if (similarity > 1.0)
		similarity = 1.0;
	else if (similarity < -1.0)
		similarity = -1.0;
	PG_RETURN_FLOAT8(1.0 - similarity);
}

/*
 * vector_spherical_distance(vector, vector): angle / pi between unit vectors, for
 * spherical k-means (it satisfies the triangle inequality). Inputs are assumed
 * normalised; the inner product is clamped so acos never sees rounding overshoot.
 */
VECRBAC_FUNCTION(vecrbac_vector_spherical_distance)
{
	Vector *a = PG_GETARG_VECTOR_P(0);
	Vector *b = PG_GETARG_VECTOR_P(1);
	double ip;

	check_same_dims(a, b);
	ip = (double)dist::inner_product(a->x, b->x, a->dim);
	if (ip > 1.0)
		ip = 1.0;
	else if (ip < -1.0)
		ip = -1.0;
	PG_RETURN_FLOAT8(std::acos(ip) / M_PI);
}

/* l1_distance(vector, vector): taxicab distance, the <+> operator. */
VECRBAC_FUNCTION(vecrbac_l1_distance)
{
	Vector *a = PG_GETARG_VECTOR_P(0);
	Vector *b = PG_GETARG_VECTOR_P(1);

	check_same_dims(a, b);
	PG_RETURN_FLOAT8((double)dist::l1(a->x, b->x, a->dim));
}

/* ---- single-vector functions ---------------------------------------------------- */

/* vector_dims(vector). */
VECRBAC_FUNCTION(vecrbac_vector_dims)
{
	Vector *a = PG_GETARG_VECTOR_P(0);

	PG_RETURN_INT32(a->dim);
}

/* Sum of squares in double: a norm must not overflow where a float sum would. */
static double squared_norm(const Vector *a)
{
	double sum = 0.0;

	for (int i = 0; i < a->dim; i++)
		sum += (double)a->x[i] * (double)a->x[i];
	return sum;
}

/* vector_norm(vector): Euclidean norm, accumulated in double. */
VECRBAC_FUNCTION(vecrbac_vector_norm)
{
	Vector *a = PG_GETARG_VECTOR_P(0);

	PG_RETURN_FLOAT8(std::sqrt(squared_norm(a)));
}

/* l2_normalize(vector): a / |a|; the zero vector stays zero. */
VECRBAC_FUNCTION(vecrbac_l2_normalize)
{
	Vector *a = PG_GETARG_VECTOR_P(0);
	Vector *result = InitVector(a->dim);
	double norm = std::sqrt(squared_norm(a));

	if (norm > 0)
	{
		for (int i = 0; i < a->dim; i++)
			result->x[i] = (float)(a->x[i] / norm);
		/* A subnormal norm can blow elements past FLT_MAX. */
		for (int i = 0; i < a->dim; i++)
			if (std::isinf(result->x[i]))
				float_overflow_error();
	}
	PG_RETURN_VECTOR_P(result);
}

/* binary_quantize(vector): bit(n) with bit i set when element i is positive. */
VECRBAC_FUNCTION(vecrbac_binary_quantize)
{
	Vector *a = PG_GETARG_VECTOR_P(0);
	Size size = VARBITTOTALLEN(a->dim);
	VarBit *result = (VarBit *)palloc0(size);
	bits8 *bits;

	SET_VARSIZE(result, size);
	VARBITLEN(result) = a->dim;
	bits = VARBITS(result);
	/* Most significant bit first, as bit strings are printed. */
	for (int i = 0; i < a->dim; i++)
		if (a->x[i] > 0)
			bits[i / 8] |= (bits8)(0x80 >> (i % 8));
	PG_RETURN_VARBIT_P(result);
}

/*
 * subvector(vector, start, count): count elements from 1-based position start,
 * clipped to the vector like substring(); the result must not be empty. Written
 * so that start + count cannot overflow.
 */
VECRBAC_FUNCTION(vecrbac_subvector)
{
	Vector *a = PG_GETARG_VECTOR_P(0);
	int32 start = PG_GETARG_INT32(1);
	int32 count = PG_GETARG_INT32(2);
	int32 end; /* one past the last position */
	int dim;
	Vector *result;

	if (count < 1)
		ereport(ERROR,
		        (errcode(ERRCODE_DATA_EXCEPTION), errmsg("vector must have at least 1 dimension")));
	/* a->dim >= 1 and count >= 1, so a->dim - count cannot overflow. */
	end = (start > a->dim - count) ? a->dim + 1 : start + count;
	if (start < 1)
		start = 1;
	else if (start > a->dim)
		ereport(ERROR,
		        (errcode(ERRCODE_DATA_EXCEPTION), errmsg("vector must have at least 1 dimension")));

	dim = end - start;
	check_dim(dim);
	result = InitVector(dim);
	memcpy(result->x, a->x + (start - 1), sizeof(float) * dim);
	PG_RETURN_VECTOR_P(result);
}

/* ---- element-wise arithmetic ------------------------------------------------------ */

/*
 * a op b element by element, for vectors of the same dimensions; an infinite result
 * is an overflow, as for real.
 */
template <typename Op> static Vector *elementwise(const Vector *a, const Vector *b, Op op)
{
	check_same_dims(a, b);
	Vector *result = InitVector(a->dim);
	for (int i = 0; i < a->dim; i++)
		result->x[i] = op(a->x[i], b->x[i]);
	for (int i = 0; i < a->dim; i++)
		if (std::isinf(result->x[i]))
			float_overflow_error();
	return result;
}

/* vector_add(vector, vector): the + operator and the sum() transition. */
VECRBAC_FUNCTION(vecrbac_vector_add)
{
	PG_RETURN_VECTOR_P(elementwise(PG_GETARG_VECTOR_P(0), PG_GETARG_VECTOR_P(1),
	                               [](float x, float y) { return x + y; }));
}

/* vector_sub(vector, vector): the - operator. */
VECRBAC_FUNCTION(vecrbac_vector_sub)
{
	PG_RETURN_VECTOR_P(elementwise(PG_GETARG_VECTOR_P(0), PG_GETARG_VECTOR_P(1),
	                               [](float x, float y) { return x - y; }));
}

/* vector_mul(vector, vector): the * operator, element by element. */
VECRBAC_FUNCTION(vecrbac_vector_mul)
{
	Vector *a = PG_GETARG_VECTOR_P(0);
	Vector *b = PG_GETARG_VECTOR_P(1);

	check_same_dims(a, b);
	Vector *result = InitVector(a->dim);
	for (int i = 0; i < a->dim; i++)
		result->x[i] = a->x[i] * b->x[i];
	/* One pass for both errors, so the first bad element decides, as in pgvector. */
	for (int i = 0; i < a->dim; i++)
	{
		if (std::isinf(result->x[i]))
			float_overflow_error();
		/* A zero product of non-zero factors is an underflow, as for real. */
		if (result->x[i] == 0 && !(a->x[i] == 0 || b->x[i] == 0))
			float_underflow_error();
	}
	PG_RETURN_VECTOR_P(result);
}

/* vector_concat(vector, vector): the || operator. */
VECRBAC_FUNCTION(vecrbac_vector_concat)
{
	Vector *a = PG_GETARG_VECTOR_P(0);
	Vector *b = PG_GETARG_VECTOR_P(1);
	int dim = a->dim + b->dim;
	Vector *result;

	check_dim(dim);
	result = InitVector(dim);
	memcpy(result->x, a->x, sizeof(float) * a->dim);
	memcpy(result->x + a->dim, b->x, sizeof(float) * b->dim);
	PG_RETURN_VECTOR_P(result);
}

/* ---- comparison (btree) ------------------------------------------------------------ */

/*
 * Element by element, then by dimensions, like PostgreSQL arrays: [1,2] < [1,2,3]
 * and [2] > [1,2,3]. Elements are never NaN, so this is a total order.
 */
static int compare_vectors(const Vector *a, const Vector *b)
{
	int dim = Min(a->dim, b->dim);

	for (int i = 0; i < dim; i++)
	{
		if (a->x[i] < b->x[i])
			return -1;
		if (a->x[i] > b->x[i])
			return 1;
	}
	if (a->dim < b->dim)
		return -1;
	if (a->dim > b->dim)
		return 1;
	return 0;
}

#define VECTOR_COMPARISON(name, test)                                                              \
	VECRBAC_FUNCTION(name)                                                                         \
	{                                                                                              \
		Vector *a = PG_GETARG_VECTOR_P(0);                                                         \
		Vector *b = PG_GETARG_VECTOR_P(1);                                                         \
		int c = compare_vectors(a, b);                                                             \
                                                                                                   \
		PG_FREE_IF_COPY(a, 0);                                                                     \
		PG_FREE_IF_COPY(b, 1);                                                                     \
		PG_RETURN_BOOL(test);                                                                      \
	}

VECTOR_COMPARISON(vecrbac_vector_lt, c < 0)
VECTOR_COMPARISON(vecrbac_vector_le, c <= 0)
VECTOR_COMPARISON(vecrbac_vector_eq, c == 0)
VECTOR_COMPARISON(vecrbac_vector_ne, c != 0)
VECTOR_COMPARISON(vecrbac_vector_ge, c >= 0)
VECTOR_COMPARISON(vecrbac_vector_gt, c > 0)

/* vector_cmp(vector, vector): the btree support function, -1, 0 or 1. */
VECRBAC_FUNCTION(vecrbac_vector_cmp)
{
	Vector *a = PG_GETARG_VECTOR_P(0);
	Vector *b = PG_GETARG_VECTOR_P(1);
	int c = compare_vectors(a, b);

	PG_FREE_IF_COPY(a, 0);
	PG_FREE_IF_COPY(b, 1);
	PG_RETURN_INT32(c);
}

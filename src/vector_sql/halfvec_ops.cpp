/*
 * halfvec_ops.cpp: distances, norms, element-wise arithmetic, comparisons and the
 * small functions (subvector, binary_quantize, concatenation) of halfvec.
 *
 * Distances run the kernels of vector/half.h (F16C when the CPU has it), which
 * widen each element to float and accumulate in float as pgvector does; the SQL
 * results widen to double before sqrt and division. Arithmetic works in float and
 * rounds each result to half once (as pgvector on x86-64); a result beyond half
 * range is an overflow, as for real.
 */
#include "vector_sql/halfvec_internal.h"

extern "C"
{
#include "utils/float.h"
#include "utils/varbit.h"
}

#include <cmath>

using namespace vecrbac::halfvec;
namespace hf = vecrbac::half;
namespace dist = vecrbac::distance;

/* ---- distances ---------------------------------------------------------------- */

/* l2_distance(halfvec, halfvec): Euclidean distance, the <-> operator. */
VECRBAC_FUNCTION(vecrbac_halfvec_l2_distance)
{
	HalfVector *a = PG_GETARG_HALFVEC_P(0);
	HalfVector *b = PG_GETARG_HALFVEC_P(1);

	check_same_dims(a, b);
	PG_RETURN_FLOAT8(std::sqrt((double)hf::best().l2_squared(a->x, b->x, a->dim)));
}

/* halfvec_l2_squared_distance(halfvec, halfvec): L2 without the sqrt (index support). */
VECRBAC_FUNCTION(vecrbac_halfvec_l2_squared_distance)
{
	HalfVector *a = PG_GETARG_HALFVEC_P(0);
	HalfVector *b = PG_GETARG_HALFVEC_P(1);

	check_same_dims(a, b);
	PG_RETURN_FLOAT8((double)hf::best().l2_squared(a->x, b->x, a->dim));
}

/* inner_product(halfvec, halfvec). */
VECRBAC_FUNCTION(vecrbac_halfvec_inner_product)
{
	HalfVector *a = PG_GETARG_HALFVEC_P(0);
	HalfVector *b = PG_GETARG_HALFVEC_P(1);

	check_same_dims(a, b);
	PG_RETURN_FLOAT8((double)hf::best().inner_product(a->x, b->x, a->dim));
}

/* halfvec_negative_inner_product(halfvec, halfvec): the <#> operator (smaller is closer). */
VECRBAC_FUNCTION(vecrbac_halfvec_negative_inner_product)
{
	HalfVector *a = PG_GETARG_HALFVEC_P(0);
	HalfVector *b = PG_GETARG_HALFVEC_P(1);

	check_same_dims(a, b);
	PG_RETURN_FLOAT8((double)-hf::best().inner_product(a->x, b->x, a->dim));
}

/*
 * cosine_distance(halfvec, halfvec): 1 - cos, the <=> operator. A zero vector has no
 * direction, so the result is NaN; rounding can push the cosine past +-1, so it is
 * clamped to keep the distance within [0, 2].
 */
VECRBAC_FUNCTION(vecrbac_halfvec_cosine_distance)
{
	HalfVector *a = PG_GETARG_HALFVEC_P(0);
	HalfVector *b = PG_GETARG_HALFVEC_P(1);
	dist::CosineParts parts;
	double similarity;

	check_same_dims(a, b);
	parts = hf::best().cosine_parts(a->x, b->x, a->dim);
	similarity = (double)parts.dot / std::sqrt((double)parts.norm_a * (double)parts.norm_b);
	if (similarity > 1.0)
		similarity = 1.0;
	else if (similarity < -1.0)
		similarity = -1.0;
	PG_RETURN_FLOAT8(1.0 - similarity);
}

/*
 * halfvec_spherical_distance(halfvec, halfvec): angle / pi between unit vectors (for
 * spherical k-means). Inputs are assumed normalised; the inner product is clamped so
 * acos never sees rounding overshoot.
 */
VECRBAC_FUNCTION(vecrbac_halfvec_spherical_distance)
{
	HalfVector *a = PG_GETARG_HALFVEC_P(0);
	HalfVector *b = PG_GETARG_HALFVEC_P(1);
	double ip;

	check_same_dims(a, b);
	ip = (double)hf::best().inner_product(a->x, b->x, a->dim);
	if (ip > 1.0)
		ip = 1.0;
	else if (ip < -1.0)
		ip = -1.0;
	PG_RETURN_FLOAT8(std::acos(ip) / M_PI);
}

/* l1_distance(halfvec, halfvec): taxicab distance, the <+> operator. */
VECRBAC_FUNCTION(vecrbac_halfvec_l1_distance)
{
	HalfVector *a = PG_GETARG_HALFVEC_P(0);
	HalfVector *b = PG_GETARG_HALFVEC_P(1);

	check_same_dims(a, b);
	PG_RETURN_FLOAT8((double)hf::best().l1(a->x, b->x, a->dim));
}

/* ---- single-vector functions ---------------------------------------------------- */

/* vector_dims(halfvec). */
VECRBAC_FUNCTION(vecrbac_halfvec_vector_dims)
{
	HalfVector *a = PG_GETARG_HALFVEC_P(0);

	PG_RETURN_INT32(a->dim);
}

/* Sum of squares in double, as pgvector. */
static double squared_norm(const HalfVector *a)
{
	double sum = 0.0;

	for (int i = 0; i < a->dim; i++)
	{
		double x = (double)hf::to_float(a->x[i]);
		sum += x * x;
	}
	return sum;
}

/* l2_norm(halfvec): Euclidean norm, accumulated in double. */
VECRBAC_FUNCTION(vecrbac_halfvec_l2_norm)
{
	HalfVector *a = PG_GETARG_HALFVEC_P(0);

	PG_RETURN_FLOAT8(std::sqrt(squared_norm(a)));
}

/* l2_normalize(halfvec): a / |a|, rounded to half; the zero vector stays zero. */
VECRBAC_FUNCTION(vecrbac_halfvec_l2_normalize)
{
	HalfVector *a = PG_GETARG_HALFVEC_P(0);
	HalfVector *result = InitHalfVector(a->dim);
	double norm = std::sqrt(squared_norm(a));

	if (norm > 0)
	{
		for (int i = 0; i < a->dim; i++)
			result->x[i] = hf::from_float((float)(hf::to_float(a->x[i]) / norm));
		/* A subnormal norm can blow elements past the half range. */
		for (int i = 0; i < a->dim; i++)
			if (hf::is_inf(result->x[i]))
				float_overflow_error();
	}
	PG_RETURN_HALFVEC_P(result);
}

/* binary_quantize(halfvec): bit(n) with bit i set when element i is positive. */
VECRBAC_FUNCTION(vecrbac_halfvec_binary_quantize)
{
	HalfVector *a = PG_GETARG_HALFVEC_P(0);
	Size size = VARBITTOTALLEN(a->dim);
	VarBit *result = (VarBit *)palloc0(size);
	bits8 *bits;

	SET_VARSIZE(result, size);
	VARBITLEN(result) = a->dim;
	bits = VARBITS(result);
	/* Most significant bit first, as bit strings are printed. */
	for (int i = 0; i < a->dim; i++)
		if (hf::to_float(a->x[i]) > 0)
			bits[i / 8] |= (bits8)(0x80 >> (i % 8));
	PG_RETURN_VARBIT_P(result);
}

/*
 * subvector(halfvec, start, count): count elements from 1-based position start,
 * clipped to the vector like substring(); the result must not be empty. Written so
 * that start + count cannot overflow.
 */
VECRBAC_FUNCTION(vecrbac_halfvec_subvector)
{
	HalfVector *a = PG_GETARG_HALFVEC_P(0);
	int32 start = PG_GETARG_INT32(1);
	int32 count = PG_GETARG_INT32(2);
	int32 end; /* one past the last position */
	int dim;
	HalfVector *result;

	if (count < 1)
		ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION),
		                errmsg("halfvec must have at least 1 dimension")));
	/* a->dim >= 1 and count >= 1, so a->dim - count cannot overflow. */
	end = (start > a->dim - count) ? a->dim + 1 : start + count;
	if (start < 1)
		start = 1;
	else if (start > a->dim)
		ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION),
		                errmsg("halfvec must have at least 1 dimension")));

	dim = end - start;
	check_dim(dim);
	result = InitHalfVector(dim);
	memcpy(result->x, a->x + (start - 1), sizeof(Half) * dim);
	PG_RETURN_HALFVEC_P(result);
}

/* ---- element-wise arithmetic ------------------------------------------------------ */

/* a op b element by element in float, each result rounded to half; infinity is an overflow. */
template <typename Op>
static HalfVector *elementwise(const HalfVector *a, const HalfVector *b, Op op)
{
	check_same_dims(a, b);
	HalfVector *result = InitHalfVector(a->dim);
	for (int i = 0; i < a->dim; i++)
		result->x[i] = hf::from_float(op(hf::to_float(a->x[i]), hf::to_float(b->x[i])));
	for (int i = 0; i < a->dim; i++)
		if (hf::is_inf(result->x[i]))
			float_overflow_error();
	return result;
}

/* halfvec_add(halfvec, halfvec): the + operator and the sum() transition. */
VECRBAC_FUNCTION(vecrbac_halfvec_add)
{
	PG_RETURN_HALFVEC_P(elementwise(PG_GETARG_HALFVEC_P(0), PG_GETARG_HALFVEC_P(1),
	                                [](float x, float y) { return x + y; }));
}

/* halfvec_sub(halfvec, halfvec): the - operator. */
VECRBAC_FUNCTION(vecrbac_halfvec_sub)
{
	PG_RETURN_HALFVEC_P(elementwise(PG_GETARG_HALFVEC_P(0), PG_GETARG_HALFVEC_P(1),
	                                [](float x, float y) { return x - y; }));
}

/* halfvec_mul(halfvec, halfvec): the * operator, element by element. */
VECRBAC_FUNCTION(vecrbac_halfvec_mul)
{
	HalfVector *a = PG_GETARG_HALFVEC_P(0);
	HalfVector *b = PG_GETARG_HALFVEC_P(1);

	check_same_dims(a, b);
	HalfVector *result = InitHalfVector(a->dim);
	for (int i = 0; i < a->dim; i++)
		result->x[i] = hf::from_float(hf::to_float(a->x[i]) * hf::to_float(b->x[i]));
	/* One pass for both errors, so the first bad element decides, as in pgvector. */
	for (int i = 0; i < a->dim; i++)
	{
		if (hf::is_inf(result->x[i]))
			float_overflow_error();
		/* A zero product of non-zero factors is an underflow, as for real. */
		if (hf::is_zero(result->x[i]) && !(hf::is_zero(a->x[i]) || hf::is_zero(b->x[i])))
			float_underflow_error();
	}
	PG_RETURN_HALFVEC_P(result);
}

/* halfvec_concat(halfvec, halfvec): the || operator. */
VECRBAC_FUNCTION(vecrbac_halfvec_concat)
{
	HalfVector *a = PG_GETARG_HALFVEC_P(0);
	HalfVector *b = PG_GETARG_HALFVEC_P(1);
	int dim = a->dim + b->dim;
	HalfVector *result;

	check_dim(dim);
	result = InitHalfVector(dim);
	memcpy(result->x, a->x, sizeof(Half) * a->dim);
	memcpy(result->x + a->dim, b->x, sizeof(Half) * b->dim);
	PG_RETURN_HALFVEC_P(result);
}

/* ---- comparison (btree) ------------------------------------------------------------ */

/*
 * Element by element by value (so -0 equals 0), then by dimensions, like PostgreSQL
 * arrays: [1,2] < [1,2,3] and [2] > [1,2,3]. Elements are never NaN, so this is a
 * total order.
 */
static int compare_halfvecs(const HalfVector *a, const HalfVector *b)
{
	int dim = Min(a->dim, b->dim);

	for (int i = 0; i < dim; i++)
	{
		float x = hf::to_float(a->x[i]), y = hf::to_float(b->x[i]);

		if (x < y)
			return -1;
		if (x > y)
			return 1;
	}
	if (a->dim < b->dim)
		return -1;
	if (a->dim > b->dim)
		return 1;
	return 0;
}

#define HALFVEC_COMPARISON(name, test)                                                             \
	VECRBAC_FUNCTION(name)                                                                         \
	{                                                                                              \
		HalfVector *a = PG_GETARG_HALFVEC_P(0);                                                    \
		HalfVector *b = PG_GETARG_HALFVEC_P(1);                                                    \
		int c = compare_halfvecs(a, b);                                                            \
                                                                                                   \
		PG_FREE_IF_COPY(a, 0);                                                                     \
		PG_FREE_IF_COPY(b, 1);                                                                     \
		PG_RETURN_BOOL(test);                                                                      \
	}

HALFVEC_COMPARISON(vecrbac_halfvec_lt, c < 0)
HALFVEC_COMPARISON(vecrbac_halfvec_le, c <= 0)
HALFVEC_COMPARISON(vecrbac_halfvec_eq, c == 0)
HALFVEC_COMPARISON(vecrbac_halfvec_ne, c != 0)
HALFVEC_COMPARISON(vecrbac_halfvec_ge, c >= 0)
HALFVEC_COMPARISON(vecrbac_halfvec_gt, c > 0)

/* halfvec_cmp(halfvec, halfvec): the btree support function, -1, 0 or 1. */
VECRBAC_FUNCTION(vecrbac_halfvec_cmp)
{
	HalfVector *a = PG_GETARG_HALFVEC_P(0);
	HalfVector *b = PG_GETARG_HALFVEC_P(1);
	int c = compare_halfvecs(a, b);

	PG_FREE_IF_COPY(a, 0);
	PG_FREE_IF_COPY(b, 1);
	PG_RETURN_INT32(c);
}

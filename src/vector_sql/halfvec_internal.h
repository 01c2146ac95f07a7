/*
 * halfvec_internal.h: checks and helpers shared by the halfvec part's SQL functions.
 *
 * Postgres-dialect header: every check raises ereport(ERROR) with pgvector's message
 * and SQLSTATE, because client libraries and users match on them. Only trivially
 * destructible values live in the frames that call these.
 */
#pragma once

#include "vector_sql/halfvec.h"

#include <cmath>

extern "C"
{
#include "common/shortest_dec.h"
}

namespace vecrbac::halfvec
{

using vecrbac::half::Half;

/* Both operands of a binary operator must have the same number of dimensions. */
static inline void check_same_dims(const HalfVector *a, const HalfVector *b)
{
	if (a->dim != b->dim)
		ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION),
		                errmsg("different halfvec dimensions %d and %d", a->dim, b->dim)));
}

/* A type modifier of -1 accepts any dimension; otherwise it must match exactly. */
static inline void check_expected_dim(int32 typmod, int dim)
{
	if (typmod != -1 && typmod != dim)
		ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION),
		                errmsg("expected %d dimensions, not %d", typmod, dim)));
}

/* A halfvec has 1..HALFVEC_MAX_DIM dimensions. */
static inline void check_dim(int dim)
{
	if (dim < 1)
		ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION),
		                errmsg("halfvec must have at least 1 dimension")));
	if (dim > HALFVEC_MAX_DIM)
		ereport(ERROR, (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
		                errmsg("halfvec cannot have more than %d dimensions", HALFVEC_MAX_DIM)));
}

/* Elements are finite: NaN and infinities are refused on every way in. */
static inline void check_element(Half value)
{
	if (vecrbac::half::is_nan(value))
		ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION), errmsg("NaN not allowed in halfvec")));
	if (vecrbac::half::is_inf(value))
		ereport(ERROR,
		        (errcode(ERRCODE_DATA_EXCEPTION), errmsg("infinite value not allowed in halfvec")));
}

/*
 * A float as a half, refusing a finite float too large for half precision with
 * pgvector's message (the float printed as real prints it). An infinite or NaN
 * float passes through for check_element to refuse.
 */
static inline Half to_half_checked(float value)
{
	Half result = vecrbac::half::from_float(value);

	if (vecrbac::half::is_inf(result) && !std::isinf(value))
	{
		char *buf = (char *)palloc(FLOAT_SHORTEST_DECIMAL_LEN);

		float_to_shortest_decimal_buf(value, buf);
		ereport(ERROR, (errcode(ERRCODE_NUMERIC_VALUE_OUT_OF_RANGE),
		                errmsg("\"%s\" is out of range for type halfvec", buf)));
	}
	return result;
}

} // namespace vecrbac::halfvec

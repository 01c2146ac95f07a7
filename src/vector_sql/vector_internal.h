/*
 * vector_internal.h: checks and helpers shared by the vector part's SQL functions.
 *
 * Postgres-dialect header: every check raises ereport(ERROR) with pgvector's
 * message and SQLSTATE, because client libraries and users match on them. Only
 * trivially destructible values live in the frames that call these.
 */
#pragma once

#include "vector_sql/vector.h"

#include <cmath>

namespace vecrbac::vec
{

/* Both operands of a binary operator must have the same number of dimensions. */
static inline void check_same_dims(const Vector *a, const Vector *b)
{
	if (a->dim != b->dim)
		ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION),
		                errmsg("different vector dimensions %d and %d", a->dim, b->dim)));
}

/* A type modifier of -1 accepts any dimension; otherwise it must match exactly. */
static inline void check_expected_dim(int32 typmod, int dim)
{
	if (typmod != -1 && typmod != dim)
		ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION),
		                errmsg("expected %d dimensions, not %d", typmod, dim)));
}

/* A vector has 1..VECTOR_MAX_DIM dimensions. */
static inline void check_dim(int dim)
{
	if (dim < 1)
		ereport(ERROR,
		        (errcode(ERRCODE_DATA_EXCEPTION), errmsg("vector must have at least 1 dimension")));
	if (dim > VECTOR_MAX_DIM)
		ereport(ERROR, (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
		                errmsg("vector cannot have more than %d dimensions", VECTOR_MAX_DIM)));
}

/* Elements are finite: NaN and infinities are refused on every way in. */
static inline void check_element(float value)
{
	if (std::isnan(value))
		ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION), errmsg("NaN not allowed in vector")));
	if (std::isinf(value))
		ereport(ERROR,
		        (errcode(ERRCODE_DATA_EXCEPTION), errmsg("infinite value not allowed in vector")));
}

} // namespace vecrbac::vec

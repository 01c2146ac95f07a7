/*
 * sparsevec_internal.h: checks shared by the sparsevec part's SQL functions.
 *
 * Postgres-dialect header: every check raises ereport(ERROR) with pgvector's
 * message and SQLSTATE. Only trivially destructible values live in the frames
 * that call these.
 */
#pragma once

#include "vector/sparse_text.h"
#include "vector_sql/sparsevec.h"

#include <cmath>

namespace vecrbac::sparsevec
{

/* Both operands of a distance must have the same number of dimensions. */
static inline void check_same_dims(const SparseVector *a, const SparseVector *b)
{
	if (a->dim != b->dim)
		ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION),
		                errmsg("different sparsevec dimensions %d and %d", a->dim, b->dim)));
}

/* A type modifier of -1 accepts any dimension; otherwise it must match exactly. */
static inline void check_expected_dim(int32 typmod, int dim)
{
	if (typmod != -1 && typmod != dim)
		ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION),
		                errmsg("expected %d dimensions, not %d", typmod, dim)));
}

/* A sparsevec has 1..SPARSEVEC_MAX_DIM dimensions. */
static inline void check_dim(int dim)
{
	if (dim < 1)
		ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION),
		                errmsg("sparsevec must have at least 1 dimension")));
	if (dim > SPARSEVEC_MAX_DIM)
		ereport(ERROR,
		        (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
		         errmsg("sparsevec cannot have more than %d dimensions", SPARSEVEC_MAX_DIM)));
}

/* The number of stored elements: 0..SPARSEVEC_MAX_NNZ and at most dim. */
static inline void check_nnz(int nnz, int dim)
{
	if (nnz < 0)
		ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION),
		                errmsg("sparsevec cannot have negative number of elements")));
	if (nnz > SPARSEVEC_MAX_NNZ)
		ereport(ERROR, (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
		                errmsg("sparsevec cannot have more than %d non-zero elements",
		                       SPARSEVEC_MAX_NNZ)));
	if (nnz > dim)
		ereport(ERROR, (errcode(ERRCODE_PROGRAM_LIMIT_EXCEEDED),
		                errmsg("sparsevec cannot have more elements than dimensions")));
}

/* Index i of an index list is within dim, above the one before it and not equal to it. */
static inline void check_index(const int32 *indices, int i, int dim)
{
	switch (vecrbac::sparse::check_index(indices, i, dim))
	{
	case vecrbac::sparse::IndexError::none:
		return;
	case vecrbac::sparse::IndexError::out_of_bounds:
		ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION), errmsg("sparsevec index out of bounds")));
		break;
	case vecrbac::sparse::IndexError::not_ascending:
		ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION),
		                errmsg("sparsevec indices must be in ascending order")));
		break;
	case vecrbac::sparse::IndexError::duplicate:
		ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION),
		                errmsg("sparsevec indices must not contain duplicates")));
		break;
	}
}

/* Values are finite: NaN and infinities are refused on every way in. */
static inline void check_element(float value)
{
	if (std::isnan(value))
		ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION), errmsg("NaN not allowed in sparsevec")));
	if (std::isinf(value))
		ereport(ERROR, (errcode(ERRCODE_DATA_EXCEPTION),
		                errmsg("infinite value not allowed in sparsevec")));
}

} // namespace vecrbac::sparsevec

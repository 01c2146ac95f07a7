/*
 * sparsevec.h: the on-disk and in-memory layout of the sparsevec type.
 *
 * Byte-compatible with pgvector: a varlena header, int32 dimensions, int32 count
 * of stored (non-zero) elements, int32 unused (always 0), the nnz 0-based indices
 * in ascending order, then the nnz float4 values. Postgres-dialect header.
 */
#pragma once

#include "pg/pg.h"
#include "vector/sparse.h"

#define SPARSEVEC_MAX_DIM 1000000000
#define SPARSEVEC_MAX_NNZ 16000

typedef struct SparseVector
{
	int32 vl_len_; /* varlena header (do not touch directly) */
	int32 dim;     /* number of dimensions */
	int32 nnz;     /* number of stored (non-zero) elements */
	int32 unused;  /* always 0 */
	int32 indices[FLEXIBLE_ARRAY_MEMBER];
	/* followed by float values[nnz] */
} SparseVector;

static_assert(SPARSEVEC_MAX_DIM == vecrbac::sparse::kMaxDim, "one limit");
static_assert(SPARSEVEC_MAX_NNZ == vecrbac::sparse::kMaxNnz, "one limit");

/* nnz <= SPARSEVEC_MAX_NNZ everywhere a size is computed, so this cannot overflow. */
#define SPARSEVEC_SIZE(_nnz)                                                                       \
	(offsetof(SparseVector, indices) + (sizeof(int32) + sizeof(float)) * (Size)(_nnz))
#define DatumGetSparseVector(d) ((SparseVector *)PG_DETOAST_DATUM(d))
#define PG_GETARG_SPARSEVEC_P(n) DatumGetSparseVector(PG_GETARG_DATUM(n))
#define PG_RETURN_SPARSEVEC_P(v) PG_RETURN_POINTER(v)

/* The values array, right after the indices. */
static inline float *SPARSEVEC_VALUES(SparseVector *v)
{
	return (float *)((char *)v + offsetof(SparseVector, indices) + sizeof(int32) * (Size)v->nnz);
}

/* The pure kernels' view of a sparse vector. */
static inline vecrbac::sparse::View SparseVectorView(SparseVector *v)
{
	return vecrbac::sparse::View{v->dim, v->nnz, v->indices, SPARSEVEC_VALUES(v)};
}

/* Allocates a zeroed sparse vector in the current memory context. */
static inline SparseVector *InitSparseVector(int dim, int nnz)
{
	Size size = SPARSEVEC_SIZE(nnz);
	SparseVector *result = (SparseVector *)palloc0(size);

	SET_VARSIZE(result, size);
	result->dim = dim;
	result->nnz = nnz;
	return result;
}

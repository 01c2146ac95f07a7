/*
 * halfvec.h: the on-disk and in-memory layout of the halfvec type.
 *
 * Byte-compatible with pgvector: a varlena header, int16 dimensions, int16 unused
 * (always 0), then the IEEE binary16 elements in the machine's byte order.
 * Postgres-dialect header; the conversions and kernels are in vector/half.h.
 */
#pragma once

#include "pg/pg.h"
#include "vector/half.h"

#define HALFVEC_MAX_DIM 16000

typedef struct HalfVector
{
	int32 vl_len_; /* varlena header (do not touch directly) */
	int16 dim;     /* number of dimensions */
	int16 unused;  /* always 0 */
	vecrbac::half::Half x[FLEXIBLE_ARRAY_MEMBER];
} HalfVector;

#define HALFVEC_SIZE(_dim) (offsetof(HalfVector, x) + sizeof(vecrbac::half::Half) * (_dim))
#define DatumGetHalfVector(d) ((HalfVector *)PG_DETOAST_DATUM(d))
#define PG_GETARG_HALFVEC_P(n) DatumGetHalfVector(PG_GETARG_DATUM(n))
#define PG_RETURN_HALFVEC_P(v) PG_RETURN_POINTER(v)

/* Allocates a zeroed halfvec of dim dimensions in the current memory context. */
static inline HalfVector *InitHalfVector(int dim)
{
	Size size = HALFVEC_SIZE(dim);
	HalfVector *result = (HalfVector *)palloc0(size);

	SET_VARSIZE(result, size);
	result->dim = (int16)dim;
	return result;
}

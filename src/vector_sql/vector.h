/*
 * vector.h: the on-disk and in-memory layout of the vector type.
 *
 * Byte-compatible with pgvector: a varlena header, int16 dimensions, int16 unused
 * (always 0), then the float4 elements. Postgres-dialect header.
 */
#pragma once

#include "pg/pg.h"

#define VECTOR_MAX_DIM 16000

typedef struct Vector
{
	int32 vl_len_; /* varlena header (do not touch directly) */
	int16 dim;     /* number of dimensions */
	int16 unused;  /* always 0 */
	float x[FLEXIBLE_ARRAY_MEMBER];
} Vector;

#define VECTOR_SIZE(_dim) (offsetof(Vector, x) + sizeof(float) * (_dim))
#define DatumGetVector(d) ((Vector *)PG_DETOAST_DATUM(d))
#define PG_GETARG_VECTOR_P(n) DatumGetVector(PG_GETARG_DATUM(n))
#define PG_RETURN_VECTOR_P(v) PG_RETURN_POINTER(v)

/* Allocates a zeroed vector of dim dimensions in the current memory context. */
static inline Vector *InitVector(int dim)
{
	Size size = VECTOR_SIZE(dim);
	Vector *result = (Vector *)palloc0(size);

	SET_VARSIZE(result, size);
	result->dim = (int16)dim;
	return result;
}

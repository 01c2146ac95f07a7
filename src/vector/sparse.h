/*
 * sparse.h: distances and ordering of sparse vectors (pure C++, no PostgreSQL headers).
 *
 * A sparse vector is a dimension count and its non-zero elements as two parallel
 * arrays, 0-based indices strictly ascending and their values. The distances walk
 * both index lists once in merged order, accumulating in float term by term in
 * index order, as pgvector does, so results are bit-identical to pgvector's.
 */
#pragma once

#include <cstddef>
#include <cstdint>

namespace vecrbac::sparse
{

/* pgvector's limits: dimensions of the type, and stored non-zero elements. */
constexpr std::int32_t kMaxDim = 1000000000;
constexpr std::int32_t kMaxNnz = 16000;

/* A read-only view of a sparse vector's elements. */
struct View
{
	std::int32_t dim;
	std::int32_t nnz;
	const std::int32_t *indices; /* 0-based, strictly ascending, each < dim */
	const float *values;         /* non-zero */
};

/* Squared Euclidean distance (terms over the union of the two index sets). */
float l2_squared(const View &a, const View &b);

/* Inner product (terms over the intersection of the two index sets). */
float inner_product(const View &a, const View &b);

/* Taxicab distance. */
float l1(const View &a, const View &b);

/* Sum of squares accumulated in float (the norms of cosine distance). */
float norm_squared(const View &a);

/* Sum of squares accumulated in double (l2_norm). */
double norm_squared_double(const View &a);

/*
 * The btree order: as the dense vectors compared element by element (a missing
 * element reads as 0), then the shorter dimension first; < 0, 0 or > 0.
 */
int compare(const View &a, const View &b);

} // namespace vecrbac::sparse

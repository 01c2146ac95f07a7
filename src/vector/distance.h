/*
 * distance.h: distance kernels over float arrays (pure C++, no PostgreSQL headers).
 *
 * Every kernel has a portable scalar version and, where the CPU has them, AVX2+FMA
 * versions chosen once at run time (the build never assumes -march=native).
 * Accumulation is in float, as pgvector does; callers widen to double for sqrt and
 * division. Any n >= 0 is valid: vector tails are handled element by element.
 */
#pragma once

#include <cstddef>

namespace vecrbac::distance
{

/* Partial sums of cosine distance, gathered in one pass. */
struct CosineParts
{
	float dot;
	float norm_a; /* sum of a[i]^2 */
	float norm_b; /* sum of b[i]^2 */
};

/* The kernel set chosen for this CPU. */
struct Kernels
{
	const char *name; /* "avx2+fma" or "scalar" */
	float (*l2_squared)(const float *a, const float *b, std::size_t n);
	float (*inner_product)(const float *a, const float *b, std::size_t n);
	CosineParts (*cosine_parts)(const float *a, const float *b, std::size_t n);
	float (*l1)(const float *a, const float *b, std::size_t n);
	/*
	 * Squared L2 distance that may stop early: once a partial sum exceeds bound it
	 * returns that partial sum, a lower bound of the distance that is > bound.
	 * A result <= bound is always exact. Graph searches use it to skip most of the
	 * memory traffic of neighbors that cannot enter the result set.
	 */
	float (*l2_squared_bounded)(const float *a, const float *b, std::size_t n, float bound);
};

/* The best kernels this CPU supports; chosen on first call, then cached. */
const Kernels &best();

/* The portable kernels, always available (tests compare the others against them). */
const Kernels &scalar();

/* The AVX2+FMA kernels, or nullptr when this CPU lacks AVX2 or FMA. */
const Kernels *avx2();

inline float l2_squared(const float *a, const float *b, std::size_t n)
{
	return best().l2_squared(a, b, n);
}
inline float inner_product(const float *a, const float *b, std::size_t n)
{
	return best().inner_product(a, b, n);
}
inline CosineParts cosine_parts(const float *a, const float *b, std::size_t n)
{
	return best().cosine_parts(a, b, n);
}
inline float l1(const float *a, const float *b, std::size_t n)
{
	return best().l1(a, b, n);
}

} // namespace vecrbac::distance

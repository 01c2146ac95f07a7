/*
 * int8.h: vectors stored as one byte per element (pure C++, no PostgreSQL headers).
 *
 * Each vector keeps its own range: element i is offset + scale * code[i], with offset
 * its smallest element, scale its range / 255 and code[i] in 0..255 the nearest step.
 * Per-vector ranges need no training, so an index built on an empty table quantizes
 * as well as one built on a full one, and no value is ever out of range. What the
 * codes lose is measured and kept (the residual norms), so that a caller can bound
 * how far a distance between codes is from the distance between the vectors.
 *
 * Distances between two coded vectors come from one integer dot product of the codes
 * and sums kept with them: with x = o_x + s_x c and y = o_y + s_y d,
 *   <x, y>  = n o_x o_y + o_x s_y sum(d) + o_y s_x sum(c) + s_x s_y <c, d>
 *   |x-y|^2 = |x|^2 + |y|^2 - 2 <x, y>,  |x|^2 = n o_x^2 + 2 o_x s_x sum(c) + s_x^2 sum(c^2)
 * evaluated in double from an exact integer <c, d>. L1 has no such form and decodes.
 */
#pragma once

#include <cstddef>
#include <cstdint>

namespace vecrbac::int8
{

/* What a vector's codes are, beside the codes themselves. */
struct Coding
{
	float offset;            /* the value of code 0 */
	float scale;             /* the value of one step (0 when every element is equal) */
	double residual_l2;      /* |x - decoded|, L2, computed in double */
	double residual_l1;      /* the same, L1 */
	std::int32_t sum;        /* sum of the codes */
	std::int32_t sum_square; /* sum of the squares of the codes */
};

/* The most elements a coded vector may have: its sums stay within 32 bits. */
constexpr std::size_t kMaxDimensions = 16000;

/*
 * Codes x[0..n) into codes[0..n). The elements must be finite; n <= kMaxDimensions.
 * The decoded value of code c is offset + scale * c, computed in double.
 */
Coding encode(const float *x, std::size_t n, std::uint8_t *codes);

/* The decoded element (in double, as every formula here uses it). */
inline double decode(const Coding &c, std::uint8_t code)
{
	return (double)c.offset + (double)c.scale * (double)code;
}

/* The kernel set chosen for this CPU. */
struct Kernels
{
	const char *name; /* "avx2" or "scalar" */
	/* sum of a[i] * b[i], exact */
	std::int64_t (*dot)(const std::uint8_t *a, const std::uint8_t *b, std::size_t n);
	/* sum of q[i] * codes[i], exact: a query coded finely against an element's codes */
	std::int64_t (*dot_wide)(const std::int16_t *q, const std::uint8_t *codes, std::size_t n);
};

const Kernels &best();
const Kernels &scalar();
/* The AVX2 kernels, or nullptr when this CPU lacks AVX2. */
const Kernels *avx2();

/* |decoded|^2 of a coded vector of n elements. */
inline double norm_squared(const Coding &c, std::size_t n)
{
	double o = c.offset, s = c.scale;
	return (double)n * o * o + 2.0 * o * s * (double)c.sum + s * s * (double)c.sum_square;
}

/*
 * The parts of <x, y> between two decoded vectors; their sum is the inner product.
 * `magnitude` is the sum of the parts' absolute values: the scale of the rounding
 * error of any formula built from them (a few units of 2^-53 of it).
 */
struct DotParts
{
	double value;
	double magnitude;
};

/*
 * <a, b> of two affine codings (a_i = offset_a + scale_a * code_a[i], the same for b),
 * given the sums of their codes and the exact dot product of the codes.
 */
template <typename A, typename B>
inline DotParts affine_inner_product(const A &a, const B &b, std::int64_t code_dot, std::size_t n)
{
	double t0 = (double)n * (double)a.offset * (double)b.offset;
	double t1 = (double)a.offset * (double)b.scale * (double)b.sum;
	double t2 = (double)b.offset * (double)a.scale * (double)a.sum;
	double t3 = (double)a.scale * (double)b.scale * (double)code_dot;
	auto abs = [](double v) { return v < 0 ? -v : v; };
	return {t0 + t1 + t2 + t3, abs(t0) + abs(t1) + abs(t2) + abs(t3)};
}

inline DotParts inner_product(const Coding &a, const Coding &b, std::int64_t code_dot,
                              std::size_t n)
{
	return affine_inner_product(a, b, code_dot, n);
}

/*
 * A query coded in 16 bits: element i is offset + scale * q[i], q[i] in -32767..32767,
 * 256 times finer than the elements' steps, so that a distance between a query and an
 * element carries almost only the element's coding error, at the cost of an integer
 * dot product.
 */
struct WideCoding
{
	float offset; /* the middle of the query's range */
	float scale;
	double residual_l2;
	double residual_l1;
	std::int64_t sum;    /* of the codes */
	double norm_squared; /* of the decoded query */
};

WideCoding encode_wide(const float *x, std::size_t n, std::int16_t *codes);

/* <decoded query, decoded element>, from the exact <q, codes>. */
inline DotParts wide_inner_product(const WideCoding &q, const Coding &x, std::int64_t code_dot,
                                   std::size_t n)
{
	return affine_inner_product(q, x, code_dot, n);
}

/* sum |decoded a[i] - decoded b[i]| of two vectors given by offset, scale and codes. */
double l1(float offset_a, float scale_a, const std::uint8_t *a, float offset_b, float scale_b,
          const std::uint8_t *b, std::size_t n);

} // namespace vecrbac::int8

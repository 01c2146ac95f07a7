/*
 * binary.h: vectors stored as one bit per element (pure C++, no PostgreSQL headers).
 *
 * Each vector keeps its own centre: bit i says whether element i is above the vector's
 * mean. The vector is then approximated by mean + scale * (sign - mean(sign)), where
 * sign[i] is +1 or -1 (centred, as x - mean is), and the scale is chosen so that the
 * approximation's inner product with x is |x|^2: the estimate is unbiased along the
 * signs' direction (RaBitQ's estimator, without its random rotation), scale =
 * |x - mean|^2 / sum |x[i] - mean|. Like int8's
 * per-vector ranges, this needs no training, so an index built on an empty table codes
 * as well as one built on a full one. The exact squared norm is kept too: an L2
 * distance then only estimates its cross term.
 *
 * Such estimates steer a walk; they bound nothing. An index storing bits re-ranks its
 * candidates with exact distances from the rows' own vectors (hnsw_rerank.cpp).
 */
#pragma once

#include <cstddef>
#include <cstdint>

namespace vecrbac::binary
{

/* What a vector's bits are, beside the bits themselves. */
struct Coding
{
	float mean;         /* of the elements: the threshold of the bits */
	float scale;        /* of the signs in the inner-product estimate */
	float abs_mean;     /* mean |x[i] - mean|: the signs' scale in an L1 estimate */
	float norm_squared; /* |x|^2, exact but for the float rounding */
	std::int32_t ones;  /* bits set */
};

/* The most elements a coded vector may have (vector's own limit). */
constexpr std::size_t kMaxDimensions = 16000;

/* Bytes of the bits of n elements. */
constexpr std::size_t bytes(std::size_t n)
{
	return (n + 7) / 8;
}

/*
 * Codes x[0..n) into bits[0..bytes(n)): bit i (bits[i / 8] >> (i % 8) & 1) is set when
 * x[i] is above the mean; the padding bits of the last byte are zero. The elements
 * must be finite.
 */
Coding encode(const float *x, std::size_t n, std::uint8_t *bits);

/* The kernel set chosen for this CPU. */
struct Kernels
{
	const char *name; /* "avx2" or "scalar" */
	/* sum of q[i] over the set bits of bits[0..bytes(n)) */
	double (*masked_sum)(const float *q, const std::uint8_t *bits, std::size_t n);
};

const Kernels &best();
const Kernels &scalar();
/* The AVX2 kernels, or nullptr when this CPU lacks AVX2. */
const Kernels *avx2();

/* mean(sign) of a coding of n elements */
inline double mean_sign(const Coding &x, std::size_t n)
{
	return n > 0 ? (2.0 * x.ones - (double)n) / (double)n : 0.0;
}

/*
 * <q, x> estimated from x's coding, given sum(q) and the sum of q over x's set bits:
 * <q, approximation> with <q, sign> = 2 masked - sum(q).
 */
inline double query_inner_product(const Coding &x, double q_sum, double q_masked, std::size_t n)
{
	double q_sign = 2.0 * q_masked - q_sum;
	return (double)x.mean * q_sum + (double)x.scale * (q_sign - mean_sign(x, n) * q_sum);
}

/*
 * <x, y> estimated from two codings and the Hamming distance of their bits: the inner
 * product of their approximations (the centred signs are orthogonal to the means'
 * constant vectors), with <sign_x, sign_y> = n - 2 hamming.
 */
inline double inner_product(const Coding &x, const Coding &y, std::uint64_t hamming, std::size_t n)
{
	double dn = (double)n;
	double signs = dn - 2.0 * (double)hamming - dn * mean_sign(x, n) * mean_sign(y, n);
	return dn * x.mean * y.mean + (double)x.scale * y.scale * signs;
}

/* sum |q[i] - (mean + abs_mean * sign[i])|: an L1 distance estimated from x's coding. */
double query_l1(const float *q, const Coding &x, const std::uint8_t *bits, std::size_t n);

/* The same between two codings' approximations. */
double l1(const Coding &x, const std::uint8_t *x_bits, const Coding &y, const std::uint8_t *y_bits,
          std::size_t n);

} // namespace vecrbac::binary

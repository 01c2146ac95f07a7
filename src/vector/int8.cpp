/*
 * int8.cpp: coding vectors as one byte per element (and queries in 16 bits), and the
 * integer dot products of two codings (scalar, and AVX2 chosen at run time).
 */
#include "vector/int8.h"

#include <algorithm>
#include "vector/kernel_choice.h"

#include <cmath>
#include <immintrin.h>

namespace vecrbac::int8
{

Coding encode(const float *x, std::size_t n, std::uint8_t *codes)
{
	Coding c{};
	if (n == 0)
		return c;
	auto [lo, hi] = std::minmax_element(x, x + n);
	c.offset = *lo;
	/* in double: the range of two finite floats is finite there, and /255 fits a float */
	c.scale = (float)(((double)*hi - (double)*lo) / 255.0);
	double s = c.scale, l2 = 0, l1 = 0;
	std::int64_t sum = 0, sum_square = 0;
	for (std::size_t i = 0; i < n; i++)
	{
		double steps = s > 0 ? std::nearbyint(((double)x[i] - (double)c.offset) / s) : 0.0;
		std::uint8_t code = (std::uint8_t)std::clamp(steps, 0.0, 255.0);
		codes[i] = code;
		double r = (double)x[i] - decode(c, code);
		l2 += r * r;
		l1 += std::fabs(r);
		sum += code;
		sum_square += (std::int64_t)code * code;
	}
	c.residual_l2 = std::sqrt(l2);
	c.residual_l1 = l1;
	c.sum = (std::int32_t)sum;
	c.sum_square = (std::int32_t)sum_square;
	return c;
}

WideCoding encode_wide(const float *x, std::size_t n, std::int16_t *codes)
{
	WideCoding c{};
	if (n == 0)
		return c;
	auto [lo, hi] = std::minmax_element(x, x + n);
	c.offset = (float)(((double)*lo + (double)*hi) / 2);
	c.scale = (float)(((double)*hi - (double)*lo) / 65534.0);
	double o = c.offset, s = c.scale;
	for (std::size_t i = 0; i < n; i++)
	{
		double steps = s > 0 ? std::nearbyint(((double)x[i] - o) / s) : 0.0;
		std::int16_t code = (std::int16_t)std::clamp(steps, -32767.0, 32767.0);
		codes[i] = code;
		double decoded = o + s * code, r = (double)x[i] - decoded;
		c.residual_l2 += r * r;
		c.residual_l1 += std::fabs(r);
		c.sum += code;
		c.norm_squared += decoded * decoded;
	}
	c.residual_l2 = std::sqrt(c.residual_l2);
	return c;
}

double l1(float offset_a, float scale_a, const std::uint8_t *a, float offset_b, float scale_b,
          const std::uint8_t *b, std::size_t n)
{
	double base = (double)offset_a - (double)offset_b, sa = scale_a, sb = scale_b, sum = 0;
	for (std::size_t i = 0; i < n; i++)
		sum += std::fabs(base + sa * a[i] - sb * b[i]);
	return sum;
}

namespace
{

std::int64_t scalar_dot(const std::uint8_t *a, const std::uint8_t *b, std::size_t n)
{
	std::int64_t sum = 0;
	for (std::size_t i = 0; i < n; i++)
		sum += (std::int32_t)a[i] * b[i];
	return sum;
}

/*
 * 32 codes a step: widened to 16 bits, multiplied and added in pairs (at most
 * 2 * 255^2 a lane), 32-bit lanes. A lane gains at most 4 * 255^2 a step, so 16,000
 * codes (500 steps) stay below 2^31.
 */
__attribute__((target("avx2"))) std::int64_t avx2_dot(const std::uint8_t *a, const std::uint8_t *b,
                                                      std::size_t n)
{
	__m256i acc0 = _mm256_setzero_si256(), acc1 = _mm256_setzero_si256();
	std::size_t i = 0;
	for (; i + 32 <= n; i += 32)
	{
		__m256i a0 = _mm256_cvtepu8_epi16(_mm_loadu_si128((const __m128i *)(a + i)));
		__m256i b0 = _mm256_cvtepu8_epi16(_mm_loadu_si128((const __m128i *)(b + i)));
		__m256i a1 = _mm256_cvtepu8_epi16(_mm_loadu_si128((const __m128i *)(a + i + 16)));
		__m256i b1 = _mm256_cvtepu8_epi16(_mm_loadu_si128((const __m128i *)(b + i + 16)));
		acc0 = _mm256_add_epi32(acc0, _mm256_madd_epi16(a0, b0));
		acc1 = _mm256_add_epi32(acc1, _mm256_madd_epi16(a1, b1));
	}
	__m256i acc = _mm256_add_epi32(acc0, acc1);
	__m128i s = _mm_add_epi32(_mm256_castsi256_si128(acc), _mm256_extracti128_si256(acc, 1));
	s = _mm_add_epi32(s, _mm_shuffle_epi32(s, _MM_SHUFFLE(1, 0, 3, 2)));
	s = _mm_add_epi32(s, _mm_shuffle_epi32(s, _MM_SHUFFLE(2, 3, 0, 1)));
	std::int64_t sum = (std::uint32_t)_mm_cvtsi128_si32(s);
	for (; i < n; i++)
		sum += (std::int32_t)a[i] * b[i];
	return sum;
}

std::int64_t scalar_dot_wide(const std::int16_t *q, const std::uint8_t *codes, std::size_t n)
{
	std::int64_t sum = 0;
	for (std::size_t i = 0; i < n; i++)
		sum += (std::int32_t)q[i] * codes[i];
	return sum;
}

/*
 * 16 codes a step: the element's widened to 16 bits, multiplied by the query's and
 * added in pairs (at most 2 * 32767 * 255 a lane). The 32-bit lanes are emptied into
 * 64-bit sums every 64 steps, before they could overflow.
 */
__attribute__((target("avx2"))) std::int64_t avx2_dot_wide(const std::int16_t *q,
                                                           const std::uint8_t *codes, std::size_t n)
{
	__m256i total = _mm256_setzero_si256();
	std::size_t i = 0;
	while (i + 16 <= n)
	{
		__m256i acc = _mm256_setzero_si256();
		for (int step = 0; step < 64 && i + 16 <= n; step++, i += 16)
		{
			__m256i c = _mm256_cvtepu8_epi16(_mm_loadu_si128((const __m128i *)(codes + i)));
			acc = _mm256_add_epi32(
			    acc, _mm256_madd_epi16(_mm256_loadu_si256((const __m256i *)(q + i)), c));
		}
		total = _mm256_add_epi64(total, _mm256_cvtepi32_epi64(_mm256_castsi256_si128(acc)));
		total = _mm256_add_epi64(total, _mm256_cvtepi32_epi64(_mm256_extracti128_si256(acc, 1)));
	}
	alignas(32) std::int64_t lanes[4];
	_mm256_store_si256((__m256i *)lanes, total);
	std::int64_t sum = lanes[0] + lanes[1] + lanes[2] + lanes[3];
	for (; i < n; i++)
		sum += (std::int32_t)q[i] * codes[i];
	return sum;
}

const Kernels scalar_kernels = {"scalar", scalar_dot, scalar_dot_wide};
const Kernels avx2_kernels = {"avx2", avx2_dot, avx2_dot_wide};

} // namespace

const Kernels &scalar()
{
	return scalar_kernels;
}

const Kernels *avx2()
{
	return kernel_choice::has_avx2() ? &avx2_kernels : nullptr;
}

const Kernels &best()
{
	return kernel_choice::best(scalar_kernels, avx2_kernels);
}

} // namespace vecrbac::int8

/*
 * int8.cpp: coding vectors as one byte per element, and the integer dot product of
 * two codings (scalar, and AVX2 chosen at run time).
 */
#include "vector/int8.h"

#include <algorithm>
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

const Kernels scalar_kernels = {"scalar", scalar_dot};
const Kernels avx2_kernels = {"avx2", avx2_dot};

} // namespace

const Kernels &scalar()
{
	return scalar_kernels;
}

const Kernels *avx2()
{
	static const bool supported = []
	{
		__builtin_cpu_init();
		return __builtin_cpu_supports("avx2") != 0;
	}();
	return supported ? &avx2_kernels : nullptr;
}

const Kernels &best()
{
	static const Kernels *chosen = avx2() ? avx2() : &scalar_kernels;
	return *chosen;
}

} // namespace vecrbac::int8

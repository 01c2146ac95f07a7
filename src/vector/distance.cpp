/*
 * distance.cpp: scalar and AVX2+FMA distance kernels, and the run-time choice.
 *
 * The AVX2 kernels keep four independent 8-lane accumulators so that FMA latency
 * (4 cycles) does not serialise the loop; unaligned loads, so any float pointer is
 * fine. Tails shorter than a vector are finished in scalar code.
 */
#include "vector/distance.h"

#include <cmath>
#include <immintrin.h>

namespace vecrbac::distance
{
namespace
{

/* ---- portable scalar kernels ------------------------------------------------ */

float scalar_l2_squared(const float *a, const float *b, std::size_t n)
{
	float sum = 0.0f;
	for (std::size_t i = 0; i < n; i++)
	{
		float diff = a[i] - b[i];
		sum += diff * diff;
	}
	return sum;
}

float scalar_inner_product(const float *a, const float *b, std::size_t n)
{
	float sum = 0.0f;
	for (std::size_t i = 0; i < n; i++)
		sum += a[i] * b[i];
	return sum;
}

CosineParts scalar_cosine_parts(const float *a, const float *b, std::size_t n)
{
	CosineParts p = {0.0f, 0.0f, 0.0f};
	for (std::size_t i = 0; i < n; i++)
	{
		p.dot += a[i] * b[i];
		p.norm_a += a[i] * a[i];
		p.norm_b += b[i] * b[i];
	}
	return p;
}

float scalar_l1(const float *a, const float *b, std::size_t n)
{
	float sum = 0.0f;
	for (std::size_t i = 0; i < n; i++)
		sum += std::fabs(a[i] - b[i]);
	return sum;
}

/* ---- AVX2 + FMA kernels ----------------------------------------------------- */

#define AVX2_TARGET __attribute__((target("avx2,fma")))

AVX2_TARGET inline float hsum256(__m256 v)
{
	__m128 lo = _mm256_castps256_ps128(v);
	__m128 hi = _mm256_extractf128_ps(v, 1);
	lo = _mm_add_ps(lo, hi);
	__m128 shuf = _mm_movehdup_ps(lo);
	__m128 sums = _mm_add_ps(lo, shuf);
	shuf = _mm_movehl_ps(shuf, sums);
	sums = _mm_add_ss(sums, shuf);
	return _mm_cvtss_f32(sums);
}

AVX2_TARGET float avx2_l2_squared(const float *a, const float *b, std::size_t n)
{
	__m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps();
	__m256 s2 = _mm256_setzero_ps(), s3 = _mm256_setzero_ps();
	std::size_t i = 0;

	for (; i + 32 <= n; i += 32)
	{
		__m256 d0 = _mm256_sub_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i));
		__m256 d1 = _mm256_sub_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8));
		__m256 d2 = _mm256_sub_ps(_mm256_loadu_ps(a + i + 16), _mm256_loadu_ps(b + i + 16));
		__m256 d3 = _mm256_sub_ps(_mm256_loadu_ps(a + i + 24), _mm256_loadu_ps(b + i + 24));
		s0 = _mm256_fmadd_ps(d0, d0, s0);
		s1 = _mm256_fmadd_ps(d1, d1, s1);
		s2 = _mm256_fmadd_ps(d2, d2, s2);
		s3 = _mm256_fmadd_ps(d3, d3, s3);
	}
	for (; i + 8 <= n; i += 8)
	{
		__m256 d = _mm256_sub_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i));
		s0 = _mm256_fmadd_ps(d, d, s0);
	}
	float sum = hsum256(_mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3)));
	for (; i < n; i++)
	{
		float diff = a[i] - b[i];
		sum += diff * diff;
	}
	return sum;
}

AVX2_TARGET float avx2_inner_product(const float *a, const float *b, std::size_t n)
{
	__m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps();
	__m256 s2 = _mm256_setzero_ps(), s3 = _mm256_setzero_ps();
	std::size_t i = 0;

	for (; i + 32 <= n; i += 32)
	{
		s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), s0);
		s1 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 8), _mm256_loadu_ps(b + i + 8), s1);
		s2 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 16), _mm256_loadu_ps(b + i + 16), s2);
		s3 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i + 24), _mm256_loadu_ps(b + i + 24), s3);
	}
	for (; i + 8 <= n; i += 8)
		s0 = _mm256_fmadd_ps(_mm256_loadu_ps(a + i), _mm256_loadu_ps(b + i), s0);
	float sum = hsum256(_mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3)));
	for (; i < n; i++)
		sum += a[i] * b[i];
	return sum;
}

AVX2_TARGET CosineParts avx2_cosine_parts(const float *a, const float *b, std::size_t n)
{
	__m256 dot0 = _mm256_setzero_ps(), dot1 = _mm256_setzero_ps();
	__m256 na0 = _mm256_setzero_ps(), na1 = _mm256_setzero_ps();
	__m256 nb0 = _mm256_setzero_ps(), nb1 = _mm256_setzero_ps();
	std::size_t i = 0;

	for (; i + 16 <= n; i += 16)
	{
		__m256 a0 = _mm256_loadu_ps(a + i), a1 = _mm256_loadu_ps(a + i + 8);
		__m256 b0 = _mm256_loadu_ps(b + i), b1 = _mm256_loadu_ps(b + i + 8);
		dot0 = _mm256_fmadd_ps(a0, b0, dot0);
		dot1 = _mm256_fmadd_ps(a1, b1, dot1);
		na0 = _mm256_fmadd_ps(a0, a0, na0);
		na1 = _mm256_fmadd_ps(a1, a1, na1);
		nb0 = _mm256_fmadd_ps(b0, b0, nb0);
		nb1 = _mm256_fmadd_ps(b1, b1, nb1);
	}
	for (; i + 8 <= n; i += 8)
	{
		__m256 a0 = _mm256_loadu_ps(a + i), b0 = _mm256_loadu_ps(b + i);
		dot0 = _mm256_fmadd_ps(a0, b0, dot0);
		na0 = _mm256_fmadd_ps(a0, a0, na0);
		nb0 = _mm256_fmadd_ps(b0, b0, nb0);
	}
	CosineParts p;
	p.dot = hsum256(_mm256_add_ps(dot0, dot1));
	p.norm_a = hsum256(_mm256_add_ps(na0, na1));
	p.norm_b = hsum256(_mm256_add_ps(nb0, nb1));
	for (; i < n; i++)
	{
		p.dot += a[i] * b[i];
		p.norm_a += a[i] * a[i];
		p.norm_b += b[i] * b[i];
	}
	return p;
}

AVX2_TARGET float avx2_l1(const float *a, const float *b, std::size_t n)
{
	const __m256 abs_mask = _mm256_castsi256_ps(_mm256_set1_epi32(0x7fffffff));
	__m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps();
	__m256 s2 = _mm256_setzero_ps(), s3 = _mm256_setzero_ps();
	std::size_t i = 0;

	for (; i + 32 <= n; i += 32)
	{
		s0 = _mm256_add_ps(s0, _mm256_and_ps(abs_mask, _mm256_sub_ps(_mm256_loadu_ps(a + i),
		                                                             _mm256_loadu_ps(b + i))));
		s1 = _mm256_add_ps(s1, _mm256_and_ps(abs_mask, _mm256_sub_ps(_mm256_loadu_ps(a + i + 8),
		                                                             _mm256_loadu_ps(b + i + 8))));
		s2 = _mm256_add_ps(s2, _mm256_and_ps(abs_mask, _mm256_sub_ps(_mm256_loadu_ps(a + i + 16),
		                                                             _mm256_loadu_ps(b + i + 16))));
		s3 = _mm256_add_ps(s3, _mm256_and_ps(abs_mask, _mm256_sub_ps(_mm256_loadu_ps(a + i + 24),
		                                                             _mm256_loadu_ps(b + i + 24))));
	}
	for (; i + 8 <= n; i += 8)
		s0 = _mm256_add_ps(s0, _mm256_and_ps(abs_mask, _mm256_sub_ps(_mm256_loadu_ps(a + i),
		                                                             _mm256_loadu_ps(b + i))));
	float sum = hsum256(_mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3)));
	for (; i < n; i++)
		sum += std::fabs(a[i] - b[i]);
	return sum;
}

/* Blocks of this many floats are summed before the bound is checked. */
constexpr std::size_t kBoundBlock = 128;

float scalar_l2_squared_bounded(const float *a, const float *b, std::size_t n, float bound)
{
	float sum = 0.0f;
	for (std::size_t start = 0; start < n; start += kBoundBlock)
	{
		std::size_t end = start + kBoundBlock < n ? start + kBoundBlock : n;
		sum += scalar_l2_squared(a + start, b + start, end - start);
		if (sum > bound)
			return sum;
	}
	return sum;
}

AVX2_TARGET float avx2_l2_squared_bounded(const float *a, const float *b, std::size_t n,
                                          float bound)
{
	/* One pass over a block keeps full vector width; the check costs a horizontal sum per block. */
	float sum = 0.0f;
	for (std::size_t start = 0; start < n; start += kBoundBlock)
	{
		std::size_t end = start + kBoundBlock < n ? start + kBoundBlock : n;
		sum += avx2_l2_squared(a + start, b + start, end - start);
		if (sum > bound)
			return sum;
	}
	return sum;
}

const Kernels scalar_kernels = {
    "scalar",  scalar_l2_squared,        scalar_inner_product, scalar_cosine_parts,
    scalar_l1, scalar_l2_squared_bounded};
const Kernels avx2_kernels = {"avx2+fma",        avx2_l2_squared, avx2_inner_product,
                              avx2_cosine_parts, avx2_l1,         avx2_l2_squared_bounded};

bool cpu_has_avx2_fma()
{
	__builtin_cpu_init();
	return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

} // namespace

const Kernels &scalar()
{
	return scalar_kernels;
}

const Kernels *avx2()
{
	static const bool supported = cpu_has_avx2_fma();
	return supported ? &avx2_kernels : nullptr;
}

const Kernels &best()
{
	static const Kernels *chosen = avx2() ? avx2() : &scalar_kernels;
	return *chosen;
}

} // namespace vecrbac::distance

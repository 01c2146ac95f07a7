/*
 * half.cpp: scalar and F16C+AVX2+FMA kernels over half arrays, and the run-time choice.
 *
 * The F16C kernels widen 8 halves at a time to floats (VCVTPH2PS, exact) and then
 * work as the float kernels of distance.cpp do: four independent 8-lane
 * accumulators so that FMA latency does not serialise the loop, unaligned loads,
 * tails finished in scalar code.
 */
#include "vector/half.h"

#include <cmath>
#include <cpuid.h>
#include <immintrin.h>

namespace vecrbac::half
{
namespace
{

using vecrbac::distance::CosineParts;

/* ---- portable scalar kernels ------------------------------------------------ */

float scalar_l2_squared(const Half *a, const Half *b, std::size_t n)
{
	float sum = 0.0f;
	for (std::size_t i = 0; i < n; i++)
	{
		float diff = to_float(a[i]) - to_float(b[i]);
		sum += diff * diff;
	}
	return sum;
}

float scalar_inner_product(const Half *a, const Half *b, std::size_t n)
{
	float sum = 0.0f;
	for (std::size_t i = 0; i < n; i++)
		sum += to_float(a[i]) * to_float(b[i]);
	return sum;
}

CosineParts scalar_cosine_parts(const Half *a, const Half *b, std::size_t n)
{
	CosineParts p = {0.0f, 0.0f, 0.0f};
	for (std::size_t i = 0; i < n; i++)
	{
		float x = to_float(a[i]), y = to_float(b[i]);
		p.dot += x * y;
		p.norm_a += x * x;
		p.norm_b += y * y;
	}
	return p;
}

float scalar_l1(const Half *a, const Half *b, std::size_t n)
{
	float sum = 0.0f;
	for (std::size_t i = 0; i < n; i++)
		sum += std::fabs(to_float(a[i]) - to_float(b[i]));
	return sum;
}

/* ---- F16C + AVX2 + FMA kernels ---------------------------------------------- */

#define F16C_TARGET __attribute__((target("f16c,avx2,fma")))

/* Eight halves from p (any alignment) as eight floats. */
F16C_TARGET inline __m256 load8(const Half *p)
{
	return _mm256_cvtph_ps(_mm_loadu_si128(reinterpret_cast<const __m128i *>(p)));
}

F16C_TARGET inline float hsum256(__m256 v)
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

F16C_TARGET float f16c_l2_squared(const Half *a, const Half *b, std::size_t n)
{
	__m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps();
	__m256 s2 = _mm256_setzero_ps(), s3 = _mm256_setzero_ps();
	std::size_t i = 0;

	for (; i + 32 <= n; i += 32)
	{
		__m256 d0 = _mm256_sub_ps(load8(a + i), load8(b + i));
		__m256 d1 = _mm256_sub_ps(load8(a + i + 8), load8(b + i + 8));
		__m256 d2 = _mm256_sub_ps(load8(a + i + 16), load8(b + i + 16));
		__m256 d3 = _mm256_sub_ps(load8(a + i + 24), load8(b + i + 24));
		s0 = _mm256_fmadd_ps(d0, d0, s0);
		s1 = _mm256_fmadd_ps(d1, d1, s1);
		s2 = _mm256_fmadd_ps(d2, d2, s2);
		s3 = _mm256_fmadd_ps(d3, d3, s3);
	}
	for (; i + 8 <= n; i += 8)
	{
		__m256 d = _mm256_sub_ps(load8(a + i), load8(b + i));
		s0 = _mm256_fmadd_ps(d, d, s0);
	}
	float sum = hsum256(_mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3)));
	for (; i < n; i++)
	{
		float diff = to_float(a[i]) - to_float(b[i]);
		sum += diff * diff;
	}
	return sum;
}

F16C_TARGET float f16c_inner_product(const Half *a, const Half *b, std::size_t n)
{
	__m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps();
	__m256 s2 = _mm256_setzero_ps(), s3 = _mm256_setzero_ps();
	std::size_t i = 0;

	for (; i + 32 <= n; i += 32)
	{
		s0 = _mm256_fmadd_ps(load8(a + i), load8(b + i), s0);
		s1 = _mm256_fmadd_ps(load8(a + i + 8), load8(b + i + 8), s1);
		s2 = _mm256_fmadd_ps(load8(a + i + 16), load8(b + i + 16), s2);
		s3 = _mm256_fmadd_ps(load8(a + i + 24), load8(b + i + 24), s3);
	}
	for (; i + 8 <= n; i += 8)
		s0 = _mm256_fmadd_ps(load8(a + i), load8(b + i), s0);
	float sum = hsum256(_mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3)));
	for (; i < n; i++)
		sum += to_float(a[i]) * to_float(b[i]);
	return sum;
}

F16C_TARGET CosineParts f16c_cosine_parts(const Half *a, const Half *b, std::size_t n)
{
	__m256 dot0 = _mm256_setzero_ps(), dot1 = _mm256_setzero_ps();
	__m256 na0 = _mm256_setzero_ps(), na1 = _mm256_setzero_ps();
	__m256 nb0 = _mm256_setzero_ps(), nb1 = _mm256_setzero_ps();
	std::size_t i = 0;

	for (; i + 16 <= n; i += 16)
	{
		__m256 a0 = load8(a + i), a1 = load8(a + i + 8);
		__m256 b0 = load8(b + i), b1 = load8(b + i + 8);
		dot0 = _mm256_fmadd_ps(a0, b0, dot0);
		dot1 = _mm256_fmadd_ps(a1, b1, dot1);
		na0 = _mm256_fmadd_ps(a0, a0, na0);
		na1 = _mm256_fmadd_ps(a1, a1, na1);
		nb0 = _mm256_fmadd_ps(b0, b0, nb0);
		nb1 = _mm256_fmadd_ps(b1, b1, nb1);
	}
	for (; i + 8 <= n; i += 8)
	{
		__m256 a0 = load8(a + i), b0 = load8(b + i);
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
		float x = to_float(a[i]), y = to_float(b[i]);
		p.dot += x * y;
		p.norm_a += x * x;
		p.norm_b += y * y;
	}
	return p;
}

F16C_TARGET float f16c_l1(const Half *a, const Half *b, std::size_t n)
{
	const __m256 abs_mask = _mm256_castsi256_ps(_mm256_set1_epi32(0x7fffffff));
	__m256 s0 = _mm256_setzero_ps(), s1 = _mm256_setzero_ps();
	__m256 s2 = _mm256_setzero_ps(), s3 = _mm256_setzero_ps();
	std::size_t i = 0;

	for (; i + 32 <= n; i += 32)
	{
		s0 = _mm256_add_ps(s0, _mm256_and_ps(abs_mask, _mm256_sub_ps(load8(a + i), load8(b + i))));
		s1 = _mm256_add_ps(
		    s1, _mm256_and_ps(abs_mask, _mm256_sub_ps(load8(a + i + 8), load8(b + i + 8))));
		s2 = _mm256_add_ps(
		    s2, _mm256_and_ps(abs_mask, _mm256_sub_ps(load8(a + i + 16), load8(b + i + 16))));
		s3 = _mm256_add_ps(
		    s3, _mm256_and_ps(abs_mask, _mm256_sub_ps(load8(a + i + 24), load8(b + i + 24))));
	}
	for (; i + 8 <= n; i += 8)
		s0 = _mm256_add_ps(s0, _mm256_and_ps(abs_mask, _mm256_sub_ps(load8(a + i), load8(b + i))));
	float sum = hsum256(_mm256_add_ps(_mm256_add_ps(s0, s1), _mm256_add_ps(s2, s3)));
	for (; i < n; i++)
		sum += std::fabs(to_float(a[i]) - to_float(b[i]));
	return sum;
}

const Kernels scalar_kernels = {"scalar", scalar_l2_squared, scalar_inner_product,
                                scalar_cosine_parts, scalar_l1};
const Kernels f16c_kernels = {"f16c+avx2+fma", f16c_l2_squared, f16c_inner_product,
                              f16c_cosine_parts, f16c_l1};

/*
 * AVX2 and FMA as distance.cpp asks for them (the compiler's check includes the
 * operating system's YMM support); F16C from CPUID leaf 1 directly, since clang 14's
 * __builtin_cpu_supports does not know it.
 */
bool cpu_has_f16c_avx2_fma()
{
	unsigned int eax, ebx, ecx, edx;

	__builtin_cpu_init();
	if (!__builtin_cpu_supports("avx2") || !__builtin_cpu_supports("fma"))
		return false;
	return __get_cpuid(1, &eax, &ebx, &ecx, &edx) && (ecx & bit_F16C) != 0;
}

} // namespace

const Kernels &scalar()
{
	return scalar_kernels;
}

const Kernels *f16c()
{
	static const bool supported = cpu_has_f16c_avx2_fma();
	return supported ? &f16c_kernels : nullptr;
}

const Kernels &best()
{
	static const Kernels *chosen = f16c() ? f16c() : &scalar_kernels;
	return *chosen;
}

} // namespace vecrbac::half

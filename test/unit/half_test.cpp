// Half precision: conversion in both directions against an independent reference on
// every one of the 65536 half bit patterns and on the float values where rounding is
// decided (each tie, one ulp either side, a stride through all floats), against the
// F16C instructions when the CPU has them; kernels (scalar and F16C) against a
// double-precision reference on every length from 0 to 100 and on 768, 1536, 3072
// and 16000, with unaligned inputs.
#include "vector/half.h"

#include <cfloat>
#include <cmath>
#include <cstring>
#include <gtest/gtest.h>
#include <immintrin.h>
#include <random>
#include <vector>

using namespace vecrbac::half;
using vecrbac::distance::CosineParts;

namespace
{

/* The value of a half, computed from the definition of binary16 (not the code under test). */
double reference_value(Half h)
{
	int sign = (h & 0x8000) ? -1 : 1;
	int exponent = (h >> 10) & 0x1f;
	int mantissa = h & 0x3ff;
	if (exponent == 0x1f)
		return mantissa ? NAN : sign * INFINITY;
	if (exponent == 0)
		return sign * std::ldexp((double)mantissa, -24);
	return sign * std::ldexp((double)(1024 + mantissa), exponent - 25);
}

/*
 * The half nearest to f, ties to even, by binary search over the positive halves
 * (ordered by magnitude as their bit patterns are); 0x7c00 counts as 65536 so that
 * rounding at the top of the range goes to infinity exactly as IEEE rounding does.
 */
Half reference_from_float(float f)
{
	if (std::isnan(f))
		return 0x7e00;
	Half sign = std::signbit(f) ? 0x8000 : 0;
	double x = std::fabs((double)f);
	auto value = [](Half h) { return h == 0x7c00 ? 65536.0 : reference_value(h); };
	if (x >= 65536.0)
		return sign | 0x7c00;
	Half lo = 0, hi = 0x7c00; /* value(lo) <= x < value(hi) */
	while (hi - lo > 1)
	{
		Half mid = (Half)((lo + hi) / 2);
		if (value(mid) <= x)
			lo = mid;
		else
			hi = mid;
	}
	double below = x - value(lo), above = value(hi) - x;
	Half nearest = below < above ? lo : above < below ? hi : (lo % 2 == 0 ? lo : hi);
	return sign | nearest;
}

bool cpu_has_f16c()
{
	__builtin_cpu_init();
	return __builtin_cpu_supports("f16c");
}

__attribute__((target("f16c"))) float f16c_to_float(Half h)
{
	return _cvtsh_ss(h);
}

__attribute__((target("f16c"))) Half f16c_from_float(float f)
{
	return _cvtss_sh(f, 0); /* round to nearest even */
}

std::uint32_t bits_of(float f)
{
	std::uint32_t u;
	std::memcpy(&u, &f, sizeof u);
	return u;
}

float float_of(std::uint32_t u)
{
	float f;
	std::memcpy(&f, &u, sizeof f);
	return f;
}

/* Every float whose conversion is decided by rounding: ties and their neighbours. */
std::vector<float> rounding_cases()
{
	std::vector<float> cases;
	for (std::uint32_t h = 0; h < 0x7c00; h++)
	{
		double next = h + 1 == 0x7c00 ? 65536.0 : reference_value((Half)(h + 1));
		float tie = (float)((reference_value((Half)h) + next) / 2); /* exact in float */
		for (float f : {tie, std::nextafter(tie, 0.0f), std::nextafter(tie, INFINITY)})
		{
			cases.push_back(f);
			cases.push_back(-f);
		}
	}
	/* A stride through every float bit pattern (4099 is prime, so all residues occur). */
	for (std::uint64_t u = 0; u <= 0xffffffffu; u += 4099)
		cases.push_back(float_of((std::uint32_t)u));
	for (float f : {0.0f, -0.0f, 65504.0f, 65519.996f, 65520.0f, 1e10f, INFINITY, -INFINITY,
	                0x1p-24f, 0x1p-25f, 0x1.000002p-25f, 0x1p-14f, 1e-45f, FLT_MAX})
		cases.push_back(f);
	return cases;
}

} // namespace

TEST(Half, ToFloatIsExactOnEveryBitPattern)
{
	for (std::uint32_t u = 0; u <= 0xffff; u++)
	{
		Half h = (Half)u;
		float f = to_float(h);
		double expected = reference_value(h);
		SCOPED_TRACE("half 0x" + std::to_string(u));
		if (std::isnan(expected))
		{
			ASSERT_TRUE(std::isnan(f));
			ASSERT_TRUE(is_nan(h));
		}
		else
		{
			ASSERT_EQ(expected, (double)f);
			ASSERT_EQ(std::signbit(expected), std::signbit(f));
			ASSERT_FALSE(is_nan(h));
		}
		ASSERT_EQ(std::isinf(expected), is_inf(h));
		ASSERT_EQ(expected == 0.0, is_zero(h));
		if (cpu_has_f16c())
		{
			ASSERT_EQ(bits_of(f16c_to_float(h)), bits_of(f)); /* NaN payloads included */
		}
	}
}

TEST(Half, EveryHalfRoundTripsThroughFloat)
{
	for (std::uint32_t u = 0; u <= 0xffff; u++)
	{
		Half h = (Half)u;
		if (is_nan(h))
			ASSERT_TRUE(is_nan(from_float(to_float(h))));
		else
			ASSERT_EQ(h, from_float(to_float(h))) << "half 0x" << std::hex << u;
	}
}

TEST(Half, FromFloatRoundsToNearestEven)
{
	bool f16c = cpu_has_f16c();
	for (float f : rounding_cases())
	{
		Half h = from_float(f);
		if (std::isnan(f))
		{
			ASSERT_TRUE(is_nan(h));
			if (f16c)
			{
				ASSERT_EQ(f16c_from_float(f), h) << "float 0x" << std::hex << bits_of(f);
			}
			continue;
		}
		ASSERT_EQ(reference_from_float(f), h) << "float 0x" << std::hex << bits_of(f);
		if (f16c)
		{
			ASSERT_EQ(f16c_from_float(f), h) << "float 0x" << std::hex << bits_of(f);
		}
	}
}

TEST(Half, OverflowGivesInfinity)
{
	EXPECT_EQ(0x7bff, from_float(65504.0f));
	EXPECT_EQ(0x7bff, from_float(65519.996f));
	EXPECT_EQ(0x7c00, from_float(65520.0f));
	EXPECT_EQ(0xfc00, from_float(-1e10f));
	EXPECT_EQ(0x0000, from_float(0x1p-25f));        /* a tie between 0 and 2^-24: even */
	EXPECT_EQ(0x0001, from_float(0x1.000002p-25f)); /* just above the tie */
	EXPECT_EQ(0x8000, from_float(-1e-30f));
}

namespace
{

struct Reference
{
	double l2, ip, na, nb, l1;
};

Reference reference(const Half *a, const Half *b, std::size_t n)
{
	Reference r = {0, 0, 0, 0, 0};
	for (std::size_t i = 0; i < n; i++)
	{
		double x = reference_value(a[i]), y = reference_value(b[i]);
		r.l2 += (x - y) * (x - y);
		r.ip += x * y;
		r.na += x * x;
		r.nb += y * y;
		r.l1 += std::fabs(x - y);
	}
	return r;
}

void expect_close(double expected, float actual, double scale)
{
	EXPECT_NEAR(expected, actual, 1e-5 * scale + 1e-6);
}

std::vector<const Kernels *> kernel_sets()
{
	std::vector<const Kernels *> sets = {&scalar()};
	if (f16c())
		sets.push_back(f16c());
	return sets;
}

} // namespace

TEST(HalfKernels, MatchReferenceOnEveryLengthAndAlignment)
{
	std::mt19937 rng(13);
	std::uniform_real_distribution<float> dist(-2.0f, 2.0f);
	std::vector<std::size_t> lengths;
	for (std::size_t n = 0; n <= 100; n++)
		lengths.push_back(n);
	for (std::size_t n : {768u, 1536u, 3072u, 16000u})
		lengths.push_back(n);

	for (const Kernels *k : kernel_sets())
		for (std::size_t n : lengths)
			for (std::size_t offset = 0; offset < 3; offset++)
			{
				std::vector<Half> abuf(n + 3), bbuf(n + 3);
				for (auto &x : abuf)
					x = from_float(dist(rng));
				for (auto &x : bbuf)
					x = from_float(dist(rng));
				const Half *a = abuf.data() + offset, *b = bbuf.data() + offset;
				Reference r = reference(a, b, n);
				double scale = 4.0 * (double)n;
				SCOPED_TRACE(std::string(k->name) + " n=" + std::to_string(n));
				expect_close(r.l2, k->l2_squared(a, b, n), scale);
				expect_close(r.ip, k->inner_product(a, b, n), scale);
				expect_close(r.l1, k->l1(a, b, n), scale);
				CosineParts p = k->cosine_parts(a, b, n);
				expect_close(r.ip, p.dot, scale);
				expect_close(r.na, p.norm_a, scale);
				expect_close(r.nb, p.norm_b, scale);
			}
}

TEST(HalfKernels, F16cAgreesWithScalarExactlyOnShortInputs)
{
	/* Below 8 elements both run the same scalar tail, so the results are identical. */
	if (!f16c())
		GTEST_SKIP() << "no F16C on this CPU";
	std::vector<Half> a = {from_float(1.5f), from_float(-2.0f), from_float(65504.0f),
	                       from_float(0x1p-24f), from_float(3.0f)};
	std::vector<Half> b = {from_float(0.5f), from_float(2.0f), from_float(-1.0f), from_float(0.0f),
	                       from_float(-0.25f)};
	EXPECT_EQ(scalar().l2_squared(a.data(), b.data(), 5),
	          f16c()->l2_squared(a.data(), b.data(), 5));
	EXPECT_EQ(scalar().l1(a.data(), b.data(), 5), f16c()->l1(a.data(), b.data(), 5));
}

TEST(HalfKernels, ExactOnSmallIntegers)
{
	/* Small integers and their sums are exact in float: every kernel gives the same value. */
	std::vector<Half> a(1000), b(1000);
	for (std::size_t i = 0; i < a.size(); i++)
	{
		a[i] = from_float((float)(i % 7));
		b[i] = from_float((float)(i % 5) - 2.0f);
	}
	Reference r = reference(a.data(), b.data(), a.size());
	for (const Kernels *k : kernel_sets())
	{
		EXPECT_EQ(r.l2, k->l2_squared(a.data(), b.data(), a.size())) << k->name;
		EXPECT_EQ(r.ip, k->inner_product(a.data(), b.data(), a.size())) << k->name;
		EXPECT_EQ(r.l1, k->l1(a.data(), b.data(), a.size())) << k->name;
	}
}

TEST(HalfKernels, BestIsF16cWhenTheCpuHasIt)
{
	if (f16c())
		EXPECT_STREQ("f16c+avx2+fma", best().name);
	else
		EXPECT_STREQ("scalar", best().name);
}

// Distance kernels: every kernel set agrees with a double-precision reference on
// every length from 0 to 100 and on 784 and 16000, with unaligned inputs.
#include "vector/distance.h"

#include <cmath>
#include <gtest/gtest.h>
#include <random>
#include <vector>

using namespace vecrbac::distance;

namespace
{

struct Reference
{
	double l2, ip, dot, na, nb, l1;
};

Reference reference(const float *a, const float *b, std::size_t n)
{
	Reference r = {0, 0, 0, 0, 0, 0};
	for (std::size_t i = 0; i < n; i++)
	{
		double d = (double)a[i] - b[i];
		r.l2 += d * d;
		r.ip += (double)a[i] * b[i];
		r.na += (double)a[i] * a[i];
		r.nb += (double)b[i] * b[i];
		r.l1 += std::fabs(d);
	}
	r.dot = r.ip;
	return r;
}

void expect_close(double expected, float actual, double scale)
{
	EXPECT_NEAR(expected, actual, 1e-5 * scale + 1e-6);
}

std::vector<const Kernels *> kernel_sets()
{
	std::vector<const Kernels *> sets = {&scalar()};
	if (avx2())
		sets.push_back(avx2());
	return sets;
}

} // namespace

TEST(Distance, MatchesReferenceOnEveryLengthAndAlignment)
{
	std::mt19937 rng(7);
	std::uniform_real_distribution<float> dist(-2.0f, 2.0f);
	std::vector<std::size_t> lengths;
	for (std::size_t n = 0; n <= 100; n++)
		lengths.push_back(n);
	lengths.push_back(784);
	lengths.push_back(16000);

	for (const Kernels *k : kernel_sets())
	{
		for (std::size_t n : lengths)
		{
			for (std::size_t offset = 0; offset < 3; offset++)
			{
				std::vector<float> abuf(n + 3), bbuf(n + 3);
				for (auto &x : abuf)
					x = dist(rng);
				for (auto &x : bbuf)
					x = dist(rng);
				const float *a = abuf.data() + offset, *b = bbuf.data() + offset;
				Reference r = reference(a, b, n);
				double scale = 4.0 * (double)n;
				SCOPED_TRACE(std::string(k->name) + " n=" + std::to_string(n));
				expect_close(r.l2, k->l2_squared(a, b, n), scale);
				expect_close(r.ip, k->inner_product(a, b, n), scale);
				expect_close(r.l1, k->l1(a, b, n), scale);
				CosineParts p = k->cosine_parts(a, b, n);
				expect_close(r.dot, p.dot, scale);
				expect_close(r.na, p.norm_a, scale);
				expect_close(r.nb, p.norm_b, scale);
			}
		}
	}
}

TEST(Distance, SpecialValuesPropagate)
{
	for (const Kernels *k : kernel_sets())
	{
		std::vector<float> a(37, 1.0f), b(37, 1.0f);
		EXPECT_EQ(0.0f, k->l2_squared(a.data(), b.data(), a.size()));
		a[36] = INFINITY;
		EXPECT_TRUE(std::isinf(k->l2_squared(a.data(), b.data(), a.size())));
		b[36] = INFINITY; // inf - inf
		EXPECT_TRUE(std::isnan(k->l2_squared(a.data(), b.data(), a.size())));
	}
}

TEST(Distance, BestIsAvx2WhenTheCpuHasIt)
{
	if (avx2())
		EXPECT_STREQ("avx2+fma", best().name);
	else
		EXPECT_STREQ("scalar", best().name);
}

TEST(Distance, BoundedL2IsExactBelowTheBoundAndALowerBoundAbove)
{
	std::mt19937 rng(11);
	std::uniform_real_distribution<float> dist(-1.0f, 1.0f);
	for (const Kernels *k : kernel_sets())
	{
		for (std::size_t n : {0u, 1u, 7u, 127u, 128u, 129u, 300u, 784u, 2000u})
		{
			std::vector<float> a(n), b(n);
			for (auto &x : a)
				x = dist(rng);
			for (auto &x : b)
				x = dist(rng);
			float exact = k->l2_squared(a.data(), b.data(), n);
			SCOPED_TRACE(std::string(k->name) + " n=" + std::to_string(n));
			/* A bound at or above the distance changes nothing (up to summation order). */
			EXPECT_NEAR(exact, k->l2_squared_bounded(a.data(), b.data(), n, exact * 1.01f + 1.0f),
			            1e-4 * (n + 1));
			EXPECT_NEAR(exact, k->l2_squared_bounded(a.data(), b.data(), n, INFINITY),
			            1e-4 * (n + 1));
			/* Below it, the result exceeds the bound and never exceeds the distance. */
			if (exact > 0)
			{
				float bound = exact * 0.3f;
				float partial = k->l2_squared_bounded(a.data(), b.data(), n, bound);
				EXPECT_GT(partial, bound);
				EXPECT_LE(partial, exact * (1 + 1e-5f) + 1e-5f);
			}
		}
	}
}

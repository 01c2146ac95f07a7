// int8 coding: codes and sums against a double-precision reference, the residuals
// measured exactly, the dot-product kernels (scalar and AVX2) against each other on
// every length from 0 to 100 and at 784, 4000 and the 16,000-element limit (all codes
// 255: the largest sums), the 16-bit query coding and its kernels, and the inner
// product and L2 formulas against decoding.
#include "vector/int8.h"

#include <cmath>
#include <gtest/gtest.h>
#include <random>
#include <vector>

#include "vector_test_util.h"

using namespace vecrbac::int8;

namespace
{

std::vector<double> decoded(const Coding &c, const std::vector<std::uint8_t> &codes)
{
	std::vector<double> out;
	for (auto code : codes)
		out.push_back(decode(c, code));
	return out;
}

} // namespace

TEST(Int8, EncodeKeepsRangeAndMeasuresResiduals)
{
	std::mt19937 rng(7);
	for (std::size_t n : {1u, 2u, 3u, 17u, 96u, 784u})
	{
		auto x = random_vector(rng, n, -3.0f, 5.0f);
		std::vector<std::uint8_t> codes(n);
		Coding c = encode(x.data(), n, codes.data());
		auto d = decoded(c, codes);
		double l2 = 0, l1 = 0;
		std::int64_t sum = 0, sum_square = 0;
		for (std::size_t i = 0; i < n; i++)
		{
			/* the nearest step: never more than half a step (and a float's rounding) off */
			EXPECT_LE(std::fabs(x[i] - d[i]), 0.5 * c.scale * (1 + 1e-6) + 1e-12) << n << " " << i;
			l2 += (x[i] - d[i]) * (x[i] - d[i]);
			l1 += std::fabs(x[i] - d[i]);
			sum += codes[i];
			sum_square += codes[i] * codes[i];
		}
		EXPECT_NEAR(c.residual_l2, std::sqrt(l2), 1e-12);
		EXPECT_NEAR(c.residual_l1, l1, 1e-12);
		EXPECT_EQ(c.sum, sum);
		EXPECT_EQ(c.sum_square, sum_square);
		if (n > 1)
		{
			EXPECT_EQ(*std::min_element(codes.begin(), codes.end()), 0);
			EXPECT_EQ(*std::max_element(codes.begin(), codes.end()), 255);
		}
	}
}

TEST(Int8, ConstantAndExtremeVectors)
{
	std::vector<float> same(10, 2.5f);
	std::vector<std::uint8_t> codes(10);
	Coding c = encode(same.data(), same.size(), codes.data());
	EXPECT_EQ(c.scale, 0.0f);
	EXPECT_EQ(c.residual_l2, 0.0);
	EXPECT_EQ(c.sum, 0);

	/* the widest range floats have: still finite, and the ends exact */
	std::vector<float> wide = {-3.4e38f, 0.0f, 3.4e38f};
	codes.resize(3);
	c = encode(wide.data(), wide.size(), codes.data());
	EXPECT_TRUE(std::isfinite(c.scale));
	EXPECT_EQ(codes[0], 0);
	EXPECT_EQ(codes[2], 255);
	EXPECT_TRUE(std::isfinite(c.residual_l2));
}

TEST(Int8, DotKernelsAgree)
{
	std::mt19937 rng(11);
	std::uniform_int_distribution<int> byte(0, 255);
	std::vector<std::size_t> lengths;
	for (std::size_t n = 0; n <= 100; n++)
		lengths.push_back(n);
	for (std::size_t n : {784u, 4000u, (unsigned)kMaxDimensions})
		lengths.push_back(n);
	for (std::size_t n : lengths)
	{
		/* one byte more, so that an unaligned start is tried too */
		std::vector<std::uint8_t> a(n + 1), b(n + 1);
		for (std::size_t i = 0; i <= n; i++)
		{
			a[i] = (std::uint8_t)byte(rng);
			b[i] = (std::uint8_t)byte(rng);
		}
		std::int64_t expected = 0;
		for (std::size_t i = 0; i < n; i++)
			expected += (std::int64_t)a[i + 1] * b[i];
		EXPECT_EQ(scalar().dot(a.data() + 1, b.data(), n), expected) << n;
		if (avx2() != nullptr)
		{
			EXPECT_EQ(avx2()->dot(a.data() + 1, b.data(), n), expected) << n;
		}
		EXPECT_EQ(best().dot(a.data() + 1, b.data(), n), expected) << n;
		/* a 16-bit query against codes */
		std::uniform_int_distribution<int> wide(-32767, 32767);
		std::vector<std::int16_t> q(n + 1);
		std::int64_t wide_expected = 0;
		for (std::size_t i = 0; i <= n; i++)
			q[i] = (std::int16_t)wide(rng);
		for (std::size_t i = 0; i < n; i++)
			wide_expected += (std::int64_t)q[i + 1] * b[i];
		EXPECT_EQ(scalar().dot_wide(q.data() + 1, b.data(), n), wide_expected) << n;
		if (avx2() != nullptr)
		{
			EXPECT_EQ(avx2()->dot_wide(q.data() + 1, b.data(), n), wide_expected) << n;
		}
	}
	std::vector<std::uint8_t> full(kMaxDimensions, 255);
	std::vector<std::int16_t> widest(kMaxDimensions, 32767);
	EXPECT_EQ(best().dot_wide(widest.data(), full.data(), full.size()),
	          (std::int64_t)kMaxDimensions * 32767 * 255);
	std::fill(widest.begin(), widest.end(), -32767);
	EXPECT_EQ(best().dot_wide(widest.data(), full.data(), full.size()),
	          -(std::int64_t)kMaxDimensions * 32767 * 255);
	std::int64_t most = (std::int64_t)kMaxDimensions * 255 * 255;
	EXPECT_EQ(best().dot(full.data(), full.data(), full.size()), most);
}

TEST(Int8, WideQueryCoding)
{
	std::mt19937 rng(17);
	for (std::size_t n : {1u, 7u, 96u, 784u})
	{
		auto q = random_vector(rng, n, -9.0f, 4.0f);
		auto x = random_vector(rng, n, -1.0f, 1.0f);
		std::vector<std::int16_t> cq(n);
		std::vector<std::uint8_t> cx(n);
		WideCoding w = encode_wide(q.data(), n, cq.data());
		Coding c = encode(x.data(), n, cx.data());
		double l2 = 0, ip = 0, norm = 0, range = 13.0;
		for (std::size_t i = 0; i < n; i++)
		{
			double dq = (double)w.offset + (double)w.scale * cq[i];
			EXPECT_LE(std::fabs(q[i] - dq), range / 65534 + 1e-9) << n;
			l2 += (q[i] - dq) * (q[i] - dq);
			ip += dq * decode(c, cx[i]);
			norm += dq * dq;
		}
		EXPECT_NEAR(w.residual_l2, std::sqrt(l2), 1e-12);
		EXPECT_NEAR(w.norm_squared, norm, 1e-9 * norm);
		DotParts p = wide_inner_product(w, c, best().dot_wide(cq.data(), cx.data(), n), n);
		EXPECT_NEAR(p.value, ip, 1e-12 * p.magnitude + 1e-12);
	}
}

TEST(Int8, FormulasMatchDecodedVectors)
{
	std::mt19937 rng(13);
	for (std::size_t n : {1u, 5u, 96u, 784u})
	{
		auto x = random_vector(rng, n, -100.0f, 40.0f);
		auto y = random_vector(rng, n, 3.0f, 3.5f);
		std::vector<std::uint8_t> cx(n), cy(n);
		Coding a = encode(x.data(), n, cx.data());
		Coding b = encode(y.data(), n, cy.data());
		auto dx = decoded(a, cx), dy = decoded(b, cy);
		double ip = 0, l2 = 0, l1_expected = 0, nx = 0;
		for (std::size_t i = 0; i < n; i++)
		{
			ip += dx[i] * dy[i];
			l2 += (dx[i] - dy[i]) * (dx[i] - dy[i]);
			l1_expected += std::fabs(dx[i] - dy[i]);
			nx += dx[i] * dx[i];
		}
		DotParts p = inner_product(a, b, best().dot(cx.data(), cy.data(), n), n);
		EXPECT_NEAR(p.value, ip, 1e-12 * p.magnitude + 1e-12);
		EXPECT_NEAR(norm_squared(a, n), nx, 1e-12 * nx + 1e-12);
		double l2_formula = norm_squared(a, n) + norm_squared(b, n) - 2 * p.value;
		EXPECT_NEAR(l2_formula, l2, 1e-11 * (nx + p.magnitude) + 1e-12);
		EXPECT_NEAR(l1(a.offset, a.scale, cx.data(), b.offset, b.scale, cy.data(), n), l1_expected,
		            1e-9 * l1_expected + 1e-12);
	}
}

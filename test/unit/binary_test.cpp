// binary coding: bits, mean, scales and norm against a double-precision reference; the
// masked-sum kernels (scalar and AVX2) against a plain loop on every length from 0 to 100
// and at 784 and the 16,000-element limit; the estimates against the approximations
// they stand for, decoded; and the inner-product estimate unbiased along the signs.
#include "vector/binary.h"

#include <cmath>
#include <gtest/gtest.h>
#include <random>
#include <vector>

#include "vector_test_util.h"

using namespace vecrbac::binary;

namespace
{

bool bit(const std::vector<std::uint8_t> &bits, std::size_t i)
{
	return (bits[i / 8] >> (i % 8)) & 1;
}

/* mean + scale * (sign - centre): the approximation an estimate uses */
std::vector<double> approximation(const Coding &c, const std::vector<std::uint8_t> &bits,
                                  std::size_t n, double scale, double centre)
{
	std::vector<double> out(n);
	for (std::size_t i = 0; i < n; i++)
		out[i] = (double)c.mean + scale * ((bit(bits, i) ? 1.0 : -1.0) - centre);
	return out;
}

} // namespace

TEST(Binary, EncodeSetsBitsAboveTheMean)
{
	std::mt19937 rng(11);
	for (std::size_t n : {1u, 2u, 7u, 8u, 9u, 17u, 96u, 784u})
	{
		std::vector<float> x = random_vector(rng, n, -3, 5);
		std::vector<std::uint8_t> bits(bytes(n) + 1, 0xAA);
		Coding c = encode(x.data(), n, bits.data());
		double mean = 0, norm = 0;
		for (float v : x)
		{
			mean += v;
			norm += (double)v * v;
		}
		mean /= (double)n;
		EXPECT_NEAR(c.mean, mean, 1e-5);
		EXPECT_NEAR(c.norm_squared, norm, 1e-5 * norm);
		int ones = 0;
		double abs_sum = 0, centred = 0;
		for (std::size_t i = 0; i < n; i++)
		{
			EXPECT_EQ(bit(bits, i), (double)x[i] - mean > 0) << n << " " << i;
			ones += bit(bits, i);
			abs_sum += std::fabs(x[i] - mean);
			centred += (x[i] - mean) * (x[i] - mean);
		}
		EXPECT_EQ(c.ones, ones);
		EXPECT_NEAR(c.abs_mean, abs_sum / (double)n, 1e-5);
		EXPECT_NEAR(c.scale, n > 1 ? centred / abs_sum : 0, 1e-5);
		for (std::size_t i = n; i < bytes(n) * 8; i++)
			EXPECT_FALSE(bit(bits, i)) << "padding bit " << i << " of " << n;
		EXPECT_EQ(bits[bytes(n)], 0xAA) << "wrote past the bits of " << n;
	}
}

TEST(Binary, ConstantVectorHasNoSpread)
{
	std::vector<float> x(33, 2.5f);
	std::vector<std::uint8_t> bits(bytes(33));
	Coding c = encode(x.data(), x.size(), bits.data());
	EXPECT_EQ(c.ones, 0);
	EXPECT_EQ(c.scale, 0.0f);
	EXPECT_EQ(c.abs_mean, 0.0f);
	EXPECT_FLOAT_EQ(c.mean, 2.5f);
	Coding empty = encode(x.data(), 0, bits.data());
	EXPECT_EQ(empty.ones, 0);
	EXPECT_EQ(empty.norm_squared, 0.0f);
}

TEST(Binary, MaskedSumKernelsAgree)
{
	std::mt19937 rng(5);
	std::vector<const Kernels *> kernels = {&scalar()};
	if (avx2() != nullptr)
		kernels.push_back(avx2());
	std::vector<std::size_t> lengths;
	for (std::size_t n = 0; n <= 100; n++)
		lengths.push_back(n);
	lengths.push_back(784);
	lengths.push_back(kMaxDimensions);
	for (std::size_t n : lengths)
	{
		std::vector<float> q = random_vector(rng, n, -1, 1);
		std::vector<float> x = random_vector(rng, n, -1, 1);
		std::vector<std::uint8_t> bits(bytes(n) + 1);
		encode(x.data(), n, bits.data());
		double expected = 0;
		for (std::size_t i = 0; i < n; i++)
			if (bit(bits, i))
				expected += q[i];
		for (const Kernels *k : kernels)
			EXPECT_NEAR(k->masked_sum(q.data(), bits.data(), n), expected, 1e-4 * (1 + n / 100.0))
			    << k->name << " at " << n;
	}
}

TEST(Binary, EstimatesAreTheirApproximationsDistances)
{
	std::mt19937 rng(3);
	for (std::size_t n : {1u, 5u, 64u, 100u, 784u})
	{
		std::vector<float> q = random_vector(rng, n, -2, 3);
		std::vector<float> x = random_vector(rng, n, -1, 4);
		std::vector<float> y = random_vector(rng, n, 0, 2);
		std::vector<std::uint8_t> xb(bytes(n)), yb(bytes(n));
		Coding cx = encode(x.data(), n, xb.data());
		Coding cy = encode(y.data(), n, yb.data());
		std::vector<double> ax = approximation(cx, xb, n, cx.scale, mean_sign(cx, n));
		std::vector<double> ay = approximation(cy, yb, n, cy.scale, mean_sign(cy, n));
		std::vector<double> lx = approximation(cx, xb, n, cx.abs_mean, 0);
		std::vector<double> ly = approximation(cy, yb, n, cy.abs_mean, 0);
		double q_sum = 0, masked = 0, qx = 0, xy = 0, ql1 = 0, xyl1 = 0;
		std::uint64_t hamming = 0;
		for (std::size_t i = 0; i < n; i++)
		{
			q_sum += q[i];
			masked += bit(xb, i) ? q[i] : 0;
			qx += q[i] * ax[i];
			xy += ax[i] * ay[i];
			ql1 += std::fabs(q[i] - lx[i]);
			xyl1 += std::fabs(lx[i] - ly[i]);
			hamming += bit(xb, i) != bit(yb, i);
		}
		double scale = 1 + std::fabs(qx) + std::fabs(xy);
		EXPECT_NEAR(query_inner_product(cx, q_sum, masked, n), qx, 1e-9 * scale * n) << n;
		EXPECT_NEAR(inner_product(cx, cy, hamming, n), xy, 1e-9 * scale * n) << n;
		EXPECT_NEAR(query_l1(q.data(), cx, xb.data(), n), ql1, 1e-9 * (1 + ql1)) << n;
		EXPECT_NEAR(l1(cx, xb.data(), cy, yb.data(), n), xyl1, 1e-9 * (1 + xyl1)) << n;
	}
}

/*
 * The scale makes <x - mean, approximation - mean> = |x - mean|^2: the estimate of
 * <x, x> from x's own bits is its exact squared norm, whatever the balance of its bits.
 */
TEST(Binary, SelfEstimateIsTheNorm)
{
	std::mt19937 rng(9);
	for (std::size_t n : {3u, 96u, 784u})
	{
		std::vector<float> x = random_vector(rng, n, -1, 2);
		x[0] = 40; /* one large element: most bits below the mean */
		std::vector<std::uint8_t> bits(bytes(n));
		Coding c = encode(x.data(), n, bits.data());
		double sum = 0, masked = 0;
		for (std::size_t i = 0; i < n; i++)
		{
			sum += x[i];
			masked += bit(bits, i) ? x[i] : 0;
		}
		EXPECT_NEAR(query_inner_product(c, sum, masked, n), c.norm_squared, 1e-4 * c.norm_squared)
		    << n;
	}
}

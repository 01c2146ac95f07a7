/*
 * binary.cpp: coding vectors as one bit per element, and the estimates measured on
 * the bits (scalar, and AVX2 chosen at run time).
 */
#include "vector/binary.h"

#include "vector/kernel_choice.h"

#include <cmath>
#include <cstring>
#include <immintrin.h>

namespace vecrbac::binary
{

Coding encode(const float *x, std::size_t n, std::uint8_t *bits)
{
	Coding c{};
	std::memset(bits, 0, bytes(n));
	if (n == 0)
		return c;
	double sum = 0, norm = 0;
	for (std::size_t i = 0; i < n; i++)
	{
		sum += x[i];
		norm += (double)x[i] * x[i];
	}
	double mean = sum / (double)n, abs_sum = 0, centred = 0;
	for (std::size_t i = 0; i < n; i++)
	{
		double d = (double)x[i] - mean;
		abs_sum += std::fabs(d);
		centred += d * d;
		if (d > 0)
		{
			bits[i / 8] |= (std::uint8_t)(1u << (i % 8));
			c.ones++;
		}
	}
	c.mean = (float)mean;
	c.scale = abs_sum > 0 ? (float)(centred / abs_sum) : 0.0f;
	c.abs_mean = (float)(abs_sum / (double)n);
	c.norm_squared = (float)norm;
	return c;
}

double query_l1(const float *q, const Coding &x, const std::uint8_t *bits, std::size_t n)
{
	double up = (double)x.mean + x.abs_mean, down = (double)x.mean - x.abs_mean, sum = 0;
	for (std::size_t i = 0; i < n; i++)
		sum += std::fabs((double)q[i] - ((bits[i / 8] >> (i % 8)) & 1 ? up : down));
	return sum;
}

double l1(const Coding &x, const std::uint8_t *x_bits, const Coding &y, const std::uint8_t *y_bits,
          std::size_t n)
{
	/* the four pairs of values two approximations can take at an element */
	double xv[2] = {(double)x.mean - x.abs_mean, (double)x.mean + x.abs_mean};
	double yv[2] = {(double)y.mean - y.abs_mean, (double)y.mean + y.abs_mean};
	double sum = 0;
	for (std::size_t i = 0; i < n; i++)
		sum += std::fabs(xv[(x_bits[i / 8] >> (i % 8)) & 1] - yv[(y_bits[i / 8] >> (i % 8)) & 1]);
	return sum;
}

namespace
{

double scalar_masked_sum(const float *q, const std::uint8_t *bits, std::size_t n)
{
	double sum = 0;
	for (std::size_t i = 0; i < n; i++)
		if ((bits[i / 8] >> (i % 8)) & 1)
			sum += q[i];
	return sum;
}

/* A byte of bits a step: spread over 8 lanes, each lane testing its own bit. */
__attribute__((target("avx2"))) double avx2_masked_sum(const float *q, const std::uint8_t *bits,
                                                       std::size_t n)
{
	const __m256i lane_bits = _mm256_setr_epi32(1, 2, 4, 8, 16, 32, 64, 128);
	__m256 acc0 = _mm256_setzero_ps(), acc1 = _mm256_setzero_ps();
	std::size_t i = 0;
	for (; i + 16 <= n; i += 16)
	{
		__m256i b0 = _mm256_and_si256(_mm256_set1_epi32(bits[i / 8]), lane_bits);
		__m256i b1 = _mm256_and_si256(_mm256_set1_epi32(bits[i / 8 + 1]), lane_bits);
		__m256 m0 = _mm256_castsi256_ps(_mm256_cmpeq_epi32(b0, lane_bits));
		__m256 m1 = _mm256_castsi256_ps(_mm256_cmpeq_epi32(b1, lane_bits));
		acc0 = _mm256_add_ps(acc0, _mm256_and_ps(m0, _mm256_loadu_ps(q + i)));
		acc1 = _mm256_add_ps(acc1, _mm256_and_ps(m1, _mm256_loadu_ps(q + i + 8)));
	}
	alignas(32) float lanes[8];
	_mm256_store_ps(lanes, _mm256_add_ps(acc0, acc1));
	double sum = 0;
	for (float v : lanes)
		sum += v;
	for (; i < n; i++)
		if ((bits[i / 8] >> (i % 8)) & 1)
			sum += q[i];
	return sum;
}

const Kernels scalar_kernels = {"scalar", scalar_masked_sum};
const Kernels avx2_kernels = {"avx2", avx2_masked_sum};

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

} // namespace vecrbac::binary

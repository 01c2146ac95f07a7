// Popcount kernels: every kernel set agrees with a bit-by-bit reference on byte
// lengths 0 to 100 and 120 to 200 (every tail of the 8-, 32- and 64-byte blocks),
// 8000 and 8001 (64,000 bits), at unaligned offsets and at every offset from a cache
// line past 1,023 bytes, and on all-zero and all-one strings.
#include "vector/bits.h"

#include <gtest/gtest.h>
#include <random>
#include <string>
#include <vector>

using namespace vecrbac::bits;

namespace
{

std::uint64_t naive_popcount(std::uint8_t x)
{
	std::uint64_t n = 0;
	for (int bit = 0; bit < 8; bit++)
		n += (x >> bit) & 1u;
	return n;
}

std::uint64_t naive_hamming(const std::uint8_t *a, const std::uint8_t *b, std::size_t n)
{
	std::uint64_t d = 0;
	for (std::size_t i = 0; i < n; i++)
		d += naive_popcount(a[i] ^ b[i]);
	return d;
}

JaccardParts naive_jaccard(const std::uint8_t *a, const std::uint8_t *b, std::size_t n)
{
	JaccardParts p = {0, 0};
	for (std::size_t i = 0; i < n; i++)
	{
		p.common += naive_popcount(a[i] & b[i]);
		p.either += naive_popcount(a[i] | b[i]);
	}
	return p;
}

std::vector<const Kernels *> kernel_sets()
{
	std::vector<const Kernels *> sets = {&scalar()};
	if (popcnt())
		sets.push_back(popcnt());
	if (avx2())
		sets.push_back(avx2());
	if (avx512())
		sets.push_back(avx512());
	return sets;
}

void expect_matches(const Kernels &k, const std::uint8_t *a, const std::uint8_t *b, std::size_t n)
{
	SCOPED_TRACE(std::string(k.name) + " nbytes=" + std::to_string(n));
	EXPECT_EQ(naive_hamming(a, b, n), k.hamming(a, b, n));
	JaccardParts want = naive_jaccard(a, b, n), got = k.jaccard_parts(a, b, n);
	EXPECT_EQ(want.common, got.common);
	EXPECT_EQ(want.either, got.either);
}

} // namespace

TEST(Bits, MatchesReferenceOnEveryLengthAndAlignment)
{
	std::mt19937 rng(11);
	std::uniform_int_distribution<int> byte(0, 255);
	std::vector<std::size_t> lengths;
	for (std::size_t n = 0; n <= 100; n++)
		lengths.push_back(n);
	for (std::size_t n = 120; n <= 200; n++)
		lengths.push_back(n);
	lengths.push_back(8000);
	lengths.push_back(8001);

	for (const Kernels *k : kernel_sets())
		for (std::size_t n : lengths)
			for (std::size_t offset = 0; offset < 3; offset++)
			{
				std::vector<std::uint8_t> abuf(n + 3), bbuf(n + 3);
				for (auto &x : abuf)
					x = (std::uint8_t)byte(rng);
				for (auto &x : bbuf)
					x = (std::uint8_t)byte(rng);
				expect_matches(*k, abuf.data() + offset, bbuf.data() + offset, n);
			}
}

/* From 1,024 bytes the AVX-512 kernels first count up to a 64-byte boundary: every misalignment. */
TEST(Bits, MatchesReferenceAtEveryCacheLineOffset)
{
	std::mt19937 rng(12);
	for (const Kernels *k : kernel_sets())
		for (std::size_t n : {1023u, 1024u, 1025u, 1087u, 1151u, 8001u})
			for (std::size_t offset = 0; offset < 64; offset++)
			{
				std::vector<std::uint8_t> abuf(n + 128), bbuf(n + 128);
				for (auto &x : abuf)
					x = (std::uint8_t)rng();
				for (auto &x : bbuf)
					x = (std::uint8_t)rng();
				/* a at every offset from a cache line, b at another */
				std::uint8_t *a = abuf.data() +
				                  (64 - reinterpret_cast<std::uintptr_t>(abuf.data()) % 64) % 64 +
				                  offset;
				std::uint8_t *b = bbuf.data() + (offset * 7) % 64;
				expect_matches(*k, a, b, n);
			}
}

/* The dispatching calls give the best set's results (the first call resolves them). */
TEST(Bits, DispatchMatchesBest)
{
	std::vector<std::uint8_t> a(300), b(300);
	for (std::size_t i = 0; i < a.size(); i++)
	{
		a[i] = (std::uint8_t)(i * 37);
		b[i] = (std::uint8_t)(i * 91 + 5);
	}
	for (std::size_t n : {0u, 7u, 64u, 299u})
	{
		EXPECT_EQ(naive_hamming(a.data(), b.data(), n), hamming(a.data(), b.data(), n));
		JaccardParts want = naive_jaccard(a.data(), b.data(), n),
		             got = jaccard_parts(a.data(), b.data(), n);
		EXPECT_EQ(want.common, got.common);
		EXPECT_EQ(want.either, got.either);
	}
}

TEST(Bits, AllZeroAndAllOne)
{
	for (const Kernels *k : kernel_sets())
		for (std::size_t n : {1u, 31u, 32u, 33u, 63u, 64u, 65u, 8000u})
		{
			std::vector<std::uint8_t> zeros(n, 0), ones(n, 0xff);
			expect_matches(*k, zeros.data(), ones.data(), n);
			EXPECT_EQ(8 * n, k->hamming(zeros.data(), ones.data(), n));
			EXPECT_EQ(0u, k->hamming(ones.data(), ones.data(), n));
			JaccardParts p = k->jaccard_parts(ones.data(), ones.data(), n);
			EXPECT_EQ(8 * n, p.common);
			EXPECT_EQ(8 * n, p.either);
		}
}

TEST(Bits, JaccardDistance)
{
	EXPECT_EQ(1.0, jaccard_distance({0, 0})); /* two empty sets */
	EXPECT_EQ(1.0, jaccard_distance({0, 8})); /* disjoint */
	EXPECT_EQ(0.0, jaccard_distance({4, 4})); /* equal */
	EXPECT_EQ(0.5, jaccard_distance({2, 4})); /* |a&b| = 2, |a|b| = 4 */
}

TEST(Bits, BestIsOneOfTheSets)
{
	const Kernels &b = best();
	bool found = false;
	for (const Kernels *k : kernel_sets())
		found = found || k == &b;
	EXPECT_TRUE(found);
}

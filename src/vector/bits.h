/*
 * bits.h: popcount kernels over bit strings (pure C++, no PostgreSQL headers).
 *
 * Hamming and Jaccard distances of `bit` values reduce to population counts of
 * a ^ b, a & b, a and b. Each kernel has a portable version, a POPCNT version, an
 * AVX2 version (nibble lookup with vpshufb) and an AVX-512 VPOPCNTDQ version; the
 * best one the CPU runs is chosen once at run time (never -march=native). Any byte length is valid,
 * aligned or not. Bits past a bit string's length must be zero in both inputs (PostgreSQL keeps the
 * padding of a varbit's last byte zero).
 */
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>

namespace vecrbac::bits
{

/*
 * Population counts for a Jaccard distance: |a & b| and |a | b| (pgvector counts |a|
 * and |b| and takes |a| + |b| - |a & b|, the same integer, with three counts a block).
 */
struct JaccardParts
{
	std::uint64_t common; /* popcount(a & b) */
	std::uint64_t either; /* popcount(a | b) */
};

/* The kernel set chosen for this CPU. */
struct Kernels
{
	const char *name; /* "avx512vpopcntdq", "avx2", "popcnt" or "scalar" */
	std::uint64_t (*hamming)(const std::uint8_t *a, const std::uint8_t *b, std::size_t nbytes);
	JaccardParts (*jaccard_parts)(const std::uint8_t *a, const std::uint8_t *b, std::size_t nbytes);
};

/* The best kernels this CPU supports; chosen on first call, then cached. */
const Kernels &best();

/* The portable kernels, always available (tests compare the others against them). */
const Kernels &scalar();

/* The POPCNT kernels, or nullptr when this CPU lacks the instruction. */
const Kernels *popcnt();

/* The AVX2 kernels (with POPCNT for tails), or nullptr when this CPU lacks either. */
const Kernels *avx2();

/* The AVX-512 VPOPCNTDQ kernels, or nullptr when this CPU or its OS lacks them. */
const Kernels *avx512();

namespace detail
{
/*
 * The chosen kernels, called through plain pointers as pgvector calls its own (no
 * once-only guard on each call). They start at resolvers that store best()'s
 * kernels on the first call (constant-initialised: no global constructor runs).
 */
extern std::atomic<std::uint64_t (*)(const std::uint8_t *, const std::uint8_t *, std::size_t)>
    hamming_fn;
extern std::atomic<JaccardParts (*)(const std::uint8_t *, const std::uint8_t *, std::size_t)>
    jaccard_parts_fn;
} // namespace detail

/* popcount(a ^ b) over nbytes bytes: the Hamming distance. */
inline std::uint64_t hamming(const std::uint8_t *a, const std::uint8_t *b, std::size_t nbytes)
{
	return detail::hamming_fn.load(std::memory_order_relaxed)(a, b, nbytes);
}

/* popcount(a & b) and popcount(a | b) over nbytes bytes, in one pass. */
inline JaccardParts jaccard_parts(const std::uint8_t *a, const std::uint8_t *b, std::size_t nbytes)
{
	return detail::jaccard_parts_fn.load(std::memory_order_relaxed)(a, b, nbytes);
}

/*
 * Jaccard distance from its parts: 1 - |a & b| / |a | b|, and 1 when the
 * strings share no set bit (this covers two all-zero strings, as pgvector).
 */
inline double jaccard_distance(const JaccardParts &p)
{
	if (p.common == 0)
		return 1.0;
	return 1.0 - (double)p.common / (double)p.either;
}

} // namespace vecrbac::bits

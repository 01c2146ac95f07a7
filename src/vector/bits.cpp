/*
 * bits.cpp: scalar, POPCNT and AVX2 popcount kernels, and the run-time choice.
 *
 * The scalar and POPCNT kernels share one body (inlined into functions with and
 * without the popcnt target, so the compiler emits the instruction only in the
 * latter). The AVX2 kernels count bits 32 bytes at a time with a 16-entry nibble
 * table (vpshufb) and sum the byte counts with vpsadbw into 64-bit lanes, so no
 * counter can overflow at any length. The AVX-512 kernels (VPOPCNTDQ, as on Ice
 * Lake and later Xeons, where pgvector uses it too) count 64 bytes per
 * instruction. Tails shorter than a vector go to the shared body.
 */
#include "vector/bits.h"

#include <cstring>
#include <immintrin.h>

namespace vecrbac::bits
{
namespace
{

/* Loads 8 bytes from any address (memcpy compiles to one unaligned load). */
inline std::uint64_t load64(const std::uint8_t *p)
{
	std::uint64_t v;
	std::memcpy(&v, p, sizeof(v));
	return v;
}

/* ---- shared body of the scalar and POPCNT kernels ---------------------------- */

__attribute__((always_inline)) inline std::uint64_t
hamming_body(const std::uint8_t *a, const std::uint8_t *b, std::size_t nbytes)
{
	std::uint64_t count = 0;
	std::size_t i = 0;
	for (; i + 8 <= nbytes; i += 8)
		count += (std::uint64_t)__builtin_popcountll(load64(a + i) ^ load64(b + i));
	for (; i < nbytes; i++)
		count += (std::uint64_t)__builtin_popcount((unsigned)(a[i] ^ b[i]));
	return count;
}

__attribute__((always_inline)) inline JaccardParts
jaccard_body(const std::uint8_t *a, const std::uint8_t *b, std::size_t nbytes)
{
	JaccardParts p = {0, 0, 0};
	std::size_t i = 0;
	for (; i + 8 <= nbytes; i += 8)
	{
		std::uint64_t x = load64(a + i), y = load64(b + i);
		p.common += (std::uint64_t)__builtin_popcountll(x & y);
		p.a += (std::uint64_t)__builtin_popcountll(x);
		p.b += (std::uint64_t)__builtin_popcountll(y);
	}
	for (; i < nbytes; i++)
	{
		p.common += (std::uint64_t)__builtin_popcount((unsigned)(a[i] & b[i]));
		p.a += (std::uint64_t)__builtin_popcount((unsigned)a[i]);
		p.b += (std::uint64_t)__builtin_popcount((unsigned)b[i]);
	}
	return p;
}

std::uint64_t scalar_hamming(const std::uint8_t *a, const std::uint8_t *b, std::size_t nbytes)
{
	return hamming_body(a, b, nbytes);
}

JaccardParts scalar_jaccard_parts(const std::uint8_t *a, const std::uint8_t *b, std::size_t nbytes)
{
	return jaccard_body(a, b, nbytes);
}

#define POPCNT_TARGET __attribute__((target("popcnt")))

POPCNT_TARGET std::uint64_t popcnt_hamming(const std::uint8_t *a, const std::uint8_t *b,
                                           std::size_t nbytes)
{
	return hamming_body(a, b, nbytes);
}

POPCNT_TARGET JaccardParts popcnt_jaccard_parts(const std::uint8_t *a, const std::uint8_t *b,
                                                std::size_t nbytes)
{
	return jaccard_body(a, b, nbytes);
}

/* ---- AVX2 kernels ----------------------------------------------------------- */

#define AVX2_TARGET __attribute__((target("avx2,popcnt")))

/* Per-byte popcounts of v, summed into four 64-bit lanes. */
AVX2_TARGET inline __m256i popcount_lanes(__m256i v)
{
	const __m256i table = _mm256_setr_epi8(0, 1, 1, 2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4, 0, 1, 1,
	                                       2, 1, 2, 2, 3, 1, 2, 2, 3, 2, 3, 3, 4);
	const __m256i low_nibble = _mm256_set1_epi8(0x0f);
	__m256i lo = _mm256_and_si256(v, low_nibble);
	__m256i hi = _mm256_and_si256(_mm256_srli_epi16(v, 4), low_nibble);
	__m256i counts =
	    _mm256_add_epi8(_mm256_shuffle_epi8(table, lo), _mm256_shuffle_epi8(table, hi));
	return _mm256_sad_epu8(counts, _mm256_setzero_si256());
}

AVX2_TARGET inline std::uint64_t hsum_lanes(__m256i v)
{
	__m128i s = _mm_add_epi64(_mm256_castsi256_si128(v), _mm256_extracti128_si256(v, 1));
	return (std::uint64_t)_mm_cvtsi128_si64(s) + (std::uint64_t)_mm_extract_epi64(s, 1);
}

AVX2_TARGET inline __m256i load256(const std::uint8_t *p)
{
	return _mm256_loadu_si256(reinterpret_cast<const __m256i *>(p));
}

AVX2_TARGET std::uint64_t avx2_hamming(const std::uint8_t *a, const std::uint8_t *b,
                                       std::size_t nbytes)
{
	__m256i acc = _mm256_setzero_si256();
	std::size_t i = 0;
	for (; i + 32 <= nbytes; i += 32)
		acc =
		    _mm256_add_epi64(acc, popcount_lanes(_mm256_xor_si256(load256(a + i), load256(b + i))));
	return hsum_lanes(acc) + hamming_body(a + i, b + i, nbytes - i);
}

AVX2_TARGET JaccardParts avx2_jaccard_parts(const std::uint8_t *a, const std::uint8_t *b,
                                            std::size_t nbytes)
{
	__m256i common = _mm256_setzero_si256();
	__m256i acc_a = _mm256_setzero_si256();
	__m256i acc_b = _mm256_setzero_si256();
	std::size_t i = 0;
	for (; i + 32 <= nbytes; i += 32)
	{
		__m256i x = load256(a + i), y = load256(b + i);
		__asm__("" : "+x"(x), "+x"(y)); /* loaded once: see avx512_jaccard_parts */
		common = _mm256_add_epi64(common, popcount_lanes(_mm256_and_si256(x, y)));
		acc_a = _mm256_add_epi64(acc_a, popcount_lanes(x));
		acc_b = _mm256_add_epi64(acc_b, popcount_lanes(y));
	}
	JaccardParts p = jaccard_body(a + i, b + i, nbytes - i);
	p.common += hsum_lanes(common);
	p.a += hsum_lanes(acc_a);
	p.b += hsum_lanes(acc_b);
	return p;
}

/* ---- AVX-512 VPOPCNTDQ kernels ---------------------------------------------- */

#define AVX512_TARGET __attribute__((target("avx512f,avx512vpopcntdq,popcnt")))

AVX512_TARGET inline __m512i load512(const std::uint8_t *p)
{
	return _mm512_loadu_si512(reinterpret_cast<const void *>(p));
}

/*
 * Sum of the eight 64-bit lanes, in registers (storing the vector and reloading its
 * lanes stalls on store forwarding). GCC 12's AVX-512 headers seed some intrinsics
 * with a self-initialised "undefined" vector that -Wuninitialized flags (GCC bug
 * 105593, fixed in GCC 13); the warning (-Wmaybe-uninitialized when inlined at other
 * optimization levels, as the ASan build's) is reported where the sum is inlined, so
 * it is silenced for the AVX-512 kernels, which use it, down to the next pop.
 */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wuninitialized"
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
AVX512_TARGET inline std::uint64_t hsum512(__m512i v)
{
	return (std::uint64_t)_mm512_reduce_add_epi64(v);
}

AVX512_TARGET std::uint64_t avx512_hamming(const std::uint8_t *a, const std::uint8_t *b,
                                           std::size_t nbytes)
{
	__m512i acc = _mm512_setzero_si512();
	std::size_t i = 0;
	for (; i + 64 <= nbytes; i += 64)
		acc = _mm512_add_epi64(
		    acc, _mm512_popcnt_epi64(_mm512_xor_si512(load512(a + i), load512(b + i))));
	return hsum512(acc) + hamming_body(a + i, b + i, nbytes - i);
}

AVX512_TARGET JaccardParts avx512_jaccard_parts(const std::uint8_t *a, const std::uint8_t *b,
                                                std::size_t nbytes)
{
	__m512i common = _mm512_setzero_si512();
	__m512i acc_a = _mm512_setzero_si512();
	__m512i acc_b = _mm512_setzero_si512();
	/*
	 * Each block is loaded once into registers: left to itself, GCC 12 folds the
	 * loads into the popcount instructions and reads every block twice, which costs
	 * about a third more when the blocks straddle cache lines (varbit data does).
	 */
	for (; nbytes >= 64; nbytes -= 64, a += 64, b += 64)
	{
		__m512i x = load512(a), y = load512(b);
		__asm__("" : "+v"(x), "+v"(y));
		common = _mm512_add_epi64(common, _mm512_popcnt_epi64(_mm512_and_si512(x, y)));
		acc_a = _mm512_add_epi64(acc_a, _mm512_popcnt_epi64(x));
		acc_b = _mm512_add_epi64(acc_b, _mm512_popcnt_epi64(y));
	}
	JaccardParts p = jaccard_body(a, b, nbytes);
	p.common += hsum512(common);
	p.a += hsum512(acc_a);
	p.b += hsum512(acc_b);
	return p;
}
#pragma GCC diagnostic pop

const Kernels scalar_kernels = {"scalar", scalar_hamming, scalar_jaccard_parts};
const Kernels popcnt_kernels = {"popcnt", popcnt_hamming, popcnt_jaccard_parts};
const Kernels avx2_kernels = {"avx2", avx2_hamming, avx2_jaccard_parts};
const Kernels avx512_kernels = {"avx512vpopcntdq", avx512_hamming, avx512_jaccard_parts};

bool cpu_has_popcnt()
{
	__builtin_cpu_init();
	return __builtin_cpu_supports("popcnt");
}

bool cpu_has_avx2_popcnt()
{
	__builtin_cpu_init();
	return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("popcnt");
}

/* libgcc's checks include the OS's saving of the AVX-512 register state (XGETBV). */
bool cpu_has_avx512_vpopcntdq()
{
	__builtin_cpu_init();
	return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512vpopcntdq") &&
	       __builtin_cpu_supports("popcnt");
}

} // namespace

const Kernels &scalar()
{
	return scalar_kernels;
}

const Kernels *popcnt()
{
	static const bool supported = cpu_has_popcnt();
	return supported ? &popcnt_kernels : nullptr;
}

const Kernels *avx2()
{
	static const bool supported = cpu_has_avx2_popcnt();
	return supported ? &avx2_kernels : nullptr;
}

const Kernels *avx512()
{
	static const bool supported = cpu_has_avx512_vpopcntdq();
	return supported ? &avx512_kernels : nullptr;
}

const Kernels &best()
{
	static const Kernels *chosen = avx512()   ? avx512()
	                               : avx2()   ? avx2()
	                               : popcnt() ? popcnt()
	                                          : &scalar_kernels;
	return *chosen;
}

} // namespace vecrbac::bits

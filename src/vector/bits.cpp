/*
 * bits.cpp: scalar, POPCNT, AVX2 and AVX-512 popcount kernels, and the run-time choice.
 *
 * The scalar and POPCNT kernels share one body (inlined into functions with and
 * without the popcnt target, so the compiler emits the instruction only in the
 * latter). The AVX2 kernels count bits 32 bytes at a time with a 16-entry nibble
 * table (vpshufb) and sum the byte counts with vpsadbw into 64-bit lanes, so no
 * counter can overflow at any length. The AVX-512 kernels (VPOPCNTDQ, as on Ice
 * Lake and later Xeons, where pgvector uses it too) count 64 bytes per
 * instruction, the tail as one byte-masked block. Other kernels' tails shorter
 * than a vector go to the shared body. Jaccard counts a & b and a | b: two counts
 * a block where |a|, |b| and |a & b| would take three.
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
	JaccardParts p = {0, 0};
	std::size_t i = 0;
	for (; i + 8 <= nbytes; i += 8)
	{
		std::uint64_t x = load64(a + i), y = load64(b + i);
		p.common += (std::uint64_t)__builtin_popcountll(x & y);
		p.either += (std::uint64_t)__builtin_popcountll(x | y);
	}
	for (; i < nbytes; i++)
	{
		p.common += (std::uint64_t)__builtin_popcount((unsigned)(a[i] & b[i]));
		p.either += (std::uint64_t)__builtin_popcount((unsigned)(a[i] | b[i]));
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
	__m256i either = _mm256_setzero_si256();
	std::size_t i = 0;
	for (; i + 32 <= nbytes; i += 32)
	{
		__m256i x = load256(a + i), y = load256(b + i);
		__asm__("" : "+x"(x), "+x"(y)); /* loaded once: see avx512_jaccard_parts */
		common = _mm256_add_epi64(common, popcount_lanes(_mm256_and_si256(x, y)));
		either = _mm256_add_epi64(either, popcount_lanes(_mm256_or_si256(x, y)));
	}
	JaccardParts p = jaccard_body(a + i, b + i, nbytes - i);
	p.common += hsum_lanes(common);
	p.either += hsum_lanes(either);
	return p;
}

/* ---- AVX-512 VPOPCNTDQ kernels ---------------------------------------------- */

/* BW for the byte-masked loads of the tails (every CPU with VPOPCNTDQ but Knights Mill has it). */
/*
 * From this length on, a masked first block brings a to a 64-byte boundary: a
 * 64-byte load that straddles two cache lines costs two, and varbit data starts 8
 * bytes past an aligned address. Shorter strings are not worth the extra block.
 */
constexpr std::size_t ALIGN_FROM = 1024;
#define AVX512_TARGET __attribute__((target("avx512f,avx512bw,avx512vpopcntdq,popcnt")))

AVX512_TARGET inline __m512i load512(const std::uint8_t *p)
{
	return _mm512_loadu_si512(reinterpret_cast<const void *>(p));
}

/*
 * The first n bytes at p (0 < n < 64), the rest of the vector zero. Masked-off bytes
 * are never read, so this never touches memory past p + n (no fault at a page end).
 */
AVX512_TARGET inline __m512i load512_head(const std::uint8_t *p, std::size_t n)
{
	return _mm512_maskz_loadu_epi8(_cvtu64_mask64(~std::uint64_t{0} >> (64 - n)), p);
}

/* Bytes to count first so that a is 64-byte aligned, or 0 for short strings (see ALIGN_FROM). */
inline std::size_t bytes_to_alignment(const std::uint8_t *a, std::size_t nbytes)
{
	return nbytes < ALIGN_FROM ? 0 : (64 - reinterpret_cast<std::uintptr_t>(a) % 64) % 64;
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

/* The tail (under 64 bytes) is one masked block, not a scalar loop: a 784-bit string is two blocks.
 */
AVX512_TARGET std::uint64_t avx512_hamming(const std::uint8_t *a, const std::uint8_t *b,
                                           std::size_t nbytes)
{
	__m512i acc = _mm512_setzero_si512();
	std::size_t head = bytes_to_alignment(a, nbytes);
	if (head > 0)
	{
		acc = _mm512_popcnt_epi64(_mm512_xor_si512(load512_head(a, head), load512_head(b, head)));
		a += head;
		b += head;
		nbytes -= head;
	}
	for (; nbytes >= 64; nbytes -= 64, a += 64, b += 64)
		acc = _mm512_add_epi64(acc, _mm512_popcnt_epi64(_mm512_xor_si512(load512(a), load512(b))));
	if (nbytes > 0)
		acc = _mm512_add_epi64(acc, _mm512_popcnt_epi64(_mm512_xor_si512(load512_head(a, nbytes),
		                                                                 load512_head(b, nbytes))));
	return hsum512(acc);
}

AVX512_TARGET JaccardParts avx512_jaccard_parts(const std::uint8_t *a, const std::uint8_t *b,
                                                std::size_t nbytes)
{
	const std::size_t total = nbytes;
	__m512i common = _mm512_setzero_si512();
	__m512i either = _mm512_setzero_si512();
	std::size_t head = bytes_to_alignment(a, nbytes);
	if (head > 0)
	{
		__m512i x = load512_head(a, head), y = load512_head(b, head);
		common = _mm512_popcnt_epi64(_mm512_and_si512(x, y));
		either = _mm512_popcnt_epi64(_mm512_or_si512(x, y));
		a += head;
		b += head;
		nbytes -= head;
	}
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
		either = _mm512_add_epi64(either, _mm512_popcnt_epi64(_mm512_or_si512(x, y)));
	}
	if (nbytes > 0)
	{
		__m512i x = load512_head(a, nbytes), y = load512_head(b, nbytes);
		common = _mm512_add_epi64(common, _mm512_popcnt_epi64(_mm512_and_si512(x, y)));
		either = _mm512_add_epi64(either, _mm512_popcnt_epi64(_mm512_or_si512(x, y)));
	}
	/*
	 * One reduction instead of two: |a & b| rides in the upper halves of |a | b|'s
	 * lanes while no sum can reach 2^32 (under 2^29 bytes, as any indexable string).
	 */
	if (total < (std::size_t{1} << 29))
	{
		std::uint64_t both = hsum512(_mm512_add_epi64(either, _mm512_slli_epi64(common, 32)));
		return {both >> 32, both & 0xffffffffu};
	}
	return {hsum512(common), hsum512(either)};
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
	return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
	       __builtin_cpu_supports("avx512vpopcntdq") && __builtin_cpu_supports("popcnt");
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

namespace
{

std::uint64_t resolve_hamming(const std::uint8_t *a, const std::uint8_t *b, std::size_t nbytes)
{
	detail::hamming_fn.store(best().hamming, std::memory_order_relaxed);
	return best().hamming(a, b, nbytes);
}

JaccardParts resolve_jaccard_parts(const std::uint8_t *a, const std::uint8_t *b, std::size_t nbytes)
{
	detail::jaccard_parts_fn.store(best().jaccard_parts, std::memory_order_relaxed);
	return best().jaccard_parts(a, b, nbytes);
}

} // namespace

std::atomic<std::uint64_t (*)(const std::uint8_t *, const std::uint8_t *, std::size_t)>
    detail::hamming_fn{resolve_hamming};
std::atomic<JaccardParts (*)(const std::uint8_t *, const std::uint8_t *, std::size_t)>
    detail::jaccard_parts_fn{resolve_jaccard_parts};

} // namespace vecrbac::bits

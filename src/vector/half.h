/*
 * half.h: IEEE 754 binary16 ("half") conversion and distance kernels over half
 * arrays (pure C++, no PostgreSQL headers).
 *
 * A Half is the raw 16-bit pattern, as halfvec stores it on disk. Conversion to float
 * is exact; conversion from float rounds to nearest, ties to even, as the F16C
 * instruction VCVTPS2PH with rounding mode 0 does. Kernels convert each element to
 * float and accumulate in float, as pgvector does; callers widen to double for sqrt
 * and division. Each kernel has a portable scalar version and an F16C+AVX2+FMA
 * version chosen at run time (the build never assumes -march=native).
 */
#pragma once

#include "vector/distance.h"

#include <bit>
#include <cstddef>
#include <cstdint>

namespace vecrbac::half
{

using Half = std::uint16_t; /* IEEE binary16 bits */

/* The float of the same value (exact); NaN stays NaN (quiet), infinities stay infinite. */
inline float to_float(Half h)
{
	std::uint32_t sign = (std::uint32_t)(h & 0x8000u) << 16;
	std::uint32_t exponent = (h >> 10) & 0x1fu;
	std::uint32_t mantissa = h & 0x3ffu;

	if (exponent == 0x1f) /* infinity, or NaN made quiet as F16C does */
		return std::bit_cast<float>(sign | 0x7f800000u | (mantissa << 13) |
		                            (mantissa != 0 ? 0x400000u : 0u));
	if (exponent == 0) /* zero or subnormal: mantissa * 2^-24, exact in float */
	{
		float magnitude = (float)mantissa * 0x1p-24f;
		return sign ? -magnitude : magnitude;
	}
	return std::bit_cast<float>(sign | ((exponent + 112) << 23) | (mantissa << 13));
}

/*
 * The nearest half, ties to even. A finite f of magnitude >= 65520 gives +-infinity:
 * callers report that as an overflow. NaN gives a quiet NaN.
 */
inline Half from_float(float f)
{
	std::uint32_t bits = std::bit_cast<std::uint32_t>(f);
	std::uint32_t sign = (bits >> 16) & 0x8000u;
	std::uint32_t magnitude = bits & 0x7fffffffu;

	if (magnitude >= 0x7f800000u) /* infinity or NaN (quiet, top payload bits kept) */
		return (Half)(sign | 0x7c00u |
		              (magnitude > 0x7f800000u ? 0x200u | ((magnitude >> 13) & 0x3ffu) : 0u));
	if (magnitude >= 0x477ff000u) /* >= 65520, half way past the largest half (65504) */
		return (Half)(sign | 0x7c00u);
	if (magnitude < 0x38800000u) /* below 2^-14: a subnormal half or zero */
	{
		if (magnitude <= 0x33000000u) /* <= 2^-25: rounds to zero (2^-25 is a tie, 0 even) */
			return (Half)sign;
		/* Units of 2^-24: the 24-bit significand shifted right by 126 - exponent (14..23). */
		std::uint32_t exponent = magnitude >> 23;
		std::uint32_t significand = (magnitude & 0x7fffffu) | 0x800000u;
		std::uint32_t shift = 126 - exponent;
		std::uint32_t result = significand >> shift;
		std::uint32_t rest = significand & ((1u << shift) - 1);
		std::uint32_t halfway = 1u << (shift - 1);
		if (rest > halfway || (rest == halfway && (result & 1)))
			result++; /* may carry into the smallest normal, whose encoding follows */
		return (Half)(sign | result);
	}
	/* Normal: rebias the exponent (127 -> 15), drop 13 mantissa bits with rounding. */
	std::uint32_t rebiased = magnitude - 0x38000000u;
	std::uint32_t result = rebiased >> 13;
	std::uint32_t rest = rebiased & 0x1fffu;
	if (rest > 0x1000u || (rest == 0x1000u && (result & 1)))
		result++; /* a carry into the exponent is the correct rounding */
	return (Half)(sign | result);
}

inline bool is_nan(Half h)
{
	return (h & 0x7c00u) == 0x7c00u && (h & 0x3ffu) != 0;
}

inline bool is_inf(Half h)
{
	return (h & 0x7fffu) == 0x7c00u;
}

inline bool is_zero(Half h)
{
	return (h & 0x7fffu) == 0;
}

/* The kernel set chosen for this CPU. */
struct Kernels
{
	const char *name; /* "f16c+avx2+fma" or "scalar" */
	float (*l2_squared)(const Half *a, const Half *b, std::size_t n);
	float (*inner_product)(const Half *a, const Half *b, std::size_t n);
	vecrbac::distance::CosineParts (*cosine_parts)(const Half *a, const Half *b, std::size_t n);
	float (*l1)(const Half *a, const Half *b, std::size_t n);
};

/* The best kernels this CPU supports; chosen on first call, then cached. */
const Kernels &best();

/* The portable kernels, always available (tests compare the others against them). */
const Kernels &scalar();

/* The F16C+AVX2+FMA kernels, or nullptr when this CPU lacks one of them. */
const Kernels *f16c();

} // namespace vecrbac::half

/*
 * kernel_choice.h: the scalar / AVX2 choice that the coded-vector kernels (int8.cpp,
 * binary.cpp) make once, at run time (pure C++, no PostgreSQL headers).
 */
#pragma once

namespace vecrbac::kernel_choice
{

/* Whether this CPU runs AVX2 (asked once). */
inline bool has_avx2()
{
	static const bool supported = []
	{
		__builtin_cpu_init();
		return __builtin_cpu_supports("avx2") != 0;
	}();
	return supported;
}

/* The AVX2 kernels when the CPU runs them, else the scalar ones; chosen on first call. */
template <typename Kernels> const Kernels &best(const Kernels &scalar, const Kernels &avx2)
{
	static const Kernels *chosen = has_avx2() ? &avx2 : &scalar;
	return *chosen;
}

} // namespace vecrbac::kernel_choice

// vector_test_util.h: random vectors for the coding tests (int8, binary).
#pragma once

#include <cstddef>
#include <random>
#include <vector>

/* n floats drawn uniformly from [lo, hi). */
inline std::vector<float> random_vector(std::mt19937 &rng, std::size_t n, float lo, float hi)
{
	std::uniform_real_distribution<float> u(lo, hi);
	std::vector<float> v(n);
	for (auto &x : v)
		x = u(rng);
	return v;
}

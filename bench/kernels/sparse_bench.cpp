// sparse_bench: the merge-join distances of src/vector/sparse.cpp on sparse vectors
// of 30,000 dimensions with 100 and 1,000 stored elements (a SPLADE-like query and
// document), including unequal sizes, and, for scale, the dense AVX2 kernel over the
// same vectors expanded to 30,000 floats. Each call reads the same two vectors.
//
// Compiled as the extension compiles it (-O2, no -march). The distances add terms
// in pgvector's order, so the loop shape is pgvector's too.
#include "vector/distance.h"
#include "vector/sparse.h"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <random>
#include <vector>

namespace sp = vecrbac::sparse;

namespace
{

constexpr std::int32_t kDim = 30000;

struct Sparse
{
	std::vector<std::int32_t> indices;
	std::vector<float> values;
	sp::View view() const
	{
		return sp::View{kDim, (std::int32_t)indices.size(), indices.data(), values.data()};
	}
	std::vector<float> dense() const
	{
		std::vector<float> d(kDim, 0.0f);
		for (std::size_t i = 0; i < indices.size(); i++)
			d[indices[i]] = values[i];
		return d;
	}
};

Sparse random_sparse(std::int32_t nnz, unsigned seed)
{
	std::mt19937 rng(seed);
	std::vector<std::int32_t> all(kDim);
	for (std::int32_t i = 0; i < kDim; i++)
		all[i] = i;
	std::shuffle(all.begin(), all.end(), rng);
	Sparse s;
	s.indices.assign(all.begin(), all.begin() + nnz);
	std::sort(s.indices.begin(), s.indices.end());
	std::uniform_real_distribution<float> u(0.1f, 2.0f);
	for (std::int32_t i = 0; i < nnz; i++)
		s.values.push_back(u(rng));
	return s;
}

template <typename F> void run(benchmark::State &state, F f)
{
	Sparse a = random_sparse((std::int32_t)state.range(0), 1);
	Sparse b = random_sparse((std::int32_t)state.range(1), 2);
	for (auto _ : state)
	{
		float d = f(a.view(), b.view());
		benchmark::DoNotOptimize(d);
	}
}

void L2_sparse(benchmark::State &s)
{
	run(s, sp::l2_squared);
}
void IP_sparse(benchmark::State &s)
{
	run(s, sp::inner_product);
}
void L1_sparse(benchmark::State &s)
{
	run(s, sp::l1);
}
void IP_dense_30000(benchmark::State &state)
{
	auto a = random_sparse((std::int32_t)state.range(0), 1).dense();
	auto b = random_sparse((std::int32_t)state.range(1), 2).dense();
	const auto &k = vecrbac::distance::best();
	for (auto _ : state)
	{
		float d = k.inner_product(a.data(), b.data(), kDim);
		benchmark::DoNotOptimize(d);
	}
}

#define SIZES                                                                                      \
	->Args({100, 100})                                                                             \
	    ->Args({1000, 1000})                                                                       \
	    ->Args({100, 1000})                                                                        \
	    ->Args({1000, 100})                                                                        \
	    ->Args({16000, 16000})
BENCHMARK(L2_sparse) SIZES;
BENCHMARK(IP_sparse) SIZES;
BENCHMARK(L1_sparse) SIZES;
BENCHMARK(IP_dense_30000)->Args({1000, 1000});

} // namespace

BENCHMARK_MAIN();

// bits_bench: the popcount kernels of src/vector/bits.cpp (Hamming distance and
// Jaccard parts) per kernel set, on bit strings of 1,024, 3,072 and 64,000 bits
// (a binary-quantized 1,024- or 3,072-dimension embedding, and hnsw's largest bit
// column). Each call reads the same two strings (hot in L1): arithmetic throughput.
//
// Compiled as the extension compiles it (-O2, no -march); sets the CPU lacks are
// skipped. pgvector 0.8 counts bits with a 64-bit POPCNT loop, or with AVX-512
// VPOPCNTDQ on 64-byte blocks when the CPU has it: the same algorithms as our
// "popcnt" and "avx512vpopcntdq" sets, so those rows stand for its kernels.
#include "vector/bits.h"

#include <benchmark/benchmark.h>

#include <cstdio>
#include <random>
#include <string>
#include <vector>

namespace bits = vecrbac::bits;

namespace
{

std::vector<std::uint8_t> random_bytes(std::size_t n, unsigned seed)
{
	std::mt19937 rng(seed);
	std::vector<std::uint8_t> v(n);
	for (auto &x : v)
		x = (std::uint8_t)rng();
	return v;
}

void hamming(benchmark::State &state, const bits::Kernels *k)
{
	std::size_t nbytes = (std::size_t)state.range(0) / 8;
	auto a = random_bytes(nbytes, 1), b = random_bytes(nbytes, 2);
	for (auto _ : state)
	{
		std::uint64_t d = k->hamming(a.data(), b.data(), nbytes);
		benchmark::DoNotOptimize(d);
	}
	state.SetItemsProcessed(state.iterations() * state.range(0));
}

void jaccard(benchmark::State &state, const bits::Kernels *k)
{
	std::size_t nbytes = (std::size_t)state.range(0) / 8;
	auto a = random_bytes(nbytes, 1), b = random_bytes(nbytes, 2);
	for (auto _ : state)
	{
		bits::JaccardParts p = k->jaccard_parts(a.data(), b.data(), nbytes);
		benchmark::DoNotOptimize(p);
	}
	state.SetItemsProcessed(state.iterations() * state.range(0));
}

} // namespace

int main(int argc, char **argv)
{
	std::vector<const bits::Kernels *> sets = {&bits::scalar()};
	for (const bits::Kernels *k : {bits::popcnt(), bits::avx2(), bits::avx512()})
		if (k)
			sets.push_back(k);
	for (const bits::Kernels *k : sets)
	{
		for (int nbits : {1024, 3072, 64000})
		{
			benchmark::RegisterBenchmark(("Hamming_" + std::string(k->name)).c_str(), hamming, k)
			    ->Arg(nbits);
			benchmark::RegisterBenchmark(("Jaccard_" + std::string(k->name)).c_str(), jaccard, k)
			    ->Arg(nbits);
		}
	}
	std::printf("best kernel set on this CPU: %s\n", bits::best().name);
	benchmark::Initialize(&argc, argv);
	benchmark::RunSpecifiedBenchmarks();
	benchmark::Shutdown();
	return 0;
}

// pgvector_bench: our bit and sparsevec kernels against pgvector 0.8's own, built
// from its source by bench/kernels/run.sh when VR_PGVECTOR_SRC names a checkout
// (never a dependency of the extension). pgvector's files are compiled with the
// flags of its Makefile (-O2 -march=native and its floating-point flags); its
// static sparse distance functions are reached through a wrapper file that
// includes sparsevec.c, linked with unresolved server symbols ignored (only the
// distance code runs). Ours are compiled as the extension compiles them (-O2, no
// -march, run-time dispatch).
//
// The Hamming and Jaccard rows compare pgvector's dispatch (BitvecInit: AVX-512
// VPOPCNTDQ when available, else a 64-bit popcount loop) with ours (bits::best()).
#include "vector/bits.h"
#include "vector/sparse.h"

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <random>
#include <vector>

extern "C"
{
	/* pgvector's symbols (src/bitutils.c, and the wrapper around src/sparsevec.c). */
	extern std::uint64_t (*BitHammingDistance)(std::uint32_t bytes, unsigned char *ax,
	                                           unsigned char *bx, std::uint64_t distance);
	extern double (*BitJaccardDistance)(std::uint32_t bytes, unsigned char *ax, unsigned char *bx,
	                                    std::uint64_t ab, std::uint64_t aa, std::uint64_t bb);
	void BitvecInit(void);
	float pgv_sparse_l2_squared(void *a, void *b);
	float pgv_sparse_inner_product(void *a, void *b);
}

namespace
{

/*
 * One pair of bit strings per length, shared by both sides: 64-byte loads that cross
 * a cache line cost more, so both must read from the same addresses. The strings
 * start 8 bytes past a 64-byte boundary, where a varbit's bits lie in a palloc'd
 * datum (varlena header, bit length).
 */
struct BitPair
{
	std::vector<std::uint8_t> storage_a, storage_b;
	std::uint8_t *a, *b;
	std::size_t nbytes;
};

const BitPair &bit_pair(std::size_t nbits)
{
	static std::vector<BitPair *> pairs;
	for (BitPair *p : pairs)
		if (p->nbytes == nbits / 8)
			return *p;
	BitPair *p = new BitPair;
	p->nbytes = nbits / 8;
	std::mt19937 rng((unsigned)nbits);
	for (auto *storage : {&p->storage_a, &p->storage_b})
	{
		storage->resize(p->nbytes + 128);
		for (auto &x : *storage)
			x = (std::uint8_t)rng();
	}
	auto place = [](std::vector<std::uint8_t> &s)
	{
		std::uintptr_t base = reinterpret_cast<std::uintptr_t>(s.data());
		return s.data() + ((64 - base % 64) % 64) + 8;
	};
	p->a = place(p->storage_a);
	p->b = place(p->storage_b);
	pairs.push_back(p);
	return *p;
}

void Hamming_ours(benchmark::State &state)
{
	const BitPair &p = bit_pair((std::size_t)state.range(0));
	for (auto _ : state)
		benchmark::DoNotOptimize(vecrbac::bits::hamming(p.a, p.b, p.nbytes));
}
void Hamming_pgvector(benchmark::State &state)
{
	const BitPair &p = bit_pair((std::size_t)state.range(0));
	for (auto _ : state)
		benchmark::DoNotOptimize(BitHammingDistance((std::uint32_t)p.nbytes, p.a, p.b, 0));
}
void Jaccard_ours(benchmark::State &state)
{
	const BitPair &p = bit_pair((std::size_t)state.range(0));
	for (auto _ : state)
		benchmark::DoNotOptimize(
		    vecrbac::bits::jaccard_distance(vecrbac::bits::jaccard_parts(p.a, p.b, p.nbytes)));
}
void Jaccard_pgvector(benchmark::State &state)
{
	const BitPair &p = bit_pair((std::size_t)state.range(0));
	for (auto _ : state)
		benchmark::DoNotOptimize(BitJaccardDistance((std::uint32_t)p.nbytes, p.a, p.b, 0, 0, 0));
}

/* A sparse vector in pgvector's (and our) layout: 16-byte header, indices, values. */
struct Packed
{
	std::vector<std::uint8_t> bytes;
	std::vector<std::int32_t> indices;
	std::vector<float> values;
};

Packed random_packed(std::int32_t dim, std::int32_t nnz, unsigned seed)
{
	std::mt19937 rng(seed);
	std::vector<std::int32_t> all(dim);
	for (std::int32_t i = 0; i < dim; i++)
		all[i] = i;
	std::shuffle(all.begin(), all.end(), rng);
	Packed p;
	p.indices.assign(all.begin(), all.begin() + nnz);
	std::sort(p.indices.begin(), p.indices.end());
	std::uniform_real_distribution<float> u(0.1f, 2.0f);
	for (std::int32_t i = 0; i < nnz; i++)
		p.values.push_back(u(rng));
	std::int32_t header[4] = {(std::int32_t)((16 + 8 * nnz) << 2), dim, nnz, 0};
	p.bytes.resize(16 + 8 * (std::size_t)nnz);
	std::memcpy(p.bytes.data(), header, 16);
	std::memcpy(p.bytes.data() + 16, p.indices.data(), 4 * (std::size_t)nnz);
	std::memcpy(p.bytes.data() + 16 + 4 * (std::size_t)nnz, p.values.data(), 4 * (std::size_t)nnz);
	return p;
}

template <bool Pgvector, bool InnerProduct> void sparse(benchmark::State &state)
{
	Packed a = random_packed(30000, (std::int32_t)state.range(0), 1);
	Packed b = random_packed(30000, (std::int32_t)state.range(1), 2);
	vecrbac::sparse::View va{30000, (std::int32_t)a.indices.size(), a.indices.data(),
	                         a.values.data()};
	vecrbac::sparse::View vb{30000, (std::int32_t)b.indices.size(), b.indices.data(),
	                         b.values.data()};
	/*
	 * Both must agree before their speed means anything: to float rounding, since
	 * pgvector's flags (-fassociative-math, and FMA contraction with -march=native)
	 * let its compiler regroup some sums.
	 */
	float ours =
	    InnerProduct ? vecrbac::sparse::inner_product(va, vb) : vecrbac::sparse::l2_squared(va, vb);
	float theirs = InnerProduct ? pgv_sparse_inner_product(a.bytes.data(), b.bytes.data())
	                            : pgv_sparse_l2_squared(a.bytes.data(), b.bytes.data());
	if (std::fabs(ours - theirs) > 1e-5f * std::fabs(theirs))
		state.SkipWithError("results differ from pgvector's");
	for (auto _ : state)
	{
		if (Pgvector)
			benchmark::DoNotOptimize(InnerProduct
			                             ? pgv_sparse_inner_product(a.bytes.data(), b.bytes.data())
			                             : pgv_sparse_l2_squared(a.bytes.data(), b.bytes.data()));
		else
			benchmark::DoNotOptimize(InnerProduct ? vecrbac::sparse::inner_product(va, vb)
			                                      : vecrbac::sparse::l2_squared(va, vb));
	}
}

#define BITS ->Arg(64)->Arg(784)->Arg(1024)->Arg(3072)->Arg(64000)
BENCHMARK(Hamming_ours) BITS;
BENCHMARK(Hamming_pgvector) BITS;
BENCHMARK(Jaccard_ours) BITS;
BENCHMARK(Jaccard_pgvector) BITS;
#define SPARSE ->Args({100, 100})->Args({1000, 1000})->Args({100, 1000})->Args({1000, 100})
BENCHMARK_TEMPLATE(sparse, false, false)->Name("SparseL2_ours") SPARSE;
BENCHMARK_TEMPLATE(sparse, true, false)->Name("SparseL2_pgvector") SPARSE;
BENCHMARK_TEMPLATE(sparse, false, true)->Name("SparseIP_ours") SPARSE;
BENCHMARK_TEMPLATE(sparse, true, true)->Name("SparseIP_pgvector") SPARSE;

} // namespace

int main(int argc, char **argv)
{
	BitvecInit();
	benchmark::Initialize(&argc, argv);
	benchmark::RunSpecifiedBenchmarks();
	benchmark::Shutdown();
	return 0;
}

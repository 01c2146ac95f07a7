// kernels_bench: vecrbac's distance kernels against a plain scalar loop and against
// hnswlib's SIMD kernels, on 128, 784 and 1536 dimensions, in one run; the end of
// the output is a table of ratios (time of the other kernel / time of ours).
//
// Ours: the AVX2+FMA kernels of src/vector/distance.cpp, compiled as the extension
// compiles them (-O2, no -march: the AVX2 code is chosen at run time). Scalar: the
// portable kernels of the same file. hnswlib: L2Space / InnerProductSpace from
// Debian's header-only libhnswlib-dev, compiled in this file with -O3 -mavx2 -mfma so
// that its best path on a CPU without AVX-512 (L2SqrSIMD16ExtAVX,
// InnerProductSIMD16ExtAVX) is selected; every dimension here is a multiple of 16,
// so hnswlib takes its fastest, residual-free path. Each call reads the same two
// vectors (hot in L1): this measures arithmetic throughput, not memory bandwidth.
//
// halfvec: the F16C+AVX2+FMA kernels of src/vector/half.cpp against their portable
// scalar versions on 768, 1536 and 3072 dimensions (common embedding sizes), in the
// same run; a second table gives those ratios.
#include "vector/distance.h"
#include "vector/half.h"

#include <benchmark/benchmark.h>
#include <hnswlib/hnswlib.h>

#include <cstdio>
#include <map>
#include <random>
#include <string>
#include <vector>

namespace dist = vecrbac::distance;
namespace hf = vecrbac::half;

namespace
{

struct Pair
{
	std::vector<float> a, b;
};

const Pair &pair_for(std::size_t dim)
{
	static std::map<std::size_t, Pair> pairs;
	auto it = pairs.find(dim);
	if (it != pairs.end())
		return it->second;
	std::mt19937 rng(42 + dim);
	std::uniform_real_distribution<float> u(-1.0f, 1.0f);
	Pair p{std::vector<float>(dim), std::vector<float>(dim)};
	for (std::size_t i = 0; i < dim; i++)
	{
		p.a[i] = u(rng);
		p.b[i] = u(rng);
	}
	return pairs.emplace(dim, std::move(p)).first->second;
}

template <typename F> void run(benchmark::State &state, F f)
{
	const Pair &p = pair_for(state.range(0));
	for (auto _ : state)
	{
		float d = f(p.a.data(), p.b.data(), p.a.size());
		benchmark::DoNotOptimize(d);
	}
	state.SetItemsProcessed(state.iterations() * state.range(0));
}

struct HalfPair
{
	std::vector<hf::Half> a, b;
};

const HalfPair &half_pair_for(std::size_t dim)
{
	static std::map<std::size_t, HalfPair> pairs;
	auto it = pairs.find(dim);
	if (it != pairs.end())
		return it->second;
	const Pair &p = pair_for(dim);
	HalfPair h{std::vector<hf::Half>(dim), std::vector<hf::Half>(dim)};
	for (std::size_t i = 0; i < dim; i++)
	{
		h.a[i] = hf::from_float(p.a[i]);
		h.b[i] = hf::from_float(p.b[i]);
	}
	return pairs.emplace(dim, std::move(h)).first->second;
}

template <typename F> void run_half(benchmark::State &state, F f)
{
	const HalfPair &p = half_pair_for(state.range(0));
	for (auto _ : state)
	{
		float d = f(p.a.data(), p.b.data(), p.a.size());
		benchmark::DoNotOptimize(d);
	}
	state.SetItemsProcessed(state.iterations() * state.range(0));
}

float half_cosine_sum(const hf::Kernels &k, const hf::Half *a, const hf::Half *b, std::size_t n)
{
	auto p = k.cosine_parts(a, b, n);
	return p.dot + p.norm_a + p.norm_b;
}

void HalfL2_ours(benchmark::State &s)
{
	run_half(s, hf::f16c()->l2_squared);
}
void HalfL2_scalar(benchmark::State &s)
{
	run_half(s, hf::scalar().l2_squared);
}
void HalfIP_ours(benchmark::State &s)
{
	run_half(s, hf::f16c()->inner_product);
}
void HalfIP_scalar(benchmark::State &s)
{
	run_half(s, hf::scalar().inner_product);
}
void HalfCosine_ours(benchmark::State &s)
{
	run_half(s, [](const hf::Half *a, const hf::Half *b, std::size_t n)
	         { return half_cosine_sum(*hf::f16c(), a, b, n); });
}
void HalfCosine_scalar(benchmark::State &s)
{
	run_half(s, [](const hf::Half *a, const hf::Half *b, std::size_t n)
	         { return half_cosine_sum(hf::scalar(), a, b, n); });
}
void HalfL1_ours(benchmark::State &s)
{
	run_half(s, hf::f16c()->l1);
}
void HalfL1_scalar(benchmark::State &s)
{
	run_half(s, hf::scalar().l1);
}

void L2_ours(benchmark::State &s)
{
	run(s, dist::avx2()->l2_squared);
}
void L2_scalar(benchmark::State &s)
{
	run(s, dist::scalar().l2_squared);
}
void L2_hnswlib(benchmark::State &s)
{
	hnswlib::L2Space space(s.range(0));
	auto f = space.get_dist_func();
	void *param = space.get_dist_func_param();
	run(s, [&](const float *a, const float *b, std::size_t) { return f(a, b, param); });
}

void IP_ours(benchmark::State &s)
{
	run(s, dist::avx2()->inner_product);
}
void IP_scalar(benchmark::State &s)
{
	run(s, dist::scalar().inner_product);
}
void IP_hnswlib(benchmark::State &s)
{
	// hnswlib's inner-product distance is 1 - <a,b>; the kernel under it is the dot product.
	hnswlib::InnerProductSpace space(s.range(0));
	auto f = space.get_dist_func();
	void *param = space.get_dist_func_param();
	run(s, [&](const float *a, const float *b, std::size_t) { return f(a, b, param); });
}

void Cosine_ours(benchmark::State &s)
{
	run(s,
	    [](const float *a, const float *b, std::size_t n)
	    {
		    auto p = dist::avx2()->cosine_parts(a, b, n);
		    return p.dot + p.norm_a + p.norm_b;
	    });
}
void Cosine_scalar(benchmark::State &s)
{
	run(s,
	    [](const float *a, const float *b, std::size_t n)
	    {
		    auto p = dist::scalar().cosine_parts(a, b, n);
		    return p.dot + p.norm_a + p.norm_b;
	    });
}
void L1_ours(benchmark::State &s)
{
	run(s, dist::avx2()->l1);
}
void L1_scalar(benchmark::State &s)
{
	run(s, dist::scalar().l1);
}

#define DIMS ->Arg(128)->Arg(784)->Arg(1536)
BENCHMARK(L2_ours) DIMS;
BENCHMARK(L2_hnswlib) DIMS;
BENCHMARK(L2_scalar) DIMS;
BENCHMARK(IP_ours) DIMS;
BENCHMARK(IP_hnswlib) DIMS;
BENCHMARK(IP_scalar) DIMS;
BENCHMARK(Cosine_ours) DIMS;
BENCHMARK(Cosine_scalar) DIMS;
BENCHMARK(L1_ours) DIMS;
BENCHMARK(L1_scalar) DIMS;

#define HALF_DIMS ->Arg(768)->Arg(1536)->Arg(3072)
BENCHMARK(HalfL2_ours) HALF_DIMS;
BENCHMARK(HalfL2_scalar) HALF_DIMS;
BENCHMARK(HalfIP_ours) HALF_DIMS;
BENCHMARK(HalfIP_scalar) HALF_DIMS;
BENCHMARK(HalfCosine_ours) HALF_DIMS;
BENCHMARK(HalfCosine_scalar) HALF_DIMS;
BENCHMARK(HalfL1_ours) HALF_DIMS;
BENCHMARK(HalfL1_scalar) HALF_DIMS;

// Prints the usual console output and remembers each run's CPU time per call.
class RatioReporter : public benchmark::ConsoleReporter
{
  public:
	std::map<std::string, double> ns; // "L2_ours/784" -> ns per call

	RatioReporter() : ConsoleReporter(OO_Tabular) {} // no colour codes in logs

	void ReportRuns(const std::vector<Run> &runs) override
	{
		for (const Run &r : runs)
			if (r.run_type == Run::RT_Iteration)
				ns[r.benchmark_name()] = r.GetAdjustedCPUTime();
		ConsoleReporter::ReportRuns(runs);
	}
};

} // namespace

int main(int argc, char **argv)
{
	if (!dist::avx2() || !hf::f16c())
	{
		std::fprintf(stderr, "this CPU lacks AVX2+FMA or F16C: nothing to compare\n");
		return 1;
	}
	benchmark::Initialize(&argc, argv);
	RatioReporter reporter;
	benchmark::RunSpecifiedBenchmarks(&reporter);

	std::printf("\nRatios (time of the other kernel / time of ours; > 1 means ours is faster)\n");
	std::printf("%-8s %6s %12s %14s %14s\n", "metric", "dims", "ours ns", "hnswlib/ours",
	            "scalar/ours");
	for (const char *metric : {"L2", "IP", "Cosine", "L1"})
		for (int dim : {128, 784, 1536})
		{
			auto get = [&](const char *who)
			{
				auto it =
				    reporter.ns.find(std::string(metric) + "_" + who + "/" + std::to_string(dim));
				return it == reporter.ns.end() ? 0.0 : it->second;
			};
			double ours = get("ours"), h = get("hnswlib"), s = get("scalar");
			if (ours <= 0)
				continue;
			char hbuf[32] = "-";
			if (h > 0)
				std::snprintf(hbuf, sizeof(hbuf), "%.2f", h / ours);
			std::printf("%-8s %6d %12.1f %14s %14.2f\n", metric, dim, ours, hbuf, s / ours);
		}

	std::printf("\nhalfvec kernels (time of the scalar kernel / time of the F16C kernel)\n");
	std::printf("%-8s %6s %12s %14s %14s\n", "metric", "dims", "f16c ns", "scalar ns",
	            "scalar/f16c");
	for (const char *metric : {"L2", "IP", "Cosine", "L1"})
		for (int dim : {768, 1536, 3072})
		{
			auto get = [&](const char *who)
			{
				auto it = reporter.ns.find(std::string("Half") + metric + "_" + who + "/" +
				                           std::to_string(dim));
				return it == reporter.ns.end() ? 0.0 : it->second;
			};
			double ours = get("ours"), s = get("scalar");
			if (ours <= 0)
				continue;
			std::printf("%-8s %6d %12.1f %14.1f %14.2f\n", metric, dim, ours, s, s / ours);
		}
	benchmark::Shutdown();
	return 0;
}

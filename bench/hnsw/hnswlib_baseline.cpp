// hnswlib_baseline: the same graph (M, ef_construction) built and searched in-process
// by hnswlib, single-threaded: the limit without a database.
//
//   hnswlib_baseline BASE.f32 QUERIES.f32 DIM GT.i32 M EFC EF[,EF...]
//
// Prints a JSON line for the build and one per ef_search value (cpu_ms: the process's
// CPU time per query, comparable with the server CPU per query of pg_client).
#include <hnswlib/hnswlib.h>

#include <algorithm>
#include <chrono>
#include <ctime>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <set>
#include <sstream>
#include <vector>

static std::vector<char> read_file(const char *path)
{
	std::ifstream in(path, std::ios::binary);
	return std::vector<char>((std::istreambuf_iterator<char>(in)),
	                         std::istreambuf_iterator<char>());
}

int main(int argc, char **argv)
{
	if (argc < 8)
	{
		std::fprintf(stderr, "usage: %s BASE QUERIES DIM GT M EFC EFS\n", argv[0]);
		return 2;
	}
	int dim = std::atoi(argv[3]), m = std::atoi(argv[5]), efc = std::atoi(argv[6]);
	std::vector<char> braw = read_file(argv[1]), qraw = read_file(argv[2]),
	                  graw = read_file(argv[4]);
	const float *base = (const float *)braw.data(), *queries = (const float *)qraw.data();
	const int32_t *gt = (const int32_t *)graw.data();
	size_t n = braw.size() / (4 * dim), nq = qraw.size() / (4 * dim);
	size_t gtk = graw.size() / (4 * nq);
	const int k = 10;

	hnswlib::L2Space space(dim);
	auto t0 = std::chrono::steady_clock::now();
	hnswlib::HierarchicalNSW<float> index(&space, n, m, efc, 100);
	for (size_t i = 0; i < n; i++)
		index.addPoint(base + i * dim, i);
	double build = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
	std::printf("{\"build_s\": %.2f, \"n\": %zu}\n", build, n);

	std::stringstream efs(argv[7]);
	std::string item;
	while (std::getline(efs, item, ','))
	{
		int ef = std::atoi(item.c_str());
		index.setEf(std::max(ef, k));
		std::vector<double> lat;
		long hits = 0;
		auto s0 = std::chrono::steady_clock::now();
		std::clock_t c0 = std::clock();
		for (size_t i = 0; i < nq; i++)
		{
			auto s = std::chrono::steady_clock::now();
			auto res = index.searchKnn(queries + i * dim, k);
			lat.push_back(
			    std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - s)
			        .count());
			std::set<int32_t> truth(gt + i * gtk, gt + i * gtk + k);
			while (!res.empty())
			{
				hits += truth.count((int32_t)res.top().second);
				res.pop();
			}
		}
		double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - s0).count();
		double cpu_ms = 1000.0 * (double)(std::clock() - c0) / CLOCKS_PER_SEC / (double)nq;
		std::sort(lat.begin(), lat.end());
		std::printf(
		    "{\"ef\": %d, \"recall\": %.4f, \"qps\": %.1f, \"p50_ms\": %.3f, \"p99_ms\": %.3f, "
		    "\"cpu_ms\": %.4f}\n",
		    ef, (double)hits / (k * nq), nq / secs, lat[nq / 2], lat[(size_t)(nq * 0.99)], cpu_ms);
	}
	return 0;
}

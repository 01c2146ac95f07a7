// pg_client: top-10 nearest-neighbour queries through one libpq connection with a
// prepared statement, the query vector sent in pgvector's binary format.
//
//   pg_client CONNINFO QUERIES.f32 DIM GROUNDTRUTH.i32 K "SET ..." [SQL [PARAM2.txt [BEFORE_SQL]]]
//
// With PARAM2.txt (one line per query), its line is bound as $2 in text format: a
// tenant id, a scope. With BEFORE_SQL too, the line is instead bound as $1 of
// BEFORE_SQL, run before each query and timed with it: a token set per request, as a
// connection pool serving many tenants does. Ground truth rows may end early with -1 (fewer
// matching rows than K); recall counts only the real ones.
//
// Prints one JSON line: queries, recall@K against the ground truth, queries per
// second, p50 and p99 latency in milliseconds, the mean rows returned, and the server
// process's CPU time per query. PG_CLIENT_PASSES=N (default 1) times N passes over the
// queries: the CPU time is counted in clock ticks (10 ms), so more passes resolve it finer.
#include <libpq-fe.h>

#include <algorithm>
#include <arpa/inet.h>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <set>
#include <sstream>
#include <unistd.h>
#include <string>
#include <vector>

static std::vector<char> read_file(const char *path)
{
	std::ifstream in(path, std::ios::binary);
	if (!in)
	{
		std::fprintf(stderr, "cannot read %s\n", path);
		std::exit(2);
	}
	return std::vector<char>((std::istreambuf_iterator<char>(in)),
	                         std::istreambuf_iterator<char>());
}

/* CPU seconds (user + system) a local process has used, from /proc; -1 if unknown. */
static double process_cpu_seconds(int pid)
{
	char path[64];
	std::snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	std::ifstream in(path);
	std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
	size_t close = text.rfind(')');
	if (close == std::string::npos)
		return -1;
	std::istringstream fields(text.substr(close + 2));
	std::string field;
	unsigned long long utime = 0, stime = 0;
	for (int i = 3; i <= 15 && fields >> field; i++)
	{
		if (i == 14)
			utime = std::stoull(field);
		if (i == 15)
			stime = std::stoull(field);
	}
	return (double)(utime + stime) / (double)sysconf(_SC_CLK_TCK);
}

static void check(PGconn *conn, PGresult *res, ExecStatusType want)
{
	if (PQresultStatus(res) != want)
	{
		std::fprintf(stderr, "query failed: %s\n", PQerrorMessage(conn));
		std::exit(1);
	}
}

int main(int argc, char **argv)
{
	if (argc < 7)
	{
		std::fprintf(
		    stderr,
		    "usage: %s CONNINFO QUERIES.f32 DIM GT.i32 K SETTINGS [SQL [PARAM2 [BEFORE_SQL]]]\n",
		    argv[0]);
		return 2;
	}
	const int dim = std::atoi(argv[3]);
	const int k = std::atoi(argv[5]);
	const char *settings = argv[6];
	std::string sql =
	    argc > 7 ? argv[7] : "SELECT id FROM items ORDER BY embedding <-> $1 LIMIT 10";

	std::vector<std::string> second;
	if (argc > 8)
	{
		std::ifstream in(argv[8]);
		for (std::string line; std::getline(in, line);)
			second.push_back(line);
	}
	const char *before_sql = argc > 9 ? argv[9] : nullptr;
	std::vector<char> qraw = read_file(argv[2]);
	std::vector<char> graw = read_file(argv[4]);
	const float *queries = reinterpret_cast<const float *>(qraw.data());
	const int32_t *gt = reinterpret_cast<const int32_t *>(graw.data());
	const int nq = (int)(qraw.size() / (sizeof(float) * dim));
	const int gtk = (int)(graw.size() / (sizeof(int32_t) * nq));

	PGconn *conn = PQconnectdb(argv[1]);
	if (PQstatus(conn) != CONNECTION_OK)
	{
		std::fprintf(stderr, "connection failed: %s\n", PQerrorMessage(conn));
		return 1;
	}
	if (settings[0])
	{
		PGresult *r = PQexec(conn, settings);
		check(conn, r, PGRES_COMMAND_OK);
		PQclear(r);
	}
	const int nparams = second.empty() || before_sql ? 1 : 2;
	PGresult *prep = PQprepare(conn, "q", sql.c_str(), nparams, nullptr);
	check(conn, prep, PGRES_COMMAND_OK);
	PQclear(prep);
	if (before_sql)
	{
		prep = PQprepare(conn, "before", before_sql, 1, nullptr);
		check(conn, prep, PGRES_COMMAND_OK);
		PQclear(prep);
	}

	// pgvector binary format: int16 dim, int16 unused, big-endian float4s.
	std::vector<char> param(4 + 4 * dim);
	const int formats[2] = {1, 0};
	int lengths[2] = {(int)param.size(), 0};

	auto run = [&](int i, std::vector<int32_t> *ids)
	{
		uint16_t d = htons((uint16_t)dim), z = 0;
		std::memcpy(param.data(), &d, 2);
		std::memcpy(param.data() + 2, &z, 2);
		for (int j = 0; j < dim; j++)
		{
			uint32_t bits;
			std::memcpy(&bits, &queries[(size_t)i * dim + j], 4);
			bits = htonl(bits);
			std::memcpy(param.data() + 4 + 4 * j, &bits, 4);
		}
		const char *line = second.empty() ? nullptr : second[i % second.size()].c_str();
		if (before_sql)
		{
			PGresult *b = PQexecPrepared(conn, "before", 1, &line, nullptr, nullptr, 0);
			check(conn, b, PGRES_TUPLES_OK);
			PQclear(b);
		}
		const char *values[2] = {param.data(), line};
		PGresult *r = PQexecPrepared(conn, "q", nparams, values, lengths, formats, 0);
		check(conn, r, PGRES_TUPLES_OK);
		ids->clear();
		for (int row = 0; row < PQntuples(r); row++)
			ids->push_back(std::atoi(PQgetvalue(r, row, 0)));
		PQclear(r);
	};

	std::vector<int32_t> ids;
	/*
	 * Warm up with one pass over every query: the plan, shared buffers, and the
	 * backend's own mapping of the shared buffer pages it touches (a fresh backend
	 * page-faults on each), so that the figures are those of a pooled connection.
	 */
	for (int i = 0; i < nq; i++)
		run(i, &ids);

	const char *passes_env = std::getenv("PG_CLIENT_PASSES");
	const int passes = passes_env ? std::max(1, std::atoi(passes_env)) : 1;
	const int total = nq * passes;

	std::vector<double> latencies;
	long hits = 0, rows = 0, expected = 0, short_queries = 0;
	/* The server process's CPU time per query: steadier than wall time on a busy machine. */
	int backend = PQbackendPID(conn);
	double cpu0 = process_cpu_seconds(backend);
	auto t0 = std::chrono::steady_clock::now();
	for (int n = 0; n < total; n++)
	{
		const int i = n % nq;
		auto s = std::chrono::steady_clock::now();
		run(i, &ids);
		latencies.push_back(
		    std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - s)
		        .count());
		rows += (long)ids.size();
		std::set<int32_t> truth;
		for (int j = 0; j < k && gt[(size_t)i * gtk + j] >= 0; j++)
			truth.insert(gt[(size_t)i * gtk + j]);
		expected += (long)truth.size();
		if (ids.size() < truth.size())
			short_queries++;
		for (int32_t id : ids)
			hits += truth.count(id);
	}
	double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
	double cpu1 = process_cpu_seconds(backend);
	double server_cpu_ms = cpu0 >= 0 && cpu1 >= 0 ? (cpu1 - cpu0) * 1000.0 / total : -1;
	std::sort(latencies.begin(), latencies.end());
	std::printf(
	    "{\"queries\": %d, \"recall\": %.4f, \"qps\": %.1f, \"p50_ms\": %.3f, \"p99_ms\": %.3f, "
	    "\"rows\": %.2f, \"short\": %ld, \"server_cpu_ms\": %.3f}\n",
	    total, expected ? (double)hits / (double)expected : 1.0, total / seconds,
	    latencies[total / 2], latencies[(size_t)(total * 0.99)], (double)rows / total,
	    short_queries, server_cpu_ms);
	PQfinish(conn);
	return 0;
}

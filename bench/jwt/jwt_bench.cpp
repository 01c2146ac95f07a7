// jwt_bench.cpp: verifications per second of a typical ~300-byte HS256 token, by
// vecrbac's C++ core and by libjwt 1.10 (Debian libjwt-dev, OpenSSL backend), on
// the same token and key, in one run.
//
// What each side does per iteration:
//  - vecrbac/verify: the whole of vecrbac::jwt::verify with a prebuilt Key (what
//    the rbac part does with its configured secrets): size cap, strict base64url,
//    strict JSON header (duplicates, UTF-8, depth), algorithm rules, HMAC in constant
//    time, strict JSON claims into a DOM, exp/nbf/iat types and times.
//  - vecrbac/verify+key: the same plus building the Key from the secret, as the SQL
//    function jwt_verify does on every call.
//  - libjwt/decode+exp: jwt_decode with the key (base64, JSON parse of header and
//    claims with jansson, HMAC with OpenSSL), reading "exp" and comparing it with the
//    clock (libjwt 1.10 has no claim validation of its own), jwt_free.
#include "jwt/jwt.h"

#include <benchmark/benchmark.h>
#include <jwt.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>
#include <vector>

namespace
{

using namespace vecrbac::jwt;

const std::string kSecret = "bench-secret-0123456789abcdef-0123456789";

// Qdrant-style claims: ~300 bytes once signed.
std::string make_token()
{
	static const std::string claims =
	    R"({"sub":"user-4242","iat":1700000000,"exp":4102444800,)"
	    R"("access":[{"collection":"documents","access":"r","payload":{"tenant":"acme-corp"}},)"
	    R"({"collection":"images","access":"rw"}]})";
	return sign(claims, Key::hmac(kSecret), Alg::HS256);
}

const std::string &token()
{
	static const std::string t = make_token();
	return t;
}

void BM_vecrbac_verify(benchmark::State &state)
{
	const std::vector<Key> keys = {Key::hmac(kSecret)};
	VerifyOptions opt;
	const std::string &t = token();
	for (auto _ : state)
	{
		VerifiedToken v = verify(t, keys, opt);
		benchmark::DoNotOptimize(v.exp);
	}
	state.counters["verifications/s"] =
	    benchmark::Counter(state.iterations(), benchmark::Counter::kIsRate);
	state.SetLabel(std::to_string(t.size()) + "-byte token");
}

void BM_vecrbac_verify_with_key_setup(benchmark::State &state)
{
	VerifyOptions opt;
	const std::string &t = token();
	for (auto _ : state)
	{
		const Key keys[1] = {Key::hmac(kSecret)};
		VerifiedToken v = verify(t, keys, opt);
		benchmark::DoNotOptimize(v.exp);
	}
	state.counters["verifications/s"] =
	    benchmark::Counter(state.iterations(), benchmark::Counter::kIsRate);
}

void BM_libjwt_decode_and_exp(benchmark::State &state)
{
	const std::string &t = token();
	const auto *key = reinterpret_cast<const unsigned char *>(kSecret.data());
	for (auto _ : state)
	{
		jwt_t *j = nullptr;
		if (jwt_decode(&j, t.c_str(), key, static_cast<int>(kSecret.size())) != 0 ||
		    jwt_get_alg(j) != JWT_ALG_HS256)
			state.SkipWithError("libjwt refused the token");
		long exp = jwt_get_grant_int(j, "exp");
		if (exp <= static_cast<long>(std::time(nullptr)))
			state.SkipWithError("expired?");
		benchmark::DoNotOptimize(exp);
		jwt_free(j);
	}
	state.counters["verifications/s"] =
	    benchmark::Counter(state.iterations(), benchmark::Counter::kIsRate);
}

} // namespace

BENCHMARK(BM_vecrbac_verify);
BENCHMARK(BM_vecrbac_verify_with_key_setup);
BENCHMARK(BM_libjwt_decode_and_exp);

int main(int argc, char **argv)
{
	// Both implementations must accept the token, or the comparison is meaningless.
	jwt_t *j = nullptr;
	if (jwt_decode(&j, token().c_str(), reinterpret_cast<const unsigned char *>(kSecret.data()),
	               static_cast<int>(kSecret.size())) != 0)
	{
		std::fprintf(stderr, "libjwt does not accept the benchmark token\n");
		return 1;
	}
	jwt_free(j);
	std::printf("token (%zu bytes): %s\n", token().size(), token().c_str());
	benchmark::Initialize(&argc, argv);
	benchmark::RunSpecifiedBenchmarks();
	benchmark::Shutdown();
	return 0;
}

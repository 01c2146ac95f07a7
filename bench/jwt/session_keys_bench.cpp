// session_keys_bench.cpp: what a session token costs by the kind of its key, in one run.
//
//  - verify/<alg>: a first verification (jwt::verify with the key kept, as the session
//    cache holds its keys), for HS256 with the secret and for RS256, PS256, ES256 and
//    EdDSA with a public key; the same Qdrant-style claims in each token.
//  - session/<alg>/cached: what every later statement pays for that token,
//    TokenCache::get finding it among 16 cached tokens (the cache's capacity), with
//    vecrbac.jwks holding the four asymmetric keys and the HMAC secret set.
//  - session/<alg>/first: TokenCache::get of a token it has not seen (a new token each
//    time): signature, claims, grants, the kid choosing the key.
//
// Keys are the fuzz corpus's and the unit tests' fixtures (test/...), read at start.
#include "jwt/base64url.h"
#include "jwt/jwks.h"
#include "jwt/jwt.h"
#include "rbac/session.h"

#include <benchmark/benchmark.h>

#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

namespace
{

using namespace vecrbac::jwt;

const std::string kSecret = "bench-secret-0123456789abcdef-0123456789";
const char *const kCorpus = "test/fuzz/corpus/jwt_json_keys_fuzzer/";

// A corpus file's text without its selector byte.
std::string corpus(const std::string &name)
{
	std::ifstream in(std::string(kCorpus) + name, std::ios::binary);
	std::stringstream s;
	s << in.rdbuf();
	std::string text = s.str();
	if (text.empty())
	{
		std::fprintf(stderr, "missing %s%s (run from the repository's root)\n", kCorpus,
		             name.c_str());
		std::exit(1);
	}
	return text.substr(1);
}

struct Signer
{
	Alg alg;
	std::string kid;
	Key private_key;
	std::string public_jwk; // with kid and alg
};

std::string with_kid(const std::string &jwk, const std::string &kid, Alg alg)
{
	return R"({"kid":")" + kid + R"(","alg":")" + alg_name(alg) + R"(",)" + jwk.substr(1);
}

const std::map<std::string, Signer> &signers()
{
	static const std::map<std::string, Signer> s = []
	{
		std::map<std::string, Signer> m;
		std::string rsa_public = corpus("public_rsa_public_jwk");
		Key rsa_private = Key::private_key(corpus("private_rsa_private_jwk"));
		// key_ops restrict the corpus keys to verify/sign: fine for both RSA algorithms
		m.emplace("RS256",
		          Signer{Alg::RS256, "rs", rsa_private, with_kid(rsa_public, "rs", Alg::RS256)});
		m.emplace("PS256",
		          Signer{Alg::PS256, "ps", rsa_private, with_kid(rsa_public, "ps", Alg::PS256)});
		m.emplace("ES256",
		          Signer{Alg::ES256, "ec", Key::private_key(corpus("private_ec_private_pem")),
		                 with_kid(corpus("public_ec_public_jwk"), "ec", Alg::ES256)});
		m.emplace("EdDSA",
		          Signer{Alg::EdDSA, "ed", Key::private_key(corpus("private_ed25519_private_pem")),
		                 with_kid(corpus("public_ed25519_public_jwk"), "ed", Alg::EdDSA)});
		return m;
	}();
	return s;
}

std::string jwks_document()
{
	std::string doc = R"({"keys":[)";
	bool first = true;
	for (const auto &[name, s] : signers())
	{
		doc += (first ? "" : ",") + s.public_jwk;
		first = false;
	}
	return doc + "]}";
}

// Qdrant-style claims, as in jwt_bench.cpp; n makes each token distinct.
std::string claims(long n)
{
	return R"({"sub":"user-)" + std::to_string(n) +
	       R"(","iat":1700000000,"exp":4102444800,)"
	       R"("access":[{"collection":"documents","access":"r","payload":{"tenant":"acme-corp"}},)"
	       R"({"collection":"images","access":"rw"}]})";
}

std::string token(const std::string &alg, long n)
{
	if (alg == "HS256")
		return sign(claims(n), Key::hmac(kSecret), Alg::HS256);
	const Signer &s = signers().at(alg);
	std::string header =
	    std::string(R"({"alg":")") + alg_name(s.alg) + R"(","typ":"JWT","kid":")" + s.kid + "\"}";
	return sign_segments(base64url::encode(header), base64url::encode(claims(n)), s.private_key,
	                     s.alg);
}

void verify_kept_key(benchmark::State &state, const std::string &alg)
{
	std::vector<Key> keys;
	VerifyOptions opt;
	if (alg == "HS256")
		keys.push_back(Key::hmac(kSecret));
	else
	{
		const Signer &s = signers().at(alg);
		keys.push_back(parse_jwks(R"({"keys":[)" + s.public_jwk + "]}")[0].key);
		opt.algorithms = AlgSet{s.alg};
	}
	std::string t = token(alg, 1);
	for (auto _ : state)
		benchmark::DoNotOptimize(verify(t, keys, opt).exp);
	state.counters["verifications/s"] =
	    benchmark::Counter(state.iterations(), benchmark::Counter::kIsRate);
	state.SetLabel(std::to_string(t.size()) + "-byte token");
}

vecrbac::rbac::SessionConfig config(const std::string &jwks)
{
	vecrbac::rbac::SessionConfig c;
	c.secret = kSecret;
	c.jwks = jwks;
	return c;
}

void session_cached(benchmark::State &state, const std::string &alg)
{
	std::string jwks = jwks_document();
	vecrbac::rbac::SessionConfig c = config(jwks);
	vecrbac::rbac::TokenCache cache;
	std::vector<std::string> tokens;
	for (long i = 0; i < 16; i++) // a full cache, and the token asked for is the last one found
		tokens.push_back(token(alg, i));
	for (const std::string &t : tokens)
		cache.get(t, c, 1, 1700000000);
	const std::string &t = tokens.back();
	for (auto _ : state)
		benchmark::DoNotOptimize(cache.get(t, c, 1, 1700000000));
	state.counters["statements/s"] =
	    benchmark::Counter(state.iterations(), benchmark::Counter::kIsRate);
	state.SetLabel(std::to_string(t.size()) + "-byte token");
}

void session_first(benchmark::State &state, const std::string &alg)
{
	std::string jwks = jwks_document();
	vecrbac::rbac::SessionConfig c = config(jwks);
	vecrbac::rbac::TokenCache cache;
	std::vector<std::string> tokens;
	for (long i = 0; i < 512; i++)
		tokens.push_back(token(alg, i));
	std::uint64_t generation = 1;
	std::size_t i = 0;
	for (auto _ : state)
	{
		if (i == tokens.size())
		{
			i = 0;
			generation++; // empties the cache, so every get verifies
		}
		benchmark::DoNotOptimize(cache.get(tokens[i++], c, generation, 1700000000));
	}
	state.counters["verifications/s"] =
	    benchmark::Counter(state.iterations(), benchmark::Counter::kIsRate);
}

} // namespace

int main(int argc, char **argv)
{
	for (const char *alg : {"HS256", "RS256", "PS256", "ES256", "EdDSA"})
	{
		std::string a = alg;
		benchmark::RegisterBenchmark(("verify/" + a).c_str(), verify_kept_key, a);
		benchmark::RegisterBenchmark(("session/" + a + "/first").c_str(), session_first, a);
		benchmark::RegisterBenchmark(("session/" + a + "/cached").c_str(), session_cached, a);
	}
	benchmark::Initialize(&argc, argv);
	benchmark::RunSpecifiedBenchmarks();
	return 0;
}

// jwks_test_util.h: key sets built from the fixtures' keys, and tokens naming them by kid.
#pragma once

#include "jwt/jwks.h"
#include "jwt_fixtures.h"
#include "jwt_test_util.h"

#include <initializer_list>
#include <string>

namespace jwks_test
{

using namespace jwt_test;

// A fixture JWK with kid and alg members added in front.
inline std::string with(const char *jwk, const std::string &kid, const std::string &alg)
{
	return R"({"kid":")" + kid + R"(","alg":")" + alg + R"(",)" + std::string(jwk).substr(1);
}

inline std::string set_of(std::initializer_list<std::string> keys)
{
	std::string s = R"({"keys":[)";
	bool first = true;
	for (const std::string &k : keys)
	{
		s += (first ? "" : ",") + k;
		first = false;
	}
	return s + "]}";
}

inline const std::string kEd = with(jwt_fixtures::ED25519_PUBLIC_JWK, "ed-1", "EdDSA");
inline const std::string kEc = with(jwt_fixtures::RFC7515_A3_PUBLIC_JWK, "ec-1", "ES256");

inline std::string signed_with(const char *private_jwk, Alg alg, const std::string &kid,
                               const std::string &claims)
{
	std::string header = std::string(R"({"alg":")") + alg_name(alg) + R"(","typ":"JWT")" +
	                     (kid.empty() ? "" : R"(,"kid":")" + kid + "\"") + "}";
	return token_raw(header, claims, Key::private_key(private_jwk), alg);
}

} // namespace jwks_test

// fuzz_common.h: keys and helpers shared by the JWT fuzz targets.
//
// A fuzz target may only fail by crashing or by a sanitizer report: every SqlError
// (the documented way to refuse) is caught; any other exception escapes and aborts.
#pragma once

#include "jwt/base64url.h"
#include "jwt/jwt.h"

#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>
#include <vector>

namespace jwt_fuzz
{

using namespace vecrbac::jwt;

// RFC 8037 A.1 (Ed25519) and RFC 7515 A.3 (P-256) keys, and the test-only RSA key of
// test/unit/jwt_fixtures.h.
inline constexpr const char *kEdPrivate =
    R"({"kty":"OKP","crv":"Ed25519","d":"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"})";
inline constexpr const char *kEdPublic =
    R"({"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"})";
inline constexpr const char *kEcPublic =
    R"({"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"})";
inline constexpr const char *kEcPrivate =
    R"({"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0","d":"jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI"})";
inline constexpr const char *kRsaPublic = R"(-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAzErejp8SffgVBzOMW34e
CQqKYSFTZWRljzM1kknRA5tVfJj7I22hqvwqu74Vy3rAEkWrgzIbtij69OhWG6Mj
ONyOvKYut1CuheKNcRQT0ZRt7TNu86KAf/3Nh3xg5+VwCqsiovsSDLc6P5YVVddt
HOo4GT4VyKYJb6aXfc95NrxH6oQxrohM/YMqAG6JHnLq7vVxqa4iQy6ZX9OVV2UT
g1cpCWhOQGnZn1y5wcmb5vk1LUjwh4bSmuox+YOruLJ/ZiadLh+kPV4CRzTgD00h
Wz1cbEGyX5sn86ZfiPMcrcQRe15rU5HViBGmFqWikoSojAMey4GSH9AszVYT9k5T
owIDAQAB
-----END PUBLIC KEY-----
)";

inline const std::string kSecret64(64, 'k');

inline VerifyOptions options(AlgSet algs)
{
	VerifyOptions o;
	o.algorithms = algs;
	o.now = 1700000000;
	return o;
}

// Runs f; a SqlError is an expected outcome, anything else aborts.
template <typename F> bool attempt(F &&f)
{
	try
	{
		f();
		return true;
	}
	catch (const vecrbac::SqlError &e)
	{
		// Every SqlError carries one of the two documented SQLSTATEs.
		std::string_view s = e.sqlstate();
		if (s != "28000" && s != "22023")
			std::abort();
		return false;
	}
}

} // namespace jwt_fuzz

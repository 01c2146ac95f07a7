// jwt_jwks_test.cpp: key sets chosen by kid (jwt/jwks.h).
#include "jwks_test_util.h"
#include "common/sql_error.h"

#include <gtest/gtest.h>

#include <string>

using namespace jwt_test;
using namespace jwks_test;
using vecrbac::SqlError;

namespace
{

std::string problem(const std::string &jwks)
{
	try
	{
		parse_jwks(jwks);
	}
	catch (const SqlError &e)
	{
		return std::string(e.sqlstate()) + " " + e.what();
	}
	return "accepted";
}

} // namespace

TEST(Jwks, ParsesKeysByKid)
{
	std::vector<JwksKey> keys = parse_jwks(set_of({kEd, kEc}));
	ASSERT_EQ(keys.size(), 2u);
	ASSERT_NE(find_kid(keys, "ec-1"), nullptr);
	EXPECT_EQ(find_kid(keys, "ec-1")->alg, Alg::ES256);
	EXPECT_EQ(find_kid(keys, "ed-1")->alg, Alg::EdDSA);
	EXPECT_EQ(find_kid(keys, "nope"), nullptr);
	EXPECT_TRUE(parse_jwks("").empty());
	EXPECT_TRUE(parse_jwks(R"({"keys":[]})").empty());
}

TEST(Jwks, RefusesWhatIdentityProvidersMustNotSend)
{
	EXPECT_EQ(problem("{"), "22023 vecrbac.jwks is not valid JSON (syntax error)");
	EXPECT_EQ(problem(R"([])"), "22023 vecrbac.jwks must be a JSON Web Key Set: {\"keys\": [...]}");
	EXPECT_EQ(problem(set_of({jwt_fixtures::ED25519_PUBLIC_JWK})),
	          "22023 vecrbac.jwks: key 1: a key needs a non-empty string \"kid\"");
	EXPECT_EQ(problem(set_of({kEd, kEd})),
	          "22023 vecrbac.jwks: key 2 (kid \"ed-1\"): a second key with this kid");
	EXPECT_EQ(
	    problem(
	        set_of({R"({"kid":"x",)" + std::string(jwt_fixtures::ED25519_PUBLIC_JWK).substr(1)})),
	    "22023 vecrbac.jwks: key 1 (kid \"x\"): a key needs \"alg\": RS256, PS256, ES256 or EdDSA");
	EXPECT_EQ(
	    problem(set_of({with(jwt_fixtures::ED25519_PUBLIC_JWK, "h", "HS256")})),
	    "22023 vecrbac.jwks: key 1 (kid \"h\"): a key needs \"alg\": RS256, PS256, ES256 or EdDSA");
	EXPECT_NE(problem(set_of({with(jwt_fixtures::ED25519_PUBLIC_JWK, "wrong", "ES256")}))
	              .find("key 1 (kid \"wrong\")"),
	          std::string::npos);
	// private members never belong in a verification key set
	EXPECT_NE(problem(set_of({with(jwt_fixtures::ED25519_PRIVATE_JWK, "priv", "EdDSA")})),
	          "accepted");
	EXPECT_NE(
	    problem(set_of({with(R"({"kty":"EC","crv":"P-256","x":"1","y":"2"})", "bad", "ES256")})),
	    "accepted");
	std::string many = R"({"keys":[)";
	for (int i = 0; i <= 64; i++)
		many += (i ? "," : "") +
		        with(jwt_fixtures::ED25519_PUBLIC_JWK, "k" + std::to_string(i), "EdDSA");
	EXPECT_EQ(problem(many + "]}"), "22023 vecrbac.jwks has more than 64 keys");
}

TEST(Jwks, PeeksTheKidOnly)
{
	std::string t = signed_with(jwt_fixtures::ED25519_PRIVATE_JWK, Alg::EdDSA, "ed-1", kClaims);
	EXPECT_EQ(peek_kid(t, 8192), "ed-1");
	EXPECT_EQ(
	    peek_kid(signed_with(jwt_fixtures::ED25519_PRIVATE_JWK, Alg::EdDSA, "", kClaims), 8192),
	    std::nullopt);
	EXPECT_EQ(peek_kid("not a token", 8192), std::nullopt);
	EXPECT_EQ(peek_kid(b64(R"({"kid":7})") + ".e30.", 8192), std::nullopt);
	EXPECT_EQ(peek_kid(t, 16), std::nullopt);
}

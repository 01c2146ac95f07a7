// rbac_jwks_test.cpp: session tokens verified with the key set of vecrbac.jwks, chosen by kid
// (rbac/session.h).
#include "jwks_test_util.h"
#include "common/sql_error.h"
#include "rbac/session.h"

#include <gtest/gtest.h>

#include <string>

using namespace jwt_test;
using namespace jwks_test;
using vecrbac::SqlError;

TEST(RbacJwks, SessionTokensChooseTheirKeyByKid)
{
	using namespace vecrbac::rbac;
	const std::string claims = R"({"exp":1700003600,"access":"r"})";
	std::string jwks = set_of({kEd, kEc});
	SessionConfig c;
	c.jwks = jwks;
	auto refusal = [&](TokenCache &cache, const std::string &t, std::uint64_t gen)
	{
		try
		{
			cache.get(t, c, gen, kNow);
		}
		catch (const SqlError &e)
		{
			return std::string(e.sqlstate()) + " " + e.what();
		}
		return std::string("accepted");
	};
	TokenCache cache;
	std::string ed = signed_with(jwt_fixtures::ED25519_PRIVATE_JWK, Alg::EdDSA, "ed-1", claims);
	std::string ec = signed_with(jwt_fixtures::RFC7515_A3_PRIVATE_JWK, Alg::ES256, "ec-1", claims);
	EXPECT_EQ(refusal(cache, ed, 1), "accepted");
	EXPECT_EQ(refusal(cache, ec, 1), "accepted");
	// the kid chooses the key; the key's configured algorithm must be the token's
	EXPECT_EQ(refusal(cache,
	                  signed_with(jwt_fixtures::RFC7515_A3_PRIVATE_JWK, Alg::ES256, "ed-1", claims),
	                  1),
	          "28000 algorithm not allowed");
	EXPECT_EQ(refusal(cache,
	                  signed_with(jwt_fixtures::ED25519_PRIVATE_JWK, Alg::EdDSA, "other", claims),
	                  1),
	          "28000 token key id (kid) is not in vecrbac.jwks");
	EXPECT_EQ(
	    refusal(cache, signed_with(jwt_fixtures::ED25519_PRIVATE_JWK, Alg::EdDSA, "", claims), 1),
	    "28000 token has no \"kid\": the keys of vecrbac.jwks are chosen by kid");
	// an HMAC token (no kid) still verifies with the secret beside the key set
	std::string secret = "a test secret of at least thirty-two bytes";
	c.secret = secret;
	EXPECT_EQ(refusal(cache, token_raw(kHeaderHS256, claims, Key::hmac(secret)), 2), "accepted");
	// rotation: the old key leaves the set, its tokens stop verifying
	std::string rotated = set_of({kEc});
	c.jwks = rotated;
	EXPECT_EQ(refusal(cache, ed, 3), "28000 token key id (kid) is not in vecrbac.jwks");
	EXPECT_EQ(refusal(cache, ec, 3), "accepted");
}

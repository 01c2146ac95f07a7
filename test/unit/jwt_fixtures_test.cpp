// The RFC examples and tokens minted by PyJWT, each with its expected outcome.
#include "jwt_fixtures.h"
#include "jwt_test_util.h"

using namespace jwt_test;
using namespace jwt_fixtures;

namespace
{

VerifyOptions at(std::int64_t now, AlgSet algs)
{
	VerifyOptions o = opts(algs);
	o.now = now;
	return o;
}

// RFC 7515 A.1: HS256 with a 64-byte key. exp 1300819380 is long past: with the real
// clock the token is expired; with a clock before exp it verifies. Its JSON contains
// CR LF line breaks, which are JSON whitespace.
TEST(JwtFixtures, Rfc7515A1Hs256)
{
	std::vector<Key> keys = {Key::hmac(unb64(RFC7515_A1_KEY_B64))};
	ASSERT_EQ(unb64(RFC7515_A1_KEY_B64).size(), 64u);
	VerifiedToken t = verify(RFC7515_A1_TOKEN, keys, at(RFC7515_EXP - 10, {Alg::HS256}));
	EXPECT_EQ(t.claims.find("iss")->text(), "joe");
	EXPECT_TRUE(t.claims.find("http://example.com/is_root")->as_bool());
	EXPECT_EQ(t.exp, RFC7515_EXP);
	EXPECT_EQ(t.claims_json,
	          "{\"iss\":\"joe\",\r\n \"exp\":1300819380,\r\n \"http://example.com/is_root\":true}");
	EXPECT_EQ(t.header.find("typ")->text(), "JWT");

	VerifyOptions real = opts();
	real.now.reset();
	EXPECT_REJECTED(verify(RFC7515_A1_TOKEN, keys, real), "token expired");
	// exp + leeway is the boundary.
	EXPECT_NO_THROW(verify(RFC7515_A1_TOKEN, keys, at(RFC7515_EXP + 29, {Alg::HS256})));
	EXPECT_REJECTED(verify(RFC7515_A1_TOKEN, keys, at(RFC7515_EXP + 30, {Alg::HS256})),
	                "token expired");
	// Its signature with another key, or its header byte changed, fails.
	EXPECT_REJECTED(verify(RFC7515_A1_TOKEN, hmac_keys(), at(RFC7515_EXP - 10, {Alg::HS256})),
	                "invalid signature");
}

// RFC 7515 A.3: ES256 with a JWK public key; same claims as A.1.
TEST(JwtFixtures, Rfc7515A3Es256)
{
	std::vector<Key> keys = {Key::public_key(RFC7515_A3_PUBLIC_JWK)};
	VerifiedToken t = verify(RFC7515_A3_TOKEN, keys, at(RFC7515_EXP - 10, {Alg::ES256}));
	EXPECT_EQ(t.alg, Alg::ES256);
	EXPECT_EQ(t.claims.find("iss")->text(), "joe");
	EXPECT_REJECTED(verify(RFC7515_A3_TOKEN, keys, at(RFC7515_EXP + 30, {Alg::ES256})),
	                "token expired");
	// Under an HMAC configuration the header's ES256 is simply not allowed.
	EXPECT_REJECTED(verify(RFC7515_A3_TOKEN, hmac_keys(), at(RFC7515_EXP - 10, {Alg::HS256})),
	                "algorithm not allowed");
}

// RFC 8037 A.4: a valid Ed25519 signature over a payload that is not JSON. The
// signature check passes (it comes first); the token is then refused as a JWT
// because its claims are not JSON.
TEST(JwtFixtures, Rfc8037A4Ed25519)
{
	std::vector<Key> keys = {Key::public_key(RFC8037_PUBLIC_JWK)};
	EXPECT_REJECTED(verify(RFC8037_A4_TOKEN, keys, at(kNow, {Alg::EdDSA})),
	                "malformed token: claims are not valid JSON");
	// Proof that the signature itself is good: the same bytes with one signature bit
	// flipped fail at the signature instead.
	auto s = segments(RFC8037_A4_TOKEN);
	std::string sig = unb64(s[2]);
	sig[0] ^= 1;
	EXPECT_REJECTED(verify(join(s[0], s[1], b64(sig)), keys, at(kNow, {Alg::EdDSA})),
	                "invalid signature");
	// Signing the same input with the RFC's private key gives the RFC's signature
	// (Ed25519 is deterministic).
	EXPECT_EQ(sign_segments(s[0], s[1], Key::private_key(RFC8037_PRIVATE_JWK), Alg::EdDSA),
	          RFC8037_A4_TOKEN);
}

// RFC 7520 4.4: HS256 with the RFC's "oct" JWK (32 bytes) and a kid; the payload is
// text, not JSON: the signature verifies, the claims are refused.
TEST(JwtFixtures, Rfc7520Section4_4Hs256)
{
	std::vector<Key> keys = {Key::hmac(unb64(RFC7520_4_4_KEY_B64))};
	EXPECT_REJECTED(verify(RFC7520_4_4_TOKEN, keys, opts()),
	                "malformed token: claims are not valid JSON");
	EXPECT_REJECTED(verify(RFC7520_4_4_TOKEN, hmac_keys(), opts()), "invalid signature");
	// The JWK form itself is not accepted as an HMAC secret.
	EXPECT_BAD_CONFIG(
	    Key::hmac(R"({"kty":"oct","k":"hJtXIZ2uSN5kbQfbtTNWbpdmhkV8FJG-Onbc6mxCcYg"})"),
	    "looks like");
}

// RFC 7519 6.1: the unsecured JWT. Refused whatever the clock and key.
TEST(JwtFixtures, Rfc7519UnsecuredToken)
{
	EXPECT_REJECTED(
	    verify(RFC7519_UNSECURED_TOKEN, hmac_keys(), at(RFC7515_EXP - 10, {Alg::HS256})),
	    "algorithm not allowed: unsecured tokens (\"none\") are refused");
	EXPECT_REJECTED(verify(RFC7519_UNSECURED_TOKEN,
	                       std::vector<Key>{Key::public_key(RFC8037_PUBLIC_JWK)},
	                       at(RFC7515_EXP - 10, {Alg::EdDSA})),
	                "unsecured tokens");
}

// PyJWT 2.6.0 tokens verify with PEM and JWK public keys.
TEST(JwtFixtures, PyjwtTokens)
{
	auto check = [&](const char *token, std::vector<Key> keys, Alg alg)
	{
		VerifiedToken t = verify(token, keys, at(kPyjwtIat + 60, {alg}));
		EXPECT_EQ(t.alg, alg);
		EXPECT_EQ(t.claims.find("sub")->text(), "pyjwt");
		EXPECT_EQ(t.exp, kPyjwtExp);
		EXPECT_EQ(t.iat, kPyjwtIat);
		const Json *access = t.claims.find("access");
		ASSERT_TRUE(access && access->is_array());
		EXPECT_EQ(access->items()[0].find("collection")->text(), "docs");
		EXPECT_REJECTED(verify(token, keys, at(kPyjwtExp + 30, {alg})), "token expired");
	};
	std::string secret = kPyjwtSecret;
	check(PYJWT_HS256, {Key::hmac(secret)}, Alg::HS256);
	check(PYJWT_HS384, {Key::hmac(secret + secret)}, Alg::HS384);
	check(PYJWT_HS512, {Key::hmac(secret + secret)}, Alg::HS512);
	check(PYJWT_EDDSA, {Key::public_key(ED25519_PUBLIC_PEM)}, Alg::EdDSA);
	check(PYJWT_EDDSA, {Key::public_key(ED25519_PUBLIC_JWK)}, Alg::EdDSA);
	check(PYJWT_ES256, {Key::public_key(EC_PUBLIC_PEM)}, Alg::ES256);
	check(PYJWT_ES256, {Key::public_key(EC_PUBLIC_JWK)}, Alg::ES256);
	check(PYJWT_RS256, {Key::public_key(RSA_PUBLIC_PEM)}, Alg::RS256);
	check(PYJWT_RS256, {Key::public_key(RSA_PUBLIC_JWK)}, Alg::RS256);
	check(PYJWT_PS256, {Key::public_key(RSA_PUBLIC_PEM)}, Alg::PS256);
	// Each refused under another algorithm of the same family.
	EXPECT_REJECTED(verify(PYJWT_RS256, std::vector<Key>{Key::public_key(RSA_PUBLIC_PEM)},
	                       at(kPyjwtIat, {Alg::PS256})),
	                "algorithm not allowed");
}

} // namespace

// sign(): header, compact claims, claim validation, key checks, round trips.
#include "jwt_fixtures.h"
#include "jwt_test_util.h"

using namespace jwt_test;
using namespace jwt_fixtures;

namespace
{

TEST(JwtSign, HeaderAndCompactPayload)
{
	std::string t =
	    sign(" { \"sub\" : \"alice\" ,\n \"exp\" : 1700003600 } ", Key::hmac(kSecret), Alg::HS256);
	auto s = segments(t);
	ASSERT_EQ(s.size(), 3u);
	EXPECT_EQ(unb64(s[0]), R"({"alg":"HS256","typ":"JWT"})");
	EXPECT_EQ(unb64(s[1]), R"({"sub":"alice","exp":1700003600})");
	EXPECT_EQ(verify_hs(t).claims.find("sub")->text(), "alice");
	// HMAC is deterministic.
	EXPECT_EQ(t, sign(R"({"sub":"alice","exp":1700003600})", Key::hmac(kSecret), Alg::HS256));
}

TEST(JwtSign, RoundTripEveryAlgorithm)
{
	struct
	{
		Alg alg;
		Key priv;
		Key pub;
	} cases[] = {
	    {Alg::HS256, Key::hmac(kSecret), Key::hmac(kSecret)},
	    {Alg::HS384, Key::hmac(std::string(48, 's')), Key::hmac(std::string(48, 's'))},
	    {Alg::HS512, Key::hmac(std::string(64, 's')), Key::hmac(std::string(64, 's'))},
	    {Alg::EdDSA, Key::private_key(ED25519_PRIVATE_PEM), Key::public_key(ED25519_PUBLIC_JWK)},
	    {Alg::EdDSA, Key::private_key(ED25519_PRIVATE_JWK), Key::public_key(ED25519_PUBLIC_PEM)},
	    {Alg::ES256, Key::private_key(EC_PRIVATE_PEM), Key::public_key(EC_PUBLIC_JWK)},
	    {Alg::ES256, Key::private_key(EC_PRIVATE_JWK), Key::public_key(EC_PUBLIC_PEM)},
	    {Alg::ES256, Key::private_key(EC_PRIVATE_TRADITIONAL_PEM), Key::public_key(EC_PUBLIC_PEM)},
	    {Alg::RS256, Key::private_key(RSA_PRIVATE_PEM), Key::public_key(RSA_PUBLIC_JWK)},
	    {Alg::RS256, Key::private_key(RSA_PRIVATE_JWK), Key::public_key(RSA_PUBLIC_PEM)},
	    {Alg::PS256, Key::private_key(RSA_PRIVATE_PEM), Key::public_key(RSA_PUBLIC_PEM)},
	};
	for (auto &c : cases)
	{
		std::string t = sign(kClaims, c.priv, c.alg);
		VerifiedToken v = verify(t, std::vector<Key>{c.pub}, opts({c.alg}));
		EXPECT_EQ(v.alg, c.alg);
		EXPECT_EQ(v.claims_json, kClaims);
		EXPECT_EQ(unb64(segments(t)[0]),
		          std::string("{\"alg\":\"") + alg_name(c.alg) + "\",\"typ\":\"JWT\"}");
	}
}

TEST(JwtSign, RsaJwkWithoutCrtParametersSigns)
{
	// n, e, d only: OpenSSL signs without the CRT speed-up.
	Json jwk;
	ASSERT_EQ(parse_json_strict(RSA_PRIVATE_JWK, 8, &jwk), JsonError::None);
	std::string minimal = "{\"kty\":\"RSA\",\"n\":\"" + jwk.find("n")->text() + "\",\"e\":\"" +
	                      jwk.find("e")->text() + "\",\"d\":\"" + jwk.find("d")->text() + "\"}";
	std::string t = sign(kClaims, Key::private_key(minimal), Alg::RS256);
	EXPECT_NO_THROW(
	    verify(t, std::vector<Key>{Key::public_key(RSA_PUBLIC_PEM)}, opts({Alg::RS256})));
}

TEST(JwtSign, ClaimsAreValidated)
{
	Key k = Key::hmac(kSecret);
	EXPECT_BAD_CONFIG(sign("[1]", k, Alg::HS256), "claims must be a JSON object");
	EXPECT_BAD_CONFIG(sign("not json", k, Alg::HS256), "claims are not valid JSON (syntax error)");
	EXPECT_BAD_CONFIG(sign(R"({"a":1,"a":2})", k, Alg::HS256), "duplicate member name");
	EXPECT_BAD_CONFIG(sign(R"({"exp":"tomorrow"})", k, Alg::HS256),
	                  "claim \"exp\" must be an integer NumericDate");
	EXPECT_BAD_CONFIG(sign(R"({"nbf":1.5})", k, Alg::HS256),
	                  "claim \"nbf\" must be an integer NumericDate");
	EXPECT_BAD_CONFIG(sign(R"({"iat":-1})", k, Alg::HS256),
	                  "claim \"iat\" must be an integer NumericDate");
	EXPECT_NO_THROW(sign(R"({"sub":"no exp at all"})", k, Alg::HS256));
}

TEST(JwtSign, KeyMustFitAndBePrivate)
{
	EXPECT_BAD_CONFIG(sign(kClaims, Key::hmac(kSecret), Alg::HS384),
	                  "HMAC key must be at least 48 bytes for HS384");
	EXPECT_BAD_CONFIG(sign(kClaims, Key::hmac(std::string(63, 'k')), Alg::HS512),
	                  "at least 64 bytes for HS512");
	EXPECT_BAD_CONFIG(sign(kClaims, Key::hmac(kSecret), Alg::EdDSA),
	                  "key does not fit algorithm EdDSA");
	EXPECT_BAD_CONFIG(sign(kClaims, Key::private_key(EC_PRIVATE_PEM), Alg::EdDSA), "does not fit");
	EXPECT_BAD_CONFIG(sign(kClaims, Key::private_key(RSA_PRIVATE_PEM), Alg::ES256), "does not fit");
	EXPECT_BAD_CONFIG(sign(kClaims, Key::public_key(ED25519_PUBLIC_PEM), Alg::EdDSA),
	                  "signing needs a private key");
	EXPECT_BAD_CONFIG(sign(kClaims, Key::public_key(RSA_PUBLIC_PEM), Alg::RS256),
	                  "signing needs a private key");
}

TEST(JwtSign, EcdsaSignaturesAreRawAndRandomized)
{
	Key k = Key::private_key(EC_PRIVATE_PEM);
	std::string a = sign(kClaims, k, Alg::ES256), b = sign(kClaims, k, Alg::ES256);
	EXPECT_NE(a, b);
	EXPECT_EQ(unb64(segments(a)[2]).size(), 64u);
}

} // namespace

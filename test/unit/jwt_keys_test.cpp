// Keys: HMAC secrets, PEM and JWK public and private keys, and every refusal (22023).
#include "jwt_fixtures.h"
#include "jwt/signature.h"
#include "jwt_test_util.h"

using namespace jwt_test;
using namespace jwt_fixtures;

namespace
{

TEST(JwtKeys, HmacSecretsOfAtLeast32Bytes)
{
	EXPECT_BAD_CONFIG(Key::hmac(""), "at least 32 bytes");
	EXPECT_BAD_CONFIG(Key::hmac(std::string(31, 'k')), "at least 32 bytes");
	Key k = Key::hmac(std::string(32, 'k'));
	EXPECT_EQ(k.family(), AlgFamily::Hmac);
	EXPECT_TRUE(k.fits(Alg::HS256));
	EXPECT_FALSE(k.fits(Alg::HS384)) << "RFC 7518 3.2: key at least the hash size";
	EXPECT_FALSE(k.fits(Alg::HS512));
	EXPECT_FALSE(k.fits(Alg::EdDSA));
	EXPECT_TRUE(Key::hmac(std::string(48, 'k')).fits(Alg::HS384));
	EXPECT_FALSE(Key::hmac(std::string(63, 'k')).fits(Alg::HS512));
	EXPECT_TRUE(Key::hmac(std::string(64, 'k')).fits(Alg::HS512));
	// Any bytes, including NUL and invalid UTF-8, make a secret.
	EXPECT_NO_THROW(Key::hmac(std::string(40, '\0')));
	EXPECT_NO_THROW(Key::hmac(std::string(40, '\xff')));
}

TEST(JwtKeys, HmacSecretThatIsReallyAPublicKeyIsRefused)
{
	// The algorithm-confusion mistake: a verifier handed a public key as HMAC secret.
	EXPECT_BAD_CONFIG(Key::hmac(ED25519_PUBLIC_PEM), "looks like a PEM, JWK or SSH key");
	EXPECT_BAD_CONFIG(Key::hmac(std::string("\n  ") + RSA_PUBLIC_PEM), "looks like");
	EXPECT_BAD_CONFIG(Key::hmac(EC_PUBLIC_JWK), "looks like");
	EXPECT_BAD_CONFIG(Key::hmac(R"({"kty":"oct","k":"AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ"})"),
	                  "looks like");
	EXPECT_BAD_CONFIG(Key::hmac("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIHrzPIo user@host"),
	                  "looks like");
	// A secret that merely starts with '{' is still a secret.
	EXPECT_NO_THROW(Key::hmac("{this is not json but a fine 40-byte secret}"));
	EXPECT_NO_THROW(Key::hmac(R"({"just":"json","without":"a key type"})"));
}

TEST(JwtKeys, PublicKeysFromPemAndJwk)
{
	struct
	{
		const char *text;
		AlgFamily family;
		Alg alg;
	} cases[] = {
	    {ED25519_PUBLIC_PEM, AlgFamily::Ed25519, Alg::EdDSA},
	    {ED25519_PUBLIC_JWK, AlgFamily::Ed25519, Alg::EdDSA},
	    {EC_PUBLIC_PEM, AlgFamily::EcP256, Alg::ES256},
	    {EC_PUBLIC_JWK, AlgFamily::EcP256, Alg::ES256},
	    {RSA_PUBLIC_PEM, AlgFamily::Rsa, Alg::RS256},
	    {RSA_PUBLIC_JWK, AlgFamily::Rsa, Alg::PS256},
	    {RFC7515_A3_PUBLIC_JWK, AlgFamily::EcP256, Alg::ES256},
	    {RFC8037_PUBLIC_JWK, AlgFamily::Ed25519, Alg::EdDSA},
	};
	for (auto &c : cases)
	{
		Key k = Key::public_key(c.text);
		EXPECT_EQ(k.family(), c.family) << c.text;
		EXPECT_FALSE(k.is_private());
		EXPECT_TRUE(k.fits(c.alg));
		EXPECT_FALSE(k.fits(Alg::HS256));
	}
	EXPECT_TRUE(Key::public_key(RSA_PUBLIC_PEM).fits(Alg::PS256));
	EXPECT_FALSE(Key::public_key(RSA_PUBLIC_PEM).fits(Alg::ES256));
	EXPECT_FALSE(Key::public_key(EC_PUBLIC_PEM).fits(Alg::EdDSA));
}

TEST(JwtKeys, PrivateKeysFromPemAndJwk)
{
	for (const char *text : {ED25519_PRIVATE_PEM, ED25519_PRIVATE_JWK, EC_PRIVATE_PEM,
	                         EC_PRIVATE_JWK, EC_PRIVATE_TRADITIONAL_PEM, RSA_PRIVATE_PEM,
	                         RSA_PRIVATE_JWK, RFC7515_A3_PRIVATE_JWK, RFC8037_PRIVATE_JWK})
	{
		Key k = Key::private_key(text);
		EXPECT_TRUE(k.is_private()) << text;
	}
}

TEST(JwtKeys, PrivateWherePublicExpectedAndViceVersa)
{
	for (const char *text : {ED25519_PRIVATE_PEM, EC_PRIVATE_PEM, EC_PRIVATE_TRADITIONAL_PEM,
	                         RSA_PRIVATE_PEM, ED25519_PRIVATE_JWK, EC_PRIVATE_JWK, RSA_PRIVATE_JWK})
		EXPECT_BAD_CONFIG(Key::public_key(text),
		                  "private key was given where a public key is expected");
	for (const char *text : {ED25519_PUBLIC_JWK, EC_PUBLIC_JWK, RSA_PUBLIC_JWK})
		EXPECT_BAD_CONFIG(Key::private_key(text),
		                  "public key was given where a private key is expected");
	for (const char *text : {ED25519_PUBLIC_PEM, EC_PUBLIC_PEM, RSA_PUBLIC_PEM})
		EXPECT_BAD_CONFIG(Key::private_key(text), "not a PEM private key");
}

TEST(JwtKeys, UnsupportedKeyTypesAndSizes)
{
	EXPECT_BAD_CONFIG(Key::public_key(RSA1024_PUBLIC_PEM), "2048 to 8192 bits");
	EXPECT_BAD_CONFIG(Key::private_key(RSA1024_PRIVATE_PEM), "2048 to 8192 bits");
	EXPECT_BAD_CONFIG(Key::public_key(SECP256K1_PUBLIC_PEM), "P-256 or P-384");
	EXPECT_BAD_CONFIG(Key::public_key(ED448_PUBLIC_PEM), "unsupported key type");
	EXPECT_BAD_CONFIG(Key::private_key(ED448_PRIVATE_PEM), "unsupported key type");
	EXPECT_BAD_CONFIG(Key::private_key(EC_PRIVATE_ENCRYPTED_PEM),
	                  "encrypted keys are not supported");
}

TEST(JwtKeys, GarbageIsRefused)
{
	EXPECT_BAD_CONFIG(Key::public_key(""), "public key must be PEM or JWK");
	EXPECT_BAD_CONFIG(Key::public_key(kSecret), "public key must be PEM or JWK");
	EXPECT_BAD_CONFIG(Key::private_key("MIIEvQIBADANBg"), "private key must be PEM or JWK");
	EXPECT_BAD_CONFIG(
	    Key::public_key("-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----\n"),
	    "not a PEM public key");
	EXPECT_BAD_CONFIG(
	    Key::public_key("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"),
	    "not a PEM public key");
	EXPECT_BAD_CONFIG(Key::public_key("{not json"), "neither PEM nor a valid JWK");
	EXPECT_BAD_CONFIG(Key::public_key("[]"), "must be PEM or JWK");
	EXPECT_BAD_CONFIG(Key::public_key(std::string(70000, ' ') + "{}"), "too long");
}

TEST(JwtKeys, JwkRules)
{
	auto pub = [](const std::string &j) { return Key::public_key(j); };
	const std::string x = "\"x\":\"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo\"";
	EXPECT_NO_THROW(pub("{\"kty\":\"OKP\",\"crv\":\"Ed25519\"," + x + "}"));
	EXPECT_BAD_CONFIG(pub("{\"crv\":\"Ed25519\"," + x + "}"), "no \"kty\"");
	EXPECT_BAD_CONFIG(pub("{\"kty\":\"OKP\",\"kty\":\"OKP\",\"crv\":\"Ed25519\"," + x + "}"),
	                  "valid JWK");
	EXPECT_BAD_CONFIG(pub(R"({"kty":"oct","k":"hJtXIZ2uSN5kbQfbtTNWbpdmhkV8FJG-Onbc6mxCcYg"})"),
	                  "is an HMAC secret");
	EXPECT_BAD_CONFIG(pub("{\"kty\":\"XYZ\"}"), "unsupported JWK key type");
	EXPECT_BAD_CONFIG(pub("{\"kty\":\"OKP\",\"crv\":\"Ed448\"," + x + "}"), "Ed25519");
	EXPECT_BAD_CONFIG(pub("{\"kty\":\"OKP\",\"crv\":\"X25519\"," + x + "}"), "Ed25519");
	EXPECT_BAD_CONFIG(
	    pub("{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"" + b64(std::string(31, 'a')) + "\"}"),
	    "\"x\" must be 32 bytes");
	EXPECT_BAD_CONFIG(
	    pub("{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"" + b64(std::string(33, 'a')) + "\"}"),
	    "\"x\" must be 32 bytes");
	EXPECT_BAD_CONFIG(
	    pub(R"({"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHUR"})"),
	    "not strict base64url");
	EXPECT_BAD_CONFIG(
	    pub(R"({"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo="})"),
	    "not strict base64url");
	EXPECT_BAD_CONFIG(pub(R"({"kty":"OKP","crv":"Ed25519","x":11})"), "must be a string");
	EXPECT_BAD_CONFIG(pub("{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"use\":\"enc\"," + x + "}"),
	                  "\"use\" must be \"sig\"");
	EXPECT_NO_THROW(pub("{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"use\":\"sig\"," + x + "}"));
	EXPECT_BAD_CONFIG(pub("{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"key_ops\":[\"sign\"]," + x + "}"),
	                  "does not allow \"verify\"");
	EXPECT_BAD_CONFIG(pub("{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"key_ops\":\"verify\"," + x + "}"),
	                  "array of strings");
	EXPECT_BAD_CONFIG(pub("{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"alg\":\"ES256\"," + x + "}"),
	                  "does not fit its key type");
	EXPECT_BAD_CONFIG(pub("{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"alg\":\"none\"," + x + "}"),
	                  "not a supported algorithm");
	Key restricted =
	    pub("{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"alg\":\"EdDSA\",\"kid\":\"k1\"," + x + "}");
	EXPECT_EQ(restricted.restricted_to(), Alg::EdDSA);

	// EC: coordinates of full length, on the curve.
	EXPECT_BAD_CONFIG(
	    pub(R"({"kty":"EC","crv":"P-384","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"})"),
	    "must be 48 bytes");
	EXPECT_BAD_CONFIG(
	    pub(R"({"kty":"EC","crv":"P-521","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"})"),
	    "\"P-256\" or \"P-384\"");
	EXPECT_BAD_CONFIG(
	    pub(R"({"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a1"})"),
	    "not strict base64url");
	EXPECT_BAD_CONFIG(
	    pub(R"({"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5aw"})"),
	    "valid");
	EXPECT_BAD_CONFIG(
	    pub(R"({"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU"})"),
	    "no \"y\"");
	// Private JWKs: the public part must match the private part.
	EXPECT_BAD_CONFIG(
	    Key::private_key(
	        R"({"kty":"OKP","crv":"Ed25519","d":"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A","x":"79hOUATlptp2W2jLYVKIdzErHTzUk_AoxlY1krKgTZQ"})"),
	    "\"x\" does not match \"d\"");
	EXPECT_BAD_CONFIG(
	    Key::private_key(
	        R"({"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0","d":"wq-5Bu-jONP-DMlOKiSWEllOXMdGpJ2S02t4U6S2V_4"})"),
	    "EC");
	// RSA: no multi-prime, CRT parameters all or none.
	std::string rsa = RSA_PRIVATE_JWK;
	std::string partial = rsa.substr(0, rsa.find("\"dq\"")) + "\"zz\":0}";
	EXPECT_BAD_CONFIG(Key::private_key(partial), "all of");
	EXPECT_BAD_CONFIG(Key::private_key(rsa.substr(0, rsa.size() - 1) + ",\"oth\":[]}"),
	                  "multi-prime");
	// RSA: parts that do not belong to one key cannot sign, so the key is refused (a
	// fuzzer found such a key, which then failed inside the signature). Without the CRT
	// parameters, a changed "d".
	std::string no_crt = rsa.substr(0, rsa.find(",\"p\"")) + "}";
	EXPECT_NO_THROW(Key::private_key(no_crt));
	std::size_t d_at = no_crt.find("\"d\":\"") + 10;
	no_crt[d_at] = no_crt[d_at] == 'A' ? 'B' : 'A';
	EXPECT_BAD_CONFIG(Key::private_key(no_crt), "inconsistent");
	EXPECT_BAD_CONFIG(Key::public_key(R"({"kty":"RSA","n":"AQAB","e":"AQAB"})"),
	                  "2048 to 8192 bits");
}

TEST(JwtKeys, ErrorsNeverContainKeyMaterial)
{
	// A distinctive secret and key texts: no failure message may contain any piece of them.
	const std::string marker = "SECRETMARKER";
	std::vector<std::string> texts = {
	    marker + "-short",
	    "-----BEGIN PUBLIC KEY-----\n" + marker + "\n-----END PUBLIC KEY-----\n",
	    "-----BEGIN PRIVATE KEY-----\n" + marker + "\n-----END PRIVATE KEY-----\n",
	    "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"x\":\"" + marker + "\"}",
	    "{\"kty\":\"" + marker + "\"}",
	    "{\"kty\":\"EC\",\"crv\":\"" + marker + "\"}",
	    "{\"kty\":\"OKP\",\"crv\":\"Ed25519\",\"alg\":\"" + marker + "\"}",
	    marker + std::string(40, 'x'),
	};
	for (const std::string &t : texts)
	{
		for (auto make : {+[](const std::string &s) { Key::hmac(s); },
		                  +[](const std::string &s) { Key::public_key(s); },
		                  +[](const std::string &s) { Key::private_key(s); }})
		{
			Failure f = failure_of([&] { make(t); });
			EXPECT_EQ(f.message.find("MARKER"), std::string::npos) << f.message;
		}
	}
	EXPECT_BAD_CONFIG(parse_alg_or_throw("SECRETMARKER-LONG-NAME"),
	                  "unknown JWT algorithm (supported");
	EXPECT_BAD_CONFIG(parse_alg_or_throw("none"), "unknown JWT algorithm \"none\"");
	EXPECT_BAD_CONFIG(parse_alg_or_throw("hs256"), "unknown JWT algorithm \"hs256\"");
	EXPECT_EQ(parse_alg_or_throw("PS256"), Alg::PS256);
}

} // namespace

#include <openssl/hmac.h>
#include <sodium.h>

#include <random>

namespace
{

// HMAC through Key/create_signature equals two independent implementations
// (libsodium for SHA-256 and SHA-512, OpenSSL's one-shot HMAC() for all three) for
// key lengths around every hash's block size (64 or 128 bytes; longer keys are
// hashed first) and message lengths around block boundaries.
TEST(JwtKeys, HmacMatchesReferenceImplementations)
{
	ASSERT_GE(sodium_init(), 0);
	std::mt19937 rng(11);
	for (std::size_t klen : {32, 47, 48, 63, 64, 65, 100, 127, 128, 129, 200, 300})
	{
		std::string key(klen, '\0');
		for (char &c : key)
			c = static_cast<char>(rng());
		Key k = Key::hmac(key);
		for (std::size_t mlen : {0, 1, 55, 56, 63, 64, 65, 111, 112, 127, 128, 129, 300, 1000})
		{
			std::string msg(mlen, '\0');
			for (char &c : msg)
				c = static_cast<char>(rng());
			struct
			{
				Alg alg;
				const EVP_MD *md;
			} algs[] = {
			    {Alg::HS256, EVP_sha256()}, {Alg::HS384, EVP_sha384()}, {Alg::HS512, EVP_sha512()}};
			for (auto &a : algs)
			{
				if (!k.fits(a.alg))
					continue;
				std::string mine = create_signature(a.alg, k, msg);
				unsigned char ref[64];
				unsigned int ref_len = 0;
				HMAC(a.md, key.data(), static_cast<int>(key.size()),
				     reinterpret_cast<const unsigned char *>(msg.data()), msg.size(), ref,
				     &ref_len);
				ASSERT_EQ(mine, std::string(reinterpret_cast<char *>(ref), ref_len))
				    << klen << " " << mlen;
				if (a.alg == Alg::HS256)
				{
					unsigned char s[32];
					crypto_auth_hmacsha256_state st;
					crypto_auth_hmacsha256_init(
					    &st, reinterpret_cast<const unsigned char *>(key.data()), key.size());
					crypto_auth_hmacsha256_update(
					    &st, reinterpret_cast<const unsigned char *>(msg.data()), msg.size());
					crypto_auth_hmacsha256_final(&st, s);
					ASSERT_EQ(mine, std::string(reinterpret_cast<char *>(s), 32));
				}
				if (a.alg == Alg::HS512)
				{
					unsigned char s[64];
					crypto_auth_hmacsha512_state st;
					crypto_auth_hmacsha512_init(
					    &st, reinterpret_cast<const unsigned char *>(key.data()), key.size());
					crypto_auth_hmacsha512_update(
					    &st, reinterpret_cast<const unsigned char *>(msg.data()), msg.size());
					crypto_auth_hmacsha512_final(&st, s);
					ASSERT_EQ(mine, std::string(reinterpret_cast<char *>(s), 64));
				}
				// The same Key gives the same MAC again: the precomputed states are not consumed.
				ASSERT_EQ(create_signature(a.alg, k, msg), mine);
			}
		}
	}
}

} // namespace

TEST(JwtKeys, Es384WithP384Keys)
{
	Key priv = Key::private_key(P384_PRIVATE_PEM);
	Key pub = Key::public_key(P384_PUBLIC_PEM);
	EXPECT_EQ(pub.family(), AlgFamily::EcP384);
	EXPECT_TRUE(pub.fits(Alg::ES384));
	EXPECT_FALSE(pub.fits(Alg::ES256));
	EXPECT_FALSE(Key::public_key(EC_PUBLIC_PEM).fits(Alg::ES384));
	std::string t = sign(kClaims, priv, Alg::ES384);
	std::vector<Key> keys = {pub};
	VerifiedToken v = verify(t, keys, opts({Alg::ES384}));
	EXPECT_EQ(v.alg, Alg::ES384);
	// R||S is 96 bytes; r = s = 0 and a P-256-sized signature are refused
	std::string head = t.substr(0, t.rfind('.') + 1);
	EXPECT_TRUE(fails_with([&]
	                       { verify(head + b64(std::string(96, '\0')), keys, opts({Alg::ES384})); },
	                       "28000", "invalid signature"));
	EXPECT_TRUE(
	    fails_with([&] { verify(head + b64(std::string(64, '\x01')), keys, opts({Alg::ES384})); },
	               "28000", "invalid signature"));
	// a P-256 key is not configuration for ES384, nor a P-384 key for ES256
	std::vector<Key> p256 = {Key::public_key(EC_PUBLIC_PEM)};
	EXPECT_TRUE(fails_with([&] { verify(t, p256, opts({Alg::ES384})); }, "22023", "does not fit"));
	EXPECT_TRUE(fails_with([&] { verify(t, keys, opts({Alg::ES256})); }, "22023", "does not fit"));
}

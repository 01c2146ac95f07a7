// verify(): every validation rule of issue 4, each with accept and reject cases.
#include "jwt_fixtures.h"
#include "jwt_test_util.h"

#include "jwt/signature.h"

#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>

using namespace jwt_test;
using namespace jwt_fixtures;

namespace
{

// ---- accepted tokens and what verify() returns ----------------------------------------

TEST(JwtVerify, AcceptsAValidToken)
{
	VerifiedToken t = verify_hs(hs256(kClaims));
	EXPECT_EQ(t.alg, Alg::HS256);
	EXPECT_EQ(t.key_index, 0u);
	EXPECT_EQ(t.claims_json, kClaims);
	EXPECT_EQ(t.claims.find("sub")->text(), "alice");
	EXPECT_EQ(t.header.find("typ")->text(), "JWT");
	EXPECT_EQ(t.exp, 1700003600);
	EXPECT_EQ(t.nbf, std::nullopt);
	EXPECT_EQ(t.iat, std::nullopt);
}

TEST(JwtVerify, KeyRotationTriesEveryFittingKey)
{
	const std::string old_secret = "an older secret of at least 32 bytes..";
	std::vector<Key> keys = {Key::hmac(kSecret), Key::hmac(old_secret)};
	EXPECT_EQ(verify(hs256(kClaims), keys, opts()).key_index, 0u);
	EXPECT_EQ(verify(hs256(kClaims, kHeaderHS256, old_secret), keys, opts()).key_index, 1u);
	EXPECT_REJECTED(verify(hs256(kClaims, kHeaderHS256, std::string(32, 'z')), keys, opts()),
	                "invalid signature");
}

// ---- compact serialization -----------------------------------------------------------------

TEST(JwtVerify, ExactlyThreeSegments)
{
	std::string good = hs256(kClaims);
	auto s = segments(good);
	EXPECT_NO_THROW(verify_hs(good));
	for (const std::string &bad : {std::string(""), std::string("."), s[0], s[0] + "." + s[1],
	                               good + ".", good + "." + s[2], "." + good,
	                               // a JWE has five segments
	                               s[0] + "." + s[1] + "." + s[2] + "." + s[1] + "." + s[2]})
		EXPECT_REJECTED(verify_hs(bad), "exactly three dot-separated segments");
	EXPECT_REJECTED(verify_hs(".."), "header is not strict base64url");
}

TEST(JwtVerify, StrictBase64urlInEverySegment)
{
	// Validly signed over the altered bytes, so only the encoding can be at fault.
	Key key = Key::hmac(kSecret);
	std::string claims = kClaims;
	while (b64(claims).size() % 4 != 2) // a payload whose standard base64 would end in "=="
		claims += ' ';
	std::string h = b64(kHeaderHS256), p = b64(claims);
	for (const std::string &bad_p :
	     {p + "==", p + "=", " " + p, p + "\n", p + "+", p.substr(0, p.size() - 1)})
		EXPECT_REJECTED(verify_hs(sign_segments(h, bad_p, key, Alg::HS256)),
		                "claims are not strict base64url")
		    << bad_p;
	for (const std::string &bad : {h + "=", h + " ", h.substr(0, h.size() - 2) + "+/"})
		EXPECT_REJECTED(verify_hs(sign_segments(bad, p, key, Alg::HS256)),
		                "header is not strict base64url")
		    << bad;

	// The signature segment: padding, whitespace, standard alphabet, spare bits.
	std::string good = hs256(kClaims);
	auto s = segments(good);
	ASSERT_EQ(s[2].size(), 43u);
	EXPECT_REJECTED(verify_hs(join(s[0], s[1], s[2] + "=")), "signature is not strict base64url");
	EXPECT_REJECTED(verify_hs(good + "\n"), "signature is not strict base64url");
	EXPECT_REJECTED(verify_hs(join(s[0], s[1], s[2] + " ")), "signature is not strict base64url");
	std::string std_alphabet = s[2];
	for (char &c : std_alphabet)
		c = c == '-' ? '+' : c == '_' ? '/' : c;
	if (std_alphabet != s[2])
	{
		EXPECT_REJECTED(verify_hs(join(s[0], s[1], std_alphabet)),
		                "signature is not strict base64url");
	}
	// A non-ASCII byte in place of a signature character. (libsodium's decoder maps
	// some of these to base64 values: the signature would have had other spellings.)
	for (int c = 0x80; c <= 0xff; c++)
	{
		std::string respelled = s[2];
		respelled[0] = static_cast<char>(c);
		EXPECT_REJECTED(verify_hs(join(s[0], s[1], respelled)), "signature is not strict base64url")
		    << c;
	}
	// 32 bytes in 43 characters leave 2 spare bits in the last one: set one of them.
	std::string spare = s[2];
	const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	spare.back() = alphabet[alphabet.find(spare.back()) | 1];
	EXPECT_REJECTED(verify_hs(join(s[0], s[1], spare)), "signature is not strict base64url");
}

TEST(JwtVerify, NonCanonicalHeaderBitsAreRefused)
{
	// {"alg":"HS256"} is 15 bytes = 20 characters, no spare bits; add a space to get
	// 16 bytes = 22 characters with 4 spare bits, then set one of them.
	Key key = Key::hmac(kSecret);
	std::string h = b64(R"({"alg":"HS256"} )");
	ASSERT_EQ(h.size(), 22u);
	const std::string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
	std::string bad = h;
	bad.back() = alphabet[alphabet.find(h.back()) | 1];
	EXPECT_NO_THROW(verify_hs(sign_segments(h, b64(kClaims), key, Alg::HS256)));
	EXPECT_REJECTED(verify_hs(sign_segments(bad, b64(kClaims), key, Alg::HS256)),
	                "header is not strict base64url");
}

TEST(JwtVerify, SignatureCoversTheExactReceivedBytes)
{
	std::string good = hs256(kClaims);
	auto s = segments(good);
	// The same header JSON spelled differently: a different signing input.
	std::string respelled = b64(R"({"typ":"JWT","alg":"HS256"})");
	EXPECT_REJECTED(verify_hs(join(respelled, s[1], s[2])), "invalid signature");
	std::string spaced = b64(R"({"alg":"HS256", "typ":"JWT"})");
	EXPECT_REJECTED(verify_hs(join(spaced, s[1], s[2])), "invalid signature");
	// Claims from another token under this signature.
	EXPECT_REJECTED(verify_hs(join(s[0], b64(R"({"sub":"mallory","exp":1700003600})"), s[2])),
	                "invalid signature");
}

TEST(JwtVerify, ClaimsAreParsedOnlyAfterTheSignature)
{
	// Garbage claims with a bad signature: the signature is what fails.
	std::string h = b64(kHeaderHS256);
	EXPECT_REJECTED(verify_hs(join(h, "!!!not-base64!!!", std::string(43, 'A'))),
	                "invalid signature");
	EXPECT_REJECTED(verify_hs(join(h, b64("{\"a\":1,\"a\":2}"), std::string(43, 'A'))),
	                "invalid signature");
}

TEST(JwtVerify, SizeCapBeforeDecoding)
{
	// 8193 bytes of nothing valid: refused for its size, before any decoding.
	EXPECT_REJECTED(verify_hs(std::string(8193, '!')), "longer than 8192 bytes");
	// A valid token of exactly 8192 bytes passes; one byte more does not.
	auto with_padding = [](std::size_t pad)
	{ return hs256(R"({"exp":1700003600,"pad":")" + std::string(pad, 'x') + "\"}"); };
	std::size_t base = with_padding(0).size();
	std::size_t pad = 0;
	while (with_padding(pad).size() < 8192)
		pad++;
	ASSERT_GT(pad, base / 2);
	ASSERT_EQ(with_padding(pad).size(), 8192u) << "padding granularity";
	EXPECT_NO_THROW(verify_hs(with_padding(pad)));
	std::string over = with_padding(pad + 1);
	ASSERT_GT(over.size(), 8192u);
	EXPECT_REJECTED(verify_hs(over), "longer than 8192 bytes");
	// Configurable.
	VerifyOptions small = opts();
	small.max_token_bytes = 100;
	EXPECT_REJECTED(verify_hs(hs256(kClaims), small), "longer than 100 bytes");
	VerifyOptions large = opts();
	large.max_token_bytes = 20000;
	EXPECT_NO_THROW(verify_hs(over, large));
}

// ---- header ----------------------------------------------------------------------------------

TEST(JwtVerify, UnsecuredTokensAreRefusedInAnyCase)
{
	Key key = Key::hmac(kSecret);
	for (const char *none : {"none", "None", "NONE", "nOnE"})
	{
		std::string header = std::string(R"({"alg":")") + none + "\"}";
		std::string unsigned_token = b64(header) + "." + b64(kClaims) + ".";
		EXPECT_REJECTED(verify_hs(unsigned_token), "unsecured tokens");
		// Even with a signature attached.
		EXPECT_REJECTED(verify_hs(token_raw(header, kClaims, key)), "unsecured tokens");
	}
	// "none" cannot even be configured.
	EXPECT_BAD_CONFIG(parse_alg_or_throw("none"), "unknown JWT algorithm");
}

TEST(JwtVerify, AlgorithmMustBeAllowed)
{
	Key k64 = Key::hmac(std::string(64, 'k'));
	std::vector<Key> keys = {k64};
	std::string hs512 = token_raw(R"({"alg":"HS512"})", kClaims, k64, Alg::HS512);
	EXPECT_REJECTED(verify(hs512, keys, opts({Alg::HS256})), "algorithm not allowed");
	EXPECT_NO_THROW(verify(hs512, keys, opts({Alg::HS512})));
	EXPECT_NO_THROW(verify(hs512, keys, opts({Alg::HS256, Alg::HS512})));
	for (const char *alg : {"hs256", "HS257", "RS256", "EdDSA", "ES256K", "", "HS256 "})
		EXPECT_REJECTED(verify_hs(hs256(kClaims, std::string(R"({"alg":")") + alg + "\"}")),
		                "algorithm not allowed")
		    << alg;
	EXPECT_REJECTED(verify_hs(hs256(kClaims, R"({"typ":"JWT"})")), "header has no \"alg\"");
	EXPECT_REJECTED(verify_hs(hs256(kClaims, R"({"alg":256})")), "\"alg\" must be a string");
	EXPECT_REJECTED(verify_hs(hs256(kClaims, R"({"alg":["HS256"]})")), "\"alg\" must be a string");
	EXPECT_REJECTED(verify_hs(hs256(kClaims, R"({"alg":null})")), "\"alg\" must be a string");
}

TEST(JwtVerify, HeaderCannotSwitchToAnHmacKeyMadeFromThePublicKey)
{
	// Classic confusion: HS256 "signed" with the verifier's public key bytes.
	std::string pem = ED25519_PUBLIC_PEM;
	std::string forged = token_raw(R"({"alg":"HS256"})", kClaims, Key::hmac(std::string(40, 'p')));
	std::vector<Key> keys = {Key::public_key(pem)};
	EXPECT_REJECTED(verify(forged, keys, opts({Alg::EdDSA})), "algorithm not allowed");
	EXPECT_BAD_CONFIG(verify(forged, keys, opts({Alg::HS256})),
	                  "key type does not fit algorithm HS256");
	EXPECT_BAD_CONFIG(Key::hmac(pem), "looks like a PEM");
}

TEST(JwtVerify, RefusedHeaderParameters)
{
	for (const char *param :
	     {R"("crit":["exp"])", R"("b64":false)", R"("b64":true)",
	      R"("jku":"https://evil.example/jwks")", R"("x5u":"https://evil.example/cert")",
	      R"("jwk":{"kty":"oct","k":"AAAA"})", R"("x5c":["MIIB"])", R"("zip":"DEF")",
	      R"("enc":"A128GCM")", R"("cty":"JWT")", R"("cty":"jwt")"})
	{
		std::string header = std::string(R"({"alg":"HS256",)") + param + "}";
		std::string name = std::string(param).substr(1, std::string(param).find('"', 1) - 1);
		EXPECT_REJECTED(verify_hs(hs256(kClaims, header)),
		                "header parameter \"" + name + "\" is not supported");
	}
}

TEST(JwtVerify, KidIsAnOpaqueString)
{
	for (const char *kid : {"k1", "", "../../etc/passwd", "' OR 1=1 --", "\\u0041\\n"})
	{
		VerifiedToken t =
		    verify_hs(hs256(kClaims, std::string(R"({"alg":"HS256","kid":")") + kid + "\"}"));
		EXPECT_TRUE(t.header.find("kid")->is_string());
	}
	for (const char *kid : {"1", "null", "[\"k1\"]", "{}", "true"})
		EXPECT_REJECTED(
		    verify_hs(hs256(kClaims, std::string(R"({"alg":"HS256","kid":)") + kid + "}")),
		    "\"kid\" must be a string");
	EXPECT_REJECTED(verify_hs(hs256(kClaims, R"({"alg":"HS256","typ":1})")),
	                "\"typ\" must be a string");
	EXPECT_NO_THROW(
	    verify_hs(hs256(kClaims, R"({"alg":"HS256","typ":"at+jwt","x-custom":{"a":[1]}})")));
}

TEST(JwtVerify, HeaderMustBeAStrictJsonObject)
{
	EXPECT_REJECTED(verify_hs(hs256(kClaims, R"(["HS256"])")), "header is not a JSON object");
	EXPECT_REJECTED(verify_hs(hs256(kClaims, R"("HS256")")), "header is not a JSON object");
	EXPECT_REJECTED(verify_hs(hs256(kClaims, "")), "header is not strict base64url");
	EXPECT_REJECTED(verify_hs(hs256(kClaims, R"({"alg":"HS256","alg":"HS256"})")),
	                "header is not valid JSON (duplicate member name)");
	EXPECT_REJECTED(verify_hs(hs256(kClaims, R"({"alg":"none","alg":"HS256"})")),
	                "duplicate member name");
	EXPECT_REJECTED(verify_hs(hs256(kClaims, R"({"alg":"HS256","x":{"a":1,"a":1}})")),
	                "duplicate member name");
	EXPECT_REJECTED(verify_hs(hs256(kClaims, "{\"alg\":\"HS256\",\"x\":\"\xc3\x28\"}")),
	                "header is not valid JSON (invalid UTF-8)");
	EXPECT_REJECTED(verify_hs(hs256(kClaims, R"({"alg":"HS256"} x)")),
	                "header is not valid JSON (trailing bytes");
	EXPECT_REJECTED(verify_hs(hs256(kClaims, R"({"alg":"HS256"}{})")), "trailing bytes");
	EXPECT_REJECTED(verify_hs(hs256(kClaims, R"({"alg":"HS256","x":"\u0000"})")), "NUL character");
	std::string deep = R"({"alg":"HS256","x":)" + std::string(16, '[') + std::string(16, ']') + "}";
	EXPECT_REJECTED(verify_hs(hs256(kClaims, deep)),
	                "header is not valid JSON (nested too deeply)");
}

// ---- claims ----------------------------------------------------------------------------------

TEST(JwtVerify, ClaimsMustBeAStrictJsonObject)
{
	EXPECT_REJECTED(verify_hs(hs256("[1]")), "claims are not a JSON object");
	EXPECT_REJECTED(verify_hs(hs256("\"exp\"")), "claims are not a JSON object");
	EXPECT_REJECTED(verify_hs(hs256("null")), "claims are not a JSON object");
	EXPECT_REJECTED(verify_hs(hs256("")), "claims are not valid JSON (syntax error)");
	EXPECT_REJECTED(verify_hs(hs256("Example of Ed25519 signing")), "claims are not valid JSON");
	// A nested JWT as payload is not a claims set.
	EXPECT_REJECTED(verify_hs(hs256(hs256(kClaims))), "claims are not valid JSON");
	EXPECT_REJECTED(verify_hs(hs256(R"({"exp":1700003600,"exp":1})")),
	                "claims are not valid JSON (duplicate member name)");
	EXPECT_REJECTED(
	    verify_hs(hs256(R"({"exp":1700003600,"access":[{"collection":"a","collection":"b"}]})")),
	    "duplicate member name");
	EXPECT_REJECTED(verify_hs(hs256("{\"exp\":1700003600,\"sub\":\"\xed\xa0\x80\"}")),
	                "invalid UTF-8");
	EXPECT_REJECTED(verify_hs(hs256(R"({"exp":1700003600,"sub":"\udc00"})")), "invalid UTF-8");
	EXPECT_REJECTED(verify_hs(hs256(R"({"exp":1700003600,"sub":"a\u0000b"})")), "NUL character");
	EXPECT_REJECTED(verify_hs(hs256(std::string(R"({"exp":1700003600})") + std::string("\0", 1))),
	                "claims are not valid JSON");
	EXPECT_REJECTED(verify_hs(hs256(R"({"exp":1700003600} )"
	                                "garbage")),
	                "trailing bytes");
	EXPECT_NO_THROW(verify_hs(hs256("\r\n {\"exp\":1700003600}\r\n ")));

	std::string deep16 =
	    R"({"exp":1700003600,"a":)" + std::string(15, '[') + std::string(15, ']') + "}";
	std::string deep17 =
	    R"({"exp":1700003600,"a":)" + std::string(16, '[') + std::string(16, ']') + "}";
	EXPECT_NO_THROW(verify_hs(hs256(deep16)));
	EXPECT_REJECTED(verify_hs(hs256(deep17)), "claims are not valid JSON (nested too deeply)");
	VerifyOptions deeper = opts();
	deeper.max_depth = 17;
	EXPECT_NO_THROW(verify_hs(hs256(deep17), deeper));
}

// ---- time claims -----------------------------------------------------------------------------

std::string with_claim(const std::string &name, const std::string &value)
{
	if (name == "exp")
		return R"({"exp":)" + value + "}";
	return R"({"exp":1700003600,")" + name + "\":" + value + "}";
}

TEST(JwtVerify, TimeClaimsMustBeIntegerNumericDates)
{
	for (const char *name : {"exp", "nbf", "iat"})
	{
		for (const char *bad :
		     {"\"1700000000\"", "1700000000.0", "1700000000.5", "1.7e9", "17000000E2", "-1", "-0",
		      "true", "false", "null", "[1700000000]", "{}", "253402300800", "9223372036854775807",
		      "9223372036854775808", "-9223372036854775808", "99999999999999999999999"})
			EXPECT_REJECTED(verify_hs(hs256(with_claim(name, bad))),
			                std::string("claim \"") + name + "\" must be an integer NumericDate")
			    << name << "=" << bad;
		// Beyond double range: refused by the JSON parser already.
		EXPECT_REJECTED(verify_hs(hs256(with_claim(name, "1e400"))),
		                "claims are not valid JSON (number out of range)");
	}
	VerifyOptions far = opts();
	far.leeway_seconds = 0;
	EXPECT_EQ(verify_hs(hs256(with_claim("exp", "253402300799")), far).exp, 253402300799);
	EXPECT_EQ(verify_hs(hs256(with_claim("iat", "0"))).iat, 0);
	EXPECT_EQ(verify_hs(hs256(with_claim("nbf", "0"))).nbf, 0);
}

TEST(JwtVerify, ExpWithLeeway)
{
	// Valid while now < exp + leeway.
	auto at = [](std::int64_t exp, std::int64_t leeway)
	{
		VerifyOptions o = opts();
		o.leeway_seconds = leeway;
		return verify_hs(hs256(R"({"exp":)" + std::to_string(exp) + "}"), o);
	};
	EXPECT_NO_THROW(at(kNow + 1, 0));
	EXPECT_REJECTED(at(kNow, 0), "token expired");
	EXPECT_REJECTED(at(kNow - 1, 0), "token expired");
	EXPECT_NO_THROW(at(kNow - 29, 30));
	EXPECT_REJECTED(at(kNow - 30, 30), "token expired");
	EXPECT_NO_THROW(at(kNow - 86399, 86400));
	// Default leeway is 30 s, like Qdrant.
	EXPECT_EQ(VerifyOptions().leeway_seconds, 30);
	EXPECT_NO_THROW(verify_hs(hs256(R"({"exp":)" + std::to_string(kNow - 29) + "}")));
	EXPECT_REJECTED(verify_hs(hs256(R"({"exp":)" + std::to_string(kNow - 30) + "}")),
	                "token expired");
}

TEST(JwtVerify, NbfAndIatInTheFutureAreRefused)
{
	for (const char *name : {"nbf", "iat"})
	{
		auto at = [&](std::int64_t t, std::int64_t leeway)
		{
			VerifyOptions o = opts();
			o.leeway_seconds = leeway;
			return verify_hs(hs256(with_claim(name, std::to_string(t))), o);
		};
		std::string msg = std::string("token not yet valid (\"") + name + "\" is in the future)";
		EXPECT_NO_THROW(at(kNow, 0));
		EXPECT_NO_THROW(at(kNow - 1000, 0));
		EXPECT_REJECTED(at(kNow + 1, 0), msg);
		EXPECT_NO_THROW(at(kNow + 30, 30));
		EXPECT_REJECTED(at(kNow + 31, 30), msg);
	}
}

TEST(JwtVerify, ExpRequiredUnlessAllowed)
{
	EXPECT_REJECTED(verify_hs(hs256(R"({"sub":"alice"})")), "token has no \"exp\" claim");
	VerifyOptions o = opts();
	o.require_exp = false;
	VerifiedToken t = verify_hs(hs256(R"({"sub":"alice"})"), o);
	EXPECT_EQ(t.exp, std::nullopt);
	// Still typed when present.
	EXPECT_REJECTED(verify_hs(hs256(R"({"exp":"never"})"), o),
	                "claim \"exp\" must be an integer NumericDate");
	EXPECT_REJECTED(verify_hs(hs256(R"({"exp":1})"), o), "token expired");
}

TEST(JwtVerify, SystemClockWhenNowIsUnset)
{
	VerifyOptions o = opts();
	o.now.reset();
	std::int64_t now = static_cast<std::int64_t>(std::time(nullptr));
	EXPECT_NO_THROW(verify_hs(hs256(R"({"exp":)" + std::to_string(now + 3600) + "}"), o));
	EXPECT_REJECTED(verify_hs(hs256(R"({"exp":)" + std::to_string(now - 3600) + "}"), o),
	                "token expired");
}

// ---- signatures ------------------------------------------------------------------------------

TEST(JwtVerify, HmacLengthAndConstantTimeComparison)
{
	std::string good = hs256(kClaims);
	auto s = segments(good);
	std::string mac = unb64(s[2]);
	ASSERT_EQ(mac.size(), 32u);
	EXPECT_NO_THROW(verify_hs(good));
	std::vector<std::string> bad_macs = {
	    "",                         // empty
	    mac.substr(0, 16),          // truncated to half
	    mac.substr(0, 31),          // one byte short
	    mac + std::string(1, '\0'), // extended by a zero byte
	    mac + mac,                  // doubled (an HS512-sized MAC)
	    std::string(32, '\0'),      // all zero
	    std::string(1, '\0'),       // a single zero byte
	};
	std::string flipped = mac;
	flipped[31] ^= 1;
	bad_macs.push_back(flipped);
	for (const std::string &m : bad_macs)
		EXPECT_REJECTED(verify_hs(join(s[0], s[1], b64(m))), "invalid signature") << m.size();
	// Wrong key of the right length.
	EXPECT_REJECTED(verify_hs(hs256(kClaims, kHeaderHS256, std::string(32, 'x'))),
	                "invalid signature");
}

TEST(JwtVerify, HmacAlgorithmsAndKeyLengths)
{
	Key k48 = Key::hmac(std::string(48, 'k')), k64 = Key::hmac(std::string(64, 'k'));
	std::string t384 = token_raw(R"({"alg":"HS384"})", kClaims, k48, Alg::HS384);
	std::string t512 = token_raw(R"({"alg":"HS512"})", kClaims, k64, Alg::HS512);
	EXPECT_EQ(unb64(segments(t384)[2]).size(), 48u);
	EXPECT_EQ(unb64(segments(t512)[2]).size(), 64u);
	EXPECT_NO_THROW(verify(t384, std::vector<Key>{k48}, opts({Alg::HS384})));
	EXPECT_NO_THROW(verify(t512, std::vector<Key>{k64}, opts({Alg::HS512})));
	// Truncated MACs of the longer hashes.
	auto s = segments(t512);
	EXPECT_REJECTED(verify(join(s[0], s[1], b64(unb64(s[2]).substr(0, 32))), std::vector<Key>{k64},
	                       opts({Alg::HS512})),
	                "invalid signature");
	// Key lengths per algorithm.
	EXPECT_BAD_CONFIG(
	    verify(t384, std::vector<Key>{Key::hmac(std::string(47, 'k'))}, opts({Alg::HS384})),
	    "HMAC key must be at least 48 bytes for HS384");
	EXPECT_BAD_CONFIG(verify(t512, std::vector<Key>{k48}, opts({Alg::HS512})),
	                  "HMAC key must be at least 64 bytes for HS512");
	EXPECT_BAD_CONFIG(
	    verify(t384, std::vector<Key>{Key::hmac(kSecret)}, opts({Alg::HS256, Alg::HS384})),
	    "at least 48 bytes for HS384");
}

// A valid token signed by sign(), and the parts of its signature.
struct Signed
{
	std::string token, header_b64, payload_b64, sig;
};

Signed signed_with(const char *private_key, Alg alg)
{
	Signed s;
	s.token = sign(kClaims, Key::private_key(private_key), alg);
	auto parts = segments(s.token);
	s.header_b64 = parts[0];
	s.payload_b64 = parts[1];
	s.sig = unb64(parts[2]);
	return s;
}

void expect_sig_rejected(const Signed &s, const std::string &sig, const char *public_key, Alg alg,
                         const char *why)
{
	EXPECT_REJECTED(verify(join(s.header_b64, s.payload_b64, b64(sig)),
	                       std::vector<Key>{Key::public_key(public_key)}, opts({alg})),
	                "invalid signature")
	    << why;
}

TEST(JwtVerify, EcdsaSignatureShape)
{
	Signed s = signed_with(EC_PRIVATE_PEM, Alg::ES256);
	ASSERT_EQ(s.sig.size(), 64u);
	std::vector<Key> keys = {Key::public_key(EC_PUBLIC_PEM)};
	EXPECT_NO_THROW(verify(s.token, keys, opts({Alg::ES256})));

	const std::string n("\xff\xff\xff\xff\x00\x00\x00\x00\xff\xff\xff\xff\xff\xff\xff\xff"
	                    "\xbc\xe6\xfa\xad\xa7\x17\x9e\x84\xf3\xb9\xca\xc2\xfc\x63\x25\x51",
	                    32);
	std::string r = s.sig.substr(0, 32), sv = s.sig.substr(32);
	std::string zero(32, '\0');
	expect_sig_rejected(s, std::string(64, '\0'), EC_PUBLIC_PEM, Alg::ES256,
	                    "psychic signature r = s = 0");
	expect_sig_rejected(s, zero + sv, EC_PUBLIC_PEM, Alg::ES256, "r = 0");
	expect_sig_rejected(s, r + zero, EC_PUBLIC_PEM, Alg::ES256, "s = 0");
	expect_sig_rejected(s, n + sv, EC_PUBLIC_PEM, Alg::ES256, "r = n");
	expect_sig_rejected(s, r + n, EC_PUBLIC_PEM, Alg::ES256, "s = n");
	expect_sig_rejected(s, std::string(32, '\xff') + sv, EC_PUBLIC_PEM, Alg::ES256, "r > n");
	expect_sig_rejected(s, s.sig.substr(0, 63), EC_PUBLIC_PEM, Alg::ES256, "63 bytes");
	expect_sig_rejected(s, s.sig + '\0', EC_PUBLIC_PEM, Alg::ES256, "65 bytes");
	expect_sig_rejected(s, "", EC_PUBLIC_PEM, Alg::ES256, "empty");
	expect_sig_rejected(s, sv + r, EC_PUBLIC_PEM, Alg::ES256, "swapped");

	// The DER form OpenSSL produces is not a JWS signature.
	BIGNUM *rb = BN_bin2bn(reinterpret_cast<const unsigned char *>(r.data()), 32, nullptr);
	BIGNUM *sb = BN_bin2bn(reinterpret_cast<const unsigned char *>(sv.data()), 32, nullptr);
	ECDSA_SIG *es = ECDSA_SIG_new();
	ECDSA_SIG_set0(es, rb, sb);
	unsigned char *der = nullptr;
	int der_len = i2d_ECDSA_SIG(es, &der);
	std::string der_sig(reinterpret_cast<char *>(der), der_len);
	OPENSSL_free(der);
	expect_sig_rejected(s, der_sig, EC_PUBLIC_PEM, Alg::ES256, "DER encoding");

	// ECDSA is malleable: (r, n - s) is also valid. It is accepted, like every
	// mainstream library does; a token's signature is therefore not an identifier.
	BIGNUM *nb = BN_bin2bn(reinterpret_cast<const unsigned char *>(n.data()), 32, nullptr);
	BIGNUM *ns = BN_new();
	BN_sub(ns, nb, ECDSA_SIG_get0_s(es));
	std::string high(32, '\0');
	BN_bn2binpad(ns, reinterpret_cast<unsigned char *>(high.data()), 32);
	BN_free(nb);
	BN_free(ns);
	ECDSA_SIG_free(es);
	EXPECT_NO_THROW(
	    verify(join(s.header_b64, s.payload_b64, b64(r + high)), keys, opts({Alg::ES256})));

	// Another P-256 key does not verify it.
	EXPECT_REJECTED(verify(s.token, std::vector<Key>{Key::public_key(RFC7515_A3_PUBLIC_JWK)},
	                       opts({Alg::ES256})),
	                "invalid signature");
}

TEST(JwtVerify, Ed25519SignatureShape)
{
	Signed s = signed_with(ED25519_PRIVATE_PEM, Alg::EdDSA);
	ASSERT_EQ(s.sig.size(), 64u);
	EXPECT_NO_THROW(
	    verify(s.token, std::vector<Key>{Key::public_key(ED25519_PUBLIC_PEM)}, opts({Alg::EdDSA})));
	EXPECT_NO_THROW(
	    verify(s.token, std::vector<Key>{Key::public_key(ED25519_PUBLIC_JWK)}, opts({Alg::EdDSA})));

	// S + L: the same S modulo L, but not canonical. Little-endian addition.
	const unsigned char L[32] = {0xed, 0xd3, 0xf5, 0x5c, 0x1a, 0x63, 0x12, 0x58, 0xd6, 0x9c, 0xf7,
	                             0xa2, 0xde, 0xf9, 0xde, 0x14, 0,    0,    0,    0,    0,    0,
	                             0,    0,    0,    0,    0,    0,    0,    0,    0,    0x10};
	std::string big = s.sig;
	unsigned carry = 0;
	for (int i = 0; i < 32; i++)
	{
		unsigned v = static_cast<unsigned char>(big[32 + i]) + L[i] + carry;
		big[32 + i] = static_cast<char>(v & 0xff);
		carry = v >> 8;
	}
	ASSERT_EQ(carry, 0u);
	expect_sig_rejected(s, big, ED25519_PUBLIC_PEM, Alg::EdDSA, "non-canonical S");
	expect_sig_rejected(s, std::string(64, '\0'), ED25519_PUBLIC_PEM, Alg::EdDSA, "zero");
	expect_sig_rejected(s, s.sig.substr(0, 63), ED25519_PUBLIC_PEM, Alg::EdDSA, "63 bytes");
	expect_sig_rejected(s, s.sig + '\0', ED25519_PUBLIC_PEM, Alg::EdDSA, "65 bytes");
	std::string flipped = s.sig;
	flipped[5] ^= 0x20;
	expect_sig_rejected(s, flipped, ED25519_PUBLIC_PEM, Alg::EdDSA, "flipped bit in R");
	expect_sig_rejected(s, s.sig, RFC8037_PUBLIC_JWK, Alg::EdDSA, "other key");
}

TEST(JwtVerify, RsaSignatures)
{
	for (Alg alg : {Alg::RS256, Alg::PS256})
	{
		Signed s = signed_with(RSA_PRIVATE_PEM, alg);
		ASSERT_EQ(s.sig.size(), 256u);
		std::vector<Key> keys = {Key::public_key(RSA_PUBLIC_PEM)};
		EXPECT_NO_THROW(verify(s.token, keys, opts({alg})));
		EXPECT_NO_THROW(verify(s.token, keys, opts({Alg::RS256, Alg::PS256})));
		expect_sig_rejected(s, s.sig.substr(1), RSA_PUBLIC_PEM, alg, "255 bytes");
		expect_sig_rejected(s, std::string(1, '\0') + s.sig, RSA_PUBLIC_PEM, alg, "257 bytes");
		expect_sig_rejected(s, std::string(256, '\0'), RSA_PUBLIC_PEM, alg, "zero");
		std::string flipped = s.sig;
		flipped[100] ^= 1;
		expect_sig_rejected(s, flipped, RSA_PUBLIC_PEM, alg, "flipped bit");
	}
	// An RS256 signature presented as PS256 (same signing input, header says PS256).
	Key priv = Key::private_key(RSA_PRIVATE_PEM);
	std::string h = b64(R"({"alg":"PS256"})"), p = b64(kClaims);
	std::string rs_sig = create_signature(Alg::RS256, priv, h + "." + p);
	EXPECT_REJECTED(verify(join(h, p, b64(rs_sig)),
	                       std::vector<Key>{Key::public_key(RSA_PUBLIC_PEM)}, opts({Alg::PS256})),
	                "invalid signature");
}

// RFC 7518 3.5: PS256's salt is exactly 32 bytes. A PSS signature with another salt
// length is valid PSS, but not PS256.
TEST(JwtVerify, Ps256SaltLengthIsTheDigestLength)
{
	std::string h = b64(R"({"alg":"PS256"})"), p = b64(kClaims);
	std::string input = h + "." + p;
	BIO *bio = BIO_new_mem_buf(RSA_PRIVATE_PEM, -1);
	EVP_PKEY *pkey = PEM_read_bio_PrivateKey(bio, nullptr, nullptr, nullptr);
	BIO_free(bio);
	ASSERT_NE(pkey, nullptr);
	auto pss_sign = [&](int saltlen)
	{
		EVP_MD_CTX *md = EVP_MD_CTX_new();
		EVP_PKEY_CTX *pctx = nullptr;
		EVP_DigestSignInit(md, &pctx, EVP_sha256(), nullptr, pkey);
		EVP_PKEY_CTX_set_rsa_padding(pctx, RSA_PKCS1_PSS_PADDING);
		EVP_PKEY_CTX_set_rsa_mgf1_md(pctx, EVP_sha256());
		EVP_PKEY_CTX_set_rsa_pss_saltlen(pctx, saltlen);
		std::string sig(256, '\0');
		std::size_t len = sig.size();
		EXPECT_EQ(EVP_DigestSign(md, reinterpret_cast<unsigned char *>(sig.data()), &len,
		                         reinterpret_cast<const unsigned char *>(input.data()),
		                         input.size()),
		          1);
		EVP_MD_CTX_free(md);
		return join(h, p, b64(sig));
	};
	std::vector<Key> keys = {Key::public_key(RSA_PUBLIC_PEM)};
	EXPECT_NO_THROW(verify(pss_sign(32), keys, opts({Alg::PS256})));
	EXPECT_REJECTED(verify(pss_sign(20), keys, opts({Alg::PS256})), "invalid signature");
	EXPECT_REJECTED(verify(pss_sign(RSA_PSS_SALTLEN_MAX), keys, opts({Alg::PS256})),
	                "invalid signature");
	EVP_PKEY_free(pkey);
}

TEST(JwtVerify, JwkAlgRestrictsTheKey)
{
	std::string jwk = RSA_PUBLIC_JWK;
	jwk = jwk.substr(0, jwk.size() - 1) + ",\"alg\":\"RS256\"}";
	std::vector<Key> keys = {Key::public_key(jwk)};
	EXPECT_NO_THROW(
	    verify(signed_with(RSA_PRIVATE_PEM, Alg::RS256).token, keys, opts({Alg::RS256})));
	EXPECT_BAD_CONFIG(
	    verify(signed_with(RSA_PRIVATE_PEM, Alg::PS256).token, keys, opts({Alg::PS256})),
	    "does not allow PS256");
}

// ---- configuration (22023) ---------------------------------------------------------------------

TEST(JwtVerify, ConfigurationErrors)
{
	std::string t = hs256(kClaims);
	std::vector<Key> hk = hmac_keys();
	std::vector<Key> ek = {Key::public_key(ED25519_PUBLIC_PEM)};
	EXPECT_BAD_CONFIG(verify(t, hk, opts(AlgSet{})), "list of allowed algorithms is empty");
	EXPECT_BAD_CONFIG(verify(t, hk, opts({Alg::HS256, Alg::EdDSA})), "mixes HMAC and asymmetric");
	EXPECT_BAD_CONFIG(verify(t, hk, opts({Alg::RS256, Alg::HS512})), "mixes HMAC and asymmetric");
	EXPECT_BAD_CONFIG(verify(t, std::vector<Key>{}, opts()), "no verification key");
	EXPECT_BAD_CONFIG(verify(t, hk, opts({Alg::EdDSA})), "key type does not fit algorithm EdDSA");
	EXPECT_BAD_CONFIG(verify(t, ek, opts({Alg::HS256})), "key type does not fit algorithm HS256");
	EXPECT_BAD_CONFIG(verify(t, ek, opts({Alg::ES256})), "key type does not fit algorithm ES256");
	EXPECT_BAD_CONFIG(verify(t, ek, opts({Alg::EdDSA, Alg::ES256})),
	                  "key type does not fit algorithm ES256");
	EXPECT_BAD_CONFIG(
	    verify(t, std::vector<Key>{Key::public_key(RSA_PUBLIC_PEM)}, opts({Alg::ES256})),
	    "does not fit algorithm ES256");
	std::vector<Key> two = {Key::public_key(ED25519_PUBLIC_PEM), Key::public_key(RSA_PUBLIC_PEM)};
	EXPECT_BAD_CONFIG(verify(t, two, opts({Alg::EdDSA})), "fits none of the allowed algorithms");
	EXPECT_NO_THROW(verify(signed_with(RSA_PRIVATE_PEM, Alg::RS256).token, two,
	                       opts({Alg::EdDSA, Alg::RS256})));
	EXPECT_BAD_CONFIG(
	    verify(t, std::vector<Key>{Key::private_key(ED25519_PRIVATE_PEM)}, opts({Alg::EdDSA})),
	    "private key was given");

	VerifyOptions o = opts();
	o.leeway_seconds = -1;
	EXPECT_BAD_CONFIG(verify(t, hk, o), "leeway");
	o.leeway_seconds = 86401;
	EXPECT_BAD_CONFIG(verify(t, hk, o), "leeway");
	o = opts();
	o.max_token_bytes = 63;
	EXPECT_BAD_CONFIG(verify(t, hk, o), "maximum token size");
	o.max_token_bytes = 2 * 1024 * 1024;
	EXPECT_BAD_CONFIG(verify(t, hk, o), "maximum token size");
	o = opts();
	o.max_depth = 0;
	EXPECT_BAD_CONFIG(verify(t, hk, o), "maximum JSON depth");
	o = opts();
	o.now = -1;
	EXPECT_BAD_CONFIG(verify(t, hk, o), "clock");
	// Configuration is checked first, even for a malformed token.
	EXPECT_BAD_CONFIG(verify("garbage", hk, opts({Alg::EdDSA})), "does not fit");
}

TEST(JwtVerify, KeyKindComesFromTheAlgorithmList)
{
	EXPECT_EQ(verification_key(kSecret, {Alg::HS256}).family(), AlgFamily::Hmac);
	EXPECT_EQ(verification_key(ED25519_PUBLIC_PEM, {Alg::EdDSA}).family(), AlgFamily::Ed25519);
	EXPECT_EQ(verification_key(RSA_PUBLIC_JWK, {Alg::RS256, Alg::PS256}).family(), AlgFamily::Rsa);
	// The same bytes are a secret under HS256 and refused as a public key under EdDSA.
	EXPECT_BAD_CONFIG(verification_key(kSecret, {Alg::EdDSA}), "public key must be PEM or JWK");
	EXPECT_BAD_CONFIG(verification_key(ED25519_PUBLIC_PEM, {Alg::HS256}), "looks like a PEM");
	EXPECT_BAD_CONFIG(verification_key(kSecret, AlgSet{}), "empty");
	EXPECT_BAD_CONFIG(verification_key(kSecret, {Alg::HS256, Alg::ES256}),
	                  "mixes HMAC and asymmetric");
	EXPECT_EQ(signing_key(kSecret, Alg::HS512).family(), AlgFamily::Hmac);
	EXPECT_TRUE(signing_key(EC_PRIVATE_PEM, Alg::ES256).is_private());
	EXPECT_BAD_CONFIG(signing_key(EC_PUBLIC_PEM, Alg::ES256), "not a PEM private key");
}

// ---- messages never echo token, key or MAC ------------------------------------------------------

TEST(JwtVerify, MessagesNeverEchoTokenKeyOrMac)
{
	const std::string secret = "SECRETSECRETSECRETSECRETSECRETSECRET";
	Key key = Key::hmac(secret);
	std::vector<Key> keys = {key};
	std::string good = token_raw(R"({"alg":"HS256","kid":"KIDMARK"})",
	                             R"({"sub":"SUBMARK","exp":1700003600})", key);
	auto s = segments(good);
	std::vector<std::string> bad_tokens = {
	    good + "x",
	    join(s[0], s[1], b64("MACMARK-MACMARK-MACMARK-MACMARK!")),
	    token_raw(R"({"alg":"NONEMARK"})", "{}", key),
	    token_raw(R"({"alg":"HS256","crit":["CRITMARK"]})", "{}", key),
	    token_raw(R"({"alg":"HS256"})", R"({"sub":"SUBMARK","exp":"EXPMARK"})", key),
	    token_raw(R"({"alg":"HS256"})", R"({"sub":"SUBMARK","exp":1})", key),
	    token_raw(R"({"alg":"HS256"})", R"({"DUPMARK":1,"DUPMARK":1})", key),
	    token_raw(R"({"alg":"HS256"})", "NOTJSONMARK", key),
	    "HEADERMARK.PAYLOADMARK.SIGMARK",
	    std::string(9000, 'M'),
	};
	for (const std::string &t : bad_tokens)
	{
		Failure f = failure_of([&] { verify(t, keys, opts()); });
		ASSERT_EQ(f.sqlstate, "28000") << f.message;
		EXPECT_EQ(f.message.find("MARK"), std::string::npos) << f.message;
		EXPECT_EQ(f.message.find("SECRET"), std::string::npos) << f.message;
		for (const std::string &seg : segments(t))
		{
			if (seg.size() >= 4)
			{
				EXPECT_EQ(f.message.find(seg.substr(0, 4)), std::string::npos) << f.message;
			}
		}
	}
}

} // namespace

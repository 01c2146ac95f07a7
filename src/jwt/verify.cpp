/*
 * verify.cpp: the order of checks for a compact JWS carrying JWT claims.
 *
 *  1. configuration (22023): algorithms and keys fit each other;
 *  2. size cap, exactly three segments, strict base64url header;
 *  3. header: strict JSON object, "alg" allowed, no refused parameter;
 *  4. signature: strict base64url, checked over the exact received bytes
 *     "header.payload" with every configured key that fits the algorithm;
 *  5. only then the payload: strict base64url, strict JSON object;
 *  6. time claims: types, then exp / nbf / iat against the clock.
 * Unauthenticated bytes reach only the base64url decoder, the header parser and the
 * signature check; the claims parser sees signed data only.
 */
#include "jwt/verify.h"

#include "jwt/base64url.h"
#include "jwt/claims_time.h"
#include "jwt/errors.h"
#include "jwt/header.h"
#include "jwt/signature.h"

#include <ctime>

namespace vecrbac::jwt
{

Key verification_key(std::string_view material, AlgSet algorithms)
{
	if (algorithms.empty())
		bad_config("the list of allowed algorithms is empty");
	if (algorithms.mixes_hmac_and_asymmetric())
		bad_config("the list of allowed algorithms mixes HMAC and asymmetric algorithms");
	bool hmac = false;
	algorithms.for_each([&](Alg a) { hmac = alg_family(a) == AlgFamily::Hmac; });
	return hmac ? Key::hmac(material) : Key::public_key(material);
}

Key signing_key(std::string_view material, Alg alg)
{
	return alg_family(alg) == AlgFamily::Hmac ? Key::hmac(material) : Key::private_key(material);
}

void check_verify_config(std::span<const Key> keys, const VerifyOptions &options)
{
	if (options.algorithms.empty())
		bad_config("the list of allowed algorithms is empty");
	if (options.algorithms.mixes_hmac_and_asymmetric())
		bad_config("the list of allowed algorithms mixes HMAC and asymmetric algorithms");
	if (keys.empty())
		bad_config("no verification key");
	/* Every allowed algorithm has a key, and every key serves some allowed algorithm:
	 * a configuration with a dead entry is more likely a mistake than a plan. */
	options.algorithms.for_each(
	    [&](Alg a)
	    {
		    bool fitted = false, same_family = false;
		    for (const Key &key : keys)
		    {
			    fitted = fitted || key.fits(a);
			    same_family = same_family || key.family() == alg_family(a);
		    }
		    if (fitted)
			    return;
		    if (!same_family)
			    bad_config(std::string("key type does not fit algorithm ") + alg_name(a));
		    if (alg_family(a) == AlgFamily::Hmac)
			    bad_config(std::string("HMAC key must be at least ") +
			               std::to_string(hmac_min_key_bytes(a)) + " bytes for " + alg_name(a));
		    bad_config(std::string("the JWK \"alg\" of the key does not allow ") + alg_name(a));
	    });
	for (const Key &key : keys)
	{
		if (key.is_private())
			bad_config("a private key was given where a public key is expected");
		bool used = false;
		options.algorithms.for_each([&](Alg a) { used = used || key.fits(a); });
		if (!used)
			bad_config("a key fits none of the allowed algorithms");
	}
	if (options.leeway_seconds < 0 || options.leeway_seconds > kMaxLeewaySeconds)
		bad_config("leeway must be between 0 and 86400 seconds");
	if (options.max_token_bytes < 64 || options.max_token_bytes > kMaxMaxTokenBytes)
		bad_config("maximum token size must be between 64 bytes and 1 MiB");
	if (options.max_depth < 1 || options.max_depth > kMaxMaxDepth)
		bad_config("maximum JSON depth must be between 1 and 256");
	if (options.now && (*options.now < 0 || *options.now > kMaxNumericDate))
		bad_config("the clock is out of range");
}

namespace
{

/* what_is: "header is" or "claims are"; e.g. "malformed token: header is not valid
 * JSON (duplicate member name)". */
[[noreturn]] void reject_json(const char *what_is, JsonError err)
{
	reject(std::string("malformed token: ") + what_is + " not valid JSON (" + json_error_text(err) +
	       ")");
}

} // namespace

VerifiedToken verify(std::string_view token, std::span<const Key> keys,
                     const VerifyOptions &options)
{
	check_verify_config(keys, options);

	if (token.size() > options.max_token_bytes)
		reject("malformed token: longer than " + std::to_string(options.max_token_bytes) +
		       " bytes");
	std::size_t dot1 = token.find('.');
	std::size_t dot2 = dot1 == std::string_view::npos ? dot1 : token.find('.', dot1 + 1);
	if (dot2 == std::string_view::npos || token.find('.', dot2 + 1) != std::string_view::npos)
		reject("malformed token: a compact JWS has exactly three dot-separated segments");
	std::string_view header_b64 = token.substr(0, dot1);
	std::string_view payload_b64 = token.substr(dot1 + 1, dot2 - dot1 - 1);
	std::string_view signature_b64 = token.substr(dot2 + 1);

	VerifiedToken out;
	std::string buf;
	if (!base64url::decode(header_b64, &buf) || buf.empty())
		reject("malformed token: header is not strict base64url");
	if (JsonError e = parse_json_strict(buf, options.max_depth, &out.header); e != JsonError::None)
		reject_json("header is", e);
	out.alg = check_header(out.header, options.algorithms);

	if (!base64url::decode(signature_b64, &buf))
		reject("malformed token: signature is not strict base64url");
	std::string_view signing_input = token.substr(0, dot2);
	bool valid = false;
	for (std::size_t i = 0; i < keys.size() && !valid; i++)
	{
		if (!keys[i].fits(out.alg))
			continue;
		valid = verify_signature(out.alg, keys[i], signing_input, buf);
		out.key_index = i;
	}
	if (!valid)
		reject("invalid signature");

	if (!base64url::decode(payload_b64, &out.claims_json))
		reject("malformed token: claims are not strict base64url");
	if (JsonError e = parse_json_strict(out.claims_json, options.max_depth, &out.claims);
	    e != JsonError::None)
		reject_json("claims are", e);
	if (!out.claims.is_object())
		reject("malformed token: claims are not a JSON object");

	TimeClaims t = read_time_claims(out.claims, kInvalidToken);
	std::int64_t now = options.now ? *options.now : static_cast<std::int64_t>(std::time(nullptr));
	check_time_claims(t, now, options.leeway_seconds, options.require_exp);
	out.exp = t.exp;
	out.nbf = t.nbf;
	out.iat = t.iat;
	return out;
}

} // namespace vecrbac::jwt

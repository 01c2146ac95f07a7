/*
 * sign.cpp: compact JWS serialization and signing.
 */
#include "jwt/sign.h"

#include "jwt/base64url.h"
#include "jwt/claims_time.h"
#include "jwt/errors.h"
#include "jwt/signature.h"
#include "jwt/verify.h"

namespace vecrbac::jwt
{

std::string sign_segments(std::string_view header_b64, std::string_view payload_b64, const Key &key,
                          Alg alg)
{
	std::string token;
	token.reserve(header_b64.size() + payload_b64.size() + 2 + 700);
	token.append(header_b64).append(1, '.').append(payload_b64);
	std::string sig = create_signature(alg, key, token);
	token.append(1, '.');
	base64url::encode_append(sig, &token);
	return token;
}

std::string sign(const Json &claims, const Key &key, Alg alg)
{
	if (!claims.is_object())
		bad_config("claims must be a JSON object");
	read_time_claims(claims, kInvalidParameter);
	if (!key.fits(alg))
	{
		if (key.family() == AlgFamily::Hmac && alg_family(alg) == AlgFamily::Hmac)
			bad_config(std::string("HMAC key must be at least ") +
			           std::to_string(hmac_min_key_bytes(alg)) + " bytes for " + alg_name(alg));
		bad_config(std::string("key does not fit algorithm ") + alg_name(alg));
	}
	if (alg_family(alg) != AlgFamily::Hmac && !key.is_private())
		bad_config("signing needs a private key");

	std::string header = std::string("{\"alg\":\"") + alg_name(alg) + "\",\"typ\":\"JWT\"}";
	std::string payload;
	write_json_compact(claims, &payload);
	return sign_segments(base64url::encode(header), base64url::encode(payload), key, alg);
}

std::string sign(std::string_view claims_json, const Key &key, Alg alg)
{
	Json claims;
	if (JsonError e = parse_json_strict(claims_json, kDefaultMaxDepth, &claims);
	    e != JsonError::None)
		bad_config(std::string("claims are not valid JSON (") + json_error_text(e) + ")");
	return sign(claims, key, alg);
}

} // namespace vecrbac::jwt

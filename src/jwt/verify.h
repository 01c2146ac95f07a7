/*
 * verify.h: verifying a compact JWS as a JWT. See jwt.h for the overview.
 */
#pragma once

#include "jwt/algorithm.h"
#include "jwt/json_strict.h"
#include "jwt/keys.h"

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace vecrbac::jwt
{

inline constexpr std::size_t kDefaultMaxTokenBytes = 8192;
inline constexpr std::size_t kMaxMaxTokenBytes = 1024 * 1024;
inline constexpr int kDefaultMaxDepth = 16;
inline constexpr int kMaxMaxDepth = 256;

struct VerifyOptions
{
	/* Algorithms the caller accepts: all HMAC or all asymmetric, never mixed. */
	AlgSet algorithms{Alg::HS256};
	/* Clock skew tolerated on exp, nbf and iat, 0 to 86400 seconds. */
	std::int64_t leeway_seconds = 30;
	/* Refuse a token without "exp". */
	bool require_exp = true;
	/* The current time in seconds since the epoch; unset means the system clock. */
	std::optional<std::int64_t> now;
	/* Longest token accepted, checked before anything is decoded (64 B to 1 MiB). */
	std::size_t max_token_bytes = kDefaultMaxTokenBytes;
	/* Deepest nesting of arrays and objects in header and claims (root = 1). */
	int max_depth = kDefaultMaxDepth;
};

struct VerifiedToken
{
	Alg alg = Alg::HS256;      /* the algorithm the token was signed with */
	std::size_t key_index = 0; /* which of the keys verified it */
	Json header;               /* the protected header (an object) */
	Json claims;               /* the claims (an object) */
	std::string claims_json;   /* the exact decoded payload: strict JSON object text */
	std::optional<std::int64_t> exp, nbf, iat; /* the time claims, when present */
};

/*
 * The verification key an algorithm list calls for: an HMAC secret if the list holds
 * only HMAC algorithms, a public key (PEM or JWK) if it holds only asymmetric ones.
 * The caller's list decides, never the token. Throws 22023 for an empty or mixed list
 * and for unusable key material.
 */
Key verification_key(std::string_view material, AlgSet algorithms);

/* The signing key alg calls for: an HMAC secret or a private key (PEM or JWK). */
Key signing_key(std::string_view material, Alg alg);

/* Throws SqlError 22023 if keys and options cannot be used together. */
void check_verify_config(std::span<const Key> keys, const VerifyOptions &options);

/* Verifies token; returns its contents or throws SqlError (28000 token, 22023 config). */
VerifiedToken verify(std::string_view token, std::span<const Key> keys,
                     const VerifyOptions &options);

} // namespace vecrbac::jwt

/*
 * jwks.h: a JSON Web Key Set (RFC 7517 5) of verification keys, chosen by a token's
 * "kid" (pure C++, no PostgreSQL).
 *
 * Identity providers publish their signing keys as {"keys": [JWK, ...]} and rotate
 * them by key id. Each key here must carry a unique "kid" and an "alg" (RS256, PS256,
 * ES256 or EdDSA, fitting its "kty"): the configuration fixes the algorithm of every
 * key, the token only names which key. "use", when present, must be "sig"; private
 * members are refused. At most kMaxJwksKeys keys and kMaxJwksBytes of text.
 */
#pragma once

#include "jwt/algorithm.h"
#include "jwt/keys.h"

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace vecrbac::jwt
{

inline constexpr std::size_t kMaxJwksKeys = 64;
inline constexpr std::size_t kMaxJwksBytes = 256 * 1024;

struct JwksKey
{
	std::string kid;
	Alg alg;
	Key key;
};

/* Parses a key set; "" is the empty set. Throws SqlError 22023 naming the key at fault. */
std::vector<JwksKey> parse_jwks(std::string_view json);

/* The key with this kid, or nullptr. */
const JwksKey *find_kid(const std::vector<JwksKey> &keys, std::string_view kid) noexcept;

/*
 * The "kid" of a compact token's protected header, read without verifying anything
 * (only to choose a key); nullopt when the header cannot be read or has no string kid:
 * verification then reports what is wrong with the token.
 */
std::optional<std::string> peek_kid(std::string_view token, std::size_t max_token_bytes);

} // namespace vecrbac::jwt

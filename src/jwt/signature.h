/*
 * signature.h: the JWS signature primitives, over an exact signing input
 * (ASCII(BASE64URL(header) || '.' || BASE64URL(payload)), RFC 7515 5.1).
 *
 * Both functions require key.fits(alg); callers check that first.
 */
#pragma once

#include "jwt/algorithm.h"
#include "jwt/keys.h"

#include <string>
#include <string_view>

namespace vecrbac::jwt
{

/*
 * True if signature is a valid signature of input under key with alg. Shapes are
 * checked before any cryptography: an HMAC must have exactly the hash's length
 * (compared in constant time), ECDSA must be 64 bytes R||S with 0 < r, s < n,
 * Ed25519 must be 64 bytes with a canonical S (< L), RSA must be exactly the
 * modulus length.
 */
bool verify_signature(Alg alg, const Key &key, std::string_view input, std::string_view signature);

/* The raw signature (not base64url) of input; key must be private for asymmetric algs. */
std::string create_signature(Alg alg, const Key &key, std::string_view input);

} // namespace vecrbac::jwt

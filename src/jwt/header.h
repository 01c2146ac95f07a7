/*
 * header.h: the rules for a JWS protected header.
 */
#pragma once

#include "jwt/algorithm.h"
#include "jwt/json_strict.h"

namespace vecrbac::jwt
{

/*
 * Checks a parsed header (any JSON value) and returns the algorithm it names.
 * Throws SqlError 28000 when:
 *  - it is not an object, or "alg" is missing or not a string (malformed);
 *  - "alg" is "none" in any letter case, unknown, or not in allowed;
 *  - it carries a parameter vecrbac refuses: "crit" (no extension is understood),
 *    "b64" (RFC 7797 unencoded payloads), "jku", "x5u", "jwk", "x5c" (keys and
 *    certificates named by the token itself), "zip" (compression), "enc" (JWE),
 *    "cty" (nested tokens);
 *  - "kid" or "typ" is present but not a string ("kid" is otherwise opaque).
 */
Alg check_header(const Json &header, AlgSet allowed);

} // namespace vecrbac::jwt

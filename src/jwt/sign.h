/*
 * sign.h: producing compact JWS tokens. See jwt.h for the overview.
 */
#pragma once

#include "jwt/algorithm.h"
#include "jwt/json_strict.h"
#include "jwt/keys.h"

#include <string>
#include <string_view>

namespace vecrbac::jwt
{

/*
 * Signs a claims set given as JSON text. The claims must be a strict JSON object
 * (same rules and default depth as verification) whose "exp", "nbf" and "iat", when
 * present, are integer NumericDates; they are re-serialized compactly. The header is
 * {"alg":"<alg>","typ":"JWT"}. key must fit alg, and be private for asymmetric
 * algorithms. Throws SqlError 22023.
 */
std::string sign(std::string_view claims_json, const Key &key, Alg alg);

/* The same for an already parsed claims object. */
std::string sign(const Json &claims, const Key &key, Alg alg);

/*
 * The low-level step: "<header_b64>.<payload_b64>" plus '.' and the base64url
 * signature of exactly those bytes. No validation of the segments: for tests and
 * fuzzing, which need tokens that are validly signed yet malformed.
 */
std::string sign_segments(std::string_view header_b64, std::string_view payload_b64, const Key &key,
                          Alg alg);

} // namespace vecrbac::jwt

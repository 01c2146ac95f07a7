/*
 * claims_time.h: the registered time claims "exp", "nbf" and "iat" (RFC 7519 4.1.4-6).
 *
 * vecrbac accepts a NumericDate only as an integer literal from 0 to 253402300799
 * (9999-12-31T23:59:59Z): strings, fractions ("1.5", "1.0"), exponents ("1e9"),
 * negative numbers, booleans and null are refused. (A number beyond double range,
 * such as 1e400, never gets here: the JSON parser refuses it, "number out of range".)
 *
 * With now and leeway L (both seconds), a token is valid when
 *    now <  exp + L        ("token expired" otherwise; RFC 7519: now before exp)
 *    now >= nbf - L        ("token not yet valid" otherwise)
 *    now >= iat - L        (a token issued in the future is not yet valid)
 * The leeway absorbs clock skew between issuer and verifier in both directions.
 */
#pragma once

#include "jwt/json_strict.h"

#include <cstdint>
#include <optional>

namespace vecrbac::jwt
{

inline constexpr std::int64_t kMaxNumericDate = 253402300799; /* 9999-12-31T23:59:59Z */
inline constexpr std::int64_t kMaxLeewaySeconds = 86400;

/* The value of v as a NumericDate, or nullopt if v is not one. */
std::optional<std::int64_t> numeric_date(const Json &v) noexcept;

struct TimeClaims
{
	std::optional<std::int64_t> exp, nbf, iat;
};

/*
 * Reads the time claims of a claims object. A present claim that is not a
 * NumericDate throws SqlError(sqlstate, "claim \"exp\" must be an integer
 * NumericDate"): 28000 when verifying, 22023 when signing.
 */
TimeClaims read_time_claims(const Json &claims, const char *sqlstate);

/* Applies the rules above; throws SqlError 28000 naming the failed check. */
void check_time_claims(const TimeClaims &t, std::int64_t now, std::int64_t leeway,
                       bool require_exp);

} // namespace vecrbac::jwt

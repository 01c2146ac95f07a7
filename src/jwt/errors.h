/*
 * errors.h: how the JWT core reports failures.
 *
 * Two kinds, with two SQLSTATEs:
 *  - the token is not acceptable (malformed, bad signature, algorithm not allowed,
 *    expired...): 28000 invalid_authorization_specification;
 *  - the caller's configuration is wrong (unknown algorithm name, short HMAC key,
 *    key that does not fit the algorithm...): 22023 invalid_parameter_value.
 *
 * Messages name the failed check and never contain the token, the key, a MAC or
 * any byte taken from them: callers pass fixed strings only.
 */
#pragma once

#include "common/sql_error.h"

namespace vecrbac::jwt
{

inline constexpr const char *kInvalidToken = "28000";
inline constexpr const char *kInvalidParameter = "22023";

/* The token is refused; message names the check that failed. */
[[noreturn]] inline void reject(const std::string &message)
{
	throw SqlError(kInvalidToken, message);
}

/* The caller's keys or options are unusable. */
[[noreturn]] inline void bad_config(const std::string &message)
{
	throw SqlError(kInvalidParameter, message);
}

} // namespace vecrbac::jwt

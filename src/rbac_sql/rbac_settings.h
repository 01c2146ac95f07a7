/*
 * rbac_settings.h: the rbac part's settings (defined in rbac_init.cpp).
 *
 *   vecrbac.token            the session's token (PGC_USERSET): SET, SET LOCAL, RESET,
 *                            DISCARD ALL and rollback all apply; parallel workers get it
 *   vecrbac.jwt_secret       HMAC secrets that may sign tokens, at least 32 bytes;
 *   vecrbac.jwt_secret_alt   superuser-only to set and to read, never shown
 *   vecrbac.leeway           clock skew tolerated on exp/nbf/iat, seconds (superuser)
 *   vecrbac.require_exp      refuse tokens without exp (superuser, default on)
 *   vecrbac.missing_access   what a token without "access" grants: none or m (superuser)
 *   vecrbac.jwks             asymmetric session keys by kid, a JWKS document (superuser)
 *   vecrbac.issuer, vecrbac.audience   accepted iss / aud values (superuser)
 *   vecrbac.claims_path      the claim holding access and value_exists (superuser)
 *   vecrbac.token_lifetime   session (default) or transaction: only tokens set for the
 *                            transaction count (pooler safety; superuser)
 *   vecrbac.allow_writable_value_exists   accept tokens that may write their own
 *                            value_exists collection (superuser, default off)
 *
 * Only plain C types here: the header is usable from any dialect.
 */
#pragma once

#include <cstdint>

namespace vecrbac::rbac::settings
{

extern char *token;
extern char *secret;
extern char *secret_alt;
extern int leeway;
extern bool require_exp;
extern int missing_access; /* 0: nothing, 1: m */
extern bool allow_writable_value_exists;
/* vecrbac.token_lifetime: whether a session-level token counts */
constexpr int kLifetimeSession = 0;
constexpr int kLifetimeTransaction = 1;
extern int token_lifetime;
extern char *jwks;        /* a JSON Web Key Set of asymmetric session keys */
extern char *issuer;      /* accepted iss values, comma-separated */
extern char *audience;    /* accepted aud values, comma-separated */
extern char *claims_path; /* where access and value_exists live */

/* Bumped whenever a setting that decides verification changes: the token cache's key. */
extern std::uint64_t generation;

void define(void);

} // namespace vecrbac::rbac::settings

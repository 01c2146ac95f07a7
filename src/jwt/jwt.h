/*
 * jwt.h: vecrbac's JWT core, the API other parts call (pure C++, no PostgreSQL).
 *
 *   #include "jwt/jwt.h"
 *   using namespace vecrbac::jwt;
 *
 *   // Build keys once (e.g. when a setting changes) and keep them: a Key is
 *   // immutable, cheap to copy, and precomputes what it can (HMAC pads).
 *   std::vector<Key> keys = {Key::hmac(secret), Key::hmac(previous_secret)};
 *
 *   VerifyOptions opt;                    // defaults shown
 *   opt.algorithms = {Alg::HS256};        // the caller decides, never the header
 *   opt.leeway_seconds = 30;              // exp / nbf / iat clock skew
 *   opt.require_exp = true;
 *   opt.now = std::nullopt;               // seconds since epoch; unset: system clock
 *   opt.max_token_bytes = 8192;           // checked before decoding
 *   opt.max_depth = 16;                   // JSON nesting, header and claims
 *
 *   VerifiedToken t = verify(token, keys, opt);   // throws vecrbac::SqlError
 *   const Json *access = t.claims.find("access"); // claims: a strict, parsed object
 *   // t.claims_json: the exact payload text; t.exp / t.nbf / t.iat; t.key_index
 *
 *   std::string token = sign(R"({"sub":"x","exp":2000000000})", key, Alg::HS256);
 *
 *   // From configuration text, when the algorithm list decides the key kind:
 *   Key k = verification_key(material, opt.algorithms);   // HMAC secret or PEM/JWK
 *
 * Inside the backend, jwt_sql/jwt_settings.h gives the jwt part's settings
 * (settings::max_token_bytes) and the clock to use (settings::now_seconds(): the
 * superuser-only test clock vecrbac.jwt_test_now, else the statement's start time);
 * pass them as opt.max_token_bytes and opt.now. Build Keys outside any frame that
 * can ereport, and keep them (e.g. rebuilt when a secret setting changes).
 *
 * Errors: SqlError with SQLSTATE 28000 (invalid_authorization_specification) for
 * every reason to refuse a token, 22023 (invalid_parameter_value) for unusable
 * keys or options. Messages name the failed check ("malformed token: ...",
 * "invalid signature", "algorithm not allowed", "token expired", "token not yet
 * valid (...)", "claim \"exp\" must be an integer NumericDate", ...) and never
 * contain bytes of the token, the key or a MAC.
 *
 * Pieces, one file each: algorithm.h (names, families, AlgSet), base64url.h (strict
 * decoding), json_strict.h (Json DOM, strict parser), keys.h (Key), signature.h
 * (primitives), header.h (header rules), claims_time.h (NumericDate rules),
 * verify.h (verify, VerifyOptions, VerifiedToken), sign.h (sign).
 *
 * Thread safety: no shared mutable state; Keys may be shared across threads.
 */
#pragma once

#include "jwt/algorithm.h"
#include "jwt/claims_time.h"
#include "jwt/errors.h"
#include "jwt/json_strict.h"
#include "jwt/keys.h"
#include "jwt/sign.h"
#include "jwt/verify.h"

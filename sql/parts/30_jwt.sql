-- JWT: verification and signing of compact JWS tokens (docs/jwt.md).
--
-- The caller chooses the algorithms and the key; the token's header never does.
-- Every refusal of a token raises SQLSTATE 28000 with a message naming the failed
-- check; unusable keys or arguments raise 22023. Messages never contain the token,
-- the key or a MAC.

-- Returns the claims of a valid token. key is the HMAC secret (bytes) for HS*
-- algorithms, or a public key (PEM or JWK text) for EdDSA, ES256, ES384, RS256, PS256.
-- STABLE: the clock is the statement's start time (or vecrbac.jwt_test_now).
CREATE FUNCTION vecrbac.jwt_verify(token text, key bytea, algorithms text[] DEFAULT '{HS256}',
                                   leeway integer DEFAULT 30, require_exp boolean DEFAULT true)
    RETURNS jsonb
    AS 'MODULE_PATHNAME', 'vecrbac_jwt_verify_bytea'
    LANGUAGE C STRICT STABLE PARALLEL SAFE;

-- The same with the key as text: an HMAC secret is the text's UTF-8 bytes (the way
-- Qdrant's api_key is used); PEM and JWK keys are text anyway.
CREATE FUNCTION vecrbac.jwt_verify(token text, key text, algorithms text[] DEFAULT '{HS256}',
                                   leeway integer DEFAULT 30, require_exp boolean DEFAULT true)
    RETURNS jsonb
    AS 'MODULE_PATHNAME', 'vecrbac_jwt_verify_text'
    LANGUAGE C STRICT STABLE PARALLEL SAFE;

-- Signs claims with header {"alg":alg,"typ":"JWT"}. key is the HMAC secret or the
-- private key (PEM or JWK). VOLATILE: ES256, ES384 and PS256 signatures are randomized.
CREATE FUNCTION vecrbac.jwt_sign(claims jsonb, key bytea, alg text DEFAULT 'HS256')
    RETURNS text
    AS 'MODULE_PATHNAME', 'vecrbac_jwt_sign_bytea'
    LANGUAGE C STRICT VOLATILE PARALLEL SAFE;

CREATE FUNCTION vecrbac.jwt_sign(claims jsonb, key text, alg text DEFAULT 'HS256')
    RETURNS text
    AS 'MODULE_PATHNAME', 'vecrbac_jwt_sign_text'
    LANGUAGE C STRICT VOLATILE PARALLEL SAFE;

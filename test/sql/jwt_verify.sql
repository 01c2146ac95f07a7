-- vecrbac.jwt_verify: the SQL contract of issue 4. Every refusal shows its SQLSTATE:
-- 28000 for tokens, 22023 for the caller's keys and arguments. The pure C++ unit
-- tests (test/unit/jwt_*_test.cpp) cover each rule exhaustively; this file proves
-- the rules hold through SQL, with the RFC fixtures and tokens crafted by pgcrypto.
CREATE EXTENSION vecrbac;
CREATE EXTENSION pgcrypto;

-- ---- helpers ------------------------------------------------------------------------
-- base64url without padding, and back.
CREATE FUNCTION pg_temp.b64url(data bytea) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT translate(rtrim(replace(encode(data, 'base64'), E'\n', ''), '='), '+/', '-_')
$$;
CREATE FUNCTION pg_temp.unb64url(s text) RETURNS bytea LANGUAGE sql IMMUTABLE AS $$
    SELECT decode(translate(s, '-_', '+/') || repeat('=', (4 - length(s) % 4) % 4), 'base64')
$$;
-- The test secret (32 bytes) and a token with exactly these header and claims bytes,
-- HMAC-SHA-256 signed by pgcrypto (an implementation independent of vecrbac's).
CREATE FUNCTION pg_temp.k() RETURNS bytea LANGUAGE sql IMMUTABLE AS $$
    SELECT '0123456789abcdef0123456789abcdef'::bytea
$$;
CREATE FUNCTION pg_temp.tok(header bytea, claims bytea, key bytea DEFAULT pg_temp.k()) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT si || '.' || pg_temp.b64url(hmac(si::bytea, key, 'sha256'))
    FROM (SELECT pg_temp.b64url(header) || '.' || pg_temp.b64url(claims) AS si) s
$$;
CREATE FUNCTION pg_temp.tok(header text, claims text, key bytea DEFAULT pg_temp.k()) RETURNS text
LANGUAGE sql IMMUTABLE AS $$
    SELECT pg_temp.tok(convert_to(header, 'UTF8'), convert_to(claims, 'UTF8'), key)
$$;
-- The outcome of a verification as one line: the claims, or SQLSTATE and message.
CREATE FUNCTION pg_temp.outcome(token text, key bytea DEFAULT pg_temp.k(),
                                algorithms text[] DEFAULT '{HS256}', leeway integer DEFAULT 30,
                                require_exp boolean DEFAULT true) RETURNS text
LANGUAGE plpgsql AS $$
BEGIN
    RETURN 'ok ' || vecrbac.jwt_verify(token, key, algorithms, leeway, require_exp)::text;
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ' ' || SQLERRM;
END $$;

-- All tokens below are judged at this fixed time (superuser-only setting).
SET vecrbac.jwt_test_now = 1700000000;

-- ---- a valid token, both key overloads, defaults and named parameters ---------------
SELECT vecrbac.jwt_verify(pg_temp.tok('{"alg":"HS256","typ":"JWT"}', '{"sub":"alice","exp":1700003600}'),
                          '0123456789abcdef0123456789abcdef'::bytea);
-- The text overload takes the secret as its UTF-8 bytes; an unknown literal picks it.
SELECT vecrbac.jwt_verify(pg_temp.tok('{"alg":"HS256"}', '{"sub":"alice","exp":1700003600}'),
                          '0123456789abcdef0123456789abcdef');
SELECT vecrbac.jwt_verify(pg_temp.tok('{"alg":"HS256"}', '{"exp":1700003600}', convert_to('clé secrète de trente-deux octets !', 'UTF8')),
                          'clé secrète de trente-deux octets !'::text);
SELECT vecrbac.jwt_verify(pg_temp.tok('{"alg":"HS256"}', '{"sub":"no exp"}'), pg_temp.k(),
                          require_exp => false, leeway => 0, algorithms => '{HS256}');
-- STRICT: a NULL argument gives NULL.
SELECT vecrbac.jwt_verify(NULL, pg_temp.k()) IS NULL AS null_token,
       vecrbac.jwt_verify('x', NULL::bytea) IS NULL AS null_key;

-- ---- RFC fixtures -----------------------------------------------------------------------
-- RFC 7515 A.1 (HS256, 64-byte key; CR LF inside its JSON). exp 1300819380 is past.
\set rfc7515_a1 'eyJ0eXAiOiJKV1QiLA0KICJhbGciOiJIUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk'
\set rfc7515_a1_key 'pg_temp.unb64url(''AyM1SysPpbyDfgZld3umj1qzKObwVMkoqQ-EstJQLr_T-1qS0gZH75aKtMN3Yj0iPS4hcgUuTwjAzZr1Z9CAow'')'
-- With the real clock: expired.
RESET vecrbac.jwt_test_now;
SELECT vecrbac.jwt_verify(:'rfc7515_a1', :rfc7515_a1_key);
\echo :LAST_ERROR_SQLSTATE
-- With a clock ten seconds before exp: valid.
SET vecrbac.jwt_test_now = 1300819370;
SELECT vecrbac.jwt_verify(:'rfc7515_a1', :rfc7515_a1_key);
-- Thirty seconds after exp (the default leeway): expired; 29 seconds: still valid.
SET vecrbac.jwt_test_now = 1300819410;
SELECT vecrbac.jwt_verify(:'rfc7515_a1', :rfc7515_a1_key);
\echo :LAST_ERROR_SQLSTATE
SET vecrbac.jwt_test_now = 1300819409;
SELECT vecrbac.jwt_verify(:'rfc7515_a1', :rfc7515_a1_key) ->> 'iss' AS iss;

-- RFC 7515 A.3 (ES256, JWK public key), same claims.
SET vecrbac.jwt_test_now = 1300819370;
\set rfc7515_a3 'eyJhbGciOiJFUzI1NiJ9.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q'
\set rfc7515_a3_jwk '{"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}'
SELECT vecrbac.jwt_verify(:'rfc7515_a3', :'rfc7515_a3_jwk', '{ES256}');
-- The "psychic signature": r = s = 0.
SELECT vecrbac.jwt_verify(split_part(:'rfc7515_a3', '.', 1) || '.' || split_part(:'rfc7515_a3', '.', 2) || '.'
                          || pg_temp.b64url(decode(repeat('00', 64), 'hex')), :'rfc7515_a3_jwk', '{ES256}');
\echo :LAST_ERROR_SQLSTATE
-- Under the default '{HS256}' the key is read as an HMAC secret: a JWK is refused.
SELECT vecrbac.jwt_verify(:'rfc7515_a3', :'rfc7515_a3_jwk');
\echo :LAST_ERROR_SQLSTATE

-- RFC 8037 A.4 (Ed25519): the signature is valid, but the payload is the text
-- "Example of Ed25519 signing", not a claims set: refused after the signature check.
\set rfc8037_a4 'eyJhbGciOiJFZERTQSJ9.RXhhbXBsZSBvZiBFZDI1NTE5IHNpZ25pbmc.hgyY0il_MGCjP0JzlnLWG1PPOt7-09PGcvMg3AIbQR6dWbhijcNR4ki4iylGjg5BhVsPt9g7sVvpAr_MuM0KAg'
\set rfc8037_jwk '{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}'
SELECT vecrbac.jwt_verify(:'rfc8037_a4', :'rfc8037_jwk', '{EdDSA}');
\echo :LAST_ERROR_SQLSTATE
-- One signature byte changed ("...KAg" to "...KBg"): now it is the signature that fails.
SELECT vecrbac.jwt_verify(left(:'rfc8037_a4', -2) || 'Bg', :'rfc8037_jwk', '{EdDSA}');
\echo :LAST_ERROR_SQLSTATE

-- RFC 7520 4.4 (HS256 with a kid; its "oct" JWK's "k" decoded to 32 bytes): valid
-- signature, payload is a Tolkien quote, not JSON: refused.
\set rfc7520 'eyJhbGciOiJIUzI1NiIsImtpZCI6IjAxOGMwYWU1LTRkOWItNDcxYi1iZmQ2LWVlZjMxNGJjNzAzNyJ9.SXTigJlzIGEgZGFuZ2Vyb3VzIGJ1c2luZXNzLCBGcm9kbywgZ29pbmcgb3V0IHlvdXIgZG9vci4gWW91IHN0ZXAgb250byB0aGUgcm9hZCwgYW5kIGlmIHlvdSBkb24ndCBrZWVwIHlvdXIgZmVldCwgdGhlcmXigJlzIG5vIGtub3dpbmcgd2hlcmUgeW91IG1pZ2h0IGJlIHN3ZXB0IG9mZiB0by4.s0h6KThzkfBBBkLspW1h84VsJZFTsPPqMDA7g1Md7p0'
SELECT vecrbac.jwt_verify(:'rfc7520', pg_temp.unb64url('hJtXIZ2uSN5kbQfbtTNWbpdmhkV8FJG-Onbc6mxCcYg'));
\echo :LAST_ERROR_SQLSTATE
SELECT vecrbac.jwt_verify(:'rfc7520', pg_temp.k());
\echo :LAST_ERROR_SQLSTATE
-- The JWK itself is not an HMAC secret.
SELECT vecrbac.jwt_verify(:'rfc7520', '{"kty":"oct","k":"hJtXIZ2uSN5kbQfbtTNWbpdmhkV8FJG-Onbc6mxCcYg"}');
\echo :LAST_ERROR_SQLSTATE

-- RFC 7519 6.1: the unsecured JWT ("alg":"none", empty signature).
SELECT vecrbac.jwt_verify('eyJhbGciOiJub25lIn0.eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ.',
                          pg_temp.k());
\echo :LAST_ERROR_SQLSTATE

SET vecrbac.jwt_test_now = 1700000000;

-- ---- compact serialization: three segments, strict base64url, exact bytes ---------------
WITH t(v) AS (SELECT pg_temp.tok('{"alg":"HS256"}', '{"exp":1700003600,"p":"xx"}'))
SELECT label, pg_temp.outcome(token)
FROM t, LATERAL (VALUES
    ('valid', v),
    ('two segments', split_part(v, '.', 1) || '.' || split_part(v, '.', 2)),
    ('four segments', v || '.'),
    ('five segments (JWE)', v || '.' || split_part(v, '.', 2) || '.' || split_part(v, '.', 3)),
    ('empty', ''),
    ('padded signature', v || '='),
    ('signature + newline', v || E'\n'),
    ('space in header', ' ' || v),
    ('standard alphabet', translate(v, '-_', '+/')),
    ('header respelled', pg_temp.b64url('{"alg": "HS256"}') || '.' || split_part(v, '.', 2) || '.' || split_part(v, '.', 3)),
    ('claims swapped', split_part(v, '.', 1) || '.' || pg_temp.b64url('{"exp":1700003600,"p":"yy"}') || '.' || split_part(v, '.', 3))
) AS c(label, token);
-- Padded claims, validly signed over the padded bytes: still refused.
SELECT pg_temp.outcome(s || '.' || pg_temp.b64url(hmac(s::bytea, pg_temp.k(), 'sha256')))
FROM (SELECT pg_temp.b64url('{"alg":"HS256"}') || '.' || pg_temp.b64url('{"exp":1700003600}') || '==' AS s) x;

-- ---- header rules --------------------------------------------------------------------------
SELECT header, pg_temp.outcome(pg_temp.tok(header, '{"exp":1700003600}')) AS outcome
FROM (VALUES
    ('{"alg":"HS256","kid":"../../etc/passwd; DROP TABLE x"}'),
    ('{"alg":"none"}'), ('{"alg":"NONE"}'), ('{"alg":"nOnE"}'),
    ('{"alg":"HS512"}'), ('{"alg":"hs256"}'), ('{"alg":"RS256"}'),
    ('{"typ":"JWT"}'), ('{"alg":256}'),
    ('{"alg":"HS256","crit":["exp"]}'), ('{"alg":"HS256","b64":false}'),
    ('{"alg":"HS256","jku":"https://attacker.example/keys"}'), ('{"alg":"HS256","x5u":"https://attacker.example/c"}'),
    ('{"alg":"HS256","jwk":{"kty":"oct","k":"AAAA"}}'), ('{"alg":"HS256","x5c":["MIIB"]}'),
    ('{"alg":"HS256","zip":"DEF"}'), ('{"alg":"HS256","cty":"JWT"}'), ('{"alg":"HS256","enc":"A256GCM"}'),
    ('{"alg":"HS256","kid":7}'), ('{"alg":"HS256","typ":true}'),
    ('{"alg":"none","alg":"HS256"}'), ('["HS256"]')
) AS h(header);
-- The unsecured form, with an empty signature.
SELECT pg_temp.outcome(pg_temp.b64url('{"alg":"none"}') || '.' || pg_temp.b64url('{"exp":1700003600}') || '.');

-- ---- claims: strict JSON objects ----------------------------------------------------------
SELECT claims, pg_temp.outcome(pg_temp.tok('{"alg":"HS256"}', claims)) AS outcome
FROM (VALUES
    ('{"exp":1700003600,"exp":1700003600}'),
    ('{"exp":1700003600,"access":[{"collection":"a","collection":"b"}]}'),
    ('{"exp":1700003600,"sub":"\udc00"}'),
    ('{"exp":1700003600,"sub":"a\u0000b"}'),
    ('{"exp":1700003600} {}'),
    ('{"exp":1700003600,"a":[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]}'),
    ('{"exp":1700003600,"a":[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]}'),
    ('[{"exp":1700003600}]'),
    ('"exp"'),
    ('{"exp":1700003600,"sub":"é\ud83d\ude00","n":-2.5e-3}'),
    ('{"exp":1700003600,"n":1e400}')
) AS c(claims);
-- Invalid UTF-8 bytes (not expressible as text), validly signed.
SELECT pg_temp.outcome(pg_temp.tok(convert_to('{"alg":"HS256"}', 'UTF8'),
                                   convert_to('{"exp":1700003600,"sub":"', 'UTF8') || '\xc328'::bytea || convert_to('"}', 'UTF8')));
SELECT pg_temp.outcome(pg_temp.tok(convert_to('{"alg":"HS256"}', 'UTF8'),
                                   convert_to('{"exp":1700003600}', 'UTF8') || '\x00'::bytea));

-- ---- time claims -------------------------------------------------------------------------
SELECT claims, pg_temp.outcome(pg_temp.tok('{"alg":"HS256"}', claims)) AS outcome
FROM (VALUES
    ('{"exp":"1700003600"}'), ('{"exp":1700003600.0}'), ('{"exp":1.7000036e9}'), ('{"exp":-1}'),
    ('{"exp":true}'), ('{"exp":null}'), ('{"exp":253402300800}'),
    ('{"exp":1700003600,"nbf":"0"}'), ('{"exp":1700003600,"iat":1.5}'),
    ('{"exp":1700000000}'),              -- now = exp: inside the 30 s leeway
    ('{"exp":1699999971}'),              -- 29 s past
    ('{"exp":1699999970}'),              -- 30 s past: expired
    ('{"exp":1700003600,"nbf":1700000030}'), ('{"exp":1700003600,"nbf":1700000031}'),
    ('{"exp":1700003600,"iat":1700000030}'), ('{"exp":1700003600,"iat":1700000031}'),
    ('{"sub":"no exp"}')
) AS c(claims);
-- leeway and require_exp as parameters.
SELECT pg_temp.outcome(pg_temp.tok('{"alg":"HS256"}', '{"exp":1700000000}'), leeway => 0);
SELECT pg_temp.outcome(pg_temp.tok('{"alg":"HS256"}', '{"exp":1699990000}'), leeway => 86400);
SELECT pg_temp.outcome(pg_temp.tok('{"alg":"HS256"}', '{"sub":"no exp"}'), require_exp => false);
SELECT vecrbac.jwt_verify(pg_temp.tok('{"alg":"HS256"}', '{"exp":1700003600}'), pg_temp.k(), leeway => -1);
\echo :LAST_ERROR_SQLSTATE
SELECT vecrbac.jwt_verify(pg_temp.tok('{"alg":"HS256"}', '{"exp":1700003600}'), pg_temp.k(), leeway => 86401);
\echo :LAST_ERROR_SQLSTATE

-- ---- HMAC signatures: length first, then constant-time comparison ------------------------
WITH t(h, c, mac) AS (
    SELECT split_part(v, '.', 1), split_part(v, '.', 2), pg_temp.unb64url(split_part(v, '.', 3))
    FROM (SELECT pg_temp.tok('{"alg":"HS256"}', '{"exp":1700003600}') AS v) x)
SELECT label, pg_temp.outcome(h || '.' || c || '.' || pg_temp.b64url(sig)) AS outcome
FROM t, LATERAL (VALUES
    ('valid', mac),
    ('truncated to 16 bytes', substr(mac, 1, 16)),
    ('one byte short', substr(mac, 1, 31)),
    ('extended', mac || '\x00'::bytea),
    ('all zero', decode(repeat('00', 32), 'hex')),
    ('empty', ''::bytea),
    ('wrong key', hmac((h || '.' || c)::bytea, '0123456789abcdef0123456789abcdeX'::bytea, 'sha256'))
) AS s(label, sig);

-- ---- size cap: checked before decoding; superuser-only setting ----------------------------
SELECT vecrbac.jwt_verify(repeat('A', 8193), pg_temp.k());
\echo :LAST_ERROR_SQLSTATE
SELECT pg_temp.outcome(pg_temp.tok('{"alg":"HS256"}', '{"exp":1700003600,"pad":"' || repeat('x', 6000) || '"}'))
       LIKE 'ok %' AS under_8192_ok;
SET vecrbac.jwt_max_token_bytes = 100;
SELECT vecrbac.jwt_verify(pg_temp.tok('{"alg":"HS256"}', '{"exp":1700003600,"pad":"' || repeat('x', 60) || '"}'), pg_temp.k());
\echo :LAST_ERROR_SQLSTATE
SET vecrbac.jwt_max_token_bytes = '16kB';
SHOW vecrbac.jwt_max_token_bytes;
SELECT pg_temp.outcome(pg_temp.tok('{"alg":"HS256"}', '{"exp":1700003600,"pad":"' || repeat('x', 9000) || '"}'))
       LIKE 'ok %' AS under_16k_ok;
RESET vecrbac.jwt_max_token_bytes;

-- ---- the caller's configuration: 22023 ----------------------------------------------------
SELECT pg_temp.tok('{"alg":"HS256"}', '{"exp":1700003600}') AS t \gset
SELECT vecrbac.jwt_verify(:'t', pg_temp.k(), '{HS256,EdDSA}');
\echo :LAST_ERROR_SQLSTATE
SELECT vecrbac.jwt_verify(:'t', pg_temp.k(), '{none}');
\echo :LAST_ERROR_SQLSTATE
SELECT vecrbac.jwt_verify(:'t', pg_temp.k(), '{HS257}');
\echo :LAST_ERROR_SQLSTATE
SELECT vecrbac.jwt_verify(:'t', pg_temp.k(), '{}');
\echo :LAST_ERROR_SQLSTATE
SELECT vecrbac.jwt_verify(:'t', pg_temp.k(), '{HS256,NULL}');
\echo :LAST_ERROR_SQLSTATE
SELECT vecrbac.jwt_verify(:'t', pg_temp.k(), '{{HS256},{HS512}}');
\echo :LAST_ERROR_SQLSTATE
SELECT vecrbac.jwt_verify(:'t', 'only 31 bytes of secret here...');
\echo :LAST_ERROR_SQLSTATE
SELECT vecrbac.jwt_verify(:'t', pg_temp.k(), '{HS384}');
\echo :LAST_ERROR_SQLSTATE
SELECT vecrbac.jwt_verify(:'t', pg_temp.k(), '{EdDSA}');
\echo :LAST_ERROR_SQLSTATE
SELECT vecrbac.jwt_verify(:'t', :'rfc8037_jwk', '{HS256}');
\echo :LAST_ERROR_SQLSTATE
SELECT vecrbac.jwt_verify(:'t', :'rfc8037_jwk', '{ES256}');
\echo :LAST_ERROR_SQLSTATE
SELECT vecrbac.jwt_verify(:'t', '-----BEGIN PUBLIC KEY-----
MCowBQYDK2VwAyEA7fySb/9h7hVqpsa5m1Ew4ZlnwVN2K2Kx7UILpW4v/Ys=
-----END PUBLIC KEY-----');
\echo :LAST_ERROR_SQLSTATE

-- ---- no message echoes the token, the key or a MAC ------------------------------------------
SELECT count(*) AS failures,
       count(*) FILTER (WHERE o LIKE '%MARK%' OR o LIKE '%SECRET%' OR o LIKE '%eyJ%') AS echoing
FROM (SELECT pg_temp.outcome(tok, 'SECRETSECRETSECRETSECRETSECRETSECRET'::bytea) AS o
      FROM (VALUES
          (pg_temp.tok('{"alg":"HS256","kid":"KIDMARK"}', '{"exp":"EXPMARK"}', 'SECRETSECRETSECRETSECRETSECRETSECRET')),
          (pg_temp.tok('{"alg":"NONEMARK"}', '{}', 'SECRETSECRETSECRETSECRETSECRETSECRET')),
          (pg_temp.tok('{"alg":"HS256"}', '{"DUPMARK":1,"DUPMARK":1}', 'SECRETSECRETSECRETSECRETSECRETSECRET')),
          (pg_temp.tok('{"alg":"HS256"}', '{"sub":"SUBMARK"}', 'other key other key other key other')),
          ('HEADERMARK.PAYLOADMARK.MACMARK'),
          (pg_temp.tok('{"alg":"HS256"}', 'NOTJSONMARK', 'SECRETSECRETSECRETSECRETSECRETSECRET'))
      ) AS v(tok)) x
WHERE o NOT LIKE 'ok %';

-- ---- the test clock is superuser-only -------------------------------------------------------
CREATE ROLE jwt_regress_user;
SET ROLE jwt_regress_user;
SET vecrbac.jwt_test_now = 1;
\echo :LAST_ERROR_SQLSTATE
SET vecrbac.jwt_max_token_bytes = 1000000;
\echo :LAST_ERROR_SQLSTATE
-- Ordinary roles may call the functions.
SELECT vecrbac.jwt_verify(:'t', '0123456789abcdef0123456789abcdef') ->> 'exp' AS exp;
RESET ROLE;
DROP ROLE jwt_regress_user;

-- ---- a database in another encoding -----------------------------------------------------------
SELECT current_database() AS regress_db \gset
SELECT pg_temp.tok('{"alg":"HS256"}', '{"exp":1700003600,"sub":"café"}') AS latin1_ok,
       pg_temp.tok('{"alg":"HS256"}', '{"exp":1700003600,"sub":"😀"}') AS latin1_bad \gset
CREATE DATABASE jwt_regress_latin1 ENCODING 'LATIN1' LC_COLLATE 'C' LC_CTYPE 'C' TEMPLATE template0;
\c jwt_regress_latin1
SET client_encoding = 'UTF8';
CREATE EXTENSION vecrbac;
SET vecrbac.jwt_test_now = 1700000000;
SELECT vecrbac.jwt_verify(:'latin1_ok', '0123456789abcdef0123456789abcdef'::bytea);
SELECT vecrbac.jwt_verify(:'latin1_bad', '0123456789abcdef0123456789abcdef'::bytea);
\echo :LAST_ERROR_SQLSTATE
-- A text key is converted to UTF-8 before use: the same secret as in a UTF-8 database.
SELECT vecrbac.jwt_verify(vecrbac.jwt_sign('{"exp":1700003600,"sub":"é"}', 'clé secrète de trente-deux octets !'::text),
                          convert_to('clé secrète de trente-deux octets !', 'UTF8'));
\c :regress_db
DROP DATABASE jwt_regress_latin1;

DROP EXTENSION pgcrypto;
DROP EXTENSION vecrbac;

-- vecrbac.jwt_sign: header, compact claims, every algorithm signs what jwt_verify
-- accepts (and pgcrypto's HMAC agrees), and the refusals (22023).
-- The PEM keys below were generated for vecrbac's tests only (test/unit/jwt_fixtures.h).
CREATE EXTENSION vecrbac;
CREATE EXTENSION pgcrypto;

CREATE FUNCTION pg_temp.b64url(data bytea) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT translate(rtrim(replace(encode(data, 'base64'), E'\n', ''), '='), '+/', '-_')
$$;
CREATE FUNCTION pg_temp.unb64url(s text) RETURNS bytea LANGUAGE sql IMMUTABLE AS $$
    SELECT decode(translate(s, '-_', '+/') || repeat('=', (4 - length(s) % 4) % 4), 'base64')
$$;
CREATE FUNCTION pg_temp.part(token text, n int) RETURNS text LANGUAGE sql IMMUTABLE AS $$
    SELECT convert_from(pg_temp.unb64url(split_part(token, '.', n)), 'UTF8')
$$;
SET vecrbac.jwt_test_now = 1700000000;

-- ---- HS256: header, compact payload in jsonb's key order, deterministic ----------------
SELECT vecrbac.jwt_sign('{"sub": "alice", "exp": 1700003600, "access": "r"}',
                        '0123456789abcdef0123456789abcdef'::bytea) AS t \gset
SELECT :'t' AS token;
SELECT pg_temp.part(:'t', 1) AS header, pg_temp.part(:'t', 2) AS payload;
-- pgcrypto computes the same MAC over the same signing input.
SELECT split_part(:'t', '.', 3) = pg_temp.b64url(hmac(split_part(:'t', '.', 1) || '.' || split_part(:'t', '.', 2),
                                                      '0123456789abcdef0123456789abcdef', 'sha256')) AS same_mac;
-- The text-key overload, same secret: the same token.
SELECT vecrbac.jwt_sign('{"sub": "alice", "exp": 1700003600, "access": "r"}', '0123456789abcdef0123456789abcdef') = :'t'
       AS text_key_same;
SELECT vecrbac.jwt_verify(:'t', '0123456789abcdef0123456789abcdef');
-- HS384 and HS512 need 48 and 64 bytes of key.
SELECT vecrbac.jwt_verify(vecrbac.jwt_sign('{"exp":1700003600}', repeat('k', 48), 'HS384'), repeat('k', 48), '{HS384}');
SELECT vecrbac.jwt_verify(vecrbac.jwt_sign('{"exp":1700003600}', repeat('k', 64), 'HS512'), repeat('k', 64), '{HS512,HS384}');
SELECT length(pg_temp.unb64url(split_part(vecrbac.jwt_sign('{}', repeat('k', 64), 'HS512'), '.', 3))) AS hs512_mac_bytes;

-- ---- asymmetric algorithms: sign with the private key, verify with the public one --------
-- EdDSA with RFC 8037's key (JWK); deterministic, so the token is fixed.
\set ed_priv_jwk '{"kty":"OKP","crv":"Ed25519","d":"nWGxne_9WmC6hEr0kuwsxERJxWl7MmkZcDusAxyuf2A","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}'
\set ed_pub_jwk '{"kty":"OKP","crv":"Ed25519","x":"11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}'
SELECT vecrbac.jwt_sign('{"exp":1700003600,"sub":"ed"}', :'ed_priv_jwk', 'EdDSA') AS ed_token \gset
SELECT :'ed_token' AS ed_token;
SELECT vecrbac.jwt_verify(:'ed_token', :'ed_pub_jwk', '{EdDSA}');
-- EdDSA with PEM keys.
SELECT '-----BEGIN PRIVATE KEY-----
MC4CAQAwBQYDK2VwBCIEIMKvuQbvozjT/gzJTioklhJZTlzHRqSdktNreFOktlf+
-----END PRIVATE KEY-----' AS ed_priv_pem \gset
SELECT '-----BEGIN PUBLIC KEY-----
MCowBQYDK2VwAyEA79hOUATlptp2W2jLYVKIdzErHTzUk/AoxlY1krKgTZQ=
-----END PUBLIC KEY-----' AS ed_pub_pem \gset
SELECT vecrbac.jwt_verify(vecrbac.jwt_sign('{"exp":1700003600}', :'ed_priv_pem', 'EdDSA'), :'ed_pub_pem', '{EdDSA}');
-- ES256 with RFC 7515 A.3's key; randomized, so only the outcome is shown.
\set ec_priv_jwk '{"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0","d":"jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI"}'
\set ec_pub_jwk '{"kty":"EC","crv":"P-256","x":"f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU","y":"x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"}'
SELECT vecrbac.jwt_sign('{"exp":1700003600}', :'ec_priv_jwk', 'ES256') AS es_token \gset
SELECT pg_temp.part(:'es_token', 1) AS header, length(pg_temp.unb64url(split_part(:'es_token', '.', 3))) AS sig_bytes;
SELECT vecrbac.jwt_verify(:'es_token', :'ec_pub_jwk', '{ES256}');
SELECT vecrbac.jwt_sign('{"exp":1700003600}', :'ec_priv_jwk', 'ES256') <> :'es_token' AS randomized;
-- RS256 and PS256 with a 2048-bit PEM key.
SELECT '-----BEGIN PRIVATE KEY-----
MIIEvgIBADANBgkqhkiG9w0BAQEFAASCBKgwggSkAgEAAoIBAQDMSt6OnxJ9+BUH
M4xbfh4JCophIVNlZGWPMzWSSdEDm1V8mPsjbaGq/Cq7vhXLesASRauDMhu2KPr0
6FYboyM43I68pi63UK6F4o1xFBPRlG3tM27zooB//c2HfGDn5XAKqyKi+xIMtzo/
lhVV120c6jgZPhXIpglvppd9z3k2vEfqhDGuiEz9gyoAbokecuru9XGpriJDLplf
05VXZRODVykJaE5AadmfXLnByZvm+TUtSPCHhtKa6jH5g6u4sn9mJp0uH6Q9XgJH
NOAPTSFbPVxsQbJfmyfzpl+I8xytxBF7XmtTkdWIEaYWpaKShKiMAx7LgZIf0CzN
VhP2TlOjAgMBAAECggEAAossGjqA0HC2UlCh/sGjPhmTf4Iat7h4S0An+ppQr+rP
Na3x8o765FYfchb7znzIx3F2oTuOfMYl2cbKy61MUvjsDg1Dp6Sph6E6gZ3uYT2n
4LwzNXVghDd0x6sUyc5hhsB6vezCXMYrQ39q5Ja6FRIVgLr1Knpmw60fVcGvkK7h
xG9V9lQub7pTKRKs7dvoxjPa4HCb3idOBeaL8qeiT0LlYiY91p6baK1laJI1OI0Z
b7kzVqddDKanW9opFdROa/gOU9MSoOIr1fkApdF7Khyk0xoCYX8VjsFlLMuN1Er2
IgJ9iz4rDijWXUbnvflTmOLWdCRVKgbSC5/v0rxxAQKBgQDl5ugplE1Kzlkf1kDw
jNRXzc0eK8mcmCR102vSBBDnUD6eHr2rXMQ0L7iapyW/QvmD4atOdiLdwZnFL7na
qPbkYAqWXZKUgrTh1J+xZs/qfbLHmJd2WHo5Fuii11wpi8PfdFE09E0amSWo7DwB
1qMym2h0NOy9UBlKLsVcV7zCOQKBgQDje7voNSp0aKafr+BrOYNlSl80BtafJ4jU
HIpSAeQvDlNSHjw1cU+tMKS41v7oUvUHoB8uqaQMr/7abvVxsS25Dh3Q5DCvHYwJ
0G/3z/plbKkIW49qnUHbdirvdSAqZYR0O4/cuvd1z5U8gJo/1KS7hSxxLs4lo8wy
Kn4RIkAUuwKBgQCIpy76gA9NVsg9F1J0aZFSO58fvvFQ5lJNwwTEyevuQpFl1Wny
MOrjBjaZnp7eSAYeMQZtVeU1oP0w60Ryx5oxdzDz3dzh76tqzMK7ZRxTCrI41+e3
zbGgu5A+MvqyK0SbTv1yF4C5PazX8stcYGOTEjMNV+QcRz8xDAn98JzfaQKBgDKP
P7Zeiq8Qy2fWiUSLpd6PZxWDJ5R8DvdF2KBddz/WKUKpIaynIJRXqWTDtCgit/8X
4ZZXcfS38SbPXpIEVSs6LfpNnVxubr+Hqjsj6H0+Z1tKLlf917NVUjmiiKGjqorC
6jie/X0bxAmMc7wYIPzknnoRcxP+kdXch+R6/k8dAoGBALcw4SmCHQEA8OrwuTOq
0I21r+yf1Kxz+9UZtllowqr32QPfv8+NR5qd/NeEG1AH8hMlKyvp03aKxWHjKBKx
mkALxbXq83mQSVJk5vcndNZWjEW5Eq+gHS9sQ8sXqsGhpjUyuX6Ap+YrmONpYQtc
oS1PWlkU6aqns65ohcevQaLq
-----END PRIVATE KEY-----' AS rsa_priv \gset
SELECT '-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAzErejp8SffgVBzOMW34e
CQqKYSFTZWRljzM1kknRA5tVfJj7I22hqvwqu74Vy3rAEkWrgzIbtij69OhWG6Mj
ONyOvKYut1CuheKNcRQT0ZRt7TNu86KAf/3Nh3xg5+VwCqsiovsSDLc6P5YVVddt
HOo4GT4VyKYJb6aXfc95NrxH6oQxrohM/YMqAG6JHnLq7vVxqa4iQy6ZX9OVV2UT
g1cpCWhOQGnZn1y5wcmb5vk1LUjwh4bSmuox+YOruLJ/ZiadLh+kPV4CRzTgD00h
Wz1cbEGyX5sn86ZfiPMcrcQRe15rU5HViBGmFqWikoSojAMey4GSH9AszVYT9k5T
owIDAQAB
-----END PUBLIC KEY-----' AS rsa_pub \gset
SELECT vecrbac.jwt_verify(vecrbac.jwt_sign('{"exp":1700003600,"alg":"RS256"}', :'rsa_priv', 'RS256'), :'rsa_pub', '{RS256}');
SELECT vecrbac.jwt_verify(vecrbac.jwt_sign('{"exp":1700003600,"alg":"PS256"}', :'rsa_priv', 'PS256'), :'rsa_pub', '{PS256,RS256}');
-- An RS256 token is not accepted where only PS256 is allowed.
SELECT vecrbac.jwt_verify(vecrbac.jwt_sign('{"exp":1700003600}', :'rsa_priv', 'RS256'), :'rsa_pub', '{PS256}');
\echo :LAST_ERROR_SQLSTATE

-- ---- refusals ---------------------------------------------------------------------------
-- Unknown or unsecured algorithm.
SELECT vecrbac.jwt_sign('{}', '0123456789abcdef0123456789abcdef', 'none');
\echo :LAST_ERROR_SQLSTATE
SELECT vecrbac.jwt_sign('{}', '0123456789abcdef0123456789abcdef', 'hs256');
\echo :LAST_ERROR_SQLSTATE
-- HMAC key too short for the algorithm.
SELECT vecrbac.jwt_sign('{}', 'too short', 'HS256');
\echo :LAST_ERROR_SQLSTATE
SELECT vecrbac.jwt_sign('{}', '0123456789abcdef0123456789abcdef', 'HS384');
\echo :LAST_ERROR_SQLSTATE
-- A public key cannot sign; a key of another type does not fit.
SELECT vecrbac.jwt_sign('{}', :'ed_pub_jwk', 'EdDSA');
\echo :LAST_ERROR_SQLSTATE
SELECT vecrbac.jwt_sign('{}', :'rsa_pub', 'RS256');
\echo :LAST_ERROR_SQLSTATE
SELECT vecrbac.jwt_sign('{}', :'ec_priv_jwk', 'EdDSA');
\echo :LAST_ERROR_SQLSTATE
SELECT vecrbac.jwt_sign('{}', :'rsa_priv', 'ES256');
\echo :LAST_ERROR_SQLSTATE
-- A private key as HMAC secret.
SELECT vecrbac.jwt_sign('{}', :'rsa_priv', 'HS256');
\echo :LAST_ERROR_SQLSTATE
-- Claims must be an object with integer NumericDates.
SELECT vecrbac.jwt_sign('[1,2]', '0123456789abcdef0123456789abcdef');
\echo :LAST_ERROR_SQLSTATE
SELECT vecrbac.jwt_sign('{"exp":"tomorrow"}', '0123456789abcdef0123456789abcdef');
\echo :LAST_ERROR_SQLSTATE
SELECT vecrbac.jwt_sign('{"nbf":1.5}', '0123456789abcdef0123456789abcdef');
\echo :LAST_ERROR_SQLSTATE
SELECT vecrbac.jwt_sign('{"iat":-1}', '0123456789abcdef0123456789abcdef');
\echo :LAST_ERROR_SQLSTATE
-- jsonb normalizes 1e9 to an integer, so it is accepted.
SELECT pg_temp.part(vecrbac.jwt_sign('{"exp":1e9}', '0123456789abcdef0123456789abcdef'), 2) AS payload;
-- A number beyond double range cannot be carried in a token.
SELECT vecrbac.jwt_sign('{"n":1e400}', '0123456789abcdef0123456789abcdef');
\echo :LAST_ERROR_SQLSTATE
SELECT vecrbac.jwt_sign(NULL, '0123456789abcdef0123456789abcdef') IS NULL AS strict;

DROP EXTENSION pgcrypto;
DROP EXTENSION vecrbac;

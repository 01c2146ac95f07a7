-- Tokens as identity providers issue them: an issuer and an audience to check, grants in
-- a namespaced claim, and ids carried as strings. Each refusal names the claim that
-- failed (28000).
CREATE EXTENSION vecrbac;
\set secret 'a regression secret of at least thirty-two bytes'
SET vecrbac.jwt_secret = :'secret';
SET vecrbac.jwt_test_now = 1700000000;
CREATE ROLE vr_idp NOSUPERUSER NOBYPASSRLS;
CREATE TABLE docs (id int PRIMARY KEY, tenant int NOT NULL, org uuid, payload jsonb NOT NULL DEFAULT '{}');
INSERT INTO docs SELECT i, i % 3, CASE WHEN i = 1 THEN '6f1c2d3e-0000-4000-8000-000000000001'::uuid END, '{}'
FROM generate_series(1, 9) i;
SELECT vecrbac.protect('docs', key_columns => '["tenant", "org"]');
GRANT SELECT ON docs TO vr_idp;
CREATE FUNCTION tok(claims jsonb) RETURNS text LANGUAGE sql AS
$$ SELECT vecrbac.jwt_sign(claims || '{"exp":1700003600}', current_setting('vecrbac.jwt_secret')) $$;
CREATE TABLE tokens AS SELECT * FROM (VALUES
  ('plain', tok('{"access":[{"collection":"docs","access":"r","payload":{"tenant":1}}]}')),
  ('issued', tok('{"iss":"https://idp.example/","aud":["api","vectors"],"access":[{"collection":"docs","access":"r","payload":{"tenant":1}}]}')),
  ('other issuer', tok('{"iss":"https://evil.example/","aud":"vectors","access":"r"}')),
  ('other audience', tok('{"iss":"https://idp.example/","aud":"billing","access":"r"}')),
  ('namespaced', tok('{"iss":"https://idp.example/","aud":"vectors","https://vecrbac.example/claims":{"access":[{"collection":"docs","access":"r","payload":{"tenant":2}}]}}')),
  ('nested', tok('{"iss":"https://idp.example/","aud":"vectors","app_metadata":{"vecrbac":{"access":[{"collection":"docs","access":"r","payload":{"tenant":0}}]}}}')),
  ('tenant as string', tok('{"access":[{"collection":"docs","access":"r","payload":{"tenant":"1"}}]}')),
  ('org as number', tok('{"access":[{"collection":"docs","access":"r","payload":{"org":7}}]}')),
  ('org as uuid', tok('{"access":[{"collection":"docs","access":"r","payload":{"org":"6F1C2D3E-0000-4000-8000-000000000001"}}]}'))
) AS t(name, token);
GRANT SELECT ON tokens TO vr_idp;
-- what each token reads, or the refusal
CREATE FUNCTION reads() RETURNS TABLE (token_name text, outcome text) LANGUAGE plpgsql AS $$
DECLARE r record;
BEGIN
    FOR r IN SELECT * FROM tokens ORDER BY name LOOP
        token_name := r.name;
        BEGIN
            PERFORM set_config('vecrbac.token', r.token, true);
            SELECT 'rows ' || string_agg(id::text, ',' ORDER BY id) INTO outcome FROM docs;
        EXCEPTION WHEN OTHERS THEN
            outcome := SQLSTATE || ' ' || SQLERRM;
        END;
        RETURN NEXT;
    END LOOP;
END $$;

-- without issuer or audience settings, none is required; a namespaced claim is ignored
SET ROLE vr_idp;
SELECT * FROM reads();
RESET ROLE;
-- with them, both must match; grants read from a namespaced claim (a URL member, or a
-- dotted path)
SET vecrbac.issuer = 'https://idp.example/, https://login.example/';
SET vecrbac.audience = 'vectors';
SET vecrbac.claims_path = 'https://vecrbac.example/claims';
SET ROLE vr_idp;
SELECT * FROM reads();
RESET ROLE;
SET vecrbac.claims_path = 'app_metadata.vecrbac';
SET ROLE vr_idp;
SELECT * FROM reads() WHERE token_name IN ('namespaced', 'nested');
-- only a superuser sets them
SET vecrbac.issuer = '';
SET vecrbac.audience = '';
SET vecrbac.claims_path = '';
RESET ROLE;

-- Behind PostgREST: for each request it sets request.headers (and request.jwt.claims) for
-- the transaction, then calls its db-pre-request function: vecrbac.login_from_request
-- verifies the bearer token itself (here with the issuer, audience and claims path set above).
SET ROLE vr_idp;
BEGIN;
SELECT set_config('request.headers', json_build_object('authorization', 'Bearer ' || token, 'accept', '*/*')::text, true) IS NOT NULL
FROM tokens WHERE name = 'nested';
SELECT vecrbac.login_from_request() ->> 'iss' AS iss;
SELECT id FROM docs ORDER BY id;
COMMIT;
-- the token lasted for the transaction (the request) only
SELECT id FROM docs ORDER BY id;
-- claims a client puts into request.jwt.claims itself grant nothing
BEGIN;
SELECT set_config('request.jwt.claims', '{"access":"m"}', true) IS NOT NULL;
SELECT set_config('request.headers', '{"accept":"*/*"}', true) IS NOT NULL;
SELECT vecrbac.login_from_request();
ROLLBACK;
BEGIN;
SELECT set_config('request.headers', '{"authorization":"Basic dXNlcjpwYXNz"}', true) IS NOT NULL;
SELECT vecrbac.login_from_request();
ROLLBACK;
BEGIN;
SELECT set_config('request.headers', '{"authorization":"Bearer not.a.token"}', true) IS NOT NULL;
SELECT vecrbac.login_from_request();
ROLLBACK;
-- and with vecrbac.token_lifetime = 'transaction' it is still accepted (it is local)
RESET ROLE;
SET vecrbac.token_lifetime = 'transaction';
SET ROLE vr_idp;
BEGIN;
SELECT set_config('request.headers', json_build_object('authorization', 'bearer ' || token)::text, true) IS NOT NULL
FROM tokens WHERE name = 'nested';
SELECT vecrbac.login_from_request() IS NOT NULL AS logged_in;
SELECT count(*) FROM docs;
COMMIT;
RESET ROLE;
RESET vecrbac.token_lifetime;

DROP FUNCTION reads(), tok(jsonb);
DROP TABLE docs, tokens;
DROP EXTENSION vecrbac;
DROP ROLE vr_idp;

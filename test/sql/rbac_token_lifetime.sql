-- vecrbac.token_lifetime = 'transaction': only a token set for the transaction counts
-- (SET LOCAL, set_config(..., true), login(..., local => true), a function's SET clause);
-- a session-level one is refused with 28000, so that a token cannot outlive its client on
-- a pooled connection. test/clients/pooler_pgbouncer.py runs it through PgBouncer.
CREATE EXTENSION vecrbac;
\set secret 'a regression secret of at least thirty-two bytes'
SET vecrbac.jwt_secret = :'secret';
SET vecrbac.jwt_test_now = 1700000000;
CREATE ROLE vr_pooled NOSUPERUSER NOBYPASSRLS;
CREATE TABLE items (id int PRIMARY KEY, tenant int NOT NULL, payload jsonb NOT NULL DEFAULT '{}');
INSERT INTO items SELECT i, i % 2, '{}' FROM generate_series(1, 6) i;
SELECT vecrbac.protect('items', key_columns => '["tenant"]');
GRANT SELECT ON items TO vr_pooled;
SELECT vecrbac.jwt_sign('{"access":[{"collection":"items","access":"r","payload":{"tenant":1}}],"exp":1700003600}', :'secret') AS t1 \gset
CREATE FUNCTION count_with_token() RETURNS bigint LANGUAGE sql AS 'SELECT count(*) FROM items';
ALTER FUNCTION count_with_token() SET vecrbac.token = :'t1';
GRANT EXECUTE ON FUNCTION count_with_token() TO vr_pooled;
SET vecrbac.token_lifetime = 'transaction';
SET ROLE vr_pooled;
-- only a superuser changes it
SET vecrbac.token_lifetime = 'session';
\echo :LAST_ERROR_SQLSTATE
-- a session-level token: refused, whether set with SET, set_config(..., false) or login()
SET vecrbac.token = :'t1';
SELECT count(*) FROM items;
\echo :LAST_ERROR_SQLSTATE
SELECT vecrbac.claims();
\echo :LAST_ERROR_SQLSTATE
RESET vecrbac.token;
SELECT vecrbac.login(:'t1');
\echo :LAST_ERROR_SQLSTATE
-- a token for the transaction: accepted, and gone with it
BEGIN;
SET LOCAL vecrbac.token = :'t1';
SELECT count(*) FROM items;
COMMIT;
SELECT count(*) FROM items;
\echo :LAST_ERROR_SQLSTATE
BEGIN;
SELECT set_config('vecrbac.token', :'t1', true) IS NOT NULL AS set;
SELECT count(*) FROM items;
ROLLBACK;
BEGIN;
SELECT vecrbac.login(:'t1', local => true) ->> 'exp' AS exp;
SELECT count(*) FROM items;
COMMIT;
-- SET then SET LOCAL in one transaction: the local value counts while it lasts
BEGIN;
SET vecrbac.token = :'t1';
SET LOCAL vecrbac.token = :'t1';
SELECT count(*) FROM items;
ROLLBACK;
-- a savepoint's SET LOCAL ends with the transaction too
BEGIN;
SAVEPOINT s;
SET LOCAL vecrbac.token = :'t1';
RELEASE s;
SELECT count(*) FROM items;
COMMIT;
-- a function's SET clause lasts for the call
SELECT count_with_token();
SELECT count(*) FROM items;
\echo :LAST_ERROR_SQLSTATE
-- with the default lifetime, a session token counts
RESET ROLE;
RESET vecrbac.token_lifetime;
SET ROLE vr_pooled;
SET vecrbac.token = :'t1';
SELECT count(*) FROM items;
RESET vecrbac.token;
RESET ROLE;
DROP FUNCTION count_with_token();
DROP TABLE items;
DROP EXTENSION vecrbac;
DROP ROLE vr_pooled;

-- Token-scoped row-level security: settings and their secrecy, the generated policies,
-- their plans (accessors called directly, scopes as hnsw index conditions), and session
-- edge cases (prepared statements, parallel plans, rollback, DISCARD ALL, leaky
-- functions, views). The role matrix is in test/pgtap/rbac_matrix.sql.
CREATE EXTENSION vecrbac;
\set secret 'a regression secret of at least thirty-two bytes'
\set alt 'the alternate regression secret, 32 bytes or more'

-- ---- secrets: at least 32 bytes, superuser-only, never shown ----------------------------
SET vecrbac.jwt_secret = 'too short';
\echo :LAST_ERROR_SQLSTATE
SET vecrbac.jwt_secret = '-----BEGIN PUBLIC KEY-----\nMCowBQYDK2VwAyEAGb9ECWmEzf6FQbrBZ9w7lshQhqowtrbLDFw4rXAxZuE=\n-----END PUBLIC KEY-----';
SET vecrbac.jwt_secret = :'secret';
SET vecrbac.jwt_secret_alt = :'alt';
SET vecrbac.jwt_test_now = 1700000000;
CREATE ROLE vr_app LOGIN NOSUPERUSER NOBYPASSRLS;
CREATE ROLE vr_owner NOSUPERUSER NOBYPASSRLS;
GRANT CREATE ON SCHEMA public TO vr_owner;
SET ROLE vr_app;
SHOW vecrbac.jwt_secret;
SELECT current_setting('vecrbac.jwt_secret_alt');
SELECT current_setting('vecrbac.jwt_secret', true);
SELECT name FROM pg_settings WHERE name LIKE 'vecrbac.%' ORDER BY name;
SELECT count(*) FROM pg_file_settings;
SET vecrbac.jwt_secret = 'an attacker secret of at least thirty-two bytes';
SET vecrbac.jwt_secret_alt = 'an attacker secret of at least thirty-two bytes';
SET vecrbac.leeway = 100000;
SET vecrbac.require_exp = off;
SET vecrbac.missing_access = 'm';
SET vecrbac.jwt_test_now = 1;
SET vecrbac.no_such_setting = 1;
SHOW vecrbac.leeway;
-- (the test clusters run without JIT, which EXPLAIN (SETTINGS) would list)
SET jit = on;
EXPLAIN (SETTINGS, COSTS OFF) SELECT 1;
RESET ROLE;
EXPLAIN (SETTINGS, COSTS OFF) SELECT 1;
RESET jit;
-- the superuser sees that secrets are set
SELECT length(current_setting('vecrbac.jwt_secret')) AS secret_bytes;

-- ---- a collection with a key column --------------------------------------------------------
SET ROLE vr_owner;
CREATE TABLE docs (id int PRIMARY KEY, tenant_id int NOT NULL, embedding vector(3) NOT NULL,
                   payload jsonb NOT NULL DEFAULT '{}');
INSERT INTO docs
SELECT i, 1 + (i > 6)::int, ARRAY[i, i % 3, 0]::real[]::vector,
       jsonb_build_object('dept', CASE WHEN i % 2 = 1 THEN 'a' ELSE 'b' END, 'n', i)
FROM generate_series(1, 12) i;
CREATE INDEX docs_hnsw ON docs USING hnsw (tenant_id, embedding vector_l2_ops, payload);
GRANT SELECT, INSERT, UPDATE, DELETE ON docs TO vr_app;
-- bad arguments
SELECT vecrbac.protect('docs', payload_column => 'nope');
SELECT vecrbac.protect('docs', payload_column => 'tenant_id');
SELECT vecrbac.protect('docs', key_columns => '{"tenant": "nope"}');
SELECT vecrbac.protect('docs', key_columns => '{"tenant": "embedding"}');
SELECT vecrbac.protect('docs', key_columns => '{"a.b": "tenant_id"}');
SELECT vecrbac.protect('docs', key_columns => '7');
SELECT vecrbac.protect('docs', collection => '');
SELECT vecrbac.protect('docs_hnsw');
-- the policies, and protect is idempotent
SELECT vecrbac.protect('docs', key_columns => '{"tenant": "tenant_id"}');
SELECT vecrbac.protect('docs', key_columns => '{"tenant": "tenant_id"}');
SELECT relrowsecurity, relforcerowsecurity FROM pg_class WHERE oid = 'docs'::regclass;
SELECT policyname, cmd, qual, with_check FROM pg_policies WHERE tablename = 'docs' ORDER BY policyname;
RESET ROLE;
SELECT name, rel, payload_column, key_columns FROM vecrbac.collections;
-- another role may not protect, unprotect or register someone else's table
SET ROLE vr_app;
SELECT vecrbac.protect('docs', 'mine');
SELECT vecrbac.unprotect('docs');
-- the registry is readable (pg_trigger and pg_policies show the same) and has no writer to call
SELECT * FROM vecrbac.collections;
INSERT INTO vecrbac.collections VALUES ('mine', 'docs', 'payload', '{}');
SELECT vecrbac._trigger_args(0);
RESET ROLE;

-- ---- tokens ------------------------------------------------------------------------------------
CREATE FUNCTION leak(int) RETURNS boolean LANGUAGE plpgsql COST 0.0000001 AS
$$ BEGIN RAISE NOTICE 'saw %', $1; RETURN true; END $$;
SELECT vecrbac.jwt_sign('{"access":"r","exp":1700003600}', :'secret') AS t_read \gset
SELECT vecrbac.jwt_sign('{"access":"r","exp":1700003600}', :'alt') AS t_read_alt \gset
SELECT vecrbac.jwt_sign('{"access":[{"collection":"docs","access":"rw","payload":{"tenant":1}}],"exp":1700003600}', :'secret') AS t_one \gset
SELECT vecrbac.jwt_sign('{"access":[{"collection":"docs","access":"rw","payload":{"tenant":2}}],"exp":1700003600}', :'secret') AS t_two \gset
SELECT vecrbac.jwt_sign('{"access":[{"collection":"docs","access":"r","payload":[{"tenant":1,"dept":"b"},{"tenant":2,"dept":"a"}]}],"exp":1700003600}', :'secret') AS t_mixed \gset
SELECT vecrbac.jwt_sign('{"access":"r","exp":1700000000}', :'secret') AS t_expiring \gset
SELECT vecrbac.jwt_sign('{"access":"r","exp":1700003600}', 'an attacker secret of at least thirty-two bytes') AS t_forged \gset
SELECT vecrbac.jwt_sign('{"access":"r","exp":1700003600,"value_exists":{"collection":"docs","matches":[{"key":"tenant","value":2},{"key":"dept","value":"b"}]}}', :'secret') AS t_ve \gset

SET ROLE vr_app;
SET enable_seqscan = off;
-- no token: 42501, also on an empty result
SELECT count(*) FROM docs;
\echo :LAST_ERROR_SQLSTATE
SELECT count(*) FROM docs WHERE false;
\echo :LAST_ERROR_SQLSTATE
SET vecrbac.token = 'not a token';
SELECT count(*) FROM docs;
\echo :LAST_ERROR_SQLSTATE
SET vecrbac.token = :'t_forged';
SELECT count(*) FROM docs;
SET vecrbac.token = :'t_read_alt';
SELECT count(*) FROM docs;

-- ---- plans: no subqueries (Citus refuses them in policies), scopes are hnsw index conditions ------
SET vecrbac.token = :'t_read';
EXPLAIN (COSTS OFF) SELECT id FROM docs ORDER BY embedding <-> '[0,0,0]' LIMIT 3;
SELECT id FROM docs ORDER BY embedding <-> '[0,0,0]' LIMIT 3;
SET vecrbac.token = :'t_two';
SELECT id FROM docs ORDER BY embedding <-> '[0,0,0]' LIMIT 3;
EXPLAIN (COSTS OFF, VERBOSE) SELECT id FROM docs ORDER BY embedding <-> '[0,0,0]' LIMIT 3;
EXPLAIN (COSTS OFF) DELETE FROM docs WHERE id = 1;
RESET enable_seqscan;
-- non-exact grants take the exact row test
SET vecrbac.token = :'t_mixed';
SELECT vecrbac.key_scope('docs', 'tenant'), vecrbac.payload_scope('docs', '{tenant}'),
       vecrbac.scope_is_exact('docs', '{tenant}');
SELECT id, tenant_id, payload->>'dept' AS dept FROM docs ORDER BY id;
-- a call site keeps its answer for its statement, but only for the same arguments
SELECT k, vecrbac.key_scope('docs', k)::text AS scope, count(*)
FROM docs, (VALUES ('tenant'), ('dept'), ('tenant')) v(k) GROUP BY 1, 2 ORDER BY 1;
-- writes bound to the scope
SET vecrbac.token = :'t_one';
INSERT INTO docs VALUES (100, 2, '[1,1,1]');
\echo :LAST_ERROR_SQLSTATE
UPDATE docs SET tenant_id = 2 WHERE id = 1;
\echo :LAST_ERROR_SQLSTATE
UPDATE docs SET payload = payload || '{"x": 1}' RETURNING id;
DELETE FROM docs WHERE id = 7 RETURNING id;
INSERT INTO docs VALUES (7, 1, '[1,1,1]') ON CONFLICT (id) DO UPDATE SET tenant_id = 1 RETURNING id;
\echo :LAST_ERROR_SQLSTATE
-- a read-only grant cannot write, even when nothing would be written
SET vecrbac.token = :'t_read';
DELETE FROM docs WHERE false;
\echo :LAST_ERROR_SQLSTATE
INSERT INTO docs SELECT * FROM docs WHERE false;
\echo :LAST_ERROR_SQLSTATE

-- ---- session edge cases -----------------------------------------------------------------------------
-- prepared statements and generic plans see the token of each execution
SET plan_cache_mode = force_generic_plan;
PREPARE mine AS SELECT array_agg(id ORDER BY id) FROM docs;
SET vecrbac.token = :'t_one';
EXECUTE mine;
SET vecrbac.token = :'t_two';
EXECUTE mine;
RESET plan_cache_mode;
DEALLOCATE mine;
-- SET LOCAL ends with the transaction; rollback (also to a savepoint) restores the previous token
BEGIN;
SET LOCAL vecrbac.token = :'t_one';
SELECT count(*) FROM docs;
COMMIT;
SELECT count(*) FROM docs;
BEGIN;
SET vecrbac.token = :'t_read';
SELECT count(*) FROM docs;
ROLLBACK;
SELECT count(*) FROM docs;
BEGIN;
SAVEPOINT s;
SET vecrbac.token = :'t_one';
SELECT count(*) FROM docs;
ROLLBACK TO SAVEPOINT s;
SELECT count(*) FROM docs;
COMMIT;
RESET vecrbac.token;
SELECT count(*) FROM docs;
\echo :LAST_ERROR_SQLSTATE
-- login verifies at once and raises at once; logout; claims
SELECT vecrbac.login('bad');
\echo :LAST_ERROR_SQLSTATE
SELECT vecrbac.login(:'t_one') ->> 'exp' AS exp;
SELECT count(*) FROM docs;
SELECT vecrbac.claims() -> 'access';
SELECT vecrbac.logout();
SELECT vecrbac.claims();
SELECT count(*) FROM docs;
\echo :LAST_ERROR_SQLSTATE
BEGIN;
SELECT vecrbac.login(:'t_two', true) IS NOT NULL AS logged_in;
SELECT count(*) FROM docs;
COMMIT;
SELECT vecrbac.claims();
-- parallel workers see the leader's token (the accessors run in the workers, which
-- inherit vecrbac.token; the leader's executor-start check made the value_exists lookup)
SET vecrbac.token = :'t_two';
SET force_parallel_mode = on;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET enable_indexscan = off;
EXPLAIN (COSTS OFF) SELECT count(*) FROM docs;
SELECT count(*), min(id), max(id) FROM docs;
RESET force_parallel_mode;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET enable_indexscan;
-- a leaky function in WHERE only ever sees visible rows
SELECT count(*) FROM docs WHERE leak(id);
-- expiry is checked on every statement (the test clock moves)
SET vecrbac.token = :'t_expiring';
SELECT count(*) FROM docs;
RESET ROLE;
SET vecrbac.jwt_test_now = 1700000031;
SET ROLE vr_app;
SELECT count(*) FROM docs;
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
SET vecrbac.jwt_test_now = 1700000000;
-- value_exists: valid while a row matches; revoked mid-session
SET ROLE vr_app;
SET vecrbac.token = :'t_ve';
SELECT count(*) FROM docs;
RESET ROLE;
UPDATE docs SET payload = payload || '{"dept": "c"}' WHERE tenant_id = 2 AND payload->>'dept' = 'b';
SET ROLE vr_app;
SELECT count(*) FROM docs;
\echo :LAST_ERROR_SQLSTATE
RESET ROLE;
-- a view without security_invoker reads as its owner: bound by FORCE and the session's token
SET ROLE vr_owner;
CREATE VIEW docs_view AS SELECT id FROM docs;
GRANT SELECT ON docs_view TO vr_app;
RESET ROLE;
SET ROLE vr_app;
SET vecrbac.token = :'t_one';
SELECT array_agg(id ORDER BY id) FROM docs_view;
RESET vecrbac.token;
SELECT array_agg(id ORDER BY id) FROM docs_view;
\echo :LAST_ERROR_SQLSTATE
-- the owner is bound by FORCE ROW LEVEL SECURITY too
SET ROLE vr_owner;
SET vecrbac.token = :'t_two';
SELECT array_agg(id ORDER BY id) FROM docs;
TRUNCATE docs;
\echo :LAST_ERROR_SQLSTATE
RESET vecrbac.token;
-- DISCARD ALL forgets the token
RESET ROLE;
SET vecrbac.token = :'t_one';
DISCARD ALL;
SHOW vecrbac.token;
-- a new session of an ordinary role plants secrets before the library is loaded: ignored
\c - vr_app
SET vecrbac.jwt_secret = 'an attacker secret of at least thirty-two bytes';
SET vecrbac.token = :'t_forged';
SELECT count(*) FROM docs;
\echo :LAST_ERROR_SQLSTATE
\c - postgres

-- ---- unprotect, drop ---------------------------------------------------------------------------------
SET vecrbac.jwt_secret = :'secret';
SET ROLE vr_owner;
SELECT vecrbac.unprotect('docs');
SELECT relrowsecurity, relforcerowsecurity FROM pg_class WHERE oid = 'docs'::regclass;
SELECT count(*) FROM docs;
SELECT vecrbac.protect('docs', key_columns => '["tenant_id"]');
DROP VIEW docs_view;
DROP TABLE docs;
RESET ROLE;
SELECT count(*) AS registered FROM vecrbac.collections;
DROP FUNCTION leak(int);
DROP EXTENSION vecrbac;
REVOKE CREATE ON SCHEMA public FROM vr_owner;
DROP ROLE vr_app, vr_owner;

-- rbac_matrix.sql: what each kind of token may do, operation by operation.
--
-- Every cell runs as vr_tap_app, a NOSUPERUSER NOBYPASSRLS role that owns none of the
-- tables (asserted first), inside a subtransaction that is rolled back afterwards, so
-- each cell sees the same data. A cell's result is the query's text value, 'ok' for a
-- statement without one, or the SQLSTATE it raised. The owner, bound by FORCE ROW LEVEL
-- SECURITY, gets its own cells at the end.
BEGIN;
SET client_min_messages = warning;
CREATE EXTENSION vecrbac;
SET vecrbac.jwt_secret = 'a pgtap secret of at least thirty-two bytes';
SET vecrbac.jwt_secret_alt = 'the alternate pgtap secret of 32+ bytes';
SET vecrbac.jwt_test_now = 1700000000;
CREATE ROLE vr_tap_owner NOSUPERUSER NOBYPASSRLS;
CREATE ROLE vr_tap_app NOSUPERUSER NOBYPASSRLS;
GRANT CREATE ON SCHEMA public TO vr_tap_owner, vr_tap_app;

SET ROLE vr_tap_owner;
CREATE TABLE docs (id int PRIMARY KEY, tenant_id int NOT NULL, embedding vector(3) NOT NULL,
                   payload jsonb NOT NULL DEFAULT '{}');
INSERT INTO docs VALUES
    (1, 1, '[1,0,0]', '{"dept": "a"}'), (2, 1, '[2,0,0]', '{"dept": "b"}'),
    (3, 1, '[3,0,0]', '{"dept": "a"}'), (4, 2, '[4,0,0]', '{"dept": "a"}'),
    (5, 2, '[5,0,0]', '{"dept": "b"}'), (6, 2, '[6,0,0]', '{"dept": "b", "tags": ["x", "y"]}');
CREATE INDEX ON docs USING hnsw (tenant_id, embedding vector_l2_ops, payload);
SELECT vecrbac.protect('docs', key_columns => '{"tenant": "tenant_id"}');
CREATE TABLE notes (id int PRIMARY KEY, embedding vector(3) NOT NULL, payload jsonb NOT NULL DEFAULT '{}');
INSERT INTO notes VALUES (1, '[1,1,1]', '{}'), (2, '[2,2,2]', '{}');
SELECT vecrbac.protect('notes');
CREATE TABLE users (id int PRIMARY KEY, payload jsonb NOT NULL);
INSERT INTO users VALUES (1, '{"user": "alice"}');
SELECT vecrbac.protect('users');
GRANT SELECT, INSERT, UPDATE, DELETE, TRUNCATE ON docs, notes TO vr_tap_app;
RESET ROLE;

-- ---- tokens ----------------------------------------------------------------------------------
CREATE TEMP TABLE tokens (kind text PRIMARY KEY, token text);
INSERT INTO tokens
SELECT kind, CASE WHEN claims IS NULL THEN '' ELSE vecrbac.jwt_sign(
           claims || (CASE WHEN claims ? 'exp' THEN '{}' ELSE '{"exp": 1700003600}' END)::jsonb, secret) END
FROM (VALUES
    ('none', NULL, NULL),
    ('global_r', '{"access": "r"}', 's'),
    ('global_m', '{"access": "m"}', 's'),
    ('docs_r', '{"access": [{"collection": "docs", "access": "r"}]}', 's'),
    ('docs_rw', '{"access": [{"collection": "docs", "access": "rw"}]}', 's'),
    ('docs_prw', '{"access": [{"collection": "docs", "access": "prw"}]}', 's'),
    ('tenant1', '{"access": [{"collection": "docs", "access": "rw", "payload": {"tenant": 1}}]}', 's'),
    ('dept_a', '{"access": [{"collection": "docs", "access": "prw", "payload": {"dept": "a"}}]}', 's'),
    ('mixed', '{"access": [{"collection": "docs", "access": "prw", "payload": [{"tenant": 1, "dept": "b"}, {"tenant": 2, "dept": "a"}]}]}', 's'),
    ('two_coll', '{"access": [{"collection": "docs", "access": "r", "payload": {"tenant": 2}}, {"collection": "notes", "access": "rw"}]}', 's'),
    ('tag_x', '{"access": [{"collection": "docs", "access": "r", "payload": {"tags": "x"}}]}', 's'),
    ('expired', '{"access": "r", "exp": 1699990000}', 's'),
    ('wrong_secret', '{"access": "r"}', 'w'),
    ('alt_secret', '{"access": "r"}', 'a'),
    ('no_access', '{"sub": "nobody"}', 's'),
    ('ve_true', '{"access": [{"collection": "docs", "access": "r"}], "value_exists": {"collection": "users", "matches": [{"key": "user", "value": "alice"}]}}', 's'),
    ('ve_false', '{"access": [{"collection": "docs", "access": "r"}], "value_exists": {"collection": "users", "matches": [{"key": "user", "value": "mallory"}]}}', 's'),
    ('notes_only', '{"access": [{"collection": "notes", "access": "r"}]}', 's')
) AS v(kind, claims_text, which)
CROSS JOIN LATERAL (SELECT CASE which WHEN 's' THEN 'a pgtap secret of at least thirty-two bytes'
                                      WHEN 'a' THEN 'the alternate pgtap secret of 32+ bytes'
                                      ELSE 'a wrong secret, also at least 32 bytes long' END AS secret) k
CROSS JOIN LATERAL (SELECT v.claims_text::jsonb AS claims) c;

-- ---- operations ----------------------------------------------------------------------------------
CREATE TEMP TABLE ops (n int PRIMARY KEY, op text, sql text);
INSERT INTO ops VALUES
    (1, 'SELECT', $$SELECT coalesce(string_agg(id::text, ',' ORDER BY id), '') FROM docs$$),
    (2, 'nearest neighbours', $$SELECT coalesce(string_agg(id::text, ',' ORDER BY d, id), '') FROM (SELECT id, embedding <-> '[0,0,0]' AS d FROM docs ORDER BY embedding <-> '[0,0,0]' LIMIT 2) s$$),
    (3, 'COUNT', $$SELECT count(*)::text FROM docs$$),
    (4, 'INSERT tenant 1 dept a', $$WITH w AS (INSERT INTO docs VALUES (10, 1, '[9,9,9]', '{"dept": "a"}') RETURNING id) SELECT count(*)::text FROM w$$),
    (5, 'INSERT tenant 2 dept b', $$WITH w AS (INSERT INTO docs VALUES (11, 2, '[9,9,9]', '{"dept": "b"}') RETURNING id) SELECT count(*)::text FROM w$$),
    (6, 'INSERT tenant 1 dept b', $$WITH w AS (INSERT INTO docs VALUES (12, 1, '[9,9,9]', '{"dept": "b"}') RETURNING id) SELECT count(*)::text FROM w$$),
    (7, 'UPDATE row 1 to tenant 2', $$WITH w AS (UPDATE docs SET tenant_id = 2 WHERE id = 1 RETURNING id) SELECT count(*)::text FROM w$$),
    (8, 'UPDATE all RETURNING', $$WITH w AS (UPDATE docs SET payload = payload || '{"seen": true}' RETURNING id) SELECT coalesce(string_agg(id::text, ',' ORDER BY id), '') FROM w$$),
    (9, 'DELETE all RETURNING', $$WITH w AS (DELETE FROM docs RETURNING id) SELECT coalesce(string_agg(id::text, ',' ORDER BY id), '') FROM w$$),
    (10, 'upsert on row 5', $$WITH w AS (INSERT INTO docs VALUES (5, 1, '[5,0,0]', '{"dept": "a"}') ON CONFLICT (id) DO UPDATE SET payload = excluded.payload RETURNING id) SELECT count(*)::text FROM w$$),
    (11, 'TRUNCATE', $$TRUNCATE docs$$),
    (12, 'create_collection', $$SELECT vecrbac.create_collection('tapcoll', 3, key_columns => '{"tenant": "int"}')::text$$),
    (13, 'drop_collection docs', $$SELECT vecrbac.drop_collection('docs')::text$$),
    (14, 'SELECT notes', $$SELECT coalesce(string_agg(id::text, ',' ORDER BY id), '') FROM notes$$),
    (15, 'INSERT notes', $$WITH w AS (INSERT INTO notes VALUES (3, '[3,3,3]', '{}') RETURNING id) SELECT count(*)::text FROM w$$);

-- ---- expected cells, one row per token kind, in the order of ops ------------------------------------
CREATE TEMP TABLE expected (kind text PRIMARY KEY, cells text[]);
INSERT INTO expected VALUES
    ('none',        array_fill('42501'::text, ARRAY[15])),
    ('global_r',    '{"1,2,3,4,5,6","1,2",6,42501,42501,42501,42501,42501,42501,42501,42501,42501,42501,"1,2",42501}'),
    ('global_m',    '{"1,2,3,4,5,6","1,2",6,1,1,1,1,"1,2,3,4,5,6","1,2,3,4,5,6",1,ok,tapcoll,42501,"1,2",1}'),
    ('docs_r',      '{"1,2,3,4,5,6","1,2",6,42501,42501,42501,42501,42501,42501,42501,42501,42501,42501,42501,42501}'),
    ('docs_rw',     '{"1,2,3,4,5,6","1,2",6,1,1,1,1,"1,2,3,4,5,6","1,2,3,4,5,6",1,ok,42501,42501,42501,42501}'),
    ('docs_prw',    '{"1,2,3,4,5,6","1,2",6,1,1,1,1,"1,2,3,4,5,6","1,2,3,4,5,6",1,ok,42501,42501,42501,42501}'),
    ('tenant1',     '{"1,2,3","1,2",3,1,42501,1,42501,"1,2,3","1,2,3",42501,42501,42501,42501,42501,42501}'),
    ('dept_a',      '{"1,3,4","1,3",3,1,42501,42501,1,"1,3,4","1,3,4",42501,42501,42501,42501,42501,42501}'),
    ('mixed',       '{"2,4","2,4",2,42501,42501,1,0,"2,4","2,4",42501,42501,42501,42501,42501,42501}'),
    ('two_coll',    '{"4,5,6","4,5",3,42501,42501,42501,42501,42501,42501,42501,42501,42501,42501,"1,2",1}'),
    ('tag_x',       '{6,6,1,42501,42501,42501,42501,42501,42501,42501,42501,42501,42501,42501,42501}'),
    ('expired',     array_fill('28000'::text, ARRAY[15])),
    ('wrong_secret', array_fill('28000'::text, ARRAY[15])),
    ('alt_secret',  '{"1,2,3,4,5,6","1,2",6,42501,42501,42501,42501,42501,42501,42501,42501,42501,42501,"1,2",42501}'),
    ('no_access',   array_fill('42501'::text, ARRAY[15])),
    ('ve_true',     '{"1,2,3,4,5,6","1,2",6,42501,42501,42501,42501,42501,42501,42501,42501,42501,42501,42501,42501}'),
    ('ve_false',    array_fill('28000'::text, ARRAY[15])),
    ('notes_only',  '{42501,42501,42501,42501,42501,42501,42501,42501,42501,42501,42501,42501,42501,"1,2",42501}');

-- One cell: the query's value, 'ok', or the SQLSTATE; always rolled back.
CREATE FUNCTION pg_temp.cell(p_token text, p_sql text, p_role name DEFAULT 'vr_tap_app') RETURNS text
LANGUAGE plpgsql AS $$
DECLARE r text;
BEGIN
    BEGIN
        PERFORM set_config('vecrbac.token', coalesce(p_token, ''), true);
        PERFORM set_config('role', p_role, true);
        IF p_sql ~* '^\s*(truncate|set)' THEN
            EXECUTE p_sql;
            r := 'ok';
        ELSE
            EXECUTE p_sql INTO r;
        END IF;
        RAISE EXCEPTION USING ERRCODE = 'VRT01', MESSAGE = coalesce(r, '<null>');
    EXCEPTION
        WHEN SQLSTATE 'VRT01' THEN RETURN SQLERRM;
        WHEN OTHERS THEN RETURN SQLSTATE;
    END;
END $$;
CREATE FUNCTION pg_temp.tok(p_kind text) RETURNS text LANGUAGE sql AS
$$ SELECT token FROM tokens WHERE kind = p_kind $$;

SELECT plan(3 + (SELECT count(*)::int FROM expected) * 15 + 9);

-- ---- who the cells run as -----------------------------------------------------------------------------
SELECT is(pg_temp.cell(NULL, $$SELECT current_user::text$$), 'vr_tap_app', 'cells run as vr_tap_app');
SELECT ok((SELECT NOT rolsuper AND NOT rolbypassrls FROM pg_roles WHERE rolname = 'vr_tap_app'),
          'vr_tap_app is NOSUPERUSER NOBYPASSRLS');
SELECT ok(NOT EXISTS (SELECT 1 FROM pg_class WHERE relname IN ('docs', 'notes', 'users')
                      AND relowner = 'vr_tap_app'::regrole), 'vr_tap_app owns none of the tables');

-- ---- the matrix ----------------------------------------------------------------------------------------
SELECT is(pg_temp.cell(t.token, o.sql), e.cells[o.n], format('%s: %s', e.kind, o.op))
FROM expected e JOIN tokens t USING (kind) CROSS JOIN ops o
ORDER BY e.kind, o.n;

-- ---- the owner is bound too (FORCE ROW LEVEL SECURITY) -----------------------------------------------------
SELECT is(pg_temp.cell(pg_temp.tok('tenant1'), $$SELECT string_agg(id::text, ',' ORDER BY id) FROM docs$$, 'vr_tap_owner'),
          '1,2,3', 'owner with a tenant token sees its rows');
SELECT is(pg_temp.cell('', $$SELECT count(*)::text FROM docs$$, 'vr_tap_owner'), '42501', 'owner without a token: 42501');
SELECT is(pg_temp.cell(pg_temp.tok('tenant1'), $$TRUNCATE docs$$, 'vr_tap_owner'), '42501', 'owner cannot TRUNCATE with a scoped token');
SELECT is(pg_temp.cell(pg_temp.tok('expired'), $$SELECT count(*)::text FROM docs$$, 'vr_tap_owner'), '28000', 'owner with an expired token: 28000');

-- ---- value_exists revoked mid-session, and an empty table ---------------------------------------------------
SELECT is(pg_temp.cell(pg_temp.tok('ve_true'), $$SELECT count(*)::text FROM docs$$), '6', 'value_exists holds');
UPDATE users SET payload = '{"user": "bob"}';
SELECT is(pg_temp.cell(pg_temp.tok('ve_true'), $$SELECT count(*)::text FROM docs$$), '28000', 'value_exists revoked: 28000 on the next statement');
UPDATE users SET payload = '{"user": "alice"}';
DELETE FROM notes;
SELECT is(pg_temp.cell(pg_temp.tok('docs_r'), $$SELECT count(*)::text FROM notes$$), '42501', 'no grant, empty table: still 42501');
SELECT is(pg_temp.cell(pg_temp.tok('expired'), $$SELECT count(*)::text FROM notes$$), '28000', 'expired, empty table: still 28000');
SELECT is(pg_temp.cell(pg_temp.tok('global_m'),
          $$SELECT vecrbac.create_collection('tapcoll2', 3)::text || vecrbac.drop_collection('tapcoll2')::text$$),
          'tapcoll2', 'a global m token creates and drops its own collection');

SELECT * FROM finish();
ROLLBACK;

-- Scans that test every row (sequential, bitmap heap, parallel) take the policy
-- accessors' answers as constants at executor start (src/rbac_sql/policy_constants.cpp).
-- Every token shape must then see exactly the rows it saw before: each query below is
-- compared with the same rows selected as superuser by a plain WHERE, and the DEBUG2
-- line shows that the Filter was rebuilt (and which tests of a whole scope went).
CREATE EXTENSION vecrbac;
\set secret 'a regression secret of at least thirty-two bytes'
SET vecrbac.jwt_secret = :'secret';
CREATE ROLE vr_pc_app LOGIN NOSUPERUSER NOBYPASSRLS;

-- tenants 1 to 4, a text region and a bigint team (both NULL on some rows), a payload
-- with a department
CREATE TABLE pc_docs (id int PRIMARY KEY, tenant int NOT NULL, region text, team bigint,
                      embedding vector(2) NOT NULL, payload jsonb NOT NULL DEFAULT '{}');
INSERT INTO pc_docs
SELECT i, 1 + i % 4, CASE WHEN i % 5 = 0 THEN NULL WHEN i % 2 = 0 THEN 'eu' ELSE 'us' END,
       CASE WHEN i % 7 = 0 THEN NULL ELSE 1 + i % 3 END,
       ARRAY[i % 7, i % 11]::real[]::vector, jsonb_build_object('dept', CASE WHEN i % 3 = 0 THEN 'a' ELSE 'b' END)
FROM generate_series(1, 400) i;
CREATE INDEX pc_docs_tenant ON pc_docs (tenant);
SELECT vecrbac.protect('pc_docs', key_columns => '{"tenant": "tenant", "region": "region", "team": "team"}');
GRANT SELECT, UPDATE, DELETE ON pc_docs TO vr_pc_app;
ANALYZE pc_docs;

CREATE FUNCTION pc_token(claims jsonb) RETURNS text LANGUAGE sql AS
$$ SELECT vecrbac.jwt_sign(jsonb_build_object('exp', 4000000000) || claims,
                           'a regression secret of at least thirty-two bytes') $$;
SELECT pc_token('{"access": "r"}') AS t_global \gset
SELECT pc_token('{"access": [{"collection": "pc_docs", "access": "r", "payload": {"tenant": 2}}]}') AS t_tenant \gset
SELECT pc_token('{"access": [{"collection": "pc_docs", "access": "r", "payload": [{"tenant": 1}, {"tenant": 3}]}]}') AS t_list \gset
SELECT pc_token('{"access": [{"collection": "pc_docs", "access": "r", "payload": {"region": "eu"}}]}') AS t_region \gset
SELECT pc_token('{"access": [{"collection": "pc_docs", "access": "r", "payload": {"team": 2}}]}') AS t_team \gset
SELECT pc_token('{"access": [{"collection": "pc_docs", "access": "r", "payload": {"tenant": 2, "team": 1}}]}') AS t_both \gset
-- a tenant no int column can hold
SELECT pc_token('{"access": [{"collection": "pc_docs", "access": "r", "payload": {"tenant": 99999999999}}]}') AS t_huge \gset
-- a payload path beside the key: not an exact scope, so the row scope (CASE ... ELSE) stays
SELECT pc_token('{"access": [{"collection": "pc_docs", "access": "r", "payload": {"tenant": 4, "dept": "a"}}]}') AS t_dept \gset
SELECT pc_token('{"access": [{"collection": "pc_docs", "access": "rw", "payload": {"tenant": 3}}]}') AS t_write \gset
SELECT pc_token('{"access": [{"collection": "elsewhere", "access": "r"}]}') AS t_other \gset

-- what each token may see, by plain WHERE as superuser
CREATE TABLE pc_expected AS
SELECT 'global' AS token, count(*) AS n, sum(id) AS ids FROM pc_docs
UNION ALL SELECT 'tenant', count(*), sum(id) FROM pc_docs WHERE tenant = 2
UNION ALL SELECT 'list', count(*), sum(id) FROM pc_docs WHERE tenant IN (1, 3)
UNION ALL SELECT 'region', count(*), sum(id) FROM pc_docs WHERE region = 'eu'
UNION ALL SELECT 'team', count(*), sum(id) FROM pc_docs WHERE team = 2
UNION ALL SELECT 'both', count(*), sum(id) FROM pc_docs WHERE tenant = 2 AND team = 1
UNION ALL SELECT 'huge', 0, NULL
UNION ALL SELECT 'dept', count(*), sum(id) FROM pc_docs WHERE tenant = 4 AND payload->>'dept' = 'a';
GRANT SELECT ON pc_expected TO vr_pc_app;
SELECT token, n FROM pc_expected ORDER BY token;

SET ROLE vr_pc_app;
-- ---- sequential scans: each token's rows, exactly --------------------------------------------
SET enable_indexscan = off;
SET enable_bitmapscan = off;
SET client_min_messages = debug2;
SET vecrbac.token = :'t_global';
SELECT count(*), sum(id) FROM pc_docs;
SET vecrbac.token = :'t_tenant';
SELECT count(*), sum(id) FROM pc_docs;
SET vecrbac.token = :'t_dept';
SELECT count(*), sum(id) FROM pc_docs;
SET vecrbac.token = :'t_list';
SELECT count(*), sum(id) FROM pc_docs;
SET vecrbac.token = :'t_both';
SELECT count(*), sum(id) FROM pc_docs;
SET vecrbac.token = :'t_huge';
SELECT count(*), sum(id) FROM pc_docs;
RESET client_min_messages;
CREATE TEMP TABLE pc_seen (token text, n bigint, ids bigint);
SET vecrbac.token = :'t_global';
INSERT INTO pc_seen SELECT 'global', count(*), sum(id) FROM pc_docs;
SET vecrbac.token = :'t_tenant';
INSERT INTO pc_seen SELECT 'tenant', count(*), sum(id) FROM pc_docs;
SET vecrbac.token = :'t_list';
INSERT INTO pc_seen SELECT 'list', count(*), sum(id) FROM pc_docs;
SET vecrbac.token = :'t_region';
INSERT INTO pc_seen SELECT 'region', count(*), sum(id) FROM pc_docs;
SET vecrbac.token = :'t_dept';
INSERT INTO pc_seen SELECT 'dept', count(*), sum(id) FROM pc_docs;
SET vecrbac.token = :'t_team';
INSERT INTO pc_seen SELECT 'team', count(*), sum(id) FROM pc_docs;
SET vecrbac.token = :'t_both';
INSERT INTO pc_seen SELECT 'both', count(*), sum(id) FROM pc_docs;
SET vecrbac.token = :'t_huge';
INSERT INTO pc_seen SELECT 'huge', count(*), sum(id) FROM pc_docs;
-- no row differs from what plain WHERE gives (an empty result)
(SELECT * FROM pc_seen EXCEPT SELECT * FROM pc_expected)
UNION ALL (SELECT * FROM pc_expected EXCEPT SELECT * FROM pc_seen);
-- the rows of the text key's NULL region: only a token that admits every region sees them
SET vecrbac.token = :'t_global';
SELECT count(*) FROM pc_docs WHERE region IS NULL;
SET vecrbac.token = :'t_region';
SELECT count(*) FROM pc_docs WHERE region IS NULL;
-- and the bigint team's: a team token sees none, nor when the test asks for them by NOT
SET vecrbac.token = :'t_team';
SELECT count(*) FROM pc_docs WHERE team IS NULL;
SELECT count(*) FROM pc_docs WHERE NOT (team = 3);

-- ---- a prepared statement follows the token of each execution (generic plan too) ------------
PREPARE pc_count AS SELECT count(*), sum(id) FROM pc_docs;
SET vecrbac.token = :'t_tenant';
EXECUTE pc_count; EXECUTE pc_count; EXECUTE pc_count; EXECUTE pc_count; EXECUTE pc_count; EXECUTE pc_count;
SET vecrbac.token = :'t_list';
EXECUTE pc_count;
SET vecrbac.token = :'t_global';
EXECUTE pc_count;
SET vecrbac.token = :'t_tenant';
EXECUTE pc_count;
DEALLOCATE pc_count;

-- ---- refused tokens: the same errors as before --------------------------------------------------
SET vecrbac.token = :'t_other';
SELECT count(*) FROM pc_docs;
SET vecrbac.token = 'not.a.token';
SELECT count(*) FROM pc_docs;
RESET vecrbac.token;
SELECT count(*) FROM pc_docs;

-- ---- a bitmap heap scan ------------------------------------------------------------------------
RESET enable_bitmapscan;
SET enable_seqscan = off;
SET vecrbac.token = :'t_tenant';
EXPLAIN (COSTS OFF) SELECT count(*) FROM pc_docs WHERE tenant IN (2, 3);
SET client_min_messages = debug2;
SELECT count(*), sum(id) FROM pc_docs WHERE tenant IN (2, 3);
-- a Filter with a subquery keeps its accessor calls (no DEBUG line), and the same rows
SELECT count(*), sum(id) FROM pc_docs WHERE tenant IN (2, 3) AND id NOT IN (SELECT generate_series(1, 4));
RESET client_min_messages;
RESET enable_seqscan;
SET enable_bitmapscan = off;

-- ---- a parallel sequential scan: workers answer for themselves ----------------------------------
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET vecrbac.token = :'t_list';
EXPLAIN (COSTS OFF) SELECT count(*) FROM pc_docs;
SELECT count(*), sum(id) FROM pc_docs;
RESET parallel_setup_cost;
RESET parallel_tuple_cost;
RESET min_parallel_table_scan_size;
RESET max_parallel_workers_per_gather;

-- ---- a table of one page keeps its accessor calls (no DEBUG line): rebuilding costs more ----
RESET ROLE;
CREATE TABLE pc_tiny (id int PRIMARY KEY, tenant int NOT NULL, payload jsonb NOT NULL DEFAULT '{}');
INSERT INTO pc_tiny SELECT i, 1 + i % 4 FROM generate_series(1, 8) i;
SET client_min_messages = warning;
SELECT vecrbac.protect('pc_tiny', key_columns => '{"tenant": "tenant"}');
GRANT SELECT ON pc_tiny TO vr_pc_app;
SELECT pc_token('{"access": [{"collection": "pc_tiny", "access": "r", "payload": {"tenant": 2}}]}') AS t_tiny \gset
SET ROLE vr_pc_app;
SET vecrbac.token = :'t_tiny';
SET client_min_messages = debug2;
SELECT array_agg(id ORDER BY id) FROM pc_tiny;
RESET client_min_messages;
RESET ROLE;
DROP TABLE pc_tiny;
SET ROLE vr_pc_app;

-- ---- writes: UPDATE and DELETE scan with the write scope ---------------------------------------
SET vecrbac.token = :'t_write';
UPDATE pc_docs SET payload = payload || '{"seen": true}';
-- ids ending in 2: twenty rows of tenant 3, twenty of tenant 1 (which stay)
DELETE FROM pc_docs WHERE id % 10 = 2;
RESET vecrbac.token;
RESET ROLE;
SELECT tenant, count(*) FILTER (WHERE payload ? 'seen') AS updated, count(*) AS remaining
FROM pc_docs GROUP BY tenant ORDER BY tenant;

RESET enable_indexscan;
RESET enable_bitmapscan;
DROP TABLE pc_docs, pc_expected, pc_seen;
DROP FUNCTION pc_token(jsonb);
DROP ROLE vr_pc_app;
DROP EXTENSION vecrbac;

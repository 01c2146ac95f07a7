-- ALTER EXTENSION vecrbac UPDATE from 0.1.0 (the frozen release script) through 0.2.0 to
-- the current version: a database with protected collections is fixed in place, and
-- afterwards has exactly the objects, definitions and privileges of a fresh install.
-- Then the same from 0.2.0, 0.3.0, 0.4.0, 0.5.0, 0.6.0, 0.7.0, 0.8.0, and 0.9.0, the previous release.
CREATE EXTENSION vecrbac VERSION '0.1.0';
\set secret 'a regression secret of at least thirty-two bytes'
SET vecrbac.jwt_secret = :'secret';
SET vecrbac.jwt_test_now = 1700000000;
CREATE ROLE vr_up NOSUPERUSER NOBYPASSRLS;

CREATE TABLE up_docs (id int PRIMARY KEY, tenant int NOT NULL, embedding vector(2) NOT NULL,
                      payload jsonb NOT NULL DEFAULT '{}');
INSERT INTO up_docs SELECT i, i % 2, ARRAY[i, 0]::real[]::vector, jsonb_build_object('org', 'o' || (i % 3))
FROM generate_series(1, 30) i;
CREATE INDEX up_docs_hnsw ON up_docs USING hnsw (tenant, embedding vector_l2_ops, payload);
CREATE TABLE up_staff (id int PRIMARY KEY, login text NOT NULL, payload jsonb NOT NULL DEFAULT '{}');
INSERT INTO up_staff VALUES (1, 'alice', '{}');
SELECT vecrbac.protect('up_docs', key_columns => '{"tenant": "tenant"}');
SELECT vecrbac.protect('up_staff', key_columns => '["login"]');
GRANT SELECT, INSERT, UPDATE, DELETE ON up_docs TO vr_up;
-- 0.1.0 as shipped: PUBLIC may call the registry's SECURITY DEFINER writer
SELECT has_function_privilege('vr_up', 'vecrbac._register(regclass,text,name,jsonb,boolean)', 'EXECUTE');

ALTER EXTENSION vecrbac UPDATE;
SELECT extversion = (SELECT default_version FROM pg_available_extensions WHERE name = 'vecrbac') AS current
FROM pg_extension WHERE extname = 'vecrbac';
-- the registry, and the trigger arguments that now carry it
SELECT * FROM vecrbac.collections ORDER BY name;
SELECT tgrelid::regclass, vecrbac._trigger_args(oid) FROM pg_trigger
WHERE tgname = 'vecrbac_truncate' ORDER BY 1::text;
-- write policies test payloads with <<@, read policies with <@
SELECT tablename, policyname, coalesce(with_check, qual) LIKE '%vecrbac.<<@%' AS wholly
FROM pg_policies WHERE tablename IN ('up_docs', 'up_staff') ORDER BY 1, 2;

-- tokens behave as 0.2.0's: a tenant's search, value_exists, an array write refused
SELECT vecrbac.jwt_sign('{"access":[{"collection":"up_docs","access":"rw","payload":{"tenant":1,"org":"o1"}}],"exp":1700003600,"value_exists":{"collection":"up_staff","matches":[{"key":"login","value":"alice"}]}}', :'secret') AS t_up \gset
SET ROLE vr_up;
SET vecrbac.token = :'t_up';
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT id FROM up_docs ORDER BY embedding <-> '[0,0]' LIMIT 3;
SELECT id FROM up_docs ORDER BY embedding <-> '[0,0]' LIMIT 3;
RESET enable_seqscan;
INSERT INTO up_docs VALUES (100, 1, '[0,0]', '{"org": ["o1", "o2"]}');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO up_docs VALUES (100, 1, '[0,0]', '{"org": "o1"}');
RESET vecrbac.token;
RESET ROLE;
DELETE FROM up_docs WHERE id = 100;

-- the upgraded catalog is a fresh install's: every member object, with the definition of
-- each function, the columns of each table, privileges, and each object's description
CREATE FUNCTION pg_temp.members() RETURNS TABLE (object text, definition text) LANGUAGE sql AS $$
    SELECT pg_describe_object(d.classid, d.objid, 0),
           CASE d.classid
           WHEN 'pg_proc'::regclass THEN
               (SELECT CASE p.prokind WHEN 'a' THEN 'aggregate ' || pg_get_function_result(p.oid)
                            ELSE md5(pg_get_functiondef(p.oid)) END || coalesce(p.proacl::text, '')
                FROM pg_proc p WHERE p.oid = d.objid)
           WHEN 'pg_class'::regclass THEN
               (SELECT string_agg(a.attname || ' ' || format_type(a.atttypid, a.atttypmod), ', ' ORDER BY a.attnum)
                FROM pg_attribute a WHERE a.attrelid = d.objid AND a.attnum > 0 AND NOT a.attisdropped)
               || ' ' || coalesce((SELECT c.relacl::text FROM pg_class c WHERE c.oid = d.objid), '')
           WHEN 'pg_event_trigger'::regclass THEN
               (SELECT e.evtevent || ' ' || e.evtfoid::regproc || ' ' || coalesce(e.evttags::text, '')
                FROM pg_event_trigger e WHERE e.oid = d.objid)
           ELSE '' END
           -- and its description (sql/parts/90_comments.sql): an upgrade must bring them too
           || ' comment: ' || coalesce(obj_description(d.objid, d.classid::regclass::text), '(none)')
    FROM pg_depend d JOIN pg_extension x ON x.oid = d.refobjid
    WHERE d.refclassid = 'pg_extension'::regclass AND x.extname = 'vecrbac' AND d.deptype = 'e'
$$;
CREATE TEMPORARY TABLE upgraded AS SELECT * FROM pg_temp.members();
SELECT count(*) > 100 AS many_objects FROM upgraded;
DROP TABLE up_docs, up_staff;
DROP EXTENSION vecrbac;
CREATE EXTENSION vecrbac;
SELECT coalesce(u.object, f.object) AS object,
       CASE WHEN u.object IS NULL THEN 'only fresh' WHEN f.object IS NULL THEN 'only upgraded'
            ELSE 'different' END AS difference
FROM upgraded u FULL JOIN pg_temp.members() f ON f.object = u.object
WHERE u.definition IS DISTINCT FROM f.definition ORDER BY 1;

CREATE TEMPORARY TABLE fresh AS SELECT * FROM pg_temp.members();
-- what an upgraded catalog has that a fresh install has not, or lacks, or defines otherwise
CREATE FUNCTION pg_temp.upgrade_differences() RETURNS TABLE (object text, difference text)
LANGUAGE sql AS $$
SELECT coalesce(u.object, f.object) AS object,
       CASE WHEN u.object IS NULL THEN 'only fresh' WHEN f.object IS NULL THEN 'only upgraded'
            ELSE 'different' END AS difference
FROM pg_temp.members() u FULL JOIN fresh f ON f.object = u.object
WHERE u.definition IS DISTINCT FROM f.definition ORDER BY 1
$$;

-- from 0.2.0: the generated upgrade script adds exactly what a fresh install has, and a
-- protected table's policies lose their subqueries (which Citus refuses)
DROP EXTENSION vecrbac;
CREATE EXTENSION vecrbac VERSION '0.2.0';
CREATE TABLE up_docs (id int PRIMARY KEY, tenant int NOT NULL, embedding vector(2) NOT NULL,
                      payload jsonb NOT NULL DEFAULT '{}');
INSERT INTO up_docs SELECT i, i % 2, ARRAY[i, 0]::real[]::vector, '{}' FROM generate_series(1, 30) i;
SELECT vecrbac.protect('up_docs', key_columns => '{"tenant": "tenant"}');
GRANT SELECT ON up_docs TO vr_up;
SELECT policyname, coalesce(qual, with_check) ~ 'SELECT' AS subquery
FROM pg_policies WHERE tablename = 'up_docs' ORDER BY 1;
ALTER EXTENSION vecrbac UPDATE;
SELECT extversion = (SELECT default_version FROM pg_available_extensions WHERE name = 'vecrbac') AS current
FROM pg_extension WHERE extname = 'vecrbac';
SELECT policyname, coalesce(qual, with_check) ~ 'SELECT' AS subquery
FROM pg_policies WHERE tablename = 'up_docs' ORDER BY 1;
-- they are what 0.3.0's protect() makes
CREATE TEMPORARY TABLE upgraded_policies AS SELECT policyname, qual, with_check FROM pg_policies WHERE tablename = 'up_docs';
SELECT vecrbac.protect('up_docs', key_columns => '{"tenant": "tenant"}');
SELECT p.policyname, p.qual IS NOT DISTINCT FROM u.qual AND p.with_check IS NOT DISTINCT FROM u.with_check AS same
FROM pg_policies p JOIN upgraded_policies u USING (policyname) WHERE p.tablename = 'up_docs' ORDER BY 1;
SELECT * FROM vecrbac.collections;
SELECT vecrbac.jwt_sign('{"access":[{"collection":"up_docs","access":"r","payload":{"tenant":1}}],"exp":1700003600}', :'secret') AS t_up \gset
SET ROLE vr_up;
SET vecrbac.token = :'t_up';
SELECT count(*), min(id), max(id) FROM up_docs;
RESET vecrbac.token;
RESET ROLE;
DROP TABLE up_docs;
SELECT * FROM pg_temp.upgrade_differences();

-- from 0.3.0, the previous release: an index 0.3.0 built keeps answering through the
-- upgrade, and the catalog is again a fresh install's
DROP EXTENSION vecrbac;
CREATE EXTENSION vecrbac VERSION '0.3.0';
CREATE TABLE up_docs (id int PRIMARY KEY, tenant int NOT NULL, embedding vector(2) NOT NULL,
                      payload jsonb NOT NULL DEFAULT '{}');
INSERT INTO up_docs SELECT i, i % 2, ARRAY[i, 0]::real[]::vector, '{}' FROM generate_series(1, 30) i;
CREATE INDEX up_docs_hnsw ON up_docs USING hnsw (tenant, embedding vector_l2_ops, payload);
SELECT vecrbac.protect('up_docs', key_columns => '{"tenant": "tenant"}');
GRANT SELECT ON up_docs TO vr_up;
ALTER EXTENSION vecrbac UPDATE;
SELECT extversion = (SELECT default_version FROM pg_available_extensions WHERE name = 'vecrbac') AS current
FROM pg_extension WHERE extname = 'vecrbac';
SELECT vecrbac.jwt_sign('{"access":[{"collection":"up_docs","access":"r","payload":{"tenant":1}}],"exp":1700003600}', :'secret') AS t_up \gset
SET ROLE vr_up;
SET vecrbac.token = :'t_up';
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT id FROM up_docs ORDER BY embedding <-> '[0,0]' LIMIT 3;
SELECT id FROM up_docs ORDER BY embedding <-> '[0,0]' LIMIT 3;
RESET enable_seqscan;
RESET vecrbac.token;
RESET ROLE;
DROP TABLE up_docs;
SELECT * FROM pg_temp.upgrade_differences();


-- from 0.4.0: an index with filter columns and one storing halves
-- (the option is the library's, so a 0.4.0 database has it) keep answering through the
-- upgrade, and the catalog is again a fresh install's
DROP EXTENSION vecrbac;
CREATE EXTENSION vecrbac VERSION '0.4.0';
CREATE TABLE up_docs (id int PRIMARY KEY, tenant int NOT NULL, embedding vector(2) NOT NULL,
                      payload jsonb NOT NULL DEFAULT '{}');
INSERT INTO up_docs SELECT i, i % 2, ARRAY[i, 0]::real[]::vector, '{}' FROM generate_series(1, 30) i;
CREATE INDEX up_docs_hnsw ON up_docs USING hnsw (tenant, embedding vector_l2_ops, payload);
CREATE INDEX up_docs_half ON up_docs USING hnsw (embedding vector_l2_ops) WITH (quantization = 'half');
SELECT vecrbac.protect('up_docs', key_columns => '{"tenant": "tenant"}');
GRANT SELECT ON up_docs TO vr_up;
ALTER EXTENSION vecrbac UPDATE;
SELECT extversion = (SELECT default_version FROM pg_available_extensions WHERE name = 'vecrbac') AS current
FROM pg_extension WHERE extname = 'vecrbac';
SET ROLE vr_up;
SET vecrbac.token = :'t_up';
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT id FROM up_docs ORDER BY embedding <-> '[0,0]' LIMIT 3;
SELECT id FROM up_docs ORDER BY embedding <-> '[0,0]' LIMIT 3;
RESET vecrbac.token;
RESET ROLE;
DROP INDEX up_docs_hnsw;
EXPLAIN (COSTS OFF) SELECT id FROM up_docs ORDER BY embedding <-> '[0,0]' LIMIT 3;
SELECT id FROM up_docs ORDER BY embedding <-> '[0,0]' LIMIT 3;
RESET enable_seqscan;
DROP TABLE up_docs;
SELECT * FROM pg_temp.upgrade_differences();

-- from 0.5.0: an index storing halves, built by 0.5.0, keeps
-- answering in exact order through the upgrade, and the catalog is a fresh install's
DROP EXTENSION vecrbac;
CREATE EXTENSION vecrbac VERSION '0.5.0';
CREATE TABLE up_docs (id int PRIMARY KEY, embedding vector(2) NOT NULL);
INSERT INTO up_docs SELECT i, ARRAY[i / 3.0, 1]::real[]::vector FROM generate_series(1, 30) i;
CREATE INDEX up_docs_half ON up_docs USING hnsw (embedding vector_l2_ops) WITH (quantization = 'half');
ALTER EXTENSION vecrbac UPDATE;
SELECT extversion = (SELECT default_version FROM pg_available_extensions WHERE name = 'vecrbac') AS current
FROM pg_extension WHERE extname = 'vecrbac';
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT id FROM up_docs ORDER BY embedding <-> '[3.01,1]' LIMIT 3;
SELECT id FROM up_docs ORDER BY embedding <-> '[3.01,1]' LIMIT 3;
RESET enable_seqscan;
DROP TABLE up_docs;
SELECT * FROM pg_temp.upgrade_differences();

-- from 0.6.0: an index storing bytes (int8), built by 0.6.0, keeps
-- answering in exact order through the upgrade, and the catalog is a fresh install's
DROP EXTENSION vecrbac;
CREATE EXTENSION vecrbac VERSION '0.6.0';
CREATE TABLE up_docs (id int PRIMARY KEY, embedding vector(2) NOT NULL);
INSERT INTO up_docs SELECT i, ARRAY[i / 3.0, 1]::real[]::vector FROM generate_series(1, 30) i;
CREATE INDEX up_docs_int8 ON up_docs USING hnsw (embedding vector_l2_ops) WITH (quantization = 'int8');
ALTER EXTENSION vecrbac UPDATE;
SELECT extversion = (SELECT default_version FROM pg_available_extensions WHERE name = 'vecrbac') AS current
FROM pg_extension WHERE extname = 'vecrbac';
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT id FROM up_docs ORDER BY embedding <-> '[3.01,1]' LIMIT 3;
SELECT id FROM up_docs ORDER BY embedding <-> '[3.01,1]' LIMIT 3;
RESET enable_seqscan;
DROP TABLE up_docs;
SELECT * FROM pg_temp.upgrade_differences();

-- from 0.7.0: an index storing bits (binary), built by 0.7.0, keeps
-- answering in exact order through the upgrade, and the catalog is a fresh install's
DROP EXTENSION vecrbac;
CREATE EXTENSION vecrbac VERSION '0.7.0';
CREATE TABLE up_docs (id int PRIMARY KEY, embedding vector(2) NOT NULL);
INSERT INTO up_docs SELECT i, ARRAY[i / 3.0, 1]::real[]::vector FROM generate_series(1, 30) i;
CREATE INDEX up_docs_binary ON up_docs USING hnsw (embedding vector_l2_ops) WITH (quantization = 'binary');
ALTER EXTENSION vecrbac UPDATE;
SELECT extversion = (SELECT default_version FROM pg_available_extensions WHERE name = 'vecrbac') AS current
FROM pg_extension WHERE extname = 'vecrbac';
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT id FROM up_docs ORDER BY embedding <-> '[3.01,1]' LIMIT 3;
SELECT id FROM up_docs ORDER BY embedding <-> '[3.01,1]' LIMIT 3;
RESET enable_seqscan;
DROP TABLE up_docs;
SELECT * FROM pg_temp.upgrade_differences();

-- from 0.8.0: an index over two key columns in 0.8.0's on-disk layout
-- (version 2: a directory for the first key column only) keeps answering a scope on its
-- second column in exact order through the upgrade, and the catalog is a fresh install's
DROP EXTENSION vecrbac;
CREATE EXTENSION vecrbac VERSION '0.8.0';
CREATE TABLE up_docs (id int PRIMARY KEY, tenant int, dept int, embedding vector(2) NOT NULL);
INSERT INTO up_docs SELECT i, i % 2, i % 3, ARRAY[i / 3.0, 1]::real[]::vector FROM generate_series(1, 30) i;
SET vecrbac.test_hnsw_version = 2;
CREATE INDEX up_docs_keys ON up_docs USING hnsw (tenant, dept, embedding vector_l2_ops);
RESET vecrbac.test_hnsw_version;
ALTER EXTENSION vecrbac UPDATE;
SELECT extversion = (SELECT default_version FROM pg_available_extensions WHERE name = 'vecrbac') AS current
FROM pg_extension WHERE extname = 'vecrbac';
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT id FROM up_docs WHERE dept = 0 ORDER BY embedding <-> '[3.01,1]' LIMIT 3;
SELECT id FROM up_docs WHERE dept = 0 ORDER BY embedding <-> '[3.01,1]' LIMIT 3;
INSERT INTO up_docs VALUES (31, 1, 0, '[3.5,1]');
SELECT id FROM up_docs WHERE dept = 0 ORDER BY embedding <-> '[3.01,1]' LIMIT 3;
SELECT severity, message FROM vecrbac.hnsw_check('up_docs_keys') WHERE severity <> 'info';
RESET enable_seqscan;
DROP TABLE up_docs;
SELECT * FROM pg_temp.upgrade_differences();

-- from 0.9.0, the previous release (no SQL object changed; the library did): an index made
-- under 0.9.0 answers a scope of two tenants in exact order after the update
DROP EXTENSION vecrbac;
CREATE EXTENSION vecrbac VERSION '0.9.0';
CREATE TABLE up_docs (id int PRIMARY KEY, tenant int, embedding vector(2) NOT NULL);
INSERT INTO up_docs SELECT i, i % 3, ARRAY[i / 3.0, 1]::real[]::vector FROM generate_series(1, 30) i;
CREATE INDEX up_docs_tenant ON up_docs USING hnsw (tenant, embedding vector_l2_ops);
ALTER EXTENSION vecrbac UPDATE;
SELECT extversion = (SELECT default_version FROM pg_available_extensions WHERE name = 'vecrbac') AS current
FROM pg_extension WHERE extname = 'vecrbac';
SET enable_seqscan = off;
SET hnsw.exact_scan_limit = 0;
EXPLAIN (COSTS OFF) SELECT id FROM up_docs WHERE tenant OPERATOR(vecrbac.<@) '{"values":[0,2]}'
ORDER BY embedding <-> '[3.01,1]' LIMIT 4;
SELECT id FROM up_docs WHERE tenant OPERATOR(vecrbac.<@) '{"values":[0,2]}' ORDER BY embedding <-> '[3.01,1]' LIMIT 4;
RESET hnsw.exact_scan_limit;
RESET enable_seqscan;
DROP TABLE up_docs;
SELECT * FROM pg_temp.upgrade_differences();

DROP EXTENSION vecrbac;
DROP ROLE vr_up;

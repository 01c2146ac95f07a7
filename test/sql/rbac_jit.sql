-- Token policies and hnsw scans in JIT-compiled plans. The test clusters run with
-- jit = off (scripts/test.sh); here every expression is compiled (the costs above which
-- PostgreSQL compiles, inlines and optimizes set to 0), as a production server compiles
-- costly plans: reads, writes and searches must answer as without JIT.
CREATE EXTENSION vecrbac;
\set secret 'a regression secret of at least thirty-two bytes'
SET vecrbac.jwt_secret = :'secret';
SET vecrbac.jwt_test_now = 1700000000;
CREATE ROLE vr_jit LOGIN NOSUPERUSER NOBYPASSRLS;
CREATE TABLE docs (id int PRIMARY KEY, tenant int NOT NULL, embedding vector(3) NOT NULL,
                   payload jsonb NOT NULL DEFAULT '{}');
INSERT INTO docs SELECT i, i % 4, ARRAY[i % 7, i % 11, i % 13]::vector(3), jsonb_build_object('dept', i % 3)
FROM generate_series(1, 400) i;
CREATE INDEX ON docs USING hnsw (tenant, embedding vector_l2_ops, payload);
ANALYZE docs;
SELECT vecrbac.protect('docs', key_columns => '{"tenant": "tenant"}');
GRANT SELECT, INSERT, UPDATE, DELETE ON docs TO vr_jit;
SELECT vecrbac.jwt_sign('{"access":[{"collection":"docs","access":"rw","payload":{"tenant":1,"dept":2}}],"exp":1700003600}',
                        :'secret') AS t_rw \gset

-- What the session sees without JIT, then with every expression compiled.
CREATE TABLE seen (jit boolean, what text, answer text);
GRANT INSERT, SELECT ON seen TO vr_jit;
CREATE FUNCTION plan_lines(q text) RETURNS SETOF text LANGUAGE plpgsql AS $$
BEGIN
    RETURN QUERY EXECUTE 'EXPLAIN (ANALYZE, TIMING OFF) ' || q; -- COSTS: PostgreSQL shows JIT only with them
END $$;
SET ROLE vr_jit;
SET vecrbac.token = :'t_rw';
SET jit = off;
INSERT INTO seen SELECT false, 'rows', string_agg(id::text, ',' ORDER BY id) FROM docs;
INSERT INTO seen SELECT false, 'top 5', string_agg(id::text, ',') FROM
    (SELECT id FROM docs ORDER BY embedding <-> '[3,3,3]' LIMIT 5) s;
SET jit = on;
SET jit_above_cost = 0;
SET jit_inline_above_cost = 0;
SET jit_optimize_above_cost = 0;
INSERT INTO seen SELECT true, 'rows', string_agg(id::text, ',' ORDER BY id) FROM docs;
INSERT INTO seen SELECT true, 'top 5', string_agg(id::text, ',') FROM
    (SELECT id FROM docs ORDER BY embedding <-> '[3,3,3]' LIMIT 5) s;
-- the plan was compiled (JIT is available in the tested install) and is an hnsw scan
SELECT count(*) FILTER (WHERE line ~ '^JIT:') AS jit_sections,
       count(*) FILTER (WHERE line ~ 'Functions: [1-9]') AS compiled,
       count(*) FILTER (WHERE line ~ 'Index Scan using docs_tenant_embedding_payload_idx') AS hnsw_scans
FROM plan_lines('SELECT id FROM docs ORDER BY embedding <-> ''[3,3,3]'' LIMIT 5') line;
-- the same rows and the same nearest ones
SELECT what, (SELECT answer FROM seen WHERE NOT jit AND what = w.what) AS without_jit,
       answer = (SELECT answer FROM seen WHERE NOT jit AND what = w.what) AS same_with_jit
FROM seen w WHERE jit ORDER BY what;
-- writes: inside the scope, and refused outside it (tenant, payload, moving a row out)
INSERT INTO docs VALUES (1001, 1, '[3,3,3]', '{"dept": 2}');
INSERT INTO docs VALUES (1002, 2, '[3,3,3]', '{"dept": 2}');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO docs VALUES (1003, 1, '[3,3,3]', '{"dept": 1}');
\echo :LAST_ERROR_SQLSTATE
UPDATE docs SET tenant = 3 WHERE id = 1001;
\echo :LAST_ERROR_SQLSTATE
UPDATE docs SET embedding = '[4,4,4]' WHERE id = 1001;
SELECT id, embedding FROM docs ORDER BY embedding <-> '[4,4,4]' LIMIT 1;
DELETE FROM docs WHERE tenant = 2;
DELETE FROM docs WHERE id = 1001;
RESET jit_above_cost;
RESET jit_inline_above_cost;
RESET jit_optimize_above_cost;
RESET jit;
RESET vecrbac.token;
RESET ROLE;
SELECT count(*) AS rows_left, count(*) FILTER (WHERE tenant = 2) AS tenant_2_rows FROM docs;

DROP TABLE docs, seen;
DROP FUNCTION plan_lines(text);
DROP ROLE vr_jit;
DROP EXTENSION vecrbac;

-- A 3,072-dimension embedding (a common model size, past vector's 2,000-dimension
-- index limit) searched under a token scope through a halfvec index, as a non-owner
-- role: the plan is the index with the scope as an index condition, every row is the
-- tenant's, and the top 10 is the exact top 10 of the tenant's rows.
CREATE EXTENSION vecrbac;
\set secret 'a regression secret of at least thirty-two bytes'
SET vecrbac.jwt_secret = :'secret';
SELECT setseed(0.42);
CREATE ROLE vr_half LOGIN NOSUPERUSER NOBYPASSRLS;

CREATE TABLE docs (id int PRIMARY KEY, tenant int NOT NULL, embedding halfvec(3072) NOT NULL,
                   payload jsonb NOT NULL DEFAULT '{}');
INSERT INTO docs SELECT i, i % 10, ARRAY(SELECT random() FROM generate_series(1, 3072) WHERE i > 0)::halfvec(3072)
FROM generate_series(1, 600) i;
CREATE INDEX docs_hnsw ON docs USING hnsw (tenant, embedding halfvec_cosine_ops, payload);
ANALYZE docs;
SELECT vecrbac.protect('docs', key_columns => '{"tenant": "tenant"}');
GRANT SELECT, INSERT ON docs TO vr_half;
CREATE TABLE query AS SELECT ARRAY(SELECT random() FROM generate_series(1, 3072))::halfvec(3072) AS q;
GRANT SELECT ON query TO vr_half;

-- the exact answer for tenant 3, by a sequential scan as the superuser
SET enable_indexscan = off;
SET enable_bitmapscan = off;
CREATE TABLE exact AS SELECT array_agg(id) AS ids FROM (
    SELECT id FROM docs WHERE tenant = 3 ORDER BY embedding <=> (SELECT q FROM query) LIMIT 10) s;
RESET enable_indexscan;
RESET enable_bitmapscan;
GRANT SELECT ON exact TO vr_half;

SELECT vecrbac.jwt_sign('{"exp": 4000000000, "access": [{"collection": "docs", "access": "r", "payload": {"tenant": 3}}]}', :'secret') AS t3 \gset
SET ROLE vr_half;
SET vecrbac.token = :'t3';
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT id FROM docs ORDER BY embedding <=> (SELECT q FROM query) LIMIT 10;
RESET enable_seqscan;
SELECT count(*) AS rows, bool_and(tenant = 3) AS all_tenant_3 FROM (
    SELECT id, tenant FROM docs ORDER BY embedding <=> (SELECT q FROM query) LIMIT 10) s;
SELECT (SELECT array_agg(id ORDER BY id) FROM (
            SELECT id FROM docs ORDER BY embedding <=> (SELECT q FROM query) LIMIT 10) s)
       = (SELECT array_agg(x ORDER BY x) FROM exact, unnest(ids) x) AS exact_top_10;
-- a write outside the scope is refused
INSERT INTO docs VALUES (1000, 4, (SELECT q FROM query));
\echo :LAST_ERROR_SQLSTATE
RESET vecrbac.token;
RESET ROLE;
DROP TABLE docs, query, exact;
DROP ROLE vr_half;
DROP EXTENSION vecrbac;

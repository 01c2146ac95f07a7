-- The distance an hnsw scan's node projects (ORDER BY embedding <-> q, whose value
-- the executor carries up as a column) comes from the scan, not from the heap row
-- (hnsw_projection.cpp). It must be the operator's own value, bit for bit, for every
-- row, on every rescan (a LATERAL join searches once per outer row), and the row's
-- vector must not be read from TOAST for it.
CREATE EXTENSION vecrbac;
-- 800 dimensions in STORAGE EXTERNAL: every vector lives in TOAST.
CREATE TABLE proj (id int PRIMARY KEY, embedding vector(800));
ALTER TABLE proj ALTER COLUMN embedding SET STORAGE EXTERNAL;
-- Counted below: no autovacuum worker may read its TOAST meanwhile.
ALTER TABLE proj SET (autovacuum_enabled = off, toast.autovacuum_enabled = off);
INSERT INTO proj SELECT i, ARRAY(SELECT (((i * 7919 + j * 104729) % 1009) / 1009.0)::real
                                 FROM generate_series(1, 800) j)::vector
FROM generate_series(1, 300) i;
CREATE TABLE queries (qid int PRIMARY KEY, q vector(800));
INSERT INTO queries SELECT i, ARRAY(SELECT (((i * 104723 + j * 7907) % 997) / 997.0)::real
                                    FROM generate_series(1, 800) j)::vector
FROM generate_series(1, 40) i;
CREATE INDEX proj_l2 ON proj USING hnsw (embedding vector_l2_ops);
CREATE INDEX proj_ip ON proj USING hnsw (embedding vector_ip_ops);
CREATE INDEX proj_l1 ON proj USING hnsw (embedding vector_l1_ops);
CREATE INDEX proj_half ON proj USING hnsw ((embedding::halfvec(800)) halfvec_l2_ops);
CREATE INDEX proj_cos ON proj USING hnsw (embedding vector_cosine_ops);
ANALYZE proj, queries;
-- ef_search above the row count: the walk reaches every element, so answers are exact.
SET hnsw.ef_search = 400;
-- JIT-compiled expressions keep the operator's call (checked below); the rest is interpreted.
SET jit = off;

-- Compares a LATERAL top-5 per query through the index with the same query read
-- exactly: the same rows and the same distances (=, not within a tolerance). Also
-- checks the plan: a nested loop rescanning the index named.
CREATE FUNCTION compare(expr text, idx text) RETURNS text LANGUAGE plpgsql AS $$
DECLARE
    sql text := format('SELECT qid, n.id, n.d FROM queries CROSS JOIN LATERAL '
                       '(SELECT id, %1$s AS d FROM proj ORDER BY %1$s LIMIT 5) n', expr);
    plan text := '';
    line text;
    differ bigint;
    total bigint;
BEGIN
    SET LOCAL enable_seqscan = off;
    FOR line IN EXECUTE 'EXPLAIN (COSTS OFF) ' || sql LOOP
        plan := plan || line || E'\n';
    END LOOP;
    IF plan !~ 'Nested Loop' OR plan !~ ('Index Scan using ' || idx || ' on proj') THEN
        RAISE EXCEPTION 'not a rescanned index scan on %: %', idx, plan;
    END IF;
    EXECUTE 'CREATE TEMP TABLE approx AS ' || sql;
    SET LOCAL enable_indexscan = off;
    SET LOCAL enable_seqscan = on;
    EXECUTE 'CREATE TEMP TABLE exact AS ' || sql;
    SELECT count(*) FILTER (WHERE a.d IS DISTINCT FROM e.d), count(*) INTO differ, total
    FROM approx a FULL JOIN exact e USING (qid, id);
    DROP TABLE approx, exact;
    RETURN format('%s rows, %s differ', total, differ);
END $$;

SELECT compare('embedding <-> q', 'proj_l2') AS l2;
SELECT compare('embedding <#> q', 'proj_ip') AS inner_product;
SELECT compare('embedding <+> q', 'proj_l1') AS l1;
SELECT compare('embedding::halfvec(800) <-> q::halfvec(800)', 'proj_half') AS halfvec_l2;
-- Elements of a cosine index are normalized: the projection measures the heap row.
SELECT compare('embedding <=> q', 'proj_cos') AS cosine;
-- Compiled by the JIT (where the server has it), the operator measures the heap row.
SET jit = on;
SET jit_above_cost = 0;
SELECT compare('embedding <-> q', 'proj_l2') AS l2_jit;
RESET jit_above_cost;
SET jit = off;

-- The value as a selected column, and inside another expression, on one query.
SET enable_seqscan = off;
PREPARE top(vector) AS
    SELECT id, embedding <-> $1 AS d, (embedding <-> $1) * 2 AS twice
    FROM proj ORDER BY embedding <-> $1 LIMIT 3;
EXPLAIN (COSTS OFF) EXECUTE top('[1,2,3]');
SELECT q AS q7 FROM queries WHERE qid = 7 \gset
CREATE TEMP TABLE approx AS EXECUTE top(:'q7');
SET enable_indexscan = off;
SET enable_seqscan = on;
CREATE TEMP TABLE exact AS EXECUTE top(:'q7');
RESET enable_indexscan;
SELECT count(*) AS rows, count(*) FILTER (WHERE a.d IS DISTINCT FROM e.d OR a.twice IS DISTINCT FROM e.twice) AS differ
FROM approx a FULL JOIN exact e USING (id);
DROP TABLE approx, exact;

-- The rows' vectors stay in TOAST: 40 searches read none of its pages for the
-- distance, while one that measures another operator reads them.
CREATE FUNCTION toast_reads() RETURNS bigint LANGUAGE sql AS $$
    SELECT coalesce(toast_blks_hit, 0) + coalesce(toast_blks_read, 0)
    FROM pg_statio_user_tables WHERE relname = 'proj' $$;
CREATE TEMP TABLE counts (step int, label text, reads bigint);
SELECT pg_stat_force_next_flush();
SELECT pg_stat_clear_snapshot();
INSERT INTO counts SELECT 1, 'before', toast_reads();
SET enable_seqscan = off;
SELECT count(*) FROM queries CROSS JOIN LATERAL
    (SELECT id FROM proj ORDER BY embedding <-> q LIMIT 5) n;
SELECT pg_stat_force_next_flush();
SELECT pg_stat_clear_snapshot();
INSERT INTO counts SELECT 2, 'projected', toast_reads();
SELECT count(n.other) FROM queries CROSS JOIN LATERAL
    (SELECT id, embedding <+> q AS other FROM proj ORDER BY embedding <-> q LIMIT 5) n;
SELECT pg_stat_force_next_flush();
SELECT pg_stat_clear_snapshot();
INSERT INTO counts SELECT 3, 'other operator', toast_reads();
SELECT label, reads > lag(reads) OVER (ORDER BY step) AS read_toast FROM counts ORDER BY step;

DEALLOCATE top;
DROP FUNCTION compare(text, text);
DROP FUNCTION toast_reads();
DROP TABLE proj, queries, counts;
DROP EXTENSION vecrbac;

-- Indexes built by vecrbac 0.3.0 and earlier (on-disk version 1: every element carries the
-- filter-column fields, every neighbor tuple its slot count) keep working with this library:
-- vecrbac.test_hnsw_version = 1 builds that layout. For each value type, the same rows get a
-- version 1 index (table v1) and a current one (table v2); each index answers as exact search
-- does, takes inserts, deletes and VACUUM, and passes hnsw_check, which also asserts that every
-- tuple has the layout its metapage's version says (so a version 1 index stays version 1).
CREATE EXTENSION vecrbac;
SELECT setseed(0.31);
CREATE TABLE v1 (id int PRIMARY KEY, v vector(16), h halfvec(16), b bit(80), s sparsevec(100));
INSERT INTO v1 SELECT i, e, e::halfvec(16), b, s FROM (
    SELECT i, ARRAY(SELECT random() - 0.5 FROM generate_series(1, 16) WHERE i > 0)::vector(16) AS e,
           (SELECT string_agg(CASE WHEN random() < 0.5 THEN '1' ELSE '0' END, '') FROM generate_series(1, 80) WHERE i > 0)::bit(80) AS b,
           ARRAY(SELECT CASE WHEN random() < 0.1 THEN random() ELSE 0 END FROM generate_series(1, 100) WHERE i > 0)::vector::sparsevec AS s
    FROM generate_series(1, 1500) i) r;
CREATE TABLE v2 AS SELECT * FROM v1;
ALTER TABLE v2 ADD PRIMARY KEY (id);
CREATE TABLE queries AS SELECT * FROM v1 WHERE id <= 10;
UPDATE queries SET id = -id, v = v + '[0.01,0.01,0.01,0.01,0.01,0.01,0.01,0.01,0.01,0.01,0.01,0.01,0.01,0.01,0.01,0.01]';
UPDATE queries SET h = v::halfvec(16);

-- the setting is for superusers and tests only
SHOW vecrbac.test_hnsw_version;
SET vecrbac.test_hnsw_version = 5;
SET vecrbac.test_hnsw_version = 1;
CREATE INDEX v1_v ON v1 USING hnsw (v vector_l2_ops);
CREATE INDEX v1_h ON v1 USING hnsw (h halfvec_cosine_ops);
CREATE INDEX v1_b ON v1 USING hnsw (b bit_hamming_ops);
CREATE INDEX v1_s ON v1 USING hnsw (s sparsevec_ip_ops);
RESET vecrbac.test_hnsw_version;
CREATE INDEX v2_v ON v2 USING hnsw (v vector_l2_ops);
CREATE INDEX v2_h ON v2 USING hnsw (h halfvec_cosine_ops);
CREATE INDEX v2_b ON v2 USING hnsw (b bit_hamming_ops);
CREATE INDEX v2_s ON v2 USING hnsw (s sparsevec_ip_ops);

-- The current layout is smaller for every type (8 bytes less per element and per neighbor tuple).
SELECT t, pg_relation_size('v2_' || t) < pg_relation_size('v1_' || t) AS smaller
FROM unnest(ARRAY['v', 'h', 'b', 's']) t;

-- Recall@10 of each index against exact search, the plan asserted; hnsw_check's findings.
CREATE FUNCTION layout_recall(tbl text, col text, op text) RETURNS numeric LANGUAGE plpgsql AS $$
DECLARE
    q record; hits int := 0; total int := 0; plan text := ''; line text;
BEGIN
    SET LOCAL enable_seqscan = off;
    FOR line IN EXECUTE format('EXPLAIN (COSTS OFF) SELECT id FROM %I ORDER BY %I %s (SELECT %I FROM queries LIMIT 1) LIMIT 10',
                               tbl, col, op, col) LOOP
        plan := plan || line || ' ';
    END LOOP;
    IF plan NOT LIKE '%Index Scan using ' || tbl || '_' || col || '%' THEN
        RAISE EXCEPTION 'not an index scan: %', plan;
    END IF;
    -- an index row counts when it is no farther than the exact 10th (ties are not misses)
    FOR q IN SELECT id FROM queries LOOP
        SET LOCAL enable_seqscan = off;
        EXECUTE format('SELECT count(*) FROM (SELECT %I %s (SELECT %I FROM queries WHERE id = $1) AS d FROM %I
                                              ORDER BY %I %s (SELECT %I FROM queries WHERE id = $1) LIMIT 10) a
                        WHERE a.d <= (SELECT max(d) FROM (SELECT (%I %s (SELECT %I FROM queries WHERE id = $1)) + 0 AS d
                                                          FROM %I ORDER BY 1 LIMIT 10) e)',
                       col, op, col, tbl, col, op, col, col, op, col, tbl)
            INTO STRICT total USING q.id;
        hits := hits + total;
    END LOOP;
    RETURN hits / 100.0;
END $$;
CREATE FUNCTION layout_report() RETURNS TABLE (tbl text, col text, recall_ok bool, findings text) LANGUAGE sql AS $$
    SELECT tbl, c.col, layout_recall(tbl, c.col, c.op) >= 0.9,
           (SELECT coalesce(string_agg(severity || ': ' || message, '; '), 'clean')
            FROM vecrbac.hnsw_check((tbl || '_' || c.col)::regclass) WHERE severity <> 'info')
    FROM unnest(ARRAY['v1', 'v2']) tbl,
         (VALUES ('v', '<->'), ('h', '<=>'), ('b', '<~>'), ('s', '<#>')) c(col, op)
    ORDER BY 1, 2
$$;
SELECT * FROM layout_report();

-- Inserts (into version 1, the old layout), deletes and VACUUM, then the same checks.
INSERT INTO v1 SELECT id + 2000, l2_normalize(v), l2_normalize(v)::halfvec(16), ~b, s FROM v1 WHERE id <= 300;
INSERT INTO v2 SELECT id + 2000, l2_normalize(v), l2_normalize(v)::halfvec(16), ~b, s FROM v2 WHERE id <= 300;
DELETE FROM v1 WHERE id % 3 = 0;
DELETE FROM v2 WHERE id % 3 = 0;
VACUUM v1;
VACUUM v2;
INSERT INTO v1 SELECT id + 4000, v + v, (v + v)::halfvec(16), b, s FROM v1 WHERE id <= 200;
INSERT INTO v2 SELECT id + 4000, v + v, (v + v)::halfvec(16), b, s FROM v2 WHERE id <= 200;
SELECT * FROM layout_report();
-- a version 1 index is still version 1 (each checker above asserted its tuples' layout)
SELECT t, pg_relation_size('v2_' || t) <= pg_relation_size('v1_' || t) AS not_larger
FROM unnest(ARRAY['v', 'h', 'b', 's']) t;

-- Reindexing builds the current layout: smaller than a version 1 build of the same rows.
SET vecrbac.test_hnsw_version = 1;
CREATE INDEX v1_b_old ON v1 USING hnsw (b bit_hamming_ops);
RESET vecrbac.test_hnsw_version;
REINDEX INDEX v1_b;
SELECT pg_relation_size('v1_b') < pg_relation_size('v1_b_old') AS smaller_after_reindex;
SELECT severity FROM vecrbac.hnsw_check('v1_b') WHERE severity <> 'info';

DROP TABLE v1, v2, queries;
DROP FUNCTION layout_report(), layout_recall(text, text, text);
DROP EXTENSION vecrbac;

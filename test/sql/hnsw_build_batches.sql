-- A build inserts rows in batches sorted by where they fall in the graph
-- (src/hnsw/hnsw_build_batch.cpp): the first 1,024 rows in the table's order, each
-- later batch (1,024 rows while the graph is small) sorted by the elements a greedy
-- descent reaches on levels 3 and 2. Whatever the order, the index must hold every row
-- once, duplicates of a vector must share its element across batches, the nearest rows
-- must be found, and a graph that outgrows maintenance_work_mem in the middle of a batch
-- must go on disk with the rest of that batch.
CREATE EXTENSION vecrbac;
SET client_min_messages = warning;
SET max_parallel_maintenance_workers = 0;
CREATE FUNCTION problems(idx regclass) RETURNS SETOF text LANGUAGE sql AS $$
    SELECT severity || ': ' || message FROM vecrbac.hnsw_check(idx) WHERE severity <> 'info' $$;
-- Rows in the index: an iterative scan run to the end returns each exactly once.
CREATE FUNCTION indexed_rows(OUT total bigint, OUT distinct_ids bigint) LANGUAGE plpgsql AS $$
BEGIN
    SET LOCAL enable_seqscan = off;
    SET LOCAL hnsw.iterative_scan = relaxed_order;
    SET LOCAL hnsw.max_scan_tuples = 100000;
    SELECT count(*), count(DISTINCT id) INTO total, distinct_ids
    FROM (SELECT id FROM t ORDER BY val <-> (SELECT val FROM t WHERE id = 1)) s;
END $$;
-- Of the top 10 of 30 queries through the index at ef_search 100, how many rows lie
-- farther than the exact 10th nearest (ties count as found). Errors unless the plan is
-- the index's.
CREATE FUNCTION missed() RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE
    plan text := '';
    line text;
    misses bigint := 0;
    found bigint;
    q vector;
    tenth float8;
BEGIN
    SET LOCAL hnsw.ef_search = 100;
    FOR line IN EXPLAIN (COSTS OFF) SELECT id FROM t ORDER BY val <-> (SELECT val FROM t LIMIT 1) LIMIT 10 LOOP
        plan := plan || line || ' ';
    END LOOP;
    IF plan NOT LIKE '%Index Scan using t_val on t%' THEN
        RAISE EXCEPTION 'the search does not use the index: %', plan;
    END IF;
    FOR q IN SELECT val FROM t WHERE id % 200 = 7 LOOP
        SET LOCAL enable_indexscan = off;
        EXECUTE 'SELECT max(d) FROM (SELECT val <-> $1 AS d FROM t ORDER BY val <-> $1 LIMIT 10) s'
            INTO tenth USING q;
        SET LOCAL enable_indexscan = on;
        EXECUTE 'SELECT count(*) FROM (SELECT val <-> $1 AS d FROM t ORDER BY val <-> $1 LIMIT 10) s
                 WHERE d > $2' INTO found USING q, tenth;
        misses := misses + found;
    END LOOP;
    RETURN misses;
END $$;

-- 6,000 rows of four clusters, interleaved in the table (id % 4 picks the cluster), so
-- that the table's order is the worst for locality; then every 500th vector again
-- under another id, at the end of the table: duplicates in a later batch than their
-- first copy.
CREATE TABLE t (id int, val vector(16));
INSERT INTO t SELECT i, ARRAY(SELECT ((i % 4) * 10 + (hashint4(i * 16 + j) & 1023) / 1024.0)::real
                              FROM generate_series(1, 16) j)
FROM generate_series(1, 6000) i;
INSERT INTO t SELECT 6000 + id, val FROM t WHERE id % 500 = 0;
CREATE INDEX t_val ON t USING hnsw (val vector_l2_ops) WITH (m = 8, ef_construction = 40);
SELECT problems('t_val');
SELECT * FROM indexed_rows();
-- The 12 duplicates share their first copy's element: 6,000 elements for 6,012 rows.
SELECT message FROM vecrbac.hnsw_check('t_val') WHERE message LIKE '%elements%' LIMIT 1;
SELECT missed();
DROP INDEX t_val;

-- maintenance_work_mem at its least, 1 MB: a sixteenth holds the batch (about 550 of
-- these rows), the rest the graph, which fills up in the middle of a batch. The NOTICE
-- counts the rows in the graph; the rest of the batch, and of the table, go on disk.
SET maintenance_work_mem = '1MB';
SET client_min_messages = notice;
CREATE INDEX t_val ON t USING hnsw (val vector_l2_ops) WITH (m = 8, ef_construction = 40);
SET client_min_messages = warning;
SELECT problems('t_val');
SELECT * FROM indexed_rows();
SELECT message FROM vecrbac.hnsw_check('t_val') WHERE message LIKE '%elements%' LIMIT 1;
SELECT missed();

DROP TABLE t;
DROP FUNCTION problems(regclass), indexed_rows(), missed();
DROP EXTENSION vecrbac;

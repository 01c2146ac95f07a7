-- Recall of hnsw against exact search, computed here, for every opclass: on an
-- index built over existing rows, on one filled by inserts, and after deleting
-- 75% of the rows and vacuuming. The checker must find nothing wrong each time.
CREATE EXTENSION vecrbac;
SELECT setseed(0.42);
CREATE TABLE items (id int PRIMARY KEY, embedding vector(24));
INSERT INTO items SELECT i, ARRAY(SELECT random() FROM generate_series(1, 24) WHERE i > 0)::vector
FROM generate_series(1, 3000) i;
CREATE TABLE queries (qid int PRIMARY KEY, q vector(24));
INSERT INTO queries SELECT i, ARRAY(SELECT random() FROM generate_series(1, 24) WHERE i > 0)::vector
FROM generate_series(1, 50) i;

-- recall@10 of the index for an operator, against a sequential scan, averaged over
-- the queries. The approximate search must be an index scan on an hnsw index (a
-- sequential scan would give recall 1.0 and prove nothing): otherwise an error.
CREATE FUNCTION recall(op text) RETURNS numeric LANGUAGE plpgsql AS $$
DECLARE
    hits bigint := 0;
    total bigint := 0;
    r record;
    exact int[];
    approx int[];
    line text;
    used text;
BEGIN
    SET LOCAL enable_seqscan = off;
    FOR line IN EXECUTE format('EXPLAIN (COSTS OFF) SELECT id FROM items ORDER BY embedding %s %L::vector LIMIT 10',
                               op, (SELECT q FROM queries WHERE qid = 1)) LOOP
        used := coalesce(used, substring(line FROM 'Index Scan using (\S+) on items'));
    END LOOP;
    IF used IS NULL OR (SELECT a.amname FROM pg_class c JOIN pg_am a ON a.oid = c.relam
                        WHERE c.oid = used::regclass) IS DISTINCT FROM 'hnsw' THEN
        RAISE EXCEPTION 'recall(%): the search does not use an hnsw index (%)', op, coalesce(used, 'no index scan');
    END IF;
    RESET enable_seqscan;
    FOR r IN SELECT q FROM queries LOOP
        SET LOCAL enable_indexscan = off;
        SET LOCAL enable_bitmapscan = off;
        EXECUTE format('SELECT array_agg(id) FROM (SELECT id FROM items ORDER BY embedding %s $1 LIMIT 10) s', op)
            INTO exact USING r.q;
        SET LOCAL enable_indexscan = on;
        SET LOCAL enable_seqscan = off;
        EXECUTE format('SELECT array_agg(id) FROM (SELECT id FROM items ORDER BY embedding %s $1 LIMIT 10) s', op)
            INTO approx USING r.q;
        RESET enable_seqscan;
        hits := hits + (SELECT count(*) FROM unnest(approx) a WHERE a = ANY (exact));
        total := total + cardinality(exact);
    END LOOP;
    RETURN round(hits::numeric / total, 3);
END $$;

-- the checker's errors and warnings only (its info rows carry sizes)
CREATE FUNCTION problems(idx regclass) RETURNS SETOF text LANGUAGE sql AS $$
    SELECT severity || ': ' || message FROM vecrbac.hnsw_check(idx) WHERE severity <> 'info'
$$;

-- Uniform random vectors in 24 dimensions are the hardest case for a graph index
-- (no clusters to follow): the default ef_search = 40 gives 0.97 to 0.99 here, so
-- the thresholds below are checked at ef_search = 100, after one check at 40.
CREATE INDEX items_l2 ON items USING hnsw (embedding vector_l2_ops);
SELECT recall('<->') >= 0.95 AS l2_built_default_ef;
SET hnsw.ef_search = 100;
SELECT recall('<->') >= 0.99 AS l2_built;
SELECT * FROM problems('items_l2');
DROP INDEX items_l2;
CREATE INDEX items_ip ON items USING hnsw (embedding vector_ip_ops);
SELECT recall('<#>') >= 0.99 AS ip_built;
SELECT * FROM problems('items_ip');
DROP INDEX items_ip;
CREATE INDEX items_cos ON items USING hnsw (embedding vector_cosine_ops);
SELECT recall('<=>') >= 0.99 AS cosine_built;
SELECT * FROM problems('items_cos');
DROP INDEX items_cos;
CREATE INDEX items_l1 ON items USING hnsw (embedding vector_l1_ops);
SELECT recall('<+>') >= 0.99 AS l1_built;
SELECT * FROM problems('items_l1');
DROP INDEX items_l1;

-- a parallel build (the table's parallel_workers asks for workers even when small);
-- PostgreSQL's own "serially" message is about the build it would run itself,
-- the next lines are ours: the estimate and the plan, then pgvector's wording
ALTER TABLE items SET (parallel_workers = 2);
SET max_parallel_maintenance_workers = 2;
SET client_min_messages = debug1;
CREATE INDEX items_l2 ON items USING hnsw (embedding vector_l2_ops);
RESET client_min_messages;
SELECT recall('<->') >= 0.99 AS l2_parallel_built;
SELECT * FROM problems('items_l2');
DROP INDEX items_l2;
ALTER TABLE items RESET (parallel_workers);
RESET max_parallel_maintenance_workers;

-- filled by inserts: the on-disk insertion path for every row
CREATE TABLE staging AS SELECT * FROM items;
TRUNCATE items;
CREATE INDEX items_l2 ON items USING hnsw (embedding vector_l2_ops);
CREATE INDEX items_cos ON items USING hnsw (embedding vector_cosine_ops);
INSERT INTO items SELECT * FROM staging;
SELECT recall('<->') >= 0.99 AS l2_inserted, recall('<=>') >= 0.99 AS cosine_inserted;
SELECT * FROM problems('items_l2');
SELECT * FROM problems('items_cos');

-- delete 75% and vacuum: the graph is repaired and recall recovers
SELECT pg_relation_size('items_l2') AS size_before \gset
DELETE FROM items WHERE id % 4 <> 0;
VACUUM items;
SELECT count(*) AS rows_left FROM items;
SELECT recall('<->') >= 0.95 AS l2_after_vacuum, recall('<=>') >= 0.95 AS cosine_after_vacuum;
SELECT * FROM problems('items_l2');
SELECT * FROM problems('items_cos');
-- every remaining row is still found by an iterative scan, none of the deleted ones
SET hnsw.iterative_scan = relaxed_order;
SET hnsw.max_scan_tuples = 100000;
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT id FROM items ORDER BY embedding <-> (SELECT q FROM queries WHERE qid = 1);
SELECT count(*) = 750 AS all_found, bool_and(id % 4 = 0) AS only_live
FROM (SELECT id FROM items ORDER BY embedding <-> (SELECT q FROM queries WHERE qid = 1)) s;
RESET enable_seqscan;
RESET hnsw.iterative_scan;
RESET hnsw.max_scan_tuples;

-- the space of deleted elements is reused: refilling does not grow the index much
INSERT INTO items SELECT * FROM staging WHERE id % 4 <> 0;
SELECT pg_relation_size('items_l2') <= :size_before * 1.1 AS space_reused;
SELECT recall('<->') >= 0.99 AS l2_refilled;
SELECT * FROM problems('items_l2');

DROP TABLE items, queries, staging;
DROP FUNCTION recall(text), problems(regclass);
DROP EXTENSION vecrbac;

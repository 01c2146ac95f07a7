-- Recall of ivfflat against exact search, computed here, for every opclass: on an
-- index built over existing rows, on one filled by inserts, and after deleting 75%
-- of the rows and vacuuming. Reading every list (probes = lists) must be exact.
CREATE EXTENSION vecrbac;
SELECT setseed(0.42);
-- 3000 points around 30 random centers in 24 dimensions, and 50 queries like them
CREATE TABLE centers (c int PRIMARY KEY, x float4[]);
INSERT INTO centers SELECT c, ARRAY(SELECT random() * 4 FROM generate_series(1, 24) WHERE c >= 0)
FROM generate_series(0, 29) c;
CREATE TABLE items (id int PRIMARY KEY, embedding vector(24));
INSERT INTO items SELECT i, ARRAY(SELECT x[d] + random() - 0.5 FROM generate_series(1, 24) d)::vector
FROM generate_series(1, 3000) i JOIN centers ON c = i % 30;
CREATE TABLE queries (qid int PRIMARY KEY, q vector(24));
INSERT INTO queries SELECT i, ARRAY(SELECT x[d] + random() - 0.5 FROM generate_series(1, 24) d)::vector
FROM generate_series(1, 50) i JOIN centers ON c = (i * 7) % 30;

-- recall@10 of the index for an operator, against a sequential scan, averaged over
-- the queries. The approximate search must be an index scan on an ivfflat index (a
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
                        WHERE c.oid = used::regclass) IS DISTINCT FROM 'ivfflat' THEN
        RAISE EXCEPTION 'recall(%): the search does not use an ivfflat index (%)', op, coalesce(used, 'no index scan');
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

-- every opclass: all lists read is exact; a few lists nearly so
CREATE INDEX items_l2 ON items USING ivfflat (embedding vector_l2_ops) WITH (lists = 30);
SET ivfflat.probes = 30;
SELECT recall('<->') = 1 AS l2_all_lists;
SET ivfflat.probes = 3;
SELECT recall('<->') >= 0.95 AS l2_three_lists;
RESET ivfflat.probes;
SELECT recall('<->') >= 0.5 AS l2_one_list;
DROP INDEX items_l2;
CREATE INDEX items_ip ON items USING ivfflat (embedding vector_ip_ops) WITH (lists = 30);
SET ivfflat.probes = 30;
SELECT recall('<#>') = 1 AS ip_all_lists;
SET ivfflat.probes = 10;
SELECT recall('<#>') >= 0.9 AS ip_ten_lists;
DROP INDEX items_ip;
CREATE INDEX items_cos ON items USING ivfflat (embedding vector_cosine_ops) WITH (lists = 30);
SET ivfflat.probes = 30;
SELECT recall('<=>') = 1 AS cosine_all_lists;
SET ivfflat.probes = 3;
SELECT recall('<=>') >= 0.95 AS cosine_three_lists;
DROP INDEX items_cos;

-- a parallel build (the table's parallel_workers asks for workers even when small):
-- the same lists, every row once, pgvector's DEBUG line
ALTER TABLE items SET (parallel_workers = 2);
SET max_parallel_maintenance_workers = 2;
SET client_min_messages = debug1;
CREATE INDEX items_l2 ON items USING ivfflat (embedding vector_l2_ops) WITH (lists = 30);
RESET client_min_messages;
SET ivfflat.probes = 30;
SELECT recall('<->') = 1 AS l2_parallel_all_lists;
SET ivfflat.probes = 3;
SELECT recall('<->') >= 0.95 AS l2_parallel_three_lists;
SET ivfflat.iterative_scan = relaxed_order;
SET enable_seqscan = off;
SELECT count(*) = 3000 AS all_once, count(DISTINCT id) = 3000 AS distinct_ids
FROM (SELECT id FROM items ORDER BY embedding <-> (SELECT q FROM queries WHERE qid = 1)) s;
RESET enable_seqscan;
RESET ivfflat.iterative_scan;
DROP INDEX items_l2;
ALTER TABLE items RESET (parallel_workers);
RESET max_parallel_maintenance_workers;

-- filled by inserts: the centers come from an empty table (random), every row is
-- inserted after the build; reading every list is still exact
CREATE TABLE staging AS SELECT * FROM items;
TRUNCATE items;
CREATE INDEX items_l2 ON items USING ivfflat (embedding vector_l2_ops) WITH (lists = 10);
INSERT INTO items SELECT * FROM staging;
SET ivfflat.probes = 10;
SELECT recall('<->') = 1 AS l2_inserted_all_lists;
DROP INDEX items_l2;

-- delete 75% and vacuum: nothing deleted is returned, everything left is
CREATE INDEX items_l2 ON items USING ivfflat (embedding vector_l2_ops) WITH (lists = 30);
SELECT pg_relation_size('items_l2') AS size_before \gset
DELETE FROM items WHERE id % 4 <> 0;
VACUUM items;
SELECT count(*) AS rows_left FROM items;
SET ivfflat.probes = 30;
SELECT recall('<->') = 1 AS l2_after_vacuum;
-- (a quarter of each cluster is left: the ten nearest rows spread over more lists)
SET ivfflat.probes = 5;
SELECT recall('<->') >= 0.95 AS l2_five_lists_after_vacuum;
-- an iterative scan goes on past the first list until the rows run out
SET ivfflat.probes = 1;
SET ivfflat.iterative_scan = relaxed_order;
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT id FROM items ORDER BY embedding <-> (SELECT q FROM queries WHERE qid = 1);
SELECT count(*) = 750 AS all_found, bool_and(id % 4 = 0) AS only_live
FROM (SELECT id FROM items ORDER BY embedding <-> (SELECT q FROM queries WHERE qid = 1)) s;
-- max_probes bounds it: 2 lists of about 25 live rows each
SET ivfflat.max_probes = 2;
SELECT count(*) < 750 AS bounded
FROM (SELECT id FROM items ORDER BY embedding <-> (SELECT q FROM queries WHERE qid = 1)) s;
-- without iterative scan, one list only
RESET ivfflat.max_probes;
RESET ivfflat.iterative_scan;
SELECT count(*) < 100 AS one_list
FROM (SELECT id FROM items ORDER BY embedding <-> (SELECT q FROM queries WHERE qid = 1)) s;
RESET enable_seqscan;

-- the space of deleted entries is reused: refilling does not grow the index
INSERT INTO items SELECT * FROM staging WHERE id % 4 <> 0;
SELECT pg_relation_size('items_l2') <= :size_before AS space_reused;
SET ivfflat.probes = 30;
SELECT recall('<->') = 1 AS l2_refilled;

DROP TABLE items, queries, staging, centers;
DROP FUNCTION recall(text);
DROP EXTENSION vecrbac;

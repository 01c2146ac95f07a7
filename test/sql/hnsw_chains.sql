-- Chain directories (on-disk version 3, vecrbac 0.9.0): every scalar key column of an hnsw
-- index, not only the first (the partition column), counts its values and chains their
-- elements. A scope on the second or third column is then read exactly, like one on the
-- first, instead of the whole index. Each case compares the index's top 10 with exact search,
-- with the plan asserted; the checker verifies every directory after builds, inserts, deletes,
-- VACUUM, and an insert stopped between its two WAL records.
CREATE EXTENSION vecrbac;
SELECT setseed(0.42);
CREATE TABLE items (id int PRIMARY KEY, tenant int, dept int, tag text, embedding vector(32));
INSERT INTO items
SELECT i, i % 4, i % 97, 'tag' || (i % 13),
       ARRAY(SELECT random() FROM generate_series(1, 32) WHERE i > 0)::vector(32)
FROM generate_series(1, 6000) i;
CREATE INDEX items_hnsw ON items USING hnsw (tenant, dept, tag, embedding vector_l2_ops);
ANALYZE items;
CREATE TABLE queries AS
SELECT -i AS id, ARRAY(SELECT random() FROM generate_series(1, 32) WHERE i > 0)::vector(32) AS q
FROM generate_series(1, 5) i;

-- The checker finds a directory per scalar key column, and nothing wrong.
CREATE FUNCTION findings(idx regclass) RETURNS SETOF text LANGUAGE sql
    AS $$ SELECT severity || ': ' || message FROM vecrbac.hnsw_check(idx)
          WHERE severity <> 'info' OR message LIKE '%values%' OR message LIKE '%interrupted%' $$;
SELECT * FROM findings('items_hnsw');

-- Whether the index's top 10 under a condition equals exact search's, for every query, with
-- the plan checked: the index, with the condition as an index condition.
CREATE FUNCTION agrees(cond text, idx text DEFAULT 'items_hnsw') RETURNS boolean
LANGUAGE plpgsql AS $$
DECLARE
    q record; plan text := ''; line text; got int[]; want int[];
BEGIN
    FOR line IN EXECUTE format('EXPLAIN (COSTS OFF) SELECT id FROM items WHERE %s
                                ORDER BY embedding <-> %L LIMIT 10', cond, '[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]') LOOP
        plan := plan || line || ' ';
    END LOOP;
    IF plan NOT LIKE '%Index Scan using ' || idx || ' %' OR plan NOT LIKE '%Index Cond%' THEN
        RAISE EXCEPTION 'not an index scan of % with an index condition: %', idx, plan;
    END IF;
    FOR q IN SELECT * FROM queries LOOP
        EXECUTE format('SELECT array_agg(id) FROM (SELECT id FROM items WHERE %s
                        ORDER BY embedding <-> %L LIMIT 10) s', cond, q.q) INTO got;
        SET LOCAL enable_indexscan = off;
        EXECUTE format('SELECT array_agg(id) FROM (SELECT id FROM items WHERE %s
                        ORDER BY embedding <-> %L LIMIT 10) s', cond, q.q) INTO want;
        RESET enable_indexscan;
        IF got IS DISTINCT FROM want THEN
            RAISE NOTICE 'under %: index % exact %', cond, got, want;
            RETURN false;
        END IF;
    END LOOP;
    RETURN true;
END $$;

-- Scopes on each column, on several values (a policy's scope operator: PostgreSQL 15 takes
-- `= ANY` on a column after the first as a Filter of an ordered scan), on two columns, and on
-- a value no row has.
SET enable_seqscan = off;
SELECT cond, agrees(cond) FROM unnest(ARRAY[
    'tenant = 1', 'dept = 5', 'dept OPERATOR(vecrbac.<@) ''{"values": [5, 6, 7]}''',
    'tag = ''tag7''', 'tag OPERATOR(vecrbac.<@) ''{"values": ["tag1", "tag2"]}''',
    'dept = 5 AND tenant = 1', 'dept = 5 AND tag = ''tag3''',
    'tenant OPERATOR(vecrbac.<@) ''{"all": true}'' AND dept = 11']) cond;
SELECT count(*) FROM (SELECT id FROM items WHERE dept = 1000
                      ORDER BY embedding <-> '[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]' LIMIT 10) s;

-- A scope larger than hnsw.exact_scan_limit is walked; what the walk leaves is read through
-- the chains: never short (all 62 rows of dept 5 come back when 100 are asked for).
SET hnsw.exact_scan_limit = 10;
SELECT agrees('dept = 5') AS walked_agrees;
SELECT count(*) AS dept5_rows FROM (SELECT id FROM items WHERE dept = 5
                                    ORDER BY embedding <-> '[0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0]' LIMIT 100) s;
RESET hnsw.exact_scan_limit;

-- Identical vectors with identical keys share one element (up to ten heap TIDs), as before
-- chain directories: an element's chain links are not part of its key values.
CREATE FUNCTION element_counts() RETURNS TABLE (elements bigint, heap_tuples bigint) LANGUAGE sql
    AS $$ SELECT substring(message FROM '^(\d+) elements')::bigint, substring(message FROM ', (\d+) heap tuples')::bigint
          FROM vecrbac.hnsw_check('items_hnsw') WHERE message LIKE '% elements (%' $$;
CREATE TABLE before AS SELECT * FROM element_counts();
INSERT INTO items SELECT 9000 + i, 2, 33, 'tag4', (SELECT q FROM queries WHERE id = -2) FROM generate_series(1, 3) i;
SELECT e.elements - b.elements AS new_elements, e.heap_tuples - b.heap_tuples AS new_heap_tuples
FROM element_counts() e, before b;
DELETE FROM items WHERE id > 9000;
DROP TABLE before;

-- Inserts (an existing value and a new one), deletes and VACUUM keep every chain right.
INSERT INTO items
SELECT 6000 + i, i % 4, CASE WHEN i % 2 = 0 THEN 5 ELSE 500 END, 'tag' || (i % 13),
       ARRAY(SELECT random() FROM generate_series(1, 32) WHERE i > 0)::vector(32)
FROM generate_series(1, 200) i;
SELECT * FROM findings('items_hnsw');
SELECT agrees('dept = 5') AS dept5, agrees('dept = 500') AS dept500, agrees('tag = ''tag7''') AS tag7;
DELETE FROM items WHERE id % 3 = 0;
VACUUM items;
SELECT * FROM findings('items_hnsw');
SELECT agrees('dept = 5') AS dept5, agrees('dept = 500') AS dept500, agrees('tag = ''tag7''') AS tag7;

-- An insert stopped between its chain directories' record and its element's record (an
-- error here; a crash there leaves the same pages) leaves heads that name no element. The
-- checker says so, scans read past them, and the next insert of the value sets them right.
SET vecrbac.test_wait_point = 'error:hnsw-insert-between-records';
INSERT INTO items VALUES (7001, 1, 5, 'tag1', '[0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5]');
RESET vecrbac.test_wait_point;
SELECT * FROM findings('items_hnsw');
SELECT agrees('dept = 5') AS dept5, agrees('tag = ''tag1''') AS tag1;
INSERT INTO items VALUES (7002, 1, 5, 'tag1', '[0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5]');
SELECT * FROM findings('items_hnsw');
SELECT agrees('dept = 5') AS dept5, agrees('tag = ''tag1''') AS tag1;
-- VACUUM sets a head right too.
SET vecrbac.test_wait_point = 'error:hnsw-insert-between-records';
INSERT INTO items VALUES (7003, 2, 6, 'tag2', '[0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5]');
RESET vecrbac.test_wait_point;
DELETE FROM items WHERE id = 7002;
VACUUM (INDEX_CLEANUP ON) items;
SELECT * FROM findings('items_hnsw');
SELECT agrees('dept = 6') AS dept6, agrees('tag = ''tag2''') AS tag2;
-- An insert stopped after its element's record, before the record that offers the element as
-- a seed of its values in the other key columns (on-disk version 4; an error here, a crash there
-- leaves the same pages): a new value then has no seeds, and the element no backlinks (no search
-- reaches it). The checker says so, scans still find the value's rows, the value's next insert
-- offers its own seeds, and VACUUM (which removes the aborted row here) leaves nothing to report.
SET vecrbac.test_wait_point = 'error:hnsw-insert-before-seeds';
INSERT INTO items VALUES (7004, 3, 777, 'tag777', array_fill(0.25::real, ARRAY[32])::vector);
RESET vecrbac.test_wait_point;
SELECT * FROM findings('items_hnsw') WHERE findings NOT LIKE 'info: % directory buckets';
INSERT INTO items VALUES (7005, 3, 777, 'tag777', array_fill(0.26::real, ARRAY[32])::vector);
SELECT * FROM findings('items_hnsw') WHERE findings NOT LIKE 'info: % directory buckets';
SELECT agrees('dept = 777') AS dept777, agrees('tag = ''tag777''') AS tag777;
VACUUM items;
SELECT * FROM findings('items_hnsw') WHERE findings NOT LIKE 'info: % directory buckets';
SELECT agrees('dept = 777') AS dept777, agrees('tag = ''tag777''') AS tag777;

-- Pages a scan under a condition touches (the index's and the table's), from EXPLAIN ANALYZE.
CREATE FUNCTION pages_touched(cond text) RETURNS int LANGUAGE plpgsql AS $$
DECLARE plan json;
BEGIN
    EXECUTE format('EXPLAIN (ANALYZE, BUFFERS, COSTS OFF, TIMING OFF, FORMAT JSON)
                    SELECT id FROM items WHERE %s ORDER BY embedding <-> %L LIMIT 10', cond,
                   (SELECT q FROM queries WHERE id = -1)) INTO plan;
    RETURN (plan->0->'Plan'->>'Shared Hit Blocks')::int + (plan->0->'Plan'->>'Shared Read Blocks')::int;
END $$;
CREATE TABLE touched AS SELECT pages_touched('dept = 5') AS chains;

-- An index built by 0.8.0 (on-disk version 2) has a directory for its first key column only,
-- and answers as before: other columns' scopes are filters of the walk, never short. It reads
-- the whole index where the chains read the scope (about 110 rows of 4,100 here).
SET vecrbac.test_hnsw_version = 2;
CREATE INDEX items_v2 ON items USING hnsw (tenant, dept, tag, embedding vector_l2_ops);
RESET vecrbac.test_hnsw_version;
SELECT * FROM findings('items_v2');
DROP INDEX items_hnsw;
SELECT agrees('dept = 5', 'items_v2') AS dept5, agrees('tag = ''tag7''', 'items_v2') AS tag7;
SELECT chains < pg_relation_size('items_v2') / 8192 / 2 AS chains_read_under_half_the_index,
       pages_touched('dept = 5') > 4 * chains AS v2_reads_4x_more
FROM touched;

DROP TABLE items, queries, touched;
DROP FUNCTION findings(regclass), agrees(text, text), pages_touched(text), element_counts();
DROP EXTENSION vecrbac;

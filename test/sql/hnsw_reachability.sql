-- VACUUM links back the elements that no search from the entry point reaches any more
-- (src/hnsw/hnsw_reach.cpp). Inserts into a full neighbor list prune it, and VACUUM's
-- repair of lists that pointed at deleted rows rewrites them; both cut elements off.
-- With m = 2 (4 level-0 slots) they do so by the dozen whatever the random levels:
-- 84 to 390 unreachable elements of 2,000 in every run before the final VACUUM below,
-- which left 5 to 54 of them before the repair existed, and leaves none with it. In
-- an index with a filter column, elements are also cut off within their value (71 to
-- 88 here): a search scoped to
-- the value, which follows value links and the level-0 links that stay in the value,
-- misses them; VACUUM links those back by value links.
CREATE EXTENSION vecrbac;
SET client_min_messages = warning;
CREATE FUNCTION unreached(idx regclass) RETURNS bigint LANGUAGE sql AS $$
    SELECT coalesce(sum(substring(message FROM '^(\d+) of')::bigint), 0)
    FROM vecrbac.hnsw_check(idx) WHERE message LIKE '%cannot be reached from the entry point%' $$;
-- Elements that a search within their partition value cannot reach from its entry.
CREATE FUNCTION stranded(idx regclass) RETURNS bigint LANGUAGE sql AS $$
    SELECT coalesce(sum(substring(message FROM '^(\d+) elements')::bigint), 0)
    FROM vecrbac.hnsw_check(idx) WHERE message LIKE '%from their partition value%' $$;
-- Anything the checker finds besides its summary (nothing, in a healthy index).
CREATE FUNCTION problems(idx regclass) RETURNS SETOF text LANGUAGE sql AS $$
    SELECT severity || ': ' || message FROM vecrbac.hnsw_check(idx) WHERE severity <> 'info' $$;
CREATE TABLE src AS SELECT i AS id, i % 5 AS label,
    ARRAY(SELECT ((hashint4(i * 8 + j) & 1023) / 1024.0)::real FROM generate_series(1, 8) j)::vector(8) AS val
FROM generate_series(1, 2000) i;
CREATE TABLE t (id int, label int, val vector(8));
CREATE INDEX t_l2 ON t USING hnsw (val vector_l2_ops) WITH (m = 2, ef_construction = 10);
-- A filter-column index (value links per label) beside it: the repair keeps it whole.
CREATE INDEX t_label ON t USING hnsw (label, val vector_l2_ops) WITH (m = 2, ef_construction = 10);
INSERT INTO t SELECT * FROM src;
SELECT unreached('t_l2') > 0 AS cut_off_by_inserts, stranded('t_label') > 0 AS stranded_in_labels;
DELETE FROM t WHERE id % 3 = 0;
VACUUM t;
SELECT unreached('t_l2') AS after_vacuum, unreached('t_label') AS label_after_vacuum,
       stranded('t_label') AS stranded_after_vacuum;
INSERT INTO t SELECT * FROM src WHERE id % 3 = 0;
SELECT unreached('t_l2') > 0 AS cut_off_again, stranded('t_label') > 0 AS stranded_again;
-- A VACUUM with nothing to remove repairs too (its cleanup runs).
VACUUM t;
SELECT unreached('t_l2') AS after_second_vacuum, unreached('t_label') AS label_after_second_vacuum,
       stranded('t_label') AS stranded_after_second_vacuum;
SELECT problems('t_l2');
SELECT problems('t_label');
-- Every row is found through the index: an iterative scan that runs to the end returns
-- each exactly once.
SET enable_seqscan = off;
SET hnsw.iterative_scan = relaxed_order;
SET hnsw.max_scan_tuples = 100000;
-- Within a label too, through the filter-column index (however the scan reads it).
EXPLAIN (COSTS OFF) SELECT id FROM t WHERE label = 3 ORDER BY val <-> '[0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5]';
SELECT count(*), count(DISTINCT id) FROM (SELECT id FROM t WHERE label = 3 ORDER BY val <-> '[0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5]') s;
DROP INDEX t_label;
EXPLAIN (COSTS OFF) SELECT id FROM t ORDER BY val <-> '[0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5]';
SELECT count(*), count(DISTINCT id) FROM (SELECT id FROM t ORDER BY val <-> '[0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5]') s;
RESET enable_seqscan;
RESET hnsw.iterative_scan;
RESET hnsw.max_scan_tuples;
-- Inner product and cosine. Under <#> an element of small norm is nobody's near
-- neighbor: inserts leave hundreds of 2,000 unreachable, and a VACUUM that removes two
-- thirds of the rows rewrites lists full, where the repair once took free slots among
-- the nearest only and left 76 unreachable (187 after the second VACUUM; an exhaustive
-- scan found 1,796 rows). Cosine (vectors stored normalized) takes links as a metric does.
CREATE TABLE u (id int, val vector(8));
CREATE INDEX u_ip ON u USING hnsw (val vector_ip_ops) WITH (m = 4, ef_construction = 16);
CREATE INDEX u_cos ON u USING hnsw (val vector_cosine_ops) WITH (m = 2, ef_construction = 10);
INSERT INTO u SELECT id, val - '[0.3,0.3,0.3,0.3,0.3,0.3,0.3,0.3]' FROM src;
SELECT unreached('u_ip') > 0 AS ip_cut_off_by_inserts;
DELETE FROM u WHERE id % 3 <> 0;
VACUUM u;
SELECT unreached('u_ip') AS ip_after_vacuum, unreached('u_cos') AS cosine_after_vacuum;
INSERT INTO u SELECT id, val - '[0.3,0.3,0.3,0.3,0.3,0.3,0.3,0.3]' FROM src WHERE id % 3 <> 0;
SELECT unreached('u_ip') > 0 AS ip_cut_off_again;
VACUUM u;
SELECT unreached('u_ip') AS ip_after_second_vacuum, unreached('u_cos') AS cosine_after_second_vacuum;
SELECT problems('u_ip');
SELECT problems('u_cos');
-- A build over the rows repairs its graph in memory the same way (it had left hundreds
-- unreachable under <#>).
CREATE INDEX u_ip_built ON u USING hnsw (val vector_ip_ops) WITH (m = 4, ef_construction = 16);
SELECT unreached('u_ip_built') AS ip_after_build;
DROP INDEX u_ip_built;
-- Every row is found through each index by a scan that runs to the end. Under <#> the
-- query is zero: every distance is 0, so the descent stays at the entry point and the
-- walk starts there, as the repair's does (from elsewhere, inner product does not
-- promise to reach every element: a level-0 start need not reach the entry point).
SET enable_seqscan = off;
SET hnsw.iterative_scan = relaxed_order;
SET hnsw.max_scan_tuples = 100000;
EXPLAIN (COSTS OFF) SELECT id FROM u ORDER BY val <#> '[0,0,0,0,0,0,0,0]';
SELECT count(*), count(DISTINCT id) FROM (SELECT id FROM u ORDER BY val <#> '[0,0,0,0,0,0,0,0]') s;
EXPLAIN (COSTS OFF) SELECT id FROM u ORDER BY val <=> '[0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5]';
SELECT count(*), count(DISTINCT id) FROM (SELECT id FROM u ORDER BY val <=> '[0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5]') s;
RESET enable_seqscan;
RESET hnsw.iterative_scan;
RESET hnsw.max_scan_tuples;
DROP TABLE u;
-- A build larger than maintenance_work_mem inserts the rows after the spill page by
-- page, and they cut elements off as inserts do; the build ends with the same repair.
CREATE TABLE spilled AS SELECT i AS id,
    ARRAY(SELECT ((hashint4(i * 8 + j) & 1023) / 1024.0)::real FROM generate_series(1, 8) j)::vector(8) AS val
FROM generate_series(1, 20000) i;
SET maintenance_work_mem = '1MB';
SET max_parallel_maintenance_workers = 0;
CREATE INDEX spilled_l2 ON spilled USING hnsw (val vector_l2_ops) WITH (m = 2, ef_construction = 10);
RESET max_parallel_maintenance_workers;
RESET maintenance_work_mem;
SELECT unreached('spilled_l2') AS after_spilled_build;
SELECT problems('spilled_l2');
DROP TABLE spilled;
DROP TABLE t, src;
DROP FUNCTION unreached(regclass), stranded(regclass), problems(regclass);
DROP EXTENSION vecrbac;

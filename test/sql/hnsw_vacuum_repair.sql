-- VACUUM after most rows are deleted: repairing a link list whose neighbors are
-- nearly all gone falls back to a fresh graph search, whose visited set grows while
-- vacuum's per-element memory context is current (reset after each element). The
-- set must keep its memory: this crashed the server with "free(): invalid pointer".
CREATE EXTENSION vecrbac;
CREATE TABLE t (id int, val vector(8));
INSERT INTO t SELECT i, ARRAY(SELECT ((hashint4(i * 8 + j) & 1023) / 1024.0)::real
                              FROM generate_series(1, 8) j)::vector
FROM generate_series(1, 3000) i;
CREATE INDEX t_idx ON t USING hnsw (val vector_l2_ops);
DELETE FROM t WHERE id % 10 <> 0;
VACUUM t;
-- A second round, on the repaired graph.
DELETE FROM t WHERE id % 30 <> 0;
VACUUM t;
SET enable_seqscan = off;
SET hnsw.iterative_scan = relaxed_order;
-- Every remaining row is still found, each once, by the index.
EXPLAIN (COSTS OFF) SELECT id FROM t ORDER BY val <-> '[0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5]';
SELECT count(*), count(DISTINCT id) FROM (SELECT id FROM t ORDER BY val <-> '[0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5]') s;
SELECT count(*) FROM t;
DROP TABLE t;
DROP EXTENSION vecrbac;

-- hnsw options, settings and limits, with pgvector's messages; REINDEX; index
-- definitions hnsw refuses.
CREATE EXTENSION vecrbac;
CREATE TABLE t (val vector(3));

-- options
CREATE INDEX ON t USING hnsw (val vector_l2_ops) WITH (m = 1);
CREATE INDEX ON t USING hnsw (val vector_l2_ops) WITH (m = 101);
CREATE INDEX ON t USING hnsw (val vector_l2_ops) WITH (ef_construction = 3);
CREATE INDEX ON t USING hnsw (val vector_l2_ops) WITH (ef_construction = 1001);
CREATE INDEX ON t USING hnsw (val vector_l2_ops) WITH (m = 16, ef_construction = 31);
\echo :LAST_ERROR_SQLSTATE
CREATE INDEX ON t USING hnsw (val vector_l2_ops) WITH (nonsense = 1);
CREATE INDEX t_idx ON t USING hnsw (val vector_l2_ops) WITH (m = 16, ef_construction = 32);
SELECT reloptions FROM pg_class WHERE relname = 't_idx';
-- changing an option takes effect at the next REINDEX; the graph keeps its own m
ALTER INDEX t_idx SET (m = 8);
DROP INDEX t_idx;

-- no default operator class, like pgvector
CREATE INDEX ON t USING hnsw (val);

-- settings and their bounds
SHOW hnsw.ef_search;
SET hnsw.ef_search = 0;
SET hnsw.ef_search = 1001;
SHOW hnsw.iterative_scan;
SET hnsw.iterative_scan = on;
SHOW hnsw.max_scan_tuples;
SET hnsw.max_scan_tuples = 0;
SHOW hnsw.scan_mem_multiplier;
SET hnsw.scan_mem_multiplier = 0;
SET hnsw.scan_mem_multiplier = 1001;
SET hnsw.nonexistent = 1;

-- dimensions: 2000 is the most an hnsw index takes
DROP TABLE t;
CREATE TABLE t (val vector(2000));
INSERT INTO t SELECT array_fill(i::real, ARRAY[2000])::vector FROM generate_series(1, 3) i;
CREATE INDEX t_idx ON t USING hnsw (val vector_l2_ops);
INSERT INTO t SELECT array_fill(4::real, ARRAY[2000])::vector;
SET enable_seqscan = off;
SELECT val[1:1]::real[] FROM (SELECT val::real[] AS val FROM t ORDER BY val <-> array_fill(3.9::real, ARRAY[2000])::vector LIMIT 2) s;
RESET enable_seqscan;
SELECT severity, message FROM vecrbac.hnsw_check('t_idx') WHERE severity <> 'info';
DROP TABLE t;
CREATE TABLE t (val vector(2001));
CREATE INDEX ON t USING hnsw (val vector_l2_ops);
\echo :LAST_ERROR_SQLSTATE
DROP TABLE t;
CREATE TABLE t (val vector);
CREATE INDEX ON t USING hnsw (val vector_l2_ops);
DROP TABLE t;

-- index definitions: one vector column, filter columns of the supported types
CREATE TABLE t (id int, val vector(3));
CREATE TABLE t2 (a vector(3), b vector(3), f float8, i1 int, i2 int, i3 int, i4 int, i5 int);
CREATE INDEX ON t2 USING hnsw (a vector_l2_ops, b vector_l2_ops);
CREATE INDEX ON t2 USING hnsw (a vector_l2_ops, f);
CREATE INDEX ON t2 USING hnsw (i1, i2, i3, i4, i5, a vector_l2_ops);
CREATE INDEX ON t2 USING hnsw (i1);
CREATE INDEX ON t2 USING hnsw (a vector_l2_ops) INCLUDE (i1);
DROP TABLE t2;
-- no ordering: the index is never chosen, and cannot be forced to scan without one
CREATE INDEX t_idx ON t USING hnsw (val vector_l2_ops);
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT * FROM t WHERE val = '[1,2,3]';
RESET enable_seqscan;

-- REINDEX keeps the index working; dimension mismatches are caught
INSERT INTO t SELECT i, ARRAY[i, i, i]::vector FROM generate_series(1, 100) i;
REINDEX INDEX t_idx;
REINDEX TABLE t;
SET enable_seqscan = off;
SELECT id FROM t ORDER BY val <-> '[50,50,50.1]' LIMIT 3;
SELECT id FROM t ORDER BY val <-> '[1,2]' LIMIT 3;
RESET enable_seqscan;
SELECT severity, message FROM vecrbac.hnsw_check('t_idx') WHERE severity <> 'info';
-- the checker only checks hnsw indexes
CREATE INDEX t_btree ON t (id);
SELECT * FROM vecrbac.hnsw_check('t_btree');
SELECT * FROM vecrbac.hnsw_check('t');

-- amvalidate agrees with our operator classes
SELECT opcname FROM pg_opclass WHERE opcmethod = (SELECT oid FROM pg_am WHERE amname = 'hnsw') AND NOT amvalidate(oid);
SELECT opcname FROM pg_opclass WHERE opcmethod = (SELECT oid FROM pg_am WHERE amname = 'hnsw') ORDER BY 1;
-- and refuses broken ones, saying why (INFO), as the core AMs' amvalidate do
CREATE OPERATOR CLASS broken_filter_ops FOR TYPE int4 USING hnsw AS
    OPERATOR 1 = (int4, int4);
CREATE OPERATOR CLASS broken_scope_ops FOR TYPE int4 USING hnsw AS
    OPERATOR 1 = (int4, int4), OPERATOR 2 < (int4, int4), OPERATOR 3 > (int4, int4);
CREATE OPERATOR CLASS broken_distance_ops FOR TYPE vector USING hnsw AS
    OPERATOR 1 <-> (vector, vector) FOR ORDER BY float_ops,
    FUNCTION 1 vector_norm(vector);
CREATE OPERATOR CLASS broken_order_ops FOR TYPE vector USING hnsw AS
    OPERATOR 2 <-> (vector, vector) FOR ORDER BY float_ops,
    FUNCTION 1 vector_l2_squared_distance(vector, vector);
SELECT amvalidate(oid) AS broken_filter_ops FROM pg_opclass WHERE opcname = 'broken_filter_ops';
SELECT amvalidate(oid) AS broken_scope_ops FROM pg_opclass WHERE opcname = 'broken_scope_ops';
SELECT amvalidate(oid) AS broken_distance_ops FROM pg_opclass WHERE opcname = 'broken_distance_ops';
SELECT amvalidate(oid) AS broken_order_ops FROM pg_opclass WHERE opcname = 'broken_order_ops';
DROP OPERATOR FAMILY broken_filter_ops USING hnsw;
DROP OPERATOR FAMILY broken_scope_ops USING hnsw;
DROP OPERATOR FAMILY broken_distance_ops USING hnsw;
DROP OPERATOR FAMILY broken_order_ops USING hnsw;

DROP TABLE t;
DROP EXTENSION vecrbac;

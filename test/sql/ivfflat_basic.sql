-- ivfflat for every opclass: build, insert after build, NULL and zero queries,
-- TRUNCATE, unlogged tables, options and settings, and the errors pgvector raises.
CREATE EXTENSION vecrbac;
SET enable_seqscan = off;

-- L2 (the default opclass)
CREATE TABLE t (val vector(3));
INSERT INTO t (val) VALUES ('[0,0,0]'), ('[1,2,3]'), ('[1,1,1]'), (NULL);
CREATE INDEX ON t USING ivfflat (val) WITH (lists = 1);
INSERT INTO t (val) VALUES ('[1,2,4]');
EXPLAIN (COSTS OFF) SELECT * FROM t ORDER BY val <-> '[3,3,3]';
SELECT * FROM t ORDER BY val <-> '[3,3,3]';
SELECT COUNT(*) FROM (SELECT * FROM t ORDER BY val <-> (SELECT NULL::vector)) t2;
TRUNCATE t;
SELECT * FROM t ORDER BY val <-> '[3,3,3]';
INSERT INTO t (val) VALUES ('[1,2,3]');
SELECT * FROM t ORDER BY val <-> '[3,3,3]';
DROP TABLE t;

-- inner product
CREATE TABLE t (val vector(3));
INSERT INTO t (val) VALUES ('[0,0,0]'), ('[1,2,3]'), ('[1,1,1]'), (NULL);
CREATE INDEX ON t USING ivfflat (val vector_ip_ops) WITH (lists = 1);
INSERT INTO t (val) VALUES ('[1,2,4]');
SELECT * FROM t ORDER BY val <#> '[3,3,3]';
SELECT COUNT(*) FROM (SELECT * FROM t ORDER BY val <#> (SELECT NULL::vector)) t2;
DROP TABLE t;

-- cosine: zero vectors are not indexed; a zero query has no order and returns the rest
CREATE TABLE t (val vector(3));
INSERT INTO t (val) VALUES ('[0,0,0]'), ('[1,2,3]'), ('[1,1,1]'), (NULL);
CREATE INDEX ON t USING ivfflat (val vector_cosine_ops) WITH (lists = 1);
INSERT INTO t (val) VALUES ('[1,2,4]'), ('[0,0,0]');
SELECT * FROM t ORDER BY val <=> '[3,3,3]';
SELECT COUNT(*) FROM (SELECT * FROM t ORDER BY val <=> '[0,0,0]') t2;
SELECT COUNT(*) FROM (SELECT * FROM t ORDER BY val <=> (SELECT NULL::vector)) t2;
DROP TABLE t;

-- more lists than rows: a notice, and every row still found with enough probes
CREATE TABLE t (val vector(3));
INSERT INTO t (val) VALUES ('[1,2,3]'), ('[1,1,1]');
CREATE INDEX ON t USING ivfflat (val) WITH (lists = 4);
SET ivfflat.probes = 4;
SELECT * FROM t ORDER BY val <-> '[3,3,3]';
RESET ivfflat.probes;
DROP TABLE t;

-- unlogged
CREATE UNLOGGED TABLE t (val vector(3));
INSERT INTO t (val) VALUES ('[0,0,0]'), ('[1,2,3]'), ('[1,1,1]'), (NULL);
CREATE INDEX ON t USING ivfflat (val) WITH (lists = 1);
SELECT * FROM t ORDER BY val <-> '[3,3,3]';
DROP TABLE t;

-- options and settings: pgvector's ranges and messages
CREATE TABLE t (val vector(3));
CREATE INDEX ON t USING ivfflat (val) WITH (lists = 0);
CREATE INDEX ON t USING ivfflat (val) WITH (lists = 32769);
CREATE INDEX ON t USING ivfflat (val) WITH (probes = 1);
SHOW ivfflat.probes;
SHOW ivfflat.iterative_scan;
SHOW ivfflat.max_probes;
SET ivfflat.probes = 0;
SET ivfflat.probes = 32769;
SET ivfflat.iterative_scan = strict_order;
SET ivfflat.max_probes = 0;
SET ivfflat.nonexistent = 1;
CREATE INDEX t_idx ON t USING ivfflat (val) WITH (lists = 5);
SELECT reloptions FROM pg_class WHERE relname = 't_idx';
DROP TABLE t;

-- errors
CREATE TABLE t (val vector);
CREATE INDEX ON t USING ivfflat (val);
DROP TABLE t;
CREATE TABLE t (val vector(2001));
CREATE INDEX ON t USING ivfflat (val);
DROP TABLE t;
CREATE TABLE t (val vector(1));
CREATE INDEX ON t USING ivfflat (val vector_cosine_ops);
CREATE INDEX ON t USING ivfflat (val vector_l2_ops);
DROP TABLE t;
CREATE TABLE t (val vector(3), n int);
CREATE INDEX ON t USING ivfflat (n);
CREATE INDEX ON t USING ivfflat (val, val);
CREATE INDEX t_idx ON t USING ivfflat (val);
INSERT INTO t (val) VALUES ('[1,2]');
SELECT * FROM t ORDER BY val <-> '[1,2]';
SELECT * FROM t WHERE val = '[1,2,3]';
DROP TABLE t;

-- the operator classes pass amvalidate
SELECT opcname, amvalidate(c.oid) FROM pg_opclass c JOIN pg_am a ON a.oid = c.opcmethod
WHERE a.amname = 'ivfflat' ORDER BY opcname;
DROP EXTENSION vecrbac;

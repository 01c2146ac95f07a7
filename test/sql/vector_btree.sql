-- vector btree opclass: ordering, equality, indexes, DISTINCT, GROUP BY, UNIQUE
-- and joins, with pgvector's array-like order (elements first, then length).
CREATE EXTENSION vecrbac;

SELECT '[1,2,3]'::vector < '[1,2,3]';
SELECT '[1,2,3]'::vector < '[1,2]';
SELECT '[1,2,3]'::vector <= '[1,2,3]';
SELECT '[1,2,3]'::vector <= '[1,2]';
SELECT '[1,2,3]'::vector = '[1,2,3]';
SELECT '[1,2,3]'::vector = '[1,2]';
SELECT '[1,2,3]'::vector != '[1,2,3]';
SELECT '[1,2,3]'::vector != '[1,2]';
SELECT '[1,2,3]'::vector >= '[1,2,3]';
SELECT '[1,2,3]'::vector >= '[1,2]';
SELECT '[1,2,3]'::vector > '[1,2,3]';
SELECT '[1,2,3]'::vector > '[1,2]';
SELECT vector_cmp('[1,2,3]', '[1,2,3]');
SELECT vector_cmp('[1,2,3]', '[0,0,0]');
SELECT vector_cmp('[0,0,0]', '[1,2,3]');
SELECT vector_cmp('[1,2]', '[1,2,3]');
SELECT vector_cmp('[1,2,3]', '[1,2]');
SELECT vector_cmp('[1,2]', '[2,3,4]');
SELECT vector_cmp('[2,3]', '[1,2,3]');
-- Zero and negative zero are equal, as for real.
SELECT '[0]'::vector = '[-0]', vector_cmp('[-0]', '[0]');

-- The same order as real[] for every pair of a small set.
CREATE TABLE vals (v vector);
INSERT INTO vals VALUES ('[1]'), ('[1,2]'), ('[2]'), ('[-1,5]'), ('[1,2,3]'), ('[0.5]'),
                        ('[1,1.5]'), ('[0]'), ('[0]'), ('[3e38]'), ('[-3e38,0]');
SELECT count(*) AS pairs,
       bool_and((a.v < b.v) = (a.v::real[] < b.v::real[])) AS lt,
       bool_and((a.v <= b.v) = (a.v::real[] <= b.v::real[])) AS le,
       bool_and((a.v = b.v) = (a.v::real[] = b.v::real[])) AS eq,
       bool_and((a.v <> b.v) = (a.v::real[] <> b.v::real[])) AS ne,
       bool_and((a.v >= b.v) = (a.v::real[] >= b.v::real[])) AS ge,
       bool_and((a.v > b.v) = (a.v::real[] > b.v::real[])) AS gt,
       bool_and(sign(vector_cmp(a.v, b.v)) = sign(btarraycmp(a.v::real[], b.v::real[]))) AS cmp
FROM vals a, vals b;
SELECT v FROM vals ORDER BY v, v::text;
SELECT DISTINCT v FROM vals ORDER BY v;
SELECT v, count(*) FROM vals GROUP BY v ORDER BY v;
DROP TABLE vals;

-- Index scans (pgvector's btree_vector test, and more).
SET enable_seqscan = off;
CREATE TABLE t (val vector(3));
INSERT INTO t (val) VALUES ('[0,0,0]'), ('[1,2,3]'), ('[1,1,1]'), (NULL);
CREATE INDEX ON t (val);
EXPLAIN (COSTS OFF) SELECT * FROM t WHERE val = '[1,2,3]';
SELECT * FROM t WHERE val = '[1,2,3]';
SELECT * FROM t ORDER BY val;
SELECT * FROM t WHERE val > '[0,5,5]' ORDER BY val;
SELECT * FROM t WHERE val BETWEEN '[0,0,0]' AND '[1,1,1]' ORDER BY val DESC;
SELECT * FROM t WHERE val IS NULL;
RESET enable_seqscan;
-- A unique index refuses duplicates.
CREATE UNIQUE INDEX t_unique ON t (val);
INSERT INTO t VALUES ('[1,2,3]');
\echo :LAST_ERROR_SQLSTATE
-- Larger data: the index order matches a sort.
CREATE TABLE big AS
SELECT i, ('[' || (i * 37) % 101 || ',' || (i * 13) % 7 || ',' || i % 3 || ']')::vector AS v
FROM generate_series(1, 5000) i;
CREATE INDEX big_v ON big (v);
SET enable_seqscan = off;
SET enable_bitmapscan = off;
EXPLAIN (COSTS OFF) SELECT v FROM big ORDER BY v;
SELECT array_agg(v ORDER BY v) = (SELECT array_agg(v) FROM (SELECT v FROM big ORDER BY v) s)
FROM big;
SELECT count(*) FROM big WHERE v = '[37,6,1]';
RESET enable_seqscan;
RESET enable_bitmapscan;
SELECT count(*) FROM big WHERE v = '[37,6,1]';
-- Joins on vector equality: as in pgvector, = is neither MERGES nor HASHES (and
-- vector has no hash opclass), so a join is a nested loop, here on the index.
SELECT oprcanmerge, oprcanhash FROM pg_operator WHERE oid = '=(vector,vector)'::regoperator;
EXPLAIN (COSTS OFF) SELECT count(*) FROM big a JOIN big b ON a.v = b.v;
SELECT count(*) = (SELECT sum(c * c) FROM (SELECT count(*) AS c FROM big GROUP BY v::text) s) AS join_matches_text_grouping
FROM big a JOIN big b ON a.v = b.v;
DROP TABLE big;
DROP TABLE t;

-- The opclass as pgvector declares it.
SELECT opcname, amname, opcintype::regtype, opcdefault
FROM pg_opclass JOIN pg_am ON pg_am.oid = opcmethod
WHERE opcintype = 'vector'::regtype AND amname = 'btree';
SELECT amopstrategy, amopopr::regoperator, amproc::regprocedure AS support FROM pg_amop
LEFT JOIN pg_amproc ON amprocfamily = amopfamily AND amprocnum = 1 AND amopstrategy = 3
WHERE amopfamily = (SELECT opcfamily FROM pg_opclass WHERE opcname = 'vector_ops'
                    AND opcmethod = (SELECT oid FROM pg_am WHERE amname = 'btree'))
ORDER BY amopstrategy;

DROP EXTENSION vecrbac;

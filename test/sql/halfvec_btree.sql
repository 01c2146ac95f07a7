-- halfvec btree opclass (halfvec_ops): ordering by value (elements first, then
-- length, as arrays), equality across -0 and 0, indexes, DISTINCT, UNIQUE.
CREATE EXTENSION vecrbac;

SELECT '[1,2,3]'::halfvec < '[1,2,3]', '[1,2,3]'::halfvec < '[1,2]', '[1,2]'::halfvec < '[1,2,3]';
SELECT '[1,2,3]'::halfvec <= '[1,2,3]', '[1,2,3]'::halfvec = '[1,2,3]', '[1,2,3]'::halfvec <> '[1,2]';
SELECT '[1,2,3]'::halfvec >= '[1,2]', '[1,2,3]'::halfvec > '[1,2,3]', '[2]'::halfvec > '[1,2,3]';
SELECT halfvec_cmp('[1,2,3]', '[1,2,3]'), halfvec_cmp('[1,2]', '[1,2,3]'), halfvec_cmp('[2,3]', '[1,2,3]');
SELECT '[0]'::halfvec = '[-0]', halfvec_cmp('[-0]', '[0]');
-- Equality is on the rounded values.
SELECT '[0.1]'::halfvec = '[0.09998]' AS same_half;

-- The same order as real[] for every pair of a small set.
CREATE TABLE vals (v halfvec);
INSERT INTO vals VALUES ('[1]'), ('[1,2]'), ('[2]'), ('[-1,5]'), ('[1,2,3]'), ('[0.5]'),
                        ('[1,1.5]'), ('[0]'), ('[-0]'), ('[65504]'), ('[-65504,0]'), ('[5.9604645e-08]');
SELECT count(*) AS pairs,
       bool_and((a.v < b.v) = (a.v::real[] < b.v::real[])) AS lt,
       bool_and((a.v <= b.v) = (a.v::real[] <= b.v::real[])) AS le,
       bool_and((a.v = b.v) = (a.v::real[] = b.v::real[])) AS eq,
       bool_and((a.v <> b.v) = (a.v::real[] <> b.v::real[])) AS ne,
       bool_and((a.v >= b.v) = (a.v::real[] >= b.v::real[])) AS ge,
       bool_and((a.v > b.v) = (a.v::real[] > b.v::real[])) AS gt,
       bool_and(sign(halfvec_cmp(a.v, b.v)) = sign(btarraycmp(a.v::real[], b.v::real[]))) AS cmp
FROM vals a, vals b;
SELECT v FROM vals ORDER BY v, v::text;
SELECT min(v::text) AS as_text, count(*) FROM vals GROUP BY v ORDER BY v;
DROP TABLE vals;

-- Index scans.
SET enable_seqscan = off;
CREATE TABLE t (val halfvec(3));
INSERT INTO t (val) VALUES ('[0,0,0]'), ('[1,2,3]'), ('[1,1,1]'), (NULL);
CREATE INDEX ON t (val);
EXPLAIN (COSTS OFF) SELECT * FROM t WHERE val = '[1,2,3]';
SELECT * FROM t WHERE val = '[1,2,3]';
SELECT * FROM t ORDER BY val;
SELECT * FROM t WHERE val > '[0,5,5]' ORDER BY val;
RESET enable_seqscan;
CREATE UNIQUE INDEX t_unique ON t (val);
INSERT INTO t VALUES ('[1,2,3.0001]');
\echo :LAST_ERROR_SQLSTATE
-- Larger data: the index order matches a sort.
CREATE TABLE big AS
SELECT i, ('[' || (i * 37) % 101 || ',' || (i * 13) % 7 || ',' || i % 3 || ']')::halfvec AS v
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
DROP TABLE big, t;

-- The opclass as pgvector declares it.
SELECT opcname, amname, opcintype::regtype, opcdefault
FROM pg_opclass JOIN pg_am ON pg_am.oid = opcmethod
WHERE opcintype = 'halfvec'::regtype AND amname = 'btree';
SELECT amopstrategy, amopopr::regoperator, amproc::regprocedure AS support FROM pg_amop
LEFT JOIN pg_amproc ON amprocfamily = amopfamily AND amprocnum = 1 AND amopstrategy = 3
WHERE amopfamily = (SELECT opcfamily FROM pg_opclass WHERE opcname = 'halfvec_ops'
                    AND opcmethod = (SELECT oid FROM pg_am WHERE amname = 'btree'))
ORDER BY amopstrategy;

DROP EXTENSION vecrbac;

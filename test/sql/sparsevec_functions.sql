-- sparsevec functions and operators: the four distances and their operators, the
-- index support functions, l2_norm and l2_normalize, and the btree order, against
-- values worked out by hand and against the same computation on vector.
CREATE EXTENSION vecrbac;

-- Distances over overlapping, disjoint, empty and one-sided index sets.
SELECT a, b, l2_distance(a, b) AS l2, sparsevec_l2_squared_distance(a, b) AS l2_squared,
       inner_product(a, b) AS ip, sparsevec_negative_inner_product(a, b) AS neg_ip,
       cosine_distance(a, b) AS cosine, l1_distance(a, b) AS l1
FROM (VALUES ('{1:3,2:4}/2'::sparsevec, '{}/2'::sparsevec),
             ('{1:3}/2', '{2:4}/2'),
             ('{1:1,3:3,5:5}/5', '{2:4,3:6,4:8}/5'),
             ('{1:1,2:2}/2', '{1:2,2:4}/2'),
             ('{1:1,2:1}/2', '{1:-1,2:-1}/2'),
             ('{}/1', '{}/1')) v(a, b);
-- The operators are the same functions (<#> is the negative inner product).
SELECT '{1:3}/2'::sparsevec <-> '{2:4}/2' AS l2, '{1:1,2:2}/2'::sparsevec <#> '{1:3,2:4}/2' AS neg_ip,
       '{1:1,2:2}/2'::sparsevec <=> '{1:2,2:4}/2' AS cosine, '{}/2'::sparsevec <+> '{1:3,2:4}/2' AS l1;
-- Float overflow follows float arithmetic, as pgvector: infinity, not an error.
SELECT inner_product('{1:3e38}/1'::sparsevec, '{1:3e38}/1') AS ip_overflow,
       l1_distance('{1:3e38}/1'::sparsevec, '{1:-3e38}/1') AS l1_overflow,
       cosine_distance('{1:3e38}/1'::sparsevec, '{1:3e38}/1') AS cosine_overflow;

-- Every distance agrees with the dense vector's on random sparse data (to float
-- rounding: vector's SIMD kernels sum in another order).
SELECT setseed(0.42);
CREATE TABLE pairs AS
SELECT i, (SELECT array_agg(CASE WHEN random() < 0.2 THEN round((random() * 20 - 10)::numeric, 2) ELSE 0 END)
           FROM generate_series(1, 300) WHERE i > 0)::vector AS a,
          (SELECT array_agg(CASE WHEN random() < 0.2 THEN round((random() * 20 - 10)::numeric, 2) ELSE 0 END)
           FROM generate_series(1, 300) WHERE i > 0)::vector AS b
FROM generate_series(1, 50) i;
SELECT count(*) AS pairs,
       max(abs(inner_product(a::sparsevec, b::sparsevec) - inner_product(a, b))) < 1e-3 AS ip_close,
       max(abs(l2_distance(a::sparsevec, b::sparsevec) - l2_distance(a, b))) < 1e-4 AS l2_close,
       max(abs(l1_distance(a::sparsevec, b::sparsevec) - l1_distance(a, b))) < 1e-3 AS l1_close,
       max(abs(cosine_distance(a::sparsevec, b::sparsevec) - cosine_distance(a, b))) < 1e-6 AS cosine_close
FROM pairs;
DROP TABLE pairs;

-- Different dimensions are refused (22000).
SELECT l2_distance('{}/2'::sparsevec, '{}/3');
\echo :LAST_ERROR_SQLSTATE
SELECT '{}/2'::sparsevec <#> '{}/3';
SELECT '{}/2'::sparsevec <=> '{}/3';
SELECT '{}/2'::sparsevec <+> '{}/3';
SELECT sparsevec_l2_squared_distance('{}/2', '{}/3');

-- Norms.
SELECT l2_norm('{1:3,2:4}/2'::sparsevec) AS five, l2_norm('{}/2'::sparsevec) AS zero,
       l2_norm('{1:3e37,2:4e37}/2'::sparsevec)::real AS no_overflow_in_double;
SELECT l2_normalize('{1:3,2:4}/2'::sparsevec) AS unit, l2_normalize('{2:0.1}/2'::sparsevec) AS one,
       l2_normalize('{}/2'::sparsevec) AS zero_stays_zero;
-- A value that underflows to 0 is dropped, as sparsevec stores no zeros.
SELECT l2_normalize('{1:3e38,2:1e-37}/2'::sparsevec) AS underflow_dropped;
SELECT l2_normalize('{2:3e37,4:3e-37,6:4e37,8:4e-37}/9'::sparsevec) AS two_dropped;

-- The btree order: as dense arrays element by element, then by dimensions.
SELECT a, b, sparsevec_cmp(a, b) AS cmp, a < b AS lt, a <= b AS le, a = b AS eq,
       a <> b AS ne, a >= b AS ge, a > b AS gt
FROM (VALUES ('{1:1,2:2,3:3}/3'::sparsevec, '{1:1,2:2,3:3}/3'::sparsevec),
             ('{1:1,2:2,3:3}/3', '{}/3'),
             ('{}/3', '{1:-1}/3'),
             ('{1:1,2:2}/2', '{1:1,2:2,3:3}/3'),
             ('{1:1,2:2}/3', '{1:1,2:2}/2'),
             ('{2:1}/3', '{1:1}/3'),
             ('{1:2,2:3}/2', '{1:1,2:2,3:3}/3')) v(a, b);
-- The same order as vector's on the dense form.
SELECT bool_and(sign(sparsevec_cmp(a::sparsevec, b::sparsevec)) = sign(vector_cmp(a, b))) AS same_as_vector
FROM (VALUES ('[0,1,0]'::vector, '[0,0,1]'::vector), ('[0,-1,0]', '[0,0,1]'), ('[0,0,-1]', '[0,-1,0]'),
             ('[1,2]', '[1,2,0]'), ('[1,2,0]', '[1,2]'), ('[0,0,0]', '[0,0]'), ('[-1]', '[0,0]')) v(a, b);
CREATE TABLE t (s sparsevec);
INSERT INTO t VALUES ('{1:1}/2'), ('{}/2'), ('{2:1}/2'), ('{1:-1}/2'), ('{}/1'), ('{1:1}/2'), ('{1:1,2:1}/2');
CREATE INDEX ON t (s);
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT * FROM t ORDER BY s;
SELECT * FROM t ORDER BY s;
SELECT s, count(*) FROM t GROUP BY s ORDER BY s;
RESET enable_seqscan;
DROP TABLE t;

-- Strict: NULL in, NULL out.
SELECT l2_distance(NULL::sparsevec, '{}/1') IS NULL AS strict;

DROP EXTENSION vecrbac;

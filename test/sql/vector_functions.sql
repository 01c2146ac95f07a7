-- vector operators and functions: distances, norms, arithmetic, subvector,
-- binary quantization, with pgvector's values and edge cases.
CREATE EXTENSION vecrbac;

-- ---- distances ------------------------------------------------------------------
SELECT l2_distance('[0,0]'::vector, '[3,4]');
SELECT l2_distance('[0,0]'::vector, '[0,1]');
SELECT l2_distance('[3e38]'::vector, '[-3e38]');
SELECT l2_distance('[1,1,1,1,1,1,1,1,1]'::vector, '[1,1,1,1,1,1,1,4,5]');
SELECT '[0,0]'::vector <-> '[3,4]';
SELECT vector_l2_squared_distance('[0,0]'::vector, '[3,4]');

SELECT inner_product('[1,2]'::vector, '[3,4]');
SELECT inner_product('[3e38]'::vector, '[3e38]');
SELECT inner_product('[1,1,1,1,1,1,1,1,1]'::vector, '[1,2,3,4,5,6,7,8,9]');
SELECT '[1,2]'::vector <#> '[3,4]';
SELECT vector_negative_inner_product('[1,2]'::vector, '[3,4]');

SELECT cosine_distance('[1,2]'::vector, '[2,4]');
SELECT cosine_distance('[1,2]'::vector, '[0,0]');
SELECT cosine_distance('[0,0]'::vector, '[0,0]');
SELECT cosine_distance('[1,1]'::vector, '[1,1]');
SELECT cosine_distance('[1,0]'::vector, '[0,2]');
SELECT cosine_distance('[1,1]'::vector, '[-1,-1]');
SELECT cosine_distance('[1,1]'::vector, '[1.1,1.1]');
SELECT cosine_distance('[1,1]'::vector, '[-1.1,-1.1]');
SELECT cosine_distance('[3e38]'::vector, '[3e38]');
SELECT cosine_distance('[1,2,3,4,5,6,7,8,9]'::vector, '[1,2,3,4,5,6,7,8,9]');
SELECT cosine_distance('[1,2,3,4,5,6,7,8,9]'::vector, '[-1,-2,-3,-4,-5,-6,-7,-8,-9]');
SELECT '[1,2]'::vector <=> '[2,4]';
-- Rounding never takes the distance outside [0, 2].
SELECT min(d) >= 0 AND max(d) <= 2 AS clamped
FROM (SELECT v <=> v AS d FROM (SELECT ('[' || x || ',' || x * 3 || ',' || x / 7 || ']')::vector AS v
      FROM generate_series(1, 1000) x) s
      UNION ALL
      SELECT v <=> (v::text::vector - v - v) FROM (SELECT ('[' || x || ',' || x / 3.0 || ']')::vector AS v
      FROM generate_series(1, 1000) x) s) d;

SELECT round(vector_spherical_distance('[1,0]'::vector, '[0,1]')::numeric, 6);
SELECT vector_spherical_distance('[1,0]'::vector, '[1,0]');
SELECT vector_spherical_distance('[1,0]'::vector, '[-1,0]');
-- Inner products past +-1 are clamped before acos.
SELECT vector_spherical_distance('[2,0]'::vector, '[2,0]'), vector_spherical_distance('[2,0]'::vector, '[-2,0]');

SELECT l1_distance('[0,0]'::vector, '[3,4]');
SELECT l1_distance('[0,0]'::vector, '[0,1]');
SELECT l1_distance('[3e38]'::vector, '[-3e38]');
SELECT l1_distance('[1,2,3,4,5,6,7,8,9]'::vector, '[1,2,3,4,5,6,7,8,9]');
SELECT l1_distance('[1,2,3,4,5,6,7,8,9]'::vector, '[0,3,2,5,4,7,6,9,8]');
SELECT '[0,0]'::vector <+> '[3,4]';

-- The SIMD kernels on every length 1..100 and on long vectors agree exactly with a
-- float8 computation, on values whose sums are exact in float.
CREATE TABLE pairs AS
SELECT n, array_agg(((i * 7 + n) % 21 - 10)::float8 ORDER BY i) AS a,
          array_agg(((i * 5 + 2 * n) % 17 - 8)::float8 ORDER BY i) AS b
FROM (SELECT n, i FROM generate_series(1, 100) n, generate_series(1, n) i
      UNION ALL SELECT n, i FROM (VALUES (784), (1536), (16000)) v(n), generate_series(1, n) i) s
GROUP BY n;
SELECT count(*) AS lengths,
       bool_and(l2_distance(a::vector, b::vector) = sqrt(l2sq)) AS l2,
       bool_and(vector_l2_squared_distance(a::vector, b::vector) = l2sq) AS l2_squared,
       bool_and(inner_product(a::vector, b::vector) = ip) AS ip,
       bool_and(a::vector <#> b::vector = -ip) AS negative_ip,
       bool_and(l1_distance(a::vector, b::vector) = l1) AS l1,
       bool_and(abs(cosine_distance(a::vector, b::vector) - (1 - ip / sqrt(na * nb))) < 1e-12) AS cosine,
       bool_and(vector_norm(a::vector) = sqrt(na)) AS norm
FROM (SELECT n, a, b,
             (SELECT sum((x - y) ^ 2) FROM unnest(a, b) u(x, y)) AS l2sq,
             (SELECT sum(x * y) FROM unnest(a, b) u(x, y)) AS ip,
             (SELECT sum(abs(x - y)) FROM unnest(a, b) u(x, y)) AS l1,
             (SELECT sum(x * x) FROM unnest(a) u(x)) AS na,
             (SELECT sum(y * y) FROM unnest(b) u(y)) AS nb
      FROM pairs) s;
DROP TABLE pairs;

-- Operators are declared as pgvector declares them.
-- (oprcode by name: regproc would qualify the names that halfvec overloads.)
SELECT oprname, oprleft::regtype, oprright::regtype, oprresult::regtype,
       (SELECT proname FROM pg_proc WHERE oid = oprcode) AS oprcode,
       oprcom::regoperator AS commutator, oprnegate::regoperator AS negator,
       oprrest, oprjoin
FROM pg_operator WHERE oprleft = 'vector'::regtype ORDER BY oprname;
-- Functions: all immutable, strict, parallel safe, with vecrbac_ symbols (the halfvec
-- and sparsevec overloads of the same names are checked in their own tests).
SELECT count(*) AS functions,
       bool_and(provolatile = 'i') AS immutable, bool_and(proisstrict) AS strict,
       bool_and(proparallel = 's') AS parallel_safe, bool_and(prosrc = 'vecrbac_' || proname) AS symbols
FROM pg_proc
WHERE pronamespace = 'public'::regnamespace AND prokind = 'f' AND proname IN (
    'vector_in', 'vector_out', 'vector_typmod_in', 'vector_recv', 'vector_send',
    'l2_distance', 'inner_product', 'cosine_distance', 'l1_distance', 'vector_dims',
    'vector_norm', 'l2_normalize', 'binary_quantize', 'subvector', 'vector_add', 'vector_sub',
    'vector_mul', 'vector_concat', 'vector_lt', 'vector_le', 'vector_eq', 'vector_ne',
    'vector_ge', 'vector_gt', 'vector_cmp', 'vector_l2_squared_distance',
    'vector_negative_inner_product', 'vector_spherical_distance', 'vector_accum', 'vector_avg',
    'vector_combine', 'vector', 'array_to_vector', 'vector_to_float4')
  AND NOT proargtypes::oid[] && ARRAY['halfvec'::regtype, 'sparsevec'::regtype]::oid[]
  AND prorettype NOT IN ('halfvec'::regtype, 'sparsevec'::regtype);

-- ---- norms --------------------------------------------------------------------------
SELECT vector_dims('[1,2,3]'::vector);
SELECT round(vector_norm('[1,1]')::numeric, 5);
SELECT vector_norm('[3,4]');
SELECT vector_norm('[0,1]');
SELECT vector_norm('[3e37,4e37]')::real;
SELECT vector_norm('[0,0]');
SELECT vector_norm('[2]');

SELECT l2_normalize('[3,4]'::vector);
SELECT l2_normalize('[3,0]'::vector);
SELECT l2_normalize('[0,0.1]'::vector);
SELECT l2_normalize('[0,0]'::vector);
SELECT l2_normalize('[3e38]'::vector);
SELECT l2_normalize('[1e-45]'::vector);
SELECT round(vector_norm(l2_normalize('[1,2,3,4,5,6,7,8,9,10]'::vector))::numeric, 6);

-- ---- arithmetic ---------------------------------------------------------------------
SELECT '[1,2,3]'::vector + '[4,5,6]';
SELECT '[3e38]'::vector + '[3e38]';
\echo :LAST_ERROR_SQLSTATE
SELECT '[1,2,3]'::vector - '[4,5,6]';
SELECT '[-3e38]'::vector - '[3e38]';
\echo :LAST_ERROR_SQLSTATE
SELECT '[1,2,3]'::vector * '[4,5,6]';
SELECT '[1e37]'::vector * '[1e37]';
\echo :LAST_ERROR_SQLSTATE
SELECT '[1e-37]'::vector * '[1e-37]';
\echo :LAST_ERROR_SQLSTATE
SELECT '[0,-1]'::vector * '[1e-37,0]' AS zero_factors_are_not_underflow;
SELECT '[1,2,3]'::vector || '[4,5]';
SELECT '[1]'::vector || '[2]' || '[3]';
SELECT vector_dims(array_fill(0, ARRAY[15999])::vector || '[1]');
SELECT array_fill(0, ARRAY[16000])::vector || '[1]';
\echo :LAST_ERROR_SQLSTATE

-- ---- binary_quantize --------------------------------------------------------------
SELECT binary_quantize('[1,0,-1]'::vector);
SELECT binary_quantize('[0,0.1,-0.2,-0.3,0.4,0.5,0.6,-0.7,0.8,-0.9,1]'::vector);
SELECT binary_quantize('[1,2,3,-4,5,6,-7,8,1,-2,-3,4,5,-6,7,8,-1,2,3]'::vector);
SELECT binary_quantize('[1,1,1,1,1,1,1,1]'::vector), binary_quantize('[-0]'::vector);
SELECT pg_typeof(binary_quantize('[1]'::vector)), length(binary_quantize(array_fill(1, ARRAY[16000])::vector));
SELECT bit_count(binary_quantize(array_fill(1, ARRAY[16000])::vector));

-- ---- subvector ------------------------------------------------------------------
SELECT subvector('[1,2,3,4,5]'::vector, 1, 3);
SELECT subvector('[1,2,3,4,5]'::vector, 3, 2);
SELECT subvector('[1,2,3,4,5]'::vector, -1, 3);
SELECT subvector('[1,2,3,4,5]'::vector, 3, 9);
SELECT subvector('[1,2,3,4,5]'::vector, 5, 1);
SELECT subvector('[1,2,3,4,5]'::vector, 6, 1);
\echo :LAST_ERROR_SQLSTATE
SELECT subvector('[1,2,3,4,5]'::vector, 1, 0);
\echo :LAST_ERROR_SQLSTATE
SELECT subvector('[1,2,3,4,5]'::vector, 3, -1);
\echo :LAST_ERROR_SQLSTATE
SELECT subvector('[1,2,3,4,5]'::vector, -1, 2);
\echo :LAST_ERROR_SQLSTATE
SELECT subvector('[1,2,3,4,5]'::vector, 2147483647, 10);
\echo :LAST_ERROR_SQLSTATE
SELECT subvector('[1,2,3,4,5]'::vector, 3, 2147483647);
SELECT subvector('[1,2,3,4,5]'::vector, -2147483644, 2147483647);
SELECT subvector('[1,2,3,4,5]'::vector, -2147483648, 1);
\echo :LAST_ERROR_SQLSTATE
SELECT subvector('[1,2,3,4,5]'::vector, -2147483648, 2147483647);
\echo :LAST_ERROR_SQLSTATE

-- ---- NULL in, NULL out (strict) ------------------------------------------------------
SELECT NULL::vector <-> '[1]', l2_normalize(NULL::vector), subvector('[1]'::vector, NULL, 1), '[1]'::vector + NULL;

-- ---- nearest neighbours without an index -------------------------------------------
CREATE TABLE items (id int PRIMARY KEY, embedding vector(3));
INSERT INTO items VALUES (1, '[1,1,1]'), (2, '[2,2,2]'), (3, '[1,1,2]'), (4, '[-1,-1,-1]'), (5, NULL);
SELECT id, embedding <-> '[1,1,1]' AS l2 FROM items ORDER BY embedding <-> '[1,1,1]' LIMIT 3;
SELECT id FROM items ORDER BY embedding <#> '[1,1,1]' LIMIT 3;
SELECT id FROM items ORDER BY embedding <=> '[1,1,1]', id LIMIT 3;
SELECT id FROM items ORDER BY embedding <+> '[1,1,1]' LIMIT 3;
SELECT id FROM items WHERE embedding <-> '[1,1,1]' < 1.5 ORDER BY id;
DROP TABLE items;

DROP EXTENSION vecrbac;

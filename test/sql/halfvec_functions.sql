-- halfvec operators and functions: distances (with the F16C kernels on every length),
-- norms, element-wise arithmetic with half-precision overflow and underflow,
-- concatenation, subvector, binary quantization, dimension mismatches, and the
-- catalog entries, as pgvector declares them.
CREATE EXTENSION vecrbac;

-- ---- distances ------------------------------------------------------------------
SELECT l2_distance('[0,0]'::halfvec, '[3,4]');
SELECT l2_distance('[1,1,1,1,1,1,1,1,1]'::halfvec, '[1,1,1,1,1,1,1,4,5]');
SELECT l2_distance('[65504]'::halfvec, '[-65504]') AS beyond_half_range_is_fine;
SELECT '[0,0]'::halfvec <-> '[3,4]';
SELECT halfvec_l2_squared_distance('[0,0]'::halfvec, '[3,4]');

SELECT inner_product('[1,2]'::halfvec, '[3,4]');
SELECT inner_product('[65504]'::halfvec, '[65504]');
SELECT '[1,2]'::halfvec <#> '[3,4]';
SELECT halfvec_negative_inner_product('[1,2]'::halfvec, '[3,4]');

SELECT cosine_distance('[1,2]'::halfvec, '[2,4]');
SELECT cosine_distance('[1,2]'::halfvec, '[0,0]');
SELECT cosine_distance('[1,1]'::halfvec, '[-1,-1]');
SELECT cosine_distance('[1,0]'::halfvec, '[0,2]');
SELECT cosine_distance('[1,1]'::halfvec, '[1.1,1.1]');
SELECT cosine_distance('[65504]'::halfvec, '[65504]');
SELECT '[1,2]'::halfvec <=> '[2,4]';

SELECT round(halfvec_spherical_distance('[1,0]'::halfvec, '[0,1]')::numeric, 6);
SELECT halfvec_spherical_distance('[2,0]'::halfvec, '[2,0]'), halfvec_spherical_distance('[2,0]'::halfvec, '[-2,0]');

SELECT l1_distance('[0,0]'::halfvec, '[3,4]');
SELECT l1_distance('[1,2,3,4,5,6,7,8,9]'::halfvec, '[0,3,2,5,4,7,6,9,8]');
SELECT '[0,0]'::halfvec <+> '[3,4]';

-- The kernels on every length 1..100 and on long vectors agree exactly with a float8
-- computation, on small integers (exact in half precision, sums exact in float).
CREATE TABLE pairs AS
SELECT n, array_agg(((i * 7 + n) % 21 - 10)::float8 ORDER BY i) AS a,
          array_agg(((i * 5 + 2 * n) % 17 - 8)::float8 ORDER BY i) AS b
FROM (SELECT n, i FROM generate_series(1, 100) n, generate_series(1, n) i
      UNION ALL SELECT n, i FROM (VALUES (768), (1536), (3072), (16000)) v(n), generate_series(1, n) i) s
GROUP BY n;
SELECT count(*) AS lengths,
       bool_and(l2_distance(a::halfvec, b::halfvec) = sqrt(l2sq)) AS l2,
       bool_and(halfvec_l2_squared_distance(a::halfvec, b::halfvec) = l2sq) AS l2_squared,
       bool_and(inner_product(a::halfvec, b::halfvec) = ip) AS ip,
       bool_and(a::halfvec <#> b::halfvec = -ip) AS negative_ip,
       bool_and(l1_distance(a::halfvec, b::halfvec) = l1) AS l1,
       bool_and(abs(cosine_distance(a::halfvec, b::halfvec) - (1 - ip / sqrt(na * nb))) < 1e-12) AS cosine,
       bool_and(l2_norm(a::halfvec) = sqrt(na)) AS norm,
       bool_and(l2_distance(a::halfvec, b::halfvec) = l2_distance(a::vector, b::vector)) AS same_as_vector
FROM (SELECT n, a, b,
             (SELECT sum((x - y) ^ 2) FROM unnest(a, b) u(x, y)) AS l2sq,
             (SELECT sum(x * y) FROM unnest(a, b) u(x, y)) AS ip,
             (SELECT sum(abs(x - y)) FROM unnest(a, b) u(x, y)) AS l1,
             (SELECT sum(x * x) FROM unnest(a) u(x)) AS na,
             (SELECT sum(y * y) FROM unnest(b) u(y)) AS nb
      FROM pairs) s;
DROP TABLE pairs;

-- ---- norms ------------------------------------------------------------------------
SELECT vector_dims('[1,2,3]'::halfvec);
SELECT l2_norm('[3,4]'::halfvec), l2_norm('[0,0]'::halfvec), round(l2_norm('[1,1]'::halfvec)::numeric, 5);
-- Accumulated in double: no overflow where a float sum of squares would.
SELECT l2_norm('[65504,65504]'::halfvec);
SELECT l2_normalize('[3,4]'::halfvec);
SELECT l2_normalize('[3,0]'::halfvec), l2_normalize('[0,0.1]'::halfvec);
SELECT l2_normalize('[0,0]'::halfvec) AS zero_stays_zero;
SELECT l2_normalize('[65504,65504]'::halfvec);
SELECT round(l2_norm(l2_normalize('[1,2,3,4,5,6,7,8,9,10]'::halfvec))::numeric, 3);

-- ---- arithmetic (in float, rounded to half once) -------------------------------------
SELECT '[1,2,3]'::halfvec + '[4,5,6]';
SELECT '[1,2,3]'::halfvec - '[4,5,6]';
SELECT '[1,2,3]'::halfvec * '[4,5,6]';
SELECT '[0.1]'::halfvec + '[0.2]' AS rounded_once;
SELECT '[65504]'::halfvec + '[-65504]', '[2048]'::halfvec + '[1]' AS tie_to_even;
SELECT '[65519]'::halfvec + '[65519]';
\echo :LAST_ERROR_SQLSTATE
SELECT '[-65519]'::halfvec - '[65519]';
\echo :LAST_ERROR_SQLSTATE
SELECT '[300]'::halfvec * '[300]';
\echo :LAST_ERROR_SQLSTATE
SELECT '[1e-4]'::halfvec * '[1e-4]';
\echo :LAST_ERROR_SQLSTATE
SELECT '[0,1e-4]'::halfvec * '[5,0]' AS zero_factor_is_no_underflow;
-- The first bad element decides between overflow and underflow.
SELECT '[1e-4,300]'::halfvec * '[1e-4,300]';
\echo :LAST_ERROR_SQLSTATE
SELECT '[300,1e-4]'::halfvec * '[300,1e-4]';
\echo :LAST_ERROR_SQLSTATE

-- ---- concatenation, subvector, binary quantization -----------------------------------
SELECT '[1,2,3]'::halfvec || '[4,5]';
SELECT vector_dims(array_fill(0, ARRAY[15999])::halfvec || '[1]');
SELECT array_fill(0, ARRAY[16000])::halfvec || '[1]';
\echo :LAST_ERROR_SQLSTATE
SELECT subvector('[1,2,3,4,5]'::halfvec, 1, 3);
SELECT subvector('[1,2,3,4,5]'::halfvec, 3, 2);
SELECT subvector('[1,2,3,4,5]'::halfvec, -1, 3);
SELECT subvector('[1,2,3,4,5]'::halfvec, 3, 9);
SELECT subvector('[1,2,3,4,5]'::halfvec, 3, 2147483647);
SELECT subvector('[1,2,3,4,5]'::halfvec, -2147483644, 2147483647);
SELECT subvector('[1,2,3,4,5]'::halfvec, 1, 0);
\echo :LAST_ERROR_SQLSTATE
SELECT subvector('[1,2,3,4,5]'::halfvec, 6, 1);
\echo :LAST_ERROR_SQLSTATE
SELECT subvector('[1,2,3,4,5]'::halfvec, 3, -1);
\echo :LAST_ERROR_SQLSTATE
SELECT binary_quantize('[1,0,-1]'::halfvec);
SELECT binary_quantize('[0,0.1,-0.2,-0.3,0.4,0.5,0.6,-0.7,0.8,-0.9,1]'::halfvec);
SELECT binary_quantize('[5.9604645e-08,-0,0]'::halfvec) AS subnormal_is_positive;
SELECT binary_quantize(array_fill(1, ARRAY[16000])::halfvec) = ~B'0'::bit(16000) AS all_ones;

-- ---- dimension mismatches ------------------------------------------------------------
SELECT '[1,2]'::halfvec <-> '[3]';
\echo :LAST_ERROR_SQLSTATE
SELECT '[1,2]'::halfvec <#> '[3]';
\echo :LAST_ERROR_SQLSTATE
SELECT '[1,2]'::halfvec <=> '[3]';
\echo :LAST_ERROR_SQLSTATE
SELECT '[1,2]'::halfvec <+> '[3]';
\echo :LAST_ERROR_SQLSTATE
SELECT '[1,2]'::halfvec + '[3]';
\echo :LAST_ERROR_SQLSTATE
SELECT '[1,2]'::halfvec - '[3]';
\echo :LAST_ERROR_SQLSTATE
SELECT '[1,2]'::halfvec * '[3]';
\echo :LAST_ERROR_SQLSTATE
SELECT halfvec_l2_squared_distance('[1,2]', '[3]');
\echo :LAST_ERROR_SQLSTATE
SELECT halfvec_negative_inner_product('[1,2]', '[3]');
\echo :LAST_ERROR_SQLSTATE
SELECT halfvec_spherical_distance('[1,2]', '[3]');
\echo :LAST_ERROR_SQLSTATE
SELECT inner_product('[1,2]'::halfvec, '[3]');
\echo :LAST_ERROR_SQLSTATE
SELECT cosine_distance('[1,2]'::halfvec, '[3]');
\echo :LAST_ERROR_SQLSTATE
SELECT l1_distance('[1,2]'::halfvec, '[3]');
\echo :LAST_ERROR_SQLSTATE

-- ---- NULL in, NULL out (strict) ------------------------------------------------------
SELECT NULL::halfvec <-> '[1]', l2_normalize(NULL::halfvec), subvector('[1]'::halfvec, NULL, 1),
       '[1]'::halfvec + NULL;

-- ---- nearest neighbours without an index -------------------------------------------
CREATE TABLE items (id int PRIMARY KEY, embedding halfvec(3));
INSERT INTO items VALUES (1, '[1,1,1]'), (2, '[2,2,2]'), (3, '[1,1,2]'), (4, '[-1,-1,-1]'), (5, NULL);
SELECT id FROM items ORDER BY embedding <-> '[1,1,1]', id LIMIT 3;
SELECT id FROM items ORDER BY embedding <#> '[1,1,1]', id LIMIT 3;
SELECT id FROM items ORDER BY embedding <=> '[1,1,1]', id LIMIT 3;
SELECT id FROM items ORDER BY embedding <+> '[1,1,1]', id LIMIT 3;
-- A vector on the other side is converted implicitly, as in pgvector.
SELECT id, embedding <-> '[1,1,1]'::vector AS l2 FROM items ORDER BY id;
DROP TABLE items;

-- ---- catalog: operators and functions as pgvector declares them --------------------
SELECT oprname, oprleft::regtype, oprright::regtype, oprresult::regtype,
       (SELECT proname FROM pg_proc WHERE oid = oprcode) AS oprcode,
       oprcom::regoperator AS commutator, oprnegate::regoperator AS negator,
       oprrest, oprjoin
FROM pg_operator WHERE oprleft = 'halfvec'::regtype ORDER BY oprname;
-- Every function taking or returning halfvec: immutable, strict, parallel safe, with a
-- vecrbac_ symbol (halfvec_combine shares vector_combine's, as in pgvector).
SELECT p.oid::regprocedure AS function, prorettype::regtype AS returns, prosrc
FROM pg_proc p
WHERE pronamespace = 'public'::regnamespace
  AND ('halfvec'::regtype = ANY (proargtypes::oid[]) OR prorettype = 'halfvec'::regtype
       OR proname = 'halfvec_combine')
  AND NOT (provolatile = 'i' AND proisstrict AND proparallel = 's' AND prokind = 'f')
ORDER BY 1::text;
SELECT count(*) AS functions,
       count(*) FILTER (WHERE prosrc = 'vecrbac_' || proname) AS named_after_themselves,
       array_agg(proname || ' -> ' || prosrc ORDER BY proname, prosrc)
         FILTER (WHERE prosrc <> 'vecrbac_' || proname) AS others
FROM pg_proc
WHERE pronamespace = 'public'::regnamespace AND prokind = 'f'
  AND ('halfvec'::regtype = ANY (proargtypes::oid[]) OR prorettype = 'halfvec'::regtype
       OR proname = 'halfvec_combine');

DROP EXTENSION vecrbac;

-- vector casts: arrays of integer, real, double precision and numeric to vector
-- (assignment casts), vector to real[] (implicit), and the length coercion.
CREATE EXTENSION vecrbac;

SELECT ARRAY[1,2,3]::vector;
SELECT ARRAY[1.0,2.0,3.0]::vector;
SELECT ARRAY[1,2,3]::float4[]::vector;
SELECT ARRAY[1,2,3]::float8[]::vector;
SELECT ARRAY[1,2,3]::numeric[]::vector;
SELECT '[1,2,3]'::vector::real[];
SELECT '{1,2,3}'::real[]::vector;
SELECT '{1,2,3}'::real[]::vector(3);
SELECT '{1,2,3}'::real[]::vector(2);
\echo :LAST_ERROR_SQLSTATE
SELECT '{NULL}'::real[]::vector;
\echo :LAST_ERROR_SQLSTATE
SELECT '{1,NULL,3}'::integer[]::vector;
\echo :LAST_ERROR_SQLSTATE
SELECT '{NaN}'::real[]::vector;
\echo :LAST_ERROR_SQLSTATE
SELECT '{Infinity}'::real[]::vector;
\echo :LAST_ERROR_SQLSTATE
SELECT '{-Infinity}'::real[]::vector;
\echo :LAST_ERROR_SQLSTATE
SELECT '{NaN}'::float8[]::vector;
\echo :LAST_ERROR_SQLSTATE
SELECT '{NaN}'::numeric[]::vector;
\echo :LAST_ERROR_SQLSTATE
SELECT '{}'::real[]::vector;
\echo :LAST_ERROR_SQLSTATE
SELECT '{}'::integer[]::vector;
\echo :LAST_ERROR_SQLSTATE
SELECT '{{1}}'::real[]::vector;
\echo :LAST_ERROR_SQLSTATE
SELECT '{{1,2},{3,4}}'::integer[]::vector;
\echo :LAST_ERROR_SQLSTATE
SELECT '{{{1}}}'::float8[]::vector;
\echo :LAST_ERROR_SQLSTATE
SELECT '{1,2,3}'::double precision[]::vector;
SELECT '{1,2,3}'::double precision[]::vector(3);
SELECT '{1,2,3}'::double precision[]::vector(2);
\echo :LAST_ERROR_SQLSTATE
-- Beyond the float range: infinity after rounding, refused as such.
SELECT '{4e38,-4e38}'::double precision[]::vector;
\echo :LAST_ERROR_SQLSTATE
SELECT '{1e-46,-1e-46}'::double precision[]::vector;
SELECT '{0.1,0.30000000000000004}'::double precision[]::vector;
-- numeric goes through numeric_float4, which has its own range error.
SELECT '{4e38}'::numeric[]::vector;
\echo :LAST_ERROR_SQLSTATE
SELECT '{1e-50}'::numeric[]::vector;
\echo :LAST_ERROR_SQLSTATE
SELECT '{1e-30, 123456789.123456789, -0.5}'::numeric[]::vector;
SELECT ARRAY[2147483647, -2147483648]::vector AS int_extremes_rounded;
-- Lower bounds other than 1 do not matter: only the elements count.
SELECT '[0:2]={1,2,3}'::integer[]::vector, '[-5:-4]={7,8}'::real[]::vector;
-- 16000 is the limit.
SELECT vector_dims(array_agg(n)::vector) FROM generate_series(1, 16000) n;
SELECT array_agg(n)::vector FROM generate_series(1, 16001) n;
\echo :LAST_ERROR_SQLSTATE
SELECT array_to_vector(array_agg(n), 16001, false) FROM generate_series(1, 16001) n;
\echo :LAST_ERROR_SQLSTATE
SELECT array_agg(n::numeric)::vector FROM generate_series(1, 16001) n;
\echo :LAST_ERROR_SQLSTATE

-- Casts as pgvector declares them.
SELECT castsource::regtype, casttarget::regtype, castfunc::regprocedure, castcontext, castmethod
FROM pg_cast WHERE castsource = 'vector'::regtype OR casttarget = 'vector'::regtype
ORDER BY castsource::regtype::text, casttarget::regtype::text;

-- Assignment casts apply on INSERT and UPDATE; the column typmod is checked.
CREATE TABLE t (id int, v vector(3));
INSERT INTO t VALUES (1, ARRAY[1,2,3]), (2, ARRAY[1.5,2.5,3.5]::numeric[]), (3, '{4,5,6}'::real[]),
                     (4, '{7,8,9}'::float8[]);
INSERT INTO t VALUES (5, ARRAY[1,2]);
\echo :LAST_ERROR_SQLSTATE
UPDATE t SET v = ARRAY[0,0,0,0] WHERE id = 1;
\echo :LAST_ERROR_SQLSTATE
UPDATE t SET v = ARRAY[0,0,0] WHERE id = 1;
SELECT * FROM t ORDER BY id;
-- vector to real[] is implicit: a vector goes where a real[] is expected.
SELECT id, v::real[], array_length(v::real[], 1), (v::real[])[2] FROM t ORDER BY id;
CREATE FUNCTION pg_temp.last_element(a real[]) RETURNS real LANGUAGE sql AS 'SELECT a[array_upper(a, 1)]';
SELECT id, pg_temp.last_element(v) FROM t ORDER BY id;
DROP TABLE t;

-- Direct calls: the typmod argument is checked too.
SELECT vector('[1,2,3]'::vector, 3, true), vector('[1,2,3]'::vector, -1, false);
SELECT vector('[1,2,3]'::vector, 4, true);
\echo :LAST_ERROR_SQLSTATE
SELECT vector_to_float4('[1.5,-2]'::vector, -1, false);
SELECT array_to_vector('{1,2}'::integer[], 3, false);
\echo :LAST_ERROR_SQLSTATE

-- Nothing else casts to vector.
SELECT '{1,2}'::bigint[]::vector;
SELECT '[1,2]'::vector::float8[];
SELECT '[1,2]'::vector::text, '[1,2]'::text::vector;

DROP EXTENSION vecrbac;

-- sparsevec casts: vector <-> sparsevec, arrays -> sparsevec, the length coercion,
-- their contexts (implicit, assignment, explicit) as pgvector's, and the refusals.
CREATE EXTENSION vecrbac;

-- The casts and their contexts (i = implicit, a = assignment).
SELECT castsource::regtype, casttarget::regtype, castcontext, castfunc::regproc
FROM pg_cast
WHERE castsource = 'sparsevec'::regtype OR casttarget = 'sparsevec'::regtype
ORDER BY 1::text, 2::text;

-- vector -> sparsevec keeps the non-zero elements; back fills in zeros.
SELECT '[0,1.5,0,3.5,0]'::vector::sparsevec AS to_sparse,
       '[0,1.5,0,3.5,0]'::vector::sparsevec(5) AS with_typmod,
       '[0,0]'::vector::sparsevec AS all_zero, '[-0]'::vector::sparsevec AS negative_zero;
SELECT '{2:1.5,4:3.5}/5'::sparsevec::vector AS to_dense, '{}/3'::sparsevec::vector AS zeros,
       '{2:1.5,4:3.5}/5'::sparsevec::vector(5) AS with_typmod;
SELECT v::sparsevec::vector = v AS round_trip
FROM (VALUES ('[0,1e-45,-3.4028235e38,0,0.1]'::vector)) t(v);
SELECT '[0,1.5,0,3.5,0]'::vector::sparsevec(4);
\echo :LAST_ERROR_SQLSTATE
SELECT '{2:1.5,4:3.5}/5'::sparsevec::vector(4);
\echo :LAST_ERROR_SQLSTATE
-- A sparsevec beyond vector's 16,000 dimensions does not fit.
SELECT '{}/16001'::sparsevec::vector;
\echo :LAST_ERROR_SQLSTATE
SELECT ('{16000:1}/16000'::sparsevec::vector)::sparsevec AS largest_dense;

-- Implicit vector -> sparsevec: a vector goes where a sparsevec is expected, and
-- into a sparsevec column; a sparsevec goes into a vector column on assignment.
SELECT sparsevec_l2_squared_distance('[3,0,4]'::vector, '{}/3') AS implicit_argument;
CREATE TABLE t (s sparsevec(3), v vector(3));
INSERT INTO t VALUES ('[1,0,2]'::vector, '{3:7}/3'::sparsevec);
SELECT * FROM t;
INSERT INTO t (s) VALUES ('[1,0]'::vector);
\echo :LAST_ERROR_SQLSTATE
DROP TABLE t;

-- Arrays of integer, numeric, real, double precision.
SELECT ARRAY[1,0,2,0,3,0]::sparsevec AS int4, ARRAY[1.0,0.0,2.5,0.0]::sparsevec AS numeric,
       '{1,0,2,0}'::real[]::sparsevec AS float4, '{0,0,0.5}'::double precision[]::sparsevec AS float8;
SELECT '{1,0,2,0,3,0}'::real[]::sparsevec(6) AS with_typmod;
SELECT '{1,0,2,0,3,0}'::real[]::sparsevec(5);
\echo :LAST_ERROR_SQLSTATE
SELECT array_agg(n)::sparsevec AS from_aggregate FROM generate_series(1, 3) n;
-- A double below the float range becomes 0 and is dropped; above it, infinity.
SELECT '{1e-46,-1e-46,1}'::double precision[]::sparsevec AS underflow_dropped;
SELECT '{4e38,-4e38}'::double precision[]::sparsevec;
\echo :LAST_ERROR_SQLSTATE
SELECT '{NaN}'::real[]::sparsevec;
SELECT '{-Infinity}'::real[]::sparsevec;
SELECT '{NULL}'::real[]::sparsevec;
\echo :LAST_ERROR_SQLSTATE
SELECT '{}'::real[]::sparsevec;
SELECT '{{1}}'::real[]::sparsevec;
-- More than 16,000 non-zero elements cannot be stored; zeros do not count.
SELECT array_agg(n)::sparsevec FROM generate_series(1, 16001) n;
\echo :LAST_ERROR_SQLSTATE
SELECT l2_norm(array_agg(CASE WHEN n % 2 = 0 THEN 1 ELSE 0 END)::sparsevec) ^ 2 AS nnz_16000
FROM generate_series(1, 32000) n;

-- The length coercion checks, never pads or truncates.
SELECT '{1:1}/3'::sparsevec::sparsevec(3) AS same;
SELECT '{1:1}/3'::sparsevec::sparsevec(4);
\echo :LAST_ERROR_SQLSTATE

DROP EXTENSION vecrbac;

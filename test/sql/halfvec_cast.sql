-- halfvec casts: to and from vector, real[], double precision[], numeric[] and
-- integer[], with pgvector's contexts (vector -> halfvec implicit, the rest
-- assignment), its rounding, its out-of-range and non-finite rules, and the typmod.
CREATE EXTENSION vecrbac;

-- vector <-> halfvec.
SELECT '[1,2,3]'::vector::halfvec;
SELECT '[0.1,1.23456,-1e-8,65519]'::vector::halfvec AS rounded;
SELECT '[1,2,3]'::halfvec::vector;
SELECT '[0.1]'::halfvec::vector AS exact_widening;
SELECT '[1,2,3]'::vector::halfvec(3);
SELECT '[1,2,3]'::vector::halfvec(2);
\echo :LAST_ERROR_SQLSTATE
SELECT '[1,2,3]'::halfvec::vector(2);
\echo :LAST_ERROR_SQLSTATE
SELECT '[65520]'::vector::halfvec;
\echo :LAST_ERROR_SQLSTATE
SELECT '[1,-1e10]'::vector::halfvec;
\echo :LAST_ERROR_SQLSTATE
SELECT array_fill(1, ARRAY[16000])::vector::halfvec::vector = array_fill(1, ARRAY[16000])::vector AS round_trip_16000;

-- Arrays to halfvec.
SELECT '{1,2,3}'::real[]::halfvec;
SELECT '{1,2,3}'::double precision[]::halfvec;
SELECT '{1,2,3}'::numeric[]::halfvec;
SELECT '{1,2,3}'::integer[]::halfvec;
SELECT '{0.1,-1.23456}'::real[]::halfvec, '{0.1,-1.23456}'::double precision[]::halfvec,
       '{0.1,-1.23456}'::numeric[]::halfvec;
SELECT '{2049,-65504}'::integer[]::halfvec AS rounded_integers;
SELECT ARRAY[1, 2, 3]::halfvec(3);
SELECT ARRAY[1, 2, 3]::halfvec(2);
\echo :LAST_ERROR_SQLSTATE
SELECT '{{1,2},{3,4}}'::real[]::halfvec;
\echo :LAST_ERROR_SQLSTATE
SELECT '{1,NULL,3}'::real[]::halfvec;
\echo :LAST_ERROR_SQLSTATE
SELECT '{}'::real[]::halfvec;
\echo :LAST_ERROR_SQLSTATE
SELECT array_fill(1, ARRAY[16001])::halfvec;
\echo :LAST_ERROR_SQLSTATE
-- Beyond half range: out of range, printed as the float it became.
SELECT '{65520}'::real[]::halfvec;
\echo :LAST_ERROR_SQLSTATE
SELECT '{1e10}'::double precision[]::halfvec;
\echo :LAST_ERROR_SQLSTATE
SELECT '{100000}'::integer[]::halfvec;
\echo :LAST_ERROR_SQLSTATE
SELECT '{-70000.5}'::numeric[]::halfvec;
\echo :LAST_ERROR_SQLSTATE
-- Beyond float range: a double becomes infinite once narrowed to float, and is refused
-- as such; a numeric is refused by PostgreSQL's numeric to real conversion (as pgvector).
SELECT '{1e300}'::double precision[]::halfvec;
\echo :LAST_ERROR_SQLSTATE
SELECT '{1e39}'::numeric[]::halfvec;
\echo :LAST_ERROR_SQLSTATE
SELECT '{NaN}'::real[]::halfvec;
\echo :LAST_ERROR_SQLSTATE
SELECT '{-Infinity}'::double precision[]::halfvec;
\echo :LAST_ERROR_SQLSTATE
-- The conversion errors come before the non-finite check, element order aside.
SELECT '{NaN,1e10}'::double precision[]::halfvec;
\echo :LAST_ERROR_SQLSTATE

-- halfvec to real[].
SELECT '[1,2,3]'::halfvec::real[];
SELECT '[0.1,-0,65504]'::halfvec::real[];

-- The casts as pgvector declares them.
SELECT castsource::regtype, casttarget::regtype, castfunc::regprocedure, castcontext, castmethod
FROM pg_cast
WHERE castsource = 'halfvec'::regtype OR casttarget = 'halfvec'::regtype
ORDER BY castsource::regtype::text, casttarget::regtype::text;

-- Contexts in use: assignment casts on INSERT and UPDATE, the implicit vector ->
-- halfvec in expressions; halfvec -> vector and halfvec -> real[] are not implicit.
CREATE TABLE t (id int, h halfvec(3), v vector(3), r real[]);
INSERT INTO t (id, h) VALUES (1, '{1,2,3}'::real[]), (2, ARRAY[4, 5, 6]), (3, '[7,8,9]'::vector);
UPDATE t SET v = h, r = h;
SELECT * FROM t ORDER BY id;
INSERT INTO t (id, h) VALUES (4, '{1,2}'::real[]);
\echo :LAST_ERROR_SQLSTATE
SELECT h FROM t WHERE h = '[1,2,3]'::vector;
SELECT l2_distance(v, '[1,2,3]'::halfvec) FROM t WHERE id = 1;
SELECT vector_norm(h) FROM t WHERE id = 1;
\echo :LAST_ERROR_SQLSTATE
SELECT array_length(h, 1) FROM t WHERE id = 1;
\echo :LAST_ERROR_SQLSTATE
DROP TABLE t;

DROP EXTENSION vecrbac;

-- sparsevec text input and output: the "{index:value,...}/dim" form with 1-based
-- indices, whitespace, zero values dropped, elements sorted, the type modifier, and
-- every refusal with pgvector's message and SQLSTATE.
CREATE EXTENSION vecrbac;

-- Output is canonical: sorted, no zeros, shortest round-trip decimals.
SELECT '{1:1.5,3:3.5}/5'::sparsevec AS plain,
       '{1:-2,3:-4}/5'::sparsevec AS negative,
       '{1:2.,3:4.}/5'::sparsevec AS trailing_dot;
SELECT ' {  1 : 1.5 ,	3:3.5 }  /  5  '::sparsevec AS whitespace;
SELECT '{3:3,1:1,2:2}/3'::sparsevec AS sorted,
       '{1:0,2:1,3:0}/3'::sparsevec AS zeros_dropped,
       '{1:-0}/1'::sparsevec AS negative_zero_dropped;
SELECT '{}/5'::sparsevec AS empty, '{ }/1'::sparsevec AS empty_spaces;
SELECT '{1:1.23456789}/1'::sparsevec AS rounded, '{1:0.1}/1'::sparsevec AS shortest,
       '{1:+7,2:1e3}/2'::sparsevec AS signs_and_exponents;
SELECT '{1:1.5e38,2:-1.5e38}/2'::sparsevec AS large, '{1:1.5e-38,2:-1e-45}/2'::sparsevec AS tiny;
SELECT '{1000000000:1}/1000000000'::sparsevec AS largest_dim;
SELECT '{+1:1}/+2'::sparsevec AS plus_signs;

-- The text form reads back to the same value, byte for byte.
SELECT s::text::sparsevec = s AS round_trip, sparsevec_send(s::text::sparsevec) = sparsevec_send(s) AS same_bytes
FROM (VALUES ('{1:0.1,7:-3.4028235e38,9:1e-45}/10'::sparsevec)) v(s);

-- 16000 non-zero elements are accepted; the separators alone decide the limit.
SELECT length(s::text) AS chars, l2_norm(s)^2 AS norm_squared
FROM (SELECT ('{' || string_agg(i || ':1', ',') || '}/16000')::sparsevec AS s
      FROM generate_series(1, 16000) i) v;
SELECT ('{' || string_agg(i || ':1', ',') || '}/16001')::sparsevec FROM generate_series(1, 16001) i;
\echo :LAST_ERROR_SQLSTATE
SELECT ('{' || repeat(',', 16000) || '}/1')::sparsevec;
\echo :LAST_ERROR_SQLSTATE

-- Malformed text (22P02), each with pgvector's detail where it gives one.
SELECT ''::sparsevec;
\echo :LAST_ERROR_SQLSTATE
SELECT '[1,2]'::sparsevec;
SELECT '{'::sparsevec;
SELECT '{ '::sparsevec;
SELECT '{:'::sparsevec;
SELECT '{,'::sparsevec;
SELECT '{}'::sparsevec;
SELECT '{}/'::sparsevec;
SELECT '{}/1a'::sparsevec;
SELECT '{}/1 }'::sparsevec;
SELECT '{:}/1'::sparsevec;
SELECT '{,}/1'::sparsevec;
SELECT '{1,}/1'::sparsevec;
SELECT '{:1}/1'::sparsevec;
SELECT '{1:}/1'::sparsevec;
SELECT '{1a:1}/1'::sparsevec;
SELECT '{1:1a}/1'::sparsevec;
SELECT '{1:1,}/1'::sparsevec;
SELECT '{1:hello,2:1}/2'::sparsevec;
SELECT '{1:1}/2 junk'::sparsevec;
\echo :LAST_ERROR_SQLSTATE

-- Values: NaN and infinities (22000), out of float range (22003, overflow and
-- underflow to zero alike, as float4in).
SELECT '{1:NaN,2:1}/2'::sparsevec;
\echo :LAST_ERROR_SQLSTATE
SELECT '{1:Infinity,2:1}/2'::sparsevec;
SELECT '{1:-inf}/2'::sparsevec;
SELECT '{1:4e38,2:1}/2'::sparsevec;
\echo :LAST_ERROR_SQLSTATE
SELECT '{1:-4e38}/2'::sparsevec;
SELECT '{1: 1e-46,2:1}/2'::sparsevec;
\echo :LAST_ERROR_SQLSTATE
-- The first problem from the left wins: a bad value before a syntax error.
SELECT '{1:NaN,2:x}/2'::sparsevec;

-- Dimensions (22000; more than 1e9 is 54000), then indices, in that order.
SELECT '{}/0'::sparsevec;
\echo :LAST_ERROR_SQLSTATE
SELECT '{}/-1'::sparsevec;
SELECT '{}/1000000001'::sparsevec;
\echo :LAST_ERROR_SQLSTATE
SELECT '{}/2147483648'::sparsevec;
SELECT '{}/-2147483649'::sparsevec;
SELECT '{}/9223372036854775808'::sparsevec;
SELECT '{2147483647:1}/1'::sparsevec;
\echo :LAST_ERROR_SQLSTATE
SELECT '{2147483648:1}/1'::sparsevec;
SELECT '{-2147483649:1}/1'::sparsevec;
SELECT '{0:1}/1'::sparsevec;
SELECT '{2:1}/1'::sparsevec;
SELECT '{1:1,1:2}/2'::sparsevec;
\echo :LAST_ERROR_SQLSTATE
SELECT '{2:1,1:1,2:3}/2'::sparsevec;
-- A duplicate that is zero was never stored, so it is no duplicate.
SELECT '{1:1,1:0}/2'::sparsevec AS zero_duplicate;
-- Dimensions are checked before indices: a bad dimension hides a bad index.
SELECT '{5:1}/0'::sparsevec;

-- The type modifier: sparsevec(n) accepts exactly n dimensions.
SELECT '{}/3'::sparsevec(3) AS typmod_ok;
SELECT '{}/3'::sparsevec(2);
\echo :LAST_ERROR_SQLSTATE
SELECT '{}/3'::sparsevec(3, 2);
\echo :LAST_ERROR_SQLSTATE
SELECT '{}/3'::sparsevec('a');
SELECT '{}/3'::sparsevec(0);
SELECT '{}/3'::sparsevec(1000000001);
SELECT '{}/1000000000'::sparsevec(1000000000) AS typmod_largest;
CREATE TABLE t (s sparsevec(3));
INSERT INTO t VALUES ('{1:1}/3');
INSERT INTO t VALUES ('{1:1}/4');
\echo :LAST_ERROR_SQLSTATE
SELECT format_type(atttypid, atttypmod) FROM pg_attribute WHERE attrelid = 't'::regclass AND attname = 's';
SELECT * FROM t;
DROP TABLE t;

-- NULL in, NULL out; the backend survived every error above.
SELECT NULL::sparsevec IS NULL AS null_ok;

DROP EXTENSION vecrbac;

-- halfvec text input and output: vector's literal syntax, rounding to half precision
-- (nearest, ties to even), pgvector's out-of-range rule, output as the shortest
-- decimal of each element's float value, type modifiers, and every malformed
-- literal refused with pgvector's message and SQLSTATE.
CREATE EXTENSION vecrbac;

-- Accepted forms.
SELECT '[1,2,3]'::halfvec;
SELECT '[-1,-2,-3]'::halfvec;
SELECT '[1.,2.,3.]'::halfvec;
SELECT ' [ 1,  2 ,    3  ] '::halfvec;
SELECT (E'\t[\n1,\r2\f,' || chr(11) || E'3]\n')::halfvec AS all_six_whitespace_characters;
SELECT '[+1,-0,0]'::halfvec;
SELECT '[.5,5.,1e2,1E-2,+1.5e+3]'::halfvec;
SELECT '[0x10]'::halfvec AS hex_as_strtof_reads_it;

-- Rounding to half precision: 11 significant bits, so the printed value is the
-- half's exact value (as a float prints).
SELECT '[1.23456]'::halfvec;
SELECT '[0.1,0.2,0.3]'::halfvec;
SELECT '[2049,2051,4098]'::halfvec AS ties_to_even;
SELECT '[65504,-65504,65519,-65519.9]'::halfvec AS largest_finite;
SELECT '[6.1035156e-05,5.9604645e-08,-5.9604645e-08]'::halfvec AS smallest_normal_and_subnormal;
-- Below half the smallest subnormal rounds to a signed zero; below float's range too.
SELECT '[2.9802322e-08,2.9802326e-08,1e-8,-1e-8]'::halfvec AS tie_to_zero_and_just_above;
SELECT '[1e-46,-1e-46,1]'::halfvec;
-- Every half prints as a decimal that reads back to the same half.
SELECT count(*) AS halves, bool_and(h::text::halfvec = h) AS round_trip
FROM (SELECT format('[%s]', (x / 64.0)::real)::halfvec AS h FROM generate_series(-65000, 65000, 7) x) s;

-- Out of range: beyond the half range (|x| >= 65520 after rounding) or float's.
SELECT '[65520]'::halfvec;
\echo :LAST_ERROR_SQLSTATE
SELECT '[1,-65520]'::halfvec;
\echo :LAST_ERROR_SQLSTATE
SELECT '[1e5]'::halfvec;
\echo :LAST_ERROR_SQLSTATE
SELECT '[4e38,1]'::halfvec;
\echo :LAST_ERROR_SQLSTATE
SELECT '[-1e39]'::halfvec;
\echo :LAST_ERROR_SQLSTATE

-- Non-finite elements.
SELECT '[NaN,1]'::halfvec;
\echo :LAST_ERROR_SQLSTATE
SELECT '[Infinity,1]'::halfvec;
\echo :LAST_ERROR_SQLSTATE
SELECT '[1,-inf]'::halfvec;
\echo :LAST_ERROR_SQLSTATE

-- Malformed literals.
SELECT '[hello,1]'::halfvec;
\echo :LAST_ERROR_SQLSTATE
SELECT '[1,2,3'::halfvec;
\echo :LAST_ERROR_SQLSTATE
SELECT '[1,2,3]9'::halfvec;
\echo :LAST_ERROR_SQLSTATE
SELECT '1,2,3'::halfvec;
\echo :LAST_ERROR_SQLSTATE
SELECT ''::halfvec;
\echo :LAST_ERROR_SQLSTATE
SELECT '['::halfvec;
\echo :LAST_ERROR_SQLSTATE
SELECT '[,]'::halfvec;
\echo :LAST_ERROR_SQLSTATE
SELECT '[1,]'::halfvec;
\echo :LAST_ERROR_SQLSTATE
SELECT '[1a]'::halfvec;
\echo :LAST_ERROR_SQLSTATE
SELECT '[1, ,3]'::halfvec;
\echo :LAST_ERROR_SQLSTATE
SELECT '[1 2]'::halfvec;
\echo :LAST_ERROR_SQLSTATE
SELECT '[]'::halfvec;
\echo :LAST_ERROR_SQLSTATE
SELECT '[ ]'::halfvec;
\echo :LAST_ERROR_SQLSTATE

-- Dimensions: 16000 at most.
SELECT vector_dims(('[' || repeat('1,', 15999) || '1]')::halfvec) AS max_dims;
SELECT ('[' || repeat('1,', 16000) || '1]')::halfvec;
\echo :LAST_ERROR_SQLSTATE

-- Type modifier.
SELECT '[1,2,3]'::halfvec(3);
SELECT '[1,2,3]'::halfvec(2);
\echo :LAST_ERROR_SQLSTATE
SELECT '[1,2,3]'::halfvec(3, 2);
\echo :LAST_ERROR_SQLSTATE
SELECT '[1,2,3]'::halfvec('a');
\echo :LAST_ERROR_SQLSTATE
SELECT '[1,2,3]'::halfvec(0);
\echo :LAST_ERROR_SQLSTATE
SELECT '[1,2,3]'::halfvec(16001);
\echo :LAST_ERROR_SQLSTATE
SELECT NULL::halfvec(16000) IS NULL AS max_typmod_ok;
SELECT format_type('halfvec'::regtype, 3), format_type('halfvec'::regtype, -1);
CREATE TABLE typmod_t (a halfvec(3), b halfvec);
SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute
WHERE attrelid = 'typmod_t'::regclass AND attnum > 0 ORDER BY attnum;
INSERT INTO typmod_t VALUES ('[1,2,3]', '[1]');
INSERT INTO typmod_t (a) VALUES ('[1,2]');
\echo :LAST_ERROR_SQLSTATE
UPDATE typmod_t SET a = b;
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM typmod_t;
SELECT unnest('{"[1,2,3]", "[4,5,6]"}'::halfvec[]);
SELECT '{"[1,2,3]"}'::halfvec(2)[];
\echo :LAST_ERROR_SQLSTATE
DROP TABLE typmod_t;

-- Storage: 8 bytes of header, 2 per element, never compressed (STORAGE external).
SELECT pg_column_size('[1,2,3]'::halfvec) AS three_dims,
       pg_column_size(array_fill(1, ARRAY[1000])::halfvec) AS thousand_dims;
SELECT typstorage, typalign, typlen FROM pg_type WHERE typname = 'halfvec';

DROP EXTENSION vecrbac;

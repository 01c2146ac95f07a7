-- vector text input and output: pgvector's accepted forms, its shortest round-trip
-- output, type modifiers, and every malformed literal refused with pgvector's
-- message and SQLSTATE.
CREATE EXTENSION vecrbac;

-- Accepted forms.
SELECT '[1,2,3]'::vector;
SELECT '[-1,-2,-3]'::vector;
SELECT '[1.,2.,3.]'::vector;
SELECT ' [ 1,  2 ,    3  ] '::vector;
SELECT (E'\t[\n1,\r2\f,' || chr(11) || E'3]\n')::vector AS all_six_whitespace_characters;
SELECT '[1.23456]'::vector;
SELECT '[+1,-0,0]'::vector;
SELECT '[.5,5.,1e2,1E-2,+1.5e+3]'::vector;
SELECT '[0x10]'::vector AS hex_as_strtof_reads_it;

-- Output is the shortest decimal that reads back to the same float (like real).
SELECT '[0.1,0.2,0.3]'::vector;
SELECT '[3.14159265358979]'::vector;
SELECT '[1e-7,123456789,1.5e38,-1.5e-38]'::vector;
SELECT '[16777217]'::vector AS rounded_to_float;
SELECT '[1.5e38,-1.5e38]'::vector;
SELECT '[1.5e+38,-1.5e+38]'::vector;
SELECT '[1.5e-38,-1.5e-38]'::vector;
SELECT '[3.4028235e38,1.4e-45]'::vector AS extremes;
-- Underflow to zero (or a subnormal) is accepted, like real.
SELECT '[1e-46,1]'::vector;
SELECT '[-1e-46,1]'::vector;
-- Every printed value reads back identically.
SELECT v::text::vector = v AS round_trip
FROM (SELECT '[0.1,1e-45,3.4028235e38,-2.5,1234.5677]'::vector AS v) s;
SELECT bool_and(format('[%s]', x)::vector::text::vector = format('[%s]', x)::vector) AS round_trip_many
FROM (SELECT (random() * 2e6 - 1e6)::real / 997 AS x FROM generate_series(1, 2000)) s;

-- Type modifier.
SELECT '[1,2,3]'::vector(3);
SELECT '[1,2,3]'::vector(2);
\echo :LAST_ERROR_SQLSTATE
SELECT '[1,2,3]'::vector(3, 2);
\echo :LAST_ERROR_SQLSTATE
SELECT '[1,2,3]'::vector('a');
\echo :LAST_ERROR_SQLSTATE
SELECT '[1,2,3]'::vector(0);
\echo :LAST_ERROR_SQLSTATE
SELECT '[1,2,3]'::vector(-1);
\echo :LAST_ERROR_SQLSTATE
SELECT '[1,2,3]'::vector(16001);
\echo :LAST_ERROR_SQLSTATE
SELECT NULL::vector(16000) IS NULL AS max_typmod_ok;
SELECT format_type('vector'::regtype, 3), format_type('vector'::regtype, -1);
CREATE TABLE typmod_t (a vector(3), b vector, c vector(16000));
SELECT attname, format_type(atttypid, atttypmod) FROM pg_attribute
WHERE attrelid = 'typmod_t'::regclass AND attnum > 0 ORDER BY attnum;
INSERT INTO typmod_t (a, b) VALUES ('[1,2,3]', '[1]');
INSERT INTO typmod_t (a) VALUES ('[1,2]');
\echo :LAST_ERROR_SQLSTATE
INSERT INTO typmod_t (a) VALUES ('[1,2,3]'::vector(3) || '[4]');
\echo :LAST_ERROR_SQLSTATE
UPDATE typmod_t SET a = b;
\echo :LAST_ERROR_SQLSTATE
SELECT * FROM typmod_t;
DROP TABLE typmod_t;
-- Arrays of vectors: the typmod applies to each element.
SELECT unnest('{"[1,2,3]", "[4,5,6]"}'::vector[]);
SELECT '{"[1,2,3]"}'::vector(2)[];
\echo :LAST_ERROR_SQLSTATE

-- Non-finite and out-of-range elements.
SELECT '[NaN,1]'::vector;
\echo :LAST_ERROR_SQLSTATE
SELECT '[nan,1]'::vector;
\echo :LAST_ERROR_SQLSTATE
SELECT '[Infinity,1]'::vector;
\echo :LAST_ERROR_SQLSTATE
SELECT '[-Infinity,1]'::vector;
\echo :LAST_ERROR_SQLSTATE
SELECT '[inf]'::vector;
\echo :LAST_ERROR_SQLSTATE
SELECT '[-inf]'::vector;
\echo :LAST_ERROR_SQLSTATE
SELECT '[4e38,1]'::vector;
\echo :LAST_ERROR_SQLSTATE
SELECT '[-4e38,1]'::vector;
\echo :LAST_ERROR_SQLSTATE
SELECT '[1, 1e39]'::vector;
\echo :LAST_ERROR_SQLSTATE
SELECT '[1e400]'::vector;
\echo :LAST_ERROR_SQLSTATE

-- Malformed literals.
SELECT '[hello,1]'::vector;
\echo :LAST_ERROR_SQLSTATE
SELECT '[1,2,3'::vector;
\echo :LAST_ERROR_SQLSTATE
SELECT '[1,2,3]9'::vector;
\echo :LAST_ERROR_SQLSTATE
SELECT '[1,2,3] ]'::vector;
\echo :LAST_ERROR_SQLSTATE
SELECT '[1,2,3][4]'::vector;
\echo :LAST_ERROR_SQLSTATE
SELECT '1,2,3'::vector;
\echo :LAST_ERROR_SQLSTATE
SELECT '{1,2,3}'::vector;
\echo :LAST_ERROR_SQLSTATE
SELECT '(1,2,3)'::vector;
\echo :LAST_ERROR_SQLSTATE
SELECT ''::vector;
\echo :LAST_ERROR_SQLSTATE
SELECT '   '::vector;
\echo :LAST_ERROR_SQLSTATE
SELECT '['::vector;
\echo :LAST_ERROR_SQLSTATE
SELECT '[ '::vector;
\echo :LAST_ERROR_SQLSTATE
SELECT ']'::vector;
\echo :LAST_ERROR_SQLSTATE
SELECT '[,'::vector;
\echo :LAST_ERROR_SQLSTATE
SELECT '[]'::vector;
\echo :LAST_ERROR_SQLSTATE
SELECT '[ ]'::vector;
\echo :LAST_ERROR_SQLSTATE
SELECT '[,]'::vector;
\echo :LAST_ERROR_SQLSTATE
SELECT '[1,]'::vector;
\echo :LAST_ERROR_SQLSTATE
SELECT '[,1]'::vector;
\echo :LAST_ERROR_SQLSTATE
SELECT '[1a]'::vector;
\echo :LAST_ERROR_SQLSTATE
SELECT '[1 2]'::vector;
\echo :LAST_ERROR_SQLSTATE
SELECT '[1;2]'::vector;
\echo :LAST_ERROR_SQLSTATE
SELECT '[1,,3]'::vector;
\echo :LAST_ERROR_SQLSTATE
SELECT '[1, ,3]'::vector;
\echo :LAST_ERROR_SQLSTATE
SELECT '[[1,2]]'::vector;
\echo :LAST_ERROR_SQLSTATE
SELECT '["1"]'::vector;
\echo :LAST_ERROR_SQLSTATE
SELECT '[1e]'::vector;
\echo :LAST_ERROR_SQLSTATE
SELECT '[--1]'::vector;
\echo :LAST_ERROR_SQLSTATE
SELECT '[1.2.3]'::vector;
\echo :LAST_ERROR_SQLSTATE
SELECT '[0x]'::vector;
\echo :LAST_ERROR_SQLSTATE
SELECT '[0xg]'::vector;
\echo :LAST_ERROR_SQLSTATE
SELECT '[1,2]x'::vector;
\echo :LAST_ERROR_SQLSTATE
SELECT E'[1,2]\n\n'::vector AS trailing_whitespace_ok;

-- Dimensions: 16000 is the limit, on every way in.
SELECT vector_dims(('[' || array_to_string(array_fill(1, ARRAY[16000]), ',') || ']')::vector);
SELECT ('[' || array_to_string(array_fill(1, ARRAY[16001]), ',') || ']')::vector;
\echo :LAST_ERROR_SQLSTATE
-- The limit fires before the rest of an overlong literal is looked at.
SELECT ('[' || array_to_string(array_fill(1, ARRAY[16001]), ',') || ',junk')::vector;
\echo :LAST_ERROR_SQLSTATE
-- A very long literal: 16000 elements with long spellings and whitespace.
SELECT vector_dims(('[' || array_to_string(array_fill('  -0.000000000000000000000123456789e+10 '::text, ARRAY[16000]), ',') || ']')::vector);
SELECT length(('[' || array_to_string(array_fill(0.1::real, ARRAY[16000]), ',') || ']')::vector::text);
-- Very long garbage is refused without trouble (messages shortened here).
CREATE FUNCTION pg_temp.try_vector(literal text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    RETURN literal::vector::text;
EXCEPTION WHEN OTHERS THEN
    RETURN 'ERROR ' || SQLSTATE || ': ' || left(SQLERRM, 60);
END $$;
SELECT pg_temp.try_vector(repeat('[', 100000));
SELECT pg_temp.try_vector('[' || repeat('1', 100000) || ']');
SELECT pg_temp.try_vector('[0.' || repeat('1', 100000) || ']');
SELECT pg_temp.try_vector('[' || repeat('1,', 20000) || ']');
SELECT pg_temp.try_vector('[1' || repeat(' ', 100000) || ',2]');
SELECT pg_temp.try_vector('[1]' || repeat(' ', 100000) || 'x');
SELECT length(repeat(' ', 1000000) || '[1]'::text) AS n, (repeat(' ', 1000000) || '[1]')::vector;

-- Storage as pgvector: external, int alignment, variable length.
SELECT typname, typlen, typalign, typstorage, typnamespace::regnamespace
FROM pg_type WHERE typname = 'vector';
SELECT pg_column_size('[1,2,3]'::vector) AS bytes_for_3_dims;

DROP EXTENSION vecrbac;

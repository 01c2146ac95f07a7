-- vector binary I/O: the wire format (int16 dim, int16 unused = 0, big-endian
-- float4 elements), COPY ... (FORMAT binary) round trips, and corrupt binary
-- input crafted byte by byte, each refused with pgvector's message and SQLSTATE.
CREATE EXTENSION vecrbac;

-- The send format.
SELECT vector_send('[1,2,3]');
SELECT vector_send('[-0,1e-45,-3.4028235e38]');
SELECT length(vector_send(array_fill(1, ARRAY[16000])::vector)) AS bytes_for_16000;

-- Files live in the throwaway cluster's data directory.
SELECT current_setting('data_directory') || '/vecrbac_vector_binary.copy' AS path \gset

-- Round trip through a binary COPY file.
CREATE TABLE t (id int, val vector(3));
INSERT INTO t VALUES (1, '[0,0,0]'), (2, '[1,2,3]'), (3, '[1,1,1]'), (4, NULL),
                     (5, '[-0,1e-45,3.4028235e38]'), (6, '[0.1,-2.5,123456.79]');
COPY t TO :'path' WITH (FORMAT binary);
-- The file: signature, flags, extension, then per row a field count, and per field
-- a length and the bytes that vector_send produced (-1 for NULL), then the trailer.
SELECT encode(substr(pg_read_binary_file(:'path'), 1, 19), 'hex') AS header,
       encode(substr(pg_read_binary_file(:'path'), 20, 28), 'hex') AS first_row;
CREATE TABLE t2 (id int, val vector(3));
COPY t2 FROM :'path' WITH (FORMAT binary);
SELECT * FROM t2 ORDER BY id;
SELECT count(*) AS rows, bool_and(t.val::text IS NOT DISTINCT FROM t2.val::text) AS identical
FROM t JOIN t2 USING (id);
-- The typmod of the target column applies to binary input too.
CREATE TABLE t_narrow (id int, val vector(2));
COPY t_narrow FROM :'path' WITH (FORMAT binary);
\echo :LAST_ERROR_SQLSTATE
DROP TABLE t, t2, t_narrow;

-- 16000 dimensions, every bit pattern class (normal, subnormal, signed zero).
CREATE TABLE big (v vector);
INSERT INTO big
SELECT array_agg(CASE WHEN i % 3 = 0 THEN (i * 1.37e-3)::real WHEN i % 3 = 1 THEN (-i * 7.1e30)::real
                      ELSE (i * 1e-42)::real END ORDER BY i)::vector
FROM generate_series(1, 16000) i;
INSERT INTO big VALUES ('[-0]');
COPY big TO :'path' WITH (FORMAT binary);
CREATE TABLE big2 (v vector);
COPY big2 FROM :'path' WITH (FORMAT binary);
SELECT count(*), bool_and(v::text IN (SELECT v::text FROM big)) AS identical,
       sum(vector_dims(v)) AS dims
FROM big2;
DROP TABLE big, big2;

-- Corrupt input: a binary COPY file is written byte by byte (one row, one column).
CREATE FUNCTION pg_temp.write_copy(path text, field bytea) RETURNS void LANGUAGE plpgsql AS $$
DECLARE
    lo oid;
BEGIN
    lo := lo_from_bytea(0, '\x5047434f50590aff0d0a00'::bytea   -- signature
                           || '\x0000000000000000'::bytea      -- flags, header extension
                           || '\x0001'::bytea || int4send(length(field)) || field
                           || '\xffff'::bytea);                -- trailer
    PERFORM lo_export(lo, path);
    PERFORM lo_unlink(lo);
END $$;
CREATE TABLE r (v vector);
CREATE TABLE r3 (v vector(3));

-- Well-formed, as a reference: [1,2], and a subnormal.
SELECT pg_temp.write_copy(:'path', '\x000200003f80000040000000') \gset
COPY r FROM :'path' WITH (FORMAT binary);
SELECT pg_temp.write_copy(:'path', '\x0001000000000001') \gset
COPY r FROM :'path' WITH (FORMAT binary);
SELECT * FROM r;
-- Dimensions out of range.
SELECT pg_temp.write_copy(:'path', '\x00000000') \gset
COPY r FROM :'path' WITH (FORMAT binary);
\echo :LAST_ERROR_SQLSTATE
SELECT pg_temp.write_copy(:'path', '\xffff00003f800000') \gset
COPY r FROM :'path' WITH (FORMAT binary);
\echo :LAST_ERROR_SQLSTATE
SELECT pg_temp.write_copy(:'path', '\x80000000') \gset
COPY r FROM :'path' WITH (FORMAT binary);
\echo :LAST_ERROR_SQLSTATE
SELECT pg_temp.write_copy(:'path', '\x3e810000') \gset
COPY r FROM :'path' WITH (FORMAT binary);
\echo :LAST_ERROR_SQLSTATE
SELECT pg_temp.write_copy(:'path', '\x7fff0000') \gset
COPY r FROM :'path' WITH (FORMAT binary);
\echo :LAST_ERROR_SQLSTATE
-- Dimensions that do not match the column's typmod.
SELECT pg_temp.write_copy(:'path', '\x000200003f80000040000000') \gset
COPY r3 FROM :'path' WITH (FORMAT binary);
\echo :LAST_ERROR_SQLSTATE
-- The unused field must be 0.
SELECT pg_temp.write_copy(:'path', '\x000100013f800000') \gset
COPY r FROM :'path' WITH (FORMAT binary);
\echo :LAST_ERROR_SQLSTATE
SELECT pg_temp.write_copy(:'path', '\x0001ffff3f800000') \gset
COPY r FROM :'path' WITH (FORMAT binary);
\echo :LAST_ERROR_SQLSTATE
-- Truncated: fewer elements than announced, a partial element, a partial header,
-- an empty field.
SELECT pg_temp.write_copy(:'path', '\x000300003f80000040000000') \gset
COPY r FROM :'path' WITH (FORMAT binary);
\echo :LAST_ERROR_SQLSTATE
SELECT pg_temp.write_copy(:'path', '\x000100003f80') \gset
COPY r FROM :'path' WITH (FORMAT binary);
\echo :LAST_ERROR_SQLSTATE
SELECT pg_temp.write_copy(:'path', '\x0001') \gset
COPY r FROM :'path' WITH (FORMAT binary);
\echo :LAST_ERROR_SQLSTATE
SELECT pg_temp.write_copy(:'path', '\x') \gset
COPY r FROM :'path' WITH (FORMAT binary);
\echo :LAST_ERROR_SQLSTATE
-- Trailing bytes after the announced elements.
SELECT pg_temp.write_copy(:'path', '\x000100003f80000000') \gset
COPY r FROM :'path' WITH (FORMAT binary);
\echo :LAST_ERROR_SQLSTATE
-- Non-finite elements: quiet NaN, signalling NaN, negative NaN, +Inf, -Inf.
SELECT pg_temp.write_copy(:'path', '\x000200003f8000007fc00000') \gset
COPY r FROM :'path' WITH (FORMAT binary);
\echo :LAST_ERROR_SQLSTATE
SELECT pg_temp.write_copy(:'path', '\x000100007f800001') \gset
COPY r FROM :'path' WITH (FORMAT binary);
\echo :LAST_ERROR_SQLSTATE
SELECT pg_temp.write_copy(:'path', '\x00010000ffc00000') \gset
COPY r FROM :'path' WITH (FORMAT binary);
\echo :LAST_ERROR_SQLSTATE
SELECT pg_temp.write_copy(:'path', '\x000100007f800000') \gset
COPY r FROM :'path' WITH (FORMAT binary);
\echo :LAST_ERROR_SQLSTATE
SELECT pg_temp.write_copy(:'path', '\x00010000ff800000') \gset
COPY r FROM :'path' WITH (FORMAT binary);
\echo :LAST_ERROR_SQLSTATE
-- Nothing corrupt got in.
SELECT * FROM r;
SELECT count(*) FROM r3;
DROP TABLE r, r3;

DROP EXTENSION vecrbac;

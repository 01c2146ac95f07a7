-- halfvec binary I/O: the wire format (int16 dim, int16 unused = 0, big-endian
-- IEEE binary16 elements), binary COPY round trips, and corrupt binary input crafted
-- byte by byte, each refused with pgvector's message and SQLSTATE.
CREATE EXTENSION vecrbac;

-- The send format.
SELECT halfvec_send('[1,2,3]');
SELECT halfvec_send('[-0,5.9604645e-08,-65504,0.33325195]');
SELECT length(halfvec_send(array_fill(1, ARRAY[16000])::halfvec)) AS bytes_for_16000;

SELECT current_setting('data_directory') || '/vecrbac_halfvec_binary.copy' AS path \gset

-- Round trip through a binary COPY file.
CREATE TABLE t (id int, val halfvec(3));
INSERT INTO t VALUES (1, '[0,0,0]'), (2, '[1,2,3]'), (3, '[1,1,1]'), (4, NULL),
                     (5, '[-0,5.9604645e-08,65504]'), (6, '[0.1,-2.5,1234.5]');
COPY t TO :'path' WITH (FORMAT binary);
-- The first row: field count 2, int4 of length 4, halfvec of length 4 + 3 * 2.
SELECT encode(substr(pg_read_binary_file(:'path'), 20, 24), 'hex') AS first_row;
CREATE TABLE t2 (id int, val halfvec(3));
COPY t2 FROM :'path' WITH (FORMAT binary);
SELECT * FROM t2 ORDER BY id;
SELECT count(*) AS rows, bool_and(halfvec_send(t.val) IS NOT DISTINCT FROM halfvec_send(t2.val)) AS identical
FROM t JOIN t2 USING (id);
-- The typmod of the target column applies to binary input too.
CREATE TABLE t_narrow (id int, val halfvec(2));
COPY t_narrow FROM :'path' WITH (FORMAT binary);
\echo :LAST_ERROR_SQLSTATE
DROP TABLE t, t2, t_narrow;

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
CREATE TABLE r (v halfvec);
CREATE TABLE r3 (v halfvec(3));

-- Well-formed, as a reference: [1,2], and the smallest subnormal.
SELECT pg_temp.write_copy(:'path', '\x000200003c004000') \gset
COPY r FROM :'path' WITH (FORMAT binary);
SELECT pg_temp.write_copy(:'path', '\x000100000001') \gset
COPY r FROM :'path' WITH (FORMAT binary);
SELECT * FROM r;
-- Dimensions out of range: 0, and 0xffff read unsigned as pgvector reads halfvec.
SELECT pg_temp.write_copy(:'path', '\x00000000') \gset
COPY r FROM :'path' WITH (FORMAT binary);
\echo :LAST_ERROR_SQLSTATE
SELECT pg_temp.write_copy(:'path', '\xffff00003c00') \gset
COPY r FROM :'path' WITH (FORMAT binary);
\echo :LAST_ERROR_SQLSTATE
SELECT pg_temp.write_copy(:'path', '\x3e810000') \gset
COPY r FROM :'path' WITH (FORMAT binary);
\echo :LAST_ERROR_SQLSTATE
-- Dimensions that do not match the column's typmod.
SELECT pg_temp.write_copy(:'path', '\x000200003c004000') \gset
COPY r3 FROM :'path' WITH (FORMAT binary);
\echo :LAST_ERROR_SQLSTATE
-- The unused field must be 0.
SELECT pg_temp.write_copy(:'path', '\x000100013c00') \gset
COPY r FROM :'path' WITH (FORMAT binary);
\echo :LAST_ERROR_SQLSTATE
SELECT pg_temp.write_copy(:'path', '\x0001ffff3c00') \gset
COPY r FROM :'path' WITH (FORMAT binary);
\echo :LAST_ERROR_SQLSTATE
-- Truncated: fewer elements than announced, a partial element, a partial header.
SELECT pg_temp.write_copy(:'path', '\x000300003c004000') \gset
COPY r FROM :'path' WITH (FORMAT binary);
\echo :LAST_ERROR_SQLSTATE
SELECT pg_temp.write_copy(:'path', '\x000100003c') \gset
COPY r FROM :'path' WITH (FORMAT binary);
\echo :LAST_ERROR_SQLSTATE
SELECT pg_temp.write_copy(:'path', '\x0001') \gset
COPY r FROM :'path' WITH (FORMAT binary);
\echo :LAST_ERROR_SQLSTATE
-- Trailing bytes after the announced elements.
SELECT pg_temp.write_copy(:'path', '\x000100003c0000') \gset
COPY r FROM :'path' WITH (FORMAT binary);
\echo :LAST_ERROR_SQLSTATE
-- Non-finite elements: quiet NaN, signalling NaN, negative NaN, +Inf, -Inf.
SELECT pg_temp.write_copy(:'path', '\x000200003c007e00') \gset
COPY r FROM :'path' WITH (FORMAT binary);
\echo :LAST_ERROR_SQLSTATE
SELECT pg_temp.write_copy(:'path', '\x000100007c01') \gset
COPY r FROM :'path' WITH (FORMAT binary);
\echo :LAST_ERROR_SQLSTATE
SELECT pg_temp.write_copy(:'path', '\x00010000fe00') \gset
COPY r FROM :'path' WITH (FORMAT binary);
\echo :LAST_ERROR_SQLSTATE
SELECT pg_temp.write_copy(:'path', '\x000100007c00') \gset
COPY r FROM :'path' WITH (FORMAT binary);
\echo :LAST_ERROR_SQLSTATE
SELECT pg_temp.write_copy(:'path', '\x00010000fc00') \gset
COPY r FROM :'path' WITH (FORMAT binary);
\echo :LAST_ERROR_SQLSTATE
-- Nothing corrupt got in.
SELECT * FROM r;
SELECT count(*) FROM r3;
DROP TABLE r, r3;

DROP EXTENSION vecrbac;

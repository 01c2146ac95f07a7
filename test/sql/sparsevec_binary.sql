-- sparsevec binary I/O: the wire format (int32 dim, int32 nnz, int32 unused = 0,
-- nnz 0-based int32 indices, nnz float4 values, big-endian), COPY ... (FORMAT binary)
-- round trips, and corrupt binary input crafted byte by byte, each refused with
-- pgvector's message and SQLSTATE.
CREATE EXTENSION vecrbac;

-- The send format.
SELECT sparsevec_send('{1:1,3:2}/3');
SELECT sparsevec_send('{}/1000000000');
SELECT sparsevec_send('{2:-0.5,5:1e-45}/5');

SELECT current_setting('data_directory') || '/vecrbac_sparsevec_binary.copy' AS path \gset

-- Round trip through a binary COPY file.
CREATE TABLE t (id int, s sparsevec(5));
INSERT INTO t VALUES (1, '{}/5'), (2, '{1:1,3:2}/5'), (3, NULL), (4, '{2:-0.5,5:1e-45}/5'),
                     (5, '{1:3.4028235e38,2:0.1,3:-1,4:7,5:8}/5');
COPY t TO :'path' WITH (FORMAT binary);
CREATE TABLE t2 (id int, s sparsevec(5));
COPY t2 FROM :'path' WITH (FORMAT binary);
SELECT count(*) AS rows, bool_and(t.s IS NOT DISTINCT FROM t2.s) AS equal,
       bool_and(sparsevec_send(t.s) IS NOT DISTINCT FROM sparsevec_send(t2.s)) AS same_bytes
FROM t JOIN t2 USING (id);
-- The typmod of the target column applies to binary input too.
CREATE TABLE t_narrow (id int, s sparsevec(4));
COPY t_narrow FROM :'path' WITH (FORMAT binary);
\echo :LAST_ERROR_SQLSTATE
DROP TABLE t, t2, t_narrow;

-- 16000 stored elements, the most there can be.
CREATE TABLE big (s sparsevec);
INSERT INTO big SELECT ('{' || string_agg((i * 3) || ':' || (i * 0.37)::real, ',') || '}/48000')::sparsevec
FROM generate_series(1, 16000) i;
COPY big TO :'path' WITH (FORMAT binary);
CREATE TABLE big2 (s sparsevec);
COPY big2 FROM :'path' WITH (FORMAT binary);
SELECT (SELECT s FROM big) = (SELECT s FROM big2) AS equal,
       length(sparsevec_send((SELECT s FROM big2))) AS bytes;
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
CREATE TABLE r (s sparsevec);

-- Well-formed, as a reference: {1:1,3:2}/3.
SELECT pg_temp.write_copy(:'path', '\x00000003000000020000000000000000000000023f80000040000000') \gset
COPY r FROM :'path' WITH (FORMAT binary);
SELECT * FROM r;
-- Dimensions out of range (22000, 54000).
SELECT pg_temp.write_copy(:'path', '\x000000000000000000000000') \gset
COPY r FROM :'path' WITH (FORMAT binary);
\echo :LAST_ERROR_SQLSTATE
SELECT pg_temp.write_copy(:'path', '\xffffffff0000000000000000') \gset
COPY r FROM :'path' WITH (FORMAT binary);
SELECT pg_temp.write_copy(:'path', '\x3b9aca010000000000000000') \gset
COPY r FROM :'path' WITH (FORMAT binary);
\echo :LAST_ERROR_SQLSTATE
-- Element counts: negative, above 16000, above the dimensions; checked before any
-- allocation, so a forged count costs nothing.
SELECT pg_temp.write_copy(:'path', '\x00000003ffffffff00000000') \gset
COPY r FROM :'path' WITH (FORMAT binary);
\echo :LAST_ERROR_SQLSTATE
SELECT pg_temp.write_copy(:'path', '\x3b9aca007fffffff00000000') \gset
COPY r FROM :'path' WITH (FORMAT binary);
\echo :LAST_ERROR_SQLSTATE
SELECT pg_temp.write_copy(:'path', '\x000000010000000200000000') \gset
COPY r FROM :'path' WITH (FORMAT binary);
\echo :LAST_ERROR_SQLSTATE
-- The unused field must be 0.
SELECT pg_temp.write_copy(:'path', '\x000000010000000000000001') \gset
COPY r FROM :'path' WITH (FORMAT binary);
\echo :LAST_ERROR_SQLSTATE
-- Indices: out of bounds (negative, = dim), descending, duplicate.
SELECT pg_temp.write_copy(:'path', '\x000000030000000100000000ffffffff3f800000') \gset
COPY r FROM :'path' WITH (FORMAT binary);
\echo :LAST_ERROR_SQLSTATE
SELECT pg_temp.write_copy(:'path', '\x000000030000000100000000000000033f800000') \gset
COPY r FROM :'path' WITH (FORMAT binary);
SELECT pg_temp.write_copy(:'path', '\x00000003000000020000000000000002000000013f80000040000000') \gset
COPY r FROM :'path' WITH (FORMAT binary);
SELECT pg_temp.write_copy(:'path', '\x00000003000000020000000000000001000000013f80000040000000') \gset
COPY r FROM :'path' WITH (FORMAT binary);
-- Values: zero (even negative zero), NaN, infinity.
SELECT pg_temp.write_copy(:'path', '\x0000000300000001000000000000000000000000') \gset
COPY r FROM :'path' WITH (FORMAT binary);
\echo :LAST_ERROR_SQLSTATE
SELECT pg_temp.write_copy(:'path', '\x0000000300000001000000000000000080000000') \gset
COPY r FROM :'path' WITH (FORMAT binary);
SELECT pg_temp.write_copy(:'path', '\x000000030000000100000000000000007fc00000') \gset
COPY r FROM :'path' WITH (FORMAT binary);
SELECT pg_temp.write_copy(:'path', '\x00000003000000010000000000000000ff800000') \gset
COPY r FROM :'path' WITH (FORMAT binary);
-- Truncated: a missing value, a partial header, an empty field (08P01); then
-- trailing bytes after the last value (22P03).
SELECT pg_temp.write_copy(:'path', '\x00000003000000010000000000000000') \gset
COPY r FROM :'path' WITH (FORMAT binary);
\echo :LAST_ERROR_SQLSTATE
SELECT pg_temp.write_copy(:'path', '\x00000003') \gset
COPY r FROM :'path' WITH (FORMAT binary);
SELECT pg_temp.write_copy(:'path', '\x') \gset
COPY r FROM :'path' WITH (FORMAT binary);
SELECT pg_temp.write_copy(:'path', '\x000000030000000100000000000000003f80000000') \gset
COPY r FROM :'path' WITH (FORMAT binary);
\echo :LAST_ERROR_SQLSTATE
-- Nothing but the reference row got in.
SELECT * FROM r;
DROP TABLE r;

DROP EXTENSION vecrbac;

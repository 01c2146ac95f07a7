-- Generated from sql/parts/*.sql by 'make'; do not edit.
\echo Use "CREATE EXTENSION vecrbac" to load this file. \quit

-- ---- sql/parts/00_schema.sql
-- The schema of vecrbac's own objects. pgvector-compatible objects (the vector type,
-- its operators, the hnsw access method) go into the schema the extension is created
-- in (@extschema@, usually public), exactly where pgvector puts them.
CREATE SCHEMA vecrbac;
GRANT USAGE ON SCHEMA vecrbac TO PUBLIC;

-- Proof that a C++ failure inside the library becomes a clean SQL error
-- (test/sql/boundary.sql). Not for users.
CREATE FUNCTION vecrbac._boundary_selftest(kind text) RETURNS integer
    AS 'MODULE_PATHNAME', 'vecrbac_boundary_selftest'
    LANGUAGE C STRICT VOLATILE;
REVOKE ALL ON FUNCTION vecrbac._boundary_selftest(text) FROM PUBLIC;

-- ---- sql/parts/10_vector.sql
-- The vector type: pgvector's SQL surface, object for object (names, signatures,
-- volatility, strictness, parallel safety, casts, operators, btree opclass), in the
-- extension's schema (@extschema@, the schema the script runs in, as pgvector),
-- not in schema vecrbac. C symbols carry the vecrbac_ prefix.

-- ---- type ----------------------------------------------------------------------

CREATE TYPE vector;

CREATE FUNCTION vector_in(cstring, oid, integer) RETURNS vector
    AS 'MODULE_PATHNAME', 'vecrbac_vector_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION vector_out(vector) RETURNS cstring
    AS 'MODULE_PATHNAME', 'vecrbac_vector_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION vector_typmod_in(cstring[]) RETURNS integer
    AS 'MODULE_PATHNAME', 'vecrbac_vector_typmod_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION vector_recv(internal, oid, integer) RETURNS vector
    AS 'MODULE_PATHNAME', 'vecrbac_vector_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION vector_send(vector) RETURNS bytea
    AS 'MODULE_PATHNAME', 'vecrbac_vector_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- Variable length, int alignment (the default), and STORAGE external as pgvector
-- >= 0.6: vectors are stored out of line when large but never compressed, since
-- float data hardly compresses and decompression would slow every distance.
CREATE TYPE vector (
    INPUT     = vector_in,
    OUTPUT    = vector_out,
    TYPMOD_IN = vector_typmod_in,
    RECEIVE   = vector_recv,
    SEND      = vector_send,
    STORAGE   = external
);

-- ---- functions -----------------------------------------------------------------

CREATE FUNCTION l2_distance(vector, vector) RETURNS float8
    AS 'MODULE_PATHNAME', 'vecrbac_l2_distance' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION inner_product(vector, vector) RETURNS float8
    AS 'MODULE_PATHNAME', 'vecrbac_inner_product' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION cosine_distance(vector, vector) RETURNS float8
    AS 'MODULE_PATHNAME', 'vecrbac_cosine_distance' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION l1_distance(vector, vector) RETURNS float8
    AS 'MODULE_PATHNAME', 'vecrbac_l1_distance' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION vector_dims(vector) RETURNS integer
    AS 'MODULE_PATHNAME', 'vecrbac_vector_dims' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION vector_norm(vector) RETURNS float8
    AS 'MODULE_PATHNAME', 'vecrbac_vector_norm' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION l2_normalize(vector) RETURNS vector
    AS 'MODULE_PATHNAME', 'vecrbac_l2_normalize' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION binary_quantize(vector) RETURNS bit
    AS 'MODULE_PATHNAME', 'vecrbac_binary_quantize' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION subvector(vector, int, int) RETURNS vector
    AS 'MODULE_PATHNAME', 'vecrbac_subvector' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- ---- private functions (operators, opclasses, aggregates) ---------------------------

CREATE FUNCTION vector_add(vector, vector) RETURNS vector
    AS 'MODULE_PATHNAME', 'vecrbac_vector_add' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION vector_sub(vector, vector) RETURNS vector
    AS 'MODULE_PATHNAME', 'vecrbac_vector_sub' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION vector_mul(vector, vector) RETURNS vector
    AS 'MODULE_PATHNAME', 'vecrbac_vector_mul' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION vector_concat(vector, vector) RETURNS vector
    AS 'MODULE_PATHNAME', 'vecrbac_vector_concat' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION vector_lt(vector, vector) RETURNS bool
    AS 'MODULE_PATHNAME', 'vecrbac_vector_lt' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION vector_le(vector, vector) RETURNS bool
    AS 'MODULE_PATHNAME', 'vecrbac_vector_le' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION vector_eq(vector, vector) RETURNS bool
    AS 'MODULE_PATHNAME', 'vecrbac_vector_eq' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION vector_ne(vector, vector) RETURNS bool
    AS 'MODULE_PATHNAME', 'vecrbac_vector_ne' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION vector_ge(vector, vector) RETURNS bool
    AS 'MODULE_PATHNAME', 'vecrbac_vector_ge' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION vector_gt(vector, vector) RETURNS bool
    AS 'MODULE_PATHNAME', 'vecrbac_vector_gt' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION vector_cmp(vector, vector) RETURNS int4
    AS 'MODULE_PATHNAME', 'vecrbac_vector_cmp' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- Support functions of the index opclasses (the hnsw part refers to them by name).
CREATE FUNCTION vector_l2_squared_distance(vector, vector) RETURNS float8
    AS 'MODULE_PATHNAME', 'vecrbac_vector_l2_squared_distance'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION vector_negative_inner_product(vector, vector) RETURNS float8
    AS 'MODULE_PATHNAME', 'vecrbac_vector_negative_inner_product'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION vector_spherical_distance(vector, vector) RETURNS float8
    AS 'MODULE_PATHNAME', 'vecrbac_vector_spherical_distance'
    LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION vector_accum(double precision[], vector) RETURNS double precision[]
    AS 'MODULE_PATHNAME', 'vecrbac_vector_accum' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION vector_avg(double precision[]) RETURNS vector
    AS 'MODULE_PATHNAME', 'vecrbac_vector_avg' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION vector_combine(double precision[], double precision[]) RETURNS double precision[]
    AS 'MODULE_PATHNAME', 'vecrbac_vector_combine' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- ---- aggregates ------------------------------------------------------------------

CREATE AGGREGATE avg(vector) (
    SFUNC = vector_accum,
    STYPE = double precision[],
    FINALFUNC = vector_avg,
    COMBINEFUNC = vector_combine,
    INITCOND = '{0}',
    PARALLEL = SAFE
);

CREATE AGGREGATE sum(vector) (
    SFUNC = vector_add,
    STYPE = vector,
    COMBINEFUNC = vector_add,
    PARALLEL = SAFE
);

-- ---- casts ---------------------------------------------------------------------

CREATE FUNCTION vector(vector, integer, boolean) RETURNS vector
    AS 'MODULE_PATHNAME', 'vecrbac_vector' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION array_to_vector(integer[], integer, boolean) RETURNS vector
    AS 'MODULE_PATHNAME', 'vecrbac_array_to_vector' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION array_to_vector(real[], integer, boolean) RETURNS vector
    AS 'MODULE_PATHNAME', 'vecrbac_array_to_vector' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION array_to_vector(double precision[], integer, boolean) RETURNS vector
    AS 'MODULE_PATHNAME', 'vecrbac_array_to_vector' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION array_to_vector(numeric[], integer, boolean) RETURNS vector
    AS 'MODULE_PATHNAME', 'vecrbac_array_to_vector' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION vector_to_float4(vector, integer, boolean) RETURNS real[]
    AS 'MODULE_PATHNAME', 'vecrbac_vector_to_float4' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- The length coercion: applied on assignment to vector(n) and on ::vector(n).
CREATE CAST (vector AS vector)
    WITH FUNCTION vector(vector, integer, boolean) AS IMPLICIT;

CREATE CAST (vector AS real[])
    WITH FUNCTION vector_to_float4(vector, integer, boolean) AS IMPLICIT;

CREATE CAST (integer[] AS vector)
    WITH FUNCTION array_to_vector(integer[], integer, boolean) AS ASSIGNMENT;

CREATE CAST (real[] AS vector)
    WITH FUNCTION array_to_vector(real[], integer, boolean) AS ASSIGNMENT;

CREATE CAST (double precision[] AS vector)
    WITH FUNCTION array_to_vector(double precision[], integer, boolean) AS ASSIGNMENT;

CREATE CAST (numeric[] AS vector)
    WITH FUNCTION array_to_vector(numeric[], integer, boolean) AS ASSIGNMENT;

-- ---- operators -------------------------------------------------------------------

CREATE OPERATOR <-> (
    LEFTARG = vector, RIGHTARG = vector, PROCEDURE = l2_distance,
    COMMUTATOR = '<->'
);

CREATE OPERATOR <#> (
    LEFTARG = vector, RIGHTARG = vector, PROCEDURE = vector_negative_inner_product,
    COMMUTATOR = '<#>'
);

CREATE OPERATOR <=> (
    LEFTARG = vector, RIGHTARG = vector, PROCEDURE = cosine_distance,
    COMMUTATOR = '<=>'
);

CREATE OPERATOR <+> (
    LEFTARG = vector, RIGHTARG = vector, PROCEDURE = l1_distance,
    COMMUTATOR = '<+>'
);

CREATE OPERATOR + (
    LEFTARG = vector, RIGHTARG = vector, PROCEDURE = vector_add,
    COMMUTATOR = +
);

-- Not commutative (pgvector 0.6.1 fixed the same mistake).
CREATE OPERATOR - (
    LEFTARG = vector, RIGHTARG = vector, PROCEDURE = vector_sub
);

CREATE OPERATOR * (
    LEFTARG = vector, RIGHTARG = vector, PROCEDURE = vector_mul,
    COMMUTATOR = *
);

CREATE OPERATOR || (
    LEFTARG = vector, RIGHTARG = vector, PROCEDURE = vector_concat
);

CREATE OPERATOR < (
    LEFTARG = vector, RIGHTARG = vector, PROCEDURE = vector_lt,
    COMMUTATOR = > , NEGATOR = >= ,
    RESTRICT = scalarltsel, JOIN = scalarltjoinsel
);

CREATE OPERATOR <= (
    LEFTARG = vector, RIGHTARG = vector, PROCEDURE = vector_le,
    COMMUTATOR = >= , NEGATOR = > ,
    RESTRICT = scalarlesel, JOIN = scalarlejoinsel
);

CREATE OPERATOR = (
    LEFTARG = vector, RIGHTARG = vector, PROCEDURE = vector_eq,
    COMMUTATOR = = , NEGATOR = <> ,
    RESTRICT = eqsel, JOIN = eqjoinsel
);

CREATE OPERATOR <> (
    LEFTARG = vector, RIGHTARG = vector, PROCEDURE = vector_ne,
    COMMUTATOR = <> , NEGATOR = = ,
    RESTRICT = eqsel, JOIN = eqjoinsel
);

CREATE OPERATOR >= (
    LEFTARG = vector, RIGHTARG = vector, PROCEDURE = vector_ge,
    COMMUTATOR = <= , NEGATOR = < ,
    RESTRICT = scalargesel, JOIN = scalargejoinsel
);

CREATE OPERATOR > (
    LEFTARG = vector, RIGHTARG = vector, PROCEDURE = vector_gt,
    COMMUTATOR = < , NEGATOR = <= ,
    RESTRICT = scalargtsel, JOIN = scalargtjoinsel
);

-- ---- btree opclass: ORDER BY, DISTINCT, GROUP BY, UNIQUE, merge joins ------------

CREATE OPERATOR CLASS vector_ops
    DEFAULT FOR TYPE vector USING btree AS
    OPERATOR 1 < ,
    OPERATOR 2 <= ,
    OPERATOR 3 = ,
    OPERATOR 4 >= ,
    OPERATOR 5 > ,
    FUNCTION 1 vector_cmp(vector, vector);

-- ---- sql/parts/11_halfvec.sql
-- since 0.3.0
-- The halfvec type (half-precision vector): pgvector 0.8's SQL surface, object for
-- object (names, signatures, volatility, strictness, parallel safety, casts,
-- operators, btree opclass), in the extension's schema as the vector part. The hnsw
-- opclasses for halfvec belong to the hnsw part. C symbols carry the vecrbac_ prefix.

-- ---- type ----------------------------------------------------------------------

CREATE TYPE halfvec;

CREATE FUNCTION halfvec_in(cstring, oid, integer) RETURNS halfvec
    AS 'MODULE_PATHNAME', 'vecrbac_halfvec_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION halfvec_out(halfvec) RETURNS cstring
    AS 'MODULE_PATHNAME', 'vecrbac_halfvec_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION halfvec_typmod_in(cstring[]) RETURNS integer
    AS 'MODULE_PATHNAME', 'vecrbac_halfvec_typmod_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION halfvec_recv(internal, oid, integer) RETURNS halfvec
    AS 'MODULE_PATHNAME', 'vecrbac_halfvec_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION halfvec_send(halfvec) RETURNS bytea
    AS 'MODULE_PATHNAME', 'vecrbac_halfvec_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- Like vector: variable length, int alignment, STORAGE external (never compressed).
CREATE TYPE halfvec (
    INPUT     = halfvec_in,
    OUTPUT    = halfvec_out,
    TYPMOD_IN = halfvec_typmod_in,
    RECEIVE   = halfvec_recv,
    SEND      = halfvec_send,
    STORAGE   = external
);

-- ---- functions -----------------------------------------------------------------

CREATE FUNCTION l2_distance(halfvec, halfvec) RETURNS float8
    AS 'MODULE_PATHNAME', 'vecrbac_halfvec_l2_distance' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION inner_product(halfvec, halfvec) RETURNS float8
    AS 'MODULE_PATHNAME', 'vecrbac_halfvec_inner_product' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION cosine_distance(halfvec, halfvec) RETURNS float8
    AS 'MODULE_PATHNAME', 'vecrbac_halfvec_cosine_distance' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION l1_distance(halfvec, halfvec) RETURNS float8
    AS 'MODULE_PATHNAME', 'vecrbac_halfvec_l1_distance' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION vector_dims(halfvec) RETURNS integer
    AS 'MODULE_PATHNAME', 'vecrbac_halfvec_vector_dims' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION l2_norm(halfvec) RETURNS float8
    AS 'MODULE_PATHNAME', 'vecrbac_halfvec_l2_norm' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION l2_normalize(halfvec) RETURNS halfvec
    AS 'MODULE_PATHNAME', 'vecrbac_halfvec_l2_normalize' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION binary_quantize(halfvec) RETURNS bit
    AS 'MODULE_PATHNAME', 'vecrbac_halfvec_binary_quantize' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION subvector(halfvec, int, int) RETURNS halfvec
    AS 'MODULE_PATHNAME', 'vecrbac_halfvec_subvector' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- ---- private functions (operators, opclasses, aggregates) ---------------------------

CREATE FUNCTION halfvec_add(halfvec, halfvec) RETURNS halfvec
    AS 'MODULE_PATHNAME', 'vecrbac_halfvec_add' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION halfvec_sub(halfvec, halfvec) RETURNS halfvec
    AS 'MODULE_PATHNAME', 'vecrbac_halfvec_sub' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION halfvec_mul(halfvec, halfvec) RETURNS halfvec
    AS 'MODULE_PATHNAME', 'vecrbac_halfvec_mul' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION halfvec_concat(halfvec, halfvec) RETURNS halfvec
    AS 'MODULE_PATHNAME', 'vecrbac_halfvec_concat' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION halfvec_lt(halfvec, halfvec) RETURNS bool
    AS 'MODULE_PATHNAME', 'vecrbac_halfvec_lt' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION halfvec_le(halfvec, halfvec) RETURNS bool
    AS 'MODULE_PATHNAME', 'vecrbac_halfvec_le' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION halfvec_eq(halfvec, halfvec) RETURNS bool
    AS 'MODULE_PATHNAME', 'vecrbac_halfvec_eq' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION halfvec_ne(halfvec, halfvec) RETURNS bool
    AS 'MODULE_PATHNAME', 'vecrbac_halfvec_ne' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION halfvec_ge(halfvec, halfvec) RETURNS bool
    AS 'MODULE_PATHNAME', 'vecrbac_halfvec_ge' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION halfvec_gt(halfvec, halfvec) RETURNS bool
    AS 'MODULE_PATHNAME', 'vecrbac_halfvec_gt' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION halfvec_cmp(halfvec, halfvec) RETURNS int4
    AS 'MODULE_PATHNAME', 'vecrbac_halfvec_cmp' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- Support functions of the index opclasses (the hnsw part refers to them by name).
CREATE FUNCTION halfvec_l2_squared_distance(halfvec, halfvec) RETURNS float8
    AS 'MODULE_PATHNAME', 'vecrbac_halfvec_l2_squared_distance' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION halfvec_negative_inner_product(halfvec, halfvec) RETURNS float8
    AS 'MODULE_PATHNAME', 'vecrbac_halfvec_negative_inner_product' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION halfvec_spherical_distance(halfvec, halfvec) RETURNS float8
    AS 'MODULE_PATHNAME', 'vecrbac_halfvec_spherical_distance' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION halfvec_accum(double precision[], halfvec) RETURNS double precision[]
    AS 'MODULE_PATHNAME', 'vecrbac_halfvec_accum' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION halfvec_avg(double precision[]) RETURNS halfvec
    AS 'MODULE_PATHNAME', 'vecrbac_halfvec_avg' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- The states of avg(halfvec) and avg(vector) are alike: one combine function, as pgvector.
CREATE FUNCTION halfvec_combine(double precision[], double precision[]) RETURNS double precision[]
    AS 'MODULE_PATHNAME', 'vecrbac_vector_combine' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- ---- aggregates ------------------------------------------------------------------

CREATE AGGREGATE avg(halfvec) (
    SFUNC = halfvec_accum,
    STYPE = double precision[],
    FINALFUNC = halfvec_avg,
    COMBINEFUNC = halfvec_combine,
    INITCOND = '{0}',
    PARALLEL = SAFE
);

CREATE AGGREGATE sum(halfvec) (
    SFUNC = halfvec_add,
    STYPE = halfvec,
    COMBINEFUNC = halfvec_add,
    PARALLEL = SAFE
);

-- ---- casts ---------------------------------------------------------------------

CREATE FUNCTION halfvec(halfvec, integer, boolean) RETURNS halfvec
    AS 'MODULE_PATHNAME', 'vecrbac_halfvec' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION halfvec_to_vector(halfvec, integer, boolean) RETURNS vector
    AS 'MODULE_PATHNAME', 'vecrbac_halfvec_to_vector' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION vector_to_halfvec(vector, integer, boolean) RETURNS halfvec
    AS 'MODULE_PATHNAME', 'vecrbac_vector_to_halfvec' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION array_to_halfvec(integer[], integer, boolean) RETURNS halfvec
    AS 'MODULE_PATHNAME', 'vecrbac_array_to_halfvec' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION array_to_halfvec(real[], integer, boolean) RETURNS halfvec
    AS 'MODULE_PATHNAME', 'vecrbac_array_to_halfvec' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION array_to_halfvec(double precision[], integer, boolean) RETURNS halfvec
    AS 'MODULE_PATHNAME', 'vecrbac_array_to_halfvec' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION array_to_halfvec(numeric[], integer, boolean) RETURNS halfvec
    AS 'MODULE_PATHNAME', 'vecrbac_array_to_halfvec' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION halfvec_to_float4(halfvec, integer, boolean) RETURNS real[]
    AS 'MODULE_PATHNAME', 'vecrbac_halfvec_to_float4' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- The length coercion: applied on assignment to halfvec(n) and on ::halfvec(n).
CREATE CAST (halfvec AS halfvec)
    WITH FUNCTION halfvec(halfvec, integer, boolean) AS IMPLICIT;

-- vector -> halfvec is implicit (a vector literal compares with a halfvec column and an
-- hnsw expression index on ::halfvec serves vector queries); the way back is assignment.
CREATE CAST (halfvec AS vector)
    WITH FUNCTION halfvec_to_vector(halfvec, integer, boolean) AS ASSIGNMENT;

CREATE CAST (vector AS halfvec)
    WITH FUNCTION vector_to_halfvec(vector, integer, boolean) AS IMPLICIT;

CREATE CAST (halfvec AS real[])
    WITH FUNCTION halfvec_to_float4(halfvec, integer, boolean) AS ASSIGNMENT;

CREATE CAST (integer[] AS halfvec)
    WITH FUNCTION array_to_halfvec(integer[], integer, boolean) AS ASSIGNMENT;

CREATE CAST (real[] AS halfvec)
    WITH FUNCTION array_to_halfvec(real[], integer, boolean) AS ASSIGNMENT;

CREATE CAST (double precision[] AS halfvec)
    WITH FUNCTION array_to_halfvec(double precision[], integer, boolean) AS ASSIGNMENT;

CREATE CAST (numeric[] AS halfvec)
    WITH FUNCTION array_to_halfvec(numeric[], integer, boolean) AS ASSIGNMENT;

-- ---- operators -------------------------------------------------------------------

CREATE OPERATOR <-> (
    LEFTARG = halfvec, RIGHTARG = halfvec, PROCEDURE = l2_distance,
    COMMUTATOR = '<->'
);

CREATE OPERATOR <#> (
    LEFTARG = halfvec, RIGHTARG = halfvec, PROCEDURE = halfvec_negative_inner_product,
    COMMUTATOR = '<#>'
);

CREATE OPERATOR <=> (
    LEFTARG = halfvec, RIGHTARG = halfvec, PROCEDURE = cosine_distance,
    COMMUTATOR = '<=>'
);

CREATE OPERATOR <+> (
    LEFTARG = halfvec, RIGHTARG = halfvec, PROCEDURE = l1_distance,
    COMMUTATOR = '<+>'
);

CREATE OPERATOR + (
    LEFTARG = halfvec, RIGHTARG = halfvec, PROCEDURE = halfvec_add,
    COMMUTATOR = +
);

CREATE OPERATOR - (
    LEFTARG = halfvec, RIGHTARG = halfvec, PROCEDURE = halfvec_sub
);

CREATE OPERATOR * (
    LEFTARG = halfvec, RIGHTARG = halfvec, PROCEDURE = halfvec_mul,
    COMMUTATOR = *
);

CREATE OPERATOR || (
    LEFTARG = halfvec, RIGHTARG = halfvec, PROCEDURE = halfvec_concat
);

CREATE OPERATOR < (
    LEFTARG = halfvec, RIGHTARG = halfvec, PROCEDURE = halfvec_lt,
    COMMUTATOR = > , NEGATOR = >= ,
    RESTRICT = scalarltsel, JOIN = scalarltjoinsel
);

CREATE OPERATOR <= (
    LEFTARG = halfvec, RIGHTARG = halfvec, PROCEDURE = halfvec_le,
    COMMUTATOR = >= , NEGATOR = > ,
    RESTRICT = scalarlesel, JOIN = scalarlejoinsel
);

CREATE OPERATOR = (
    LEFTARG = halfvec, RIGHTARG = halfvec, PROCEDURE = halfvec_eq,
    COMMUTATOR = = , NEGATOR = <> ,
    RESTRICT = eqsel, JOIN = eqjoinsel
);

CREATE OPERATOR <> (
    LEFTARG = halfvec, RIGHTARG = halfvec, PROCEDURE = halfvec_ne,
    COMMUTATOR = <> , NEGATOR = = ,
    RESTRICT = eqsel, JOIN = eqjoinsel
);

CREATE OPERATOR >= (
    LEFTARG = halfvec, RIGHTARG = halfvec, PROCEDURE = halfvec_ge,
    COMMUTATOR = <= , NEGATOR = < ,
    RESTRICT = scalargesel, JOIN = scalargejoinsel
);

CREATE OPERATOR > (
    LEFTARG = halfvec, RIGHTARG = halfvec, PROCEDURE = halfvec_gt,
    COMMUTATOR = < , NEGATOR = <= ,
    RESTRICT = scalargtsel, JOIN = scalargtjoinsel
);

-- ---- btree opclass: ORDER BY, DISTINCT, GROUP BY, UNIQUE, merge joins ------------

CREATE OPERATOR CLASS halfvec_ops
    DEFAULT FOR TYPE halfvec USING btree AS
    OPERATOR 1 < ,
    OPERATOR 2 <= ,
    OPERATOR 3 = ,
    OPERATOR 4 >= ,
    OPERATOR 5 > ,
    FUNCTION 1 halfvec_cmp(halfvec, halfvec);

-- ---- sql/parts/12_bit.sql
-- since 0.3.0
-- Distances between bit strings: pgvector's bit surface (hamming_distance,
-- jaccard_distance and their operators) for binary-quantized vectors. The types
-- are PostgreSQL's own bit and varbit; binary_quantize(vector) is in the vector part.
-- The functions are support function 1 of the hnsw opclasses bit_hamming_ops and
-- bit_jaccard_ops.

CREATE FUNCTION hamming_distance(bit, bit) RETURNS float8
    AS 'MODULE_PATHNAME', 'vecrbac_hamming_distance' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION jaccard_distance(bit, bit) RETURNS float8
    AS 'MODULE_PATHNAME', 'vecrbac_jaccard_distance' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE OPERATOR <~> (
    LEFTARG = bit, RIGHTARG = bit, PROCEDURE = hamming_distance,
    COMMUTATOR = '<~>'
);

CREATE OPERATOR <%> (
    LEFTARG = bit, RIGHTARG = bit, PROCEDURE = jaccard_distance,
    COMMUTATOR = '<%>'
);

-- ---- sql/parts/13_sparsevec.sql
-- since 0.3.0
-- The sparsevec type: pgvector 0.8's SQL surface for it, object for object (names,
-- signatures, volatility, strictness, parallel safety, casts and their contexts,
-- operators, btree opclass), in the extension's schema as the vector part. The
-- casts to and from halfvec belong with halfvec. The hnsw opclasses (sparsevec_*_ops)
-- are in the hnsw part and use sparsevec_l2_squared_distance,
-- sparsevec_negative_inner_product, l2_norm and l1_distance as support functions.

-- ---- type ----------------------------------------------------------------------

CREATE TYPE sparsevec;

CREATE FUNCTION sparsevec_in(cstring, oid, integer) RETURNS sparsevec
    AS 'MODULE_PATHNAME', 'vecrbac_sparsevec_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION sparsevec_out(sparsevec) RETURNS cstring
    AS 'MODULE_PATHNAME', 'vecrbac_sparsevec_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION sparsevec_typmod_in(cstring[]) RETURNS integer
    AS 'MODULE_PATHNAME', 'vecrbac_sparsevec_typmod_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION sparsevec_recv(internal, oid, integer) RETURNS sparsevec
    AS 'MODULE_PATHNAME', 'vecrbac_sparsevec_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION sparsevec_send(sparsevec) RETURNS bytea
    AS 'MODULE_PATHNAME', 'vecrbac_sparsevec_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- As vector: variable length, int alignment, STORAGE external (never compressed).
CREATE TYPE sparsevec (
    INPUT     = sparsevec_in,
    OUTPUT    = sparsevec_out,
    TYPMOD_IN = sparsevec_typmod_in,
    RECEIVE   = sparsevec_recv,
    SEND      = sparsevec_send,
    STORAGE   = external
);

-- ---- functions -----------------------------------------------------------------

CREATE FUNCTION l2_distance(sparsevec, sparsevec) RETURNS float8
    AS 'MODULE_PATHNAME', 'vecrbac_sparsevec_l2_distance' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION inner_product(sparsevec, sparsevec) RETURNS float8
    AS 'MODULE_PATHNAME', 'vecrbac_sparsevec_inner_product' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION cosine_distance(sparsevec, sparsevec) RETURNS float8
    AS 'MODULE_PATHNAME', 'vecrbac_sparsevec_cosine_distance' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION l1_distance(sparsevec, sparsevec) RETURNS float8
    AS 'MODULE_PATHNAME', 'vecrbac_sparsevec_l1_distance' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION l2_norm(sparsevec) RETURNS float8
    AS 'MODULE_PATHNAME', 'vecrbac_sparsevec_l2_norm' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION l2_normalize(sparsevec) RETURNS sparsevec
    AS 'MODULE_PATHNAME', 'vecrbac_sparsevec_l2_normalize' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- ---- private functions (operators, opclasses) ------------------------------------

CREATE FUNCTION sparsevec_lt(sparsevec, sparsevec) RETURNS bool
    AS 'MODULE_PATHNAME', 'vecrbac_sparsevec_lt' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION sparsevec_le(sparsevec, sparsevec) RETURNS bool
    AS 'MODULE_PATHNAME', 'vecrbac_sparsevec_le' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION sparsevec_eq(sparsevec, sparsevec) RETURNS bool
    AS 'MODULE_PATHNAME', 'vecrbac_sparsevec_eq' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION sparsevec_ne(sparsevec, sparsevec) RETURNS bool
    AS 'MODULE_PATHNAME', 'vecrbac_sparsevec_ne' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION sparsevec_ge(sparsevec, sparsevec) RETURNS bool
    AS 'MODULE_PATHNAME', 'vecrbac_sparsevec_ge' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION sparsevec_gt(sparsevec, sparsevec) RETURNS bool
    AS 'MODULE_PATHNAME', 'vecrbac_sparsevec_gt' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION sparsevec_cmp(sparsevec, sparsevec) RETURNS int4
    AS 'MODULE_PATHNAME', 'vecrbac_sparsevec_cmp' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- Support functions of the hnsw opclasses.
CREATE FUNCTION sparsevec_l2_squared_distance(sparsevec, sparsevec) RETURNS float8
    AS 'MODULE_PATHNAME', 'vecrbac_sparsevec_l2_squared_distance' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION sparsevec_negative_inner_product(sparsevec, sparsevec) RETURNS float8
    AS 'MODULE_PATHNAME', 'vecrbac_sparsevec_negative_inner_product' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- ---- casts ---------------------------------------------------------------------

CREATE FUNCTION sparsevec(sparsevec, integer, boolean) RETURNS sparsevec
    AS 'MODULE_PATHNAME', 'vecrbac_sparsevec' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION vector_to_sparsevec(vector, integer, boolean) RETURNS sparsevec
    AS 'MODULE_PATHNAME', 'vecrbac_vector_to_sparsevec' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION sparsevec_to_vector(sparsevec, integer, boolean) RETURNS vector
    AS 'MODULE_PATHNAME', 'vecrbac_sparsevec_to_vector' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION array_to_sparsevec(integer[], integer, boolean) RETURNS sparsevec
    AS 'MODULE_PATHNAME', 'vecrbac_array_to_sparsevec' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION array_to_sparsevec(real[], integer, boolean) RETURNS sparsevec
    AS 'MODULE_PATHNAME', 'vecrbac_array_to_sparsevec' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION array_to_sparsevec(double precision[], integer, boolean) RETURNS sparsevec
    AS 'MODULE_PATHNAME', 'vecrbac_array_to_sparsevec' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION array_to_sparsevec(numeric[], integer, boolean) RETURNS sparsevec
    AS 'MODULE_PATHNAME', 'vecrbac_array_to_sparsevec' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

-- The length coercion: applied on assignment to sparsevec(n) and on ::sparsevec(n).
CREATE CAST (sparsevec AS sparsevec)
    WITH FUNCTION sparsevec(sparsevec, integer, boolean) AS IMPLICIT;

-- vector -> sparsevec is implicit (no information lost), the way back only on
-- assignment (it can fail: more than 16,000 dimensions), as pgvector.
CREATE CAST (sparsevec AS vector)
    WITH FUNCTION sparsevec_to_vector(sparsevec, integer, boolean) AS ASSIGNMENT;

CREATE CAST (vector AS sparsevec)
    WITH FUNCTION vector_to_sparsevec(vector, integer, boolean) AS IMPLICIT;

CREATE CAST (integer[] AS sparsevec)
    WITH FUNCTION array_to_sparsevec(integer[], integer, boolean) AS ASSIGNMENT;

CREATE CAST (real[] AS sparsevec)
    WITH FUNCTION array_to_sparsevec(real[], integer, boolean) AS ASSIGNMENT;

CREATE CAST (double precision[] AS sparsevec)
    WITH FUNCTION array_to_sparsevec(double precision[], integer, boolean) AS ASSIGNMENT;

CREATE CAST (numeric[] AS sparsevec)
    WITH FUNCTION array_to_sparsevec(numeric[], integer, boolean) AS ASSIGNMENT;

-- ---- operators -------------------------------------------------------------------

CREATE OPERATOR <-> (
    LEFTARG = sparsevec, RIGHTARG = sparsevec, PROCEDURE = l2_distance,
    COMMUTATOR = '<->'
);

CREATE OPERATOR <#> (
    LEFTARG = sparsevec, RIGHTARG = sparsevec, PROCEDURE = sparsevec_negative_inner_product,
    COMMUTATOR = '<#>'
);

CREATE OPERATOR <=> (
    LEFTARG = sparsevec, RIGHTARG = sparsevec, PROCEDURE = cosine_distance,
    COMMUTATOR = '<=>'
);

CREATE OPERATOR <+> (
    LEFTARG = sparsevec, RIGHTARG = sparsevec, PROCEDURE = l1_distance,
    COMMUTATOR = '<+>'
);

CREATE OPERATOR < (
    LEFTARG = sparsevec, RIGHTARG = sparsevec, PROCEDURE = sparsevec_lt,
    COMMUTATOR = > , NEGATOR = >= ,
    RESTRICT = scalarltsel, JOIN = scalarltjoinsel
);

CREATE OPERATOR <= (
    LEFTARG = sparsevec, RIGHTARG = sparsevec, PROCEDURE = sparsevec_le,
    COMMUTATOR = >= , NEGATOR = > ,
    RESTRICT = scalarlesel, JOIN = scalarlejoinsel
);

CREATE OPERATOR = (
    LEFTARG = sparsevec, RIGHTARG = sparsevec, PROCEDURE = sparsevec_eq,
    COMMUTATOR = = , NEGATOR = <> ,
    RESTRICT = eqsel, JOIN = eqjoinsel
);

CREATE OPERATOR <> (
    LEFTARG = sparsevec, RIGHTARG = sparsevec, PROCEDURE = sparsevec_ne,
    COMMUTATOR = <> , NEGATOR = = ,
    RESTRICT = eqsel, JOIN = eqjoinsel
);

CREATE OPERATOR >= (
    LEFTARG = sparsevec, RIGHTARG = sparsevec, PROCEDURE = sparsevec_ge,
    COMMUTATOR = <= , NEGATOR = < ,
    RESTRICT = scalargesel, JOIN = scalargejoinsel
);

CREATE OPERATOR > (
    LEFTARG = sparsevec, RIGHTARG = sparsevec, PROCEDURE = sparsevec_gt,
    COMMUTATOR = < , NEGATOR = <= ,
    RESTRICT = scalargtsel, JOIN = scalargtjoinsel
);

-- ---- btree opclass: ORDER BY, DISTINCT, GROUP BY, UNIQUE, merge joins ------------

CREATE OPERATOR CLASS sparsevec_ops
    DEFAULT FOR TYPE sparsevec USING btree AS
    OPERATOR 1 < ,
    OPERATOR 2 <= ,
    OPERATOR 3 = ,
    OPERATOR 4 >= ,
    OPERATOR 5 > ,
    FUNCTION 1 sparsevec_cmp(sparsevec, sparsevec);

-- ---- sql/parts/14_sparsevec_halfvec.sql
-- since 0.3.0
-- Casts between sparsevec and halfvec, with pgvector 0.8's functions and contexts.
CREATE FUNCTION halfvec_to_sparsevec(halfvec, integer, boolean) RETURNS sparsevec
    AS 'MODULE_PATHNAME', 'vecrbac_halfvec_to_sparsevec' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE FUNCTION sparsevec_to_halfvec(sparsevec, integer, boolean) RETURNS halfvec
    AS 'MODULE_PATHNAME', 'vecrbac_sparsevec_to_halfvec' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;

CREATE CAST (sparsevec AS halfvec)
    WITH FUNCTION sparsevec_to_halfvec(sparsevec, integer, boolean) AS ASSIGNMENT;

CREATE CAST (halfvec AS sparsevec)
    WITH FUNCTION halfvec_to_sparsevec(halfvec, integer, boolean) AS IMPLICIT;

-- ---- sql/parts/15_scope.sql
-- vecrbac.scope: the rows a token may see in one column (src/scope/scope.h; the SQL glue in src/scope_sql/).
-- Row-level security policies test `column OPERATOR(vecrbac.<@) scope`; the hnsw
-- index takes the same test as a scan key on its filter columns.
CREATE TYPE vecrbac.scope;
CREATE FUNCTION vecrbac.scope_in(cstring) RETURNS vecrbac.scope
    AS 'MODULE_PATHNAME', 'vecrbac_scope_in' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION vecrbac.scope_out(vecrbac.scope) RETURNS cstring
    AS 'MODULE_PATHNAME', 'vecrbac_scope_out' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION vecrbac.scope_recv(internal) RETURNS vecrbac.scope
    AS 'MODULE_PATHNAME', 'vecrbac_scope_recv' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE FUNCTION vecrbac.scope_send(vecrbac.scope) RETURNS bytea
    AS 'MODULE_PATHNAME', 'vecrbac_scope_send' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE TYPE vecrbac.scope (
    INPUT = vecrbac.scope_in, OUTPUT = vecrbac.scope_out,
    RECEIVE = vecrbac.scope_recv, SEND = vecrbac.scope_send,
    INTERNALLENGTH = VARIABLE, STORAGE = extended, ALIGNMENT = int4
);
COMMENT ON TYPE vecrbac.scope IS 'values a token may see in one column: {"all":true}, {"values":[...]} or {"any":[{path: value, ...}]}';

CREATE FUNCTION vecrbac.scope(jsonb) RETURNS vecrbac.scope
    AS 'MODULE_PATHNAME', 'vecrbac_scope_from_jsonb' LANGUAGE C IMMUTABLE STRICT PARALLEL SAFE;
CREATE CAST (jsonb AS vecrbac.scope) WITH FUNCTION vecrbac.scope(jsonb);
CREATE CAST (vecrbac.scope AS jsonb) WITHOUT FUNCTION;

CREATE FUNCTION vecrbac.scope_contains(int2, vecrbac.scope) RETURNS boolean
    AS 'MODULE_PATHNAME', 'vecrbac_scope_contains_int2' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION vecrbac.scope_contains(int4, vecrbac.scope) RETURNS boolean
    AS 'MODULE_PATHNAME', 'vecrbac_scope_contains_int4' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION vecrbac.scope_contains(int8, vecrbac.scope) RETURNS boolean
    AS 'MODULE_PATHNAME', 'vecrbac_scope_contains_int8' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION vecrbac.scope_contains(boolean, vecrbac.scope) RETURNS boolean
    AS 'MODULE_PATHNAME', 'vecrbac_scope_contains_bool' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION vecrbac.scope_contains(text, vecrbac.scope) RETURNS boolean
    AS 'MODULE_PATHNAME', 'vecrbac_scope_contains_text' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION vecrbac.scope_contains(uuid, vecrbac.scope) RETURNS boolean
    AS 'MODULE_PATHNAME', 'vecrbac_scope_contains_uuid' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE LEAKPROOF;
CREATE FUNCTION vecrbac.scope_contains(jsonb, vecrbac.scope) RETURNS boolean
    AS 'MODULE_PATHNAME', 'vecrbac_scope_contains_payload' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE LEAKPROOF;

-- The planner's estimate (src/scope_sql/scope_selectivity.cpp): a constant scope as an
-- equality; a scope known only when the statement runs
-- (a policy's InitPlan) half-way, in orders of magnitude, between one value and all.
CREATE FUNCTION vecrbac.scope_restrict_sel(internal, oid, internal, integer) RETURNS float8
    AS 'MODULE_PATHNAME', 'vecrbac_scope_restrict_sel' LANGUAGE C STRICT STABLE PARALLEL SAFE;
REVOKE ALL ON FUNCTION vecrbac.scope_restrict_sel(internal, oid, internal, integer) FROM PUBLIC;

-- "is within": true when the value is in the scope.
CREATE OPERATOR vecrbac.<@ (LEFTARG = int2, RIGHTARG = vecrbac.scope, FUNCTION = vecrbac.scope_contains, RESTRICT = vecrbac.scope_restrict_sel, JOIN = eqjoinsel);
CREATE OPERATOR vecrbac.<@ (LEFTARG = int4, RIGHTARG = vecrbac.scope, FUNCTION = vecrbac.scope_contains, RESTRICT = vecrbac.scope_restrict_sel, JOIN = eqjoinsel);
CREATE OPERATOR vecrbac.<@ (LEFTARG = int8, RIGHTARG = vecrbac.scope, FUNCTION = vecrbac.scope_contains, RESTRICT = vecrbac.scope_restrict_sel, JOIN = eqjoinsel);
CREATE OPERATOR vecrbac.<@ (LEFTARG = boolean, RIGHTARG = vecrbac.scope, FUNCTION = vecrbac.scope_contains, RESTRICT = vecrbac.scope_restrict_sel, JOIN = eqjoinsel);
CREATE OPERATOR vecrbac.<@ (LEFTARG = text, RIGHTARG = vecrbac.scope, FUNCTION = vecrbac.scope_contains, RESTRICT = vecrbac.scope_restrict_sel, JOIN = eqjoinsel);
CREATE OPERATOR vecrbac.<@ (LEFTARG = uuid, RIGHTARG = vecrbac.scope, FUNCTION = vecrbac.scope_contains, RESTRICT = vecrbac.scope_restrict_sel, JOIN = eqjoinsel);
CREATE OPERATOR vecrbac.<@ (LEFTARG = jsonb, RIGHTARG = vecrbac.scope, FUNCTION = vecrbac.scope_contains, RESTRICT = vecrbac.scope_restrict_sel, JOIN = contjoinsel);

-- "is wholly within", for writes: the payload matches, and no array at a scoped path
-- carries a value outside the scope (a row cannot be put into another tenant's
-- scope beside the writer's own). Not an index operator: writes are never searched.
CREATE FUNCTION vecrbac.scope_holds(jsonb, vecrbac.scope) RETURNS boolean
    AS 'MODULE_PATHNAME', 'vecrbac_scope_holds_payload' LANGUAGE C IMMUTABLE CALLED ON NULL INPUT PARALLEL SAFE LEAKPROOF;
CREATE OPERATOR vecrbac.<<@ (LEFTARG = jsonb, RIGHTARG = vecrbac.scope, FUNCTION = vecrbac.scope_holds, RESTRICT = contsel, JOIN = contjoinsel);

-- ---- sql/parts/20_hnsw.sql
-- The hnsw index access method, with pgvector's names so that DDL carries over.
CREATE FUNCTION hnswhandler(internal) RETURNS index_am_handler
    AS 'MODULE_PATHNAME', 'vecrbac_hnsw_handler' LANGUAGE C;

CREATE ACCESS METHOD hnsw TYPE INDEX HANDLER hnswhandler;
COMMENT ON ACCESS METHOD hnsw IS 'hnsw index access method';

CREATE OPERATOR CLASS vector_l2_ops
    FOR TYPE vector USING hnsw AS
    OPERATOR 1 <-> (vector, vector) FOR ORDER BY float_ops,
    FUNCTION 1 vector_l2_squared_distance(vector, vector);

CREATE OPERATOR CLASS vector_ip_ops
    FOR TYPE vector USING hnsw AS
    OPERATOR 1 <#> (vector, vector) FOR ORDER BY float_ops,
    FUNCTION 1 vector_negative_inner_product(vector, vector);

CREATE OPERATOR CLASS vector_cosine_ops
    FOR TYPE vector USING hnsw AS
    OPERATOR 1 <=> (vector, vector) FOR ORDER BY float_ops,
    FUNCTION 1 vector_negative_inner_product(vector, vector),
    FUNCTION 2 vector_norm(vector);

CREATE OPERATOR CLASS vector_l1_ops
    FOR TYPE vector USING hnsw AS
    OPERATOR 1 <+> (vector, vector) FOR ORDER BY float_ops,
    FUNCTION 1 l1_distance(vector, vector);

-- Consistency checker: one row per problem ('error', 'warning') plus 'info' rows
-- with a summary. Superuser only by default, like amcheck.
CREATE FUNCTION vecrbac.hnsw_check(index regclass)
    RETURNS TABLE (severity text, message text)
    AS 'MODULE_PATHNAME', 'vecrbac_hnsw_check' LANGUAGE C STRICT VOLATILE;
REVOKE ALL ON FUNCTION vecrbac.hnsw_check(regclass) FROM PUBLIC;

-- Filter columns: CREATE INDEX ... USING hnsw (embedding vector_l2_ops, tenant_id).
-- Strategy 1 is = (and = ANY), on jsonb @>; strategy 2 is vecrbac.<@ scope, the
-- test row-level security policies make. The integer classes share one family so
-- that an int8 column takes an int4 constant.
CREATE OPERATOR FAMILY integer_ops USING hnsw;
CREATE OPERATOR CLASS int2_ops DEFAULT FOR TYPE int2 USING hnsw FAMILY integer_ops AS
    OPERATOR 1 = (int2, int2),
    OPERATOR 2 vecrbac.<@ (int2, vecrbac.scope);
CREATE OPERATOR CLASS int4_ops DEFAULT FOR TYPE int4 USING hnsw FAMILY integer_ops AS
    OPERATOR 1 = (int4, int4),
    OPERATOR 2 vecrbac.<@ (int4, vecrbac.scope);
CREATE OPERATOR CLASS int8_ops DEFAULT FOR TYPE int8 USING hnsw FAMILY integer_ops AS
    OPERATOR 1 = (int8, int8),
    OPERATOR 2 vecrbac.<@ (int8, vecrbac.scope);
ALTER OPERATOR FAMILY integer_ops USING hnsw ADD
    OPERATOR 1 = (int2, int4), OPERATOR 1 = (int2, int8),
    OPERATOR 1 = (int4, int2), OPERATOR 1 = (int4, int8),
    OPERATOR 1 = (int8, int2), OPERATOR 1 = (int8, int4);

CREATE OPERATOR CLASS bool_ops DEFAULT FOR TYPE bool USING hnsw AS
    OPERATOR 1 = (bool, bool),
    OPERATOR 2 vecrbac.<@ (bool, vecrbac.scope);
CREATE OPERATOR CLASS text_ops DEFAULT FOR TYPE text USING hnsw AS
    OPERATOR 1 = (text, text),
    OPERATOR 2 vecrbac.<@ (text, vecrbac.scope);
CREATE OPERATOR CLASS uuid_ops DEFAULT FOR TYPE uuid USING hnsw AS
    OPERATOR 1 = (uuid, uuid),
    OPERATOR 2 vecrbac.<@ (uuid, vecrbac.scope);
CREATE OPERATOR CLASS jsonb_ops DEFAULT FOR TYPE jsonb USING hnsw AS
    OPERATOR 1 @> (jsonb, jsonb),
    OPERATOR 2 vecrbac.<@ (jsonb, vecrbac.scope);

-- ---- sql/parts/22_hnsw_types.sql
-- since 0.3.0
-- hnsw operator classes for halfvec, bit and sparsevec, with pgvector 0.8's names and
-- members. Support function 3 tells the index which type its elements hold.
CREATE FUNCTION hnsw_halfvec_support(internal) RETURNS internal
    AS 'MODULE_PATHNAME', 'vecrbac_hnsw_halfvec_support' LANGUAGE C;
CREATE FUNCTION hnsw_bit_support(internal) RETURNS internal
    AS 'MODULE_PATHNAME', 'vecrbac_hnsw_bit_support' LANGUAGE C;
CREATE FUNCTION hnsw_sparsevec_support(internal) RETURNS internal
    AS 'MODULE_PATHNAME', 'vecrbac_hnsw_sparsevec_support' LANGUAGE C;

CREATE OPERATOR CLASS halfvec_l2_ops
    FOR TYPE halfvec USING hnsw AS
    OPERATOR 1 <-> (halfvec, halfvec) FOR ORDER BY float_ops,
    FUNCTION 1 halfvec_l2_squared_distance(halfvec, halfvec),
    FUNCTION 3 hnsw_halfvec_support(internal);

CREATE OPERATOR CLASS halfvec_ip_ops
    FOR TYPE halfvec USING hnsw AS
    OPERATOR 1 <#> (halfvec, halfvec) FOR ORDER BY float_ops,
    FUNCTION 1 halfvec_negative_inner_product(halfvec, halfvec),
    FUNCTION 3 hnsw_halfvec_support(internal);

CREATE OPERATOR CLASS halfvec_cosine_ops
    FOR TYPE halfvec USING hnsw AS
    OPERATOR 1 <=> (halfvec, halfvec) FOR ORDER BY float_ops,
    FUNCTION 1 halfvec_negative_inner_product(halfvec, halfvec),
    FUNCTION 2 l2_norm(halfvec),
    FUNCTION 3 hnsw_halfvec_support(internal);

CREATE OPERATOR CLASS halfvec_l1_ops
    FOR TYPE halfvec USING hnsw AS
    OPERATOR 1 <+> (halfvec, halfvec) FOR ORDER BY float_ops,
    FUNCTION 1 l1_distance(halfvec, halfvec),
    FUNCTION 3 hnsw_halfvec_support(internal);

CREATE OPERATOR CLASS bit_hamming_ops
    FOR TYPE bit USING hnsw AS
    OPERATOR 1 <~> (bit, bit) FOR ORDER BY float_ops,
    FUNCTION 1 hamming_distance(bit, bit),
    FUNCTION 3 hnsw_bit_support(internal);

CREATE OPERATOR CLASS bit_jaccard_ops
    FOR TYPE bit USING hnsw AS
    OPERATOR 1 <%> (bit, bit) FOR ORDER BY float_ops,
    FUNCTION 1 jaccard_distance(bit, bit),
    FUNCTION 3 hnsw_bit_support(internal);

CREATE OPERATOR CLASS sparsevec_l2_ops
    FOR TYPE sparsevec USING hnsw AS
    OPERATOR 1 <-> (sparsevec, sparsevec) FOR ORDER BY float_ops,
    FUNCTION 1 sparsevec_l2_squared_distance(sparsevec, sparsevec),
    FUNCTION 3 hnsw_sparsevec_support(internal);

CREATE OPERATOR CLASS sparsevec_ip_ops
    FOR TYPE sparsevec USING hnsw AS
    OPERATOR 1 <#> (sparsevec, sparsevec) FOR ORDER BY float_ops,
    FUNCTION 1 sparsevec_negative_inner_product(sparsevec, sparsevec),
    FUNCTION 3 hnsw_sparsevec_support(internal);

CREATE OPERATOR CLASS sparsevec_cosine_ops
    FOR TYPE sparsevec USING hnsw AS
    OPERATOR 1 <=> (sparsevec, sparsevec) FOR ORDER BY float_ops,
    FUNCTION 1 sparsevec_negative_inner_product(sparsevec, sparsevec),
    FUNCTION 2 l2_norm(sparsevec),
    FUNCTION 3 hnsw_sparsevec_support(internal);

CREATE OPERATOR CLASS sparsevec_l1_ops
    FOR TYPE sparsevec USING hnsw AS
    OPERATOR 1 <+> (sparsevec, sparsevec) FOR ORDER BY float_ops,
    FUNCTION 1 l1_distance(sparsevec, sparsevec),
    FUNCTION 3 hnsw_sparsevec_support(internal);

-- ---- sql/parts/25_ivfflat.sql
-- since 0.3.0
-- The ivfflat index access method, with pgvector's names so that DDL carries over:
-- CREATE INDEX ... USING ivfflat (embedding vector_l2_ops) WITH (lists = 100).
CREATE FUNCTION ivfflathandler(internal) RETURNS index_am_handler
    AS 'MODULE_PATHNAME', 'vecrbac_ivfflat_handler' LANGUAGE C;

CREATE ACCESS METHOD ivfflat TYPE INDEX HANDLER ivfflathandler;
COMMENT ON ACCESS METHOD ivfflat IS 'ivfflat index access method';

-- Function 1 is the distance; 2 normalizes values (cosine); 4 normalizes the
-- centers (spherical k-means, for inner product and cosine).
CREATE OPERATOR CLASS vector_l2_ops
    DEFAULT FOR TYPE vector USING ivfflat AS
    OPERATOR 1 <-> (vector, vector) FOR ORDER BY float_ops,
    FUNCTION 1 vector_l2_squared_distance(vector, vector);

CREATE OPERATOR CLASS vector_ip_ops
    FOR TYPE vector USING ivfflat AS
    OPERATOR 1 <#> (vector, vector) FOR ORDER BY float_ops,
    FUNCTION 1 vector_negative_inner_product(vector, vector),
    FUNCTION 4 vector_norm(vector);

CREATE OPERATOR CLASS vector_cosine_ops
    FOR TYPE vector USING ivfflat AS
    OPERATOR 1 <=> (vector, vector) FOR ORDER BY float_ops,
    FUNCTION 1 vector_negative_inner_product(vector, vector),
    FUNCTION 2 vector_norm(vector),
    FUNCTION 4 vector_norm(vector);

-- Filter columns, as for hnsw: strategy 1 is = (and = ANY), on jsonb @>; strategy 2
-- is vecrbac.<@ scope, the test row-level security policies make.
CREATE OPERATOR FAMILY integer_ops USING ivfflat;
CREATE OPERATOR CLASS int2_ops DEFAULT FOR TYPE int2 USING ivfflat FAMILY integer_ops AS
    OPERATOR 1 = (int2, int2),
    OPERATOR 2 vecrbac.<@ (int2, vecrbac.scope);
CREATE OPERATOR CLASS int4_ops DEFAULT FOR TYPE int4 USING ivfflat FAMILY integer_ops AS
    OPERATOR 1 = (int4, int4),
    OPERATOR 2 vecrbac.<@ (int4, vecrbac.scope);
CREATE OPERATOR CLASS int8_ops DEFAULT FOR TYPE int8 USING ivfflat FAMILY integer_ops AS
    OPERATOR 1 = (int8, int8),
    OPERATOR 2 vecrbac.<@ (int8, vecrbac.scope);
ALTER OPERATOR FAMILY integer_ops USING ivfflat ADD
    OPERATOR 1 = (int2, int4), OPERATOR 1 = (int2, int8),
    OPERATOR 1 = (int4, int2), OPERATOR 1 = (int4, int8),
    OPERATOR 1 = (int8, int2), OPERATOR 1 = (int8, int4);

CREATE OPERATOR CLASS bool_ops DEFAULT FOR TYPE bool USING ivfflat AS
    OPERATOR 1 = (bool, bool),
    OPERATOR 2 vecrbac.<@ (bool, vecrbac.scope);
CREATE OPERATOR CLASS text_ops DEFAULT FOR TYPE text USING ivfflat AS
    OPERATOR 1 = (text, text),
    OPERATOR 2 vecrbac.<@ (text, vecrbac.scope);
CREATE OPERATOR CLASS uuid_ops DEFAULT FOR TYPE uuid USING ivfflat AS
    OPERATOR 1 = (uuid, uuid),
    OPERATOR 2 vecrbac.<@ (uuid, vecrbac.scope);
CREATE OPERATOR CLASS jsonb_ops DEFAULT FOR TYPE jsonb USING ivfflat AS
    OPERATOR 1 @> (jsonb, jsonb),
    OPERATOR 2 vecrbac.<@ (jsonb, vecrbac.scope);

-- ---- sql/parts/26_ivfflat_types.sql
-- since 0.4.0
-- ivfflat operator classes for halfvec and bit, with pgvector 0.8's names. Support
-- function 3 tells the index which type its values hold: the same C functions as
-- hnsw's (hnsw_value.cpp), under pgvector's ivfflat names.
CREATE FUNCTION ivfflat_halfvec_support(internal) RETURNS internal
    AS 'MODULE_PATHNAME', 'vecrbac_hnsw_halfvec_support' LANGUAGE C;
CREATE FUNCTION ivfflat_bit_support(internal) RETURNS internal
    AS 'MODULE_PATHNAME', 'vecrbac_hnsw_bit_support' LANGUAGE C;

CREATE OPERATOR CLASS halfvec_l2_ops
    FOR TYPE halfvec USING ivfflat AS
    OPERATOR 1 <-> (halfvec, halfvec) FOR ORDER BY float_ops,
    FUNCTION 1 halfvec_l2_squared_distance(halfvec, halfvec),
    FUNCTION 3 ivfflat_halfvec_support(internal);

CREATE OPERATOR CLASS halfvec_ip_ops
    FOR TYPE halfvec USING ivfflat AS
    OPERATOR 1 <#> (halfvec, halfvec) FOR ORDER BY float_ops,
    FUNCTION 1 halfvec_negative_inner_product(halfvec, halfvec),
    FUNCTION 3 ivfflat_halfvec_support(internal),
    FUNCTION 4 l2_norm(halfvec);

CREATE OPERATOR CLASS halfvec_cosine_ops
    FOR TYPE halfvec USING ivfflat AS
    OPERATOR 1 <=> (halfvec, halfvec) FOR ORDER BY float_ops,
    FUNCTION 1 halfvec_negative_inner_product(halfvec, halfvec),
    FUNCTION 2 l2_norm(halfvec),
    FUNCTION 3 ivfflat_halfvec_support(internal),
    FUNCTION 4 l2_norm(halfvec);

-- k-means runs on the bits as 0 and 1; a center's bit is its members' majority.
CREATE OPERATOR CLASS bit_hamming_ops
    FOR TYPE bit USING ivfflat AS
    OPERATOR 1 <~> (bit, bit) FOR ORDER BY float_ops,
    FUNCTION 1 hamming_distance(bit, bit),
    FUNCTION 3 ivfflat_bit_support(internal);

COMMENT ON FUNCTION ivfflat_halfvec_support(internal) IS
    'ivfflat support function 3: tells the index that its values are halfvec values';
COMMENT ON FUNCTION ivfflat_bit_support(internal) IS
    'ivfflat support function 3: tells the index that its values are bit values';
COMMENT ON OPERATOR CLASS halfvec_l2_ops USING ivfflat IS
    'ivfflat index of halfvec values ordered by <-> (Euclidean distance)';
COMMENT ON OPERATOR CLASS halfvec_ip_ops USING ivfflat IS
    'ivfflat index of halfvec values ordered by <#> (negated dot product)';
COMMENT ON OPERATOR CLASS halfvec_cosine_ops USING ivfflat IS
    'ivfflat index of halfvec values ordered by <=> (cosine distance)';
COMMENT ON OPERATOR CLASS bit_hamming_ops USING ivfflat IS
    'ivfflat index of bit values ordered by <~> (Hamming distance)';
COMMENT ON OPERATOR FAMILY halfvec_l2_ops USING ivfflat IS 'family of the ivfflat operator class halfvec_l2_ops';
COMMENT ON OPERATOR FAMILY halfvec_ip_ops USING ivfflat IS 'family of the ivfflat operator class halfvec_ip_ops';
COMMENT ON OPERATOR FAMILY halfvec_cosine_ops USING ivfflat IS
    'family of the ivfflat operator class halfvec_cosine_ops';
COMMENT ON OPERATOR FAMILY bit_hamming_ops USING ivfflat IS 'family of the ivfflat operator class bit_hamming_ops';

-- ---- sql/parts/30_jwt.sql
-- JWT: verification and signing of compact JWS tokens (docs/jwt.md).
--
-- The caller chooses the algorithms and the key; the token's header never does.
-- Every refusal of a token raises SQLSTATE 28000 with a message naming the failed
-- check; unusable keys or arguments raise 22023. Messages never contain the token,
-- the key or a MAC.

-- Returns the claims of a valid token. key is the HMAC secret (bytes) for HS*
-- algorithms, or a public key (PEM or JWK text) for EdDSA, ES256, ES384, RS256, PS256.
-- STABLE: the clock is the statement's start time (or vecrbac.jwt_test_now).
CREATE FUNCTION vecrbac.jwt_verify(token text, key bytea, algorithms text[] DEFAULT '{HS256}',
                                   leeway integer DEFAULT 30, require_exp boolean DEFAULT true)
    RETURNS jsonb
    AS 'MODULE_PATHNAME', 'vecrbac_jwt_verify_bytea'
    LANGUAGE C STRICT STABLE PARALLEL SAFE;

-- The same with the key as text: an HMAC secret is the text's UTF-8 bytes (the way
-- Qdrant's api_key is used); PEM and JWK keys are text anyway.
CREATE FUNCTION vecrbac.jwt_verify(token text, key text, algorithms text[] DEFAULT '{HS256}',
                                   leeway integer DEFAULT 30, require_exp boolean DEFAULT true)
    RETURNS jsonb
    AS 'MODULE_PATHNAME', 'vecrbac_jwt_verify_text'
    LANGUAGE C STRICT STABLE PARALLEL SAFE;

-- Signs claims with header {"alg":alg,"typ":"JWT"}. key is the HMAC secret or the
-- private key (PEM or JWK). VOLATILE: ES256, ES384 and PS256 signatures are randomized.
CREATE FUNCTION vecrbac.jwt_sign(claims jsonb, key bytea, alg text DEFAULT 'HS256')
    RETURNS text
    AS 'MODULE_PATHNAME', 'vecrbac_jwt_sign_bytea'
    LANGUAGE C STRICT VOLATILE PARALLEL SAFE;

CREATE FUNCTION vecrbac.jwt_sign(claims jsonb, key text, alg text DEFAULT 'HS256')
    RETURNS text
    AS 'MODULE_PATHNAME', 'vecrbac_jwt_sign_text'
    LANGUAGE C STRICT VOLATILE PARALLEL SAFE;

-- ---- sql/parts/40_rbac.sql
-- Token-scoped row-level security (docs/rbac.md).
--
-- A session presents a JWT (SET vecrbac.token, or vecrbac.login()); protected tables
-- ("collections") carry policies that ask the token, through the accessors below,
-- which rows the session may see and change. The accessors are STABLE and called
-- directly, without subqueries (Citus propagates such policies to its shards): a key
-- column's scope reaches the hnsw index as `col OPERATOR(vecrbac.<@) scope`, and each
-- call site keeps its first answer for the rest of its statement (rbac_sql.cpp).

-- ---- the registry of collections --------------------------------------------------
-- Which table each collection is, for value_exists lookups and drop_collection.
-- Written only by the event triggers below, from the arguments of the vecrbac_truncate
-- trigger that protect() puts on the table (only a table's owner can): no function a
-- role can call writes it. Readable by everyone: it holds nothing that pg_trigger and
-- pg_policies do not already show.
CREATE TABLE vecrbac.collections (
    name text PRIMARY KEY CHECK (name <> ''),
    rel regclass NOT NULL UNIQUE,
    payload_column name NOT NULL,
    key_columns jsonb NOT NULL DEFAULT '{}'   -- {token key: column name}
);
REVOKE ALL ON vecrbac.collections FROM PUBLIC;
GRANT SELECT ON vecrbac.collections TO PUBLIC;
SELECT pg_catalog.pg_extension_config_dump('vecrbac.collections', '');

-- ---- claim accessors (src/rbac/rbac_sql.cpp) --------------------------------------------
-- Each verifies the session token (once per backend, cached), re-checks its expiry and
-- (once per statement) its value_exists condition: 42501 without a token or a grant,
-- 28000 for a refused token.
CREATE FUNCTION vecrbac.authorize(collection text, operation text) RETURNS boolean
    AS 'MODULE_PATHNAME', 'vecrbac_rbac_authorize' LANGUAGE C STRICT STABLE PARALLEL SAFE;
COMMENT ON FUNCTION vecrbac.authorize(text, text) IS
    'true if the session token allows the operation (read, write, truncate, index, manage) on the collection; raises 42501 otherwise';
CREATE FUNCTION vecrbac.key_scope(collection text, key text) RETURNS vecrbac.scope
    AS 'MODULE_PATHNAME', 'vecrbac_rbac_key_scope' LANGUAGE C STRICT STABLE PARALLEL SAFE;
CREATE FUNCTION vecrbac.payload_scope(collection text, key_names text[]) RETURNS vecrbac.scope
    AS 'MODULE_PATHNAME', 'vecrbac_rbac_payload_scope' LANGUAGE C STRICT STABLE PARALLEL SAFE;
CREATE FUNCTION vecrbac.row_scope(collection text, key_names text[]) RETURNS vecrbac.scope
    AS 'MODULE_PATHNAME', 'vecrbac_rbac_row_scope' LANGUAGE C STRICT STABLE PARALLEL SAFE;
CREATE FUNCTION vecrbac.scope_is_exact(collection text, key_names text[]) RETURNS boolean
    AS 'MODULE_PATHNAME', 'vecrbac_rbac_scope_is_exact' LANGUAGE C STRICT STABLE PARALLEL SAFE;

-- ---- the session ------------------------------------------------------------------------
CREATE FUNCTION vecrbac.claims() RETURNS jsonb
    AS 'MODULE_PATHNAME', 'vecrbac_rbac_claims' LANGUAGE C STABLE PARALLEL SAFE;
COMMENT ON FUNCTION vecrbac.claims() IS 'the claims of the session token (NULL without one)';
CREATE FUNCTION vecrbac.login(token text, local boolean DEFAULT false) RETURNS jsonb
    AS 'MODULE_PATHNAME', 'vecrbac_rbac_login' LANGUAGE C STRICT VOLATILE PARALLEL UNSAFE;
COMMENT ON FUNCTION vecrbac.login(text, boolean) IS
    'verifies the token now and makes it the session''s (SET, or SET LOCAL when local); returns its claims';
CREATE FUNCTION vecrbac.logout() RETURNS void
    AS 'MODULE_PATHNAME', 'vecrbac_rbac_logout' LANGUAGE C VOLATILE PARALLEL UNSAFE;

-- Behind PostgREST: its db-pre-request hook calls this for every request. PostgREST puts
-- the request's headers (names in lower case) into request.headers for the transaction;
-- the bearer token found there is verified here, by vecrbac, and set for the
-- transaction only. request.jwt.claims, which any client could set for itself, is never
-- read: a client that reaches the database some other way gains nothing.
CREATE FUNCTION vecrbac.login_from_request() RETURNS jsonb
LANGUAGE plpgsql VOLATILE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    headers text := current_setting('request.headers', true);
    auth text;
BEGIN
    IF headers IS NOT NULL AND headers <> '' THEN
        auth := headers::jsonb ->> 'authorization';
    END IF;
    IF auth IS NULL OR auth !~* '^bearer [^ ]' THEN
        RAISE EXCEPTION 'no bearer token in the request' USING ERRCODE = '42501',
            HINT = 'Send the header "Authorization: Bearer <jwt>".';
    END IF;
    RETURN vecrbac.login(substr(auth, 8), true);
END $$;
COMMENT ON FUNCTION vecrbac.login_from_request() IS
    'for PostgREST''s db-pre-request: verifies the request''s bearer token and sets it for the transaction';

-- ---- the registry's writers: event triggers ---------------------------------------------
-- The arguments of a trigger, as text (pg_trigger.tgargs is a NUL-separated bytea).
CREATE FUNCTION vecrbac._trigger_args(trigger oid) RETURNS text[]
    AS 'MODULE_PATHNAME', 'vecrbac_rbac_trigger_args' LANGUAGE C STRICT STABLE;
REVOKE ALL ON FUNCTION vecrbac._trigger_args(oid) FROM PUBLIC;

-- Rows whose table no longer carries the vecrbac_truncate trigger of their collection
-- (dropped tables and triggers, temporary tables gone with their session, reused OIDs).
CREATE FUNCTION vecrbac._forget_stale() RETURNS void
LANGUAGE sql SET search_path = pg_catalog, pg_temp AS $$
    DELETE FROM vecrbac.collections c
    WHERE NOT EXISTS (SELECT 1 FROM pg_trigger t
                      WHERE t.tgrelid OPERATOR(pg_catalog.=) c.rel::oid
                        AND t.tgname OPERATOR(pg_catalog.=) 'vecrbac_truncate'
                        AND (vecrbac._trigger_args(t.oid))[1] OPERATOR(pg_catalog.=) c.name)
$$;
REVOKE ALL ON FUNCTION vecrbac._forget_stale() FROM PUBLIC;

-- CREATE [OR REPLACE] TRIGGER and ALTER TRIGGER: a table that now carries a
-- vecrbac_truncate trigger (arguments: collection, payload column, key columns as
-- JSON) is registered under that collection; the trigger is refused, and with it
-- protect(), when the table cannot be a collection or the name belongs to another
-- table. SECURITY DEFINER to write the registry; it reads only catalogs, and trigger
-- arguments only as data.
CREATE FUNCTION vecrbac._on_ddl_end() RETURNS event_trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    t record;
    args text[];
    keys jsonb;
    other text;
BEGIN
    IF to_regclass('vecrbac.collections') IS NULL THEN
        RETURN;
    END IF;
    FOR t IN SELECT tr.oid, tr.tgrelid, tr.tgfoid, c.relkind, c.relpersistence
             FROM pg_event_trigger_ddl_commands() d
             JOIN pg_trigger tr ON tr.oid OPERATOR(pg_catalog.=) d.objid
             JOIN pg_class c ON c.oid OPERATOR(pg_catalog.=) tr.tgrelid
             WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_trigger'::regclass
               AND tr.tgname OPERATOR(pg_catalog.=) 'vecrbac_truncate' LOOP
        IF t.tgfoid OPERATOR(pg_catalog.<>) 'vecrbac._truncate_guard()'::regprocedure THEN
            RAISE EXCEPTION 'the trigger name vecrbac_truncate is reserved for vecrbac.protect'
                USING ERRCODE = '42939';
        END IF;
        IF t.relkind NOT IN ('r', 'p') THEN
            RAISE EXCEPTION '% is not a table', t.tgrelid::regclass USING ERRCODE = '42809';
        ELSIF t.relpersistence OPERATOR(pg_catalog.=) 't' THEN
            RAISE EXCEPTION 'cannot protect temporary table %', t.tgrelid::regclass
                USING ERRCODE = '0A000';
        END IF;
        args := vecrbac._trigger_args(t.oid);
        IF cardinality(args) OPERATOR(pg_catalog.<>) 3 OR args[1] OPERATOR(pg_catalog.=) ''
           OR args[3] IS NULL OR args[3] !~ '^\{' THEN
            RAISE EXCEPTION 'the trigger vecrbac_truncate takes a collection, a payload column and key columns'
                USING ERRCODE = '22023', HINT = 'Create it with vecrbac.protect.';
        END IF;
        keys := args[3]::jsonb;
        -- The name may be taken over only from a table that no longer carries it.
        SELECT c.rel::text INTO other FROM vecrbac.collections c
        WHERE c.name OPERATOR(pg_catalog.=) args[1] AND c.rel::oid OPERATOR(pg_catalog.<>) t.tgrelid
          AND EXISTS (SELECT 1 FROM pg_trigger x
                      WHERE x.tgrelid OPERATOR(pg_catalog.=) c.rel::oid
                        AND x.tgname OPERATOR(pg_catalog.=) 'vecrbac_truncate'
                        AND (vecrbac._trigger_args(x.oid))[1] OPERATOR(pg_catalog.=) c.name);
        IF FOUND THEN
            RAISE EXCEPTION 'collection "%" is already registered for table %', args[1], other
                USING ERRCODE = '42710';
        END IF;
        DELETE FROM vecrbac.collections c
        WHERE c.name OPERATOR(pg_catalog.=) args[1] OR c.rel::oid OPERATOR(pg_catalog.=) t.tgrelid;
        INSERT INTO vecrbac.collections VALUES (args[1], t.tgrelid, args[2], keys);
    END LOOP;
    PERFORM vecrbac._forget_stale();
END $$;
REVOKE ALL ON FUNCTION vecrbac._on_ddl_end() FROM PUBLIC;
CREATE EVENT TRIGGER vecrbac_ddl_end ON ddl_command_end
    WHEN TAG IN ('CREATE TRIGGER', 'ALTER TRIGGER') EXECUTE FUNCTION vecrbac._on_ddl_end();

-- Dropped tables and triggers (unprotect) leave the registry.
CREATE FUNCTION vecrbac._on_sql_drop() RETURNS event_trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF to_regclass('vecrbac.collections') IS NULL THEN
        RETURN; -- the extension itself is being dropped
    END IF;
    IF EXISTS (SELECT 1 FROM pg_event_trigger_dropped_objects() d
               WHERE d.classid IN ('pg_catalog.pg_class'::regclass, 'pg_catalog.pg_trigger'::regclass)) THEN
        PERFORM vecrbac._forget_stale();
    END IF;
END $$;
REVOKE ALL ON FUNCTION vecrbac._on_sql_drop() FROM PUBLIC;
CREATE EVENT TRIGGER vecrbac_sql_drop ON sql_drop EXECUTE FUNCTION vecrbac._on_sql_drop();

-- ---- policies -----------------------------------------------------------------------------
-- The library must be loaded when a statement on a protected table is planned, so that
-- its executor-start check (src/rbac/rbac_sql.cpp) sees the statement: _load() is
-- IMMUTABLE, so the planner calls it (loading the library) and folds it away.
CREATE FUNCTION vecrbac._load() RETURNS boolean
    AS 'MODULE_PATHNAME', 'vecrbac_rbac_load' LANGUAGE C IMMUTABLE PARALLEL SAFE;

-- The row condition of one command kind ('read' or 'write'), as SQL text. Shape:
--   vecrbac._load()                                             folded away when planned
--   AND vecrbac.authorize(coll, op)
--   AND key OPERATOR(vecrbac.<@) vecrbac.key_scope(coll, 'key')   per key column
--   AND payload OPERATOR(vecrbac.<@) vecrbac.payload_scope(coll, keys)
--   AND CASE WHEN vecrbac.scope_is_exact(coll, keys) THEN true   only with key columns
--        ELSE jsonb_build_object('k', jsonb_build_object(...), 'p', payload)
--           OPERATOR(vecrbac.<@) vecrbac.row_scope(coll, keys) END
-- No subqueries: Citus refuses policies with them on distributed tables. The scopes of
-- indexed columns become index conditions (evaluated once per scan); what stays in
-- the scan's filter answers per row from its first answer (rbac_sql.cpp), and the
-- executor-start check authorizes the statement before any row (executor_check.cpp).
-- CASE, not OR: the planner estimates a bare boolean function as true for a third of
-- the rows, a CASE (as it did 0.2.0's parameter) for half, and index choices follow.
-- Writes test the payload with OPERATOR(vecrbac.<<@) instead: an array in the row must
-- lie wholly inside the scope, not just share one element with it (reads keep
-- Qdrant's "one element matches").
-- Names come from the catalog and the owner's arguments, quoted; nothing from a token.
CREATE FUNCTION vecrbac.policy_condition(collection text, operation text, payload_column name,
                                         key_columns jsonb DEFAULT '{}') RETURNS text
LANGUAGE plpgsql IMMUTABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    keys text[] := ARRAY(SELECT k FROM jsonb_object_keys(key_columns) k ORDER BY k);
    c text := quote_literal(collection);
    klit text := quote_literal(keys::text);
    e text;
    k text;
    row_keys text := '';
    within text := CASE WHEN operation = 'write' THEN 'OPERATOR(vecrbac.<<@)' ELSE 'OPERATOR(vecrbac.<@)' END;
BEGIN
    e := format('vecrbac._load() AND vecrbac.authorize(%s, %L)', c, operation);
    FOREACH k IN ARRAY keys LOOP
        e := e || format(E'\n    AND %I OPERATOR(vecrbac.<@) vecrbac.key_scope(%s, %L)',
                         key_columns ->> k, c, k);
        row_keys := row_keys || format('%s%L, %I', CASE WHEN row_keys = '' THEN '' ELSE ', ' END,
                                       k, key_columns ->> k);
    END LOOP;
    e := e || format(E'\n    AND %I %s vecrbac.payload_scope(%s, %s)',
                     payload_column, within, c, klit);
    IF cardinality(keys) > 0 THEN
        e := e || format(E'\n    AND CASE WHEN vecrbac.scope_is_exact(%s, %s) THEN true'
                         || E'\n         ELSE jsonb_build_object(''k'', jsonb_build_object(%s), ''p'', %I)'
                         || E'\n            %s vecrbac.row_scope(%s, %s) END',
                         c, klit, row_keys, payload_column, within, c, klit);
    END IF;
    RETURN e;
END $$;

-- TRUNCATE bypasses row-level security, so protected tables get this trigger: a role
-- bound by row-level security needs a token that may delete every row (m, or rw/prw on
-- the collection without a payload restriction).
CREATE FUNCTION vecrbac._truncate_guard() RETURNS trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = current_user AND (rolsuper OR rolbypassrls)) THEN
        PERFORM vecrbac.authorize(TG_ARGV[0], 'truncate');
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION vecrbac.protect(rel regclass, collection text DEFAULT NULL,
                                payload_column name DEFAULT 'payload',
                                key_columns jsonb DEFAULT '{}') RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    t record;
    coll text;
    keys jsonb;
    k text;
    v jsonb;
    typ regtype;
    rd text;
    wr text;
    pol name;
    other text;
    adv record; citus boolean; unsafe_triggers text;
BEGIN
    IF rel IS NULL OR payload_column IS NULL OR key_columns IS NULL THEN
        RAISE EXCEPTION 'rel, payload_column and key_columns must not be null' USING ERRCODE = '22004';
    END IF;
    SELECT c.relkind, c.relowner, c.relname, c.relpersistence INTO t FROM pg_class c WHERE c.oid = rel;
    IF NOT FOUND OR t.relkind NOT IN ('r', 'p') THEN
        RAISE EXCEPTION '% is not a table', rel USING ERRCODE = '42809';
    END IF;
    IF NOT pg_has_role(current_user, t.relowner, 'USAGE') THEN
        RAISE EXCEPTION 'must be owner of table %', rel USING ERRCODE = '42501';
    END IF;
    IF t.relpersistence = 't' THEN
        -- its registry row would outlive it: sessions end without drop events
        RAISE EXCEPTION 'cannot protect temporary table %', rel USING ERRCODE = '0A000';
    END IF;
    coll := coalesce(collection, t.relname);
    IF coll = '' OR coll ~ '[[:cntrl:]]' THEN
        RAISE EXCEPTION 'invalid collection name' USING ERRCODE = '22023',
            DETAIL = 'A collection name is non-empty text without control characters.';
    END IF;

    SELECT a.atttypid INTO typ FROM pg_attribute a
    WHERE a.attrelid = rel AND a.attname = payload_column AND a.attnum > 0 AND NOT a.attisdropped;
    IF NOT FOUND THEN
        RAISE EXCEPTION 'column "%" of table % does not exist', payload_column, rel USING ERRCODE = '42703';
    ELSIF typ <> 'jsonb'::regtype THEN
        RAISE EXCEPTION 'payload column "%" must be of type jsonb, not %', payload_column, typ
            USING ERRCODE = '42804';
    END IF;

    -- key_columns: {"token key": "column"}, or ["column", ...] for same-named keys
    IF jsonb_typeof(key_columns) = 'array' THEN
        IF EXISTS (SELECT 1 FROM jsonb_array_elements(key_columns) e WHERE jsonb_typeof(e) <> 'string') THEN
            RAISE EXCEPTION 'key_columns must be an object {"token key": "column"} or a list of column names'
                USING ERRCODE = '22023';
        END IF;
        keys := (SELECT coalesce(jsonb_object_agg(e, e), '{}') FROM jsonb_array_elements_text(key_columns) e);
    ELSIF jsonb_typeof(key_columns) = 'object' THEN
        keys := key_columns;
    ELSE
        RAISE EXCEPTION 'key_columns must be an object {"token key": "column"} or a list of column names'
            USING ERRCODE = '22023';
    END IF;
    IF (SELECT count(*) FROM jsonb_object_keys(keys)) > 8 THEN
        RAISE EXCEPTION 'at most 8 key columns are supported' USING ERRCODE = '22023';
    END IF;
    FOR k, v IN SELECT * FROM jsonb_each(keys) LOOP
        IF jsonb_typeof(v) <> 'string' THEN
            RAISE EXCEPTION 'key_columns: the column for key "%" must be a column name', k USING ERRCODE = '22023';
        END IF;
        IF k = '' OR strpos(k, '.') > 0 THEN
            RAISE EXCEPTION 'key_columns: a token key for a column must be a plain name without dots'
                USING ERRCODE = '22023';
        END IF;
        SELECT a.atttypid INTO typ FROM pg_attribute a
        WHERE a.attrelid = rel AND a.attname = v #>> '{}' AND a.attnum > 0 AND NOT a.attisdropped;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'column "%" of table % does not exist', v #>> '{}', rel USING ERRCODE = '42703';
        ELSIF typ NOT IN ('int2'::regtype, 'int4'::regtype, 'int8'::regtype, 'bool'::regtype,
                          'text'::regtype, 'uuid'::regtype) THEN
            RAISE EXCEPTION 'key column "%" has type %', v #>> '{}', typ USING ERRCODE = '42804',
                DETAIL = 'Key columns are smallint, integer, bigint, boolean, text or uuid.';
        ELSIF v #>> '{}' = payload_column THEN
            RAISE EXCEPTION 'the payload column cannot be a key column' USING ERRCODE = '22023';
        END IF;
    END LOOP;

    -- Another permissive policy would be ORed with ours and widen access.
    IF EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = rel AND p.polpermissive
               AND p.polname NOT IN ('vecrbac_select', 'vecrbac_insert', 'vecrbac_update', 'vecrbac_delete')) THEN
        RAISE EXCEPTION 'table % has other permissive policies, which would widen what tokens allow', rel
            USING ERRCODE = '55000', HINT = 'Drop them, or make them AS RESTRICTIVE.';
    END IF;

    SELECT c.name INTO other FROM vecrbac.collections c WHERE c.rel = protect.rel AND c.name <> coll;
    IF FOUND THEN
        RAISE EXCEPTION 'table % is already protected as collection "%"', rel, other
            USING ERRCODE = '42710', HINT = 'Call vecrbac.unprotect first to rename it.';
    END IF;

    -- what the table's hnsw indexes lack for these key columns (vecrbac.index_advice)
    FOR adv IN SELECT * FROM vecrbac.index_advice(rel, keys, payload_column) LOOP
        RAISE NOTICE '%', adv.advice USING HINT = adv.create_index || ';';
    END LOOP;

    -- Citus tables (docs/scaling.md). Citus passes CREATE POLICY and the row-level
    -- security settings on to every shard, but a TRUNCATE trigger only to shards made
    -- after it exists: the shards there are now get theirs here, named as Citus names a
    -- shard's trigger (vecrbac_truncate_<shard id>). Citus runs these commands in
    -- connections of their own, committed at once, so they come before this
    -- transaction locks any shard; a lock they still wait for fails them after 10 s.
    -- The command is a format() template for Citus: %1$L is the shard's name.
    citus := to_regclass('pg_catalog.pg_dist_partition') IS NOT NULL;
    IF citus THEN
        EXECUTE 'SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_dist_partition '
                'WHERE logicalrelid OPERATOR(pg_catalog.=) $1)' INTO citus USING rel;
    END IF;
    IF citus THEN
        EXECUTE 'SELECT pg_catalog.string_agg(r.result, ''; '') FROM pg_catalog.run_command_on_placements($1, $2) r '
                'WHERE NOT r.success' INTO other USING rel,
            'DO $vecrbac_shard$ BEGIN '
            'PERFORM pg_catalog.set_config(''citus.enable_manual_changes_to_shards'', ''on'', true); '
            'PERFORM pg_catalog.set_config(''lock_timeout'', ''10s'', true); '
            'EXECUTE pg_catalog.format(''CREATE OR REPLACE TRIGGER %%I BEFORE TRUNCATE ON %%s '
            'FOR EACH STATEMENT EXECUTE FUNCTION vecrbac._truncate_guard(%%L, %%L, %%L)'', '
            '''vecrbac_truncate_'' OPERATOR(pg_catalog.||) pg_catalog.substring(%1$L, ''_([0-9]+)$''), %1$L, '
            || replace(quote_literal(coll), '%', '%%') || ', '
            || replace(quote_literal(payload_column), '%', '%%') || ', '
            || replace(quote_literal(keys::text), '%', '%%') || '); END $vecrbac_shard$';
        IF other IS NOT NULL THEN
            RAISE EXCEPTION 'could not put the TRUNCATE guard on the shards of %', rel
                USING ERRCODE = '55000', DETAIL = other;
        END IF;
    END IF;

    rd := vecrbac.policy_condition(coll, 'read', payload_column, keys);
    wr := vecrbac.policy_condition(coll, 'write', payload_column, keys);
    EXECUTE format('ALTER TABLE %s ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY', rel);
    FOR pol IN SELECT p.polname FROM pg_policy p WHERE p.polrelid = rel
               AND p.polname IN ('vecrbac_select', 'vecrbac_insert', 'vecrbac_update', 'vecrbac_delete') LOOP
        EXECUTE format('DROP POLICY %I ON %s', pol, rel);
    END LOOP;
    EXECUTE format(E'CREATE POLICY vecrbac_select ON %s FOR SELECT USING (\n    %s)', rel, rd);
    EXECUTE format(E'CREATE POLICY vecrbac_insert ON %s FOR INSERT WITH CHECK (\n    %s)', rel, wr);
    EXECUTE format(E'CREATE POLICY vecrbac_update ON %s FOR UPDATE USING (\n    %s)\n  WITH CHECK (\n    %s)', rel, wr, wr);
    EXECUTE format(E'CREATE POLICY vecrbac_delete ON %s FOR DELETE USING (\n    %s)', rel, wr);
    -- Citus refuses triggers on its distributed and reference tables unless
    -- citus.enable_unsafe_triggers; this one only guards TRUNCATE, so it is allowed for
    -- this command.
    IF citus THEN
        unsafe_triggers := current_setting('citus.enable_unsafe_triggers');
        PERFORM set_config('citus.enable_unsafe_triggers', 'on', true);
    END IF;
    -- Its arguments register the collection (vecrbac._on_ddl_end), which fails here if
    -- the name belongs to another table.
    EXECUTE format('CREATE OR REPLACE TRIGGER vecrbac_truncate BEFORE TRUNCATE ON %s '
                   'FOR EACH STATEMENT EXECUTE FUNCTION vecrbac._truncate_guard(%L, %L, %L)',
                   rel, coll, payload_column, keys::text);
    IF citus THEN
        PERFORM set_config('citus.enable_unsafe_triggers', unsafe_triggers, true);
    END IF;
END $$;
COMMENT ON FUNCTION vecrbac.protect(regclass, text, name, jsonb) IS
    'registers a table as a collection, enables and forces row-level security and creates the token policies';

CREATE FUNCTION vecrbac.unprotect(rel regclass) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE owner oid; pol name; citus boolean; unsafe_triggers text; failed text;
BEGIN
    SELECT c.relowner INTO owner FROM pg_class c WHERE c.oid = rel AND c.relkind IN ('r', 'p');
    IF NOT FOUND THEN
        RAISE EXCEPTION '% is not a table', rel USING ERRCODE = '42809';
    END IF;
    IF NOT pg_has_role(current_user, owner, 'USAGE') THEN
        RAISE EXCEPTION 'must be owner of table %', rel USING ERRCODE = '42501';
    END IF;
    -- the TRUNCATE guards of a Citus table's shards, as in protect()
    citus := to_regclass('pg_catalog.pg_dist_partition') IS NOT NULL;
    IF citus THEN
        EXECUTE 'SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_dist_partition '
                'WHERE logicalrelid OPERATOR(pg_catalog.=) $1)' INTO citus USING rel;
    END IF;
    IF citus THEN
        EXECUTE 'SELECT pg_catalog.string_agg(r.result, ''; '') FROM pg_catalog.run_command_on_placements($1, $2) r '
                'WHERE NOT r.success' INTO failed USING rel,
            'DO $vecrbac_shard$ BEGIN '
            'PERFORM pg_catalog.set_config(''citus.enable_manual_changes_to_shards'', ''on'', true); '
            'PERFORM pg_catalog.set_config(''lock_timeout'', ''10s'', true); '
            'EXECUTE pg_catalog.format(''DROP TRIGGER IF EXISTS %%I ON %%s'', '
            '''vecrbac_truncate_'' OPERATOR(pg_catalog.||) pg_catalog.substring(%1$L, ''_([0-9]+)$''), %1$L); '
            'END $vecrbac_shard$';
        IF failed IS NOT NULL THEN
            RAISE EXCEPTION 'could not drop the TRUNCATE guard from the shards of %', rel
                USING ERRCODE = '55000', DETAIL = failed;
        END IF;
    END IF;
    FOR pol IN SELECT p.polname FROM pg_policy p WHERE p.polrelid = rel
               AND p.polname IN ('vecrbac_select', 'vecrbac_insert', 'vecrbac_update', 'vecrbac_delete') LOOP
        EXECUTE format('DROP POLICY %I ON %s', pol, rel);
    END LOOP;
    -- dropping the trigger unregisters the collection (vecrbac._on_sql_drop); Citus
    -- needs citus.enable_unsafe_triggers for it, as in protect()
    IF citus THEN
        unsafe_triggers := current_setting('citus.enable_unsafe_triggers');
        PERFORM set_config('citus.enable_unsafe_triggers', 'on', true);
    END IF;
    EXECUTE format('DROP TRIGGER IF EXISTS vecrbac_truncate ON %s', rel);
    IF citus THEN
        PERFORM set_config('citus.enable_unsafe_triggers', unsafe_triggers, true);
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = rel) THEN
        EXECUTE format('ALTER TABLE %s NO FORCE ROW LEVEL SECURITY, DISABLE ROW LEVEL SECURITY', rel);
    ELSE
        RAISE NOTICE 'row-level security stays enabled on %: it has other policies', rel;
    END IF;
END $$;

-- ---- manage operations: a token with global m, and the PostgreSQL privileges of the DDL --------
-- key_columns here declares columns to create: {"tenant_id": "bigint", ...}; each is also
-- the token key of the same name, and comes first in the hnsw index (the first one is
-- its partition column).
-- The table goes into `schema`, by default the caller's current schema: the default is
-- evaluated in the caller's statement, while the body runs with a fixed search_path.
CREATE FUNCTION vecrbac.create_collection(name text, dimensions integer, distance text DEFAULT 'l2',
                                          key_columns jsonb DEFAULT '{}', m integer DEFAULT 16,
                                          ef_construction integer DEFAULT 64,
                                          schema name DEFAULT pg_catalog.current_schema()) RETURNS regclass
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    opclass text;
    cols text := '';
    idxcols text := '';
    keymap jsonb := '{}';
    k text;
    v jsonb;
    typ text;
    rel regclass;
BEGIN
    PERFORM vecrbac.authorize(name, 'manage');
    IF name IS NULL OR name = '' THEN
        RAISE EXCEPTION 'collection name must not be empty' USING ERRCODE = '22023';
    END IF;
    IF schema IS NULL THEN
        RAISE EXCEPTION 'no schema has been selected to create in' USING ERRCODE = '3F000';
    END IF;
    opclass := CASE pg_catalog.lower(distance)
        WHEN 'l2' THEN 'vector_l2_ops' WHEN 'euclid' THEN 'vector_l2_ops'
        WHEN 'ip' THEN 'vector_ip_ops' WHEN 'dot' THEN 'vector_ip_ops'
        WHEN 'cosine' THEN 'vector_cosine_ops'
        WHEN 'l1' THEN 'vector_l1_ops' WHEN 'manhattan' THEN 'vector_l1_ops' END;
    IF opclass IS NULL THEN
        RAISE EXCEPTION 'unknown distance "%"', distance USING ERRCODE = '22023',
            HINT = 'Distances are l2, ip (dot), cosine and l1.';
    END IF;
    IF dimensions IS NULL OR dimensions < 1 OR dimensions > 16000 THEN
        RAISE EXCEPTION 'dimensions must be between 1 and 16000' USING ERRCODE = '22023';
    END IF;
    IF key_columns IS NULL OR pg_catalog.jsonb_typeof(key_columns) <> 'object' THEN
        RAISE EXCEPTION 'key_columns must be an object {"column": "type"}' USING ERRCODE = '22023';
    END IF;
    IF (SELECT pg_catalog.count(*) FROM pg_catalog.jsonb_object_keys(key_columns)) > 3 THEN
        RAISE EXCEPTION 'at most 3 key columns are supported' USING ERRCODE = '22023';
    END IF;
    FOR k, v IN SELECT * FROM pg_catalog.jsonb_each(key_columns) ORDER BY 1 LOOP
        typ := CASE pg_catalog.lower(v #>> '{}')
            WHEN 'smallint' THEN 'smallint' WHEN 'int2' THEN 'smallint'
            WHEN 'integer' THEN 'integer' WHEN 'int' THEN 'integer' WHEN 'int4' THEN 'integer'
            WHEN 'bigint' THEN 'bigint' WHEN 'int8' THEN 'bigint'
            WHEN 'boolean' THEN 'boolean' WHEN 'bool' THEN 'boolean'
            WHEN 'text' THEN 'text' WHEN 'uuid' THEN 'uuid' END;
        IF typ IS NULL THEN
            RAISE EXCEPTION 'key column "%" has unsupported type', k USING ERRCODE = '22023',
                DETAIL = 'Key columns are smallint, integer, bigint, boolean, text or uuid.';
        END IF;
        IF k IN ('id', 'embedding', 'payload') OR k = '' OR pg_catalog.strpos(k, '.') > 0 THEN
            RAISE EXCEPTION 'invalid key column name "%"', k USING ERRCODE = '22023';
        END IF;
        cols := cols || pg_catalog.format('%I %s NOT NULL, ', k, typ);
        idxcols := idxcols || pg_catalog.format('%I, ', k);
        keymap := keymap || pg_catalog.jsonb_build_object(k, k);
    END LOOP;

    EXECUTE pg_catalog.format('CREATE TABLE %I.%I (id bigserial PRIMARY KEY, %sembedding @extschema@.vector(%s) NOT NULL, '
                              'payload jsonb NOT NULL DEFAULT ''{}'')', schema, name, cols, dimensions);
    rel := pg_catalog.format('%I.%I', schema, name)::regclass;
    IF dimensions <= 1900 THEN
        -- inline vectors: result rows are fetched without TOAST lookups
        EXECUTE pg_catalog.format('ALTER TABLE %s ALTER COLUMN embedding SET STORAGE PLAIN', rel);
    END IF;
    EXECUTE pg_catalog.format('CREATE INDEX %I ON %s USING hnsw (%sembedding @extschema@.%I, payload) '
                              'WITH (m = %s, ef_construction = %s)',
                              name || '_hnsw', rel, idxcols, opclass, m, ef_construction);
    PERFORM vecrbac.protect(rel, name, 'payload', keymap);
    RETURN rel;
END $$;
COMMENT ON FUNCTION vecrbac.create_collection(text, integer, text, jsonb, integer, integer, name) IS
    'creates a protected collection table (id, embedding, payload, key columns) with its hnsw index; needs a token with global m';

CREATE FUNCTION vecrbac.drop_collection(name text) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_variable
DECLARE rel regclass;
BEGIN
    PERFORM vecrbac.authorize(name, 'manage');
    SELECT c.rel INTO rel FROM vecrbac.collections c JOIN pg_class r ON r.oid = c.rel::oid
    WHERE c.name = name;
    IF rel IS NULL THEN
        RAISE EXCEPTION 'collection "%" does not exist', name USING ERRCODE = '42704';
    END IF;
    EXECUTE pg_catalog.format('DROP TABLE %s', rel);
END $$;
COMMENT ON FUNCTION vecrbac.drop_collection(text) IS 'drops a collection''s table; needs a token with global m and ownership';

-- ---- sql/parts/45_advice.sql
-- Index advice for a protected table (docs/hnsw.md, "Conditions the index does not take").
--
-- A token's scope on a key column reaches an hnsw index only if the index holds that
-- column; otherwise it is a Filter above the scan, which stays correct (the scan streams)
-- but walks more of the graph. vecrbac.index_advice lists what the table's hnsw indexes
-- lack and the index that would take every key column (protect says the same as NOTICEs).
-- It reads only the catalog, as the caller.
CREATE FUNCTION vecrbac.index_advice(rel regclass, key_columns jsonb, payload_column name DEFAULT 'payload')
RETURNS TABLE (advice text, create_index text)
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    keys text[];
    vec text;
    ops text := 'vector_l2_ops';
    covered boolean := false;
    n int := 0;
    idx record;
    has_payload boolean;
BEGIN
    IF jsonb_typeof(key_columns) = 'array' THEN
        keys := ARRAY(SELECT e FROM jsonb_array_elements_text(key_columns) e);
    ELSE
        keys := ARRAY(SELECT v FROM jsonb_each_text(coalesce(key_columns, '{}')) AS kv(k, v) ORDER BY k);
    END IF;
    has_payload := EXISTS (SELECT 1 FROM pg_attribute WHERE attrelid = rel AND attname = payload_column
                                                          AND attnum > 0 AND NOT attisdropped);
    -- each hnsw index: its plain columns, its vector column and operator class
    FOR idx IN
        SELECT array_agg(a.attname::text ORDER BY k.ord) FILTER (WHERE oc.opcname NOT LIKE 'vector\_%') AS cols,
               min(a.attname::text) FILTER (WHERE oc.opcname LIKE 'vector\_%') AS vector_column,
               min(oc.opcname::text) FILTER (WHERE oc.opcname LIKE 'vector\_%') AS opclass
        FROM pg_index x
        JOIN pg_class c ON c.oid = x.indexrelid
        JOIN pg_am am ON am.oid = c.relam AND am.amname = 'hnsw'
        CROSS JOIN LATERAL unnest(x.indkey::int2[], x.indclass::oid[]) WITH ORDINALITY AS k(attnum, opclass, ord)
        JOIN pg_attribute a ON a.attrelid = x.indrelid AND a.attnum = k.attnum
        JOIN pg_opclass oc ON oc.oid = k.opclass
        WHERE x.indrelid = rel
        GROUP BY x.indexrelid
    LOOP
        n := n + 1;
        vec := coalesce(vec, idx.vector_column);
        ops := CASE WHEN n = 1 AND idx.opclass IS NOT NULL THEN idx.opclass ELSE ops END;
        covered := covered OR coalesce(idx.cols, '{}') @> keys;
    END LOOP;
    IF vec IS NULL THEN
        vec := (SELECT attname FROM pg_attribute WHERE attrelid = rel AND attnum > 0 AND NOT attisdropped
                AND atttypid = '@extschema@.vector'::regtype ORDER BY attnum LIMIT 1);
    END IF;
    IF covered OR vec IS NULL THEN
        RETURN;
    END IF;
    create_index := format('CREATE INDEX ON %s USING hnsw (%s%I %s%s)', rel,
                           (SELECT string_agg(format('%I, ', k), '' ORDER BY o) FROM unnest(keys) WITH ORDINALITY u(k, o)),
                           vec, ops, CASE WHEN has_payload THEN format(', %I', payload_column) ELSE '' END);
    IF n = 0 THEN
        advice := format('%s has no hnsw index: every token''s search reads the whole table', rel);
    ELSE
        advice := format('no hnsw index of %s holds every key column (%s): a token scoped by a column the chosen '
                         'index lacks is filtered above its scan, which stays correct but walks more of the graph',
                         rel, array_to_string(keys, ', '));
    END IF;
    RETURN NEXT;
END $$;
COMMENT ON FUNCTION vecrbac.index_advice(regclass, jsonb, name) IS
    'what the hnsw indexes of a table with these key columns lack, and the index that takes every key column';


-- ---- sql/parts/47_distribute_collection.sql
-- since 0.4.0
-- Citus (docs/scaling.md): a collection hash-distributed by one of its key columns, so that
-- each tenant's rows live in one shard with its own hnsw index. A table made by
-- create_collection has `id` as its primary key, and Citus needs the distribution column
-- in every unique constraint: the primary key becomes (key column, id) first. The table
-- stays protected: its policies, TRUNCATE guard and registry rows reach every shard and
-- node as for any table protected before it was distributed.
CREATE FUNCTION vecrbac.distribute_collection(name text, key text DEFAULT NULL,
                                              shard_count integer DEFAULT NULL,
                                              colocate_with text DEFAULT 'default') RETURNS regclass
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_variable
DECLARE
    rel regclass;
    keys jsonb;
    col text;
    owner oid;
    pk_name name;
    pk_cols text[];
    colocate text;
    unsafe_triggers text;
BEGIN
    PERFORM vecrbac.authorize(name, 'manage');
    SELECT c.rel, c.key_columns, r.relowner INTO rel, keys, owner
    FROM vecrbac.collections c JOIN pg_class r ON r.oid = c.rel::oid
    WHERE c.name = name;
    IF rel IS NULL THEN
        RAISE EXCEPTION 'collection "%" does not exist', name USING ERRCODE = '42704';
    END IF;
    IF NOT pg_has_role(current_user, owner, 'USAGE') THEN
        RAISE EXCEPTION 'must be owner of table %', rel USING ERRCODE = '42501';
    END IF;
    IF key IS NULL THEN
        IF (SELECT count(*) FROM jsonb_object_keys(keys)) <> 1 THEN
            RAISE EXCEPTION 'collection "%" has % key columns: name the one to distribute by', name,
                (SELECT count(*) FROM jsonb_object_keys(keys)) USING ERRCODE = '22023';
        END IF;
        key := (SELECT k FROM jsonb_object_keys(keys) k);
    END IF;
    col := keys ->> key;
    IF col IS NULL THEN
        RAISE EXCEPTION '"%" is not a key of collection "%"', key, name USING ERRCODE = '22023',
            DETAIL = pg_catalog.format('Its keys: %s.',
                coalesce((SELECT string_agg(k, ', ' ORDER BY k) FROM jsonb_object_keys(keys) k), 'none'));
    END IF;

    -- colocate_with names a collection (the function's search_path is not the caller's:
    -- Citus gets its table's qualified name), or is Citus's 'default' or 'none'
    IF colocate_with IS NULL THEN
        RAISE EXCEPTION 'colocate_with must not be null' USING ERRCODE = '22004',
            HINT = 'Name a collection, or use ''default'' or ''none''.';
    ELSIF colocate_with NOT IN ('default', 'none') THEN
        colocate := (SELECT c.rel::text FROM vecrbac.collections c JOIN pg_class r ON r.oid = c.rel::oid
                     WHERE c.name = colocate_with);
        IF colocate IS NULL THEN
            RAISE EXCEPTION 'collection "%" does not exist', colocate_with USING ERRCODE = '42704';
        END IF;
    ELSE
        colocate := colocate_with;
    END IF;

    IF to_regclass('pg_catalog.pg_dist_partition') IS NULL THEN
        RAISE EXCEPTION 'Citus is not installed in this database' USING ERRCODE = '0A000',
            HINT = 'CREATE EXTENSION citus first (docs/scaling.md).';
    END IF;

    -- Citus needs the distribution column in the primary key: put it first.
    SELECT con.conname, ARRAY(SELECT a.attname::text FROM unnest(con.conkey) WITH ORDINALITY u(attnum, i)
                              JOIN pg_attribute a ON a.attrelid = con.conrelid AND a.attnum = u.attnum
                              ORDER BY u.i)
      INTO pk_name, pk_cols
    FROM pg_constraint con WHERE con.conrelid = rel AND con.contype = 'p';
    IF pk_name IS NOT NULL AND NOT col = ANY (pk_cols) THEN
        EXECUTE pg_catalog.format('ALTER TABLE %s DROP CONSTRAINT %I, ADD CONSTRAINT %I PRIMARY KEY (%s)',
            rel, pk_name, pk_name,
            (SELECT string_agg(quote_ident(c), ', ' ORDER BY i) FROM unnest(col || pk_cols) WITH ORDINALITY u(c, i)));
    END IF;

    -- Citus refuses to distribute a table with triggers (the TRUNCATE guard) unless
    -- citus.enable_unsafe_triggers: allowed for this command, as in protect().
    unsafe_triggers := current_setting('citus.enable_unsafe_triggers');
    PERFORM set_config('citus.enable_unsafe_triggers', 'on', true);
    EXECUTE 'SELECT pg_catalog.create_distributed_table($1, $2, colocate_with => $3, shard_count => $4)'
        USING rel, col, colocate, shard_count;
    PERFORM set_config('citus.enable_unsafe_triggers', unsafe_triggers, true);
    RETURN rel;
END $$;
COMMENT ON FUNCTION vecrbac.distribute_collection(text, text, integer, text) IS
    'Citus: hash-distributes a collection by one of its key columns (made the first column of its primary key); needs a token with global m and ownership';

-- ---- sql/parts/48_citus_unguarded_shards.sql
-- since 0.4.0
-- Citus (docs/scaling.md): a warning when a protected table gets its vecrbac_truncate
-- trigger after shards made in the same transaction, as alter_distributed_table does when
-- it rebuilds a table. Citus puts a TRUNCATE trigger only on shards made after it, so
-- those shards have no TRUNCATE guard until vecrbac.protect() runs again, which cannot
-- happen in that transaction (it reaches the shards through connections of their own).
-- protect() on a distributed table guards its shards itself: they come from earlier
-- transactions. Only on the coordinator (group 0): the workers receive the trigger with
-- the table's metadata. Reads catalogs only; not SECURITY DEFINER.
CREATE FUNCTION vecrbac._on_guard_created() RETURNS event_trigger
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE
    t record;
    grp integer;
    n bigint;
BEGIN
    IF to_regclass('pg_catalog.pg_dist_shard') IS NULL OR to_regclass('pg_catalog.pg_dist_local_group') IS NULL THEN
        RETURN;
    END IF;
    EXECUTE 'SELECT groupid FROM pg_catalog.pg_dist_local_group' INTO grp;
    IF grp IS DISTINCT FROM 0 THEN
        RETURN;
    END IF;
    FOR t IN SELECT DISTINCT tr.tgrelid
             FROM pg_event_trigger_ddl_commands() d
             JOIN pg_trigger tr ON tr.oid OPERATOR(pg_catalog.=) d.objid
             WHERE d.classid OPERATOR(pg_catalog.=) 'pg_catalog.pg_trigger'::regclass
               AND tr.tgname OPERATOR(pg_catalog.=) 'vecrbac_truncate' LOOP
        -- shards whose metadata rows this transaction (or one of its subtransactions) wrote
        EXECUTE 'SELECT count(*) FROM pg_catalog.pg_dist_shard '
                'WHERE logicalrelid OPERATOR(pg_catalog.=) $1 AND pg_catalog.age(xmin) OPERATOR(pg_catalog.<=) 0'
            INTO n USING t.tgrelid;
        IF n > 0 THEN
            RAISE WARNING '% shards of % made in this transaction have no TRUNCATE guard', n, t.tgrelid::regclass
                USING DETAIL = 'Citus made them before the table''s vecrbac_truncate trigger, and puts a TRUNCATE trigger only on shards made after it.',
                      HINT = pg_catalog.format('Once this transaction has committed, run vecrbac.protect(%L, ...) again, with the same arguments.',
                                               t.tgrelid::regclass::text);
        END IF;
    END LOOP;
END $$;
REVOKE ALL ON FUNCTION vecrbac._on_guard_created() FROM PUBLIC;
CREATE EVENT TRIGGER vecrbac_citus_unguarded_shards ON ddl_command_end
    WHEN TAG IN ('CREATE TRIGGER') EXECUTE FUNCTION vecrbac._on_guard_created();
COMMENT ON FUNCTION vecrbac._on_guard_created() IS
    'event trigger function: warns when a protected Citus table got its TRUNCATE guard after shards made in the same transaction (run vecrbac.protect again)';
COMMENT ON EVENT TRIGGER vecrbac_citus_unguarded_shards IS
    'warns when alter_distributed_table (or similar) leaves new shards of a protected table without a TRUNCATE guard';

-- ---- sql/parts/90_comments.sql
-- since 0.4.0
-- Descriptions of the objects the extension owns, as \dT+, \df+, \do+, \dA+, \dAc+ and
-- \dAf+ show them (psql), written for vecrbac. Objects that had a description in
-- 0.3.0 keep it, except the two access methods, described here more fully.
-- test/sql/comments.sql fails on an owned object without a description: a new object
-- gets its COMMENT next to its CREATE, or here when it is older than its description.

-- ---- types ------------------------------------------------------------------
COMMENT ON TYPE halfvec IS
    'vector of half-precision (2-byte IEEE) elements, up to 16,000 dimensions; text form [1,2,3]';
COMMENT ON TYPE sparsevec IS
    'sparse vector: only its non-zero real elements are stored; text form {1:1.5,3:2}/5 (1-based index:value, then the dimensions)';
COMMENT ON TYPE vector IS 'vector of single-precision (real) elements, up to 16,000 dimensions; text form [1,2,3]';

-- ---- functions --------------------------------------------------------------
COMMENT ON FUNCTION array_to_halfvec(double precision[], integer, boolean) IS
    'cast from a double precision array to halfvec, checked against the type modifier';
COMMENT ON FUNCTION array_to_halfvec(integer[], integer, boolean) IS
    'cast from an integer array to halfvec, checked against the type modifier';
COMMENT ON FUNCTION array_to_halfvec(numeric[], integer, boolean) IS
    'cast from a numeric array to halfvec, checked against the type modifier';
COMMENT ON FUNCTION array_to_halfvec(real[], integer, boolean) IS
    'cast from a real (float4) array to halfvec, checked against the type modifier';
COMMENT ON FUNCTION array_to_sparsevec(double precision[], integer, boolean) IS
    'cast from a double precision array to sparsevec, checked against the type modifier';
COMMENT ON FUNCTION array_to_sparsevec(integer[], integer, boolean) IS
    'cast from an integer array to sparsevec, checked against the type modifier';
COMMENT ON FUNCTION array_to_sparsevec(numeric[], integer, boolean) IS
    'cast from a numeric array to sparsevec, checked against the type modifier';
COMMENT ON FUNCTION array_to_sparsevec(real[], integer, boolean) IS
    'cast from a real (float4) array to sparsevec, checked against the type modifier';
COMMENT ON FUNCTION array_to_vector(double precision[], integer, boolean) IS
    'cast from a double precision array to vector, checked against the type modifier';
COMMENT ON FUNCTION array_to_vector(integer[], integer, boolean) IS
    'cast from an integer array to vector, checked against the type modifier';
COMMENT ON FUNCTION array_to_vector(numeric[], integer, boolean) IS
    'cast from a numeric array to vector, checked against the type modifier';
COMMENT ON FUNCTION array_to_vector(real[], integer, boolean) IS
    'cast from a real (float4) array to vector, checked against the type modifier';
COMMENT ON FUNCTION binary_quantize(halfvec) IS
    'one bit per dimension of the halfvec value, 1 where the element is greater than zero';
COMMENT ON FUNCTION binary_quantize(vector) IS
    'one bit per dimension of the vector value, 1 where the element is greater than zero';
COMMENT ON FUNCTION cosine_distance(halfvec, halfvec) IS
    'one minus the cosine of the angle between two halfvec values; also the operator <=>';
COMMENT ON FUNCTION cosine_distance(sparsevec, sparsevec) IS
    'one minus the cosine of the angle between two sparsevec values; also the operator <=>';
COMMENT ON FUNCTION cosine_distance(vector, vector) IS
    'one minus the cosine of the angle between two vector values; also the operator <=>';
COMMENT ON FUNCTION halfvec(halfvec, integer, boolean) IS
    'applies a halfvec(n) type modifier: the value must have n dimensions';
COMMENT ON FUNCTION halfvec_accum(double precision[], halfvec) IS
    'avg(halfvec) and sum(halfvec) transition: adds one value to the state (count, then element sums)';
COMMENT ON FUNCTION halfvec_add(halfvec, halfvec) IS
    'function of the operator +: element-wise sum of two halfvec values';
COMMENT ON FUNCTION halfvec_avg(double precision[]) IS
    'avg(halfvec) final step: the element sums of the state divided by its count';
COMMENT ON FUNCTION halfvec_cmp(halfvec, halfvec) IS
    'btree support: -1, 0 or 1 as the first halfvec sorts before, equal to or after the second';
COMMENT ON FUNCTION halfvec_combine(double precision[], double precision[]) IS
    'avg(halfvec) and sum(halfvec): merges two partial states (parallel aggregation)';
COMMENT ON FUNCTION halfvec_concat(halfvec, halfvec) IS
    'function of the operator ||: the elements of the first halfvec followed by those of the second';
COMMENT ON FUNCTION halfvec_eq(halfvec, halfvec) IS
    'function of the operator =: true if the first halfvec equals the second in btree order';
COMMENT ON FUNCTION halfvec_ge(halfvec, halfvec) IS
    'function of the operator >=: true if the first halfvec sorts after or equals the second in btree order';
COMMENT ON FUNCTION halfvec_gt(halfvec, halfvec) IS
    'function of the operator >: true if the first halfvec sorts after the second in btree order';
COMMENT ON FUNCTION halfvec_in(cstring, oid, integer) IS
    'text input of halfvec (the form [1,2,3]), checked against the type modifier';
COMMENT ON FUNCTION halfvec_l2_squared_distance(halfvec, halfvec) IS
    'squared Euclidean distance between two halfvec values: ranks as l2_distance does, without the square root (index support)';
COMMENT ON FUNCTION halfvec_le(halfvec, halfvec) IS
    'function of the operator <=: true if the first halfvec sorts before or equals the second in btree order';
COMMENT ON FUNCTION halfvec_lt(halfvec, halfvec) IS
    'function of the operator <: true if the first halfvec sorts before the second in btree order';
COMMENT ON FUNCTION halfvec_mul(halfvec, halfvec) IS
    'function of the operator *: element-wise product of two halfvec values';
COMMENT ON FUNCTION halfvec_ne(halfvec, halfvec) IS
    'function of the operator <>: true if the first halfvec differs from the second in btree order';
COMMENT ON FUNCTION halfvec_negative_inner_product(halfvec, halfvec) IS
    'the dot product of two halfvec values, negated so that smaller means closer; also the operator <#>';
COMMENT ON FUNCTION halfvec_out(halfvec) IS 'text output of halfvec';
COMMENT ON FUNCTION halfvec_recv(internal, oid, integer) IS
    'binary input of halfvec (COPY BINARY, binary bind parameters), checked like text input';
COMMENT ON FUNCTION halfvec_send(halfvec) IS 'binary output of halfvec';
COMMENT ON FUNCTION halfvec_spherical_distance(halfvec, halfvec) IS
    'angle between two unit-length halfvec values, divided by pi (ivfflat support for cosine k-means)';
COMMENT ON FUNCTION halfvec_sub(halfvec, halfvec) IS
    'function of the operator -: element-wise difference of two halfvec values';
COMMENT ON FUNCTION halfvec_to_float4(halfvec, integer, boolean) IS 'cast from halfvec to real[]';
COMMENT ON FUNCTION halfvec_to_sparsevec(halfvec, integer, boolean) IS
    'cast from halfvec to sparsevec, keeping only the non-zero elements';
COMMENT ON FUNCTION halfvec_to_vector(halfvec, integer, boolean) IS 'cast from halfvec to vector, exact';
COMMENT ON FUNCTION halfvec_typmod_in(cstring[]) IS 'reads the dimensions written in halfvec(n) and checks them';
COMMENT ON FUNCTION hamming_distance(bit, bit) IS
    'number of positions at which two bit strings of the same length differ; also the operator <~>';
COMMENT ON FUNCTION hnsw_bit_support(internal) IS
    'hnsw support function 3: tells the index that its elements are bit values';
COMMENT ON FUNCTION hnsw_halfvec_support(internal) IS
    'hnsw support function 3: tells the index that its elements are halfvec values';
COMMENT ON FUNCTION hnsw_sparsevec_support(internal) IS
    'hnsw support function 3: tells the index that its elements are sparsevec values';
COMMENT ON FUNCTION hnswhandler(internal) IS 'returns the callbacks of the hnsw index access method';
COMMENT ON FUNCTION inner_product(halfvec, halfvec) IS
    'dot product of two halfvec values of the same dimensions (the operator <#> returns its negation)';
COMMENT ON FUNCTION inner_product(sparsevec, sparsevec) IS
    'dot product of two sparsevec values of the same dimensions (the operator <#> returns its negation)';
COMMENT ON FUNCTION inner_product(vector, vector) IS
    'dot product of two vector values of the same dimensions (the operator <#> returns its negation)';
COMMENT ON FUNCTION ivfflathandler(internal) IS 'returns the callbacks of the ivfflat index access method';
COMMENT ON FUNCTION jaccard_distance(bit, bit) IS
    'one minus (bits set in both) / (bits set in either) of two bit strings of the same length; also the operator <%>';
COMMENT ON FUNCTION l1_distance(halfvec, halfvec) IS
    'Manhattan (L1) distance, the sum of the absolute element differences, between two halfvec values; also the operator <+>';
COMMENT ON FUNCTION l1_distance(sparsevec, sparsevec) IS
    'Manhattan (L1) distance, the sum of the absolute element differences, between two sparsevec values; also the operator <+>';
COMMENT ON FUNCTION l1_distance(vector, vector) IS
    'Manhattan (L1) distance, the sum of the absolute element differences, between two vector values; also the operator <+>';
COMMENT ON FUNCTION l2_distance(halfvec, halfvec) IS
    'Euclidean (L2) distance between two halfvec values of the same dimensions; also the operator <->';
COMMENT ON FUNCTION l2_distance(sparsevec, sparsevec) IS
    'Euclidean (L2) distance between two sparsevec values of the same dimensions; also the operator <->';
COMMENT ON FUNCTION l2_distance(vector, vector) IS
    'Euclidean (L2) distance between two vector values of the same dimensions; also the operator <->';
COMMENT ON FUNCTION l2_norm(halfvec) IS 'length of a halfvec value: the square root of the sum of its squared elements';
COMMENT ON FUNCTION l2_norm(sparsevec) IS
    'length of a sparsevec value: the square root of the sum of its squared elements';
COMMENT ON FUNCTION l2_normalize(halfvec) IS 'the halfvec value divided by its length, so that its Euclidean norm is 1';
COMMENT ON FUNCTION l2_normalize(sparsevec) IS
    'the sparsevec value divided by its length, so that its Euclidean norm is 1';
COMMENT ON FUNCTION l2_normalize(vector) IS 'the vector value divided by its length, so that its Euclidean norm is 1';
COMMENT ON FUNCTION sparsevec(sparsevec, integer, boolean) IS
    'applies a sparsevec(n) type modifier: the value must have n dimensions';
COMMENT ON FUNCTION sparsevec_cmp(sparsevec, sparsevec) IS
    'btree support: -1, 0 or 1 as the first sparsevec sorts before, equal to or after the second';
COMMENT ON FUNCTION sparsevec_eq(sparsevec, sparsevec) IS
    'function of the operator =: true if the first sparsevec equals the second in btree order';
COMMENT ON FUNCTION sparsevec_ge(sparsevec, sparsevec) IS
    'function of the operator >=: true if the first sparsevec sorts after or equals the second in btree order';
COMMENT ON FUNCTION sparsevec_gt(sparsevec, sparsevec) IS
    'function of the operator >: true if the first sparsevec sorts after the second in btree order';
COMMENT ON FUNCTION sparsevec_in(cstring, oid, integer) IS
    'text input of sparsevec (the form {index:value,...}/dimensions), checked against the type modifier';
COMMENT ON FUNCTION sparsevec_l2_squared_distance(sparsevec, sparsevec) IS
    'squared Euclidean distance between two sparsevec values: ranks as l2_distance does, without the square root (index support)';
COMMENT ON FUNCTION sparsevec_le(sparsevec, sparsevec) IS
    'function of the operator <=: true if the first sparsevec sorts before or equals the second in btree order';
COMMENT ON FUNCTION sparsevec_lt(sparsevec, sparsevec) IS
    'function of the operator <: true if the first sparsevec sorts before the second in btree order';
COMMENT ON FUNCTION sparsevec_ne(sparsevec, sparsevec) IS
    'function of the operator <>: true if the first sparsevec differs from the second in btree order';
COMMENT ON FUNCTION sparsevec_negative_inner_product(sparsevec, sparsevec) IS
    'the dot product of two sparsevec values, negated so that smaller means closer; also the operator <#>';
COMMENT ON FUNCTION sparsevec_out(sparsevec) IS 'text output of sparsevec';
COMMENT ON FUNCTION sparsevec_recv(internal, oid, integer) IS
    'binary input of sparsevec (COPY BINARY, binary bind parameters), checked like text input';
COMMENT ON FUNCTION sparsevec_send(sparsevec) IS 'binary output of sparsevec';
COMMENT ON FUNCTION sparsevec_to_halfvec(sparsevec, integer, boolean) IS
    'cast from sparsevec to halfvec; an element beyond half precision''s range is an error';
COMMENT ON FUNCTION sparsevec_to_vector(sparsevec, integer, boolean) IS
    'cast from sparsevec to vector, zeros where no element is stored';
COMMENT ON FUNCTION sparsevec_typmod_in(cstring[]) IS 'reads the dimensions written in sparsevec(n) and checks them';
COMMENT ON FUNCTION subvector(halfvec, integer, integer) IS
    'part of a halfvec value: count elements starting at a 1-based position';
COMMENT ON FUNCTION subvector(vector, integer, integer) IS
    'part of a vector value: count elements starting at a 1-based position';
COMMENT ON FUNCTION vector(vector, integer, boolean) IS
    'applies a vector(n) type modifier: the value must have n dimensions';
COMMENT ON FUNCTION vector_accum(double precision[], vector) IS
    'avg(vector) and sum(vector) transition: adds one value to the state (count, then element sums)';
COMMENT ON FUNCTION vector_add(vector, vector) IS 'function of the operator +: element-wise sum of two vector values';
COMMENT ON FUNCTION vector_avg(double precision[]) IS
    'avg(vector) final step: the element sums of the state divided by its count';
COMMENT ON FUNCTION vector_cmp(vector, vector) IS
    'btree support: -1, 0 or 1 as the first vector sorts before, equal to or after the second';
COMMENT ON FUNCTION vector_combine(double precision[], double precision[]) IS
    'avg(vector) and sum(vector): merges two partial states (parallel aggregation)';
COMMENT ON FUNCTION vector_concat(vector, vector) IS
    'function of the operator ||: the elements of the first vector followed by those of the second';
COMMENT ON FUNCTION vector_dims(halfvec) IS 'how many dimensions a halfvec value has';
COMMENT ON FUNCTION vector_dims(vector) IS 'how many dimensions a vector value has';
COMMENT ON FUNCTION vector_eq(vector, vector) IS
    'function of the operator =: true if the first vector equals the second in btree order';
COMMENT ON FUNCTION vector_ge(vector, vector) IS
    'function of the operator >=: true if the first vector sorts after or equals the second in btree order';
COMMENT ON FUNCTION vector_gt(vector, vector) IS
    'function of the operator >: true if the first vector sorts after the second in btree order';
COMMENT ON FUNCTION vector_in(cstring, oid, integer) IS
    'text input of vector (the form [1,2,3]), checked against the type modifier';
COMMENT ON FUNCTION vector_l2_squared_distance(vector, vector) IS
    'squared Euclidean distance between two vector values: ranks as l2_distance does, without the square root (index support)';
COMMENT ON FUNCTION vector_le(vector, vector) IS
    'function of the operator <=: true if the first vector sorts before or equals the second in btree order';
COMMENT ON FUNCTION vector_lt(vector, vector) IS
    'function of the operator <: true if the first vector sorts before the second in btree order';
COMMENT ON FUNCTION vector_mul(vector, vector) IS
    'function of the operator *: element-wise product of two vector values';
COMMENT ON FUNCTION vector_ne(vector, vector) IS
    'function of the operator <>: true if the first vector differs from the second in btree order';
COMMENT ON FUNCTION vector_negative_inner_product(vector, vector) IS
    'the dot product of two vector values, negated so that smaller means closer; also the operator <#>';
COMMENT ON FUNCTION vector_norm(vector) IS 'length of a vector: the square root of the sum of its squared elements';
COMMENT ON FUNCTION vector_out(vector) IS 'text output of vector';
COMMENT ON FUNCTION vector_recv(internal, oid, integer) IS
    'binary input of vector (COPY BINARY, binary bind parameters), checked like text input';
COMMENT ON FUNCTION vector_send(vector) IS 'binary output of vector';
COMMENT ON FUNCTION vector_spherical_distance(vector, vector) IS
    'angle between two unit-length vector values, divided by pi (ivfflat support for cosine k-means)';
COMMENT ON FUNCTION vector_sub(vector, vector) IS
    'function of the operator -: element-wise difference of two vector values';
COMMENT ON FUNCTION vector_to_float4(vector, integer, boolean) IS 'cast from vector to real[]';
COMMENT ON FUNCTION vector_to_halfvec(vector, integer, boolean) IS
    'cast from vector to halfvec; an element beyond half precision''s range is an error';
COMMENT ON FUNCTION vector_to_sparsevec(vector, integer, boolean) IS
    'cast from vector to sparsevec, keeping only the non-zero elements';
COMMENT ON FUNCTION vector_typmod_in(cstring[]) IS 'reads the dimensions written in vector(n) and checks them';
COMMENT ON FUNCTION vecrbac._boundary_selftest(text) IS
    'test only (test/sql/boundary.sql): raises a C++ failure of the given kind to show that it becomes a clean SQL error';
COMMENT ON FUNCTION vecrbac._forget_stale() IS
    'internal: removes registry rows whose table no longer carries its collection''s vecrbac_truncate trigger';
COMMENT ON FUNCTION vecrbac._load() IS
    'internal: loads the library when a protected table''s policy is planned; the planner folds the call to true';
COMMENT ON FUNCTION vecrbac._on_ddl_end() IS
    'internal, event trigger vecrbac_ddl_end: registers the collection named by a vecrbac_truncate trigger that was created or altered';
COMMENT ON FUNCTION vecrbac._on_sql_drop() IS
    'internal, event trigger vecrbac_sql_drop: forgets the collections of dropped tables and triggers';
COMMENT ON FUNCTION vecrbac._trigger_args(oid) IS
    'internal: the arguments of a trigger (pg_trigger.tgargs) as a text array';
COMMENT ON FUNCTION vecrbac._truncate_guard() IS
    'trigger function of protected tables: TRUNCATE is allowed only to a token that may delete every row of the collection';
COMMENT ON FUNCTION vecrbac.hnsw_check(regclass) IS
    'checks the pages and graph of an hnsw index: one row per problem (error, warning) and info rows with a summary; superuser only unless granted';
COMMENT ON FUNCTION vecrbac.jwt_sign(jsonb, bytea, text) IS
    'signs the claims as a compact JWT with the given algorithm; key is the HMAC secret as bytes, or a private key (PEM or JWK)';
COMMENT ON FUNCTION vecrbac.jwt_sign(jsonb, text, text) IS
    'signs the claims as a compact JWT with the given algorithm; key as text: an HMAC secret as its UTF-8 bytes, or a private key (PEM or JWK)';
COMMENT ON FUNCTION vecrbac.jwt_verify(text, bytea, text[], integer, boolean) IS
    'verifies a compact JWT (signature, algorithm among those allowed, exp and nbf with leeway seconds) and returns its claims; key is the HMAC secret as bytes, or a public key (PEM or JWK); a refused token raises 28000';
COMMENT ON FUNCTION vecrbac.jwt_verify(text, text, text[], integer, boolean) IS
    'verifies a compact JWT (signature, algorithm among those allowed, exp and nbf with leeway seconds) and returns its claims; key as text: an HMAC secret as its UTF-8 bytes, or a public key (PEM or JWK); a refused token raises 28000';
COMMENT ON FUNCTION vecrbac.key_scope(text, text) IS
    'policy accessor: the values of one key column that the session token may see or write in a collection';
COMMENT ON FUNCTION vecrbac.logout() IS 'forgets the session token, as RESET vecrbac.token does';
COMMENT ON FUNCTION vecrbac.payload_scope(text, text[]) IS
    'policy accessor: the payload conditions of the session token''s grants on a collection (key columns excluded)';
COMMENT ON FUNCTION vecrbac.policy_condition(text, text, name, jsonb) IS
    'the SQL condition that protect() writes into the policies of one operation (read or write) of a collection';
COMMENT ON FUNCTION vecrbac.row_scope(text, text[]) IS
    'policy accessor: key columns and payload tested together, for tokens whose grants combine them';
COMMENT ON FUNCTION vecrbac.scope(jsonb) IS 'cast from jsonb to vecrbac.scope; the document''s shape is checked';
COMMENT ON FUNCTION vecrbac.scope_contains(bigint, vecrbac.scope) IS
    'function of OPERATOR(vecrbac.<@) for bigint: true when the value lies within the scope';
COMMENT ON FUNCTION vecrbac.scope_contains(boolean, vecrbac.scope) IS
    'function of OPERATOR(vecrbac.<@) for boolean: true when the value lies within the scope';
COMMENT ON FUNCTION vecrbac.scope_contains(integer, vecrbac.scope) IS
    'function of OPERATOR(vecrbac.<@) for integer: true when the value lies within the scope';
COMMENT ON FUNCTION vecrbac.scope_contains(jsonb, vecrbac.scope) IS
    'function of OPERATOR(vecrbac.<@) for jsonb: true when the value lies within the scope (an array in the payload matches if one element does)';
COMMENT ON FUNCTION vecrbac.scope_contains(smallint, vecrbac.scope) IS
    'function of OPERATOR(vecrbac.<@) for smallint: true when the value lies within the scope';
COMMENT ON FUNCTION vecrbac.scope_contains(text, vecrbac.scope) IS
    'function of OPERATOR(vecrbac.<@) for text: true when the value lies within the scope';
COMMENT ON FUNCTION vecrbac.scope_contains(uuid, vecrbac.scope) IS
    'function of OPERATOR(vecrbac.<@) for uuid: true when the value lies within the scope';
COMMENT ON FUNCTION vecrbac.scope_holds(jsonb, vecrbac.scope) IS
    'function of OPERATOR(vecrbac.<<@): true when the payload lies wholly within the scope (every element of an array at a scoped path)';
COMMENT ON FUNCTION vecrbac.scope_in(cstring) IS 'text input of vecrbac.scope (a JSON document)';
COMMENT ON FUNCTION vecrbac.scope_is_exact(text, text[]) IS
    'policy accessor: true when key_scope and payload_scope alone describe exactly the rows the session token may use';
COMMENT ON FUNCTION vecrbac.scope_out(vecrbac.scope) IS 'text output of vecrbac.scope (a JSON document)';
COMMENT ON FUNCTION vecrbac.scope_recv(internal) IS 'binary input of vecrbac.scope';
COMMENT ON FUNCTION vecrbac.scope_restrict_sel(internal, oid, internal, integer) IS
    'planner estimate of the fraction of rows that pass OPERATOR(vecrbac.<@)';
COMMENT ON FUNCTION vecrbac.scope_send(vecrbac.scope) IS 'binary output of vecrbac.scope';
COMMENT ON FUNCTION vecrbac.unprotect(regclass) IS
    'undoes protect(): drops the table''s token policies and truncate guard, and disables row-level security when no other policy is left';

-- ---- aggregates -------------------------------------------------------------
COMMENT ON AGGREGATE avg(halfvec) IS 'aggregate: element-wise arithmetic mean of the non-null halfvec values';
COMMENT ON AGGREGATE avg(vector) IS 'aggregate: element-wise arithmetic mean of the non-null vector values';
COMMENT ON AGGREGATE sum(halfvec) IS 'aggregate: element-wise sum of the non-null halfvec values';
COMMENT ON AGGREGATE sum(vector) IS 'aggregate: element-wise sum of the non-null vector values';

-- ---- operators --------------------------------------------------------------
COMMENT ON OPERATOR * (halfvec, halfvec) IS 'element-wise product of two halfvec values of the same dimensions';
COMMENT ON OPERATOR * (vector, vector) IS 'element-wise product of two vector values of the same dimensions';
COMMENT ON OPERATOR + (halfvec, halfvec) IS 'element-wise sum of two halfvec values of the same dimensions';
COMMENT ON OPERATOR + (vector, vector) IS 'element-wise sum of two vector values of the same dimensions';
COMMENT ON OPERATOR - (halfvec, halfvec) IS 'element-wise difference of two halfvec values of the same dimensions';
COMMENT ON OPERATOR - (vector, vector) IS 'element-wise difference of two vector values of the same dimensions';
COMMENT ON OPERATOR < (halfvec, halfvec) IS 'true if the first halfvec sorts before the second (btree order)';
COMMENT ON OPERATOR < (sparsevec, sparsevec) IS 'true if the first sparsevec sorts before the second (btree order)';
COMMENT ON OPERATOR < (vector, vector) IS 'true if the first vector sorts before the second (btree order)';
COMMENT ON OPERATOR <#> (halfvec, halfvec) IS
    'negated dot product (smaller is closer) between two halfvec values; ORDER BY it with LIMIT can use an index with the opclass halfvec_ip_ops';
COMMENT ON OPERATOR <#> (sparsevec, sparsevec) IS
    'negated dot product (smaller is closer) between two sparsevec values; ORDER BY it with LIMIT can use an index with the opclass sparsevec_ip_ops';
COMMENT ON OPERATOR <#> (vector, vector) IS
    'negated dot product (smaller is closer) between two vector values; ORDER BY it with LIMIT can use an index with the opclass vector_ip_ops';
COMMENT ON OPERATOR <%> (bit, bit) IS
    'Jaccard distance between bit strings of the same length; ORDER BY it with LIMIT can use an hnsw index with the opclass bit_jaccard_ops';
COMMENT ON OPERATOR <+> (halfvec, halfvec) IS
    'Manhattan (L1) distance between two halfvec values; ORDER BY it with LIMIT can use an index with the opclass halfvec_l1_ops';
COMMENT ON OPERATOR <+> (sparsevec, sparsevec) IS
    'Manhattan (L1) distance between two sparsevec values; ORDER BY it with LIMIT can use an index with the opclass sparsevec_l1_ops';
COMMENT ON OPERATOR <+> (vector, vector) IS
    'Manhattan (L1) distance between two vector values; ORDER BY it with LIMIT can use an index with the opclass vector_l1_ops';
COMMENT ON OPERATOR <-> (halfvec, halfvec) IS
    'Euclidean (L2) distance between two halfvec values; ORDER BY it with LIMIT can use an index with the opclass halfvec_l2_ops';
COMMENT ON OPERATOR <-> (sparsevec, sparsevec) IS
    'Euclidean (L2) distance between two sparsevec values; ORDER BY it with LIMIT can use an index with the opclass sparsevec_l2_ops';
COMMENT ON OPERATOR <-> (vector, vector) IS
    'Euclidean (L2) distance between two vector values; ORDER BY it with LIMIT can use an index with the opclass vector_l2_ops';
COMMENT ON OPERATOR <= (halfvec, halfvec) IS
    'true if the first halfvec sorts before or equals the second (btree order)';
COMMENT ON OPERATOR <= (sparsevec, sparsevec) IS
    'true if the first sparsevec sorts before or equals the second (btree order)';
COMMENT ON OPERATOR <= (vector, vector) IS 'true if the first vector sorts before or equals the second (btree order)';
COMMENT ON OPERATOR <=> (halfvec, halfvec) IS
    'cosine distance (one minus cosine similarity) between two halfvec values; ORDER BY it with LIMIT can use an index with the opclass halfvec_cosine_ops';
COMMENT ON OPERATOR <=> (sparsevec, sparsevec) IS
    'cosine distance (one minus cosine similarity) between two sparsevec values; ORDER BY it with LIMIT can use an index with the opclass sparsevec_cosine_ops';
COMMENT ON OPERATOR <=> (vector, vector) IS
    'cosine distance (one minus cosine similarity) between two vector values; ORDER BY it with LIMIT can use an index with the opclass vector_cosine_ops';
COMMENT ON OPERATOR <> (halfvec, halfvec) IS 'true if the first halfvec differs from the second (btree order)';
COMMENT ON OPERATOR <> (sparsevec, sparsevec) IS 'true if the first sparsevec differs from the second (btree order)';
COMMENT ON OPERATOR <> (vector, vector) IS 'true if the first vector differs from the second (btree order)';
COMMENT ON OPERATOR <~> (bit, bit) IS
    'Hamming distance between bit strings of the same length; ORDER BY it with LIMIT can use an hnsw index with the opclass bit_hamming_ops';
COMMENT ON OPERATOR = (halfvec, halfvec) IS 'true if the first halfvec equals the second (btree order)';
COMMENT ON OPERATOR = (sparsevec, sparsevec) IS 'true if the first sparsevec equals the second (btree order)';
COMMENT ON OPERATOR = (vector, vector) IS 'true if the first vector equals the second (btree order)';
COMMENT ON OPERATOR > (halfvec, halfvec) IS 'true if the first halfvec sorts after the second (btree order)';
COMMENT ON OPERATOR > (sparsevec, sparsevec) IS 'true if the first sparsevec sorts after the second (btree order)';
COMMENT ON OPERATOR > (vector, vector) IS 'true if the first vector sorts after the second (btree order)';
COMMENT ON OPERATOR >= (halfvec, halfvec) IS 'true if the first halfvec sorts after or equals the second (btree order)';
COMMENT ON OPERATOR >= (sparsevec, sparsevec) IS
    'true if the first sparsevec sorts after or equals the second (btree order)';
COMMENT ON OPERATOR >= (vector, vector) IS 'true if the first vector sorts after or equals the second (btree order)';
COMMENT ON OPERATOR || (halfvec, halfvec) IS 'concatenation of two halfvec values';
COMMENT ON OPERATOR || (vector, vector) IS 'concatenation of two vector values';
COMMENT ON OPERATOR vecrbac.<<@ (jsonb, vecrbac.scope) IS
    'is wholly within, for writes: the payload matches the scope and no array at a scoped path holds a value outside it';
COMMENT ON OPERATOR vecrbac.<@ (bigint, vecrbac.scope) IS
    'is within: true when the bigint value is one the scope admits; row-level security policies and the filter columns of hnsw and ivfflat indexes use it';
COMMENT ON OPERATOR vecrbac.<@ (boolean, vecrbac.scope) IS
    'is within: true when the boolean value is one the scope admits; row-level security policies and the filter columns of hnsw and ivfflat indexes use it';
COMMENT ON OPERATOR vecrbac.<@ (integer, vecrbac.scope) IS
    'is within: true when the integer value is one the scope admits; row-level security policies and the filter columns of hnsw and ivfflat indexes use it';
COMMENT ON OPERATOR vecrbac.<@ (jsonb, vecrbac.scope) IS
    'is within: true when the jsonb value is one the scope admits; row-level security policies and the filter columns of hnsw and ivfflat indexes use it';
COMMENT ON OPERATOR vecrbac.<@ (smallint, vecrbac.scope) IS
    'is within: true when the smallint value is one the scope admits; row-level security policies and the filter columns of hnsw and ivfflat indexes use it';
COMMENT ON OPERATOR vecrbac.<@ (text, vecrbac.scope) IS
    'is within: true when the text value is one the scope admits; row-level security policies and the filter columns of hnsw and ivfflat indexes use it';
COMMENT ON OPERATOR vecrbac.<@ (uuid, vecrbac.scope) IS
    'is within: true when the uuid value is one the scope admits; row-level security policies and the filter columns of hnsw and ivfflat indexes use it';

-- ---- index access methods ---------------------------------------------------
COMMENT ON ACCESS METHOD hnsw IS
    'graph index (hierarchical navigable small world) for approximate nearest-neighbour search, with filter columns and token scopes';
COMMENT ON ACCESS METHOD ivfflat IS
    'inverted-list index (k-means clusters, probed at search time) for approximate nearest-neighbour search, with filter columns and token scopes';

-- ---- operator classes -------------------------------------------------------
COMMENT ON OPERATOR CLASS bit_hamming_ops USING hnsw IS 'hnsw index of bit strings ordered by <~> (Hamming distance)';
COMMENT ON OPERATOR CLASS bit_jaccard_ops USING hnsw IS 'hnsw index of bit strings ordered by <%> (Jaccard distance)';
COMMENT ON OPERATOR CLASS bool_ops USING hnsw IS
    'hnsw filter column of type boolean: conditions with = and OPERATOR(vecrbac.<@) scope become index conditions';
COMMENT ON OPERATOR CLASS bool_ops USING ivfflat IS
    'ivfflat filter column of type boolean: conditions with = and OPERATOR(vecrbac.<@) scope become index conditions';
COMMENT ON OPERATOR CLASS halfvec_cosine_ops USING hnsw IS
    'hnsw index of halfvec values ordered by <=> (cosine distance)';
COMMENT ON OPERATOR CLASS halfvec_ip_ops USING hnsw IS
    'hnsw index of halfvec values ordered by <#> (negated dot product)';
COMMENT ON OPERATOR CLASS halfvec_l1_ops USING hnsw IS
    'hnsw index of halfvec values ordered by <+> (Manhattan distance)';
COMMENT ON OPERATOR CLASS halfvec_l2_ops USING hnsw IS
    'hnsw index of halfvec values ordered by <-> (Euclidean distance)';
COMMENT ON OPERATOR CLASS halfvec_ops USING btree IS
    'btree ordering of halfvec values (comparison operators, ORDER BY, unique indexes)';
COMMENT ON OPERATOR CLASS int2_ops USING hnsw IS
    'hnsw filter column of type smallint: conditions with = and OPERATOR(vecrbac.<@) scope become index conditions';
COMMENT ON OPERATOR CLASS int2_ops USING ivfflat IS
    'ivfflat filter column of type smallint: conditions with = and OPERATOR(vecrbac.<@) scope become index conditions';
COMMENT ON OPERATOR CLASS int4_ops USING hnsw IS
    'hnsw filter column of type integer: conditions with = and OPERATOR(vecrbac.<@) scope become index conditions';
COMMENT ON OPERATOR CLASS int4_ops USING ivfflat IS
    'ivfflat filter column of type integer: conditions with = and OPERATOR(vecrbac.<@) scope become index conditions';
COMMENT ON OPERATOR CLASS int8_ops USING hnsw IS
    'hnsw filter column of type bigint: conditions with = and OPERATOR(vecrbac.<@) scope become index conditions';
COMMENT ON OPERATOR CLASS int8_ops USING ivfflat IS
    'ivfflat filter column of type bigint: conditions with = and OPERATOR(vecrbac.<@) scope become index conditions';
COMMENT ON OPERATOR CLASS jsonb_ops USING hnsw IS
    'hnsw filter column of type jsonb: conditions with @> (containment) and OPERATOR(vecrbac.<@) scope become index conditions';
COMMENT ON OPERATOR CLASS jsonb_ops USING ivfflat IS
    'ivfflat filter column of type jsonb: conditions with @> (containment) and OPERATOR(vecrbac.<@) scope become index conditions';
COMMENT ON OPERATOR CLASS sparsevec_cosine_ops USING hnsw IS
    'hnsw index of sparsevec values ordered by <=> (cosine distance)';
COMMENT ON OPERATOR CLASS sparsevec_ip_ops USING hnsw IS
    'hnsw index of sparsevec values ordered by <#> (negated dot product)';
COMMENT ON OPERATOR CLASS sparsevec_l1_ops USING hnsw IS
    'hnsw index of sparsevec values ordered by <+> (Manhattan distance)';
COMMENT ON OPERATOR CLASS sparsevec_l2_ops USING hnsw IS
    'hnsw index of sparsevec values ordered by <-> (Euclidean distance)';
COMMENT ON OPERATOR CLASS sparsevec_ops USING btree IS
    'btree ordering of sparsevec values (comparison operators, ORDER BY, unique indexes)';
COMMENT ON OPERATOR CLASS text_ops USING hnsw IS
    'hnsw filter column of type text: conditions with = and OPERATOR(vecrbac.<@) scope become index conditions';
COMMENT ON OPERATOR CLASS text_ops USING ivfflat IS
    'ivfflat filter column of type text: conditions with = and OPERATOR(vecrbac.<@) scope become index conditions';
COMMENT ON OPERATOR CLASS uuid_ops USING hnsw IS
    'hnsw filter column of type uuid: conditions with = and OPERATOR(vecrbac.<@) scope become index conditions';
COMMENT ON OPERATOR CLASS uuid_ops USING ivfflat IS
    'ivfflat filter column of type uuid: conditions with = and OPERATOR(vecrbac.<@) scope become index conditions';
COMMENT ON OPERATOR CLASS vector_cosine_ops USING hnsw IS
    'hnsw index of vector values ordered by <=> (cosine distance)';
COMMENT ON OPERATOR CLASS vector_cosine_ops USING ivfflat IS
    'ivfflat index of vector values ordered by <=> (cosine distance)';
COMMENT ON OPERATOR CLASS vector_ip_ops USING hnsw IS
    'hnsw index of vector values ordered by <#> (negated dot product)';
COMMENT ON OPERATOR CLASS vector_ip_ops USING ivfflat IS
    'ivfflat index of vector values ordered by <#> (negated dot product)';
COMMENT ON OPERATOR CLASS vector_l1_ops USING hnsw IS 'hnsw index of vector values ordered by <+> (Manhattan distance)';
COMMENT ON OPERATOR CLASS vector_l2_ops USING hnsw IS 'hnsw index of vector values ordered by <-> (Euclidean distance)';
COMMENT ON OPERATOR CLASS vector_l2_ops USING ivfflat IS
    'ivfflat index of vector values ordered by <-> (Euclidean distance)';
COMMENT ON OPERATOR CLASS vector_ops USING btree IS
    'btree ordering of vector values (comparison operators, ORDER BY, unique indexes)';

-- ---- operator families ------------------------------------------------------
COMMENT ON OPERATOR FAMILY bit_hamming_ops USING hnsw IS 'family of the hnsw operator class bit_hamming_ops';
COMMENT ON OPERATOR FAMILY bit_jaccard_ops USING hnsw IS 'family of the hnsw operator class bit_jaccard_ops';
COMMENT ON OPERATOR FAMILY bool_ops USING hnsw IS 'family of the hnsw operator class bool_ops';
COMMENT ON OPERATOR FAMILY bool_ops USING ivfflat IS 'family of the ivfflat operator class bool_ops';
COMMENT ON OPERATOR FAMILY halfvec_cosine_ops USING hnsw IS 'family of the hnsw operator class halfvec_cosine_ops';
COMMENT ON OPERATOR FAMILY halfvec_ip_ops USING hnsw IS 'family of the hnsw operator class halfvec_ip_ops';
COMMENT ON OPERATOR FAMILY halfvec_l1_ops USING hnsw IS 'family of the hnsw operator class halfvec_l1_ops';
COMMENT ON OPERATOR FAMILY halfvec_l2_ops USING hnsw IS 'family of the hnsw operator class halfvec_l2_ops';
COMMENT ON OPERATOR FAMILY halfvec_ops USING btree IS 'family of the btree operator class halfvec_ops';
COMMENT ON OPERATOR FAMILY integer_ops USING hnsw IS
    'family of the hnsw operator classes int2_ops, int4_ops and int8_ops, with = across the three types (a bigint column takes an integer constant)';
COMMENT ON OPERATOR FAMILY integer_ops USING ivfflat IS
    'family of the ivfflat operator classes int2_ops, int4_ops and int8_ops, with = across the three types (a bigint column takes an integer constant)';
COMMENT ON OPERATOR FAMILY jsonb_ops USING hnsw IS 'family of the hnsw operator class jsonb_ops';
COMMENT ON OPERATOR FAMILY jsonb_ops USING ivfflat IS 'family of the ivfflat operator class jsonb_ops';
COMMENT ON OPERATOR FAMILY sparsevec_cosine_ops USING hnsw IS 'family of the hnsw operator class sparsevec_cosine_ops';
COMMENT ON OPERATOR FAMILY sparsevec_ip_ops USING hnsw IS 'family of the hnsw operator class sparsevec_ip_ops';
COMMENT ON OPERATOR FAMILY sparsevec_l1_ops USING hnsw IS 'family of the hnsw operator class sparsevec_l1_ops';
COMMENT ON OPERATOR FAMILY sparsevec_l2_ops USING hnsw IS 'family of the hnsw operator class sparsevec_l2_ops';
COMMENT ON OPERATOR FAMILY sparsevec_ops USING btree IS 'family of the btree operator class sparsevec_ops';
COMMENT ON OPERATOR FAMILY text_ops USING hnsw IS 'family of the hnsw operator class text_ops';
COMMENT ON OPERATOR FAMILY text_ops USING ivfflat IS 'family of the ivfflat operator class text_ops';
COMMENT ON OPERATOR FAMILY uuid_ops USING hnsw IS 'family of the hnsw operator class uuid_ops';
COMMENT ON OPERATOR FAMILY uuid_ops USING ivfflat IS 'family of the ivfflat operator class uuid_ops';
COMMENT ON OPERATOR FAMILY vector_cosine_ops USING hnsw IS 'family of the hnsw operator class vector_cosine_ops';
COMMENT ON OPERATOR FAMILY vector_cosine_ops USING ivfflat IS 'family of the ivfflat operator class vector_cosine_ops';
COMMENT ON OPERATOR FAMILY vector_ip_ops USING hnsw IS 'family of the hnsw operator class vector_ip_ops';
COMMENT ON OPERATOR FAMILY vector_ip_ops USING ivfflat IS 'family of the ivfflat operator class vector_ip_ops';
COMMENT ON OPERATOR FAMILY vector_l1_ops USING hnsw IS 'family of the hnsw operator class vector_l1_ops';
COMMENT ON OPERATOR FAMILY vector_l2_ops USING hnsw IS 'family of the hnsw operator class vector_l2_ops';
COMMENT ON OPERATOR FAMILY vector_l2_ops USING ivfflat IS 'family of the ivfflat operator class vector_l2_ops';
COMMENT ON OPERATOR FAMILY vector_ops USING btree IS 'family of the btree operator class vector_ops';

-- ---- schema vecrbac, its registry and event triggers ------------------------
COMMENT ON SCHEMA vecrbac IS
    'vecrbac''s own objects: JWT verification and signing, session tokens, collections and their row-level security';
COMMENT ON TABLE vecrbac.collections IS
    'registry of collections (protected tables), written only by vecrbac''s event triggers; readable by everyone';
COMMENT ON EVENT TRIGGER vecrbac_ddl_end IS
    'registers a collection when protect() puts a vecrbac_truncate trigger on its table';
COMMENT ON EVENT TRIGGER vecrbac_sql_drop IS
    'removes collections from the registry when their table or trigger is dropped';

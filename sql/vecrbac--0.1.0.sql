-- vecrbac 0.1.0, as released: frozen (assembled from sql/parts at commit 5366029); do not edit.
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

-- ---- sql/parts/15_scope.sql
-- vecrbac.scope: the rows a token may see in one column (src/filter/scope.h).
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

-- "is within": true when the value is in the scope. The estimate is that of an
-- equality, the common case of a tenant's own rows.
CREATE OPERATOR vecrbac.<@ (LEFTARG = int2, RIGHTARG = vecrbac.scope, FUNCTION = vecrbac.scope_contains, RESTRICT = eqsel, JOIN = eqjoinsel);
CREATE OPERATOR vecrbac.<@ (LEFTARG = int4, RIGHTARG = vecrbac.scope, FUNCTION = vecrbac.scope_contains, RESTRICT = eqsel, JOIN = eqjoinsel);
CREATE OPERATOR vecrbac.<@ (LEFTARG = int8, RIGHTARG = vecrbac.scope, FUNCTION = vecrbac.scope_contains, RESTRICT = eqsel, JOIN = eqjoinsel);
CREATE OPERATOR vecrbac.<@ (LEFTARG = boolean, RIGHTARG = vecrbac.scope, FUNCTION = vecrbac.scope_contains, RESTRICT = eqsel, JOIN = eqjoinsel);
CREATE OPERATOR vecrbac.<@ (LEFTARG = text, RIGHTARG = vecrbac.scope, FUNCTION = vecrbac.scope_contains, RESTRICT = eqsel, JOIN = eqjoinsel);
CREATE OPERATOR vecrbac.<@ (LEFTARG = uuid, RIGHTARG = vecrbac.scope, FUNCTION = vecrbac.scope_contains, RESTRICT = eqsel, JOIN = eqjoinsel);
CREATE OPERATOR vecrbac.<@ (LEFTARG = jsonb, RIGHTARG = vecrbac.scope, FUNCTION = vecrbac.scope_contains, RESTRICT = contsel, JOIN = contjoinsel);

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

-- ---- sql/parts/30_jwt.sql
-- JWT: verification and signing of compact JWS tokens (docs/jwt.md).
--
-- The caller chooses the algorithms and the key; the token's header never does.
-- Every refusal of a token raises SQLSTATE 28000 with a message naming the failed
-- check; unusable keys or arguments raise 22023. Messages never contain the token,
-- the key or a MAC.

-- Returns the claims of a valid token. key is the HMAC secret (bytes) for HS*
-- algorithms, or a public key (PEM or JWK text) for EdDSA, ES256, RS256, PS256.
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
-- private key (PEM or JWK). VOLATILE: ES256 and PS256 signatures are randomized.
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
-- which rows the session may see and change. The accessors are STABLE and are called
-- inside scalar subqueries, so each runs once per statement (an InitPlan) and a key
-- column's scope reaches the hnsw index as `col OPERATOR(vecrbac.<@) scope`.

-- ---- the registry of collections --------------------------------------------------
-- Readable and writable only by the extension's own functions.
CREATE TABLE vecrbac.collections (
    name text PRIMARY KEY CHECK (name <> ''),
    rel regclass NOT NULL UNIQUE,
    payload_column name NOT NULL,
    key_columns jsonb NOT NULL DEFAULT '{}',   -- {token key: column name}
    created boolean NOT NULL DEFAULT false     -- made by create_collection
);
REVOKE ALL ON vecrbac.collections FROM PUBLIC;
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

-- ---- value_exists: run by the accessors as the extension's owner --------------------------
-- One row of the collection must match every pair. Keys naming key columns test the
-- column, others are payload paths; matching is that of vecrbac.scope (type-strict, an
-- array matches by element). Only names from the registry reach the query text; the
-- token's values are parameters.
CREATE FUNCTION vecrbac._value_exists(collection text, matches jsonb) RETURNS boolean
LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_variable
DECLARE
    c vecrbac.collections;
    cond text := 'true';
    by_column jsonb := '{}';
    in_payload jsonb := '{}';
    k text;
    v jsonb;
    col text;
    found boolean;
BEGIN
    SELECT * INTO c FROM vecrbac.collections WHERE name = collection;
    IF NOT FOUND OR NOT EXISTS (SELECT 1 FROM pg_class r WHERE r.oid = c.rel) THEN
        RETURN false;
    END IF;
    FOR k, v IN SELECT * FROM jsonb_each(matches) LOOP
        col := c.key_columns ->> k;
        IF col IS NULL THEN
            in_payload := in_payload || jsonb_build_object(k, v);
        ELSE
            by_column := by_column || jsonb_build_object(col, v);
        END IF;
    END LOOP;
    FOR col IN SELECT jsonb_object_keys(by_column) LOOP
        cond := cond || format(' AND %I OPERATOR(vecrbac.<@) vecrbac.scope(jsonb_build_object(''values'', jsonb_build_array($1 -> %L)))',
                               col, col);
    END LOOP;
    IF in_payload <> '{}' THEN
        cond := cond || format(' AND %I OPERATOR(vecrbac.<@) vecrbac.scope(jsonb_build_object(''any'', jsonb_build_array($2)))',
                               c.payload_column);
    END IF;
    EXECUTE format('SELECT EXISTS (SELECT 1 FROM %s WHERE %s)', c.rel, cond)
        INTO found USING by_column, in_payload;
    RETURN found;
END $$;
REVOKE ALL ON FUNCTION vecrbac._value_exists(text, jsonb) FROM PUBLIC;

-- ---- registry writes: owners of the table only ---------------------------------------------
-- SECURITY DEFINER (the registry is the extension's); the session's role must be able to
-- act as the table's owner. session_user, not current_user: inside a definer function
-- current_user is the definer, and a session can always act as its session user.
CREATE FUNCTION vecrbac._check_owner(rel regclass) RETURNS void
LANGUAGE plpgsql STABLE SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_class WHERE oid = rel AND pg_has_role(session_user, relowner, 'USAGE')) THEN
        RAISE EXCEPTION 'must be owner of table %', rel USING ERRCODE = '42501';
    END IF;
END $$;

CREATE FUNCTION vecrbac._register(rel regclass, collection text, payload_column name,
                                  key_columns jsonb, created boolean DEFAULT false) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_variable
DECLARE other text;
BEGIN
    PERFORM vecrbac._check_owner(rel);
    SELECT c.rel::text INTO other FROM vecrbac.collections c WHERE c.name = collection AND c.rel <> rel;
    IF FOUND THEN
        RAISE EXCEPTION 'collection "%" is already registered for table %', collection, other
            USING ERRCODE = '42710';
    END IF;
    SELECT c.name INTO other FROM vecrbac.collections c WHERE c.rel = rel AND c.name <> collection;
    IF FOUND THEN
        RAISE EXCEPTION 'table % is already protected as collection "%"', rel, other
            USING ERRCODE = '42710', HINT = 'Call vecrbac.unprotect first to rename it.';
    END IF;
    INSERT INTO vecrbac.collections AS c VALUES (collection, rel, payload_column, key_columns, created)
        ON CONFLICT (name) DO UPDATE
        SET payload_column = excluded.payload_column, key_columns = excluded.key_columns,
            created = c.created OR excluded.created;
END $$;

CREATE FUNCTION vecrbac._unregister(rel regclass) RETURNS void
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
#variable_conflict use_variable
BEGIN
    PERFORM vecrbac._check_owner(rel);
    DELETE FROM vecrbac.collections c WHERE c.rel = rel;
END $$;

-- The table of a collection, for drop_collection (which then needs ownership to drop
-- it); NULL if there is none. Table names and policies are public in the catalog anyway.
CREATE FUNCTION vecrbac._lookup(collection text) RETURNS regclass
LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
    SELECT c.rel FROM vecrbac.collections c JOIN pg_class r ON r.oid = c.rel WHERE c.name = collection
$$;

-- Dropped tables leave the registry.
CREATE FUNCTION vecrbac._on_sql_drop() RETURNS event_trigger
LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
BEGIN
    IF to_regclass('vecrbac.collections') IS NULL THEN
        RETURN; -- the extension itself is being dropped
    END IF;
    DELETE FROM vecrbac.collections c USING pg_event_trigger_dropped_objects() d
    WHERE d.classid = 'pg_class'::regclass AND d.objid = c.rel::oid;
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
--   AND (SELECT vecrbac.authorize(coll, op))                    an InitPlan
--   AND key OPERATOR(vecrbac.<@) (SELECT vecrbac.key_scope(coll, 'key'))   per key column
--   AND payload OPERATOR(vecrbac.<@) (SELECT vecrbac.payload_scope(coll, keys))
--   AND ((SELECT vecrbac.scope_is_exact(coll, keys))            only with key columns
--        OR jsonb_build_object('k', jsonb_build_object(...), 'p', payload)
--           OPERATOR(vecrbac.<@) (SELECT vecrbac.row_scope(coll, keys)))
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
BEGIN
    e := format('vecrbac._load() AND (SELECT vecrbac.authorize(%s, %L))', c, operation);
    FOREACH k IN ARRAY keys LOOP
        e := e || format(E'\n    AND %I OPERATOR(vecrbac.<@) (SELECT vecrbac.key_scope(%s, %L))',
                         key_columns ->> k, c, k);
        row_keys := row_keys || format('%s%L, %I', CASE WHEN row_keys = '' THEN '' ELSE ', ' END,
                                       k, key_columns ->> k);
    END LOOP;
    e := e || format(E'\n    AND %I OPERATOR(vecrbac.<@) (SELECT vecrbac.payload_scope(%s, %s))',
                     payload_column, c, klit);
    IF cardinality(keys) > 0 THEN
        e := e || format(E'\n    AND ((SELECT vecrbac.scope_is_exact(%s, %s))'
                         || E'\n         OR jsonb_build_object(''k'', jsonb_build_object(%s), ''p'', %I)'
                         || E'\n            OPERATOR(vecrbac.<@) (SELECT vecrbac.row_scope(%s, %s)))',
                         c, klit, row_keys, payload_column, c, klit);
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
BEGIN
    IF rel IS NULL OR payload_column IS NULL OR key_columns IS NULL THEN
        RAISE EXCEPTION 'rel, payload_column and key_columns must not be null' USING ERRCODE = '22004';
    END IF;
    SELECT c.relkind, c.relowner, c.relname INTO t FROM pg_class c WHERE c.oid = rel;
    IF NOT FOUND OR t.relkind NOT IN ('r', 'p') THEN
        RAISE EXCEPTION '% is not a table', rel USING ERRCODE = '42809';
    END IF;
    IF NOT pg_has_role(current_user, t.relowner, 'USAGE') THEN
        RAISE EXCEPTION 'must be owner of table %', rel USING ERRCODE = '42501';
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

    PERFORM vecrbac._register(rel, coll, payload_column, keys);

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
    EXECUTE format('CREATE OR REPLACE TRIGGER vecrbac_truncate BEFORE TRUNCATE ON %s '
                   'FOR EACH STATEMENT EXECUTE FUNCTION vecrbac._truncate_guard(%L)', rel, coll);
END $$;
COMMENT ON FUNCTION vecrbac.protect(regclass, text, name, jsonb) IS
    'registers a table as a collection, enables and forces row-level security and creates the token policies';

CREATE FUNCTION vecrbac.unprotect(rel regclass) RETURNS void
LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$
DECLARE owner oid; pol name;
BEGIN
    SELECT c.relowner INTO owner FROM pg_class c WHERE c.oid = rel AND c.relkind IN ('r', 'p');
    IF NOT FOUND THEN
        RAISE EXCEPTION '% is not a table', rel USING ERRCODE = '42809';
    END IF;
    IF NOT pg_has_role(current_user, owner, 'USAGE') THEN
        RAISE EXCEPTION 'must be owner of table %', rel USING ERRCODE = '42501';
    END IF;
    FOR pol IN SELECT p.polname FROM pg_policy p WHERE p.polrelid = rel
               AND p.polname IN ('vecrbac_select', 'vecrbac_insert', 'vecrbac_update', 'vecrbac_delete') LOOP
        EXECUTE format('DROP POLICY %I ON %s', pol, rel);
    END LOOP;
    EXECUTE format('DROP TRIGGER IF EXISTS vecrbac_truncate ON %s', rel);
    IF NOT EXISTS (SELECT 1 FROM pg_policy p WHERE p.polrelid = rel) THEN
        EXECUTE format('ALTER TABLE %s NO FORCE ROW LEVEL SECURITY, DISABLE ROW LEVEL SECURITY', rel);
    ELSE
        RAISE NOTICE 'row-level security stays enabled on %: it has other policies', rel;
    END IF;
    PERFORM vecrbac._unregister(rel);
END $$;

-- ---- manage operations: a token with global m, and the PostgreSQL privileges of the DDL --------
-- key_columns here declares columns to create: {"tenant_id": "bigint", ...}; each is also
-- the token key of the same name, and comes first in the hnsw index (the first one is
-- its partition column).
CREATE FUNCTION vecrbac.create_collection(name text, dimensions integer, distance text DEFAULT 'l2',
                                          key_columns jsonb DEFAULT '{}', m integer DEFAULT 16,
                                          ef_construction integer DEFAULT 64) RETURNS regclass
LANGUAGE plpgsql AS $$
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

    EXECUTE pg_catalog.format('CREATE TABLE %I (id bigserial PRIMARY KEY, %sembedding @extschema@.vector(%s) NOT NULL, '
                              'payload jsonb NOT NULL DEFAULT ''{}'')', name, cols, dimensions);
    rel := pg_catalog.format('%I.%I', pg_catalog.current_schema(), name)::regclass;
    IF dimensions <= 1900 THEN
        -- inline vectors: result rows are fetched without TOAST lookups
        EXECUTE pg_catalog.format('ALTER TABLE %s ALTER COLUMN embedding SET STORAGE PLAIN', rel);
    END IF;
    EXECUTE pg_catalog.format('CREATE INDEX %I ON %s USING hnsw (%sembedding @extschema@.%I, payload) '
                              'WITH (m = %s, ef_construction = %s)',
                              name || '_hnsw', rel, idxcols, opclass, m, ef_construction);
    PERFORM vecrbac.protect(rel, name, 'payload', keymap);
    PERFORM vecrbac._register(rel, name, 'payload', keymap, true);
    RETURN rel;
END $$;
COMMENT ON FUNCTION vecrbac.create_collection(text, integer, text, jsonb, integer, integer) IS
    'creates a protected collection table (id, embedding, payload, key columns) with its hnsw index; needs a token with global m';

CREATE FUNCTION vecrbac.drop_collection(name text) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE rel regclass;
BEGIN
    PERFORM vecrbac.authorize(name, 'manage');
    rel := vecrbac._lookup(name);
    IF rel IS NULL THEN
        RAISE EXCEPTION 'collection "%" does not exist', name USING ERRCODE = '42704';
    END IF;
    EXECUTE pg_catalog.format('DROP TABLE %s', rel);
END $$;
COMMENT ON FUNCTION vecrbac.drop_collection(text) IS 'drops a collection''s table; needs a token with global m and ownership';

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

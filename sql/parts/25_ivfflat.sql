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

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

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

-- pgvector 0.8's other types (halfvec, sparsevec, bit) with hnsw indexes, an
-- expression index (binary quantization) and a partial index; dumped into
-- types.dump.sql (README.md).
CREATE EXTENSION vector;

CREATE TABLE typed (
    id bigint PRIMARY KEY,
    h halfvec(16),
    s sparsevec(100),
    b bit(64)
);
INSERT INTO typed
SELECT i,
       (SELECT array_agg(round((hashint8(i * 100 + j) & 65535)::numeric / 65536 - 0.5, 3) ORDER BY j)
        FROM generate_series(1, 16) j)::real[]::halfvec,
       (SELECT format('{%s}/100', string_agg(format('%s:%s', k, round((hashint8(i * 1000 + k) & 1023)::numeric / 1024 + 0.001, 3)), ',' ORDER BY k))
        FROM (SELECT DISTINCT 1 + (hashint8(i * 10 + j) & 1023) % 100 AS k FROM generate_series(1, 5) j) ks)::sparsevec,
       (hashint8(i) & x'7fffffffffffffff'::bigint)::bit(64)
FROM generate_series(1, 200) i;

CREATE INDEX typed_h_l2 ON typed USING hnsw (h halfvec_l2_ops) WITH (m = 8, ef_construction = 32);
CREATE INDEX typed_s_cosine ON typed USING hnsw (s sparsevec_cosine_ops) WITH (m = 10);
CREATE INDEX typed_b_hamming ON typed USING hnsw (b bit_hamming_ops);
-- Expression index: binary quantization of the halfvec, searched by Jaccard distance.
CREATE INDEX typed_hq_jaccard ON typed USING hnsw ((binary_quantize(h)::bit(16)) bit_jaccard_ops);
-- Partial index: inner product over the even rows only.
CREATE INDEX typed_h_ip_even ON typed USING hnsw (h halfvec_ip_ops) WHERE id % 2 = 0;

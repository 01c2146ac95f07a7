-- pgvector 0.8 tables with ivfflat indexes (lists option, an expression index, a
-- partial index, and the halfvec and bit opclasses); dumped into ivfflat.dump.sql (README.md).
CREATE EXTENSION vector;

CREATE TABLE lists_items (
    id bigint PRIMARY KEY,
    category int NOT NULL,
    embedding vector(8)
);
INSERT INTO lists_items
SELECT i, i % 3,
       (SELECT array_agg(round((hashint8(i * 100 + j) & 65535)::numeric / 65536 - 0.5, 4) ORDER BY j)
        FROM generate_series(1, 8) j)::real[]::vector
FROM generate_series(1, 300) i;

CREATE INDEX lists_l2 ON lists_items USING ivfflat (embedding vector_l2_ops) WITH (lists = 4);
CREATE INDEX lists_cosine ON lists_items USING ivfflat (embedding vector_cosine_ops) WITH (lists = 3);
CREATE INDEX lists_head ON lists_items USING ivfflat ((subvector(embedding, 1, 4)::vector(4)) vector_l2_ops) WITH (lists = 2);
CREATE INDEX lists_ip_cat2 ON lists_items USING ivfflat (embedding vector_ip_ops) WITH (lists = 2) WHERE category = 2;

-- halfvec and bit ivfflat opclasses (pgvector 0.7+): every halfvec distance, and
-- Hamming distance on bit.
CREATE TABLE lists_typed (
    id bigint PRIMARY KEY,
    h halfvec(16),
    b bit(64)
);
INSERT INTO lists_typed
SELECT i,
       (SELECT array_agg(round((hashint8(i * 100 + j) & 65535)::numeric / 65536 - 0.5, 3) ORDER BY j)
        FROM generate_series(1, 16) j)::real[]::halfvec,
       (hashint8(i) & x'7fffffffffffffff'::bigint)::bit(64)
FROM generate_series(1, 300) i;

CREATE INDEX lists_h_l2 ON lists_typed USING ivfflat (h halfvec_l2_ops) WITH (lists = 4);
CREATE INDEX lists_h_ip ON lists_typed USING ivfflat (h halfvec_ip_ops) WITH (lists = 3);
CREATE INDEX lists_h_cosine ON lists_typed USING ivfflat (h halfvec_cosine_ops) WITH (lists = 2);
CREATE INDEX lists_b_hamming ON lists_typed USING ivfflat (b bit_hamming_ops) WITH (lists = 4);

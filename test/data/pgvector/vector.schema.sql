-- A pgvector 0.8 database with vector columns, hnsw indexes with options, an
-- expression index, a partial index and a view; dumped into vector.dump.sql
-- (README.md). Values are a function of (row, element) through hashint8, rounded to
-- 4 decimals, so the dump is small and the data set the same on every run.
CREATE EXTENSION vector;

CREATE TABLE items (
    id bigint PRIMARY KEY,
    category int NOT NULL,
    embedding vector(8),
    note text
);
INSERT INTO items
SELECT i, i % 4,
       CASE WHEN i % 50 = 0 THEN NULL
            ELSE (SELECT array_agg(round((hashint8(i * 100 + j) & 65535)::numeric / 65536 - 0.5, 4) ORDER BY j)
                  FROM generate_series(1, 8) j)::real[]::vector END,
       'item ' || i
FROM generate_series(1, 300) i;

CREATE INDEX items_l2 ON items USING hnsw (embedding vector_l2_ops) WITH (m = 8, ef_construction = 32);
CREATE INDEX items_ip ON items USING hnsw (embedding vector_ip_ops) WITH (m = 12);
CREATE INDEX items_cosine ON items USING hnsw (embedding vector_cosine_ops) WITH (ef_construction = 48);
-- Expression index: the first half of each vector.
CREATE INDEX items_head ON items USING hnsw ((subvector(embedding, 1, 4)::vector(4)) vector_l2_ops) WITH (m = 6);
-- Partial index: L1 distance within category 1 only.
CREATE INDEX items_l1_cat1 ON items USING hnsw (embedding vector_l1_ops) WHERE category = 1;

-- A view that uses pgvector's operators and functions.
CREATE VIEW items_norms AS
SELECT id, vector_norm(embedding) AS norm, embedding <-> '[0,0,0,0,0,0,0,0]' AS from_origin
FROM items WHERE embedding IS NOT NULL;

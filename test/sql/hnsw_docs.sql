-- The examples of docs/hnsw.md, in order.
CREATE EXTENSION vecrbac;
CREATE TABLE items (id bigint PRIMARY KEY, tenant_id int, embedding vector(3));
INSERT INTO items VALUES (1, 1, '[1,1,1]'), (2, 1, '[2,2,2]'), (3, 2, '[1,1,2]'), (4, 2, '[9,9,9]');

CREATE INDEX items_embedding ON items USING hnsw (embedding vector_l2_ops);
CREATE INDEX ON items USING hnsw (embedding vector_cosine_ops) WITH (m = 24, ef_construction = 96);

CREATE TABLE docs (id bigint PRIMARY KEY, embedding vector(3));
INSERT INTO docs VALUES (1, '[1,2,3]'), (2, '[3,2,1]'), (3, '[1,1,1]');
CREATE INDEX ON docs USING hnsw ((embedding::halfvec(3)) halfvec_l2_ops);
SET enable_seqscan = off;  -- the example tables are tiny
EXPLAIN (COSTS OFF) SELECT id FROM docs ORDER BY embedding::halfvec(3) <-> '[1,2,2]' LIMIT 2;
SELECT id FROM docs ORDER BY embedding::halfvec(3) <-> '[1,2,2]' LIMIT 2;
CREATE INDEX ON docs USING hnsw ((binary_quantize(embedding)::bit(3)) bit_hamming_ops);
SELECT id FROM (
    SELECT id, embedding FROM docs ORDER BY binary_quantize(embedding)::bit(3) <~> binary_quantize('[1,2,2]'::vector) LIMIT 20
) candidates ORDER BY embedding <-> '[1,2,2]' LIMIT 2;
RESET enable_seqscan;
DROP TABLE docs;

CREATE TABLE papers (id bigint PRIMARY KEY, embedding vector(3));
INSERT INTO papers VALUES (1, '[1,2,3]'), (2, '[3,2,1]'), (3, '[1,1,1]');
CREATE INDEX ON papers USING hnsw (embedding vector_l2_ops) WITH (quantization = 'half');
SET enable_seqscan = off;  -- the example tables are tiny
EXPLAIN (COSTS OFF) SELECT id, embedding <-> '[1,2,2]' AS distance FROM papers ORDER BY embedding <-> '[1,2,2]' LIMIT 2;
SELECT id, embedding <-> '[1,2,2]' AS distance FROM papers ORDER BY embedding <-> '[1,2,2]' LIMIT 2;
DROP INDEX papers_embedding_idx;
CREATE INDEX ON papers USING hnsw (embedding vector_l2_ops) WITH (quantization = 'int8');
EXPLAIN (COSTS OFF) SELECT id, embedding <-> '[1,2,2]' AS distance FROM papers ORDER BY embedding <-> '[1,2,2]' LIMIT 2;
SELECT id, embedding <-> '[1,2,2]' AS distance FROM papers ORDER BY embedding <-> '[1,2,2]' LIMIT 2;
DROP INDEX papers_embedding_idx;
CREATE INDEX ON papers USING hnsw (embedding vector_l2_ops) WITH (quantization = 'binary');
SET hnsw.rerank_factor = 8;
EXPLAIN (COSTS OFF) SELECT id, embedding <-> '[1,2,2]' AS distance FROM papers ORDER BY embedding <-> '[1,2,2]' LIMIT 2;
SELECT id, embedding <-> '[1,2,2]' AS distance FROM papers ORDER BY embedding <-> '[1,2,2]' LIMIT 2;
RESET hnsw.rerank_factor;
RESET enable_seqscan;
DROP TABLE papers;

SET enable_seqscan = off;  -- only because the example table is tiny
SELECT id FROM items ORDER BY embedding <-> '[1,1,1]' LIMIT 2;

CREATE INDEX items_tenant ON items USING hnsw (tenant_id, embedding vector_l2_ops);
SELECT id FROM items WHERE tenant_id = 2 ORDER BY embedding <-> '[1,1,1]' LIMIT 2;
EXPLAIN (COSTS OFF) SELECT id FROM items WHERE tenant_id = 2 ORDER BY embedding <-> '[1,1,1]' LIMIT 2;
SELECT id FROM items WHERE tenant_id OPERATOR(vecrbac.<@) '{"values": [1, 2]}'
ORDER BY embedding <-> '[1,1,1]' LIMIT 3;
SELECT * FROM vecrbac.index_advice('items', '{"tenant": "tenant_id"}');

-- The progress query of docs/hnsw.md only shows something from another session
-- during a build: test/isolation/hnsw_build_progress.spec checks it there.
SELECT severity FROM vecrbac.hnsw_check('items_tenant');

DROP TABLE items;
DROP EXTENSION vecrbac;

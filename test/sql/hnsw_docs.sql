-- The examples of docs/hnsw.md, in order.
CREATE EXTENSION vecrbac;
CREATE TABLE items (id bigint PRIMARY KEY, tenant_id int, embedding vector(3));
INSERT INTO items VALUES (1, 1, '[1,1,1]'), (2, 1, '[2,2,2]'), (3, 2, '[1,1,2]'), (4, 2, '[9,9,9]');

CREATE INDEX items_embedding ON items USING hnsw (embedding vector_l2_ops);
CREATE INDEX ON items USING hnsw (embedding vector_cosine_ops) WITH (m = 24, ef_construction = 96);

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

-- The examples of docs/ivfflat.md, in order.
CREATE EXTENSION vecrbac;
CREATE TABLE items (id bigint PRIMARY KEY, tenant_id int, embedding vector(3));
INSERT INTO items SELECT i, i % 2, ARRAY[i % 7, i % 5, i % 3] FROM generate_series(1, 100) i;

CREATE INDEX items_embedding ON items USING ivfflat (embedding vector_l2_ops) WITH (lists = 10);
CREATE INDEX ON items USING ivfflat (embedding vector_cosine_ops) WITH (lists = 10);

SET enable_seqscan = off;  -- only because the example table is tiny
SET ivfflat.probes = 3;
SELECT id FROM items ORDER BY embedding <-> '[1,1,1]' LIMIT 3;

SET ivfflat.iterative_scan = relaxed_order;
SELECT count(*) FROM (SELECT id FROM items ORDER BY embedding <-> '[1,1,1]' LIMIT 60) s;
RESET ivfflat.iterative_scan;

CREATE INDEX items_tenant ON items USING ivfflat (tenant_id, embedding vector_l2_ops) WITH (lists = 10);
SELECT id FROM items WHERE tenant_id = 1 ORDER BY embedding <-> '[1,1,1]' LIMIT 3;
EXPLAIN (COSTS OFF) SELECT id FROM items WHERE tenant_id = 1 ORDER BY embedding <-> '[1,1,1]' LIMIT 3;

DROP TABLE items;
DROP EXTENSION vecrbac;

-- vecrbac.index_advice: what a table's hnsw indexes lack for its key columns, and the index to create.
CREATE EXTENSION vecrbac;
CREATE TABLE docs (id int PRIMARY KEY, label int, t1 int, embedding vector(3), payload jsonb);
-- no hnsw index
SELECT * FROM vecrbac.index_advice('docs', '{"label": "label", "t1": "t1"}');
-- the plain index only: its operator class is kept
CREATE INDEX docs_plain ON docs USING hnsw (embedding vector_cosine_ops);
SELECT * FROM vecrbac.index_advice('docs', '{"label": "label", "t1": "t1"}');
-- one index per key column: still none holds both
CREATE INDEX docs_label ON docs USING hnsw (label, embedding vector_cosine_ops, payload);
CREATE INDEX docs_t1 ON docs USING hnsw (t1, embedding vector_cosine_ops, payload);
SELECT * FROM vecrbac.index_advice('docs', '{"label": "label", "t1": "t1"}');
-- a single key column is covered: nothing to say; the list form of key_columns too
SELECT count(*) FROM vecrbac.index_advice('docs', '{"tenant": "t1"}');
SELECT count(*) FROM vecrbac.index_advice('docs', '["label"]');
-- an index over both: nothing to say
CREATE INDEX docs_both ON docs USING hnsw (t1, label, embedding vector_cosine_ops, payload);
SELECT count(*) FROM vecrbac.index_advice('docs', '{"label": "label", "t1": "t1"}');
-- as protect says it
DROP INDEX docs_both;
DO $$
DECLARE t record;
BEGIN
    FOR t IN SELECT * FROM vecrbac.index_advice('docs', '{"label": "label", "t1": "t1"}') LOOP RAISE NOTICE '%', t.advice USING HINT = t.create_index || ';'; END LOOP;
END $$;
DROP TABLE docs;
DROP EXTENSION vecrbac;

-- The examples of docs/vector.md, statement for statement, so the documentation
-- cannot drift from what the type does.
CREATE EXTENSION vecrbac;

CREATE TABLE items (id bigserial PRIMARY KEY, embedding vector(3));
INSERT INTO items (embedding) VALUES ('[1,2,3]'), ('[4,5,6]');
INSERT INTO items (embedding) VALUES (ARRAY[1, 1, 1]);

-- Nearest neighbours by each distance.
SELECT id, embedding FROM items ORDER BY embedding <-> '[3,1,2]' LIMIT 2;
SELECT id, embedding <-> '[3,1,2]' AS l2 FROM items ORDER BY id;
SELECT id, (embedding <#> '[3,1,2]') * -1 AS inner_product FROM items ORDER BY id;
SELECT id, 1 - (embedding <=> '[3,1,2]') AS cosine_similarity FROM items ORDER BY id;
SELECT id, embedding <+> '[3,1,2]' AS l1 FROM items ORDER BY id;

-- Functions.
SELECT vector_dims(embedding), vector_norm(embedding), l2_normalize(embedding)
FROM items WHERE id = 1;
SELECT subvector('[1,2,3,4,5]'::vector, 2, 3), binary_quantize('[1,-2,3]'::vector);
SELECT '[1,2]'::vector + '[3,4]' AS sum, '[1,2]'::vector * '[3,4]' AS product,
       '[1,2]'::vector || '[3]' AS concatenation;

-- Aggregates.
SELECT avg(embedding), sum(embedding) FROM items;

-- Casts.
SELECT embedding::real[] FROM items WHERE id = 2;
SELECT '{0.5,1.5}'::double precision[]::vector;

-- Errors carry pgvector's messages.
INSERT INTO items (embedding) VALUES ('[1,2]');
SELECT '[1,2]'::vector <-> '[1,2,3]';
SELECT '[1,NaN]'::vector;

-- Faster exact search over many dimensions: keep vectors inline.
ALTER TABLE items ALTER COLUMN embedding SET STORAGE PLAIN;

DROP TABLE items;
DROP EXTENSION vecrbac;

-- The type and its operators go into the schema the extension is created in,
-- vecrbac's own objects into schema vecrbac.
CREATE SCHEMA ext;
CREATE EXTENSION vecrbac SCHEMA ext;
SELECT typnamespace::regnamespace FROM pg_type WHERE typname = 'vector';
SELECT '[1,2]'::ext.vector OPERATOR(ext.<->) '[4,6]'::ext.vector AS l2;
SELECT count(*) AS vector_objects_in_schema_vecrbac FROM pg_proc
WHERE pronamespace = 'vecrbac'::regnamespace AND 'ext.vector'::regtype IN (prorettype, proargtypes[0]);
DROP EXTENSION vecrbac;
DROP SCHEMA ext;

-- One database, one of pgvector and vecrbac: a type already named vector (as
-- pgvector's) stops the install, and nothing of it is left behind.
CREATE TYPE vector AS (x int);
CREATE EXTENSION vecrbac;
SELECT (SELECT count(*) FROM pg_extension WHERE extname = 'vecrbac') AS extensions,
       (SELECT count(*) FROM pg_namespace WHERE nspname = 'vecrbac') AS schemas;
DROP TYPE vector;

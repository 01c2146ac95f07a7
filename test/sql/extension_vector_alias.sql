-- The companion extension "vector" (companion/, docs/migrating.md): pgvector's
-- extension name, owning no object, requiring vecrbac. Tools that run
-- CREATE EXTENSION [IF NOT EXISTS] vector (Django, Rails, knex, Prisma, LangChain)
-- and pgvector dumps then work next to vecrbac.

-- Without vecrbac it is refused, with the standard hint; CASCADE brings vecrbac.
CREATE EXTENSION vector;
CREATE EXTENSION vector CASCADE;
SELECT e.extname, e.extversion, e.extrelocatable, e.extnamespace::regnamespace AS schema,
       (SELECT string_agg(r.extname, ',') FROM pg_depend d JOIN pg_extension r ON r.oid = d.refobjid
        WHERE d.classid = 'pg_extension'::regclass AND d.objid = e.oid
          AND d.refclassid = 'pg_extension'::regclass) AS requires
FROM pg_extension e WHERE e.extname IN ('vecrbac', 'vector') ORDER BY 1;
-- It owns nothing: every object is vecrbac's.
SELECT count(*) AS companion_members FROM pg_depend
WHERE refclassid = 'pg_extension'::regclass AND deptype = 'e'
  AND refobjid = (SELECT oid FROM pg_extension WHERE extname = 'vector');
SELECT e.extname AS owner_of_type_vector FROM pg_depend d JOIN pg_extension e ON e.oid = d.refobjid
WHERE d.classid = 'pg_type'::regclass AND d.objid = 'public.vector'::regtype AND d.deptype = 'e';

-- What the ORMs run, and what pg_dump of a pgvector database runs: no-ops now.
CREATE EXTENSION IF NOT EXISTS vector;
CREATE EXTENSION IF NOT EXISTS vector WITH SCHEMA public;
ALTER EXTENSION vector UPDATE;
-- Its objects are vecrbac's, in vecrbac's schema: it cannot move.
CREATE SCHEMA alias_other;
ALTER EXTENSION vector SET SCHEMA alias_other;

-- Dropping vecrbac while the companion is there needs CASCADE, and says why.
DROP EXTENSION vecrbac;

-- pg_dump's spelling of the type, with an hnsw index and a query.
CREATE TABLE alias_items (id int PRIMARY KEY, embedding public.vector(3));
INSERT INTO alias_items VALUES (1, '[1,0,0]'), (2, '[0,1,0]'), (3, '[0,0,1]');
CREATE INDEX ON alias_items USING hnsw (embedding public.vector_l2_ops) WITH (m = 4, ef_construction = 8);
SET enable_seqscan = off;
SELECT id FROM alias_items ORDER BY embedding OPERATOR(public.<->) '[0.9,0.1,0]' LIMIT 1;
RESET enable_seqscan;

-- Dropping the companion leaves vecrbac, the table and its data.
DROP EXTENSION vector;
SELECT extname FROM pg_extension WHERE extname IN ('vecrbac', 'vector') ORDER BY 1;
SELECT id, embedding FROM alias_items ORDER BY id;
-- With vecrbac present, no CASCADE is needed.
CREATE EXTENSION vector;
DROP EXTENSION vector;

-- A schema other than vecrbac's is refused: the tool would look for alias_other.vector.
CREATE EXTENSION vector WITH SCHEMA alias_other;
SELECT count(*) AS companions FROM pg_extension WHERE extname = 'vector';
DROP TABLE alias_items;

-- DROP EXTENSION vecrbac CASCADE takes the companion along.
CREATE EXTENSION vector;
DROP EXTENSION vecrbac CASCADE;
SELECT count(*) AS left_over FROM pg_extension WHERE extname IN ('vecrbac', 'vector');

-- CASCADE with a schema creates vecrbac in that schema too, and then they agree.
CREATE EXTENSION vector WITH SCHEMA alias_other CASCADE;
SELECT extname, extnamespace::regnamespace AS schema FROM pg_extension
WHERE extname IN ('vecrbac', 'vector') ORDER BY 1;
SELECT 'alias_other.vector(2)'::regtype AS type, '[1,2]'::alias_other.vector AS value;
DROP EXTENSION vector;
DROP EXTENSION vecrbac;
DROP SCHEMA alias_other;

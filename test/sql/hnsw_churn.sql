-- Space after churn: deleting rows, VACUUM, and inserting the same rows again must
-- reuse the freed pages, never extend the index while a page has room.
--
-- Why the sizes below are exact and cannot flake: the vectors have 700 dimensions, so
-- an element (2,884 bytes) and its neighbor tuple (200 bytes at level 0, 680 at level
-- 5) fit twice on an 8 kB page whatever their random levels (2 x 3,572 < 8,152), and
-- never three times (3 x 3,092 > 8,152). The build fills pages in order, so 400 rows
-- take 200 data pages and the metapage: 201 blocks. Inserts that reuse space put
-- two elements on every page again, and extend the index only when no page has room,
-- so the count stays 201 exactly. Inserts that extend while pages have room show
-- here as growth (they did: pages emptied by VACUUM stay empty in the free space
-- map once inserts fill them, and an insert that met three such pages extended).
CREATE EXTENSION vecrbac;
SELECT setseed(0.17);
CREATE TABLE churn_src (id int PRIMARY KEY, label int, embedding vector(700));
INSERT INTO churn_src SELECT i, i % 4,
    ARRAY(SELECT random() FROM generate_series(1, 700) WHERE i > 0)::vector
FROM generate_series(1, 400) i;
CREATE TABLE churn (LIKE churn_src);
INSERT INTO churn SELECT * FROM churn_src;
CREATE INDEX churn_plain ON churn USING hnsw (embedding vector_l2_ops);

-- Blocks of an index beyond the 201 of its build.
CREATE FUNCTION grown(idx regclass) RETURNS bigint LANGUAGE sql
    AS $$ SELECT pg_relation_size(idx) / current_setting('block_size')::int - 201 $$;
-- What vecrbac.hnsw_check finds besides its summary: nothing, in a healthy index.
CREATE FUNCTION problems(idx regclass) RETURNS SETOF text LANGUAGE sql
    AS $$ SELECT severity || ': ' || message FROM vecrbac.hnsw_check(idx) WHERE severity <> 'info' $$;

SELECT grown('churn_plain') AS built;

-- every row deleted, VACUUM, every row inserted again: twice
DELETE FROM churn;
VACUUM churn;
SELECT grown('churn_plain') AS vacuumed;
INSERT INTO churn SELECT * FROM churn_src;
SELECT grown('churn_plain') AS full_1;
DELETE FROM churn;
VACUUM churn;
INSERT INTO churn SELECT * FROM churn_src;
SELECT grown('churn_plain') AS full_2;

-- a tenth of the rows, twice: the freed halves of 40 pages take them back
DELETE FROM churn WHERE id % 10 = 0;
VACUUM churn;
INSERT INTO churn SELECT * FROM churn_src WHERE id % 10 = 0;
SELECT grown('churn_plain') AS partial_1;
DELETE FROM churn WHERE id % 10 = 1;
VACUUM churn;
INSERT INTO churn SELECT * FROM churn_src WHERE id % 10 = 1;
SELECT grown('churn_plain') AS partial_2;
SELECT * FROM problems('churn_plain');

-- The graph is still searchable: every row finds itself first (ef_search as large as
-- the table: a search then reaches every element it can reach at all, and the checker
-- above found none it cannot).
SET enable_seqscan = off;
SET hnsw.ef_search = 400;
EXPLAIN (COSTS OFF) SELECT id FROM churn ORDER BY embedding <-> (SELECT embedding FROM churn_src WHERE id = 7) LIMIT 1;
SELECT count(*) AS found_itself FROM churn_src s
WHERE (SELECT id FROM churn ORDER BY embedding <-> s.embedding LIMIT 1) = s.id;
RESET enable_seqscan;
RESET hnsw.ef_search;
DROP INDEX churn_plain;

-- The same with a filter column: larger tuples (filter section, value links), still
-- two to a page, and a partition directory whose values all empty and come back.
TRUNCATE churn;
INSERT INTO churn SELECT * FROM churn_src;
CREATE INDEX churn_filter ON churn USING hnsw (label, embedding vector_l2_ops);
SELECT pg_relation_size('churn_filter') / current_setting('block_size')::int AS filter_built \gset
DELETE FROM churn;
VACUUM churn;
INSERT INTO churn SELECT * FROM churn_src;
SELECT pg_relation_size('churn_filter') / current_setting('block_size')::int - :filter_built AS filter_full;
DELETE FROM churn WHERE id % 10 = 2;
VACUUM churn;
INSERT INTO churn SELECT * FROM churn_src WHERE id % 10 = 2;
SELECT pg_relation_size('churn_filter') / current_setting('block_size')::int - :filter_built AS filter_partial;
SELECT * FROM problems('churn_filter');
SET enable_seqscan = off;
SELECT count(*) AS found_itself_in_label FROM churn_src s
WHERE (SELECT id FROM churn WHERE label = s.label ORDER BY embedding <-> s.embedding LIMIT 1) = s.id;
RESET enable_seqscan;

-- The first insert after a build looks for room on the index's last page, which is
-- then a partition directory page; when the new value's entry is on that very page,
-- the insert holds it locked already, and waited for itself for ever. 200 values take
-- 16 directory pages, and value 14's entry is on the last of them.
CREATE TABLE lastpage (id int, label int, e vector(3));
INSERT INTO lastpage SELECT i, i % 200, ARRAY[i, i % 7, i % 13] FROM generate_series(1, 1000) i;
CREATE INDEX lastpage_idx ON lastpage USING hnsw (label, e vector_l2_ops);
SELECT message FROM vecrbac.hnsw_check('lastpage_idx') WHERE message LIKE '%directory%';
INSERT INTO lastpage VALUES (0, 14, '[7,8,9]');
SELECT * FROM problems('lastpage_idx');
SET enable_seqscan = off;
SELECT id FROM lastpage WHERE label = 14 ORDER BY e <-> '[7,8,9]' LIMIT 1;
RESET enable_seqscan;

DROP TABLE churn, churn_src, lastpage;
DROP FUNCTION grown(regclass), problems(regclass);
DROP EXTENSION vecrbac;

-- A scope of several values of the partition column (a token whose payload grant is a
-- list, vecrbac.<@ with several values) walked through the graph: recall against exact
-- search, with the plan asserted. Value links never leave their value, so such a walk
-- also follows level 0's links among the scope's elements; without them, the values
-- nearest the query filled the shared window before the others' walks came near it.
-- Ten overlapping clusters, one per group; the queries come from groups 0 to 4 and the
-- scopes hold groups 5 to 9 only, so the scope's nearest rows are its outliers towards
-- the query, spread over its values.
CREATE EXTENSION vecrbac;
SELECT setseed(0.3);
CREATE TABLE centers AS
SELECT g, ARRAY(SELECT 4 * random() FROM generate_series(1, 16) d WHERE g >= 0) AS c
FROM generate_series(0, 9) g;
-- a point around a center: normal, standard deviation 1, per dimension (Box-Muller)
CREATE FUNCTION near(c float8[]) RETURNS vector LANGUAGE sql AS $$
    SELECT ARRAY(SELECT c[d] + sqrt(-2 * ln(1 - random())) * cos(2 * pi() * random())
                 FROM generate_series(1, 16) d)::vector
$$;
CREATE TABLE clustered (id int PRIMARY KEY, grp int, embedding vector(16));
INSERT INTO clustered SELECT i, i % 10, near(c) FROM generate_series(1, 5000) i JOIN centers ON g = i % 10;
CREATE TABLE queries AS SELECT q, near(c) AS v FROM generate_series(1, 20) q JOIN centers ON g = q % 5;
CREATE INDEX clustered_grp ON clustered USING hnsw (grp, embedding vector_l2_ops);

-- Mean recall@10 over the queries against a sequential scan, and whether a query came back short.
CREATE FUNCTION scoped_recall(scope text, OUT recall numeric, OUT short int) LANGUAGE plpgsql AS $$
DECLARE r record; exact int[]; approx int[]; hits int := 0; total int := 0;
BEGIN
    short := 0;
    FOR r IN SELECT v FROM queries LOOP
        SET LOCAL enable_indexscan = off;
        SELECT array_agg(id) INTO exact FROM (SELECT id FROM clustered
            WHERE grp OPERATOR(vecrbac.<@) scope::vecrbac.scope ORDER BY embedding <-> r.v LIMIT 10) s;
        SET LOCAL enable_indexscan = on; SET LOCAL enable_seqscan = off;
        SELECT array_agg(id) INTO approx FROM (SELECT id FROM clustered
            WHERE grp OPERATOR(vecrbac.<@) scope::vecrbac.scope ORDER BY embedding <-> r.v LIMIT 10) s;
        RESET enable_seqscan;
        hits := hits + (SELECT count(*) FROM unnest(approx) a WHERE a = ANY (exact));
        total := total + cardinality(exact);
        IF cardinality(approx) < cardinality(exact) THEN short := short + 1; END IF;
    END LOOP;
    recall := hits::numeric / total;
END $$;

-- the walk, not the exact read of the scope
SET hnsw.exact_scan_limit = 0;
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT id FROM clustered WHERE grp OPERATOR(vecrbac.<@) '{"values":[5,6,7]}'
ORDER BY embedding <-> (SELECT v FROM queries WHERE q = 1) LIMIT 10;
RESET enable_seqscan;

-- one value, two, three and five, at the default ef_search and at 10
SELECT n, recall >= 0.98 AS recall_ok, short
FROM (VALUES (1, '{"values":[5]}'), (2, '{"values":[5,6]}'), (3, '{"values":[5,6,7]}'),
             (5, '{"values":[5,6,7,8,9]}')) s(n, scope), scoped_recall(scope) ORDER BY n;
SET hnsw.ef_search = 10;
SELECT n, recall >= 0.95 AS recall_ok, short
FROM (VALUES (1, '{"values":[5]}'), (3, '{"values":[5,6,7]}'), (5, '{"values":[5,6,7,8,9]}')) s(n, scope),
     scoped_recall(scope) ORDER BY n;
RESET hnsw.ef_search;
RESET hnsw.exact_scan_limit;

-- ---- walk or read whole -----------------------------------------------------------------------
-- A scope above hnsw.exact_scan_limit is still read whole when a walk at this ef_search
-- would cost more: below 12 elements per unit of ef_search for one value, 40 for several
-- (DEBUG2 says so). Three groups are 1,500 elements: walked at ef_search 20 (800), read
-- whole at 40 (1,600); one group, 500: walked at 40 (480), read whole at 50 (600).
-- A limit of 0 walks every scope.
SET hnsw.exact_scan_limit = 100;
SET enable_seqscan = off;
SET jit = off;
SET client_min_messages = debug2;
SET hnsw.ef_search = 20;
SELECT count(*) FROM (SELECT id FROM clustered WHERE grp OPERATOR(vecrbac.<@) '{"values":[5,6,7]}'
    ORDER BY embedding <-> (SELECT v FROM queries WHERE q = 1) LIMIT 10) s;
SET hnsw.ef_search = 40;
SELECT count(*) FROM (SELECT id FROM clustered WHERE grp OPERATOR(vecrbac.<@) '{"values":[5,6,7]}'
    ORDER BY embedding <-> (SELECT v FROM queries WHERE q = 1) LIMIT 10) s;
SELECT count(*) FROM (SELECT id FROM clustered WHERE grp = 5
    ORDER BY embedding <-> (SELECT v FROM queries WHERE q = 1) LIMIT 10) s;
SET hnsw.ef_search = 50;
SELECT count(*) FROM (SELECT id FROM clustered WHERE grp = 5
    ORDER BY embedding <-> (SELECT v FROM queries WHERE q = 1) LIMIT 10) s;
SET hnsw.exact_scan_limit = 0;
SELECT count(*) FROM (SELECT id FROM clustered WHERE grp = 5
    ORDER BY embedding <-> (SELECT v FROM queries WHERE q = 1) LIMIT 10) s;
RESET client_min_messages;
RESET jit;
RESET hnsw.ef_search;
RESET enable_seqscan;
RESET hnsw.exact_scan_limit;

-- ---- a large scope on a key column after the first ------------------------------------------
-- Such a scope has no value links. When nothing near the query is in it (a cluster the
-- query is not of), the walk keeps to the scope after its first step, and says so at
-- DEBUG2; when the query's neighbors match, it walks the whole graph as before. When a
-- few of the scope's rows lie near the query (strays) but the rest far away, the walk
-- starts on the whole graph, meets matches far more seldom than the scope's share of
-- the index, and keeps to the scope from there (the same DEBUG line; before, it read the
-- whole scope). All stay exact against a sequential scan, and never short. sub is the
-- partition column, unrelated to the clusters.
CREATE TABLE second_key AS SELECT id, id % 7 AS sub, grp, embedding FROM clustered;
CREATE INDEX second_key_idx ON second_key USING hnsw (sub, grp, embedding vector_l2_ops);
-- the query: group 1's center; the scope: the group whose center is farthest from it (gv:
-- that center, a query among the scope's own rows)
CREATE TABLE far AS
SELECT c1.c::vector AS v, c2.g, c2.c::vector AS gv
FROM centers c1, LATERAL (SELECT g, c FROM centers c2 ORDER BY c2.c::vector <-> c1.c::vector DESC LIMIT 1) c2
WHERE c1.g = 1;
-- the premise: none of the query's 50 nearest rows is in the scope
SELECT count(*) FILTER (WHERE s.grp = far.g) AS in_scope_near_the_query
FROM far, LATERAL (SELECT grp FROM second_key ORDER BY embedding <-> far.v LIMIT 50) s;
CREATE FUNCTION second_key_top(q vector, g int) RETURNS int[] LANGUAGE sql AS $$
    SELECT array_agg(id) FROM (SELECT id FROM second_key WHERE grp = g ORDER BY embedding <-> q LIMIT 10) s
$$;
SET hnsw.exact_scan_limit = 0;
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT id FROM second_key WHERE grp = (SELECT g FROM far)
ORDER BY embedding <-> (SELECT v FROM far) LIMIT 10;
SET jit = off;
SET client_min_messages = debug2;
SELECT second_key_top(v, g) AS walked FROM far \gset
-- a query among the scope's own rows (its center): no DEBUG line
SELECT second_key_top(gv, g) AS walked_near FROM far \gset
RESET client_min_messages;
RESET jit;
RESET enable_seqscan;
RESET hnsw.exact_scan_limit;
SET enable_indexscan = off;
SELECT :'walked'::int[] = second_key_top(v, g) AS exact, cardinality(:'walked'::int[]) AS rows FROM far;
SELECT :'walked_near'::int[] = second_key_top(gv, g) AS exact, cardinality(:'walked_near'::int[]) AS rows FROM far;
RESET enable_indexscan;
-- eight strays of the far group right around the query, inserted after the build
INSERT INTO second_key
SELECT 5000 + i, i % 7, far.g, ARRAY(SELECT x + 0.2 * (random() - 0.5) FROM unnest(far.v::real[]) x)::vector
FROM far, generate_series(1, 8) i;
SELECT count(*) FILTER (WHERE s.grp = far.g) AS strays_among_the_nearest_10
FROM far, LATERAL (SELECT grp FROM second_key ORDER BY embedding <-> far.v LIMIT 10) s;
SET hnsw.exact_scan_limit = 0;
SET enable_seqscan = off;
SET jit = off;
SET client_min_messages = debug2;
SELECT second_key_top(v, g) AS walked_strays FROM far \gset
RESET client_min_messages;
RESET jit;
RESET enable_seqscan;
RESET hnsw.exact_scan_limit;
SET enable_indexscan = off;
SELECT :'walked_strays'::int[] = second_key_top(v, g) AS exact, cardinality(:'walked_strays'::int[]) AS rows FROM far;
RESET enable_indexscan;

DROP TABLE clustered, queries, centers, second_key, far;
DROP FUNCTION scoped_recall(text), near(float8[]), second_key_top(vector, int);
DROP EXTENSION vecrbac;

-- What an hnsw scan chooses at run time, and what the planner chooses for it.
CREATE EXTENSION vecrbac;
SELECT setseed(0.7);

-- A scope on the partition column narrowed by a clause on another filter column (a token
-- scoped by both key columns): the walk goes through the partition scope along its value
-- links and returns the matches, or reads the scope exactly when matches are rare. Walked
-- (hnsw.exact_scan_limit 0) with a small window, so that the matches fill it: a walk that
-- went only through the matches lost its way between them (recall 0.96 here, 0.95 on
-- Fashion-MNIST).
CREATE TABLE docs (id int PRIMARY KEY, label int NOT NULL, t1 int NOT NULL, embedding vector(8) NOT NULL);
INSERT INTO docs SELECT i, i % 10, (i / 10) % 100, ARRAY(SELECT random() FROM generate_series(1, 8) WHERE i > 0)
FROM generate_series(1, 5000) i;
CREATE TABLE queries AS
SELECT q, ARRAY(SELECT random() FROM generate_series(1, 8) WHERE q > 0)::vector(8) AS v FROM generate_series(1, 20) q;
CREATE INDEX docs_both ON docs USING hnsw (label, t1, embedding vector_l2_ops);
ANALYZE docs;
-- recall@10 of the index scan against the exact answer, over the queries, with the plan asserted
CREATE FUNCTION recall(cond text) RETURNS TABLE (index_scan boolean, recall numeric) LANGUAGE plpgsql AS $$
DECLARE r record; exact int[]; approx int[]; hits int := 0; total int := 0; line text;
BEGIN
    index_scan := false;
    SET LOCAL enable_seqscan = off;
    FOR line IN EXECUTE format('EXPLAIN (COSTS OFF) SELECT id FROM docs WHERE %s ORDER BY embedding <-> $1 LIMIT 10', cond)
        USING (SELECT v FROM queries WHERE q = 1) LOOP
        index_scan := index_scan OR line ~ 'Index Scan using docs_both';
    END LOOP;
    FOR r IN SELECT v FROM queries LOOP
        SET LOCAL enable_indexscan = off;
        SET LOCAL enable_seqscan = on;
        EXECUTE format('SELECT array_agg(id) FROM (SELECT id FROM docs WHERE %s ORDER BY embedding <-> $1 LIMIT 10) s', cond)
            INTO exact USING r.v;
        SET LOCAL enable_indexscan = on;
        SET LOCAL enable_seqscan = off;
        EXECUTE format('SELECT array_agg(id) FROM (SELECT id FROM docs WHERE %s ORDER BY embedding <-> $1 LIMIT 10) s', cond)
            INTO approx USING r.v;
        hits := hits + (SELECT count(*) FROM unnest(approx) a WHERE a = ANY (exact));
        total := total + cardinality(exact);
    END LOOP;
    recall := round(hits::numeric / total, 3);
    RETURN NEXT;
END $$;
SET hnsw.exact_scan_limit = 0;
SET hnsw.ef_search = 10;
SELECT n AS t1_values, index_scan, recall >= 0.99 AS recall_ok
FROM unnest(ARRAY[50, 20, 10]) n,
     recall(format('label = 3 AND t1 OPERATOR(vecrbac.<@) %L',
                   jsonb_build_object('values', (SELECT jsonb_agg(v) FROM generate_series(0, n - 1) v)))) r;
RESET hnsw.ef_search;
RESET hnsw.exact_scan_limit;
DROP FUNCTION recall(text);
DROP TABLE docs, queries;

DROP EXTENSION vecrbac;

-- Filter columns: recall and row counts against exact filtered search at 50%, 10%,
-- 1% and 0.1% selectivity, every kind of filter key, the graph and exact paths,
-- inserts and vacuum, and a scope whose rows lie far from the query.
CREATE EXTENSION vecrbac;
SELECT setseed(0.7);
CREATE TABLE items (
    id int PRIMARY KEY, p50 int, p10 int, p1 int, p01 bigint,
    tag text, ref uuid, flag boolean, payload jsonb, embedding vector(16));
INSERT INTO items
SELECT i, i % 2, i % 10, i % 100, i % 1000,
       'tag' || (i % 7), md5('u' || (i % 13))::uuid, i % 3 = 0,
       jsonb_build_object('dept', 'd' || (i % 5), 'tags', jsonb_build_array('t' || (i % 4), 'all')),
       ARRAY(SELECT random() FROM generate_series(1, 16) WHERE i > 0)::vector
FROM generate_series(1, 5000) i;
CREATE TABLE queries AS
SELECT q, ARRAY(SELECT random() FROM generate_series(1, 16) WHERE q > 0)::vector AS v
FROM generate_series(1, 20) q;

CREATE INDEX by_p50 ON items USING hnsw (p50, embedding vector_l2_ops);
CREATE INDEX by_p10 ON items USING hnsw (p10, embedding vector_l2_ops);
CREATE INDEX by_p1 ON items USING hnsw (embedding vector_l2_ops, p1);
CREATE INDEX by_p01 ON items USING hnsw (p01, embedding vector_l2_ops);
CREATE INDEX by_rest ON items USING hnsw (tag, embedding vector_l2_ops, ref, flag, payload);

-- For a WHERE clause: whether the mean recall@10 over the queries, against a
-- sequential scan, is at least 0.95, and whether every query got min(10, matching
-- rows) rows.
CREATE FUNCTION filtered(cond text) RETURNS TABLE (recall_ok boolean, never_short boolean)
LANGUAGE plpgsql AS $$
DECLARE
    r record; exact int[]; approx int[]; hits int := 0; total int := 0; short int := 0;
BEGIN
    FOR r IN SELECT v FROM queries LOOP
        SET LOCAL enable_indexscan = off; SET LOCAL enable_bitmapscan = off;
        EXECUTE format('SELECT array_agg(id) FROM (SELECT id FROM items WHERE %s ORDER BY embedding <-> $1 LIMIT 10) s', cond)
            INTO exact USING r.v;
        SET LOCAL enable_indexscan = on; SET LOCAL enable_seqscan = off;
        EXECUTE format('SELECT array_agg(id) FROM (SELECT id FROM items WHERE %s ORDER BY embedding <-> $1 LIMIT 10) s', cond)
            INTO approx USING r.v;
        RESET enable_seqscan;
        hits := hits + (SELECT count(*) FROM unnest(approx) a WHERE a = ANY (exact));
        total := total + coalesce(cardinality(exact), 0);
        IF coalesce(cardinality(approx), 0) < coalesce(cardinality(exact), 0) THEN short := short + 1; END IF;
    END LOOP;
    RETURN QUERY SELECT total = 0 OR hits::numeric / total >= 0.95, short = 0;
END $$;
CREATE FUNCTION problems(idx regclass) RETURNS SETOF text LANGUAGE sql AS $$
    SELECT severity || ': ' || message FROM vecrbac.hnsw_check(idx) WHERE severity <> 'info'
$$;

-- the plan: filter keys are index conditions, the order comes from the index
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT id FROM items WHERE p10 = 3 ORDER BY embedding <-> '[1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]' LIMIT 10;
EXPLAIN (COSTS OFF) SELECT id FROM items WHERE p1 = 3 ORDER BY embedding <-> '[1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]' LIMIT 10;
EXPLAIN (COSTS OFF) SELECT id FROM items WHERE p10 OPERATOR(vecrbac.<@) '{"values":[1,2]}' ORDER BY embedding <-> '[1,1,1,1,1,1,1,1,1,1,1,1,1,1,1,1]' LIMIT 10;
RESET enable_seqscan;

-- every selectivity, exact path and graph path (hnsw.exact_scan_limit = 0)
SELECT 'p50' AS sel, * FROM filtered('p50 = 1')
UNION ALL SELECT 'p10', * FROM filtered('p10 = 3')
UNION ALL SELECT 'p1', * FROM filtered('p1 = 42')
UNION ALL SELECT 'p01', * FROM filtered('p01 = 7');
SET hnsw.exact_scan_limit = 0;
SELECT 'p50 graph' AS sel, * FROM filtered('p50 = 1')
UNION ALL SELECT 'p10 graph', * FROM filtered('p10 = 3')
UNION ALL SELECT 'p1 graph', * FROM filtered('p1 = 42')
UNION ALL SELECT 'p01 graph', * FROM filtered('p01 = 7');
RESET hnsw.exact_scan_limit;

-- every kind of key; the result sets are exact (recall 1.0 where the scope is small)
SELECT 'any' AS kind, * FROM filtered('p10 = ANY (''{1,4}'')')
UNION ALL SELECT 'int8 col, int4 const', * FROM filtered('p01 = 11')
UNION ALL SELECT 'scope values', * FROM filtered('p10 OPERATOR(vecrbac.<@) ''{"values":[2,5]}''')
UNION ALL SELECT 'scope all', * FROM filtered('p10 OPERATOR(vecrbac.<@) ''{"all":true}''')
UNION ALL SELECT 'scope none', * FROM filtered('p10 OPERATOR(vecrbac.<@) ''{"values":[]}''')
UNION ALL SELECT 'scope type-strict', * FROM filtered('p10 OPERATOR(vecrbac.<@) ''{"values":["3"]}''')
UNION ALL SELECT 'text', * FROM filtered('tag = ''tag3''')
UNION ALL SELECT 'uuid', * FROM filtered('ref = md5(''u5'')::uuid')
UNION ALL SELECT 'bool scope', * FROM filtered('flag OPERATOR(vecrbac.<@) ''{"values":[true]}''')
UNION ALL SELECT 'jsonb @>', * FROM filtered('payload @> ''{"dept":"d2"}''')
UNION ALL SELECT 'jsonb scope', * FROM filtered('payload OPERATOR(vecrbac.<@) ''{"any":[{"dept":"d1","tags":"t3"}]}''')
UNION ALL SELECT 'two keys', * FROM filtered('tag = ''tag1'' AND payload @> ''{"tags":["t2"]}''')
UNION ALL SELECT 'no match', * FROM filtered('p01 = 100000');

-- A condition the index cannot take stays a filter above an unfiltered scan (the planner
-- turns `flag = true` into a bare `flag`, which no index but btree matches): as with
-- pgvector, iterative scans then fill the LIMIT.
SET hnsw.iterative_scan = relaxed_order;
SELECT 'filter above the scan' AS kind, * FROM filtered('flag');
RESET hnsw.iterative_scan;

-- a small scope whose rows are all far from the query: every one of them comes back
UPDATE items SET embedding = array_fill(5::real, ARRAY[16])::vector WHERE p01 = 999;
SET enable_seqscan = off;
SELECT count(*) AS far_rows FROM (SELECT id FROM items WHERE p01 = 999 ORDER BY embedding <-> (SELECT v FROM queries WHERE q = 1)) s;
SET hnsw.exact_scan_limit = 0;
SELECT count(*) AS far_rows_graph FROM (SELECT id FROM items WHERE p01 = 999 ORDER BY embedding <-> (SELECT v FROM queries WHERE q = 1)) s;
RESET hnsw.exact_scan_limit;
RESET enable_seqscan;

-- inserts and deletes with filter columns, then vacuum: still exact, checker clean
INSERT INTO items
SELECT i, i % 2, i % 10, i % 100, i % 1000, 'tag' || (i % 7), md5('u' || (i % 13))::uuid, i % 3 = 0,
       jsonb_build_object('dept', 'd' || (i % 5)), ARRAY(SELECT random() FROM generate_series(1, 16) WHERE i > 0)::vector
FROM generate_series(5001, 6000) i;
DELETE FROM items WHERE id % 5 = 0;
SELECT * FROM problems('by_p10') UNION ALL SELECT * FROM problems('by_p01') UNION ALL SELECT * FROM problems('by_rest');
VACUUM items;
SELECT * FROM problems('by_p50') UNION ALL SELECT * FROM problems('by_p10') UNION ALL SELECT * FROM problems('by_p1')
UNION ALL SELECT * FROM problems('by_p01') UNION ALL SELECT * FROM problems('by_rest');
SELECT 'p10 after vacuum' AS sel, * FROM filtered('p10 = 3')
UNION ALL SELECT 'p01 after vacuum', * FROM filtered('p01 = 7')
UNION ALL SELECT 'tag after vacuum', * FROM filtered('tag = ''tag2''');
SET hnsw.exact_scan_limit = 0;
SELECT 'p10 graph after vacuum' AS sel, * FROM filtered('p10 = 3');
RESET hnsw.exact_scan_limit;

-- NULL keys: only a scope of every value admits them, through the index as in a
-- sequential scan; a NULL scope admits nothing. The NULL rows sit on the query.
INSERT INTO items (id, p10, embedding) SELECT i, NULL, (SELECT v FROM queries WHERE q = 1) FROM generate_series(6001, 6005) i;
SELECT NULL::int OPERATOR(vecrbac.<@) '{"all":true}' AS null_within_all,
       NULL::int OPERATOR(vecrbac.<@) '{"values":[1]}' AS null_within_values,
       3 OPERATOR(vecrbac.<@) NULL::vecrbac.scope AS within_null_scope;
CREATE FUNCTION null_rows(scope vecrbac.scope, seqscan boolean) RETURNS bigint LANGUAGE plpgsql AS $$
DECLARE n bigint;
BEGIN
    EXECUTE format('SET LOCAL enable_seqscan = %s', seqscan);
    EXECUTE format('SET LOCAL enable_indexscan = %s', NOT seqscan);
    SET LOCAL enable_bitmapscan = off;
    SELECT count(*) FILTER (WHERE id > 6000) INTO n FROM (
        SELECT id FROM items WHERE p10 OPERATOR(vecrbac.<@) scope
        ORDER BY embedding <-> (SELECT v FROM queries WHERE q = 1) LIMIT 10) s;
    RETURN n;
END $$;
SELECT s AS scope, null_rows(s::vecrbac.scope, false) AS index_scan, null_rows(s::vecrbac.scope, true) AS seq_scan
FROM unnest(ARRAY['{"all":true}', '{"values":[1,2,3,4,5,6,7,8,9,0]}', NULL]) s;

DROP TABLE items, queries;
DROP FUNCTION filtered(text), problems(regclass), null_rows(vecrbac.scope, boolean);
DROP EXTENSION vecrbac;

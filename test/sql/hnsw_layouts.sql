-- Token-scoped search is right whatever hnsw indexes the table has. One protected table with
-- two key columns (label: 10 values, t1: 100 values independent of label) and a payload; the
-- layouts a user reaches by ordinary steps (no hnsw index, the plain vector index, one
-- filter-column index per key column next to the plain one, one index over both, several
-- with other column orders) × tokens scoped by label, by t1, by both (5 rows: fewer than
-- LIMIT), by a payload key, and global. In each cell, ten queries as a non-owner role: recall@10
-- against the exact top 10 of the token's rows (computed by a superuser with a sequential
-- scan), no query short of min(10, matching rows), no row outside the token's scope; and the
-- scan node the planner chose, so that a change of plan shows here. Then recall per operator
-- class with the plan asserted, pgvector-style.
CREATE EXTENSION vecrbac;
\set secret 'a regression secret of at least thirty-two bytes'
SET vecrbac.jwt_secret = :'secret';
SELECT setseed(0.7);
CREATE ROLE vr_layout LOGIN NOSUPERUSER NOBYPASSRLS;

CREATE TABLE docs (id int PRIMARY KEY, label int NOT NULL, t1 int NOT NULL, embedding vector(8) NOT NULL,
                   payload jsonb NOT NULL);
INSERT INTO docs SELECT i, i % 10, (i / 10) % 100, ARRAY(SELECT random() FROM generate_series(1, 8) WHERE i > 0),
                        jsonb_build_object('dept', 'd' || (i / 7) % 3)
FROM generate_series(1, 5000) i;
CREATE TABLE queries AS
SELECT q, ARRAY(SELECT random() FROM generate_series(1, 8) WHERE q > 0)::vector(8) AS v FROM generate_series(1, 10) q;
SELECT vecrbac.protect('docs', key_columns => '{"label": "label", "t1": "t1"}');
GRANT SELECT ON docs TO vr_layout;

-- the tokens, and what each may see (as a condition on docs)
CREATE TABLE tokens (name text PRIMARY KEY, payload jsonb, visible text, token text);
INSERT INTO tokens (name, payload, visible) VALUES
    ('label', '{"label": 3}', 'label = 3'),
    ('t1', '{"t1": 42}', 't1 = 42'),
    ('both', '{"label": 3, "t1": 42}', 'label = 3 AND t1 = 42'),
    ('payload', '{"dept": "d1"}', 'payload @> ''{"dept": "d1"}'''),
    ('global', NULL, 'true');
UPDATE tokens SET token = vecrbac.jwt_sign(jsonb_build_object('exp', 4000000000, 'access',
    jsonb_build_array(jsonb_build_object('collection', 'docs', 'access', 'r')
                      || CASE WHEN payload IS NULL THEN '{}' ELSE jsonb_build_object('payload', payload) END)),
    :'secret');
SELECT name, (SELECT count(*) FROM docs WHERE label = 3 AND t1 = 42) AS rows_both FROM tokens WHERE name = 'both';

-- exact top 10 per token and query, by a superuser (no policy) with a sequential scan
CREATE TABLE truth (name text, q int, ids int[]);
SET enable_indexscan = off;
SET enable_bitmapscan = off;
DO $$
DECLARE t record; ids int[];
BEGIN
    FOR t IN SELECT * FROM tokens, queries LOOP
        EXECUTE format('SELECT array_agg(id) FROM (SELECT id FROM docs WHERE %s ORDER BY embedding <-> $1 LIMIT 10) s',
                       t.visible) INTO ids USING t.v;
        INSERT INTO truth VALUES (t.name, t.q, ids);
    END LOOP;
END $$;
RESET enable_indexscan;
RESET enable_bitmapscan;
-- whether a row is visible to a token: for counting foreign rows
CREATE FUNCTION visible(token_name text, row_id int) RETURNS boolean LANGUAGE plpgsql AS $$
DECLARE ok boolean;
BEGIN
    EXECUTE format('SELECT %s FROM docs WHERE id = $1', (SELECT visible FROM tokens WHERE name = token_name))
        INTO ok USING row_id;
    RETURN ok;
END $$;
CREATE TABLE visibility AS SELECT t.name, d.id FROM tokens t, docs d WHERE visible(t.name, d.id);
GRANT SELECT ON tokens, truth, queries, visibility TO vr_layout;

-- One cell: the token's ten searches, as vr_layout.
CREATE FUNCTION cell(token_name text)
RETURNS TABLE (scan text, recall_ok boolean, never_short boolean, no_foreign_row boolean)
LANGUAGE plpgsql AS $$
DECLARE t record; got int[]; hits int := 0; total int := 0; short int := 0; foreign_rows int := 0; line text;
BEGIN
    PERFORM set_config('vecrbac.token', (SELECT token FROM tokens WHERE name = token_name), true);
    FOR line IN EXECUTE 'EXPLAIN (COSTS OFF) SELECT id FROM docs ORDER BY embedding <-> (SELECT v FROM queries WHERE q = 1) LIMIT 10' LOOP
        IF line ~ 'Scan.* on docs( |$)' THEN scan := regexp_replace(line, '^\s*(->\s*)?', ''); END IF;
    END LOOP;
    FOR t IN SELECT tr.q, tr.ids, qu.v FROM truth tr JOIN queries qu USING (q) WHERE tr.name = token_name ORDER BY q LOOP
        SELECT array_agg(id) INTO got FROM (SELECT id FROM docs ORDER BY embedding <-> t.v LIMIT 10) s;
        hits := hits + (SELECT count(*) FROM unnest(got) g WHERE g = ANY (t.ids));
        total := total + coalesce(cardinality(t.ids), 0);
        IF coalesce(cardinality(got), 0) < coalesce(cardinality(t.ids), 0) THEN short := short + 1; END IF;
        foreign_rows := foreign_rows + (SELECT count(*) FROM unnest(got) g
            WHERE NOT EXISTS (SELECT 1 FROM visibility v WHERE v.name = token_name AND v.id = g));
    END LOOP;
    PERFORM set_config('vecrbac.token', '', true);
    recall_ok := total > 0 AND hits::numeric / total >= 0.99;
    never_short := short = 0;
    no_foreign_row := foreign_rows = 0;
    RETURN NEXT;
END $$;

-- Replaces the table's hnsw indexes by a layout's (superuser), then runs every token's cell.
CREATE FUNCTION layout(indexes text[]) RETURNS void LANGUAGE plpgsql AS $$
DECLARE i record; def text;
BEGIN
    FOR i IN SELECT c.relname FROM pg_index x JOIN pg_class c ON c.oid = x.indexrelid JOIN pg_am a ON a.oid = c.relam
             WHERE x.indrelid = 'docs'::regclass AND a.amname = 'hnsw' LOOP
        EXECUTE format('DROP INDEX %I', i.relname);
    END LOOP;
    FOREACH def IN ARRAY indexes LOOP
        EXECUTE format('CREATE INDEX %s ON docs USING hnsw %s', split_part(def, ' ', 1), substr(def, strpos(def, ' ') + 1));
    END LOOP;
    ANALYZE docs;
END $$;
CREATE VIEW matrix AS SELECT name AS token, (cell(name)).* FROM tokens ORDER BY array_position(ARRAY['label', 't1', 'both', 'payload', 'global'], name);
GRANT SELECT ON matrix TO vr_layout;

-- no hnsw index
SELECT layout('{}');
SET ROLE vr_layout;
SELECT * FROM matrix;
RESET ROLE;
-- the plain vector index only (the table as it was before it was protected)
SELECT layout('{"docs_plain (embedding vector_l2_ops)"}');
SET ROLE vr_layout;
SELECT * FROM matrix;
-- an index scan forced (each index path, whatever the costs say)
SET enable_seqscan = off;
SELECT * FROM matrix;
RESET enable_seqscan;
RESET ROLE;
-- a filter-column index for the first key column only
SELECT layout('{"docs_label (label, embedding vector_l2_ops, payload)"}');
SET ROLE vr_layout;
SELECT * FROM matrix;
SET enable_seqscan = off;
SELECT * FROM matrix;
RESET enable_seqscan;
RESET ROLE;
-- one filter-column index per key column, next to the plain one
SELECT layout('{"docs_label (label, embedding vector_l2_ops, payload)", "docs_t1 (t1, embedding vector_l2_ops, payload)", "docs_plain (embedding vector_l2_ops)"}');
SET ROLE vr_layout;
SELECT * FROM matrix;
-- an index scan forced (each index path, whatever the costs say)
SET enable_seqscan = off;
SELECT * FROM matrix;
RESET enable_seqscan;
-- The planner estimates with the token of the session that plans (each token above got the
-- index of its own key column). A cached plan is made again when vecrbac.token changes to a
-- token that scopes other key columns, and kept for another tenant of the same columns.
CREATE TEMP TABLE other_tenant AS SELECT vecrbac.jwt_sign(jsonb_build_object('exp', 4000000000, 'access',
    jsonb_build_array(jsonb_build_object('collection', 'docs', 'access', 'r', 'payload', '{"label": 5}'::jsonb))),
    :'secret') AS token;
CREATE FUNCTION pg_temp.scan_of_prepared() RETURNS text LANGUAGE plpgsql AS $$
DECLARE line text; scan text;
BEGIN
    FOR line IN EXECUTE 'EXPLAIN (COSTS OFF) EXECUTE search' LOOP
        IF line ~ 'Scan.* on docs( |$)' THEN scan := regexp_replace(line, '^\s*(->\s*)?', ''); END IF;
    END LOOP;
    RETURN scan;
END $$;
SELECT set_config('vecrbac.token', token, false) IS NOT NULL AS label_token FROM tokens WHERE name = 'label';
PREPARE search AS SELECT id, label FROM docs ORDER BY embedding <-> (SELECT v FROM queries WHERE q = 1) LIMIT 10;
SELECT pg_temp.scan_of_prepared() AS label_plan;
-- a setting of the planner's does not replan cached plans: what follows shows which are made again
SET enable_indexscan = off;
SELECT set_config('vecrbac.token', token, false) IS NOT NULL AS other_label_tenant FROM other_tenant;
SELECT pg_temp.scan_of_prepared() AS kept_for_another_label_tenant;
-- a kept plan answers for the token that runs it: the other tenant's rows, none of the first's
CREATE TEMP TABLE answered AS EXECUTE search;
SELECT count(*) AS rows, bool_and(label = 5) AS all_of_label_5 FROM answered;
DROP TABLE answered;
SELECT set_config('vecrbac.token', token, false) IS NOT NULL AS t1_token FROM tokens WHERE name = 't1';
SELECT pg_temp.scan_of_prepared() AS planned_again_for_t1;
RESET enable_indexscan;
SELECT set_config('vecrbac.token', token, false) IS NOT NULL AS label_token FROM tokens WHERE name = 'label';
SELECT pg_temp.scan_of_prepared() AS planned_again_for_label;
SELECT set_config('vecrbac.token', token, false) IS NOT NULL AS t1_token FROM tokens WHERE name = 't1';
SELECT pg_temp.scan_of_prepared() AS planned_again_for_t1;
DEALLOCATE search;
DROP TABLE other_tenant;
DROP FUNCTION pg_temp.scan_of_prepared();
SELECT set_config('vecrbac.token', '', false) = '' AS no_token;
RESET ROLE;
-- one index over both key columns
SELECT layout('{"docs_both (label, t1, embedding vector_l2_ops, payload)"}');
SET ROLE vr_layout;
SELECT * FROM matrix;
-- an index scan forced (each index path, whatever the costs say)
SET enable_seqscan = off;
SELECT * FROM matrix;
RESET enable_seqscan;
RESET ROLE;
-- several, in other column orders
SELECT layout('{"docs_t1_label (t1, label, embedding vector_l2_ops, payload)", "docs_emb_label (embedding vector_l2_ops, label)", "docs_payload (payload, embedding vector_l2_ops)"}');
SET ROLE vr_layout;
SELECT * FROM matrix;
SET enable_seqscan = off;
SELECT * FROM matrix;
-- the same through graph walks alone (no exact read of small scopes up front)
SET hnsw.exact_scan_limit = 0;
SELECT * FROM matrix;
RESET hnsw.exact_scan_limit;
RESET enable_seqscan;
RESET ROLE;
SELECT layout('{"docs_label (label, embedding vector_l2_ops, payload)", "docs_t1 (t1, embedding vector_l2_ops, payload)", "docs_plain (embedding vector_l2_ops)"}');
SET ROLE vr_layout;
SET hnsw.exact_scan_limit = 0;
SET enable_seqscan = off;
SELECT * FROM matrix;
RESET enable_seqscan;
RESET hnsw.exact_scan_limit;
RESET ROLE;

-- Plain WHERE clauses on filter columns the chosen index does not take: never short.
SET enable_seqscan = off;
SELECT count(*) AS t1_rows_through_plain_index FROM (SELECT id FROM docs WHERE t1 = 42 AND label = 3
    ORDER BY embedding <-> (SELECT v FROM queries WHERE q = 1) LIMIT 10) s;
DROP INDEX docs_label, docs_t1;
EXPLAIN (COSTS OFF) SELECT id FROM docs WHERE t1 = 42 ORDER BY embedding <-> (SELECT v FROM queries WHERE q = 1) LIMIT 10;
SELECT count(*) AS t1_rows_through_plain_index FROM (SELECT id FROM docs WHERE t1 = 42
    ORDER BY embedding <-> (SELECT v FROM queries WHERE q = 1) LIMIT 10) s;
SELECT count(*) AS t1_0_1_percent_rows FROM (SELECT id FROM docs WHERE t1 = 42 AND label = 3 AND id > 0
    ORDER BY embedding <-> (SELECT v FROM queries WHERE q = 1) LIMIT 10) s;
-- every one of t1 = 42's 50 rows, through the plain index, in exact order, and through a cursor
SELECT count(*) AS all_t1_rows, bool_and(ok) AS exact_order FROM (
    SELECT id, (embedding <-> (SELECT v FROM queries WHERE q = 1)) >= lag(embedding <-> (SELECT v FROM queries WHERE q = 1), 1, 0)
               OVER () AS ok
    FROM (SELECT id, embedding FROM docs WHERE t1 = 42 ORDER BY embedding <-> (SELECT v FROM queries WHERE q = 1) LIMIT 100) s) o;
-- two hnsw scans in one statement: only the one under a Filter streams; the other keeps
-- pgvector's behaviour (at most ef_search rows with hnsw.iterative_scan off)
SELECT (SELECT count(*) FROM (SELECT id FROM docs WHERE t1 = 42 ORDER BY embedding <-> (SELECT v FROM queries WHERE q = 3) LIMIT 10) a) AS filtered,
       (SELECT count(*) FROM (SELECT id FROM docs ORDER BY embedding <-> (SELECT v FROM queries WHERE q = 3) LIMIT 100) b) AS unfiltered;
BEGIN;
DECLARE c CURSOR FOR SELECT id FROM docs WHERE t1 = 42 ORDER BY embedding <-> (SELECT v FROM queries WHERE q = 2);
MOVE 45 IN c;
FETCH 10 FROM c;
COMMIT;
RESET enable_seqscan;

-- Per operator class, pgvector-style: recall@10 of the index against exact search (the plan
-- asserted to be the hnsw index), unfiltered and with a filter key on a 10 % column.
CREATE FUNCTION opclass_recall(ops text, op text, cond text)
RETURNS TABLE (index_scan boolean, recall numeric) LANGUAGE plpgsql AS $$
DECLARE r record; exact int[]; approx int[]; hits int := 0; total int := 0; line text;
BEGIN
    index_scan := false;
    SET LOCAL enable_seqscan = off;
    FOR line IN EXECUTE format('EXPLAIN (COSTS OFF) SELECT id FROM items WHERE %s ORDER BY embedding %s $1 LIMIT 10', cond, op)
        USING (SELECT v FROM queries WHERE q = 1) LOOP
        index_scan := index_scan OR line ~ 'Index Scan using items_idx';
    END LOOP;
    FOR r IN SELECT v FROM queries LOOP
        SET LOCAL enable_indexscan = off;
        SET LOCAL enable_seqscan = on;
        EXECUTE format('SELECT array_agg(id) FROM (SELECT id FROM items WHERE %s ORDER BY embedding %s $1 LIMIT 10) s', cond, op)
            INTO exact USING r.v;
        SET LOCAL enable_indexscan = on;
        SET LOCAL enable_seqscan = off;
        EXECUTE format('SELECT array_agg(id) FROM (SELECT id FROM items WHERE %s ORDER BY embedding %s $1 LIMIT 10) s', cond, op)
            INTO approx USING r.v;
        hits := hits + (SELECT count(*) FROM unnest(approx) a WHERE a = ANY (exact));
        total := total + cardinality(exact);
    END LOOP;
    recall := round(hits::numeric / total, 2);
    RETURN NEXT;
END $$;
CREATE TABLE items AS SELECT id, label, embedding FROM docs;
CREATE TABLE opclasses (ops text, op text);
INSERT INTO opclasses VALUES ('vector_l2_ops', '<->'), ('vector_ip_ops', '<#>'), ('vector_cosine_ops', '<=>'), ('vector_l1_ops', '<+>');
CREATE FUNCTION per_opclass() RETURNS TABLE (ops text, filter text, index_scan boolean, recall_ok boolean)
LANGUAGE plpgsql AS $$
DECLARE o record; c text;
BEGIN
    FOR o IN SELECT * FROM opclasses LOOP
        EXECUTE format('CREATE INDEX items_idx ON items USING hnsw (label, embedding %s)', o.ops);
        ANALYZE items;
        FOREACH c IN ARRAY ARRAY['true', 'label = 3'] LOOP
            SELECT o.ops, c, r.index_scan, r.recall >= 0.98 INTO ops, filter, index_scan, recall_ok
            FROM opclass_recall(o.ops, o.op, c) r;
            RETURN NEXT;
        END LOOP;
        DROP INDEX items_idx;
    END LOOP;
END $$;
SELECT * FROM per_opclass();
DROP FUNCTION per_opclass();
DROP FUNCTION opclass_recall(text, text, text);
DROP TABLE items, opclasses;

DROP VIEW matrix;
DROP FUNCTION layout(text[]), cell(text), visible(text, int);
DROP TABLE docs, queries, tokens, truth, visibility;
DROP ROLE vr_layout;
DROP EXTENSION vecrbac;

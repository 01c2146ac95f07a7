-- hnsw over halfvec, bit and sparsevec, as pgvector 0.8 indexes them: every opclass
-- against exact search (the plan asserted), expression indexes written as pgvector's
-- README writes them, binary quantization with re-ranking, filter columns, a scope,
-- inserts after the build, VACUUM and the checker, and the rejections.
CREATE EXTENSION vecrbac;
SELECT setseed(0.42);
CREATE TABLE items (id int PRIMARY KEY, tenant int NOT NULL, embedding vector(24) NOT NULL);
INSERT INTO items SELECT i, i % 4, ARRAY(SELECT random() - 0.5 FROM generate_series(1, 24) WHERE i > 0)::vector
FROM generate_series(1, 2000) i;
ALTER TABLE items ADD COLUMN half halfvec(24), ADD COLUMN bits bit(24), ADD COLUMN sparse sparsevec(24);
UPDATE items SET half = embedding::halfvec(24), bits = binary_quantize(embedding)::bit(24),
    sparse = ARRAY(SELECT CASE WHEN x > 0.2 THEN x ELSE 0 END FROM unnest(embedding::real[]) x)::vector::sparsevec;
CREATE TABLE queries (qid int PRIMARY KEY, q vector(24));
INSERT INTO queries SELECT i, ARRAY(SELECT random() - 0.5 FROM generate_series(1, 24) WHERE i > 0)::vector
FROM generate_series(1, 30) i;

-- recall@10 of ORDER BY <col> <op> <query>, where the query is the query vector cast
-- by `cast` (an expression of q). The approximate search must be an index scan on an
-- hnsw index, else an error. A hit is a result no farther than the exact 10th: bit
-- distances tie often, and any of the tied rows is a right answer.
CREATE FUNCTION recall(col text, op text, cast_q text, filter text DEFAULT 'true') RETURNS numeric
LANGUAGE plpgsql AS $$
DECLARE
    hits bigint := 0;
    total bigint := 0;
    r record;
    worst float8;
    approx float8[];
    line text;
    used text;
    query text := format('SELECT %s %s %s AS d FROM items WHERE %s ORDER BY %s %s %s LIMIT 10',
                         col, op, cast_q, filter, col, op, cast_q);
BEGIN
    SET LOCAL enable_seqscan = off;
    FOR line IN EXECUTE 'EXPLAIN (COSTS OFF) ' || regexp_replace(query, '\mq\M', '(SELECT q FROM queries WHERE qid = 1)', 'g') LOOP
        used := coalesce(used, substring(line FROM 'Index Scan using (\S+) on items'));
    END LOOP;
    IF used IS NULL OR (SELECT a.amname FROM pg_class c JOIN pg_am a ON a.oid = c.relam
                        WHERE c.oid = used::regclass) IS DISTINCT FROM 'hnsw' THEN
        RAISE EXCEPTION 'recall(% %): the search does not use an hnsw index (%)', col, op, coalesce(used, 'no index scan');
    END IF;
    RESET enable_seqscan;
    FOR r IN SELECT q FROM queries LOOP
        SET LOCAL enable_indexscan = off;
        SET LOCAL enable_bitmapscan = off;
        EXECUTE format('SELECT max(d) FROM (%s) s', regexp_replace(query, '\mq\M', '$1', 'g')) INTO worst USING r.q;
        SET LOCAL enable_indexscan = on;
        SET LOCAL enable_seqscan = off;
        EXECUTE format('SELECT array_agg(d) FROM (%s) s', regexp_replace(query, '\mq\M', '$1', 'g')) INTO approx USING r.q;
        RESET enable_seqscan;
        hits := hits + (SELECT count(*) FROM unnest(approx) a WHERE a <= worst);
        total := total + 10;
    END LOOP;
    RETURN round(hits::numeric / total, 3);
END $$;

CREATE FUNCTION problems(idx regclass) RETURNS SETOF text LANGUAGE sql AS $$
    SELECT severity || ': ' || message FROM vecrbac.hnsw_check(idx) WHERE severity <> 'info'
$$;

SET hnsw.ef_search = 100;

-- ---- halfvec: each opclass on a column ---------------------------------------------
CREATE INDEX ON items USING hnsw (half halfvec_l2_ops);
SELECT recall('half', '<->', 'q::halfvec(24)') >= 0.98 AS halfvec_l2;
CREATE INDEX ON items USING hnsw (half halfvec_ip_ops);
SELECT recall('half', '<#>', 'q::halfvec(24)') >= 0.98 AS halfvec_ip;
CREATE INDEX ON items USING hnsw (half halfvec_cosine_ops);
SELECT recall('half', '<=>', 'q::halfvec(24)') >= 0.98 AS halfvec_cosine;
CREATE INDEX items_half_l1 ON items USING hnsw (half halfvec_l1_ops);
SELECT recall('half', '<+>', 'q::halfvec(24)') >= 0.98 AS halfvec_l1;
SELECT * FROM problems('items_half_l1');
SELECT amname, count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam
WHERE i.indrelid = 'items'::regclass GROUP BY 1;
DROP INDEX items_half_idx, items_half_idx1, items_half_idx2, items_half_l1;

-- the expression index of pgvector's README, used by queries written the same way
CREATE INDEX items_half_expr ON items USING hnsw ((embedding::halfvec(24)) halfvec_l2_ops);
SELECT recall('embedding::halfvec(24)', '<->', 'q::halfvec(24)') >= 0.98 AS halfvec_expression;
DROP INDEX items_half_expr;

-- ---- bit: hamming and jaccard, and binary quantization with re-ranking --------------
CREATE INDEX items_hamming ON items USING hnsw (bits bit_hamming_ops);
SELECT recall('bits', '<~>', 'binary_quantize(q)') >= 0.98 AS bit_hamming;
SELECT * FROM problems('items_hamming');
DROP INDEX items_hamming;
CREATE INDEX items_jaccard ON items USING hnsw (bits bit_jaccard_ops);
SELECT recall('bits', '<%>', 'binary_quantize(q)') >= 0.95 AS bit_jaccard;
DROP INDEX items_jaccard;
CREATE INDEX items_bq ON items USING hnsw ((binary_quantize(embedding)::bit(24)) bit_hamming_ops);
SELECT recall('binary_quantize(embedding)::bit(24)', '<~>', 'binary_quantize(q)') >= 0.98 AS bit_expression;
-- re-ranking: the 40 nearest by hamming distance, ordered by cosine distance; the
-- inner query is the index scan
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT id FROM (
    SELECT id, embedding FROM items
    ORDER BY binary_quantize(embedding)::bit(24) <~> binary_quantize((SELECT q FROM queries WHERE qid = 1)) LIMIT 40
) s ORDER BY embedding <=> (SELECT q FROM queries WHERE qid = 1) LIMIT 5;
RESET enable_seqscan;
SELECT count(*) = 5 AS reranked FROM (
    SELECT id FROM (
        SELECT id, embedding FROM items
        ORDER BY binary_quantize(embedding)::bit(24) <~> binary_quantize((SELECT q FROM queries WHERE qid = 1)) LIMIT 40
    ) s ORDER BY embedding <=> (SELECT q FROM queries WHERE qid = 1) LIMIT 5) r;
DROP INDEX items_bq;

-- ---- sparsevec ------------------------------------------------------------------------
CREATE INDEX items_sparse_l2 ON items USING hnsw (sparse sparsevec_l2_ops);
SELECT recall('sparse', '<->', 'q::sparsevec') >= 0.98 AS sparsevec_l2;
SELECT * FROM problems('items_sparse_l2');
DROP INDEX items_sparse_l2;
CREATE INDEX ON items USING hnsw (sparse sparsevec_ip_ops);
SELECT recall('sparse', '<#>', 'q::sparsevec') >= 0.95 AS sparsevec_ip;
CREATE INDEX ON items USING hnsw (sparse sparsevec_cosine_ops);
SELECT recall('sparse', '<=>', 'q::sparsevec') >= 0.95 AS sparsevec_cosine;
CREATE INDEX ON items USING hnsw (sparse sparsevec_l1_ops);
SELECT recall('sparse', '<+>', 'q::sparsevec') >= 0.98 AS sparsevec_l1;
DROP INDEX items_sparse_idx, items_sparse_idx1, items_sparse_idx2;

-- ---- parallel and spilled builds of each type --------------------------------------------
ALTER TABLE items SET (parallel_workers = 2);
SET max_parallel_maintenance_workers = 2;
SET client_min_messages = debug1;
CREATE INDEX items_half_par ON items USING hnsw (half halfvec_l2_ops);
CREATE INDEX items_bits_par ON items USING hnsw (bits bit_hamming_ops);
CREATE INDEX items_sparse_par ON items USING hnsw (sparse sparsevec_l2_ops);
RESET client_min_messages;
SELECT recall('half', '<->', 'q::halfvec(24)') >= 0.98 AS halfvec_parallel,
       recall('bits', '<~>', 'binary_quantize(q)') >= 0.98 AS bit_parallel,
       recall('sparse', '<->', 'q::sparsevec') >= 0.98 AS sparsevec_parallel;
SELECT * FROM problems('items_half_par') UNION ALL SELECT * FROM problems('items_bits_par')
UNION ALL SELECT * FROM problems('items_sparse_par');
DROP INDEX items_half_par, items_bits_par, items_sparse_par;
ALTER TABLE items RESET (parallel_workers);
RESET max_parallel_maintenance_workers;
-- a graph larger than maintenance_work_mem: the build writes what it has, then inserts
-- (one NOTICE each, shown by its SQLSTATE only: the tuple count in its text depends on
-- the elements' random levels)
SET maintenance_work_mem = '1MB';
\set VERBOSITY sqlstate
CREATE INDEX items_half_spill ON items USING hnsw (half halfvec_l2_ops) WITH (m = 100, ef_construction = 200);
CREATE INDEX items_sparse_spill ON items USING hnsw (sparse sparsevec_l2_ops) WITH (m = 100, ef_construction = 200);
\set VERBOSITY default
RESET maintenance_work_mem;
SELECT recall('half', '<->', 'q::halfvec(24)') >= 0.98 AS halfvec_spilled,
       recall('sparse', '<->', 'q::sparsevec') >= 0.98 AS sparsevec_spilled;
SELECT * FROM problems('items_half_spill') UNION ALL SELECT * FROM problems('items_sparse_spill');
DROP INDEX items_half_spill, items_sparse_spill;

-- ---- filter columns, inserts after the build, VACUUM -------------------------------------
CREATE INDEX items_half_tenant ON items USING hnsw (tenant, half halfvec_l2_ops);
SELECT recall('half', '<->', 'q::halfvec(24)', 'tenant = 2') >= 0.98 AS halfvec_tenant;
CREATE INDEX items_bits_tenant ON items USING hnsw (tenant, bits bit_hamming_ops);
SELECT recall('bits', '<~>', 'binary_quantize(q)', 'tenant = 2') >= 0.98 AS bit_tenant;
CREATE INDEX items_sparse_tenant ON items USING hnsw (tenant, sparse sparsevec_l2_ops);
SELECT recall('sparse', '<->', 'q::sparsevec', 'tenant = 2') >= 0.98 AS sparsevec_tenant;
INSERT INTO items SELECT i, i % 4, v, v::halfvec(24), binary_quantize(v)::bit(24),
    ARRAY(SELECT CASE WHEN x > 0.2 THEN x ELSE 0 END FROM unnest(v::real[]) x)::vector::sparsevec
FROM (SELECT i, ARRAY(SELECT random() - 0.5 FROM generate_series(1, 24) WHERE i > 0)::vector(24) v
      FROM generate_series(2001, 2500) i) s;
DELETE FROM items WHERE id % 3 = 0;
VACUUM items;
SELECT recall('half', '<->', 'q::halfvec(24)', 'tenant = 2') >= 0.98 AS halfvec_after_vacuum;
SELECT recall('bits', '<~>', 'binary_quantize(q)', 'tenant = 2') >= 0.98 AS bit_after_vacuum;
SELECT recall('sparse', '<->', 'q::sparsevec', 'tenant = 2') >= 0.98 AS sparsevec_after_vacuum;
SELECT * FROM problems('items_half_tenant');
SELECT * FROM problems('items_bits_tenant');
SELECT * FROM problems('items_sparse_tenant');
DROP INDEX items_half_tenant, items_bits_tenant, items_sparse_tenant;

-- ---- rejections, with pgvector's messages ---------------------------------------------------
CREATE TABLE wide (h halfvec(4001), b bit(64001), h_ok halfvec(4000), v vector(3000), s sparsevec(100000));
CREATE INDEX ON wide USING hnsw (h halfvec_l2_ops);
CREATE INDEX ON wide USING hnsw (b bit_hamming_ops);
CREATE INDEX ON wide USING hnsw (v vector_l2_ops);
-- a 3,000-dimension vector column is indexed as halfvec, pgvector's answer
CREATE INDEX wide_v_half ON wide USING hnsw ((v::halfvec(3000)) halfvec_l2_ops);
CREATE INDEX wide_h_ok ON wide USING hnsw (h_ok halfvec_l2_ops);
CREATE INDEX wide_s ON wide USING hnsw (s sparsevec_l2_ops);
INSERT INTO wide (s) SELECT ('{' || string_agg(i || ':1', ',') || '}/100000')::sparsevec FROM generate_series(1, 1001) i;
INSERT INTO wide (s) SELECT ('{' || string_agg(i || ':1', ',') || '}/100000')::sparsevec FROM generate_series(1, 1000) i;
-- a query is not stored: it may have more non-zero elements than an indexed value
SET enable_seqscan = off;
EXPLAIN (COSTS OFF) SELECT 1 FROM wide ORDER BY s <-> '{1:1}/100000' LIMIT 1;
SELECT count(*) FROM (SELECT 1 FROM wide
    ORDER BY s <-> (SELECT ('{' || string_agg(i || ':1', ',') || '}/100000')::sparsevec FROM generate_series(1, 1001) i)
    LIMIT 1) s;
RESET enable_seqscan;
CREATE INDEX ON items USING hnsw (bits bit_l2_ops);
CREATE INDEX ON items USING hnsw (half vector_l2_ops);
CREATE TABLE untyped (h halfvec, b bit varying);
CREATE INDEX ON untyped USING hnsw (h halfvec_l2_ops);
-- a query of other dimensions
CREATE INDEX items_half_l2 ON items USING hnsw (half halfvec_l2_ops);
SET enable_seqscan = off;
SELECT id FROM items ORDER BY half <-> '[1,2,3]'::halfvec LIMIT 1;
RESET enable_seqscan;
DROP TABLE wide, untyped, items, queries;
DROP FUNCTION recall(text, text, text, text), problems(regclass);
DROP EXTENSION vecrbac;

-- ivfflat over halfvec and bit, as pgvector 0.8 indexes them: every opclass against
-- exact search (the plan asserted), an expression index for binary quantization, a
-- filter column, inserts after the build, VACUUM, a parallel build, and the
-- rejections with pgvector's messages.
CREATE EXTENSION vecrbac;
SELECT setseed(0.42);
-- 2000 points around 20 random centers in 24 dimensions (signed, so that binary
-- quantization keeps their clusters apart), and 30 queries like them
CREATE TABLE centers (c int PRIMARY KEY, x float4[]);
INSERT INTO centers SELECT c, ARRAY(SELECT random() * 4 - 2 FROM generate_series(1, 24) WHERE c >= 0)
FROM generate_series(0, 19) c;
CREATE TABLE items (id int PRIMARY KEY, tenant int NOT NULL, embedding vector(24) NOT NULL);
INSERT INTO items SELECT i, i % 4, ARRAY(SELECT x[d] + random() - 0.5 FROM generate_series(1, 24) d)::vector
FROM generate_series(1, 2000) i JOIN centers ON c = i % 20;
ALTER TABLE items ADD COLUMN half halfvec(24), ADD COLUMN bits bit(24);
UPDATE items SET half = embedding::halfvec(24), bits = binary_quantize(embedding)::bit(24);
CREATE TABLE queries (qid int PRIMARY KEY, q vector(24));
INSERT INTO queries SELECT i, ARRAY(SELECT x[d] + random() - 0.5 FROM generate_series(1, 24) d)::vector
FROM generate_series(1, 30) i JOIN centers ON c = (i * 7) % 20;

-- recall@10 of ORDER BY <col> <op> <query>, where the query is the query vector cast
-- by `cast_q` (an expression of q). The approximate search must be an index scan on an
-- ivfflat index, else an error. A hit is a result no farther than the exact 10th: bit
-- distances tie often, and any of the tied rows is a right answer.
CREATE FUNCTION type_recall(col text, op text, cast_q text, filter text DEFAULT 'true') RETURNS numeric
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
                        WHERE c.oid = used::regclass) IS DISTINCT FROM 'ivfflat' THEN
        RAISE EXCEPTION 'type_recall(% %): the search does not use an ivfflat index (%)', col, op, coalesce(used, 'no index scan');
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

-- ---- halfvec: each opclass; every list read is exact, a few lists nearly so ---------
CREATE INDEX items_half ON items USING ivfflat (half halfvec_l2_ops) WITH (lists = 20);
SET ivfflat.probes = 20;
SELECT type_recall('half', '<->', 'q::halfvec(24)') = 1 AS halfvec_l2_all_lists;
SET ivfflat.probes = 3;
SELECT type_recall('half', '<->', 'q::halfvec(24)') >= 0.95 AS halfvec_l2_three_lists;
DROP INDEX items_half;
CREATE INDEX items_half ON items USING ivfflat (half halfvec_ip_ops) WITH (lists = 20);
SET ivfflat.probes = 20;
SELECT type_recall('half', '<#>', 'q::halfvec(24)') = 1 AS halfvec_ip_all_lists;
SET ivfflat.probes = 5;
SELECT type_recall('half', '<#>', 'q::halfvec(24)') >= 0.9 AS halfvec_ip_five_lists;
DROP INDEX items_half;
CREATE INDEX items_half ON items USING ivfflat (half halfvec_cosine_ops) WITH (lists = 20);
SET ivfflat.probes = 20;
-- values are normalized into halfvec's precision (as pgvector stores them): near ties
-- at the 10th place may swap even when every list is read
SELECT type_recall('half', '<=>', 'q::halfvec(24)') >= 0.98 AS halfvec_cosine_all_lists;
SET ivfflat.probes = 3;
SELECT type_recall('half', '<=>', 'q::halfvec(24)') >= 0.95 AS halfvec_cosine_three_lists;
DROP INDEX items_half;

-- ---- bit: hamming on a column and on binary quantization --------------------------
CREATE INDEX items_bits ON items USING ivfflat (bits bit_hamming_ops) WITH (lists = 20);
SET ivfflat.probes = 20;
SELECT type_recall('bits', '<~>', 'binary_quantize(q)') = 1 AS bit_all_lists;
SET ivfflat.probes = 3;
SELECT type_recall('bits', '<~>', 'binary_quantize(q)') >= 0.9 AS bit_three_lists;
DROP INDEX items_bits;
CREATE INDEX items_bq ON items USING ivfflat ((binary_quantize(embedding)::bit(24)) bit_hamming_ops)
    WITH (lists = 20);
SELECT type_recall('binary_quantize(embedding)::bit(24)', '<~>', 'binary_quantize(q)') >= 0.9 AS bit_expression;
DROP INDEX items_bq;

-- ---- a filter column beside each type -----------------------------------------------
CREATE INDEX items_half_t ON items USING ivfflat (half halfvec_l2_ops, tenant) WITH (lists = 20);
CREATE INDEX items_bits_t ON items USING ivfflat (bits bit_hamming_ops, tenant) WITH (lists = 20);
SET ivfflat.probes = 3;
SELECT type_recall('half', '<->', 'q::halfvec(24)', 'tenant = 2') >= 0.95 AS halfvec_filtered,
       type_recall('bits', '<~>', 'binary_quantize(q)', 'tenant = 2') >= 0.9 AS bit_filtered;
-- the tenant is tested in the index: no Filter line
EXPLAIN (COSTS OFF) SELECT id FROM items WHERE tenant = 2 ORDER BY half <-> '[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20,21,22,23,24]' LIMIT 5;

-- ---- inserts after the build, then VACUUM after deleting half the rows ---------------
INSERT INTO items SELECT i, i % 4, e, e::halfvec(24), binary_quantize(e)::bit(24)
FROM (SELECT i, ARRAY(SELECT x[d] + random() - 0.5 FROM generate_series(1, 24) d)::vector AS e
      FROM generate_series(2001, 2600) i JOIN centers ON c = i % 20) s;
SET ivfflat.probes = 20;
SELECT type_recall('half', '<->', 'q::halfvec(24)', 'tenant = 2') = 1 AS halfvec_after_inserts,
       type_recall('bits', '<~>', 'binary_quantize(q)', 'tenant = 2') = 1 AS bit_after_inserts;
DELETE FROM items WHERE id % 2 = 0;
VACUUM items;
SELECT type_recall('half', '<->', 'q::halfvec(24)', 'tenant = 1') = 1 AS halfvec_after_vacuum,
       type_recall('bits', '<~>', 'binary_quantize(q)', 'tenant = 1') = 1 AS bit_after_vacuum;
-- every remaining row once through each index
SET enable_seqscan = off;
SELECT count(*) = (SELECT count(*) FROM items) AS halfvec_every_row, count(DISTINCT id) = count(*) AS once
FROM (SELECT id FROM items ORDER BY half <-> (SELECT q::halfvec(24) FROM queries WHERE qid = 1) LIMIT 5000) s;
SELECT count(*) = (SELECT count(*) FROM items) AS bit_every_row, count(DISTINCT id) = count(*) AS once
FROM (SELECT id FROM items ORDER BY bits <~> (SELECT binary_quantize(q) FROM queries WHERE qid = 1) LIMIT 5000) s;
RESET enable_seqscan;
DROP INDEX items_half_t, items_bits_t;

-- ---- a parallel build: the same recall; the workers also append the tenant's keys ---
ALTER TABLE items SET (parallel_workers = 2);
SET max_parallel_maintenance_workers = 2;
SET min_parallel_table_scan_size = 0;
CREATE INDEX items_half_par ON items USING ivfflat (half halfvec_l2_ops, tenant) WITH (lists = 20);
CREATE INDEX items_bits_par ON items USING ivfflat (bits bit_hamming_ops) WITH (lists = 20);
SET ivfflat.probes = 20;
SELECT type_recall('half', '<->', 'q::halfvec(24)') = 1 AS halfvec_parallel,
       type_recall('half', '<->', 'q::halfvec(24)', 'tenant = 3') = 1 AS halfvec_parallel_filtered,
       type_recall('bits', '<~>', 'binary_quantize(q)') = 1 AS bit_parallel;
SET enable_seqscan = off;
SELECT count(*) = (SELECT count(*) FROM items WHERE tenant = 3) AS every_row_of_tenant, count(DISTINCT id) = count(*) AS once
FROM (SELECT id FROM items WHERE tenant = 3 ORDER BY half <-> (SELECT q::halfvec(24) FROM queries WHERE qid = 1) LIMIT 5000) s;
RESET enable_seqscan;
DROP INDEX items_half_par, items_bits_par;
RESET max_parallel_maintenance_workers;
RESET min_parallel_table_scan_size;
RESET ivfflat.probes;

-- ---- rejections, with pgvector's messages -------------------------------------------
CREATE TABLE wide (h halfvec(4001), b bit(64001), v varbit(8), n halfvec, one halfvec(1));
CREATE INDEX ON wide USING ivfflat (h halfvec_l2_ops);
CREATE INDEX ON wide USING ivfflat (b bit_hamming_ops);
CREATE INDEX ON wide USING ivfflat (v bit_hamming_ops);
CREATE INDEX ON wide USING ivfflat (n halfvec_l2_ops);
CREATE INDEX ON wide USING ivfflat (one halfvec_cosine_ops);
CREATE INDEX ON wide USING ivfflat (b bit_jaccard_ops);
CREATE INDEX ON wide USING ivfflat (one halfvec_l1_ops);
DROP TABLE wide;
-- the largest dimensions pgvector takes are taken
CREATE TABLE widest (h halfvec(4000), b bit(64000));
CREATE INDEX ON widest USING ivfflat (h halfvec_l2_ops);
CREATE INDEX ON widest USING ivfflat (b bit_hamming_ops);
DROP TABLE widest;
-- a query of other dimensions
CREATE INDEX items_half ON items USING ivfflat (half halfvec_l2_ops) WITH (lists = 20);
CREATE INDEX items_bits ON items USING ivfflat (bits bit_hamming_ops) WITH (lists = 20);
SET enable_seqscan = off;
SELECT id FROM items ORDER BY half <-> '[1,2,3]'::halfvec LIMIT 1;
SELECT id FROM items ORDER BY bits <~> B'101' LIMIT 1;
-- a row of other dimensions cannot be stored (the column's type modifier), nor indexed
CREATE TABLE loose (id int, h halfvec);
CREATE INDEX loose_h ON loose USING ivfflat ((h::halfvec(3)) halfvec_l2_ops) WITH (lists = 1);
INSERT INTO loose VALUES (1, '[1,2]');
DROP TABLE loose;
RESET enable_seqscan;
DROP TABLE items, queries, centers;
DROP FUNCTION type_recall(text, text, text, text);
DROP EXTENSION vecrbac;

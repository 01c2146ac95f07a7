-- insert_chains.sql: what the chain directories (on-disk version 3, 0.9.0) cost inserts.
-- The same 20,000 rows (two key columns, 128 dimensions) are inserted, one statement per
-- 1,000 rows, into a table whose index over (tenant, dept, embedding) is version 2 (a
-- directory for tenant only) and into one whose index is version 3 (tenant and dept),
-- alternately, five rounds; then the WAL each wrote and each index's size.
--   psql -X -d DB -f bench/filtered/insert_chains.sql   (as a superuser, on a scratch database)
\set ON_ERROR_STOP on
\timing off
CREATE EXTENSION IF NOT EXISTS vecrbac;
DROP TABLE IF EXISTS ins_v2, ins_v3, ins_src, ins_times;
SELECT setseed(0.5);
CREATE TABLE ins_src AS
SELECT i AS id, i % 10 AS tenant, i % 100 AS dept,
       ARRAY(SELECT random() FROM generate_series(1, 128) WHERE i > 0)::vector(128) AS embedding
FROM generate_series(1, 20000) i;
CREATE TABLE ins_times (version int, round int, ms float8, wal_bytes bigint);
CREATE TABLE ins_v2 (LIKE ins_src);
CREATE TABLE ins_v3 (LIKE ins_src);
SET vecrbac.test_hnsw_version = 2;
CREATE INDEX ins_v2_idx ON ins_v2 USING hnsw (tenant, dept, embedding vector_l2_ops);
RESET vecrbac.test_hnsw_version;
CREATE INDEX ins_v3_idx ON ins_v3 USING hnsw (tenant, dept, embedding vector_l2_ops);
DO $$
DECLARE t0 timestamptz; w0 pg_lsn; r int; v int; lo int;
BEGIN
    FOR r IN 1..5 LOOP
        FOREACH v IN ARRAY ARRAY[2, 3] LOOP
            t0 := clock_timestamp(); w0 := pg_current_wal_insert_lsn();
            FOR lo IN 0..3 LOOP
                EXECUTE format('INSERT INTO ins_v%s SELECT * FROM ins_src WHERE id %% 5 = %s AND id > %s AND id <= %s',
                               v, r - 1, lo * 5000, (lo + 1) * 5000);
            END LOOP;
            INSERT INTO ins_times VALUES (v, r, extract(epoch FROM clock_timestamp() - t0) * 1000,
                                          pg_current_wal_insert_lsn() - w0);
        END LOOP;
    END LOOP;
END $$;
SELECT version, round(sum(ms)::numeric) AS total_ms, round((sum(ms) / 20000 * 1000)::numeric, 1) AS us_per_row,
       round(sum(wal_bytes) / 20000.0) AS wal_bytes_per_row,
       pg_size_pretty(pg_relation_size('ins_v' || version || '_idx')) AS index_size
FROM ins_times GROUP BY version ORDER BY version;
SELECT (SELECT count(*) FROM vecrbac.hnsw_check('ins_v3_idx') WHERE severity = 'error') AS v3_check_errors;

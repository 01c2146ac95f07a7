-- vector errors: every binary operator and distance refuses mismatched dimensions,
-- overflow and limits, each with pgvector's message and SQLSTATE, and the backend
-- stays healthy.
CREATE EXTENSION vecrbac;
SELECT pg_backend_pid() AS pid \gset

-- Dimension mismatch, operator by operator.
SELECT '[1,2]'::vector <-> '[3]';
\echo :LAST_ERROR_SQLSTATE
SELECT '[1,2]'::vector <#> '[3]';
\echo :LAST_ERROR_SQLSTATE
SELECT '[1,2]'::vector <=> '[3]';
\echo :LAST_ERROR_SQLSTATE
SELECT '[1,2]'::vector <+> '[3]';
\echo :LAST_ERROR_SQLSTATE
SELECT '[1,2]'::vector + '[3]';
\echo :LAST_ERROR_SQLSTATE
SELECT '[1,2]'::vector - '[3]';
\echo :LAST_ERROR_SQLSTATE
SELECT '[1,2]'::vector * '[3]';
\echo :LAST_ERROR_SQLSTATE
-- ... function by function.
SELECT l2_distance('[1,2]'::vector, '[3]');
\echo :LAST_ERROR_SQLSTATE
SELECT vector_l2_squared_distance('[1,2]'::vector, '[3]');
\echo :LAST_ERROR_SQLSTATE
SELECT inner_product('[1,2]'::vector, '[3]');
\echo :LAST_ERROR_SQLSTATE
SELECT vector_negative_inner_product('[1,2]'::vector, '[3]');
\echo :LAST_ERROR_SQLSTATE
SELECT cosine_distance('[1,2]'::vector, '[3]');
\echo :LAST_ERROR_SQLSTATE
SELECT vector_spherical_distance('[1,2]'::vector, '[3]');
\echo :LAST_ERROR_SQLSTATE
SELECT l1_distance('[1,2]'::vector, '[3]');
\echo :LAST_ERROR_SQLSTATE
SELECT vector_add('[1]'::vector, '[1,2,3]');
\echo :LAST_ERROR_SQLSTATE
SELECT vector_sub('[1]'::vector, '[1,2,3]');
\echo :LAST_ERROR_SQLSTATE
SELECT vector_mul('[1]'::vector, '[1,2,3]');
\echo :LAST_ERROR_SQLSTATE
-- The message names the left operand's dimensions first.
SELECT '[1]'::vector <-> '[1,2,3,4,5,6,7,8,9,10,11,12,13,14,15,16,17,18,19,20]';
-- Comparisons are defined across dimensions (no error), like arrays.
SELECT '[1,2]'::vector < '[3]', '[1,2]'::vector = '[1]', vector_cmp('[1,2]', '[1]');
-- Concatenation may not pass the limit.
SELECT array_fill(1, ARRAY[8000])::vector || array_fill(1, ARRAY[8001])::vector;
\echo :LAST_ERROR_SQLSTATE

-- A mismatch deep in a scan fails the statement, not the backend.
CREATE TABLE mixed (id int, v vector);
INSERT INTO mixed SELECT i, '[1,2,3]' FROM generate_series(1, 100) i;
INSERT INTO mixed VALUES (101, '[1,2]');
-- ANALYZE sorts sample values with <, defined across dimensions (pgvector 0.6.1
-- fixed an error here).
ANALYZE mixed;
SELECT n_distinct, array_length(most_common_vals::text::vector[], 1) AS common_values
FROM pg_stats WHERE tablename = 'mixed' AND attname = 'v';
SELECT count(*) FROM mixed WHERE v <-> '[0,0,0]' > 0;
\echo :LAST_ERROR_SQLSTATE
SELECT id FROM mixed ORDER BY v <=> '[1,1,1]' LIMIT 1;
\echo :LAST_ERROR_SQLSTATE
SELECT sum(v) FROM mixed;
\echo :LAST_ERROR_SQLSTATE
SELECT avg(v) FROM mixed;
\echo :LAST_ERROR_SQLSTATE
-- Errors caught in PL/pgSQL leave nothing behind.
DO $$
DECLARE
    n int := 0;
BEGIN
    FOR i IN 1..500 LOOP
        BEGIN
            PERFORM '[1,2]'::vector <-> '[1]';
        EXCEPTION WHEN data_exception THEN
            n := n + 1;
        END;
    END LOOP;
    RAISE NOTICE 'caught % errors', n;
END $$;
SELECT pg_backend_pid() = :pid AS same_backend;
DROP TABLE mixed;

DROP EXTENSION vecrbac;

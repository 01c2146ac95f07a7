-- avg(vector) and sum(vector): pgvector's results, state functions called
-- directly, and parallel plans whose results equal the serial ones.
CREATE EXTENSION vecrbac;

SELECT avg(v) FROM unnest(ARRAY['[1,2,3]'::vector, '[3,5,7]']) v;
SELECT avg(v) FROM unnest(ARRAY['[1,2,3]'::vector, '[3,5,7]', NULL]) v;
SELECT avg(v) FROM unnest(ARRAY[]::vector[]) v;
SELECT avg(v) FROM unnest(ARRAY[NULL]::vector[]) v;
SELECT avg(v) FROM unnest(ARRAY['[1,2]'::vector, '[3]']) v;
\echo :LAST_ERROR_SQLSTATE
SELECT avg(v) FROM unnest(ARRAY['[3e38]'::vector, '[3e38]']) v;
SELECT avg(v) FROM unnest(ARRAY['[1]'::vector, '[2]', '[2]']) v;
SELECT vector_avg(array_agg(n)) FROM generate_series(1, 16002) n;
\echo :LAST_ERROR_SQLSTATE

SELECT sum(v) FROM unnest(ARRAY['[1,2,3]'::vector, '[3,5,7]']) v;
SELECT sum(v) FROM unnest(ARRAY['[1,2,3]'::vector, '[3,5,7]', NULL]) v;
SELECT sum(v) FROM unnest(ARRAY[]::vector[]) v;
SELECT sum(v) FROM unnest(ARRAY['[1,2]'::vector, '[3]']) v;
\echo :LAST_ERROR_SQLSTATE
SELECT sum(v) FROM unnest(ARRAY['[3e38]'::vector, '[3e38]']) v;
\echo :LAST_ERROR_SQLSTATE

-- The state functions, called directly (the state is {count, sums...}).
SELECT vector_accum('{0}', '[1,2,3]');
SELECT vector_accum('{0,0,0,0}', '[1,2,3]');
SELECT vector_accum('{2,1,1,1}', '[1,2,3]');
SELECT vector_accum('{}', '[1,2,3]');
\echo :LAST_ERROR_SQLSTATE
SELECT vector_accum('{NULL}', '[1,2,3]');
\echo :LAST_ERROR_SQLSTATE
SELECT vector_accum('{{0}}', '[1,2,3]');
\echo :LAST_ERROR_SQLSTATE
SELECT vector_accum('{0,0}', '[1,2,3]');
\echo :LAST_ERROR_SQLSTATE
SELECT vector_combine('{1,2}', '{3,4}');
SELECT vector_combine('{0}', '{3,4,5}');
SELECT vector_combine('{3,4,5}', '{0}');
-- Two empty partial states (workers that saw no rows) combine to the empty state.
SELECT vector_combine('{0}', '{0}');
SELECT vector_avg(vector_combine('{0}', '{0}'));
SELECT vector_combine('{{1,2}}', '{3,4}');
\echo :LAST_ERROR_SQLSTATE
SELECT vector_combine('{1,2}', '{{3,4}}');
\echo :LAST_ERROR_SQLSTATE
SELECT vector_combine('{NULL,2}', '{3,4}');
\echo :LAST_ERROR_SQLSTATE
SELECT vector_combine('{}', '{0}');
\echo :LAST_ERROR_SQLSTATE
SELECT vector_combine('{0}', '{}');
\echo :LAST_ERROR_SQLSTATE
SELECT vector_combine('{1,2}', '{1,2,3}');
\echo :LAST_ERROR_SQLSTATE
SELECT vector_combine('{0}', (SELECT array_agg(n) FROM generate_series(1, 16002) n)::float8[]);
\echo :LAST_ERROR_SQLSTATE
SELECT vector_combine((SELECT array_agg(n) FROM generate_series(1, 16002) n)::float8[], '{0}');
\echo :LAST_ERROR_SQLSTATE
SELECT vector_combine((SELECT array_agg(n) FROM generate_series(1, 16002) n)::float8[],
                      (SELECT array_agg(n) FROM generate_series(1, 16002) n)::float8[]);
\echo :LAST_ERROR_SQLSTATE
SELECT vector_combine('{1,1.7976931348623157e308}', '{1,1.7976931348623157e308}');
\echo :LAST_ERROR_SQLSTATE
SELECT vector_avg('{0}'), vector_avg('{2,3,5}'), vector_avg('{4,1,2,3}');
SELECT vector_avg('{1}');
\echo :LAST_ERROR_SQLSTATE
SELECT vector_avg('{}');
\echo :LAST_ERROR_SQLSTATE

-- The aggregates as pgvector declares them.
SELECT aggfnoid::regprocedure, aggtransfn, aggfinalfn, aggcombinefn, aggtranstype::regtype,
       agginitval, p.proparallel
FROM pg_aggregate a JOIN pg_proc p ON p.oid = a.aggfnoid
WHERE aggfnoid IN ('avg(vector)'::regprocedure, 'sum(vector)'::regprocedure)
ORDER BY 1::text;

-- Parallel aggregation: partial states from workers, combined in the leader.
-- Integer-valued data keeps every sum exact, so serial and parallel must agree.
CREATE TABLE agg (id int, g int, v vector(4));
INSERT INTO agg
SELECT i, i % 5, ('[' || i % 97 || ',' || -(i % 13) || ',' || i % 2 || ',' || (i * 7) % 200 || ']')::vector
FROM generate_series(1, 60000) i;
ANALYZE agg;
CREATE TABLE serial AS SELECT avg(v) AS a, sum(v) AS s FROM agg;
CREATE TABLE serial_grouped AS SELECT g, avg(v) AS a, sum(v) AS s FROM agg GROUP BY g;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;
EXPLAIN (COSTS OFF) SELECT avg(v), sum(v) FROM agg;
SELECT avg(v), sum(v) FROM agg;
SELECT (SELECT avg(v) FROM agg) = a AS avg_equal, (SELECT sum(v) FROM agg) = s AS sum_equal FROM serial;
EXPLAIN (COSTS OFF) SELECT g, avg(v), sum(v) FROM agg GROUP BY g;
SELECT count(*) AS groups, bool_and(p.a = s.a) AS avg_equal, bool_and(p.s = s.s) AS sum_equal
FROM (SELECT g, avg(v) AS a, sum(v) AS s FROM agg GROUP BY g) p JOIN serial_grouped s USING (g);
-- Workers that see no rows hand back empty states ({0} for avg); the leader
-- combines them and returns NULL, not an error. (id + 0 hides the selectivity, so
-- the planner still expects rows and keeps the partial aggregation.)
EXPLAIN (COSTS OFF) SELECT avg(v), sum(v) FROM agg WHERE id + 0 < 0;
SELECT avg(v), sum(v) FROM agg WHERE id + 0 < 0;
-- Only one row qualifies: empty and non-empty partial states meet.
EXPLAIN (COSTS OFF) SELECT avg(v), sum(v) FROM agg WHERE id + 0 = 7;
SELECT avg(v), sum(v) FROM agg WHERE id + 0 = 7;
-- Mismatched dimensions are still caught, in a worker or in the leader's combine
-- (which one sees it first depends on how blocks are shared, so only the class of
-- the error is shown).
CREATE FUNCTION pg_temp.error_of(query text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE query;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ' ' ||
        (SQLERRM ~ '^(expected [23] dimensions, not [23]|different vector dimensions [23] and [23])$');
END $$;
CREATE TABLE agg_mixed (v vector);
INSERT INTO agg_mixed SELECT CASE WHEN i % 2 = 0 THEN '[1,2]'::vector ELSE '[1,2,3]' END
FROM generate_series(1, 60000) i;
ANALYZE agg_mixed;
EXPLAIN (COSTS OFF) SELECT avg(v) FROM agg_mixed;
SELECT pg_temp.error_of('SELECT avg(v) FROM agg_mixed');
SELECT pg_temp.error_of('SELECT sum(v) FROM agg_mixed');
RESET ALL;
DROP TABLE agg, agg_mixed, serial, serial_grouped;

DROP EXTENSION vecrbac;

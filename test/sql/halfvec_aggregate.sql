-- halfvec aggregates: avg (double precision[] state, combined by vector_combine's
-- function as in pgvector) and sum (halfvec_add), their rounding and overflow, empty
-- input, and parallel plans whose results equal the serial ones.
CREATE EXTENSION vecrbac;

SELECT avg(v) FROM unnest(ARRAY['[1,2,3]'::halfvec, '[3,5,7]']) v;
SELECT avg(v) FROM unnest(ARRAY['[1,2,3]'::halfvec, '[3,5,7]', NULL]) v;
-- The mean 1024.5 is a tie between two halves: rounded once, to even.
SELECT avg(v) AS rounded_to_half FROM unnest(ARRAY['[1]'::halfvec, '[2048]']) v;
SELECT avg(v) FROM unnest(ARRAY['[1e-4]'::halfvec, '[2e-4]', '[4e-4]']) v;
SELECT avg(v) FROM unnest(ARRAY[]::halfvec[]) v;
SELECT avg(v) FROM unnest(ARRAY['[1,2]'::halfvec, '[3]']) v;
\echo :LAST_ERROR_SQLSTATE
-- The sums are in double: an average of values near the top of the range is fine.
SELECT avg(v) FROM unnest(ARRAY['[65504]'::halfvec, '[65504]', '[65504]']) v;

SELECT sum(v) FROM unnest(ARRAY['[1,2,3]'::halfvec, '[3,5,7]']) v;
SELECT sum(v) FROM unnest(ARRAY['[1,2,3]'::halfvec, '[3,5,7]', NULL]) v;
SELECT sum(v) FROM unnest(ARRAY[]::halfvec[]) v;
SELECT sum(v) FROM unnest(ARRAY['[1,2]'::halfvec, '[3]']) v;
\echo :LAST_ERROR_SQLSTATE
SELECT sum(v) FROM unnest(ARRAY['[65504]'::halfvec, '[65504]']) v;
\echo :LAST_ERROR_SQLSTATE

-- The support functions directly.
SELECT halfvec_accum('{0}', '[1,2]'), halfvec_accum('{1,1,2}', '[3,4]');
SELECT halfvec_accum('{1,1}', '[1,2]');
\echo :LAST_ERROR_SQLSTATE
SELECT halfvec_combine('{0}', '{0}'), halfvec_combine('{1,1,2}', '{0}'), halfvec_combine('{1,1,2}', '{2,3,4}');
SELECT halfvec_avg('{0}'), halfvec_avg('{2,3,5}');
SELECT halfvec_avg('{1,1e10}');
\echo :LAST_ERROR_SQLSTATE
SELECT halfvec_avg('{1}');
\echo :LAST_ERROR_SQLSTATE
SELECT halfvec_avg('{{1,2}}');
\echo :LAST_ERROR_SQLSTATE

-- The aggregates as pgvector declares them.
SELECT aggfnoid::regprocedure, aggtransfn, aggfinalfn, aggcombinefn, aggtranstype::regtype,
       agginitval, p.proparallel
FROM pg_aggregate a JOIN pg_proc p ON p.oid = a.aggfnoid
WHERE aggfnoid IN ('avg(halfvec)'::regprocedure, 'sum(halfvec)'::regprocedure)
ORDER BY aggfnoid::regprocedure::text;

-- Parallel aggregation: partial states from workers, combined in the leader.
-- Small integers keep every sum exact, so serial and parallel must agree.
CREATE TABLE agg (id int, g int, v halfvec(4));
INSERT INTO agg
SELECT i, i % 5, ('[' || i % 97 || ',' || -(i % 13) || ',' || i % 2 || ',' || (i * 7) % 200 || ']')::halfvec
FROM generate_series(1, 60000) i;
ANALYZE agg;
CREATE TABLE serial AS SELECT avg(v) AS a FROM agg;
CREATE TABLE serial_grouped AS SELECT g, avg(v) AS a FROM agg WHERE id <= 500 GROUP BY g;
SET parallel_setup_cost = 0;
SET parallel_tuple_cost = 0;
SET min_parallel_table_scan_size = 0;
SET max_parallel_workers_per_gather = 2;
SET parallel_leader_participation = off;
EXPLAIN (COSTS OFF) SELECT avg(v) FROM agg;
SELECT avg(v) FROM agg;
SELECT (SELECT avg(v) FROM agg) = a AS avg_equal FROM serial;
-- sum() of all rows would overflow half precision; the first 500 rows do not.
EXPLAIN (COSTS OFF) SELECT sum(v) FROM agg WHERE id + 0 <= 500;
-- Each addition rounds to half precision, so the last bits depend on the order the
-- workers' partial sums come in: within 5% of the single-precision sum (2.4% apart here).
SELECT bool_and(abs(h - f) <= 0.05 * abs(f)) AS sum_close
FROM unnest((SELECT sum(v) FROM agg WHERE id + 0 <= 500)::real[]) WITH ORDINALITY a(h, i)
JOIN unnest((SELECT sum(v::vector) FROM agg WHERE id + 0 <= 500)::real[]) WITH ORDINALITY b(f, j) ON i = j;
SELECT count(*) AS groups, bool_and(p.a = s.a) AS avg_equal
FROM (SELECT g, avg(v) AS a FROM agg WHERE id <= 500 GROUP BY g) p JOIN serial_grouped s USING (g);
-- All rows overflow, in a worker or in the leader (which one depends on the workers
-- that start, so only the error is shown).
CREATE FUNCTION pg_temp.error_of(query text) RETURNS text LANGUAGE plpgsql AS $$
BEGIN
    EXECUTE query;
    RETURN 'no error';
EXCEPTION WHEN OTHERS THEN
    RETURN SQLSTATE || ' ' || SQLERRM;
END $$;
SELECT pg_temp.error_of('SELECT sum(v) FROM agg');
-- Workers that see no rows hand back empty states; the leader returns NULL.
EXPLAIN (COSTS OFF) SELECT avg(v), sum(v) FROM agg WHERE id + 0 < 0;
SELECT avg(v), sum(v) FROM agg WHERE id + 0 < 0;
SELECT avg(v), sum(v) FROM agg WHERE id + 0 = 7;
RESET ALL;
DROP TABLE agg, serial, serial_grouped;

DROP EXTENSION vecrbac;

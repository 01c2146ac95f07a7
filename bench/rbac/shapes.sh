#!/usr/bin/env bash
# shapes.sh: the cost of the read policy's shape, measured inside the server (no client
# round trips): one protected table (20,000 random 128-dimension vectors, label 0..9 as
# the key column, hnsw index over label, embedding and payload), 500 top-10 searches per
# run from a PL/pgSQL loop, as
#   plain     a BYPASSRLS role (no policy applies)
#   direct    today's policy (accessors called directly, as protect() makes it)
#   subquery  0.2.0's policy (each accessor in a scalar subquery, an InitPlan)
# with a global-read token; 20 rounds, the order alternating; medians and paired ratios.
#
#   bench/rbac/shapes.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
source scripts/lib/cluster.sh
OUT=$ROOT/bench/out/rbac_shapes
mkdir -p "$OUT"
make -s -j2 >/dev/null
vr_prefix_setup "$OUT/install"
PORT=$(vr_free_port)
vr_cluster_start "$OUT/cluster/data" "$PORT" "vecrbac.jwt_secret = 'a benchmark secret of at least thirty-two bytes'" "jit = off" "shared_buffers = 256MB"
trap 'vr_cluster_stop "$OUT/cluster/data"; rm -rf "$OUT/cluster"' EXIT
vr_log "$(lscpu | sed -n 's/^Model name: *//p'), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u '+%Y-%m-%d %H:%M UTC')"
P="psql -X -q -h 127.0.0.1 -p $PORT -U postgres -d postgres -v ON_ERROR_STOP=1"
$P <<'SQL'
CREATE EXTENSION vecrbac;
SELECT setseed(0.5);
CREATE TABLE fm (id int PRIMARY KEY, label int NOT NULL, embedding vector(128) NOT NULL, payload jsonb NOT NULL);
INSERT INTO fm SELECT i, i % 10, ARRAY(SELECT random() FROM generate_series(1, 128) WHERE i > 0)::vector(128), jsonb_build_object('label', i % 10) FROM generate_series(1, 20000) i;
CREATE TABLE q AS SELECT n, ARRAY(SELECT random() FROM generate_series(1, 128) WHERE n > 0)::vector(128) AS v FROM generate_series(1, 500) n;
CREATE INDEX ON fm USING hnsw (label, embedding vector_l2_ops, payload);
VACUUM ANALYZE fm;
SELECT vecrbac.protect('fm', key_columns => '{"label": "label"}');
CREATE TABLE shapes (name text, qual text);
INSERT INTO shapes VALUES ('direct', (SELECT qual FROM pg_policies WHERE tablename = 'fm' AND policyname = 'vecrbac_select')),
 ('subquery', $q$vecrbac._load() AND (SELECT vecrbac.authorize('fm', 'read'))
    AND label OPERATOR(vecrbac.<@) (SELECT vecrbac.key_scope('fm', 'label'))
    AND payload OPERATOR(vecrbac.<@) (SELECT vecrbac.payload_scope('fm', '{label}'))
    AND ((SELECT vecrbac.scope_is_exact('fm', '{label}'))
         OR jsonb_build_object('k', jsonb_build_object('label', label), 'p', payload)
            OPERATOR(vecrbac.<@) (SELECT vecrbac.row_scope('fm', '{label}')))$q$);
CREATE ROLE app LOGIN; CREATE ROLE app_bypass LOGIN BYPASSRLS;
GRANT SELECT ON fm, q TO app, app_bypass;
CREATE FUNCTION run() RETURNS float8 LANGUAGE plpgsql AS $f$
DECLARE s timestamptz := clock_timestamp(); r record; ids int[];
BEGIN
  FOR r IN SELECT v FROM q ORDER BY n LOOP
    SELECT array_agg(id) INTO ids FROM (SELECT id FROM fm ORDER BY embedding <-> r.v LIMIT 10) x;
  END LOOP;
  RETURN extract(epoch FROM clock_timestamp() - s) * 1e6 / 500;
END $f$;
CREATE FUNCTION shape(n text) RETURNS void LANGUAGE plpgsql AS $f$
BEGIN
  DROP POLICY vecrbac_select ON fm;
  EXECUTE format('CREATE POLICY vecrbac_select ON fm FOR SELECT USING (%s)', (SELECT qual FROM shapes WHERE name = n));
END $f$;
CREATE TEMP TABLE res (round int, kind text, us float8);
SQL
TOKEN=$($P -tA -c "SELECT vecrbac.jwt_sign('{\"access\": \"r\", \"exp\": 4000000000}', 'a benchmark secret of at least thirty-two bytes')")
$P <<SQL
SET vecrbac.token = '$TOKEN';
CREATE TEMP TABLE res (round int, kind text, us float8);
GRANT ALL ON res TO PUBLIC;
SET ROLE app_bypass; SELECT run(); RESET ROLE;
SELECT shape('direct'); SET ROLE app; SELECT run(); RESET ROLE;
SELECT shape('subquery'); SET ROLE app; SELECT run(); RESET ROLE;
\o /dev/null
$(for i in $(seq 1 20); do
  if (( i % 2 )); then order="plain direct subquery"; else order="subquery direct plain"; fi
  for k in $order; do
    if [[ $k == plain ]]; then echo "SET ROLE app_bypass; INSERT INTO res SELECT $i, 'plain', run(); RESET ROLE;"
    else echo "SELECT shape('$k'); SET ROLE app; INSERT INTO res SELECT $i, '$k', run(); RESET ROLE;"; fi
  done
done)
\o
SELECT kind, round(percentile_cont(0.5) WITHIN GROUP (ORDER BY us)::numeric, 1) AS median_us,
       round(avg(us)::numeric, 1) AS mean_us, round(min(us)::numeric, 1) AS min_us
FROM res GROUP BY kind ORDER BY kind;
SELECT round((100 * (d / p - 1))::numeric, 2) AS direct_overhead_pct, round((100 * (s / p - 1))::numeric, 2) AS subquery_overhead_pct,
       round((d / s)::numeric, 3) AS direct_vs_subquery
FROM (SELECT percentile_cont(0.5) WITHIN GROUP (ORDER BY us) FILTER (WHERE kind = 'plain') p,
             percentile_cont(0.5) WITHIN GROUP (ORDER BY us) FILTER (WHERE kind = 'direct') d,
             percentile_cont(0.5) WITHIN GROUP (ORDER BY us) FILTER (WHERE kind = 'subquery') s FROM res) x;
SELECT round(percentile_cont(0.5) WITHIN GROUP (ORDER BY d.us / s.us)::numeric, 3) AS paired_direct_vs_subquery_median,
       round(percentile_cont(0.5) WITHIN GROUP (ORDER BY d.us / p.us)::numeric, 3) AS paired_direct_vs_plain_median,
       round(percentile_cont(0.5) WITHIN GROUP (ORDER BY s.us / p.us)::numeric, 3) AS paired_subquery_vs_plain_median
FROM res d JOIN res s ON s.round = d.round AND s.kind = 'subquery' JOIN res p ON p.round = d.round AND p.kind = 'plain' WHERE d.kind = 'direct';
SQL

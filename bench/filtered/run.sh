#!/usr/bin/env bash
# run.sh: filtered nearest-neighbour search on Fashion-MNIST with tenants at 10%, 1%
# and 0.1% selectivity, next to the unfiltered search and the exact filtered scan,
# in one run.
#
#   bench/filtered/run.sh        results in bench/out/filtered/ (JSON lines, PNG, Markdown)
#
# For each selectivity S, three hnsw indexes ((tS, embedding)) and a btree on tS:
#   unfiltered    ORDER BY embedding <-> $1 LIMIT 10
#   where         WHERE tS = $2 ORDER BY ... LIMIT 10            (the index's filter key)
#   scope         WHERE tS <@ $2::vecrbac.scope ...              (what the policies generate)
#   exact         the tenant's rows through the btree, sorted by distance (OFFSET 0 fence)
#   policy        the product path: a copy of the table per selectivity with the index
#                 docs/rbac.md recommends (tenant, embedding, payload), protected by
#                 vecrbac.protect (key column tenant), queried by an ordinary role with no
#                 WHERE clause; each query first sets a tenant token (JWT) it signed for
#                 that tenant, as a pool serving many tenants would; both round trips timed
# each for every hnsw.ef_search in EFS, 1,000 queries through one libpq connection.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
source scripts/lib/cluster.sh
source bench/lib.sh

OUT=$ROOT/bench/out/filtered
DATA_DIR=$ROOT/bench/out/data
EFS=${EFS:-"10 20 40 80 160"}
SECRET="a benchmark secret of at least thirty-two bytes"
mkdir -p "$OUT" "$DATA_DIR"
: >"$OUT/results.jsonl"

vr_log "build vecrbac and the libpq client"
make -s -j"$(nproc)" >/dev/null
vr_build_pg_client "$OUT"
vr_prefix_setup "$OUT/install"
PORT=$(vr_free_port)
CLUSTER=$OUT/cluster/data
vr_cluster_start "$CLUSTER" "$PORT" "shared_buffers = 3GB" "maintenance_work_mem = 2GB" \
    "max_parallel_maintenance_workers = 2" "max_wal_size = 8GB" "fsync = off" \
    "vecrbac.jwt_secret = '$SECRET'" || exit 1
trap 'vr_cluster_stop "$CLUSTER"; rm -rf "$OUT/cluster"' EXIT
CONN="host=127.0.0.1 port=$PORT user=postgres dbname=postgres"
APP_CONN="host=127.0.0.1 port=$PORT user=bench_app dbname=postgres"
record() { echo "$1" | tee -a "$OUT/results.jsonl"; }

vr_log "$(lscpu | sed -n 's/^Model name: *//p'), $(nproc) CPUs, $(date -u '+%Y-%m-%d %H:%M UTC')"
vr_log "data and ground truth"
/usr/bin/python3 bench/hnsw/prepare.py "$DATA_DIR" >/dev/null
record "$(/usr/bin/python3 bench/filtered/prepare.py "$DATA_DIR" --conninfo "$CONN")"

vr_log "indexes"
for s in t10 t1 t01; do
    secs=$(psql -X -q -d "$CONN" -v ON_ERROR_STOP=1 <<SQL | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p'
\timing on
CREATE INDEX items_${s}_hnsw ON items USING hnsw ($s, embedding vector_l2_ops) WITH (m = 16, ef_construction = 64);
SQL
    )
    psql -X -q -d "$CONN" -c "CREATE INDEX items_${s}_btree ON items ($s)"
    record "{\"step\": \"build\", \"index\": \"$s\", \"build_s\": $(awk "BEGIN { printf \"%.2f\", $secs / 1000 }")}"
done
psql -X -q -d "$CONN" -c "ANALYZE items"

vr_log "protected tables and tenant tokens"
psql -X -q -d "$CONN" -v ON_ERROR_STOP=1 -c "CREATE ROLE bench_app LOGIN NOSUPERUSER NOBYPASSRLS"
for s in t10 t1 t01; do
    psql -X -q -d "$CONN" -v ON_ERROR_STOP=1 <<SQL
CREATE TABLE docs_$s (id int PRIMARY KEY, tenant int NOT NULL, embedding vector(784) NOT NULL,
                      payload jsonb NOT NULL DEFAULT '{}');
INSERT INTO docs_$s (id, tenant, embedding) SELECT id, $s, embedding FROM items;
CREATE INDEX ON docs_$s USING hnsw (tenant, embedding vector_l2_ops, payload) WITH (m = 16, ef_construction = 64);
CREATE INDEX ON docs_$s (tenant);
VACUUM ANALYZE docs_$s;
SELECT vecrbac.protect('docs_$s', key_columns => '{"tenant": "tenant"}');
GRANT SELECT ON docs_$s TO bench_app;
SQL
    # one token per query, for the tenant that query asks, in the order of $s.tenants
    psql -X -q -At -d "$CONN" -v ON_ERROR_STOP=1 -v tenants="$(cat "$DATA_DIR/$s.tenants")" >"$OUT/$s.tokens" <<SQL
SELECT vecrbac.jwt_sign(jsonb_build_object('exp', 4000000000, 'access', jsonb_build_array(
           jsonb_build_object('collection', 'docs_$s', 'access', 'r', 'payload', jsonb_build_object('tenant', t)))),
       '$SECRET')
FROM unnest(string_to_array(trim(:'tenants'), E'\n')::int[]) WITH ORDINALITY u(t, n) ORDER BY n;
SQL
done

run() { # run LABEL SELECTIVITY EF SQL GT [PARAMS [BEFORE_SQL]]; RUN_CONN overrides the connection
    local out
    out=$("$OUT/pg_client" "${RUN_CONN:-$CONN}" "$DATA_DIR/queries.f32" 784 "$5" 10 "SET hnsw.ef_search = $3" "$4" \
        ${6:+"$6"} ${7:+"$7"})
    record "$(echo "$out" | sed "s/^{/{\"step\": \"query\", \"kind\": \"$1\", \"sel\": \"$2\", \"ef\": $3, /")"
}

vr_log "queries"
for ef in $EFS; do
    run unfiltered all "$ef" "SELECT id FROM items ORDER BY embedding <-> \$1 LIMIT 10" "$DATA_DIR/gt.i32"
done
for s in t10 t1 t01; do
    for ef in $EFS; do
        run where "$s" "$ef" "SELECT id FROM items WHERE $s = \$2::int ORDER BY embedding <-> \$1 LIMIT 10" \
            "$DATA_DIR/gt_$s.i32" "$DATA_DIR/$s.tenants"
        run scope "$s" "$ef" "SELECT id FROM items WHERE $s OPERATOR(vecrbac.<@) \$2::vecrbac.scope ORDER BY embedding <-> \$1 LIMIT 10" \
            "$DATA_DIR/gt_$s.i32" "$DATA_DIR/$s.scopes"
        RUN_CONN=$APP_CONN run policy "$s" "$ef" "SELECT id FROM docs_$s ORDER BY embedding <-> \$1 LIMIT 10" \
            "$DATA_DIR/gt_$s.i32" "$OUT/$s.tokens" "SELECT set_config('vecrbac.token', \$1, false)"
    done
    run exact "$s" 40 "SELECT id FROM (SELECT id, embedding <-> \$1 AS d FROM items WHERE $s = \$2::int OFFSET 0) s ORDER BY d LIMIT 10" \
        "$DATA_DIR/gt_$s.i32" "$DATA_DIR/$s.tenants"
done

vr_log "report"
/usr/bin/python3 bench/filtered/report.py "$OUT/results.jsonl" "$OUT"

#!/usr/bin/env bash
# pgvector_peer.sh: a tenant's top 10 under row-level security on Fashion-MNIST, vecrbac
# against pgvector with iterative scans, on one cluster, in one run.
#
#   PGVECTOR_SOURCE=DIR bench/filtered/pgvector_peer.sh   results in bench/out/pgvector_peer/
#   DIR: a pgvector checkout or bare git repository (built with scripts/build_pgvector.sh,
#   -march=native as a from-source install gets it). Without one the script says so and stops.
#   NQ=300 queries per cell, EF=40 (hnsw.ef_search for both).
#
# The same 60,000 rows (key columns label: 10 tenants of 10 %, t1: 100 tenants of 1 %,
# from bench/filtered/prepare.py) in two databases of the cluster:
#   pgv  pgvector: USING hnsw (embedding vector_l2_ops), FORCE ROW LEVEL SECURITY with the plain
#        policy a pgvector user writes for the tenant key being measured (label =
#        current_setting('app.label')::int, then the same for t1), hnsw.iterative_scan
#        relaxed_order and strict_order; the planner's own plan, and the hnsw scan forced
#        (enable_seqscan off) to show the iterative scan itself;
#   vr   vecrbac: vecrbac.protect(key_columns label, t1) and the one index it advises,
#        (label, t1, embedding, payload); each query's tenant token set first.
# Each query runs as an ordinary role, its tenant (drawn at random, so mostly far from the
# query) set first, as behind a pool. Recall against the tenant's exact top 10, short results
# (fewer than 10 rows), queries per second through the client, server CPU per query.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
source scripts/lib/cluster.sh
source bench/lib.sh

if [[ -z "${PGVECTOR_SOURCE:-}" ]]; then
    echo "pgvector_peer: set PGVECTOR_SOURCE to a pgvector source tree (or bare repository); skipped" >&2
    exit 0
fi
OUT=$ROOT/bench/out/pgvector_peer
DATA_DIR=$ROOT/bench/out/data
NQ=${NQ:-300}
EF=${EF:-40}
SECRET="a benchmark secret of at least thirty-two bytes"
mkdir -p "$OUT" "$DATA_DIR"
: >"$OUT/results.jsonl"
record() { echo "$1" | tee -a "$OUT/results.jsonl"; }

vr_log "build vecrbac, pgvector and the libpq client"
make -s -j2 >/dev/null
PGVECTOR_OPTFLAGS=native scripts/build_pgvector.sh "$PGVECTOR_SOURCE" "$OUT/install"
vr_build_pg_client "$OUT"
export VR_PREFIX=$OUT/install
export VR_BINDIR=$OUT/install$(cd "$PG_BINDIR_SYSTEM" && pwd)
export PATH="$VR_BINDIR:$PATH"
PORT=$(vr_free_port)
CLUSTER=$OUT/cluster/data
vr_cluster_start "$CLUSTER" "$PORT" "shared_buffers = 2GB" "maintenance_work_mem = 1GB" \
    "max_parallel_maintenance_workers = 1" "max_wal_size = 8GB" "fsync = off" \
    "vecrbac.jwt_secret = '$SECRET'" || exit 1
[[ "${KEEP:-0}" == 1 ]] || trap 'vr_cluster_stop "$CLUSTER"; rm -rf "$OUT/cluster"' EXIT
conn() { echo "host=127.0.0.1 port=$PORT user=$1 dbname=$2"; }

vr_log "$(lscpu | sed -n 's/^Model name: *//p'), $(nproc) CPUs, $(date -u '+%Y-%m-%d %H:%M UTC')"
vr_log "data and ground truth (first $NQ queries)"
/usr/bin/python3 bench/hnsw/prepare.py "$DATA_DIR" >/dev/null
psql -X -q -d "$(conn postgres postgres)" -c "CREATE DATABASE vr" -c "CREATE DATABASE pgv" \
    -c "CREATE ROLE bench_app LOGIN NOSUPERUSER NOBYPASSRLS"
/usr/bin/python3 bench/filtered/prepare.py "$DATA_DIR" --conninfo "$(conn postgres vr)" >/dev/null
head -c $((NQ * 784 * 4)) "$DATA_DIR/queries.f32" >"$OUT/queries.f32"
for g in gt_t10 gt_t1; do head -c $((NQ * 10 * 4)) "$DATA_DIR/$g.i32" >"$OUT/$g.i32"; done
head -n "$NQ" "$DATA_DIR/t10.tenants" >"$OUT/label.tenants"
head -n "$NQ" "$DATA_DIR/t1.tenants" >"$OUT/t1.tenants"

vr_log "pgvector: the table, its index and plain policies"
psql -X -q -d "$(conn postgres pgv)" -v ON_ERROR_STOP=1 <<'SQL'
CREATE EXTENSION vector;
CREATE TABLE docs (id int PRIMARY KEY, label int NOT NULL, t1 int NOT NULL, embedding vector(784) NOT NULL);
SQL
psql -X -q -d "$(conn postgres vr)" -c "COPY (SELECT id, t10, t1, embedding FROM items) TO STDOUT" |
    psql -X -q -d "$(conn postgres pgv)" -c "COPY docs FROM STDIN"
psql -X -q -d "$(conn postgres pgv)" -v ON_ERROR_STOP=1 <<'SQL'
CREATE INDEX docs_embedding ON docs USING hnsw (embedding vector_l2_ops);
VACUUM ANALYZE docs;
ALTER TABLE docs ENABLE ROW LEVEL SECURITY, FORCE ROW LEVEL SECURITY;
GRANT SELECT ON docs TO bench_app;
SQL
record "{\"pgvector\": \"$(psql -X -At -d "$(conn postgres pgv)" -c "SELECT extversion FROM pg_extension WHERE extname = 'vector'")\"}"

vr_log "vecrbac: the same rows, protected, with the index protect() advises"
psql -X -q -d "$(conn postgres vr)" -v ON_ERROR_STOP=1 <<'SQL'
CREATE TABLE docs (id int PRIMARY KEY, label int NOT NULL, t1 int NOT NULL, embedding vector(784) NOT NULL,
                   payload jsonb NOT NULL DEFAULT '{}');
INSERT INTO docs (id, label, t1, embedding) SELECT id, t10, t1, embedding FROM items;
CREATE INDEX docs_keys ON docs USING hnsw (label, t1, embedding vector_l2_ops, payload);
VACUUM ANALYZE docs;
SELECT vecrbac.protect('docs', key_columns => '{"label": "label", "t1": "t1"}');
GRANT SELECT ON docs TO bench_app;
SQL
tokens() { # tokens KIND KEY: one token per query, scoped to that query's tenant
    psql -X -q -At -d "$(conn postgres vr)" -v ON_ERROR_STOP=1 -v tenants="$(cat "$OUT/$1.tenants")" >"$OUT/$1.tokens" <<SQL
SELECT vecrbac.jwt_sign(jsonb_build_object('exp', 4000000000, 'access', jsonb_build_array(
           jsonb_build_object('collection', 'docs', 'access', 'r', 'payload', jsonb_build_object('$2', t)))), '$SECRET')
FROM unnest(string_to_array(trim(:'tenants'), E'\n')::int[]) WITH ORDINALITY u(t, n) ORDER BY n;
SQL
}
tokens label label
tokens t1 t1

run() { # run ENGINE KIND GT SETTINGS BEFORE_SQL PARAMS: the plan for the first tenant, then the queries
    local db=vr first_before plan out
    [[ $1 == pgvector* ]] && db=pgv
    first_before=${5//\$1/\'$(head -1 "$6")\'}
    plan=$(psql -X -At -d "$(conn bench_app $db)" -c "$4" -c "$first_before" -c \
        "EXPLAIN (COSTS OFF) SELECT id FROM docs ORDER BY embedding <-> (SELECT embedding FROM docs LIMIT 1) LIMIT 10" |
        grep -E 'Scan.* on docs( |$)' | tail -1 | sed 's/^ *\(-> *\)\?//' || true)
    out=$("$OUT/pg_client" "$(conn bench_app $db)" "$OUT/queries.f32" 784 "$OUT/$3.i32" 10 "SET hnsw.ef_search = $EF; $4" \
        "SELECT id FROM docs ORDER BY embedding <-> \$1 LIMIT 10" "$6" "$5")
    [[ "${WARM:-0}" == 1 ]] && return 0 # a warm-up pass: not recorded
    record "$(echo "$out" | sed "s/^{/{\"engine\": \"$1\", \"kind\": \"$2\", \"plan\": \"$plan\", /")"
}

for kind in label:gt_t10 t1:gt_t1; do
    k=${kind%%:*}
    g=${kind##*:}
    psql -X -q -d "$(conn postgres pgv)" -v ON_ERROR_STOP=1 -c "DROP POLICY IF EXISTS tenant ON docs" \
        -c "CREATE POLICY tenant ON docs USING ($k = current_setting('app.$k')::int)"
    for order in relaxed_order strict_order; do
        for forced in "" "SET enable_seqscan = off;"; do
            vr_log "pgvector, $k tenants, iterative_scan $order ${forced:+(seqscan off) }(a warm-up pass, then the measured one)"
            for warm in 1 0; do
                WARM=$warm run "pgvector $order${forced:+ forced}" "$k" "$g" "SET hnsw.iterative_scan = $order; $forced" \
                    "SELECT set_config('app.$k', \$1, false)" "$OUT/$k.tenants"
            done
        done
    done
    vr_log "vecrbac, $k tokens (a warm-up pass, then the measured one)"
    for warm in 1 0; do
        WARM=$warm run vecrbac "$k" "$g" "" "SELECT set_config('vecrbac.token', \$1, false)" "$OUT/$k.tokens"
    done
done

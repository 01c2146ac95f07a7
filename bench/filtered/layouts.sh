#!/usr/bin/env bash
# layouts.sh: token-scoped search on Fashion-MNIST in the index layouts a user reaches by
# ordinary steps, next to the unfiltered search and the exact filtered scan, in one run.
#
#   bench/filtered/layouts.sh      results in bench/out/layouts/ (JSON lines, Markdown)
#   NQ=300 (queries per cell), EF=40 (hnsw.ef_search), KEEP=1 leaves the cluster running
#   BEFORE_LIB=path/to/vecrbac.so: then every cell again with that build's library (same
#   cluster, indexes and queries; the server restarted on it), then with this build's again,
#   for a side-by-side comparison (the library must read every index's on-disk version:
#   0.9.0's version 3 needs 0.9.0); "build" says which
# Last, the label token in the per-key layout with hnsw.max_scan_tuples 5000 and 50000 (the
# budget of a stream under a Filter before it reads the rest of the index exactly).
#
# One protected table docs (key columns label: 10 tenants of 10 %, and t1: 100 tenants of
# 1 %, t1 = label * 10 + id % 10, from bench/filtered/prepare.py) with four hnsw indexes:
#   plain  (embedding)                       the index the table had before it was protected
#   label  (label, embedding, payload)       one filter-column index per key column
#   t1     (t1, embedding, payload)
#   both   (label, t1, embedding, payload)   one index over both key columns
#   both_v2                                  the same in 0.8.0's on-disk layout (version 2:
#                                            a directory for label only, none for t1)
#   t1_label (t1, label, embedding, payload) both, t1 first (label, 10 %, second)
# A layout is a set of them; the others are marked invalid (pg_index.indisvalid), so the
# planner ignores them, without rebuilding. Layouts: plain; label+t1+plain; both; both_v2;
# t1_label.
# Per layout, tokens scoped by label (10 %), by t1 (1 %), by both, global, and by several
# values (l3, l5: 3 and 5 labels; t1x5: 5 t1 tenants; a payload grant that is a list), each query
# as the role bench_app with its own tenant's token set first (the pool pattern of run.sh).
# Baselines, same run: the unfiltered search, and the exact filtered scans (WHERE, no index).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
source scripts/lib/cluster.sh
source bench/lib.sh

OUT=$ROOT/bench/out/layouts
DATA_DIR=$ROOT/bench/out/data
NQ=${NQ:-300}
EF=${EF:-40}
SECRET="a benchmark secret of at least thirty-two bytes"
mkdir -p "$OUT" "$DATA_DIR"
: >"$OUT/results.jsonl"

vr_log "build vecrbac and the libpq client"
make -s -j2 >/dev/null
vr_build_pg_client "$OUT"
vr_prefix_setup "$OUT/install"
PORT=$(vr_free_port)
CLUSTER=$OUT/cluster/data
vr_cluster_start "$CLUSTER" "$PORT" "shared_buffers = 2GB" "maintenance_work_mem = 1GB" \
    "max_parallel_maintenance_workers = 1" "max_wal_size = 8GB" "fsync = off" \
    "vecrbac.jwt_secret = '$SECRET'" || exit 1
[[ "${KEEP:-0}" == 1 ]] || trap 'vr_cluster_stop "$CLUSTER"; rm -rf "$OUT/cluster"' EXIT
CONN="host=127.0.0.1 port=$PORT user=postgres dbname=postgres"
APP_CONN="host=127.0.0.1 port=$PORT user=bench_app dbname=postgres"
record() { echo "$1" | tee -a "$OUT/results.jsonl"; }

vr_log "$(lscpu | sed -n 's/^Model name: *//p'), $(nproc) CPUs, $(date -u '+%Y-%m-%d %H:%M UTC')"
vr_log "data and ground truth (first $NQ queries)"
/usr/bin/python3 bench/hnsw/prepare.py "$DATA_DIR" >/dev/null
record "$(/usr/bin/python3 bench/filtered/prepare.py "$DATA_DIR" --conninfo "$CONN")"
head -c $((NQ * 784 * 4)) "$DATA_DIR/queries.f32" >"$OUT/queries.f32"
head -c $((NQ * 100 * 4)) "$DATA_DIR/gt.i32" >"$OUT/gt.i32" # top 100 per query
for g in gt_t10 gt_t1 gt_l3 gt_l5 gt_t1x5; do head -c $((NQ * 10 * 4)) "$DATA_DIR/$g.i32" >"$OUT/$g.i32"; done
for s in l3 l5 t1x5; do head -n "$NQ" "$DATA_DIR/$s.values" >"$OUT/$s.values"; done
head -n "$NQ" "$DATA_DIR/t10.tenants" >"$OUT/label.tenants"
head -n "$NQ" "$DATA_DIR/t1.tenants" >"$OUT/t1.tenants"

vr_log "protected table, indexes, tokens"
psql -X -q -d "$CONN" -v ON_ERROR_STOP=1 <<SQL
CREATE ROLE bench_app LOGIN NOSUPERUSER NOBYPASSRLS;
CREATE TABLE docs (id int PRIMARY KEY, label int NOT NULL, t1 int NOT NULL, embedding vector(784) NOT NULL,
                   payload jsonb NOT NULL DEFAULT '{}');
INSERT INTO docs (id, label, t1, embedding) SELECT id, t10, t1, embedding FROM items;
CREATE INDEX docs_plain ON docs USING hnsw (embedding vector_l2_ops);
CREATE INDEX docs_label ON docs USING hnsw (label, embedding vector_l2_ops, payload);
CREATE INDEX docs_t1 ON docs USING hnsw (t1, embedding vector_l2_ops, payload);
CREATE INDEX docs_both ON docs USING hnsw (label, t1, embedding vector_l2_ops, payload);
SET vecrbac.test_hnsw_version = 2;
CREATE INDEX docs_both_v2 ON docs USING hnsw (label, t1, embedding vector_l2_ops, payload);
RESET vecrbac.test_hnsw_version;
CREATE INDEX docs_t1_label ON docs USING hnsw (t1, label, embedding vector_l2_ops, payload);
VACUUM ANALYZE docs;
SELECT vecrbac.protect('docs', key_columns => '{"label": "label", "t1": "t1"}');
GRANT SELECT ON docs TO bench_app;
SQL
tokens() { # tokens NAME PAYLOAD_SQL_OF_t: one token per query, t the tenant of that query
    psql -X -q -At -d "$CONN" -v ON_ERROR_STOP=1 -v tenants="$(cat "$OUT/$2.tenants")" >"$OUT/$1.tokens" <<SQL
SELECT vecrbac.jwt_sign(jsonb_build_object('exp', 4000000000, 'access', jsonb_build_array(
           jsonb_build_object('collection', 'docs', 'access', 'r') || $3)), '$SECRET')
FROM unnest(string_to_array(trim(:'tenants'), E'\n')::int[]) WITH ORDINALITY u(t, n) ORDER BY n;
SQL
}
tokens_list() { # tokens_list NAME KEY: one token per query, granting KEY = each value of its list
    psql -X -q -At -d "$CONN" -v ON_ERROR_STOP=1 -v lists="$(cat "$OUT/$1.values")" >"$OUT/$1.tokens" <<SQL
SELECT vecrbac.jwt_sign(jsonb_build_object('exp', 4000000000, 'access', jsonb_build_array(
           jsonb_build_object('collection', 'docs', 'access', 'r', 'payload',
               (SELECT jsonb_agg(jsonb_build_object('$2', v)) FROM jsonb_array_elements(l::jsonb) v)))), '$SECRET')
FROM unnest(string_to_array(trim(:'lists'), E'\n')) WITH ORDINALITY u(l, n) ORDER BY n;
SQL
}
tokens label label "jsonb_build_object('payload', jsonb_build_object('label', t))"
tokens t1 t1 "jsonb_build_object('payload', jsonb_build_object('t1', t))"
tokens both t1 "jsonb_build_object('payload', jsonb_build_object('label', t / 10, 't1', t))"
tokens global t1 "'{}'::jsonb"
tokens_list l3 label
tokens_list l5 label
tokens_list t1x5 t1

run() { # run LAYOUT KIND GT SQL [PARAMS [BEFORE_SQL]]; RUN_CONN overrides the connection, SETTINGS adds settings, BUILD names the build
    local out plan
    out=$("$OUT/pg_client" "${RUN_CONN:-$CONN}" "$OUT/queries.f32" 784 "$OUT/$3.i32" 10 "SET hnsw.ef_search = $EF; ${SETTINGS:-}" "$4" \
        ${5:+"$5"} ${6:+"$6"})
    record "$(echo "$out" | sed "s/^{/{${BUILD:+\"build\": \"$BUILD\", }\"layout\": \"$1\", \"kind\": \"$2\", /")"
}
layout() { # layout NAME INDEX...: only these hnsw indexes are valid
    local valid
    valid=$(printf "'%s'," "$@")
    psql -X -q -d "$CONN" -v ON_ERROR_STOP=1 -c "UPDATE pg_index SET indisvalid = (indexrelid::regclass::text IN (${valid%,}))
        WHERE indrelid = 'docs'::regclass AND indexrelid::regclass::text LIKE 'docs\_%' AND indexrelid::regclass::text <> 'docs_pkey'"
}
plan_of() { # the scan node the app role's plan uses under a token
    psql -X -At -d "$APP_CONN" -c "SELECT set_config('vecrbac.token', '$(head -1 "$OUT/$1.tokens")', false)" \
        -c "EXPLAIN (COSTS OFF) SELECT id FROM docs ORDER BY embedding <-> (SELECT embedding FROM docs LIMIT 1) LIMIT 10" |
        grep -E 'Scan.* on docs( |$)' | tail -1 | sed 's/^ *\(-> *\)\?//'
}

vr_log "baselines"
layout all docs_plain
run - unfiltered gt "SELECT id FROM docs ORDER BY embedding <-> \$1 LIMIT 10"
run - exact_label gt_t10 "SELECT id FROM (SELECT id, embedding <-> \$1 AS d FROM docs WHERE label = \$2::int OFFSET 0) s ORDER BY d LIMIT 10" \
    "$OUT/label.tenants"
run - exact_t1 gt_t1 "SELECT id FROM (SELECT id, embedding <-> \$1 AS d FROM docs WHERE t1 = \$2::int OFFSET 0) s ORDER BY d LIMIT 10" \
    "$OUT/t1.tenants"

cells() { # every layout × token cell; $1 names the build in each record
    local l name kind k
    for l in "plain docs_plain" "per_key docs_label docs_t1 docs_plain" "both docs_both" "both_v2 docs_both_v2" \
        "t1_label docs_t1_label"; do
        # shellcheck disable=SC2086
        layout $l
        name=${l%% *}
        vr_log "layout $name ($1)"
        for kind in label:gt_t10 t1:gt_t1 both:gt_t1 global:gt l3:gt_l3 l5:gt_l5 t1x5:gt_t1x5; do
            k=${kind%%:*}
            record "{\"build\": \"$1\", \"layout\": \"$name\", \"kind\": \"$k\", \"plan\": \"$(plan_of "$k")\"}"
            BUILD=$1 RUN_CONN=$APP_CONN run "$name" "$k" "${kind##*:}" "SELECT id FROM docs ORDER BY embedding <-> \$1 LIMIT 10" \
                "$OUT/$k.tokens" "SELECT set_config('vecrbac.token', \$1, false)"
        done
    done
}
cells this
if [[ -n "${BEFORE_LIB:-}" ]]; then
    lib=$VR_PREFIX$PG_PKGLIBDIR_SYSTEM/vecrbac.so
    cp "$lib" "$OUT/this_vecrbac.so"
    for build in before this; do
        if [[ $build == before ]]; then cp "$BEFORE_LIB" "$lib"; else cp "$OUT/this_vecrbac.so" "$lib"; fi
        vr_as_pg "$VR_BINDIR/pg_ctl" -D "$CLUSTER" -l "$CLUSTER.log" -w restart >/dev/null
        vr_log "$build build's library"
        BUILD=$build run - unfiltered gt "SELECT id FROM docs ORDER BY embedding <-> \$1 LIMIT 10"
        cells "$build"
    done
fi
# the stream's walk budget, in the layout where a token's column is missing from the chosen index
layout per_key docs_label docs_t1 docs_plain
for mst in 5000 50000; do
    SETTINGS="SET hnsw.max_scan_tuples = $mst" RUN_CONN=$APP_CONN run "per_key,max_scan_tuples=$mst" label gt_t10 \
        "SELECT id FROM docs ORDER BY embedding <-> \$1 LIMIT 10" "$OUT/label.tokens" "SELECT set_config('vecrbac.token', \$1, false)"
done

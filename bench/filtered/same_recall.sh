#!/usr/bin/env bash
# same_recall.sh: token-scoped search against the unfiltered search at the same recall, not
# at the same hnsw.ef_search (a scope's walk keeps a wider window, so its recall at one
# ef_search is higher than the unfiltered search's). Fashion-MNIST, one run, one server.
#
#   bench/filtered/same_recall.sh     results in bench/out/same_recall/ (JSON lines, Markdown)
#   NQ=1000 (queries per point), EFS="10 15 20 30 40 60 80 120 160" (the sweep of each cell)
#
# Table docs as in layouts.sh (label: 10 tenants of 10 %; t1 = label * 10 + id % 10: 100
# tenants of 1 %), protected with key columns label and t1, and three hnsw indexes: plain
# (embedding), label_t1 (label, t1, embedding, payload) and t1_label (t1, label, embedding,
# payload); each cell leaves only its index valid. Cells: the unfiltered search (plain, as
# the superuser, no token); label and t1 tokens on label_t1 (a first and a second key
# column) and on t1_label (the reverse). Each query is asked by the role bench_app with its
# own tenant's token set first, in a round trip of its own (the pool pattern of run.sh);
# each tenant's ground truth is its own exact top 10. report.py then finds, for recall
# targets 0.99 and 0.995, the fastest point of each curve at or above the target.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
source scripts/lib/cluster.sh
source bench/lib.sh

OUT=$ROOT/bench/out/same_recall
DATA_DIR=$ROOT/bench/out/data
NQ=${NQ:-1000}
EFS=${EFS:-"10 15 20 30 40 60 80 120 160"}
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
    "max_parallel_maintenance_workers = 1" "fsync = off" "vecrbac.jwt_secret = '$SECRET'" || exit 1
trap 'vr_cluster_stop "$CLUSTER"; rm -rf "$OUT/cluster"' EXIT
CONN="host=127.0.0.1 port=$PORT user=postgres dbname=postgres"
APP_CONN="host=127.0.0.1 port=$PORT user=bench_app dbname=postgres"
record() { echo "$1" | tee -a "$OUT/results.jsonl"; }

vr_log "$(lscpu | sed -n 's/^Model name: *//p'), $(nproc) CPUs, $(date -u '+%Y-%m-%d %H:%M UTC')"
/usr/bin/python3 bench/hnsw/prepare.py "$DATA_DIR" >/dev/null
/usr/bin/python3 bench/filtered/prepare.py "$DATA_DIR" --conninfo "$CONN" >/dev/null
head -c $((NQ * 784 * 4)) "$DATA_DIR/queries.f32" >"$OUT/queries.f32"
head -c $((NQ * 100 * 4)) "$DATA_DIR/gt.i32" >"$OUT/gt.i32"
for g in t10 t1; do head -c $((NQ * 10 * 4)) "$DATA_DIR/gt_$g.i32" >"$OUT/gt_$g.i32"; done
head -n "$NQ" "$DATA_DIR/t10.tenants" >"$OUT/label.tenants"
head -n "$NQ" "$DATA_DIR/t1.tenants" >"$OUT/t1.tenants"

vr_log "protected table, indexes, tokens"
psql -X -q -d "$CONN" -v ON_ERROR_STOP=1 <<SQL
CREATE ROLE bench_app LOGIN NOSUPERUSER NOBYPASSRLS;
CREATE TABLE docs (id int PRIMARY KEY, label int NOT NULL, t1 int NOT NULL, embedding vector(784) NOT NULL,
                   payload jsonb NOT NULL DEFAULT '{}');
INSERT INTO docs (id, label, t1, embedding) SELECT id, t10, t1, embedding FROM items;
CREATE INDEX docs_plain ON docs USING hnsw (embedding vector_l2_ops);
CREATE INDEX docs_label_t1 ON docs USING hnsw (label, t1, embedding vector_l2_ops, payload);
CREATE INDEX docs_t1_label ON docs USING hnsw (t1, label, embedding vector_l2_ops, payload);
VACUUM ANALYZE docs;
SELECT vecrbac.protect('docs', key_columns => '{"label": "label", "t1": "t1"}');
GRANT SELECT ON docs TO bench_app;
SQL
for key in label t1; do # one token per query, scoped to that query's tenant
    psql -X -q -At -d "$CONN" -v ON_ERROR_STOP=1 -v tenants="$(cat "$OUT/$key.tenants")" >"$OUT/$key.tokens" <<SQL
SELECT vecrbac.jwt_sign(jsonb_build_object('exp', 4000000000, 'access', jsonb_build_array(
           jsonb_build_object('collection', 'docs', 'access', 'r', 'payload', jsonb_build_object('$key', t)))),
       '$SECRET')
FROM unnest(string_to_array(trim(:'tenants'), E'\n')::int[]) WITH ORDINALITY u(t, n) ORDER BY n;
SQL
done

only() { # only INDEX: the one valid hnsw index of docs
    psql -X -q -d "$CONN" -v ON_ERROR_STOP=1 -c "UPDATE pg_index SET indisvalid = (indexrelid = '$1'::regclass)
        WHERE indrelid = 'docs'::regclass AND indexrelid <> 'docs_pkey'::regclass"
}
plan_of() { # the scan node of bench_app's plan under the first token of KEY
    psql -X -At -d "$APP_CONN" -c "SELECT set_config('vecrbac.token', '$(head -1 "$OUT/$1.tokens")', false)" \
        -c "EXPLAIN (COSTS OFF) SELECT id FROM docs ORDER BY embedding <-> (SELECT embedding FROM docs LIMIT 1) LIMIT 10" |
        grep -E 'Scan.* on docs( |$)' | tail -1 | sed 's/^ *\(-> *\)\?//'
}
sweep() { # sweep CELL GT CONN SQL [PARAMS BEFORE_SQL]
    local ef out
    for ef in $EFS; do
        out=$("$OUT/pg_client" "$3" "$OUT/queries.f32" 784 "$OUT/$2.i32" 10 "SET hnsw.ef_search = $ef" "$4" \
            ${5:+"$5"} ${6:+"$6"})
        record "$(echo "$out" | sed "s/^{/{\"cell\": \"$1\", \"ef\": $ef, /")"
    done
}

vr_log "sweeps over ef_search: $EFS"
only docs_plain
sweep unfiltered gt "$CONN" "SELECT id FROM docs ORDER BY embedding <-> \$1 LIMIT 10"
for cell in "label docs_label_t1 label gt_t10 first" "t1 docs_label_t1 t1 gt_t1 second" \
    "label docs_t1_label label gt_t10 second" "t1 docs_t1_label t1 gt_t1 first"; do
    read -r key index tokens gt position <<<"$cell"
    only "$index"
    plan=$(plan_of "$tokens")
    grep -q "Index Scan using $index" <<<"$plan" || { echo "$key on $index: not its index scan: $plan"; exit 1; }
    name="$key ($position key column, $index)"
    record "{\"cell\": \"$name\", \"plan\": \"$plan\"}"
    sweep "$name" "$gt" "$APP_CONN" "SELECT id FROM docs ORDER BY embedding <-> \$1 LIMIT 10" \
        "$OUT/$tokens.tokens" "SELECT set_config('vecrbac.token', \$1, false)"
done
/usr/bin/python3 bench/filtered/same_recall_report.py "$OUT/results.jsonl" | tee "$OUT/report.md"

#!/usr/bin/env bash
# run.sh: the hnsw benchmark on Fashion-MNIST, next to hnswlib, in one run.
#
#   bench/hnsw/run.sh            results in bench/out/hnsw/ (JSON lines, PNG, Markdown)
#
# Loads the 60,000 training images into a throwaway cluster, builds the index
# (m = 16, ef_construction = 64) serially and with parallel workers, measures its
# size, then runs the first 1,000 test images as top-10 queries through one libpq
# connection with a prepared statement (the vector sent in binary) for each
# hnsw.ef_search, against exact ground truth. hnswlib builds and searches the same
# data in-process, single-threaded, in the same run; the PostgreSQL queries run
# before and after it and the better of the two is kept, to damp noise. The queries
# run on the table as loaded (pgvector's default storage: vectors in TOAST) and on a
# copy with STORAGE PLAIN (vectors in the table's pages, as docs/hnsw.md advises).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
source scripts/lib/cluster.sh
source bench/lib.sh

OUT=$ROOT/bench/out/hnsw
DATA_DIR=$ROOT/bench/out/data
EFS=${EFS:-"10 20 40 80 160 320"}
mkdir -p "$OUT" "$DATA_DIR"
: >"$OUT/results.jsonl"

vr_log "build vecrbac, the libpq client and the hnswlib baseline"
make -s -j"$(nproc)" >/dev/null
vr_build_pg_client "$OUT"
# hnswlib's SIMD paths are chosen at compile time: give it this CPU's best.
vr_build_hnswlib_baseline "$OUT"

vr_prefix_setup "$OUT/install"
PORT=$(vr_free_port)
CLUSTER=$OUT/cluster/data
vr_cluster_start "$CLUSTER" "$PORT" "shared_buffers = 2GB" "maintenance_work_mem = 2GB" \
    "max_parallel_maintenance_workers = 2" "max_wal_size = 8GB" "fsync = off" || exit 1
trap 'vr_cluster_stop "$CLUSTER"; rm -rf "$OUT/cluster"' EXIT
CONN="host=127.0.0.1 port=$PORT user=postgres dbname=postgres"
record() { echo "$1" | tee -a "$OUT/results.jsonl"; }

vr_log "$(lscpu | sed -n 's/^Model name: *//p'), $(nproc) CPUs, $(date -u '+%Y-%m-%d %H:%M UTC')"
vr_log "load"
record "$(/usr/bin/python3 bench/hnsw/prepare.py "$DATA_DIR" --conninfo "$CONN" | sed 's/^{/{"step": "load", /')"

build() { # build LABEL WORKERS
    local ms
    ms=$(psql -X -q -d "$CONN" -v ON_ERROR_STOP=1 <<SQL | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p'
SET max_parallel_maintenance_workers = $2;
DROP INDEX IF EXISTS items_embedding;
\timing on
CREATE INDEX items_embedding ON items USING hnsw (embedding vector_l2_ops) WITH (m = 16, ef_construction = 64);
SQL
    )
    record "{\"step\": \"build\", \"label\": \"$1\", \"workers\": $2, \"build_s\": $(awk "BEGIN { printf \"%.2f\", $ms / 1000 }")}"
}
vr_log "build"
build serial 0
build parallel 2
record "$(psql -X -At -d "$CONN" -c "SELECT json_build_object('step', 'size',
    'index_bytes', pg_relation_size('items_embedding'),
    'table_bytes', pg_table_size('items'),
    'vector_bytes', (SELECT sum(pg_column_size(embedding)) FROM items),
    'link_bytes', (SELECT 60000 * 2 * 16 * 6))")"
record "$(psql -X -At -d "$CONN" -c "SELECT json_build_object('step', 'check', 'problems',
    (SELECT count(*) FROM vecrbac.hnsw_check('items_embedding') WHERE severity <> 'info'))")"

vr_log "a copy with STORAGE PLAIN"
psql -X -q -d "$CONN" -v ON_ERROR_STOP=1 <<SQL
CREATE TABLE items_plain (LIKE items);
ALTER TABLE items_plain ALTER COLUMN embedding SET STORAGE PLAIN;
INSERT INTO items_plain SELECT * FROM items;
SET max_parallel_maintenance_workers = 2;
CREATE INDEX items_plain_embedding ON items_plain USING hnsw (embedding vector_l2_ops) WITH (m = 16, ef_construction = 64);
VACUUM ANALYZE items_plain;
SQL

queries() { # queries PASS
    local ef table step
    for table in items items_plain; do
        step=vecrbac
        [ "$table" = items_plain ] && step=vecrbac_plain
        for ef in $EFS; do
            record "$("$OUT/pg_client" "$CONN" "$DATA_DIR/queries.f32" 784 "$DATA_DIR/gt.i32" 10 \
                "SET hnsw.ef_search = $ef" "SELECT id FROM $table ORDER BY embedding <-> \$1 LIMIT 10" |
                sed "s/^{/{\"step\": \"$step\", \"pass\": $1, \"ef\": $ef, /")"
        done
    done
}
vr_log "queries through PostgreSQL"
queries 1
vr_log "hnswlib in-process"
"$OUT/hnswlib_baseline" "$DATA_DIR/base.f32" "$DATA_DIR/queries.f32" 784 "$DATA_DIR/gt.i32" 16 64 \
    "$(echo $EFS | tr ' ' ',')" | sed 's/^{/{"step": "hnswlib", /' | tee -a "$OUT/results.jsonl"
vr_log "queries through PostgreSQL, again"
queries 2

vr_log "report"
/usr/bin/python3 bench/hnsw/report.py "$OUT/results.jsonl" "$OUT"

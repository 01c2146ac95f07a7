#!/usr/bin/env bash
# run.sh: how index builds grow with the number of rows, vecrbac beside pgvector 0.8
# built from source, in one run on one server (a database each).
#
#   bench/build_scale/run.sh [PGVECTOR_SOURCE]     results in bench/out/build_scale/
#   SIZES="100000 400000 1000000" WORKERS="0 2" EFS="40 100" ...
#   MWMS="256MB 48MB 32MB 16MB"   builds that spill: each size and worker count built
#                                 at each maintenance_work_mem (default: the server's 8GB)
#
# Data: bench/data/clustered.py (96 dimensions, 200 Gaussian clusters, fixed seed; each
# size its own data set, 1,000 queries with exact ground truth). For each size and
# system: COPY the rows (binary), VACUUM ANALYZE, then per WORKERS value build
# USING hnsw (embedding vector_l2_ops) WITH (m = 16, ef_construction = 64), timing it
# and, for vecrbac, each phase of the build (its DEBUG2 lines: insertion, value links,
# reachability repair, page writing, WAL); the index's size; and the 1,000 queries at
# each hnsw.ef_search through one connection (bench/hnsw/pg_client: recall@10 against
# the exact top 10, QPS, and the backend's CPU time per query). The systems alternate
# within each size, so the machine's load affects both alike; the load average is
# recorded with each build. PGVECTOR_SOURCE is a pgvector checkout or bare repository
# (default: the fetched snapshot /work/.mirror/pgvector+pgvector/repo), built with
# -march=native as a from-source install is; vecrbac is built as CI builds it.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
source scripts/lib/cluster.sh
source bench/lib.sh

SRC=${1:-/work/.mirror/pgvector+pgvector/repo}
OUT=$ROOT/bench/out/build_scale
DATA_DIR=$ROOT/bench/out/data/clustered
SIZES=${SIZES:-"100000 400000 1000000"}
WORKERS=${WORKERS:-"0 2"}
EFS=${EFS:-"40 100"}
MWMS=${MWMS:-}
DIM=96
mkdir -p "$OUT" "$DATA_DIR"
: >"$OUT/results.jsonl"
record() { echo "$1" | tee -a "$OUT/results.jsonl"; }

vr_log "build vecrbac, the libpq client, and pgvector from $SRC"
make -s -j"$(nproc)" >/dev/null
vr_build_pg_client "$OUT"
PGVECTOR_OPTFLAGS=native scripts/build_pgvector.sh "$SRC" "$OUT/install"
export VR_BINDIR=$OUT/install$(cd "$PG_BINDIR_SYSTEM" && pwd)
export PATH="$VR_BINDIR:$PATH"

PORT=$(vr_free_port)
CLUSTER=$OUT/cluster/data
vr_cluster_start "$CLUSTER" "$PORT" "shared_buffers = 4GB" "maintenance_work_mem = 8GB" \
    "max_parallel_maintenance_workers = 2" "max_wal_size = 16GB" "fsync = off" \
    "autovacuum = off" "jit = off" || exit 1
trap 'vr_cluster_stop "$CLUSTER"; rm -rf "$OUT/cluster"' EXIT
conn() { echo "host=127.0.0.1 port=$PORT user=postgres dbname=$1"; }
record "{\"step\": \"machine\", \"cpu\": \"$(lscpu | sed -n 's/^Model name: *//p')\", \"cpus\": $(nproc), \"date\": \"$(date -u '+%Y-%m-%d %H:%M UTC')\"}"
for sys in vecrbac pgvector; do
    ext=vecrbac
    [ "$sys" = pgvector ] && ext=vector
    psql -X -q -d "$(conn postgres)" -c "CREATE DATABASE $sys"
    psql -X -q -d "$(conn "$sys")" -c "CREATE EXTENSION $ext"
done

load_average() { cut -d' ' -f1-3 /proc/loadavg; }

# build SYSTEM ROWS WORKERS [MWM]: one CREATE INDEX, its time, size, where it spilled to
# disk (the NOTICE both systems give), and (vecrbac) its phases.
build() {
    local log=$OUT/build.log ms phases spilled mwm=${4:+"'$4'"}
    psql -X -q -d "$(conn "$1")" -v ON_ERROR_STOP=1 >"$log" 2>&1 <<SQL
DROP INDEX IF EXISTS items_embedding;
SET max_parallel_maintenance_workers = $3;
${4:+SET maintenance_work_mem = '$4';}
SET client_min_messages = debug2;
\timing on
CREATE INDEX items_embedding ON items USING hnsw (embedding vector_l2_ops) WITH (m = 16, ef_construction = 64);
SQL
    ms=$(sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' "$log")
    spilled=$(sed -n 's/.*hnsw graph no longer fits into .* after \([0-9]*\) tuples.*/\1/p' "$log" | head -1)
    # "hnsw build: ..." lines as a JSON list of strings (vecrbac's phases; empty for pgvector)
    phases=$(sed -n 's/^DEBUG:  \(hnsw build: .*\)$/\1/p' "$log" | /usr/bin/python3 -c \
        'import json, sys; print(json.dumps([l.strip() for l in sys.stdin]))')
    record "$(psql -X -At -d "$(conn "$1")" -c "SELECT json_build_object('step', 'build', 'system', '$1',
        'size', $2, 'workers', $3, 'mwm', ${mwm:-NULL}::text, 'spilled_after', ${spilled:-NULL}::bigint,
        'build_s', round($ms / 1000, 2),
        'index_bytes', pg_relation_size('items_embedding'), 'phases', '$phases'::json,
        'load', '$(load_average)')")"
}

queries() { # queries SYSTEM ROWS WORKERS [MWM]
    local ef plan mwm=null
    [ -n "${4:-}" ] && mwm="\"$4\""
    # a recall measured on a sequential scan would prove nothing
    plan=$(psql -X -At -d "$(conn "$1")" -c "PREPARE p(vector) AS SELECT id FROM items ORDER BY embedding <-> \$1 LIMIT 10;
        EXPLAIN (COSTS OFF) EXECUTE p('[$(seq -s, $DIM | sed 's/[0-9]*/0/g')]');")
    grep -q "Index Scan using items_embedding" <<<"$plan" || { echo "$1: not an index scan: $plan"; exit 1; }
    for ef in $EFS; do
        record "$("$OUT/pg_client" "$(conn "$1")" "$DATA_DIR/queries_$2.f32" $DIM "$DATA_DIR/gt_$2.i32" 10 \
            "SET hnsw.ef_search = $ef" 'SELECT id FROM items ORDER BY embedding <-> $1 LIMIT 10' |
            sed "s/^{/{\"step\": \"query\", \"system\": \"$1\", \"size\": $2, \"workers\": $3, \"mwm\": $mwm, \"ef\": $ef, /")"
    done
}

for rows in $SIZES; do
    vr_log "data: $rows rows"
    /usr/bin/python3 bench/data/clustered.py "$DATA_DIR" "$rows" --dim $DIM
    for sys in pgvector vecrbac; do
        psql -X -q -d "$(conn "$sys")" -v ON_ERROR_STOP=1 <<SQL
DROP TABLE IF EXISTS items;
CREATE TABLE items (id int PRIMARY KEY, embedding vector($DIM) NOT NULL);
\copy items (id, embedding) FROM '$DATA_DIR/base_$rows.copy' (FORMAT binary)
VACUUM ANALYZE items;
SQL
    done
    for workers in $WORKERS; do
        for mwm in ${MWMS:-server}; do
            mwm=${mwm#server} # the server's setting: no SET
            for sys in pgvector vecrbac; do
                vr_log "$rows rows, $sys, $workers workers${mwm:+, maintenance_work_mem $mwm}: build and queries"
                build "$sys" "$rows" "$workers" "$mwm"
                queries "$sys" "$rows" "$workers" "$mwm"
            done
        done
    done
done

vr_log "report"
/usr/bin/python3 bench/build_scale/report.py "$OUT/results.jsonl" "$OUT" | tee "$OUT/report.md"

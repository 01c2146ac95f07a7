#!/usr/bin/env bash
# run.sh: the server's CPU per query at low ef_search, this build against an earlier
# one (BASE), pgvector 0.8 and hnswlib in-process, in one run on one server.
#
#   bench/qcost/run.sh [BASE_REV [PGVECTOR_SOURCE]]     results in bench/out/qcost/
#
# BASE_REV (default: none, no before figures) is a git revision of this repository
# whose library is built from `git archive` and swapped in for its passes: it must
# read the same index format. PGVECTOR_SOURCE (default: the fetched snapshot in
# /work/.mirror/pgvector+pgvector/repo) is built with its own flags (-march=native)
# beside vecrbac. Data: Fashion-MNIST (60,000 x 784, the first 1,000 test images as
# queries) and a 16-dimension clustered set (bench/data/clustered.py, 60,000 rows),
# where fixed costs dominate; hnsw m = 16, ef_construction = 64. Each query is
# `SELECT id FROM t ORDER BY embedding <-> $1 LIMIT 10`, prepared, through one libpq
# connection (bench/hnsw/pg_client.cpp), at hnsw.ef_search 10, 20 and 40; the figure
# is the backend's utime + stime from /proc per query, with recall@10 against exact
# ground truth. A new connection loads the library file present at that moment, so
# BASE and this build alternate on the same cluster and indexes, PASSES times
# (default 3), and the report keeps each configuration's median. The load average is
# recorded with every measurement: the machine may be shared. Each pass also times the
# same round trip without a search (`SELECT id FROM items WHERE $1::vector IS NOT NULL ORDER BY
# id LIMIT 10`: the vector sent, ten rows found by the primary key and returned): the
# queries per second no search can exceed through this client.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
source scripts/lib/cluster.sh
source bench/lib.sh

BASE_REV=${1:-}
SRC=${2:-/work/.mirror/pgvector+pgvector/repo}
OUT=$ROOT/bench/out/qcost
DATA_DIR=$ROOT/bench/out/data
EFS=${EFS:-"10 20 40"}
PASSES=${PASSES:-3}
mkdir -p "$OUT" "$DATA_DIR"
: >"$OUT/results.jsonl"
record() { echo "$1" | tee -a "$OUT/results.jsonl"; }
load() { cut -d' ' -f1 /proc/loadavg; }

vr_log "build vecrbac, the clients, pgvector from $SRC"
make -s -j"$(nproc)" >/dev/null
vr_build_pg_client "$OUT"
vr_build_hnswlib_baseline "$OUT"
cp vecrbac.so "$OUT/vecrbac_after.so"
variants="after"
if [ -n "$BASE_REV" ]; then
    vr_log "build the library of $BASE_REV"
    rm -rf "$OUT/base-src"
    mkdir -p "$OUT/base-src"
    git archive "$BASE_REV" | tar -x -C "$OUT/base-src"
    make -s -C "$OUT/base-src" -j"$(nproc)" vecrbac.so >/dev/null
    cp "$OUT/base-src/vecrbac.so" "$OUT/vecrbac_base.so"
    variants="base after"
fi
LIBDIR=$OUT/install$(pg_config --pkglibdir)
PGVECTOR_OPTFLAGS=native scripts/build_pgvector.sh "$SRC" "$OUT/install"
export VR_BINDIR=$OUT/install$(cd "$PG_BINDIR_SYSTEM" && pwd)
export PATH="$VR_BINDIR:$PATH"
use_library() { # the file new backends load; a rename, so running ones keep theirs
    cp "$OUT/vecrbac_$1.so" "$LIBDIR/.vecrbac.so.new"
    mv -f "$LIBDIR/.vecrbac.so.new" "$LIBDIR/vecrbac.so"
}

vr_log "data"
/usr/bin/python3 bench/hnsw/prepare.py "$DATA_DIR" >/dev/null
D16=$DATA_DIR/clustered16
/usr/bin/python3 bench/data/clustered.py "$D16" 60000 --dim 16
/usr/bin/python3 - "$D16" <<'PY'
import os, sys
sys.path.insert(0, "bench/data")
import clustered, numpy as np
path = os.path.join(sys.argv[1], "base_60000.f32")
if not os.path.exists(path):
    np.concatenate([b for _, b in clustered.generate(60000, 16, 200, 20261206)]).astype("<f4").tofile(path)
PY

PORT=$(vr_free_port)
CLUSTER=$OUT/cluster/data
vr_cluster_start "$CLUSTER" "$PORT" "shared_buffers = 2GB" "maintenance_work_mem = 2GB" \
    "max_parallel_maintenance_workers = 2" "max_wal_size = 8GB" "fsync = off" || exit 1
trap 'vr_cluster_stop "$CLUSTER"; rm -rf "$OUT/cluster"' EXIT
conn() { echo "host=127.0.0.1 port=$PORT user=postgres dbname=$1"; }
vr_log "$(lscpu | sed -n 's/^Model name: *//p'), $(nproc) CPUs, $(date -u '+%Y-%m-%d %H:%M UTC')"

use_library after
for sys in vecrbac pgvector; do
    ext=vecrbac
    [ "$sys" = pgvector ] && ext=vector
    vr_log "load and index $sys"
    psql -X -q -d "$(conn postgres)" -c "CREATE DATABASE $sys"
    /usr/bin/python3 bench/hnsw/prepare.py "$DATA_DIR" --conninfo "$(conn "$sys")" --extension $ext >/dev/null
    psql -X -q -d "$(conn "$sys")" -v ON_ERROR_STOP=1 <<SQL
CREATE TABLE items16 (id int PRIMARY KEY, embedding vector(16));
\copy items16 (id, embedding) FROM '$D16/base_60000.copy' (FORMAT binary)
SET max_parallel_maintenance_workers = 2;
CREATE INDEX ON items USING hnsw (embedding vector_l2_ops) WITH (m = 16, ef_construction = 64);
CREATE INDEX ON items16 USING hnsw (embedding vector_l2_ops) WITH (m = 16, ef_construction = 64);
VACUUM ANALYZE items;
VACUUM ANALYZE items16;
SQL
    record "$(psql -X -At -d "$(conn "$sys")" -c "SELECT json_build_object('step', 'version',
        'system', '$sys', 'version', (SELECT extversion FROM pg_extension WHERE extname = '$ext'))")"
    # The plans are the indexes' (a recall measured on a sequential scan proves nothing).
    for t in items items16; do
        dims=784
        [ "$t" = items16 ] && dims=16
        plan=$(psql -X -At -d "$(conn "$sys")" -c "PREPARE p(vector) AS SELECT id FROM $t ORDER BY embedding <-> \$1 LIMIT 10;
            EXPLAIN (COSTS OFF) EXECUTE p('[$(seq -s, $dims | sed 's/[0-9]*/0/g')]');")
        grep -q "Index Scan using ${t}_embedding_idx" <<<"$plan" || { echo "$sys $t: not an index scan:"; echo "$plan"; exit 1; }
    done
done

queries() { # queries PASS SYSTEM VARIANT
    local db=vecrbac t ef dims qf gt reps
    [ "$2" = pgvector ] && db=pgvector
    for t in items items16; do
        if [ "$t" = items ]; then
            dims=784 qf=$DATA_DIR/queries.f32 gt=$DATA_DIR/gt.i32 reps=2
        else
            dims=16 qf=$D16/queries_60000.f32 gt=$D16/gt_60000.i32 reps=5
        fi
        for ef in $EFS; do
            record "$(PG_CLIENT_PASSES=$reps "$OUT/pg_client" "$(conn $db)" "$qf" $dims "$gt" 10 \
                "SET hnsw.ef_search = $ef" "SELECT id FROM $t ORDER BY embedding <-> \$1 LIMIT 10" |
                sed "s/^{/{\"step\": \"query\", \"system\": \"$2\", \"variant\": \"$3\", \"table\": \"$t\", \"dims\": $dims, \"pass\": $1, \"ef\": $ef, \"load\": $(load), /")"
        done
    done
}
no_search() { # no_search PASS: the round trip of a 784-d query vector and ten rows, no search
    record "$(PG_CLIENT_PASSES=2 "$OUT/pg_client" "$(conn vecrbac)" "$DATA_DIR/queries.f32" 784 \
        "$DATA_DIR/gt.i32" 10 "" "SELECT id FROM items WHERE \$1::vector IS NOT NULL ORDER BY id LIMIT 10" |
        sed "s/^{/{\"step\": \"no_search\", \"dims\": 784, \"pass\": $1, \"load\": $(load), /")"
}
for pass in $(seq "$PASSES"); do
    vr_log "queries, pass $pass"
    for v in $variants; do
        use_library "$v"
        queries "$pass" vecrbac "$v"
    done
    queries "$pass" pgvector pgvector
    no_search "$pass"
done
use_library after

vr_log "hnswlib in-process"
"$OUT/hnswlib_baseline" "$DATA_DIR/base.f32" "$DATA_DIR/queries.f32" 784 "$DATA_DIR/gt.i32" 16 64 \
    "$(echo $EFS | tr ' ' ',')" | sed "s/^{/{\"step\": \"hnswlib\", \"dims\": 784, \"load\": $(load), /" | tee -a "$OUT/results.jsonl"
"$OUT/hnswlib_baseline" "$D16/base_60000.f32" "$D16/queries_60000.f32" 16 "$D16/gt_60000.i32" 16 64 \
    "$(echo $EFS | tr ' ' ',')" | sed "s/^{/{\"step\": \"hnswlib\", \"dims\": 16, \"load\": $(load), /" | tee -a "$OUT/results.jsonl"

vr_log "report"
/usr/bin/python3 bench/qcost/report.py "$OUT/results.jsonl" | tee "$OUT/report.md"

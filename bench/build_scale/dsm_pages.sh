#!/usr/bin/env bash
# dsm_pages.sh: does a parallel build's shared graph pay for its 4 kB pages? The same
# builds on one server, restarted between them with the parallel build's dynamic shared
# memory on ordinary 4 kB pages (PostgreSQL's default: a POSIX segment per build) or on
# 2 MB huge pages (min_dynamic_shared_memory carved out of the main segment, huge_pages =
# on). Run as root: it reserves the huge pages (vm.nr_hugepages) and gives them back.
#
#   bench/build_scale/dsm_pages.sh        results in bench/out/build_scale_dsm/results.jsonl
#   SIZES="1000000" PAIRS=2 WORKERS=2 SYSTEMS="vecrbac pgvector" ...
#
# For each size (bench/data/clustered.py, 96 dimensions) and PAIRS times: the server on
# 4 kB pages, then on huge pages; in each, a CREATE INDEX ... USING hnsw (embedding
# vector_l2_ops) WITH (m = 16, ef_construction = 64) with WORKERS workers for each system
# of SYSTEMS, each in its own database (pgvector built with -march=native from
# PGVECTOR_SOURCE, default the fetched snapshot, beside this tree's vecrbac by
# scripts/build_pgvector.sh): its wall time, vecrbac's build phases (DEBUG2) and recall@10
# at ef_search 40 (bench/hnsw/pg_client) against the exact top 10.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
source scripts/lib/cluster.sh
source bench/lib.sh

OUT=$ROOT/bench/out/build_scale_dsm
DATA_DIR=$ROOT/bench/out/data/clustered
SIZES=${SIZES:-"1000000"}
PAIRS=${PAIRS:-2}
WORKERS=${WORKERS:-2}
SYSTEMS=${SYSTEMS:-"vecrbac pgvector"}
DSM_MB=${DSM_MB:-2048} # the shared graph of a million 96-d rows takes about 900 MB
SHARED_BUFFERS_MB=1024
DIM=96
[[ $(id -u) -eq 0 ]] || { echo "dsm_pages.sh reserves huge pages: run it as root" >&2; exit 2; }
mkdir -p "$OUT" "$DATA_DIR"
: >"$OUT/results.jsonl"

vr_build_pg_client "$OUT"
hugepages_before=$(cat /proc/sys/vm/nr_hugepages)
give_back() { sysctl -q -w vm.nr_hugepages="$hugepages_before"; }
trap give_back EXIT
# the main segment (buffers, DSM region, the rest) on 2 MB pages, with room to spare
sysctl -q -w vm.nr_hugepages=$(((SHARED_BUFFERS_MB + DSM_MB) / 2 + 256))
PGVECTOR_OPTFLAGS=native vr_private_server "$OUT" "shared_buffers = ${SHARED_BUFFERS_MB}MB" \
    "maintenance_work_mem = 8GB" "max_wal_size = 16GB" "fsync = off" "autovacuum = off" \
    "jit = off" "max_parallel_maintenance_workers = $WORKERS"
trap 'vr_cluster_stop "$CLUSTER"; rm -rf "$OUT/cluster"; give_back' EXIT
conn() { echo "host=127.0.0.1 port=$PORT user=postgres dbname=$1"; }
for system in $SYSTEMS; do
    psql -X -q -d "$(conn postgres)" -c "CREATE DATABASE $system"
    psql -X -q -d "$(conn "$system")" -c "CREATE EXTENSION $([[ $system == pgvector ]] && echo vector || echo vecrbac)"
done

# restart PAGES: the server again, its dynamic shared memory on 4k or huge pages
restart() {
    if [[ $1 == huge ]]; then
        psql -X -q -d "$(conn postgres)" -c "ALTER SYSTEM SET huge_pages = on" \
            -c "ALTER SYSTEM SET min_dynamic_shared_memory = '${DSM_MB}MB'"
    else
        psql -X -q -d "$(conn postgres)" -c "ALTER SYSTEM SET huge_pages = off" \
            -c "ALTER SYSTEM RESET min_dynamic_shared_memory"
    fi
    vr_as_pg "$VR_BINDIR/pg_ctl" -D "$CLUSTER" -l "$CLUSTER.log" -w -t 120 restart >/dev/null
}

# build SYSTEM ROWS PAGES: one build, its time, phases and recall
build() {
    local log=$OUT/build.log ms line plan
    psql -X -q -d "$(conn "$1")" -v ON_ERROR_STOP=1 >"$log" 2>&1 <<SQL
DROP INDEX IF EXISTS items_embedding;
SET max_parallel_maintenance_workers = $WORKERS;
SET client_min_messages = debug2;
\\timing on
CREATE INDEX items_embedding ON items USING hnsw (embedding vector_l2_ops) WITH (m = 16, ef_construction = 64);
SQL
    ms=$(sed -n 's/^Time: \([0-9]*\)\.[0-9]* ms.*/\1/p' "$log")
    # a recall measured on a sequential scan would prove nothing
    plan=$(psql -X -At -d "$(conn "$1")" -c "PREPARE p(vector) AS SELECT id FROM items ORDER BY embedding <-> \$1 LIMIT 10;
        EXPLAIN (COSTS OFF) EXECUTE p('[$(seq -s, $DIM | sed 's/[0-9]*/0/g')]');")
    grep -q "Index Scan using items_embedding" <<<"$plan" || { echo "$1: not an index scan: $plan"; exit 1; }
    line="{\"system\": \"$1\", \"size\": $2, \"pages\": \"$3\", \"workers\": $WORKERS"
    line="$line, \"build_s\": $((ms / 1000)).$(printf '%03d' $((ms % 1000)))"
    line="$line, \"huge_pages\": \"$(psql -X -At -d "$(conn "$1")" -c 'SHOW huge_pages')\""
    line="$line, \"load\": \"$(cut -d' ' -f1-3 /proc/loadavg)\""
    line="$line, \"phases\": $(sed -n 's/^DEBUG:  \(hnsw build: .*\)$/\1/p' "$log" |
        /usr/bin/python3 -c 'import json, sys; print(json.dumps([l.strip() for l in sys.stdin]))')"
    line="$line, \"recall_40\": $("$OUT/pg_client" "$(conn "$1")" "$DATA_DIR/queries_$2.f32" $DIM \
        "$DATA_DIR/gt_$2.i32" 10 "SET hnsw.ef_search = 40" \
        'SELECT id FROM items ORDER BY embedding <-> $1 LIMIT 10' |
        /usr/bin/python3 -c 'import json, sys; print(json.load(sys.stdin)["recall"])')"
    echo "$line}" | tee -a "$OUT/results.jsonl"
}

for rows in $SIZES; do
    vr_log "data: $rows rows"
    /usr/bin/python3 bench/data/clustered.py "$DATA_DIR" "$rows" --dim $DIM
    for system in $SYSTEMS; do
        psql -X -q -d "$(conn "$system")" -v ON_ERROR_STOP=1 <<SQL
SET client_min_messages = warning;
DROP TABLE IF EXISTS items;
CREATE TABLE items (id int PRIMARY KEY, embedding vector($DIM) NOT NULL);
\\copy items (id, embedding) FROM '$DATA_DIR/base_$rows.copy' (FORMAT binary)
VACUUM ANALYZE items;
SQL
    done
    for _ in $(seq "$PAIRS"); do
        for pages in 4k huge; do
            restart "$pages"
            for system in $SYSTEMS; do build "$system" "$rows" "$pages"; done
        done
    done
done

#!/usr/bin/env bash
# ab.sh: two builds of vecrbac compared on the same tables of one server, by the CPU time
# of the process that builds the index, for a machine too busy for wall-clock times.
#
#   bench/build_scale/ab.sh LIB_A LIB_B     results in bench/out/build_scale_ab/results.jsonl
#   SIZES="100000 400000" PAIRS=2 EFS="10 40 100" WORKERS=0 ...
#
# LIB_A and LIB_B are copies of vecrbac.so (make; cp vecrbac.so /tmp/a.so; change; make;
# cp vecrbac.so /tmp/b.so). The server is a private install (scripts/build_pgvector.sh,
# which also installs this tree's vecrbac: its library is the one replaced before each
# build); each size is bench/data/clustered.py's data set. For each size, PAIRS times
# A then B: a CREATE INDEX ... USING hnsw (embedding vector_l2_ops) WITH (m = 16,
# ef_construction = 64) on the same table with WORKERS parallel workers (0: serial), the
# building backend's user + system CPU time read from /proc around it and the whole
# machine's (which counts the workers too), its build phases (DEBUG2), then the 1,000
# queries at each hnsw.ef_search (bench/hnsw/pg_client: recall@10 against the exact top
# 10). A new connection loads the library afresh, so each build runs the library just put
# in place.
set -euo pipefail
[[ $# -eq 2 ]] || { sed -n '2,18p' "$0"; exit 2; }
LIB_A=$(realpath "$1")
LIB_B=$(realpath "$2")
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
source scripts/lib/cluster.sh
source bench/lib.sh

OUT=$ROOT/bench/out/build_scale_ab
DATA_DIR=$ROOT/bench/out/data/clustered
SIZES=${SIZES:-"100000 400000"}
PAIRS=${PAIRS:-2}
EFS=${EFS:-"10 40 100"}
WORKERS=${WORKERS:-0}
DIM=96
mkdir -p "$OUT" "$DATA_DIR"
: >"$OUT/results.jsonl"

vr_build_pg_client "$OUT"
vr_private_server "$OUT" "shared_buffers = 4GB" "maintenance_work_mem = 8GB" \
    "max_wal_size = 16GB" "fsync = off" "autovacuum = off" "jit = off"
conn="host=127.0.0.1 port=$PORT user=postgres dbname=postgres"
psql -X -q -d "$conn" -c "CREATE EXTENSION vecrbac"

# user + system jiffies of the whole machine (ticks of 1/100 s)
machine_jiffies() { awk '/^cpu /{print $2 + $3 + $4 + $7 + $8}' /proc/stat; }

# build NAME ROWS: one serial build with the library in place, its CPU time and recall
build() {
    local log=$OUT/build.log line cpu ef plan machine_before machine_cpu
    machine_before=$(machine_jiffies)
    psql -X -q -d "$conn" -v ON_ERROR_STOP=1 >"$log" 2>&1 <<SQL
DROP INDEX IF EXISTS items_embedding;
SET max_parallel_maintenance_workers = $WORKERS;
SET client_min_messages = debug2;
SELECT (string_to_array(pg_read_file('/proc/' || pg_backend_pid() || '/stat'), ' '))[14:15]::int[] AS before \gset
CREATE INDEX items_embedding ON items USING hnsw (embedding vector_l2_ops) WITH (m = 16, ef_construction = 64);
SELECT 'cpu_s ' || round(((a[1] + a[2]) - (b[1] + b[2])) / 100.0, 2) AS cpu_s
FROM (SELECT (string_to_array(pg_read_file('/proc/' || pg_backend_pid() || '/stat'), ' '))[14:15]::int[] AS a,
             :'before'::int[] AS b) t \gset
\echo :cpu_s
SQL
    machine_cpu=$(( $(machine_jiffies) - machine_before ))
    cpu=$(sed -n 's/^cpu_s //p' "$log")
    # a recall measured on a sequential scan would prove nothing
    plan=$(psql -X -At -d "$conn" -c "PREPARE p(vector) AS SELECT id FROM items ORDER BY embedding <-> \$1 LIMIT 10;
        EXPLAIN (COSTS OFF) EXECUTE p('[$(seq -s, $DIM | sed 's/[0-9]*/0/g')]');")
    grep -q "Index Scan using items_embedding" <<<"$plan" || { echo "not an index scan: $plan"; exit 1; }
    line="{\"library\": \"$1\", \"size\": $2, \"workers\": $WORKERS, \"backend_cpu_s\": $cpu"
    line="$line, \"machine_cpu_s\": $(printf '%d.%02d' $((machine_cpu / 100)) $((machine_cpu % 100))), \"load\": \"$(cut -d' ' -f1-3 /proc/loadavg)\""
    line="$line, \"phases\": $(sed -n 's/^DEBUG:  \(hnsw build: .*\)$/\1/p' "$log" |
        /usr/bin/python3 -c 'import json, sys; print(json.dumps([l.strip() for l in sys.stdin]))')"
    for ef in $EFS; do
        line="$line, \"recall_$ef\": $("$OUT/pg_client" "$conn" "$DATA_DIR/queries_$2.f32" $DIM \
            "$DATA_DIR/gt_$2.i32" 10 "SET hnsw.ef_search = $ef" \
            'SELECT id FROM items ORDER BY embedding <-> $1 LIMIT 10' |
            /usr/bin/python3 -c 'import json, sys; print(json.load(sys.stdin)["recall"])')"
    done
    echo "$line}" | tee -a "$OUT/results.jsonl"
}

for rows in $SIZES; do
    vr_log "data: $rows rows"
    /usr/bin/python3 bench/data/clustered.py "$DATA_DIR" "$rows" --dim $DIM
    psql -X -q -d "$conn" -v ON_ERROR_STOP=1 <<SQL
SET client_min_messages = warning;
DROP TABLE IF EXISTS items;
CREATE TABLE items (id int PRIMARY KEY, embedding vector($DIM) NOT NULL);
\copy items (id, embedding) FROM '$DATA_DIR/base_$rows.copy' (FORMAT binary)
VACUUM ANALYZE items;
SQL
    for _ in $(seq "$PAIRS"); do
        vr_use_library "$LIB_A"
        build A "$rows"
        vr_use_library "$LIB_B"
        build B "$rows"
    done
done

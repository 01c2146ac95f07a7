#!/usr/bin/env bash
# run.sh: hnsw indexes that store halves, bytes or bits (WITH (quantization = 'half' |
# 'int8' | 'binary'))
# against the same index storing floats, and pgvector 0.8's way to half an index (an
# expression index on embedding::halfvec, queried by half distances), in one run on
# one server.
#
#   bench/quantization/run.sh [PGVECTOR_SOURCE]     results in bench/out/quantization/
#
# Two data sets: Fashion-MNIST (60,000 x 784; its values are integers below 256, which
# halves hold exactly) and the clustered set of bench/data/clustered.py (CLUSTERED_ROWS x
# CLUSTERED_DIM, 100,000 x 96 by default; Gaussian floats, which halves round). m = 16,
# ef_construction = 64, two parallel workers. Kinds of index, each built alone on the
# column, then queried with the first 1,000 queries through one connection
# (bench/hnsw/pg_client: recall@10 against exact ground truth, queries per second, p99
# latency, server CPU per query) at each hnsw.ef_search:
#   vecrbac none:  USING hnsw (embedding vector_l2_ops), ORDER BY embedding <-> $1
#   vecrbac half:  the same WITH (quantization = 'half'), the same query (exact order:
#                  the executor re-checks each row's distance)
#   vecrbac int8:  the same WITH (quantization = 'int8') (pgvector has no such index)
#   vecrbac binaryN: the same WITH (quantization = 'binary'), queried with
#                  hnsw.rerank_factor = N (binary4, binary8, ...: one index for all N;
#                  pgvector has no such index)
#   pgvector none: as vecrbac none
#   pgvector half: USING hnsw ((embedding::halfvec(D)) halfvec_l2_ops), ORDER BY
#                  embedding::halfvec(D) <-> $1::halfvec(D) (order by half distances)
#   hnswlib:       the same graph (M 16, ef_construction 64) built single-threaded and
#                  searched in-process (bench/hnsw/hnswlib_baseline): the limit without a
#                  database and a client round trip (HNSWLIB=0 skips it)
# Query passes run twice, alternating the kinds; the better pass of each is kept.
# SERIAL=1 also times a serial build of each index before the parallel one.
# Without a pgvector source tree the pgvector rows are skipped, with a message.
# KINDS="none half int8 binary4 binary8" and DATASETS="clustered fmnist" choose what runs.
# Issue 15's million-row run (about 75 minutes on 2 vCPUs):
#   SERIAL=1 MWM=8GB CLUSTERED_ROWS=1000000 CLUSTERED_DIM=128 EFS="10 20 40 80 160 320" \
#       bench/quantization/run.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
source scripts/lib/cluster.sh
source bench/lib.sh

SRC=${1:-/work/.mirror/pgvector+pgvector/repo}
OUT=$ROOT/bench/out/quantization
DATA_DIR=$ROOT/bench/out/data
EFS=${EFS:-"10 20 40 80 160"}
CLUSTERED_ROWS=${CLUSTERED_ROWS:-100000}
CLUSTERED_DIM=${CLUSTERED_DIM:-96}
CLUSTERED_DIR=$DATA_DIR/clustered_$CLUSTERED_DIM
SERIAL=${SERIAL:-0}
HNSWLIB=${HNSWLIB:-1}
MWM=${MWM:-2GB}  # maintenance_work_mem: a million rows of 128 dimensions need 8GB for pgvector's graph
KINDS=${KINDS:-"none half int8 binary4 binary8"}
DATASETS=${DATASETS:-"clustered fmnist"}
mkdir -p "$OUT" "$CLUSTERED_DIR"
: >"$OUT/results.jsonl"
record() { echo "$1" | tee -a "$OUT/results.jsonl"; }

vr_log "build vecrbac, the libpq client, and pgvector from $SRC"
make -s -j"$(nproc)" >/dev/null
vr_build_pg_client "$OUT"
# hnswlib's SIMD paths are chosen at compile time: give it this CPU's best.
vr_build_hnswlib_baseline "$OUT"
SYSTEMS="vecrbac"
if [ -e "$SRC" ]; then
    PGVECTOR_OPTFLAGS=native scripts/build_pgvector.sh "$SRC" "$OUT/install"
    SYSTEMS="vecrbac pgvector"
else
    vr_log "no pgvector source at $SRC: pgvector is skipped"
    make -s install DESTDIR="$OUT/install" >/dev/null
fi
export VR_BINDIR=$OUT/install$(cd "$PG_BINDIR_SYSTEM" && pwd)
export PATH="$VR_BINDIR:$PATH"

PORT=$(vr_free_port)
CLUSTER=$OUT/cluster/data
vr_cluster_start "$CLUSTER" "$PORT" "shared_buffers = 2GB" "maintenance_work_mem = $MWM" \
    "max_parallel_maintenance_workers = 2" "max_wal_size = 8GB" "fsync = off" "jit = off" \
    "autovacuum = off" || exit 1
trap 'vr_cluster_stop "$CLUSTER"; rm -rf "$OUT/cluster"' EXIT
conn() { echo "host=127.0.0.1 port=$PORT user=postgres dbname=$1"; }
record "{\"step\": \"machine\", \"cpu\": \"$(lscpu | sed -n 's/^Model name: *//p')\", \"cpus\": $(nproc), \"date\": \"$(date -u '+%Y-%m-%d %H:%M UTC')\", \"load\": \"$(cut -d' ' -f1-3 /proc/loadavg)\"}"

# ---- data: a database per system and data set ----------------------------------------
F32=
[ "$HNSWLIB" = 1 ] && F32=--f32
/usr/bin/python3 bench/data/clustered.py "$CLUSTERED_DIR" "$CLUSTERED_ROWS" --dim "$CLUSTERED_DIM" $F32 >/dev/null
for sys in $SYSTEMS; do
    ext=vecrbac
    [ "$sys" = pgvector ] && ext=vector
    psql -X -q -d "$(conn postgres)" -c "CREATE DATABASE ${sys}_fmnist" -c "CREATE DATABASE ${sys}_clustered"
    /usr/bin/python3 bench/hnsw/prepare.py "$DATA_DIR" --conninfo "$(conn "${sys}_fmnist")" --extension $ext >/dev/null
    psql -X -q -d "$(conn "${sys}_clustered")" -v ON_ERROR_STOP=1 <<SQL
CREATE EXTENSION $ext;
CREATE TABLE items (id int PRIMARY KEY, embedding vector($CLUSTERED_DIM) NOT NULL);
\copy items (id, embedding) FROM '$CLUSTERED_DIR/base_$CLUSTERED_ROWS.copy' (FORMAT binary)
VACUUM ANALYZE items;
SQL
    record "$(psql -X -At -d "$(conn "${sys}_fmnist")" -c "SELECT json_build_object('step', 'version',
        'system', '$sys', 'version', (SELECT extversion FROM pg_extension WHERE extname = '$ext'))")"
done

record "{\"step\": \"dataset\", \"data\": \"fmnist\", \"rows\": 60000, \"dim\": 784}"
record "{\"step\": \"dataset\", \"data\": \"clustered\", \"rows\": $CLUSTERED_ROWS, \"dim\": $CLUSTERED_DIM}"

# set DATA: the files and dimensions of a data set
dataset() {
    case $1 in
    fmnist) DIM=784 BASE=$DATA_DIR/base.f32 QUERIES=$DATA_DIR/queries.f32 GT=$DATA_DIR/gt.i32 ;;
    clustered)
        DIM=$CLUSTERED_DIM BASE=$CLUSTERED_DIR/base_$CLUSTERED_ROWS.f32
        QUERIES=$CLUSTERED_DIR/queries_$CLUSTERED_ROWS.f32 GT=$CLUSTERED_DIR/gt_$CLUSTERED_ROWS.i32
        ;;
    esac
}
definition() { # definition SYSTEM KIND: the index's column, opclass and options
    case $1/$2 in
    */none) echo "(embedding vector_l2_ops) WITH (m = 16, ef_construction = 64)" ;;
    vecrbac/half | vecrbac/int8) echo "(embedding vector_l2_ops) WITH (m = 16, ef_construction = 64, quantization = '$2')" ;;
    vecrbac/binary*) echo "(embedding vector_l2_ops) WITH (m = 16, ef_construction = 64, quantization = 'binary')" ;;
    pgvector/half) echo "((embedding::halfvec($DIM)) halfvec_l2_ops) WITH (m = 16, ef_construction = 64)" ;;
    esac
}
rerank_setting() { # rerank_setting KIND: binaryN queries at hnsw.rerank_factor N
    case $1 in
    binary*) echo "SET hnsw.rerank_factor = ${1#binary}" ;;
    esac
}
query_sql() { # query_sql SYSTEM KIND
    case $1/$2 in
    pgvector/half) echo "SELECT id FROM items ORDER BY embedding::halfvec($DIM) <-> \$1::vector::halfvec($DIM) LIMIT 10" ;;
    *) echo 'SELECT id FROM items ORDER BY embedding <-> $1::vector LIMIT 10' ;;
    esac
}

# timed_build DB WORKERS SYSTEM KIND: builds the index alone on the table; prints ms
timed_build() {
    psql -X -q -d "$(conn "$1")" -v ON_ERROR_STOP=1 <<SQL | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p'
DROP INDEX IF EXISTS items_ann;
SET max_parallel_maintenance_workers = $2;
\timing on
CREATE INDEX items_ann ON items USING hnsw $(definition "$3" "$4");
SQL
}
# build DATA SYSTEM KIND: the index alone on the table, its time (serial too with
# SERIAL=1) and size. Kinds that differ only in a query setting share one index.
declare -A BUILT
build() {
    local db=$2_$1 ms serial_ms=null
    if [ "${BUILT[$db]:-}" = "$(definition "$2" "$3")" ]; then
        vr_log "$1: $2 $3: the index built for the kind before"
        return
    fi
    if [ "$SERIAL" = 1 ]; then
        serial_ms=$(timed_build "$db" 0 "$2" "$3")
    fi
    ms=$(timed_build "$db" 2 "$2" "$3")
    BUILT[$db]=$(definition "$2" "$3")
    psql -X -q -d "$(conn "$db")" -c "ANALYZE items"
    record "$(psql -X -At -d "$(conn "$db")" -c "SELECT json_build_object('step', 'build', 'data', '$1',
        'system', '$2', 'kind', '$3', 'build_s', round($ms / 1000, 2),
        'build_serial_s', round($serial_ms / 1000, 2), 'index_bytes', pg_relation_size('items_ann'),
        'load', '$(cut -d' ' -f1-3 /proc/loadavg)')")"
    # a recall measured on a sequential scan would prove nothing
    local plan
    plan=$(psql -X -At -d "$(conn "$db")" -c "PREPARE p(vector) AS $(query_sql "$2" "$3");
        EXPLAIN (COSTS OFF) EXECUTE p('[$(seq -s, $DIM | sed 's/[0-9]*/1/g')]');")
    grep -q "Index Scan using items_ann" <<<"$plan" || { echo "$2 $3: not an index scan: $plan"; exit 1; }
}
queries() { # queries DATA SYSTEM KIND PASS
    local ef
    for ef in $EFS; do
        record "$("$OUT/pg_client" "$(conn "$2_$1")" "$QUERIES" $DIM "$GT" 10 \
            "SET hnsw.ef_search = $ef; $(rerank_setting "$3")" "$(query_sql "$2" "$3")" |
            sed "s/^{/{\"step\": \"query\", \"data\": \"$1\", \"system\": \"$2\", \"kind\": \"$3\", \"pass\": $4, \"ef\": $ef, /")"
    done
}

# Each kind is built and queried while it is the table's only index; the two passes
# of a kind run back to back, and the kinds alternate between systems.
for data in $DATASETS; do
    dataset $data
    for kind in $KINDS; do
        systems=$SYSTEMS
        case $kind in int8 | binary*) systems=vecrbac ;; esac
        for sys in $systems; do
            vr_log "$data: $sys $kind: build"
            build $data $sys $kind
        done
        for pass in 1 2; do
            for sys in $systems; do
                vr_log "$data: $sys $kind: queries, pass $pass"
                queries $data $sys $kind $pass
            done
        done
    done
    if [ "$HNSWLIB" = 1 ]; then
        vr_log "$data: hnswlib in-process"
        "$OUT/hnswlib_baseline" "$BASE" "$QUERIES" $DIM "$GT" 16 64 "$(echo $EFS | tr ' ' ',')" |
            sed "s/^{/{\"step\": \"hnswlib\", \"data\": \"$data\", /" | tee -a "$OUT/results.jsonl"
    fi
done

vr_log "report"
/usr/bin/python3 bench/quantization/report.py "$OUT/results.jsonl" "$OUT" | tee "$OUT/report.md"

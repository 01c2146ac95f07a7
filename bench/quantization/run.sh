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
# halves hold exactly) and the clustered set of bench/data/clustered.py (100,000 x 96,
# Gaussian floats, which halves round). m = 16, ef_construction = 64, two parallel
# workers. Kinds of index, each built alone on the column, then queried with the first
# 1,000 queries through one connection (bench/hnsw/pg_client: recall@10 against exact
# ground truth, queries per second, server CPU per query) at each hnsw.ef_search:
#   vecrbac none:  USING hnsw (embedding vector_l2_ops), ORDER BY embedding <-> $1
#   vecrbac half:  the same WITH (quantization = 'half'), the same query (exact order:
#                  the executor re-checks each row's distance)
#   vecrbac int8:  the same WITH (quantization = 'int8') (pgvector has no such index)
#   vecrbac binaryN: the same WITH (quantization = 'binary'), queried with
#                  hnsw.rerank_factor = N (binary4, binary8, ...; pgvector has no such index)
#   pgvector none: as vecrbac none
#   pgvector half: USING hnsw ((embedding::halfvec(D)) halfvec_l2_ops), ORDER BY
#                  embedding::halfvec(D) <-> $1::halfvec(D) (order by half distances)
# Query passes run twice, alternating the kinds; the better pass of each is kept.
# Without a pgvector source tree the pgvector rows are skipped, with a message.
# KINDS="none half int8 binary4 binary8" and DATASETS="clustered fmnist" choose what runs.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
source scripts/lib/cluster.sh

SRC=${1:-/work/.mirror/pgvector+pgvector/repo}
OUT=$ROOT/bench/out/quantization
DATA_DIR=$ROOT/bench/out/data
EFS=${EFS:-"10 20 40 80 160"}
CLUSTERED_ROWS=${CLUSTERED_ROWS:-100000}
KINDS=${KINDS:-"none half int8 binary4 binary8"}
DATASETS=${DATASETS:-"clustered fmnist"}
mkdir -p "$OUT" "$DATA_DIR/clustered"
: >"$OUT/results.jsonl"
record() { echo "$1" | tee -a "$OUT/results.jsonl"; }

vr_log "build vecrbac, the libpq client, and pgvector from $SRC"
make -s -j"$(nproc)" >/dev/null
g++ -O2 -std=c++17 -o "$OUT/pg_client" bench/hnsw/pg_client.cpp -I"$(pg_config --includedir)" -lpq
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
vr_cluster_start "$CLUSTER" "$PORT" "shared_buffers = 2GB" "maintenance_work_mem = 2GB" \
    "max_parallel_maintenance_workers = 2" "max_wal_size = 8GB" "fsync = off" "jit = off" \
    "autovacuum = off" || exit 1
trap 'vr_cluster_stop "$CLUSTER"; rm -rf "$OUT/cluster"' EXIT
conn() { echo "host=127.0.0.1 port=$PORT user=postgres dbname=$1"; }
record "{\"step\": \"machine\", \"cpu\": \"$(lscpu | sed -n 's/^Model name: *//p')\", \"cpus\": $(nproc), \"date\": \"$(date -u '+%Y-%m-%d %H:%M UTC')\", \"load\": \"$(cut -d' ' -f1-3 /proc/loadavg)\"}"

# ---- data: a database per system and data set ----------------------------------------
/usr/bin/python3 bench/data/clustered.py "$DATA_DIR/clustered" "$CLUSTERED_ROWS" --dim 96 >/dev/null
for sys in $SYSTEMS; do
    ext=vecrbac
    [ "$sys" = pgvector ] && ext=vector
    psql -X -q -d "$(conn postgres)" -c "CREATE DATABASE ${sys}_fmnist" -c "CREATE DATABASE ${sys}_clustered"
    /usr/bin/python3 bench/hnsw/prepare.py "$DATA_DIR" --conninfo "$(conn "${sys}_fmnist")" --extension $ext >/dev/null
    psql -X -q -d "$(conn "${sys}_clustered")" -v ON_ERROR_STOP=1 <<SQL
CREATE EXTENSION $ext;
CREATE TABLE items (id int PRIMARY KEY, embedding vector(96) NOT NULL);
\copy items (id, embedding) FROM '$DATA_DIR/clustered/base_$CLUSTERED_ROWS.copy' (FORMAT binary)
VACUUM ANALYZE items;
SQL
    record "$(psql -X -At -d "$(conn "${sys}_fmnist")" -c "SELECT json_build_object('step', 'version',
        'system', '$sys', 'version', (SELECT extversion FROM pg_extension WHERE extname = '$ext'))")"
done

# set DATA: the files and dimensions of a data set
dataset() {
    case $1 in
    fmnist) DIM=784 QUERIES=$DATA_DIR/queries.f32 GT=$DATA_DIR/gt.i32 ;;
    clustered) DIM=96 QUERIES=$DATA_DIR/clustered/queries_$CLUSTERED_ROWS.f32 GT=$DATA_DIR/clustered/gt_$CLUSTERED_ROWS.i32 ;;
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

# build DATA SYSTEM KIND: the index alone on the table, its time and size
build() {
    local db=$2_$1 ms
    ms=$(psql -X -q -d "$(conn "$db")" -v ON_ERROR_STOP=1 <<SQL | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p'
DROP INDEX IF EXISTS items_ann;
SET max_parallel_maintenance_workers = 2;
\timing on
CREATE INDEX items_ann ON items USING hnsw $(definition "$2" "$3");
SQL
    )
    psql -X -q -d "$(conn "$db")" -c "ANALYZE items"
    record "$(psql -X -At -d "$(conn "$db")" -c "SELECT json_build_object('step', 'build', 'data', '$1',
        'system', '$2', 'kind', '$3', 'build_s', round($ms / 1000, 2), 'index_bytes', pg_relation_size('items_ann'),
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
done

vr_log "report"
/usr/bin/python3 bench/quantization/report.py "$OUT/results.jsonl" | tee "$OUT/report.md"

#!/usr/bin/env bash
# run.sh: halfvec and binary-quantized hnsw indexes on Fashion-MNIST, vecrbac beside
# pgvector 0.8 built from source, in one run on one server (a database each).
#
#   bench/halfvec/run.sh [PGVECTOR_SOURCE]     results in bench/out/halfvec/
#
# PGVECTOR_SOURCE is a pgvector checkout or bare repository (default: the fetched
# snapshot in /work/.mirror/pgvector+pgvector/repo). pgvector is built with its own
# Makefile's flags (-march=native, as a from-source install gets), vecrbac as CI builds
# it (no -march). Each database gets the 60,000 training images as vector(784), and
# three indexes as pgvector's README writes them (m = 16, ef_construction = 64, two
# parallel workers): on the column (vector_l2_ops), on embedding::halfvec(784)
# (halfvec_l2_ops), and on binary_quantize(embedding)::bit(784) (bit_hamming_ops,
# queried with re-ranking: the 40 nearest by Hamming distance, ordered by L2). For
# each: build time and size, then the first 1,000 test images as top-10 queries
# through one connection with a prepared statement, recall@10 against exact ground
# truth, at several hnsw.ef_search. Queries run twice, alternating the systems, and
# the better pass of each is kept.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
source scripts/lib/cluster.sh
source bench/lib.sh

SRC=${1:-/work/.mirror/pgvector+pgvector/repo}
OUT=$ROOT/bench/out/halfvec
DATA_DIR=$ROOT/bench/out/data
EFS=${EFS:-"10 20 40 80 160"}
BQ_EFS=${BQ_EFS:-"40 80 160"}
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
vr_cluster_start "$CLUSTER" "$PORT" "shared_buffers = 2GB" "maintenance_work_mem = 2GB" \
    "max_parallel_maintenance_workers = 2" "max_wal_size = 8GB" "fsync = off" || exit 1
trap 'vr_cluster_stop "$CLUSTER"; rm -rf "$OUT/cluster"' EXIT
conn() { echo "host=127.0.0.1 port=$PORT user=postgres dbname=$1"; }
vr_log "$(lscpu | sed -n 's/^Model name: *//p'), $(nproc) CPUs, $(date -u '+%Y-%m-%d %H:%M UTC')"

for sys in vecrbac pgvector; do
    ext=vecrbac
    [ "$sys" = pgvector ] && ext=vector
    psql -X -q -d "$(conn postgres)" -c "CREATE DATABASE $sys"
    vr_log "load into $sys"
    record "$(/usr/bin/python3 bench/hnsw/prepare.py "$DATA_DIR" --conninfo "$(conn "$sys")" \
        --extension $ext | sed "s/^{/{\"step\": \"load\", \"system\": \"$sys\", /")"
    record "$(psql -X -At -d "$(conn "$sys")" -c "SELECT json_build_object('step', 'version',
        'system', '$sys', 'version', (SELECT extversion FROM pg_extension WHERE extname = '$ext'))")"
done

build() { # build SYSTEM NAME "INDEX DEFINITION"
    local ms
    ms=$(psql -X -q -d "$(conn "$1")" -v ON_ERROR_STOP=1 <<SQL | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p'
SET max_parallel_maintenance_workers = 2;
\timing on
CREATE INDEX $2 ON items USING hnsw $3 WITH (m = 16, ef_construction = 64);
SQL
    )
    record "$(psql -X -At -d "$(conn "$1")" -c "SELECT json_build_object('step', 'build', 'system', '$1',
        'index', '$2', 'build_s', round($ms / 1000, 2), 'index_bytes', pg_relation_size('$2'))")"
}
for sys in pgvector vecrbac; do
    vr_log "build the indexes of $sys"
    build "$sys" items_vector "(embedding vector_l2_ops)"
    build "$sys" items_halfvec "((embedding::halfvec(784)) halfvec_l2_ops)"
    build "$sys" items_bq "((binary_quantize(embedding)::bit(784)) bit_hamming_ops)"
    psql -X -q -d "$(conn "$sys")" -c "VACUUM ANALYZE items"
done

# The query vector is sent as vector (pg_client's binary format) and cast in SQL, as
# an application holding float embeddings does.
declare -A SQL=(
    [vector]='SELECT id FROM items ORDER BY embedding <-> $1::vector LIMIT 10'
    [halfvec]='SELECT id FROM items ORDER BY embedding::halfvec(784) <-> $1::vector::halfvec(784) LIMIT 10'
    [bq]='SELECT id FROM (SELECT id, embedding FROM items ORDER BY binary_quantize(embedding)::bit(784) <~> binary_quantize($1::vector) LIMIT 40) s ORDER BY embedding <-> $1::vector LIMIT 10'
)
queries() { # queries PASS
    local sys kind ef efs
    for sys in pgvector vecrbac; do
        for kind in vector halfvec bq; do
            efs=$EFS
            [ "$kind" = bq ] && efs=$BQ_EFS
            for ef in $efs; do
                record "$("$OUT/pg_client" "$(conn "$sys")" "$DATA_DIR/queries.f32" 784 "$DATA_DIR/gt.i32" 10 \
                    "SET hnsw.ef_search = $ef" "${SQL[$kind]}" |
                    sed "s/^{/{\"step\": \"query\", \"system\": \"$sys\", \"index\": \"$kind\", \"pass\": $1, \"ef\": $ef, /")"
            done
        done
    done
}
# The plans are the indexes' (a recall measured on a sequential scan proves nothing).
for sys in pgvector vecrbac; do
    for kind in vector halfvec bq; do
        plan=$(psql -X -At -d "$(conn "$sys")" -c "PREPARE p(vector) AS ${SQL[$kind]}; EXPLAIN (COSTS OFF) EXECUTE p('[$(seq -s, 784 | sed 's/[0-9]*/0/g')]');")
        grep -q "Index Scan using items_$kind" <<<"$plan" || { echo "$sys $kind: not an index scan:"; echo "$plan"; exit 1; }
    done
done
vr_log "queries, pass 1"
queries 1
vr_log "queries, pass 2"
queries 2

vr_log "report"
/usr/bin/python3 bench/halfvec/report.py "$OUT/results.jsonl" | tee "$OUT/report.md"

#!/usr/bin/env bash
# run.sh: how much an hnsw index grows when its rows are deleted, vacuumed and inserted
# again, vecrbac beside pgvector 0.8 built from source, in one run on one server.
#
#   bench/churn/run.sh [PGVECTOR_SOURCE]     results in bench/out/churn/
#
# PGVECTOR_SOURCE is a pgvector checkout or bare repository (default: the fetched
# snapshot in /work/.mirror/pgvector+pgvector/repo); when it does not exist, pgvector
# is left out and the run says so. For each data set and index kind, in a table of its
# own per system: build the index (m = 16, ef_construction = 64) on the loaded rows,
# then CYCLES full cycles (DELETE every row, VACUUM, INSERT the same rows again) and
# PARTIAL partial ones (the same with a tenth of the rows, id % 10 = cycle - 1), the
# index's size in blocks after each; then recall@10 of the first 1,000 queries against
# exact ground truth, before and after the churn (ef_search 40, plan asserted to be the
# index's), and for vecrbac vecrbac.hnsw_check's verdict; then once more after a VACUUM
# that removes nothing. Each VACUUM's wall-clock time is recorded.
#
# Data sets: fashion (Fashion-MNIST, 60,000 x 784, bench/hnsw/prepare.py) with the
# index kinds in FASHION_KINDS (default "vector"), and synthetic (bench/data/clustered.py,
# SYNTH_ROWS rows of 96 dimensions, default 20,000) with SYNTH_KINDS (default "vector
# halfvec bit filter"). Kinds: vector (embedding vector_l2_ops), halfvec and bit
# (pgvector's expression indexes on embedding::halfvec(D) and
# binary_quantize(embedding)::bit(D), the latter queried with re-ranking), filter
# (vecrbac only: (label, embedding vector_l2_ops, payload), label = id % 10, payload
# {"t": id % 100}). Sizes do not depend on the machine's speed; a recall is one run's.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
source scripts/lib/cluster.sh
source bench/lib.sh

SRC=${1:-/work/.mirror/pgvector+pgvector/repo}
OUT=$ROOT/bench/out/churn
DATA_DIR=$ROOT/bench/out/data
CYCLES=${CYCLES:-3}
PARTIAL=${PARTIAL:-3}
SYNTH_ROWS=${SYNTH_ROWS:-20000}
FASHION_KINDS=${FASHION_KINDS:-vector}
SYNTH_KINDS=${SYNTH_KINDS:-vector halfvec bit filter}
DATASETS=${DATASETS:-synthetic fashion}
mkdir -p "$OUT" "$DATA_DIR"
: >"$OUT/results.jsonl"
record() { echo "$1" | tee -a "$OUT/results.jsonl"; }

vr_log "build vecrbac and the libpq client"
make -s -j2 >/dev/null
vr_build_pg_client "$OUT"
SYSTEMS="vecrbac pgvector"
if git --git-dir="$SRC" rev-parse --git-dir >/dev/null 2>&1 || [[ -f "$SRC/vector.control" ]]; then
    vr_log "build pgvector from $SRC"
    PGVECTOR_OPTFLAGS=native scripts/build_pgvector.sh "$SRC" "$OUT/install"
    export VR_BINDIR=$OUT/install$(cd "$PG_BINDIR_SYSTEM" && pwd)
    export PATH="$VR_BINDIR:$PATH"
else
    echo "no pgvector source tree at '$SRC': pgvector is left out of this run"
    SYSTEMS=vecrbac
    vr_prefix_setup "$OUT/install"
fi

PORT=$(vr_free_port)
CLUSTER=$OUT/cluster/data
# autovacuum off: each VACUUM is the script's, at a known point.
vr_cluster_start "$CLUSTER" "$PORT" "shared_buffers = 1GB" "maintenance_work_mem = 1GB" \
    "max_parallel_maintenance_workers = 2" "max_wal_size = 8GB" "fsync = off" "autovacuum = off" || exit 1
trap 'vr_cluster_stop "$CLUSTER"; rm -rf "$OUT/cluster"' EXIT
conn() { echo "host=127.0.0.1 port=$PORT user=postgres dbname=$1"; }
sql() { psql -X -q -At -v ON_ERROR_STOP=1 -d "$(conn "$1")" -c "$2"; }
vr_log "$(lscpu | sed -n 's/^Model name: *//p'), $(nproc) CPUs, $(date -u '+%Y-%m-%d %H:%M UTC')"

# Source tables, one per data set in each database: src_fashion, src_synthetic
# (id, label, payload, embedding), from which every cycle inserts again.
for sys in $SYSTEMS; do
    ext=vecrbac
    [[ $sys == pgvector ]] && ext=vector
    sql postgres "CREATE DATABASE $sys"
    for ds in $DATASETS; do
        vr_log "load $ds into $sys"
        if [[ $ds == fashion ]]; then
            /usr/bin/python3 bench/hnsw/prepare.py "$DATA_DIR" --conninfo "$(conn "$sys")" --extension $ext >/dev/null
            sql "$sys" "CREATE TABLE src_fashion AS SELECT id, label, jsonb_build_object('t', id % 100) AS payload,
                embedding FROM items; DROP TABLE items"
        else
            /usr/bin/python3 bench/data/clustered.py "$DATA_DIR" "$SYNTH_ROWS"
            sql "$sys" "CREATE EXTENSION IF NOT EXISTS $ext; CREATE TABLE load (id int, embedding vector(96))"
            psql -X -q -v ON_ERROR_STOP=1 -d "$(conn "$sys")" \
                -c "\\copy load FROM '$DATA_DIR/base_$SYNTH_ROWS.copy' WITH (FORMAT binary)"
            sql "$sys" "CREATE TABLE src_synthetic AS SELECT id, id % 10 AS label,
                jsonb_build_object('t', id % 100) AS payload, embedding FROM load; DROP TABLE load"
        fi
    done
    record "$(sql "$sys" "SELECT json_build_object('step', 'version', 'system', '$sys',
        'version', (SELECT extversion FROM pg_extension WHERE extname = '$ext'))")"
done

dims() { [[ $1 == fashion ]] && echo 784 || echo 96; }
index_def() { # index_def KIND DIM
    case $1 in
    vector) echo "(embedding vector_l2_ops)" ;;
    halfvec) echo "((embedding::halfvec($2)) halfvec_l2_ops)" ;;
    bit) echo "((binary_quantize(embedding)::bit($2)) bit_hamming_ops)" ;;
    filter) echo "(label, embedding vector_l2_ops, payload)" ;;
    esac
}
query_sql() { # query_sql KIND TABLE DIM
    case $1 in
    vector | filter) echo "SELECT id FROM $2 ORDER BY embedding <-> \$1::vector LIMIT 10" ;;
    halfvec) echo "SELECT id FROM $2 ORDER BY embedding::halfvec($3) <-> \$1::vector::halfvec($3) LIMIT 10" ;;
    bit) echo "SELECT id FROM (SELECT id, embedding FROM $2 ORDER BY binary_quantize(embedding)::bit($3) <~> binary_quantize(\$1::vector) LIMIT 40) s ORDER BY embedding <-> \$1::vector LIMIT 10" ;;
    esac
}
files() { # files DATASET -> "QUERIES GT"
    if [[ $1 == fashion ]]; then echo "$DATA_DIR/queries.f32 $DATA_DIR/gt.i32"
    else echo "$DATA_DIR/queries_$SYNTH_ROWS.f32 $DATA_DIR/gt_$SYNTH_ROWS.i32"; fi
}
blocks() { sql "$1" "SELECT pg_relation_size('$2') / current_setting('block_size')::int"; }
recall() { # recall SYS DS KIND TABLE PHASE
    local dim q gt plan
    dim=$(dims "$2")
    read -r q gt <<<"$(files "$2")"
    plan=$(sql "$1" "PREPARE p(vector) AS $(query_sql "$3" "$4" "$dim");
        EXPLAIN (COSTS OFF) EXECUTE p('[$(seq -s, "$dim" | sed 's/[0-9]*/0/g')]')")
    grep -q "Index Scan using ${4}_idx" <<<"$plan" || { echo "$1 $4: not an index scan:"; echo "$plan"; exit 1; }
    record "$("$OUT/pg_client" "$(conn "$1")" "$q" "$dim" "$gt" 10 "SET hnsw.ef_search = 40" \
        "$(query_sql "$3" "$4" "$dim")" |
        sed "s/^{/{\"step\": \"recall\", \"system\": \"$1\", \"dataset\": \"$2\", \"kind\": \"$3\", \"phase\": \"$5\", /")"
}
size() { # size SYS DS KIND TABLE PHASE CYCLE
    record "$(sql "$1" "SELECT json_build_object('step', 'size', 'system', '$1', 'dataset', '$2',
        'kind', '$3', 'phase', '$5', 'cycle', $6, 'blocks', pg_relation_size('${4}_idx') / 8192,
        'rows', (SELECT count(*) FROM $4))")"
}

vacuum() { # vacuum SYS DS KIND TABLE PHASE CYCLE: VACUUM, its wall-clock time recorded
    local t0 t1
    t0=$(date +%s%N)
    sql "$1" "VACUUM $4"
    t1=$(date +%s%N)
    record "{\"step\": \"vacuum\", \"system\": \"$1\", \"dataset\": \"$2\", \"kind\": \"$3\", \"phase\": \"$5\", \"cycle\": $6, \"ms\": $(((t1 - t0) / 1000000))}"
}

check() { # check SYS DS KIND TABLE PHASE: vecrbac.hnsw_check's verdict
    record "$(sql "$1" "SELECT json_build_object('step', 'check', 'system', '$1', 'dataset', '$2', 'kind', '$3',
        'phase', '$5', 'problems', (SELECT json_agg(severity || ': ' || message) FROM vecrbac.hnsw_check('${4}_idx')
            WHERE severity <> 'info'),
        'info', (SELECT json_agg(message) FROM vecrbac.hnsw_check('${4}_idx') WHERE severity = 'info'))")"
}

churn() { # churn SYS DS KIND
    local t="${2}_$3" dim c
    dim=$(dims "$2")
    vr_log "$1: $2, $3 index: build, $CYCLES full and $PARTIAL partial cycles"
    sql "$1" "CREATE TABLE $t (LIKE src_$2); INSERT INTO $t SELECT * FROM src_$2"
    sql "$1" "VACUUM ANALYZE $t"
    sql "$1" "SET max_parallel_maintenance_workers = 2;
        CREATE INDEX ${t}_idx ON $t USING hnsw $(index_def "$3" "$dim") WITH (m = 16, ef_construction = 64)"
    size "$1" "$2" "$3" "$t" build 0
    recall "$1" "$2" "$3" "$t" build
    for c in $(seq 1 "$CYCLES"); do
        sql "$1" "DELETE FROM $t"
        vacuum "$1" "$2" "$3" "$t" full "$c"
        size "$1" "$2" "$3" "$t" vacuumed "$c"
        sql "$1" "INSERT INTO $t SELECT * FROM src_$2"
        size "$1" "$2" "$3" "$t" full "$c"
    done
    for c in $(seq 1 "$PARTIAL"); do
        sql "$1" "DELETE FROM $t WHERE id % 10 = $((c - 1))"
        vacuum "$1" "$2" "$3" "$t" partial "$c"
        sql "$1" "INSERT INTO $t SELECT * FROM src_$2 WHERE id % 10 = $((c - 1))"
        size "$1" "$2" "$3" "$t" partial "$c"
    done
    sql "$1" "ANALYZE $t"
    recall "$1" "$2" "$3" "$t" churned
    if [[ $1 == vecrbac ]]; then check "$1" "$2" "$3" "$t" churned; fi
    # A VACUUM with nothing to remove: vecrbac's links back what the last inserts cut off.
    vacuum "$1" "$2" "$3" "$t" final 0
    size "$1" "$2" "$3" "$t" final 0
    recall "$1" "$2" "$3" "$t" final
    if [[ $1 == vecrbac ]]; then check "$1" "$2" "$3" "$t" final; fi
    sql "$1" "DROP TABLE $t"
}

for ds in $DATASETS; do
    kinds=$SYNTH_KINDS
    [[ $ds == fashion ]] && kinds=$FASHION_KINDS
    for kind in $kinds; do
        for sys in $SYSTEMS; do
            [[ $kind == filter && $sys != vecrbac ]] && continue
            churn "$sys" "$ds" "$kind"
        done
    done
done

vr_log "report"
/usr/bin/python3 bench/churn/report.py "$OUT/results.jsonl" | tee "$OUT/report.md"

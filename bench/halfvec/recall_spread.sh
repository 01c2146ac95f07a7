#!/usr/bin/env bash
# recall_spread.sh: how much recall@10 at equal ef_search varies between builds of the
# same Fashion-MNIST vector index (hnsw levels are random), vecrbac beside pgvector 0.8
# built from source, in one run on one server (a database each).
#
#   bench/halfvec/recall_spread.sh [PGVECTOR_SOURCE]    results in bench/out/recall_spread/
#
# REPS (default 3) builds of items USING hnsw (embedding vector_l2_ops) WITH (m = 16,
# ef_construction = 64) per system, alternating the systems; after each build the first
# 1,000 test images run as top-10 queries at each of EFS (default 10 20 40), recall
# against exact ground truth. With BQ=N, a binary-quantized index is built N times per
# system at the end (m = 16, ef_construction = 64), for its size. The report gives mean
# and min-max recall per system and ef_search, and each bq size.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
source scripts/lib/cluster.sh
source bench/lib.sh

SRC=${1:-/work/.mirror/pgvector+pgvector/repo}
OUT=$ROOT/bench/out/recall_spread
DATA_DIR=${DATA_DIR:-$ROOT/bench/out/data}
REPS=${REPS:-3}
EFS=${EFS:-"10 20 40"}
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
    /usr/bin/python3 bench/hnsw/prepare.py "$DATA_DIR" --conninfo "$(conn "$sys")" --extension $ext >/dev/null
    psql -X -q -d "$(conn "$sys")" -c "VACUUM ANALYZE items"
done

SQL='SELECT id FROM items ORDER BY embedding <-> $1::vector LIMIT 10'
for rep in $(seq "$REPS"); do  # seq 0 prints nothing
    for sys in pgvector vecrbac; do
        vr_log "$sys: build $rep"
        psql -X -q -d "$(conn "$sys")" -v ON_ERROR_STOP=1 -c "DROP INDEX IF EXISTS items_vector" \
            -c "CREATE INDEX items_vector ON items USING hnsw (embedding vector_l2_ops) WITH (m = 16, ef_construction = 64)"
        plan=$(psql -X -At -d "$(conn "$sys")" -c "PREPARE p(vector) AS $SQL; EXPLAIN (COSTS OFF) EXECUTE p('[$(seq -s, 784 | sed 's/[0-9]*/0/g')]');")
        grep -q "Index Scan using items_vector" <<<"$plan" || { echo "$sys: not an index scan:"; echo "$plan"; exit 1; }
        for ef in $EFS; do
            record "$("$OUT/pg_client" "$(conn "$sys")" "$DATA_DIR/queries.f32" 784 "$DATA_DIR/gt.i32" 10 \
                "SET hnsw.ef_search = $ef" "$SQL" |
                sed "s/^{/{\"step\": \"query\", \"system\": \"$sys\", \"rep\": $rep, \"ef\": $ef, /")"
        done
    done
done
for rep in $(seq "${BQ:-0}"); do
    for sys in pgvector vecrbac; do
        psql -X -q -d "$(conn "$sys")" -v ON_ERROR_STOP=1 -c "DROP INDEX IF EXISTS items_bq" \
            -c "CREATE INDEX items_bq ON items USING hnsw ((binary_quantize(embedding)::bit(784)) bit_hamming_ops) WITH (m = 16, ef_construction = 64)"
        record "$(psql -X -At -d "$(conn "$sys")" -c "SELECT json_build_object('step', 'size', 'system', '$sys',
            'index', 'items_bq', 'index_bytes', pg_relation_size('items_bq'))")"
    done
done

vr_log "report"
/usr/bin/python3 - "$OUT/results.jsonl" <<'PY' | tee "$OUT/report.md"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
q = [r for r in rows if r["step"] == "query"]
print("| ef_search | system | builds | mean recall@10 | min | max |")
print("|---:|---|---:|---:|---:|---:|")
for ef in sorted({r["ef"] for r in q}):
    for s in ("pgvector", "vecrbac"):
        v = [r["recall"] for r in q if r["ef"] == ef and r["system"] == s]
        if v:
            print(f"| {ef} | {s} | {len(v)} | {sum(v) / len(v):.4f} | {min(v):.4f} | {max(v):.4f} |")
for r in rows:
    if r["step"] == "size":
        print(f"\n{r['system']} {r['index']}: {r['index_bytes']} bytes ({r['index_bytes'] / 2**20:.2f} MB)")
PY

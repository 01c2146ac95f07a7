#!/usr/bin/env bash
# run.sh: the ivfflat benchmark on Fashion-MNIST, vecrbac next to pgvector, in one run.
#
#   bench/ivfflat/run.sh                    results in bench/out/ivfflat/results.jsonl
#   PGVECTOR_SRC=dir bench/ivfflat/run.sh   pgvector built from that source tree
#   QUERIES=1000 LISTS=100 BUILD_REPEATS=3 bench/ivfflat/run.sh
#
# pgvector, when its source is at hand (PGVECTOR_SRC, or bench/out/pgvector-src), is
# built and installed into this run's private prefix only (never into the system's
# PostgreSQL) and created in a second database of the same cluster: the two
# extensions cannot share a database (both define the type vector). See bench.py.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
source scripts/lib/cluster.sh

OUT=$ROOT/bench/out/ivfflat
PGVECTOR_SRC=${PGVECTOR_SRC:-$ROOT/bench/out/pgvector-src}
mkdir -p "$OUT"
: >"$OUT/results.jsonl"

vr_log "build vecrbac"
make -s -j"$(nproc)" >/dev/null
vr_prefix_setup "$OUT/install"
if [[ -f "$PGVECTOR_SRC/vector.control" ]]; then
    vr_log "build pgvector from $PGVECTOR_SRC into the private prefix"
    # the system's pg_config: the private prefix's own reports the prefix's paths already
    make -s -C "$PGVECTOR_SRC" PG_CONFIG="$PG_BINDIR_SYSTEM/pg_config" OPTFLAGS="" >/dev/null
    make -s -C "$PGVECTOR_SRC" PG_CONFIG="$PG_BINDIR_SYSTEM/pg_config" install DESTDIR="$OUT/install" >/dev/null
    HAVE_PGVECTOR=1
else
    vr_log "no pgvector source at $PGVECTOR_SRC: vecrbac only"
    HAVE_PGVECTOR=0
fi

PORT=$(vr_free_port)
CLUSTER=$OUT/cluster/data
vr_cluster_start "$CLUSTER" "$PORT" "shared_buffers = 1GB" "maintenance_work_mem = 1GB" \
    "max_parallel_maintenance_workers = 2" "max_wal_size = 8GB" "fsync = off" "jit = off" \
    "vecrbac.jwt_secret = 'a benchmark secret of at least thirty-two bytes'" || exit 1
trap 'vr_cluster_stop "$CLUSTER"; rm -rf "$OUT/cluster"' EXIT
BASE="host=127.0.0.1 port=$PORT user=postgres"
psql -X -q -d "$BASE dbname=postgres" -c "CREATE DATABASE vr" -c "CREATE DATABASE pgv"
ARGS=(--vecrbac "$BASE dbname=vr" --queries "${QUERIES:-200}" --lists "${LISTS:-100}" --workers "${WORKERS:-0,2}"
    --build-repeats "${BUILD_REPEATS:-3}")
[[ -n ${UNSCOPED_ONLY:-} ]] && ARGS+=(--unscoped-only)
[[ $HAVE_PGVECTOR == 1 ]] && ARGS+=(--pgvector "$BASE dbname=pgv")

vr_log "$(lscpu | sed -n 's/^Model name: *//p'), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u '+%Y-%m-%d %H:%M UTC')"
/usr/bin/python3 bench/ivfflat/bench.py "${ARGS[@]}" | tee -a "$OUT/results.jsonl"

#!/usr/bin/env bash
# run.sh: top-10 nearest-neighbour latency through the token policies (global-read token;
# today's direct accessor calls and 0.2.0's subquery policy)
# against the same query on an unprotected copy of the table, in one run, on Fashion-MNIST
# with the label as the tenant key (bench/rbac/bench.py).
#
#   bench/rbac/run.sh            results in bench/out/rbac/result.json
#   ROWS=10000 bench/rbac/run.sh a smaller table
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
source scripts/lib/cluster.sh

OUT=$ROOT/bench/out/rbac
mkdir -p "$OUT"
vr_log "build"
make -s -j"$(nproc)" >/dev/null
vr_prefix_setup "$OUT/install"
PORT=$(vr_free_port)
CLUSTER=$OUT/cluster/data
vr_cluster_start "$CLUSTER" "$PORT" "shared_buffers = 1GB" "maintenance_work_mem = 1GB" \
    "max_parallel_maintenance_workers = 2" "max_wal_size = 8GB" "fsync = off" "jit = off" \
    "vecrbac.jwt_secret = 'a benchmark secret of at least thirty-two bytes'" || exit 1
trap 'vr_cluster_stop "$CLUSTER"; rm -rf "$OUT/cluster"' EXIT
vr_log "$(lscpu | sed -n 's/^Model name: *//p'), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u '+%Y-%m-%d %H:%M UTC')"
/usr/bin/python3 bench/rbac/bench.py --conninfo "host=127.0.0.1 port=$PORT user=postgres dbname=postgres" \
    --rows "${ROWS:-60000}" | tee "$OUT/result.json"

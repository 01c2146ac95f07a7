#!/usr/bin/env bash
# run.sh: Fashion-MNIST distributed by label over 8 shards on 2 Citus workers against the
# same table on one node, in one run (bench/citus/bench.py): a tenant's top 10 routed to
# its shard, a global token's top 10 merged from every shard; recall against exact, QPS.
# Needs Citus staged by scripts/build_citus.sh.
#
#   bench/citus/run.sh              results in bench/out/citus/result.json
#   ROWS=60000 bench/citus/run.sh   the whole training set (default 20000)
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
source scripts/lib/cluster.sh

OUT=$ROOT/bench/out/citus
mkdir -p "$OUT"
vr_log "build"
make -s -j2 >/dev/null
vr_prefix_setup "$OUT/install"
[[ -f $VR_PREFIX$PG_PKGLIBDIR_SYSTEM/citus.so ]] ||
    { echo "Citus is not staged: run scripts/build_citus.sh first" >&2; exit 1; }
CONF=("shared_preload_libraries = 'citus'" "shared_buffers = 512MB" "maintenance_work_mem = 512MB"
      "max_wal_size = 8GB" "fsync = off" "jit = off" "max_connections = 100" "citus.shard_count = 8"
      "vecrbac.jwt_secret = 'a benchmark secret of at least thirty-two bytes'")
PORTS=()
for n in coordinator worker1 worker2; do
    PORTS+=("$(vr_free_port)")
    vr_cluster_start "$OUT/cluster/$n" "${PORTS[-1]}" "${CONF[@]}" || exit 1
done
trap 'for n in coordinator worker1 worker2; do vr_cluster_stop "$OUT/cluster/$n"; done; rm -rf "$OUT/cluster"' EXIT
vr_log "$(lscpu | sed -n 's/^Model name: *//p'), $(nproc) CPUs, load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u '+%Y-%m-%d %H:%M UTC')"
/usr/bin/python3 bench/citus/bench.py --ports "${PORTS[@]}" --rows "${ROWS:-20000}" \
    --queries "${QUERIES:-200}" | tee "$OUT/result.json"
vr_log "done: load $(cut -d' ' -f1-3 /proc/loadavg), $(date -u '+%Y-%m-%d %H:%M UTC')"

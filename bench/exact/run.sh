#!/usr/bin/env bash
# bench/exact/run.sh: Fashion-MNIST load (COPY text and binary) and exact top-10
# search on a throwaway cluster with this build of vecrbac installed privately.
#
#   bench/exact/run.sh [--queries N]
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
source scripts/lib/cluster.sh

OUT=$ROOT/bench/out/load_and_exact
vr_log "build and private install"
make -s -j"$(nproc)" >/dev/null
vr_prefix_setup "$OUT/install"
PORT=$(vr_free_port)
DATA=$OUT/cluster/data
# The table (about 240 MB with STORAGE PLAIN) fits in shared buffers.
vr_cluster_start "$DATA" "$PORT" "shared_buffers = 1GB" || exit 1
trap 'vr_cluster_stop "$DATA"; rm -rf "$OUT/cluster"' EXIT

vr_log "$(lscpu | sed -n 's/^Model name: *//p'), $(nproc) CPUs, $(date -u '+%Y-%m-%d %H:%M UTC')"
/usr/bin/python3 "$ROOT/bench/exact/load_and_exact.py" --dbname postgres "$@"

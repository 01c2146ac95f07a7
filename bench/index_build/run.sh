#!/usr/bin/env bash
# run.sh: index builds as users run them, on Fashion-MNIST (60,000 x 784), in one run.
#
#   bench/index_build/run.sh            results in bench/out/index_build/results.jsonl
#   REPS=3 SERIAL=1 PAUSED=0 ...  repetitions; SERIAL=0 skips the serial reference build;
#                                 PAUSED=10 adds a build 10 s after COPY, without ANALYZE;
#                                 SPILL=1 adds builds with maintenance_work_mem = 64MB
#
# COPY then CREATE INDEX at once (the table never analyzed), against COPY, ANALYZE,
# CREATE INDEX, interleaved, each repetition on a freshly loaded table; the two must
# build in the same time. The serial build of the unanalyzed table is what such a
# table got before the build planned its workers from the heap's size. The machine's
# load (uptime) is recorded before and after: builds use every core.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
source scripts/lib/cluster.sh

OUT=$ROOT/bench/out/index_build
REPS=${REPS:-3}
SERIAL=${SERIAL:-1}
PAUSED=${PAUSED:-0}
SPILL=${SPILL:-0}
mkdir -p "$OUT"
: >"$OUT/results.jsonl"

vr_log "build vecrbac"
make -s -j"$(nproc)" >/dev/null
vr_prefix_setup "$OUT/install"
PORT=$(vr_free_port)
CLUSTER=$OUT/cluster/data
vr_cluster_start "$CLUSTER" "$PORT" "shared_buffers = 2GB" "maintenance_work_mem = 2GB" \
    "max_parallel_maintenance_workers = 2" "max_wal_size = 8GB" "fsync = off" "autovacuum = off" || exit 1
trap 'vr_cluster_stop "$CLUSTER"; rm -rf "$OUT/cluster"' EXIT
CONN="host=127.0.0.1 port=$PORT user=postgres dbname=postgres"
record() { echo "$1" | tee -a "$OUT/results.jsonl"; }

record "{\"step\": \"machine\", \"cpu\": \"$(lscpu | sed -n 's/^Model name: *//p')\", \"cpus\": $(nproc), \"date\": \"$(date -u '+%Y-%m-%d %H:%M UTC')\", \"load_before\": \"$(uptime | sed 's/.*load average: //')\"}"
args=(--reps "$REPS")
[ "$SERIAL" = 1 ] && args+=(--serial)
[ "$PAUSED" != 0 ] && args+=(--paused "$PAUSED")
[ "$SPILL" = 1 ] && args+=(--spill)
/usr/bin/python3 bench/index_build/bench.py "$CONN" "${args[@]}" | sed 's/^{/{"step": "build", /' | tee -a "$OUT/results.jsonl"
record "{\"step\": \"machine\", \"load_after\": \"$(uptime | sed 's/.*load average: //')\"}"

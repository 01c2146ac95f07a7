#!/usr/bin/env bash
# run.sh: client tests against a throwaway cluster: every test/clients/*.py (system
# Python: PyJWT and psycopg from Debian) and every test/clients/*.js (Node, packages
# pinned by package-lock.json and installed with `npm ci`).
#
# Called by scripts/test.sh, which has built and installed vecrbac into its private
# PostgreSQL copy (VR_PREFIX); run alone, it builds and installs first.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
source scripts/lib/cluster.sh

if [[ -z "${VR_PREFIX:-}" ]]; then
    make -s -j"$(nproc)" >/dev/null
    vr_prefix_setup "$ROOT/tmp_check/install"
fi

(cd test/clients && npm ci --no-audit --no-fund --loglevel=error >/dev/null)

DATA=$ROOT/tmp_check/clients/data
PORT=$(vr_free_port)
vr_cluster_start "$DATA" "$PORT"
trap 'vr_cluster_stop "$DATA"' EXIT

failed=()
for t in test/clients/*.py; do
    [[ -e "$t" ]] || continue
    vr_log "client test: $t"
    /usr/bin/python3 "$t" || failed+=("$t")
done
for t in test/clients/*.js; do
    [[ -e "$t" ]] || continue
    vr_log "client test: $t"
    node --test-reporter=spec --test "$t" || failed+=("$t")
done
if ((${#failed[@]})); then
    echo "client tests FAILED: ${failed[*]}"
    exit 1
fi

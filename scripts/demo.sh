#!/usr/bin/env bash
# demo.sh: vecrbac from a fresh Debian 12 machine to two tenants searching one table.
#
#   scripts/demo.sh           install dependencies, build, install, run the demo
#   VR_SKIP_DEPS=1 ...        skip the apt-get step
#
# It installs vecrbac into the system's PostgreSQL 15 (`make install`, with sudo when
# not root), the way a user installs it, and starts a throwaway cluster from the system
# binaries under ./demo/ (as the postgres user when run as root), on 127.0.0.1 and a
# free port, with a fresh token secret in its configuration. The demo itself
# (scripts/demo.py) loads 10,000 Fashion-MNIST images with their label as the tenant
# key, protects the table, mints two tenants' tokens, runs the same nearest-neighbour
# query as each, shows a write outside the scope refused, and the cluster is stopped.
# (The test suite, scripts/test.sh, uses a private copy of PostgreSQL instead, so that
# tests never depend on what is installed system-wide.)
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

if [[ "${VR_SKIP_DEPS:-0}" != 1 ]]; then
    scripts/deps.sh
fi
SUDO=()
if [[ $(id -u) -ne 0 ]]; then SUDO=(sudo); fi

echo "== build and install"
make -s -j"$(nproc)" >/dev/null
"${SUDO[@]}" make -s install >/dev/null

source scripts/lib/cluster.sh
VR_BINDIR=$PG_BINDIR_SYSTEM
export VR_BINDIR
if [[ $(id -u) -eq 0 ]] && ! runuser -u postgres -- test -x "$ROOT"; then
    echo "the postgres user cannot enter $ROOT: clone the project where it can (e.g. under /tmp) or run as a normal user" >&2
    exit 1
fi

DATA=$ROOT/demo/data
PORT=$(vr_free_port)
SECRET=$(openssl rand -hex 32)
echo "== start a throwaway cluster in $ROOT/demo (port $PORT)"
vr_cluster_start "$DATA" "$PORT" "vecrbac.jwt_secret = '$SECRET'"
trap 'echo "== stop the cluster"; vr_cluster_stop "$DATA"' EXIT

VR_JWT_SECRET=$SECRET /usr/bin/python3 scripts/demo.py

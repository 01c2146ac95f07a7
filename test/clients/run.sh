#!/usr/bin/env bash
# run.sh: client tests against a throwaway cluster with TLS: every test/clients/*.py (system
# Python: PyJWT, psycopg and Django from Debian), every test/clients/*.js (Node, packages
# pinned by package-lock.json and installed with `npm ci`) and every test/clients/*.rb
# (Debian's Ruby with ActiveRecord). The orm_* tests run each ORM's own migrations.
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

# TLS: a throwaway self-signed certificate for localhost and 127.0.0.1; clients verify
# it and the host name (sslmode=verify-full). An encrypted connection is the first
# layer of defence for tokens in transit.
TLS=$ROOT/tmp_check/clients/tls
rm -rf "$TLS" && mkdir -p "$TLS"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=localhost" \
    -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
    -keyout "$TLS/server.key" -out "$TLS/server.crt" 2>/dev/null
chmod 600 "$TLS/server.key"
vr_pg_dir "$TLS"
export PGSSLROOTCERT=$TLS/server.crt
# The session-token secret, fresh for each run; clients mint tokens with it.
VR_JWT_SECRET=$(openssl rand -hex 32)
export VR_JWT_SECRET
vr_cluster_start "$DATA" "$PORT" "ssl = on" "ssl_cert_file = '$TLS/server.crt'" \
    "ssl_key_file = '$TLS/server.key'" "vecrbac.jwt_secret = '$VR_JWT_SECRET'"
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
for t in test/clients/*.rb; do
    [[ -e "$t" ]] || continue
    vr_log "client test: $t"
    ruby "$t" || failed+=("$t")
done
if ((${#failed[@]})); then
    echo "client tests FAILED: ${failed[*]}"
    exit 1
fi

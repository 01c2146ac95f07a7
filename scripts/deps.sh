#!/usr/bin/env bash
# deps.sh: installs every Debian package vecrbac needs to build, test, benchmark and
# run the demo. Idempotent: when everything is present it does nothing; otherwise it
# runs apt-get update first, then installs what is missing.
set -euo pipefail

PACKAGES=(
    # build
    build-essential g++ make pkg-config
    postgresql-15 postgresql-server-dev-15
    libssl-dev libsodium-dev rapidjson-dev openssl
    # tests
    postgresql-15-pgtap libtap-parser-sourcehandler-pgtap-perl libipc-run-perl
    libgtest-dev clang-14 libclang-rt-14-dev llvm-14 libasan8 libubsan1 clang-format
    python3 python3-psycopg python3-jwt python3-cryptography python3-numpy pgbouncer
    # ORM migrations in the client tests: Django (on psycopg2), Rails' ActiveRecord
    python3-django python3-psycopg2 ruby-activerecord ruby-pg
    # benchmarks and demo data
    libhnswlib-dev libjwt-dev libbenchmark-dev python3-matplotlib dataset-fashion-mnist
)
# Node.js for the JavaScript client tests: Debian's, unless a node is already here.
if ! command -v node >/dev/null 2>&1; then
    PACKAGES+=(nodejs npm)
elif ! command -v npm >/dev/null 2>&1; then
    PACKAGES+=(npm)
fi

missing=()
for pkg in "${PACKAGES[@]}"; do
    status=$(dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null || true)
    [[ "$status" == "install ok installed" ]] || missing+=("$pkg")
done

if ((${#missing[@]} == 0)); then
    echo "deps: all ${#PACKAGES[@]} packages present"
    exit 0
fi

SUDO=()
if [[ $(id -u) -ne 0 ]]; then SUDO=(sudo); fi
echo "deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
"${SUDO[@]}" apt-get update -q
"${SUDO[@]}" apt-get install -y -q --no-install-recommends "${missing[@]}"

#!/usr/bin/env bash
# build_citus.sh: Citus (not packaged for Debian 12) built from source for PostgreSQL 15,
# for test/tap/017_citus.pl, 018_citus_rebalance.pl, 023_citus_upgrade.pl and bench/citus.
# Never installed into the system PostgreSQL: it is staged (make install DESTDIR=...) under
# the cache directory, and vr_prefix_setup (scripts/lib/cluster.sh) copies the staged files
# into each private test install.
# scripts/test.sh runs this when the machine has Citus's snapshot ($VR_MIRRORS); the Citus
# tests skip when nothing is staged.
#
#   scripts/build_citus.sh                 stage into $VR_CITUS_PREFIX, by default
#                                          /var/cache/vecrbac/citus-v13.2.2; a second run
#                                          finds it there and returns at once
#   CITUS_SOURCE=DIR scripts/build_citus.sh   build from an unpacked source tree instead of
#                                          the git snapshot (CITUS_GIT_DIR, a bare repository)
set -euo pipefail
cd "$(dirname "$0")/.."

CITUS_VERSION=${CITUS_VERSION:-v13.2.2}
STAGE=${VR_CITUS_PREFIX:-/var/cache/vecrbac/citus-$CITUS_VERSION}
CITUS_GIT_DIR=${CITUS_GIT_DIR:-/work/.mirror/citusdata+citus/repo}

if [[ -f $STAGE/.complete ]]; then
    echo "Citus $CITUS_VERSION already staged in $STAGE"
    exit 0
fi

# configure needs libcurl (anonymous statistics), lz4 and zstd (columnar compression);
# the build needs the GSSAPI headers that PostgreSQL 15's libpq-be.h includes
DEPS=(libcurl4-openssl-dev liblz4-dev libzstd-dev libkrb5-dev)
missing=()
for p in "${DEPS[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
if ((${#missing[@]})); then
    apt-get install -y -q --no-install-recommends "${missing[@]}" ||
        { apt-get update -q && apt-get install -y -q --no-install-recommends "${missing[@]}"; }
fi

BUILD=$(mktemp -d)
trap 'rm -rf "$BUILD"' EXIT
if [[ -n ${CITUS_SOURCE:-} ]]; then
    cp -a "$CITUS_SOURCE/." "$BUILD/"
else
    git --git-dir="$CITUS_GIT_DIR" archive "$CITUS_VERSION" | tar -x -C "$BUILD"
fi

# PostgreSQL 15.20 exports have_createdb_privilege(), which Citus 13.2 defines itself for
# PostgreSQL 15 (static inline in pg_version_compat.h): rename Citus's copy when the
# server's headers declare it.
if grep -q 'extern bool have_createdb_privilege' "$(pg_config --includedir-server)/commands/dbcommands.h"; then
    sed -i 's/^have_createdb_privilege(void)$/#define have_createdb_privilege citus_have_createdb_privilege\n&/' \
        "$BUILD/src/include/pg_version_compat.h"
fi

start=$(date +%s)
(
    cd "$BUILD"
    nice -n 19 ./configure PG_CONFIG="$(command -v pg_config)" >configure.log 2>&1 ||
        { tail -30 configure.log; exit 1; }
    nice -n 19 make -s -j2 >make.log 2>&1 || { tail -40 make.log; exit 1; }
    rm -rf "$STAGE"
    mkdir -p "$STAGE"
    make -s install DESTDIR="$STAGE" >/dev/null
)
touch "$STAGE/.complete"
echo "Citus $CITUS_VERSION built in $(($(date +%s) - start)) s, staged in $STAGE"

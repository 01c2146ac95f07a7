#!/usr/bin/env bash
# build_pgvector.sh: builds pgvector from a source tree and installs it into a PRIVATE
# copy of Debian's PostgreSQL 15 (never into the system install, never into the test
# install), then installs this tree's vecrbac there too (its Makefile leaves the
# companion extension out, since pgvector's vector.control is there): the migration
# tests (test/tap/013_*, 014_*) need a server with both, and the recording of the
# pgvector dumps of test/data/ a server with pgvector. Run 'make' first.
#
#   scripts/build_pgvector.sh SOURCE PREFIX
#     SOURCE  a pgvector checkout, or a bare git repository (its HEAD is exported)
#     PREFIX  the private install to create (removed first)
#
# Then: VR_PGVECTOR_PREFIX=PREFIX VR_SUITES=tap VR_TAP_TESTS="013_*" scripts/test.sh
# The PostgreSQL binaries of the prefix are PREFIX$(pg_config --bindir).
set -euo pipefail
[[ $# -eq 2 ]] || { sed -n '2,12p' "$0"; exit 2; }
src=$1
prefix=$(realpath -m "$2")

build=$(mktemp -d)
trap 'rm -rf "$build"' EXIT
if git --git-dir="$src" rev-parse --git-dir >/dev/null 2>&1 && [[ ! -d "$src/.git" ]]; then
    git --git-dir="$src" archive HEAD | tar -x -C "$build"
else
    cp -a "$src/." "$build"
fi

# The private copy of PostgreSQL, as scripts/lib/cluster.sh vr_prefix_setup makes it
# (hard links where possible), without vecrbac.
rm -rf "$prefix"
mkdir -p "$prefix"
for dir in "$(pg_config --bindir)/.." "$(pg_config --sharedir)"; do
    dir=$(cd "$dir" && pwd)
    mkdir -p "$prefix$(dirname "$dir")"
    cp -al "$dir" "$prefix$dir" 2>/dev/null || cp -a "$dir" "$prefix$dir"
done
# Hard links would let an install write through into the system's files: the
# extension directory and the library directory get their own copies.
for dir in "$(pg_config --sharedir)/extension" "$(pg_config --pkglibdir)"; do
    rm -rf "$prefix$dir"
    cp -a "$dir" "$prefix$dir"
done

# OPTFLAGS= : no -march=native, so the build runs on any x86-64 CI machine; no LLVM
# bitcode (a second toolchain, and the JIT is not what these tests exercise).
# PGVECTOR_OPTFLAGS=native keeps pgvector's own default (-march=native), as a
# from-source install on the benchmark's machine gets it (bench/halfvec).
optflags=(OPTFLAGS=)
[[ "${PGVECTOR_OPTFLAGS:-}" == native ]] && optflags=()
make -s -C "$build" -j2 "${optflags[@]}" with_llvm=no >/dev/null
make -s -C "$build" install DESTDIR="$prefix" with_llvm=no >/dev/null
make -s -C "$(dirname "$0")/.." install DESTDIR="$prefix"
echo "pgvector $(sed -n "s/^default_version = '\(.*\)'/\1/p" "$build/vector.control") installed in $prefix"

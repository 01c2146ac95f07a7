#!/usr/bin/env bash
# check_pure.sh: fails when a pure C++ file includes a PostgreSQL header, directly or
# through one of our headers (docs/development.md, "Pure cores and SQL glue").
#
# Pure files: every file under the pure-core folders (PURE_DIRS), the sources the
# unit tests link without a server (test/unit/SOURCES) with their headers, and the
# unit tests themselves. An #include "x" must resolve to a file of this tree (src/x,
# or x beside the including file) outside src/pg/ (the PostgreSQL boundary); a
# quoted include found nowhere in the tree is a server header. <...> includes are
# the standard library and third-party libraries (OpenSSL, libsodium, GoogleTest).
set -euo pipefail
cd "$(dirname "$0")/.."

PURE_DIRS=(src/jwt src/rbac src/scope src/vector src/common)

declare -A seen=()
queue=()
add() { [[ -f "$1" && -z "${seen[$1]:-}" ]] && { seen[$1]=1; queue+=("$1"); } || true; }

for d in "${PURE_DIRS[@]}"; do
    for f in "$d"/*.cpp "$d"/*.h; do add "$f"; done
done
while read -r f; do
    [[ -n "$f" ]] || continue
    add "$f"
    add "${f%.cpp}.h"
done <test/unit/SOURCES
for f in test/unit/*.cpp test/unit/*.h; do add "$f"; done

bad=0
i=0
while ((i < ${#queue[@]})); do
    f=${queue[$i]}
    i=$((i + 1))
    while IFS= read -r inc; do
        if [[ -f "src/$inc" ]]; then
            target="src/$inc"
        elif [[ -f "$(dirname "$f")/$inc" ]]; then
            target="$(dirname "$f")/$inc"
        else
            echo "$f: includes \"$inc\", a PostgreSQL (or unknown) header, in a pure C++ file"
            bad=1
            continue
        fi
        if [[ $target == src/pg/* ]]; then
            echo "$f: includes \"$inc\", the PostgreSQL boundary, in a pure C++ file"
            bad=1
            continue
        fi
        add "$target"
    done < <(sed -n 's/^[[:space:]]*#[[:space:]]*include[[:space:]]*"\([^"]*\)".*/\1/p' "$f")
    if grep -qE '^[[:space:]]*#[[:space:]]*include[[:space:]]*<(postgres|postgresql/|server/|fmgr)' "$f"; then
        echo "$f: includes a PostgreSQL header with <...> in a pure C++ file"
        bad=1
    fi
done

if ((bad)); then
    echo "check_pure: pure C++ files must not include PostgreSQL headers (see docs/development.md)"
    exit 1
fi
echo "check_pure: ${#queue[@]} pure files, no PostgreSQL header"

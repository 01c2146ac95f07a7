#!/usr/bin/env bash
# check_symbols.sh: fails when the built library needs a C++ symbol that nothing
# provides. PostgreSQL exports only C symbols and libstdc++'s are versioned
# (name@GLIBCXX_...), so an unversioned mangled name left undefined is a function of
# ours declared and never defined: the server would refuse to load the library.
set -euo pipefail
cd "$(dirname "$0")/.."
lib=${1:-vecrbac.so}
[[ -f $lib ]] || { echo "check_symbols: $lib is not built"; exit 1; }
missing=$(nm -D --undefined-only "$lib" | awk '$2 ~ /^_Z/ && $2 !~ /@/ { print $2 }')
if [[ -n $missing ]]; then
    echo "check_symbols: $lib needs C++ symbols nothing defines:"
    echo "$missing" | c++filt | sed 's/^/  /'
    exit 1
fi

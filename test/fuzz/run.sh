#!/usr/bin/env bash
# run.sh: builds and runs every libFuzzer target in test/fuzz for a bounded time.
#
#   test/fuzz/run.sh                   every *_fuzzer.cpp, VR_FUZZ_SECONDS each (30)
#   VR_FUZZ_TARGETS="vector_*" ...     only the targets matching this glob
#   VR_FUZZ_SECONDS=3600 nice -n 19 …  the long run (make fuzz-long)
#   VR_FUZZ_COVERAGE=1 ...             also report line coverage of the final corpus
#   VR_FUZZ_OUT=DIR ...                build and work there instead of tmp_check/fuzz
#                                      (scripts/test.sh empties tmp_check when it starts)
#
# A target is test/fuzz/NAME_fuzzer.cpp defining LLVMFuzzerTestOneInput. Lines in its
# first comment tell how to build it (all optional):
#   fuzz-sources: other .cpp files to compile with it (paths from the repository root)
#   fuzz-libs:    libraries or archives to link (-lssl, /path/lib.a)
#   fuzz-pg:      yes  -> compile with PostgreSQL's server headers (see pg_stubs.h)
#   fuzz-max-len: the largest input libFuzzer may generate (default 4096)
# Seeds live in test/fuzz/corpus/NAME/ (committed); what a run discovers goes to
# tmp_check/fuzz/NAME/corpus, crashes to tmp_check/fuzz/NAME/crash-* (reproduce with
# tmp_check/fuzz/NAME/NAME CRASHFILE). A dictionary test/fuzz/NAME.dict is used if
# present. Everything is built with clang-14 and -fsanitize=fuzzer,address,undefined;
# any crash, sanitizer report, timeout or out-of-memory fails the run.
set -uo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
SECONDS_EACH=${VR_FUZZ_SECONDS:-30}
OUT=${VR_FUZZ_OUT:-$ROOT/tmp_check/fuzz}
CXX=${VR_FUZZ_CXX:-clang++-14}
PG_INC=$(pg_config --includedir-server)
mkdir -p "$OUT"

header() { # header FILE KEY: the value of "KEY:" in the file's first comment
    sed -n '1,/\*\//p' "$1" | sed -n "s/^[ /*]*$2:[[:space:]]*//p" | head -1
}

build() { # build TARGET EXTRA_FLAGS... -> binary path on stdout
    local name=$1 src=$ROOT/test/fuzz/$1.cpp
    shift
    local bin=$OUT/$name/$name$VARIANT flags=(-std=c++20 -g -O1 -I"$ROOT/src" -I"$ROOT/test/fuzz")
    if [[ "$(header "$src" fuzz-pg)" == yes ]]; then
        flags+=(-I"$PG_INC" -Wno-register -Wno-deprecated-volatile -Wno-ignored-attributes)
    fi
    local sources=() libs=() s
    for s in $(header "$src" fuzz-sources); do sources+=("$ROOT/$s"); done
    read -r -a libs <<<"$(header "$src" fuzz-libs)"
    mkdir -p "$OUT/$name"
    "$CXX" "${flags[@]}" "$@" -o "$bin" "$src" "${sources[@]}" "${libs[@]}" >"$OUT/$name/build$VARIANT.log" 2>&1 ||
        { cat "$OUT/$name/build$VARIANT.log" >&2; return 1; }
    echo "$bin"
}

status=0
summary=()
for src in "$ROOT"/test/fuzz/${VR_FUZZ_TARGETS:-*}_fuzzer.cpp; do
    [[ -e "$src" ]] || { echo "fuzz: no targets"; exit 0; }
    name=$(basename "$src" .cpp)
    printf '\n== fuzz: %s (%s s)\n' "$name" "$SECONDS_EACH"
    VARIANT=
    bin=$(build "$name" -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all) ||
        { echo "fuzz: $name: build failed"; status=1; continue; }
    work=$OUT/$name/corpus
    mkdir -p "$work"
    seeds=$ROOT/test/fuzz/corpus/$name
    args=(-max_total_time="$SECONDS_EACH" -timeout=25 -rss_limit_mb=2048 -print_final_stats=1
        -max_len="$(header "$src" fuzz-max-len | grep -E '^[0-9]+$' || echo 4096)"
        -artifact_prefix="$OUT/$name/")
    [[ -f "$ROOT/test/fuzz/$name.dict" ]] && args+=(-dict="$ROOT/test/fuzz/$name.dict")
    dirs=("$work")
    [[ -d "$seeds" ]] && dirs+=("$seeds")
    log=$OUT/$name/fuzz.log
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 ASAN_OPTIONS=detect_leaks=1 \
        "$bin" "${args[@]}" "${dirs[@]}" >"$log" 2>&1
    rc=$?
    runs=$(sed -n 's/^stat::number_of_executed_units:[[:space:]]*//p' "$log")
    speed=$(sed -n 's/^stat::average_exec_per_sec:[[:space:]]*//p' "$log")
    cov=$(grep -oE 'cov: [0-9]+ ft: [0-9]+' "$log" | tail -1)
    corpus=$(find "$work" -type f | wc -l)
    line="$name: ${runs:-?} runs, ${speed:-?} exec/s, ${cov:-no coverage line}, corpus $corpus"
    if ((rc != 0)); then
        echo "fuzz: $name FAILED (exit $rc); artifacts in $OUT/$name/"
        grep -nE "ERROR|runtime error|vrfuzz|float_parse:|SUMMARY|deadly signal" "$log" | head -20
        tail -40 "$log"
        status=1
        line="$line: FAILED"
    fi
    echo "$line"
    summary+=("$line")

    if [[ "${VR_FUZZ_COVERAGE:-0}" == 1 ]]; then
        VARIANT=_cov
        covbin=$(build "$name" -fsanitize=fuzzer -fprofile-instr-generate -fcoverage-mapping) || continue
        LLVM_PROFILE_FILE="$OUT/$name/cov.profraw" "$covbin" -runs=0 "${dirs[@]}" >"$OUT/$name/cov.log" 2>&1
        llvm-profdata-14 merge -sparse "$OUT/$name/cov.profraw" -o "$OUT/$name/cov.profdata"
        srcs=()
        for s in $(header "$src" fuzz-sources); do [[ "$s" == src/* ]] && srcs+=("$ROOT/$s"); done
        llvm-cov-14 report -show-functions "$covbin" -instr-profile="$OUT/$name/cov.profdata" "${srcs[@]}" |
            tee "$OUT/$name/coverage.txt" | tail -n +1
    fi
done

printf '\n== fuzz summary\n'
printf '%s\n' "${summary[@]}"
exit $status

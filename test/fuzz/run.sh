#!/usr/bin/env bash
# run.sh: the fuzz suite. Builds and runs every libFuzzer target in test/fuzz for a
# bounded time, with AddressSanitizer and UBSan (clang-14), and the JWT unit tests
# under the same sanitizers.
#
#   test/fuzz/run.sh                   every *_fuzzer.cpp, VR_FUZZ_SECONDS each (30)
#   VR_FUZZ_TARGETS="vector_*" ...     only the targets matching this glob
#   VR_FUZZ_SECONDS=3600 nice -n 19 …  the long run (make fuzz-long)
#   VR_FUZZ_COVERAGE=1 ...             also report per-function line coverage of the corpus
#   VR_FUZZ_OUT=DIR ...                build and work there instead of tmp_check/fuzz
#                                      (scripts/test.sh empties tmp_check when it starts)
#
# A target is test/fuzz/NAME_fuzzer.cpp defining LLVMFuzzerTestOneInput. Lines in its
# first comment tell how to build it (all optional):
#   fuzz-sources: .cpp files to compile with it (paths from the repository root);
#                 without this line, the sources listed in test/fuzz/SOURCES (the
#                 pure C++ JWT core, compiled once) and -lssl -lcrypto -lsodium
#   fuzz-libs:    libraries or archives to link (-lssl, /path/lib.a)
#   fuzz-pg:      yes  -> compile with PostgreSQL's server headers (see pg_stubs.h)
#   fuzz-max-len: the largest input libFuzzer may generate (default 16384)
# Seeds live in test/fuzz/corpus/NAME/ (committed); what a run discovers goes to
# OUT/NAME/corpus, crashes to OUT/NAME/crash-* (reproduce with OUT/NAME/NAME FILE).
# The dictionary is test/fuzz/NAME.dict, else test/fuzz/jwt.dict for targets built
# from SOURCES. Any crash, sanitizer report, timeout or out-of-memory fails the run.
set -uo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
SECONDS_EACH=${VR_FUZZ_SECONDS:-30}
OUT=${VR_FUZZ_OUT:-$ROOT/tmp_check/fuzz}
CXX=${VR_FUZZ_CXX:-clang++-14}
PG_INC=$(pg_config --includedir-server)
SAN=(-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
[[ -f test/fuzz/ubsan_ignorelist.txt ]] && SAN+=(-fsanitize-ignorelist="$ROOT/test/fuzz/ubsan_ignorelist.txt")
FLAGS=(-std=c++20 -g -O1 -I"$ROOT/src" -I"$ROOT/test/fuzz")
DEFAULT_LIBS=(-lssl -lcrypto -lsodium)
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
mkdir -p "$OUT"
status=0

header() { # header FILE KEY: the value of "KEY:" in the file's first comment; a key
    # may repeat (long source lists), its values are joined
    sed -n '1,/\*\/\|^[^/ *]/p' "$1" | sed -n "s/^[ /*]*$2:[[:space:]]*//p" | paste -sd' '
}

# ---- the shared sources (test/fuzz/SOURCES), compiled once per variant ---------------
SHARED=()
shared_objects() { # shared_objects VARIANT EXTRA_FLAGS...: fills SHARED
    local variant=$1 src obj
    shift
    SHARED=()
    [[ -f test/fuzz/SOURCES ]] || return 0
    mkdir -p "$OUT/obj$variant"
    while read -r src; do
        [[ -n "$src" ]] || continue
        obj=$OUT/obj$variant/$(basename "$src" .cpp).o
        SHARED+=("$obj")
        [[ -f "$obj" && "$obj" -nt "$ROOT/$src" ]] && continue
        "$CXX" "${FLAGS[@]}" "$@" -c "$ROOT/$src" -o "$obj" || return 1
    done <test/fuzz/SOURCES
}

build() { # build NAME VARIANT EXTRA_FLAGS... -> binary path on stdout
    local name=$1 variant=$2 src=$ROOT/test/fuzz/$1.cpp
    shift 2
    local bin=$OUT/$name/$name$variant flags=("${FLAGS[@]}") sources=() libs=() s
    [[ "$(header "$src" fuzz-pg)" == yes ]] &&
        flags+=(-I"$PG_INC" -Wno-register -Wno-deprecated-volatile -Wno-ignored-attributes)
    if [[ -n "$(header "$src" fuzz-sources)" ]]; then
        for s in $(header "$src" fuzz-sources); do sources+=("$ROOT/$s"); done
        read -r -a libs <<<"$(header "$src" fuzz-libs)"
    else
        shared_objects "$variant" "$@" -fsanitize=fuzzer-no-link >"$OUT/shared$variant.log" 2>&1 ||
            { cat "$OUT/shared$variant.log" >&2; return 1; }
        sources=("${SHARED[@]}")
        libs=("${DEFAULT_LIBS[@]}")
        read -r -a extra <<<"$(header "$src" fuzz-libs)"
        libs+=("${extra[@]}")
    fi
    mkdir -p "$OUT/$name"
    "$CXX" "${flags[@]}" "$@" -o "$bin" "$src" "${sources[@]}" "${libs[@]}" >"$OUT/$name/build$variant.log" 2>&1 ||
        { cat "$OUT/$name/build$variant.log" >&2; return 1; }
    echo "$bin"
}

# ---- the JWT unit tests under the sanitizers ------------------------------------------
jwt_tests=(test/unit/jwt_*_test.cpp)
if [[ -e "${jwt_tests[0]}" && -z "${VR_FUZZ_TARGETS:-}" ]]; then
    printf '\n== fuzz: JWT unit tests under ASan + UBSan\n'
    if shared_objects "" "${SAN[@]}" -fsanitize=fuzzer-no-link >"$OUT/shared.log" 2>&1 &&
        "$CXX" "${FLAGS[@]}" "${SAN[@]}" -fsanitize=fuzzer-no-link -o "$OUT/jwt_unittest_asan" \
            "${jwt_tests[@]}" "${SHARED[@]}" -lgtest -lgtest_main -lpthread "${DEFAULT_LIBS[@]}" \
            >"$OUT/jwt_unittest_asan.log" 2>&1; then
        "$OUT/jwt_unittest_asan" --gtest_brief=1 || { echo "fuzz: JWT unit tests FAILED under sanitizers"; status=1; }
    else
        cat "$OUT/shared.log" "$OUT/jwt_unittest_asan.log" | tail -40
        echo "fuzz: JWT unit tests: build failed"
        status=1
    fi
fi

# ---- every target ------------------------------------------------------------------
summary=()
for src in "$ROOT"/test/fuzz/${VR_FUZZ_TARGETS:-*}_fuzzer.cpp; do
    [[ -e "$src" ]] || { echo "fuzz: no targets"; break; }
    name=$(basename "$src" .cpp)
    printf '\n== fuzz: %s (%s s)\n' "$name" "$SECONDS_EACH"
    bin=$(build "$name" "" "${SAN[@]}" -fsanitize=fuzzer) ||
        { echo "fuzz: $name: build failed"; status=1; summary+=("$name: build FAILED"); continue; }
    work=$OUT/$name/corpus
    mkdir -p "$work"
    seeds=$ROOT/test/fuzz/corpus/$name
    args=(-max_total_time="$SECONDS_EACH" -timeout=25 -rss_limit_mb=2048 -print_final_stats=1
        -max_len="$(header "$src" fuzz-max-len | grep -E '^[0-9]+$' || echo 16384)"
        -artifact_prefix="$OUT/$name/")
    if [[ -f "$ROOT/test/fuzz/$name.dict" ]]; then
        args+=(-dict="$ROOT/test/fuzz/$name.dict")
    elif [[ -z "$(header "$src" fuzz-sources)" && -f "$ROOT/test/fuzz/jwt.dict" ]]; then
        args+=(-dict="$ROOT/test/fuzz/jwt.dict")
    fi
    dirs=("$work")
    [[ -d "$seeds" ]] && dirs+=("$seeds")
    log=$OUT/$name/fuzz.log
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
        covbin=$(build "$name" _cov -fsanitize=fuzzer -fprofile-instr-generate -fcoverage-mapping) || continue
        LLVM_PROFILE_FILE="$OUT/$name/cov.profraw" "$covbin" -runs=0 "${dirs[@]}" >"$OUT/$name/cov.log" 2>&1
        llvm-profdata-14 merge -sparse "$OUT/$name/cov.profraw" -o "$OUT/$name/cov.profdata"
        srcs=()
        if [[ -n "$(header "$src" fuzz-sources)" ]]; then
            for s in $(header "$src" fuzz-sources); do [[ "$s" == src/* ]] && srcs+=("$ROOT/$s"); done
        else
            while read -r s; do [[ -n "$s" ]] && srcs+=("$ROOT/$s"); done <test/fuzz/SOURCES
        fi
        llvm-cov-14 report -show-functions "$covbin" -instr-profile="$OUT/$name/cov.profdata" "${srcs[@]}" |
            tee "$OUT/$name/coverage.txt"
    fi
done

printf '\n== fuzz summary\n'
printf '%s\n' "${summary[@]}"
exit $status

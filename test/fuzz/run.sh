#!/usr/bin/env bash
# run.sh: the sanitizer suite.
#  1. The JWT unit tests built with clang-14, AddressSanitizer and UBSan.
#  2. Every test/fuzz/*_fuzzer.cpp built with libFuzzer + ASan + UBSan and run for
#     VR_FUZZ_SECONDS (default 60) seconds each, from its seed corpus in
#     test/fuzz/corpus/<name>/ plus test/fuzz/jwt.dict. New inputs go to tmp_check,
#     never into the repository. Any crash or sanitizer report fails the suite; the
#     reproducer stays in tmp_check/fuzz/<name>/.
# Sources linked: test/fuzz/SOURCES (compiled once, shared by every binary).
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
OUT=$ROOT/tmp_check/fuzz
SECONDS_PER_TARGET=${VR_FUZZ_SECONDS:-60}
CXX=${VR_FUZZ_CXX:-clang++-14}
rm -rf "$OUT"
mkdir -p "$OUT/bin" "$OUT/obj"
SAN=(-fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer
     -fsanitize-ignorelist=test/fuzz/ubsan_ignorelist.txt)
FLAGS=(-std=c++20 -g -O1 -Isrc "${SAN[@]}")
LIBS=(-lssl -lcrypto -lsodium)
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1

echo "== build (${CXX}, ASan + UBSan, coverage for libFuzzer)"
mapfile -t SRCS < test/fuzz/SOURCES
OBJS=()
for src in "${SRCS[@]}"; do OBJS+=("$OUT/obj/$(basename "$src" .cpp).o"); done
printf '%s\n' "${SRCS[@]}" |
    xargs -P "$(nproc)" -I{} sh -c 'exec "$0" "$@" -c {} -o "'"$OUT"'/obj/$(basename {} .cpp).o"' \
        "$CXX" "${FLAGS[@]}" -fsanitize=fuzzer-no-link

echo "== JWT unit tests under ASan + UBSan"
$CXX "${FLAGS[@]}" -o "$OUT/bin/jwt_unittest_asan" test/unit/jwt_*_test.cpp "${OBJS[@]}" \
    -fsanitize=fuzzer-no-link -lgtest -lgtest_main -lpthread "${LIBS[@]}"
"$OUT/bin/jwt_unittest_asan" --gtest_brief=1

status=0
for src in test/fuzz/*_fuzzer.cpp; do
    name=$(basename "$src" .cpp)
    echo "== $name: build"
    $CXX "${FLAGS[@]}" -fsanitize=fuzzer -o "$OUT/bin/$name" "$src" "${OBJS[@]}" "${LIBS[@]}"
    mkdir -p "$OUT/$name/new" "test/fuzz/corpus/$name"
    echo "== $name: ${SECONDS_PER_TARGET}s"
    if ! (cd "$OUT/$name" && "$OUT/bin/$name" -max_total_time="$SECONDS_PER_TARGET" -timeout=10 \
            -rss_limit_mb=2048 -max_len=16384 -dict="$ROOT/test/fuzz/jwt.dict" -print_final_stats=1 \
            new "$ROOT/test/fuzz/corpus/$name" >"$OUT/$name/log" 2>&1); then
        tail -60 "$OUT/$name/log"
        echo "== $name: FAILED (log and reproducer in $OUT/$name)"
        status=1
    else
        grep -E "^(stat::number_of_executed_units|stat::peak_rss_mb)|Done [0-9]+ runs" "$OUT/$name/log" || true
        grep -E "cov: [0-9]+" "$OUT/$name/log" | tail -1 || true
    fi
done
exit $status

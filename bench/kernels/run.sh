#!/usr/bin/env bash
# bench/kernels/run.sh: builds and runs bench/kernels/kernels_bench.cpp (our SIMD kernels vs a scalar loop vs
# hnswlib; the halfvec F16C kernels vs their scalar versions), printing Google Benchmark's table and then the
# ratios, then bits_bench.cpp (the popcount kernels of bit distances, per kernel set).
#
#   bench/kernels/run.sh [google-benchmark flags, e.g. --benchmark_min_time=0.5]
#
# Our kernels are compiled as the extension compiles them (-O2, run-time dispatch);
# the benchmark file, which includes hnswlib, with -O3 -mavx2 -mfma so that hnswlib
# uses its AVX path (its best on a CPU without AVX-512).
set -euo pipefail
cd "$(dirname "$0")/../.."
OUT=bench/build
mkdir -p "$OUT"
CXX=${CXX:-g++}
"$CXX" -std=c++20 -O2 -fPIC -Isrc -c src/vector/distance.cpp -o "$OUT/distance.o"
"$CXX" -std=c++20 -O2 -fPIC -Isrc -c src/vector/half.cpp -o "$OUT/half.o"
"$CXX" -std=c++20 -O3 -mavx2 -mfma -Isrc -Wno-unused-function -c bench/kernels/kernels_bench.cpp \
    -o "$OUT/kernels_bench.o"
"$CXX" -o "$OUT/kernels_bench" "$OUT/kernels_bench.o" "$OUT/distance.o" "$OUT/half.o" -lbenchmark -lpthread
# The popcount kernels of bit distances, as the extension compiles them (-O2, no -march).
"$CXX" -std=c++20 -O2 -Isrc -o "$OUT/bits_bench" bench/kernels/bits_bench.cpp src/vector/bits.cpp \
    -lbenchmark -lpthread
echo "== $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) CPUs, $(date -u +%Y-%m-%d)"
"$OUT/kernels_bench" "$@"
echo
"$OUT/bits_bench" "$@"

#!/usr/bin/env bash
# bench/kernels/run.sh: builds and runs bench/kernels/kernels_bench.cpp (our SIMD kernels vs a scalar loop vs
# hnswlib; the halfvec F16C kernels vs their scalar versions), printing Google Benchmark's table and then the
# ratios, then bits_bench.cpp (the popcount kernels of bit distances, per kernel set) and sparse_bench.cpp
# (sparsevec distances).
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
# The merge-join distances of sparsevec, likewise.
"$CXX" -std=c++20 -O2 -Isrc -o "$OUT/sparse_bench" bench/kernels/sparse_bench.cpp src/vector/sparse.cpp \
    src/vector/distance.cpp -lbenchmark -lpthread
# With VR_PGVECTOR_SRC=/path/to/pgvector (a checkout of 0.8): our bit and sparse kernels
# against pgvector's own, its files compiled with its Makefile's flags (VR_PGVECTOR_OPTFLAGS,
# default -march=native as its Makefile). See pgvector_bench.cpp.
if [[ -n "${VR_PGVECTOR_SRC:-}" ]]; then
    PGINC=$(pg_config --includedir-server)
    PGV_FLAGS=(-O2 -fPIC -ffunction-sections -fdata-sections ${VR_PGVECTOR_OPTFLAGS--march=native}
        -ftree-vectorize -fassociative-math -fno-signed-zeros -fno-trapping-math -ffp-contract=fast
        -I"$PGINC" -I"$VR_PGVECTOR_SRC/src")
    gcc "${PGV_FLAGS[@]}" -c "$VR_PGVECTOR_SRC/src/bitutils.c" -o "$OUT/pgv_bitutils.o"
    printf '#include "sparsevec.c"\n%s\n%s\n' \
        'float pgv_sparse_l2_squared(SparseVector *a, SparseVector *b) { return SparsevecL2SquaredDistance(a, b); }' \
        'float pgv_sparse_inner_product(SparseVector *a, SparseVector *b) { return SparsevecInnerProduct(a, b); }' \
        >"$OUT/pgv_sparse_wrap.c"
    gcc "${PGV_FLAGS[@]}" -c "$OUT/pgv_sparse_wrap.c" -o "$OUT/pgv_sparse_wrap.o"
    # --gc-sections drops sparsevec.c's SQL functions, and with them every server symbol.
    "$CXX" -std=c++20 -O2 -Isrc -o "$OUT/pgvector_bench" bench/kernels/pgvector_bench.cpp \
        src/vector/bits.cpp src/vector/sparse.cpp "$OUT/pgv_bitutils.o" "$OUT/pgv_sparse_wrap.o" \
        "$(pg_config --pkglibdir)/libpgport.a" -lbenchmark -lpthread -Wl,--gc-sections
fi
echo "== $(lscpu | sed -n 's/^Model name: *//p'), $(nproc) CPUs, $(date -u +%Y-%m-%d)"
"$OUT/kernels_bench" "$@"
echo
"$OUT/bits_bench" "$@"
echo
"$OUT/sparse_bench" "$@"
if [[ -n "${VR_PGVECTOR_SRC:-}" ]]; then
    echo
    "$OUT/pgvector_bench" "$@"
fi

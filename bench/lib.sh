# lib.sh: helpers the benchmarks share, beside scripts/lib/cluster.sh. Sourced from the
# repository's root by the bench/*/*.sh scripts; not run on its own.

# vr_build_pg_client DIR: DIR/pg_client (bench/hnsw/pg_client.cpp), the libpq client that
# runs prepared searches over one connection and measures QPS and recall@k.
vr_build_pg_client() {
    g++ -O2 -std=c++17 -o "$1/pg_client" bench/hnsw/pg_client.cpp -I"$(pg_config --includedir)" -lpq
}

# vr_build_hnswlib_baseline DIR: DIR/hnswlib_baseline (bench/hnsw/hnswlib_baseline.cpp),
# hnswlib built and searched in-process, as its users build it (-O3 -march=native).
vr_build_hnswlib_baseline() {
    g++ -O3 -march=native -std=c++17 -o "$1/hnswlib_baseline" bench/hnsw/hnswlib_baseline.cpp -lpthread
}

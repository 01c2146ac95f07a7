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

# vr_private_server OUT [postgresql.conf lines...]: a server from the private install in
# OUT/install (scripts/build_pgvector.sh: pgvector from PGVECTOR_SOURCE, default the fetched
# snapshot, beside this tree's vecrbac), started on a free port with those settings and
# stopped when the script exits. Sets VR_BINDIR and PATH (the install's first), LIBDIR
# (where vr_use_library puts the library), CLUSTER and PORT.
vr_private_server() {
    local out=$1
    shift
    scripts/build_pgvector.sh "${PGVECTOR_SOURCE:-/work/.mirror/pgvector+pgvector/repo}" \
        "$out/install" >/dev/null
    export VR_BINDIR=$out/install$(cd "$PG_BINDIR_SYSTEM" && pwd)
    export PATH="$VR_BINDIR:$PATH"
    LIBDIR=$(pg_config --pkglibdir)
    PORT=$(vr_free_port)
    CLUSTER=$out/cluster/data
    vr_cluster_start "$CLUSTER" "$PORT" "$@" || exit 1
    # shellcheck disable=SC2064 # the paths as they are now
    trap "vr_cluster_stop '$CLUSTER'; rm -rf '$out/cluster'" EXIT
}

# vr_use_library LIB: the vecrbac.so that the next connection loads (a rename, so that no
# backend reads a half-written copy); for A/B runs of two builds on one server.
vr_use_library() {
    cp "$1" "$LIBDIR/vecrbac.so.new" && mv "$LIBDIR/vecrbac.so.new" "$LIBDIR/vecrbac.so"
}

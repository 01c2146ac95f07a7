#!/usr/bin/env bash
# run.sh: JWT verification benchmark (docs/performance.md, "JWT verification").
#
#  1. C++: vecrbac's core against libjwt (Debian libjwt-dev) on the same ~300-byte
#     HS256 token, Google Benchmark, 5 repetitions, one binary, one run; then session
#     tokens by key kind (bench/jwt/session_keys_bench.cpp): HS256, RS256, PS256, ES256
#     and EdDSA, first verification and cached statements, 3 repetitions.
#  2. SQL, same token and key, on a throwaway cluster with this build installed:
#     a. pgbench, 1 client, prepared statements, both sending token and key and
#        returning a boolean: SELECT vecrbac.jwt_verify($1, $2) IS NOT NULL against
#        SELECT $1 IS NOT NULL AND $2 IS NOT NULL; three interleaved pairs of
#        BENCH_SECONDS (default 15) each;
#     b. the same statements pipelined, 50 per round trip (pgbench \startpipeline):
#        statement throughput with the client round trip mostly taken out;
#     c. inside one statement, 200000 calls, against the same loop without them:
#        the per-call cost in the backend, without client round trips.
# Results go to bench/out/jwt/. Needs: libbenchmark-dev, libjwt-dev, PostgreSQL 15.
set -euo pipefail
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
OUT=$ROOT/bench/out/jwt
SECS=${BENCH_SECONDS:-15}
mkdir -p "$OUT"
source scripts/lib/cluster.sh

{
    echo "date: $(date -u +%Y-%m-%dT%H:%MZ)"
    echo "cpu: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | xargs), $(nproc) cores"
    echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
    echo "compiler: $(g++ --version | head -1); libjwt $(dpkg-query -W -f='${Version}' libjwt-dev);" \
        "OpenSSL $(openssl version | cut -d' ' -f2); PostgreSQL $(pg_config --version | cut -d' ' -f2)"
} | tee "$OUT/env.txt"

vr_log "C++ core vs libjwt"
g++ -std=c++20 -O2 -Wall -Wextra -Isrc -o "$OUT/jwt_bench" bench/jwt/jwt_bench.cpp $(cat test/fuzz/SOURCES) \
    -lbenchmark -lpthread -ljwt -lssl -lcrypto -lsodium
"$OUT/jwt_bench" --benchmark_repetitions=5 --benchmark_report_aggregates_only=true \
    --benchmark_min_time=1 | tee "$OUT/cpp.txt"
TOKEN=$(sed -n 's/^token ([0-9]* bytes): //p' "$OUT/cpp.txt")

vr_log "session tokens by key kind: first verification and cached statements"
g++ -std=c++20 -O2 -Wall -Wextra -Isrc -o "$OUT/session_keys_bench" bench/jwt/session_keys_bench.cpp \
    $(cat test/unit/SOURCES) -lbenchmark -lpthread -lssl -lcrypto -lsodium
"$OUT/session_keys_bench" --benchmark_repetitions=3 --benchmark_report_aggregates_only=true \
    --benchmark_min_time=1 | tee "$OUT/session_keys.txt"
KEY=bench-secret-0123456789abcdef-0123456789

vr_log "SQL"
make -s -j"$(nproc)" >/dev/null
vr_prefix_setup "$ROOT/tmp_check/bench_install"
DATA=$ROOT/tmp_check/bench_cluster/data
PORT=$(vr_free_port)
vr_cluster_start "$DATA" "$PORT"
trap 'vr_cluster_stop "$DATA"' EXIT
PSQL=(vr_as_pg psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$PORT" -U postgres)
"${PSQL[@]}" -d postgres -c 'CREATE DATABASE jwt_bench'
"${PSQL[@]}" -d jwt_bench -c 'CREATE EXTENSION vecrbac'
"${PSQL[@]}" -d jwt_bench -At -c "SELECT vecrbac.jwt_verify('$TOKEN', '$KEY')" | tee "$OUT/sql_claims.txt"

echo 'SELECT :token::text IS NOT NULL AND :key::text IS NOT NULL;' >"$OUT/baseline.sql"
echo 'SELECT vecrbac.jwt_verify(:token, :key) IS NOT NULL;' >"$OUT/verify.sql"
: >"$OUT/pgbench.txt"
for script in baseline verify baseline verify baseline verify; do
    vr_as_pg pgbench -n -M prepared -c 1 -j 1 -T "$SECS" -h 127.0.0.1 -p "$PORT" -U postgres \
        -D token="$TOKEN" -D key="$KEY" -f "$OUT/$script.sql" jwt_bench 2>&1 |
        sed -n "s/^tps = \([0-9.]*\).*/$script \1/p" | tee -a "$OUT/pgbench.txt"
done

# Pipelined: 50 statements per transaction; statements/s = tps * 50.
for script in baseline verify; do
    { echo '\startpipeline'; for _ in $(seq 50); do cat "$OUT/$script.sql"; done; echo '\endpipeline'; } \
        >"$OUT/${script}_pipeline.sql"
done
: >"$OUT/pgbench_pipeline.txt"
for script in baseline verify baseline verify baseline verify; do
    vr_as_pg pgbench -n -M prepared -c 1 -j 1 -T "$SECS" -h 127.0.0.1 -p "$PORT" -U postgres \
        -D token="$TOKEN" -D key="$KEY" -f "$OUT/${script}_pipeline.sql" jwt_bench 2>&1 |
        sed -n "s/^tps = \([0-9.]*\).*/$script \1/p" |
        awk '{ printf "%s %.0f statements/s\n", $1, $2 * 50 }' | tee -a "$OUT/pgbench_pipeline.txt"
done

"${PSQL[@]}" -d jwt_bench <<SQL | tee "$OUT/in_backend.txt"
\timing on
SELECT count(length(t)) FROM generate_series(1, 200000), (SELECT '$TOKEN'::text AS t) x;
SELECT count(vecrbac.jwt_verify(t, k)) FROM generate_series(1, 200000), (SELECT '$TOKEN'::text AS t, '$KEY'::text AS k) x;
SELECT count(length(t)) FROM generate_series(1, 200000), (SELECT '$TOKEN'::text AS t) x;
SELECT count(vecrbac.jwt_verify(t, k)) FROM generate_series(1, 200000), (SELECT '$TOKEN'::text AS t, '$KEY'::text AS k) x;
SQL
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$OUT/env.txt"

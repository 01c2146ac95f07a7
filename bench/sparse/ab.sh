#!/usr/bin/env bash
# ab.sh: two builds of vecrbac compared on hnsw searches of sparsevec, on one server and
# one index, by the server's time per search.
#
#   bench/sparse/ab.sh LIB_A LIB_B        results in bench/out/sparse_ab/results.jsonl
#   ROWS=100000 DIM=10000 NNZ=24 QUERIES=500 PAIRS=3 EFS="40 100" ...
#
# LIB_A and LIB_B are copies of vecrbac.so (make; cp vecrbac.so /tmp/a.so; change; make;
# cp vecrbac.so /tmp/b.so). The server is a private install (scripts/build_pgvector.sh,
# which also installs this tree's vecrbac: its library is the one replaced before each
# pass). Data made in SQL with a fixed seed: ROWS sparse vectors of DIM dimensions with
# about NNZ non-zeros each (random positions and values), QUERIES more as queries; an
# index USING hnsw (embedding sparsevec_l2_ops) WITH (m = 16, ef_construction = 64). A
# pass runs every query's top 10 in one statement (a LATERAL join, its plan checked to
# be the index's) at each hnsw.ef_search, through a new connection, so that it loads the
# library just put in place; PAIRS times A then B. Reported: milliseconds per search
# (the statement's time over QUERIES) and the rows returned.
set -euo pipefail
[[ $# -eq 2 ]] || { sed -n '2,17p' "$0"; exit 2; }
LIB_A=$(realpath "$1")
LIB_B=$(realpath "$2")
cd "$(dirname "$0")/../.."
ROOT=$(pwd)
source scripts/lib/cluster.sh
source bench/lib.sh

OUT=$ROOT/bench/out/sparse_ab
ROWS=${ROWS:-100000}
DIM=${DIM:-10000}
NNZ=${NNZ:-24}
QUERIES=${QUERIES:-500}
PAIRS=${PAIRS:-3}
EFS=${EFS:-"40 100"}
mkdir -p "$OUT"
: >"$OUT/results.jsonl"

vr_private_server "$OUT" "shared_buffers = 1GB" "maintenance_work_mem = 2GB" "fsync = off" \
    "autovacuum = off" "jit = off"
conn="host=127.0.0.1 port=$PORT user=postgres dbname=postgres"

vr_use_library "$LIB_A"
vr_log "data: $ROWS + $QUERIES sparse vectors of $DIM dimensions, about $NNZ non-zeros"
psql -X -q -d "$conn" -v ON_ERROR_STOP=1 <<SQL
CREATE EXTENSION vecrbac;
SELECT setseed(0.2026);
CREATE FUNCTION random_sparse(seq int) RETURNS sparsevec LANGUAGE sql AS \$\$
    SELECT ('{' || string_agg(k || ':' || round(random()::numeric, 3) + 0.001, ',' ORDER BY k) || '}/$DIM')::sparsevec
    FROM (SELECT DISTINCT 1 + floor(random() * $DIM)::int AS k
          FROM generate_series(1, $NNZ) WHERE seq IS NOT NULL) positions
\$\$;
CREATE TABLE items (id int PRIMARY KEY, embedding sparsevec($DIM) NOT NULL);
CREATE TABLE queries (id int PRIMARY KEY, embedding sparsevec($DIM) NOT NULL);
INSERT INTO items SELECT i, random_sparse(i) FROM generate_series(1, $ROWS) i;
INSERT INTO queries SELECT i, random_sparse(i) FROM generate_series(1, $QUERIES) i;
CREATE INDEX items_embedding ON items USING hnsw (embedding sparsevec_l2_ops) WITH (m = 16, ef_construction = 64);
VACUUM ANALYZE items;
VACUUM ANALYZE queries;
SQL

search_sql="SELECT count(*) FROM queries q CROSS JOIN LATERAL
    (SELECT id FROM items ORDER BY embedding <-> q.embedding LIMIT 10) nearest"
plan=$(psql -X -At -d "$conn" -c "EXPLAIN (COSTS OFF) $search_sql")
grep -q "Index Scan using items_embedding" <<<"$plan" || { echo "not an index scan: $plan"; exit 1; }

# pass NAME: every query at each ef_search, one statement each, through a new connection
pass() {
    local ef log=$OUT/pass.log ms rows
    for ef in $EFS; do
        psql -X -q -d "$conn" -v ON_ERROR_STOP=1 -At >"$log" <<SQL
SET hnsw.ef_search = $ef;
$search_sql;
\timing on
$search_sql;
SQL
        rows=$(sed -n 2p "$log")
        ms=$(sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p' "$log")
        echo "{\"library\": \"$1\", \"ef\": $ef, \"rows\": $rows, \"ms_per_search\": $(
            /usr/bin/python3 -c "print(round($ms / $QUERIES, 4))"), \"load\": \"$(cut -d' ' -f1-3 /proc/loadavg)\"}" |
            tee -a "$OUT/results.jsonl"
    done
}

for _ in $(seq "$PAIRS"); do
    vr_use_library "$LIB_A"
    pass A
    vr_use_library "$LIB_B"
    pass B
done

"""bench.py: ivfflat on Fashion-MNIST, vecrbac next to pgvector, in one run.

    bench.py --vecrbac CONNINFO [--pgvector CONNINFO] [--queries 200] [--lists 100]

Loads the 60,000 training images (784 dimensions) into table items (id, tenant =
id % 100, embedding) in each database, builds `ivfflat (embedding vector_l2_ops)
WITH (lists = N)` (vecrbac's index also takes the tenant as a filter column) serially
and with workers, --build-repeats times, the systems alternating build by build (on a
shared machine one build is noise: the best of the repeats is the figure, with the
building backend's CPU), the last build's index staying,
then runs the first Q test images as top-10 queries for ivfflat.probes 1..64 through
one connection with prepared statements, against exact ground truth computed here
with numpy. Scoped runs: vecrbac as a non-owner role under a token whose scope is 10
tenants (10% of the rows) or 1 tenant (1%), through vecrbac.protect's policy, no WHERE
clause; pgvector with the same condition as a WHERE clause and
ivfflat.iterative_scan = relaxed_order (its own way not to come back short).
Prints one JSON line per measurement.
"""
import argparse
import json
import os
import sys
import time

import numpy as np
import psycopg

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "data"))
import fashion_mnist  # noqa: E402

SECRET = "a benchmark secret of at least thirty-two bytes"
PROBES = (1, 2, 4, 8, 16, 32, 64)
SCOPES = {"10%": list(range(10)), "1%": [0]}


def vtext(v):
    return "[" + ",".join("%d" % x for x in v) + "]"


def emit(**kw):
    print(json.dumps(kw), flush=True)


def exact(base, queries, rows=None, k=10):
    """Ids of the k nearest rows (squared L2 in float64), optionally among `rows` only."""
    ids = np.arange(len(base)) if rows is None else rows
    b = base[ids].astype(np.float64)
    norms = (b * b).sum(1)
    out = []
    for q in queries.astype(np.float64):
        d = norms - 2 * b @ q
        part = np.argpartition(d, k)[:k]
        out.append(ids[part[np.argsort(d[part], kind="stable")]].tolist())
    return out


def load(conn, base, vecrbac):
    conn.execute("DROP TABLE IF EXISTS items")
    conn.execute("CREATE TABLE items (id int PRIMARY KEY, tenant int NOT NULL, "
                 "payload jsonb NOT NULL DEFAULT '{}', embedding vector(784) NOT NULL)")
    t0 = time.time()
    with conn.cursor().copy("COPY items (id, tenant, embedding) FROM STDIN") as copy:
        for i, v in enumerate(base):
            copy.write_row((i, i % 100, vtext(v)))
    conn.execute("VACUUM ANALYZE items")
    return time.time() - t0


def build(conn, lists, vecrbac, workers):
    """Seconds, index bytes, the CPU seconds of the building backend (the leader's only:
    a parallel build's workers are other processes) and the workers launched (from the
    DEBUG line both systems print). With workers > 0 the table's parallel_workers asks
    for them: with its vectors in TOAST the heap is small (442 pages), and pgvector's
    planner-based count, and vecrbac's for 60,000 rows and 100 lists, launch none."""
    conn.execute("DROP INDEX IF EXISTS items_ivf")
    conn.execute("CHECKPOINT")  # the previous build's WAL and dirty pages are not this build's
    conn.execute(f"SET max_parallel_maintenance_workers = {workers}")
    if workers > 0:
        conn.execute(f"ALTER TABLE items SET (parallel_workers = {workers})")
    else:
        conn.execute("ALTER TABLE items RESET (parallel_workers)")
    cols = "embedding vector_l2_ops, tenant" if vecrbac else "embedding vector_l2_ops"
    launched = []
    handler = lambda d: launched.append(d.message_primary or "")
    conn.add_notice_handler(handler)
    conn.execute("SET client_min_messages = debug1")
    c0 = server_cpu(conn)
    t0 = time.time()
    conn.execute(f"CREATE INDEX items_ivf ON items USING ivfflat ({cols}) WITH (lists = {lists})")
    seconds = time.time() - t0
    cpu = server_cpu(conn) - c0
    conn.execute("RESET client_min_messages")
    conn.remove_notice_handler(handler)
    conn.execute("ALTER TABLE items RESET (parallel_workers)")
    n = [int(m.split()[1]) for m in launched if m.startswith("using ") and m.endswith(" parallel workers")]
    size = conn.execute("SELECT pg_relation_size('items_ivf')").fetchone()[0]
    return seconds, size, cpu, (n[0] if n else 0)


def server_cpu(conn):
    """Seconds of CPU (user + system) the connection's backend has used (the server runs
    on this machine): per query, a figure the load of a shared machine moves less than QPS."""
    with open("/proc/%d/stat" % conn.info.backend_pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def search(conn, queries, truth, sql, params=(), passes=2):
    """Recall@10, QPS (the better of `passes` passes, to damp the noise of a shared
    machine), server CPU per query (ms, the lower of the passes) and short answers."""
    best = None
    best_cpu = None
    with conn.cursor() as cur:
        for q in queries[:20]:  # warm-up: caches, the prepared statement
            cur.execute(sql, (*params, q), prepare=True)
            cur.fetchall()
        for _ in range(passes):
            hits = total = short = 0
            t0 = time.perf_counter()
            c0 = server_cpu(conn)
            for q, want in zip(queries, truth):
                cur.execute(sql, (*params, q), prepare=True)
                got = [r[0] for r in cur.fetchall()]
                hits += len(set(got) & set(want))
                total += len(want)
                short += len(got) < len(want)
            seconds = time.perf_counter() - t0
            cpu = server_cpu(conn) - c0
            if best is None or seconds < best:
                best = seconds
            if best_cpu is None or cpu < best_cpu:
                best_cpu = cpu
    return {"recall": round(hits / total, 4), "qps": round(len(queries) / best, 1),
            "cpu_ms": round(1000 * best_cpu / len(queries), 2), "short": short}


def plan(conn, sql, params):
    return [r[0] for r in conn.execute("EXPLAIN (COSTS OFF) " + sql, params)]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--vecrbac", required=True)
    ap.add_argument("--pgvector")
    ap.add_argument("--queries", type=int, default=200)
    ap.add_argument("--lists", type=int, default=100)
    ap.add_argument("--workers", default="0,2", help="parallel workers of the builds, comma-separated")
    ap.add_argument("--build-repeats", type=int, default=3)
    ap.add_argument("--unscoped-only", action="store_true")
    args = ap.parse_args()

    base, _ = fashion_mnist.load("train")
    test, _ = fashion_mnist.load("test")
    qv = test[:args.queries]
    queries = [vtext(v) for v in qv]
    truth = {"all": exact(base, qv)}
    for name, tenants in SCOPES.items():
        rows = np.array([i for i in range(len(base)) if i % 100 in tenants])
        truth[name] = exact(base, qv, rows)

    systems = {"vecrbac": args.vecrbac}
    if args.pgvector:
        systems["pgvector"] = args.pgvector
    conns = {}
    for name, conninfo in systems.items():
        conn = psycopg.connect(conninfo, autocommit=True)
        conn.execute("CREATE EXTENSION IF NOT EXISTS " + ("vecrbac" if name == "vecrbac" else "vector"))
        version = conn.execute("SELECT extversion FROM pg_extension WHERE extname IN ('vecrbac', 'vector')").fetchone()[0]
        emit(step="load", system=name, version=version, seconds=round(load(conn, base, name == "vecrbac"), 1))
        conns[name] = conn

    best = {}
    for repeat in range(args.build_repeats):
        for workers in [int(w) for w in args.workers.split(",")]:
            for name, conn in conns.items():
                seconds, size, cpu, launched = build(conn, args.lists, name == "vecrbac", workers)
                emit(step="build", system=name, lists=args.lists, workers=workers, launched=launched,
                     repeat=repeat, seconds=round(seconds, 2), leader_cpu_s=round(cpu, 2), index_bytes=size,
                     load=os.getloadavg()[0])
                b = best.setdefault((name, workers), [seconds, cpu])
                best[(name, workers)] = [min(b[0], seconds), min(b[1], cpu)]
    for (name, workers), (seconds, cpu) in best.items():
        emit(step="build_best", system=name, lists=args.lists, workers=workers, seconds=round(seconds, 2),
             leader_cpu_s=round(cpu, 2))

    sql = "SELECT id FROM items ORDER BY embedding <-> %s::vector LIMIT 10"
    for name, conn in conns.items():
        emit(step="plan", system=name, plan=plan(conn, sql, (queries[0],)))

    # unscoped, alternating systems per probes value to share the machine's noise
    for probes in PROBES:
        for name, conn in conns.items():
            conn.execute(f"SET ivfflat.probes = {probes}")
            emit(step="search", system=name, scope="none", probes=probes, **search(conn, queries, truth["all"], sql))

    if args.unscoped_only:
        return
    # scoped: vecrbac through a token, pgvector through a WHERE clause
    if "vecrbac" in conns:
        admin = conns["vecrbac"]
        admin.execute("SELECT vecrbac.protect('items'::regclass, key_columns => '{\"tenant\": \"tenant\"}')")
        admin.execute("DROP ROLE IF EXISTS bench_app")
        admin.execute("CREATE ROLE bench_app LOGIN NOSUPERUSER NOBYPASSRLS")
        admin.execute("GRANT SELECT ON items TO bench_app")
        app = psycopg.connect(args.vecrbac.replace("user=postgres", "user=bench_app"), autocommit=True)
    for scope, tenants in SCOPES.items():
        for probes in PROBES:
            for name, conn in conns.items():
                if name == "vecrbac":
                    payload = [{"tenant": t} for t in tenants]
                    token = admin.execute("SELECT vecrbac.jwt_sign(%s::jsonb, %s)", (json.dumps(
                        {"exp": 4000000000, "access": [{"collection": "items", "access": "r", "payload": payload}]}),
                        SECRET)).fetchone()[0]
                    app.execute(psycopg.sql.SQL("SET vecrbac.token = {}").format(psycopg.sql.Literal(token)))
                    app.execute(f"SET ivfflat.probes = {probes}")
                    if probes == 1:
                        emit(step="plan", system=name, scope=scope, plan=plan(app, sql, (queries[0],)))
                    r = search(app, queries, truth[scope], sql, passes=1)
                else:
                    conn.execute(f"SET ivfflat.probes = {probes}")
                    conn.execute("SET ivfflat.iterative_scan = relaxed_order")
                    where = "SELECT id FROM items WHERE tenant = ANY (%s) ORDER BY embedding <-> %s::vector LIMIT 10"
                    scoped = "SELECT id FROM items WHERE tenant = ANY (%s::int[]) ORDER BY embedding <-> %s::vector LIMIT 10"
                    if probes == 1:
                        emit(step="plan", system=name, scope=scope, plan=plan(conn, where, (tenants, queries[0])))
                    r = search(conn, queries, truth[scope], scoped, (tenants,), passes=1)
                    conn.execute("RESET ivfflat.iterative_scan")
                emit(step="search", system=name, scope=scope, probes=probes, **r)


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""bench.py: top-10 search through token policies on Citus against one node, in one run.

Fashion-MNIST (784 dimensions), the label as the tenant key. fm_one is a protected table
on the coordinator alone; fm_dist the same rows distributed by label over 8 shards on two
workers, each shard with its own hnsw index (label, embedding vector_l2_ops, payload),
protected on the coordinator. Each query runs in its own transaction as an ordinary role
with the token set by SET LOCAL (and citus.propagate_set_commands = 'local'):

  - tenant: a tenant's token (the query image's own label) and WHERE label = <tenant>, so
    Citus routes it to one shard;
  - global: a global-read token, no WHERE: every shard returns its own top 10, the
    coordinator merges them.

Recall@10 against the exact top 10 (a sequential scan as superuser), latency and QPS of
one client. Prints one JSON object.
"""
import argparse
import json
import os
import statistics
import sys
import time

import psycopg
import psycopg.sql

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data"))
import fashion_mnist  # noqa: E402

SECRET = "a benchmark secret of at least thirty-two bytes"


def vtext(v):
    return "[" + ",".join(str(int(x)) for x in v) + "]"


def connect(port, user="postgres"):
    return psycopg.connect(f"host=127.0.0.1 port={port} user={user} dbname=postgres", autocommit=True)


def setup(ports, n):
    coord = connect(ports[0])
    for p in ports:
        connect(p).execute("CREATE EXTENSION citus")
    coord.execute("SELECT citus_set_coordinator_host('127.0.0.1', %s)", (ports[0],))
    for p in ports[1:]:
        coord.execute("SELECT citus_add_node('127.0.0.1', %s)", (p,))
    coord.execute("CREATE EXTENSION vecrbac")
    vectors, labels = fashion_mnist.load("train")
    vectors, labels = vectors[:n], labels[:n]
    timings = {}
    for t in ("fm_one", "fm_dist"):
        coord.execute(f"CREATE TABLE {t} (id int NOT NULL, label int NOT NULL, embedding vector(784) NOT NULL, "
                      f"payload jsonb NOT NULL, PRIMARY KEY (label, id))")
        coord.execute(f"ALTER TABLE {t} ALTER COLUMN embedding SET STORAGE PLAIN")
    coord.execute("SELECT create_distributed_table('fm_dist', 'label', shard_count => 8)")
    for t in ("fm_one", "fm_dist"):
        t0 = time.time()
        with coord.cursor().copy(f"COPY {t} FROM STDIN") as copy:
            for i, (v, l) in enumerate(zip(vectors, labels)):
                copy.write_row((i + 1, int(l), vtext(v), '{"label": %d}' % l))
        t1 = time.time()
        coord.execute(f"CREATE INDEX ON {t} USING hnsw (label, embedding vector_l2_ops, payload) "
                      f"WITH (m = 16, ef_construction = 64)")
        coord.execute(f"ANALYZE {t}")
        timings[t] = {"load_s": round(t1 - t0, 1), "index_s": round(time.time() - t1, 1)}
        coord.execute(f"SELECT vecrbac.protect('{t}', key_columns => '{{\"label\": \"label\"}}')")
    coord.execute("CREATE ROLE bench_app LOGIN NOSUPERUSER NOBYPASSRLS")
    coord.execute("GRANT SELECT ON fm_one, fm_dist TO bench_app")
    shards = coord.execute("SELECT nodeport, count(*) FROM citus_shards WHERE table_name = 'fm_dist'::regclass "
                           "GROUP BY 1 ORDER BY 1").fetchall()
    return coord, {"rows": n, "timings": timings, "shards_per_port": dict(shards)}


def sign(coord, claims):
    return coord.execute("SELECT vecrbac.jwt_sign(%s::jsonb, %s)", (json.dumps(claims), SECRET)).fetchone()[0]


def search(app, token, sql):
    """One query in its own transaction with the token; (ids, microseconds)."""
    t0 = time.perf_counter_ns()
    with app.transaction():
        app.execute("SET LOCAL citus.propagate_set_commands = 'local'")
        app.execute(psycopg.sql.SQL("SET LOCAL vecrbac.token = {}").format(psycopg.sql.Literal(token)))
        ids = [r[0] for r in app.execute(sql).fetchall()]
    return ids, (time.perf_counter_ns() - t0) / 1000


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--ports", nargs=3, type=int, required=True)
    ap.add_argument("--rows", type=int, default=20000)
    ap.add_argument("--queries", type=int, default=200)
    args = ap.parse_args()

    coord, info = setup(args.ports, args.rows)
    test_vectors, test_labels = fashion_mnist.load("test")
    queries = [(vtext(v), int(l)) for v, l in zip(test_vectors[:args.queries], test_labels[:args.queries])]

    # exact answers, as superuser with a sequential scan
    coord.execute("SET enable_indexscan = off")
    exact = {"tenant": [], "global": []}
    for q, l in queries:
        exact["tenant"].append([r[0] for r in coord.execute(
            f"SELECT id FROM fm_one WHERE label = {l} ORDER BY embedding <-> '{q}' LIMIT 10").fetchall()])
        exact["global"].append([r[0] for r in coord.execute(
            f"SELECT id FROM fm_one ORDER BY embedding <-> '{q}' LIMIT 10").fetchall()])
    coord.execute("RESET enable_indexscan")

    tokens = {}
    for t in ("fm_one", "fm_dist"):
        for l in range(10):
            tokens[(t, l)] = sign(coord, {"exp": 4000000000, "access": [
                {"collection": t, "access": "r", "payload": {"label": l}}]})
    global_token = sign(coord, {"exp": 4000000000, "access": "r"})

    app = psycopg.connect(f"host=127.0.0.1 port={args.ports[0]} user=bench_app dbname=postgres")
    plans = {}
    for t in ("fm_one", "fm_dist"):
        with app.transaction():
            app.execute("SET LOCAL citus.propagate_set_commands = 'local'")
            app.execute(psycopg.sql.SQL("SET LOCAL vecrbac.token = {}").format(
                psycopg.sql.Literal(tokens[(t, queries[0][1])])))
            plans[t + " tenant"] = [r[0] for r in app.execute(
                f"EXPLAIN (COSTS OFF) SELECT id FROM {t} WHERE label = {queries[0][1]} "
                f"ORDER BY embedding <-> '{queries[0][0]}' LIMIT 10").fetchall()]

    results = {}
    load = {"before_queries": os.getloadavg()}
    for kind in ("tenant", "global"):
        for t in ("fm_one", "fm_dist"):
            for q, l in queries[:20]:  # warm-up
                search(app, tokens[(t, l)] if kind == "tenant" else global_token,
                       f"SELECT id FROM {t} {'WHERE label = %d' % l if kind == 'tenant' else ''} "
                       f"ORDER BY embedding <-> '{q}' LIMIT 10")
        times = {"fm_one": [], "fm_dist": []}
        hits = {"fm_one": 0, "fm_dist": 0}
        for i, (q, l) in enumerate(queries):
            for t in (("fm_one", "fm_dist") if i % 2 == 0 else ("fm_dist", "fm_one")):
                ids, us = search(app, tokens[(t, l)] if kind == "tenant" else global_token,
                                 f"SELECT id FROM {t} {'WHERE label = %d' % l if kind == 'tenant' else ''} "
                                 f"ORDER BY embedding <-> '{q}' LIMIT 10")
                times[t].append(us)
                hits[t] += len(set(ids) & set(exact[kind][i]))
        total = sum(len(e) for e in exact[kind])
        results[kind] = {t: {"recall_at_10": round(hits[t] / total, 4),
                             "mean_us": round(statistics.mean(times[t]), 1),
                             "median_us": round(statistics.median(times[t]), 1),
                             "qps_one_client": round(1e6 / statistics.mean(times[t]), 1)} for t in times}
        results[kind]["dist_vs_one_median_latency"] = round(
            results[kind]["fm_dist"]["median_us"] / results[kind]["fm_one"]["median_us"], 3)
    load["after_queries"] = os.getloadavg()
    print(json.dumps({**info, "queries": args.queries, "load_average_1_5_15_min": load, "results": results,
                      "plans": plans}, indent=1))


if __name__ == "__main__":
    main()

#!/usr/bin/python3
"""bench.py: the cost of token policies on top-10 nearest-neighbour search.

Fashion-MNIST (784 dimensions), the label as the tenant key. Three identical tables with
the same hnsw index (label, embedding vector_l2_ops, payload): fm_plain, unprotected;
fm_protected, protected by vecrbac.protect with key_columns {"label": "label"}; and
fm_subquery, protected the same way but with 0.2.0's read policy, whose accessors were
scalar subqueries (InitPlans), for comparison with today's direct calls.
The same query, SELECT id FROM <t> ORDER BY embedding <-> $1 LIMIT 10, runs through a
prepared statement on one connection of an ordinary role: on fm_plain, and on the
protected tables with a global-read token (and, for reference, a one-tenant token). The
rounds rotate between the tables so that machine noise hits all alike.

Prints one JSON object with the figures and the plans.
"""
import argparse
import json
import os
import statistics
import sys
import time

import numpy as np
import psycopg
import psycopg.sql

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data"))
import fashion_mnist  # noqa: E402

SECRET = "a benchmark secret of at least thirty-two bytes"
TABLES = ("fm_plain", "fm_protected", "fm_subquery")
# What 0.2.0's vecrbac.policy_condition('fm_subquery', 'read', 'payload', '{"label": "label"}') made.
SUBQUERY_READ_POLICY = """vecrbac._load() AND (SELECT vecrbac.authorize('fm_subquery', 'read'))
    AND label OPERATOR(vecrbac.<@) (SELECT vecrbac.key_scope('fm_subquery', 'label'))
    AND payload OPERATOR(vecrbac.<@) (SELECT vecrbac.payload_scope('fm_subquery', '{label}'))
    AND ((SELECT vecrbac.scope_is_exact('fm_subquery', '{label}'))
         OR jsonb_build_object('k', jsonb_build_object('label', label), 'p', payload)
            OPERATOR(vecrbac.<@) (SELECT vecrbac.row_scope('fm_subquery', '{label}')))"""


def vtext(v):
    return "[" + ",".join(str(int(x)) for x in v) + "]"


def setup(admin, n):
    vectors, labels = fashion_mnist.load("train")
    vectors, labels = vectors[:n], labels[:n]
    admin.execute("DROP EXTENSION IF EXISTS vecrbac CASCADE")
    admin.execute("CREATE EXTENSION vecrbac")
    admin.execute("DROP TABLE IF EXISTS fm_plain, fm_protected, fm_subquery")
    for t in TABLES:
        admin.execute(f"CREATE TABLE {t} (id int PRIMARY KEY, label int NOT NULL, "
                      f"embedding vector(784) NOT NULL, payload jsonb NOT NULL)")
        admin.execute(f"ALTER TABLE {t} ALTER COLUMN embedding SET STORAGE PLAIN")
    t0 = time.time()
    with admin.cursor().copy("COPY fm_plain FROM STDIN") as copy:
        for i, (v, l) in enumerate(zip(vectors, labels)):
            copy.write_row((i + 1, int(l), vtext(v), '{"label": %d}' % l))
    admin.execute("INSERT INTO fm_protected SELECT * FROM fm_plain")
    admin.execute("INSERT INTO fm_subquery SELECT * FROM fm_plain")
    load_s = time.time() - t0
    builds = {}
    for t in TABLES:
        t0 = time.time()
        admin.execute(f"CREATE INDEX ON {t} USING hnsw (label, embedding vector_l2_ops, payload) "
                      f"WITH (m = 16, ef_construction = 64)")
        builds[t] = round(time.time() - t0, 1)
        admin.execute(f"VACUUM ANALYZE {t}")
    for t in ("fm_protected", "fm_subquery"):
        admin.execute(f"SELECT vecrbac.protect('{t}', key_columns => '{{\"label\": \"label\"}}')")
    admin.execute("DROP POLICY vecrbac_select ON fm_subquery")
    admin.execute("CREATE POLICY vecrbac_select ON fm_subquery FOR SELECT USING (" + SUBQUERY_READ_POLICY + ")")
    admin.execute("DROP ROLE IF EXISTS bench_app")
    admin.execute("CREATE ROLE bench_app LOGIN NOSUPERUSER NOBYPASSRLS")
    admin.execute("GRANT SELECT ON fm_plain, fm_protected, fm_subquery TO bench_app")
    return {"rows": n, "load_s": round(load_s, 1), "build_s": builds}


def run(conn, table, queries):
    """Per-query latency in microseconds (client round trip), and the ids returned."""
    sql = f"SELECT id FROM {table} ORDER BY embedding <-> $1::vector LIMIT 10"
    times, ids = [], []
    with conn.cursor() as cur:
        for q in queries:
            t0 = time.perf_counter_ns()
            cur.execute(sql.replace("$1", "%s"), (q,), prepare=True)
            rows = cur.fetchall()
            times.append((time.perf_counter_ns() - t0) / 1000)
            ids.append([r[0] for r in rows])
    return times, ids


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--conninfo", required=True)
    ap.add_argument("--rows", type=int, default=60000)
    ap.add_argument("--queries", type=int, default=1000)
    ap.add_argument("--rounds", type=int, default=6)
    args = ap.parse_args()

    admin = psycopg.connect(args.conninfo, autocommit=True)
    info = setup(admin, args.rows)
    admin.execute(psycopg.sql.SQL("SET vecrbac.jwt_secret = {}").format(psycopg.sql.Literal(SECRET)))
    global_r = admin.execute("SELECT vecrbac.jwt_sign('{\"access\": \"r\", \"exp\": 4000000000}', %s)",
                             (SECRET,)).fetchone()[0]
    tenant = admin.execute("SELECT vecrbac.jwt_sign('{\"access\": [{\"collection\": \"fm_protected\", "
                           "\"access\": \"r\", \"payload\": {\"label\": 3}}], \"exp\": 4000000000}', %s)",
                           (SECRET,)).fetchone()[0]

    test_vectors, _ = fashion_mnist.load("test")
    queries = [vtext(v) for v in test_vectors[:args.queries]]

    app = psycopg.connect(args.conninfo.replace("user=postgres", "user=bench_app"), autocommit=True)
    app.execute(psycopg.sql.SQL("SET vecrbac.token = {}").format(psycopg.sql.Literal(global_r)))
    plans = {}
    for t in TABLES:
        plans[t] = [r[0] for r in app.execute(
            f"EXPLAIN (COSTS OFF) SELECT id FROM {t} ORDER BY embedding <-> %s::vector LIMIT 10", (queries[0],))]
    # warm-up: caches, prepared statements, the token cache
    for t in TABLES:
        run(app, t, queries[:200])

    per_round = {t: [] for t in TABLES}
    all_times = {t: [] for t in TABLES}
    ids = {}
    for r in range(args.rounds):
        order = TABLES[r % 3:] + TABLES[:r % 3]
        for t in order:
            times, got = run(app, t, queries)
            per_round[t].append(statistics.mean(times))
            all_times[t].extend(times)
            ids[t] = got
    same = sum(a == b for a, b in zip(ids["fm_plain"], ids["fm_protected"])) / len(queries)
    same_subquery = sum(a == b for a, b in zip(ids["fm_plain"], ids["fm_subquery"])) / len(queries)

    app.execute(psycopg.sql.SQL("SET vecrbac.token = {}").format(psycopg.sql.Literal(tenant)))
    run(app, "fm_protected", queries[:200])
    tenant_times, tenant_ids = run(app, "fm_protected", queries)
    plans["fm_protected, one-tenant token"] = [r[0] for r in app.execute(
        "EXPLAIN (COSTS OFF) SELECT id FROM fm_protected ORDER BY embedding <-> %s::vector LIMIT 10", (queries[0],))]
    labels = dict(admin.execute("SELECT id, label FROM fm_protected").fetchall())
    tenant_ok = all(labels[i] == 3 for got in tenant_ids for i in got)

    def summary(times):
        return {"mean_us": round(statistics.mean(times), 1), "median_us": round(statistics.median(times), 1),
                "p99_us": round(float(np.percentile(times, 99)), 1)}

    plain, prot = summary(all_times["fm_plain"]), summary(all_times["fm_protected"])
    subq = summary(all_times["fm_subquery"])
    out = {
        **info, "queries": args.queries, "rounds": args.rounds,
        "plain": plain, "protected_global_read": prot, "subquery_policy_global_read": subq,
        "overhead_mean_pct": round(100 * (prot["mean_us"] / plain["mean_us"] - 1), 2),
        "overhead_median_pct": round(100 * (prot["median_us"] / plain["median_us"] - 1), 2),
        "subquery_overhead_mean_pct": round(100 * (subq["mean_us"] / plain["mean_us"] - 1), 2),
        "subquery_overhead_median_pct": round(100 * (subq["median_us"] / plain["median_us"] - 1), 2),
        "direct_vs_subquery_median_ratio": round(prot["median_us"] / subq["median_us"], 3),
        "round_means_us": {k: [round(x, 1) for x in v] for k, v in per_round.items()},
        "same_top10_fraction": same, "same_top10_fraction_subquery": same_subquery,
        "protected_one_tenant": {**summary(tenant_times), "only_tenant_rows": tenant_ok},
        "plans": plans,
    }
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()

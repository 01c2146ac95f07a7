"""Fashion-MNIST with tenants, for the filtered-search benchmark.

    prepare.py DATADIR [--conninfo CONNINFO]

Tenants at three selectivities, each a column of table items:
    t10  = label                      10 tenants of about 6,000 rows (10%)
    t1   = label * 10 + id % 10       100 tenants of about 600 rows (1%)
    t01  = label * 100 + id % 100     1,000 tenants of about 60 rows (0.1%)
Each of the first 1,000 test images is asked by one tenant per selectivity, drawn
at random (seed 42) and independent of the image's own label, so most queries look
for a tenant's rows far from the query. Writes, per selectivity S: S.tenants (one
tenant id per line), S.scopes (the same as vecrbac.scope JSON) and gt_S.i32 (exact
top-10 of that tenant's rows, float64 numpy). Also scopes of several tenants per query
(3 or 5 labels, 5 t1 tenants): S.values (a JSON list per line) and gt_S.i32, for S in
l3, l5, t1x5. Reuses base.f32 and queries.f32 from bench/hnsw/prepare.py.
"""
import argparse
import json
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "data"))
import fashion_mnist  # noqa: E402

SELECTIVITIES = {"t10": 10, "t1": 100, "t01": 1000}


def tenants_of(labels):
    ids = np.arange(len(labels))
    return {"t10": labels, "t1": labels * 10 + ids % 10, "t01": labels * 100 + ids % 100}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("datadir")
    ap.add_argument("--conninfo")
    args = ap.parse_args()

    base = np.fromfile(os.path.join(args.datadir, "base.f32"), dtype=np.float32).reshape(-1, 784)
    queries = np.fromfile(os.path.join(args.datadir, "queries.f32"), dtype=np.float32).reshape(-1, 784)
    _, labels = fashion_mnist.load("train")
    tenant_cols = tenants_of(labels)
    rng = np.random.default_rng(42)
    b64 = base.astype(np.float64)
    norms = (b64 * b64).sum(1)
    q64 = queries.astype(np.float64)
    dists = (q64 * q64).sum(1)[:, None] - 2 * q64 @ b64.T + norms[None, :]

    for name, count in SELECTIVITIES.items():
        asked = rng.integers(0, count, size=len(queries))
        gt = np.full((len(queries), 10), -1, dtype=np.int32)
        col = tenant_cols[name]
        for i, t in enumerate(asked):
            rows = np.nonzero(col == t)[0]
            order = rows[np.argsort(dists[i, rows], kind="stable")[:10]]
            gt[i, :len(order)] = order
        gt.tofile(os.path.join(args.datadir, f"gt_{name}.i32"))
        with open(os.path.join(args.datadir, f"{name}.tenants"), "w") as f:
            f.writelines(f"{t}\n" for t in asked)
        with open(os.path.join(args.datadir, f"{name}.scopes"), "w") as f:
            f.writelines(json.dumps({"values": [int(t)]}) + "\n" for t in asked)

    # Scopes of several values, drawn apart (seed 43) so that the sets above stay as they were:
    # 3 and 5 labels (30 %, 50 %) and 5 t1 tenants (5 %) per query. S.values holds one JSON
    # list per line.
    rng = np.random.default_rng(43)
    for name, tenant, count, k in (("l3", "t10", 10, 3), ("l5", "t10", 10, 5), ("t1x5", "t1", 100, 5)):
        gt = np.full((len(queries), 10), -1, dtype=np.int32)
        col = tenant_cols[tenant]
        lists = []
        for i in range(len(queries)):
            asked = rng.choice(count, size=k, replace=False)
            rows = np.nonzero(np.isin(col, asked))[0]
            gt[i] = rows[np.argsort(dists[i, rows], kind="stable")[:10]]
            lists.append(sorted(int(t) for t in asked))
        gt.tofile(os.path.join(args.datadir, f"gt_{name}.i32"))
        with open(os.path.join(args.datadir, f"{name}.values"), "w") as f:
            f.writelines(json.dumps(v) + "\n" for v in lists)

    if args.conninfo:
        import psycopg
        with psycopg.connect(args.conninfo, autocommit=True) as conn:
            conn.execute("DROP TABLE IF EXISTS items")
            conn.execute("CREATE EXTENSION IF NOT EXISTS vecrbac")
            conn.execute("CREATE TABLE items (id int PRIMARY KEY, label int, t10 int, t1 int, t01 int, "
                         "embedding vector(784))")
            start = time.time()
            with conn.cursor().copy("COPY items FROM STDIN") as copy:
                for i in range(len(base)):
                    copy.write_row((i, int(labels[i]), int(tenant_cols["t10"][i]), int(tenant_cols["t1"][i]),
                                    int(tenant_cols["t01"][i]),
                                    "[" + ",".join("%d" % v for v in base[i]) + "]"))
            conn.execute("VACUUM ANALYZE items")
            print(f'{{"step": "load", "load_s": {time.time() - start:.2f}, "rows": {len(base)}}}')


if __name__ == "__main__":
    main()

"""Fashion-MNIST files for the hnsw benchmark, and the table loaded through COPY.

    prepare.py OUTDIR [--conninfo CONNINFO] [--storage external|plain] [--extension vecrbac|vector]

Writes OUTDIR/base.f32 (60,000 x 784 training vectors), OUTDIR/queries.f32 (the
first 1,000 test images), OUTDIR/gt.i32 (exact top-100 neighbours of each query by
L2, computed here with numpy in float64) and OUTDIR/labels.i32; with --conninfo it
also creates table items (id, label, embedding vector(784)) and loads it, in a
database with the extension named by --extension (vector: pgvector, for the
benchmarks that run it beside vecrbac).
"""
import argparse
import os
import sys
import time

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "data"))
import fashion_mnist  # noqa: E402


def ground_truth(base, queries, k=100):
    """Exact k nearest by squared L2, in float64 to avoid ties from rounding."""
    b = base.astype(np.float64)
    norms = (b * b).sum(1)
    out = np.empty((len(queries), k), dtype=np.int32)
    for start in range(0, len(queries), 100):
        q = queries[start:start + 100].astype(np.float64)
        d = (q * q).sum(1)[:, None] - 2 * q @ b.T + norms[None, :]
        part = np.argpartition(d, k, axis=1)[:, :k]
        order = np.take_along_axis(d, part, 1).argsort(1, kind="stable")
        out[start:start + 100] = np.take_along_axis(part, order, 1)
    return out


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("outdir")
    ap.add_argument("--conninfo")
    ap.add_argument("--storage", default="external", choices=["external", "plain"])
    ap.add_argument("--extension", default="vecrbac", choices=["vecrbac", "vector"])
    args = ap.parse_args()
    os.makedirs(args.outdir, exist_ok=True)

    base, labels = fashion_mnist.load("train")
    queries, _ = fashion_mnist.load("test")
    queries = queries[:1000]
    gt_path = os.path.join(args.outdir, "gt.i32")
    if not os.path.exists(gt_path):
        base.tofile(os.path.join(args.outdir, "base.f32"))
        queries.tofile(os.path.join(args.outdir, "queries.f32"))
        labels.astype(np.int32).tofile(os.path.join(args.outdir, "labels.i32"))
        ground_truth(base, queries).tofile(gt_path)

    if args.conninfo:
        import psycopg
        with psycopg.connect(args.conninfo, autocommit=True) as conn:
            conn.execute("DROP TABLE IF EXISTS items")
            conn.execute("CREATE EXTENSION IF NOT EXISTS " + args.extension)
            conn.execute("CREATE TABLE items (id int PRIMARY KEY, label int, embedding vector(784))")
            if args.storage == "plain":
                conn.execute("ALTER TABLE items ALTER COLUMN embedding SET STORAGE PLAIN")
            start = time.time()
            with conn.cursor().copy("COPY items (id, label, embedding) FROM STDIN") as copy:
                for i in range(len(base)):
                    copy.write_row((i, int(labels[i]), "[" + ",".join("%d" % v for v in base[i]) + "]"))
            conn.execute("VACUUM ANALYZE items")
            print(f'{{"load_s": {time.time() - start:.2f}, "rows": {len(base)}}}')


if __name__ == "__main__":
    main()

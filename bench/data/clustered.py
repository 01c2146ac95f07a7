"""clustered.py: a synthetic clustered data set with a fixed seed, for builds at scale.

    clustered.py DIR ROWS [--dim 96] [--clusters 200] [--queries 1000] [--seed 20261206] [--f32]

Writes into DIR (reused when the same parameters were written before):
  base_ROWS.copy      the rows as a binary COPY stream of (id int, embedding vector), in
                      pgvector's binary format (vecrbac reads the same), ready for
                      COPY items (id, embedding) FROM STDIN (FORMAT binary)
  queries_ROWS.f32    QUERIES query vectors, float32, little endian, row after row
  gt_ROWS.i32         their 10 nearest rows by L2 (exact, float64), int32 ids
  base_ROWS.f32       with --f32: the rows as float32, row after row (for in-process
                      baselines such as hnswlib, which read no COPY stream)

The data: CLUSTERS centres drawn from N(0, 1) in DIM dimensions; each row picks a
centre uniformly and adds N(0, 0.35^2) noise per dimension, so that clusters overlap
a little, as embeddings of related topics do. Queries are drawn the same way from a
second random stream. Rows are generated in blocks from one seeded generator, so the
first N rows of a larger set are not the rows of a smaller one; each ROWS is its own
data set, the same on every machine with the same numpy major version.
"""
import argparse
import json
import os

import numpy as np

SIGMA = 0.35
BLOCK = 50_000


def generate(rows, dim, clusters, seed):
    rng = np.random.default_rng(seed)
    centres = rng.standard_normal((clusters, dim))
    for start in range(0, rows, BLOCK):
        n = min(BLOCK, rows - start)
        pick = rng.integers(0, clusters, n)
        block = centres[pick] + rng.normal(0.0, SIGMA, (n, dim))
        yield start, block.astype(np.float32)


def copy_stream(out, start, block):
    """Appends rows (id, embedding) in PostgreSQL's binary COPY tuple format."""
    n, dim = block.shape
    row = np.dtype([("fields", ">i2"), ("id_len", ">i4"), ("id", ">i4"), ("vec_len", ">i4"),
                    ("dim", ">i2"), ("unused", ">i2"), ("values", ">f4", (dim,))])
    rows = np.zeros(n, dtype=row)
    rows["fields"] = 2
    rows["id_len"] = 4
    rows["id"] = np.arange(start, start + n)
    rows["vec_len"] = 4 + 4 * dim
    rows["dim"] = dim
    rows["values"] = block
    out.write(rows.tobytes())


def nearest(base_blocks, queries, k=10):
    """Exact top k by squared L2 in float64, merged block by block."""
    q = queries.astype(np.float64)
    best_d = np.full((len(q), k), np.inf)
    best_i = np.full((len(q), k), -1, dtype=np.int64)
    for start, block in base_blocks:
        b = block.astype(np.float64)
        d = (b * b).sum(1)[None, :] - 2 * q @ b.T
        part = np.argpartition(d, k, axis=1)[:, :k]
        cand_d = np.concatenate([best_d, np.take_along_axis(d, part, 1)], 1)
        cand_i = np.concatenate([best_i, part + start], 1)
        order = np.argsort(cand_d, axis=1, kind="stable")[:, :k]
        best_d = np.take_along_axis(cand_d, order, 1)
        best_i = np.take_along_axis(cand_i, order, 1)
    return best_i.astype(np.int32)


def write_f32(path, a):
    """The rows again as little-endian float32, row after row."""
    with open(path + ".tmp", "wb") as out:
        for _, block in generate(a.rows, a.dim, a.clusters, a.seed):
            out.write(block.astype("<f4").tobytes())
    os.replace(path + ".tmp", path)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("dir")
    ap.add_argument("rows", type=int)
    ap.add_argument("--dim", type=int, default=96)
    ap.add_argument("--clusters", type=int, default=200)
    ap.add_argument("--queries", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=20261206)
    ap.add_argument("--f32", action="store_true")
    a = ap.parse_args()

    os.makedirs(a.dir, exist_ok=True)
    params = vars(a).copy()
    params.pop("dir")
    params.pop("f32")
    stamp = os.path.join(a.dir, "params_%d.json" % a.rows)
    names = ["base_%d.copy" % a.rows, "queries_%d.f32" % a.rows, "gt_%d.i32" % a.rows]
    paths = [os.path.join(a.dir, n) for n in names]
    f32 = os.path.join(a.dir, "base_%d.f32" % a.rows)
    if all(os.path.exists(p) for p in paths + [stamp]):
        with open(stamp) as f:
            if json.load(f) == params:
                if a.f32 and not os.path.exists(f32):
                    write_f32(f32, a)
                return

    if os.path.exists(f32):  # another data set's rows
        os.remove(f32)
    with open(paths[0], "wb") as out:
        out.write(b"PGCOPY\n\xff\r\n\0" + (0).to_bytes(4, "big") + (0).to_bytes(4, "big"))
        for start, block in generate(a.rows, a.dim, a.clusters, a.seed):
            copy_stream(out, start, block)
        out.write((-1).to_bytes(2, "big", signed=True))

    # The same centres, other points: a second stream seeded from the first.
    rng = np.random.default_rng([a.seed, 1])
    centres = np.random.default_rng(a.seed).standard_normal((a.clusters, a.dim))
    queries = (centres[rng.integers(0, a.clusters, a.queries)]
               + rng.normal(0.0, SIGMA, (a.queries, a.dim))).astype(np.float32)
    queries.astype("<f4").tofile(paths[1])
    nearest(generate(a.rows, a.dim, a.clusters, a.seed), queries).astype("<i4").tofile(paths[2])
    if a.f32:
        write_f32(f32, a)
    with open(stamp, "w") as f:
        json.dump(params, f)


if __name__ == "__main__":
    main()

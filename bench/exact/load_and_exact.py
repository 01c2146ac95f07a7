#!/usr/bin/python3
"""Fashion-MNIST into a vector(784) table with COPY (text and binary), then exact
top-10 search without an index through a prepared statement.

    /usr/bin/python3 bench/exact/load_and_exact.py [--dbname D] [--queries 1000]

Connects with the usual PG* environment variables (bench/exact/run.sh
starts a throwaway cluster and sets them). Payloads are built before the clock
starts, so the COPY figures are transfer plus server-side parsing and insertion.
Results are checked against numpy: both loads hold the same vectors, and the
returned distances equal the exact top-10 distances.
"""

import argparse
import io
import os
import platform
import sys
import time

import numpy as np
import psycopg

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "data"))
import fashion_mnist  # noqa: E402

DIM = 784


def text_payload(vectors, labels):
    """COPY text rows: id, label, [x1,...,x784] (the pixels are integers 0..255)."""
    names = [str(i) for i in range(256)]
    out = io.StringIO()
    for i, (v, label) in enumerate(zip(vectors.astype(np.int64), labels)):
        out.write(f"{i}\t{label}\t[{','.join([names[x] for x in v])}]\n")
    return out.getvalue().encode()


def binary_payload(vectors, labels):
    """COPY binary: header, then per row 3 fields (int4, int4, vector), then trailer.
    A vector field is int16 dim, int16 unused (0), dim big-endian float4."""
    row = np.dtype([("nfields", ">i2"),
                    ("len_id", ">i4"), ("id", ">i4"),
                    ("len_label", ">i4"), ("label", ">i4"),
                    ("len_vec", ">i4"), ("dim", ">i2"), ("unused", ">i2"), ("x", ">f4", (DIM,))])
    rows = np.zeros(len(vectors), dtype=row)
    rows["nfields"] = 3
    rows["len_id"] = 4
    rows["id"] = np.arange(len(vectors))
    rows["len_label"] = 4
    rows["label"] = labels
    rows["len_vec"] = 4 + 4 * DIM
    rows["dim"] = DIM
    rows["x"] = vectors
    header = b"PGCOPY\n\xff\r\n\x00" + b"\x00\x00\x00\x00" + b"\x00\x00\x00\x00"
    return header + rows.tobytes() + b"\xff\xff"


def copy_in(conn, table, payload, binary):
    """Creates table and COPYs payload into it (one transaction); returns seconds."""
    with conn.cursor() as cur:
        cur.execute(f"DROP TABLE IF EXISTS {table}")
        cur.execute(f"CREATE TABLE {table} (id int PRIMARY KEY, label int, embedding vector({DIM}))")
        options = " WITH (FORMAT binary)" if binary else ""
        start = time.perf_counter()
        with cur.copy(f"COPY {table} (id, label, embedding) FROM STDIN{options}") as copy:
            view = memoryview(payload)
            for offset in range(0, len(view), 1 << 20):
                copy.write(view[offset:offset + (1 << 20)])
        return time.perf_counter() - start


def exact_search(conn, table, queries, k=10):
    """Runs every query through one prepared statement; returns (seconds, ids, distances).
    The query vector is one parameter ($1), so the planner sees one distance expression."""
    sql = (f"SELECT id, embedding <-> %(q)s::vector AS d FROM {table} "
           f"ORDER BY embedding <-> %(q)s::vector LIMIT {k}")
    texts = ["[" + ",".join(str(int(x)) for x in q) + "]" for q in queries]
    ids = np.zeros((len(queries), k), dtype=np.int64)
    dists = np.zeros((len(queries), k))
    with conn.cursor() as cur:
        cur.execute(sql, {"q": texts[0]}, prepare=True)  # prepare and warm the cache
        cur.fetchall()
        start = time.perf_counter()
        for i, t in enumerate(texts):
            cur.execute(sql, {"q": t}, prepare=True)
            rows = cur.fetchall()
            ids[i] = [r[0] for r in rows]
            dists[i] = [r[1] for r in rows]
        return time.perf_counter() - start, ids, dists


def best_of(conn, sql, repeat=5):
    """Best wall time of repeat runs of sql, in ms."""
    best = float("inf")
    with conn.cursor() as cur:
        for _ in range(repeat):
            start = time.perf_counter()
            cur.execute(sql)
            cur.fetchall()
            best = min(best, time.perf_counter() - start)
    return 1000 * best


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--dbname", default=os.environ.get("PGDATABASE", "postgres"))
    parser.add_argument("--queries", type=int, default=1000,
                        help="test queries against the table with STORAGE PLAIN")
    parser.add_argument("--external-queries", type=int, default=100,
                        help="test queries against the default STORAGE external table, where "
                             "every row is detoasted (about 10x slower)")
    args = parser.parse_args()

    train, train_labels = fashion_mnist.load("train")
    test, _ = fashion_mnist.load("test")
    queries = test[:args.queries]
    print(f"Fashion-MNIST: {train.shape[0]} train vectors, {len(queries)} test queries, {DIM} dims")

    t0 = time.perf_counter()
    text = text_payload(train, train_labels)
    binary = binary_payload(train, train_labels)
    print(f"payloads built in {time.perf_counter() - t0:.1f} s (not timed below): "
          f"text {len(text) / 1e6:.1f} MB, binary {len(binary) / 1e6:.1f} MB")

    with psycopg.connect(dbname=args.dbname, autocommit=True) as conn:
        with conn.cursor() as cur:
            cur.execute("CREATE EXTENSION IF NOT EXISTS vecrbac")
            cur.execute("SHOW server_version")
            server = cur.fetchone()[0]
            cur.execute("SHOW max_parallel_workers_per_gather")
            workers = cur.fetchone()[0]

        t_text = copy_in(conn, "fmnist_text", text, binary=False)
        print(f"COPY text:   {t_text:6.2f} s  ({len(train) / t_text:,.0f} rows/s)")
        t_bin = copy_in(conn, "fmnist", binary, binary=True)
        print(f"COPY binary: {t_bin:6.2f} s  ({len(train) / t_bin:,.0f} rows/s)")

        with conn.cursor() as cur:
            cur.execute("SELECT count(*) FROM fmnist a JOIN fmnist_text b USING (id) "
                        "WHERE a.embedding = b.embedding AND a.label = b.label")
            same = cur.fetchone()[0]
            cur.execute("SELECT embedding::text FROM fmnist WHERE id = 123")
            stored = np.array(cur.fetchone()[0].strip("[]").split(","), dtype=np.float32)
            cur.execute("DROP TABLE fmnist_text")
            cur.execute("VACUUM ANALYZE fmnist")
            cur.execute("SELECT pg_size_pretty(pg_total_relation_size('fmnist'))")
            size = cur.fetchone()[0]
        if same != len(train) or not np.array_equal(stored, train[123]):
            sys.exit(f"loads differ: {same} identical rows of {len(train)}")
        print(f"both loads identical ({same} rows); table with TOAST: {size}")

        ext_queries = queries[:args.external_queries]
        secs_ext, ids_ext, _ = exact_search(conn, "fmnist", ext_queries)
        print(f"exact top-10, {len(ext_queries)} queries (no index, storage external, up to {workers} "
              f"parallel workers): {len(ext_queries) / secs_ext:.2f} queries/s "
              f"({1000 * secs_ext / len(ext_queries):.1f} ms/query)")

        with conn.cursor() as cur:
            cur.execute("ALTER TABLE fmnist ALTER COLUMN embedding SET STORAGE PLAIN")
            cur.execute("CREATE TABLE fmnist_plain (LIKE fmnist INCLUDING ALL)")
            cur.execute("INSERT INTO fmnist_plain SELECT * FROM fmnist")
            cur.execute("VACUUM ANALYZE fmnist_plain")
        secs, ids, dists = exact_search(conn, "fmnist_plain", queries)
        print(f"exact top-10, {len(queries)} queries (no index, storage plain, up to {workers} "
              f"parallel workers): {len(queries) / secs:.2f} queries/s "
              f"({1000 * secs / len(queries):.1f} ms/query)")

        # Where a query's time goes: reading the rows, detoasting them, the distances.
        q = "[" + ",".join(str(int(x)) for x in queries[0]) + "]"
        print("breakdown (best of 5, ms): "
              f"scan plain {best_of(conn, 'SELECT count(embedding) FROM fmnist_plain'):.1f}, "
              f"+ distance {best_of(conn, f'SELECT max(embedding <-> {q!r}) FROM fmnist_plain'):.1f}; "
              f"scan external {best_of(conn, 'SELECT count(embedding) FROM fmnist'):.1f}, "
              f"+ detoast {best_of(conn, 'SELECT max(vector_dims(embedding)) FROM fmnist'):.1f}, "
              f"+ distance {best_of(conn, f'SELECT max(embedding <-> {q!r}) FROM fmnist'):.1f}")

    # The exact answer, in double precision: distances must agree (ids may differ on ties).
    t = train.astype(np.float64)
    q = queries.astype(np.float64)
    d2 = (q * q).sum(1)[:, None] + (t * t).sum(1)[None, :] - 2.0 * q @ t.T
    expected = np.sqrt(np.maximum(np.sort(d2, axis=1)[:, :10], 0))
    worst = np.max(np.abs(dists - expected) / np.maximum(expected, 1))
    id_match = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(ids_ext, ids)])
    print(f"check: max relative distance error vs numpy {worst:.2e}; "
          f"external and plain runs agree on {100 * id_match:.1f}% of ids")
    if worst > 1e-5:
        sys.exit("exact search returned wrong distances")
    print(f"client: Python {platform.python_version()}, psycopg {psycopg.__version__}; server {server}")


if __name__ == "__main__":
    main()

"""COPY then CREATE INDEX, with and without ANALYZE in between, on Fashion-MNIST.

    bench.py CONNINFO [--reps 3] [--serial] [--paused SECONDS] [--spill]

Each repetition loads the 60,000 training images into a new table with COPY (as
bench/hnsw/prepare.py does) and builds the hnsw index (m = 16, ef_construction = 64)
at once, on a table never analyzed, and on one loaded the same way then ANALYZEd;
the order alternates between repetitions. With --serial, a third build with
max_parallel_maintenance_workers = 0 shows what an unanalyzed table used to get.
With --paused, a fourth build waits that long after COPY instead of running ANALYZE:
it tells the cost of the estimate from the cost of building while the server is
still writing out what COPY left behind. The ANALYZE's own time is reported.
With --spill, two more builds run with maintenance_work_mem = 64MB (the default),
too little for the graph: in parallel (the graph written out, then every
participant inserting on disk) and serially.
Prints one JSON line per build: the case, the build time, and the row estimate and
workers the build's DEBUG lines report.
"""
import argparse
import json
import os
import re
import sys
import time

sys.path.insert(0, os.path.join(os.path.dirname(__file__), ".."))
import fashion_mnist  # noqa: E402


def load(conn, rows):
    conn.execute("DROP TABLE IF EXISTS items")
    conn.execute("CREATE TABLE items (id int PRIMARY KEY, label int, embedding vector(784))")
    with conn.cursor().copy("COPY items (id, label, embedding) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def build(conn, case, settings):
    messages = []

    def on_notice(diag):
        messages.append(diag.message_primary)

    conn.add_notice_handler(on_notice)
    conn.execute("SET client_min_messages = debug1")
    for s in settings:
        conn.execute(f"SET {s}")
    reltuples = conn.execute("SELECT reltuples FROM pg_class WHERE relname = 'items'").fetchone()[0]
    start = time.perf_counter()
    conn.execute("CREATE INDEX items_embedding ON items USING hnsw (embedding vector_l2_ops) "
                 "WITH (m = 16, ef_construction = 64)")
    secs = time.perf_counter() - start
    conn.execute("RESET ALL")
    conn.remove_notice_handler(on_notice)
    text = "\n".join(messages)
    estimate = re.search(r"hnsw build: (\d+) rows estimated", text)
    using = re.search(r"using (\d+) parallel workers", text)
    return {"case": case, "reltuples_before": reltuples, "build_s": round(secs, 2),
            "rows_estimated": int(estimate.group(1)) if estimate else None,
            "workers": int(using.group(1)) if using else 0,
            "spilled": "no longer fits" in text}


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("conninfo")
    ap.add_argument("--reps", type=int, default=3)
    ap.add_argument("--serial", action="store_true")
    ap.add_argument("--paused", type=float, default=0)
    ap.add_argument("--spill", action="store_true")
    args = ap.parse_args()

    import psycopg
    base, labels = fashion_mnist.load("train")
    rows = [(i, int(labels[i]), "[" + ",".join("%d" % v for v in base[i]) + "]")
            for i in range(len(base))]
    with psycopg.connect(args.conninfo, autocommit=True) as conn:
        conn.execute("CREATE EXTENSION IF NOT EXISTS vecrbac")
        for rep in range(args.reps):
            cases = ["unanalyzed", "analyzed"]
            if rep % 2:
                cases.reverse()
            if args.paused:
                cases.append("unanalyzed, paused")
            if args.serial:
                cases.append("unanalyzed, serial")
            if args.spill:
                cases += ["unanalyzed, 64MB", "unanalyzed, 64MB, serial"]
            for case in cases:
                load(conn, rows)
                analyze_s = None
                if case == "analyzed":
                    start = time.perf_counter()
                    conn.execute("ANALYZE items")
                    analyze_s = round(time.perf_counter() - start, 2)
                if case == "unanalyzed, paused":
                    time.sleep(args.paused)
                settings = ["max_parallel_maintenance_workers = 0"] if "serial" in case else []
                if "64MB" in case:
                    settings.append("maintenance_work_mem = '64MB'")
                result = build(conn, case, settings)
                result["rep"] = rep + 1
                if analyze_s is not None:
                    result["analyze_s"] = analyze_s
                print(json.dumps(result), flush=True)


if __name__ == "__main__":
    main()

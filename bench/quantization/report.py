"""Markdown tables from bench/quantization/run.sh's results.jsonl: per data set, each
index's build time and size, then recall@10, queries per second and server CPU per
query at each hnsw.ef_search (the better pass of each, by QPS).

    report.py RESULTS.jsonl
"""
import json
import sys

DATA = {"fmnist": "Fashion-MNIST (60,000 x 784)", "clustered": "clustered (CLUSTERED_ROWS x 96; 100,000 by default)"}
KINDS = [("vecrbac", "none"), ("vecrbac", "half"), ("vecrbac", "int8"), ("vecrbac", "binary4"),
         ("vecrbac", "binary8"), ("pgvector", "none"), ("pgvector", "half")]


def main():
    rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
    for r in rows:
        if r["step"] == "machine":
            print(f"{r['cpu']}, {r['cpus']} CPUs, {r['date']}, load average {r['load']}\n")
    versions = {r["system"]: r["version"] for r in rows if r["step"] == "version"}
    print(", ".join(f"{s} {v}" for s, v in versions.items()) + "\n")

    for data, title in DATA.items():
        builds = {(r["system"], r["kind"]): r for r in rows if r["step"] == "build" and r["data"] == data}
        if not builds:
            continue
        print(f"### {title}\n")
        base = builds.get(("pgvector", "none"))
        print("| index | build s | MB | size / pgvector none |")
        print("|---|---:|---:|---:|")
        for key in KINDS:
            b = builds.get(key)
            if b:
                ratio = f"{b['index_bytes'] / base['index_bytes']:.2f}" if base else "-"
                print(f"| {key[0]} {key[1]} | {b['build_s']:.1f} | {b['index_bytes'] / 2**20:.1f} | {ratio} |")
        best = {}
        for r in rows:
            if r["step"] != "query" or r["data"] != data:
                continue
            key = (r["system"], r["kind"], r["ef"])
            if key not in best or r["qps"] > best[key]["qps"]:
                best[key] = r
        present = [k for k in KINDS if k in builds]
        print("\n| ef_search | " + " | ".join(f"{s} {k}: recall, QPS, CPU ms" for s, k in present) + " |")
        print("|---:|" + "---|" * len(present))
        for ef in sorted({k[2] for k in best}):
            cells = []
            for s, k in present:
                r = best.get((s, k, ef))
                cells.append(f"{r['recall']:.4f}, {r['qps']:.0f}, {r['server_cpu_ms']:.2f}" if r else "-")
            print(f"| {ef} | " + " | ".join(cells) + " |")
        print()


if __name__ == "__main__":
    main()

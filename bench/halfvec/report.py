"""Markdown tables from bench/halfvec/run.sh's results.jsonl: builds and sizes, then
recall and queries per second per index kind and ef_search (the better pass of each),
with vecrbac's ratio to pgvector.

    report.py RESULTS.jsonl
"""
import json
import sys


def main():
    rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
    versions = {r["system"]: r["version"] for r in rows if r["step"] == "version"}
    print(f"vecrbac {versions.get('vecrbac')} and pgvector {versions.get('pgvector')}, "
          "Fashion-MNIST (60,000 x 784), m = 16, ef_construction = 64, 2 parallel workers\n")

    builds = {(r["system"], r["index"]): r for r in rows if r["step"] == "build"}
    print("| index | pgvector build s | vecrbac build s | speedup | pgvector MB | vecrbac MB | size ratio |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for index in ("items_vector", "items_halfvec", "items_bq"):
        p, v = builds.get(("pgvector", index)), builds.get(("vecrbac", index))
        if not p or not v:
            continue
        print(f"| {index} | {p['build_s']:.1f} | {v['build_s']:.1f} | {p['build_s'] / v['build_s']:.2f}x "
              f"| {p['index_bytes'] / 2**20:.1f} | {v['index_bytes'] / 2**20:.1f} "
              f"| {v['index_bytes'] / p['index_bytes']:.2f} |")
    for sys_name in ("pgvector", "vecrbac"):
        vec, half = builds.get((sys_name, "items_vector")), builds.get((sys_name, "items_halfvec"))
        if vec and half:
            print(f"\n{sys_name}: halfvec index is {half['index_bytes'] / vec['index_bytes']:.1%} "
                  "of the vector index")

    best = {}
    for r in rows:
        if r["step"] != "query":
            continue
        key = (r["system"], r["index"], r["ef"])
        if key not in best or r["qps"] > best[key]["qps"]:
            best[key] = r
    print("\n| index | ef_search | pgvector recall | vecrbac recall | pgvector QPS | vecrbac QPS | QPS ratio |")
    print("|---|---:|---:|---:|---:|---:|---:|")
    for index in ("vector", "halfvec", "bq"):
        for ef in sorted({k[2] for k in best if k[1] == index}):
            p, v = best.get(("pgvector", index, ef)), best.get(("vecrbac", index, ef))
            if not p or not v:
                continue
            print(f"| {index} | {ef} | {p['recall']:.3f} | {v['recall']:.3f} | {p['qps']:.0f} "
                  f"| {v['qps']:.0f} | {v['qps'] / p['qps']:.2f}x |")


if __name__ == "__main__":
    main()

"""Markdown tables and charts from bench/quantization/run.sh's results.jsonl: per data
set, each index's build times and size; recall@10, queries per second, p99 latency and
server CPU per query at each hnsw.ef_search (the better pass of each, by QPS), beside
hnswlib in-process; and each index's QPS at recalls from 0.80 to 0.99, read off its curve.

    report.py RESULTS.jsonl [CHART_DIR]     charts: CHART_DIR/quantization_DATA.png
"""
import json
import math
import sys

KINDS = [("vecrbac", "none"), ("vecrbac", "half"), ("vecrbac", "int8"), ("vecrbac", "binary4"),
         ("vecrbac", "binary8"), ("pgvector", "none"), ("pgvector", "half")]
# Recalls to compare QPS at: issue 15's 0.95 and 0.99, or, for a data set on which no
# database index reaches them, the lower ones it reaches.
TARGETS = (0.80, 0.85, 0.90, 0.95, 0.99)


def title(data, rows):
    shape = next((r for r in rows if r["step"] == "dataset" and r["data"] == data), None)
    name = {"fmnist": "Fashion-MNIST", "clustered": "clustered (bench/data/clustered.py)"}[data]
    return f"{name}, {shape['rows']:,} x {shape['dim']}" if shape else name


def qps_at(curve, target):
    """QPS at a recall, interpolated on log QPS between the two ef_search points around
    it; None when the curve never reaches it."""
    curve = sorted(curve, key=lambda p: p[0])  # by ef_search
    if curve and curve[0][1] >= target:
        return curve[0][2]  # reached at the lowest ef_search measured
    for (_, r0, q0), (_, r1, q1) in zip(curve, curve[1:]):
        if r0 < target <= r1:
            t = (target - r0) / (r1 - r0)
            return math.exp(math.log(q0) + t * (math.log(q1) - math.log(q0)))
    return None


def report(data, rows, chart_dir):
    builds = {(r["system"], r["kind"]): r for r in rows if r["step"] == "build" and r["data"] == data}
    hnswlib = [r for r in rows if r["step"] == "hnswlib" and r.get("data") == data]
    if not builds:
        return
    print(f"### {title(data, rows)}\n")
    base = builds.get(("pgvector", "none"))
    print("| index | build s, 2 workers | build s, serial | MB | size / pgvector none |")
    print("|---|---:|---:|---:|---:|")
    for key in KINDS:
        b = builds.get(key)
        if b:
            ratio = f"{b['index_bytes'] / base['index_bytes']:.3f}" if base else "-"
            serial = f"{b['build_serial_s']:.1f}" if b.get("build_serial_s") is not None else "-"
            print(f"| {key[0]} {key[1]} | {b['build_s']:.1f} | {serial} | {b['index_bytes'] / 2**20:.1f} | {ratio} |")
    for h in hnswlib:
        if "build_s" in h:
            print(f"| hnswlib, in-process, single-threaded | - | {h['build_s']:.1f} | - | - |")

    best = {}
    for r in rows:
        if r["step"] != "query" or r["data"] != data:
            continue
        key = (r["system"], r["kind"], r["ef"])
        if key not in best or r["qps"] > best[key]["qps"]:
            best[key] = r
    lib = {h["ef"]: h for h in hnswlib if "ef" in h}
    present = [k for k in KINDS if any((k[0], k[1], ef) in best for ef in {e[2] for e in best})]
    print("\nrecall@10, QPS, p99 ms, server CPU ms per query (hnswlib: its CPU per query, in-process)\n")
    columns = [f"{s} {k}" for s, k in present] + (["hnswlib"] if lib else [])
    print("| ef_search | " + " | ".join(columns) + " |")
    print("|---:|" + "---|" * len(columns))
    curves = {}
    for ef in sorted({k[2] for k in best}):
        cells = []
        for s, k in present:
            r = best.get((s, k, ef))
            cells.append(f"{r['recall']:.4f}, {r['qps']:.0f}, {r['p99_ms']:.2f}, {r['server_cpu_ms']:.2f}" if r else "-")
            if r:
                curves.setdefault(f"{s} {k}", []).append((ef, r["recall"], r["qps"]))
        if lib:
            h = lib.get(ef)
            cells.append(f"{h['recall']:.4f}, {h['qps']:.0f}, {h['p99_ms']:.2f}, {h['cpu_ms']:.3f}" if h else "-")
            if h:
                curves.setdefault("hnswlib", []).append((ef, h["recall"], h["qps"]))
        print(f"| {ef} | " + " | ".join(cells) + " |")

    reached = [t for t in TARGETS
               if any(qps_at(c, t) for name, c in curves.items() if name != "hnswlib")]
    targets = [t for t in reached if t >= 0.95] or reached
    print("\nQPS at a recall, read off each curve (log QPS interpolated between two ef_search points)\n")
    print("| index | " + " | ".join(f"QPS at {t:.2f} | / pgvector none | / hnswlib" for t in targets) + " |")
    print("|---|" + "---:|---:|---:|" * len(targets))
    ref = {t: qps_at(curves.get("pgvector none", []), t) for t in targets}
    lib_ref = {t: qps_at(curves.get("hnswlib", []), t) for t in targets}
    for name, curve in curves.items():
        cells = []
        for t in targets:
            q = qps_at(curve, t)
            cells.append(f"{q:.0f}" if q else "not reached")
            cells.append(f"{q / ref[t]:.2f}" if q and ref[t] else "-")
            cells.append(f"{q / lib_ref[t]:.2f}" if q and lib_ref[t] else "-")
        print(f"| {name} | " + " | ".join(cells) + " |")
    print()
    if chart_dir:
        chart(data, rows, curves, f"{chart_dir}/quantization_{data}.png")


def chart(data, rows, curves, path):
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for name, curve in curves.items():
        curve = sorted(curve)
        ax.plot([p[1] for p in curve], [p[2] for p in curve], marker="o", markersize=3, label=name,
                linestyle="--" if name == "hnswlib" else "-")
    ax.set_yscale("log")
    ax.set_xlabel("recall@10")
    ax.set_ylabel("queries per second (one client; hnswlib in-process)")
    ax.set_title(title(data, rows))
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    print(f"chart: {path}\n")


def main():
    rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
    chart_dir = sys.argv[2] if len(sys.argv) > 2 else None
    for r in rows:
        if r["step"] == "machine":
            print(f"{r['cpu']}, {r['cpus']} CPUs, {r['date']}, load average {r['load']}\n")
    versions = {r["system"]: r["version"] for r in rows if r["step"] == "version"}
    print(", ".join(f"{s} {v}" for s, v in versions.items()) + "\n")
    for data in ("fmnist", "clustered"):
        report(data, rows, chart_dir)


if __name__ == "__main__":
    main()

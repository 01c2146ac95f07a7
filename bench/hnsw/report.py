"""Turns bench/hnsw/run.sh's JSON lines into a Markdown summary and a recall/QPS plot.

    report.py RESULTS.jsonl OUTDIR
"""
import json
import os
import sys

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def main():
    rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
    out = sys.argv[2]
    by = lambda step: [r for r in rows if r.get("step") == step]  # noqa: E731

    def best(step):  # the better of the two passes per ef
        kept = {}
        for r in by(step):
            if r["ef"] not in kept or r["qps"] > kept[r["ef"]]["qps"]:
                kept[r["ef"]] = r
        return kept

    ours, plain = best("vecrbac"), best("vecrbac_plain")
    base = {r["ef"]: r for r in by("hnswlib") if "ef" in r}
    hnswlib_build = next((r["build_s"] for r in by("hnswlib") if "build_s" in r), None)

    lines = ["| ef_search | vecrbac recall@10 | vecrbac QPS | p50 ms | p99 ms | server CPU ms | "
             "STORAGE PLAIN: recall@10 | QPS | server CPU ms | hnswlib recall@10 | hnswlib QPS | "
             "QPS ratio | ratio, PLAIN |",
             "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    nan = float("nan")
    for ef in sorted(ours):
        o, p, h = ours[ef], plain.get(ef, {}), base.get(ef, {})
        ratio = o["qps"] / h["qps"] if h else nan
        ratio_plain = p["qps"] / h["qps"] if h and p else nan
        lines.append(f"| {ef} | {o['recall']:.4f} | {o['qps']:.0f} | {o['p50_ms']:.3f} | {o['p99_ms']:.3f} | "
                     f"{o.get('server_cpu_ms', nan):.3f} | {p.get('recall', nan):.4f} | {p.get('qps', nan):.0f} | "
                     f"{p.get('server_cpu_ms', nan):.3f} | {h.get('recall', nan):.4f} | {h.get('qps', nan):.0f} | "
                     f"{ratio:.2f} | {ratio_plain:.2f} |")
    builds = {r["label"]: r["build_s"] for r in by("build")}
    size = next(iter(by("size")), {})
    load = next(iter(by("load")), {})
    check = next(iter(by("check")), {})
    summary = [
        f"- load (COPY, 60,000 rows): {load.get('load_s')} s",
        f"- build m=16 ef_construction=64: serial {builds.get('serial')} s, parallel (2 workers) "
        f"{builds.get('parallel')} s; hnswlib single-threaded {hnswlib_build} s",
        f"- index {size.get('index_bytes', 0) / 1e6:.1f} MB; vectors {size.get('vector_bytes', 0) / 1e6:.1f} MB "
        f"+ level-0 links {size.get('link_bytes', 0) / 1e6:.1f} MB; table {size.get('table_bytes', 0) / 1e6:.1f} MB",
        f"- checker problems after build: {check.get('problems')}",
    ]
    text = "\n".join(summary) + "\n\n" + "\n".join(lines) + "\n"
    open(os.path.join(out, "summary.md"), "w").write(text)
    print(text)

    plt.figure(figsize=(7, 4.5))
    for name, data, style in (("vecrbac (PostgreSQL, libpq round trip)", ours, "o-"),
                              ("vecrbac, STORAGE PLAIN", plain, "^-"),
                              ("hnswlib (in-process)", base, "s--")):
        efs = sorted(data)
        plt.plot([data[e]["recall"] for e in efs], [data[e]["qps"] for e in efs], style, label=name)
        for e in efs:
            plt.annotate(str(e), (data[e]["recall"], data[e]["qps"]), fontsize=7,
                         textcoords="offset points", xytext=(3, 3))
    plt.yscale("log")
    plt.xlabel("recall@10")
    plt.ylabel("queries per second (log)")
    plt.title("Fashion-MNIST 60k x 784, m=16, ef_construction=64; labels: ef_search")
    plt.grid(True, which="both", alpha=0.3)
    plt.legend()
    plt.tight_layout()
    plt.savefig(os.path.join(out, "recall_qps.png"), dpi=120)


if __name__ == "__main__":
    main()

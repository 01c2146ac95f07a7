"""Markdown summary and recall/QPS plots for bench/filtered/run.sh.

    report.py RESULTS.jsonl OUTDIR
"""
import json
import os
import sys

import matplotlib
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

NAMES = {"t10": "10% (label)", "t1": "1% (label, id % 10)", "t01": "0.1% (label, id % 100)"}


def main():
    rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
    out = sys.argv[2]
    q = [r for r in rows if r.get("step") == "query"]
    builds = {r["index"]: r["build_s"] for r in rows if r.get("step") == "build"}

    lines = ["| selectivity | query | ef_search | recall@10 | mean rows | short queries | QPS | p99 ms |",
             "|---|---|---:|---:|---:|---:|---:|---:|"]
    for r in q:
        lines.append(f"| {NAMES.get(r['sel'], r['sel'])} | {r['kind']} | {r['ef']} | {r['recall']:.4f} | "
                     f"{r['rows']:.2f} | {r['short']} | {r['qps']:.0f} | {r['p99_ms']:.2f} |")
    text = ("builds (s): " + ", ".join(f"{k}: {v}" for k, v in builds.items()) + "\n\n" + "\n".join(lines) + "\n")
    open(os.path.join(out, "summary.md"), "w").write(text)
    print(text)

    fig, axes = plt.subplots(1, 3, figsize=(15, 4.5), sharey=True)
    unf = sorted([r for r in q if r["kind"] == "unfiltered"], key=lambda r: r["ef"])
    for ax, sel in zip(axes, ["t10", "t1", "t01"]):
        for kind, style in (("where", "o-"), ("scope", "^-"), ("policy", "v-")):
            pts = sorted([r for r in q if r["kind"] == kind and r["sel"] == sel], key=lambda r: r["ef"])
            ax.plot([r["recall"] for r in pts], [r["qps"] for r in pts], style, label=f"filtered hnsw ({kind})" if kind != "policy" else "token policy (protected table)")
        ax.plot([r["recall"] for r in unf], [r["qps"] for r in unf], "s--", color="gray", label="unfiltered hnsw")
        ex = [r for r in q if r["kind"] == "exact" and r["sel"] == sel]
        ax.plot([r["recall"] for r in ex], [r["qps"] for r in ex], "k*", markersize=12, label="exact filtered scan")
        ax.set_title(NAMES[sel])
        ax.set_xlabel("recall@10")
        ax.set_yscale("log")
        ax.grid(True, which="both", alpha=0.3)
    axes[0].set_ylabel("queries per second (log)")
    axes[0].legend(fontsize=8)
    fig.suptitle("Fashion-MNIST 60k x 784, filtered top-10 through PostgreSQL (points: ef_search 10..160)")
    fig.tight_layout()
    fig.savefig(os.path.join(out, "filtered_recall_qps.png"), dpi=110)


if __name__ == "__main__":
    main()

"""Tables and a PNG from bench/build_scale/run.sh's results.jsonl: build time, size and
queries per size, the growth of each from the smallest to the largest size, and
vecrbac's build phases; with MWMS, builds that spill to disk at each maintenance_work_mem.

    report.py RESULTS.jsonl OUTDIR     (writes OUTDIR/build_scale.png)
"""
import json
import re
import sys

PHASES = (
    ("insert", r"([0-9.]+) tuples inserted in ([0-9.]+) s", 2),
    ("value links", r"value links ([0-9.]+) s", 1),
    ("repair", r"reachability repair ([0-9.]+) s", 1),
    ("write", r"pages written ([0-9.]+) s", 1),
    ("WAL", r"WAL written in ([0-9.]+) s", 1),
)


def phases_of(build):
    out = {}
    for line in build.get("phases") or []:
        for name, pattern, group in PHASES:
            m = re.search(pattern, line)
            if m:
                out[name] = float(m.group(group))
    return out


def main():
    results = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
    machine = next((r for r in results if r["step"] == "machine"), {})
    if any(r.get("mwm") for r in results):
        spills(results, machine)
        return
    builds = {(r["system"], r["size"], r["workers"]): r for r in results if r["step"] == "build"}
    queries = {(r["system"], r["size"], r["workers"], r["ef"]): r
               for r in results if r["step"] == "query"}
    sizes = sorted({k[1] for k in builds})
    workers = sorted({k[2] for k in builds})
    efs = sorted({k[3] for k in queries})
    print(f"{machine.get('cpu')}, {machine.get('cpus')} CPUs, {machine.get('date')}; clustered data "
          "(bench/data/clustered.py: 96 dimensions, 200 clusters), m = 16, ef_construction = 64\n")

    print("| rows | workers | pgvector build s | vecrbac build s | speedup | pgvector MB | vecrbac MB "
          "| load (1, 5, 15 min) |")
    print("|---:|---:|---:|---:|---:|---:|---:|---|")
    for n in sizes:
        for w in workers:
            p, v = builds.get(("pgvector", n, w)), builds.get(("vecrbac", n, w))
            if not p or not v:
                continue
            print(f"| {n:,} | {w} | {p['build_s']:.1f} | {v['build_s']:.1f} | "
                  f"{p['build_s'] / v['build_s']:.2f}x | {p['index_bytes'] / 2**20:.0f} | "
                  f"{v['index_bytes'] / 2**20:.0f} | {v['load']} |")

    if len(sizes) > 1:
        lo, hi = sizes[0], sizes[-1]
        print(f"\nGrowth of the build time from {lo:,} to {hi:,} rows ({hi / lo:.0f}x the rows):\n")
        print("| workers | pgvector | vecrbac |")
        print("|---:|---:|---:|")
        for w in workers:
            cells = []
            for system in ("pgvector", "vecrbac"):
                a, b = builds.get((system, lo, w)), builds.get((system, hi, w))
                cells.append(f"{b['build_s'] / a['build_s']:.1f}x" if a and b else "—")
            print(f"| {w} | {cells[0]} | {cells[1]} |")

    print("\n| rows | workers | ef_search | pgvector recall | vecrbac recall | pgvector QPS | vecrbac QPS "
          "| pgvector CPU ms | vecrbac CPU ms |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    for n in sizes:
        for w in workers:
            for ef in efs:
                p, v = queries.get(("pgvector", n, w, ef)), queries.get(("vecrbac", n, w, ef))
                if not p or not v:
                    continue
                print(f"| {n:,} | {w} | {ef} | {p['recall']:.4f} | {v['recall']:.4f} | {p['qps']:.0f} | "
                      f"{v['qps']:.0f} | {p['server_cpu_ms']:.3f} | {v['server_cpu_ms']:.3f} |")

    print("\nvecrbac's build phases (seconds, from its DEBUG2 lines):\n")
    print("| rows | workers | " + " | ".join(name for name, _, _ in PHASES) + " | total |")
    print("|---:|---:|" + "---:|" * (len(PHASES) + 1))
    for n in sizes:
        for w in workers:
            v = builds.get(("vecrbac", n, w))
            if not v:
                continue
            ph = phases_of(v)
            print(f"| {n:,} | {w} | " + " | ".join(
                f"{ph[name]:.2f}" if name in ph else "—" for name, _, _ in PHASES) + f" | {v['build_s']:.2f} |")

    try:
        import matplotlib
        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return
    fig, ax = plt.subplots(figsize=(6, 4))
    for system, colour in (("pgvector", "tab:orange"), ("vecrbac", "tab:blue")):
        for w in workers:
            xs = [n for n in sizes if (system, n, w) in builds]
            ys = [builds[(system, n, w)]["build_s"] for n in xs]
            ax.plot(xs, ys, marker="o", color=colour, linestyle="-" if w == 0 else "--",
                    label=f"{system}, {'serial' if w == 0 else f'{w} workers'}")
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.set_xlabel("rows")
    ax.set_ylabel("build time (s)")
    ax.set_title("hnsw build time against rows (m 16, ef_construction 64)")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend()
    fig.tight_layout()
    fig.savefig(f"{sys.argv[2]}/build_scale.png", dpi=110)


def spills(results, machine):
    """Build time against maintenance_work_mem: how a build degrades as less of its graph fits."""
    builds = {(r["system"], r["size"], r["workers"], r["mwm"]): r for r in results if r["step"] == "build"}
    queries = {(r["system"], r["size"], r["workers"], r["mwm"], r["ef"]): r
               for r in results if r["step"] == "query"}
    efs = sorted({k[4] for k in queries})
    print(f"{machine.get('cpu')}, {machine.get('cpus')} CPUs, {machine.get('date')}; clustered data "
          "(bench/data/clustered.py: 96 dimensions, 200 clusters), m = 16, ef_construction = 64\n")
    print("| rows | workers | maintenance_work_mem | pgvector build s (spilled after) "
          "| vecrbac build s (spilled after) | speedup | "
          + " | ".join(f"recall ef {ef}: pgvector / vecrbac" for ef in efs) + " |")
    print("|---:|---:|---:|---:|---:|---:|" + "---|" * len(efs))

    def spilled(b):
        return f" ({b['spilled_after']:,})" if b.get("spilled_after") else ""

    for (system, n, w, mwm) in builds:
        if system != "vecrbac" or ("pgvector", n, w, mwm) not in builds:
            continue
        p, v = builds[("pgvector", n, w, mwm)], builds[(system, n, w, mwm)]
        cells = []
        for ef in efs:
            qp, qv = queries.get(("pgvector", n, w, mwm, ef)), queries.get(("vecrbac", n, w, mwm, ef))
            cells.append(f"{qp['recall']:.4f} / {qv['recall']:.4f}" if qp and qv else "—")
        print(f"| {n:,} | {w} | {mwm} | {p['build_s']:.1f}{spilled(p)} | {v['build_s']:.1f}{spilled(v)} | "
              f"{p['build_s'] / v['build_s']:.2f}x | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()

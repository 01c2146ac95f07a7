"""Token-scoped search against the unfiltered search at the same recall (same_recall.sh).

    same_recall_report.py RESULTS.jsonl      prints Markdown

For each curve (one cell's points over hnsw.ef_search) and each recall target, the
fastest point whose recall@10 is at least the target: no interpolation, so a cell is
never credited with a speed it was not measured at. The ratio is the scoped cell's
queries per second over the unfiltered search's at the same target; server CPU per
query likewise (unfiltered over scoped). A cell that never reaches a target says so.
"""
import json
import sys

TARGETS = (0.99, 0.995)


def fastest_at(points, target):
    ok = [p for p in points if p["recall"] >= target]
    return max(ok, key=lambda p: p["qps"]) if ok else None


def main():
    curves, plans = {}, {}
    with open(sys.argv[1]) as f:
        for line in f:
            r = json.loads(line)
            if "plan" in r:
                plans[r["cell"]] = r["plan"]
            elif "qps" in r:
                curves.setdefault(r["cell"], []).append(r)

    print("| cell | ef_search | recall@10 | QPS | server CPU ms | short |")
    print("|---|---:|---:|---:|---:|---:|")
    for cell, points in curves.items():
        for p in points:
            print(f"| {cell} | {p['ef']} | {p['recall']:.4f} | {p['qps']:,.0f} | {p['server_cpu_ms']:.3f} | {p['short']} |")
    print()
    base = curves.get("unfiltered", [])
    header = " | ".join(f"at recall {t}: ef, QPS, of unfiltered (by CPU)" for t in TARGETS)
    print(f"| cell | {header} |")
    print("|---|" + "---|" * len(TARGETS))
    for cell, points in curves.items():
        cols = []
        for t in TARGETS:
            p, b = fastest_at(points, t), fastest_at(base, t)
            if p is None:
                cols.append("not reached")
            elif b is None or cell == "unfiltered":
                cols.append(f"{p['ef']}, {p['qps']:,.0f}")
            else:
                cols.append(f"{p['ef']}, {p['qps']:,.0f}, **{p['qps'] / b['qps']:.2f}** "
                            f"({b['server_cpu_ms'] / p['server_cpu_ms']:.2f})")
        print(f"| {cell} | " + " | ".join(cols) + " |")
    print()
    for cell, plan in plans.items():
        print(f"- {cell}: `{plan}`")


if __name__ == "__main__":
    main()

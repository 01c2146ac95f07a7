"""Markdown tables from bench/churn/run.sh's results.jsonl.

    report.py RESULTS.jsonl

One row per data set, index kind and system: the index's blocks after the build, its
growth over the build after each full cycle (every row deleted, VACUUM, every row
inserted again) and each partial one (a tenth of the rows), recall@10 after the build
and after the churn, and vecrbac.hnsw_check's problems (vecrbac only); with runs that
record them, the same after a final VACUUM that removes nothing, and the VACUUMs' times.
"""
import json
import sys


def main():
    rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
    sizes, recalls, checks, vacuums, order = {}, {}, {}, {}, []
    for r in rows:
        key = (r.get("dataset"), r.get("kind"), r.get("system"))
        if r["step"] == "size":
            if key not in sizes:
                sizes[key] = []
                order.append(key)
            sizes[key].append(r)
        elif r["step"] == "recall":
            recalls[key + (r["phase"],)] = r["recall"]
        elif r["step"] == "check":
            checks.setdefault(key, []).append(r["problems"])
        elif r["step"] == "vacuum":
            vacuums.setdefault(key, []).append(r)
    for r in rows:
        if r["step"] == "version":
            print(f"- {r['system']} {r['version']}")
    print()
    full = max((len([s for s in v if s["phase"] == "full"]) for v in sizes.values()), default=0)
    part = max((len([s for s in v if s["phase"] == "partial"]) for v in sizes.values()), default=0)
    head = ["data set", "index", "system", "blocks after build"]
    head += [f"full {i + 1}" for i in range(full)] + [f"partial {i + 1}" for i in range(part)]
    head += ["recall build / churned / final", "VACUUM ms (full, partial, final)"]
    head += ["hnsw_check problems (churned; final)"]
    print("| " + " | ".join(head) + " |")
    print("|" + "---|" * len(head))
    for key in order:
        v = sizes[key]
        base = next(s["blocks"] for s in v if s["phase"] == "build")
        cells = [key[0], key[1], key[2], f"{base:,}"]
        for phase, n in (("full", full), ("partial", part)):
            got = [s for s in v if s["phase"] == phase]
            for i in range(n):
                if i < len(got):
                    b = got[i]["blocks"]
                    cells.append(f"{b:,} ({100.0 * (b - base) / base:+.2f} %)")
                else:
                    cells.append("")
        got = [recalls.get(key + (p,)) for p in ("build", "churned", "final")]
        cells.append(" / ".join(f"{r:.3f}" for r in got if r is not None))
        cells.append(", ".join("/".join(str(x["ms"]) for x in vacuums.get(key, []) if x["phase"] == p)
                               for p in ("full", "partial", "final")))
        if key in checks:
            verdicts = []
            for problems in checks[key]:
                if isinstance(problems, list):
                    problems = "; ".join(problems)
                verdicts.append(str(problems or "none"))
            cells.append("; then ".join(verdicts))
        else:
            cells.append("n/a")
        print("| " + " | ".join(cells) + " |")


if __name__ == "__main__":
    main()

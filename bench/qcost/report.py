"""Markdown table of bench/qcost/run.sh's results: server CPU per query (median over
the passes) and recall@10, per data set and ef_search, for each system.

    report.py RESULTS.jsonl
"""
import json
import statistics
import sys


def main():
    rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
    cpu, recall, loads = {}, {}, []
    for r in rows:
        if r.get("step") == "query":
            key = (r["dims"], r["ef"], r["variant"])
            cpu.setdefault(key, []).append(r["server_cpu_ms"])
            recall.setdefault(key, set()).add(r["recall"])
            loads.append(r["load"])
        elif r.get("step") == "hnswlib" and "ef" in r:
            key = (r["dims"], r["ef"], "hnswlib")
            cpu.setdefault(key, []).append(r["cpu_ms"])
            recall.setdefault(key, set()).add(r["recall"])
            loads.append(r["load"])
    systems = [s for s in ("base", "after", "pgvector", "hnswlib") if any(k[2] == s for k in cpu)]
    names = {"base": "vecrbac before", "after": "vecrbac after", "pgvector": "pgvector 0.8",
             "hnswlib": "hnswlib in-process"}
    print("CPU per query in ms (server backend's utime + stime; hnswlib: the process's), "
          "median of %d passes; recall@10 in brackets." % max(len(v) for v in cpu.values()))
    print("Load average during the measurements: %.1f to %.1f (median %.1f).\n"
          % (min(loads), max(loads), statistics.median(loads)))
    print("| data | ef_search | " + " | ".join(names[s] for s in systems) + " |")
    print("|---|---:|" + "---:|" * len(systems))
    for dims in sorted({k[0] for k in cpu}, reverse=True):
        label = "Fashion-MNIST (784-d)" if dims == 784 else "clustered (%d-d)" % dims
        for ef in sorted({k[1] for k in cpu if k[0] == dims}):
            cells = []
            for s in systems:
                key = (dims, ef, s)
                if key not in cpu:
                    cells.append("")
                    continue
                rec = "/".join("%.4f" % x for x in sorted(recall[key]))
                cells.append("%.3f (%s)" % (statistics.median(cpu[key]), rec))
            print("| %s | %d | %s |" % (label, ef, " | ".join(cells)))


if __name__ == "__main__":
    main()

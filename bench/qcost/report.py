"""Markdown tables of bench/qcost/run.sh's results: server CPU per query and queries per
second through one connection (medians over the passes) with recall@10, per data set and
ef_search, for each system; and the round trip without a search, the ceiling of any
system's queries per second through that client.

    report.py RESULTS.jsonl
"""
import json
import statistics
import sys


def main():
    rows = [json.loads(line) for line in open(sys.argv[1]) if line.strip()]
    cpu, qps, recall, loads, no_search = {}, {}, {}, [], []
    for r in rows:
        if r.get("step") == "query":
            key = (r["dims"], r["ef"], r["variant"])
            cpu.setdefault(key, []).append(r["server_cpu_ms"])
            qps.setdefault(key, []).append(r["qps"])
            recall.setdefault(key, set()).add(r["recall"])
            loads.append(r["load"])
        elif r.get("step") == "hnswlib" and "ef" in r:
            key = (r["dims"], r["ef"], "hnswlib")
            cpu.setdefault(key, []).append(r["cpu_ms"])
            qps.setdefault(key, []).append(r["qps"])
            recall.setdefault(key, set()).add(r["recall"])
            loads.append(r["load"])
        elif r.get("step") == "no_search":
            no_search.append(r)
            loads.append(r["load"])
    systems = [s for s in ("base", "after", "pgvector", "hnswlib") if any(k[2] == s for k in cpu)]
    names = {"base": "vecrbac before", "after": "vecrbac after", "pgvector": "pgvector 0.8",
             "hnswlib": "hnswlib in-process"}
    print("CPU per query in ms (server backend's utime + stime; hnswlib: the process's), "
          "median of %d passes; recall@10 in brackets." % max(len(v) for v in cpu.values()))
    print("Load average during the measurements: %.1f to %.1f (median %.1f).\n"
          % (min(loads), max(loads), statistics.median(loads)))
    table(systems, names, cpu, recall, "%.3f")
    print("\nQueries per second through one connection (hnswlib: in-process, no client), median "
          "of the passes.\n")
    table(systems, names, qps, recall, "%.0f")
    if no_search:
        print("\nThe same round trip without a search (a 784-d query vector sent, ten rows found by "
              "the primary key and returned), over %d passes: %.0f queries per second (%.3f ms "
              "p50, %.3f ms of server CPU per query)."
              % (len(no_search), statistics.median(r["qps"] for r in no_search),
                 statistics.median(r["p50_ms"] for r in no_search),
                 statistics.median(r["server_cpu_ms"] for r in no_search)))


def table(systems, names, values, recall, fmt):
    print("| data | ef_search | " + " | ".join(names[s] for s in systems) + " |")
    print("|---|---:|" + "---:|" * len(systems))
    for dims in sorted({k[0] for k in values}, reverse=True):
        label = "Fashion-MNIST (784-d)" if dims == 784 else "clustered (%d-d)" % dims
        for ef in sorted({k[1] for k in values if k[0] == dims}):
            cells = []
            for s in systems:
                key = (dims, ef, s)
                if key not in values:
                    cells.append("")
                    continue
                rec = "/".join("%.4f" % x for x in sorted(recall[key]))
                cells.append((fmt + " (%s)") % (statistics.median(values[key]), rec))
            print("| %s | %d | %s |" % (label, ef, " | ".join(cells)))


if __name__ == "__main__":
    main()

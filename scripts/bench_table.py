#!/usr/bin/env python3
"""Markdown tables from Google Benchmark JSON (--benchmark_format=json or --benchmark_out).

    python3 scripts/bench_table.py peers.json [python_peers.json ...]

Benchmarks named WORKLOAD/implementation (peers_benchmark, benchmarks/python_peers.py) give one
table per workload: implementation, ns/record, records/s, ratio to the workload's floor (its
first implementation named floor*), ratio to streamreg (the implementation named streamreg*),
and correct digits of the final slope and intercept. With repetitions, the median aggregate is
used (--benchmark_report_aggregates_only=true is enough); without, the median of the runs.
Then the performance targets, with the ratios of the same run. Standard library only.
"""
import json
import statistics
import sys


def load(paths):
    runs = {}  # name -> list of entries (iterations), or the median aggregate
    medians = {}
    order = []
    for path in paths:
        with open(path) as f:
            doc = json.load(f)
        for e in doc.get("benchmarks", []):
            name = e.get("run_name", e["name"])
            if name not in order:
                order.append(name)
            if e.get("run_type") == "aggregate":
                if e.get("aggregate_name") == "median":
                    medians[name] = e
            elif not e.get("error_occurred"):
                runs.setdefault(name, []).append(e)
    rows = {}
    for name in order:
        if name in medians:
            rows[name] = medians[name]
        elif name in runs:
            es = runs[name]
            ns = statistics.median(x["ns_per_record"] for x in es)
            rows[name] = min(es, key=lambda x: abs(x["ns_per_record"] - ns))
    return [n for n in order if n in rows], rows


def ns_per_record(e):
    v = e.get("ns_per_record")
    return None if v is None else v * 1e9  # the counter is seconds per record


def fmt(v, digits=2):
    if v is None:
        return "—"
    if v >= 1000:
        return f"{v:,.0f}"
    if v >= 100:
        return f"{v:.1f}"
    return f"{v:.{digits}f}"


def rate(v):
    if v is None:
        return "—"
    for unit, scale in (("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if v >= scale:
            return f"{v / scale:.3g} {unit}"
    return f"{v:.3g}"


def main(paths):
    order, rows = load(paths)
    workloads = {}
    for name in order:
        if "/" not in name:
            continue
        w, impl = name.split("/", 1)
        workloads.setdefault(w, []).append(impl)
    ns = {}
    for w, impls in workloads.items():
        floor = next((i for i in impls if i.startswith("floor")), None)
        ours = next((i for i in impls if i.startswith("streamreg")), None)
        t = {i: ns_per_record(rows[f"{w}/{i}"]) for i in impls}
        ns.update({f"{w}/{i}": v for i, v in t.items()})
        print(f"### {w}\n")
        print("| implementation | ns/record | records/s | × floor | × streamreg | slope digits | intercept digits |")
        print("|---|---:|---:|---:|---:|---:|---:|")
        for i in impls:
            e = rows[f"{w}/{i}"]
            v = t[i]
            rf = v / t[floor] if floor and v and t[floor] else None
            rs = v / t[ours] if ours and v and t[ours] else None
            sd = e.get("slope_digits")
            idg = e.get("intercept_digits")
            label = f"**{i}**" if i == ours else i
            print(f"| {label} | {fmt(v)} | {rate(e.get('items_per_second'))} | {fmt(rf)} | {fmt(rs)} "
                  f"| {fmt(sd, 1)} | {fmt(idg, 1)} |")
        print()

    def ratio(a, b):
        return ns[a] / ns[b] if ns.get(a) and ns.get(b) else None

    targets = [
        ("scalar default ≤ 1.3× the floor", ratio("S/streamreg", "S/floor_naive_sums"), "le", 1.3),
        ("≥ 2.5× faster than Boost.Accumulators", ratio("S/boost_accumulators", "S/streamreg"), "ge", 2.5),
        ("≥ 15× faster than dlib rls", ratio("S/dlib_rls", "S/streamreg"), "ge", 15),
        ("window ≤ 2× the scalar default", ratio("W/streamreg", "S/streamreg"), "le", 2),
        ("forgetting ≤ 2× the scalar default", ratio("F/streamreg", "S/streamreg"), "le", 2),
        ("CSV ingest + fit ≤ 1.2× bare from_chars", ratio("CSV/streamreg", "CSV/floor_from_chars"), "le", 1.2),
        ("CSV ingest + fit ≥ 4× faster than pandas read_csv", ratio("CSV/pandas_read_csv", "CSV/streamreg"), "ge", 4),
    ]
    print("### Targets\n")
    print("| target | ratio | met |")
    print("|---|---:|---|")
    for text, r, how, bound in targets:
        if r is None:
            print(f"| {text} | — | not measured |")
            continue
        met = r <= bound if how == "le" else r >= bound
        print(f"| {text} | {r:.2f} | {'yes' if met else '**no**'} |")


if __name__ == "__main__":
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    main(sys.argv[1:])

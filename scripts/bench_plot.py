#!/usr/bin/env python3
"""Plots ns/record against the number of predictors P from multivariate_benchmark's JSON
output (--benchmark_out=FILE --benchmark_out_format=json): one line per implementation.

    python3 scripts/bench_plot.py results/multivariate_benchmark.json \
        --out benchmarks/multivariate_ns_per_record.png

Needs matplotlib (python3-matplotlib). Medians when the run has repetitions, else the runs.
"""
import argparse
import collections
import json

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

LABELS = {
    "BM_multi_givens": "streamreg givens (default)",
    "BM_multi_ldlt": "streamreg moments + LDLT",
    "BM_multi_precise": "streamreg precise (double-double)",
    "BM_dlib_rls": "dlib rls",
    "BM_eigen_batch_qr": "Eigen HouseholderQR, batch (once)",
    "BM_multi_floor": "floor: rank-1 update, no solve",
}


def ns_per_record(b):
    # Items processed are records: time per item in ns.
    if "items_per_second" in b and b["items_per_second"] > 0:
        return 1e9 / b["items_per_second"]
    return None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("json")
    ap.add_argument("--out", default="multivariate_ns_per_record.png")
    ap.add_argument("--dpi", type=int, default=90)
    args = ap.parse_args()
    with open(args.json) as f:
        data = json.load(f)
    runs = data["benchmarks"]
    has_median = any(b.get("aggregate_name") == "median" for b in runs)
    series = collections.defaultdict(dict)
    for b in runs:
        if has_median and b.get("aggregate_name") != "median":
            continue
        name = b.get("run_name", b["name"])
        base, _, p = name.partition("/")
        if base not in LABELS or not p.isdigit():
            continue
        v = ns_per_record(b)
        if v is not None:
            series[base][int(p)] = v
    fig, ax = plt.subplots(figsize=(7, 4.5))
    for base, label in LABELS.items():
        if base not in series:
            continue
        ps = sorted(series[base])
        ax.plot(ps, [series[base][p] for p in ps], marker="o", label=label)
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xlabel("predictors P")
    ax.set_ylabel("ns per record (push + fit after every record)")
    ax.set_title("Several predictors: cost per record")
    ax.grid(True, which="both", alpha=0.3)
    ax.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(args.out, dpi=args.dpi)
    print(args.out)


if __name__ == "__main__":
    main()

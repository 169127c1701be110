#!/usr/bin/env python3
"""Python peers of peers_benchmark, timed the same way, JSON like Google Benchmark's.

    python3 benchmarks/python_peers.py peers.csv > python_peers.json

peers.csv is the CSV file of peers_benchmark (STREAMREG_PEERS_CSV=path keeps it; scripts/bench.sh
does): the S records, "x,y" with 17 significant digits. Benchmarks (median of 3 runs, CPU time):
  CSV/pandas_read_csv           pandas.read_csv of the file (parse only, float64 columns)
  S/numpy_cumsum                running fit after every record from cumulative sums (naive
                                five sums, vectorised): all 10^7 fits as arrays
  S/statsmodels_recursive_ls    statsmodels RecursiveLS over the first 10^5 records (per record)
  S_offset/numpy_cumsum         the same on x = 1.7e9 + i, y = 3 + 0.5 i + U(-10, 10) (numpy's RNG:
                                same shape as peers_benchmark's S_offset, other noise)
Digits are against a two-pass long double (x87, 64-bit mantissa) oracle of the same records:
good to about 17 digits here. Needs numpy and pandas; statsmodels is optional.
"""
import json
import math
import sys
import time

import numpy as np
import pandas as pd


def cpu(f, reps=3):
    ts = []
    out = None
    for _ in range(reps):
        t0 = time.process_time()
        out = f()
        ts.append(time.process_time() - t0)
    ts.sort()
    return ts[len(ts) // 2], out


def oracle(x, y):
    xl, yl = x.astype(np.longdouble), y.astype(np.longdouble)
    mx, my = xl.mean(), yl.mean()
    dx = xl - mx
    b = (dx * (yl - my)).sum() / (dx * dx).sum()
    return my - b * mx, b


def digits(got, want):
    if not math.isfinite(got):
        return 0.0
    d = np.longdouble(got) - want
    if d == 0:
        return 17.0
    return float(min(17.0, max(0.0, -np.log10(abs(d) / abs(want)))))


def entry(name, seconds, n, fit=None, want=None):
    e = {"name": name, "run_name": name, "run_type": "aggregate", "aggregate_name": "median",
         "repetitions": 3, "cpu_time": seconds * 1e3, "time_unit": "ms",
         "items_per_second": n / seconds, "ns_per_record": seconds / n}
    if fit is not None:
        e["intercept_digits"] = digits(fit[0], want[0])
        e["slope_digits"] = digits(fit[1], want[1])
    return e


def cumsum_fit(x, y):
    n = np.arange(1, len(x) + 1, dtype=np.float64)
    sx, sy = np.cumsum(x), np.cumsum(y)
    sxy, sxx = np.cumsum(x * y), np.cumsum(x * x)
    with np.errstate(divide="ignore", invalid="ignore"):
        b = (n * sxy - sx * sy) / (n * sxx - sx * sx)
        a = (sy - b * sx) / n
    return float(a[-1]), float(b[-1])


def main(path):
    out = []
    t, df = cpu(lambda: pd.read_csv(path, dtype={"x": np.float64, "y": np.float64}))
    x, y = df["x"].to_numpy(), df["y"].to_numpy()
    n = len(x)
    out.append(entry("CSV/pandas_read_csv", t, n))
    want = oracle(x, y)
    t, fit = cpu(lambda: cumsum_fit(x, y))
    out.append(entry("S/numpy_cumsum", t, n, fit, want))
    try:
        from statsmodels.regression.recursive_ls import RecursiveLS
        m = 100_000
        xm, ym = x[:m], y[:m]
        exog = np.column_stack([np.ones(m), xm])
        t, res = cpu(lambda: RecursiveLS(ym, exog).fit(), reps=1)
        p = res.params
        out.append(entry("S/statsmodels_recursive_ls", t, m, (float(p[0]), float(p[1])), oracle(xm, ym)))
    except ImportError:
        print("statsmodels not installed: RecursiveLS left out", file=sys.stderr)
    rng = np.random.default_rng(20240601)
    i = np.arange(n, dtype=np.float64)
    xo = 1.7e9 + i
    yo = 3.0 + 0.5 * i + 20.0 * (rng.random(n) - 0.5)
    t, fit = cpu(lambda: cumsum_fit(xo, yo))
    out.append(entry("S_offset/numpy_cumsum", t, n, fit, oracle(xo, yo)))
    json.dump({"context": {"executable": "benchmarks/python_peers.py",
                           "numpy": np.__version__, "pandas": pd.__version__},
               "benchmarks": out}, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    main(sys.argv[1])

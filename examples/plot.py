#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""Draws the pictures of the use-case examples from the CSV files they write with --csv.

    sensor_anomaly --csv sensor_anomaly.csv
    rolling_beta --csv rolling_beta.csv
    online_forecast --csv online_forecast.csv
    python3 examples/plot.py sensor_anomaly.csv rolling_beta.csv online_forecast.csv \\
        --out-dir docs/images [--svg]

Which example wrote a file is read from its header row; each picture is written as
<out-dir>/<file name without .csv>.png (and .svg with --svg). Needs python3-matplotlib.
"""
import argparse
import csv
import os
import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def read(path):
    """The columns of a CSV file as lists of floats (None for an empty field)."""
    with open(path, newline="") as f:
        rows = list(csv.reader(f))
    header, data = rows[0], rows[1:]
    cols = {name: [] for name in header}
    for row in data:
        for name, value in zip(header, row):
            cols[name].append(float(value) if value != "" else None)
    return header, cols


def defined(xs, ys):
    pairs = [(x, y) for x, y in zip(xs, ys) if y is not None]
    return [p[0] for p in pairs], [p[1] for p in pairs]


def sensor(cols, title):
    i, temp = cols["index"], cols["temperature"]
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(10, 6.2), sharex=True,
                                      gridspec_kw={"height_ratios": [3, 1.3]})
    top.plot(i, temp, ".", ms=2.2, color="0.55", label="reading")
    x, pred = defined(i, cols["predicted"])
    top.plot(x, pred, "-", lw=0.9, color="tab:blue", label="prediction from load (window fit)")
    fault = [k for k, v in enumerate(cols["fault"]) if v == 1]
    flag = [k for k, v in enumerate(cols["flagged"]) if v == 1]
    top.scatter([i[k] for k in fault], [temp[k] for k in fault], s=60, facecolors="none",
                edgecolors="tab:red", linewidths=1.2, label=f"injected fault ({len(fault)})")
    top.scatter([i[k] for k in flag], [temp[k] for k in flag], s=14, marker="x",
                color="black", linewidths=1.0, label=f"flagged ({len(flag)})")
    top.set_ylabel("temperature")
    top.set_title(title)
    top.legend(loc="upper left", fontsize=8, ncol=2)
    resid = [t - p if p is not None else None for t, p in zip(temp, cols["predicted"])]
    x, r = defined(i, resid)
    _, band = defined(i, cols["band"])
    bottom.plot(x, r, ".", ms=2, color="0.55")
    bottom.fill_between(x, [-b for b in band], band, color="tab:blue", alpha=0.15,
                        label="k prediction SEs")
    bottom.scatter([i[k] for k in flag], [resid[k] for k in flag], s=14, marker="x",
                   color="black", linewidths=1.0)
    bottom.set_ylabel("residual")
    bottom.set_xlabel("record")
    bottom.legend(loc="upper left", fontsize=8)
    return fig


def beta(cols, title):
    i = cols["index"]
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(10, 6.2), sharex=True,
                                      gridspec_kw={"height_ratios": [1.2, 2]})
    top.plot(i, cols["market_price"], lw=0.9, label="market")
    top.plot(i, cols["asset_price"], lw=0.9, label="asset")
    top.set_ylabel("price")
    top.set_title(title)
    top.legend(loc="upper left", fontsize=8)
    for name, se, label, color in (("beta_window", "se_window", "count window", "tab:blue"),
                                   ("beta_forgetting", "se_forgetting", "forgetting",
                                    "tab:orange")):
        x, b = defined(i, cols[name])
        _, s = defined(i, cols[se])
        bottom.plot(x, b, lw=1.0, color=color, label=label)
        bottom.fill_between(x, [v - e for v, e in zip(b, s)], [v + e for v, e in zip(b, s)],
                            color=color, alpha=0.15)
    bottom.plot(i, cols["true_beta"], "--", color="black", lw=1.2, label="generating beta")
    bottom.set_ylabel("beta (± 1 se)")
    bottom.set_xlabel("record")
    bottom.legend(loc="upper left", fontsize=8)
    return fig


def forecast(cols, title):
    t, y = cols["t"], cols["y"]
    fig, (top, bottom) = plt.subplots(2, 1, figsize=(10, 6.2), sharex=True,
                                      gridspec_kw={"height_ratios": [3, 1.3]})
    top.plot(t, y, ".", ms=2.2, color="0.45", label="actual")
    x, f = defined(t, cols["forecast"])
    top.plot(x, f, "-", lw=0.9, color="tab:blue", label="one-step forecast")
    top.set_ylabel("value")
    top.set_title(title)
    top.legend(loc="upper left", fontsize=8)
    x, e = defined(t, cols["error"])
    _, ne = defined(t, [n if f is not None else None
                        for n, f in zip(cols["naive_error"], cols["forecast"])])

    def running_mae(errors):
        out, s = [], 0.0
        for k, v in enumerate(errors, 1):
            s += abs(v)
            out.append(s / k)
        return out

    bottom.plot(x, running_mae(e), color="tab:blue", label="model, running MAE")
    bottom.plot(x, running_mae(ne), color="tab:red", label="naive (last value), running MAE")
    bottom.set_ylabel("MAE")
    bottom.set_xlabel("record")
    bottom.set_ylim(bottom=0)
    bottom.legend(loc="upper right", fontsize=8)
    return fig


KINDS = {
    "flagged": (sensor, "sensor_anomaly: readings, prediction from load, faults and flags"),
    "beta_window": (beta, "rolling_beta: beta over a count window and with forgetting"),
    "forecast": (forecast, "online_forecast: one-step forecasts with forgetting vs naive"),
}


def main():
    p = argparse.ArgumentParser(description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("csv", nargs="+", help="CSV files written by the examples with --csv")
    p.add_argument("--out-dir", default=".", help="directory of the pictures")
    p.add_argument("--svg", action="store_true", help="write an SVG beside each PNG")
    p.add_argument("--dpi", type=int, default=90, help="resolution of the PNG")
    args = p.parse_args()
    os.makedirs(args.out_dir, exist_ok=True)
    for path in args.csv:
        header, cols = read(path)
        kind = next((k for k in KINDS if k in header), None)
        if kind is None:
            sys.exit(f"plot.py: {path}: not written by a use-case example (header {header})")
        draw, title = KINDS[kind]
        fig = draw(cols, title)
        fig.tight_layout()
        stem = os.path.join(args.out_dir, os.path.splitext(os.path.basename(path))[0])
        fig.savefig(stem + ".png", dpi=args.dpi)
        print(stem + ".png")
        if args.svg:
            fig.savefig(stem + ".svg")
            print(stem + ".svg")
        plt.close(fig)


if __name__ == "__main__":
    main()

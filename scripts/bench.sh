#!/usr/bin/env bash
# Builds the benchmarks (preset `bench`: Release, -O3) and runs them.
#   scripts/bench.sh                          every benchmark executable
#   scripts/bench.sh multivariate_benchmark   only those named
#   scripts/bench.sh NAME... -- FLAGS...      FLAGS go to every executable, for example
#     -- --benchmark_repetitions=3 --benchmark_report_aggregates_only=true
# Environment:
#   STREAMREG_BENCH_PRESET=bench-native       build with -march=native instead (default: bench)
#   STREAMREG_BENCH_PYTHON=1                  also install python3-numpy/pandas/statsmodels
# Each executable also writes its JSON to build/<preset>/results/<name>.json; after
# peers_benchmark, scripts/bench_table.py prints its tables (and benchmarks/python_peers.py
# runs first when numpy and pandas import).
# Compare medians of one run: the machine is usually shared (benchmarks/README.md).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/deps.sh
preset="${STREAMREG_BENCH_PRESET:-bench}"
case "$preset" in
  bench | bench-native) ;;
  *) echo "STREAMREG_BENCH_PRESET must be bench or bench-native, not $preset" >&2; exit 2 ;;
esac
packages=("${STREAMREG_BUILD_PACKAGES[@]}" "${STREAMREG_BENCH_PACKAGES[@]}")
[ "${STREAMREG_BENCH_PYTHON:-0}" = 1 ] && packages+=("${STREAMREG_BENCH_PY_PACKAGES[@]}")
ensure_packages "${packages[@]}"
names=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
  names+=("$1")
  shift
done
[ $# -gt 0 ] && shift  # the "--"
cmake --preset "$preset"
cmake --build --preset "$preset"
dir="build/$preset/benchmarks"
results="build/$preset/results"
mkdir -p "$results"
if [ ${#names[@]} -eq 0 ]; then
  for f in "$dir"/*_benchmark; do
    [ -x "$f" ] && names+=("$(basename "$f")")
  done
fi
for name in "${names[@]}"; do
  if [ ! -x "$dir/$name" ]; then
    echo "no benchmark executable $dir/$name" >&2
    exit 1
  fi
  echo "== $name" >&2
  if [ "$name" = peers_benchmark ]; then
    # Keep the CSV file for the Python peers (the same rows).
    STREAMREG_PEERS_CSV="$PWD/$results/peers.csv" \
      "$dir/$name" --benchmark_out="$results/$name.json" --benchmark_out_format=json "$@"
    tables=("$results/$name.json")
    py=""  # the first python3 with numpy and pandas (apt's, if another one comes first)
    for p in python3 /usr/bin/python3; do
      if command -v "$p" >/dev/null && "$p" -c 'import numpy, pandas' 2>/dev/null; then py="$p"; break; fi
    done
    if [ -n "$py" ]; then
      echo "== benchmarks/python_peers.py" >&2
      "$py" benchmarks/python_peers.py "$results/peers.csv" > "$results/python_peers.json"
      tables+=("$results/python_peers.json")
    else
      echo "numpy/pandas not installed: python peers not run (STREAMREG_BENCH_PYTHON=1)" >&2
    fi
    rm -f "$results/peers.csv"
    python3 scripts/bench_table.py "${tables[@]}"
  else
    "$dir/$name" --benchmark_out="$results/$name.json" --benchmark_out_format=json "$@"
  fi
done

#!/usr/bin/env bash
# Builds the benchmarks (preset `bench`: Release, -O3) and runs them.
#   scripts/bench.sh                          every benchmark executable
#   scripts/bench.sh multivariate_benchmark   only those named
#   scripts/bench.sh NAME... -- FLAGS...      FLAGS go to every executable, for example
#     -- --benchmark_repetitions=3 --benchmark_report_aggregates_only=true
# Compare medians of one run: the machine is usually shared (benchmarks/README.md).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/deps.sh
ensure_packages "${STREAMREG_BUILD_PACKAGES[@]}" "${STREAMREG_BENCH_PACKAGES[@]}"
names=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
  names+=("$1")
  shift
done
[ $# -gt 0 ] && shift  # the "--"
cmake --workflow --preset bench
dir=build/bench/benchmarks
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
  "$dir/$name" "$@"
done

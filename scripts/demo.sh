#!/usr/bin/env bash
# Builds the example binaries (Release) and runs the main demo: the reference workflow end to
# end through Kafka with no broker installed. realtime_regression --kafka-mock starts an
# in-process mock Kafka cluster, produces the built-in producer's stream into it (header x,y
# first), consumes it and prints the change stream a,b,time,diff. Extra arguments go to
# realtime_regression (try --help).
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/deps.sh
ensure_packages "${STREAMREG_BUILD_PACKAGES[@]}"
cmake --workflow --preset release >&2
exec build/release/examples/realtime_regression --kafka-mock "$@"

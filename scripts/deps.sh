# Sourced by the scripts: installs the Debian packages that are missing (apt, as root or
# through sudo). Installs nothing when everything is there.
ensure_packages() {
  local missing=()
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  echo "Installing missing packages: ${missing[*]}" >&2
  local sudo=()
  [ "$(id -u)" -eq 0 ] || sudo=(sudo)
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -qq
  "${sudo[@]}" env DEBIAN_FRONTEND=noninteractive \
    apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# What building the library, its examples and its tests needs.
STREAMREG_BUILD_PACKAGES=(cmake ninja-build g++ pkg-config libfmt-dev libcli11-dev libeigen3-dev libboost-dev
  libsimdjson-dev librdkafka-dev)
STREAMREG_TEST_PACKAGES=(clang catch2 libgmp-dev)
# What building and running the benchmarks needs (scripts/bench.sh), on top of the build packages.
STREAMREG_BENCH_PACKAGES=(libbenchmark-dev libdlib-dev libboost-dev libgsl-dev)
# Optional: benchmarks/python_peers.py (scripts/bench.sh runs it when numpy and pandas import).
STREAMREG_BENCH_PY_PACKAGES=(python3-numpy python3-pandas python3-statsmodels)

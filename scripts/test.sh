#!/usr/bin/env bash
# Builds and runs the whole test suite, as CI does: g++ C++17 under AddressSanitizer and
# UndefinedBehaviorSanitizer, clang++ C++20 optimised, and g++ C++17 Release -O3 (what users
# build); warnings are errors in all three.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."
source scripts/deps.sh
ensure_packages "${STREAMREG_BUILD_PACKAGES[@]}" "${STREAMREG_TEST_PACKAGES[@]}"
export CTEST_PARALLEL_LEVEL="${CTEST_PARALLEL_LEVEL:-2}"
cmake --workflow --preset ci-gcc
cmake --workflow --preset ci-clang
cmake --workflow --preset ci-release

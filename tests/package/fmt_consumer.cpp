// SPDX-License-Identifier: MIT
// Package test: a consumer of streamreg::fmt formats a fit with fmt through <streamreg/fmt.hpp>.
#include <streamreg/fmt.hpp>
#include <streamreg/moments.hpp>
#include <streamreg/solve.hpp>
#include <streamreg/version.hpp>

#include <fmt/format.h>

#include <cstdio>   // stderr
#include <string>   // std::string
#include <utility>  // std::pair

// The headers found belong to the package version CMake found (not a stale install).
#ifdef STREAMREG_EXPECTED_VERSION
static_assert(STREAMREG_VERSION == STREAMREG_EXPECTED_VERSION,
              "streamreg headers and package config disagree on the version");
#endif

namespace {

int check(const std::string& got, const std::string& want) {
  if (got == want) return 0;
  fmt::print(stderr, "fmt_consumer: got \"{}\", want \"{}\"\n", got, want);
  return 1;
}

}  // namespace

int main() {
  streamreg::moments<double> m;
  int failures = check(fmt::format("{}", streamreg::solve(m)), "empty (n=0)");
  for (auto [x, y] : {std::pair{0.0, 1.0}, {1.0, 3.0}, {2.0, 5.0}}) m.push(x, y);
  const auto fit = streamreg::solve(m);
  failures += check(fmt::format("{}", fit), "y = 1 + 2 x (n=3)");
  failures += check(fmt::format("{:.3f}", fit), "y = 1.000 + 2.000 x (n=3)");
  fmt::print("{}\n", fit);
  return failures == 0 ? 0 : 1;
}

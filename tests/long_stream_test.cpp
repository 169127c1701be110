// SPDX-License-Identifier: MIT
// Long streams keep their digits: moments<double>, <long double>, <float> and precise_moments
// against the exact fit (128-bit integer sums, GMP rationals) of the same values at prefixes up
// to 10⁷ records. The opt-in target tests/long/long_stream runs the same checks to 10⁹.
#include <streamreg/moments.hpp>
#include <streamreg/solve.hpp>

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdint>
#include <vector>

#include "support/long_stream.hpp"

namespace {

using streamreg_test::exact_fit;
using streamreg_test::exact_sums;
using streamreg_test::grid_stream;
using streamreg_test::prefixes;

struct bars {
  double coef_in_se;  // coefficient error, in standard errors of the exact fit
  double coef_rel;    // or relative (for float and the precise state)
  double inference_rel;
};

template <class State>
void check_prefix(const State& m, const exact_sums& s, const bars& bar) {
  const auto e = exact_fit(s);
  const auto r = streamreg::infer(m);
  INFO("n = " << s.n);
  REQUIRE(r.status == streamreg::fit_status::ok);
  const double a = static_cast<double>(r.fit.intercept), b = static_cast<double>(r.fit.slope);
  if (bar.coef_in_se > 0) {
    CHECK(std::abs(a - e.intercept) <= bar.coef_in_se * e.se_intercept);
    CHECK(std::abs(b - e.slope) <= bar.coef_in_se * e.se_slope);
  } else {
    CHECK_THAT(a, Catch::Matchers::WithinRel(e.intercept, bar.coef_rel));
    CHECK_THAT(b, Catch::Matchers::WithinRel(e.slope, bar.coef_rel));
  }
  CHECK_THAT(static_cast<double>(r.residual_sd),
             Catch::Matchers::WithinRel(e.residual_sd, bar.inference_rel));
  CHECK_THAT(static_cast<double>(r.se_slope), Catch::Matchers::WithinRel(e.se_slope, bar.inference_rel));
  CHECK_THAT(static_cast<double>(r.se_intercept),
             Catch::Matchers::WithinRel(e.se_intercept, bar.inference_rel));
  CHECK_THAT(static_cast<double>(r.r_squared), Catch::Matchers::WithinRel(e.r_squared, bar.inference_rel));
}

template <class State>
void run(std::uint64_t n, grid_stream g, const bars& bar) {
  using T = typename State::value_type;
  State m;
  exact_sums s;
  s.g = g.g;
  const auto at = prefixes(n);
  std::size_t next = 0;
  std::uint64_t refused = 0;
  for (std::uint64_t i = 1; i <= n; ++i) {
    const auto r = g.next();
    refused += m.push(static_cast<T>(r.x), static_cast<T>(r.y)) ? 0u : 1u;
    s.add(r.x, r.y_scaled);
    if (next < at.size() && i == at[next]) {
      check_prefix(m, s, bar);
      ++next;
    }
  }
  CHECK(refused == 0);
}

}  // namespace

TEST_CASE("moments: a 10^7-record stream keeps its digits at every decade",
          "[moments][long]") {
  // y = 2x + 1 + U(−0.1, 0.1) on a 2^-14 grid, x = 0, 1, ..., n − 1: Syy / SSE reaches 1e18,
  // past 1/ε, where SSE = Syy − b·Sxy has no digit left.
  const bars bar{0.01, 0, 1e-10};
  SECTION("double") { run<streamreg::moments<double>>(10'000'000, grid_stream{}, bar); }
  SECTION("long double") { run<streamreg::moments<long double>>(10'000'000, grid_stream{}, bar); }
  SECTION("float, x = i mod 1000 (values exact in float): within 1e-4 relative") {
    grid_stream g;
    g.g = 12;
    g.period = 1000;
    run<streamreg::moments<float>>(10'000'000, g, bars{0, 1e-4, 1e-4});
  }
  SECTION("precise_moments: within 1e-12 relative, coefficients included") {
    run<streamreg::precise_moments>(1'000'000, grid_stream{}, bars{0, 1e-12, 1e-12});
  }
}

TEST_CASE("moments: weights and merges keep the long-stream digits", "[moments][long][merge]") {
  const bars bar{0.01, 0, 1e-10};
  grid_stream g;
  streamreg::moments<double> weighted, even, odd;
  exact_sums s, sw;
  const auto at = prefixes(1'000'000);
  std::size_t next = 0;
  std::uint64_t refused = 0;
  for (std::uint64_t i = 1; i <= 1'000'000; ++i) {
    const auto r = g.next();
    const auto w = static_cast<std::int64_t>(1 + i % 3);
    refused += weighted.push(static_cast<double>(r.x), r.y, static_cast<double>(w)) ? 0u : 1u;
    sw.add(r.x, r.y_scaled, w);
    (i % 2 == 0 ? even : odd).push(static_cast<double>(r.x), r.y);
    s.add(r.x, r.y_scaled);
    if (next < at.size() && i == at[next]) {
      check_prefix(weighted, sw, bar);
      auto merged = even;
      merged += odd;
      check_prefix(merged, s, bar);
      auto other_order = odd;
      other_order += even;
      check_prefix(other_order, s, bar);
      ++next;
    }
  }
  CHECK(refused == 0);
}

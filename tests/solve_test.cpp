// SPDX-License-Identifier: MIT
// solve() and infer(): accuracy on timestamp-offset streams at every prefix, edge statuses,
// extreme magnitudes, NIST StRD Norris, Anscombe's quartet and inference against exact
// rationals.
#include <streamreg/moments.hpp>
#include <streamreg/solve.hpp>
#include <streamreg/sums.hpp>

#include <catch2/catch.hpp>

#include <algorithm>  // std::max
#include <cmath>      // std::isnan, std::ldexp
#include <cstddef>    // std::size_t
#include <cstdint>    // std::uint64_t
#include <limits>     // std::numeric_limits
#include <string>     // std::string
#include <vector>     // std::vector

#include "support/oracle.hpp"

namespace {

using streamreg::fit_status;
using streamreg::infer;
using streamreg::moments;
using streamreg::neumaier_sum;
using streamreg::raw_sums;
using streamreg::solve;
using streamreg_test::check_inference;
using streamreg_test::exact_fit;
using streamreg_test::exact_running_fit;
using streamreg_test::lre;
using streamreg_test::point;
using streamreg_test::rel_error;
using streamreg_test::to_mpq;
using streamreg_test::within_rel_exact;
using streamreg_test::within_rel_exact_sqrt;

constexpr double a_nan = std::numeric_limits<double>::quiet_NaN();
constexpr double an_inf = std::numeric_limits<double>::infinity();

template <class State>
State push_all(const std::vector<point>& d) {
  State s;
  for (const auto& p : d) s.push(p.x, p.y);
  return s;
}

/// Calls f(State{}, name) for each double accumulator.
template <class F>
void for_each_state(F f) {
  f(moments<double>{}, "moments<double>");
  f(raw_sums<double>{}, "raw_sums<double>");
  f(raw_sums<double, neumaier_sum>{}, "raw_sums<double, neumaier_sum>");
}

template <class Fit>
void check_undefined(const Fit& f) {
  CHECK_FALSE(f);
  CHECK(std::isnan(f.intercept));
  CHECK(std::isnan(f.slope));
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Accuracy on offset data
// ---------------------------------------------------------------------------------------------

TEST_CASE("solve: offset data agrees with the exact fit at every prefix", "[solve][accuracy]") {
  // Timestamps x = 1.7e9 + k·step (fractional steps, irregular increments, unordered), y on a
  // line in x − 1.7e9 with noise, with and without a large offset of its own. moments<double>
  // must give the exact rational fit of every prefix to 1e-12 relative (measured on these
  // 20 streams: at most 2e-14, typically 1e-15; 1.6e-13 on other seeds, at a 23-record prefix
  // of the 1/1024 steps where noise dominates the slope). The five raw sums in double are
  // shown not to (measured: worst slope errors of 0.3 .. 28 relative per stream, and a
  // quarter of all prefixes where the determinant cancels to <= 0, status constant_x).
  using streamreg_test::x_pattern;
  for (const auto pattern : {x_pattern::step_tenth, x_pattern::step_037, x_pattern::step_dyadic,
                             x_pattern::irregular, x_pattern::jittered}) {
    for (const double y_offset : {0.0, 3e8}) {
      for (const std::uint64_t seed : {101u, 102u}) {
        const auto d = streamreg_test::offset_stream(seed, 2000, pattern, y_offset, 0.05);
        moments<double> m;
        raw_sums<double> raw;
        exact_running_fit ex;
        double worst_slope = 0, worst_intercept = 0, worst_raw = 0;
        std::size_t worst_at = 0, not_ok = 0;
        for (std::size_t i = 0; i < d.size(); ++i) {
          m.push(d[i].x, d[i].y);
          raw.push(d[i].x, d[i].y);
          ex.add(d[i]);
          if (i == 0) continue;
          const mpq_class slope = ex.slope();
          const mpq_class intercept = ex.intercept();
          const auto f = solve(m);
          if (!f) {
            ++not_ok;
            continue;
          }
          const double es = rel_error(f.slope, slope);
          const double ei = rel_error(f.intercept, intercept);
          if (std::max(es, ei) > std::max(worst_slope, worst_intercept)) worst_at = i + 1;
          worst_slope = std::max(worst_slope, es);
          worst_intercept = std::max(worst_intercept, ei);
          const auto fr = solve(raw);
          worst_raw = std::max(worst_raw, fr ? rel_error(fr.slope, slope) : an_inf);
        }
        INFO(streamreg_test::to_string(pattern) << ", y offset " << y_offset << ", seed " << seed
                                                << "; worst at n = " << worst_at);
        CHECK(not_ok == 0);
        CHECK(worst_slope <= 1e-12);
        CHECK(worst_intercept <= 1e-12);
        // Documentation: the raw sums lose (nearly) every digit on the same data.
        INFO("raw_sums<double> worst slope error " << worst_raw);
        CHECK(worst_raw > 1e-6);
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Edge statuses
// ---------------------------------------------------------------------------------------------

TEST_CASE("solve: an empty state is empty and one record too_few_points", "[solve][edge]") {
  for_each_state([](auto s, const char* name) {
    INFO(name);
    const auto f0 = solve(s);
    CHECK(f0.status == fit_status::empty);
    CHECK(f0.n == 0);
    check_undefined(f0);
    REQUIRE(s.push(1.5, 2.0));
    const auto f1 = solve(s);
    CHECK(f1.status == fit_status::too_few_points);
    CHECK(f1.n == 1);
    check_undefined(f1);
    REQUIRE(s.push(2.0, 3.0));
    const auto f2 = solve(s);
    CHECK(f2.status == fit_status::ok);
    CHECK(f2.slope == 2.0);  // exact: (3 − 2) / (2 − 1.5)
  });
  SECTION("moments: at a timestamp offset") {
    moments<double> m;
    REQUIRE(m.push(1.7e9, 2.0));
    CHECK(solve(m).status == fit_status::too_few_points);
    REQUIRE(m.push(1.7e9 + 0.5, 3.0));
    const auto f = solve(m);
    CHECK(f.status == fit_status::ok);
    CHECK(f.slope == 2.0);
    // intercept = 2 − 2 · 1.7e9 exactly (representable)
    CHECK(f.intercept == 2.0 - 3.4e9);
  }
}

TEST_CASE("solve: constant x is constant_x with NaN coefficients", "[solve][edge]") {
  for_each_state([](auto s, const char* name) {
    INFO(name);
    for (const double y : {1.0, 2.0, 5.0, -4.0}) s.push(3.0, y);
    const auto f = solve(s);
    CHECK(f.status == fit_status::constant_x);
    CHECK(f.n == 4);
    check_undefined(f);
    const auto inf_ = infer(s);
    CHECK_FALSE(inf_.defined());
    CHECK(std::isnan(inf_.residual_sd));
  });
  SECTION("moments: also at a timestamp offset") {
    moments<double> m;
    for (int i = 0; i < 100; ++i) m.push(1.7e9 + 0.1, 0.37 * i);
    const auto f = solve(m);
    CHECK(f.status == fit_status::constant_x);
    check_undefined(f);
  }
}

TEST_CASE("solve: constant y has slope exactly 0", "[solve][edge]") {
  // The exact fit of constant y is slope 0, intercept y (and R² undefined: Syy == 0).
  for_each_state([](auto s, const char* name) {
    INFO(name);
    for (const double x : {1.0, 2.5, 4.0, 7.0}) s.push(x, 2.75);
    const auto f = solve(s);
    REQUIRE(f.status == fit_status::ok);
    CHECK(f.slope == 0.0);
    CHECK_THAT(f.intercept, Catch::Matchers::WithinRel(2.75, 1e-15));
  });
  SECTION("moments: at a timestamp offset, and inference") {
    moments<double> m;
    for (int i = 0; i < 100; ++i) m.push(1.7e9 + 0.37 * i, -1234.5);
    const auto r = infer(m);
    REQUIRE(r.fit.status == fit_status::ok);
    CHECK(r.fit.slope == 0.0);
    CHECK(r.fit.intercept == -1234.5);
    CHECK(r.residual_sd == 0.0);
    CHECK(std::isnan(r.r_squared));
  }
}

TEST_CASE("solve: push rejects NaN and infinity and leaves the state unchanged", "[solve][edge]") {
  for_each_state([](auto s, const char* name) {
    INFO(name);
    s.push(1.0, 2.0);
    s.push(2.0, 2.5);
    s.push(4.0, 7.0);
    const auto before = s;
    const auto fit_before = solve(s);
    CHECK_FALSE(s.push(a_nan, 1.0));
    CHECK_FALSE(s.push(1.0, a_nan));
    CHECK_FALSE(s.push(an_inf, 1.0));
    CHECK_FALSE(s.push(1.0, -an_inf));
    CHECK_FALSE(s.push(-an_inf, a_nan));
    CHECK(s == before);
    CHECK(s.count() == 3);
    CHECK(solve(s) == fit_before);
  });
}

TEST_CASE("solve: magnitudes near 1e150 and 1e-150 are ok and accurate", "[solve][edge]") {
  // Moderate data scaled by 2^±500 (about 3e150 and 3e-151): scaling by a power of two is
  // exact, so the exact fit scales with it, and the computation must too.
  const auto base = streamreg_test::linear_data(91, 500, 1.0, 3.0, 0.25, 0.5, 0.01);
  for (const int e : {500, -500}) {
    std::vector<point> d(base.size());
    for (std::size_t i = 0; i < d.size(); ++i) {
      d[i] = {std::ldexp(base[i].x, e), std::ldexp(base[i].y, e)};
    }
    const auto ex = exact_fit(d);
    INFO("scale 2^" << e);
    const auto r = infer(push_all<moments<double>>(d));
    REQUIRE(r.fit.status == fit_status::ok);
    CHECK_THAT(r.fit.slope, within_rel_exact<double>(ex.slope, 1e-12));
    CHECK_THAT(r.fit.intercept, within_rel_exact<double>(ex.intercept, 1e-12));
    CHECK_THAT(r.residual_sd, within_rel_exact_sqrt<double>(ex.residual_var, 1e-10));
    CHECK_THAT(r.r_squared, within_rel_exact<double>(ex.r_squared, 1e-12));
  }
  SECTION("x near 1e150, y near 1e-150: slope near 1e-300") {
    std::vector<point> d(base.size());
    for (std::size_t i = 0; i < d.size(); ++i) {
      d[i] = {std::ldexp(base[i].x, 500), std::ldexp(base[i].y, -500)};
    }
    const auto ex = exact_fit(d);
    for_each_state([&](auto s, const char* name) {
      INFO(name);
      for (const auto& p : d) s.push(p.x, p.y);
      const auto f = solve(s);
      REQUIRE(f.status == fit_status::ok);
      CHECK_THAT(f.slope, within_rel_exact<double>(ex.slope, 1e-12));
      CHECK_THAT(f.intercept, within_rel_exact<double>(ex.intercept, 1e-12));
    });
  }
}

TEST_CASE("solve: overflow of the state is not_finite", "[solve][edge]") {
  for_each_state([](auto s, const char* name) {
    INFO(name);
    // Finite records whose squares (about 1e400) overflow.
    REQUIRE(s.push(1e200, 1.0));
    REQUIRE(s.push(2e200, 2.0));
    REQUIRE(s.push(4e200, 2.5));
    const auto f = solve(s);
    CHECK(f.status == fit_status::not_finite);
    CHECK(f.n == 3);
    check_undefined(f);
    CHECK_FALSE(infer(s).defined());
  });
}

// ---------------------------------------------------------------------------------------------
// NIST StRD Norris
// ---------------------------------------------------------------------------------------------

TEST_CASE("solve: NIST StRD Norris to the certified values", "[solve][nist]") {
  const auto set = streamreg_test::read_nist(streamreg_test::data_path("nist/Norris.dat"));
  REQUIRE(set.data.size() == 36);
  const auto& c = set.cert;

  SECTION("the oracle reproduces the certified values (checks the reader)") {
    const auto ex = exact_fit(set.data);
    CHECK(lre(ex.intercept.get_d(), c.b0) >= 13.5);
    CHECK(lre(ex.slope.get_d(), c.b1) >= 13.5);
    CHECK(lre(std::sqrt(ex.var_intercept.get_d()), c.b0_sd) >= 13.5);
    CHECK(lre(std::sqrt(ex.var_slope.get_d()), c.b1_sd) >= 13.5);
    CHECK(lre(std::sqrt(ex.residual_var.get_d()), c.residual_sd) >= 13.5);
    CHECK(lre(ex.r_squared.get_d(), c.r_squared) >= 13.5);
  }

  // Records pushed one at a time, as a stream delivers them. Floors a little below the
  // measured LREs (moments<double>: B0 13.7, B1 14.4, SE(B0) 14.0, SE(B1) 14.2, residual SD
  // 14.0, R² 15; raw_sums<double>: 12.2 / 14.4 / 10.8 / 10.8 / 10.8 / 15; with Neumaier sums
  // 13.3 / 14.4 / 10.8 / 10.8 / 10.8 / 15). The raw sums' SD figures are limited by
  // SSE = Syy − Sxy²/Sxx, which cancels by a factor 1.6e5 on this nearly exact line; moments
  // carries SSE as a sum of non-negative terms instead.
  struct floors {
    double b0, b1, sd;
  };
  const auto check = [&](const auto& r, floors fl) {
    REQUIRE(r.fit.status == fit_status::ok);
    CHECK(r.fit.n == 36);
    CHECK(r.df == 34);
    const double lre_b0 = lre(r.fit.intercept, c.b0);
    const double lre_b1 = lre(r.fit.slope, c.b1);
    const double lre_se0 = lre(r.se_intercept, c.b0_sd);
    const double lre_se1 = lre(r.se_slope, c.b1_sd);
    const double lre_sd = lre(r.residual_sd, c.residual_sd);
    const double lre_r2 = lre(r.r_squared, c.r_squared);
    INFO("LRE: B0 " << lre_b0 << ", B1 " << lre_b1 << ", SE(B0) " << lre_se0 << ", SE(B1) "
                    << lre_se1 << ", residual SD " << lre_sd << ", R² " << lre_r2);
    CHECK(lre_b0 >= fl.b0);
    CHECK(lre_b1 >= fl.b1);
    CHECK(lre_se0 >= fl.sd);
    CHECK(lre_se1 >= fl.sd);
    CHECK(lre_sd >= fl.sd);
    CHECK(lre_r2 >= 14.5);
  };
  SECTION("moments<double>") {
    check(infer(push_all<moments<double>>(set.data)), {13.3, 14.0, 13.5});
  }

  SECTION("raw_sums<double>") {
    check(infer(push_all<raw_sums<double>>(set.data)), {12.0, 14.0, 10.5});
  }
  SECTION("raw_sums<double, neumaier_sum>") {
    check(infer(push_all<raw_sums<double, neumaier_sum>>(set.data)), {13.0, 14.0, 10.5});
  }
}

// ---------------------------------------------------------------------------------------------
// Anscombe's quartet
// ---------------------------------------------------------------------------------------------

TEST_CASE("solve: Anscombe's quartet", "[solve][anscombe]") {
  // Anscombe (1973), "Graphs in Statistical Analysis", The American Statistician 27(1).
  const std::vector<double> x123{10, 8, 13, 9, 11, 14, 6, 4, 12, 7, 5};
  const std::vector<double> x4{8, 8, 8, 8, 8, 8, 8, 19, 8, 8, 8};
  const std::vector<std::vector<double>> ys{
      {8.04, 6.95, 7.58, 8.81, 8.33, 9.96, 7.24, 4.26, 10.84, 4.82, 5.68},
      {9.14, 8.14, 8.74, 8.77, 9.26, 8.10, 6.13, 3.10, 9.13, 7.26, 4.74},
      {7.46, 6.77, 12.74, 7.11, 7.81, 8.84, 6.08, 5.39, 8.15, 6.42, 5.73},
      {6.58, 5.76, 7.71, 8.84, 8.47, 7.04, 5.25, 12.50, 5.56, 7.91, 6.89}};
  // The published 4-digit values of each set (intercept, slope, R²).
  const double published[4][3] = {{3.0001, 0.5001, 0.6665},
                                   {3.0009, 0.5000, 0.6662},
                                   {3.0025, 0.4997, 0.6663},
                                   {3.0017, 0.4999, 0.6667}};
  for (std::size_t k = 0; k < 4; ++k) {
    INFO("set " << k + 1);
    const auto& xs = k == 3 ? x4 : x123;
    std::vector<point> d;
    for (std::size_t i = 0; i < xs.size(); ++i) d.push_back({xs[i], ys[k][i]});
    const auto ex = exact_fit(d);
    const auto r = infer(push_all<moments<double>>(d));
    REQUIRE(r.fit.status == fit_status::ok);
    CHECK_THAT(r.fit.intercept, within_rel_exact<double>(ex.intercept, 1e-14));
    CHECK_THAT(r.fit.slope, within_rel_exact<double>(ex.slope, 1e-14));
    CHECK_THAT(r.r_squared, within_rel_exact<double>(ex.r_squared, 1e-14));
    CHECK_THAT(r.residual_sd, within_rel_exact_sqrt<double>(ex.residual_var, 1e-14));
    // The famous summary: intercept 3.00, slope 0.500, R² 0.67 for all four sets...
    CHECK_THAT(r.fit.intercept, Catch::Matchers::WithinAbs(3.00, 0.005));
    CHECK_THAT(r.fit.slope, Catch::Matchers::WithinAbs(0.500, 0.0005));
    CHECK_THAT(r.r_squared, Catch::Matchers::WithinAbs(0.67, 0.005));
    // ... and each set's published 4-digit values.
    CHECK_THAT(r.fit.intercept, Catch::Matchers::WithinAbs(published[k][0], 0.5e-4));
    CHECK_THAT(r.fit.slope, Catch::Matchers::WithinAbs(published[k][1], 0.5e-4));
    CHECK_THAT(r.r_squared, Catch::Matchers::WithinAbs(published[k][2], 0.5e-4));
  }
}

// ---------------------------------------------------------------------------------------------
// Inference
// ---------------------------------------------------------------------------------------------

namespace {


}  // namespace

TEST_CASE("solve: inference matches the exact oracle", "[solve][inference]") {
  SECTION("n = 3") {
    const std::vector<point> d{{1.0, 2.0}, {2.0, 3.5}, {4.0, 4.25}};
    const auto ex = exact_fit(d);
    for_each_state([&](auto s, const char* name) {
      INFO(name);
      for (const auto& p : d) s.push(p.x, p.y);
      check_inference(infer(s), ex, 1e-14);
    });
  }
  SECTION("random data") {
    for (const std::uint64_t seed : {201u, 202u, 203u}) {
      INFO("seed " << seed);
      const auto d = streamreg_test::linear_data(seed, 200, -2.0, 5.0, 1.0, 0.7, 0.5);
      check_inference(infer(push_all<moments<double>>(d)), exact_fit(d), 1e-12);
    }
  }
  SECTION("offset data") {
    // The intercept's variance is dominated by x̄² / Sxx (about 3e11 here); SSE cancels
    // against Syy by a factor 1 / (1 − R²).
    const auto d = streamreg_test::offset_stream(204, 1000, streamreg_test::x_pattern::jittered,
                                                 3e8, 20.0);
    const auto ex = exact_fit(d);
    check_inference(infer(push_all<moments<double>>(d)), ex, 1e-10);
  }
  SECTION("n = 2: df = 0, inference undefined, the fit itself ok") {
    for_each_state([](auto s, const char* name) {
      INFO(name);
      s.push(1.0, 2.0);
      s.push(3.0, 7.0);
      const auto r = infer(s);
      CHECK(r.fit.status == fit_status::ok);
      CHECK_THAT(r.fit.slope, Catch::Matchers::WithinRel(2.5, 1e-15));
      CHECK_THAT(r.fit.intercept, Catch::Matchers::WithinAbs(-0.5, 1e-15));
      CHECK(r.df == 0);
      CHECK_FALSE(r.defined());
      CHECK(std::isnan(r.residual_sd));
      CHECK(std::isnan(r.r_squared));
      CHECK(std::isnan(r.se_intercept));
      CHECK(std::isnan(r.se_slope));
      CHECK(std::isnan(r.cov_intercept_slope));
      CHECK(std::isnan(r.t_intercept));
      CHECK(std::isnan(r.t_slope));
    });
  }
}

TEST_CASE("infer: an overflowed Syy is not_finite, never a silent R^2", "[solve][inference][edges]") {
  // Sxx and Sxy are finite, Syy ≈ 1.2e400 overflows double.
  streamreg::moments<double> m;
  m.push(1.0, 1e200);
  m.push(2.0, 2e200);
  m.push(3.0, 2.5e200);
  const auto r = streamreg::infer(m);
  CHECK(r.fit.status == streamreg::fit_status::ok);
  CHECK(r.status == streamreg::fit_status::not_finite);
  CHECK_FALSE(r.defined());
  CHECK(std::isnan(r.r_squared));
  CHECK(std::isnan(r.residual_sd));

  // n = 2: the fit is ok, its inference has no degrees of freedom.
  streamreg::moments<double> two;
  two.push(0.0, 1.0);
  two.push(1.0, 3.0);
  CHECK(streamreg::infer(two).status == streamreg::fit_status::too_few_points);
}

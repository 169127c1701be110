// SPDX-License-Identifier: MIT
// Weighted records in moments<T> and raw_sums<T>: push(x, y, w) against the exact rational
// weighted least-squares fit, invalid weights, w = 1 against the unweighted push bit for bit,
// w = 2 against a repeated record, inference under the reliability-weight convention of R's
// lm, weighted retraction, and exactness with a rational scalar.
#include <streamreg/moments.hpp>
#include <streamreg/solve.hpp>
#include <streamreg/sums.hpp>

#include <catch2/catch.hpp>

#include <cmath>    // std::abs
#include <cstddef>  // std::size_t
#include <cstdint>  // std::uint64_t
#include <limits>   // std::numeric_limits
#include <utility>  // std::swap
#include <vector>   // std::vector

#include "support/oracle.hpp"

namespace {

using streamreg::fit_status;
using streamreg::infer;
using streamreg::moments;
using streamreg::neumaier_sum;
using streamreg::raw_sums;
using streamreg::solve;
using streamreg_test::exact_ols;
using streamreg_test::exact_weighted_fit;
using streamreg_test::point;
using streamreg_test::splitmix64;
using streamreg_test::to_mpq;
using streamreg_test::within_rel_exact;
using streamreg_test::within_rel_exact_sqrt;

constexpr double a_nan = std::numeric_limits<double>::quiet_NaN();
constexpr double an_inf = std::numeric_limits<double>::infinity();

/// A data set with one weight per record.
struct weighted_data {
  const char* name;
  std::vector<point> d;
  std::vector<double> w;
};

/// Weights spread over two decades, (0.1, 10), so that no record dominates or vanishes.
std::vector<double> random_weights(std::uint64_t seed, std::size_t n) {
  splitmix64 rng(seed);
  std::vector<double> w(n);
  for (auto& v : w) v = rng.uniform(0.1, 10.0);
  return w;
}

/// Moderate data (x in [-2, 5]), on which every accumulator is accurate.
weighted_data moderate_data() {
  return {"moderate x in [-2, 5]", streamreg_test::linear_data(11, 500, -2.0, 5.0, 1.0, 0.7, 0.5),
          random_weights(12, 500)};
}

/// Offset data: x = 1.7e9 + 0.37 k, y = 3e8 + 2.5 + 0.75 (x − 1.7e9) + N(0, 1).
weighted_data offset_data() {
  return {"offset x = 1.7e9 + 0.37 k",
          streamreg_test::offset_stream(13, 1000, streamreg_test::x_pattern::step_037, 3e8, 1.0),
          random_weights(14, 1000)};
}

template <class State>
State push_weighted(const weighted_data& wd) {
  State s;
  for (std::size_t i = 0; i < wd.d.size(); ++i) REQUIRE(s.push(wd.d[i].x, wd.d[i].y, wd.w[i]));
  return s;
}

/// Count, weight sum, means, co-moments and the fit of a double state against the exact
/// weighted values.
template <class State>
void check_state(const State& s, const exact_ols& ex, double tol) {
  REQUIRE(ex.has_line);
  CHECK(s.count() == ex.n);
  CHECK_THAT(s.weight_sum(), within_rel_exact<double>(ex.weight_sum, tol));
  CHECK_THAT(s.shift_x() + s.mean_dx(), within_rel_exact<double>(ex.mean_x, tol));
  CHECK_THAT(s.shift_y() + s.mean_dy(), within_rel_exact<double>(ex.mean_y, tol));
  CHECK_THAT(s.sxx(), within_rel_exact<double>(ex.sxx, tol));
  CHECK_THAT(s.sxy(), within_rel_exact<double>(ex.sxy, tol));
  CHECK_THAT(s.syy(), within_rel_exact<double>(ex.syy, tol));
  const auto f = solve(s);
  REQUIRE(f.status == fit_status::ok);
  CHECK_THAT(f.slope, within_rel_exact<double>(ex.slope, tol));
  CHECK_THAT(f.intercept, within_rel_exact<double>(ex.intercept, tol));
}

std::vector<std::size_t> permutation(std::size_t n, splitmix64& rng) {
  std::vector<std::size_t> order(n);
  for (std::size_t i = 0; i < n; ++i) order[i] = i;
  for (std::size_t i = n; i-- > 1;) std::swap(order[i], order[rng.index(i + 1)]);
  return order;
}

}  // namespace

TEST_CASE("moments: weighted push matches the exact weighted least squares", "[moments][weights]") {
  for (const auto& wd : {moderate_data(), offset_data()}) {
    INFO(wd.name);
    check_state(push_weighted<moments<double>>(wd), exact_weighted_fit(wd.d, wd.w), 1e-12);
  }
  SECTION("long double, a tighter tolerance") {
    const auto wd = offset_data();
    moments<long double> m;
    for (std::size_t i = 0; i < wd.d.size(); ++i) {
      m.push(static_cast<long double>(wd.d[i].x), static_cast<long double>(wd.d[i].y),
             static_cast<long double>(wd.w[i]));
    }
    const auto ex = exact_weighted_fit(wd.d, wd.w);
    const auto f = solve(m);
    REQUIRE(f.status == fit_status::ok);
    CHECK_THAT(f.slope, within_rel_exact<long double>(ex.slope, 1e-15));
    CHECK_THAT(f.intercept, within_rel_exact<long double>(ex.intercept, 1e-15));
  }
}

TEST_CASE("raw_sums: weighted push matches the exact weighted least squares",
          "[raw_sums][weights]") {
  const auto wd = moderate_data();
  const auto ex = exact_weighted_fit(wd.d, wd.w);
  SECTION("plain_sum") { check_state(push_weighted<raw_sums<double>>(wd), ex, 1e-12); }
  SECTION("neumaier_sum") {
    check_state(push_weighted<raw_sums<double, neumaier_sum>>(wd), ex, 1e-12);
  }
  SECTION("the literal weighted sums") {
    const auto s = push_weighted<raw_sums<double>>(wd);
    mpq_class sw, swx, swy, swxy, swxx, swyy;
    for (std::size_t i = 0; i < wd.d.size(); ++i) {
      const mpq_class w = to_mpq(wd.w[i]), x = to_mpq(wd.d[i].x), y = to_mpq(wd.d[i].y);
      sw += w;
      swx += w * x;
      swy += w * y;
      swxy += w * x * y;
      swxx += w * x * x;
      swyy += w * y * y;
    }
    CHECK_THAT(s.weight_sum(), within_rel_exact<double>(sw, 1e-13));
    CHECK_THAT(s.sum_x(), within_rel_exact<double>(swx, 1e-12));
    CHECK_THAT(s.sum_y(), within_rel_exact<double>(swy, 1e-12));
    CHECK_THAT(s.sum_xy(), within_rel_exact<double>(swxy, 1e-12));
    CHECK_THAT(s.sum_xx(), within_rel_exact<double>(swxx, 1e-12));
    CHECK_THAT(s.sum_yy(), within_rel_exact<double>(swyy, 1e-12));
  }
}

TEST_CASE("weights: w <= 0, NaN and infinite weights are rejected, the state unchanged",
          "[moments][raw_sums][weights][edge]") {
  const std::vector<double> bad{0.0,   -0.0,   -1.0,   -std::numeric_limits<double>::denorm_min(),
                                a_nan, an_inf, -an_inf};
  const auto wd = moderate_data();
  const auto check = [&](auto s) {
    for (std::size_t i = 0; i < 10; ++i) s.push(wd.d[i].x, wd.d[i].y, wd.w[i]);
    const auto before = s;
    for (const double w : bad) {
      INFO("w = " << w);
      CHECK_FALSE(s.push(1.0, 2.0, w));
      CHECK(s == before);
      CHECK_FALSE(s.pop(wd.d[0].x, wd.d[0].y, w));
      CHECK(s == before);
    }
    // A valid weight with a non-finite x or y is rejected too.
    CHECK_FALSE(s.push(a_nan, 1.0, 1.0));
    CHECK_FALSE(s.push(1.0, an_inf, 2.0));
    CHECK(s == before);
    // The smallest positive weight is a weight.
    CHECK(s.push(1.0, 2.0, std::numeric_limits<double>::denorm_min()));
    CHECK(s.count() == before.count() + 1);
  };
  SECTION("moments<double>") { check(moments<double>{}); }
  SECTION("raw_sums<double>") { check(raw_sums<double>{}); }
  SECTION("raw_sums<double, neumaier_sum>") { check(raw_sums<double, neumaier_sum>{}); }
  SECTION("an empty state stays empty") {
    moments<double> m;
    raw_sums<double> r;
    for (const double w : bad) {
      CHECK_FALSE(m.push(1.0, 2.0, w));
      CHECK_FALSE(r.push(1.0, 2.0, w));
    }
    CHECK(m == moments<double>{});
    CHECK(r == raw_sums<double>{});
  }
  SECTION("exact scalar types") {
    raw_sums<long long> i;
    i.push(1, 2, 3);
    const auto i0 = i;
    CHECK_FALSE(i.push(4, 5, 0));
    CHECK_FALSE(i.push(4, 5, -2));
    CHECK(i == i0);
    raw_sums<mpq_class> q;
    q.push(1, 2, mpq_class(1, 3));
    const auto q0 = q;
    CHECK_FALSE(q.push(4, 5, mpq_class(0)));
    CHECK_FALSE(q.push(4, 5, mpq_class(-1, 2)));
    CHECK(q == q0);
  }
}

TEST_CASE("weights: push(x, y) equals push(x, y, 1) bit for bit", "[moments][raw_sums][weights]") {
  // Unit records interleaved with weighted ones, so that w = 1 also meets fractional weight
  // sums; both states see the same sequence, one through the two-argument push.
  const auto wd = offset_data();
  const auto check = [&](auto a) {
    auto b = a;
    for (std::size_t i = 0; i < wd.d.size(); ++i) {
      const double x = wd.d[i].x, y = wd.d[i].y;
      if (i % 5 == 3) {
        REQUIRE(a.push(x, y, wd.w[i]));
        REQUIRE(b.push(x, y, wd.w[i]));
      } else {
        REQUIRE(a.push(x, y));
        REQUIRE(b.push(x, y, 1.0));
      }
      REQUIRE(a == b);
    }
    // And after retractions in between.
    for (std::size_t i = 0; i < 200; i += 7) {
      REQUIRE(a.pop(wd.d[i].x, wd.d[i].y, i % 5 == 3 ? wd.w[i] : 1.0));
      REQUIRE(b.pop(wd.d[i].x, wd.d[i].y, i % 5 == 3 ? wd.w[i] : 1.0));
      a.push(wd.d[i].y, wd.d[i].x);
      b.push(wd.d[i].y, wd.d[i].x, 1.0);
      REQUIRE(a == b);
    }
    const auto fa = solve(a), fb = solve(b);
    CHECK(fa == fb);
  };
  SECTION("moments<double>") { check(moments<double>{}); }
  SECTION("raw_sums<double>") { check(raw_sums<double>{}); }
  SECTION("raw_sums<double, neumaier_sum>") { check(raw_sums<double, neumaier_sum>{}); }
  SECTION("moments<float>") {
    moments<float> a, b;
    splitmix64 rng(15);
    for (int i = 0; i < 1000; ++i) {
      const auto x = static_cast<float>(rng.uniform(1e4, 1.1e4));
      const auto y = static_cast<float>(rng.uniform(-5, 5));
      if (i % 4 == 0) {
        const auto w = static_cast<float>(rng.uniform(0.5, 3));
        a.push(x, y, w);
        b.push(x, y, w);
      } else {
        a.push(x, y);
        b.push(x, y, 1.0f);
      }
      REQUIRE(a == b);
    }
  }
}

TEST_CASE("weights: weight 2 equals pushing the record twice", "[moments][raw_sums][weights]") {
  const auto wd = offset_data();
  SECTION("moments<double>, to rounding") {
    moments<double> twice, weighted;
    std::vector<double> w2(wd.d.size());
    for (std::size_t i = 0; i < wd.d.size(); ++i) {
      const double x = wd.d[i].x, y = wd.d[i].y;
      if (i % 3 == 0) {
        weighted.push(x, y, 2.0);
        twice.push(x, y);
        twice.push(x, y);
        w2[i] = 2.0;
      } else {
        weighted.push(x, y);
        twice.push(x, y);
        w2[i] = 1.0;
      }
    }
    CHECK(weighted.count() == wd.d.size());
    CHECK(twice.count() == wd.d.size() + (wd.d.size() + 2) / 3);
    CHECK(weighted.weight_sum() == static_cast<double>(twice.count()));  // integers: exact
    CHECK(twice.weight_sum() == static_cast<double>(twice.count()));
    const auto ex = exact_weighted_fit(wd.d, w2);
    for (const auto* s : {&weighted, &twice}) {
      CHECK_THAT(s->mean_x(), within_rel_exact<double>(ex.mean_x, 1e-15));
      CHECK_THAT(s->sxx(), within_rel_exact<double>(ex.sxx, 1e-12));
      CHECK_THAT(s->sxy(), within_rel_exact<double>(ex.sxy, 1e-12));
      CHECK_THAT(s->syy(), within_rel_exact<double>(ex.syy, 1e-12));
      const auto f = solve(*s);
      CHECK_THAT(f.slope, within_rel_exact<double>(ex.slope, 1e-12));
      CHECK_THAT(f.intercept, within_rel_exact<double>(ex.intercept, 1e-12));
    }
  }
  SECTION("raw_sums<long long>, exactly (the count is that of the records)") {
    raw_sums<long long> twice, weighted;
    splitmix64 rng(16);
    for (int i = 0; i < 500; ++i) {
      const auto x = static_cast<long long>(rng.index(2001)) - 1000;
      const auto y = static_cast<long long>(rng.index(2001)) - 1000;
      weighted.push(x, y, 2);
      twice.push(x, y);
      twice.push(x, y);
    }
    CHECK(weighted.count() == 500);
    CHECK(twice.count() == 1000);
    CHECK(weighted.weight_sum() == twice.weight_sum());
    CHECK(weighted.sum_x() == twice.sum_x());
    CHECK(weighted.sum_y() == twice.sum_y());
    CHECK(weighted.sum_xy() == twice.sum_xy());
    CHECK(weighted.sum_xx() == twice.sum_xx());
    CHECK(weighted.sum_yy() == twice.sum_yy());
    // Equal sums: the same divisions, so the same coefficients.
    const auto fw = solve(weighted), ft = solve(twice);
    REQUIRE(fw.status == fit_status::ok);
    CHECK(fw.slope == ft.slope);
    CHECK(fw.intercept == ft.intercept);
  }
}

TEST_CASE("weights: inference follows the reliability-weight convention of R's lm",
          "[moments][raw_sums][weights][inference]") {
  // s² = Σw e² / (n − 2), var(b) = s² / Σw(x − x̄)², var(a) = s² (1/Σw + x̄² / Σw(x − x̄)²),
  // cov = −x̄ s² / Σw(x − x̄)², with x̄ the weighted mean (exact_weighted_fit).
  SECTION("n = 3 by hand: weights (1, 2, 4)") {
    const std::vector<point> d{{1.0, 2.0}, {2.0, 3.5}, {4.0, 4.25}};
    const std::vector<double> w{1.0, 2.0, 4.0};
    const auto ex = exact_weighted_fit(d, w);
    // By hand, to check the oracle: W = 7, x̄ = (1 + 4 + 16)/7 = 3, ȳ = (2 + 7 + 17)/7 = 26/7,
    // Sxx = 4 + 2 + 4 = 10, Sxy = (24 + 3 + 15)/7 = 6, slope = 3/5, intercept = 26/7 − 9/5.
    REQUIRE(ex.weight_sum == 7);
    REQUIRE(ex.mean_x == 3);
    REQUIRE(ex.sxx == 10);
    REQUIRE(ex.sxy == 6);
    REQUIRE(ex.slope == mpq_class(3, 5));
    REQUIRE(ex.intercept == mpq_class(67, 35));
    moments<double> m;
    raw_sums<double> r;
    for (std::size_t i = 0; i < d.size(); ++i) {
      m.push(d[i].x, d[i].y, w[i]);
      r.push(d[i].x, d[i].y, w[i]);
    }
    streamreg_test::check_inference(infer(m), ex, 1e-14);
    streamreg_test::check_inference(infer(r), ex, 1e-13);
  }
  SECTION("random moderate data") {
    const auto wd = moderate_data();
    const auto ex = exact_weighted_fit(wd.d, wd.w);
    streamreg_test::check_inference(infer(push_weighted<moments<double>>(wd)), ex, 1e-12);
    streamreg_test::check_inference(infer(push_weighted<raw_sums<double, neumaier_sum>>(wd)), ex, 1e-11);
  }
  SECTION("offset data") {
    // As for unweighted offset data (solve_test), SSE cancels against Syy by 1 / (1 − R²)
    // and var(a) is dominated by x̄² / Sxx.
    const auto wd = offset_data();
    streamreg_test::check_inference(infer(push_weighted<moments<double>>(wd)), exact_weighted_fit(wd.d, wd.w), 1e-10);
  }
  SECTION("integer weights are not frequencies: df counts records") {
    // Two records with weight 2 are not four records: n − 2 = 1 degree of freedom for three.
    moments<double> m;
    m.push(0.0, 0.0, 2.0);
    m.push(1.0, 2.0, 2.0);
    m.push(2.0, 3.0, 2.0);
    const auto r = infer(m);
    REQUIRE(r.defined());
    CHECK(r.df == 1.0);
  }
}

TEST_CASE("weights: weighted pop is the inverse of weighted push",
          "[moments][raw_sums][weights][pop]") {
  splitmix64 rng(17);
  SECTION("retracting a random half leaves the weighted fit of the other half") {
    for (const auto& wd : {moderate_data(), offset_data()}) {
      INFO(wd.name);
      auto m = push_weighted<moments<double>>(wd);
      auto r = push_weighted<raw_sums<double, neumaier_sum>>(wd);
      std::vector<point> rest;
      std::vector<double> rest_w;
      for (std::size_t i = 0; i < wd.d.size(); ++i) {
        if (rng.uniform() < 0.5) {
          REQUIRE(m.pop(wd.d[i].x, wd.d[i].y, wd.w[i]));
          REQUIRE(r.pop(wd.d[i].x, wd.d[i].y, wd.w[i]));
        } else {
          rest.push_back(wd.d[i]);
          rest_w.push_back(wd.w[i]);
        }
      }
      const auto ex = exact_weighted_fit(rest, rest_w);
      check_state(m, ex, 1e-12);
      if (wd.d.front().x < 1e3) check_state(r, ex, 1e-12);  // raw sums: moderate data only
    }
  }
  SECTION("retracting every record, in any order, returns exactly to empty") {
    for (const auto& wd : {moderate_data(), offset_data()}) {
      auto m = push_weighted<moments<double>>(wd);
      auto r = push_weighted<raw_sums<double>>(wd);
      for (const auto i : permutation(wd.d.size(), rng)) {
        REQUIRE(m.pop(wd.d[i].x, wd.d[i].y, wd.w[i]));
        REQUIRE(r.pop(wd.d[i].x, wd.d[i].y, wd.w[i]));
      }
      CHECK(m == moments<double>{});
      CHECK(r == raw_sums<double>{});
    }
  }
  SECTION("a weight larger than the state's weight sum is refused") {
    moments<double> m;
    m.push(1.0, 1.0, 0.5);
    m.push(2.0, 3.0, 0.25);
    const auto before = m;
    CHECK_FALSE(m.pop(2.0, 3.0, 1.0));
    CHECK_FALSE(m.pop(2.0, 3.0, 0.75));  // all the weight, but two records remain
    CHECK(m == before);
    CHECK(m.pop(2.0, 3.0, 0.25));
    CHECK(m.count() == 1);
    CHECK(m.weight_sum() == 0.5);
    CHECK_THAT(m.mean_x(), Catch::Matchers::WithinAbs(1.0, 1e-15));
    CHECK_THAT(m.mean_y(), Catch::Matchers::WithinAbs(1.0, 1e-15));
    raw_sums<long long> i;
    i.push(1, 1, 2);
    i.push(2, 3, 1);
    const auto i0 = i;
    CHECK_FALSE(i.pop(2, 3, 4));
    CHECK(i == i0);
  }
}

TEST_CASE("raw_sums: weighted sums over rationals are exact", "[raw_sums][weights][exact]") {
  using Q = raw_sums<mpq_class>;
  const auto wd = offset_data();
  // Rational weights that no binary fraction equals: k/3 + 1/7.
  std::vector<mpq_class> w(wd.d.size());
  for (std::size_t i = 0; i < w.size(); ++i) {
    mpq_class k(static_cast<unsigned long>(i % 11), 3);
    k.canonicalize();  // GMP's operations expect canonical operands (3/3 is not)
    w[i] = k + mpq_class(1, 7);
  }
  const auto push_range = [&](std::size_t lo, std::size_t hi) {
    Q s;
    for (std::size_t i = lo; i < hi; ++i)
      REQUIRE(s.push(to_mpq(wd.d[i].x), to_mpq(wd.d[i].y), w[i]));
    return s;
  };
  const auto ex = exact_weighted_fit(wd.d, w);
  const Q all = push_range(0, wd.d.size());
  CHECK(all.weight_sum() == ex.weight_sum);
  CHECK(all.sxx() == ex.sxx);
  CHECK(all.sxy() == ex.sxy);
  CHECK(all.syy() == ex.syy);
  const auto f = solve(all);
  REQUIRE(f.status == fit_status::ok);
  CHECK(f.slope == ex.slope);
  CHECK(f.intercept == ex.intercept);

  SECTION("merge") {
    Q m = push_range(700, wd.d.size());
    m.merge(push_range(0, 300)).merge(push_range(300, 700));
    CHECK(m == all);
  }
  SECTION("pop") {
    Q m = all;
    std::vector<point> rest;
    std::vector<mpq_class> rest_w;
    for (std::size_t i = 0; i < wd.d.size(); ++i) {
      if (i % 4 == 1) {
        REQUIRE(m.pop(to_mpq(wd.d[i].x), to_mpq(wd.d[i].y), w[i]));
      } else {
        rest.push_back(wd.d[i]);
        rest_w.push_back(w[i]);
      }
    }
    const auto er = exact_weighted_fit(rest, rest_w);
    const auto fr = solve(m);
    CHECK(fr.slope == er.slope);
    CHECK(fr.intercept == er.intercept);
    CHECK(m.syy() == er.syy);
  }
}

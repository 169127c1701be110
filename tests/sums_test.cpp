// SPDX-License-Identifier: MIT
// raw_sums with plain_sum and neumaier_sum: the literal sums, merge, retraction, exactness with
// exact scalar types, and the cancellation of plain double sums on offset data.
#include <streamreg/solve.hpp>
#include <streamreg/sums.hpp>

#include <catch2/catch.hpp>

#include <algorithm>  // std::max
#include <cmath>      // std::isnan, std::abs
#include <cstddef>    // std::size_t
#include <cstdint>    // std::uint64_t
#include <limits>     // std::numeric_limits
#include <utility>    // std::swap
#include <vector>     // std::vector

#include "support/oracle.hpp"

namespace {

using streamreg::neumaier_sum;
using streamreg::raw_sums;
using streamreg::solve;
using streamreg_test::exact_fit;
using streamreg_test::exact_running_fit;
using streamreg_test::point;
using streamreg_test::rel_error;
using streamreg_test::splitmix64;
using streamreg_test::to_mpq;
using streamreg_test::within_rel_exact;

constexpr double eps = std::numeric_limits<double>::epsilon();

/// Integer-valued data, small enough that every sum of products fits in 64 bits:
/// x in [-1000, 1000], y = 3 + 2x + noise in [-50, 50].
std::vector<point> integer_data(std::uint64_t seed, std::size_t n) {
  splitmix64 rng(seed);
  std::vector<point> d(n);
  for (auto& p : d) {
    const auto x = static_cast<long long>(rng.index(2001)) - 1000;
    const auto noise = static_cast<long long>(rng.index(101)) - 50;
    p.x = static_cast<double>(x);
    p.y = static_cast<double>(3 + 2 * x + noise);
  }
  return d;
}

template <class State, class Points>
State push_all(const Points& d) {
  State s;
  for (const auto& p : d) s.push(p.x, p.y);
  return s;
}

/// The state of raw_sums<long long> over integer-valued double data.
raw_sums<long long> integer_state(const std::vector<point>& d) {
  raw_sums<long long> s;
  for (const auto& p : d) s.push(static_cast<long long>(p.x), static_cast<long long>(p.y));
  return s;
}

raw_sums<mpq_class> rational_state(const std::vector<point>& d) {
  raw_sums<mpq_class> s;
  for (const auto& p : d) s.push(to_mpq(p.x), to_mpq(p.y));
  return s;
}

}  // namespace

TEST_CASE("raw_sums: holds the literal sums", "[raw_sums]") {
  // Small dyadic values: every sum below is exact in double, so equality is the oracle.
  const std::vector<point> d{{1.0, 2.0}, {2.0, 3.5}, {4.0, -1.0}, {-0.5, 0.25}};
  const auto check = [&](const auto& s) {
    CHECK(s.count() == 4);
    CHECK(s.sum_x() == 6.5);     // 1 + 2 + 4 − 0.5
    CHECK(s.sum_y() == 4.75);    // 2 + 3.5 − 1 + 0.25
    CHECK(s.sum_xy() == 4.875);  // 2 + 7 − 4 − 0.125
    CHECK(s.sum_xx() == 21.25);  // 1 + 4 + 16 + 0.25
    CHECK(s.sum_yy() == 17.3125);  // 4 + 12.25 + 1 + 0.0625
    // The centred co-moments against the exact two-pass oracle.
    const auto ex = exact_fit(d);
    CHECK_THAT(s.sxx(), within_rel_exact<double>(ex.sxx, 2 * eps));
    CHECK_THAT(s.sxy(), within_rel_exact<double>(ex.sxy, 2 * eps));
    CHECK_THAT(s.syy(), within_rel_exact<double>(ex.syy, 2 * eps));
    CHECK_THAT(s.mean_dx(), within_rel_exact<double>(ex.mean_x, eps));
    CHECK_THAT(s.mean_dy(), within_rel_exact<double>(ex.mean_y, eps));
  };
  SECTION("plain_sum") { check(push_all<raw_sums<double>>(d)); }
  SECTION("neumaier_sum") { check(push_all<raw_sums<double, neumaier_sum>>(d)); }

  SECTION("an empty state has zero sums") {
    const raw_sums<double> s;
    CHECK(s.count() == 0);
    CHECK(s.sum_x() == 0.0);
    CHECK(s.sum_yy() == 0.0);
  }
}

TEST_CASE("raw_sums: merge equals one pass", "[raw_sums][merge]") {
  const auto d = integer_data(11, 300);
  const std::vector<point> first(d.begin(), d.begin() + 120);
  const std::vector<point> second(d.begin() + 120, d.begin() + 121);
  const std::vector<point> third(d.begin() + 121, d.end());

  SECTION("exact scalar types: bit-exact in any order") {
    const auto one = integer_state(d);
    auto a = integer_state(first);
    a.merge(integer_state(second)).merge(integer_state(third));
    CHECK(a == one);
    auto b = integer_state(third);
    b += integer_state(first);
    b += integer_state(second);
    CHECK(b == one);
    auto c = integer_state({});
    c += one;
    CHECK(c == one);

    const auto rone = rational_state(d);
    auto r = rational_state(third);
    r.merge(rational_state(second)).merge(rational_state(first));
    CHECK(r == rone);
  }

  SECTION("double: the merged sums are the exact sums to rounding") {
    const auto data = streamreg_test::linear_data(12, 500, -3.0, 7.0, 1.5, -0.25, 0.3);
    exact_running_fit ex;
    for (const auto& p : data) ex.add(p);
    const std::vector<point> lo(data.begin(), data.begin() + 170);
    const std::vector<point> hi(data.begin() + 170, data.end());
    const auto check = [&](const auto& s, double tol) {
      CHECK(s.count() == 500);
      CHECK_THAT(s.sum_x(), within_rel_exact<double>(ex.sum_x(), tol));
      CHECK_THAT(s.sum_y(), within_rel_exact<double>(ex.sum_y(), tol));
      CHECK_THAT(s.sum_xy(), within_rel_exact<double>(ex.sum_xy(), tol));
      CHECK_THAT(s.sum_xx(), within_rel_exact<double>(ex.sum_xx(), tol));
      CHECK_THAT(s.sum_yy(), within_rel_exact<double>(ex.sum_yy(), tol));
      const auto f = solve(s);
      REQUIRE(f);
      CHECK_THAT(f.slope, within_rel_exact<double>(ex.slope(), 1e-12));
      CHECK_THAT(f.intercept, within_rel_exact<double>(ex.intercept(), 1e-12));
    };
    // Plain sums: error growth bounded by n·eps (never reached in practice); compensated
    // sums: about one rounding of each product and of the result.
    auto p = push_all<raw_sums<double>>(hi);
    p.merge(push_all<raw_sums<double>>(lo));
    check(p, 500 * eps);
    auto k = push_all<raw_sums<double, neumaier_sum>>(hi);
    k.merge(push_all<raw_sums<double, neumaier_sum>>(lo));
    check(k, 3 * eps);
  }
}

TEST_CASE("raw_sums: pop restores exactly", "[raw_sums][pop]") {
  const auto d = integer_data(21, 200);
  splitmix64 rng(22);
  std::vector<std::size_t> order(d.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  for (std::size_t i = order.size() - 1; i > 0; --i) std::swap(order[i], order[rng.index(i + 1)]);
  // Retract a random 60% of the records.
  std::vector<bool> popped(d.size(), false);
  for (std::size_t i = 0; i < 120; ++i) popped[order[i]] = true;
  std::vector<point> rest;
  for (std::size_t i = 0; i < d.size(); ++i) {
    if (!popped[i]) rest.push_back(d[i]);
  }

  SECTION("raw_sums<long long>") {
    auto s = integer_state(d);
    for (std::size_t i = 0; i < 120; ++i) {
      const auto& p = d[order[i]];
      REQUIRE(s.pop(static_cast<long long>(p.x), static_cast<long long>(p.y)));
    }
    CHECK(s == integer_state(rest));
    for (const auto& p : rest) s.pop(static_cast<long long>(p.x), static_cast<long long>(p.y));
    CHECK(s == raw_sums<long long>{});
  }
  SECTION("raw_sums<mpq_class>") {
    auto s = rational_state(d);
    for (std::size_t i = 0; i < 120; ++i) s.pop(to_mpq(d[order[i]].x), to_mpq(d[order[i]].y));
    CHECK(s == rational_state(rest));
    for (const auto& p : rest) s.pop(to_mpq(p.x), to_mpq(p.y));
    CHECK(s == raw_sums<mpq_class>{});
  }
  SECTION("floating point: popping every record returns exactly to empty") {
    const auto data = streamreg_test::linear_data(23, 100, 0.0, 1.0, 0.1, 3.0, 0.01);
    auto s = push_all<raw_sums<double>>(data);
    auto k = push_all<raw_sums<double, neumaier_sum>>(data);
    for (std::size_t i = data.size(); i-- > 0;) {
      s.pop(data[i].x, data[i].y);
      k.pop(data[i].x, data[i].y);
    }
    CHECK(s == raw_sums<double>{});
    CHECK(k == raw_sums<double, neumaier_sum>{});
    CHECK(s.count() == 0);
    CHECK(solve(s).status == streamreg::fit_status::empty);
  }
  SECTION("pop rejects a non-finite record, leaving the state unchanged") {
    auto f = push_all<raw_sums<double>>(d);
    const auto before = f;
    CHECK_FALSE(f.pop(std::numeric_limits<double>::quiet_NaN(), 1.0));
    CHECK_FALSE(f.pop(1.0, std::numeric_limits<double>::infinity()));
    CHECK(f == before);
  }
}

TEST_CASE("raw_sums: neumaier_sum keeps what plain summation loses", "[raw_sums][neumaier]") {
  // 1 + 1e16 + 1 − 1e16 = 2 exactly; in plain double each 1 is absorbed by 1e16 and the sum
  // is 0. Every sum below is an integer, so the exact value is known without an oracle.
  const std::vector<double> xs{1.0, 1e16, 1.0, -1e16};
  raw_sums<double> plain;
  raw_sums<double, neumaier_sum> comp;
  for (const double x : xs) {
    plain.push(x, -x);
    comp.push(x, -x);
  }
  CHECK(plain.sum_x() == 0.0);  // the loss being compensated
  CHECK(comp.sum_x() == 2.0);
  CHECK(comp.sum_y() == -2.0);

  SECTION("the compensation survives merge") {
    raw_sums<double, neumaier_sum> a;
    a.push(3.0, 0.5);
    a.merge(comp);
    CHECK(a.sum_x() == 5.0);
    CHECK(a.sum_y() == -1.5);
    raw_sums<double, neumaier_sum> b = comp;
    b.merge(comp);
    CHECK(b.sum_x() == 4.0);
  }
  SECTION("and pop") {
    comp.pop(1.0, -1.0);
    CHECK(comp.sum_x() == 1.0);
    comp.push(1e16, -1e16);
    comp.pop(1.0, -1.0);
    CHECK(comp.sum_x() == 1e16);
    CHECK(comp.count() == 3);
  }
}

TEST_CASE("raw_sums: exact scalar types give the exact fit", "[raw_sums][exact]") {
  const auto d = integer_data(31, 400);
  const auto ex = exact_fit(d);
  REQUIRE(ex.has_line);

  SECTION("mpq_class: every quantity is the exact rational") {
    const auto s = rational_state(d);
    CHECK(s.sxx() == ex.sxx);
    CHECK(s.sxy() == ex.sxy);
    CHECK(s.syy() == ex.syy);
    const auto f = solve(s);
    REQUIRE(f.status == streamreg::fit_status::ok);
    CHECK(f.slope == ex.slope);
    CHECK(f.intercept == ex.intercept);
  }
  SECTION("mpq_class: also on non-integer offset data") {
    const auto od = streamreg_test::offset_stream(32, 300, streamreg_test::x_pattern::step_tenth,
                                                  0.0, 0.05);
    const auto oex = exact_fit(od);
    const auto f = solve(rational_state(od));
    CHECK(f.slope == oex.slope);
    CHECK(f.intercept == oex.intercept);
  }
  SECTION("long long: the sums are exact, only the final divisions round") {
    const auto s = integer_state(d);
    exact_running_fit sums;
    for (const auto& p : d) sums.add(p);
    CHECK(to_mpq(s.sum_x()) == sums.sum_x());
    CHECK(to_mpq(s.sum_xy()) == sums.sum_xy());
    CHECK(to_mpq(s.sum_yy()) == sums.sum_yy());
    const auto f = solve(s);
    REQUIRE(f.status == streamreg::fit_status::ok);
    // slope = fl(fl(det_xy) / n) / fl(fl(det_xx) / n): at most five roundings.
    CHECK_THAT(f.slope, within_rel_exact<double>(ex.slope, 3 * eps));
    // intercept = fl(Σy / n) − slope · fl(Σx / n): the rounding of each term, scaled by the
    // cancellation between them.
    const double mean_y = ex.mean_y.get_d();
    const double bx = mpq_class(ex.slope * ex.mean_x).get_d();
    const double scale = (std::abs(mean_y) + std::abs(bx)) / std::abs(ex.intercept.get_d());
    CHECK_THAT(f.intercept, within_rel_exact<double>(ex.intercept, 8 * eps * scale));
  }
}

TEST_CASE("raw_sums: plain double sums cancel catastrophically on offset data",
          "[raw_sums][accuracy]") {
  // Timestamps near 1.7e9 spread over 500 s, an hour and a day, y = 10 + 0.75 (x − 1.7e9)
  // + noise. With the five raw sums in double the determinant n Σx² − (Σx)² cancels: the
  // slope keeps a handful of digits at best. Compensated (Neumaier) sums make the sums
  // themselves accurate to about one rounding, which helps the fit, but the products
  // x·x ≈ 3e18 and n Σx² are still rounded in double, so it does not cure it.
  double worst_plain_fit = 0, worst_neumaier_fit = 0;
  for (const double spread : {500.0, 3600.0, 86400.0}) {
    for (const std::uint64_t seed : {1u, 2u, 3u, 4u}) {
      splitmix64 rng(seed);
      std::vector<point> d(1000);
      for (auto& p : d) {
        p.x = 1.7e9 + rng.uniform(0.0, spread);
        p.y = 10.0 + 0.75 * (p.x - 1.7e9) + 0.01 * spread * rng.normal();
      }
      raw_sums<double> plain;
      raw_sums<double, neumaier_sum> comp;
      exact_running_fit ex;
      double plain_sum_err = 0, comp_sum_err = 0;
      for (const auto& p : d) {
        plain.push(p.x, p.y);
        comp.push(p.x, p.y);
        ex.add(p);
        plain_sum_err = std::max({plain_sum_err, rel_error(plain.sum_x(), ex.sum_x()),
                                  rel_error(plain.sum_xx(), ex.sum_xx())});
        comp_sum_err = std::max({comp_sum_err, rel_error(comp.sum_x(), ex.sum_x()),
                                 rel_error(comp.sum_xx(), ex.sum_xx())});
      }
      INFO("spread " << spread << " seed " << seed);
      // The compensated sums are correct to about one rounding of each product and of the
      // result (measured at most 1.5e-16); the plain ones accumulate several (measured
      // 5e-16 .. 3e-15).
      CHECK(comp_sum_err <= 2 * eps);
      CHECK(comp_sum_err < plain_sum_err);

      const auto fp = solve(plain);
      const auto fc = solve(comp);
      const double plain_err = fp ? rel_error(fp.slope, ex.slope()) : 1.0;
      const double comp_err = fc ? rel_error(fc.slope, ex.slope()) : 1.0;
      INFO("slope rel error: plain " << plain_err << ", neumaier " << comp_err);
      // The problem, documented: far beyond any rounding of the result (measured 3e-7 .. 0.5).
      CHECK(plain_err > 1e-8);
      // Compensation never hurts (measured equal or 10-100 times smaller).
      CHECK(comp_err <= 1.1 * plain_err);
      worst_plain_fit = std::max(worst_plain_fit, plain_err);
      worst_neumaier_fit = std::max(worst_neumaier_fit, comp_err);
    }
  }
  CHECK(worst_neumaier_fit < worst_plain_fit / 10);
}

TEST_CASE("raw_sums: x the sums cannot tell apart is constant_x, not a slope",
          "[raw_sums][edges]") {
  // Two x differing by 0.5 at 1.7e9: nΣx² − (Σx)² = 0.25 exactly, far below the rounding
  // error of nΣx² ≈ 1.2e19 in double, so the computed determinant is noise.
  raw_sums<double> a;
  a.push(1.7e9, 2.0);
  a.push(1.7e9 + 0.5, 3.0);
  CHECK(solve(a).status == streamreg::fit_status::constant_x);
  CHECK(std::isnan(solve(a).slope));

  // Three equal x at an offset (exactly constant): never a slope of 0 with status ok.
  raw_sums<double> b;
  for (double y : {0.0, 1.0, 2.0}) b.push(1.7e9 + 0.1, y);
  CHECK(solve(b).status == streamreg::fit_status::constant_x);

  // The same records in exact arithmetic are told apart: slope 2 exactly.
  raw_sums<mpq_class> c;
  c.push(to_mpq(1.7e9), to_mpq(2.0));
  c.push(to_mpq(1.7e9 + 0.5), to_mpq(3.0));
  REQUIRE(solve(c).status == streamreg::fit_status::ok);
  CHECK(solve(c).slope == mpq_class(2));

  // Well-separated x are unaffected: x = 0..9 gives the exact slope 2.
  raw_sums<double> d;
  for (int i = 0; i < 10; ++i) d.push(i, 1.0 + 2.0 * i);
  REQUIRE(solve(d).status == streamreg::fit_status::ok);
  CHECK(solve(d).slope == 2.0);
}

TEST_CASE("raw_sums: integer sums that would overflow are refused, and the state says so",
          "[raw_sums][overflow]") {
  // Four records near 3e9: Σx² = 3.6e19 passes 2^63 − 1 ≈ 9.2e18 at the second record.
  raw_sums<long long> s;
  const long long x = 3'000'000'000LL;
  REQUIRE(s.push(x, 1));
  const auto before = s;
  CHECK_FALSE(s.push(x + 1, 2));  // Σx² would be 1.8e19
  CHECK(s.overflowed());
  CHECK(s.count() == before.count());
  CHECK(s.sum_xx() == before.sum_xx());
  CHECK_FALSE(s.push(1, 1));  // sticky: a record was left out, no later fit is the stream's
  CHECK(s.count() == 1);
  SECTION("the fit of an overflowed state is not_finite") {
    raw_sums<long long> t;
    REQUIRE(t.push(1, 1));
    REQUIRE(t.push(2, 2));
    CHECK_FALSE(t.push(4'000'000'000LL, 3));  // Σx² = 1.6e19
    CHECK(streamreg::solve(t).status == streamreg::fit_status::not_finite);
  }
  SECTION("merge") {
    raw_sums<long long> a, b;
    a.push(2'000'000'000LL, 1);
    a.push(2'000'000'001LL, 1);  // Σx² = 8e18
    b.push(2'000'000'002LL, 1);  // Σx² = 4e18: the merge would pass 2^63
    a += b;
    CHECK(a.overflowed());
    CHECK(a.count() == 2);
  }
  SECTION("the co-moments are formed in 128 bits") {
    // W·Σx² − (Σx)² overflows 64 bits although every sum fits.
    raw_sums<long long> t;
    REQUIRE(t.push(2'000'000'000LL, 0));
    REQUIRE(t.push(2'000'000'002LL, 4));
    CHECK_FALSE(t.overflowed());
    CHECK(t.sxx() == 2.0);  // Σ(x − x̄)² = 1 + 1
    CHECK(streamreg::solve(t).slope == 2.0);
  }
  SECTION("a retraction of a record never pushed, with one record held") {
    raw_sums<long long> t;
    t.push(5, 7);
    CHECK_FALSE(t.pop(5, 8));
    CHECK_FALSE(t.pop(6, 7));
    CHECK(t.pop(5, 7));
    CHECK(t == raw_sums<long long>{});
  }
}

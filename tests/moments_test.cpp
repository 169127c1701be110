// SPDX-License-Identifier: MIT
// moments<T>: means and centred co-moments against exact rationals, merge in any order and
// grouping, retraction, the exact return to empty, and exactness with a rational scalar.
#include <streamreg/moments.hpp>
#include <streamreg/solve.hpp>

#include <catch2/catch.hpp>

#include <cstddef>      // std::size_t
#include <cstdint>      // std::uint64_t
#include <limits>       // std::numeric_limits
#include <type_traits>  // std::is_same_v
#include <utility>      // std::swap
#include <vector>       // std::vector

#include "support/oracle.hpp"

namespace {

using streamreg::moments;
using streamreg_test::basic_point;
using streamreg_test::exact_fit;
using streamreg_test::exact_ols;
using streamreg_test::point;
using streamreg_test::splitmix64;
using streamreg_test::to_mpq;
using streamreg_test::within_rel_exact;

/// Relative tolerance for the state of a stream of 1000 records in precision T: about
/// 840 eps of float, 4500 eps of double, 9000 eps of long double. Measured worst cases on
/// these data are 110, 23 and 19 eps (means, co-moments, merged and retracted states).
template <class T>
constexpr double tolerance() {
  if constexpr (std::is_same_v<T, float>) {
    return 1e-4;
  } else if constexpr (std::is_same_v<T, double>) {
    return 1e-12;
  } else {
    return 1e-15;
  }
}

/// The offset of the x values for T: timestamp-like 1.7e9 where the precision allows spacing
/// of 0.37 to be resolved, 1.7e4 for float.
template <class T>
constexpr double offset_for() {
  return std::is_same_v<T, float> ? 1.7e4 : 1.7e9;
}

/// The two data sets of the tests, rounded to T: a moderate one (x in [1000, 1100]) and an
/// offset one (x = offset + 0.37 k, y = 3e-3 offset + 0.3 (x − offset) + N(0, 1)).
template <class T>
std::vector<std::vector<basic_point<T>>> data_sets() {
  const double offset = offset_for<T>();
  std::vector<point> off(1000);
  splitmix64 rng(42);
  for (std::size_t k = 0; k < off.size(); ++k) {
    off[k].x = offset + static_cast<double>(k) * 0.37;
    off[k].y = 3e-3 * offset + 0.3 * (off[k].x - offset) + rng.normal();
  }
  return {streamreg_test::convert_points<T>(
              streamreg_test::linear_data(41, 1000, 1000.0, 1100.0, 5.0, 0.3, 2.0)),
          streamreg_test::convert_points<T>(off)};
}

template <class T>
moments<T> one_pass(const std::vector<basic_point<T>>& d) {
  moments<T> m;
  for (const auto& p : d) m.push(p.x, p.y);
  return m;
}

/// Every read-out of `m` within `tol` relative of the exact values.
template <class T>
void check_against(const moments<T>& m, const exact_ols& ex, double tol) {
  CHECK(m.count() == ex.n);
  CHECK_THAT(m.mean_x(), within_rel_exact<T>(ex.mean_x, tol));
  CHECK_THAT(m.mean_y(), within_rel_exact<T>(ex.mean_y, tol));
  CHECK_THAT(m.sxx(), within_rel_exact<T>(ex.sxx, tol));
  CHECK_THAT(m.sxy(), within_rel_exact<T>(ex.sxy, tol));
  CHECK_THAT(m.syy(), within_rel_exact<T>(ex.syy, tol));
}

/// Every read-out of `a` within `tol` relative of those of `b`.
template <class T>
void check_against(const moments<T>& a, const moments<T>& b, double tol) {
  CHECK(a.count() == b.count());
  CHECK_THAT(a.mean_x(), within_rel_exact<T>(to_mpq(b.mean_x()), tol));
  CHECK_THAT(a.mean_y(), within_rel_exact<T>(to_mpq(b.mean_y()), tol));
  CHECK_THAT(a.sxx(), within_rel_exact<T>(to_mpq(b.sxx()), tol));
  CHECK_THAT(a.sxy(), within_rel_exact<T>(to_mpq(b.sxy()), tol));
  CHECK_THAT(a.syy(), within_rel_exact<T>(to_mpq(b.syy()), tol));
}

std::vector<std::size_t> permutation(std::size_t n, splitmix64& rng) {
  std::vector<std::size_t> order(n);
  for (std::size_t i = 0; i < n; ++i) order[i] = i;
  for (std::size_t i = n; i-- > 1;) std::swap(order[i], order[rng.index(i + 1)]);
  return order;
}

}  // namespace

TEMPLATE_TEST_CASE("moments: means and co-moments match the exact values", "[moments]", float,
                   double, long double) {
  const double tol = tolerance<TestType>();
  for (const auto& d : data_sets<TestType>()) {
    const auto m = one_pass(d);
    const auto ex = exact_fit(d);
    check_against(m, ex, tol);
    // The second oracle, long double two-pass, for float and double.
    if constexpr (!std::is_same_v<TestType, long double>) {
      const auto ld = streamreg_test::long_double_fit(d);
      CHECK_THAT(static_cast<double>(m.sxx()),
                 Catch::Matchers::WithinRel(static_cast<double>(ld.sxx), tol));
      CHECK_THAT(static_cast<double>(m.sxy()),
                 Catch::Matchers::WithinRel(static_cast<double>(ld.sxy), tol));
    }
  }
  SECTION("an empty state") {
    const moments<TestType> m;
    CHECK(m.count() == 0);
    CHECK(m.sxx() == 0);
    CHECK(m.mean_x() == 0);
  }
}

TEMPLATE_TEST_CASE("moments: merge equals one pass in any order and grouping",
                   "[moments][merge]", float, double, long double) {
  using M = moments<TestType>;
  const double tol = tolerance<TestType>();
  splitmix64 rng(51);
  const auto sets = data_sets<TestType>();
  std::vector<M> ones;
  std::vector<exact_ols> exacts;
  for (const auto& d : sets) {
    ones.push_back(one_pass(d));
    exacts.push_back(exact_fit(d));
  }

  SECTION("consecutive chunks: left fold, right fold and a balanced tree") {
    for (std::size_t s = 0; s < sets.size(); ++s) {
      const auto& d = sets[s];
      // Chunks of irregular sizes, including a single record.
      const std::vector<std::size_t> cuts{0, 1, 2, 137, 400, 401, 777, d.size()};
      std::vector<M> parts;
      for (std::size_t i = 0; i + 1 < cuts.size(); ++i) {
        parts.push_back(one_pass(std::vector<basic_point<TestType>>(
            d.begin() + static_cast<std::ptrdiff_t>(cuts[i]),
            d.begin() + static_cast<std::ptrdiff_t>(cuts[i + 1]))));
      }
      M left;
      for (const auto& p : parts) left.merge(p);
      M right;
      for (std::size_t i = parts.size(); i-- > 0;) right += parts[i];
      std::vector<M> level = parts;
      while (level.size() > 1) {
        std::vector<M> next;
        for (std::size_t i = 0; i < level.size(); i += 2) {
          M m = level[i];
          if (i + 1 < level.size()) m.merge(level[i + 1]);
          next.push_back(m);
        }
        level = next;
      }
      for (const M* m : {&left, &right, &level.front()}) {
        check_against(*m, ones[s], tol);
        check_against(*m, exacts[s], tol);
      }
    }
  }
  SECTION("records dealt to random shards, merged in random order") {
    for (std::size_t s = 0; s < sets.size(); ++s) {
      const auto& d = sets[s];
      for (int trial = 0; trial < 10; ++trial) {
        std::vector<M> shards(1 + rng.index(8));
        for (const auto& p : d) shards[rng.index(shards.size())].push(p.x, p.y);
        M merged;
        for (const auto i : permutation(shards.size(), rng)) merged.merge(shards[i]);
        INFO("data set " << s << ", trial " << trial << ", " << shards.size() << " shards");
        check_against(merged, ones[s], tol);
        check_against(merged, exacts[s], tol);
      }
    }
  }
  SECTION("an empty state is the identity, exactly") {
    for (const auto& one : ones) {
      M a = one;
      a.merge(M{});
      CHECK(a == one);
      M b;
      b.merge(one);
      CHECK(b == one);
    }
    M c;
    c.merge(M{});
    CHECK(c == M{});
  }
}

TEMPLATE_TEST_CASE("moments: pop is the inverse of push", "[moments][pop]", float, double,
                   long double) {
  using M = moments<TestType>;
  const double tol = tolerance<TestType>();
  splitmix64 rng(61);
  const auto sets = data_sets<TestType>();
  SECTION("retracting a random half leaves the state of the other half") {
    for (const auto& d : sets) {
      M m = one_pass(d);
      std::vector<basic_point<TestType>> rest;
      for (const auto& p : d) {
        if (rng.uniform() < 0.5) {
          REQUIRE(m.pop(p.x, p.y));
        } else {
          rest.push_back(p);
        }
      }
      check_against(m, one_pass(rest), tol);
      check_against(m, exact_fit(rest), tol);
    }
  }
  SECTION("retracting every record, in any order, returns exactly to empty") {
    for (const auto& d : sets) {
      M m = one_pass(d);
      for (const auto i : permutation(d.size(), rng)) {
        REQUIRE(m.pop(d[i].x, d[i].y));
      }
      CHECK(m == M{});
      CHECK(m.count() == 0);
      CHECK(streamreg::solve(m).status == streamreg::fit_status::empty);
    }
  }
  SECTION("push then pop of one record returns exactly to empty") {
    for (const auto& d : sets) {
      M m;
      m.push(d[3].x, d[3].y);
      m.pop(d[3].x, d[3].y);
      CHECK(m == M{});
    }
  }
  SECTION("pop rejects a non-finite record, leaving the state unchanged") {
    for (const auto& d : sets) {
      M m = one_pass(d);
      const M before = m;
      CHECK_FALSE(m.pop(std::numeric_limits<TestType>::quiet_NaN(), TestType(1)));
      CHECK_FALSE(m.pop(TestType(1), -std::numeric_limits<TestType>::infinity()));
      CHECK(m == before);
    }
  }
}

TEST_CASE("moments: exact with a rational scalar", "[moments][exact]") {
  using Q = moments<mpq_class>;
  const auto d = streamreg_test::offset_stream(71, 300, streamreg_test::x_pattern::irregular,
                                               3e8, 0.05);
  const auto ex = exact_fit(d);
  REQUIRE(ex.has_line);
  const auto push_range = [&](std::size_t lo, std::size_t hi) {
    Q m;
    for (std::size_t i = lo; i < hi; ++i) m.push(to_mpq(d[i].x), to_mpq(d[i].y));
    return m;
  };
  const auto check_exact = [&](const Q& m) {
    CHECK(m.count() == d.size());
    CHECK(m.mean_x() == ex.mean_x);
    CHECK(m.mean_y() == ex.mean_y);
    CHECK(m.sxx() == ex.sxx);
    CHECK(m.sxy() == ex.sxy);
    CHECK(m.syy() == ex.syy);
  };

  const Q one = push_range(0, d.size());
  check_exact(one);
  const auto f = streamreg::solve(one);
  REQUIRE(f.status == streamreg::fit_status::ok);
  CHECK(f.slope == ex.slope);
  CHECK(f.intercept == ex.intercept);

  SECTION("merge") {
    Q a = push_range(200, 300);
    a.merge(push_range(0, 50)).merge(push_range(50, 200));
    check_exact(a);
    Q b = push_range(0, 120);
    b += push_range(120, 300);
    check_exact(b);  // exact arithmetic: the very same statistics
    CHECK(streamreg::solve(b) == f);
  }
  SECTION("pop") {
    Q m = one;
    for (std::size_t i = 0; i < d.size(); i += 3) m.pop(to_mpq(d[i].x), to_mpq(d[i].y));
    std::vector<point> rest;
    for (std::size_t i = 0; i < d.size(); ++i) {
      if (i % 3 != 0) rest.push_back(d[i]);
    }
    const auto er = exact_fit(rest);
    CHECK(m.mean_x() == er.mean_x);
    CHECK(m.sxx() == er.sxx);
    CHECK(m.sxy() == er.sxy);
    CHECK(m.syy() == er.syy);
  }
}

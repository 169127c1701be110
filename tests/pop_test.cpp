// SPDX-License-Identifier: MIT
// Retraction (pop) in moments and raw_sums and through a regressor: popping from empty,
// popping everything back to exactly empty, refusing records that were never pushed when
// the state can tell, and the regressor's emission and rejection counting.
#include <streamreg/moments.hpp>
#include <streamreg/regressor.hpp>
#include <streamreg/sink.hpp>
#include <streamreg/solve.hpp>
#include <streamreg/sums.hpp>

#include <catch2/catch.hpp>

#include <cstddef>      // std::size_t
#include <cstdint>      // std::uint64_t
#include <limits>       // std::numeric_limits
#include <type_traits>  // std::is_same_v
#include <utility>      // std::swap
#include <vector>       // std::vector

#include "support/oracle.hpp"

namespace {

using streamreg::collector;
using streamreg::fit_status;
using streamreg::moments;
using streamreg::neumaier_sum;
using streamreg::raw_sums;
using streamreg::solve;
using streamreg_test::exact_fit;
using streamreg_test::point;
using streamreg_test::splitmix64;
using streamreg_test::to_mpq;
using streamreg_test::within_rel_exact;

std::vector<std::size_t> permutation(std::size_t n, splitmix64& rng) {
  std::vector<std::size_t> order(n);
  for (std::size_t i = 0; i < n; ++i) order[i] = i;
  for (std::size_t i = n; i-- > 1;) std::swap(order[i], order[rng.index(i + 1)]);
  return order;
}

/// Integer-valued records (so raw_sums<long long> holds them exactly), small enough that
/// every sum of products fits in 64 bits.
std::vector<point> integer_data(std::uint64_t seed, std::size_t n) {
  splitmix64 rng(seed);
  std::vector<point> d(n);
  for (auto& p : d) {
    const auto x = static_cast<long long>(rng.index(2001)) - 1000;
    p.x = static_cast<double>(x);
    p.y = static_cast<double>(3 * x + static_cast<long long>(rng.index(201)) - 100);
  }
  return d;
}

template <class T>
T as(double v) {
  if constexpr (std::is_same_v<T, mpq_class>) {
    return to_mpq(v);
  } else {
    return static_cast<T>(v);
  }
}

/// Pushes every record of `d` into `s`, then pops them in a random order, checking that each
/// pop is accepted; `s` must end exactly empty.
template <class State>
void push_then_pop_all(const std::vector<point>& d, splitmix64& rng) {
  using T = typename State::value_type;
  State s;
  for (const auto& p : d) REQUIRE(s.push(as<T>(p.x), as<T>(p.y)));
  for (const auto i : permutation(d.size(), rng)) REQUIRE(s.pop(as<T>(d[i].x), as<T>(d[i].y)));
  CHECK(s == State{});
  CHECK(s.count() == 0);
  CHECK(solve(s).status == fit_status::empty);
  // An emptied state is a fresh one: pushing again gives the state of a fresh push.
  State fresh;
  for (std::size_t i = 0; i < 5; ++i) {
    s.push(as<T>(d[i].y), as<T>(d[i].x));
    fresh.push(as<T>(d[i].y), as<T>(d[i].x));
  }
  CHECK(s == fresh);
}

}  // namespace

TEST_CASE("pop: popping from an empty state returns false", "[pop][moments][raw_sums]") {
  const auto check = [](auto s) {
    using S = decltype(s);
    using T = typename S::value_type;
    CHECK_FALSE(s.pop(T(1), T(2)));
    CHECK_FALSE(s.pop(T(0), T(0), T(1)));
    CHECK(s == S{});
    // Also once emptied by pops.
    REQUIRE(s.push(T(1), T(2)));
    REQUIRE(s.pop(T(1), T(2)));
    CHECK_FALSE(s.pop(T(1), T(2)));
    CHECK(s == S{});
  };
  SECTION("moments<double>") { check(moments<double>{}); }
  SECTION("moments<float>") { check(moments<float>{}); }
  SECTION("raw_sums<double>") { check(raw_sums<double>{}); }
  SECTION("raw_sums<double, neumaier_sum>") { check(raw_sums<double, neumaier_sum>{}); }
  SECTION("raw_sums<long long>") { check(raw_sums<long long>{}); }
  SECTION("raw_sums<mpq_class>") { check(raw_sums<mpq_class>{}); }
}

TEST_CASE("pop: popping every record in any order returns exactly to empty",
          "[pop][moments][raw_sums]") {
  splitmix64 rng(101);
  const auto offset =
      streamreg_test::offset_stream(102, 800, streamreg_test::x_pattern::jittered, 3e8, 2.0);
  const auto integers = integer_data(103, 800);
  for (int trial = 0; trial < 3; ++trial) {
    INFO("trial " << trial);
    push_then_pop_all<moments<double>>(offset, rng);
    push_then_pop_all<moments<double>>(integers, rng);
    push_then_pop_all<raw_sums<double>>(offset, rng);
    push_then_pop_all<raw_sums<double>>(integers, rng);
    push_then_pop_all<raw_sums<long long>>(integers, rng);
  }
  SECTION("weighted records") {
    moments<double> m;
    raw_sums<double> r;
    std::vector<double> w(offset.size());
    for (std::size_t i = 0; i < offset.size(); ++i) {
      w[i] = rng.uniform(0.01, 100.0);
      m.push(offset[i].x, offset[i].y, w[i]);
      r.push(offset[i].x, offset[i].y, w[i]);
    }
    for (const auto i : permutation(offset.size(), rng)) {
      REQUIRE(m.pop(offset[i].x, offset[i].y, w[i]));
      REQUIRE(r.pop(offset[i].x, offset[i].y, w[i]));
    }
    CHECK(m == moments<double>{});
    CHECK(r == raw_sums<double>{});
  }
  SECTION("interleaved: the state empties and refills many times") {
    moments<double> m;
    for (std::size_t round = 0; round < 50; ++round) {
      const std::size_t k = 1 + round % 7;
      for (std::size_t i = 0; i < k; ++i) m.push(offset[round + i].x, offset[round + i].y);
      for (std::size_t i = k; i-- > 0;) REQUIRE(m.pop(offset[round + i].x, offset[round + i].y));
      REQUIRE(m == moments<double>{});
    }
  }
}

TEST_CASE("pop: a retraction the state can tell was never pushed is refused",
          "[pop][moments][raw_sums]") {
  // (0,0), (1,1), (2,2), then retract (100, −50), which was never pushed: the remaining two
  // "records" would have Σ(x − x̄)² = 2 − 14701.5 < 0.
  SECTION("moments<double>: a negative sum of squares") {
    moments<double> m;
    for (int i = 0; i < 3; ++i) m.push(i, i);
    const auto before = m;
    CHECK_FALSE(m.pop(100.0, -50.0));
    CHECK(m == before);
    // Only y out of place: Sxx stays 2, Syy would be 2 − 49.5·99.
    CHECK_FALSE(m.pop(1.0, 100.0));
    CHECK(m == before);
    // Only x out of place.
    CHECK_FALSE(m.pop(-40.0, 1.0));
    CHECK(m == before);
    // A weighted record that was never pushed, within the weight sum.
    CHECK_FALSE(m.pop(100.0, -50.0, 0.5));
    CHECK(m == before);
    // The state still works: a genuine retraction is accepted.
    CHECK(m.pop(2.0, 2.0));
    CHECK(m.count() == 2);
  }
  SECTION("moments<double>: an outlier retracted from a large state") {
    const auto d =
        streamreg_test::offset_stream(104, 500, streamreg_test::x_pattern::step_037, 3e8, 1.0);
    moments<double> m;
    for (const auto& p : d) m.push(p.x, p.y);
    const auto before = m;
    // 1e4 beyond the data (x spans 185): its (x − x̄)² alone exceeds Σ(x − x̄)² ≈ 1.4e6.
    CHECK_FALSE(m.pop(d.back().x + 1e4, d.back().y));
    CHECK(m == before);
  }
  SECTION("raw_sums<long long>: nΣx² − (Σx)² or nΣy² − (Σy)² would be negative") {
    raw_sums<long long> s;
    for (long long i = 0; i < 3; ++i) s.push(i, i);
    const auto before = s;
    // n = 2, Σx = −97, Σx² = −9995: 2·(−9995) − 97² < 0.
    CHECK_FALSE(s.pop(100, -50));
    CHECK(s == before);
    // x fine (Σx = 2, Σx² = 4: 2·4 − 4 = 4), y not (Σy² = 5 − 10000 < 0).
    CHECK_FALSE(s.pop(1, 100));
    CHECK(s == before);
    // A weight larger than the weight sum.
    CHECK_FALSE(s.pop(1, 1, 3));
    CHECK(s == before);
    CHECK(s.pop(1, 1));
    CHECK(s.count() == 2);
    CHECK(s.sum_x() == 2);
    CHECK(s.sum_xx() == 4);
  }
  SECTION("raw_sums<mpq_class>: the same exact checks") {
    raw_sums<mpq_class> s;
    for (int i = 0; i < 3; ++i) s.push(mpq_class(i), mpq_class(i));
    const auto before = s;
    CHECK_FALSE(s.pop(mpq_class(100), mpq_class(-50)));
    CHECK_FALSE(s.pop(mpq_class(1), mpq_class(100)));
    CHECK_FALSE(s.pop(mpq_class(1), mpq_class(1), mpq_class(7, 2)));
    CHECK(s == before);
    // A record between the others that was never pushed cannot be told apart: accepted.
    CHECK(s.pop(mpq_class(1, 2), mpq_class(1, 2)));
  }
}

TEST_CASE("pop: a partial retraction leaves the fit of the remaining records",
          "[pop][moments][raw_sums]") {
  const auto d =
      streamreg_test::offset_stream(105, 600, streamreg_test::x_pattern::irregular, 3e8, 1.0);
  const auto di = integer_data(106, 600);
  moments<double> m;
  raw_sums<long long> s;
  for (std::size_t i = 0; i < d.size(); ++i) {
    m.push(d[i].x, d[i].y);
    s.push(static_cast<long long>(di[i].x), static_cast<long long>(di[i].y));
  }
  // Retract the first two thirds, oldest first (a sliding window's order).
  for (std::size_t i = 0; i < 400; ++i) {
    REQUIRE(m.pop(d[i].x, d[i].y));
    REQUIRE(s.pop(static_cast<long long>(di[i].x), static_cast<long long>(di[i].y)));
  }
  const std::vector<point> rest(d.begin() + 400, d.end());
  const std::vector<point> rest_i(di.begin() + 400, di.end());
  const auto ex = exact_fit(rest);
  const auto f = solve(m);
  REQUIRE(f.status == fit_status::ok);
  CHECK_THAT(f.slope, within_rel_exact<double>(ex.slope, 1e-12));
  CHECK_THAT(f.intercept, within_rel_exact<double>(ex.intercept, 1e-12));
  // Integer sums are exact; the fit is computed from them in double (two roundings of the
  // co-moments and one of each division).
  streamreg_test::exact_running_fit er;
  for (const auto& p : rest_i) er.add(p);
  CHECK(to_mpq(s.sum_x()) == er.sum_x());
  CHECK(to_mpq(s.sum_xy()) == er.sum_xy());
  CHECK(to_mpq(s.sum_xx()) == er.sum_xx());
  const auto fi = solve(s);
  REQUIRE(fi.status == fit_status::ok);
  CHECK_THAT(fi.slope, within_rel_exact<double>(er.slope(), 1e-15));
}

TEST_CASE("regressor: pop emits the fit after the retraction and counts refused pops",
          "[pop][regressor]") {
  auto r = streamreg::make_regressor(collector<double>{});
  const std::vector<point> d{{0.0, 1.0}, {1.0, 2.5}, {2.0, 2.0}, {3.0, 5.0}};
  for (const auto& p : d) REQUIRE(r.push(p.x, p.y));
  REQUIRE(r.sink().size() == 4);

  // A genuine retraction: one more emission, the fit of the three remaining records.
  CHECK(r.pop(1.0, 2.5));
  REQUIRE(r.sink().size() == 5);
  const auto& e = r.sink()[4];
  const auto ex = exact_fit(std::vector<point>{d[0], d[2], d[3]});
  REQUIRE(e.fit.status == fit_status::ok);
  CHECK(e.fit.n == 3);
  CHECK_THAT(e.fit.slope, within_rel_exact<double>(ex.slope, 1e-15));
  CHECK_THAT(e.fit.intercept, within_rel_exact<double>(ex.intercept, 1e-15));
  CHECK(e.at.index == 4);  // events are numbered over every accepted update
  CHECK(r.fit() == e.fit);
  CHECK(r.rejected() == 0);

  // Refused retractions: never pushed (a negative sum of squares), not finite, bad weight.
  const auto state = r.state();
  CHECK_FALSE(r.pop(100.0, -50.0));
  CHECK_FALSE(r.pop(std::numeric_limits<double>::quiet_NaN(), 1.0));
  CHECK_FALSE(r.pop(0.0, 1.0, -1.0));
  CHECK(r.rejected() == 3);
  CHECK(r.sink().size() == 5);  // nothing emitted
  CHECK(r.state() == state);

  // pop_at carries its event time.
  CHECK(r.pop_at(42.5, 3.0, 5.0));
  REQUIRE(r.sink().size() == 6);
  CHECK(r.sink()[5].at.time == 42.5);
  // Two records remain, (0, 1) and (2, 2): the line through them.
  const auto& last = r.sink()[5].fit;
  REQUIRE(last.status == fit_status::ok);
  CHECK(last.n == 2);
  CHECK_THAT(last.slope, Catch::Matchers::WithinRel(0.5, 1e-15));
  CHECK_THAT(last.intercept, Catch::Matchers::WithinRel(1.0, 1e-15));
  CHECK(r.sink()[5].at.index == 5);
}

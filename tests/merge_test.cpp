// SPDX-License-Identifier: MIT
// Merging states (sharding): any split of a stream into up to 8 shards, merged in any order
// and grouping (left fold, right fold, balanced tree, random order), equals one pass; exact
// for raw_sums over integers and rationals; the empty state is the identity; `a += b` is
// merge; weighted shards.
#include <streamreg/moments.hpp>
#include <streamreg/solve.hpp>
#include <streamreg/sums.hpp>

#include <catch2/catch.hpp>

#include <algorithm>  // std::max, std::sort
#include <cstddef>    // std::size_t
#include <cstdint>    // std::uint64_t
#include <utility>    // std::swap
#include <vector>     // std::vector

#include "support/oracle.hpp"

namespace {

using streamreg::fit_status;
using streamreg::moments;
using streamreg::raw_sums;
using streamreg::solve;
using streamreg_test::exact_ols;
using streamreg_test::point;
using streamreg_test::rel_error;
using streamreg_test::splitmix64;
using streamreg_test::to_mpq;
using streamreg_test::within_rel_exact;

/// Random cut points splitting [0, n) into 1 to 8 consecutive shards, some possibly empty.
std::vector<std::size_t> random_cuts(std::size_t n, splitmix64& rng) {
  const std::size_t shards = 1 + rng.index(8);
  std::vector<std::size_t> cuts{0, n};
  for (std::size_t i = 1; i < shards; ++i) cuts.push_back(rng.index(n + 1));
  std::sort(cuts.begin(), cuts.end());
  return cuts;
}

std::vector<std::size_t> permutation(std::size_t n, splitmix64& rng) {
  std::vector<std::size_t> order(n);
  for (std::size_t i = 0; i < n; ++i) order[i] = i;
  for (std::size_t i = n; i-- > 1;) std::swap(order[i], order[rng.index(i + 1)]);
  return order;
}

/// The four ways of combining the shards: left fold (merge), right fold (+=), a balanced
/// tree of pairwise merges, and a random order.
template <class State>
std::vector<State> combinations(const std::vector<State>& parts, splitmix64& rng) {
  State left;
  for (const auto& p : parts) left.merge(p);
  State right;
  for (std::size_t i = parts.size(); i-- > 0;) right += parts[i];
  std::vector<State> level = parts;
  while (level.size() > 1) {
    std::vector<State> next;
    for (std::size_t i = 0; i < level.size(); i += 2) {
      State s = level[i];
      if (i + 1 < level.size()) s.merge(level[i + 1]);
      next.push_back(s);
    }
    level = next;
  }
  State shuffled;
  for (const auto i : permutation(parts.size(), rng)) shuffled.merge(parts[i]);
  return {left, right, level.front(), shuffled};
}

/// Pushes records [lo, hi) of `d` (with weights `w` when not empty) into a fresh state.
template <class State, class Convert>
State shard(const std::vector<point>& d, const std::vector<double>& w, std::size_t lo,
            std::size_t hi, Convert convert) {
  State s;
  for (std::size_t i = lo; i < hi; ++i) {
    if (w.empty()) {
      s.push(convert(d[i].x), convert(d[i].y));
    } else {
      s.push(convert(d[i].x), convert(d[i].y), convert(w[i]));
    }
  }
  return s;
}

const auto as_double = [](double v) { return v; };
const auto as_integer = [](double v) { return static_cast<long long>(v); };
const auto as_rational = [](double v) { return to_mpq(v); };

/// Integer-valued records; products and sums fit in 64 bits.
std::vector<point> integer_data(std::uint64_t seed, std::size_t n) {
  splitmix64 rng(seed);
  std::vector<point> d(n);
  for (auto& p : d) {
    const auto x = static_cast<long long>(rng.index(200001)) - 100000;
    p.x = static_cast<double>(x);
    p.y = static_cast<double>(7 - 3 * x + static_cast<long long>(rng.index(2001)) - 1000);
  }
  return d;
}

/// Relative error of a moments<double> state's fit and co-moments against `ex` (checked
/// within `tol`); returns the largest.
double check_moments(const moments<double>& m, const exact_ols& ex, double tol) {
  CHECK(m.count() == ex.n);
  CHECK_THAT(m.weight_sum(), within_rel_exact<double>(ex.weight_sum, 1e-14));
  CHECK_THAT(m.mean_x(), within_rel_exact<double>(ex.mean_x, tol));
  CHECK_THAT(m.mean_y(), within_rel_exact<double>(ex.mean_y, tol));
  CHECK_THAT(m.sxx(), within_rel_exact<double>(ex.sxx, tol));
  CHECK_THAT(m.sxy(), within_rel_exact<double>(ex.sxy, tol));
  CHECK_THAT(m.syy(), within_rel_exact<double>(ex.syy, tol));
  const auto f = solve(m);
  REQUIRE(f.status == fit_status::ok);
  CHECK_THAT(f.slope, within_rel_exact<double>(ex.slope, tol));
  CHECK_THAT(f.intercept, within_rel_exact<double>(ex.intercept, tol));
  return std::max(rel_error(f.slope, ex.slope), rel_error(f.intercept, ex.intercept));
}

}  // namespace

TEST_CASE("merge: moments of any split, in any order and grouping, equal one pass",
          "[merge][moments]") {
  splitmix64 rng(501);
  using streamreg_test::x_pattern;
  double worst = 0;
  for (const auto pattern : {x_pattern::step_037, x_pattern::jittered, x_pattern::irregular}) {
    const auto d = streamreg_test::offset_stream(502, 2000, pattern, 3e8, 1.0);
    const auto ex = streamreg_test::exact_fit(d);
    moments<double> one;
    for (const auto& p : d) one.push(p.x, p.y);
    worst = std::max(worst, check_moments(one, ex, 1e-12));
    for (int trial = 0; trial < 20; ++trial) {
      const auto cuts = random_cuts(d.size(), rng);
      std::vector<moments<double>> parts;
      for (std::size_t i = 0; i + 1 < cuts.size(); ++i)
        parts.push_back(shard<moments<double>>(d, {}, cuts[i], cuts[i + 1], as_double));
      INFO(streamreg_test::to_string(pattern)
           << ", trial " << trial << ", " << parts.size() << " shards");
      for (const auto& m : combinations(parts, rng))
        worst = std::max(worst, check_moments(m, ex, 1e-12));
    }
    {
      // Records dealt to shards at random, not in runs.
      std::vector<moments<double>> parts(8);
      for (const auto& p : d) parts[rng.index(parts.size())].push(p.x, p.y);
      INFO(streamreg_test::to_string(pattern) << ", records dealt at random");
      for (const auto& m : combinations(parts, rng))
        worst = std::max(worst, check_moments(m, ex, 1e-12));
    }
  }
  INFO("worst relative error of the fit " << worst);
  CHECK(worst <= 1e-12);
}

TEST_CASE("merge: raw_sums over integers and rationals equal one pass exactly",
          "[merge][raw_sums][exact]") {
  splitmix64 rng(503);
  const auto d = integer_data(504, 1500);
  const auto one_i = shard<raw_sums<long long>>(d, {}, 0, d.size(), as_integer);
  const auto one_q = shard<raw_sums<mpq_class>>(d, {}, 0, d.size(), as_rational);
  // The one pass itself against the exact sums.
  streamreg_test::exact_running_fit er;
  for (const auto& p : d) er.add(p);
  REQUIRE(to_mpq(one_i.sum_x()) == er.sum_x());
  REQUIRE(to_mpq(one_i.sum_xx()) == er.sum_xx());
  REQUIRE(one_q.sum_xy() == er.sum_xy());
  const auto fq = solve(one_q);
  REQUIRE(fq.status == fit_status::ok);
  REQUIRE(fq.slope == er.slope());
  for (int trial = 0; trial < 20; ++trial) {
    const auto cuts = random_cuts(d.size(), rng);
    std::vector<raw_sums<long long>> parts_i;
    std::vector<raw_sums<mpq_class>> parts_q;
    for (std::size_t i = 0; i + 1 < cuts.size(); ++i) {
      parts_i.push_back(shard<raw_sums<long long>>(d, {}, cuts[i], cuts[i + 1], as_integer));
      parts_q.push_back(shard<raw_sums<mpq_class>>(d, {}, cuts[i], cuts[i + 1], as_rational));
    }
    INFO("trial " << trial << ", " << parts_i.size() << " shards");
    for (const auto& s : combinations(parts_i, rng)) CHECK(s == one_i);
    for (const auto& s : combinations(parts_q, rng)) CHECK(s == one_q);
  }
}

TEST_CASE("merge: the empty state is the identity, exactly", "[merge][moments][raw_sums]") {
  const auto d =
      streamreg_test::offset_stream(505, 300, streamreg_test::x_pattern::jittered, 3e8, 1.0);
  const auto check = [&](auto full) {
    using S = decltype(full);
    for (const auto& p : d) full.push(p.x, p.y);
    S a = full;
    a.merge(S{});
    CHECK(a == full);
    S b;
    b.merge(full);
    CHECK(b == full);
    S c;
    c += S{};
    CHECK(c == S{});
    // An emptied state too.
    S emptied;
    emptied.push(1.0, 2.0);
    emptied.pop(1.0, 2.0);
    S e = full;
    e.merge(emptied);
    CHECK(e == full);
    CHECK(solve(e) == solve(full));
  };
  SECTION("moments<double>") { check(moments<double>{}); }
  SECTION("raw_sums<double>") { check(raw_sums<double>{}); }
  SECTION("raw_sums<double, neumaier_sum>") { check(raw_sums<double, streamreg::neumaier_sum>{}); }
}

TEST_CASE("merge: a += b is a.merge(b)", "[merge][moments][raw_sums]") {
  const auto d =
      streamreg_test::offset_stream(506, 400, streamreg_test::x_pattern::irregular, 3e8, 1.0);
  const auto check = [&](auto a) {
    using S = decltype(a);
    S b;
    for (std::size_t i = 0; i < d.size(); ++i) (i % 3 == 0 ? a : b).push(d[i].x, d[i].y);
    S via_merge = a;
    via_merge.merge(b);
    S via_op = a;
    S& ref = (via_op += b);
    CHECK(&ref == &via_op);  // returns *this, so merges chain
    CHECK(via_op == via_merge);
    S chained = a;
    (chained += b) += b;
    S twice = via_merge;
    twice.merge(b);
    CHECK(chained == twice);
  };
  SECTION("moments<double>") { check(moments<double>{}); }
  SECTION("raw_sums<double>") { check(raw_sums<double>{}); }
}

TEST_CASE("merge: weighted shards equal the weighted one pass",
          "[merge][moments][raw_sums][weights]") {
  splitmix64 rng(507);
  const auto d =
      streamreg_test::offset_stream(508, 1500, streamreg_test::x_pattern::step_037, 3e8, 1.0);
  std::vector<double> w(d.size());
  for (auto& v : w) v = rng.uniform(0.1, 10.0);
  const auto ex = streamreg_test::exact_weighted_fit(d, w);
  const auto di = integer_data(509, 1500);
  std::vector<double> wi(di.size());
  for (auto& v : wi) v = static_cast<double>(1 + rng.index(9));
  const auto one_i = shard<raw_sums<long long>>(di, wi, 0, di.size(), as_integer);
  for (int trial = 0; trial < 10; ++trial) {
    const auto cuts = random_cuts(d.size(), rng);
    std::vector<moments<double>> parts;
    std::vector<raw_sums<long long>> parts_i;
    for (std::size_t i = 0; i + 1 < cuts.size(); ++i) {
      parts.push_back(shard<moments<double>>(d, w, cuts[i], cuts[i + 1], as_double));
      parts_i.push_back(shard<raw_sums<long long>>(di, wi, cuts[i], cuts[i + 1], as_integer));
    }
    INFO("trial " << trial << ", " << parts.size() << " shards");
    for (const auto& m : combinations(parts, rng)) check_moments(m, ex, 1e-12);
    for (const auto& s : combinations(parts_i, rng)) CHECK(s == one_i);
  }
}

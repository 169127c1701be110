// SPDX-License-Identifier: MIT
// forgetting<T>: exponentially weighted least squares against a high-precision (320-bit GMP
// mpf) batch fit with the true weights 0.5^(age / H), per record and in event time; the
// factor of a half-life, no forgetting (factor 1), configuration errors, late times, gaps
// long enough to forget everything, and Kish's effective count.
#include <streamreg/error.hpp>
#include <streamreg/forgetting.hpp>
#include <streamreg/moments.hpp>
#include <streamreg/regressor.hpp>
#include <streamreg/sink.hpp>
#include <streamreg/solve.hpp>

#include <catch2/catch.hpp>

#include <algorithm>  // std::max
#include <cmath>      // std::pow
#include <cstddef>    // std::size_t
#include <cstdint>    // std::uint64_t
#include <limits>     // std::numeric_limits
#include <utility>    // std::pair
#include <vector>     // std::vector

#include "support/oracle.hpp"

namespace {

using streamreg::config_error;
using streamreg::fit_status;
using streamreg::forgetting;
using streamreg::moments;
using streamreg::solve;
using streamreg_test::half_root;
using streamreg_test::hp;
using streamreg_test::hp_bits;
using streamreg_test::hp_ols;
using streamreg_test::hp_pow;
using streamreg_test::hp_rel_error;
using streamreg_test::hp_weighted_fit;
using streamreg_test::point;
using streamreg_test::splitmix64;

constexpr double a_nan = std::numeric_limits<double>::quiet_NaN();
constexpr double an_inf = std::numeric_limits<double>::infinity();
constexpr double eps = std::numeric_limits<double>::epsilon();

/// Offset data: x = 1.7e9 + 0.37 k + U(−0.1, 0.1), y = 3e8 + 2.5 (x − 1.7e9) + N(0, 1).
std::vector<point> offset_data(std::uint64_t seed, std::size_t n) {
  splitmix64 rng(seed);
  std::vector<point> d(n);
  for (std::size_t k = 0; k < n; ++k) {
    d[k].x = 1.7e9 + 0.37 * static_cast<double>(k) + rng.uniform(-0.1, 0.1);
    d[k].y = 3e8 + 2.5 * (d[k].x - 1.7e9) + rng.normal();
  }
  return d;
}

/// The weights λ^(m−1−i) · user[i] of the first m records (age in records), in high precision.
std::vector<mpf_class> record_weights(const mpf_class& lambda, std::size_t m,
                                      const std::vector<double>& user) {
  std::vector<mpf_class> w(m, mpf_class(0, hp_bits));
  mpf_class decay(1, hp_bits);
  for (std::size_t i = m; i-- > 0;) {
    w[i] = decay;
    if (!user.empty()) w[i] *= hp(user[i]);
    decay *= lambda;
  }
  return w;
}

struct errors {
  double slope = 0, intercept = 0, weight_sum = 0, effective_count = 0;
};

/// Fit, weight sum and effective count of `f` against the high-precision batch `ex`.
errors compare(const forgetting<double>& f, const hp_ols& ex, double tol) {
  errors e;
  const auto fit = solve(f);
  REQUIRE(fit.status == fit_status::ok);
  e.slope = hp_rel_error(fit.slope, ex.slope);
  e.intercept = hp_rel_error(fit.intercept, ex.intercept);
  e.weight_sum = hp_rel_error(f.weight_sum(), ex.weight_sum);
  e.effective_count = hp_rel_error(f.effective_count(), ex.effective_count());
  INFO("slope " << fit.slope << ", intercept " << fit.intercept << ", relative errors: slope "
                << e.slope << ", intercept " << e.intercept << ", weight sum " << e.weight_sum
                << ", effective count " << e.effective_count);
  CHECK(e.slope <= tol);
  CHECK(e.intercept <= tol);
  CHECK(e.weight_sum <= tol);
  CHECK(e.effective_count <= tol);
  return e;
}

}  // namespace

TEST_CASE("half_root: the oracle's 0.5^(1/q) is a root of λ^q = 1/2", "[forgetting][oracle]") {
  // The oracle checks itself against λ^q; here also against values known in closed form.
  CHECK(half_root(1) == hp(0.5));
  mpf_class sqrt_half(0, hp_bits);
  sqrt_half = sqrt(hp(0.5));
  CHECK(hp_rel_error(half_root(2).get_d(), sqrt_half) <= eps);
  mpf_class diff(0, hp_bits);
  diff = abs(half_root(4) - sqrt(sqrt_half));
  CHECK(diff < hp(1e-90));
}

TEST_CASE("forgetting: half_life(500) over 10^5 offset records matches the weighted batch fit",
          "[forgetting][accuracy]") {
  constexpr std::size_t n = 100000;
  const auto d = offset_data(401, n);
  const mpf_class lambda = half_root(500);  // 0.5^(1/500) to 320 bits
  auto f = forgetting<double>::half_life(500.0);
  // Prefixes from a handful of records (few records, little forgetting) to the whole stream
  // (the oldest records weigh 0.5^200).
  const std::vector<std::size_t> checks{3, 10, 100, 1000, 5000, 20000, n};
  errors worst;
  std::size_t next = 0;
  for (std::size_t k = 0; k < n; ++k) {
    if (!f.push(d[k].x, d[k].y)) FAIL("record " << k << " refused");
    if (k + 1 != checks[next]) continue;
    INFO("after " << k + 1 << " records");
    CHECK(f.count() == k + 1);
    const auto e =
        compare(f,
                hp_weighted_fit(
                    std::vector<point>(d.begin(), d.begin() + static_cast<std::ptrdiff_t>(k + 1)),
                    record_weights(lambda, k + 1, {})),
                1e-9);
    worst.slope = std::max(worst.slope, e.slope);
    worst.intercept = std::max(worst.intercept, e.intercept);
    ++next;
  }
  CHECK(next == checks.size());
  INFO("worst relative error: slope " << worst.slope << ", intercept " << worst.intercept);
  CHECK(std::max(worst.slope, worst.intercept) <= 1e-9);
}

TEST_CASE("forgetting: weighted records decay like unit ones", "[forgetting][weights]") {
  constexpr std::size_t n = 5000;
  const auto d = offset_data(402, n);
  splitmix64 rng(403);
  std::vector<double> user(n);
  for (auto& w : user) w = rng.uniform(0.1, 10.0);
  auto f = forgetting<double>::half_life(50.0);
  for (std::size_t k = 0; k < n; ++k) REQUIRE(f.push(d[k].x, d[k].y, user[k]));
  compare(f, hp_weighted_fit(d, record_weights(half_root(50), n, user)), 1e-9);
  SECTION("invalid weights and records are refused, the state unchanged") {
    const auto before = f;
    CHECK_FALSE(f.push(1.7e9, 1.0, 0.0));
    CHECK_FALSE(f.push(1.7e9, 1.0, -1.0));
    CHECK_FALSE(f.push(1.7e9, 1.0, a_nan));
    CHECK_FALSE(f.push(1.7e9, 1.0, an_inf));
    CHECK_FALSE(f.push(a_nan, 1.0));
    CHECK(f == before);
  }
}

TEST_CASE("forgetting: the factor of a half-life, and per_record with that factor",
          "[forgetting]") {
  for (const unsigned long h : {1ul, 3ul, 500ul, 1000000ul}) {
    INFO("half-life " << h);
    const auto half = forgetting<double>::half_life(static_cast<double>(h));
    CHECK_FALSE(half.by_time());
    // 0.5^(1/H), correctly rounded or within one more rounding.
    CHECK(hp_rel_error(half.factor(), half_root(h)) <= 2 * eps);
    // per_record with λ = 0.5^(1/H) is the same filter.
    auto a = half;
    auto b = forgetting<double>::per_record(std::pow(0.5, 1.0 / static_cast<double>(h)));
    CHECK_THAT(b.factor(), Catch::Matchers::WithinRel(half.factor(), 2 * eps));
    auto c = forgetting<double>::per_record(half.factor());
    const auto d = offset_data(404, 300);
    for (const auto& p : d) {
      a.push(p.x, p.y);
      b.push(p.x, p.y);
      c.push(p.x, p.y);
    }
    CHECK(a == c);  // the same factor: the same state, bit for bit
    const auto fa = solve(a), fb = solve(b);
    REQUIRE(fa.status == fit_status::ok);
    REQUIRE(fb.status == fit_status::ok);
    CHECK_THAT(fb.slope, Catch::Matchers::WithinRel(fa.slope, 1e-12));
    CHECK_THAT(fb.intercept, Catch::Matchers::WithinRel(fa.intercept, 1e-12));
  }
}

TEST_CASE("forgetting: factor 1 is no forgetting", "[forgetting]") {
  const auto d = offset_data(405, 2000);
  auto f = forgetting<double>::per_record(1.0);
  moments<double> m;
  for (std::size_t k = 0; k < d.size(); ++k) {
    REQUIRE(f.push(d[k].x, d[k].y));
    m.push(d[k].x, d[k].y);
    if (k % 100 != 99) continue;
    const auto ff = solve(f), fm = solve(m);
    REQUIRE(ff.status == fit_status::ok);
    CHECK_THAT(ff.slope, Catch::Matchers::WithinRel(fm.slope, 1e-15));
    CHECK_THAT(ff.intercept, Catch::Matchers::WithinRel(fm.intercept, 1e-15));
    CHECK(f.weight_sum() == static_cast<double>(k + 1));
    CHECK_THAT(f.effective_count(), Catch::Matchers::WithinRel(static_cast<double>(k + 1), 1e-15));
  }
  // Against the exact fit too (all weights 1).
  const auto ex = streamreg_test::exact_fit(d);
  CHECK_THAT(solve(f).slope, streamreg_test::within_rel_exact<double>(ex.slope, 1e-12));
}

TEST_CASE("forgetting: factors outside 0 < f <= 1 and half-lives <= 0 are config_errors",
          "[forgetting][config]") {
  for (const double bad : {0.0, -0.0, -0.5, 1.0 + eps, 2.0, a_nan, an_inf, -an_inf}) {
    INFO("factor " << bad);
    CHECK_THROWS_AS(forgetting<double>::per_record(bad), config_error);
  }
  for (const double bad : {0.0, -0.0, -1.0, a_nan, an_inf, -an_inf}) {
    INFO("half-life " << bad);
    CHECK_THROWS_AS(forgetting<double>::half_life(bad), config_error);
    CHECK_THROWS_AS(forgetting<double>::half_life_time(bad), config_error);
  }
  // So short that the factor 0.5^(1/H) underflows to 0, or that 1/H overflows.
  CHECK_THROWS_AS(forgetting<double>::half_life(1e-4), config_error);  // 0.5^10000
  CHECK_THROWS_AS(forgetting<double>::half_life_time(1e-310), config_error);
  // The extremes that are valid.
  CHECK_NOTHROW(forgetting<double>::per_record(std::numeric_limits<double>::denorm_min()));
  CHECK_NOTHROW(forgetting<double>::per_record(1.0));
  CHECK_NOTHROW(forgetting<double>::half_life(1e300));
  CHECK_THROWS_WITH(forgetting<double>::per_record(0.0), Catch::Matchers::Contains("(0, 1]"));
}

TEST_CASE("forgetting: half_life_time weighs a record dt older by 0.5^(dt/H)",
          "[forgetting][time]") {
  SECTION("two records one half-life apart") {
    auto f = forgetting<double>::half_life_time(20.0);
    CHECK(f.by_time());
    REQUIRE(f.push_at(100.0, 1.0, 1.0));
    REQUIRE(f.push_at(120.0, 2.0, 3.0));
    CHECK_THAT(f.weight_sum(), Catch::Matchers::WithinRel(1.5, 4 * eps));
    REQUIRE(f.push_at(160.0, 4.0, 4.0));  // 2 and 3 half-lives: 1 + 0.25 + 0.125
    CHECK_THAT(f.weight_sum(), Catch::Matchers::WithinRel(1.375, 8 * eps));
    // Equal times do not decay.
    REQUIRE(f.push_at(160.0, 5.0, 4.0));
    CHECK_THAT(f.weight_sum(), Catch::Matchers::WithinRel(2.375, 8 * eps));
    CHECK(f.last_time() == 160.0);
  }
  SECTION("irregular times against the high-precision batch") {
    // Times on a quarter grid near 1.7e9 (differences exact), gaps of 0 to 10 in quarters;
    // H = 20, so a record m quarters older weighs μ^m with μ = 0.5^(1/80).
    constexpr std::size_t n = 3000;
    const auto d = offset_data(406, n);
    splitmix64 rng(407);
    std::vector<unsigned long> quarter(n);  // time = 1.7e9 + quarter / 4
    auto f = forgetting<double>::half_life_time(20.0);
    const mpf_class mu = half_root(80);
    unsigned long q = 0;
    errors worst;
    for (std::size_t k = 0; k < n; ++k) {
      if (k > 0) q += static_cast<unsigned long>(rng.index(41));
      quarter[k] = q;
      REQUIRE(f.push_at(1.7e9 + static_cast<double>(q) / 4, d[k].x, d[k].y));
      if (k + 1 != 2 && k + 1 != 10 && k % 500 != 499) continue;
      std::vector<mpf_class> w;
      for (std::size_t i = 0; i <= k; ++i) w.push_back(hp_pow(mu, q - quarter[i]));
      INFO("after " << k + 1 << " records");
      const auto e = compare(
          f,
          hp_weighted_fit(
              std::vector<point>(d.begin(), d.begin() + static_cast<std::ptrdiff_t>(k + 1)), w),
          1e-9);
      worst.slope = std::max(worst.slope, e.slope);
      worst.intercept = std::max(worst.intercept, e.intercept);
    }
    INFO("worst relative error: slope " << worst.slope << ", intercept " << worst.intercept);
    CHECK(std::max(worst.slope, worst.intercept) <= 1e-9);
  }
  SECTION("late and non-finite times are refused, the state unchanged") {
    auto f = forgetting<double>::half_life_time(5.0);
    REQUIRE(f.push_at(10.0, 1.0, 2.0));
    REQUIRE(f.push_at(11.0, 2.0, 2.5));
    const auto before = f;
    CHECK_FALSE(f.push_at(10.5, 3.0, 3.0));
    CHECK_FALSE(f.push_at(a_nan, 3.0, 3.0));
    CHECK_FALSE(f.push_at(-an_inf, 3.0, 3.0));
    CHECK_FALSE(f.push_at(an_inf, 3.0, 3.0));
    CHECK(f == before);
  }
  SECTION("a gap of thousands of half-lives forgets everything before it") {
    // 0.5^(2000) underflows double: the earlier records weigh nothing.
    auto f = forgetting<double>::half_life_time(1.0);
    REQUIRE(f.push_at(0.0, 1.0, 1.0));
    REQUIRE(f.push_at(1.0, 2.0, 3.0));
    REQUIRE(f.push_at(2000.0, 3.0, 4.0));
    CHECK(f.weight_sum() == 1.0);
    CHECK(f.effective_count() == 1.0);
    CHECK(solve(f).status == fit_status::too_few_points);
    REQUIRE(f.push_at(2001.0, 4.0, 6.0));  // and it goes on: a line through two records
    const auto fit = solve(f);
    REQUIRE(fit.status == fit_status::ok);
    CHECK_THAT(fit.slope, Catch::Matchers::WithinRel(2.0, 1e-15));
    CHECK_THAT(fit.intercept, Catch::Matchers::WithinAbs(-2.0, 1e-14));
  }
  SECTION("a per-record factor ignores the time") {
    auto f = forgetting<double>::half_life(1.0);
    auto g = forgetting<double>::half_life(1.0);
    REQUIRE(f.push_at(10.0, 1.0, 1.0));
    REQUIRE(f.push_at(5.0, 2.0, 3.0));  // not late: times mean nothing here
    REQUIRE(g.push(1.0, 1.0));
    REQUIRE(g.push(2.0, 3.0));
    CHECK(f == g);
    CHECK(f.weight_sum() == 1.5);
  }
}

TEST_CASE("forgetting: effective_count is (sum w)^2 / sum w^2 of the true weights",
          "[forgetting]") {
  // Closed form for n unit records and λ per record:
  // ((1 − λ^n)/(1 − λ))² / ((1 − λ^2n)/(1 − λ²)) = (1 + λ)(1 − λ^n)² / ((1 − λ)(1 − λ^2n)).
  for (const std::size_t n :
       {std::size_t(1), std::size_t(7), std::size_t(100), std::size_t(1000)}) {
    INFO(n << " records");
    auto f = forgetting<double>::half_life(10.0);
    const auto d = offset_data(408, n);
    for (const auto& p : d) f.push(p.x, p.y);
    const mpf_class l = half_root(10);
    const mpf_class ln = hp_pow(l, n);
    mpf_class expected(0, hp_bits);
    expected = (1 + l) * (1 - ln) * (1 - ln) / ((1 - l) * (1 - ln * ln));
    CHECK(hp_rel_error(f.effective_count(), expected) <= 1e-13);
  }
  // One record: 1; two equal-weight records with no decay: 2.
  auto one = forgetting<double>::per_record(0.5);
  CHECK(one.effective_count() == 0.0);  // empty
  one.push(1.0, 1.0);
  CHECK(one.effective_count() == 1.0);
  auto two = forgetting<double>::per_record(1.0);
  two.push(1.0, 1.0, 3.0);
  two.push(2.0, 1.0, 3.0);
  CHECK(two.effective_count() == 2.0);
  // Weights 1 and 0.5 (λ = 0.5): (1.5)² / 1.25 = 1.8.
  one.push(2.0, 2.0);
  CHECK_THAT(one.effective_count(), Catch::Matchers::WithinRel(1.8, 2 * eps));
}

TEST_CASE("forgetting: in event time, push without a time is a config_error naming push_at",
          "[forgetting][time][errors]") {
  using Catch::Matchers::Contains;
  SECTION("the state") {
    auto f = forgetting<double>::half_life_time(5.0);
    REQUIRE(f.push_at(10.0, 1.0, 2.0));
    const auto before = f;
    CHECK_THROWS_AS(f.push(3.0, 3.0), config_error);
    CHECK_THROWS_WITH(f.push(3.0, 3.0, 2.0), Contains("use push_at(time, x, y)"));
    CHECK_THROWS_WITH(f.push(a_nan, 3.0), Contains("half_life_time"));  // whatever the record
    CHECK(f == before);
    // With the time it goes on: 5 time units later the first record weighs 1/2.
    REQUIRE(f.push_at(15.0, 3.0, 3.0));
    CHECK_THAT(f.weight_sum(), Catch::Matchers::WithinRel(1.5, 2 * eps));
  }
  SECTION("a regressor over it: nothing counted, nothing emitted") {
    std::uint64_t emitted = 0;
    auto reg = streamreg::make_regressor_for(
        forgetting<double>::half_life_time(5.0),
        [&emitted](const streamreg::line_fit<double>&, const streamreg::event&) { ++emitted; });
    STATIC_REQUIRE_FALSE(noexcept(reg.push(1.0, 2.0)));
    REQUIRE(reg.push_at(10.0, 1.0, 2.0));
    CHECK_THROWS_WITH(reg.push(2.0, 3.0), Contains("use push_at(time, x, y)"));
    CHECK_THROWS_AS(reg.push(2.0, 3.0, 1.0), config_error);
    CHECK_THROWS_AS(reg.push(std::pair<double, double>(2.0, 3.0)), config_error);
    CHECK(reg.accepted() == 1);
    CHECK(reg.rejected() == 0);
    CHECK(emitted == 1);
    REQUIRE(reg.push_at(15.0, 3.0, 4.0));  // the line through (1, 2) weighing 1/2 and (3, 4)
    CHECK(reg.state().weight_sum() == 1.5);
    const auto fit = reg.fit();
    REQUIRE(fit.status == fit_status::ok);
    CHECK_THAT(fit.slope, Catch::Matchers::WithinRel(1.0, 1e-15));
    CHECK_THAT(fit.intercept, Catch::Matchers::WithinAbs(1.0, 1e-15));
  }
  SECTION("per record, push stays the way in (and push_at ignores the time)") {
    auto reg = streamreg::make_regressor_for(forgetting<double>::half_life(1.0),
                                             streamreg::null_sink{});
    REQUIRE(reg.push(1.0, 1.0));
    REQUIRE(reg.push(2.0, 3.0));
    CHECK(reg.state().weight_sum() == 1.5);
    auto sink_free = forgetting<double>::half_life(1.0);
    REQUIRE(sink_free.push_at(-7.0, 1.0, 1.0));
    REQUIRE(sink_free.push_at(-9.0, 2.0, 3.0));
    CHECK(sink_free == reg.state());
  }
}

// SPDX-License-Identifier: MIT
// multivariate::regression updates against exact rational fits of the records they should
// hold: retraction (pop), count windows, exponential forgetting, merge with a shared origin,
// and checkpoints (bit-exact round trip, corruption refused).
#include <streamreg/checkpoint.hpp>
#include <streamreg/multivariate.hpp>

#include <catch2/catch.hpp>

#include <algorithm>    // std::min
#include <array>        // merge orders
#include <cmath>        // std::isnan, std::fabs
#include <cstddef>      // std::size_t
#include <cstdint>  // std::uint64_t
#include <limits>       // std::numeric_limits
#include <string>   // std::string
#include <type_traits>  // std::is_same_v
#include <utility>      // std::pair
#include <vector>       // std::vector

#include "common.hpp"

namespace {

using namespace mv_test;  // NOLINT: the shared helpers of these tests
using streamreg_test::exact_solve;

template <class Reg>
constexpr double coef_tol() {
  return std::is_same_v<typename Reg::scalar, double> ? 1e-12 : 1e-15;
}

// ---------------------------------------------------------------------------------------------
// pop
// ---------------------------------------------------------------------------------------------

template <class Reg>
void pop_case(bool intercept) {
  const ls_problem q = random_problem(intercept ? 11 : 12, 50, 3, intercept, true);
  Reg reg(options_for(q));
  push_all(reg, q);
  for (std::size_t i = 0; i < 20; ++i)
    REQUIRE(reg.pop(q.x[i].data(), q.y[i], q.w[i].get_d(), 3));
  CHECK(reg.count() == 30);
  const double tol = coef_tol<Reg>();
  check_exact(reg.infer(), exact_solve(slice(q, 20, 50)), {tol, 100 * tol});
  // Popping every record returns to empty.
  for (std::size_t i = 20; i < 50; ++i)
    REQUIRE(reg.pop(q.x[i].data(), q.y[i], q.w[i].get_d(), 3));
  CHECK(reg.count() == 0);
  CHECK(reg.fit().status == fit_status::empty);
  CHECK(!reg.pop(q.x[0].data(), q.y[0], 1.0, 3));
}

TEST_CASE("pop: moments equal the fit of the remaining records", "[multivariate][pop]") {
  pop_case<moments_reg>(true);
  pop_case<moments_reg>(false);
}
TEST_CASE("pop: normal equations equal the fit of the remaining records", "[multivariate][pop]") {
  pop_case<normal_reg>(true);
  pop_case<normal_reg>(false);
}
TEST_CASE("pop: precise equals the fit of the remaining records", "[multivariate][pop]") {
  pop_case<precise_reg>(true);
  pop_case<precise_reg>(false);
}

TEST_CASE("pop: givens cannot remove", "[multivariate][pop]") {
  const ls_problem q = random_problem(13, 10, 2, true, false);
  givens_reg reg(options_for(q));
  push_all(reg, q);
  const std::string before = streamreg::save_checkpoint(reg);
  CHECK(!reg.pop(q.x[0].data(), q.y[0], 1.0, 2));
  CHECK(streamreg::save_checkpoint(reg) == before);
}

// ---------------------------------------------------------------------------------------------
// windows
// ---------------------------------------------------------------------------------------------

template <class Reg>
void window_case(std::uint64_t window, bool intercept) {
  const ls_problem q = random_problem(intercept ? 21 : 22, 90, 3, intercept, true);
  mv::options o = options_for(q);
  o.window = window;
  Reg reg(o);
  CHECK_THROWS_AS(reg.pop(q.x[0].data(), q.y[0], 1.0, 3), streamreg::config_error);
  const double tol = coef_tol<Reg>();
  for (std::size_t i = 0; i < q.y.size(); ++i) {
    push_range(reg, q, i, i + 1);
    const std::size_t held = std::min<std::size_t>(i + 1, window);
    CHECK(reg.count() == held);
    if (held < 6) continue;
    INFO("record " << i << ", window " << window);
    check_exact(reg.infer(), exact_solve(slice(q, i + 1 - held, i + 1)), {tol, 100 * tol});
  }
}

TEST_CASE("window: moments equal the exact fit of the last N records over many slides",
          "[multivariate][window]") {
  window_case<moments_reg>(16, true);
  window_case<moments_reg>(9, false);
}
TEST_CASE("window: normal equations equal the exact fit of the last N records",
          "[multivariate][window]") {
  window_case<normal_reg>(16, true);
  window_case<normal_reg>(9, false);
}
TEST_CASE("window: precise equals the exact fit of the last N records", "[multivariate][window]") {
  window_case<precise_reg>(16, true);
  window_case<precise_reg>(9, false);
}
TEST_CASE("window: givens (two stacks) equals the exact fit of the last N records",
          "[multivariate][window]") {
  window_case<givens_reg>(16, true);
  window_case<givens_reg>(9, false);
  window_case<givens_reg>(1, true);  // one record: every push empties the window first
}

/// A stream of two offset predictors (a timestamp near 1.7e9 and a level near 1.7e9) with
/// irregular event times, some shared: times 0.25·k with k advancing by 0..3 per record.
struct timed_problem {
  ls_problem q;
  std::vector<double> t;
};
inline timed_problem offset_timed(std::uint64_t seed, std::size_t n) {
  splitmix64 rng(seed);
  timed_problem p;
  double k = 0;
  for (std::size_t i = 0; i < n; ++i) {
    k += static_cast<double>(rng.index(4));
    const double t = 0.25 * k;
    const double a = 1.7e9 + t, b = 1.7e9 + std::round(rng.normal() * 800) / 8;
    p.q.add({a, b}, 3 + 0.5 * (a - 1.7e9) - 2 * (b - 1.7e9) + rng.normal());
    p.t.push_back(t);
  }
  return p;
}

template <class Reg>
void time_window_case(double span, double tol) {
  const timed_problem p = offset_timed(23, 400);
  mv::options o = options_for(p.q);
  o.window_time = span;
  Reg reg(o);
  CHECK_THROWS_AS(reg.push(p.q.x[0].data(), p.q.y[0], 1.0, 2), streamreg::config_error);
  std::size_t first = 0;
  for (std::size_t i = 0; i < p.q.y.size(); ++i) {
    REQUIRE(reg.push_at(p.t[i], p.q.x[i].data(), p.q.y[i], 1.0, 2));
    while (p.t[first] <= p.t[i] - span) ++first;  // the window: time > t − span
    REQUIRE(reg.count() == i + 1 - first);
    if (i + 1 - first < 8) continue;
    INFO("record " << i << ", span " << span << ", held " << i + 1 - first);
    check_exact(reg.infer(), exact_solve(slice(p.q, first, i + 1)), {tol, 100 * tol});
  }
  // A record earlier than the newest is refused and changes nothing.
  const auto before = reg.fit();
  CHECK_FALSE(reg.push_at(p.t.back() - 1, p.q.x[0].data(), p.q.y[0], 1.0, 2));
  CHECK((reg.fit().coefficients == before.coefficients));
}

TEST_CASE("time window: the exact fit of the records of the last span, offset predictors",
          "[multivariate][window][time]") {
  // A window's fit is refined against its records (their double-double normal equations):
  // without, moments (which square the condition number of the window's design) lose ~1e-12
  // on windows of ~10 records over these predictors and a fresh Givens fit ~1e-13.
  SECTION("moments") {
    time_window_case<moments_reg>(5.0, 1e-13);
    time_window_case<moments_reg>(40.0, 1e-13);
  }
  SECTION("precise") {
    time_window_case<precise_reg>(5.0, 1e-14);
    time_window_case<precise_reg>(40.0, 1e-14);
  }
  // Two stacks of Givens factors whose origin follows the window.
  SECTION("givens") {
    time_window_case<givens_reg>(5.0, 1e-13);
    time_window_case<givens_reg>(40.0, 1e-13);
  }
}

template <class Reg>
void time_forgetting_case() {
  // Integer times and a half-life of 1: weights 2^(−(t_n − t_i)), exact in double and in
  // rationals. The clock ticks after one record in six on average (several records share a
  // time), so about a dozen records carry most of the weight.
  splitmix64 rng(29);
  ls_problem q = random_problem(33, 80, 2, true, false);
  std::vector<double> t;
  double now = 0;
  for (std::size_t i = 0; i < q.y.size(); ++i) {
    if (rng.index(6) == 0) now += 1 + static_cast<double>(rng.index(2));  // 1 or 2 units later
    t.push_back(now);
  }
  mv::options o = options_for(q);
  o.half_life_time = 1;
  Reg reg(o);
  q.effective_count = true;
  const double tol = std::is_same_v<typename Reg::scalar, double> ? 1e-12 : 1e-13;
  for (std::size_t i = 0; i < q.y.size(); ++i) {
    REQUIRE(reg.push_at(t[i], q.x[i].data(), q.y[i], 1.0, 2));
    if (i < 8 || i % 9 != 8) continue;
    ls_problem upto = slice(q, 0, i + 1);
    upto.w.clear();
    mpq_class weight;
    for (std::size_t k = 0; k <= i; ++k) {
      mpq_class w = 1;
      for (double a = t[k]; a < t[i]; a += 1) w /= 2;  // 2^(−age)
      upto.w.push_back(w);
      weight += w;
    }
    INFO("record " << i);
    exact_ls ex = exact_solve(upto);
    ex.sigma2 = ex.sigma2 * ex.n / weight;  // one record's residual SD, as per record
    check_exact(reg.infer(), ex, {tol, 100 * tol});
  }
  CHECK_FALSE(reg.push_at(t.back() - 1, q.x[0].data(), q.y[0], 1.0, 2));  // late
  Reg other(o);
  CHECK_THROWS_AS(other.merge(reg), streamreg::config_error);
}

TEST_CASE("forgetting per unit of time: the exact fit with weights 2^(-age/H)",
          "[multivariate][forgetting][time]") {
  SECTION("givens") { time_forgetting_case<givens_reg>(); }
  SECTION("moments") { time_forgetting_case<moments_reg>(); }
  SECTION("precise") { time_forgetting_case<precise_reg>(); }
}

template <class Reg>
void time_window_checkpoint_case() {
  const timed_problem p = offset_timed(24, 120);
  mv::options o = options_for(p.q);
  o.window_time = 6;
  Reg a(o);
  for (std::size_t i = 0; i < 60; ++i) a.push_at(p.t[i], p.q.x[i].data(), p.q.y[i], 1.0, 2);
  const std::string text = streamreg::save_checkpoint(a);
  Reg b(o);
  streamreg::restore_checkpoint(text, b);
  CHECK(streamreg::save_checkpoint(b) == text);
  for (std::size_t i = 60; i < 120; ++i) {
    a.push_at(p.t[i], p.q.x[i].data(), p.q.y[i], 1.0, 2);
    b.push_at(p.t[i], p.q.x[i].data(), p.q.y[i], 1.0, 2);
  }
  CHECK(streamreg::save_checkpoint(a) == streamreg::save_checkpoint(b));
  CHECK((a.fit().coefficients == b.fit().coefficients));
  // A late record after the restore is refused as before it.
  CHECK_FALSE(b.push_at(p.t[50], p.q.x[0].data(), p.q.y[0], 1.0, 2));
  mv::options count = options_for(p.q);
  count.window = 6;
  Reg c(count);
  CHECK_THROWS_AS(streamreg::restore_checkpoint(text, c), streamreg::checkpoint_error);
}

TEST_CASE("time window: a restored checkpoint continues bit for bit", "[multivariate][checkpoint][time]") {
  SECTION("moments") { time_window_checkpoint_case<moments_reg>(); }
  SECTION("givens") { time_window_checkpoint_case<givens_reg>(); }
}

/// Many slides of a count window over two offset predictors (a timestamp and a level near
/// 1.7e9): the fit of every sampled window against the exact fit of its records. The two
/// stacks build each window's state afresh (no drift to accumulate); the moments window
/// rebuilds once per turnover; both refine their fit against the window's records.
template <class Reg>
void many_slides_case(std::uint64_t window, std::size_t records, double tol) {
  const timed_problem p = offset_timed(31, records);
  mv::options o = options_for(p.q);
  o.window = window;
  Reg reg(o);
  double worst = 0;
  for (std::size_t i = 0; i < records; ++i) {
    REQUIRE(reg.push(p.q.x[i].data(), p.q.y[i], 1.0, 2));
    if (i + 1 < window || (i * 7919) % records >= 60) continue;  // 60 sampled windows
    const exact_ls ex = exact_solve(slice(p.q, i + 1 - window, i + 1));
    const errors e = compare(reg.infer(), ex);
    worst = std::max(worst, e.coef);
  }
  INFO("window " << window << ": worst relative error of a coefficient " << worst);
  CHECK(worst <= tol);
}

TEST_CASE("window: many slides over offset predictors keep the digits of a fresh fit",
          "[multivariate][window]") {
  SECTION("givens") {
    many_slides_case<givens_reg>(10, 100000, 1e-14);
    many_slides_case<givens_reg>(100, 100000, 1e-14);
  }
  SECTION("moments") {
    many_slides_case<moments_reg>(10, 100000, 1e-14);
    many_slides_case<moments_reg>(100, 100000, 1e-14);
  }
}

// ---------------------------------------------------------------------------------------------
// forgetting
// ---------------------------------------------------------------------------------------------

template <class Reg>
void forgetting_case(bool intercept) {
  const double lambda = 0.95;
  ls_problem q = random_problem(intercept ? 31 : 32, 70, 3, intercept, false);
  mv::options o = options_for(q);
  o.forgetting = lambda;
  Reg reg(o);
  q.effective_count = true;
  const mpq_class l = streamreg_test::to_mpq(lambda);
  const double tol = std::is_same_v<typename Reg::scalar, double> ? 1e-12 : 1e-13;
  for (std::size_t i = 0; i < q.y.size(); ++i) {
    push_range(reg, q, i, i + 1);
    if (i < 8 || i % 10 != 9) continue;
    ls_problem upto = slice(q, 0, i + 1);
    upto.w.clear();
    mpq_class w = 1;  // λ^age, age 0 for the newest record
    for (std::size_t k = 0; k <= i; ++k) {
      upto.w.insert(upto.w.begin(), w);
      w *= l;
    }
    INFO("record " << i << (intercept ? "" : ", no intercept"));
    // The residual SD is one record's (as on the one-predictor path): SSE/df per Σw/n_eff
    // of weight, sqrt(SSE/Σw · n_eff/(n_eff − K)).
    exact_ls ex = exact_solve(upto);
    mpq_class weight;
    for (const auto& wk : upto.w) weight += wk;
    ex.sigma2 = ex.sigma2 * ex.n / weight;
    check_exact(reg.infer(), ex, {tol, 100 * tol});
  }
}

TEST_CASE("forgetting: equals the exact fit with weights lambda^age", "[multivariate][forgetting]") {
  SECTION("givens") {
    forgetting_case<givens_reg>(true);
    forgetting_case<givens_reg>(false);
  }
  SECTION("moments") {
    forgetting_case<moments_reg>(true);
    forgetting_case<moments_reg>(false);
  }
  SECTION("normal equations") {
    forgetting_case<normal_reg>(true);
    forgetting_case<normal_reg>(false);
  }
  SECTION("precise") {
    forgetting_case<precise_reg>(true);
    forgetting_case<precise_reg>(false);
  }
}

// ---------------------------------------------------------------------------------------------
// merge
// ---------------------------------------------------------------------------------------------

template <class Reg>
void merge_case(bool polynomial) {
  ls_problem q;
  if (polynomial) {
    splitmix64 rng(51);
    q.degree = 3;
    for (int i = 0; i < 60; ++i) {
      const double x = rng.uniform(-1.5, 2.5);
      q.add({x}, 3 - 0.5 * x + 0.2 * x * x * x + 0.1 * rng.normal());
    }
  } else {
    q = random_problem(52, 60, 4, true, true);
  }
  const exact_ls ex = exact_solve(q);
  mv::options o = options_for(q);
  o.origin.assign(q.x[7].begin(), q.x[7].end());
  o.origin.push_back(q.y[7]);
  splitmix64 rng(53);
  // Normal equations in double square the condition number: on the cubic one pass already
  // measures 7e-13 relative on the coefficients, merged states up to 1.5e-12.
  const bool squared = std::is_same_v<Reg, normal_reg>;
  const double tol = polynomial && squared ? 1e-11 : coef_tol<Reg>();
  for (int trial = 0; trial < 5; ++trial) {
    std::vector<Reg> parts(3, Reg(o));
    for (std::size_t i = 0; i < q.y.size(); ++i) push_range(parts[rng.index(3)], q, i, i + 1);
    Reg all(o);  // an empty one takes the others' origin
    for (const auto& p : parts) all.merge(p);
    REQUIRE(all.count() == q.y.size());
    INFO(Reg::state_type::name() << ", trial " << trial << (polynomial ? ", polynomial" : ""));
    check_exact(all.infer(), ex, {tol, 100 * tol});
    // Merging into a non-empty part gives the same fit.
    parts[1].merge(parts[0]);
    parts[1].merge(parts[2]);
    check_exact(parts[1].infer(), ex, {tol, 100 * tol});
  }
  // Default-constructed parts (each its first record's origin) merge in any order: the
  // lighter part's state moves to the heavier part's origin and reference.
  mv::options free = o;
  free.origin.clear();
  for (int trial = 0; trial < 3; ++trial) {
    std::vector<Reg> parts(3, Reg(free));
    for (std::size_t i = 0; i < q.y.size(); ++i) push_range(parts[rng.index(3)], q, i, i + 1);
    INFO(Reg::state_type::name() << ", own origins, trial " << trial
                                 << (polynomial ? ", polynomial" : ""));
    for (const std::array<int, 3>& order : {std::array<int, 3>{0, 1, 2}, {2, 1, 0}, {1, 2, 0}}) {
      Reg all = parts[static_cast<std::size_t>(order[0])];
      all.merge(parts[static_cast<std::size_t>(order[1])]);
      all.merge(parts[static_cast<std::size_t>(order[2])]);
      REQUIRE(all.count() == q.y.size());
      check_exact(all.infer(), ex, {tol, 100 * tol});
    }
  }
}

TEST_CASE("merge: random splits, with a shared origin or each its own, equal the fit of everything",
          "[multivariate][merge]") {
  for (bool polynomial : {false, true}) {
    merge_case<givens_reg>(polynomial);
    merge_case<moments_reg>(polynomial);
    merge_case<normal_reg>(polynomial);
    merge_case<precise_reg>(polynomial);
  }
}

// ---------------------------------------------------------------------------------------------
// checkpoints
// ---------------------------------------------------------------------------------------------

template <class Reg>
void checkpoint_case(mv::options extra) {
  const ls_problem q = random_problem(61, 40, 3, true, true);
  mv::options o = options_for(q);
  o.window = extra.window;
  o.forgetting = extra.forgetting;
  o.ridge = extra.ridge;
  Reg a(o);
  push_range(a, q, 0, 25);
  const std::string text = streamreg::save_checkpoint(a);
  Reg b(o);
  streamreg::restore_checkpoint(text, b);
  CHECK(streamreg::save_checkpoint(b) == text);
  CHECK(b.state() == a.state());
  // The restored regression continues exactly as the original.
  push_range(a, q, 25, 40);
  push_range(b, q, 25, 40);
  const auto fa = a.infer(), fb = b.infer();
  REQUIRE(fa.status == fit_status::ok);
  REQUIRE(fb.status == fit_status::ok);
  for (Eigen::Index j = 0; j < 4; ++j) {
    CHECK(fa.fit.coefficients(j) == fb.fit.coefficients(j));
    CHECK(fa.std_errors(j) == fb.std_errors(j));
  }
  CHECK(fa.residual_sd == fb.residual_sd);
  CHECK(streamreg::save_checkpoint(a) == streamreg::save_checkpoint(b));

  // A flipped digit or a truncation is refused and leaves the target unchanged.
  std::string bad = text;
  const std::size_t at = bad.find(" 1.", bad.size() / 2);  // a hexadecimal mantissa
  REQUIRE(at != std::string::npos);
  bad[at + 3] = bad[at + 3] == '0' ? '1' : '0';
  Reg c(o);
  push_range(c, q, 0, 5);
  const std::string c_before = streamreg::save_checkpoint(c);
  CHECK_THROWS_AS(streamreg::restore_checkpoint(bad, c), streamreg::checkpoint_error);
  CHECK_THROWS_AS(streamreg::restore_checkpoint(text.substr(0, text.size() / 2), c),
                  streamreg::checkpoint_error);
  CHECK(streamreg::save_checkpoint(c) == c_before);
  // Another number of predictors is refused.
  if constexpr (Reg::max_coefficients == Eigen::Dynamic) {
    mv::options two = o;
    two.predictors = 2;
    Reg d(two);
    CHECK_THROWS_AS(streamreg::restore_checkpoint(text, d), streamreg::checkpoint_error);
  }
}

TEST_CASE("checkpoint: bit-exact round trip per policy, corruption refused",
          "[multivariate][checkpoint]") {
  mv::options plain, window, forgetting, ridge;
  window.window = 12;
  forgetting.forgetting = 0.9;
  ridge.ridge = 2;
  SECTION("givens") {
    checkpoint_case<givens_reg>(plain);
    checkpoint_case<givens_reg>(forgetting);
    checkpoint_case<givens_reg>(ridge);
    checkpoint_case<givens_reg>(window);
    mv::options window_ridge = window;
    window_ridge.ridge = 2;
    checkpoint_case<givens_reg>(window_ridge);
    checkpoint_case<mv::regression<double, 3>>(plain);
  }
  SECTION("moments") {
    checkpoint_case<moments_reg>(plain);
    checkpoint_case<moments_reg>(window);
    checkpoint_case<moments_reg>(forgetting);
  }
  SECTION("normal equations") {
    checkpoint_case<normal_reg>(plain);
    checkpoint_case<normal_reg>(window);
  }
  SECTION("precise") {
    checkpoint_case<precise_reg>(plain);
    checkpoint_case<precise_reg>(window);
    checkpoint_case<precise_reg>(forgetting);
  }
}

TEST_CASE("checkpoint: another policy's checkpoint is refused", "[multivariate][checkpoint]") {
  const ls_problem q = random_problem(62, 10, 2, true, false);
  moments_reg m(options_for(q));
  push_all(m, q);
  givens_reg g(options_for(q));
  CHECK_THROWS_AS(streamreg::restore_checkpoint(streamreg::save_checkpoint(m), g),
                  streamreg::checkpoint_error);
  normal_reg n(options_for(q));
  push_all(n, q);
  precise_reg p(options_for(q));
  CHECK_THROWS_AS(streamreg::restore_checkpoint(streamreg::save_checkpoint(n), p),
                  streamreg::checkpoint_error);
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// feature maps
// ---------------------------------------------------------------------------------------------

namespace {

struct reading {
  double a, b, response;
};

TEST_CASE("projected: a user feature map equals the exact fit of the mapped predictors",
          "[multivariate][projected]") {
  // Predictors a, b and the interaction a·b (computed in double, as the map does).
  std::vector<reading> records;
  splitmix64 g(99);
  ls_problem q;
  for (int i = 0; i < 60; ++i) {
    const double a = static_cast<double>(g.next() % 1000) / 64.0;
    const double b = static_cast<double>(g.next() % 1000) / 32.0 - 10;
    const double y = 2 + 0.5 * a - b + 0.25 * a * b + static_cast<double>(g.next() % 64) / 64;
    records.push_back({a, b, y});
    q.add({a, b, a * b}, y);
  }
  auto reg = mv::make_projected(mv::regression<double, 3>{}, [](const reading& r) {
    return std::pair<Eigen::Vector3d, double>(Eigen::Vector3d(r.a, r.b, r.a * r.b), r.response);
  });
  for (const auto& r : records) REQUIRE(reg.push(r));
  check_exact(reg.infer(), exact_solve(q), {1e-12, 1e-10});
  // Retraction through the map, with a policy that can remove.
  auto mom = mv::make_projected(mv::regression<double, 3, mv::moments>{}, [](const reading& r) {
    return std::pair<Eigen::Vector3d, double>(Eigen::Vector3d(r.a, r.b, r.a * r.b), r.response);
  });
  for (const auto& r : records) REQUIRE(mom.push(r));
  for (std::size_t i = 0; i < 10; ++i) REQUIRE(mom.pop(records[i]));
  check_exact(mom.infer(), exact_solve(slice(q, 10, 60)), {1e-12, 1e-10});
  CHECK(!reg.push(reading{1, std::numeric_limits<double>::quiet_NaN(), 2}));
  CHECK(reg.regression().count() == 60);
}

}  // namespace

namespace {

TEST_CASE("predict: the fitted value at new inputs", "[multivariate][predict]") {
  // y = 1 + 2a − 3b exactly: the prediction at (2, 5) is 1 + 4 − 15 = −10.
  mv::regression<double, 2> reg;
  CHECK(std::isnan(reg.predict(Eigen::Vector2d(2, 5))));
  reg.push(Eigen::Vector2d(0, 0), 1.0);
  reg.push(Eigen::Vector2d(1, 0), 3.0);
  CHECK(std::isnan(reg.predict(Eigen::Vector2d(2, 5))));  // too few points
  reg.push(Eigen::Vector2d(0, 1), -2.0);
  CHECK(std::fabs(reg.predict(Eigen::Vector2d(2, 5)) + 10) < 1e-13);
  // A quadratic through (0, 1), (1, 2), (2, 5): y = 1 + x², so 10 at x = 3; shifted origin.
  mv::options o;
  o.degree = 2;
  mv::regression<> poly(o);
  poly.push(0.0, 1.0);
  poly.push(1.0, 2.0);
  poly.push(2.0, 5.0);
  CHECK(std::fabs(poly.predict(3.0) - 10) < 1e-13);
  // Through a feature map, without adding the record.
  auto pr = mv::make_projected(mv::regression<double, 1>{}, [](const std::pair<double, double>& r) {
    return std::pair<Eigen::Matrix<double, 1, 1>, double>(Eigen::Matrix<double, 1, 1>(r.first),
                                                          r.second);
  });
  pr.push(std::pair{0.0, 1.0});
  pr.push(std::pair{2.0, 5.0});
  CHECK(std::fabs(pr.predict(std::pair{1.0, 0.0}) - 3) < 1e-14);
  CHECK(pr.regression().count() == 2);
}

}  // namespace

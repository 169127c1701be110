// SPDX-License-Identifier: MIT
// multivariate::regression: accuracy record by record against NIST StRD certified values and
// exact rational least squares (a Filip-like degree-10 polynomial, random problems, offset
// data, ridge), and the statuses of the degenerate cases.
#include <streamreg/checkpoint.hpp>
#include <streamreg/multivariate.hpp>

#include <catch2/catch.hpp>

#include <algorithm>  // std::min
#include <cmath>      // std::floor
#include <cstddef>    // std::size_t
#include <iomanip>    // std::setw
#include <limits>     // std::numeric_limits
#include <sstream>    // std::ostringstream
#include <string>     // std::string
#include <type_traits>  // std::is_same_v
#include <vector>     // std::vector

#include "common.hpp"
#include "support/nist.hpp"

namespace {

using namespace mv_test;  // NOLINT: the shared helpers of these tests
using streamreg_test::exact_solve;
using streamreg_test::lre;
using streamreg_test::nist_linear;

static_assert(std::is_same_v<mv::regression<>, givens_reg>, "givens is the default policy");

// ---------------------------------------------------------------------------------------------
// NIST StRD, record by record
// ---------------------------------------------------------------------------------------------

/// Minimum LREs of one set under one policy (0 for a quantity that is not defined).
struct lre_row {
  fit_status status = fit_status::empty;
  double coef = 15, se = 15, rsd = 0, r2 = 0;
};

/// Options for a StRD set: a polynomial when the certified table has more slopes than the
/// file has x columns.
mv::options nist_options(const nist_linear& d) {
  mv::options o;
  o.intercept = d.intercept;
  const int slopes = static_cast<int>(d.estimate.size()) - (d.intercept ? 1 : 0);
  if (slopes > static_cast<int>(d.columns())) {
    o.degree = slopes;
  } else {
    o.predictors = slopes;
  }
  return o;
}

template <class Reg>
lre_row nist_run(const nist_linear& d, mv::options o) {
  Reg reg(o);
  const auto k = static_cast<std::uint64_t>(d.estimate.size());
  for (std::size_t i = 0; i < d.y.size(); ++i) {
    REQUIRE(reg.push(d.x[i].data(), d.y[i], 1.0, static_cast<Eigen::Index>(d.x[i].size())));
    if (reg.count() < k) REQUIRE(reg.fit().status == fit_status::too_few_points);
  }
  const auto r = reg.infer();
  lre_row row;
  row.status = r.status;
  for (std::size_t j = 0; j < d.estimate.size(); ++j) {
    const auto jj = static_cast<Eigen::Index>(j);
    row.coef = std::min(row.coef, lre(to_double(r.fit.coefficients(jj)), d.estimate[j]));
    row.se = std::min(row.se, lre(to_double(r.std_errors(jj)), d.estimate_sd[j]));
  }
  row.rsd = lre(to_double(r.residual_sd), d.residual_sd);
  row.r2 = lre(to_double(r.r_squared), d.r_squared);
  return row;
}

struct nist_case {
  const char* file;
  // Floors of the default policy (givens), measured minus about 0.3.
  double coef, se, rsd, r2;
};

// Measured with g++ 12 (ASan) and clang 14 (-O2): see the table the test prints.
const nist_case nist_cases[] = {
    {"Norris", 12.7, 13.4, 13.5, 14.7},
    {"Pontius", 12.3, 12.8, 12.8, 14.7},
    {"NoInt1", 14.4, 14.7, 14.7, 14.7},
    {"Longley", 13.4, 14.2, 14.6, 14.7},
    {"Wampler1", 8.9, 10.0, 10.0, 14.7},
};

std::string format_row(const std::string& set, const char* policy, const lre_row& r) {
  std::ostringstream os;
  os << std::fixed << std::setprecision(1) << "| " << set << " | " << policy << " | "
     << streamreg::to_string(r.status) << " | " << r.coef << " | " << r.se << " | " << r.rsd
     << " | " << r.r2 << " |\n";
  return os.str();
}

TEST_CASE("NIST StRD: LRE per set and policy, record by record", "[multivariate][nist]") {
  std::string table =
      "LRE (correct digits, min over coefficients), records pushed one at a time\n"
      "| set | policy | status | coefficients | SEs | residual SD | R² |\n"
      "|---|---|---|---|---|---|---|\n";
  for (const auto& c : nist_cases) {
    const nist_linear d = streamreg_test::read_nist_linear(
        streamreg_test::data_path(std::string("nist/") + c.file + ".dat"), c.file);
    const mv::options o = nist_options(d);
    mv::options raw = o;
    raw.shift = false;
    const lre_row def = nist_run<givens_reg>(d, o);
    const lre_row noshift = nist_run<givens_reg>(d, raw);
    const lre_row mom = nist_run<moments_reg>(d, o);
    const lre_row ne = nist_run<normal_reg>(d, o);
    const lre_row pre = nist_run<precise_reg>(d, o);
    table += format_row(c.file, "givens (default)", def);
    table += format_row(c.file, "givens, x as given", noshift);
    table += format_row(c.file, "moments", mom);
    table += format_row(c.file, "normal_equations double", ne);
    table += format_row(c.file, "precise (double_double)", pre);

    INFO(c.file);
    CHECK(def.status == fit_status::ok);
    CHECK(def.coef >= c.coef);
    CHECK(def.se >= c.se);
    CHECK(def.rsd >= c.rsd);
    CHECK(def.r2 >= c.r2);
    CHECK(pre.status == fit_status::ok);
    CHECK(pre.coef >= 13);
    CHECK(pre.se >= 13);
    CHECK(pre.rsd >= 13);
    CHECK(pre.r2 >= 13);
  }
  WARN(table);
}

/// A window that ends holding exactly the set: the stream is the set's first n/2 + 1 records,
/// then the set; a count window of n (or a time window of span n over the record index)
/// holds the set after the last record, split between the two stacks of the default policy.
template <class Reg>
lre_row nist_window_run(const nist_linear& d, mv::options o, bool timed) {
  const std::size_t n = d.y.size();
  if (timed) {
    o.window_time = static_cast<double>(n);
  } else {
    o.window = n;
  }
  Reg reg(o);
  std::vector<std::size_t> order;
  for (std::size_t i = 0; i <= n / 2; ++i) order.push_back(i);
  for (std::size_t i = 0; i < n; ++i) order.push_back(i);
  for (std::size_t k = 0; k < order.size(); ++k) {
    const std::size_t i = order[k];
    const auto size = static_cast<Eigen::Index>(d.x[i].size());
    REQUIRE(reg.push_at(static_cast<double>(k), d.x[i].data(), d.y[i], 1.0, size));
  }
  REQUIRE(reg.count() == n);
  const auto r = reg.infer();
  lre_row row;
  row.status = r.status;
  for (std::size_t j = 0; j < d.estimate.size(); ++j) {
    const auto jj = static_cast<Eigen::Index>(j);
    row.coef = std::min(row.coef, lre(to_double(r.fit.coefficients(jj)), d.estimate[j]));
    row.se = std::min(row.se, lre(to_double(r.std_errors(jj)), d.estimate_sd[j]));
  }
  row.rsd = lre(to_double(r.residual_sd), d.residual_sd);
  row.r2 = lre(to_double(r.r_squared), d.r_squared);
  return row;
}

TEST_CASE("NIST StRD: a window ending on the set keeps the fixed-stream floors",
          "[multivariate][nist][window]") {
  std::string table =
      "LRE of a window holding the set after sliding over other records\n"
      "| set | policy | status | coefficients | SEs | residual SD | R² |\n"
      "|---|---|---|---|---|---|---|\n";
  for (const auto& c : nist_cases) {
    const nist_linear d = streamreg_test::read_nist_linear(
        streamreg_test::data_path(std::string("nist/") + c.file + ".dat"), c.file);
    const mv::options o = nist_options(d);
    for (const bool timed : {false, true}) {
      const lre_row def = nist_window_run<givens_reg>(d, o, timed);
      const lre_row mom = nist_window_run<moments_reg>(d, o, timed);
      table += format_row(c.file, timed ? "givens, time window" : "givens, count window", def);
      table += format_row(c.file, timed ? "moments, time window" : "moments, count window", mom);
      INFO(c.file << (timed ? ", time window" : ", count window"));
      CHECK(def.status == fit_status::ok);
      CHECK(def.coef >= c.coef);
      CHECK(def.se >= c.se);
      CHECK(def.rsd >= c.rsd);
      CHECK(def.r2 >= c.r2);
    }
  }
  WARN(table);
}

TEST_CASE("NIST StRD: the reader parses every linear set", "[multivariate][nist]") {
  const auto longley = streamreg_test::read_nist_linear(
      streamreg_test::data_path("nist/Longley.dat"), "Longley");
  CHECK(longley.intercept);
  CHECK(longley.estimate.size() == 7);
  CHECK(longley.y.size() == 16);
  CHECK(longley.columns() == 6);
  CHECK(longley.estimate[6] == 1829.15146461355);
  CHECK(longley.estimate_sd[2] == 0.334910077722432E-01);
  CHECK(longley.residual_sd == 304.854073561965);
  CHECK(longley.r_squared == 0.995479004577296);
  CHECK(longley.y[15] == 70551);
  CHECK(longley.x[15][5] == 1962);
  const auto noint = streamreg_test::read_nist_linear(
      streamreg_test::data_path("nist/NoInt1.dat"), "NoInt1");
  CHECK(!noint.intercept);
  CHECK(noint.estimate.size() == 1);
  CHECK(noint.estimate[0] == 2.07438016528926);
  CHECK(noint.y.size() == 11);
  const auto wampler = streamreg_test::read_nist_linear(
      streamreg_test::data_path("nist/Wampler1.dat"), "Wampler1");
  CHECK(wampler.estimate.size() == 6);
  CHECK(wampler.columns() == 1);
  CHECK(wampler.y.size() == 21);
  CHECK(wampler.residual_sd == 0);
  CHECK(wampler.r_squared == 1);
  const auto norris = streamreg_test::read_nist_linear(
      streamreg_test::data_path("nist/Norris.dat"), "Norris");
  CHECK(norris.y.size() == 36);
  const auto pontius = streamreg_test::read_nist_linear(
      streamreg_test::data_path("nist/Pontius.dat"), "Pontius");
  CHECK(pontius.y.size() == 40);
  CHECK(pontius.estimate.size() == 3);
}

// ---------------------------------------------------------------------------------------------
// A Filip-like polynomial: degree 10, x in [−9, −3]
// ---------------------------------------------------------------------------------------------

ls_problem filip_like() {
  splitmix64 rng(20240611);
  ls_problem p;
  p.degree = 10;
  // A smooth degree-10 polynomial in t = (x + 6) / 3, values near 0.85 as Filip's.
  const double c[11] = {0.85, 0.04, -0.03, 0.02, 0.015, -0.01, 0.008, -0.004, 0.002, 0.001,
                        -0.0005};
  for (int i = 0; i < 82; ++i) {
    // x on a grid of 2^-29 (about 33 significant bits): exact rationals stay small.
    const double x = -9.0 + static_cast<double>(rng.next() >> 34) * 0x1p-30 * 6.0;
    const double t = (x + 6.0) / 3.0;
    double y = 0;
    for (int j = 10; j >= 0; --j) y = y * t + c[j];
    y += 0.003 * rng.normal();
    p.add({x}, y);
  }
  return p;
}

template <class Reg>
errors filip_run(const ls_problem& p, const exact_ls& ex, fit_status& status) {
  Reg reg(options_for(p));
  push_all(reg, p);
  const auto r = reg.infer();
  status = r.status;
  if (r.fit.status != fit_status::ok) {
    errors e;
    e.coef = e.se = e.rsd = e.r2 = std::numeric_limits<double>::infinity();
    return e;
  }
  return compare(r, ex);
}

std::string format_errors(const char* policy, fit_status s, const errors& e) {
  std::ostringstream os;
  os << std::fixed << std::setprecision(1) << "| " << policy << " | " << streamreg::to_string(s)
     << " | " << digits(e.coef) << " | " << digits(e.se) << " | " << digits(e.rsd) << " | "
     << digits(e.r2) << " |\n";
  return os.str();
}

TEST_CASE("polynomial: Filip-like degree-10 polynomial vs exact rationals",
          "[multivariate][polynomial]") {
  const ls_problem p = filip_like();
  const exact_ls ex = exact_solve(p);
  REQUIRE(ex.full_rank);
  fit_status s_def{}, s_mom{}, s_ne{}, s_pre{};
  const errors def = filip_run<givens_reg>(p, ex, s_def);
  const errors mom = filip_run<moments_reg>(p, ex, s_mom);
  const errors ne = filip_run<normal_reg>(p, ex, s_ne);
  const errors pre = filip_run<precise_reg>(p, ex, s_pre);
  std::string table =
      "Filip-like (82 points, degree 10, x in [-9, -3]): digits vs the exact fit\n"
      "| policy | status | coefficients | SEs | residual SD | R² |\n|---|---|---|---|---|---|\n";
  table += format_errors("givens (default)", s_def, def);
  table += format_errors("moments", s_mom, mom);
  table += format_errors("normal_equations double", s_ne, ne);
  table += format_errors("precise (double_double)", s_pre, pre);
  WARN(table);

  // Precise mode: at least 11 correct digits on every coefficient.
  CHECK(s_pre == fit_status::ok);
  CHECK(digits(pre.coef) >= 11);
  CHECK(digits(pre.se) >= 11);
  CHECK(digits(pre.rsd) >= 11);
  // The default: a non-ok status, or what it was measured to reach (never confident garbage).
  // Measured: 9.3 digits on the coefficients, 10.1 on the SEs, 11.6 on the residual SD.
  if (s_def == fit_status::ok) {
    CHECK(digits(def.coef) >= 9.0);
    CHECK(digits(def.se) >= 9.8);
    CHECK(digits(def.rsd) >= 11.3);
  }
  // Any policy that says ok must not be garbage.
  if (s_mom == fit_status::ok) CHECK(digits(mom.coef) >= 1);
  if (s_ne == fit_status::ok) CHECK(digits(ne.coef) >= 1);
}

// ---------------------------------------------------------------------------------------------
// Random well-conditioned problems vs exact rational fits
// ---------------------------------------------------------------------------------------------

template <class Reg>
void random_case(int p, bool intercept, bool weighted, std::uint64_t seed, tolerances tol = {}) {
  const ls_problem q = random_problem(seed, 60, p, intercept, weighted);
  const exact_ls ex = exact_solve(q);
  mv::options o = options_for(q);
  if (Reg::max_coefficients != Eigen::Dynamic) o.predictors = 0;
  Reg reg(o);
  push_all(reg, q);
  INFO("P = " << p << (intercept ? " with" : " without") << " intercept"
              << (weighted ? ", weighted" : ""));
  check_exact(reg.infer(), ex, tol);
}

template <class Reg>
void random_cases_dynamic(tolerances tol = {}) {
  std::uint64_t seed = 100;
  for (int p : {1, 3, 8})
    for (bool intercept : {true, false})
      for (bool weighted : {false, true}) random_case<Reg>(p, intercept, weighted, ++seed, tol);
}

TEST_CASE("exact: random problems, givens, fixed and dynamic P",
          "[multivariate][exact][givens]") {
  std::uint64_t seed = 200;
  for (bool intercept : {true, false})
    for (bool weighted : {false, true}) {
      random_case<mv::regression<double, 1>>(1, intercept, weighted, ++seed);
      random_case<mv::regression<double, 3>>(3, intercept, weighted, ++seed);
      random_case<mv::regression<double, 8>>(8, intercept, weighted, ++seed);
    }
  random_cases_dynamic<givens_reg>();
}

TEST_CASE("exact: random problems, moments", "[multivariate][exact][moments]") {
  random_cases_dynamic<moments_reg>();
}

TEST_CASE("exact: random problems, normal equations in double",
          "[multivariate][exact][normal_equations]") {
  random_cases_dynamic<normal_reg>();
}

TEST_CASE("exact: random problems, precise", "[multivariate][exact][precise]") {
  random_cases_dynamic<precise_reg>({1e-15, 1e-15});
}

TEST_CASE("exact: fit after every record matches the exact prefix fit",
          "[multivariate][exact]") {
  const ls_problem q = random_problem(7, 24, 3, true, true);
  givens_reg reg(options_for(q));
  for (std::size_t i = 0; i < q.y.size(); ++i) {
    push_range(reg, q, i, i + 1);
    if (i + 1 < 5) continue;  // K = 4: df >= 1 from the fifth record
    INFO("records " << i + 1);
    check_exact(reg.infer(), exact_solve(slice(q, 0, i + 1)), {});
  }
}

// ---------------------------------------------------------------------------------------------
// Offset data
// ---------------------------------------------------------------------------------------------

TEST_CASE("exact: offset predictors near 1e9, default policy",
          "[multivariate][exact][offset]") {
  splitmix64 rng(99);
  ls_problem q;
  const double steps[3] = {0.1, 0.37, 1.0 / 1024};
  for (int i = 0; i < 200; ++i) {
    std::vector<double> x(3);
    double y = 5e6 + 2.5;
    for (std::size_t j = 0; j < 3; ++j) {
      x[j] = 1e9 + static_cast<double>(j) * 1e3 + steps[j] * i + rng.uniform(0.0, 40.0);
      y += (0.75 - 0.5 * static_cast<double>(j)) * (x[j] - 1e9);
    }
    y += rng.normal();
    q.add(std::move(x), y);
  }
  const exact_ls ex = exact_solve(q);
  SECTION("default givens") {
    givens_reg reg(options_for(q));
    push_all(reg, q);
    const auto r = reg.infer();
    const errors e = compare(r, ex);
    WARN("offset 1e9, givens: coefficients " << e.coef << ", SEs " << e.se << ", residual SD "
                                             << e.rsd << ", R² " << e.r2 << " relative");
    check_exact(r, ex, {1e-12, 1e-12});  // measured: 8e-16 and 4e-16
  }
  SECTION("precise") {
    precise_reg reg(options_for(q));
    push_all(reg, q);
    check_exact(reg.infer(), ex, {1e-15, 1e-15});
  }
}

// ---------------------------------------------------------------------------------------------
// Prediction with its standard errors
// ---------------------------------------------------------------------------------------------

/// predict_with_se at `x` against the exact fit: ŷ = x̃ᵀβ, se_fit² = x̃ᵀ cov x̃ (cov = σ²H⁻¹GH⁻¹),
/// se_obs² = se_fit² + σ².
template <class Reg>
void check_prediction(const Reg& reg, const ls_problem& q, const exact_ls& ex,
                      const std::vector<double>& x, double tol) {
  const auto z = streamreg_test::exact_features(q, x);
  mpq_class fit, var;
  for (std::size_t a = 0; a < ex.k; ++a) {
    fit += z[a] * ex.beta[a];
    for (std::size_t c = 0; c < ex.k; ++c) var += z[a] * ex.cov[a][c] * z[c];
  }
  const auto p = reg.predict_with_se(Eigen::Map<const Eigen::VectorXd>(
      x.data(), static_cast<Eigen::Index>(x.size())));
  INFO("fit " << to_double(p.fit) << " se_fit " << to_double(p.se_fit) << " se_obs "
              << to_double(p.se_obs));
  REQUIRE(p.status == fit_status::ok);
  CHECK(rel_err(p.fit, fit) <= tol);
  CHECK(rel_err_sqrt(p.se_fit, var) <= tol);
  CHECK(rel_err_sqrt(p.se_obs, mpq_class(var + ex.sigma2)) <= tol);
  CHECK(rel_err(p.df, ex.df) <= 1e-13);
  CHECK(rel_err(reg.predict(Eigen::Map<const Eigen::VectorXd>(
                    x.data(), static_cast<Eigen::Index>(x.size()))),
                fit) <= tol);
}

ls_problem poly_problem();  // a noisy cubic (the ridge section)

template <class Reg>
void prediction_cases(double tol) {
  // Weighted, with intercept; inside, at the edge of and far outside the data.
  const ls_problem w = random_problem(51, 60, 3, true, true);
  Reg reg(options_for(w));
  push_all(reg, w);
  const exact_ls ex = exact_solve(w);
  for (const std::vector<double>& x : {w.x[0], w.x[17], std::vector<double>{0.0, 0.0, 0.0},
                                       std::vector<double>{50.0, -40.0, 300.0}})
    check_prediction(reg, w, ex, x, tol);
  // No intercept.
  const ls_problem n = random_problem(52, 40, 2, false, false);
  Reg origin(options_for(n));
  push_all(origin, n);
  check_prediction(origin, n, exact_solve(n), {3.0, -2.0}, tol);
  // A cubic in one x.
  const ls_problem c = poly_problem();
  Reg poly(options_for(c));
  push_all(poly, c);
  check_prediction(poly, c, exact_solve(c), {2.5}, tol);
  check_prediction(poly, c, exact_solve(c), {6.0}, tol);
}

TEST_CASE("prediction: fit, se_fit and se_obs of the exact fit, every policy",
          "[multivariate][prediction]") {
  SECTION("givens") { prediction_cases<givens_reg>(1e-12); }
  SECTION("moments") { prediction_cases<moments_reg>(1e-11); }
  SECTION("normal equations") { prediction_cases<normal_reg>(1e-10); }
  SECTION("precise") { prediction_cases<precise_reg>(1e-14); }
}

TEST_CASE("prediction: offset predictors near 1e9 keep their digits (formed from the origin)",
          "[multivariate][prediction][offset]") {
  // x̃ᵀ cov x̃ in the inputs' coordinates would cancel ~15 digits here (the intercept's
  // variance is 1e18 times the prediction's); the state's coordinates do not.
  splitmix64 rng(77);
  ls_problem q;
  for (int i = 0; i < 300; ++i) {
    const double a = 1.7e9 + i + rng.uniform(0.0, 5.0), b = 1.7e9 - 2.0 * i;
    q.add({a, b}, 0.5 * (a - 1.7e9) - 0.25 * (b - 1.7e9) + 10 + rng.normal());
  }
  const exact_ls ex = exact_solve(q);
  givens_reg reg(options_for(q));
  push_all(reg, q);
  check_prediction(reg, q, ex, {1.7e9 + 150, 1.7e9 - 300}, 1e-11);
  check_prediction(reg, q, ex, {1.7e9 + 400, 1.7e9 - 700}, 1e-11);
  moments_reg m(options_for(q));
  push_all(m, q);
  check_prediction(m, q, ex, {1.7e9 + 150, 1.7e9 - 300}, 1e-10);
}

TEST_CASE("prediction: ridge fits predict in the inputs' coordinates", "[multivariate][prediction][ridge]") {
  ls_problem q = random_problem(53, 50, 3, true, false);
  q.ridge = 4;
  const exact_ls ex = exact_solve(q);
  givens_reg g(options_for(q));
  push_all(g, q);
  check_prediction(g, q, ex, q.x[3], 1e-11);
  moments_reg m(options_for(q));
  push_all(m, q);
  check_prediction(m, q, ex, q.x[3], 1e-11);
}

TEST_CASE("prediction: edges", "[multivariate][prediction][edge]") {
  givens_reg reg(options_for(random_problem(1, 1, 2, true, false)));
  const Eigen::Vector2d x(1, 2);
  CHECK(reg.predict_with_se(x).status == fit_status::empty);
  reg.push(Eigen::Vector2d(0, 0), 1);
  reg.push(Eigen::Vector2d(1, 0), 2);
  reg.push(Eigen::Vector2d(0, 1), 3);
  const auto three = reg.predict_with_se(x);  // as many records as coefficients: no df
  CHECK(three.status == fit_status::too_few_points);
  CHECK(std::isnan(three.se_fit));
  reg.push(Eigen::Vector2d(1, 1), 4.5);
  CHECK(reg.predict_with_se(x).status == fit_status::ok);
  const auto bad = reg.predict_with_se(Eigen::Vector2d(std::numeric_limits<double>::infinity(), 0));
  CHECK(bad.status == fit_status::not_finite);
  CHECK_THROWS_AS(reg.predict_with_se(Eigen::Vector3d(1, 2, 3)), streamreg::config_error);
}

// ---------------------------------------------------------------------------------------------
// Ridge
// ---------------------------------------------------------------------------------------------

template <class Reg>
void ridge_case(ls_problem q, double lambda, bool penalize_intercept, double tol) {
  q.ridge = lambda;
  q.penalize_intercept = penalize_intercept;
  const exact_ls ex = exact_solve(q);
  Reg reg(options_for(q));
  push_all(reg, q);
  const auto r = reg.infer();
  INFO("lambda " << lambda << (penalize_intercept ? ", intercept penalised" : "")
                 << (q.intercept ? "" : ", no intercept") << ", degree " << q.degree);
  check_exact(r, ex, {tol, 100 * tol});
}

ls_problem poly_problem() {
  splitmix64 rng(31);
  ls_problem q;
  q.degree = 3;
  for (int i = 0; i < 40; ++i) {
    const double x = rng.uniform(1.0, 4.0);
    q.add({x}, 2 - x + 0.5 * x * x - 0.1 * x * x * x + 0.05 * rng.normal());
  }
  return q;
}

template <class Reg>
void ridge_cases(double tol) {
  const ls_problem with = random_problem(41, 50, 3, true, true);
  const ls_problem without = random_problem(42, 50, 3, false, false);
  for (double lambda : {0.5, 25.0}) {
    ridge_case<Reg>(with, lambda, false, tol);
    ridge_case<Reg>(with, lambda, true, tol);
    ridge_case<Reg>(without, lambda, false, tol);
    ridge_case<Reg>(poly_problem(), lambda, false, tol);
    ridge_case<Reg>(poly_problem(), lambda, true, tol);
  }
}

TEST_CASE("ridge: exact solve in the original coordinates, givens", "[multivariate][ridge]") {
  ridge_cases<givens_reg>(1e-12);
}
TEST_CASE("ridge: exact solve in the original coordinates, moments", "[multivariate][ridge]") {
  ridge_cases<moments_reg>(1e-12);
}
TEST_CASE("ridge: exact solve in the original coordinates, normal equations",
          "[multivariate][ridge]") {
  ridge_cases<normal_reg>(1e-12);
}
TEST_CASE("ridge: exact solve in the original coordinates, precise", "[multivariate][ridge]") {
  ridge_cases<precise_reg>(1e-15);
}

// ---------------------------------------------------------------------------------------------
// Degenerate cases
// ---------------------------------------------------------------------------------------------

template <class Reg>
void edge_cases() {
  mv::options o;
  o.predictors = 3;
  SECTION("empty") {
    Reg reg(o);
    CHECK(reg.fit().status == fit_status::empty);
    CHECK(reg.infer().status == fit_status::empty);
  }
  SECTION("fewer records than coefficients") {
    Reg reg(o);
    const ls_problem q = random_problem(3, 3, 3, true, false);
    push_all(reg, q);
    const auto f = reg.fit();
    CHECK(f.status == fit_status::too_few_points);
    CHECK(f.n == 3);
    CHECK(!is_finite(f.coefficients(0)));
    CHECK(reg.infer().status == fit_status::too_few_points);
  }
  SECTION("as many records as coefficients: exact fit, no inference") {
    Reg reg(o);
    const ls_problem q = random_problem(4, 4, 3, true, false);
    push_all(reg, q);
    const exact_ls ex = exact_solve(q);
    const auto f = reg.fit();
    REQUIRE(f.status == fit_status::ok);
    for (Eigen::Index j = 0; j < 4; ++j)
      CHECK(rel_err(f.coefficients(j), ex.beta[static_cast<std::size_t>(j)]) <= 1e-10);
    const auto r = reg.infer();
    CHECK(r.status == fit_status::too_few_points);
    CHECK(r.fit.status == fit_status::ok);
  }
  SECTION("duplicated, collinear and constant predictors are rank deficient") {
    splitmix64 rng(5);
    Reg dup(o), col(o), con(o), con_noshift([&] {
      mv::options n = o;
      n.shift = false;
      return n;
    }());
    for (int i = 0; i < 30; ++i) {
      const double a = std::floor(rng.uniform(-50, 50)), b = std::floor(rng.uniform(-50, 50));
      const double y = 1 + a - 2 * b + rng.normal();
      const double xd[3] = {a, b, a};
      const double xc[3] = {a, b, a + 2 * b};
      const double xk[3] = {a, 3.7, b};
      REQUIRE(dup.push(xd, y, 1, 3));
      REQUIRE(col.push(xc, y, 1, 3));
      REQUIRE(con.push(xk, y, 1, 3));
      REQUIRE(con_noshift.push(xk, y, 1, 3));
    }
    for (const Reg* r : {&dup, &col, &con, &con_noshift}) {
      const auto f = r->fit();
      CHECK(f.status == fit_status::rank_deficient);
      CHECK(!is_finite(f.coefficients(1)));
      CHECK(r->infer().status == fit_status::rank_deficient);
    }
  }
  SECTION("non-finite values and non-positive weights are refused, state unchanged") {
    Reg reg(o);
    const double nan = std::numeric_limits<double>::quiet_NaN();
    const double inf = std::numeric_limits<double>::infinity();
    const double good[3] = {1, 2, 3};
    // Refused before the first record: the origin must not be taken from it.
    const double bad_x[3] = {1, nan, 3};
    CHECK(!reg.push(bad_x, 1.0, 1, 3));
    CHECK(reg.count() == 0);
    const ls_problem q = random_problem(6, 10, 3, true, false);
    push_all(reg, q);
    const std::string before = streamreg::save_checkpoint(reg);
    const double inf_x[3] = {1, 2, -inf};
    CHECK(!reg.push(bad_x, 1.0, 1, 3));
    CHECK(!reg.push(inf_x, 1.0, 1, 3));
    CHECK(!reg.push(good, nan, 1, 3));
    CHECK(!reg.push(good, inf, 1, 3));
    CHECK(!reg.push(good, 1.0, 0, 3));
    CHECK(!reg.push(good, 1.0, -1, 3));
    CHECK(!reg.push(good, 1.0, nan, 3));
    CHECK(!reg.push(good, 1.0, inf, 3));
    CHECK(reg.count() == 10);
    CHECK(streamreg::save_checkpoint(reg) == before);
    check_exact(reg.infer(), exact_solve(q), {});
  }
  SECTION("a record of the wrong size is a configuration error") {
    Reg reg(o);
    const double x[2] = {1, 2};
    CHECK_THROWS_AS(reg.push(x, 1.0, 1, 2), streamreg::config_error);
  }
}

TEST_CASE("edge: degenerate cases, givens", "[multivariate][edge]") {
  edge_cases<givens_reg>();
}
TEST_CASE("edge: degenerate cases, moments", "[multivariate][edge]") {
  edge_cases<moments_reg>();
}
TEST_CASE("edge: degenerate cases, normal equations", "[multivariate][edge]") {
  edge_cases<normal_reg>();
}
TEST_CASE("edge: degenerate cases, precise", "[multivariate][edge]") {
  edge_cases<precise_reg>();
}

TEST_CASE("edge: invalid options are configuration errors", "[multivariate][edge]") {
  mv::options o;
  CHECK_THROWS_AS(givens_reg(o), streamreg::config_error);  // no predictor
  o.predictors = 2;
  o.window = 10;
  o.forgetting = 0.5;
  CHECK_THROWS_AS(givens_reg(o), streamreg::config_error);  // a window and forgetting
  o.window = 0;
  o.forgetting = 0;
  CHECK_THROWS_AS(givens_reg(o), streamreg::config_error);
  o.forgetting = 1.5;
  CHECK_THROWS_AS(givens_reg(o), streamreg::config_error);
  o.forgetting = 1;
  o.ridge = -1;
  CHECK_THROWS_AS(givens_reg(o), streamreg::config_error);
  o.ridge = 0;
  o.predictors = 3;
  CHECK_THROWS_AS((mv::regression<double, 2>(o)), streamreg::config_error);
  o.predictors = 0;
  o.degree = 3;
  CHECK_THROWS_AS((mv::regression<double, 2>(o)), streamreg::config_error);
  o.degree = 0;
  o.predictors = 2;
  o.origin = {1, 2};  // needs three values
  CHECK_THROWS_AS(givens_reg(o), streamreg::config_error);
}

}  // namespace

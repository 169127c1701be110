// SPDX-License-Identifier: MIT
// Shared helpers of the several-predictor tests: exact comparisons of double and
// double_double results with rationals, pushing an ls_problem record by record, and the
// fixed-seed problem generators.
#pragma once

#include <streamreg/multivariate.hpp>

#include <catch2/catch.hpp>

#include <algorithm>  // std::max
#include <cmath>    // std::isfinite, std::sqrt, std::log10
#include <cstddef>  // std::size_t
#include <cstdint>  // std::uint64_t
#include <limits>   // std::numeric_limits
#include <string>   // std::string
#include <vector>   // std::vector

#include "support/exact_ls.hpp"
#include "support/oracle.hpp"

namespace mv_test {

namespace mv = streamreg::multivariate;
using streamreg::fit_status;
using streamreg_test::exact_ls;
using streamreg_test::ls_problem;
using streamreg_test::splitmix64;

/// The solvers: the default square-root factor, centred moments, normal equations in double,
/// and the precise mode (normal equations in double_double).
using givens_reg = mv::regression<double, Eigen::Dynamic, mv::givens>;
using moments_reg = mv::regression<double, Eigen::Dynamic, mv::moments>;
using normal_reg = mv::regression<double, Eigen::Dynamic, mv::normal_equations>;
using precise_reg = mv::precise_regression<>;

inline bool is_finite(double v) { return std::isfinite(v); }
inline bool is_finite(const mv::double_double& v) { return std::isfinite(v.hi) && std::isfinite(v.lo); }

inline double to_double(double v) { return v; }
inline double to_double(const mv::double_double& v) { return static_cast<double>(v); }

/// The exact rational a result denotes (a double_double is hi + lo).
inline mpq_class to_q(double v) { return streamreg_test::to_mpq(v); }
inline mpq_class to_q(const mv::double_double& v) {
  return mpq_class(streamreg_test::to_mpq(v.hi) + streamreg_test::to_mpq(v.lo));
}

/// |v − q| / |q| (|v| when q = 0), exactly, rounded once; +inf when v is not finite.
template <class T>
double rel_err(const T& v, const mpq_class& q) {
  if (!is_finite(v)) return std::numeric_limits<double>::infinity();
  const mpq_class d = abs(to_q(v) - q);
  if (sgn(q) == 0) return d.get_d();
  return mpq_class(d / abs(q)).get_d();
}
/// For v estimating sqrt(q): |v² − q| / (2q), the relative error to first order.
template <class T>
double rel_err_sqrt(const T& v, const mpq_class& q) {
  if (!is_finite(v)) return std::numeric_limits<double>::infinity();
  const mpq_class m = to_q(v);
  const mpq_class d = abs(m * m - q);
  if (sgn(q) == 0) return std::sqrt(d.get_d());
  return mpq_class(d / (2 * q)).get_d();
}
/// Correct digits −log10(relative error), capped at 32.
inline double digits(double rel) {
  if (!(rel < std::numeric_limits<double>::infinity())) return 0;
  if (rel <= 1e-32) return 32;
  return -std::log10(rel);
}

/// Options matching an ls_problem (intercept, degree, ridge; P from its inputs).
inline mv::options options_for(const ls_problem& p) {
  mv::options o;
  o.intercept = p.intercept;
  o.degree = p.degree;
  o.predictors = p.degree > 0 ? p.degree : static_cast<int>(p.x.at(0).size());
  o.ridge = p.ridge.get_d();
  o.penalize_intercept = p.penalize_intercept;
  return o;
}

/// Pushes records [from, to) of p (weights as doubles: the problem's weights must be doubles).
template <class Reg>
void push_range(Reg& reg, const ls_problem& p, std::size_t from, std::size_t to) {
  for (std::size_t i = from; i < to; ++i) {
    const double w = p.w.empty() ? 1.0 : p.w[i].get_d();
    REQUIRE(reg.push(p.x[i].data(), p.y[i], w, static_cast<Eigen::Index>(p.x[i].size())));
  }
}
template <class Reg>
void push_all(Reg& reg, const ls_problem& p) {
  push_range(reg, p, 0, p.y.size());
}

/// The subset [from, to) of a problem.
inline ls_problem slice(const ls_problem& p, std::size_t from, std::size_t to) {
  ls_problem q = p;
  q.x.assign(p.x.begin() + static_cast<std::ptrdiff_t>(from),
             p.x.begin() + static_cast<std::ptrdiff_t>(to));
  q.y.assign(p.y.begin() + static_cast<std::ptrdiff_t>(from),
             p.y.begin() + static_cast<std::ptrdiff_t>(to));
  if (!p.w.empty())
    q.w.assign(p.w.begin() + static_cast<std::ptrdiff_t>(from),
               p.w.begin() + static_cast<std::ptrdiff_t>(to));
  return q;
}

/// Tolerances of a comparison with an exact fit.
struct tolerances {
  double coef = 1e-12;
  double inference = 1e-10;  ///< SEs, residual SD, R², adjusted R², F, t
};

/// Worst relative errors of an infer() result against the exact fit.
struct errors {
  double coef = 0, se = 0, rsd = 0, r2 = 0, adj = 0, f = 0, t = 0;
};

/// The inference has numbers: ok, or ill_conditioned (computed, but flagged).
template <class Inference>
bool inferred(const Inference& r) {
  return r.status == fit_status::ok || r.status == fit_status::ill_conditioned;
}

template <class Inference>
errors compare(const Inference& r, const exact_ls& ex) {
  errors e;
  const auto k = static_cast<Eigen::Index>(ex.k);
  REQUIRE(r.fit.coefficients.size() == k);
  for (Eigen::Index j = 0; j < k; ++j) {
    const auto uj = static_cast<std::size_t>(j);
    e.coef = std::max(e.coef, rel_err(r.fit.coefficients(j), ex.beta[uj]));
    if (!inferred(r)) continue;
    const mpq_class& var = ex.cov[uj][uj];
    e.se = std::max(e.se, rel_err_sqrt(r.std_errors(j), var));
    const mpq_class t2 = ex.beta[uj] * ex.beta[uj] / var;
    const auto& tj = r.t_statistics(j);
    e.t = std::max(e.t, rel_err_sqrt(tj, t2));  // t² = β² / var: the sign separately
    if ((to_double(tj) < 0) != (sgn(ex.beta[uj]) < 0)) e.t = std::numeric_limits<double>::infinity();
  }
  if (!inferred(r)) return e;
  e.rsd = rel_err_sqrt(r.residual_sd, ex.sigma2);
  e.r2 = rel_err(r.r_squared, ex.r_squared);
  e.adj = rel_err(r.adj_r_squared, ex.adj_r_squared);
  e.f = rel_err(r.f_statistic, ex.f);
  return e;
}

/// CHECKs every inference field of `r` against the exact fit.
template <class Inference>
void check_exact(const Inference& r, const exact_ls& ex, const tolerances& tol) {
  REQUIRE(ex.full_rank);
  REQUIRE(r.fit.status == fit_status::ok);
  REQUIRE(r.status == fit_status::ok);
  CHECK(rel_err(r.df, ex.df) <= 1e-13);  // exact without forgetting, Kish's n with it
  const errors e = compare(r, ex);
  INFO("coef " << e.coef << " se " << e.se << " rsd " << e.rsd << " r2 " << e.r2 << " adj "
               << e.adj << " F " << e.f << " t " << e.t);
  CHECK(e.coef <= tol.coef);
  CHECK(e.se <= tol.inference);
  CHECK(e.rsd <= tol.inference);
  CHECK(e.r2 <= tol.inference);
  CHECK(e.adj <= tol.inference);
  CHECK(e.f <= tol.inference);
  CHECK(e.t <= tol.inference);
}

/// A well-conditioned random problem: p predictors x_j = c_j + s_j u (u uniform in [−1, 1)),
/// y = Σ β_j x_j + 1.5 + N(0, 0.25); weights uniform in [0.25, 4) when `weighted`.
inline ls_problem random_problem(std::uint64_t seed, std::size_t n, int p, bool intercept,
                                 bool weighted) {
  splitmix64 rng(seed);
  ls_problem q;
  q.intercept = intercept;
  std::vector<double> beta(static_cast<std::size_t>(p));
  for (auto& b : beta) b = rng.uniform(0.5, 2.0) * (rng.uniform() < 0.5 ? -1 : 1);
  for (std::size_t i = 0; i < n; ++i) {
    std::vector<double> x(static_cast<std::size_t>(p));
    double y = intercept ? 1.5 : 0.0;
    for (std::size_t j = 0; j < x.size(); ++j) {
      const double c = static_cast<double>(j) * 0.7 - 1.0;
      const double s = 1.0 + 0.5 * static_cast<double>(j);
      x[j] = c + s * rng.uniform(-1.0, 1.0);
      y += beta[j] * x[j];
    }
    y += 0.25 * rng.normal();
    q.add(std::move(x), y);
    if (weighted) q.w.emplace_back(rng.uniform(0.25, 4.0));
  }
  return q;
}

}  // namespace mv_test

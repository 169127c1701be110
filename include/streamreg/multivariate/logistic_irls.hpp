// SPDX-License-Identifier: MIT
// The exact maximum-likelihood fit of a logistic regression to records held in memory
// (Newton's method, that is IRLS, with step halving), which tells a finite maximum from
// (quasi-)separated classes. multivariate::logistic (logistic.hpp) fits its warm-up buffer
// with it, and linearises the records of the stream on the terms of one record given here.
#pragma once

#include "linear_algebra.hpp"

#include <algorithm>  // std::max
#include <cmath>      // std::exp, std::log1p, std::fabs
#include <cstddef>    // std::size_t
#include <vector>     // the records

// g++ -O3 reports "potential null pointer dereference" on Eigen's heap storage of
// dynamic-size matrices inlined here (the allocation throws, never returns null).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnull-dereference"
#endif

namespace streamreg::multivariate::detail {

/// What one record (y ∈ {0, 1}) contributes at the linear predictor η: p = 1/(1 + e^−η),
/// the curvature p(1 − p), the residual y − p and the log-likelihood yη − log(1 + e^η), each
/// formed from e^−|η| so that no |η| overflows or cancels (p(1 − p) stays > 0 down to the
/// smallest double: the information tells far from near).
struct logistic_terms {
  double p = 0;
  double curvature = 0;
  double residual = 0;
  double log_likelihood = 0;
};

inline logistic_terms logistic_record(double eta, double y) {
  const double e = std::exp(-std::fabs(eta));  // (0, 1]
  const double near = 1 / (1 + e), far = e / (1 + e);
  logistic_terms t;
  t.p = eta >= 0 ? near : far;
  const double q = eta >= 0 ? far : near;  // 1 − p
  t.curvature = near * far;
  t.residual = y > 0.5 ? q : -t.p;
  // yη − log(1 + e^η) = yη − max(η, 0) − log(1 + e^−|η|)
  t.log_likelihood = (eta > 0 ? (y - 1) * eta : y * eta) - std::log1p(e);
  return t;
}

/// Records (feature rows z of K values, labels y, weights w) kept for an exact fit.
struct logistic_records {
  int k = 0;
  std::vector<double> z, y, w;

  std::size_t size() const noexcept { return y.size(); }
  const double* row(std::size_t i) const noexcept { return z.data() + i * static_cast<std::size_t>(k); }
  void add(const double* zi, double yi, double wi) {
    z.insert(z.end(), zi, zi + k);
    y.push_back(yi);
    w.push_back(wi);
  }
  void clear() noexcept {
    z.clear();
    y.clear();
    w.clear();
  }
};

/// The exact fit of logistic_fit_exact.
template <int KMax>
struct logistic_solution {
  fit_status status = fit_status::empty;
  vector_t<double, KMax> beta;   ///< the estimate (ok; the last iterate otherwise)
  matrix_t<double, KMax> info;   ///< Σ w p(1 − p) z zᵀ at beta (the penalty not included)
  double log_likelihood = 0;     ///< Σ w (yη − log(1 + e^η)) at beta
  vector_t<double, KMax> separating;  ///< separated: a direction d with (2y − 1) zᵀd ≥ 0
  int iterations = 0;
};

/// Σ w ℓ at beta less the penalty ½‖R beta − rhs‖², with the gradient and the information
/// (the penalty's RᵀR included in `penalised`).
template <int KMax>
double logistic_objective(const logistic_records& r, const penalty<double, KMax>& pen,
                          const vector_t<double, KMax>& beta, vector_t<double, KMax>* gradient,
                          matrix_t<double, KMax>* info, double* log_likelihood) {
  const int k = r.k;
  double ll = 0;
  if (gradient) gradient->setZero(k);
  if (info) info->setZero(k, k);
  for (std::size_t i = 0; i < r.size(); ++i) {
    const Eigen::Map<const Eigen::VectorXd> z(r.row(i), k);
    const logistic_terms t = logistic_record(z.dot(beta), r.y[i]);
    ll += r.w[i] * t.log_likelihood;
    if (gradient) *gradient += (r.w[i] * t.residual) * z;
    if (info) info->template selfadjointView<Eigen::Lower>().rankUpdate(z, r.w[i] * t.curvature);
  }
  if (info) symmetrize_from_lower<double, KMax>(*info);
  if (log_likelihood) *log_likelihood = ll;
  double objective = ll;
  if (!pen.empty()) {
    const vector_t<double, KMax> res = pen.rows * beta - pen.rhs;
    objective -= 0.5 * res.squaredNorm();
    if (gradient) *gradient -= pen.rows.transpose() * res;
  }
  return objective;
}

/// Whether beta moved along a direction d = beta − `earlier` that separates the classes:
/// (2y − 1) zᵀd ≥ 0 for every record (to 1e−8 of the largest |zᵀd|), the largest |zᵀd| at
/// least 1/2. Such a d proves the maximum does not exist: the likelihood grows along it
/// without end (Albert and Anderson 1984).
template <int KMax>
bool moves_apart(const logistic_records& r, const vector_t<double, KMax>& d) {
  double largest = 0, worst = 0;
  for (std::size_t i = 0; i < r.size(); ++i) {
    const double m = Eigen::Map<const Eigen::VectorXd>(r.row(i), r.k).dot(d);
    largest = std::max(largest, std::fabs(m));
    worst = std::min(worst, r.y[i] > 0.5 ? m : -m);
  }
  return largest >= 0.5 && worst >= -1e-8 * largest;
}

/// The maximum-likelihood fit of the records (penalised by `pen`) by Newton's method from
/// `start`: each step solves the information with the equilibrated LDLᵀ of linear_algebra.hpp
/// and is halved while it lowers the objective; converged when a step moves no linear
/// predictor by more than 1e−11 (the next would move them by about its square).
///
/// Status: too_few_points with fewer records than coefficients; rank_deficient when the
/// design Σ w z zᵀ (+ RᵀR) is, or when the information becomes singular without a
/// separating direction; separated when the iterates move along a direction that separates
/// the classes (checked from the 8th step on, and when the information becomes singular: on
/// separated data each step moves the separated records' η by about 1 and their p(1 − p)
/// vanishes); not_finite on overflow; ill_conditioned when 100 steps do not converge.
/// Complexity: O(N K²) a step; from a nearby start 2 or 3 steps.
template <int KMax>
logistic_solution<KMax> logistic_fit_exact(const logistic_records& r,
                                           const penalty<double, KMax>& pen,
                                           const vector_t<double, KMax>& start) {
  using vector = vector_t<double, KMax>;
  using matrix = matrix_t<double, KMax>;
  const int k = r.k;
  logistic_solution<KMax> s;
  s.beta = start;
  if (r.size() == 0) return s;
  if (r.size() < static_cast<std::size_t>(k)) {
    s.status = fit_status::too_few_points;
    return s;
  }
  {  // the design's rank, weights only
    matrix g = matrix::Zero(k, k);
    for (std::size_t i = 0; i < r.size(); ++i)
      g.template selfadjointView<Eigen::Lower>().rankUpdate(
          Eigen::Map<const Eigen::VectorXd>(r.row(i), k), r.w[i]);
    if (!pen.empty()) g += pen.rows.transpose() * pen.rows;
    vector scale;
    double condition = 0;
    const fit_status design = ldlt_equilibrated<double, KMax>(g, scale, condition);
    if (design != fit_status::ok) {
      s.status = design;
      return s;
    }
  }
  constexpr int max_steps = 100, lag = 5;
  std::vector<vector> history;  // the last `lag` iterates
  vector gradient, step;
  matrix info;
  double objective = logistic_objective<KMax>(r, pen, s.beta, &gradient, &info, nullptr);
  for (int it = 1; it <= max_steps; ++it) {
    s.iterations = it;
    if (!std::isfinite(objective)) {
      s.status = fit_status::not_finite;
      return s;
    }
    matrix f = info;
    if (!pen.empty()) f += pen.rows.transpose() * pen.rows;
    vector scale;
    double condition = 0;
    const fit_status factored = ldlt_equilibrated<double, KMax>(f, scale, condition);
    if (factored != fit_status::ok) {
      if (history.size() == lag && moves_apart<KMax>(r, vector(s.beta - history.front()))) {
        s.status = fit_status::separated;
        s.separating = s.beta - history.front();
      } else {
        s.status = factored;
      }
      return s;
    }
    ldlt_solve<double, KMax>(f, scale, gradient, step);
    // Halve the step while it lowers the objective (beyond rounding).
    double t = 1;
    vector next = s.beta + step;
    vector next_gradient;
    matrix next_info;
    double next_objective =
        logistic_objective<KMax>(r, pen, next, &next_gradient, &next_info, nullptr);
    const double slack = 1e-12 * (1 + std::fabs(objective));
    for (int h = 0; h < 40 && !(next_objective >= objective - slack); ++h) {
      t *= 0.5;
      next = s.beta + t * step;
      next_objective = logistic_objective<KMax>(r, pen, next, &next_gradient, &next_info, nullptr);
    }
    double moved = 0;
    for (std::size_t i = 0; i < r.size(); ++i)
      moved = std::max(moved, std::fabs(t * Eigen::Map<const Eigen::VectorXd>(r.row(i), k).dot(step)));
    if (history.size() == lag) history.erase(history.begin());
    history.push_back(s.beta);
    s.beta = next;
    gradient = next_gradient;
    info = next_info;
    objective = next_objective;
    if (moved <= 1e-11) {
      s.status = fit_status::ok;
      break;
    }
    if (it >= 8 && history.size() == lag && moves_apart<KMax>(r, vector(s.beta - history.front()))) {
      s.status = fit_status::separated;
      s.separating = s.beta - history.front();
      return s;
    }
  }
  if (s.status != fit_status::ok) {
    s.status = fit_status::ill_conditioned;
    return s;
  }
  s.info = info;
  logistic_objective<KMax>(r, pen, s.beta, nullptr, nullptr, &s.log_likelihood);
  if (!std::isfinite(s.log_likelihood)) s.status = fit_status::not_finite;
  return s;
}

}  // namespace streamreg::multivariate::detail

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

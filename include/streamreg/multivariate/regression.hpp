// SPDX-License-Identifier: MIT
// multivariate::regression<T, P, Policy>: least squares with P predictors (fixed at compile
// time, or Eigen::Dynamic and set at construction), with or without intercept, polynomial
// features of one x, ridge, weights, forgetting, count and time windows, retraction, merge
// and checkpoints (the state side: regression_state.hpp), and the fit after every record
// with its inference and predictions (here).
#pragma once

#include "../error.hpp"
#include "../prediction.hpp"
#include "projected.hpp"
#include "regression_state.hpp"

#include <algorithm>    // std::min, std::max
#include <cmath>        // std::log10, std::sqrt, std::fabs
#include <cstdint>      // std::uint64_t
#include <string>       // checkpoint_type
#include <type_traits>  // std::conditional_t

// g++ -O3 reports "potential null pointer dereference" on Eigen's heap storage of
// dynamic-size matrices inlined here (the allocation throws, never returns null).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnull-dereference"
#endif

namespace streamreg::multivariate {

template <class T = double, int P = Eigen::Dynamic, class Policy = givens>
class regression : public regression_state<T, P, Policy> {
  using base = regression_state<T, P, Policy>;

 public:
  using base::max_coefficients;
  using typename base::fit_type;
  using typename base::inference_type;
  using typename base::input;
  using typename base::matrix;
  using typename base::scalar;
  using typename base::state_type;
  using typename base::vector;

  explicit regression(options o = {}) : base(std::move(o)) {}

  /// The fit now: O(K²) for givens, O(K³) for the LDLᵀ policies.
  fit_type fit() const { return solved().fit; }

  /// The fitted value at the inputs `x` (inputs() values; for a polynomial the one x): the
  /// current fit's prediction, NaN when the fit is not ok. O(K²) (a fit).
  template <class Derived>
  T predict(const Eigen::MatrixBase<Derived>& x) const {
    return predict(x.derived().data(), x.size());
  }
  T predict(double x) const { return predict(&x, 1); }
  T predict(const double* x, Eigen::Index size) const {
    if (size != inputs_) throw config_error("a record needs " + std::to_string(inputs_) + " inputs");
    const solution sol = solved();
    if (!sol.fit) return undefined();
    vector z(k_);
    return T(frame_.value_at(sol.ridge ? sol.fit.coefficients : sol.beta, !sol.ridge, x, z));
  }

  /// The fitted value at the inputs `x` with the standard errors of the mean response and of
  /// a new observation (prediction.hpp; the interval at a level: student_t.hpp). Computed in
  /// the state's coordinates (inputs less the origin), so inputs far from 0 lose no digits
  /// to cancellation; a ridge fit's in the inputs' coordinates. O(K³) (an inference).
  template <class Derived>
  prediction<T> predict_with_se(const Eigen::MatrixBase<Derived>& x) const {
    return predict_with_se(x.derived().data(), x.size());
  }
  prediction<T> predict_with_se(double x) const { return predict_with_se(&x, 1); }
  prediction<T> predict_with_se(const double* x, Eigen::Index size) const {
    if (size != inputs_) throw config_error("a record needs " + std::to_string(inputs_) + " inputs");
    prediction<T> p;
    p.fit = p.se_fit = p.se_obs = p.df = undefined();
    parts q;
    const inference_type r = infer(&q);
    p.status = r.status;
    if (!p.defined()) return p;
    for (int i = 0; i < inputs_; ++i)
      if (!std::isfinite(x[i])) {
        p.status = fit_status::not_finite;
        return p;
      }
    vector z(k_);
    const wide fit = frame_.value_at(q.beta, q.state_coordinates, x, z);
    wide var = wide(0);  // zᵀ C z
    for (int i = 0; i < k_; ++i) {
      wide row = wide(0);
      for (int j = 0; j < k_; ++j) row += wide(q.covariance(i, j)) * wide(z(j));
      var += wide(z(i)) * row;
    }
    if (var < wide(0)) var = wide(0);  // rounding of a positive semi-definite form
    const wide sd = wide(r.residual_sd);
    p.fit = T(fit);
    p.se_fit = T(detail::sqrt_value(var));
    p.se_obs = T(detail::sqrt_value(wide(var + sd * sd)));
    p.df = r.df;
    if (!detail::finite_value(p.fit) || !detail::finite_value(p.se_obs))
      p.status = fit_status::not_finite;
    return p;
  }

  /// The fit with standard errors, covariance, residual SD, R², adjusted R², F and t.
  inference_type infer() const { return infer(nullptr); }


 private:
  using typename base::wide;
  using base::frame_;
  using base::inputs_;
  using base::k_;
  using base::opt_;
  using base::ref_;
  using base::state_;
  using base::window_;
  using base::estimate_digits;
  using base::forgets;
  using base::ridge_rows;

  // What predict_with_se needs beside the inference: the coefficients and their covariance
  // (σ̂² included), in the state's coordinates (reference included) or, for a ridge fit
  // solved in the inputs' coordinates, in those.
  struct parts {
    bool state_coordinates = true;
    vector beta;
    matrix covariance;
  };

  inference_type infer(parts* q) const {
    inference_type r;
    const solution sol = solved(true);
    r.fit = sol.fit;
    r.status = r.fit.status;
    r.std_errors.setConstant(k_, undefined());
    r.t_statistics.setConstant(k_, undefined());
    r.covariance.setConstant(k_, k_, undefined());
    r.df = r.residual_sd = r.r_squared = r.adj_r_squared = r.f_statistic = undefined();
    if (!r.fit.computed()) return r;
    const auto& c = state_.counts();
    const bool forgetting = forgets();
    const T n = forgetting ? c.effective() : T(static_cast<double>(c.n));
    const T df = n - T(k_);
    if (!(df > T(0))) {
      r.status = fit_status::too_few_points;
      return r;
    }
    const T sse = sol.sse;
    const T sigma2 = sse / df;
    if (sol.ridge) {
      r.covariance = sol.sandwich * sigma2;  // in the inputs' coordinates already
      if (q) {
        q->state_coordinates = false;
        q->beta = r.fit.coefficients;
        q->covariance = r.covariance;
      }
    } else {
      matrix cov_z = state_.inverse(ridge_rows());
      if (!ridge_rows().empty()) cov_z = matrix(cov_z * state_.gram() * cov_z);
      cov_z *= sigma2;
      const auto& a = frame_.to_inputs_matrix();
      r.covariance = (a * cov_z.template cast<wide>() * a.transpose()).template cast<T>().eval();
      if (q) {
        q->beta = sol.beta;
        q->covariance = std::move(cov_z);
      }
    }
    bool sound = true;  // no NaN but the documented 0/0 cases
    for (int i = 0; i < k_; ++i) {
      r.std_errors(i) = detail::sqrt_value(r.covariance(i, i));
      r.t_statistics(i) = r.fit.coefficients(i) / r.std_errors(i);
      sound = sound && !(r.std_errors(i) != r.std_errors(i)) &&
              (r.t_statistics(i) == r.t_statistics(i) || r.fit.coefficients(i) == T(0));
    }
    r.df = df;
    // One record's residual SD: under forgetting σ̂² is per Σw/n_eff of weight.
    r.residual_sd = detail::sqrt_value(forgetting ? T(sigma2 * n / c.w) : sigma2);
    const T tss = state_.tss(ref_);
    r.r_squared = T(1) - sse / tss;
    const T slopes = T(opt_.intercept ? k_ - 1 : k_);
    r.adj_r_squared = T(1) - (T(1) - r.r_squared) * (opt_.intercept ? T(n - T(1)) : n) / df;
    r.f_statistic = ((tss - sse) / slopes) / sigma2;
    if (tss > T(0))
      sound = sound && r.r_squared == r.r_squared && !(r.f_statistic != r.f_statistic) &&
              r.residual_sd == r.residual_sd;
    if (!detail::finite_value(sse) || !detail::finite_value(tss))
      r.status = fit_status::not_finite;
    else if (!sound && r.status == fit_status::ok)
      r.status = r.fit.status = fit_status::ill_conditioned;
    return r;
  }

  // A fit with what infer() needs of it.
  struct solution {
    fit_type fit;
    vector beta;         // the coefficients in the state's coordinates, reference included
    T sse{};             // Σw e² of the fit (the penalty not included)
    bool ridge = false;  // solved by ridge_fit: `sandwich` is in the inputs' coordinates
    matrix sandwich;     // H⁻¹GH⁻¹ (ridge_fit with inference)
  };

  // Ridge on a Givens factor is solved in the coordinates of the penalty (penalised.hpp).
  static constexpr bool factor_ridge =
      std::is_same_v<state_type, givens_state<T, max_coefficients>>;

  static T from_dd(const double_double& v) {
    if constexpr (std::is_same_v<T, double_double>) {
      return v;
    } else if constexpr (std::is_same_v<T, long double>) {
      return static_cast<long double>(v);
    } else {
      return T(static_cast<double>(v));
    }
  }

  solution solved(bool inference = false) const {
    solution sol;
    fit_type& f = sol.fit;
    f.n = state_.counts().n;
    f.status = base_status();
    vector beta;  // in the state's coordinates
    if (f.status == fit_status::ok) {
      if (factor_ridge && !ridge_rows().empty()) {
        ridge_fit(sol, inference);
      } else {
        f.status = state_.solve(ridge_rows(), beta, f.condition);
        if (f.status == fit_status::ok) {
          refine(beta, f.condition);
          sol.sse = state_.sse(beta);  // β relative to the reference: the state's responses
          sol.beta = beta + ref_;
          f.coefficients = frame_.to_inputs(sol.beta);
        }
      }
    }
    if (f.status != fit_status::ok) {
      f.coefficients.setConstant(k_, undefined());
      f.condition = f.digits = undefined();
      return sol;
    }
    f.digits = estimate_digits(sol.ridge ? f.coefficients : sol.beta, f.coefficients, f.condition,
                               !sol.ridge);
    if (!(f.digits >= T(min_correct_digits))) f.status = fit_status::ill_conditioned;
    return sol;
  }

  // A window's fit gets one step of iterative refinement against the records it holds: the
  // correction's right side Zᵀ W (y − Z β) from the window's double_double normal equations
  // (window_sums.hpp, O(K²)), the correction solved with the state's inverse (O(K³)). The
  // error of the solve is then that of the correction, a factor of about the error bound
  // smaller (while the bound is < 1), so a short window over offset predictors keeps the
  // digits of its data, whatever the state.
  void refine(vector& beta, const T& condition) const {
    if constexpr (base::refines) {
      if (!window_.active() || !ridge_rows().empty() || window_.size() == 0) return;
      if (!(estimate_digits(beta, beta, condition, false) > T(0))) return;  // no contraction
      const vector delta = state_.inverse(ridge_rows()) * this->sums_.correction(vector(beta + ref_));
      for (int j = 0; j < k_; ++j)
        if (!std::isfinite(delta(j))) return;
      beta += delta;
    } else {
      (void)beta, (void)condition;
    }
  }

  // The ridge fit of a Givens factor in the inputs' coordinates (penalised.hpp).
  void ridge_fit(solution& sol, bool inference) const {
    if constexpr (factor_ridge) {
      namespace d = detail;
      d::dd_matrix<max_coefficients> r;
      const d::dd_matrix<max_coefficients> a_inv = frame_.inverse_change();
      d::dd_vector<max_coefficients> q;
      double_double rest;
      state_.factor(r, q, rest);
      const int first = opt_.intercept && !opt_.penalize_intercept ? 1 : 0;
      const auto s = d::ridge_solve<max_coefficients>(
          r, q, rest, a_inv, double_double(frame_.y_origin()), opt_.ridge, first,
          inference);
      sol.fit.status = s.status;
      if (s.status != fit_status::ok) return;
      sol.ridge = true;
      sol.fit.condition = T(s.condition);
      sol.fit.coefficients.resize(k_);
      for (int i = 0; i < k_; ++i) sol.fit.coefficients(i) = from_dd(s.beta(i));
      sol.sse = from_dd(s.sse);
      if (inference) {
        sol.sandwich.resize(k_, k_);
        for (int i = 0; i < k_; ++i)
          for (int j = 0; j < k_; ++j) sol.sandwich(i, j) = from_dd(s.sandwich(i, j));
      }
    } else {
      (void)sol, (void)inference;
    }
  }

  static T undefined() {
    if constexpr (std::numeric_limits<T>::has_quiet_NaN) {
      return std::numeric_limits<T>::quiet_NaN();
    } else {
      return T(std::numeric_limits<double>::quiet_NaN());
    }
  }
  fit_status base_status() const {
    const auto n = state_.counts().n;
    if (n == 0) return fit_status::empty;
    if (n < static_cast<std::uint64_t>(k_)) return fit_status::too_few_points;
    return fit_status::ok;
  }

};

}  // namespace streamreg::multivariate

namespace streamreg::multivariate {

/// The precise mode: the origin-shifted normal equations accumulated in double_double
/// (about 32 digits) and solved with iterative refinement; retraction, windows and merge
/// included. About 30x the cost per record of the default.
template <int P = Eigen::Dynamic>
using precise_regression = regression<double_double, P, normal_equations>;

}  // namespace streamreg::multivariate

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

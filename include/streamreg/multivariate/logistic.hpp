// SPDX-License-Identifier: MIT
// multivariate::logistic<P>: logistic regression (binomial family, logit link) on a stream,
// one pass: the exact maximum-likelihood fit of a bounded warm-up buffer, then recursive
// Newton (information-filter) updates; the fit after every record with standard errors,
// log-likelihood and status (separated classes included), probabilities with standard
// errors, forgetting and merge (the state side: logistic_state.hpp).
#pragma once

#include "linear_algebra.hpp"
#include "logistic_results.hpp"
#include "logistic_state.hpp"
#include "results.hpp"

#include <algorithm>  // std::max
#include <cmath>      // std::isfinite, std::sqrt, std::pow
#include <limits>     // quiet_NaN
#include <string>     // messages

// g++ -O3 reports "potential null pointer dereference" on Eigen's heap storage of
// dynamic-size matrices inlined here (the allocation throws, never returns null).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnull-dereference"
#endif

namespace streamreg::multivariate {

/// Logistic regression on a stream with P predictors (fixed, or Eigen::Dynamic and set by
/// the options): push(x, y[, w]) with y 0 or 1, the fit after every record.
///
/// Method. The first `buffer` records (64 per coefficient unless set) are kept, and after
/// each of them the exact maximum-likelihood fit is computed by Newton's method (IRLS, warm
/// started from the previous fit: logistic_irls.hpp), which also tells separated classes
/// from a finite maximum. A stream no longer than the buffer therefore gets the exact fit
/// after every record. When the buffer is full and its fit exists, each of its records is
/// expanded about that fit and the buffer is released; from then on each record is
/// expanded about the current estimate β, and a full Newton step on the sum of the
/// expansions, β += (J + λE)⁻¹ (score − penalty gradient), moves the estimate, and the sum
/// with it (logistic_expansion.hpp: the log-likelihood ℓ, the score and the information J
/// summed over the records, each expanded about the estimate at its arrival). A record
/// whose own linear predictor the step moves by more than 0.1 is expanded again about the
/// new estimate (up to 4 times). The expansions are kept to the third order
/// (`third_order`, the default): the sum of w ℓ‴ z⊗z⊗z lets the information and the score
/// follow the estimate as it moves (the re-linearisation of every earlier record, to the
/// third order), so the streamed fit stays close to the maximum-likelihood fit of all the
/// records: measured on 50,000 records with 4 predictors over five seeds, within 0.0004 to
/// 0.0094 of a standard error, the standard errors within 0.04% (the plain quadratic
/// expansions, recursive Newton: 0.05 to 0.10 and 1%). A cubic extrapolates the curvature p(1 − p) linearly while it falls off
/// exponentially: when the change the third order made to the information reaches half of
/// the information (checked every 8 records) or makes it indefinite, the quadratic
/// expansions, kept beside, take over for the rest of the stream (on few records with
/// well-separated classes, as the breast-cancer test has). The steps solve with Eigen's
/// Cholesky factor of the information (refactored at each record; kept by rank-one updates
/// for the quadratic expansions, refactored every 4096 records): no inverse is formed in the
/// update. The inputs are shifted by an origin (frame.hpp) as the linear regression's are.
/// Cost per streamed record: O(K³) (O(K²) for quadratic expansions without forgetting).
///
/// Status. empty, too_few_points (fewer records than coefficients), rank_deficient (the
/// design Σ w z zᵀ is), separated (while the records seen are separable the maximum does not
/// exist: coefficients NaN; the buffer then keeps every record, a record that the last
/// separating direction still separates costing O(K) and no refit, until the maximum exists,
/// so its memory is bounded by `buffer` records only once the classes overlap). Once the
/// maximum exists it exists for every longer stream (a direction separating all the records
/// would separate the first ones), so the streamed status is ok, or not_finite,
/// rank_deficient or ill_conditioned from the information.
///
/// Forgetting multiplies the expansions (and the buffer's weights) by the factor before
/// each record. Merge: two buffers merge exactly (their records are refitted); a buffer into
/// a streamed model streams its records; two streamed models add their expansions about
/// the heavier one's estimate (moved there to the third order, or exactly for quadratic
/// expansions, whose error is then that of the lighter model's records expanded away from
/// the merged estimate). Not possible, and why: removing a record (pop) and windows — a
/// record's expansion is about the estimate at its arrival, which later records have moved,
/// so subtracting it later does not undo it (a window needs its records refitted: keep
/// them and fit them exactly, as the buffer does).
template <int P = Eigen::Dynamic>
class logistic : public logistic_state<P> {
  using base = logistic_state<P>;

 public:
  using typename base::fit_type;
  using typename base::input;
  using typename base::matrix;
  using typename base::probability_type;
  using typename base::vector;
  using base::max_coefficients;

  explicit logistic(logistic_options o = {}) : base(std::move(o)) {}

  /// The fit now (O(K³): the covariance from the information's equilibrated LDLᵀ).
  fit_type fit() const {
    fit_type f;
    f.n = n_;
    f.status = status_;
    f.exact = !streaming_;
    f.coefficients.setConstant(k_, undefined());
    f.std_errors.setConstant(k_, undefined());
    f.covariance.setConstant(k_, k_, undefined());
    f.log_likelihood = f.condition = undefined();
    if (status_ != fit_status::ok) return f;
    matrix cov;
    f.status = covariance(cov, f.condition);
    if (!f.computed()) return f;
    f.coefficients = frame_.to_inputs(beta_);
    const auto& a = frame_.to_inputs_matrix();
    f.covariance = (a * cov.template cast<wide>() * a.transpose()).template cast<double>().eval();
    for (int i = 0; i < k_; ++i) f.std_errors(i) = std::sqrt(f.covariance(i, i));
    f.log_likelihood = ex_.log_likelihood;
    for (int i = 0; i < k_; ++i)
      if (!std::isfinite(f.coefficients(i)) || !std::isfinite(f.std_errors(i)))
        f.status = fit_status::not_finite;
    return f;
  }

  /// The probability of y = 1 at the inputs `x` with its standard error (the delta method
  /// on η, computed in the shifted coordinates, so inputs far from 0 lose no digits).
  /// O(K³) (a covariance).
  template <class Derived>
  probability_type probability_at(const Eigen::MatrixBase<Derived>& x) const {
    const auto& v = x.derived().eval();
    return probability_at(v.data(), v.size());
  }
  probability_type probability_at(double x) const { return probability_at(&x, 1); }
  probability_type probability_at(const double* x, Eigen::Index size) const {
    if (size != frame_.inputs())
      throw config_error("a record needs " + std::to_string(frame_.inputs()) + " inputs");
    probability_type r;
    r.eta = r.se_eta = r.p = r.se_p = undefined();
    r.status = status_;
    if (status_ != fit_status::ok) return r;
    for (int i = 0; i < frame_.inputs(); ++i)
      if (!std::isfinite(x[i])) {
        r.status = fit_status::not_finite;
        return r;
      }
    matrix cov;
    double condition = 0;
    r.status = covariance(cov, condition);
    if (!r.defined()) return r;
    vector z(k_);
    frame_.features(x, z);
    r.eta = z.dot(beta_);
    r.se_eta = std::sqrt(std::max(0.0, z.dot(cov * z)));
    const detail::logistic_terms t = detail::logistic_record(r.eta, 1);
    r.p = t.p;
    r.se_p = t.curvature * r.se_eta;
    if (!std::isfinite(r.eta) || !std::isfinite(r.se_eta)) r.status = fit_status::not_finite;
    return r;
  }

 private:
  using typename base::wide;
  using base::beta_;
  using base::ex_;
  using base::frame_;
  using base::k_;
  using base::n_;
  using base::status_;
  using base::streaming_;
  using base::penalised;

  static double undefined() { return std::numeric_limits<double>::quiet_NaN(); }

  // The covariance of the shifted coordinates' estimate: H⁻¹ (H⁻¹JH⁻¹ with a ridge), H the
  // penalised information, from its equilibrated LDLᵀ; its status from the pivots and the
  // condition estimate (κ² bounds the error of a solve with the information).
  fit_status covariance(matrix& cov, double& condition) const {
    matrix f = penalised(ex_.info);
    vector scale;
    const fit_status s = detail::ldlt_equilibrated<double, max_coefficients>(f, scale, condition);
    if (s != fit_status::ok) return s;
    cov = detail::ldlt_inverse<double, max_coefficients>(f, scale);
    if (!frame_.ridge_rows().empty()) cov = (cov * ex_.info * cov).eval();
    const double bound = 100 * 0.5 * Eigen::NumTraits<double>::epsilon() * k_ * condition *
                         condition;
    return bound < std::pow(10.0, -min_correct_digits) ? fit_status::ok
                                                       : fit_status::ill_conditioned;
  }

};

}  // namespace streamreg::multivariate

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

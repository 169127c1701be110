// SPDX-License-Identifier: MIT
// What a logistic regression (logistic.hpp) is set up with (logistic_options) and what it
// reports: the fit (logistic_fit: coefficients, standard errors, log-likelihood, status) and
// the probability at new inputs (probability), with the definitions of every number.
#pragma once

#include "linear_algebra.hpp"

#include <cstdint>  // std::uint64_t
#include <vector>   // logistic_options.origin

namespace streamreg::multivariate {

/// How a logistic regression is set up. Every field is fixed at construction.
struct logistic_options {
  /// Number of predictors when P is Eigen::Dynamic (must be 0 or P otherwise).
  int predictors = 0;
  /// Fit an intercept (coefficient 0).
  bool intercept = true;
  /// Shift the inputs by the first record (or `origin`) before forming the predictors: the
  /// coefficients are reported for the inputs as given, but offset inputs lose no digits.
  /// Only with an intercept.
  bool shift = true;
  /// An explicit origin instead of the first record, one value per input.
  std::vector<double> origin;
  /// Ridge penalty: the fit maximises ℓ(b) − (λ/2) Σ bⱼ² over the reported coefficients b
  /// (the intercept only when penalize_intercept). 0: maximum likelihood.
  double ridge = 0;
  bool penalize_intercept = false;
  /// Exponential forgetting: every earlier record's weight is multiplied by this factor
  /// (0, 1] at each new record. 1: none.
  double forgetting = 1;
  /// Records of the warm-up buffer fitted exactly; 0: 64 per coefficient.
  int buffer = 0;
  /// Keep the records' third derivatives so the information and the score follow the
  /// estimate as it moves (logistic_expansion.hpp): O(K³) per record, and a streamed fit
  /// several times closer to the maximum-likelihood fit. false: plain recursive Newton,
  /// O(K²) per record.
  bool third_order = true;
};

/// A logistic fit: coefficients for the inputs as given (intercept first when present).
///
/// `std_errors` and `covariance` are from the observed information J = Σ w p(1 − p) z zᵀ at
/// the fit (as statsmodels' Logit); with a ridge, H = J + λE and cov = H⁻¹JH⁻¹ (the sandwich,
/// as multi_inference). `log_likelihood` is Σ w (y η − log(1 + e^η)) at the fit: exact while
/// `exact` (the warm-up buffer), afterwards the sum of each record's second-order expansion
/// about the estimate it was linearised at (logistic.hpp, "Method"). The values are NaN
/// unless the status is ok (or ill_conditioned: computed, with a condition estimate that
/// says fewer than min_correct_digits can be right).
template <class T, int KMax>
struct logistic_fit {
  std::uint64_t n = 0;
  fit_status status = fit_status::empty;
  vector_t<T, KMax> coefficients;
  vector_t<T, KMax> std_errors;
  matrix_t<T, KMax> covariance;
  T log_likelihood{};
  T condition{};       ///< estimated condition number of the equilibrated information's root
  bool exact = false;  ///< the exact maximum-likelihood fit (the stream is in its buffer)

  explicit operator bool() const noexcept { return status == fit_status::ok; }
  bool computed() const noexcept {
    return status == fit_status::ok || status == fit_status::ill_conditioned;
  }
};

/// The probability of y = 1 at new inputs: the linear predictor η = x̃ᵀb with its standard
/// error √(x̃ᵀ cov x̃), and p = 1/(1 + e^−η) with the delta method's p(1 − p)·se(η).
template <class T>
struct probability {
  fit_status status = fit_status::empty;
  T eta{};
  T se_eta{};
  T p{};
  T se_p{};

  bool defined() const noexcept {
    return status == fit_status::ok || status == fit_status::ill_conditioned;
  }
};

}  // namespace streamreg::multivariate

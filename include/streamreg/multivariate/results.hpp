// SPDX-License-Identifier: MIT
// What a several-predictor regression is set up with (options) and what it reports: the fit
// (multi_fit: coefficients, status, condition and estimated digits) and its inference
// (multi_inference), with the definitions of every reported number.
#pragma once

#include "linear_algebra.hpp"

#include <cstdint>  // std::uint64_t
#include <vector>   // options.origin

namespace streamreg::multivariate {

/// How a regression is set up. Every field is fixed at construction.
struct options {
  /// Number of predictors when P is Eigen::Dynamic (ignored, must be 0 or P, otherwise).
  int predictors = 0;
  /// Fit an intercept (coefficient 0). Without one, R² is the uncentred R² (as NIST defines it).
  bool intercept = true;
  /// Polynomial of this degree in one input x: the predictors are x, x², ..., x^degree
  /// (P must then equal degree, or be Dynamic). 0: the P inputs are the predictors.
  int degree = 0;
  /// Shift the inputs and y by the first record before forming the predictors (powers of
  /// x − x₁): the coefficients are reported for the inputs as given, but the state never
  /// sees their offset. Only with an intercept (without one a shift changes the model).
  bool shift = true;
  /// An explicit origin instead of the first record (one value per input, then y): states
  /// built with the same origin can be merged.
  std::vector<double> origin;
  /// Ridge penalty λ Σ βⱼ² on the reported coefficients (the intercept only when
  /// penalize_intercept). 0: ordinary least squares.
  double ridge = 0;
  bool penalize_intercept = false;
  /// Exponential forgetting: every earlier record's weight is multiplied by this factor
  /// (0, 1] at each new record. 1: none.
  double forgetting = 1;
  /// Fit only the last `window` records (givens: two stacks of factors; the others remove
  /// the leaving record). 0: all.
  std::uint64_t window = 0;
  /// Fit only the records of the last `window_time` of event time (push_at): after a record
  /// at time t, those with time > t − window_time. 0: none.
  double window_time = 0;
  /// Exponential forgetting per unit of event time (push_at): the earlier weights halve every
  /// `half_life_time`. 0: none.
  double half_life_time = 0;
};

/// A fit whose estimated correct digits fall below this is ill_conditioned (see multi_fit).
inline constexpr double min_correct_digits = 6;

/// The fit: coefficients for the inputs as given (intercept first when present).
///
/// `digits` estimates the correct significant digits of the coefficients (the fewest over
/// them): −log10 of the error bound 100·u·K·κᵖ·m, where u is the unit roundoff of the
/// state's arithmetic (2⁻⁵³ for double, 2⁻¹⁰⁵ for the precise mode), K the number of
/// coefficients, κ the estimated condition number of the column-equilibrated design
/// (`condition`: Hager's 1-norm estimate on the state's factor), p = 1 for a square-root
/// factor (givens) and 2 for the moment and normal-equation states (they square κ), m ≥ 1
/// the cancellation of the change back from the shifted coordinates (the largest
/// Σ|terms| / |coefficient|), and 100 a margin of two digits. Measured on the NIST StRD sets
/// and near-collinear designs (tests/multivariate/conditioning_test.cpp) the estimate is at
/// most 0.9 digits above the measured digits (Norris, Wampler1) and often several below: it
/// errs towards ill_conditioned. When `digits` < min_correct_digits the status is
/// ill_conditioned: the coefficients (and infer()'s values) are still given, but are not ok.
template <class T, int KMax>
struct multi_fit {
  std::uint64_t n = 0;
  fit_status status = fit_status::empty;
  vector_t<T, KMax> coefficients;
  T condition{};  ///< estimated condition number of the column-equilibrated design
  T digits{};     ///< estimated correct significant digits of the coefficients

  explicit operator bool() const noexcept { return status == fit_status::ok; }
  /// Coefficients were computed (ok, or ill_conditioned with `digits` to say how good).
  bool computed() const noexcept {
    return status == fit_status::ok || status == fit_status::ill_conditioned;
  }
};

/// A fit with its classical inference (homoscedastic errors, weights as reliability weights).
///
/// With residuals e of the fit and weights w: SSE = Σw e², df = n − K (n the records, or
/// Kish's effective count n_eff = (Σw)²/Σw² under forgetting), σ̂² = SSE / df and
/// cov = σ̂² (XᵀWX)⁻¹. The residual SD is that of one record: sqrt(σ̂²), and under forgetting
/// sqrt(SSE/Σw · n_eff/(n_eff − K)) (σ̂² over one record's weight Σw/n_eff), the same form as
/// the one-predictor infer() of solve.hpp.
///
/// Ridge (λ > 0): with Z the design of the inputs as given, G = ZᵀWZ, H = G + λE (E the
/// identity on the penalised coefficients: the slopes, and the intercept with
/// penalize_intercept), the coefficients are β = H⁻¹ZᵀWy, SSE the weighted residual sum of
/// squares of that β (the penalty not included), df = n − K (not the ridge's effective
/// degrees of freedom), σ̂² = SSE / df, and cov = σ̂² H⁻¹GH⁻¹ (the sandwich: the covariance
/// of β given the design when the errors have variance σ²); the SEs are its diagonal's roots.
///
/// `status`: the fit's status; too_few_points when df ≤ 0; ill_conditioned also when a value
/// is NaN that should not be. An ok inference holds no NaN except the documented 0/0 cases of
/// a constant y (SST = 0: R², adjusted R², F) and t of a zero coefficient with a zero SE; an
/// exact fit (SSE = 0) has residual SD and SEs 0, F and t infinite.
template <class T, int KMax>
struct multi_inference {
  multi_fit<T, KMax> fit;
  fit_status status = fit_status::empty;  ///< too_few_points when df = 0
  T df{};                                 ///< n − K (Kish's effective n when forgetting)
  T residual_sd{};
  T r_squared{};      ///< 1 − SSE/SST; SST about the mean, or about 0 without intercept
  T adj_r_squared{};  ///< 1 − (1 − R²)(n − 1)/df, or n/df without intercept
  T f_statistic{};    ///< (SST − SSE)/(K − 1) over SSE/df; K without intercept
  vector_t<T, KMax> std_errors;
  vector_t<T, KMax> t_statistics;
  matrix_t<T, KMax> covariance;

  bool defined() const noexcept { return status == fit_status::ok; }
};

}  // namespace streamreg::multivariate

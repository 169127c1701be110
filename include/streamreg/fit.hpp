// SPDX-License-Identifier: MIT
// line_fit: the least-squares line of a state, its status, and its inference.
#pragma once

#include <cstdint>  // std::uint64_t
#include <limits>   // std::numeric_limits

namespace streamreg {

/// Why a fit is or is not defined. Degenerate cases are values, never a silent 0 or NaN.
enum class fit_status {
  ok,              ///< intercept and slope defined
  empty,           ///< no record yet
  too_few_points,  ///< one record: the slope is undetermined
  constant_x,      ///< every x equal (Sxx == 0): the slope is undetermined
  not_finite,      ///< the state overflowed or holds a non-finite value
  rank_deficient,  ///< several predictors: a predictor is (numerically) a combination of the
                   ///< others, or constant with an intercept: its coefficient is undetermined
  ill_conditioned, ///< several predictors: the coefficients are computed, but the condition
                   ///< estimate says fewer than multivariate::min_correct_digits of them can
                   ///< be right (multi_fit::digits holds the estimate)
  separated,       ///< a classification (multivariate::logistic): the classes are (quasi-)
                   ///< separable by a hyperplane of the predictors, so the likelihood keeps
                   ///< growing along it and the maximum-likelihood fit does not exist
};

/// Name of a status, as written by the text sinks: "ok", "empty", "too_few_points", ...
constexpr const char* to_string(fit_status s) noexcept {
  switch (s) {
    case fit_status::ok: return "ok";
    case fit_status::empty: return "empty";
    case fit_status::too_few_points: return "too_few_points";
    case fit_status::constant_x: return "constant_x";
    case fit_status::not_finite: return "not_finite";
    case fit_status::rank_deficient: return "rank_deficient";
    case fit_status::ill_conditioned: return "ill_conditioned";
    case fit_status::separated: return "separated";
  }
  return "unknown";
}

/// Intercept and slope of the least-squares line y = intercept + slope * x.
/// When `status != ok` the coefficients are NaN (for types that have one) and must not be
/// used; `explicit operator bool` tests for ok.
template <class T>
struct line_fit {
  std::uint64_t n = 0;
  fit_status status = fit_status::empty;
  T intercept{};
  T slope{};

  constexpr explicit operator bool() const noexcept { return status == fit_status::ok; }
  /// The fitted value at x. Requires: status == ok.
  constexpr T operator()(const T& x) const { return T(intercept + slope * x); }

  /// Equal counts and statuses, and for ok fits equal coefficients (undefined coefficients
  /// are not compared, so every fit equals itself).
  friend constexpr bool operator==(const line_fit& a, const line_fit& b) noexcept {
    return a.n == b.n && a.status == b.status &&
           (a.status != fit_status::ok || (a.intercept == b.intercept && a.slope == b.slope));
  }
  friend constexpr bool operator!=(const line_fit& a, const line_fit& b) noexcept {
    return !(a == b);
  }
};

/// A fit in another precision: `fit_cast<double>(precise_fit)` rounds its coefficients once.
template <class To, class From>
constexpr line_fit<To> fit_cast(const line_fit<From>& f) {
  return {f.n, f.status, static_cast<To>(f.intercept), static_cast<To>(f.slope)};
}

/// A line fit with its classical OLS inference (homoscedastic errors).
///
/// `df` residual degrees of freedom (n − 2). `status` is the fit's status, except
/// too_few_points when the fit is ok but n < 3 (df = 0), and not_finite when Syy or the
/// residual sum of squares overflowed. Every field below is defined when `status == ok`
/// (`defined()`); otherwise it is NaN (for types that have one). `r_squared` additionally
/// needs Syy > 0 (y not constant) and is NaN otherwise.
template <class T>
struct line_inference {
  line_fit<T> fit;
  fit_status status = fit_status::empty;
  T df{};               ///< residual degrees of freedom, n − 2 (fractional when forgetting)
  T residual_sd{};      ///< sqrt(SSE / df)
  T r_squared{};        ///< 1 − SSE / Syy = Sxy² / (Sxx Syy)
  T se_intercept{};     ///< standard error of the intercept
  T se_slope{};         ///< standard error of the slope
  T cov_intercept_slope{};  ///< covariance of the two estimates
  T t_intercept{};      ///< intercept / se_intercept
  T t_slope{};          ///< slope / se_slope

  constexpr bool defined() const noexcept { return status == fit_status::ok; }
};

namespace detail {
template <class T>
constexpr T undefined_value() noexcept {
  if constexpr (std::numeric_limits<T>::has_quiet_NaN) {
    return std::numeric_limits<T>::quiet_NaN();
  } else {
    return T{};
  }
}
}  // namespace detail

}  // namespace streamreg

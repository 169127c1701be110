// SPDX-License-Identifier: MIT
// student_t: quantiles and tail probabilities of Student's t distribution (Boost.Math), and
// what they give a fit: p-values of t statistics and intervals of predictions; beside them
// the p-value of a fit's F statistic (Fisher's F, the t test of several coefficients at
// once). This header's purpose is the dependency: it needs Boost.Math (Debian: libboost-dev).
#pragma once

#include <cmath>   // std::isfinite, std::fabs
#include <limits>  // std::numeric_limits
#include <string>  // error messages

#include <boost/math/distributions/fisher_f.hpp>
#include <boost/math/distributions/normal.hpp>
#include <boost/math/distributions/students_t.hpp>

#include "config.hpp"
#include "error.hpp"
#include "prediction.hpp"

namespace streamreg {

namespace detail {
// Domain errors and overflow become NaN and ±∞, never exceptions from inside Boost.
using t_policy = boost::math::policies::policy<
    boost::math::policies::domain_error<boost::math::policies::ignore_error>,
    boost::math::policies::overflow_error<boost::math::policies::ignore_error>,
    boost::math::policies::evaluation_error<boost::math::policies::ignore_error>>;

inline void check_probability(double p, const char* what) {
  if (!(p > 0 && p < 1))
    STREAMREG_THROW(config_error(std::string(what) + " must be in (0, 1)"));
}
}  // namespace detail

/// The quantile of Student's t with df degrees of freedom at probability p (0 < p < 1):
/// t such that P(T ≤ t) = p. df may be fractional (the effective count of a forgetting
/// fit); df = +∞ gives the normal quantile. NaN when df is not positive or NaN.
inline double t_quantile(double df, double p) {
  detail::check_probability(p, "t_quantile: the probability");
  if (!(df > 0)) return std::numeric_limits<double>::quiet_NaN();
  if (df == std::numeric_limits<double>::infinity())
    return boost::math::quantile(boost::math::normal_distribution<double, detail::t_policy>(), p);
  return boost::math::quantile(boost::math::students_t_distribution<double, detail::t_policy>(df), p);
}

/// The two-sided p-value of a t statistic: P(|T| ≥ |t|) with df degrees of freedom.
/// NaN when t is NaN or df is not positive; 0 for an infinite t.
inline double t_p_value(double t, double df) {
  if (!(df > 0) || t != t) return std::numeric_limits<double>::quiet_NaN();
  if (!std::isfinite(t)) return 0.0;
  const double a = std::fabs(t);
  if (df == std::numeric_limits<double>::infinity())
    return 2 * boost::math::cdf(
                   boost::math::complement(boost::math::normal_distribution<double, detail::t_policy>(), a));
  return 2 * boost::math::cdf(boost::math::complement(
                 boost::math::students_t_distribution<double, detail::t_policy>(df), a));
}

/// The p-value of an F statistic with df1 and df2 degrees of freedom: P(F' ≥ f) (the test
/// that every slope is 0: df1 the slopes, df2 the residual df). NaN when f is NaN or negative
/// or a df is not positive; 0 for an infinite f.
inline double f_p_value(double f, double df1, double df2) {
  if (!(df1 > 0) || !(df2 > 0) || !(f >= 0)) return std::numeric_limits<double>::quiet_NaN();
  if (!std::isfinite(f)) return 0.0;
  return boost::math::cdf(boost::math::complement(
      boost::math::fisher_f_distribution<double, detail::t_policy>(df1, df2), f));
}

/// A two-sided interval.
template <class T>
struct interval {
  T lower{};
  T upper{};
};

namespace detail {
// fit ± t_{(1+level)/2, df}·se; NaN bounds when the prediction is not defined.
template <class T>
interval<T> band(const prediction<T>& p, const T& se, double level, const char* what) {
  check_probability(level, what);
  const T nan = T(std::numeric_limits<double>::quiet_NaN());
  if (!p.defined()) return {nan, nan};
  const T q = T(t_quantile(static_cast<double>(p.df), 0.5 + level / 2));
  return {T(p.fit - q * se), T(p.fit + q * se)};
}
}  // namespace detail

/// The interval of a new observation at the prediction's inputs at the given level
/// (0 < level < 1): fit ± t_{(1+level)/2, df}·se_obs (statsmodels' obs_ci). NaN bounds when
/// the prediction is not defined.
template <class T>
interval<T> prediction_interval(const prediction<T>& p, double level) {
  return detail::band(p, p.se_obs, level, "prediction_interval: the level");
}

/// The interval of the mean response at the prediction's inputs: fit ± t·se_fit
/// (statsmodels' mean_ci).
template <class T>
interval<T> confidence_interval(const prediction<T>& p, double level) {
  return detail::band(p, p.se_fit, level, "confidence_interval: the level");
}

}  // namespace streamreg

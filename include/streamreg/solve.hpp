// SPDX-License-Identifier: MIT
// solve(state): the closed-form least-squares line of any scalar state; infer(state) adds
// residual SD, R², standard errors and t statistics.
#pragma once

#include <cstdint>  // std::uint64_t

#include "detail/scalar.hpp"
#include "fit.hpp"

namespace streamreg {

/// The least-squares line of a state (moments, raw_sums, or any type with the same read
/// interface: count, shift_x/y, mean_dx/dy, sxx, sxy, syy).
///
/// slope = Sxy / Sxx; intercept = (y₀ − slope·x₀) + (ȳ' − slope·x̄'), where (x₀, y₀) is the
/// state's origin and x̄', ȳ' its means relative to it. The product slope·x₀ is formed exactly
/// (fma), so no digit is lost beyond those of the slope itself.
///
/// Edges: n = 0 → empty; n = 1 → too_few_points; Sxx == 0 → constant_x; an overflowed or
/// non-finite state or result → not_finite. Coefficients are NaN whenever status != ok.
/// Complexity: O(1), one division.
template <class State>
constexpr auto solve(const State& s) noexcept -> line_fit<typename State::real_type> {
  using T = typename State::real_type;
  line_fit<T> f;
  f.n = s.count();
  f.intercept = f.slope = detail::undefined_value<T>();
  if (f.n < 2) {
    f.status = f.n == 0 ? fit_status::empty : fit_status::too_few_points;
    return f;
  }
  const T sxx = s.sxx();
  const T sxy = s.sxy();
  if (!(detail::is_finite(sxx) && detail::is_finite(sxy))) {
    f.status = fit_status::not_finite;
    return f;
  }
  if (!(sxx > T(0))) {  // == 0, or negative through cancellation in raw sums
    f.status = fit_status::constant_x;
    return f;
  }
  const T b = T(sxy / sxx);
  const T a = T(detail::minus_product(s.shift_y(), b, s.shift_x()) +
                T(s.mean_dy() - b * s.mean_dx()));
  if (!(detail::is_finite(a) && detail::is_finite(b))) {
    f.status = fit_status::not_finite;
    return f;
  }
  f.status = fit_status::ok;
  f.intercept = a;
  f.slope = b;
  return f;
}

/// The fit with its inference (see line_inference). O(1), one square root.
template <class State>
auto infer(const State& s) -> line_inference<typename State::real_type> {
  using T = typename State::real_type;
  line_inference<T> r;
  r.fit = solve(s);
  const T nan = detail::undefined_value<T>();
  r.residual_sd = r.r_squared = r.se_intercept = r.se_slope = r.cov_intercept_slope =
      r.t_intercept = r.t_slope = nan;
  r.status = r.fit.status;
  if (!r.fit) return r;
  if (r.fit.n < 3) {
    r.status = fit_status::too_few_points;
    return r;
  }
  const T sxx = s.sxx();
  const T sxy = s.sxy();
  const T syy = s.syy();
  // SSE = Syy − Sxy²/Sxx, clamped at 0 against rounding.
  T sse = T(syy - T(sxy * r.fit.slope));
  if (!(detail::is_finite(syy) && detail::is_finite(sse))) {
    r.status = fit_status::not_finite;
    return r;
  }
  r.df = r.fit.n - 2;
  if (sse < T(0)) sse = T(0);
  const T n = static_cast<T>(r.fit.n);
  const T s2 = T(sse / static_cast<T>(r.df));
  const T mx = T(s.shift_x() + s.mean_dx());
  r.residual_sd = detail::square_root(s2);
  if (syy > T(0)) {
    T r2 = T(T(sxy / sxx) * T(sxy / syy));
    if (r2 > T(1)) r2 = T(1);
    r.r_squared = r2;
  }
  const T var_b = T(s2 / sxx);
  const T var_a = T(s2 * T(T(1) / n + T(mx * mx / sxx)));
  r.se_slope = detail::square_root(var_b);
  r.se_intercept = detail::square_root(var_a);
  r.cov_intercept_slope = T(-mx * var_b);
  if (r.se_slope > T(0)) r.t_slope = T(r.fit.slope / r.se_slope);
  if (r.se_intercept > T(0)) r.t_intercept = T(r.fit.intercept / r.se_intercept);
  return r;
}

}  // namespace streamreg

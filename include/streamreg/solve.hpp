// SPDX-License-Identifier: MIT
// solve(state): the closed-form least-squares line of any scalar state; infer(state) adds
// residual SD, R², standard errors and t statistics.
#pragma once

#include <cstdint>      // std::uint64_t
#include <limits>       // std::numeric_limits
#include <type_traits>  // std::conditional_t, std::is_same_v
#include <utility>      // std::declval

#include "detail/scalar.hpp"
#include "fit.hpp"

namespace streamreg {


namespace detail {
template <class S, class = void>
struct has_reference_line : std::false_type {};
template <class S>
struct has_reference_line<S, std::void_t<decltype(std::declval<const S&>().reference_slope()),
                                         decltype(std::declval<const S&>().relative_slope()),
                                         decltype(std::declval<const S&>().reference_intercept()),
                                         decltype(std::declval<const S&>().mean_dv())>>
    : std::true_type {};

template <class S, class = void>
struct has_sse : std::false_type {};
template <class S>
struct has_sse<S, std::void_t<decltype(std::declval<const S&>().sse())>> : std::true_type {};

/// Intercept and slope of a state whose Sxx is positive. With a reference line (moments):
/// b = c + b', a = (y₀ − c·x₀) + (v̄ − b'·(x₀ + ū)), c·x₀ formed exactly (the state keeps
/// y₀ − c·x₀, reference_intercept()), so neither
/// coefficient carries a rounding of the other. Otherwise b = Sxy/Sxx and
/// a = (y₀ − b·x₀) + (ȳ' − b·x̄').
template <class A, class State>
constexpr void line_of(const State& s, const A& sxx, A& a, A& b) noexcept {
  if constexpr (has_reference_line<State>::value) {
    const A c = s.reference_slope();
    const A bv = s.relative_slope();
    b = A(c + bv);
    // b'·x₀ needs no exact product: b' is the small correction since the last re-base.
    a = A(A(s.reference_intercept()) + A(s.mean_dv() - bv * A(A(s.shift_x()) + s.mean_dx())));
  } else {
    b = A(s.sxy() / sxx);
    a = A(minus_product_inline(A(s.shift_y()), b, A(s.shift_x())) +
          A(s.mean_dy() - b * s.mean_dx()));
  }
}
}  // namespace detail

/// The least-squares line of a state (moments, raw_sums, or any type with the same read
/// interface: count, shift_x/y, mean_dx/dy, sxx, sxy, syy; or, for states relative to a
/// reference line, reference_slope, relative_slope and mean_dv).
///
/// slope = Sxy / Sxx; intercept = ȳ − slope·x̄, formed from the state's origin with exact
/// products (see detail::line_of), so no digit is lost beyond those of the slope itself.
/// Computed in the state's accum_type and rounded once to its real_type.
///
/// Edges: n = 0 → empty; n = 1 → too_few_points; Sxx == 0 → constant_x; an overflowed or
/// non-finite state or result → not_finite. Coefficients are NaN whenever status != ok.
/// Complexity: O(1), at most one division.
template <class State>
constexpr auto solve(const State& s) noexcept -> line_fit<typename State::real_type> {
  using T = typename State::real_type;
  using A = detail::accum_t<State>;
  line_fit<T> f;
  f.n = s.count();
  if constexpr (std::numeric_limits<A>::is_iec559 && std::numeric_limits<T>::is_iec559) {
    // The usual case, with three tests instead of seven (this is the per-record hot path):
    // 0 < Sxx < ∞ and a finite intercept and slope. Every other case takes the full
    // sequence below; the result is the same either way.
    if (f.n >= 2) {
      const A sxx = A(s.sxx());
      if (detail::is_positive_finite(sxx)) {
        A a{}, b{};
        detail::line_of(s, sxx, a, b);
        const T ta = T(a), tb = T(b);
        if (detail::is_finite(ta) && detail::is_finite(tb)) {
          f.status = fit_status::ok;
          f.intercept = ta;
          f.slope = tb;
          return f;
        }
      }
    }
  }
  f.intercept = f.slope = detail::undefined_value<T>();
  if (f.n < 2) {
    f.status = f.n == 0 ? fit_status::empty : fit_status::too_few_points;
    return f;
  }
  const A sxx = A(s.sxx());
  const A sxy = A(s.sxy());
  if (!(detail::is_finite(sxx) && detail::is_finite(sxy))) {
    f.status = fit_status::not_finite;
    return f;
  }
  if (!(sxx > A(0))) {  // == 0, or negative through cancellation in raw sums
    f.status = fit_status::constant_x;
    return f;
  }
  A a{}, b{};
  detail::line_of(s, sxx, a, b);
  if (!(detail::is_finite(T(a)) && detail::is_finite(T(b)))) {
    f.status = fit_status::not_finite;
    return f;
  }
  f.status = fit_status::ok;
  f.intercept = T(a);
  f.slope = T(b);
  return f;
}

namespace detail {
template <class S, class = void>
struct has_effective_count : std::false_type {};
template <class S>
struct has_effective_count<S, std::void_t<decltype(std::declval<const S&>().effective_count())>>
    : std::true_type {};
}  // namespace detail

/// The fit with its inference (see line_inference). O(1), two square roots.
///
/// Weights are reliability weights, as R's lm: with residuals e and weights w,
/// s² = Σw e² / (n − 2), var(slope) = s² / Sxx, var(intercept) = s² (1/Σw + x̄² / Sxx), where
/// Sxx = Σw (x − x̄)²; the residual SD is s. Unweighted, these are the ordinary formulas.
/// For an exponentially forgetting state n is Kish's effective count (Σw)² / Σw² and the
/// residual SD is that of one record, sqrt(Σw e² / Σw · n / (n − 2)).
///
/// The residual sum Σw e² is the state's carried sse() when it has one (moments), so it never
/// comes from a difference of large numbers; R² = SSR / (SSR + SSE) with SSR = Sxy²/Sxx. For
/// states without it (raw_sums) SSE = Syy − b·Sxy, clamped at 0.
template <class State>
auto infer(const State& s) -> line_inference<typename State::real_type> {
  using T = typename State::real_type;
  using A = detail::accum_t<State>;
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
  const A sxx = A(s.sxx());
  const A sxy = A(s.sxy());
  const A ssr = A(sxy * A(sxy / sxx));  // regression sum of squares, Sxy²/Sxx
  A sse;
  if constexpr (detail::has_sse<State>::value) {
    sse = A(s.sse());
  } else {
    sse = A(A(s.syy()) - ssr);
  }
  if (!(detail::is_finite(ssr) && detail::is_finite(sse))) {
    r.status = fit_status::not_finite;
    return r;
  }
  // Records counted for the degrees of freedom, and the weight of one record: n and 1 for
  // ordinary and reliability-weighted states; Kish's effective count and W / n_eff for an
  // exponentially forgetting one.
  A dof = static_cast<A>(r.fit.n);
  A unit = A(1);
  if constexpr (detail::has_effective_count<State>::value) {
    dof = A(s.effective_count());
    unit = A(A(s.weight_sum()) / dof);
  }
  if (!(dof > A(2))) {
    r.status = fit_status::too_few_points;
    return r;
  }
  const A df = A(dof - A(2));
  r.df = T(df);
  if (sse < A(0)) sse = A(0);
  const A s2 = A(sse / df);
  const A mx = A(A(s.shift_x()) + A(s.mean_dx()));
  r.residual_sd = T(detail::square_root(A(s2 / unit)));
  const A syy = A(ssr + sse);
  if (syy > A(0)) r.r_squared = T(A(ssr / syy));
  const A var_b = A(s2 / sxx);
  const A var_a = A(s2 * A(A(A(1) / A(s.weight_sum())) + A(A(mx * mx) / sxx)));
  const A se_b = detail::square_root(var_b);
  const A se_a = detail::square_root(var_a);
  r.se_slope = T(se_b);
  r.se_intercept = T(se_a);
  r.cov_intercept_slope = T(A(-mx * var_b));
  if (se_b > A(0)) r.t_slope = T(A(A(r.fit.slope) / se_b));
  if (se_a > A(0)) r.t_intercept = T(r.fit.intercept / r.se_intercept);
  return r;
}

}  // namespace streamreg

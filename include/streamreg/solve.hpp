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

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__)) && !defined(__FMA__)
#  define STREAMREG_DETAIL_FMA_DISPATCH 1
/// Whether the processor has FMA3 although the build does not target it (plain x86-64). Then
/// std::fma is a call into the C library, and around that call in a per-record loop the
/// compiler spills the whole state; minus_product_inline uses the instruction instead. False
/// (the library call) if read before it is initialised: both give the same value.
inline const bool cpu_has_fma = [] {
  __builtin_cpu_init();
  return __builtin_cpu_supports("fma") != 0;
}();
#endif

/// minus_product (y0 − b·x0 with the product formed exactly), the same value, but with the
/// fused multiply-subtract instruction inline when the processor has one that the build does not
/// target. Both that instruction and std::fma round b·x0 − p once, as IEEE 754 defines.
template <class T>
inline T minus_product_inline(const T& y0, const T& b, const T& x0) noexcept {
#ifdef STREAMREG_DETAIL_FMA_DISPATCH
  if constexpr (std::is_same_v<T, double> || std::is_same_v<T, float>) {
    if (__builtin_expect(cpu_has_fma, 1)) {
      const T p = b * x0;
      T e = p;  // becomes b * x0 - p, rounded once, as std::fma(b, x0, -p)
      if constexpr (std::is_same_v<T, double>) {
        __asm__("vfmsub231sd {%2, %1, %0|%0, %1, %2}" : "+x"(e) : "x"(b), "x"(x0));
      } else {
        __asm__("vfmsub231ss {%2, %1, %0|%0, %1, %2}" : "+x"(e) : "x"(b), "x"(x0));
      }
      return (y0 - p) - e;
    }
  }
#endif
  return minus_product(y0, b, x0);
}

/// 0 < v ≤ max, that is positive and finite; for float and double decided on the bits, as
/// is_finite.
template <class T>
constexpr bool is_positive_finite(const T& v) noexcept {
#ifdef STREAMREG_DETAIL_BIT_CAST
  if constexpr (std::is_same_v<T, double> || std::is_same_v<T, float>) {
    using bits = std::conditional_t<std::is_same_v<T, double>, std::uint64_t, std::uint32_t>;
    // The positive finite numbers are the bit patterns 1 ... bits(max).
    return bits(__builtin_bit_cast(bits, v) - 1u) <
           __builtin_bit_cast(bits, std::numeric_limits<T>::max());
  }
#endif
  return v > T(0) && v <= std::numeric_limits<T>::max();
}

}  // namespace detail

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
  if constexpr (std::numeric_limits<T>::is_iec559) {
    // The usual case, with two tests instead of seven (this is the per-record hot path):
    // 0 < Sxx < ∞ and a finite intercept. They imply every test below: b is finite (an
    // infinite or NaN b makes b·x₀ or its exact residual NaN, so the intercept would not be
    // finite), and a finite b over a finite, non-zero Sxx means a finite Sxy. Every other
    // case takes the full sequence below; the result is the same either way.
    if (f.n >= 2) {
      const T sxx = s.sxx();
      if (detail::is_positive_finite(sxx)) {
        const T b = T(s.sxy() / sxx);
        const T a = T(detail::minus_product_inline(s.shift_y(), b, s.shift_x()) +
                      T(s.mean_dy() - b * s.mean_dx()));
        if (detail::is_finite(a)) {
          f.status = fit_status::ok;
          f.intercept = a;
          f.slope = b;
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
  const T a = T(detail::minus_product_inline(s.shift_y(), b, s.shift_x()) +
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
  // Records counted for the degrees of freedom, and the weight of one record: n and 1 for
  // ordinary and reliability-weighted states; Kish's effective count and W / n_eff for an
  // exponentially forgetting one.
  T dof = static_cast<T>(r.fit.n);
  T unit = T(1);
  if constexpr (detail::has_effective_count<State>::value) {
    dof = s.effective_count();
    unit = T(s.weight_sum() / dof);
  }
  if (!(dof > T(2))) {
    r.status = fit_status::too_few_points;
    return r;
  }
  r.df = T(dof - T(2));
  if (sse < T(0)) sse = T(0);
  const T s2 = T(sse / r.df);
  const T mx = T(s.shift_x() + s.mean_dx());
  r.residual_sd = detail::square_root(T(s2 / unit));
  if (syy > T(0)) {
    T r2 = T(T(sxy / sxx) * T(sxy / syy));
    if (r2 > T(1)) r2 = T(1);
    r.r_squared = r2;
  }
  const T var_b = T(s2 / sxx);
  const T var_a = T(s2 * T(T(1) / s.weight_sum() + T(mx * mx / sxx)));
  r.se_slope = detail::square_root(var_b);
  r.se_intercept = detail::square_root(var_a);
  r.cov_intercept_slope = T(-mx * var_b);
  if (r.se_slope > T(0)) r.t_slope = T(r.fit.slope / r.se_slope);
  if (r.se_intercept > T(0)) r.t_intercept = T(r.fit.intercept / r.se_intercept);
  return r;
}

}  // namespace streamreg

// SPDX-License-Identifier: MIT
// double_double: an unevaluated sum hi + lo of two doubles, about 106 significant bits (32
// decimal digits) at hardware speed: the scalar of the precise states (precise_moments, the
// several-predictor precise mode). Error-free transformations (Knuth's two-sum, the FMA
// product) as in Hida, Li and Bailey's QD library; addition is the accurate ("IEEE") variant.
#pragma once

#include <cmath>        // std::fma, std::sqrt, std::isfinite
#include <limits>       // std::numeric_limits
#include <type_traits>  // std::is_integral_v

namespace streamreg {

/// A double-double number: value hi + lo with |lo| <= ulp(hi)/2. Arithmetic keeps about 106
/// bits; conversions to double round once. Not IEEE: no signed zero in lo, no subnormal lo.
struct double_double {
  double hi = 0;
  double lo = 0;

  constexpr double_double() noexcept = default;
  constexpr double_double(double v) noexcept : hi(v) {}  // NOLINT: implicit, as a scalar
  constexpr double_double(double h, double l) noexcept : hi(h), lo(l) {}
  /// Exact for every integer up to 64 bits: split into two 32-bit halves, each exact.
  template <class I, class = std::enable_if_t<std::is_integral_v<I>>>
  double_double(I v) noexcept {  // NOLINT: implicit, as a scalar
    if constexpr (sizeof(I) <= 4) {
      hi = static_cast<double>(v);
    } else {
      const auto u = static_cast<unsigned long long>(v);
      const bool negative = std::is_signed_v<I> && v < 0;
      const unsigned long long m = negative ? ~u + 1 : u;  // |v|, also for the minimum
      const double high = static_cast<double>(m >> 32) * 4294967296.0;
      const double low = static_cast<double>(m & 0xffffffffULL);
      *this = two_sum(high, low);
      if (negative) *this = -*this;
    }
  }

  explicit constexpr operator double() const noexcept { return hi + lo; }
  explicit operator long double() const noexcept {
    return static_cast<long double>(hi) + static_cast<long double>(lo);
  }

  // s + e == a + b exactly.
  static double_double two_sum(double a, double b) noexcept {
    const double s = a + b;
    const double bb = s - a;
    return {s, (a - (s - bb)) + (b - bb)};
  }
  // Requires |a| >= |b| (or a == 0).
  static double_double quick_two_sum(double a, double b) noexcept {
    const double s = a + b;
    return {s, b - (s - a)};
  }
  static double_double two_prod(double a, double b) noexcept {
    const double p = a * b;
    return {p, std::fma(a, b, -p)};
  }

  friend double_double operator+(const double_double& a, const double_double& b) noexcept {
    double_double s = two_sum(a.hi, b.hi);
    const double_double t = two_sum(a.lo, b.lo);
    s.lo += t.hi;
    s = quick_two_sum(s.hi, s.lo);
    s.lo += t.lo;
    return quick_two_sum(s.hi, s.lo);
  }
  friend double_double operator-(const double_double& a) noexcept { return {-a.hi, -a.lo}; }
  friend double_double operator-(const double_double& a, const double_double& b) noexcept {
    return a + (-b);
  }
  friend double_double operator*(const double_double& a, const double_double& b) noexcept {
    double_double p = two_prod(a.hi, b.hi);
    p.lo += a.hi * b.lo + a.lo * b.hi;
    return quick_two_sum(p.hi, p.lo);
  }
  friend double_double operator/(const double_double& a, const double_double& b) noexcept {
    // Long division: q1 + q2 + q3 with a remainder in double_double.
    const double q1 = a.hi / b.hi;
    double_double r = a - b * double_double(q1);
    const double q2 = r.hi / b.hi;
    r = r - b * double_double(q2);
    const double q3 = r.hi / b.hi;
    return quick_two_sum(q1, q2) + double_double(q3);
  }
  double_double& operator+=(const double_double& b) noexcept { return *this = *this + b; }
  double_double& operator-=(const double_double& b) noexcept { return *this = *this - b; }
  double_double& operator*=(const double_double& b) noexcept { return *this = *this * b; }
  double_double& operator/=(const double_double& b) noexcept { return *this = *this / b; }

  friend bool operator==(const double_double& a, const double_double& b) noexcept {
    return a.hi == b.hi && a.lo == b.lo;
  }
  friend bool operator!=(const double_double& a, const double_double& b) noexcept {
    return !(a == b);
  }
  friend bool operator<(const double_double& a, const double_double& b) noexcept {
    return a.hi < b.hi || (a.hi == b.hi && a.lo < b.lo);
  }
  friend bool operator>(const double_double& a, const double_double& b) noexcept { return b < a; }
  friend bool operator<=(const double_double& a, const double_double& b) noexcept {
    return !(b < a);
  }
  friend bool operator>=(const double_double& a, const double_double& b) noexcept {
    return !(a < b);
  }

  friend double_double abs(const double_double& a) noexcept { return a.hi < 0 ? -a : a; }
  friend bool isfinite(const double_double& a) noexcept {
    return std::isfinite(a.hi) && std::isfinite(a.lo);
  }
  friend double_double sqrt(const double_double& a) noexcept {
    // One Newton step from the double square root (Karp's trick) doubles its digits.
    if (!(a.hi > 0)) return double_double(std::sqrt(a.hi));
    const double x = 1.0 / std::sqrt(a.hi);
    const double ax = a.hi * x;
    const double_double diff = a - two_prod(ax, ax);
    return two_sum(ax, diff.hi * (x * 0.5));
  }
};

}  // namespace streamreg

/// numeric_limits for double_double, so generic code (tolerances, NaN for undefined values)
/// treats it as the floating-point type it is. Not IEC 559.
template <>
class std::numeric_limits<streamreg::double_double> {
 public:
  using dd = streamreg::double_double;
  static constexpr bool is_specialized = true;
  static constexpr bool is_signed = true;
  static constexpr bool is_integer = false;
  static constexpr bool is_exact = false;
  static constexpr bool has_infinity = true;
  static constexpr bool has_quiet_NaN = true;
  static constexpr bool is_iec559 = false;
  static constexpr int digits = 104;
  static constexpr int digits10 = 31;
  static constexpr int radix = 2;
  static constexpr dd epsilon() noexcept { return dd(0x1p-104); }
  static constexpr dd min() noexcept { return dd(std::numeric_limits<double>::min()); }
  static constexpr dd max() noexcept { return dd(std::numeric_limits<double>::max()); }
  static constexpr dd lowest() noexcept { return dd(std::numeric_limits<double>::lowest()); }
  static constexpr dd infinity() noexcept { return dd(std::numeric_limits<double>::infinity()); }
  static constexpr dd quiet_NaN() noexcept {
    return dd(std::numeric_limits<double>::quiet_NaN(), std::numeric_limits<double>::quiet_NaN());
  }
};

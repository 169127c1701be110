// SPDX-License-Identifier: MIT
// raw_sums: the five running sums of the textbook closed form (n, Σx, Σy, Σxy, Σx²) plus Σy².
#pragma once

#include <cmath>        // std::abs
#include <cstdint>      // std::uint64_t
#include <limits>       // std::numeric_limits
#include <type_traits>  // std::is_floating_point_v

#include "config.hpp"
#include "detail/scalar.hpp"

namespace streamreg {

/// Summation policy: ordinary `+=`. Exact for exact scalar types.
template <class T>
class plain_sum {
 public:
  /// Bound on the rounding error of a sum of n terms, in units of eps * Σ|terms|.
  static constexpr double error_bound(std::uint64_t n) noexcept {
    return static_cast<double>(n) + 1.0;
  }

  constexpr void add(const T& v) noexcept { s_ += v; }
  constexpr void merge(const plain_sum& o) noexcept { s_ += o.s_; }
  constexpr T value() const noexcept { return s_; }
  friend constexpr bool operator==(const plain_sum& a, const plain_sum& b) noexcept {
    return a.s_ == b.s_;
  }
  friend constexpr bool operator!=(const plain_sum& a, const plain_sum& b) noexcept {
    return !(a == b);
  }

 private:
  T s_{};
};

/// Summation policy: Neumaier's compensated summation (Neumaier 1974, an improvement of Kahan
/// summation that also covers addends larger than the running sum). The error of the sum is
/// about one rounding of the result, independent of the number of terms, as long as no
/// intermediate compensation overflows.
template <class T>
class neumaier_sum {
 public:
  /// Bound on the rounding error of a sum of n terms, in units of eps * Σ|terms| (for n·eps
  /// well below 1).
  static constexpr double error_bound(std::uint64_t) noexcept { return 2.0; }

  constexpr void add(const T& v) noexcept {
    using std::abs;
    const T t = s_ + v;
    if (abs(s_) >= abs(v)) {
      c_ += (s_ - t) + v;
    } else {
      c_ += (v - t) + s_;
    }
    s_ = t;
  }
  constexpr void merge(const neumaier_sum& o) noexcept {
    add(o.s_);
    c_ += o.c_;
  }
  constexpr T value() const noexcept { return s_ + c_; }
  friend constexpr bool operator==(const neumaier_sum& a, const neumaier_sum& b) noexcept {
    return a.s_ == b.s_ && a.c_ == b.c_;
  }
  friend constexpr bool operator!=(const neumaier_sum& a, const neumaier_sum& b) noexcept {
    return !(a == b);
  }

 private:
  T s_{};
  T c_{};
};

/// The five sums of the reference workflow (count, Σx, Σy, Σxy, Σx²) and Σy² for inference.
///
/// The state of the textbook closed form `b = (nΣxy − ΣxΣy) / (nΣx² − (Σx)²)`. Merging and
/// retraction are plain additions and subtractions, so with an exact `T` (integers, a
/// rational or multiprecision type) everything is exact, and with integral `T` only the final
/// divisions of the fit round (the fit is then expressed in `double`).
///
/// In floating point the sums cancel catastrophically when x has a large offset relative to
/// its spread, which is why `moments<T>` is the default. Measured in double on ~1000
/// timestamps near 1.7e9: the slope's relative error is 0.1–0.5 when they span 500 s, 2e-4–9e-3
/// over an hour, 3e-7–8e-6 over a day. `neumaier_sum` makes the sums themselves accurate to
/// about one rounding, which improves such fits 10–100×, but cannot undo the rounding of the
/// products x·x in double.
///
/// Numerically constant x: in floating point, when nΣx² − (Σx)² is not larger than the
/// rounding error bound of its two terms, the sums cannot tell the x apart; sxx() is then 0
/// and solve() reports constant_x instead of a meaningless slope.
///
/// Requires: `T` copyable and closed under `+ - *` (and `/` for floating or rational use).
/// Complexity: O(1) per push, pop and merge; no allocation.
template <class T, template <class> class Sum = plain_sum>
class raw_sums {
 public:
  using value_type = T;
  using real_type = detail::real_t<T>;

  /// Adds one record. Returns false, leaving the state unchanged, when x or y is not finite.
  constexpr bool push(const T& x, const T& y) noexcept {
    if (!detail::is_finite(x) || !detail::is_finite(y)) return false;
    ++n_;
    x_.add(x);
    y_.add(y);
    xy_.add(T(x * y));
    xx_.add(T(x * x));
    yy_.add(T(y * y));
    return true;
  }

  /// Removes a record that was pushed before (a change stream's retraction, diff −1).
  /// Requires: count() > 0. Removing the last record returns the state exactly to empty.
  constexpr bool pop(const T& x, const T& y) noexcept {
    if (!detail::is_finite(x) || !detail::is_finite(y)) return false;
    STREAMREG_ASSERT(n_ > 0, "raw_sums::pop on an empty state");
    if (--n_ == 0) {
      *this = raw_sums{};
      return true;
    }
    x_.add(T(-x));
    y_.add(T(-y));
    xy_.add(T(-(x * y)));
    xx_.add(T(-(x * x)));
    yy_.add(T(-(y * y)));
    return true;
  }

  /// Adds the records of another state: the result equals one pass over both streams.
  constexpr raw_sums& merge(const raw_sums& o) noexcept {
    n_ += o.n_;
    x_.merge(o.x_);
    y_.merge(o.y_);
    xy_.merge(o.xy_);
    xx_.merge(o.xx_);
    yy_.merge(o.yy_);
    return *this;
  }
  constexpr raw_sums& operator+=(const raw_sums& o) noexcept { return merge(o); }

  constexpr void reset() noexcept { *this = raw_sums{}; }

  // The literal sums.
  constexpr std::uint64_t count() const noexcept { return n_; }
  constexpr T sum_x() const noexcept { return x_.value(); }
  constexpr T sum_y() const noexcept { return y_.value(); }
  constexpr T sum_xy() const noexcept { return xy_.value(); }
  constexpr T sum_xx() const noexcept { return xx_.value(); }
  constexpr T sum_yy() const noexcept { return yy_.value(); }

  // The common state interface read by solve(): origin, means relative to it, co-moments.
  // raw_sums has no shifted origin. Undefined (division by zero) when count() == 0.
  constexpr real_type shift_x() const noexcept { return real_type(0); }
  constexpr real_type shift_y() const noexcept { return real_type(0); }
  constexpr real_type mean_dx() const noexcept { return real_type(sum_x()) / real_n(); }
  constexpr real_type mean_dy() const noexcept { return real_type(sum_y()) / real_n(); }
  /// Σ(x − x̄)² as (nΣx² − (Σx)²) / n: the determinant is exact for exact `T`. In floating
  /// point 0 when the determinant is within the sums' rounding error (x numerically constant).
  constexpr real_type sxx() const noexcept {
    if constexpr (std::is_floating_point_v<T>) {
      const T nxx = static_cast<T>(n_) * sum_xx();
      const T det = nxx - sum_x() * sum_x();
      const T bound = static_cast<T>(2.0 * Sum<T>::error_bound(n_) + 2.0) *
                      std::numeric_limits<T>::epsilon() * nxx;
      if (det <= bound) return real_type(0);
      return real_type(det) / real_n();
    } else {
      return co(sum_xx(), sum_x(), sum_x());
    }
  }
  constexpr real_type sxy() const noexcept { return co(sum_xy(), sum_x(), sum_y()); }
  constexpr real_type syy() const noexcept { return co(sum_yy(), sum_y(), sum_y()); }

  friend constexpr bool operator==(const raw_sums& a, const raw_sums& b) noexcept {
    return a.n_ == b.n_ && a.x_ == b.x_ && a.y_ == b.y_ && a.xy_ == b.xy_ && a.xx_ == b.xx_ &&
           a.yy_ == b.yy_;
  }
  friend constexpr bool operator!=(const raw_sums& a, const raw_sums& b) noexcept {
    return !(a == b);
  }

 private:
  constexpr real_type real_n() const noexcept { return static_cast<real_type>(n_); }
  constexpr real_type co(const T& suv, const T& su, const T& sv) const noexcept {
    const T det = T(static_cast<T>(n_) * suv - su * sv);
    return real_type(det) / real_n();
  }

  std::uint64_t n_ = 0;
  Sum<T> x_, y_, xy_, xx_, yy_;
};

}  // namespace streamreg

// SPDX-License-Identifier: MIT
// raw_sums: the five running sums of the textbook closed form (n, Σx, Σy, Σxy, Σx²) plus Σy².
#pragma once

#include <cmath>        // std::abs
#include <cstdint>      // std::uint64_t
#include <limits>       // std::numeric_limits
#include <string>       // checkpoint_type
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
  /// Sets the sum (raw_sums' checked integer updates compute it first).
  constexpr void assign(const T& v) noexcept { s_ = v; }
  constexpr T value() const noexcept { return s_; }
  static constexpr const char* name() noexcept { return "plain_sum"; }
  template <class Archive>
  void serialize(Archive& ar, const std::string& prefix) {
    ar.field("sum_" + prefix, s_);
  }
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
  static constexpr const char* name() noexcept { return "neumaier_sum"; }
  template <class Archive>
  void serialize(Archive& ar, const std::string& prefix) {
    ar.field("sum_" + prefix, s_);
    ar.field("comp_" + prefix, c_);
  }
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

namespace detail {
/// r = a + b, a − b, a · b for built-in integers; false (r unspecified) when the exact result
/// does not fit in I.
template <class I>
constexpr bool checked_add(I a, I b, I& r) noexcept { return !__builtin_add_overflow(a, b, &r); }
template <class I>
constexpr bool checked_sub(I a, I b, I& r) noexcept { return !__builtin_sub_overflow(a, b, &r); }
template <class I>
constexpr bool checked_mul(I a, I b, I& r) noexcept { return !__builtin_mul_overflow(a, b, &r); }
}  // namespace detail

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
/// Built-in integer `T`: every sum and product is checked. A push, pop or merge whose exact
/// result does not fit in `T` is refused (push and pop return false), and the state is marked
/// `overflowed()`: it refuses everything after (records have been left out, so no later fit
/// would be the fit of the stream) and solve() reports not_finite. The co-moments are formed
/// in 128-bit integers, so W·Σx² − (Σx)² never overflows.
///
/// Requires: `T` copyable and closed under `+ - *` (and `/` for floating or rational use).
/// Complexity: O(1) per push, pop and merge; no allocation.
template <class T, template <class> class Sum = plain_sum>
class raw_sums {
  static_assert(!std::is_integral_v<T> || std::is_same_v<Sum<T>, plain_sum<T>>,
                "raw_sums: integer sums are exact; use plain_sum with an integral T");

 public:
  using value_type = T;
  using real_type = detail::real_t<T>;

  /// True once a push, pop or merge would have overflowed an integral `T` (always false for
  /// other types).
  constexpr bool overflowed() const noexcept { return overflow_; }

  /// Adds one record. Returns false, leaving the state unchanged, when x or y is not finite.
  constexpr bool push(const T& x, const T& y) noexcept {
    if (!detail::is_finite(x) || !detail::is_finite(y)) return false;
    if constexpr (std::is_integral_v<T>) return add_checked(x, y, T(1), false);
    ++n_;
    w_.add(T(1));
    x_.add(x);
    y_.add(y);
    xy_.add(T(x * y));
    xx_.add(T(x * x));
    yy_.add(T(y * y));
    return true;
  }

  /// Adds one record with weight w (the sums become Σw, Σwx, Σwy, Σwxy, Σwx², Σwy²).
  /// Returns false, leaving the state unchanged, when x, y or w is not finite or w <= 0.
  constexpr bool push(const T& x, const T& y, const T& w) noexcept {
    if (!detail::valid_record(x, y, w)) return false;
    if constexpr (std::is_integral_v<T>) return add_checked(x, y, w, false);
    ++n_;
    w_.add(w);
    const T wx = T(w * x);
    const T wy = T(w * y);
    x_.add(wx);
    y_.add(wy);
    xy_.add(T(wx * y));
    xx_.add(T(wx * x));
    yy_.add(T(wy * y));
    return true;
  }

  /// Removes a record that was pushed before (a change stream's retraction, diff −1).
  /// False (state unchanged) when empty or x or y is not finite. Removing the last record
  /// returns the state exactly to empty.
  constexpr bool pop(const T& x, const T& y) noexcept { return pop(x, y, T(1)); }

  /// Removes a record pushed with weight w. False (state unchanged) also for an invalid
  /// weight, and, with an exact `T`, when the result would have a negative weight sum or sum
  /// of squares (the record was never pushed).
  constexpr bool pop(const T& x, const T& y, const T& w) noexcept {
    if (n_ == 0 || !detail::valid_record(x, y, w)) return false;
    if constexpr (std::is_integral_v<T>) {
      // Exact: the record must leave sums of a possible state (checked below), and with one
      // record held it must be that record.
      if (overflow_) return false;
      if (n_ == 1) {
        T wx{}, wy{};
        if (!detail::checked_mul(w, x, wx) || !detail::checked_mul(w, y, wy) ||
            !(x_.value() == wx && y_.value() == wy && w_.value() == w))
          return false;
        *this = raw_sums{};
        return true;
      }
      raw_sums r = *this;
      if (!r.add_checked(x, y, w, true)) {
        overflow_ = true;
        return false;
      }
      if (!(r.weight_sum() > T(0)) || r.det(r.sum_xx(), r.sum_x(), r.sum_x()) < 0 ||
          r.det(r.sum_yy(), r.sum_y(), r.sum_y()) < 0)
        return false;
      *this = r;
      return true;
    }
    if (n_ == 1) {
      *this = raw_sums{};
      return true;
    }
    raw_sums r = *this;
    --r.n_;
    const T wx = T(w * x);
    const T wy = T(w * y);
    r.w_.add(T(-w));
    r.x_.add(T(-wx));
    r.y_.add(T(-wy));
    r.xy_.add(T(-(wx * y)));
    r.xx_.add(T(-(wx * x)));
    r.yy_.add(T(-(wy * y)));
    if constexpr (!std::is_floating_point_v<T>) {
      if (!(r.weight_sum() > T(0)) || r.det(r.sum_xx(), r.sum_x(), r.sum_x()) < T(0) ||
          r.det(r.sum_yy(), r.sum_y(), r.sum_y()) < T(0))
        return false;
    }
    *this = r;
    return true;
  }

  /// Adds the records of another state: the result equals one pass over both streams.
  constexpr raw_sums& merge(const raw_sums& o) noexcept {
    if constexpr (std::is_integral_v<T>) {
      T w, x, y, xy, xx, yy;
      if (overflow_ || o.overflow_ || !detail::checked_add(w_.value(), o.w_.value(), w) ||
          !detail::checked_add(x_.value(), o.x_.value(), x) ||
          !detail::checked_add(y_.value(), o.y_.value(), y) ||
          !detail::checked_add(xy_.value(), o.xy_.value(), xy) ||
          !detail::checked_add(xx_.value(), o.xx_.value(), xx) ||
          !detail::checked_add(yy_.value(), o.yy_.value(), yy)) {
        overflow_ = true;
        return *this;
      }
      n_ += o.n_;
      w_.assign(w);
      x_.assign(x);
      y_.assign(y);
      xy_.assign(xy);
      xx_.assign(xx);
      yy_.assign(yy);
      return *this;
    }
    n_ += o.n_;
    w_.merge(o.w_);
    x_.merge(o.x_);
    y_.merge(o.y_);
    xy_.merge(o.xy_);
    xx_.merge(o.xx_);
    yy_.merge(o.yy_);
    return *this;
  }
  constexpr raw_sums& operator+=(const raw_sums& o) noexcept { return merge(o); }

  constexpr void reset() noexcept { *this = raw_sums{}; }

  // The literal sums (weighted: Σwx, ...).
  constexpr std::uint64_t count() const noexcept { return n_; }
  constexpr T weight_sum() const noexcept { return w_.value(); }
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
  /// Σw(x − x̄)² as (WΣwx² − (Σwx)²) / W with W = Σw (= n unweighted): the determinant is
  /// exact for exact `T`. In floating point 0 when the determinant is within the sums'
  /// rounding error (x numerically constant).
  constexpr real_type sxx() const noexcept {
    if constexpr (std::is_integral_v<T>) {
      return co(sum_xx(), sum_x(), sum_x());
    } else if constexpr (std::is_floating_point_v<T>) {
      const T nxx = weight_sum() * sum_xx();
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
    return a.n_ == b.n_ && a.w_ == b.w_ && a.x_ == b.x_ && a.y_ == b.y_ && a.xy_ == b.xy_ && a.xx_ == b.xx_ &&
           a.yy_ == b.yy_ && a.overflow_ == b.overflow_;
  }
  friend constexpr bool operator!=(const raw_sums& a, const raw_sums& b) noexcept {
    return !(a == b);
  }

  /// Checkpoint support (checkpoint.hpp).
  static std::string checkpoint_type() {
    return std::string("raw_sums<") + detail::scalar_name<T>() + "," + Sum<T>::name() + ">";
  }
  template <class Archive>
  void serialize(Archive& ar) {
    ar.field("n", n_);
    w_.serialize(ar, "w");
    x_.serialize(ar, "x");
    y_.serialize(ar, "y");
    xy_.serialize(ar, "xy");
    xx_.serialize(ar, "xx");
    yy_.serialize(ar, "yy");
    if constexpr (std::is_integral_v<T>) {
      bool overflowed = overflow_;
      if constexpr (Archive::loading) {
        if (!ar.next_is("overflowed")) return;  // written before the flag existed
      }
      ar.field("overflowed", overflowed);
      overflow_ = overflowed;
    }
  }

 private:
  constexpr real_type real_n() const noexcept { return static_cast<real_type>(weight_sum()); }
  /// W·Σuv − Σu·Σv, for integral T in 128 bits (no overflow for 64-bit sums).
  constexpr auto det(const T& suv, const T& su, const T& sv) const noexcept {
    if constexpr (std::is_integral_v<T> && sizeof(T) <= 8) {
      __extension__ using wide = __int128;
      return wide(weight_sum()) * wide(suv) - wide(su) * wide(sv);
    } else {
      return T(weight_sum() * suv - su * sv);
    }
  }
  constexpr real_type co(const T& suv, const T& su, const T& sv) const noexcept {
    if (overflow_) return std::numeric_limits<real_type>::infinity();  // solve: not_finite
    return real_type(det(suv, su, sv)) / real_n();
  }

  /// Integral T: adds (or, `remove`, subtracts) a weighted record with every operation
  /// checked; false, with the state unchanged but marked overflowed, if one does not fit.
  constexpr bool add_checked(const T& x, const T& y, const T& w, bool remove) noexcept {
    if (overflow_) return false;
    T wx{}, wy{}, pxy{}, pxx{}, pyy{}, nw{}, nx{}, ny{}, nxy{}, nxx{}, nyy{};
    const auto step = [remove](T a, T b, T& r) {
      return remove ? detail::checked_sub(a, b, r) : detail::checked_add(a, b, r);
    };
    const bool ok = detail::checked_mul(w, x, wx) && detail::checked_mul(w, y, wy) &&
                    detail::checked_mul(wx, y, pxy) && detail::checked_mul(wx, x, pxx) &&
                    detail::checked_mul(wy, y, pyy) && step(w_.value(), w, nw) &&
                    step(x_.value(), wx, nx) && step(y_.value(), wy, ny) &&
                    step(xy_.value(), pxy, nxy) && step(xx_.value(), pxx, nxx) &&
                    step(yy_.value(), pyy, nyy);
    if (!ok) {
      overflow_ = true;
      return false;
    }
    n_ = remove ? n_ - 1 : n_ + 1;
    w_.assign(nw);
    x_.assign(nx);
    y_.assign(ny);
    xy_.assign(nxy);
    xx_.assign(nxx);
    yy_.assign(nyy);
    return true;
  }

  std::uint64_t n_ = 0;
  Sum<T> w_, x_, y_, xy_, xx_, yy_;
  bool overflow_ = false;  // integral T: a sum would have overflowed (sticky)
};

}  // namespace streamreg

// SPDX-License-Identifier: MIT
// moments: count, weight sum, means and centred co-moments Sxx, Sxy, Syy with a stable
// one-pass update, weights, retraction, merging and exponential scaling.
#pragma once

#include <cstdint>  // std::uint64_t
#include <limits>   // std::numeric_limits
#include <string>       // checkpoint_type
#include <type_traits>  // std::conditional_t

#include "config.hpp"
#include "detail/scalar.hpp"

namespace streamreg {

/// Count, weight sum, means and centred co-moments of a stream of (x, y): the default state.
///
/// Updates follow Welford (1962) and West (1979), weighted: with δx = x − x̄ before the
/// update and W the weight sum after it, x̄ += δx·w/W, Sxx += w·δx·(x − x̄_new),
/// Sxy += w·δx·(y − ȳ_new). To stay accurate when x or y carries a large offset relative to
/// its spread (Unix timestamps, prices), the state works relative to an origin: the first
/// record pushed. Differences x − x₀ of nearby values are exact (Sterbenz), so the offset
/// never enters the rounding of the means and co-moments; the solver adds it back with an
/// exact product (see solve.hpp).
///
/// Measured (README, "Numerics"): on x = 1.7e9 + fractional steps, intercept and slope agree
/// with the exact rational fit to 2e-14 relative or better at every prefix of 2000-record
/// streams (worst seen 1.6e-13, on a short, noisy prefix), where the five raw sums in double
/// can lose every digit.
///
/// Weights are reliability weights (w > 0); an unweighted push is a push with w = 1, bit for
/// bit. Merging uses the pairwise formulas of Chan, Golub and LeVeque (1979), carried to the
/// first operand's origin. Retraction (`pop`) applies the inverse update; popping the last
/// record returns exactly to the empty state.
///
/// Requires: `T` a floating-point type or a user type closed under `+ - * /` and constructible
/// from an integer. Complexity: O(1) per push, pop and merge; no allocation.
template <class T>
class moments {
 public:
  using value_type = T;
  using real_type = T;
  /// The weight sum's type: double for float, whose 24-bit significand would stop counting
  /// at 2^24 records (and freeze the update weight 1/W), else T.
  using weight_type = std::conditional_t<std::is_same_v<T, float>, double, T>;

  /// Adds one record. Returns false, leaving the state unchanged, when x or y is not finite.
  constexpr bool push(const T& x, const T& y) noexcept {
    if (!detail::is_finite(x) || !detail::is_finite(y)) return false;
    start(x, y);
    ++n_;
    w_ += weight_type(1);
    // 1/W is kept off the data's dependency chain: the previous update computed it and this
    // one computes the next, so a per-record loop overlaps the division with the previous
    // record's update instead of waiting for it.
    const T r = next_r_;
    next_r_ = T(weight_type(1) / weight_type(w_ + weight_type(1)));
    const T dx = T(x - x0_);
    const T dy = T(y - y0_);
    const T ex = T(dx - mx_);  // deviation from the old mean
    const T ey = T(dy - my_);
    mx_ += T(ex * r);
    my_ += T(ey * r);
    const T fx = T(dx - mx_);  // deviation from the new mean
    const T fy = T(dy - my_);
    sxx_ += T(ex * fx);
    sxy_ += T(ex * fy);
    syy_ += T(ey * fy);
    return true;
  }

  /// Adds one record with weight w. Returns false, leaving the state unchanged, when x, y or
  /// w is not finite or w <= 0. With w = 1 the result is that of push(x, y), bit for bit.
  constexpr bool push(const T& x, const T& y, const T& w) noexcept {
    if (!detail::valid_record(x, y, w)) return false;
    start(x, y);
    ++n_;
    w_ += weight_type(w);
    const T r = T(weight_type(w) / w_);
    next_r_ = T(weight_type(1) / weight_type(w_ + weight_type(1)));
    const T dx = T(x - x0_);
    const T dy = T(y - y0_);
    const T ex = T(dx - mx_);
    const T ey = T(dy - my_);
    mx_ += T(ex * r);
    my_ += T(ey * r);
    const T wx = T(w * ex);
    const T wy = T(w * ey);
    sxx_ += T(wx * T(dx - mx_));
    sxy_ += T(wx * T(dy - my_));
    syy_ += T(wy * T(dy - my_));
    return true;
  }

  /// Removes a record pushed before (the inverse of push).
  /// Returns false, leaving the state unchanged, when the state is empty, x or y is not
  /// finite, or removing the record would make a sum of squares negative beyond rounding (it
  /// was never pushed). Removing the last record returns the state exactly to empty.
  constexpr bool pop(const T& x, const T& y) noexcept { return pop(x, y, T(1)); }

  /// Removes a record pushed with weight w (see pop(x, y)); false also when w is not a valid
  /// weight or exceeds the weight in the state.
  constexpr bool pop(const T& x, const T& y, const T& w) noexcept {
    if (n_ == 0 || !detail::valid_record(x, y, w)) return false;
    if (n_ == 1) {
      *this = moments{};
      return true;
    }
    const weight_type w_new = weight_type(w_ - weight_type(w));
    if (!(w_new > weight_type(0))) return false;
    const T dx = T(x - x0_);
    const T dy = T(y - y0_);
    const T fx = T(dx - mx_);  // deviation from the mean that includes the record
    const T fy = T(dy - my_);
    const T r = T(weight_type(w) / w_new);
    const T mx = T(mx_ - T(fx * r));
    const T my = T(my_ - T(fy * r));
    const T wx = T(w * T(dx - mx));  // w times the deviation from the mean without it
    const T wy = T(w * T(dy - my));
    const T dxx = T(wx * fx);
    const T dyy = T(wy * fy);
    T sxx = T(sxx_ - dxx);
    T syy = T(syy_ - dyy);
    T sxy = T(sxy_ - T(wx * fy));
    if (n_ == 2) {
      // One record remains: its co-moments are exactly 0; what is left is rounding.
      sxx = syy = sxy = T(0);
    } else if (!(non_negative(sxx, sxx_, dxx) && non_negative(syy, syy_, dyy))) {
      return false;
    }
    sxx_ = sxx;
    syy_ = syy;
    sxy_ = sxy;
    mx_ = mx;
    my_ = my;
    w_ = w_new;
    --n_;
    next_r_ = T(weight_type(1) / weight_type(w_ + weight_type(1)));
    return true;
  }

  /// Replaces the unweighted record (xo, yo), pushed before, by (xn, yn) in one update: what a
  /// full count window does on each slide. The weight sum is unchanged; `inv_w` must be
  /// 1 / weight_sum() (the window keeps it). With δ deviations from the old means and f from
  /// the new ones: Sxx += δxn·fxn − δxo·fxo, Sxy += δxn·fyn − δxo·fyo (the sliding form of the
  /// West update). Requires: count() >= 2, all values finite.
  constexpr void replace(const T& xo, const T& yo, const T& xn, const T& yn,
                         const T& inv_w) noexcept {
    const T dxo = T(xo - x0_), dyo = T(yo - y0_);
    const T dxn = T(xn - x0_), dyn = T(yn - y0_);
    const T exo = T(dxo - mx_), eyo = T(dyo - my_);  // deviations from the old means
    const T exn = T(dxn - mx_), eyn = T(dyn - my_);
    mx_ += T(T(dxn - dxo) * inv_w);
    my_ += T(T(dyn - dyo) * inv_w);
    const T fxo = T(dxo - mx_), fyo = T(dyo - my_);  // deviations from the new means
    const T fxn = T(dxn - mx_), fyn = T(dyn - my_);
    sxx_ += T(T(exn * fxn) - T(exo * fxo));
    sxy_ += T(T(exn * fyn) - T(exo * fyo));
    syy_ += T(T(eyn * fyn) - T(eyo * fyo));
    if (sxx_ < T(0)) sxx_ = T(0);  // rounding on (numerically) constant x
    if (syy_ < T(0)) syy_ = T(0);
  }

  /// Recomputes the state from scratch by the two-pass formulas (means first, then centred
  /// sums), origin at the first record: `for_each(f)` must call f(x, y, w) for every record,
  /// in the same order both times it is called. More accurate than one pass; no division per
  /// record.
  template <class ForEach>
  void assign_two_pass(ForEach&& for_each) {
    *this = moments{};
    bool first = true;
    weight_type w = 0;
    T sx{}, sy{};
    for_each([&](const T& x, const T& y, const T& wi) {
      if (first) {
        x0_ = x;
        y0_ = y;
        first = false;
      }
      ++n_;
      w += weight_type(wi);
      sx += T(wi * T(x - x0_));
      sy += T(wi * T(y - y0_));
    });
    if (n_ == 0) return;
    w_ = w;
    mx_ = T(sx / T(w));
    my_ = T(sy / T(w));
    for_each([&](const T& x, const T& y, const T& wi) {
      const T ex = T(T(x - x0_) - mx_), ey = T(T(y - y0_) - my_);
      sxx_ += T(wi * T(ex * ex));
      sxy_ += T(wi * T(ex * ey));
      syy_ += T(wi * T(ey * ey));
    });
    next_r_ = T(weight_type(1) / weight_type(w_ + weight_type(1)));
  }

  /// Adds the records of another state (Chan et al. pairwise update): equals one pass over
  /// both streams, to rounding, in any order.
  constexpr moments& merge(const moments& o) noexcept {
    if (o.n_ == 0) return *this;
    if (n_ == 0) {
      *this = o;
      return *this;
    }
    // Other's means relative to this origin. The origins' difference is exact when they are
    // close (Sterbenz), the usual case for shards of one stream.
    const T omx = T(T(o.x0_ - x0_) + o.mx_);
    const T omy = T(T(o.y0_ - y0_) + o.my_);
    const weight_type w = weight_type(w_ + o.w_);
    const T ddx = T(omx - mx_);
    const T ddy = T(omy - my_);
    const T f = T(w_ * o.w_ / w);
    sxx_ += T(o.sxx_ + T(ddx * ddx * f));
    sxy_ += T(o.sxy_ + T(ddx * ddy * f));
    syy_ += T(o.syy_ + T(ddy * ddy * f));
    const T share = T(o.w_ / w);
    mx_ += T(ddx * share);
    my_ += T(ddy * share);
    n_ += o.n_;
    w_ = w;
    next_r_ = T(weight_type(1) / weight_type(w_ + weight_type(1)));
    return *this;
  }
  constexpr moments& operator+=(const moments& o) noexcept { return merge(o); }

  /// Multiplies every record's weight by f (exponential forgetting): the means stay, the
  /// weight sum and co-moments scale. Requires: 0 < f <= 1.
  constexpr void scale(const T& f) noexcept {
    STREAMREG_ASSERT(f > T(0) && f <= T(1), "moments::scale: factor outside (0, 1]");
    w_ *= weight_type(f);
    sxx_ *= f;
    sxy_ *= f;
    syy_ *= f;
    next_r_ = T(weight_type(1) / weight_type(w_ + weight_type(1)));
  }

  constexpr void reset() noexcept { *this = moments{}; }

  /// Number of records.
  constexpr std::uint64_t count() const noexcept { return n_; }
  /// Sum of the weights (count() when unweighted).
  constexpr T weight_sum() const noexcept { return T(w_); }
  /// The origin: the first record pushed (0 while empty).
  constexpr T shift_x() const noexcept { return x0_; }
  constexpr T shift_y() const noexcept { return y0_; }
  /// Means relative to the origin.
  constexpr T mean_dx() const noexcept { return mx_; }
  constexpr T mean_dy() const noexcept { return my_; }
  /// (Weighted) means. 0 while empty.
  constexpr T mean_x() const noexcept { return T(x0_ + mx_); }
  constexpr T mean_y() const noexcept { return T(y0_ + my_); }
  /// Centred (weighted) sums of squares and products: Σw(x − x̄)², Σw(x − x̄)(y − ȳ),
  /// Σw(y − ȳ)².
  constexpr T sxx() const noexcept { return sxx_; }
  constexpr T sxy() const noexcept { return sxy_; }
  constexpr T syy() const noexcept { return syy_; }

  friend constexpr bool operator==(const moments& a, const moments& b) noexcept {
    return a.n_ == b.n_ && a.w_ == b.w_ && a.x0_ == b.x0_ && a.y0_ == b.y0_ &&
           a.mx_ == b.mx_ && a.my_ == b.my_ && a.sxx_ == b.sxx_ && a.sxy_ == b.sxy_ &&
           a.syy_ == b.syy_;
  }
  friend constexpr bool operator!=(const moments& a, const moments& b) noexcept {
    return !(a == b);
  }

  /// Checkpoint support (checkpoint.hpp).
  static std::string checkpoint_type() {
    return std::string("moments<") + detail::scalar_name<T>() + ">";
  }
  template <class Archive>
  void serialize(Archive& ar) {
    ar.field("n", n_);
    ar.field("w", w_);
    ar.field("x0", x0_);
    ar.field("y0", y0_);
    ar.field("mx", mx_);
    ar.field("my", my_);
    ar.field("sxx", sxx_);
    ar.field("sxy", sxy_);
    ar.field("syy", syy_);
    // Only when loading: save_checkpoint serialises a const object (it may live in read-only
    // memory), so saving must not write, even the value already there.
    if constexpr (Archive::loading)
      next_r_ = T(weight_type(1) / weight_type(w_ + weight_type(1)));
  }

 private:
  constexpr void start(const T& x, const T& y) noexcept {
    if (n_ == 0) {
      x0_ = x;
      y0_ = y;
    }
  }

  /// True if `s = old − d` is a plausible sum of squares: non-negative, or negative only by
  /// rounding (then set to 0).
  static constexpr bool non_negative(T& s, const T& old, const T& d) noexcept {
    if (!(s < T(0))) return true;
    using std::abs;
    const T tol = T(T(64) * std::numeric_limits<T>::epsilon() * T(abs(old) + abs(d)));
    if (T(-s) > tol) return false;
    s = T(0);
    return true;
  }

  std::uint64_t n_ = 0;
  weight_type w_{};  // weight sum
  T x0_{}, y0_{};  // origin
  T mx_{}, my_{};  // means of x − x0, y − y0
  T sxx_{}, sxy_{}, syy_{};
  // 1/(w_ + 1), the weight of the next unweighted record: a function of w_ kept for speed,
  // not part of the value (operator== ignores it; serialize recomputes it).
  T next_r_ = T(1);
};

}  // namespace streamreg

// SPDX-License-Identifier: MIT
// moments: count, weight sum, means, centred co-moments and the residual sum of squares of a
// stream of (x, y), relative to a reference line; weights, retraction, merging, scaling.
#pragma once

#include <cstdint>      // std::uint64_t
#include <limits>       // std::numeric_limits
#include <string>       // checkpoint_type
#include <type_traits>  // std::conditional_t

#include "config.hpp"
#include "detail/scalar.hpp"
#include "double_double.hpp"

namespace streamreg {

/// Count, weight sum, means, centred co-moments and residual sum of squares of a stream of
/// (x, y): the default state. Long streams keep their digits (README, "Long streams").
///
/// The state works relative to a reference line through an origin (x₀, y₀) (the first
/// record) with a reference slope c: it keeps the moments of u = x − x₀ and of
/// v = (y − y₀) − c·u. Differences of nearby values are exact (Sterbenz), so an offset in x
/// or y never enters the rounding; and since c follows the fitted slope (it is re-based to
/// it after records 1, 2, 4, 8, ... and then every 65536), v holds only the residual part of
/// y, so nothing of the size of y is ever summed into what the slope, the intercept and the
/// residuals are computed from. Updates are weighted Welford/West: with δ = u − ū before the
/// update and W the weight sum after it, ū += δ·w/W, Sxx += w·δ·(u − ū_new), likewise Sxv.
///
/// The residual sum of squares is carried, not computed as Syy − b·Sxy (which cancels once
/// Syy/SSE passes 1/ε): each record adds w·e·e', e its residual under the previous fit and
/// e' under the new one (e' = e / (1 + w·h), h its leverage), a quantity that only grows; it
/// is what the last diagonal of a square-root (Givens) factor holds. While every x is equal
/// (Sxx = 0) the residuals are taken from the mean: SSE = Syy.
///
/// `float` states accumulate in double (accum_type) and report in float; `long double` and
/// user types (precise_moments: double_double) accumulate in their own type.
///
/// Weights are reliability weights (w > 0); an unweighted push is a push with w = 1, bit for
/// bit. Merging uses the pairwise formulas of Chan, Golub and LeVeque (1979) carried to the
/// first operand's frame, with the residual sums combined by a sum of non-negative terms.
/// Retraction (`pop`) applies the inverse update and refuses records inconsistent with the
/// state; popping the last record returns exactly to the empty state.
///
/// Requires: `T` a floating-point type or a user type closed under `+ - * /` and constructible
/// from an integer. Complexity: O(1) per push, pop and merge (two divisions); no allocation.
template <class T>
class moments {
 public:
  using value_type = T;
  using real_type = T;
  /// The type of the state and of the read interface: double for float (whose 24-bit
  /// significand loses a stream's digits after 10⁴ records), else T.
  using accum_type = std::conditional_t<std::is_same_v<T, float>, double, T>;
  using weight_type = accum_type;

 private:
  using A = accum_type;

 public:

  /// Adds one record. Returns false, leaving the state unchanged, when x or y is not finite.
  constexpr bool push(const T& x, const T& y) noexcept {
    if (!detail::is_finite(x) || !detail::is_finite(y)) return false;
    start(x, y);
    ++n_;
    w_ += A(1);
    // 1/W is kept off the data's dependency chain: the previous update computed it and this
    // one computes the next, so a per-record loop overlaps the division with the previous
    // record's update instead of waiting for it.
    const A r = next_r_;
    next_r_ = A(A(1) / A(w_ + A(1)));
    update(A(x), A(y), A(1), r);
    return true;
  }

  /// Adds one record with weight w. Returns false, leaving the state unchanged, when x, y or
  /// w is not finite or w <= 0. With w = 1 the result is that of push(x, y), bit for bit.
  constexpr bool push(const T& x, const T& y, const T& w) noexcept {
    if (!detail::valid_record(x, y, w)) return false;
    start(x, y);
    ++n_;
    w_ += A(w);
    const A r = A(A(w) / w_);
    next_r_ = A(A(1) / A(w_ + A(1)));
    update(A(x), A(y), A(w), r);
    return true;
  }

  /// Removes a record pushed before (the inverse of push).
  /// Returns false, leaving the state unchanged, when the state is empty, x or y is not
  /// finite, or the record is inconsistent with the state, so that it cannot have been pushed:
  /// with one or two records held, it is not one of them; otherwise its leverage would exceed
  /// 1 or removing it would make a sum of squares negative beyond rounding. (A record that is
  /// consistent with the state, for instance one at the means, cannot be told apart from a
  /// pushed one by any fixed-size state.) Removing the last record returns exactly to empty.
  constexpr bool pop(const T& x, const T& y) noexcept { return pop(x, y, T(1)); }

  /// Removes a record pushed with weight w (see pop(x, y)); false also when w is not a valid
  /// weight or exceeds the weight in the state.
  constexpr bool pop(const T& x, const T& y, const T& w) noexcept;

  /// Recomputes the state from scratch by passes over the records (means, then co-moments,
  /// then residuals), origin at the first record, keeping the reference slope: `for_each(f)`
  /// must call f(x, y, w) for every record, in the same order each time it is called. More
  /// accurate than one pass; no division per record.
  template <class ForEach>
  void assign_two_pass(ForEach&& for_each);

  /// Adds the records of another state (Chan et al. pairwise update): equals one pass over
  /// both streams, to rounding, in any order.
  constexpr moments& merge(const moments& o) noexcept;
  constexpr moments& operator+=(const moments& o) noexcept { return merge(o); }

  /// Multiplies every record's weight by f (exponential forgetting): the means and the fit
  /// stay, the weight sum, co-moments and residual sum scale. Requires: 0 < f <= 1.
  constexpr void scale(const T& f) noexcept {
    STREAMREG_ASSERT(f > T(0) && f <= T(1), "moments::scale: factor outside (0, 1]");
    const A a = A(f);
    w_ *= a;
    sxx_ *= a;
    sxv_ *= a;
    sse_ *= a;
    peak_sxx_ *= a;
    peak_sse_ *= a;
    next_r_ = A(A(1) / A(w_ + A(1)));
  }

  constexpr void reset() noexcept { *this = moments{}; }

  /// Number of records.
  constexpr std::uint64_t count() const noexcept { return n_; }
  /// Sum of the weights (count() when unweighted).
  constexpr A weight_sum() const noexcept { return w_; }
  /// The origin: the first record pushed (0 while empty).
  constexpr A shift_x() const noexcept { return x0_; }
  constexpr A shift_y() const noexcept { return y0_; }
  /// The reference slope c (0 until the first re-base).
  constexpr A reference_slope() const noexcept { return c_; }
  /// y₀ − c·x₀ (the product exact): the intercept of the reference line.
  constexpr A reference_intercept() const noexcept { return a0_; }
  /// The fitted slope minus c: Sxv / Sxx, or 0 while Sxx is 0.
  constexpr A relative_slope() const noexcept { return bv_; }
  /// Means relative to the origin: of x − x₀, of v = y − y₀ − c·(x − x₀), of y − y₀.
  constexpr A mean_dx() const noexcept { return mx_; }
  constexpr A mean_dv() const noexcept { return mv_; }
  constexpr A mean_dy() const noexcept { return A(mv_ + c_ * mx_); }
  /// (Weighted) means. 0 while empty.
  constexpr A mean_x() const noexcept { return A(x0_ + mx_); }
  constexpr A mean_y() const noexcept { return A(y0_ + mean_dy()); }
  /// Centred (weighted) sums: Σw(x − x̄)², Σw(x − x̄)(v − v̄), Σw(x − x̄)(y − ȳ).
  constexpr A sxx() const noexcept { return sxx_; }
  constexpr A sxv() const noexcept { return sxv_; }
  constexpr A sxy() const noexcept { return A(sxv_ + c_ * sxx_); }
  /// Residual sum of squares of the fitted line, Σw e² (of y around its mean while Sxx = 0).
  constexpr A sse() const noexcept { return sse_; }
  /// Σw(y − ȳ)² = SSE + Sxy²/Sxx, from non-negative parts.
  constexpr A syy() const noexcept {
    return sxx_ > A(0) ? A(sse_ + A(sxy() * A(sxy() / sxx_))) : sse_;
  }

  friend constexpr bool operator==(const moments& a, const moments& b) noexcept {
    return a.n_ == b.n_ && a.w_ == b.w_ && a.x0_ == b.x0_ && a.y0_ == b.y0_ &&
           a.c_ == b.c_ && a.mx_ == b.mx_ && a.mv_ == b.mv_ && a.sxx_ == b.sxx_ &&
           a.sxv_ == b.sxv_ && a.sse_ == b.sse_ && a.bv_ == b.bv_ &&
           a.peak_sxx_ == b.peak_sxx_ && a.peak_sse_ == b.peak_sse_;
  }
  friend constexpr bool operator!=(const moments& a, const moments& b) noexcept {
    return !(a == b);
  }

  /// Checkpoint support (checkpoint.hpp). Reads the layout of earlier versions too (means,
  /// Sxx, Sxy, Syy without a reference line): the residual sum is then Syy − Sxy²/Sxx, as
  /// that state had it.
  static std::string checkpoint_type() {
    return std::string("moments<") + detail::scalar_name<T>() + ">";
  }
  template <class Archive>
  void serialize(Archive& ar) {
    ar.field("n", n_);
    detail::scalar_field(ar, "w", w_);
    detail::scalar_field(ar, "x0", x0_);
    detail::scalar_field(ar, "y0", y0_);
    if constexpr (Archive::loading) {
      // A double-double's fields are written as two: "c.hi", "c.lo".
      constexpr bool split = detail::has_hi_lo<std::remove_cv_t<decltype(c_)>>::value;
      if (!ar.next_is(split ? "c.hi" : "c")) return load_version_1(ar);
    }
    detail::scalar_field(ar, "c", c_);
    detail::scalar_field(ar, "mx", mx_);
    detail::scalar_field(ar, "mv", mv_);
    detail::scalar_field(ar, "sxx", sxx_);
    detail::scalar_field(ar, "sxv", sxv_);
    detail::scalar_field(ar, "sse", sse_);
    detail::scalar_field(ar, "bv", bv_);
    detail::scalar_field(ar, "peak_sxx", peak_sxx_);
    detail::scalar_field(ar, "peak_sse", peak_sse_);
    // Only when loading: save_checkpoint serialises a const object (it may live in read-only
    // memory), so saving must not write, even the value already there.
    if constexpr (Archive::loading) {
      if (!valid()) ar.fail("moments: restored values are inconsistent (a weight sum <= 0, a "
                            "negative sum of squares, or a non-finite value)");
      next_r_ = A(A(1) / A(w_ + A(1)));
      a0_ = detail::minus_product(y0_, c_, x0_);
    }
  }

 private:
  template <class Archive>
  void load_version_1(Archive& ar) {
    A sxy{}, syy{};
    c_ = A(0);
    detail::scalar_field(ar, "mx", mx_);
    detail::scalar_field(ar, "my", mv_);
    detail::scalar_field(ar, "sxx", sxx_);
    detail::scalar_field(ar, "sxy", sxy);
    detail::scalar_field(ar, "syy", syy);
    sxv_ = sxy;
    bv_ = slope_of(sxv_, sxx_);
    sse_ = A(syy - A(bv_ * sxy));
    if (sse_ < A(0)) sse_ = A(0);
    if (!valid()) ar.fail("moments: restored values are inconsistent");
    next_r_ = A(A(1) / A(w_ + A(1)));
    a0_ = y0_;
  }

  constexpr void start(const T& x, const T& y) noexcept {
    if (n_ == 0) {
      x0_ = A(x);
      y0_ = A(y);
      a0_ = y0_;  // c is 0 in an empty state
    }
  }

  /// v = (y − y₀) − c·(x − x₀) of a record, with u = x − x₀.
  /// One rounding after y − y₀: the product c·u never rounds on its own (on data whose
  /// differences are exact, v is then the correctly rounded residual coordinate).
  constexpr A residual_coordinate(const A& y, const A& u) const noexcept {
    return detail::fused_minus(A(y - y0_), c_, u);
  }

  /// Sxv / Sxx, or 0 while Sxx is not positive (every x equal so far).
  static constexpr A slope_of(const A& sxv, const A& sxx) noexcept {
    if constexpr (std::numeric_limits<A>::is_iec559) {
      const A q = A(sxv / sxx);  // computed unconditionally: no branch on the hot path
      return sxx > A(0) ? q : A(0);
    } else {
      return sxx > A(0) ? A(sxv / sxx) : A(0);
    }
  }

  /// The weighted Welford/West update with the residual sum carried (see the class comment).
  constexpr void update(const A& x, const A& y, const A& w, const A& r) noexcept {
    const A u = A(x - x0_);
    const A v = residual_coordinate(y, u);
    const A ex = A(u - mx_);  // deviations from the old means
    const A ev = A(v - mv_);
    const A e_old = A(ev - bv_ * ex);  // residual under the previous fit
    mx_ += A(ex * r);
    mv_ += A(ev * r);
    const A fx = A(u - mx_);  // deviations from the new means
    const A fv = A(v - mv_);
    const A wx = A(w * ex);
    sxx_ += A(wx * fx);
    sxv_ += A(wx * fv);
    bv_ = slope_of(sxv_, sxx_);
    const A e_new = A(fv - bv_ * fx);  // residual under the new fit
    const A d = A(A(w * e_old) * e_new);
    sse_ += d > A(0) ? d : A(0);  // e_new = e_old / (1 + w·h): same sign, up to rounding
    if ((n_ & (n_ - 1)) == 0 || (n_ & 0xffff) == 0) rebase();
  }

  /// Moves the reference slope to the fitted slope: v ← v − Δ·u for every record held.
  constexpr void rebase() noexcept {
    if (!(sxx_ > A(0)) || bv_ == A(0)) return;
    const A c = A(c_ + bv_);
    const A delta = A(c - c_);
    if (!(A(c_ + delta) == c) || !detail::is_finite(c)) return;  // not exact: keep c
    mv_ -= A(delta * mx_);
    sxv_ -= A(delta * sxx_);
    c_ = c;
    a0_ = detail::minus_product(y0_, c_, x0_);
    bv_ = slope_of(sxv_, sxx_);
  }

  /// True if |s| is rounding relative to `scale`, or below `floor`.
  static constexpr bool negligible(const A& s, const A& scale, const A& floor) noexcept {
    using std::abs;
    return !(A(abs(s)) > A(A(A(64) * std::numeric_limits<A>::epsilon()) * scale + floor));
  }
  /// √a for floating-point types; 0 for exact ones (no rounding to allow for).
  static A root(const A& a) noexcept {
    if constexpr (std::numeric_limits<A>::is_specialized && !std::numeric_limits<A>::is_exact) {
      return detail::square_root(a);
    } else {
      return A(0);
    }
  }
  static constexpr A magnitude(const A& a) noexcept {
    using std::abs;
    return A(abs(a));
  }

  /// What a restored state must satisfy.
  constexpr bool valid() const noexcept {
    const bool finite = detail::is_finite(w_) && detail::is_finite(x0_) && detail::is_finite(y0_) &&
                        detail::is_finite(c_) && detail::is_finite(mx_) &&
                        detail::is_finite(mv_) && detail::is_finite(sxx_) &&
                        detail::is_finite(sxv_) && detail::is_finite(sse_) && detail::is_finite(bv_);
    if (!finite) return false;
    if (n_ == 0) return *this == moments{};
    return w_ > A(0) && !(sxx_ < A(0)) && !(sse_ < A(0)) && bv_ == slope_of(sxv_, sxx_) &&
           !(peak_sxx_ < A(0)) && !(peak_sse_ < A(0)) && detail::is_finite(peak_sxx_) &&
           detail::is_finite(peak_sse_);
  }

  std::uint64_t n_ = 0;
  A w_{};          // weight sum
  A x0_{}, y0_{};  // origin
  A c_{};          // reference slope
  A mx_{}, mv_{};  // means of u = x − x0, v = y − y0 − c·u
  A sxx_{}, sxv_{}, sse_{};
  A bv_{};  // Sxv / Sxx (0 while Sxx is 0): the fit's slope relative to c
  // The largest Sxx and SSE held before a retraction shrank them: the scale of the rounding
  // that retractions leave behind, for pop's consistency checks. Pushes only let Sxx and SSE
  // grow, so these change only in pop (and scale with the weights).
  A peak_sxx_{}, peak_sse_{};
  // 1/(w_ + 1), the weight of the next unweighted record, and y0 − c·x0: functions of the
  // fields above kept for speed, not part of the value (operator== ignores them; serialize
  // recomputes them).
  A next_r_ = A(1);
  A a0_{};
};

/// The precise scalar state: moments in double-double (about 32 significant digits), for
/// results correct to 1e-12 or better where double keeps 1e-10 (README, "Long streams").
using precise_moments = moments<double_double>;

// ---- out of line -------------------------------------------------------------------------

template <class T>
constexpr bool moments<T>::pop(const T& x, const T& y, const T& w) noexcept {
  if (n_ == 0 || !detail::valid_record(x, y, w)) return false;
  const A wa = A(w);
  const A u = A(A(x) - x0_);
  const A v = residual_coordinate(A(y), u);
  const A fx = A(u - mx_);  // deviations from the means that include the record
  const A fv = A(v - mv_);
  // What earlier retractions may have left behind: rounding of the size of the largest sums
  // held, times `drift` (README, "Retraction").
  const A drift = A(0x1p-26);
  const A peak_xx = peak_sxx_ < sxx_ ? sxx_ : peak_sxx_;
  const A peak_se = peak_sse_ < sse_ ? sse_ : peak_sse_;
  // The spreads of u and v: only the edge cases (one or two records, every x equal) need
  // them, so the square roots stay off a sliding window's path.
  auto spread_x = [&] { return root(A(peak_xx / w_)); };
  // v carries the rounding of y − y₀ − c·u, of the size of c·u: the scale of v includes it.
  const A cf = A(magnitude(c_) + magnitude(bv_));
  auto spread_v = [&] { return A(root(A(peak_se / w_)) + A(cf * spread_x())); };
  if (n_ == 1) {
    // The one record held must be this one. (Its weight is not compared: the weight sum
    // carries the rounding of every earlier retraction, which can exceed a small weight.)
    if (!negligible(fx, A(magnitude(u) + magnitude(mx_)), A(drift * spread_x())) ||
        !negligible(fv, A(A(magnitude(v) + magnitude(mv_)) +
                          A(magnitude(c_) * A(magnitude(u) + magnitude(mx_)))),
                    A(A(drift + A(A(64) * std::numeric_limits<A>::epsilon())) * spread_v())))
      return false;
    *this = moments{};
    return true;
  }
  const A w_new = A(w_ - wa);
  if (!(w_new > A(0))) return false;
  // A record held has leverage w·(1/W + fx²/Sxx) <= 1; while Sxx = 0, every x is at the mean.
  if (sxx_ > A(0)) {
    const A h = A(A(wa / w_) + A(A(wa * fx) * fx) / A(sxx_ + A(drift * peak_xx)));
    if (h > A(A(1) + A(A(64) * std::numeric_limits<A>::epsilon()))) return false;
  } else if (!negligible(fx, A(magnitude(u) + magnitude(mx_)), A(drift * spread_x()))) {
    return false;
  }
  const A e_with = A(fv - bv_ * fx);  // residual under the fit that includes the record
  const A r = A(wa / w_new);
  const A mx = A(mx_ - A(fx * r));
  const A mv = A(mv_ - A(fv * r));
  const A gx = A(u - mx);  // deviations from the means without the record
  const A gv = A(v - mv);
  const A wg = A(wa * gx);
  const A dxx = A(wg * fx);
  const A dxv = A(wg * fv);
  A sxx = A(sxx_ - dxx);
  A sxv = A(sxv_ - dxv);
  A bv = slope_of(sxv, sxx);
  const A e_without = A(gv - bv * gx);  // residual under the fit without it
  const A dse = A(A(wa * e_with) * e_without);
  A sse = A(sse_ - dse);
  const A tol_xx = A(sxx_ + magnitude(dxx));
  const A tol_se = A(sse_ + magnitude(dse) +
                     A(wa * A(magnitude(fv) + A(cf * magnitude(fx)))) *
                         A(magnitude(gv) + A(A(magnitude(c_) + magnitude(bv)) * magnitude(gx))));
  if (n_ == 2) {
    // One record remains: its co-moments and residual sum are exactly 0.
    if (!negligible(sxx, tol_xx, A(drift * peak_xx)) ||
        !negligible(sse, tol_se, A(drift * peak_se)) ||
        !negligible(sxv, A(A(magnitude(sxv_) + magnitude(dxv)) + A(cf * tol_xx)),
                    A(drift * A(spread_x() * spread_v() * w_))))
      return false;
    sxx = sxv = sse = bv = A(0);
  } else {
    if (sxx < A(0)) {
      if (!negligible(sxx, tol_xx, A(drift * peak_xx))) return false;
      sxx = A(0);
      bv = A(0);
    }
    if (sse < A(0)) {
      if (!negligible(sse, tol_se, A(drift * peak_se))) return false;
      sse = A(0);
    }
  }
  sxx_ = sxx;
  sxv_ = sxv;
  sse_ = sse;
  bv_ = bv;
  mx_ = mx;
  mv_ = mv;
  w_ = w_new;
  peak_sxx_ = peak_xx;
  peak_sse_ = peak_se;
  --n_;
  next_r_ = A(A(1) / A(w_ + A(1)));
  return true;
}

template <class T>
template <class ForEach>
void moments<T>::assign_two_pass(ForEach&& for_each) {
  const A c = c_;
  *this = moments{};
  c_ = c;
  bool first = true;
  A w = 0, su = 0, sv = 0;
  for_each([&](const T& x, const T& y, const T& wi) {
    if (first) {
      x0_ = A(x);
      y0_ = A(y);
      first = false;
    }
    ++n_;
    const A u = A(A(x) - x0_);
    w += A(wi);
    su += A(A(wi) * u);
    sv += A(A(wi) * residual_coordinate(A(y), u));
  });
  if (n_ == 0) {
    *this = moments{};
    return;
  }
  w_ = w;
  mx_ = A(su / w);
  mv_ = A(sv / w);
  for_each([&](const T& x, const T& y, const T& wi) {
    const A u = A(A(x) - x0_);
    const A ex = A(u - mx_), ev = A(residual_coordinate(A(y), u) - mv_);
    sxx_ += A(A(A(wi) * ex) * ex);
    sxv_ += A(A(A(wi) * ex) * ev);
  });
  bv_ = slope_of(sxv_, sxx_);
  a0_ = detail::minus_product(y0_, c_, x0_);
  rebase();
  for_each([&](const T& x, const T& y, const T& wi) {
    const A u = A(A(x) - x0_);
    const A e = A(A(residual_coordinate(A(y), u) - mv_) - bv_ * A(u - mx_));
    sse_ += A(A(A(wi) * e) * e);
  });
  next_r_ = A(A(1) / A(w_ + A(1)));
}

template <class T>
constexpr moments<T>& moments<T>::merge(const moments& o) noexcept {
  if (o.n_ == 0) return *this;
  if (n_ == 0) return *this = o;
  // The other state in this frame (origin and reference slope). The origins' difference is
  // exact when they are close (Sterbenz), the usual case for shards of one stream.
  const A dx0 = A(o.x0_ - x0_);
  const A dc = A(o.c_ - c_);
  const A k = detail::minus_product(A(o.y0_ - y0_), c_, dx0);  // v of o's origin
  const A omx = A(dx0 + o.mx_);
  const A omv = A(A(o.mv_ + A(dc * o.mx_)) + k);
  const A osxv = A(o.sxv_ + A(dc * o.sxx_));
  const A obv = A(o.bv_ + dc);  // o's slope relative to c (weight 0 below while o.Sxx = 0)
  const A w = A(w_ + o.w_);
  const A f = A(A(w_ * o.w_) / w);
  const A ddx = A(omx - mx_);
  const A ddv = A(omv - mv_);
  const A sxx = A(A(sxx_ + o.sxx_) + A(A(f * ddx) * ddx));
  // The merged fit's extra residual sum: the weighted spread of three slopes (this fit's,
  // o's, and that of the line through the two centroids), with weights Sxx, o.Sxx and
  // f·Δx²: a sum of non-negative terms over Sxx of the merge.
  A extra;
  if (sxx > A(0)) {
    const A t1 = A(bv_ - obv);
    const A t2 = A(A(ddx * bv_) - ddv);
    const A t3 = A(A(ddx * obv) - ddv);
    extra = A(A(A(A(sxx_ * o.sxx_) * A(t1 * t1)) + A(A(sxx_ * f) * A(t2 * t2)) +
                A(A(o.sxx_ * f) * A(t3 * t3))) /
              sxx);
  } else {
    extra = A(A(f * ddv) * ddv);
  }
  sxv_ = A(A(sxv_ + osxv) + A(A(f * ddx) * ddv));
  sxx_ = sxx;
  sse_ = A(A(sse_ + o.sse_) + extra);
  const A share = A(o.w_ / w);
  mx_ += A(ddx * share);
  mv_ += A(ddv * share);
  n_ += o.n_;
  w_ = w;
  if (peak_sxx_ < o.peak_sxx_) peak_sxx_ = o.peak_sxx_;
  if (peak_sse_ < o.peak_sse_) peak_sse_ = o.peak_sse_;
  bv_ = slope_of(sxv_, sxx_);
  next_r_ = A(A(1) / A(w_ + A(1)));
  return *this;
}

}  // namespace streamreg

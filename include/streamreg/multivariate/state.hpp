// SPDX-License-Identifier: MIT
// The three state policies of the several-predictor fits. Each holds the sufficient
// statistics of K = P (+1 intercept) columns in O(K²) memory and updates them per record in
// O(K²):
//   givens_state            Gentleman's square-root-free Givens update of a triangular
//                           factor (Applied Statistics AS 75 / AS 274): the most accurate
//                           double-precision streaming form; no retraction.
//   moments_state           centred scatter matrix (Welford/West weighted updates), solved
//                           by LDLᵀ: the fastest update; retraction, windows, merge.
//   normal_equations_state  the (origin-shifted) raw normal equations XᵀWX, XᵀWy in any
//                           scalar, solved by LDLᵀ with iterative refinement: with
//                           double_double, the precise mode; retraction, windows, merge.
// Rows arrive as z = [1, features...] (the 1 only with an intercept) in the shifted
// coordinates the regression chose; y shifted likewise.
#pragma once

#include "linear_algebra.hpp"

#include <cstdint>  // std::uint64_t
#include <string>   // field names

// g++ -O3 reports "potential null pointer dereference" on Eigen's heap storage of
// dynamic-size matrices inlined here (the allocation throws, never returns null).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnull-dereference"
#endif

namespace streamreg::multivariate {

namespace detail {

/// Serialises a scalar (double_double as its two parts) under `name`.
template <class Archive, class T>
void scalar_field(Archive& ar, const std::string& name, T& v) {
  if constexpr (std::is_floating_point_v<T>) {
    ar.field(name, v);
  } else {
    ar.field(name + ".hi", v.hi);
    ar.field(name + ".lo", v.lo);
  }
}
/// A long double as a double plus the rounding remainder (checkpoints hold doubles).
template <class Archive, class W>
void wide_field(Archive& ar, const std::string& name, W& v) {
  if constexpr (std::is_same_v<W, long double>) {
    double hi = static_cast<double>(v), lo = static_cast<double>(v - static_cast<W>(hi));
    ar.field(name, hi);
    ar.field(name + ".lo", lo);
    if constexpr (Archive::loading) v = static_cast<long double>(hi) + static_cast<long double>(lo);
  } else {
    scalar_field(ar, name, v);
  }
}
template <class Archive, class M>
void matrix_field(Archive& ar, const std::string& name, M& m, bool lower_only) {
  for (Eigen::Index j = 0; j < m.cols(); ++j)
    for (Eigen::Index i = lower_only ? j : 0; i < m.rows(); ++i)
      scalar_field(ar, name + "." + std::to_string(i) + "." + std::to_string(j), m(i, j));
}

/// Weight sums shared by the states: records, Σw, Σw² (Kish's effective count).
template <class T>
struct counts {
  std::uint64_t n = 0;
  T w{0}, w2{0};
  T effective() const { return w2 > T(0) ? T(w * w / w2) : T(0); }
  template <class Archive>
  void serialize(Archive& ar) {
    ar.field("n", n);
    scalar_field(ar, "w", w);
    scalar_field(ar, "w2", w2);
  }
};

}  // namespace detail

/// Gentleman's square-root-free Givens form: XᵀWX = R̄ᵀ D R̄ with R̄ unit upper triangular,
/// θ = R̄⁻ᵀ... the rotated right-hand side, and the residual sum of squares kept exactly as
/// rotated out. Coefficients by back substitution, O(K²) per fit.
template <class T, int KMax>
class givens_state {
  // The response's path through the rotations and the residual sum of squares run in
  // extended precision where double has one (x87 long double): K operations per record
  // that buy the residual SD and R² about one digit.
  using wide = std::conditional_t<std::is_same_v<T, double>, long double, T>;

 public:
  using vector = vector_t<T, KMax>;
  using matrix = matrix_t<T, KMax>;
  static constexpr const char* name() noexcept { return "givens"; }
  static constexpr bool can_remove = false;

  givens_state() = default;
  givens_state(int k, bool intercept) : intercept_(intercept) {
    d_.setZero(k);
    norm2_.setZero(k);
    rt_.setZero(k, k);
    theta_.setZero(k);
  }

  int size() const noexcept { return static_cast<int>(d_.size()); }
  const detail::counts<T>& counts() const noexcept { return c_; }

  /// Adds the row z (K entries) with response y and weight w > 0.
  void add(const vector& z, const T& y, const T& w) {
    include(z, wide(y), wide(w));
    for (Eigen::Index j = 0; j < norm2_.size(); ++j) norm2_(j) += w * z(j) * z(j);
    c_.n += 1;
    c_.w += w;
    c_.w2 += w * w;
    // Weighted Welford for Σw(y − ȳ)², the total sum of squares.
    const T dy = y - ymean_;
    ymean_ += dy * (w / c_.w);
    ym2_ += w * dy * (y - ymean_);
  }

  /// Multiplies every weight by f (exponential forgetting).
  void scale(const T& f) {
    d_ *= wide(f);
    norm2_ *= f;
    sserr_ *= wide(f);
    ym2_ *= f;
    c_.w *= f;
    c_.w2 *= f * f;
  }

  /// Adds the records of `o` (same coordinates): its factor's rows, weighted by D.
  void merge(const givens_state& o) {
    const Eigen::Index k = d_.size();
    vector row(k);
    for (Eigen::Index i = 0; i < k; ++i) {
      if (!(o.d_(i) > wide(0))) continue;
      row.setZero();
      row(i) = T(1);
      for (Eigen::Index m = i + 1; m < k; ++m) row(m) = o.rt_(m, i);
      include(row, o.theta_(i), o.d_(i));
    }
    sserr_ += o.sserr_;
    norm2_ += o.norm2_;
    const T w = c_.w + o.c_.w;
    if (w > T(0)) {
      const T delta = o.ymean_ - ymean_;
      ym2_ += o.ym2_ + delta * delta * (c_.w * o.c_.w / w);
      ymean_ += delta * (o.c_.w / w);
    }
    c_.n += o.c_.n;
    c_.w = w;
    c_.w2 += o.c_.w2;
  }

  /// Coefficients (in z coordinates) minimising the residuals plus the penalty.
  fit_status solve(const penalty<T, KMax>& pen, vector& beta, T& condition) const {
    if (!pen.empty()) {
      givens_state copy = *this;
      for (Eigen::Index r = 0; r < pen.rows.rows(); ++r)
        copy.include(pen.rows.row(r).transpose(), wide(pen.rhs(r)), wide(1));
      return copy.solve({}, beta, condition);
    }
    const fit_status s = check(condition);
    if (s != fit_status::ok) return s;
    const Eigen::Index k = d_.size();
    beta.resize(k);
    // The same subtractions in the same order; the newest coefficient comes from a
    // register, so the loop never reloads it right after its store (vector loads that
    // straddle a fresh scalar store cannot be forwarded and wait for it to commit).
    T last = T(0);
    for (Eigen::Index i = k - 1; i >= 0; --i) {
      T v = T(theta_(i));
      const T* r = rt_.data() + i * rt_.rows();
      if (i + 1 < k) {
        v -= r[i + 1] * last;
        for (Eigen::Index m = i + 2; m < k; ++m) v -= r[m] * beta(m);
      }
      beta(i) = v;
      last = v;
    }
    return fit_status::ok;
  }

  /// (XᵀWX + penalty)⁻¹ = R̄⁻¹ D⁻¹ R̄⁻ᵀ from the factor, never from the squared matrix.
  /// Requires: solve returned ok.
  matrix inverse(const penalty<T, KMax>& pen) const {
    if (!pen.empty()) {
      givens_state copy = *this;
      for (Eigen::Index r = 0; r < pen.rows.rows(); ++r)
        copy.include(pen.rows.row(r).transpose(), wide(pen.rhs(r)), wide(1));
      return copy.inverse({});
    }
    const Eigen::Index k = d_.size();
    matrix u = matrix::Zero(k, k);  // R̄⁻¹, unit upper triangular
    for (Eigen::Index j = 0; j < k; ++j) {
      u(j, j) = T(1);
      for (Eigen::Index i = j - 1; i >= 0; --i) {
        T v{0};
        for (Eigen::Index m = i + 1; m <= j; ++m) v -= rt_(m, i) * u(m, j);
        u(i, j) = v;
      }
    }
    matrix inv(k, k);
    for (Eigen::Index i = 0; i < k; ++i)
      for (Eigen::Index j = 0; j <= i; ++j) {
        T v{0};
        for (Eigen::Index m = i; m < k; ++m) v += u(i, m) * u(j, m) / T(d_(m));
        inv(i, j) = v;
        inv(j, i) = v;
      }
    return inv;
  }

  /// XᵀWX (for the ridge sandwich).
  matrix gram() const {
    const Eigen::Index k = d_.size();
    matrix r = matrix::Zero(k, k);
    for (Eigen::Index i = 0; i < k; ++i) {
      r(i, i) = T(1);
      for (Eigen::Index m = i + 1; m < k; ++m) r(i, m) = rt_(m, i);
    }
    matrix g(k, k);
    for (Eigen::Index i = 0; i < k; ++i)
      for (Eigen::Index j = 0; j <= i; ++j) {
        T v{0};
        for (Eigen::Index m = 0; m <= j; ++m) v += r(m, i) * T(d_(m)) * r(m, j);
        g(i, j) = v;
        g(j, i) = v;
      }
    return g;
  }

  /// Σw(y − zᵀβ)²: the rotated-out residual plus what β leaves of the rotated right side.
  T sse(const vector& beta) const {
    const Eigen::Index k = d_.size();
    wide s = sserr_;
    for (Eigen::Index i = 0; i < k; ++i) {
      wide v = theta_(i) - wide(beta(i));
      for (Eigen::Index m = i + 1; m < k; ++m) v -= wide(rt_(m, i) * beta(m));
      s += d_(i) * v * v;
    }
    return T(s);
  }
  /// Total sum of squares: about the mean with an intercept, about zero without.
  T tss() const { return intercept_ ? ym2_ : T(ym2_ + c_.w * ymean_ * ymean_); }

  template <class Archive>
  void serialize(Archive& ar) {
    c_.serialize(ar);
    for (Eigen::Index i = 0; i < d_.size(); ++i) {
      detail::wide_field(ar, "d." + std::to_string(i), d_(i));
      detail::wide_field(ar, "theta." + std::to_string(i), theta_(i));
      detail::scalar_field(ar, "norm2." + std::to_string(i), norm2_(i));
    }
    for (Eigen::Index j = 0; j < rt_.cols(); ++j)
      for (Eigen::Index i = j + 1; i < rt_.rows(); ++i)
        detail::scalar_field(ar, "r." + std::to_string(j) + "." + std::to_string(i), rt_(i, j));
    detail::wide_field(ar, "sserr", sserr_);
    detail::scalar_field(ar, "ymean", ymean_);
    detail::scalar_field(ar, "ym2", ym2_);
  }

  friend bool operator==(const givens_state& a, const givens_state& b) {
    return a.c_.n == b.c_.n && a.c_.w == b.c_.w && a.d_ == b.d_ && a.rt_ == b.rt_ &&
           a.theta_ == b.theta_ && a.sserr_ == b.sserr_ && a.norm2_ == b.norm2_ &&
           a.c_.w2 == b.c_.w2 && a.ymean_ == b.ymean_ &&
           a.ym2_ == b.ym2_;
  }

 private:
  // One row into the factor (AS 274 INCLUD). rt_ holds R̄ transposed: the update walks
  // down a column, contiguous in memory.
  void include(const vector& row, wide y, wide w) {
    const Eigen::Index k = d_.size();
    T x[KMax == Eigen::Dynamic ? 1 : static_cast<std::size_t>(KMax)];
    vector heap;  // only for dynamic sizes
    T* xp = x;
    if constexpr (KMax == Eigen::Dynamic) {
      heap = row;
      xp = heap.data();
    } else {
      for (Eigen::Index i = 0; i < k; ++i) x[i] = row(i);
    }
    wide* d = d_.data();
    wide* th = theta_.data();
    for (Eigen::Index i = 0; i < k; ++i) {
      const T xi = xp[i];
      if (xi == T(0)) continue;
      const wide di = d[i];
      const wide wxi = w * wide(xi);
      const wide dpi = di + wxi * wide(xi);
      const wide inv = wide(1) / dpi;
      const wide sbar_w = wxi * inv;
      const wide cbar_w = di * inv;
      const T sbar = T(sbar_w), cbar = T(cbar_w);
      w = cbar_w * w;
      d[i] = dpi;
      T* r = rt_.data() + i * rt_.rows();
      if (i == 0 && intercept_ && xi == T(1)) {
        // The intercept row holds the running means: r ← r + s̄ (x − r), Welford's
        // correction form, more accurate there than c̄ r + s̄ x. Only for a data row, whose
        // intercept entry is 1 (a penalty row on the intercept has √λ there).
        for (Eigen::Index m = 1; m < k; ++m) {
          const T xm = xp[m] - r[m];
          xp[m] = xm;
          r[m] += sbar * xm;
        }
        y -= th[0];
        th[0] += sbar_w * y;
        if (w == wide(0)) return;
        continue;
      }
      for (Eigen::Index m = i + 1; m < k; ++m) {
        const T xm = xp[m];
        xp[m] = xm - xi * r[m];
        r[m] = cbar * r[m] + sbar * xm;
      }
      const wide yi = y;
      y -= wide(xi) * th[i];
      th[i] = cbar_w * th[i] + sbar_w * yi;
      if (w == wide(0)) return;
    }
    sserr_ += wide(w) * y * y;
  }


  // Rank and condition from the pivots relative to their columns' squared norms (kept
  // as records arrive): p_j is the part of column j not explained by the columns before it.
  fit_status check(T& condition) const {
    const Eigen::Index k = d_.size();
    const T eps = T(64) * T(static_cast<int>(k)) * T(Eigen::NumTraits<T>::epsilon());
    const T tol = eps * eps;
    // Largest and smallest d_j / norm_j, compared by cross-multiplication (no division).
    T dmax = T(d_(0)), nmax = norm2_(0), dmin = dmax, nmin = nmax;
    for (Eigen::Index j = 0; j < k; ++j) {
      const T d = T(d_(j)), norm = norm2_(j);
      if (!detail::finite_value(norm) || !detail::finite_value(T(theta_(j))))
        return fit_status::not_finite;
      if (!(d > tol * norm) || !(norm > T(0))) return fit_status::rank_deficient;
      if (d * nmax > dmax * norm) dmax = d, nmax = norm;
      if (d * nmin < dmin * norm) dmin = d, nmin = norm;
    }
    condition = detail::sqrt_value((dmax * nmin) / (nmax * dmin));
    return fit_status::ok;
  }

  detail::counts<T> c_;
  vector_t<wide, KMax> d_;
  vector norm2_;  // Σ w z_j², the columns' squared norms
  matrix rt_;
  vector_t<wide, KMax> theta_;
  wide sserr_{0};
  T ymean_{0}, ym2_{0};
  bool intercept_ = true;
};

/// Centred moments of the predictors and y (weighted Welford/West updates; Chan's merge),
/// solved by LDLᵀ of the scatter matrix. Without an intercept the moments are about zero.
template <class T, int KMax>
class moments_state {
 public:
  using vector = vector_t<T, KMax>;
  using matrix = matrix_t<T, KMax>;
  static constexpr const char* name() noexcept { return "moments"; }
  static constexpr bool can_remove = true;

  moments_state() = default;
  moments_state(int k, bool intercept) : intercept_(intercept) {
    const int p = intercept ? k - 1 : k;
    mean_.setZero(p);
    s_.setZero(p, p);
    sxy_.setZero(p);
    dx_.setZero(p);
  }

  int size() const noexcept { return static_cast<int>(mean_.size()) + (intercept_ ? 1 : 0); }
  const detail::counts<T>& counts() const noexcept { return c_; }

  void add(const vector& z, const T& y, const T& w) {
    const Eigen::Index p = mean_.size();
    const Eigen::Index off = intercept_ ? 1 : 0;
    c_.n += 1;
    c_.w2 += w * w;
    if (!intercept_) {
      c_.w += w;
      for (Eigen::Index j = 0; j < p; ++j) {
        const T wz = w * z(j);
        for (Eigen::Index i = j; i < p; ++i) s_(i, j) += wz * z(i);
        sxy_(j) += wz * y;
      }
      syy_ += w * y * y;
      return;
    }
    const T wsum = c_.w + w;
    const T r = w / wsum;
    const T c = w * c_.w / wsum;
    c_.w = wsum;
    for (Eigen::Index i = 0; i < p; ++i) {
      dx_(i) = z(i + off) - mean_(i);
      mean_(i) += r * dx_(i);
    }
    const T dy = y - ymean_;
    ymean_ += r * dy;
    for (Eigen::Index j = 0; j < p; ++j) {
      const T cdx = c * dx_(j);
      for (Eigen::Index i = j; i < p; ++i) s_(i, j) += cdx * dx_(i);
      sxy_(j) += cdx * dy;
    }
    syy_ += c * dy * dy;
  }

  /// Removes a record added before. Returns false (state unchanged) when it cannot have
  /// been: no record left, or a diagonal that would turn negative.
  bool remove(const vector& z, const T& y, const T& w) {
    if (c_.n == 0 || !(w > T(0))) return false;
    if (c_.n == 1) {
      // The last record: Σw holds its weight only up to the rounding of earlier updates.
      *this = moments_state(size(), intercept_);
      return true;
    }
    if (!(w <= c_.w)) return false;
    moments_state before = *this;
    const Eigen::Index p = mean_.size();
    const Eigen::Index off = intercept_ ? 1 : 0;
    c_.n -= 1;
    c_.w2 -= w * w;
    if (!intercept_) {
      c_.w -= w;
      for (Eigen::Index j = 0; j < p; ++j) {
        const T wz = w * z(j);
        for (Eigen::Index i = j; i < p; ++i) s_(i, j) -= wz * z(i);
        sxy_(j) -= wz * y;
      }
      syy_ -= w * y * y;
    } else {
      const T wrest = c_.w - w;
      if (!(wrest > T(0))) {
        *this = before;
        return false;
      }
      const T c = w * c_.w / wrest;
      const T r = w / wrest;
      c_.w = wrest;
      for (Eigen::Index i = 0; i < p; ++i) dx_(i) = z(i + off) - mean_(i);
      const T dy = y - ymean_;
      for (Eigen::Index j = 0; j < p; ++j) {
        const T cdx = c * dx_(j);
        for (Eigen::Index i = j; i < p; ++i) s_(i, j) -= cdx * dx_(i);
        sxy_(j) -= cdx * dy;
        mean_(j) -= r * dx_(j);
      }
      syy_ -= c * dy * dy;
      ymean_ -= r * dy;
    }
    for (Eigen::Index i = 0; i < p; ++i)
      if (s_(i, i) < T(0)) s_(i, i) = T(0);  // rounding below zero: the column is constant
    if (syy_ < T(0)) syy_ = T(0);
    return true;
  }

  void scale(const T& f) {
    s_ *= f;
    sxy_ *= f;
    syy_ *= f;
    c_.w *= f;
    c_.w2 *= f * f;
  }

  void merge(const moments_state& o) {
    if (o.c_.n == 0) return;
    const T w = c_.w + o.c_.w;
    c_.n += o.c_.n;
    c_.w2 += o.c_.w2;
    if (!intercept_) {
      c_.w = w;
      s_ += o.s_;
      sxy_ += o.sxy_;
      syy_ += o.syy_;
      return;
    }
    const T c = c_.w * o.c_.w / w;
    const T r = o.c_.w / w;
    const vector delta = o.mean_ - mean_;
    const T dy = o.ymean_ - ymean_;
    const Eigen::Index p = mean_.size();
    for (Eigen::Index j = 0; j < p; ++j) {
      for (Eigen::Index i = j; i < p; ++i) s_(i, j) += o.s_(i, j) + c * delta(i) * delta(j);
      sxy_(j) += o.sxy_(j) + c * delta(j) * dy;
    }
    syy_ += o.syy_ + c * dy * dy;
    mean_ += r * delta;
    ymean_ += r * dy;
    c_.w = w;
  }

  fit_status solve(const penalty<T, KMax>& pen, vector& beta, T& condition) const {
    if (!intercept_ || penalises_intercept(pen)) return solve_full(pen, beta, condition);
    const Eigen::Index p = mean_.size();
    matrix f = s_;
    vector rhs = sxy_;
    add_penalty(pen, 1, f, rhs);
    vector s, slopes;
    const fit_status st = detail::ldlt_equilibrated<T, KMax>(f, s, condition);
    if (st != fit_status::ok) return st;
    detail::ldlt_solve<T, KMax>(f, s, rhs, slopes);
    beta.resize(p + 1);
    T b0 = ymean_;
    for (Eigen::Index i = 0; i < p; ++i) {
      beta(i + 1) = slopes(i);
      b0 -= mean_(i) * slopes(i);
    }
    beta(0) = b0;
    return fit_status::ok;
  }

  matrix inverse(const penalty<T, KMax>& pen) const {
    if (!intercept_ || penalises_intercept(pen)) {
      matrix g = gram();
      vector unused(g.rows());
      unused.setZero();
      add_penalty(pen, 0, g, unused);
      vector s;
      T cond;
      detail::ldlt_equilibrated<T, KMax>(g, s, cond);
      return detail::ldlt_inverse<T, KMax>(g, s);
    }
    const Eigen::Index p = mean_.size();
    matrix f = s_;
    vector unused = vector::Zero(p);
    add_penalty(pen, 1, f, unused);
    vector s;
    T cond;
    detail::ldlt_equilibrated<T, KMax>(f, s, cond);
    const matrix sinv = detail::ldlt_inverse<T, KMax>(f, s);
    const vector sm = sinv * mean_;
    matrix inv(p + 1, p + 1);
    inv(0, 0) = T(1) / c_.w + mean_.dot(sm);
    for (Eigen::Index i = 0; i < p; ++i) {
      inv(0, i + 1) = -sm(i);
      inv(i + 1, 0) = -sm(i);
    }
    inv.bottomRightCorner(p, p) = sinv;
    return inv;
  }

  /// XᵀWX in z coordinates (with the intercept column first).
  matrix gram() const {
    const Eigen::Index p = mean_.size();
    matrix s = s_;
    detail::symmetrize_from_lower<T, KMax>(s);
    if (!intercept_) return s;
    matrix g(p + 1, p + 1);
    g(0, 0) = c_.w;
    for (Eigen::Index i = 0; i < p; ++i) {
      g(0, i + 1) = c_.w * mean_(i);
      g(i + 1, 0) = c_.w * mean_(i);
      for (Eigen::Index j = 0; j < p; ++j) g(i + 1, j + 1) = s(i, j) + c_.w * mean_(i) * mean_(j);
    }
    return g;
  }

  T sse(const vector& beta) const {
    const Eigen::Index p = mean_.size();
    const Eigen::Index off = intercept_ ? 1 : 0;
    matrix s = s_;
    detail::symmetrize_from_lower<T, KMax>(s);
    const auto b = beta.segment(off, p);
    T e = syy_ - T(2) * b.dot(sxy_) + b.dot(s * b);
    if (intercept_) {
      const T r = ymean_ - beta(0) - mean_.dot(b);
      e += c_.w * r * r;
    }
    return e < T(0) ? T(0) : e;
  }
  T tss() const { return syy_; }

  template <class Archive>
  void serialize(Archive& ar) {
    c_.serialize(ar);
    const Eigen::Index p = mean_.size();
    for (Eigen::Index i = 0; i < p; ++i) {
      detail::scalar_field(ar, "mean." + std::to_string(i), mean_(i));
      detail::scalar_field(ar, "sxy." + std::to_string(i), sxy_(i));
    }
    detail::matrix_field(ar, "s", s_, true);
    detail::scalar_field(ar, "ymean", ymean_);
    detail::scalar_field(ar, "syy", syy_);
  }

  friend bool operator==(const moments_state& a, const moments_state& b) {
    return a.c_.n == b.c_.n && a.c_.w == b.c_.w && a.mean_ == b.mean_ &&
           a.s_.template triangularView<Eigen::Lower>().toDenseMatrix() ==
               b.s_.template triangularView<Eigen::Lower>().toDenseMatrix() &&
           a.sxy_ == b.sxy_ && a.ymean_ == b.ymean_ && a.syy_ == b.syy_;
  }

 private:
  static bool penalises_intercept(const penalty<T, KMax>& pen) {
    for (Eigen::Index r = 0; r < pen.rows.rows(); ++r)
      if (pen.rows(r, 0) != T(0) || pen.rhs(r) != T(0)) return true;
    return false;
  }
  // Adds Σ rowᵀrow (from column `from` on) to f and Σ rowᵀrhs to rhs.
  template <class M, class V>
  static void add_penalty(const penalty<T, KMax>& pen, Eigen::Index from, M& f, V& rhs) {
    const Eigen::Index n = f.rows();
    for (Eigen::Index r = 0; r < pen.rows.rows(); ++r)
      for (Eigen::Index j = 0; j < n; ++j) {
        for (Eigen::Index i = j; i < n; ++i)
          f(i, j) += pen.rows(r, i + from) * pen.rows(r, j + from);
        rhs(j) += pen.rows(r, j + from) * pen.rhs(r);
      }
  }
  fit_status solve_full(const penalty<T, KMax>& pen, vector& beta, T& condition) const {
    matrix g = gram();
    vector rhs(g.rows());
    const Eigen::Index off = intercept_ ? 1 : 0;
    if (intercept_) rhs(0) = c_.w * ymean_;
    for (Eigen::Index i = 0; i < mean_.size(); ++i)
      rhs(i + off) = sxy_(i) + (intercept_ ? T(c_.w * mean_(i) * ymean_) : T(0));
    add_penalty(pen, 0, g, rhs);
    vector s;
    const fit_status st = detail::ldlt_equilibrated<T, KMax>(g, s, condition);
    if (st != fit_status::ok) return st;
    detail::ldlt_solve<T, KMax>(g, s, rhs, beta);
    return fit_status::ok;
  }

  detail::counts<T> c_;
  vector mean_;
  matrix s_;  // lower triangle
  vector sxy_;
  T ymean_{0}, syy_{0};
  vector dx_;  // scratch
  bool intercept_ = true;
};

/// The normal equations XᵀWX β = XᵀWy accumulated in T (lower triangle), solved by LDLᵀ
/// with iterative refinement in T. Exact for additions and removals up to T's rounding,
/// so retraction, windows and merge cost nothing in accuracy beyond it.
template <class T, int KMax>
class normal_equations_state {
 public:
  using vector = vector_t<T, KMax>;
  using matrix = matrix_t<T, KMax>;
  static constexpr const char* name() noexcept { return "normal_equations"; }
  static constexpr bool can_remove = true;

  normal_equations_state() = default;
  normal_equations_state(int k, bool intercept) : intercept_(intercept) {
    g_.setZero(k, k);
    b_.setZero(k);
  }

  int size() const noexcept { return static_cast<int>(b_.size()); }
  const detail::counts<T>& counts() const noexcept { return c_; }

  void add(const vector& z, const T& y, const T& w) {
    accumulate(z, y, w);
    c_.n += 1;
    c_.w += w;
    c_.w2 += w * w;
  }
  bool remove(const vector& z, const T& y, const T& w) {
    if (c_.n == 0 || !(w > T(0))) return false;
    if (c_.n == 1) {
      // The last record: Σw holds its weight only up to the rounding of earlier updates.
      *this = normal_equations_state(size(), intercept_);
      return true;
    }
    if (!(w <= c_.w)) return false;
    accumulate(z, y, T(-w));
    c_.n -= 1;
    c_.w -= w;
    c_.w2 -= w * w;
    return true;
  }
  void scale(const T& f) {
    g_ *= f;
    b_ *= f;
    yy_ *= f;
    c_.w *= f;
    c_.w2 *= f * f;
  }
  void merge(const normal_equations_state& o) {
    g_ += o.g_;
    b_ += o.b_;
    yy_ += o.yy_;
    c_.n += o.c_.n;
    c_.w += o.c_.w;
    c_.w2 += o.c_.w2;
  }

  fit_status solve(const penalty<T, KMax>& pen, vector& beta, T& condition) const {
    matrix a = full(pen);
    vector rhs = b_;
    for (Eigen::Index r = 0; r < pen.rows.rows(); ++r)
      rhs += pen.rows.row(r).transpose() * pen.rhs(r);
    matrix f = a;
    vector s;
    const fit_status st = detail::ldlt_equilibrated<T, KMax>(f, s, condition);
    if (st != fit_status::ok) return st;
    detail::ldlt_solve<T, KMax>(f, s, rhs, beta);
    // Iterative refinement: the residual of the accumulated system, in T.
    vector delta;
    for (int it = 0; it < 2; ++it) {
      const vector res = rhs - a * beta;
      detail::ldlt_solve<T, KMax>(f, s, res, delta);
      beta += delta;
    }
    for (Eigen::Index i = 0; i < beta.size(); ++i)
      if (!detail::finite_value(beta(i))) return fit_status::not_finite;
    return fit_status::ok;
  }
  matrix inverse(const penalty<T, KMax>& pen) const {
    matrix f = full(pen);
    vector s;
    T cond;
    detail::ldlt_equilibrated<T, KMax>(f, s, cond);
    return detail::ldlt_inverse<T, KMax>(f, s);
  }
  matrix gram() const {
    matrix g = g_;
    detail::symmetrize_from_lower<T, KMax>(g);
    return g;
  }
  T sse(const vector& beta) const {
    // βᵀGβ from the lower triangle, in plain loops (no temporaries).
    const Eigen::Index k = b_.size();
    T quad{0}, lin{0};
    for (Eigen::Index j = 0; j < k; ++j) {
      lin += beta(j) * b_(j);
      quad += g_(j, j) * beta(j) * beta(j);
      for (Eigen::Index i = j + 1; i < k; ++i) quad += T(2) * g_(i, j) * beta(i) * beta(j);
    }
    const T e = yy_ - T(2) * lin + quad;
    return e < T(0) ? T(0) : e;
  }
  T tss() const {
    if (!intercept_ || !(c_.w > T(0))) return yy_;
    const T e = yy_ - b_(0) * b_(0) / c_.w;  // b₀ = Σwy: the intercept column is 1
    return e < T(0) ? T(0) : e;
  }

  template <class Archive>
  void serialize(Archive& ar) {
    c_.serialize(ar);
    for (Eigen::Index i = 0; i < b_.size(); ++i)
      detail::scalar_field(ar, "b." + std::to_string(i), b_(i));
    detail::matrix_field(ar, "g", g_, true);
    detail::scalar_field(ar, "yy", yy_);
  }

  friend bool operator==(const normal_equations_state& a, const normal_equations_state& b) {
    return a.c_.n == b.c_.n && a.c_.w == b.c_.w && a.b_ == b.b_ && a.yy_ == b.yy_ &&
           a.g_.template triangularView<Eigen::Lower>().toDenseMatrix() ==
               b.g_.template triangularView<Eigen::Lower>().toDenseMatrix();
  }

 private:
  void accumulate(const vector& z, const T& y, const T& w) {
    const Eigen::Index k = b_.size();
    for (Eigen::Index j = 0; j < k; ++j) {
      const T wz = w * z(j);
      for (Eigen::Index i = j; i < k; ++i) g_(i, j) += wz * z(i);
      b_(j) += wz * y;
    }
    yy_ += w * y * y;
  }
  matrix full(const penalty<T, KMax>& pen) const {
    matrix a = gram();
    for (Eigen::Index r = 0; r < pen.rows.rows(); ++r)
      a += pen.rows.row(r).transpose() * pen.rows.row(r);
    return a;
  }

  detail::counts<T> c_;
  matrix g_;
  vector b_;
  T yy_{0};
  bool intercept_ = true;
};

}  // namespace streamreg::multivariate

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

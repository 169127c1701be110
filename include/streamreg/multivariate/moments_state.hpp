// SPDX-License-Identifier: MIT
// The centred-moments state of the several-predictor fits (Welford/West updates, LDLᵀ).
#pragma once

#include "linear_algebra.hpp"
#include "state_fields.hpp"

#include <string>  // field names

// g++ -O3 reports "potential null pointer dereference" on Eigen's heap storage of
// dynamic-size matrices inlined here (the allocation throws, never returns null).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnull-dereference"
#endif

namespace streamreg::multivariate {

/// Centred moments of the predictors and y (weighted Welford/West updates; Chan's merge),
/// solved by LDLᵀ of the scatter matrix. Without an intercept the moments are about zero.
template <class T, int KMax>
class moments_state {
 public:
  using vector = vector_t<T, KMax>;
  using matrix = matrix_t<T, KMax>;
  static constexpr const char* name() noexcept { return "moments"; }
  /// The solve squares the design's condition number (normal equations, scatter matrix).
  static constexpr bool squares_condition = true;
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
  /// The records' responses become v − zᵀδ (regression.hpp keeps them near its fit, so
  /// the sums of squares stay of the residuals' size and never cancel).
  void shift_response(const vector& delta) {
    const Eigen::Index p = mean_.size();
    const Eigen::Index off = intercept_ ? 1 : 0;
    const vector sd = detail::symmetric_lower_times<T, KMax>(s_, delta.segment(off, p));
    T cross{0}, quad{0}, along{0};
    for (Eigen::Index i = 0; i < p; ++i) {
      cross += delta(i + off) * sxy_(i);
      quad += delta(i + off) * sd(i);
      along += delta(i + off) * mean_(i);
    }
    syy_ = syy_ - T(2) * cross + quad;
    if (syy_ < T(0)) syy_ = T(0);
    sxy_ -= sd;
    if (intercept_) ymean_ -= delta(0) + along;
  }
  /// The rows become A z (A unit lower triangular, coordinates.hpp; only with an
  /// intercept, which the origin needs): the means move by A, the centred scatter and
  /// cross-products by its slope block.
  void shift_origin(const matrix& a) {
    const Eigen::Index p = mean_.size();
    const matrix as = a.bottomRightCorner(p, p);
    matrix s = s_;
    detail::symmetrize_from_lower<T, KMax>(s);
    const matrix moved = as * s * as.transpose();
    s_ = moved.template triangularView<Eigen::Lower>();
    sxy_ = as * sxy_;
    mean_ = a.col(0).tail(p) + as * mean_;
  }

  /// Total sum of squares of the responses v + zᵀref (about the mean with an intercept,
  /// about zero without).
  T tss(const vector& ref) const {
    const Eigen::Index p = mean_.size();
    const Eigen::Index off = intercept_ ? 1 : 0;
    const vector sr = detail::symmetric_lower_times<T, KMax>(s_, ref.segment(off, p));
    T e = syy_;
    for (Eigen::Index i = 0; i < p; ++i) e += ref(i + off) * (T(2) * sxy_(i) + sr(i));
    return e < T(0) ? T(0) : e;
  }

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

}  // namespace streamreg::multivariate

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

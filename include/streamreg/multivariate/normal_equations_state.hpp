// SPDX-License-Identifier: MIT
// The normal-equations state of the several-predictor fits (any scalar; the precise mode).
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

/// The normal equations XᵀWX β = XᵀWy accumulated in T (lower triangle), solved by LDLᵀ
/// with iterative refinement in T. Exact for additions and removals up to T's rounding,
/// so retraction, windows and merge cost nothing in accuracy beyond it.
template <class T, int KMax>
class normal_equations_state {
 public:
  using vector = vector_t<T, KMax>;
  using matrix = matrix_t<T, KMax>;
  static constexpr const char* name() noexcept { return "normal_equations"; }
  /// The solve squares the design's condition number (normal equations, scatter matrix).
  static constexpr bool squares_condition = true;
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
  /// The records' responses become v − zᵀδ (regression.hpp keeps them near its fit).
  void shift_response(const vector& delta) {
    const vector gd = detail::symmetric_lower_times<T, KMax>(g_, delta);
    const T e = yy_ - T(2) * delta.dot(b_) + delta.dot(gd);
    yy_ = e < T(0) ? T(0) : e;
    b_ -= gd;
  }
  /// The rows become A z (coordinates.hpp): G ← A G Aᵀ, b ← A b.
  void shift_origin(const matrix& a) {
    matrix g = g_;
    detail::symmetrize_from_lower<T, KMax>(g);
    const matrix moved = a * g * a.transpose();
    g_ = moved.template triangularView<Eigen::Lower>();
    b_ = a * b_;
  }
  /// Total sum of squares of the responses v + zᵀref: about the mean with an intercept
  /// (b₀ = Σwy: the intercept column is 1), about zero without.
  T tss(const vector& ref) const {
    const vector gr = detail::symmetric_lower_times<T, KMax>(g_, ref);
    const T yy = yy_ + ref.dot(T(2) * b_ + gr);
    if (!intercept_ || !(c_.w > T(0))) return yy;
    const T b0 = b_(0) + gr(0);
    const T e = yy - b0 * b0 / c_.w;
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

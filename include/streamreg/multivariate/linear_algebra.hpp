// SPDX-License-Identifier: MIT
// Small dense kernels shared by the several-predictor states, written for any scalar type
// (double, long double, double_double): an LDLᵀ factorisation of an equilibrated symmetric
// matrix whose pivots double as a rank and condition test, and the inverse of its factor.
#pragma once

#include "../fit.hpp"

#include <Eigen/Core>

#include <algorithm>  // std::max
#include <cmath>      // std::sqrt
#include <limits>     // std::numeric_limits

// g++ -O3 reports "potential null pointer dereference" on Eigen's heap storage of
// dynamic-size matrices inlined here (the allocation throws, never returns null).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnull-dereference"
#endif

namespace streamreg::multivariate {

/// Vectors and matrices of at most KMax entries a side (no heap when KMax is fixed).
template <class T, int KMax>
using vector_t = Eigen::Matrix<T, Eigen::Dynamic, 1, 0, KMax, 1>;
template <class T, int KMax>
using matrix_t = Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, 0, KMax, KMax>;

/// Ridge rows in the states' coordinates: the penalty adds Σᵣ (rows.row(r)·β − rhs(r))².
template <class T, int KMax>
struct penalty {
  Eigen::Matrix<T, Eigen::Dynamic, Eigen::Dynamic, 0, KMax, KMax> rows;
  vector_t<T, KMax> rhs;
  bool empty() const noexcept { return rows.rows() == 0; }
};

namespace detail {

template <class T>
T abs_value(const T& v) {
  using std::abs;
  return abs(v);
}
template <class T>
T sqrt_value(const T& v) {
  using std::sqrt;
  return sqrt(v);
}
template <class T>
bool finite_value(const T& v) {
  using std::isfinite;
  return isfinite(v);
}

/// Pivots below this (relative to their column's squared norm) mean the column is,
/// to working precision, a combination of the earlier ones.
template <class T>
T gram_rank_tolerance(int k) {
  return T(64) * T(k) * T(Eigen::NumTraits<T>::epsilon());
}

/// Estimates ‖A⁻¹‖₁ of a K×K matrix A known only through solves (Hager 1984, Higham 1988:
/// LAPACK's xLACON): `solve(x)` overwrites x with A⁻¹x, `solve_transposed(x)` with A⁻ᵀx.
/// A lower bound, almost always within a factor 3 of the true norm. Complexity: at most 5
/// pairs of solves.
template <class T, int KMax, class Solve, class SolveTransposed>
T inverse_norm1(Eigen::Index k, Solve&& solve, SolveTransposed&& solve_transposed) {
  vector_t<T, KMax> x = vector_t<T, KMax>::Constant(k, T(1) / T(static_cast<double>(k)));
  T estimate{0};
  Eigen::Index last = -1;
  for (int it = 0; it < 5; ++it) {
    solve(x);
    T norm{0};
    for (Eigen::Index i = 0; i < k; ++i) norm += abs_value(x(i));
    if (!finite_value(norm)) return norm;
    if (it > 0 && !(norm > estimate)) break;
    estimate = norm;
    for (Eigen::Index i = 0; i < k; ++i) x(i) = x(i) < T(0) ? T(-1) : T(1);
    solve_transposed(x);
    Eigen::Index j = 0;
    for (Eigen::Index i = 1; i < k; ++i)
      if (abs_value(x(i)) > abs_value(x(j))) j = i;
    if (j == last) break;
    last = j;
    x.setZero();
    x(j) = T(1);
  }
  // Higham's safeguard: the alternating vector catches what the iteration can miss.
  for (Eigen::Index i = 0; i < k; ++i)
    x(i) = T((i % 2 == 0 ? 1.0 : -1.0) * (1.0 + static_cast<double>(i) / static_cast<double>(
                                                         k > 1 ? k - 1 : 1)));
  solve(x);
  T alt{0};
  for (Eigen::Index i = 0; i < k; ++i) alt += abs_value(x(i));
  alt = T(2) * alt / T(3 * static_cast<double>(k));
  return alt > estimate ? alt : estimate;
}

template <class T, int KMax>
void ldlt_solve(const matrix_t<T, KMax>& f, const vector_t<T, KMax>& s,
                const vector_t<T, KMax>& b, vector_t<T, KMax>& beta);

/// LDLᵀ of the symmetric positive semidefinite G (K×K) after scaling to unit diagonal, in
/// place (the unit lower factor below the diagonal, D on it, scale s = 1/sqrt(diag G)).
/// Status: rank_deficient when a scaled pivot falls below the tolerance or a diagonal is
/// zero, not_finite for overflow. `condition`: an estimate of the condition number of the
/// column-equilibrated design, sqrt(κ₁(G_eq)) (Hager's estimate of ‖G_eq⁻¹‖₁).
template <class T, int KMax>
fit_status ldlt_equilibrated(matrix_t<T, KMax>& g, vector_t<T, KMax>& s, T& condition) {
  const Eigen::Index k = g.rows();
  s.resize(k);
  for (Eigen::Index i = 0; i < k; ++i) {
    if (!finite_value(g(i, i))) return fit_status::not_finite;
    if (!(g(i, i) > T(0))) return fit_status::rank_deficient;
    s(i) = T(1) / sqrt_value(g(i, i));
  }
  for (Eigen::Index j = 0; j < k; ++j)
    for (Eigen::Index i = j; i < k; ++i) g(i, j) = g(i, j) * s(i) * s(j);
  T norm1{0};  // ‖G_eq‖₁ from the lower triangle
  for (Eigen::Index j = 0; j < k; ++j) {
    T col{0};
    for (Eigen::Index i = 0; i < k; ++i) col += abs_value(i >= j ? g(i, j) : g(j, i));
    if (col > norm1) norm1 = col;
  }
  const T tol = gram_rank_tolerance<T>(static_cast<int>(k));
  T pmax = T(0), pmin = T(1);
  for (Eigen::Index j = 0; j < k; ++j) {
    T d = g(j, j);
    for (Eigen::Index m = 0; m < j; ++m) d -= g(j, m) * g(j, m) * g(m, m);
    if (!finite_value(d)) return fit_status::not_finite;
    if (!(d > tol)) return fit_status::rank_deficient;
    g(j, j) = d;
    pmax = std::max(pmax, d);
    pmin = std::min(pmin, d);
    for (Eigen::Index i = j + 1; i < k; ++i) {
      T v = g(i, j);
      for (Eigen::Index m = 0; m < j; ++m) v -= g(i, m) * g(j, m) * g(m, m);
      g(i, j) = v / d;
    }
  }
  // κ(X_eq) = sqrt(κ₁(G_eq)), κ₁(G_eq) = ‖G_eq‖₁ ‖G_eq⁻¹‖₁ with the inverse's norm estimated
  // from the factor; never below the pivot ratio.
  const vector_t<T, KMax> ones = vector_t<T, KMax>::Ones(k);
  auto solve = [&](vector_t<T, KMax>& x) {
    vector_t<T, KMax> b = x;
    ldlt_solve<T, KMax>(g, ones, b, x);
  };
  const T inv = inverse_norm1<T, KMax>(k, solve, solve);
  condition = sqrt_value(std::max(T(norm1 * inv), T(pmax / pmin)));
  return fit_status::ok;
}

/// Solves G β = b with the factor of ldlt_equilibrated (g, s).
template <class T, int KMax>
void ldlt_solve(const matrix_t<T, KMax>& f, const vector_t<T, KMax>& s,
                const vector_t<T, KMax>& b, vector_t<T, KMax>& beta) {
  const Eigen::Index k = f.rows();
  beta.resize(k);
  for (Eigen::Index i = 0; i < k; ++i) {
    T v = b(i) * s(i);
    for (Eigen::Index m = 0; m < i; ++m) v -= f(i, m) * beta(m);
    beta(i) = v;
  }
  for (Eigen::Index i = 0; i < k; ++i) beta(i) = beta(i) / f(i, i);
  for (Eigen::Index i = k - 1; i >= 0; --i) {
    T v = beta(i);
    for (Eigen::Index m = i + 1; m < k; ++m) v -= f(m, i) * beta(m);
    beta(i) = v;
  }
  for (Eigen::Index i = 0; i < k; ++i) beta(i) = beta(i) * s(i);
}

/// G⁻¹ from the factor of ldlt_equilibrated.
template <class T, int KMax>
matrix_t<T, KMax> ldlt_inverse(const matrix_t<T, KMax>& f, const vector_t<T, KMax>& s) {
  const Eigen::Index k = f.rows();
  matrix_t<T, KMax> inv(k, k);
  vector_t<T, KMax> e(k), col(k);
  for (Eigen::Index j = 0; j < k; ++j) {
    e.setZero();
    e(j) = T(1);
    ldlt_solve<T, KMax>(f, s, e, col);
    inv.col(j) = col;
  }
  return inv;
}

/// S v for a symmetric S held in its lower triangle (the upper is not read).
template <class T, int KMax, class V>
vector_t<T, KMax> symmetric_lower_times(const matrix_t<T, KMax>& s, const V& v) {
  const Eigen::Index k = v.size();
  vector_t<T, KMax> out = vector_t<T, KMax>::Zero(k);
  for (Eigen::Index j = 0; j < k; ++j) {
    out(j) += s(j, j) * v(j);
    for (Eigen::Index i = j + 1; i < k; ++i) {
      out(i) += s(i, j) * v(j);
      out(j) += s(i, j) * v(i);
    }
  }
  return out;
}

/// Fills the strictly upper triangle of a symmetric matrix from its lower one.
template <class T, int KMax>
void symmetrize_from_lower(matrix_t<T, KMax>& g) {
  for (Eigen::Index j = 0; j < g.cols(); ++j)
    for (Eigen::Index i = 0; i < j; ++i) g(i, j) = g(j, i);
}

}  // namespace detail
}  // namespace streamreg::multivariate

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

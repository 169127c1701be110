// SPDX-License-Identifier: MIT
// The ridge fit of a square-root factor, in the coordinates the penalty is defined in.
//
// A Givens state holds its records as a triangular factor of the shifted design: Σw(y − zᵀβ)²
// = ‖Rβ − q‖² + rest. A penalty λ‖b‖² on the coefficients b of the inputs as given (the
// intercept included with penalize_intercept) is not a penalty on β: b = Aβ + y₀e₀, so in the
// shifted coordinates the intercept's penalty row is √λ(1, −x₀ᵀ), large where the inputs are,
// and rotating it into the factor in double loses the digits of the slopes (6 of 16 on
// Longley at λ = 1e7), while the covariance mapped back through A cancels (the intercept's SE
// keeps none). Here the factor is moved to the original coordinates exactly instead,
// R_b = R A⁻¹ (A is unit upper triangular with the origin's entries: no rounding in
// double_double), q_b = q + y₀ R e₀, and the penalty rows √λ eⱼ are rotated in, all in
// double_double, so the only rounding left is the factor's own (backward stable, the digits
// of the unpenalised fit). Ridge inference (see multi_inference):
//   H = ZᵀWZ + λE, G = ZᵀWZ (Z the design of the inputs as given, E the penalised diagonal),
//   β = H⁻¹ZᵀWy, SSE = Σw(y − zᵀβ)² (without the penalty), cov = σ² H⁻¹GH⁻¹.
// With R_a the factor of H (R_aᵀR_a = H) and N = R_b R_a⁻¹ R_a⁻ᵀ, H⁻¹GH⁻¹ = NᵀN.
#pragma once

#include "double_double.hpp"
#include "linear_algebra.hpp"

#include <type_traits>  // std::is_same_v

// g++ -O3 reports "potential null pointer dereference" on Eigen's heap storage of
// dynamic-size matrices inlined here (the allocation throws, never returns null).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnull-dereference"
#endif

namespace streamreg::multivariate::detail {

template <int KMax>
using dd_matrix = matrix_t<double_double, KMax>;
template <int KMax>
using dd_vector = vector_t<double_double, KMax>;

/// A long double (or double) as a double_double, exactly.
template <class W>
double_double to_dd(const W& v) {
  if constexpr (std::is_same_v<W, double_double>) {
    return v;
  } else {
    const double hi = static_cast<double>(v);
    return double_double::two_sum(hi, static_cast<double>(v - static_cast<W>(hi)));
  }
}

/// Rotates the row (x, rhs) into the upper triangular r with right side q (Givens, in
/// double_double).
template <int KMax>
void rotate_in(dd_matrix<KMax>& r, dd_vector<KMax>& q, dd_vector<KMax> x, double_double rhs) {
  const Eigen::Index k = r.rows();
  for (Eigen::Index i = 0; i < k; ++i) {
    if (x(i) == double_double(0)) continue;
    const double_double a = r(i, i), b = x(i);
    const double_double h = sqrt_value(a * a + b * b);
    const double_double c = a / h, s = b / h;
    r(i, i) = h;
    for (Eigen::Index m = i + 1; m < k; ++m) {
      const double_double t = r(i, m);
      r(i, m) = c * t + s * x(m);
      x(m) = c * x(m) - s * t;
    }
    const double_double t = q(i);
    q(i) = c * t + s * rhs;
    rhs = c * rhs - s * t;
  }
}

/// The inverse of an upper triangular matrix with a nonzero diagonal.
template <int KMax>
dd_matrix<KMax> upper_inverse(const dd_matrix<KMax>& r) {
  const Eigen::Index k = r.rows();
  dd_matrix<KMax> u = dd_matrix<KMax>::Zero(k, k);
  for (Eigen::Index j = 0; j < k; ++j) {
    u(j, j) = double_double(1) / r(j, j);
    for (Eigen::Index i = j - 1; i >= 0; --i) {
      double_double v{0};
      for (Eigen::Index m = i + 1; m <= j; ++m) v += r(i, m) * u(m, j);
      u(i, j) = -v / r(i, i);
    }
  }
  return u;
}

/// The penalised fit of a factor moved to the coordinates of the penalty.
template <int KMax>
struct ridge_solution {
  fit_status status = fit_status::empty;
  dd_vector<KMax> beta;
  double_double sse{0};      ///< Σw(y − zᵀβ)², the penalty not included
  dd_matrix<KMax> sandwich;  ///< H⁻¹GH⁻¹ (when asked for)
  double condition = 0;      ///< κ₁ of the column-equilibrated factor of H
};

/// Solves min ‖R_b b − q_b‖² + rest + λ Σ_{j ≥ first} b_j², R_b = r a_inv, q_b = q + y0 r e₀.
/// `r`, `q`: the factor in the state's coordinates; `a_inv`: A⁻¹ (unit upper triangular).
template <int KMax>
ridge_solution<KMax> ridge_solve(const dd_matrix<KMax>& r, const dd_vector<KMax>& q,
                                 const double_double& rest, const dd_matrix<KMax>& a_inv,
                                 const double_double& y0, double lambda, Eigen::Index first,
                                 bool with_sandwich) {
  ridge_solution<KMax> s;
  const Eigen::Index k = r.rows();
  dd_matrix<KMax> rb = dd_matrix<KMax>::Zero(k, k);
  for (Eigen::Index i = 0; i < k; ++i)
    for (Eigen::Index j = i; j < k; ++j) {
      double_double v{0};
      for (Eigen::Index m = i; m <= j; ++m) v += r(i, m) * a_inv(m, j);
      rb(i, j) = v;
    }
  dd_vector<KMax> qb = q;
  qb(0) += y0 * r(0, 0);
  dd_matrix<KMax> ra = rb;
  dd_vector<KMax> qa = qb;
  const double_double root = sqrt_value(double_double(lambda));
  for (Eigen::Index j = first; j < k; ++j) {
    dd_vector<KMax> row = dd_vector<KMax>::Zero(k);
    row(j) = root;
    rotate_in<KMax>(ra, qa, row, double_double(0));
  }
  // Rank and condition of the column-equilibrated factor of H.
  const double_double tol = double_double(gram_rank_tolerance<double>(static_cast<int>(k)));
  vector_t<double_double, KMax> norms(k);
  for (Eigen::Index j = 0; j < k; ++j) {
    double_double n2{0};
    for (Eigen::Index i = 0; i <= j; ++i) n2 += ra(i, j) * ra(i, j);
    if (!finite_value(n2)) {
      s.status = fit_status::not_finite;
      return s;
    }
    norms(j) = sqrt_value(n2);
    if (!(norms(j) > double_double(0)) || !(abs_value(ra(j, j)) > sqrt_value(tol) * norms(j))) {
      s.status = fit_status::rank_deficient;
      return s;
    }
  }
  const dd_matrix<KMax> inv = upper_inverse<KMax>(ra);
  double_double norm1{0}, inv1{0};
  for (Eigen::Index j = 0; j < k; ++j) {
    double_double c{0}, ci{0};
    for (Eigen::Index i = 0; i <= j; ++i) {
      c += abs_value(ra(i, j)) / norms(j);
      ci += abs_value(inv(i, j)) * norms(i);
    }
    if (c > norm1) norm1 = c;
    if (ci > inv1) inv1 = ci;
  }
  s.condition = static_cast<double>(norm1 * inv1);
  s.beta = inv * qa;
  // The residual sum of squares of the data alone.
  s.sse = rest;
  for (Eigen::Index i = 0; i < k; ++i) {
    double_double e = -qb(i);
    for (Eigen::Index j = i; j < k; ++j) e += rb(i, j) * s.beta(j);
    s.sse += e * e;
  }
  if (with_sandwich) {
    const dd_matrix<KMax> n = (rb * inv * inv.transpose()).eval();
    s.sandwich = (n.transpose() * n).eval();
  }
  s.status = fit_status::ok;
  return s;
}

}  // namespace streamreg::multivariate::detail

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

// SPDX-License-Identifier: MIT
// Exact rational least squares with several predictors (GMP mpq_class): weights, with or
// without intercept, polynomial features, ridge penalties in the original coordinates, and
// the textbook inference. Nothing here uses streamreg code.
//   G = ZᵀWZ, H = G + λE (E = diag(0, 1, ..., 1) with an intercept, I when the intercept is
//   penalised or absent), β = H⁻¹ ZᵀWy, SSE = Σ w (y − zᵀβ)², df = n − K,
//   σ² = SSE / df, cov = σ² H⁻¹ G H⁻¹ (= σ² G⁻¹ without ridge),
//   SST = Σ w (y − ȳ)² (Σ w y² without intercept), R² = 1 − SSE / SST,
//   adjusted R² = 1 − (1 − R²)(n − 1) / df (n / df without intercept),
//   F = ((SST − SSE) / (K − 1)) / σ² (K without intercept).
#pragma once

#include <gmpxx.h>

#include <cstddef>    // std::size_t
#include <stdexcept>  // std::invalid_argument
#include <utility>    // std::swap
#include <vector>     // std::vector

#include "oracle.hpp"

namespace streamreg_test {

using mpq_matrix = std::vector<std::vector<mpq_class>>;

/// A least-squares problem in doubles, solved exactly.
struct ls_problem {
  bool intercept = true;
  int degree = 0;  ///< > 0: the predictors are x, x², ..., x^degree of the single input
  std::vector<std::vector<double>> x;
  std::vector<double> y;
  std::vector<mpq_class> w;  ///< empty: every weight 1
  mpq_class ridge = 0;
  bool penalize_intercept = false;
  /// Records counted for df: the number of rows, or Kish's (Σw)² / Σw² when true.
  bool effective_count = false;

  void add(std::vector<double> xi, double yi) {
    x.push_back(std::move(xi));
    y.push_back(yi);
  }
};

struct exact_ls {
  bool full_rank = false;
  std::size_t k = 0;
  mpq_class n, df;
  std::vector<mpq_class> beta;
  mpq_matrix h_inverse;  ///< H⁻¹
  mpq_matrix cov;        ///< σ² H⁻¹ G H⁻¹
  mpq_class sse, sst, sigma2, r_squared, adj_r_squared, f;
};

/// A⁻¹ by Gauss–Jordan elimination in rationals; false when A is singular.
inline bool exact_inverse(mpq_matrix a, mpq_matrix& inv) {
  const std::size_t k = a.size();
  inv.assign(k, std::vector<mpq_class>(k));
  for (std::size_t i = 0; i < k; ++i) inv[i][i] = 1;
  for (std::size_t c = 0; c < k; ++c) {
    std::size_t p = c;
    while (p < k && sgn(a[p][c]) == 0) ++p;
    if (p == k) return false;
    std::swap(a[p], a[c]);
    std::swap(inv[p], inv[c]);
    const mpq_class piv = a[c][c];
    for (std::size_t j = 0; j < k; ++j) {
      a[c][j] /= piv;
      inv[c][j] /= piv;
    }
    for (std::size_t r = 0; r < k; ++r) {
      if (r == c || sgn(a[r][c]) == 0) continue;
      const mpq_class f = a[r][c];
      for (std::size_t j = 0; j < k; ++j) {
        if (sgn(a[c][j]) != 0) a[r][j] -= f * a[c][j];
        if (sgn(inv[c][j]) != 0) inv[r][j] -= f * inv[c][j];
      }
    }
  }
  return true;
}

/// The feature row z of one record, exactly.
inline std::vector<mpq_class> exact_features(const ls_problem& p, const std::vector<double>& x) {
  std::vector<mpq_class> z;
  if (p.intercept) z.emplace_back(1);
  if (p.degree > 0) {
    const mpq_class t = to_mpq(x.at(0));
    mpq_class power = t;
    for (int d = 0; d < p.degree; ++d) {
      z.push_back(power);
      power *= t;
    }
  } else {
    for (double v : x) z.push_back(to_mpq(v));
  }
  return z;
}

inline exact_ls exact_solve(const ls_problem& p) {
  if (p.x.size() != p.y.size() || (!p.w.empty() && p.w.size() != p.y.size()))
    throw std::invalid_argument("exact_solve: sizes differ");
  exact_ls r;
  const std::size_t n = p.y.size();
  if (n == 0) return r;
  std::vector<std::vector<mpq_class>> z(n);
  std::vector<mpq_class> ys(n), ws(n);
  for (std::size_t i = 0; i < n; ++i) {
    z[i] = exact_features(p, p.x[i]);
    ys[i] = to_mpq(p.y[i]);
    ws[i] = p.w.empty() ? mpq_class(1) : p.w[i];
  }
  const std::size_t k = z[0].size();
  r.k = k;
  mpq_matrix g(k, std::vector<mpq_class>(k));
  std::vector<mpq_class> b(k);
  mpq_class sw, sw2, swy, swyy;
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t a = 0; a < k; ++a) {
      const mpq_class wz = ws[i] * z[i][a];
      for (std::size_t c = 0; c <= a; ++c) g[a][c] += wz * z[i][c];
      b[a] += wz * ys[i];
    }
    sw += ws[i];
    sw2 += ws[i] * ws[i];
    swy += ws[i] * ys[i];
    swyy += ws[i] * ys[i] * ys[i];
  }
  for (std::size_t a = 0; a < k; ++a)
    for (std::size_t c = a + 1; c < k; ++c) g[a][c] = g[c][a];
  mpq_matrix h = g;
  for (std::size_t a = (p.intercept && !p.penalize_intercept) ? 1 : 0; a < k; ++a)
    h[a][a] += p.ridge;
  r.full_rank = exact_inverse(h, r.h_inverse);
  if (!r.full_rank) return r;
  r.beta.assign(k, mpq_class(0));
  for (std::size_t a = 0; a < k; ++a)
    for (std::size_t c = 0; c < k; ++c) r.beta[a] += r.h_inverse[a][c] * b[c];
  for (std::size_t i = 0; i < n; ++i) {
    mpq_class e = ys[i];
    for (std::size_t a = 0; a < k; ++a) e -= z[i][a] * r.beta[a];
    r.sse += ws[i] * e * e;
  }
  r.sst = p.intercept ? mpq_class(swyy - swy * swy / sw) : swyy;
  r.n = p.effective_count ? mpq_class(sw * sw / sw2) : mpq_class(static_cast<unsigned long>(n));
  r.df = r.n - static_cast<unsigned long>(k);
  if (sgn(r.df) <= 0) return r;
  r.sigma2 = r.sse / r.df;
  // cov = σ² H⁻¹ G H⁻¹
  mpq_matrix hg(k, std::vector<mpq_class>(k));
  for (std::size_t a = 0; a < k; ++a)
    for (std::size_t c = 0; c < k; ++c)
      for (std::size_t m = 0; m < k; ++m) hg[a][c] += r.h_inverse[a][m] * g[m][c];
  r.cov.assign(k, std::vector<mpq_class>(k));
  for (std::size_t a = 0; a < k; ++a)
    for (std::size_t c = 0; c < k; ++c) {
      mpq_class v;
      for (std::size_t m = 0; m < k; ++m) v += hg[a][m] * r.h_inverse[m][c];
      r.cov[a][c] = r.sigma2 * v;
    }
  if (sgn(r.sst) > 0) {
    r.r_squared = 1 - r.sse / r.sst;
    const mpq_class top = p.intercept ? mpq_class(r.n - 1) : r.n;
    r.adj_r_squared = 1 - (1 - r.r_squared) * top / r.df;
  }
  if (sgn(r.sse) > 0) {
    const unsigned long slopes = static_cast<unsigned long>(p.intercept ? k - 1 : k);
    r.f = ((r.sst - r.sse) / slopes) / r.sigma2;
  }
  return r;
}

}  // namespace streamreg_test

// SPDX-License-Identifier: MIT
// Changes of coordinates between two origins of the several-predictor fits. A regression
// works on z = [1, features of (x − origin)] and y − y₀; another origin gives z' = A z with A
// unit lower triangular (a plain predictor: z'ⱼ = zⱼ + Δⱼ; a polynomial in t = x − c:
// (t + Δ)ᵏ = Σᵢ C(k, i) Δ^(k−i) tⁱ). States move to it exactly in algebra (states'
// shift_origin), so states with different origins merge.
#pragma once

#include "linear_algebra.hpp"

#include <Eigen/Core>

namespace streamreg::multivariate::detail {

/// A with z' = A z when the origin of the inputs moves from `from` to `to` (inputs() values
/// each; a polynomial has one). `degree` > 0: z = [1, t, ..., t^degree]; else [1, x₁ − o₁, ...].
/// Computed in W (wide) and rounded once to T.
template <class T, int KMax, class W, class Origin>
matrix_t<T, KMax> origin_change(int k, int degree, const Origin& from, const Origin& to) {
  matrix_t<W, KMax> a = matrix_t<W, KMax>::Identity(k, k);
  if (degree > 0) {
    const W delta = W(from(0)) - W(to(0));
    for (int row = 1; row < k; ++row) {
      W binom = W(1), power = W(1);  // C(row, i), Δ^(row − i) for i = row, row − 1, ...
      for (int i = row; i >= 0; --i) {
        a(row, i) = binom * power;
        binom = binom * W(i) / W(row - i + 1);
        power = power * delta;
      }
    }
  } else {
    for (int j = 1; j < k; ++j) a(j, 0) = W(from(j - 1)) - W(to(j - 1));
  }
  return a.template cast<T>();
}

/// r with Aᵀ r = v, A unit lower triangular (the reference fit in the new coordinates:
/// refᵀz = rᵀz').
template <class T, int KMax>
vector_t<T, KMax> solve_unit_upper_transposed(const matrix_t<T, KMax>& a,
                                              const vector_t<T, KMax>& v) {
  const Eigen::Index k = v.size();
  vector_t<T, KMax> r(k);
  for (Eigen::Index i = k - 1; i >= 0; --i) {
    T s = v(i);
    for (Eigen::Index m = i + 1; m < k; ++m) s -= a(m, i) * r(m);
    r(i) = s;
  }
  return r;
}

}  // namespace streamreg::multivariate::detail

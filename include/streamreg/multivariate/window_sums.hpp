// SPDX-License-Identifier: MIT
// The normal equations of a window's records in double_double, kept beside its state so the
// window's fit can be refined against its records in O(K²) per fit: the correction's right
// side Zᵀ W (y − Z β) = h − G β, with G = Zᵀ W Z and h = Zᵀ W (y − y₀) to about 32 digits.
#pragma once

#include "double_double.hpp"
#include "linear_algebra.hpp"
#include "state_fields.hpp"

#include <string>  // field names

namespace streamreg::multivariate::detail {

template <int KMax>
class window_sums {
 public:
  using vector = vector_t<double, KMax>;

  void reset(int k) {
    g_.setConstant(k, k, double_double(0.0));
    h_.setConstant(k, double_double(0.0));
  }

  /// Adds (sign +1) or removes (−1) the record with feature row z, response y − y₀ (formed
  /// exactly: the difference of two doubles) and weight w.
  void update(const vector& z, double y, double y0, double w, double sign) {
    const Eigen::Index k = z.size();
    const double_double r = (double_double(y) - double_double(y0)) * double_double(sign * w);
    for (Eigen::Index i = 0; i < k; ++i) {
      const double_double wz = double_double(z(i)) * double_double(sign * w);
      for (Eigen::Index j = 0; j <= i; ++j) g_(i, j) += wz * double_double(z(j));
      h_(i) += double_double(z(i)) * r;
    }
  }

  /// h − G β, rounded to double: Zᵀ W r for the residuals r of the coefficients β (the
  /// feature rows' coordinates, the y origin's response).
  vector correction(const vector& beta) const {
    const Eigen::Index k = h_.size();
    vector g(k);
    for (Eigen::Index i = 0; i < k; ++i) {
      double_double s = h_(i);
      for (Eigen::Index j = 0; j < k; ++j)
        s -= (j <= i ? g_(i, j) : g_(j, i)) * double_double(beta(j));
      g(i) = static_cast<double>(s);
    }
    return g;
  }

  /// Checkpoint fields sums.g.i.j (lower triangle) and sums.h.i.
  template <class Archive>
  void serialize(Archive& ar) {
    const Eigen::Index k = h_.size();
    for (Eigen::Index i = 0; i < k; ++i) {
      for (Eigen::Index j = 0; j <= i; ++j)
        scalar_field(ar, "sums.g." + std::to_string(i) + "." + std::to_string(j), g_(i, j));
      scalar_field(ar, "sums.h." + std::to_string(i), h_(i));
    }
  }

 private:
  matrix_t<double_double, KMax> g_;  // lower triangle
  vector_t<double_double, KMax> h_;
};

}  // namespace streamreg::multivariate::detail

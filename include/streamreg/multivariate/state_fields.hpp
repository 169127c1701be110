// SPDX-License-Identifier: MIT
// What the several-predictor states share: checkpoint fields of their scalars (double_double
// as two parts, long double as a double and its remainder) and the weight counts.
#pragma once

#include "../detail/scalar.hpp"
#include "linear_algebra.hpp"

#include <cstdint>      // std::uint64_t
#include <string>       // field names
#include <type_traits>  // std::is_same_v

namespace streamreg::multivariate {

namespace detail {

/// Serialises a scalar (double_double as its two parts) under `name`: the library's one.
using streamreg::detail::scalar_field;

/// A long double as a double plus the rounding remainder (checkpoints hold doubles).
template <class Archive, class W>
void wide_field(Archive& ar, const std::string& name, W& v) {
  if constexpr (std::is_same_v<W, long double>) {
    double hi = static_cast<double>(v), lo = static_cast<double>(v - static_cast<W>(hi));
    ar.field(name, hi);
    ar.field(name + ".lo", lo);
    if constexpr (Archive::loading) v = static_cast<long double>(hi) + static_cast<long double>(lo);
  } else {
    multivariate::detail::scalar_field(ar, name, v);
  }
}
template <class Archive, class M>
void matrix_field(Archive& ar, const std::string& name, M& m, bool lower_only) {
  for (Eigen::Index j = 0; j < m.cols(); ++j)
    for (Eigen::Index i = lower_only ? j : 0; i < m.rows(); ++i)
      multivariate::detail::scalar_field(ar, name + "." + std::to_string(i) + "." + std::to_string(j),
                                         m(i, j));
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
    multivariate::detail::scalar_field(ar, "w", w);
    multivariate::detail::scalar_field(ar, "w2", w2);
  }
};

}  // namespace detail

}  // namespace streamreg::multivariate

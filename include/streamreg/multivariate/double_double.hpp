// SPDX-License-Identifier: MIT
// double_double for Eigen: the NumTraits that let an Eigen matrix hold streamreg::double_double
// (the type itself is std-only, in streamreg/double_double.hpp), for the precise mode of the
// several-predictor fits.
#pragma once

#include <Eigen/Core>

#include <limits>  // std::numeric_limits

#include "../double_double.hpp"

namespace streamreg::multivariate {
using streamreg::double_double;
}  // namespace streamreg::multivariate


namespace Eigen {
template <>
struct NumTraits<streamreg::double_double> : GenericNumTraits<double> {
  using Real = streamreg::double_double;
  using NonInteger = Real;
  using Nested = Real;
  using Literal = Real;
  enum { IsComplex = 0, IsInteger = 0, IsSigned = 1, RequireInitialization = 1,
         ReadCost = 2, AddCost = 20, MulCost = 10 };
  static Real epsilon() { return Real(0x1p-104); }
  static Real dummy_precision() { return Real(1e-30); }
  static Real highest() { return Real(std::numeric_limits<double>::max()); }
  static Real lowest() { return Real(std::numeric_limits<double>::lowest()); }
  static int digits10() { return 31; }
};
}  // namespace Eigen

// SPDX-License-Identifier: MIT
// Scalar helpers shared by the accumulators and the solver: finiteness for any scalar type,
// an exact product for floating point, and the type in which a state's fit is expressed.
#pragma once

#include <cmath>        // std::isfinite, std::fma, std::sqrt
#include <cstdint>      // std::uint32_t, std::uint64_t
#include <limits>       // std::numeric_limits
#include <type_traits>  // std::is_floating_point_v, std::is_integral_v
#include <utility>      // std::declval

namespace streamreg::detail {

template <class T, class = void>
struct has_adl_isfinite : std::false_type {};
template <class T>
struct has_adl_isfinite<T, std::void_t<decltype(isfinite(std::declval<const T&>()))>>
    : std::true_type {};

#if defined(__has_builtin)
#  if __has_builtin(__builtin_bit_cast)
#    define STREAMREG_DETAIL_BIT_CAST 1
#  endif
#endif

/// True unless `v` is NaN or infinite. Types without a notion of infinity (integers, exact
/// rationals) are always finite; a user type may provide `isfinite` found by ADL.
/// For float and double decided on the bits (exponent not all ones): on the per-record path,
/// branches on floating-point comparisons measured about 0.7 ns a record more than on integer
/// ones (benchmarks/README.md); the predicate is the same.
template <class T>
constexpr bool is_finite(const T& v) noexcept {
#ifdef STREAMREG_DETAIL_BIT_CAST
  if constexpr (std::is_same_v<T, double> || std::is_same_v<T, float>) {
    using bits = std::conditional_t<std::is_same_v<T, double>, std::uint64_t, std::uint32_t>;
    constexpr bits exponent = __builtin_bit_cast(bits, std::numeric_limits<T>::infinity());
    return (__builtin_bit_cast(bits, v) & exponent) != exponent;
  }
#endif
  if constexpr (std::is_floating_point_v<T>) {
    return std::isfinite(v);
  } else if constexpr (std::is_integral_v<T>) {
    return true;
  } else if constexpr (has_adl_isfinite<T>::value) {
    return static_cast<bool>(isfinite(v));
  } else {
    return true;
  }
}

/// A record a state accepts: finite x and y, and a finite positive weight.
template <class T>
constexpr bool valid_record(const T& x, const T& y, const T& w) noexcept {
  return is_finite(x) && is_finite(y) && is_finite(w) && w > T(0);
}

/// Name of a scalar type in checkpoints ("double", ...); nullptr for types checkpoints
/// cannot hold.
template <class T>
constexpr const char* scalar_name() noexcept {
  if constexpr (std::is_same_v<T, float>) return "float";
  else if constexpr (std::is_same_v<T, double>) return "double";
  else if constexpr (std::is_same_v<T, long double>) return "long double";
  else if constexpr (std::is_same_v<T, bool>) return "bool";
  else if constexpr (std::is_integral_v<T> && std::is_signed_v<T>) return "int";
  else if constexpr (std::is_integral_v<T>) return "uint";
  else return "unsupported";
}

/// The scalar a state over `T` solves in: `T` itself, except `double` for integral `T`
/// (sums of integers stay exact; only the final divisions round).
template <class T>
using real_t = std::conditional_t<std::is_integral_v<T>, double, T>;

/// `y0 - b * x0`, with the product formed exactly (fused multiply-add) for floating point so
/// that cancellation between `y0` and `b * x0` costs nothing beyond the rounding of `b`.
template <class T>
inline T minus_product(const T& y0, const T& b, const T& x0) noexcept {
  if constexpr (std::is_floating_point_v<T>) {
    const T p = b * x0;
    const T e = std::fma(b, x0, -p);  // b * x0 == p + e exactly
    return (y0 - p) - e;
  } else {
    return T(y0 - b * x0);
  }
}

/// Square root for floating point and for user types with an ADL `sqrt`.
template <class T>
inline T square_root(const T& v) {
  using std::sqrt;
  return T(sqrt(v));
}

}  // namespace streamreg::detail

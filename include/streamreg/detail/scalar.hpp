// SPDX-License-Identifier: MIT
// Scalar helpers shared by the accumulators and the solver: finiteness for any scalar type,
// an exact product for floating point, and the type in which a state's fit is expressed.
#pragma once

#include <cmath>        // std::isfinite, std::fma, std::sqrt
#include <cstdint>      // std::uint32_t, std::uint64_t
#include <limits>       // std::numeric_limits
#include <string>       // scalar_field names
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

template <class T, class = void>
struct has_hi_lo : std::false_type {};
template <class T>
struct has_hi_lo<T, std::void_t<decltype(std::declval<T&>().hi), decltype(std::declval<T&>().lo)>>
    : std::true_type {};

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
  else if constexpr (has_hi_lo<T>::value) return "double_double";
  else return "unsupported";
}

/// The scalar a state over `T` solves in: `T` itself, except `double` for integral `T`
/// (sums of integers stay exact; only the final divisions round).
template <class T>
using real_t = std::conditional_t<std::is_integral_v<T>, double, T>;

/// `y0 - b * x0`, with the product formed exactly (fused multiply-add) for floating point so
/// that cancellation between `y0` and `b * x0` costs nothing beyond the rounding of `b`.
/// For long double, whose fma is a slow library routine (about 1 µs on x86-64), the error
/// of the product comes from Dekker's splitting instead: the same exact value.
template <class T>
inline T minus_product(const T& y0, const T& b, const T& x0) noexcept {
  if constexpr (std::is_same_v<T, long double> && std::numeric_limits<T>::digits == 64) {
    constexpr long double split = 4294967297.0L;  // 2^32 + 1: halves of 32 bits
    const T p = b * x0;
    const T cb = split * b, cx = split * x0;
    const T bh = cb - (cb - b), bl = b - bh;
    const T xh = cx - (cx - x0), xl = x0 - xh;
    const T e = ((bh * xh - p) + bh * xl + bl * xh) + bl * xl;  // b * x0 == p + e
    if (!std::isfinite(e)) return y0 - p;  // the split overflowed: b or x0 near the maximum
    return (y0 - p) - e;
  } else if constexpr (std::is_floating_point_v<T>) {
    const T p = b * x0;
    const T e = std::fma(b, x0, -p);  // b * x0 == p + e exactly
    return (y0 - p) - e;
  } else {
    return T(y0 - b * x0);
  }
}

template <class S, class = void>
struct accum_of {
  using type = typename S::real_type;
};
template <class S>
struct accum_of<S, std::void_t<typename S::accum_type>> {
  using type = typename S::accum_type;
};
/// The type a state computes in (moments<float>: double), else its real_type.
template <class S>
using accum_t = typename accum_of<S>::type;

/// Serialises a scalar under `name`: a double-double as its two parts, `name.hi` and
/// `name.lo`; anything else as one field.
template <class Archive, class T>
void scalar_field(Archive& ar, const std::string& name, T& v) {
  if constexpr (has_hi_lo<T>::value) {
    ar.field(name + ".hi", v.hi);
    ar.field(name + ".lo", v.lo);
  } else {
    ar.field(name, v);
  }
}

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__)) && !defined(__FMA__)
#  define STREAMREG_DETAIL_FMA_DISPATCH 1
/// Whether the processor has FMA3 although the build does not target it (plain x86-64). Then
/// std::fma is a call into the C library, and around that call in a per-record loop the
/// compiler spills the whole state; minus_product_inline uses the instruction instead. False
/// (the library call) if read before it is initialised: both give the same value.
inline const bool cpu_has_fma = [] {
  __builtin_cpu_init();
  return __builtin_cpu_supports("fma") != 0;
}();
#endif

/// minus_product (y0 − b·x0 with the product formed exactly), the same value, but with the
/// fused multiply-subtract instruction inline when the processor has one that the build does not
/// target. Both that instruction and std::fma round b·x0 − p once, as IEEE 754 defines.
template <class T>
inline T minus_product_inline(const T& y0, const T& b, const T& x0) noexcept {
#ifdef STREAMREG_DETAIL_FMA_DISPATCH
  if constexpr (std::is_same_v<T, double> || std::is_same_v<T, float>) {
    if (__builtin_expect(cpu_has_fma, 1)) {
      const T p = b * x0;
      T e = p;  // becomes b * x0 - p, rounded once, as std::fma(b, x0, -p)
      if constexpr (std::is_same_v<T, double>) {
        __asm__("vfmsub231sd {%2, %1, %0|%0, %1, %2}" : "+x"(e) : "x"(b), "x"(x0));
      } else {
        __asm__("vfmsub231ss {%2, %1, %0|%0, %1, %2}" : "+x"(e) : "x"(b), "x"(x0));
      }
      return (y0 - p) - e;
    }
  }
#endif
  return minus_product(y0, b, x0);
}

/// d − c·u rounded once (a fused negated multiply-add): std::fma(−c, u, d) for floating point,
/// with the instruction inline when the processor has one that the build does not target
/// (the same value either way); plain arithmetic for other types.
template <class T>
inline T fused_minus(const T& d, const T& c, const T& u) noexcept {
  if constexpr (std::is_same_v<T, double> || std::is_same_v<T, float>) {
#ifdef STREAMREG_DETAIL_FMA_DISPATCH
    if (__builtin_expect(cpu_has_fma, 1)) {
      T r = d;  // becomes d − c·u, rounded once
      if constexpr (std::is_same_v<T, double>) {
        __asm__("vfnmadd231sd {%2, %1, %0|%0, %1, %2}" : "+x"(r) : "x"(c), "x"(u));
      } else {
        __asm__("vfnmadd231ss {%2, %1, %0|%0, %1, %2}" : "+x"(r) : "x"(c), "x"(u));
      }
      return r;
    }
#endif
    return std::fma(-c, u, d);
  } else if constexpr (std::is_floating_point_v<T>) {
    return minus_product(d, c, u);  // long double: its fma is a slow library routine
  } else {
    return T(d - c * u);
  }
}

/// 0 < v ≤ max, that is positive and finite; for float and double decided on the bits, as
/// is_finite.
template <class T>
constexpr bool is_positive_finite(const T& v) noexcept {
#ifdef STREAMREG_DETAIL_BIT_CAST
  if constexpr (std::is_same_v<T, double> || std::is_same_v<T, float>) {
    using bits = std::conditional_t<std::is_same_v<T, double>, std::uint64_t, std::uint32_t>;
    // The positive finite numbers are the bit patterns 1 ... bits(max).
    return bits(__builtin_bit_cast(bits, v) - 1u) <
           __builtin_bit_cast(bits, std::numeric_limits<T>::max());
  }
#endif
  return v > T(0) && v <= std::numeric_limits<T>::max();
}

/// Square root for floating point and for user types with an ADL `sqrt`.
template <class T>
inline T square_root(const T& v) {
  using std::sqrt;
  return T(sqrt(v));
}

}  // namespace streamreg::detail

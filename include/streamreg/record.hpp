// SPDX-License-Identifier: MIT
// How a record becomes (x, y): record_traits for pairs, tuples and user structs.
#pragma once

#include <tuple>        // std::tuple, std::get
#include <type_traits>  // std::void_t
#include <utility>      // std::pair, std::declval

namespace streamreg {

/// Customisation point: how to read x and y from a record type `R`. Specialise it for your
/// struct (or pass a projection to the regressor instead):
/// ```
/// template <> struct streamreg::record_traits<reading> {
///   static double x(const reading& r) { return r.load; }
///   static double y(const reading& r) { return r.temperature; }
/// };
/// ```
/// The primary template has no members: a record without a specialisation (and without a
/// projection) is rejected at compile time with a message naming record_traits.
template <class R, class = void>
struct record_traits {};

template <class X, class Y>
struct record_traits<std::pair<X, Y>> {
  static constexpr const X& x(const std::pair<X, Y>& r) noexcept { return r.first; }
  static constexpr const Y& y(const std::pair<X, Y>& r) noexcept { return r.second; }
};

template <class X, class Y, class... Rest>
struct record_traits<std::tuple<X, Y, Rest...>> {
  static constexpr const X& x(const std::tuple<X, Y, Rest...>& r) noexcept {
    return std::get<0>(r);
  }
  static constexpr const Y& y(const std::tuple<X, Y, Rest...>& r) noexcept {
    return std::get<1>(r);
  }
};

namespace detail {
template <class R, class = void>
struct has_record_traits : std::false_type {};
template <class R>
struct has_record_traits<R, std::void_t<decltype(record_traits<R>::x(std::declval<const R&>())),
                                        decltype(record_traits<R>::y(std::declval<const R&>()))>>
    : std::true_type {};
}  // namespace detail

/// The default projection: reads x and y through record_traits.
struct traits_projection {
  template <class R>
  constexpr auto operator()(const R& r) const noexcept {
    static_assert(detail::has_record_traits<R>::value,
                  "streamreg: no record_traits<R> specialisation with static x(const R&) and "
                  "y(const R&) for this record type; specialise record_traits or pass a "
                  "projection returning std::pair<x, y> to the regressor");
    return std::pair(record_traits<R>::x(r), record_traits<R>::y(r));
  }
};

}  // namespace streamreg

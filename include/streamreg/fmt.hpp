// SPDX-License-Identifier: MIT
// fmt::formatter specialisations for fit_status, line_fit and line_inference (target
// streamreg::fmt). Numbers use the format spec given for the fit, `{}` meaning shortest
// round-trip form: fmt::format("{:.6g}", fit) -> "y = 0.5 + 2 x (n=10)".
#pragma once

#include <fmt/format.h>

#include "fit.hpp"

template <>
struct fmt::formatter<streamreg::fit_status> : fmt::formatter<fmt::string_view> {
  template <class FormatContext>
  auto format(streamreg::fit_status s, FormatContext& ctx) const -> decltype(ctx.out()) {
    return fmt::formatter<fmt::string_view>::format(streamreg::to_string(s), ctx);
  }
};

template <class T>
struct fmt::formatter<streamreg::line_fit<T>> : fmt::formatter<T> {
  template <class FormatContext>
  auto format(const streamreg::line_fit<T>& f, FormatContext& ctx) const -> decltype(ctx.out()) {
    if (!f) return fmt::format_to(ctx.out(), "{} (n={})", f.status, f.n);
    auto out = fmt::format_to(ctx.out(), "y = ");
    ctx.advance_to(out);
    out = fmt::formatter<T>::format(f.intercept, ctx);
    out = fmt::format_to(out, " + ");
    ctx.advance_to(out);
    out = fmt::formatter<T>::format(f.slope, ctx);
    return fmt::format_to(out, " x (n={})", f.n);
  }
};

template <class T>
struct fmt::formatter<streamreg::line_inference<T>> : fmt::formatter<streamreg::line_fit<T>> {
  template <class FormatContext>
  auto format(const streamreg::line_inference<T>& r, FormatContext& ctx) const
      -> decltype(ctx.out()) {
    auto out = fmt::formatter<streamreg::line_fit<T>>::format(r.fit, ctx);
    if (!r.defined()) return out;
    return fmt::format_to(out, ", residual sd {}, R^2 {}, se(a) {}, se(b) {}", r.residual_sd,
                          r.r_squared, r.se_intercept, r.se_slope);
  }
};

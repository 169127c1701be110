// SPDX-License-Identifier: MIT
// What the scalar benchmarks share: the record type and the sink that keeps each fit.
#pragma once

#include <streamreg/fit.hpp>
#include <streamreg/sink.hpp>

namespace bench {

struct xy {
  double x;
  double y;
};

/// Where every benchmark leaves the fit of each record: intercept and slope, 16 bytes.
/// benchmark::DoNotOptimize(slot) after each record makes the compiler store both values.
struct fit_slot {
  double intercept = 0;
  double slope = 0;
};

/// A sink that keeps the last fit (what any real sink needs: intercept and slope).
struct keep_fit {
  fit_slot* out = nullptr;
  void operator()(const streamreg::line_fit<double>& f, const streamreg::event&) const noexcept {
    out->intercept = f.intercept;
    out->slope = f.slope;
  }
  /// The precise state's fit (double-double), rounded to double as an output would be.
  template <class T>
  void operator()(const streamreg::line_fit<T>& f, const streamreg::event&) const noexcept {
    out->intercept = static_cast<double>(f.intercept);
    out->slope = static_cast<double>(f.slope);
  }
};

}  // namespace bench

// SPDX-License-Identifier: MIT
// Sinks: what receives (fit, event) after each record. Any callable; null_sink, collector,
// any_sink.
#pragma once

#include <cstdint>     // std::uint64_t
#include <functional>  // std::function
#include <utility>     // std::move
#include <vector>      // std::vector

#include "fit.hpp"

namespace streamreg {

/// Where a fit was emitted: after the record with 0-based index `index` (counting accepted
/// records) and at `time`, which is the index unless the record carries its own time.
struct event {
  std::uint64_t index = 0;
  double time = 0;
};

/// A sink that discards everything (a regressor used only through fit()).
struct null_sink {
  template <class Fit>
  constexpr void operator()(const Fit&, const event&) const noexcept {}
};

/// A sink that keeps every emitted fit with its event.
template <class T>
class collector {
 public:
  struct entry {
    line_fit<T> fit;
    event at;
  };
  void operator()(const line_fit<T>& f, const event& e) { entries_.push_back({f, e}); }
  const std::vector<entry>& entries() const noexcept { return entries_; }
  std::size_t size() const noexcept { return entries_.size(); }
  const entry& operator[](std::size_t i) const { return entries_[i]; }
  void clear() noexcept { entries_.clear(); }

 private:
  std::vector<entry> entries_;
};

/// A type-erased sink, for choosing the output at run time. Costs one indirect call per
/// emission; prefer a concrete callable where the type is known.
template <class T>
using any_sink = std::function<void(const line_fit<T>&, const event&)>;

}  // namespace streamreg

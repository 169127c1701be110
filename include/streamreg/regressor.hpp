// SPDX-License-Identifier: MIT
// regressor: accumulator + solver + sink. push(record) updates, solves and emits.
#pragma once

#include <cstdint>      // std::uint64_t
#include <type_traits>  // std::is_nothrow_invocable_v
#include <utility>      // std::move

#include "config.hpp"
#include "fit.hpp"
#include "moments.hpp"
#include "record.hpp"
#include "sink.hpp"
#include "solve.hpp"

namespace streamreg {

/// Streaming least-squares line: after every accepted record (or every k-th, see
/// emit_every) the current fit is handed to the sink together with the record's event.
///
/// - `Accumulator`: the state (`moments<T>` by default, `raw_sums<T, Sum>`, ...).
/// - `Sink`: a callable `void(const line_fit<R>&, const event&)`; statically typed, so a sink
///   that ignores its input costs nothing.
/// - `Projection`: maps a record to a pair-like (x, y) for `push(record)`; by default through
///   record_traits (std::pair, std::tuple, or your specialisation).
///
/// A record whose x or y is NaN or infinite never enters the state: push returns false, the
/// rejection is counted (rejected()), no fit is emitted, and later records are fitted as if
/// it never came. Event indices count accepted records only.
///
/// push is noexcept unless the sink may throw. Complexity: O(1) per record plus the sink.
template <class Accumulator = moments<double>, class Sink = null_sink,
          class Projection = traits_projection>
class regressor {
 public:
  using state_type = Accumulator;
  using value_type = typename Accumulator::value_type;
  using real_type = typename Accumulator::real_type;
  using fit_type = line_fit<real_type>;

  regressor() = default;
  explicit regressor(Sink sink, Projection projection = {})
      : sink_(std::move(sink)), projection_(std::move(projection)) {}

  /// Adds (x, y), solves and emits. Returns false if the record was rejected (not finite).
  bool push(const value_type& x, const value_type& y) noexcept(nothrow_sink) {
    return push_at(static_cast<double>(index_), x, y);
  }

  /// As push(x, y), with an explicit event time (a time column, a Kafka timestamp).
  bool push_at(double time, const value_type& x, const value_type& y) noexcept(nothrow_sink) {
    if (!state_.push(x, y)) {
      ++rejected_;
      return false;
    }
    if (++since_emit_ == every_) {
      since_emit_ = 0;
      sink_(solve(state_), event{index_, time});
    }
    ++index_;
    return true;
  }

  /// Adds a record through the projection: std::pair, std::tuple or a user type.
  template <class Record>
  bool push(const Record& record) noexcept(nothrow_sink) {
    const auto xy = projection_(record);
    return push(static_cast<value_type>(std::get<0>(xy)),
                static_cast<value_type>(std::get<1>(xy)));
  }

  /// Pushes every record of a range; returns the number accepted.
  template <class Range>
  std::uint64_t push_all(const Range& records) {
    std::uint64_t accepted = 0;
    for (const auto& r : records)
      if (push(r)) ++accepted;
    return accepted;
  }

  /// Thins emission: the sink is called after every k-th accepted record (k >= 1; 1 is the
  /// default). The state is updated for every record regardless.
  void emit_every(std::uint64_t k) noexcept {
    STREAMREG_ASSERT(k >= 1, "regressor::emit_every: k must be at least 1");
    every_ = k;
    since_emit_ = 0;
  }
  /// Calls the sink with the current fit now (for example the final fit of a thinned run),
  /// at the event of the last accepted record.
  void emit() {
    const std::uint64_t last = index_ == 0 ? 0 : index_ - 1;
    sink_(solve(state_), event{last, static_cast<double>(last)});
  }

  /// The current fit (computed from the state; never cached).
  fit_type fit() const noexcept { return solve(state_); }
  /// The current fit with residual SD, R², standard errors and t statistics.
  line_inference<real_type> inference() const { return infer(state_); }

  const Accumulator& state() const noexcept { return state_; }
  Sink& sink() noexcept { return sink_; }
  const Sink& sink() const noexcept { return sink_; }
  /// Number of accepted records (the event index of the next one).
  std::uint64_t accepted() const noexcept { return index_; }
  /// Number of records rejected because x or y was NaN or infinite.
  std::uint64_t rejected() const noexcept { return rejected_; }

  /// Forgets all records; the sink is kept.
  void reset() noexcept {
    state_.reset();
    index_ = rejected_ = since_emit_ = 0;
  }

 private:
  static constexpr bool nothrow_sink =
      std::is_nothrow_invocable_v<Sink&, const fit_type&, const event&>;

  Accumulator state_{};
  Sink sink_{};
  Projection projection_{};
  std::uint64_t index_ = 0;
  std::uint64_t rejected_ = 0;
  std::uint64_t every_ = 1;
  std::uint64_t since_emit_ = 0;
};

/// Makes a regressor over `Accumulator` (default moments<double>) with the given sink.
template <class Accumulator = moments<double>, class Sink>
regressor<Accumulator, Sink> make_regressor(Sink sink) {
  return regressor<Accumulator, Sink>(std::move(sink));
}

/// Makes a regressor with a sink and a projection for user records.
template <class Accumulator = moments<double>, class Sink, class Projection>
regressor<Accumulator, Sink, Projection> make_regressor(Sink sink, Projection projection) {
  return regressor<Accumulator, Sink, Projection>(std::move(sink), std::move(projection));
}

}  // namespace streamreg

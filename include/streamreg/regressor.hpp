// SPDX-License-Identifier: MIT
// regressor: accumulator + solver + sink. push(record) updates, solves and emits.
#pragma once

#include <cstdint>      // std::uint64_t
#include <string>       // checkpoint_type
#include <type_traits>  // std::is_nothrow_invocable_v
#include <utility>      // std::move, std::declval

#include "config.hpp"
#include "fit.hpp"
#include "moments.hpp"
#include "prediction.hpp"
#include "record.hpp"
#include "sink.hpp"
#include "solve.hpp"

namespace streamreg {

namespace detail {
template <class S, class Args, class = void>
struct has_push_at_impl : std::false_type {};
template <class S, class... Args>
struct has_push_at_impl<S, void(Args...),
                        std::void_t<decltype(std::declval<S&>().push_at(0.0, std::declval<const Args&>()...))>>
    : std::true_type {};
template <class S, class... Args>
using has_push_at = has_push_at_impl<S, void(Args...)>;

template <class S, class Signature, class = void>
struct has_push_impl : std::false_type {};
template <class S, class... Args>
struct has_push_impl<S, void(Args...),
                     std::void_t<decltype(std::declval<S&>().push(std::declval<const Args&>()...))>>
    : std::true_type {};
/// Whether a state has push(args...) (time_window has only push_at).
template <class S, class... Args>
using has_push = has_push_impl<S, void(Args...)>;

template <class S, class Signature, class = void>
struct nothrow_push_impl : std::false_type {};
template <class S, class... Args>
struct nothrow_push_impl<S, void(Args...),
                         std::void_t<decltype(std::declval<S&>().push(std::declval<const Args&>()...))>>
    : std::bool_constant<noexcept(std::declval<S&>().push(std::declval<const Args&>()...))> {};
/// Whether a state's push(args...) exists and cannot throw (forgetting's may: a half-life in
/// event time refuses a record without its time).
template <class S, class... Args>
inline constexpr bool nothrow_push = nothrow_push_impl<S, void(Args...)>::value;
}  // namespace detail

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
  /// Starts from a given state: a configured window or forgetting state, or a restored one.
  regressor(Accumulator state, Sink sink, Projection projection = {})
      : state_(std::move(state)), sink_(std::move(sink)), projection_(std::move(projection)) {}

  /// Adds (x, y), solves and emits. Returns false if the record was rejected (not finite).
  /// The state's own push takes the record (the event's time is the record index): a state
  /// that has only push_at (time_window) needs the event time, so push does not compile for
  /// it; forgetting in event time (half_life_time) raises a config_error naming push_at.
  bool push(const value_type& x, const value_type& y) noexcept(nothrow_push2) {
    static_assert(detail::has_push<Accumulator, value_type, value_type>::value,
                  "this state keeps records by event time: use push_at(time, x, y)");
    if constexpr (detail::has_push<Accumulator, value_type, value_type>::value)
      return apply(static_cast<double>(index_), state_.push(x, y));
    else
      return false;
  }
  /// Adds (x, y) with weight w > 0; false (rejected) for an invalid weight.
  bool push(const value_type& x, const value_type& y, const value_type& w) noexcept(nothrow_push3) {
    static_assert(detail::has_push<Accumulator, value_type, value_type, value_type>::value,
                  "this state keeps records by event time: use push_at(time, x, y, w)");
    if constexpr (detail::has_push<Accumulator, value_type, value_type, value_type>::value)
      return apply(static_cast<double>(index_), state_.push(x, y, w));
    else
      return false;
  }

  /// As push, with an explicit event time (a time column, a Kafka timestamp). A state that
  /// uses time (time_window, forgetting by time) receives it; it may refuse a late record.
  bool push_at(double time, const value_type& x, const value_type& y) noexcept(nothrow_sink) {
    return apply(time, timed_push(time, x, y));
  }
  bool push_at(double time, const value_type& x, const value_type& y,
               const value_type& w) noexcept(nothrow_sink) {
    return apply(time, timed_push(time, x, y, w));
  }

  /// Retracts a record pushed before (a change stream's diff −1), then solves and emits like
  /// push. False (counted in rejected()) when the state refuses: see the state's pop.
  template <class S = Accumulator>
  auto pop(const value_type& x, const value_type& y) noexcept(nothrow_sink)
      -> decltype(std::declval<S&>().pop(x, y)) {
    return apply(static_cast<double>(index_), state_.pop(x, y));
  }
  template <class S = Accumulator>
  auto pop(const value_type& x, const value_type& y, const value_type& w) noexcept(nothrow_sink)
      -> decltype(std::declval<S&>().pop(x, y, w)) {
    return pop_at(static_cast<double>(index_), x, y, w);
  }
  template <class S = Accumulator>
  auto pop_at(double time, const value_type& x, const value_type& y,
              const value_type& w = value_type(1)) noexcept(nothrow_sink)
      -> decltype(std::declval<S&>().pop(x, y, w)) {
    return apply(time, state_.pop(x, y, w));
  }

  /// Adds a record through the projection: std::pair, std::tuple or a user type.
  template <class Record>
  bool push(const Record& record) noexcept(nothrow_push2) {
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
  /// The fitted value at x with the standard errors of the mean response and of a new
  /// observation (prediction.hpp; the interval at a level: student_t.hpp).
  prediction<real_type> predict_with_se(const value_type& x) const {
    return streamreg::predict(state_, real_type(x));
  }

  const Accumulator& state() const noexcept { return state_; }
  Sink& sink() noexcept { return sink_; }
  const Sink& sink() const noexcept { return sink_; }
  /// Number of accepted records (the event index of the next one).
  std::uint64_t accepted() const noexcept { return index_; }
  /// Number of records refused by the state: NaN or infinite x or y, an invalid weight, a
  /// late record in a time window, a pop the state could not undo.
  std::uint64_t rejected() const noexcept { return rejected_; }

  /// Forgets all records; the sink is kept.
  void reset() noexcept {
    state_.reset();
    index_ = rejected_ = since_emit_ = 0;
  }

 /// Checkpoint support (checkpoint.hpp): the state and the counters; the sink is not saved.
  static std::string checkpoint_type() {
    return "regressor<" + Accumulator::checkpoint_type() + ">";
  }
  /// restore_checkpoint's last step: takes the saved parts of `restored` (the state and the
  /// counters) and keeps this regressor's sink, so a regressor whose sink cannot be assigned
  /// (a lambda) is restored in place, in C++17 as in C++20.
  void restore_saved(regressor&& restored) {
    state_ = std::move(restored.state_);
    index_ = restored.index_;
    rejected_ = restored.rejected_;
    every_ = restored.every_;
    since_emit_ = restored.since_emit_;
  }
  template <class Archive>
  void serialize(Archive& ar) {
    state_.serialize(ar);
    ar.field("index", index_);
    ar.field("rejected", rejected_);
    ar.field("emit_every", every_);
    ar.field("since_emit", since_emit_);
  }

 private:
  template <class... Args>
  bool timed_push(double time, const Args&... args) noexcept {
    if constexpr (detail::has_push_at<Accumulator, Args...>::value) {
      return state_.push_at(time, args...);
    } else {
      (void)time;
      return state_.push(args...);
    }
  }

  /// After an update of the state: count, solve and emit.
  bool apply(double time, bool accepted) noexcept(nothrow_sink) {
    if (!accepted) {
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

  static constexpr bool nothrow_sink =
      std::is_nothrow_invocable_v<Sink&, const fit_type&, const event&>;
  static constexpr bool nothrow_push2 =
      nothrow_sink && detail::nothrow_push<Accumulator, value_type, value_type>;
  static constexpr bool nothrow_push3 =
      nothrow_sink && detail::nothrow_push<Accumulator, value_type, value_type, value_type>;

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

/// Makes a regressor over a configured state (a window, a forgetting state) with a sink:
/// `make_regressor_for(count_window<>(1000), sink)`.
template <class Accumulator, class Sink>
regressor<Accumulator, Sink> make_regressor_for(Accumulator state, Sink sink) {
  return regressor<Accumulator, Sink>(std::move(state), std::move(sink));
}

/// Makes a regressor with a sink and a projection for user records.
template <class Accumulator = moments<double>, class Sink, class Projection>
regressor<Accumulator, Sink, Projection> make_regressor(Sink sink, Projection projection) {
  return regressor<Accumulator, Sink, Projection>(std::move(sink), std::move(projection));
}

}  // namespace streamreg

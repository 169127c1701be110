// SPDX-License-Identifier: MIT
// Windows over any state with pop: the last N records (count_window) or the records of the
// last Δ of event time (time_window), with periodic exact rebuilds that bound the drift.
#pragma once

#include <cstddef>  // std::size_t
#include <cstdint>  // std::uint64_t
#include <string>       // checkpoint_type
#include <type_traits>  // std::is_same_v
#include <utility>      // std::declval
#include <vector>       // std::vector

#include "config.hpp"
#include "detail/scalar.hpp"
#include "error.hpp"
#include "moments.hpp"

namespace streamreg {

namespace detail {

/// A ring buffer of records that grows by doubling when full (a count window never grows: it
/// is allocated once at its capacity).
template <class Record>
class ring {
 public:
  explicit ring(std::size_t capacity) : buf_(capacity == 0 ? 1 : capacity) {}

  std::size_t size() const noexcept { return size_; }
  std::size_t capacity() const noexcept { return buf_.size(); }
  bool empty() const noexcept { return size_ == 0; }
  bool full() const noexcept { return size_ == buf_.size(); }

  /// i-th record from the oldest (0) to the newest (size() − 1).
  const Record& operator[](std::size_t i) const noexcept { return buf_[wrap(head_ + i)]; }
  const Record& front() const noexcept { return buf_[head_]; }
  const Record& back() const noexcept { return (*this)[size_ - 1]; }

  void push_back(const Record& r) {
    if (full()) grow();
    buf_[wrap(head_ + size_)] = r;
    ++size_;
  }
  /// Overwrites the oldest record with `r`, which becomes the newest. Requires: full().
  void replace_front(const Record& r) noexcept {
    buf_[head_] = r;
    head_ = wrap(head_ + 1);
  }
  void pop_front() noexcept {
    head_ = wrap(head_ + 1);
    --size_;
  }
  void clear() noexcept { head_ = size_ = 0; }

  /// Checkpoint support: the records, oldest first. A loaded count window must fit its
  /// capacity (`fixed`); a time window's buffer grows as needed.
  template <class Archive>
  void serialize(Archive& ar, bool fixed) {
    std::uint64_t n = size_;
    ar.field("records", n);
    if constexpr (Archive::loading) {
      if (fixed && n > buf_.size()) ar.fail("more records than the window holds");
      clear();
      for (std::uint64_t i = 0; i < n; ++i) {
        Record r;
        r.serialize(ar);
        push_back(r);
      }
    } else {
      for (std::size_t i = 0; i < size_; ++i) {
        Record r = (*this)[i];
        r.serialize(ar);
      }
    }
  }

  friend bool operator==(const ring& a, const ring& b) noexcept {
    if (a.size_ != b.size_) return false;
    for (std::size_t i = 0; i < a.size_; ++i)
      if (!(a[i] == b[i])) return false;
    return true;
  }

 private:
  std::size_t wrap(std::size_t i) const noexcept { return i >= buf_.size() ? i - buf_.size() : i; }
  void grow() {
    std::vector<Record> bigger(buf_.size() * 2);
    for (std::size_t i = 0; i < size_; ++i) bigger[i] = (*this)[i];
    buf_.swap(bigger);
    head_ = 0;
  }

  std::vector<Record> buf_;
  std::size_t head_ = 0;
  std::size_t size_ = 0;
};

/// Recomputes `state` from the records of `ring`, oldest first.
template <class State, class Ring>
void rebuild(State& state, const Ring& records) noexcept {
  if constexpr (std::is_same_v<State, moments<typename State::value_type>>) {
    state.assign_two_pass([&records](auto&& f) {
      for (std::size_t i = 0; i < records.size(); ++i) f(records[i].x, records[i].y, records[i].w);
    });
  } else {
    state.reset();
    for (std::size_t i = 0; i < records.size(); ++i)
      state.push(records[i].x, records[i].y, records[i].w);
  }
}

template <class T>
struct window_record {
  T x{}, y{}, w{};
  double t = 0;
  friend bool operator==(const window_record& a, const window_record& b) noexcept {
    return a.x == b.x && a.y == b.y && a.w == b.w && a.t == b.t;
  }
  template <class Archive>
  void serialize(Archive& ar) {
    detail::scalar_field(ar, "x", x);
    detail::scalar_field(ar, "y", y);
    detail::scalar_field(ar, "w", w);
    ar.field("t", t);
  }
};

/// The state interface forwarded from a window's inner state.
template <class Derived, class State>
class forward_state {
 public:
  using value_type = typename State::value_type;
  using real_type = typename State::real_type;
  using accum_type = detail::accum_t<State>;

  std::uint64_t count() const noexcept { return inner().count(); }
  auto weight_sum() const noexcept { return inner().weight_sum(); }
  auto shift_x() const noexcept { return inner().shift_x(); }
  auto shift_y() const noexcept { return inner().shift_y(); }
  auto mean_dx() const noexcept { return inner().mean_dx(); }
  auto mean_dy() const noexcept { return inner().mean_dy(); }
  auto sxx() const noexcept { return inner().sxx(); }
  auto sxy() const noexcept { return inner().sxy(); }
  auto syy() const noexcept { return inner().syy(); }
  // The reference line and carried residual sum of moments, where the inner state has them.
  template <class S = State>
  auto reference_slope() const noexcept -> decltype(std::declval<const S&>().reference_slope()) {
    return inner().reference_slope();
  }
  template <class S = State>
  auto relative_slope() const noexcept -> decltype(std::declval<const S&>().relative_slope()) {
    return inner().relative_slope();
  }
  template <class S = State>
  auto reference_intercept() const noexcept
      -> decltype(std::declval<const S&>().reference_intercept()) {
    return inner().reference_intercept();
  }
  template <class S = State>
  auto mean_dv() const noexcept -> decltype(std::declval<const S&>().mean_dv()) {
    return inner().mean_dv();
  }
  template <class S = State>
  auto sse() const noexcept -> decltype(std::declval<const S&>().sse()) {
    return inner().sse();
  }

 private:
  const State& inner() const noexcept { return static_cast<const Derived&>(*this).state(); }
};

}  // namespace detail

/// The fit over the last N records. Pushing into a full window first pops the oldest record.
///
/// A full window slides by a pop and a push (a pop the state refuses triggers a rebuild).
/// Drift: the sliding updates leave rounding behind, and it grows faster than
/// linearly with the number of slides as the data move away from the state's origin. Every
/// `rebuild_every` evictions (default N, one window turnover) the state is recomputed from
/// the buffer by the two-pass formulas, with the oldest record as its new origin, so the error
/// never exceeds that of one pass plus N slides. Measured on offset data (x ≈ 1.7e9, 1000-record
/// window) against the exact fit of the window: 1.5e-16 relative over 10⁸ slides with
/// rebuilds every N (5.8e-15 before the reference-line state); 2.8e-12 every 4N and 1.1e-8 every 100N after 3·10⁵ (README, "Windows").
///
/// Requires: `State` has push, pop (with weights) and the state read interface.
/// Complexity: O(1) amortised per push (a pop and a push, and three cheap passes over the
/// buffer every N slides);
/// memory N records, allocated once at construction.
template <class State = moments<double>>
class count_window : public detail::forward_state<count_window<State>, State> {
 public:
  using value_type = typename State::value_type;
  using record = detail::window_record<value_type>;

  /// Requires: n >= 1 (config_error otherwise). `rebuild_every` 0 means n.
  explicit count_window(std::size_t n, std::uint64_t rebuild_every = 0)
      : records_(check(n)), rebuild_every_(rebuild_every == 0 ? std::uint64_t(n) : rebuild_every) {}

  bool push(const value_type& x, const value_type& y) noexcept {
    return push(x, y, value_type(1));
  }
  /// Adds a weighted record, evicting the oldest when full. False (nothing changed) if x, y
  /// or w is not finite or w <= 0.
  bool push(const value_type& x, const value_type& y, const value_type& w) noexcept {
    if (!detail::valid_record(x, y, w)) return false;
    if (!records_.full()) {
      records_.push_back(record{x, y, w, 0});
      state_.push(x, y, w);
      return true;
    }
    const record old = records_.front();
    records_.replace_front(record{x, y, w, 0});
    // A pop the state refuses (its drift made the record look inconsistent) is replaced by
    // a rebuild from the buffer, which already holds the new record.
    if (++evictions_ >= rebuild_every_ || !state_.pop(old.x, old.y, old.w)) {
      rebuild();
    } else {
      state_.push(x, y, w);
    }
    return true;
  }

  /// Recomputes the state from the buffer (two-pass where the state offers it).
  void rebuild() noexcept {
    detail::rebuild(state_, records_);
    evictions_ = 0;
  }

  void reset() noexcept {
    state_.reset();
    records_.clear();
    evictions_ = 0;
  }

  std::size_t size() const noexcept { return records_.size(); }
  std::size_t capacity() const noexcept { return records_.capacity(); }
  /// i-th record in the window, oldest first.
  const record& operator[](std::size_t i) const noexcept { return records_[i]; }
  const State& state() const noexcept { return state_; }
  std::uint64_t rebuild_every() const noexcept { return rebuild_every_; }
  std::uint64_t evictions_since_rebuild() const noexcept { return evictions_; }

  friend bool operator==(const count_window& a, const count_window& b) noexcept {
    return a.state_ == b.state_ && a.records_ == b.records_ && a.evictions_ == b.evictions_ &&
           a.rebuild_every_ == b.rebuild_every_;
  }

  /// Checkpoint support (checkpoint.hpp): the state as it is (not rebuilt), the records and
  /// the counters, so a restored window continues bit for bit.
  static std::string checkpoint_type() {
    return "count_window<" + State::checkpoint_type() + ">";
  }
  template <class Archive>
  void serialize(Archive& ar) {
    std::uint64_t capacity = records_.capacity();
    ar.field("capacity", capacity);
    if (capacity != records_.capacity()) ar.fail("the window size differs from this window's");
    ar.field("rebuild_every", rebuild_every_);
    ar.field("evictions", evictions_);
    records_.serialize(ar, true);
    state_.serialize(ar);
  }

 private:
  static std::size_t check(std::size_t n) {
    if (n == 0) STREAMREG_THROW(config_error("count_window: the window size must be at least 1"));
    return n;
  }

  detail::ring<record> records_;
  State state_{};
  std::uint64_t rebuild_every_;
  std::uint64_t evictions_ = 0;
};

/// The fit over the records of the last `span` of event time: after a record at time t, the
/// window holds the records with time > t − span. Records must arrive in time order: a record
/// earlier than the newest one is refused (push_at returns false; accepts_time() tells
/// beforehand). Drift is bounded as in count_window, by a rebuild after as many evictions as
/// the window holds records at that moment (once per turnover; a floor such as 64 would let a
/// window of a few records drift through many turnovers: measured 8e-12 instead of 4e-15).
///
/// Complexity: O(1) amortised per record; the buffer grows (doubling) to the largest number
/// of records the window has held, then no more allocation.
template <class State = moments<double>>
class time_window : public detail::forward_state<time_window<State>, State> {
 public:
  using value_type = typename State::value_type;
  using record = detail::window_record<value_type>;

  /// Requires: span > 0 and finite (config_error otherwise).
  explicit time_window(double span, std::size_t initial_capacity = 64)
      : records_(initial_capacity), span_(check(span)) {}

  /// True if a record at time `t` can be pushed: t finite and not earlier than the newest.
  bool accepts_time(double t) const noexcept {
    return detail::is_finite(t) && (records_.empty() || t >= records_.back().t);
  }

  bool push_at(double t, const value_type& x, const value_type& y) {
    return push_at(t, x, y, value_type(1));
  }
  /// Adds a record at time t and evicts the records at or before t − span. False (nothing
  /// changed) for a late or non-finite time, non-finite x or y, or w <= 0.
  bool push_at(double t, const value_type& x, const value_type& y, const value_type& w) {
    if (!accepts_time(t) || !detail::valid_record(x, y, w)) return false;
    const double horizon = t - span_;
    while (!records_.empty() && records_.front().t <= horizon) {
      const record& old = records_.front();
      if (!state_.pop(old.x, old.y, old.w)) evictions_ = rebuild_threshold();  // rebuild below
      records_.pop_front();
      ++evictions_;
    }
    records_.push_back(record{x, y, w, t});
    if (evictions_ >= rebuild_threshold()) {
      rebuild();
    } else {
      state_.push(x, y, w);
    }
    return true;
  }

  /// Recomputes the state from the buffer (two-pass where the state offers it).
  void rebuild() noexcept {
    detail::rebuild(state_, records_);
    evictions_ = 0;
  }

  void reset() noexcept {
    state_.reset();
    records_.clear();
    evictions_ = 0;
  }

  double span() const noexcept { return span_; }
  std::size_t size() const noexcept { return records_.size(); }
  const record& operator[](std::size_t i) const noexcept { return records_[i]; }
  const State& state() const noexcept { return state_; }

  friend bool operator==(const time_window& a, const time_window& b) noexcept {
    return a.state_ == b.state_ && a.records_ == b.records_ && a.evictions_ == b.evictions_ &&
           a.span_ == b.span_;
  }

  /// Checkpoint support (checkpoint.hpp), as count_window.
  static std::string checkpoint_type() {
    return "time_window<" + State::checkpoint_type() + ">";
  }
  template <class Archive>
  void serialize(Archive& ar) {
    double span = span_;
    ar.field("span", span);
    if (span != span_) ar.fail("the window span differs from this window's");
    ar.field("evictions", evictions_);
    records_.serialize(ar, false);
    state_.serialize(ar);
  }

 private:
  static double check(double span) {
    if (!(span > 0) || !detail::is_finite(span))
      STREAMREG_THROW(config_error("time_window: the span must be positive and finite"));
    return span;
  }
  std::uint64_t rebuild_threshold() const noexcept {
    const std::uint64_t n = std::uint64_t(records_.size());
    return n < 1 ? 1 : n;
  }

  detail::ring<record> records_;
  State state_{};
  double span_;
  std::uint64_t evictions_ = 0;
};

}  // namespace streamreg

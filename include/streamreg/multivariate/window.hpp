// SPDX-License-Identifier: MIT
// The records a windowed several-predictor regression holds: the last N (a count window) or
// those of the last span of event time (a time window), in the ring buffer of the
// one-predictor windows (window.hpp), with the same rule for leaving and for rebuilding.
#pragma once

#include "../error.hpp"
#include "../window.hpp"

#include <cmath>    // std::isfinite
#include <cstddef>  // std::size_t
#include <cstdint>  // std::uint64_t
#include <string>   // field names
#include <vector>   // loading

namespace streamreg::multivariate::detail {

/// The records of a window and when they leave. A count window of N holds the last N
/// records; a time window of span D, after a record at time t, those with time > t − D (the
/// owner refuses a record earlier than the newest). The owner removes each record that leaves
/// from its state, except once per turnover (as many departures as the window holds
/// records), when it rebuilds the state from the records that stay instead: rounding from
/// removals never accumulates (as count_window and time_window of window.hpp).
template <class Input>
class record_window {
 public:
  struct record {
    Input x;
    double y = 0, w = 1, t = 0;
  };

  /// `count` > 0: a count window; `span` > 0: a time window; both 0: no window.
  record_window(std::uint64_t count, double span)
      : records_(count > 0 ? static_cast<std::size_t>(count) : 64), count_(count), span_(span) {
    if (count > 0 && span > 0) throw config_error("a count window and a time window exclude each other");
    if (span < 0 || !std::isfinite(span)) throw config_error("the window span must be positive and finite");
  }

  bool active() const noexcept { return count_ > 0 || span_ > 0; }
  bool timed() const noexcept { return span_ > 0; }
  std::size_t size() const noexcept { return records_.size(); }
  /// i-th record held, oldest first.
  const record& operator[](std::size_t i) const noexcept { return records_[i]; }

  /// Before a record at time t enters: the records that leave go, each through `remove(r)`
  /// (false: the state refused it, so it is rebuilt), or, once per turnover, through
  /// `rebuild(*this)` after they left.
  template <class Remove, class Rebuild>
  void make_room(double t, Remove&& remove, Rebuild&& rebuild) {
    if (!timed()) {
      if (count_ == 0 || records_.size() < count_) return;
      if (++departed_ % count_ == 0) {  // the count window's rule, as it always was
        records_.pop_front();
        rebuild(*this);
      } else {
        const record old = records_.front();
        records_.pop_front();
        if (!remove(old)) rebuild(*this);
      }
      return;
    }
    bool refused = false;
    while (!records_.empty() && records_.front().t <= t - span_) {
      const record old = records_.front();
      records_.pop_front();
      ++departed_;
      if (!refused && !remove(old)) refused = true;
    }
    if (refused || departed_ >= (records_.size() < 1 ? 1 : records_.size())) {
      departed_ = 0;
      rebuild(*this);
    }
  }

  /// Before a record at time t enters, for a state that cannot remove records (two_stacks.hpp):
  /// the records that leave go, oldest first, each followed by `leave(record)`.
  template <class Leave>
  void evict(double t, Leave&& leave) {
    if (!timed()) {
      if (count_ == 0 || records_.size() < count_) return;
      const record old = records_.front();
      records_.pop_front();
      leave(old);
      return;
    }
    while (!records_.empty() && records_.front().t <= t - span_) {
      const record old = records_.front();
      records_.pop_front();
      leave(old);
    }
  }

  /// The record enters (after make_room and the state's update).
  void add(record r) { records_.push_back(std::move(r)); }

  /// Checkpoint fields: count windows as they always were (window.size, window.head, the
  /// records oldest first from `head`), time windows also the time of each record.
  template <class Archive>
  void serialize(Archive& ar, int inputs) {
    std::uint64_t held = records_.size(), head = 0, departed = departed_;
    ar.field("window.size", held);
    ar.field("window.head", head);
    ar.field("window.evicted", departed);
    if constexpr (Archive::loading) {
      if ((count_ > 0 && held > count_) || (held > 0 && head >= held))
        Archive::fail("window larger than the configured one");
      if (held > 0 && !active()) Archive::fail("a window's records in a regression without one");
      std::vector<record> slots(static_cast<std::size_t>(held));
      for (std::size_t i = 0; i < slots.size(); ++i) field(ar, slots[i], i, inputs);
      records_.clear();
      for (std::size_t i = 0; i < slots.size(); ++i)  // a ring saved from `head` on
        records_.push_back(std::move(slots[(static_cast<std::size_t>(head) + i) % slots.size()]));
      departed_ = departed;
    } else {
      for (std::size_t i = 0; i < records_.size(); ++i) {
        record r = records_[i];
        field(ar, r, i, inputs);
      }
    }
  }

 private:
  template <class Archive>
  void field(Archive& ar, record& r, std::size_t i, int inputs) const {
    const std::string at = "window." + std::to_string(i);
    if constexpr (Archive::loading) r.x.resize(inputs);
    for (int j = 0; j < inputs; ++j) ar.field(at + ".x" + std::to_string(j), r.x(j));
    ar.field(at + ".y", r.y);
    ar.field(at + ".w", r.w);
    if (timed()) ar.field(at + ".t", r.t);
  }

  streamreg::detail::ring<record> records_;
  std::uint64_t count_ = 0;
  double span_ = 0;
  std::uint64_t departed_ = 0;
};

}  // namespace streamreg::multivariate::detail

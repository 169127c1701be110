// SPDX-License-Identifier: MIT
// forgetting: exponentially weighted moments. A record k records (or k time units) old
// weighs λ^k: a factor per record, a half-life in records, or a half-life in event time.
#pragma once

#include <cmath>    // std::pow
#include <cstdint>  // std::uint64_t
#include <string>   // checkpoint_type

#include "config.hpp"
#include "detail/scalar.hpp"
#include "error.hpp"
#include "moments.hpp"

namespace streamreg {

/// Exponentially weighted least-squares state: before each record, everything already in
/// the state is multiplied by the decay factor, so a record k records old weighs λ^k (times
/// its own weight). With a half-life H in records, λ = 0.5^(1/H); in event time, a record
/// Δt older weighs 0.5^(Δt/H).
///
/// The update is the weighted Welford/West update of moments<T> after scaling the weight sum
/// and co-moments (the means are unaffected by a common factor), so it keeps the accuracy of
/// moments on offset data; errors made k records ago decay like λ^k.
///
/// Inference (infer) treats the state as an effective sample of n_eff = (Σw)² / Σw² records
/// (Kish): degrees of freedom n_eff − 2, residual SD scaled to one record's weight.
///
/// Requires: 0 < λ ≤ 1, or H > 0 (config_error otherwise). λ = 1 is no forgetting.
/// Complexity: O(1) per push; no allocation.
template <class T = double>
class forgetting {
 public:
  using value_type = T;
  using real_type = T;

  /// Decay per record: a record k records old weighs factor^k.
  static forgetting per_record(T factor) { return forgetting(check_factor(factor), false); }
  /// Half-life in records: a record H records old weighs 1/2.
  static forgetting half_life(T records) {
    return forgetting(check_factor(T(std::pow(T(0.5), T(1) / check_half_life(records)))), false);
  }
  /// Half-life in event time (push_at): a record H time units older weighs 1/2.
  static forgetting half_life_time(double span) {
    const T rate = T(T(1) / T(check_half_life(T(span))));
    if (!detail::is_finite(rate))  // a subnormal half-life: 1/H overflows
      STREAMREG_THROW(config_error("forgetting: the half-life is too short"));
    return forgetting(rate, true);
  }

  /// Adds a record (one record's decay first). With a half-life in event time the decay
  /// needs the record's time: push raises a config_error naming push_at (a record index or
  /// the last time would be a silent wrong decay), before looking at the record.
  bool push(const T& x, const T& y) { return push(x, y, T(1)); }
  bool push(const T& x, const T& y, const T& w) {
    if (by_time_)
      STREAMREG_THROW(config_error(
          "forgetting in event time (half_life_time) needs each record's time: use "
          "push_at(time, x, y) instead of push(x, y)"));
    return push_record(x, y, w);
  }

  /// Adds a record at event time t. With a time half-life the state decays by
  /// 0.5^((t − t_prev)/H); records must come in time order (false for an earlier t).
  /// With a per-record factor the time is ignored.
  bool push_at(double t, const T& x, const T& y) noexcept { return push_at(t, x, y, T(1)); }
  bool push_at(double t, const T& x, const T& y, const T& w) noexcept {
    if (!by_time_) return push_record(x, y, w);
    if (!detail::valid_record(x, y, w) || !detail::is_finite(t)) return false;
    if (state_.count() > 0) {
      if (t < last_t_) return false;
      const T f = T(std::pow(T(0.5), T(T(t - last_t_) * lambda_)));
      if (f > T(0)) {
        state_.scale(f);
        w2_ = T(w2_ * f * f);
      } else {
        // A gap of more than ~1075 half-lives (double): the factor underflows to 0, the
        // records before it weigh nothing, and the state restarts with this record.
        state_.reset();
        w2_ = T(0);
      }
    }
    last_t_ = t;
    w2_ = T(w2_ + w * w);
    return state_.push(x, y, w);
  }

  void reset() noexcept {
    state_.reset();
    w2_ = T(0);
    last_t_ = 0;
  }

  /// The decay factor per record, or 1/H (per unit of time) with a time half-life.
  T factor() const noexcept { return lambda_; }
  bool by_time() const noexcept { return by_time_; }
  double last_time() const noexcept { return last_t_; }
  /// Kish's effective number of records, (Σw)² / Σw².
  T effective_count() const noexcept {
    return w2_ > T(0) ? T(state_.weight_sum() * state_.weight_sum() / w2_) : T(0);
  }
  const moments<T>& state() const noexcept { return state_; }

  // The state read interface (see moments).
  using accum_type = typename moments<T>::accum_type;
  std::uint64_t count() const noexcept { return state_.count(); }
  accum_type weight_sum() const noexcept { return state_.weight_sum(); }
  accum_type shift_x() const noexcept { return state_.shift_x(); }
  accum_type shift_y() const noexcept { return state_.shift_y(); }
  accum_type reference_slope() const noexcept { return state_.reference_slope(); }
  accum_type relative_slope() const noexcept { return state_.relative_slope(); }
  accum_type reference_intercept() const noexcept { return state_.reference_intercept(); }
  accum_type mean_dx() const noexcept { return state_.mean_dx(); }
  accum_type mean_dv() const noexcept { return state_.mean_dv(); }
  accum_type mean_dy() const noexcept { return state_.mean_dy(); }
  accum_type sxx() const noexcept { return state_.sxx(); }
  accum_type sxv() const noexcept { return state_.sxv(); }
  accum_type sxy() const noexcept { return state_.sxy(); }
  accum_type sse() const noexcept { return state_.sse(); }
  accum_type syy() const noexcept { return state_.syy(); }

  friend bool operator==(const forgetting& a, const forgetting& b) noexcept {
    return a.state_ == b.state_ && a.lambda_ == b.lambda_ && a.by_time_ == b.by_time_ &&
           a.w2_ == b.w2_ && a.last_t_ == b.last_t_;
  }

  /// Checkpoint support (checkpoint.hpp).
  static std::string checkpoint_type() {
    return std::string("forgetting<") + detail::scalar_name<T>() + ">";
  }
  template <class Archive>
  void serialize(Archive& ar) {
    state_.serialize(ar);
    // The configuration is checked, not restored (as the windows' size and span).
    T factor = lambda_;
    ar.field("factor", factor);
    bool by_time = by_time_;
    ar.field("by_time", by_time);
    if (factor != lambda_ || by_time != by_time_)
      ar.fail("the forgetting factor differs from this state's");
    ar.field("weight_sq_sum", w2_);
    ar.field("last_time", last_t_);
  }

 private:
  forgetting(T lambda, bool by_time) : lambda_(lambda), by_time_(by_time) {}

  /// A record with a per-record factor.
  bool push_record(const T& x, const T& y, const T& w) noexcept {
    if (!detail::valid_record(x, y, w)) return false;
    state_.scale(lambda_);
    w2_ = T(w2_ * lambda_ * lambda_ + w * w);
    return state_.push(x, y, w);
  }

  static T check_factor(T f) {
    if (!(f > T(0) && f <= T(1)))
      STREAMREG_THROW(config_error("forgetting: the factor must be in (0, 1]"));
    return f;
  }
  static T check_half_life(T h) {
    if (!(h > T(0)) || !detail::is_finite(h))
      STREAMREG_THROW(config_error("forgetting: the half-life must be positive and finite"));
    return h;
  }

  moments<T> state_{};
  T lambda_;
  bool by_time_;
  T w2_{};         // Σw², decayed like the weights (squared factor)
  double last_t_ = 0;
};

}  // namespace streamreg

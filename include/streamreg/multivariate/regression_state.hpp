// SPDX-License-Identifier: MIT
// The state side of multivariate::regression (regression.hpp): the records it holds and how
// they come and go — push, push at an event time, pop, merge, count and time windows,
// forgetting, checkpoints — in the coordinates of its frame (frame.hpp), relative to a
// reference fit. The solver side (the fit, inference and predictions) derives from it.
#pragma once

#include "../error.hpp"
#include "coordinates.hpp"
#include "double_double.hpp"
#include "frame.hpp"
#include "results.hpp"
#include "state.hpp"
#include "two_stacks.hpp"
#include "window.hpp"
#include "window_sums.hpp"

#include <algorithm>  // std::min, std::max
#include <cmath>      // std::isfinite, std::exp2, std::log10
#include <cstddef>    // std::size_t
#include <cstdint>    // std::uint64_t
#include <string>     // checkpoint_type, messages
#include <utility>    // std::move

// g++ -O3 reports "potential null pointer dereference" on Eigen's heap storage of
// dynamic-size matrices inlined here (the allocation throws, never returns null).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnull-dereference"
#endif

namespace streamreg::multivariate {

/// State policy tags (see state.hpp).
struct givens {
  template <class T, int K>
  using state = givens_state<T, K>;
};
struct moments {
  template <class T, int K>
  using state = moments_state<T, K>;
};
struct normal_equations {
  template <class T, int K>
  using state = normal_equations_state<T, K>;
};

template <class T, int P, class Policy>
class regression_state {
 public:
  static constexpr int max_coefficients = P == Eigen::Dynamic ? Eigen::Dynamic : P + 1;
  using scalar = T;
  using vector = vector_t<T, max_coefficients>;
  using matrix = matrix_t<T, max_coefficients>;
  using state_type = typename Policy::template state<T, max_coefficients>;
  using fit_type = multi_fit<T, max_coefficients>;
  using inference_type = multi_inference<T, max_coefficients>;
  /// The inputs of one record (P of them; 1 for a polynomial), in double.
  using input = Eigen::Matrix<double, Eigen::Dynamic, 1, 0,
                              P == Eigen::Dynamic ? Eigen::Dynamic : P, 1>;

 protected:
  using frame_type = detail::frame<T, P>;
  using wide = typename frame_type::wide;

 public:

  explicit regression_state(options o = {}) : opt_(std::move(o)) {
    int p = P;
    if constexpr (P == Eigen::Dynamic) {
      p = opt_.degree > 0 ? opt_.degree : opt_.predictors;
    } else if (opt_.predictors != 0 && opt_.predictors != P) {
      throw config_error("options.predictors differs from the compile-time P");
    }
    if (p < 1) throw config_error("a regression needs at least one predictor");
    if (opt_.degree > 0 && opt_.degree != p)
      throw config_error("a polynomial of degree K has K predictors: P must equal the degree");
    if (opt_.degree < 0) throw config_error("polynomial degree must be positive");
    if (!(opt_.ridge >= 0) || !(opt_.ridge < 1e308)) throw config_error("ridge must be >= 0");
    if (!(opt_.forgetting > 0 && opt_.forgetting <= 1))
      throw config_error("forgetting factor must be in (0, 1]");
    if (!(opt_.half_life_time >= 0) || !std::isfinite(opt_.half_life_time))
      throw config_error("the half-life in time must be positive and finite");
    if (!(opt_.window_time >= 0) || !std::isfinite(opt_.window_time))
      throw config_error("the window span must be positive and finite");
    if (opt_.half_life_time > 0 && opt_.forgetting < 1)
      throw config_error("forgetting per record and per unit of time exclude each other");
    window_ = window_type(opt_.window, opt_.window_time);
    if (window_.active() && forgets())
      throw config_error("a window and forgetting exclude each other");
    frame_ = frame_type(opt_, p);
    k_ = frame_.coefficients();
    inputs_ = frame_.inputs();
    state_ = state_type(k_, opt_.intercept);
    if constexpr (stacked) stacks_.reset(k_, opt_.intercept);
    if constexpr (refines) sums_.reset(k_);
    ref_.setZero(k_);
  }

  const options& config() const noexcept { return opt_; }
  int predictors() const noexcept { return frame_.predictors(); }
  int coefficients() const noexcept { return k_; }
  int inputs() const noexcept { return inputs_; }
  const state_type& state() const noexcept { return state_; }
  std::uint64_t count() const noexcept { return state_.counts().n; }

  /// Adds a record: `x` holds inputs() values. Returns false (and changes nothing) for a
  /// non-finite value or a weight that is not > 0. A regression over event time (a time
  /// window, forgetting per unit of time) needs push_at (config_error otherwise).
  template <class Derived>
  bool push(const Eigen::MatrixBase<Derived>& x, double y, double w = 1) {
    return push(x.derived().data(), y, w, x.size());
  }
  /// Adds a record of one input (a polynomial, or P = 1).
  bool push(double x, double y, double w = 1) { return push(&x, y, w, 1); }
  /// Adds a record from a pointer to inputs() values.
  bool push(const double* x, double y, double w, Eigen::Index size) {
    if (timed())
      throw config_error("a time window or forgetting per unit of time needs push_at(time, ...)");
    return push_at(last_time_, x, y, w, size);
  }

  /// Adds a record at event time `t` (a time column, a Kafka timestamp): a time window keeps
  /// the records with time > t − window_time, forgetting per unit of time multiplies the
  /// earlier weights by 2^(−Δt / half_life_time). Returns false (nothing changes) as push
  /// does, and for a record earlier than the newest one or a non-finite t when the
  /// regression uses time (otherwise t is not used).
  template <class Derived>
  bool push_at(double t, const Eigen::MatrixBase<Derived>& x, double y, double w = 1) {
    return push_at(t, x.derived().data(), y, w, x.size());
  }
  bool push_at(double t, double x, double y, double w = 1) { return push_at(t, &x, y, w, 1); }
  bool push_at(double t, const double* x, double y, double w, Eigen::Index size) {
    if (size != inputs_) throw config_error("a record needs " + std::to_string(inputs_) + " inputs");
    if (!valid(x, y, w)) return false;
    // Over event time: a finite t, not earlier than the newest record's.
    if (timed() && (!std::isfinite(t) || (state_.counts().n > 0 && !(t >= last_time_))))
      return false;
    if (window_.active()) make_room(t);
    if (frame_.needs_origin()) frame_.set_origin(x, y);
    if (state_.counts().n > 0) {
      if (opt_.forgetting < 1) state_.scale(T(opt_.forgetting));
      if (opt_.half_life_time > 0 && t > last_time_)
        state_.scale(T(std::exp2(-(t - last_time_) / opt_.half_life_time)));
    }
    vector z(k_);
    frame_.features(x, z);
    if constexpr (refines) {
      if (window_.active()) sums_.update(z, y, frame_.y_origin(), w, 1.0);
    }
    if (stacked && window_.active()) {  // a window of two stacks
      stacks_.push(z, response(z, y), T(w));
      stacks_.combine(state_);
    } else {
      state_.add(z, response(z, y), T(w));
    }
    if (window_.active()) {
      typename window_type::record r;
      r.x.resize(inputs_);
      for (int i = 0; i < inputs_; ++i) r.x(i) = x[i];
      r.y = y;
      r.w = w;
      r.t = t;
      window_.add(std::move(r));
    }
    if (timed()) last_time_ = t;
    const std::uint64_t p = ++pushes_;
    if (p <= rebase_every ? (p & (p - 1)) == 0 : p % rebase_every == 0) rebase();
    return true;
  }

  /// Removes a record pushed before (same values). Returns false when the state cannot
  /// have held it or the policy cannot remove (givens: use moments or normal_equations).
  template <class Derived>
  bool pop(const Eigen::MatrixBase<Derived>& x, double y, double w = 1) {
    return pop(x.derived().data(), y, w, x.size());
  }
  bool pop(double x, double y, double w = 1) { return pop(&x, y, w, 1); }
  bool pop(const double* x, double y, double w, Eigen::Index size) {
    if (window_.active()) throw config_error("records leave a window by themselves");
    if constexpr (!state_type::can_remove) {
      (void)x, (void)y, (void)w, (void)size;
      return false;
    } else {
      if (size != inputs_) throw config_error("a record needs " + std::to_string(inputs_) + " inputs");
      if (!valid(x, y, w) || frame_.needs_origin()) return false;
      vector z(k_);
      frame_.features(x, z);
      return state_.remove(z, response(z, y), T(w));
    }
  }

  /// Adds every record of `o` (built with the same options; any origin: the lighter part's
  /// state moves to the heavier part's origin and reference fit, exactly in algebra, and the
  /// merged state's reference then moves to the merged fit).
  void merge(const regression_state& o) {
    if (o.state_.counts().n == 0) return;
    if (window_.active()) throw config_error("windows cannot be merged");
    if (opt_.half_life_time > 0)
      throw config_error("regressions forgetting per unit of time cannot be merged");
    if (k_ != o.k_ || opt_.intercept != o.opt_.intercept || opt_.degree != o.opt_.degree)
      throw config_error("merge needs regressions of the same shape");
    if (state_.counts().n == 0) {
      frame_.adopt_origin(o.frame_);
      state_ = o.state_;
      ref_ = o.ref_;
      pushes_ += o.pushes_;
      return;
    }
    const bool same = ref_ == o.ref_ && frame_.same_origin(o.frame_);
    if (same) {
      state_.merge(o.state_);
    } else if (o.state_.counts().w > state_.counts().w) {
      state_type merged = o.state_;
      merged.merge(o.adopted(*this));
      state_ = std::move(merged);
      frame_.adopt_origin(o.frame_);
      ref_ = o.ref_;
    } else {
      state_.merge(adopted(o));
    }
    pushes_ += o.pushes_;
    if (!same) rebase();
  }

 public:
  /// Checkpoints (checkpoint.hpp): restore into a regression built with the same options.
  static std::string checkpoint_type() {
    const char* scalar = std::is_same_v<T, double>        ? "double"
                         : std::is_same_v<T, long double> ? "long double"
                         : std::is_same_v<T, float>       ? "float"
                         : std::is_same_v<T, double_double> ? "double_double"
                                                            : "other";
    return std::string("multivariate::regression<") + scalar + "," +
           Policy::template state<T, 1>::name() + ">";
  }
  template <class Archive>
  void serialize(Archive& ar) {
    std::uint64_t shape = static_cast<std::uint64_t>(k_) * 1000 +
                          static_cast<std::uint64_t>(opt_.degree) * 10 + (frame_.shifted() ? 1 : 0);
    const std::uint64_t expected = shape;
    ar.field("shape", shape);
    if (shape != expected) Archive::fail("saved with another number of predictors or options");
    if (timed()) {  // a regression over event time: its window span and half-life
      double span = opt_.window_time, half_life = opt_.half_life_time;
      ar.field("time.window", span);
      ar.field("time.half_life", half_life);
      if (span != opt_.window_time || half_life != opt_.half_life_time)
        Archive::fail("saved with another time window or half-life");
    }
    frame_.serialize(ar);
    bool referenced = true;
    if constexpr (Archive::loading) {
      referenced = ar.next_is("reference.clock");  // absent: written before the reference
      ref_.setZero(k_);
    }
    if (referenced) {
      ar.field("reference.clock", pushes_);
      for (int i = 0; i < k_; ++i) detail::scalar_field(ar, "reference." + std::to_string(i), ref_(i));
    }
    state_.serialize(ar);
    window_.serialize(ar, inputs_);
    if (timed()) ar.field("time.last", last_time_);
    if constexpr (stacked) {
      if (window_.active()) {  // the window's split between its two stacks
        std::uint64_t front = stacks_.front_size();
        ar.field("window.front", front);
        if constexpr (Archive::loading) {
          if (front > window_.size()) Archive::fail("a window's front larger than the window");
          stacks_.reset(k_, opt_.intercept);
          if (window_.size() > 0) restack(static_cast<std::size_t>(front));
        }
      }
    }
    if constexpr (refines) {
      if (window_.active()) {
        // Absent from checkpoints written before them: summed again from the records.
        bool saved = true;
        if constexpr (Archive::loading) saved = ar.next_is("sums.g.0.0.hi");
        if (saved) {
          sums_.serialize(ar);
        } else {
          resum();
        }
      }
    }
  }

 protected:
  using window_type = detail::record_window<input>;

  const penalty<T, max_coefficients>& ridge_rows() const noexcept { return frame_.ridge_rows(); }
  bool forgets() const noexcept { return opt_.forgetting < 1 || opt_.half_life_time > 0; }
  bool timed() const noexcept { return window_.timed() || opt_.half_life_time > 0; }

  // The error bound of multi_fit::digits, as digits.
  T estimate_digits(const vector& beta, const vector& b, const T& condition,
                    bool shifted) const {
    const double u = 0.5 * static_cast<double>(Eigen::NumTraits<T>::epsilon());
    const double kappa = static_cast<double>(condition);
    const double power = state_type::squares_condition ? kappa * kappa : kappa;
    double bound = 100 * u * static_cast<double>(k_) * power;
    if (shifted) bound *= frame_.cancellation(beta, b);  // in b = A β + y₀ e₀
    if (!(bound < 1)) return T(0);
    const double most = -std::log10(u);
    return T(bound > 0 ? std::min(-std::log10(bound), most) : most);
  }

  static bool valid(const double* x, double y, double w, int n) {
    for (int i = 0; i < n; ++i)
      if (!std::isfinite(x[i])) return false;
    return std::isfinite(y) && w > 0 && std::isfinite(w);
  }
  bool valid(const double* x, double y, double w) const { return valid(x, y, w, inputs_); }

  // What the state holds of a record: y (shifted) less the reference fit at z, formed in
  // the wide type and rounded once.
  T response(const vector& z, double y) const {
    wide v = wide(frame_.shifted_y(y));
    for (int i = 0; i < k_; ++i) v -= wide(ref_(i)) * wide(z(i));
    return T(v);
  }

  // The state of `o` in this regression's coordinates: its origin's, then its reference's.
  state_type adopted(const regression_state& o) const {
    state_type s = o.state_;
    vector delta = ref_;
    if (!frame_.same_origin(o.frame_)) {
      const matrix a = frame_.change_from(o.frame_);
      s.shift_origin(a);
      delta -= detail::solve_unit_upper_transposed<T, max_coefficients>(a, o.ref_);
      // y − y₀ of o is y − y₀ here plus the difference of the y origins.
      delta(0) -= T(wide(o.frame_.y_origin()) - wide(frame_.y_origin()));
    } else {
      delta -= o.ref_;
    }
    s.shift_response(delta);
    return s;
  }

  // Moves the reference to the current fit: the state's responses become the residuals of
  // that fit, so its sums of squares are of the residuals' size (never the difference of
  // large sums) and the rotated or accumulated right side of a long stream keeps its digits.
  // After pushes 2^k up to 65536 (once the state holds 2K records and the fit has its
  // digits), then every 65536 pushes. Not with a penalty (the ridge fit is of the responses as
  // given).
  void rebase() {
    // A fit of fewer than 2K records may swing far from the later ones: not yet. A window
    // of two stacks moves its reference when it rebuilds them (flip).
    if (!ridge_rows().empty() || state_.counts().n < 2 * static_cast<std::uint64_t>(k_)) return;
    if (stacked && window_.active()) return;
    vector delta;
    T condition{};
    if (state_.solve(ridge_rows(), delta, condition) != fit_status::ok) return;
    for (int i = 0; i < k_; ++i)
      if (!detail::finite_value(delta(i))) return;
    // Only a fit with its digits: an ill-conditioned one would move the responses far.
    if (!(estimate_digits(delta, delta, condition, false) >= T(min_correct_digits))) return;
    const vector next = ref_ + delta;
    state_.shift_response(vector(next - ref_));  // the change as it is represented
    ref_ = next;
  }

  // Before a record at time t enters the window: the records that leave are removed from
  // the state; once per turnover the state is rebuilt from the records that stay, so rounding
  // from removals never accumulates.
  void make_room(double t) {
    if constexpr (state_type::can_remove) {
      vector z(k_);
      window_.make_room(
          t,
          [&](const typename window_type::record& r) {
            frame_.features(r.x.data(), z);
            if constexpr (refines) sums_.update(z, r.y, frame_.y_origin(), r.w, -1.0);
            return state_.remove(z, response(z, r.y), T(r.w));
          },
          [&](const window_type& held) {
            state_ = state_type(k_, opt_.intercept);
            for (std::size_t i = 0; i < held.size(); ++i) {
              frame_.features(held[i].x.data(), z);
              state_.add(z, response(z, held[i].y), T(held[i].w));
            }
            resum();
          });
    } else {
      vector z(k_);
      window_.evict(t, [&](const typename window_type::record& r) {
        if (stacks_.front_size() > 0) {
          stacks_.pop();
          if constexpr (refines) {
            frame_.features(r.x.data(), z);
            sums_.update(z, r.y, frame_.y_origin(), r.w, -1.0);
          }
        } else {
          flip();  // sums the records that stay again
        }
      });
    }
  }

  // The window's double_double normal equations summed again from its records (after a
  // rebuild or a change of origin: rounding from removals never accumulates).
  void resum() {
    if constexpr (refines) {
      sums_.reset(k_);
      vector z(k_);
      for (std::size_t i = 0; i < window_.size(); ++i) {
        const auto& r = window_[i];
        frame_.features(r.x.data(), z);
        sums_.update(z, r.y, frame_.y_origin(), r.w, 1.0);
      }
    }
  }

  // A window of two stacks (a state that cannot remove records): every record it holds moves
  // to the front, relative to the current fit. The origin stays while it lies within the
  // window's inputs (widened by half their range each side: the coordinates of a fixed
  // stream, whose change back to the inputs as given cancels least); once the window has
  // moved away from it, it moves to the newest record, so the states hold differences of
  // nearby values. An empty window starts again from the next record.
  void flip() {
    const std::size_t n = window_.size();
    if (n == 0) {
      frame_.clear_origin();  // the next record is the origin
      ref_.setZero(k_);
      stacks_.reset(k_, opt_.intercept);
      state_ = state_type(k_, opt_.intercept);
      resum();
      return;
    }
    vector next = ref_;  // the current fit in the state's coordinates, when it has its digits
    vector delta;
    T condition{};
    if (ridge_rows().empty() && state_.counts().n >= static_cast<std::uint64_t>(k_) &&
        state_.solve(ridge_rows(), delta, condition) == fit_status::ok &&
        estimate_digits(delta, delta, condition, false) >= T(min_correct_digits)) {
      bool finite = true;
      for (int i = 0; i < k_; ++i) finite = finite && detail::finite_value(delta(i));
      if (finite) next = ref_ + delta;
    }
    if (frame_.shifted() && !near_origin()) {
      const frame_type old = frame_;
      const auto& newest = window_[n - 1];
      frame_.set_origin(newest.x.data(), newest.y);
      const matrix a = frame_.change_from(old);
      next = detail::solve_unit_upper_transposed<T, max_coefficients>(a, next);
      next(0) = T(wide(next(0)) + wide(old.y_origin()) - wide(frame_.y_origin()));
    }
    ref_ = ridge_rows().empty() ? next : vector(vector::Zero(k_));
    restack(n);
    resum();
  }

  // Whether every input of the origin lies within the window's range of that input widened
  // by half of it on each side.
  bool near_origin() const {
    for (int i = 0; i < inputs_; ++i) {
      double lo = window_[0].x(i), hi = lo;
      for (std::size_t r = 1; r < window_.size(); ++r) {
        lo = std::min(lo, window_[r].x(i));
        hi = std::max(hi, window_[r].x(i));
      }
      const double half = 0.5 * (hi - lo);
      const double o = frame_.origin()(i);
      if (!(o >= lo - half && o <= hi + half)) return false;
    }
    return true;
  }

  // The stacks from the window's records in the current coordinates: the oldest `front`
  // records the front, the others the back (a flip: all of them the front).
  void restack(std::size_t front) {
    const auto row = [this](std::size_t i, vector& z, T& y, T& w) {
      const auto& r = window_[i];
      frame_.features(r.x.data(), z);
      y = response(z, r.y);
      w = T(r.w);
    };
    stacks_.template restore<vector, T>(front, window_.size(), row);
    stacks_.combine(state_);
  }

  // A state that cannot remove records holds a window in two stacks (two_stacks.hpp).
  static constexpr bool stacked = !state_type::can_remove;
  // A window of double states keeps its records' normal equations in double_double to refine
  // its fit against them (window_sums.hpp, regression.hpp's refine).
  static constexpr bool refines = std::is_same_v<T, double>;

  options opt_;
  frame_type frame_;
  int k_ = 0, inputs_ = 0;  // frame_'s coefficients() and inputs()
  state_type state_;
  vector ref_;  // the reference fit (state coordinates): the state holds y − zᵀref
  static constexpr std::uint64_t rebase_every = 65536;
  std::uint64_t pushes_ = 0;  // records pushed (merged ones included): when to re-base
  window_type window_{0, 0.0};
  detail::two_stacks<state_type> stacks_;
  detail::window_sums<max_coefficients> sums_;
  double last_time_ = 0;  // the newest record's time (regressions over event time)
};

}  // namespace streamreg::multivariate

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

// SPDX-License-Identifier: MIT
// The state side of multivariate::logistic (logistic.hpp): the records it takes and how —
// push into the warm-up buffer and its exact fit, then the streamed expansions and their
// Newton steps, forgetting, merge. The fit, its covariance and probabilities derive from it.
#pragma once

#include "../error.hpp"
#include "frame.hpp"
#include "logistic_expansion.hpp"
#include "logistic_irls.hpp"
#include "logistic_results.hpp"
#include "results.hpp"

#include <Eigen/Cholesky>

#include <algorithm>  // std::max
#include <cmath>     // std::isfinite, std::sqrt, std::pow
#include <cstdint>   // std::uint64_t
#include <limits>    // quiet_NaN
#include <optional>  // the factor, once there is one
#include <string>    // messages
#include <utility>   // std::move

// g++ -O3 reports "potential null pointer dereference" on Eigen's heap storage of
// dynamic-size matrices inlined here (the allocation throws, never returns null).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnull-dereference"
#endif

namespace streamreg::multivariate {

/// The records of a logistic regression (logistic.hpp has the method).
template <int P = Eigen::Dynamic>
class logistic_state {
 public:
  static constexpr int max_coefficients = P == Eigen::Dynamic ? Eigen::Dynamic : P + 1;
  using vector = vector_t<double, max_coefficients>;
  using matrix = matrix_t<double, max_coefficients>;
  using fit_type = logistic_fit<double, max_coefficients>;
  using probability_type = probability<double>;
  /// The inputs of one record (P of them).
  using input = Eigen::Matrix<double, Eigen::Dynamic, 1, 0,
                              P == Eigen::Dynamic ? Eigen::Dynamic : P, 1>;

  explicit logistic_state(logistic_options o = {}) : opt_(std::move(o)) {
    int p = P;
    if constexpr (P == Eigen::Dynamic) {
      p = opt_.predictors;
    } else if (opt_.predictors != 0 && opt_.predictors != P) {
      throw config_error("options.predictors differs from the compile-time P");
    }
    if (p < 1) throw config_error("a logistic regression needs at least one predictor");
    if (!(opt_.ridge >= 0) || !(opt_.ridge < 1e308)) throw config_error("ridge must be >= 0");
    if (!(opt_.forgetting > 0 && opt_.forgetting <= 1))
      throw config_error("forgetting factor must be in (0, 1]");
    if (opt_.buffer < 0) throw config_error("the warm-up buffer must be >= 0 records");
    options frame_options;
    frame_options.predictors = p;
    frame_options.intercept = opt_.intercept;
    frame_options.shift = opt_.shift;
    frame_options.ridge = opt_.ridge;
    frame_options.penalize_intercept = opt_.penalize_intercept;
    if (!opt_.origin.empty()) {
      if (static_cast<int>(opt_.origin.size()) != p)
        throw config_error("options.origin needs one value per input");
      frame_options.origin = opt_.origin;
      frame_options.origin.push_back(0.0);  // y is not shifted
    }
    frame_ = frame_type(frame_options, p);
    k_ = frame_.coefficients();
    buffer_size_ = opt_.buffer > 0 ? static_cast<std::size_t>(opt_.buffer)
                                   : static_cast<std::size_t>(64 * k_);
    if (buffer_size_ < static_cast<std::size_t>(k_))
      throw config_error("the warm-up buffer must hold at least one record per coefficient");
    records_.k = k_;
    beta_.setZero(k_);
    ex_ = expansion(k_, opt_.third_order);
  }

  const logistic_options& config() const noexcept { return opt_; }

  /// Checkpoints (checkpoint.hpp): restore into a logistic regression built with the same
  /// options. The round trip is bit-exact; a restored streamed model refactors its
  /// information, so with the quadratic expansions (whose factor is kept by rank-one updates)
  /// the records after a restore may differ in the last bits from an uninterrupted run.
  static std::string checkpoint_type() { return "multivariate::logistic"; }
  template <class Archive>
  void serialize(Archive& ar) {
    std::uint64_t shape = static_cast<std::uint64_t>(k_) * 1000 + (opt_.third_order ? 10 : 0) +
                          (frame_.shifted() ? 1 : 0);
    std::uint64_t buffer = buffer_size_;
    const std::uint64_t expected_shape = shape, expected_buffer = buffer;
    ar.field("shape", shape);
    ar.field("buffer", buffer);
    if (shape != expected_shape || buffer != expected_buffer)
      Archive::fail("saved with another number of predictors or options");
    frame_.serialize(ar);
    ar.field("records", n_);
    ar.field("streaming", streaming_);
    auto status = static_cast<std::uint64_t>(status_);
    ar.field("status", status);
    if (status > static_cast<std::uint64_t>(fit_status::separated)) Archive::fail("unknown status");
    status_ = static_cast<fit_status>(status);
    if constexpr (Archive::loading) beta_.resize(k_);
    for (int i = 0; i < k_; ++i) ar.field("beta." + std::to_string(i), beta_(i));
    std::uint64_t separating = static_cast<std::uint64_t>(separating_.size());
    ar.field("separating", separating);
    if (separating != 0 && separating != static_cast<std::uint64_t>(k_))
      Archive::fail("a separating direction of another size");
    if constexpr (Archive::loading) separating_.resize(static_cast<Eigen::Index>(separating));
    for (Eigen::Index i = 0; i < separating_.size(); ++i)
      ar.field("separating." + std::to_string(i), separating_(i));
    std::uint64_t held = records_.size();
    ar.field("buffered", held);
    if (held > n_) Archive::fail("more buffered records than records");
    if constexpr (Archive::loading) {
      records_ = detail::logistic_records();
      records_.k = k_;
      records_.z.resize(static_cast<std::size_t>(held) * static_cast<std::size_t>(k_));
      records_.y.resize(static_cast<std::size_t>(held));
      records_.w.resize(static_cast<std::size_t>(held));
    }
    for (std::size_t r = 0; r < records_.size(); ++r) {
      const std::string at = "buffered." + std::to_string(r);
      for (int i = 0; i < k_; ++i)
        ar.field(at + ".z." + std::to_string(i),
                 records_.z[r * static_cast<std::size_t>(k_) + static_cast<std::size_t>(i)]);
      ar.field(at + ".label", records_.y[r]);
      ar.field(at + ".weight", records_.w[r]);
    }
    ex_.serialize(ar, "expansion", k_);
    bool beside = streaming_ && ex_.third;  // quad_ is kept once streaming
    ar.field("quadratic_beside", beside);
    if (beside) quad_.serialize(ar, "quadratic", k_);
    ar.field("since_refactor", since_refactor_);
    ar.field("since_trust", since_trust_);
    if constexpr (Archive::loading) {
      if (!beside) quad_ = expansion();
      if (streaming_) factor_.emplace(penalised(ex_.info));
    }
  }
  int predictors() const noexcept { return frame_.predictors(); }
  int coefficients() const noexcept { return k_; }
  std::uint64_t count() const noexcept { return n_; }
  /// Whether the records are still in the warm-up buffer (the fit is then the exact one).
  bool buffered() const noexcept { return !streaming_; }
  /// The buffer's capacity (records fitted exactly before streaming).
  std::size_t buffer_size() const noexcept { return buffer_size_; }

  /// Adds a record: `x` holds predictors() values, y is 0 or 1, w > 0 its weight. Returns
  /// false (and changes nothing) for a y other than 0 or 1, a non-finite input or a weight
  /// that is not > 0 and finite; a wrong number of inputs is a config_error. Complexity: in
  /// the buffer O(N K²) per Newton step (2 or 3 steps, N ≤ buffer); streaming O(K²) (O(K³)
  /// under forgetting and every 4096 records).
  template <class Derived>
  bool push(const Eigen::MatrixBase<Derived>& x, double y, double w = 1) {
    const auto& v = x.derived().eval();
    return push(v.data(), y, w, v.size());
  }
  /// Adds a record of one input (P = 1).
  bool push(double x, double y, double w = 1) { return push(&x, y, w, 1); }
  bool push(const double* x, double y, double w, Eigen::Index size) {
    if (size != frame_.inputs())
      throw config_error("a record needs " + std::to_string(frame_.inputs()) + " inputs");
    for (int i = 0; i < frame_.inputs(); ++i)
      if (!std::isfinite(x[i])) return false;
    if (!(y == 0 || y == 1) || !(w > 0) || !std::isfinite(w)) return false;
    if (frame_.needs_origin()) frame_.set_origin(x, 0.0);
    vector z(k_);
    frame_.features(x, z);
    ++n_;
    if (streaming_)
      stream(z, y, w);
    else
      buffer(z, y, w);
    return true;
  }

  /// Adds every record of `o` (built with the same options): see the class notes.
  void merge(const logistic_state& o) {
    if (k_ != o.k_ || opt_.intercept != o.opt_.intercept)
      throw config_error("merge needs logistic regressions of the same shape");
    if (o.n_ == 0) return;
    if (n_ == 0) {
      *this = o;
      return;
    }
    if (!o.streaming_) {  // its records, in our coordinates
      const matrix a = frame_.change_from(o.frame_);
      for (std::size_t i = 0; i < o.records_.size(); ++i) {
        const vector z = a * Eigen::Map<const Eigen::VectorXd>(o.records_.row(i), k_);
        ++n_;
        if (streaming_)
          stream(z, o.records_.y[i], o.records_.w[i]);
        else
          keep(z, o.records_.y[i], o.records_.w[i]);
      }
      if (!streaming_) refit();
      return;
    }
    if (!streaming_) {  // stream ours into a copy of o
      logistic_state merged = o;
      merged.merge(*this);
      *this = std::move(merged);
      return;
    }
    if (o.n_ > n_) {  // about the heavier one's estimate
      logistic_state merged = o;
      merged.add_expansion(*this);
      *this = std::move(merged);
    } else {
      add_expansion(o);
    }
  }

 protected:
  using frame_type = detail::frame<double, P>;
  using expansion = detail::logistic_expansion<max_coefficients>;
  using wide = typename frame_type::wide;


  // The penalty's gradient at β: Rᵀ(Rβ − rhs) (the objective subtracts ½‖Rβ − rhs‖²).
  vector penalty_gradient(const vector& beta) const {
    const auto& pen = frame_.ridge_rows();
    if (pen.empty()) return vector::Zero(k_);
    return pen.rows.transpose() * (pen.rows * beta - pen.rhs);
  }
  matrix penalised(const matrix& info) const {
    const auto& pen = frame_.ridge_rows();
    if (pen.empty()) return info;
    return info + pen.rows.transpose() * pen.rows;
  }

  // Adds o's streamed expansion to ours (both streamed). o's expansion moves to our
  // coordinates (z = A z_o, so η = z_oᵀβ_o = zᵀA⁻ᵀβ_o: its estimate is A⁻ᵀβ_o), then to our
  // estimate, and a Newton step finds the merged estimate.
  void add_expansion(const logistic_state& o) {
    const matrix a = frame_.change_from(o.frame_);
    const vector o_beta = detail::solve_unit_upper_transposed<double, max_coefficients>(a, o.beta_);
    const auto ours = [&](expansion e) {
      e.change_coordinates(a);
      e.move(vector(beta_ - o_beta));
      return e;
    };
    if (ex_.third && o.ex_.third) {
      ex_ += ours(o.ex_);
      quad_ += ours(o.quad_);
    } else {  // one has left the third order: both quadratic
      expansion mine = ex_.third ? quad_ : ex_;
      mine += ours(o.ex_.third ? o.quad_ : o.ex_);
      ex_ = std::move(mine);
      quad_ = expansion();
    }
    n_ += o.n_;
    if (o.status_ != fit_status::ok && status_ == fit_status::ok) status_ = o.status_;
    refactor();
    newton_step();
  }

  // A record while buffering: kept, and the exact fit recomputed (not when the separating
  // direction of the last fit still separates it: the records stay separated).
  void buffer(const vector& z, double y, double w) {
    keep(z, y, w);
    if (status_ == fit_status::separated) {
      const double m = z.dot(separating_);
      if (y > 0.5 ? m >= 0 : m <= 0) return;
    }
    refit();
  }
  void keep(const vector& z, double y, double w) {
    if (opt_.forgetting < 1)
      for (double& wi : records_.w) wi *= opt_.forgetting;
    records_.add(z.data(), y, w);
  }
  // The buffer's exact fit; a full buffer with a fit hands over to the streamed sums.
  void refit() {
    const vector start = status_ == fit_status::ok ? beta_ : vector(vector::Zero(k_));
    const detail::logistic_solution<max_coefficients> s =
        detail::logistic_fit_exact<max_coefficients>(records_, frame_.ridge_rows(), start);
    status_ = s.status;
    separating_ = s.separating;
    if (status_ != fit_status::ok) return;
    beta_ = s.beta;
    ex_.info = s.info;
    ex_.log_likelihood = s.log_likelihood;
    if (records_.size() >= buffer_size_) {  // the expansions at the exact fit take over
      ex_ = expansion(k_, opt_.third_order);
      for (std::size_t i = 0; i < records_.size(); ++i) {
        const vector z = Eigen::Map<const Eigen::VectorXd>(records_.row(i), k_);
        ex_.add(z, detail::logistic_record(z.dot(beta_), records_.y[i]), records_.w[i]);
      }
      if (ex_.third) {  // the quadratic expansions beside (trust_third_order)
        quad_ = ex_;
        quad_.third = false;
        quad_.t.resize(0, 0);
      }
      records_ = detail::logistic_records();
      records_.k = k_;
      streaming_ = true;
      refactor();
      newton_step();  // the rest of the exact fit's convergence
    }
  }

  // A streamed record: expanded about β, then a full Newton step on the sum. A record whose
  // own η the step moves by more than 0.1 (a surprising record of high leverage) is
  // expanded again about the new estimate and the step repeated (at most 4 times), so its
  // expansion is about a point near the maximum of the sum with it.
  void stream(const vector& z, double y, double w) {
    if (opt_.forgetting < 1) {
      ex_.scale(opt_.forgetting);
      if (ex_.third) quad_.scale(opt_.forgetting);
    }
    vector at = beta_;
    for (int it = 0;; ++it) {
      const detail::logistic_terms t = detail::logistic_record(z.dot(at), y);
      ex_.add(z, t, w);
      if (ex_.third) quad_.add(z, t, w);
      const bool rank_one = it == 0 && !ex_.third && opt_.forgetting == 1 &&
                            ++since_refactor_ < refactor_every;
      vector d;
      if (!step(d, rank_one ? z : vector(), w * t.curvature, at)) {
        if (!ex_.third) return;  // the quadratic expansions' information: degenerate
        quad_.add(z, t, -w);     // the cubic's information is no longer positive definite:
        leave_third_order();     // the record again on the quadratic expansions
        status_ = fit_status::ok;
        continue;
      }
      const double moved = std::fabs(z.dot(d));
      if (moved <= 0.1 || it == 3) {
        move(d);
        beta_ = at + d;
        break;
      }
      // Again, with the record expanded about the new estimate: out, and the sum moved.
      ex_.add(z, t, -w);
      if (ex_.third) quad_.add(z, t, -w);
      move(d);
      at += d;
    }
    if (ex_.third && ++since_trust_ >= trust_every) {
      since_trust_ = 0;
      trust_third_order();
    }
  }

  void move(const vector& d) {
    ex_.move(d);
    if (ex_.third) quad_.move(d);
  }

  // The Newton step d = H⁻¹(score − penalty gradient) at `at` from ex_; a rank-one update of
  // the factor by c z zᵀ when `z` is given, else a new factor. False (status set) when the
  // information is not positive definite or the step not finite.
  bool step(vector& d, const vector& z, double c, const vector& at) {
    if (z.size() > 0 && factor_) {
      factor_->rankUpdate(z, c);
      if (factor_->info() != Eigen::Success) refactor();
    } else {
      refactor();
    }
    if (factor_->info() != Eigen::Success) {
      status_ = fit_status::rank_deficient;
      return false;
    }
    d = factor_->solve(vector(ex_.score - penalty_gradient(at)));
    for (int i = 0; i < k_; ++i)
      if (!std::isfinite(d(i))) {
        status_ = fit_status::not_finite;
        return false;
      }
    return true;
  }

  // β += H⁻¹(score − penalty gradient), the expansion moved to the new β.
  void newton_step() {
    vector d;
    if (!step(d, vector(), 0, beta_)) return;
    move(d);
    beta_ += d;
  }

  // The third order is kept while the change it made to the information is small beside
  // the information: ‖L⁻¹(J₂ − J₃)L⁻ᵀ‖_F ≤ 1/2 with J₂ = LLᵀ the sum of the records' own
  // curvatures (the quadratic expansions). Past that the estimate has moved too far from
  // where the records were expanded for a cubic (the curvature p(1 − p) falls off
  // exponentially, a cubic extrapolates it linearly), and the quadratic expansions (kept
  // beside) take over for the rest of the stream.
  void trust_third_order() {
    const Eigen::LLT<matrix> quad_factor(penalised(quad_.info));
    if (quad_factor.info() == Eigen::Success) {
      matrix c = quad_.info - ex_.info;
      quad_factor.matrixL().solveInPlace(c);
      const matrix ct = c.transpose();
      c = ct;
      quad_factor.matrixL().solveInPlace(c);
      if (c.norm() <= 0.5) return;
    }
    leave_third_order();
  }
  void leave_third_order() {
    ex_ = std::move(quad_);
    ex_.third = false;
    quad_ = expansion();
    refactor();
  }

  void refactor() {
    factor_.emplace(penalised(ex_.info));
    since_refactor_ = 0;
  }

  static constexpr int refactor_every = 4096, trust_every = 8;

  logistic_options opt_;
  frame_type frame_;
  int k_ = 0;
  std::size_t buffer_size_ = 0;
  std::uint64_t n_ = 0;
  bool streaming_ = false;
  fit_status status_ = fit_status::empty;
  detail::logistic_records records_;  // the warm-up buffer, in the shifted coordinates
  vector separating_;                 // separated: the direction that separates the buffer
  vector beta_;                       // the estimate, shifted coordinates
  expansion ex_;                      // about beta_ (buffered: info and log-likelihood)
  expansion quad_;                    // ex_ without its third order, while ex_ has one
  // Of J + RᵀR while streaming. Optional: a default-constructed LLT leaves its status
  // uninitialised, and copying the state would read it.
  std::optional<Eigen::LLT<matrix>> factor_;
  int since_refactor_ = 0, since_trust_ = 0;
};

}  // namespace streamreg::multivariate

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

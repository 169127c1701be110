// SPDX-License-Identifier: MIT
// multivariate::logistic<P>: logistic regression (binomial family, logit link) on a stream,
// one pass: the exact maximum-likelihood fit of a bounded warm-up buffer, then recursive
// Newton (information-filter) updates; the fit after every record with standard errors,
// log-likelihood and status (separated classes included), probabilities with standard
// errors, forgetting and merge.
#pragma once

#include "../error.hpp"
#include "frame.hpp"
#include "logistic_irls.hpp"
#include "logistic_results.hpp"
#include "results.hpp"

#include <Eigen/Cholesky>

#include <algorithm>  // std::max
#include <cmath>     // std::isfinite, std::sqrt, std::pow
#include <cstdint>   // std::uint64_t
#include <limits>    // quiet_NaN
#include <string>    // messages
#include <utility>   // std::move

// g++ -O3 reports "potential null pointer dereference" on Eigen's heap storage of
// dynamic-size matrices inlined here (the allocation throws, never returns null).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnull-dereference"
#endif

namespace streamreg::multivariate {

/// Logistic regression on a stream with P predictors (fixed, or Eigen::Dynamic and set by
/// the options).
///
/// Method. The first `buffer` records (64 per coefficient unless set) are kept, and after
/// each of them the exact maximum-likelihood fit is computed by Newton's method (IRLS, warm
/// started from the previous fit: logistic_irls.hpp), which also tells separated classes
/// from a finite maximum. A stream no longer than the buffer therefore gets the exact fit
/// after every record. When the buffer is full and its fit exists, each record of it is
/// linearised at that fit (its information w p(1 − p) z zᵀ summed into J) and the buffer is
/// released; from then on each record is linearised at the current estimate β: J gains
/// w p(1 − p) z zᵀ, the score at β is w (y − p) z (the earlier records' is zero: β maximises
/// their expansion), and a full Newton step β += (J + λE)⁻¹ score re-linearises the sum of
/// the expansions at the new estimate (recursive Newton, the information filter). The step
/// solves with a Cholesky factor of the information kept by rank-one updates (Eigen's
/// LLT::rankUpdate; refactored every 4096 records, and at every record under forgetting); no
/// inverse is formed in the update. The inputs are shifted by an origin (frame.hpp) as the
/// linear regression's are. The streamed estimate differs from the maximum-likelihood fit by
/// the third-order terms of the expansions of the records linearised away from it, O(K
/// log(n/B) / n) in all, a small fraction of a standard error (tests/multivariate/
/// logistic_test.cpp measures it).
///
/// Separated classes: while the records seen are separable the maximum does not exist and
/// the status is `separated` (coefficients NaN); the buffer then keeps every record (a
/// record that the last separating direction still separates costs O(K), no refit) until
/// the maximum exists, so its memory is bounded by `buffer` records only once both classes
/// overlap. Once the maximum exists it exists for every longer stream (a separating
/// direction of all records would separate the first ones), so the streamed status is ok
/// (rank_deficient, not_finite or ill_conditioned from the information otherwise).
///
/// Forgetting multiplies the information, the score and the log-likelihood by the factor
/// before each record (the buffer's weights too). Merge: two buffers merge exactly (their
/// records are refitted); a buffer into a streamed model streams its records; two streamed
/// models add their expansions about a common point (the heavier one's estimate), which is
/// exact for the quadratic expansions but adds the third-order error of the lighter model's
/// records linearised away from the merged estimate. Not possible: removing a record (pop)
/// and windows — a record's contribution depends on the estimate at its arrival, which
/// later records have changed, so subtracting it does not undo it; a window needs the
/// records refitted (keep them and refit the buffer's exact fit instead).
template <int P = Eigen::Dynamic>
class logistic {
 public:
  static constexpr int max_coefficients = P == Eigen::Dynamic ? Eigen::Dynamic : P + 1;
  using vector = vector_t<double, max_coefficients>;
  using matrix = matrix_t<double, max_coefficients>;
  using fit_type = logistic_fit<double, max_coefficients>;
  using probability_type = probability<double>;
  /// The inputs of one record (P of them).
  using input = Eigen::Matrix<double, Eigen::Dynamic, 1, 0,
                              P == Eigen::Dynamic ? Eigen::Dynamic : P, 1>;

  explicit logistic(logistic_options o = {}) : opt_(std::move(o)) {
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
    info_.setZero(k_, k_);
    score_.setZero(k_);
  }

  const logistic_options& config() const noexcept { return opt_; }
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
  void merge(const logistic& o) {
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
      logistic merged = o;
      merged.merge(*this);
      *this = std::move(merged);
      return;
    }
    if (o.n_ > n_) {  // about the heavier one's estimate
      logistic merged = o;
      merged.add_expansion(*this);
      *this = std::move(merged);
    } else {
      add_expansion(o);
    }
  }

  /// The fit now (O(K³): the covariance from the information's equilibrated LDLᵀ).
  fit_type fit() const {
    fit_type f;
    f.n = n_;
    f.status = status_;
    f.exact = !streaming_;
    f.coefficients.setConstant(k_, undefined());
    f.std_errors.setConstant(k_, undefined());
    f.covariance.setConstant(k_, k_, undefined());
    f.log_likelihood = f.condition = undefined();
    if (status_ != fit_status::ok) return f;
    matrix cov;
    f.status = covariance(cov, f.condition);
    if (!f.computed()) return f;
    f.coefficients = frame_.to_inputs(beta_);
    const auto& a = frame_.to_inputs_matrix();
    f.covariance = (a * cov.template cast<wide>() * a.transpose()).template cast<double>().eval();
    for (int i = 0; i < k_; ++i) f.std_errors(i) = std::sqrt(f.covariance(i, i));
    f.log_likelihood = log_likelihood_;
    for (int i = 0; i < k_; ++i)
      if (!std::isfinite(f.coefficients(i)) || !std::isfinite(f.std_errors(i)))
        f.status = fit_status::not_finite;
    return f;
  }

  /// The probability of y = 1 at the inputs `x` with its standard error (the delta method
  /// on η, computed in the shifted coordinates, so inputs far from 0 lose no digits).
  /// O(K³) (a covariance).
  template <class Derived>
  probability_type probability_at(const Eigen::MatrixBase<Derived>& x) const {
    const auto& v = x.derived().eval();
    return probability_at(v.data(), v.size());
  }
  probability_type probability_at(double x) const { return probability_at(&x, 1); }
  probability_type probability_at(const double* x, Eigen::Index size) const {
    if (size != frame_.inputs())
      throw config_error("a record needs " + std::to_string(frame_.inputs()) + " inputs");
    probability_type r;
    r.eta = r.se_eta = r.p = r.se_p = undefined();
    r.status = status_;
    if (status_ != fit_status::ok) return r;
    for (int i = 0; i < frame_.inputs(); ++i)
      if (!std::isfinite(x[i])) {
        r.status = fit_status::not_finite;
        return r;
      }
    matrix cov;
    double condition = 0;
    r.status = covariance(cov, condition);
    if (!r.defined()) return r;
    vector z(k_);
    frame_.features(x, z);
    r.eta = z.dot(beta_);
    r.se_eta = std::sqrt(std::max(0.0, z.dot(cov * z)));
    const detail::logistic_terms t = detail::logistic_record(r.eta, 1);
    r.p = t.p;
    r.se_p = t.curvature * r.se_eta;
    if (!std::isfinite(r.eta) || !std::isfinite(r.se_eta)) r.status = fit_status::not_finite;
    return r;
  }

 private:
  using frame_type = detail::frame<double, P>;
  using wide = typename frame_type::wide;

  static double undefined() { return std::numeric_limits<double>::quiet_NaN(); }

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

  // The covariance of the shifted coordinates' estimate: H⁻¹ (H⁻¹JH⁻¹ with a ridge), H the
  // penalised information, from its equilibrated LDLᵀ; its status from the pivots and the
  // condition estimate (κ² bounds the error of a solve with the information).
  fit_status covariance(matrix& cov, double& condition) const {
    matrix f = penalised(info_);
    vector scale;
    const fit_status s = detail::ldlt_equilibrated<double, max_coefficients>(f, scale, condition);
    if (s != fit_status::ok) return s;
    cov = detail::ldlt_inverse<double, max_coefficients>(f, scale);
    if (!frame_.ridge_rows().empty()) cov = (cov * info_ * cov).eval();
    const double bound = 100 * 0.5 * Eigen::NumTraits<double>::epsilon() * k_ * condition *
                         condition;
    return bound < std::pow(10.0, -min_correct_digits) ? fit_status::ok
                                                       : fit_status::ill_conditioned;
  }

  // Adds o's streamed expansion to ours (both streamed). o's expansion ℓ + gᵀδ − ½δᵀJδ
  // about its estimate moves to our coordinates (z = A z_o, so η = z_oᵀβ_o = zᵀA⁻ᵀβ_o: the
  // estimate A⁻ᵀβ_o, the information AJAᵀ, the score A g), then to our estimate along the
  // quadratic, and one Newton step finds the merged estimate.
  void add_expansion(const logistic& o) {
    const matrix a = frame_.change_from(o.frame_);
    const vector o_beta = detail::solve_unit_upper_transposed<double, max_coefficients>(a, o.beta_);
    const matrix o_info = a * o.info_ * a.transpose();
    vector o_score = a * o.score_;
    // Moved to our estimate: score − J (β − β_o), log-likelihood along the quadratic.
    const vector d = beta_ - o_beta;
    const double o_ll = o.log_likelihood_ + o_score.dot(d) - 0.5 * d.dot(o_info * d);
    o_score -= o_info * d;
    info_ += o_info;
    score_ += o_score;
    log_likelihood_ += o_ll;
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
    info_ = s.info;
    log_likelihood_ = s.log_likelihood;
    score_ = penalty_gradient(beta_);  // the likelihood's gradient at a penalised maximum
    if (records_.size() >= buffer_size_) {  // the expansions at the exact fit take over
      records_.clear();
      records_.z.shrink_to_fit();
      records_.y.shrink_to_fit();
      records_.w.shrink_to_fit();
      streaming_ = true;
      refactor();
    }
  }

  // A streamed record: linearised at β, then one full Newton step on the sums.
  void stream(const vector& z, double y, double w) {
    const detail::logistic_terms t = detail::logistic_record(z.dot(beta_), y);
    const double lambda = opt_.forgetting;
    if (lambda < 1) {
      info_ *= lambda;
      score_ *= lambda;
      log_likelihood_ *= lambda;
    }
    info_.template selfadjointView<Eigen::Lower>().rankUpdate(z, w * t.curvature);
    detail::symmetrize_from_lower<double, max_coefficients>(info_);
    score_ += (w * t.residual) * z;
    log_likelihood_ += w * t.log_likelihood;
    if (lambda < 1 || ++since_refactor_ >= refactor_every) {
      refactor();
    } else {
      factor_.rankUpdate(z, w * t.curvature);
      if (factor_.info() != Eigen::Success) refactor();
    }
    newton_step();
  }

  // β += H⁻¹(score − penalty gradient), the sums moved along the quadratic to the new β.
  void newton_step() {
    if (factor_.info() != Eigen::Success) {
      status_ = fit_status::rank_deficient;
      return;
    }
    const vector g = score_ - penalty_gradient(beta_);
    const vector d = factor_.solve(g);
    for (int i = 0; i < k_; ++i)
      if (!std::isfinite(d(i))) {
        status_ = fit_status::not_finite;
        return;
      }
    log_likelihood_ += score_.dot(d) - 0.5 * d.dot(info_ * d);
    score_ -= info_ * d;
    beta_ += d;
  }

  void refactor() {
    factor_.compute(penalised(info_));
    since_refactor_ = 0;
  }

  static constexpr int refactor_every = 4096;

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
  matrix info_;                       // J = Σ w p(1 − p) z zᵀ (each at its linearisation)
  vector score_;                      // the likelihood's gradient at beta_ (of the expansions)
  double log_likelihood_ = 0;         // of the expansions at beta_
  Eigen::LLT<matrix> factor_;         // of J + RᵀR while streaming
  int since_refactor_ = 0;
};

}  // namespace streamreg::multivariate

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

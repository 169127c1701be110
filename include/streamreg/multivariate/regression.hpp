// SPDX-License-Identifier: MIT
// multivariate::regression<T, P, Policy>: least squares with P predictors (fixed at compile
// time, or Eigen::Dynamic and set at construction), with or without intercept, polynomial
// features of one x, ridge, weights, forgetting, a count window, retraction, merge and
// checkpoints, and the fit after every record with its inference.
#pragma once

#include "../error.hpp"
#include "../prediction.hpp"
#include "coordinates.hpp"
#include "double_double.hpp"
#include "projected.hpp"
#include "results.hpp"
#include "state.hpp"
#include "two_stacks.hpp"
#include "window.hpp"

#include <algorithm>    // std::min, std::max
#include <cmath>        // std::log10, std::sqrt, std::fabs
#include <cstdint>      // std::uint64_t
#include <string>       // checkpoint_type
#include <type_traits>  // std::conditional_t

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

template <class T = double, int P = Eigen::Dynamic, class Policy = givens>
class regression {
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

 private:
  // The change of coordinates back to the inputs as given runs in extended precision
  // where there is one: its terms may be large and cancel.
  using wide = std::conditional_t<std::is_same_v<T, double>, long double, T>;
  using wide_matrix = matrix_t<wide, max_coefficients>;

 public:

  explicit regression(options o = {}) : opt_(std::move(o)) {
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
    p_ = p;
    k_ = p + (opt_.intercept ? 1 : 0);
    inputs_ = opt_.degree > 0 ? 1 : p;
    shift_ = opt_.shift && opt_.intercept;
    origin_.setZero(inputs_ + 1);
    if (!opt_.origin.empty()) {
      if (static_cast<int>(opt_.origin.size()) != inputs_ + 1)
        throw config_error("options.origin needs one value per input and one for y");
      if (!shift_) throw config_error("an origin needs an intercept and shift");
      for (int i = 0; i <= inputs_; ++i) origin_(i) = opt_.origin[static_cast<std::size_t>(i)];
      have_origin_ = true;
    }
    state_ = state_type(k_, opt_.intercept);
    if constexpr (stacked) stacks_.reset(k_, opt_.intercept);
    ref_.setZero(k_);
    build_transform();
  }

  const options& config() const noexcept { return opt_; }
  int predictors() const noexcept { return p_; }
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
    if (!have_origin_ && shift_) {
      for (int i = 0; i < inputs_; ++i) origin_(i) = x[i];
      origin_(inputs_) = y;
      have_origin_ = true;
      build_transform();
    }
    if (state_.counts().n > 0) {
      if (opt_.forgetting < 1) state_.scale(T(opt_.forgetting));
      if (opt_.half_life_time > 0 && t > last_time_)
        state_.scale(T(std::exp2(-(t - last_time_) / opt_.half_life_time)));
    }
    vector z(k_);
    features(x, z);
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
      if (!valid(x, y, w) || (!have_origin_ && shift_)) return false;
      vector z(k_);
      features(x, z);
      return state_.remove(z, response(z, y), T(w));
    }
  }

  /// Adds every record of `o` (built with the same options; any origin: the lighter part's
  /// state moves to the heavier part's origin and reference fit, exactly in algebra, and the
  /// merged state's reference then moves to the merged fit).
  void merge(const regression& o) {
    if (o.state_.counts().n == 0) return;
    if (window_.active()) throw config_error("windows cannot be merged");
    if (opt_.half_life_time > 0)
      throw config_error("regressions forgetting per unit of time cannot be merged");
    if (k_ != o.k_ || opt_.intercept != o.opt_.intercept || opt_.degree != o.opt_.degree)
      throw config_error("merge needs regressions of the same shape");
    if (state_.counts().n == 0) {
      origin_ = o.origin_;
      have_origin_ = o.have_origin_;
      build_transform();
      state_ = o.state_;
      ref_ = o.ref_;
      pushes_ += o.pushes_;
      return;
    }
    const bool same = ref_ == o.ref_ && (!shift_ || origin_ == o.origin_);
    if (same) {
      state_.merge(o.state_);
    } else if (o.state_.counts().w > state_.counts().w) {
      state_type merged = o.state_;
      merged.merge(o.adopted(*this));
      state_ = std::move(merged);
      origin_ = o.origin_;
      ref_ = o.ref_;
      build_transform();
    } else {
      state_.merge(adopted(o));
    }
    pushes_ += o.pushes_;
    if (!same) rebase();
  }

  /// The fit now: O(K²) for givens, O(K³) for the LDLᵀ policies.
  fit_type fit() const { return solved().fit; }

  /// The fitted value at the inputs `x` (inputs() values; for a polynomial the one x): the
  /// current fit's prediction, NaN when the fit is not ok. O(K²) (a fit).
  template <class Derived>
  T predict(const Eigen::MatrixBase<Derived>& x) const {
    return predict(x.derived().data(), x.size());
  }
  T predict(double x) const { return predict(&x, 1); }
  T predict(const double* x, Eigen::Index size) const {
    if (size != inputs_) throw config_error("a record needs " + std::to_string(inputs_) + " inputs");
    const solution sol = solved();
    if (!sol.fit) return undefined();
    vector z(k_);
    return T(value_at(sol.ridge ? sol.fit.coefficients : sol.beta, !sol.ridge, x, z));
  }

  /// The fitted value at the inputs `x` with the standard errors of the mean response and of
  /// a new observation (prediction.hpp; the interval at a level: student_t.hpp). Computed in
  /// the state's coordinates (inputs less the origin), so inputs far from 0 lose no digits
  /// to cancellation; a ridge fit's in the inputs' coordinates. O(K³) (an inference).
  template <class Derived>
  prediction<T> predict_with_se(const Eigen::MatrixBase<Derived>& x) const {
    return predict_with_se(x.derived().data(), x.size());
  }
  prediction<T> predict_with_se(double x) const { return predict_with_se(&x, 1); }
  prediction<T> predict_with_se(const double* x, Eigen::Index size) const {
    if (size != inputs_) throw config_error("a record needs " + std::to_string(inputs_) + " inputs");
    prediction<T> p;
    p.fit = p.se_fit = p.se_obs = p.df = undefined();
    parts q;
    const inference_type r = infer(&q);
    p.status = r.status;
    if (!p.defined()) return p;
    for (int i = 0; i < inputs_; ++i)
      if (!std::isfinite(x[i])) {
        p.status = fit_status::not_finite;
        return p;
      }
    vector z(k_);
    const wide fit = value_at(q.beta, q.state_coordinates, x, z);
    wide var = wide(0);  // zᵀ C z
    for (int i = 0; i < k_; ++i) {
      wide row = wide(0);
      for (int j = 0; j < k_; ++j) row += wide(q.covariance(i, j)) * wide(z(j));
      var += wide(z(i)) * row;
    }
    if (var < wide(0)) var = wide(0);  // rounding of a positive semi-definite form
    const wide sd = wide(r.residual_sd);
    p.fit = T(fit);
    p.se_fit = T(detail::sqrt_value(var));
    p.se_obs = T(detail::sqrt_value(wide(var + sd * sd)));
    p.df = r.df;
    if (!detail::finite_value(p.fit) || !detail::finite_value(p.se_obs))
      p.status = fit_status::not_finite;
    return p;
  }

  /// The fit with standard errors, covariance, residual SD, R², adjusted R², F and t.
  inference_type infer() const { return infer(nullptr); }

 private:
  // What predict_with_se needs beside the inference: the coefficients and their covariance
  // (σ̂² included), in the state's coordinates (reference included) or, for a ridge fit
  // solved in the inputs' coordinates, in those.
  struct parts {
    bool state_coordinates = true;
    vector beta;
    matrix covariance;
  };

  inference_type infer(parts* q) const {
    inference_type r;
    const solution sol = solved(true);
    r.fit = sol.fit;
    r.status = r.fit.status;
    r.std_errors.setConstant(k_, undefined());
    r.t_statistics.setConstant(k_, undefined());
    r.covariance.setConstant(k_, k_, undefined());
    r.df = r.residual_sd = r.r_squared = r.adj_r_squared = r.f_statistic = undefined();
    if (!r.fit.computed()) return r;
    const auto& c = state_.counts();
    const bool forgetting = forgets();
    const T n = forgetting ? c.effective() : T(static_cast<double>(c.n));
    const T df = n - T(k_);
    if (!(df > T(0))) {
      r.status = fit_status::too_few_points;
      return r;
    }
    const T sse = sol.sse;
    const T sigma2 = sse / df;
    if (sol.ridge) {
      r.covariance = sol.sandwich * sigma2;  // in the inputs' coordinates already
      if (q) {
        q->state_coordinates = false;
        q->beta = r.fit.coefficients;
        q->covariance = r.covariance;
      }
    } else {
      matrix cov_z = state_.inverse(penalty_);
      if (!penalty_.empty()) cov_z = matrix(cov_z * state_.gram() * cov_z);
      cov_z *= sigma2;
      r.covariance =
          (a_ * cov_z.template cast<wide>() * a_.transpose()).template cast<T>().eval();
      if (q) {
        q->beta = sol.beta;
        q->covariance = std::move(cov_z);
      }
    }
    bool sound = true;  // no NaN but the documented 0/0 cases
    for (int i = 0; i < k_; ++i) {
      r.std_errors(i) = detail::sqrt_value(r.covariance(i, i));
      r.t_statistics(i) = r.fit.coefficients(i) / r.std_errors(i);
      sound = sound && !(r.std_errors(i) != r.std_errors(i)) &&
              (r.t_statistics(i) == r.t_statistics(i) || r.fit.coefficients(i) == T(0));
    }
    r.df = df;
    // One record's residual SD: under forgetting σ̂² is per Σw/n_eff of weight.
    r.residual_sd = detail::sqrt_value(forgetting ? T(sigma2 * n / c.w) : sigma2);
    const T tss = state_.tss(ref_);
    r.r_squared = T(1) - sse / tss;
    const T slopes = T(opt_.intercept ? k_ - 1 : k_);
    r.adj_r_squared = T(1) - (T(1) - r.r_squared) * (opt_.intercept ? T(n - T(1)) : n) / df;
    r.f_statistic = ((tss - sse) / slopes) / sigma2;
    if (tss > T(0))
      sound = sound && r.r_squared == r.r_squared && !(r.f_statistic != r.f_statistic) &&
              r.residual_sd == r.residual_sd;
    if (!detail::finite_value(sse) || !detail::finite_value(tss))
      r.status = fit_status::not_finite;
    else if (!sound && r.status == fit_status::ok)
      r.status = r.fit.status = fit_status::ill_conditioned;
    return r;
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
                          static_cast<std::uint64_t>(opt_.degree) * 10 + (shift_ ? 1 : 0);
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
    ar.field("have_origin", have_origin_);
    for (int i = 0; i <= inputs_; ++i) ar.field("origin." + std::to_string(i), origin_(i));
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
    if constexpr (Archive::loading) build_transform();
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
  }

 private:
  using window_type = detail::record_window<input>;

  bool forgets() const noexcept { return opt_.forgetting < 1 || opt_.half_life_time > 0; }
  bool timed() const noexcept { return window_.timed() || opt_.half_life_time > 0; }

  // A fit with what infer() needs of it.
  struct solution {
    fit_type fit;
    vector beta;         // the coefficients in the state's coordinates, reference included
    T sse{};             // Σw e² of the fit (the penalty not included)
    bool ridge = false;  // solved by ridge_fit: `sandwich` is in the inputs' coordinates
    matrix sandwich;     // H⁻¹GH⁻¹ (ridge_fit with inference)
  };

  // Ridge on a Givens factor is solved in the coordinates of the penalty (penalised.hpp).
  static constexpr bool factor_ridge =
      std::is_same_v<state_type, givens_state<T, max_coefficients>>;

  static T from_dd(const double_double& v) {
    if constexpr (std::is_same_v<T, double_double>) {
      return v;
    } else if constexpr (std::is_same_v<T, long double>) {
      return static_cast<long double>(v);
    } else {
      return T(static_cast<double>(v));
    }
  }

  solution solved(bool inference = false) const {
    solution sol;
    fit_type& f = sol.fit;
    f.n = state_.counts().n;
    f.status = base_status();
    vector beta;  // in the state's coordinates
    if (f.status == fit_status::ok) {
      if (factor_ridge && !penalty_.empty()) {
        ridge_fit(sol, inference);
      } else {
        f.status = state_.solve(penalty_, beta, f.condition);
        if (f.status == fit_status::ok) {
          refine(beta, f.condition);
          sol.sse = state_.sse(beta);  // β relative to the reference: the state's responses
          sol.beta = beta + ref_;
          f.coefficients = to_inputs(sol.beta);
        }
      }
    }
    if (f.status != fit_status::ok) {
      f.coefficients.setConstant(k_, undefined());
      f.condition = f.digits = undefined();
      return sol;
    }
    f.digits = estimate_digits(sol.ridge ? f.coefficients : sol.beta, f.coefficients, f.condition,
                               !sol.ridge);
    if (!(f.digits >= T(min_correct_digits))) f.status = fit_status::ill_conditioned;
    return sol;
  }

  // A window's fit with fewer than refine_below digits by its error bound gets one step of
  // iterative refinement against the records it holds: the residuals of the records as
  // given (y, x) and Zᵀ W r in double_double, the correction solved with the state's
  // inverse. The error of the solve is then that of the correction, a factor of about the
  // bound's smaller (the states square-root free or not, as long as the bound is < 1), and
  // a short window over offset predictors keeps the digits of its data. O(N K) per fit, only
  // for such windows.
  static constexpr double refine_below = 14;
  void refine(vector& beta, const T& condition) const {
    if constexpr (std::is_same_v<T, double>) {
      if (!window_.active() || !penalty_.empty() || window_.size() == 0) return;
      if (!(estimate_digits(beta, beta, condition, false) < T(refine_below))) return;
      using dd = double_double;
      const vector total = beta + ref_;  // the fit in the state's coordinates
      Eigen::Matrix<dd, Eigen::Dynamic, 1, 0, max_coefficients, 1> g =
          Eigen::Matrix<dd, Eigen::Dynamic, 1, 0, max_coefficients, 1>::Constant(k_, dd(0.0));
      const dd y0(shift_ ? origin_(inputs_) : 0.0);
      vector z(k_);
      for (std::size_t i = 0; i < window_.size(); ++i) {
        const auto& r = window_[i];
        features(r.x.data(), z);
        dd e = dd(r.y) - y0;
        for (int j = 0; j < k_; ++j) e -= dd(z(j)) * dd(total(j));
        e *= dd(r.w);
        for (int j = 0; j < k_; ++j) g(j) += dd(z(j)) * e;
      }
      vector gd(k_);
      for (int j = 0; j < k_; ++j) gd(j) = static_cast<double>(g(j));
      const vector delta = state_.inverse(penalty_) * gd;
      for (int j = 0; j < k_; ++j)
        if (!std::isfinite(delta(j))) return;
      beta += delta;
    } else {
      (void)beta, (void)condition;
    }
  }

  // The error bound of multi_fit::digits, as digits.
  T estimate_digits(const vector& beta, const vector& b, const T& condition,
                    bool shifted) const {
    const double u = 0.5 * static_cast<double>(Eigen::NumTraits<T>::epsilon());
    const double kappa = static_cast<double>(condition);
    const double power = state_type::squares_condition ? kappa * kappa : kappa;
    double bound = 100 * u * static_cast<double>(k_) * power;
    if (shifted && shift_) {  // cancellation in b = A β + y₀ e₀
      double m = 1;
      for (int i = 0; i < k_; ++i) {
        const double bi = std::fabs(static_cast<double>(b(i)));
        double terms = i == 0 ? std::fabs(origin_(inputs_)) : 0.0;
        for (int k = i; k < k_; ++k)
          terms += std::fabs(static_cast<double>(a_(i, k)) * static_cast<double>(beta(k)));
        if (bi > 0) m = std::max(m, terms / bi);
      }
      bound *= m;
    }
    if (!(bound < 1)) return T(0);
    const double most = -std::log10(u);
    return T(bound > 0 ? std::min(-std::log10(bound), most) : most);
  }

  // The ridge fit of a Givens factor in the inputs' coordinates (penalised.hpp).
  void ridge_fit(solution& sol, bool inference) const {
    if constexpr (factor_ridge) {
      namespace d = detail;
      d::dd_matrix<max_coefficients> r, a_inv = d::dd_matrix<max_coefficients>::Identity(k_, k_);
      d::dd_vector<max_coefficients> q;
      double_double rest;
      state_.factor(r, q, rest);
      if (shift_ && opt_.degree == 0) {
        for (int i = 0; i < p_; ++i) a_inv(0, i + 1) = double_double(origin_(i));
      } else if (shift_) {
        // x^k = Σᵢ C(k, i) c^(k−i) (x − c)^i: column k of A⁻¹.
        const double_double c(origin_(0));
        for (int k = 1; k < k_; ++k) {
          double_double binom(1), cpow(1);
          for (int i = k; i >= 0; --i) {
            a_inv(i, k) = binom * cpow;
            binom = binom * double_double(i) / double_double(k - i + 1);
            cpow = cpow * c;
          }
        }
      }
      const int first = opt_.intercept && !opt_.penalize_intercept ? 1 : 0;
      const auto s = d::ridge_solve<max_coefficients>(
          r, q, rest, a_inv, double_double(shift_ ? origin_(inputs_) : 0.0), opt_.ridge, first,
          inference);
      sol.fit.status = s.status;
      if (s.status != fit_status::ok) return;
      sol.ridge = true;
      sol.fit.condition = T(s.condition);
      sol.fit.coefficients.resize(k_);
      for (int i = 0; i < k_; ++i) sol.fit.coefficients(i) = from_dd(s.beta(i));
      sol.sse = from_dd(s.sse);
      if (inference) {
        sol.sandwich.resize(k_, k_);
        for (int i = 0; i < k_; ++i)
          for (int j = 0; j < k_; ++j) sol.sandwich(i, j) = from_dd(s.sandwich(i, j));
      }
    } else {
      (void)sol, (void)inference;
    }
  }

  static T undefined() {
    if constexpr (std::numeric_limits<T>::has_quiet_NaN) {
      return std::numeric_limits<T>::quiet_NaN();
    } else {
      return T(std::numeric_limits<double>::quiet_NaN());
    }
  }
  static bool valid(const double* x, double y, double w, int n) {
    for (int i = 0; i < n; ++i)
      if (!std::isfinite(x[i])) return false;
    return std::isfinite(y) && w > 0 && std::isfinite(w);
  }
  bool valid(const double* x, double y, double w) const { return valid(x, y, w, inputs_); }

  fit_status base_status() const {
    const auto n = state_.counts().n;
    if (n == 0) return fit_status::empty;
    if (n < static_cast<std::uint64_t>(k_)) return fit_status::too_few_points;
    return fit_status::ok;
  }

  T shifted_y(double y) const {
    return shift_ ? T(T(y) - T(origin_(inputs_))) : T(y);
  }

  // What the state holds of a record: y (shifted) less the reference fit at z, formed in
  // the wide type and rounded once.
  T response(const vector& z, double y) const {
    wide v = wide(shifted_y(y));
    for (int i = 0; i < k_; ++i) v -= wide(ref_(i)) * wide(z(i));
    return T(v);
  }

  // The state of `o` in this regression's coordinates: its origin's, then its reference's.
  state_type adopted(const regression& o) const {
    state_type s = o.state_;
    vector delta = ref_;
    if (shift_ && origin_ != o.origin_) {
      const matrix a = detail::origin_change<T, max_coefficients, wide>(
          k_, opt_.degree, o.origin_.head(inputs_), origin_.head(inputs_));
      s.shift_origin(a);
      delta -= detail::solve_unit_upper_transposed<T, max_coefficients>(a, o.ref_);
      // y − y₀ of o is y − y₀ here plus the difference of the y origins.
      delta(0) -= T(wide(o.origin_(inputs_)) - wide(origin_(inputs_)));
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
    if (!penalty_.empty() || state_.counts().n < 2 * static_cast<std::uint64_t>(k_)) return;
    if (stacked && window_.active()) return;
    vector delta;
    T condition{};
    if (state_.solve(penalty_, delta, condition) != fit_status::ok) return;
    for (int i = 0; i < k_; ++i)
      if (!detail::finite_value(delta(i))) return;
    // Only a fit with its digits: an ill-conditioned one would move the responses far.
    if (!(estimate_digits(delta, delta, condition, false) >= T(min_correct_digits))) return;
    const vector next = ref_ + delta;
    state_.shift_response(vector(next - ref_));  // the change as it is represented
    ref_ = next;
  }

  // z = [1, predictors of (x − origin)] in T: the difference is exact in double_double.
  // `shifted` false: of x as given (the inputs' coordinates of the reported coefficients).
  void features(const double* x, vector& z, bool shifted) const {
    int at = 0;
    if (opt_.intercept) z(at++) = T(1);
    if (opt_.degree > 0) {
      const T t = shifted ? T(T(x[0]) - T(origin_(0))) : T(x[0]);
      T power = t;
      for (int d = 0; d < opt_.degree; ++d) {
        z(at++) = power;
        power = power * t;
      }
    } else {
      for (int i = 0; i < p_; ++i) z(at++) = shifted ? T(T(x[i]) - T(origin_(i))) : T(x[i]);
    }
  }
  void features(const double* x, vector& z) const { features(x, z, shift_); }

  // The fitted value at the inputs x, in the wide type: y₀ + zᵀβ with z relative to the
  // origin and β in the state's coordinates (the reference included), so offset inputs lose
  // nothing to cancellation; or x̃ᵀb in the inputs' coordinates (a ridge fit's b). `z` gets
  // the feature row used.
  wide value_at(const vector& beta, bool state_coordinates, const double* x, vector& z) const {
    wide v = state_coordinates && shift_ ? wide(origin_(inputs_)) : wide(0);
    features(x, z, state_coordinates && shift_);
    for (int i = 0; i < k_; ++i) v += wide(beta(i)) * wide(z(i));
    return v;
  }

  // a_: coefficients for the inputs as given = a_ · (coefficients in shifted coordinates),
  // plus the y origin on the intercept. penalty_: the ridge rows in shifted coordinates.
  void build_transform() {
    a_ = wide_matrix::Identity(k_, k_);
    if (shift_) {
      if (opt_.degree > 0) {
        // (x − c)^k = Σᵢ C(k, i) (−c)^(k−i) xⁱ: column k of a_ holds those coefficients.
        const wide c = -wide(origin_(0));
        for (int k = 1; k < k_; ++k) {
          wide binom = wide(1), cpow = wide(1);
          for (int i = k; i >= 0; --i) {
            a_(i, k) = binom * cpow;
            binom = binom * wide(i) / wide(k - i + 1);
            cpow = cpow * c;
          }
        }
      } else {
        for (int i = 0; i < p_; ++i) a_(0, i + 1) = -wide(origin_(i));
      }
    }
    const int first = opt_.intercept && !opt_.penalize_intercept ? 1 : 0;
    const int rows = opt_.ridge > 0 ? k_ - first : 0;
    penalty_.rows.setZero(rows, k_);
    penalty_.rhs.setZero(rows);
    const T root = detail::sqrt_value(T(opt_.ridge));
    for (int r = 0; r < rows; ++r) {
      for (int j = 0; j < k_; ++j) penalty_.rows(r, j) = root * T(a_(r + first, j));
      // The reported intercept includes the y origin: penalise it, not the shifted one.
      if (r + first == 0 && shift_) penalty_.rhs(r) = -root * T(origin_(inputs_));
    }
  }

  vector to_inputs(const vector& beta) const {
    if (!shift_) return beta;
    if (opt_.degree == 0) {  // only the intercept moves: b₀ = β₀ + y₀ − Σ βⱼ x₀ⱼ
      vector b = beta;
      wide b0 = wide(beta(0)) + wide(origin_(inputs_));
      for (int i = 0; i < p_; ++i) b0 -= wide(beta(i + 1)) * wide(origin_(i));
      b(0) = T(b0);
      return b;
    }
    vector b(k_);
    for (int i = 0; i < k_; ++i) {
      wide v = i == 0 ? wide(origin_(inputs_)) : wide(0);
      for (int k = i; k < k_; ++k) v += a_(i, k) * wide(beta(k));  // a_ is upper
      b(i) = T(v);
    }
    return b;
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
            features(r.x.data(), z);
            return state_.remove(z, response(z, r.y), T(r.w));
          },
          [&](const window_type& held) {
            state_ = state_type(k_, opt_.intercept);
            for (std::size_t i = 0; i < held.size(); ++i) {
              features(held[i].x.data(), z);
              state_.add(z, response(z, held[i].y), T(held[i].w));
            }
          });
    } else {
      window_.evict(t, [&] {
        if (stacks_.front_size() > 0)
          stacks_.pop();
        else
          flip();
      });
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
      if (shift_) have_origin_ = false;  // the next record is the origin
      ref_.setZero(k_);
      build_transform();
      stacks_.reset(k_, opt_.intercept);
      state_ = state_type(k_, opt_.intercept);
      return;
    }
    vector next = ref_;  // the current fit in the state's coordinates, when it has its digits
    vector delta;
    T condition{};
    if (penalty_.empty() && state_.counts().n >= static_cast<std::uint64_t>(k_) &&
        state_.solve(penalty_, delta, condition) == fit_status::ok &&
        estimate_digits(delta, delta, condition, false) >= T(min_correct_digits)) {
      bool finite = true;
      for (int i = 0; i < k_; ++i) finite = finite && detail::finite_value(delta(i));
      if (finite) next = ref_ + delta;
    }
    if (shift_ && !near_origin()) {
      const auto& newest = window_[n - 1];
      auto moved = origin_;
      for (int i = 0; i < inputs_; ++i) moved(i) = newest.x(i);
      moved(inputs_) = newest.y;
      const matrix a = detail::origin_change<T, max_coefficients, wide>(
          k_, opt_.degree, origin_.head(inputs_), moved.head(inputs_));
      next = detail::solve_unit_upper_transposed<T, max_coefficients>(a, next);
      next(0) = T(wide(next(0)) + wide(origin_(inputs_)) - wide(moved(inputs_)));
      origin_ = moved;
      build_transform();
    }
    ref_ = penalty_.empty() ? next : vector(vector::Zero(k_));
    restack(n);
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
      if (!(origin_(i) >= lo - half && origin_(i) <= hi + half)) return false;
    }
    return true;
  }

  // The stacks from the window's records in the current coordinates: the oldest `front`
  // records the front, the others the back (a flip: all of them the front).
  void restack(std::size_t front) {
    const auto row = [this](std::size_t i, vector& z, T& y, T& w) {
      const auto& r = window_[i];
      features(r.x.data(), z);
      y = response(z, r.y);
      w = T(r.w);
    };
    stacks_.template restore<vector, T>(front, window_.size(), row);
    stacks_.combine(state_);
  }

  // A state that cannot remove records holds a window in two stacks (two_stacks.hpp).
  static constexpr bool stacked = !state_type::can_remove;

  options opt_;
  int p_ = 0, k_ = 0, inputs_ = 0;
  bool shift_ = false, have_origin_ = false;
  Eigen::Matrix<double, Eigen::Dynamic, 1, 0,
                P == Eigen::Dynamic ? Eigen::Dynamic : P + 1, 1> origin_;
  state_type state_;
  vector ref_;  // the reference fit (state coordinates): the state holds y − zᵀref
  static constexpr std::uint64_t rebase_every = 65536;
  std::uint64_t pushes_ = 0;  // records pushed (merged ones included): when to re-base
  wide_matrix a_;
  penalty<T, max_coefficients> penalty_;
  window_type window_{0, 0.0};
  detail::two_stacks<state_type> stacks_;
  double last_time_ = 0;  // the newest record's time (regressions over event time)
};

}  // namespace streamreg::multivariate

namespace streamreg::multivariate {

/// The precise mode: the origin-shifted normal equations accumulated in double_double
/// (about 32 digits) and solved with iterative refinement; retraction, windows and merge
/// included. About 30x the cost per record of the default.
template <int P = Eigen::Dynamic>
using precise_regression = regression<double_double, P, normal_equations>;

}  // namespace streamreg::multivariate

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

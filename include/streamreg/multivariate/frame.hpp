// SPDX-License-Identifier: MIT
// The coordinates a several-predictor regression works in: the origin its inputs and y are
// shifted by, the feature row of a record, the change back to the coefficients of the
// inputs as given, and the ridge penalty's rows in the shifted coordinates.
#pragma once

#include "../error.hpp"
#include "coordinates.hpp"
#include "double_double.hpp"
#include "linear_algebra.hpp"
#include "penalised.hpp"
#include "results.hpp"

#include <algorithm>    // std::max
#include <cmath>        // std::fabs
#include <cstddef>      // std::size_t
#include <string>       // field names
#include <type_traits>  // std::conditional_t

namespace streamreg::multivariate::detail {

/// z = [1, predictors of (x − origin)] (the 1 with an intercept; the predictors are the P
/// inputs, or the powers of one input for a polynomial) and y − y₀. The origin is the first
/// record's inputs and y, an explicit `options.origin`, or none (no shift: without an
/// intercept, or `options.shift` false).
template <class T, int P>
class frame {
 public:
  static constexpr int max_coefficients = P == Eigen::Dynamic ? Eigen::Dynamic : P + 1;
  using vector = vector_t<T, max_coefficients>;
  using matrix = matrix_t<T, max_coefficients>;
  /// The change of coordinates back to the inputs as given runs in extended precision where
  /// there is one: its terms may be large and cancel.
  using wide = std::conditional_t<std::is_same_v<T, double>, long double, T>;
  using wide_matrix = matrix_t<wide, max_coefficients>;
  /// The inputs then y.
  using point = Eigen::Matrix<double, Eigen::Dynamic, 1, 0,
                              P == Eigen::Dynamic ? Eigen::Dynamic : P + 1, 1>;

  frame() = default;
  /// `p` predictors (checked by the regression) under the options `o`.
  frame(const options& o, int p)
      : degree_(o.degree), intercept_(o.intercept), penalize_intercept_(o.penalize_intercept),
        ridge_(o.ridge) {
    p_ = p;
    k_ = p + (o.intercept ? 1 : 0);
    inputs_ = o.degree > 0 ? 1 : p;
    shift_ = o.shift && o.intercept;
    origin_.setZero(inputs_ + 1);
    if (!o.origin.empty()) {
      if (static_cast<int>(o.origin.size()) != inputs_ + 1)
        throw config_error("options.origin needs one value per input and one for y");
      if (!shift_) throw config_error("an origin needs an intercept and shift");
      for (int i = 0; i <= inputs_; ++i) origin_(i) = o.origin[static_cast<std::size_t>(i)];
      have_origin_ = true;
    }
    build();
  }

  int predictors() const noexcept { return p_; }
  int coefficients() const noexcept { return k_; }
  int inputs() const noexcept { return inputs_; }
  /// Whether inputs and y are shifted by an origin.
  bool shifted() const noexcept { return shift_; }
  /// Whether a shifted frame has its origin yet (the first record gives it).
  bool needs_origin() const noexcept { return shift_ && !have_origin_; }
  const point& origin() const noexcept { return origin_; }
  double y_origin() const noexcept { return shift_ ? origin_(inputs_) : 0.0; }
  const penalty<T, max_coefficients>& ridge_rows() const noexcept { return penalty_; }
  const wide_matrix& to_inputs_matrix() const noexcept { return a_; }

  /// The origin becomes the record (x, y) (a shifted frame).
  void set_origin(const double* x, double y) {
    for (int i = 0; i < inputs_; ++i) origin_(i) = x[i];
    origin_(inputs_) = y;
    have_origin_ = true;
    build();
  }
  /// The next record becomes the origin (a shifted frame).
  void clear_origin() noexcept {
    if (shift_) have_origin_ = false;
  }
  /// Takes the origin of `o` (the same options).
  void adopt_origin(const frame& o) {
    origin_ = o.origin_;
    have_origin_ = o.have_origin_;
    build();
  }
  bool same_origin(const frame& o) const { return !shift_ || origin_ == o.origin_; }

  /// A with z' = A z from the coordinates of `from` to these (coordinates.hpp).
  matrix change_from(const frame& from) const {
    return origin_change<T, max_coefficients, wide>(k_, degree_, from.origin_.head(inputs_),
                                                    origin_.head(inputs_));
  }

  /// z = [1, predictors of (x − origin)] in T: the difference is exact in double_double.
  /// `shifted` false: of x as given (the inputs' coordinates of the reported coefficients).
  void features(const double* x, vector& z, bool shifted) const {
    int at = 0;
    if (intercept_) z(at++) = T(1);
    if (degree_ > 0) {
      const T t = shifted ? T(T(x[0]) - T(origin_(0))) : T(x[0]);
      T power = t;
      for (int d = 0; d < degree_; ++d) {
        z(at++) = power;
        power = power * t;
      }
    } else {
      for (int i = 0; i < p_; ++i) z(at++) = shifted ? T(T(x[i]) - T(origin_(i))) : T(x[i]);
    }
  }
  void features(const double* x, vector& z) const { features(x, z, shift_); }

  T shifted_y(double y) const { return shift_ ? T(T(y) - T(origin_(inputs_))) : T(y); }

  /// The fitted value at the inputs x, in the wide type: y₀ + zᵀβ with z relative to the
  /// origin and β in the shifted coordinates, so offset inputs lose nothing to cancellation;
  /// or x̃ᵀb in the inputs' coordinates (a ridge fit's b). `z` gets the feature row used.
  wide value_at(const vector& beta, bool shifted_coordinates, const double* x, vector& z) const {
    wide v = shifted_coordinates && shift_ ? wide(origin_(inputs_)) : wide(0);
    features(x, z, shifted_coordinates && shift_);
    for (int i = 0; i < k_; ++i) v += wide(beta(i)) * wide(z(i));
    return v;
  }

  /// The coefficients of the inputs as given from those of the shifted coordinates.
  vector to_inputs(const vector& beta) const {
    if (!shift_) return beta;
    if (degree_ == 0) {  // only the intercept moves: b₀ = β₀ + y₀ − Σ βⱼ x₀ⱼ
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

  /// The cancellation in b = A β + y₀ e₀ (b the coefficients of the inputs as given): the
  /// largest Σ|terms| / |bᵢ|, at least 1; 1 without a shift.
  double cancellation(const vector& beta, const vector& b) const {
    double m = 1;
    if (!shift_) return m;
    for (int i = 0; i < k_; ++i) {
      const double bi = std::fabs(static_cast<double>(b(i)));
      double terms = i == 0 ? std::fabs(origin_(inputs_)) : 0.0;
      for (int k = i; k < k_; ++k)
        terms += std::fabs(static_cast<double>(a_(i, k)) * static_cast<double>(beta(k)));
      if (bi > 0) m = std::max(m, terms / bi);
    }
    return m;
  }

  /// A⁻¹ in double_double: the shifted coordinates' coefficients from the inputs' (ridge).
  dd_matrix<max_coefficients> inverse_change() const {
    dd_matrix<max_coefficients> a_inv = dd_matrix<max_coefficients>::Identity(k_, k_);
    if (shift_ && degree_ == 0) {
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
    return a_inv;
  }

  /// Checkpoint fields: have_origin, origin.0 … origin.<inputs> (y last).
  template <class Archive>
  void serialize(Archive& ar) {
    ar.field("have_origin", have_origin_);
    for (int i = 0; i <= inputs_; ++i) ar.field("origin." + std::to_string(i), origin_(i));
    if constexpr (Archive::loading) build();
  }

 private:
  // a_: coefficients for the inputs as given = a_ · (coefficients in shifted coordinates),
  // plus the y origin on the intercept. penalty_: the ridge rows in shifted coordinates.
  void build() {
    a_ = wide_matrix::Identity(k_, k_);
    if (shift_) {
      if (degree_ > 0) {
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
    const int first = intercept_ && !penalize_intercept_ ? 1 : 0;
    const int rows = ridge_ > 0 ? k_ - first : 0;
    penalty_.rows.setZero(rows, k_);
    penalty_.rhs.setZero(rows);
    const T root = sqrt_value(T(ridge_));
    for (int r = 0; r < rows; ++r) {
      for (int j = 0; j < k_; ++j) penalty_.rows(r, j) = root * T(a_(r + first, j));
      // The reported intercept includes the y origin: penalise it, not the shifted one.
      if (r + first == 0 && shift_) penalty_.rhs(r) = -root * T(origin_(inputs_));
    }
  }

  int p_ = 0, k_ = 0, inputs_ = 0, degree_ = 0;
  bool intercept_ = true, penalize_intercept_ = false, shift_ = false, have_origin_ = false;
  double ridge_ = 0;
  point origin_;
  wide_matrix a_;
  penalty<T, max_coefficients> penalty_;
};

}  // namespace streamreg::multivariate::detail

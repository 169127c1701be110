// SPDX-License-Identifier: MIT
// multivariate::projected: a regression fed with records of any type through a feature map.
#pragma once

#include <utility>  // std::move

namespace streamreg::multivariate {

/// A regression fed with records of any type through a feature map: `features(record)`
/// returns the predictors and the response, as `std::pair<Vector, double>` (a fixed-size
/// Eigen vector keeps the per-record path free of allocation). The map may be any callable:
/// interactions, logs, lags kept in the callable's own state.
template <class Reg, class Features>
class projected {
 public:
  projected(Reg reg, Features features) : reg_(std::move(reg)), features_(std::move(features)) {}

  /// Adds a record; false (nothing changes) when a predictor, y or w is not finite or w ≤ 0.
  template <class Record>
  bool push(const Record& record, double w = 1) {
    const auto [x, y] = features_(record);
    return reg_.push(x, y, w);
  }
  /// Removes a record pushed before (policies that can remove).
  template <class Record>
  bool pop(const Record& record, double w = 1) {
    const auto [x, y] = features_(record);
    return reg_.pop(x, y, w);
  }

  auto fit() const { return reg_.fit(); }
  /// The fitted value for a record (its response is not used), without adding it.
  template <class Record>
  auto predict(const Record& record) const {
    const auto [x, y] = features_(record);
    (void)y;
    return reg_.predict(x);
  }
  /// The fitted value for a record with its standard errors (prediction.hpp).
  template <class Record>
  auto predict_with_se(const Record& record) const {
    const auto [x, y] = features_(record);
    (void)y;
    return reg_.predict_with_se(x);
  }
  auto infer() const { return reg_.infer(); }
  const Reg& regression() const noexcept { return reg_; }
  Reg& regression() noexcept { return reg_; }

 private:
  Reg reg_;
  Features features_;
};

/// `make_projected(regression<double, 2>{}, [](const trade& t) { return std::pair{
///     Eigen::Vector2d(t.volume, std::log(t.spread)), t.price}; })`
template <class Reg, class Features>
projected<Reg, Features> make_projected(Reg reg, Features features) {
  return projected<Reg, Features>(std::move(reg), std::move(features));
}

}  // namespace streamreg::multivariate

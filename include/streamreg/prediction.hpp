// SPDX-License-Identifier: MIT
// prediction: the fitted value at new inputs with its standard errors, for the one-predictor
// states (predict(state, x)) and the several-predictor regression (predict_with_se). The
// interval at a level needs a t quantile: student_t.hpp (Boost.Math) adds it.
#pragma once

#include "detail/scalar.hpp"
#include "fit.hpp"
#include "solve.hpp"

namespace streamreg {

/// The fitted value at new inputs and how far to trust it.
///
/// - `fit`: the fitted mean response ŷ at the inputs;
/// - `se_fit`: the standard error of ŷ as an estimate of the mean response, σ̂·√(x̃ᵀ(ZᵀWZ)⁻¹x̃);
/// - `se_obs`: the standard error of a new observation at the inputs (of weight 1),
///   √(se_fit² + σ̂²), σ̂ the fit's residual SD;
/// - `df`: the residual degrees of freedom, for the t quantile of an interval
///   (student_t.hpp: prediction_interval).
///
/// As statsmodels' `get_prediction` (`mean_se`, and `obs` intervals from √(mean_se² + scale)).
/// `status` is the inference's: the values are NaN unless it is ok (or ill_conditioned, whose
/// numbers are computed and carry the estimated digits of the fit).
template <class T>
struct prediction {
  fit_status status = fit_status::empty;
  T fit{};
  T se_fit{};
  T se_obs{};
  T df{};

  constexpr bool defined() const noexcept {
    return status == fit_status::ok || status == fit_status::ill_conditioned;
  }
};

/// The prediction of a one-predictor state at x: ŷ = ȳ + b·(x − x̄), formed from the state's
/// origin (the difference x − x₀ is exact for x near the data), and
/// se_fit² = s²·(1/Σw + (x − x̄)²/Sxx) with s² and the weights as infer(state) has them
/// (under forgetting, Kish's effective count; se_obs is for one record of unit weight).
/// O(1). The values are NaN unless infer(state) is ok (n ≥ 3, Sxx > 0, finite).
template <class State>
auto predict(const State& s, const typename State::real_type& x)
    -> prediction<typename State::real_type> {
  using T = typename State::real_type;
  using A = detail::accum_t<State>;
  prediction<T> p;
  const line_inference<T> r = infer(s);
  p.status = r.status;
  p.fit = p.se_fit = p.se_obs = p.df = detail::undefined_value<T>();
  if (!r.defined() || !detail::is_finite(A(x))) {
    if (r.defined()) p.status = fit_status::not_finite;
    return p;
  }
  const A b = A(r.fit.slope);
  const A dx = A(A(A(x) - A(s.shift_x())) - A(s.mean_dx()));
  p.fit = T(A(A(A(s.shift_y()) + A(s.mean_dy())) + A(b * dx)));
  // var(b)·((x − x̄)² + Sxx/Σw) = s²·(1/Σw + (x − x̄)²/Sxx), with no difference of large terms.
  const A se_b = A(r.se_slope);
  const A var_b = A(se_b * se_b);
  const A var_fit = A(var_b * A(A(dx * dx) + A(A(s.sxx()) / A(s.weight_sum()))));
  const A sd = A(r.residual_sd);
  p.se_fit = T(detail::square_root(var_fit));
  p.se_obs = T(detail::square_root(A(var_fit + A(sd * sd))));
  p.df = r.df;
  if (!(detail::is_finite(p.fit) && detail::is_finite(p.se_fit) && detail::is_finite(p.se_obs)))
    p.status = fit_status::not_finite;
  return p;
}

}  // namespace streamreg

// SPDX-License-Identifier: MIT
// Umbrella header of the several-predictor fits (needs Eigen 3.4: target streamreg::eigen).
#pragma once

#include "multivariate/double_double.hpp"
#include "multivariate/givens_state.hpp"
#include "multivariate/linear_algebra.hpp"
#include "multivariate/logistic.hpp"
#include "multivariate/logistic_expansion.hpp"
#include "multivariate/logistic_irls.hpp"
#include "multivariate/logistic_results.hpp"
#include "multivariate/logistic_state.hpp"
#include "multivariate/moments_state.hpp"
#include "multivariate/normal_equations_state.hpp"
#include "multivariate/penalised.hpp"
#include "multivariate/projected.hpp"
#include "multivariate/regression.hpp"
#include "multivariate/results.hpp"
#include "multivariate/state.hpp"
#include "multivariate/state_fields.hpp"

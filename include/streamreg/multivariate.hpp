// SPDX-License-Identifier: MIT
// Umbrella header of the several-predictor fits (needs Eigen 3.4: target streamreg::eigen).
#pragma once

#include "multivariate/double_double.hpp"
#include "multivariate/linear_algebra.hpp"
#include "multivariate/regression.hpp"
#include "multivariate/state.hpp"

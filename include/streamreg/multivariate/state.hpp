// SPDX-License-Identifier: MIT
// The three state policies of the several-predictor fits. Each holds the sufficient
// statistics of K = P (+1 intercept) columns in O(K²) memory and updates them per record in
// O(K²):
//   givens_state            Gentleman's square-root-free Givens update of a triangular
//                           factor (Applied Statistics AS 75 / AS 274): the most accurate
//                           double-precision streaming form; no retraction.
//   moments_state           centred scatter matrix (Welford/West weighted updates), solved
//                           by LDLᵀ: the fastest update; retraction, windows, merge.
//   normal_equations_state  the (origin-shifted) raw normal equations XᵀWX, XᵀWy in any
//                           scalar, solved by LDLᵀ with iterative refinement: with
//                           double_double, the precise mode; retraction, windows, merge.
// Rows arrive as z = [1, features...] (the 1 only with an intercept) in the shifted
// coordinates the regression chose; y shifted likewise.
#pragma once

#include "givens_state.hpp"
#include "moments_state.hpp"
#include "normal_equations_state.hpp"

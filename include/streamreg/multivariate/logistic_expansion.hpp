// SPDX-License-Identifier: MIT
// The streamed side of multivariate::logistic (logistic.hpp): the sum of the records'
// Taylor expansions of the log-likelihood about one point, kept to the third order so the
// information follows the estimate when that point moves (re-linearisation), moved,
// scaled (forgetting), changed to other coordinates and added (merge).
#pragma once

#include "linear_algebra.hpp"
#include "logistic_irls.hpp"

#include <Eigen/Core>

#include <string>  // checkpoint field names

// g++ -O3 reports "potential null pointer dereference" on Eigen's heap storage of
// dynamic-size matrices inlined here (the allocation throws, never returns null).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnull-dereference"
#endif

namespace streamreg::multivariate::detail {

/// m(Δ) = ℓ + gᵀΔ − ½ΔᵀJΔ + ⅙T[Δ, Δ, Δ]: the log-likelihood near the point the expansion
/// is about (β + Δ), summed over records each expanded about the estimate at its arrival.
/// A record at η = zᵀβ adds w ℓ(η) to ℓ, w (y − p) z to g, w p(1 − p) z zᵀ to J and
/// w ℓ‴(η) z⊗z⊗z to T, ℓ‴ = −p(1 − p)(1 − 2p). Moving the point by Δ keeps m exact (a cubic
/// moves to a cubic): g ← g − JΔ + ½T[Δ, Δ], J ← J − T[Δ], ℓ ← m(Δ). With `third` false T
/// is not kept: the quadratic expansions of plain recursive Newton (the information filter).
template <int KMax>
struct logistic_expansion {
  using vector = vector_t<double, KMax>;
  using matrix = matrix_t<double, KMax>;

  bool third = false;
  double log_likelihood = 0;
  vector score;        ///< g: the gradient at the point
  matrix info;         ///< J: the information at the point (the negative Hessian)
  Eigen::MatrixXd t;   ///< T: K × K², T(i, j + K k) = Σ w ℓ‴ zᵢ zⱼ zₖ

  logistic_expansion() = default;
  logistic_expansion(int k, bool third_order) : third(third_order) {
    score.setZero(k);
    info.setZero(k, k);
    if (third) t.setZero(k, Eigen::Index(k) * k);
  }
  Eigen::Index size() const noexcept { return score.size(); }

  /// Adds a record with feature row z and weight w, expanded about the point.
  void add(const vector& z, const logistic_terms& r, double w) {
    log_likelihood += w * r.log_likelihood;
    score += (w * r.residual) * z;
    info.template selfadjointView<Eigen::Lower>().rankUpdate(z, w * r.curvature);
    symmetrize_from_lower<double, KMax>(info);
    if (third) {
      const double c = -w * r.curvature * (1 - 2 * r.p);
      const Eigen::Index k = size();
      for (Eigen::Index m = 0; m < k; ++m)
        for (Eigen::Index j = 0; j < k; ++j) t.col(j + k * m) += (c * z(j) * z(m)) * z;
    }
  }

  /// Every record's weight times f.
  void scale(double f) {
    log_likelihood *= f;
    score *= f;
    info *= f;
    if (third) t *= f;
  }

  /// T[d] (K × K): Σₖ T(·, · + K k) dₖ.
  matrix contract(const vector& d) const {
    const Eigen::Index k = size();
    matrix out = matrix::Zero(k, k);
    for (Eigen::Index m = 0; m < k; ++m) out += d(m) * t.middleCols(k * m, k);
    return out;
  }

  /// The expansion about the point moved by d (the estimate's step).
  void move(const vector& d) {
    if (!third) {
      const vector jd = info * d;
      log_likelihood += score.dot(d) - 0.5 * d.dot(jd);
      score -= jd;
      return;
    }
    const matrix td = contract(d);
    const vector jd = info * d, tdd = td * d;
    log_likelihood += score.dot(d) - 0.5 * d.dot(jd) + d.dot(tdd) / 6;
    score += 0.5 * tdd - jd;
    info -= td;
    symmetrize_from_lower<double, KMax>(info);  // rounding of the contraction
  }

  /// The expansion in coordinates z' = A z (A invertible): g' = A g, J' = A J Aᵀ and T with
  /// A applied on each of its three indices.
  void change_coordinates(const matrix& a) {
    score = a * score;
    info = a * info * a.transpose();
    if (!third) return;
    const Eigen::Index k = size();
    Eigen::MatrixXd u = a * t;  // first index
    Eigen::MatrixXd v(k, k * k);
    for (Eigen::Index m = 0; m < k; ++m) v.middleCols(k * m, k) = u.middleCols(k * m, k) * a.transpose();
    for (Eigen::Index m = 0; m < k; ++m) {  // third index
      Eigen::MatrixXd s = Eigen::MatrixXd::Zero(k, k);
      for (Eigen::Index c = 0; c < k; ++c) s += a(m, c) * v.middleCols(k * c, k);
      t.middleCols(k * m, k) = s;
    }
  }

  /// Checkpoint fields under `name`: third, log_likelihood, score.i, info.i.j, t.i.c
  /// (K × K²) with the third order. Restored into an expansion of the same size.
  template <class Archive>
  void serialize(Archive& ar, const std::string& name, Eigen::Index k) {
    ar.field(name + ".third", third);
    ar.field(name + ".log_likelihood", log_likelihood);
    if constexpr (Archive::loading) {
      score.resize(k);
      info.resize(k, k);
      t.resize(third ? k : 0, third ? k * k : 0);
    }
    for (Eigen::Index i = 0; i < k; ++i) ar.field(name + ".score." + std::to_string(i), score(i));
    for (Eigen::Index j = 0; j < k; ++j)
      for (Eigen::Index i = 0; i < k; ++i)
        ar.field(name + ".info." + std::to_string(i) + "." + std::to_string(j), info(i, j));
    for (Eigen::Index c = 0; c < t.cols(); ++c)
      for (Eigen::Index i = 0; i < t.rows(); ++i)
        ar.field(name + ".t." + std::to_string(i) + "." + std::to_string(c), t(i, c));
  }

  /// Adds another expansion about the same point in the same coordinates.
  logistic_expansion& operator+=(const logistic_expansion& o) {
    log_likelihood += o.log_likelihood;
    score += o.score;
    info += o.info;
    if (third && o.third) t += o.t;
    return *this;
  }
};

}  // namespace streamreg::multivariate::detail

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

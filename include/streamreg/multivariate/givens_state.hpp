// SPDX-License-Identifier: MIT
// The square-root-free Givens state of the several-predictor fits (AS 75 / AS 274).
#pragma once

#include "linear_algebra.hpp"
#include "penalised.hpp"
#include "state_fields.hpp"

#include <string>       // field names
#include <type_traits>  // std::conditional_t

// g++ -O3 reports "potential null pointer dereference" on Eigen's heap storage of
// dynamic-size matrices inlined here (the allocation throws, never returns null).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wnull-dereference"
#endif

namespace streamreg::multivariate {

/// Gentleman's square-root-free Givens form: XᵀWX = R̄ᵀ D R̄ with R̄ unit upper triangular,
/// θ = R̄⁻ᵀ... the rotated right-hand side, and the residual sum of squares kept exactly as
/// rotated out. Coefficients by back substitution, O(K²) per fit.
template <class T, int KMax>
class givens_state {
  // The response's path through the rotations and the residual sum of squares run in
  // extended precision where double has one (x87 long double): K operations per record
  // that buy the residual SD and R² about one digit.
  using wide = std::conditional_t<std::is_same_v<T, double>, long double, T>;

 public:
  using vector = vector_t<T, KMax>;
  using matrix = matrix_t<T, KMax>;
  static constexpr const char* name() noexcept { return "givens"; }
  /// The solve squares the design's condition number (normal equations, scatter matrix).
  static constexpr bool squares_condition = false;
  static constexpr bool can_remove = false;

  givens_state() = default;
  givens_state(int k, bool intercept) : intercept_(intercept) {
    d_.setZero(k);
    norm2_.setZero(k);
    rt_.setZero(k, k);
    theta_.setZero(k);
  }

  int size() const noexcept { return static_cast<int>(d_.size()); }
  const detail::counts<T>& counts() const noexcept { return c_; }

  /// Adds the row z (K entries) with response y and weight w > 0.
  void add(const vector& z, const T& y, const T& w) {
    include(z, wide(y), wide(w));
    for (Eigen::Index j = 0; j < norm2_.size(); ++j) norm2_(j) += w * z(j) * z(j);
    c_.n += 1;
    c_.w += w;
    c_.w2 += w * w;
  }

  /// The records' responses become v − zᵀδ: the rotated right side moves by R̄δ, the
  /// rotated-out residual does not (regression.hpp keeps its responses near its fit).
  void shift_response(const vector& delta) {
    const Eigen::Index k = d_.size();
    for (Eigen::Index i = 0; i < k; ++i) {
      wide v = wide(delta(i));
      for (Eigen::Index m = i + 1; m < k; ++m) v += wide(rt_(m, i)) * wide(delta(m));
      theta_(i) -= v;
    }
  }

  /// The rows become A z (A unit lower triangular, coordinates.hpp): XᵀWX = R̄ᵀDR̄ becomes
  /// A R̄ᵀ D R̄ Aᵀ, so R̄ ← R̄ Aᵀ (still unit upper) and D, θ and the rotated-out residual stay.
  void shift_origin(const matrix& a) {
    const Eigen::Index k = d_.size();
    matrix r = matrix::Identity(k, k);  // R̄
    for (Eigen::Index i = 0; i < k; ++i)
      for (Eigen::Index m = i + 1; m < k; ++m) r(i, m) = rt_(m, i);
    for (Eigen::Index i = 0; i < k; ++i)
      for (Eigen::Index j = i + 1; j < k; ++j) {
        wide v = wide(r(i, j));  // (R̄ Aᵀ)(i, j) = Σₘ R̄(i, m) A(j, m), m from i to j
        for (Eigen::Index m = i; m < j; ++m) v += wide(r(i, m)) * wide(a(j, m));
        rt_(j, i) = T(v);
      }
    for (Eigen::Index j = 0; j < k; ++j) {  // the columns' squared norms: diag of the Gram
      wide v = 0;
      for (Eigen::Index m = 0; m <= j; ++m) {
        const wide e = m == j ? wide(1) : wide(rt_(j, m));
        v += d_(m) * e * e;
      }
      norm2_(j) = T(v);
    }
  }

  /// Multiplies every weight by f (exponential forgetting).
  void scale(const T& f) {
    d_ *= wide(f);
    norm2_ *= f;
    sserr_ *= wide(f);
    c_.w *= f;
    c_.w2 *= f * f;
  }

  /// Adds the records of `o` (same coordinates): its factor's rows, weighted by D.
  void merge(const givens_state& o) {
    const Eigen::Index k = d_.size();
    vector row(k);
    for (Eigen::Index i = 0; i < k; ++i) {
      if (!(o.d_(i) > wide(0))) continue;
      row.setZero();
      row(i) = T(1);
      for (Eigen::Index m = i + 1; m < k; ++m) row(m) = o.rt_(m, i);
      include(row, o.theta_(i), o.d_(i));
    }
    sserr_ += o.sserr_;
    norm2_ += o.norm2_;
    c_.n += o.c_.n;
    c_.w += o.c_.w;
    c_.w2 += o.c_.w2;
  }

  /// Coefficients (in z coordinates) minimising the residuals plus the penalty.
  fit_status solve(const penalty<T, KMax>& pen, vector& beta, T& condition) const {
    if (!pen.empty()) {
      givens_state copy = *this;
      for (Eigen::Index r = 0; r < pen.rows.rows(); ++r)
        copy.include(pen.rows.row(r).transpose(), wide(pen.rhs(r)), wide(1));
      return copy.solve({}, beta, condition);
    }
    const fit_status s = check(condition);
    if (s != fit_status::ok) return s;
    const Eigen::Index k = d_.size();
    beta.resize(k);
    // The same subtractions in the same order; the newest coefficient comes from a
    // register, so the loop never reloads it right after its store (vector loads that
    // straddle a fresh scalar store cannot be forwarded and wait for it to commit).
    T last = T(0);
    for (Eigen::Index i = k - 1; i >= 0; --i) {
      T v = T(theta_(i));
      const T* r = rt_.data() + i * rt_.rows();
      if (i + 1 < k) {
        v -= r[i + 1] * last;
        for (Eigen::Index m = i + 2; m < k; ++m) v -= r[m] * beta(m);
      }
      beta(i) = v;
      last = v;
    }
    return fit_status::ok;
  }

  /// (XᵀWX + penalty)⁻¹ = R̄⁻¹ D⁻¹ R̄⁻ᵀ from the factor, never from the squared matrix.
  /// Requires: solve returned ok.
  matrix inverse(const penalty<T, KMax>& pen) const {
    if (!pen.empty()) {
      givens_state copy = *this;
      for (Eigen::Index r = 0; r < pen.rows.rows(); ++r)
        copy.include(pen.rows.row(r).transpose(), wide(pen.rhs(r)), wide(1));
      return copy.inverse({});
    }
    const Eigen::Index k = d_.size();
    matrix u = matrix::Zero(k, k);  // R̄⁻¹, unit upper triangular
    for (Eigen::Index j = 0; j < k; ++j) {
      u(j, j) = T(1);
      for (Eigen::Index i = j - 1; i >= 0; --i) {
        T v{0};
        for (Eigen::Index m = i + 1; m <= j; ++m) v -= rt_(m, i) * u(m, j);
        u(i, j) = v;
      }
    }
    matrix inv(k, k);
    for (Eigen::Index i = 0; i < k; ++i)
      for (Eigen::Index j = 0; j <= i; ++j) {
        T v{0};
        for (Eigen::Index m = i; m < k; ++m) v += u(i, m) * u(j, m) / T(d_(m));
        inv(i, j) = v;
        inv(j, i) = v;
      }
    return inv;
  }

  /// XᵀWX (for the ridge sandwich).
  matrix gram() const {
    const Eigen::Index k = d_.size();
    matrix r = matrix::Zero(k, k);
    for (Eigen::Index i = 0; i < k; ++i) {
      r(i, i) = T(1);
      for (Eigen::Index m = i + 1; m < k; ++m) r(i, m) = rt_(m, i);
    }
    matrix g(k, k);
    for (Eigen::Index i = 0; i < k; ++i)
      for (Eigen::Index j = 0; j <= i; ++j) {
        T v{0};
        for (Eigen::Index m = 0; m <= j; ++m) v += r(m, i) * T(d_(m)) * r(m, j);
        g(i, j) = v;
        g(j, i) = v;
      }
    return g;
  }

  /// Σw(y − zᵀβ)²: the rotated-out residual plus what β leaves of the rotated right side.
  T sse(const vector& beta) const {
    const Eigen::Index k = d_.size();
    wide s = sserr_;
    for (Eigen::Index i = 0; i < k; ++i) {
      wide v = theta_(i) - wide(beta(i));
      for (Eigen::Index m = i + 1; m < k; ++m) v -= wide(rt_(m, i) * beta(m));
      s += d_(i) * v * v;
    }
    return T(s);
  }
  /// Total sum of squares of the responses v + zᵀref: about the mean with an intercept,
  /// about zero without. From the factor, as a sum of non-negative terms: the rotated-out
  /// residual and each pivot's share of the right side R̄ref + θ, but the intercept's.
  T tss(const vector& ref) const {
    const Eigen::Index k = d_.size();
    wide s = sserr_;
    for (Eigen::Index i = intercept_ ? 1 : 0; i < k; ++i) {
      wide v = theta_(i) + wide(ref(i));
      for (Eigen::Index m = i + 1; m < k; ++m) v += wide(rt_(m, i)) * wide(ref(m));
      s += d_(i) * v * v;
    }
    return T(s);
  }

  /// The records as a square-root factor in double_double: Σw(y − zᵀβ)² = ‖rβ − q‖² + rest,
  /// r = D^½ R̄ upper triangular (for the ridge fit of penalised.hpp).
  void factor(detail::dd_matrix<KMax>& r, detail::dd_vector<KMax>& q, double_double& rest) const {
    const Eigen::Index k = d_.size();
    r.setZero(k, k);
    q.resize(k);
    for (Eigen::Index i = 0; i < k; ++i) {
      const double_double root = detail::sqrt_value(detail::to_dd(d_(i)));
      r(i, i) = root;
      for (Eigen::Index m = i + 1; m < k; ++m) r(i, m) = root * detail::to_dd(rt_(m, i));
      q(i) = root * detail::to_dd(theta_(i));
    }
    rest = detail::to_dd(sserr_);
  }

  template <class Archive>
  void serialize(Archive& ar) {
    c_.serialize(ar);
    for (Eigen::Index i = 0; i < d_.size(); ++i) {
      detail::wide_field(ar, "d." + std::to_string(i), d_(i));
      detail::wide_field(ar, "theta." + std::to_string(i), theta_(i));
      detail::scalar_field(ar, "norm2." + std::to_string(i), norm2_(i));
    }
    for (Eigen::Index j = 0; j < rt_.cols(); ++j)
      for (Eigen::Index i = j + 1; i < rt_.rows(); ++i)
        detail::scalar_field(ar, "r." + std::to_string(j) + "." + std::to_string(i), rt_(i, j));
    detail::wide_field(ar, "sserr", sserr_);
    if constexpr (Archive::loading) {
      // Written before the total sum of squares came from the factor: read and left.
      if (ar.next_is("ymean")) {
        T unused{};
        detail::scalar_field(ar, "ymean", unused);
        detail::scalar_field(ar, "ym2", unused);
      }
    }
  }

  friend bool operator==(const givens_state& a, const givens_state& b) {
    return a.c_.n == b.c_.n && a.c_.w == b.c_.w && a.d_ == b.d_ && a.rt_ == b.rt_ &&
           a.theta_ == b.theta_ && a.sserr_ == b.sserr_ && a.norm2_ == b.norm2_ &&
           a.c_.w2 == b.c_.w2;
  }

 private:
  // One row into the factor (AS 274 INCLUD). rt_ holds R̄ transposed: the update walks
  // down a column, contiguous in memory.
  void include(const vector& row, wide y, wide w) {
    const Eigen::Index k = d_.size();
    T x[KMax == Eigen::Dynamic ? 1 : static_cast<std::size_t>(KMax)];
    vector heap;  // only for dynamic sizes
    T* xp = x;
    if constexpr (KMax == Eigen::Dynamic) {
      heap = row;
      xp = heap.data();
    } else {
      for (Eigen::Index i = 0; i < k; ++i) x[i] = row(i);
    }
    wide* d = d_.data();
    wide* th = theta_.data();
    for (Eigen::Index i = 0; i < k; ++i) {
      const T xi = xp[i];
      if (xi == T(0)) continue;
      const wide di = d[i];
      const wide wxi = w * wide(xi);
      const wide dpi = di + wxi * wide(xi);
      const wide inv = wide(1) / dpi;
      const wide sbar_w = wxi * inv;
      const wide cbar_w = di * inv;
      const T sbar = T(sbar_w), cbar = T(cbar_w);
      w = cbar_w * w;
      d[i] = dpi;
      T* r = rt_.data() + i * rt_.rows();
      if (i == 0 && intercept_ && xi == T(1)) {
        // The intercept row holds the running means: r ← r + s̄ (x − r), Welford's
        // correction form, more accurate there than c̄ r + s̄ x. Only for a data row, whose
        // intercept entry is 1 (a penalty row on the intercept has √λ there).
        for (Eigen::Index m = 1; m < k; ++m) {
          const T xm = xp[m] - r[m];
          xp[m] = xm;
          r[m] += sbar * xm;
        }
        y -= th[0];
        th[0] += sbar_w * y;
        if (w == wide(0)) return;
        continue;
      }
      for (Eigen::Index m = i + 1; m < k; ++m) {
        const T xm = xp[m];
        xp[m] = xm - xi * r[m];
        r[m] = cbar * r[m] + sbar * xm;
      }
      const wide yi = y;
      y -= wide(xi) * th[i];
      th[i] = cbar_w * th[i] + sbar_w * yi;
      if (w == wide(0)) return;
    }
    sserr_ += wide(w) * y * y;
  }


  // Rank and condition from the pivots relative to their columns' squared norms (kept
  // as records arrive): p_j is the part of column j not explained by the columns before it.
  fit_status check(T& condition) const {
    const Eigen::Index k = d_.size();
    const T eps = T(64) * T(static_cast<int>(k)) * T(Eigen::NumTraits<T>::epsilon());
    const T tol = eps * eps;
    // Largest and smallest d_j / norm_j, compared by cross-multiplication (no division).
    T dmax = T(d_(0)), nmax = norm2_(0), dmin = dmax, nmin = nmax;
    for (Eigen::Index j = 0; j < k; ++j) {
      const T d = T(d_(j)), norm = norm2_(j);
      if (!detail::finite_value(norm) || !detail::finite_value(T(theta_(j))))
        return fit_status::not_finite;
      if (!(d > tol * norm) || !(norm > T(0))) return fit_status::rank_deficient;
      if (d * nmax > dmax * norm) dmax = d, nmax = norm;
      if (d * nmin < dmin * norm) dmin = d, nmin = norm;
    }
    // κ₁ of the column-equilibrated factor R_eq = D^½ R̄ S, S = diag(1/√norm_j): its norm
    // exactly, its inverse's by Hager's estimate; never below the pivot ratio.
    vector root_d(k), root_n(k);
    for (Eigen::Index j = 0; j < k; ++j) {
      root_d(j) = detail::sqrt_value(T(d_(j)));
      root_n(j) = detail::sqrt_value(norm2_(j));
    }
    T norm1{0};
    for (Eigen::Index j = 0; j < k; ++j) {
      T col = root_d(j);
      for (Eigen::Index i = 0; i < j; ++i) col += root_d(i) * detail::abs_value(rt_(j, i));
      col = col / root_n(j);
      if (col > norm1) norm1 = col;
    }
    auto solve = [&](vector& x) {  // x ← R_eq⁻¹ x
      for (Eigen::Index i = k - 1; i >= 0; --i) {
        T v = x(i) / root_d(i);
        for (Eigen::Index m = i + 1; m < k; ++m) v -= rt_(m, i) * x(m);
        x(i) = v;
      }
      for (Eigen::Index i = 0; i < k; ++i) x(i) = x(i) * root_n(i);
    };
    auto solve_transposed = [&](vector& x) {  // x ← R_eq⁻ᵀ x
      for (Eigen::Index i = 0; i < k; ++i) x(i) = x(i) * root_n(i);
      for (Eigen::Index i = 0; i < k; ++i) {
        T v = x(i);
        for (Eigen::Index m = 0; m < i; ++m) v -= rt_(i, m) * x(m) * root_d(m);
        x(i) = v / root_d(i);
      }
    };
    const T inv = detail::inverse_norm1<T, KMax>(k, solve, solve_transposed);
    const T ratio = detail::sqrt_value((dmax * nmin) / (nmax * dmin));
    condition = norm1 * inv > ratio ? T(norm1 * inv) : ratio;
    return fit_status::ok;
  }

  detail::counts<T> c_;
  vector_t<wide, KMax> d_;
  vector norm2_;  // Σ w z_j², the columns' squared norms
  matrix rt_;
  vector_t<wide, KMax> theta_;
  wide sserr_{0};
  bool intercept_ = true;
};

}  // namespace streamreg::multivariate

#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic pop
#endif

// SPDX-License-Identifier: MIT
// Calibration of the inference under exponential forgetting, on the one-predictor path
// (streamreg::forgetting, infer of solve.hpp) and the several-predictor path
// (multivariate::regression with options.forgetting): a Monte Carlo with known σ = 1.
//
// Each replicate draws its own design (x uniform on [0, 10); for several predictors a second
// predictor x₂ uniform on [−5, 5)) and errors N(0, σ²), y = 1 + 2x (+ 0.5x₂) + e, half-life
// H = 20 records, 500 records. After the last record: the residual SD and the SE of the slope
// of x. The slope's true sampling variance is, since the slope is unbiased given the design,
// the mean over designs of its conditional variance, the sandwich
//   σ² [(ZᵀWZ)⁻¹ ZᵀW²Z (ZᵀWZ)⁻¹]₁₁,  W = diag(λ^age),
// computed here in long double from the records (nothing from the code under test); its
// Monte Carlo mean is within about 1% of the expectation (the empirical SD of the slopes
// across 200 replicates would be within about 5%, too loose for a 3% criterion; it is shown).
// Criteria (issue 16, item 4): mean residual SD within 2% of σ, mean SE within 3% of the
// true sampling SD, on both paths.
#include <streamreg/forgetting.hpp>
#include <streamreg/multivariate.hpp>
#include <streamreg/solve.hpp>

#include <catch2/catch.hpp>

#include <Eigen/Dense>

#include <cmath>    // std::exp2, std::sqrt, std::fabs
#include <cstddef>  // std::size_t
#include <vector>   // records

#include "support/oracle.hpp"

namespace {

using streamreg_test::splitmix64;
using ld_matrix = Eigen::Matrix<long double, Eigen::Dynamic, Eigen::Dynamic>;

constexpr int records = 500;
constexpr int replicates = 200;
constexpr double half_life = 20;
constexpr double sigma = 1;

/// One replicate's design rows z = [1, x, (x₂)] and responses.
struct sample {
  std::vector<std::vector<double>> z;
  std::vector<double> y;
};

sample draw(splitmix64& rng, int predictors) {
  sample s;
  for (int i = 0; i < records; ++i) {
    std::vector<double> z{1.0, rng.uniform(0.0, 10.0)};
    double y = 1 + 2 * z[1];
    if (predictors == 2) {
      z.push_back(rng.uniform(-5.0, 5.0));
      y += 0.5 * z[2];
    }
    s.y.push_back(y + sigma * rng.normal());
    s.z.push_back(std::move(z));
  }
  return s;
}

/// The slope's conditional variance: σ² [(ZᵀWZ)⁻¹ ZᵀW²Z (ZᵀWZ)⁻¹]₁₁ (the weight of the
/// record `age` records old is λ^age).
double sandwich_variance(const sample& s, double lambda) {
  const auto k = static_cast<Eigen::Index>(s.z[0].size());
  ld_matrix g = ld_matrix::Zero(k, k), g2 = ld_matrix::Zero(k, k);
  long double w = 1;
  for (std::size_t i = s.z.size(); i-- > 0;) {
    for (Eigen::Index a = 0; a < k; ++a)
      for (Eigen::Index b = 0; b < k; ++b) {
        const long double zz = static_cast<long double>(s.z[i][static_cast<std::size_t>(a)]) *
                               static_cast<long double>(s.z[i][static_cast<std::size_t>(b)]);
        g(a, b) += w * zz;
        g2(a, b) += w * w * zz;
      }
    w *= static_cast<long double>(lambda);
  }
  const ld_matrix inv = g.inverse();
  const ld_matrix v = inv * g2 * inv;
  return static_cast<double>(static_cast<long double>(sigma * sigma) * v(1, 1));
}

struct summary {
  double mean_rsd = 0, mean_se = 0, true_sd = 0, empirical_sd = 0;
};

/// Runs the Monte Carlo; `fit(sample) -> {residual SD, slope, SE of the slope}`.
template <class Fit>
summary monte_carlo(int predictors, std::uint64_t seed, Fit&& fit) {
  splitmix64 rng(seed);
  const double lambda = std::exp2(-1.0 / half_life);
  double rsd = 0, se = 0, var = 0, slope = 0, slope2 = 0;
  for (int r = 0; r < replicates; ++r) {
    const sample s = draw(rng, predictors);
    const auto [rsd_r, slope_r, se_r] = fit(s);
    rsd += rsd_r;
    se += se_r;
    slope += slope_r;
    slope2 += slope_r * slope_r;
    var += sandwich_variance(s, lambda);
  }
  const double n = replicates;
  summary m;
  m.mean_rsd = rsd / n;
  m.mean_se = se / n;
  m.true_sd = std::sqrt(var / n);
  m.empirical_sd = std::sqrt((slope2 - slope * slope / n) / (n - 1));
  return m;
}

void check(const char* path, const summary& m) {
  WARN(path << ": mean residual SD " << m.mean_rsd << " (sigma " << sigma << "), mean SE of the slope "
            << m.mean_se << ", true sampling SD " << m.true_sd << " (mean SE / true SD "
            << m.mean_se / m.true_sd << "), empirical SD of the slopes " << m.empirical_sd);
  CHECK(std::fabs(m.mean_rsd / sigma - 1) <= 0.02);
  CHECK(std::fabs(m.mean_se / m.true_sd - 1) <= 0.03);
}

struct result {
  double rsd, slope, se;
};

}  // namespace

TEST_CASE("calibration: one predictor under forgetting, known sigma",
          "[multivariate][calibration][forgetting]") {
  const summary m = monte_carlo(1, 1601, [](const sample& s) {
    auto state = streamreg::forgetting<double>::half_life(half_life);
    bool pushed = true;
    for (std::size_t i = 0; i < s.y.size(); ++i) pushed = state.push(s.z[i][1], s.y[i]) && pushed;
    REQUIRE(pushed);
    const auto r = streamreg::infer(state);
    REQUIRE(r.defined());
    return result{r.residual_sd, r.fit.slope, r.se_slope};
  });
  check("one predictor (forgetting<double>)", m);
}

TEST_CASE("calibration: several predictors under forgetting, known sigma",
          "[multivariate][calibration][forgetting]") {
  namespace mv = streamreg::multivariate;
  mv::options o;
  o.predictors = 2;
  o.forgetting = std::exp2(-1.0 / half_life);
  for (const bool moments : {false, true}) {
    auto run = [&](auto reg) {
      return monte_carlo(2, 1602, [&](const sample& s) {
        auto r = reg;
        bool pushed = true;
        for (std::size_t i = 0; i < s.y.size(); ++i)
          pushed = r.push(s.z[i].data() + 1, s.y[i], 1.0, 2) && pushed;
        REQUIRE(pushed);
        const auto inf = r.infer();
        REQUIRE(inf.defined());
        return result{inf.residual_sd, inf.fit.coefficients(1), inf.std_errors(1)};
      });
    };
    if (moments) {
      check("several predictors (moments)",
            run(mv::regression<double, Eigen::Dynamic, mv::moments>(o)));
    } else {
      check("several predictors (givens)", run(mv::regression<>(o)));
    }
  }
  // One predictor through the several-predictor path equals the scalar path's numbers.
  mv::options one;
  one.predictors = 1;
  one.forgetting = o.forgetting;
  const summary m1 = monte_carlo(1, 1601, [&](const sample& s) {
    mv::regression<> r(one);
    bool pushed = true;
    for (std::size_t i = 0; i < s.y.size(); ++i) pushed = r.push(s.z[i][1], s.y[i]) && pushed;
    REQUIRE(pushed);
    const auto inf = r.infer();
    REQUIRE(inf.defined());
    return result{inf.residual_sd, inf.fit.coefficients(1), inf.std_errors(1)};
  });
  check("one predictor through multivariate::regression", m1);
}

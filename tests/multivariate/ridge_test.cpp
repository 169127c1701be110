// SPDX-License-Identifier: MIT
// Ridge with a penalised intercept on NIST Longley (issue 16, item 6): the default solver
// against exact rational solves of the penalised normal equations, in both row orders.
//
// The oracle (tests/support/exact_ls.hpp, GMP rationals, nothing from streamreg) computes
// the definition documented in multivariate/regression.hpp: H = ZᵀZ + λI (every coefficient
// penalised, the intercept included, in the inputs' coordinates), β = H⁻¹Zᵀy,
// SSE = Σ(y − zᵀβ)², σ² = SSE / (n − K), cov = σ² H⁻¹ZᵀZH⁻¹, SE = sqrt(diag cov).
// Before the fix (penalty rows rotated into the shifted factor in double, the covariance
// mapped back through the shift) the default solver kept 10.7 / 8.6 / 11.4 digits of the
// coefficients and 6.7 / 2.4 / NaN of the SEs at λ = 1 / 1e4 / 1e7, and the fit moved with
// the row order at 6e-7.
#include <streamreg/multivariate.hpp>

#include <catch2/catch.hpp>

#include <algorithm>  // std::reverse, std::max
#include <iomanip>    // std::setprecision
#include <sstream>    // the table
#include <string>     // std::string

#include "common.hpp"
#include "support/nist.hpp"

namespace {

using namespace mv_test;  // NOLINT: the shared helpers of these tests
using streamreg_test::exact_solve;

ls_problem longley(bool reversed) {
  const auto d = streamreg_test::read_nist_linear(streamreg_test::data_path("nist/Longley.dat"),
                                                  "Longley");
  ls_problem p;
  for (std::size_t i = 0; i < d.y.size(); ++i) p.add(d.x[i], d.y[i]);
  if (reversed) {
    std::reverse(p.x.begin(), p.x.end());
    std::reverse(p.y.begin(), p.y.end());
  }
  return p;
}

}  // namespace

TEST_CASE("ridge: Longley with a penalised intercept keeps its digits in both row orders",
          "[multivariate][ridge][nist]") {
  std::ostringstream table;
  table << std::fixed << std::setprecision(1)
        << "Longley, --ridge L --penalize-intercept, default solver: digits vs the exact fit\n"
           "| L | order | status | coefficients | SEs | residual SD | estimated |\n"
           "|---|---|---|---|---|---|---|\n";
  for (const double lambda : {1.0, 1e4, 1e7}) {
    mv::vector_t<double, Eigen::Dynamic> coefficients[2];
    for (const bool reversed : {false, true}) {
      ls_problem p = longley(reversed);
      p.ridge = lambda;
      p.penalize_intercept = true;
      const exact_ls ex = exact_solve(p);
      REQUIRE(ex.full_rank);
      mv::regression<> reg(options_for(p));
      push_all(reg, p);
      const auto r = reg.infer();
      const errors e = compare(r, ex);
      table << "| " << lambda << " | " << (reversed ? "reversed" : "file") << " | "
            << streamreg::to_string(r.status) << " | " << digits(e.coef) << " | "
            << digits(e.se) << " | " << digits(e.rsd) << " | " << r.fit.digits << " |\n";
      INFO("lambda " << lambda << (reversed ? ", rows reversed" : ""));
      CHECK(r.status == fit_status::ok);
      CHECK(digits(e.coef) >= 12);
      CHECK(digits(e.se) >= 10);
      CHECK(digits(e.rsd) >= 10);
      coefficients[reversed ? 1 : 0] = r.fit.coefficients;
    }
    // The same fit whatever the row order.
    for (Eigen::Index j = 0; j < coefficients[0].size(); ++j) {
      INFO("lambda " << lambda << ", coefficient " << j);
      CHECK(std::fabs(coefficients[0](j) - coefficients[1](j)) <=
            1e-12 * std::fabs(coefficients[0](j)));
    }
  }
  WARN(table.str());
}

TEST_CASE("ridge: the slopes-only penalty on Longley, default solver, exact",
          "[multivariate][ridge][nist]") {
  for (const double lambda : {1.0, 1e4}) {
    ls_problem p = longley(false);
    p.ridge = lambda;
    const exact_ls ex = exact_solve(p);
    mv::regression<> reg(options_for(p));
    push_all(reg, p);
    INFO("lambda " << lambda);
    check_exact(reg.infer(), ex, {1e-12, 1e-10});
  }
}

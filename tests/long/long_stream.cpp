// SPDX-License-Identifier: MIT
// Opt-in long-stream check (`--target long_stream`, then tests/long/long_stream [n] [state]):
// n records (default 10⁹) of y = 2x + 1 + U(−0.1, 0.1) on a 2^-14 grid, x = 0 .. n − 1,
// through moments<double> (state "double", the default), moments<long double> ("long") or
// precise_moments ("precise"); at every decade and half-decade prefix, the fit against the
// exact fit of the same values (128-bit integer sums, GMP rationals). Prints one line per
// prefix; exits 1 if a coefficient is further than 1% of its standard error from the exact
// one (or, where an ulp of the coefficient is larger than that, further than one ulp), or if
// the residual SD, an SE or R² is off by more than 1e-10 relative (1e-12 for precise).
#include <streamreg/moments.hpp>
#include <streamreg/solve.hpp>

#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "support/long_stream.hpp"

namespace {

double rel(double v, double exact) { return std::abs(v - exact) / std::abs(exact); }

/// |v − exact| allowed for a coefficient: 1% of its SE, or one ulp of the exact value if larger.
double coef_bar(double exact, double se) {
  const double ulp = std::nextafter(std::abs(exact), INFINITY) - std::abs(exact);
  return std::max(0.01 * se, ulp);
}

template <class State>
int run(std::uint64_t n, double inference_bar) {
  State m;
  streamreg_test::grid_stream g;
  streamreg_test::exact_sums s;
  int failures = 0;
  std::uint64_t next = 3;
  std::printf("%12s %14s %14s %12s %12s %12s %12s\n", "n", "a_err/SE", "b_err/SE", "sd_rel",
              "se_b_rel", "se_a_rel", "r2_rel");
  for (std::uint64_t i = 1; i <= n; ++i) {
    const auto r = g.next();
    m.push(static_cast<typename State::value_type>(r.x), static_cast<typename State::value_type>(r.y));
    s.add(r.x, r.y_scaled);
    if (i == next || i == n) {
      next = (std::to_string(next)[0] == '3') ? next / 3 * 10 : next * 3;
      const auto e = streamreg_test::exact_fit(s);
      const auto f = streamreg::infer(m);
      const double a = static_cast<double>(f.fit.intercept), b = static_cast<double>(f.fit.slope);
      const double ea = std::abs(a - e.intercept), eb = std::abs(b - e.slope);
      const double worst = std::max({rel(static_cast<double>(f.residual_sd), e.residual_sd),
                                     rel(static_cast<double>(f.se_slope), e.se_slope),
                                     rel(static_cast<double>(f.se_intercept), e.se_intercept),
                                     rel(static_cast<double>(f.r_squared), e.r_squared)});
      const bool ok = f.status == streamreg::fit_status::ok && ea <= coef_bar(e.intercept, e.se_intercept) &&
                      eb <= coef_bar(e.slope, e.se_slope) && worst <= inference_bar;
      failures += ok ? 0 : 1;
      std::printf("%12llu %14.3g %14.3g %12.3g %12.3g %12.3g %12.3g %s\n",
                  static_cast<unsigned long long>(i), ea / e.se_intercept, eb / e.se_slope,
                  rel(static_cast<double>(f.residual_sd), e.residual_sd),
                  rel(static_cast<double>(f.se_slope), e.se_slope),
                  rel(static_cast<double>(f.se_intercept), e.se_intercept),
                  rel(static_cast<double>(f.r_squared), e.r_squared), ok ? "ok" : "FAIL");
      std::fflush(stdout);
    }
  }
  return failures == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  const std::uint64_t n = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1'000'000'000ull;
  const std::string state = argc > 2 ? argv[2] : "double";
  if (n < 3) {
    std::fprintf(stderr, "long_stream: n must be at least 3\n");
    return 2;
  }
  if (state == "double") return run<streamreg::moments<double>>(n, 1e-10);
  if (state == "long") return run<streamreg::moments<long double>>(n, 1e-10);
  if (state == "precise") return run<streamreg::precise_moments>(n, 1e-12);
  std::fprintf(stderr, "long_stream: state must be double, long or precise\n");
  return 2;
}

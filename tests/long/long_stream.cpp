// SPDX-License-Identifier: MIT
// Opt-in long-stream check (`--target long_stream`, then tests/long/long_stream [n] [state]):
// n records (default 10⁹) of y = 2x + 1 + U(−0.1, 0.1) on a 2^-14 grid, x = 0 .. n − 1,
// through moments<double> (state "double", the default), moments<long double> ("long"),
// moments<float> ("float": x = i mod 1000 on a 2^-12 grid, within 1e-4 relative),
// precise_moments ("precise"), or a one-predictor multivariate::regression with the policy of
// stream_fit's --solver givens ("givens"), --solver moments ("mv-moments") or --precise
// ("mv-precise"); at every decade and half-decade prefix, the fit against the
// exact fit of the same values (128-bit integer sums, GMP rationals). Prints one line per
// prefix; exits 1 if a coefficient is further than 1% of its standard error from the exact
// one (or, where an ulp of the coefficient is larger than that, further than one ulp), or if
// the residual SD, an SE or R² is off by more than 1e-10 relative (1e-12 for precise).
#include <streamreg/moments.hpp>
#include <streamreg/multivariate/regression.hpp>
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

/// What is compared: the fit and its inference, from either kind of state.
struct measured {
  bool ok = false;
  double a = 0, b = 0, sd = 0, se_a = 0, se_b = 0, r2 = 0;
};

template <class T>
measured measure(const streamreg::moments<T>& m) {
  const auto f = streamreg::infer(m);
  return {f.status == streamreg::fit_status::ok, static_cast<double>(f.fit.intercept),
          static_cast<double>(f.fit.slope), static_cast<double>(f.residual_sd),
          static_cast<double>(f.se_intercept), static_cast<double>(f.se_slope),
          static_cast<double>(f.r_squared)};
}

template <class T, int P, class Policy>
measured measure(const streamreg::multivariate::regression<T, P, Policy>& m) {
  const auto f = m.infer();
  return {f.status == streamreg::fit_status::ok, static_cast<double>(f.fit.coefficients(0)),
          static_cast<double>(f.fit.coefficients(1)), static_cast<double>(f.residual_sd),
          static_cast<double>(f.std_errors(0)), static_cast<double>(f.std_errors(1)),
          static_cast<double>(f.r_squared)};
}

template <class T>
void push(streamreg::moments<T>& m, double x, double y) {
  m.push(static_cast<T>(x), static_cast<T>(y));  // exact: the grid's values are
}
template <class T, int P, class Policy>
void push(streamreg::multivariate::regression<T, P, Policy>& m, double x, double y) {
  m.push(x, y);
}

template <class State>
int run(State m, std::uint64_t n, double inference_bar,
        streamreg_test::grid_stream g = streamreg_test::grid_stream{}, double coef_rel = 0) {
  streamreg_test::exact_sums s;
  s.g = g.g;
  int failures = 0;
  std::uint64_t next = 3;
  std::printf("%12s %14s %14s %12s %12s %12s %12s\n", "n", "a_err/SE", "b_err/SE", "sd_rel",
              "se_b_rel", "se_a_rel", "r2_rel");
  for (std::uint64_t i = 1; i <= n; ++i) {
    const auto r = g.next();
    push(m, static_cast<double>(r.x), r.y);  // exact: x < 2^53
    s.add(r.x, r.y_scaled);
    if (i == next || i == n) {
      next = (std::to_string(next)[0] == '3') ? next / 3 * 10 : next * 3;
      const auto e = streamreg_test::exact_fit(s);
      const measured f = measure(m);
      const double ea = std::abs(f.a - e.intercept), eb = std::abs(f.b - e.slope);
      const double worst = std::max({rel(f.sd, e.residual_sd), rel(f.se_b, e.se_slope),
                                     rel(f.se_a, e.se_intercept), rel(f.r2, e.r_squared)});
      const bool coef_ok = coef_rel > 0 ? ea <= coef_rel * std::abs(e.intercept) &&
                                              eb <= coef_rel * std::abs(e.slope)
                                        : ea <= coef_bar(e.intercept, e.se_intercept) &&
                                              eb <= coef_bar(e.slope, e.se_slope);
      const bool ok = f.ok && coef_ok && worst <= inference_bar;
      failures += ok ? 0 : 1;
      std::printf("%12llu %14.3g %14.3g %12.3g %12.3g %12.3g %12.3g %s\n",
                  static_cast<unsigned long long>(i), ea / e.se_intercept, eb / e.se_slope,
                  rel(f.sd, e.residual_sd), rel(f.se_b, e.se_slope), rel(f.se_a, e.se_intercept),
                  rel(f.r2, e.r_squared), ok ? "ok" : "FAIL");
      std::fflush(stdout);
    }
  }
  return failures == 0 ? 0 : 1;
}

/// A one-predictor multivariate::regression as stream_fit builds it.
template <class Regression>
Regression one_predictor() {
  streamreg::multivariate::options o;
  o.predictors = 1;
  return Regression(o);
}

}  // namespace

int main(int argc, char** argv) {
  const std::uint64_t n = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 1'000'000'000ull;
  const std::string state = argc > 2 ? argv[2] : "double";
  if (n < 3) {
    std::fprintf(stderr, "long_stream: n must be at least 3\n");
    return 2;
  }
  namespace mv = streamreg::multivariate;
  if (state == "double") return run(streamreg::moments<double>{}, n, 1e-10);
  if (state == "long") return run(streamreg::moments<long double>{}, n, 1e-10);
  if (state == "precise") return run(streamreg::precise_moments{}, n, 1e-12);
  if (state == "float") {  // x = i mod 1000 on a 2^-12 grid: every value exact in float
    streamreg_test::grid_stream g;
    g.g = 12;
    g.period = 1000;
    return run(streamreg::moments<float>{}, n, 1e-4, g, 1e-4);
  }
  if (state == "givens") return run(one_predictor<mv::regression<double, 1, mv::givens>>(), n, 1e-10);
  if (state == "mv-moments")
    return run(one_predictor<mv::regression<double, 1, mv::moments>>(), n, 1e-10);
  if (state == "mv-precise") return run(one_predictor<mv::precise_regression<1>>(), n, 1e-12);
  std::fprintf(stderr, "long_stream: state must be double, long, float, precise, givens, mv-moments or mv-precise\n");
  return 2;
}

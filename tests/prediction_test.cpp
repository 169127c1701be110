// SPDX-License-Identifier: MIT
// predict(state, x) and regressor::predict_with_se: the fitted value with the standard
// errors of the mean response and of a new observation, against exact rational fits, on
// plain and offset streams, in windows; the edges.
#include <streamreg/moments.hpp>
#include <streamreg/prediction.hpp>
#include <streamreg/regressor.hpp>
#include <streamreg/sink.hpp>
#include <streamreg/window.hpp>

#include <catch2/catch.hpp>

#include <cmath>    // std::isnan
#include <cstddef>  // std::size_t
#include <random>   // std::mt19937_64
#include <vector>   // std::vector

#include "support/oracle.hpp"

namespace {

using streamreg::fit_status;
using streamreg_test::exact_fit;
using streamreg_test::point;
using streamreg_test::rel_error;
using streamreg_test::rel_error_sqrt;
using streamreg_test::to_mpq;

/// The exact prediction at x of the least-squares line of `data`: ŷ, se_fit², se_obs².
struct exact_prediction {
  mpq_class fit, var_fit, var_obs;
};

exact_prediction exact_predict(const std::vector<point>& data, double x) {
  const auto e = exact_fit(data);
  REQUIRE(e.has_inference);
  const mpq_class xq = to_mpq(x);
  const mpq_class dx = xq - e.mean_x;
  exact_prediction p;
  p.fit = e.intercept + e.slope * xq;
  p.var_fit = e.residual_var * (1 / e.weight_sum + dx * dx / e.sxx);
  p.var_obs = p.var_fit + e.residual_var;
  return p;
}

template <class Prediction>
void check_prediction(const Prediction& p, const exact_prediction& e, double tol) {
  INFO("fit " << p.fit << " se_fit " << p.se_fit << " se_obs " << p.se_obs);
  CHECK(p.status == fit_status::ok);
  CHECK(rel_error(p.fit, e.fit) <= tol);
  CHECK(rel_error_sqrt(p.se_fit, e.var_fit) <= tol);
  CHECK(rel_error_sqrt(p.se_obs, e.var_obs) <= tol);
}

std::vector<point> noisy_line(std::size_t n, double x0, double dx, unsigned seed) {
  std::mt19937_64 rng(seed);
  std::uniform_real_distribution<double> u(-0.5, 0.5);
  std::vector<point> v;
  for (std::size_t i = 0; i < n; ++i) {
    const double x = x0 + dx * static_cast<double>(i);
    v.push_back({x, 3.0 - 0.25 * (x - x0) + u(rng)});
  }
  return v;
}

TEST_CASE("predict: fit, se_fit and se_obs of the exact fit at every prefix, inside and outside "
          "the data",
          "[prediction]") {
  const auto data = noisy_line(300, 10.0, 0.5, 7);
  streamreg::moments<double> s;
  std::vector<point> seen;
  for (const auto& r : data) {
    s.push(r.x, r.y);
    seen.push_back(r);
    if (seen.size() < 3) {
      const auto p = streamreg::predict(s, 12.0);
      CHECK(p.status == fit_status::too_few_points);
      CHECK(std::isnan(p.fit));
      CHECK(std::isnan(p.se_obs));
      continue;
    }
    if (seen.size() % 37 != 0) continue;
    for (double x : {10.0, 55.0, 300.0, -1000.0}) {
      INFO("n " << seen.size() << " x " << x);
      check_prediction(streamreg::predict(s, x), exact_predict(seen, x), 1e-12);
    }
    CHECK(streamreg::predict(s, 1.0).df == static_cast<double>(seen.size() - 2));
  }
}

TEST_CASE("predict: offset x near 1.7e9 keeps its digits (no cancellation of ŷ = a + b·x)",
          "[prediction]") {
  // Timestamps: the intercept is ~1e9 times the fitted values, so a + b·x would cancel nine
  // digits; the prediction is formed from the state's origin instead.
  const auto data = noisy_line(1000, 1.7e9, 1.0, 11);
  streamreg::regressor<streamreg::moments<double>, streamreg::null_sink> reg;
  for (const auto& r : data) reg.push(r.x, r.y);
  for (double x : {1.7e9 + 5, 1.7e9 + 999.5, 1.7e9 + 4000}) {
    INFO("x " << x);
    check_prediction(reg.predict_with_se(x), exact_predict(data, x), 1e-12);
  }
}

TEST_CASE("predict: a count window predicts from the records it holds", "[prediction][window]") {
  const auto data = noisy_line(500, 1.7e9, 2.0, 5);
  streamreg::count_window<streamreg::moments<double>> w(100);
  for (std::size_t i = 0; i < data.size(); ++i) {
    w.push(data[i].x, data[i].y);
    if (i + 1 < 100 || (i + 1) % 61 != 0) continue;
    const std::vector<point> held(data.begin() + static_cast<std::ptrdiff_t>(i + 1 - 100),
                                  data.begin() + static_cast<std::ptrdiff_t>(i + 1));
    const double x = data[i].x + 10;
    INFO("record " << i);
    check_prediction(streamreg::predict(w, x), exact_predict(held, x), 1e-11);
  }
}

TEST_CASE("predict: edges: constant x, a non-finite x, an empty state", "[prediction]") {
  streamreg::moments<double> s;
  CHECK(streamreg::predict(s, 1.0).status == fit_status::empty);
  for (double y : {1.0, 2.0, 4.0}) s.push(5.0, y);
  const auto c = streamreg::predict(s, 5.0);
  CHECK(c.status == fit_status::constant_x);
  CHECK(std::isnan(c.fit));
  CHECK_FALSE(c.defined());
  s.push(6.0, 3.0);
  CHECK(streamreg::predict(s, 5.5).defined());
  const auto bad = streamreg::predict(s, std::numeric_limits<double>::infinity());
  CHECK(bad.status == fit_status::not_finite);
  CHECK(std::isnan(bad.se_fit));
}

TEST_CASE("predict: an exact line has se_fit = se_obs = 0 and the line's value", "[prediction]") {
  streamreg::moments<double> s;
  for (int i = 0; i < 10; ++i) s.push(i, 2.0 * i + 1);
  const auto p = streamreg::predict(s, 20.0);
  CHECK(p.status == fit_status::ok);
  CHECK(p.fit == 41.0);
  CHECK(p.se_fit == 0.0);
  CHECK(p.se_obs == 0.0);
}

}  // namespace

// SPDX-License-Identifier: MIT
// student_t.hpp: t quantiles and p-values against values computed independently to 40 digits
// (mpmath: the regularised incomplete beta function, the quantile by root finding; they
// agree with printed tables to the tables' digits; scipy.stats.t.ppf is off by up to 2e-11),
// and prediction intervals of a hand-built prediction.
#include <streamreg/student_t.hpp>

#include <catch2/catch.hpp>

#include <cmath>   // std::isnan, std::sqrt
#include <limits>  // std::numeric_limits

namespace {

using Catch::Matchers::WithinRel;

TEST_CASE("t_quantile: published quantiles, fractional df and the normal limit", "[student_t]") {
  CHECK_THAT(streamreg::t_quantile(1, 0.975), WithinRel(12.706204736174693, 1e-12));
  CHECK_THAT(streamreg::t_quantile(10, 0.975), WithinRel(2.2281388519862742, 1e-12));
  CHECK_THAT(streamreg::t_quantile(30, 0.995), WithinRel(2.7499956535672250, 1e-12));
  CHECK_THAT(streamreg::t_quantile(2.5, 0.95), WithinRel(2.5582186141359355, 1e-12));
  CHECK_THAT(streamreg::t_quantile(1e6, 0.975), WithinRel(1.9599663568141066, 1e-12));
  CHECK_THAT(streamreg::t_quantile(std::numeric_limits<double>::infinity(), 0.975),
             WithinRel(1.959963984540054, 1e-14));
  CHECK_THAT(streamreg::t_quantile(10, 0.025), WithinRel(-2.2281388519862742, 1e-12));
  // With 2 df the quantile has a closed form: (2p − 1) √(2 / (4p(1 − p))).
  CHECK_THAT(streamreg::t_quantile(2, 0.975), WithinRel(0.95 * std::sqrt(2 / 0.0975), 1e-14));
  CHECK(std::isnan(streamreg::t_quantile(0, 0.975)));
  CHECK(std::isnan(streamreg::t_quantile(std::numeric_limits<double>::quiet_NaN(), 0.975)));
  CHECK_THROWS_AS(streamreg::t_quantile(10, 1.0), streamreg::config_error);
  CHECK_THROWS_AS(streamreg::t_quantile(10, 0.0), streamreg::config_error);
}

TEST_CASE("f_p_value: upper tail probabilities of Fisher's F", "[student_t]") {
  // mpmath, 40 digits: 1 − I_x(d1/2, d2/2) at x = d1 f / (d1 f + d2).
  CHECK_THAT(streamreg::f_p_value(3.0, 1, 10), WithinRel(0.11393741215192041, 1e-12));
  CHECK_THAT(streamreg::f_p_value(0.5, 3, 7.5), WithinRel(0.6932855021854568, 1e-12));
  CHECK_THAT(streamreg::f_p_value(12.0, 5, 100), WithinRel(4.1404093164745068e-9, 1e-11));
  // With d1 = 2 the tail has a closed form: (1 + 2f/d2)^(−d2/2).
  CHECK_THAT(streamreg::f_p_value(80.9, 2, 4), WithinRel(1 / (41.45 * 41.45), 1e-13));
  // F with (1, df) is t² with df: the same p-value as the two-sided t test.
  CHECK_THAT(streamreg::f_p_value(4.0, 1, 10), WithinRel(streamreg::t_p_value(2.0, 10), 1e-12));
  CHECK(streamreg::f_p_value(std::numeric_limits<double>::infinity(), 2, 3) == 0.0);
  CHECK(std::isnan(streamreg::f_p_value(-1, 2, 3)));
  CHECK(std::isnan(streamreg::f_p_value(1, 0, 3)));
  CHECK(std::isnan(streamreg::f_p_value(std::numeric_limits<double>::quiet_NaN(), 2, 3)));
}

TEST_CASE("t_p_value: two-sided tail probabilities", "[student_t]") {
  CHECK_THAT(streamreg::t_p_value(2.0, 10), WithinRel(0.07338803477074039, 1e-12));
  CHECK_THAT(streamreg::t_p_value(-3.5, 4.5), WithinRel(0.02054168996938556, 1e-12));
  CHECK_THAT(streamreg::t_p_value(0.1, 100), WithinRel(0.9205445310958512, 1e-12));
  CHECK(streamreg::t_p_value(std::numeric_limits<double>::infinity(), 3) == 0.0);
  CHECK(std::isnan(streamreg::t_p_value(std::numeric_limits<double>::quiet_NaN(), 3)));
  CHECK(std::isnan(streamreg::t_p_value(1.0, -1)));
}

TEST_CASE("prediction_interval and confidence_interval: fit ± t·se", "[student_t][prediction]") {
  streamreg::prediction<double> p;
  p.status = streamreg::fit_status::ok;
  p.fit = 100;
  p.se_fit = 2;
  p.se_obs = 5;
  p.df = 10;
  const auto obs = streamreg::prediction_interval(p, 0.95);
  CHECK_THAT(obs.lower, WithinRel(100 - 5 * 2.2281388519862742, 1e-13));
  CHECK_THAT(obs.upper, WithinRel(100 + 5 * 2.2281388519862742, 1e-13));
  const auto mean = streamreg::confidence_interval(p, 0.95);
  CHECK_THAT(mean.upper, WithinRel(100 + 2 * 2.2281388519862742, 1e-13));
  CHECK_THROWS_AS(streamreg::prediction_interval(p, 1.5), streamreg::config_error);
  p.status = streamreg::fit_status::too_few_points;
  CHECK(std::isnan(streamreg::prediction_interval(p, 0.95).lower));
}

}  // namespace

// SPDX-License-Identifier: MIT
// stream_fit with several predictors, a polynomial, no intercept, ridge, the precise mode,
// windows and retraction: NIST StRD certified values and hand-computable fits.
#include "run_support.hpp"

#include <catch2/catch.hpp>

#include <chrono>
#include <cmath>
#include <cstdio>
#include <string>
#include <vector>

namespace {

using Catch::Matchers::Contains;
using Catch::Matchers::WithinRel;
using namespace cli_test;

const std::string sf = STREAM_FIT;
const std::string nist = std::string(STREAMREG_DATA_DIR) + "/nist/";

/// The numbers of a JSON array field ("coefficients": [...]) or a number field.
std::vector<double> json_numbers(const std::string& o, const std::string& key) {
  std::vector<double> v;
  std::size_t p = o.find("\"" + key + "\":");
  REQUIRE(p != std::string::npos);
  p += key.size() + 3;
  if (o[p] != '[') {
    v.push_back(std::stod(o.substr(p)));
    return v;
  }
  const std::size_t end = o.find(']', p);
  ++p;
  while (p < end) {
    std::size_t next = o.find(',', p);
    if (next > end) next = end;
    v.push_back(std::stod(o.substr(p, next - p)));
    p = next + 1;
  }
  return v;
}

double lre(double computed, double certified) {
  const double r = certified == 0 ? std::fabs(computed)
                                  : std::fabs(computed - certified) / std::fabs(certified);
  return r == 0 ? 15.0 : std::min(15.0, -std::log10(r));
}

struct certified {
  std::vector<double> b, sd;
  double residual_sd, r_squared;
};

/// Minimum LRE over coefficients, standard errors, residual SD and R².
double min_lre(const std::string& out, const certified& c) {
  const auto b = json_numbers(out, "coefficients");
  const auto sd = json_numbers(out, "std_errors");
  REQUIRE(b.size() == c.b.size());
  REQUIRE(sd.size() == c.sd.size());
  double m = 15;
  for (std::size_t i = 0; i < b.size(); ++i) {
    m = std::min(m, lre(b[i], c.b[i]));
    m = std::min(m, lre(sd[i], c.sd[i]));
  }
  m = std::min(m, lre(json_numbers(out, "residual_sd")[0], c.residual_sd));
  m = std::min(m, lre(json_numbers(out, "r_squared")[0], c.r_squared));
  return m;
}

// NIST StRD certified values (published by NIST/ITL, 15 significant digits).
const certified longley{{-3482258.63459582, 15.0618722713733, -0.358191792925910e-01,
                         -2.02022980381683, -1.03322686717359, -0.511041056535807e-01,
                         1829.15146461355},
                        {890420.383607373, 84.9149257747669, 0.334910077722432e-01,
                         0.488399681651699, 0.214274163161675, 0.226073200069370,
                         455.478499142212},
                        304.854073561965,
                        0.995479004577296};
const certified wampler1{{1, 1, 1, 1, 1, 1}, {0, 0, 0, 0, 0, 0}, 0, 1};
const certified pontius{{0.673565789473684e-03, 0.732059160401003e-06, -0.316081871345029e-14},
                        {0.107938612033077e-03, 0.157817399981659e-09, 0.486652849992036e-16},
                        0.205177424076185e-03,
                        0.999999900178537};
const certified noint1{{2.07438016528926}, {0.165289256198347e-01}, 3.56753034006338,
                       0.999365492298663};

const std::string longley_x = " --x x1 --x x2 --x x3 --x x4 --x x5 --x x6";

TEST_CASE("stream_fit: several predictors reproduce NIST Longley", "[cli][multivariate][nist]") {
  for (const char* solver : {"", " --solver moments", " --precise"}) {
    const auto r = run(sf + " " + nist + "Longley.dat --skip-to-data --y y" + longley_x +
                       " --emit final --format jsonl" + solver);
    INFO(solver << "\n" << r.out << r.err);
    REQUIRE(r.status == 0);
    CHECK_THAT(r.out, Contains("\"n\":16") && Contains("\"status\":\"ok\"") &&
                          Contains("\"names\":[\"intercept\",\"x1\",\"x2\""));
    // Default and precise keep 13+ digits of everything; centred moments 11+.
    CHECK(min_lre(r.out, longley) >= (std::string(solver) == " --solver moments" ? 11 : 13));
  }
}

TEST_CASE("stream_fit: --degree fits the NIST polynomial sets", "[cli][multivariate][nist]") {
  const auto w = run(sf + " " + nist +
                     "Wampler1.dat --skip-to-data --y y --x x --degree 5 --emit final --format jsonl");
  REQUIRE(w.status == 0);
  CHECK_THAT(w.out, Contains("\"names\":[\"intercept\",\"x\",\"x^2\",\"x^3\",\"x^4\",\"x^5\"]"));
  CHECK(min_lre(w.out, wampler1) >= 9);
  const auto wp = run(sf + " " + nist +
                      "Wampler1.dat --skip-to-data --y y --x x --degree 5 --precise --emit final "
                      "--format jsonl");
  REQUIRE(wp.status == 0);
  CHECK(min_lre(wp.out, wampler1) >= 13);
  const auto p = run(sf + " " + nist +
                     "Pontius.dat --skip-to-data --y y --x x --degree 2 --emit final --format jsonl");
  REQUIRE(p.status == 0);
  CHECK(min_lre(p.out, pontius) >= 12);
}

TEST_CASE("stream_fit: --no-intercept reproduces NIST NoInt1 with the uncentred R2",
          "[cli][multivariate][nist]") {
  const auto r = run(sf + " " + nist +
                     "NoInt1.dat --skip-to-data --y y --x x --no-intercept --emit final "
                     "--format jsonl");
  REQUIRE(r.status == 0);
  CHECK_THAT(r.out, Contains("\"names\":[\"x\"]"));
  CHECK(min_lre(r.out, noint1) >= 13);
}

TEST_CASE("stream_fit: several predictors, csv after every record", "[cli][multivariate]") {
  // y = 1 + 2 a - 3 b exactly: from the third record on the fit is exact.
  const std::string in = write_temp("mv.csv",
                                    "a,b,y\n0,0,1\n1,0,3\n0,1,-2\n2,3,-4\n5,1,8\n");
  const auto r = run(sf + " " + in + " --y y --x a --x b");
  REQUIRE(r.status == 0);
  const auto rows = lines(r.out);
  REQUIRE(rows.size() == 6);
  CHECK(rows[0] ==
        "n,intercept,a,b,status,residual_sd,r_squared,se_intercept,se_a,se_b,adj_r_squared,f,"
        "condition,digits");
  CHECK(fields(rows[1])[4] == "too_few_points");
  CHECK(fields(rows[2])[1].empty());
  const auto third = fields(rows[3]);
  REQUIRE(third[4] == "ok");
  CHECK_THAT(std::stod(third[1]), WithinRel(1.0, 1e-14));
  CHECK_THAT(std::stod(third[2]), WithinRel(2.0, 1e-14));
  CHECK_THAT(std::stod(third[3]), WithinRel(-3.0, 1e-14));
  CHECK(third[5].empty());  // df = 0: no residual SD yet
  const auto last = fields(rows[5]);
  CHECK_THAT(std::stod(last[2]), WithinRel(2.0, 1e-13));
  CHECK(std::fabs(std::stod(last[5])) < 1e-13);  // exact fit: residual SD 0
  std::remove(in.c_str());
}

TEST_CASE("stream_fit: --ridge shrinks the slopes by the closed form", "[cli][multivariate]") {
  // One predictor, x = -1, 0, 1 (mean 0), y = 0, 1, 2: Sxx = 2, Sxy = 2. Ridge on the slope
  // only: slope = Sxy / (Sxx + L) = 2 / 3 for L = 1, intercept = mean y = 1.
  const std::string in = write_temp("ridge.csv", "x,y\n-1,0\n0,1\n1,2\n");
  const auto r = run(sf + " " + in + " --y y --x x --ridge 1 --emit final --format jsonl");
  REQUIRE(r.status == 0);
  const auto b = json_numbers(r.out, "coefficients");
  REQUIRE(b.size() == 2);
  CHECK_THAT(b[0], WithinRel(1.0, 1e-14));
  CHECK_THAT(b[1], WithinRel(2.0 / 3.0, 1e-14));
  // Penalising the intercept too: (XᵀX + I) β = Xᵀy with XᵀX = diag(3, 2), Xᵀy = (3, 2).
  const auto p = run(sf + " " + in +
                     " --y y --x x --ridge 1 --penalize-intercept --emit final --format jsonl");
  REQUIRE(p.status == 0);
  const auto bp = json_numbers(p.out, "coefficients");
  CHECK_THAT(bp[0], WithinRel(3.0 / 4.0, 1e-14));
  CHECK_THAT(bp[1], WithinRel(2.0 / 3.0, 1e-14));
  std::remove(in.c_str());
}

TEST_CASE("stream_fit: several predictors with --window and --diff", "[cli][multivariate]") {
  // A window of 3 over records that follow y = a + b until the last three, which follow
  // y = 2a - b + 1: the final fit is that plane.
  const std::string in = write_temp(
      "mvwin.csv", "a,b,y\n1,0,1\n0,1,1\n1,1,2\n2,1,4\n0,3,-2\n1,5,-2\n");
  // The default solver (two stacks of Givens factors) and the others alike.
  for (const char* solver : {"", " --solver moments", " --precise"}) {
    const auto r = run(sf + " " + in + " --y y --x a --x b --window 3 --emit final --format jsonl" +
                       solver);
    INFO(solver << ": " << r.err);
    REQUIRE(r.status == 0);
    const auto b = json_numbers(r.out, "coefficients");
    REQUIRE(b.size() == 3);
    CHECK_THAT(b[0], WithinRel(1.0, 1e-12));
    CHECK_THAT(b[1], WithinRel(2.0, 1e-12));
    CHECK_THAT(b[2], WithinRel(-1.0, 1e-12));
    CHECK_THAT(r.out, Contains("\"n\":3"));
  }
  // Retraction: insert four records, retract the one off the plane y = 1 + a + 2b.
  const std::string d = write_temp(
      "mvdiff.csv", "a,b,y,d\n0,0,1,1\n1,0,2,1\n5,5,0,1\n0,1,3,1\n5,5,0,-1\n");
  const auto rd = run(sf + " " + d + " --y y --x a --x b --diff d --emit final --format jsonl");
  REQUIRE(rd.status == 0);
  const auto bd = json_numbers(rd.out, "coefficients");
  CHECK_THAT(bd[0], WithinRel(1.0, 1e-12));
  CHECK_THAT(bd[1], WithinRel(1.0, 1e-12));
  CHECK_THAT(bd[2], WithinRel(2.0, 1e-12));
  std::remove(in.c_str());
  std::remove(d.c_str());
}

TEST_CASE("stream_fit: several predictors with --window-time and --half-life-time",
          "[cli][multivariate][time]") {
  // The records with time > 6 − 2 = 4 lie on y = 1 + 2a − b; the earlier ones do not.
  const std::string in = write_temp(
      "mvtime.csv",
      "t,a,b,y\n0,1,0,9\n1,0,1,-7\n2,1,1,5\n4,2,2,0\n4.5,1,0,3\n5,0,1,0\n5.5,2,1,4\n6,1,3,0\n");
  const auto r = run(sf + " " + in +
                     " --y y --x a --x b --time t --window-time 2 --emit final --format jsonl");
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  CHECK_THAT(r.out, Contains("\"n\":4") && Contains("\"status\":\"ok\""));
  const auto b = json_numbers(r.out, "coefficients");
  REQUIRE(b.size() == 3);
  CHECK_THAT(b[0], WithinRel(1.0, 1e-12));
  CHECK_THAT(b[1], WithinRel(2.0, 1e-12));
  CHECK_THAT(b[2], WithinRel(-1.0, 1e-12));
  // Forgetting in time: the same plane through every record fits exactly whatever the
  // weights; the fit is defined after every record from the third on.
  const std::string plane = write_temp(
      "mvplane.csv", "t,a,b,y\n0,1,0,3\n1,0,1,0\n1,1,1,2\n3,2,2,3\n4,1,3,0\n");
  const auto f = run(sf + " " + plane +
                     " --y y --x a --x b --time t --half-life-time 1.5 --format jsonl");
  INFO(f.out << f.err);
  REQUIRE(f.status == 0);
  const auto rows = lines(f.out);
  REQUIRE(rows.size() == 5);
  const auto bf = json_numbers(rows[4], "coefficients");
  CHECK_THAT(bf[1], WithinRel(2.0, 1e-12));
  // Time going backwards is a bad record naming its line; --time is required.
  const std::string late = write_temp("mvlate.csv", "t,a,b,y\n0,1,0,3\n2,0,1,0\n1,1,1,2\n");
  struct refusal {
    const char* args;
    int status;
    const char* says;
  };
  for (const refusal& c : {refusal{" --time t --window-time 5", 1, "line 4, column 1 (t): "
                                                                    "time earlier than the previous"},
                           refusal{" --window-time 5", 2, "need --time COL"},
                           refusal{" --time t --window-time 5 --solver givens", 1,
                                   "time earlier than the previous"}}) {
    const auto e = run(sf + " " + late + " --y y --x a --x b" + c.args);
    INFO(c.args << ": " << e.err);
    CHECK(e.status == c.status);
    CHECK_THAT(e.err, Contains(c.says));
  }
  for (const auto& p : {in, plane, late}) std::remove(p.c_str());
}

TEST_CASE("stream_fit: several-predictor errors name the line and the option",
          "[cli][multivariate][errors]") {
  const std::string in = write_temp("mvbad.csv", "a,b,y\n0,0,1\n1,x,3\n0,1,-2\n");
  const auto r = run(sf + " " + in + " --y y --x a --x b");
  CHECK(r.status == 1);
  CHECK_THAT(r.err, Contains("line 3") && Contains("'x'"));
  const auto s = run(sf + " " + in + " --y y --x a --x b --on-error skip --emit final");
  CHECK(s.status == 0);
  CHECK_THAT(s.err, Contains("2 records fitted, 1 skipped"));
  const auto deg = run(sf + " " + in + " --y y --x a --x b --degree 2");
  CHECK(deg.status == 2);
  CHECK_THAT(deg.err, Contains("--degree"));
  const std::string d = write_temp("mvbaddiff.csv", "a,b,y,d\n0,0,1,1\n1,0,2,1\n");
  const auto giv = run(sf + " " + d + " --y y --x a --x b --diff d --solver givens");
  CHECK(giv.status == 2);
  CHECK_THAT(giv.err, Contains("cannot remove"));
  std::remove(d.c_str());
  // A constant predictor with an intercept is rank deficient: a status, never numbers.
  const std::string c = write_temp("mvconst.csv", "a,b,y\n1,0,1\n1,1,3\n1,2,-2\n1,4,0\n");
  const auto rc = run(sf + " " + c + " --y y --x a --x b --emit final --format jsonl");
  CHECK(rc.status == 0);
  CHECK_THAT(rc.out, Contains("\"status\":\"rank_deficient\"") &&
                         Contains("\"coefficients\":[null,null,null]"));
  std::remove(in.c_str());
  std::remove(c.c_str());
}

TEST_CASE("stream_fit: --input-format jsonl reads fields by name", "[cli][multivariate][jsonl]") {
  // y = 1 + 2 a - 3 b exactly, as JSON objects with the fields in any order.
  const std::string in = write_temp(
      "mv.jsonl",
      "{\"a\":0,\"b\":0,\"y\":1}\n{\"y\":3,\"a\":1,\"b\":0}\n{\"b\":1,\"a\":0,\"y\":-2}\n"
      "{\"a\":2,\"b\":3,\"y\":-4,\"note\":\"x\"}\n");
  const auto r = run(sf + " " + in +
                     " --input-format jsonl --y y --x a --x b --emit final --format jsonl");
  REQUIRE(r.status == 0);
  const auto b = json_numbers(r.out, "coefficients");
  REQUIRE(b.size() == 3);
  CHECK_THAT(b[0], WithinRel(1.0, 1e-14));
  CHECK_THAT(b[1], WithinRel(2.0, 1e-14));
  CHECK_THAT(b[2], WithinRel(-3.0, 1e-14));
  CHECK_THAT(r.out, Contains("\"n\":4") && Contains("\"names\":[\"intercept\",\"a\",\"b\"]"));
  // One predictor: the scalar fit, y = 1 + 2 a over the records with b = 0.
  const std::string one = write_temp("one.jsonl", "{\"a\":0,\"y\":1}\n{\"a\":1,\"y\":3}\n");
  const auto s1 = run(sf + " " + one + " --input-format jsonl --y y --x a --emit final");
  REQUIRE(s1.status == 0);
  const auto row = fields(lines(s1.out).at(1));
  CHECK_THAT(std::stod(row[1]), WithinRel(1.0, 1e-15));
  CHECK_THAT(std::stod(row[2]), WithinRel(2.0, 1e-15));
  // A bad record names its line and field.
  const std::string bad = write_temp("bad.jsonl", "{\"a\":0,\"b\":0,\"y\":1}\n{\"a\":1,\"y\":3}\n");
  const auto e = run(sf + " " + bad + " --input-format jsonl --y y --x a --x b");
  CHECK(e.status == 1);
  CHECK_THAT(e.err, Contains("line 2") && Contains("'b'"));
  std::remove(in.c_str());
  std::remove(one.c_str());
  std::remove(bad.c_str());
}

// ---- Only JSON in --format jsonl: an undefined number is null, and the status or "reason"
// says why (every line run() sees also goes through the strict parser in run_support.hpp).

/// The single JSON line of a --emit final run, checked as strict JSON.
std::string final_json(const std::string& args) {
  const auto r = run(sf + " " + args + " --emit final --format jsonl");
  INFO(args << "\n" << r.out << r.err);
  REQUIRE(r.status == 0);
  const auto rows = lines(r.out);
  REQUIRE(rows.size() == 1);
  CHECK(streamreg_test::strict_json::check(rows[0]) == "");
  return rows[0];
}

TEST_CASE("stream_fit --format jsonl: exact, degenerate and tiny fits write null, never inf or nan",
          "[cli][multivariate][jsonl]") {
  // y = 1 + 2a − b exactly, in small integers: the moments solver finds a residual sum of
  // squares of exactly 0, so F = SSR / 0 is infinite (it wrote "f_statistic":inf).
  const std::string exact = write_temp(
      "exact.csv", "a,b,y\n0,0,1\n1,0,3\n0,1,0\n2,3,2\n5,1,10\n3,3,4\n4,0,9\n1,5,-2\n");
  const std::string w = final_json(exact + " --y y --x a --x b --solver moments");
  CHECK_THAT(w, Contains("\"status\":\"ok\"") && Contains("\"residual_sd\":0,") &&
                    Contains("\"f_statistic\":null") &&
                    Contains("\"reason\":\"exact fit: F is infinite"));
  // Constant y: R² and F are 0/0.
  const std::string flat = write_temp("flat.csv", "a,b,y\n0,0,2\n1,0,2\n0,1,2\n2,3,2\n5,1,2\n");
  const std::string f = final_json(flat + " --y y --x a --x b");
  CHECK_THAT(f, Contains("\"r_squared\":null") && Contains("\"f_statistic\":null") &&
                    Contains("constant y"));
  // As many records as coefficients: coefficients, no inference.
  const std::string three = write_temp("three.csv", "a,b,y\n0,0,1\n1,0,3\n0,1,-2\n");
  CHECK_THAT(final_json(three + " --y y --x a --x b"),
             Contains("\"std_errors\":[null,null,null]") && Contains("too_few_points"));
  // One predictor: n < 3 has coefficients but no standard errors; constant x none at all.
  const std::string two = write_temp("two.csv", "x,y\n0,1\n1,3\n");
  CHECK_THAT(final_json(two + " --y y --x x"),
             Contains("\"status\":\"ok\"") && Contains("\"std_errors\":[null,null]") &&
                 Contains("\"reason\":\"too_few_points"));
  const std::string cx = write_temp("cx.csv", "x,y\n2,1\n2,3\n2,4\n");
  CHECK_THAT(final_json(cx + " --y y --x x"),
             Contains("\"status\":\"constant_x\"") && Contains("\"coefficients\":[null,null]"));
  const std::string cy = write_temp("cy.csv", "x,y\n1,3\n2,3\n4,3\n");
  CHECK_THAT(final_json(cy + " --y y --x x"), Contains("\"r_squared\":null") && Contains("constant y"));
  for (const auto& p : {flat, three, two, cx, cy}) std::remove(p.c_str());
}

TEST_CASE("stream_fit --format jsonl: Longley with a penalised intercept has every standard error",
          "[cli][multivariate][jsonl][ridge]") {
  for (const char* ridge : {"1", "1e4", "1e7"}) {
    const std::string o = final_json(nist + "Longley.dat --skip-to-data --y y" + longley_x +
                                     " --ridge " + ridge + " --penalize-intercept");
    INFO("ridge " << ridge << ": " << o);
    CHECK_THAT(o, Contains("\"status\":\"ok\""));
    CHECK(o.find("null") == std::string::npos);
    for (double se : json_numbers(o, "std_errors")) CHECK(se > 0);
  }
}

// ---- --predict FILE: predictions with their standard errors and intervals ----------------

/// The values of `key` in each object of the "predictions" array (NaN for null).
std::vector<double> predicted(const std::string& o, const std::string& key) {
  std::vector<double> v;
  std::size_t p = o.find("\"predictions\":[");
  REQUIRE(p != std::string::npos);
  const std::string tag = "\"" + key + "\":";
  while ((p = o.find(tag, p)) != std::string::npos) {
    p += tag.size();
    v.push_back(o.compare(p, 4, "null") == 0 ? std::nan("") : std::stod(o.substr(p)));
  }
  return v;
}

TEST_CASE("stream_fit --predict: Longley as statsmodels' get_prediction has it, every solver",
          "[cli][multivariate][prediction]") {
  // statsmodels 0.13.5, OLS(TOTEMP, const + the six predictors of its longley data set, the
  // NIST set).get_prediction(rows).summary_frame(alpha=0.05): mean, mean_se, obs_ci_lower,
  // obs_ci_upper. statsmodels itself is good to ~1e-10 on Longley.
  const std::string rows = write_temp(
      "longley_predict.csv",
      "x1,x2,x3,x4,x5,x6\n100,400000,3000,2500,120000,1963\n90,300000,4000,3000,115000,1955\n");
  const double mean[] = {80767.9566928586, 67284.72147335578};
  const double mean_se[] = {3844.2996917698165, 1887.152778500506};
  const double lower[] = {72044.24562025674, 62960.34216499265};
  const double upper[] = {89491.66776546046, 71609.1007817189};
  for (const char* solver : {"", " --solver moments", " --precise"}) {
    const std::string o = final_json(nist + "Longley.dat --skip-to-data --y y" + longley_x +
                                     " --predict " + rows + solver);
    INFO(solver << ": " << o);
    const auto fit = predicted(o, "fit"), se = predicted(o, "se_fit"),
               lo = predicted(o, "lower"), hi = predicted(o, "upper"),
               obs = predicted(o, "se_obs");
    REQUIRE(fit.size() == 2);
    const double sd = json_numbers(o, "residual_sd")[0];
    for (std::size_t i = 0; i < 2; ++i) {
      CHECK_THAT(fit[i], WithinRel(mean[i], 1e-9));
      CHECK_THAT(se[i], WithinRel(mean_se[i], 1e-8));
      CHECK_THAT(lo[i], WithinRel(lower[i], 1e-9));
      CHECK_THAT(hi[i], WithinRel(upper[i], 1e-9));
      CHECK_THAT(obs[i], WithinRel(std::sqrt(se[i] * se[i] + sd * sd), 1e-14));
    }
  }
  // p-values of the coefficients: statsmodels' OLS(...).fit().pvalues on the same data.
  const double p_values[] = {0.0035604036637169635, 0.8631408328076712, 0.31268106109211785,
                             0.0025350917341069694, 0.0009443667641616617, 0.8262117957631198,
                             0.00303680334162267};
  const auto p = json_numbers(final_json(nist + "Longley.dat --skip-to-data --y y" + longley_x),
                              "p_values");
  REQUIRE(p.size() == 7);
  for (std::size_t i = 0; i < 7; ++i) CHECK_THAT(p[i], WithinRel(p_values[i], 1e-8));
  // t values: statsmodels' tvalues on the same data.
  const double t_values[] = {-3.91080291815605,   0.1773760282320223, -1.069516317222438,
                             -4.136427355941854,  -4.8219853104455614, -0.22605114466490267,
                             4.015889812711451};
  const auto t = json_numbers(final_json(nist + "Longley.dat --skip-to-data --y y" + longley_x),
                              "t_values");
  REQUIRE(t.size() == 7);
  for (std::size_t i = 0; i < 7; ++i) CHECK_THAT(t[i], WithinRel(t_values[i], 1e-8));
  // --level: the 90% interval (alpha=0.10).
  const std::string o = final_json(nist + "Longley.dat --skip-to-data --y y" + longley_x +
                                   " --predict " + rows + " --level 0.9");
  CHECK_THAT(predicted(o, "lower")[0], WithinRel(73698.7981696092, 1e-9));
  CHECK_THAT(predicted(o, "upper")[0], WithinRel(87837.115216108, 1e-9));
  std::remove(rows.c_str());
}

TEST_CASE("stream_fit --emit final --format table: an R-style summary", "[cli][multivariate]") {
  // Longley against statsmodels' OLS summary (t values, F, its p-value, adjusted R²): the
  // wide row stays first (scripts read it), the summary follows.
  const auto r = run(sf + " " + nist + "Longley.dat --skip-to-data --y y" + longley_x +
                     " --emit final --format table");
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  const auto rows = lines(r.out);
  REQUIRE(rows.size() > 12);
  CHECK_THAT(rows[0], Contains("intercept") && Contains("residual_sd"));
  CHECK_THAT(r.out, Contains("Estimate") && Contains("Std. Error") && Contains("Pr(>|t|)"));
  CHECK_THAT(r.out, Contains("Residual standard error: 304.8541 on 9 degrees of freedom"));
  CHECK_THAT(r.out, Contains("Adjusted R-squared: 0.992465"));
  CHECK_THAT(r.out, Contains("F-statistic: 330.2853 on 6 and 9 DF, p-value: 4.98e-10"));
  // The row of x6: estimate 1829.151 (certified 1829.15146461355), t 4.01589, p 0.00304.
  bool x6 = false;
  for (const auto& row : rows)
    if (row.rfind("x6", 0) == 0) {
      x6 = true;
      CHECK_THAT(row, Contains("1829.151") && Contains("4.01589") && Contains("0.00304"));
    }
  CHECK(x6);
  // One predictor: F = t² on 1 and n − 2 DF. y = 1 + 2x + e, e = (+1, −1, −1, +1): t of
  // the slope 2/√0.4, F = 10, p = 1 − t/√(2 + t²) with 2 df.
  const std::string data = write_temp("summary1.csv", "x,y\n0,2\n1,2\n2,4\n3,8\n");
  const auto one = run(sf + " " + data + " --y y --x x --emit final --format table");
  INFO(one.out);
  REQUIRE(one.status == 0);
  const double tb = 2 / std::sqrt(0.4);
  char p[32];
  std::snprintf(p, sizeof p, "%.3g", 1 - tb / std::sqrt(2 + tb * tb));
  CHECK_THAT(one.out, Contains(std::string("F-statistic: 10 on 1 and 2 DF, p-value: ") + p));
  CHECK_THAT(one.out, Contains("Residual standard error: 1.414214 on 2 degrees of freedom"));
  std::remove(data.c_str());
}

TEST_CASE("stream_fit --predict: one predictor, after every record, null until n > 2",
          "[cli][prediction]") {
  // y = 1 + 2x + e with e = (+1, −1, −1, +1): b = 2, a = 1, SSE = 4, s² = 2, x̄ = 1.5,
  // Sxx = 5; at x = 10: ŷ = 21, se_fit² = 2 (1/4 + 8.5²/5) = 29.4, se_obs² = 31.4.
  const std::string data = write_temp("p1.csv", "x,y\n0,2\n1,2\n2,4\n3,8\n");
  const std::string at = write_temp("p1_at.csv", "x\n10\n");
  const auto r = run(sf + " " + data + " --y y --x x --format jsonl --predict " + at);
  INFO(r.out << r.err);
  REQUIRE(r.status == 0);
  const auto rows = lines(r.out);
  REQUIRE(rows.size() == 4);
  for (const auto& row : rows) CHECK(streamreg_test::strict_json::check(row) == "");
  CHECK_THAT(rows[1], Contains("\"predictions\":[{\"fit\":null,\"se_fit\":null"));
  CHECK_THAT(predicted(rows[3], "fit")[0], WithinRel(21.0, 1e-15));
  CHECK_THAT(predicted(rows[3], "se_fit")[0], WithinRel(std::sqrt(29.4), 1e-14));
  CHECK_THAT(predicted(rows[3], "se_obs")[0], WithinRel(std::sqrt(31.4), 1e-14));
  // With 2 df the t quantile has a closed form: t_p = (2p − 1) √(2 / (4p(1 − p))).
  const double t2 = 0.95 * std::sqrt(2 / (4 * 0.975 * 0.025));
  CHECK_THAT(predicted(rows[3], "upper")[0], WithinRel(21 + t2 * std::sqrt(31.4), 1e-12));
  CHECK_THAT(predicted(rows[3], "lower")[0], WithinRel(21 - t2 * std::sqrt(31.4), 1e-12));
  // p-values: t_a = 1/√1.4, t_b = 2/√0.4; with 2 df, P(|T| ≥ t) = 1 − t/√(2 + t²).
  const auto pv = json_numbers(rows[3], "p_values");
  REQUIRE(pv.size() == 2);
  const double ta = 1 / std::sqrt(1.4), tb = 2 / std::sqrt(0.4);
  CHECK_THAT(pv[0], WithinRel(1 - ta / std::sqrt(2 + ta * ta), 1e-12));
  CHECK_THAT(pv[1], WithinRel(1 - tb / std::sqrt(2 + tb * tb), 1e-12));
  const auto tv = json_numbers(rows[3], "t_values");
  REQUIRE(tv.size() == 2);
  CHECK_THAT(tv[0], WithinRel(ta, 1e-13));
  CHECK_THAT(tv[1], WithinRel(tb, 1e-13));
  CHECK_THAT(rows[1], Contains("\"p_values\":[null,null]"));
  // Errors name the option and keep the previous output.
  const std::string out = write_temp("p1_out.txt", "keep");
  const auto csv = run(sf + " " + data + " --y y --x x --predict " + at + " --output " + out);
  CHECK(csv.status == 2);
  CHECK_THAT(csv.err, Contains("--predict needs --format jsonl"));
  const std::string wrong = write_temp("p1_wrong.csv", "z\n10\n");
  const auto col = run(sf + " " + data + " --y y --x x --format jsonl --predict " + wrong +
                       " --output " + out);
  CHECK(col.status == 2);
  CHECK_THAT(col.err, Contains("--predict '" + wrong + "'") && Contains("unknown column 'x'"));
  const std::string bad = write_temp("p1_bad.csv", "x\n1\nabc\n");
  const auto num = run(sf + " " + data + " --y y --x x --format jsonl --predict " + bad);
  CHECK(num.status == 2);
  CHECK_THAT(num.err, Contains("line 3"));
  CHECK(slurp(out) == "keep");
  for (const auto& p : {data, at, out, wrong, bad}) std::remove(p.c_str());
}

TEST_CASE("stream_fit --max-rate: no faster than the rate, the same output",
          "[cli][multivariate]") {
  std::string text = "a,b,y\n";
  for (int i = 0; i < 21; ++i)
    text += std::to_string(i) + "," + std::to_string((i * 7) % 5) + "," + std::to_string(i % 3) + "\n";
  const std::string data = write_temp("rate.csv", text);
  for (const char* x : {" --x a", " --x a --x b"}) {
    const std::string args = sf + " " + data + " --y y" + x;
    const auto plain = run(args);
    const auto start = std::chrono::steady_clock::now();
    const auto slow = run(args + " --max-rate 40");
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    INFO(x << ": " << slow.err);
    REQUIRE(slow.status == 0);
    CHECK(slow.out == plain.out);
    CHECK(seconds >= 20.0 / 40);  // record k waits until k/40 s after the first
  }
  const auto bad = run(sf + " " + data + " --y y --x a --max-rate 1e-9");
  CHECK(bad.status == 2);
  std::remove(data.c_str());
}

TEST_CASE("stream_fit --checkpoint: runs killed with SIGKILL resume to the uninterrupted output",
          "[cli][checkpoint][multivariate]") {
  std::string text = "t,a,b,y\n";
  std::uint64_t state = 777;
  for (int i = 0; i < 4000; ++i) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    const double u = static_cast<double>(state >> 11) * 0x1p-53;
    const double a = 1.7e9 + 0.25 * i, b = 1.7e9 + static_cast<double>((i * 37) % 101);
    const double y = 5 + 2 * (0.25 * i) - 0.5 * static_cast<double>((i * 37) % 101) + u;
    text += std::to_string(i / 3) + "," + streamreg_test::g17(a) + "," + streamreg_test::g17(b) + "," +
            streamreg_test::g17(y) + "\n";
  }
  const std::string data = write_temp("ck_mv.csv", text);
  const std::string ck = temp_path("ck_mv.ck"), out = temp_path("ck_mv.out"),
                    ref = temp_path("ck_mv.ref");
  for (const std::string model :
       {" --y y --x a --window 300", " --y y --x a --x b --time t --window-time 50 --format jsonl",
        " --y y --x a --x b --emit final --format jsonl"}) {
    INFO(model);
    for (const auto& p : {ck, out, ref}) std::remove(p.c_str());
    const std::string args = sf + " " + data + model + " --checkpoint-every 97 ";
    REQUIRE(run(args + "--output " + ref).status == 0);
    for (const char* delay : {"0.15", "0.3", "0.2"})
      run(args + "--max-rate 8000 --checkpoint " + ck + " --output " + out + " & pid=$!; sleep " +
          delay + "; kill -9 $pid; wait $pid");
    const auto last = run(args + "--checkpoint " + ck + " --output " + out);
    REQUIRE(last.status == 0);
    CHECK(slurp(out) == slurp(ref));
    CHECK(slurp(ck).find("stream_fit.1/") != std::string::npos);
    // Run again when everything is read: nothing is added (not even a second final row).
    REQUIRE(run(args + "--checkpoint " + ck + " --output " + out).status == 0);
    CHECK(slurp(out) == slurp(ref));
    // Other options are refused (another model or other arguments), the output kept.
    const auto other = run(args + "--checkpoint " + ck + " --output " + out + " --no-intercept");
    CHECK(other.status == 2);
    CHECK_THAT(other.err, Contains("checkpoint"));
    const auto level = run(args + "--checkpoint " + ck + " --output " + out + " --level 0.9");
    CHECK(level.status == 2);
    CHECK_THAT(level.err, Contains("other arguments"));
    CHECK(slurp(out) == slurp(ref));
  }
  for (const auto& p : {data, ck, ck + ".lock", out, ref}) std::remove(p.c_str());
}

TEST_CASE("strict JSON check: rejects what JSON does not have", "[cli][jsonl]") {
  using streamreg_test::strict_json;
  CHECK(strict_json::valid(R"({"a":[1,-0.5,2e-3,null,true,false,"x\u00e9\n"],"b":{}})"));
  for (const char* bad : {R"({"f":inf})", R"({"f":-nan})", R"({"f":NaN})", R"({"f":Infinity})",
                          R"({"a":[1,]})", R"({"a":01})", R"({"a":1.})", R"({"a":1}x)",
                          R"({"a":1,"a":2})", R"({'a':1})", "{\"a\":\"\t\"}", R"({"a":"\x"})",
                          R"({"a":+1})", R"({"a":.5})", R"({"a")", ""})
    CHECK_FALSE(strict_json::valid(bad));
}

}  // namespace

// SPDX-License-Identifier: MIT
// stream_fit --family binomial (issue 21 item 3): logistic regression of a 0/1 label against
// statsmodels Logit on real records (tests/data/logistic), separated classes, bad labels,
// the CSV, JSON lines and table outputs, --predict probabilities, refused options, and
// --family gaussian as the default.
#include "run_support.hpp"

#include <catch2/catch.hpp>

#include <cmath>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace {

using Catch::Matchers::Contains;
using namespace cli_test;

const std::string sf = STREAM_FIT;
const std::string data = std::string(STREAMREG_DATA_DIR) + "/logistic/";
const std::string cancer = data + "breast_cancer.csv";
const std::string cancer_x =
    " --y benign --x mean_radius --x mean_texture --x mean_smoothness --x mean_concavity"
    " --x worst_area";

/// The numbers of a JSON array field ("coefficients": [...]) or of a number field.
std::vector<double> numbers(const std::string& o, const std::string& key) {
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

struct reference {
  std::vector<double> beta, se;
  double log_likelihood = 0;
};
reference statsmodels() {
  reference r;
  std::ifstream in(data + "breast_cancer_reference.csv");
  REQUIRE(in);
  std::string line;
  std::getline(in, line);
  while (std::getline(in, line)) {
    const auto f = fields(line);
    if (f[0] == "log_likelihood")
      r.log_likelihood = std::stod(f[1]);
    else {
      r.beta.push_back(std::stod(f[1]));
      r.se.push_back(std::stod(f[2]));
    }
  }
  return r;
}


}  // namespace

TEST_CASE("stream_fit --family binomial: breast cancer against statsmodels Logit",
          "[cli][binomial]") {
  const reference ref = statsmodels();
  const result r = run(sf + " --family binomial" + cancer_x +
                       " --emit final --format jsonl " + cancer);
  REQUIRE(r.status == 0);
  INFO(r.out << r.err);
  CHECK_THAT(r.out, Contains("\"n\":569,\"status\":\"ok\""));
  CHECK_THAT(r.out, Contains("\"names\":[\"intercept\",\"mean_radius\",\"mean_texture\","
                             "\"mean_smoothness\",\"mean_concavity\",\"worst_area\"]"));
  const auto b = numbers(r.out, "coefficients"), se = numbers(r.out, "std_errors");
  REQUIRE(b.size() == 6);
  REQUIRE(se.size() == 6);
  for (std::size_t j = 0; j < 6; ++j) {
    CHECK(std::fabs(b[j] - ref.beta[j]) < ref.se[j]);
    CHECK(std::fabs(se[j] / ref.se[j] - 1) < 0.10);
  }
  const double ll = numbers(r.out, "log_likelihood")[0];
  CHECK(std::fabs(ll / ref.log_likelihood - 1) < 0.01);
}

TEST_CASE("stream_fit --family binomial: CSV after every record, table", "[cli][binomial]") {
  const result r = run(sf + " " + cancer + " --family binomial" + cancer_x);
  REQUIRE(r.status == 0);
  const auto l = lines(r.out);
  REQUIRE(l.size() == 570);
  CHECK(l[0] ==
        "n,intercept,mean_radius,mean_texture,mean_smoothness,mean_concavity,worst_area,status,"
        "log_likelihood,se_intercept,se_mean_radius,se_mean_texture,se_mean_smoothness,"
        "se_mean_concavity,se_worst_area");
  CHECK(l[1] == "1,,,,,,,too_few_points,,,,,,,");
  CHECK(fields(l[569])[0] == "569");
  CHECK(fields(l[569])[7] == "ok");
  const result t = run(sf + " --family binomial" + cancer_x +
                       " --emit final --format table " + cancer);
  REQUIRE(t.status == 0);
  CHECK_THAT(t.out, Contains("Pr(>|z|)"));
  CHECK_THAT(t.out, Contains("Log-likelihood: -4"));
}

TEST_CASE("stream_fit --family binomial: separated classes are a status",
          "[cli][binomial]") {
  std::string text = "x,y\n";
  for (int i = 0; i < 40; ++i) text += std::to_string(i) + "," + (i >= 20 ? "1" : "0") + "\n";
  const std::string path = write_temp("separated.csv", text);
  const result r = run(sf + " --family binomial --y y --x x --emit final --format jsonl " +
                       path);
  REQUIRE(r.status == 0);
  CHECK_THAT(r.out, Contains("\"status\":\"separated\""));
  CHECK_THAT(r.out, Contains("\"coefficients\":[null,null]"));
  std::remove(path.c_str());
}

TEST_CASE("stream_fit --family binomial: a label other than 0 or 1 is a bad record",
          "[cli][binomial]") {
  const std::string path = write_temp("labels.csv", "x,y\n1,0\n2,1\n3,2\n4,0\n5,1\n6,0\n");
  const result fail = run(sf + " " + path + " --family binomial --y y --x x");
  CHECK(fail.status == 1);
  CHECK_THAT(fail.err, Contains("the label must be 0 or 1"));
  const result skip = run(sf + " --family binomial --y y --x x --on-error skip --emit final "
                               "--format jsonl " + path);
  CHECK(skip.status == 0);
  CHECK_THAT(skip.out, Contains("\"n\":5,"));
  std::remove(path.c_str());
}

TEST_CASE("stream_fit --family binomial --predict: probabilities with standard errors",
          "[cli][binomial]") {
  const std::string points = write_temp(
      "points.csv",
      "mean_radius,mean_texture,mean_smoothness,mean_concavity,worst_area\n"
      "12,18,0.09,0.03,500\n20,25,0.11,0.2,1800\n");
  const result r = run(sf + " --family binomial" + cancer_x +
                       " --emit final --format jsonl --predict " + points + " " + cancer);
  REQUIRE(r.status == 0);
  INFO(r.out);
  const auto b = numbers(r.out, "coefficients");
  const std::string pred = r.out.substr(r.out.find("\"predictions\""));
  const double x[2][5] = {{12, 18, 0.09, 0.03, 500}, {20, 25, 0.11, 0.2, 1800}};
  std::size_t at = 0;
  for (const auto& row : x) {
    double eta = b[0];
    for (std::size_t j = 0; j < 5; ++j) eta += b[j + 1] * row[j];
    at = pred.find("{\"p\":", at);
    REQUIRE(at != std::string::npos);
    const std::string one = pred.substr(at, pred.find('}', at) - at + 1);
    const double p = numbers(one, "p")[0], se_p = numbers(one, "se_p")[0];
    const double e = numbers(one, "eta")[0], se_eta = numbers(one, "se_eta")[0];
    CHECK_THAT(e, Catch::Matchers::WithinAbs(eta, 1e-6 * (1 + std::fabs(eta))));
    CHECK_THAT(p, Catch::Matchers::WithinRel(1 / (1 + std::exp(-eta)), 1e-6));
    CHECK(se_eta > 0);
    CHECK_THAT(se_p, Catch::Matchers::WithinRel(p * (1 - p) * se_eta, 1e-9));
    ++at;
  }
  // The first point is benign-looking, the second malignant-looking.
  CHECK(numbers(pred.substr(pred.find("{\"p\":")), "p")[0] > 0.5);
  std::remove(points.c_str());
}

TEST_CASE("stream_fit --family: options refused by binomial, gaussian the default",
          "[cli][binomial]") {
  const result w = run(sf + " --family binomial" + cancer_x + " --window 50 " + cancer);
  CHECK(w.status == 2);
  CHECK_THAT(w.err, Contains("--family binomial: no windows"));
  const result bad = run(sf + " --family poisson" + cancer_x + " " + cancer);
  CHECK(bad.status != 0);
  const result plain = run(sf + cancer_x + " --emit final --format jsonl " + cancer);
  const result gaussian =
      run(sf + " --family gaussian" + cancer_x + " --emit final --format jsonl " + cancer);
  REQUIRE(plain.status == 0);
  CHECK(gaussian.out == plain.out);
  CHECK_THAT(plain.out, Contains("r_squared"));
}

// SPDX-License-Identifier: MIT
// The use-case examples (sensor_anomaly, rolling_beta, online_forecast) run as a user would:
// their printed quality numbers against the generating truth, and their CSV series.
#include "run_support.hpp"

#include <catch2/catch.hpp>

#include <streamreg/version.hpp>

#include <cmath>
#include <cstdio>
#include <string>
#include <utility>
#include <vector>

namespace {

using Catch::Matchers::Contains;
using Catch::Matchers::WithinAbs;
using namespace cli_test;

const std::string sensor = SENSOR_ANOMALY;
const std::string beta = ROLLING_BETA;
const std::string forecast = ONLINE_FORECAST;

/// The number after "key: " on the line that begins with it.
double number(const std::string& out, const std::string& key) {
  for (const auto& l : lines(out))
    if (l.rfind(key + ": ", 0) == 0) return std::stod(l.substr(key.size() + 2));
  FAIL("no line '" << key << ": ...' in:\n" << out);
  return 0;
}

/// The CSV rows of a file (header first).
std::vector<std::vector<std::string>> csv_rows(const std::string& path) {
  std::vector<std::vector<std::string>> rows;
  for (const auto& l : lines(slurp(path))) rows.push_back(fields(l));
  return rows;
}

}  // namespace

TEST_CASE("sensor_anomaly: precision and recall against the injected faults", "[cli][examples]") {
  for (const char* seed : {"42", "3", "99"}) {
    INFO("seed " << seed);
    const auto r = run(sensor + " --seed " + seed);
    REQUIRE(r.status == 0);
    CHECK(number(r.out, "injected faults") >= 20);
    CHECK(number(r.out, "precision") >= 0.9);
    CHECK(number(r.out, "recall") >= 0.9);
  }
}

TEST_CASE("sensor_anomaly: without faults nothing much is flagged", "[cli][examples]") {
  const auto r = run(sensor + " --fault-rate 0 --records 1000");
  REQUIRE(r.status == 0);
  CHECK(number(r.out, "injected faults") == 0);
  CHECK(number(r.out, "flagged") <= 2);  // k = 4 prediction SEs: a false alarm is rare
}

TEST_CASE("sensor_anomaly: --csv writes every reading with the truth and the flag",
          "[cli][examples]") {
  const std::string path = temp_path("sensor.csv");
  const auto r = run(sensor + " --records 600 --csv " + path);
  REQUIRE(r.status == 0);
  const auto rows = csv_rows(path);
  std::remove(path.c_str());
  REQUIRE(rows.size() == 601);
  CHECK(rows[0] == std::vector<std::string>{"index", "load", "temperature", "predicted", "band",
                                            "fault", "flagged"});
  double faults = 0, flagged = 0;
  for (std::size_t i = 1; i < rows.size(); ++i) {
    REQUIRE(rows[i].size() == 7);
    faults += rows[i][5] == "1" ? 1 : 0;
    flagged += rows[i][6] == "1" ? 1 : 0;
    if (rows[i][6] == "1") {  // a flagged reading is outside the band around the prediction
      const double residual = std::stod(rows[i][2]) - std::stod(rows[i][3]);
      CHECK(std::abs(residual) > std::stod(rows[i][4]));
    }
  }
  CHECK(faults == number(r.out, "injected faults"));
  CHECK(flagged == number(r.out, "flagged"));
}

TEST_CASE("rolling_beta: beta before and after the change against the generating values",
          "[cli][examples]") {
  const auto r = run(beta);
  REQUIRE(r.status == 0);
  const double before = number(r.out, "true beta before"), after = number(r.out, "true beta after");
  CHECK(before == 0.8);
  CHECK(after == 1.6);
  // The last estimates of each regime: within about 3 standard errors (se about 0.08).
  for (const char* fit : {"window", "forgetting"}) {
    INFO(fit);
    CHECK_THAT(number(r.out, std::string(fit) + " beta before"), WithinAbs(before, 0.25));
    CHECK_THAT(number(r.out, std::string(fit) + " beta after"), WithinAbs(after, 0.25));
    // Averaged over the settled part of each regime.
    CHECK_THAT(number(r.out, std::string(fit) + " beta before, mean"), WithinAbs(before, 0.1));
    CHECK_THAT(number(r.out, std::string(fit) + " beta after, mean"), WithinAbs(after, 0.1));
    // Half-way to the new beta within about one window (60) / two half-lives (30).
    CHECK(number(r.out, std::string(fit) + " half-way to the new beta after") <= 60);
  }
}

TEST_CASE("rolling_beta: --csv has a beta per record and the regime change", "[cli][examples]") {
  const std::string path = temp_path("beta.csv");
  const auto r = run(beta + " --records 300 --change 120 --window 40 --csv " + path);
  REQUIRE(r.status == 0);
  const auto rows = csv_rows(path);
  std::remove(path.c_str());
  REQUIRE(rows.size() == 301);
  REQUIRE(rows[0].size() == 10);
  CHECK(rows[0][6] == "beta_window");
  CHECK(rows[0][8] == "beta_forgetting");
  CHECK(rows[119][5] == "0.8");
  CHECK(rows[121][5] == "1.6");
  for (std::size_t i = 4; i < rows.size(); ++i) {  // from the third return on, both defined
    REQUIRE(rows[i].size() == 10);
    CHECK_FALSE(rows[i][6].empty());
    CHECK_FALSE(rows[i][8].empty());
  }
  // The per-record rows end with the estimates printed as "after".
  CHECK_THAT(std::stod(rows.back()[6]), WithinAbs(number(r.out, "window beta after"), 1e-4));
  CHECK_THAT(std::stod(rows.back()[8]), WithinAbs(number(r.out, "forgetting beta after"), 1e-4));
}

TEST_CASE("online_forecast: the model beats the naive forecast clearly", "[cli][examples]") {
  for (const char* seed : {"42", "7"}) {
    INFO("seed " << seed);
    const auto r = run(forecast + " --seed " + seed);
    REQUIRE(r.status == 0);
    const double mae = number(r.out, "model MAE"), naive = number(r.out, "naive MAE");
    CHECK(number(r.out, "forecasts scored") >= 900);
    CHECK(mae < 0.6 * naive);
    CHECK(number(r.out, "model RMSE") < 0.6 * number(r.out, "naive RMSE"));
    // Near the innovation SD of the generated noise (0.4; its MAE 0.32).
    CHECK(mae < 0.45);
  }
}

TEST_CASE("online_forecast: --csv errors agree with the printed MAE", "[cli][examples]") {
  const std::string path = temp_path("forecast.csv");
  const auto r = run(forecast + " --records 400 --csv " + path);
  REQUIRE(r.status == 0);
  const auto rows = csv_rows(path);
  std::remove(path.c_str());
  REQUIRE(rows.size() == 401);
  CHECK(rows[0] == std::vector<std::string>{"t", "y", "forecast", "naive", "error", "naive_error"});
  double abs_sum = 0, naive_sum = 0, n = 0;
  for (std::size_t i = 1; i < rows.size(); ++i) {
    if (rows[i].size() < 6 || rows[i][2].empty()) continue;
    abs_sum += std::abs(std::stod(rows[i][4]));
    naive_sum += std::abs(std::stod(rows[i][5]));
    ++n;
  }
  CHECK(n == number(r.out, "forecasts scored"));
  CHECK_THAT(abs_sum / n, WithinAbs(number(r.out, "model MAE"), 1e-3));
  CHECK_THAT(naive_sum / n, WithinAbs(number(r.out, "naive MAE"), 1e-3));
}

TEST_CASE("use-case examples: --help and bad options", "[cli][examples]") {
  for (const auto& bin : {sensor, beta, forecast}) {
    INFO(bin);
    const auto help = run(bin + " --help");
    CHECK(help.status == 0);
    CHECK_THAT(help.out, Contains("--seed") && Contains("--records") && Contains("--csv"));
    const auto bad = run(bin + " --records 0");
    CHECK(bad.status != 0);
    const auto unwritable = run(bin + " --csv /nonexistent-dir/x.csv");
    CHECK(unwritable.status == 3);
    CHECK_THAT(unwritable.err, Contains("cannot write"));
  }
}

TEST_CASE("every binary: --version prints its name and the package version, exit 0",
          "[cli][examples]") {
  // The version the package declares (version.hpp, which CMake's project() reads too).
  const std::string version = std::to_string(STREAMREG_VERSION_MAJOR) + "." +
                              std::to_string(STREAMREG_VERSION_MINOR) + "." +
                              std::to_string(STREAMREG_VERSION_PATCH);
  for (const auto& [path, name] :
       {std::pair<std::string, std::string>{REALTIME_REGRESSION, "realtime_regression"},
        {STREAM_FIT, "stream_fit"},
        {sensor, "sensor_anomaly"},
        {beta, "rolling_beta"},
        {forecast, "online_forecast"}}) {
    const auto r = run(path + " --version");
    INFO(path << ": " << r.out << r.err);
    CHECK(r.status == 0);
    CHECK(r.out == name + " (streamreg) " + version + "\n");
  }
}

// SPDX-License-Identifier: MIT
// sensor_anomaly: a production-line temperature sensor watched through its driver, the line
// load. A regression of temperature on load over the last --window accepted records predicts
// each new reading before it is used; a reading further than --k prediction standard errors
// from the prediction is flagged as an anomaly.
//
// The scale. The prediction standard error of a new reading at load x is
//   s · sqrt(1 + 1/n + (x − x̄)² / Sxx),
// from the window fit's residual SD s: the se_obs of streamreg::predict (prediction.hpp). It is robust because flagged readings never enter the window: a fault
// can neither pull the line towards itself nor inflate s and so hide the next fault. (A
// running median absolute deviation would guard the same way against the faults that slip
// through; with flagged records kept out it is not needed on this data.)
//
// The data (seeded, generated here): load = 60 + 25 sin(2πi/400) + an AR(1) wander; the
// reading is (20 + 0.002 i) + (0.35 + 0.00002 i) · load + N(0, 0.4²), so both the offset and
// the gain of the sensor drift slowly and the window has to follow them. From record 50 on
// (the line's commissioning is clean) each reading is, with probability --fault-rate, a fault:
// the reading jumps by 6 to 15 noise SDs up or down. The fault indices are known, so the run
// ends with the detector's precision and recall against them.
//
// Output: the counts, precision and recall on stdout; with --csv, one row per record:
// index,load,temperature,predicted,band,fault,flagged (band = k prediction SEs; predicted and
// band empty before the window holds --min-fit records).
#include <streamreg/moments.hpp>
#include <streamreg/prediction.hpp>
#include <streamreg/solve.hpp>
#include <streamreg/window.hpp>

#include "use_case_common.hpp"

#include <fmt/format.h>

#include <cmath>    // std::abs, std::sqrt, std::sin
#include <cstdint>  // std::uint64_t
#include <string>   // std::string

namespace {

constexpr const char* program = "sensor_anomaly";

struct options : use_case::common_options {
  options() : use_case::common_options(2000) {}
  std::uint64_t window = 200;
  std::uint64_t min_fit = 30;
  double k = 4;
  double fault_rate = 0.02;
};

/// The generating model of the sensor.
struct sensor {
  static constexpr double noise_sd = 0.4;
  static constexpr std::uint64_t clean_records = 50;
  static double offset(std::uint64_t i) { return 20.0 + 0.002 * static_cast<double>(i); }
  static double gain(std::uint64_t i) { return 0.35 + 0.00002 * static_cast<double>(i); }
};

struct reading {
  double load = 0, temperature = 0;
  bool fault = false;
};

/// The seeded sensor stream, one reading per call.
class sensor_stream {
 public:
  sensor_stream(std::uint64_t seed, double fault_rate) : rng_(seed), fault_rate_(fault_rate) {}

  reading next() {
    const double t = static_cast<double>(i_);
    wander_ = 0.98 * wander_ + rng_.normal(0, 1.5);
    reading r;
    r.load = 60.0 + 25.0 * std::sin(2.0 * use_case::random::pi * t / 400.0) + wander_;
    r.temperature = sensor::offset(i_) + sensor::gain(i_) * r.load + rng_.normal(0, sensor::noise_sd);
    // Drawn for every record, so the data before a fault do not depend on the fault rate.
    const double u = rng_.uniform(), size = rng_.uniform(6, 15), sign = rng_.uniform();
    if (i_ >= sensor::clean_records && u < fault_rate_) {
      r.fault = true;
      r.temperature += (sign < 0.5 ? -1.0 : 1.0) * size * sensor::noise_sd;
    }
    ++i_;
    return r;
  }

 private:
  use_case::random rng_;
  double fault_rate_;
  double wander_ = 0;
  std::uint64_t i_ = 0;
};

int run(const options& opt) {
  use_case::csv_file csv(opt.csv);
  if (csv) std::fputs("index,load,temperature,predicted,band,fault,flagged\n", csv.get());

  streamreg::count_window<streamreg::moments<double>> model(opt.window);
  sensor_stream stream(opt.seed, opt.fault_rate);
  std::uint64_t faults = 0, flagged = 0, true_positives = 0, rejected_since_accept = 0,
                longest_rejected_run = 0;
  for (std::uint64_t i = 0; i < opt.records; ++i) {
    const reading r = stream.next();
    bool flag = false;
    double predicted = 0, band = 0;
    bool predicting = false;
    if (model.count() >= opt.min_fit) {
      const auto p = streamreg::predict(model, r.load);
      if (p.defined()) {
        predicting = true;
        predicted = p.fit;
        band = opt.k * p.se_obs;
        flag = std::abs(r.temperature - predicted) > band;
      }
    }
    // A flagged reading stays out of the model: it would pull the line and widen the band.
    if (!flag) {
      model.push(r.load, r.temperature);
      rejected_since_accept = 0;
    } else if (++rejected_since_accept > longest_rejected_run) {
      longest_rejected_run = rejected_since_accept;
    }
    faults += r.fault ? 1 : 0;
    flagged += flag ? 1 : 0;
    true_positives += (flag && r.fault) ? 1 : 0;
    if (csv) {
      if (predicting)
        fmt::print(csv.get(), "{},{:.6f},{:.6f},{:.6f},{:.6f},{},{}\n", i, r.load, r.temperature,
                   predicted, band, int(r.fault), int(flag));
      else
        fmt::print(csv.get(), "{},{:.6f},{:.6f},,,{},{}\n", i, r.load, r.temperature, int(r.fault),
                   int(flag));
    }
  }
  csv.close();

  const auto final_fit = streamreg::infer(model);
  const std::uint64_t last = opt.records - 1;
  const double precision = flagged > 0 ? double(true_positives) / double(flagged) : 1.0;
  const double recall = faults > 0 ? double(true_positives) / double(faults) : 1.0;
  fmt::print("{}: {} records, seed {}, window {}, k = {}\n", program, opt.records, opt.seed,
             opt.window, opt.k);
  fmt::print("injected faults: {}\n", faults);
  fmt::print("flagged: {}\n", flagged);
  fmt::print("true positives: {}\n", true_positives);
  fmt::print("false positives: {}\n", flagged - true_positives);
  fmt::print("missed faults: {}\n", faults - true_positives);
  fmt::print("precision: {:.4f} ({} of {} flagged readings are injected faults)\n", precision,
             true_positives, flagged);
  fmt::print("recall: {:.4f} ({} of {} injected faults flagged)\n", recall, true_positives, faults);
  fmt::print("longest run of flagged readings: {}\n", longest_rejected_run);
  if (final_fit.defined())
    fmt::print("final window fit: temperature = {:.4f} + {:.5f} load, residual SD {:.4f} "
               "(generating at the last record: {:.4f} + {:.5f} load, noise SD {:.4f})\n",
               final_fit.fit.intercept, final_fit.fit.slope, final_fit.residual_sd,
               sensor::offset(last), sensor::gain(last), sensor::noise_sd);
  else
    fmt::print("final window fit: {}\n", to_string(final_fit.status));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "A temperature sensor watched through its driver (the line load): a windowed regression "
      "predicts each reading, a reading beyond k prediction standard errors is flagged as an "
      "anomaly and kept out of the model. Runs on seeded generated data with injected faults "
      "and prints precision and recall against them.",
      program};
  options opt;
  opt.add_to(app, 100);
  app.add_option("--window", opt.window, "Number of accepted readings the model is fitted on")
      ->check(CLI::Range(std::uint64_t(10), std::uint64_t(1000000)))
      ->capture_default_str();
  app.add_option("--k", opt.k, "Flag a reading beyond k prediction standard errors")
      ->check(CLI::Range(1.0, 100.0))
      ->capture_default_str();
  app.add_option("--min-fit", opt.min_fit, "Readings the model needs before it flags anything")
      ->check(CLI::Range(std::uint64_t(3), std::uint64_t(1000000)))
      ->capture_default_str();
  app.add_option("--fault-rate", opt.fault_rate,
                 "Probability that a reading after the first 50 is a fault")
      ->check(CLI::Range(0.0, 0.5))
      ->capture_default_str();
  if (const auto parsed = cli::parse(app, argc, argv)) return *parsed;
  if (opt.min_fit > opt.window) {
    std::fprintf(stderr, "%s: --min-fit must not exceed --window\n", program);
    return 2;
  }
  return use_case::guarded(program, [&opt] { return run(opt); });
}

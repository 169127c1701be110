// SPDX-License-Identifier: MIT
// online_forecast: one-step-ahead forecasts of a seasonal series with a trend, by a regression
// on four features updated after every record with exponential forgetting, scored against the
// naive forecast (the last value).
//
// The features of record t: t (the trend), sin(2πt/P) and cos(2πt/P) (the season of period
// P, any phase), and y(t−1) (the lag, which carries the autocorrelated part of the noise).
// They go through streamreg::multivariate::regression<double, 4> with options.forgetting =
// --forgetting per record (the default 0.99: a record 69 records old weighs 1/2), fed through
// make_projected from a small record type. Each forecast is made before its record is pushed,
// so it never sees the value it predicts.
//
// The data (seeded, generated here): y(t) = level(t) + 5 sin(2πt/P + 0.7) + e(t), with a
// level of 10 + 0.02 t that turns to a slope of −0.01 half-way (the forgetting lets the model
// follow the break), and AR(1) noise e(t) = 0.5 e(t−1) + N(0, 0.4²).
//
// Output on stdout: the MAE and RMSE of the model's and of the naive forecasts over the same
// records (every record from the first the model forecasts), their ratio, and the final
// coefficients. With --csv, one row per record: t,y,forecast,naive,error,naive_error (the
// forecast columns empty before the model forecasts).
#include <streamreg/multivariate.hpp>

#include "use_case_common.hpp"

#include <fmt/format.h>

#include <cmath>    // std::sin, std::cos, std::sqrt, std::abs
#include <cstdint>  // std::uint64_t
#include <string>   // std::string
#include <utility>  // std::pair

namespace {

constexpr const char* program = "online_forecast";

struct options : use_case::common_options {
  options() : use_case::common_options(1000) {}
  double period = 24;
  double forgetting = 0.99;
  std::uint64_t min_fit = 20;
};

/// What the model sees of record t: its time, the previous value and (once known) its value.
struct observation {
  double t = 0, previous = 0, y = 0;
};

/// The predictors of an observation.
struct feature_map {
  double period;
  Eigen::Vector4d operator()(const observation& o) const {
    const double phase = 2.0 * use_case::random::pi * o.t / period;
    return Eigen::Vector4d(o.t, std::sin(phase), std::cos(phase), o.previous);
  }
};

/// The seeded series.
class series {
 public:
  series(std::uint64_t seed, double period, std::uint64_t records)
      : rng_(seed), period_(period), break_at_(double(records / 2)) {}

  double value(double t) {
    noise_ = 0.5 * noise_ + rng_.normal(0, 0.4);
    const double level = t < break_at_ ? 10.0 + 0.02 * t
                                       : 10.0 + 0.02 * break_at_ - 0.01 * (t - break_at_);
    return level + 5.0 * std::sin(2.0 * use_case::random::pi * t / period_ + 0.7) + noise_;
  }

 private:
  use_case::random rng_;
  double period_, break_at_;
  double noise_ = 0;
};

/// Mean absolute and root mean square error.
struct errors {
  double abs_sum = 0, sq_sum = 0;
  std::uint64_t n = 0;
  void add(double e) {
    abs_sum += std::abs(e);
    sq_sum += e * e;
    ++n;
  }
  double mae() const { return abs_sum / double(n); }
  double rmse() const { return std::sqrt(sq_sum / double(n)); }
};

int run(const options& opt) {
  use_case::csv_file csv(opt.csv);
  if (csv) std::fputs("t,y,forecast,naive,error,naive_error\n", csv.get());

  namespace mv = streamreg::multivariate;
  mv::options mo;
  mo.forgetting = opt.forgetting;
  const feature_map features{opt.period};
  auto model = mv::make_projected(mv::regression<double, 4>(mo), [features](const observation& o) {
    return std::pair{features(o), o.y};
  });

  series data(opt.seed, opt.period, opt.records);
  errors model_errors, naive_errors;
  std::uint64_t first_forecast = 0;
  double previous = data.value(0);
  if (csv) fmt::print(csv.get(), "0,{:.6f},,,,\n", previous);
  for (std::uint64_t i = 1; i < opt.records; ++i) {
    observation o{double(i), previous, 0};
    // The forecast, before the value is known.
    bool forecasting = false;
    double forecast = 0;
    if (model.regression().count() >= opt.min_fit) {
      const auto fit = model.fit();
      if (fit) {
        forecasting = true;
        forecast = fit.coefficients(0) + fit.coefficients.tail<4>().dot(features(o));
      }
    }
    o.y = data.value(o.t);
    const double naive = previous;
    if (forecasting) {
      if (first_forecast == 0) first_forecast = i;
      model_errors.add(o.y - forecast);
      naive_errors.add(o.y - naive);
      if (csv)
        fmt::print(csv.get(), "{},{:.6f},{:.6f},{:.6f},{:.6f},{:.6f}\n", i, o.y, forecast, naive,
                   o.y - forecast, o.y - naive);
    } else if (csv) {
      fmt::print(csv.get(), "{},{:.6f},,{:.6f},,{:.6f}\n", i, o.y, naive, o.y - naive);
    }
    model.push(o);
    previous = o.y;
  }
  csv.close();

  fmt::print("{}: {} records, seed {}, period {}, forgetting {} per record\n", program,
             opt.records, opt.seed, opt.period, opt.forgetting);
  if (model_errors.n == 0) {
    fmt::print("forecasts scored: 0 (too few records)\n");
    return 0;
  }
  fmt::print("forecasts scored: {} (records {} to {})\n", model_errors.n, first_forecast,
             opt.records - 1);
  fmt::print("model MAE: {:.4f}\n", model_errors.mae());
  fmt::print("model RMSE: {:.4f}\n", model_errors.rmse());
  fmt::print("naive MAE: {:.4f}\n", naive_errors.mae());
  fmt::print("naive RMSE: {:.4f}\n", naive_errors.rmse());
  fmt::print("MAE ratio model/naive: {:.4f}\n", model_errors.mae() / naive_errors.mae());
  fmt::print("RMSE ratio model/naive: {:.4f}\n", model_errors.rmse() / naive_errors.rmse());
  const auto final_fit = model.infer();
  if (final_fit.defined()) {
    const auto& c = final_fit.fit.coefficients;
    const auto& se = final_fit.std_errors;
    fmt::print("final coefficients (se): intercept {:.4f} ({:.4f}), t {:.5f} ({:.5f}), "
               "sin {:.4f} ({:.4f}), cos {:.4f} ({:.4f}), lag {:.4f} ({:.4f}); residual SD "
               "{:.4f}\n",
               c(0), se(0), c(1), se(1), c(2), se(2), c(3), se(3), c(4), se(4),
               final_fit.residual_sd);
  } else {
    fmt::print("final fit: {}\n", to_string(final_fit.status));
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "One-step-ahead forecasts of a seasonal series with a trend: a regression on time, "
      "sin/cos of the period and the last value, with exponential forgetting, updated after "
      "every record. Runs on a seeded generated series and prints the forecasts' MAE and RMSE "
      "against the naive last-value forecast.",
      program};
  options opt;
  opt.add_to(app, 100);
  app.add_option("--period", opt.period, "Period of the season, in records")
      ->check(CLI::Range(2.0, 1e6))
      ->capture_default_str();
  app.add_option("--forgetting", opt.forgetting,
                 "Factor on every earlier record's weight at each new record, in (0, 1]")
      ->check(CLI::Range(0.5, 1.0))
      ->capture_default_str();
  app.add_option("--min-fit", opt.min_fit, "Records the model needs before it forecasts")
      ->check(CLI::Range(std::uint64_t(6), std::uint64_t(1000000)))
      ->capture_default_str();
  if (const auto parsed = cli::parse(app, argc, argv)) return *parsed;
  return use_case::guarded(program, [&opt] { return run(opt); });
}

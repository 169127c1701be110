// SPDX-License-Identifier: MIT
// rolling_beta: the beta of an asset, the slope of its returns on the market's returns, followed
// record by record over a count window (the last --window returns) and over an exponentially
// forgotten history (--half-life in records), with its standard error.
//
// The data (seeded, generated here): two geometric random walks. The market's log return is
// N(0.0003, 0.01²); the asset's is 0.0001 + β · market + N(0, 0.006²), with β = --beta-before
// up to record --change and --beta-after from it on: a regime change at a known record. The
// example reads only the two price series, as it would a feed: each return is
// log(p_t / p_{t−1}), so the slope estimates β itself.
//
// Output on stdout: both estimates just before the change and at the end against the
// generating β, their means over the settled part of each regime (a full window after the
// change), and how many records each needed after the change to cross half-way to the new β.
// With --csv, one row per price record:
// index,market_price,asset_price,market_return,asset_return,true_beta,beta_window,se_window,
// beta_forgetting,se_forgetting (returns and betas empty where not defined).
#include <streamreg/forgetting.hpp>
#include <streamreg/moments.hpp>
#include <streamreg/solve.hpp>
#include <streamreg/window.hpp>

#include "use_case_common.hpp"

#include <fmt/format.h>

#include <cmath>    // std::exp, std::log, std::abs
#include <cstdint>  // std::uint64_t
#include <string>   // std::string

namespace {

constexpr const char* program = "rolling_beta";

struct options : use_case::common_options {
  options() : use_case::common_options(1000) {}
  std::uint64_t window = 60;
  double half_life = 30;
  std::uint64_t change = 0;  // 0: half-way
  double beta_before = 0.8, beta_after = 1.6;
};

struct prices {
  double market = 0, asset = 0;
};

/// The two seeded price series.
class market_model {
 public:
  explicit market_model(const options& o) : rng_(o.seed), opt_(o) {}

  double beta(std::uint64_t i) const { return i < opt_.change ? opt_.beta_before : opt_.beta_after; }

  /// Prices at record i (record 0: the starting prices).
  prices next() {
    if (i_ > 0) {
      const double rm = rng_.normal(0.0003, 0.01);
      const double ra = 0.0001 + beta(i_) * rm + rng_.normal(0, 0.006);
      p_.market *= std::exp(rm);
      p_.asset *= std::exp(ra);
    }
    ++i_;
    return p_;
  }

 private:
  use_case::random rng_;
  const options& opt_;
  prices p_{100.0, 50.0};
  std::uint64_t i_ = 0;
};

/// Mean of the estimates over a range of records.
struct mean {
  double sum = 0;
  std::uint64_t n = 0;
  void add(double v) {
    sum += v;
    ++n;
  }
  double value() const { return n > 0 ? sum / double(n) : std::nan(""); }
};

/// Records after the change until an estimate first crosses half-way to the new beta.
struct adaptation {
  std::uint64_t records = 0;
  bool done = false;
  void see(double beta, double before, double after) {
    if (done) return;
    ++records;
    if (std::abs(beta - after) < std::abs(beta - before)) done = true;
  }
};

std::string number(double v, bool defined) { return defined ? fmt::format("{:.6f}", v) : ""; }

int run(const options& opt) {
  use_case::csv_file csv(opt.csv);
  if (csv)
    std::fputs("index,market_price,asset_price,market_return,asset_return,true_beta,beta_window,"
               "se_window,beta_forgetting,se_forgetting\n",
               csv.get());

  streamreg::count_window<streamreg::moments<double>> windowed(opt.window);
  auto forgotten = streamreg::forgetting<double>::half_life(opt.half_life);
  market_model model(opt);
  prices previous = model.next();
  if (csv)
    fmt::print(csv.get(), "0,{:.6f},{:.6f},,,{},,,,\n", previous.market, previous.asset,
               model.beta(0));

  const std::uint64_t change = opt.change;
  using inference = streamreg::line_inference<double>;
  inference w_before, f_before, w_end, f_end;
  mean w_mean_before, f_mean_before, w_mean_after, f_mean_after;
  adaptation w_adapt, f_adapt;
  for (std::uint64_t i = 1; i < opt.records; ++i) {
    const prices p = model.next();
    const double rm = std::log(p.market / previous.market);
    const double ra = std::log(p.asset / previous.asset);
    previous = p;
    windowed.push(rm, ra);
    forgotten.push(rm, ra);
    const inference w = streamreg::infer(windowed), f = streamreg::infer(forgotten);
    // The regime the estimate describes: the window is settled once it holds only returns
    // of one regime; the forgotten fit after as many records (its weight before is then
    // 0.5^(window / half-life)).
    if (i < change) {
      w_before = w;
      f_before = f;
      if (i >= opt.window) {
        if (w.defined()) w_mean_before.add(w.fit.slope);
        if (f.defined()) f_mean_before.add(f.fit.slope);
      }
    } else {
      if (w.defined()) w_adapt.see(w.fit.slope, opt.beta_before, opt.beta_after);
      if (f.defined()) f_adapt.see(f.fit.slope, opt.beta_before, opt.beta_after);
      if (i >= change + opt.window) {
        if (w.defined()) w_mean_after.add(w.fit.slope);
        if (f.defined()) f_mean_after.add(f.fit.slope);
      }
    }
    w_end = w;
    f_end = f;
    if (csv)
      fmt::print(csv.get(), "{},{:.6f},{:.6f},{:.8f},{:.8f},{},{},{},{},{}\n", i, p.market,
                 p.asset, rm, ra, model.beta(i), number(w.fit.slope, w.defined()),
                 number(w.se_slope, w.defined()), number(f.fit.slope, f.defined()),
                 number(f.se_slope, f.defined()));
  }
  csv.close();

  auto show = [](const inference& r) {
    return r.defined() ? fmt::format("{:.4f} (se {:.4f})", r.fit.slope, r.se_slope)
                       : std::string(to_string(r.status));
  };
  auto adapted = [](const adaptation& a) {
    return a.done ? fmt::format("{} records", a.records) : std::string("not within the run");
  };
  fmt::print("{}: {} records, seed {}, window {}, half-life {}, change at record {}\n", program,
             opt.records, opt.seed, opt.window, opt.half_life, change);
  fmt::print("true beta before: {:.4f}\n", opt.beta_before);
  fmt::print("window beta before: {}\n", show(w_before));
  fmt::print("forgetting beta before: {}\n", show(f_before));
  fmt::print("window beta before, mean: {:.4f} over {} records\n", w_mean_before.value(),
             w_mean_before.n);
  fmt::print("forgetting beta before, mean: {:.4f} over {} records\n", f_mean_before.value(),
             f_mean_before.n);
  fmt::print("true beta after: {:.4f}\n", opt.beta_after);
  fmt::print("window beta after: {}\n", show(w_end));
  fmt::print("forgetting beta after: {}\n", show(f_end));
  fmt::print("window beta after, mean: {:.4f} over {} records\n", w_mean_after.value(),
             w_mean_after.n);
  fmt::print("forgetting beta after, mean: {:.4f} over {} records\n", f_mean_after.value(),
             f_mean_after.n);
  fmt::print("window half-way to the new beta after: {}\n", adapted(w_adapt));
  fmt::print("forgetting half-way to the new beta after: {}\n", adapted(f_adapt));
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "Rolling beta of an asset on the market from two price series: the slope of the asset's "
      "log returns on the market's over a count window and with exponential forgetting, after "
      "every record. Runs on two seeded geometric random walks whose beta changes at a known "
      "record and prints the estimates before and after the change against the generating "
      "values.",
      program};
  options opt;
  opt.add_to(app, 50);
  app.add_option("--window", opt.window, "Returns in the count window")
      ->check(CLI::Range(std::uint64_t(3), std::uint64_t(1000000)))
      ->capture_default_str();
  app.add_option("--half-life", opt.half_life, "Half-life of the forgetting fit, in records")
      ->check(CLI::Range(1.0, 1e9))
      ->capture_default_str();
  app.add_option("--change", opt.change, "Record at which beta changes (default: half-way)");
  app.add_option("--beta-before", opt.beta_before, "Generating beta before the change")
      ->capture_default_str();
  app.add_option("--beta-after", opt.beta_after, "Generating beta from the change on")
      ->capture_default_str();
  if (const auto parsed = cli::parse(app, argc, argv)) return *parsed;
  if (opt.change == 0) opt.change = opt.records / 2;
  if (opt.change >= opt.records) {
    std::fprintf(stderr, "%s: --change must be below --records\n", program);
    return 2;
  }
  return use_case::guarded(program, [&opt] { return run(opt); });
}

// SPDX-License-Identifier: MIT
// streamreg against the libraries users would pick instead, one predictor, speed and accuracy
// side by side. Benchmark names are WORKLOAD/implementation; scripts/bench_table.py
// turns the JSON output into one table per workload (see README.md, "Against the peers").
//
// Workloads (fixed seeds, io::splitmix64):
//   S         10^7 records, x uniform in [-500, 1500), y = 3 + 0.5 x + U(-10, 10)
//   S_offset  10^7 records, x = 1.7e9 + i (a timestamp-like predictor), y = 3 + 0.5 i + U(-10, 10)
//   W         the S records through a count window of 1000 (a fit of the last 1000 per record)
//   F         the S records with exponential forgetting, half-life 500 records
//   CSV       the S records as "x,y" text (17 significant digits) in a file in /tmp, read from
//             the page cache (written at start-up, removed at exit)
//
// Every per-record implementation emits a fit (intercept and slope) after every record and
// passes it to benchmark::DoNotOptimize; gsl_rstat emits means and variances (it has no
// covariance); the CSV parse-only rows emit x and y. The batch ones (gsl_fit_linear, Eigen) fit
// once over all records; their time is divided by the record count. Counters: ns_per_record,
// and for the fits slope_digits and intercept_digits: correct decimal digits of the final fit,
// -log10(|b - b*| / |b*|) (17 when equal), against an oracle computed in __float128 by two
// passes (mean, then centred sums) over the same doubles.
//
// Peers are optional (CMake finds them): STREAMREG_BENCH_BOOST (Boost.Accumulators),
// STREAMREG_BENCH_DLIB (dlib running_scalar_covariance, rls), STREAMREG_BENCH_GSL (GSL, GPL:
// this benchmark only, never the library).
#include <benchmark/benchmark.h>

#include <Eigen/Dense>

#include <fcntl.h>   // open
#include <unistd.h>  // read, close

#include <algorithm>    // std::min
#include <charconv>     // std::from_chars, std::to_chars
#include <cmath>        // std::log10, std::pow
#include <cstdint>      // std::int64_t, std::uint64_t
#include <cstdio>       // std::remove
#include <cstdlib>      // std::atexit, std::getenv
#include <cstring>      // std::memchr, std::memmove
#include <fstream>      // std::ifstream, std::ofstream
#include <memory>       // std::unique_ptr
#include <string>       // std::string, std::stod
#include <utility>      // std::move
#include <vector>       // std::vector

#include <streamreg/forgetting.hpp>
#include <streamreg/io/csv.hpp>
#include <streamreg/io/generator.hpp>
#include <streamreg/moments.hpp>
#include <streamreg/regressor.hpp>
#include <streamreg/window.hpp>

#ifdef STREAMREG_BENCH_BOOST
#include <boost/accumulators/accumulators.hpp>
#include <boost/accumulators/statistics/covariance.hpp>
#include <boost/accumulators/statistics/mean.hpp>
#include <boost/accumulators/statistics/stats.hpp>
#include <boost/accumulators/statistics/variance.hpp>
#include <boost/accumulators/statistics/variates/covariate.hpp>
#endif
#ifdef STREAMREG_BENCH_DLIB
#include <dlib/statistics.h>
#include <dlib/svm/rls.h>
#endif
#ifdef STREAMREG_BENCH_GSL
#include <gsl/gsl_errno.h>
#include <gsl/gsl_fit.h>
#include <gsl/gsl_rstat.h>
#endif

#include "bench_support.hpp"

namespace {

__extension__ typedef __float128 quad;

constexpr std::size_t record_count = 10'000'000;
constexpr std::size_t window_size = 1000;
constexpr double half_life = 500;
constexpr std::uint64_t seed = 20240601;

using bench::fit_slot;
using bench::keep_fit;
using bench::xy;

/// The least-squares line of weighted records, in __float128, two passes.
struct oracle {
  quad intercept = 0;
  quad slope = 0;
};

oracle exact_fit(const xy* r, std::size_t n, const std::vector<quad>* weights = nullptr) {
  quad sw = 0, sx = 0, sy = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const quad w = weights != nullptr ? (*weights)[i] : quad(1);
    sw += w;
    sx += w * quad(r[i].x);
    sy += w * quad(r[i].y);
  }
  const quad mx = sx / sw, my = sy / sw;
  quad sxx = 0, sxy = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const quad w = weights != nullptr ? (*weights)[i] : quad(1);
    const quad dx = quad(r[i].x) - mx;
    sxx += w * dx * dx;
    sxy += w * dx * (quad(r[i].y) - my);
  }
  oracle o;
  o.slope = sxy / sxx;
  o.intercept = my - o.slope * mx;
  return o;
}

/// Correct decimal digits of `got` against `want`: 17 when equal, 0 when wrong or not finite.
double digits(double got, quad want) {
  if (!(got == got)) return 0;
  const quad diff = quad(got) - want;
  if (diff == 0) return 17;
  const quad rel = (diff < 0 ? -diff : diff) / (want < 0 ? -want : want);
  const double d = -std::log10(static_cast<double>(rel));
  return d < 0 ? 0 : (d > 17 ? 17 : d);
}

enum class workload { S, S_offset };

struct data_set {
  std::vector<xy> records;
  oracle all;     // the fit of all records
  oracle window;  // the fit of the last window_size records
  oracle forget;  // exponentially weighted (half-life 500 records), as of the last record
  double lambda = 1;
};

/// The forgetting factor, as streamreg::forgetting<>::half_life computes it.
double forgetting_factor() { return std::pow(0.5, 1.0 / half_life); }

const data_set& data(workload w) {
  static std::unique_ptr<data_set> cache[2];
  std::unique_ptr<data_set>& slot = cache[w == workload::S ? 0 : 1];
  if (slot) return *slot;
  slot = std::make_unique<data_set>();
  data_set& d = *slot;
  d.records.reserve(record_count);
  streamreg::io::splitmix64 rng(seed + (w == workload::S ? 0 : 1));
  for (std::size_t i = 0; i < record_count; ++i) {
    if (w == workload::S) {
      const double x = -500.0 + 2000.0 * rng.uniform();
      d.records.push_back({x, 3.0 + 0.5 * x + 20.0 * (rng.uniform() - 0.5)});
    } else {
      const double t = static_cast<double>(i);
      d.records.push_back({1.7e9 + t, 3.0 + 0.5 * t + 20.0 * (rng.uniform() - 0.5)});
    }
  }
  d.all = exact_fit(d.records.data(), record_count);
  d.window = exact_fit(d.records.data() + record_count - window_size, window_size);
  // Weights lambda^(n-1-i) of the last records, down to 1e-60 (beyond, nothing shows in a double).
  d.lambda = forgetting_factor();
  std::vector<quad> weights;
  quad wt = 1;
  while (wt > quad(1e-60) && weights.size() < record_count) {
    weights.push_back(wt);
    wt *= quad(d.lambda);
  }
  std::vector<quad> forward(weights.rbegin(), weights.rend());
  d.forget = exact_fit(d.records.data() + record_count - forward.size(), forward.size(), &forward);
  return d;
}

void report(benchmark::State& state, std::size_t n) {
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(n));
  state.counters["ns_per_record"] = benchmark::Counter(
      static_cast<double>(n), benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

void report_fit(benchmark::State& state, std::size_t n, const fit_slot& fit, const oracle& want) {
  report(state, n);
  state.counters["slope_digits"] = digits(fit.slope, want.slope);
  state.counters["intercept_digits"] = digits(fit.intercept, want.intercept);
}

// ---- S, S_offset: one predictor, a fit after every record ----------------------------------

/// The floor: five sums and the closed form.
void floor_naive_sums(benchmark::State& state, workload w) {
  const data_set& d = data(w);
  fit_slot slot;
  for (auto _ : state) {
    double n = 0, sx = 0, sy = 0, sxy = 0, sxx = 0;
    for (const xy& r : d.records) {
      n += 1;
      sx += r.x;
      sy += r.y;
      sxy += r.x * r.y;
      sxx += r.x * r.x;
      const double b = (n * sxy - sx * sy) / (n * sxx - sx * sx);
      slot.slope = b;
      slot.intercept = (sy - b * sx) / n;
      benchmark::DoNotOptimize(slot);
    }
  }
  report_fit(state, record_count, slot, d.all);
}

/// The centred (Welford) update with one reciprocal per record.
void floor_centred(benchmark::State& state, workload w) {
  const data_set& d = data(w);
  fit_slot slot;
  for (auto _ : state) {
    double n = 0, mx = 0, my = 0, sxx = 0, sxy = 0;
    for (const xy& r : d.records) {
      n += 1;
      const double inv = 1 / n;
      const double dx = r.x - mx;
      const double dy = r.y - my;
      mx += dx * inv;
      my += dy * inv;
      sxx += dx * (r.x - mx);
      sxy += dx * (r.y - my);
      const double b = sxy / sxx;
      slot.slope = b;
      slot.intercept = my - b * mx;
      benchmark::DoNotOptimize(slot);
    }
  }
  report_fit(state, record_count, slot, d.all);
}

/// streamreg's default: regressor<moments<double>> (make_regressor) with a sink keeping the fit.
void streamreg_default(benchmark::State& state, workload w) {
  const data_set& d = data(w);
  fit_slot slot;
  for (auto _ : state) {
    auto reg = streamreg::make_regressor(keep_fit{&slot});
    for (const xy& r : d.records) {
      reg.push(r.x, r.y);
      benchmark::DoNotOptimize(slot);
    }
    if (reg.accepted() != record_count) state.SkipWithError("records refused");
  }
  report_fit(state, record_count, slot, d.all);
}

#ifdef STREAMREG_BENCH_BOOST
/// Boost.Accumulators: mean, variance, covariance (x with covariate1 = y) per record.
void boost_accumulators(benchmark::State& state, workload w) {
  namespace ba = boost::accumulators;
  using set = ba::accumulator_set<
      double, ba::stats<ba::tag::mean, ba::tag::variance, ba::tag::covariance<double, ba::tag::covariate1>>>;
  const data_set& d = data(w);
  fit_slot slot;
  for (auto _ : state) {
    set acc;
    for (const xy& r : d.records) {
      acc(r.x, ba::covariate1 = r.y);
      const double b = ba::covariance(acc) / ba::variance(acc);
      slot.slope = b;
      slot.intercept = ba::extract_result<ba::tag::mean_of_variates<double, ba::tag::covariate1>>(acc) -
                       b * ba::mean(acc);
      benchmark::DoNotOptimize(slot);
    }
  }
  report_fit(state, record_count, slot, d.all);
}
#endif

#ifdef STREAMREG_BENCH_DLIB
/// dlib::running_scalar_covariance: add(x, y), slope = covariance / variance_x.
void dlib_running_scalar_covariance(benchmark::State& state, workload w) {
  const data_set& d = data(w);
  fit_slot slot;
  for (auto _ : state) {
    dlib::running_scalar_covariance<double> acc;
    for (const xy& r : d.records) {
      acc.add(r.x, r.y);
      const double b = acc.covariance() / acc.variance_x();
      slot.slope = b;
      slot.intercept = acc.mean_y() - b * acc.mean_x();
      benchmark::DoNotOptimize(slot);
    }
  }
  report_fit(state, record_count, slot, d.all);
}

/// dlib::rls with forget factor `forget` (default C = 1000), features (1, x), the fit read
/// after every record.
void run_dlib_rls(benchmark::State& state, const data_set& d, double forget, const oracle& want) {
  fit_slot slot;
  for (auto _ : state) {
    dlib::rls rls(forget);
    dlib::matrix<double, 2, 1> z;
    z(0) = 1;
    for (const xy& r : d.records) {
      z(1) = r.x;
      rls.train(z, r.y);
      const dlib::matrix<double, 0, 1>& coef = rls.get_w();
      slot.intercept = coef(0);
      slot.slope = coef(1);
      benchmark::DoNotOptimize(slot);
    }
  }
  report_fit(state, record_count, slot, want);
}

/// dlib::rls as constructed by default (forget factor 1, C = 1000).
void dlib_rls(benchmark::State& state, workload w) {
  const data_set& d = data(w);
  run_dlib_rls(state, d, 1.0, d.all);
}
#endif

#ifdef STREAMREG_BENCH_GSL
/// gsl_rstat: two workspaces (x and y), means and variances per record; no covariance, so no fit.
void gsl_rstat(benchmark::State& state, workload w) {
  const data_set& d = data(w);
  for (auto _ : state) {
    gsl_rstat_workspace* wx = gsl_rstat_alloc();
    gsl_rstat_workspace* wy = gsl_rstat_alloc();
    for (const xy& r : d.records) {
      gsl_rstat_add(r.x, wx);
      gsl_rstat_add(r.y, wy);
      double out[4] = {gsl_rstat_mean(wx), gsl_rstat_variance(wx), gsl_rstat_mean(wy),
                       gsl_rstat_variance(wy)};
      benchmark::DoNotOptimize(out);
    }
    gsl_rstat_free(wy);
    gsl_rstat_free(wx);
  }
  report(state, record_count);
}

/// gsl_fit_linear over all records once (strided x and y of the record array).
void gsl_fit_linear_batch(benchmark::State& state, workload w) {
  const data_set& d = data(w);
  fit_slot slot;
  for (auto _ : state) {
    double c0 = 0, c1 = 0, cov00 = 0, cov01 = 0, cov11 = 0, sumsq = 0;
    gsl_fit_linear(&d.records[0].x, 2, &d.records[0].y, 2, record_count, &c0, &c1, &cov00, &cov01,
                   &cov11, &sumsq);
    slot.intercept = c0;
    slot.slope = c1;
    benchmark::DoNotOptimize(slot);
  }
  report_fit(state, record_count, slot, d.all);
}
#endif

/// The design matrix [1, x] and the response, built once (outside the timing).
struct design {
  Eigen::MatrixXd x;
  Eigen::VectorXd y;
};

const design& design_of(workload w) {
  static std::unique_ptr<design> cache[2];
  std::unique_ptr<design>& slot = cache[w == workload::S ? 0 : 1];
  if (!slot) {
    const data_set& d = data(w);
    slot = std::make_unique<design>();
    const auto n = static_cast<Eigen::Index>(record_count);
    slot->x.resize(n, 2);
    slot->y.resize(n);
    for (Eigen::Index i = 0; i < n; ++i) {
      slot->x(i, 0) = 1;
      slot->x(i, 1) = d.records[static_cast<std::size_t>(i)].x;
      slot->y(i) = d.records[static_cast<std::size_t>(i)].y;
    }
  }
  return *slot;
}

enum class eigen_solver { normal_ldlt, householder_qr, colpiv_qr };

template <eigen_solver S>
void eigen_batch(benchmark::State& state, workload w) {
  const design& m = design_of(w);
  fit_slot slot;
  for (auto _ : state) {
    Eigen::Vector2d c;
    if constexpr (S == eigen_solver::normal_ldlt) {
      const Eigen::Matrix2d a = m.x.transpose() * m.x;
      const Eigen::Vector2d b = m.x.transpose() * m.y;
      c = a.ldlt().solve(b);
    } else if constexpr (S == eigen_solver::householder_qr) {
      c = m.x.householderQr().solve(m.y);
    } else {
      c = m.x.colPivHouseholderQr().solve(m.y);
    }
    slot.intercept = c(0);
    slot.slope = c(1);
    benchmark::DoNotOptimize(slot);
  }
  report_fit(state, record_count, slot, data(w).all);
}

// ---- W: count window of 1000 ---------------------------------------------------------------

/// The floor: a ring buffer and five sums, the oldest record subtracted.
void W_floor_naive_window(benchmark::State& state) {
  const data_set& d = data(workload::S);
  fit_slot slot;
  std::vector<xy> ring(window_size);
  for (auto _ : state) {
    double n = 0, sx = 0, sy = 0, sxy = 0, sxx = 0;
    std::size_t head = 0;
    for (const xy& r : d.records) {
      if (n == static_cast<double>(window_size)) {
        const xy& o = ring[head];
        sx -= o.x;
        sy -= o.y;
        sxy -= o.x * o.y;
        sxx -= o.x * o.x;
      } else {
        n += 1;
      }
      ring[head] = r;
      head = head + 1 == window_size ? 0 : head + 1;
      sx += r.x;
      sy += r.y;
      sxy += r.x * r.y;
      sxx += r.x * r.x;
      const double b = (n * sxy - sx * sy) / (n * sxx - sx * sx);
      slot.slope = b;
      slot.intercept = (sy - b * sx) / n;
      benchmark::DoNotOptimize(slot);
    }
  }
  report_fit(state, record_count, slot, d.window);
}

void W_streamreg_window(benchmark::State& state) {
  const data_set& d = data(workload::S);
  fit_slot slot;
  for (auto _ : state) {
    auto reg = streamreg::make_regressor_for(streamreg::count_window<>(window_size), keep_fit{&slot});
    for (const xy& r : d.records) {
      reg.push(r.x, r.y);
      benchmark::DoNotOptimize(slot);
    }
    if (reg.accepted() != record_count) state.SkipWithError("records refused");
  }
  report_fit(state, record_count, slot, d.window);
}

// ---- F: exponential forgetting, half-life 500 records --------------------------------------

void F_floor_naive_forgetting(benchmark::State& state) {
  const data_set& d = data(workload::S);
  const double lambda = d.lambda;
  fit_slot slot;
  for (auto _ : state) {
    double n = 0, sx = 0, sy = 0, sxy = 0, sxx = 0;
    for (const xy& r : d.records) {
      n = n * lambda + 1;
      sx = sx * lambda + r.x;
      sy = sy * lambda + r.y;
      sxy = sxy * lambda + r.x * r.y;
      sxx = sxx * lambda + r.x * r.x;
      const double b = (n * sxy - sx * sy) / (n * sxx - sx * sx);
      slot.slope = b;
      slot.intercept = (sy - b * sx) / n;
      benchmark::DoNotOptimize(slot);
    }
  }
  report_fit(state, record_count, slot, d.forget);
}

void F_streamreg_forgetting(benchmark::State& state) {
  const data_set& d = data(workload::S);
  fit_slot slot;
  for (auto _ : state) {
    auto reg = streamreg::make_regressor_for(streamreg::forgetting<>::half_life(half_life),
                                             keep_fit{&slot});
    for (const xy& r : d.records) {
      reg.push(r.x, r.y);
      benchmark::DoNotOptimize(slot);
    }
    if (reg.accepted() != record_count) state.SkipWithError("records refused");
  }
  report_fit(state, record_count, slot, d.forget);
}

#ifdef STREAMREG_BENCH_DLIB
/// dlib::rls with forget factor lambda (C = 1000, its default), features (1, x).
void F_dlib_rls(benchmark::State& state) {
  const data_set& d = data(workload::S);
  run_dlib_rls(state, d, d.lambda, d.forget);
}
#endif

// ---- CSV: a file in the page cache ---------------------------------------------------------

constexpr std::size_t chunk = 1 << 16;  // read size of the floor, as line_reader's default

const std::string& csv_path() {
  // Never destroyed: the exit handler that removes the file still reads it.
  static const std::string& path = *new std::string([] {
    // STREAMREG_PEERS_CSV names a file to write and keep (scripts/bench.sh passes it on to
    // benchmarks/python_peers.py); otherwise a file in /tmp, removed at exit.
    const char* keep = std::getenv("STREAMREG_PEERS_CSV");
    std::string p = keep != nullptr && *keep != '\0'
                        ? std::string(keep)
                        : "/tmp/streamreg_peers_" + std::to_string(::getpid()) + ".csv";
    std::ofstream out(p, std::ios::binary);
    out << "x,y\n";
    char buf[64];
    for (const xy& r : data(workload::S).records) {
      char* e = std::to_chars(buf, buf + sizeof buf, r.x, std::chars_format::general, 17).ptr;
      *e++ = ',';
      e = std::to_chars(e, buf + sizeof buf, r.y, std::chars_format::general, 17).ptr;
      *e++ = '\n';
      out.write(buf, e - buf);
    }
    out.close();
    if (keep == nullptr || *keep == '\0') std::atexit([] { std::remove(csv_path().c_str()); });
    return p;
  }());
  return path;
}

/// The floor: read() 64 KiB chunks, memchr for line ends, from_chars for x and y, no fit.
void CSV_floor_from_chars(benchmark::State& state) {
  const std::string& path = csv_path();
  std::vector<char> buf(chunk + 256);
  std::size_t rows = 0;
  for (auto _ : state) {
    rows = 0;
    const int fd = ::open(path.c_str(), O_RDONLY);
    std::size_t have = 0;
    bool header = true;
    for (;;) {
      const ssize_t got = ::read(fd, buf.data() + have, chunk);
      if (got <= 0) break;
      have += static_cast<std::size_t>(got);
      const char* p = buf.data();
      const char* const end = p + have;
      for (;;) {
        const void* nl = std::memchr(p, '\n', static_cast<std::size_t>(end - p));
        if (nl == nullptr) break;
        const char* last = static_cast<const char*>(nl);
        if (header) {
          header = false;
        } else {
          double x = 0, y = 0;
          const char* comma = std::from_chars(p, last, x).ptr;
          std::from_chars(comma + 1, last, y);
          benchmark::DoNotOptimize(x);
          benchmark::DoNotOptimize(y);
          ++rows;
        }
        p = last + 1;
      }
      have = static_cast<std::size_t>(end - p);
      std::memmove(buf.data(), p, have);
    }
    ::close(fd);
  }
  if (rows != record_count) state.SkipWithError("wrong row count");
  report(state, record_count);
}

/// streamreg: io::csv_reader over a std::ifstream (header x,y, columns by name) into the
/// default regressor, a fit per row.
void CSV_streamreg(benchmark::State& state) {
  namespace io = streamreg::io;
  const std::string& path = csv_path();
  const std::vector<io::column> columns{io::column::parse("x"), io::column::parse("y")};
  fit_slot slot;
  for (auto _ : state) {
    std::ifstream file(path, std::ios::binary);
    io::csv_reader<double> in(file, columns);
    auto reg = streamreg::make_regressor(keep_fit{&slot});
    while (in.next() == io::csv_reader<double>::result::record) {
      reg.push(in[0], in[1]);
      benchmark::DoNotOptimize(slot);
    }
    if (reg.accepted() != record_count) state.SkipWithError("wrong row count");
  }
  report_fit(state, record_count, slot, data(workload::S).all);
}

/// For scale: std::getline + std::stod, parse only (x and y per row, no fit).
void CSV_getline_stod(benchmark::State& state) {
  const std::string& path = csv_path();
  std::size_t rows = 0;
  for (auto _ : state) {
    rows = 0;
    std::ifstream file(path);
    std::string line;
    std::getline(file, line);  // header
    while (std::getline(file, line)) {
      std::size_t pos = 0;
      double x = std::stod(line, &pos);
      double y = std::stod(line.substr(pos + 1));
      benchmark::DoNotOptimize(x);
      benchmark::DoNotOptimize(y);
      ++rows;
    }
  }
  if (rows != record_count) state.SkipWithError("wrong row count");
  report(state, record_count);
}

template <class F>
void add(const char* name, F f) {
  benchmark::RegisterBenchmark(name, f)->Unit(benchmark::kMillisecond);
}

template <class F>
void add_both(const char* impl, F f) {
  add((std::string("S/") + impl).c_str(), [f](benchmark::State& s) { f(s, workload::S); });
  add((std::string("S_offset/") + impl).c_str(), [f](benchmark::State& s) { f(s, workload::S_offset); });
}

bool register_all() {
#ifdef STREAMREG_BENCH_GSL
  gsl_set_error_handler_off();
#endif
  add_both("floor_naive_sums", floor_naive_sums);
  add_both("floor_centred", floor_centred);
  add_both("streamreg", streamreg_default);
#ifdef STREAMREG_BENCH_BOOST
  add_both("boost_accumulators", boost_accumulators);
#endif
#ifdef STREAMREG_BENCH_DLIB
  add_both("dlib_running_scalar_covariance", dlib_running_scalar_covariance);
  add_both("dlib_rls", dlib_rls);
#endif
#ifdef STREAMREG_BENCH_GSL
  add_both("gsl_rstat", gsl_rstat);
  add_both("gsl_fit_linear_batch", gsl_fit_linear_batch);
#endif
  add_both("eigen_normal_ldlt_batch", eigen_batch<eigen_solver::normal_ldlt>);
  add_both("eigen_householder_qr_batch", eigen_batch<eigen_solver::householder_qr>);
  add_both("eigen_colpiv_qr_batch", eigen_batch<eigen_solver::colpiv_qr>);
  add("W/floor_naive_window", W_floor_naive_window);
  add("W/streamreg", W_streamreg_window);
  add("F/floor_naive_forgetting", F_floor_naive_forgetting);
  add("F/streamreg", F_streamreg_forgetting);
#ifdef STREAMREG_BENCH_DLIB
  add("F/dlib_rls", F_dlib_rls);
#endif
  add("CSV/floor_from_chars", CSV_floor_from_chars);
  add("CSV/streamreg", CSV_streamreg);
  add("CSV/getline_stod", CSV_getline_stod);
  return true;
}

[[maybe_unused]] const bool registered = register_all();

}  // namespace

// SPDX-License-Identifier: MIT
// The scalar path against its floors: the naive five-sum loop and bare from_chars parsing.
//
// Every benchmark runs over the same 1M records (fixed seed), emits a fit per record and keeps
// it out of the optimiser's reach with benchmark::DoNotOptimize. Compare the medians of one run:
// the targets are BM_regressor_moments <= 1.3 x BM_floor_naive_sums and
// BM_csv_regressor <= 1.2 x BM_csv_floor_from_chars (see README.md).
#include <benchmark/benchmark.h>

#include <charconv>     // std::from_chars, std::to_chars
#include <cstdint>      // std::int64_t, std::uint64_t
#include <cstring>      // std::memchr
#include <string>       // std::string
#include <string_view>  // std::string_view
#include <type_traits>  // std::is_same_v
#include <vector>       // std::vector

#include <streamreg/checkpoint.hpp>
#include <streamreg/forgetting.hpp>
#include <streamreg/io/csv.hpp>
#include <streamreg/io/generator.hpp>
#include <streamreg/moments.hpp>
#include <streamreg/regressor.hpp>
#include <streamreg/sums.hpp>
#include <streamreg/window.hpp>

#include "bench_support.hpp"

namespace {

constexpr std::size_t record_count = 1'000'000;
constexpr std::uint64_t seed = 20240601;

using bench::fit_slot;
using bench::keep_fit;
using bench::xy;

/// The shared input: records and the same records as CSV text ("x,y" header, 17 significant
/// digits, so the text parses back to exactly the same doubles), and the default regressor's
/// fit after the last record, which the moments and CSV runs must reproduce bit for bit.
struct input {
  std::vector<xy> records;
  std::string csv;
  fit_slot last_fit;
};

const input& data() {
  static const input in = [] {
    input r;
    r.records.reserve(record_count);
    streamreg::io::splitmix64 rng(seed);
    for (std::size_t i = 0; i < record_count; ++i) {
      // x spread over [-500, 1500) at random, y = 3 + 0.5 x + U(-10, 10).
      const double x = -500.0 + 2000.0 * rng.uniform();
      const double y = 3.0 + 0.5 * x + 20.0 * (rng.uniform() - 0.5);
      r.records.push_back({x, y});
    }
    r.csv.reserve(record_count * 44 + 4);
    r.csv += "x,y\n";
    char buf[64];
    for (const xy& p : r.records) {
      char* e = std::to_chars(buf, buf + sizeof buf, p.x, std::chars_format::general, 17).ptr;
      *e++ = ',';
      e = std::to_chars(e, buf + sizeof buf, p.y, std::chars_format::general, 17).ptr;
      *e++ = '\n';
      r.csv.append(buf, static_cast<std::size_t>(e - buf));
    }
    streamreg::regressor<streamreg::moments<double>, keep_fit> reg(keep_fit{&r.last_fit});
    for (const xy& p : r.records) reg.push(p.x, p.y);
    return r;
  }();
  return in;
}

void set_items(benchmark::State& state) {
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(record_count));
  state.counters["ns_per_record"] = benchmark::Counter(
      static_cast<double>(record_count),
      benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

// ---- floor: the naive loop of the reference workflow ---------------------------------------

void BM_floor_naive_sums(benchmark::State& state) {
  const std::vector<xy>& records = data().records;
  for (auto _ : state) {
    fit_slot slot;
    double n = 0, sx = 0, sy = 0, sxy = 0, sxx = 0;
    for (const xy& r : records) {
      n += 1;
      sx += r.x;
      sy += r.y;
      sxy += r.x * r.y;
      sxx += r.x * r.x;
      const double b = (n * sxy - sx * sy) / (n * sxx - sx * sx);
      const double a = (sy - b * sx) / n;
      slot.intercept = a;
      slot.slope = b;
      benchmark::DoNotOptimize(slot);
    }
  }
  set_items(state);
}
BENCHMARK(BM_floor_naive_sums);

// ---- the library's scalar path: push + solve + sink per record -----------------------------

/// Whether a run ended with every record accepted and, for `moments`, the expected fit.
template <class Accumulator, class Regressor>
bool complete(const Regressor& reg, const fit_slot& slot) {
  const fit_slot& expected = data().last_fit;
  return reg.accepted() == record_count &&
         (!std::is_same_v<Accumulator, streamreg::moments<double>> ||
          (slot.intercept == expected.intercept && slot.slope == expected.slope));
}

template <class Accumulator>
void run_regressor(benchmark::State& state) {
  const std::vector<xy>& records = data().records;
  for (auto _ : state) {
    fit_slot slot;
    streamreg::regressor<Accumulator, keep_fit> reg(keep_fit{&slot});
    for (const xy& r : records) {
      reg.push(r.x, r.y);
      benchmark::DoNotOptimize(slot);
    }
    if (!complete<Accumulator>(reg, slot)) state.SkipWithError("wrong result");
  }
  set_items(state);
}

void BM_regressor_moments(benchmark::State& state) {
  run_regressor<streamreg::moments<double>>(state);
}
BENCHMARK(BM_regressor_moments);

/// The precise state (double-double moments): its cost against BM_regressor_moments.
void BM_regressor_precise(benchmark::State& state) {
  const std::vector<xy>& records = data().records;
  for (auto _ : state) {
    fit_slot slot;
    streamreg::regressor<streamreg::precise_moments, keep_fit> reg(keep_fit{&slot});
    for (const xy& r : records) {
      reg.push(r.x, r.y);
      benchmark::DoNotOptimize(slot);
    }
    if (reg.accepted() != record_count) state.SkipWithError("wrong result");
  }
  set_items(state);
}
BENCHMARK(BM_regressor_precise);

void BM_regressor_raw_sums(benchmark::State& state) {
  run_regressor<streamreg::raw_sums<double>>(state);
}
BENCHMARK(BM_regressor_raw_sums);

// ---- CSV: the floor is splitting lines and from_chars, nothing else -------------------------

void BM_csv_floor_from_chars(benchmark::State& state) {
  const std::string& text = data().csv;
  for (auto _ : state) {
    const char* p = text.data();
    const char* const end = p + text.size();
    p = static_cast<const char*>(std::memchr(p, '\n', text.size())) + 1;  // header
    while (p < end) {
      const void* nl = std::memchr(p, '\n', static_cast<std::size_t>(end - p));
      const char* last = nl != nullptr ? static_cast<const char*>(nl) : end;
      double x = 0;
      double y = 0;
      const char* comma = std::from_chars(p, last, x).ptr;
      std::from_chars(comma + 1, last, y);
      benchmark::DoNotOptimize(x);
      benchmark::DoNotOptimize(y);
      p = last + 1;
    }
  }
  set_items(state);
}
BENCHMARK(BM_csv_floor_from_chars);

void BM_csv_regressor(benchmark::State& state) {
  namespace io = streamreg::io;
  const std::string_view text = data().csv;
  const std::vector<io::column> columns{io::column::parse("x"), io::column::parse("y")};
  for (auto _ : state) {
    io::csv_reader<double> in(text, columns);
    fit_slot slot;
    streamreg::regressor<streamreg::moments<double>, keep_fit> reg(keep_fit{&slot});
    while (in.next() == io::csv_reader<double>::result::record) {
      reg.push(in[0], in[1]);
      benchmark::DoNotOptimize(slot);
    }
    if (!complete<streamreg::moments<double>>(reg, slot)) state.SkipWithError("wrong result");
  }
  set_items(state);
}
BENCHMARK(BM_csv_regressor);

}  // namespace

// ---- beyond append: windows, forgetting, weights, merge, checkpoints -----------------------

/// A regressor over `state`, fed every record, keeping the fit: as run_regressor.
template <class State, class Push>
void run_over(benchmark::State& state, const State& initial, Push push) {
  const std::vector<xy>& records = data().records;
  for (auto _ : state) {
    fit_slot slot;
    streamreg::regressor<State, keep_fit> reg(initial, keep_fit{&slot});
    for (std::size_t i = 0; i < records.size(); ++i) {
      push(reg, records[i], i);
      benchmark::DoNotOptimize(slot);
    }
    if (reg.accepted() != record_count) state.SkipWithError("records refused");
  }
  set_items(state);
}

/// Count window of N records (state.range(0)): pop of the oldest, push, a rebuild from the
/// buffer every N evictions, solve and emit, per record.
void BM_window_push(benchmark::State& state) {
  const auto n = static_cast<std::size_t>(state.range(0));
  run_over(state, streamreg::count_window<>(n),
           [](auto& reg, const xy& r, std::size_t) { reg.push(r.x, r.y); });
}
BENCHMARK(BM_window_push)->Arg(1000);

/// Exponential forgetting with a half-life of 500 records: decay, push, solve, emit.
void BM_forgetting_push(benchmark::State& state) {
  run_over(state, streamreg::forgetting<>::half_life(500),
           [](auto& reg, const xy& r, std::size_t) { reg.push(r.x, r.y); });
}
BENCHMARK(BM_forgetting_push);

/// Weighted push (weights 1..8 cycling), solve and emit.
void BM_regressor_weighted(benchmark::State& state) {
  run_over(state, streamreg::moments<double>{}, [](auto& reg, const xy& r, std::size_t i) {
    reg.push(r.x, r.y, static_cast<double>(1 + (i & 7)));
  });
}
BENCHMARK(BM_regressor_weighted);

/// Merge: 1M one-record shards folded into one state, solving after each merge (items are
/// merges, comparable per record with the floor).
void BM_merge(benchmark::State& state) {
  const std::vector<xy>& records = data().records;
  std::vector<streamreg::moments<double>> shards(records.size());
  for (std::size_t i = 0; i < records.size(); ++i) shards[i].push(records[i].x, records[i].y);
  for (auto _ : state) {
    fit_slot slot;
    streamreg::moments<double> total;
    for (const auto& s : shards) {
      total += s;
      const auto f = streamreg::solve(total);
      slot.intercept = f.intercept;
      slot.slope = f.slope;
      benchmark::DoNotOptimize(slot);
    }
  }
  set_items(state);
}
BENCHMARK(BM_merge);

/// save_checkpoint then restore_checkpoint of a moments<double> state (per round trip).
void BM_checkpoint_roundtrip(benchmark::State& state) {
  streamreg::moments<double> m;
  for (const xy& r : data().records) m.push(r.x, r.y);
  std::size_t bytes = 0;
  for (auto _ : state) {
    const std::string text = streamreg::save_checkpoint(m);
    streamreg::moments<double> back;
    streamreg::restore_checkpoint(text, back);
    bytes = text.size();
    benchmark::DoNotOptimize(back);
  }
  state.counters["bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_checkpoint_roundtrip);

// SPDX-License-Identifier: MIT
// Several predictors: push + fit() per record for the Givens (default), centred-moments
// (LDLᵀ) and precise (double_double normal equations) states, against a batch HouseholderQR
// over the same records, dlib's recursive least squares updated per record, and a floor (the
// bare rank-1 accumulation of XᵀX and Xᵀy, no solve).
//
// Every benchmark takes P (the number of predictors, compile-time in the library's
// benchmarks) as its argument and reports `ns_per_record`. The streaming benchmarks produce a
// fit after every record and pass its coefficients to benchmark::DoNotOptimize; their
// `rel_err` counter is the largest coefficient difference from the batch QR fit, relative
// to the largest QR coefficient. The target: BM_multi_givens/8 at least 2x faster per
// record than BM_dlib_rls/8 (see README.md, "Several predictors").
#include <benchmark/benchmark.h>

#include <Eigen/Dense>

#include <algorithm>  // std::max
#include <cmath>      // std::abs
#include <cstddef>    // std::size_t
#include <cstdint>    // std::int64_t, std::uint64_t
#include <map>        // the data per P
#include <memory>     // std::unique_ptr
#include <type_traits>  // std::integral_constant
#include <vector>     // std::vector

#include <streamreg/io/generator.hpp>
#include <streamreg/multivariate.hpp>

#ifdef STREAMREG_BENCH_DLIB
#include <dlib/svm/rls.h>
#endif

namespace {

namespace mv = streamreg::multivariate;

constexpr std::uint64_t seed = 20240601;
/// The precise mode costs tens of times more per record: it runs over the first records only.
constexpr std::size_t precise_records = 100'000;

/// Records per P: 1M up to P = 8, fewer above (the per-record time is what is compared).
std::size_t record_count(int p) {
  return p <= 8 ? 1'000'000 : p <= 16 ? 250'000 : 100'000;
}

/// The records for P predictors, row after row (x of record i at x[i·P .. i·P + P)), the
/// same records as a design matrix with a leading column of ones (for the batch fit), and
/// the batch HouseholderQR coefficients (intercept first) that the streaming fits are
/// compared with: over all the records, and over the first `precise_records`.
struct records {
  int p = 0;
  std::size_t n = 0;
  std::vector<double> x;
  std::vector<double> y;
  Eigen::MatrixXd design;
  Eigen::VectorXd response;
  Eigen::VectorXd reference;
  Eigen::VectorXd reference_head;
};

/// Predictor j is uniform in 10(j + 1) ± (1 + j mod 3), y = 2 + Σ (0.5 + 0.1 j) x_j + U(−1, 1):
/// offsets well away from zero, as measured data have them, and a well-conditioned problem.
const records& data(int p) {
  static std::map<int, std::unique_ptr<records>> cache;
  std::unique_ptr<records>& slot = cache[p];
  if (slot) return *slot;
  slot = std::make_unique<records>();
  records& r = *slot;
  r.p = p;
  r.n = record_count(p);
  const auto up = static_cast<std::size_t>(p);
  r.x.resize(r.n * up);
  r.y.resize(r.n);
  streamreg::io::splitmix64 rng(seed + static_cast<std::uint64_t>(p));
  for (std::size_t i = 0; i < r.n; ++i) {
    double y = 2.0;
    for (std::size_t j = 0; j < up; ++j) {
      const double offset = 10.0 * static_cast<double>(j + 1);
      const double spread = 1.0 + static_cast<double>(j % 3);
      const double xj = offset + spread * (2.0 * rng.uniform() - 1.0);
      r.x[i * up + j] = xj;
      y += (0.5 + 0.1 * static_cast<double>(j)) * xj;
    }
    r.y[i] = y + (2.0 * rng.uniform() - 1.0);
  }
  const auto rows = static_cast<Eigen::Index>(r.n);
  r.design.resize(rows, p + 1);
  r.response = Eigen::Map<const Eigen::VectorXd>(r.y.data(), rows);
  r.design.col(0).setOnes();
  r.design.rightCols(p) =
      Eigen::Map<const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>>(
          r.x.data(), rows, p);
  r.reference = r.design.householderQr().solve(r.response);
  const auto head = static_cast<Eigen::Index>(std::min(precise_records, r.n));
  r.reference_head = r.design.topRows(head).householderQr().solve(r.response.head(head));
  return r;
}

void set_items(benchmark::State& state, std::size_t n) {
  state.SetItemsProcessed(state.iterations() * static_cast<std::int64_t>(n));
  state.counters["ns_per_record"] = benchmark::Counter(
      static_cast<double>(n),
      benchmark::Counter::kIsIterationInvariantRate | benchmark::Counter::kInvert);
}

/// max |b − reference| / max |reference|.
template <class Coefficients>
double relative_error(const Coefficients& b, const Eigen::VectorXd& reference) {
  double diff = 0, scale = 0;
  for (Eigen::Index i = 0; i < reference.size(); ++i) {
    diff = std::max(diff, std::abs(static_cast<double>(b(i)) - reference(i)));
    scale = std::max(scale, std::abs(reference(i)));
  }
  return diff / scale;
}

/// Calls f(std::integral_constant<int, P>) for the P of the benchmark's argument.
template <class F>
void with_p(benchmark::State& state, F f) {
  switch (state.range(0)) {
    case 2: return f(std::integral_constant<int, 2>{});
    case 4: return f(std::integral_constant<int, 4>{});
    case 8: return f(std::integral_constant<int, 8>{});
    case 16: return f(std::integral_constant<int, 16>{});
    case 32: return f(std::integral_constant<int, 32>{});
    default: state.SkipWithError("P must be 2, 4, 8, 16 or 32");
  }
}

// ---- the library: push + fit() per record -------------------------------------------------

/// regression<T, P, Policy> (P fixed, or Eigen::Dynamic with `p` predictors) over the first
/// `limit` records: push, fit, DoNotOptimize(coefficients), per record. `window` > 0: a count
/// window of that many records (rel_err is then not computed).
template <class T, int P, class Policy>
void run_regression(benchmark::State& state, int p, std::size_t limit, std::uint64_t window = 0) {
  const records& r = data(p);
  const std::size_t n = std::min(limit, r.n);
  const auto up = static_cast<std::size_t>(p);
  using input = Eigen::Matrix<double, P, 1>;
  mv::options opt;
  opt.predictors = p;
  opt.window = window;
  double err = 0;
  for (auto _ : state) {
    mv::regression<T, P, Policy> reg(opt);
    typename mv::regression<T, P, Policy>::fit_type f;
    for (std::size_t i = 0; i < n; ++i) {
      reg.push(Eigen::Map<const input>(r.x.data() + i * up, p), r.y[i]);
      f = reg.fit();
      benchmark::DoNotOptimize(f.coefficients);
    }
    if (!f) state.SkipWithError("the last fit is not ok");
    if (window == 0) err = relative_error(f.coefficients, n == r.n ? r.reference : r.reference_head);
  }
  set_items(state, n);
  state.counters["rel_err"] = err;
}

void BM_multi_givens(benchmark::State& state) {
  with_p(state, [&](auto p) {
    run_regression<double, decltype(p)::value, mv::givens>(state, p, record_count(p));
  });
}
BENCHMARK(BM_multi_givens)->Arg(2)->Arg(4)->Arg(8)->Arg(16)->Arg(32);

void BM_multi_ldlt(benchmark::State& state) {
  with_p(state, [&](auto p) {
    run_regression<double, decltype(p)::value, mv::moments>(state, p, record_count(p));
  });
}
BENCHMARK(BM_multi_ldlt)->Arg(2)->Arg(4)->Arg(8)->Arg(16)->Arg(32);

/// The default policy with P = Eigen::Dynamic (set at construction).
void BM_multi_givens_dynamic(benchmark::State& state) {
  const int p = static_cast<int>(state.range(0));
  run_regression<double, Eigen::Dynamic, mv::givens>(state, p, record_count(p));
}
BENCHMARK(BM_multi_givens_dynamic)->Arg(8);

/// A count window of 1000 records: the default policy (two stacks of Givens factors) and
/// moments (remove the leaving record, rebuild once per turnover).
void BM_multi_window_givens(benchmark::State& state) {
  with_p(state, [&](auto p) {
    run_regression<double, decltype(p)::value, mv::givens>(state, p, record_count(p), 1000);
  });
}
BENCHMARK(BM_multi_window_givens)->Arg(2)->Arg(8);
void BM_multi_window_moments(benchmark::State& state) {
  with_p(state, [&](auto p) {
    run_regression<double, decltype(p)::value, mv::moments>(state, p, record_count(p), 1000);
  });
}
BENCHMARK(BM_multi_window_moments)->Arg(2)->Arg(8);

/// precise_regression<P>: double_double normal equations, LDLᵀ with iterative refinement.
void BM_multi_precise(benchmark::State& state) {
  with_p(state, [&](auto p) {
    run_regression<mv::double_double, decltype(p)::value, mv::normal_equations>(
        state, p, precise_records);
  });
}
BENCHMARK(BM_multi_precise)->Arg(2)->Arg(8);

// ---- references ---------------------------------------------------------------------------

/// The floor: XᵀX (lower triangle) and Xᵀy of z = [1, x] accumulated by a rank-1 update per
/// record, nothing solved.
void BM_multi_floor(benchmark::State& state) {
  with_p(state, [&](auto pc) {
    constexpr int P = decltype(pc)::value;
    constexpr int K = P + 1;
    const records& r = data(P);
    for (auto _ : state) {
      Eigen::Matrix<double, K, K> g = Eigen::Matrix<double, K, K>::Zero();
      Eigen::Matrix<double, K, 1> b = Eigen::Matrix<double, K, 1>::Zero();
      Eigen::Matrix<double, K, 1> z;
      z(0) = 1;
      for (std::size_t i = 0; i < r.n; ++i) {
        const double* x = r.x.data() + i * P;
        for (int j = 0; j < P; ++j) z(j + 1) = x[j];
        const double y = r.y[i];
        for (int j = 0; j < K; ++j) {
          for (int m = j; m < K; ++m) g(m, j) += z(j) * z(m);
          b(j) += z(j) * y;
        }
        benchmark::DoNotOptimize(g);
        benchmark::DoNotOptimize(b);
      }
    }
    set_items(state, r.n);
  });
}
BENCHMARK(BM_multi_floor)->Arg(2)->Arg(4)->Arg(8)->Arg(16)->Arg(32);

/// One batch fit of all the records: HouseholderQR of the n×(P+1) design matrix (built
/// before timing) and the solve. Time per record = total / n.
void BM_eigen_batch_qr(benchmark::State& state) {
  with_p(state, [&](auto pc) {
    constexpr int K = decltype(pc)::value + 1;
    const records& r = data(decltype(pc)::value);
    Eigen::HouseholderQR<Eigen::Matrix<double, Eigen::Dynamic, K>> qr(r.design.rows(), K);
    Eigen::Matrix<double, K, 1> beta;
    for (auto _ : state) {
      qr.compute(r.design);
      beta = qr.solve(r.response);
      benchmark::DoNotOptimize(beta);
    }
    set_items(state, r.n);
    state.counters["rel_err"] = relative_error(beta, r.reference);
  });
}
BENCHMARK(BM_eigen_batch_qr)->Arg(2)->Arg(4)->Arg(8)->Arg(16)->Arg(32)->Unit(benchmark::kMillisecond);

#ifdef STREAMREG_BENCH_DLIB
/// dlib::rls as constructed by default (forget factor 1, C = 1000: its initial R = C·I is a
/// ridge of 1/C), the intercept as a constant 1 feature: train(x, y) then get_w() per record.
void BM_dlib_rls(benchmark::State& state) {
  with_p(state, [&](auto pc) {
    constexpr int P = decltype(pc)::value;
    const records& r = data(P);
    double err = 0;
    for (auto _ : state) {
      dlib::rls rls;
      dlib::matrix<double, P + 1, 1> z;
      z(0) = 1;
      for (std::size_t i = 0; i < r.n; ++i) {
        const double* x = r.x.data() + i * P;
        for (long j = 0; j < P; ++j) z(j + 1) = x[j];
        rls.train(z, r.y[i]);
        const dlib::matrix<double, 0, 1>& w = rls.get_w();
        benchmark::DoNotOptimize(w);
      }
      err = relative_error(rls.get_w(), r.reference);
    }
    set_items(state, r.n);
    state.counters["rel_err"] = err;
  });
}
BENCHMARK(BM_dlib_rls)->Arg(2)->Arg(4)->Arg(8)->Arg(16)->Arg(32);
#endif

}  // namespace

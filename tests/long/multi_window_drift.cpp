// SPDX-License-Identifier: MIT
// Opt-in long run (target `multi_window_drift`, not part of the default suite): slides a
// count window of a two-predictor regression over offset predictors (a timestamp and a level
// near 1.7e9) 10⁸ times and compares the fit of sampled windows with the exact rational
// least-squares fit of the window's records (GMP).
//
//   cmake --build build/<preset> --target multi_window_drift
//   build/<preset>/tests/long/multi_window_drift [slides] [window] [givens|moments]
#include <streamreg/multivariate/regression.hpp>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "support/exact_ls.hpp"

namespace {

namespace mv = streamreg::multivariate;

struct splitmix {
  std::uint64_t s;
  std::uint64_t next() {
    std::uint64_t z = (s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  double uniform() { return static_cast<double>(next() >> 11) * 0x1p-53; }
};

struct record {
  double a, b, y;
};

// Record i of the stream: event times on a 0.25 s grid advancing 0..3 steps per record
// (wrapping every 2^24 records so the inputs stay near the offset), a level on a 1/8 grid.
record make(splitmix& rng, double& k) {
  k += static_cast<double>(rng.next() % 4);
  if (k >= 0x1p24) k = 0;
  const double t = 0.25 * k;
  const double level = std::round((rng.uniform() - 0.5) * 1600) / 8;
  const double a = 1.7e9 + t, b = 1.7e9 + level;
  return {a, b, 3 + 0.5 * t - 2 * level + (rng.uniform() - 0.5)};
}

template <class Reg>
int run(std::uint64_t slides, std::uint64_t window, const char* policy) {
  mv::options o;
  o.predictors = 2;
  o.window = window;
  Reg reg(o);
  splitmix rng{2026};
  double k = 0;
  const std::uint64_t samples = 200, total = slides + window;
  std::vector<record> held;  // the window's records, for the exact fit (a ring)
  held.resize(static_cast<std::size_t>(window));
  double worst[3] = {0, 0, 0};
  for (std::uint64_t i = 0; i < total; ++i) {
    const record r = make(rng, k);
    held[static_cast<std::size_t>(i % window)] = r;
    const double x[2] = {r.a, r.b};
    if (!reg.push(x, r.y, 1.0, 2)) return 2;
    if (i + 1 < window || (i + 1 - window) % (slides / samples + 1) != 0) continue;
    streamreg_test::ls_problem p;
    for (std::uint64_t j = 0; j < window; ++j) {
      const record& h = held[static_cast<std::size_t>(j)];
      p.add({h.a, h.b}, h.y);
    }
    const streamreg_test::exact_ls ex = streamreg_test::exact_solve(p);
    const auto fit = reg.fit();
    if (!ex.full_rank || fit.status != streamreg::fit_status::ok) {
      std::printf("fit not ok at slide %llu\n", static_cast<unsigned long long>(i + 1 - window));
      return 1;
    }
    for (int c = 0; c < 3; ++c) {
      const mpq_class err = (mpq_class(fit.coefficients(c)) - ex.beta[static_cast<std::size_t>(c)]) /
                            ex.beta[static_cast<std::size_t>(c)];
      worst[c] = std::max(worst[c], std::fabs(err.get_d()));
    }
  }
  std::printf("multi_window_drift: %s, %llu slides of a %llu-record window, 2 predictors ~ 1.7e9\n",
              policy, static_cast<unsigned long long>(slides),
              static_cast<unsigned long long>(window));
  std::printf("max relative error vs the exact fit of %llu windows: intercept %.3g, slopes %.3g %.3g\n",
              static_cast<unsigned long long>(samples), worst[0], worst[1], worst[2]);
  const bool ok = std::max({worst[0], worst[1], worst[2]}) <= 1e-12;
  std::printf("%s (bound 1e-12)\n", ok ? "within" : "OUTSIDE");
  return ok ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  const std::uint64_t slides = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 100000000ull;
  const std::uint64_t window = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 100;
  const std::string policy = argc > 3 ? argv[3] : "givens";
  if (window < 3 || slides < 1) return 2;
  if (policy == "moments")
    return run<mv::regression<double, 2, mv::moments>>(slides, window, "moments");
  return run<mv::regression<double, 2, mv::givens>>(slides, window, "givens");
}

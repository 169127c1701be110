// SPDX-License-Identifier: MIT
// Opt-in long run (target `window_drift`, not part of the default suite): slides a
// 1000-record count window over offset data (x ≈ 1.7e9) 10⁸ times and compares its fit with
// the exact rational least-squares fit of the window's contents at sample points.
//
//   cmake --build build/<preset> --target window_drift && build/<preset>/tests/long/window_drift [slides]
#include <streamreg/solve.hpp>
#include <streamreg/window.hpp>

#include <gmpxx.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <vector>

namespace {

struct splitmix {
  std::uint64_t s;
  double uniform() {
    std::uint64_t z = (s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    z ^= z >> 31;
    return static_cast<double>(z >> 11) * 0x1p-53;
  }
};

mpq_class exact(double v) {
  mpq_class q;
  q = v;  // exact: every double is a dyadic rational
  return q;
}

double rel_error(double v, const mpq_class& q) {
  if (q == 0) return std::abs(v);
  const mpq_class d = (exact(v) - q) / q;
  return std::abs(d.get_d());
}

}  // namespace

int main(int argc, char** argv) {
  const std::uint64_t slides = argc > 1 ? std::strtoull(argv[1], nullptr, 10) : 100000000ull;
  const std::size_t n = 1000;
  const std::uint64_t samples = 200;
  const std::uint64_t rebuild = argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 0;
  streamreg::count_window<streamreg::moments<double>> window(n, rebuild);
  splitmix rng{2024};
  double worst_slope = 0, worst_intercept = 0;
  const std::uint64_t total = slides + n;
  for (std::uint64_t i = 0; i < total; ++i) {
    // x advances 0.37 per record from 1.7e9 (wrapping every 2^22 records so x stays near the
    // offset); y has an offset, a slope of 2.5 and uniform noise.
    const double dx = 0.37 * static_cast<double>(i % (1u << 22));
    const double x = 1.7e9 + dx;
    const double y = 3e8 + 2.5 * dx + rng.uniform();
    window.push(x, y);
    if (i >= n && (i - n) % (slides / samples + 1) == 0) {
      mpq_class sx = 0, sy = 0, sxx = 0, sxy = 0;
      for (std::size_t k = 0; k < window.size(); ++k) {
        const mpq_class qx = exact(window[k].x), qy = exact(window[k].y);
        sx += qx;
        sy += qy;
        sxx += qx * qx;
        sxy += qx * qy;
      }
      const mpq_class m = static_cast<unsigned long>(window.size());
      const mpq_class b = (m * sxy - sx * sy) / (m * sxx - sx * sx);
      const mpq_class a = (sy - b * sx) / m;
      const auto fit = streamreg::solve(window);
      if (!fit) {
        std::printf("fit not ok at slide %llu\n", static_cast<unsigned long long>(i - n));
        return 1;
      }
      worst_slope = std::max(worst_slope, rel_error(fit.slope, b));
      worst_intercept = std::max(worst_intercept, rel_error(fit.intercept, a));
    }
  }
  std::printf("window_drift: %llu slides of a %zu-record window, x ~ 1.7e9\n",
              static_cast<unsigned long long>(slides), n);
  std::printf("max relative error vs exact fit of the window: slope %.3g, intercept %.3g\n",
              worst_slope, worst_intercept);
  const bool ok = worst_slope <= 1e-12 && worst_intercept <= 1e-12;
  std::printf("%s (bound 1e-12)\n", ok ? "within" : "OUTSIDE");
  return ok ? 0 : 1;
}

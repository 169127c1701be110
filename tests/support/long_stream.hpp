// SPDX-License-Identifier: MIT
// Long streams with an exact oracle: records on an integer grid (x an integer, y a multiple of
// 2^-g, so every value is an exact double or float), running sums in 128-bit integers, and
// the exact least-squares line and inference of any prefix from them in GMP rationals.
// Nothing here uses streamreg code. Used by the default suite (10⁷ records) and by the opt-in
// long_stream target (10⁹).
#pragma once

#include <gmpxx.h>

#include <cmath>    // std::sqrt
#include <cstdint>  // std::uint64_t, std::int64_t
#include <vector>   // prefixes

namespace streamreg_test {

__extension__ typedef __int128 int128;           // GCC and Clang
__extension__ typedef unsigned __int128 uint128;

inline mpz_class to_mpz(int128 v) {
  const bool negative = v < 0;
  const auto u = negative ? static_cast<uint128>(-(v + 1)) + 1u : static_cast<uint128>(v);
  mpz_class r(static_cast<unsigned long>(static_cast<std::uint64_t>(u >> 64)));
  r <<= 64;
  r += mpz_class(static_cast<unsigned long>(static_cast<std::uint64_t>(u)));
  return negative ? mpz_class(-r) : r;
}

/// The prefixes the long-stream checks look at: 3, 10, 30, 100, ... up to n.
inline std::vector<std::uint64_t> prefixes(std::uint64_t n) {
  std::vector<std::uint64_t> p;
  for (std::uint64_t k = 10; k <= n; k *= 10) {
    p.push_back(k / 10 * 3);
    p.push_back(k);
  }
  return p;
}

/// The stream: x = i (or i mod `period` when period > 0), y = 2x + 1 + k·2^-g with k uniform
/// in [−K, K], K = ⌊0.1·2^g⌋ (U(−0.1, 0.1) on a grid), from a fixed-seed generator.
struct grid_stream {
  int g = 14;
  std::int64_t period = 0;
  std::uint64_t state = 0x9e3779b97f4a7c15ull;
  std::uint64_t i = 0;

  struct record {
    std::int64_t x;
    std::int64_t y_scaled;  ///< y·2^g, an integer
    double y;
  };
  record next() {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    const std::int64_t half = static_cast<std::int64_t>(0.1 * static_cast<double>(1LL << g));
    const auto k = static_cast<std::int64_t>((state >> 33) % static_cast<std::uint64_t>(2 * half + 1)) - half;
    const auto x = static_cast<std::int64_t>(period > 0 ? i % static_cast<std::uint64_t>(period) : i);
    ++i;
    const std::int64_t ys = ((2 * x + 1) << g) + k;
    return {x, ys, std::ldexp(static_cast<double>(ys), -g)};
  }
};

/// Exact running sums of a weighted stream on the grid (weights small integers).
struct exact_sums {
  int g = 14;
  int128 w = 0, sx = 0, sy = 0, sxx = 0, sxy = 0, syy = 0;
  std::uint64_t n = 0;
  void add(std::int64_t x, std::int64_t y_scaled, std::int64_t weight = 1) {
    ++n;
    const int128 X = x, Y = y_scaled, W = weight;
    w += W;
    sx += W * X;
    sy += W * Y;
    sxx += W * X * X;
    sxy += W * X * Y;
    syy += W * Y * Y;
  }
};

/// The exact fit and its (reliability-weighted) inference, as doubles rounded once.
struct exact_line {
  double intercept, slope, residual_sd, se_intercept, se_slope, r_squared;
};

inline exact_line exact_fit(const exact_sums& s) {
  const mpq_class scale = mpq_class(1, 1) / mpq_class(mpz_class(1) << static_cast<unsigned>(s.g));
  const mpq_class W(to_mpz(s.w));
  const mpq_class Sx(to_mpz(s.sx)), Sy = mpq_class(to_mpz(s.sy)) * scale;
  const mpq_class Sxx = mpq_class(to_mpz(s.sxx)) - Sx * Sx / W;
  const mpq_class Sxy = mpq_class(to_mpz(s.sxy)) * scale - Sx * Sy / W;
  const mpq_class Syy = mpq_class(to_mpz(s.syy)) * scale * scale - Sy * Sy / W;
  const mpq_class b = Sxy / Sxx;
  const mpq_class mx = Sx / W;
  const mpq_class a = Sy / W - b * mx;
  const mpq_class sse = Syy - b * Sxy;
  const mpq_class s2 = sse / mpq_class(static_cast<unsigned long>(s.n - 2));
  exact_line e{};
  e.intercept = a.get_d();
  e.slope = b.get_d();
  e.residual_sd = std::sqrt(s2.get_d());
  e.se_slope = std::sqrt(mpq_class(s2 / Sxx).get_d());
  e.se_intercept = std::sqrt(mpq_class(s2 * (1 / W + mx * mx / Sxx)).get_d());
  e.r_squared = mpq_class(Sxy * Sxy / (Sxx * Syy)).get_d();
  return e;
}

}  // namespace streamreg_test

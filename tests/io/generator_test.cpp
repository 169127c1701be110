// SPDX-License-Identifier: MIT
// Tests of io/generator.hpp: splitmix64 against its published reference outputs, the range of
// uniform(), and the reference producer's determinism, shape, options and fitted line.
#include <streamreg/io/generator.hpp>

#include <catch2/catch.hpp>

#include <cstddef>  // std::size_t
#include <cstdint>  // std::uint64_t
#include <utility>  // std::pair
#include <vector>

namespace {

using streamreg::io::generator;
using streamreg::io::splitmix64;

using Catch::Matchers::WithinAbs;

std::vector<std::pair<double, double>> take_all(generator& g) {
  std::vector<std::pair<double, double>> out;
  double x = 0;
  double y = 0;
  while (g.next(x, y)) out.emplace_back(x, y);
  return out;
}

generator::options with_count(std::uint64_t count, std::uint64_t seed = 42) {
  generator::options o;
  o.count = count;
  o.seed = seed;
  return o;
}

// Inverse of the splitmix64 output function, to construct seeds whose first output is chosen:
// z ^= z >> s is undone by iterating, a multiplication by an odd constant by its inverse mod
// 2^64 (Newton's iteration, each step doubling the correct low bits).
constexpr std::uint64_t unxorshift(std::uint64_t y, unsigned s) {
  std::uint64_t x = y;
  for (unsigned i = 0; i < 64 / s + 1; ++i) x = y ^ (x >> s);
  return x;
}
constexpr std::uint64_t inverse_odd(std::uint64_t m) {
  std::uint64_t inv = m;  // correct to 3 bits: m * m == 1 mod 8 for odd m
  for (int i = 0; i < 5; ++i) inv *= 2 - m * inv;
  return inv;
}
/// The seed whose splitmix64 first output is `out`.
constexpr std::uint64_t seed_for_first_output(std::uint64_t out) {
  std::uint64_t z = unxorshift(out, 31);
  z *= inverse_odd(0x94D049BB133111EBull);
  z = unxorshift(z, 27);
  z *= inverse_odd(0xBF58476D1CE4E5B9ull);
  z = unxorshift(z, 30);
  return z - 0x9E3779B97F4A7C15ull;
}

}  // namespace

TEST_CASE("splitmix64: matches the reference outputs for seed 0", "[generator][splitmix64]") {
  // Published reference values of splitmix64.c (Vigna) seeded with 0.
  splitmix64 rng(0);
  CHECK(rng() == 0xe220a8397b1dcdafull);
  CHECK(rng() == 0x6e789e6aa1b965f4ull);
  CHECK(rng() == 0x06c45d188009454full);
}

TEST_CASE("splitmix64: usable in constant expressions", "[generator][splitmix64]") {
  constexpr std::uint64_t first = [] {
    splitmix64 rng(0);
    return rng();
  }();
  STATIC_REQUIRE(first == 0xe220a8397b1dcdafull);
}

TEST_CASE("splitmix64: uniform() stays inside the open interval (0, 1)",
          "[generator][splitmix64][edge]") {
  // The seed construction itself, checked on the reference values.
  STATIC_REQUIRE(seed_for_first_output(0xe220a8397b1dcdafull) == 0);

  SECTION("the smallest output gives the smallest value, 2^-54") {
    const std::uint64_t seed = seed_for_first_output(0);
    REQUIRE(splitmix64(seed)() == 0);
    splitmix64 rng(seed);
    const double u = rng.uniform();
    CHECK(u > 0.0);
    CHECK(u == 0x1p-54);
  }
  SECTION("the largest output stays below 1") {
    const std::uint64_t seed = seed_for_first_output(~std::uint64_t{0});
    REQUIRE(splitmix64(seed)() == ~std::uint64_t{0});
    splitmix64 rng(seed);
    const double u = rng.uniform();
    CHECK(u < 1.0);
    CHECK(u >= 1.0 - 0x1p-53);  // the largest double below 1
  }
}

TEST_CASE("splitmix64: uniform() has mean 1/2 and fills the interval",
          "[generator][splitmix64]") {
  splitmix64 rng(12345);
  long double sum = 0;
  double lo = 1;
  double hi = 0;
  const int n = 100000;
  for (int i = 0; i < n; ++i) {
    const double u = rng.uniform();
    if (!(u > 0.0 && u < 1.0)) FAIL("draw " << i << ": " << u);
    sum += static_cast<long double>(u);
    lo = u < lo ? u : lo;
    hi = u > hi ? u : hi;
  }
  // The mean of n uniforms has standard deviation 1 / sqrt(12 n) ~ 9e-4.
  CHECK_THAT(static_cast<double>(sum / n), WithinAbs(0.5, 0.01));
  CHECK(lo < 0.001);
  CHECK(hi > 0.999);
}

TEST_CASE("generator: deterministic for a seed", "[generator]") {
  generator a(with_count(1000, 7));
  generator b(with_count(1000, 7));
  generator c(with_count(1000, 8));
  const auto ra = take_all(a);
  const auto rb = take_all(b);
  const auto rc = take_all(c);
  REQUIRE(ra.size() == 1000);
  REQUIRE(rc.size() == 1000);
  CHECK(ra == rb);

  std::size_t differ = 0;
  for (std::size_t i = 0; i < ra.size(); ++i) {
    REQUIRE(ra[i].first == rc[i].first);  // same x
    if (ra[i].second != rc[i].second) ++differ;
  }
  CHECK(differ > 990);  // different noise almost everywhere
}

TEST_CASE("generator: the reference stream x = 0, 1, 2, ..., |y - x| < 0.1", "[generator]") {
  generator g(with_count(10000));
  const auto r = take_all(g);
  REQUIRE(r.size() == 10000);
  double lo = 0;
  double hi = 0;
  long double sum = 0;
  for (std::size_t i = 0; i < r.size(); ++i) {
    if (r[i].first != static_cast<double>(i)) FAIL("record " << i << ": x = " << r[i].first);
    const double e = r[i].second - r[i].first;
    if (!(e > -0.1 && e < 0.1)) FAIL("record " << i << ": y - x = " << e);
    lo = e < lo ? e : lo;
    hi = e > hi ? e : hi;
    sum += static_cast<long double>(e);
  }
  // The noise is uniform on the whole of (-0.1, 0.1) with mean 0 (standard deviation of the
  // mean: 0.1 / sqrt(3 n) ~ 6e-4).
  CHECK(lo < -0.099);
  CHECK(hi > 0.099);
  CHECK_THAT(static_cast<double>(sum / 10000), WithinAbs(0.0, 0.005));
}

TEST_CASE("generator: count records, then the end", "[generator]") {
  generator g(with_count(5));
  double x = -1;
  double y = -1;
  for (int i = 0; i < 5; ++i) {
    REQUIRE(g.next(x, y));
    CHECK(x == static_cast<double>(i));
  }
  CHECK(g.produced() == 5);
  CHECK_FALSE(g.next(x, y));
  CHECK_FALSE(g.next(x, y));
  CHECK(g.produced() == 5);
  CHECK(x == 4.0);  // untouched at the end

  generator none(with_count(0));
  CHECK_FALSE(none.next(x, y));
  CHECK(none.produced() == 0);
}

TEST_CASE("generator: the range interface gives the same records as next()", "[generator]") {
  generator g(with_count(100, 3));
  const auto expected = take_all(g);

  std::vector<std::pair<double, double>> got;
  for (auto [x, y] : generator(with_count(100, 3))) got.emplace_back(x, y);
  CHECK(got == expected);

  generator h(with_count(3));
  auto it = h.begin();
  REQUIRE(it != h.end());
  CHECK(it->first == 0.0);
  ++it;
  CHECK((*it).first == 1.0);
  ++it;
  ++it;
  CHECK(it == h.end());

  int n = 0;
  for (const auto& rec : generator(with_count(0))) {
    static_cast<void>(rec);
    ++n;
  }
  CHECK(n == 0);
}

TEST_CASE("generator: options x0, step, slope, intercept, noise", "[generator]") {
  generator::options o;
  o.count = 50;
  o.x0 = 10;
  o.step = 0.5;
  o.intercept = 3;
  o.slope = -2;
  SECTION("without noise the line is exact") {
    o.noise = 0;
    generator g(o);
    CHECK(g.settings().x0 == 10.0);
    const auto r = take_all(g);
    REQUIRE(r.size() == 50);
    for (std::size_t i = 0; i < r.size(); ++i) {
      const double xi = 10.0 + 0.5 * static_cast<double>(i);  // dyadic: exact
      CHECK(r[i].first == xi);
      CHECK(r[i].second == 3.0 - 2.0 * xi);  // -17 - i: exact
    }
  }
  SECTION("noise is the half-width of the uniform error") {
    o.count = 20000;
    o.noise = 0.5;
    generator g(o);
    double lo = 0;
    double hi = 0;
    for (const auto& [x, y] : g) {
      const double e = y - (3.0 - 2.0 * x);
      if (!(e > -0.5 && e < 0.5)) FAIL("x = " << x << ": e = " << e);
      lo = e < lo ? e : lo;
      hi = e > hi ? e : hi;
    }
    CHECK(g.produced() == 20000);
    CHECK(lo < -0.49);
    CHECK(hi > 0.49);
  }
}

TEST_CASE("generator: least squares on 100000 records recovers y = x", "[generator][fit]") {
  for (std::uint64_t seed : {std::uint64_t{42}, std::uint64_t{1}}) {
    CAPTURE(seed);
    generator g(with_count(100000, seed));
    const auto r = take_all(g);
    REQUIRE(r.size() == 100000);

    // Two-pass least squares in long double.
    long double sx = 0;
    long double sy = 0;
    for (const auto& [x, y] : r) {
      sx += static_cast<long double>(x);
      sy += static_cast<long double>(y);
      // The strict bound holds for the whole stream too.
      if (!(y - x > -0.1 && y - x < 0.1)) FAIL("x = " << x << ": y - x = " << y - x);
    }
    const long double n = static_cast<long double>(r.size());
    const long double mx = sx / n;
    const long double my = sy / n;
    long double sxx = 0;
    long double sxy = 0;
    for (const auto& [x, y] : r) {
      const long double dx = static_cast<long double>(x) - mx;
      const long double dy = static_cast<long double>(y) - my;
      sxx += dx * dx;
      sxy += dx * dy;
    }
    const long double slope = sxy / sxx;
    const long double intercept = my - slope * mx;
    CHECK_THAT(static_cast<double>(slope), WithinAbs(1.0, 1e-4));
    CHECK_THAT(static_cast<double>(intercept), WithinAbs(0.0, 1e-2));
  }
}

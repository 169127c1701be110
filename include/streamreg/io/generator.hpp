// SPDX-License-Identifier: MIT
// generator: the reference workflow's producer, y = f(x) + uniform noise, seeded.
#pragma once

#include <cstdint>   // std::uint64_t
#include <iterator>  // std::input_iterator_tag
#include <utility>   // std::pair

namespace streamreg::io {

/// splitmix64 (Steele, Lea and Flood 2014): a tiny, fast, well-mixed 64-bit generator with
/// the same output on every platform (unlike the std distributions).
class splitmix64 {
 public:
  explicit constexpr splitmix64(std::uint64_t seed) noexcept : state_(seed) {}
  constexpr std::uint64_t operator()() noexcept {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  /// Uniform in the open interval (0, 1), 53 random bits.
  constexpr double uniform() noexcept {
    const double u = (static_cast<double>((*this)() >> 11) + 0.5) * (1.0 / 9007199254740992.0);
    // k + 0.5 rounds to an integer for k >= 2^52; for the top k = 2^53 - 1 it rounds up to
    // 2^53, which would give exactly 1. Keep that one draw below 1 (every other draw is
    // unchanged).
    return u < 1.0 ? u : 1.0 - 1.0 / 9007199254740992.0;
  }

 private:
  std::uint64_t state_;
};

/// The reference producer: record i is x = x0 + i * step, y = intercept + slope * x + e with
/// e uniform in (−noise, noise). Defaults give the reference's x = 0, 1, 2, …, y = x + U(−0.1,
/// 0.1). Deterministic for a seed; `count` records (a finite stream).
///
/// Usable as a range of std::pair<double, double>: `for (auto [x, y] : generator{{}})`.
class generator {
 public:
  struct options {
    std::uint64_t count = 1000;
    std::uint64_t seed = 42;
    double x0 = 0.0;
    double step = 1.0;
    double intercept = 0.0;
    double slope = 1.0;
    double noise = 0.1;
  };

  explicit constexpr generator(options o) noexcept : opt_(o), rng_(o.seed) {}

  /// The next record; false when `count` records have been produced.
  constexpr bool next(double& x, double& y) noexcept {
    if (i_ >= opt_.count) return false;
    x = opt_.x0 + static_cast<double>(i_) * opt_.step;
    y = opt_.intercept + opt_.slope * x + opt_.noise * (2.0 * rng_.uniform() - 1.0);
    ++i_;
    return true;
  }

  std::uint64_t produced() const noexcept { return i_; }
  const options& settings() const noexcept { return opt_; }

  class iterator {
   public:
    using iterator_category = std::input_iterator_tag;
    using value_type = std::pair<double, double>;
    using difference_type = std::ptrdiff_t;
    using pointer = const value_type*;
    using reference = const value_type&;

    iterator() = default;
    explicit iterator(generator* g) : g_(g) { ++*this; }
    reference operator*() const noexcept { return v_; }
    pointer operator->() const noexcept { return &v_; }
    iterator& operator++() noexcept {
      if (g_ && !g_->next(v_.first, v_.second)) g_ = nullptr;
      return *this;
    }
    friend bool operator==(const iterator& a, const iterator& b) noexcept { return a.g_ == b.g_; }
    friend bool operator!=(const iterator& a, const iterator& b) noexcept { return !(a == b); }

   private:
    generator* g_ = nullptr;
    value_type v_{};
  };

  iterator begin() { return iterator(this); }
  iterator end() { return iterator(); }

 private:
  options opt_;
  splitmix64 rng_;
  std::uint64_t i_ = 0;
};

}  // namespace streamreg::io

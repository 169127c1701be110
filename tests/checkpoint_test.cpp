// SPDX-License-Identifier: MIT
// Checkpoints: save_checkpoint → restore_checkpoint round-trips bit for bit for every state,
// window, forgetting state and the regressor (a restored copy then continues identically);
// special values survive; every corruption (truncation, any single flipped bit, another
// version or type, another window size, garbage, a well-signed but malformed body) is a
// checkpoint_error with a clear message that leaves the target unchanged.
#include <streamreg/checkpoint.hpp>
#include <streamreg/forgetting.hpp>
#include <streamreg/moments.hpp>
#include <streamreg/regressor.hpp>
#include <streamreg/sink.hpp>
#include <streamreg/solve.hpp>
#include <streamreg/sums.hpp>
#include <streamreg/window.hpp>

#include <catch2/catch.hpp>

#include <cmath>        // std::signbit, std::isinf
#include <cstddef>      // std::size_t
#include <cstdint>      // std::uint64_t
#include <cstring>      // std::memcmp
#include <exception>    // std::exception
#include <limits>       // std::numeric_limits
#include <string>       // std::string
#include <string_view>  // std::string_view
#include <type_traits>  // std::is_same_v
#include <vector>       // std::vector

#include "support/oracle.hpp"

namespace {

using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;
using streamreg::checkpoint_error;
using streamreg::count_window;
using streamreg::fit_status;
using streamreg::forgetting;
using streamreg::moments;
using streamreg::neumaier_sum;
using streamreg::raw_sums;
using streamreg::restore_checkpoint;
using streamreg::save_checkpoint;
using streamreg::solve;
using streamreg::time_window;
using streamreg_test::splitmix64;

using regressor_type = streamreg::regressor<moments<double>, streamreg::collector<double>>;

/// Equal values with equal signs (so −0 differs from +0): for the finite and infinite values
/// a state holds, the same bits. (Not memcmp: long double has padding bytes.)
template <class T>
bool same(const T& a, const T& b) {
  if constexpr (std::is_floating_point_v<T>) {
    return a == b && std::signbit(a) == std::signbit(b);
  } else {
    return a == b;
  }
}

/// The same status, count and, for ok fits, the same coefficient bits.
template <class Fit>
bool same_fit(const Fit& a, const Fit& b) {
  return a.status == b.status && a.n == b.n &&
         (a.status != fit_status::ok || (same(a.slope, b.slope) && same(a.intercept, b.intercept)));
}

/// FNV-1a, 64 bits, written here from its definition (offset basis 14695981039346656037,
/// prime 1099511628211), to sign hand-made checkpoint bodies.
std::uint64_t fnv1a(std::string_view s) {
  std::uint64_t h = 14695981039346656037ull;
  for (const char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ull;
  }
  return h;
}

/// Appends a valid checksum line to `text` (a header and a body).
std::string sign(const std::string& text) {
  static const char digits[] = "0123456789abcdef";
  std::string line = "checksum ";
  const std::uint64_t h = fnv1a(text);
  for (int shift = 60; shift >= 0; shift -= 4) line += digits[(h >> shift) & 0xF];
  return text + line + "\n";
}

/// `text` without its checksum line.
std::string unsigned_part(const std::string& text) {
  return text.substr(0, text.rfind("checksum "));
}

/// A state's value for "unchanged" checks: operator== where it exists, always the checkpoint
/// text (which holds every bit).
template <class S>
bool same_state(const S& a, const S& b) {
  if constexpr (std::is_same_v<S, regressor_type>) {
    return a.accepted() == b.accepted() && a.rejected() == b.rejected() && a.state() == b.state() &&
           save_checkpoint(a) == save_checkpoint(b);
  } else {
    return a == b && save_checkpoint(a) == save_checkpoint(b);
  }
}

/// Restores `text` into `target`, which must throw checkpoint_error and leave `target`
/// unchanged; returns the message ("" if nothing was thrown).
template <class S>
std::string restore_error(std::string_view text, S& target) {
  const S before = target;
  try {
    restore_checkpoint(text, target);
  } catch (const checkpoint_error& e) {
    CHECK(same_state(target, before));
    CHECK_THAT(std::string(e.what()), StartsWith("checkpoint: "));
    return e.what();
  } catch (const std::exception& e) {
    FAIL_CHECK("not a checkpoint_error: " << e.what());
    return e.what();
  }
  return "";
}

/// Offset records generated on the fly, as pairs (x, y) near (1.7e9, 3e8), or near (1.7e4, 3e3)
/// for float.
template <class T>
struct feed {
  splitmix64 rng;
  std::uint64_t k = 0;
  explicit feed(std::uint64_t seed) : rng(seed) {}
  streamreg_test::basic_point<T> next() {
    const double offset = std::is_same_v<T, float> ? 1.7e4 : 1.7e9;
    const double x = offset + 0.37 * static_cast<double>(k++) + rng.uniform(-0.1, 0.1);
    const double y = offset / 5.0 + 2.5 * (x - offset) + rng.normal();
    return {static_cast<T>(x), static_cast<T>(y)};
  }
};

/// Round trip of `original` through a checkpoint into `target` (same configuration, other
/// content), then `steps` more identical updates of both (push(x, y) or push_at(t, x, y)),
/// which must keep them identical.
template <class S, class Update>
void check_round_trip(const S& original, S target, Update update, int steps = 60) {
  const std::string text = save_checkpoint(original);
  INFO(text);
  CHECK_THAT(text, StartsWith("streamreg-checkpoint 1 " + S::checkpoint_type() + "\n"));
  restore_checkpoint(text, target);
  CHECK(same_state(target, original));
  CHECK(save_checkpoint(target) == text);  // every bit, signs of zeros included
  S continued = original;
  for (int i = 0; i < steps; ++i) {
    update(continued, i);
    update(target, i);
    REQUIRE(same_state(target, continued));
    if constexpr (std::is_same_v<S, regressor_type>) {
      REQUIRE(same_fit(target.fit(), continued.fit()));
    } else {
      REQUIRE(same_fit(solve(target), solve(continued)));
    }
  }
}

/// Every truncation of a checkpoint and every single flipped bit is refused (target
/// unchanged) — or, should a flip ever go unseen, restores the very same state. Returns the
/// number of such flips.
template <class S>
std::size_t check_corruptions(const S& original, const S& other) {
  const std::string text = save_checkpoint(original);
  S target = other;
  for (std::size_t cut = 0; cut < text.size(); ++cut) {
    INFO("cut after " << cut << " of " << text.size() << " characters");
    CHECK_FALSE(restore_error(std::string_view(text).substr(0, cut), target).empty());
  }
  std::size_t harmless = 0;
  for (std::size_t i = 0; i < text.size(); ++i) {
    for (unsigned bit = 0; bit < 8; ++bit) {
      std::string flipped = text;
      flipped[i] = static_cast<char>(static_cast<unsigned char>(flipped[i]) ^ (1u << bit));
      const S before = target;
      try {
        restore_checkpoint(flipped, target);
      } catch (const checkpoint_error&) {
        if (!same_state(target, before))
          FAIL_CHECK("byte " << i << " bit " << bit << ": target changed");
        continue;
      }
      // Restored without complaint: only acceptable if nothing changed in what was restored.
      INFO("byte " << i << " ('" << text[i] << "') bit " << bit << " restored without error");
      REQUIRE(same_state(target, original));
      ++harmless;
      target = other;
    }
  }
  return harmless;
}

template <class T>
moments<T> moments_with(std::size_t n, std::uint64_t seed) {
  moments<T> m;
  feed<T> f(seed);
  for (std::size_t i = 0; i < n; ++i) {
    const auto p = f.next();
    m.push(p.x, p.y);
  }
  return m;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Round trips
// ---------------------------------------------------------------------------------------------

TEMPLATE_TEST_CASE("checkpoint: moments round-trip bit for bit", "[checkpoint][moments]", float,
                   double, long double) {
  // Both copies must see the same records: draw each record once, push it into both.
  const auto check = [](const moments<TestType>& original) {
    std::vector<streamreg_test::basic_point<TestType>> records;
    feed<TestType> f(603);
    for (int i = 0; i < 60; ++i) records.push_back(f.next());
    check_round_trip(original, moments_with<TestType>(3, 604),
                     [&records](moments<TestType>& m, int i) {
                       const auto& p = records[static_cast<std::size_t>(i)];
                       m.push(p.x, p.y, i % 7 == 0 ? TestType(2.5) : TestType(1));
                     });
  };
  SECTION("empty") { check(moments<TestType>{}); }
  SECTION("one record") { check(moments_with<TestType>(1, 601)); }
  SECTION("1000 records") { check(moments_with<TestType>(1000, 601)); }
  SECTION("weighted, popped and merged") {
    auto m = moments_with<TestType>(500, 605);
    m.push(TestType(17000), TestType(3), TestType(0.125));
    m.pop(TestType(17000), TestType(3), TestType(0.125));
    m.merge(moments_with<TestType>(100, 606));
    check(m);
  }
}

TEST_CASE("checkpoint: raw_sums, windows, forgetting and regressor round-trip bit for bit",
          "[checkpoint]") {
  // The records pushed after the restore, the same for both copies.
  std::vector<streamreg_test::point> records;
  std::vector<double> times;
  {
    feed<double> f(611);
    double t = 1.7e9;
    for (int i = 0; i < 200; ++i) {
      records.push_back(f.next());
      t += 0.25 * static_cast<double>(i % 5);  // equal times included
      times.push_back(t);
    }
  }
  const auto push = [&records](auto& s, int i) {
    const auto& p = records[static_cast<std::size_t>(i)];
    s.push(p.x, p.y);
  };
  const auto push_at = [&records, &times](auto& s, int i) {
    const auto& p = records[static_cast<std::size_t>(i) + 100];
    s.push_at(times[static_cast<std::size_t>(i) + 100], p.x, p.y);
  };
  const auto fill = [&records](auto s, std::size_t n) {
    for (std::size_t i = 0; i < n; ++i) s.push(records[i].y, records[i].x);
    return s;
  };

  SECTION("raw_sums<double>") {
    check_round_trip(fill(raw_sums<double>{}, 80), fill(raw_sums<double>{}, 3), push);
  }
  SECTION("raw_sums<double, neumaier_sum>") {
    check_round_trip(fill(raw_sums<double, neumaier_sum>{}, 80),
                     fill(raw_sums<double, neumaier_sum>{}, 3), push);
  }
  SECTION("raw_sums<long long>") {
    raw_sums<long long> a, b;
    for (long long i = 0; i < 50; ++i) a.push(i * 7 - 100, 3 * i + (i % 5), 1 + i % 3);
    b.push(1, 2);
    check_round_trip(a, b, [](raw_sums<long long>& s, int i) {
      s.push(static_cast<long long>(i) - 30, 2 * static_cast<long long>(i));
    });
  }
  SECTION("count_window<moments<double>>") {
    // Full and slid (with rebuilds since), partially filled, and empty; the continuation
    // crosses rebuilds, so the restored eviction counter must be the saved one.
    for (const std::size_t n :
         {std::size_t(0), std::size_t(5), std::size_t(16), std::size_t(103)}) {
      INFO(n << " records pushed");
      check_round_trip(fill(count_window<moments<double>>(16), n),
                       fill(count_window<moments<double>>(16), 2), push);
    }
    // Another rebuild period is restored too.
    check_round_trip(fill(count_window<moments<double>>(16, 5), 40),
                     count_window<moments<double>>(16), push);
  }
  SECTION("time_window<moments<double>>") {
    time_window<moments<double>> a(5.0), b(5.0);
    for (std::size_t i = 0; i < 100; ++i) a.push_at(times[i], records[i].x, records[i].y);
    b.push_at(0.0, 1.0, 1.0);
    check_round_trip(a, b, push_at, 100);
    // The restored window refuses what the original refuses.
    auto c = time_window<moments<double>>(5.0);
    restore_checkpoint(save_checkpoint(a), c);
    CHECK_FALSE(c.accepts_time(times[99] - 0.25));
    CHECK(c.accepts_time(times[99]));
  }
  SECTION("forgetting<double>, per record") {
    check_round_trip(fill(forgetting<double>::half_life(30.0), 90),
                     fill(forgetting<double>::half_life(30.0), 4), push);
  }
  SECTION("forgetting<double>, in event time") {
    auto a = forgetting<double>::half_life_time(7.5);
    auto b = forgetting<double>::half_life_time(7.5);
    for (std::size_t i = 0; i < 100; ++i) a.push_at(times[i], records[i].x, records[i].y);
    check_round_trip(a, b, push_at, 100);
    auto c = forgetting<double>::half_life_time(7.5);
    restore_checkpoint(save_checkpoint(a), c);
    CHECK(c.last_time() == times[99]);
    CHECK_FALSE(c.push_at(times[99] - 0.25, 1.0, 1.0));  // late
  }
  SECTION("regressor<moments<double>>: state, counters and emission phase") {
    regressor_type a;
    a.emit_every(3);
    for (std::size_t i = 0; i < 50; ++i) a.push(records[i].x, records[i].y);
    a.push(std::numeric_limits<double>::quiet_NaN(), 1.0);  // rejected
    a.pop(1e12, 0.0);                                       // refused: rejected
    a.pop(records[3].x, records[3].y);                      // accepted
    REQUIRE(a.rejected() == 2);
    REQUIRE(a.accepted() == 51);
    regressor_type b;
    b.push(1.0, 2.0);
    const std::string text = save_checkpoint(a);
    restore_checkpoint(text, b);
    CHECK(b.accepted() == 51);
    CHECK(b.rejected() == 2);
    CHECK(b.state() == a.state());
    CHECK(save_checkpoint(b) == text);
    // The sinks are not saved: compare what each emits from now on.
    const std::size_t a_before = a.sink().size();
    const std::size_t b_before = b.sink().size();
    for (std::size_t i = 50; i < 80; ++i) {
      a.push(records[i].x, records[i].y);
      b.push(records[i].x, records[i].y);
    }
    a.push(-std::numeric_limits<double>::infinity(), 0.0);
    b.push(-std::numeric_limits<double>::infinity(), 0.0);
    CHECK(b.rejected() == a.rejected());
    REQUIRE(a.sink().size() - a_before == 10);  // every 3rd of 30, in the saved phase
    REQUIRE(b.sink().size() - b_before == 10);
    for (std::size_t i = 0; i < 10; ++i) {
      const auto& ea = a.sink()[a_before + i];
      const auto& eb = b.sink()[b_before + i];
      CHECK(ea.at.index == eb.at.index);
      CHECK(ea.at.time == eb.at.time);
      CHECK(same_fit(ea.fit, eb.fit));
    }
    check_round_trip(a, b, push, 30);
  }
}

TEST_CASE("checkpoint: a regressor with a capturing lambda sink restores in place",
          "[checkpoint][regressor]") {
  // README's pattern: the sink is a lambda capturing its output by reference. Closures are
  // not assignable, so the restored regressor takes the saved parts and keeps its own sink.
  using fit = streamreg::line_fit<double>;
  const auto make = [](std::vector<fit>& out) {
    return streamreg::make_regressor_for(
        count_window<moments<double>>(32),
        [&out](const fit& f, const streamreg::event&) { out.push_back(f); });
  };
  feed<double> f(907);
  std::vector<streamreg_test::point> records;
  for (int i = 0; i < 120; ++i) records.push_back(f.next());
  std::vector<fit> first, second;
  auto a = make(first);
  for (int i = 0; i < 70; ++i) a.push(records[static_cast<std::size_t>(i)].x, records[static_cast<std::size_t>(i)].y);
  const std::string text = streamreg::save_checkpoint(a);
  auto b = make(second);
  b.push(1.0, 2.0);  // state to be replaced
  streamreg::restore_checkpoint(text, b);
  CHECK(streamreg::save_checkpoint(b) == text);
  second.clear();
  const std::size_t before = first.size();
  for (int i = 70; i < 120; ++i) {
    const auto& p = records[static_cast<std::size_t>(i)];
    a.push(p.x, p.y);
    b.push(p.x, p.y);
  }
  // b's sink wrote to `second` (its own), every fit equal bit for bit to a's continuation.
  REQUIRE(second.size() == 50);
  REQUIRE(first.size() == before + 50);
  for (std::size_t i = 0; i < 50; ++i) {
    CHECK(std::memcmp(&second[i].slope, &first[before + i].slope, sizeof(double)) == 0);
    CHECK(std::memcmp(&second[i].intercept, &first[before + i].intercept, sizeof(double)) == 0);
    CHECK(second[i].n == first[before + i].n);
  }
  CHECK(streamreg::save_checkpoint(a) == streamreg::save_checkpoint(b));
}

TEST_CASE("checkpoint: special values survive", "[checkpoint][edge]") {
  constexpr double dmax = std::numeric_limits<double>::max();
  constexpr double tiny = std::numeric_limits<double>::denorm_min();
  const auto round_trip = [](const auto& s) {
    auto copy = std::decay_t<decltype(s)>{};
    restore_checkpoint(save_checkpoint(s), copy);
    CHECK(save_checkpoint(copy) == save_checkpoint(s));
    return copy;
  };
  SECTION("negative zero") {
    moments<double> m;
    m.push(-0.0, -0.0);
    const auto r = round_trip(m);
    CHECK(std::signbit(r.shift_x()));
    CHECK(std::signbit(r.shift_y()));
    CHECK(r == m);
    // A window keeps its records as they came.
    count_window<moments<double>> w(3), into(3);
    w.push(-0.0, 1.0);
    w.push(1.0, -0.0);
    restore_checkpoint(save_checkpoint(w), into);
    CHECK(std::signbit(into[0].x));
    CHECK(std::signbit(into[1].y));
    CHECK(into == w);
  }
  SECTION("subnormals") {
    moments<double> m;
    m.push(tiny, 3 * tiny);
    m.push(5e-310, -2e-310);
    m.push(-1e-320, 7e-321);
    const auto r = round_trip(m);
    CHECK(r == m);
    CHECK(same(r.shift_x(), tiny));
    CHECK(same(r.mean_dx(), m.mean_dx()));
    CHECK(r.mean_dx() != 0.0);
    moments<float> f;
    f.push(std::numeric_limits<float>::denorm_min(), 1e-40f);
    CHECK(same(round_trip(f).shift_y(), double(1e-40f)));  // float states hold doubles
    moments<long double> l;
    l.push(std::numeric_limits<long double>::denorm_min(), -1e-4940L);
    const auto rl = round_trip(l);
    CHECK(same(rl.shift_x(), std::numeric_limits<long double>::denorm_min()));
    CHECK(same(rl.shift_y(), -1e-4940L));
  }
  SECTION("huge values and infinities") {
    moments<double> m;
    m.push(dmax, -dmax);
    CHECK(same(round_trip(m).shift_x(), dmax));
    CHECK(same(round_trip(m).shift_y(), -dmax));
    // Sums that overflowed (Σx² = inf, Σxy = −inf) are not restored: every restored value
    // must be finite, and the refusal names the field.
    raw_sums<double> s;
    s.push(1e200, -1e200);
    s.push(3e200, 2.0);
    raw_sums<double> into;
    CHECK_THAT(restore_error(save_checkpoint(s), into), Contains("must be finite"));
    CHECK(into == raw_sums<double>{});
    moments<long double> l;
    l.push(std::numeric_limits<long double>::max(), std::numeric_limits<long double>::lowest());
    CHECK(same(round_trip(l).shift_x(), std::numeric_limits<long double>::max()));
  }
  SECTION("integer sums near the 64-bit limit") {
    // 3037000499² = 9223372030926249001, just below 2^63 − 1.
    constexpr long long big = 3037000499;
    raw_sums<long long> s;
    s.push(big, -big);
    const auto r = round_trip(s);
    CHECK(r.sum_xx() == 9223372030926249001);
    CHECK(r.sum_xy() == -9223372030926249001);
    CHECK(r == s);
  }
}

TEST_CASE("checkpoint: saving reads a const object and never writes it", "[checkpoint]") {
  // A const state with constant initialisation may live in read-only memory.
  static const moments<double> frozen{};
  static const raw_sums<double> frozen_sums{};
  CHECK_THAT(save_checkpoint(frozen), StartsWith("streamreg-checkpoint 1 moments<double>\n"));
  CHECK_THAT(save_checkpoint(frozen_sums), StartsWith("streamreg-checkpoint 1 raw_sums<"));
}

// ---------------------------------------------------------------------------------------------
// Errors
// ---------------------------------------------------------------------------------------------

TEST_CASE("checkpoint: truncations and flipped bits are refused, the target unchanged",
          "[checkpoint][errors]") {
  std::size_t harmless = 0;
  SECTION("moments<double>") {
    harmless = check_corruptions(moments_with<double>(100, 621), moments_with<double>(5, 622));
  }
  SECTION("moments<long double>") {
    harmless =
        check_corruptions(moments_with<long double>(100, 621), moments_with<long double>(5, 622));
  }
  SECTION("raw_sums<long long>") {
    raw_sums<long long> a, b;
    for (long long i = 0; i < 30; ++i) a.push(i * i - 40, 5 - i, 1 + i % 4);
    b.push(9, 9);
    harmless = check_corruptions(a, b);
  }
  SECTION("count_window<moments<double>>") {
    count_window<moments<double>> a(4), b(4);
    feed<double> f(623);
    for (int i = 0; i < 11; ++i) {
      const auto p = f.next();
      a.push(p.x, p.y, 1.0 + i % 3);
    }
    b.push(1.0, 2.0);
    harmless = check_corruptions(a, b);
  }
  SECTION("forgetting<double>") {
    auto a = forgetting<double>::half_life_time(3.0);
    auto b = forgetting<double>::half_life_time(3.0);
    a.push_at(10.0, 1.0, 2.0);
    a.push_at(12.5, 2.0, 2.5);
    a.push_at(13.0, 4.0, 3.0);
    b.push_at(1.0, 1.0, 1.0);
    harmless = check_corruptions(a, b);
  }
  SECTION("regressor<moments<double>>") {
    regressor_type a, b;
    for (int i = 0; i < 20; ++i) a.push(i, i * i);
    a.push(std::numeric_limits<double>::quiet_NaN(), 0.0);
    b.push(3.0, 4.0);
    harmless = check_corruptions(a, b);
  }
  // The checksum line is compared as text, so not even a change of a hex digit's case
  // (a-f ↔ A-F, bit 5) goes through: every flip is refused.
  INFO(harmless << " flips restored the same state");
  CHECK(harmless == 0);
}

TEST_CASE("checkpoint: another version is refused with both version numbers",
          "[checkpoint][errors]") {
  const auto m = moments_with<double>(10, 631);
  const std::string text = save_checkpoint(m);
  const std::string prefix = "streamreg-checkpoint 1 ";
  REQUIRE(text.rfind(prefix, 0) == 0);
  auto target = moments_with<double>(2, 632);
  for (const std::string version : {"2", "0", "11", "01", "x", ""}) {
    INFO("version '" << version << "'");
    // Signed anew, so that only the version is wrong.
    const std::string other =
        sign(unsigned_part("streamreg-checkpoint " + version + text.substr(prefix.size() - 1)));
    const std::string e = restore_error(other, target);
    CHECK_THAT(e, Contains("version"));
    if (!version.empty()) CHECK_THAT(e, Contains(version));
  }
  CHECK_THAT(
      restore_error(sign(unsigned_part("streamreg-checkpoint 2" + text.substr(prefix.size() - 1))),
                    target),
      Contains("version 2") && Contains("version 1"));
}

TEST_CASE("checkpoint: another type is refused, naming both types", "[checkpoint][errors]") {
  const auto m = moments_with<double>(10, 641);
  SECTION("moments<double> into raw_sums<double>") {
    raw_sums<double> target;
    target.push(1.0, 2.0);
    const std::string e = restore_error(save_checkpoint(m), target);
    CHECK_THAT(e, Contains("'moments<double>'") && Contains("'raw_sums<double,plain_sum>'"));
  }
  SECTION("moments<double> into moments<float> and moments<long double>") {
    moments<float> f;
    CHECK_THAT(restore_error(save_checkpoint(m), f), Contains("moments<float>"));
    moments<long double> l;
    CHECK_THAT(restore_error(save_checkpoint(m), l), Contains("moments<long double>"));
  }
  SECTION("raw_sums<double> into raw_sums<double, neumaier_sum> and raw_sums<long long>") {
    raw_sums<double> s;
    s.push(1.0, 2.0);
    raw_sums<double, neumaier_sum> n;
    CHECK_THAT(restore_error(save_checkpoint(s), n), Contains("neumaier_sum"));
    raw_sums<long long> i;
    CHECK_FALSE(restore_error(save_checkpoint(s), i).empty());
  }
  SECTION("windows, forgetting and regressor into one another and into their state") {
    count_window<moments<double>> cw(8);
    cw.push(1.0, 2.0);
    time_window<moments<double>> tw(8.0);
    auto fg = forgetting<double>::half_life(8.0);
    regressor_type rg;
    moments<double> plain;
    CHECK_THAT(restore_error(save_checkpoint(cw), tw), Contains("count_window<moments<double>>"));
    CHECK_THAT(restore_error(save_checkpoint(tw), cw), Contains("time_window<moments<double>>"));
    CHECK_THAT(restore_error(save_checkpoint(cw), plain), Contains("count_window"));
    CHECK_THAT(restore_error(save_checkpoint(fg), plain), Contains("forgetting<double>"));
    CHECK_THAT(restore_error(save_checkpoint(rg), plain), Contains("regressor<moments<double>>"));
    CHECK_THAT(restore_error(save_checkpoint(plain), rg), Contains("regressor<moments<double>>"));
  }
}

TEST_CASE("checkpoint: a window of another size or span is refused", "[checkpoint][errors]") {
  count_window<moments<double>> a(16);
  for (int i = 0; i < 20; ++i) a.push(i, 2 * i);
  for (const std::size_t n :
       {std::size_t(1), std::size_t(15), std::size_t(17), std::size_t(1000)}) {
    INFO("into a window of " << n);
    count_window<moments<double>> b(n);
    b.push(1.0, 1.0);
    CHECK_THAT(restore_error(save_checkpoint(a), b), Contains("window size"));
  }
  time_window<moments<double>> t(5.0);
  t.push_at(1.0, 1.0, 1.0);
  time_window<moments<double>> u(5.5);
  CHECK_THAT(restore_error(save_checkpoint(t), u), Contains("span"));
}

TEST_CASE("checkpoint: garbage is refused", "[checkpoint][errors]") {
  auto target = moments_with<double>(3, 651);
  const std::string good = save_checkpoint(moments_with<double>(20, 652));
  std::string random_bytes;
  splitmix64 rng(653);
  for (int i = 0; i < 300; ++i) random_bytes += static_cast<char>(rng.index(256));
  for (const std::string& text :
       {std::string(), std::string("garbage"), std::string("streamreg-checkpoint"),
        std::string("streamreg-checkpoint 1 moments<double>"),
        std::string("streamreg-checkpoint 1 moments<double>\n"),
        std::string("streamreg-checkpoint 1 moments<double>\nchecksum 0000000000000000\n"),
        std::string("\n\n\n"), random_bytes, good + good, good + "\n", " " + good,
        std::string(good.size(), 'x')}) {
    INFO("text: '" << text << "'");
    CHECK_FALSE(restore_error(text, target).empty());
  }
  CHECK_THAT(restore_error("garbage", target), Contains("not a streamreg checkpoint"));
  CHECK_THAT(restore_error(good.substr(0, good.size() - 5), target), Contains("checksum"));
}

TEST_CASE("checkpoint: a correctly signed but malformed body is refused, naming the field",
          "[checkpoint][errors]") {
  const auto m = moments_with<double>(20, 661);
  const std::string body = unsigned_part(save_checkpoint(m));
  auto target = moments_with<double>(3, 662);
  // The signature itself is right: the unmodified body, signed here, restores.
  {
    auto copy = target;
    restore_checkpoint(sign(body), copy);
    CHECK(copy == m);
  }
  const auto replace_line = [&body](const std::string& name, const std::string& line) {
    const std::size_t at = body.find("\n" + name + " ") + 1;
    const std::size_t end = body.find('\n', at);
    return sign(body.substr(0, at) + line + body.substr(end));
  };
  CHECK_THAT(restore_error(replace_line("sxx", "sxx zzz"), target),
             Contains("bad value") && Contains("'sxx'"));
  CHECK_THAT(restore_error(replace_line("sxx", "sxx 1p+0x"), target), Contains("'sxx'"));
  CHECK_THAT(restore_error(replace_line("sxx", "sxx "), target), Contains("'sxx'"));
  CHECK_THAT(restore_error(replace_line("n", "n -1"), target), Contains("'n'"));
  CHECK_THAT(restore_error(replace_line("n", "n 99999999999999999999999"), target),
             Contains("'n'"));
  CHECK_THAT(restore_error(replace_line("mx", "my 1p+0"), target), Contains("expected field 'mx'"));
  CHECK_THAT(restore_error(sign(body + "extra 1\n"), target), Contains("unexpected fields"));
  CHECK_THAT(restore_error(sign(body.substr(0, body.find("\npeak_sse ") + 1)), target),
             Contains("'peak_sse'"));  // the last field missing
  // Restored values are validated: a negative residual sum, a zero weight sum.
  CHECK_THAT(restore_error(replace_line("sse", "sse -1p+0"), target), Contains("'sse'"));
  CHECK_THAT(restore_error(replace_line("w", "w 0p+0"), target), Contains("'w'"));
  SECTION("a count window with more records than it holds") {
    count_window<moments<double>> w(2), into(2);
    w.push(1.0, 1.0);
    w.push(2.0, 3.0);
    std::string text = unsigned_part(save_checkpoint(w));
    const std::size_t at = text.find("\nrecords 2\n");
    REQUIRE(at != std::string::npos);
    text.replace(at, 11, "\nrecords 3\n");
    CHECK_THAT(restore_error(sign(text), into), Contains("more records than the window holds"));
  }
  SECTION("a flag that is neither 0 nor 1") {
    auto f = forgetting<double>::half_life(4.0);
    f.push(1.0, 1.0);
    std::string text = unsigned_part(save_checkpoint(f));
    const std::size_t at = text.find("\nby_time 0\n");
    REQUIRE(at != std::string::npos);
    text.replace(at, 11, "\nby_time 2\n");
    auto into = forgetting<double>::half_life(4.0);
    CHECK_THAT(restore_error(sign(text), into), Contains("'by_time'"));
  }
}

// SPDX-License-Identifier: MIT
// Property tests with fixed seeds: push/pop inverses, merge associativity and commutativity,
// bit-exact checkpoint round trips for every state type, windows equal to batch fits,
// regressor output independent of emission thinning, float/double/long double agreement.
// Reference values come from the exact rational oracle (tests/support/oracle.hpp).
#include <catch2/catch.hpp>

#include <streamreg/checkpoint.hpp>
#include <streamreg/forgetting.hpp>
#include <streamreg/streamreg.hpp>
#include <streamreg/sums.hpp>
#include <streamreg/window.hpp>

#include "support/oracle.hpp"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <limits>
#include <utility>
#include <string>
#include <vector>

namespace {

using streamreg_test::exact_fit;
using streamreg_test::point;
using streamreg_test::rel_error;
using streamreg_test::splitmix64;

constexpr std::uint64_t seeds[] = {1, 7, 42, 20260101};

/// The state's means and co-moments agree with the exact batch fit of `data` within `tol`
/// (relative; sums of squares relative to the larger of Sxx and Syy for Sxy).
template <class State>
void check_against_exact(const State& s, const std::vector<point>& data, double tol) {
  const auto e = exact_fit(data);
  REQUIRE(s.count() == data.size());
  CHECK(rel_error(static_cast<double>(s.shift_x() + s.mean_dx()), e.mean_x) <= tol);
  CHECK(rel_error(static_cast<double>(s.shift_y() + s.mean_dy()), e.mean_y) <= tol);
  CHECK(rel_error(static_cast<double>(s.sxx()), e.sxx) <= tol);
  CHECK(rel_error(static_cast<double>(s.syy()), e.syy) <= tol);
  const mpq_class scale = e.sxx > e.syy ? e.sxx : e.syy;
  const mpq_class d = abs(streamreg_test::to_mpq(static_cast<double>(s.sxy())) - e.sxy);
  if (sgn(scale) == 0) {
    CHECK(sgn(d) == 0);
  } else {
    CHECK(mpq_class(d / scale).get_d() <= tol);
  }
}

bool close(double a, double b, double tol) {
  return std::abs(a - b) <= tol * std::max(std::abs(a), std::abs(b));
}

/// Two states agree field by field within `tol` relative.
template <class A, class B>
void check_close(const A& a, const B& b, double tol) {
  CHECK(a.count() == b.count());
  CHECK(close(a.weight_sum(), b.weight_sum(), tol));
  CHECK(close(a.shift_x() + a.mean_dx(), b.shift_x() + b.mean_dx(), tol));
  CHECK(close(a.shift_y() + a.mean_dy(), b.shift_y() + b.mean_dy(), tol));
  CHECK(close(a.sxx(), b.sxx(), tol));
  CHECK(close(a.syy(), b.syy(), tol));
  CHECK(std::abs(a.sxy() - b.sxy()) <= tol * std::max(a.sxx(), a.syy()));
}

}  // namespace

TEST_CASE("properties: push then pop returns to the state without the records", "[properties]") {
  for (std::uint64_t seed : seeds) {
    INFO("seed " << seed);
    const auto data = streamreg_test::linear_data(seed, 60, -5, 20, 3, -0.5, 1.0);
    const std::vector<point> head(data.begin(), data.begin() + 40);
    streamreg::moments<double> m;
    for (const auto& p : data) REQUIRE(m.push(p.x, p.y));
    for (std::size_t i = data.size(); i-- > head.size();) REQUIRE(m.pop(data[i].x, data[i].y));
    check_against_exact(m, head, 1e-12);
    // Weighted records popped with their weights.
    splitmix64 rng(seed);
    std::vector<double> w;
    for (std::size_t i = head.size(); i < data.size(); ++i) {
      w.push_back(rng.uniform(0.1, 3.0));
      REQUIRE(m.push(data[i].x, data[i].y, w.back()));
    }
    for (std::size_t i = data.size(); i-- > head.size();)
      REQUIRE(m.pop(data[i].x, data[i].y, w[i - head.size()]));
    check_against_exact(m, head, 1e-12);
    // Down to nothing: exactly empty.
    for (std::size_t i = head.size(); i-- > 0;) REQUIRE(m.pop(head[i].x, head[i].y));
    CHECK(m == streamreg::moments<double>{});
    CHECK(m.count() == 0);
    CHECK(m.weight_sum() == 0);
    CHECK_FALSE(m.pop(1, 2));  // nothing left to retract
  }
}

TEST_CASE("properties: merge is associative and commutative", "[properties]") {
  for (std::uint64_t seed : seeds) {
    INFO("seed " << seed);
    const auto data = streamreg_test::linear_data(seed, 90, 0, 10, 1, 2, 0.5);
    streamreg::moments<double> a, b, c;
    for (std::size_t i = 0; i < 30; ++i) a.push(data[i].x, data[i].y);
    for (std::size_t i = 30; i < 55; ++i) b.push(data[i].x, data[i].y);
    for (std::size_t i = 55; i < 90; ++i) c.push(data[i].x, data[i].y);
    auto ab_c = a;
    ab_c.merge(b).merge(c);
    auto bc = b;
    bc.merge(c);
    auto a_bc = a;
    a_bc.merge(bc);
    auto c_b_a = c;
    c_b_a.merge(b).merge(a);
    auto ba = b;
    ba.merge(a);
    auto ab = a;
    ab.merge(b);
    check_close(ab_c, a_bc, 1e-15);
    check_close(ab_c, c_b_a, 1e-15);
    check_close(ab, ba, 1e-15);
    check_against_exact(ab_c, data, 1e-14);
    // The empty state is the identity, bit for bit.
    auto e = streamreg::moments<double>{};
    e.merge(a);
    CHECK(e == a);
    auto a2 = a;
    a2.merge(streamreg::moments<double>{});
    CHECK(a2 == a);
  }
}

namespace {

template <class T>
void round_trip(const T& object, T fresh) {
  const std::string text = streamreg::save_checkpoint(object);
  streamreg::restore_checkpoint(text, fresh);
  CHECK(fresh == object);
  CHECK(streamreg::save_checkpoint(fresh) == text);
}

template <class Reg>
bool same_regressor(const Reg& a, const Reg& b) {
  return a.state() == b.state() && a.accepted() == b.accepted() && a.rejected() == b.rejected();
}

template <class Reg>
void round_trip_regressor(const Reg& object, Reg fresh) {
  const std::string text = streamreg::save_checkpoint(object);
  streamreg::restore_checkpoint(text, fresh);
  CHECK(same_regressor(fresh, object));
  CHECK(streamreg::save_checkpoint(fresh) == text);
}

template <class Fill, class Make>
void round_trips(Make make, Fill fill) {
  for (std::size_t n : {std::size_t(0), std::size_t(1), std::size_t(2), std::size_t(37)}) {
    INFO("records " << n);
    auto s = make();
    fill(s, n);
    round_trip(s, make());
    streamreg::regressor<decltype(make())> r(make(), {});
    fill(r, n);
    using V = typename decltype(r)::value_type;
    r.push_at(1e9, std::numeric_limits<V>::quiet_NaN(), V(1));  // a rejection is counted
    round_trip_regressor(r, streamreg::regressor<decltype(make())>(make(), {}));
    // A restored object goes on exactly as the original.
    auto copy = make();
    streamreg::restore_checkpoint(streamreg::save_checkpoint(s), copy);
    fill(s, 1000);
    fill(copy, 1000);
    CHECK(copy == s);
  }
}

template <class T>
auto filler(std::uint64_t seed) {
  return [seed](auto& s, std::size_t n) {
    splitmix64 rng(seed + n);
    for (std::size_t i = 0; i < n; ++i) {
      const double x = 1.7e9 + static_cast<double>(i) * 0.37 + rng.uniform();
      s.push(static_cast<T>(x), static_cast<T>(2 + 0.5 * rng.normal()), static_cast<T>(rng.uniform(0.5, 2)));
    }
  };
}

auto timed_filler() {
  return [](auto& s, std::size_t n) {
    splitmix64 rng(n);
    double t = 1e4 * static_cast<double>(n);  // later than any call with a smaller n
    for (std::size_t i = 0; i < n; ++i) {
      t += rng.uniform(0, 2);
      s.push_at(t, rng.uniform(0, 10), rng.normal(), rng.uniform(0.5, 2));
    }
  };
}

}  // namespace

TEST_CASE("properties: checkpoint round trips are bit-exact for every state type",
          "[properties][checkpoint]") {
  SECTION("moments<float>") {
    round_trips([] { return streamreg::moments<float>{}; }, filler<float>(1));
  }
  SECTION("moments<double>") {
    round_trips([] { return streamreg::moments<double>{}; }, filler<double>(2));
  }
  SECTION("moments<long double>") {
    round_trips([] { return streamreg::moments<long double>{}; }, filler<long double>(3));
  }
  SECTION("raw_sums<double>") {
    round_trips([] { return streamreg::raw_sums<double>{}; }, filler<double>(4));
  }
  SECTION("raw_sums<double, neumaier_sum>") {
    round_trips([] { return streamreg::raw_sums<double, streamreg::neumaier_sum>{}; },
                filler<double>(5));
  }
  SECTION("count_window") {
    round_trips([] { return streamreg::count_window<>(8); }, filler<double>(6));
  }
  SECTION("time_window") {
    round_trips([] { return streamreg::time_window<>(5.0, 4); }, timed_filler());
  }
  SECTION("forgetting per record") {
    round_trips([] { return streamreg::forgetting<>::per_record(0.93); }, filler<double>(7));
  }
  SECTION("forgetting in event time") {
    round_trips([] { return streamreg::forgetting<>::half_life_time(3.0); }, timed_filler());
  }
}

TEST_CASE("properties: windows equal the exact batch fit of their records", "[properties][window]") {
  for (std::uint64_t seed : seeds) {
    INFO("seed " << seed);
    const auto data = streamreg_test::offset_stream(seed, 400, streamreg_test::x_pattern::irregular,
                                                    100.0, 0.5);
    SECTION("count window, at every step") {
      const std::size_t n = 25;
      streamreg::count_window<> w(n);
      for (std::size_t i = 0; i < data.size(); ++i) {
        w.push(data[i].x, data[i].y);
        if (i % 7 != 0 && i + 1 != data.size()) continue;  // keep it fast: every 7th
        const std::size_t lo = i + 1 > n ? i + 1 - n : 0;
        const std::vector<point> in(data.begin() + static_cast<std::ptrdiff_t>(lo),
                                    data.begin() + static_cast<std::ptrdiff_t>(i + 1));
        INFO("after record " << i);
        check_against_exact(w, in, 1e-11);
        const auto e = exact_fit(in);
        const auto f = streamreg::solve(w);
        if (e.has_line) {
          CHECK(rel_error(f.slope, e.slope) <= 1e-11);
          CHECK(rel_error(f.intercept, e.intercept) <= 1e-11);
        }
      }
    }
    SECTION("time window, at every step") {
      const double span = 20.0;
      streamreg::time_window<> w(span);
      for (std::size_t i = 0; i < data.size(); ++i) {
        const double t = data[i].x - streamreg_test::timestamp_offset;
        REQUIRE(w.push_at(t, data[i].x, data[i].y));
        if (i % 7 != 0) continue;
        std::vector<point> in;
        for (std::size_t j = 0; j <= i; ++j)
          if (data[j].x - streamreg_test::timestamp_offset > t - span) in.push_back(data[j]);
        INFO("after record " << i);
        check_against_exact(w, in, 1e-11);
      }
    }
  }
}

namespace {

struct recording_sink {
  std::vector<std::pair<streamreg::line_fit<double>, streamreg::event>>* out;
  void operator()(const streamreg::line_fit<double>& f, const streamreg::event& e) const {
    out->emplace_back(f, e);
  }
};

}  // namespace

TEST_CASE("properties: regressor output does not depend on emit_every", "[properties][regressor]") {
  const auto data = streamreg_test::linear_data(11, 200, 0, 50, -1, 0.25, 2.0);
  std::vector<std::pair<streamreg::line_fit<double>, streamreg::event>> all;
  streamreg::regressor<streamreg::moments<double>, recording_sink> every(recording_sink{&all});
  for (const auto& p : data) every.push(p.x, p.y);
  REQUIRE(all.size() == data.size());
  for (std::uint64_t k : {2u, 3u, 7u, 64u, 199u, 200u, 1000u}) {
    INFO("emit_every " << k);
    std::vector<std::pair<streamreg::line_fit<double>, streamreg::event>> thin;
    streamreg::regressor<streamreg::moments<double>, recording_sink> r(recording_sink{&thin});
    r.emit_every(k);
    for (const auto& p : data) r.push(p.x, p.y);
    REQUIRE(thin.size() == data.size() / k);
    for (std::size_t i = 0; i < thin.size(); ++i) {
      const std::size_t at = (i + 1) * k - 1;
      CHECK(thin[i].second.index == at);
      CHECK(thin[i].first == all[at].first);  // bit for bit
    }
    CHECK(r.state() == every.state());
    CHECK(r.fit() == every.fit());
    // Exact fit of every record as an independent check of the last emission.
    const auto e = exact_fit(data);
    CHECK(rel_error(r.fit().slope, e.slope) <= 1e-13);
  }
}

TEST_CASE("properties: float, double and long double agree within their precision",
          "[properties][types]") {
  for (std::uint64_t seed : seeds) {
    INFO("seed " << seed);
    // Values representable in float, so that all three types see the same data.
    const auto d = streamreg_test::convert_points<float>(
        streamreg_test::linear_data(seed, 500, 0, 100, 5, 0.75, 3.0));
    std::vector<point> data;
    for (const auto& p : d) data.push_back({static_cast<double>(p.x), static_cast<double>(p.y)});
    streamreg::moments<float> f;
    streamreg::moments<double> m;
    streamreg::moments<long double> l;
    for (const auto& p : d) {
      f.push(p.x, p.y);
      m.push(static_cast<double>(p.x), static_cast<double>(p.y));
      l.push(static_cast<long double>(p.x), static_cast<long double>(p.y));
    }
    const auto e = exact_fit(data);
    const auto ff = streamreg::solve(f);
    const auto fd = streamreg::solve(m);
    const auto fl = streamreg::solve(l);
    CHECK(rel_error(ff.slope, e.slope) <= 1e-4);
    CHECK(rel_error(ff.intercept, e.intercept) <= 1e-4);
    CHECK(rel_error(fd.slope, e.slope) <= 1e-13);
    CHECK(rel_error(fd.intercept, e.intercept) <= 1e-13);
    CHECK(rel_error(fl.slope, e.slope) <= 1e-16);
    CHECK(rel_error(fl.intercept, e.intercept) <= 1e-16);
    // Each type's result agrees with the next wider one within the narrower one's precision.
    CHECK(close(static_cast<double>(ff.slope), fd.slope, 1e-4));
    CHECK(close(fd.slope, static_cast<double>(fl.slope), 1e-13));
  }
}

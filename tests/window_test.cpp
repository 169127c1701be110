// SPDX-License-Identifier: MIT
// count_window and time_window: the fit of the window against the exact batch fit of exactly
// the records it should hold, drift over 10⁶ slides on offset data (sampled, and right before
// and after the periodic rebuild), weights, exact integer windows, event-time eviction with
// equal timestamps and gaps, late records, configuration errors, and a regressor over a window.
#include <streamreg/change_stream.hpp>
#include <streamreg/error.hpp>
#include <streamreg/moments.hpp>
#include <streamreg/regressor.hpp>
#include <streamreg/sink.hpp>
#include <streamreg/solve.hpp>
#include <streamreg/sums.hpp>
#include <streamreg/window.hpp>

#include <catch2/catch.hpp>

#include <algorithm>  // std::max, std::min, std::find
#include <cstddef>    // std::size_t
#include <cstdint>    // std::uint64_t
#include <iterator>   // std::size
#include <limits>     // std::numeric_limits
#include <vector>     // std::vector

#include "support/oracle.hpp"

namespace {

using streamreg::config_error;
using streamreg::count_window;
using streamreg::fit_status;
using streamreg::moments;
using streamreg::raw_sums;
using streamreg::solve;
using streamreg::time_window;
using streamreg_test::exact_fit;
using streamreg_test::exact_ols;
using streamreg_test::exact_weighted_fit;
using streamreg_test::point;
using streamreg_test::rel_error;
using streamreg_test::splitmix64;
using streamreg_test::to_mpq;
using streamreg_test::within_rel_exact;

constexpr double a_nan = std::numeric_limits<double>::quiet_NaN();
constexpr double an_inf = std::numeric_limits<double>::infinity();

/// The k-th record of an offset stream, generated on the fly: x = 1.7e9 + 0.37 k + U(−0.1, 0.1),
/// y = 3e8 + 2.5 (x − 1.7e9) + N(0, 1).
point offset_record(std::uint64_t k, splitmix64& rng) {
  const double x = 1.7e9 + 0.37 * static_cast<double>(k) + rng.uniform(-0.1, 0.1);
  return {x, 3e8 + 2.5 * (x - 1.7e9) + rng.normal()};
}

/// The last `n` records seen, kept independently of the window under test.
class last_n {
 public:
  explicit last_n(std::size_t n) : buf_(n) {}
  void add(const point& p) {
    buf_[next_ % buf_.size()] = p;
    ++next_;
  }
  /// Oldest first.
  std::vector<point> contents() const {
    const std::size_t size = next_ < buf_.size() ? next_ : buf_.size();
    std::vector<point> out;
    out.reserve(size);
    for (std::size_t i = next_ - size; i < next_; ++i) out.push_back(buf_[i % buf_.size()]);
    return out;
  }

 private:
  std::vector<point> buf_;
  std::size_t next_ = 0;
};

/// A window's records as points, oldest first.
template <class Window>
std::vector<point> window_points(const Window& w) {
  std::vector<point> out;
  for (std::size_t i = 0; i < w.size(); ++i) out.push_back({w[i].x, w[i].y});
  return out;
}

/// The fit of `state` against the exact fit `ex`: the same status, and coefficients within
/// `tol` relative when there is a line. Returns the larger relative error.
template <class State>
double check_fit(const State& state, const exact_ols& ex, double tol) {
  const auto f = solve(state);
  CHECK(f.n == ex.n);
  if (!ex.has_line) {
    CHECK(f.status != fit_status::ok);
    return 0;
  }
  REQUIRE(f.status == fit_status::ok);
  CHECK_THAT(f.slope, within_rel_exact<double>(ex.slope, tol));
  CHECK_THAT(f.intercept, within_rel_exact<double>(ex.intercept, tol));
  return std::max(rel_error(f.slope, ex.slope), rel_error(f.intercept, ex.intercept));
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// count_window
// ---------------------------------------------------------------------------------------------

TEST_CASE("count_window: 10^6 slides on offset data stay within 1e-12 of the exact fit",
          "[window][count_window][drift]") {
  constexpr std::size_t n = 1000;
  constexpr std::uint64_t slides = 1000000;
  count_window<moments<double>> w(n);
  REQUIRE(w.rebuild_every() == n);  // the default: one rebuild per window turnover
  last_n expected(n);
  splitmix64 rng(301);

  // Sample points (counted in slides, i.e. evictions): 20 spread over the run, and the
  // slides right before (most drift since the last rebuild) and right after a rebuild,
  // early and late.
  std::vector<std::uint64_t> samples;
  for (std::uint64_t i = 1; i <= 20; ++i) samples.push_back(i * slides / 20 - i * 37);
  for (const std::uint64_t k : {std::uint64_t(1), std::uint64_t(2), slides / n - 1, slides / n}) {
    samples.push_back(k * n - 1);
    samples.push_back(k * n);
  }

  double worst = 0;
  std::size_t checked = 0;
  std::uint64_t wrong_counter = 0;
  for (std::uint64_t k = 0; k < n + slides; ++k) {
    const point p = offset_record(k, rng);
    if (!w.push(p.x, p.y)) FAIL("record " << k << " refused");
    expected.add(p);
    if (k + 1 < n) continue;
    const std::uint64_t slide = k + 1 - n;  // evictions so far
    // One rebuild per n evictions: the counter is the number of slides since the last one.
    if (w.evictions_since_rebuild() != slide % n) ++wrong_counter;
    if (std::find(samples.begin(), samples.end(), slide) == samples.end()) continue;
    INFO("after " << slide << " slides (" << w.evictions_since_rebuild()
                  << " since the last rebuild)");
    const auto contents = expected.contents();
    REQUIRE(w.size() == n);
    REQUIRE(window_points(w).size() == n);
    CHECK(w.state().count() == n);
    worst = std::max(worst, check_fit(w, exact_fit(contents), 1e-12));
    ++checked;
  }
  CHECK(checked == samples.size());
  CHECK(wrong_counter == 0);
  // The measured worst case (shown with -s).
  INFO("worst relative error " << worst);
  CHECK(worst < 1e-12);
}

TEST_CASE("count_window: the window holds exactly its last n records", "[window][count_window]") {
  constexpr std::size_t n = 7;
  count_window<moments<double>> w(n);
  last_n expected(n);
  splitmix64 rng(302);
  CHECK(w.size() == 0);
  CHECK(w.capacity() == n);
  CHECK(solve(w).status == fit_status::empty);
  for (std::uint64_t k = 0; k < 100; ++k) {
    const point p = offset_record(k, rng);
    REQUIRE(w.push(p.x, p.y));
    expected.add(p);
    const auto contents = expected.contents();
    REQUIRE(w.size() == contents.size());
    for (std::size_t i = 0; i < contents.size(); ++i) {
      REQUIRE(w[i].x == contents[i].x);
      REQUIRE(w[i].y == contents[i].y);
      REQUIRE(w[i].w == 1.0);
    }
    // Filling up (n = 1, 2, ...) and sliding alike.
    check_fit(w, exact_fit(contents), 1e-12);
  }
  SECTION("non-finite records and invalid weights are refused, nothing changes") {
    const auto before = w;
    CHECK_FALSE(w.push(a_nan, 1.0));
    CHECK_FALSE(w.push(1.7e9, an_inf));
    CHECK_FALSE(w.push(1.7e9, 1.0, 0.0));
    CHECK_FALSE(w.push(1.7e9, 1.0, -2.0));
    CHECK_FALSE(w.push(1.7e9, 1.0, a_nan));
    CHECK(w == before);
  }
  SECTION("reset empties the window") {
    w.reset();
    CHECK(w.size() == 0);
    CHECK(w.state() == moments<double>{});
    CHECK(w.push(1.0, 2.0));
    CHECK(w.size() == 1);
  }
}

TEST_CASE("count_window: a window of one record, and size 0 is a config_error",
          "[window][count_window][config]") {
  CHECK_THROWS_AS(count_window<moments<double>>(0), config_error);
  CHECK_THROWS_WITH(count_window<moments<double>>(0), Catch::Matchers::Contains("at least 1"));
  count_window<moments<double>> one(1);
  for (int i = 0; i < 5; ++i) {
    REQUIRE(one.push(i, 2.0 * i));
    CHECK(one.size() == 1);
    CHECK(one[0].x == i);
    CHECK(solve(one).status == fit_status::too_few_points);
    // The single record's state is exactly that of a fresh push.
    moments<double> fresh;
    fresh.push(i, 2.0 * i);
    CHECK(one.state() == fresh);
  }
}

TEST_CASE("count_window: weighted records", "[window][count_window][weights]") {
  constexpr std::size_t n = 50;
  count_window<moments<double>> w(n);
  splitmix64 rng(303);
  std::vector<point> d;
  std::vector<double> ws;
  for (std::uint64_t k = 0; k < 5000; ++k) {
    d.push_back(offset_record(k, rng));
    ws.push_back(rng.uniform(0.1, 10.0));
    REQUIRE(w.push(d.back().x, d.back().y, ws.back()));
    if (k % 97 == 0 || k == 4999) {
      const std::size_t first = d.size() > n ? d.size() - n : 0;
      const std::vector<point> cd(d.begin() + static_cast<std::ptrdiff_t>(first), d.end());
      const std::vector<double> cw(ws.begin() + static_cast<std::ptrdiff_t>(first), ws.end());
      INFO("record " << k);
      REQUIRE(w.size() == cd.size());
      CHECK(w[0].w == cw.front());
      const auto ex = exact_weighted_fit(cd, cw);
      CHECK_THAT(w.weight_sum(), within_rel_exact<double>(ex.weight_sum, 1e-13));
      check_fit(w, ex, 1e-12);
    }
  }
}

TEST_CASE("count_window: weighted and unit records mixed", "[window][count_window][weights]") {
  // Unit records sliding over unit records while weighted ones are in the window: the
  // window's weight sum is not its size.
  constexpr std::size_t n = 10;
  count_window<moments<double>> w(n);
  splitmix64 rng(307);
  std::vector<point> d;
  std::vector<double> ws;
  for (std::uint64_t k = 0; k < 300; ++k) {
    d.push_back(offset_record(k, rng));
    ws.push_back(k % 7 == 3 ? 4.0 : 1.0);
    if (ws.back() == 1.0) {
      REQUIRE(w.push(d.back().x, d.back().y));
    } else {
      REQUIRE(w.push(d.back().x, d.back().y, ws.back()));
    }
    const std::size_t first = d.size() > n ? d.size() - n : 0;
    const std::vector<point> cd(d.begin() + static_cast<std::ptrdiff_t>(first), d.end());
    const std::vector<double> cw(ws.begin() + static_cast<std::ptrdiff_t>(first), ws.end());
    INFO("record " << k << ", " << w.evictions_since_rebuild() << " evictions since the rebuild");
    const auto ex = exact_weighted_fit(cd, cw);
    CHECK_THAT(w.weight_sum(), within_rel_exact<double>(ex.weight_sum, 1e-15));
    CHECK_THAT(w.mean_dx() + w.shift_x(), within_rel_exact<double>(ex.mean_x, 1e-15));
    check_fit(w, ex, 1e-12);
  }
}

TEST_CASE("count_window: over raw_sums<long long> the sums are exact after many slides",
          "[window][count_window][exact]") {
  constexpr std::size_t n = 37;
  // The default rebuild, and none at all (the exact state needs none).
  count_window<raw_sums<long long>> w(n);
  count_window<raw_sums<long long>> never(n, std::numeric_limits<std::uint64_t>::max());
  splitmix64 rng(304);
  std::vector<long long> xs, ys, ws;
  for (std::uint64_t k = 0; k < 20000; ++k) {
    xs.push_back(static_cast<long long>(rng.index(20001)) - 10000);
    ys.push_back(2 * xs.back() + static_cast<long long>(rng.index(1001)) - 500);
    ws.push_back(1 + static_cast<long long>(rng.index(5)));
    REQUIRE(w.push(xs.back(), ys.back(), ws.back()));
    REQUIRE(never.push(xs.back(), ys.back(), ws.back()));
  }
  // The exact weighted sums of the last n records.
  long long sw = 0, sx = 0, sy = 0, sxy = 0, sxx = 0, syy = 0;
  for (std::size_t i = xs.size() - n; i < xs.size(); ++i) {
    sw += ws[i];
    sx += ws[i] * xs[i];
    sy += ws[i] * ys[i];
    sxy += ws[i] * xs[i] * ys[i];
    sxx += ws[i] * xs[i] * xs[i];
    syy += ws[i] * ys[i] * ys[i];
  }
  for (const auto* s : {&w.state(), &never.state()}) {
    CHECK(s->count() == n);
    CHECK(s->weight_sum() == sw);
    CHECK(s->sum_x() == sx);
    CHECK(s->sum_y() == sy);
    CHECK(s->sum_xy() == sxy);
    CHECK(s->sum_xx() == sxx);
    CHECK(s->sum_yy() == syy);
  }
  CHECK(w.state() == never.state());
  CHECK(never.evictions_since_rebuild() == 20000 - n);
}

// ---------------------------------------------------------------------------------------------
// time_window
// ---------------------------------------------------------------------------------------------

TEST_CASE("time_window: holds the records with time > t - span", "[window][time_window]") {
  // Times on a quarter grid near 1.7e9 (every t and t − span exact), gaps drawn from
  // {0 (equal timestamps), 0.25, 1, 2.5, span exactly, longer than the span}.
  constexpr double span = 10.0;
  time_window<moments<double>> w(span);
  CHECK(w.span() == span);
  splitmix64 rng(305);
  struct timed {
    double t;
    point p;
  };
  std::vector<timed> all;
  std::size_t first = 0;  // the oldest record that should be in the window
  double t = 1.7e9;
  const double gaps[] = {0.0, 0.0, 0.25, 0.25, 0.25, 1.0, 1.0, 2.5, span, 12.0};
  double worst = 0;
  std::size_t emptied = 0, equal_times = 0;
  for (std::size_t k = 0; k < 4000; ++k) {
    const double gap = k == 0 ? 0.0 : gaps[rng.index(std::size(gaps))];
    t += gap;
    if (k > 0 && gap == 0.0) ++equal_times;
    // x near t with its own jitter (so equal times do not mean equal x), y with an offset.
    const double x = t + rng.uniform(0.0, 0.5);
    const point p{x, 3e8 + 2.5 * (x - 1.7e9) + rng.normal()};
    REQUIRE(w.accepts_time(t));
    REQUIRE(w.push_at(t, p.x, p.y));
    all.push_back({t, p});
    while (all[first].t <= t - span) ++first;  // exact: quarter grid
    if (first + 1 == all.size() && k > 0 && gap > span) ++emptied;
    INFO("record " << k << " at t = 1.7e9 + " << t - 1.7e9);
    REQUIRE(w.size() == all.size() - first);
    CHECK(w[0].t == all[first].t);
    CHECK(w[0].x == all[first].p.x);
    if (k % 5 == 0 || gap >= span) {
      std::vector<point> contents;
      for (std::size_t i = first; i < all.size(); ++i) contents.push_back(all[i].p);
      worst = std::max(worst, check_fit(w, exact_fit(contents), 1e-12));
    }
  }
  CHECK(emptied > 100);  // the data did exercise the cases they were drawn for
  CHECK(equal_times > 100);
  INFO("worst relative error " << worst);
  CHECK(worst < 1e-12);

  SECTION("a gap longer than the span empties the window; the state is then a fresh one") {
    const double t1 = t + span + 1.0;
    REQUIRE(w.push_at(t1, 5.0, 6.0));
    CHECK(w.size() == 1);
    moments<double> fresh;
    fresh.push(5.0, 6.0);
    CHECK(w.state() == fresh);
    CHECK(solve(w).status == fit_status::too_few_points);
  }
  SECTION("a record exactly span later evicts the one before") {
    const double t1 = t + span;
    REQUIRE(w.push_at(t1, 1.0, 2.0));
    REQUIRE(w.push_at(t1 + span, 3.0, 4.0));
    CHECK(w.size() == 1);
    CHECK(w[0].t == t1 + span);
  }
}

TEST_CASE("time_window: late and non-finite records are refused", "[window][time_window]") {
  time_window<moments<double>> w(5.0);
  CHECK(w.accepts_time(-1e300));  // an empty window accepts any finite time
  CHECK_FALSE(w.accepts_time(a_nan));
  CHECK_FALSE(w.accepts_time(an_inf));
  REQUIRE(w.push_at(100.0, 1.0, 1.0));
  REQUIRE(w.push_at(101.0, 2.0, 3.0));
  REQUIRE(w.push_at(101.0, 2.5, 3.0));  // an equal time is not late
  const auto before = w;
  CHECK_FALSE(w.accepts_time(100.5));
  CHECK_FALSE(w.push_at(100.5, 4.0, 5.0));
  CHECK_FALSE(w.push_at(-an_inf, 4.0, 5.0));
  CHECK_FALSE(w.push_at(an_inf, 4.0, 5.0));
  CHECK_FALSE(w.push_at(a_nan, 4.0, 5.0));
  CHECK_FALSE(w.push_at(102.0, a_nan, 5.0));
  CHECK_FALSE(w.push_at(102.0, 4.0, 5.0, 0.0));
  CHECK(w == before);
  CHECK(w.accepts_time(101.0));
  CHECK(w.accepts_time(1e9));
  // A refused record evicts nothing, even when its time would.
  CHECK_FALSE(w.push_at(1e9, 4.0, 5.0, -1.0));
  CHECK(w.size() == 3);
}

TEST_CASE("time_window: the span must be positive and finite", "[window][time_window][config]") {
  for (const double span : {0.0, -0.0, -1.0, a_nan, an_inf, -an_inf}) {
    INFO("span " << span);
    CHECK_THROWS_AS(time_window<moments<double>>(span), config_error);
  }
  CHECK_NOTHROW(time_window<moments<double>>(std::numeric_limits<double>::denorm_min()));
}

TEST_CASE("time_window: a window of a few records stays accurate over many turnovers",
          "[window][time_window][weights]") {
  // About six records in the window (span 3, steps of 0 to 1 in eighths), x moving 0.37 per
  // record away from the state's origin: the drift a window bounds by rebuilding once per
  // turnover. Unweighted, and with weights two decades apart.
  const bool weighted = GENERATE(false, true);
  time_window<moments<double>> w(3.0);
  splitmix64 rng(306);
  std::vector<double> ts, ws;
  std::vector<point> d;
  double t = 0;
  double worst = 0;
  for (std::uint64_t k = 0; k < 3000; ++k) {
    t += 0.125 * static_cast<double>(rng.index(9));
    d.push_back(offset_record(k, rng));
    ts.push_back(t);
    ws.push_back(weighted ? rng.uniform(0.1, 10.0) : 1.0);
    REQUIRE(w.push_at(t, d.back().x, d.back().y, ws.back()));
    std::vector<point> cd;
    std::vector<double> cw;
    for (std::size_t i = d.size() > 64 ? d.size() - 64 : 0; i < d.size(); ++i) {
      if (ts[i] > t - 3.0) {
        cd.push_back(d[i]);
        cw.push_back(ws[i]);
      }
    }
    INFO("record " << k << (weighted ? ", weighted" : ""));
    REQUIRE(w.size() == cd.size());
    // Weighted: retracting a heavy record leaves the light ones with the rounding of the
    // whole (W_old / W_new up to ~100, and Sxx likewise) until the next rebuild. Measured
    // worst over 40 seeds: 6.5e-14 unweighted, 2.3e-11 weighted; a record retracted with a
    // wrong weight, or a window rebuilt too rarely (8e-12 unweighted), is off by more.
    worst = std::max(worst, check_fit(w, exact_weighted_fit(cd, cw), weighted ? 1e-10 : 1e-12));
  }
  INFO("worst relative error " << worst << (weighted ? ", weighted" : ""));
  CHECK(worst < (weighted ? 1e-10 : 1e-12));
}

// ---------------------------------------------------------------------------------------------
// A regressor over a window
// ---------------------------------------------------------------------------------------------

TEST_CASE("regressor: over a count_window emits per record, with a change stream",
          "[window][regressor][change_stream]") {
  struct row {
    streamreg::line_fit<double> fit;
    double time;
    int diff;
  };
  std::vector<row> rows;
  const auto out = [&rows](const streamreg::line_fit<double>& f, double time, int diff) {
    rows.push_back({f, time, diff});
  };
  constexpr std::size_t n = 4;
  auto r = streamreg::make_regressor_for(count_window<moments<double>>(n),
                                         streamreg::make_change_stream<double>(out));
  const std::vector<point> d{{0, 1}, {1, 3}, {2, 4}, {3, 8}, {4, 9}, {5, 9.5}, {6, 13}, {7, 15}};
  for (std::size_t k = 0; k < d.size(); ++k) {
    REQUIRE(r.push(d[k].x, d[k].y));
    CHECK(r.state().size() == std::min(k + 1, n));
  }
  CHECK_FALSE(r.push(a_nan, 1.0));
  CHECK(r.rejected() == 1);

  // One insertion for the first record, then a retraction of the previous fit and an
  // insertion of the new one per record, all at the record's time (its index).
  REQUIRE(rows.size() == 1 + 2 * (d.size() - 1));
  CHECK(rows[0].diff == 1);
  CHECK(rows[0].time == 0);
  CHECK(rows[0].fit.status == fit_status::too_few_points);
  for (std::size_t k = 1; k < d.size(); ++k) {
    const row& retract = rows[2 * k - 1];
    const row& insert = rows[2 * k];
    INFO("record " << k);
    CHECK(retract.diff == -1);
    CHECK(insert.diff == 1);
    CHECK(retract.time == static_cast<double>(k));
    CHECK(insert.time == static_cast<double>(k));
    CHECK(retract.fit == rows[2 * k - 2].fit);  // what was inserted before
    // The inserted fit is that of the last n records.
    const std::size_t first = k + 1 > n ? k + 1 - n : 0;
    const auto ex = exact_fit(std::vector<point>(d.begin() + static_cast<std::ptrdiff_t>(first),
                                                 d.begin() + static_cast<std::ptrdiff_t>(k + 1)));
    REQUIRE(insert.fit.status == fit_status::ok);
    CHECK(insert.fit.n == k + 1 - first);
    CHECK_THAT(insert.fit.slope, within_rel_exact<double>(ex.slope, 1e-14));
    CHECK_THAT(insert.fit.intercept, within_rel_exact<double>(ex.intercept, 1e-14));
  }
}

TEST_CASE("regressor: over a time_window uses the event times", "[window][regressor]") {
  auto r = streamreg::make_regressor_for(time_window<moments<double>>(2.0),
                                         streamreg::collector<double>{});
  REQUIRE(r.push_at(10.0, 0.0, 1.0));
  REQUIRE(r.push_at(11.0, 1.0, 2.0));
  REQUIRE(r.push_at(11.5, 2.0, 4.0));
  CHECK_FALSE(r.push_at(11.0, 3.0, 3.0));  // late
  CHECK(r.rejected() == 1);
  REQUIRE(r.push_at(12.0, 3.0, 5.0));  // evicts t = 10
  CHECK(r.state().size() == 3);
  REQUIRE(r.sink().size() == 4);
  CHECK(r.sink()[3].at.time == 12.0);
  CHECK(r.sink()[3].at.index == 3);
  const auto ex = exact_fit(std::vector<point>{{1, 2}, {2, 4}, {3, 5}});
  CHECK_THAT(r.sink()[3].fit.slope, within_rel_exact<double>(ex.slope, 1e-15));
  CHECK_THAT(r.sink()[3].fit.intercept, within_rel_exact<double>(ex.intercept, 1e-15));
}

// SPDX-License-Identifier: MIT
// regressor: record forms (x, y / pair / tuple / record_traits / projection), the sink's
// events, rejection of non-finite records, thinned emission, reset, and the reference seed
// stream.
#include <streamreg/moments.hpp>
#include <streamreg/record.hpp>
#include <streamreg/regressor.hpp>
#include <streamreg/sink.hpp>
#include <streamreg/sums.hpp>

#include <catch2/catch.hpp>

#include "support/seed_reference.hpp"

#include <cmath>    // std::isnan
#include <cstddef>  // std::size_t
#include <cstdint>  // std::uint64_t
#include <cstdlib>  // std::strtod
#include <fstream>  // std::ifstream
#include <limits>   // std::numeric_limits
#include <stdexcept>  // std::runtime_error
#include <string>   // std::string, std::getline
#include <tuple>    // std::tuple
#include <utility>  // std::pair
#include <vector>   // std::vector

#include "support/oracle.hpp"

namespace {

/// A user record read through a record_traits specialisation.
struct reading {
  double load;
  double temperature;
  int sensor;
};

/// A user record read through a projection.
struct sample {
  long long id;
  double when;
  double value;
};

}  // namespace

template <>
struct streamreg::record_traits<reading> {
  static double x(const reading& r) noexcept { return r.load; }
  static double y(const reading& r) noexcept { return r.temperature; }
};

namespace {

using streamreg::collector;
using streamreg::fit_status;
using streamreg::make_regressor;
using streamreg::moments;
using streamreg::neumaier_sum;
using streamreg::raw_sums;
using streamreg_test::exact_running_fit;
using streamreg_test::point;
using streamreg_test::within_rel_exact;

using fit_collector = collector<double>;

std::vector<point> test_data() {
  return streamreg_test::linear_data(301, 60, -10.0, 10.0, 4.0, -1.25, 0.75);
}

/// Two fits are the same: equal count and status, and when ok bit-identical coefficients
/// (a fit that is not ok carries NaN coefficients, which compare unequal to themselves).
bool same_fit(const streamreg::line_fit<double>& a, const streamreg::line_fit<double>& b) {
  if (a.n != b.n || a.status != b.status) return false;
  if (a.status != fit_status::ok) return std::isnan(a.slope) && std::isnan(b.slope);
  return a.intercept == b.intercept && a.slope == b.slope;
}

/// The emitted fits and events of two collectors are identical.
void check_same_emissions(const fit_collector& a, const fit_collector& b) {
  REQUIRE(a.size() == b.size());
  for (std::size_t i = 0; i < a.size(); ++i) {
    INFO("emission " << i);
    CHECK(same_fit(a[i].fit, b[i].fit));
    CHECK(a[i].at.index == b[i].at.index);
    CHECK(a[i].at.time == b[i].at.time);
  }
}

/// Emission i is the fit after record i: status, and coefficients against the exact fit of
/// the prefix.
void check_against_prefixes(const fit_collector& c, const std::vector<point>& d, double tol) {
  REQUIRE(c.size() == d.size());
  exact_running_fit ex;
  for (std::size_t i = 0; i < d.size(); ++i) {
    INFO("after record " << i);
    ex.add(d[i]);
    CHECK(c[i].at.index == i);
    CHECK(c[i].fit.n == i + 1);
    if (i == 0) {
      CHECK(c[i].fit.status == fit_status::too_few_points);
      continue;
    }
    REQUIRE(c[i].fit.status == fit_status::ok);
    CHECK_THAT(c[i].fit.slope, within_rel_exact<double>(ex.slope(), tol));
    CHECK_THAT(c[i].fit.intercept, within_rel_exact<double>(ex.intercept(), tol));
  }
}

}  // namespace

TEST_CASE("regressor: every record form gives the same fits", "[regressor][record]") {
  const auto d = test_data();
  auto by_xy = make_regressor(fit_collector{});
  auto by_pair = make_regressor(fit_collector{});
  auto by_tuple = make_regressor(fit_collector{});
  auto by_traits = make_regressor(fit_collector{});
  auto by_projection = make_regressor(fit_collector{}, [](const sample& s) {
    return std::pair<double, double>(s.when, s.value);
  });
  long long id = 0;
  for (const auto& p : d) {
    CHECK(by_xy.push(p.x, p.y));
    CHECK(by_pair.push(std::pair<double, double>(p.x, p.y)));
    CHECK(by_tuple.push(std::tuple<double, double, std::string>(p.x, p.y, "extra field")));
    CHECK(by_traits.push(reading{p.x, p.y, 7}));
    CHECK(by_projection.push(sample{id++, p.x, p.y}));
  }
  check_against_prefixes(by_xy.sink(), d, 1e-12);
  check_same_emissions(by_xy.sink(), by_pair.sink());
  check_same_emissions(by_xy.sink(), by_tuple.sink());
  check_same_emissions(by_xy.sink(), by_traits.sink());
  check_same_emissions(by_xy.sink(), by_projection.sink());
}

TEST_CASE("regressor: the sink fires once per accepted record", "[regressor][sink]") {
  const auto d = test_data();
  std::uint64_t calls = 0;
  std::vector<std::uint64_t> indices;
  auto r = make_regressor([&](const streamreg::line_fit<double>& f, const streamreg::event& e) {
    ++calls;
    indices.push_back(e.index);
    CHECK(f.n == e.index + 1);
    CHECK(e.time == static_cast<double>(e.index));
  });
  for (std::size_t i = 0; i < d.size(); ++i) {
    REQUIRE(r.push(d[i].x, d[i].y));
    CHECK(calls == i + 1);
  }
  CHECK(r.accepted() == d.size());
  CHECK(r.rejected() == 0);
  REQUIRE(indices.size() == d.size());
  for (std::size_t i = 0; i < indices.size(); ++i) CHECK(indices[i] == i);

  SECTION("push_at carries the event time") {
    auto t = make_regressor(fit_collector{});
    t.push_at(1.7e9 + 0.25, 1.0, 2.0);
    t.push_at(1.7e9 + 0.5, 2.0, 4.5);
    REQUIRE(t.sink().size() == 2);
    CHECK(t.sink()[0].at.index == 0);
    CHECK(t.sink()[0].at.time == 1.7e9 + 0.25);
    CHECK(t.sink()[1].at.index == 1);
    CHECK(t.sink()[1].at.time == 1.7e9 + 0.5);
    CHECK(t.sink()[1].fit.slope == 2.5);
  }
}

TEST_CASE("regressor: a rejected record is not emitted and changes nothing",
          "[regressor][reject]") {
  const auto d = test_data();
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  auto clean = make_regressor(fit_collector{});
  auto dirty = make_regressor(fit_collector{});
  std::uint64_t bad = 0;
  for (std::size_t i = 0; i < d.size(); ++i) {
    clean.push(d[i].x, d[i].y);
    if (i == 0 || i == 1 || i % 17 == 5) {
      const auto before = dirty.sink().size();
      CHECK_FALSE(dirty.push(nan, d[i].y));
      CHECK_FALSE(dirty.push(std::pair<double, double>(d[i].x, inf)));
      CHECK_FALSE(dirty.push(reading{-inf, nan, 0}));
      bad += 3;
      CHECK(dirty.sink().size() == before);  // not emitted
      CHECK(dirty.rejected() == bad);
    }
    CHECK(dirty.push(d[i].x, d[i].y));
  }
  CHECK(dirty.accepted() == d.size());
  CHECK(dirty.rejected() == bad);
  CHECK(dirty.state() == clean.state());
  check_same_emissions(clean.sink(), dirty.sink());
}

TEST_CASE("regressor: emit_every thins emission and emit emits now", "[regressor][emit]") {
  const auto d = test_data();  // 60 records
  auto every = make_regressor(fit_collector{});
  auto thinned = make_regressor(fit_collector{});
  thinned.emit_every(7);
  for (const auto& p : d) {
    every.push(p.x, p.y);
    thinned.push(p.x, p.y);
  }
  // After records 6, 13, ..., 55 (every 7th accepted record).
  REQUIRE(thinned.sink().size() == d.size() / 7);
  for (std::size_t k = 0; k < thinned.sink().size(); ++k) {
    const auto& e = thinned.sink()[k];
    CHECK(e.at.index == 7 * k + 6);
    CHECK(same_fit(e.fit, every.sink()[7 * k + 6].fit));
  }
  // The state saw every record.
  CHECK(thinned.state() == every.state());
  CHECK(same_fit(thinned.fit(), every.fit()));
  CHECK(thinned.accepted() == d.size());

  SECTION("emit() emits the current fit at the last accepted record") {
    thinned.emit();
    REQUIRE(thinned.sink().size() == d.size() / 7 + 1);
    const auto& last = thinned.sink().entries().back();
    CHECK(last.at.index == d.size() - 1);
    CHECK(same_fit(last.fit, every.sink().entries().back().fit));
  }
  SECTION("emit() on an empty regressor emits status empty") {
    auto r = make_regressor(fit_collector{});
    r.emit();
    REQUIRE(r.sink().size() == 1);
    CHECK(r.sink()[0].fit.status == fit_status::empty);
    CHECK(r.sink()[0].at.index == 0);
  }
  SECTION("emit_every(1) is the default") {
    auto r = make_regressor(fit_collector{});
    r.emit_every(1);
    for (const auto& p : d) r.push(p.x, p.y);
    check_same_emissions(r.sink(), every.sink());
  }
}

TEST_CASE("regressor: reset forgets the records and keeps the sink", "[regressor][reset]") {
  const auto d = test_data();
  auto r = make_regressor(fit_collector{});
  for (const auto& p : d) r.push(p.x, p.y);
  r.push(std::numeric_limits<double>::quiet_NaN(), 0.0);
  r.reset();
  CHECK(r.accepted() == 0);
  CHECK(r.rejected() == 0);
  CHECK(r.state() == moments<double>{});
  CHECK(r.fit().status == fit_status::empty);
  CHECK(r.sink().size() == d.size());  // the sink is kept
  r.push(1.0, 2.0);
  REQUIRE(r.sink().size() == d.size() + 1);
  CHECK(r.sink().entries().back().at.index == 0);
  CHECK(r.sink().entries().back().fit.status == fit_status::too_few_points);
}

// ---------------------------------------------------------------------------------------------
// The reference seed stream
// ---------------------------------------------------------------------------------------------

namespace {

std::vector<point> read_seed_stream() {
  const std::string path = streamreg_test::data_path("seed_stream.csv");
  std::ifstream in(path);
  if (!in) throw std::runtime_error("cannot open " + path);
  std::string line;
  std::getline(in, line);  // header x,y
  std::vector<point> d;
  while (std::getline(in, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.empty()) continue;
    const auto comma = line.find(',');
    if (comma == std::string::npos) throw std::runtime_error("bad line: " + line);
    const std::string xs = line.substr(0, comma);
    const std::string ys = line.substr(comma + 1);
    d.push_back({std::strtod(xs.c_str(), nullptr), std::strtod(ys.c_str(), nullptr)});
  }
  return d;
}

/// The reference change stream: index, intercept, slope (after the first record the slope is
/// undetermined).
struct reference_row {
  std::uint64_t index;
  double intercept;
  double slope;
};
const std::vector<reference_row>& reference_table() {
  static const std::vector<reference_row> table = [] {
    std::vector<reference_row> t;
    for (std::uint64_t i = 1; i < 10; ++i)
      t.push_back({i, streamreg_test::seed_reference[i][0], streamreg_test::seed_reference[i][1]});
    return t;
  }();
  return table;
}

template <class Accumulator>
void check_seed_stream(const std::vector<point>& d) {
  auto r = make_regressor<Accumulator>(fit_collector{});
  for (const auto& p : d) REQUIRE(r.push(p.x, p.y));
  const auto& c = r.sink();
  REQUIRE(c.size() == 10);
  CHECK(c[0].at.index == 0);
  CHECK(c[0].fit.status == fit_status::too_few_points);
  CHECK(std::isnan(c[0].fit.slope));
  for (const auto& row : reference_table()) {
    INFO("index " << row.index);
    const auto& e = c[static_cast<std::size_t>(row.index)];
    CHECK(e.at.index == row.index);
    REQUIRE(e.fit.status == fit_status::ok);
    CHECK_THAT(e.fit.intercept, Catch::Matchers::WithinRel(row.intercept, 1e-12));
    CHECK_THAT(e.fit.slope, Catch::Matchers::WithinRel(row.slope, 1e-12));
  }
}

}  // namespace

TEST_CASE("regressor: the seed stream reproduces the reference change stream",
          "[regressor][seed]") {
  const auto d = read_seed_stream();
  REQUIRE(d.size() == 10);
  SECTION("the reference table is the exact fit of each prefix (checks table and reader)") {
    // The table was computed in double: its intercepts, about 150 times smaller than the
    // terms ȳ and b·x̄ they are the difference of, carry up to 4e-14 relative error.
    exact_running_fit ex;
    ex.add(d[0]);
    for (const auto& row : reference_table()) {
      ex.add(d[static_cast<std::size_t>(row.index)]);
      INFO("index " << row.index);
      CHECK_THAT(row.intercept, within_rel_exact<double>(ex.intercept(), 1e-13));
      CHECK_THAT(row.slope, within_rel_exact<double>(ex.slope(), 1e-14));
    }
  }
  SECTION("moments<double>") { check_seed_stream<moments<double>>(d); }
  SECTION("raw_sums<double>") { check_seed_stream<raw_sums<double>>(d); }
  SECTION("raw_sums<double, neumaier_sum>") {
    check_seed_stream<raw_sums<double, neumaier_sum>>(d);
  }
}

// SPDX-License-Identifier: MIT
// Tests of sink.hpp: collector, any_sink, null_sink and user callables as regressor sinks.
//
// Oracle: points on the line y = 1 + 2x with dyadic coordinates, whose least-squares line is
// exactly (1, 2) from two points on.
#include <streamreg/moments.hpp>
#include <streamreg/regressor.hpp>
#include <streamreg/sink.hpp>

#include <catch2/catch.hpp>

#include <cstdint>      // std::uint64_t
#include <functional>   // std::ref, std::bad_function_call
#include <limits>       // std::numeric_limits
#include <string>
#include <type_traits>  // std::is_empty_v, std::is_nothrow_invocable_v
#include <vector>

namespace {

using streamreg::any_sink;
using streamreg::collector;
using streamreg::event;
using streamreg::fit_status;
using streamreg::line_fit;
using streamreg::moments;
using streamreg::null_sink;
using streamreg::regressor;

using Catch::Matchers::WithinAbs;
using Catch::Matchers::WithinRel;

constexpr double line_y(double x) { return 1.0 + 2.0 * x; }

}  // namespace

TEST_CASE("collector: keeps every (fit, event) in order", "[sink][collector]") {
  regressor<moments<double>, collector<double>> reg;
  const std::vector<double> xs{0.0, 1.0, 2.0, 0.5};
  for (double x : xs) REQUIRE(reg.push(x, line_y(x)));

  const collector<double>& c = reg.sink();
  REQUIRE(c.size() == xs.size());
  REQUIRE(c.entries().size() == xs.size());
  // First record: one point, the fit is undefined.
  CHECK(c[0].fit.n == 1);
  CHECK(c[0].fit.status == fit_status::too_few_points);
  CHECK(c[0].at.index == 0);
  CHECK(c[0].at.time == 0.0);
  for (std::uint64_t i = 1; i < xs.size(); ++i) {
    CAPTURE(i);
    const auto& e = c[static_cast<std::size_t>(i)];
    CHECK(e.fit.n == i + 1);
    CHECK(e.fit.status == fit_status::ok);
    CHECK_THAT(e.fit.intercept, WithinAbs(1.0, 1e-15));
    CHECK_THAT(e.fit.slope, WithinRel(2.0, 1e-15));
    CHECK(e.at.index == i);
    CHECK(e.at.time == static_cast<double>(i));
  }
  CHECK(c.entries().back().fit == reg.fit());  // the last emission is the current fit
}

TEST_CASE("collector: events carry explicit times and skip rejected records",
          "[sink][collector]") {
  regressor<moments<double>, collector<double>> reg;
  REQUIRE(reg.push_at(100.5, 0.0, 1.0));
  REQUIRE_FALSE(reg.push_at(101.0, std::numeric_limits<double>::quiet_NaN(), 1.0));
  REQUIRE(reg.push_at(102.25, 1.0, 3.0));
  const auto& c = reg.sink();
  REQUIRE(c.size() == 2);  // nothing emitted for the rejected record
  CHECK(c[0].at.time == 100.5);
  CHECK(c[0].at.index == 0);
  CHECK(c[1].at.time == 102.25);
  CHECK(c[1].at.index == 1);  // indices count accepted records
  CHECK(c[1].fit.n == 2);

  reg.sink().clear();
  CHECK(reg.sink().size() == 0);
  CHECK(reg.sink().entries().empty());
  REQUIRE(reg.push(2.0, 5.0));
  CHECK(reg.sink().size() == 1);
}

TEST_CASE("any_sink: a type-erased sink inside a regressor", "[sink][any_sink]") {
  std::vector<double> slopes;
  std::vector<std::uint64_t> indices;
  regressor<moments<double>, any_sink<double>> reg(
      [&](const line_fit<double>& f, const event& e) {
        indices.push_back(e.index);
        if (f) slopes.push_back(f.slope);
      });
  for (double x : {0.0, 1.0, 2.0}) reg.push(x, line_y(x));
  CHECK(indices == std::vector<std::uint64_t>{0, 1, 2});
  REQUIRE(slopes.size() == 2);
  CHECK_THAT(slopes[0], WithinRel(2.0, 1e-15));
  CHECK_THAT(slopes[1], WithinRel(2.0, 1e-15));

  SECTION("the sink can be replaced at run time") {
    collector<double> other;
    reg.sink() = std::ref(other);
    reg.push(3.0, line_y(3.0));
    CHECK(indices.size() == 3);  // the first sink no longer called
    REQUIRE(other.size() == 1);
    CHECK(other[0].at.index == 3);
    CHECK(other[0].fit.n == 4);
  }
  SECTION("a collector stored in an any_sink") {
    regressor<moments<double>, any_sink<double>> r2(any_sink<double>(collector<double>{}));
    r2.push(0.0, 1.0);
    r2.push(1.0, 3.0);
    const collector<double>* stored = r2.sink().target<collector<double>>();
    REQUIRE(stored != nullptr);
    CHECK(stored->size() == 2);
  }
}

TEST_CASE("any_sink: an empty any_sink throws when called", "[sink][any_sink]") {
  regressor<moments<double>, any_sink<double>> reg;
  CHECK_THROWS_AS(reg.push(1.0, 2.0), std::bad_function_call);
}

TEST_CASE("null_sink: discards everything, noexcept and stateless", "[sink][null_sink]") {
  STATIC_REQUIRE(std::is_empty_v<null_sink>);
  STATIC_REQUIRE(std::is_nothrow_invocable_v<const null_sink&, const line_fit<double>&,
                                             const event&>);
  STATIC_REQUIRE(std::is_nothrow_invocable_v<const null_sink&, const line_fit<float>&,
                                             const event&>);
  // A regressor over null_sink (the default) has a noexcept push; one over any_sink has not.
  regressor<> quiet;
  regressor<moments<double>, any_sink<double>> erased;
  STATIC_REQUIRE(noexcept(quiet.push(1.0, 2.0)));
  STATIC_REQUIRE_FALSE(noexcept(erased.push(1.0, 2.0)));

  // The state is still kept: fit() works without any emission being stored.
  for (double x : {0.0, 0.5, 4.0}) REQUIRE(quiet.push(x, line_y(x)));
  const line_fit<double> f = quiet.fit();
  REQUIRE(f.status == fit_status::ok);
  CHECK(f.n == 3);
  CHECK_THAT(f.intercept, WithinAbs(1.0, 1e-15));
  CHECK_THAT(f.slope, WithinRel(2.0, 1e-15));

  constexpr null_sink ns{};
  ns(f, event{});
}

TEST_CASE("sink: a user lambda as the sink", "[sink][lambda]") {
  std::uint64_t calls = 0;
  std::string log;
  auto reg = streamreg::make_regressor(
      [&calls, &log](const line_fit<double>& f, const event& e) noexcept {
        ++calls;
        log += std::to_string(e.index) + ":" + streamreg::to_string(f.status) + ";";
      });
  for (double x : {0.0, 0.0, 1.0}) reg.push(x, line_y(x));
  CHECK(calls == 3);
  CHECK(log == "0:too_few_points;1:constant_x;2:ok;");
}

TEST_CASE("sink: a stateful function object is owned by the regressor", "[sink][lambda]") {
  struct counter {
    std::uint64_t calls = 0;
    std::uint64_t last_n = 0;
    void operator()(const line_fit<double>& f, const event&) noexcept {
      ++calls;
      last_n = f.n;
    }
  };
  regressor<moments<double>, counter> reg;
  for (int i = 0; i < 10; ++i) reg.push(static_cast<double>(i), line_y(static_cast<double>(i)));
  CHECK(reg.sink().calls == 10);
  CHECK(reg.sink().last_n == 10);
  STATIC_REQUIRE(noexcept(reg.push(1.0, 2.0)));
}

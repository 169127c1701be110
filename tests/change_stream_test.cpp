// SPDX-License-Identifier: MIT
// Tests of change_stream.hpp: the retract/insert shape of the change stream, the CSV writer's
// format (header, 17 significant digits, undefined fits), and the seed stream end to end
// against its reference table.
#include <streamreg/change_stream.hpp>
#include <streamreg/io/csv.hpp>
#include <streamreg/moments.hpp>
#include <streamreg/regressor.hpp>

#include <catch2/catch.hpp>

#include "support/seed_reference.hpp"

#include <cstdint>  // std::uint64_t
#include <cstdio>   // std::FILE, std::tmpfile
#include <cstdlib>  // std::strtod
#include <cstring>  // std::memcmp
#include <fstream>  // std::ifstream
#include <limits>   // std::numeric_limits
#include <string>
#include <string_view>
#include <vector>

namespace {

using streamreg::change_stream;
using streamreg::csv_change_writer;
using streamreg::event;
using streamreg::fit_status;
using streamreg::line_fit;

using Catch::Matchers::WithinRel;

struct change {
  line_fit<double> fit;
  double time;
  int diff;
};

/// An Out for change_stream that records every row.
struct recorder {
  std::vector<change>* rows;
  void operator()(const line_fit<double>& f, double time, int diff) const {
    rows->push_back({f, time, diff});
  }
};

line_fit<double> ok_fit(std::uint64_t n, double intercept, double slope) {
  line_fit<double> f;
  f.n = n;
  f.status = fit_status::ok;
  f.intercept = intercept;
  f.slope = slope;
  return f;
}

line_fit<double> undefined_fit(std::uint64_t n, fit_status s) {
  line_fit<double> f;
  f.n = n;
  f.status = s;
  f.intercept = f.slope = std::numeric_limits<double>::quiet_NaN();
  return f;
}

/// A temporary C stream whose whole content can be read back.
class temp_file {
 public:
  temp_file() : f_(std::tmpfile()) { REQUIRE(f_ != nullptr); }
  temp_file(const temp_file&) = delete;
  temp_file& operator=(const temp_file&) = delete;
  ~temp_file() { std::fclose(f_); }

  std::FILE* get() const noexcept { return f_; }

  std::string contents() const {
    REQUIRE(std::fflush(f_) == 0);
    std::rewind(f_);
    std::string s;
    char buf[256];
    std::size_t got = 0;
    while ((got = std::fread(buf, 1, sizeof buf, f_)) > 0) s.append(buf, got);
    return s;
  }

 private:
  std::FILE* f_;
};

std::vector<std::string> split(std::string_view s, char sep) {
  std::vector<std::string> out;
  for (;;) {
    const std::size_t p = s.find(sep);
    out.emplace_back(s.substr(0, p));
    if (p == std::string_view::npos) return out;
    s.remove_prefix(p + 1);
  }
}

/// Parses a whole decimal field with strtod (the C library, not the code under test).
double parse_double(const std::string& s) {
  REQUIRE_FALSE(s.empty());
  char* end = nullptr;
  const double v = std::strtod(s.c_str(), &end);
  REQUIRE(end == s.c_str() + s.size());
  return v;
}

bool same_bits(double a, double b) { return std::memcmp(&a, &b, sizeof a) == 0; }

/// Number of significant digits of a decimal in plain or exponent notation.
std::size_t significant_digits(std::string_view s) {
  if (!s.empty() && s.front() == '-') s.remove_prefix(1);
  s = s.substr(0, s.find_first_of("eE"));
  std::string digits;
  for (char c : s)
    if (c != '.') digits += c;
  const std::size_t first = digits.find_first_not_of('0');
  return first == std::string::npos ? 0 : digits.size() - first;
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// change_stream

TEST_CASE("change_stream: first emission is one insertion", "[change_stream]") {
  std::vector<change> rows;
  change_stream<double, recorder> cs(recorder{&rows});
  CHECK_FALSE(cs.has_current());
  cs(ok_fit(2, 1.5, -0.25), event{1, 1.0});
  REQUIRE(rows.size() == 1);
  CHECK(rows[0].diff == +1);
  CHECK(rows[0].time == 1.0);
  CHECK(rows[0].fit == ok_fit(2, 1.5, -0.25));
  CHECK(cs.has_current());
  CHECK(cs.current() == ok_fit(2, 1.5, -0.25));
}

TEST_CASE("change_stream: later emissions retract the previous fit, then insert",
          "[change_stream]") {
  std::vector<change> rows;
  auto cs = streamreg::make_change_stream<double>(recorder{&rows});
  const std::vector<line_fit<double>> fits{undefined_fit(1, fit_status::too_few_points),
                                           ok_fit(2, 0.5, 2.0), ok_fit(3, 0.75, 1.5),
                                           ok_fit(4, 0.75, 1.5)};
  const std::vector<double> times{0.0, 1.0, 7.5, 9.0};
  for (std::size_t i = 0; i < fits.size(); ++i) cs(fits[i], event{i, times[i]});

  REQUIRE(rows.size() == 1 + 2 * (fits.size() - 1));
  CHECK(rows[0].diff == +1);
  CHECK(rows[0].time == 0.0);
  CHECK(rows[0].fit.status == fit_status::too_few_points);
  for (std::size_t i = 1; i < fits.size(); ++i) {
    CAPTURE(i);
    const change& retract = rows[2 * i - 1];
    const change& insert = rows[2 * i];
    CHECK(retract.diff == -1);
    CHECK(insert.diff == +1);
    CHECK(retract.time == times[i]);  // both at the new event's time
    CHECK(insert.time == times[i]);
    CHECK(insert.fit == fits[i]);
    // The retraction repeats the previous insertion (NaN coefficients of an undefined fit
    // compare unequal, so compare status and bits).
    CHECK(retract.fit.status == fits[i - 1].status);
    CHECK(retract.fit.n == fits[i - 1].n);
    CHECK(same_bits(retract.fit.intercept, fits[i - 1].intercept));
    CHECK(same_bits(retract.fit.slope, fits[i - 1].slope));
  }
  CHECK(cs.current() == fits.back());
}

TEST_CASE("change_stream: as the sink of a regressor", "[change_stream][regressor]") {
  std::vector<change> rows;
  auto reg = streamreg::make_regressor(streamreg::make_change_stream<double>(recorder{&rows}));
  // y = 1 + 2x on dyadic points: every fit from two points on is exactly (1, 2).
  reg.push(0.0, 1.0);
  reg.push(1.0, 3.0);
  reg.push(2.0, 5.0);
  REQUIRE(rows.size() == 5);
  CHECK(rows[0].diff == 1);
  CHECK(rows[0].time == 0.0);
  CHECK(rows[0].fit.status == fit_status::too_few_points);
  CHECK(rows[1].diff == -1);
  CHECK(rows[1].time == 1.0);
  CHECK(rows[1].fit.status == fit_status::too_few_points);
  CHECK(rows[2].diff == 1);
  CHECK(rows[2].time == 1.0);
  CHECK_THAT(rows[2].fit.intercept, WithinRel(1.0, 1e-15));
  CHECK_THAT(rows[2].fit.slope, WithinRel(2.0, 1e-15));
  CHECK(rows[3].diff == -1);
  CHECK(rows[3].time == 2.0);
  CHECK(rows[3].fit == rows[2].fit);
  CHECK(rows[4].diff == 1);
  CHECK(rows[4].time == 2.0);
  CHECK(rows[4].fit.n == 3);
  CHECK(reg.sink().output().rows == &rows);
}

// ---------------------------------------------------------------------------------------------
// csv_change_writer

TEST_CASE("csv_change_writer: header, then a,b,time,diff rows", "[change_stream][csv]") {
  temp_file tmp;
  {
    csv_change_writer<double> w(tmp.get());
    w(ok_fit(2, 0.5, -2.25), 1.0, 1);
    w(ok_fit(2, 0.5, -2.25), 2.5, -1);
    w(ok_fit(3, 1e20, 3.0), 2.5, 1);
  }
  CHECK(tmp.contents() ==
        "a,b,time,diff\n"
        "0.5,-2.25,1,1\n"
        "0.5,-2.25,2.5,-1\n"
        "1e+20,3,2.5,1\n");
}

TEST_CASE("csv_change_writer: whole times are integers, others shortest", "[change_stream][csv]") {
  temp_file tmp;
  csv_change_writer<double>::options opt;
  opt.header = false;
  {
    csv_change_writer<double> w(tmp.get(), opt);
    for (double t : {1.7e9, 1e15, -3.0, 0.25, 1700000000.5, 1e300})
      w(undefined_fit(0, fit_status::empty), t, 1);
  }
  CHECK(tmp.contents() ==
        ",,1700000000,1\n"  // an epoch second, not 1.7e+09
        ",,1000000000000000,1\n"
        ",,-3,1\n"
        ",,0.25,1\n"
        ",,1700000000.5,1\n"
        ",,1e+300,1\n");
}

TEST_CASE("csv_change_writer: without a header", "[change_stream][csv]") {
  temp_file tmp;
  csv_change_writer<double>::options opt;
  opt.header = false;
  csv_change_writer<double> w(tmp.get(), opt);
  w(ok_fit(2, 4.0, 0.125), 3.0, 1);
  CHECK(tmp.contents() == "4,0.125,3,1\n");
}

TEST_CASE("csv_change_writer: 17 significant digits round-trip exactly",
          "[change_stream][csv]") {
  // 0.1 and 1/3 are not dyadic: their 17-digit forms are 0.10000000000000001 and
  // 0.33333333333333331 (the doubles are 0.1000000000000000055... and 0.3333333333333333148...).
  const std::vector<double> values{0.1,     1.0 / 3.0, -2.0 / 3.0, 1e-300, 6.02214076e23,
                                   0.0,     -0.0,      123456789.123456789, 5e-324,
                                   1.7976931348623157e308};
  temp_file tmp;
  csv_change_writer<double>::options opt;
  opt.header = false;
  {
    csv_change_writer<double> w(tmp.get(), opt);
    for (std::size_t i = 0; i + 1 < values.size(); i += 2)
      w(ok_fit(2, values[i], values[i + 1]), static_cast<double>(i), 1);
  }
  const std::vector<std::string> lines = split(tmp.contents(), '\n');
  REQUIRE(lines.size() == values.size() / 2 + 1);
  CHECK(lines.back().empty());
  CHECK(split(lines[0], ',')[0] == "0.10000000000000001");
  CHECK(split(lines[0], ',')[1] == "0.33333333333333331");
  for (std::size_t i = 0; i < values.size() / 2; ++i) {
    const std::vector<std::string> f = split(lines[i], ',');
    REQUIRE(f.size() == 4);
    for (std::size_t k = 0; k < 2; ++k) {
      CAPTURE(f[k]);
      const double v = values[2 * i + k];
      CHECK(same_bits(parse_double(f[k]), v));
      CHECK(significant_digits(f[k]) <= 17);
    }
    CHECK(parse_double(f[2]) == static_cast<double>(2 * i));
    CHECK(f[3] == "1");
  }
  // Values needing all 17 digits are written with 17.
  CHECK(significant_digits(split(lines[0], ',')[1]) == 17);
  CHECK(significant_digits(split(lines[1], ',')[0]) == 17);  // -2/3
}

TEST_CASE("csv_change_writer: undefined fits are empty fields, or 0,0 in compat mode",
          "[change_stream][csv]") {
  csv_change_writer<double>::options opt;
  opt.header = false;
  SECTION("default: empty a and b") {
    temp_file tmp;
    csv_change_writer<double> w(tmp.get(), opt);
    w(undefined_fit(0, fit_status::empty), 0.0, 1);
    w(undefined_fit(1, fit_status::too_few_points), 0.0, -1);
    w(undefined_fit(5, fit_status::constant_x), 4.0, 1);
    w(undefined_fit(5, fit_status::not_finite), 4.5, 1);
    CHECK(tmp.contents() == ",,0,1\n,,0,-1\n,,4,1\n,,4.5,1\n");
  }
  SECTION("compat: 0,0") {
    opt.compat = true;
    temp_file tmp;
    csv_change_writer<double> w(tmp.get(), opt);
    w(undefined_fit(1, fit_status::too_few_points), 0.0, 1);
    w(undefined_fit(5, fit_status::constant_x), 4.0, -1);
    w(ok_fit(6, 0.5, 0.25), 5.0, 1);  // defined fits are unchanged
    CHECK(tmp.contents() == "0,0,0,1\n0,0,4,-1\n0.5,0.25,5,1\n");
  }
}

TEST_CASE("csv_change_writer: flush_each flushes every row", "[change_stream][csv]") {
  char* buf = nullptr;
  std::size_t size = 0;
  std::FILE* f = open_memstream(&buf, &size);
  REQUIRE(f != nullptr);
  {
    csv_change_writer<double>::options opt;
    opt.flush_each = true;
    csv_change_writer<double> w(f, opt);
    // open_memstream publishes its size on fflush: no fflush here, the writer's only.
    CHECK(size == std::string_view("a,b,time,diff\n").size());
    w(ok_fit(2, 0.5, 1.0), 1.0, 1);
    CHECK(size == std::string_view("a,b,time,diff\n0.5,1,1,1\n").size());
    CHECK(std::string_view(buf, size) == "a,b,time,diff\n0.5,1,1,1\n");
  }
  std::fclose(f);
  std::free(buf);
}

// ---------------------------------------------------------------------------------------------
// The seed stream end to end

namespace {

struct reference_row {
  double time;
  double a;
  double b;
};

// The expected change stream of tests/data/seed_stream.csv (README): time, intercept a,
// slope b of each insertion from time 1 on; time 0 (one point) is undefined.
const std::vector<reference_row> seed_reference = [] {
  std::vector<reference_row> t;
  for (int i = 1; i < 10; ++i)
    t.push_back({static_cast<double>(i), streamreg_test::seed_reference[i][0],
                 streamreg_test::seed_reference[i][1]});
  return t;
}();

std::string run_seed_stream(bool compat) {
  using writer = csv_change_writer<double>;
  using sink = change_stream<double, writer>;
  temp_file tmp;
  writer::options opt;
  opt.compat = compat;
  streamreg::regressor<streamreg::moments<double>, sink> reg{sink(writer(tmp.get(), opt))};

  std::ifstream file(STREAMREG_DATA_DIR "/seed_stream.csv", std::ios::binary);
  REQUIRE(file);
  streamreg::io::csv_reader<double> in(
      file, {streamreg::io::column::parse("x"), streamreg::io::column::parse("y")});
  using result = streamreg::io::csv_reader<double>::result;
  for (result r = in.next(); r != result::end; r = in.next()) {
    REQUIRE(r == result::record);
    REQUIRE(reg.push(in[0], in[1]));
  }
  CHECK(reg.accepted() == 10);
  return tmp.contents();
}

}  // namespace

TEST_CASE("change_stream: the seed stream matches its reference table",
          "[change_stream][csv][seed]") {
  const bool compat = GENERATE(false, true);
  CAPTURE(compat);
  const std::string out = run_seed_stream(compat);

  std::vector<std::string> lines = split(out, '\n');
  REQUIRE(lines.back().empty());  // every row ends with a newline
  lines.pop_back();
  REQUIRE(lines.size() == 1 + 1 + 2 * seed_reference.size());
  CHECK(lines[0] == "a,b,time,diff");

  // Time 0: one point, an undefined fit, inserted.
  CHECK(lines[1] == (compat ? "0,0,0,1" : ",,0,1"));

  std::vector<std::string> previous = split(lines[1], ',');
  std::size_t inserted = 0;
  for (std::size_t i = 2; i < lines.size(); ++i) {
    CAPTURE(i, lines[i]);
    const std::vector<std::string> f = split(lines[i], ',');
    REQUIRE(f.size() == 4);
    if (f[3] == "-1") {
      // A retraction repeats the previous insertion's a and b, at the next insertion's time.
      CHECK(f[0] == previous[0]);
      CHECK(f[1] == previous[1]);
      REQUIRE(i + 1 < lines.size());
      CHECK(split(lines[i + 1], ',')[2] == f[2]);
      CHECK(split(lines[i + 1], ',')[3] == "1");
    } else {
      REQUIRE(f[3] == "1");
      REQUIRE(inserted < seed_reference.size());
      const reference_row& ref = seed_reference[inserted++];
      CHECK(parse_double(f[2]) == ref.time);
      CHECK_THAT(parse_double(f[0]), WithinRel(ref.a, 1e-12));
      CHECK_THAT(parse_double(f[1]), WithinRel(ref.b, 1e-12));
      previous = f;
    }
  }
  CHECK(inserted == seed_reference.size());
}

// SPDX-License-Identifier: MIT
// JSON lines input: values against independently computed fits, every bad-record case named,
// the error policy.
#include <streamreg/json/jsonl.hpp>
#include <streamreg/regressor.hpp>

#include <catch2/catch.hpp>

#include "support/seed_reference.hpp"

#include "support/format.hpp"
#include "support/oracle.hpp"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <unistd.h>  // ::getpid

namespace {

using Catch::Matchers::Contains;
using streamreg::json::jsonl_reader;
using streamreg_test::within_rel_exact;

using streamreg_test::g17;

using reader = jsonl_reader<double>;

}  // namespace

TEST_CASE("jsonl: the fit of JSON lines equals the exact fit of the same records",
          "[json][values]") {
  // Fields in varying order, extra fields of every type, blank lines, CRLF.
  const auto data = streamreg_test::linear_data(20240601, 500, -50.0, 150.0, 3.0, 0.5, 2.0);
  std::string text;
  for (std::size_t i = 0; i < data.size(); ++i) {
    const std::string x = g17(data[i].x), y = g17(data[i].y);
    switch (i % 4) {
      case 0: text += "{\"x\":" + x + ",\"y\":" + y + "}\n"; break;
      case 1: text += "{ \"y\" : " + y + " , \"id\": \"r" + std::to_string(i) + "\", \"x\": " + x + " }\r\n"; break;
      case 2: text += "{\"tags\":[1,{\"a\":null}],\"x\":" + x + ",\"ok\":true,\"y\":" + y + "}\n\n"; break;
      default: text += "  {\"nested\":{\"x\":1},\"y\":" + y + ",\"x\":" + x + "}  \n"; break;
    }
  }
  reader in(std::string_view(text), {"x", "y"});
  auto reg = streamreg::make_regressor(streamreg::null_sink{});
  std::size_t n = 0;
  while (in.next() == reader::result::record) {
    REQUIRE(in[0] == data[n].x);  // read back bit for bit (17 digits round-trip)
    REQUIRE(in[1] == data[n].y);
    reg.push(in[0], in[1]);
    ++n;
    if (n == 2 || n == 37 || n == data.size()) {
      const auto exact = streamreg_test::exact_fit(
          std::vector<streamreg_test::point>(data.begin(), data.begin() + static_cast<long>(n)));
      CHECK_THAT(reg.fit().slope, within_rel_exact<double>(exact.slope, 1e-13));
      CHECK_THAT(reg.fit().intercept, within_rel_exact<double>(exact.intercept, 1e-13));
    }
  }
  CHECK(n == data.size());
  CHECK(in.next() == reader::result::end);
}

TEST_CASE("jsonl: the seed stream as JSON lines gives the reference fits", "[json][values]") {
  // The reference workflow's inserted (a, b) for seed_stream.csv.
  const auto& reference = streamreg_test::seed_reference;
  std::ifstream csv(std::string(STREAMREG_DATA_DIR) + "/seed_stream.csv");
  std::string line, text;
  std::getline(csv, line);  // header
  while (std::getline(csv, line)) {
    const auto comma = line.find(',');
    text += "{\"x\":" + line.substr(0, comma) + ",\"y\":" + line.substr(comma + 1) + "}\n";
  }
  reader in(std::string_view(text), {"x", "y"});
  auto reg = streamreg::make_regressor(streamreg::null_sink{});
  int n = 0;
  while (in.next() == reader::result::record) {
    reg.push(in[0], in[1]);
    if (n++ == 0) continue;
    CHECK_THAT(reg.fit().intercept, Catch::Matchers::WithinRel(reference[n - 1][0], 1e-12));
    CHECK_THAT(reg.fit().slope, Catch::Matchers::WithinRel(reference[n - 1][1], 1e-12));
  }
  CHECK(n == 10);
}

TEST_CASE("jsonl: every bad record names its line, field, text and reason", "[json][errors]") {
  struct bad_case {
    const char* line;
    const char* field;  // "" when the record as a whole is at fault
    const char* reason;
    const char* text;
  };
  const bad_case cases[] = {
      {"{\"x\":1}", "y", "missing field", ""},
      {"{\"x\":1,\"y\":\"2.5\"}", "y", "a string, not a number", "\"2.5\""},
      {"{\"x\":1,\"y\":null}", "y", "null, not a number", "null"},
      {"{\"x\":true,\"y\":1}", "x", "a boolean, not a number", "true"},
      {"{\"x\":[1],\"y\":1}", "x", "an array, not a number", "[1]"},
      {"{\"x\":{\"v\":1},\"y\":1}", "x", "an object, not a number", "{\"v\":1}"},
      {"{\"x\":1,\"y\":2,\"y\":3}", "y", "duplicate field", "3"},
      {"{\"x\":1,\"y\":1e400}", "y", "number out of range", "1e400"},
      {"{\"x\":-123456789012345678901234567890e300,\"y\":1}", "x", "number out of range",
       "-123456789012345678901234567890e300"},
      {"[1,2]", "", "not a JSON object", "[1,2]"},
      {"42", "", "not a JSON object", "42"},
      {"{\"x\":1,\"y\":2", "", "not valid JSON", "{\"x\":1,\"y\":2"},
      {"{\"x\":1 \"y\":2}", "", "not valid JSON", "{\"x\":1 \"y\":2}"},
      {"{\"x\":1,\"y\":2} trailing", "", "not valid JSON", "{\"x\":1,\"y\":2} trailing"},
      {"{\"x\":1,\"y\":2,\"z\":tru}", "", "not valid JSON", "{\"x\":1,\"y\":2,\"z\":tru}"},
      {"{\"x\":NaN,\"y\":2}", "", "not valid JSON", "{\"x\":NaN,\"y\":2}"},
      {"{\"x\":01,\"y\":2}", "x", "malformed number", "01"},
      {"{\"x\":0,\"y\":-}", "y", "malformed number", "-"},
      {"{\"x\":1,\"z\":1e999,\"y\":2}", "", "not valid JSON", "{\"x\":1,\"z\":1e999,\"y\":2}"},
      {"{\"x\":123456789012345678901234,\"y\":2}", "", "not valid JSON",
       "{\"x\":123456789012345678901234,\"y\":2}"},
      {"x,y", "", "not valid JSON", "x,y"},
  };
  for (const auto& c : cases) {
    CAPTURE(c.line);
    const std::string text = std::string("{\"x\":0,\"y\":0}\n\n") + c.line + "\n{\"x\":1,\"y\":1}\n";
    reader in(std::string_view(text), {"x", "y"});
    REQUIRE(in.next() == reader::result::record);
    REQUIRE(in.next() == reader::result::error);
    const streamreg::parse_error& e = in.error();
    CHECK(e.line() == 3);
    CHECK(in.line() == 3);
    CHECK(e.column_name() == c.field);
    CHECK_THAT(e.reason(), Contains(c.reason));
    CHECK(e.text() == c.text);
    const std::string where =
        std::string("line 3") + (*c.field ? std::string(", field '") + c.field + "'" : "");
    CHECK(std::string(e.what()).rfind(where + ": " + c.reason, 0) == 0);
    // The reader goes on after a bad record.
    REQUIRE(in.next() == reader::result::record);
    CHECK(in[0] == 1.0);
    CHECK(in.next() == reader::result::end);
  }
}

TEST_CASE("jsonl: numeric strings are numbers only when asked", "[json][strings]") {
  const std::string text = "{\"x\":\"1.5\",\"y\":\" 2\"}\n{\"x\":\"+3\",\"y\":\"abc\"}\n{\"x\":1,\"y\":\"1e999\"}\n";
  streamreg::json::format fmt;
  fmt.numeric_strings = true;
  reader in(std::string_view(text), {"x", "y"}, fmt);
  REQUIRE(in.next() == reader::result::error);  // " 2": from_chars reads no blanks
  CHECK(in.error().column_name() == "y");
  REQUIRE(in.next() == reader::result::error);
  CHECK(in.error().reason() == "a string that is not a number");
  CHECK(in.error().text() == "\"abc\"");
  REQUIRE(in.next() == reader::result::error);
  CHECK(in.error().reason() == "number out of range");
  const std::string good = "{\"x\":\"1.5\",\"y\":\"-2e3\"}\n";
  reader ok(std::string_view(good), {"x", "y"}, fmt);
  REQUIRE(ok.next() == reader::result::record);
  CHECK(ok[0] == 1.5);
  CHECK(ok[1] == -2000.0);
  reader strict(std::string_view(good), {"x", "y"});
  CHECK(strict.next() == reader::result::error);
}

TEST_CASE("jsonl: keys are compared unescaped, numbers of every JSON form", "[json][values]") {
  const std::string text =
      "{\"\\u0078\":-0.0,\"y\":1E2}\n{\"x\":18446744073709551615,\"y\":-9223372036854775808}\n"
      "{\"x\":4.9e-324,\"y\":1.7976931348623157e308}\n";
  reader in(std::string_view(text), {"x", "y"});
  REQUIRE(in.next() == reader::result::record);
  CHECK(in[0] == 0.0);
  CHECK(in[1] == 100.0);
  REQUIRE(in.next() == reader::result::record);
  CHECK(in[0] == 18446744073709551615.0);
  CHECK(in[1] == -9223372036854775808.0);
  REQUIRE(in.next() == reader::result::record);
  CHECK(in[0] == 4.9e-324);
  CHECK(in[1] == 1.7976931348623157e308);
  // In float, 1e300 is not finite: a bad record, not an infinity in the state.
  const std::string big = "{\"x\":1e300,\"y\":1}\n{\"x\":0.5,\"y\":0.25}\n";
  jsonl_reader<float> f(std::string_view(big), {"x", "y"});
  REQUIRE(f.next() == jsonl_reader<float>::result::error);
  CHECK(f.error().reason() == "not a finite number");
  REQUIRE(f.next() == jsonl_reader<float>::result::record);
  CHECK(f[0] == 0.5f);
  jsonl_reader<long double> l(std::string_view(big), {"y", "x"});
  REQUIRE(l.next() == jsonl_reader<long double>::result::record);
  CHECK(l[1] == static_cast<long double>(1e300));
}

TEST_CASE("jsonl: error policy fail throws, skip counts, stop ends", "[json][errors]") {
  const std::string text = "{\"x\":0,\"y\":1}\n{\"x\":1}\n{\"x\":2,\"y\":5}\n{\"x\":\"3\",\"y\":7}\n{\"x\":4,\"y\":9}\n";
  {
    reader in(std::string_view(text), {"x", "y"});
    CHECK_THROWS_AS(streamreg::json::read_all(in, streamreg::io::error_policy::fail,
                                              [](const auto&, std::uint64_t) {},
                                              [](const streamreg::parse_error&) {}),
                    streamreg::parse_error);
  }
  {
    reader in(std::string_view(text), {"x", "y"});
    std::vector<std::uint64_t> good, bad;
    auto reg = streamreg::make_regressor(streamreg::null_sink{});
    const auto s = streamreg::json::read_all(
        in, streamreg::io::error_policy::skip,
        [&](const std::vector<double>& v, std::uint64_t line) {
          good.push_back(line);
          reg.push(v[0], v[1]);
        },
        [&](const streamreg::parse_error& e) { bad.push_back(e.line()); });
    CHECK(s.records == 3);
    CHECK(s.skipped == 2);
    CHECK_FALSE(s.stopped);
    CHECK(good == std::vector<std::uint64_t>{1, 3, 5});
    CHECK(bad == std::vector<std::uint64_t>{2, 4});
    // (0,1), (2,5), (4,9) lie on y = 1 + 2x.
    CHECK(reg.fit().intercept == 1.0);
    CHECK(reg.fit().slope == 2.0);
  }
  {
    reader in(std::string_view(text), {"x", "y"});
    std::uint64_t records = 0;
    const auto s = streamreg::json::read_all(
        in, streamreg::io::error_policy::stop, [&](const auto&, std::uint64_t) { ++records; },
        [](const streamreg::parse_error&) {});
    CHECK(s.stopped);
    CHECK(records == 1);
  }
}

TEST_CASE("jsonl: one message, resuming, configuration errors", "[json]") {
  const auto v = streamreg::json::parse_object("{\"t\":17,\"x\":2.5}", {"x", "t"});
  CHECK(v == std::vector<double>{2.5, 17.0});
  CHECK_THROWS_WITH(streamreg::json::parse_object("{\"t\":17}", {"x"}),
                    "line 1, field 'x': missing field");
  CHECK_THROWS_WITH(streamreg::json::parse_object("", {"x"}),
                    "line 1: empty record: no JSON object");
  CHECK_THROWS_AS(reader(std::string_view("{}"), {}), streamreg::config_error);
  CHECK_THROWS_AS(reader(std::string_view("{}"), {"x", "x"}), streamreg::config_error);
  const std::string text = "{\"x\":1,\"y\":1}\n{\"x\":2,\"y\":2}\n\n{\"x\":3,\"y\":4}\n";
  reader in(std::string_view(text), {"x", "y"});
  REQUIRE(in.skip_through(2));
  REQUIRE(in.next() == reader::result::record);
  CHECK(in.line() == 4);
  CHECK(in[1] == 4.0);
  const auto e = in.field_error(1, "4", "weight must be positive");
  CHECK(std::string(e.what()) == "line 4, field 'y': weight must be positive: '4'");
  reader short_input(std::string_view(text), {"x", "y"});
  CHECK_FALSE(short_input.skip_through(9));
}

TEST_CASE("jsonl: a file by its path, and a missing one is an io_error naming it, not 0 records",
          "[json][file]") {
  namespace fs = std::filesystem;
  const fs::path dir = fs::temp_directory_path() / ("streamreg_jsonl_file_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  const fs::path present = dir / "in.jsonl", absent = dir / "absent.jsonl";
  std::ofstream(present, std::ios::binary) << "{\"x\":1,\"y\":-2.5}\n\n{\"y\":3,\"x\":0.25}\n";
  {
    reader in(present, {"x", "y"});
    REQUIRE(in.next() == reader::result::record);
    CHECK(in.values() == std::vector<double>{1.0, -2.5});
    REQUIRE(in.next() == reader::result::record);
    CHECK(in.values() == std::vector<double>{0.25, 3.0});
    CHECK(in.line() == 3);
    CHECK(in.next() == reader::result::end);
  }
  bool raised = false;
  try {
    reader in(absent, {"x", "y"});
  } catch (const streamreg::io_error& e) {
    raised = true;
    CHECK(e.path() == absent.string());
    CHECK_THAT(e.what(), Contains("cannot open '" + absent.string() + "'") &&
                             Contains("No such file or directory"));
  }
  CHECK(raised);
  CHECK_THROWS_WITH(reader(dir, {"x", "y"}), Contains("it is a directory"));
  fs::remove_all(dir);
}

TEST_CASE("jsonl: the readers' one column type: strings, io::column values, old vectors",
          "[json][column]") {
  const std::string_view text = "{\"x\":0.5,\"y\":-1,\"3\":7}\n";
  const auto first = [](reader&& in) {
    REQUIRE(in.next() == reader::result::record);
    return in.values();
  };
  using streamreg::io::column;
  CHECK(first(reader(text, {"x", "y"})) == std::vector<double>{0.5, -1.0});
  CHECK(first(reader(text, std::vector<std::string>{"y", "x"})) == std::vector<double>{-1.0, 0.5});
  CHECK(first(reader(text, std::vector<column>{column::named("x"), "y"})) ==
        std::vector<double>{0.5, -1.0});
  // A name that looks like a number is a field's name: objects have no positions.
  CHECK(first(reader(text, {"3", "x"})) == std::vector<double>{7.0, 0.5});
  CHECK(first(reader(text, {column::at(3), "x"})) == std::vector<double>{7.0, 0.5});
  CHECK_THROWS_WITH(reader(text, {column("", 2)}), Contains("selected by name"));
  streamreg::json::message_parser<double> p({"y"});
  REQUIRE(p.parse("{\"y\":2.5}", 1));
  CHECK(p.values() == std::vector<double>{2.5});
}

TEST_CASE("jsonl: the documented read loop reports a bad line (line, field, text), goes on",
          "[json][errors]") {
  namespace json = streamreg::json;
  std::istringstream file("{\"x\":1,\"y\":2}\n{\"x\":1,\"y\":\"5\"}\n{\"y\":4.5,\"x\":3}\n");
  std::vector<std::string> errors;
  const auto report = [&errors](const streamreg::parse_error& e) { errors.push_back(e.what()); };
  std::vector<std::vector<double>> pushed;
  struct {
    std::vector<std::vector<double>>* out;
    void push(double x, double y) { out->push_back({x, y}); }
  } reg{&pushed};
  // The loop of json/jsonl.hpp's documentation, as written there (a stream for the path).
  json::jsonl_reader<double> in(file, {"x", "y"});
  for (auto r = in.next(); r != json::jsonl_reader<double>::result::end; r = in.next()) {
    if (r == json::jsonl_reader<double>::result::error) {  // a bad line: not the end of input
      report(in.error());                                   // names the line and field
      continue;                                             // (or stop)
    }
    reg.push(in[0], in[1]);
  }
  CHECK(pushed == std::vector<std::vector<double>>{{1.0, 2.0}, {3.0, 4.5}});
  CHECK(errors ==
        std::vector<std::string>{"line 2, field 'y': a string, not a number: '\"5\"'"});
}

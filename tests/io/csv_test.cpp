// SPDX-License-Identifier: MIT
// Tests of io/csv.hpp: header and column selection, CSV syntax (CRLF, quotes, comments,
// whitespace mode, '+', BOM), NIST "Data:" files, errors with line and column, error policies.
//
// Oracles: the numbers written literally in the inputs (dyadic values such as 0.5 or -2.25 are
// exact in binary, and a decimal like 0.1 must equal the compiler's own conversion of the
// literal 0.1, since both are correctly rounded).
#include <streamreg/io/csv.hpp>

#include <catch2/catch.hpp>

#include <cstddef>  // std::size_t
#include <cstdint>  // std::uint64_t
#include <fstream>  // std::ifstream
#include <sstream>  // std::istringstream
#include <string>
#include <string_view>
#include <utility>  // std::forward
#include <vector>

namespace {

using streamreg::config_error;
using streamreg::parse_error;
using streamreg::io::column;
using streamreg::io::csv_format;
using reader = streamreg::io::csv_reader<double>;
using result = reader::result;

struct row {
  double a;
  double b;
  std::uint64_t line;
  friend bool operator==(const row& l, const row& r) {
    return l.a == r.a && l.b == r.b && l.line == r.line;
  }
};

std::ostream& operator<<(std::ostream& os, const row& r) {
  return os << "line " << r.line << ": (" << r.a << ", " << r.b << ")";
}

/// All records of a two-column reader, which must contain no bad line.
std::vector<row> records(reader& in) {
  std::vector<row> out;
  for (;;) {
    const result r = in.next();
    if (r == result::end) break;
    if (r == result::error) FAIL("unexpected parse error: " << in.error().what());
    REQUIRE(in.values().size() == 2);
    out.push_back({in[0], in[1], in.line()});
  }
  CHECK(in.next() == result::end);  // stays at the end
  return out;
}

std::vector<column> cols(std::string_view a, std::string_view b) {
  return {column::parse(a), column::parse(b)};
}

/// The message of the config_error raised by opening `text` with `columns`.
template <class... Args>
std::string config_message(Args&&... args) {
  try {
    reader in(std::forward<Args>(args)...);
  } catch (const config_error& e) {
    return e.what();
  }
  FAIL("no config_error raised");
  return {};
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Header and column selection

TEST_CASE("csv: columns by header name, in the order asked", "[csv][columns]") {
  const std::string text = "x,y,z\n0.5,-2.25,8\n1e3,0.125,9\n";
  reader in(std::string_view(text), cols("z", "x"));
  CHECK(in.schema().names() == std::vector<std::string>{"x", "y", "z"});
  CHECK(in.schema().positions() == std::vector<std::size_t>{2, 0});
  CHECK(in.schema().label(0) == "z");
  CHECK(in.schema().label(1) == "x");
  CHECK(records(in) == std::vector<row>{{8.0, 0.5, 2}, {9.0, 1000.0, 3}});
}

TEST_CASE("csv: columns by 1-based index with a header", "[csv][columns]") {
  const std::string text = "x,y,z\n0.5,-2.25,8\n1e3,0.125,9\n";
  reader in(std::string_view(text), cols("2", "1"));
  CHECK(in.schema().positions() == std::vector<std::size_t>{1, 0});
  CHECK(in.schema().label(0) == "y");  // the header's name, not the number
  CHECK(records(in) == std::vector<row>{{-2.25, 0.5, 2}, {0.125, 1000.0, 3}});
}

TEST_CASE("csv: a column selected twice gives its value in both places", "[csv][columns]") {
  // As `--x t --time t`: the time column is also the predictor. Both paths of the row parser
  // (plain fields, and quoted ones), by name and by number.
  const std::string text = "t,y\n1,2\n\"3\",4\n";
  for (const auto& c : {cols("t", "t"), cols("t", "1"), cols("1", "t")}) {
    reader in(std::string_view(text), c);
    CHECK(records(in) == std::vector<row>{{1.0, 1.0, 2}, {3.0, 3.0, 3}});
  }
  // A missing field is still reported when the column selected twice is absent.
  reader in(std::string_view("x,y\n1,2\n5\n"), {column::parse("y"), column::parse("x"),
                                                 column::parse("y")});
  REQUIRE(in.next() == result::record);
  CHECK(in.values() == std::vector<double>{2.0, 1.0, 2.0});
  REQUIRE(in.next() == result::error);
  CHECK_THAT(in.error().what(), Catch::Matchers::Contains("column 2 (y): missing field"));
}

TEST_CASE("csv: column::parse and column::at", "[csv][columns]") {
  CHECK(column::parse("3").index == 3);
  CHECK(column::parse("3").name == "3");
  CHECK(column::parse("x").index == 0);
  CHECK(column::parse("x").name == "x");
  CHECK(column::parse("0").index == 0);   // positions are 1-based
  CHECK(column::parse("2a").index == 0);  // not entirely a number
  CHECK(column::parse("-1").index == 0);
  CHECK(column::at(4).index == 4);
  CHECK(column::named("7").index == 0);
}

TEST_CASE("csv: a name that looks like a number matches the header first", "[csv][columns]") {
  // Header "2,x": column "2" is the first column (named "2"), not the second.
  reader in(std::string_view("2,x\n5,6\n"), {column::parse("2"), column::parse("x")});
  CHECK(in.schema().positions() == std::vector<std::size_t>{0, 1});
  CHECK(records(in) == std::vector<row>{{5.0, 6.0, 2}});
}

TEST_CASE("csv: header-less input by index", "[csv][columns]") {
  csv_format fmt;
  fmt.header = false;
  reader in(std::string_view("1,2,3\n4.5,5.5,6.5\n"), {column::at(3), column::at(1)}, fmt);
  CHECK(in.schema().names().empty());
  CHECK(in.schema().label(0) == "3");
  CHECK(records(in) == std::vector<row>{{3.0, 1.0, 1}, {6.5, 4.5, 2}});
}

TEST_CASE("csv: extra fields beyond the selected columns are ignored", "[csv][columns]") {
  reader in(std::string_view("x,y,note\n1,2,hello\n3,4,\"a, b\"\n5,6,not-a-number\n"),
            cols("x", "y"));
  CHECK(records(in) == std::vector<row>{{1.0, 2.0, 2}, {3.0, 4.0, 3}, {5.0, 6.0, 4}});
}

TEST_CASE("csv: unknown column is a config_error naming the header's columns",
          "[csv][columns][errors]") {
  const std::string text = "time,x,y\n1,2,3\n";
  const std::string msg = config_message(std::string_view(text), cols("x", "w"));
  CHECK_THAT(msg, Catch::Matchers::Contains("'w'"));
  CHECK_THAT(msg, Catch::Matchers::Contains("time, x, y"));

  CHECK_THROWS_AS(reader(std::string_view(text), cols("x", "Y")), config_error);  // exact case
}

TEST_CASE("csv: column number beyond the header is a config_error", "[csv][columns][errors]") {
  const std::string msg = config_message(std::string_view("x,y\n1,2\n"), cols("1", "3"));
  CHECK_THAT(msg, Catch::Matchers::Contains("3"));
  CHECK_THAT(msg, Catch::Matchers::Contains("2 columns"));
}

TEST_CASE("csv: a name without a header is a config_error", "[csv][columns][errors]") {
  csv_format fmt;
  fmt.header = false;
  const std::string msg = config_message(std::string_view("1,2\n"), cols("x", "2"), fmt);
  CHECK_THAT(msg, Catch::Matchers::Contains("'x'"));
  CHECK_THAT(msg, Catch::Matchers::Contains("no header"));
}

TEST_CASE("csv: empty input has no header", "[csv][errors]") {
  CHECK_THROWS_AS(reader(std::string_view(""), cols("x", "y")), config_error);
  CHECK_THROWS_AS(reader(std::string_view("\n# only a comment\n  \n"), cols("x", "y")),
                  config_error);
}

TEST_CASE("csv: a header with no data has no records", "[csv]") {
  reader in(std::string_view("x,y\n"), cols("x", "y"));
  CHECK(in.next() == result::end);
}

// ---------------------------------------------------------------------------------------------
// Syntax

TEST_CASE("csv: CRLF line ends", "[csv][crlf]") {
  reader in(std::string_view("x,y\r\n1.5,2\r\n\r\n-3,4.75\r\n"), cols("x", "y"));
  CHECK(in.schema().names() == std::vector<std::string>{"x", "y"});  // no "y\r"
  CHECK(records(in) == std::vector<row>{{1.5, 2.0, 2}, {-3.0, 4.75, 4}});
}

TEST_CASE("csv: the last line without newline", "[csv]") {
  reader in(std::string_view("x,y\n1,2\n3,4"), cols("x", "y"));
  CHECK(records(in) == std::vector<row>{{1.0, 2.0, 2}, {3.0, 4.0, 3}});
}

TEST_CASE("csv: blanks around fields are ignored", "[csv]") {
  reader in(std::string_view(" x , y \n  1.25 ,\t2  \n"), cols("x", "y"));
  CHECK(in.schema().names() == std::vector<std::string>{"x", "y"});
  CHECK(records(in) == std::vector<row>{{1.25, 2.0, 2}});
}

TEST_CASE("csv: quoted fields", "[csv][quotes]") {
  SECTION("quoted numbers") {
    reader in(std::string_view("x,y\n\"1.5\",\"-0.25\"\n\"3\",4\n"), cols("x", "y"));
    CHECK(records(in) == std::vector<row>{{1.5, -0.25, 2}, {3.0, 4.0, 3}});
  }
  SECTION("a quoted header name containing the delimiter") {
    reader in(std::string_view("\"price, EUR\",\"y\"\n2.5,3.5\n"), cols("price, EUR", "y"));
    CHECK(in.schema().names() == std::vector<std::string>{"price, EUR", "y"});
    CHECK(in.schema().positions() == std::vector<std::size_t>{0, 1});
    CHECK(records(in) == std::vector<row>{{2.5, 3.5, 2}});
  }
  SECTION("a quoted field with the delimiter before the selected column") {
    reader in(std::string_view("note,x,y\n\"a,b,c\",1,2\n"), cols("x", "y"));
    CHECK(records(in) == std::vector<row>{{1.0, 2.0, 2}});
  }
  SECTION("a quoted field with doubled quotes before the selected column") {
    reader in(std::string_view("note,x,y\n\"say \"\"1,2\"\"\",3,4\n"), cols("x", "y"));
    CHECK(records(in) == std::vector<row>{{3.0, 4.0, 2}});
  }
}

TEST_CASE("csv: blank and comment lines are skipped but counted", "[csv][comments]") {
  const std::string text =
      "# a comment before the header\n"  // 1
      "\n"                               // 2
      "x,y\n"                            // 3
      "   # an indented comment\n"       // 4
      "1,2\n"                            // 5
      "\n"                               // 6
      " \t \n"                           // 7
      "#3,4\n"                           // 8
      "5,6\n";                           // 9
  reader in(std::string_view(text), cols("x", "y"));
  CHECK(records(in) == std::vector<row>{{1.0, 2.0, 5}, {5.0, 6.0, 9}});
}

TEST_CASE("csv: another comment character, or none", "[csv][comments]") {
  SECTION("';'") {
    csv_format fmt;
    fmt.comment = ';';
    reader in(std::string_view("x,y\n; note\n1,2\n"), cols("x", "y"), fmt);
    CHECK(records(in) == std::vector<row>{{1.0, 2.0, 3}});
  }
  SECTION("none: a '#' line is data (and here a bad one)") {
    csv_format fmt;
    fmt.comment = '\0';
    reader in(std::string_view("x,y\n#1,2\n3,4\n"), cols("x", "y"), fmt);
    REQUIRE(in.next() == result::error);
    CHECK(in.error().line() == 2);
    CHECK(in.error().column() == 1);
    REQUIRE(in.next() == result::record);
    CHECK(in[0] == 3.0);
  }
}

TEST_CASE("csv: another delimiter", "[csv]") {
  csv_format fmt;
  fmt.delimiter = ';';
  reader in(std::string_view("x;y\n1,5;2\n"), cols("x", "y"), fmt);
  REQUIRE(in.next() == result::error);  // "1,5" is not a number (no decimal comma)
  CHECK(in.error().column() == 1);
  CHECK(in.error().text() == "1,5");

  reader in2(std::string_view("x;y\n1.5;2\n"), cols("x", "y"), fmt);
  CHECK(records(in2) == std::vector<row>{{1.5, 2.0, 2}});
}

TEST_CASE("csv: whitespace-separated fields", "[csv][whitespace]") {
  csv_format fmt;
  fmt.whitespace = true;
  const std::string text = "  x \t y\n1.5    2\n\t-3\t\t4.25   \n\n7 8\r\n";
  reader in(std::string_view(text), cols("y", "x"), fmt);
  CHECK(in.schema().names() == std::vector<std::string>{"x", "y"});
  CHECK(records(in) == std::vector<row>{{2.0, 1.5, 2}, {4.25, -3.0, 3}, {8.0, 7.0, 5}});
}

TEST_CASE("csv: a leading '+' is accepted", "[csv][numbers]") {
  reader in(std::string_view("x,y\n+1.5,+2e1\n+0,-0.5\n"), cols("x", "y"));
  CHECK(records(in) == std::vector<row>{{1.5, 20.0, 2}, {0.0, -0.5, 3}});
}

TEST_CASE("csv: '+' must be followed by a number", "[csv][numbers][errors]") {
  for (const char* field : {"+", "+-1", "++1", "+ 1"}) {
    CAPTURE(field);
    const std::string text = std::string("x,y\n1,") + field + "\n";
    reader in(std::string_view(text), cols("x", "y"));
    REQUIRE(in.next() == result::error);
    CHECK(in.error().column() == 2);
    CHECK(in.error().text() == field);
  }
}

TEST_CASE("csv: numbers are parsed exactly", "[csv][numbers]") {
  // Correct rounding: each field equals the compiler's conversion of the same literal.
  reader in(std::string_view("x,y\n"
                             "0.1,0.2\n"
                             "-1e-300,1.7976931348623157e308\n"
                             "123456789012345678,5e-324\n"
                             "0.30000000000000004,2.2250738585072014E-308\n"),
            cols("x", "y"));
  CHECK(records(in) == std::vector<row>{{0.1, 0.2, 2},
                                        {-1e-300, 1.7976931348623157e308, 3},
                                        {123456789012345678.0, 5e-324, 4},
                                        {0.30000000000000004, 2.2250738585072014E-308, 5}});
}

TEST_CASE("csv: a UTF-8 byte order mark before the header", "[csv][bom]") {
  reader in(std::string_view("\xEF\xBB\xBFx,y\n1,2\n"), cols("x", "y"));
  CHECK(in.schema().names() == std::vector<std::string>{"x", "y"});
  CHECK(records(in) == std::vector<row>{{1.0, 2.0, 2}});
}

TEST_CASE("csv: a std::istream source and a chunk source", "[csv]") {
  const std::string text = "x,y\n0.5,1\n# c\n2,4.5\n";
  const std::vector<row> expected{{0.5, 1.0, 2}, {2.0, 4.5, 4}};
  SECTION("istream") {
    std::istringstream is(text);
    reader in(is, cols("x", "y"));
    CHECK(records(in) == expected);
  }
  SECTION("chunk callback, 3 bytes at a time") {
    std::size_t pos = 0;
    streamreg::io::line_reader::chunk_source src = [&](char* buf, std::size_t n) {
      std::size_t k = 0;
      while (k < n && k < 3 && pos < text.size()) buf[k++] = text[pos++];
      return k;
    };
    reader in(src, cols("x", "y"));
    CHECK(records(in) == expected);
  }
}

TEST_CASE("csv: float and long double readers", "[csv][numbers]") {
  streamreg::io::csv_reader<float> f(std::string_view("x\n0.1\n"), {column::parse("x")});
  REQUIRE(f.next() == streamreg::io::csv_reader<float>::result::record);
  CHECK(f[0] == 0.1f);

  streamreg::io::csv_reader<long double> l(std::string_view("x\n0.1\n"), {column::parse("x")});
  REQUIRE(l.next() == streamreg::io::csv_reader<long double>::result::record);
  CHECK(l[0] == 0.1L);
}

// ---------------------------------------------------------------------------------------------
// NIST StRD files

TEST_CASE("csv: skip_to_data reads a NIST StRD file", "[csv][nist]") {
  std::ifstream file(STREAMREG_DATA_DIR "/nist/Norris.dat", std::ios::binary);
  REQUIRE(file);
  csv_format fmt;
  fmt.skip_to_data = true;
  fmt.whitespace = true;
  reader in(file, cols("x", "y"), fmt);
  // The names come from the last "Data:" line ("Data:       y          x"), not from the
  // "Data:          1 Response Variable (y)" line near the top.
  CHECK(in.schema().names() == std::vector<std::string>{"y", "x"});
  CHECK(in.schema().positions() == std::vector<std::size_t>{1, 0});

  const std::vector<row> r = records(in);
  REQUIRE(r.size() == 36);
  // Data are lines 61 to 96 of the file (its header says so), CRLF line ends.
  CHECK(r.front() == row{0.2, 0.1, 61});
  CHECK(r[1] == row{337.4, 338.8, 62});
  CHECK(r.back() == row{0.5, 0.2, 96});
  for (std::size_t i = 0; i < r.size(); ++i) CHECK(r[i].line == 61 + i);
}

TEST_CASE("csv: skip_to_data without a Data: line is a config_error", "[csv][nist][errors]") {
  csv_format fmt;
  fmt.skip_to_data = true;
  fmt.whitespace = true;
  const std::string msg = config_message(std::string_view("x y\n1 2\n"), cols("x", "y"), fmt);
  CHECK_THAT(msg, Catch::Matchers::Contains("Data:"));
}

TEST_CASE("csv: skip_to_data on an in-memory file", "[csv][nist]") {
  csv_format fmt;
  fmt.skip_to_data = true;
  fmt.whitespace = true;
  const std::string text =
      "Title\n"
      "Data:   2 things\n"
      "\n"
      "Data:  a   b\n"
      "  1.5   -2\n"
      "\n"
      "  3     4.5";
  reader in(std::string_view(text), cols("b", "a"), fmt);
  CHECK(records(in) == std::vector<row>{{-2.0, 1.5, 5}, {4.5, 3.0, 7}});
}

// ---------------------------------------------------------------------------------------------
// Errors

TEST_CASE("csv: error names line and column, and the reader goes on", "[csv][errors]") {
  const std::string text =
      "x,y\n"         // 1
      "1,2\n"         // 2
      "abc,3\n"       // 3: not a number in x
      "4,nan\n"       // 4: NaN in y
      "# skipped\n"   // 5
      "inf,5\n"       // 6: infinity in x
      "6,1e400\n"     // 7: out of range in y
      "7\n"           // 8: y missing
      "8,-inf\n"      // 9: -infinity in y
      "9,\n"          // 10: y empty
      "\"10,11\n"     // 11: unterminated quote
      "10,11\n";      // 12
  reader in(std::string_view(text), cols("x", "y"));

  struct expected_error {
    std::uint64_t line;
    std::size_t column;
    std::string name;
    std::string text;
    std::string reason;
  };
  const std::vector<expected_error> errors{
      {3, 1, "x", "abc", "not a number"},
      {4, 2, "y", "nan", "not a finite number"},
      {6, 1, "x", "inf", "not a finite number"},
      {7, 2, "y", "1e400", "out of range"},
      {8, 2, "y", "", "missing field"},
      {9, 2, "y", "-inf", "not a finite number"},
      {10, 2, "y", "", "not a number"},
  };

  REQUIRE(in.next() == result::record);
  CHECK(in[0] == 1.0);
  CHECK(in[1] == 2.0);
  for (const expected_error& want : errors) {
    CAPTURE(want.line);
    REQUIRE(in.next() == result::error);
    const parse_error& e = in.error();
    CHECK(in.line() == want.line);
    CHECK(e.line() == want.line);
    CHECK(e.column() == want.column);
    CHECK(e.column_name() == want.name);
    CHECK(e.text() == want.text);
    CHECK_THAT(e.reason(), Catch::Matchers::Contains(want.reason));
    const std::string what = e.what();
    CHECK_THAT(what, Catch::Matchers::Contains("line " + std::to_string(want.line)));
    CHECK_THAT(what, Catch::Matchers::Contains("column " + std::to_string(want.column) + " (" +
                                               want.name + ")"));
    CHECK_THAT(what, Catch::Matchers::Contains(want.reason));
    CHECK_THAT(what, Catch::Matchers::Contains("'" + want.text + "'"));
  }

  // An unterminated quote spoils the rest of the line: the error names the field where the
  // quote opens, and the whole line is the offending text.
  REQUIRE(in.next() == result::error);
  CHECK(in.error().line() == 11);
  CHECK(in.error().column() == 1);
  CHECK(in.error().column_name() == "x");
  CHECK(in.error().text() == "\"10,11");
  CHECK_THAT(in.error().what(), Catch::Matchers::Contains("line 11"));
  CHECK_THAT(in.error().what(), Catch::Matchers::Contains("unterminated quote"));

  REQUIRE(in.next() == result::record);
  CHECK(in.line() == 12);
  CHECK(in[0] == 10.0);
  CHECK(in[1] == 11.0);
  CHECK(in.next() == result::end);
}

TEST_CASE("csv: error columns are field numbers of the input, not of the selection",
          "[csv][errors]") {
  // Selected: z (field 3) then x (field 1). A bad z is column 3; the name is the header's.
  reader in(std::string_view("x,y,z\n1,2,oops\n1,2\n"), cols("z", "x"));
  REQUIRE(in.next() == result::error);
  CHECK(in.error().line() == 2);
  CHECK(in.error().column() == 3);
  CHECK(in.error().column_name() == "z");
  CHECK(in.error().text() == "oops");
  REQUIRE(in.next() == result::error);
  CHECK(in.error().line() == 3);
  CHECK(in.error().column() == 3);
  CHECK_THAT(in.error().reason(), Catch::Matchers::Contains("(the line has 2)"));
}

TEST_CASE("csv: without a header, error names are column numbers", "[csv][errors]") {
  csv_format fmt;
  fmt.header = false;
  reader in(std::string_view("1,x\n"), {column::at(1), column::at(2)}, fmt);
  REQUIRE(in.next() == result::error);
  CHECK(in.error().line() == 1);
  CHECK(in.error().column() == 2);
  CHECK(in.error().column_name() == "2");
  CHECK(in.error().text() == "x");
}

TEST_CASE("csv: a long bad field is shortened in the error", "[csv][errors]") {
  const std::string junk(1000, 'q');
  const std::string text = "x,y\n1," + junk + "\n";
  reader in(std::string_view(text), cols("x", "y"));
  REQUIRE(in.next() == result::error);
  CHECK(in.error().text().size() < 100);
  CHECK_THAT(in.error().text(), Catch::Matchers::StartsWith("qqqq"));
  CHECK(std::string(in.error().what()).size() < 200);
}

// ---------------------------------------------------------------------------------------------
// read_all and the error policies

namespace {

const std::string policy_input =
    "x,y\n"     // 1
    "1,2\n"     // 2
    "3,x\n"     // 3 bad
    "5,6\n"     // 4
    "\n"        // 5
    "7\n"       // 6 bad
    "0.5,8\n";  // 7

struct policy_run {
  std::vector<row> good;
  std::vector<std::uint64_t> bad_lines;
  streamreg::io::read_summary summary;
};

policy_run run(streamreg::io::error_policy policy) {
  reader in(std::string_view(policy_input), cols("x", "y"));
  policy_run r;
  r.summary = streamreg::io::read_all(
      in, policy,
      [&r](const std::vector<double>& v, std::uint64_t line) {
        REQUIRE(v.size() == 2);
        r.good.push_back({v[0], v[1], line});
      },
      [&r](const parse_error& e) { r.bad_lines.push_back(e.line()); });
  return r;
}

}  // namespace

TEST_CASE("csv: read_all with error_policy::fail raises the parse_error",
          "[csv][read_all][errors]") {
  reader in(std::string_view(policy_input), cols("x", "y"));
  std::vector<row> good;
  bool bad_called = false;
  try {
    streamreg::io::read_all(
        in, streamreg::io::error_policy::fail,
        [&good](const std::vector<double>& v, std::uint64_t line) {
          good.push_back({v[0], v[1], line});
        },
        [&bad_called](const parse_error&) { bad_called = true; });
    FAIL("no parse_error raised");
  } catch (const parse_error& e) {
    CHECK(e.line() == 3);
    CHECK(e.column() == 2);
    CHECK(e.column_name() == "y");
    CHECK(e.text() == "x");
  }
  CHECK_FALSE(bad_called);
  CHECK(good == std::vector<row>{{1.0, 2.0, 2}});
}

TEST_CASE("csv: read_all with error_policy::skip counts and reports bad lines",
          "[csv][read_all][errors]") {
  const policy_run r = run(streamreg::io::error_policy::skip);
  CHECK(r.good == std::vector<row>{{1.0, 2.0, 2}, {5.0, 6.0, 4}, {0.5, 8.0, 7}});
  CHECK(r.bad_lines == std::vector<std::uint64_t>{3, 6});
  CHECK(r.summary.records == 3);
  CHECK(r.summary.skipped == 2);
  CHECK_FALSE(r.summary.stopped);
}

TEST_CASE("csv: read_all with error_policy::stop ends at the first bad line",
          "[csv][read_all][errors]") {
  const policy_run r = run(streamreg::io::error_policy::stop);
  CHECK(r.good == std::vector<row>{{1.0, 2.0, 2}});
  CHECK(r.bad_lines == std::vector<std::uint64_t>{3});
  CHECK(r.summary.records == 1);
  CHECK(r.summary.skipped == 0);
  CHECK(r.summary.stopped);
}

TEST_CASE("csv: read_all on clean input delivers everything under every policy",
          "[csv][read_all]") {
  using streamreg::io::error_policy;
  for (error_policy p : {error_policy::fail, error_policy::skip, error_policy::stop}) {
    reader in(std::string_view("x,y\n1,2\n3,4\n"), cols("x", "y"));
    std::uint64_t sum_lines = 0;
    const auto s = streamreg::io::read_all(
        in, p, [&sum_lines](const std::vector<double>&, std::uint64_t l) { sum_lines += l; },
        [](const parse_error&) { FAIL("no bad line expected"); });
    CHECK(s.records == 2);
    CHECK(s.skipped == 0);
    CHECK_FALSE(s.stopped);
    CHECK(sum_lines == 2 + 3);
  }
}

TEST_CASE("csv: a byte order mark before a comment line or a header-less record", "[csv][bom]") {
  const std::string text = "\xEF\xBB\xBF# produced by a sensor\nx,y\n1,2\n";
  reader in(std::string_view(text), cols("x", "y"));
  REQUIRE(in.next() == result::record);
  CHECK(in.line() == 3);
  CHECK(in[0] == 1.0);

  csv_format headerless;
  headerless.header = false;
  reader bare(std::string_view("\xEF\xBB\xBF" "0.5,4\n"), {column::at(1), column::at(2)},
              headerless);
  REQUIRE(bare.next() == result::record);
  CHECK(bare[0] == 0.5);
  CHECK(bare[1] == 4.0);
}

TEST_CASE("csv: text after a closing quote is an error naming the field", "[csv][quotes][errors]") {
  reader in(std::string_view("x,y\n1,\"1.5\"abc\n2,3\n"), cols("x", "y"));
  REQUIRE(in.next() == result::error);
  CHECK(in.error().line() == 2);
  CHECK(in.error().column() == 2);
  CHECK(in.error().column_name() == "y");
  CHECK_THAT(in.error().what(), Catch::Matchers::Contains("text after a closing quote"));
  REQUIRE(in.next() == result::record);
  CHECK(in[1] == 3.0);
}

TEST_CASE("csv: doubled quotes in a quoted header name", "[csv][quotes]") {
  reader in(std::string_view("\"a\"\"b\",y\n1,2\n"), cols("a\"b", "y"));
  REQUIRE(in.next() == result::record);
  CHECK(in[0] == 1.0);
}

TEST_CASE("csv: detect finds the delimiter and whether there is a header", "[csv][detect]") {
  csv_format detect;
  detect.detect = true;
  SECTION("comma with a header") {
    reader in(std::string_view("x,y\n1,2\n"), cols("x", "y"), detect);
    REQUIRE(in.next() == result::record);
    CHECK(in[1] == 2.0);
    CHECK(in.format().header);
  }
  SECTION("semicolon") {
    reader in(std::string_view("x;y\n1;2\n"), cols("x", "y"), detect);
    REQUIRE(in.next() == result::record);
    CHECK(in[1] == 2.0);
    CHECK(in.format().delimiter == ';');
  }
  SECTION("whitespace without a header: the first line is the first record") {
    reader in(std::string_view("\n# c\n 1  2\n3\t4\n"), {column::at(1), column::at(2)}, detect);
    REQUIRE(in.next() == result::record);
    CHECK(in.line() == 3);
    CHECK(in[0] == 1.0);
    CHECK(in[1] == 2.0);
    REQUIRE(in.next() == result::record);
    CHECK(in[0] == 3.0);
    CHECK(in.next() == result::end);
    CHECK(in.format().whitespace);
    CHECK_FALSE(in.format().header);
  }
  SECTION("header = false keeps a non-numeric first line as a (bad) record") {
    csv_format no_header = detect;
    no_header.header = false;
    reader in(std::string_view("x,y\n1,2\n"), {column::at(1), column::at(2)}, no_header);
    CHECK(in.next() == result::error);
    CHECK(in.next() == result::record);
  }
}

// SPDX-License-Identifier: MIT
// Tests of io/column.hpp: one input-column type for the readers, written as strings
// (`{"x", "y"}`) or given as columns or strings, every old spelling still accepted.
//
// Oracles: the numbers written literally in the inputs, and column::parse's documented
// reading of a spec ("3" is the third column unless a header names one "3").
#include <streamreg/io/column.hpp>
#include <streamreg/io/csv.hpp>

#include <catch2/catch.hpp>

#include <string>
#include <string_view>
#include <type_traits>  // std::is_constructible_v, std::is_convertible_v
#include <vector>

namespace {

using streamreg::io::column;
using streamreg::io::column_list;
using reader = streamreg::io::csv_reader<double>;

const std::string_view text = "t,x,y\n10,0.5,-1\n11,2,4.25\n";

/// The (x, y) records of `in`.
std::vector<std::vector<double>> records(reader& in) {
  std::vector<std::vector<double>> out;
  while (in.next() == reader::result::record) out.push_back(in.values());
  return out;
}

const std::vector<std::vector<double>> xy{{0.5, -1.0}, {2.0, 4.25}};

}  // namespace

TEST_CASE("column: a string converts as column::parse reads it", "[column]") {
  STATIC_REQUIRE(std::is_convertible_v<const char*, column>);
  STATIC_REQUIRE(std::is_convertible_v<std::string, column>);
  STATIC_REQUIRE(std::is_convertible_v<std::string_view, column>);
  const column named = "y";
  CHECK(named == column::named("y"));
  CHECK(named.index == 0);
  const column third = std::string("3");
  CHECK(third.name == "3");
  CHECK(third.index == 3);
  CHECK(column(std::string_view("0")).index == 0);  // not a 1-based position: a name
  CHECK(column::at(2) == column("2", 2));
}

TEST_CASE("column: csv_reader takes {\"x\", \"y\"}", "[column][csv]") {
  reader in(text, {"x", "y"});
  CHECK(records(in) == xy);
}

TEST_CASE("column: every spelling of the columns selects the same", "[column][csv]") {
  SECTION("names as strings") {
    reader in(text, {"x", "y"});
    CHECK(records(in) == xy);
  }
  SECTION("positions as strings") {
    reader in(text, {"2", "3"});
    CHECK(records(in) == xy);
  }
  SECTION("columns and strings mixed") {
    reader in(text, {column::at(2), "y"});
    CHECK(records(in) == xy);
  }
  SECTION("a std::vector<column> (the old signature)") {
    const std::vector<column> cols{column::parse("x"), column::parse("y")};
    reader in(text, cols);
    CHECK(records(in) == xy);
  }
  SECTION("a std::vector<std::string>") {
    const std::vector<std::string> names{"x", "y"};
    reader in(text, names);
    CHECK(records(in) == xy);
  }
  SECTION("std::string values") {
    const std::string x = "x", y = "y";
    reader in(text, {x, y});
    CHECK(records(in) == xy);
  }
}

TEST_CASE("column: column_list keeps its columns in order", "[column]") {
  const column_list from_strings(std::vector<std::string>{"y", "1"});
  REQUIRE(from_strings.size() == 2);
  CHECK(from_strings[0] == column::named("y"));
  CHECK(from_strings[1] == column::at(1));
  const column_list braced{"t", column::at(3)};
  const std::vector<column>& as_vector = braced;
  CHECK(as_vector == std::vector<column>{column::named("t"), column::at(3)});
  const column_list none{};
  CHECK(none.empty());
}

TEST_CASE("column: an unknown name is still a config_error naming it", "[column][csv]") {
  CHECK_THROWS_WITH(reader(text, {"x", "z"}), Catch::Matchers::Contains("unknown column 'z'"));
}

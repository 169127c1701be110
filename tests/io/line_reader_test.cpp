// SPDX-License-Identifier: MIT
// Tests of io/line_reader.hpp: line ends, empty lines and input, chunk boundaries, sources.
#include <streamreg/io/line_reader.hpp>

#include <catch2/catch.hpp>

#include <algorithm>  // std::min, std::max
#include <cstddef>    // std::size_t
#include <cstdint>    // std::uint64_t
#include <cstring>    // std::memcpy
#include <sstream>    // std::istringstream
#include <string>
#include <string_view>
#include <utility>  // std::pair
#include <vector>

namespace {

using streamreg::io::line_reader;

struct numbered_line {
  std::string text;
  std::uint64_t number;
  friend bool operator==(const numbered_line& a, const numbered_line& b) {
    return a.text == b.text && a.number == b.number;
  }
};

std::ostream& operator<<(std::ostream& os, const numbered_line& l) {
  return os << l.number << ":'" << l.text << "'";
}

/// Reads every line (copied, with its line number); checks that end of input is sticky.
std::vector<numbered_line> read_lines(line_reader& in) {
  std::vector<numbered_line> out;
  std::string_view line;
  while (in.next(line)) out.push_back({std::string(line), in.line_number()});
  const std::uint64_t last = in.line_number();
  CHECK_FALSE(in.next(line));  // stays at the end
  CHECK(in.line_number() == last);
  return out;
}

/// A chunk source over a string that hands out at most `max_per_call` bytes per call and
/// records the largest capacity it was offered (the reader's free buffer space).
struct trickle_source {
  std::string text;
  std::size_t max_per_call;
  std::size_t pos = 0;
  std::size_t largest_capacity = 0;
  std::size_t calls = 0;

  std::size_t operator()(char* buffer, std::size_t capacity) {
    ++calls;
    largest_capacity = std::max(largest_capacity, capacity);
    const std::size_t n = std::min({capacity, max_per_call, text.size() - pos});
    if (n > 0) std::memcpy(buffer, text.data() + pos, n);
    pos += n;
    return n;
  }
};

/// The lines of `text` read through every kind of source: a string view, a chunk callback
/// with a tiny buffer (full and 1-byte reads), and a std::istream with a tiny and the default
/// buffer. All must agree.
std::vector<std::vector<numbered_line>> read_all_sources(const std::string& text) {
  std::vector<std::vector<numbered_line>> results;
  {
    line_reader in{std::string_view(text)};
    results.push_back(read_lines(in));
  }
  for (std::size_t per_call : {std::size_t{1}, std::size_t{3}, std::size_t{1} << 20}) {
    trickle_source src{text, per_call};
    line_reader in(
        [&src](char* b, std::size_t n) -> std::size_t { return src(b, n); }, 4);
    results.push_back(read_lines(in));
  }
  for (std::size_t chunk : {std::size_t{4}, std::size_t{1} << 16}) {
    std::istringstream is(text);
    line_reader in(is, chunk);
    results.push_back(read_lines(in));
  }
  return results;
}

}  // namespace

TEST_CASE("line_reader: LF-terminated lines, numbered from 1", "[line_reader]") {
  const std::vector<numbered_line> expected{{"a", 1}, {"bb", 2}, {"ccc", 3}};
  for (const auto& lines : read_all_sources("a\nbb\nccc\n")) CHECK(lines == expected);
}

TEST_CASE("line_reader: line_number is 0 before the first line", "[line_reader]") {
  line_reader in{std::string_view("x\ny\n")};
  CHECK(in.line_number() == 0);
  std::string_view line;
  REQUIRE(in.next(line));
  CHECK(line == "x");
  CHECK(in.line_number() == 1);
  REQUIRE(in.next(line));
  CHECK(line == "y");
  CHECK(in.line_number() == 2);
}

TEST_CASE("line_reader: CRLF line ends lose their CR", "[line_reader][crlf]") {
  const std::vector<numbered_line> expected{{"a", 1}, {"bb", 2}, {"", 3}, {"ccc", 4}};
  for (const auto& lines : read_all_sources("a\r\nbb\r\n\r\nccc\r\n")) CHECK(lines == expected);
}

TEST_CASE("line_reader: a CR not before LF is part of the line", "[line_reader][crlf]") {
  const std::vector<numbered_line> expected{{"a\rb", 1}, {"\rc", 2}};
  for (const auto& lines : read_all_sources("a\rb\n\rc\n")) CHECK(lines == expected);
}

TEST_CASE("line_reader: mixed LF and CRLF", "[line_reader][crlf]") {
  const std::vector<numbered_line> expected{{"one", 1}, {"two", 2}, {"three", 3}};
  for (const auto& lines : read_all_sources("one\ntwo\r\nthree\n")) CHECK(lines == expected);
}

TEST_CASE("line_reader: last line without a newline", "[line_reader]") {
  SECTION("LF before it") {
    const std::vector<numbered_line> expected{{"first", 1}, {"last", 2}};
    for (const auto& lines : read_all_sources("first\nlast")) CHECK(lines == expected);
  }
  SECTION("CRLF before it") {
    const std::vector<numbered_line> expected{{"first", 1}, {"last", 2}};
    for (const auto& lines : read_all_sources("first\r\nlast")) CHECK(lines == expected);
  }
  SECTION("the only line") {
    const std::vector<numbered_line> expected{{"only", 1}};
    for (const auto& lines : read_all_sources("only")) CHECK(lines == expected);
  }
}

TEST_CASE("line_reader: empty input has no lines", "[line_reader][edge]") {
  for (const auto& lines : read_all_sources("")) CHECK(lines.empty());

  line_reader in{std::string_view()};
  std::string_view line;
  CHECK_FALSE(in.next(line));
  CHECK(in.line_number() == 0);
}

TEST_CASE("line_reader: empty lines are lines", "[line_reader][edge]") {
  SECTION("a single newline is one empty line") {
    const std::vector<numbered_line> expected{{"", 1}};
    for (const auto& lines : read_all_sources("\n")) CHECK(lines == expected);
  }
  SECTION("empty lines around text; no line after the final newline") {
    const std::vector<numbered_line> expected{{"", 1}, {"", 2}, {"a", 3}, {"", 4}, {"b", 5}};
    for (const auto& lines : read_all_sources("\n\na\n\nb\n")) CHECK(lines == expected);
  }
  SECTION("a blank last line without newline") {
    const std::vector<numbered_line> expected{{"a", 1}, {"  ", 2}};
    for (const auto& lines : read_all_sources("a\n  ")) CHECK(lines == expected);
  }
}

TEST_CASE("line_reader: lines longer than the chunk grow the buffer", "[line_reader][chunk]") {
  std::string long_line;
  for (int i = 0; i < 250; ++i) long_line += static_cast<char>('a' + i % 26);
  const std::string text = "ab\n" + long_line + "\r\nxyz\n" + long_line + "\n" + long_line;
  const std::vector<numbered_line> expected{
      {"ab", 1}, {long_line, 2}, {"xyz", 3}, {long_line, 4}, {long_line, 5}};

  for (const auto& lines : read_all_sources(text)) CHECK(lines == expected);

  // With a 4-byte chunk, a 250-byte line can only be returned whole if the buffer grew: the
  // reader then offers the source more than 4 bytes of space.
  trickle_source src{text, std::size_t{1} << 20};
  line_reader in([&src](char* b, std::size_t n) -> std::size_t { return src(b, n); }, 4);
  CHECK(read_lines(in) == expected);
  CHECK(src.largest_capacity > 4);
  CHECK(src.largest_capacity < 2 * 256);  // grows by doubling, not without bound
  CHECK(src.pos == text.size());
}

TEST_CASE("line_reader: lines straddle chunk boundaries at every offset",
          "[line_reader][chunk]") {
  // Line lengths 0..9 with CRLF ends, so that line ends and the CR/LF pair fall at every
  // position relative to 4-byte chunks.
  std::string text;
  std::vector<numbered_line> expected;
  for (std::uint64_t len = 0; len < 10; ++len) {
    std::string l(static_cast<std::size_t>(len), static_cast<char>('0' + len));
    text += l + "\r\n";
    expected.push_back({l, len + 1});
  }
  for (const auto& lines : read_all_sources(text)) CHECK(lines == expected);
}

TEST_CASE("line_reader: a std::istream source", "[line_reader][istream]") {
  std::istringstream is("x,y\n1,2\r\n3,4");
  line_reader in(is);
  const std::vector<numbered_line> expected{{"x,y", 1}, {"1,2", 2}, {"3,4", 3}};
  CHECK(read_lines(in) == expected);
}

TEST_CASE("line_reader: a chunk source is read only as needed", "[line_reader][chunk]") {
  // The first line is returned before the source is asked for the rest (a pipe's lines
  // arrive as soon as they are written).
  trickle_source src{"a\nb\n", 2};
  line_reader in([&src](char* b, std::size_t n) -> std::size_t { return src(b, n); }, 4);
  std::string_view line;
  REQUIRE(in.next(line));
  CHECK(line == "a");
  CHECK(src.pos == 2);
  REQUIRE(in.next(line));
  CHECK(line == "b");
  CHECK(src.pos == 4);
  CHECK_FALSE(in.next(line));
}

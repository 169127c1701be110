// SPDX-License-Identifier: MIT
// The library's durable pieces (issue 17): printable messages, checked outputs, atomic
// replacement through links, the run lock, the bounded and identified input, restored values
// validated field by field.
#include <catch2/catch.hpp>

#include <streamreg/change_stream.hpp>
#include <streamreg/checkpoint.hpp>
#include <streamreg/io/csv.hpp>
#include <streamreg/io/resumable.hpp>
#include <streamreg/regressor.hpp>
#include <streamreg/window.hpp>

#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace {

using Catch::Matchers::Contains;

std::string temp(const std::string& name) {
  return "/tmp/streamreg_durability_" + std::to_string(::getpid()) + "_" + name;
}

std::string slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

void put(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

/// FNV-1a 64 as published (offset basis 14695981039346656037, prime 1099511628211): the
/// oracle for the hashes the library records, written independently of it.
std::uint64_t fnv1a_reference(const std::string& s) {
  std::uint64_t h = 14695981039346656037ull;
  for (char c : s) {
    h ^= static_cast<unsigned char>(c);
    h *= 1099511628211ull;
  }
  return h;
}

}  // namespace

TEST_CASE("durability: printable escapes NUL, control bytes and invalid UTF-8, keeps UTF-8",
          "[durability]") {
  using streamreg::printable;
  CHECK(printable(std::string("a\0b", 3)) == "a\\x00b");
  CHECK(printable("tab\there") == "tab\\x09here");
  CHECK(printable("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80") == "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80");
  CHECK(printable("\xff\xfex") == "\\xff\\xfex");
  CHECK(printable("\xc3(") == "\\xc3(");            // a lead byte without its continuation
  CHECK(printable("\xc0\xaf") == "\\xc0\\xaf");     // an overlong form
  CHECK(printable("\xed\xa0\x80") == "\\xed\\xa0\\x80");  // a UTF-16 surrogate
  CHECK(printable("\xf4\x90\x80\x80") == "\\xf4\\x90\\x80\\x80");  // above U+10FFFF
  CHECK(printable("\xe2\x82") == "\\xe2\\x82");     // cut short at the end
  const streamreg::parse_error e(3, 2, std::string("y\0", 2), std::string("1\0", 2), "bad");
  CHECK(std::string(e.what()) == "line 3, column 2 (y\\x00): bad: '1\\x00'");
  CHECK(e.text() == std::string("1\0", 2));  // the bytes themselves are kept
}

TEST_CASE("durability: a full device fails the write, the flush and the close, naming it",
          "[durability]") {
  using writer = streamreg::csv_change_writer<double>;
  const std::string full = "cannot write '/dev/full': No space left on device";
  {  // flushed row by row: the header's write fails in the writer
    streamreg::io::output_file out("/dev/full");
    CHECK_THROWS_WITH(writer(out.get(), {false, true, true}, out.name()), full);
  }
  {  // buffered: the failure shows at the flush, then at the close
    streamreg::io::output_file out("/dev/full");
    writer w(out.get(), {false, false, true}, out.name());
    CHECK_THROWS_WITH(out.flush(), full);
    CHECK_THROWS_AS(out.close(), streamreg::io_error);
  }
}

TEST_CASE("durability: write_atomically replaces a link's target and keeps the link",
          "[durability]") {
  const std::string target = temp("target"), link = temp("link");
  std::remove(target.c_str());
  std::remove(link.c_str());
  REQUIRE(::symlink(target.c_str(), link.c_str()) == 0);
  streamreg::io::write_atomically(link, "one\n");
  streamreg::io::write_atomically(link, "two\n");
  struct stat st {};
  REQUIRE(::lstat(link.c_str(), &st) == 0);
  CHECK(S_ISLNK(st.st_mode));
  CHECK(slurp(target) == "two\n");
  CHECK(::access((target + ".tmp").c_str(), F_OK) != 0);  // no temporary left behind
  CHECK_THROWS_AS(streamreg::io::write_atomically("/nonexistent-dir/x", "t"),
                  streamreg::io_error);
  std::remove(target.c_str());
  std::remove(link.c_str());
}

TEST_CASE("durability: run_lock refuses a second owner and names the first", "[durability]") {
  const std::string ck = temp("lock.ck");
  {
    streamreg::io::run_lock lock(ck);
    CHECK(slurp(ck + ".lock") == std::to_string(::getpid()) + "\n");
    // Another process (record locks belong to a process): refused at once, naming this one.
    const pid_t child = ::fork();
    if (child == 0) {
      try {
        streamreg::io::run_lock second(ck);
      } catch (const streamreg::config_error& e) {
        const std::string m = e.what();
        std::_Exit(m.find("is in use by process " + std::to_string(::getppid())) !=
                           std::string::npos
                       ? 0
                       : 2);
      }
      std::_Exit(1);
    }
    int status = 0;
    ::waitpid(child, &status, 0);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
  }
  // Released with its owner: another process takes it.
  const pid_t child = ::fork();
  if (child == 0) {
    try {
      streamreg::io::run_lock again(ck);
    } catch (const std::exception& e) {
      std::fprintf(stderr, "%s\n", e.what());
      std::_Exit(1);
    }
    std::_Exit(0);
  }
  int status = 0;
  ::waitpid(child, &status, 0);
  CHECK(WEXITSTATUS(status) == 0);
  std::remove((ck + ".lock").c_str());
}

TEST_CASE("durability: input_file hands over whole lines, bounds them and identifies them",
          "[durability]") {
  const std::string path = temp("input.csv");
  const std::string text = "x,y\n1,2\n# note\n3,4\n5,";  // an unfinished last line
  put(path, text);
  SECTION("complete_lines: the unfinished line is held back; consumed() hashes the lines") {
    streamreg::io::input_file in(path, {64, true, true});
    streamreg::io::csv_reader<double> reader(in.source(), {streamreg::io::column::parse("x"),
                                                           streamreg::io::column::parse("y")});
    // After each record, the lines read so far: their length and hash.
    auto check_consumed = [&] {
      const std::uint64_t lines = reader.line();
      std::size_t end = 0;
      for (std::uint64_t k = 0; k < lines; ++k) end = text.find('\n', end) + 1;
      const auto p = in.consumed(lines);
      CHECK(p.length == end);
      CHECK(p.hash == fnv1a_reference(text.substr(0, end)));
    };
    int records = 0;
    while (reader.next() == streamreg::io::csv_reader<double>::result::record) {
      ++records;
      check_consumed();
    }
    CHECK(records == 2);
    CHECK(in.held_back() == 2);
    CHECK(reader.line() == 4);
    check_consumed();
  }
  SECTION("without complete_lines the last line is a record, as in any text file") {
    streamreg::io::input_file in(path, {64, false, false});
    streamreg::io::line_reader lines(in.source());
    std::vector<std::string> got;
    for (std::string_view l; lines.next(l);) got.emplace_back(l);
    CHECK(got == std::vector<std::string>{"x,y", "1,2", "# note", "3,4", "5,"});
  }
  SECTION("a line longer than max_line is an error naming it, after the lines before it") {
    put(path, "x,y\n1,2\n" + std::string(65, '7') + "\n3,4\n");
    streamreg::io::input_file in(path, {64, false, false});
    streamreg::io::line_reader lines(in.source());
    std::string_view l;
    CHECK(lines.next(l));
    CHECK(lines.next(l));
    CHECK(l == "1,2");
    CHECK_THROWS_WITH(lines.next(l), "line 3: longer than the maximum line length of 64 bytes");
  }
  SECTION("a UTF-16 byte order mark is named") {
    put(path, std::string("\xfe\xff\0x\0\n", 6));
    streamreg::io::input_file in(path);
    streamreg::io::line_reader lines(in.source());
    std::string_view l;
    CHECK_THROWS_WITH(lines.next(l), Contains("is UTF-16BE text"));
  }
  std::remove(path.c_str());
}

TEST_CASE("durability: impossible restored values are refused, the target unchanged",
          "[durability][checkpoint]") {
  using reg_type = streamreg::regressor<streamreg::count_window<>>;
  reg_type reg(streamreg::count_window<>(4), {});
  for (int i = 0; i < 6; ++i) reg.push(i, 2.0 * i + (i % 2), 1.0 + i);
  const std::string text = streamreg::save_checkpoint(reg);
  auto forge = [&text](const std::string& from, const std::string& to) {
    std::string body = text.substr(0, text.rfind("checksum "));
    const std::size_t at = body.find(from);
    REQUIRE(at != std::string::npos);
    body.replace(at, from.size(), to);
    char sum[40];
    std::snprintf(sum, sizeof sum, "checksum %016llx\n",
                  static_cast<unsigned long long>(fnv1a_reference(body)));
    return body + sum;
  };
  // The oldest window record's weight (x 2, y 4, w 3): found after its y.
  const std::string record_w = "\ny 1p+2\nw 1.8p+1\n";
  REQUIRE(text.find(record_w) != std::string::npos);
  struct bad {
    std::string text, message;
  };
  for (const bad& b : std::vector<bad>{
           {forge(record_w, "\ny 1p+2\nw 0p+0\n"), "field 'w' (a record's weight) must be > 0"},
           {forge(record_w, "\ny 1p+2\nw nan\n"), "field 'w' must be finite"},
           {forge("\nemit_every 1\n", "\nemit_every 0\n"), "field 'emit_every' must be >= 1"},
       }) {
    reg_type target(streamreg::count_window<>(4), {});
    const std::string before = streamreg::save_checkpoint(target);
    CHECK_THROWS_WITH(streamreg::restore_checkpoint(b.text, target), Contains(b.message));
    CHECK(streamreg::save_checkpoint(target) == before);
  }
}

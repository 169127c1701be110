// SPDX-License-Identifier: MIT
// Tests of reading files by path (io/line_reader.hpp, io/csv.hpp, io/input_file.hpp): a file
// that does not exist or cannot be read is an error naming the path, never an empty input.
//
// Oracles: the records written to the files literally; the paths made here.
#include <streamreg/io/csv.hpp>
#include <streamreg/io/input_file.hpp>
#include <streamreg/io/line_reader.hpp>

#include <catch2/catch.hpp>

#include <filesystem>  // std::filesystem::path
#include <fstream>     // std::ifstream, std::ofstream
#include <string>
#include <string_view>
#include <vector>

#include <unistd.h>  // ::getpid

namespace {

using Catch::Matchers::Contains;
using streamreg::io_error;
using streamreg::io::column;
using streamreg::io::line_reader;
using reader = streamreg::io::csv_reader<double>;
using result = reader::result;
namespace fs = std::filesystem;

/// A directory of its own for one test, removed with everything in it at the end.
struct scratch_dir {
  fs::path path;
  explicit scratch_dir(const std::string& name)
      : path(fs::temp_directory_path() /
             ("streamreg_file_test_" + std::to_string(::getpid()) + "_" + name)) {
    fs::remove_all(path);
    fs::create_directories(path);
  }
  ~scratch_dir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
  fs::path write(const std::string& file, const std::string& text) const {
    const fs::path p = path / file;
    std::ofstream(p, std::ios::binary) << text;
    return p;
  }
};

/// The io_error raised by `f`, or a failure.
template <class F>
io_error io_error_of(F&& f) {
  try {
    f();
  } catch (const io_error& e) {
    return e;
  }
  FAIL("no io_error raised");
  return io_error("", "");
}

}  // namespace

TEST_CASE("file: a line_reader over a path reads the file's lines", "[file][line_reader]") {
  const scratch_dir dir("lines");
  const fs::path p = dir.write("in.txt", "a\r\nbb\nccc");
  line_reader in(p);
  std::vector<std::string> lines;
  std::string_view line;
  while (in.next(line)) lines.emplace_back(line);
  CHECK(lines == std::vector<std::string>{"a", "bb", "ccc"});
}

TEST_CASE("file: a missing file is an io_error naming the path, not an empty input",
          "[file][errors]") {
  const scratch_dir dir("missing");
  const fs::path p = dir.path / "no such.csv";
  SECTION("line_reader") {
    const io_error e = io_error_of([&] { line_reader in(p); });
    CHECK(e.path() == p.string());
    CHECK_THAT(e.what(), Contains("cannot open '" + p.string() + "'"));
    CHECK_THAT(e.what(), Contains("No such file or directory"));
  }
  SECTION("csv_reader") {
    const io_error e = io_error_of([&] { reader in(p, {column::parse("x")}); });
    CHECK(e.path() == p.string());
    CHECK_THAT(e.what(), Contains("No such file or directory"));
  }
  SECTION("csv_reader without a header: still an error, not zero records") {
    streamreg::io::csv_format fmt;
    fmt.header = false;
    const io_error e = io_error_of([&] { reader in(p, {column::at(1)}, fmt); });
    CHECK(e.path() == p.string());
  }
}

TEST_CASE("file: a directory is an io_error naming the path", "[file][errors]") {
  const scratch_dir dir("directory");
  const io_error e = io_error_of([&] { reader in(dir.path, {column::parse("x")}); });
  CHECK(e.path() == dir.path.string());
  CHECK_THAT(e.what(), Contains("'" + dir.path.string() + "': it is a directory"));
}

TEST_CASE("file: a stream that cannot be read (an unopened ifstream) is an io_error",
          "[file][errors]") {
  const scratch_dir dir("stream");
  std::ifstream unopened(dir.path / "absent.csv");
  REQUIRE_FALSE(unopened.is_open());
  const io_error e = io_error_of([&] { reader in(unopened, {column::parse("x")}); });
  CHECK_THAT(e.what(), Contains("cannot be read"));
}

TEST_CASE("file: csv_reader reads a file by its path", "[file][csv]") {
  const scratch_dir dir("csv");
  const fs::path p = dir.write("in.csv", "x,y\n0.5,1\n# c\n2,-4.25\n");
  reader in(p, {column::parse("x"), column::parse("y")});
  REQUIRE(in.next() == result::record);
  CHECK(in.values() == std::vector<double>{0.5, 1.0});
  REQUIRE(in.next() == result::record);
  CHECK(in.values() == std::vector<double>{2.0, -4.25});
  CHECK(in.line() == 4);
  CHECK(in.next() == result::end);
}

TEST_CASE("file: input_file names a path it cannot open or read", "[file][input_file]") {
  const scratch_dir dir("input_file");
  SECTION("missing: a config_error naming the path") {
    const fs::path p = dir.path / "absent.csv";
    CHECK_THROWS_WITH(streamreg::io::input_file(p.string()),
                      Contains("cannot open '" + p.string() + "'") &&
                          Contains("No such file or directory"));
  }
  SECTION("a directory: an io_error naming it at the first read") {
    streamreg::io::input_file f(dir.path.string());
    const io_error e = io_error_of([&] { reader in(f.source(), {column::parse("x")}); });
    CHECK(e.path() == dir.path.string());
    CHECK_THAT(e.what(), Contains("Is a directory"));
  }
}

TEST_CASE("file: the documented read loop reports a bad line (line, column, text), goes on",
          "[file][csv][errors]") {
  const scratch_dir dir("loop");
  const fs::path p = dir.write("data.csv", "x,y\n1,2\n1,oops\n3,4.5\n");
  namespace io = streamreg::io;
  std::vector<std::string> errors;
  const auto report = [&errors](const streamreg::parse_error& e) { errors.push_back(e.what()); };
  std::vector<std::vector<double>> pushed;
  struct {
    std::vector<std::vector<double>>* out;
    void push(double x, double y) { out->push_back({x, y}); }
  } reg{&pushed};
  // The loop of io/csv.hpp's documentation, as written there (the path spelled out).
  io::csv_reader<double> in(p, {"x", "y"});
  for (auto r = in.next(); r != io::csv_reader<double>::result::end; r = in.next()) {
    if (r == io::csv_reader<double>::result::error) {  // a bad line: not the end of input
      report(in.error());                               // names the line, column and text
      continue;                                         // (or stop)
    }
    reg.push(in.values()[0], in.values()[1]);
  }
  CHECK(pushed == std::vector<std::vector<double>>{{1.0, 2.0}, {3.0, 4.5}});
  CHECK(errors == std::vector<std::string>{"line 3, column 2 (y): not a number: 'oops'"});
}

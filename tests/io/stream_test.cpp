// SPDX-License-Identifier: MIT
// Tests that the readers stream: over standard input (std::cin, synchronised with stdio or
// not, and io::input_file), a record written to a pipe is handed over as soon as its line has
// arrived, while the writer keeps the pipe open, not when the input ends.
//
// Oracles: the records written (their values and order), and the documented latency (io/
// line_reader.hpp: under 250 ms; the writer pauses 400 ms between records, so a reader that
// waited for more input would be seen reporting nothing until the pipe closed).
#include <streamreg/io/csv.hpp>
#include <streamreg/io/input_file.hpp>

#include <catch2/catch.hpp>

#include "io/piped_child.hpp"

#include <chrono>   // std::chrono::milliseconds
#include <cstdio>   // std::snprintf
#include <iostream> // std::cin, std::ios
#include <string>
#include <vector>

namespace {

using streamreg::io::column;
using reader = streamreg::io::csv_reader<double>;

constexpr std::chrono::milliseconds writer_pause{400};
constexpr std::chrono::milliseconds report_wait{3000};
constexpr double documented_latency_ms = 250;

const std::vector<std::string> records{"1,0.5", "2,-3.25", "3,1e3"};
const std::vector<std::string> expected{"1 0.5", "2 -3.25", "3 1000"};

/// The child's loop: each record reported as "x y" as soon as the reader hands it over.
int report_records(reader& in, int report) {
  for (auto r = in.next(); r != reader::result::end; r = in.next()) {
    if (r == reader::result::error) {
      streamreg_test::report_line(report, std::string("error: ") + in.error().what());
      continue;
    }
    char text[64];
    std::snprintf(text, sizeof text, "%g %g", in[0], in[1]);
    streamreg_test::report_line(report, text);
  }
  return 0;
}

void check_streamed(const streamreg_test::piped_run& run) {
  CHECK(run.reports == expected);
  for (std::size_t i = 0; i < run.latency_ms.size(); ++i) {
    INFO("record " << i + 1 << ": reported " << run.latency_ms[i] << " ms after it was written");
    CHECK(run.latency_ms[i] < documented_latency_ms);
  }
  CHECK(run.after_end.empty());
  CHECK(run.exit_status == 0);
}

}  // namespace

TEST_CASE("stream: csv_reader over std::cin hands each record over as its line arrives",
          "[stream][csv]") {
  SECTION("std::cin synchronised with stdio (the default)") {
    check_streamed(streamreg_test::run_piped(
        "x,y\n", records, writer_pause, report_wait, [](int report) {
      reader in(std::cin, {"x", "y"});  // the documented pattern
      return report_records(in, report);
    }));
  }
  SECTION("std::cin after std::ios::sync_with_stdio(false)") {
    check_streamed(streamreg_test::run_piped(
        "x,y\n", records, writer_pause, report_wait, [](int report) {
      std::ios::sync_with_stdio(false);
      reader in(std::cin, {"x", "y"});
      return report_records(in, report);
    }));
  }
  SECTION("io::input_file of standard input (read(2) on descriptor 0)") {
    check_streamed(streamreg_test::run_piped(
        "x,y\n", records, writer_pause, report_wait, [](int report) {
      streamreg::io::input_file file("-");
      reader in(file.source(), {column::parse("x"), column::parse("y")});
      return report_records(in, report);
    }));
  }
  SECTION("io::input_file of a file descriptor") {
    check_streamed(streamreg_test::run_piped(
        "x,y\n", records, writer_pause, report_wait, [](int report) {
      streamreg::io::input_file file(0, "the pipe");
      reader in(file.source(), {column::parse("x"), column::parse("y")});
      return report_records(in, report);
    }));
  }
}

TEST_CASE("stream: a header-less record is not held back either", "[stream][csv]") {
  streamreg::io::csv_format fmt;
  fmt.header = false;
  const auto run = streamreg_test::run_piped(
      "", records, writer_pause, report_wait, [&fmt](int report) {
    reader in(std::cin, {column::at(1), column::at(2)}, fmt);
    return report_records(in, report);
  });
  check_streamed(run);
}

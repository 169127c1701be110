// SPDX-License-Identifier: MIT
// Tests that the JSON lines reader streams: over std::cin and io::input_file on a pipe, each
// object is handed over as soon as its line has arrived, while the writer keeps the pipe open.
//
// Oracles: the objects written (their values and order), and the documented latency
// (io/line_reader.hpp: under 250 ms; the writer pauses 400 ms between records).
#include <streamreg/io/input_file.hpp>
#include <streamreg/json/jsonl.hpp>

#include <catch2/catch.hpp>

#include "io/piped_child.hpp"

#include <chrono>    // std::chrono::milliseconds
#include <cstdio>    // std::snprintf
#include <iostream>  // std::cin
#include <string>
#include <vector>

namespace {

using reader = streamreg::json::jsonl_reader<double>;

constexpr std::chrono::milliseconds writer_pause{400};
constexpr std::chrono::milliseconds report_wait{3000};
constexpr double documented_latency_ms = 250;

const std::vector<std::string> records{R"({"x":1,"y":0.5})", R"({"y":-3.25,"x":2})",
                                       R"({"x":3,"id":"c","y":1e3})"};
const std::vector<std::string> expected{"1 0.5", "2 -3.25", "3 1000"};

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

TEST_CASE("jsonl stream: each object over std::cin is handed over as its line arrives",
          "[json][stream]") {
  SECTION("std::cin") {
    check_streamed(streamreg_test::run_piped(
        "", records, writer_pause, report_wait, [](int report) {
      reader in(std::cin, {"x", "y"});
      return report_records(in, report);
    }));
  }
  SECTION("io::input_file of standard input") {
    check_streamed(streamreg_test::run_piped(
        "", records, writer_pause, report_wait, [](int report) {
      streamreg::io::input_file file("-");
      reader in(file.source(), {"x", "y"});
      return report_records(in, report);
    }));
  }
}

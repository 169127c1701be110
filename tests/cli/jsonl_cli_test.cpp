// SPDX-License-Identifier: MIT
// realtime_regression --format jsonl: JSON lines from a file or standard input.
#include <catch2/catch.hpp>

#include "run_support.hpp"

#include <fstream>
#include <string>

using Catch::Matchers::Contains;
using Catch::Matchers::WithinRel;
using namespace cli_test;

namespace {

const std::string rr_json = REALTIME_REGRESSION;

/// seed_stream.csv as JSON lines (fields in another order, an extra field).
std::string seed_as_jsonl() {
  std::ifstream csv(std::string(STREAMREG_DATA_DIR) + "/seed_stream.csv");
  std::string line, text;
  std::getline(csv, line);
  for (int i = 0; std::getline(csv, line); ++i) {
    const auto comma = line.find(',');
    text += "{\"id\":" + std::to_string(i) + ",\"y\":" + line.substr(comma + 1) +
            ",\"x\":" + line.substr(0, comma) + "}\n";
  }
  return text;
}

}  // namespace

TEST_CASE("realtime_regression: --format jsonl gives the reference change stream",
          "[cli][jsonl]") {
  const std::string in = write_temp("seed.jsonl", seed_as_jsonl());
  const auto r = run("cat " + in + " | " + rr_json + " --input - --format jsonl");
  REQUIRE(r.status == 0);
  const auto rows = lines(r.out);
  REQUIRE(rows.size() == 1 + 1 + 2 * 9);
  CHECK(rows[0] == "a,b,time,diff");
  CHECK(rows[1] == ",,0,1");
  for (std::size_t t = 1; t <= 9; ++t) {
    const auto ins = fields(rows[2 * t + 1]);
    CHECK(fields(rows[2 * t])[3] == "-1");
    CHECK(ins[2] == std::to_string(t));
    CHECK_THAT(std::stod(ins[0]), WithinRel(seed_reference[t][0], 1e-12));
    CHECK_THAT(std::stod(ins[1]), WithinRel(seed_reference[t][1], 1e-12));
  }
  // The same bytes as the CSV input gives.
  CHECK(r.out == run(rr_json + " --input " + STREAMREG_DATA_DIR + "/seed_stream.csv").out);
  std::remove(in.c_str());
}

TEST_CASE("realtime_regression: --format jsonl bad records name line and field",
          "[cli][jsonl][errors]") {
  const std::string in = write_temp(
      "bad.jsonl", "{\"x\":0,\"y\":1}\n{\"x\":1,\"y\":3}\n{\"x\":2,\"y\":\"5\"}\n{\"x\":3}\n"
                   "{\"x\":4,\"y\":9,\"w\":-1}\n{\"x\":5,\"y\":11,\"w\":2}\n");
  auto r = run(rr_json + " --input " + in + " --format jsonl");
  CHECK(r.status == 1);
  CHECK_THAT(r.err, Contains("line 3, field 'y': a string, not a number: '\"5\"'"));
  CHECK(lines(r.out).size() == 1 + 1 + 2);
  r = run(rr_json + " --input " + in + " --format jsonl --on-error skip --weight w");
  CHECK(r.status == 0);
  CHECK_THAT(r.err, Contains("line 1, field 'w': missing field"));
  CHECK_THAT(r.err, Contains("line 5, field 'w': weight must be positive: '-1'"));
  CHECK_THAT(r.err, Contains("1 records fitted, 5 skipped"));
  std::remove(in.c_str());
}

// SPDX-License-Identifier: MIT
// The bad-input catalogue, command line: realtime_regression and stream_fit on inputs with a
// bad record, bad options and damaged checkpoints. Each row states the exit status and what
// the message names; the output must equal that of the same input without the bad record (or,
// under --on-error fail and stop, of the records before it).
#include <catch2/catch.hpp>

#include "cli/run_support.hpp"

#include <cstdio>
#include <string>
#include <vector>

namespace {

using Catch::Matchers::Contains;
using cli_test::run;
using cli_test::write_temp;

const std::string rr = REALTIME_REGRESSION;
const std::string sf = STREAM_FIT;

/// One row: a program run on `bad` (an input file) with `args`, compared with the run on
/// `good` (skip) and `prefix` (fail, stop).
struct cli_case {
  const char* name;
  std::string program;
  std::string args;  ///< options; the input file is appended (after --input for rr)
  std::string bad;
  std::string good;    ///< the input without the bad records
  std::string prefix;  ///< the input up to the first bad record
  std::string message; ///< what the message names (line, column, text)
  int skipped = 1;
};

std::string input_arg(const std::string& program, const std::string& path) {
  return program == rr ? " --input " + path : " " + path;
}

const char* header = "x,y,w,t\n";
std::string rows(const std::string& middle) {
  return std::string(header) + "0,0.5,1,0\n1,1.25,2,1\n" + middle + "3,3.5,1,3\n4,4.25,1,4\n";
}
const std::string good_rows = rows("");
const std::string prefix_rows = std::string(header) + "0,0.5,1,0\n1,1.25,2,1\n";

std::vector<cli_case> cases() {
  return {
      {"realtime_regression: non-numeric y", rr, "", rows("2,abc,1,2\n"), good_rows, prefix_rows,
       "line 4, column 2 (y): not a number: 'abc'"},
      {"realtime_regression: overflow 1e400", rr, "", rows("1e400,2,1,2\n"), good_rows,
       prefix_rows, "line 4, column 1 (x): number out of range: '1e400'"},
      {"realtime_regression: nan", rr, "", rows("2,nan,1,2\n"), good_rows, prefix_rows,
       "line 4, column 2 (y): not a finite number: 'nan'"},
      {"realtime_regression: missing field", rr, "", rows("2\n"), good_rows, prefix_rows,
       "line 4, column 2 (y): missing field"},
      {"realtime_regression: invalid UTF-8", rr, "", rows("\xc3\x28,1,1,2\n"), good_rows,
       prefix_rows, "line 4, column 1 (x): not a number"},
      {"realtime_regression: zero weight", rr, "--weight w", rows("2,2.5,0,2\n"), good_rows,
       prefix_rows, "line 4, column 3 (w): weight must be positive: '0'"},
      {"realtime_regression: negative weight", rr, "--weight w", rows("2,2.5,-1,2\n"), good_rows,
       prefix_rows, "line 4, column 3 (w): weight must be positive: '-1'"},
      {"realtime_regression: out-of-order time in a time window", rr,
       "--window-time 10 --time t", rows("2,2.5,1,0.5\n"), good_rows, prefix_rows,
       "line 4, column 4 (t): time earlier than the previous record's (1): '0.5'"},
      {"realtime_regression: out-of-order time with forgetting in time", rr,
       "--half-life-time 2 --time t", rows("2,2.5,1,0.5\n"), good_rows, prefix_rows,
       "line 4, column 4 (t): time earlier than the previous record's"},
      {"stream_fit: non-numeric y", sf, "--y y --x x", rows("2,oops,1,2\n"), good_rows,
       prefix_rows, "line 4, column 2 (y): not a number: 'oops'"},
      {"stream_fit: negative weight in a window", sf, "--y y --x x --weight w --window 3",
       rows("2,2.5,-2,2\n"), good_rows, prefix_rows, "line 4, column 3 (w): weight must be positive"},
#ifdef STREAMREG_TEST_JSON
      {"realtime_regression: JSON lines string value", rr, "--format jsonl",
       "{\"x\":0,\"y\":0.5}\n{\"x\":1,\"y\":1.25}\n{\"x\":2,\"y\":\"2.5\"}\n{\"x\":3,\"y\":3.5}\n",
       "{\"x\":0,\"y\":0.5}\n{\"x\":1,\"y\":1.25}\n{\"x\":3,\"y\":3.5}\n",
       "{\"x\":0,\"y\":0.5}\n{\"x\":1,\"y\":1.25}\n", "line 3, field 'y': a string, not a number"},
      {"realtime_regression: JSON lines torn line", rr, "--format jsonl",
       "{\"x\":0,\"y\":0.5}\n{\"x\":1,\"y\":1.25}\n{\"x\":2,\"y\n{\"x\":3,\"y\":3.5}\n",
       "{\"x\":0,\"y\":0.5}\n{\"x\":1,\"y\":1.25}\n{\"x\":3,\"y\":3.5}\n",
       "{\"x\":0,\"y\":0.5}\n{\"x\":1,\"y\":1.25}\n", "line 3: not valid JSON"},
#endif
  };
}

}  // namespace

TEST_CASE("bad input cli: bad records under fail, skip and stop", "[bad_input][cli]") {
  for (const cli_case& c : cases()) {
    INFO("case: " << c.name);
    const std::string bad = write_temp("bad_input_bad", c.bad);
    const std::string good = write_temp("bad_input_good", c.good);
    const std::string prefix = write_temp("bad_input_prefix", c.prefix);
    const std::string args = " " + c.args;
    const auto want_all = run(c.program + input_arg(c.program, good) + args);
    const auto want_prefix = run(c.program + input_arg(c.program, prefix) + args);
    REQUIRE(want_all.status == 0);
    REQUIRE(want_prefix.status == 0);

    const auto f = run(c.program + input_arg(c.program, bad) + args);
    CHECK(f.status == 1);
    CHECK_THAT(f.err, Contains(c.message));
    CHECK(f.out == want_prefix.out);

    const auto s = run(c.program + input_arg(c.program, bad) + args + " --on-error skip");
    CHECK(s.status == 0);
    CHECK(s.out == want_all.out);
    CHECK_THAT(s.err, Contains("skipped: " + c.message));
    CHECK_THAT(s.err, Contains(std::to_string(c.skipped) + " skipped"));

    const auto t = run(c.program + input_arg(c.program, bad) + args + " --on-error stop");
    CHECK(t.status == 0);
    CHECK(t.out == want_prefix.out);
    std::remove(bad.c_str());
    std::remove(good.c_str());
    std::remove(prefix.c_str());
  }
}

namespace {

struct option_case {
  const char* name;
  std::string command;
  std::string message;
};

}  // namespace

TEST_CASE("bad input cli: options outside their range are refused before any record",
          "[bad_input][cli]") {
  const std::string in = write_temp("bad_input_opts", good_rows);
  // Refused by the option parser: a non-zero status, nothing on stdout, the option named.
  const std::vector<option_case> parser = {
      {"window size 0", rr + " --input " + in + " --window 0", "--window"},
      {"negative window size", rr + " --input " + in + " --window -3", "--window"},
      {"window span 0", rr + " --input " + in + " --time t --window-time 0", "--window-time"},
      {"half-life 0", rr + " --input " + in + " --half-life 0", "--half-life"},
      {"negative half-life", rr + " --input " + in + " --half-life -1", "--half-life"},
      {"infinite half-life", rr + " --input " + in + " --half-life inf", "--half-life"},
      {"stream_fit window 0", sf + " " + in + " --y y --x x --window 0", "--window"},
      {"unknown --on-error", rr + " --input " + in + " --on-error ignore", "--on-error"},
      {"checkpoint every 0", rr + " --input " + in + " --checkpoint-every 0",
       "--checkpoint-every"},
  };
  for (const option_case& c : parser) {
    INFO("case: " << c.name);
    const auto r = run(c.command);
    CHECK(r.status != 0);
    CHECK(r.out.empty());
    CHECK_THAT(r.err, Contains(c.message));
  }
  // Refused by the library: status 2 (configuration), no record written.
  const std::vector<option_case> config = {
      {"unknown column", rr + " --input " + in + " --x nope",
       "unknown column 'nope' (the header has: x, y, w, t)"},
      {"empty input file", rr + " --input " + write_temp("bad_input_empty", ""),
       "the input is empty"},
      {"CR-only line ends", rr + " --input " + write_temp("bad_input_cr", "x,y\r1,2\r2,3\r"),
       "the header holds a carriage return"},
      {"selected column twice in the header",
       rr + " --input " + write_temp("bad_input_dup", "x,y,y\n1,2,3\n"),
       "column 'y' appears twice in the header (columns 2 and 3)"},
  };
  for (const option_case& c : config) {
    INFO("case: " << c.name);
    const auto r = run(c.command);
    CHECK(r.status == 2);
    CHECK(cli_test::lines(r.out).size() <= 1);  // at most the output's header line
    CHECK_THAT(r.err, Contains(c.message));
  }
  std::remove(in.c_str());
}

// Option errors exit with status 2, as every configuration error (README), and a NaN
// half-life or span is refused rather than read as "no forgetting".
TEST_CASE("bad input cli: option errors exit with status 2 and NaN is refused",
          "[bad_input][cli]") {
  const std::string in = write_temp("bad_input_opts2", good_rows);
  for (const option_case& c : std::vector<option_case>{
           {"window size 0", rr + " --input " + in + " --window 0", "--window"},
           {"stream_fit window size 0", sf + " " + in + " --y y --x x --window 0", "--window"},
           {"stream_fit half-life nan", sf + " " + in + " --y y --x x --half-life nan",
            "--half-life"},
           {"half-life nan", rr + " --input " + in + " --half-life nan", "--half-life"},
           {"window span nan", rr + " --input " + in + " --time t --window-time nan",
            "--window-time"},
           {"half-life-time nan", rr + " --input " + in + " --time t --half-life-time nan",
            "--half-life-time"}}) {
    INFO("case: " << c.name);
    const auto r = run(c.command);
    CHECK(r.status == 2);
    CHECK(r.out.empty());
    CHECK_THAT(r.err, Contains(c.message));
  }
  std::remove(in.c_str());
}

TEST_CASE("bad input cli: damaged checkpoints are refused, output untouched", "[bad_input][cli]") {
  const std::string in = write_temp("bad_input_ck_in", good_rows);
  const std::string out = cli_test::temp_path("bad_input_ck_out");
  const std::string ck = cli_test::temp_path("bad_input_ck");
  const std::string cmd = rr + " --input " + in + " --output " + out + " --checkpoint " + ck;
  std::remove(ck.c_str());
  REQUIRE(run(cmd).status == 0);
  const std::string saved = cli_test::slurp(ck);
  const std::string output = cli_test::slurp(out);
  REQUIRE(!saved.empty());
  struct ck_case {
    const char* name;
    std::string text;
    std::string args;
    std::string message;
  };
  std::string flipped = saved;
  flipped[saved.size() / 2] = static_cast<char>(flipped[saved.size() / 2] ^ 0x04);
  std::string versioned = saved;
  versioned.replace(versioned.find(" 1 "), 3, " 9 ");
  const std::vector<ck_case> table = {
      {"truncated", saved.substr(0, saved.size() / 2), "", "checkpoint: truncated"},
      {"truncated in the checksum", saved.substr(0, saved.size() - 3), "", "checksum mismatch"},
      {"bit flipped", flipped, "", "checksum mismatch"},
      {"version mismatch", versioned, "", "format version 9"},
      {"not a checkpoint", "hello\n", "", "not a streamreg checkpoint"},
      {"written with other arguments", saved, " --window 2", "holds"},
  };
  for (const ck_case& c : table) {
    INFO("case: " << c.name);
    { std::FILE* f = std::fopen(ck.c_str(), "wb");
      std::fwrite(c.text.data(), 1, c.text.size(), f);
      std::fclose(f); }
    const auto r = run(cmd + c.args);
    CHECK(r.status == 2);
    CHECK_THAT(r.err, Contains(c.message));
    CHECK(cli_test::slurp(out) == output);  // nothing written, nothing cut back
    CHECK(cli_test::slurp(ck) == c.text);   // the checkpoint is left for inspection
  }
  std::remove(in.c_str());
  std::remove(out.c_str());
  std::remove(ck.c_str());
  std::remove((ck + ".lock").c_str());
}

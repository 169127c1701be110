// SPDX-License-Identifier: MIT
// Runs the example binaries as a user would and checks their output against the reference
// change stream, NIST certified values and the documented exit codes and messages.
#include <catch2/catch.hpp>

#include <sys/wait.h>

#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace {

using Catch::Matchers::Contains;
using Catch::Matchers::WithinRel;

struct result {
  int status = -1;
  std::string out, err;
};

std::string slurp(const std::string& path) {
  std::ifstream f(path, std::ios::binary);
  std::ostringstream s;
  s << f.rdbuf();
  return s.str();
}

std::string temp_path(const std::string& name) {
  const char* dir = std::getenv("TMPDIR");
  return std::string(dir ? dir : "/tmp") + "/streamreg_cli_" + std::to_string(::getpid()) + "_" +
         name;
}

/// Runs `command` through the shell with stdout and stderr captured.
result run(const std::string& command) {
  const std::string out = temp_path("out"), err = temp_path("err");
  const int raw = std::system(("(" + command + ") >" + out + " 2>" + err + " </dev/null").c_str());
  result r;
  r.status = WIFEXITED(raw) ? WEXITSTATUS(raw) : -1;
  r.out = slurp(out);
  r.err = slurp(err);
  std::remove(out.c_str());
  std::remove(err.c_str());
  return r;
}

std::vector<std::string> lines(const std::string& text) {
  std::vector<std::string> v;
  std::istringstream s(text);
  for (std::string l; std::getline(s, l);) v.push_back(l);
  return v;
}

std::vector<std::string> fields(const std::string& line, char sep = ',') {
  std::vector<std::string> v;
  std::string f;
  std::istringstream s(line);
  while (std::getline(s, f, sep)) v.push_back(f);
  if (!line.empty() && line.back() == sep) v.emplace_back();
  return v;
}

std::string write_temp(const std::string& name, const std::string& text) {
  const std::string p = temp_path(name);
  std::ofstream(p, std::ios::binary) << text;
  return p;
}

const std::string rr = REALTIME_REGRESSION;
const std::string sf = STREAM_FIT;
const std::string data = STREAMREG_DATA_DIR;

// The reference workflow's output for seed_stream.csv: inserted (a, b) at times 1..9.
const double reference[10][2] = {{0, 0},
                                 {0.06888437030500971, 0.9827065102830508},
                                 {0.07724821608916699, 0.9576149729305795},
                                 {0.0769101730536299, 0.9581220374838857},
                                 {0.05833884879671927, 0.9766933617407955},
                                 {0.05087576879874134, 0.9822906717392795},
                                 {0.03085078333935821, 0.9943056630149089},
                                 {0.03590542987734715, 0.9917783397459139},
                                 {0.03198741430177742, 0.9934574892783012},
                                 {0.025649728471303895, 0.9958341214647295}};

/// Checks a change stream for the seed stream: shape, retractions, values.
void check_seed_change_stream(const std::string& out, bool compat) {
  const auto rows = lines(out);
  REQUIRE(rows.size() == 1 + 1 + 2 * 9);
  CHECK(rows[0] == "a,b,time,diff");
  CHECK(rows[1] == (compat ? "0,0,0,1" : ",,0,1"));
  std::vector<std::string> previous = fields(rows[1]);
  for (int t = 1; t <= 9; ++t) {
    const auto retraction = fields(rows[static_cast<std::size_t>(2 * t)]);
    const auto insertion = fields(rows[static_cast<std::size_t>(2 * t + 1)]);
    REQUIRE(retraction.size() == 4);
    REQUIRE(insertion.size() == 4);
    CHECK(retraction[0] == previous[0]);
    CHECK(retraction[1] == previous[1]);
    CHECK(retraction[2] == std::to_string(t));
    CHECK(retraction[3] == "-1");
    CHECK(insertion[2] == std::to_string(t));
    CHECK(insertion[3] == "1");
    CHECK_THAT(std::stod(insertion[0]), WithinRel(reference[t][0], 1e-12));
    CHECK_THAT(std::stod(insertion[1]), WithinRel(reference[t][1], 1e-12));
    // 17 significant digits.
    CHECK(insertion[1].find_first_of("eE") == std::string::npos);
    previous = insertion;
  }
}

}  // namespace

TEST_CASE("realtime_regression: seed stream gives the reference change stream", "[cli]") {
  const auto r = run(rr + " --input " + data + "/seed_stream.csv");
  REQUIRE(r.status == 0);
  check_seed_change_stream(r.out, false);
}

TEST_CASE("realtime_regression: --compat writes undefined fits as 0,0", "[cli]") {
  const auto r = run(rr + " --input " + data + "/seed_stream.csv --compat");
  REQUIRE(r.status == 0);
  check_seed_change_stream(r.out, true);
}

TEST_CASE("realtime_regression: reads standard input and writes --output", "[cli]") {
  const std::string out = temp_path("change.csv");
  const auto r = run("cat " + data + "/seed_stream.csv | " + rr + " --input - --output " + out);
  REQUIRE(r.status == 0);
  CHECK(r.out.empty());
  check_seed_change_stream(slurp(out), false);
  std::remove(out.c_str());
}

TEST_CASE("realtime_regression: --max-records stops after N records", "[cli]") {
  const auto r = run(rr + " --input " + data + "/seed_stream.csv --max-records 3");
  REQUIRE(r.status == 0);
  CHECK(lines(r.out).size() == 1 + 1 + 2 * 2);
}

TEST_CASE("realtime_regression: no input runs the demo producer to its end", "[cli]") {
  const auto r = run(rr);
  REQUIRE(r.status == 0);
  const auto rows = lines(r.out);
  REQUIRE(rows.size() == 1 + 1 + 2 * 99);  // 100 records by default
  const auto last = fields(rows.back());
  // y = x + U(-0.1, 0.1) over x = 0..99: slope within 0.01 of 1 (its standard error is
  // about 2e-4), intercept within 0.1 of 0.
  CHECK_THAT(std::stod(last[1]), Catch::Matchers::WithinAbs(1.0, 0.01));
  CHECK_THAT(std::stod(last[0]), Catch::Matchers::WithinAbs(0.0, 0.1));
  CHECK(last[2] == "99");
  // Deterministic: the same seed gives the same bytes, another seed others.
  CHECK(run(rr).out == r.out);
  CHECK(run(rr + " --seed 7").out != r.out);
}

TEST_CASE("realtime_regression: --on-error fail names the first bad line and keeps output",
          "[cli][errors]") {
  const std::string in =
      write_temp("bad.csv", "x,y\n0,0.1\n1,1.1\n2,oops\n3,3.1\nfour,4\n5,5.1\n");
  const auto r = run(rr + " --input " + in);
  CHECK(r.status == 1);
  CHECK_THAT(r.err, Contains("line 4") && Contains("column 2 (y)") && Contains("'oops'"));
  const auto rows = lines(r.out);
  REQUIRE(rows.size() == 1 + 1 + 2);  // the two good records before the bad line
  const auto last = fields(rows.back());
  CHECK_THAT(std::stod(last[0]), WithinRel(0.1, 1e-12));
  CHECK_THAT(std::stod(last[1]), WithinRel(1.0, 1e-12));
  std::remove(in.c_str());
}

TEST_CASE("realtime_regression: --on-error skip fits exactly the good rows", "[cli][errors]") {
  const std::string bad =
      write_temp("bad2.csv", "x,y\n0,0.1\n1,1.1\n2,oops\n3,3.1\nfour,4\n5,nan\n6,6.1\n");
  const std::string good = write_temp("good2.csv", "x,y\n0,0.1\n1,1.1\n3,3.1\n6,6.1\n");
  const auto r = run(rr + " --input " + bad + " --on-error skip");
  CHECK(r.status == 0);
  CHECK(r.out == run(rr + " --input " + good).out);
  CHECK_THAT(r.err, Contains("line 4") && Contains("line 6") && Contains("line 7"));
  CHECK_THAT(r.err, Contains("3 skipped"));
  std::remove(bad.c_str());
  std::remove(good.c_str());
}

TEST_CASE("realtime_regression: unknown column is a configuration error", "[cli][errors]") {
  const auto r = run(rr + " --input " + data + "/seed_stream.csv --x nope");
  CHECK(r.status == 2);
  CHECK_THAT(r.err, Contains("unknown column 'nope'"));
}

TEST_CASE("realtime_regression: --time takes the time field from a column", "[cli]") {
  const std::string in = write_temp("timed.csv", "t,x,y\n1700000000,0,1\n1700000005,1,3\n");
  const auto r = run(rr + " --input " + in + " --time t");
  REQUIRE(r.status == 0);
  const auto rows = lines(r.out);
  REQUIRE(rows.size() == 4);
  CHECK(rows[1] == ",,1700000000,1");
  CHECK(rows[3] == "1,2,1700000005,1");
  std::remove(in.c_str());
}

TEST_CASE("stream_fit: NIST Norris final fit matches the certified values", "[cli][nist]") {
  const auto r = run(sf + " " + data +
                     "/nist/Norris.dat --skip-to-data --y y --x x --emit final --format jsonl");
  REQUIRE(r.status == 0);
  // Certified values (NIST StRD Norris).
  const std::string& o = r.out;
  auto number_after = [&o](const std::string& key, int k) {
    std::size_t p = o.find("\"" + key + "\":");
    REQUIRE(p != std::string::npos);
    p = o.find_first_of("-0123456789", p + key.size() + 3);
    for (int i = 0; i < k; ++i) p = o.find_first_of("-0123456789", o.find(',', p));
    return std::stod(o.substr(p));
  };
  CHECK_THAT(r.out, Contains("\"n\":36") && Contains("\"status\":\"ok\""));
  CHECK_THAT(number_after("coefficients", 0), WithinRel(-0.262323073774029, 1e-11));
  CHECK_THAT(number_after("coefficients", 1), WithinRel(1.00211681802045, 1e-13));
  CHECK_THAT(number_after("std_errors", 0), WithinRel(0.232818234301152, 1e-9));
  CHECK_THAT(number_after("std_errors", 1), WithinRel(0.429796848199937e-3, 1e-9));
  CHECK_THAT(number_after("residual_sd", 0), WithinRel(0.884796396144373, 1e-9));
  CHECK_THAT(number_after("r_squared", 0), WithinRel(0.999993745883712, 1e-12));
}

TEST_CASE("stream_fit: every record, csv, header detected", "[cli]") {
  const auto r = run(sf + " " + data + "/seed_stream.csv --y y --x x");
  REQUIRE(r.status == 0);
  const auto rows = lines(r.out);
  REQUIRE(rows.size() == 11);
  CHECK(rows[0] == "n,intercept,slope,status,residual_sd,r_squared,se_intercept,se_slope");
  CHECK(rows[1] == "1,,,too_few_points,,,,");
  for (int n = 2; n <= 10; ++n) {
    const auto f = fields(rows[static_cast<std::size_t>(n)]);
    CHECK(f[0] == std::to_string(n));
    CHECK(f[3] == "ok");
    CHECK_THAT(std::stod(f[1]), WithinRel(reference[n - 1][0], 1e-12));
    CHECK_THAT(std::stod(f[2]), WithinRel(reference[n - 1][1], 1e-12));
  }
}

TEST_CASE("stream_fit: header-less whitespace input by column number", "[cli]") {
  // y = 1 + 2x exactly: residual SD 0, R^2 1.
  const auto r = run("printf '0 1\\n1 3\\n2 5\\n3 7\\n' | " + sf +
                     " --x 1 --y 2 --emit final --format jsonl");
  REQUIRE(r.status == 0);
  CHECK(r.out ==
        "{\"n\":4,\"status\":\"ok\",\"coefficients\":[1,2],\"std_errors\":[0,0],"
        "\"residual_sd\":0,\"r_squared\":1}\n");
}

TEST_CASE("stream_fit: bad input fails with line and column, skip counts", "[cli][errors]") {
  const std::string in = write_temp("bad3.csv", "x,y\n0,1\n1,3\n2,x5\n3,7\n");
  auto r = run(sf + " " + in + " --y y --x x --emit final");
  CHECK(r.status == 1);
  CHECK_THAT(r.err, Contains("line 4, column 2 (y)") && Contains("'x5'"));
  r = run(sf + " " + in + " --y y --x x --emit final --on-error skip");
  CHECK(r.status == 0);
  CHECK_THAT(r.err, Contains("1 skipped"));
  CHECK_THAT(r.out, Contains("\n3,1,2,ok,0,1,0,0"));
  std::remove(in.c_str());
}

TEST_CASE("examples: --help describes every binary", "[cli]") {
  CHECK(run(rr + " --help").status == 0);
  CHECK(run(sf + " --help").status == 0);
  CHECK_THAT(run(rr + " --help").out, Contains("--on-error") && Contains("--compat"));
}

TEST_CASE("examples: quickstart runs", "[cli]") {
  const auto r = run(QUICKSTART);
  CHECK(r.status == 0);
  CHECK_THAT(r.out, Contains("R^2"));
}

// SPDX-License-Identifier: MIT
// Runs the example binaries as a user would and checks their output against the reference
// change stream, NIST certified values and the documented exit codes and messages.
#include "run_support.hpp"
#include "support/format.hpp"
#include "support/oracle.hpp"

#include <catch2/catch.hpp>

#include <sys/wait.h>

#include <cmath>
#include <cstdint>
#include <utility>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

namespace {

using Catch::Matchers::Contains;
using Catch::Matchers::WithinRel;
using cli_test::fields;
using cli_test::lines;
using cli_test::run;
using cli_test::slurp;
using cli_test::temp_path;
using cli_test::write_temp;

const std::string rr = REALTIME_REGRESSION;
const std::string sf = STREAM_FIT;
const std::string data = STREAMREG_DATA_DIR;

const auto& reference = cli_test::seed_reference;

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
        "\"residual_sd\":0,\"r_squared\":1,\"t_values\":[null,null],\"p_values\":[null,null]}\n");
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

// ---------------------------------------------------------------------------------------------
// Windows, weights, forgetting, retraction and checkpoints through the binaries.

namespace {

struct wpoint {
  long double x, y, w;
};

/// Weighted least squares by the two-pass formulas in long double: (intercept, slope).
std::pair<double, double> batch_fit(const std::vector<wpoint>& d) {
  long double sw = 0, mx = 0, my = 0;
  for (const auto& p : d) {
    sw += p.w;
    mx += p.w * p.x;
    my += p.w * p.y;
  }
  mx /= sw;
  my /= sw;
  long double sxx = 0, sxy = 0;
  for (const auto& p : d) {
    sxx += p.w * (p.x - mx) * (p.x - mx);
    sxy += p.w * (p.x - mx) * (p.y - my);
  }
  const long double b = sxy / sxx;
  return {static_cast<double>(my - b * mx), static_cast<double>(b)};
}

/// A file of n records t,x,y,w with x near 1.7e9 (deterministic, LCG noise).
std::pair<std::string, std::vector<wpoint>> offset_file(const std::string& name, int n) {
  std::ostringstream s;
  s << "t,x,y,w\n";
  std::vector<wpoint> d;
  std::uint64_t state = 12345;
  for (int i = 0; i < n; ++i) {
    state = state * 6364136223846793005ull + 1442695040888963407ull;
    const double u = static_cast<double>(state >> 11) * 0x1p-53;
    const double x = 1.7e9 + 0.25 * i;
    const double y = 2.0 * (0.25 * i) + 5.0 + u;
    const double w = 1.0 + static_cast<double>(i % 7);
    s << (10 * i) << ',' << cli_test::g17(x) << ',' << cli_test::g17(y) << ',' << w << '\n';
    d.push_back({static_cast<long double>(x), static_cast<long double>(y), static_cast<long double>(w)});
  }
  return {write_temp(name, s.str()), d};
}

std::pair<double, double> last_insertion(const std::string& change_stream) {
  const auto rows = lines(change_stream);
  REQUIRE(rows.size() >= 2);
  const auto f = fields(rows.back());
  return {std::stod(f[0]), std::stod(f[1])};
}

}  // namespace

TEST_CASE("realtime_regression: --window N fits the last N records", "[cli][window]") {
  auto [path, d] = offset_file("win.csv", 500);
  const auto r = run(rr + " --input " + path + " --window 100");
  REQUIRE(r.status == 0);
  for (auto& p : d) p.w = 1;
  const auto expected = batch_fit(std::vector<wpoint>(d.end() - 100, d.end()));
  const auto got = last_insertion(r.out);
  CHECK_THAT(got.first, WithinRel(expected.first, 1e-11));
  CHECK_THAT(got.second, WithinRel(expected.second, 1e-11));
  std::remove(path.c_str());
}

TEST_CASE("realtime_regression: --weight fits weighted least squares", "[cli][weights]") {
  auto [path, d] = offset_file("weights.csv", 300);
  const auto r = run(rr + " --input " + path + " --weight w");
  REQUIRE(r.status == 0);
  const auto expected = batch_fit(d);
  const auto got = last_insertion(r.out);
  CHECK_THAT(got.first, WithinRel(expected.first, 1e-11));
  CHECK_THAT(got.second, WithinRel(expected.second, 1e-11));
  std::remove(path.c_str());
}

TEST_CASE("stream_fit: --half-life weighs a record k records old 0.5^(k/H)", "[cli][forgetting]") {
  auto [path, d] = offset_file("halflife.csv", 2000);
  const auto r = run(sf + " " + path + " --y y --x x --half-life 150 --emit final");
  REQUIRE(r.status == 0);
  const std::size_t n = d.size();
  for (std::size_t k = 0; k < n; ++k)
    d[k].w = std::pow(0.5L, static_cast<long double>(n - 1 - k) / 150.0L);
  const auto expected = batch_fit(d);
  const auto f = fields(lines(r.out).back());
  CHECK_THAT(std::stod(f[1]), WithinRel(expected.first, 1e-9));
  CHECK_THAT(std::stod(f[2]), WithinRel(expected.second, 1e-9));
  std::remove(path.c_str());
}

TEST_CASE("stream_fit: --window-time keeps the records of the last span of time",
          "[cli][window]") {
  auto [path, d] = offset_file("wintime.csv", 400);
  // Times are 10 i: a span of 995 after the last record (3990) keeps times > 2995: 100 records.
  const auto r =
      run(sf + " " + path + " --y y --x x --time t --window-time 995 --emit final --format jsonl");
  REQUIRE(r.status == 0);
  CHECK_THAT(r.out, Contains("\"n\":100,"));
  std::remove(path.c_str());

  const std::string late = write_temp("late.csv", "t,x,y\n1,0,0\n5,1,1\n3,2,2\n6,3,3\n");
  const auto e = run(sf + " " + late + " --y y --x x --time t --window-time 10 --emit final");
  CHECK(e.status == 1);
  CHECK_THAT(e.err, Contains("line 4, column 1 (t)") && Contains("earlier"));
  std::remove(late.c_str());
}

TEST_CASE("stream_fit: --diff -1 retracts an earlier record", "[cli][retraction]") {
  const std::string with = write_temp("diff.csv", "x,y,d\n1,2,1\n2,4.5,1\n3,5,1\n2,4.5,-1\n");
  const std::string without = write_temp("nodiff.csv", "x,y\n1,2\n3,5\n");
  const auto a = run(sf + " " + with + " --y y --x x --diff d --emit final --format jsonl");
  const auto b = run(sf + " " + without + " --y y --x x --emit final --format jsonl");
  REQUIRE(a.status == 0);
  CHECK(a.out == b.out);
  CHECK_THAT(a.out, Contains("\"coefficients\":[0.5,1.5]"));
  // A retraction of a record that was never there is a bad record.
  const std::string bogus = write_temp("bogus.csv", "x,y,d\n1,2,1\n2,4.5,1\n3,5,1\n7,4.5,-1\n");
  const auto c = run(sf + " " + bogus + " --y y --x x --diff d");
  CHECK(c.status == 1);
  CHECK_THAT(c.err, Contains("line 5, column 3 (d)") && Contains("not in the fit"));
  for (const auto& p : {with, without, bogus}) std::remove(p.c_str());
}

TEST_CASE("realtime_regression: bad option combinations are configuration errors",
          "[cli][errors]") {
  CHECK(run(rr + " --window 5 --half-life 3").status == 2);
  CHECK_THAT(run(rr + " --input " + data + "/seed_stream.csv --window-time 5").err,
             Contains("--time"));
  CHECK(run(rr + " --window 0").status != 0);
}

TEST_CASE("realtime_regression: --precise fits in double-double, resumes from its checkpoint, "
          "and refuses what it cannot do",
          "[cli][precise][checkpoint]") {
  // Timestamps near 1.7e9 with irregular steps: the exact fit of the doubles as written.
  const auto d = streamreg_test::offset_stream(17, 3000, streamreg_test::x_pattern::irregular,
                                               1e6, 0.5);
  std::string text = "x,y\n";
  for (const auto& p : d) text += streamreg_test::g17(p.x) + "," + streamreg_test::g17(p.y) + "\n";
  const std::string path = write_temp("precise.csv", text);
  const std::string ck = temp_path("precise.ck"), out = temp_path("precise.out");
  std::remove(ck.c_str());
  const auto whole = run(rr + " --precise --input " + path);
  REQUIRE(whole.status == 0);
  const auto exact = streamreg_test::exact_fit(d);
  const auto last = fields(lines(whole.out).back());
  REQUIRE(last.size() == 4);
  CHECK_THAT(std::stod(last[0]), streamreg_test::within_rel_exact<double>(exact.intercept, 1e-15));
  CHECK_THAT(std::stod(last[1]), streamreg_test::within_rel_exact<double>(exact.slope, 1e-15));
  // Stopped after 1000 records and resumed: the same change stream, the precise state saved.
  const std::string args = " --precise --input " + path + " --checkpoint " + ck + " --output " + out;
  REQUIRE(run(rr + args + " --max-records 1000").status == 0);
  CHECK(slurp(ck).find("moments<double_double>") != std::string::npos);
  REQUIRE(run(rr + args).status == 0);
  CHECK(slurp(out) == whole.out);
  // A checkpoint of the double state is not taken for a precise one.
  const auto mixed = run(rr + " --input " + path + " --checkpoint " + ck + " --output " + out);
  CHECK(mixed.status == 2);
  // Forgetting runs in double; the scale-out states are moments<double>.
  const auto forgetting = run(rr + " --precise --half-life 50 --input " + path);
  CHECK(forgetting.status == 2);
  CHECK_THAT(forgetting.err, Contains("--precise") && Contains("--half-life"));
  const auto shared = run(rr + " --precise --kafka 127.0.0.1:1 --topic t --publish-state s");
  CHECK(shared.status == 2);
  CHECK_THAT(shared.err, Contains("no --precise"));
  for (const auto& p : {path, ck, ck + ".lock", out}) std::remove(p.c_str());
}

TEST_CASE("realtime_regression: a run killed with SIGKILL resumes from its checkpoint",
          "[cli][checkpoint]") {
  auto [path, d] = offset_file("kill.csv", 4000);
  const std::string ck = temp_path("kill.ck"), out = temp_path("kill.out"),
                    ref = temp_path("kill.ref");
  std::remove(ck.c_str());
  const std::string args = " --input " + path + " --window 300 --checkpoint-every 97 ";
  REQUIRE(run(rr + args + "--output " + ref).status == 0);
  // Three runs killed at different moments, then one to the end: the output equals the
  // uninterrupted run's byte for byte, and so does the final state.
  for (const char* delay : {"0.15", "0.3", "0.2"}) {
    run(rr + args + "--max-rate 8000 --checkpoint " + ck + " --output " + out + " & pid=$!; sleep " +
        delay + "; kill -9 $pid; wait $pid");
  }
  const auto last = run(rr + args + "--checkpoint " + ck + " --output " + out);
  REQUIRE(last.status == 0);
  CHECK(slurp(out) == slurp(ref));
  CHECK(slurp(ck).find("realtime_regression.2/regressor<count_window<moments<double>>>") !=
        std::string::npos);
  // A checkpoint written with other arguments is refused, a damaged one too.
  const auto other = run(rr + " --input " + path + " --window 301 --checkpoint " + ck);
  CHECK(other.status == 2);
  CHECK_THAT(other.err, Contains("other arguments") || Contains("differs"));
  std::string text = slurp(ck);
  text[text.size() / 2] = static_cast<char>(text[text.size() / 2] ^ 1);
  std::ofstream(ck, std::ios::binary) << text;
  const auto damaged = run(rr + args + "--checkpoint " + ck);
  CHECK(damaged.status == 2);
  CHECK_THAT(damaged.err, Contains("checkpoint"));
  for (const auto& p : {path, ck, ck + ".lock", out, ref}) std::remove(p.c_str());
}

namespace {

TEST_CASE("command-line conventions: positional input, -, kcat's short flags", "[cli]") {
  // y = 1 + 2x + e: the same change stream from a positional file, --input and standard input.
  const std::string in = write_temp("conv.csv", "x,y\n0,1\n1,3.5\n2,5\n3,7.25\n");
  const auto positional = run(rr + " " + in);
  const auto named = run(rr + " --input " + in);
  const auto piped = run("cat " + in + " | " + rr + " -");
  REQUIRE(positional.status == 0);
  CHECK(lines(positional.out).size() == 8);  // header, 1 + 2 × 3 rows
  CHECK(named.out == positional.out);
  CHECK(piped.out == positional.out);
  // -c is --max-records: two records, header and 1 + 2 rows.
  const auto two = run(rr + " " + in + " -c 2");
  REQUIRE(two.status == 0);
  CHECK(lines(two.out).size() == 4);
  CHECK(positional.out.rfind(two.out, 0) == 0);
  const auto sf_two = run(sf + " " + in + " --y y --x x -c 2 --emit final --format jsonl");
  CHECK_THAT(sf_two.out, Contains("\"n\":2"));
  // -b is --kafka, -t --topic, -o --start (kcat's beginning, end and stored accepted).
  for (const std::string& bin : {rr, sf + " --y y --x x"}) {
    const auto no_topic = run(bin + " -b localhost:1");
    CHECK(no_topic.status == 2);
    CHECK_THAT(no_topic.err, Contains("--kafka needs --topic"));
  }
  const auto bad_start = run(rr + " -b localhost:1 -t t -o sideways");
  CHECK(bad_start.status == 2);
  CHECK_THAT(bad_start.err, Contains("sideways"));
  std::remove(in.c_str());
}

}  // namespace

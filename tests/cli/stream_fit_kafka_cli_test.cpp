// SPDX-License-Identifier: MIT
// stream_fit on Kafka, as separate processes on librdkafka's mock cluster hosted by this test
// process: a checkpointed consumer of two predictors killed with SIGKILL and restarted ends
// byte-identical to an uninterrupted run; JSON messages; one predictor over three partitions,
// read by one consumer and by a member with the merger of its states (and a member stopped by
// SIGTERM); members of a
// group (--publish-state, one killed with SIGKILL and restarted) and the merger
// (--merge-states) end with the exact fit of every record, each counted once. The exact fits
// are rational (GMP), computed here from the records produced.
#include <streamreg/kafka/mock_cluster.hpp>
#include <streamreg/kafka/producer.hpp>

#include <catch2/catch.hpp>

#include "run_support.hpp"
#include "support/exact_ls.hpp"
#include "support/kafka_support.hpp"
#include "support/oracle.hpp"

#include <cstdint>
#include <cstdio>
#include <string>
#include <vector>

using Catch::Matchers::Contains;
using namespace cli_test;

namespace {

const std::string sf = STREAM_FIT;
// Group timings suited to the mock (it waits session.timeout.ms - 1000 ms per rebalance).
const std::string mock_settings = " -X session.timeout.ms=4000 -X heartbeat.interval.ms=500 ";

/// A held-out stream: `inputs` predictors away from the origin, y linear in them plus noise
/// (splitmix64, fixed seed).
streamreg_test::ls_problem make_stream(std::size_t n, int inputs, std::uint64_t seed) {
  streamreg_test::ls_problem q;
  std::uint64_t s = seed;
  auto u = [&s] {  // splitmix64 -> [0, 1)
    std::uint64_t z = (s += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return static_cast<double>((z ^ (z >> 31)) >> 11) * 0x1p-53;
  };
  for (std::size_t i = 0; i < n; ++i) {
    std::vector<double> x;
    double y = 3.25 + 0.01 * (u() - 0.5);
    for (int j = 0; j < inputs; ++j) {
      x.push_back(1000 + 100 * u() + j);
      y += (j % 2 == 0 ? 0.5 : -1.25) * x.back();
    }
    q.add(std::move(x), y);
  }
  return q;
}

/// Produces the stream as CSV (header x1,...,y first in each partition), record i to
/// partition i mod `partitions`.
void produce(const streamreg::kafka::mock_cluster& mc, const std::string& topic,
             const streamreg_test::ls_problem& q, int partitions) {
  std::string header;
  for (std::size_t j = 0; j < q.x.front().size(); ++j) {
    header += 'x';  // (not "x" + std::to_string(): g++ 12 -O3 C++20 reports a false -Wrestrict)
    header += std::to_string(j + 1);
    header += ',';
  }
  std::vector<std::string> rows;
  for (std::size_t i = 0; i < q.y.size(); ++i) {
    std::string row;
    for (double v : q.x[i]) row += g17(v) + ",";
    rows.push_back(row + g17(q.y[i]));
  }
  streamreg_test::produce_rows(mc.bootstraps(), topic, header + "y", rows, partitions);
}

/// The numbers of a JSON array field `"name":[...]` of a JSON line.
std::vector<double> json_array(const std::string& line, const std::string& name) {
  const std::string key = "\"" + name + "\":[";
  const auto at = line.find(key);
  REQUIRE(at != std::string::npos);
  const auto from = at + key.size();
  std::vector<double> v;
  for (const auto& f : fields(line.substr(from, line.find(']', from) - from))) v.push_back(std::stod(f));
  return v;
}

/// Checks the last JSON line of `out`: n records, the coefficients within 1e-12 of the exact
/// fit.
void check_exact(const std::string& out, const streamreg_test::ls_problem& q) {
  const auto rows = lines(out);
  REQUIRE(!rows.empty());
  const std::string& last = rows.back();
  INFO(last);
  CHECK_THAT(last, Contains("{\"n\":" + std::to_string(q.y.size()) + ","));
  const auto ex = streamreg_test::exact_solve(q);
  REQUIRE(ex.full_rank);
  const auto c = json_array(last, "coefficients");
  REQUIRE(c.size() == ex.beta.size());
  for (std::size_t j = 0; j < c.size(); ++j) {
    INFO("coefficient " << j << ": relative error " << streamreg_test::rel_error(c[j], ex.beta[j]));
    CHECK(streamreg_test::rel_error(c[j], ex.beta[j]) < 1e-12);
  }
}

void remove_files(const std::vector<std::string>& paths) {
  for (const auto& p : paths) std::remove(p.c_str());
}

/// A consumer with a checkpoint, killed with SIGKILL about halfway and restarted, against an
/// uninterrupted run of the same model (`model`: the columns and model options) over a topic of
/// one partition (one order of the records, one output): the same bytes, the exact final fit.
void checkpoint_drill(const std::string& model, const streamreg_test::ls_problem& q,
                      const std::string& name) {
  streamreg::kafka::mock_cluster mc(1);
  mc.create_topic(name, 1);
  produce(mc, name, q, 1);
  const std::string ck = temp_path(name + ".ck"), out = temp_path(name + ".out"),
                    whole = temp_path(name + "_whole.out");
  remove_files({ck, out, whole});
  const std::string common = sf + " --kafka " + mc.bootstraps() + " --topic " + name + model +
                             " --format jsonl --exit-on-eof" + mock_settings;
  // Uninterrupted, in a group of its own.
  const auto once = run(common + "--group whole --output " + whole);
  INFO(once.err);
  REQUIRE(once.status == 0);
  check_exact(slurp(whole), q);
  CHECK(lines(slurp(whole)).size() == q.y.size());

  // About 3 s to join the group, then 1000 records/s: killed about halfway.
  const std::string args =
      common + "--group killed --checkpoint " + ck + " --checkpoint-every 50 --output " + out;
  run(args + " --max-rate 1000 & pid=$!; sleep 4.5; kill -9 $pid; wait $pid");
  const auto before = lines(slurp(out)).size();
  CHECK(before > 0);
  CHECK(before < q.y.size());
  const auto again = run(args);
  INFO(again.err);
  REQUIRE(again.status == 0);
  CHECK(slurp(out) == slurp(whole));
  remove_files({ck, ck + ".lock", out, whole});
}

}  // namespace

TEST_CASE("stream_fit: --kafka with a checkpoint, two predictors, killed with SIGKILL and "
          "restarted, ends byte-identical to an uninterrupted run",
          "[cli][kafka][checkpoint]") {
  checkpoint_drill(" --y y --x x1 --x x2", make_stream(2000, 2, 0x5eed0002u), "sf_plane");
}

TEST_CASE("stream_fit: --kafka with a checkpoint, one predictor, killed with SIGKILL and "
          "restarted, ends byte-identical to an uninterrupted run",
          "[cli][kafka][checkpoint]") {
  checkpoint_drill(" --y y --x x1", make_stream(2000, 1, 0x5eed0004u), "sf_line");
}

TEST_CASE("stream_fit: --kafka reads JSON messages, and one predictor over three partitions "
          "by one consumer and by a member with the merger",
          "[cli][kafka][scale-out]") {
  streamreg::kafka::mock_cluster mc(1);
  mc.create_topic("line", 3);
  mc.create_topic("json", 1);
  const auto q1 = make_stream(900, 1, 0x5eed0001u);
  produce(mc, "line", q1, 3);
  const std::string model = " --y y --x x1 --x x2 --format jsonl --exit-on-eof" + mock_settings;

  // JSON messages (--input-format jsonl), fields by name.
  const auto qj = make_stream(300, 2, 0x5eed0003u);
  {
    streamreg::kafka::producer prod(mc.bootstraps());
    for (std::size_t i = 0; i < qj.y.size(); ++i)
      prod.send("json", "{\"x1\":" + g17(qj.x[i][0]) + ",\"x2\":" + g17(qj.x[i][1]) +
                            ",\"y\":" + g17(qj.y[i]) + "}",
                0);
    prod.flush();
  }
  const auto json = run(sf + " --kafka " + mc.bootstraps() + " --topic json --group json" +
                        " --input-format jsonl" + model + "--emit final");
  INFO(json.err);
  REQUIRE(json.status == 0);
  REQUIRE(lines(json.out).size() == 1);
  check_exact(json.out, qj);

  // One predictor over three partitions: the final fit of every record.
  const auto line = run(sf + " --kafka " + mc.bootstraps() + " --topic line --group line" +
                        " --y y --x x1 --emit final --format jsonl --exit-on-eof" + mock_settings);
  INFO(line.err);
  REQUIRE(line.status == 0);
  REQUIRE(lines(line.out).size() == 1);
  check_exact(line.out, q1);

  // One predictor scaled out: a member alone holds every partition (its final row is the fit
  // of all records), and the merger of its published states.
  mc.create_topic("line-state", 1);
  const auto alone = run(sf + " --kafka " + mc.bootstraps() + " --topic line --group members" +
                         " --y y --x x1 --publish-state line-state --emit final --format jsonl" +
                         " --exit-on-eof" + mock_settings);
  INFO(alone.err);
  REQUIRE(alone.status == 0);
  REQUIRE(lines(alone.out).size() == 1);
  check_exact(alone.out, q1);
  const auto merged = run(sf + " --kafka " + mc.bootstraps() + " --topic line --y y --x x1" +
                          " --merge-states line-state --exit-on-eof --emit final --format jsonl");
  INFO(merged.err);
  REQUIRE(merged.status == 0);
  CHECK_THAT(merged.err, Contains("merged 3 partitions of 'line': n = 900 records"));
  REQUIRE(lines(merged.out).size() == 1);
  check_exact(merged.out, q1);

  // Without --exit-on-eof a member runs until SIGTERM, then stops cleanly: publishes, prints
  // its final row, exit 0.
  mc.create_topic("line-term-state", 1);
  const auto term = run(sf + " --kafka " + mc.bootstraps() + " --topic line --group term" +
                        " --y y --x x1 --publish-state line-term-state --emit final --format jsonl" +
                        mock_settings + " & pid=$!; sleep 6; kill -TERM $pid; wait $pid; echo $?");
  INFO(term.err);
  const auto out = lines(term.out);
  REQUIRE(out.size() == 2);
  CHECK(out[1] == "0");
  check_exact(out[0], q1);
  CHECK_THAT(term.err, Contains("3 states published to 'line-term-state'"));
}

TEST_CASE("stream_fit: members of a group and the merger give the exact global fit of two "
          "predictors, every record once",
          "[cli][kafka][scale-out]") {
  streamreg::kafka::mock_cluster mc(1);
  mc.create_topic("planes", 3);
  mc.create_topic("planes-state", 1);
  const auto q = make_stream(2400, 2, 0x5eed0022u);
  produce(mc, "planes", q, 3);

  const std::string model = " --y y --x x1 --x x2";
  const std::string member = sf + " --kafka " + mc.bootstraps() + " --topic planes --group fitters" +
                             model + " --publish-state planes-state --checkpoint-every 40" +
                             " --exit-on-eof --max-rate 250" + mock_settings;
  const std::string o1 = temp_path("sf_member1.out"), o2 = temp_path("sf_member2.out"),
                    o3 = temp_path("sf_member1_again.out");
  // Member 1 alone (about 3 s to join, then 250 records/s); member 2 joins after 4 s (a
  // rebalance moves partitions to it); member 1 is killed at 9 s and restarted with the same
  // arguments: its partitions go on from their last published states.
  const auto r = run("(" + member + " --output " + o1 + " 2>" + o1 + ".err & p1=$!; sleep 4; " +
                     member + " --output " + o2 + " 2>" + o2 + ".err & p2=$!; sleep 5; " +
                     "kill -9 $p1; wait $p1; " + member + " --output " + o3 + " 2>" + o3 +
                     ".err; s3=$?; wait $p2; s2=$?; echo status $s2 $s3)");
  INFO(r.out << slurp(o1 + ".err") << slurp(o2 + ".err") << slurp(o3 + ".err"));
  REQUIRE(r.out == "status 0 0\n");
  CHECK_THAT(slurp(o2 + ".err") + slurp(o3 + ".err"), Contains("restored"));
  CHECK(lines(slurp(o1)).size() > 10);  // the killed member had fitted records

  const auto merged = run(sf + " --kafka " + mc.bootstraps() + " --topic planes" + model +
                          " --merge-states planes-state --exit-on-eof --emit final --format jsonl");
  INFO(merged.err);
  REQUIRE(merged.status == 0);
  CHECK_THAT(merged.err, Contains("merged 3 partitions of 'planes': n = 2400 records"));
  REQUIRE(lines(merged.out).size() == 1);
  check_exact(merged.out, q);
  CHECK_THAT(merged.out, Contains("\"names\":[\"intercept\",\"x1\",\"x2\"]"));

  // Another model's merger refuses the states (exit 1 naming the state message).
  const auto other = run(sf + " --kafka " + mc.bootstraps() + " --topic planes" + model +
                         " --no-intercept --merge-states planes-state --exit-on-eof");
  CHECK(other.status == 1);
  CHECK_THAT(other.err, Contains("state topic 'planes-state' partition 0"));
  for (const auto& p : {o1, o2, o3}) remove_files({p, p + ".err"});
}

TEST_CASE("stream_fit: the Kafka options refuse what cannot work", "[cli][kafka][scale-out]") {
  const std::string k = sf + " --y y --x a --x b --kafka 127.0.0.1:1 --topic t";
  const auto win = run(k + " --publish-state s --window 10");
  CHECK(win.status == 2);
  CHECK_THAT(win.err, Contains("--window, --window-time, --half-life, --half-life-time"));
  const auto decay = run(k + " --merge-states s --half-life-time 5 --time t");
  CHECK(decay.status == 2);
  CHECK_THAT(decay.err, Contains("windows and forgetting"));
  const auto both = run(k + " --publish-state s --merge-states s");
  CHECK(both.status == 2);
  const auto ck = run(k + " --publish-state s --checkpoint x");
  CHECK(ck.status == 2);
  CHECK_THAT(ck.err, Contains("state topic is the checkpoint"));
  const auto file = run(k + " input.csv");
  CHECK(file.status == 2);
  CHECK_THAT(file.err, Contains("exclude each other"));
  const auto notopic = run(sf + " --y y --x a --kafka 127.0.0.1:1");
  CHECK(notopic.status == 2);
  const auto nokafka = run(sf + " --y y --x a --publish-state s");
  CHECK(nokafka.status == 2);
  CHECK_THAT(nokafka.err, Contains("for Kafka input"));
}

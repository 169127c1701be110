// SPDX-License-Identifier: MIT
// Scale-out through the binaries, as separate processes on librdkafka's mock cluster hosted by
// this test process: kafka_produce spreads a held-out stream over three partitions; members of
// one consumer group (`realtime_regression --publish-state`) fit their shares, one joining
// late, one killed with SIGKILL and restarted; the merger (`--merge-states`) must end with the
// exact fit of every record, each counted once.
#include <streamreg/kafka/mock_cluster.hpp>

#include <catch2/catch.hpp>

#include "run_support.hpp"
#include "support/oracle.hpp"

#include <cstdio>
#include <string>
#include <vector>

using Catch::Matchers::Contains;
using namespace cli_test;

namespace {

const std::string rr = REALTIME_REGRESSION;
const std::string produce = KAFKA_PRODUCE;

/// The last inserted row of a change stream.
std::vector<std::string> last_insertion(const std::string& out) {
  const auto rows = lines(out);
  for (auto it = rows.rbegin(); it != rows.rend(); ++it) {
    const auto f = fields(*it);
    if (f.size() == 4 && f[3] == "1") return f;
  }
  FAIL("no insertion in:\n" << out);
  return {};
}

}  // namespace

TEST_CASE("realtime_regression: members of a group and the merger give the exact global fit",
          "[cli][kafka][scale-out]") {
  streamreg::kafka::mock_cluster mc(1);
  mc.create_topic("points", 3);
  mc.create_topic("points-state", 1);
  const auto data =
      streamreg_test::offset_stream(7, 2400, streamreg_test::x_pattern::irregular, 1e3, 0.5);
  std::string csv = "x,y\n";
  for (const auto& p : data) csv += g17(p.x) + "," + g17(p.y) + "\n";
  const std::string input = write_temp("scale_out.csv", csv);
  const auto produced = run(produce + " --kafka " + mc.bootstraps() + " --topic points --spread --input " + input);
  REQUIRE(produced.status == 0);

  const std::string member = rr + " --kafka " + mc.bootstraps() +
                             " --topic points --group fitters --publish-state points-state"
                             " --checkpoint-every 40 --exit-on-eof --max-rate 250"
                             " -X session.timeout.ms=4000 -X heartbeat.interval.ms=500";
  const std::string o1 = temp_path("member1.out"), o2 = temp_path("member2.out"),
                    o3 = temp_path("member1-again.out");
  // Member 1 alone (about 3 s to join, then 250 records/s); member 2 joins after 4 s (a
  // rebalance moves partitions to it); member 1 is killed at 9 s and restarted with the same
  // arguments: its partitions go on from their last published states.
  const auto r = run("(" + member + " --output " + o1 + " 2>" + o1 + ".err & p1=$!; sleep 4; " +
                     member + " --output " + o2 + " 2>" + o2 + ".err & p2=$!; sleep 5; " +
                     "kill -9 $p1; wait $p1; " + member + " --output " + o3 + " 2>" + o3 +
                     ".err; s3=$?; wait $p2; s2=$?; echo status $s2 $s3)");
  INFO(r.out << slurp(o1 + ".err") << slurp(o2 + ".err") << slurp(o3 + ".err"));
  REQUIRE(r.out == "status 0 0\n");
  CHECK_THAT(slurp(o2 + ".err"), Contains("restored"));
  // The killed member had fitted records (a partial stream), the others wrote theirs.
  CHECK(lines(slurp(o1)).size() > 10);

  const auto merged = run(rr + " --kafka " + mc.bootstraps() +
                          " --topic points --merge-states points-state --exit-on-eof");
  INFO(merged.err);
  REQUIRE(merged.status == 0);
  CHECK_THAT(merged.err, Contains("merged 3 partitions of 'points': n = 2400 records"));
  const auto exact = streamreg_test::exact_fit(data);
  const auto last = last_insertion(merged.out);
  CHECK_THAT(std::stod(last[0]), streamreg_test::within_rel_exact<double>(exact.intercept, 1e-12));
  CHECK_THAT(std::stod(last[1]), streamreg_test::within_rel_exact<double>(exact.slope, 1e-12));
  CHECK(last[2] == "2400");  // time: the records in the merged fit
  for (const auto& p : {o1, o2, o3}) {
    std::remove(p.c_str());
    std::remove((p + ".err").c_str());
  }
  std::remove(input.c_str());
}

TEST_CASE("realtime_regression: --publish-state and --merge-states refuse what cannot be split",
          "[cli][kafka][scale-out]") {
  const auto win = run(rr + " --kafka 127.0.0.1:1 --topic t --publish-state s --window 10");
  CHECK(win.status == 2);
  CHECK_THAT(win.err, Contains("windows and forgetting"));
  const auto both = run(rr + " --kafka 127.0.0.1:1 --topic t --publish-state s --merge-states s");
  CHECK(both.status == 2);
  const auto ck = run(rr + " --kafka 127.0.0.1:1 --topic t --merge-states s --checkpoint x");
  CHECK(ck.status == 2);
  CHECK_THAT(ck.err, Contains("state topic is the checkpoint"));
  const auto nokafka = run(rr + " --publish-state s");
  CHECK(nokafka.status == 2);
}

// SPDX-License-Identifier: MIT
// realtime_regression --kafka against librdkafka's mock cluster hosted by this test process:
// the reference change stream, held-out data over three partitions (one fit per record, the
// exact final fit), SIGKILL and restart with a checkpoint, SIGTERM, bad messages, an
// unreachable broker, brokers down at start, refused commits, and the --kafka-mock demo.
#include <streamreg/kafka/mock_cluster.hpp>
#include <streamreg/kafka/producer.hpp>

#include <catch2/catch.hpp>

#include "checkpoint_fields.hpp"
#include "run_support.hpp"
#include "support/kafka_support.hpp"
#include "support/oracle.hpp"

#include <chrono>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

using Catch::Matchers::Contains;
using Catch::Matchers::WithinRel;
using namespace cli_test;

namespace {

const std::string rr = REALTIME_REGRESSION;
// Group timings suited to the mock (it waits session.timeout.ms - 1000 ms per rebalance).
const std::string mock_settings = " -X session.timeout.ms=4000 -X heartbeat.interval.ms=500 ";

std::string kafka_args(const streamreg::kafka::mock_cluster& mc, const std::string& topic,
                       const std::string& group) {
  return " --kafka " + mc.bootstraps() + " --topic " + topic + " --group " + group + mock_settings;
}

/// Held-out data: n records over `partitions` partitions (record i to partition i mod p),
/// each partition's header first.
std::vector<streamreg_test::point> produce_held_out(const streamreg::kafka::mock_cluster& mc,
                                                    const std::string& topic, int partitions,
                                                    std::size_t n) {
  auto data = streamreg_test::offset_stream(99, n, streamreg_test::x_pattern::irregular, 10.0, 0.5);
  streamreg_test::produce_points(mc.bootstraps(), topic, data, partitions);
  return data;
}

/// Checks a change stream: one insertion per record (each after the retraction of the one
/// before), and the last insertion equal to the exact fit of all the data.
void check_exact_final(const std::string& out, const std::vector<streamreg_test::point>& data) {
  const auto rows = lines(out);
  REQUIRE(rows.size() == 1 + 1 + 2 * (data.size() - 1));
  std::size_t insertions = 0;
  for (std::size_t i = 1; i < rows.size(); ++i) {
    const auto f = fields(rows[i]);
    REQUIRE(f.size() == 4);
    if (f[3] == "1") {
      CHECK(f[2] == std::to_string(insertions));
      ++insertions;
    }
  }
  CHECK(insertions == data.size());
  const auto last = fields(rows.back());
  const auto exact = streamreg_test::exact_fit(data);
  CHECK_THAT(std::stod(last[0]), streamreg_test::within_rel_exact<double>(exact.intercept, 1e-12));
  CHECK_THAT(std::stod(last[1]), streamreg_test::within_rel_exact<double>(exact.slope, 1e-12));
}

}  // namespace

TEST_CASE("realtime_regression: --kafka on one partition gives the reference change stream",
          "[cli][kafka]") {
  streamreg::kafka::mock_cluster mc(1);
  mc.create_topic("linear-regression", 1);
  const auto p = run(std::string(KAFKA_PRODUCE) + " --kafka " + mc.bootstraps() +
                     " --topic linear-regression --input " + STREAMREG_DATA_DIR + "/seed_stream.csv");
  REQUIRE(p.status == 0);
  const auto r = run(rr + kafka_args(mc, "linear-regression", "seed") + "--exit-on-eof");
  REQUIRE(r.status == 0);
  // The same bytes as the file gives; the file's change stream is the reference's.
  CHECK(r.out == run(rr + " --input " + STREAMREG_DATA_DIR + "/seed_stream.csv").out);
  const auto rows = lines(r.out);
  REQUIRE(rows.size() == 1 + 1 + 2 * 9);
  for (std::size_t t = 1; t <= 9; ++t) {
    const auto ins = fields(rows[2 * t + 1]);
    CHECK_THAT(std::stod(ins[0]), WithinRel(seed_reference[t][0], 1e-12));
    CHECK_THAT(std::stod(ins[1]), WithinRel(seed_reference[t][1], 1e-12));
  }
  // --max-records stops after N records.
  const auto m = run(rr + kafka_args(mc, "linear-regression", "seed-max") + "--max-records 4");
  CHECK(m.status == 0);
  CHECK(lines(m.out).size() == 1 + 1 + 2 * 3);
}

TEST_CASE("realtime_regression: --kafka over three partitions, one fit per record, exact end",
          "[cli][kafka]") {
  streamreg::kafka::mock_cluster mc(3);
  mc.create_topic("held-out", 3);
  const auto data = produce_held_out(mc, "held-out", 3, 900);
  const auto r = run(rr + kafka_args(mc, "held-out", "h") + "--exit-on-eof");
  REQUIRE(r.status == 0);
  check_exact_final(r.out, data);
}

TEST_CASE("realtime_regression: --kafka killed with SIGKILL resumes from its checkpoint",
          "[cli][kafka][checkpoint]") {
  streamreg::kafka::mock_cluster mc(3);
  mc.create_topic("kill", 3);
  const auto data = produce_held_out(mc, "kill", 3, 3000);
  const std::string ck = temp_path("kafka.ck"), out = temp_path("kafka.out");
  std::remove(ck.c_str());
  const std::string args = kafka_args(mc, "kill", "k") + "--exit-on-eof --checkpoint " + ck +
                           " --checkpoint-every 50 --output " + out;
  // About 3 s to join the group, then 1000 records/s: killed about halfway.
  run(rr + args + " --max-rate 1000 & pid=$!; sleep 4.5; kill -9 $pid; wait $pid");
  const auto before = lines(slurp(out)).size();
  CHECK(before > 2);
  CHECK(before < 1 + 2 * data.size() - 1);
  const auto r = run(rr + args);
  REQUIRE(r.status == 0);
  check_exact_final(slurp(out), data);
  CHECK_THAT(slurp(ck), Contains("partitions 3"));
  for (const auto& p : {ck, out, ck + ".lock"}) std::remove(p.c_str());
}

TEST_CASE("realtime_regression: --kafka stops cleanly on SIGTERM and commits",
          "[cli][kafka][signals]") {
  streamreg::kafka::mock_cluster mc(1);
  mc.create_topic("term", 1);
  const auto data = produce_held_out(mc, "term", 1, 50);
  // Without --exit-on-eof the run waits for more; SIGTERM ends it with status 0.
  const auto r = run(rr + kafka_args(mc, "term", "t") + " & pid=$!; sleep 5; kill -TERM $pid; wait $pid");
  CHECK(r.status == 0);
  check_exact_final(r.out, data);
  // Everything was committed: the group has nothing more to read.
  const auto again = run(rr + kafka_args(mc, "term", "t") + "--exit-on-eof");
  CHECK(again.status == 0);
  CHECK(again.out == "a,b,time,diff\n");
}

TEST_CASE("realtime_regression: --kafka bad messages name partition and offset",
          "[cli][kafka][errors]") {
  streamreg::kafka::mock_cluster mc(1);
  mc.create_topic("bad", 1);
  {
    streamreg::kafka::producer prod(mc.bootstraps());
    for (const char* m : {"x,y", "0,1", "1,3", "2,oops", "3,7", "4"}) prod.send("bad", m, 0);
    prod.flush();
  }
  const auto fail = run(rr + kafka_args(mc, "bad", "f") + "--exit-on-eof");
  CHECK(fail.status == 1);
  CHECK_THAT(fail.err, Contains("partition 0, offset 3, column 2 (y): not a number: 'oops'"));
  CHECK(lines(fail.out).size() == 1 + 1 + 2);
  const auto skip = run(rr + kafka_args(mc, "bad", "s") + "--exit-on-eof --on-error skip");
  CHECK(skip.status == 0);
  CHECK_THAT(skip.err, Contains("partition 0, offset 5, column 2 (y): missing field"));
  CHECK_THAT(skip.err, Contains("3 records fitted, 2 skipped"));
}

TEST_CASE("realtime_regression: --kafka with an unreachable broker fails in bounded time",
          "[cli][kafka][errors]") {
  const auto start = std::chrono::steady_clock::now();
  const auto r = run(rr + " --kafka 127.0.0.1:1 --topic t --connect-timeout 1500");
  const auto elapsed = std::chrono::steady_clock::now() - start;
  CHECK(r.status == 3);
  CHECK_THAT(r.err, Contains("cannot reach the Kafka brokers '127.0.0.1:1' within 1500 ms"));
  CHECK(elapsed < std::chrono::seconds(8));
  CHECK(run(rr + " --kafka 127.0.0.1:1").status == 2);  // no --topic
  CHECK(run(rr + " --kafka 127.0.0.1:1 --topic t -X nokey").status == 2);
}

TEST_CASE("realtime_regression: --kafka-mock runs the demo stream through Kafka to its end",
          "[cli][kafka][demo]") {
  const auto r = run(rr + " --kafka-mock");
  REQUIRE(r.status == 0);
  // The demo producer's records, through Kafka: the same change stream as without Kafka.
  CHECK(r.out == run(rr).out);
  CHECK(lines(r.out).size() == 1 + 1 + 2 * 99);
  CHECK_THAT(r.err, Contains("mock Kafka cluster"));
}

TEST_CASE("realtime_regression: --kafka with the brokers down at start: exit 3 naming them, "
          "back within the timeout it runs",
          "[cli][kafka][faults]") {
  streamreg::kafka::mock_cluster mc(1);
  mc.create_topic("down", 1);
  const auto data = produce_held_out(mc, "down", 1, 40);
  mc.set_down(1);
  const auto start = std::chrono::steady_clock::now();
  const auto r = run(rr + kafka_args(mc, "down", "d") + "--exit-on-eof --connect-timeout 1500");
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(8));
  CHECK(r.status == 3);
  CHECK_THAT(r.err, Contains("cannot reach the Kafka brokers '" + mc.bootstraps() + "' within 1500 ms"));
  CHECK(lines(r.out).size() <= 1);  // no fit: at most the header
  // Up 1 s after the start, within its 8 s: the run proceeds as if nothing happened.
  std::thread up([&mc] {
    std::this_thread::sleep_for(std::chrono::milliseconds(1000));
    mc.set_up(1);
  });
  const auto late = run(rr + kafka_args(mc, "down", "d") + "--exit-on-eof --connect-timeout 8000");
  up.join();
  CHECK(late.status == 0);
  check_exact_final(late.out, data);
}

TEST_CASE("realtime_regression: --kafka commits refused: the checkpoint still resumes each "
          "record once",
          "[cli][kafka][checkpoint][faults]") {
  streamreg::kafka::mock_cluster mc(1);
  mc.create_topic("refused", 1);
  const auto data = produce_held_out(mc, "refused", 1, 600);
  const std::string ck = temp_path("refused.ck"), out = temp_path("refused.out");
  for (const auto& p : {ck, out, ck + ".lock"}) std::remove(p.c_str());
  const std::string args = kafka_args(mc, "refused", "refused") +
                           "--exit-on-eof --checkpoint " + ck + " --checkpoint-every 50 --output " + out;
  // Every commit of the first run is refused; one of them because the group moved on to a
  // newer generation (the member rejoins, its partition comes back through a rebalance).
  std::vector<rd_kafka_resp_err_t> errors(20, RD_KAFKA_RESP_ERR_REBALANCE_IN_PROGRESS);
  errors[2] = RD_KAFKA_RESP_ERR_ILLEGAL_GENERATION;
  mc.push_request_errors(streamreg::kafka::mock_cluster::request::offset_commit, errors);
  const auto first = run(rr + args + " --max-records 300");
  mc.clear_request_errors(streamreg::kafka::mock_cluster::request::offset_commit);
  REQUIRE(first.status == 0);
  CHECK_THAT(first.err, Contains("warning: Kafka: commit failed"));
  CHECK_THAT(slurp(ck), Contains("\nrecords 300\n"));
  // The group holds no offsets: only the checkpoint knows where the first run stopped.
  const auto second = run(rr + args);
  REQUIRE(second.status == 0);
  CHECK_THAT(slurp(ck), Contains("\nrecords 600\n"));
  const auto reference = run(rr + kafka_args(mc, "refused", "refused-ref") + "--exit-on-eof");
  REQUIRE(reference.status == 0);
  CHECK(slurp(out) == reference.out);
  check_exact_final(slurp(out), data);
  for (const auto& p : {ck, out, ck + ".lock"}) std::remove(p.c_str());
}

namespace {

/// The number of insertions (diff 1 rows) in a change stream.
std::size_t insertions(const std::string& out) {
  std::size_t n = 0;
  for (const auto& row : lines(out)) n += row.size() > 2 && row.compare(row.size() - 2, 2, ",1") == 0;
  return n;
}

}  // namespace

TEST_CASE("realtime_regression: two plain --checkpoint members of one group are refused, "
          "neither output runs past its checkpoint",
          "[cli][kafka][checkpoint][faults]") {
  streamreg::kafka::mock_cluster mc(1);
  mc.create_topic("pair", 2);
  const auto data = produce_held_out(mc, "pair", 2, 3000);
  struct member {
    std::string ck, out;
  };
  const member a{temp_path("pair_a.ck"), temp_path("pair_a.out")};
  const member b{temp_path("pair_b.ck"), temp_path("pair_b.out")};
  const auto remove_all = [&] {
    for (const member& m : {a, b})
      for (const auto& p : {m.ck, m.out, m.out + ".err", m.ck + ".lock"}) std::remove(p.c_str());
  };
  remove_all();
  const std::string common = kafka_args(mc, "pair", "pair") + "--exit-on-eof --max-rate 250 ";
  const auto start = [&](const member& m) {
    return rr + common + "--checkpoint " + m.ck + " --output " + m.out + " 2>" + m.out + ".err";
  };
  // A joins alone and reads; B joins once A has written 20 rows (A holds both partitions then,
  // however slow the machine; bounded at 30 s): the rebalance splits them.
  const auto r = run(start(a) + " & a=$!; for i in $(seq 300); do [ \"$(cat " + a.out +
                     " 2>/dev/null | wc -l)\" -ge 20 ] && break; sleep 0.1; done; " + start(b) +
                     "; echo B=$?; wait $a; echo A=$?");
  // Whichever member is given part of the topic ends (exit 2), saying why and what to use
  // instead. The one refused first leaves the group, so the other may be given the whole topic
  // before it has seen a part of it: it then reads on to the end (exit 0).
  int refused = 0;
  for (const auto& [m, tag] : {std::pair{a, "A="}, std::pair{b, "B="}}) {
    INFO(tag << " " << r.out << slurp(m.out + ".err"));
    const bool was_refused = r.out.find(std::string(tag) + "2") != std::string::npos;
    CHECK((was_refused || r.out.find(std::string(tag) + "0") != std::string::npos));
    if (was_refused) {
      ++refused;
      CHECK_THAT(slurp(m.out + ".err"), Contains("another member reads the others"));
      CHECK_THAT(slurp(m.out + ".err"), Contains("--publish-state"));
    }
    // Either way, what a member wrote is exactly what its checkpoint covers (none: nothing
    // was read).
    const std::string ck = slurp(m.ck);
    if (ck.empty()) {
      CHECK(insertions(slurp(m.out)) == 0);
    } else {
      CHECK(checkpoint_field(ck, "records") == std::to_string(insertions(slurp(m.out))));
      CHECK(std::stoull(checkpoint_field(ck, "output_offset")) == slurp(m.out).size());
    }
    CHECK(insertions(slurp(m.out)) <= data.size());
  }
  CHECK(refused >= 1);
  CHECK(insertions(slurp(a.out)) > 0);
  // Alone, A finishes from its own checkpoint: every record exactly once, whatever B
  // committed to the group meanwhile. (B started at the group's committed offsets, as a fresh
  // consumer does; its output covers what it read, which its checkpoint says.)
  for (const member& m : {a, b}) {
    const auto alone = run(rr + kafka_args(mc, "pair", "pair") + "--exit-on-eof --checkpoint " +
                           m.ck + " --output " + m.out);
    CHECK(alone.status == 0);
    CHECK(checkpoint_field(slurp(m.ck), "records") == std::to_string(insertions(slurp(m.out))));
  }
  check_exact_final(slurp(a.out), data);
  remove_all();
}

TEST_CASE("realtime_regression: --exit-on-eof with the only broker gone ends with exit 3 "
          "after saving what it has",
          "[cli][kafka][checkpoint][faults]") {
  streamreg::kafka::mock_cluster mc(1);
  mc.create_topic("gone", 1);
  const auto data = produce_held_out(mc, "gone", 1, 3000);
  const std::string ck = temp_path("gone.ck"), out = temp_path("gone.out");
  for (const auto& p : {ck, out, ck + ".lock"}) std::remove(p.c_str());
  const std::string args = kafka_args(mc, "gone", "gone") + "--exit-on-eof --checkpoint " + ck +
                           " --checkpoint-every 50 --output " + out;
  // Down 4.5 s after the start (joined, reading at 300 records/s), for good.
  std::thread down([&mc] {
    std::this_thread::sleep_for(std::chrono::milliseconds(4500));
    mc.set_down(1);
  });
  const auto start = std::chrono::steady_clock::now();
  const auto r = run(rr + args + " --max-rate 300 --broker-timeout 2000");
  const auto elapsed = std::chrono::steady_clock::now() - start;
  down.join();
  CHECK(r.status == 3);
  CHECK_THAT(r.err, Contains("no Kafka broker of '" + mc.bootstraps() + "' reachable for 2000 ms"));
  CHECK(elapsed < std::chrono::seconds(30));
  // Saved: the checkpoint covers every row written.
  const std::string text = slurp(ck);
  REQUIRE(!text.empty());
  CHECK(checkpoint_field(text, "records") == std::to_string(insertions(slurp(out))));
  CHECK(insertions(slurp(out)) > 0);
  CHECK(insertions(slurp(out)) < data.size());
  // The broker back: the run resumes from its checkpoint and ends exact.
  mc.set_up(1);
  const auto again = run(rr + args);
  CHECK(again.status == 0);
  check_exact_final(slurp(out), data);
  for (const auto& p : {ck, out, ck + ".lock"}) std::remove(p.c_str());
}

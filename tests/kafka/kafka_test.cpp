// SPDX-License-Identifier: MIT
// Kafka input on librdkafka's in-process mock cluster: the reference change stream, several
// partitions and group members, formats, bad messages, commits and resumption, brokers that
// are unreachable or go away. Each test case makes its own cluster.
#include <streamreg/change_stream.hpp>
#include <streamreg/json/jsonl.hpp>
#include <streamreg/kafka/consumer.hpp>
#include <streamreg/kafka/mock_cluster.hpp>
#include <streamreg/kafka/producer.hpp>
#include <streamreg/regressor.hpp>

#include <catch2/catch.hpp>

#include "support/seed_reference.hpp"

#include "support/oracle.hpp"

#include <chrono>
#include <cstdio>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

namespace {

using Catch::Matchers::Contains;
using Catch::Matchers::StartsWith;
using Catch::Matchers::WithinRel;
using streamreg::kafka::consumer;
using streamreg_test::within_rel_exact;

std::string g17(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

/// Consumer options for the mock: short group timings (the mock waits session.timeout.ms -
/// 1000 ms per rebalance).
streamreg::kafka::consumer_options options_for(const streamreg::kafka::mock_cluster& mc,
                                               const std::string& topic,
                                               const std::string& group) {
  streamreg::kafka::consumer_options o;
  o.brokers = mc.bootstraps();
  o.topic = topic;
  o.group = group;
  o.exit_on_eof = true;
  o.connect_timeout_ms = 5000;
  o.config = {{"session.timeout.ms", "4000"}, {"heartbeat.interval.ms", "500"}};
  return o;
}

struct record {
  std::int32_t partition;
  std::int64_t offset;
  std::vector<double> values;
};

/// Reads until every assigned partition is at its end (or 30 s pass).
std::vector<record> drain(consumer& c) {
  std::vector<record> out;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  for (;;) {
    REQUIRE(std::chrono::steady_clock::now() < deadline);
    const auto r = c.next(100);
    if (r == consumer::result::end) return out;
    if (r == consumer::result::error) FAIL(c.error().what());
    if (r == consumer::result::record) out.push_back({c.partition(), c.offset(), c.values()});
  }
}

const auto& reference = streamreg_test::seed_reference;

/// Produces `data` as CSV rows over `partitions` partitions (record i to partition i mod p),
/// after a header message in each partition.
void produce_csv(const streamreg::kafka::mock_cluster& mc, const std::string& topic,
                 const std::vector<streamreg_test::point>& data, int partitions) {
  streamreg::kafka::producer prod(mc.bootstraps());
  prod.send_header(topic, "x,y");
  for (std::size_t i = 0; i < data.size(); ++i)
    prod.send(topic, g17(data[i].x) + "," + g17(data[i].y), static_cast<std::int32_t>(i % static_cast<std::size_t>(partitions)));
  prod.flush();
}

}  // namespace

TEST_CASE("kafka: the seed stream over one partition gives the reference change stream",
          "[kafka][reference]") {
  streamreg::kafka::mock_cluster mc(1);
  mc.create_topic("linear-regression", 1);
  {
    streamreg::kafka::producer prod(mc.bootstraps());
    std::ifstream csv(std::string(STREAMREG_DATA_DIR) + "/seed_stream.csv");
    for (std::string line; std::getline(csv, line);) prod.send("linear-regression", line);
    prod.flush();
    CHECK(prod.delivered() == 11);
  }
  consumer in(options_for(mc, "linear-regression", "seed"));
  struct row {
    double a, b, time;
    int diff;
    bool defined;
  };
  std::vector<row> rows;
  auto reg = streamreg::make_regressor(streamreg::make_change_stream<double>(
      [&rows](const streamreg::line_fit<double>& f, double t, int d) {
        rows.push_back({f.intercept, f.slope, t, d, static_cast<bool>(f)});
      }));
  for (const auto& r : drain(in)) reg.push(r.values[0], r.values[1]);
  REQUIRE(rows.size() == 1 + 2 * 9);
  CHECK_FALSE(rows[0].defined);
  for (std::size_t t = 1; t <= 9; ++t) {
    const row& retraction = rows[2 * t - 1];
    const row& insertion = rows[2 * t];
    CHECK(retraction.diff == -1);
    CHECK(retraction.time == static_cast<double>(t));
    CHECK(insertion.diff == 1);
    CHECK(insertion.time == static_cast<double>(t));
    CHECK_THAT(insertion.a, WithinRel(reference[t][0], 1e-12));
    CHECK_THAT(insertion.b, WithinRel(reference[t][1], 1e-12));
  }
  CHECK(in.positions() == std::vector<streamreg::kafka::position>{{0, 11}});
  CHECK(in.passed_over() == 1);  // the header
}

TEST_CASE("kafka: three partitions, one member, every record once in partition order",
          "[kafka][partitions]") {
  streamreg::kafka::mock_cluster mc(3);
  mc.create_topic("t3", 3);
  const auto data = streamreg_test::linear_data(7, 300, 0.0, 100.0, -2.0, 0.25, 1.0);
  produce_csv(mc, "t3", data, 3);
  consumer in(options_for(mc, "t3", "one"));
  const auto got = drain(in);
  REQUIRE(got.size() == data.size());
  std::map<std::int32_t, std::int64_t> last;
  std::set<std::size_t> seen;
  auto reg = streamreg::make_regressor(streamreg::null_sink{});
  for (const auto& r : got) {
    // Offsets 1, 2, ... after the header; record i is the (i / 3)-th of partition i % 3.
    const auto i = static_cast<std::size_t>((r.offset - 1) * 3 + r.partition);
    REQUIRE(i < data.size());
    CHECK(r.values[0] == data[i].x);
    CHECK(r.values[1] == data[i].y);
    CHECK(seen.insert(i).second);
    CHECK(r.offset > last[r.partition]);
    last[r.partition] = r.offset;
    reg.push(r.values[0], r.values[1]);
  }
  const auto exact = streamreg_test::exact_fit(data);
  CHECK_THAT(reg.fit().slope, within_rel_exact<double>(exact.slope, 1e-12));
  CHECK_THAT(reg.fit().intercept, within_rel_exact<double>(exact.intercept, 1e-12));
  CHECK(in.positions() == std::vector<streamreg::kafka::position>{{0, 101}, {1, 101}, {2, 101}});
}

TEST_CASE("kafka: two members of a group split three partitions, each record once",
          "[kafka][group]") {
  streamreg::kafka::mock_cluster mc(3);
  mc.create_topic("t3g", 3);
  consumer a(options_for(mc, "t3g", "pair"));
  consumer b(options_for(mc, "t3g", "pair"));
  // Both members join before there is data, so that neither reads what the other gets.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (a.assignment().size() + b.assignment().size() != 3 || a.assignment().empty() ||
         b.assignment().empty()) {
    REQUIRE(std::chrono::steady_clock::now() < deadline);
    a.next(50);
    b.next(50);
  }
  const auto data = streamreg_test::linear_data(11, 240, -10.0, 10.0, 1.0, -3.0, 0.5);
  produce_csv(mc, "t3g", data, 3);
  auto ra = streamreg::make_regressor(streamreg::null_sink{});
  auto rb = streamreg::make_regressor(streamreg::null_sink{});
  std::set<std::size_t> seen;
  std::map<std::int32_t, std::int64_t> last;
  std::set<std::int32_t> from_a, from_b;
  while (seen.size() < data.size()) {
    REQUIRE(std::chrono::steady_clock::now() < deadline);
    for (consumer* c : {&a, &b}) {
      const auto r = c->next(20);
      REQUIRE(r != consumer::result::error);
      if (r != consumer::result::record) continue;
      const auto i = static_cast<std::size_t>((c->offset() - 1) * 3 + c->partition());
      CHECK(seen.insert(i).second);
      CHECK(c->offset() > last[c->partition()]);
      last[c->partition()] = c->offset();
      (c == &a ? from_a : from_b).insert(c->partition());
      (c == &a ? ra : rb).push(c->values()[0], c->values()[1]);
    }
  }
  CHECK(seen.size() == data.size());
  CHECK_FALSE(from_a.empty());
  CHECK_FALSE(from_b.empty());
  for (std::int32_t p : from_a) CHECK(from_b.count(p) == 0);
  // The members' states merged equal one pass over everything.
  auto merged = ra.state();
  merged += rb.state();
  const auto fit = streamreg::solve(merged);
  const auto exact = streamreg_test::exact_fit(data);
  CHECK_THAT(fit.slope, within_rel_exact<double>(exact.slope, 1e-12));
  CHECK_THAT(fit.intercept, within_rel_exact<double>(exact.intercept, 1e-12));
  a.close();
  b.close();
}

TEST_CASE("kafka: a bad message names partition and offset, the reader goes on",
          "[kafka][errors]") {
  streamreg::kafka::mock_cluster mc(1);
  mc.create_topic("bad", 2);
  {
    streamreg::kafka::producer prod(mc.bootstraps());
    prod.send_header("bad", "x,y");
    for (const char* m : {"1,2", "oops,3", "2,4", "3", "4,nan", "5,1e999", "6,7"}) prod.send("bad", m, 1);
    prod.send("bad", "10,20", 0);
    prod.flush();
  }
  auto o = options_for(mc, "bad", "bad");
  o.partitions = {0, 1};  // assigned directly: no group wait
  consumer in(o);
  std::vector<std::string> errors;
  std::vector<std::vector<double>> records;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  for (;;) {
    REQUIRE(std::chrono::steady_clock::now() < deadline);
    const auto r = in.next(100);
    if (r == consumer::result::end) break;
    if (r == consumer::result::error) {
      errors.push_back(in.error().what());
      CHECK(in.error().line() == static_cast<std::uint64_t>(in.offset()));
    }
    if (r == consumer::result::record) records.push_back(in.values());
  }
  REQUIRE(errors.size() == 4);
  CHECK(errors[0] == "partition 1, offset 2, column 1 (x): not a number: 'oops'");
  CHECK_THAT(errors[1], StartsWith("partition 1, offset 4, column 2 (y): missing field"));
  CHECK(errors[2] == "partition 1, offset 5, column 2 (y): not a finite number: 'nan'");
  CHECK(errors[3] == "partition 1, offset 6, column 2 (y): number out of range: '1e999'");
  REQUIRE(records.size() == 4);
  // Bad messages count as handled: the positions pass them.
  CHECK(in.positions() == std::vector<streamreg::kafka::position>{{0, 2}, {1, 8}});
}

TEST_CASE("kafka: json and raw messages, key and timestamp as columns", "[kafka][formats]") {
  streamreg::kafka::mock_cluster mc(1);
  mc.create_topic("json", 1);
  mc.create_topic("raw", 1);
  {
    streamreg::kafka::producer prod(mc.bootstraps());
    prod.send("json", "{\"x\":1.5,\"y\":-2}", 0, "7", 1700000000123);
    prod.send("json", "{\"y\":4,\"x\":2.5,\"z\":null}", 0, "8", 1700000000456);
    prod.send("json", "{\"x\":3.5}", 0, "9", 1700000000789);
    prod.send("json", "{\"x\":4.5,\"y\":1}", 0, "", 1700000001000);
    for (const char* v : {"0.25", " 1e3 ", "x"}) prod.send("raw", v, 0);
    prod.flush();
  }
  auto o = options_for(mc, "json", "json");
  o.partitions = {0};
  o.format = streamreg::kafka::message_format::json;
  o.columns = {"x", "y", "@key", "@timestamp", "@offset"};
  o.decoder = [](const std::vector<std::string>& fields) {
    return streamreg::kafka::make_decoder(streamreg::json::message_parser<double>(fields));
  };
  consumer in(o);
  std::vector<consumer::result> results;
  std::vector<std::vector<double>> values;
  std::vector<std::string> errors;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  for (auto r = in.next(100); r != consumer::result::end; r = in.next(100)) {
    REQUIRE(std::chrono::steady_clock::now() < deadline);
    if (r == consumer::result::record) values.push_back(in.values());
    if (r == consumer::result::error) errors.push_back(in.error().what());
  }
  REQUIRE(values.size() == 2);
  CHECK(values[0] == std::vector<double>{1.5, -2, 7, 1700000000123.0, 0});
  CHECK(values[1] == std::vector<double>{2.5, 4, 8, 1700000000456.0, 1});
  REQUIRE(errors.size() == 2);
  CHECK(errors[0] == "partition 0, offset 2, field 'y': missing field");
  CHECK(errors[1] == "partition 0, offset 3, field '@key': no key");

  auto r = options_for(mc, "raw", "raw");
  r.partitions = {0};
  r.format = streamreg::kafka::message_format::raw;
  r.columns = {"@offset", "value"};
  consumer raw(r);
  values.clear();
  errors.clear();
  for (auto s = raw.next(100); s != consumer::result::end; s = raw.next(100)) {
    REQUIRE(std::chrono::steady_clock::now() < deadline);
    if (s == consumer::result::record) values.push_back(raw.values());
    if (s == consumer::result::error) errors.push_back(raw.error().what());
  }
  CHECK(values == std::vector<std::vector<double>>{{0, 0.25}, {1, 1000}});
  CHECK(errors == std::vector<std::string>{"partition 0, offset 2, field 'value': not a number: 'x'"});

  auto bad = r;
  bad.columns = {"@offset", "y"};
  CHECK_THROWS_AS(consumer(bad), streamreg::config_error);
  bad.columns = {"@time", "value"};
  CHECK_THROWS_WITH(consumer(bad), Contains("unknown message column '@time'"));
}

TEST_CASE("kafka: committed offsets, checkpoint positions and start positions",
          "[kafka][offsets]") {
  streamreg::kafka::mock_cluster mc(1);
  mc.create_topic("offsets", 1);
  std::vector<streamreg_test::point> data;
  for (int i = 0; i < 100; ++i) data.push_back({static_cast<double>(i), 3.0 * i + 1});
  produce_csv(mc, "offsets", data, 1);
  auto o = options_for(mc, "offsets", "resume");
  o.partitions = {0};
  std::vector<streamreg::kafka::position> saved;
  std::vector<double> xs;
  {
    consumer first(o);
    while (xs.size() < 40) {
      const auto r = first.next(100);
      if (r == consumer::result::record) xs.push_back(first.values()[0]);
    }
    saved = first.positions();  // what a checkpoint stores with the state
    CHECK(saved == std::vector<streamreg::kafka::position>{{0, 41}});
    CHECK(first.commit());
  }
  {
    // The group's committed offset: the header is read again, then records from offset 41.
    consumer second(o);
    for (const auto& r : drain(second)) xs.push_back(r.values[0]);
    CHECK(second.passed_over() == 1);
  }
  REQUIRE(xs.size() == 100);
  for (std::size_t i = 0; i < xs.size(); ++i) CHECK(xs[i] == static_cast<double>(i));
  {
    // A checkpoint's positions win over the group's (now at the end) and over earliest.
    auto e = o;
    e.start = streamreg::kafka::start_position::earliest;
    consumer third(e);
    third.resume_from(saved);
    const auto got = drain(third);
    REQUIRE(got.size() == 60);
    CHECK(got.front().values[0] == 40.0);
  }
  {
    // earliest ignores the committed offsets.
    auto e = o;
    e.start = streamreg::kafka::start_position::earliest;
    consumer fourth(e);
    CHECK(drain(fourth).size() == 100);
  }
  {
    // latest: only what is written after the assignment (the header is still read first).
    auto l = o;
    l.start = streamreg::kafka::start_position::latest;
    l.group = "latest";
    consumer fifth(l);
    CHECK(fifth.next(1000) != consumer::result::record);
    {
      streamreg::kafka::producer prod(mc.bootstraps());
      for (int i = 0; i < 5; ++i) prod.send("offsets", std::to_string(1000 + i) + ",1", 0);
      prod.flush();
    }
    // (An end-of-partition seen before they arrived may end a drain: read until 5 came.)
    std::vector<double> got;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (got.size() < 5) {
      REQUIRE(std::chrono::steady_clock::now() < deadline);
      if (fifth.next(100) == consumer::result::record) got.push_back(fifth.values()[0]);
    }
    CHECK(got == std::vector<double>{1000, 1001, 1002, 1003, 1004});
    CHECK(fifth.next(500) != consumer::result::record);
  }
}

TEST_CASE("kafka: unreachable brokers are a clear error within the connect timeout",
          "[kafka][failures]") {
  streamreg::kafka::consumer_options o;
  o.brokers = "127.0.0.1:1";  // nothing listens on port 1
  o.topic = "t";
  o.connect_timeout_ms = 1500;
  std::vector<std::string> warnings;
  o.on_warning = [&warnings](const std::string& w) { warnings.push_back(w); };
  const auto start = std::chrono::steady_clock::now();
  CHECK_THROWS_WITH(consumer(o), StartsWith("cannot reach the Kafka brokers '127.0.0.1:1' within 1500 ms"));
  const auto elapsed = std::chrono::steady_clock::now() - start;
  CHECK(elapsed < std::chrono::milliseconds(6000));
  CHECK(elapsed >= std::chrono::milliseconds(1400));
  CHECK_FALSE(warnings.empty());
}

TEST_CASE("kafka: a broker lost mid-run and back loses nothing", "[kafka][failures]") {
  streamreg::kafka::mock_cluster mc(1);
  mc.create_topic("flaky", 1);
  std::vector<streamreg_test::point> data;
  for (int i = 0; i < 200; ++i) data.push_back({static_cast<double>(i), 0.5 * i - 4});
  produce_csv(mc, "flaky", std::vector<streamreg_test::point>(data.begin(), data.begin() + 100), 1);
  auto o = options_for(mc, "flaky", "flaky");
  o.partitions = {0};
  o.exit_on_eof = false;
  std::uint64_t warned = 0;
  o.on_warning = [&warned](const std::string&) { ++warned; };
  consumer in(o);
  std::vector<double> xs;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(40);
  while (xs.size() < 50) {
    REQUIRE(std::chrono::steady_clock::now() < deadline);
    if (in.next(100) == consumer::result::record) xs.push_back(in.values()[0]);
  }
  mc.set_down(1);
  const auto down_until = std::chrono::steady_clock::now() + std::chrono::milliseconds(1500);
  while (std::chrono::steady_clock::now() < down_until)
    if (in.next(100) == consumer::result::record) xs.push_back(in.values()[0]);
  mc.set_up(1);
  {
    streamreg::kafka::producer prod(mc.bootstraps());
    for (std::size_t i = 100; i < 200; ++i) prod.send("flaky", g17(data[i].x) + "," + g17(data[i].y), 0);
    prod.flush();
  }
  while (xs.size() < 200) {
    REQUIRE(std::chrono::steady_clock::now() < deadline);
    if (in.next(100) == consumer::result::record) xs.push_back(in.values()[0]);
  }
  for (std::size_t i = 0; i < xs.size(); ++i) CHECK(xs[i] == static_cast<double>(i));
  CHECK(warned > 0);
  CHECK(in.next(300) != consumer::result::record);  // nothing twice
}

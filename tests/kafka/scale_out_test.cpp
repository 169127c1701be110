// SPDX-License-Identifier: MIT
// Scale-out on librdkafka's mock cluster: two members of one consumer group (the second joins
// late, so partitions move in a rebalance) fit their shares of a 3-partition topic, publish
// per-partition states to a state topic and restore the ones they take over; the merge of the
// latest share of every partition is the exact fit of every record, each counted once.
#include <streamreg/kafka/mock_cluster.hpp>
#include <streamreg/kafka/state_topic.hpp>
#include <streamreg/moments.hpp>
#include <streamreg/multivariate.hpp>
#include <streamreg/solve.hpp>

#include <catch2/catch.hpp>

#include "support/exact_ls.hpp"
#include "support/kafka_support.hpp"

#include <chrono>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <thread>
#include <vector>

namespace {

namespace kafka = streamreg::kafka;
using streamreg_test::exact_solve;
using streamreg_test::ls_problem;
using streamreg_test::rel_error;

/// A reproducible stream: inputs away from the origin, y linear in them plus noise. (Kept
/// well-conditioned: the intercept's condition number is about 1e2, so any backward-stable
/// fit is within 1e-14 of the exact one and 1e-12 measures the merge, not the data.)
ls_problem make_stream(std::size_t n, int inputs) {
  ls_problem q;
  std::uint64_t s = 0x5eed0000u + static_cast<std::uint64_t>(inputs);
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

/// Produces the stream as CSV over `partitions` partitions (record i to i mod p), after a
/// header message in each.
void produce(const kafka::mock_cluster& mc, const std::string& topic, const ls_problem& q,
             int partitions) {
  std::string header;
  for (std::size_t j = 0; j < q.x.front().size(); ++j) header += "x" + std::to_string(j + 1) + ",";
  std::vector<std::string> rows;
  for (std::size_t i = 0; i < q.y.size(); ++i) {
    std::string row;
    for (double v : q.x[i]) row += streamreg_test::g17(v) + ",";
    rows.push_back(row + streamreg_test::g17(q.y[i]));
  }
  streamreg_test::produce_rows(mc.bootstraps(), topic, header + "y", rows, partitions);
}

template <class State>
typename kafka::group_member<State>::options member_options(const kafka::mock_cluster& mc,
                                                            const std::string& topic,
                                                            std::size_t inputs,
                                                            const State& empty) {
  typename kafka::group_member<State>::options o;
  o.input.brokers = mc.bootstraps();
  o.input.topic = topic;
  o.input.group = topic + "-group";
  o.input.exit_on_eof = true;
  o.input.connect_timeout_ms = 5000;
  o.input.config = {{"session.timeout.ms", "4000"}, {"heartbeat.interval.ms", "500"}};
  o.input.columns.clear();
  for (std::size_t j = 0; j < inputs; ++j) o.input.columns.push_back("x" + std::to_string(j + 1));
  o.input.columns.push_back("y");
  o.state_topic = topic + "-state";
  o.config = 0xfeed;
  o.prototype.state = empty;
  return o;
}

struct run_result {
  std::uint64_t first_alone = 0;  // records the first member fitted before the second joined
  std::uint64_t restored = 0;     // shares the members restored from the state topic
  std::uint64_t published = 0;
};

/// Member 1 starts alone and fits slowly; once it has fitted `late_join_after` records member
/// 2 joins. Both read until each holds partitions that are all at their end; then both close.
/// `push(member)` pushes the member's last record.
template <class State, class Push>
run_result two_members(const typename kafka::group_member<State>::options& o, std::uint64_t total,
                       std::uint64_t late_join_after, Push push) {
  run_result r;
  kafka::group_member<State> first(o);
  std::unique_ptr<kafka::group_member<State>> second;
  std::uint64_t fitted = 0;
  bool first_end = false, second_end = false;
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(50);
  auto step = [&](kafka::group_member<State>& m, bool& at_end) {
    const auto res = m.input().next(20);
    if (res == kafka::consumer::result::error) FAIL(m.input().error().what());
    at_end = res == kafka::consumer::result::end;
    if (res != kafka::consumer::result::record) return false;
    REQUIRE(push(m));
    ++fitted;
    if (fitted % 97 == 0) m.checkpoint();
    return true;
  };
  for (;;) {
    REQUIRE(std::chrono::steady_clock::now() < deadline);
    const bool alone = !second || second->shares().empty();
    if (step(first, first_end) && alone) {
      if (!second) ++r.first_alone;
      // Slowly while alone: the late member must join before the stream is exhausted.
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    if (!second && fitted >= late_join_after) second = std::make_unique<kafka::group_member<State>>(o);
    if (second) step(*second, second_end);
    if (second && first_end && second_end && !first.shares().empty() &&
        !second->shares().empty())
      break;
  }
  first.close();
  second->close();
  r.restored = first.restored() + second->restored();
  r.published = first.published() + second->published();
  CHECK(fitted >= total);  // records fitted again after a move are never in two shares
  return r;
}

}  // namespace

TEST_CASE("scale-out: two members, one joining late, merge to the exact fit of every record",
          "[kafka][scale-out]") {
  constexpr std::size_t n = 1500;
  const ls_problem q = make_stream(n, 1);
  const auto ex = exact_solve(q);
  kafka::mock_cluster mc(1);
  mc.create_topic("so-line", 3);
  mc.create_topic("so-line-state", 1);
  produce(mc, "so-line", q, 3);

  using state = streamreg::moments<double>;
  const auto o = member_options(mc, "so-line", 1, state{});
  const run_result r = two_members<state>(o, n, 300, [](kafka::group_member<state>& m) {
    return m.push(m.input()[0], m.input()[1]);
  });
  INFO("member 1 alone: " << r.first_alone << " records, restored " << r.restored
                          << ", published " << r.published);
  CHECK(r.first_alone >= 300);
  CHECK(r.first_alone < n);   // the rebalance happened mid-stream
  CHECK(r.restored >= 1);     // the late member took over published partitions

  const auto table = kafka::load_shares<state>(mc.bootstraps(), "so-line-state", "so-line", 0xfeed);
  REQUIRE(table.shares().size() == 3);
  CHECK(table.records() == n);
  const auto merged = table.merged();
  REQUIRE(merged);
  CHECK(merged->count() == n);
  const auto fit = streamreg::solve(*merged);
  REQUIRE(fit);
  CHECK(rel_error(fit.intercept, ex.beta[0]) < 1e-12);
  CHECK(rel_error(fit.slope, ex.beta[1]) < 1e-12);
  // Every share covers its whole partition: header + n / 3 records.
  for (const auto& [p, s] : table.shares()) {
    CHECK(s.next_offset == static_cast<std::int64_t>(n / 3 + 1));
    CHECK(s.records == n / 3);
  }
}

TEST_CASE("scale-out: several predictors (givens) merge to the exact fit", "[kafka][scale-out]") {
  constexpr std::size_t n = 900;
  const ls_problem q = make_stream(n, 2);
  const auto ex = exact_solve(q);
  kafka::mock_cluster mc(1);
  mc.create_topic("so-plane", 3);
  mc.create_topic("so-plane-state", 1);
  produce(mc, "so-plane", q, 3);

  using state = streamreg::multivariate::regression<double, 2>;
  streamreg::multivariate::options mo;
  mo.origin = {1000, 1001, 3.25 + 500 - 1251.25};  // shared by every share: they merge
  const auto o = member_options(mc, "so-plane", 2, state(mo));
  const run_result r = two_members<state>(o, n, 200, [](kafka::group_member<state>& m) {
    const Eigen::Vector2d x(m.input()[0], m.input()[1]);
    return m.push(x, m.input()[2]);
  });
  CHECK(r.first_alone < n);
  CHECK(r.restored >= 1);

  const auto table =
      kafka::load_shares<state>(mc.bootstraps(), "so-plane-state", "so-plane", 0xfeed, {}, 10000,
                                o.prototype);
  REQUIRE(table.shares().size() == 3);
  CHECK(table.records() == n);
  const auto merged = table.merged();
  REQUIRE(merged);
  CHECK(merged->count() == n);
  const auto fit = merged->fit();
  REQUIRE(fit.coefficients.size() == 3);
  for (Eigen::Index j = 0; j < 3; ++j) {
    INFO("coefficient " << j);
    CHECK(rel_error(fit.coefficients[j], ex.beta[static_cast<std::size_t>(j)]) < 1e-12);
  }
}

TEST_CASE("scale-out: share keys and the furthest-share rule", "[kafka][scale-out]") {
  CHECK(kafka::share_key("linear-regression", 2) == "linear-regression/2");
  const auto k = kafka::parse_share_key("a/b/17");
  REQUIRE(k);
  CHECK(k->first == "a/b");
  CHECK(k->second == 17);
  CHECK_FALSE(kafka::parse_share_key("topic"));
  CHECK_FALSE(kafka::parse_share_key("/3"));
  CHECK_FALSE(kafka::parse_share_key("t/"));
  CHECK_FALSE(kafka::parse_share_key("t/-1"));
  CHECK_FALSE(kafka::parse_share_key("t/1x"));

  using state = streamreg::moments<double>;
  kafka::share_table<state> t;
  kafka::partition_share<state> a;
  a.partition = 0;
  a.next_offset = 10;
  a.records = 9;
  a.state.push(1, 2);
  a.state.push(2, 3);
  CHECK(t.offer(a));
  kafka::partition_share<state> stale = a;  // a member that lost the partition, late
  stale.next_offset = 5;
  stale.records = 4;
  CHECK_FALSE(t.offer(stale));
  CHECK(t.records() == 9);
  kafka::partition_share<state> later = a;
  later.next_offset = 12;
  later.records = 11;
  later.state.push(3, 5);
  CHECK(t.offer(later));
  CHECK(t.records() == 11);
  CHECK(t.merged()->count() == 3);
  // The checkpoint text round-trips bit for bit.
  kafka::partition_share<state> back;
  streamreg::restore_checkpoint(streamreg::save_checkpoint(later), back);
  CHECK(back.next_offset == 12);
  CHECK(back.state == later.state);
}

// SPDX-License-Identifier: MIT
// realtime_regression's Kafka runs: one consumer with a checkpoint, a member of a scale-out
// group (--publish-state), the merger of the members' states (--merge-states), the mock
// cluster of --kafka-mock.
#pragma once

#include <streamreg/kafka/consumer.hpp>
#include <streamreg/kafka/mock_cluster.hpp>
#include <streamreg/kafka/producer.hpp>
#include <streamreg/kafka/state_topic.hpp>
#ifdef STREAMREG_EXAMPLES_JSON
#include <streamreg/json/jsonl.hpp>
#endif

#include "cli_common.hpp"
#include "realtime_options.hpp"
#include "realtime_run.hpp"

#include <chrono>
#include <csignal>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace realtime {

/// The Kafka consumer as a reader for cli::read_next: next() waits for a record, an error or
/// the end (every partition at its end with --exit-on-eof, or SIGINT/SIGTERM). With
/// --exit-on-eof, brokers unreachable for longer than --broker-timeout end the run (an
/// io_error, exit 3) after what was read is saved.
struct kafka_reader {
  using result = streamreg::kafka::consumer::result;
  streamreg::kafka::consumer& in;
  /// > 0 (a checkpointed consumer): the topic's partitions, all of which it must hold.
  std::size_t partitions = 0;
  std::string group{};
  result next() {
    for (;;) {
      if (stop_requested) return result::end;
      const result r = in.next(200);
      // Checked after every poll (a rebalance happens inside it), before a record is used.
      if (partitions > 0) {
        const std::size_t held = in.assignment().size();
        if (held > 0 && held < partitions)
          throw streamreg::config_error(
              "group '" + group + "' gave this consumer " + std::to_string(held) + " of the " +
              std::to_string(partitions) + " partitions: another member reads the others. One "
              "--checkpoint holds one state for every partition it read and would count the "
              "records of partitions that move between members twice, so a consumer with "
              "--checkpoint must be its group's only member (its checkpoint, saved before "
              "partitions were given up, is kept). To share a topic among members, use "
              "--publish-state (one state per partition) and --merge-states");
      }
      if (r != result::idle) return r;
    }
  }
  const std::vector<double>& values() const { return in.values(); }
  const streamreg::parse_error& error() const { return in.error(); }
  std::uint64_t line() const { return in.line(); }
  streamreg::parse_error field_error(std::size_t i, std::string text,
                                     const std::string& reason) const {
    return in.field_error(i, std::move(text), reason);
  }
};

/// --kafka-mock: a one-broker mock cluster holding the demo producer's stream (header first).
inline std::unique_ptr<streamreg::kafka::mock_cluster> start_mock(const options& opt) {
  auto mc = std::make_unique<streamreg::kafka::mock_cluster>(1);
  mc->create_topic(opt.topic, 1);
  streamreg::kafka::producer prod(mc->bootstraps());
  prod.send(opt.topic, "x,y", 0);
  streamreg::io::generator gen({opt.demo_records, opt.seed, 0.0, 1.0, 0.0, 1.0, 0.1});
  double x = 0, y = 0;
  while (gen.next(x, y)) prod.send(opt.topic, cli::number(x) + "," + cli::number(y), 0);
  prod.flush();
  fmt::print(stderr, "{}: mock Kafka cluster at {}: {} messages in topic '{}' (header first)\n",
             program, mc->bootstraps(), opt.demo_records + 1, opt.topic);
  return mc;
}

/// The consumer of a Kafka run: the topic, group, start, format and selected columns.
inline streamreg::kafka::consumer_options kafka_options(
    const options& opt, const std::vector<streamreg::io::column>& columns,
    const streamreg::kafka::mock_cluster* mock) {
  streamreg::kafka::consumer_options ko;
  ko.brokers = mock != nullptr ? mock->bootstraps() : opt.brokers;
  ko.topic = opt.topic;
  ko.group = opt.group;
  ko.start = opt.start == "earliest" ? streamreg::kafka::start_position::earliest
             : opt.start == "latest" ? streamreg::kafka::start_position::latest
                                     : streamreg::kafka::start_position::committed;
  ko.format = opt.format == "raw"   ? streamreg::kafka::message_format::raw
              : opt.format == "csv" ? streamreg::kafka::message_format::csv
                                    : streamreg::kafka::message_format::json;
  ko.columns.clear();
  for (const auto& c : columns) ko.columns.push_back(c.name);
  if (mock != nullptr) ko.config = {{"session.timeout.ms", "4000"}, {"heartbeat.interval.ms", "500"}};
  for (auto& kv : streamreg::kafka::parse_properties(opt.properties)) ko.config.push_back(std::move(kv));
  ko.connect_timeout_ms = opt.connect_timeout_ms;
  ko.exit_on_eof = opt.exit_on_eof || opt.kafka_mock;
  ko.max_message = opt.max_line;
  if (ko.exit_on_eof) ko.unreachable_timeout_ms = opt.broker_timeout_ms;
#ifdef STREAMREG_EXAMPLES_JSON
  ko.decoder = [](const std::vector<std::string>& fields) {
    return streamreg::kafka::make_decoder(streamreg::json::message_parser<double>(fields));
  };
#endif
  ko.on_warning = [](const std::string& w) { fmt::print(stderr, "{}: warning: {}\n", program, w); };
  return ko;
}

/// One consumer with a checkpoint (or none): state and offsets in one checkpoint, offsets
/// committed only once it is written. Records are read only from partitions this consumer
/// holds; a partition taken away is saved and committed first, and what the consumer handled
/// beyond a refused commit is never counted again when the partition comes back.
template <class State>
int run_consumer(resumable<State>& r, const std::vector<streamreg::io::column>& columns,
                 const cli::record_layout& layout) {
  const options& opt = r.options_used();
  std::unique_ptr<streamreg::kafka::mock_cluster> mock;  // outlives the consumer
  if (opt.kafka_mock) mock = start_mock(opt);
  streamreg::kafka::consumer_options ko = kafka_options(opt, columns, mock.get());
  streamreg::kafka::consumer* current = nullptr;
  // Partitions taken away are saved (and committed) first; a checkpointed consumer that is
  // then left with part of the topic ends (kafka_reader refuses to go on).
  ko.on_revoke = [&r](const std::vector<std::int32_t>&) { r.save(); };
  streamreg::kafka::consumer consumer(std::move(ko));
  current = &consumer;
  auto& run = r.open();
  r.before_save = [&run, &current] {
    run.offsets.clear();
    for (const auto& p : current->positions()) run.offsets.emplace_back(p.partition, p.offset);
  };
  r.after_save = [&current] { current->commit(); };
  if (r.resuming()) {
    std::vector<streamreg::kafka::position> saved_positions;
    for (const auto& [p, o] : run.offsets) saved_positions.push_back({p, o});
    consumer.resume_from(saved_positions);
  }
  std::signal(SIGINT, request_stop);
  std::signal(SIGTERM, request_stop);
  kafka_reader reader{consumer, 0, opt.group};
  if (r.checkpointing())
    reader.partitions = static_cast<std::size_t>(streamreg::kafka::detail::partition_count(
        consumer.handle(), opt.brokers.empty() ? "mock" : opt.brokers, opt.topic,
        opt.connect_timeout_ms));
  int status = cli::ok;
  try {
    status = r.read_all(reader, layout, [] {});
  } catch (const streamreg::kafka::unreachable_error&) {
    // Save what was read (the checkpoint keeps the offsets; no broker to commit to), then
    // end with the error (exit 3).
    r.after_save = nullptr;
    r.finish(cli::ok);
    throw;
  }
  r.save();
  r.before_save = r.after_save = nullptr;
  consumer.close();
  return r.finish(status);
}

}  // namespace realtime

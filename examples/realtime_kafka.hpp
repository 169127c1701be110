// SPDX-License-Identifier: MIT
// realtime_regression's Kafka runs: one consumer with a checkpoint, and the mock cluster of
// --kafka-mock (the runs themselves, shared with stream_fit: kafka_run.hpp).
#pragma once

#include <streamreg/kafka/consumer.hpp>
#include <streamreg/kafka/mock_cluster.hpp>
#include <streamreg/kafka/producer.hpp>
#ifdef STREAMREG_EXAMPLES_JSON
#include <streamreg/json/jsonl.hpp>
#endif

#include "cli_common.hpp"
#include "kafka_run.hpp"
#include "realtime_options.hpp"
#include "realtime_run.hpp"

#include <memory>
#include <string>
#include <vector>

namespace realtime {

using cli::kafka_reader;

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
  cli::kafka_source s;
  s.brokers = mock != nullptr ? mock->bootstraps() : opt.brokers;
  s.topic = opt.topic;
  s.group = opt.group;
  s.start = opt.start;
  s.format = opt.format;
  for (const auto& c : columns) s.columns.push_back(c.name);
  s.properties = opt.properties;
  s.connect_timeout_ms = opt.connect_timeout_ms;
  s.exit_on_eof = opt.exit_on_eof || opt.kafka_mock;
  s.broker_timeout_ms = opt.broker_timeout_ms;
  s.max_line = opt.max_line;
  s.mock = mock != nullptr;
  auto ko = cli::consumer_options(program, s);
#ifdef STREAMREG_EXAMPLES_JSON
  ko.decoder = [](const std::vector<std::string>& fields) {
    return streamreg::kafka::make_decoder(streamreg::json::message_parser<double>(fields));
  };
#endif
  return ko;
}

/// One consumer with a checkpoint (or none): cli::run_consumer over the change stream.
template <class State>
int run_consumer(resumable<State>& r, const std::vector<streamreg::io::column>& columns,
                 const cli::record_layout& layout) {
  const options& opt = r.options_used();
  std::unique_ptr<streamreg::kafka::mock_cluster> mock;  // outlives the consumer
  if (opt.kafka_mock) mock = start_mock(opt);
  return cli::run_consumer(r, kafka_options(opt, columns, mock.get()),
                           opt.brokers.empty() ? "mock" : opt.brokers,
                           [&r, &layout](kafka_reader& reader) {
                             return r.read_all(reader, layout, [] {});
                           });
}

}  // namespace realtime

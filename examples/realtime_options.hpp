// SPDX-License-Identifier: MIT
// realtime_regression's options: what they hold, how they are declared (CLI11) and checked.
#pragma once

#include "cli_common.hpp"
#include "resumable_run.hpp"

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace realtime {

constexpr const char* program = "realtime_regression";

struct options {
  std::string input;       // empty: the demo generator
  std::string output;      // empty: stdout
  bool compat = false;
  bool precise = false;           // double-double sums (precise_moments)
  std::uint64_t max_records = 0;  // 0: no limit
  double max_rate = 0;
  streamreg::io::error_policy on_error = streamreg::io::error_policy::fail;
  std::string x = "x", y = "y";
  cli::model_options model;
  std::uint64_t demo_records = 100;
  std::uint64_t seed = 42;
  std::string checkpoint;
  std::uint64_t checkpoint_every = 1000;
  std::string format = "csv";  // csv, jsonl (files); csv, json, raw (Kafka)
  std::size_t max_line = cli::default_max_line;
  // Kafka
  std::string brokers, topic, group = "streamreg", start = "committed";
  bool kafka_mock = false;
  bool exit_on_eof = false;
  std::vector<std::string> properties;  // -X key=value
  int connect_timeout_ms = 10000;
  int broker_timeout_ms = 30000;  // --exit-on-eof: give up on unreachable brokers after this
  // Scale-out
  std::string publish_state;  // a group member: per-partition states to this topic
  std::string merge_states;   // the merger: the global fit from this state topic

  bool kafka() const { return !brokers.empty() || kafka_mock; }

  /// What a checkpoint must have been written with to be resumed by this run.
  std::string describe() const {
    std::string d = input + '|' + x + '|' + y + '|' + model.describe() + '|' +
                    std::to_string(demo_records) + '|' + std::to_string(seed) + '|' +
                    (compat ? "compat" : "");
    if (format != "csv") d += "|format " + format;
    // The brokers may move (a mock cluster's ports do): the topic and group identify the input.
    if (kafka()) d += "|kafka " + topic + '|' + group;
    return d;
  }

  /// What the per-partition states of a group depend on: members and merger must agree.
  std::string describe_shares() const { return x + '|' + y + '|' + model.describe(); }
};

/// Checks the options together (each was checked alone while parsing) and the files they
/// name; throws config_error. Nothing is opened for writing before this passes.
inline void validate(options& opt) {
  opt.model.validate();
  if (opt.input.empty() && !opt.kafka() &&
      (!opt.model.weight.empty() || !opt.model.time.empty()))
    throw streamreg::config_error("--weight and --time need --input");
  if (opt.kafka() && !opt.input.empty())
    throw streamreg::config_error("--input and --kafka/--kafka-mock exclude each other");
  if (!opt.brokers.empty() && opt.kafka_mock)
    throw streamreg::config_error("--kafka and --kafka-mock exclude each other");
  if (opt.kafka_mock && opt.topic.empty()) opt.topic = "linear-regression";
  if (opt.kafka() && opt.topic.empty()) throw streamreg::config_error("--kafka needs --topic");
  if (!opt.kafka() && (opt.exit_on_eof || !opt.properties.empty()))
    throw streamreg::config_error("--exit-on-eof and -X are for Kafka input (--kafka)");
  if (!opt.kafka() && opt.format != "csv" && opt.format != "jsonl" && opt.format != "json")
    throw streamreg::config_error("--format " + opt.format + " is for Kafka input (--kafka)");
  if (!opt.publish_state.empty() || !opt.merge_states.empty()) {
    const char* what = opt.publish_state.empty() ? "--merge-states" : "--publish-state";
    if (opt.brokers.empty()) throw streamreg::config_error(std::string(what) + " needs --kafka");
    if (!opt.publish_state.empty() && !opt.merge_states.empty())
      throw streamreg::config_error("--publish-state and --merge-states exclude each other");
    if (opt.model.window > 0 || opt.model.window_time > 0 || opt.model.half_life > 0 ||
        opt.model.half_life_time > 0)
      throw streamreg::config_error(
          std::string(what) + " merges per-partition states: windows and forgetting follow the "
          "order of the whole stream and cannot be split by partition");
    if (!opt.checkpoint.empty())
      throw streamreg::config_error(std::string(what) +
                                    ": the state topic is the checkpoint (no --checkpoint)");
    if (opt.precise)
      throw streamreg::config_error(std::string(what) +
                                    ": the published states are moments<double> (no --precise)");
  }
  cli::check_distinct(opt.kafka() ? "" : opt.input, opt.output, opt.checkpoint);
}

/// Declares every option of realtime_regression on `app`, bound to `opt`.
inline void add_options(CLI::App& app, options& opt) {
  app.add_option("input,--input", opt.input,
                 "CSV file with a header row, or - for standard input (positional or --input)");
  app.add_option("--output", opt.output, "Write the change stream here instead of stdout");
  app.add_flag("--compat", opt.compat,
               "Write undefined fits (fewer than 2 records, constant x) as 0,0 like the "
               "reference workflow; otherwise a and b are left empty");
  app.add_flag("--precise", opt.precise,
               "Accumulate in double-double (precise_moments, about 32 digits; some 35 times the "
               "cost per record): coefficients within 1e-12 relative of the exact fit of long "
               "streams; a and b are written rounded to double");
  cli::add_run_options(app, opt);
  cli::add_error_policy(app, opt.on_error);
  app.add_option("--x", opt.x, "Column of x: header name or 1-based number")->capture_default_str();
  app.add_option("--y", opt.y, "Column of y: header name or 1-based number")->capture_default_str();
  app.add_option("--time", opt.model.time,
                 "Column holding each record's time, written in the time field (default: the "
                 "0-based record index)");
  cli::add_model_options(app, opt.model, false);
  app.add_option("--demo-records", opt.demo_records, "Records the demo producer writes")
      ->capture_default_str();
  app.add_option("--seed", opt.seed, "Seed of the demo producer's noise")->capture_default_str();
  app.add_option("--format", opt.format,
                 "Input format: csv (a header row; Kafka: a header message first in each "
                 "partition), jsonl or json (one JSON object per line or message, fields "
                 "--x/--y by name), raw (Kafka: one number per message, column 'value')")
      ->check(CLI::IsMember({"csv", "jsonl", "json", "raw"}))
      ->capture_default_str();
  cli::add_max_line(app, opt.max_line);
  auto* kafka_group = app.add_option_group("Kafka");
  kafka_group->add_option("-b,--kafka", opt.brokers,
                          "Consume a Kafka topic: bootstrap brokers host:port[,host:port...]");
  kafka_group->add_option("-t,--topic", opt.topic, "Kafka topic (--kafka-mock: linear-regression)");
  kafka_group->add_option("-G,--group", opt.group, "Kafka consumer group: partitions are shared "
                                                "among its members")
      ->capture_default_str();
  kafka_group->add_option("-o,--start", opt.start,
                          "Where partitions start without a checkpoint: committed (the group's "
                          "committed offsets, else the beginning), earliest or latest (kcat's "
                          "stored, beginning and end too)")
      ->transform(CLI::Transformer(std::map<std::string, std::string>{
          {"beginning", "earliest"}, {"end", "latest"}, {"stored", "committed"}}))
      ->check(CLI::IsMember({"earliest", "latest", "committed"}))
      ->capture_default_str();
  kafka_group->add_flag("-e,--exit-on-eof", opt.exit_on_eof,
                        "Stop once every assigned partition is at its end (otherwise run until "
                        "SIGINT/SIGTERM, which stop cleanly: emit, checkpoint, commit, exit 0)");
  kafka_group->add_option("-X", opt.properties,
                          "librdkafka property key=value, repeatable (security.protocol, "
                          "sasl.*, ssl.*, session.timeout.ms, ...)");
  kafka_group->add_option("--connect-timeout", opt.connect_timeout_ms,
                          "Milliseconds to reach a broker at start before failing (exit 3)")
      ->check(cli::at_least_one)
      ->capture_default_str();
  kafka_group->add_option("--broker-timeout", opt.broker_timeout_ms,
                          "With --exit-on-eof: milliseconds without any broker reachable after "
                          "which the run saves what it has and ends (exit 3)")
      ->check(cli::at_least_one)
      ->capture_default_str();
  kafka_group->add_option("--publish-state", opt.publish_state,
                          "Scale-out: be one member of --group; keep one state per assigned "
                          "partition and publish it to this (compacted) topic, keyed "
                          "TOPIC/PARTITION, every --checkpoint-every records and before a "
                          "partition moves; a partition taken over resumes from its state");
  kafka_group->add_option("--merge-states", opt.merge_states,
                          "Scale-out: read this state topic instead of records and write the "
                          "change stream of the global fit (the merge of the furthest state of "
                          "every partition of --topic; time = records in it) whenever a state "
                          "changes; give the members' --x, --y, --weight");
  kafka_group->add_flag("--kafka-mock", opt.kafka_mock,
                        "Start an in-process mock Kafka cluster, produce the demo stream into "
                        "it (header x,y first) and consume it to its end: the reference "
                        "workflow with no broker installed");
}

}  // namespace realtime

// SPDX-License-Identifier: MIT
// realtime_regression: the reference workflow. Records x,y arrive one at a time (a CSV or
// JSON lines file, a pipe, a Kafka topic, or the built-in demo producer); after each one the
// least-squares intercept a and slope b are written as a change stream a,b,time,diff
// (retraction of the previous value, insertion of the new one). Optionally over a window or
// with forgetting, weighted, and checkpointed so that a killed run restarts where it stopped.
#include <streamreg/streamreg.hpp>
#ifdef STREAMREG_EXAMPLES_JSON
#include <streamreg/json/jsonl.hpp>
#endif
#ifdef STREAMREG_EXAMPLES_KAFKA
#include <streamreg/kafka/consumer.hpp>
#include <streamreg/kafka/mock_cluster.hpp>
#include <streamreg/kafka/producer.hpp>
#include <streamreg/kafka/state_topic.hpp>
#endif

#include "cli_common.hpp"

#include <chrono>
#include <csignal>
#include <functional>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace {

struct options {
  std::string input;       // empty: the demo generator
  std::string output;      // empty: stdout
  bool compat = false;
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
  // Kafka
  std::string brokers, topic, group = "streamreg", start = "committed";
  bool kafka_mock = false;
  bool exit_on_eof = false;
  std::vector<std::string> properties;  // -X key=value
  int connect_timeout_ms = 10000;
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

/// Set by SIGINT and SIGTERM during a Kafka run: stop, checkpoint, commit, exit 0.
volatile std::sig_atomic_t stop_requested = 0;
extern "C" void request_stop(int) { stop_requested = 1; }

constexpr const char* program = "realtime_regression";

using writer = streamreg::csv_change_writer<double>;
using stream = streamreg::change_stream<double, writer>;

/// Everything a restart needs: the regressor's state and counters, the input position and
/// the length of the output written so far.
template <class Reg>
struct run_state {
  Reg reg;
  std::uint64_t config = 0;         // hash of the arguments that shape the output
  std::uint64_t line = 0;           // last input line read (CSV input)
  std::uint64_t records = 0;        // data records consumed (good or skipped)
  std::uint64_t skipped = 0;
  std::uint64_t output_offset = 0;  // bytes of output that belong to this state
  double last_time = 0;
  bool kafka = false;  // a Kafka run: the offsets below are saved too (not for files)
  std::vector<std::pair<std::int32_t, std::int64_t>> offsets{};  // per partition, next to read

  static std::string checkpoint_type() { return "realtime_regression/" + Reg::checkpoint_type(); }
  template <class Archive>
  void serialize(Archive& ar) {
    reg.serialize(ar);
    ar.field("config", config);
    ar.field("line", line);
    ar.field("records", records);
    ar.field("skipped", skipped);
    ar.field("output_offset", output_offset);
    ar.field("last_time", last_time);
    if (!kafka) return;
    std::uint64_t n = offsets.size();
    ar.field("partitions", n);
    if constexpr (Archive::loading) offsets.assign(n, {0, 0});
    for (auto& [partition, offset] : offsets) {
      ar.field("partition", partition);
      ar.field("offset", offset);
    }
  }
};

#ifdef STREAMREG_EXAMPLES_KAFKA
/// The Kafka consumer as a reader for cli::read_next: next() waits for a record, an error or
/// the end (every partition at its end with --exit-on-eof, or SIGINT/SIGTERM).
struct kafka_reader {
  using result = streamreg::kafka::consumer::result;
  streamreg::kafka::consumer& in;
  result next() {
    for (;;) {
      if (stop_requested) return result::end;
      const result r = in.next(200);
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
std::unique_ptr<streamreg::kafka::mock_cluster> start_mock(const options& opt) {
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
streamreg::kafka::consumer_options kafka_options(const options& opt,
                                                 const std::vector<streamreg::io::column>& columns,
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
#ifdef STREAMREG_EXAMPLES_JSON
  ko.decoder = [](const std::vector<std::string>& fields) {
    return streamreg::kafka::make_decoder(streamreg::json::message_parser<double>(fields));
  };
#endif
  ko.on_warning = [](const std::string& w) { fmt::print(stderr, "{}: warning: {}\n", program, w); };
  return ko;
}

#endif

template <class State>
int run_with(const options& opt, State initial) {
  using reg_type = streamreg::regressor<State, stream>;
  const std::uint64_t config = streamreg::detail::fnv1a(opt.describe());

  // A checkpoint, when there is one, gives the state and where output and input resume.
  std::optional<std::string> saved;
  std::uint64_t output_offset = 0;
  if (!opt.checkpoint.empty() && (saved = cli::read_if_exists(opt.checkpoint))) {
    run_state<reg_type> probe{reg_type(initial, stream(writer(stdout, {false, false, false})))};
    probe.kafka = opt.kafka();
    streamreg::restore_checkpoint(*saved, probe);
    if (probe.config != config)
      throw streamreg::config_error("checkpoint '" + opt.checkpoint +
                                    "' was written by a run with other arguments");
    output_offset = probe.output_offset;
  }
  const bool resuming = saved.has_value();
  cli::output_file out(opt.output, output_offset);
  const writer::options wopt{opt.compat, out.interactive(), !resuming};
  run_state<reg_type> run{reg_type(std::move(initial), stream(writer(out.get(), wopt)))};
  run.config = config;
  run.kafka = opt.kafka();
  if (resuming) {
    streamreg::restore_checkpoint(*saved, run);
    if (run.reg.accepted() > 0) run.reg.sink().resume(run.reg.fit());
  }

  // A Kafka run records its offsets before a checkpoint and commits them after it.
  std::function<void()> before_save, after_save;
  auto save = [&] {
    if (before_save) before_save();
    if (!opt.checkpoint.empty()) {
      run.output_offset = out.offset();
      cli::write_atomically(opt.checkpoint, streamreg::save_checkpoint(run));
    }
    if (after_save) after_save();
  };
  cli::rate_limiter limiter(opt.max_rate);
  std::uint64_t since_save = 0;
  auto room = [&] { return opt.max_records == 0 || run.records < opt.max_records; };
  auto after_record = [&] {
    ++run.records;
    if (++since_save >= opt.checkpoint_every) {
      since_save = 0;
      save();
    }
  };

  if (opt.input.empty() && !opt.kafka()) {  // the reference producer: x = 0, 1, 2, ...; y = x + U(-0.1, 0.1)
    streamreg::io::generator gen({opt.demo_records, opt.seed, 0.0, 1.0, 0.0, 1.0, 0.1});
    double x = 0, y = 0;
    for (std::uint64_t i = 0; i < run.records && gen.next(x, y);) ++i;  // already fitted
    std::uint64_t n = 0;
    while (room() && gen.next(x, y)) {
      limiter.wait(n++);
      run.reg.push(x, y);
      after_record();
    }
    save();
    return cli::ok;
  }

  std::vector<streamreg::io::column> columns{streamreg::io::column::parse(opt.x),
                                             streamreg::io::column::parse(opt.y)};
  const auto layout = cli::record_layout::add(opt.model, columns);
  std::uint64_t n = 0;
  int status = cli::ok;
  // Reads every record of `reader` (up to --max-records), after_record each.
  auto read_all = [&](auto& reader, auto&& after_read) {
    while (room()) {
      const cli::step s = cli::read_next(program, opt.on_error, reader, run.reg, layout,
                                         run.last_time, out, [&] { limiter.wait(n++); });
      if (s == cli::step::end || s == cli::step::stop) break;
      if (s == cli::step::fail) {
        status = cli::bad_input;
        break;
      }
      if (s == cli::step::skip) ++run.skipped;
      after_read();
      after_record();
    }
  };

  if (opt.kafka()) {
#ifdef STREAMREG_EXAMPLES_KAFKA
    std::unique_ptr<streamreg::kafka::mock_cluster> mock;  // outlives the consumer
    if (opt.kafka_mock) mock = start_mock(opt);
    streamreg::kafka::consumer_options ko = kafka_options(opt, columns, mock.get());
    streamreg::kafka::consumer* current = nullptr;
    // State and offsets in one checkpoint; offsets committed only once it is written.
    before_save = [&] {
      run.offsets.clear();
      for (const auto& p : current->positions()) run.offsets.emplace_back(p.partition, p.offset);
    };
    after_save = [&] { current->commit(); };
    ko.on_revoke = [&](const std::vector<std::int32_t>&) { save(); };
    streamreg::kafka::consumer consumer(std::move(ko));
    current = &consumer;
    if (resuming) {
      std::vector<streamreg::kafka::position> saved_positions;
      for (const auto& [p, o] : run.offsets) saved_positions.push_back({p, o});
      consumer.resume_from(saved_positions);
    }
    std::signal(SIGINT, request_stop);
    std::signal(SIGTERM, request_stop);
    kafka_reader reader{consumer};
    read_all(reader, [] {});
    save();
    before_save = after_save = nullptr;
    consumer.close();
    out.flush();
    if (run.skipped > 0)
      fmt::print(stderr, "{}: {} records fitted, {} skipped\n", program, run.reg.accepted(),
                 run.skipped);
    return status;
#else
    throw streamreg::config_error("this build has no Kafka support (librdkafka not found)");
#endif
  }

  cli::input_file in(opt.input);
  if (opt.format == "jsonl" || opt.format == "json") {
#ifdef STREAMREG_EXAMPLES_JSON
    std::vector<std::string> fields;
    for (const auto& c : columns) fields.push_back(c.name);
    streamreg::json::jsonl_reader<double> reader(in.source(), fields);
    if (resuming && !reader.skip_through(run.line))
      throw streamreg::config_error("the input is shorter than when the checkpoint was written");
    read_all(reader, [&] { run.line = reader.line(); });
#else
    throw streamreg::config_error("this build has no JSON support (simdjson not found)");
#endif
  } else {
    if (opt.format != "csv")
      throw streamreg::config_error("--format " + opt.format + " is for Kafka input (--kafka)");
    streamreg::io::csv_reader<double> reader(in.source(), columns);
    if (resuming && !reader.skip_through(run.line))
      throw streamreg::config_error("the input is shorter than when the checkpoint was written");
    read_all(reader, [&] { run.line = reader.line(); });
  }
  save();
  out.flush();
  if (run.skipped > 0)
    fmt::print(stderr, "{}: {} records fitted, {} skipped\n", program, run.reg.accepted(),
               run.skipped);
  return status;
}

#ifdef STREAMREG_EXAMPLES_KAFKA
using share_state = streamreg::moments<double>;

/// The regressor cli::read_next drives in a group member: a record goes into the share of
/// its partition; the member's change stream is the fit of the partitions it holds (a running
/// total, rebuilt from the shares when partitions come or go).
struct member_regressor {
  using state_type = share_state;
  streamreg::kafka::group_member<share_state>& member;
  stream sink;
  share_state total{};
  std::uint64_t generation = 0;
  std::uint64_t index = 0;

  std::uint64_t accepted() const noexcept { return index; }
  bool push_at(double t, double x, double y, double w) {
    if (!member.push(x, y, w)) return false;
    if (sync()) total.push(x, y, w);
    return emit(t);
  }
  bool pop_at(double t, double x, double y, double w) {
    if (!member.pop(x, y, w)) return false;
    if (sync() && !total.pop(x, y, w)) total = member.merged().value_or(share_state{});
    return emit(t);
  }
  /// Rebuilds the total after a rebalance (then it already holds the record); true when the
  /// record still has to be added to it.
  bool sync() {
    if (member.generation() == generation) return true;
    generation = member.generation();
    total = member.merged().value_or(share_state{});
    return false;
  }
  bool emit(double t) {
    sink(streamreg::solve(total), streamreg::event{index++, t});
    return true;
  }
};

/// --publish-state: a member of the consumer group. One state per assigned partition,
/// published to the state topic after every --checkpoint-every records and before a
/// partition is given up; a partition taken over continues from its published state.
int run_member(const options& opt) {
  std::vector<streamreg::io::column> columns{streamreg::io::column::parse(opt.x),
                                             streamreg::io::column::parse(opt.y)};
  const auto layout = cli::record_layout::add(opt.model, columns);
  streamreg::kafka::group_member<share_state>::options mo;
  mo.input = kafka_options(opt, columns, nullptr);
  mo.state_topic = opt.publish_state;
  mo.config = streamreg::detail::fnv1a(opt.describe_shares());
  streamreg::kafka::group_member<share_state> member(std::move(mo));

  cli::output_file out(opt.output, 0);
  member_regressor reg{member, stream(writer(out.get(), {opt.compat, out.interactive(), true}))};
  std::signal(SIGINT, request_stop);
  std::signal(SIGTERM, request_stop);
  kafka_reader reader{member.input()};
  cli::rate_limiter limiter(opt.max_rate);
  double last_time = 0;
  std::uint64_t n = 0, records = 0, skipped = 0, since_save = 0;
  int status = cli::ok;
  using clock = std::chrono::steady_clock;
  clock::time_point first{}, last{};  // the first and the last record read
  while (opt.max_records == 0 || records < opt.max_records) {
    const cli::step s = cli::read_next(program, opt.on_error, reader, reg, layout, last_time, out,
                                       [&] { limiter.wait(n++); });
    if (s == cli::step::end || s == cli::step::stop) break;
    if (s == cli::step::fail) {
      status = cli::bad_input;
      break;
    }
    if (s == cli::step::skip) {
      member.skip();
      ++skipped;
    }
    last = clock::now();
    if (records++ == 0) first = last;
    if (++since_save >= opt.checkpoint_every) {
      since_save = 0;
      member.checkpoint();
    }
  }
  std::string parts;
  for (const auto& [p, share] : member.shares())
    parts += (parts.empty() ? "" : " ") + std::to_string(p) + ":" + std::to_string(share.records);
  member.close();
  out.flush();
  const double seconds = std::chrono::duration<double>(last - first).count();
  fmt::print(stderr,
             "{}: group '{}' member: {} records read, {} skipped, in {:.3f} s from the first "
             "to the last ({:.0f} records/s); partitions held at the end (partition:records) "
             "{}; {} states published to '{}', {} restored\n",
             program, opt.group, records, skipped, seconds,
             seconds > 0 ? static_cast<double>(records - 1) / seconds : 0.0,
             parts.empty() ? "none" : parts, member.published(), opt.publish_state,
             member.restored());
  return status;
}

/// --merge-states: the global fit. Keeps the furthest state of every partition of --topic
/// from the state topic and writes the change stream of their merge whenever one changes
/// (time = the number of records in the merged fit).
int run_merger(const options& opt) {
  streamreg::kafka::state_reader in(opt.brokers, opt.merge_states, streamreg::kafka::parse_properties(opt.properties),
                                    opt.connect_timeout_ms);
  const std::uint64_t config = streamreg::detail::fnv1a(opt.describe_shares());
  streamreg::kafka::share_table<share_state> table;
  cli::output_file out(opt.output, 0);
  stream sink(writer(out.get(), {opt.compat, out.interactive(), true}));
  std::signal(SIGINT, request_stop);
  std::signal(SIGTERM, request_stop);
  std::uint64_t index = 0, messages = 0, bad = 0;
  using clock = std::chrono::steady_clock;
  clock::time_point first{}, last{};  // the first and the last state message read
  while (!stop_requested) {
    const auto r = in.next(200);
    if (r == streamreg::kafka::state_reader::result::end && opt.exit_on_eof) break;
    if (r != streamreg::kafka::state_reader::result::message) continue;
    last = clock::now();
    if (messages++ == 0) first = last;
    bool changed = false;
    try {
      changed = streamreg::kafka::offer_message(in, opt.topic, config, table);
    } catch (const streamreg::error& e) {
      if (opt.on_error == streamreg::io::error_policy::fail) {
        out.flush();
        fmt::print(stderr, "{}: {}\n", program, e.what());
        return cli::bad_input;
      }
      fmt::print(stderr, "{}: skipped: {}\n", program, e.what());
      ++bad;
      if (opt.on_error == streamreg::io::error_policy::stop) break;
      continue;
    }
    if (!changed) continue;
    const auto total = table.merged();
    sink(streamreg::solve(*total),
         streamreg::event{index++, static_cast<double>(table.records())});
  }
  out.flush();
  std::string parts;
  for (const auto& [p, share] : table.shares())
    parts += (parts.empty() ? "" : " ") + std::to_string(p) + ":" + std::to_string(share.records) +
             "@" + std::to_string(share.next_offset);
  const auto total = table.merged();
  fmt::print(stderr,
             "{}: merged {} partitions of '{}': n = {} records ({} skipped); "
             "partition:records@next_offset {}; {} state messages read ({:.0f}/s), {} refused\n",
             program, table.shares().size(), opt.topic, total ? total->count() : 0,
             table.skipped(), parts.empty() ? "none" : parts, messages,
             messages > 1 ? static_cast<double>(messages - 1) /
                                std::chrono::duration<double>(last - first).count()
                          : 0.0,
             bad);
  return cli::ok;
}
#endif

int run(options opt) {
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
#ifdef STREAMREG_EXAMPLES_KAFKA
    return opt.publish_state.empty() ? run_merger(opt) : run_member(opt);
#else
    throw streamreg::config_error("this build has no Kafka support (librdkafka not found)");
#endif
  }
  return cli::with_state(opt.model, [&opt](auto state) { return run_with(opt, std::move(state)); });
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "Streaming least-squares line: after every record x,y writes the intercept a and slope b "
      "as a change stream a,b,time,diff (each new value inserted with diff 1, the value it "
      "replaces retracted with diff -1). Input: --input (CSV or JSON lines), --kafka (a topic), "
      "--kafka-mock (an in-process Kafka cluster holding the demo stream), or nothing: the "
      "built-in demo producer (x = 0, 1, 2, ..., y = x + uniform noise in (-0.1, 0.1)).",
      program};
  options opt;
  app.add_option("--input", opt.input, "CSV file with a header row, or - for standard input");
  app.add_option("--output", opt.output, "Write the change stream here instead of stdout");
  app.add_flag("--compat", opt.compat,
               "Write undefined fits (fewer than 2 records, constant x) as 0,0 like the "
               "reference workflow; otherwise a and b are left empty");
  app.add_option("--max-records", opt.max_records,
                 "Stop after N data records (0: no limit; counted over restarts)")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--max-rate", opt.max_rate, "At most R records per second (0: no limit)")
      ->check(CLI::NonNegativeNumber);
  cli::add_error_policy(app, opt.on_error);
  app.add_option("--x", opt.x, "Column of x: header name or 1-based number")->capture_default_str();
  app.add_option("--y", opt.y, "Column of y: header name or 1-based number")->capture_default_str();
  app.add_option("--time", opt.model.time,
                 "Column holding each record's time, written in the time field (default: the "
                 "0-based record index)");
  cli::add_model_options(app, opt.model, false);
  app.add_option("--checkpoint", opt.checkpoint,
                 "Keep the state here (written atomically every --checkpoint-every records and "
                 "at exit); when the file exists at start, continue from it. With --output, "
                 "the output file is cut back to what the checkpoint covers and continued");
  app.add_option("--checkpoint-every", opt.checkpoint_every, "Records between checkpoints")
      ->check(cli::at_least_one)
      ->capture_default_str();
  app.add_option("--demo-records", opt.demo_records, "Records the demo producer writes")
      ->capture_default_str();
  app.add_option("--seed", opt.seed, "Seed of the demo producer's noise")->capture_default_str();
  app.add_option("--format", opt.format,
                 "Input format: csv (a header row; Kafka: a header message first in each "
                 "partition), jsonl or json (one JSON object per line or message, fields "
                 "--x/--y by name), raw (Kafka: one number per message, column 'value')")
      ->check(CLI::IsMember({"csv", "jsonl", "json", "raw"}))
      ->capture_default_str();
  auto* kafka_group = app.add_option_group("Kafka");
  kafka_group->add_option("--kafka", opt.brokers,
                          "Consume a Kafka topic: bootstrap brokers host:port[,host:port...]");
  kafka_group->add_option("--topic", opt.topic, "Kafka topic (--kafka-mock: linear-regression)");
  kafka_group->add_option("--group", opt.group, "Kafka consumer group: partitions are shared "
                                                "among its members")
      ->capture_default_str();
  kafka_group->add_option("--start", opt.start,
                          "Where partitions start without a checkpoint: committed (the group's "
                          "committed offsets, else the beginning), earliest or latest")
      ->check(CLI::IsMember({"earliest", "latest", "committed"}))
      ->capture_default_str();
  kafka_group->add_flag("--exit-on-eof", opt.exit_on_eof,
                        "Stop once every assigned partition is at its end (otherwise run until "
                        "SIGINT/SIGTERM, which stop cleanly: emit, checkpoint, commit, exit 0)");
  kafka_group->add_option("-X", opt.properties,
                          "librdkafka property key=value, repeatable (security.protocol, "
                          "sasl.*, ssl.*, session.timeout.ms, ...)");
  kafka_group->add_option("--connect-timeout", opt.connect_timeout_ms,
                          "Milliseconds to reach a broker at start before failing (exit 3)")
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
  if (const auto parsed = cli::parse(app, argc, argv)) return *parsed;
  if (opt.format == "raw") {  // one number per message: y is it, x its offset by default
    if (app.count("--y") == 0) opt.y = "value";
    if (app.count("--x") == 0) opt.x = "@offset";
  }

  return cli::guarded(program, [&opt] { return run(opt); });
}

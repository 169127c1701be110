// SPDX-License-Identifier: MIT
// The Kafka runs shared by realtime_regression and stream_fit, generic over the model: the
// consumer as a reader for the read loops, one consumer with a checkpoint (offsets committed
// only after the checkpoint that covers them), a member of a scale-out group keeping one
// state per partition (--publish-state; offsets committed only after the states that cover
// them are published), and the merger of those states (--merge-states).
#pragma once

#include <streamreg/kafka/consumer.hpp>
#include <streamreg/kafka/state_topic.hpp>

#include "cli_common.hpp"

#include <chrono>
#include <csignal>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace cli {

/// The Kafka consumer as a reader for the read loops: next() waits for a record, an error or
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
  /// The selected columns' names, as the messages know them.
  const std::vector<std::string>& fields() const { return in.columns(); }
  streamreg::parse_error field_error(std::size_t i, std::string text,
                                     const std::string& reason) const {
    return in.field_error(i, std::move(text), reason);
  }
};

/// What a Kafka run reads and how: the options both binaries share.
struct kafka_source {
  std::string brokers;    ///< bootstrap servers (a mock cluster's for --kafka-mock)
  std::string topic, group, start = "committed";
  std::string format = "csv";  ///< csv, json (or jsonl), raw
  std::vector<std::string> columns;
  std::vector<std::string> properties;  ///< -X key=value
  int connect_timeout_ms = 10000;
  bool exit_on_eof = false;
  int broker_timeout_ms = 30000;  ///< with exit_on_eof: unreachable brokers end the run
  std::size_t max_line = default_max_line;
  bool mock = false;  ///< an in-process mock cluster: its group timings
};

/// The consumer options of a Kafka run; warnings go to stderr under `program`'s name.
inline streamreg::kafka::consumer_options consumer_options(const char* program,
                                                           const kafka_source& s) {
  namespace kafka = streamreg::kafka;
  kafka::consumer_options ko;
  ko.brokers = s.brokers;
  ko.topic = s.topic;
  ko.group = s.group;
  ko.start = s.start == "earliest" ? kafka::start_position::earliest
             : s.start == "latest" ? kafka::start_position::latest
                                   : kafka::start_position::committed;
  ko.format = s.format == "raw"   ? kafka::message_format::raw
              : s.format == "csv" ? kafka::message_format::csv
                                  : kafka::message_format::json;
  ko.columns = s.columns;
  if (s.mock) ko.config = {{"session.timeout.ms", "4000"}, {"heartbeat.interval.ms", "500"}};
  for (auto& kv : kafka::parse_properties(s.properties)) ko.config.push_back(std::move(kv));
  ko.connect_timeout_ms = s.connect_timeout_ms;
  ko.exit_on_eof = s.exit_on_eof;
  ko.max_message = s.max_line;
  if (ko.exit_on_eof) ko.unreachable_timeout_ms = s.broker_timeout_ms;
  ko.on_warning = [program](const std::string& w) {
    fmt::print(stderr, "{}: warning: {}\n", program, w);
  };
  return ko;
}

/// One consumer with a checkpoint (or none) under a resumable run `r` (resumable_run.hpp):
/// state and offsets in one checkpoint, offsets committed only once it is written. Records
/// are read only from partitions this consumer holds; a partition taken away is saved and
/// committed first, and what the consumer handled beyond a refused commit is never counted
/// again when the partition comes back. `read(reader)` reads the records (r is open) and
/// returns the status; the run is then saved, the consumer closed and the run finished.
/// `brokers`: how the brokers are named in errors.
template <class Resumable, class Read>
int run_consumer(Resumable& r, streamreg::kafka::consumer_options ko, const std::string& brokers,
                 Read&& read) {
  streamreg::kafka::consumer* current = nullptr;
  // Partitions taken away are saved (and committed) first; a checkpointed consumer that is
  // then left with part of the topic ends (kafka_reader refuses to go on).
  ko.on_revoke = [&r](const std::vector<std::int32_t>&) { r.save(); };
  const std::string topic = ko.topic, group = ko.group;
  const int timeout_ms = ko.connect_timeout_ms;
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
  kafka_reader reader{consumer, 0, group};
  if (r.checkpointing())
    reader.partitions = static_cast<std::size_t>(streamreg::kafka::detail::partition_count(
        consumer.handle(), brokers, topic, timeout_ms));
  int status = ok;
  try {
    status = read(reader);
  } catch (const streamreg::kafka::unreachable_error&) {
    // Save what was read (the checkpoint keeps the offsets; no broker to commit to), then
    // end with the error (exit 3).
    r.after_save = nullptr;
    r.finish(ok);
    throw;
  }
  r.save();
  r.before_save = r.after_save = nullptr;
  consumer.close();
  return r.finish(status);
}

/// The running merge of the partitions a group member holds (its part of the fit): a record
/// goes into the share of its partition and into the total; the total is rebuilt from the
/// shares when partitions come or go.
template <class State>
struct member_total {
  streamreg::kafka::group_member<State>& member;
  State empty;  ///< the state of no records (with the model's options)
  State total = empty;
  std::uint64_t generation = 0;

  template <class... Args>
  bool push(const Args&... args) {
    if (!member.push(args...)) return false;
    if (sync()) total.push(args...);
    return true;
  }
  template <class... Args>
  bool pop(const Args&... args) {
    if (!member.pop(args...)) return false;
    if (sync() && !total.pop(args...)) total = member.merged().value_or(empty);
    return true;
  }
  /// Rebuilds the total after a rebalance (then it already holds the record); true when the
  /// record still has to be added to it.
  bool sync() {
    if (member.generation() == generation) return true;
    generation = member.generation();
    total = member.merged().value_or(empty);
    return false;
  }
};

/// The loop of a group member: `step(before_apply)` reads and applies one record (from
/// member.input()) and returns its cli::step; the shares are published every
/// `checkpoint_every` records and at the end (then the offsets they cover are committed).
/// `done(status)` follows member.close() (the output closed); a summary goes to stderr.
struct member_settings {
  std::string group, state_topic;
  std::uint64_t max_records = 0, checkpoint_every = 1000;
  double max_rate = 0;
};
template <class State, class Step, class Done>
int run_member(const char* program, const member_settings& s,
               streamreg::kafka::group_member<State>& member, Step&& step, Done&& done) {
  std::signal(SIGINT, request_stop);
  std::signal(SIGTERM, request_stop);
  rate_limiter limiter(s.max_rate);
  std::uint64_t n = 0, records = 0, skipped = 0, since_save = 0;
  int status = ok;
  using clock = std::chrono::steady_clock;
  clock::time_point first{}, last{};  // the first and the last record read
  while (s.max_records == 0 || records < s.max_records) {
    const cli::step r = step([&] { limiter.wait(n++); });
    if (r == cli::step::end || r == cli::step::stop) break;
    if (r == cli::step::fail) {
      status = bad_input;
      break;
    }
    if (r == cli::step::skip) {
      member.skip();
      ++skipped;
    }
    last = clock::now();
    if (records++ == 0) first = last;
    if (++since_save >= s.checkpoint_every) {
      since_save = 0;
      member.checkpoint();
    }
  }
  std::string parts;
  for (const auto& [p, share] : member.shares())
    parts += (parts.empty() ? "" : " ") + std::to_string(p) + ":" + std::to_string(share.records);
  member.close();
  done(status);
  const double seconds = std::chrono::duration<double>(last - first).count();
  fmt::print(stderr,
             "{}: group '{}' member: {} records read, {} skipped, in {:.3f} s from the first "
             "to the last ({:.0f} records/s); partitions held at the end (partition:records) "
             "{}; {} states published to '{}', {} restored\n",
             program, s.group, records, skipped, seconds,
             seconds > 0 ? static_cast<double>(records - 1) / seconds : 0.0,
             parts.empty() ? "none" : parts, member.published(), s.state_topic,
             member.restored());
  return status;
}

/// The merger: keeps the furthest share of every partition of `topic` from the state topic
/// (shares of another configuration refused) and calls `changed(table)` whenever one changes;
/// `at_end()` before the output is closed; a summary goes to stderr.
struct merger_settings {
  std::string brokers, state_topic, topic;
  std::vector<std::string> properties;
  int connect_timeout_ms = 10000;
  std::uint64_t config = 0;
  streamreg::io::error_policy on_error = streamreg::io::error_policy::fail;
  bool exit_on_eof = false;
};
/// The state topic's reader of a merger (connected before its output is opened).
inline std::unique_ptr<streamreg::kafka::state_reader> state_reader(const merger_settings& s) {
  return std::make_unique<streamreg::kafka::state_reader>(
      s.brokers, s.state_topic, streamreg::kafka::parse_properties(s.properties),
      s.connect_timeout_ms);
}
template <class State, class Changed, class AtEnd>
int run_merger(const char* program, const merger_settings& s, streamreg::kafka::state_reader& in,
               const streamreg::kafka::partition_share<State>& prototype, output_file& out,
               Changed&& changed, AtEnd&& at_end) {
  namespace kafka = streamreg::kafka;
  kafka::share_table<State> table;
  std::signal(SIGINT, request_stop);
  std::signal(SIGTERM, request_stop);
  std::uint64_t messages = 0, bad = 0;
  using clock = std::chrono::steady_clock;
  clock::time_point first{}, last{};  // the first and the last state message read
  while (!stop_requested) {
    const auto r = in.next(200);
    if (r == kafka::state_reader::result::end && s.exit_on_eof) break;
    if (r != kafka::state_reader::result::message) continue;
    last = clock::now();
    if (messages++ == 0) first = last;
    bool kept = false;
    try {
      kept = kafka::offer_message(in, s.topic, s.config, table, prototype);
    } catch (const streamreg::error& e) {
      if (s.on_error == streamreg::io::error_policy::fail) {
        out.flush();
        fmt::print(stderr, "{}: {}\n", program, e.what());
        return bad_input;
      }
      fmt::print(stderr, "{}: skipped: {}\n", program, e.what());
      ++bad;
      if (s.on_error == streamreg::io::error_policy::stop) break;
      continue;
    }
    if (kept) changed(table);
  }
  at_end(table);
  out.close();
  std::string parts;
  for (const auto& [p, share] : table.shares())
    parts += (parts.empty() ? "" : " ") + std::to_string(p) + ":" + std::to_string(share.records) +
             "@" + std::to_string(share.next_offset);
  const auto total = table.merged();
  fmt::print(stderr,
             "{}: merged {} partitions of '{}': n = {} records ({} skipped); "
             "partition:records@next_offset {}; {} state messages read ({:.0f}/s), {} refused\n",
             program, table.shares().size(), s.topic, total ? total->count() : 0,
             table.skipped(), parts.empty() ? "none" : parts, messages,
             messages > 1 ? static_cast<double>(messages - 1) /
                                std::chrono::duration<double>(last - first).count()
                          : 0.0,
             bad);
  return ok;
}

}  // namespace cli

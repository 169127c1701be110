// SPDX-License-Identifier: MIT
// realtime_regression's scale-out runs: a member of a consumer group keeping one state per
// partition (--publish-state), and the merger of those states (--merge-states).
#pragma once

#include "realtime_kafka.hpp"

#include <chrono>
#include <csignal>
#include <cstdint>
#include <string>
#include <vector>

namespace realtime {

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
inline int run_member(const options& opt) {
  std::vector<streamreg::io::column> columns{streamreg::io::column::parse(opt.x),
                                             streamreg::io::column::parse(opt.y)};
  const auto layout = cli::record_layout::add(opt.model, columns);
  streamreg::kafka::group_member<share_state>::options mo;
  mo.input = kafka_options(opt, columns, nullptr);
  mo.state_topic = opt.publish_state;
  mo.config = streamreg::detail::fnv1a(opt.describe_shares());
  streamreg::kafka::group_member<share_state> member(std::move(mo));

  cli::output_file out(opt.output);
  member_regressor reg{member, stream(writer(out.get(), {opt.compat, out.interactive(), true},
                                             out.name()))};
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
  out.close();
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
inline int run_merger(const options& opt) {
  streamreg::kafka::state_reader in(opt.brokers, opt.merge_states, streamreg::kafka::parse_properties(opt.properties),
                                    opt.connect_timeout_ms);
  const std::uint64_t config = streamreg::detail::fnv1a(opt.describe_shares());
  streamreg::kafka::share_table<share_state> table;
  cli::output_file out(opt.output);
  stream sink(writer(out.get(), {opt.compat, out.interactive(), true}, out.name()));
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
  out.close();
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

}  // namespace realtime

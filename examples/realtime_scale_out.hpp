// SPDX-License-Identifier: MIT
// realtime_regression's scale-out runs: a member of a consumer group keeping one state per
// partition (--publish-state), and the merger of those states (--merge-states), on the runs
// of kafka_run.hpp (shared with stream_fit).
#pragma once

#include "kafka_run.hpp"
#include "realtime_kafka.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace realtime {

using share_state = streamreg::moments<double>;

/// The regressor cli::read_next drives in a group member: a record goes into the share of
/// its partition; the member's change stream is the fit of the partitions it holds.
struct member_regressor {
  using state_type = share_state;
  cli::member_total<share_state> shares;
  stream sink;
  std::uint64_t index = 0;

  std::uint64_t accepted() const noexcept { return index; }
  bool push_at(double t, double x, double y, double w) {
    return shares.push(x, y, w) && emit(t);
  }
  bool pop_at(double t, double x, double y, double w) {
    return shares.pop(x, y, w) && emit(t);
  }
  bool emit(double t) {
    sink(streamreg::solve(shares.total), streamreg::event{index++, t});
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
  member_regressor reg{{member, share_state{}},
                       stream(writer(out.get(), {opt.compat, out.interactive(), true},
                                     out.name()))};
  kafka_reader reader{member.input()};
  double last_time = 0;
  return cli::run_member(
      program, {opt.group, opt.publish_state, opt.max_records, opt.checkpoint_every, opt.max_rate},
      member,
      [&](auto&& before_apply) {
        return cli::read_next(program, opt.on_error, reader, reg, layout, last_time, out,
                              before_apply);
      },
      [&out](int) { out.close(); });
}

/// --merge-states: the global fit. Keeps the furthest state of every partition of --topic
/// from the state topic and writes the change stream of their merge whenever one changes
/// (time = the number of records in the merged fit).
inline int run_merger(const options& opt) {
  const cli::merger_settings s{opt.brokers,
                               opt.merge_states,
                               opt.topic,
                               opt.properties,
                               opt.connect_timeout_ms,
                               streamreg::detail::fnv1a(opt.describe_shares()),
                               opt.on_error,
                               opt.exit_on_eof};
  const auto in = cli::state_reader(s);
  cli::output_file out(opt.output);
  stream sink(writer(out.get(), {opt.compat, out.interactive(), true}, out.name()));
  std::uint64_t index = 0;
  return cli::run_merger<share_state>(
      program, s, *in, {}, out,
      [&](const streamreg::kafka::share_table<share_state>& table) {
        sink(streamreg::solve(*table.merged()),
             streamreg::event{index++, static_cast<double>(table.records())});
      },
      [](const auto&) {});
}

}  // namespace realtime

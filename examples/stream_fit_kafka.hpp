// SPDX-License-Identifier: MIT
// stream_fit on Kafka: the options (--kafka, --topic, --group, --exit-on-eof, -X,
// --publish-state, --merge-states), one consumer with a checkpoint, a member of a scale-out
// group and the merger, for one predictor and several, on the runs of kafka_run.hpp (shared
// with realtime_regression). Without librdkafka the options are refused.
#pragma once

#include <streamreg/streamreg.hpp>
#include <streamreg/multivariate.hpp>

#include "cli_common.hpp"
#include "stream_fit_options.hpp"
#include "stream_fit_output.hpp"
#include "stream_fit_run.hpp"

#ifdef STREAMREG_EXAMPLES_KAFKA
#include <streamreg/json/jsonl.hpp>
#include <streamreg/kafka/consumer.hpp>
#include <streamreg/kafka/state_topic.hpp>

#include "kafka_run.hpp"
#endif

#include <cstdint>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

namespace stream_fit {

/// Declares the Kafka options on `app`, bound to `opt`.
inline void add_kafka_options(CLI::App& app, options& opt) {
  auto* g = app.add_option_group("Kafka");
  g->add_option("-b,--kafka", opt.brokers,
                "Read the records from a Kafka topic instead of a file: bootstrap brokers "
                "host:port[,host:port...]. Messages as --input-format: csv (a header message "
                "first in each partition) or jsonl (one JSON object per message)");
  g->add_option("-t,--topic", opt.topic, "Kafka topic of the records");
  g->add_option("-G,--group", opt.group,
                "Kafka consumer group: partitions are shared among its members (a consumer "
                "with --checkpoint must be its only member); offsets are committed after the "
                "checkpoint or the published states that cover them")
      ->capture_default_str();
  g->add_flag("-e,--exit-on-eof", opt.exit_on_eof,
              "Stop once every assigned partition is at its end (otherwise run until SIGINT or "
              "SIGTERM, which stop cleanly: print, checkpoint, commit, exit 0)");
  g->add_option("-X", opt.properties,
                "librdkafka property key=value, repeatable (security.protocol, sasl.*, "
                "session.timeout.ms, ...)");
  g->add_option("--publish-state", opt.publish_state,
                "Scale-out: be one member of --group; keep one state per assigned partition "
                "and publish it to this (compacted) topic, keyed TOPIC/PARTITION, every "
                "--checkpoint-every records and before a partition moves (then commit the "
                "offsets it covers); a partition taken over resumes from its state. Prints "
                "the fit of the partitions it holds");
  g->add_option("--merge-states", opt.merge_states,
                "Scale-out: read this state topic instead of records and print the global fit "
                "(the merge of the furthest state of every partition of --topic) whenever a "
                "state changes, or once at the end with --emit final; give the members' model "
                "options");
}

/// Checks the Kafka options together; throws config_error.
inline void validate_kafka(const options& opt) {
  if (!opt.kafka()) {
    if (!opt.topic.empty() || opt.exit_on_eof || !opt.properties.empty() || opt.sharing())
      throw streamreg::config_error(
          "--topic, --exit-on-eof, -X, --publish-state and --merge-states are for Kafka input "
          "(--kafka)");
    return;
  }
#ifndef STREAMREG_EXAMPLES_KAFKA
  throw streamreg::config_error("this build has no Kafka support (librdkafka not found)");
#endif
  if (opt.input != "-") throw streamreg::config_error("an input file and --kafka exclude each other");
  if (opt.topic.empty()) throw streamreg::config_error("--kafka needs --topic");
  if (opt.skip_to_data || opt.no_header)
    throw streamreg::config_error(
        "--skip-to-data and --no-header are for files (Kafka CSV input starts each partition "
        "with a header message)");
  if (!opt.sharing()) return;
  const std::string what = opt.publish_state.empty() ? "--merge-states" : "--publish-state";
  if (!opt.publish_state.empty() && !opt.merge_states.empty())
    throw streamreg::config_error("--publish-state and --merge-states exclude each other");
  const auto& m = opt.model;
  if (m.window > 0 || m.window_time > 0 || m.half_life > 0 || m.half_life_time > 0)
    throw streamreg::config_error(
        what + " merges per-partition states: windows and forgetting (--window, --window-time, "
               "--half-life, --half-life-time) follow the order of the whole stream and cannot "
               "be split by partition");
  if (!opt.checkpoint.empty())
    throw streamreg::config_error(what + ": the state topic is the checkpoint (no --checkpoint)");
}

#ifdef STREAMREG_EXAMPLES_KAFKA

/// The consumer of the selected columns.
inline streamreg::kafka::consumer_options kafka_consumer(
    const options& opt, const std::vector<streamreg::io::column>& columns) {
  cli::kafka_source s;
  s.brokers = opt.brokers;
  s.topic = opt.topic;
  s.group = opt.group;
  s.format = opt.input_format == "jsonl" ? "json" : "csv";
  for (const auto& c : columns) s.columns.push_back(c.name);
  s.properties = opt.properties;
  s.connect_timeout_ms = opt.connect_timeout_ms;
  s.exit_on_eof = opt.exit_on_eof;
  s.broker_timeout_ms = opt.broker_timeout_ms;
  s.max_line = opt.max_line;
  auto ko = cli::consumer_options(program, s);
  ko.decoder = [](const std::vector<std::string>& fields) {
    return streamreg::kafka::make_decoder(streamreg::json::message_parser<double>(fields));
  };
  return ko;
}

/// One consumer with a checkpoint (or none), one predictor.
template <class State>
int consume_scalar(resumable<scalar_model<State>>& r,
                   const std::vector<streamreg::io::column>& columns,
                   const cli::record_layout& layout, const points& rows) {
  const options& opt = r.options_used();
  return write_checked(r, [&] {
    return cli::run_consumer(r, kafka_consumer(opt, columns), opt.brokers,
                             [&](cli::kafka_reader& reader) {
                               return fit_scalar(r, reader, layout, rows);
                             });
  });
}

/// One consumer with a checkpoint (or none), several predictors.
template <class Reg>
int consume_multivariate(resumable<multi_model<Reg>>& r,
                         const std::vector<streamreg::io::column>& columns,
                         const multi_layout& l, const points& rows) {
  const options& opt = r.options_used();
  return write_checked(r, [&] {
    return cli::run_consumer(r, kafka_consumer(opt, columns), opt.brokers,
                             [&](cli::kafka_reader& reader) {
                               return fit_multivariate(r, reader, l, rows);
                             });
  });
}

/// A regression as the state of a partition's share. partition_share and group_member
/// default-construct their states, which a regression with a run-time number of predictors
/// cannot be (its options give the number): the default here is a placeholder of one
/// predictor, never used as it is (every share is a copy of the prototype, made with the
/// model's options, or restored into one; a placeholder would refuse to merge or restore).
template <class Reg>
struct share_of : Reg {
  share_of() : Reg(one()) {}
  explicit share_of(Reg r) : Reg(std::move(r)) {}
  static streamreg::multivariate::options one() {
    streamreg::multivariate::options o;
    o.predictors = 1;
    return o;
  }
};

/// The model cli::read_next drives in a member of one predictor: the fit of its partitions.
struct scalar_member {
  using state_type = streamreg::moments<double>;
  cli::member_total<state_type> shares;
  std::uint64_t applied = 0;

  std::uint64_t accepted() const noexcept { return applied; }
  bool push_at(double, double x, double y, double w) { return counted(shares.push(x, y, w)); }
  bool pop_at(double, double x, double y, double w) { return counted(shares.pop(x, y, w)); }
  bool counted(bool ok) {
    applied += ok ? 1 : 0;
    return ok;
  }
};

inline cli::member_settings member_settings(const options& opt) {
  return {opt.group, opt.publish_state, opt.max_records, opt.checkpoint_every, opt.max_rate};
}
inline cli::merger_settings merger_settings(const options& opt) {
  return {opt.brokers,
          opt.merge_states,
          opt.topic,
          opt.properties,
          opt.connect_timeout_ms,
          streamreg::detail::fnv1a(opt.describe_shares()),
          opt.on_error,
          opt.exit_on_eof};
}
/// The labels of y and the inputs: the columns as given.
inline std::vector<std::string> given_labels(const options& opt) {
  std::vector<std::string> v{opt.y};
  v.insert(v.end(), opt.x.begin(), opt.x.end());
  return v;
}

/// --publish-state with one predictor: prints the fit of the partitions held after every
/// record (--emit every) or once at the end.
inline int member_scalar(const options& opt, const points& rows) {
  using state = streamreg::moments<double>;
  std::vector<streamreg::io::column> columns{streamreg::io::column::parse(opt.x[0]),
                                             streamreg::io::column::parse(opt.y)};
  const auto layout = cli::record_layout::add(opt.model, columns);
  streamreg::kafka::group_member<state>::options mo;
  mo.input = kafka_consumer(opt, columns);
  mo.state_topic = opt.publish_state;
  mo.config = streamreg::detail::fnv1a(opt.describe_shares());
  streamreg::kafka::group_member<state> member(std::move(mo));
  cli::output_file out(opt.output);
  printer print(opt, out.get(), out.interactive());
  print.header();
  scalar_member reg{{member, state{}}};
  cli::kafka_reader reader{member.input()};
  const bool every = opt.emit == "every";
  double last_time = 0;
  return cli::run_member(
      program, member_settings(opt), member,
      [&](auto&& before_apply) {
        const auto s = cli::read_next(program, opt.on_error, reader, reg, layout, last_time, out,
                                      before_apply);
        if (s == cli::step::record && every) print_scalar(opt, print, reg.shares.total, rows);
        return s;
      },
      [&](int status) {
        if (status == cli::ok && !every) print_scalar(opt, print, reg.shares.total, rows);
        out.close();
      });
}

/// --publish-state with several predictors.
template <class Reg>
int member_multivariate(const options& opt, Reg empty, const points& rows) {
  using state = share_of<Reg>;
  std::vector<streamreg::io::column> columns;
  const multi_layout l = multi_layout::add(opt, columns);
  typename streamreg::kafka::group_member<state>::options mo;
  mo.input = kafka_consumer(opt, columns);
  mo.state_topic = opt.publish_state;
  mo.config = streamreg::detail::fnv1a(opt.describe_shares());
  mo.prototype.state = state(empty);
  streamreg::kafka::group_member<state> member(std::move(mo));
  cli::output_file out(opt.output);
  multi_output output{out.get(), out.interactive(), false, std::nullopt};
  cli::member_total<state> shares{member, state(std::move(empty))};
  cli::kafka_reader reader{member.input()};
  const bool every = opt.emit == "every";
  const auto inputs = static_cast<Eigen::Index>(opt.x.size());
  std::vector<double> x(opt.x.size());
  double last_time = 0;
  std::uint64_t pushed = 0;
  auto apply = [&](const double* z, double y, double w, bool retract, double) {
    return retract ? shares.pop(z, y, w, inputs) : shares.push(z, y, w, inputs);
  };
  auto labels = [&opt] { return given_labels(opt); };
  return cli::run_member(
      program, member_settings(opt), member,
      [&](auto&& before_apply) {
        const auto s = read_multi(opt, reader, l, x, last_time, pushed,
                                  Reg::state_type::can_remove, out, before_apply, apply);
        if (s == cli::step::record && every) output.row(opt, shares.total, labels, rows);
        return s;
      },
      [&](int status) {
        if (status == cli::ok && !every) output.row(opt, shares.total, labels, rows);
        out.close();
      });
}

/// --merge-states with one predictor: the global fit whenever a state changes (--emit
/// every) or once at the end.
inline int merge_scalar(const options& opt, const points& rows) {
  using state = streamreg::moments<double>;
  const auto s = merger_settings(opt);
  const auto in = cli::state_reader(s);
  cli::output_file out(opt.output);
  printer print(opt, out.get(), out.interactive());
  print.header();
  const bool every = opt.emit == "every";
  using table = streamreg::kafka::share_table<state>;
  return cli::run_merger<state>(
      program, s, *in, {}, out,
      [&](const table& t) {
        if (every) print_scalar(opt, print, *t.merged(), rows);
      },
      [&](const table& t) {
        if (!every) print_scalar(opt, print, t.merged().value_or(state{}), rows);
      });
}

/// --merge-states with several predictors.
template <class Reg>
int merge_multivariate(const options& opt, Reg empty, const points& rows) {
  using state = share_of<Reg>;
  const auto s = merger_settings(opt);
  const auto in = cli::state_reader(s);
  cli::output_file out(opt.output);
  multi_output output{out.get(), out.interactive(), false, std::nullopt};
  streamreg::kafka::partition_share<state> prototype;
  prototype.state = state(empty);
  const bool every = opt.emit == "every";
  auto labels = [&opt] { return given_labels(opt); };
  using table = streamreg::kafka::share_table<state>;
  return cli::run_merger<state>(
      program, s, *in, prototype, out,
      [&](const table& t) {
        if (every) output.row(opt, *t.merged(), labels, rows);
      },
      [&](const table& t) {
        if (!every) output.row(opt, t.merged().value_or(prototype.state), labels, rows);
      });
}

/// A member or the merger, one predictor (validate_kafka refused windows and forgetting:
/// the state is moments).
template <class State>
int scale_out_scalar(const options& opt, State, const points& rows) {
  if constexpr (std::is_same_v<State, streamreg::moments<double>>) {
    return opt.merge_states.empty() ? member_scalar(opt, rows) : merge_scalar(opt, rows);
  } else {
    throw streamreg::config_error("--publish-state and --merge-states need the plain fit");
  }
}

/// A member or the merger, several predictors.
template <class Reg>
int scale_out_multivariate(const options& opt, Reg empty, const points& rows) {
  return opt.merge_states.empty() ? member_multivariate(opt, std::move(empty), rows)
                                  : merge_multivariate(opt, std::move(empty), rows);
}

#else  // no librdkafka: validate_kafka refused the options

[[noreturn]] inline void no_kafka() {
  throw streamreg::config_error("this build has no Kafka support (librdkafka not found)");
}
template <class Model, class Columns, class Layout>
int consume_scalar(resumable<Model>&, const Columns&, const Layout&, const points&) {
  no_kafka();
}
template <class Model, class Columns, class Layout>
int consume_multivariate(resumable<Model>&, const Columns&, const Layout&, const points&) {
  no_kafka();
}
template <class State>
int scale_out_scalar(const options&, State, const points&) {
  no_kafka();
}
template <class Reg>
int scale_out_multivariate(const options&, Reg, const points&) {
  no_kafka();
}

#endif

}  // namespace stream_fit

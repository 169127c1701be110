// SPDX-License-Identifier: MIT
// realtime_regression: the reference workflow. Records x,y arrive one at a time (a CSV or
// JSON lines file, a pipe, a Kafka topic, or the built-in demo producer); after each one the
// least-squares intercept a and slope b are written as a change stream a,b,time,diff
// (retraction of the previous value, insertion of the new one). Optionally over a window or
// with forgetting, weighted, and checkpointed so that a killed run restarts where it stopped.
//
// Split along its concepts: realtime_options.hpp (options), realtime_run.hpp (the resumable
// run of resumable_run.hpp, shared with stream_fit, over the change stream),
// realtime_kafka.hpp (a Kafka consumer run), realtime_scale_out.hpp
// (a group member, the merger); this file runs files and the demo producer, and main().
#include <streamreg/streamreg.hpp>
#ifdef STREAMREG_EXAMPLES_JSON
#include <streamreg/json/jsonl.hpp>
#endif
#ifdef STREAMREG_EXAMPLES_KAFKA
#include "realtime_kafka.hpp"
#include "realtime_scale_out.hpp"
#endif

#include "cli_common.hpp"
#include "realtime_options.hpp"
#include "realtime_run.hpp"

#include <cstdint>
#include <string>
#include <vector>

namespace {

using realtime::options;
using realtime::program;

/// The demo producer's stream (x = 0, 1, 2, ...; y = x + U(-0.1, 0.1)), resumed after the
/// records a checkpoint holds.
template <class State>
int run_generator(realtime::resumable<State>& r) {
  const options& opt = r.options_used();
  auto& run = r.open();
  streamreg::io::generator gen({opt.demo_records, opt.seed, 0.0, 1.0, 0.0, 1.0, 0.1});
  double x = 0, y = 0;
  for (std::uint64_t i = 0; i < run.records && gen.next(x, y);) ++i;  // already fitted
  cli::rate_limiter limiter(opt.max_rate);
  std::uint64_t n = 0;
  while (r.room() && gen.next(x, y)) {
    limiter.wait(n++);
    run.reg.push_at(static_cast<double>(run.reg.accepted()), x, y);  // time: the record index
    r.counted();
  }
  return r.finish(cli::ok);
}

/// A file or standard input, CSV or JSON lines: the reader is built (header and columns
/// checked) and, on resume, the input verified before the output is opened.
template <class State>
int run_file(realtime::resumable<State>& r, const std::vector<streamreg::io::column>& columns,
             const cli::record_layout& layout) {
  const options& opt = r.options_used();
  // With a checkpoint an unfinished last line (a file still being written) is left for the
  // next run, and the lines consumed are hashed to recognise the input on resume.
  cli::input_file in(opt.input, {opt.max_line, r.checkpointing(), r.checkpointing()});
  auto go = [&](auto& reader) {
    r.attach_input(in, reader);
    auto& run = r.open();
    const int status = r.read_all(reader, layout, [&] { run.at.line = reader.line(); });
    if (in.held_back() > 0)
      fmt::print(stderr, "{}: the last line of '{}' has no line end yet ({} bytes): left for "
                         "the next run\n",
                 program, streamreg::printable(in.name()), in.held_back());
    return r.finish(status);
  };
  if (opt.format == "jsonl" || opt.format == "json") {
#ifdef STREAMREG_EXAMPLES_JSON
    std::vector<std::string> fields;
    for (const auto& c : columns) fields.push_back(c.name);
    streamreg::json::jsonl_reader<double> reader(in.source(), fields);
    return go(reader);
#else
    throw streamreg::config_error("this build has no JSON support (simdjson not found)");
#endif
  }
  streamreg::io::csv_reader<double> reader(in.source(), columns);
  return go(reader);
}

template <class State>
int run_with(const options& opt, State initial) {
  realtime::resumable<State> r(opt, std::move(initial));
  if (opt.input.empty() && !opt.kafka()) return run_generator(r);
  std::vector<streamreg::io::column> columns{streamreg::io::column::parse(opt.x),
                                             streamreg::io::column::parse(opt.y)};
  const auto layout = cli::record_layout::add(opt.model, columns);
  if (opt.kafka()) {
#ifdef STREAMREG_EXAMPLES_KAFKA
    return realtime::run_consumer(r, columns, layout);
#else
    throw streamreg::config_error("this build has no Kafka support (librdkafka not found)");
#endif
  }
  return run_file(r, columns, layout);
}

int run(options opt) {
  realtime::validate(opt);
  if (!opt.publish_state.empty() || !opt.merge_states.empty()) {
#ifdef STREAMREG_EXAMPLES_KAFKA
    return opt.publish_state.empty() ? realtime::run_merger(opt) : realtime::run_member(opt);
#else
    throw streamreg::config_error("this build has no Kafka support (librdkafka not found)");
#endif
  }
  return cli::with_state(
      opt.model, [&opt](auto state) { return run_with(opt, std::move(state)); }, opt.precise);
}

}  // namespace

int main(int argc, char** argv) {
  streamreg::io::guard_standard_streams();
  CLI::App app{
      "Streaming least-squares line: after every record x,y writes the intercept a and slope b "
      "as a change stream a,b,time,diff (each new value inserted with diff 1, the value it "
      "replaces retracted with diff -1). Input: --input (CSV or JSON lines), --kafka (a topic), "
      "--kafka-mock (an in-process Kafka cluster holding the demo stream), or nothing: the "
      "built-in demo producer (x = 0, 1, 2, ..., y = x + uniform noise in (-0.1, 0.1)).",
      realtime::program};
  realtime::options opt;
  realtime::add_options(app, opt);
  if (const auto parsed = cli::parse(app, argc, argv)) return *parsed;
  if (opt.format == "raw") {  // one number per message: y is it, x its offset by default
    if (app.count("--y") == 0) opt.y = "value";
    if (app.count("--x") == 0) opt.x = "@offset";
  }

  return cli::guarded(realtime::program, [&opt] { return run(opt); });
}

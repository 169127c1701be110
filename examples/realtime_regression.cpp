// SPDX-License-Identifier: MIT
// realtime_regression: the reference workflow. Records x,y arrive one at a time (a CSV file,
// a pipe, or the built-in demo producer); after each one the least-squares intercept a and
// slope b are written as a change stream a,b,time,diff (retraction of the previous value,
// insertion of the new one). Optionally over a window or with forgetting, weighted, and
// checkpointed so that a killed run restarts where it stopped.
#include <streamreg/streamreg.hpp>

#include "cli_common.hpp"

#include <cstdint>
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

  /// What a checkpoint must have been written with to be resumed by this run.
  std::string describe() const {
    return input + '|' + x + '|' + y + '|' + model.describe() + '|' +
           std::to_string(demo_records) + '|' + std::to_string(seed) + '|' +
           (compat ? "compat" : "");
  }
};

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
  }
};

template <class State>
int run_with(const options& opt, State initial) {
  using reg_type = streamreg::regressor<State, stream>;
  const std::uint64_t config = streamreg::detail::fnv1a(opt.describe());

  // A checkpoint, when there is one, gives the state and where output and input resume.
  std::optional<std::string> saved;
  std::uint64_t output_offset = 0;
  if (!opt.checkpoint.empty() && (saved = cli::read_if_exists(opt.checkpoint))) {
    run_state<reg_type> probe{reg_type(initial, stream(writer(stdout, {false, false, false})))};
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
  if (resuming) {
    streamreg::restore_checkpoint(*saved, run);
    if (run.reg.accepted() > 0) run.reg.sink().resume(run.reg.fit());
  }

  auto save = [&] {
    if (opt.checkpoint.empty()) return;
    run.output_offset = out.offset();
    cli::write_atomically(opt.checkpoint, streamreg::save_checkpoint(run));
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

  if (opt.input.empty()) {  // the reference producer: x = 0, 1, 2, ...; y = x + U(-0.1, 0.1)
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

  cli::input_file in(opt.input);
  std::vector<streamreg::io::column> columns{streamreg::io::column::parse(opt.x),
                                             streamreg::io::column::parse(opt.y)};
  const auto layout = cli::record_layout::add(opt.model, columns);
  streamreg::io::csv_reader<double> reader(in.source(), columns);
  if (resuming && !reader.skip_through(run.line))
    throw streamreg::config_error("the input is shorter than when the checkpoint was written");
  std::uint64_t n = 0;
  int status = cli::ok;
  while (room()) {
    const cli::step s = cli::read_next(program, opt.on_error, reader, run.reg, layout,
                                       run.last_time, out, [&] { limiter.wait(n++); });
    if (s == cli::step::end || s == cli::step::stop) break;
    if (s == cli::step::fail) {
      status = cli::bad_input;
      break;
    }
    if (s == cli::step::skip) ++run.skipped;
    run.line = reader.line();
    after_record();
  }
  save();
  out.flush();
  if (run.skipped > 0)
    fmt::print(stderr, "{}: {} records fitted, {} skipped\n", program, run.reg.accepted(),
               run.skipped);
  return status;
}

int run(const options& opt) {
  opt.model.validate();
  if (opt.input.empty() && (!opt.model.weight.empty() || !opt.model.time.empty()))
    throw streamreg::config_error("--weight and --time need --input");
  return cli::with_state(opt.model, [&opt](auto state) { return run_with(opt, std::move(state)); });
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "Streaming least-squares line: after every record x,y writes the intercept a and slope b "
      "as a change stream a,b,time,diff (each new value inserted with diff 1, the value it "
      "replaces retracted with diff -1). Without --input it runs the built-in demo producer "
      "(x = 0, 1, 2, ..., y = x + uniform noise in (-0.1, 0.1)).",
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
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.add_option("--demo-records", opt.demo_records, "Records the demo producer writes")
      ->capture_default_str();
  app.add_option("--seed", opt.seed, "Seed of the demo producer's noise")->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  return cli::guarded(program, [&opt] { return run(opt); });
}

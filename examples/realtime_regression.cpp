// SPDX-License-Identifier: MIT
// realtime_regression: the reference workflow. Records x,y arrive one at a time (a CSV file,
// a pipe, or the built-in demo producer); after each one the least-squares intercept a and
// slope b are written as a change stream a,b,time,diff (retraction of the previous value,
// insertion of the new one).
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
  std::string x = "x", y = "y", time;
  std::uint64_t demo_records = 100;
  std::uint64_t seed = 42;
};

constexpr const char* program = "realtime_regression";

using writer = streamreg::csv_change_writer<double>;
using stream = streamreg::change_stream<double, writer>;
using regressor = streamreg::regressor<streamreg::moments<double>, stream>;

int run(const options& opt) {
  cli::output_file out(opt.output);
  regressor reg{stream(writer(out.get(), {opt.compat, out.interactive(), true}))};
  cli::rate_limiter limiter(opt.max_rate);
  std::uint64_t n = 0;
  auto room = [&] { return opt.max_records == 0 || n < opt.max_records; };

  if (opt.input.empty()) {  // the reference producer: x = 0, 1, 2, ...; y = x + U(-0.1, 0.1)
    streamreg::io::generator gen({opt.demo_records, opt.seed, 0.0, 1.0, 0.0, 1.0, 0.1});
    double x = 0, y = 0;
    while (room() && gen.next(x, y)) {
      limiter.wait(n++);
      reg.push(x, y);
    }
    return cli::ok;
  }

  cli::input_file in(opt.input);
  std::vector<streamreg::io::column> columns{streamreg::io::column::parse(opt.x),
                                             streamreg::io::column::parse(opt.y)};
  if (!opt.time.empty()) columns.push_back(streamreg::io::column::parse(opt.time));
  streamreg::io::csv_reader<double> reader(in.source(), columns);
  std::uint64_t skipped = 0;
  while (room()) {
    const auto r = reader.next();
    if (r == streamreg::io::csv_reader<double>::result::end) break;
    if (r == streamreg::io::csv_reader<double>::result::error) {
      if (opt.on_error == streamreg::io::error_policy::fail) {
        out.flush();
        fmt::print(stderr, "{}: {}\n", program, reader.error().what());
        return cli::bad_input;
      }
      cli::report_skip(program, reader.error());
      if (opt.on_error == streamreg::io::error_policy::stop) break;
      ++skipped;
      continue;
    }
    limiter.wait(n++);
    if (opt.time.empty()) {
      reg.push(reader[0], reader[1]);
    } else {
      reg.push_at(reader[2], reader[0], reader[1]);
    }
  }
  out.flush();
  if (skipped > 0)
    fmt::print(stderr, "{}: {} records fitted, {} skipped\n", program, reg.accepted(), skipped);
  return cli::ok;
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
  app.add_option("--max-records", opt.max_records, "Stop after N data records (0: no limit)")
      ->check(CLI::NonNegativeNumber);
  app.add_option("--max-rate", opt.max_rate, "At most R records per second (0: no limit)")
      ->check(CLI::NonNegativeNumber);
  cli::add_error_policy(app, opt.on_error);
  app.add_option("--x", opt.x, "Column of x: header name or 1-based number")->capture_default_str();
  app.add_option("--y", opt.y, "Column of y: header name or 1-based number")->capture_default_str();
  app.add_option("--time", opt.time,
                 "Column holding each record's time, written in the time field (default: the "
                 "0-based record index)");
  app.add_option("--demo-records", opt.demo_records, "Records the demo producer writes")
      ->capture_default_str();
  app.add_option("--seed", opt.seed, "Seed of the demo producer's noise")->capture_default_str();
  CLI11_PARSE(app, argc, argv);

  try {
    return run(opt);
  } catch (const streamreg::parse_error& e) {
    fmt::print(stderr, "{}: {}\n", program, e.what());
    return cli::bad_input;
  } catch (const streamreg::config_error& e) {
    fmt::print(stderr, "{}: {}\n", program, e.what());
    return cli::bad_config;
  } catch (const std::exception& e) {
    fmt::print(stderr, "{}: {}\n", program, e.what());
    return cli::io_failure;
  }
}

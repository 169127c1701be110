// SPDX-License-Identifier: MIT
// stream_fit: the general tool. Reads comma- or whitespace-separated records one at a time
// (header or not), fits y on x after every record and prints the fit with its inference,
// per record or once at the end, as CSV, JSON lines or a table.
#include <streamreg/streamreg.hpp>
#include <streamreg/fmt.hpp>

#include "cli_common.hpp"

#include <cstdint>
#include <string>
#include <utility>
#include <vector>

namespace {

constexpr const char* program = "stream_fit";

struct options {
  std::string input = "-";
  std::string y;
  std::vector<std::string> x;
  bool skip_to_data = false;
  bool no_header = false;
  std::string emit = "every";
  std::string format = "csv";
  std::string output;
  streamreg::io::error_policy on_error = streamreg::io::error_policy::fail;
  cli::model_options model;
};

using inference = streamreg::line_inference<double>;

/// A number, or what stands for an undefined one in the format (empty CSV field, JSON null).
std::string value(double v, bool defined, const char* undefined) {
  return defined ? cli::number(v) : std::string(undefined);
}

class printer {
 public:
  printer(const options& opt, std::FILE* out, bool flush_each)
      : format_(opt.format), out_(out), flush_each_(flush_each) {}

  void header() {
    if (format_ == "csv") {
      fmt::print(out_, "n,intercept,slope,status,residual_sd,r_squared,se_intercept,se_slope\n");
    } else if (format_ == "table") {
      fmt::print(out_, "{:>10} {:>24} {:>24} {:>15} {:>24} {:>24}\n", "n", "intercept", "slope",
                 "status", "residual_sd", "r_squared");
    }
  }

  void row(const inference& r) {
    const bool ok = static_cast<bool>(r.fit);
    const bool inf = r.defined();
    const bool r2 = inf && r.r_squared == r.r_squared;
    const auto status = streamreg::to_string(r.fit.status);
    if (format_ == "csv") {
      fmt::print(out_, "{},{},{},{},{},{},{},{}\n", r.fit.n, value(r.fit.intercept, ok, ""),
                 value(r.fit.slope, ok, ""), status, value(r.residual_sd, inf, ""),
                 value(r.r_squared, r2, ""), value(r.se_intercept, inf, ""),
                 value(r.se_slope, inf, ""));
    } else if (format_ == "jsonl") {
      fmt::print(out_,
                 "{{\"n\":{},\"status\":\"{}\",\"coefficients\":[{},{}],\"std_errors\":[{},{}],"
                 "\"residual_sd\":{},\"r_squared\":{}}}\n",
                 r.fit.n, status, value(r.fit.intercept, ok, "null"),
                 value(r.fit.slope, ok, "null"), value(r.se_intercept, inf, "null"),
                 value(r.se_slope, inf, "null"), value(r.residual_sd, inf, "null"),
                 value(r.r_squared, r2, "null"));
    } else {
      fmt::print(out_, "{:>10} {:>24} {:>24} {:>15} {:>24} {:>24}\n", r.fit.n,
                 value(r.fit.intercept, ok, "-"), value(r.fit.slope, ok, "-"), status,
                 value(r.residual_sd, inf, "-"), value(r.r_squared, r2, "-"));
    }
    if (flush_each_) std::fflush(out_);
  }

 private:
  std::string format_;
  std::FILE* out_;
  bool flush_each_;
};

template <class State>
int run_with(const options& opt, State initial) {
  cli::output_file out(opt.output);
  cli::input_file in(opt.input);
  streamreg::io::csv_format format;
  format.skip_to_data = opt.skip_to_data;
  format.detect = !opt.skip_to_data;
  format.header = !opt.no_header;
  std::vector<streamreg::io::column> columns{streamreg::io::column::parse(opt.y),
                                             streamreg::io::column::parse(opt.x[0])};
  // apply_record reads x from the first selected column and y from the second.
  std::swap(columns[0], columns[1]);
  const auto layout = cli::record_layout::add(opt.model, columns);
  streamreg::io::csv_reader<double> reader(in.source(), columns, format);

  streamreg::regressor<State> reg(std::move(initial), streamreg::null_sink{});
  printer print(opt, out.get(), out.interactive());
  const bool every = opt.emit == "every";
  print.header();
  std::uint64_t skipped = 0;
  double last_time = 0;
  for (;;) {
    const cli::step s =
        cli::read_next(program, opt.on_error, reader, reg, layout, last_time, out, [] {});
    if (s == cli::step::end || s == cli::step::stop) break;
    if (s == cli::step::fail) return cli::bad_input;
    if (s == cli::step::skip) {
      ++skipped;
      continue;
    }
    if (every) print.row(reg.inference());
  }
  if (!every) print.row(reg.inference());
  out.flush();
  if (skipped > 0)
    fmt::print(stderr, "{}: {} records fitted, {} skipped\n", program, reg.accepted(), skipped);
  return cli::ok;
}

int run(const options& opt) {
  if (opt.x.size() != 1)
    throw streamreg::config_error(
        "exactly one --x column is supported (several predictors are not built yet)");
  opt.model.validate();
  return cli::with_state(opt.model, [&opt](auto state) { return run_with(opt, std::move(state)); });
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{
      "Fits y = intercept + slope * x record by record over comma- or whitespace-separated "
      "input (with a header row, or columns by 1-based number) and prints the fit with its "
      "standard errors, residual SD and R^2 after every record or once at the end.",
      program};
  options opt;
  app.add_option("file", opt.input, "Input file, or - for standard input")->capture_default_str();
  app.add_option("--y", opt.y, "Column of the response: header name or 1-based number")
      ->required();
  app.add_option("--x", opt.x, "Column of the predictor: header name or 1-based number")
      ->required();
  app.add_flag("--skip-to-data", opt.skip_to_data,
               "Data start after the last line beginning with 'Data:' (NIST StRD files); "
               "that line names the columns");
  app.add_flag("--no-header", opt.no_header,
               "The first line is data (by default a first line that is not all numbers is "
               "taken as the header)");
  app.add_option("--emit", opt.emit, "Print the fit after every record or only the final one")
      ->check(CLI::IsMember({"every", "final"}))
      ->capture_default_str();
  app.add_option("--format", opt.format,
                 "csv (n,intercept,slope,status,residual_sd,r_squared,se_intercept,se_slope), "
                 "jsonl (one JSON object per fit) or table")
      ->check(CLI::IsMember({"csv", "jsonl", "table"}))
      ->capture_default_str();
  app.add_option("--output", opt.output, "Write here instead of stdout");
  app.add_option("--time", opt.model.time,
                 "Column of event time (for --window-time and --half-life-time)");
  cli::add_model_options(app, opt.model, true);
  cli::add_error_policy(app, opt.on_error);
  CLI11_PARSE(app, argc, argv);

  return cli::guarded(program, [&opt] { return run(opt); });
}

// SPDX-License-Identifier: MIT
// stream_fit: the general tool. Reads comma- or whitespace-separated records one at a time
// (header or not), fits y on one or several predictors (or a polynomial in x) after every
// record and prints the fit with its inference, per record or once at the end, as CSV, JSON
// lines or a table.
#include <streamreg/streamreg.hpp>
#include <streamreg/fmt.hpp>
#include <streamreg/json/jsonl.hpp>
#include <streamreg/multivariate.hpp>
#include <streamreg/student_t.hpp>

#include "cli_common.hpp"
#include "resumable_run.hpp"
#include "stream_fit_binomial.hpp"
#include "stream_fit_kafka.hpp"
#include "stream_fit_options.hpp"
#include "stream_fit_output.hpp"
#include "stream_fit_run.hpp"

#include <cmath>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace {

using namespace stream_fit;  // NOLINT: this program's options and output

/// Calls f with a reader of the selected columns: CSV (header, or columns by number) or JSON
/// lines (fields by name).
template <class F>
int with_reader(const options& opt, cli::input_file& in,
                const std::vector<streamreg::io::column>& columns, F&& f) {
  if (opt.input_format == "jsonl") {
    if (opt.skip_to_data || opt.no_header)
      throw streamreg::config_error("--skip-to-data and --no-header are for CSV input");
    std::vector<std::string> names;
    for (const auto& c : columns) names.push_back(c.name);
    streamreg::json::jsonl_reader<double> reader(in.source(), names);
    return f(reader);
  }
  streamreg::io::csv_format format;
  format.skip_to_data = opt.skip_to_data;
  format.detect = !opt.skip_to_data;
  format.header = !opt.no_header;
  streamreg::io::csv_reader<double> reader(in.source(), columns, format);
  return f(reader);
}

/// The input file of a run: with a checkpoint an unfinished last line (a file still being
/// written) is left for the next run, and the lines consumed are hashed to recognise the
/// input on resume.
cli::input_file open_input(const options& opt) {
  const bool ck = !opt.checkpoint.empty();
  return cli::input_file(opt.input, {opt.max_line, ck, ck});
}

template <class State>
int run_with(const options& opt, State initial, const points& rows) {
  if (opt.sharing()) return scale_out_scalar(opt, std::move(initial), rows);
  resumable<scalar_model<State>> r(
      opt, [&opt, initial = std::move(initial)](std::FILE* f, bool interactive, bool,
                                                 const std::string&) {
        return scalar_model<State>{streamreg::regressor<State>(initial, streamreg::null_sink{}),
                                   printer(opt, f, interactive)};
      });
  // apply_record reads x from the first selected column and y from the second.
  std::vector<streamreg::io::column> columns{streamreg::io::column::parse(opt.x[0]),
                                             streamreg::io::column::parse(opt.y)};
  const auto layout = cli::record_layout::add(opt.model, columns);
  if (opt.kafka()) return consume_scalar(r, columns, layout, rows);
  cli::input_file in = open_input(opt);
  return with_reader(opt, in, columns, [&](auto& reader) {
    r.attach_input(in, reader);
    r.open();
    return write_checked(r, [&] { return r.finish(fit_scalar(r, reader, layout, rows)); });
  });
}

template <class Reg>
int run_multivariate(const options& opt, Reg reg, const points& rows) {
  if (opt.sharing()) return scale_out_multivariate(opt, std::move(reg), rows);
  resumable<multi_model<Reg>> r(
      opt, [reg = std::move(reg)](std::FILE* f, bool interactive, bool, const std::string&) {
        return multi_model<Reg>{reg, multi_output{f, interactive, false, std::nullopt}, false, 0};
      });
  std::vector<streamreg::io::column> columns;
  const multi_layout l = multi_layout::add(opt, columns);
  if (opt.kafka()) return consume_multivariate(r, columns, l, rows);
  cli::input_file in = open_input(opt);
  return with_reader(opt, in, columns, [&](auto& reader) {
    r.attach_input(in, reader);
    r.open();
    return write_checked(r, [&] { return r.finish(fit_multivariate(r, reader, l, rows)); });
  });
}

int run_multivariate(const options& opt, const points& rows) {
  namespace mv = streamreg::multivariate;
  if (opt.degree > 0 && opt.x.size() != 1)
    throw streamreg::config_error("--degree fits a polynomial in one --x");
  mv::options o;
  o.intercept = !opt.no_intercept;
  o.degree = opt.degree;
  o.predictors = opt.degree > 0 ? opt.degree : static_cast<int>(opt.x.size());
  o.ridge = opt.ridge;
  o.penalize_intercept = opt.penalize_intercept;
  o.window = opt.model.window;
  o.window_time = opt.model.window_time;
  o.half_life_time = opt.model.half_life_time;
  if (opt.model.half_life > 0) o.forgetting = std::exp2(-1.0 / opt.model.half_life);
  // Windows of the default solver are two stacks of Givens factors; only --diff (a record
  // retracted by its values) needs a state that removes records.
  const bool removes = !opt.model.diff.empty();
  std::string solver = opt.solver;
  if (solver == "auto") solver = opt.precise ? "precise" : removes ? "moments" : "givens";
  if (opt.precise && solver != "precise")
    throw streamreg::config_error("--precise and --solver " + solver + " exclude each other");
  if (solver == "givens" && removes)
    throw streamreg::config_error(
        "the givens solver cannot remove records (--diff): use --solver moments or --precise");
  if (solver == "precise") return run_multivariate(opt, mv::precise_regression<>(o), rows);
  if (solver == "moments")
    return run_multivariate(opt, mv::regression<double, Eigen::Dynamic, mv::moments>(o), rows);
  return run_multivariate(opt, mv::regression<double, Eigen::Dynamic, mv::givens>(o), rows);
}

/// --family binomial: the logistic model (stream_fit_binomial.hpp).
int run_binomial(const options& opt, const points& rows) {
  check_binomial(opt);
  streamreg::multivariate::logistic_options o;
  o.predictors = static_cast<int>(opt.x.size());
  o.intercept = !opt.no_intercept;
  o.ridge = opt.ridge;
  o.penalize_intercept = opt.penalize_intercept;
  if (opt.model.half_life > 0) o.forgetting = std::exp2(-1.0 / opt.model.half_life);
  const streamreg::multivariate::logistic<> model(o);
  resumable<binomial_model> r(opt, [&model](std::FILE* f, bool interactive, bool,
                                            const std::string&) {
    binomial_model m;
    m.reg = model;
    m.out = f;
    m.interactive = interactive;
    return m;
  });
  std::vector<streamreg::io::column> columns;
  const multi_layout l = multi_layout::add(opt, columns);
  cli::input_file in = open_input(opt);
  return with_reader(opt, in, columns, [&](auto& reader) {
    r.attach_input(in, reader);
    r.open();
    return write_checked(r, [&] { return r.finish(fit_binomial(r, reader, l, rows)); });
  });
}

int run(const options& opt) {
  opt.model.validate();
  validate_kafka(opt);
  cli::check_distinct(opt.input, opt.output, opt.checkpoint);
  if (!opt.predict.empty() && !opt.output.empty() && opt.output != "-" &&
      streamreg::io::same_file(opt.predict, opt.output))
    throw streamreg::config_error("--output '" + streamreg::printable(opt.output) +
                                  "' is the --predict file: refusing to overwrite it");
  const points rows = read_points(opt);  // before the output is opened: an error keeps it
  if (opt.family == "binomial") return run_binomial(opt, rows);
  if (!opt.scalar()) return run_multivariate(opt, rows);
  return cli::with_state_of(opt.model, [&opt, &rows](auto state) {
    return run_with(opt, std::move(state), rows);
  });
}

}  // namespace

int main(int argc, char** argv) {
  streamreg::io::guard_standard_streams();
  CLI::App app{
      "Fits y on one or several predictors (or a polynomial in x) record by record over "
      "comma- or whitespace-separated input (with a header row, or columns by 1-based number) "
      "and prints the fit with its standard errors, residual SD and R^2 after every record or "
      "once at the end. Records come from a file, standard input or a Kafka topic (--kafka); "
      "members of a consumer group share a topic (--publish-state) and --merge-states gives "
      "their global fit.",
      program};
  options opt;
  app.add_option("file", opt.input, "Input file, or - for standard input")->capture_default_str();
  app.add_option("--y", opt.y, "Column of the response: header name or 1-based number")
      ->required();
  app.add_option("--x", opt.x,
                 "Column of a predictor: header name or 1-based number (repeat for several)")
      ->required();
  app.add_option("--degree", opt.degree,
                 "Fit a polynomial of this degree in the one --x (coefficients of x, x^2, ...)")
      ->check(CLI::Range(1, 30));
  app.add_flag("--no-intercept", opt.no_intercept,
               "Fit without intercept (R^2 is then the uncentred R^2, as NIST defines it)");
  app.add_option("--ridge", opt.ridge,
                 "Ridge penalty L * sum of squared coefficients (not the intercept unless "
                 "--penalize-intercept); standard errors are then the sandwich form")
      ->check(CLI::NonNegativeNumber);
  app.add_flag("--penalize-intercept", opt.penalize_intercept,
               "With --ridge: penalise the intercept too");
  app.add_flag("--precise", opt.precise,
               "Precise mode: double-double normal equations of the inputs shifted by the first "
               "record, refined solve (13+ correct digits on every NIST StRD linear set; about "
               "30x the cost per record)");
  app.add_option("--solver", opt.solver,
                 "Several predictors: givens (square-root-free Givens, the default), moments "
                 "(centred scatter + LDLT; the default with --diff) or precise. A window of "
                 "givens is two stacks of factors (no record is removed)")
      ->check(CLI::IsMember({"auto", "givens", "moments", "precise"}))
      ->capture_default_str();
  app.add_option("--family", opt.family,
                 "gaussian (least squares, the default) or binomial (logistic regression of a "
                 "0/1 --y: CSV n,<coefficients>,status,log_likelihood,se_<coefficients>; JSON "
                 "lines n, status, names, coefficients, std_errors, log_likelihood, and with "
                 "--predict the probability p, se_p, eta, se_eta per row)")
      ->check(CLI::IsMember({"gaussian", "binomial"}))
      ->capture_default_str();
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
  app.add_option("--input-format", opt.input_format,
                 "csv (comma-, semicolon- or whitespace-separated) or jsonl (one JSON object per "
                 "line; --y, --x, --weight, --time, --diff name its fields)")
      ->check(CLI::IsMember({"csv", "jsonl"}))
      ->capture_default_str();
  app.add_option("--output", opt.output, "Write here instead of stdout");
  app.add_option("--predict", opt.predict,
                 "CSV file of inputs (a header naming the --x columns): each JSON object "
                 "(--format jsonl) gains \"predictions\", per row the fit with se_fit (of the mean "
                 "response), se_obs (of a new observation) and the interval lower, upper of a new "
                 "observation at --level");
  cli::add_run_options(app, opt);
  app.add_option("--level", opt.level, "Level of the --predict intervals")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  app.add_option("--time", opt.model.time,
                 "Column of event time (for --window-time and --half-life-time)");
  cli::add_model_options(app, opt.model, true);
  cli::add_error_policy(app, opt.on_error);
  cli::add_max_line(app, opt.max_line);
  add_kafka_options(app, opt);
  if (const auto parsed = cli::parse(app, argc, argv)) return *parsed;

  return cli::guarded(program, [&opt] { return run(opt); });
}
